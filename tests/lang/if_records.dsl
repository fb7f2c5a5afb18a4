# `if` chooses between records: the fields' scalars and tensors join one by one (scalars
# promote, sizes may differ), nested records too, and only the branch taken runs.
fn pick(c) {
  let s = if c then {a: 1.0, b: 2, in: {t: 7}} else {a: 3.0, b: 4.5, in: {t: -1}}
  print(s.a + s.b, s.in.t)
}
pick(true)
pick(false)
# an iterate's record against a written one: the state of the taken branch
fn doubled(c, n) {
  let s = if c then {x: zeros(n), iterations: 0, converged: false}
          else iterate x = ones(n) { x[i] = x[i] * 2 } until x[0] > 4 max 10
  print(s.x, s.iterations, s.converged)
}
doubled(true, 3)
doubled(false, 2)
fn sized(c) {
  let r = if c then {v: [1.0, 2.0]} else {v: [5.0, 6.0, 7.0]}
  print(r.v, size(r.v, 0))
}
sized(true)
sized(false)
# the branch not taken does not run: its division by zero (an error when it runs) never happens
fn guarded(d) {
  let r = if d == 0 then {q: 0, d: d} else {q: 7 % d, d: d}
  print(r.q, r.d)
}
guarded(size(arange(3), 0) - 3)
guarded(2)
