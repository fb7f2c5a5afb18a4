# Permutation alignment of two networks (git re-basin's weight matching, Ainsworth, Hayase and
# Srinivasa 2022) and interpolation between them (docs/merge.md, "Alignment and search").
#
# An MLP here is the record of stdlib/nn.dsl's `mlp` arguments: {W0 [h, d], b0 [h], Wh [L, h, h],
# bh [L, h], Wo [c, h], bo [c]}, L + 1 hidden layers of h units each, weights in torch's layout
# [out, in]. A permutation of the hidden units is P [L + 1, h]: unit i of hidden layer l of the
# permuted network is unit P[l, i] of the original, so the rows of that layer's weights and bias
# and the columns of the next layer's weights move together, and the function is unchanged.

# A new MLP with `depth` hidden layers of `width` units, initialised as torch.nn.Linear does
# (weights and biases uniform in +-1 / sqrt(fan_in)), in f32, from Philox with `seed`.
fn mlp_init(d_in: int, width: int, depth: int, d_out: int, seed: int = 0) {
  check(d_in > 0 and width > 0 and depth > 0 and d_out > 0,
        "mlp_init: the sizes must be positive, got d_in = {}, width = {}, depth = {}, d_out = {}", d_in, width, depth, d_out)
  let k0 = 1 / sqrt(f64(d_in))
  let k = 1 / sqrt(f64(width))
  let s = seed * 1000003
  {W0: _align_uniform(rand([width, d_in], seed=s, dtype=f64), k0), b0: _align_uniform(rand([width], seed=s + 1, dtype=f64), k0),
   Wh: _align_uniform(rand([depth - 1, width, width], seed=s + 2, dtype=f64), k),
   bh: _align_uniform(rand([depth - 1, width], seed=s + 3, dtype=f64), k),
   Wo: _align_uniform(rand([d_out, width], seed=s + 4, dtype=f64), k), bo: _align_uniform(rand([d_out], seed=s + 5, dtype=f64), k)}
}

# u in [0, 1) to f32 in [-bound, bound).
fn _align_uniform(u, bound) = f32(bound * (2 * u - 1))

# The MLP p applied to the rows of x (stdlib/nn.dsl's mlp with p's weights).
fn mlp_forward(p: record, x: float[n, d], act: fn = nn_relu) = mlp(x, p.W0, p.b0, p.Wh, p.bh, p.Wo, p.bo, act=act)

# p with its hidden units permuted by P [L + 1, h] (above): the same function of its input.
fn permute_mlp(p: record, P: int[q, h]) {
  let L = p.Wh.shape[0]
  check(q == L + 1 and h == p.W0.shape[0], "permute_mlp: P must be [{}, {}] (a row per hidden layer), got [{}, {}]",
        L + 1, p.W0.shape[0], q, h)
  let hits[l, j < h] = sum(i) i64(P[l, i] == j)
  let bad = argmax(i64(flatten(hits) != 1))
  check(all(hits == 1), "permute_mlp: row {} of P is not a permutation of 0 to {}: {} appears {} times", i64(bad / h), h - 1,
        bad % h, flatten(hits)[bad])
  let W0[i, k] = p.W0[P[0, i], k]
  let b0[i] = p.b0[P[0, i]]
  let Wh[l < L, i < h, k < h] = p.Wh[l, P[l + 1, i], P[l, k]]
  let bh[l < L, i < h] = p.bh[l, P[l + 1, i]]
  let Wo[o, k] = p.Wo[o, P[L, k]]
  {W0: W0, b0: b0, Wh: Wh, bh: bh, Wo: Wo, bo: p.bo}
}

# The similarity of a's units of hidden layer l with b's, b's other layers permuted by P:
# S[i, j] = <a's incoming weights and bias of unit i, b's of unit j> + <a's outgoing weights of
# unit i, b's of unit j>, in f64.
fn _align_similarity(a, b, P, l) {
  let L = a.Wh.shape[0]
  let S_in = if l == 0 then f64(a.W0) @ f64(b.W0).T else _align_into(a, b, P, l - 1)
  let ab = if l == 0 then a.b0 else a.bh[l - 1]
  let bb = if l == 0 then b.b0 else b.bh[l - 1]
  let S_out = if l == L then f64(a.Wo).T @ f64(b.Wo) else _align_out_of(a, b, P, l)
  let S[i, j] = S_in[i, j] + f64(ab[i]) * f64(bb[j]) + S_out[i, j]
  S
}

