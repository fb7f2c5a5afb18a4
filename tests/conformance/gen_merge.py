#!/usr/bin/python3
"""Writes the models and reference merges of the merge tests (tests/cli/merge_methods.sh,
stdlib/merge.dsl): a small Llama-like base model and three fine-tunes of it (base/, a/, b/, c/, one
model.safetensors each; the base has a config.json and a tokenizer_config.json), in f32 (f32/)
and in bf16 (bf16/, the f32 models rounded), a model of another vocabulary (bad_vocab/), and each
merge method's result computed here with NumPy from mergekit's formulas
(mergekit/merge_methods/*.py, mergekit/sparsify.py), written independently of sinter: in f32
arithmetic on the models' values, rounded to bf16 at the end for the bf16 models
(expected/<dtype>_<method>.safetensors), and a passthrough of layer slices of a and b. DARE and DELLA draw their keep masks from Philox4x32-10
as sinter's rand([m, n], seed=s) does (runtime/math/rng.c): word i % 4 of block i / 4, top 24
bits, so the same elements drop.
Run: /usr/bin/python3 tests/conformance/gen_merge.py (writes tests/conformance/merge/)."""
import json
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "merge")
TORCH_DTYPE = {"f32": "float32", "bf16": "bfloat16"}
H, F, V, LAYERS = 8, 12, 16, 3


def shapes():
    """name -> shape: Hugging Face Llama names, a rank-0 tensor added."""
    s = {"model.embed_tokens.weight": (V, H)}
    for layer in range(LAYERS):
        p = "model.layers.%d." % layer
        s[p + "self_attn.q_proj.weight"] = (H, H)
        s[p + "self_attn.o_proj.weight"] = (H, H)
        s[p + "mlp.up_proj.weight"] = (F, H)
        s[p + "mlp.down_proj.weight"] = (H, F)
        s[p + "input_layernorm.weight"] = (H,)
    s["model.norm.weight"] = (H,)
    s["lm_head.weight"] = (V, H)
    s["logit_scale"] = ()
    return s


def bf16_round(x):
    """float32 -> the nearest bfloat16 (ties to even), as float32."""
    b = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    b = (b + 0x7FFF + ((b >> 16) & 1)) >> 16 << 16
    return b.astype(np.uint32).view(np.float32).reshape(np.shape(x))


def write_file(path, tensors, dtype):
    """A safetensors file of float32 arrays stored as F32 or BF16 (truncating exact bf16 values)."""
    header, blobs, pos = {}, [], 0
    for name in sorted(tensors):
        t = np.array(tensors[name], dtype=np.float32)
        raw = t.tobytes() if dtype == "F32" else (t.view(np.uint32) >> 16).astype("<u2").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [pos, pos + len(raw)]}
        blobs.append(raw)
        pos += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


# --- Philox4x32-10, as runtime/math/rng.c -----------------------------------------------------

M0, M1, W0, W1 = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85


def rand_f32(seed, n):
    """sinter's rand([n], seed=seed): uniform f32 in [0, 1)."""
    nb = (n + 3) // 4
    b = np.arange(nb, dtype=np.uint64)
    mask = np.uint64(0xFFFFFFFF)
    c0, c1 = b & mask, b >> np.uint64(32)
    c2, c3 = np.zeros_like(c0), np.zeros_like(c0)
    k0, k1 = seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF
    for _ in range(10):
        p0, p1 = c0 * np.uint64(M0), c2 * np.uint64(M1)
        n0 = (p1 >> np.uint64(32)) ^ c1 ^ np.uint64(k0)
        n2 = (p0 >> np.uint64(32)) ^ c3 ^ np.uint64(k1)
        c1, c3, c0, c2 = p1 & mask, p0 & mask, n0, n2
        k0, k1 = (k0 + W0) & 0xFFFFFFFF, (k1 + W1) & 0xFFFFFFFF
    w = np.stack([c0, c1, c2, c3], axis=1).reshape(-1)[:n]
    return (w >> np.uint64(8)).astype(np.float32) * np.float32(2.0 ** -24)


# --- the methods, on one tensor (f32 arrays) -----------------------------------------------------

f32 = np.float32


def seq_sum(terms):
    """Terms added in order, from 0 (a sum over the models)."""
    acc = f32(0) * terms[0]
    for t in terms:
        acc = acc + t
    return acc


