/* test_mathfn.c: sinter's inline exp and log (runtime/math/mathfn.c) against libm, in ulps, over
 * normal, subnormal and special inputs, and the lse tile's sum of exps (runtime/math/expsum.c). */
#include "check.h"
#include "math/rt_math.h"

#include <float.h>
#include <stdint.h>
#include <string.h>

/* Distance from the exact value `want` in units in the last place of the result's type. */
static double ulps(long double got, long double want, int mant_bits, int min_exp) {
  if (got == want) return 0;
  if (isnan(got) && isnan(want)) return 0;
  if (isinf(want) || isinf(got)) return INFINITY;
  int e;
  frexpl(want, &e);
  long double ulp = ldexpl(1.0L, (e - mant_bits < min_exp ? min_exp : e - mant_bits));
  return (double)(fabsl(got - want) / ulp);
}

static double ulps64(double got, long double want) { return ulps(got, want, 53, -1074); }
static double ulps32(float got, long double want) { return ulps(got, want, 24, -149); }

/* A deterministic sweep: xorshift to draw values in [lo, hi). */
static uint64_t state = 88172645463325252ull;
static double draw(double lo, double hi) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return lo + (hi - lo) * (double)(state >> 11) * 0x1.0p-53;
}

TEST(exp_f64_within_0_7_ulp) {
  double worst = 0, at = 0;
  for (int i = 0; i < 2000000; i++) {
    double x = draw(-708, 709.7); /* normal results; subnormal ones are checked below */
    double u = ulps64(sn_exp(x), expl(x));
    if (u > worst) worst = u, at = x;
  }
  if (!(worst <= 0.7)) FAIL_AT("worst %.3f ulp at x = %.17g", worst, at);
}

TEST(exp_f32_within_2_ulp) {
  double worst = 0, at = 0;
  for (int i = 0; i < 2000000; i++) {
    float x = (float)draw(-103, 88.7);
    double u = ulps32(sn_expf(x), expl(x));
    if (u > worst) worst = u, at = x;
  }
  if (!(worst <= 2.0)) FAIL_AT("worst %.3f ulp at x = %.9g", worst, at);
}

TEST(exp_f64_subnormal_results_within_1_ulp) {
  double worst = 0, at = 0;
  for (int i = 0; i < 200000; i++) {
    double x = draw(-745, -708);
    double u = ulps64(sn_exp(x), expl(x));
    if (u > worst) worst = u, at = x;
  }
  if (!(worst <= 1.0)) FAIL_AT("worst %.3f ulp at x = %.17g", worst, at);
}

TEST(log_f64_within_1_ulp) {
  double worst = 0, at = 0;
  for (int i = 0; i < 2000000; i++) {
    double x = exp(draw(-700, 700));
    double u = ulps64(sn_log(x), logl(x));
    if (u > worst) worst = u, at = x;
  }
  /* near 1 the result is small: relative accuracy matters most there */
  for (int i = 0; i < 200000; i++) {
    double x = 1 + draw(-0.01, 0.01);
    double u = ulps64(sn_log(x), logl(x));
    if (u > worst) worst = u, at = x;
  }
  if (!(worst <= 1.0)) FAIL_AT("worst %.3f ulp at x = %.17g", worst, at);
}

TEST(log_f32_within_2_ulp) {
  double worst = 0, at = 0;
  for (int i = 0; i < 2000000; i++) {
    float x = (float)exp(draw(-87, 88));
    double u = ulps32(sn_logf(x), logl(x));
    if (u > worst) worst = u, at = x;
  }
  if (!(worst <= 2.0)) FAIL_AT("worst %.3f ulp at x = %.9g", worst, at);
}

TEST(special_values) {
  CHECK(sn_exp(0) == 1 && sn_expf(0) == 1);
  CHECK(sn_exp(710) == INFINITY && sn_expf(89) == INFINITY);
  CHECK(sn_exp(-INFINITY) == 0 && sn_expf(-INFINITY) == 0);
  CHECK(sn_exp(INFINITY) == INFINITY && sn_expf(INFINITY) == INFINITY);
  CHECK(isnan(sn_exp(NAN)) && isnan(sn_expf(NAN)));
  CHECK(sn_log(0) == -INFINITY && sn_logf(0) == -INFINITY);
  CHECK(sn_log(INFINITY) == INFINITY && sn_logf(INFINITY) == INFINITY);
  CHECK(isnan(sn_log(-1)) && isnan(sn_logf(-1)) && isnan(sn_log(NAN)));
  CHECK(sn_log(1) == 0 && sn_logf(1) == 0);
  /* subnormal inputs and results */
  CHECK(ulps64(sn_log(4.9406564584124654e-324), logl(4.9406564584124654e-324)) <= 1);
  CHECK(ulps32(sn_logf(1e-45f), logl(1e-45f)) <= 2);
  CHECK(ulps64(sn_exp(-740), expl(-740)) <= 1);
  CHECK(ulps32(sn_expf(-100), expl(-100.0L)) <= 2);
  CHECK(sn_exp(1.0) == 2.718281828459045);
}

