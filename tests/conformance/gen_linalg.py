#!/usr/bin/python3
"""gen_linalg.py: NumPy's answers for sort, argsort, quantile, median and the LAPACK builtins
(solve, inv, cholesky, det, slogdet, eigh, svd, qr), written to tests/conformance/linalg/ for
tests/lang/sort_numpy.dsl, quantile_numpy.dsl, linalg_numpy.dsl and linalg_multi_numpy.dsl.

Run with Debian's interpreter (it has numpy): /usr/bin/python3 tests/conformance/gen_linalg.py

Files (.npy):
  sort_{f64,f32,i32}.npy          x [5, 40]: ties, and for floats NaN, +-inf, -0.0 and 0.0
  sort_{f64,f32,i32}_{s,a}{0,1}   np.sort(x, axis) and np.argsort(x, axis, kind="stable")
  sort_3d.npy, sort_3d_{s,a}1     x [3, 4, 5] and its sort and argsort along axis 1
  q_{f64,f32,i64}.npy             x [7, 9] (no NaN)
  q_{...}_all                     np.quantile(x, 0.37) (shape [1])
  q_{...}_v1, q_{...}_v0          np.quantile(x, Q, axis=1), axis=0, Q = [0, 0.25, 0.5, 0.9, 1]
  q_{...}_m, _m0, _m1             np.median(x) (shape [1]), axis=0, axis=1
  q_nan.npy, q_nan_v1             a [3, 5] with NaN in row 1, np.quantile(x, Q, axis=1)
  la_A, la_b, la_B, la_S          A [6, 6] (well conditioned), b [6], B [6, 3], S [6, 6] SPD
  la_{f64,f32}_{x,X,inv,chol,det} solve(A, b), solve(A, B), inv(A), cholesky(S), det(A) (shape
                                  [1]), computed by NumPy in that dtype
  la_W, la_T                      W [7, 4] and T [4, 7] for svd and qr
  la_{f64,f32}_slogdet            np.linalg.slogdet(A) as [sign, logabsdet]
  la_{f64,f32}_eigw               np.linalg.eigh(S)[0] (the vectors are compared by residuals)
  la_{f64,f32}_{sW,sT}            the singular values of W and T
  la_{f64,f32}_{QW,RW,QT,RT}      np.linalg.qr of W and T (same LAPACK calls: same signs)
NumPy 1.24 gives quantiles of f32 in f64; sinter keeps f32 (as NumPy 2 and torch.quantile), so
the f32 references are NumPy's f64 answers rounded to f32.
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "linalg")
Q = np.array([0.0, 0.25, 0.5, 0.9, 1.0])


def save(name, arr, dtype=None):
    arr = np.asarray(arr)
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(arr, dtype=dtype or arr.dtype))


def sort_cases(rng):
    x = np.round(rng.standard_normal((5, 40)), 1)
    x[0, [3, 17, 30]] = np.nan
    x[1, [0, 5]] = [np.inf, -np.inf]
    x[2, [1, 2, 3, 4]] = [0.0, -0.0, 0.0, -0.0]
    x[3, :] = np.nan
    for dt, name in ((np.float64, "f64"), (np.float32, "f32")):
        xs = x.astype(dt)
        save("sort_" + name, xs)
        for axis in (0, 1):
            save("sort_%s_s%d" % (name, axis), np.sort(xs, axis=axis))
            save("sort_%s_a%d" % (name, axis), np.argsort(xs, axis=axis, kind="stable").astype(np.int64))
    xi = rng.integers(-5, 6, (5, 40)).astype(np.int32)
    save("sort_i32", xi)
    for axis in (0, 1):
        save("sort_i32_s%d" % axis, np.sort(xi, axis=axis))
        save("sort_i32_a%d" % axis, np.argsort(xi, axis=axis, kind="stable").astype(np.int64))
    x3 = np.round(rng.standard_normal((3, 4, 5)), 0)
    save("sort_3d", x3)
    save("sort_3d_s1", np.sort(x3, axis=1))
    save("sort_3d_a1", np.argsort(x3, axis=1, kind="stable").astype(np.int64))


def quantile_cases(rng):
    x = rng.standard_normal((7, 9))
    for name, xs in (("f64", x), ("f32", x.astype(np.float32)), ("i64", rng.integers(-50, 50, (7, 9)))):
        ref = xs.astype(np.float64) if name == "f32" else xs  # f32: NumPy 1.24's f64 answers
        out = np.float32 if name == "f32" else np.float64
        save("q_" + name, xs)
        save("q_%s_all" % name, [np.quantile(ref, 0.37)], out)
        save("q_%s_v1" % name, np.quantile(ref, Q, axis=1), out)
        save("q_%s_v0" % name, np.quantile(ref, Q, axis=0), out)
        save("q_%s_m" % name, [np.median(xs)], out)
        save("q_%s_m0" % name, np.median(xs, axis=0), out)
        save("q_%s_m1" % name, np.median(xs, axis=1), out)
    xn = rng.standard_normal((3, 5))
    xn[1, 2] = np.nan
    save("q_nan", xn)
    save("q_nan_v1", np.quantile(xn, Q, axis=1))


def linalg_cases(rng):
    A = rng.standard_normal((6, 6)) + 4 * np.eye(6)
    b = rng.standard_normal(6)
    B = rng.standard_normal((6, 3))
    M = rng.standard_normal((6, 6))
    S = M @ M.T + 6 * np.eye(6)
    W = rng.standard_normal((7, 4))
    T = rng.standard_normal((4, 7))
    for k, arr in (("A", A), ("b", b), ("B", B), ("S", S), ("W", W), ("T", T)):
        save("la_" + k, arr)
    for name, dt in (("f64", np.float64), ("f32", np.float32)):
        a, s = A.astype(dt), S.astype(dt)
        save("la_%s_x" % name, np.linalg.solve(a, b.astype(dt)))
        save("la_%s_X" % name, np.linalg.solve(a, B.astype(dt)))
        save("la_%s_inv" % name, np.linalg.inv(a))
        save("la_%s_chol" % name, np.linalg.cholesky(s))
        save("la_%s_det" % name, [np.linalg.det(a)], dt)
        save("la_%s_slogdet" % name, list(np.linalg.slogdet(a)), dt)
        save("la_%s_eigw" % name, np.linalg.eigh(s)[0])
        for k, M in (("W", W), ("T", T)):
            save("la_%s_s%s" % (name, k), np.linalg.svd(M.astype(dt), compute_uv=False))
            Q, R = np.linalg.qr(M.astype(dt))
            save("la_%s_Q%s" % (name, k), Q)
            save("la_%s_R%s" % (name, k), R)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(14)
    sort_cases(rng)
    quantile_cases(rng)
    linalg_cases(rng)


if __name__ == "__main__":
    main()
