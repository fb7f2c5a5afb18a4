# modes: jit
# timeout: 300
# Samples of the 2-D mixture (the exact denoiser) from each sampler of sample_discrete.dsl and
# sample_flow.dsl: their mean and covariance within 5 standard errors of the truth, the standard
# errors estimated from the samples (sqrt(var / n) for a mean, sqrt((E[(x_i - m_i)^2 (x_j -
# m_j)^2] - cov_ij^2) / n) for a covariance entry), with enough steps that the discretisation's
# bias is below that; and at 20 steps the higher-order samplers (UniPC, flow Heun) closer to the
# covariance than their first-order counterparts (DDIM, flow Euler).
let g2 = gmm_isotropic([0.2, 0.5, 0.3], [[-2.0, 0.0], [1.5, 1.5], [1.0, -2.0]], [0.3, 0.1, 0.5])
let D = g2.denoiser
let abar = cumprod(1.0 - linspace(0.0001, 0.02, 1000))
let eps = fn(y, t) = (y - sqrt(abar[t]) * D(y / sqrt(abar[t]), sqrt((1 - abar[t]) / abar[t]))) / sqrt(1 - abar[t])
let n = 20000
let m = g2.mean
let C = g2.cov
# {mean, cov}: the largest deviations in standard errors
fn deviation(xs: f64[n, 2]) {
  let xc = xs - m
  let emp = transpose(xc) @ xc / n
  let se_m = sqrt(var(xs, axis=0) / n)
  let q[i, j] = mean(t) (xc[t, i] * xc[t, j])^2
  let se_C = sqrt((q - emp * emp) / n)
  {mean: max(abs(mean(xs, axis=0) - m) / se_m), cov: max(abs(emp - C) / se_C)}
}
fn within(name, xs) {
  let d = deviation(xs)
  print(name, d.mean < 5, d.cov < 5)
}
# the chain's start drawn exactly: x_999 = sqrt(abar) x0 + sqrt(1 - abar) eps
let xT = sqrt(abar[999]) * g2.sample(n, seed=21) + sqrt(1 - abar[999]) * randn([n, 2], seed=22, dtype=f64)
let ts200[i < 200] = 995 - 5 * i
let ts50[i < 50] = 980 - 20 * i
let ts20[i < 20] = 950 - 50 * i
within("ddpm 200 steps", ddpm(eps, xT, ts200, abar, seed=3))
within("ddim 200 steps", ddim(eps, xT, ts200, abar))
within("ddim eta=1 200 steps", ddim(eps, xT, ts200, abar, eta=1.0, seed=4))
within("unipc 50 steps", unipc(eps, xT, ts50, abar))
print("unipc beats ddim at 20 steps", deviation(unipc(eps, xT, ts20, abar)).cov < deviation(ddim(eps, xT, ts20, abar)).cov)

# rectified flow from noise at sigma = 1: v(x, s) = (x - E[x0 | x_s]) / s, x_s = (1 - s) x0 + s n
let velocity = fn(y, s) = if s == 1 then y - m else (y - D(y / (1 - s), s / (1 - s))) / s
let z = randn([n, 2], seed=23, dtype=f64)
within("flow_euler 200 steps", flow_euler(velocity, z, linspace(1.0, 0.0, 201)))
within("flow_heun 20 steps", flow_heun(velocity, z, linspace(1.0, 0.0, 21)))
print("flow_heun beats flow_euler at 20 steps",
      deviation(flow_heun(velocity, z, linspace(1.0, 0.0, 21))).cov < deviation(flow_euler(velocity, z, linspace(1.0, 0.0, 21))).cov)
