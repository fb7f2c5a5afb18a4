# modes: jit interp
# args: --a=0 --s=2
# timeout: 240
# Gradients through windows: reads x[t * a + j - c] bind t = (p - j + c) / a at each point p
# (checked exact) and sum the window's j, so the backward of a strided conv or pool costs k terms
# per point, not one per output (tests/ir/grad_window_bound). Each gradient equals the same sum
# written as a comparison with every point (dense, exact), and central differences (gradcheck).
arg a: i64 = 1
arg s: i64 = 1
let x = randn([11], seed=1, dtype=f64)
let w = randn([4, 3], seed=2, dtype=f64)
fn dense(a, c) {
  let d[p < 11] = sum(t < 4, j < 3) if t * a + j - c == p then w[t, j] else 0
  d
}
fn window(x, a, c) {
  let y[t < 4, j < 3] = if t * a + j - c >= 0 and t * a + j - c < 11 then x[t * a + j - c] else 0
  sum(y * w)
}
# stride 2 with padding 1, stride 3 with gaps, overlapping stride 1, a run-time stride s = 2, and
# a run-time a = 0 (the read does not move with t: every t adds to the same points)
print("stride 2 pad 1", max(abs(grad(fn(x) = window(x, 2, 1))(x) - dense(2, 1))))
print("stride 3", max(abs(grad(fn(x) = window(x, 3, 0))(x) - dense(3, 0))))
print("stride 1", max(abs(grad(fn(x) = window(x, 1, 2))(x) - dense(1, 2))))
print("run-time stride", max(abs(grad(fn(x) = window(x, s, 1))(x) - dense(2, 1))))
print("zero stride", max(abs(grad(fn(x) = window(x, a, 0))(x) - dense(0, 0))))
# a reversed read x[n - 1 - i] (a negative term) and a sliding sum x[i + j]
let v = randn([11], seed=3, dtype=f64)
let rev[p < 11] = v[10 - p]
print("reversed", max(abs(grad(fn(x) = sum(i < 11) x[10 - i] * v[i])(x) - rev)))
let hank[p < 11] = sum(i < 9, j < 3) if i + j == p then v[i] * v[j] else 0
print("sliding", max(abs(grad(fn(x) = sum(i < 9, j < 3) x[i + j] * v[i] * v[j])(x) - hank)))
# the nn library's windows at strides and paddings grad_nn.dsl does not take
let xi = randn([2, 3, 9], seed=4, dtype=f64)
let K = randn([4, 3, 3], seed=5, dtype=f64)
let img = randn([1, 2, 7, 7], seed=6, dtype=f64)
let K2 = randn([3, 2, 3, 3], seed=7, dtype=f64)
fn report(name, r) { print(name, r.error < 1) }
report("conv1d x stride 2 pad 1", gradcheck(fn(xi) = sum(conv1d(xi, K, stride=2, padding=1)^2), xi))
report("conv1d x stride 3", gradcheck(fn(xi) = sum(conv1d(xi, K, stride=3)^2), xi))
report("conv2d x stride 2 pad 1", gradcheck(fn(img) = sum(conv2d(img, K2, stride=2, padding=1)^2), img))
report("avg_pool1d overlapping", gradcheck(fn(xi) = sum(avg_pool1d(xi, 3, stride=2)^2), xi))
report("max_pool2d stride 1", gradcheck(fn(img) = sum(max_pool2d(img, 2, stride=1)^2), img))
