# MALA's chains are the rows of a matrix
let x = randn([4], seed=1, dtype=f64)
print(mala(fn(y) = -0.5 * y * y, x, 0.1, 10).x)
