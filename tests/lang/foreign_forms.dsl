# modes: jit interp
# The forms the "unknown function" hints suggest for NumPy's and PyTorch's names (sema_call.c's
# `foreign`), each computed here and compared with NumPy's result written out.
let A = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]
let v = [1.0, 2.0, 3.0]
let n = 3
let k = 1
print("clip", all(clamp([-1.0, 0.5, 7.0], 0, 2) == [0.0, 0.5, 2.0]))
print("cat", all(concat([1.0], [2.0, 3.0], axis=0) == v))
print("logsumexp", abs(lse(v) - 3.40760596444438) < 1e-12, abs(lse(j) A[1, j] - 6.40760596444438) < 1e-12)
let d[i] = A[i, i]
let D[i, j < n] = if i == j then v[i] else 0
print("diag", all(d == [1.0, 5.0, 9.0]), all(D == [[1.0, 0, 0], [0, 2.0, 0], [0, 0, 3.0]]))
print("trace", all(sum(i) A[i, i] == 15.0))
let L[i, j] = if j <= i then A[i, j] else 0
let U[i, j] = if j >= i then A[i, j] else 0
print("tril", all(L == [[1.0, 0, 0], [4.0, 5.0, 0], [7.0, 8.0, 9.0]]), "triu", all(U == [[1.0, 2.0, 3.0], [0, 5.0, 6.0], [0, 0, 9.0]]))
let u = [1.0, 2.0]
let o[i, j] = u[i] * v[j]
print("outer", all(o == [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]))
let C[i, q] = sum(j) A[i, j] * A[j, q]
print("einsum", all(C == A @ A))
let y[i < n] = v[n - 1 - i]
print("flip", all(v[::-1] == [3.0, 2.0, 1.0]), all(y == [3.0, 2.0, 1.0]))
let r[i < n] = v[(i - k) % n]
print("roll", all(r == [3.0, 1.0, 2.0]))
let t[i < 2 * n] = v[i % n]
let p[i < 2 * n] = v[i64(i / 2)]
print("tile", all(t == [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]), "repeat", all(p == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]))
let padded[i < n + 2] = if i >= 1 and i <= n then v[i - 1] else 0
print("pad", all(padded == [0.0, 1.0, 2.0, 3.0, 0.0]))
let rows[i] = sqrt(sum(j) A[i, j]^2)
print("norm", all(sqrt(sum(v^2)) == sqrt(14.0)), all(rows == [sqrt(14.0), sqrt(77.0), sqrt(194.0)]))
let At[j, i] = A[i, j]
let B = reshape(arange(24), [2, 3, 4])
let P[q, i, j] = B[i, j, q]
print("transpose", all(A.T == At), "permute", all(P[3, 1, 2] == B[1, 2, 3]))
print("matmul", all(A @ v == [14.0, 32.0, 50.0]), "dot", all(sum(i) v[i] * v[i] == 14.0), all(v @ v == 14.0))
print("zeros_like", all(zeros(A.shape) == A * 0), "ones_like", all(ones(A.shape) == A * 0 + 1))
let rmax[i] = max(j) A[i, j]
print("amax", all(max(A) == 9.0), all(rmax == [3.0, 6.0, 9.0]), "amin", all(min(A) == 1.0))
