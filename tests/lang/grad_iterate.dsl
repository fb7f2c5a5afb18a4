# modes: jit interp
# grad through iterate: a counted loop is differentiated unrolled (its states stored), and so is
# an `until` loop, whose states stop changing once it is done (checked against central finite
# differences in f64, as grad_math.dsl).
let x = randn([4], seed=1, dtype=f64)
fn report(name, r) { print(name, r.error < 1) }
fn counted(x) {
  let r = iterate s = x, t = 0.0 { s = tanh(s * 1.1) + 0.1 * x; t = t + sum(s) } max 5
  r.t + sum(r.s^2)
}
report("counted", gradcheck(counted, x))
fn settles(x) {
  let r = iterate s = x { s = 0.5 * s + 0.2 * sin(s) } until max(i) abs(s[i]) < 0.3 max 30
  sum(r.s) * f64(r.iterations)
}
report("until", gradcheck(settles, x))
fn record_state(x) {
  let r = iterate p = {a: x, b: 1.0} { p = {a: p.a * p.b, b: p.b + sum(p.a) * 0.1} } max 3
  sum(r.p.a) + r.p.b
}
report("record state", gradcheck(record_state, x))
