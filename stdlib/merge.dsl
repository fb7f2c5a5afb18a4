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
#
# A method's task vectors are a function (k, i) -> element i of model k's vector, not a stored
# tensor: each merged element computes what it needs from the mapped inputs in one pass, and
# only what a whole-tensor step needs (a row for kth_largest, DARE's draws) is stored.

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
  let given = flatten(cast(v, dtype=x) * cast(ones(1), dtype=x))
  let one = numel(given) == 1
  let r[k < m] = given[where(one, 0, k)]
  r
}

# The task vectors of xs over base: {x, b, m, n, at}, at(k, i) = x_k[i] - base[i].
fn _merge_tasks(base, xs) {
  let x = _merge_rows(xs)
  let b = flatten(base)
  check(size(x, 1) == size(b, 0), "merge: the base has {} elements but the models {}", size(b, 0), size(x, 1))
  {x: x, b: b, m: size(x, 0), n: size(x, 1), at: fn(k, i) = x[k, i] - b[i]}
}

# Row k of f(k, i) for i < n, a tensor (what kth_largest reads).
fn _merge_row(f: fn, k, n) {
  let r[i < n] = f(k, i)
  r
}

# Which elements of each row of y(k, i) (m rows of n) are among its count[k] largest (ties:
# the lower index first, as a stable sort): keep(k, i, v), v = y(k, i), is true above the
# count-th largest, or equal to it up to its index (kth_largest, one pass over a stored row per
# model). Branch-free (0/1 arithmetic, not `and`/`or`), so the merge's loop vectorises.
fn _merge_top(y: fn, m, n, count) {
  # one model after the other: each search runs on every core, and one model's mask (or row, for
  # a short tensor) is in memory at a time
  let found = iterate at = zeros(m, dtype=i64), k = 0 {
    let here = _merge_kth(y, k, n, clamp(count[k], 1, max(n, 1)))
    at = where(arange(m) == k, here, at)
    k = k + 1
  } max m
  let at = found.at
  let edge[k < m] = y(k, at[k])
  fn(k, i, v) = i32(count[k] > 0) * (i32(v > edge[k]) + i32(v == edge[k]) * i32(i <= at[k])) > 0
}

# The flat index of the c-th largest of y(k, i) for i < n (ties: the lower index first), as
# kth_largest(_merge_row(y, k, n), c).index, without storing the row when it is long: the order of
# a sample of 2^16 elements bounds the answer, one pass counts the elements above the upper bound
# and those between the bounds, a second finds the positions of those between (a mask of a byte
# an element, where the row takes 4), and the answer is selected among them. A NaN counts as
# the largest, as kth_largest's; when the bounds miss (an unusual distribution, many equal values)
# the row is searched. Either way the result is exact.
fn _merge_kth(y: fn, k, n, c) {
  if n < 1048576 or n >= 2147483648 then kth_largest(_merge_row(y, k, n), c).index else _merge_kth_sampled(y, k, n, c)
}

fn _merge_kth_sampled(y: fn, k, n, c) {
  # 256 runs of 256 elements, evenly spaced (a run is read in a few cache lines)
  let step = i64(n / 256)
  let sample = flatten(_merge_sample(y, k, step))
  let s = 65536
  # the wanted rank in the sample, and ranks 4 standard deviations (and 16) around it
  let f = f64(c - 1) / f64(n)
  let margin = i64(4 * sqrt(f64(s) * f * (1 - f))) + 16
  let r = i64(f * f64(s))
  let hi = sample[kth_largest(sample, clamp(r - margin, 1, s)).index]
  let lo = sample[kth_largest(sample, clamp(r + margin, 1, s)).index]
  # the elements above hi (NaNs among them) and those between, in one pass as one number:
  # above * 2^32 + between (n < 2^31)
  let counts = sum(i < n) ((1 - i64(y(k, i) <= hi)) * 4294967296 + i64(y(k, i) >= lo) * i64(y(k, i) <= hi))
  let between = _merge_row(fn(k, i) = i32(y(k, i) >= lo) * i32(y(k, i) <= hi) > 0, k, n)
  let band = counts % 4294967296
  let above = i64(f64(counts - band) / 4294967296)
  if above < c and c <= above + band and band * 8 <= n then _merge_kth_band(y, k, c - above, lo, hi, between)
  else kth_largest(_merge_row(y, k, n), c).index
}

