#!/usr/bin/python3
"""sample.py: the sampling benchmark's references (bench/sample.sh). 50 steps of Euler, Heun or
DPM-Solver++ 2M over Karras sigmas (0.002 to 80, rho 7, then 0) from the points in X.npy, with
the exact denoiser of bench/sample.dsl's 8-component 2-D Gaussian mixture, written with PyTorch
(on the CPU, the loops as k-diffusion's sampling.py writes them) or with NumPy, in float32.
Prints: the best time of REPS runs in seconds, the mean of the samples, the peak memory the
runs added to the process, in MiB (its peak resident size after them less its size before), and
the best CPU time (user + system, all threads) of a run in seconds, which a loaded machine moves
less than the time.

Usage: sample.py torch|numpy euler|heun|dpmpp_2m X.npy THREADS [REPS] [STEPS]
"""
import math
import resource
import sys
import time

import numpy as np
import torch

K = 8
ANGLE = 2 * np.pi * np.arange(K) / K
MEANS = np.stack([4 * np.cos(ANGLE), 4 * np.sin(ANGLE)], axis=1).astype(np.float32)
WEIGHTS = (1 + np.arange(K) / 8).astype(np.float32)
WEIGHTS /= WEIGHTS.sum()
VARS = (0.05 + np.arange(K) / 40).astype(np.float32)


def karras(n, sigma_min=0.002, sigma_max=80.0, rho=7.0):
    ramp = np.linspace(0, 1, n)
    s = (sigma_max ** (1 / rho) + ramp * (sigma_min ** (1 / rho) - sigma_max ** (1 / rho))) ** rho
    return np.append(s, 0.0).astype(np.float32)


# --- PyTorch: the mixture's posterior mean and k-diffusion's loops -----------------------------


def torch_denoiser():
    mu, w, v = torch.tensor(MEANS), torch.tensor(WEIGHTS), torch.tensor(VARS)

    def model(x, sigma):  # x [n, 2], sigma a 0-d tensor
        tot = v + sigma**2  # [K]
        diff = x[:, None, :] - mu  # [n, K, 2]
        ll = torch.log(w) - 0.5 * (diff**2).sum(-1) / tot - torch.log(tot)  # [n, K] (d = 2)
        r = torch.softmax(ll, dim=1)
        post = mu + (v / tot)[:, None] * diff  # [n, K, 2]
        return torch.einsum("nk,nkd->nd", r, post)

    return model


def to_d(x, sigma, denoised):
    return (x - denoised) / sigma


@torch.no_grad()
def sample_euler(model, x, sigmas):
    for i in range(len(sigmas) - 1):
        sigma_hat = sigmas[i]
        denoised = model(x, sigma_hat)
        d = to_d(x, sigma_hat, denoised)
        dt = sigmas[i + 1] - sigma_hat
        x = x + d * dt
    return x


@torch.no_grad()
def sample_heun(model, x, sigmas):
    for i in range(len(sigmas) - 1):
        sigma_hat = sigmas[i]
        denoised = model(x, sigma_hat)
        d = to_d(x, sigma_hat, denoised)
        dt = sigmas[i + 1] - sigma_hat
        if sigmas[i + 1] == 0:
            x = x + d * dt
        else:
            x_2 = x + d * dt
            denoised_2 = model(x_2, sigmas[i + 1])
            d_2 = to_d(x_2, sigmas[i + 1], denoised_2)
            d_prime = (d + d_2) / 2
            x = x + d_prime * dt
    return x


@torch.no_grad()
def sample_dpmpp_2m(model, x, sigmas):
    sigma_fn = lambda t: t.neg().exp()
    t_fn = lambda sigma: sigma.log().neg()
    old_denoised = None
    for i in range(len(sigmas) - 1):
        denoised = model(x, sigmas[i])
        t, t_next = t_fn(sigmas[i]), t_fn(sigmas[i + 1])
        h = t_next - t
        if old_denoised is None or sigmas[i + 1] == 0:
            x = (sigma_fn(t_next) / sigma_fn(t)) * x - (-h).expm1() * denoised
        else:
            h_last = t - t_fn(sigmas[i - 1])
            r = h_last / h
            denoised_d = (1 + 1 / (2 * r)) * denoised - (1 / (2 * r)) * old_denoised
            x = (sigma_fn(t_next) / sigma_fn(t)) * x - (-h).expm1() * denoised_d
        old_denoised = denoised
    return x


# --- NumPy: the same loops -------------------------------------------------------------------


def numpy_denoiser():
    def model(x, sigma):
        tot = VARS + np.float32(sigma) ** 2
        diff = x[:, None, :] - MEANS
        ll = np.log(WEIGHTS) - 0.5 * (diff**2).sum(-1) / tot - np.log(tot)
        ll -= ll.max(axis=1, keepdims=True)
        r = np.exp(ll)
        r /= r.sum(axis=1, keepdims=True)
        post = MEANS + (VARS / tot)[:, None] * diff
        return np.einsum("nk,nkd->nd", r, post)

    return model


def np_euler(model, x, sigmas):
    for i in range(len(sigmas) - 1):
        d = (x - model(x, sigmas[i])) / sigmas[i]
        x = x + d * (sigmas[i + 1] - sigmas[i])
    return x


def np_heun(model, x, sigmas):
    for i in range(len(sigmas) - 1):
        d = (x - model(x, sigmas[i])) / sigmas[i]
        dt = sigmas[i + 1] - sigmas[i]
        if sigmas[i + 1] == 0:
            x = x + d * dt
        else:
            x_2 = x + d * dt
            d_2 = (x_2 - model(x_2, sigmas[i + 1])) / sigmas[i + 1]
            x = x + (d + d_2) / 2 * dt
    return x


def np_dpmpp_2m(model, x, sigmas):
    old = None
    for i in range(len(sigmas) - 1):
        denoised = model(x, sigmas[i])
        if sigmas[i + 1] == 0:
            x = denoised
            continue
        t, t_next = -math.log(sigmas[i]), -math.log(sigmas[i + 1])
        h = t_next - t
        if old is None:
            dd = denoised
        else:
            r = (t + math.log(sigmas[i - 1])) / h
            dd = (1 + 1 / (2 * r)) * denoised - (1 / (2 * r)) * old
        x = np.float32(math.exp(-t_next) / math.exp(-t)) * x - np.float32(math.expm1(-h)) * dd
        old = denoised
    return x


def main():
    tool, sampler, path, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    reps = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    steps = int(sys.argv[6]) if len(sys.argv) > 6 else 50
    x0 = np.load(path)
    sigmas = karras(steps)
    torch.set_num_threads(threads)
    if tool == "torch":
        run = {"euler": sample_euler, "heun": sample_heun, "dpmpp_2m": sample_dpmpp_2m}[sampler]
        model, x, sig = torch_denoiser(), torch.from_numpy(x0), torch.tensor(sigmas)
        out = lambda: run(model, x, sig).numpy()
    else:
        run = {"euler": np_euler, "heun": np_heun, "dpmpp_2m": np_dpmpp_2m}[sampler]
        model = numpy_denoiser()
        out = lambda: run(model, x0, sigmas)
    with open("/proc/self/statm") as f:
        before = int(f.read().split()[1]) * resource.getpagesize() / 2**20
    best = best_cpu = 1e9
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        y = out()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{best:.4f}", *y.mean(axis=0), f"{peak - before:.1f}", f"{best_cpu:.4f}")


if __name__ == "__main__":
    main()
