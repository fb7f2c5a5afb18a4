# RUN: --emit=ir
# The gradient of reshape(x, [b, s, d]) reads its adjoint at the quotient and remainder of x's
# flat index (tests/lang/grad_reshape.dsl): past reshape's size checks, no comparison of every point with the target's
# indices is left (that sum was quadratic: 84% of a transformer step's time).
arg x: f64[n, d]
arg w: f64[b, s, d]
print(grad(fn(x) = sum(reshape(x, [b, s, d]) * w))(x))
# CHECK-LABEL: func @main
# CHECK: check.dims
# CHECK-NOT: cmp.eq
# CHECK: call @sn_print_tensor
