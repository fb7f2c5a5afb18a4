# RUN: --emit=ir:layout
# The adjoint of a read of a block of columns at an offset, m[z * 3 + i, off + g * 4 + c] (one
# of q, k and v in a [b s, 3 e] projection), binds g and c at each point by the quotient and
# remainder of p - off, checked not negative: no sum. It used to bind g as a window's position
# and sum c's 4 terms at every point, 32 at attention's head width (13x a transformer step).
arg m: f32[n, e]
arg off: i64 = 4
fn f(m) {
  let y[z < 2, g < 2, i < 3, c < 4] = m[z * 3 + i, off + g * 4 + c]
  sum(y * y)
}
print(grad(f)(m))
# CHECK: compr
# CHECK: bin.sub %{{[0-9]+}}, %off
# CHECK: bin.rem
# CHECK-NOT: reduce.sum
# CHECK: call @sn_print_tensor
