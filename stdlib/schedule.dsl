# Noise schedules, timestep spacing and predictions for diffusion and flow sampling
# (docs/sampling.md), exact to the formulas of diffusers and k-diffusion, in f64.
#
# The samplers' convention is k-diffusion's: a schedule is `sigmas`, an f64 vector of noise
# levels from the largest to the smallest, usually ending in 0, for x = x0 + sigma eps; a
# denoiser is a function (x, sigma) -> x0. A discrete (DDPM) model's training schedule is indexed
# by its timestep t = 0 .. T - 1: alphas_cumprod[t] = prod(1 - betas[0..t]), and
# sigmas[t] = sqrt((1 - alphas_cumprod[t]) / alphas_cumprod[t]), increasing in t. diffusers
# writes x_t = alpha_t x0 + sigma_t eps with alpha_t = sqrt(alphas_cumprod[t]) and
# sigma_t = sqrt(1 - alphas_cumprod[t]) (VP); dividing by alpha_t gives k-diffusion's x (VE).

# --- argument checks --------------------------------------------------------------------------

fn _sched_check_steps(steps, what) {
  check(steps >= 1, "{}: steps must be 1 or more, got {}", what, steps,
        hint="steps is the number of sampling steps: the schedule has steps + 1 sigmas, the last 0")
}

fn _sched_check_range(sigma_min, sigma_max, what) {
  check(sigma_min > 0, "{}: sigma_min must be positive, got {}", what, sigma_min,
        hint="the schedule appends the final 0 itself; to rebuild a schedule that ends in 0, take its smallest positive sigma (karras_from does)")
  check(sigma_max > sigma_min, "{}: sigma_max ({}) must be larger than sigma_min ({})", what, sigma_max, sigma_min)
}

fn _sched_check_train(train_steps, what) {
  check(train_steps >= 2, "{}: train_steps must be 2 or more, got {}", what, train_steps,
        hint="it is the number of the model's training timesteps (diffusers' num_train_timesteps, usually 1000)")
}

fn _sched_check_spacing(spacing) {
  check(spacing == "linspace" or spacing == "leading" or spacing == "trailing",
        "timestep spacing must be \"linspace\", \"leading\" or \"trailing\", got \"{}\"", spacing,
        hint="diffusers' timestep_spacing: linspace and trailing reach the last training timestep, leading starts at steps_offset")
}

fn _sched_check_final(final) {
  check(final == "zero" or final == "sigma_min", "the final sigma must be \"zero\" or \"sigma_min\", got \"{}\"", final,
        hint="diffusers' final_sigmas_type: \"zero\" ends sampling at sigma 0 (a clean sample), \"sigma_min\" at the smallest training sigma")
}

fn _sched_check_prediction(prediction) {
  check(prediction == "epsilon" or prediction == "sample" or prediction == "v_prediction" or prediction == "flow",
        "unknown prediction type \"{}\"", prediction,
        hint="the model predicts \"epsilon\" (the noise), \"sample\" (x0), \"v_prediction\" (v = alpha eps - sigma x0) or \"flow\" (the velocity eps - x0)")
}

# --- betas and alphas_cumprod -----------------------------------------------------------------

# diffusers' beta_schedule="linear": betas evenly spaced from beta_start to beta_end (DDPM, Ho et
# al. 2020).
fn betas_linear(train_steps: int = 1000, beta_start: float = 0.0001, beta_end: float = 0.02) {
  _sched_check_train(train_steps, "betas_linear")
  check(beta_start >= 0 and beta_end < 1, "betas_linear: betas must be in [0, 1), got {} to {}", beta_start, beta_end)
  linspace(f64(beta_start), f64(beta_end), train_steps, dtype=f64)
}

# diffusers' beta_schedule="scaled_linear" (Stable Diffusion's): the square roots evenly spaced,
# then squared.
fn betas_scaled_linear(train_steps: int = 1000, beta_start: float = 0.00085, beta_end: float = 0.012) {
  _sched_check_train(train_steps, "betas_scaled_linear")
  check(beta_start >= 0 and beta_end < 1, "betas_scaled_linear: betas must be in [0, 1), got {} to {}", beta_start, beta_end)
  linspace(sqrt(f64(beta_start)), sqrt(f64(beta_end)), train_steps, dtype=f64) ^ 2
}

