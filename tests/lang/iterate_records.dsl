# Records as iterate states: heavy-ball gradient descent on f(x) = sum(a * (x - c)^2) / 2 with
# the parameters and the optimizer's state as records, and a nested record updated until a test
# holds. Expected values from tests/conformance/gen_seams.py.
let a = [1.0, 2.0, 4.0]
let c = [3.0, -1.0, 0.5]
let r = iterate p = {w: zeros(3, dtype=f64), b: 0}, opt = {m: zeros(3, dtype=f64), t: 0} {
  let g = a * (p.w - c)
  let m = 0.9 * opt.m + g
  p = {w: p.w - 0.1 * m, b: p.b + 1}
  opt = {m: m, t: opt.t + 1}
} max 30
print(r.p, r.opt.t, r.iterations)
let q = iterate s = {x: 1.0, y: {z: 2.0, n: 0}} {
  s = {x: s.x / 2, y: {z: s.y.z * s.x, n: s.y.n + 1}}
} until s.x < 0.01 max 100
print(q)
