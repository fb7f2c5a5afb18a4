# The first steps of each sampler of stdlib/sample_discrete.dsl (DDPM, DDIM, its inversion,
# UniPC) against NumPy (tests/conformance/gen_samplers2.py), in f64, from the same start with the
# same noise (passed in with noise=). The model is the exact denoiser of the 2-D mixture; a line
# prints whether max |sinter - numpy| <= 1e-12 max |numpy| for each case.
fn rel(a, b) = max(abs(a - b)) / max(abs(b))
fn ok(a, b) = rel(a, b) <= 1e-12
let S = "tests/conformance/sample2/"
fn L(name) {
  let a: f64[n, d] = load(S + name + ".npy")
  a
}
let g2 = gmm_isotropic([0.2, 0.5, 0.3], [[-2.0, 0.0], [1.5, 1.5], [1.0, -2.0]], [0.3, 0.1, 0.5])
let D = g2.denoiser
let abar: f64[T] = load(S + "alphas_cumprod.npy")
let x = L("x")
let Z: f64[k, n, d] = load(S + "noise.npy")
let noise = fn(i, y) = Z[i]

# the network's output at (x, t) for x_t = sqrt(abar) x0 + sqrt(1 - abar) eps
fn vp(p) = fn(y, t) {
  let a = abar[t]
  let x0 = D(y / sqrt(a), sqrt((1 - a) / a))
  let eps = (y - sqrt(a) * x0) / sqrt(1 - a)
  if p == "epsilon" then eps else if p == "sample" then x0 else sqrt(a) * eps - sqrt(1 - a) * x0
}
let ts_a = [801, 601, 401, 201, 1]
let ts_b = [999, 666, 333, 0]
let ts_c = [999, 832, 665, 498, 331, 164]

print("ddpm", ok(ddpm(vp("epsilon"), x, ts_a, abar, noise=noise), L("ddpm_epsilon")),
      ok(ddpm(vp("sample"), x, ts_a, abar, prediction="sample", noise=noise), L("ddpm_sample")),
      ok(ddpm(vp("v_prediction"), x, ts_a, abar, prediction="v_prediction", noise=noise), L("ddpm_v_prediction")),
      ok(ddpm(vp("epsilon"), x, ts_b, abar, noise=noise), L("ddpm_last0")))
print("ddim", ok(ddim(vp("epsilon"), x, ts_a, abar), L("ddim_eta0")),
      ok(ddim(vp("v_prediction"), x, ts_b, abar, eta=0.5, prediction="v_prediction", noise=noise), L("ddim_v_eta05")),
      ok(ddim(vp("sample"), x, ts_a, abar, eta=1.0, prediction="sample", noise=noise), L("ddim_sample_eta1")))
let clean = L("clean")
print("ddim_invert", ok(ddim_invert(vp("epsilon"), clean, ts_a, abar), L("ddim_invert_r0")),
      ok(ddim_invert(vp("v_prediction"), clean, ts_a, abar, prediction="v_prediction", refine=2), L("ddim_invert_v_r2")))
print("unipc", ok(unipc(vp("epsilon"), x, ts_c, abar), L("unipc_epsilon")),
      ok(unipc(vp("v_prediction"), x, ts_c, abar, prediction="v_prediction"), L("unipc_v_prediction")),
      ok(unipc(vp("sample"), x, ts_b[0:2], abar, prediction="sample"), L("unipc_two")))
