/* rng.c: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11),
 * a counter-based generator, and the distributions drawn from it.
 *
 * Block b of a stream (seed, stream, offset) is philox(ctr = {c lo, c hi, stream lo, stream hi},
 * key = {seed lo, seed hi}) with c = offset + b (mod 2^64). Element i of a draw is a fixed
 * function of a fixed block, so it is the same on every thread count and back end:
 *   uniform f32: word i%4 of block i/4, top 24 bits: (w >> 8) * 2^-24 in [0, 1)
 *   uniform f64: words 2(i%2) (high half) and 2(i%2)+1 of block i/2, top 53 bits, in [0, 1)
 *   normal f32: Box-Muller on block i/4: words 2p, 2p+1 (p = (i%4)/2) give
 *               u1 = ((w[2p] >> 8) + 1) 2^-24 in (0, 1] and u2 = (w[2p+1] >> 8) 2^-24;
 *               element 4(i/4) + 2p is r cos(2 pi u2), the next r sin(2 pi u2), r = sqrt(-2 log u1)
 *   normal f64: the same on block i/2 with u1 = 1 - (uniform f64 of words 0, 1), u2 = that of
 *               words 2, 3; element 2(i/2) takes cos, 2(i/2)+1 sin
 *   bernoulli:  word i%4 of block i/4; true when w < floor(p 2^32) (all true for p = 1)
 *   categorical: element j of row k uses the uniform f64 of element k n + j
 *   permutation: Fisher-Yates from the top; step i swaps i with floor(x_i (i+1) / 2^64), x_i the
 *               64 bits of uniform f64 element i (bias below (i+1)/2^64)
 *   split:      child i of (seed, stream) has stream = words 0, 1 of philox(ctr = {i lo, i hi,
 *               stream lo, stream hi}, key = {seed lo ^ 0x53504C54, seed hi}), offset 0
 * log, sin and cos in Box-Muller are the polynomials below (Cephes for f32, fdlibm's kernels
 * for f64) evaluated in the order written, no contraction, so a GPU kernel can match them. */
#include "math/rt_math.h"
#include "sinter/mathpoly.h"

#include <math.h>

#ifdef __AVX__
#include <immintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#define SPLIT_TWEAK 0x53504C54u /* "SPLT": keeps split's Philox calls apart from data blocks */
/* Blocks computed together: 16 lanes of 32 bits fill an AVX-512 register. */
#define LANES 16
/* Below this many elements a tensor is filled on the calling thread; above it, in chunks of at
 * least RNG_GRAIN elements on the runtime's threads (an element's bits depend on its index alone,
 * so any chunking gives the same tensor). */
#define RNG_PARALLEL_MIN 65536
#define RNG_GRAIN 8192
/* Categorical and permutation make their random bits this many at a time. */
#define RNG_CHUNK 4096

/* --- Philox --------------------------------------------------------------------------------- */

