# modes: jit interp
# Balanced entropic OT against POT 0.8.2 (tests/conformance/gen_transport.py): degenerate and
# very uneven shapes, small eps (the log-domain solvers converge at eps = 1e-4, where 87% of
# exp(-C/eps) underflows), and f32 inputs (to 1e-4 of the f64 answer).
fn rel(got, want) = max(abs(got - want)) / max(max(abs(want)), 1e-300)

fn close(solver, name, part, err, tol) {
  check(err <= tol, "{} on {}: {} differs from POT's by {} (relative), above {}", solver, name, part, err, tol)
  err <= tol
}

# the potentials are unique up to (f + c, g - c): the files store them with <a, f> = <b, g>
fn same_answer(r, t, tol, tol_marginal, solver, name) {
  let c = (sum(j) f64(t.b[j]) * f64(r.g[j]) - sum(i) f64(t.a[i]) * f64(r.f[i])) / f64(sum(t.a) + sum(t.b))
  let f = f64(r.f) + c
  let g = f64(r.g) - c
  let ok = (close(solver, name, "f", rel(f, t.f), tol) and close(solver, name, "g", rel(g, t.g), tol)
            and close(solver, name, "cost", rel(f64(r.cost), t.cost), tol)
            and close(solver, name, "value", rel(f64(r.value), t.value), tol))
  # the marginals hold to the tolerance asked for
  print(name, solver, r.converged, ok, r.err <= tol_marginal)
}

fn all_solvers(name) {
  let t = load("tests/conformance/transport/sk_" + name + ".safetensors")
  same_answer(sinkhorn_log(t.a, t.b, t.C, t.eps, tol=1e-13, max_iter=100000), t, 1e-8, 1e-13, "sinkhorn_log", name)
  same_answer(sinkhorn(t.a, t.b, t.C, t.eps, tol=1e-13, max_iter=100000), t, 1e-8, 1e-13, "sinkhorn", name)
  same_answer(sinkhorn_eps_scaling(t.a, t.b, t.C, t.eps, tol=1e-13, max_iter=100000), t, 1e-8, 1e-13, "sinkhorn_eps_scaling", name)
}

all_solvers("wide5x200")
all_solvers("n1")
all_solvers("m1")

fn log_domain(name, tol_marginal) {
  let t = load("tests/conformance/transport/sk_" + name + ".safetensors")
  let r = sinkhorn_log(t.a, t.b, t.C, t.eps, tol=tol_marginal, max_iter=100000)
  same_answer(r, t, 1e-8, tol_marginal, "sinkhorn_log", name)
  same_answer(sinkhorn_eps_scaling(t.a, t.b, t.C, t.eps, tol=tol_marginal, max_iter=100000), t, 1e-8, tol_marginal, "sinkhorn_eps_scaling", name)
  print(name, "finite", isfinite(sum(r.f) + sum(r.g) + r.cost))
}

log_domain("eps1e-3", 1e-12)
log_domain("eps1e-4", 2e-12)

fn single(name) {
  let t = load("tests/conformance/transport/sk_" + name + ".safetensors")
  same_answer(sinkhorn_log(t.a, t.b, t.C, t.eps, tol=1e-6, max_iter=10000), t, 1e-4, 1e-6, "sinkhorn_log f32", name)
  same_answer(sinkhorn(t.a, t.b, t.C, t.eps, tol=1e-6, max_iter=10000), t, 1e-4, 1e-6, "sinkhorn f32", name)
}

single("square40_f32")
single("rect30x64_f32")
