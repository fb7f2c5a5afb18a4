# The exact Gaussian-mixture denoiser, its moments and samples, and classifier-free guidance
# (stdlib/denoise.dsl) against NumPy (tests/conformance/gen_samplers.py), in f64. A line of the
# denoiser prints whether max |sinter - numpy| <= 1e-12 max |numpy| at three noise levels; NumPy
# computes the posterior mean through each component's full covariance (solve, slogdet).
fn rel(a, b) = max(abs(a - b)) / max(abs(b))
fn ok(a, b) = rel(a, b) <= 1e-12
let S = "tests/conformance/sample/"
let g2 = gmm_isotropic([0.2, 0.5, 0.3], [[-2.0, 0.0], [1.5, 1.5], [1.0, -2.0]], [0.3, 0.1, 0.5])
let g16 = gmm_diagonal(load(S + "gmm16_weights.npy"), load(S + "gmm16_means.npy"), load(S + "gmm16_variances.npy"))
let D2 = gmm_denoiser(g2)
let D16 = gmm_denoiser(g16)
let x2 = load(S + "den2_x.npy")
let x16 = load(S + "den16_x.npy")
print("2-D", ok(D2(x2, 0.05), load(S + "den2_s0.npy")), ok(D2(x2, 1.0), load(S + "den2_s1.npy")),
      ok(D2(x2, 20.0), load(S + "den2_s2.npy")))
print("16-D", ok(D16(x16, 0.1), load(S + "den16_s0.npy")), ok(D16(x16, 0.8), load(S + "den16_s1.npy")),
      ok(D16(x16, 5.0), load(S + "den16_s2.npy")))
# in f32 the denoiser computes in f32, to f32's precision
print("f32", rel(f64(D16(f32(x16), f32(0.8))), load(S + "den16_s1.npy")) < 1e-5, D16(f32(x16), f32(0.8)).shape)
print("moments", ok(gmm_mean(g16), load(S + "gmm16_mean.npy")), ok(gmm_cov(g16), load(S + "gmm16_cov.npy")))

# Exact samples: 400000 draws of the 2-D mixture; each coordinate's mean within 5 standard errors
# sqrt(var / n) of the truth, each covariance entry within 5 of its standard error
# sqrt((E[(x_i - m_i)^2 (x_j - m_j)^2] - cov_ij^2) / n) (the fourth moments estimated from the
# samples). Two seeds give different samples, one seed the same.
let n = 400000
let xs = gmm_sample(g2, n, seed=11)
let m = gmm_mean(g2)
let C = gmm_cov(g2)
let xc = xs - m
let emp = transpose(xc) @ xc / n
let se_m = sqrt(var(xs, axis=0) / n)
let q[i, j] = mean(t) (xc[t, i] * xc[t, j])^2
let se_C = sqrt((q - emp * emp) / n)
print("sample mean", all(abs(mean(xs, axis=0) - m) < 5 * se_m), "cov", all(abs(emp - C) < 5 * se_C))
print("seeds", any(gmm_sample(g2, 10, seed=12) != xs[0:10]), all(gmm_sample(g2, 10, seed=11) == xs[0:10]))
fn diagonal_of(a) {
  let v[i] = a[i, i]
  v
}
let x16s = gmm_sample(g16, 200000, seed=1)
# 16-D: the means within 0.03 (6 standard errors of the widest coordinate), the variances within
# 0.06 (about 4 of theirs)
print("16-D sample", max(abs(mean(x16s, axis=0) - gmm_mean(g16))) < 0.03,
      max(abs(var(x16s, axis=0) - diagonal_of(gmm_cov(g16)))) < 0.06)

# Classifier-free guidance at scale 4 with the 16-D mixture as the conditional denoiser and the
# mixture with reversed weights as the unconditional one; without and with guidance rescale 0.7
# (diffusers' rescale_noise_cfg run by torch).
let unc = gmm_denoiser(gmm_diagonal(load(S + "gmm16_weights.npy")[::-1], g16.means, g16.variances))
let guided = cfg(D16, unc, 4.0)
let rescaled = cfg(D16, unc, 4.0, rescale=0.7)
print("cfg", ok(guided(x16, 0.8), load(S + "cfg_plain.npy")), ok(rescaled(x16, 0.8), load(S + "cfg_rescaled.npy")))
