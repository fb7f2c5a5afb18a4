"""lse_numpy.py: the pairwise log-sum-exp f[i] = lse_j -|x_i - y_j|^2 / eps with NumPy and
scipy.special.logsumexp over the materialised cost, in row blocks so it fits in memory.
Prints the best time in seconds (of `reps` runs) and the sum of f.
Usage: lse_numpy.py x.npy y.npy eps reps"""
import sys
import time

import numpy as np
from scipy.special import logsumexp

x, y = np.load(sys.argv[1]), np.load(sys.argv[2])
eps, reps = float(sys.argv[3]), int(sys.argv[4])
BLOCK = 500  # rows at a time: 500 x 20000 f32 is 40 MB
best = float("inf")
for _ in range(reps):
    t0 = time.perf_counter()
    f = np.empty(len(x), dtype=np.float32)
    for lo in range(0, len(x), BLOCK):
        xb = x[lo:lo + BLOCK]
        c = (xb * xb).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2.0 * xb @ y.T
        f[lo:lo + BLOCK] = logsumexp(-c / eps, axis=1)
    best = min(best, time.perf_counter() - t0)
print(f"{best:.6f} {float(f.sum()):.6f}")
