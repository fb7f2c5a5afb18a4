# rand.dsl: rand's draws per second in f32 and f64 (bench/rand.sh), three ways: drawn whole by
# the runtime's batched Philox kernel (rand([65536]): a size known when compiling and small),
# stored by compiled code that computes each element from its position (rand([n * s]), a size
# known at run time), and drawn where they are read (a mask's count over 2^27 draws, never
# stored). 1000 tensors of 65536 draws stay in the caches: this measures the drawing.
arg s: i64 = 1
arg steps: i64 = 1000
fn rate(n, t0, t1) = f64(n) / (t1 - t0) / 1e6
let n = 65536
let big = 134217728
let t0 = now()
let a = iterate u = zeros(n), step = 0 { u = rand([65536], seed=step); step = step + 1 } max steps
let t1 = now()
let b = iterate u = zeros(n * s), step = 0 { u = rand([n * s], seed=step); step = step + 1 } max steps
let t2 = now()
let e = rand([big * s], seed=3)
let ce = sum(i) i64(e[i] < 0.5)
let t3 = now()
let c = iterate u = zeros(n, dtype=f64), step = 0 { u = rand([65536], seed=step, dtype=f64); step = step + 1 } max steps
let t4 = now()
let d = iterate u = zeros(n * s, dtype=f64), step = 0 { u = rand([n * s], seed=step, dtype=f64); step = step + 1 } max steps
let t5 = now()
let f = rand([big * s], seed=3, dtype=f64)
let cf = sum(i) i64(f[i] < 0.5)
let t6 = now()
check(a.u[7] == b.u[7] and c.u[7] == d.u[7] and abs(f64(ce) / f64(big) - 0.5) < 1e-3 and abs(f64(cf) / f64(big) - 0.5) < 1e-3,
      "rand.dsl: the draws differ")
let m = n * steps
print("f32 runtime kernel, stored:", rate(m, t0, t1), "M/s")
print("f32 compiled, stored:      ", rate(m, t1, t2), "M/s")
print("f32 compiled, read fused:  ", rate(big, t2, t3), "M/s")
print("f64 runtime kernel, stored:", rate(m, t3, t4), "M/s")
print("f64 compiled, stored:      ", rate(m, t4, t5), "M/s")
print("f64 compiled, read fused:  ", rate(big, t5, t6), "M/s")
