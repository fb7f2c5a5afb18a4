# modes: jit interp
# grad against central finite differences in f64 (stdlib gradcheck: the largest
# |analytic - numeric| / (1e-7 + 1e-6 |numeric|) must stay below 1): broadcasting, `@` in each pairing of vectors and matrices, slices, shifted reads, transposes, literals and records.
let x = randn([4, 3], seed=1, dtype=f64)
let v = randn([3], seed=2, dtype=f64)
let W = randn([3, 5], seed=3, dtype=f64)
fn report(name, r) { print(name, r.error < 1) }
report("broadcast", gradcheck(fn(x) = sum((x + v) * v), x))
report("broadcast v", gradcheck(fn(v) = sum((x + v) * v), v))
report("matmul A", gradcheck(fn(x) = sum((x @ W)^2), x))
report("matmul B", gradcheck(fn(W) = sum(tanh(x @ W)), W))
report("matvec", gradcheck(fn(v) = sum((x @ v)^2), v))
report("vecmat", gradcheck(fn(v) = sum((v @ W)^2), v))
report("dot", gradcheck(fn(v) = v @ v, v))
report("slice", gradcheck(fn(x) = sum(x[1:3, :] * 2) + sum(x[:, 0]), x))
report("shift", gradcheck(fn(v) = sum(i < 2) v[i + 1] * v[i], v))
report("transpose", gradcheck(fn(x) = sum(x.T @ x), x))
report("elem", gradcheck(fn(x) = x[1, 2] * x[0, 0], x))
report("literal", gradcheck(fn(v) = sum([v[0] * 2, v[1] * v[2], 1.0]^2), v))
report("record", gradcheck(fn(v) { let r = {a: v * 2, b: sum(v)}; sum(r.a) * r.b }, v))
let w = randn([4, 3], seed=8, dtype=f64)
report("cumsum rows", gradcheck(fn(x) = sum(cumsum(x, axis=0) * w), x))
report("cumsum cols", gradcheck(fn(x) = sum(cumsum(x, axis=1)^2), x))
report("cumsum all", gradcheck(fn(x) = sum(cumsum(x) * flatten(w)), x))
