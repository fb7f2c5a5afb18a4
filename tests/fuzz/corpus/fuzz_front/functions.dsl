# Functions are generic over sizes and dtypes, inlined at each call.
fn sqdist(x: f32[n, d], y: f32[m, d]) -> f32[n, m] {
  let c[i, j] = sum(k) (x[i, k] - y[j, k])^2
  c
}
fn rowmean(a: f32[n, d]) -> f32[n] {
  let r[i] = sum(k) a[i, k] / d
  r
}
fn twice(v) = v * 2
fn axpy(a, x, y) = a * x + y
let p = f32([[0, 0], [1, 0], [0, 2]])
let q = f32([[1, 1], [3, 3]])
print(sqdist(p, q))
print(rowmean(p))
print(twice(3), twice(1.5), twice([1, 2]))
print(axpy(2, [1.0, 2.0], [10.0, 20.0]))
print(axpy(y = 1, x = 2, a = 3))
fn norm(v: f64[n]) = sqrt(sum(i) v[i]^2)
print(norm([3.0, 4.0]))
fn count(v: f64[n]) = n
print(count([1.0, 2.0, 3.0]))
# a comprehension returned from a function still fuses with its consumer
fn outer(a: f64[n], b: f64[m]) -> f64[n, m] { let o[i, j] = a[i] * b[j]; o }
print(sum(i, j) outer([1.0, 2.0], [3.0, 4.0, 5.0])[i, j])
