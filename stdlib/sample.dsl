# Diffusion samplers of the k-diffusion family (docs/sampling.md, "Samplers").
#
# Each integrates the probability-flow ODE (or an SDE) of Karras et al. 2022 over a vector of
# noise levels `sigmas` [m] (decreasing, usually ending in 0: m - 1 steps), from x (noise of scale
# sigmas[0]), with a denoiser `model`, a function value fn(x, sigma) -> denoised of x's shape
# (stdlib/denoise.dsl). Each follows k-diffusion's sampling.py (crowsonkb/k-diffusion) line by
# line, so a step computes the same numbers in the same order. The result is the final x.
#
# Noise: a stochastic step i draws `noise(i, x)`, a standard normal tensor of x's shape and dtype.
# The default, sample_noise(seed), draws it with Philox from the seed and the step alone, so a
# seed gives the same samples through the JIT, a built executable, the interpreter and any
# number of threads, whatever the steps before drew. Pass another function (`fn(i, x) = Z[i]`)
# to feed noise of your own.

# Step i's noise for `seed`: randn(x.shape) with the Philox key (seed + 1) 2^32 + 2^16 + i.
fn sample_noise(seed: int = 0) = fn(i, x) = randn(x.shape, seed=_noise_key(seed, 65536 + i), dtype=x)

# sigmas: at least two, finite, strictly decreasing, the last non-negative.
fn _sample_check(sigmas: float[m], what) {
  check(m >= 2, "{}: sigmas needs at least 2 noise levels (one step), got {}", what, m)
  check(all(isfinite(sigmas)), "{}: sigmas must be finite, but sigmas[{}] is {}", what,
        argmin(i64(isfinite(sigmas))), sigmas[argmin(i64(isfinite(sigmas)))])
  check(sigmas[m - 1] >= 0, "{}: the noise levels must be non-negative, but the last is {}", what, sigmas[m - 1])
  check(all(i < m - 1) sigmas[i + 1] < sigmas[i],
        "{}: sigmas must decrease, but sigmas[{}] = {} is not above sigmas[{}] = {}", what,
        _first_rise(sigmas), sigmas[_first_rise(sigmas)], _first_rise(sigmas) + 1, sigmas[_first_rise(sigmas) + 1],
        hint="noise levels run from the largest to the smallest (usually 0); a schedule's sigmas do")
}

fn _first_rise(sigmas: float[m]) = argmax(i < m - 1) i64(sigmas[i + 1] >= sigmas[i])

# A scalar in x's dtype.
fn _as(v, x) = cast(v, dtype=x)

# Karras et al. 2022 (EDM) Algorithm 2's churn: gamma = min(s_churn / steps, sqrt 2 - 1) for
# sigma in [s_tmin, s_tmax], else 0; x gains noise to sigma_hat = sigma (1 + gamma).
fn _churn(x, i, sigma, steps, s_churn, s_tmin, s_tmax, s_noise, noise) {
  let gamma = if s_tmin <= sigma and sigma <= s_tmax then min(f64(s_churn) / f64(steps), sqrt(2.0) - 1) else 0.0
  let sigma_hat = f64(sigma) * (gamma + 1)
  {x: if gamma > 0 then x + noise(i, x) * _as(s_noise, x) * _as(sqrt(sigma_hat^2 - f64(sigma)^2), x) else x,
   sigma: sigma_hat}
}

# --- Euler and Heun (Karras et al. 2022, Algorithm 2) --------------------------------------

# Euler steps of dx/dsigma = (x - D(x, sigma)) / sigma, with EDM's churn (s_churn = 0: none).
fn sample_euler(model: fn, x: float[...], sigmas: float[m], s_churn: float = 0.0, s_tmin: float = 0.0,
                s_tmax: float = inf, s_noise: float = 1.0, seed: int = 0, noise = sample_noise(seed)) {
  _sample_check(sigmas, "sample_euler")
  let r = iterate x = x, i = 0 {
    let c = _churn(x, i, sigmas[i], m - 1, s_churn, s_tmin, s_tmax, s_noise, noise)
    let sh = _as(c.sigma, x)
    let D = _denoise(model, c.x, sh, "sample_euler")
    x = c.x + (c.x - D) / sh * (_as(sigmas[i + 1], x) - sh)
    i = i + 1
  } max m - 1
  r.x
}

