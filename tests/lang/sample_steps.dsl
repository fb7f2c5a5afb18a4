# timeout: 300
# Each sampler of stdlib/sample.dsl against k-diffusion's sampling.py ported to NumPy
# (tests/conformance/gen_samplers.py), in f64: six steps (Karras sigmas from 20 to 0.05, then 0)
# from the same 6 points of a 2-D Gaussian mixture with its exact denoiser, the stochastic ones
# fed the same noise (noise=). `open` is the schedule without its final 0 (five steps, the last
# to sigma = 0.05). Each prints whether max |sinter - numpy| <= 1e-12 max |numpy|.
fn rel(a, b) = max(abs(a - b)) / max(abs(b))
fn ok(a, b) = rel(a, b) <= 1e-12
let S = "tests/conformance/sample/"
let g2 = gmm_isotropic([0.2, 0.5, 0.3], [[-2.0, 0.0], [1.5, 1.5], [1.0, -2.0]], [0.3, 0.1, 0.5])
let D = g2.denoiser
let sig = load(S + "steps_sigmas.npy")
let open = sig[0:6]
let x0 = load(S + "steps_x0.npy")
let Z = load(S + "steps_noise.npy")
let fed = fn(i, x) = Z[i]
fn want(name) = load(S + "steps_" + name + ".npy")

print("euler", ok(sample_euler(D, x0, sig), want("euler")),
      ok(sample_euler(D, x0, sig, s_churn=2.0, s_tmin=0.1, s_tmax=10.0, s_noise=1.007, noise=fed), want("euler_churn")))
print("heun", ok(sample_heun(D, x0, sig), want("heun")),
      ok(sample_heun(D, x0, sig, s_churn=2.0, s_tmin=0.1, s_tmax=10.0, s_noise=1.007, noise=fed), want("heun_churn")))
print("euler_ancestral", ok(sample_euler_ancestral(D, x0, sig, noise=fed), want("euler_a")),
      ok(sample_euler_ancestral(D, x0, sig, eta=0.5, s_noise=1.007, noise=fed), want("euler_a_eta")))
print("dpmpp_2m", ok(sample_dpmpp_2m(D, x0, sig), want("dpmpp_2m")),
      ok(sample_dpmpp_2m(D, x0, open, lower_order_final=false), want("dpmpp_2m_open")),
      ok(sample_dpmpp_2m(D, x0, open), want("dpmpp_2m_open_lof")))
print("dpmpp_2m_sde", ok(sample_dpmpp_2m_sde(D, x0, sig, noise=fed), want("dpmpp_2m_sde")),
      ok(sample_dpmpp_2m_sde(D, x0, sig, eta=0.7, s_noise=1.007, solver="heun", noise=fed), want("dpmpp_2m_sde_heun")),
      ok(sample_dpmpp_2m_sde(D, x0, open, noise=fed), want("dpmpp_2m_sde_open")))
print("lms", ok(sample_lms(D, x0, sig), want("lms")), ok(sample_lms(D, x0, open), want("lms_open")))

# 16 dimensions, diagonal components (one degenerate in 5 directions)
let g16 = gmm_diagonal(load(S + "gmm16_weights.npy"), load(S + "gmm16_means.npy"), load(S + "gmm16_variances.npy"))
let x16 = load(S + "steps16_x0.npy")
print("16-D", ok(sample_heun(g16.denoiser, x16, sig), load(S + "steps16_heun.npy")),
      ok(sample_dpmpp_2m(g16.denoiser, x16, sig), load(S + "steps16_dpmpp_2m.npy")))
