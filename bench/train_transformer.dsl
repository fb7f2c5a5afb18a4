# One training step of a 2-layer pre-norm transformer encoder (width d, `heads` heads, a relu
# feed-forward of 4 d; stdlib/nn.dsl's layernorm, multihead_attention and linear) on a batch of
# b random sequences of length s, the loss the mean squared error against a random target, and
# AdamW with PyTorch's defaults and weight decay 0.01: the best time per step over several runs
# of `steps` steps, in seconds, and the last loss. PyTorch's side: bench/train_transformer.py.
arg b: i64 = 16
arg s: i64 = 64
arg d: i64 = 128
arg heads: i64 = 4
arg steps: i64 = 5
let x0 = randn([b * s, d], seed=1)
let target = randn([b * s, d], seed=2)
fn init(o, i, seed) = (rand([o, i], seed=seed) * 2 - 1) / sqrt(f32(i))
fn layer_params(seed) = {in_w: init(3 * d, d, seed), in_b: zeros(3 * d), out_w: init(d, d, seed + 1),
                         out_b: zeros(d), n1w: ones(d), n1b: zeros(d), n2w: ones(d), n2b: zeros(d),
                         f1w: init(4 * d, d, seed + 2), f1b: zeros(4 * d), f2w: init(d, 4 * d, seed + 3),
                         f2b: zeros(d)}
fn layer(p, x) {
  let h = reshape(layernorm(x, p.n1w, p.n1b), [b, s, d])
  let a = multihead_attention(h, h, h, p.in_w, p.in_b, p.out_w, p.out_b, heads)
  let x1 = x + reshape(a, [b * s, d])
  let f = linear(relu(linear(layernorm(x1, p.n2w, p.n2b), p.f1w, p.f1b)), p.f2w, p.f2b)
  x1 + f
}
fn loss(p, x, y) = mse(layer(p.l2, layer(p.l1, x)), y)
let p0 = {l1: layer_params(10), l2: layer_params(20)}
let zero = tree_map(fn(w) = w * 0.0, p0)
let step = value_and_grad(loss)
let lr = 1e-3
let r = iterate rep = 0, best = 1e9, last = 0.0 {
  let t0 = now()
  let st = iterate p = p0, m = zero, v = zero, t = 1, l = 0.0 {
    let vg = step(p, x0, target)
    let b1c = 1 - 0.9 ^ f32(t)
    let b2c = 1 - 0.999 ^ f32(t)
    m = tree_map(fn(mi, gi) = 0.9 * mi + 0.1 * gi, m, vg.grad)
    v = tree_map(fn(vi, gi) = 0.999 * vi + 0.001 * gi * gi, v, vg.grad)
    p = tree_map(fn(w, mi, vi) = w * (1 - lr * 0.01) - lr * (mi / b1c) / (sqrt(vi / b2c) + 1e-8), p, m, v)
    t = t + 1
    l = vg.value
  } max steps
  best = min(best, (now() - t0) / f64(steps))
  last = f64(st.l)
  rep = rep + 1
} until false max 3
print(r.best, r.last)
