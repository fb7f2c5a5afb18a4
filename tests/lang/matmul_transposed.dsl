# modes: jit interp
# A product of transposed matrices reads them in place with BLAS's transpose flags
# (sn_matmul_t, tests/ir/matmul_transposed.dsl): each pairing equals the sum it stands for,
# in f64 and f32, with a lazy operand, with integers (the exact loop) and in a gradient.
let a = rand([5, 3], seed=1, dtype=f64)
let b = rand([5, 4], seed=2, dtype=f64)
let c = rand([4, 3], seed=3, dtype=f64)
let tn[i, j] = sum(k) a[k, i] * b[k, j]
let nt[i, j] = sum(k) a[i, k] * c[j, k]
print(max(i, j) abs((transpose(a) @ b)[i, j] - tn[i, j]) < 1e-15)
print(max(i, j) abs((a @ transpose(c))[i, j] - nt[i, j]) < 1e-15)
let b2 = rand([4, 5], seed=4, dtype=f64)
let tt2[i, j] = sum(k) a[k, i] * b2[j, k]
print(max(i, j) abs((transpose(a) @ transpose(b2))[i, j] - tt2[i, j]) < 1e-15)
print((transpose(a) @ b).shape, (a @ transpose(c)).shape, (transpose(a) @ transpose(b2)).shape)
let a32 = f32(a)
let b32 = f32(b)
print(max(i, j) abs((transpose(a32) @ b32)[i, j] - f32(tn[i, j])) < 1e-6)
# the transposed matrix is itself lazy: it is stored, not its transpose
print(max(i, j) abs((transpose(a * 2) @ b)[i, j] - 2 * tn[i, j]) < 1e-15)
print(transpose([[1, 2], [3, 4], [5, 6]]) @ [[1, 0], [0, 1], [1, 1]])
# dW = x^T @ dy, dx = dy @ W^T
fn loss(w, x) = sum(i, j) (x @ w)[i, j]^2
let dl = grad(loss, wrt=[0, 1])
let g = dl(c, b)
let y[i, j] = sum(k) b[i, k] * c[k, j]
let gw[k, j] = sum(i) b[i, k] * 2 * y[i, j]
let gx[i, k] = sum(j) 2 * y[i, j] * c[k, j]
print(max(k, j) abs(g.w[k, j] - gw[k, j]) < 1e-14, max(i, k) abs(g.x[i, k] - gx[i, k]) < 1e-14)