# Heun's steps (the trapezoid of the slopes at both ends), Euler's for a step to sigma = 0.
fn sample_heun(model: fn, x: float[...], sigmas: float[m], s_churn: float = 0.0, s_tmin: float = 0.0,
               s_tmax: float = inf, s_noise: float = 1.0, seed: int = 0, noise = sample_noise(seed)) {
  _sample_check(sigmas, "sample_heun")
  let r = iterate x = x, i = 0 {
    let c = _churn(x, i, sigmas[i], m - 1, s_churn, s_tmin, s_tmax, s_noise, noise)
    let sh = _as(c.sigma, x)
    let sn = _as(sigmas[i + 1], x)
    let d = (c.x - _denoise(model, c.x, sh, "sample_heun")) / sh
    let dt = sn - sh
    let x2 = c.x + d * dt
    x = if sigmas[i + 1] == 0 then x2
        else c.x + (d + (x2 - _denoise(model, x2, sn, "sample_heun")) / sn) / 2 * dt
    i = i + 1
  } max m - 1
  r.x
}

# --- ancestral Euler ----------------------------------------------------------------------

# The ancestral step from sigma to sigma_next: sigma_up = min(sigma_next, eta sqrt(sigma_next^2
# (sigma^2 - sigma_next^2) / sigma^2)), sigma_down = sqrt(sigma_next^2 - sigma_up^2).
fn _ancestral(sigma, sigma_next, eta) {
  let s = f64(sigma)
  let sn = f64(sigma_next)
  let up = if eta == 0 then 0.0 else min(sn, f64(eta) * sqrt(sn^2 * (s^2 - sn^2) / s^2))
  {down: if eta == 0 then sn else sqrt(sn^2 - up^2), up: up}
}

# Euler to sigma_down, then fresh noise of scale sigma_up (none on a step to 0); eta = 0 is Euler.
fn sample_euler_ancestral(model: fn, x: float[...], sigmas: float[m], eta: float = 1.0, s_noise: float = 1.0,
                          seed: int = 0, noise = sample_noise(seed)) {
  _sample_check(sigmas, "sample_euler_ancestral")
  check(eta >= 0, "sample_euler_ancestral: eta must be non-negative, got {}", eta)
  let r = iterate x = x, i = 0 {
    let s = _as(sigmas[i], x)
    let a = _ancestral(sigmas[i], sigmas[i + 1], eta)
    let xe = x + (x - _denoise(model, x, s, "sample_euler_ancestral")) / s * (_as(a.down, x) - s)
    x = if sigmas[i + 1] > 0 then xe + noise(i, x) * _as(s_noise, x) * _as(a.up, x) else xe
    i = i + 1
  } max m - 1
  r.x
}

# --- DPM-Solver++ (Lu et al. 2022) --------------------------------------------------------

# DPM-Solver++(2M), in t = -log sigma with h = t_next - t: x = (sigma_next / sigma) x -
# expm1(-h) D', D' = (1 + 1/(2r)) D - 1/(2r) D_prev with r = h_prev / h. The first step is first
# order (D' = D), and so is the last when lower_order_final (diffusers' default) or when it goes
# to sigma = 0, where the step is x = D (k-diffusion's formula there).
fn sample_dpmpp_2m(model: fn, x: float[...], sigmas: float[m], lower_order_final: bool = true) {
  _sample_check(sigmas, "sample_dpmpp_2m")
  let r = iterate x = x, old = 0 * x, i = 0 {
    let D = _denoise(model, x, _as(sigmas[i], x), "sample_dpmpp_2m")
    let t = -log(f64(sigmas[i]))
    let t_next = -log(f64(sigmas[i + 1]))
    let h = t_next - t
    let ratio = _as(exp(-t_next) / exp(-t), x)
    # D' = a D - b D_prev, with a = 1 and b = 0 (exactly D) for a first-order step: one
    # expression, so the step is one pass over x
    let first = i == 0 or (lower_order_final and i == m - 2)
    let rr = if first then 1.0 else (t + log(f64(sigmas[i - 1]))) / h
    let a = if first then 1.0 else 1 + 1 / (2 * rr)
    let b = if first then 0.0 else 1 / (2 * rr)
    x = if sigmas[i + 1] == 0 then D else ratio * x - _as(expm1(-h), x) * (_as(a, x) * D - _as(b, x) * old)
    old = D
    i = i + 1
  } max m - 1
  r.x
}

