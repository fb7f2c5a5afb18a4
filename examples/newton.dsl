# Newton's method on a whole vector at once: square roots of 1..8, to full precision.
let a = f64(arange(1, 9))
let r = iterate x = ones(8, dtype=f64) {
  let next[i] = 0.5 * (x[i] + a[i] / x[i])
  let change = max(i) abs(next[i] - x[i])
  x = next
} until change < 1e-15 max 50
print(r.x)
print("iterations:", r.iterations, "worst error:", max(i) abs(r.x[i] * r.x[i] - a[i]))
