# CMA-ES finds planted optima: a quadratic sum((x - c)^2) in 5 dimensions (to 1e-9 in x), and an
# ellipsoid of condition 1e6 rotated by a random orthogonal Q in 6 dimensions, centred at c6 (f to
# 1e-12, x to 1e-5). The same seed gives the same bits, another seed another path to the same
# optimum; the best-so-far history never rises, and the budget is kept.
let c = [1.0, -2.0, 0.5, 3.0, -1.5]
fn sphere(x) = sum((x - c)^2)
let r = cmaes(sphere, zeros(5, dtype=f64), 0.5, 3000, seed=1)
print(r.converged, max(abs(r.x - c)) < 1e-9, r.value < 1e-18, r.evaluations <= 3000)
let again = cmaes(sphere, zeros(5, dtype=f64), 0.5, 3000, seed=1)
let other = cmaes(sphere, zeros(5, dtype=f64), 0.5, 3000, seed=2)
print(again.value == r.value, all(again.x == r.x), other.value != r.value, max(abs(other.x - c)) < 1e-9)
let steps[g] = g == 0 or isnan(r.history[g]) or r.history[g] <= r.history[g - 1]
print(all(steps), r.history[r.generations - 1] == r.value, isnan(r.history[r.generations]))
let Q = qr(randn([6, 6], seed=3, dtype=f64)).Q
let c6 = [0.3, -0.7, 1.1, 0.0, 2.0, -1.0]
let scale[i < 6] = 10.0^(6.0 * i / 5)
fn ellipsoid(x) {
  let u[i] = sum(j) Q[i, j] * (x[j] - c6[j])
  sum(scale * u^2)
}
let e = cmaes(ellipsoid, zeros(6, dtype=f64), 1.0, 20000, seed=5, ftarget=1e-14)
print(e.converged, e.value < 1e-12, max(abs(e.x - c6)) < 1e-5, e.evaluations < 20000)
let budget = cmaes(ellipsoid, zeros(6, dtype=f64), 1.0, 100, seed=5)
print(budget.evaluations, budget.generations, budget.converged)