fn _merge_sample(y: fn, k, step) {
  let r[a < 256, b < 256] = y(k, a * step + b)
  r
}

# The position of the c-th largest of the elements of y(k, i) between lo and hi (when they are
# equal, the c-th of them in index order).
fn _merge_kth_band(y: fn, k, c, lo, hi, between) {
  let pos = arange(size(between, 0))[between]
  if lo == hi then pos[c - 1] else pos[kth_largest(_merge_row(fn(k, j) = y(k, pos[j]), k, size(pos, 0)), c).index]
}

# The number of elements a density keeps, as mergekit: int(density * n), all of them from 1 on.
fn _merge_count(density, n) {
  check(all(density >= 0), "merge: a density must be 0 or more, got {}", min(density))
  let c[k] = if density[k] >= 1 then n else i64(f64(density[k]) * f64(n))
  c
}

# The kept elements of the task vectors t.at (keep(k, i, v), v the element), rescaled: to each
# vector's L1 norm unless either
# norm is below 1e-7 ("l1", mergekit's `rescale: true`, rescaled_masked_tensor), by 1 / density
# (the DARE paper's), or not at all ("none").
fn _merge_rescale(t, keep: fn, density, rescale) {
  check(rescale == "l1" or rescale == "density" or rescale == "none",
        "merge: rescale is \"l1\", \"density\" or \"none\", not \"{}\"", rescale)
  let n = t.n
  let before[k < t.m] = sum(i < n) abs(t.at(k, i))
  let after[k < t.m] = sum(i < n) _merge_kept_at(t, keep, fn(k, v) = abs(v), k, i)
  let l1[k < t.m] = _merge_ratio(before[k], after[k], cast(1, dtype=t.b))
  let by[k < t.m] = cast(density[k], dtype=t.b)
  if rescale == "l1" then _merge_kept(t, keep, fn(k, v) = v * l1[k])
  else if rescale == "density" then _merge_kept(t, keep, fn(k, v) = v / by[k])
  else _merge_kept(t, keep, fn(k, v) = v)
}

# b / a, or one where either is below 1e-7. A sum read here as an argument is computed once:
# read in both the test and the quotient, it was computed in each.
fn _merge_ratio(b, a, one) = if b < 1e-7 or a < 1e-7 then one else b / a

# The task vectors where keep(k, i, v), v the element, each kept element given as scale(k, v),
# else 0: a function (k, i) that reads its element once.
fn _merge_kept(t, keep: fn, scale: fn) = fn(k, i) = _merge_kept_at(t, keep, scale, k, i)

fn _merge_kept_at(t, keep: fn, scale: fn, k, i) {
  let v = t.at(k, i)
  where(keep(k, i, v), scale(k, v), 0)
}

# mergekit's generalized task arithmetic (GTATask) on the sparsified task vectors d(k, i): the
# weighted vectors w[k] d(k, i); with `consensus`, TIES's sign election (the sign of their sum,
# 0 counting as +) keeps those of the elected sign and divides by their weights, else every one
# is kept and divided by the sum of the weights (a divisor of 0, or below 1e-8 without
# consensus, counts as 1); divided only when `normalize`, then times lambda, added to base.
fn _merge_gta(base, t, d: fn, w, consensus: bool, normalize: bool, lambda) {
  let lam = cast(lambda, dtype=t.b)
  let one = cast(1, dtype=t.b)
  let total = sum(k) w[k]
  let by = if normalize then where(abs(total) < 1e-8, one, total) else one
  let n = t.n
  # consensus is known when compiling in a recipe, and the branch not taken is dead code
  let r[i < n] = if consensus then _merge_ties_at(t, d, w, i, normalize, lam) else t.b[i] + (sum(k < t.m) w[k] * d(k, i)) / by * lam
  _merge_like(r, base)
}

