# merge_layers mixes two MLPs layer by layer: weights 0 give a, 1 give b, one weight everywhere is
# interpolate's line, and each layer takes its own weight (here the first from b, the rest from
# a). mix_layers of three: one-hot columns take each layer from one model, thirds average.
let a = mlp_init(3, 5, 3, 2, seed=1)
let b = mlp_init(3, 5, 3, 2, seed=2)
fn diff(p, q) = tree_sum(fn(x, y) = sum(abs(x - y)), p, q)
let mixed = merge_layers(a, b, [1.0, 0.0, 0.0, 0.0])
print(diff(merge_layers(a, b, zeros(4)), a), diff(merge_layers(a, b, ones(4)), b),
      diff(merge_layers(a, b, full(4, 0.25)), interpolate(a, b, 0.25)))
print(diff({W0: mixed.W0, b0: mixed.b0}, {W0: b.W0, b0: b.b0}), diff({Wh: mixed.Wh, Wo: mixed.Wo}, {Wh: a.Wh, Wo: a.Wo}))
let half = merge_layers(a, b, [0.0, 1.0, 0.5, 0.0])
print(sum(abs(half.Wh[0] - b.Wh[0])), sum(abs(half.bh[1] - (a.bh[1] + b.bh[1]) / 2)) < 1e-6, half.Wh.shape)
# mix_layers of three: one-hot columns take each layer from one model; a column of thirds averages
let c = mlp_init(3, 5, 3, 2, seed=3)
let pick = mix_layers({a: a, b: b, c: c}, [[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]])
print(diff({W0: pick.W0, Wo: pick.Wo, bo: pick.bo}, {W0: c.W0, Wo: c.Wo, bo: c.bo}), sum(abs(pick.Wh[0] - a.Wh[0])),
      sum(abs(pick.bh[1] - b.bh[1])))
let avg = mix_layers({a: a, b: b, c: c}, full([3, 4], 1.0 / 3))
print(max(abs(avg.W0 - (a.W0 + b.W0 + c.W0) / 3)) < 1e-6)
