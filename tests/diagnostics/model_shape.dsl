# A model given data of the wrong width: the error names the layer, the declared and the given shapes.
model Net(d: int, h: int, c: int) {
  param hidden = Linear(d, h)
  param out = Linear(h, c)
  fn forward(x) = out.forward(nn_relu(hidden.forward(x)))
}
let net = Net(4, 8, 3)
print(net.forward(randn([2, 5])))
