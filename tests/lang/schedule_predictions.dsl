# Prediction conversions (stdlib/schedule.dsl) against NumPy implementations of k-diffusion's
# denoiser wrappers and diffusers' DDIMScheduler.step, get_velocity and flow-matching step
# (tests/conformance/gen_schedules.py), on 16 values at 16 noise levels: within 1e-12 relative.
fn ref(name) = load("tests/conformance/schedule/" + name + ".npy")
fn agree(name, got, want) {
  let e = max(abs(f64(got) - f64(want)) / max(abs(f64(want)), 1e-300))
  check(e <= 1e-12, "{}: relative error {}", name, e)
  print(name, numel(want))
}
let x: f64[n] = ref("pred_x")
let out: f64[n] = ref("pred_out")
let sigma: f64[n] = ref("pred_sigma")
# k-diffusion's scale: x = x0 + sigma eps
agree("epsilon to x0 (DiscreteEpsDDPMDenoiser)", to_denoised(out, x, sigma, "epsilon"), ref("pred_kd_eps"))
agree("v to x0 (DiscreteVDDPMDenoiser)", to_denoised(out, x, sigma, "v_prediction"), ref("pred_kd_v"))
agree("sample", to_denoised(out, x, sigma, "sample"), out)
# from_denoised inverts to_denoised
fn round_trip(p) = max(abs(from_denoised(to_denoised(out, x, sigma, p), x, sigma, p) - out) / abs(out))
print(round_trip("epsilon") < 1e-12, round_trip("v_prediction") < 1e-12, round_trip("flow") < 1e-12)
# diffusers' scale: x = alpha x0 + sigma eps, alpha = sqrt(alphas_cumprod)
let abar: f64[n] = ref("pred_abar")
let a = sqrt(abar)
let s = sqrt(1 - abar)
agree("ddim: x0 from epsilon", x0_from_eps(x, out, a, s), ref("pred_ddim_x0_eps"))
agree("ddim: epsilon from x0", eps_from_x0(x, out, a, s), ref("pred_ddim_eps_x0"))
agree("ddim: x0 from v", x0_from_v(x, out, a, s), ref("pred_ddim_x0_v"))
agree("ddim: epsilon from v", eps_from_v(x, out, a, s), ref("pred_ddim_eps_v"))
agree("get_velocity", v_from(x, out, a, s), ref("pred_velocity"))
# the two scales describe one x: x_vp = alpha x_ve, sigma_ve = sigma_vp / alpha
let vp = vp_from_sigma(sigma)
print(max(abs(sigma_from_vp(vp.alpha, vp.sigma) - sigma) / sigma) < 1e-15, max(abs(vp.alpha ^ 2 + vp.sigma ^ 2 - 1)) < 1e-15)
agree("x0 from epsilon, either scale", x0_from_eps(x * vp.alpha, out, vp.alpha, vp.sigma), to_denoised(out, x, sigma))
# rectified flow: x = (1 - sigma) x0 + sigma eps, v = eps - x0
let fs: f64[n] = ref("pred_flow_sigma")
agree("flow: x0 (FlowMatchEulerDiscreteScheduler)", x0_from_flow(x, out, fs), ref("pred_flow_x0"))
agree("flow: to_denoised", to_denoised(out, x, fs, "flow"), ref("pred_flow_x0"))
let x0 = x0_from_flow(x, out, fs)
let eps = eps_from_flow(x, out, fs)
print(max(abs((1 - fs) * x0 + fs * eps - x)) < 1e-12, max(abs(eps - x0 - out)) < 1e-12)
