# One training step of an MLP d-h-c (relu, cross-entropy, AdamW with PyTorch's defaults and
# weight decay 0.01) on a batch of b random points: the best time per step over several runs of
# `steps` steps, in seconds, and the last loss.
arg d: i64 = 64
arg h: i64 = 128
arg c: i64 = 10
arg b: i64 = 64
arg steps: i64 = 100
let x = randn([b, d], seed=1)
let y = i64(rand([b], seed=2) * c) % c
fn forward(p, x) {
  let a = x @ p.W1 + p.b1
  let r = where(a > 0, a, 0.0)
  r @ p.W2 + p.b2
}
fn xent(p, x, y) {
  let z = forward(p, x)
  mean(i) (lse(j) z[i, j] - z[i, y[i]])
}
fn init(shape_in, shape_out, seed) = (rand([shape_in, shape_out], seed=seed) * 2 - 1) / sqrt(f32(shape_in))
let p0 = {W1: init(d, h, 3), b1: zeros(h), W2: init(h, c, 4), b2: zeros(c)}
let zero = tree_map(fn(w) = w * 0.0, p0)
let step = value_and_grad(xent)
let lr = 1e-3
let r = iterate rep = 0, best = 1e9, loss = 0.0 {
  let t0 = now()
  let s = iterate p = p0, m = zero, v = zero, t = 1, l = 0.0 {
    let vg = step(p, x, y)
    let b1c = 1 - 0.9 ^ f32(t)
    let b2c = 1 - 0.999 ^ f32(t)
    m = tree_map(fn(mi, gi) = 0.9 * mi + 0.1 * gi, m, vg.grad)
    v = tree_map(fn(vi, gi) = 0.999 * vi + 0.001 * gi * gi, v, vg.grad)
    p = tree_map(fn(w, mi, vi) = w * (1 - lr * 0.01) - lr * (mi / b1c) / (sqrt(vi / b2c) + 1e-8), p, m, v)
    t = t + 1
    l = vg.value
  } max steps
  best = min(best, (now() - t0) / f64(steps))
  loss = f64(s.l)
  rep = rep + 1
} until false max 5
print(r.best, r.loss)