# diffusers' beta_schedule="squaredcos_cap_v2" (betas_for_alpha_bar, the cosine schedule of
# Nichol & Dhariwal 2021): beta_i = min(1 - abar((i + 1) / T) / abar(i / T), max_beta) with
# abar(t) = cos((t + 0.008) / 1.008 pi / 2)^2.
fn betas_cosine(train_steps: int = 1000, max_beta: float = 0.999) {
  _sched_check_train(train_steps, "betas_cosine")
  check(max_beta > 0 and max_beta < 1, "betas_cosine: max_beta must be in (0, 1), got {}", max_beta)
  let abar = fn(t) = cos((t + 0.008) / 1.008 * pi / 2) ^ 2
  let b[i < train_steps] = min(1 - abar(f64(i + 1) / f64(train_steps)) / abar(f64(i) / f64(train_steps)), f64(max_beta))
  b
}

# The betas of a diffusers beta_schedule by name.
fn betas(schedule = "linear", train_steps: int = 1000, beta_start: float = 0.0001, beta_end: float = 0.02) {
  check(schedule == "linear" or schedule == "scaled_linear" or schedule == "squaredcos_cap_v2",
        "unknown beta schedule \"{}\"", schedule,
        hint="diffusers' beta_schedule: \"linear\", \"scaled_linear\" or \"squaredcos_cap_v2\" (cosine)")
  if schedule == "linear" then betas_linear(train_steps, beta_start, beta_end)
  else if schedule == "scaled_linear" then betas_scaled_linear(train_steps, beta_start, beta_end)
  else betas_cosine(train_steps)
}

# alphas_cumprod[t] = prod over s <= t of (1 - betas[s]), multiplied in order.
fn alphas_cumprod(betas: float[n]) = cumprod(1 - f64(betas))

# diffusers' rescale_zero_terminal_snr (Lin et al. 2023, "Common Diffusion Noise Schedules and
# Sample Steps are Flawed", Algorithm 1): sqrt(alphas_cumprod) shifted so that its last value is
# 0 and scaled so that its first is unchanged, then turned back into betas. The last beta is 1.
fn rescale_zero_terminal_snr(betas: float[n]) {
  let s = sqrt(alphas_cumprod(betas))
  let s0 = s[0]
  let sT = s[n - 1]
  let a = ((s - sT) * (s0 / (s0 - sT))) ^ 2
  let alphas[t] = if t == 0 then a[0] else a[t] / a[t - 1]
  1 - alphas
}

# sigmas[t] = sqrt((1 - alphas_cumprod[t]) / alphas_cumprod[t]): the noise level of training
# timestep t in k-diffusion's scale (DiscreteSchedule's sigmas, diffusers' Euler sigmas).
fn discrete_sigmas(alphas_cumprod: float[n]) = sqrt((1 - f64(alphas_cumprod)) / f64(alphas_cumprod))

# A DDPM model's training schedule, as diffusers' schedulers build it from their config:
# {betas, alphas_cumprod, sigmas}, each f64[train_steps]. With rescale_betas_zero_snr the last
# alphas_cumprod is 0, whose sigma is infinite: `sigmas` then takes 2^-24 for it, as
# EulerDiscreteScheduler does (DDIM reads alphas_cumprod, which keeps the 0).
fn ddpm_schedule(train_steps: int = 1000, beta_schedule = "linear", beta_start: float = 0.0001,
                 beta_end: float = 0.02, rescale_betas_zero_snr: bool = false) {
  let b0 = betas(beta_schedule, train_steps, beta_start, beta_end)
  let b = if rescale_betas_zero_snr then rescale_zero_terminal_snr(b0) else b0
  let ac = alphas_cumprod(b)
  let finite[t] = if rescale_betas_zero_snr and t == train_steps - 1 then 2.0 ^ -24 else ac[t]
  {betas: b, alphas_cumprod: ac, sigmas: discrete_sigmas(finite)}
}

# --- timestep spacing -------------------------------------------------------------------------

