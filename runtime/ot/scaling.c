/* scaling.c: Sinkhorn's scaling form on a stored kernel K = exp(-C / eps).
 *
 * With P_ij = a_i u_i K_ij b_j v_j, an iteration sets u_i = 1 / sum_j K_ij b_j v_j and then
 * v_j = 1 / sum_i K_ij a_i u_i. Two matrix-vector products read K twice an iteration (POT's
 * sinkhorn: two BLAS gemv); here one pass over the rows does both: row i gives u_i, and while
 * the row is still in cache it adds K_ij a_i u_i to the column sums that give v. Blocks of
 * SCALING_ROWS rows are read together, so each load of b v and of the column sums serves that
 * many rows. K is read once an iteration instead of twice (docs/performance.md).
 *
 * The loop is the stdlib's `sinkhorn` (stdlib/transport.dsl) with K stored instead of
 * recomputed: it stops when the marginal error err = sum_i a_i |u_i / u'_i - 1| of the new u'
 * is below tol or not finite, keeping the u and v it measured. */
#include "ot/rt_ot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows read together: 8 dot products share one load of b v and 8 rows one update of the column
 * sums (faster than 4: docs/performance.md). */
#define SCALING_ROWS 8
/* Row blocks per iteration, each with its own column sums, combined in block order so that the
 * result does not depend on the thread count: a power of two of them (even work for 2, 4, 8
 * threads), at most SCALING_BLOCKS, with at least SCALING_MIN_ROWS rows each: fewer blocks have
 * fewer column sums to clear and add (docs/performance.md). */
#define SCALING_BLOCKS 128
#define SCALING_MIN_ROWS 64
/* max_iter < 0 means this many iterations, as the stdlib's default. */
#define SCALING_MAX_ITER 1000

typedef struct Scaling {
  int64_t m, nblocks;
  const double *a;
  const void *K;   /* [n, m], f32 or f64, row-major */
  int f32;         /* K holds floats */
  const double *u; /* [n] the current u */
  double *unew;    /* [n] the u this iteration computes */
  double *bv;      /* [m] b_j v_j */
  double *cols;    /* [nblocks, m] per-block sums_i K_ij a_i unew_i */
  double *err;     /* [nblocks] per-block marginal errors */
  double *v;       /* [m] the v this iteration computes */
} Scaling;

/* Rows [lo, hi) of K (element type T): unew_i = 1 / (K bv)_i, cols_j += K_ij a_i unew_i, and the
 * block's marginal error. */
#define SCALING_BLOCK(NAME, T)                                                                     \
  static double NAME(const Scaling *s, int64_t lo, int64_t hi, double *cols) {                     \
    const T *K = s->K;                                                                             \
    int64_t m = s->m, i = lo;                                                                      \
    const double *bv = s->bv;                                                                      \
    double dot[SCALING_ROWS], w[SCALING_ROWS], err = 0;                                           \
    for (; i < hi; i += SCALING_ROWS) {                                                            \
      int64_t r = hi - i < SCALING_ROWS ? hi - i : SCALING_ROWS;                                   \
      const T *row = K + i * m;                                                                    \
      if (r == SCALING_ROWS) {                                                                     \
        double d0 = 0, d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0, d7 = 0;                     \
        _Pragma("omp simd reduction(+ : d0, d1, d2, d3, d4, d5, d6, d7)")                          \
        for (int64_t j = 0; j < m; j++) {                                                          \
          double x = bv[j];                                                                        \
          d0 += row[j] * x, d1 += row[m + j] * x, d2 += row[2 * m + j] * x;                        \
          d3 += row[3 * m + j] * x, d4 += row[4 * m + j] * x, d5 += row[5 * m + j] * x;            \
          d6 += row[6 * m + j] * x, d7 += row[7 * m + j] * x;                                      \
        }                                                                                          \
        dot[0] = d0, dot[1] = d1, dot[2] = d2, dot[3] = d3;                                        \
        dot[4] = d4, dot[5] = d5, dot[6] = d6, dot[7] = d7;                                        \
      } else {                                                                                     \
        for (int64_t k = 0; k < r; k++) {                                                          \
          double d = 0;                                                                            \
          _Pragma("omp simd reduction(+ : d)")                                                     \
          for (int64_t j = 0; j < m; j++) d += row[k * m + j] * bv[j];                             \
          dot[k] = d;                                                                              \
        }                                                                                          \
      }                                                                                            \
      for (int64_t k = 0; k < r; k++) {                                                            \
        double un = 1 / dot[k], ai = s->a[i + k];                                                  \
        s->unew[i + k] = un;                                                                       \
        w[k] = ai * un;                                                                            \
        if (ai > 0) err += ai * fabs(s->u[i + k] / un - 1);                                        \
      }                                                                                            \
      if (r == SCALING_ROWS) {                                                                     \
        _Pragma("omp simd")                                                                        \
        for (int64_t j = 0; j < m; j++)                                                            \
          cols[j] += row[j] * w[0] + row[m + j] * w[1] + row[2 * m + j] * w[2] +                   \
                     row[3 * m + j] * w[3] + row[4 * m + j] * w[4] + row[5 * m + j] * w[5] +       \
                     row[6 * m + j] * w[6] + row[7 * m + j] * w[7];                                \
      } else {                                                                                     \
        for (int64_t k = 0; k < r; k++) {                                                          \
          _Pragma("omp simd")                                                                      \
          for (int64_t j = 0; j < m; j++) cols[j] += row[k * m + j] * w[k];                        \
        }                                                                                          \
      }                                                                                            \
    }                                                                                              \
    return err;                                                                                    \
  }

