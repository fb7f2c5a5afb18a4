# linear, mlp, embedding, layernorm and rmsnorm of stdlib/nn.dsl against PyTorch 1.13
# (tests/conformance/gen_nn.py), in f64: max |sinter - torch| <= 1e-12 max |torch|.
fn rel(a, b) = max(abs(a - b)) / max(abs(b))
fn ok(a, b) = rel(a, b) <= 1e-12
let D = "tests/conformance/nn/"
let W = load(D + "lin_W.npy")
print("linear", ok(linear(load(D + "lin_x.npy"), W, load(D + "lin_b.npy")), load(D + "lin_y.npy")),
      ok(linear(load(D + "lin_x.npy"), W), load(D + "lin_y0.npy")))
let mx = load(D + "mlp_x.npy")
let W0 = load(D + "mlp_W0.npy")
let b0 = load(D + "mlp_b0.npy")
let Wo = load(D + "mlp_Wo.npy")
let bo = load(D + "mlp_bo.npy")
print("mlp", ok(mlp(mx, W0, b0, load(D + "mlp_Wh.npy"), load(D + "mlp_bh.npy"), Wo, bo), load(D + "mlp_y.npy")),
      ok(mlp(mx, W0, b0, zeros([0, 8, 8], dtype=f64), zeros([0, 8], dtype=f64), Wo, bo, act=tanh), load(D + "mlp_y_tanh0.npy")))
print("embedding", all(embedding(load(D + "emb_idx.npy"), load(D + "emb_W.npy")) == load(D + "emb_y.npy")))
let lx = load(D + "ln_x.npy")
let lw = load(D + "ln_w.npy")
print("layernorm", ok(layernorm(lx, lw, load(D + "ln_b.npy")), load(D + "ln_y.npy")), ok(layernorm(lx), load(D + "ln_y0.npy")),
      ok(layernorm(lx, lw, load(D + "ln_b.npy"), eps=0.1), load(D + "ln_y_eps.npy")))
print("rmsnorm", ok(rmsnorm(lx, lw), load(D + "rms_y.npy")), ok(rmsnorm(lx, eps=0.5), load(D + "rms_y_eps.npy")))
# f32 in, f32 out
print(layernorm(f32([[1.0, 2.0, 3.0]])), rmsnorm(f32([[3.0, 4.0]])))