def linear(xs, w):
    w = [f32(v) for v in w]
    return seq_sum([wk * x for wk, x in zip(w, xs)]) / seq_sum(w)


def gta(base, deltas, w, consensus, normalize, lam=1.0):
    """mergekit's GTATask: weighted task vectors, TIES's sign election, the divisor."""
    w = [f32(v) for v in w]
    wd = [wk * d for wk, d in zip(w, deltas)]
    if consensus:
        elected = np.where(seq_sum(wd) >= 0, f32(1), f32(-1))
        kept = [np.sign(x) == elected for x in wd]
        mixed = seq_sum([np.where(k, x, f32(0)) for k, x in zip(kept, wd)])
        weight = seq_sum([np.where(k, wk, f32(0)).astype(np.float32) for k, wk in zip(kept, w)])
        divisor = np.where(weight == 0, f32(1), weight)
    else:
        mixed = seq_sum(wd)
        total = seq_sum(w)
        divisor = f32(1) if abs(total) < f32(1e-8) else total
    if normalize:
        mixed = mixed / divisor
    return base + mixed * f32(lam)


def magnitude(d, density):
    """The int(density * n) largest magnitudes (a stable sort: ties in index order)."""
    if density >= 1:
        return d
    k = int(density * d.size)
    order = np.argsort(-np.abs(d), kind="stable")
    keep = np.zeros(d.size, bool)
    keep[order[:k]] = True
    return np.where(keep, d, f32(0))


def outliers(d, density, gamma):
    """mergekit's magnitude_outliers (breadcrumbs), keeping positions n_bot .. n - n_top."""
    if density >= 1:
        return d
    n = d.size
    target, top = int(density * n), int(gamma * n)
    bot = n - target - top
    if bot < 0:
        top, bot = top + bot, 0
    order = np.argsort(np.abs(d), kind="stable")
    keep = np.zeros(n, bool)
    keep[order[bot:n - top]] = True
    return np.where(keep, d, f32(0))


def l1_rescale(d, keep):
    masked = np.where(keep, d, f32(0))
    before, after = f32(np.abs(d).astype(np.float64).sum()), f32(np.abs(masked).astype(np.float64).sum())
    if before < f32(1e-7) or after < f32(1e-7):
        return masked
    return np.where(keep, d * (before / after), f32(0))


def dare_masks(deltas, density, seed):
    u = rand_f32(seed, len(deltas) * deltas[0].size).reshape(len(deltas), -1)
    return [u[k] < f32(density) for k in range(len(deltas))]


def della_masks(deltas, shape, density, eps, seed):
    c = shape[-1] if len(shape) >= 2 else max(int(np.prod(shape)), 1)
    u = rand_f32(seed, len(deltas) * deltas[0].size).reshape(len(deltas), -1)
    masks = []
    for k, d in enumerate(deltas):
        rows = np.abs(d).reshape(-1, c)
        rank = np.argsort(np.argsort(rows, axis=1, kind="stable"), axis=1, kind="stable").reshape(-1)
        p = f32(density - eps) + rank.astype(np.float32) / f32(max(c - 1, 1)) * f32(2) * f32(eps)
        masks.append(u[k] < p)
    return masks


def slerp(a, b, t):
    t = f32(t)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    v0 = a / na if na > 1e-8 else a
    v1 = b / nb if nb > 1e-8 else b
    dot = np.sum(v0 * v1)
    if abs(dot) > 0.9995:
        return (1 - t) * a + t * b
    theta = np.arccos(dot)
    s0 = np.sin(theta - theta * t) / np.sin(theta)
    s1 = np.sin(theta * t) / np.sin(theta)
    return s0 * a + s1 * b


def model_stock(base, xs):
    offs = [x - base for x in xs]
    cos = []
    for i in range(len(offs)):
        for j in range(i + 1, len(offs)):
            prod = np.linalg.norm(offs[i]) * np.linalg.norm(offs[j])
            cos.append(np.clip(np.sum(offs[i] * offs[j]) / max(prod, f32(1e-6)), -1, 1))
    c = f32(np.mean(cos))
    n = f32(len(xs))
    t = n * c / (1 + (n - 1) * c)
    return t * (seq_sum(xs) / n) + (1 - t) * base


