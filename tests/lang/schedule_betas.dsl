# Betas, alphas_cumprod, zero terminal SNR and training sigmas (stdlib/schedule.dsl) against an
# independent NumPy implementation of diffusers' formulas (tests/conformance/gen_schedules.py):
# every value within 1e-12 relative.
fn ref(name) = load("tests/conformance/schedule/" + name + ".npy")
fn agree(name, got, want) {
  let e = max(abs(f64(got) - f64(want)) / max(abs(f64(want)), 1e-300))
  check(e <= 1e-12, "{}: relative error {}", name, e)
  print(name, numel(want))
}
agree("betas linear", betas_linear(1000, 0.0001, 0.02), ref("betas_linear"))
agree("betas scaled_linear", betas_scaled_linear(1000, 0.00085, 0.012), ref("betas_scaled_linear"))
agree("betas squaredcos_cap_v2", betas_cosine(1000), ref("betas_cosine"))
agree("betas cosine, max_beta 0.5", betas_cosine(8, max_beta=0.5), ref("betas_cosine_small"))
agree("betas by name", betas("scaled_linear", 1000, 0.00085, 0.012), ref("betas_scaled_linear"))
agree("betas by name, cosine", betas("squaredcos_cap_v2"), ref("betas_cosine"))
agree("alphas_cumprod linear", alphas_cumprod(betas_linear()), ref("abar_linear"))
agree("alphas_cumprod cosine", alphas_cumprod(betas_cosine()), ref("abar_cosine"))
let sd = ddpm_schedule(1000, "scaled_linear", 0.00085, 0.012)
agree("alphas_cumprod scaled_linear", sd.alphas_cumprod, ref("abar_scaled_linear"))
agree("training sigmas", sd.sigmas, ref("sigmas_train_scaled_linear"))
# Lin et al. 2023: the last alphas_cumprod becomes 0 (its beta 1), the first stays
let z = ddpm_schedule(1000, "scaled_linear", 0.00085, 0.012, rescale_betas_zero_snr=true)
agree("rescaled betas", z.betas, ref("betas_zsnr"))
agree("rescaled alphas_cumprod", z.alphas_cumprod[:999], ref("abar_zsnr")[:999])
print(z.betas[999], z.alphas_cumprod[999], z.alphas_cumprod[0] == sd.alphas_cumprod[0])
agree("rescaled sigmas (Euler's 2^-24 floor)", z.sigmas, ref("sigmas_train_zsnr"))
