/* test_mathfn.c: sinter's inline exp and log (runtime/mathfn.c) against libm, in ulps, over
 * normal, subnormal and special inputs. */
#include "check.h"
#include "sinter.h"

#include <float.h>
#include <stdint.h>

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

/* The summand variants (x <= 0, the result added to a sum >= 1) are within 1 ulp (f64) and
 * 2 ulp (f32) wherever the result is a normal number, and stay tiny below. */
TEST(summand_exp_within_1_ulp) {
  double worst64 = 0, at64 = 0, worst32 = 0, at32 = 0;
  for (int i = 0; i < 2000000; i++) {
    double y = draw(-708.3, 0);
    double u = ulps64(sn_exp_summand(y), expl(y));
    if (u > worst64) worst64 = u, at64 = y;
    float x = (float)draw(-87.3, 0);
    u = ulps32(sn_expf_summand(x), expl(x));
    if (u > worst32) worst32 = u, at32 = x;
  }
  if (!(worst64 <= 1.0)) FAIL_AT("f64: worst %.3f ulp at x = %.17g", worst64, at64);
  if (!(worst32 <= 2.0)) FAIL_AT("f32: worst %.3f ulp at x = %.9g", worst32, at32);
  CHECK(sn_expf_summand(-1000.0f) <= 2 * FLT_MIN && sn_expf_summand(-1000.0f) >= 0);
  CHECK(sn_expf_summand(-INFINITY) <= 2 * FLT_MIN && sn_exp_summand(-INFINITY) <= 2 * DBL_MIN);
  CHECK(sn_expf_summand(NAN) <= 2 * FLT_MIN && sn_exp_summand(NAN) <= 2 * DBL_MIN);
  CHECK(sn_expf_summand(0) == 1 && sn_exp_summand(0) == 1);
}
