# Activations and layers of stdlib/nn.dsl against PyTorch 1.13 (tests/conformance/gen_nn.py), in
# f64. Each line prints whether max |sinter - torch| <= 1e-12 max |torch| (the same formula, or
# sums of a few terms in another order).
fn rel(a, b) = max(abs(a - b)) / max(abs(b))
fn ok(a, b) = rel(a, b) <= 1e-12
let D = "tests/conformance/nn/"
let x = load(D + "act_x.npy")
print("relu", ok(nn_relu(x), load(D + "act_relu.npy")), ok(relu(x), load(D + "act_relu.npy")))
print("leaky_relu", ok(leaky_relu(x, slope=0.1), load(D + "act_leaky.npy")))
print("elu", ok(elu(x, alpha=1.3), load(D + "act_elu.npy")))
print("gelu", ok(gelu(x), load(D + "act_gelu.npy")), ok(gelu_tanh(x), load(D + "act_gelu_tanh.npy")))
print("silu", ok(silu(x), load(D + "act_silu.npy")))
print("softplus", ok(softplus_t(x), load(D + "act_softplus.npy")), ok(softplus_t(x, beta=2.0, threshold=5.0), load(D + "act_softplus_b2.npy")))
print("sigmoid tanh", ok(sigmoid(x), load(D + "act_sigmoid.npy")), ok(tanh(x), load(D + "act_tanh.npy")))
# relu at 0 and -0.0 gives +0.0; a NaN stays NaN, as torch.relu
print(nn_relu([-0.0, 0.0, nan, -1.0, 2.5]), gelu(f32([1.0, -1.0])))
