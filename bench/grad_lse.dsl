# The lazy backward: the gradient with respect to x of sum(i) lse(j) (g[j] - C[i, j]) / eps,
# C[i, j] = |x_i - y_j|^2, never stored: the best time of 3 runs, in seconds, and sum(dx^2).
arg x: f32[n, 3]
arg y: f32[m, 3]
arg g: f32[m]
arg eps: f32 = 0.5
fn softmin(x) {
  let C[i, j] = sum(k) (x[i, k] - y[j, k])^2
  sum(i) lse(j) (g[j] - C[i, j]) / eps
}
let d = grad(softmin)
let r = iterate rep = 0, best = 1e9, total = 0.0 {
  let t0 = now()
  let dx = d(x)
  let s = sum(i, k) f64(dx[i, k])^2
  best = min(best, now() - t0)
  total = s
  rep = rep + 1
} until false max 3
print(r.best, r.total)
