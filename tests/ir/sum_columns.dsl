# RUN: --emit=ir
# A comprehension of column sums, s[j] = sum(r) x[r, j], sums a vector of columns at a time: the
# terms of a leaf stored 16 f32 columns to a row, each column's leaf summed and pushed onto its
# tree by sn_sum_leaf_colsf, then the trees folded; the columns after the last whole block one by
# one. (One column at a time read a cache line per term and stored the terms one by one: a bias's
# gradient, the most common sum of a training step's backward. tests/lang/sum_columns checks the
# bits.) A row sum, t[i] = sum(k) x[i, k], reads its terms in order and keeps the one-row leaves.
arg x: f32[n, m]
let s[j] = sum(r) x[r, j]
let t[i] = sum(k) x[i, k]
print(s)
print(t)
# CHECK: scratch #4096 : ptr<f32>
# CHECK: call @sn_sum_leaf_colsf
# CHECK: call @sn_sum_fold_colsf
# CHECK: call @sn_sum_leaff
# CHECK: call @sn_print_tensor
# CHECK-NOT: sn_sum_leaf_colsf
# CHECK: call @sn_print_tensor
