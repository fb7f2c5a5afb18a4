# modes: jit interp
# `loss` declarations: a plain one against its closed form, and one built on sinkhorn_loss,
# minimised by gradient descent through the gradients its record carries.
let y = randn([32, 2], seed=2, dtype=f64) * 0.5 + f64([2, -1])
loss msd(x: f64[n, 2]) = mean(i, k) (x[i, k] - y[i, k])^2
loss ot(x: f64[n, 2]) = sinkhorn_loss(x, y, 0.1)
# mean squared distance: exactly 0 at y, 0.25 at y + 0.5 (both exact in binary)
print("msd", msd(y) == 0, msd(y + 0.5) == 0.25)
# a loss whose parameters are untyped is checked at its call
loss sq(v) = sum(v * v)
print("sq", sq(f64([3, 4])) == 25)
# gradient flow of the Sinkhorn divergence from a cloud 3 units away: the step is half of
# 1 / (weight of a point) = 32, so a translation is undone in one step
let x0 = randn([32, 2], seed=1, dtype=f64) * 0.5 + f64([-1, 1])
let fit = iterate x = x0 { x = x - 16.0 * ot(x).grad_x } until ot(x).value < 1e-3 max 50
print("ot", ot(x0).value > 9, fit.converged, fit.iterations < 50, ot(fit.x).value < 1e-3)
# the divergence of a translation by t is |t|^2 (to the solver's tolerance)
print("translation", abs(ot(y + f64([1.0, 0.5])).value - 1.25) < 1e-6)
# `loss` stays a name where no declaration starts
let loss = msd(y + 0.5) + sq(f64([1]))
print("name", loss == 1.25, {loss: loss}.loss == 1.25)
