let x = zeros([2, 3, 11], dtype=f64)
let W = zeros([4, 2, 3], dtype=f64)
print(conv1d(x, W, stride=2))
