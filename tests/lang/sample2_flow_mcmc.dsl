# The first steps of the samplers of stdlib/sample_flow.dsl and mcmc.dsl (flow matching,
# Langevin, MALA, SMC, the PFGM++ denoiser) against NumPy (tests/conformance/gen_samplers2.py),
# in f64, from the same start with the same noise and uniforms (passed in with noise= and uniform=). The model is the exact denoiser of the
# 2-D mixture; a line prints whether max |sinter - numpy| <= 1e-12 max |numpy| for each case.
fn rel(a, b) = max(abs(a - b)) / max(abs(b))
fn ok(a, b) = rel(a, b) <= 1e-12
let S = "tests/conformance/sample2/"
fn L(name) {
  let a: f64[n, d] = load(S + name + ".npy")
  a
}
fn V(name) {
  let a: f64[n] = load(S + name + ".npy")
  a
}
let g2 = gmm_isotropic([0.2, 0.5, 0.3], [[-2.0, 0.0], [1.5, 1.5], [1.0, -2.0]], [0.3, 0.1, 0.5])
let D = g2.denoiser
let x = L("x")
let Z: f64[k, n, d] = load(S + "noise.npy")
let U = L("uniform")
let noise = fn(i, y) = Z[i]
let uniform = fn(i, m) = U[i, 0:m]

# rectified flow: x_s = (1 - s) x0 + s n, v = n - x0 = (x - E[x0 | x_s]) / s
let velocity = fn(y, s) = if s == 1 then y - g2.mean else (y - D(y / (1 - s), s / (1 - s))) / s
let fs: f64[m] = load(S + "flow_sigmas.npy")
print("flow", ok(flow_euler(velocity, x, fs), L("flow_euler")), ok(flow_heun(velocity, x, fs), L("flow_heun")))

# Langevin with the exact score of the smoothed mixture, (D(x, sigma) - x) / sigma^2, and MALA
# with its exact log density (the score by autodiff)
let score = fn(y, sigma) = (D(y, sigma) - y) / (sigma * sigma)
print("annealed_langevin", ok(annealed_langevin(score, x * 2, [1.0, 0.5, 0.25], steps_per_level=4, step_lr=0.01, noise=noise),
                              L("annealed_langevin")))
let mu = g2.means
fn log_density(y: f64[n, 2], sigma) {
  let s2 = [0.3, 0.1, 0.5] + sigma * sigma
  let lw = log(g2.weights)
  let lp[i, c] = lw[c] - 0.5 * sum(j) (y[i, j] - mu[c, j])^2 / s2[c] - log(2 * pi * s2[c])
  let out[i] = lse(c) lp[i, c]
  out
}
let mc = mala(fn(y) = log_density(y, 0.3), x * 2, 0.1, 12, noise=noise, uniform=uniform)
print("mala", ok(mc.x, L("mala_x")), mc.acceptance * 72 == V("mala_accepted")[0])
let am = annealed_mala(log_density, x * 2, [1.0, 0.5, 0.25], steps_per_level=4, step_lr=0.05, noise=noise, uniform=uniform)
print("annealed_mala", ok(am.x, L("annealed_mala_x")), am.acceptance * 72 == V("annealed_mala_accepted")[0])

# SMC: x <- 0.9 x + 0.6 z, weights by log N(y_i; x, 0.7^2 I), resampling when ESS < 0.8 n
let ys = L("smc_ys")
let potential = fn(i, y) = -0.5 * sum((ys[i] - y)^2, axis=1) / 0.49 - 2 * log(sqrt(2 * pi) * 0.7)
let s = smc(fn(i, y) = 0.9 * y + 0.6 * Z[i], potential, x, 12, threshold=0.8, uniform=uniform)
let ref = V("smc_logz")
print("smc", ok(s.x, L("smc_x")), ok(s.log_weights, V("smc_lw")), abs(s.log_normalizer - ref[0]) <= 1e-12 * abs(ref[0]),
      s.resamples == ref[1])

let pts = L("pfgmpp_points")
let px = L("pfgmpp_x")
let d16 = pfgmpp_denoiser(pts, 16)
let d2048 = pfgmpp_denoiser(pts, 2048)
print("pfgmpp", ok(d16(px, 0.7), L("pfgmpp_d16_s07")), ok(d2048(px, 3.0), L("pfgmpp_d2048_s3")))
