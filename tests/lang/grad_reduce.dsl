# modes: jit interp
# grad against central finite differences in f64 (stdlib gradcheck: the largest
# |analytic - numeric| / (1e-7 + 1e-6 |numeric|) must stay below 1): every differentiable reduction (prod through zeros, max and min, lse) and the stdlib functions built on them.
let x = randn([4, 3], seed=1, dtype=f64)
let z = [0.5, 0.0, 2.0, -1.5]
let p = rand([4, 3], seed=4, dtype=f64) + 0.5
fn report(name, r) { print(name, r.error < 1) }
report("mean", gradcheck(fn(x) = mean(x * x), x))
report("prod", gradcheck(fn(x) = prod(x), x))
report("prod zero", gradcheck(fn(z) = prod(z), z))
report("max", gradcheck(fn(x) = max(x) + min(x), x))
report("max rows", gradcheck(fn(x) = sum(i) max(k) x[i, k] * x[i, 0], x))
report("lse", gradcheck(fn(x) = lse(x), x))
report("lse rows", gradcheck(fn(x) = sum(i) lse(k) x[i, k] * 2, x))
report("softmax", gradcheck(fn(x) = sum(softmax(x, axis=1) * p), x))
report("log_softmax", gradcheck(fn(x) = sum(log_softmax(x, axis=1) * p), x))
report("var", gradcheck(fn(x) = sum(var(x, axis=0)) + std(x), x))
let y = randn([5, 3], seed=5, dtype=f64)
let g = randn([5], seed=6, dtype=f64)
fn softmin(x) {
  let C[i, j] = sum(k) (x[i, k] - y[j, k])^2
  sum(i) lse(j) (g[j] - C[i, j]) / 0.5
}
report("pairwise lse", gradcheck(softmin, x))
report("pairwise lse wrt y", gradcheck(fn(y) = sum(i) lse(j) -(sum(k) (x[i, k] - y[j, k])^2) / 0.3, y))
