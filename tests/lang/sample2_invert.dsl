# modes: jit interp
# DDIM inversion (stdlib/sample_discrete.dsl): 200 points of the 2-D mixture encoded through 50
# timesteps and decoded by deterministic DDIM recover the points to 1e-4 when each inversion
# step is refined to its fixed point (refine=20: the decoded step then reproduces its input), but
# not with diffusers' one-evaluation step (refine=0), whose error is the ODE's discretisation.
let g2 = gmm_isotropic([0.2, 0.5, 0.3], [[-2.0, 0.0], [1.5, 1.5], [1.0, -2.0]], [0.3, 0.1, 0.5])
let D = g2.denoiser
let abar = cumprod(1.0 - linspace(0.0001, 0.02, 1000, dtype=f64))
let eps = fn(y, t) = (y - sqrt(abar[t]) * D(y / sqrt(abar[t]), sqrt((1 - abar[t]) / abar[t]))) / sqrt(1 - abar[t])
let x = g2.sample(200, seed=5)
let ts[i < 50] = 981 - 20 * i
let exact = ddim_invert(eps, x, ts, abar, refine=20)
let plain = ddim_invert(eps, x, ts, abar)
print("refined", max(abs(ddim(eps, exact, ts, abar) - x)) < 1e-4, "plain", max(abs(ddim(eps, plain, ts, abar) - x)) > 1e-2)
# the code is the noise the forward process would give: about standard normal
print("code", all(abs(std(exact, axis=0) - 1) < 0.2), all(abs(mean(exact, axis=0)) < 0.2))
# a v-prediction model inverts as well (the same chain, its output v = sqrt(abar) eps - sqrt(1 - abar) x0)
let v = fn(y, t) = sqrt(abar[t]) * eps(y, t) - sqrt(1 - abar[t]) * D(y / sqrt(abar[t]), sqrt((1 - abar[t]) / abar[t]))
let ev = ddim_invert(v, x, ts, abar, prediction="v_prediction", refine=20)
print("v_prediction", max(abs(ddim(v, ev, ts, abar, prediction="v_prediction") - x)) < 1e-4)
# DDIM with eta = 1 is DDPM's ancestral step (fixed_small variance): with the same noise they agree
# to rounding
let xT = randn([200, 2], seed=6, dtype=f64)
let ts10[i < 10] = 999 - 100 * i
let a = ddpm(eps, xT, ts10, abar, seed=4)
print("ddim eta=1 is ddpm", max(abs(ddim(eps, xT, ts10, abar, eta=1.0, seed=4) - a)) < 1e-9 * max(abs(a)))
