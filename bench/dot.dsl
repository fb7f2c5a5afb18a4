# A streaming reduction over two large vectors: best time of several runs, in seconds.
arg n: i64 = 67108864
let a = rand([n], seed=1)
let b = rand([n], seed=2)
let r = iterate rep = 0, best = 1e9, acc = 0.0 {
  let t0 = now()
  let s = sum(i) a[i] * b[i]
  best = min(best, now() - t0)
  acc = acc + f64(s)
  rep = rep + 1
} until false max 7
print(r.best, r.acc / 7)
