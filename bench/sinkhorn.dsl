# Sinkhorn between two point clouds, iters iterations of the log-domain form (log = true; in f32
# with single = true), whose cost is computed on the fly (never stored), or of the scaling form,
# whose kernel exp(-C / eps) is stored. bench/ot_sinkhorn.sh runs it against POT on the same
# clouds. Prints: seconds, the plan's cost.
arg x: f64[n, 3]
arg y: f64[m, 3]
arg eps: f64 = 0.001
arg iters: i64 = 20
arg log: bool = true
arg single: bool = false
let C0[i, j] = sum(k) (x[i, k] - y[j, k])^2
let inv_scale = 1 / max(i, j) C0[i, j]
let C[i, j] = C0[i, j] * inv_scale
# the same problem in f32 (single = true), the cost computed in f32
let x32 = f32(x)
let y32 = f32(y)
let s32 = f32(inv_scale)
let C32[i, j] = (sum(k) (x32[i, k] - y32[j, k])^2) * s32
let t0 = now()
let cost = if single then f64(sinkhorn_log(uniform(n), uniform(m), C32, eps, tol=0.0, max_iter=iters).cost)
           else if log then sinkhorn_log(uniform(n), uniform(m), C, eps, tol=0.0, max_iter=iters).cost
           else sinkhorn(uniform(n), uniform(m), C, eps, tol=0.0, max_iter=iters).cost
print(now() - t0, cost)
