/* emd_1d.c: the builtin emd_1d, exact transport on the line: W_p by merging the quantile
 * functions (runtime/ot/common.c), with its monotone plan. */
#include "ot/rt_ot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

SnStatus sn_ot_emd_1d_f64(int64_t n, int64_t m, const double *x, const double *y,
                          const double *a, const double *b, double p, double *cost,
                          SnOtSparsePlan *plan) {
  if (plan) memset(plan, 0, sizeof *plan);
  const char *fn = "emd_1d";
  if (n < 1 || m < 1)
    return sn_error_set("%s: x has %lld points and y %lld; each needs at least one", fn,
                        (long long)n, (long long)m);
  if (n > INT64_MAX / 64 || m > INT64_MAX / 64)
    return sn_error_set("%s: %lld and %lld points is too large", fn, (long long)n, (long long)m);
  double sa = 1, sb = 1, ratio = 1;
  if (snrt_ot_check_p(fn, p) || snrt_ot_check_finite(fn, "x", x, n, 1) ||
      snrt_ot_check_finite(fn, "y", y, m, 1) || snrt_ot_check_weights(fn, "a", a, n, &sa) ||
      snrt_ot_check_weights(fn, "b", b, m, &sb) || snrt_ot_mass_ratio(fn, sa, sb, &ratio))
    return 1;
  SnOtKeyed *kx = malloc(2 * (size_t)n * sizeof *kx), *ky = malloc(2 * (size_t)m * sizeof *ky);
  double *wa = malloc((size_t)n * sizeof *wa), *wb = malloc((size_t)m * sizeof *wb);
  SnOtTriplet *t = plan ? malloc((size_t)(n + m) * sizeof *t) : NULL;
  SnStatus st = 0;
  if (!kx || !ky || !wa || !wb || (plan && !t)) {
    st = sn_error_set("%s: out of memory", fn);
  } else {
    snrt_ot_sort_measure(x, n, a, 1, kx, wa);
    snrt_ot_sort_measure(y, m, b, ratio, ky, wb);
    int64_t k = 0;
    *cost = snrt_ot_merge_1d(kx, wa, n, ky, wb, m, p, t, &k);
    if (plan && snrt_ot_sparse_fill(plan, t, k)) {
      sn_ot_sparse_free(plan);
      st = 1;
    }
  }
  free(kx);
  free(ky);
  free(wa);
  free(wb);
  free(t);
  return st;
}

SnStatus sn_ot_emd_1d(const SnTensor *x, const SnTensor *y, const SnTensor *a, const SnTensor *b,
                      double p, double *cost, SnOtSparsePlan *plan) {
  const char *fn = "emd_1d";
  if (plan) memset(plan, 0, sizeof *plan);
  SnTensor *hx = NULL, *hy = NULL, *ha = NULL, *hb = NULL;
  const double *px = NULL, *py = NULL, *pa = NULL, *pb = NULL;
  SnStatus st = 1;
  if (!(px = snrt_ot_as_f64(fn, "x", x, 1, &hx)) || !(py = snrt_ot_as_f64(fn, "y", y, 1, &hy)))
    goto done;
  if (a && (!(pa = snrt_ot_as_f64(fn, "a", a, 1, &ha)) ||
            snrt_ot_size_match(fn, "the length of a", a->shape[0], "the number of points in x",
                               x->shape[0])))
    goto done;
  if (b && (!(pb = snrt_ot_as_f64(fn, "b", b, 1, &hb)) ||
            snrt_ot_size_match(fn, "the length of b", b->shape[0], "the number of points in y",
                               y->shape[0])))
    goto done;
  st = sn_ot_emd_1d_f64(x->shape[0], y->shape[0], px, py, pa, pb, p, cost, plan);
done:
  sn_tensor_release(hx);
  sn_tensor_release(hy);
  sn_tensor_release(ha);
  sn_tensor_release(hb);
  return st;
}

/* --- the call from generated code --------------------------------------------------------- */

SnResult *sn_ot_emd_1d_call(const char *where, const SnTensor *x, const SnTensor *y,
                            const SnTensor *a, const SnTensor *b, double p) {
  SnResult *r = sn_result_new(5);
  if (!r) return sn_result_failed(where, NULL);
  double cost;
  SnOtSparsePlan plan = {0};
  if (sn_ot_emd_1d(x, y, a, b, p, &cost, &plan)) return sn_result_failed(where, r);
  sn_result_set_f64(r, 0, "cost", cost);
  sn_result_set_f64(r, 1, "distance", pow(cost, 1 / p));
  snrt_ot_set_support(r, 2, &plan);
  return r;
}
