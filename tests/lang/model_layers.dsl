# modes: jit interp
# torch.nn's layers as models (stdlib/layers.dsl): torch's shapes and default initializers, and
# repeated layers (`param layers[i < n]`, read as layers[k], chained with fold).
let lin = Linear(64, 32, seed=7)
let k = 1 / sqrt(64.0)
print("linear", lin.weight.shape, max(abs(lin.weight)) <= k, max(abs(lin.bias)) <= k, max(abs(lin.weight)) > 0.9 * k)
let conv = Conv2d(3, 8, 3, padding=1)
let kc = 1 / sqrt(27.0)
print("conv2d", conv.weight.shape, max(abs(conv.weight)) <= kc, conv.forward(randn([2, 3, 5, 5])).shape)
print("conv1d", Conv1d(2, 4, 3, stride=2).forward(randn([1, 2, 9])).shape)
let att = MultiheadAttention(16, 4, seed=2)
# xavier_uniform on [48, 16]: U(-b, b), b = sqrt(6 / (16 + 48))
print("attention", att.forward(randn([2, 5, 16]), causal=true).shape, max(abs(att.in_proj_weight)) <= sqrt(6 / 64.0),
      sum(abs(att.in_proj_bias)) + sum(abs(att.out_proj.bias)) == 0)
let emb = Embedding(1000, 8, seed=4)
print("embedding", emb.forward([1, 2]).shape, abs(mean(emb.weight)) < 0.05, abs(sqrt(mean(emb.weight^2)) - 1) < 0.05)
let ln = LayerNorm(4)
let xs = randn([3, 4], seed=9)
print("norms", max(abs(ln.forward(xs) - layernorm(xs))) == 0, max(abs(RMSNorm(4).forward(xs) - rmsnorm(xs))) == 0)
model Block(d: int) {
  param norm = LayerNorm(d)
  param lin = Linear(d, d)
  fn forward(x) = x + nn_relu(lin.forward(norm.forward(x)))
}
model Deep(d: int, depth: int, c: int) {
  param layers[i < depth] = Block(d)
  param head = Linear(d, c)
  fn forward(x) = head.forward(fold(fn(h, layer) = layer.forward(h), x, layers))
}
let net = Deep(4, 3, 2, seed=3)
let x = randn([5, 4], seed=1)
let chained = net.head.forward(net.layers[2].forward(net.layers[1].forward(net.layers[0].forward(x))))
print("layers", max(abs(chained - net.forward(x))) == 0, net.layers[1].lin.weight[0, 0] != net.layers[0].lin.weight[0, 0])
let g = grad(fn(m) = sum(m.forward(x)^2))(net)
let net64 = tree_map(f64, net)
print("grad", g.layers[2].lin.bias.shape, sum(abs(g.layers[0].lin.weight)) > 0,
      gradcheck(fn(x) = sum(net64.forward(x)^2), f64(x)).error < 1)
