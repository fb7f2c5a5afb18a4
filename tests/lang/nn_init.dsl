# The initializers of stdlib/init.dsl and dropout, by their statistics (torch's random numbers
# cannot be matched): at 1000 x 1000 (n = 1e6 draws), a mean within 5 standard errors (5 std /
# sqrt(n)), a standard deviation within 0.5% (its standard error is std / sqrt(2 n), 0.07%),
# uniform draws inside their bounds and reaching past 99.9% of them, orthogonal matrices to 1e-10,
# and the same seed giving the same values.
fn near(x, m, s) = abs(mean(x) - m) <= 5 * s / 1000 and abs(std(x) / s - 1) <= 0.005
fn bounded(x, bound) = max(abs(x)) <= bound and max(abs(x)) > 0.999 * bound
let n = 1000
print("normal", near(init_normal(n, n, loc=2.0, scale=3.0, seed=1), 2.0, 3.0), all(init_normal(3, 4, seed=5) == init_normal(3, 4, seed=5)),
      any(init_normal(3, 4, seed=5) != init_normal(3, 4, seed=6)))
print("uniform", near(init_uniform(n, n, a=-1.0, b=3.0, seed=2), 1.0, 4 / sqrt(12.0)), min(init_uniform(n, n, a=-1.0, b=3.0, seed=2)) >= -1,
      max(init_uniform(n, n, a=-1.0, b=3.0, seed=2)) < 3)
# xavier: fan_in = 1000, fan_out = 500 (x 1), and a conv weight [50, 20, 3, 3]: fans 180 and 450
print("xavier", bounded(xavier_uniform(500, n, seed=3), sqrt(6 / 1500.0)), near(xavier_normal(500, n, seed=4), 0.0, sqrt(2 / 1500.0)),
      bounded(xavier_uniform(50, 20, receptive=9, gain=2.0, seed=3), 2 * sqrt(6 / 630.0)), xavier_uniform(50, 20, receptive=9).shape)
# kaiming: std = gain / sqrt(fan), gain sqrt(2 / (1 + a^2)); fan_in by default, fan_out on request
print("kaiming", bounded(kaiming_uniform(500, n, seed=5), sqrt(3.0) * sqrt(2.0) / sqrt(1000.0)),
      bounded(kaiming_uniform(500, n, a=sqrt(5.0), seed=5), 1 / sqrt(1000.0)),
      near(kaiming_normal(500, n, seed=6), 0.0, sqrt(2 / 1000.0)), near(kaiming_normal(n, 500, fan_out=true, seed=6), 0.0, sqrt(2 / 1000.0)),
      near(kaiming_normal(n, 100, receptive=10, gain=1.0, seed=7), 0.0, 1 / sqrt(1000.0)))
# orthogonal: tall, wide and square; columns (rows) orthonormal; gain scales
fn orth(q: f64[r, c]) = if r >= c then max(abs(transpose(q) @ q - eye(c, dtype=f64))) else max(abs(q @ transpose(q) - eye(r, dtype=f64)))
print("orthogonal", orth(orthogonal(50, 20, seed=8)) < 1e-10, orth(orthogonal(20, 50, seed=8)) < 1e-10, orth(orthogonal(64, 64, seed=9)) < 1e-10,
      orth(orthogonal(30, 10, gain=2.0, seed=1) / 2) < 1e-10, orthogonal(20, 50).shape)
# dropout: p = 0.3 zeroes 30% (within 5 standard errors, 0.0023) and scales the rest by 1 / 0.7
let x = ones([n, n], dtype=f64)
let d = dropout(x, p=0.3, seed=11)
print("dropout", abs(mean(i64(d == 0)) - 0.3) < 0.0023, all(d == 0 or abs(d - 1 / 0.7) < 1e-15), all(dropout(x, p=0.3, seed=11) == d),
      any(dropout(x, p=0.3, seed=12) != d), all(dropout(x, p=0.3, train=false) == x), all(dropout(x, p=0.0, seed=1) == x),
      all(dropout(x, p=1.0, seed=1) == 0))
