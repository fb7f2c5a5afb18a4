# Fit a point cloud to another by gradient descent on the debiased Sinkhorn divergence
# S(x, y) = OT(x, y) - OT(x, x)/2 - OT(y, y)/2 (Feydy et al. 2019), with the gradient from the
# compiler's autodiff: the solver (stdlib/transport.dsl) gives the potentials at x, and `grad`
# differentiates the dual objective at those potentials with respect to x (the envelope theorem,
# as GeomLoss does: the solver's iterations need no gradient). The result is checked against
# sinkhorn_loss's closed-form gradient, the divergence decreases at every step, and it ends small.
arg n: i64 = 100
arg steps: i64 = 12
arg picture: str = "build/fit_clouds.png"
let eps = 0.05
let x0 = 0.3 * randn([n, 2], seed=1, dtype=f64) + [-1.5, 0.0]
let t = 2 * pi * rand([n], seed=2, dtype=f64)
let ring[j, k] = (if k == 0 then cos(t[j]) else sin(t[j])) + 0.05 * randn([n, 2], seed=3, dtype=f64)[j, k]
let a = uniform(n)
# The dual objective of OT_eps between weights p on u and q on v at potentials (f, g): its value at
# the optimal potentials is OT_eps, and its gradient with them held fixed is OT_eps's.
fn dual(p, q, u, v, f, g) {
  let C[i, j] = sum(k) (u[i, k] - v[j, k])^2
  sum(i) p[i] * f[i] + sum(j) q[j] * g[j] - eps * sum(i, j) p[i] * q[j] * expm1((f[i] + g[j] - C[i, j]) / eps)
}
# S as a function of x at the potentials pot of the three problems (OT(y, y) does not depend on x)
fn divergence(x, pot) = dual(a, a, x, ring, pot.ab.f, pot.ab.g) - dual(a, a, x, x, pot.aa.f, pot.aa.f) / 2 -
  sum(j) a[j] * pot.bb.f[j]
let dS = grad(divergence, wrt="x")
# the potentials of the three problems at x, and S
fn solve(x) {
  let Cxy[i, j] = sum(k) (x[i, k] - ring[j, k])^2
  let Cxx[i, j] = sum(k) (x[i, k] - x[j, k])^2
  let Cyy[i, j] = sum(k) (ring[i, k] - ring[j, k])^2
  let s = sinkhorn_divergence(a, a, Cxy, Cxx, Cyy, eps, tol=1e-7)
  {ab: {f: s.ab.f, g: s.ab.g}, aa: {f: s.aa.f}, bb: {f: s.bb.f}, value: s.value}
}
let s0 = solve(x0)
let check_grad = max(abs(dS(x0, s0) - sinkhorn_loss(x0, ring, eps, tol=1e-7).grad_x))
let r = iterate x = x0, pot = s0, rising = 0 {
  x = x - 0.5 * n * dS(x, pot)     # each point moves by its own gradient, scaled by 1/a[i]
  let next = solve(x)
  rising = rising + (if next.value > pot.value then 1 else 0)
  pot = next
} max steps
print("divergence at the start:", s0.value, "- the dual at its potentials gives it to 1e-9:", abs(divergence(x0, s0) - s0.value) < 1e-9)
print("autodiff gradient vs the closed form, largest difference below 1e-9:", check_grad < 1e-9)
print("divergence after", steps, "steps:", r.pot.value, "- steps where it rose:", r.rising)
check(r.rising == 0 and r.pot.value < 1e-3 * s0.value, "the fit did not converge: S went from {} to {}", s0.value, r.pot.value)
plot_scatter(picture, r.x, ring, labels=["fitted", "target"], title="x fitted to the ring")
