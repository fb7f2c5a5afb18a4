# modes: jit interp
# The Birkhoff projection and its gradient against log-domain Sinkhorn-Knopp in NumPy and PyTorch
# autograd through the unrolled iterations (tests/conformance/gen_transport.py); rows and
# columns sum to 1 within 1e-6 at the default tolerance; Sinkhorn routing respects capacity.
fn rel(got, want) = max(abs(got - want)) / max(max(abs(want)), 1e-300)

fn close(what, name, err, tol) {
  check(err <= tol, "{} on {}: differs from the reference by {} (relative), above {}", what, name, err, tol)
  err <= tol
}

fn doubly_stochastic(P: float[n, n], tol) {
  let rows[i] = sum(j) P[i, j]
  let cols[j] = sum(i) P[i, j]
  max(i) abs(rows[i] - 1) <= tol and max(j) abs(cols[j] - 1) <= tol
}

fn case(name) {
  let t = load("tests/conformance/transport/sk_birkhoff_" + name + ".safetensors")
  let exact = birkhoff(t.L, tau=t.tau, tol=1e-14, max_iter=10000)
  let quick = birkhoff(t.L, tau=t.tau)
  let dL = birkhoff_backward(exact.P, t.G, tau=t.tau)
  print(name, exact.converged, close("birkhoff P", name, rel(exact.P, t.P), 1e-10),
        close("birkhoff_backward", name, rel(dL, t.grad_L), 1e-8),
        quick.converged, doubly_stochastic(quick.P, 1e-6), doubly_stochastic(exact.P, 1e-13))
}

case("n4")
case("n8")
case("n32")

# f32 logits: within 1e-5 (the rounding of a 64-term f32 sum is about 64 x 6e-8)
let L32 = randn([64, 64], seed=5) * 3
let b32 = birkhoff(L32, tau=0.5)
print("f32", b32.converged, doubly_stochastic(b32.P, 1e-5))

# 512 tokens, 8 experts: every token gets one expert, none over capacity; with capacity 48 < 64
# some tokens are dropped, and the loads add up
let S = randn([512, 8], seed=6, dtype=f64)
let route = sinkhorn_route(S, 64, tau=0.1, max_iter=1000)
print("routing", route.converged, max(route.load) <= 64, sum(route.load) + route.dropped == 512)
let tight = sinkhorn_route(S, 48, tau=0.1, max_iter=1000)
print("capacity", max(tight.load) <= 48, tight.dropped >= 512 - 8 * 48, sum(tight.load) + tight.dropped == 512)
let cols[e] = sum(t) route.plan[t, e]
print("balanced plan", max(e) abs(cols[e] - 64) <= 1e-6 * 64)
