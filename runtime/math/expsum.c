/* expsum.c: the sum of exp(v[i] - m) over an lse tile, where m is the tile's maximum, so every
 * term is at most 1, one is exactly 1 and the sum is at least 1 (compiler/loops.c calls it for
 * each tile of `lse`; the interpreter calls the same function).
 *
 * Each term is exp(x), x = v[i] - m <= 0, by a table of 16 values:
 *   x = (16 q + j) ln2/16 + r, |r| <= ln2/32, k = 16 q + j from a shifter (1.5 2^52 added and
 *   subtracted), exp(x) = 2^q 2^(j/16) exp(r). The table holds the bits of 2^(j/16) less j << 48,
 *   so adding the shifted bits of k (k << 48 = q << 52 + j << 48) gives the bits of 2^(k/16)
 *   with no further step. exp(r) = 1 + r P(r): a near-minimax polynomial (Chebyshev fit,
 *   2.8e-17 relative in f64 and 4.7e-9 in f32 on the interval), of degree 6 in f64 and 3 in f32
 *   instead of 11 and 6 over |r| <= ln2/2. Each term is within 1.25 ulp (f64) or 1.1 ulp
 *   (f32). x is clamped at -600 (f64) or -64 (f32): smaller terms cannot change a sum of at
 *   least 1. NaN is clamped too: the tile's maximum carries it.
 *
 * With AVX-512 the table is two registers (f64) or one (f32) indexed by vpermi2pd/vpermps;
 * with AVX2 and FMA, a gather (f64) or two vpermd and a blend (f32); without either, the same
 * operations run one element at a time. Terms are added into 4
 * accumulators of one vector each, group g of 8 (16 in f32) elements into accumulator g mod 4,
 * and the accumulators and then their lanes are added in a fixed order, so both paths return
 * the same bits. */
#include "math/rt_math.h"

#include <math.h>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

/* f64: 2^(j/16) as bits less j << 48 */
static const uint64_t tab64[16] = {
    0x3ff0000000000000, 0x3fefb5586cf9890f, 0x3fef72b83c7d517b, 0x3fef387a6e756238,
    0x3fef06fe0a31b715, 0x3feedea64c123422, 0x3feebfdad5362a27, 0x3feeab07dd485429,
    0x3feea09e667f3bcd, 0x3feea11473eb0187, 0x3feeace5422aa0db, 0x3feec49182a3f090,
    0x3feee89f995ad3ad, 0x3fef199bdd85529c, 0x3fef5818dcfba487, 0x3fefa4afa2a490da};
/* f32: 2^(j/16) as bits less j << 19 */
static const uint32_t tab32[16] = {0x3f800000, 0x3f7daac3, 0x3f7b95c2, 0x3f79c3d3, 0x3f7837f0, 0x3f76f532,
                                   0x3f75fed7, 0x3f75583f, 0x3f7504f3, 0x3f7508a4, 0x3f75672a, 0x3f76248c,
                                   0x3f7744fd, 0x3f78ccdf, 0x3f7ac0c7, 0x3f7d257d};

/* Below the clamp a term is replaced by exp(LO), which cannot change a sum of at least 1 for
 * any n that fits in memory (n exp(LO) < 2^-53, 2^-24), and no step meets a subnormal number
 * (subnormal operands and results take a slow path, docs/performance.md). */
#define LO64 (-600.0)
#define LO32 (-64.0f)
#define L64 23.083120654223414 /* 16 / ln 2 */
#define L32 23.0831203f
#define S64 0x1.8p52 /* the shifters: 1.5 2^52, 1.5 2^23 */
#define S32 0x1.8p23f
#define NH64 (-0.04332169878499658) /* -(ln2/16), high and low parts */
#define NL64 (-1.4494042586539372e-18)
#define NH32 (-0.043321698904037476f)
#define NL32 1.1904088825787085e-10f
/* P(r) = 1 + c2 r + c3 r^2 + ..., by Horner's rule: one expression for every path, given its
 * fused multiply-add and, as C(c), its constants */
#define P64(fma, r) \
  fma(fma(fma(fma(fma(C(0.0013889034377693012), r, C(0.008333449724528355)), r, C(0.041666666664959766)), r, \
                  C(0.16666666665301144)), r, C(0.5)), r, C(1.0))
#define P32(fma, r) fma(fma(C(0.1666686236858368f), r, C(0.5000097751617432f)), r, C(1.0f))

#define GROUPS 4 /* accumulators */
#define W64 8    /* lanes of a vector */
#define W32 16

