# 50 steps of a sampler (0 Euler, 1 Heun, 2 DPM-Solver++ 2M) from x over Karras sigmas (0.002 to
# 80, rho 7, then 0) with the exact denoiser of an 8-component 2-D Gaussian mixture (bench/sample.sh
# writes the same mixture for PyTorch and NumPy). Prints: seconds, the mean of the samples.
arg x: f32[n, 2]
arg sampler: i64 = 0
arg steps: i64 = 50
let angle[c < 8] = 2 * pi * c / 8
let means[c < 8, j < 2] = if j == 0 then 4 * cos(angle[c]) else 4 * sin(angle[c])
let g = gmm_isotropic(f32(1 + arange(8) / 8), f32(means), f32(0.05 + arange(8) / 40))
let D = g.denoiser
let rho = 7.0
let sig[i < steps + 1] = if i == steps then 0.0
                         else (80.0^(1 / rho) + f64(i) / f64(steps - 1) * (0.002^(1 / rho) - 80.0^(1 / rho)))^rho
let t0 = now()
let out = if sampler == 0 then sample_euler(D, x, sig) else if sampler == 1 then sample_heun(D, x, sig)
          else sample_dpmpp_2m(D, x, sig)
let m = mean(out, axis=0)
print(now() - t0, m)