void sn_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < SN_PHILOX_ROUNDS; r++) {
    uint64_t p0 = (uint64_t)SN_PHILOX_M0 * c0, p1 = (uint64_t)SN_PHILOX_M1 * c2;
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
    uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    c1 = (uint32_t)p1;
    c3 = (uint32_t)p0;
    c0 = n0;
    c2 = n2;
    k0 += SN_PHILOX_W0;
    k1 += SN_PHILOX_W1;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/* Block b of stream r (one at a time: the reference the batched path is tested against). */
static void block(SnRng r, uint64_t b, uint32_t w[4]) {
  uint64_t c = r.offset + b;
  const uint32_t ctr[4] = {(uint32_t)c, (uint32_t)(c >> 32), (uint32_t)r.stream,
                           (uint32_t)(r.stream >> 32)};
  const uint32_t key[2] = {(uint32_t)r.seed, (uint32_t)(r.seed >> 32)};
  sn_philox4x32_10(ctr, key, w);
}

/* Blocks b0 .. b0+LANES-1, word k of block b0+l in w[k][l]: the same rounds as
 * sn_philox4x32_10 written lane-wise, which compilers turn into vector multiplies. */
static void blocks(SnRng r, uint64_t b0, uint32_t w[4][LANES]) {
  uint32_t c0[LANES], c1[LANES], c2[LANES], c3[LANES];
  for (int l = 0; l < LANES; l++) {
    uint64_t c = r.offset + b0 + (uint64_t)l;
    c0[l] = (uint32_t)c;
    c1[l] = (uint32_t)(c >> 32);
    c2[l] = (uint32_t)r.stream;
    c3[l] = (uint32_t)(r.stream >> 32);
  }
  uint32_t k0 = (uint32_t)r.seed, k1 = (uint32_t)(r.seed >> 32);
  for (int round = 0; round < SN_PHILOX_ROUNDS; round++) {
    for (int l = 0; l < LANES; l++) {
      uint64_t p0 = (uint64_t)SN_PHILOX_M0 * c0[l], p1 = (uint64_t)SN_PHILOX_M1 * c2[l];
      uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1[l] ^ k0;
      uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3[l] ^ k1;
      c1[l] = (uint32_t)p1;
      c3[l] = (uint32_t)p0;
      c0[l] = n0;
      c2[l] = n2;
    }
    k0 += SN_PHILOX_W0;
    k1 += SN_PHILOX_W1;
  }
  memcpy(w[0], c0, sizeof c0);
  memcpy(w[1], c1, sizeof c1);
  memcpy(w[2], c2, sizeof c2);
  memcpy(w[3], c3, sizeof c3);
}

SnRng sn_rng(uint64_t seed) { return (SnRng){seed, 0, 0}; }

SnRng sn_rng_split(SnRng r, uint64_t i) {
  const uint32_t ctr[4] = {(uint32_t)i, (uint32_t)(i >> 32), (uint32_t)r.stream,
                           (uint32_t)(r.stream >> 32)};
  const uint32_t key[2] = {(uint32_t)r.seed ^ SPLIT_TWEAK, (uint32_t)(r.seed >> 32)};
  uint32_t w[4];
  sn_philox4x32_10(ctr, key, w);
  return (SnRng){r.seed, ((uint64_t)w[1] << 32) | w[0], 0};
}

/* --- the transforms ---------------------------------------------------------------------------
 * Each is straight-line code with selects instead of branches, so that loops over lanes
 * vectorise. */

static inline float unit_f32(uint32_t w) { return (float)(w >> 8) * 0x1.0p-24f; }

static inline double unit_f64(uint32_t hi, uint32_t lo) {
  return (double)((((uint64_t)hi << 32) | lo) >> 11) * 0x1.0p-53;
}

/* log x for x in [2^-24, 1]: sn_logf's Cephes polynomial without its special cases. */
static inline float log_unit_f32(float x) {
  uint32_t b = sn_f32_bits(x);
  float e = (float)((int32_t)(b >> 23) - 126);
  float m = sn_f32_from((b & 0x007fffffu) | 0x3f000000u); /* [0.5, 1) */
  int small = m < 0.707106781186547524f;
  e = small ? e - 1.0f : e;
  m = small ? (m + m) - 1.0f : m - 1.0f;
  float z = m * m;
  float p = 7.0376836292e-2f;
  p = fmaf(p, m, -1.1514610310e-1f);
  p = fmaf(p, m, 1.1676998740e-1f);
  p = fmaf(p, m, -1.2420140846e-1f);
  p = fmaf(p, m, 1.4249322787e-1f);
  p = fmaf(p, m, -1.6668057665e-1f);
  p = fmaf(p, m, 2.0000714765e-1f);
  p = fmaf(p, m, -2.4999993993e-1f);
  p = fmaf(p, m, 3.3333331174e-1f);
  float y = (p * m) * z;
  y = fmaf(e, -2.12194440e-4f, y);
  y = fmaf(z, -0.5f, y);
  return fmaf(e, 0.693359375f, m + y);
}

/* log x for x in [2^-53, 1]: sn_log's series 2 atanh((m-1)/(m+1)) without special cases. */
static inline double log_unit_f64(double x) {
  uint64_t b = sn_f64_bits(x);
  double e = (double)((int64_t)(b >> 52) - 1023);
  double m = sn_f64_from((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull); /* [1, 2) */
  int big = m > 1.41421356237309504880;
  e = big ? e + 1.0 : e;
  m = big ? m * 0.5 : m;
  double s = (m - 1.0) / (m + 1.0);
  double s2 = s * s;
  double p = 4.3478260869565217391e-02;
  p = fma(p, s2, 4.7619047619047619048e-02);
  p = fma(p, s2, 5.2631578947368421053e-02);
  p = fma(p, s2, 5.8823529411764705882e-02);
  p = fma(p, s2, 6.6666666666666666667e-02);
  p = fma(p, s2, 7.6923076923076923077e-02);
  p = fma(p, s2, 9.0909090909090909091e-02);
  p = fma(p, s2, 1.1111111111111111111e-01);
  p = fma(p, s2, 1.4285714285714285714e-01);
  p = fma(p, s2, 2.0000000000000000000e-01);
  p = fma(p, s2, 3.3333333333333333333e-01);
  double t = s + s;
  double lm = fma(t * s2, p, t);
  return fma(e, 6.93147180369123816490e-01, fma(e, 1.90821492927058770002e-10, lm));
}

/* sin and cos of 2 pi u for u in [0, 1): 4u = q + f exactly with |f| <= 1/2, so the angle is
 * q pi/2 + x, x = f pi/2 in [-pi/4, pi/4], where short polynomials are accurate; q picks the
 * quadrant. */
static inline void sincos_turn_f32(float u, float *s, float *c) {
  float t = u * 4.0f, q = rintf(t);
  float x = (t - q) * 1.57079632679489661923f, z = x * x;
  float sp = fmaf(fmaf(fmaf(-1.9515295891e-4f, z, 8.3321608736e-3f), z, -1.6666654611e-1f), z * x, x);
  float cp = fmaf(fmaf(fmaf(2.443315711809948e-5f, z, -1.388731625493765e-3f), z,
                       4.166664568298827e-2f), z * z, fmaf(-0.5f, z, 1.0f));
  int quad = (int)q & 3;
  float sv = (quad & 1) ? cp : sp, cv = (quad & 1) ? sp : cp;
  *s = (quad & 2) ? -sv : sv;
  *c = ((quad + 1) & 2) ? -cv : cv;
}

static inline void sincos_turn_f64(double u, double *s, double *c) {
  double t = u * 4.0, q = rint(t);
  double x = (t - q) * 1.57079632679489661923132169163975144, z = x * x;
  double sr = fma(fma(fma(fma(1.58969099521155010221e-10, z, -2.50507602534068634195e-08), z,
                          2.75573137070700676789e-06), z, -1.98412698298579493134e-04), z,
                  8.33333333332248946124e-03);
  double sp = fma(fma(sr, z, -1.66666666666666324348e-01), z * x, x);
  double cr = fma(fma(fma(fma(fma(-1.13596475577881948265e-11, z, 2.08757232129817482790e-09), z,
                              -2.75573143513906633035e-07), z, 2.48015872894767294178e-05), z,
                      -1.38888888888741095749e-03), z, 4.16666666666666019037e-02);
  /* fdlibm's __kernel_cos: 1 - z/2 computed so that its rounding error is recovered. */
  double hz = 0.5 * z, w = 1.0 - hz;
  double cp = w + (((1.0 - w) - hz) + z * (z * cr));
  int quad = (int)q & 3;
  double sv = (quad & 1) ? cp : sp, cv = (quad & 1) ? sp : cp;
  *s = (quad & 2) ? -sv : sv;
  *c = ((quad + 1) & 2) ? -cv : cv;
}

/* Box-Muller on one pair of words. */
static inline void normal_pair_f32(uint32_t w1, uint32_t w2, float *a, float *b) {
  float u1 = ((float)(w1 >> 8) + 1.0f) * 0x1.0p-24f, u2 = unit_f32(w2);
  float r = sqrtf(-2.0f * log_unit_f32(u1)), s, c;
  sincos_turn_f32(u2, &s, &c);
  *a = r * c;
  *b = r * s;
}

static inline void normal_pair_f64(const uint32_t w[4], double *a, double *b) {
  double u1 = 1.0 - unit_f64(w[0], w[1]), u2 = unit_f64(w[2], w[3]);
  double r = sqrt(-2.0 * log_unit_f64(u1)), s, c;
  sincos_turn_f64(u2, &s, &c);
  *a = r * c;
  *b = r * s;
}

/* --- batches: LANES blocks at a time into a local buffer ---------------------------------------
 * sqrt may set errno, so a compiler keeps a branch to libm around each one and will not
 * vectorise a loop holding it; the batches take their square roots here instead, with the
 * vector instruction (correctly rounded, like sqrtf) where there is one. */

static void sqrt_lanes_f32(float v[LANES]) {
#if defined(__AVX512F__)
  _mm512_storeu_ps(v, _mm512_sqrt_ps(_mm512_loadu_ps(v)));
#elif defined(__AVX__)
  for (int l = 0; l < LANES; l += 8) _mm256_storeu_ps(v + l, _mm256_sqrt_ps(_mm256_loadu_ps(v + l)));
#else
  for (int l = 0; l < LANES; l++) v[l] = sqrtf(v[l]);
#endif
}

static void sqrt_lanes_f64(double v[LANES]) {
#if defined(__AVX512F__)
  for (int l = 0; l < LANES; l += 8) _mm512_storeu_pd(v + l, _mm512_sqrt_pd(_mm512_loadu_pd(v + l)));
#elif defined(__AVX__)
  for (int l = 0; l < LANES; l += 4) _mm256_storeu_pd(v + l, _mm256_sqrt_pd(_mm256_loadu_pd(v + l)));
#else
  for (int l = 0; l < LANES; l++) v[l] = sqrt(v[l]);
#endif
}

typedef SnRngKind Kind;
#define U_F32 SNRT_UNIFORM_F32
#define U_F64 SNRT_UNIFORM_F64
#define N_F32 SNRT_NORMAL_F32
#define N_F64 SNRT_NORMAL_F64

/* Elements per block for each kind. */
static int per_block(Kind k) { return k == U_F32 || k == N_F32 ? 4 : 2; }

/* The elements of blocks b0 .. b0+LANES-1 in element order: 4 LANES floats or 2 LANES doubles. */
static void batch(SnRng r, uint64_t b0, Kind kind, void *out) {
  uint32_t w[4][LANES];
  blocks(r, b0, w);
  switch (kind) {
  case U_F32: {
    float *o = out;
    for (int l = 0; l < LANES; l++)
      for (int k = 0; k < 4; k++) o[4 * l + k] = unit_f32(w[k][l]);
    break;
  }
  case U_F64: {
    double *o = out;
    for (int l = 0; l < LANES; l++) {
      o[2 * l] = unit_f64(w[0][l], w[1][l]);
      o[2 * l + 1] = unit_f64(w[2][l], w[3][l]);
    }
    break;
  }
  case N_F32: {
    /* normal_pair_f32, lane-wise. */
    float r[2][LANES], s[2][LANES], c[2][LANES];
    for (int p = 0; p < 2; p++) {
      for (int l = 0; l < LANES; l++) {
        float u1 = ((float)(w[2 * p][l] >> 8) + 1.0f) * 0x1.0p-24f;
        r[p][l] = -2.0f * log_unit_f32(u1);
        sincos_turn_f32(unit_f32(w[2 * p + 1][l]), &s[p][l], &c[p][l]);
      }
      sqrt_lanes_f32(r[p]);
    }
    float *o = out;
    for (int l = 0; l < LANES; l++) {
      o[4 * l] = r[0][l] * c[0][l];
      o[4 * l + 1] = r[0][l] * s[0][l];
      o[4 * l + 2] = r[1][l] * c[1][l];
      o[4 * l + 3] = r[1][l] * s[1][l];
    }
    break;
  }
  case N_F64: {
    /* normal_pair_f64, lane-wise. */
    double r[LANES], s[LANES], c[LANES];
    for (int l = 0; l < LANES; l++) {
      r[l] = -2.0 * log_unit_f64(1.0 - unit_f64(w[0][l], w[1][l]));
      sincos_turn_f64(unit_f64(w[2][l], w[3][l]), &s[l], &c[l]);
    }
    sqrt_lanes_f64(r);
    double *o = out;
    for (int l = 0; l < LANES; l++) {
      o[2 * l] = r[l] * c[l];
      o[2 * l + 1] = r[l] * s[l];
    }
    break;
  }
  }
}

/* Elements [start, start + n) of a draw of `kind`, batch by batch. */
static void fill(SnRng r, Kind kind, int64_t start, int64_t n, void *out) {
  int pb = per_block(kind);
  size_t esize = kind == U_F32 || kind == N_F32 ? 4 : 8;
  int64_t per_batch = (int64_t)pb * LANES;
  _Alignas(64) char buf[4 * LANES * sizeof(float)];
  char *o = out;
  int64_t i = start, end = start + n;
  while (i < end) {
    int64_t first = i / per_batch * per_batch;
    int64_t skip = i - first, take = end - i < per_batch - skip ? end - i : per_batch - skip;
    if (skip == 0 && take == per_batch) {
      batch(r, (uint64_t)(first / pb), kind, o);
    } else {
      batch(r, (uint64_t)(first / pb), kind, buf);
      memcpy(o, buf + (size_t)skip * esize, (size_t)take * esize);
    }
    o += (size_t)take * esize;
    i += take;
  }
}

double snrt_rng_reference(SnRng r, SnRngKind kind, int64_t i) {
  uint32_t w[4];
  int64_t pb = per_block(kind);
  block(r, (uint64_t)(i / pb), w);
  int k = (int)(i % pb);
  float a, b;
  double x, y;
  switch (kind) {
  case U_F32: return unit_f32(w[k]);
  case U_F64: return unit_f64(w[2 * k], w[2 * k + 1]);
  case N_F32: normal_pair_f32(w[k / 2 * 2], w[k / 2 * 2 + 1], &a, &b); return k % 2 ? b : a;
  case N_F64: normal_pair_f64(w, &x, &y); return k ? y : x;
  }
  return 0;
}

float sn_rand_f32(int64_t seed, int64_t i) { return (float)snrt_rng_reference(sn_rng((uint64_t)seed), U_F32, i); }
double sn_rand_f64(int64_t seed, int64_t i) { return snrt_rng_reference(sn_rng((uint64_t)seed), U_F64, i); }

void sn_rng_uniform_f32(SnRng r, int64_t start, int64_t n, float *out) { fill(r, U_F32, start, n, out); }
void sn_rng_uniform_f64(SnRng r, int64_t start, int64_t n, double *out) { fill(r, U_F64, start, n, out); }
void sn_rng_normal_f32(SnRng r, int64_t start, int64_t n, float *out) { fill(r, N_F32, start, n, out); }
void sn_rng_normal_f64(SnRng r, int64_t start, int64_t n, double *out) { fill(r, N_F64, start, n, out); }

/* --- tensors ------------------------------------------------------------------------------- */

/* Chunks for a tensor of n elements: one below RNG_PARALLEL_MIN. */
static int64_t rng_chunks(int64_t n) { return n < RNG_PARALLEL_MIN ? 1 : sn_parallel_chunks(n, RNG_GRAIN); }

typedef struct FillJob {
  SnRng r;
  Kind kind;
  void *out;
} FillJob;

static int32_t fill_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  (void)c;
  const FillJob *j = ctx;
  size_t esize = j->kind == U_F32 || j->kind == N_F32 ? 4 : 8;
  fill(j->r, j->kind, lo, hi - lo, (char *)j->out + (size_t)lo * esize);
  return 0;
}

/* out[0..n) from elements [0, n), cut into chunks over the runtime's threads. */
static void fill_parallel(SnRng r, Kind kind, int64_t n, void *out) {
  FillJob j = {r, kind, out};
  sn_parallel_for(n, rng_chunks(n), fill_chunk, &j);
}

static SnTensor *draw(SnRng r, SnDtype dtype, int64_t rank, const int64_t *shape, int normal) {
  if (dtype != SN_F32 && dtype != SN_F64 && dtype != SN_F16 && dtype != SN_BF16) {
    sn_error_set("random numbers are floating point: dtype %s is not (use f32 or f64)",
                 sn_dtype_name(dtype));
    return NULL;
  }
  int is64 = dtype == SN_F64;
  SnTensor *t = sn_tensor_new(is64 ? SN_F64 : SN_F32, rank, shape);
  if (!t) return NULL;
  int64_t n = sn_tensor_numel(t);
  fill_parallel(r, is64 ? (normal ? N_F64 : U_F64) : (normal ? N_F32 : U_F32), n, t->data);
  if (dtype == SN_F32 || dtype == SN_F64) return t;
  SnTensor *h = sn_tensor_astype(t, dtype);
  sn_tensor_release(t);
  return h;
}

SnTensor *sn_rng_uniform(SnRng r, SnDtype dtype, int64_t rank, const int64_t *shape) {
  return draw(r, dtype, rank, shape, 0);
}

SnTensor *sn_rng_normal(SnRng r, SnDtype dtype, int64_t rank, const int64_t *shape) {
  return draw(r, dtype, rank, shape, 1);
}

SnTensor *sn_random(SnDtype dtype, int64_t rank, const int64_t *shape, int64_t seed, int32_t dist) {
  return draw(sn_rng((uint64_t)seed), dtype, rank, shape, dist == SN_DIST_NORMAL);
}

typedef struct BernoulliJob {
  SnRng r;
  uint8_t *out;
  int all;      /* p == 1: every draw is true */
  uint64_t thr; /* a draw is true below p 2^32 */
} BernoulliJob;

static int32_t bernoulli_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  (void)c;
  const BernoulliJob *j = ctx;
  uint32_t w[4][LANES];
  for (int64_t i = lo; i < hi;) {
    int64_t b0 = i / (4 * LANES) * LANES;
    blocks(j->r, (uint64_t)b0, w);
    for (int64_t e = i; e < hi && e < (b0 + LANES) * 4; e++, i++)
      j->out[e] = j->all || w[e % 4][e / 4 - b0] < j->thr;
  }
  return 0;
}

