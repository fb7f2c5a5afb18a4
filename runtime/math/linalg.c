/* linalg.c: linear algebra of square matrices through the LAPACK that OpenBLAS exports, in f32
 * (s*) and f64 (d*): solve, inv, cholesky, det.
 *
 * LAPACK is column-major, and a row-major matrix read column-major is its transpose, so each
 * routine works on the transpose where that costs nothing: the LU factors of A^T serve solve
 * (getrs with trans 'T' solves A x = b), inv (X with A^T X = I, read row-major, is A^-1) and det
 * (det A^T = det A); the upper Cholesky factor U of A^T = A read row-major is the lower L.
 * LAPACK overwrites its input, so each takes one dense copy of A (and of b); only a matrix
 * right-hand side is transposed, in and out. Inputs must be finite: a NaN or infinity is an
 * error, not a NaN result. */
#include "math/rt_math.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>

/* The Fortran routines (gfortran's ABI: arguments by address, a character argument's length
 * passed last). */
void sgetrf_(const int *m, const int *n, float *a, const int *lda, int *ipiv, int *info);
void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
void sgetrs_(const char *trans, const int *n, const int *nrhs, const float *a, const int *lda,
             const int *ipiv, float *b, const int *ldb, int *info, size_t trans_len);
void dgetrs_(const char *trans, const int *n, const int *nrhs, const double *a, const int *lda,
             const int *ipiv, double *b, const int *ldb, int *info, size_t trans_len);
void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info, size_t uplo_len);
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);

/* A square f32 or f64 matrix as LAPACK takes it: a dense copy, n x n. */
typedef struct {
  SnTensor *t;
  int n, f64;
} Square;

/* Fails when an element of t (A or b of fn) is NaN or infinite. */
static int all_finite(const char *fn, const char *what, const SnTensor *t) {
  int64_t numel = sn_tensor_numel(t), cols = t->rank == 2 ? t->shape[1] : 1;
  for (int64_t i = 0; i < numel; i++) {
    double v = sn_tensor_get_f64(t, i);
    if (isfinite(v)) continue;
    const char *text = isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
    if (t->rank == 2)
      sn_error_set("%s: %s has a non-finite element: [%lld, %lld] is %s", fn, what, (long long)(i / cols),
                   (long long)(i % cols), text);
    else
      sn_error_set("%s: %s has a non-finite element: [%lld] is %s", fn, what, (long long)i, text);
    return 0;
  }
  return 1;
}

/* A's dense copy, after checking that A is a finite square f32 or f64 matrix. */
static int square(const char *fn, const SnTensor *A, Square *out) {
  if (A->rank != 2 || A->shape[0] != A->shape[1]) {
    if (A->rank == 2)
      sn_error_set("%s: the matrix must be square, not %lld x %lld", fn, (long long)A->shape[0],
                   (long long)A->shape[1]);
    else
      sn_error_set("%s: needs a square matrix, not a tensor of rank %lld", fn, (long long)A->rank);
    return 0;
  }
  if (A->dtype != SN_F32 && A->dtype != SN_F64) {
    sn_error_set("%s: needs an f32 or f64 matrix, not %s", fn, sn_dtype_name((SnDtype)A->dtype));
    return 0;
  }
  if (A->shape[0] > INT_MAX) {
    sn_error_set("%s: a size of %lld is beyond LAPACK's int range", fn, (long long)A->shape[0]);
    return 0;
  }
  if (!all_finite(fn, "the matrix", A)) return 0;
  *out = (Square){sn_tensor_copy(A), (int)A->shape[0], A->dtype == SN_F64};
  return out->t != NULL;
}

/* The LU factorization of A^T in place (A's copy), the pivots in ipiv (n of them). */
static int getrf(const Square *a, int *ipiv) {
  int info = 0, n = a->n;
  if (n == 0) return 0;
  if (a->f64)
    dgetrf_(&n, &n, a->t->data, &n, ipiv, &info);
  else
    sgetrf_(&n, &n, a->t->data, &n, ipiv, &info);
  return info;
}

/* The factorization of A^T, failing when A is singular (solve, inv). */
static int *lu(const char *fn, const Square *a) {
  int *ipiv = malloc((size_t)(a->n ? a->n : 1) * sizeof *ipiv);
  if (!ipiv) {
    sn_error_set("%s: out of memory", fn);
    return NULL;
  }
  int info = getrf(a, ipiv);
  if (info > 0) {
    sn_error_set("%s: the matrix is singular: U[%d, %d] of its LU factorization is 0", fn, info - 1,
                 info - 1);
    free(ipiv);
    return NULL;
  }
  return ipiv;
}

/* b's columns as LAPACK takes right-hand sides, dense: a vector as it is, a matrix [n, k] as
 * its transpose [k, n]. */
