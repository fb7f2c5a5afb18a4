# Model merging (docs/merge.md): mergekit's merge methods as functions over one tensor.
#
# Each function merges one tensor of several models. `xs` holds the models' tensors stacked along
# a new first dimension (`stack(a, b, c)`: m models), and `base`, for the methods that merge task
# vectors (x - base), the base model's tensor of the same shape. A weight, density or other
# per-model parameter is a number, or a vector of one value per model. The arithmetic is in xs's
# dtype (stack f32(a), ... for f32 arithmetic on bf16 models, as mergekit's `dtype: float32`); the
# result has one model's shape. In a map over checkpoints (docs/language.md) the body calls one
# per tensor:
#   save(map b, x, y in "base/", "x/", "y/" { merge_ties(b, stack(x, y), [0.6, 0.4], density=0.5) }, "out/")
# The formulas are mergekit's (mergekit/merge_methods/*.py, mergekit/sparsify.py): the functions
# below name the differences where there are any.

# --- helpers ------------------------------------------------------------------------------------

# xs [m, ...] as a matrix [m, n]: each model's tensor flattened (a number is one element).
fn _merge_rows(xs) {
  let n = numel(flatten(xs[0]))
  let r[k, i < n] = flatten(xs[k])[i]
  r
}

# r [n] in x's shape (a vector of one element for a number, which a map takes as the number).
fn _merge_like(r, x) = reshape(r, (x * cast(ones(1), dtype=x)).shape)

# A number or one per model: a vector of m values of x's dtype (densities and the like are f64,
# as the Python floats mergekit computes with).
fn _merge_each(v, m: int, x, fname, what) {
  check(numel(v) == 1 or numel(v) == m, "{}: {} {} for {} models", fname, numel(v), what, m,
        hint="give one value, or one per model in the order the models are stacked")
  let all = flatten(cast(v, dtype=x) * cast(ones(1), dtype=x))
  let one = numel(all) == 1
  let r[k < m] = all[if one then 0 else k]
  r
}

# The elements of each row of y [m, n] among its count[k] largest (ties: the lower index first,
# as a stable sort): above the count-th largest, or equal to it up to its index (kth_largest).
fn _merge_top(y, count) {
  let n = size(y, 1)
  let at[k] = kth_largest(y[k], clamp(count[k], 1, max(n, 1))).index
  let keep[k, i] = count[k] > 0 and (y[k, i] > y[k, at[k]] or (y[k, i] == y[k, at[k]] and i <= at[k]))
  keep
}

# The number of elements a density keeps, as mergekit: int(density * n), all of them from 1 on.
fn _merge_count(density, n) {
  check(all(density >= 0), "merge: a density must be 0 or more, got {}", min(density))
  let c[k] = if density[k] >= 1 then n else i64(f64(density[k]) * f64(n))
  c
}

# mergekit's rescale (rescaled_masked_tensor, norm l1): each row of d * keep scaled to the L1 norm
# of the row of d, unless either norm is below 1e-7.
fn _merge_l1(d, keep) {
  let before[k] = sum(i) abs(d[k, i])
  let after[k] = sum(i) where(keep[k, i], abs(d[k, i]), 0)
  let scale[k] = if before[k] < 1e-7 or after[k] < 1e-7 then cast(1, dtype=before) else before[k] / after[k]
  let r[k, i] = where(keep[k, i], d[k, i] * scale[k], 0)
  r
}

fn _merge_scaled(d, keep, density) {
  let r[k, i] = where(keep[k, i], d[k, i] / cast(density[k], dtype=d), 0)
  r
}

# How a sparsified task vector is kept: rescaled to its L1 norm (mergekit's `rescale: true`), by
# 1 / density (the DARE paper's rescale), or as it is.
fn _merge_rescale(d, keep, density, rescale) {
  let r = if rescale == "l1" then _merge_l1(d, keep)
          else if rescale == "density" then _merge_scaled(d, keep, density)
          else where(keep, d, 0)
  check(rescale == "l1" or rescale == "density" or rescale == "none",
        "merge: rescale is \"l1\", \"density\" or \"none\", not \"{}\"", rescale)
  r
}

