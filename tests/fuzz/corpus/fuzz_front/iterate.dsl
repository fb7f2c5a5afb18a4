# Bounded iteration with a convergence test: the result says whether it converged.
let r = iterate x = 1.0 {
  x = (x + 2.0 / x) / 2.0
} until abs(x * x - 2.0) < 1e-12 max 50
print(r.x, r.iterations, r.converged)

# the limit is reached: converged is false
let s = iterate k = 0 {
  k = k + 1
} until k > 100 max 10
print(s)

# tensor states, several of them, and bindings in the body visible to the condition
let a = [4.0, 9.0, 16.0]
let t = iterate y = ones(3), step = 0 {
  let next[i] = (y[i] + a[i] / y[i]) / 2
  let change = max(i) abs(next[i] - y[i])
  y = next
  step = step + 1
} until change < 1e-12 max 100
print(t.y, t.step == t.iterations, t.converged)

# zero iterations when the limit is 0
let z = iterate v = 5 { v = v * 2 } until false max 0
print(z)
