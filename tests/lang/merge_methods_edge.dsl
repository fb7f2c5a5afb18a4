# The degenerate cases of the newer merge methods (stdlib/merge.dsl), each a closed form: two
# models of opposite directions and equal weights (Multi-SLERP's mean direction is zero: the
# linear merge), models of norm zero (Karcher: zero), identical models (SCE: no task vector, the
# base), and NuSLERP's weights that sum to zero (t = 0.5) on orthogonal vectors (theta = pi/2).
let x = [1.0, 2.0]
print(merge_multislerp(stack(x, -x), [0.5, 0.5]))
print(merge_karcher(stack(0 * x, 0 * x)))
print(merge_sce(x, stack(x, x), select_topk=0.5))
print(merge_sce(x, stack(x, x)))
let r = merge_nuslerp(stack([1.0, 0.0], [0.0, 1.0]), [1.0, -1.0])
print(abs(r[0] - sqrt(0.5)) < 1e-15, abs(r[1] - sqrt(0.5)) < 1e-15)
