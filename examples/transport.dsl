# Optimal transport between two point clouds with the standard library's solvers
# (docs/transport.md). The cost is a lazy comprehension: the entropic solvers compute it on the
# fly inside their reductions and never store the n x m matrix.
arg n: i64 = 1000
arg eps: f64 = 1e-2
let x = randn([n, 3], seed=1, dtype=f64)
let y = randn([n, 3], seed=2, dtype=f64) + [2.0, 0.0, 0.0]
let D[i, j] = sum(k) (x[i, k] - y[j, k])^2
let scale = max(i, j) D[i, j]
let C[i, j] = D[i, j] * (1 / scale)        # squared distances scaled to max 1

# log-domain Sinkhorn: exact at any eps; eps-scaling reaches small eps in fewer iterations
transport ot = sinkhorn_eps_scaling(uniform(n), uniform(n), C, eps, tol=1e-6)
print("converged:", ot.converged, "marginal error below 1e-6:", ot.err < 1e-6)
print("entropic transport cost:", round(ot.cost * 1e5) / 1e5)

# the plan is lazy too: reduce it without storing it
let P = ot.plan
let moved[i] = sum(j) P[i, j] * (y[j, 0] - x[i, 0])
print("mean displacement along x:", round(sum(moved) * 1e3) / 1e3)

# the same question, answered three other ways
print("sliced W2 (100 directions):", round(sliced_wasserstein(x, y, projections=100, seed=1) * 1e2) / 1e2)
print("Sinkhorn divergence > 0:", sinkhorn_loss(x, y, 1.0).value > 0)