# The sampling timesteps, from the last training timestep down, as diffusers' Euler, Heun and LMS
# schedulers compute them (floats: linspace is not rounded), for T = train_steps, N = steps:
#   linspace   linspace(0, T - 1, N) reversed
#   leading    (0, 1, ..., N - 1) * (T // N) reversed, + steps_offset
#   trailing   round(T - k T / N) - 1 for k = 0 .. N - 1 (np.arange's values, half to even)
# (Lin et al. 2023, Table 2). diffusers computes trailing with np.arange(T, 0, -T / N), which for
# 62 of the step counts 1 .. 1000 at T = 1000 (61, 103, 121, ...) overshoots to N + 1 values, the
# last -1; here there are always N.
fn timesteps(steps: int, spacing = "linspace", train_steps: int = 1000, steps_offset: int = 0) {
  _sched_check_steps(steps, "timesteps")
  _sched_check_train(train_steps, "timesteps")
  _sched_check_spacing(spacing)
  check(steps <= train_steps, "timesteps: steps ({}) cannot be more than train_steps ({})", steps, train_steps,
        hint="a discrete model knows only its training timesteps")
  let up = linspace(0, train_steps - 1, steps, dtype=f64)
  let ratio = (train_steps - train_steps % steps) / steps
  # np.arange(T, 0, -T / N)[k] is T + k * delta with delta = (T - T / N) - T, as NumPy fills it
  let delta = (f64(train_steps) - f64(train_steps) / f64(steps)) - f64(train_steps)
  let t[k < steps] = if spacing == "linspace" then up[steps - 1 - k]
                     else if spacing == "leading" then f64(steps - 1 - k) * ratio + f64(steps_offset)
                     else round(f64(train_steps) + f64(k) * delta) - 1
  t
}

# DDIMScheduler's timesteps: the same, but linspace is rounded (half to even) to integers.
fn timesteps_ddim(steps: int, spacing = "leading", train_steps: int = 1000, steps_offset: int = 0) =
  i64(round(timesteps(steps, spacing, train_steps, steps_offset)))

# The timestep each step goes to: the next in the list, -1 after the last (DDPMScheduler's
# previous_timestep at inference). DDIMScheduler.step computes t - T // N instead, which is right
# only for leading spacing (diffusers #9261, #11347).
fn prev_timesteps(timesteps: int[n]) {
  let p[k < n] = if k + 1 < n then i64(timesteps[k + 1]) else i64(-1)
  p
}

# The alphas_cumprod a DDIM step reads, {alpha_prod_t, alpha_prod_t_prev}, for each timestep and
# the one it goes to (prev_timesteps); where that is -1, the final value: 1 with
# set_alpha_to_one, else alphas_cumprod[0].
fn ddim_alphas(alphas_cumprod: float[n], timesteps: int[m], set_alpha_to_one: bool = true) {
  let prev = prev_timesteps(timesteps)
  let last = if set_alpha_to_one then 1.0 else f64(alphas_cumprod[0])
  let at[k] = f64(alphas_cumprod[timesteps[k]])
  let ap[k < m] = if prev[k] >= 0 then f64(alphas_cumprod[prev[k]]) else last
  {alpha_prod_t: at, alpha_prod_t_prev: ap}
}

# --- between timesteps and sigmas ---------------------------------------------------------------

# The sigma at fractional timesteps t, linear in sigma between training timesteps: np.interp(t,
# arange(n), sigmas), as diffusers' discrete schedulers interpolate (outside [0, n - 1], the end
# values).
fn t_to_sigma(sigmas: float[n], t: float[m]) {
  let s = f64(sigmas)
  let x[k < m] = clamp(f64(t[k]), 0.0, f64(n - 1))
  let j[k < m] = min(i64(floor(x[k])), n - 1)
  let r[k < m] = if x[k] == f64(j[k]) then s[j[k]] else (s[j[k] + 1] - s[j[k]]) * (x[k] - f64(j[k])) + s[j[k]]
  r
}

# The sigma at fractional timesteps t, linear in log sigma: k-diffusion's
# DiscreteSchedule.t_to_sigma. t must lie in [0, n - 1].
fn t_to_sigma_log(sigmas: float[n], t: float[m]) {
  check(min(t) >= 0 and max(t) <= n - 1, "t_to_sigma_log: the timesteps must lie in [0, {}], got {} to {}", n - 1, min(t), max(t))
  let ls = log(f64(sigmas))
  let lo[k < m] = i64(floor(f64(t[k])))
  let hi[k < m] = i64(ceil(f64(t[k])))
  let r[k < m] = exp((1 - (f64(t[k]) - f64(lo[k]))) * ls[lo[k]] + (f64(t[k]) - f64(lo[k])) * ls[hi[k]])
  r
}

