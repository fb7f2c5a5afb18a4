#!/usr/bin/python3
"""gen_samplers2.py: NumPy's answers for stdlib/sample_discrete.dsl, sample_flow.dsl and
mcmc.dsl, written to tests/conformance/sample2/ (.npy, f64) for tests/lang/sample2_*.dsl.

Run with Debian's interpreter (it has numpy, scipy): /usr/bin/python3 tests/conformance/gen_samplers2.py

Every sampler runs its first steps here from the same start, with the same model and the same
noise and uniforms (drawn here and saved; the tests pass them in with noise= and uniform=). The
model is the exact denoiser of the 2-D mixture of tests/lang/sample_gmm.dsl, computed through
each component's full covariance as gen_samplers.py does. The steps are transcribed from the
references named at each: diffusers' DDPMScheduler, DDIMScheduler, DDIMInverseScheduler and
UniPCMultistepScheduler (solver_order=2, bh2, predict_x0, lower_order_final), written with their
variable names; the other samplers from their papers' algorithms.
"""
import os

import numpy as np
from scipy.special import logsumexp

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample2")
rng = np.random.default_rng(1617)

W = np.array([0.2, 0.5, 0.3])
MU = np.array([[-2.0, 0.0], [1.5, 1.5], [1.0, -2.0]])
VAR = np.array([0.3, 0.1, 0.5])


def save(name, a):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(np.asarray(a, dtype=np.float64)))


def denoise(x, sigma):
    """E[x0 | x0 + sigma n = x] for the 2-D mixture, x [n, 2]."""
    logp = np.empty((x.shape[0], len(W)))
    means = np.empty((len(W),) + x.shape)
    for c in range(len(W)):
        V = VAR[c] * np.eye(2)
        C = V + sigma**2 * np.eye(2)
        r = x - MU[c]
        sol = np.linalg.solve(C, r.T).T
        logp[:, c] = np.log(W[c]) - 0.5 * (np.sum(r * sol, axis=1) + np.linalg.slogdet(2 * np.pi * C)[1])
        means[c] = MU[c] + sol @ V.T
    resp = np.exp(logp - logsumexp(logp, axis=1, keepdims=True))
    return np.einsum("nc,cnd->nd", resp, means)


def log_density(x, sigma):
    """log of the mixture smoothed by N(0, sigma^2 I), per row, and its gradient."""
    logp = np.empty((x.shape[0], len(W)))
    grads = np.empty((len(W),) + x.shape)
    for c in range(len(W)):
        s2 = VAR[c] + sigma**2
        r = x - MU[c]
        logp[:, c] = np.log(W[c]) - 0.5 * np.sum(r * r, axis=1) / s2 - np.log(2 * np.pi * s2)
        grads[c] = -r / s2
    lz = logsumexp(logp, axis=1)
    resp = np.exp(logp - lz[:, None])
    return lz, np.einsum("nc,cnd->nd", resp, grads)


def vp_model(alphas_cumprod, prediction):
    """The network's output at (x, t) for the chain x_t = sqrt(abar) x0 + sqrt(1 - abar) eps."""
    def model(x, t):
        a = alphas_cumprod[t]
        x0 = denoise(x / np.sqrt(a), np.sqrt((1 - a) / a))
        eps = (x - np.sqrt(a) * x0) / np.sqrt(1 - a)
        return {"epsilon": eps, "sample": x0, "v_prediction": np.sqrt(a) * eps - np.sqrt(1 - a) * x0}[prediction]
    return model


def pred_x0(model_output, sample, alpha_prod_t, prediction_type):
    beta_prod_t = 1 - alpha_prod_t
    if prediction_type == "epsilon":
        return (sample - beta_prod_t ** (0.5) * model_output) / alpha_prod_t ** (0.5)
    if prediction_type == "sample":
        return model_output
    return (alpha_prod_t**0.5) * sample - (beta_prod_t**0.5) * model_output


