# A function field of a record (a model's method) is kept by tree_map, adds nothing to tree_sum,
# and is copied into a gradient's record.
let m = {w: [1.0, 2.0], apply: fn(p, x) = sum(p.w * x)}
let half = tree_map(fn(v) = v * 0.5, m)
let gm = grad(fn(m) = m.apply(m, [3.0, 4.0]))
print(half.apply(half, [3.0, 4.0]), tree_sum(fn(v) = sum(v), m), gm(m).w, gm(m).apply(m, [1.0, 1.0]))
