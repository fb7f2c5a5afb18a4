# Samplers over a discrete (variance-preserving) noise chain (docs/sampling.md): DDPM, DDIM and
# its inversion, UniPC.
#
# They take a model, a list of timesteps and the chain's alphas_cumprod (abar[t], t = 0 ... T-1):
#   model(x, t)     the network's output at the noisy x and the integer timestep t, read as
#                   `prediction`: "epsilon" (the noise), "sample" (x0) or "v_prediction"
#                   (v = sqrt(abar) eps - sqrt(1 - abar) x0), diffusers' names
#   timesteps       strictly decreasing integers in [0, T), the first the noisiest; step i goes
#                   from timesteps[i] to timesteps[i + 1], and the last to the clean level
#                   abar = final_alpha (1, diffusers' set_alpha_to_one=True)
# x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps. A stochastic step i draws `noise(i, x)`, by
# default Philox's randn with the key (seed + 1) 2^32 + 2^16 + i (sample_noise,
# stdlib/sample.dsl), so a seed gives the same samples on every path and thread count; pass
# `noise=fn(i, x) = ...` to feed your own. Each sampler's single step is public too (ddpm_step,
# ...), with its noise passed in, as diffusers' scheduler.step is.

# --- argument checks, named as the caller wrote them -------------------------------------------

fn _vp_check_prediction(prediction, sampler) {
  check(prediction == "epsilon" or prediction == "sample" or prediction == "v_prediction",
        "{}: unknown prediction type \"{}\"", sampler, prediction,
        hint="the model's output is one of \"epsilon\", \"sample\" or \"v_prediction\" (diffusers' prediction_type)")
}

fn _vp_check_steps(ts: int[s], abar: float[T], sampler) {
  check(s >= 1, "{}: at least one timestep is needed, got {}", sampler, s)
  check(all(i < s - 1) ts[i] > ts[i + 1], "{}: the timesteps must decrease, but timesteps[{}] = {} and timesteps[{}] = {}",
        sampler, _vp_first_rise(ts), ts[_vp_first_rise(ts)], _vp_first_rise(ts) + 1, ts[_vp_first_rise(ts) + 1],
        hint="list them noisiest first, as diffusers' scheduler.timesteps (e.g. 999, 979, ..., 0)")
  check(s == 0 or (min(ts) >= 0 and max(ts) < T), "{}: the timesteps must be in [0, {}), but they run from {} to {}",
        sampler, T, max(ts), min(ts), hint="alphas_cumprod has one entry for each timestep 0 ... T - 1")
}

# The first i with timesteps[i + 1] >= timesteps[i].
fn _vp_first_rise(ts: int[s]) = argmax(i < s - 1) i64(ts[i + 1] >= ts[i])

# --- predictions -------------------------------------------------------------------------------

# The clean sample x0 the model's output predicts at x_t, abar = abar_t (DDIM, eq. 12).
fn _vp_x0(out, x, abar, prediction) =
  if prediction == "epsilon" then (x - sqrt(1 - abar) * out) / sqrt(abar)
  else if prediction == "sample" then out
  else sqrt(abar) * x - sqrt(1 - abar) * out

# The noise eps the model's output predicts at x_t.
fn _vp_eps(out, x, abar, prediction) =
  if prediction == "epsilon" then out
  else if prediction == "sample" then (x - sqrt(abar) * out) / sqrt(1 - abar)
  else sqrt(abar) * out + sqrt(1 - abar) * x

# abar at step i's target: the next timestep's, or final_alpha after the last.
fn _vp_next(ts: int[s], abar: float[T], i, final_alpha) = if i + 1 < s then abar[ts[i + 1]] else cast(final_alpha, dtype=abar)

# --- DDPM --------------------------------------------------------------------------------------

