# Markov chain Monte Carlo and sequential Monte Carlo (docs/sampling.md, "Langevin dynamics" and
# "Sequential Monte Carlo").
#
# Randomness is Philox's, keyed by the seed and the step alone (_noise_key, stdlib/denoise.dsl),
# so a seed gives the same chains through the JIT, a built executable, the interpreter and any
# number of threads. A stochastic step i draws `noise(i, x)` (standard normal, x's shape) and
# `uniform(i, n)` (n uniforms on [0, 1), f64); pass `noise=` or `uniform=` to feed your own.

# Step i's normal noise is sample_noise(seed)'s (stdlib/sample.dsl), the k-diffusion samplers'
# key, so one seed drives every sampler alike.

# Step i's n uniforms on [0, 1) in f64 (Metropolis tests, resampling): the key's tag 2^31 + i.
fn _philox_uniform(seed: int) = fn(i, n) = rand(n, seed=_noise_key(seed, 2147483648 + i), dtype=f64)

fn _mcmc_check_step(step, what) {
  check(step > 0 and isfinite(step), "{}: the step size must be positive and finite, got {}", what, step)
}

fn _mcmc_check_steps(steps, what) {
  check(steps >= 1, "{}: steps must be at least 1, got {}", what, steps)
}

# --- Langevin dynamics -------------------------------------------------------------------------

# The unadjusted Langevin algorithm (Roberts and Tweedie 1996): `steps` steps of
#   x <- x + step score(x) + sqrt(2 step) z
# for score(x) = grad log p(x), of x's shape. Its chains approach p as step -> 0; at a finite
# step their law is biased (on N(0, s^2), variance s^2 / (1 - step / (2 s^2))): mala corrects it.
fn langevin(score: fn, x: float[...], step: float, steps: int, seed: int = 0, noise = sample_noise(seed)) {
  _mcmc_check_step(step, "langevin")
  _mcmc_check_steps(steps, "langevin")
  let h = cast(step, dtype=x)
  let r = iterate y = x, i = 0 {
    y = y + h * _denoise(fn(v, k) = score(v), y, i, "langevin") + sqrt(2 * h) * noise(i, y)
    i = i + 1
  } max steps
  r.y
}

# Annealed Langevin dynamics (Song and Ermon 2019, Algorithm 1): for each noise level sigma_l of
# `sigmas` (decreasing), `steps_per_level` steps of
#   x <- x + (a / 2) score(x, sigma_l) + sqrt(a) z,   a = step_lr sigma_l^2 / sigma_last^2
# The noise of level l's step k is noise(l steps_per_level + k, x).
fn annealed_langevin(score: fn, x: float[...], sigmas: float[L], steps_per_level: int = 100,
                     step_lr: float = 2e-5, seed: int = 0, noise = sample_noise(seed)) {
  _mcmc_check_levels(sigmas, steps_per_level, step_lr, "annealed_langevin")
  let r = iterate y = x, i = 0 {
    let sigma = sigmas[i64(i / steps_per_level)]
    let a = cast(step_lr * (sigma / sigmas[L - 1])^2, dtype=x)
    y = y + a / 2 * _denoise(fn(z, k) = score(z, sigma), y, i, "annealed_langevin") + sqrt(a) * noise(i, y)
    i = i + 1
  } max L * steps_per_level
  r.y
}

fn _mcmc_check_levels(sigmas: float[L], steps_per_level, step_lr, what) {
  check(L >= 1, "{}: at least one noise level is needed", what)
  check(sigmas[L - 1] > 0 and all(l < L - 1) sigmas[l] > sigmas[l + 1],
        "{}: sigmas must be positive and decrease, from the largest noise level to the smallest", what)
  _mcmc_check_steps(steps_per_level, what)
  _mcmc_check_step(step_lr, what)
}

# --- Metropolis-adjusted Langevin --------------------------------------------------------------

# One MALA step (Roberts and Tweedie 1996) for chains x [n, d] of the density exp(log_density):
# the Langevin proposal y = x + h s(x) + sqrt(2 h) z, s = grad log_density (by autodiff),
# accepted per chain when log u < log p(y) - log p(x) + log q(x | y) - log q(y | x), with
# log q(b | a) = -|b - a - h s(a)|^2 / (4 h). Gives {x, accepted [n] bool}.
fn _mala_step(log_density: fn, x: float[n, d], h, z, u) {
  let score = grad(fn(v) = sum(log_density(v)))
  let sx = score(x)
  let y = x + h * sx + sqrt(2 * h) * z
  let sy = score(y)
  let fwd[c] = sum(j) (y[c, j] - x[c, j] - h * sx[c, j])^2
  let bwd[c] = sum(j) (x[c, j] - y[c, j] - h * sy[c, j])^2
  let lp = log_density(x)
  check(numel(lp) == n and size(lp.shape, 0) == 1, "mala: log_density must give one number per chain (a vector of {}), got {} numbers",
        n, numel(lp), hint="x holds one chain per row; sum over the other axes, as in sum(x^2, axis=1)")
  let accept = log(u) < f64(log_density(y) - lp - (bwd - fwd) / (4 * h))
  let xn[c, j] = if accept[c] then y[c, j] else x[c, j]
  {x: xn, accepted: accept}
}

