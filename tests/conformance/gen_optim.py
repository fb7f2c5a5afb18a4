#!/usr/bin/python3
"""gen_optim.py: writes the expected output of the optimizer golden tests (stdlib/optim.dsl):
tests/lang/optim_torch.out (SGD, Adam, AdamW, the learning-rate schedules and clipping by global
norm, run by torch.optim 1.13), tests/lang/optim_papers.out (Lion, signSGD / Signum and Muon,
which PyTorch 1.13 lacks: NumPy implementations of the papers' update rules below) and
tests/lang/optim_f32.out (its last line: Adam on a scalar parameter; the lines before it are the
program's own comparisons of f32 runs with f64 runs).

The problem: least squares for a linear layer, f(W, b) = sum((X W^T + b - Y)^2) / n, with a
weight matrix W [3, 4] and a bias b [3] (X [8, 4] is not orthogonal, so the Hessian is not
diagonal), in float64, from fixed initial values; and, for Muon's tall case, V [5, 3] and c [5]
on X's first three columns. Each line of the .out files is one optimizer setting: the parameters
after 1, 5 and 20 steps, as {W: flatten(W), b: b}. The programs compute the same gradient by hand,
2 R^T X / n and 2 sum_i R[i] / n with R = X W^T + b - Y; torch's autograd gradient is checked
against that formula here (relative 1e-14).

The tests compare with `# tol: 1e-6` (relative, absolute below 1).

Run with Debian's interpreter: /usr/bin/python3 tests/conformance/gen_optim.py
"""
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
LANG = os.path.join(HERE, "..", "lang")

# The data, as written in tests/lang/optim_torch.dsl and optim_papers.dsl.
X = np.array([[0.39, 0.63, -0.31, -0.91], [0.14, -0.71, 0.44, -0.31], [-0.09, 0.95, 0.56, 0.69],
              [0.11, 0.88, -0.96, 0.78], [-0.22, -0.54, 0.07, 0.89], [-0.34, 0.82, -0.07, 0.93],
              [0.53, 0.57, -0.28, 0.18], [-0.5, 0.6, -0.48, 0.35]])
Y = np.array([[-0.85, -0.51, -0.28], [-0.66, -0.48, -0.6], [-0.92, -0.31, -0.06], [-0.17, 0.8, -0.82],
              [0.25, -0.3, -0.95], [0.55, -0.16, 0.95], [0.55, 0.74, 0.13], [-0.32, 0.71, -0.17]])
W0 = np.array([[0.74, 0.83, -0.29, 0.45], [0.63, 1.0, -0.09, -0.6], [-0.48, -0.24, -0.86, 0.39]])
B0 = np.array([-0.89, -0.07, 1.0])
Z = np.array([[0.32, -0.59, 0.87, 0.99, 0.66], [0.17, 0.67, 0.35, 0.73, -0.0], [-0.44, 0.12, -0.01, -0.58, 0.35],
              [0.46, -0.47, -0.67, 0.16, -0.08], [0.45, 0.49, -0.96, -0.58, 0.73], [0.34, 0.58, 0.49, 0.19, -0.35],
              [-0.43, 0.24, 0.24, 0.84, 0.25], [0.13, -0.97, 0.32, 0.76, 0.28]])
V0 = np.array([[-0.19, -0.58, -0.18], [-0.48, -0.6, -0.48], [-0.39, -0.09, -0.43], [0.28, 0.71, -0.95],
               [-0.07, 0.23, -0.05]])
C0 = np.array([0.04, -0.32, 0.99, -0.41, 0.56])
SHOWN = (1, 5, 20)  # the steps after which the parameters are printed
WIDE = (X, Y, W0, B0)
TALL = (X[:, :3], Z, V0, C0)


def fmt(v):
    """A value as sinter prints it: shortest round-trip floats, vectors in brackets."""
    if isinstance(v, np.ndarray):
        return "[" + ", ".join(fmt(x) for x in v.reshape(-1)) + "]"
    return repr(float(v))


def snapshot(W, b):
    return "{W: " + fmt(np.asarray(W)) + ", b: " + fmt(np.asarray(b)) + "}"


def gradient(problem, W, b):
    """The gradient of sum((X W^T + b - Y)^2) / n as the programs write it."""
    x, y = problem[0], problem[1]
    r = x @ W.T + b - y
    return 2 * r.T @ x / len(x), 2 * r.sum(axis=0) / len(x)


