# RUN: --emit=ir
# The gradient of a strided, padded window read (conv1d's im2col, a pool) binds the window's
# position at each point, t = (p - j + pad) / stride, checked exact, and sums the offset j
# (tests/lang/grad_window.dsl): no comparison of every point with the target's index is left
# (that sum was quadratic in the length).
arg x: f64[n, c, l]
arg k: f64[o, c, 3]
print(grad(fn(x) = sum(conv1d(x, k, stride=2, padding=1)^2))(x))
print(grad(fn(x) = sum(avg_pool1d(x, 3, stride=2)))(x))
# CHECK-LABEL: func @main
# CHECK: check.dims {{.*}} into [n, lo, o]
# CHECK-NOT: cmp.eq
# CHECK: call @sn_print_tensor
# CHECK-NOT: cmp.eq
# CHECK: call @sn_print_tensor
