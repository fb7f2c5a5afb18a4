# Multi-head attention whose width does not split into the heads is an error when compiling,
# with both numbers.
let x = ones([1, 2, 8], dtype=f64)
let iw = ones([24, 8], dtype=f64)
let ib = zeros(24, dtype=f64)
let ow = eye(8, dtype=f64)
let ob = zeros(8, dtype=f64)
print(multihead_attention(x, x, x, iw, ib, ow, ob, 4).shape)
print(multihead_attention(x, x, x, iw, ib, ow, ob, 3).shape)