# The incoming part of hidden layer l + 1's similarity: its weights from layer l, b's permuted by
# P[l]; the outgoing part of layer l's: layer l + 1's weights from it, b's rows permuted by P[l + 1].
fn _align_into(a, b, P, l) {
  let B[j, k] = f64(b.Wh[l, j, P[l, k]])
  f64(a.Wh[l]) @ B.T
}
fn _align_out_of(a, b, P, l) {
  let B[o, j] = f64(b.Wh[l, P[l + 1, o], j])
  f64(a.Wh[l]).T @ B
}

# Weight matching: the permutation P of b's hidden units that makes b's weights closest to a's
# (the largest sum over layers of <W_a, W_b permuted>), by coordinate ascent: each hidden layer in
# turn takes the exact linear assignment (linear_sum_assignment) given the others, the layers in
# a Philox order per sweep from `seed`, until a sweep changes nothing (a fixed point: converged)
# or after max_sweeps sweeps. {params: b permuted by P, perm: P, sweeps, converged}.
fn weight_matching(a: record, b: record, max_sweeps: int = 100, seed: int = 0) {
  let L = a.Wh.shape[0]
  let h = a.W0.shape[0]
  _align_same("inputs", a.W0.shape[1], b.W0.shape[1])
  _align_same("hidden layers", L + 1, b.Wh.shape[0] + 1)
  _align_same("hidden units per layer", h, b.W0.shape[0])
  _align_same("outputs", a.Wo.shape[0], b.Wo.shape[0])
  check(max_sweeps >= 1, "weight_matching: max_sweeps must be 1 or more, got {}", max_sweeps)
  let P0[l < L + 1, i < h] = i
  let r = iterate P = P0, sweeps = 0, changed = true {
    let order = argsort(rand([L + 1], seed=seed * 1000003 + sweeps))
    let s = iterate Q = P, t = 0, moved = false {
      let l = order[t]
      let perm = linear_sum_assignment(_align_similarity(a, b, Q, l), maximize=true).cols
      moved = moved or any(i) perm[i] != Q[l, i]
      Q[m, i] = if m == l then perm[i] else Q[m, i]
      t = t + 1
    } max L + 1
    P = s.Q
    changed = s.moved
    sweeps = sweeps + 1
  } until not changed max max_sweeps
  {params: permute_mlp(b, r.P), perm: r.P, sweeps: r.sweeps, converged: r.converged}
}

fn _align_same(what, na, nb) {
  check(na == nb, "weight_matching: the networks differ: a has {} {} but b has {}", na, what, nb,
        hint="weight matching aligns two networks of one architecture")
}

# (1 - alpha) a + alpha b, leaf by leaf, in each leaf's type.
fn interpolate(a: record, b: record, alpha: float) = tree_map(fn(x, y) = cast((1 - alpha) * x + alpha * y, dtype=x), a, b)

# The loss along the line from a to b at `steps` evenly spaced alpha in [0, 1], and its barrier:
# the largest excess of loss(interpolate(a, b, alpha)) over the straight line between the
# endpoints' losses, max over alpha of L(alpha) - ((1 - alpha) L(0) + alpha L(1)) (Ainsworth et
# al.'s loss barrier). loss(params) gives one number. {alphas, losses, barrier}.
fn loss_barrier(a: record, b: record, loss: fn, steps: int = 11) {
  check(steps >= 2, "loss_barrier: steps must be 2 or more, got {}", steps)
  let alphas = linspace(0.0, 1.0, steps, dtype=f64)
  let r = iterate losses = zeros(steps, dtype=f64), k = 0 {
    let v = f64(loss(interpolate(a, b, alphas[k])))
    losses[j] = if j == k then v else losses[j]
    k = k + 1
  } max steps
  let excess[k] = r.losses[k] - ((1 - alphas[k]) * r.losses[0] + alphas[k] * r.losses[steps - 1])
  {alphas: alphas, losses: r.losses, barrier: max(excess)}
}