def torch_run(make_opt, make_sched=None, max_norm=None, problem=WIDE):
    """20 steps of a torch.optim optimizer (and scheduler, and clip_grad_norm_) on the problem."""
    x, y = torch.tensor(problem[0]), torch.tensor(problem[1])
    W = torch.tensor(problem[2], requires_grad=True)
    b = torch.tensor(problem[3], requires_grad=True)
    opt = make_opt([W, b])
    sched = make_sched(opt) if make_sched else None
    shown = []
    for k in range(1, max(SHOWN) + 1):
        opt.zero_grad()
        loss = ((x @ W.T + b - y) ** 2).sum() / len(x)
        loss.backward()
        gW, gb = gradient(problem, W.detach().numpy(), b.detach().numpy())
        assert np.allclose(W.grad.numpy(), gW, rtol=1e-14, atol=1e-15)
        assert np.allclose(b.grad.numpy(), gb, rtol=1e-14, atol=1e-15)
        if max_norm is not None:
            torch.nn.utils.clip_grad_norm_([W, b], max_norm)
        opt.step()
        if sched:
            sched.step()
        if k in SHOWN:
            shown.append(snapshot(W.detach().numpy(), b.detach().numpy()))
    return " ".join(shown)


def numpy_run(rule_W, rule_b, problem=WIDE):
    """20 steps of NumPy update rules: rule(p, g, state, t) -> p, with t = 1, 2, ..."""
    W, b = problem[2].copy(), problem[3].copy()
    sW, sb = {}, {}
    shown = []
    for t in range(1, max(SHOWN) + 1):
        gW, gb = gradient(problem, W, b)
        W = rule_W(W, gW, sW, t)
        b = rule_b(b, gb, sb, t)
        if t in SHOWN:
            shown.append(snapshot(W, b))
    return " ".join(shown)


def lion(lr, beta1=0.9, beta2=0.99, weight_decay=0.0):
    """Lion, Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms" (arXiv:2302.06675),
    Algorithm 2 (as lucidrains/lion-pytorch): decoupled decay, the sign of the interpolation
    beta1 m + (1 - beta1) g, then the momentum update with beta2."""
    def rule(p, g, s, t):
        m = s.get("m", np.zeros_like(p))
        p = p * (1 - lr * weight_decay) - lr * np.sign(beta1 * m + (1 - beta1) * g)
        s["m"] = beta2 * m + (1 - beta2) * g
        return p
    return rule


def signum(lr, momentum=0.0):
    """signSGD, and Signum with momentum: Bernstein et al. 2018, "signSGD: Compressed Optimisation
    for Non-Convex Problems" (arXiv:1802.04434), Algorithms 1 and 3: m = beta m + (1 - beta) g,
    p = p - lr sign(m) (beta = 0: signSGD)."""
    def rule(p, g, s, t):
        m = momentum * s.get("m", np.zeros_like(p)) + (1 - momentum) * g
        s["m"] = m
        return p - lr * np.sign(m)
    return rule


