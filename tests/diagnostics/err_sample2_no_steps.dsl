let abar = cumprod(1.0 - linspace(0.0001, 0.02, 1000, dtype=f64))
let x = randn([4, 2], seed=1, dtype=f64)
let none: i64[k] = arange(0)
print(unipc(fn(y, t) = 0.1 * y, x, none, abar))