# The fractional timestep of each sigma, linear in log sigma between the training sigmas (which
# must increase with t): diffusers' _sigma_to_t and k-diffusion's DiscreteSchedule.sigma_to_t
# (diffusers takes log(max(sigma, 1e-10)); both give 0 for sigma 0).
fn sigma_to_t(sigmas: float[n], sigma: float[m]) {
  check(n >= 2, "sigma_to_t: the training schedule needs 2 sigmas or more, got {}", n)
  let ls = log(f64(sigmas))
  let l[k < m] = log(max(f64(sigma[k]), 1e-10))
  # the last training timestep at or below the sigma (0 when none), at most n - 2
  let low[k < m] = min(max(i) (if l[k] - ls[i] >= 0 then i else 0), n - 2)
  let w[k < m] = clamp((ls[low[k]] - l[k]) / (ls[low[k]] - ls[low[k] + 1]), 0.0, 1.0)
  let t[k < m] = (1 - w[k]) * f64(low[k]) + w[k] * f64(low[k] + 1)
  t
}

# --- sigma schedules --------------------------------------------------------------------------

# The last value of a schedule: 0, or the sigma of training timestep 0 (diffusers'
# final_sigmas_type "zero" and "sigma_min").
fn _sched_append(s: f64[m], last) = concat(s, full(1, f64(last), dtype=f64))

# (sigma_max^(1/rho) + k / (N - 1) (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho, k = 0 .. N - 1
fn _karras(steps, sigma_min, sigma_max, rho) {
  let ramp = linspace(0, 1, steps, dtype=f64)
  let min_inv_rho = f64(sigma_min) ^ (1 / f64(rho))
  let max_inv_rho = f64(sigma_max) ^ (1 / f64(rho))
  (max_inv_rho + ramp * (min_inv_rho - max_inv_rho)) ^ f64(rho)
}

# The schedule of Karras et al. 2022 ("Elucidating the Design Space of Diffusion-Based Generative
# Models", eq. 5), then 0: k-diffusion's get_sigmas_karras. EDM's defaults are sigma_min 0.002,
# sigma_max 80, rho 7.
fn sigmas_karras(steps: int, sigma_min: float, sigma_max: float, rho: float = 7.0) {
  _sched_check_steps(steps, "sigmas_karras")
  _sched_check_range(sigma_min, sigma_max, "sigmas_karras")
  check(rho > 0, "sigmas_karras: rho must be positive, got {}", rho)
  _sched_append(_karras(steps, sigma_min, sigma_max, rho), 0)
}

# A Karras schedule of `steps` between the smallest positive and the largest sigma of `sigmas`,
# then 0: diffusers' use_karras_sigmas conversion, made safe to apply to a schedule that is
# Karras already or ends in 0 (taking its last value, 0, as sigma_min would give a different
# schedule); on a Karras schedule of the same steps and rho it gives that schedule again.
fn karras_from(sigmas: float[n], steps: int, rho: float = 7.0) {
  let s = f64(sigmas)
  let smin = min(i) (if s[i] > 0 then s[i] else inf)
  sigmas_karras(steps, smin, max(s), rho)
}

# exp of log sigma evenly spaced from log sigma_max to log sigma_min, then 0: k-diffusion's
# get_sigmas_exponential.
fn sigmas_exponential(steps: int, sigma_min: float, sigma_max: float) {
  _sched_check_steps(steps, "sigmas_exponential")
  _sched_check_range(sigma_min, sigma_max, "sigmas_exponential")
  _sched_append(exp(linspace(log(f64(sigma_max)), log(f64(sigma_min)), steps, dtype=f64)), 0)
}

# exp(ramp^rho (log sigma_max - log sigma_min) + log sigma_min) with ramp from 1 to 0, then 0:
# k-diffusion's get_sigmas_polyexponential (rho = 1 is the exponential schedule).
fn sigmas_polyexponential(steps: int, sigma_min: float, sigma_max: float, rho: float = 1.0) {
  _sched_check_steps(steps, "sigmas_polyexponential")
  _sched_check_range(sigma_min, sigma_max, "sigmas_polyexponential")
  check(rho > 0, "sigmas_polyexponential: rho must be positive, got {}", rho)
  let ramp = linspace(1, 0, steps, dtype=f64) ^ f64(rho)
  _sched_append(exp(ramp * (log(f64(sigma_max)) - log(f64(sigma_min))) + log(f64(sigma_min))), 0)
}

