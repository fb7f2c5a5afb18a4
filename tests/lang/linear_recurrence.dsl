# modes: jit interp
# timeout: 240
# linear_recurrence (stdlib/nn.dsl, the runtime's scan): x_l = a_l x_{l-1} + b_l in complex
# arithmetic along each line, forwards and reversed, against the same recurrence written out
# (complex products by hand, 1e-13 relative); its gradient against central differences for
# each of the four inputs and both directions; and the S4D layer built on it, its gradient too
# (the layer's values are checked against s4d.py in nn_conv.dsl).
let ar = rand([3, 9], seed=1, dtype=f64) * 1.8 - 0.9
let ai = randn([3, 9], seed=2, dtype=f64) * 0.3
let br = randn([3, 9], seed=3, dtype=f64)
let bi = randn([3, 9], seed=4, dtype=f64)
# the recurrence written out: x_l = sum(j <= l) (prod(j < k <= l) a_k) b_j
fn pw(l, j) {
  let r = iterate k = j + 1, pr = 1.0, pim = 0.0 {
    let nr = pr * ar[0, k] - pim * ai[0, k]
    pim = pr * ai[0, k] + pim * ar[0, k]
    pr = nr
    k = k + 1
  } max (l - j)
  r
}
let x = linear_recurrence(ar, ai, br, bi)
let wr[l < 9] = sum(j < l + 1) (pw(l, j).pr * br[0, j] - pw(l, j).pim * bi[0, j])
let wi[l < 9] = sum(j < l + 1) (pw(l, j).pr * bi[0, j] + pw(l, j).pim * br[0, j])
print("forward", max(abs(x.re[0, :] - wr)) < 1e-13 * max(abs(wr)), max(abs(x.im[0, :] - wi)) < 1e-13 * max(abs(wi)))
# reversed: the same as the forward recurrence over the lines flipped
fn flip(t: float[n, L]) {
  let f[i, l < L] = t[i, L - 1 - l]
  f
}
let xr = linear_recurrence(ar, ai, br, bi, reverse=true)
let xf = linear_recurrence(flip(ar), flip(ai), flip(br), flip(bi))
print("reverse", max(abs(xr.re - flip(xf.re))) < 1e-15, max(abs(xr.im - flip(xf.im))) < 1e-15)
let w = randn([2, 3, 9], seed=5, dtype=f64)
fn f(ar, ai, br, bi, rev) {
  let x = linear_recurrence(ar, ai, br, bi, reverse=rev)
  sum(x.re * w[0] + sin(x.im) * w[1])
}
fn report(name, r) { print(name, r.error < 1) }
report("grad a_re", gradcheck(fn(ar) = f(ar, ai, br, bi, false), ar))
report("grad a_im", gradcheck(fn(ai) = f(ar, ai, br, bi, false), ai))
report("grad b_re", gradcheck(fn(br) = f(ar, ai, br, bi, false), br))
report("grad b_im", gradcheck(fn(bi) = f(ar, ai, br, bi, false), bi))
report("grad a reversed", gradcheck(fn(ar) = f(ar, ai, br, bi, true), ar))
report("grad b reversed", gradcheck(fn(bi) = f(ar, ai, br, bi, true), bi))
let u = randn([2, 3, 8], seed=6, dtype=f64)
let log_dt = log(rand([3], seed=7, dtype=f64) * 0.09 + 0.01)
let A_re = -0.5 * ones([3, 4], dtype=f64)
let A_im = randn([3, 4], seed=8, dtype=f64) * 3
let C_re = randn([3, 4], seed=9, dtype=f64)
let C_im = randn([3, 4], seed=10, dtype=f64)
let Dk = randn([3], seed=11, dtype=f64)
fn g(u, log_dt, A_im, C_re) = sum(s4d(u, log_dt, A_re, A_im, C_re, C_im, Dk)^2)
report("s4d grad u", gradcheck(fn(u) = g(u, log_dt, A_im, C_re), u))
report("s4d grad log_dt", gradcheck(fn(log_dt) = g(u, log_dt, A_im, C_re), log_dt))
report("s4d grad A_im", gradcheck(fn(A_im) = g(u, log_dt, A_im, C_re), A_im))
report("s4d grad C_re", gradcheck(fn(C_re) = g(u, log_dt, A_im, C_re), C_re))
