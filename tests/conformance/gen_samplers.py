#!/usr/bin/python3
"""gen_samplers.py: NumPy's answers for stdlib/denoise.dsl and stdlib/sample.dsl, written to
tests/conformance/sample/ (.npy, f64) for tests/lang/sample_*.dsl.

Run with Debian's interpreter (it has numpy, scipy, torch): /usr/bin/python3 tests/conformance/gen_samplers.py

The mixtures and points are drawn here from a fixed NumPy generator. The exact denoiser of a
Gaussian mixture is computed another way than sinter's: with each component's full covariance
C = V + sigma^2 I, its log density by slogdet and solve, responsibilities by scipy's logsumexp,
and the posterior mean mu + V C^-1 (x - mu). Guidance rescale is diffusers' rescale_noise_cfg,
written with torch.

The samplers are k-diffusion's sampling.py (crowsonkb/k-diffusion, commit 4601bf0) ported to
NumPy line by line, with the denoiser above and the noise of each step read from a saved array
(sinter's tests pass the same array as `noise=`), including scipy.integrate.quad for LMS's
coefficients. DPM-Solver++(2M) with lower_order_final also takes a first-order last step when
it does not go to sigma = 0 (diffusers' DPMSolverMultistepScheduler with lower_order_final).
"""
import os

import numpy as np
import torch
from scipy import integrate
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


# --- k-diffusion's samplers in NumPy ----------------------------------------------------------


def to_d(x, sigma, denoised):
    return (x - denoised) / sigma


def churn_gamma(sigmas, i, s_churn, s_tmin, s_tmax):
    return min(s_churn / (len(sigmas) - 1), 2**0.5 - 1) if s_tmin <= sigmas[i] <= s_tmax else 0.0


def euler(model, x, sigmas, Z, s_churn=0.0, s_tmin=0.0, s_tmax=float("inf"), s_noise=1.0):
    for i in range(len(sigmas) - 1):
        gamma = churn_gamma(sigmas, i, s_churn, s_tmin, s_tmax)
        sigma_hat = sigmas[i] * (gamma + 1)
        if gamma > 0:
            eps = Z[i] * s_noise
            x = x + eps * (sigma_hat**2 - sigmas[i] ** 2) ** 0.5
        denoised = model(x, sigma_hat)
        d = to_d(x, sigma_hat, denoised)
        dt = sigmas[i + 1] - sigma_hat
        x = x + d * dt
    return x


def ancestral_step(sigma_from, sigma_to, eta=1.0):
    if not eta:
        return sigma_to, 0.0
    sigma_up = min(sigma_to, eta * (sigma_to**2 * (sigma_from**2 - sigma_to**2) / sigma_from**2) ** 0.5)
    sigma_down = (sigma_to**2 - sigma_up**2) ** 0.5
    return sigma_down, sigma_up


def euler_ancestral(model, x, sigmas, Z, eta=1.0, s_noise=1.0):
    for i in range(len(sigmas) - 1):
        denoised = model(x, sigmas[i])
        sigma_down, sigma_up = ancestral_step(sigmas[i], sigmas[i + 1], eta=eta)
        d = to_d(x, sigmas[i], denoised)
        dt = sigma_down - sigmas[i]
        x = x + d * dt
        if sigmas[i + 1] > 0:
            x = x + Z[i] * s_noise * sigma_up
    return x


def heun(model, x, sigmas, Z, s_churn=0.0, s_tmin=0.0, s_tmax=float("inf"), s_noise=1.0):
    for i in range(len(sigmas) - 1):
        gamma = churn_gamma(sigmas, i, s_churn, s_tmin, s_tmax)
        sigma_hat = sigmas[i] * (gamma + 1)
        if gamma > 0:
            eps = Z[i] * s_noise
            x = x + eps * (sigma_hat**2 - sigmas[i] ** 2) ** 0.5
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


def dpmpp_2m(model, x, sigmas, lower_order_final=False):
    sigma_fn = lambda t: np.exp(-t)
    t_fn = lambda sigma: -np.log(sigma)
    old_denoised = None
    with np.errstate(divide="ignore"):
        for i in range(len(sigmas) - 1):
            denoised = model(x, sigmas[i])
            t, t_next = t_fn(sigmas[i]), t_fn(sigmas[i + 1])
            h = t_next - t
            last = lower_order_final and i == len(sigmas) - 2
            if old_denoised is None or sigmas[i + 1] == 0 or last:
                x = (sigma_fn(t_next) / sigma_fn(t)) * x - np.expm1(-h) * denoised
            else:
                h_last = t - t_fn(sigmas[i - 1])
                r = h_last / h
                denoised_d = (1 + 1 / (2 * r)) * denoised - (1 / (2 * r)) * old_denoised
                x = (sigma_fn(t_next) / sigma_fn(t)) * x - np.expm1(-h) * denoised_d
            old_denoised = denoised
    return x


