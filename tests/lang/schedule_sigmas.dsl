# Sigma schedules (stdlib/schedule.dsl) against NumPy implementations of k-diffusion's
# get_sigmas_* and DiscreteSchedule and of diffusers' Euler and flow-matching set_timesteps
# (tests/conformance/gen_schedules.py): every value within 1e-12 relative, the final 0 exactly.
fn ref(name) = load("tests/conformance/schedule/" + name + ".npy")
fn agree(name, got, want) {
  let e = max(abs(f64(got) - f64(want)) / max(abs(f64(want)), 1e-300))
  check(e <= 1e-12, "{}: relative error {}", name, e)
  print(name, numel(want))
}
agree("karras 18 (EDM)", sigmas_karras(18, 0.002, 80.0), ref("karras18"))
agree("karras 10, rho 5", sigmas_karras(10, 0.0291675, 14.6146, rho=5.0), ref("karras10_sd"))
agree("karras 1", sigmas_karras(1, 0.002, 80.0), ref("karras1"))
agree("exponential", sigmas_exponential(20, 0.1, 10.0), ref("exponential20"))
agree("polyexponential, rho 2", sigmas_polyexponential(20, 0.002, 80.0, rho=2.0), ref("polyexponential20"))
agree("vp", sigmas_vp(20), ref("vp20"))

# Karras applied twice: rebuilding a finished schedule (ending in 0) gives it back
let k = sigmas_karras(12, 0.002, 80.0)
agree("karras from karras", karras_from(k, 12), k)
print(k[12], karras_from(k, 12)[12])

# between timesteps and sigmas: np.interp (diffusers) and log-linear (k-diffusion)
let sd = ddpm_schedule(1000, "scaled_linear", 0.00085, 0.012)
agree("t_to_sigma", t_to_sigma(sd.sigmas, ref("interp_t")), ref("interp_linear"))
agree("t_to_sigma_log", t_to_sigma_log(sd.sigmas, ref("interp_log_t")), ref("interp_log"))
agree("sigma_to_t", sigma_to_t(sd.sigmas, ref("s2t_sigma")), ref("s2t_t"))

# diffusers' EulerDiscreteScheduler.set_timesteps(25) for Stable Diffusion's schedule
fn euler_case(name, r) {
  agree("euler timesteps, " + name, r.timesteps, ref("euler_ts_" + name))
  agree("euler sigmas, " + name, r.sigmas, ref("euler_sigmas_" + name))
}
euler_case("linspace", euler_timesteps(sd, 25))
euler_case("leading", euler_timesteps(sd, 25, "leading", steps_offset=1))
euler_case("trailing", euler_timesteps(sd, 25, "trailing"))
euler_case("karras", euler_timesteps(sd, 25, karras=true))
# final_sigmas_type "sigma_min" ends at the first training sigma, not 0 (diffusers #5433, #5689)
let m = euler_timesteps(sd, 25, "leading", steps_offset=1, karras=true, final="sigma_min")
euler_case("karras_min", m)
print(m.sigmas[25] == sd.sigmas[0], euler_timesteps(sd, 25).sigmas[25])
let z = ddpm_schedule(1000, "scaled_linear", 0.00085, 0.012, rescale_betas_zero_snr=true)
euler_case("zsnr", euler_timesteps(z, 10, "trailing"))
agree("k-diffusion DiscreteSchedule.get_sigmas", kdiffusion_sigmas(sd, 25), ref("kdiff_sigmas25"))

# flow matching: FlowMatchEulerDiscreteScheduler.set_timesteps
fn flow_case(n, shift, name) {
  let r = flow_timesteps(n, shift)
  agree("flow timesteps " + name, r.timesteps, ref("flow_ts_" + name))
  agree("flow sigmas " + name, r.sigmas, ref("flow_sigmas_" + name))
}
flow_case(28, 3.0, "28_3")
flow_case(4, 1.0, "4_1")
flow_case(50, 3.0, "50_3")
agree("flow shift", flow_shift(ref("flow_shift_in"), 3.0), ref("flow_shift_out"))

# a user's own schedule, checked and kept
print(check_sigmas([14.6, 7.0, 2.5, 0.3, 0.0]), check_sigmas(f32([1.0])))
