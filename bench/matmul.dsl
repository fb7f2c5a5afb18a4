# a @ b on n x n f32 matrices (OpenBLAS behind it): best time of several runs, in seconds.
arg n: i64 = 2048
let am = rand([n, n], seed=1)
let bm = rand([n, n], seed=2)
let r = iterate rep = 0, best = 1e9, acc = 0.0 {
  let t0 = now()
  let c = am @ bm
  best = min(best, now() - t0)
  acc = acc + f64(c[0, 0])
  rep = rep + 1
} until false max 5
print(r.best, r.acc / 5)