# Element i of the TIES merge: the elected sign, the agreeing weighted values and their weights.
fn _merge_ties_at(t, d: fn, w, i, normalize: bool, lam) {
  let one = cast(1, dtype=t.b)
  let elected = where((sum(k < t.m) w[k] * d(k, i)) >= 0, one, -one)
  let mixed = sum(k < t.m) _merge_agree(w[k] * d(k, i), elected, 1)
  let weight = sum(k < t.m) _merge_agree(w[k] * d(k, i), elected, 0) * w[k]
  let divisor = where(weight == 0, one, weight)
  t.b[i] + (if normalize then mixed / divisor else mixed) * lam
}

# Where the weighted value wd has the elected sign: wd itself (value = 1), or 1 (value = 0); else
# 0. One call reads the task vector's element once (the merge's loop reads each model's element
# once per sum, and fusion keeps the inputs unstored).
fn _merge_agree(wd, elected, value: int) = where(sign(wd) == elected, if value == 1 then wd else cast(1, dtype=wd), 0)

# --- the methods ----------------------------------------------------------------------------------

# linear: sum_k w_k x_k, divided by sum_k w_k when `normalize` (mergekit's default), as
# mergekit's `linear`.
fn merge_linear(xs: float[...], weights: num[...], normalize: bool = true) {
  let x = _merge_rows(xs)
  let m = size(x, 0)
  let w = _merge_each(weights, m, x, "merge_linear", "weights")
  let total = sum(k) w[k]
  let divisor = if normalize then total else cast(1, dtype=total)
  let r[i] = (sum(k) w[k] * x[k, i]) / divisor
  _merge_like(r, xs[0])
}

# task_arithmetic: base + lambda * sum_k w_k (x_k - base), divided by sum_k w_k when `normalize`.
fn merge_task_arithmetic(base: float[...], xs: float[...], weights: num[...], normalize: bool = false, lambda = 1.0) {
  let t = _merge_tasks(base, xs)
  let w = _merge_each(weights, t.m, t.b, "merge_task_arithmetic", "weights")
  _merge_gta(base, t, t.at, w, false, normalize, lambda)
}

# ties: each task vector trimmed to the int(density * n) elements of largest magnitude (ties in
# index order), the sign elected by the weighted vectors' summed mass, and the mean of those that
# agree with it (their weighted sum over their weights, with `normalize`), as mergekit's `ties`.
fn merge_ties(base: float[...], xs: float[...], weights: num[...], density: num[...] = 1.0, normalize: bool = true,
              lambda = 1.0) {
  let t = _merge_tasks(base, xs)
  let w = _merge_each(weights, t.m, t.b, "merge_ties", "weights")
  let dens = _merge_each(density, t.m, f64(0), "merge_ties", "densities")
  let top = _merge_top(fn(k, i) = abs(t.at(k, i)), t.m, t.n, _merge_count(dens, t.n))
  _merge_gta(base, t, _merge_kept(t, fn(k, i, v) = top(k, i, abs(v)), fn(k, v) = v), w, true, normalize, lambda)
}

# dare: each element of each task vector kept with probability `density` (a Philox draw from
# `seed`: element i of model k keeps when rand([m, n], seed)[k, i] < density, so a seed gives one
# merge on any thread count), the kept ones rescaled, then merged as TIES (`ties=true`, mergekit's
# `dare_ties`) or summed (`dare_linear`). rescale="l1" is mergekit's (each vector scaled back to
# its L1 norm); "density" divides by the density, as the DARE paper; "none" keeps them as they are.
fn merge_dare(base: float[...], xs: float[...], weights: num[...], density: num[...], seed: int, ties: bool = true,
              rescale = "l1", normalize: bool = false, lambda = 1.0) {
  let t = _merge_tasks(base, xs)
  let w = _merge_each(weights, t.m, t.b, "merge_dare", "weights")
  let dens = _merge_each(density, t.m, f64(0), "merge_dare", "densities")
  let u = rand([t.m, t.n], seed=seed)
  let keep = fn(k, i, v) = i32(dens[k] >= 1) + i32(u[k, i] < f32(dens[k])) > 0
  _merge_gta(base, t, _merge_rescale(t, keep, dens, rescale), w, ties, normalize, lambda)
}

