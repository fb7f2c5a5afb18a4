/* common.c: what the transport solvers share: checks of weights, masses and finite inputs,
 * tensor arguments as f64 arrays, sparse plans, and the result handles generated code takes
 * apart (runtime/ot/rt_ot.h). */
#include "ot/rt_ot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- input checks ------------------------------------------------------------------------- */

SnStatus snrt_ot_check_weights(const char *fn, const char *name, const double *w, int64_t n,
                               double *sum) {
  if (!w) {
    *sum = 1;
    return 0;
  }
  double s = 0;
  for (int64_t i = 0; i < n; i++) {
    if (!isfinite(w[i]))
      return sn_error_set("%s: %s[%lld] is %g; weights must be finite", fn, name, (long long)i,
                          w[i]);
    if (w[i] < 0)
      return sn_error_set("%s: %s[%lld] = %g is negative; weights must be >= 0", fn, name,
                          (long long)i, w[i]);
    s += w[i];
  }
  if (!(s > 0)) return sn_error_set("%s: %s has no mass: every weight is 0", fn, name);
  *sum = s;
  return 0;
}

SnStatus snrt_ot_mass_ratio(const char *fn, double sa, double sb, double *ratio) {
  if (fabs(sa - sb) > SN_OT_MASS_RTOL * fmax(sa, sb))
    return sn_error_set("%s: a and b must have the same total mass, but sum(a) = %.12g and "
                        "sum(b) = %.12g; normalise them (divide each by its sum)",
                        fn, sa, sb);
  *ratio = sa / sb;
  return 0;
}

SnStatus snrt_ot_check_finite(const char *fn, const char *name, const double *x, int64_t rows,
                              int64_t cols) {
  /* An all-ones exponent is Inf or NaN; OR-ing that test over the array vectorises, and the
   * loop that names the culprit runs only when there is one. */
  uint64_t bad = 0;
  for (int64_t k = 0; k < rows * cols; k++) {
    uint64_t bits;
    memcpy(&bits, x + k, sizeof bits);
    bad |= (~bits & 0x7ff0000000000000u) == 0;
  }
  for (int64_t k = 0; bad && k < rows * cols; k++)
    if (!isfinite(x[k])) {
      if (cols == 1)
        return sn_error_set("%s: %s[%lld] is %g; it must be finite", fn, name, (long long)k, x[k]);
      return sn_error_set("%s: %s[%lld, %lld] is %g; it must be finite", fn, name,
                          (long long)(k / cols), (long long)(k % cols), x[k]);
    }
  return 0;
}

/* --- results: sparse plans, and the EMD result a call handle holds -------------------------- */

static int triplet_order(const void *pa, const void *pb) {
  const SnOtTriplet *a = pa, *b = pb;
  if (a->i != b->i) return a->i < b->i ? -1 : 1;
  return (a->j > b->j) - (a->j < b->j);
}

SnStatus snrt_ot_sparse_fill(SnOtSparsePlan *plan, SnOtTriplet *t, int64_t k) {
  qsort(t, (size_t)k, sizeof *t, triplet_order);
  int64_t shape[1] = {k};
  plan->nnz = k;
  plan->rows = sn_tensor_new(SN_I64, 1, shape);
  plan->cols = plan->rows ? sn_tensor_new(SN_I64, 1, shape) : NULL;
  plan->mass = plan->cols ? sn_tensor_new(SN_F64, 1, shape) : NULL;
  if (!plan->mass) return 1;
  int64_t *r = plan->rows->data, *c = plan->cols->data;
  double *w = plan->mass->data;
  for (int64_t q = 0; q < k; q++) r[q] = t[q].i, c[q] = t[q].j, w[q] = t[q].mass;
  return 0;
}

void sn_ot_sparse_free(SnOtSparsePlan *plan) {
  sn_tensor_release(plan->rows);
  sn_tensor_release(plan->cols);
  sn_tensor_release(plan->mass);
  memset(plan, 0, sizeof *plan);
}

void sn_ot_emd_free(SnOtEmdResult *r) {
  sn_tensor_release(r->plan);
  sn_tensor_release(r->u);
  sn_tensor_release(r->v);
  sn_ot_sparse_free(&r->support);
  memset(r, 0, sizeof *r);
}

SnStatus snrt_ot_check_p(const char *fn, double p) {
  if (!(p >= 1) || !isfinite(p))
    return sn_error_set("%s: p = %g, but p must be finite and >= 1", fn, p);
  return 0;
}

/* --- on the line: sorting and the quantile merge (emd_1d, sliced_wasserstein) -------------
 * On the line, for any cost |x - y|^p with p >= 1, the monotone (north-west corner) coupling of
 * the sorted atoms is optimal, and W_p^p = int_0^1 |F^-1(q) - G^-1(q)|^p dq (Peyre & Cuturi 2019,
 * ch. 2.6). Merging the two cumulative weight sequences walks the breakpoints of both quantile
 * functions at once; between consecutive breakpoints both are constant, and each step moves the
 * mass of one interval between one pair of atoms, so the plan has at most n + m - 1 entries. */

