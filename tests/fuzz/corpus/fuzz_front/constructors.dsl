# Constructors: zeros, ones, full, arange, linspace, eye (all lazy), rand and randn (seeded).
print(zeros(3), ones([2, 2], dtype=i32), full([2], 7), full([2], 0.5, dtype=f64))
print(arange(5), arange(2, 6), arange(10, 0, -3), arange(0.0, 1.0, 0.25), arange(3, dtype=f32))
print(arange(5, 2), linspace(0, 1, 5), linspace(-1, 1, 1), eye(3))
let n = 4
print(zeros([n, 2]))
print(sum(i) arange(1000000)[i])
let u = rand([100000], seed=7)
let g = randn([100000], seed=7, dtype=f64)
print(min(u) >= 0.0, max(u) < 1.0, abs(mean(u) - 0.5) < 0.01)
print(abs(mean(g)) < 0.02, abs(mean(i) g[i]^2 - 1.0) < 0.02)
# the same seed gives the same numbers; another seed different ones
print(sum(i) abs(rand([10], seed=3)[i] - rand([10], seed=3)[i]), sum(rand([10], seed=3) - rand([10], seed=4)) != 0.0)
