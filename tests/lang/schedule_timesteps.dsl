# Timestep spacing (stdlib/schedule.dsl) against diffusers' set_timesteps written in NumPy
# (tests/conformance/gen_schedules.py), for 1, 2, 3, 7, 10, 13, 25, 50, 61, 103, 999 and 1000
# steps of 1000 training timesteps: Euler's floats and DDIM's integers (linspace rounded half to
# even, diffusers #11347), leading with and without steps_offset, and trailing, whose np.arange
# gives 62 and 104 values for 61 and 103 steps (the closed form is checked against np.arange for
# every count in the generator). Then the previous timesteps DDIM should read (#9261).
fn ref(name) = load("tests/conformance/schedule/" + name + ".npy")
fn agree(name, got, want) {
  let e = max(abs(f64(got) - f64(want)) / max(abs(f64(want)), 1e-300))
  check(e <= 1e-12, "{}: relative error {}", name, e)
  print(name, numel(want))
}
fn all_counts(f) = concat(f(1), f(2), f(3), f(7), f(10), f(13), f(25), f(50), f(61), f(103), f(999), f(1000))
agree("euler linspace", all_counts(fn(n) = timesteps(n, "linspace")), ref("ts_euler_linspace"))
agree("euler leading", all_counts(fn(n) = timesteps(n, "leading")), ref("ts_euler_leading"))
agree("euler leading, offset 1", all_counts(fn(n) = timesteps(n, "leading", steps_offset=1)), ref("ts_euler_leading_offset1"))
agree("euler trailing", all_counts(fn(n) = timesteps(n, "trailing")), ref("ts_euler_trailing"))
agree("ddim linspace", all_counts(fn(n) = timesteps_ddim(n, "linspace")), ref("ts_ddim_linspace"))
agree("ddim leading", all_counts(fn(n) = timesteps_ddim(n)), ref("ts_ddim_leading"))
agree("ddim trailing", all_counts(fn(n) = timesteps_ddim(n, "trailing")), ref("ts_ddim_trailing"))
# DPMSolverMultistepScheduler spaces steps + 1 points and drops the last
agree("dpm-solver linspace", timesteps_ddim(21, "linspace")[:-1], ref("ts_dpm_linspace20"))
agree("dpm-solver leading", timesteps_ddim(21, "leading", steps_offset=1)[:-1], ref("ts_dpm_leading20"))
print(timesteps(3, "linspace"), timesteps_ddim(3, "linspace"), timesteps_ddim(13, "trailing"))
let sd = ddpm_schedule(1000, "scaled_linear", 0.00085, 0.012)
fn ddim_case(spacing, n) {
  let ts = timesteps_ddim(n, spacing)
  let a = ddim_alphas(sd.alphas_cumprod, ts)
  agree("ddim previous timesteps, " + spacing, prev_timesteps(ts), ref("ddim_prev_" + spacing))
  agree("ddim alpha_prod_t, " + spacing, a.alpha_prod_t, ref("ddim_at_" + spacing))
  agree("ddim alpha_prod_t_prev, " + spacing, a.alpha_prod_t_prev, ref("ddim_aprev_" + spacing))
}
ddim_case("trailing", 13)
ddim_case("linspace", 10)
ddim_case("leading", 10)
# DDIMScheduler.step's previous timestep t - T // N (1000 // 13 = 76) is one off for trailing
# spacing (diffusers #9261: 999 goes to 923, but the next timestep is 922)
let ts = timesteps_ddim(13, "trailing")
print(ts - 76)
print(prev_timesteps(ts))
