# conv1d, conv2d, pooling and the S4D layer of stdlib/nn.dsl against PyTorch 1.13
# (tests/conformance/gen_nn.py), in f64: conv1d on x [2, 3, 11] with W [4, 3, 3] at stride 1
# padding 0, stride 2 padding 1, and W [4, 3, 4] at stride 3 padding 2 (no bias); conv2d on
# x [2, 3, 9, 8] with W [4, 3, 3, 2] likewise; max and average pooling at (kernel, stride) (3, 3),
# (3, 2), (4, 1) in 1-D and (2, 2), (3, 2), (3, 1) in 2-D (pooling must agree exactly: a max
# picks an element, a mean of 3 or 9 terms rounds as torch's). S4D: s4d.py's kernel in complex
# arithmetic, applied as a direct causal convolution. Each prints whether max |sinter - torch|
# <= 1e-12 max |torch|.
fn rel(a, b) = max(abs(a - b)) / max(abs(b))
fn ok(a, b) = rel(a, b) <= 1e-12
let D = "tests/conformance/nn/"
let x1 = load(D + "c1_x.npy")
let W1 = load(D + "c1_W.npy")
let b1 = load(D + "c1_b.npy")
print("conv1d", ok(conv1d(x1, W1, b1), load(D + "c1_s1p0.npy")), ok(conv1d(x1, W1, b1, stride=2, padding=1), load(D + "c1_s2p1.npy")),
      ok(conv1d(x1, load(D + "c1_Wk4.npy"), stride=3, padding=2), load(D + "c1_s3p2k4.npy")))
let x2 = load(D + "c2_x.npy")
let W2 = load(D + "c2_W.npy")
let b2 = load(D + "c2_b.npy")
print("conv2d", ok(conv2d(x2, W2, b2), load(D + "c2_s1p0.npy")), ok(conv2d(x2, W2, b2, stride=2, padding=1), load(D + "c2_s2p1.npy")),
      ok(conv2d(x2, W2, stride=3, padding=2), load(D + "c2_s3p2.npy")))
print("pool1d", all(max_pool1d(x1, 3) == load(D + "p1_max_k3s3.npy")), all(max_pool1d(x1, 3, stride=2) == load(D + "p1_max_k3s2.npy")),
      all(max_pool1d(x1, 4, stride=1) == load(D + "p1_max_k4s1.npy")), ok(avg_pool1d(x1, 3), load(D + "p1_avg_k3s3.npy")),
      ok(avg_pool1d(x1, 3, stride=2), load(D + "p1_avg_k3s2.npy")), ok(avg_pool1d(x1, 4, stride=1), load(D + "p1_avg_k4s1.npy")))
print("pool2d", all(max_pool2d(x2, 2) == load(D + "p2_max_k2s2.npy")), all(max_pool2d(x2, 3, stride=2) == load(D + "p2_max_k3s2.npy")),
      all(max_pool2d(x2, 3, stride=1) == load(D + "p2_max_k3s1.npy")), ok(avg_pool2d(x2, 2), load(D + "p2_avg_k2s2.npy")),
      ok(avg_pool2d(x2, 3, stride=2), load(D + "p2_avg_k3s2.npy")), ok(avg_pool2d(x2, 3, stride=1), load(D + "p2_avg_k3s1.npy")))
print("s4d", ok(s4d(load(D + "s4d_u.npy"), load(D + "s4d_log_dt.npy"), load(D + "s4d_A_re.npy"), load(D + "s4d_A_im.npy"),
                    load(D + "s4d_C_re.npy"), load(D + "s4d_C_im.npy"), load(D + "s4d_D.npy")), load(D + "s4d_y.npy")))
# output sizes: floor((n + 2 pad - k) / stride) + 1
print(conv1d(x1, W1, stride=4).shape, conv2d(x2, W2, stride=2, padding=1).shape, max_pool2d(x2, 3, stride=2).shape)
