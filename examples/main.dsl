# Entropic optimal transport between two point clouds, by hand in a dozen lines:
# log-domain Sinkhorn. The cost C is a lazy comprehension, fused into the two lse reductions
# that read it, so nothing of size n x m is ever stored: memory stays O(n + m).
arg n: i64 = 1000
arg eps: f64 = 0.1
let x = randn([n, 2], seed=1)
let y = randn([n, 2], seed=2) + [2.0, 0.0]
let C[i, j] = sum(k) (x[i, k] - y[j, k])^2
let logw = -log(f64(n))               # uniform weights 1/n, in log space

let sk = iterate f = zeros(n, dtype=f64), g = zeros(n, dtype=f64) {
  f[i] = -eps * lse(j) (logw + (g[j] - C[i, j]) / eps)
  g[j] = -eps * lse(i) (logw + (f[i] - C[i, j]) / eps)
  # after the g update the columns sum to 1/n exactly; the rows tell how far we are
  let err = sum(i) abs(exp(lse(j) (logw + (f[i] + g[j] - C[i, j]) / eps)) - 1.0) / n
} until err < 1e-5 max 1000

# the plan P[i,j] = exp((f[i] + g[j] - C[i,j]) / eps) / n^2 is lazy too: its cost <P, C>
let f = sk.f
let g = sk.g
let P[i, j] = exp((f[i] + g[j] - C[i, j]) / eps + 2 * logw)
print("converged:", sk.converged, "after", sk.iterations, "iterations")
print("transport cost:", sum(i, j) P[i, j] * C[i, j])
print("mass:", sum(i, j) P[i, j])
