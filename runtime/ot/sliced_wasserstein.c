/* sliced_wasserstein.c: the builtin sliced_wasserstein, the sliced Wasserstein distance over
 * seeded random directions, each a transport on the line (runtime/ot/common.c). */
#include "ot/rt_ot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- sliced Wasserstein ------------------------------------------------------------------------
 * SW_p = (E_theta W_p^p(theta#mu, theta#nu))^(1/p) over directions theta uniform on the sphere
 * (Bonneel et al. 2015), estimated by averaging over seeded directions as POT's
 * sliced_wasserstein_distance does. */

SnStatus sn_ot_sliced_wasserstein_directions(uint64_t seed, int64_t nproj, int64_t d, double *out) {
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
  SnOtKeyed *k = malloc(2 * (size_t)(n + m) * sizeof *k);
  if (!px || !w || !k) {
    free(px);
    free(w);
    free(k);
    return sn_error_set("sliced_wasserstein: out of memory");
  }
  double *py = px + n;
  SnOtKeyed *kx = k, *ky = k + 2 * n;
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
    snrt_ot_sort_measure(px, n, j->a, 1, kx, w);
    snrt_ot_sort_measure(py, m, j->b, j->ratio, ky, w + n);
    j->wpp[q] = snrt_ot_merge_1d(kx, w, n, ky, w + n, m, j->p, NULL, NULL);
  }
  free(px);
  free(w);
  free(k);
  return 0;
}

SnStatus sn_ot_sliced_wasserstein_f64(int64_t n, int64_t m, int64_t d, const double *X, const double *Y,
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
  if (snrt_ot_check_p(fn, p) || snrt_ot_check_finite(fn, "X", X, n, d) ||
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
  if (!dirs && (st = sn_ot_sliced_wasserstein_directions(seed, nproj, d, own))) goto done;
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

SnStatus sn_ot_sliced_wasserstein(const SnTensor *X, const SnTensor *Y, const SnTensor *a, const SnTensor *b,
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
  st = sn_ot_sliced_wasserstein_f64(X->shape[0], Y->shape[0], X->shape[1], pX, pY, pa, pb, nproj, pd, seed, p,
                        out);
done:
  sn_tensor_release(hX);
  sn_tensor_release(hY);
  sn_tensor_release(ha);
  sn_tensor_release(hb);
  sn_tensor_release(hd);
  return st;
}

/* --- the call from generated code --------------------------------------------------------- */

SnResult *sn_ot_sliced_wasserstein_call(const char *where, const SnTensor *X, const SnTensor *Y,
                                        const SnTensor *a, const SnTensor *b, int64_t nproj, int64_t seed,
                                        double p) {
  SnResult *r = sn_result_new(1);
  if (!r) return sn_result_failed(where, NULL);
  double distance;
  if (sn_ot_sliced_wasserstein(X, Y, a, b, nproj, NULL, (uint64_t)seed, p, &distance))
    return sn_result_failed(where, r);
  sn_result_set_f64(r, 0, "distance", distance);
  return r;
}
