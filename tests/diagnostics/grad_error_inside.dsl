# An error inside a function that train() differentiates (an index past a dimension) is reported;
# the compiler used to go on to differentiate the broken function and crash.
fn loss(p, xb, yb) {
  let input[i, j < 3] = xb[i, j]
  mean((input @ p.w - yb)^2)
}
let r = train({w: zeros(3, dtype=f64)}, loss, adam(lr=0.1), {x: ones([8, 2], dtype=f64), y: ones(8, dtype=f64)}, batch_size=4)
print(r.step)