def pred_eps(model_output, sample, alpha_prod_t, prediction_type):
    beta_prod_t = 1 - alpha_prod_t
    if prediction_type == "epsilon":
        return model_output
    if prediction_type == "sample":
        return (sample - alpha_prod_t ** (0.5) * model_output) / beta_prod_t ** (0.5)
    return (alpha_prod_t**0.5) * model_output + (beta_prod_t**0.5) * sample


def ddpm(model, sample, timesteps, alphas_cumprod, prediction_type, noise):
    """DDPMScheduler.step (variance_type fixed_small, clip_sample off) over set timesteps."""
    for i, t in enumerate(timesteps):
        model_output = model(sample, t)
        prev_t = timesteps[i + 1] if i + 1 < len(timesteps) else -1
        alpha_prod_t = alphas_cumprod[t]
        alpha_prod_t_prev = alphas_cumprod[prev_t] if prev_t >= 0 else 1.0
        beta_prod_t = 1 - alpha_prod_t
        beta_prod_t_prev = 1 - alpha_prod_t_prev
        current_alpha_t = alpha_prod_t / alpha_prod_t_prev
        current_beta_t = 1 - current_alpha_t
        pred_original_sample = pred_x0(model_output, sample, alpha_prod_t, prediction_type)
        pred_original_sample_coeff = (alpha_prod_t_prev ** (0.5) * current_beta_t) / beta_prod_t
        current_sample_coeff = current_alpha_t ** (0.5) * beta_prod_t_prev / beta_prod_t
        pred_prev_sample = pred_original_sample_coeff * pred_original_sample + current_sample_coeff * sample
        variance = 0
        if t > 0:
            v = max((1 - alpha_prod_t_prev) / (1 - alpha_prod_t) * current_beta_t, 1e-20)
            variance = v**0.5 * noise[i]
        sample = pred_prev_sample + variance
    return sample


def ddim(model, sample, timesteps, alphas_cumprod, prediction_type, eta, noise):
    """DDIMScheduler.step (clip off), each step to the next timestep of the list, the last to 1."""
    for i, t in enumerate(timesteps):
        model_output = model(sample, t)
        alpha_prod_t = alphas_cumprod[t]
        alpha_prod_t_prev = alphas_cumprod[timesteps[i + 1]] if i + 1 < len(timesteps) else 1.0
        beta_prod_t = 1 - alpha_prod_t
        beta_prod_t_prev = 1 - alpha_prod_t_prev
        pred_original_sample = pred_x0(model_output, sample, alpha_prod_t, prediction_type)
        pred_epsilon = pred_eps(model_output, sample, alpha_prod_t, prediction_type)
        variance = (beta_prod_t_prev / beta_prod_t) * (1 - alpha_prod_t / alpha_prod_t_prev)
        std_dev_t = eta * variance ** (0.5)
        pred_sample_direction = (1 - alpha_prod_t_prev - std_dev_t**2) ** (0.5) * pred_epsilon
        prev_sample = alpha_prod_t_prev ** (0.5) * pred_original_sample + pred_sample_direction
        if eta > 0:
            prev_sample = prev_sample + std_dev_t * noise[i]
        sample = prev_sample
    return sample


def ddim_invert(model, sample, timesteps, alphas_cumprod, prediction_type, refine):
    """DDIMInverseScheduler.step's update (model at the target timestep), then `refine` fixed-point
    iterations of x_t = sqrt(abar_t) (x - sqrt(1 - abar_c) eps(x_t)) / sqrt(abar_c) + sqrt(1 - abar_t) eps(x_t)."""
    for i in reversed(range(len(timesteps))):
        t = timesteps[i]
        alpha_prev = alphas_cumprod[timesteps[i + 1]] if i + 1 < len(timesteps) else 1.0
        alpha_t = alphas_cumprod[t]
        x = sample

        def lift(e):
            return alpha_t**0.5 * (x - (1 - alpha_prev) ** 0.5 * e) / alpha_prev**0.5 + (1 - alpha_t) ** 0.5 * e
        y = lift(pred_eps(model(x, t), x, alpha_t, prediction_type))
        for _ in range(refine):
            y = lift(pred_eps(model(y, t), y, alpha_t, prediction_type))
        sample = y
    return sample


