let x = randn([4, 2], seed=1, dtype=f64)
print(mala(fn(y) = -0.5 * sum(y * y, axis=1), x, 0.1, 0).x)