/* v[0..n) by key, stably (tmp holds n more): equal keys keep their order, so the plan is the same
 * on every run. */
SNRT_STABLE_SORT(sort_keyed, SnOtKeyed)

static inline double ground_cost(double d, double p) {
  d = fabs(d);
  if (p == 1) return d;
  if (p == 2) return d * d;
  return pow(d, p);
}

double snrt_ot_merge_1d(const SnOtKeyed *xs, const double *wa, int64_t n, const SnOtKeyed *ys,
                        const double *wb, int64_t m, double p, SnOtTriplet *t, int64_t *k) {
  double ta = 0, tb = 0;
  for (int64_t i = 0; i < n; i++) ta += wa[i];
  for (int64_t j = 0; j < m; j++) tb += wb[j];
  double top = fmax(ta, tb), total = 0, q = 0;
  int64_t i = 0, j = 0, nk = 0;
  double ca = n == 1 ? top : wa[0], cb = m == 1 ? top : wb[0];
  for (;;) {
    double next = ca < cb ? ca : cb, mass = next - q;
    if (mass > 0) {
      total += mass * ground_cost(xs[i].key - ys[j].key, p);
      if (t) t[nk++] = (SnOtTriplet){xs[i].idx, ys[j].idx, mass};
    }
    q = next;
    int adv_a = ca == next, adv_b = cb == next;
    if (adv_a && ++i == n) break;
    if (adv_b && ++j == m) break;
    if (adv_a) ca = i == n - 1 ? top : ca + wa[i];
    if (adv_b) cb = j == m - 1 ? top : cb + wb[j];
  }
  if (k) *k = nk;
  return total;
}

void snrt_ot_sort_measure(const double *pos, int64_t n, const double *w, double scale,
                          SnOtKeyed *buf, double *ws) {
  for (int64_t i = 0; i < n; i++) buf[i] = (SnOtKeyed){pos[i], i};
  sort_keyed(buf, buf + n, n);
  for (int64_t i = 0; i < n; i++) ws[i] = (w ? w[buf[i].idx] : 1.0 / (double)n) * scale;
}

/* --- tensor arguments ----------------------------------------------------------------------- */

const double *snrt_ot_as_f64(const char *fn, const char *name, const SnTensor *t, int64_t rank,
                             SnTensor **hold) {
  *hold = NULL;
  if (t->rank != rank) {
    sn_error_set("%s: %s must be a %s (rank %lld), not rank %lld", fn, name,
                 rank == 1 ? "vector" : "matrix", (long long)rank, (long long)t->rank);
    return NULL;
  }
  if (t->dtype == SN_BOOL) {
    sn_error_set("%s: %s holds bool values; it needs numbers", fn, name);
    return NULL;
  }
  if (t->dtype == SN_F64 && sn_tensor_is_contiguous(t)) return t->data;
  SnTensor *c = sn_tensor_copy(t);
  *hold = c ? sn_tensor_astype(c, SN_F64) : NULL;
  sn_tensor_release(c);
  return *hold ? (*hold)->data : NULL;
}

SnStatus snrt_ot_size_match(const char *fn, const char *what_a, int64_t na, const char *what_b,
                            int64_t nb) {
  if (na == nb) return 0;
  return sn_error_set("%s: size mismatch: %s is %lld but %s is %lld", fn, what_a, (long long)na,
                      what_b, (long long)nb);
}

SnTensor *snrt_ot_start_potential(const char *fn, const char *name, const char *length,
                                  const SnTensor *t, int64_t len, const char *what) {
  SnTensor *hold = NULL, *out = NULL;
  const double *v = NULL;
  if (t && (!(v = snrt_ot_as_f64(fn, name, t, 1, &hold)) ||
            snrt_ot_size_match(fn, length, t->shape[0], what, len)))
    goto done;
  int64_t shape[1] = {len};
  if ((out = sn_tensor_zeros(SN_F64, 1, shape)) && v)
    memcpy(out->data, v, (size_t)len * sizeof *v);
done:
  sn_tensor_release(hold);
  return out;
}

/* --- results ------------------------------------------------------------------------------- */

void snrt_ot_set_support(SnResult *r, int32_t k, SnOtSparsePlan *plan) {
  sn_result_set_tensor(r, k, "support.rows", plan->rows);
  sn_result_set_tensor(r, k + 1, "support.cols", plan->cols);
  sn_result_set_tensor(r, k + 2, "support.mass", plan->mass);
  *plan = (SnOtSparsePlan){0};
}
