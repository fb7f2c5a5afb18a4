#!/usr/bin/python3
"""gen_samplers.py: NumPy's answers for stdlib/denoise.dsl and stdlib/sample.dsl, written to
tests/conformance/sample/ (.npy, f64) for tests/lang/sample_*.dsl.

Run with Debian's interpreter (it has numpy, scipy, torch): /usr/bin/python3 tests/conformance/gen_samplers.py

The mixtures and points are drawn here from a fixed NumPy generator. The exact denoiser of a
Gaussian mixture is computed another way than sinter's: with each component's full covariance
C = V + sigma^2 I, its log density by slogdet and solve, responsibilities by scipy's logsumexp,
and the posterior mean mu + V C^-1 (x - mu). Guidance rescale is diffusers' rescale_noise_cfg,
written with torch.
"""
import os

import numpy as np
import torch
from scipy.special import logsumexp

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample")
rng = np.random.default_rng(1616)


def save(name, a):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(np.asarray(a, dtype=np.float64)))


def posterior_mean(w, mu, var, x, sigma):
    """E[x0 | x0 + sigma n = x] for the mixture sum_c w_c N(mu_c, diag(var_c)), x [n, d]."""
    k, d = mu.shape
    logp = np.empty((x.shape[0], k))
    means = np.empty((k,) + x.shape)
    for c in range(k):
        V = np.diag(var[c])
        C = V + sigma**2 * np.eye(d)
        r = x - mu[c]
        sol = np.linalg.solve(C, r.T).T
        logp[:, c] = np.log(w[c]) - 0.5 * (np.sum(r * sol, axis=1) + np.linalg.slogdet(2 * np.pi * C)[1])
        means[c] = mu[c] + sol @ V.T
    resp = np.exp(logp - logsumexp(logp, axis=1, keepdims=True))
    return np.einsum("nc,cnd->nd", resp, means)


def mixture_moments(w, mu, var):
    m = w @ mu
    cov = sum(w[c] * (np.diag(var[c]) + np.outer(mu[c], mu[c])) for c in range(len(w))) - np.outer(m, m)
    return m, cov


def rescale_noise_cfg(noise_cfg, noise_pred_text, guidance_rescale):
    """diffusers' rescale_noise_cfg (pipeline_stable_diffusion.py), verbatim."""
    std_text = noise_pred_text.std(dim=list(range(1, noise_pred_text.ndim)), keepdim=True)
    std_cfg = noise_cfg.std(dim=list(range(1, noise_cfg.ndim)), keepdim=True)
    noise_pred_rescaled = noise_cfg * (std_text / std_cfg)
    return guidance_rescale * noise_pred_rescaled + (1 - guidance_rescale) * noise_cfg


def mixtures():
    """The two mixtures of the tests: 2-D isotropic (as written in the .dsl files) and 16-D
    diagonal (saved here)."""
    w2 = np.array([0.2, 0.5, 0.3])
    mu2 = np.array([[-2.0, 0.0], [1.5, 1.5], [1.0, -2.0]])
    v2 = np.array([0.3, 0.1, 0.5])
    var2 = np.repeat(v2[:, None], 2, axis=1)
    w16 = rng.uniform(0.5, 2.0, 6)
    mu16 = rng.standard_normal((6, 16)) * 2
    var16 = rng.uniform(0.05, 1.0, (6, 16))
    var16[2, :5] = 0.0  # a component degenerate in some directions
    save("gmm16_weights", w16)
    save("gmm16_means", mu16)
    save("gmm16_variances", var16)
    return (w2, mu2, var2), (w16 / w16.sum(), mu16, var16)


def denoiser_cases(g2, g16):
    x2 = rng.standard_normal((7, 2)) * 3
    x2[6] = [40.0, -25.0]  # far from every component: responsibilities underflow without lse
    save("den2_x", x2)
    for i, s in enumerate((0.05, 1.0, 20.0)):
        save(f"den2_s{i}", posterior_mean(*g2, x2, s))
    x16 = rng.standard_normal((9, 16)) * 2.5
    save("den16_x", x16)
    for i, s in enumerate((0.1, 0.8, 5.0)):
        save(f"den16_s{i}", posterior_mean(*g16, x16, s))
    m, cov = mixture_moments(*g16)
    save("gmm16_mean", m)
    save("gmm16_cov", cov)
    # guidance: the 16-D mixture conditional, the 2-D mixture's first coordinates... any two
    # denoisers of one shape do; here the 16-D mixture and the same mixture with its weights reversed
    w, mu, var = g16
    cond = posterior_mean(w, mu, var, x16, 0.8)
    uncond = posterior_mean(w[::-1] / w.sum(), mu, var, x16, 0.8)
    guided = uncond + 4.0 * (cond - uncond)
    save("cfg_plain", guided)
    save("cfg_rescaled", rescale_noise_cfg(torch.tensor(guided), torch.tensor(cond), 0.7).numpy())


def main():
    os.makedirs(OUT, exist_ok=True)
    g2, g16 = mixtures()
    denoiser_cases(g2, g16)


if __name__ == "__main__":
    main()
