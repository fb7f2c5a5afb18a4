# modes: jit interp
# timeout: 240
# Autodiff through sinkhorn_log's iterations (unrolled, up to its max_iter) against the envelope
# theorem's gradient of the entropic cost, 2 sum(j) P[i, j] (x[i] - y[j]), which sinkhorn_loss
# returns: the two agree once the iterations have converged (here to 1e-11).
let x = randn([6, 2], seed=1, dtype=f64)
let y = randn([5, 2], seed=2, dtype=f64) + 0.5
let eps = 4.0
fn ot(x) {
  let C[i, j] = sum(k) (x[i, k] - y[j, k])^2
  sinkhorn_log(uniform(6), uniform(5), C, eps, tol=1e-11, max_iter=16).value
}
let d = grad(ot)
let auto = d(x)
let C0[i, j] = sum(k) (x[i, k] - y[j, k])^2
let r = sinkhorn_log(uniform(6), uniform(5), C0, eps, tol=1e-11, max_iter=16)
let P = r.plan
let envelope[i, k] = 2 * sum(j) P[i, j] * (x[i, k] - y[j, k])
print(r.converged, max(abs(auto - envelope)) < 1e-10)
