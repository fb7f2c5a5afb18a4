# modes: jit interp
# Barycenters against POT 0.8.2 (tests/conformance/gen_transport.py): the entropic barycenter on
# a fixed support (POT's barycenter, method="sinkhorn_log") and the free-support Wasserstein
# barycenter (POT's ot.lp.free_support_barycenter).
fn rel(got, want) = max(abs(got - want)) / max(max(abs(want)), 1e-300)

fn close(what, name, err, tol) {
  check(err <= tol, "{} on {}: differs from POT's by {} (relative), above {}", what, name, err, tol)
  err <= tol
}

fn fixed(name) {
  let t = load("tests/conformance/transport/sk_bary_" + name + ".safetensors")
  let r = barycenter(t.A, t.C, t.eps, w=t.w, tol=1e-13, max_iter=200000)
  print(name, r.converged, close("barycenter", name, rel(r.barycenter, t.bary), 1e-8), abs(sum(r.barycenter) - 1) < 1e-10)
}

fixed("n100_k2_eps1e-2_wuni")
fixed("n100_k2_eps1e-3")
fixed("n50_k3_eps1e-2")
fixed("n50_k3_eps1e-3_wuni")

fn free(name) {
  let t = load("tests/conformance/transport/sk_free_" + name + ".safetensors")
  let r = free_support_barycenter(t.Y, t.B, t.X_init, wb=t.b, w=t.w, tol=t.stopThr, max_iter=i64(t.numItermax))
  print(name, r.converged, r.iterations == i64(t.niter), close("free_support_barycenter", name, rel(r.points, t.X), 1e-12))
}

free("k2_m30")
free("k3_m40")
