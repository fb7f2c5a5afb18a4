# modes: jit
# (JIT only: the interpreter takes minutes over the 862 iterations of four 200 x 200 lse.)
# The Sinkhorn divergence between nearly equal clouds (200 points, y = x + 0.01 noise, eps = 0.1;
# tests/conformance/gen_divergence_near.py), where Sinkhorn converges slowly: with its defaults
# (tol = 1e-6, max_iter = 10000) sinkhorn_loss converges, and its value and gradients agree with
# the reference solved to 1e-13 (3e-6 and 9e-4 apart: the error of stopping at tol). With GeomLoss's
# averaged updates and 1000 iterations it stopped unconverged, 1.8e-5 and 2.5e-3 apart.
let x: f64[n, 2] = load("tests/conformance/transport/div_near_x.npy")
let y: f64[n, 2] = load("tests/conformance/transport/div_near_y.npy")
let v: f64[1] = load("tests/conformance/transport/div_near_value.npy")
let value = v[0]
let gx: f64[n, 2] = load("tests/conformance/transport/div_near_grad_x.npy")
let gy: f64[n, 2] = load("tests/conformance/transport/div_near_grad_y.npy")
let s = sinkhorn_loss(x, y, 0.1)
let rel_value = abs(s.value - value) / value
let rel_gx = max(abs(s.grad_x - gx)) / max(abs(gx))
let rel_gy = max(abs(s.grad_y - gy)) / max(abs(gy))
print(s.converged, s.iterations < 10000, rel_value < 1e-5, rel_gx < 2e-3, rel_gy < 2e-3)