# DPM-Solver++(2M) SDE: x = (sigma_next / sigma) e^(-eta h) x - expm1(-h - eta h) D, plus the
# second-order correction from D_prev (solver "midpoint": 1/2 (-expm1(-h - eta h)) / r (D -
# D_prev); "heun": ((-expm1(-h - eta h)) / (-h - eta h) + 1) / r (D - D_prev)) and noise
# sigma_next sqrt(-expm1(-2 eta h)) s_noise z; a step to sigma = 0 is x = D. k-diffusion draws z
# from a Brownian tree (torchsde); here z is step i's noise(i, x), i.i.d. Philox normals by
# default: the same law for each step's increment, not the same numbers.
fn sample_dpmpp_2m_sde(model: fn, x: float[...], sigmas: float[m], eta: float = 1.0, s_noise: float = 1.0,
                       solver = "midpoint", seed: int = 0, noise = sample_noise(seed)) {
  _sample_check(sigmas, "sample_dpmpp_2m_sde")
  check(solver == "midpoint" or solver == "heun",
        "sample_dpmpp_2m_sde: solver must be \"midpoint\" or \"heun\", got \"{}\"", solver)
  check(eta >= 0, "sample_dpmpp_2m_sde: eta must be non-negative, got {}", eta)
  let r = iterate x = x, old = 0 * x, h_last = 0.0, i = 0 {
    let D = _denoise(model, x, _as(sigmas[i], x), "sample_dpmpp_2m_sde")
    let s = f64(sigmas[i])
    let sn = f64(sigmas[i + 1])
    let h = -log(sn) + log(s)
    let eh = f64(eta) * h
    let e1 = -expm1(-h - eh)
    let xs = _as(sn / s * exp(-eh), x) * x + _as(e1, x) * D
    let corr = if solver == "heun" then (e1 / (-h - eh) + 1) * (1 / (h_last / h)) else 0.5 * e1 * (1 / (h_last / h))
    let x2 = if i == 0 then xs else xs + _as(corr, x) * (D - old)
    let xn = if eta == 0 then x2 else x2 + noise(i, x) * _as(sn * sqrt(-expm1(-2 * eh)) * f64(s_noise), x)
    x = if sigmas[i + 1] == 0 then D else xn
    old = D
    h_last = h
    i = i + 1
  } max m - 1
  r.x
}

# --- linear multistep ----------------------------------------------------------------------

# The coefficient of the derivative j steps back in an LMS step of `order` from sigmas[i] to
# sigmas[i + 1]: the integral over [sigmas[i], sigmas[i + 1]] of the Lagrange basis polynomial
# prod_{k != j} (tau - sigmas[i - k]) / (sigmas[i - j] - sigmas[i - k]), of degree order - 1 <= 3,
# which two-point Gauss-Legendre integrates exactly (k-diffusion integrates it numerically with
# scipy.integrate.quad, exact to rounding for a polynomial).
fn _lms_coeff(sigmas, i, order, j) {
  let a = f64(sigmas[i])
  let b = f64(sigmas[i + 1])
  let half = (b - a) / 2
  let mid = (a + b) / 2
  let off = half / sqrt(3.0)
  half * (_lagrange(sigmas, i, order, j, mid - off) + _lagrange(sigmas, i, order, j, mid + off))
}

fn _lagrange(sigmas, i, order, j, tau) =
  prod(k < 4) (if k < order and k != j
               then (tau - f64(sigmas[max(i - k, 0)])) / (f64(sigmas[max(i - j, 0)]) - f64(sigmas[max(i - k, 0)]))
               else 1.0)

# Linear multistep of order 4 (k-diffusion's sample_lms): x += sum_j c_j d_(i-j) over the last
# min(i + 1, order) derivatives d = (x - D) / sigma, c_j the integrals above.
fn sample_lms(model: fn, x: float[...], sigmas: float[m], order: int = 4) {
  _sample_check(sigmas, "sample_lms")
  check(order >= 1 and order <= 4, "sample_lms: order must be 1 to 4, got {}", order)
  let r = iterate x = x, d1 = 0 * x, d2 = 0 * x, d3 = 0 * x, i = 0 {
    let s = _as(sigmas[i], x)
    let d = (x - _denoise(model, x, s, "sample_lms")) / s
    let o = min(i + 1, order)
    let c0 = _as(_lms_coeff(sigmas, i, o, 0), x)
    let c1 = _as(if o > 1 then _lms_coeff(sigmas, i, o, 1) else 0.0, x)
    let c2 = _as(if o > 2 then _lms_coeff(sigmas, i, o, 2) else 0.0, x)
    let c3 = _as(if o > 3 then _lms_coeff(sigmas, i, o, 3) else 0.0, x)
    x = x + (c0 * d + c1 * d1 + c2 * d2 + c3 * d3)
    d3 = d2
    d2 = d1
    d1 = d
    i = i + 1
  } max m - 1
  r.x
}
