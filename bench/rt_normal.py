#!/usr/bin/python3
"""rt_normal.py: NumPy's default_rng().standard_normal, millions of normals per second (f64, its
default, then f32, one number a line), best of several repetitions on the size bench/rt_normal.c
uses."""
import time

import numpy as np

N = 1 << 24
rng = np.random.default_rng(0)
for dtype in (np.float64, np.float32):
    best = 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        rng.standard_normal(N, dtype=dtype)
        best = max(best, N / (time.perf_counter() - t0))
    print(f"{best / 1e6:.1f}")
