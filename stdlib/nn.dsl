# Neural-network layers, activations and losses, as torch.nn.functional's (docs/nn.md).
#
# Every function takes its parameters explicitly (a layer's weights are arguments), and is written
# with comprehensions, reductions, `@` and `where`, so that it fuses with its caller and the
# autodiff pass can differentiate it. Weights have torch's layouts (linear [out, in], conv
# [out, in, k...]), so a checkpoint's tensors fit as they are.
#
# A parameter typed `float[...]` takes a float tensor of any rank (or a number).
#
# Losses reduce by the mean, as torch's default; `NAME_none` is torch's reduction="none" (one
# value per sample) and `sum(NAME_none(...))` its reduction="sum".

# --- activations (elementwise, any rank) --------------------------------------------------------
# relu, sigmoid, tanh and softplus are builtins; relu here is `nn_relu`'s form for autodiff.

# torch.relu, written so that its gradient at 0 is 0 (torch's) and a NaN stays NaN.
fn nn_relu(x: float[...]) = where(x <= 0, 0, x)

# torch's leaky_relu(x, negative_slope).
fn leaky_relu(x: float[...], slope = 0.01) = where(x <= 0, slope * x, x)

# torch's elu(x, alpha): alpha (exp(x) - 1) below 0.
fn elu(x: float[...], alpha = 1.0) = where(x <= 0, alpha * expm1(x), x)

# torch's gelu (approximate="none"): x Phi(x) = x (1 + erf(x / sqrt 2)) / 2.
fn gelu(x: float[...]) = 0.5 * x * (1 + erf(x * 0.7071067811865476))

# torch's gelu(approximate="tanh"): x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))) / 2.
fn gelu_tanh(x: float[...]) = 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))

# torch's silu (swish): x sigmoid(x).
fn silu(x: float[...]) = x * sigmoid(x)

# torch's softplus(x, beta, threshold): log(1 + exp(beta x)) / beta, and x itself where
# beta x > threshold (where they agree to 1e-9 relative at the default 20).
fn softplus_t(x: float[...], beta = 1.0, threshold = 20.0) = where(beta * x > threshold, x, softplus(beta * x) / beta)

# --- linear layers -----------------------------------------------------------------------------

# torch's F.linear: x W^T + b, with W [out, in] as nn.Linear stores it.
fn linear(x: float[n, d], W: float[h, d], b: float[h] = zeros(h, dtype=W)) = x @ W.T + b

# An MLP over given weights: act(x W0^T + b0), then `L` hidden layers of width h (their weights
# stacked, Wh [L, h, h] and bh [L, h]), each followed by act, then the output layer Wo, bo
# (no activation). L may be 0.
fn mlp(x: float[n, d], W0: float[h, d], b0: float[h], Wh: float[L, h, h], bh: float[L, h],
       Wo: float[o, h], bo: float[o], act: fn = nn_relu) {
  let r = iterate a = act(linear(x, W0, b0)), k = 0 {
    a = act(linear(a, Wh[k], bh[k]))
    k = k + 1
  } max L
  linear(r.a, Wo, bo)
}

# torch's F.embedding: the rows of W named by idx (an index out of range stops the program
# with the index and the size).
fn embedding(idx: int[n], W: float[v, d]) = W[idx]

# --- normalisation and dropout ------------------------------------------------------------------

# torch's F.layer_norm over the last dimension: (x - mean) / sqrt(var + eps) w + b, the
# variance biased (divided by d), eps inside the square root.
fn layernorm(x: float[n, d], w: float[d] = ones(d, dtype=x), b: float[d] = zeros(d, dtype=x), eps = 1e-5) {
  let mu[i] = mean(j) x[i, j]
  let var[i] = mean(j) (x[i, j] - mu[i])^2
  let inv[i] = 1 / sqrt(var[i] + eps)
  let y[i, j] = (x[i, j] - mu[i]) * inv[i] * w[j] + b[j]
  y
}

# RMSNorm (Zhang and Sennrich 2019; torch 2.4's nn.RMSNorm): x / sqrt(mean(x^2) + eps) w.
fn rmsnorm(x: float[n, d], w: float[d] = ones(d, dtype=x), eps = 1e-6) {
  let inv[i] = 1 / sqrt(mean(j) x[i, j]^2 + eps)
  let y[i, j] = x[i, j] * inv[i] * w[j]
  y
}

