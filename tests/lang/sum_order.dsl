# Float sums and products are computed in one order on every path (docs/language.md,
# "Reductions"), so the JIT, a built program and the interpreter print the same bits, whatever
# the thread count and whether a sum's terms are fused: before, the JIT reassociated for its
# vectors and chunks and the interpreter added in order (sum(u) printed 5041.7017 and 5041.691).
let u = rand([10000], seed=2)
let w = f64(u)
print(sum(u), sum(w), mean(u), mean(w), prod(i < 40) (1.0 + u[i] / 8))
let x = randn([300, 7], seed=3, dtype=f64)
let rows[i] = sum(j) x[i, j]
print(sum(x), sum(i, j) x[i, j], sum(i) sum(j) x[i, j], sum(rows), mean(x))
print(sum(i) lse(j) -(x[i, 0] - x[j, 1])^2, sum(i < 300) u[i] * w[i + 1])
# fewer than 32 terms are added in order
let tenths = [0.1, 0.2, 0.3]
print(sum(i) tenths[i], 0.1 + 0.2 + 0.3, sum(i < 31) 0.1 * f64(i + 1))
let e = zeros([0], dtype=f64)
print(sum(e), prod(e), sum([-0.0, -0.0]), max([-0.0, 0.0, -0.0]), min([0.0, -0.0, 0.0]))