def nearswap(base, x, t):
    w = np.clip(f32(t) / np.maximum(np.abs(base - x), f32(1e-6)), 0, 1)
    return w * x + (1 - w) * base


def nuslerp(v0, v1, w, shape, row_wise=False, flatten=True):
    """mergekit's nuslerp: t from the two weights, each vector (the tensor, its rows, or with
    row_wise its columns) interpolated on the sphere, linearly where sin(theta) < 1e-8."""
    t = 0.5 if abs(w[0] + w[1]) < 1e-6 else w[1] / (w[0] + w[1])
    t = f32(t)
    if flatten or len(shape) == 0:
        a, b = v0.reshape(1, -1), v1.reshape(1, -1)
    else:
        a, b = v0.reshape(shape), v1.reshape(shape)
        if row_wise:
            a, b = np.swapaxes(a, 0, -1), np.swapaxes(b, 0, -1)
    au = a / np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), f32(1e-7))
    bu = b / np.maximum(np.linalg.norm(b, axis=-1, keepdims=True), f32(1e-7))
    theta = np.arccos(np.clip(np.sum(au * bu, axis=-1, keepdims=True), -1, 1))
    sin = np.sin(theta)
    res = (np.sin((1 - t) * theta) * a + np.sin(t * theta) * b) / np.where(sin == 0, f32(1), sin)
    res = np.where(np.abs(sin) < 1e-8, (1 - t) * a + t * b, res)
    if not (flatten or len(shape) == 0) and row_wise:
        res = np.swapaxes(res, 0, -1)
    return res.reshape(-1)


def multislerp(xs, w):
    """mergekit's multislerp: the weighted mean direction on the sphere, moved along the weighted
    tangent components by the exponential map, scaled by the weighted norm."""
    w = np.array(w, dtype=np.float32)
    w = w / w.sum()
    norms = [np.linalg.norm(x) for x in xs]
    units = [x / (n + f32(1e-8)) for x, n in zip(xs, norms)]
    mean = seq_sum([u * wk for u, wk in zip(units, w)])
    mean = mean / np.linalg.norm(mean)
    tangent = seq_sum([(u - np.sum(u * mean) * mean) * wk for u, wk in zip(units, w)])
    tn = np.linalg.norm(tangent) + f32(1e-8)
    res = mean * np.cos(tn) + tangent * (np.sin(tn) / tn)
    return res * seq_sum([n * wk for n, wk in zip(norms, w)])


def karcher(xs, max_iter=10, tol=1e-5):
    """mergekit's karcher_merge_tensors with its equal weights."""
    alphas = [1.0 / len(xs)] * len(xs)
    norms = [float(np.linalg.norm(x)) for x in xs]
    units = [x / f32(n) if n != 0 else np.zeros_like(x) for x, n in zip(xs, norms)]
    valid = [i for i, n in enumerate(norms) if n > tol]
    a = [alphas[i] / sum(alphas[i] for i in valid) for i in valid]
    us = [units[i] for i in valid]
    u = seq_sum([f32(ai) * ui for ai, ui in zip(a, us)])
    nu = float(np.linalg.norm(u))
    u = us[0].copy() if nu < tol else u / f32(nu)
    for _ in range(max_iter):
        T = np.zeros_like(u)
        for ai, ui in zip(a, us):
            dot = np.clip(np.sum(u * ui), -1, 1)
            theta = np.arccos(dot)
            if theta < tol:
                continue
            T = T + f32(ai) * (theta / np.sin(theta)) * (ui - dot * u)
        nT = np.linalg.norm(T)
        if nT < tol:
            break
        u = np.cos(nT) * u + np.sin(nT) * (T / nT)
        nu = np.linalg.norm(u)
        if nu > tol:
            u = u / nu
    return f32(sum(ai * n for ai, n in zip(alphas, norms))) * u


