# modes: jit interp
# Gradients of reads through an index tensor, W[idx[I], k] (an embedding): the gradient at row
# p sums the positions of idx whose value is p, grouped once by a counting sort
# (sn_group_positions), instead of testing every position at every row (tests/ir/grad_gather_group).
# Each gradient equals the sum written as a comparison with every row (to 1e-12: the terms are
# the same, in the same order, the zeros left out), and central differences (gradcheck).
let V = 5
let d = 3
let W = randn([V, d], seed=1, dtype=f64)
let idx = [0, 3, -1, 3, 2, -5, 3]
let dy = randn([7, d], seed=2, dtype=f64)
fn row(v) = if v < 0 then v + V else v
fn dense(ix: int[n], w: f64[n, d]) {
  let g[p < V, k < d] = sum(i < n) if row(ix[i]) == p then w[i, k] else 0
  g
}
fn close(name, a, b) { print(name, max(abs(a - b)) < 1e-12) }
fn report(name, r) { print(name, r.error < 1) }
# repeated rows, negative indices counted from the end, a row no index names (1)
close("embedding", grad(fn(W) = sum(embedding(idx, W) * dy))(W), dense(idx, dy))
# an index tensor of rank 2, narrower integer types, read at its indices transposed
let idx2 = i32([[4, 0, 4], [1, 1, 3]])
let dz = randn([3, 2, d], seed=3, dtype=f64)
let flat2 = i64(reshape(idx2, [6]))
let dzt[q < 6, k < d] = dz[q % 3, i64((q - q % 3) / 3), k]
fn tr(W) {
  let y[i < 3, z < 2, k < d] = W[idx2[z, i], k]
  sum(y * dz)
}
close("rank 2, i32, transposed", grad(tr)(W), dense(flat2, dzt))
let idx8 = u8([2, 2, 0, 4])
close("u8", grad(fn(W) = sum(W[idx8] * dy[0:4]))(W), dense(i64(idx8), dy[0:4]))
# the read over part of the index tensor: only its first 3 positions
let pos = [0, 3, 4, 3, 2, 0, 3]
fn part(W) {
  let y[i < 3, k < d] = W[pos[i], k]
  sum(y * dy[0:3])
}
close("part of idx", grad(part)(W), dense(pos[0:3], dy[0:3]))
# every other position (a strided view of the index tensor)
let every2 = pos[0:7:2]
close("strided", grad(fn(W) = sum(W[every2] * dy[0:4]))(W), dense(every2, dy[0:4]))
# a guarded read: the positions whose index is out of range (-1, padding) are never read
let padded = [2, -1, 4, -1, 2]
fn guarded(W) = sum(i < 5, k < d) if padded[i] >= 0 then W[padded[i], k] * dy[i, k] else 0
let dg[p < V, k < d] = sum(i < 5) if padded[i] == p then dy[i, k] else 0
close("guarded", grad(guarded)(W), dg)
# the index's own position also read directly (a condition within the group), and an index
# read twice in a product
fn diag(W) = sum(i < 3) W[idx8[i], i] * f64(i + 1)
let dd[p < V, k < d] = sum(i < 3) if i64(idx8[i]) == p and k == i then f64(i + 1) else 0
close("position read twice", grad(diag)(W), dd)
fn sq(W) = sum(W[idx] * W[idx] * dy)
let dsq = dense(idx, 2 * W[idx] * dy)
close("product", grad(sq)(W), dsq)
# along an axis, x[i, ind[i, j]] (a row's own group; repeats within a row add), and with the
# row's index read twice
let X = randn([3, 5], seed=5, dtype=f64)
let ind = [[1, 1, 4], [0, 2, 3], [4, 4, 4]]
let dv = randn([3, 3], seed=6, dtype=f64)
fn along(X) = sum(i < 3, j < 3) X[i, ind[i, j]] * dv[i, j]
let da[i < 3, c < 5] = sum(j < 3) if ind[i, j] == c then dv[i, j] else 0
close("along an axis", grad(along)(X), da)
fn along2(X) = sum(i < 3, j < 3) X[i, ind[i, j]] * X[i, 0] * dv[i, j]
report("gradcheck along an axis", gradcheck(fn(X) = along2(X)^2, X))
# empty index tensor: no position, zero gradient
let none = idx[0:0]
close("empty", grad(fn(W) = sum(W[none]))(W), zeros([V, d], dtype=f64))
report("gradcheck embedding", gradcheck(fn(W) = sum((embedding(idx, W) * dy)^2), W))
report("gradcheck rank 2", gradcheck(fn(W) = tr(W)^2, W))
