# RUN: --emit=ir:fuse
# A comprehension that copies another at its own indices and is stored (BLAS reads it: the
# adjoint of a linear layer's output) holds that comprehension's values, so later reads take
# them from it. The bias's gradient, a sum over rows of that adjoint, reads the stored rows
# instead of gathering each term again from the heads' layout through a quotient and a
# remainder (16% of a transformer's training step).
arg x: f32[r, d]
arg W: f32[e, d]
arg b: f32[e]
arg t: f32[2, 2, 4, 3]
fn heads(m: float[r, e]) {
  let y[z < 2, g < 2, i < 4, c < 3] = m[z * 4 + i, g * 3 + c]
  y
}
print(grad(fn(W, b) = sum(heads(linear(x, W, b)) * t), wrt=["W", "b"])(W, b))
# CHECK: reduce.sum %{{[0-9]+}} : f32 (%{{[0-9]+}}) {
# CHECK-NEXT: elem %[[D:[0-9]+]],
# CHECK: call @sn_matmul_t %x.{{[0-9]+}}, %[[D]],