#define C(c) c
static double term64(double v, double m) {
  double x = v - m;
  x = x > LO64 ? x : LO64;
  double kd = fma(x, L64, S64);
  double kf = kd - S64;
  double r = fma(kf, NH64, x);
  r = fma(kf, NL64, r);
  uint64_t kb = sn_f64_bits(kd);
  double t = sn_f64_from(tab64[kb & 15] + (kb << 48));
  double p = P64(fma, r);
  return fma(t * r, p, t);
}

static float term32(float v, float m) {
  float x = v - m;
  x = x > LO32 ? x : LO32;
  float kd = fmaf(x, L32, S32);
  float kf = kd - S32;
  float r = fmaf(kf, NH32, x);
  r = fmaf(kf, NL32, r);
  uint32_t kb = sn_f32_bits(kd);
  float t = sn_f32_from(tab32[kb & 15] + (kb << 19));
  float p = P32(fmaf, r);
  return fmaf(t * r, p, t);
}
#undef C

/* The fixed order of the final additions: accumulators (0+1) + (2+3), then lanes halving. */
static double fold64(double acc[GROUPS][W64]) {
  double l[W64];
  for (int i = 0; i < W64; i++) l[i] = (acc[0][i] + acc[1][i]) + (acc[2][i] + acc[3][i]);
  for (int w = W64 / 2; w >= 1; w /= 2)
    for (int i = 0; i < w; i++) l[i] += l[i + w];
  return l[0];
}

static float fold32(float acc[GROUPS][W32]) {
  float l[W32];
  for (int i = 0; i < W32; i++) l[i] = (acc[0][i] + acc[1][i]) + (acc[2][i] + acc[3][i]);
  for (int w = W32 / 2; w >= 1; w /= 2)
    for (int i = 0; i < w; i++) l[i] += l[i + w];
  return l[0];
}

/* Values i.. n-1 into their lanes, one at a time (the whole tile without SIMD, the last
 * partial group with AVX2) */
static void tail64(const double *v, int64_t i, int64_t n, double m, double acc[GROUPS][W64]) {
  for (; i < n; i++) acc[(i / W64) % GROUPS][i % W64] += term64(v[i], m);
}

static void tail32(const float *v, int64_t i, int64_t n, float m, float acc[GROUPS][W32]) {
  for (; i < n; i++) acc[(i / W32) % GROUPS][i % W32] += term32(v[i], m);
}

double snrt_expsum_portable(const double *v, int64_t n, double m) {
  double acc[GROUPS][W64] = {{0}};
  tail64(v, 0, n, m, acc);
  return fold64(acc);
}

float snrt_expsumf_portable(const float *v, int64_t n, float m) {
  float acc[GROUPS][W32] = {{0}};
  tail32(v, 0, n, m, acc);
  return fold32(acc);
}

#ifdef __AVX512F__
static inline __m512d vterm64(__m512d v, __m512d m, __m512i tlo, __m512i thi) {
  __m512d x = _mm512_max_pd(_mm512_sub_pd(v, m), _mm512_set1_pd(LO64));
  __m512d kd = _mm512_fmadd_pd(x, _mm512_set1_pd(L64), _mm512_set1_pd(S64));
  __m512d kf = _mm512_sub_pd(kd, _mm512_set1_pd(S64));
  __m512d r = _mm512_fmadd_pd(kf, _mm512_set1_pd(NH64), x);
  r = _mm512_fmadd_pd(kf, _mm512_set1_pd(NL64), r);
  __m512i kb = _mm512_castpd_si512(kd);
  __m512i tb = _mm512_add_epi64(_mm512_permutex2var_epi64(tlo, kb, thi), _mm512_slli_epi64(kb, 48));
  __m512d t = _mm512_castsi512_pd(tb);
#define C(c) _mm512_set1_pd(c)
  __m512d p = P64(_mm512_fmadd_pd, r);
#undef C
  return _mm512_fmadd_pd(_mm512_mul_pd(t, r), p, t);
}