# torch's F.dropout: in training each element is zeroed with probability p and the others scaled
# by 1 / (1 - p); in evaluation x is returned. The mask is Philox's rand(x.shape, seed=seed) < p,
# so a seed gives the same mask on every path and thread count.
fn dropout(x: float[...], p = 0.5, seed: int = 0, train = true) {
  check(p >= 0 and p <= 1, "dropout: p must be in [0, 1], got {}", p)
  let keep = if p < 1 then 1 / (1 - p) else 0
  if train then where(rand(x.shape, seed=seed, dtype=x) < p, 0, x * keep) else x
}

# --- attention ---------------------------------------------------------------------------------

# A comprehension with the elements of x, kept in memory where a consumer reads it for every value
# of another index (the trivial reduction tells fusion that recomputing it would repeat work: the
# exps of a softmax for every column of v).
fn _kept4(x) {
  let y[a, b, c, d] = max(u < 1) x[a, b, c, d]
  y
}

# Scaled dot-product attention, as torch 2's F.scaled_dot_product_attention on q [b, h, s, d],
# k [b, h, t, d], v [b, h, t, e]: softmax(q k^T / sqrt(d)) v over t, the softmax computed with
# each row's maximum subtracted. `causal` masks the keys after each query (j > i, torch's
# is_causal, top-left aligned). The products q k^T and p v are batched matrix products (BLAS, k
# read transposed in place), as torch's bmm.
fn attention(q: float[b, h, s, d], k: float[b, h, t, d], v: float[b, h, t, e], causal = false) {
  let scale = 1 / sqrt(cast(d, dtype=q))
  let kt[z, g, c, j] = k[z, g, j, c]
  let qk = q @ kt
  let sc[z, g, i, j] = if causal and j > i then -inf else scale * qk[z, g, i, j]
  let m[z, g, i] = max(j) sc[z, g, i, j]
  let den[z, g, i] = sum(j) exp(sc[z, g, i, j] - m[z, g, i])
  let p[z, g, i, j] = exp(sc[z, g, i, j] - m[z, g, i]) / den[z, g, i]
  p @ v
}

# The rows of m [b s, e] (a projection of [b, s, e]) split into `heads` heads of e / heads, as
# torch's nn.MultiheadAttention splits them: [b, heads, s, e / heads], stored once, so the
# attention's dot products read it contiguously.
fn _heads(m: float[r, e], b: int, s: int, heads: int) {
  let dh = i64(e / heads)
  let y[z < b, g < heads, i < s, c < dh] = m[z * s + i, g * dh + c]
  _kept4(y)
}

# torch's nn.MultiheadAttention(e, heads, batch_first=True) forward on query [b, s, e], key and
# value [b, t, e], with its parameters: in_w [3e, e] and in_b [3e] (q, k, v projections stacked,
# torch's in_proj_weight and in_proj_bias), out_w [e, e] and out_b [e] (out_proj). `causal`
# masks future keys (attn_mask = torch.triu(ones(s, t), 1).bool()). Returns the attention
# output [b, s, e] (torch's first result; no dropout).
fn multihead_attention(query: float[b, s, e], key: float[b, t, e], value: float[b, t, e],
                       in_w: float[e3, e], in_b: float[e3], out_w: float[e, e], out_b: float[e],
                       heads: int, causal = false) {
  check(heads > 0 and e % heads == 0, "multihead_attention: the width {} does not split into {} heads", e, heads)
  check(e3 == 3 * e, "multihead_attention: in_w must be [3 e, e] = [{}, {}], but it is [{}, {}]", 3 * e, e, e3, e)
  let q = _heads(linear(reshape(query, [b * s, e]), in_w[0:e], in_b[0:e]), b, s, heads)
  let k = _heads(linear(reshape(key, [b * t, e]), in_w[e:2 * e], in_b[e:2 * e]), b, t, heads)
  let v = _heads(linear(reshape(value, [b * t, e]), in_w[2 * e:3 * e], in_b[2 * e:3 * e]), b, t, heads)
  let o = attention(q, k, v, causal=causal)
  let merged[z, i, g, c] = o[z, g, i, c]
  let out = linear(reshape(_kept4(merged), [b * s, e]), out_w, out_b)
  let y[z < b, i < s, f < e] = out[z * s + i, f]
  y
}

