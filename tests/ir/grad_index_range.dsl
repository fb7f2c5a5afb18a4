# RUN: --emit=ir:layout
# An index that autodiff binds to a position (b[h] read at h < k d gives b's gradient at
# p < k d) is clamped into the index's range and tested there. When the ranges have one size
# (k d computed twice, not yet one value before cse) the index is in range already: the clamp
# and the test go, and the gradient's sum reads its terms with nothing around them (which lets
# a bias's gradient sum a vector of columns at once: loops.c's sum_cols).
arg x: f32[n, d]
arg k: i64 = 4
let b = zeros(k * d)
fn f(b) {
  let y[i < n, h < k * d] = x[i, 0] * b[h]
  sum(y)
}
print(grad(f)(b))
# CHECK: reduce.sum
# CHECK-NOT: cmp.
# CHECK: call @sn_print_tensor
