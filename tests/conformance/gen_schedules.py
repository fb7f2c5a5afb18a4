#!/usr/bin/python3
"""gen_schedules.py: reference values for stdlib/schedule.dsl (tests/lang/schedule_*.dsl), written
to tests/conformance/schedule/*.npy.

An independent NumPy implementation of the formulas of diffusers (schedulers/scheduling_ddim.py,
scheduling_euler_discrete.py, scheduling_dpmsolver_multistep.py,
scheduling_flow_match_euler_discrete.py, read at commit 58eb52c0) and k-diffusion
(k_diffusion/sampling.py and external.py, read at commit 4601bf08), written as those sources
write them: the same NumPy calls (np.linspace, np.arange, np.interp, np.round, np.cumprod) and the
same order of operations. The one change: everything is float64, where diffusers builds its betas
with torch.float32, casts Euler's linspace timesteps to float32 and stores sigmas as float32, and
k-diffusion computes in torch's default float32; those roundings (about 1e-7 relative) are the
tools' storage, not their formulas. The tests compare every value to 1e-12 relative.

Beside the values, the script checks (and stops if they fail) the facts the tests and
docs/sampling.md rely on: the trailing spacing's closed form equals diffusers' np.arange for every
step count 1 .. 1000 where np.arange gives the right count, and which counts it overshoots; DDIM's
t - T // N previous timestep disagrees with the list for trailing and linspace spacing (diffusers
#9261, #11347); the naive Karras conversion of a schedule that ends in 0 differs from the schedule.

Run with Debian's interpreter: /usr/bin/python3 tests/conformance/gen_schedules.py
"""
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "schedule")
T = 1000


def save(name, a):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(a))


# --- betas (diffusers' __init__ of its DDPM-family schedulers) -------------------------------


def betas_linear(n, start, end):
    return np.linspace(start, end, n)


def betas_scaled_linear(n, start, end):
    return np.linspace(start**0.5, end**0.5, n) ** 2


def betas_for_alpha_bar(n, max_beta=0.999):
    def alpha_bar_fn(t):
        return math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2

    betas = []
    for i in range(n):
        t1 = i / n
        t2 = (i + 1) / n
        betas.append(min(1 - alpha_bar_fn(t2) / alpha_bar_fn(t1), max_beta))
    return np.array(betas)


def rescale_zero_terminal_snr(betas):
    alphas = 1.0 - betas
    alphas_cumprod = np.cumprod(alphas)
    alphas_bar_sqrt = np.sqrt(alphas_cumprod)
    s0 = alphas_bar_sqrt[0].copy()
    sT = alphas_bar_sqrt[-1].copy()
    alphas_bar_sqrt -= sT
    alphas_bar_sqrt *= s0 / (s0 - sT)
    alphas_bar = alphas_bar_sqrt**2
    alphas = alphas_bar[1:] / alphas_bar[:-1]
    alphas = np.concatenate([alphas_bar[0:1], alphas])
    return 1 - alphas


def alphas_cumprod(betas):
    return np.cumprod(1.0 - betas)


def discrete_sigmas(ac):
    return np.array(((1 - ac) / ac) ** 0.5)


# --- timestep spacing ------------------------------------------------------------------------


def euler_timesteps_spacing(n, spacing, offset=0, t_train=T):
    """EulerDiscreteScheduler.set_timesteps's timesteps (float64 here, float32 there)."""
    if spacing == "linspace":
        return np.linspace(0, t_train - 1, n)[::-1].copy()
    if spacing == "leading":
        step_ratio = t_train // n
        ts = (np.arange(0, n) * step_ratio).round()[::-1].copy().astype(np.float64)
        return ts + offset
    step_ratio = t_train / n
    ts = np.arange(t_train, 0, -step_ratio).round().copy().astype(np.float64)
    return (ts - 1)[:n]  # np.arange overshoots to n + 1 values for some n: see below


def ddim_timesteps(n, spacing, offset=0, t_train=T):
    """DDIMScheduler.set_timesteps."""
    if spacing == "linspace":
        return np.linspace(0, t_train - 1, n).round()[::-1].copy().astype(np.int64)
    if spacing == "leading":
        step_ratio = t_train // n
        ts = (np.arange(0, n) * step_ratio).round()[::-1].copy().astype(np.int64)
        return ts + offset
    step_ratio = t_train / n
    ts = np.round(np.arange(t_train, 0, -step_ratio)).astype(np.int64)
    return (ts - 1)[:n]


