# The fused pairwise log-sum-exp f[i] = lse_j -|x_i - y_j|^2 / eps on the benchmark's data:
# best time of several runs, in seconds, and the sum of f.
arg x: f32[n, 3]
arg y: f32[m, 3]
arg eps: f32 = 0.1
let r = iterate rep = 0, best = 1e9, total = 0.0 {
  let t0 = now()
  let f[i] = lse(j) -(sum(k) (x[i, k] - y[j, k])^2) / eps
  let s = sum(f)
  best = min(best, now() - t0)
  total = f64(s)
  rep = rep + 1
} until false max 3
print(r.best, r.total)
