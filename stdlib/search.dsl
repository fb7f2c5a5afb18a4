# Derivative-free search: CMA-ES, and an evolutionary merge search over per-layer interpolation
# weights built on it (docs/merge.md, "Alignment and search").

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
    B = e.vectors
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

# The per-layer linear merge of two MLPs (stdlib/align.dsl's record): layer l, counted from the
# input (0: W0, b0; 1 to L: Wh[l - 1], bh[l - 1]; L + 1: Wo, bo), is (1 - t[l]) a + t[l] b, in a's
# types.
fn merge_layers(a: record, b: record, t: float[q]) {
  let L = a.Wh.shape[0]
  check(q == L + 2, "merge_layers: t must hold a weight per linear layer, {} here (the first, {} between hidden layers and the last), got {}",
        L + 2, L, q)
  let ta = cast(t, dtype=a.W0)
  let Wh[l, i, k] = (1 - ta[l + 1]) * a.Wh[l, i, k] + ta[l + 1] * b.Wh[l, i, k]
  let bh[l, i] = (1 - ta[l + 1]) * a.bh[l, i] + ta[l + 1] * b.bh[l, i]
  {W0: (1 - ta[0]) * a.W0 + ta[0] * b.W0, b0: (1 - ta[0]) * a.b0 + ta[0] * b.b0, Wh: Wh, bh: bh,
   Wo: (1 - ta[L + 1]) * a.Wo + ta[L + 1] * b.Wo, bo: (1 - ta[L + 1]) * a.bo + ta[L + 1] * b.bo}
}

# CMA-ES (above) over the per-layer weights t in [0, 1] of merge_layers(a, b, t), from t = 0.5
# everywhere, minimising loss(merged, data.x, data.y) (a training loss's signature) within
# `budget` evaluations. With program= a path, the best recipe is saved as a program that re-runs
# it: the models and the data go to program + ".safetensors", and the program (written
# atomically) loads them, merges with the best weights and prints `loss_text`, the text of the
# loss as an expression of the merged `p` and `data` (a function value cannot be written out, so
# a loss of one's own comes with its text). {weights, value, evaluations, history, log}.
fn merge_search(a: record, b: record, data: record, budget: int, loss: fn = _merge_search_loss, seed: int = 0,
                sigma0: float = 0.2, program = "", loss_text = "cross_entropy(mlp_forward(p, data.x), data.y)",
                log: bool = false) {
  let L = a.Wh.shape[0]
  let fitness = fn(w) = f64(loss(merge_layers(a, b, clamp(w, 0.0, 1.0)), data.x, data.y))
  let r = cmaes(fitness, full(L + 2, 0.5, dtype=f64), sigma0, budget, seed=seed, log=log)
  let t = clamp(r.x, 0.0, 1.0)
  let _ = if program != "" then _merge_search_save(a, b, data, t, program, loss_text) else 0
  {weights: t, value: r.value, evaluations: r.evaluations, history: r.history}
}

fn _merge_search_loss(p, x, y) = cross_entropy(mlp_forward(p, x), y)

fn _merge_search_save(a, b, data, t, program, loss_text) {
  let store = program + ".safetensors"
  save({a: a, b: b, data: data}, store)
  write_text(program, "# The best merge merge_search found: layer l of the merged MLP is (1 - t[l]) a + t[l] b.\n" +
             "let saved = load(\"" + store + "\")\nlet data = saved.data\nlet t = [{*}]\n" +
             "let p = merge_layers(saved.a, saved.b, t)\nprint(f64(" + loss_text + "))\n", t)
  0
}