SCALING_BLOCK(rows_f64, double)
SCALING_BLOCK(rows_f32, float)

static int32_t rows_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  Scaling *s = ctx;
  double *cols = s->cols + c * s->m;
  memset(cols, 0, (size_t)s->m * sizeof *cols);
  s->err[c] = s->f32 ? rows_f32(s, lo, hi, cols) : rows_f64(s, lo, hi, cols);
  return 0;
}

/* v_j = 1 / sum over blocks of cols_j, for columns [lo, hi). */
static int32_t cols_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  (void)c;
  Scaling *s = ctx;
  for (int64_t j = lo; j < hi; j++) {
    double t = 0;
    for (int64_t k = 0; k < s->nblocks; k++) t += s->cols[k * s->m + j];
    s->v[j] = 1 / t;
  }
  return 0;
}

/* unew from the current u, v (and the column sums for the next v): the marginal error of u, v. */
static SnStatus measure(Scaling *s, int64_t n, const double *b, const double *v, double *err) {
  for (int64_t j = 0; j < s->m; j++) s->bv[j] = b[j] * v[j];
  SnStatus st = sn_parallel_for(n, s->nblocks, rows_chunk, s);
  *err = 0;
  for (int64_t k = 0; k < s->nblocks; k++) *err += s->err[k];
  return st;
}

/* An error naming the first weight that is negative or not finite, or all of them being 0. */
static SnStatus check_weights(const char *name, const double *w, int64_t len) {
  double total = 0;
  for (int64_t k = 0; k < len; k++) {
    if (!(w[k] >= 0) || !isfinite(w[k]))
      return sn_error_set("sinkhorn: %s[%lld] = %g; weights must be finite and >= 0", name,
                          (long long)k, w[k]);
    total += w[k];
  }
  if (total <= 0) return sn_error_set("sinkhorn: the weights %s are all 0", name);
  return 0;
}

/* An error naming the first entry of K that is negative or not finite. */
static SnStatus check_kernel(int64_t n, int64_t m, int f32, const void *K) {
  for (int64_t k = 0; k < n * m; k++) {
    double x = f32 ? ((const float *)K)[k] : ((const double *)K)[k];
    if (!(x >= 0) || !isfinite(x))
      return sn_error_set("sinkhorn: K[%lld, %lld] = %g; the kernel must be finite and >= 0",
                          (long long)(k / m), (long long)(k % m), x);
  }
  return 0;
}