static inline __m512 vterm32(__m512 v, __m512 m, __m512i tab) {
  __m512 x = _mm512_max_ps(_mm512_sub_ps(v, m), _mm512_set1_ps(LO32));
  __m512 kd = _mm512_fmadd_ps(x, _mm512_set1_ps(L32), _mm512_set1_ps(S32));
  __m512 kf = _mm512_sub_ps(kd, _mm512_set1_ps(S32));
  __m512 r = _mm512_fmadd_ps(kf, _mm512_set1_ps(NH32), x);
  r = _mm512_fmadd_ps(kf, _mm512_set1_ps(NL32), r);
  __m512i kb = _mm512_castps_si512(kd);
  __m512i tb = _mm512_add_epi32(_mm512_permutexvar_epi32(kb, tab), _mm512_slli_epi32(kb, 19));
  __m512 t = _mm512_castsi512_ps(tb);
#define C(c) _mm512_set1_ps(c)
  __m512 p = P32(_mm512_fmadd_ps, r);
#undef C
  return _mm512_fmadd_ps(_mm512_mul_ps(t, r), p, t);
}

double sn_expsum(const double *v, int64_t n, double m) {
  __m512i tlo = _mm512_loadu_si512(tab64), thi = _mm512_loadu_si512(tab64 + 8);
  __m512d vm = _mm512_set1_pd(m);
  __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + GROUPS * W64 <= n; i += GROUPS * W64) {
    a0 = _mm512_add_pd(a0, vterm64(_mm512_loadu_pd(v + i), vm, tlo, thi));
    a1 = _mm512_add_pd(a1, vterm64(_mm512_loadu_pd(v + i + W64), vm, tlo, thi));
    a2 = _mm512_add_pd(a2, vterm64(_mm512_loadu_pd(v + i + 2 * W64), vm, tlo, thi));
    a3 = _mm512_add_pd(a3, vterm64(_mm512_loadu_pd(v + i + 3 * W64), vm, tlo, thi));
  }
  __m512d *acc[GROUPS] = {&a0, &a1, &a2, &a3};
  for (int g = 0; i < n; i += W64, g++) {
    __mmask8 k = n - i >= W64 ? 0xff : (__mmask8)((1u << (n - i)) - 1);
    __m512d e = vterm64(_mm512_maskz_loadu_pd(k, v + i), vm, tlo, thi);
    *acc[g] = _mm512_mask_add_pd(*acc[g], k, *acc[g], e);
  }
  double lanes[GROUPS][W64];
  for (int g = 0; g < GROUPS; g++) _mm512_storeu_pd(lanes[g], *acc[g]);
  return fold64(lanes);
}

float sn_expsumf(const float *v, int64_t n, float m) {
  __m512i tab = _mm512_loadu_si512(tab32);
  __m512 vm = _mm512_set1_ps(m);
  __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + GROUPS * W32 <= n; i += GROUPS * W32) {
    a0 = _mm512_add_ps(a0, vterm32(_mm512_loadu_ps(v + i), vm, tab));
    a1 = _mm512_add_ps(a1, vterm32(_mm512_loadu_ps(v + i + W32), vm, tab));
    a2 = _mm512_add_ps(a2, vterm32(_mm512_loadu_ps(v + i + 2 * W32), vm, tab));
    a3 = _mm512_add_ps(a3, vterm32(_mm512_loadu_ps(v + i + 3 * W32), vm, tab));
  }
  __m512 *acc[GROUPS] = {&a0, &a1, &a2, &a3};
  for (int g = 0; i < n; i += W32, g++) {
    __mmask16 k = n - i >= W32 ? 0xffff : (__mmask16)((1u << (n - i)) - 1);
    __m512 e = vterm32(_mm512_maskz_loadu_ps(k, v + i), vm, tab);
    *acc[g] = _mm512_mask_add_ps(*acc[g], k, *acc[g], e);
  }
  float lanes[GROUPS][W32];
  for (int g = 0; g < GROUPS; g++) _mm512_storeu_ps(lanes[g], *acc[g]);
  return fold32(lanes);
}
#elif defined(__AVX2__) && defined(__FMA__)
/* AVX2: a group is two vectors of 4 (f64) or 8 (f32); the f64 table is a gather, the f32 one two
 * registers picked by vpermd and blended on bit 3 of k. */
static inline __m256d vterm64(__m256d v, __m256d m) {
  __m256d x = _mm256_max_pd(_mm256_sub_pd(v, m), _mm256_set1_pd(LO64));
  __m256d kd = _mm256_fmadd_pd(x, _mm256_set1_pd(L64), _mm256_set1_pd(S64));
  __m256d kf = _mm256_sub_pd(kd, _mm256_set1_pd(S64));
  __m256d r = _mm256_fmadd_pd(kf, _mm256_set1_pd(NH64), x);
  r = _mm256_fmadd_pd(kf, _mm256_set1_pd(NL64), r);
  __m256i kb = _mm256_castpd_si256(kd);
  __m256i j = _mm256_and_si256(kb, _mm256_set1_epi64x(15));
  __m256i tb = _mm256_add_epi64(_mm256_i64gather_epi64((const long long *)tab64, j, 8), _mm256_slli_epi64(kb, 48));
  __m256d t = _mm256_castsi256_pd(tb);
#define C(c) _mm256_set1_pd(c)
  __m256d p = P64(_mm256_fmadd_pd, r);
#undef C
  return _mm256_fmadd_pd(_mm256_mul_pd(t, r), p, t);
}

