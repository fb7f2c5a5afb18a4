# Sample a 2-D Gaussian mixture (8 components on a ring) with its exact denoiser: a Karras
# schedule, DPM-Solver++ 2M, 20000 points drawn as a PNG. The samples' mean and covariance are
# compared with the mixture's, and their sliced Wasserstein distance to exact samples with
# Euler's at the same 16 steps (the second-order solver is closer).
arg n: i64 = 20000
arg plot: str = "build/sampling.png"
let angle[c < 8] = 2 * pi * f64(c) / 8
let means[c, j < 2] = 4 * (if j == 0 then cos(angle[c]) else sin(angle[c]))
let g = gmm_isotropic(full(8, 1.0, dtype=f64), means, full(8, 0.1, dtype=f64))
schedule ks = schedule("karras", 16, sigma_min=0.002, sigma_max=80.0)
sample s = sample(g.denoiser, ks, [n, 2], sampler="dpmpp_2m", seed=1, plot=plot, plot_kind="density")
sample e = sample(g.denoiser, ks, [n, 2], sampler="euler", seed=1)
let exact = g.sample(n, seed=2)
let sw_dpm = sliced_wasserstein(s.x, exact)
let sw_euler = sliced_wasserstein(e.x, exact)
print("steps:", s.steps, "samples:", n)
print("mean error:", round(max(abs(mean(s.x, axis=0) - g.mean)) * 100) / 100)
let m = mean(s.x, axis=0)
let C[i, j] = mean(k) (s.x[k, i] - m[i]) * (s.x[k, j] - m[j])
print("covariance:", round(C * 10) / 10, "exact:", round(g.cov * 10) / 10)
print("sliced Wasserstein to exact samples: dpmpp_2m", round(sw_dpm * 1000) / 1000, "euler", round(sw_euler * 1000) / 1000)
check(sw_dpm < sw_euler, "DPM-Solver++ 2M ({}) is not closer than Euler ({})", sw_dpm, sw_euler)
