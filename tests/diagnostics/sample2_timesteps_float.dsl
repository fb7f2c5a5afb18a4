# timesteps index alphas_cumprod: they are integers, not noise levels
let abar = cumprod(1.0 - linspace(0.0001, 0.02, 1000, dtype=f64))
let x = randn([4, 2], seed=1, dtype=f64)
print(ddim(fn(y, t) = y, x, [999.0, 0.5], abar))