def sce(base, xs, select_topk):
    """mergekit's sce: the variance's top-k mask, TIES's sign election, mean-square weights."""
    tv = [x - base for x in xs]
    m = f32(len(tv))
    if select_topk < 1:
        mean = seq_sum(tv) / m
        var = seq_sum([(t - mean) ** 2 for t in tv]) / m
        k = int(np.count_nonzero(var) * select_topk) if select_topk > 0 else 0
        mask = np.zeros(var.shape, dtype=bool)
        if k > 0:
            mask[np.argsort(-var, kind="stable")[:k]] = True
        tv = [np.where(mask, t, f32(0)) for t in tv]
    elected = np.where(seq_sum(tv) >= 0, f32(1), f32(-1))
    erase = [np.sign(t) == elected for t in tv]
    ms = [np.sum(t * t) / f32(t.size) for t in tv]
    total = seq_sum(ms)
    w = [f32(1) / m] * len(tv) if abs(total) < 1e-6 else [v / total for v in ms]
    ew = [np.where(e, wk, f32(0)).astype(np.float32) for e, wk in zip(erase, w)]
    merged = seq_sum([t * e for t, e in zip(tv, ew)])
    return base + merged / np.maximum(seq_sum(ew), f32(1e-6))


def ram(base, xs, epsilon=1e-5, r=0.0, alpha=0.2):
    """mergekit's ram (r = 0) and ramplus_tl: unique changes kept (scaled by lambda with r > 0),
    shared ones averaged."""
    tv = [x - base for x in xs]
    nz = [np.abs(t) > f32(epsilon) for t in tv]
    count = sum(z.astype(np.int64) for z in nz)
    overlap, unique = count > 1, count == 1
    out = np.zeros_like(base)
    for t, z in zip(tv, nz):
        shared_k, unique_k = np.sum(z & overlap), np.sum(z & unique)
        lam = f32(1) + f32(r) * np.clip(f32(shared_k) / max(f32(unique_k), f32(epsilon)), 0, f32(alpha))
        tz = np.where(z, t, f32(0))
        out = out + (np.where(unique, tz * lam, f32(0)) + np.where(overlap, tz / np.maximum(count, 1).astype(np.float32), f32(0)))
    return base + out


