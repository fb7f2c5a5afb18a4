# Initializers for a layer's weights, as torch.nn.init's (docs/nn.md). Each gives an f64 matrix
# [rows, cols * receptive] drawn with Philox from `seed` (the same seed gives the same values in
# a built program, the JIT, the interpreter and on any thread count; f32(...) converts it). A
# convolution's weight [out, in, k...] is rows = out, cols = in and receptive = the product of
# the kernel sizes, reshaped: reshape(kaiming_uniform(o, c, receptive=k * k), [o, c, k, k]).
# fan_in is cols * receptive and fan_out rows * receptive, as torch computes them. zeros and
# ones are the builtins. torch's random numbers differ; the distributions are the same.

# torch's normal_(mean, std), as NumPy names them: loc and scale (`mean` is a reduction).
fn init_normal(rows: int, cols: int, loc = 0.0, scale = 1.0, seed: int = 0) = randn([rows, cols], seed=seed, dtype=f64) * scale + loc

# torch's uniform_(a, b): U(a, b).
fn init_uniform(rows: int, cols: int, a = 0.0, b = 1.0, seed: int = 0) = a + (b - a) * rand([rows, cols], seed=seed, dtype=f64)

# U(-bound, bound) of shape [rows, cols * receptive].
fn _init_bounded(rows, cols, receptive, bound, seed) = bound * (2 * rand([rows, cols * receptive], seed=seed, dtype=f64) - 1)

fn _init_check(rows, cols, receptive, what) {
  check(rows > 0 and cols > 0 and receptive > 0, "{}: the fans need positive sizes, got rows = {}, cols = {}, receptive = {}", what, rows, cols, receptive)
}

# torch's xavier_uniform_ (Glorot and Bengio 2010): U(-b, b), b = gain sqrt(6 / (fan_in + fan_out)).
fn xavier_uniform(rows: int, cols: int, receptive: int = 1, gain = 1.0, seed: int = 0) {
  _init_check(rows, cols, receptive, "xavier_uniform")
  _init_bounded(rows, cols, receptive, gain * sqrt(6.0 / ((rows + cols) * receptive)), seed)
}

# torch's xavier_normal_: N(0, std^2), std = gain sqrt(2 / (fan_in + fan_out)).
fn xavier_normal(rows: int, cols: int, receptive: int = 1, gain = 1.0, seed: int = 0) {
  _init_check(rows, cols, receptive, "xavier_normal")
  randn([rows, cols * receptive], seed=seed, dtype=f64) * (gain * sqrt(2.0 / ((rows + cols) * receptive)))
}

# The standard deviation of torch's kaiming_*: gain / sqrt(fan), fan = fan_in (mode="fan_in", the
# default) or fan_out (fan_out=true); gain defaults to torch's for leaky_relu with slope a,
# sqrt(2 / (1 + a^2)) (sqrt 2 at a = 0, relu's); give `gain` for another nonlinearity (torch's
# calculate_gain: 1 for linear and sigmoid, 5/3 for tanh).
fn _kaiming_std(rows, cols, receptive, fan_out, gain) = gain / sqrt(f64(if fan_out then rows * receptive else cols * receptive))

# torch's kaiming_uniform_ (He et al. 2015): U(-b, b), b = sqrt(3) gain / sqrt(fan).
fn kaiming_uniform(rows: int, cols: int, receptive: int = 1, a = 0.0, fan_out = false, gain = sqrt(2 / (1 + a * a)), seed: int = 0) {
  _init_check(rows, cols, receptive, "kaiming_uniform")
  _init_bounded(rows, cols, receptive, sqrt(3.0) * _kaiming_std(rows, cols, receptive, fan_out, gain), seed)
}

# torch's kaiming_normal_: N(0, std^2), std = gain / sqrt(fan).
fn kaiming_normal(rows: int, cols: int, receptive: int = 1, a = 0.0, fan_out = false, gain = sqrt(2 / (1 + a * a)), seed: int = 0) {
  _init_check(rows, cols, receptive, "kaiming_normal")
  randn([rows, cols * receptive], seed=seed, dtype=f64) * _kaiming_std(rows, cols, receptive, fan_out, gain)
}

# torch's orthogonal_(gain): the Q of the QR decomposition of a normal matrix (transposed when it
# is wide, so the longer side is the rows), each column times the sign of R's diagonal entry (so Q
# is uniform over the orthogonal matrices), times gain. Rows or columns orthonormal, whichever
# there are fewer of.
fn orthogonal(rows: int, cols: int, gain = 1.0, seed: int = 0) {
  _init_check(rows, cols, 1, "orthogonal")
  let tall = max(rows, cols)
  let wide = min(rows, cols)
  let f = qr(randn([tall, wide], seed=seed, dtype=f64))
  let d[k] = sign(f.R[k, k])
  let q[i, k] = f.Q[i, k] * d[k]
  let t = rows < cols
  let y[i < rows, j < cols] = gain * q[if t then j else i, if t then i else j]
  y
}
