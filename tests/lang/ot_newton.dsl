# modes: jit interp
# Sinkhorn-Newton-Sparse against POT 0.8.2's log-domain answers (tests/conformance/
# gen_transport.py) at eps = 1e-3 and 1e-4, where plain Sinkhorn needs 5,000 to 20,000
# iterations: a 20-iteration warm-up and a few dozen Newton steps reach the same potentials.
fn rel(got, want) = max(abs(got - want)) / max(max(abs(want)), 1e-300)

fn close(name, part, err, tol) {
  check(err <= tol, "sinkhorn_newton on {}: {} differs from POT's by {} (relative), above {}", name, part, err, tol)
  err <= tol
}

fn newton(name) {
  let t = load("tests/conformance/transport/sk_" + name + ".safetensors")
  let r = sinkhorn_newton(t.a, t.b, t.C, t.eps, tol=1e-12, max_iter=200)
  let c = (sum(j) t.b[j] * r.g[j] - sum(i) t.a[i] * r.f[i]) / 2
  print(name, r.converged, r.err <= 1e-12, r.newton_steps < 100,
        close(name, "f", rel(r.f + c, t.f), 1e-8), close(name, "g", rel(r.g - c, t.g), 1e-8),
        close(name, "cost", rel(r.cost, t.cost), 1e-8))
}

newton("eps1e-3")
newton("eps1e-4")
newton("rect30x64")