static inline __m256 vterm32(__m256 v, __m256 m, __m256i tlo, __m256i thi) {
  __m256 x = _mm256_max_ps(_mm256_sub_ps(v, m), _mm256_set1_ps(LO32));
  __m256 kd = _mm256_fmadd_ps(x, _mm256_set1_ps(L32), _mm256_set1_ps(S32));
  __m256 kf = _mm256_sub_ps(kd, _mm256_set1_ps(S32));
  __m256 r = _mm256_fmadd_ps(kf, _mm256_set1_ps(NH32), x);
  r = _mm256_fmadd_ps(kf, _mm256_set1_ps(NL32), r);
  __m256i kb = _mm256_castps_si256(kd);
  __m256 lo = _mm256_castsi256_ps(_mm256_permutevar8x32_epi32(tlo, kb));
  __m256 hi = _mm256_castsi256_ps(_mm256_permutevar8x32_epi32(thi, kb));
  __m256i tj = _mm256_castps_si256(_mm256_blendv_ps(lo, hi, _mm256_castsi256_ps(_mm256_slli_epi32(kb, 28))));
  __m256 t = _mm256_castsi256_ps(_mm256_add_epi32(tj, _mm256_slli_epi32(kb, 19)));
#define C(c) _mm256_set1_ps(c)
  __m256 p = P32(_mm256_fmadd_ps, r);
#undef C
  return _mm256_fmadd_ps(_mm256_mul_ps(t, r), p, t);
}

double sn_expsum(const double *v, int64_t n, double m) {
  __m256d vm = _mm256_set1_pd(m), acc[GROUPS][2];
  for (int g = 0; g < GROUPS; g++) acc[g][0] = acc[g][1] = _mm256_setzero_pd();
  int64_t i = 0;
  for (int g = 0; i + W64 <= n; i += W64, g = (g + 1) % GROUPS) {
    acc[g][0] = _mm256_add_pd(acc[g][0], vterm64(_mm256_loadu_pd(v + i), vm));
    acc[g][1] = _mm256_add_pd(acc[g][1], vterm64(_mm256_loadu_pd(v + i + 4), vm));
  }
  double lanes[GROUPS][W64];
  for (int g = 0; g < GROUPS; g++) {
    _mm256_storeu_pd(lanes[g], acc[g][0]);
    _mm256_storeu_pd(lanes[g] + 4, acc[g][1]);
  }
  tail64(v, i, n, m, lanes);
  return fold64(lanes);
}

float sn_expsumf(const float *v, int64_t n, float m) {
  __m256i tlo = _mm256_loadu_si256((const __m256i *)tab32), thi = _mm256_loadu_si256((const __m256i *)(tab32 + 8));
  __m256 vm = _mm256_set1_ps(m), acc[GROUPS][2];
  for (int g = 0; g < GROUPS; g++) acc[g][0] = acc[g][1] = _mm256_setzero_ps();
  int64_t i = 0;
  for (int g = 0; i + W32 <= n; i += W32, g = (g + 1) % GROUPS) {
    acc[g][0] = _mm256_add_ps(acc[g][0], vterm32(_mm256_loadu_ps(v + i), vm, tlo, thi));
    acc[g][1] = _mm256_add_ps(acc[g][1], vterm32(_mm256_loadu_ps(v + i + 8), vm, tlo, thi));
  }
  float lanes[GROUPS][W32];
  for (int g = 0; g < GROUPS; g++) {
    _mm256_storeu_ps(lanes[g], acc[g][0]);
    _mm256_storeu_ps(lanes[g] + 8, acc[g][1]);
  }
  tail32(v, i, n, m, lanes);
  return fold32(lanes);
}
#else
double sn_expsum(const double *v, int64_t n, double m) { return snrt_expsum_portable(v, n, m); }
float sn_expsumf(const float *v, int64_t n, float m) { return snrt_expsumf_portable(v, n, m); }
#endif