SnTensor *sn_rng_bernoulli(SnRng r, double p, int64_t rank, const int64_t *shape) {
  if (!(p >= 0.0 && p <= 1.0)) {
    sn_error_set("bernoulli: p must be in [0, 1], not %g", p);
    return NULL;
  }
  SnTensor *t = sn_tensor_new(SN_BOOL, rank, shape);
  if (!t) return NULL;
  int64_t n = sn_tensor_numel(t);
  BernoulliJob j = {r, t->data, p == 1.0, (uint64_t)(p * 4294967296.0)};
  sn_parallel_for(n, rng_chunks(n), bernoulli_chunk, &j);
  return t;
}

/* The 64 random bits behind uniform f64 element i: words 2(i%2) (high) and 2(i%2)+1. */
static void bits64(SnRng r, int64_t start, int64_t n, uint64_t *out) {
  uint32_t w[4][LANES];
  for (int64_t i = start; i < start + n;) {
    int64_t b0 = i / (2 * LANES) * LANES;
    blocks(r, (uint64_t)b0, w);
    for (; i < start + n && i < (b0 + LANES) * 2; i++) {
      int64_t l = i / 2 - b0, h = i % 2;
      out[i - start] = ((uint64_t)w[2 * h][l] << 32) | w[2 * h + 1][l];
    }
  }
}

