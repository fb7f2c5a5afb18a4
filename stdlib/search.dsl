# Derivative-free search: CMA-ES, and an evolutionary merge search over the per-layer mixing
# weights of trained models built on it (docs/merge.md, "Alignment and search").

# CMA-ES, the (mu/mu_w, lambda) evolution strategy with covariance matrix adaptation, as Hansen's
# tutorial states it ("The CMA Evolution Strategy: A Tutorial", 2016, its Table 1 defaults and
# pure_cma's updates): each generation draws `popsize` points x_k = m + sigma B D z_k, z_k ~
# N(0, I) from Philox (seed, generation), ranks them by f, moves the mean to the weighted mean
# of the best mu, and adapts the covariance C = B D^2 B^T by its rank-one (evolution path p_c)
# and rank-mu updates and the step size sigma by the conjugate path p_sigma (CSA). f takes an
# f64[n] and gives one number (NaN counts as the worst). It stops when the next generation
# would pass `budget` evaluations, when f reaches `ftarget`, or when sigma times the largest
# axis falls under `tolx` (converged). `log=true` prints the best so far after each generation.
# {x, value: the best point seen and its f, mean, sigma, evaluations, generations, history: the
# best value so far after each generation (NaN after the last), converged}.
fn cmaes(f: fn, x0: float[n], sigma0: float, budget: int, seed: int = 0, popsize: int = 4 + i64(floor(3 * log(f64(n)))),
         ftarget: float = -inf, tolx: float = 1e-12, log: bool = false) {
  check(n > 0, "cmaes: x0 must have at least one coordinate")
  check(sigma0 > 0 and isfinite(sigma0), "cmaes: sigma0 must be positive and finite, got {}", sigma0)
  check(popsize >= 2, "cmaes: popsize must be 2 or more, got {}", popsize)
  check(budget >= popsize, "cmaes: the budget of {} evaluations is less than one generation of {}", budget, popsize)
  let N = f64(n)
  let mu = i64(popsize / 2)
  let raw[i < mu] = log(f64(mu) + 0.5) - log(f64(i + 1))
  let w = raw / sum(raw)
  let mueff = 1 / sum(w^2)
  let cc = (4 + mueff / N) / (N + 4 + 2 * mueff / N)
  let cs = (mueff + 2) / (N + mueff + 5)
  let c1 = 2 / ((N + 1.3)^2 + mueff)
  let cmu = min(1 - c1, 2 * (mueff - 2 + 1 / mueff) / ((N + 2)^2 + mueff))
  let damps = 1 + 2 * max(0.0, sqrt((mueff - 1) / (N + 1)) - 1) + cs
  let chiN = sqrt(N) * (1 - 1 / (4 * N) + 1 / (21 * N * N))
  let G = i64(budget / popsize)
  let m0 = f64(x0)
  let r = iterate m = m0, sigma = f64(sigma0), C = f64(eye(n)), B = f64(eye(n)), D = ones(n, dtype=f64),
                  pc = zeros(n, dtype=f64), ps = zeros(n, dtype=f64), g = 0, best = m0, best_f = inf,
                  history = full(G, nan, dtype=f64), small = false {
    let Z = randn([popsize, n], seed=seed * 1000003 + g, dtype=f64)
    let Y = Z @ (B * D).T
    let X[k, i] = m[i] + sigma * Y[k, i]
    let fx = _cmaes_evaluate(f, X)
    let order = argsort(fx)
    let y_w[i] = sum(j < mu) w[j] * Y[order[j], i]
    m = m + sigma * y_w
    let inv_sqrt_C = (B / D) @ B.T
    let zw[i] = sum(j) inv_sqrt_C[i, j] * y_w[j]
    ps = (1 - cs) * ps + sqrt(cs * (2 - cs) * mueff) * zw
    let hsig = sqrt(sum(ps^2)) / sqrt(1 - (1 - cs)^(2 * (g + 1))) / chiN < 1.4 + 2 / (N + 1)
    let h = if hsig then 1.0 else 0.0
    pc = (1 - cc) * pc + h * sqrt(cc * (2 - cc) * mueff) * y_w
    let keep = 1 - c1 - cmu + (1 - h) * c1 * cc * (2 - cc)
    let Cn[i, j] = keep * C[i, j] + c1 * pc[i] * pc[j] + cmu * sum(k < mu) w[k] * Y[order[k], i] * Y[order[k], j]
    let Cs[i, j] = (Cn[i, j] + Cn[j, i]) / 2
    C = Cs
    sigma = sigma * exp(cs / damps * (sqrt(sum(ps^2)) / chiN - 1))
    let e = eigh(Cs)
    B = _cmaes_signs(e.vectors)
    D = sqrt(max(e.values, 1e-300))
    let top = fx[order[0]]
    let better = top < best_f
    best = if better then X[order[0]] else best
    best_f = if better then top else best_f
    history[k] = if k == g then best_f else history[k]
    g = g + 1
    small = sigma * max(D) < tolx
    let _ = if log then _cmaes_log(g, g * popsize, best_f, sigma) else 0
  } until small or best_f <= ftarget or g >= G max G
  {x: r.best, value: r.best_f, mean: r.m, sigma: r.sigma, evaluations: r.g * popsize, generations: r.g, history: r.history,
   converged: r.small or r.best_f <= ftarget}
}

