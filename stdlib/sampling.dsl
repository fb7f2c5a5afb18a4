# One entry to the schedules and the samplers (docs/sampling.md, "schedule and sample"): the
# functions behind the `schedule NAME = ...` and `sample NAME = ...` declarations (decl.def).
#
# schedule(kind, steps, ...) builds a schedule record by name: `sigmas` (f64, decreasing, the
# last usually 0) for every kind, and for a discrete model's kinds the `timesteps` they belong to
# (and, for "ddim", the training `alphas_cumprod` its samplers read). sample(model, schedule,
# shape, sampler=, seed=, ...) draws the starting noise of `shape`, runs the sampler by name and
# gives {x, steps}; it saves x with out= and draws a 2-D x with plot=. Both names are options
# known when compiling, so a call compiles only the schedule and the sampler it names.

# --- schedules ---------------------------------------------------------------------------------

fn _schedule_kind_ok(kind) =
  kind == "karras" or kind == "exponential" or kind == "polyexponential" or kind == "vp" or kind == "flow" or
  kind == "euler" or kind == "kdiffusion" or kind == "ddim" or kind == "custom"

# kind: "karras" (sigma_min, sigma_max, rho), "exponential" (sigma_min, sigma_max),
# "polyexponential" (sigma_min, sigma_max, rho), "vp" (beta_d, beta_min, eps_s): k-diffusion's,
# {sigmas}; "flow" (shift, train_steps): flow_timesteps, {timesteps, sigmas}; "euler" (train,
# spacing, steps_offset): euler_timesteps of the discrete model `train` (ddpm_schedule's record),
# {timesteps, sigmas}; "kdiffusion" (train): kdiffusion_sigmas, {sigmas}; "ddim" (train, spacing,
# steps_offset): timesteps_ddim, {timesteps (i64), alphas_cumprod, sigmas (those timesteps',
# then 0)}; "custom" (sigmas): check_sigmas, {sigmas}. spacing "" is the scheduler's own default:
# "linspace" for Euler, "leading" for DDIM (diffusers' defaults).
fn schedule(kind = "karras", steps: int = 50, sigma_min: float = 0.002, sigma_max: float = 80.0, rho: float = 7.0,
            beta_d: float = 19.9, beta_min: float = 0.1, eps_s: float = 1e-3, shift: float = 1.0,
            train_steps: int = 1000, train: record = ddpm_schedule(), spacing = "", steps_offset: int = 0,
            sigmas: float[n] = [80.0, 0.0]) {
  check(_schedule_kind_ok(kind), "schedule: unknown kind \"{}\"", kind,
        hint="one of \"karras\", \"exponential\", \"polyexponential\", \"vp\", \"flow\", \"euler\", \"kdiffusion\", \"ddim\", \"custom\" (docs/sampling.md)")
  if kind == "karras" then {sigmas: sigmas_karras(steps, sigma_min, sigma_max, rho)}
  else if kind == "exponential" then {sigmas: sigmas_exponential(steps, sigma_min, sigma_max)}
  else if kind == "polyexponential" then {sigmas: sigmas_polyexponential(steps, sigma_min, sigma_max, rho)}
  else if kind == "vp" then {sigmas: sigmas_vp(steps, beta_d, beta_min, eps_s)}
  else if kind == "flow" then flow_timesteps(steps, shift, train_steps)
  else if kind == "euler" then euler_timesteps(train, steps, if spacing == "" then "linspace" else spacing, steps_offset)
  else if kind == "kdiffusion" then {sigmas: kdiffusion_sigmas(train, steps)}
  else if kind == "ddim" then _schedule_ddim(train, steps, if spacing == "" then "leading" else spacing, steps_offset)
  else {sigmas: check_sigmas(sigmas)}
}

fn _schedule_ddim(train, steps, spacing, steps_offset) {
  let ts = timesteps_ddim(steps, spacing, size(train.alphas_cumprod, 0), steps_offset)
  {timesteps: ts, alphas_cumprod: train.alphas_cumprod, sigmas: _sched_append(train.sigmas[ts], 0)}
}

# --- samplers ----------------------------------------------------------------------------------

