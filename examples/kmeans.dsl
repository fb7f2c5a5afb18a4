# k-means (Lloyd's algorithm) on three well-separated blobs. The point-to-centre distances are
# a lazy comprehension fused into argmin, and the centre update is a pair of reductions.
arg n: i64 = 3000
let k = 3
let blobs = [[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]]
let noise = randn([n, 2], seed=11)
let x[i, d] = blobs[i % 3, d] + noise[i, d]
let start[c < k, d] = x[c, d]                   # the first k points
let fit = iterate centres = start {
  let D[i, c] = sum(d) (x[i, d] - centres[c, d])^2
  let assign[i] = argmin(c) D[i, c]
  let count[c < k] = sum(i) if assign[i] == c then 1.0 else 0.0
  let moved[c < k, d] = (sum(i) if assign[i] == c then x[i, d] else 0.0) / count[c]
  let shift = max(c, d) abs(moved[c, d] - centres[c, d])
  centres = moved
} until shift < 1e-9 max 100
print("converged:", fit.converged)
# the centres, rounded so the output does not depend on summation order
let rounded[c, d] = round(fit.centres[c, d] * 10) / 10 + 0.0   # + 0.0 turns -0.0 into 0.0
print(rounded)
