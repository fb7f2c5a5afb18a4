# Functions as values: builtins, library and program functions passed by position and by name,
# bound with let, stored in record fields, anonymous and closing over names, called inside the
# callee and inlined there. The descent results are those of tests/conformance/gen_seams.py.
fn sqdist(x, y) = sum((x - y)^2)
fn apply(f: fn, x) = f(x)
fn twice(f, x) = f(f(x))
let dist = sqdist
let k = 3.0
print(apply(exp, 1.0), apply(f=sqrt, x=16.0), apply(uniform, 4), twice(fn(x) = x * k, 2.0), dist([1.0, 2.0], [0.0, 0.0]))
let g = fn(a, b) {
  let d = a - b
  d * d
}
print(g(5, 2), apply(fn(x) = x^2, [1, 2, 3]), twice(fn(v) = twice(fn(u) = u + 1, v), 40))

# an optimizer is a record holding its step; train runs it a fixed number of times
fn sgd(lr) = {step: fn(p, g, m) = {p: p - lr * g, m: m}}
fn momentum(lr, beta) = {step: fn(p, g, m) = {p: p - lr * (beta * m + g), m: beta * m + g}}
fn train(grad: fn, opt, x0, steps) {
  let r = iterate s = {p: x0, m: zeros(3, dtype=f64)} { s = opt.step(s.p, grad(s.p), s.m) } max steps
  r.s.p
}
let a = [1.0, 2.0, 4.0]
let c = [3.0, -1.0, 0.5]
loss half_sq(x: f64[3]) = sum(i) a[i] * (x[i] - c[i])^2 / 2
let grad = fn(x) = a * (x - c)
let plain = train(grad, sgd(0.1), zeros(3, dtype=f64), 25)
let heavy = train(grad=grad, opt=momentum(0.1, 0.9), x0=zeros(3, dtype=f64), steps=30)
print(plain, heavy)
fn report(loss: fn, x) = {value: loss(x), at: x}
print(report(loss=half_sq, x=c), report(half_sq, [3.0, -1.0, 1.5]).value)
