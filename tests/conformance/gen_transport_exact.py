#!/usr/bin/python3
"""gen_transport_exact.py: reference values from POT for exact transport, written to
tests/conformance/transport/ for tests/runtime/test_transport_exact.c (which needs no Python).

Run with Debian's interpreter (it has numpy and POT 0.8): /usr/bin/python3 tests/conformance/gen_transport_exact.py

Files (f64 .npy, inputs and POT's outputs):
  emd_NAME_{a,b,C}.npy        a problem; emd_NAME_{G,u,v}.npy: ot.emd's plan and potentials
  emd.txt                     NAME n m cost plan_unique duals_unique, one line a problem
  w1d_NAME_{x,y,a,b,G}.npy    a problem on the line and ot.emd_1d's dense plan (minkowski, p)
  w1d.txt                     NAME n m p cost plan_unique (cost = wasserstein_1d, W_p^p)
  sliced_NAME_{X,Y,a,b,P}.npy clouds, weights and directions P [nproj, d] (POT's projections.T)
  sliced.txt                  NAME n m d nproj p value (sliced_wasserstein_distance)
  sliced_mc.txt               NAME p value stderr nproj: the sliced distance over 200000
                              directions, and the standard error of an nproj-direction estimate

Uniqueness is decided from POT's own answer: the potentials are unique (up to the constant that
centring fixes) when the plan is a nondegenerate basis, n + m - 1 entries with no zero weights;
the plan is unique too when, in addition, the arcs of zero reduced cost are exactly its support.
Otherwise the test compares the cost and checks the marginals, dual feasibility and
complementary slackness, which together prove optimality whatever plan was found.
"""
import os

import numpy as np
import ot

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transport")


def save(name, arr):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(arr, dtype=np.float64))


def emd_case(lines, name, a, b, C):
    G, log = ot.emd(a, b, C, numItermax=10**8, log=True)
    assert log["warning"] is None, (name, log["warning"])
    n, m = C.shape
    u, v = log["u"], log["v"]
    scale = max(1.0, np.abs(C).max())
    nondegenerate = np.all(a > 0) and np.all(b > 0) and np.count_nonzero(G) == n + m - 1
    tight = np.abs(u[:, None] + v[None, :] - C) <= 1e-10 * scale
    plan_unique = nondegenerate and tight.sum() == n + m - 1 and np.all(tight == (G > 0))
    for k, arr in (("a", a), ("b", b), ("C", C), ("G", G), ("u", u), ("v", v)):
        save("emd_%s_%s" % (name, k), arr)
    lines.append("%s %d %d %r %d %d" % (name, n, m, float(log["cost"]), plan_unique, nondegenerate))


def weights(rng, n):
    w = rng.uniform(0.05, 1.0, n)
    return w / w.sum()