# The variance-preserving SDE's sigmas (Song et al. 2021, "Score-Based Generative Modeling through
# Stochastic Differential Equations"): sqrt(exp(beta_d t^2 / 2 + beta_min t) - 1) for t from 1 to
# eps_s, then 0: k-diffusion's get_sigmas_vp, with expm1 for exp(.) - 1 (exact where t is small).
fn sigmas_vp(steps: int, beta_d: float = 19.9, beta_min: float = 0.1, eps_s: float = 1e-3) {
  _sched_check_steps(steps, "sigmas_vp")
  check(eps_s > 0 and eps_s < 1, "sigmas_vp: eps_s must be in (0, 1), got {}", eps_s)
  check(beta_d > 0 and beta_min >= 0, "sigmas_vp: beta_d must be positive and beta_min non-negative, got {} and {}", beta_d, beta_min)
  let t = linspace(1, f64(eps_s), steps, dtype=f64)
  _sched_append(sqrt(expm1(f64(beta_d) * t ^ 2 / 2 + f64(beta_min) * t)), 0)
}

# A discrete model's sampling schedule as diffusers' EulerDiscreteScheduler.set_timesteps makes
# it (Heun, Euler ancestral and LMS share it): {timesteps: f64[steps], sigmas: f64[steps + 1]}.
# The timesteps are spaced as `timesteps` does, their sigmas interpolated linearly (t_to_sigma);
# with karras, the sigmas are a Karras schedule (rho 7) between the first and the last of those,
# their timesteps from sigma_to_t; the last sigma is 0 or, with final="sigma_min", the sigma of
# training timestep 0 (diffusers' final_sigmas_type; the Euler default is "zero", and a last
# sigma above 0 leaves noise in the sample: diffusers #5433, #5689).
fn euler_timesteps(schedule = ddpm_schedule(), steps: int = 50, spacing = "linspace", steps_offset: int = 0, karras: bool = false,
                   final = "zero") {
  _sched_check_final(final)
  let train = schedule.sigmas
  let t = timesteps(steps, spacing, size(train, 0), steps_offset)
  let s = t_to_sigma(train, t)
  let ks = _karras(steps, s[steps - 1], s[0], 7.0)
  let last = if final == "zero" then 0.0 else f64(train[0])
  if karras then {timesteps: sigma_to_t(train, ks), sigmas: _sched_append(ks, last)}
  else {timesteps: t, sigmas: _sched_append(s, last)}
}

# k-diffusion's DiscreteSchedule.get_sigmas(steps): t evenly spaced from T - 1 to 0, each sigma
# interpolated in log sigma (t_to_sigma_log), then 0.
fn kdiffusion_sigmas(schedule = ddpm_schedule(), steps: int = 50) {
  _sched_check_steps(steps, "kdiffusion_sigmas")
  let train = schedule.sigmas
  let t = linspace(size(train, 0) - 1, 0, steps, dtype=f64)
  _sched_append(t_to_sigma_log(train, t), 0)
}

# --- flow matching ----------------------------------------------------------------------------

# The timestep shift of rectified-flow models (Esser et al. 2024, "Scaling Rectified Flow
# Transformers", SD3): s sigma / (1 + (s - 1) sigma), a number or a tensor of sigmas in [0, 1].
fn flow_shift(sigma: float[...], shift: float) = shift * sigma / (1 + (shift - 1) * sigma)

# diffusers' FlowMatchEulerDiscreteScheduler.set_timesteps(steps) with a fixed shift:
# {timesteps: f64[steps], sigmas: f64[steps + 1]}. Its sigma_max is 1 and its sigma_min the
# shifted 1 / T; the timesteps are evenly spaced from T sigma_max to T sigma_min, divided by T and
# shifted (so sigma_min is shifted twice, as diffusers does), and the sigmas end in 0; timesteps =
# T sigmas.
fn flow_timesteps(steps: int, shift: float = 1.0, train_steps: int = 1000) {
  _sched_check_steps(steps, "flow_timesteps")
  _sched_check_train(train_steps, "flow_timesteps")
  check(shift > 0, "flow_timesteps: shift must be positive, got {}", shift,
        hint="SD3 uses 3.0; 1.0 leaves the sigmas evenly spaced")
  let T = f64(train_steps)
  let sigma_max = flow_shift(1.0, f64(shift))
  let sigma_min = flow_shift(1.0 / T, f64(shift))
  let s = flow_shift(linspace(sigma_max * T, sigma_min * T, steps, dtype=f64) / T, f64(shift))
  {timesteps: s * T, sigmas: _sched_append(s, 0)}
}

# --- a user's own schedule --------------------------------------------------------------------