/* One lse tile's sum of exp(v - max) (runtime/math/expsum.c). A tile of one value is that term:
 * within 1.25 ulp (f64; the table's rounding plus the last step's) and 1.1 ulp (f32) down to
 * the clamps, exp(-600) and exp(-64), and that value below them. */
TEST(expsum_terms_within_1_25_ulp) {
  double worst64 = 0, at64 = 0, worst32 = 0, at32 = 0;
  for (int i = 0; i < 2000000; i++) {
    double y = draw(-600, 0);
    double u = ulps64(sn_expsum(&y, 1, 0.0), expl(y));
    if (u > worst64) worst64 = u, at64 = y;
    float x = (float)draw(-64, 0);
    u = ulps32(sn_expsumf(&x, 1, 0.0f), expl(x));
    if (u > worst32) worst32 = u, at32 = x;
  }
  if (!(worst64 <= 1.25)) FAIL_AT("f64: worst %.3f ulp at x = %.17g", worst64, at64);
  if (!(worst32 <= 1.1)) FAIL_AT("f32: worst %.3f ulp at x = %.9g", worst32, at32);
  float lowf[3] = {-1000.0f, -INFINITY, NAN};
  double low[3] = {-1000.0, -INFINITY, NAN};
  for (int i = 0; i < 3; i++) {
    float ef = sn_expsumf(&lowf[i], 1, 0.0f);
    double e = sn_expsum(&low[i], 1, 0.0);
    CHECK(ulps32(ef, expl(-64.0L)) <= 1.1 && ulps64(e, expl(-600.0L)) <= 1.25);
  }
  float zf = 0;
  double z = 0;
  CHECK(sn_expsumf(&zf, 1, 0.0f) == 1 && sn_expsum(&z, 1, 0.0) == 1);
}

/* Whole tiles, every length from 0 to 300 and some long ones (the vector kernel's main loop,
 * whole groups and masked tails): the sum against long double, and the vector kernel equal
 * bit for bit to the one-element-at-a-time version used without AVX-512. */
TEST(expsum_tiles_match_long_double_and_portable) {
  enum { N = 2100 };
  static double v[N];
  static float vf[N];
  int lens[] = {1000, 2047, 2048, N};
  for (int t = 0; t < 301 + 4; t++) {
    int64_t n = t < 301 ? t : lens[t - 301];
    double m = draw(-50, 50);
    for (int64_t i = 0; i < n; i++) {
      v[i] = m - draw(0, 40) * draw(0, 1);
      vf[i] = (float)v[i];
    }
    if (n > 0) v[n / 2] = m, vf[n / 2] = (float)m;
    long double want = 0, wantf = 0;
    for (int64_t i = 0; i < n; i++) want += expl((long double)v[i] - m), wantf += expl((long double)vf[i] - (float)m);
    double got = sn_expsum(v, n, m);
    float gotf = sn_expsumf(vf, n, (float)m);
    /* each term within 1 ulp, then about n/32 (f64) or n/64 (f32) additions per lane */
    double tol64 = (4.0 + (double)n / 32) * DBL_EPSILON, tol32 = (4.0 + (double)n / 64) * FLT_EPSILON;
    if (!(fabsl(got - want) <= tol64 * want)) FAIL_AT("f64, n = %lld: %.17g, want %.17Lg", (long long)n, got, want);
    if (!(fabsl(gotf - wantf) <= tol32 * wantf)) FAIL_AT("f32, n = %lld: %.9g, want %.9Lg", (long long)n, gotf, wantf);
    double port = snrt_expsum_portable(v, n, m);
    float portf = snrt_expsumf_portable(vf, n, (float)m);
    if (memcmp(&port, &got, sizeof got) != 0) FAIL_AT("f64, n = %lld: portable %.17g, kernel %.17g", (long long)n, port, got);
    if (memcmp(&portf, &gotf, sizeof gotf) != 0) FAIL_AT("f32, n = %lld: portable %.9g, kernel %.9g", (long long)n, portf, gotf);
  }
}
