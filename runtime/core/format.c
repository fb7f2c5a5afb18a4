/* format.c: the shortest decimal text that reads back as the same value in its own format (f64,
 * f32, f16, bf16), laid out as Python's repr, for print() and for messages. */
#include "core/rt_core.h"

#include <fenv.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A binary floating-point format: significand bits (with the implicit one), the smallest normal
 * exponent, the largest finite value. */
typedef struct FloatFormat {
  int bits, emin;
  double max;
} FloatFormat;

static const FloatFormat f16_format = {11, -14, 65504.0};
static const FloatFormat bf16_format = {8, -126, 3.3895313892515355e38};
static const FloatFormat f32_format = {24, -126, 3.4028234663852886e38};
static const FloatFormat f64_format = {53, -1022, 1.7976931348623157e308};

/* d rounded to nearest (ties to even) in format f, computed exactly in double (f not f64). */
static double round_to(double d, const FloatFormat *f) {
  if (d == 0 || !isfinite(d)) return d;
  int e;
  frexp(d, &e); /* |d| is in [2^(e-1), 2^e) */
  int ulp = (e - 1 < f->emin ? f->emin : e - 1) - (f->bits - 1);
  double r = ldexp(rint(ldexp(d, -ulp)), ulp);
  return fabs(r) > f->max ? copysign(INFINITY, d) : r;
}

/* Does the decimal text s read back as v in format f? strtod is correctly rounded, which settles
 * f64. For a narrower format s is parsed rounding down and rounding up: the two doubles bracket
 * its exact value, so when both round to v, s does (the double nearest s could sit on the
 * midpoint of two values of f when s does not, and round to the wrong one). */
static bool reads_back(const char *s, double v, const FloatFormat *f) {
  if (f == &f64_format) return strtod(s, NULL) == v;
  int mode = fegetround();
  fesetround(FE_DOWNWARD);
  double lo = strtod(s, NULL);
  fesetround(FE_UPWARD);
  double hi = strtod(s, NULL);
  fesetround(mode);
  return round_to(lo, f) == v && round_to(hi, f) == v;
}

/* A positive decimal d.ddd x 10^exp: its n significant digits, without the point. */
typedef struct Decimal {
  char digits[24];
  int n, exp;
} Decimal;

static Decimal decimal_parse(const char *sci) {
  Decimal d = {.n = 0};
  const char *p = sci;
  for (; *p != 'e'; p++)
    if (*p != '.') d.digits[d.n++] = *p;
  d.digits[d.n] = 0;
  d.exp = atoi(p + 1);
  return d;
}

static void decimal_text(const Decimal *d, char *s, size_t size) {
  snprintf(s, size, "%c%s%se%d", d->digits[0], d->n > 1 ? "." : "", d->digits + 1, d->exp);
}

/* d plus or minus (dir) one unit in its last digit; false when that leaves nothing (1 - 1). */
static bool decimal_step(Decimal *d, int dir) {
  int i = d->n - 1;
  if (dir > 0) {
    while (i >= 0 && d->digits[i] == '9') d->digits[i--] = '0';
    if (i >= 0) {
      d->digits[i]++;
    } else { /* 999 + 1 = 1000: one more power of ten */
      d->digits[0] = '1';
      d->exp++;
    }
    return true;
  }
  while (i >= 0 && d->digits[i] == '0') d->digits[i--] = '9';
  if (i < 0) return false; /* zero: never the case for the nonzero values stepped */
  d->digits[i]--;
  if (d->digits[0] != '0') return true;
  if (d->n == 1) return false;
  memmove(d->digits, d->digits + 1, (size_t)d->n); /* 1000 - 1 = 0999: 999, a power of ten less */
  d->n--;
  d->exp--;
  return true;
}

/* The fewest significant digits that read back as v in its own format f, the nearest to v when
 * several do (as Python's repr and NumPy's Dragon4 choose), laid out as Python's repr: positional
 * for exponents -4 to 15, scientific outside. */
static int format_shortest(char *buf, double v, const FloatFormat *f) {
  if (isnan(v)) return sprintf(buf, "nan");
  if (isinf(v)) return sprintf(buf, v < 0 ? "-inf" : "inf");
  char sci[40];
  Decimal d = {.n = 0};
  for (int p = 1; p <= 17; p++) {
    snprintf(sci, sizeof sci, "%.*e", p - 1, fabs(v));
    d = decimal_parse(sci);
    if (reads_back(sci, fabs(v), f)) break;
    /* the nearest p digits fall outside v's rounding interval; next to a power of two the
     * interval is lopsided, and the p digits one unit further on its wide side may fall in it */
    bool found = false;
    for (int dir = -1; dir <= 1 && !found; dir += 2) {
      Decimal e = d;
      if (!decimal_step(&e, dir)) continue;
      decimal_text(&e, sci, sizeof sci);
      if (reads_back(sci, fabs(v), f)) d = e, found = true;
    }
    if (found) break;
  }
  while (d.n > 1 && d.digits[d.n - 1] == '0') d.digits[--d.n] = 0;
  int k = 0;
  if (signbit(v)) buf[k++] = '-';
  if (d.exp < -4 || d.exp >= 16) {
    k += sprintf(buf + k, "%c%s%se%c%02d", d.digits[0], d.n > 1 ? "." : "", d.digits + 1, d.exp < 0 ? '-' : '+',
                 abs(d.exp));
  } else if (d.exp >= 0) {
    for (int i = 0; i <= d.exp; i++) buf[k++] = i < d.n ? d.digits[i] : '0';
    k += sprintf(buf + k, ".%s", d.n > d.exp + 1 ? d.digits + d.exp + 1 : "0");
  } else {
    k += sprintf(buf + k, "0.%.*s%s", -d.exp - 1, "0000", d.digits);
  }
  return k;
}

int sn_format_f64(char *buf, double v) { return format_shortest(buf, v, &f64_format); }

int sn_format_f32(char *buf, float v) { return format_shortest(buf, (double)v, &f32_format); }

int sn_format_f16(char *buf, float v) { return format_shortest(buf, (double)v, &f16_format); }

int sn_format_bf16(char *buf, float v) { return format_shortest(buf, (double)v, &bf16_format); }