def trailing_closed_form(n, t_train=T):
    """What stdlib/schedule.dsl computes: round(T + k delta) - 1, delta = (T - T/n) - T, as
    NumPy's arange fills a float range (start + k * (second - start))."""
    delta = (t_train - t_train / n) - t_train
    return np.array([np.round(t_train + k * delta) for k in range(n)]) - 1


def check_trailing():
    over = []
    for n in range(1, T + 1):
        full = np.round(np.arange(T, 0, -(T / n))) - 1
        if len(full) != n:
            over.append(n)
            assert len(full) == n + 1 and full[-1] == -1, n
        assert np.array_equal(full[:n], trailing_closed_form(n)), n
    assert over[:3] == [61, 103, 121] and len(over) == 62, over
    return over


# --- interpolation (diffusers' np.interp and _sigma_to_t; k-diffusion's DiscreteSchedule) -----


def t_to_sigma(sigmas, t):
    return np.interp(t, np.arange(0, len(sigmas)), sigmas)


def t_to_sigma_log(sigmas, t):
    log_sigmas = np.log(sigmas)
    low_idx, high_idx, w = np.floor(t).astype(np.int64), np.ceil(t).astype(np.int64), t - np.trunc(t)
    log_sigma = (1 - w) * log_sigmas[low_idx] + w * log_sigmas[high_idx]
    return np.exp(log_sigma)


def sigma_to_t(sigma, log_sigmas):
    log_sigma = np.log(np.maximum(sigma, 1e-10))
    dists = log_sigma - log_sigmas[:, np.newaxis]
    low_idx = np.cumsum((dists >= 0), axis=0).argmax(axis=0).clip(max=log_sigmas.shape[0] - 2)
    high_idx = low_idx + 1
    low = log_sigmas[low_idx]
    high = log_sigmas[high_idx]
    w = (low - log_sigma) / (low - high)
    w = np.clip(w, 0, 1)
    t = (1 - w) * low_idx + w * high_idx
    return t.reshape(np.shape(sigma))


# --- sigma schedules (k-diffusion's get_sigmas_*, diffusers' conversions) ----------------------


def append_zero(x):
    return np.concatenate([x, [0.0]])


def karras_ramp(n, sigma_min, sigma_max, rho=7.0):
    ramp = np.linspace(0, 1, n)
    min_inv_rho = sigma_min ** (1 / rho)
    max_inv_rho = sigma_max ** (1 / rho)
    return (max_inv_rho + ramp * (min_inv_rho - max_inv_rho)) ** rho


def get_sigmas_karras(n, sigma_min, sigma_max, rho=7.0):
    return append_zero(karras_ramp(n, sigma_min, sigma_max, rho))


def get_sigmas_exponential(n, sigma_min, sigma_max):
    return append_zero(np.exp(np.linspace(math.log(sigma_max), math.log(sigma_min), n)))


def get_sigmas_polyexponential(n, sigma_min, sigma_max, rho=1.0):
    ramp = np.linspace(1, 0, n) ** rho
    return append_zero(np.exp(ramp * (math.log(sigma_max) - math.log(sigma_min)) + math.log(sigma_min)))


def get_sigmas_vp(n, beta_d=19.9, beta_min=0.1, eps_s=1e-3, exact=True):
    """exp(.) - 1 as k-diffusion writes it, or expm1 (exact=True), which stdlib uses: near
    t = eps_s the subtraction loses about 4 digits."""
    t = np.linspace(1, eps_s, n)
    x = beta_d * t**2 / 2 + beta_min * t
    return append_zero(np.sqrt(np.expm1(x) if exact else np.exp(x) - 1))


def euler_set_timesteps(ac, n, spacing, offset=0, karras=False, final="zero"):
    """EulerDiscreteScheduler.set_timesteps (interpolation_type="linear")."""
    ts = euler_timesteps_spacing(n, spacing, offset, len(ac))
    sigmas = discrete_sigmas(ac)
    log_sigmas = np.log(sigmas)
    sigmas = np.interp(ts, np.arange(0, len(sigmas)), sigmas)
    if karras:
        sigmas = karras_ramp(n, sigmas[-1].item(), sigmas[0].item())
        ts = np.array([sigma_to_t(sigma, log_sigmas) for sigma in sigmas])
    sigma_last = ((1 - ac[0]) / ac[0]) ** 0.5 if final == "sigma_min" else 0
    return ts, np.concatenate([sigmas, [sigma_last]])


def kdiffusion_get_sigmas(ac, n):
    """DiscreteSchedule(((1 - ac) / ac) ** 0.5).get_sigmas(n)."""
    sigmas = ((1 - ac) / ac) ** 0.5
    t = np.linspace(len(sigmas) - 1, 0, n)
    return append_zero(t_to_sigma_log(sigmas, t))


