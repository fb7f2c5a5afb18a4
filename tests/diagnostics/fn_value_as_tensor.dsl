fn sq(x) = x * x
fn ten(v: f64[n]) = v * 10
print(ten(sq))
