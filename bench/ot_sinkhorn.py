#!/usr/bin/python3
"""ot_sinkhorn.py: the data for bench/sinkhorn*.dsl and POT's time per Sinkhorn iteration on it.

Usage: /usr/bin/python3 bench/ot_sinkhorn.py DIR N EPS METHOD [ITERS] [REPS] [DTYPE]
Writes DIR/sk_N_{x,y}.npy once (two random 3-D Gaussian clouds of N points, the second shifted by
2 along x, seed 0, f64), builds POT's dense cost (ot.dist, squared Euclidean, scaled to max 1:
outside the timing) and times ITERS iterations of ot.sinkhorn(method=METHOD) with uniform
weights and stopThr=0 (so it runs them all), best of REPS, in f64 or (DTYPE f32) with the cost
and weights in f32. Prints "SECONDS COST", the whole call's time (bench/ot_sinkhorn.sh takes
the time per iteration from two iteration counts).
"""
import os
import sys
import time

import numpy as np
import ot


def main():
    out, n, eps, method = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    iters = int(sys.argv[5]) if len(sys.argv) > 5 else 10
    reps = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    dtype = np.float32 if len(sys.argv) > 7 and sys.argv[7] == "f32" else np.float64
    base = os.path.join(out, "sk_%d_" % n)
    if not os.path.exists(base + "y.npy"):
        rng = np.random.default_rng(0)
        np.save(base + "x.npy", rng.standard_normal((n, 3)))
        np.save(base + "y.npy", rng.standard_normal((n, 3)) + np.array([2.0, 0.0, 0.0]))
    x, y = np.load(base + "x.npy"), np.load(base + "y.npy")
    M = ot.dist(x, y)
    M /= M.max()
    M = M.astype(dtype)
    a = np.full(n, 1.0 / n, dtype=dtype)
    best, cost = float("inf"), 0.0
    for _ in range(reps):
        t = time.perf_counter()
        P = ot.sinkhorn(a, a, M, eps, method=method, numItermax=iters, stopThr=0.0, warn=False)
        best = min(best, time.perf_counter() - t)
        cost = float(np.sum(P * M))
    print("%.6f %.17g" % (best, cost))


main()
