/* sliced.c: exact transport on the line (W_p by merging quantile functions, with its monotone
 * plan) and sliced Wasserstein distances over seeded random directions. */
#include "ot/rt_ot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An error unless p, the exponent of the ground cost |x - y|^p, is finite and >= 1. */
static SnStatus check_p(const char *fn, double p) {
  if (!(p >= 1) || !isfinite(p))
    return sn_error_set("%s: p = %g, but p must be finite and >= 1", fn, p);
  return 0;
}

/* --- 1-D: sorting and the quantile merge ------------------------------------------------------
 * On the line, for any cost |x - y|^p with p >= 1, the monotone (north-west corner) coupling of
 * the sorted atoms is optimal, and W_p^p = int_0^1 |F^-1(q) - G^-1(q)|^p dq (Peyre & Cuturi 2019,
 * ch. 2.6). Merging the two cumulative weight sequences walks the breakpoints of both quantile
 * functions at once; between consecutive breakpoints both are constant, and each step moves the
 * mass of one interval between one pair of atoms, so the plan has at most n + m - 1 entries. */

typedef struct Keyed {
  double key;
  int64_t idx;
} Keyed;

/* v[0..n) by key, stably (tmp holds n more): equal keys keep their order, so the plan is the same
 * on every run. */
SNRT_STABLE_SORT(sort_keyed, Keyed)

static inline double ground_cost(double d, double p) {
  d = fabs(d);
  if (p == 1) return d;
  if (p == 2) return d * d;
  return pow(d, p);
}

/* W_p^p between sum_i wa_i delta(xs_i) and sum_j wb_j delta(ys_j), both sorted by position, of
 * equal total up to rounding: the last atom of each reaches the larger computed total, so the
 * last interval is not lost to rounding (POT's quantile functions clip there the same way).
 * With t non-NULL, the plan's entries, in the atoms' original indices, go to t[0..*k). */
