# A counted loop (no `until`): gradient descent on f(x) = sum(a * (x - c)^2) / 2 for exactly 25
# steps; expected values from tests/conformance/gen_seams.py.
let a = [1.0, 2.0, 4.0]
let c = [3.0, -1.0, 0.5]
let r = iterate x = zeros(3, dtype=f64), k = 0 { x = x - 0.1 * a * (x - c); k = k + 1 } max 25
print(r.x, r.k, r.iterations)
let z = iterate y = 1.0 { y = y * 2 } max 0
print(z)
