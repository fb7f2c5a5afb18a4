let abar = cumprod(1.0 - linspace(0.0001, 0.02, 1000, dtype=f64))
let x = randn([4, 2], seed=1, dtype=f64)
print(ddpm(fn(y, t) = 0.1 * y, x, [999, 499, 499, 0], abar))
