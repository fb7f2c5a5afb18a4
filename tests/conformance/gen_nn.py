#!/usr/bin/python3
"""gen_nn.py: PyTorch 1.13's answers for the layers, activations and losses of stdlib/nn.dsl,
written to tests/conformance/nn/ (.npy, f64) for tests/lang/nn_*.dsl.

Run with Debian's interpreter (it has torch): /usr/bin/python3 tests/conformance/gen_nn.py

Every input is drawn from a fixed NumPy generator; every output is computed in f64 by torch's
own function where torch 1.13 has one (F.linear, F.layer_norm, nn.MultiheadAttention, F.conv1d,
F.conv2d, the pooling functions, F.cross_entropy, F.binary_cross_entropy_with_logits, F.kl_div,
...) and otherwise by the formula of the paper written with torch or NumPy, named in each case:
RMSNorm (torch 2.4's nn.RMSNorm formula), scaled dot-product attention (torch 2's
F.scaled_dot_product_attention is softmax(q k^T / sqrt(d) + mask) v), linear attention
(Katharopoulos et al. 2020, causal through the paper's prefix sums, a different computation
from sinter's masked form), S4D (the reference s4d.py kernel in complex arithmetic, applied by
a direct causal convolution), entmax (the entmax package's bisection, and the exact sort-based
algorithms for sparsemax and 1.5-entmax of Peters et al. 2019), the Tsallis loss, flow matching
and denoising score matching.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn")
torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(2026)


def save(name, a):
    if isinstance(a, torch.Tensor):
        a = a.detach().numpy()
    a = np.asarray(a)
    if a.dtype.kind == "f":
        a = a.astype(np.float64)
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(a))


def normal(*shape, scale=1.0):
    return torch.tensor(rng.standard_normal(shape) * scale)


def activations():
    x = normal(7, 13, scale=3.0)
    x[0, :6] = torch.tensor([0.0, -0.0, 25.0, -25.0, 1e-8, -40.0])
    save("act_x", x)
    save("act_relu", F.relu(x))
    save("act_leaky", F.leaky_relu(x, 0.1))
    save("act_elu", F.elu(x, alpha=1.3))
    save("act_gelu", F.gelu(x))
    save("act_gelu_tanh", F.gelu(x, approximate="tanh"))
    save("act_silu", F.silu(x))
    save("act_softplus", F.softplus(x))
    save("act_softplus_b2", F.softplus(x, beta=2.0, threshold=5.0))
    save("act_sigmoid", torch.sigmoid(x))
    save("act_tanh", torch.tanh(x))


def linear_layers():
    x, W, b = normal(5, 4), normal(3, 4), normal(3)
    for k, v in dict(x=x, W=W, b=b).items():
        save("lin_" + k, v)
    save("lin_y", F.linear(x, W, b))
    save("lin_y0", F.linear(x, W))
    # MLP 5 -> 8 -> 8 -> 8 -> 3, relu, hidden layers stacked as mlp() takes them
    x = normal(6, 5)
    layers = [torch.nn.Linear(5, 8), torch.nn.Linear(8, 8), torch.nn.Linear(8, 8), torch.nn.Linear(8, 3)]
    for layer in layers:
        layer.weight.data = normal(*layer.weight.shape, scale=0.5)
        layer.bias.data = normal(*layer.bias.shape, scale=0.5)
    seq = torch.nn.Sequential(layers[0], torch.nn.ReLU(), layers[1], torch.nn.ReLU(), layers[2], torch.nn.ReLU(), layers[3])
    save("mlp_x", x)
    save("mlp_W0", layers[0].weight)
    save("mlp_b0", layers[0].bias)
    save("mlp_Wh", torch.stack([layers[1].weight, layers[2].weight]))
    save("mlp_bh", torch.stack([layers[1].bias, layers[2].bias]))
    save("mlp_Wo", layers[3].weight)
    save("mlp_bo", layers[3].bias)
    save("mlp_y", seq(x))
    seq_tanh = torch.nn.Sequential(layers[0], torch.nn.Tanh(), layers[3])
    save("mlp_y_tanh0", seq_tanh(x))
    # embedding
    W = normal(10, 4)
    idx = torch.tensor([3, 0, 9, 3, 7, 1, 0], dtype=torch.int64)
    save("emb_W", W)
    save("emb_idx", idx)
    save("emb_y", F.embedding(idx, W))


def norms():
    x = normal(6, 10, scale=2.0) + 3.0
    w, b = normal(10), normal(10)
    save("ln_x", x)
    save("ln_w", w)
    save("ln_b", b)
    save("ln_y", F.layer_norm(x, (10,), w, b, eps=1e-5))
    save("ln_y0", F.layer_norm(x, (10,)))
    save("ln_y_eps", F.layer_norm(x, (10,), w, b, eps=0.1))
    # torch 2.4's nn.RMSNorm: x * rsqrt(mean(x^2) + eps) * w
    save("rms_y", x / torch.sqrt((x * x).mean(-1, keepdim=True) + 1e-6) * w)
    save("rms_y_eps", x / torch.sqrt((x * x).mean(-1, keepdim=True) + 0.5))


def sdpa(q, k, v, causal):
    s = q @ k.transpose(-1, -2) / np.sqrt(q.shape[-1])
    if causal:
        s = s.masked_fill(torch.ones(s.shape[-2], s.shape[-1]).triu(1).bool(), float("-inf"))
    return torch.softmax(s, -1) @ v


def attention():
    q, k, v = normal(2, 3, 5, 4), normal(2, 3, 7, 4), normal(2, 3, 7, 6)
    for n, t in dict(q=q, k=k, v=v).items():
        save("att_" + n, t)
    save("att_y", sdpa(q, k, v, False))
    save("att_yc", sdpa(q, k[:, :, :5], v[:, :, :5], True))
    # nn.MultiheadAttention(8, 2, batch_first=True): self-attention, causal and not, and cross
    mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    mha.in_proj_weight.data = normal(24, 8, scale=0.4)
    mha.in_proj_bias.data = normal(24, scale=0.3)
    mha.out_proj.weight.data = normal(8, 8, scale=0.4)
    mha.out_proj.bias.data = normal(8, scale=0.3)
    x, y = normal(2, 5, 8), normal(2, 6, 8)
    save("mha_x", x)
    save("mha_kv", y)
    save("mha_in_w", mha.in_proj_weight)
    save("mha_in_b", mha.in_proj_bias)
    save("mha_out_w", mha.out_proj.weight)
    save("mha_out_b", mha.out_proj.bias)
    save("mha_y", mha(x, x, x, need_weights=False)[0])
    mask = torch.ones(5, 5).triu(1).bool()
    save("mha_yc", mha(x, x, x, attn_mask=mask, need_weights=False)[0])
    save("mha_cross", mha(x, y, y, need_weights=False)[0])
    # linear attention (Katharopoulos et al. 2020), phi = elu + 1; causal by prefix sums
    phq, phk = F.elu(q) + 1, F.elu(k) + 1
    kv = torch.einsum("bhjd,bhje->bhde", phk, v)
    y = torch.einsum("bhid,bhde->bhie", phq, kv) / torch.einsum("bhid,bhd->bhi", phq, phk.sum(2))[..., None]
    save("lin_att_y", y)
    phk5, v5 = phk[:, :, :5], v[:, :, :5]
    S = torch.cumsum(torch.einsum("bhjd,bhje->bhjde", phk5, v5), 2)
    Z = torch.cumsum(phk5, 2)
    yc = torch.einsum("bhid,bhide->bhie", phq, S) / torch.einsum("bhid,bhid->bhi", phq, Z)[..., None]
    save("lin_att_yc", yc)


def conv_pool():
    x1, W1, b1 = normal(2, 3, 11), normal(4, 3, 3), normal(4)
    W1k4 = normal(4, 3, 4)
    for n, t in dict(x=x1, W=W1, b=b1, Wk4=W1k4).items():
        save("c1_" + n, t)
    save("c1_s1p0", F.conv1d(x1, W1, b1))
    save("c1_s2p1", F.conv1d(x1, W1, b1, stride=2, padding=1))
    save("c1_s3p2k4", F.conv1d(x1, W1k4, stride=3, padding=2))
    x2, W2, b2 = normal(2, 3, 9, 8), normal(4, 3, 3, 2), normal(4)
    for n, t in dict(x=x2, W=W2, b=b2).items():
        save("c2_" + n, t)
    save("c2_s1p0", F.conv2d(x2, W2, b2))
    save("c2_s2p1", F.conv2d(x2, W2, b2, stride=2, padding=1))
    save("c2_s3p2", F.conv2d(x2, W2, stride=3, padding=2))
    for k, s in ((3, 3), (3, 2), (4, 1)):
        save("p1_max_k%ds%d" % (k, s), F.max_pool1d(x1, k, s))
        save("p1_avg_k%ds%d" % (k, s), F.avg_pool1d(x1, k, s))
    for k, s in ((2, 2), (3, 2), (3, 1)):
        save("p2_max_k%ds%d" % (k, s), F.max_pool2d(x2, k, s))
        save("p2_avg_k%ds%d" % (k, s), F.avg_pool2d(x2, k, s))


def s4d():
    # s4d.py (Gu et al. 2022): K = 2 Re(einsum(C (exp(dtA) - 1) / A, exp(dtA l))), y = K * u + D u
    B, H, N, L = 2, 3, 4, 16
    u = normal(B, H, L)
    log_dt = torch.tensor(rng.uniform(np.log(1e-3), np.log(1e-1), H))
    A_re = -0.5 * torch.ones(H, N) - torch.tensor(rng.uniform(0, 0.5, (H, N)))
    A_im = np.pi * torch.arange(N).repeat(H, 1).double()
    C_re, C_im, D = normal(H, N, scale=0.5), normal(H, N, scale=0.5), normal(H)
    for n, t in dict(u=u, log_dt=log_dt, A_re=A_re, A_im=A_im, C_re=C_re, C_im=C_im, D=D).items():
        save("s4d_" + n, t)
    A = torch.complex(A_re, A_im)
    dtA = A * torch.exp(log_dt)[:, None]
    C = torch.complex(C_re, C_im) * (torch.exp(dtA) - 1.0) / A
    K = 2 * torch.einsum("hn,hnl->hl", C, torch.exp(dtA[..., None] * torch.arange(L))).real
    y = torch.zeros(B, H, L)
    for t in range(L):
        y[:, :, t] = (K[:, : t + 1].flip(-1) * u[:, :, : t + 1]).sum(-1)
    save("s4d_y", y + u * D[:, None])


def entmax_bisect_np(x, alpha, iters):
    """The entmax package's entmax_bisect (Peters et al. 2019), in NumPy."""
    xs = x * (alpha - 1)
    top = xs.max(-1, keepdims=True)
    lo = top - 1.0
    hi = top - (1.0 / x.shape[-1]) ** (alpha - 1)
    p = lambda z: np.maximum(z, 0) ** (1 / (alpha - 1))
    f_lo = p(xs - lo).sum(-1, keepdims=True) - 1
    dm = hi - lo
    for _ in range(iters):
        dm = dm / 2
        mid = lo + dm
        f_mid = p(xs - mid).sum(-1, keepdims=True) - 1
        lo = np.where(f_mid * f_lo >= 0, mid, lo)
    pm = p(xs - lo - dm)
    return pm / pm.sum(-1, keepdims=True)