# breadcrumbs: each task vector keeps the int(density * n) elements of largest magnitude after
# the int(gamma * n) largest (outliers) are dropped (fewer are dropped when both do not fit), then
# summed (`ties=true`: with TIES's sign election, mergekit's `breadcrumbs_ties`). mergekit keeps
# nothing when int(gamma * n) is 0 (its slice [n_bot:-0] is empty); here that drops no outlier.
fn merge_breadcrumbs(base: float[...], xs: float[...], weights: num[...], density: num[...], gamma: num[...] = 0.01,
                     ties: bool = false, normalize: bool = false, lambda = 1.0) {
  let t = _merge_tasks(base, xs)
  let n = t.n
  let w = _merge_each(weights, t.m, t.b, "merge_breadcrumbs", "weights")
  let dens = _merge_each(density, t.m, f64(0), "merge_breadcrumbs", "densities")
  let g = _merge_each(gamma, t.m, f64(0), "merge_breadcrumbs", "gammas")
  let target = _merge_count(dens, n)
  let top0[k] = i64(f64(g[k]) * f64(n))
  let bot0[k] = n - target[k] - top0[k]
  let top[k] = if bot0[k] < 0 then top0[k] + bot0[k] else top0[k]
  let bot[k] = max(bot0[k], 0)
  # in ascending order of magnitude (ties in index order) positions bot to n - top: the first
  # n - top of -|d| in descending order, less its first bot
  let small = fn(k, i) = -abs(t.at(k, i))
  let below = _merge_top(small, t.m, n, n - top)
  let least = _merge_top(small, t.m, n, bot)
  let keep = fn(k, i, v) = i32(dens[k] >= 1) + i32(below(k, i, -abs(v))) * (1 - i32(least(k, i, -abs(v)))) > 0
  _merge_gta(base, t, _merge_kept(t, keep, fn(k, v) = v), w, ties, normalize, lambda)
}