# Linear attention (Katharopoulos et al. 2020) on q [b, h, s, d], k [b, h, t, d], v [b, h, t, e]
# with the feature map phi(x) = elu(x) + 1: out_i = phi(q_i) . sum_j phi(k_j) v_j^T /
# phi(q_i) . sum_j phi(k_j). Without a mask it is linear in the sequence (the sums over j first,
# O(t d e)); `causal` sums j <= i only, computed as the masked quadratic form O(s t (d + e)):
# the prefix sums of the paper's recurrent form would be a scan, which the language has only as
# the runtime's cumsum kernel.
fn linear_attention(q: float[b, h, s, d], k: float[b, h, t, d], v: float[b, h, t, e], causal = false) {
  let fq = _kept4(elu(q) + 1)
  let fk = _kept4(elu(k) + 1)
  if causal then _linear_attention_causal(fq, fk, v) else _linear_attention_full(fq, fk, v)
}

fn _linear_attention_full(fq: float[b, h, s, d], fk: float[b, h, t, d], v: float[b, h, t, e]) {
  let kv[z, g, c, f] = sum(j) fk[z, g, j, c] * v[z, g, j, f]
  let ks[z, g, c] = sum(j) fk[z, g, j, c]
  let den[z, g, i] = sum(c) fq[z, g, i, c] * ks[z, g, c]
  let o[z, g, i, f] = (sum(c) fq[z, g, i, c] * kv[z, g, c, f]) / den[z, g, i]
  o
}

fn _linear_attention_causal(fq: float[b, h, s, d], fk: float[b, h, t, d], v: float[b, h, t, e]) {
  let a[z, g, i, j] = if j > i then 0 else sum(c) fq[z, g, i, c] * fk[z, g, j, c]
  let den[z, g, i] = sum(j) a[z, g, i, j]
  let o[z, g, i, f] = (sum(j) a[z, g, i, j] * v[z, g, j, f]) / den[z, g, i]
  o
}

# --- convolution and pooling -------------------------------------------------------------------

# The output length of a convolution or pooling window: floor((n + 2 pad - k) / stride) + 1.
fn _out_len(n, k, stride, pad, what) {
  check(stride > 0, "{}: stride must be positive, got {}", what, stride)
  check(pad >= 0, "{}: padding must be non-negative, got {}", what, pad)
  let len = i64(floor((n + 2 * pad - k) / stride)) + 1
  check(len > 0, "{}: the kernel {} is larger than the padded input {} + 2 x {}", what, k, n, pad)
  len
}

# torch's F.conv1d on x [batch, in, length] with W [out, in, k] and b [out]: y[n, o, t] = b[o] +
# sum(c, j) W[o, c, j] x[n, c, t stride + j - padding], x read as 0 outside (zero padding).
# Computed as torch's own unfold path (and Caffe's im2col): the windows of x as the rows of a
# matrix [batch out_length, in k], stored, times W^T [in k, out] by BLAS. The windows cost k
# times x's memory (in f32, 64 x 32 x 14 x 14 with a 3 x 3 kernel: 14 MB), and bring 3x the
# speed of the direct sum (whose short reductions with padding tests do not vectorise).
fn conv1d(x: float[N, C, L], W: float[O, C, K], b: float[O] = zeros(O, dtype=W), stride: int = 1, padding: int = 0) {
  let lo = _out_len(L, K, stride, padding, "conv1d")
  let cols[z < N, t < lo, c < C, j < K] = _at1(x, z, c, t * stride + j - padding)
  let m = reshape(reshape(cols, [N * lo, C * K]) @ transpose(reshape(W, [O, C * K])), [N, lo, O])
  let y[z, o, t] = m[z, t, o] + b[o]
  y
}

fn _at1(x: float[N, C, L], n, c, u) = if u >= 0 and u < L then x[n, c, u] else 0

# torch's F.conv2d on x [batch, in, height, width] (NCHW) with W [out, in, kh, kw] and b [out];
# stride and padding are the same for both dimensions, as torch's integer arguments. Computed
# as conv1d is, the windows [batch ho wo, in kh kw] times W^T.
fn conv2d(x: float[N, C, H, Wd], W: float[O, C, KH, KW], b: float[O] = zeros(O, dtype=W), stride: int = 1, padding: int = 0) {
  let ho = _out_len(H, KH, stride, padding, "conv2d")
  let wo = _out_len(Wd, KW, stride, padding, "conv2d")
  let cols[z < N, r < ho, q < wo, c < C, u < KH, w < KW] = _at2(x, z, c, r * stride + u - padding, q * stride + w - padding)
  let m = reshape(reshape(cols, [N * ho * wo, C * KH * KW]) @ transpose(reshape(W, [O, C * KH * KW])), [N, ho, wo, O])
  let y[z, o, r, q] = m[z, r, q, o] + b[o]
  y
}