static double merge_1d(const Keyed *xs, const double *wa, int64_t n, const Keyed *ys,
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

/* Sorts the atoms of one measure, positions pos[0..n) with weights w (NULL: uniform) times
 * `scale`, into buf (which holds 2n) and their weights in that order into ws. */
static void sort_measure(const double *pos, int64_t n, const double *w, double scale, Keyed *buf,
                         double *ws) {
  for (int64_t i = 0; i < n; i++) buf[i] = (Keyed){pos[i], i};
  sort_keyed(buf, buf + n, n);
  for (int64_t i = 0; i < n; i++) ws[i] = (w ? w[buf[i].idx] : 1.0 / (double)n) * scale;
}

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
  if (check_p(fn, p) || snrt_ot_check_finite(fn, "x", x, n, 1) ||
      snrt_ot_check_finite(fn, "y", y, m, 1) || snrt_ot_check_weights(fn, "a", a, n, &sa) ||
      snrt_ot_check_weights(fn, "b", b, m, &sb) || snrt_ot_mass_ratio(fn, sa, sb, &ratio))
    return 1;
  Keyed *kx = malloc(2 * (size_t)n * sizeof *kx), *ky = malloc(2 * (size_t)m * sizeof *ky);
  double *wa = malloc((size_t)n * sizeof *wa), *wb = malloc((size_t)m * sizeof *wb);
  SnOtTriplet *t = plan ? malloc((size_t)(n + m) * sizeof *t) : NULL;
  SnStatus st = 0;
  if (!kx || !ky || !wa || !wb || (plan && !t)) {
    st = sn_error_set("%s: out of memory", fn);
  } else {
    sort_measure(x, n, a, 1, kx, wa);
    sort_measure(y, m, b, ratio, ky, wb);
    int64_t k = 0;
    *cost = merge_1d(kx, wa, n, ky, wb, m, p, t, &k);
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

/* --- sliced Wasserstein ------------------------------------------------------------------------
 * SW_p = (E_theta W_p^p(theta#mu, theta#nu))^(1/p) over directions theta uniform on the sphere
 * (Bonneel et al. 2015), estimated by averaging over seeded directions as POT's
 * sliced_wasserstein_distance does. */

SnStatus sn_ot_sliced_directions(uint64_t seed, int64_t nproj, int64_t d, double *out) {
  if (nproj < 1 || d < 1)
    return sn_error_set("sliced_wasserstein: %lld directions in dimension %lld; both must be >= 1",
                        (long long)nproj, (long long)d);
  /* Direction k is elements [k d, (k + 1) d) of one normal draw, normalised: the same on any
   * thread count. A standard normal vector's direction is uniform on the sphere. */
  SnRng r = sn_rng(seed);
  for (int64_t k = 0; k < nproj; k++) {
    double *v = out + k * d, s = 0;
    sn_rng_normal_f64(r, k * d, d, v);
    for (int64_t i = 0; i < d; i++) s += v[i] * v[i];
    /* An all-zero draw has probability 0; the first axis stands in so the result stays defined. */
    if (s == 0) v[0] = s = 1;
    s = 1 / sqrt(s);
    for (int64_t i = 0; i < d; i++) v[i] *= s;
  }
  return 0;
}

typedef struct SlicedJob {
  int64_t n, m, d;
  const double *X, *Y, *a, *b, *dirs;
  double ratio, p;
  double *wpp; /* [nproj] W_p^p along each direction */
} SlicedJob;

/* Directions [lo, hi): project both clouds, sort, merge. */
static int32_t sliced_chunk(void *ctx, int64_t chunk, int64_t lo, int64_t hi) {
  (void)chunk;
  const SlicedJob *j = ctx;
  int64_t n = j->n, m = j->m, d = j->d;
  double *px = malloc((size_t)(n + m) * sizeof *px), *w = malloc((size_t)(n + m) * sizeof *w);
  Keyed *k = malloc(2 * (size_t)(n + m) * sizeof *k);
  if (!px || !w || !k) {
    free(px);
    free(w);
    free(k);
    return sn_error_set("sliced_wasserstein: out of memory");
  }
  double *py = px + n;
  Keyed *kx = k, *ky = k + 2 * n;
  for (int64_t q = lo; q < hi; q++) {
    const double *th = j->dirs + q * d;
    for (int64_t i = 0; i < n; i++) {
      double s = 0;
      for (int64_t c = 0; c < d; c++) s += j->X[i * d + c] * th[c];
      px[i] = s;
    }
    for (int64_t i = 0; i < m; i++) {
      double s = 0;
      for (int64_t c = 0; c < d; c++) s += j->Y[i * d + c] * th[c];
      py[i] = s;
    }
    sort_measure(px, n, j->a, 1, kx, w);
    sort_measure(py, m, j->b, j->ratio, ky, w + n);
    j->wpp[q] = merge_1d(kx, w, n, ky, w + n, m, j->p, NULL, NULL);
  }
  free(px);
  free(w);
  free(k);
  return 0;
}

SnStatus sn_ot_sliced_f64(int64_t n, int64_t m, int64_t d, const double *X, const double *Y,
                          const double *a, const double *b, int64_t nproj, const double *dirs,
                          uint64_t seed, double p, double *out) {
  const char *fn = "sliced_wasserstein";
  if (n < 1 || m < 1 || d < 1)
    return sn_error_set("%s: X has %lld points and Y %lld, in dimension %lld; each must be >= 1",
                        fn, (long long)n, (long long)m, (long long)d);
  if (nproj < 1)
    return sn_error_set("%s: %lld projections; it needs at least one", fn, (long long)nproj);
  if (nproj > INT64_MAX / 16 / d || n > INT64_MAX / 16 / d || m > INT64_MAX / 16 / d)
    return sn_error_set("%s: %lld projections of %lld and %lld points in dimension %lld is too "
                        "large", fn, (long long)nproj, (long long)n, (long long)m, (long long)d);
  double sa = 1, sb = 1, ratio = 1;
  if (check_p(fn, p) || snrt_ot_check_finite(fn, "X", X, n, d) ||
      snrt_ot_check_finite(fn, "Y", Y, m, d) ||
      (dirs && snrt_ot_check_finite(fn, "the directions", dirs, nproj, d)) ||
      snrt_ot_check_weights(fn, "a", a, n, &sa) || snrt_ot_check_weights(fn, "b", b, m, &sb) ||
      snrt_ot_mass_ratio(fn, sa, sb, &ratio))
    return 1;
  double *own = dirs ? NULL : malloc((size_t)(nproj * d) * sizeof *own);
  double *wpp = malloc((size_t)nproj * sizeof *wpp);
  SnStatus st = 0;
  if ((!dirs && !own) || !wpp) {
    st = sn_error_set("%s: out of memory", fn);
    goto done;
  }
  if (!dirs && (st = sn_ot_sliced_directions(seed, nproj, d, own))) goto done;
  SlicedJob job = {n, m, d, X, Y, a, b, dirs ? dirs : own, ratio, p, wpp};
  if ((st = sn_parallel_for(nproj, sn_parallel_chunks(nproj, 1), sliced_chunk, &job))) goto done;
  /* Summed in direction order, so the value does not depend on the thread count. */
  double s = 0;
  for (int64_t q = 0; q < nproj; q++) s += wpp[q];
  *out = pow(s / (double)nproj, 1 / p);
done:
  free(own);
  free(wpp);
  return st;
}

SnStatus sn_ot_sliced(const SnTensor *X, const SnTensor *Y, const SnTensor *a, const SnTensor *b,
                      int64_t nproj, const SnTensor *dirs, uint64_t seed, double p, double *out) {
  const char *fn = "sliced_wasserstein";
  SnTensor *hX = NULL, *hY = NULL, *ha = NULL, *hb = NULL, *hd = NULL;
  const double *pX = NULL, *pY = NULL, *pa = NULL, *pb = NULL, *pd = NULL;
  SnStatus st = 1;
  if (!(pX = snrt_ot_as_f64(fn, "X", X, 2, &hX)) || !(pY = snrt_ot_as_f64(fn, "Y", Y, 2, &hY)))
    goto done;
  if (snrt_ot_size_match(fn, "the dimension of X", X->shape[1], "the dimension of Y", Y->shape[1]))
    goto done;
  if (a && (!(pa = snrt_ot_as_f64(fn, "a", a, 1, &ha)) ||
            snrt_ot_size_match(fn, "the length of a", a->shape[0], "the number of points in X",
                               X->shape[0])))
    goto done;
  if (b && (!(pb = snrt_ot_as_f64(fn, "b", b, 1, &hb)) ||
            snrt_ot_size_match(fn, "the length of b", b->shape[0], "the number of points in Y",
                               Y->shape[0])))
    goto done;
  if (dirs) {
    if (!(pd = snrt_ot_as_f64(fn, "the directions", dirs, 2, &hd)) ||
        snrt_ot_size_match(fn, "the dimension of the directions", dirs->shape[1],
                           "the dimension of X", X->shape[1]))
      goto done;
    nproj = dirs->shape[0];
  }
  st = sn_ot_sliced_f64(X->shape[0], Y->shape[0], X->shape[1], pX, pY, pa, pb, nproj, pd, seed, p,
                        out);
done:
  sn_tensor_release(hX);
  sn_tensor_release(hY);
  sn_tensor_release(ha);
  sn_tensor_release(hb);
  sn_tensor_release(hd);
  return st;
}

/* --- the calls from generated code --------------------------------------------------------- */

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

SnResult *sn_ot_sliced_call(const char *where, const SnTensor *X, const SnTensor *Y,
                            const SnTensor *a, const SnTensor *b, int64_t nproj, int64_t seed,
                            double p) {
  SnResult *r = sn_result_new(1);
  if (!r) return sn_result_failed(where, NULL);
  double distance;
  if (sn_ot_sliced(X, Y, a, b, nproj, NULL, (uint64_t)seed, p, &distance))
    return sn_result_failed(where, r);
  sn_result_set_f64(r, 0, "distance", distance);
  return r;
}
