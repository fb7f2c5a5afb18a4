# modes: jit interp
# timeout: 300
# (compiling its many inlined solver calls takes 20-35 s of CPU; on a loaded machine that is
# more than the default 120 s)
# The Sinkhorn divergence and its gradients against POT 0.8.2 and PyTorch autograd
# (tests/conformance/gen_transport.py): sinkhorn_loss's value (GeomLoss's, from the dual values),
# cost (POT's empirical_sinkhorn_divergence, unclipped) and the gradients with respect to the
# points and the weights.
fn rel(got, want) = max(abs(got - want)) / max(max(abs(want)), 1e-300)

fn close(name, part, err, tol) {
  check(err <= tol, "sinkhorn_loss on {}: {} differs from the reference by {} (relative), above {}", name, part, err, tol)
  err <= tol
}

fn divergence(name) {
  let t = load("tests/conformance/transport/sk_div_" + name + ".safetensors")
  let s = sinkhorn_loss(t.x, t.y, t.eps, a=t.a, b=t.b, tol=1e-11, max_iter=100000)
  print(name, s.converged, close(name, "value", rel(s.value, t.div_dual), 1e-8), close(name, "cost", rel(s.cost, t.div_lin), 1e-8),
        close(name, "grad_x", rel(s.grad_x, t.grad_x), 1e-8), close(name, "grad_y", rel(s.grad_y, t.grad_y), 1e-8),
        close(name, "grad_a", if size(t.a, 0) > 1 then rel(s.grad_a, t.grad_a) else max(abs(s.grad_a)), 1e-8),
        close(name, "grad_b", rel(s.grad_b, t.grad_b), 1e-8))
}

divergence("30x40")
divergence("64x40")
divergence("1x30")

# central finite differences of the loss along random directions, in sinter alone
fn directional(x: f64[n, d], y: f64[m, d], eps) {
  let Dx = randn([n, d], seed=3, dtype=f64)
  let Dy = randn([m, d], seed=4, dtype=f64)
  let s = sinkhorn_loss(x, y, eps, tol=1e-11, max_iter=100000)
  let h = 1e-5
  let up = sinkhorn_loss(x + h * Dx, y + h * Dy, eps, tol=1e-11, max_iter=100000).value
  let down = sinkhorn_loss(x - h * Dx, y - h * Dy, eps, tol=1e-11, max_iter=100000).value
  let fd = (up - down) / (2 * h)
  let exact = sum(i, k) s.grad_x[i, k] * Dx[i, k] + sum(j, k) s.grad_y[j, k] * Dy[j, k]
  print("finite differences", close("random clouds", "the directional derivative", abs(fd - exact) / abs(exact), 1e-6))
}

directional(randn([50, 3], seed=1, dtype=f64), randn([40, 3], seed=2, dtype=f64) + 0.5, 0.2)
