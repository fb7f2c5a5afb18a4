# Train a small denoiser on 2-D data with `train` (stdlib/train.dsl), then sample from it with
# `sample`. The data: 16384 points of a mixture of 4 Gaussians. The network is an MLP F (3-64-64-2,
# SiLU) inside EDM's preconditioning (Karras et al. 2022, "Elucidating the Design Space of
# Diffusion-Based Generative Models", section 5 and Table 1), with s the data's std:
#   D(x, sigma) = c_skip x + c_out F(c_in x, log(sigma) / 4),
#   c_skip = s^2 / (sigma^2 + s^2), c_out = sigma s / sqrt(sigma^2 + s^2), c_in = 1 / sqrt(sigma^2 + s^2).
# Each example is trained at its own noise: log sigma ~ N(-1.2, 1.2^2) and the noise n drawn once
# per row (data.y), the loss EDM's: mean |F - (x0 - c_skip (x0 + sigma n)) / c_out|^2. The
# trained denoiser then samples with Heun's method on a Karras schedule; its samples are
# compared with the data and with those of the mixture's exact denoiser.
arg epochs: i64 = 40
arg plot: str = "build/denoiser.png"
let mix = gmm_isotropic([0.25, 0.25, 0.25, 0.25], [[-2.0, -2.0], [-2.0, 2.0], [2.0, -2.0], [2.0, 2.0]], [0.1, 0.1, 0.1, 0.1])
let n = 16384
let x0 = f32(mix.sample(n, seed=1))
let sd = f32(std(x0))
let data = {x: x0, y: concat(randn([n, 2], seed=2), -1.2 + 1.2 * randn([n, 1], seed=3), axis=1)}

model Mlp(h: int) {
  param l1 = Linear(3, h)
  param l2 = Linear(h, h)
  param l3 = Linear(h, 2)
  fn forward(x: float[n, 3]) = l3.forward(silu(l2.forward(silu(l1.forward(x)))))
}

# the preconditioned network at x [b, 2] and log sigma [b] (one noise level per row)
fn precond(m, x: float[b, 2], logsig: float[b]) {
  let sigma = exp(logsig)
  let c_in = 1 / sqrt(sigma * sigma + sd * sd)
  let input = concat(x * reshape(c_in, [-1, 1]), reshape(logsig / 4, [-1, 1]), axis=1)
  {F: m.forward(input), skip: reshape(sd * sd / (sigma * sigma + sd * sd), [-1, 1]), out: reshape(sigma * sd * c_in, [-1, 1])}
}

fn loss(m, xb, yb) {
  let x = xb + reshape(exp(yb[:, 2]), [-1, 1]) * yb[:, 0:2]
  let p = precond(m, x, yb[:, 2])
  mean((p.F - (xb - p.skip * x) / p.out)^2)
}

let r = train(Mlp(64, seed=4), loss, adam(lr=2e-3), data, epochs=epochs, batch_size=256, seed=5)
print("epochs:", r.epochs, "loss per epoch:", round(r.history.loss * 1000) / 1000)

# the trained denoiser: sigma is one number for the whole batch while sampling
let trained = fn(x, sigma) {
  let p = precond(r.params, x, full(size(x, 0), log(sigma), dtype=f32))
  p.skip * x + p.out * p.F
}
schedule ks = schedule("karras", 32, sigma_min=0.002, sigma_max=80.0)
sample s = sample(trained, ks, [4000, 2], sampler="heun", seed=6, dtype=f32, plot=plot)
sample exact = sample(mix.denoiser, ks, [4000, 2], sampler="heun", seed=6, dtype=f32)
let held_out = f32(mix.sample(4000, seed=7))
let sw = f64(sliced_wasserstein(s.x, held_out))
let sw_exact = f64(sliced_wasserstein(exact.x, held_out))
print("sliced Wasserstein to held-out data: trained", round(sw * 100) / 100, "exact denoiser", round(sw_exact * 100) / 100)
print("fraction of samples within 1 of a mode:", round(mean(f64(max(abs(abs(s.x) - 2), axis=1) < 1)) * 100) / 100)
check(sw < 0.3, "the trained denoiser's samples are {} from the data (sliced Wasserstein)", sw)