# One step of DDPM (Ho et al. 2020, eq. 6-7; diffusers' DDPMScheduler.step with variance_type
# "fixed_small", clipping off) from abar_t to abar_prev, beta = 1 - abar_t / abar_prev:
#   x_prev = sqrt(abar_prev) beta / (1 - abar_t) x0 + sqrt(1 - beta) (1 - abar_prev) / (1 - abar_t) x
#            + sqrt(max(beta (1 - abar_prev) / (1 - abar_t), 1e-20)) noise
# The noise term is left out at t = 0 (`last`), as diffusers does.
fn ddpm_step(out: float[...], x: float[...], abar_t: float, abar_prev: float, noise: float[...],
             prediction = "epsilon", last: bool = false) {
  _vp_check_prediction(prediction, "ddpm_step")
  let x0 = _vp_x0(out, x, abar_t, prediction)
  let alpha = abar_t / abar_prev
  let beta = 1 - alpha
  let centre = sqrt(abar_prev) * beta / (1 - abar_t) * x0 + sqrt(alpha) * (1 - abar_prev) / (1 - abar_t) * x
  let variance = max((1 - abar_prev) / (1 - abar_t) * beta, 1e-20)
  if last then centre else centre + sqrt(variance) * noise
}

# Ancestral sampling through the DDPM chain at the given timesteps (diffusers' DDPMScheduler with
# set_timesteps: the step from the last timestep goes to abar = 1, and adds noise unless that
# timestep is 0).
fn ddpm(model: fn, x: float[...], timesteps: int[s], alphas_cumprod: float[T], prediction = "epsilon",
        seed: int = 0, noise = sample_noise(seed)) {
  _vp_check_prediction(prediction, "ddpm")
  _vp_check_steps(timesteps, alphas_cumprod, "ddpm")
  let r = iterate y = x, i = 0 {
    let t = timesteps[i]
    let out = _denoise(model, y, t, "ddpm")
    y = ddpm_step(out, y, alphas_cumprod[t], _vp_next(timesteps, alphas_cumprod, i, 1.0), noise(i, y),
                  prediction=prediction, last=t == 0)
    i = i + 1
  } max s
  r.y
}

# --- DDIM --------------------------------------------------------------------------------------

# One step of DDIM (Song, Meng and Ermon 2021, eq. 12 and 16; diffusers' DDIMScheduler.step,
# clipping off) from abar_t to abar_prev:
#   sigma = eta sqrt((1 - abar_prev) / (1 - abar_t)) sqrt(1 - abar_t / abar_prev)
#   x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev - sigma^2) eps + sigma noise
# eta = 0 is the deterministic sampler (the probability-flow ODE's discretisation), eta = 1 DDPM's
# variance. The noise is added only when eta > 0.
fn ddim_step(out: float[...], x: float[...], abar_t: float, abar_prev: float, noise: float[...],
             eta: float = 0.0, prediction = "epsilon") {
  _vp_check_prediction(prediction, "ddim_step")
  check(eta >= 0, "ddim_step: eta must be 0 or more, got {}", eta)
  let x0 = _vp_x0(out, x, abar_t, prediction)
  let eps = _vp_eps(out, x, abar_t, prediction)
  let variance = (1 - abar_prev) / (1 - abar_t) * (1 - abar_t / abar_prev)
  let std = eta * sqrt(variance)
  let prev = sqrt(abar_prev) * x0 + sqrt(1 - abar_prev - std * std) * eps
  if eta > 0 then prev + std * noise else prev
}

