# A small problem with many parallel loops: log-domain Sinkhorn between two clouds of n = 20
# points, `iters` iterations (bench/threads.sh). Prints: seconds, the plan's cost.
arg n: i64 = 20
arg iters: i64 = 1000
let x = randn([n, 3], seed=1, dtype=f64)
let y = randn([n, 3], seed=2, dtype=f64) + [1.0, 0.0, 0.0]
let C[i, j] = sum(k) (x[i, k] - y[j, k])^2
let t0 = now()
let r = sinkhorn_log(uniform(n), uniform(n), C, 0.1, tol=0.0, max_iter=iters)
print(now() - t0, r.cost)
