# Flow-matching samplers and PFGM++ (docs/sampling.md, "Flow matching" and "PFGM++").

# --- flow matching (rectified flow) ------------------------------------------------------------
#
# A flow model interpolates x_sigma = (1 - sigma) x0 + sigma noise, sigma from 1 (noise) to 0
# (data), and predicts the velocity v(x, sigma) = d x_sigma / d sigma = noise - x0 (Liu, Gong and
# Liu 2023; Lipman et al. 2023). The samplers integrate dx/dsigma = v over `sigmas` [m]
# (decreasing, in [0, 1], usually from 1 to 0: m - 1 steps), as diffusers'
# FlowMatchEulerDiscreteScheduler and FlowMatchHeunDiscreteScheduler do with the terminal 0
# appended (the shift s sigma / (1 + (s - 1) sigma) belongs to the schedule that makes sigmas).

fn _flow_check(sigmas: float[m], what) {
  check(m >= 2, "{}: sigmas needs at least 2 noise levels (one step), got {}", what, m)
  check(sigmas[m - 1] >= 0 and sigmas[0] <= 1, "{}: flow-matching sigmas lie in [0, 1], but they run from {} to {}",
        what, sigmas[0], sigmas[m - 1], hint="sigma is the share of noise in x: 1 is pure noise, 0 the data")
  check(all(i < m - 1) sigmas[i + 1] < sigmas[i],
        "{}: sigmas must decrease, but sigmas[{}] = {} is not above sigmas[{}] = {}", what,
        _first_rise(sigmas), sigmas[_first_rise(sigmas)], _first_rise(sigmas) + 1,
        sigmas[_first_rise(sigmas) + 1])
}

# Euler steps x <- x + (sigma_next - sigma) v(x, sigma).
fn flow_euler(velocity: fn, x: float[...], sigmas: float[m]) {
  _flow_check(sigmas, "flow_euler")
  let r = iterate y = x, i = 0 {
    let s = cast(sigmas[i], dtype=x)
    y = y + (cast(sigmas[i + 1], dtype=x) - s) * _denoise(velocity, y, s, "flow_euler")
    i = i + 1
  } max m - 1
  r.y
}

# Heun steps: the Euler guess x' = x + dt v(x, sigma), then x + dt (v(x, sigma) + v(x', sigma_next))
# / 2; a step to sigma = 0 stays Euler's, as the last step of diffusers' FlowMatchHeun scheduler.
fn flow_heun(velocity: fn, x: float[...], sigmas: float[m]) {
  _flow_check(sigmas, "flow_heun")
  let r = iterate y = x, i = 0 {
    let s = cast(sigmas[i], dtype=x)
    let sn = cast(sigmas[i + 1], dtype=x)
    let v = _denoise(velocity, y, s, "flow_heun")
    let guess = y + (sn - s) * v
    y = if sn == 0 then guess else y + (sn - s) * ((v + _denoise(velocity, guess, sn, "flow_heun")) / 2)
    i = i + 1
  } max m - 1
  r.y
}

# --- PFGM++ ------------------------------------------------------------------------------------
#
# PFGM++ (Xu et al. 2023) treats N-dimensional data as charges in N + D dimensions: the
# perturbation kernel at radius r is p_r(x | y) proportional to (|x - y|^2 + r^2)^(-(N + D) / 2),
# and with the alignment r = sigma sqrt(D) its backward ODE is EDM's, dx/dsigma = (x - D(x,
# sigma)) / sigma, with D the posterior mean of y under that kernel. As D -> infinity the kernel
# tends to N(y, sigma^2 I): EDM is the limit. D is an integer, 3 or more.

fn _pfgmpp_check(N, D, what) {
  check(N >= 1, "{}: the data dimension N must be at least 1, got {}", what, N)
  check(D >= 3, "{}: the augmentation dimension D must be at least 3, got {}", what, D,
        hint="the prior's second moment N sigma^2 D / (D - 2) is finite only for D > 2; D -> infinity is EDM")
}