# The samplers by family: what the model is, what the schedule gives, and the start.
fn _sampler_kdiffusion(sampler) =
  sampler == "euler" or sampler == "euler_ancestral" or sampler == "heun" or sampler == "dpmpp_2m" or
  sampler == "dpmpp_2m_sde" or sampler == "lms" or sampler == "pfgmpp"
fn _sampler_flow(sampler) = sampler == "flow_euler" or sampler == "flow_heun"
fn _sampler_discrete(sampler) = sampler == "ddpm" or sampler == "ddim" or sampler == "unipc"

# An option given another value than its default must be one the sampler reads.
fn _sample_option(given, sampler, option, takes) {
  check(not given or takes, "sample: the {} sampler has no option {}", sampler, option,
        hint="leave it out: docs/sampling.md lists each sampler's options")
}

fn _sample_args(sampler, prediction, o) {
  check(_sampler_kdiffusion(sampler) or _sampler_flow(sampler) or _sampler_discrete(sampler) or sampler == "annealed_langevin",
        "sample: unknown sampler \"{}\"", sampler,
        hint="one of \"euler\", \"euler_ancestral\", \"heun\", \"dpmpp_2m\", \"dpmpp_2m_sde\", \"lms\", \"pfgmpp\", \"flow_euler\", \"flow_heun\", \"ddpm\", \"ddim\", \"unipc\", \"annealed_langevin\"")
  check(prediction == "" or (_sampler_kdiffusion(sampler) and (prediction == "sample" or prediction == "epsilon" or prediction == "v_prediction"))
        or (_sampler_flow(sampler) and prediction == "flow")
        or (_sampler_discrete(sampler) and (prediction == "sample" or prediction == "epsilon" or prediction == "v_prediction")),
        "sample: unknown prediction type \"{}\" for the {} sampler", prediction, sampler,
        hint="the model's output: \"sample\" (a denoiser), \"epsilon\" or \"v_prediction\" for the diffusion samplers, \"flow\" (a velocity) for the flow samplers; \"\" takes the sampler's own")
  let churn = sampler == "euler" or sampler == "heun"
  _sample_option(o.s_churn != 0 or o.s_tmin != 0 or o.s_tmax != inf, sampler, "s_churn, s_tmin or s_tmax", churn)
  _sample_option(o.s_noise != 1, sampler, "s_noise", churn or sampler == "euler_ancestral" or sampler == "dpmpp_2m_sde")
  _sample_option(isfinite(o.eta), sampler, "eta", sampler == "euler_ancestral" or sampler == "dpmpp_2m_sde" or sampler == "ddim")
  _sample_option(o.solver != "midpoint", sampler, "solver", sampler == "dpmpp_2m_sde")
  _sample_option(o.order != 4, sampler, "order", sampler == "lms")
  _sample_option(not o.lower_order_final, sampler, "lower_order_final", sampler == "dpmpp_2m")
  _sample_option(o.D != 128, sampler, "D", sampler == "pfgmpp")
  _sample_option(o.steps_per_level != 100 or o.step_lr != 2e-5, sampler, "steps_per_level or step_lr", sampler == "annealed_langevin")
}

# The model as the k-diffusion samplers call it: a denoiser of (x, sigma).
fn _as_denoiser(model, prediction) =
  if prediction == "" or prediction == "sample" then model
  else fn(x, sigma) = to_denoised(model(x, sigma), x, sigma, prediction)