fn _at2(x: float[N, C, H, Wd], n, c, r, q) = if r >= 0 and r < H and q >= 0 and q < Wd then x[n, c, r, q] else 0

# torch's F.max_pool1d(x, kernel, stride) on [batch, channels, length] (no padding).
fn max_pool1d(x: float[N, C, L], kernel: int, stride: int = kernel) {
  let lo = _out_len(L, kernel, stride, 0, "max_pool1d")
  let y[n, c, t < lo] = max(j < kernel) x[n, c, t * stride + j]
  y
}

# torch's F.avg_pool1d(x, kernel, stride): the mean of each window.
fn avg_pool1d(x: float[N, C, L], kernel: int, stride: int = kernel) {
  let lo = _out_len(L, kernel, stride, 0, "avg_pool1d")
  let y[n, c, t < lo] = mean(j < kernel) x[n, c, t * stride + j]
  y
}

# torch's F.max_pool2d(x, kernel, stride) on NCHW, square windows.
fn max_pool2d(x: float[N, C, H, W], kernel: int, stride: int = kernel) {
  let ho = _out_len(H, kernel, stride, 0, "max_pool2d")
  let wo = _out_len(W, kernel, stride, 0, "max_pool2d")
  let y[n, c, r < ho, q < wo] = max(u < kernel, w < kernel) x[n, c, r * stride + u, q * stride + w]
  y
}

# torch's F.avg_pool2d(x, kernel, stride) on NCHW, square windows.
fn avg_pool2d(x: float[N, C, H, W], kernel: int, stride: int = kernel) {
  let ho = _out_len(H, kernel, stride, 0, "avg_pool2d")
  let wo = _out_len(W, kernel, stride, 0, "avg_pool2d")
  let y[n, c, r < ho, q < wo] = mean(u < kernel, w < kernel) x[n, c, r * stride + u, q * stride + w]
  y
}

# --- state-space layer --------------------------------------------------------------------------

# The diagonal state-space layer of S4D (Gu et al. 2022), as its reference s4d.py computes it, on
# u [batch, H, L]: each of the H channels has N complex modes A = A_re + i A_im (A_re < 0), step
# dt = exp(log_dt), and output weights C = C_re + i C_im. Discretised with zero-order hold,
# Abar = exp(dt A), Bbar = (Abar - 1) / A (B = 1), the recurrence x_l = Abar x_{l-1} + Bbar u_l,
# y_l = 2 Re(C x_l) + D u_l unrolls to a causal convolution with the kernel
#   K[h, l] = 2 Re(sum(n) C Bbar Abar^l),
# which is what this computes: K in closed form (O(H N L)), then y[z, h, l] = sum(j <= l)
# K[h, l - j] u[z, h, j] + D[h] u[z, h, l] directly (O(B H L^2); s4d.py uses an FFT). No scan:
# the runtime's scan kernel (cumsum) has no gradient and no complex products.
fn s4d(u: float[B, H, L], log_dt: float[H], A_re: float[H, N], A_im: float[H, N], C_re: float[H, N],
       C_im: float[H, N], D: float[H]) {
  check(max(A_re) < 0, "s4d: the real parts of A must be negative (a stable system), but max(A_re) is {}", max(A_re))
  let dt[h] = exp(log_dt[h])
  let ar[h, n] = A_re[h, n] * dt[h]
  let ai[h, n] = A_im[h, n] * dt[h]
  # Abar - 1 = (exp(ar) cos(ai) - 1) + i exp(ar) sin(ai), divided by A: times conj(A) / |A|^2
  let er[h, n] = exp(ar[h, n]) * cos(ai[h, n]) - 1
  let ei[h, n] = exp(ar[h, n]) * sin(ai[h, n])
  let a2[h, n] = A_re[h, n]^2 + A_im[h, n]^2
  let br[h, n] = (er[h, n] * A_re[h, n] + ei[h, n] * A_im[h, n]) / a2[h, n]
  let bi[h, n] = (ei[h, n] * A_re[h, n] - er[h, n] * A_im[h, n]) / a2[h, n]
  let cr[h, n] = C_re[h, n] * br[h, n] - C_im[h, n] * bi[h, n]
  let ci[h, n] = C_re[h, n] * bi[h, n] + C_im[h, n] * br[h, n]
  let K[h, l < L] = 2 * sum(n) exp(l * ar[h, n]) * (cr[h, n] * cos(l * ai[h, n]) - ci[h, n] * sin(l * ai[h, n]))
  let y[z, h, l] = sum(j < l + 1) K[h, l - j] * u[z, h, j] + D[h] * u[z, h, l]
  y
}

