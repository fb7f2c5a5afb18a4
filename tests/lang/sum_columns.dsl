# Column sums (sum(r) x[r, j]) are computed a vector of columns at a time (loops.c's sum_cols),
# and each column must keep the bits of its own sum in the language's order: the same as the sum
# of that column stored as a row and summed alone. Sizes: fewer terms than a round of lanes, one
# leaf, several leaves (the tree), no term, fewer columns than a block, whole blocks and a
# remainder; f32 and f64; sum and mean; -0.0 terms sum to +0.0. (kept: stored, as a matmul's
# operand would be, not fused into the comparison.)
fn kept(v) {
  let y[j] = max(u < 1) v[j]
  y
}
fn check(n: int, m: int, seed: int) {
  let x = randn([n, m], seed=seed)
  let y = randn([n, m], seed=seed, dtype=f64)
  let xt[j < m, r < n] = max(u < 1) x[r, j]
  let yt[j < m, r < n] = max(u < 1) y[r, j]
  let sx[j] = sum(r) x[r, j] * 0.5
  let sy[j] = sum(r) (y[r, j] + y[r, j] * y[r, j])
  let mx[j] = mean(r) x[r, j] * x[r, j]
  let rx[j] = sum(r) xt[j, r] * 0.5
  let ry[j] = sum(r) (yt[j, r] + yt[j, r] * yt[j, r])
  let qx[j] = mean(r) xt[j, r] * xt[j, r]
  all(kept(sx) == rx) and all(kept(sy) == ry) and all(kept(mx) == qx)
}
print(check(5, 40, 1), check(31, 16, 2), check(32, 17, 3), check(256, 33, 4))
print(check(257, 8, 5), check(1000, 37, 6), check(3000, 24, 7))
let e = randn([0, 20], seed=8)
let se[j] = sum(r) e[r, j]
print(se)
let z = [[-0.0, 1.0], [-0.0, -1.0]]
let sz[j] = sum(r) z[r, j] * z[r, j] * 0.0
print(kept(sz), 1 / kept(sz)[0])
let big = randn([1000, 40], seed=9)
let cs[j] = sum(r) big[r, j]
print(kept(cs)[0], kept(cs)[17], kept(cs)[39])
