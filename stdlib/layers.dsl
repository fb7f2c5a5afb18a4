# Layers as models (docs/training.md, "Models"): torch.nn's modules with their parameters' names,
# layouts and default initializers, so that a state_dict's tensors fit (`weight`, `bias`,
# `in_proj_weight`, ...). Each has a `forward` method over stdlib/nn.dsl's functions. The
# parameters are f32, as torch's are by default; tree_map(f64, m) gives the model in f64.

# nn.Linear(d_in, d_out): weight [d_out, d_in] ~ kaiming_uniform(a = sqrt 5), so U(-k, k) with
# k = 1 / sqrt(d_in); bias U(-k, k).
model Linear(d_in: int, d_out: int) {
  param weight: f32[d_out, d_in] = kaiming_uniform(a=sqrt(5.0))
  param bias: f32[d_out] = init_uniform(a=-1 / sqrt(f64(d_in)), b=1 / sqrt(f64(d_in)))
  fn forward(x: float[n, d_in]) = linear(x, weight, bias)
}

# nn.Embedding(count, dim): weight [count, dim] ~ N(0, 1).
model Embedding(count: int, dim: int) {
  param weight: f32[count, dim] = init_normal()
  fn forward(idx: int[n]) = embedding(idx, weight)
}

# nn.LayerNorm(d): weight ones, bias zeros, over the last dimension.
model LayerNorm(d: int, eps = 1e-5) {
  param weight: f32[d] = ones()
  param bias: f32[d] = zeros()
  fn forward(x: float[n, d]) = layernorm(x, weight, bias, eps=eps)
}

# nn.RMSNorm(d) (torch 2.4's): weight ones.
model RMSNorm(d: int, eps = 1e-6) {
  param weight: f32[d] = ones()
  fn forward(x: float[n, d]) = rmsnorm(x, weight, eps=eps)
}

# nn.Conv1d(c_in, c_out, k): weight [c_out, c_in, k] and bias ~ U(-b, b), b = 1 / sqrt(c_in k).
model Conv1d(c_in: int, c_out: int, k: int, stride: int = 1, padding: int = 0) {
  param weight: f32[c_out, c_in, k] = kaiming_uniform(a=sqrt(5.0))
  param bias: f32[c_out] = init_uniform(a=-1 / sqrt(f64(c_in * k)), b=1 / sqrt(f64(c_in * k)))
  fn forward(x: float[N, c_in, L]) = conv1d(x, weight, bias, stride=stride, padding=padding)
}

# nn.Conv2d(c_in, c_out, k) with a square kernel: weight [c_out, c_in, k, k], bias as Conv1d's
# with b = 1 / sqrt(c_in k k).
model Conv2d(c_in: int, c_out: int, k: int, stride: int = 1, padding: int = 0) {
  param weight: f32[c_out, c_in, k, k] = kaiming_uniform(a=sqrt(5.0))
  param bias: f32[c_out] = init_uniform(a=-1 / sqrt(f64(c_in * k * k)), b=1 / sqrt(f64(c_in * k * k)))
  fn forward(x: float[N, c_in, H, W]) = conv2d(x, weight, bias, stride=stride, padding=padding)
}

# MultiheadAttention's out_proj: Linear's weight, a zero bias.
model _OutProj(e: int) {
  param weight: f32[e, e] = kaiming_uniform(a=sqrt(5.0))
  param bias: f32[e] = zeros()
}

# nn.MultiheadAttention(e, heads, batch_first=True) as self-attention, `causal` masking future
# positions: in_proj_weight [3e, e] ~ xavier_uniform, in_proj_bias zeros, out_proj.weight as
# Linear's, out_proj.bias zeros.
model MultiheadAttention(e: int, heads: int) {
  let e3 = 3 * e
  param in_proj_weight: f32[e3, e] = xavier_uniform()
  param in_proj_bias: f32[e3] = zeros()
  param out_proj = _OutProj(e)
  fn forward(x: float[b, s, e], causal = false) =
    multihead_attention(x, x, x, in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias, heads, causal=causal)
}
