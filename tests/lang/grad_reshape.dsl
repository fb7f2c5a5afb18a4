# modes: jit interp
# The gradient of a reshape's reads (a flat index q = z * s + i with i < s, and its digits q / n,
# q % n, or (q / e) / s, (q / e) % s, q % e) binds the indices by quotients and remainders
# instead of summing every point under a condition; reads that are not such an index (strided
# windows) keep the condition.
# Checked against the exact gradients and central differences in f64.
let x = randn([6, 4], seed=1, dtype=f64)
let w = randn([2, 3, 4], seed=2, dtype=f64)
let v = randn([24], seed=3, dtype=f64)
print("unflatten", max(abs(grad(fn(x) = sum(reshape(x, [2, 3, 4]) * w))(x) - reshape(w, [6, 4]))) == 0)
print("flatten", max(abs(grad(fn(x) = sum(reshape(x, [24])^2 * v))(x) - reshape(2 * v, [6, 4]) * x)) < 1e-15)
let x3 = randn([2, 3, 4], seed=6, dtype=f64)
print("merge", max(abs(grad(fn(x3) = sum(reshape(x3, [6, 4]) * reshape(w, [6, 4])))(x3) - w)) == 0,
      max(abs(grad(fn(x3) = sum(reshape(x3, [24])^2))(x3) - 2 * x3)) < 1e-15)
print("rows", max(abs(grad(fn(x) { let y[z < 2, i < 3, f < 4] = x[z * 3 + i, f]; sum(y^3) })(x) - 3 * x^2)) < 1e-15)
print("heads", max(abs(grad(fn(x) { let y[z < 2, g < 2, i < 3, c < 2] = x[z * 3 + i, g * 2 + c]; sum(y * y) })(x) - 2 * x)) < 1e-15)
print("gradcheck", gradcheck(fn(x) = sum(tanh(reshape(x, [3, 8]) @ randn([8, 2], seed=4, dtype=f64))), x).error < 1)
let u = randn([10], seed=5, dtype=f64)
let gap = grad(fn(u) { let y[t < 3, k < 2] = u[t * 3 + k]; sum(y^2) })(u)
print("gaps", gap[2] == 0 and gap[5] == 0 and gap[8] == 0 and gap[9] == 0, gap[4] == 2 * u[4])
let over = grad(fn(u) { let y[t < 4, k < 3] = u[t * 2 + k]; sum(y^2) })(u[0:9])
print("windows", over[2] == 4 * u[2], over[1] == 2 * u[1], over[8] == 2 * u[8])
