# The samplers' own cost per step: Euler (0), Heun (1) or DPM-Solver++ 2M (2) with the identity
# denoiser on a batch of 64 x 3 x 64 x 64 f32 values, over Karras sigmas (0.002 to 80, rho 7,
# then 0). Prints: the best seconds per step of three runs, the mean of the result.
arg sampler: i64 = 0
arg steps: i64 = 200
let x = randn([64, 3, 64, 64], seed=1) * 80.0
let rho = 7.0
let sig[i < steps + 1] = if i == steps then 0.0
                         else (80.0^(1 / rho) + f64(i) / f64(steps - 1) * (0.002^(1 / rho) - 80.0^(1 / rho)))^rho
let identity = fn(x, sigma) = x
let r = iterate rep = 0, best = 1e9, m = 0.0 {
  let t0 = now()
  let out = if sampler == 0 then sample_euler(identity, x, sig) else if sampler == 1 then sample_heun(identity, x, sig)
            else sample_dpmpp_2m(identity, x, sig)
  m = f64(mean(out))
  best = min(best, (now() - t0) / f64(steps))
  rep = rep + 1
} max 3
print(r.best, r.m)
