# timeout: 600
# modes: exe jit
# The samplers converge to the data: on a 2-D and a 16-D Gaussian mixture with the exact
# denoiser (stdlib/denoise.dsl), from x = 80 z (z standard normal) over Karras et al.'s sigmas
# (sigma_min 0.002, sigma_max 80, rho 7, then 0):
# - the sliced Wasserstein distance (200 directions) between the samples and as many exact
#   samples falls as the steps double from 8 to 64 (Euler at every doubling; Heun and DPM++ 2M,
#   second order, reach the sampling noise by 32 steps, so up to 32);
# - Heun and DPM-Solver++ 2M reach a distance threshold (2-D 0.09, 16-D 0.12: about twice the
#   distance between two sets of exact samples) in fewer steps than Euler;
# - at 64 steps, the sample mean and covariance of each are within 5 standard errors of the
#   mixture's (the errors estimated from the samples, as in sample_gmm.dsl).
fn karras(steps, smin, smax, rho) {
  let s[i < steps + 1] = if i == steps then 0.0
                         else (smax^(1 / rho) + f64(i) / f64(steps - 1) * (smin^(1 / rho) - smax^(1 / rho)))^rho
  s
}
fn moments_ok(x: f64[n, d], g) {
  let xc = x - g.mean
  let emp = transpose(xc) @ xc / n
  let C = g.cov
  let q[i, j] = mean(t) (xc[t, i] * xc[t, j])^2
  all(abs(mean(x, axis=0) - g.mean) < 5 * sqrt(var(x, axis=0) / n)) and all(abs(emp - C) < 5 * sqrt((q - emp * emp) / n))
}
fn first_below(dist, threshold) = 8 * 2 ^ argmax(i64(dist < threshold))
fn check_mixture(name, g, n, threshold) {
  let D = g.denoiser
  let d = size(g.means, 1)
  let ref = g.sample(n, seed=7)
  let x0 = randn([n, d], seed=3, dtype=f64) * 80.0
  let sw = fn(x) = sliced_wasserstein(x, ref, projections=200)
  let e = [sw(sample_euler(D, x0, karras(8, 0.002, 80.0, 7.0))), sw(sample_euler(D, x0, karras(16, 0.002, 80.0, 7.0))),
           sw(sample_euler(D, x0, karras(32, 0.002, 80.0, 7.0))), sw(sample_euler(D, x0, karras(64, 0.002, 80.0, 7.0)))]
  let h = [sw(sample_heun(D, x0, karras(8, 0.002, 80.0, 7.0))), sw(sample_heun(D, x0, karras(16, 0.002, 80.0, 7.0))),
           sw(sample_heun(D, x0, karras(32, 0.002, 80.0, 7.0))), sw(sample_heun(D, x0, karras(64, 0.002, 80.0, 7.0)))]
  let p = [sw(sample_dpmpp_2m(D, x0, karras(8, 0.002, 80.0, 7.0))), sw(sample_dpmpp_2m(D, x0, karras(16, 0.002, 80.0, 7.0))),
           sw(sample_dpmpp_2m(D, x0, karras(32, 0.002, 80.0, 7.0))), sw(sample_dpmpp_2m(D, x0, karras(64, 0.002, 80.0, 7.0)))]
  print(name, "falls", e[0] > e[1] and e[1] > e[2] and e[2] > e[3], h[0] > h[1] and h[1] > h[2], p[0] > p[1] and p[1] > p[2])
  print(name, "fewer steps", first_below(h, threshold) < first_below(e, threshold),
        first_below(p, threshold) < first_below(e, threshold), max(e[3], max(h[3], p[3])) < threshold)
  let s64 = karras(64, 0.002, 80.0, 7.0)
  print(name, "moments", moments_ok(sample_euler(D, x0, s64), g), moments_ok(sample_heun(D, x0, s64), g),
        moments_ok(sample_dpmpp_2m(D, x0, s64), g))
}
check_mixture("2-D", gmm_isotropic([0.2, 0.5, 0.3], [[-2.0, 0.0], [1.5, 1.5], [1.0, -2.0]], [0.3, 0.1, 0.5]), 10000, 0.09)
let S = "tests/conformance/sample/"
check_mixture("16-D", gmm_diagonal(load(S + "gmm16_weights.npy"), load(S + "gmm16_means.npy"), load(S + "gmm16_variances.npy")),
              4000, 0.12)
