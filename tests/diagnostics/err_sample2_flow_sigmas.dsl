let x = randn([4, 2], seed=1, dtype=f64)
print(flow_heun(fn(y, s) = y, x, [80.0, 1.0, 0.0]))