def emd_cases(rng):
    lines = []
    # Continuous costs and random weights: a nondegenerate problem, unique plan and potentials.
    emd_case(lines, "square", weights(rng, 30), weights(rng, 30), rng.uniform(0, 1, (30, 30)))
    x, y = rng.standard_normal((20, 2)), rng.standard_normal((45, 2)) + 1
    emd_case(lines, "rect", weights(rng, 20), weights(rng, 45), ot.dist(x, y))
    x, y = rng.standard_normal((45, 3)), rng.standard_normal((20, 3))
    emd_case(lines, "rect_tall", weights(rng, 45), weights(rng, 20), ot.dist(x, y, metric="euclidean"))
    x, y = rng.standard_normal((120, 3)), rng.standard_normal((100, 3)) + [1, 0, 0]
    C = ot.dist(x, y)
    emd_case(lines, "medium", weights(rng, 120), weights(rng, 100), C / C.max())
    # Uniform weights on two clouds: the plan is a permutation, a degenerate basis.
    x, y = rng.standard_normal((50, 3)), rng.standard_normal((50, 3)) + [1, 0, 0]
    C = ot.dist(x, y)
    emd_case(lines, "uniform", np.full(50, 1 / 50), np.full(50, 1 / 50), C / C.max())
    # One source, one sink, or both: the plan is forced.
    emd_case(lines, "n1", np.array([1.0]), weights(rng, 7), rng.uniform(0, 1, (1, 7)))
    emd_case(lines, "m1", weights(rng, 9), np.array([1.0]), rng.uniform(0, 1, (9, 1)))
    emd_case(lines, "n1m1", np.array([1.0]), np.array([1.0]), np.array([[0.25]]))
    # Zero weights: those rows and columns carry no mass.
    a, b = weights(rng, 12), weights(rng, 15)
    a[[0, 5, 11]] = 0
    b[[3, 4, 14]] = 0
    emd_case(lines, "zeros", a / a.sum(), b / b.sum(), rng.uniform(0, 1, (12, 15)))
    # Ties: a constant cost makes every plan optimal.
    emd_case(lines, "constant", weights(rng, 6), weights(rng, 8), np.ones((6, 8)))
    # Integer costs: many optimal plans.
    emd_case(lines, "integer", np.full(20, 1 / 20), np.full(20, 1 / 20),
             rng.integers(1, 10, (20, 20)).astype(np.float64))
    emd_case(lines, "integer_rect", weights(rng, 10), weights(rng, 25),
             rng.integers(1, 6, (10, 25)).astype(np.float64))
    # Partial sums that coincide (0.25 + 0.25 = 0.5): degenerate pivots.
    emd_case(lines, "degenerate", np.array([0.5, 0.25, 0.25]), np.array([0.25, 0.25, 0.5]),
             np.array([[1.0, 2.0, 3.0], [2.0, 1.0, 2.0], [3.0, 2.0, 1.0]]))
    # Negative costs, and masses that are counts rather than probabilities.
    emd_case(lines, "negative", weights(rng, 15), weights(rng, 12), rng.uniform(-5, -2, (15, 12)))
    counts_a = rng.integers(1, 10, 16).astype(np.float64)
    counts_b = rng.integers(1, 10, 11).astype(np.float64)
    counts_b[-1] += counts_a.sum() - counts_b.sum()
    if counts_b[-1] <= 0:
        counts_a[-1] += 1 - counts_b[-1]
        counts_b[-1] = 1
    emd_case(lines, "counts", counts_a, counts_b, rng.uniform(0, 1, (16, 11)))
    # b's total off by 1e-9 relative: rescaled to a's, as POT does.
    emd_case(lines, "rescaled", weights(rng, 10), weights(rng, 14) * (1 + 1e-9), rng.uniform(0, 1, (10, 14)))
    with open(os.path.join(OUT, "emd.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def w1d_cases(rng):
    lines = []

    def case(name, x, y, a, b, p):
        cost = ot.wasserstein_1d(x, y, a, b, p=p)
        G = ot.emd_1d(x, y, a, b, metric="minkowski", p=p)
        # For p > 1 the cost is strictly convex and the monotone plan is the only optimal one.
        unique = p > 1
        for k, arr in (("x", x), ("y", y), ("a", a), ("b", b), ("G", G)):
            save("w1d_%s_%s" % (name, k), arr)
        lines.append("%s %d %d %r %r %d" % (name, len(x), len(y), float(p), float(cost), unique))

    case("p1", rng.standard_normal(40), rng.standard_normal(30) + 0.5, weights(rng, 40), weights(rng, 30), 1)
    case("p2", rng.standard_normal(40), rng.standard_normal(55) * 2, weights(rng, 40), weights(rng, 55), 2)
    case("p3", rng.standard_normal(25), rng.standard_normal(25) - 1, weights(rng, 25), weights(rng, 25), 3.0)
    case("p1_5", rng.uniform(-2, 2, 17), rng.uniform(-1, 3, 23), weights(rng, 17), weights(rng, 23), 1.5)
    case("uniform", rng.standard_normal(60), rng.standard_normal(40) + 3, np.full(60, 1 / 60),
         np.full(40, 1 / 40), 2)
    # Repeated positions (ties) and zero weights.
    x = np.array([0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 5.0])
    y = np.array([1.0, 1.0, 3.0, 0.0, 2.0])
    a = np.array([0.1, 0.2, 0.0, 0.3, 0.1, 0.2, 0.1])
    b = np.array([0.25, 0.0, 0.25, 0.25, 0.25])
    case("ties", x, y, a, b, 2)
    case("single", np.array([0.5]), rng.standard_normal(6), np.array([1.0]), weights(rng, 6), 2)
    with open(os.path.join(OUT, "w1d.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def sliced_cases(rng):
    lines, mc = [], []

    def case(name, X, Y, a, b, nproj, p):
        d = X.shape[1]
        P = rng.standard_normal((d, nproj))
        P /= np.sqrt((P ** 2).sum(0, keepdims=True))
        # POT 0.8 divides by n_projections (default 50) even when projections are given.
        value = ot.sliced_wasserstein_distance(X, Y, a, b, n_projections=nproj, projections=P, p=p)
        for k, arr in (("X", X), ("Y", Y), ("a", a), ("b", b), ("P", P.T)):
            save("sliced_%s_%s" % (name, k), arr)
        lines.append("%s %d %d %d %d %r %r" % (name, len(X), len(Y), d, nproj, float(p), float(value)))

    case("p2", rng.standard_normal((80, 3)), rng.standard_normal((60, 3)) + [1, 0, 0],
         weights(rng, 80), weights(rng, 60), 50, 2)
    case("p1", rng.standard_normal((40, 5)), rng.standard_normal((70, 5)) * 1.5,
         weights(rng, 40), weights(rng, 70), 20, 1)
    case("uniform", rng.standard_normal((100, 2)), rng.uniform(-1, 1, (100, 2)), np.full(100, 1 / 100),
         np.full(100, 1 / 100), 64, 2)
    # The same clouds over many directions: the distance the seeded estimate converges to, and
    # the standard error of the mean of W_p^p over nproj directions (delta method for the root).
    X = np.load(os.path.join(OUT, "sliced_p2_X.npy"))
    Y = np.load(os.path.join(OUT, "sliced_p2_Y.npy"))
    a = np.load(os.path.join(OUT, "sliced_p2_a.npy"))
    b = np.load(os.path.join(OUT, "sliced_p2_b.npy"))
    P = rng.standard_normal((3, 200000))
    P /= np.sqrt((P ** 2).sum(0, keepdims=True))
    _, log = ot.sliced_wasserstein_distance(X, Y, a, b, n_projections=P.shape[1], projections=P, p=2,
                                            log=True)
    w = np.asarray(log["projected_emds"])
    nproj = 2000
    value = np.sqrt(w.mean())
    stderr = w.std() / np.sqrt(nproj) / (2 * value)
    mc.append("p2 2 %r %r %d" % (float(value), float(stderr), nproj))
    with open(os.path.join(OUT, "sliced.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(OUT, "sliced_mc.txt"), "w") as f:
        f.write("\n".join(mc) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240605)
    emd_cases(rng)
    w1d_cases(rng)
    sliced_cases(rng)


main()
