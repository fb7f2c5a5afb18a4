#!/usr/bin/python3
"""ot_emd.py: the data for bench/ot_emd.c and POT's time on it.

Usage: /usr/bin/python3 bench/ot_emd.py DIR [N] [REPS]
Writes DIR/emd_N_{M,a,b}.npy once (two random 3-D Gaussian clouds of N points, the second shifted
by 1 along x, seed 0; squared Euclidean cost scaled to max 1; uniform weights), then times POT's
ot.emd on them (best of REPS) and prints one line: "SECONDS COST".
"""
import os
import sys
import time

import numpy as np
import ot


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    base = os.path.join(out, "emd_%d_" % n)
    if not os.path.exists(base + "M.npy"):
        rng = np.random.default_rng(0)
        x = rng.standard_normal((n, 3))
        y = rng.standard_normal((n, 3)) + np.array([1.0, 0.0, 0.0])
        M = ot.dist(x, y)
        M /= M.max()
        np.save(base + "a.npy", np.full(n, 1.0 / n))
        np.save(base + "b.npy", np.full(n, 1.0 / n))
        np.save(base + "M.npy", M)
    M = np.load(base + "M.npy")
    a = np.load(base + "a.npy")
    b = np.load(base + "b.npy")
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        # POT's default of 100000 pivots stops short of the optimum at n = 4000.
        _, log = ot.emd(a, b, M, numItermax=10**9, log=True)
        best = min(best, time.perf_counter() - t)
        if log["warning"] is not None:
            sys.exit("POT did not converge: %s" % log["warning"])
    print("%.6f %.17g" % (best, log["cost"]))


main()
