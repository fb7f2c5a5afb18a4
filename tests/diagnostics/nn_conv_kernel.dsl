# A convolution whose kernel is larger than the padded input is an error when compiling, with
# the sizes.
let x = ones([1, 2, 4], dtype=f64)
print(conv1d(x, ones([3, 2, 3], dtype=f64), padding=1).shape)
print(conv1d(x, ones([3, 2, 7], dtype=f64), padding=1).shape)
