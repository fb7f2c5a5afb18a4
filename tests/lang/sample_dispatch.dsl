# sample() runs the sampler it names on noise of the shape asked for, drawn with the Philox key
# (seed + 1) 2^32 + 4 and scaled by the first sigma: the same bits as calling the sampler itself;
# `schedule` and `sample` declarations bind their records. Each family's samples of a 2-D
# mixture have its mean to 0.1 (4000 samples: the standard error is about 0.03).
let g = gmm_isotropic([0.3, 0.7], [[-2.0, 0.0], [2.0, 1.0]], [0.25, 0.5])
let D = g.denoiser
schedule ks = schedule("karras", 24)
let z = randn([4000, 2], seed=(3 + 1) * 4294967296 + 4, dtype=f64)
let x0 = z * ks.sigmas[0]
sample e = sample(D, ks, [4000, 2], sampler="euler", seed=3, s_churn=1.0)
print(e.steps, all(e.x == sample_euler(D, x0, ks.sigmas, s_churn=1.0, seed=3)))
print(all(sample(D, ks, [4000, 2], sampler="euler_ancestral", seed=3).x == sample_euler_ancestral(D, x0, ks.sigmas, seed=3)))
print(all(sample(D, ks, [4000, 2], sampler="heun", seed=3).x == sample_heun(D, x0, ks.sigmas)))
print(all(sample(D, ks, [4000, 2], sampler="dpmpp_2m", seed=3).x == sample_dpmpp_2m(D, x0, ks.sigmas)))
print(all(sample(D, ks, [4000, 2], sampler="dpmpp_2m_sde", seed=3, eta=0.5).x == sample_dpmpp_2m_sde(D, x0, ks.sigmas, eta=0.5, seed=3)))
print(all(sample(D, ks, [4000, 2], sampler="lms", seed=3, order=3).x == sample_lms(D, x0, ks.sigmas, order=3)))
let ok = fn(x) = max(abs(mean(x, axis=0) - g.mean)) < 0.1
print(ok(e.x), ok(sample(D, ks, [4000, 2], sampler="pfgmpp", D=100000).x))
# a user's own sigmas; f32 samples
schedule mine = schedule("custom", sigmas=[80.0, 10.0, 2.0, 0.5, 0.1, 0.0])
let h = sample(D, mine, [4000, 2], sampler="heun", dtype=f32)
print(mine.sigmas, h.x.shape, ok(f64(h.x)))
# a model of the noise in k-diffusion's scale, wrapped into a denoiser by prediction=
let eps_ve = fn(x, sigma) = (x - D(x, sigma)) / sigma
let start0 = randn([4000, 2], seed=4294967300, dtype=f64) * ks.sigmas[0]  # seed 0
print(all(sample(eps_ve, ks, [4000, 2], prediction="epsilon").x == sample_euler(fn(x, s) = x - s * eps_ve(x, s), start0, ks.sigmas)))
# a discrete model: the exact noise prediction at timestep t, DDPM, DDIM and UniPC over DDIM's
# timesteps (leading spacing: 960, 920, ...)
let sd = ddpm_schedule()
let abar = sd.alphas_cumprod
let eps = fn(y, t) = (y - sqrt(abar[t]) * D(y / sqrt(abar[t]), sqrt((1 - abar[t]) / abar[t]))) / sqrt(1 - abar[t])
schedule dd = schedule("ddim", 25, train=sd)
print(dd.timesteps[0:3], dd.sigmas[25], ok(sample(eps, dd, [4000, 2], sampler="ddim").x),
      ok(sample(eps, dd, [4000, 2], sampler="unipc").x), ok(sample(eps, dd, [4000, 2], sampler="ddpm", seed=1).x))
# rectified flow: the exact velocity of N(m, 0.25 I), from unit noise
let m = [1.0, -1.0]
let v = fn(y, s) {
  let a = 1 - s
  (y - (m + a * 0.25 / (a * a * 0.25 + s * s) * (y - a * m))) / s
}
schedule fl = schedule("flow", 10)
let f = sample(v, fl, [4000, 2], sampler="flow_heun")
print(fl.sigmas[0], max(abs(mean(f.x, axis=0) - m)) < 0.05, max(abs(std(f.x, axis=0) - 0.5)) < 0.05)
# annealed Langevin with the mixture's score at each noise level (all positive)
let score = fn(y, s) = (D(y, s) - y) / (s * s)
schedule levels = schedule("custom", sigmas=[5.0, 1.0, 0.2, 0.05])
let al = sample(score, levels, [4000, 2], sampler="annealed_langevin", seed=2, steps_per_level=30, step_lr=0.01)
print(all(al.x == annealed_langevin(score, randn([4000, 2], seed=12884901892, dtype=f64) * 5.0, levels.sigmas, 30, 0.01, seed=2)), ok(al.x))