# model: a denoiser fn(x, sigma) for the k-diffusion samplers and PFGM++ (with prediction=, a
# model of that output: "epsilon", "v_prediction"), a velocity fn(x, sigma) for flow_euler and
# flow_heun, a model(x, t) of integer timesteps for ddpm, ddim and unipc (its output read as
# prediction=, "epsilon" by default), a score(x, sigma) for annealed_langevin. The schedule is
# schedule()'s record ({sigmas}; the discrete samplers read its timesteps and alphas_cumprod).
# The start: noise of `shape` in `dtype` drawn with the Philox key (seed + 1) 2^32 + 4, scaled by
# the first sigma (the flow and discrete samplers start from unit noise; PFGM++ from its prior).
# The sampler's own options (docs/sampling.md) pass through; eta = nan is the sampler's default
# (1, or 0 for DDIM). out= saves x (.npy or .safetensors, atomically, never over a file the
# program read), plot= draws it (2-D points: plot_kind "scatter" or "density").
fn sample(model: fn, schedule: record, shape: int[r], sampler = "euler", seed: int = 0, dtype = f64, out = "", plot = "",
          plot_kind = "scatter", prediction = "", eta: float = nan, s_churn: float = 0.0, s_tmin: float = 0.0,
          s_tmax: float = inf, s_noise: float = 1.0, solver = "midpoint", order: int = 4, lower_order_final: bool = true,
          D: int = 128, steps_per_level: int = 100, step_lr: float = 2e-5) {
  _sample_args(sampler, prediction, {s_churn: s_churn, s_tmin: s_tmin, s_tmax: s_tmax, s_noise: s_noise, eta: eta,
                                      solver: solver, order: order, lower_order_final: lower_order_final, D: D,
                                      steps_per_level: steps_per_level, step_lr: step_lr})
  check(plot_kind == "scatter" or plot_kind == "density", "sample: plot_kind must be \"scatter\" or \"density\", got \"{}\"", plot_kind)
  let sig = schedule.sigmas
  let z = randn(shape, seed=_noise_key(seed, 4), dtype=dtype)
  let den = _as_denoiser(model, prediction)
  let e = if isfinite(eta) then f64(eta) else 1.0
  let x = if sampler == "euler" then sample_euler(den, z * _as(sig[0], z), sig, s_churn, s_tmin, s_tmax, s_noise, seed)
          else if sampler == "euler_ancestral" then sample_euler_ancestral(den, z * _as(sig[0], z), sig, e, s_noise, seed)
          else if sampler == "heun" then sample_heun(den, z * _as(sig[0], z), sig, s_churn, s_tmin, s_tmax, s_noise, seed)
          else if sampler == "dpmpp_2m" then sample_dpmpp_2m(den, z * _as(sig[0], z), sig, lower_order_final)
          else if sampler == "dpmpp_2m_sde" then sample_dpmpp_2m_sde(den, z * _as(sig[0], z), sig, e, s_noise, solver, seed)
          else if sampler == "lms" then sample_lms(den, z * _as(sig[0], z), sig, order)
          else if sampler == "pfgmpp" then sample_heun(den, cast(pfgmpp_prior(size(z, 0), size(z, 1), D, sig[0], seed), dtype=z), sig)
          else if sampler == "flow_euler" then flow_euler(model, z, sig)
          else if sampler == "flow_heun" then flow_heun(model, z, sig)
          else if sampler == "ddpm" then ddpm(model, z, schedule.timesteps, schedule.alphas_cumprod, _vp_prediction(prediction), seed)
          else if sampler == "ddim" then ddim(model, z, schedule.timesteps, schedule.alphas_cumprod,
                                              if isfinite(eta) then f64(eta) else 0.0, _vp_prediction(prediction), seed=seed)
          else if sampler == "unipc" then unipc(model, z, schedule.timesteps, schedule.alphas_cumprod, _vp_prediction(prediction))
          else annealed_langevin(model, z * _as(sig[0], z), sig, steps_per_level, step_lr, seed)
  let _ = if out != "" then _sample_save(x, out) else 0
  let _ = if plot != "" then _sample_plot(x, plot, plot_kind, sampler) else 0
  {x: x, steps: size(sig, 0) - 1}
}

fn _vp_prediction(prediction) = if prediction == "" then "epsilon" else prediction

fn _sample_save(x, path) {
  save(x, path)
  0
}

fn _sample_plot(x: float[n, d], path, kind, sampler) {
  check(d == 2, "sample: plot= draws 2-D points, but the samples have {} columns", d,
        hint="leave plot= out, or draw a projection yourself with plot_scatter(path, x[:, 0:2])")
  if kind == "scatter" then plot_scatter(path, x, title=sampler) else plot_density(path, x, title=sampler)
  0
}
