# Online log-domain Sinkhorn with eps-scaling between two clouds of 20,000 points in 3-D: the
# 20,000 x 20,000 cost is never stored. Prints: seconds, iterations, converged, marginal error.
arg n: i64 = 20000
arg eps: f64 = 0.01
let x = randn([n, 3], seed=1, dtype=f32)
let y = randn([n, 3], seed=2, dtype=f32) + [2.0, 0.0, 0.0]
let C0[i, j] = sum(k) (x[i, k] - y[j, k])^2
let inv_scale = 1 / max(i, j) C0[i, j]
let C[i, j] = C0[i, j] * inv_scale
let t0 = now()
let r = sinkhorn_eps_scaling(uniform(n), uniform(n), C, eps, tol=1e-6, max_iter=2000)
print(now() - t0, r.iterations, r.converged, r.err)