def arcee_fusion(base, x, shape):
    """mergekit's arcee_fusion: importance |x - base| times the KL divergence of the rows'
    softmaxes; elements at or above median + 1.5 IQR (quantiles at int(q (n - 1)) of the sorted
    importances) take x."""
    c = shape[-1] if len(shape) else 1
    b2, x2 = base.reshape(-1, c), x.reshape(-1, c)

    def softmax(v):
        e = np.exp(v - v.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    p, q = softmax(x2) + 1e-8, softmax(b2) + 1e-8
    kl = np.sum(p * np.log(p / q), axis=-1, keepdims=True)
    imp = (np.abs(x2 - b2) * kl).reshape(-1)
    srt = np.sort(imp)
    at = lambda qq: srt[int(qq * (srt.size - 1))]
    limit = at(0.5) + 1.5 * (at(0.75) - at(0.25))
    return np.where(imp >= limit, x, base)


# The recipes of tests/cli/merge_methods.sh, on the flattened tensors of base and xs = (a, b, c).
W = [0.5, 0.3, 0.2]
METHODS = {
    "linear": lambda b, xs, s: linear(xs, W),
    "task_arithmetic": lambda b, xs, s: gta(b, [x - b for x in xs], W, False, False, 0.8),
    "ties": lambda b, xs, s: gta(b, [magnitude(x - b, dn) for x, dn in zip(xs, [0.5, 0.3, 0.7])],
                                 [1.0, 0.6, 0.4], True, True),
    "dare_ties": lambda b, xs, s: gta(b, [l1_rescale(x - b, m) for x, m in
                                          zip(xs, dare_masks([x - b for x in xs], 0.6, 7))], W, True, False),
    "dare_linear": lambda b, xs, s: gta(b, [np.where(m, (x - b) / f32(0.6), f32(0)) for x, m in
                                            zip(xs, dare_masks([x - b for x in xs], 0.6, 7))], W, False, False),
    "breadcrumbs": lambda b, xs, s: gta(b, [outliers(x - b, 0.6, 0.1) for x in xs], W, False, False),
    "breadcrumbs_ties": lambda b, xs, s: gta(b, [outliers(x - b, 0.6, 0.1) for x in xs], W, True, False),
    "della": lambda b, xs, s: gta(b, [l1_rescale(x - b, m) for x, m in
                                      zip(xs, della_masks([x - b for x in xs], s, 0.5, 0.15, 11))], W, True, True),
    "slerp": lambda b, xs, s: slerp(xs[0], xs[1], 0.3),
    "model_stock": lambda b, xs, s: model_stock(b, xs),
    "nearswap": lambda b, xs, s: nearswap(b, xs[0], 0.002),
    "nuslerp": lambda b, xs, s: nuslerp(xs[0], xs[1], [0.4, 0.6], s),
    "nuslerp_rows": lambda b, xs, s: b + nuslerp(xs[0] - b, xs[1] - b, [0.4, 0.6], s, row_wise=True, flatten=False),
    "multislerp": lambda b, xs, s: multislerp(xs, W),
    "karcher": lambda b, xs, s: karcher(xs),
    "sce": lambda b, xs, s: sce(b, xs, 0.5),
    "ram": lambda b, xs, s: ram(b, xs),
    "ramplus_tl": lambda b, xs, s: ram(b, xs, r=0.1, alpha=0.2),
    # in f64: the importance's KL divergence between two close models is a difference of nearly
    # equal terms (1e-6 from terms of 1e-4 here), so in f32 its rounding decides elements near the
    # threshold
    "arcee_fusion": lambda b, xs, s: arcee_fusion(b.astype(np.float64), xs[0].astype(np.float64), s),
}


def main():
    rng = np.random.default_rng(17)
    base, tuned = {}, {"a": {}, "b": {}, "c": {}}
    for name, shape in shapes().items():
        base[name] = rng.standard_normal(shape).astype(np.float32) * f32(0.1)
        for k, model in enumerate(tuned.values()):
            scale = f32(0.002 * (k + 1))
            model[name] = base[name] + scale * rng.standard_normal(shape).astype(np.float32)
    for dt, rounded in (("f32", lambda x: x), ("bf16", bf16_round)):
        models = {"base": {n: rounded(t) for n, t in base.items()}}
        models.update({m: {n: rounded(t) for n, t in ts.items()} for m, ts in tuned.items()})
        for m, ts in models.items():
            write_file(os.path.join(OUT, dt, m, "model.safetensors"), ts, dt.upper())
        # the base's config and tokenizer, which a recipe's files_from= copies
        with open(os.path.join(OUT, dt, "base", "config.json"), "w") as f:
            json.dump({"architectures": ["LlamaForCausalLM"], "hidden_size": H, "intermediate_size": F,
                       "num_hidden_layers": LAYERS, "vocab_size": V, "torch_dtype": TORCH_DTYPE[dt]}, f, indent=2)
        with open(os.path.join(OUT, dt, "base", "tokenizer_config.json"), "w") as f:
            json.dump({"model_max_length": 64}, f, indent=2)
        for method, fn in METHODS.items():
            want = {}
            for name, shape in shapes().items():
                b = models["base"][name].reshape(-1)
                xs = [models[m][name].reshape(-1) for m in ("a", "b", "c")]
                r = np.asarray(fn(b, xs, shape), dtype=np.float32).reshape(shape)
                want[name] = rounded(r)
            write_file(os.path.join(OUT, "expected", "%s_%s.safetensors" % (dt, method)), want, dt.upper())
        # passthrough with slices "a/[0:2] b/[1:3]": layers 0 and 1 of a, then 1 and 2 of b,
        # renumbered 0 to 3; the tensors of no layer are a's (tests/cli/merge_passthrough.sh)
        stacked = {n: t for n, t in models["a"].items() if ".layers." not in n}
        for new, (m, layer) in enumerate([("a", 0), ("a", 1), ("b", 1), ("b", 2)]):
            for n, t in models[m].items():
                if n.startswith("model.layers.%d." % layer):
                    stacked[n.replace(".%d." % layer, ".%d." % new, 1)] = t
        write_file(os.path.join(OUT, "expected", "%s_passthrough.safetensors" % dt), stacked, dt.upper())
    # a model of another vocabulary: one more token in the embeddings and the output matrix
    vocab = dict(base)
    for name in ("model.embed_tokens.weight", "lm_head.weight"):
        vocab[name] = np.concatenate([base[name], base[name][:1]])
    write_file(os.path.join(OUT, "bad_vocab", "model.safetensors"), vocab, "F32")


if __name__ == "__main__":
    main()