# n draws of a Gamma(a, 1) variable in f64 (Marsaglia and Tsang 2000; for a < 1 the draw of a + 1
# times u^(1/a)): rounds of proposals until every draw is accepted, each round's normals and
# uniforms keyed by (seed, tag + 2 round).
fn _gamma_draw(n: int, a, seed, tag) {
  let al = f64(a) + (if a < 1 then 1.0 else 0.0)
  let d = al - 1.0 / 3
  let c = 1 / sqrt(9 * d)
  let r = iterate g = zeros(n, dtype=f64), done = zeros(n, dtype=f64) > 0, k = 0 {
    let z = randn(n, seed=_noise_key(seed, tag + 2 * k), dtype=f64)
    let u = rand(n, seed=_noise_key(seed, tag + 2 * k + 1), dtype=f64)
    let v[i] = (1 + c * z[i])^3
    let ok[i] = v[i] > 0 and log(u[i]) < 0.5 * z[i] * z[i] + d - d * v[i] + d * log(v[i])
    g[i] = if done[i] or not ok[i] then g[i] else d * v[i]
    done[i] = done[i] or ok[i]
    k = k + 1
  } until all(done) max 10000
  if a < 1 then r.g * rand(n, seed=_noise_key(seed, tag - 1), dtype=f64)^(1 / f64(a)) else r.g
}

# n draws [n, N] of the PFGM++ prior, the kernel p_r(. | 0) at r = sigma_max sqrt(D), by the
# construction of the paper's code (Newbeeer/pfgmpp): a radius R = r sqrt(B / (1 - B)) with
# B ~ Beta(N / 2, D / 2) (drawn as G_N / (G_N + G_D), G_a ~ Gamma(a), so R = r sqrt(G_N / G_D)),
# times a uniform direction g / |g|, g standard normal. In f64.
fn pfgmpp_prior(n: int, N: int, D: int, sigma_max: float, seed: int = 0) {
  _pfgmpp_check(N, D, "pfgmpp_prior")
  check(sigma_max > 0, "pfgmpp_prior: sigma_max must be positive, got {}", sigma_max)
  let gn = _gamma_draw(n, N / 2, seed, 1048576)
  let gd = _gamma_draw(n, D / 2, seed, 2 * 1048576)
  let g = randn([n, N], seed=_noise_key(seed, 3), dtype=f64)
  let radius[i] = f64(sigma_max) * sqrt(f64(D)) * sqrt(gn[i] / gd[i]) / sqrt(sum(j) g[i, j] * g[i, j])
  let x[i, j] = radius[i] * g[i, j]
  x
}

# The exact PFGM++ denoiser of the data set `points` [k, N] (each point weighted alike): the
# posterior mean of y given x under the kernel at r = sigma sqrt(D), weights w_j proportional to
# (|x - y_j|^2 + r^2)^(-(N + D) / 2), taken as a softmax of their logs. A function fn(x, sigma).
fn pfgmpp_denoiser(points: float[k, N], D: int) {
  _pfgmpp_check(N, D, "pfgmpp_denoiser")
  fn(x, sigma) = _pfgmpp_posterior_mean(points, D, x, sigma)
}

fn _pfgmpp_posterior_mean(points: float[k, N], D, x: float[n, N], sigma) {
  check(sigma > 0, "pfgmpp_denoiser: sigma must be positive, got {}", sigma)
  let y = cast(points, dtype=x)
  let r2 = cast(sigma, dtype=x)^2 * D
  let e = cast(-(N + D) / 2, dtype=x)
  let lw[i, j] = e * log(sum(c) (x[i, c] - y[j, c])^2 + r2)
  let lz[i] = lse(j) lw[i, j]
  let out[i, c] = sum(j) exp(lw[i, j] - lz[i]) * y[j, c]
  out
}
