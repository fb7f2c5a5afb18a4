# tol: 1e-12
# grad inside an iterate body: gradient descent on a record of parameters, lifted over its leaves
# with tree_map (the expected values: tests/conformance/gen_grad_train.py, PyTorch 1.13).
let x = [[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [-2.0, 1.0]]
let y = [1.0, 2.0, 0.5, -1.5]
fn model(p, x) = tanh(x @ p.W + p.b) @ p.v
fn loss(p, x, y) = mean(i) (model(p, x)[i] - y[i])^2
let p0 = {W: [[0.5, -0.2, 0.1], [0.3, 0.8, -0.5]], b: [0.1, 0.0, -0.1], v: [1.0, -1.0, 0.5]}
let dloss = value_and_grad(loss)
let r = iterate p = p0, l = 0.0 {
  let vg = dloss(p, x, y)
  p = tree_map(fn(w, g) = w - 0.1 * g, p, vg.grad)
  l = vg.value
} max 20
print(r.l)
print(r.p.W)
print(r.p.b, r.p.v)
print(tree_sum(fn(w) = sum(w^2), r.p))
