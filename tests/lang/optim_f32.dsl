# An optimizer keeps an f32 parameter and its state f32 (an iterate state keeps its type, so a
# promotion to f64 would be an error), and follows the f64 run to f32's precision; a scalar
# parameter works as a tensor does.
let A = [[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 3.0]]
let c = [1.0, -1.0, 0.5]
# the gradient of (w - c)^T A (w - c) / 2
fn run(opt, w0) {
  let r = iterate w = w0, s = opt.init(w0) {
    let o = opt.step(w, cast(A, dtype=w) @ (w - cast(c, dtype=w)), s)
    w = o.p
    s = o.state
  } max 20
  r.w
}
fn gap(opt) = max(abs(f64(run(opt, f32([0.0, 0.0, 0.0]))) - run(opt, [0.0, 0.0, 0.0])))
print(gap(sgd(lr=0.1, momentum=0.9, nesterov=true)) < 1e-6, gap(adam(lr=0.1, amsgrad=true)) < 1e-6,
      gap(adamw(lr=0.1, schedule=lr_cosine(20, warmup=3))) < 1e-6, gap(lion(lr=0.01)) < 1e-6,
      gap(signsgd(lr=0.01, momentum=0.5)) < 1e-6)
let m = muon(lr=0.05)
let W0 = [[0.5, -0.2, 0.1, 0.3], [0.0, 0.4, -0.6, 0.2]]
let rm = iterate W = f32(W0), W64 = W0, s = m.init(f32(W0)), s64 = m.init(W0) {
  let o = m.step(W, W - 1, s)
  let o64 = m.step(W64, W64 - 1, s64)
  W = o.p
  W64 = o64.p
  s = o.state
  s64 = o64.state
} max 20
print(max(abs(f64(rm.W) - rm.W64)) < 1e-5)
# a scalar: 20 steps of Adam on (x - 3)^2 from 0, as torch.optim.Adam(lr=0.5) takes them
# (tests/conformance/gen_optim.py writes this line of optim_f32.out)
let a = adam(lr=0.5)
let rs = iterate x = 0.0, s = a.init(0.0) {
  let o = a.step(x, 2 * (x - 3), s)
  x = o.p
  s = o.state
} max 20
print(rs.x, rs.s.step)
