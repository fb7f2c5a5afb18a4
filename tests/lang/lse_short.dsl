# An lse over a few terms known when compiling (at most 16) is two loops, the maximum then the
# sum of exp(v - max), unrolled inside other loops (loops.c, unroll.c): the same values as the
# tiled lse of longer ranges. Rows: all -inf (-inf), +inf among them (+inf), NaN among them
# (NaN), ordinary values (log(e + e^2 + e^3) = 3.40760596444438), and values whose exps
# overflow (1000 + log 2).
let v[r < 5, k < 3] = if r == 0 then -inf
                      else if r == 1 then (if k == 0 then inf else f64(k))
                      else if r == 2 then (if k == 1 then nan else f64(k))
                      else if r == 3 then f64(k + 1)
                      else (if k == 2 then -inf else 1000.0)
let row[r] = lse(k) v[r, k]
print(row)
print(lse(k < 3) v[3, k])
# each row's terms 13 times (39 terms: the tiled lse) add log(13) where the lse is finite, and
# the same -inf, +inf and NaN where it is not
let long[r < 5] = lse(k < 39) v[r, k % 3]
print(long[0], long[1], long[2], abs(long[3] - row[3] - log(13.0)) < 1e-14, abs(long[4] - row[4] - log(13.0)) < 1e-12)
# f32, in a loop over points (unrolled, then vectorised across them)
let x = f32(rand([1000, 4], seed=3) * 10)
let l[i] = lse(k) x[i, k]
let ref[i] = max(k) x[i, k] + log(sum(k) exp(x[i, k] - max(j) x[i, j]))
print(max(i) abs(l[i] - ref[i]) < 4e-6)
# the same rows with their length known only when running: the same bits
arg three: i64 = 3
let dyn[r < 5] = lse(k < three) v[r, k]
print(dyn)
let ld[i] = lse(k < three + 1) x[i, k]
print(all(ld == l))
