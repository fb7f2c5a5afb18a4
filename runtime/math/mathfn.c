/* mathfn.c: the scalar functions generated code and the interpreter share: integer powers, and
 * exp and log as straight-line code with no table lookups, so that generated code can compute
 * them inline in vectorised loops. codegen_llvm.c emits exactly these operation sequences (same
 * constants from sinter/mathpoly.h, same fused multiply-adds), and the interpreter calls these
 * functions, so both agree bit for bit. Accuracy (tests/runtime/test_mathfn.c
 * measures it against long double references): f64 exp 0.7 ulp, f64 log 1 ulp, f32 both 2 ulp.
 *   exp: x = n ln2 + r, |r| <= ln2/2 (Cody-Waite), exp(r) by a polynomial, times 2^n built from
 *        exponent bits in two halves so that subnormal and overflowing results come out right.
 *        In f64 the last steps carry the rounding errors of r and of 1 + q (q = exp(r) - 1)
 *        as a second word, so results are within 0.7 ulp (most are correctly rounded); f32
 *        keeps the plain sequence (within 2 ulp), where speed matters more.
 *   log: x = m 2^e; f32 uses the Cephes logf polynomial in m-1; f64 follows fdlibm's e_log.c:
 *        with f = m - 1 (exact) and s = f/(2+f), log(1+f) = f - (hfsq - s (hfsq + R)), where
 *        hfsq = f^2/2 and R = 2 z (1/3 + z/5 + ... + z^10/23), z = s^2 (the atanh series);
 *        the exact leading f keeps the error under 1 ulp. */
#include "math/rt_math.h"
#include "sinter/mathpoly.h"

#include <math.h>

/* The clamps send a NaN to the low bound (a comparison with NaN is false), which keeps the
 * integer conversion below defined; the last line returns the NaN itself. */
float sn_expf(float x) {
  float xc = x > SN_EXPF_LO ? x : SN_EXPF_LO;
  xc = xc < SN_EXPF_HI ? xc : SN_EXPF_HI;
  float n = rintf(xc * SN_EXPF_LOG2E);
  float r = fmaf(n, SN_EXPF_LN2_HI, xc);
  r = fmaf(n, SN_EXPF_LN2_LO, r);
  float p = sn_expf_poly[0];
  for (int i = 1; i < 6; i++) p = fmaf(p, r, sn_expf_poly[i]);
  float y = fmaf(p, r * r, r) + 1.0f;
  int32_t ni = (int32_t)n;
  int32_t n1 = ni >> 1, n2 = ni - n1;
  float s1 = sn_f32_from((uint32_t)(n1 + 127) << 23), s2 = sn_f32_from((uint32_t)(n2 + 127) << 23);
  float res = (y * s1) * s2;
  return x != x ? x : res;
}

double sn_exp(double x) {
  double xc = x > SN_EXP_LO ? x : SN_EXP_LO;
  xc = xc < SN_EXP_HI ? xc : SN_EXP_HI;
  double n = rint(xc * SN_EXP_LOG2E);
  double rh = fma(n, SN_EXP_LN2_HI, xc); /* exact */
  double r = fma(n, SN_EXP_LN2_LO, rh);
  double e = fma(n, SN_EXP_LN2_LO, rh - r); /* r's rounding error; rh - r is exact */
  double p = sn_exp_poly[0];
  for (int i = 1; i < 12; i++) p = fma(p, r, sn_exp_poly[i]);
  double t = (r * r) * p;
  double qh = r + t, ql = (r - qh) + t; /* q = exp(r) - 1 as qh + ql (|t| <= |r|) */
  double hi = 1.0 + qh;
  double lo = ((1.0 - hi) + qh) + (ql + e); /* 1 - hi is exact since |qh| < 1 */
  double y = hi + lo;
  int64_t ni = (int64_t)n;
  int64_t n1 = ni >> 1, n2 = ni - n1;
  double s1 = sn_f64_from((uint64_t)(n1 + 1023) << 52), s2 = sn_f64_from((uint64_t)(n2 + 1023) << 52);
  double res = (y * s1) * s2;
  return x != x ? x : res;
}

float sn_logf(float x) {
  /* Subnormals are scaled into the normal range first. */
  int sub = x < SN_LOGF_MIN_NORMAL;
  float xs = sub ? x * SN_LOGF_SUBNORMAL_SCALE : x;
  float eadj = sub ? -23.0f : 0.0f;
  uint32_t b = sn_f32_bits(xs);
  float e = (float)((int32_t)((b >> 23) & 0xff) - 126) + eadj;
  float m = sn_f32_from((b & 0x807fffffu) | 0x3f000000u); /* [0.5, 1) */
  int small = m < SN_LOGF_SQRTHF;
  e = small ? e - 1.0f : e;
  m = small ? (m + m) - 1.0f : m - 1.0f;
  float z = m * m;
  float p = sn_logf_poly[0];
  for (int i = 1; i < 9; i++) p = fmaf(p, m, sn_logf_poly[i]);
  float y = (p * m) * z;
  y = fmaf(e, SN_LOGF_LN2_LO, y);
  y = fmaf(z, -0.5f, y);
  float res = fmaf(e, SN_LOGF_LN2_HI, m + y);
  res = x == 0.0f ? -INFINITY : res;
  res = x == INFINITY ? x : res;
  res = x < 0.0f ? NAN : res;
  return x != x ? x : res;
}

double sn_log(double x) {
  int sub = x < SN_LOG_MIN_NORMAL;
  double xs = sub ? x * SN_LOG_SUBNORMAL_SCALE : x;
  double eadj = sub ? -52.0 : 0.0;
  uint64_t b = sn_f64_bits(xs);
  double e = (double)((int64_t)((b >> 52) & 0x7ff) - 1023) + eadj;
  double m = sn_f64_from((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull); /* [1, 2) */
  int big = m > SN_LOG_SQRT2;
  e = big ? e + 1.0 : e;
  m = big ? m * 0.5 : m;
  double f = m - 1.0;
  double s = f / (2.0 + f);
  double z = s * s;
  double p = sn_log_poly[0];
  for (int i = 1; i < 11; i++) p = fma(p, z, sn_log_poly[i]);
  double R = (z + z) * p;
  double hfsq = 0.5 * f * f;
  double res = e * SN_LOG_LN2_HI - ((hfsq - (s * (hfsq + R) + e * SN_LOG_LN2_LO)) - f);
  res = x == 0.0 ? -INFINITY : res;
  res = x == INFINITY ? x : res;
  res = x < 0.0 ? NAN : res;
  return x != x ? x : res;
}

/* Square and multiply in uint64_t, where overflow wraps as the language's integers do. */
int64_t sn_ipow(int64_t base, int64_t exponent) {
  uint64_t result = 1, b = (uint64_t)base;
  while (exponent > 0) {
    if (exponent & 1) result *= b;
    b *= b;
    exponent >>= 1;
  }
  return (int64_t)result;
}
