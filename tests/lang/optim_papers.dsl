# tol: 1e-10
# stdlib/optim.dsl's Lion, signSGD / Signum and Muon (with AdamW for the bias, its `other`)
# against NumPy implementations of the papers' and the reference code's update rules in
# tests/conformance/gen_optim.py (PyTorch 1.13 has none of them), which writes optim_papers.out:
# the problem and the printing of optim_torch.dsl, and for Muon's tall case V [5, 3] and c [5].
let X = [[0.39, 0.63, -0.31, -0.91], [0.14, -0.71, 0.44, -0.31], [-0.09, 0.95, 0.56, 0.69],
         [0.11, 0.88, -0.96, 0.78], [-0.22, -0.54, 0.07, 0.89], [-0.34, 0.82, -0.07, 0.93],
         [0.53, 0.57, -0.28, 0.18], [-0.5, 0.6, -0.48, 0.35]]
let Y = [[-0.85, -0.51, -0.28], [-0.66, -0.48, -0.6], [-0.92, -0.31, -0.06], [-0.17, 0.8, -0.82],
         [0.25, -0.3, -0.95], [0.55, -0.16, 0.95], [0.55, 0.74, 0.13], [-0.32, 0.71, -0.17]]
let W0 = [[0.74, 0.83, -0.29, 0.45], [0.63, 1.0, -0.09, -0.6], [-0.48, -0.24, -0.86, 0.39]]
let b0 = [-0.89, -0.07, 1.0]

# the gradient of sum((X W^T + b - Y)^2) / n
fn grads(W, b) {
  let R = X @ transpose(W) + b - Y
  {W: 2 * transpose(R) @ X / 8, b: 2 * sum(R, axis=0) / 8}
}
let Xt = X[:, 0:3]
let Z = [[0.32, -0.59, 0.87, 0.99, 0.66], [0.17, 0.67, 0.35, 0.73, -0.0], [-0.44, 0.12, -0.01, -0.58, 0.35],
         [0.46, -0.47, -0.67, 0.16, -0.08], [0.45, 0.49, -0.96, -0.58, 0.73], [0.34, 0.58, 0.49, 0.19, -0.35],
         [-0.43, 0.24, 0.24, 0.84, 0.25], [0.13, -0.97, 0.32, 0.76, 0.28]]
let V0 = [[-0.19, -0.58, -0.18], [-0.48, -0.6, -0.48], [-0.39, -0.09, -0.43], [0.28, 0.71, -0.95],
          [-0.07, 0.23, -0.05]]
let c0 = [0.04, -0.32, 0.99, -0.41, 0.56]
fn grads_tall(V, c) {
  let R = Xt @ transpose(V) + c - Z
  {W: 2 * transpose(R) @ Xt / 8, b: 2 * sum(R, axis=0) / 8}
}

# 20 updates: the matrix by `mat`, the bias by `vec` (two records {init, step}); prints the
# parameters after 1, 5 and 20 of them
fn show(mat, vec, grad = grads, W0 = W0, b0 = b0) {
  let start = {W: W0, b: b0}
  let r = iterate W = W0, b = b0, sW = mat.init(W0), sb = vec.init(b0), at1 = start, at5 = start {
    let g = grad(W, b)
    let oW = mat.step(W, g.W, sW)
    let ob = vec.step(b, g.b, sb)
    let now = {W: oW.p, b: ob.p}
    at1 = if oW.state.step == 1 then now else at1
    at5 = if oW.state.step == 5 then now else at5
    W = oW.p
    b = ob.p
    sW = oW.state
    sb = ob.state
  } max 20
  print({W: flatten(r.at1.W), b: r.at1.b}, {W: flatten(r.at5.W), b: r.at5.b}, {W: flatten(r.W), b: r.b})
}

let l1 = lion(lr=0.01)
let l2 = lion(lr=0.01, beta1=0.8, beta2=0.9, weight_decay=0.5)
let s1 = signsgd(lr=0.01)
let s2 = signsgd(lr=0.01, momentum=0.9)
let m1 = muon(adam_lr=0.01)
let m2 = muon(lr=0.05, nesterov=false, weight_decay=0.1, adam_lr=0.01, adam_weight_decay=0.1)
show(l1, l1)
show(l2, l2)
show(s1, s1)
show(s2, s2)
show(m1, m1.other)
show(m2, m2.other)
show(m1, m1.other, grad=grads_tall, W0=V0, b0=c0)