# --- losses ------------------------------------------------------------------------------------

# torch's F.mse_loss: the mean of (input - target)^2 over every element.
fn mse(input: float[...], target: float[...]) = mean((input - target)^2)
fn mse_none(input: float[...], target: float[...]) = (input - target)^2

# torch's F.cross_entropy(logits, target, label_smoothing=eps) per sample, for class indices
# target [n]: with q the one-hot target smoothed to (1 - eps) q + eps / c,
#   loss_i = -sum(j) q[i, j] log_softmax(logits)[i, j]
#          = (1 - eps) (lse_i - logits[i, t_i]) + eps (lse_i - mean(j) logits[i, j]).
fn cross_entropy_none(logits: float[n, c], target: int[n], label_smoothing = 0.0) {
  check(label_smoothing >= 0 and label_smoothing <= 1, "cross_entropy: label_smoothing must be in [0, 1], got {}", label_smoothing)
  check(min(target) >= 0 and max(target) < c, "cross_entropy: the targets must be class indices in [0, {}), but target[{}] is {}",
        c, if min(target) < 0 then argmin(target) else argmax(target), if min(target) < 0 then min(target) else max(target))
  let l[i] = lse(j) logits[i, j]
  let e = label_smoothing
  let y[i] = (1 - e) * (l[i] - logits[i, target[i]]) + e * (l[i] - mean(j) logits[i, j])
  y
}
fn cross_entropy(logits: float[n, c], target: int[n], label_smoothing = 0.0) =
  mean(cross_entropy_none(logits, target, label_smoothing=label_smoothing))

# torch's F.cross_entropy with class probabilities target [n, c] (soft targets), smoothed as
# torch 1.13 does: q = (1 - eps) target + eps / c, loss_i = -sum(j) q[i, j] log_softmax[i, j].
fn soft_cross_entropy_none(logits: float[n, c], target: float[n, c], label_smoothing = 0.0) {
  check(label_smoothing >= 0 and label_smoothing <= 1, "soft_cross_entropy: label_smoothing must be in [0, 1], got {}", label_smoothing)
  let l[i] = lse(j) logits[i, j]
  let e = label_smoothing
  let y[i] = sum(j) ((1 - e) * target[i, j] + e / c) * (l[i] - logits[i, j])
  y
}
fn soft_cross_entropy(logits: float[n, c], target: float[n, c], label_smoothing = 0.0) =
  mean(soft_cross_entropy_none(logits, target, label_smoothing=label_smoothing))

# torch's F.binary_cross_entropy_with_logits in its stable form, with pos_weight p (1: none):
#   (1 - y) x + (1 + (p - 1) y) (log1p(exp(-|x|)) + max(-x, 0)).
fn bce_with_logits_none(input: float[...], target: float[...], pos_weight = 1.0) =
  (1 - target) * input + (1 + (pos_weight - 1) * target) * (log1p(exp(-abs(input))) + max(-input, 0))
fn bce_with_logits(input: float[...], target: float[...], pos_weight = 1.0) =
  mean(bce_with_logits_none(input, target, pos_weight=pos_weight))

# torch's F.kl_div(input, target, reduction="batchmean") with input log-probabilities and target
# probabilities [n, c]: sum(target (log target - input)) / n, a target of 0 adding 0 (xlogy).
fn kl_div_none(input: float[n, c], target: float[n, c]) {
  let y[i, j] = where(target[i, j] > 0, target[i, j] * (log(target[i, j]) - input[i, j]), 0 * input[i, j])
  y
}
fn kl_div(input: float[n, c], target: float[n, c]) = sum(kl_div_none(input, target)) / n