# A schedule given as a list (a timestep search's result, or another tool's): checked to be
# positive, except a last 0, and strictly decreasing; returned as f64.
fn check_sigmas(sigmas: float[n]) {
  check(n >= 1, "check_sigmas: the schedule is empty", hint="give one sigma or more, largest first")
  let s = f64(sigmas)
  let bad = argmin(i) (if s[i] > 0 or (i == n - 1 and s[i] == 0) then 1 else 0)
  check(s[bad] > 0 or (bad == n - 1 and s[bad] == 0), "check_sigmas: sigmas[{}] is {}; sigmas must be positive (only the last may be 0)",
        bad, s[bad])
  let up = if n > 1 then argmax(i < n - 1) (if s[i + 1] >= s[i] then 1 else 0) else 0
  check(n == 1 or s[up + 1] < s[up], "check_sigmas: sigmas must be strictly decreasing, but sigmas[{}] = {} is not below sigmas[{}] = {}",
        up + 1, s[up + 1], up, s[up], hint="a sampler runs from the largest sigma to the smallest: reverse an increasing list")
  s
}

# --- predictions ------------------------------------------------------------------------------

# A model's output as the denoised sample x0, in k-diffusion's coordinates (x = x0 + sigma eps),
# for each diffusers prediction_type, as k-diffusion's wrappers compute it (sigma_data 1):
# "epsilon" x + out c_out with c_out = -sigma (DiscreteEpsDDPMDenoiser), "sample" out,
# "v_prediction" out c_out + x c_skip with c_out = -sigma / sqrt(sigma^2 + 1) and c_skip =
# 1 / (sigma^2 + 1) (DiscreteVDDPMDenoiser; Salimans & Ho 2022), "flow" x - sigma out (rectified
# flow, where x = (1 - sigma) x0 + sigma eps and out = eps - x0).
fn to_denoised(output: float[...], x: float[...], sigma: float[...], prediction = "epsilon") {
  _sched_check_prediction(prediction)
  if prediction == "sample" then output
  else if prediction == "v_prediction" then output * (-sigma / sqrt(sigma ^ 2 + 1)) + x * (1 / (sigma ^ 2 + 1))
  else x + output * -sigma
}

# The output a model of that prediction type gives for the denoised sample x0 at (x, sigma):
# to_denoised's inverse. For "epsilon" it is (x - x0) / sigma, k-diffusion's to_d.
fn from_denoised(x0: float[...], x: float[...], sigma: float[...], prediction = "epsilon") {
  _sched_check_prediction(prediction)
  if prediction == "sample" then x0
  else if prediction == "v_prediction" then ((x - x0) / sigma - sigma * x0) / sqrt(sigma ^ 2 + 1)
  else (x - x0) / sigma
}

# diffusers' conversions for x_t = alpha x0 + sigma eps with alpha^2 + sigma^2 = 1 (alpha =
# sqrt(alphas_cumprod[t]), sigma = sqrt(1 - alphas_cumprod[t])), as DDIMScheduler.step and
# get_velocity compute them; v = alpha eps - sigma x0 (Salimans & Ho 2022).
fn x0_from_eps(x: float[...], eps: float[...], alpha: float[...], sigma: float[...]) = (x - sigma * eps) / alpha
fn eps_from_x0(x: float[...], x0: float[...], alpha: float[...], sigma: float[...]) = (x - alpha * x0) / sigma
fn x0_from_v(x: float[...], v: float[...], alpha: float[...], sigma: float[...]) = alpha * x - sigma * v
fn eps_from_v(x: float[...], v: float[...], alpha: float[...], sigma: float[...]) = alpha * v + sigma * x
fn v_from(x0: float[...], eps: float[...], alpha: float[...], sigma: float[...]) = alpha * eps - sigma * x0

# Rectified flow (x = (1 - sigma) x0 + sigma eps, velocity v = eps - x0; Liu et al. 2022,
# Lipman et al. 2022): x0 and eps from x and v.
fn x0_from_flow(x: float[...], v: float[...], sigma: float[...]) = x - sigma * v
fn eps_from_flow(x: float[...], v: float[...], sigma: float[...]) = x + (1 - sigma) * v

# Between the two scales: a k-diffusion sigma as diffusers' {alpha, sigma} (alpha =
# 1 / sqrt(1 + sigma^2)), and back (sigma / alpha). x_vp = alpha x_ve.
fn vp_from_sigma(sigma: float[...]) = {alpha: 1 / sqrt(1 + sigma ^ 2), sigma: sigma / sqrt(1 + sigma ^ 2)}
fn sigma_from_vp(alpha: float[...], sigma: float[...]) = sigma / alpha