def flow_set_timesteps(n, shift, t_train=T):
    """FlowMatchEulerDiscreteScheduler(shift=shift).set_timesteps(n)."""
    timesteps = np.linspace(1, t_train, t_train)[::-1].copy()
    sigmas = timesteps / t_train
    sigmas = shift * sigmas / (1 + (shift - 1) * sigmas)
    sigma_min, sigma_max = sigmas[-1].item(), sigmas[0].item()
    timesteps = np.linspace(sigma_max * t_train, sigma_min * t_train, n)
    sigmas = timesteps / t_train
    sigmas = shift * sigmas / (1 + (shift - 1) * sigmas)
    return sigmas * t_train, np.concatenate([sigmas, [0.0]])


# --- predictions -----------------------------------------------------------------------------


def kd_eps_denoiser(x, eps, sigma):
    c_out = -sigma
    return x + eps * c_out


def kd_v_denoiser(x, v, sigma, sigma_data=1.0):
    c_skip = sigma_data**2 / (sigma**2 + sigma_data**2)
    c_out = -sigma * sigma_data / (sigma**2 + sigma_data**2) ** 0.5
    return v * c_out + x * c_skip


def main():
    os.makedirs(OUT, exist_ok=True)

    # betas, alphas_cumprod, rescaling, training sigmas
    lin = betas_linear(T, 0.0001, 0.02)
    scaled = betas_scaled_linear(T, 0.00085, 0.012)
    cosine = betas_for_alpha_bar(T)
    zsnr = rescale_zero_terminal_snr(scaled)
    for name, b in [("linear", lin), ("scaled_linear", scaled), ("cosine", cosine), ("zsnr", zsnr)]:
        save("betas_" + name, b)
        save("abar_" + name, alphas_cumprod(b))
    save("sigmas_train_scaled_linear", discrete_sigmas(alphas_cumprod(scaled)))
    zac = alphas_cumprod(zsnr)
    assert zac[-1] == 0 or abs(zac[-1]) < 1e-30
    zac_floor = zac.copy()
    zac_floor[-1] = 2**-24  # EulerDiscreteScheduler with rescale_betas_zero_snr
    save("sigmas_train_zsnr", discrete_sigmas(zac_floor))
    save("betas_cosine_small", betas_for_alpha_bar(8, max_beta=0.5))

    # timesteps: the step counts of the tests, concatenated
    counts = [1, 2, 3, 7, 10, 13, 25, 50, 61, 103, 999, 1000]
    for spacing in ["linspace", "leading", "trailing"]:
        save("ts_euler_" + spacing, np.concatenate([euler_timesteps_spacing(n, spacing) for n in counts]))
        save("ts_ddim_" + spacing, np.concatenate([ddim_timesteps(n, spacing) for n in counts]))
    save("ts_euler_leading_offset1", np.concatenate([euler_timesteps_spacing(n, "leading", 1) for n in counts]))
    over = check_trailing()
    print("trailing overshoots (np.arange gives N + 1 values, the last -1) for N =", over[:8], "...", len(over))
    # DPMSolverMultistepScheduler's linspace and leading: N + 1 points, the last dropped
    dpm_lin = np.linspace(0, T - 1, 20 + 1).round()[::-1][:-1].copy().astype(np.int64)
    dpm_lead = (np.arange(0, 20 + 1) * (T // (20 + 1))).round()[::-1][:-1].copy().astype(np.int64) + 1
    save("ts_dpm_linspace20", dpm_lin)
    save("ts_dpm_leading20", dpm_lead)

    # DDIM's previous timesteps and alphas: the list's, and what t - T // N would read
    ac = alphas_cumprod(scaled)
    for spacing, n in [("trailing", 13), ("linspace", 10), ("leading", 10)]:
        ts = ddim_timesteps(n, spacing)
        prev = np.concatenate([ts[1:], [-1]])
        formula = ts - T // n
        agrees = np.array_equal(np.where(prev < 0, -1, prev), np.where(formula < 0, -1, formula))
        assert agrees == (spacing == "leading"), (spacing, ts, formula)
        save("ddim_prev_" + spacing, prev)
        save("ddim_at_" + spacing, ac[ts])
        save("ddim_aprev_" + spacing, np.array([ac[p] if p >= 0 else 1.0 for p in prev]))
    assert list(ddim_timesteps(13, "trailing")) == [999, 922, 845, 768, 691, 614, 537, 461, 384, 307, 230, 153, 76]

    # interpolation between training timesteps
    train = discrete_sigmas(ac)
    t = np.array([999.0, 998.5, 749.25, 500.0, 123.456, 1.0e-3, 0.0, -3.0, 1000.5, 0.75])
    save("interp_t", t)
    save("interp_linear", t_to_sigma(train, t))
    tin = np.clip(t, 0, T - 1)
    save("interp_log_t", tin)
    save("interp_log", t_to_sigma_log(train, tin))
    sig = np.array([20.0, 14.614641229333639, 7.5, 1.0, 0.5, train[10], 0.03, 0.029167158151720367, 0.01, 0.0])
    save("s2t_sigma", sig)
    save("s2t_t", sigma_to_t(sig, np.log(train)))

    # diffusers' Euler schedules and k-diffusion's discrete one
    for name, kw in [("linspace", dict(spacing="linspace")), ("leading", dict(spacing="leading", offset=1)),
                     ("trailing", dict(spacing="trailing")), ("karras", dict(spacing="linspace", karras=True)),
                     ("karras_min", dict(spacing="leading", offset=1, karras=True, final="sigma_min"))]:
        ts, s = euler_set_timesteps(ac, 25, **kw)
        save("euler_ts_" + name, ts)
        save("euler_sigmas_" + name, s)
    ts, s = euler_set_timesteps(zac_floor, 10, "trailing")
    save("euler_ts_zsnr", ts)
    save("euler_sigmas_zsnr", s)
    save("kdiff_sigmas25", kdiffusion_get_sigmas(ac, 25))

    # k-diffusion's sigma schedules
    save("karras18", get_sigmas_karras(18, 0.002, 80.0))
    save("karras10_sd", get_sigmas_karras(10, 0.0291675, 14.6146, rho=5.0))
    save("karras1", get_sigmas_karras(1, 0.002, 80.0))
    save("exponential20", get_sigmas_exponential(20, 0.1, 10.0))
    save("polyexponential20", get_sigmas_polyexponential(20, 0.002, 80.0, rho=2.0))
    vp = get_sigmas_vp(20)
    assert np.max(np.abs(vp - get_sigmas_vp(20, exact=False))[:-1] / vp[:-1]) < 1e-10
    save("vp20", vp)
    # Karras applied twice: the conversion that takes in_sigmas[-1] (0 for a finished schedule)
    k = get_sigmas_karras(12, 0.002, 80.0)
    naive = karras_ramp(12, k[-1], k[0])
    assert naive[-1] == 0 and np.max(np.abs(naive[:-1] - k[:-2]) / k[:-2]) > 0.1

    # flow matching
    for n, shift in [(28, 3.0), (4, 1.0), (50, 3.0)]:
        ts, s = flow_set_timesteps(n, shift)
        save("flow_ts_%d_%g" % (n, shift), ts)
        save("flow_sigmas_%d_%g" % (n, shift), s)
    save("flow_shift_in", np.linspace(0, 1, 11))
    save("flow_shift_out", 3.0 * np.linspace(0, 1, 11) / (1 + (3.0 - 1) * np.linspace(0, 1, 11)))

    # predictions: 16 values at 16 noise levels
    rng = np.random.default_rng(16)
    x = rng.normal(size=16) * 3
    out = rng.normal(size=16)
    sigma = np.exp(rng.uniform(math.log(0.01), math.log(80.0), size=16))
    save("pred_x", x)
    save("pred_out", out)
    save("pred_sigma", sigma)
    save("pred_kd_eps", kd_eps_denoiser(x, out, sigma))
    save("pred_kd_v", kd_v_denoiser(x, out, sigma))
    abar = ac[rng.integers(0, T, size=16)]
    save("pred_abar", abar)
    alpha_prod_t, beta_prod_t = abar, 1 - abar
    save("pred_ddim_x0_eps", (x - beta_prod_t ** (0.5) * out) / alpha_prod_t ** (0.5))
    save("pred_ddim_eps_x0", (x - alpha_prod_t ** (0.5) * out) / beta_prod_t ** (0.5))
    save("pred_ddim_x0_v", (alpha_prod_t**0.5) * x - (beta_prod_t**0.5) * out)
    save("pred_ddim_eps_v", (alpha_prod_t**0.5) * out + (beta_prod_t**0.5) * x)
    save("pred_velocity", alpha_prod_t**0.5 * out - (1 - abar) ** 0.5 * x)
    fs = rng.uniform(0, 1, size=16)
    save("pred_flow_sigma", fs)
    save("pred_flow_x0", x - fs * out)


if __name__ == "__main__":
    main()