def unipc(model, sample, timesteps, alphas_cumprod, prediction_type):
    """UniPCMultistepScheduler.step: solver_order=2, solver_type bh2, predict_x0, lower_order_final,
    final_sigmas_type zero; multistep_uni_p_bh_update and multistep_uni_c_bh_update written for
    orders 1 and 2 (rhos_p = 0.5 at order 2; rhos_c by solve at order 2, 0.5 at order 1)."""
    sigmas = [((1 - alphas_cumprod[t]) / alphas_cumprod[t]) ** 0.5 for t in timesteps] + [0.0]

    def alpha_sigma(s):
        alpha_t = 1 / (s**2 + 1) ** 0.5
        return alpha_t, s * alpha_t

    def lam(s):
        alpha_t, sigma_t = alpha_sigma(s)
        with np.errstate(divide="ignore"):
            return np.log(alpha_t) - np.log(sigma_t)

    model_outputs = [None, None]
    last_sample = None
    this_order = None
    lower_order_nums = 0
    n = len(timesteps)
    for step_index, t in enumerate(timesteps):
        m_out = model(sample, t)
        alpha_t, sigma_t = alpha_sigma(sigmas[step_index])
        x0 = pred_x0(m_out, sample, alphas_cumprod[t], prediction_type)
        if step_index > 0:
            # corrector (multistep_uni_c_bh_update) with this_order of the step before
            m0 = model_outputs[-1]
            sigma_t_, sigma_s0_ = sigmas[step_index], sigmas[step_index - 1]
            alpha_t, sigma_t = alpha_sigma(sigma_t_)
            alpha_s0, sigma_s0 = alpha_sigma(sigma_s0_)
            h = lam(sigma_t_) - lam(sigma_s0_)
            rks, D1s = [], []
            if this_order == 2:
                rk = (lam(sigmas[step_index - 2]) - lam(sigma_s0_)) / h
                rks.append(rk)
                D1s.append((model_outputs[-2] - m0) / rk)
            rks.append(1.0)
            rks = np.array(rks)
            hh = -h
            h_phi_1 = np.expm1(hh)
            h_phi_k = h_phi_1 / hh - 1
            factorial_i = 1
            B_h = np.expm1(hh)
            R, b = [], []
            for i in range(1, this_order + 1):
                R.append(rks ** (i - 1))
                b.append(h_phi_k * factorial_i / B_h)
                factorial_i *= i + 1
                h_phi_k = h_phi_k / hh - 1 / factorial_i
            R = np.stack(R)
            b = np.array(b)
            rhos_c = np.array([0.5]) if this_order == 1 else np.linalg.solve(R, b)
            x_t_ = sigma_t / sigma_s0 * last_sample - alpha_t * h_phi_1 * m0
            corr_res = rhos_c[0] * D1s[0] if D1s else 0
            D1_t = x0 - m0
            sample = x_t_ - alpha_t * B_h * (corr_res + rhos_c[-1] * D1_t)
        model_outputs = [model_outputs[-1], x0]
        this_order = min(min(2, n - step_index), lower_order_nums + 1)
        last_sample = sample
        # predictor (multistep_uni_p_bh_update)
        m0 = model_outputs[-1]
        sigma_t_, sigma_s0_ = sigmas[step_index + 1], sigmas[step_index]
        alpha_t, sigma_t = alpha_sigma(sigma_t_)
        alpha_s0, sigma_s0 = alpha_sigma(sigma_s0_)
        h = lam(sigma_t_) - lam(sigma_s0_)
        hh = -h
        h_phi_1 = np.expm1(hh)
        B_h = np.expm1(hh)
        x_t_ = sigma_t / sigma_s0 * sample - alpha_t * h_phi_1 * m0
        if this_order == 2:
            rk = (lam(sigmas[step_index - 1]) - lam(sigma_s0_)) / h
            D1 = (model_outputs[-2] - m0) / rk
            sample = x_t_ - alpha_t * B_h * (0.5 * D1)
        else:
            sample = x_t_
        lower_order_nums = min(lower_order_nums + 1, 2)
    return sample