# DDIM sampling at the given timesteps. Step i goes to the next timestep of the list (the DDIM
# paper's sub-sequence), where diffusers' DDIMScheduler steps to t - T // steps: the two agree
# for "leading" spacing, whose timesteps are that far apart.
fn ddim(model: fn, x: float[...], timesteps: int[s], alphas_cumprod: float[T], eta: float = 0.0,
        prediction = "epsilon", seed: int = 0, noise = sample_noise(seed), final_alpha: float = 1.0) {
  _vp_check_prediction(prediction, "ddim")
  _vp_check_steps(timesteps, alphas_cumprod, "ddim")
  check(eta >= 0, "ddim: eta must be 0 or more, got {}", eta)
  let r = iterate y = x, i = 0 {
    let t = timesteps[i]
    let out = _denoise(model, y, t, "ddim")
    let at = alphas_cumprod[t]
    let ap = _vp_next(timesteps, alphas_cumprod, i, final_alpha)
    # the deterministic sampler draws no noise
    y = if eta > 0 then ddim_step(out, y, at, ap, noise(i, y), eta=eta, prediction=prediction)
        else ddim_step(out, y, at, ap, 0.0, prediction=prediction)
    i = i + 1
  } max s
  r.y
}

# One step of the deterministic DDIM inversion, from x at abar_c up to the timestep t (abar_t):
# the x_t that the DDIM step (eta = 0) from t takes to x. That x_t solves
#   x_t = sqrt(abar_t) (x - sqrt(1 - abar_c) eps(x_t)) / sqrt(abar_c) + sqrt(1 - abar_t) eps(x_t)
# with eps(x_t) the model's noise at (x_t, t). The first guess takes eps at (x, t), as diffusers'
# DDIMInverseScheduler.step does; each of the `refine` fixed-point iterations evaluates the model
# again at the guess (as in exact-inversion methods, e.g. Pan et al. 2023), and the decoded step
# then reproduces x up to the iteration's convergence.
fn ddim_invert_step(model: fn, x: float[...], t: int, abar_c: float, abar_t: float, prediction = "epsilon",
                    refine: int = 0) {
  _vp_check_prediction(prediction, "ddim_invert_step")
  check(refine >= 0, "ddim_invert_step: refine must be 0 or more, got {}", refine)
  let lift = fn(e) = sqrt(abar_t) * (x - sqrt(1 - abar_c) * e) / sqrt(abar_c) + sqrt(1 - abar_t) * e
  let first = _denoise(model, x, t, "ddim_invert")
  let r = iterate y = lift(_vp_eps(first, x, abar_t, prediction)) {
    y = lift(_vp_eps(model(y, t), y, abar_t, prediction))
  } max refine
  r.y
}

# The deterministic DDIM inversion (encoding): from a clean x (at abar = final_alpha) up through
# the timesteps in reverse, to the x at timesteps[0] from which ddim(..., eta=0) with the same
# timesteps decodes x again.
fn ddim_invert(model: fn, x: float[...], timesteps: int[s], alphas_cumprod: float[T], prediction = "epsilon",
               refine: int = 0, final_alpha: float = 1.0) {
  _vp_check_prediction(prediction, "ddim_invert")
  _vp_check_steps(timesteps, alphas_cumprod, "ddim_invert")
  let r = iterate y = x, k = 0 {
    let i = s - 1 - k
    let t = timesteps[i]
    y = ddim_invert_step(model, y, t, _vp_next(timesteps, alphas_cumprod, i, final_alpha), alphas_cumprod[t],
                         prediction=prediction, refine=refine)
    k = k + 1
  } max s
  r.y
}

# --- UniPC -------------------------------------------------------------------------------------