# mergekit's generalized task arithmetic (GTATask) on the sparsified task vectors d [m, n]: the
# weighted vectors w[k] d[k]; with `consensus`, TIES's sign election (the sign of their sum, 0
# counting as +) keeps those of the elected sign and divides by their weights, else every one
# is kept and divided by the sum of the weights (a divisor of 0, or below 1e-8 without
# consensus, counts as 1); divided only when `normalize`, then times lambda, added to base.
fn _merge_gta(base, d, w, consensus: bool, normalize: bool, lambda) {
  let b = flatten(base)
  let lam = cast(lambda, dtype=b)
  let mode = if consensus then "ties" else "sum"
  let r = if mode == "ties" then _merge_ties_mix(b, d, w, normalize, lam) else _merge_sum_mix(b, d, w, normalize, lam)
  _merge_like(r, base)
}

# Element i of the TIES merge: the elected sign, the agreeing weighted values and their weights.
fn _merge_ties_at(b, d, w, i, normalize: bool, lam) {
  let elected = if (sum(k) w[k] * d[k, i]) >= 0 then cast(1, dtype=b) else cast(-1, dtype=b)
  let mixed = sum(k) where(sign(w[k] * d[k, i]) == elected, w[k] * d[k, i], 0)
  let weight = sum(k) where(sign(w[k] * d[k, i]) == elected, w[k], 0)
  b[i] + (if normalize then mixed / (if weight == 0 then cast(1, dtype=b) else weight) else mixed) * lam
}

fn _merge_ties_mix(b, d, w, normalize: bool, lam) {
  let n = size(b, 0)
  let r[i < n] = _merge_ties_at(b, d, w, i, normalize, lam)
  r
}

fn _merge_sum_mix(b, d, w, normalize: bool, lam) {
  let total = sum(k) w[k]
  let divisor = if abs(total) < 1e-8 then cast(1, dtype=b) else total
  let r[i] = b[i] + (if normalize then (sum(k) w[k] * d[k, i]) / divisor else sum(k) w[k] * d[k, i]) * lam
  r
}

# The task vectors of xs over base, [m, n], with the models' weights and densities checked.
fn _merge_deltas(base, xs) {
  let x = _merge_rows(xs)
  let b = flatten(base)
  let d[k, i] = x[k, i] - b[i]
  d
}

# --- the methods ----------------------------------------------------------------------------------

# linear: sum_k w_k x_k, divided by sum_k w_k when `normalize` (mergekit's default), as
# mergekit's `linear`.
fn merge_linear(xs: float[...], weights: num[...], normalize: bool = true) {
  let x = _merge_rows(xs)
  let m = size(x, 0)
  let w = _merge_each(weights, m, x, "merge_linear", "weights")
  let total = sum(k) w[k]
  let r[i] = if normalize then (sum(k) w[k] * x[k, i]) / total else sum(k) w[k] * x[k, i]
  _merge_like(r, xs[0])
}

# task_arithmetic: base + lambda * sum_k w_k (x_k - base), divided by sum_k w_k when `normalize`.
fn merge_task_arithmetic(base: float[...], xs: float[...], weights: num[...], normalize: bool = false, lambda = 1.0) {
  let d = _merge_deltas(base, xs)
  let w = _merge_each(weights, size(d, 0), d, "merge_task_arithmetic", "weights")
  _merge_gta(base, d, w, false, normalize, lambda)
}

# ties: each task vector trimmed to the int(density * n) elements of largest magnitude (ties in
# index order), the sign elected by the weighted vectors' summed mass, and the mean of those that
# agree with it (their weighted sum over their weights, with `normalize`), as mergekit's `ties`.
fn merge_ties(base: float[...], xs: float[...], weights: num[...], density: num[...] = 1.0, normalize: bool = true, lambda = 1.0) {
  let d = _merge_deltas(base, xs)
  let m = size(d, 0)
  let w = _merge_each(weights, m, d, "merge_ties", "weights")
  let dens = _merge_each(density, m, f64(0), "merge_ties", "densities")
  let y[k, i] = abs(d[k, i])
  let keep = _merge_top(y, _merge_count(dens, size(d, 1)))
  _merge_gta(base, where(keep, d, 0), w, true, normalize, lambda)
}

