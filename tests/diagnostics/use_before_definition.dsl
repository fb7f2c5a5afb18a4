fn area(r: f64) = pi * r ^ 2
let pi = 3.14159
print(area(2.0), half(3.0))
fn half(x) = x / 2
