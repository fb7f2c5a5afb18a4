# The gradient through a max over one term (nn.dsl's _kept4) is the term's own: d/dx of
# sum(kept(x^2) w) is 2 x w exactly, ties and all (tests/ir/grad_max_one_term).
fn kept(x) {
  let y[i, j] = max(u < 1) x[i, j]
  y
}
let x = [[1.0, -2.0, 0.5], [3.0, 3.0, -0.25]]
let w = [[0.5, 1.0, -1.0], [2.0, 0.125, 4.0]]
print(grad(fn(x) = sum(kept(x * x) * w))(x))
print(2 * x * w)