SnStatus sn_ot_sinkhorn_scaling_f64(int64_t n, int64_t m, const double *a, const double *b,
                                    SnDtype kdtype, const void *K, double *u, double *v,
                                    double tol, int64_t max_iter, SnOtScalingInfo *info) {
  if (kdtype != SN_F32 && kdtype != SN_F64)
    return sn_error_set("sinkhorn: the kernel must be f32 or f64, not %s", sn_dtype_name(kdtype));
  if (n < 1 || m < 1)
    return sn_error_set("sinkhorn: the kernel is %lld x %lld; it needs at least one row and one "
                        "column", (long long)n, (long long)m);
  if (!(tol >= 0)) return sn_error_set("sinkhorn: tol must be >= 0, got %g", tol);
  SnStatus bad;
  if ((bad = check_weights("a", a, n)) || (bad = check_weights("b", b, m)) ||
      (bad = check_kernel(n, m, kdtype == SN_F32, K)))
    return bad;
  if (max_iter < 0) max_iter = SCALING_MAX_ITER;
  int64_t nblocks = 1;
  while (nblocks < SCALING_BLOCKS && 2 * nblocks * SCALING_MIN_ROWS <= n) nblocks *= 2;
  Scaling s = {.m = m, .nblocks = nblocks, .a = a, .K = K,
               .f32 = kdtype == SN_F32, .u = u,
               .unew = malloc((size_t)n * sizeof(double)),
               .bv = malloc((size_t)m * sizeof(double)),
               .cols = malloc((size_t)(nblocks * m) * sizeof(double)),
               .err = malloc((size_t)nblocks * sizeof(double)),
               .v = malloc((size_t)m * sizeof(double))};
  SnStatus st = 0;
  if (!s.unew || !s.bv || !s.cols || !s.err || !s.v) {
    st = sn_error_set("sinkhorn: out of memory for %lld x %lld", (long long)n, (long long)m);
    goto done;
  }
  int64_t it = 0;
  double err = 0;
  while (it < max_iter) {
    it++;
    if ((st = measure(&s, n, b, v, &err))) goto done;
    if (err < tol || !isfinite(err)) break;
    if ((st = sn_parallel_for(m, sn_parallel_chunks(m, 4096), cols_chunk, &s))) goto done;
    memcpy(u, s.unew, (size_t)n * sizeof *u);
    memcpy(v, s.v, (size_t)m * sizeof *v);
  }
  /* No iteration: err is still that of the u, v returned. */
  if (it == 0 && (st = measure(&s, n, b, v, &err))) goto done;
  if (info) *info = (SnOtScalingInfo){.iterations = it, .converged = err < tol, .err = err};
done:
  free(s.unew);
  free(s.bv);
  free(s.cols);
  free(s.err);
  free(s.v);
  return st;
}

SnResult *sn_ot_scaling_call(const char *where, const SnTensor *a, const SnTensor *b,
                             const SnTensor *K, double eps, const SnTensor *g0, double tol,
                             int64_t max_iter) {
  const char *fn = "sinkhorn";
  SnResult *r = sn_result_new(5);
  if (!r) return sn_result_failed(where, NULL);
  SnTensor *ha = NULL, *hb = NULL, *kc = NULL, *tu = NULL, *tv = NULL;
  const double *pa = NULL, *pb = NULL;
  SnStatus st = 1;
  if (K->rank != 2 || (K->dtype != SN_F32 && K->dtype != SN_F64)) {
    sn_error_set("%s: the kernel must be an f32 or f64 matrix", fn);
    goto done;
  }
  if (!(eps > 0) || !isfinite(eps)) { /* g0 / eps below, and the potentials eps log(u) */
    sn_error_set("%s: eps must be positive and finite, got %g", fn, eps);
    goto done;
  }
  int64_t n = K->shape[0], m = K->shape[1];
  if (!sn_tensor_is_contiguous(K) && !(kc = sn_tensor_copy(K))) goto done;
  const SnTensor *kd = kc ? kc : K;
  if (!(pa = snrt_ot_as_f64(fn, "a", a, 1, &ha)) ||
      snrt_ot_size_match(fn, "the length of a", a->shape[0], "the number of rows of C", n) ||
      !(pb = snrt_ot_as_f64(fn, "b", b, 1, &hb)) ||
      snrt_ot_size_match(fn, "the length of b", b->shape[0], "the number of columns of C", m))
    goto done;
  int64_t shn[1] = {n};
  if (!(tu = sn_tensor_zeros(SN_F64, 1, shn)) ||
      !(tv = snrt_ot_start_potential(fn, "g0", "the length of g0", g0, m,
                                     "the number of columns of C")))
    goto done;
  double *u = tu->data, *v = tv->data;
  for (int64_t i = 0; i < n; i++) u[i] = 1;
  for (int64_t j = 0; j < m; j++) v[j] = exp(v[j] / eps);
  SnOtScalingInfo info;
  if ((st = sn_ot_sinkhorn_scaling_f64(n, m, pa, pb, (SnDtype)kd->dtype, kd->data, u, v, tol,
                                       max_iter, &info)))
    goto done;
  /* The potentials in GeomLoss's convention, P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps). */
  for (int64_t i = 0; i < n; i++) u[i] = eps * log(u[i]);
  for (int64_t j = 0; j < m; j++) v[j] = eps * log(v[j]);
  sn_result_set_tensor(r, 0, "f", tu);
  sn_result_set_tensor(r, 1, "g", tv);
  tu = tv = NULL;
  sn_result_set_f64(r, 2, "err", info.err);
  sn_result_set_i64(r, 3, "iterations", info.iterations);
  sn_result_set_i64(r, 4, "converged", info.converged);
done:
  sn_tensor_release(ha);
  sn_tensor_release(hb);
  sn_tensor_release(kc);
  sn_tensor_release(tu);
  sn_tensor_release(tv);
  return st ? sn_result_failed(where, r) : r;
}
