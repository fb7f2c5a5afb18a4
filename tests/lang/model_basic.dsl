# modes: jit interp
# `model` declarations: params with initializers filled from the declared type and seeded per
# parameter, methods that read the record they are called on (so a trained or differentiated
# record computes with its own values), composition, iterate and if over models, print.
model Affine(d_in: int, d_out: int) {
  param weight: f64[d_out, d_in] = kaiming_uniform(a=sqrt(5.0))
  param bias: f64[d_out] = init_uniform(a=-1 / sqrt(f64(d_in)), b=1 / sqrt(f64(d_in)))
  fn forward(x) = x @ weight.T + bias
}
model Net(d: int, h: int, c: int) {
  let scale = 0.5
  param hidden = Affine(d, h)
  param out = Affine(h, c)
  param gain: f64 = 2.0
  fn features(x) = tanh(hidden.forward(x)) * scale
  fn forward(x) = out.forward(features(x)) * gain
}
let x = randn([5, 4], seed=11, dtype=f64)
let y = randn([5, 3], seed=12, dtype=f64)
let net = Net(4, 6, 3, seed=1)
# the methods compute what the same formula over the fields computes
fn by_hand(p, x) = (tanh(x @ p.hidden.weight.T + p.hidden.bias) * 0.5 @ p.out.weight.T + p.out.bias) * p.gain
print("forward", max(abs(net.forward(x) - by_hand(net, x))) == 0)
# the initializers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both, each parameter its own stream
let b = 1 / sqrt(4.0)
print("bounds", max(abs(net.hidden.weight)) <= b, max(abs(net.hidden.bias)) <= b, max(abs(net.out.weight)) <= 1 / sqrt(6.0))
print("streams", net.hidden.weight[0, 0] != net.out.weight[0, 0], net.hidden.bias[0] != net.out.bias[0])
print("seeded", max(abs(Net(4, 6, 3, seed=1).hidden.weight - net.hidden.weight)) == 0,
      max(abs(Net(4, 6, 3, seed=2).hidden.weight - net.hidden.weight)) > 0)
# kaiming_uniform(a = sqrt 5) on a large layer: the standard deviation of U(-k, k) is k / sqrt 3
let big = Affine(400, 300, seed=3)
print("std", abs(sqrt(mean(big.weight^2)) / (1 / sqrt(400.0) / sqrt(3.0)) - 1) < 0.01)
# gradients through the methods equal those through the same formula over a plain record
fn mse_of(p, x, y) = mean((p.forward(x) - y)^2)
fn mse_hand(p, x, y) = mean((by_hand(p, x) - y)^2)
let plain = {hidden: {weight: net.hidden.weight, bias: net.hidden.bias},
             out: {weight: net.out.weight, bias: net.out.bias}, gain: net.gain}
let gm = grad(mse_of)(net, x, y)
let gp = grad(mse_hand)(plain, x, y)
print("grad", max(abs(gm.hidden.weight - gp.hidden.weight)) < 1e-15, max(abs(gm.out.bias - gp.out.bias)) < 1e-15,
      abs(gm.gain - gp.gain) < 1e-15)
print("gradcheck", gradcheck(fn(w) = mse_hand({hidden: plain.hidden, out: {weight: w, bias: plain.out.bias}, gain: 2.0}, x, y),
                             net.out.weight).error < 1)
# a model is an iterate state: its parameters travel, its methods stay
let step = value_and_grad(mse_of)
let fit = iterate m = net, first = 0.0, k = 0 {
  let vg = step(m, x, y)
  m = tree_map(fn(w, g) = w - 0.1 * g, m, vg.grad)
  first = if k == 0 then vg.value else first
  k = k + 1
} max 100
print("trained", mse_of(fit.m, x, y) < 0.5 * fit.first, mse_of(net, x, y) == fit.first)
let chosen = if fit.k > 50 then fit.m else net
print("if", max(abs(chosen.forward(x) - fit.m.forward(x))) == 0)
# a model prints its parameters; tree_map converts it
let tiny = Affine(2, 1, seed=5)
print(tiny)
print(tree_map(f32, tiny).forward(f32([[1, 2]])).shape)
