let x = zeros([4, 3], dtype=f64)
let W = zeros([5, 2], dtype=f64)
print(linear(x, W))
