# modes: jit interp
# args: --off=6 --sh=2
# Gradients through a block of columns at an offset: a read m[z * s + i, off + g * dh + c]
# (self-attention's q, k and v as column blocks of one [b s, 3 e] projection) binds z, i, g and c
# at each point of m by quotients and remainders of p - off, as with no offset; it used to sum
# the dh terms of c at each point (tests/ir/grad_block_offset). Each gradient equals the same
# sum written as a comparison with every point (exact), and central differences (gradcheck).
arg off: i64 = 0
arg sh: i64 = 0
let b = 2
let s = 3
let heads = 2
let dh = 3
let m = randn([b * s, 4 * heads * dh], seed=1, dtype=f64)
let w = randn([b, heads, s, dh], seed=2, dtype=f64)
fn dense(o) {
  let d[p < b * s, q < 4 * heads * dh] =
    sum(z < b, g < heads, i < s, c < dh) if z * s + i == p and o + g * dh + c == q then w[z, g, i, c] else 0
  d
}
fn heads_at(m, o) {
  let y[z < b, g < heads, i < s, c < dh] = m[z * s + i, o + g * dh + c]
  sum(y * w)
}
print("offset first", max(abs(grad(fn(m) = heads_at(m, off))(m) - dense(off))))
print("no offset", max(abs(grad(fn(m) = heads_at(m, 0))(m) - dense(0))))
print("last block", max(abs(grad(fn(m) = heads_at(m, 3 * heads * dh))(m) - dense(3 * heads * dh))))
# the offset in the middle, last, and as a difference of run-time values
fn middle(m) = sum(z < b, g < heads, i < s, c < dh) m[z * s + i, g * dh + off + c] * w[z, g, i, c]
fn last(m) = sum(z < b, g < heads, i < s, c < dh) m[i + z * s, c + g * dh + off] * w[z, g, i, c]
fn shifted(m) = sum(z < b, g < heads, i < s, c < dh) m[z * s + i, g * dh + c + off - sh] * w[z, g, i, c]
print("middle", max(abs(grad(middle)(m) - dense(off))))
print("last", max(abs(grad(last)(m) - dense(off))))
print("difference", max(abs(grad(shifted)(m) - dense(off - sh))))
# a flat range of m's elements read through a reshape, u at a time from position off (the
# reshape's quotient and remainder of r u + k + off)
let u = 5
fn flat(m) {
  let v = reshape(m, [b * s * 4 * heads * dh])
  sum(r < 3, k < u) v[r * u + k + off] * f64(r * u + k + 1)
}
let W = 4 * heads * dh
let fd[p < b * s, q < W] = if p * W + q - off >= 0 and p * W + q - off < 3 * u then f64(p * W + q - off + 1) else 0
print("flat at an offset", max(abs(grad(flat)(m) - fd)))
fn report(name, r) { print(name, r.error < 1) }
report("gradcheck offset", gradcheck(fn(m) = heads_at(m, off)^2, m))
report("gradcheck difference", gradcheck(fn(m) = shifted(m)^2, m))