def dpmpp_2m_sde(model, x, sigmas, Z, eta=1.0, s_noise=1.0, solver_type="midpoint"):
    old_denoised = None
    h_last = None
    h = None
    for i in range(len(sigmas) - 1):
        denoised = model(x, sigmas[i])
        if sigmas[i + 1] == 0:
            x = denoised
        else:
            t, s = -np.log(sigmas[i]), -np.log(sigmas[i + 1])
            h = s - t
            eta_h = eta * h
            x = sigmas[i + 1] / sigmas[i] * np.exp(-eta_h) * x + -np.expm1(-h - eta_h) * denoised
            if old_denoised is not None:
                r = h_last / h
                if solver_type == "heun":
                    x = x + ((-np.expm1(-h - eta_h)) / (-h - eta_h) + 1) * (1 / r) * (denoised - old_denoised)
                elif solver_type == "midpoint":
                    x = x + 0.5 * -np.expm1(-h - eta_h) * (1 / r) * (denoised - old_denoised)
            if eta:
                x = x + Z[i] * sigmas[i + 1] * np.sqrt(-np.expm1(-2 * eta_h)) * s_noise
        old_denoised = denoised
        h_last = h
    return x


def linear_multistep_coeff(order, t, i, j):
    if order - 1 > i:
        raise ValueError(f"Order {order} too high for step {i}")

    def fn(tau):
        prod = 1.0
        for k in range(order):
            if j == k:
                continue
            prod *= (tau - t[i - k]) / (t[i - j] - t[i - k])
        return prod

    return integrate.quad(fn, t[i], t[i + 1], epsrel=1e-4)[0]


def lms(model, x, sigmas, order=4):
    ds = []
    for i in range(len(sigmas) - 1):
        denoised = model(x, sigmas[i])
        d = to_d(x, sigmas[i], denoised)
        ds.append(d)
        if len(ds) > order:
            ds.pop(0)
        cur_order = min(i + 1, order)
        coeffs = [linear_multistep_coeff(cur_order, sigmas, i, j) for j in range(cur_order)]
        x = x + sum(coeff * d for coeff, d in zip(coeffs, reversed(ds)))
    return x


def karras(n, sigma_min, sigma_max, rho=7.0):
    ramp = np.linspace(0, 1, n)
    return np.append((sigma_max ** (1 / rho) + ramp * (sigma_min ** (1 / rho) - sigma_max ** (1 / rho))) ** rho, 0.0)


def sampler_cases(g2, g16):
    """Six steps of each sampler on 6 points of the 2-D mixture (Karras sigmas from 20 to 0.05, then
    0; `open`: the same without the final 0), and five Heun steps on 5 points of the 16-D one."""
    model = lambda x, s: posterior_mean(*g2, x, s)
    sig = karras(6, 0.05, 20.0)
    open_sig = sig[:-1]
    x0 = rng.standard_normal((6, 2)) * 20.0
    Z = rng.standard_normal((6, 6, 2))
    save("steps_sigmas", sig)
    save("steps_x0", x0)
    save("steps_noise", Z)
    save("steps_euler", euler(model, x0, sig, Z))
    save("steps_euler_churn", euler(model, x0, sig, Z, s_churn=2.0, s_tmin=0.1, s_tmax=10.0, s_noise=1.007))
    save("steps_heun", heun(model, x0, sig, Z))
    save("steps_heun_churn", heun(model, x0, sig, Z, s_churn=2.0, s_tmin=0.1, s_tmax=10.0, s_noise=1.007))
    save("steps_euler_a", euler_ancestral(model, x0, sig, Z))
    save("steps_euler_a_eta", euler_ancestral(model, x0, sig, Z, eta=0.5, s_noise=1.007))
    save("steps_dpmpp_2m", dpmpp_2m(model, x0, sig))
    save("steps_dpmpp_2m_open", dpmpp_2m(model, x0, open_sig))
    save("steps_dpmpp_2m_open_lof", dpmpp_2m(model, x0, open_sig, lower_order_final=True))
    save("steps_dpmpp_2m_sde", dpmpp_2m_sde(model, x0, sig, Z))
    save("steps_dpmpp_2m_sde_heun", dpmpp_2m_sde(model, x0, sig, Z, eta=0.7, s_noise=1.007, solver_type="heun"))
    save("steps_dpmpp_2m_sde_open", dpmpp_2m_sde(model, x0, open_sig, Z))
    save("steps_lms", lms(model, x0, sig))
    save("steps_lms_open", lms(model, x0, open_sig))
    model16 = lambda x, s: posterior_mean(*g16, x, s)
    x16 = rng.standard_normal((5, 16)) * 20.0
    save("steps16_x0", x16)
    save("steps16_heun", heun(model16, x16, sig, None))
    save("steps16_dpmpp_2m", dpmpp_2m(model16, x16, sig))


def main():
    os.makedirs(OUT, exist_ok=True)
    g2, g16 = mixtures()
    denoiser_cases(g2, g16)
    sampler_cases(g2, g16)


if __name__ == "__main__":
    main()