def newton_schulz5(G, steps):
    """Keller Jordan's zeropower_via_newtonschulz5 (github.com/KellerJordan/Muon, muon.py), in
    float64 where the reference rounds to bfloat16."""
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G
    if G.shape[0] > G.shape[1]:
        X = X.T
    X = X / (np.linalg.norm(X) + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    if G.shape[0] > G.shape[1]:
        X = X.T
    return X


def muon(lr=0.02, momentum=0.95, nesterov=True, ns_steps=5, weight_decay=0.0):
    """Muon's muon_update and step (github.com/KellerJordan/Muon, muon.py): momentum by lerp,
    the Nesterov interpolation, orthogonalisation, scaled by max(1, rows / cols)^0.5, decoupled
    weight decay."""
    def rule(p, g, s, t):
        buf = s.get("buf", np.zeros_like(p))
        buf = buf + (1 - momentum) * (g - buf)
        s["buf"] = buf
        u = g + momentum * (buf - g) if nesterov else buf
        u = newton_schulz5(u, ns_steps) * max(1, p.shape[0] / p.shape[1]) ** 0.5
        return p * (1 - lr * weight_decay) - lr * u
    return rule


def aux_adam(lr=3e-4, betas=(0.9, 0.95), eps=1e-10, weight_decay=0.0):
    """MuonWithAuxAdam's adam_update for the parameters that are not matrices (same file)."""
    def rule(p, g, s, t):
        m = s.get("m", np.zeros_like(p))
        v = s.get("v", np.zeros_like(p))
        m = m + (1 - betas[0]) * (g - m)
        v = v + (1 - betas[1]) * (g * g - v)
        s["m"], s["v"] = m, v
        u = (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
        return p * (1 - lr * weight_decay) - lr * u
    return rule


def sgd(**kw):
    return lambda ps: torch.optim.SGD(ps, foreach=False, **kw)


def adam(**kw):
    return lambda ps: torch.optim.Adam(ps, foreach=False, **kw)


def adamw(**kw):
    return lambda ps: torch.optim.AdamW(ps, foreach=False, **kw)


def warmup_cosine(total, warmup, floor):
    """The warmup-cosine factor of stdlib's lr_cosine, for LambdaLR."""
    def factor(k):
        if k < warmup:
            return k / warmup
        q = min(1.0, (k - warmup) / (total - warmup))
        return floor + (1 - floor) * (1 + math.cos(math.pi * q)) / 2
    return factor


sched = torch.optim.lr_scheduler

# One line per setting, in the order of the programs' show(...) calls.
TORCH = [
    torch_run(sgd(lr=0.1)),
    torch_run(sgd(lr=0.1, momentum=0.9)),
    torch_run(sgd(lr=0.1, momentum=0.9, dampening=0.5)),
    torch_run(sgd(lr=0.1, momentum=0.9, nesterov=True)),
    torch_run(sgd(lr=0.1, momentum=0.5, weight_decay=0.1)),
    torch_run(adam(lr=0.05)),
    torch_run(adam(lr=0.05, amsgrad=True)),
    torch_run(adam(lr=0.05, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.1)),
    torch_run(adamw(lr=0.05)),
    torch_run(adamw(lr=0.05, weight_decay=0.5, amsgrad=True)),
    # schedules
    torch_run(sgd(lr=0.1, momentum=0.9), lambda o: sched.LinearLR(o, start_factor=0.25, total_iters=5)),
    torch_run(sgd(lr=0.1, momentum=0.9), lambda o: sched.LambdaLR(o, lambda k: min(k, 5) / 5)),
    torch_run(adam(lr=0.05), lambda o: sched.CosineAnnealingLR(o, T_max=20)),
    torch_run(adam(lr=0.05), lambda o: sched.CosineAnnealingLR(o, T_max=20, eta_min=0.005)),
    torch_run(adamw(lr=0.05), lambda o: sched.LambdaLR(o, warmup_cosine(20, 5, 0.1))),
    torch_run(sgd(lr=0.1, momentum=0.9), lambda o: sched.StepLR(o, step_size=5, gamma=0.5)),
    # clipping by global norm
    torch_run(sgd(lr=0.1, momentum=0.9), max_norm=0.5),
    torch_run(adam(lr=0.05), max_norm=0.1),
]

PAPERS = [
    numpy_run(lion(0.01), lion(0.01)),
    numpy_run(lion(0.01, beta1=0.8, beta2=0.9, weight_decay=0.5), lion(0.01, beta1=0.8, beta2=0.9, weight_decay=0.5)),
    numpy_run(signum(0.01), signum(0.01)),
    numpy_run(signum(0.01, momentum=0.9), signum(0.01, momentum=0.9)),
    numpy_run(muon(), aux_adam(lr=0.01)),
    numpy_run(muon(lr=0.05, nesterov=False, weight_decay=0.1), aux_adam(lr=0.01, weight_decay=0.1)),
    numpy_run(muon(), aux_adam(lr=0.01), problem=TALL),
]


def scalar_adam():
    """20 steps of torch.optim.Adam(lr=0.5) on (x - 3)^2 from x = 0, a 0-d parameter."""
    x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    opt = adam(lr=0.5)([x])
    for _ in range(20):
        opt.zero_grad()
        ((x - 3) ** 2).backward()
        opt.step()
    return f"{fmt(x.item())} 20"


def write(name, lines):
    with open(os.path.join(LANG, name), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    assert torch.__version__.startswith("1.13"), torch.__version__
    write("optim_torch.out", TORCH)
    write("optim_papers.out", PAPERS)
    write("optim_f32.out", ["true true true true true", "true", scalar_adam()])