static SnTensor *rhs_columns(const SnTensor *b) {
  if (b->rank == 1) return sn_tensor_copy(b);
  SnTensor *bt = sn_tensor_transpose(b, 0, 1), *x = bt ? sn_tensor_copy(bt) : NULL;
  if (bt) sn_tensor_release(bt);
  return x;
}

/* Solves op(A^T) X = C in place for the nrhs columns of c (dense, [nrhs, n]) through the LU
 * factors of A^T: trans "T" solves A X = C, "N" solves A^T X = C. */
static SnTensor *lu_solve(const char *fn, const Square *a, SnTensor *c, int nrhs, const char *trans) {
  int n = a->n, info = 0, *ipiv = c ? lu(fn, a) : NULL;
  if (ipiv && n > 0 && nrhs > 0) {
    if (a->f64)
      dgetrs_(trans, &n, &nrhs, a->t->data, &n, ipiv, c->data, &n, &info, 1);
    else
      sgetrs_(trans, &n, &nrhs, a->t->data, &n, ipiv, c->data, &n, &info, 1);
  }
  if (c && !ipiv) {
    sn_tensor_release(c);
    c = NULL;
  }
  free(ipiv);
  sn_tensor_release(a->t);
  return c;
}

SnTensor *sn_solve(const SnTensor *A, const SnTensor *b) {
  if (b->dtype != A->dtype || (b->rank != 1 && b->rank != 2) || A->rank != 2 || b->shape[0] != A->shape[0] ||
      (b->rank == 2 && b->shape[1] > INT_MAX)) {
    sn_error_set("solve: b must be a vector or a matrix of %s with %lld rows, not %s of rank %lld",
                 sn_dtype_name((SnDtype)A->dtype), (long long)A->shape[0], sn_dtype_name((SnDtype)b->dtype),
                 (long long)b->rank);
    return NULL;
  }
  Square a;
  if (!all_finite("solve", "b", b) || !square("solve", A, &a)) return NULL;
  SnTensor *x = lu_solve("solve", &a, rhs_columns(b), b->rank == 2 ? (int)b->shape[1] : 1, "T");
  if (x && b->rank == 2) { /* the columns back to rows */
    SnTensor *cols = x;
    x = rhs_columns(cols);
    sn_tensor_release(cols);
  }
  return x;
}

/* As NumPy: the solution of A^T X = I, whose columns are the rows of A^-1, without transposing. */
SnTensor *sn_inv(const SnTensor *A) {
  Square a;
  if (!square("inv", A, &a)) return NULL;
  SnTensor *x = sn_tensor_zeros(a.f64 ? SN_F64 : SN_F32, 2, A->shape);
  for (int64_t i = 0; x && i < a.n; i++) sn_tensor_set_f64(x, i * a.n + i, 1);
  return lu_solve("inv", &a, x, a.n, "N");
}

SnTensor *sn_cholesky(const SnTensor *A) {
  Square a;
  if (!square("cholesky", A, &a)) return NULL;
  int n = a.n, info = 0;
  if (n > 0) {
    if (a.f64)
      dpotrf_("U", &n, a.t->data, &n, &info, 1);
    else
      spotrf_("U", &n, a.t->data, &n, &info, 1);
  }
  if (info > 0) {
    sn_error_set(
        "cholesky: the matrix is not positive definite: its leading minor of order %d is not positive", info);
    sn_tensor_release(a.t);
    return NULL;
  }
  /* U's strictly lower part (column-major) is the input's: clear L's strictly upper part */
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = i + 1; j < n; j++) sn_tensor_set_f64(a.t, i * n + j, 0);
  return a.t;
}

SnTensor *sn_det(const SnTensor *A) {
  Square a;
  if (!square("det", A, &a)) return NULL;
  SnTensor *r = sn_tensor_new(a.f64 ? SN_F64 : SN_F32, 0, NULL);
  int *ipiv = malloc((size_t)(a.n ? a.n : 1) * sizeof *ipiv);
  if (r && !ipiv) {
    sn_error_set("det: out of memory");
    sn_tensor_release(r);
    r = NULL;
  }
  if (r) {
    /* as NumPy: the sign of the product of U's diagonal and the pivots' permutation, times
     * exp of the sum of the logs of its magnitudes; a zero pivot (info > 0) gives 0 */
    int info = getrf(&a, ipiv);
    double sign = 1, logdet = 0;
    for (int i = 0; i < a.n && info == 0; i++) {
      double u = sn_tensor_get_f64(a.t, (int64_t)i * a.n + i);
      if (ipiv[i] != i + 1) sign = -sign;
      if (u < 0) sign = -sign;
      logdet += log(fabs(u));
    }
    sn_tensor_set_f64(r, 0, info > 0 ? 0 : sign * exp(logdet));
  }
  free(ipiv);
  sn_tensor_release(a.t);
  return r;
}
