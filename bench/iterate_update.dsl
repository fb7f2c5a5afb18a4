# An elementwise update of n = 200,000 values in an iterate, `iters` times (bench/threads.sh).
# Prints: seconds, the sum of the result.
arg n: i64 = 200000
arg iters: i64 = 1000
let t0 = now()
let r = iterate x = zeros(n, dtype=f64) {
  x[i] = 0.5 * x[i] + 1.0
} until false max iters
print(now() - t0, sum(r.x))
