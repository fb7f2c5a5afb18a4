"""PyTorch's side of bench/grad_lse.dsl: the gradient with respect to x of
sum(i) lse(j) (g[j] - |x_i - y_j|^2) / eps, with autograd over blocks of rows (the whole n x m
matrix would not fit): the best time of 3 runs, in seconds, and sum(dx^2).
Usage: grad_lse.py x.npy y.npy g.npy eps"""
import sys
import time

import numpy as np
import torch

x0 = torch.from_numpy(np.load(sys.argv[1]))
y = torch.from_numpy(np.load(sys.argv[2]))
g = torch.from_numpy(np.load(sys.argv[3]))
eps = float(sys.argv[4])
block = 1024
best, total = 1e9, 0.0
for _ in range(3):
    t0 = time.perf_counter()
    x = x0.clone().requires_grad_()
    for s in range(0, x.shape[0], block):
        xb = x[s:s + block]
        C = ((xb[:, None, :] - y[None, :, :]) ** 2).sum(-1)
        torch.logsumexp((g[None, :] - C) / eps, dim=1).sum().backward()
    best = min(best, time.perf_counter() - t0)
    total = float((x.grad.double() ** 2).sum())
print(best, total)