# UniPC (Zhao et al. 2023) with the B(h) = e^h - 1 variant ("bh2"), the model's output converted
# to x0 (predict_x0), order 2: diffusers' UniPCMultistepScheduler with its defaults
# (solver_order=2, lower_order_final=True, final_sigmas_type="zero"). With sigma_i =
# sqrt((1 - abar) / abar) at timesteps[i] and 0 after the last, alpha = 1 / sqrt(1 + sigma^2),
# lambda = -log sigma, h = lambda_next - lambda_i, and m_i the x0 predicted at step i:
#   predictor  x_next = (s_next / s_i) x_i + alpha_next (1 - e^-h) m_i - alpha_next (e^-h - 1) D
#              (s = alpha sigma; D = 0 at first order, at second D = (m_{i-1} - m_i) / (2 r),
#               r = (lambda_{i-1} - lambda_i) / h)
#   corrector  once m_{i+1} is known, x_{i+1} is recomputed from x_i with the same step plus the
#              term of m_{i+1} - m_i (weights from the b-vector of the paper's Algorithm 2)
# Steps are first order at the first step and at the last (to sigma = 0, where x = m_i).
fn unipc(model: fn, x: float[...], timesteps: int[s], alphas_cumprod: float[T], prediction = "epsilon") {
  _vp_check_prediction(prediction, "unipc")
  _vp_check_steps(timesteps, alphas_cumprod, "unipc")
  let ab = alphas_cumprod[timesteps]
  let sig = concat(sqrt((1 - ab) / ab), zeros(1, dtype=alphas_cumprod))
  let r = iterate y = x, last = x, m1 = zeros(x.shape, dtype=x), m2 = zeros(x.shape, dtype=x), order = 0, i = 0 {
    let t = timesteps[i]
    let a = alphas_cumprod[t]
    let out = _denoise(model, y, t, "unipc")
    let m = _vp_x0(out, y, a, prediction)
    # the corrector of the previous step, of its order, with this step's model output
    let xc = if i > 0 then _unipc_corrector(last, m, m1, m2, sig[max(i - 2, 0)], sig[i - 1], sig[i], order) else y
    let o = if i == 0 or i == s - 1 then 1 else 2
    y = _unipc_predictor(xc, m, m1, sig[max(i - 1, 0)], sig[i], sig[i + 1], o)
    last = xc
    m2 = m1
    m1 = m
    order = o
    i = i + 1
  } max s
  r.y
}

# UniPC's step from sigma s0 to s1 at order 1, m0 the x0 predicted at s0: the shared part of the
# predictor and the corrector, (s_1 / s_0) x - alpha_1 (e^-h - 1) m0, and its factors.
fn _unipc_base(x, m0, s0, s1) {
  let a1 = 1 / sqrt(1 + s1 * s1)
  let h = log(s0) - log(s1)
  let phi = expm1(-h)
  {x: (s1 * a1) / (s0 / sqrt(1 + s0 * s0)) * x - a1 * phi * m0, a1: a1, h: h, phi: phi}
}

# The predictor from x at sigma s0 to s1 (0: the final step gives m0), the previous prediction mp
# at sigma sp for order 2.
fn _unipc_predictor(x, m0, mp, sp, s0, s1, order) =
  if s1 == 0 then m0
  else if order == 1 then _unipc_base(x, m0, s0, s1).x
  else _unipc_predict2(x, m0, mp, sp, s0, s1)

fn _unipc_predict2(x, m0, mp, sp, s0, s1) {
  let b = _unipc_base(x, m0, s0, s1)
  let rk = (log(s0) - log(sp)) / b.h
  b.x - b.a1 * b.phi * 0.5 * ((mp - m0) / rk)
}

# The corrector of the step from x at sigma s0 (its prediction m0) to s1, where the model now
# predicts mt; mp at sp is the prediction before m0 (used at order 2).
fn _unipc_corrector(x, mt, m0, mp, sp, s0, s1, order) {
  let b = _unipc_base(x, m0, s0, s1)
  let hh = -b.h
  let k1 = b.phi / hh - 1
  let b1 = k1 / b.phi
  let b2 = (k1 / hh - 0.5) * 2 / b.phi
  let rk = (log(s0) - log(sp)) / b.h
  # rho solves [[1, 1], [rk, 1]] rho = [b1, b2] at order 2; rho = 0.5 at order 1
  let rho0 = (b1 - b2) / (1 - rk)
  let corr = if order == 1 then 0.5 * (mt - m0) else rho0 * ((mp - m0) / rk) + (b1 - rho0) * (mt - m0)
  b.x - b.a1 * b.phi * corr
}
