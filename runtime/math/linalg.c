/* linalg.c: linear algebra through the LAPACK that OpenBLAS exports, in f32 (s*) and f64 (d*):
 * solve, inv, cholesky, det and slogdet of square matrices, eigh of symmetric ones, and the
 * reduced svd and qr of any matrix.
 *
 * LAPACK is column-major, and a row-major matrix read column-major is its transpose, so each
 * routine works on the transpose where that costs nothing: the LU factors of A^T serve solve
 * (getrs with trans 'T' solves A x = b), inv (X with A^T X = I, read row-major, is A^-1) and det
 * (det A^T = det A); the upper Cholesky factor U of A^T = A read row-major is the lower L; and
 * A^T = V' S U'^T gives A's U and V^T as the V'^T and U' gesdd writes, read row-major. Only
 * eigh's vectors (columns, read row-major as rows) and qr (of A itself) are transposed.
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
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda, float *w,
             float *work, const int *lwork, int *iwork, const int *liwork, int *info, size_t jobz_len,
             size_t uplo_len);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info, size_t jobz_len,
             size_t uplo_len);
void sgesdd_(const char *jobz, const int *m, const int *n, float *a, const int *lda, float *s, float *u,
             const int *ldu, float *vt, const int *ldvt, float *work, const int *lwork, int *iwork, int *info,
             size_t jobz_len);
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s, double *u,
             const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork, int *iwork,
             int *info, size_t jobz_len);
void sgeqrf_(const int *m, const int *n, float *a, const int *lda, float *tau, float *work, const int *lwork,
             int *info);
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work,
             const int *lwork, int *info);
void sorgqr_(const int *m, const int *n, const int *k, float *a, const int *lda, const float *tau,
             float *work, const int *lwork, int *info);
void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda, const double *tau,
             double *work, const int *lwork, int *info);

/* An f32 or f64 matrix as LAPACK takes it: a dense copy of m rows and n columns. */
typedef struct {
  SnTensor *t;
  int m, n, f64;
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

/* A vector's dense copy, or a matrix's transpose, dense. */
static SnTensor *columns(const SnTensor *b) {
  if (b->rank == 1) return sn_tensor_copy(b);
  SnTensor *bt = sn_tensor_transpose(b, 0, 1), *x = bt ? sn_tensor_copy(bt) : NULL;
  if (bt) sn_tensor_release(bt);
  return x;
}

/* A's dense copy (its transpose's, `transpose`), after checking that A is a finite f32 or f64
 * matrix, square when `need_square`. */
static int matrix(const char *fn, const SnTensor *A, int need_square, int transpose, Square *out) {
  if (A->rank != 2 || (need_square && A->shape[0] != A->shape[1])) {
    if (A->rank == 2)
      sn_error_set("%s: the matrix must be square, not %lld x %lld", fn, (long long)A->shape[0],
                   (long long)A->shape[1]);
    else
      sn_error_set("%s: needs a matrix, not a tensor of rank %lld", fn, (long long)A->rank);
    return 0;
  }
  if (A->dtype != SN_F32 && A->dtype != SN_F64) {
    sn_error_set("%s: needs an f32 or f64 matrix, not %s", fn, sn_dtype_name((SnDtype)A->dtype));
    return 0;
  }
  if (A->shape[0] > INT_MAX || A->shape[1] > INT_MAX) {
    sn_error_set("%s: a size of %lld is beyond LAPACK's int range", fn,
                 (long long)(A->shape[0] > A->shape[1] ? A->shape[0] : A->shape[1]));
    return 0;
  }
  if (!all_finite(fn, "the matrix", A)) return 0;
  *out = (Square){transpose ? columns(A) : sn_tensor_copy(A), (int)A->shape[0], (int)A->shape[1],
                  A->dtype == SN_F64};
  return out->t != NULL;
}

static int square(const char *fn, const SnTensor *A, Square *out) { return matrix(fn, A, 1, 0, out); }

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
  /* LAPACK's right-hand sides are columns: a matrix's transpose, a vector as it is */
  SnTensor *x = lu_solve("solve", &a, columns(b), b->rank == 2 ? (int)b->shape[1] : 1, "T");
  if (x && b->rank == 2) { /* the columns back to rows */
    SnTensor *cols = x;
    x = columns(cols);
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

/* The sign and log of the magnitude of det A, as NumPy computes them: from the LU factors of A^T,
 * the sign of U's diagonal and of the pivots' permutation, the sum of the logs of the diagonal's
 * magnitudes; a zero pivot gives sign 0 and -inf. Releases a's copy. */
static int slogdet(const char *fn, Square *a, double *sign, double *logabs) {
  int *ipiv = malloc((size_t)(a->n ? a->n : 1) * sizeof *ipiv);
  if (!ipiv) {
    sn_tensor_release(a->t);
    sn_error_set("%s: out of memory", fn);
    return 0;
  }
  int info = getrf(a, ipiv);
  *sign = info > 0 ? 0 : 1;
  *logabs = info > 0 ? -INFINITY : 0;
  for (int i = 0; i < a->n && info == 0; i++) {
    double u = sn_tensor_get_f64(a->t, (int64_t)i * a->n + i);
    if (ipiv[i] != i + 1) *sign = -*sign;
    if (u < 0) *sign = -*sign;
    *logabs += log(fabs(u));
  }
  free(ipiv);
  sn_tensor_release(a->t);
  return 1;
}

SnTensor *sn_det(const SnTensor *A) {
  Square a;
  double sign, logabs;
  if (!square("det", A, &a)) return NULL;
  SnTensor *r = sn_tensor_new(a.f64 ? SN_F64 : SN_F32, 0, NULL);
  if (!r)
    sn_tensor_release(a.t);
  else if (!slogdet("det", &a, &sign, &logabs))
    sn_tensor_release(r), r = NULL;
  else
    sn_tensor_set_f64(r, 0, sign == 0 ? 0 : sign * exp(logabs));
  return r;
}

SnResult *sn_slogdet(const char *where, const SnTensor *A) {
  Square a;
  double sign, logabs;
  if (!square("slogdet", A, &a)) return sn_result_failed(where, NULL);
  SnResult *r = sn_result_new(2);
  if (!r) sn_tensor_release(a.t);
  if (!r || !slogdet("slogdet", &a, &sign, &logabs)) return sn_result_failed(where, r);
  sn_result_set_f64(r, 0, "sign", sign);
  sn_result_set_f64(r, 1, "logabsdet", logabs);
  return r;
}

/* What a LAPACK workspace query writes: one element of the matrix's dtype, the size wanted. */
typedef union {
  double d;
  float f;
} Query;

static double query_size(const Square *a, const Query *q) { return a->f64 ? q->d : q->f; }

/* A workspace of the size `query` wants, at least `least` elements. */
static void *workspace(const Square *a, const Query *query, int least, int *lwork) {
  double q = query_size(a, query);
  *lwork = q > least ? (int)q : least;
  return malloc((size_t)*lwork * (a->f64 ? sizeof(double) : sizeof(float)));
}

/* The f32/f64 routines on a's copy (work: a Query when *lwork is -1). */
static int syevd(const Square *a, void *w, void *work, int *lwork, int *iwork, int *liwork) {
  int n = a->n, info = 0;
  if (a->f64)
    dsyevd_("V", "U", &n, a->t->data, &n, w, work, lwork, iwork, liwork, &info, 1, 1);
  else
    ssyevd_("V", "U", &n, a->t->data, &n, w, work, lwork, iwork, liwork, &info, 1, 1);
  return info;
}

/* gesdd of A^T (n x m column-major): u receives A's Vt, vt A's U. */
static int gesdd(const Square *a, void *s, void *u, void *vt, void *work, int *lwork, int *iwork) {
  int m = a->m, n = a->n, k = m < n ? m : n, ldu = n > 1 ? n : 1, ldvt = k > 1 ? k : 1, info = 0;
  if (a->f64)
    dgesdd_("S", &n, &m, a->t->data, &ldu, s, u, &ldu, vt, &ldvt, work, lwork, iwork, &info, 1);
  else
    sgesdd_("S", &n, &m, a->t->data, &ldu, s, u, &ldu, vt, &ldvt, work, lwork, iwork, &info, 1);
  return info;
}

/* geqrf (orgq 0) or orgqr (orgq 1) of A column-major (m x n, lda m). */
static void qr_step(const Square *a, int orgq, void *tau, void *work, int *lwork) {
  int m = a->m, n = a->n, k = m < n ? m : n, lda = m > 1 ? m : 1, info = 0;
  if (orgq && a->f64)
    dorgqr_(&m, &k, &k, a->t->data, &lda, tau, work, lwork, &info);
  else if (orgq)
    sorgqr_(&m, &k, &k, a->t->data, &lda, tau, work, lwork, &info);
  else if (a->f64)
    dgeqrf_(&m, &n, a->t->data, &lda, tau, work, lwork, &info);
  else
    sgeqrf_(&m, &n, a->t->data, &lda, tau, work, lwork, &info);
}

/* The result of parts[0..n) (a NULL part: the call failed), the tensors taken over, once a's copy
 * is released. */
static SnResult *result_of(const char *where, Square *a, int n, const char *const *names, SnTensor **parts) {
  sn_tensor_release(a->t);
  return sn_result_of_tensors(where, n, names, parts);
}

static const char *const eigh_parts[] = {"values", "vectors"}, *const svd_parts[] = {"U", "S", "Vt"},
                         *const qr_parts[] = {"Q", "R"};

/* As numpy.linalg.eigh: ascending eigenvalues and the eigenvectors as columns, from A's lower
 * triangle (syevd's upper one of A^T); LAPACK's columns come out as rows, hence one transpose. */
SnResult *sn_eigh(const char *where, const SnTensor *A) {
  Square a;
  if (!square("eigh", A, &a)) return sn_result_failed(where, NULL);
  int lwork = -1, liwork = -1, iquery = 0, info = 0;
  int64_t n = a.n;
  SnTensor *parts[2] = {sn_tensor_new(a.f64 ? SN_F64 : SN_F32, 1, &n), NULL};
  Query query = {0};
  void *work = NULL;
  int *iwork = NULL;
  if (parts[0] && n > 0) {
    syevd(&a, parts[0]->data, &query, &lwork, &iquery, &liwork);
    liwork = iquery > 1 ? iquery : 1;
    if (!(work = workspace(&a, &query, 1, &lwork)) || !(iwork = malloc((size_t)liwork * sizeof *iwork)))
      sn_error_set("eigh: out of memory");
    else if ((info = syevd(&a, parts[0]->data, work, &lwork, iwork, &liwork)) > 0)
      sn_error_set("eigh: the eigenvalues did not converge (LAPACK's syevd: %d)", info);
    if (!work || !iwork || info > 0) sn_tensor_release(parts[0]), parts[0] = NULL;
  }
  if (parts[0]) parts[1] = columns(a.t);
  free(work);
  free(iwork);
  return result_of(where, &a, 2, eigh_parts, parts);
}

/* As torch.linalg.svd(A, full_matrices=False) and numpy.linalg.svd(A, full_matrices=False): A =
 * U diag(S) Vt, S descending, k = min(m, n). gesdd factors A^T = V' S U'^T, writing U'^T's
 * columns (A's V^T read row-major) and V'^T (A's U read row-major). */
SnResult *sn_svd(const char *where, const SnTensor *A) {
  Square a;
  if (!matrix("svd", A, 0, 0, &a)) return sn_result_failed(where, NULL);
  int m = a.m, n = a.n, k = m < n ? m : n, info = 0, lwork = -1;
  int64_t su[2] = {m, k}, ss = k, sv[2] = {k, n};
  SnDtype dt = a.f64 ? SN_F64 : SN_F32;
  SnTensor *parts[3] = {sn_tensor_new(dt, 2, su), sn_tensor_new(dt, 1, &ss), sn_tensor_new(dt, 2, sv)};
  int *iwork = malloc((size_t)(8 * k + 1) * sizeof *iwork);
  Query query = {0};
  void *work = NULL;
  if (parts[0] && parts[1] && parts[2] && k > 0) {
    if (iwork) gesdd(&a, parts[1]->data, parts[2]->data, parts[0]->data, &query, &lwork, iwork);
    if (!iwork || !(work = workspace(&a, &query, 1, &lwork)))
      sn_error_set("svd: out of memory");
    else if ((info = gesdd(&a, parts[1]->data, parts[2]->data, parts[0]->data, work, &lwork, iwork)) > 0)
      sn_error_set("svd: the singular values did not converge (LAPACK's gesdd: %d)", info);
    if (!work || info > 0) sn_tensor_release(parts[0]), parts[0] = NULL;
  }
  free(work);
  free(iwork);
  return result_of(where, &a, 3, svd_parts, parts);
}

/* As numpy.linalg.qr(A) ('reduced'): A = Q R, Q [m, k] with orthonormal columns, R [k, n] upper
 * triangular, k = min(m, n); geqrf and orgqr on A column-major (A^T's dense copy). */
SnResult *sn_qr(const char *where, const SnTensor *A) {
  Square a;
  if (!matrix("qr", A, 0, 1, &a)) return sn_result_failed(where, NULL);
  int m = a.m, n = a.n, k = m < n ? m : n, lwork = -1, lwork2 = -1;
  int64_t sr[2] = {k, n}, sk = k;
  SnDtype dt = a.f64 ? SN_F64 : SN_F32;
  SnTensor *parts[2] = {NULL, sn_tensor_zeros(dt, 2, sr)}, *tau = sn_tensor_new(dt, 1, &sk);
  Query query = {0}, query2 = {0};
  void *work = NULL;
  if (parts[1] && !tau) sn_tensor_release(parts[1]), parts[1] = NULL;
  if (parts[1] && k > 0) {
    qr_step(&a, 0, tau->data, &query, &lwork);
    qr_step(&a, 1, tau->data, &query2, &lwork2);
    if (!(work = workspace(&a, query_size(&a, &query2) > query_size(&a, &query) ? &query2 : &query, n,
                           &lwork))) {
      sn_error_set("qr: out of memory");
      sn_tensor_release(parts[1]);
      parts[1] = NULL;
    } else {
      qr_step(&a, 0, tau->data, work, &lwork);
      for (int64_t i = 0; i < k; i++) /* R: the upper triangle, column-major in a.t */
        for (int64_t j = i; j < n; j++)
          sn_tensor_set_f64(parts[1], i * n + j, sn_tensor_get_f64(a.t, i + j * m));
      qr_step(&a, 1, tau->data, work, &lwork);
    }
  }
  if (parts[1]) { /* Q: the first k columns, column-major in a.t (rows of a.t read row-major) */
    SnTensor *head = sn_tensor_slice(a.t, 0, 0, k, 1);
    parts[0] = head ? columns(head) : NULL;
    if (head) sn_tensor_release(head);
  }
  free(work);
  if (tau) sn_tensor_release(tau);
  return result_of(where, &a, 2, qr_parts, parts);
}
