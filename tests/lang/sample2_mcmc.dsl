# modes: jit
# timeout: 300
# Langevin, MALA and SMC (stdlib/mcmc.dsl) and the PFGM++ prior and denoiser (sample_flow.dsl)
# against exact answers. Statistics of n chains are within 5 standard errors (a variance's is
# var sqrt(2 / n), a mean's sqrt(var / n)).
let n = 20000

# On N(1, s2 I): the unadjusted Langevin algorithm's stationary variance is s2 / (1 - h / (2 s2))
# (its linear recursion's fixed point), 11 standard errors above s2 at h = 0.05; MALA corrects it.
let s2 = 0.25
let h = 0.05
let x = randn([n, 2], seed=5, dtype=f64) * 2.0
let u = langevin(fn(y) = -(y - 1.0) / s2, x, h, 200, seed=1)
let ula = s2 / (1 - h / (2 * s2))
let se = s2 * sqrt(2.0 / n)
print("ULA", all(abs(var(u, axis=0) - ula) < 5 * se), all(abs(var(u, axis=0) - s2) > 5 * se),
      all(abs(mean(u, axis=0) - 1.0) < 5 * sqrt(ula / n)))
let mm = mala(fn(y) = -0.5 * sum((y - 1.0)^2, axis=1) / s2, x, h, 200, seed=1)
print("MALA", all(abs(var(mm.x, axis=0) - s2) < 5 * se), all(abs(mean(mm.x, axis=0) - 1.0) < 5 * sqrt(s2 / n)),
      mm.acceptance > 0.9 and mm.acceptance < 1)

# MALA's stationary moments on a correlated Gaussian N(m, S), S = [[1, 0.8], [0.8, 1]], from a
# start far off: mean and covariance within 5 standard errors (a covariance entry's is
# sqrt((S_ii S_jj + S_ij^2) / n)).
let m = [2.0, -1.0]
let S = [[1.0, 0.8], [0.8, 1.0]]
let P = inv(S)
fn logp(y: f64[k, 2]) {
  let r = y - m
  let q[i] = sum(a, b) r[i, a] * P[a, b] * r[i, b]
  -0.5 * q
}
let c = mala(logp, randn([n, 2], seed=6, dtype=f64) * 3.0 - 4.0, 0.2, 300, seed=2)
let xc = c.x - m
let emp = transpose(xc) @ xc / n
let seC[i, j] = sqrt((S[i, i] * S[j, j] + S[i, j]^2) / n)
print("MALA correlated", all(abs(mean(c.x, axis=0) - m) < 5 * sqrt(1.0 / n)), all(abs(emp - S) < 5 * seC),
      c.acceptance > 0.5)

# SMC on a linear-Gaussian state space model: x_0 ~ N(0, 1), x <- a x + q z, potential
# log N(y_i; x, r^2). Its normaliser is the likelihood of y, which the Kalman filter gives exactly.
let a = 0.9
let q = 0.5
let r = 0.4
let steps = 25
let ys = randn([steps], seed=7, dtype=f64) * 1.5
let kalman = iterate mu = 0.0, v = 1.0, ll = 0.0, i = 0 {
  let pm = a * mu
  let pv = a * a * v + q * q
  let sv = pv + r * r
  ll = ll - 0.5 * (log(2 * pi * sv) + (ys[i] - pm)^2 / sv)
  mu = pm + pv / sv * (ys[i] - pm)
  v = pv - pv * pv / sv
  i = i + 1
} max steps
let move = fn(i, y) = a * y + q * randn(y.shape, seed=100 + i, dtype=f64)
let potential = fn(i, y) = -0.5 * (log(2 * pi * r * r) + (ys[i] - y[:, 0])^2 / (r * r))
let sm = smc(move, potential, randn([n, 1], seed=8, dtype=f64), steps, seed=3)
# the estimate's standard deviation is about 0.02 here (25 steps of 20000 particles)
print("SMC log-normaliser", abs(sm.log_normalizer - kalman.ll) < 0.1, sm.resamples > 0, sm.resamples < steps)
# the filter's mean at the last step, E[x_24 | y]: the weighted particles' mean
let post = sum(exp(sm.log_weights) * sm.x[:, 0])
print("SMC filter mean", abs(post - kalman.mu) < 5 * sqrt(kalman.v / (n / 4)))

# PFGM++'s prior: E|x|^2 = N sigma_max^2 D / (D - 2) (a Beta-prime radius), within 5 standard
# errors, heavier-tailed than EDM's N(0, sigma_max^2 I) for small D.
let pr = pfgmpp_prior(n, 2, 8, 2.0, seed=9)
let r2 = sum(pr * pr, axis=1)
print("PFGM++ prior", abs(mean(r2) - 2 * 4.0 * 8 / 6) < 5 * std(r2) / sqrt(n), max(r2) > 4.0 * 30)

# PFGM++ tends to EDM as D grows: Heun's steps of dx/dsigma = (x - D(x, sigma)) / sigma from
# sigma = 80 to 0.3 (short of 0, where every path ends on a point) with the PFGM++ denoiser of a
# point set, from one start, approach those with the Gaussian (EDM) denoiser.
fn heun(den, x0, sigmas: f64[k]) {
  let res = iterate y = x0, i = 0 {
    let s = sigmas[i]
    let sn = sigmas[i + 1]
    let d = (y - den(y, s)) / s
    let g = y + (sn - s) * d
    y = if sn == 0 then g else y + (sn - s) * (d + (g - den(g, sn)) / sn) / 2
    i = i + 1
  } max k - 1
  res.y
}
let pts = [[1.0, 1.0], [-1.0, 0.5], [0.0, -1.0], [0.5, -0.2]]
let sig = 80.0 * (0.3 / 80.0)^linspace(0.0, 1.0, 30, dtype=f64)
let start = randn([200, 2], seed=10, dtype=f64) * 80.0
let edm = heun(gmm_isotropic([1.0, 1.0, 1.0, 1.0], pts, [0.0, 0.0, 0.0, 0.0]).denoiser, start, sig)
let e3 = max(abs(heun(pfgmpp_denoiser(pts, 1000), start, sig) - edm))
let e5 = max(abs(heun(pfgmpp_denoiser(pts, 100000), start, sig) - edm))
let e7 = max(abs(heun(pfgmpp_denoiser(pts, 10000000), start, sig) - edm))
# the gap shrinks as 1 / D: by about 100 for each factor 100 of D
print("PFGM++ -> EDM", e3 / e5 > 50, e5 / e7 > 50, e7 < 1e-5)