# dare: each element of each task vector kept with probability `density` (a Philox draw from
# `seed`: element i of model k keeps when rand([m, n], seed)[k, i] < density, so a seed gives one
# merge on any thread count), the kept ones rescaled, then merged as TIES (`ties=true`, mergekit's
# `dare_ties`) or summed (`dare_linear`). rescale="l1" is mergekit's (each vector scaled back to
# its L1 norm); "density" divides by the density, as the DARE paper; "none" keeps them as they are.
fn merge_dare(base: float[...], xs: float[...], weights: num[...], density: num[...], seed: int, ties: bool = true, rescale = "l1", normalize: bool = false,
              lambda = 1.0) {
  let d = _merge_deltas(base, xs)
  let m = size(d, 0)
  let w = _merge_each(weights, m, d, "merge_dare", "weights")
  let dens = _merge_each(density, m, f64(0), "merge_dare", "densities")
  let u = rand([m, size(d, 1)], seed=seed)
  let keep[k, i] = dens[k] >= 1 or u[k, i] < f32(dens[k])
  _merge_gta(base, _merge_rescale(d, keep, dens, rescale), w, ties, normalize, lambda)
}

# breadcrumbs: each task vector keeps the int(density * n) elements of largest magnitude after
# the int(gamma * n) largest (outliers) are dropped (fewer are dropped when both do not fit), then
# summed (`ties=true`: with TIES's sign election, mergekit's `breadcrumbs_ties`). mergekit keeps
# nothing when int(gamma * n) is 0 (its slice [n_bot:-0] is empty); here that drops no outlier.
fn merge_breadcrumbs(base: float[...], xs: float[...], weights: num[...], density: num[...], gamma: num[...] = 0.01, ties: bool = false, normalize: bool = false,
                     lambda = 1.0) {
  let d = _merge_deltas(base, xs)
  let m = size(d, 0)
  let n = size(d, 1)
  let w = _merge_each(weights, m, d, "merge_breadcrumbs", "weights")
  let dens = _merge_each(density, m, f64(0), "merge_breadcrumbs", "densities")
  let g = _merge_each(gamma, m, f64(0), "merge_breadcrumbs", "gammas")
  let target = _merge_count(dens, n)
  let top0[k] = i64(f64(g[k]) * f64(n))
  let bot0[k] = n - target[k] - top0[k]
  let top[k] = if bot0[k] < 0 then top0[k] + bot0[k] else top0[k]
  let bot[k] = max(bot0[k], 0)
  # in ascending order of magnitude (ties in index order) positions bot to n - top: the first
  # n - top of -|d| in descending order, less its first bot
  let y[k, i] = -abs(d[k, i])
  let below = _merge_top(y, n - top)
  let least = _merge_top(y, bot)
  let keep[k, i] = dens[k] >= 1 or (below[k, i] and not least[k, i])
  _merge_gta(base, where(keep, d, 0), w, ties, normalize, lambda)
}

# della: each element kept with a probability that grows with its magnitude's rank in its row (the
# last axis; a vector is one row): density - epsilon for the smallest to density + epsilon for the
# largest, linear in the rank, drawn as DARE's, the kept ones rescaled (mergekit's l1), then merged
# as TIES (`ties=true`, mergekit's `della`, normalized) or summed (`della_linear`).
fn merge_della(base: float[...], xs: float[...], weights: num[...], density: num[...], seed: int, epsilon: num[...] = 0.15, ties: bool = true, rescale = "l1",
               normalize: bool = true, lambda = 1.0) {
  let d = _merge_deltas(base, xs)
  let m = size(d, 0)
  let n = size(d, 1)
  let w = _merge_each(weights, m, d, "merge_della", "weights")
  let dens = _merge_each(density, m, f64(0), "merge_della", "densities")
  let eps = _merge_each(epsilon, m, f64(0), "merge_della", "epsilons")
  check(all(dens >= 1 or (dens - eps > 0 and dens + eps < 1)),
        "merge_della: density - epsilon and density + epsilon must be in (0, 1)")
  let shape = (base * cast(ones(1), dtype=base)).shape
  let rk = size(shape, 0)
  let c = max(if rk >= 2 then shape[rk - 1] else numel(base), 1)
  let rank = reshape(argsort(argsort(reshape(abs(d), [-1, c]))), [m, n])
  let u = rand([m, n], seed=seed)
  let spread = f32(max(c - 1, 1))
  # in f32, as mergekit: f32(density - epsilon) + rank / (c - 1) * 2 * f32(epsilon)
  let p[k, i] = f32(dens[k] - eps[k]) + f32(rank[k, i]) / spread * 2 * f32(eps[k])
  let keep[k, i] = dens[k] >= 1 or u[k, i] < p[k, i]
  _merge_gta(base, _merge_rescale(d, keep, dens, rescale), w, ties, normalize, lambda)
}

