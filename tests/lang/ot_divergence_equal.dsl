# modes: jit interp
# The Sinkhorn divergence of a cloud with itself is 0, as documented (>= 0, zero only for equal
# measures): solved apart, the cross and self problems once left -1.4e-8 at tol = 1e-10. The
# GeomLoss loop updates them alike, so the value is exactly 0, as are the gradients.
let x = randn([60, 2], seed=1, dtype=f64)
let z = sinkhorn_loss(x, x, 0.1, tol=1e-10)
print(z.value, z.converged, max(abs(z.grad_x)), max(abs(z.grad_a)))
# nearly equal clouds: positive
let y = x + 0.01 * randn([60, 2], seed=2, dtype=f64)
print(sinkhorn_loss(x, y, 0.1, max_iter=200).value > 0)
