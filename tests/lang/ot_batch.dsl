# sinkhorn_batch solves K problems at once and agrees with K separate sinkhorn_log solves; the
# costs are one lazy comprehension over three pairs of point clouds of different spreads.
let X = randn([3, 60, 2], seed=1, dtype=f64)
let Y = randn([3, 50, 2], seed=2, dtype=f64)
let spread = [0.5, 1.0, 2.0]
let C[k, i, j] = sum(c) (X[k, i, c] * spread[k] - Y[k, j, c])^2 / 10
let A = full([3, 60], 1 / 60.0, dtype=f64)
let W = rand([3, 50], seed=3, dtype=f64) + 0.5
let B[k, j] = W[k, j] / sum(q) W[k, q]
let r = sinkhorn_batch(A, B, C, 0.05, tol=1e-12, max_iter=10000)
print(r.converged, max(r.err) < 1e-12)

fn one(k, r, A: f64[K, n], B: f64[K, m], C: f64[K, n, m]) {
  let Ck[i, j] = C[k, i, j]
  let Ak[i] = A[k, i]
  let Bk[j] = B[k, j]
  let s = sinkhorn_log(Ak, Bk, Ck, 0.05, tol=1e-12, max_iter=10000)
  let rc = r.cost
  let rv = r.value
  print(k, abs(rc[k] - s.cost) / s.cost < 1e-10, abs(rv[k] - s.value) / abs(s.value) < 1e-10)
}

one(0, r, A, B, C)
one(1, r, A, B, C)
one(2, r, A, B, C)