def flow_velocity(x, s):
    """The exact velocity noise - x0 of the mixture's rectified flow at x_s = (1 - s) x0 + s n."""
    if s == 1:
        return x - W @ MU
    return (x - denoise(x / (1 - s), s / (1 - s))) / s


def flow_euler(x, sigmas):
    for i in range(len(sigmas) - 1):
        x = x + (sigmas[i + 1] - sigmas[i]) * flow_velocity(x, sigmas[i])
    return x


def flow_heun(x, sigmas):
    """FlowMatchHeunDiscreteScheduler's steps, with the final step to 0 first order."""
    for i in range(len(sigmas) - 1):
        dt = sigmas[i + 1] - sigmas[i]
        d = flow_velocity(x, sigmas[i])
        guess = x + d * dt
        if sigmas[i + 1] == 0:
            x = guess
        else:
            x = x + dt * (0.5 * (d + flow_velocity(guess, sigmas[i + 1])))
    return x


def annealed_langevin(x, sigmas, steps_per_level, step_lr, noise):
    """Song and Ermon 2019, Algorithm 1, with the exact score (D(x, sigma) - x) / sigma^2."""
    k = 0
    for sigma in sigmas:
        a = step_lr * (sigma / sigmas[-1]) ** 2
        for _ in range(steps_per_level):
            x = x + a / 2 * ((denoise(x, sigma) - x) / sigma**2) + np.sqrt(a) * noise[k]
            k += 1
    return x


def mala(x, sigma, h, noise, uniform, steps=None):
    """MALA on the mixture smoothed to sigma: {x, accepted count}."""
    accepted = 0
    for i in range(len(noise) if steps is None else steps):
        lp_x, sx = log_density(x, sigma)
        y = x + h * sx + np.sqrt(2 * h) * noise[i]
        lp_y, sy = log_density(y, sigma)
        fwd = np.sum((y - x - h * sx) ** 2, axis=1)
        bwd = np.sum((x - y - h * sy) ** 2, axis=1)
        accept = np.log(uniform[i]) < lp_y - lp_x - (bwd - fwd) / (4 * h)
        x = np.where(accept[:, None], y, x)
        accepted += accept.sum()
    return x, accepted


def annealed_mala(x, sigmas, steps_per_level, step_lr, noise, uniform):
    """annealed Langevin's steps at each level with MALA's test: step a / 2 on the score."""
    accepted = 0
    for lvl, sigma in enumerate(sigmas):
        a = step_lr * (sigma / sigmas[-1]) ** 2
        k0 = lvl * steps_per_level
        x, acc = mala(x, sigma, a / 2, noise[k0:], uniform[k0:], steps=steps_per_level)
        accepted += acc
    return x, accepted


def systematic(lw, u):
    W_ = np.exp(lw - logsumexp(lw))
    c = np.cumsum(W_)
    n = len(lw)
    return np.minimum(n - 1, np.searchsorted(c, (u + np.arange(n)) / n, side="right"))


def smc(x, steps, threshold, a, q, ys, r, noise, uniform):
    """Resample (systematic) when ESS < threshold n, move x <- a x + q z, weight by log N(y_i; x, r^2)."""
    n = x.shape[0]
    lw = np.zeros(n)
    logz = 0.0
    resamples = 0
    for i in range(steps):
        ess = np.exp(2 * logsumexp(lw) - logsumexp(2 * lw))
        if ess < threshold * n:
            x = x[systematic(lw, uniform[i])]
            lw = np.zeros(n)
            resamples += 1
        x = a * x + q * noise[i]
        g = -0.5 * np.sum((ys[i] - x) ** 2, axis=1) / r**2 - x.shape[1] * np.log(np.sqrt(2 * np.pi) * r)
        gw = lw + g
        logz += logsumexp(gw) - logsumexp(lw)
        lw = gw
    return x, lw - logsumexp(lw), logz, resamples


def pfgmpp_denoise(points, D, x, sigma):
    N = points.shape[1]
    r2 = sigma**2 * D
    d2 = np.sum((x[:, None, :] - points[None, :, :]) ** 2, axis=2)
    lw = -(N + D) / 2 * np.log(d2 + r2)
    w = np.exp(lw - logsumexp(lw, axis=1, keepdims=True))
    return w @ points