def sparsemax_sort(x):
    """Sparsemax by sorting (Martins and Astudillo 2016, Algorithm 1)."""
    z = -np.sort(-x, -1)
    k = np.arange(1, x.shape[-1] + 1)
    cs = np.cumsum(z, -1)
    support = 1 + k * z > cs
    kz = support.sum(-1, keepdims=True)
    tau = (np.take_along_axis(cs, kz - 1, -1) - 1) / kz
    return np.maximum(x - tau, 0)


def entmax15_sort(x):
    """1.5-entmax by sorting (Peters et al. 2019, Algorithm 2)."""
    x = x / 2
    z = -np.sort(-x, -1)
    k = np.arange(1, x.shape[-1] + 1)
    mean = np.cumsum(z, -1) / k
    mean_sq = np.cumsum(z * z, -1) / k
    ss = k * (mean_sq - mean * mean)
    delta = np.maximum((1 - ss) / k, 0)
    tau = mean - np.sqrt(delta)
    support = (tau <= z).sum(-1, keepdims=True)
    tau_star = np.take_along_axis(tau, support - 1, -1)
    return np.maximum(x - tau_star, 0) ** 2


def losses():
    a, b = normal(4, 5), normal(4, 5)
    save("mse_a", a)
    save("mse_b", b)
    save("mse", F.mse_loss(a, b))
    save("mse_sum", F.mse_loss(a, b, reduction="sum"))
    logits = normal(6, 5, scale=3.0)
    logits[0, 0] = 400.0  # large logits: the lse must not overflow
    t = torch.tensor([0, 4, 2, 2, 1, 3])
    soft = torch.softmax(normal(6, 5), -1)
    save("ce_logits", logits)
    save("ce_t", t)
    save("ce_soft", soft)
    for ls in (0.0, 0.1):
        tag = "ce_ls%d" % round(ls * 10)
        save(tag, F.cross_entropy(logits, t, label_smoothing=ls))
        save(tag + "_none", F.cross_entropy(logits, t, label_smoothing=ls, reduction="none"))
        save(tag + "_sum", F.cross_entropy(logits, t, label_smoothing=ls, reduction="sum"))
        save(tag + "_soft", F.cross_entropy(logits, soft, label_smoothing=ls))
        save(tag + "_soft_none", F.cross_entropy(logits, soft, label_smoothing=ls, reduction="none"))
    x = normal(4, 5, scale=4.0)
    x[0, :3] = torch.tensor([60.0, -60.0, 0.0])
    y = torch.tensor(rng.uniform(0, 1, (4, 5)))
    y[1] = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0])
    pw = torch.tensor([1.0, 2.0, 0.5, 3.0, 1.5])
    save("bce_x", x)
    save("bce_y", y)
    save("bce_pw", pw)
    save("bce", F.binary_cross_entropy_with_logits(x, y))
    save("bce_none", F.binary_cross_entropy_with_logits(x, y, reduction="none"))
    save("bce_pw_none", F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction="none"))
    save("bce_pw_mean", F.binary_cross_entropy_with_logits(x, y, pos_weight=pw))
    inp = torch.log_softmax(normal(4, 6), -1)
    tgt = torch.softmax(normal(4, 6, scale=2.0), -1)
    tgt[0, 2] = 0.0
    tgt[0] = tgt[0] / tgt[0].sum()
    save("kl_input", inp)
    save("kl_target", tgt)
    save("kl_batchmean", F.kl_div(inp, tgt, reduction="batchmean"))
    save("kl_none", F.kl_div(inp, tgt, reduction="none"))
    # entmax and the Tsallis loss
    z = rng.standard_normal((5, 7)) * 2
    z[0, :3] = [1.0, 1.0, 1.0]
    save("ent_x", z)
    for alpha, tag in ((1.5, "15"), (2.0, "20"), (1.2, "12"), (3.0, "30")):
        save("ent_bisect_" + tag, entmax_bisect_np(z, alpha, 50))
    save("ent_sparsemax_sort", sparsemax_sort(z))
    save("ent_15_sort", entmax15_sort(z))
    save("ent_softmax", torch.softmax(torch.tensor(z), -1))
    tt = np.array([0, 3, 6, 2, 2])
    save("ent_t", tt)
    for alpha, tag in ((1.5, "15"), (2.0, "20")):
        p = entmax_bisect_np(z, alpha, 50)
        loss = (1 - (p ** alpha).sum(-1)) / (alpha * (alpha - 1)) + (p * z).sum(-1) - z[np.arange(5), tt]
        save("tsallis_" + tag, loss)
    # flow matching (rectified flow) and denoising score matching (sigma^2 weighting)
    x0, x1, v = normal(6, 3), normal(6, 3), normal(6, 3)
    tm = torch.tensor(rng.uniform(0, 1, 6))
    for n, q in dict(x0=x0, x1=x1, v=v, t=tm).items():
        save("fm_" + n, q)
    save("fm_xt", (1 - tm[:, None]) * x0 + tm[:, None] * x1)
    save("fm_loss", F.mse_loss(v, x1 - x0))
    s, eps = normal(6, 3), normal(6, 3)
    sig = torch.tensor(rng.uniform(0.1, 2.0, 6))
    save("dsm_s", s)
    save("dsm_noise", eps)
    save("dsm_sigma", sig)
    save("dsm_loss", 0.5 * (sig[:, None] ** 2 * (s - (-eps / sig[:, None])) ** 2).sum(-1).mean())


def main():
    os.makedirs(OUT, exist_ok=True)
    activations()
    linear_layers()
    norms()
    attention()
    conv_pool()
    s4d()
    losses()


if __name__ == "__main__":
    main()