# della: each element kept with a probability that grows with its magnitude's rank in its row (the
# last axis; a vector is one row): density - epsilon for the smallest to density + epsilon for the
# largest, linear in the rank, drawn as DARE's, the kept ones rescaled (mergekit's l1), then merged
# as TIES (`ties=true`, mergekit's `della`, normalized) or summed (`della_linear`).
fn merge_della(base: float[...], xs: float[...], weights: num[...], density: num[...], seed: int,
               epsilon: num[...] = 0.15, ties: bool = true, rescale = "l1", normalize: bool = true, lambda = 1.0) {
  let t = _merge_tasks(base, xs)
  let m = t.m
  let n = t.n
  let w = _merge_each(weights, m, t.b, "merge_della", "weights")
  let dens = _merge_each(density, m, f64(0), "merge_della", "densities")
  let eps = _merge_each(epsilon, m, f64(0), "merge_della", "epsilons")
  check(all(dens >= 1 or (dens - eps > 0 and dens + eps < 1)),
        "merge_della: density - epsilon and density + epsilon must be in (0, 1)")
  let shape = (base * cast(ones(1), dtype=base)).shape
  let rk = size(shape, 0)
  let c = max(if rk >= 2 then shape[rk - 1] else numel(base), 1)
  let mags[k < m, i < n] = abs(t.at(k, i))
  let rank = reshape(argsort(argsort(reshape(mags, [-1, c]))), [m, n])
  let u = rand([m, n], seed=seed)
  let spread = f32(max(c - 1, 1))
  # in f32, as mergekit: f32(density - epsilon) + rank / (c - 1) * 2 * f32(epsilon)
  let keep = fn(k, i, v) = i32(dens[k] >= 1) +
                           i32(u[k, i] < f32(dens[k] - eps[k]) + f32(rank[k, i]) / spread * 2 * f32(eps[k])) > 0
  _merge_gta(base, t, _merge_rescale(t, keep, dens, rescale), w, ties, normalize, lambda)
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

# nuslerp: the spherical interpolation of two models, weighted: t = w[1] / (w[0] + w[1]) (0.5
# when the weights sum to less than 1e-6 in magnitude), as mergekit's nuslerp. With `flatten`
# (the default) each tensor is one vector; else each row (the last axis) is a vector, or with
# `row_wise` each column (the first axis). A vector's direction is itself over its norm (at least
# 1e-7), theta = acos of the directions' product, and the result sin((1 - t) theta) / sin(theta)
# a + sin(t theta) / sin(theta) b, or the linear (1 - t) a + t b where |sin(theta)| < 1e-8. With
# a base model (mergekit's base_model) interpolate the task vectors and add the base:
# b + merge_nuslerp(stack(x - b, y - b), [wx, wy]).
fn merge_nuslerp(xs: float[...], weights: num[...], row_wise: bool = false, flatten: bool = true) {
  let x = _merge_rows(xs)
  check(size(x, 0) == 2, "merge_nuslerp: interpolates two models, got {}", size(x, 0),
        hint="stack the two: merge_nuslerp(stack(x, y), [wx, wy]); with a base, b + merge_nuslerp(stack(x - b, y - b), w)")
  let w = _merge_each(weights, 2, x, "merge_nuslerp", "weights")
  let total = w[0] + w[1]
  let t = if abs(total) < 1e-6 then cast(0.5, dtype=total) else w[1] / total
  let n = size(x, 1)
  let shape = (xs[0] * cast(ones(1), dtype=x)).shape
  let rk = size(shape, 0)
  # c elements a vector, nv vectors
  let c = if flatten or rk == 0 then n else if row_wise then shape[0] else shape[rk - 1]
  let nv = if c > 0 then i64(n / c) else 0
  let columns = row_wise and not flatten and rk > 0
  # the vectors as the rows of [nv, c], or the columns of [c, nv] (summed a vector of columns at a
  # time, in the order they are stored)
  let a = reshape(x[0], [if columns then c else nv, if columns then nv else c])
  let b = reshape(x[1], [if columns then c else nv, if columns then nv else c])
  let na[v < nv] = max(sqrt(if columns then sum(j < c) a[j, v] * a[j, v] else sum(j < c) a[v, j] * a[v, j]), 1e-7)
  let nb[v < nv] = max(sqrt(if columns then sum(j < c) b[j, v] * b[j, v] else sum(j < c) b[v, j] * b[v, j]), 1e-7)
  let dot[v < nv] = if columns then sum(j < c) (a[j, v] / na[v]) * (b[j, v] / nb[v]) else sum(j < c) (a[v, j] / na[v]) * (b[v, j] / nb[v])
  let theta[v < nv] = acos(clamp(dot[v], -1, 1))
  let s0[v < nv] = sin((1 - t) * theta[v])
  let s1[v < nv] = sin(t * theta[v])
  let st[v < nv] = sin(theta[v])
  let r[i < n] = _merge_nuslerp_at(x, i, if columns then i % nv else i64(i / max(c, 1)), t, s0, s1, st)
  _merge_like(r, xs[0])
}

fn _merge_nuslerp_at(x, i, v, t, s0, s1, st) =
  if abs(st[v]) < 1e-8 then (1 - t) * x[0, i] + t * x[1, i] else (s0[v] * x[0, i] + s1[v] * x[1, i]) / st[v]

# multislerp: the weighted barycentre of the models on the unit sphere, scaled by their weighted
# norm, as mergekit's multislerp: each model's direction x / (|x| + 1e-8); their weighted mean
# m, normalised; the weighted sum g of the directions' components orthogonal to m; the result
# cos(|g|) m + sin(|g|) / |g| g (|g| plus 1e-8) times sum_k w_k |x_k|. The weights are divided by
# their sum unless normalize=false. A mean of norm below 1e-8 (opposite directions that cancel)
# is the linear w0 x0 + w1 x1 for two models, an error for more. With a base model:
# b + merge_multislerp(stack(x - b, y - b, z - b), w).
fn merge_multislerp(xs: float[...], weights: num[...], normalize: bool = true) {
  let x = _merge_rows(xs)
  let m = size(x, 0)
  let n = size(x, 1)
  let w0 = _merge_each(weights, m, x, "merge_multislerp", "weights")
  let wsum = sum(k) w0[k]
  let w[k < m] = if normalize then w0[k] / wsum else w0[k]
  let nrm[k < m] = sqrt(sum(i < n) x[k, i] * x[k, i])
  let centre[i < n] = sum(k < m) (x[k, i] / (nrm[k] + 1e-8)) * w[k]
  let mn = sqrt(sum(i < n) centre[i] * centre[i])
  check(mn >= 1e-8 or m == 2, "merge_multislerp: the weighted mean of the {} models' directions is zero", m,
        hint="opposite directions with weights that cancel have no mean on the sphere; change the weights")
  let dir[i < n] = centre[i] / mn
  let dots[k < m] = sum(i < n) (x[k, i] / (nrm[k] + 1e-8)) * dir[i]
  let g[i < n] = sum(k < m) ((x[k, i] / (nrm[k] + 1e-8)) - dots[k] * dir[i]) * w[k]
  let gn = sqrt(sum(i < n) g[i] * g[i]) + 1e-8
  let scale = sum(k < m) nrm[k] * w[k]
  let r[i < n] = if mn < 1e-8 then x[0, i] * w[0] + x[1, i] * w[1] else (dir[i] * cos(gn) + g[i] * (sin(gn) / gn)) * scale
  _merge_like(r, xs[0])
}

# karcher: the weighted Riemannian (Karcher) mean of the models' directions on the unit sphere,
# times the weighted mean of their norms, as mergekit's karcher (equal weights there; here
# `weights`, divided by their sum). Models of norm at most tol are left out of the mean (not of
# the norms'); from the normalised weighted mean of the directions (the first direction if that
# is shorter than tol), each step moves u along T = sum_k a_k theta_k / sin(theta_k) (u_k - cos
# theta_k u) (theta_k = acos(u . u_k), terms with theta_k < tol left out): u = cos|T| u + sin|T|
# T / |T|, normalised, until |T| < tol or max_iter steps.
fn merge_karcher(xs: float[...], weights: num[...] = 1.0, max_iter: int = 10, tol = 1e-5) {
  let x = _merge_rows(xs)
  let m = size(x, 0)
  let n = size(x, 1)
  let tl = cast(tol, dtype=x)
  let w0 = _merge_each(weights, m, x, "merge_karcher", "weights")
  let wsum = sum(k) w0[k]
  let alpha[k < m] = w0[k] / wsum
  let nrm[k < m] = sqrt(sum(i < n) x[k, i] * x[k, i])
  let valid[k < m] = nrm[k] > tl
  let vsum = sum(k < m) where(valid[k], alpha[k], 0)
  let a[k < m] = where(valid[k], alpha[k] / vsum, 0)
  let unit = fn(k, i) = if nrm[k] == 0 then cast(0, dtype=x) else x[k, i] / nrm[k]
  let first = argmax(where(valid, 1, 0))
  let u0[i < n] = sum(k < m) a[k] * unit(k, i)
  let un = sqrt(sum(i < n) u0[i] * u0[i])
  let start[i < n] = if un < tl then unit(first, i) else u0[i] / un
  let found = iterate u = start, stop = false {
    let dot[k < m] = clamp(sum(i < n) u[i] * unit(k, i), -1, 1)
    let theta[k < m] = acos(dot[k])
    let f[k < m] = if valid[k] and theta[k] >= tl then a[k] * (theta[k] / sin(theta[k])) else 0
    let tv[i < n] = sum(k < m) f[k] * (unit(k, i) - dot[k] * u[i])
    let tn = sqrt(sum(i < n) tv[i] * tv[i])
    let moved[i < n] = cos(tn) * u[i] + sin(tn) * (tv[i] / tn)
    let mn = sqrt(sum(i < n) moved[i] * moved[i])
    u = if tn < tl then u else if mn > tl then moved / mn else moved
    stop = tn < tl
  } until stop max max_iter
  let scale = sum(k < m) alpha[k] * nrm[k]
  let r[i < n] = if any(valid) then scale * found.u[i] else cast(0, dtype=x)
  _merge_like(r, xs[0])
}

# sce: select, calculate, erase (mergekit's sce): with select_topk below 1 only the elements whose
# task vectors vary most across the models are kept (the int(select_topk * count) largest
# variances, count the elements of nonzero variance; ties in index order), then TIES's sign
# election by summed mass erases the disagreeing elements, and the rest are averaged with each
# model weighted by its vector's mean square (divided by their sum; equal when that is below
# 1e-6), the divisor at least 1e-6.
fn merge_sce(base: float[...], xs: float[...], select_topk = 1.0) {
  let t = _merge_tasks(base, xs)
  let m = t.m
  let n = t.n
  let one = cast(1, dtype=t.b)
  let dens = f64(select_topk)
  let variance = fn(i) = (sum(k < m) (t.at(k, i) - (sum(j < m) t.at(j, i)) / cast(m, dtype=t.b))^2) / cast(m, dtype=t.b)
  let nonzero = sum(i < n) i64(variance(i) != 0)
  let count = if dens <= 0 then 0 else if dens >= 1 then n else i64(dens * f64(nonzero))
  let top = _merge_top(fn(k, i) = variance(i), 1, n, [count])
  let keep = fn(i) = dens >= 1 or (count > 0 and top(0, i, variance(i)))
  let d = fn(k, i) = where(keep(i), t.at(k, i), 0)
  let ms[k < m] = (sum(i < n) d(k, i) * d(k, i)) / cast(n, dtype=t.b)
  let mtotal = sum(k) ms[k]
  let w[k < m] = if abs(mtotal) < 1e-6 then one / cast(m, dtype=t.b) else ms[k] / mtotal
  let r[i < n] = _merge_sce_at(t, d, w, i)
  _merge_like(r, base)
}

fn _merge_sce_at(t, d: fn, w, i) {
  let one = cast(1, dtype=t.b)
  let elected = where((sum(k < t.m) d(k, i)) >= 0, one, -one)
  let mixed = sum(k < t.m) d(k, i) * where(sign(d(k, i)) == elected, w[k], 0)
  let weight = sum(k < t.m) where(sign(d(k, i)) == elected, w[k], 0)
  t.b[i] + mixed / max(weight, 1e-6)
}

# ram: Reinforced Agent Merging, as mergekit's ram: each task vector's elements above epsilon in
# magnitude contribute; an element that one model alone changes takes its value, one that several
# change the mean of theirs. With r > 0, mergekit's ramplus_tl: each model's unique values are
# scaled by 1 + r clamp(rho, 0, alpha), rho the count of its elements shared with another model
# over the count of its unique ones (at least epsilon).
fn merge_ram(base: float[...], xs: float[...], epsilon = 1e-5, r = 0.0, alpha = 0.2) {
  let t = _merge_tasks(base, xs)
  let m = t.m
  let n = t.n
  let eps = cast(epsilon, dtype=t.b)
  let nz = fn(k, i) = abs(t.at(k, i)) > eps
  let count = fn(i) = sum(k < m) i64(nz(k, i))
  let shared[k < m] = sum(i < n) i64(nz(k, i) and count(i) > 1)
  let alone[k < m] = sum(i < n) i64(nz(k, i) and count(i) == 1)
  let lam[k < m] = 1 + cast(r, dtype=t.b) * clamp(cast(shared[k], dtype=t.b) / max(cast(alone[k], dtype=t.b), eps), 0, cast(alpha, dtype=t.b))
  let res[i < n] = t.b[i] + _merge_ram_at(t, nz, lam, count(i), i)
  _merge_like(res, base)
}

fn _merge_ram_at(t, nz: fn, lam, c, i) =
  sum(k < t.m) where(nz(k, i), if c == 1 then t.at(k, i) * lam[k] else t.at(k, i) / cast(max(c, 1), dtype=t.b), 0)

# arcee_fusion: the base (the first model) moved to the other model where the change matters most,
# as mergekit's arcee_fusion: an element's importance is its change |x - base| times the KL
# divergence between the softmaxes of its row (the last axis; a vector is one row) in x and in
# base (each plus 1e-8); the elements whose importance is at least the median plus 1.5 times the
# interquartile range take x's value. The quartiles are the sorted importances at int(q (n - 1))
# (mergekit's, which samples a million elements of a larger tensor at random: here every element).
fn merge_arcee_fusion(base: float[...], x: float[...]) {
  let b = flatten(base)
  let y = flatten(x)
  let n = numel(b)
  check(numel(y) == n, "merge_arcee_fusion: the base has {} elements but the model {}", n, numel(y))
  let shape = (base * cast(ones(1), dtype=base)).shape
  let rk = size(shape, 0)
  let c = max(if rk >= 1 then shape[rk - 1] else 1, 1)
  let nr = i64(n / c)
  let mb[q < nr] = max(j < c) b[q * c + j]
  let my[q < nr] = max(j < c) y[q * c + j]
  let zb[q < nr] = sum(j < c) exp(b[q * c + j] - mb[q])
  let zy[q < nr] = sum(j < c) exp(y[q * c + j] - my[q])
  let kl[q < nr] = sum(j < c) _merge_kl_term(exp(y[q * c + j] - my[q]) / zy[q] + 1e-8, exp(b[q * c + j] - mb[q]) / zb[q] + 1e-8)
  # by row and column, so that each row's KL divergence is computed once, not at each element
  let imp[q < nr, j < c] = abs(y[q * c + j] - b[q * c + j]) * kl[q]
  let at = fn(p) = cast(kth_largest(imp, n - i64(p * f64(n - 1))).value, dtype=b)
  let limit = if n > 0 then at(0.5) + 1.5 * (at(0.75) - at(0.25)) else cast(0, dtype=b)
  let r[q < nr, j < c] = if imp[q, j] >= limit then y[q * c + j] else b[q * c + j]
  _merge_like(flatten(r), base)
}

fn _merge_kl_term(p, q) = p * log(p / q)

# model_stock: the models' mean pulled toward base by t = m cos / (1 + (m - 1) cos), cos the mean
# over pairs of models of the cosine between their task vectors (each norm product at least
# 1e-6, each cosine in [-1, 1]), as mergekit's model_stock (filter_wise: false).
fn merge_model_stock(base: float[...], xs: float[...]) {
  let t = _merge_tasks(base, xs)
  let m = t.m
  let n = t.n
  check(m >= 2, "merge_model_stock: needs two models or more besides the base, got {}", m)
  let nrm[k < m] = sqrt(sum(i < n) t.at(k, i) * t.at(k, i))
  let cosine[k < m, j < m] = clamp((sum(i < n) t.at(k, i) * t.at(j, i)) / max(nrm[k] * nrm[j], 1e-6), -1, 1)
  let cos = (sum(k, j) if j > k then cosine[k, j] else 0) / cast(m * (m - 1) / 2, dtype=t.b)
  let s = (cast(m, dtype=t.b) * cos) / (1 + cast(m - 1, dtype=t.b) * cos)
  let r[i < n] = s * ((sum(k < m) t.x[k, i]) / cast(m, dtype=t.b)) + (1 - s) * t.b[i]
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
