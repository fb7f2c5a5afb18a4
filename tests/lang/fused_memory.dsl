# modes: exe
# max-rss-mb: 100
# tol: 1e-4
# The pairwise cost of 50,000 x 50,000 points in 3-D would take 10 GB stored; fused into the lse
# that reads it, the compiled program stays within a few megabytes.
arg n: i64 = 50000
let x = randn([n, 3], seed=1)
let y = randn([n, 3], seed=2)
let C[i, j] = sum(k) (x[i, k] - y[j, k])^2
let f[i] = lse(j) -C[i, j] / 0.5
print(sum(f) / n)
