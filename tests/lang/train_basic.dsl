# modes: jit interp
# train is the loop one would write by hand (stdlib/train.dsl): the same batches (the rows in the
# order argsort(rand(n, seed=seed * 1000003 + epoch)), 13 rows left over each epoch), Adam's step
# on every parameter, the mean batch loss per epoch and the evaluation on the test split; the
# parameters, the optimizer state and the history are the same bits. The parameters are a
# nested record with a method (forward), which train keeps.
let x = randn([61, 2], seed=4)
let y[i] = i64(x[i, 0] + 0.5 * x[i, 1] > 0)
let tx = randn([20, 2], seed=5)
let ty[i] = i64(tx[i, 0] + 0.5 * tx[i, 1] > 0)
let net = {l1: {weight: [[0.5, -0.2], [0.3, 0.8], [0.1, -0.5]], bias: [0.1, 0.0, -0.1]},
           l2: {weight: [[1.0, -1.0, 0.5], [-0.5, 0.5, 1.0]], bias: [0.0, 0.0]},
           forward: fn(p, x) = linear(tanh(linear(x, p.l1.weight, p.l1.bias)), p.l2.weight, p.l2.bias)}
fn loss(p, x, y) = cross_entropy(p.forward(p, x), y)
fn accuracy(p, x, y) = mean(f64(argmax(p.forward(p, x), axis=1) == y))
let opt = adam(lr=0.05)
let r = train(net, loss, opt, {x: x, y: y}, epochs=3, batch_size=16, seed=7, test={x: tx, y: ty}, metric=accuracy,
              eval_batch=10)
# by hand
let vg = value_and_grad(loss)
let h = iterate p = net, s = tree_map(opt.init, net), k = 0, losses = zeros(3, dtype=f64), total = 0.0 {
  let e = i64(k / 3)
  let b = k % 3
  let idx = argsort(rand([61], seed=7 * 1000003 + e))[b * 16:b * 16 + 16]
  let out = vg(p, x[idx], y[idx])
  let new = tree_map(fn(w, g, st) = opt.step(w, g, st), p, out.grad, s)
  p = tree_map(fn(w, u) = u.p, p, new)
  s = tree_map(fn(w, u) = u.state, p, new)
  total = total + f64(out.value)
  losses = where(arange(3) == e and b == 2, total / 3, losses)
  total = if b == 2 then 0.0 else total
  k = k + 1
} max 9
let same = tree_sum(fn(a, b) = sum(i64(a != b)), r.params, h.p) + tree_sum(fn(a, b) = sum(i64(a != b)), r.state, h.s)
print(r.step, r.epochs, same, all(r.history.loss == h.losses))
let tl = (loss(h.p, tx[0:10], ty[0:10]) + loss(h.p, tx[10:20], ty[10:20])) / 2
print(r.history.test_loss[2] == tl, r.history.metric, r.history.loss[0] > r.history.loss[2])
print(r.params.forward(r.params, tx[0:2]) == h.p.forward(h.p, tx[0:2]))
