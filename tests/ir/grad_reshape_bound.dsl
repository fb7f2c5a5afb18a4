# RUN: --emit=ir
# The gradients of reshape(x, [b, s, d]) and back read the adjoint at the quotients and
# remainders of the flat index (tests/lang/grad_reshape.dsl): past reshape's size checks, no
# comparison of every point with the target's indices is left (that sum was quadratic: 84% of a
# transformer step's time).
arg x: f64[n, d]
arg w: f64[b, s, d]
print(grad(fn(x) = sum(reshape(x, [b, s, d]) * w))(x))
print(grad(fn(w) = sum(reshape(w, [n, d]) * x))(w))
# CHECK-LABEL: func @main
# CHECK: check.dims
# CHECK-NOT: cmp.eq
# CHECK: call @sn_print_tensor
# CHECK: check.dims
# CHECK-NOT: cmp.eq
# CHECK: call @sn_print_tensor