# The Metropolis-adjusted Langevin algorithm: `steps` MALA steps of chains x [n, d] (one chain a
# row) targeting the density proportional to exp(log_density(x)), log_density giving one number
# per row. Its chains leave that density invariant at any step size. Gives {x, acceptance}: the
# final chains and the fraction of proposals accepted over all chains and steps.
fn mala(log_density: fn, x: float[n, d], step: float, steps: int, seed: int = 0, noise = sample_noise(seed),
        uniform = _philox_uniform(seed)) {
  _mcmc_check_step(step, "mala")
  _mcmc_check_steps(steps, "mala")
  let h = cast(step, dtype=x)
  let r = iterate y = x, accepted = 0, i = 0 {
    let m = _mala_step(log_density, y, h, noise(i, y), uniform(i, n))
    y = m.x
    accepted = accepted + sum(i64(m.accepted))
    i = i + 1
  } max steps
  {x: r.y, acceptance: f64(r.accepted) / (f64(n) * f64(steps))}
}

# Annealed Langevin with a Metropolis correction at each level: MALA steps of step size
# a_l = step_lr sigma_l^2 / sigma_last^2 targeting exp(log_density(x, sigma_l)) at each noise level
# of `sigmas` in turn. Gives {x, acceptance}.
fn annealed_mala(log_density: fn, x: float[n, d], sigmas: float[L], steps_per_level: int = 100,
                 step_lr: float = 2e-5, seed: int = 0, noise = sample_noise(seed), uniform = _philox_uniform(seed)) {
  _mcmc_check_levels(sigmas, steps_per_level, step_lr, "annealed_mala")
  let r = iterate y = x, accepted = 0, i = 0 {
    let sigma = sigmas[i64(i / steps_per_level)]
    let a = cast(step_lr * (sigma / sigmas[L - 1])^2, dtype=x)
    # the step's own size: a / 2 on the score and sqrt(a) on the noise, as annealed_langevin
    let m = _mala_step(fn(v) = log_density(v, sigma), y, a / 2, noise(i, y), uniform(i, n))
    y = m.x
    accepted = accepted + sum(i64(m.accepted))
    i = i + 1
  } max L * steps_per_level
  {x: r.y, acceptance: f64(r.accepted) / (f64(n) * f64(L * steps_per_level))}
}

# --- sequential Monte Carlo --------------------------------------------------------------------

# Systematic resampling (Kitagawa 1996): the ancestors of n particles of log weights lw,
# a[k] = the number of j with W_0 + ... + W_j <= (u + k) / n (W normalised), for one uniform u.
# The cumulative weights and the points (u + k) / n are both sorted, so the count is the point's
# rank among both (a stable sort puts a tie's weight first) less k: O(n log n).
fn resample_systematic(lw: float[n], u: float) {
  let c = cumsum(exp(lw - lse(lw)))
  let pts[k < n] = (u + f64(k)) / f64(n)
  let rank = argsort(argsort(concat(c, pts)))
  let a[k < n] = min(n - 1, rank[n + k] - k)
  a
}

# Sequential Monte Carlo over `steps` steps of a sampler (Del Moral 2004; Chopin and
# Papaspiliopoulos 2020, Algorithm 10.3): particles x [n, d] drawn from the initial law, then at
# step i = 0 ... steps - 1
#   1. when the effective sample size (sum W)^2 / sum W^2 is below threshold n, the particles are
#      resampled systematically and their weights reset to equal;
#   2. x <- move(i, x), one step of the sampler (a Markov kernel M_i);
#   3. the log weights gain the potential G_i: lw <- lw + potential(i, x) (a vector [n]).
# The estimate of the Feynman-Kac normaliser Z = E[prod_i G_i(X_i)] is the product over steps of
# sum_j W_j G_i(x_j), W the normalised weights before step 3; its log is `log_normalizer` (the
# estimate of Z is unbiased; its log slightly low). Gives {x, log_weights (normalised),
# log_normalizer, ess (after the last step), resamples (how many)}. threshold = 1 resamples at
# every step, 0 never.
fn smc(move: fn, potential: fn, x: float[n, d], steps: int, threshold: float = 0.5, seed: int = 0,
       uniform = _philox_uniform(seed)) {
  _mcmc_check_steps(steps, "smc")
  check(threshold >= 0 and threshold <= 1, "smc: threshold must be in [0, 1], got {}", threshold)
  check(n >= 1, "smc: at least one particle is needed")
  let r = iterate p = x, lw = zeros(n, dtype=f64), logz = 0.0, resamples = 0, i = 0 {
    let ess = exp(2 * lse(lw) - lse(2 * lw))
    let again = ess < threshold * f64(n)
    let a = resample_systematic(lw, uniform(i, 1)[0])
    let q[k, j] = if again then p[a[k], j] else p[k, j]
    let w = if again then zeros(n, dtype=f64) else lw
    let moved = _denoise(fn(v, k) = move(k, v), q, i, "smc (move)")
    let g = f64(potential(i, moved))
    check(numel(g) == n and size(g.shape, 0) == 1, "smc: potential must give one log weight per particle (a vector of {}), got {} numbers",
          n, numel(g))
    let gw = w + g
    check(max(gw) > -inf and not isnan(sum(gw)), "smc: every particle's weight is zero or NaN at step {}", i,
          hint="the potential is log G: it must be finite somewhere the particles are")
    logz = logz + lse(gw) - lse(w)
    p = moved
    lw = gw
    resamples = resamples + i64(again)
    i = i + 1
  } max steps
  {x: r.p, log_weights: r.lw - lse(r.lw), log_normalizer: r.logz, ess: exp(2 * lse(r.lw) - lse(2 * r.lw)),
   resamples: r.resamples}
}
