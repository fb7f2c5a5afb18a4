#!/usr/bin/python3
"""gen_divergence_near.py: reference for the Sinkhorn divergence between nearly equal clouds
(tests/lang/ot_divergence_near.dsl): x [200, 2] standard normal, y = x + 0.01 N(0, 1), uniform
weights, eps = 0.1, the squared Euclidean cost. Sinkhorn converges slowly there (its slowest
mode contracts by nearly 1 an iteration), which is what the test is about.

The cross problem is solved by gen_transport.py's alternating log-domain Sinkhorn to a row error
of 1e-13 (POT 0.8.2's sinkhorn_log is the same iteration; it is checked against POT there), the
self problems by gen_transport.py's symmetric log-domain Sinkhorn (GeomLoss's averaged update); the divergence is
S = OT(a, b) - OT(a, a)/2 - OT(b, b)/2 from the dual values, and its gradients with respect to
the points come from PyTorch autograd through the dual objective, as in gen_transport.py.

Run with Debian's interpreter: /usr/bin/python3 tests/conformance/gen_divergence_near.py
Writes tests/conformance/transport/div_near_{x,y,value,grad_x,grad_y}.npy (f64; value of shape [1]).
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_transport import dual_torch, marg_err, ot_eps_sym, plan, sk_log, sqdist  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transport")


def main():
    rng = np.random.default_rng(305)
    n, eps = 200, 0.1
    x = rng.standard_normal((n, 2))
    y = x + 0.01 * rng.standard_normal((n, 2))
    a = np.full(n, 1.0 / n)
    Cab = sqdist(x, y)
    f, g, ot_ab = ot_eps_log(a, Cab, eps)
    faa, ot_aa, _, it_aa, er_aa = ot_eps_sym(a, sqdist(x, x), eps)
    fbb, ot_bb, _, it_bb, er_bb = ot_eps_sym(a, sqdist(y, y), eps)
    value = ot_ab - 0.5 * ot_aa - 0.5 * ot_bb
    X = torch.tensor(x, requires_grad=True)
    Y = torch.tensor(y, requires_grad=True)
    A = torch.tensor(a)
    T = torch.tensor
    S = (dual_torch(X, Y, A, A, T(f), T(g), eps) - 0.5 * dual_torch(X, X, A, A, T(faa), T(faa), eps)
         - 0.5 * dual_torch(Y, Y, A, A, T(fbb), T(fbb), eps))
    assert abs(S.item() - value) < 1e-12 * max(1.0, abs(value))
    S.backward()
    for name, arr in (("x", x), ("y", y), ("value", np.array([value])),
                      ("grad_x", X.grad.numpy()), ("grad_y", Y.grad.numpy())):
        path = os.path.join(OUT, "div_near_%s.npy" % name)
        np.save(path + ".tmp.npy", np.asarray(arr, dtype=np.float64))
        os.replace(path + ".tmp.npy", path)
    print("div_near: value %.17g, self iterations %d/%d, self marginal errors %.1e/%.1e"
          % (value, it_aa, it_bb, er_aa, er_bb))


def ot_eps_log(a, C, eps):
    """The cross problem by alternating log-domain Sinkhorn to a marginal error of 1e-13."""
    f, g = sk_log(a, a, C, eps, tol=1e-13, maxit=10 ** 7)[:2]
    er, ec = marg_err(plan(a, a, f, g, C, eps), a, a)
    assert er < 1e-12 and ec < 1e-12, (er, ec)
    return f, g, float(np.dot(a, f) + np.dot(a, g))


if __name__ == "__main__":
    main()
