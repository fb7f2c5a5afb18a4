# modes: jit interp
# A loop state that is a record with function fields (a model's methods): the functions stay as
# they are, known when compiling, and only the tensors are carried; tree_map keeps the methods,
# so a gradient step over the whole record is one line.
let net = {w: [1.0, -2.0], b: 0.5, forward: fn(p, x) = sum(p.w * x) + p.b}
fn loss(p, x) = p.forward(p, x)^2
let dloss = grad(loss)
let r = iterate p = net, k = 0 {
  p = tree_map(fn(w, g) = w - 0.1 * g, p, dloss(p, [1.0, 1.0]))
  k = k + 1
} max 3
print(r.p.w, r.p.b, r.p.forward(r.p, [1.0, 1.0]), r.k)