SnTensor *sn_rng_categorical(SnRng r, const SnTensor *weights, int64_t n) {
  if (weights->rank != 1 && weights->rank != 2) {
    sn_error_set("categorical: weights must be [k] or [batch, k], not rank %lld",
                 (long long)weights->rank);
    return NULL;
  }
  if (weights->dtype != SN_F32 && weights->dtype != SN_F64 && weights->dtype != SN_F16 &&
      weights->dtype != SN_BF16) {
    sn_error_set("categorical: weights must be floating point, not %s",
                 sn_dtype_name((SnDtype)weights->dtype));
    return NULL;
  }
  if (n < 0) {
    sn_error_set("categorical: the number of draws is negative (%lld)", (long long)n);
    return NULL;
  }
  int64_t rows = weights->rank == 2 ? weights->shape[0] : 1, k = weights->shape[weights->rank - 1];
  if (k == 0) {
    sn_error_set("categorical: there are no categories");
    return NULL;
  }
  int64_t shape[2] = {rows, n};
  SnTensor *t = weights->rank == 2 ? sn_tensor_new(SN_I64, 2, shape) : sn_tensor_new(SN_I64, 1, &n);
  double *cdf = malloc((size_t)k * sizeof *cdf);
  if (!t || !cdf) {
    if (t && !cdf) sn_error_set("out of memory");
    sn_tensor_release(t);
    free(cdf);
    return NULL;
  }
  int64_t *o = t->data;
  uint64_t x[RNG_CHUNK];
  for (int64_t row = 0; row < rows; row++) {
    double total = 0;
    int64_t last = -1;
    for (int64_t j = 0; j < k; j++) {
      double v = sn_tensor_get_f64(weights, row * k + j);
      if (!(v >= 0) || isinf(v)) {
        sn_error_set("categorical: weight %lld of row %lld is %g; weights must be finite and >= 0",
                     (long long)j, (long long)row, v);
        sn_tensor_release(t);
        free(cdf);
        return NULL;
      }
      total += v;
      cdf[j] = total;
      if (v > 0) last = j;
    }
    if (!(total > 0) || isinf(total)) {
      sn_error_set("categorical: the weights of row %lld sum to %g; they must have a finite, "
                   "positive sum", (long long)row, total);
      sn_tensor_release(t);
      free(cdf);
      return NULL;
    }
    for (int64_t j0 = 0; j0 < n; j0 += RNG_CHUNK) {
      int64_t m = n - j0 < RNG_CHUNK ? n - j0 : RNG_CHUNK;
      bits64(r, row * n + j0, m, x);
      for (int64_t j = 0; j < m; j++) {
        double u = (double)(x[j] >> 11) * 0x1.0p-53 * total;
        /* The first category whose cumulative weight exceeds u: never one of weight 0. When
         * rounding makes u equal the total, the last category with weight takes it. */
        int64_t lo = 0, hi = k;
        while (lo < hi) {
          int64_t mid = lo + (hi - lo) / 2;
          if (cdf[mid] > u) hi = mid;
          else lo = mid + 1;
        }
        o[row * n + j0 + j] = lo < k ? lo : last;
      }
    }
  }
  free(cdf);
  return t;
}

SnTensor *sn_rng_permutation(SnRng r, int64_t n) {
  if (n < 0) {
    sn_error_set("permutation: the size is negative (%lld)", (long long)n);
    return NULL;
  }
  SnTensor *t = sn_tensor_new(SN_I64, 1, &n);
  if (!t) return NULL;
  int64_t *p = t->data;
  for (int64_t i = 0; i < n; i++) p[i] = i;
  uint64_t x[RNG_CHUNK];
  for (int64_t top = n - 1; top >= 1;) {
    int64_t lo = top - RNG_CHUNK + 1 < 1 ? 1 : top - RNG_CHUNK + 1;
    bits64(r, lo, top - lo + 1, x);
    for (int64_t i = top; i >= lo; i--) {
      int64_t j = (int64_t)(((unsigned __int128)x[i - lo] * (uint64_t)(i + 1)) >> 64);
      int64_t tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    top = lo - 1;
  }
  return t;
}
