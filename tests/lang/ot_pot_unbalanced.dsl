# modes: jit interp
# Unbalanced entropic OT against POT 0.8.2 (tests/conformance/gen_transport.py): sinter's
# potentials, cost and objective (entropy relative to a x b, as GeomLoss), and POT's own plan from
# the same solver on the cost C + eps log a + eps log b (POT's entropy is relative to 1).
fn rel(got, want) = max(abs(got - want)) / max(max(abs(want)), 1e-300)

fn close(name, part, err, tol) {
  check(err <= tol, "sinkhorn_unbalanced on {}: {} differs from the reference by {} (relative), above {}", name, part, err, tol)
  err <= tol
}

fn unbalanced(name, tol) {
  let t = load("tests/conformance/transport/sk_unb_" + name + ".safetensors")
  let r = sinkhorn_unbalanced(t.a, t.b, t.C, t.eps, rho=t.rho, tol=1e-12, max_iter=100000)
  let ok = (close(name, "f", rel(f64(r.f), t.f_ab), tol) and close(name, "g", rel(f64(r.g), t.g_ab), tol)
            and close(name, "cost", rel(f64(r.cost), t.cost_ab), tol) and close(name, "value", rel(f64(r.value), t.obj_ab), tol))
  # POT's convention
  let e = cast(t.eps, dtype=t.C)
  let la = log(t.a)
  let lb = log(t.b)
  let Cpot[i, j] = t.C[i, j] + e * la[i] + e * lb[j]
  let q = sinkhorn_unbalanced(t.a, t.b, Cpot, t.eps, reach=sqrt(t.rho), tol=1e-12, max_iter=100000)
  let P = q.plan
  let pot = (close(name, "POT's plan", rel(f64(P), t.P), tol)
             and close(name, "POT's cost", rel(f64(sum(i, j) P[i, j] * t.C[i, j]), t.cost), tol))
  print(name, r.converged, ok, q.converged, pot)
}

unbalanced("40x40_rho1e-1", 1e-8)
unbalanced("30x64_rho1", 1e-8)
unbalanced("64x30_rho10", 1e-8)
unbalanced("5x40_rho1", 1e-8)
unbalanced("30x64_rho1_f32", 1e-4)
