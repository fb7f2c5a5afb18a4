# cmaes against Hansen's tutorial written in NumPy (tests/conformance/gen_cmaes.py), fed the same
# normal draws: after 60 generations on a rotated ellipsoid of condition 1000 in 4 dimensions the
# mean, the step size, the best-so-far history and the best point agree to 1e-9 relative.
let dir = "tests/conformance/cmaes/"
let Q: f64[4, 4] = load(dir + "Q.npy")
let m_ref: f64[4] = load(dir + "mean.npy")
let sigma: f64[1] = load(dir + "sigma.npy")
let history: f64[60] = load(dir + "history.npy")
let best: f64[4] = load(dir + "best.npy")
let c = [1.0, -0.5, 0.25, 2.0]
let scale[i < 4] = 1000.0^(i / 3.0)
fn f(x) {
  let u[i] = sum(j) Q[i, j] * (x[j] - c[j])
  sum(scale * u^2)
}
let r = cmaes(f, zeros(4, dtype=f64), 0.3, 480, seed=7, tolx=0.0)
fn rel(a, b) = max(abs(a - b)) / max(abs(b))
print(r.generations, rel(r.mean, m_ref) < 1e-9, abs(r.sigma - sigma[0]) < 1e-9 * sigma[0], rel(r.history, history) < 1e-9,
      rel(r.x, best) < 1e-9, r.value < history[0] / 100)
