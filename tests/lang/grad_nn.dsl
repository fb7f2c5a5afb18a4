# modes: jit interp
# timeout: 240
# grad through the nn library's layers and losses (stdlib/nn.dsl) against central finite differences
# in f64, as grad_math.dsl: activations, linear and cross-entropy with label smoothing, the norms,
# BCE, conv1d and conv2d (im2col windows and BLAS), max pooling and causal attention.
let x = randn([4, 3], seed=1, dtype=f64)
let W = randn([5, 3], seed=2, dtype=f64)
let t = [0, 2, 1, 4]
let xi = randn([2, 3, 6], seed=3, dtype=f64)
let K = randn([4, 3, 3], seed=4, dtype=f64)
let img = randn([1, 2, 5, 5], seed=5, dtype=f64)
let K2 = randn([3, 2, 3, 3], seed=6, dtype=f64)
let q = randn([1, 2, 4, 3], seed=7, dtype=f64)
fn report(name, r) { print(name, r.error < 1) }
report("gelu silu", gradcheck(fn(x) = sum(gelu(x) * silu(x) + elu(x)), x))
report("linear ce", gradcheck(fn(W) = cross_entropy(linear(x, W), t, label_smoothing=0.1), W))
report("layernorm", gradcheck(fn(x) = sum(layernorm(x) * W[0:4, :]), x))
report("rmsnorm", gradcheck(fn(x) = sum(rmsnorm(x)^3), x))
report("bce", gradcheck(fn(x) = bce_with_logits(x, sigmoid(W[0:4, :])), x))
report("conv1d x", gradcheck(fn(xi) = sum(conv1d(xi, K, padding=1)^2), xi))
report("conv1d W", gradcheck(fn(K) = sum(conv1d(xi, K, stride=2)^2), K))
report("conv2d", gradcheck(fn(K2) = sum(conv2d(img, K2, padding=1)^2), K2))
report("maxpool", gradcheck(fn(img) = sum(max_pool2d(img, 2)^2), img))
report("attention", gradcheck(fn(q) = sum(attention(q, q, q, causal=true)^2), q))