def main():
    os.makedirs(OUT, exist_ok=True)
    betas = np.linspace(0.0001, 0.02, 1000, dtype=np.float64)
    alphas_cumprod = np.cumprod(1.0 - betas)
    save("alphas_cumprod", alphas_cumprod)
    x = rng.standard_normal((6, 2))
    save("x", x)
    noise = rng.standard_normal((12, 6, 2))
    save("noise", noise)
    uniform = rng.uniform(size=(12, 6))
    save("uniform", uniform)
    ts_a = [801, 601, 401, 201, 1]
    ts_b = [999, 666, 333, 0]
    ts_c = [999, 832, 665, 498, 331, 164]
    for p in ("epsilon", "sample", "v_prediction"):
        save(f"ddpm_{p}", ddpm(vp_model(alphas_cumprod, p), x, ts_a, alphas_cumprod, p, noise))
    save("ddpm_last0", ddpm(vp_model(alphas_cumprod, "epsilon"), x, ts_b, alphas_cumprod, "epsilon", noise))
    save("ddim_eta0", ddim(vp_model(alphas_cumprod, "epsilon"), x, ts_a, alphas_cumprod, "epsilon", 0.0, noise))
    save("ddim_v_eta05", ddim(vp_model(alphas_cumprod, "v_prediction"), x, ts_b, alphas_cumprod, "v_prediction", 0.5, noise))
    save("ddim_sample_eta1", ddim(vp_model(alphas_cumprod, "sample"), x, ts_a, alphas_cumprod, "sample", 1.0, noise))
    x0 = denoise(x, 0.05)  # clean-looking points to encode
    save("clean", x0)
    save("ddim_invert_r0", ddim_invert(vp_model(alphas_cumprod, "epsilon"), x0, ts_a, alphas_cumprod, "epsilon", 0))
    save("ddim_invert_v_r2", ddim_invert(vp_model(alphas_cumprod, "v_prediction"), x0, ts_a, alphas_cumprod, "v_prediction", 2))
    save("unipc_epsilon", unipc(vp_model(alphas_cumprod, "epsilon"), x, ts_c, alphas_cumprod, "epsilon"))
    save("unipc_v_prediction", unipc(vp_model(alphas_cumprod, "v_prediction"), x, ts_c, alphas_cumprod, "v_prediction"))
    save("unipc_two", unipc(vp_model(alphas_cumprod, "sample"), x, ts_b[:2], alphas_cumprod, "sample"))
    shift = 3.0
    s = np.linspace(1.0, 0.1, 10)
    sigmas = np.concatenate([shift * s / (1 + (shift - 1) * s), [0.0]])
    save("flow_sigmas", sigmas)
    save("flow_euler", flow_euler(x, sigmas))
    save("flow_heun", flow_heun(x, sigmas))
    save("annealed_langevin", annealed_langevin(x * 2, [1.0, 0.5, 0.25], 4, 0.01, noise))
    mx, acc = mala(x * 2, 0.3, 0.1, noise, uniform)
    save("mala_x", mx)
    save("mala_accepted", [acc])
    ax, aacc = annealed_mala(x * 2, [1.0, 0.5, 0.25], 4, 0.05, noise, uniform)
    save("annealed_mala_x", ax)
    save("annealed_mala_accepted", [aacc])
    ys = rng.standard_normal((12, 2))
    save("smc_ys", ys)
    sx, slw, slogz, sres = smc(x, 12, 0.8, 0.9, 0.6, ys, 0.7, noise, uniform[:, 0])
    save("smc_x", sx)
    save("smc_lw", slw)
    save("smc_logz", [slogz, sres])
    points = rng.standard_normal((5, 3))
    save("pfgmpp_points", points)
    px = rng.standard_normal((4, 3)) * 2
    save("pfgmpp_x", px)
    save("pfgmpp_d16_s07", pfgmpp_denoise(points, 16, px, 0.7))
    save("pfgmpp_d2048_s3", pfgmpp_denoise(points, 2048, px, 3.0))


if __name__ == "__main__":
    main()
