# a denoiser that drops a column: its output is f64[4, 1] for x f64[4, 2]; the sampler checks the
# shape in its loop over the steps, which runs, so the error is found when compiling
let abar = cumprod(1.0 - linspace(0.0001, 0.02, 1000, dtype=f64))
let x = randn([4, 2], seed=1, dtype=f64)
print(ddim(fn(y, t) = y[:, 0:1], x, [999, 499], abar))
