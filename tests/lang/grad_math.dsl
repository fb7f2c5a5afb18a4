# modes: jit interp
# grad against central finite differences in f64 (stdlib gradcheck: the largest
# |analytic - numeric| / (1e-7 + 1e-6 |numeric|) must stay below 1): math functions, arithmetic, where and if.
let x = randn([4, 3], seed=1, dtype=f64)
let p = rand([4, 3], seed=4, dtype=f64) + 0.5
fn report(name, r) { print(name, r.error < 1) }
report("exp log sqrt", gradcheck(fn(x) = sum(exp(x) * log(abs(x) + 1) + sqrt(x * x + 1)), x))
report("tanh sin cos", gradcheck(fn(x) = sum(tanh(x) + sin(x) * cos(2 * x)), x))
report("erf atan sinh", gradcheck(fn(x) = sum(erf(x) + atan(x) + sinh(x) / cosh(x)), x))
report("pow", gradcheck(fn(p) = sum(p ^ 2.5 + 2.0 ^ p), p))
report("div", gradcheck(fn(x) = sum(x / (x * x + 1)), x))
report("where", gradcheck(fn(x) = sum(where(x > 0, x * x, -x)), x))
report("if", gradcheck(fn(x) = sum(i) (if x[i, 0] > 0 then x[i, 1] * x[i, 2] else 3.0 * x[i, 0]), x))
report("maxmin", gradcheck(fn(x) = sum(max(x, 0.3) - min(x, p)), x))
