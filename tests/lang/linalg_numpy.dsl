# solve, inv, cholesky and det against NumPy (tests/conformance/gen_linalg.py), each computed by
# NumPy in the same dtype: f64 within 1e-10 relative (of the largest element), f32 within 1e-4.
# Also the residuals: A x = b, A inv(A) = I, L L^T = S with L lower triangular.
fn rel(a, b) = max(abs(a - b)) / max(abs(b))
let A: f64[6, 6] = load("tests/conformance/linalg/la_A.npy")
let b: f64[6] = load("tests/conformance/linalg/la_b.npy")
let B: f64[6, 3] = load("tests/conformance/linalg/la_B.npy")
let S: f64[6, 6] = load("tests/conformance/linalg/la_S.npy")
let x: f64[6] = load("tests/conformance/linalg/la_f64_x.npy")
let X: f64[6, 3] = load("tests/conformance/linalg/la_f64_X.npy")
let Ai: f64[6, 6] = load("tests/conformance/linalg/la_f64_inv.npy")
let L: f64[6, 6] = load("tests/conformance/linalg/la_f64_chol.npy")
let d: f64[1] = load("tests/conformance/linalg/la_f64_det.npy")
print(rel(solve(A, b), x) < 1e-10, rel(solve(A, B), X) < 1e-10, rel(inv(A), Ai) < 1e-10, rel(cholesky(S), L) < 1e-10,
      abs(det(A) - d[0]) < 1e-10 * abs(d[0]))
let c = cholesky(S)
print(max(abs(A @ solve(A, b) - b)) < 1e-12, max(abs(A @ inv(A) - eye(6))) < 1e-12, max(abs(c @ transpose(c) - S)) < 1e-12,
      all(i, j) (j <= i or c[i, j] == 0.0))
let x32: f32[6] = load("tests/conformance/linalg/la_f32_x.npy")
let X32: f32[6, 3] = load("tests/conformance/linalg/la_f32_X.npy")
let Ai32: f32[6, 6] = load("tests/conformance/linalg/la_f32_inv.npy")
let L32: f32[6, 6] = load("tests/conformance/linalg/la_f32_chol.npy")
let d32: f32[1] = load("tests/conformance/linalg/la_f32_det.npy")
let A32 = f32(A)
print(rel(solve(A32, f32(b)), x32) < 1e-4, rel(solve(A32, f32(B)), X32) < 1e-4, rel(inv(A32), Ai32) < 1e-4,
      rel(cholesky(f32(S)), L32) < 1e-4, abs(det(A32) - d32[0]) < 1e-4 * abs(d32[0]))
print(det([[2, 1], [1, 3]]), inv([[2, 0], [0, 4]]), solve(A32, b)[0] == solve(f64(A32), b)[0])
