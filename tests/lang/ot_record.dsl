# modes: jit interp
# The record of every balanced entropic solver describes the plan it returns: `err` is that
# plan's marginal error, rows and columns, measured here again from `plan` (its sums in f64),
# and `converged` is `err < tol`. In f32 the rounding of the plan's entries is about 1e-7 of its
# mass: the iterations' own estimate, from the change of the potentials, once reported err = 0
# and converged = true with err above tol.
fn measured(r, a, b) {
  let P = r.plan
  let rows[i] = sum(j) f64(P[i, j])
  let cols[j] = sum(i) f64(P[i, j])
  sum(i) abs(rows[i] - f64(a[i])) + sum(j) abs(cols[j] - f64(b[j]))
}

fn honest(solver, r, a, b, tol) {
  let m = measured(r, a, b)
  # the record's err is the plan's, and converged agrees with it
  check(abs(f64(r.err) - m) <= 1e-12 * m, "{}: err = {} but the plan's marginal error is {}", solver, r.err, m)
  check(r.converged == (r.err < tol), "{}: converged = {} with err = {} and tol = {}", solver, r.converged, r.err, tol)
  print(solver, tol, r.converged, m > 0)
}

fn all_solvers(a, b, C, eps, tol) {
  honest("sinkhorn_log", sinkhorn_log(a, b, C, eps, tol=tol), a, b, tol)
  honest("sinkhorn", sinkhorn(a, b, C, eps, tol=tol), a, b, tol)
  honest("sinkhorn(kernel_memory=0)", sinkhorn(a, b, C, eps, tol=tol, kernel_memory=0), a, b, tol)
  honest("sinkhorn_eps_scaling", sinkhorn_eps_scaling(a, b, C, eps, tol=tol), a, b, tol)
  honest("sinkhorn_newton", sinkhorn_newton(a, b, C, eps, tol=tol), a, b, tol)
}

# f32: tol = 1e-6 is reached; 1e-8 is below the rounding of an f32 plan, and the record says so
let t = load("tests/conformance/transport/sk_square40_f32.safetensors")
all_solvers(t.a, t.b, t.C, t.eps, 1e-6)
all_solvers(t.a, t.b, t.C, t.eps, 1e-8)

# f64 near the smallest eps this cost allows: the plan's entries are right to about 1e-5 of
# their mass, and converged is false at tol = 1e-6 (it once said true, err = 0, with the plan's
# mass 1 - 1.1e-6)
let C = [[0.5, 1.5, 4.5], [1.5, 0.5, 1.5], [4.5, 1.5, 0.5]]
let w = uniform(3)
honest("sinkhorn_log", sinkhorn_log(w, w, C, 1e-10), w, w, 1e-6)
honest("sinkhorn_log", sinkhorn_log(w, w, C, 1e-10, tol=1e-4), w, w, 1e-4)
