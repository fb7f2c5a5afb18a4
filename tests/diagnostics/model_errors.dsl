# A model's mistakes, each reported where it is written.
param w: f64[2] = zeros()
model Shape() {
  param v: f64[3] = randn([4], dtype=f64)
}
let a = Shape()
model Fn() {
  param f = fn(x) = x
}
let b = Fn()
model Twice() {
  param w = zeros(3)
  fn w(x) = x
}
let c = Twice()
model Untyped(n: int) {
  param u: float[n] = zeros()
}
let u = Untyped(2)
model Typed() {
  param m: f64[2, 2] = {a: 1.0}
}
let t = Typed()
