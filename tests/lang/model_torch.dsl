# modes: jit interp
# A `model` to and from PyTorch 1.13 (tests/conformance/gen_model_torch.py): self-attention with
# a causal mask, a ModuleList of residual blocks and a head, built from stdlib/layers.dsl. torch's
# state_dict loads into the model (load(path, like=)) and its forward gives torch's output; the
# model sinter builds with seed=5 was loaded by torch with load_state_dict(strict=True) (every
# name, shape and dtype checked), and torch's output with it is the model's own.
# Tolerance: 1e-5 absolute on outputs of size ~1 in f32 (sums in other orders).
model Block(d: int) {
  param norm = LayerNorm(d)
  param lin = Linear(d, d)
  fn forward(x) = x + nn_relu(lin.forward(norm.forward(x)))
}
model Deep(e: int, heads: int, depth: int, c: int) {
  param attn = MultiheadAttention(e, heads)
  param layers[i < depth] = Block(e)
  param head = Linear(e, c)
  fn forward(x: float[b, s, e]) {
    let h = reshape(attn.forward(x, causal=true), [b * s, e])
    head.forward(fold(fn(h, layer) = layer.forward(h), h, layers))
  }
}
# --- end of the models (the generator runs the lines above)
let ck = "tests/conformance/checkpoint/"
let io = load(ck + "model_io.safetensors")
let theirs = load(ck + "torch_model.safetensors", like=Deep(8, 2, 2, 3))
print("from torch", max(abs(theirs.forward(io.x) - io.y)) < 1e-5, theirs.layers[1].norm.bias.shape)
let mine = Deep(8, 2, 2, 3, seed=5)
print("to torch", max(abs(mine.forward(io.x) - load(ck + "sinter_model_io.safetensors").y)) < 1e-5)
