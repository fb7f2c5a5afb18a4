# RUN: --emit=ir:layout
# The gradient of a gather along an axis, x[i, ind[i, j]] (topk's values, take-along-axis),
# groups ind's positions by row and value (sn_group_positions with one leading axis): each
# x[i, c] sums the j of row i whose index is c, not all k of them with a test each, which cost
# O(c k) per row (a top-half of 4096 columns: 8 M tests a row).
arg x: f32[n, c]
arg ind: i64[n, k]
arg w: f32[n, k]
fn f(x) = sum(i < n, j < k) x[i, ind[i, j]] * w[i, j]
print(grad(f)(x))
# CHECK: %[[LEAD:[0-9]+]] = const 1 : i64
# CHECK: call @sn_group_positions %ind{{[.0-9]*}}, %{{[0-9a-z.]+}}, %[[LEAD]]
# CHECK: compr
# CHECK-NOT: cmp.eq
# CHECK: reduce.sum
# CHECK-NOT: cmp.eq
# CHECK: call @sn_print_tensor