# alpha-entmax (Peters et al. 2019) of each row of x [n, c]: p = [(alpha - 1) x - tau]_+^(1 /
# (alpha - 1)) with tau such that p sums to 1, found by bisection as the entmax package's
# entmax_bisect does, `iters` halvings of the bracket [max - 1, max - c^(1 - alpha)] of
# (alpha - 1) x; the result is divided by its sum. alpha = 2 is sparsemax (exactly, once the
# bracket is below the gap between the sorted values); alpha -> 1 tends to softmax (alpha must
# be > 1: use softmax itself at 1).
fn entmax(x: float[n, c], alpha = 1.5, iters: int = 50) {
  check(alpha > 1, "entmax: alpha must be greater than 1, got {} (alpha = 1 is softmax)", alpha)
  check(iters >= 0, "entmax: iters must be non-negative, got {}", iters)
  let am1 = alpha - 1
  let inv = 1 / am1
  let xs[i, j] = am1 * x[i, j]
  let top[i] = max(j) xs[i, j]
  let lo0[i] = top[i] - 1
  let width = 1 - (1 / c)^am1
  let f_lo[i] = sum(j) max(xs[i, j] - lo0[i], 0)^inv - 1
  let r = iterate lo = lo0, dm = width {
    let half = dm / 2
    let mid[i] = lo[i] + half
    let f_mid[i] = sum(j) max(xs[i, j] - mid[i], 0)^inv - 1
    lo[i] = if f_mid[i] * f_lo[i] >= 0 then mid[i] else lo[i]
    dm = half
  } max iters
  let tau[i] = r.lo[i] + r.dm
  let p[i, j] = max(xs[i, j] - tau[i], 0)^inv
  let s[i] = sum(j) p[i, j]
  let y[i, j] = p[i, j] / s[i]
  y
}

# sparsemax (Martins and Astudillo 2016): entmax at alpha = 2.
fn sparsemax(x: float[n, c], iters: int = 50) = entmax(x, alpha=2, iters=iters)

# The Tsallis (entmax) loss of Peters et al. 2019, as the entmax package's EntmaxBisectLoss:
# with p = entmax(x, alpha), loss_i = (1 - sum(j) p^alpha) / (alpha (alpha - 1)) + sum(j)
# (p - onehot(target))_j x_j. At alpha = 2 it is the sparsemax loss; as alpha -> 1 it tends to
# cross-entropy.
fn tsallis_loss_none(x: float[n, c], target: int[n], alpha = 1.5, iters: int = 50) {
  check(min(target) >= 0 and max(target) < c, "tsallis_loss: the targets must be class indices in [0, {}), but one is {}",
        c, if min(target) < 0 then min(target) else max(target))
  let p = entmax(x, alpha=alpha, iters=iters)
  let y[i] = (1 - sum(j) p[i, j]^alpha) / (alpha * (alpha - 1)) + sum(j) p[i, j] * x[i, j] - x[i, target[i]]
  y
}
fn tsallis_loss(x: float[n, c], target: int[n], alpha = 1.5, iters: int = 50) =
  mean(tsallis_loss_none(x, target, alpha=alpha, iters=iters))

# Flow matching with the rectified-flow path (Liu et al. 2022; Lipman et al. 2023): x_t =
# (1 - t) x0 + t x1 for t [n] in [0, 1] (flow_point), whose velocity is x1 - x0; the loss of a
# velocity prediction v [n, d] made at x_t is mean((v - (x1 - x0))^2) over every element.
fn flow_point(x0: float[n, d], x1: float[n, d], t: float[n]) {
  let y[i, k] = (1 - t[i]) * x0[i, k] + t[i] * x1[i, k]
  y
}
fn flow_matching(v: float[n, d], x0: float[n, d], x1: float[n, d]) = mean(i, k) (v[i, k] - (x1[i, k] - x0[i, k]))^2

# Denoising score matching (Vincent 2011) with the weighting lambda(sigma) = sigma^2 of Song and
# Ermon 2019: a sample x + sigma_i noise_i has the score target -noise / sigma, and the loss of a
# score prediction s [n, d] is mean(i) sum(k) (sigma_i s + noise)^2 / 2 = mean(i) sigma_i^2
# |s - (-noise / sigma_i)|^2 / 2.
fn score_matching(s: float[n, d], noise: float[n, d], sigma: float[n]) = mean(i) sum(k) (sigma[i] * s[i, k] + noise[i, k])^2 / 2
