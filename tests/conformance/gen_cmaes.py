#!/usr/bin/python3
"""gen_cmaes.py: CMA-ES as Hansen's tutorial states it ("The CMA Evolution Strategy: A Tutorial",
2016; the (mu/mu_w, lambda) strategy with Table 1's defaults, rank-one and rank-mu updates, CSA),
written here in NumPy apart from stdlib/search.dsl (each eigenvector's largest entry made
positive, as there, so that the paths do not depend on LAPACK's signs), fed the normal draws sinter's cmaes makes
(cmaes/draws.npy, written by `build/bin/sinter run tests/conformance/cmaes/draws.dsl`), for
tests/lang/cmaes_numpy.dsl.

Run with Debian's interpreter (it has numpy): /usr/bin/python3 tests/conformance/gen_cmaes.py

Files in tests/conformance/cmaes/ (.npy, f64):
  Q            a random orthogonal 4 x 4 matrix (the ellipsoid's axes)
  mean, sigma  the distribution's mean and step size after 60 generations (sigma of shape [1])
  history      the best value so far after each generation [60]
  best         the best point evaluated [4]
for f(x) = sum_i 1000^(i / 3) (Q (x - c))_i^2, c = [1, -0.5, 0.25, 2], from x0 = 0, sigma0 = 0.3.
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cmaes")
C0 = np.array([1.0, -0.5, 0.25, 2.0])
SCALE = 1000.0 ** (np.arange(4) / 3)


def cmaes(f, x0, sigma, draws):
    n = len(x0)
    lam = 4 + int(np.floor(3 * np.log(n)))
    mu = lam // 2
    w = np.log(mu + 0.5) - np.log(np.arange(1, mu + 1))
    w /= w.sum()
    mueff = 1 / np.sum(w ** 2)
    cc = (4 + mueff / n) / (n + 4 + 2 * mueff / n)
    cs = (mueff + 2) / (n + mueff + 5)
    c1 = 2 / ((n + 1.3) ** 2 + mueff)
    cmu = min(1 - c1, 2 * (mueff - 2 + 1 / mueff) / ((n + 2) ** 2 + mueff))
    damps = 1 + 2 * max(0.0, np.sqrt((mueff - 1) / (n + 1)) - 1) + cs
    chin = np.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n))
    m = x0.copy()
    C, B, D = np.eye(n), np.eye(n), np.ones(n)
    pc, ps = np.zeros(n), np.zeros(n)
    best, best_f, history = m, np.inf, []
    for g, Z in enumerate(draws):
        assert Z.shape == (lam, n)
        Y = Z @ (B * D).T
        X = m + sigma * Y
        fx = np.array([f(x) for x in X])
        order = np.argsort(fx, kind="stable")
        yw = w @ Y[order[:mu]]
        m = m + sigma * yw
        ps = (1 - cs) * ps + np.sqrt(cs * (2 - cs) * mueff) * (B / D) @ B.T @ yw
        hsig = np.linalg.norm(ps) / np.sqrt(1 - (1 - cs) ** (2 * (g + 1))) / chin < 1.4 + 2 / (n + 1)
        pc = (1 - cc) * pc + hsig * np.sqrt(cc * (2 - cc) * mueff) * yw
        Ysel = Y[order[:mu]]
        C = ((1 - c1 - cmu + (1 - hsig) * c1 * cc * (2 - cc)) * C + c1 * np.outer(pc, pc)
             + cmu * (Ysel.T * w) @ Ysel)
        C = (C + C.T) / 2
        sigma *= np.exp(cs / damps * (np.linalg.norm(ps) / chin - 1))
        values, B = np.linalg.eigh(C)
        top = np.argmax(np.abs(B), axis=0)
        B = B * np.where(B[top, np.arange(n)] < 0, -1.0, 1.0)
        D = np.sqrt(np.maximum(values, 1e-300))
        if fx[order[0]] < best_f:
            best, best_f = X[order[0]], fx[order[0]]
        history.append(best_f)
    return m, sigma, np.array(history), best


def main():
    draws = np.load(os.path.join(OUT, "draws.npy"))
    Q = np.linalg.qr(np.random.default_rng(17).standard_normal((4, 4)))[0]
    f = lambda x: np.sum(SCALE * (Q @ (x - C0)) ** 2)
    m, sigma, history, best = cmaes(f, np.zeros(4), 0.3, draws)
    for name, arr in (("Q", Q), ("mean", m), ("sigma", np.array([sigma])), ("history", history), ("best", best)):
        np.save(os.path.join(OUT, name + ".npy"), arr)
    print("final best", history[-1], "sigma", sigma)


main()