# The eigenvectors V (columns) with each one's largest entry (the first of equal ones) made
# positive: LAPACK builds may choose other signs, and the path of the search (not its law) depends
# on them, so a seed gives the same search with any LAPACK.
fn _cmaes_signs(V: f64[n, n]) {
  let top[j] = argmax(i) abs(V[i, j])
  let S[i, j] = if V[top[j], j] < 0 then -V[i, j] else V[i, j]
  S
}

# f at each row of X, NaN ranked last (as +inf).
fn _cmaes_evaluate(f, X: f64[k, n]) {
  let r = iterate fx = zeros(k, dtype=f64), j = 0 {
    let v = f64(f(X[j]))
    fx[i] = if i == j then (if isnan(v) then inf else v) else fx[i]
    j = j + 1
  } max k
  r.fx
}

fn _cmaes_log(g, evals, best, sigma) {
  print("cmaes: generation", g, "evaluations", evals, "best", best, "sigma", sigma)
  0
}

# --- evolutionary merge search ------------------------------------------------------------------

# The per-layer mix of the K MLPs of the record `models` (stdlib/align.dsl's records, one
# architecture): linear layer l, counted from the input (0: W0, b0; 1 to L: Wh[l - 1], bh[l - 1];
# L + 1: Wo, bo), is sum over k of W[k, l] times model k's (the models in field order), in the
# models' types.
fn mix_layers(models: record, W: float[K, q]) {
  let last = fold(fn(acc, m) = m, 0, models)
  let count = fold(fn(n, m) = n + 1, 0, models)
  let L = last.Wh.shape[0]
  check(K == count and q == L + 2,
        "mix_layers: W must be [{}, {}], a row per model and a column per linear layer (the first, the hidden ones, the last), got [{}, {}]",
        count, L + 2, K, q)
  let Wt = cast(W, dtype=last.W0)
  let zero = tree_map(fn(x) = 0 * x, last)
  fold(fn(acc, m) = {k: acc.k + 1, p: _mix_add(acc.p, m, Wt[acc.k], L)}, {k: 0, p: zero}, models).p
}

# p + w[l] m, linear layer by linear layer.
fn _mix_add(p, m, w, L) {
  let Wh[l, i, k] = p.Wh[l, i, k] + w[l + 1] * m.Wh[l, i, k]
  let bh[l, i] = p.bh[l, i] + w[l + 1] * m.bh[l, i]
  {W0: p.W0 + w[0] * m.W0, b0: p.b0 + w[0] * m.b0, Wh: Wh, bh: bh, Wo: p.Wo + w[L + 1] * m.Wo, bo: p.bo + w[L + 1] * m.bo}
}

# Two MLPs mixed per layer: layer l is (1 - t[l]) a + t[l] b.
fn merge_layers(a: record, b: record, t: float[q]) = mix_layers({a: a, b: b}, stack(1 - t, t))

# CMA-ES (above) over the per-layer mixing weights of the K MLPs of the record `models`:
# mix_layers(models, W) with W = softmax over the models of K x (L + 2) logits, from 0 (the plain
# average), minimising loss(merged, data.x, data.y) (a training loss's signature) within
# `budget` evaluations. With program= a path, the best recipe is saved as a program that re-runs
# it: the models and the data go to program + ".safetensors", and the program (written
# atomically) loads them, mixes them with the best weights and prints `loss_text`, the text of
# the loss as an expression of the merged `p` and `data` (a function value cannot be written out,
# so a loss of one's own comes with its text). {weights: W [K, L + 2], value, evaluations,
# history}.
fn merge_search(models: record, data: record, budget: int, loss: fn = _merge_search_loss, seed: int = 0,
                sigma0: float = 1.0, program = "", loss_text = "cross_entropy(mlp_forward(p, data.x), data.y)",
                log: bool = false) {
  let last = fold(fn(acc, m) = m, 0, models)
  let K = fold(fn(n, m) = n + 1, 0, models)
  check(K >= 2, "merge_search: models must hold two or more models, got {}", K)
  let q = last.Wh.shape[0] + 2
  let fitness = fn(x) = f64(loss(mix_layers(models, _merge_search_weights(x, K)), data.x, data.y))
  let r = cmaes(fitness, zeros(K * q, dtype=f64), sigma0, budget, seed=seed, log=log)
  let W = _merge_search_weights(r.x, K)
  let _ = if program != "" then _merge_search_save(models, data, W, program, loss_text) else 0
  {weights: W, value: r.value, evaluations: r.evaluations, history: r.history}
}

# The mixing weights of the logits x: [K, q], each column a softmax over the models.
fn _merge_search_weights(x, K) = softmax(reshape(x, [K, -1]), axis=0)

fn _merge_search_loss(p, x, y) = cross_entropy(mlp_forward(p, x), y)

fn _merge_search_save(models, data, W, program, loss_text) {
  let store = program + ".safetensors"
  save({models: models, data: data}, store)
  write_text(program, "# The best merge merge_search found: linear layer l of the merged MLP is sum over k of W[k, l]\n" +
             "# times model k (saved.models, in order).\n" +
             "let saved = load(\"" + store + "\")\nlet data = saved.data\n" +
             "let W = reshape([{*}], [fold(fn(n, m) = n + 1, 0, saved.models), -1])\n" +
             "let p = mix_layers(saved.models, W)\nprint(f64(" + loss_text + "))\n", flatten(W))
  0
}