# slerp: the spherical interpolation from a (t = 0) to b (t = 1) of the two tensors as vectors:
# with a', b' the directions (a vector of norm 1e-8 or less is kept as it is) and dot their
# product, sin((1 - t) theta) / sin(theta) a + sin(t theta) / sin(theta) b for theta = acos(dot),
# and the linear (1 - t) a + t b when |dot| > 0.9995 (nearly parallel), as mergekit's slerp.
fn merge_slerp(a: float[...], b: float[...], t: num) {
  let x = flatten(a)
  let y = flatten(b)
  let na = sqrt(sum(i) x[i] * x[i])
  let nb = sqrt(sum(i) y[i] * y[i])
  let sa = if na > 1e-8 then na else cast(1, dtype=na)
  let sb = if nb > 1e-8 then nb else cast(1, dtype=nb)
  let dot = sum(i) (x[i] / sa) * (y[i] / sb)
  let tt = cast(t, dtype=x)
  let theta = acos(clamp(dot, -1, 1))
  let near = abs(dot) > 0.9995
  let s0 = if near then 1 - tt else sin(theta - theta * tt) / sin(theta)
  let s1 = if near then tt else sin(theta * tt) / sin(theta)
  let r[i] = s0 * x[i] + s1 * y[i]
  _merge_like(r, a)
}

# model_stock: the models' mean pulled toward base by t = m cos / (1 + (m - 1) cos), cos the mean
# over pairs of models of the cosine between their task vectors (each norm product at least
# 1e-6, each cosine in [-1, 1]), as mergekit's model_stock (filter_wise: false).
fn merge_model_stock(base: float[...], xs: float[...]) {
  let d = _merge_deltas(base, xs)
  let x = _merge_rows(xs)
  let b = flatten(base)
  let m = size(d, 0)
  check(m >= 2, "merge_model_stock: needs two models or more besides the base, got {}", m)
  let nrm[k] = sqrt(sum(i) d[k, i] * d[k, i])
  let cosine[k, j] = clamp((sum(i) d[k, i] * d[j, i]) / max(nrm[k] * nrm[j], 1e-6), -1, 1)
  let cos = (sum(k, j) if j > k then cosine[k, j] else 0) / cast(m * (m - 1) / 2, dtype=b)
  let t = (cast(m, dtype=b) * cos) / (1 + cast(m - 1, dtype=b) * cos)
  let r[i] = t * ((sum(k) x[k, i]) / cast(m, dtype=b)) + (1 - t) * b[i]
  _merge_like(r, base)
}

# nearswap: base moved toward x where they are close: w = clamp(t / max(|base - x|, 1e-6), 0, 1),
# w x + (1 - w) base, as mergekit's nearswap.
fn merge_nearswap(base: float[...], x: float[...], t: num) {
  let tt = cast(t, dtype=base)
  let w = clamp(tt / max(abs(base - x), 1e-6), 0, 1)
  w * x + (1 - w) * base
}

# The value of a gradient at a layer, as mergekit's (config.py, evaluate_setting): with t =
# layer / (nlayers - 1) (1 for a model of one layer, 0 for a tensor of no layer, layer -1, as the
# embeddings and the final norm), the values interpolated linearly at t (len(values) - 1); a number
# is itself everywhere. In a map's body the layer and their count come from the tensor's name
# (tensor_layer(), tensor_layers()): merge_gradient([0.0, 0.5, 1.0]).
fn merge_gradient(values: num[...], layer: int = tensor_layer(), nlayers: int = tensor_layers()) {
  let v = f64(values) * ones(numel(values), dtype=f64)
  let t = if layer < 0 then 0.0 else if nlayers > 1 then f64(layer) / f64(nlayers - 1) else 1.0
  let scaled = t * f64(numel(values) - 1)
  let i0 = clamp(i64(scaled), 0, numel(values) - 1)
  let i1 = min(numel(values) - 1, i0 + 1)
  let frac = scaled - f64(i0)
  (1 - frac) * v[i0] + frac * v[i1]
}
