/* dtype.c: the element types: their names and sizes, which values each holds, and conversions
 * between them, one value at a time and in bulk.
 * f16 follows the FP16 library (Maratyszcza) that PyTorch uses on the CPU; bf16 follows
 * PyTorch's c10::BFloat16 round_to_nearest_even, so results agree with torch bit for bit
 * (tests/conformance/dtype_torch.txt, made by gen_dtype.py, checks every class of f32 input).
 * The bulk bf16 -> f32 widening is the hot path of loading a model: it streams at memory speed
 * with AVX-512 when the build has it, with the plain loop beside it as the reference. */
#include "core/rt_core.h"

#include <math.h>
#include <string.h>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

/* Below this many elements a conversion runs on the calling thread; above it, in chunks of at
 * least CONVERT_GRAIN elements on the runtime's threads. */
#define CONVERT_PARALLEL_MIN (1 << 18)
#define CONVERT_GRAIN (1 << 16)
/* Output larger than this bypasses the cache (non-temporal stores): it would not fit anyway,
 * and skipping the read-for-ownership saves a third of the memory traffic. */
#define CONVERT_STREAM_BYTES (4u << 20)

const char *sn_dtype_name(SnDtype t) { return (unsigned)t < SN_NDTYPES ? snrt_dtypes[t].name : "?"; }

size_t sn_dtype_size(SnDtype t) { return (unsigned)t < SN_NDTYPES ? snrt_dtypes[t].size : 0; }

int sn_dtype_from_name(const char *name, SnDtype *out) {
  for (int i = 0; i < SN_NDTYPES; i++)
    if (strcmp(snrt_dtypes[i].name, name) == 0) {
      *out = (SnDtype)i;
      return 1;
    }
  return 0;
}

static inline float f16_to_f32(uint16_t h) {
  const uint32_t w = (uint32_t)h << 16;
  const uint32_t sign = w & 0x80000000u;
  const uint32_t two_w = w + w;
  /* Normal numbers: shift the exponent and mantissa into place and rebias by a multiply. */
  const float normalized = sn_f32_from((two_w >> 4) + (0xE0u << 23)) * 0x1.0p-112f;
  /* Subnormals: the mantissa as a float in [0.5, 1) minus 0.5 is exact. */
  const float denormalized = sn_f32_from((two_w >> 17) | (126u << 23)) - 0.5f;
  const uint32_t result =
      sign | (two_w < (1u << 27) ? sn_f32_bits(denormalized) : sn_f32_bits(normalized));
  return sn_f32_from(result);
}

static inline uint16_t f32_to_f16(float f) {
  /* Scaling up then down rounds the mantissa to 10 bits in the FPU, with round-to-nearest-even,
   * and makes overflow produce infinity. */
  float base = (__builtin_fabsf(f) * 0x1.0p+112f) * 0x1.0p-110f;
  const uint32_t w = sn_f32_bits(f);
  const uint32_t shl1_w = w + w;
  const uint32_t sign = w & 0x80000000u;
  uint32_t bias = shl1_w & 0xFF000000u;
  if (bias < 0x71000000u) bias = 0x71000000u;
  base = sn_f32_from((bias >> 1) + 0x07800000u) + base;
  const uint32_t bits = sn_f32_bits(base);
  const uint32_t exp_bits = (bits >> 13) & 0x00007C00u;
  const uint32_t mantissa_bits = bits & 0x00000FFFu;
  const uint32_t nonsign = exp_bits + mantissa_bits;
  return (uint16_t)((sign >> 16) | (shl1_w > 0xFF000000u ? 0x7E00u : nonsign));
}

static inline float bf16_to_f32(uint16_t h) { return sn_f32_from((uint32_t)h << 16); }

static inline uint16_t f32_to_bf16(float f) {
  const uint32_t u = sn_f32_bits(f);
  const uint32_t rounding_bias = ((u >> 16) & 1) + 0x7FFFu;
  const uint16_t r = (uint16_t)((u + rounding_bias) >> 16);
  return f != f ? 0x7FC0 : r;
}

float sn_f16_to_f32(uint16_t h) { return f16_to_f32(h); }
uint16_t sn_f32_to_f16(float f) { return f32_to_f16(f); }
float sn_bf16_to_f32(uint16_t h) { return bf16_to_f32(h); }
uint16_t sn_f32_to_bf16(float f) { return f32_to_bf16(f); }

/* --- which values a dtype holds --------------------------------------------------------------- */

int snrt_dtype_holds(double v, SnDtype dtype) {
  switch (dtype) {
  case SN_BOOL: return v == 0 || v == 1;
  case SN_I8: return v == floor(v) && v >= -128 && v <= 127;
  case SN_U8: return v == floor(v) && v >= 0 && v <= 255;
  case SN_I32: return v == floor(v) && v >= -2147483648.0 && v <= 2147483647.0;
  case SN_I64: return v == floor(v) && v >= -9223372036854775808.0 && v < 9223372036854775808.0;
  case SN_F16: return !isfinite(v) || isfinite(f16_to_f32(f32_to_f16((float)v)));
  case SN_BF16: return !isfinite(v) || isfinite(bf16_to_f32(f32_to_bf16((float)v)));
  case SN_F32: return !isfinite(v) || isfinite((float)v);
  default: return 1;
  }
}

const char *snrt_dtype_range(SnDtype dtype) {
  switch (dtype) {
  case SN_I8: return "-128 to 127";
  case SN_U8: return "0 to 255";
  case SN_I32: return "-2147483648 to 2147483647";
  case SN_I64: return "-9223372036854775808 to 9223372036854775807";
  case SN_F16: return "-65504 to 65504";
  case SN_BF16: return "-3.3895314e38 to 3.3895314e38";
  case SN_F32: return "-3.4028235e38 to 3.4028235e38";
  default: return "-1.7976931348623157e308 to 1.7976931348623157e308";
  }
}

/* --- the general conversion: every pair of dtypes --------------------------------------------
 * Each source is read as a double (floats, exactly) or an int64 (integers and bool); each
 * destination is stored from either, by the rules in sinter/core.h. */

typedef uint8_t bool_t;
typedef int8_t i8_t;
typedef uint8_t u8_t;
typedef int32_t i32_t;
typedef int64_t i64_t;
typedef uint16_t f16_t;
typedef uint16_t bf16_t;
typedef float f32_t;
typedef double f64_t;

#define KIND_bool int64_t
#define KIND_i8 int64_t
#define KIND_u8 int64_t
#define KIND_i32 int64_t
#define KIND_i64 int64_t
#define KIND_f16 double
#define KIND_bf16 double
#define KIND_f32 double
#define KIND_f64 double

static inline int64_t ld_bool(bool_t v) { return v != 0; }
static inline int64_t ld_i8(i8_t v) { return v; }
static inline int64_t ld_u8(u8_t v) { return v; }
static inline int64_t ld_i32(i32_t v) { return v; }
static inline int64_t ld_i64(i64_t v) { return v; }
static inline double ld_f16(f16_t v) { return f16_to_f32(v); }
static inline double ld_bf16(bf16_t v) { return bf16_to_f32(v); }
static inline double ld_f32(f32_t v) { return v; }
static inline double ld_f64(f64_t v) { return v; }

/* _Generic picks the store for the intermediate's kind: an integer wraps into a narrower
 * integer, a float truncates and saturates. */
#define ST_INT(T, LO, HI)                                                                     \
  static inline T##_t st_##T##_i(int64_t v) { return (T##_t)(uint64_t)v; }                   \
  static inline T##_t st_##T##_f(double v) { return (T##_t)snrt_f64_to_int(v, LO, HI); }
ST_INT(i8, INT8_MIN, INT8_MAX)
ST_INT(u8, 0, UINT8_MAX)
ST_INT(i32, INT32_MIN, INT32_MAX)
ST_INT(i64, INT64_MIN, INT64_MAX)
static inline bool_t st_bool_i(int64_t v) { return v != 0; }
static inline bool_t st_bool_f(double v) { return v != 0; }
/* Integers go to f32 in one rounding ((float)int64 is correctly rounded), as torch does, and
 * to the 16-bit formats through that f32. */
static inline f32_t st_f32_i(int64_t v) { return (float)v; }
static inline f32_t st_f32_f(double v) { return (float)v; }
static inline f64_t st_f64_i(int64_t v) { return (double)v; }
static inline f64_t st_f64_f(double v) { return v; }
static inline f16_t st_f16_i(int64_t v) { return f32_to_f16((float)v); }
static inline f16_t st_f16_f(double v) { return f32_to_f16((float)v); }
static inline bf16_t st_bf16_i(int64_t v) { return f32_to_bf16((float)v); }
static inline bf16_t st_bf16_f(double v) { return f32_to_bf16((float)v); }

#define ST(D, x) _Generic((x), int64_t: st_##D##_i, double: st_##D##_f)(x)

#define CONV(S, D)                                                                            \
  static void cv_##S##_##D(void *restrict dst, const void *restrict src, int64_t n) {        \
    const S##_t *s = src;                                                                     \
    D##_t *d = dst;                                                                           \
    for (int64_t i = 0; i < n; i++) {                                                         \
      KIND_##S v = ld_##S(s[i]);                                                              \
      d[i] = ST(D, v);                                                                        \
    }                                                                                         \
  }
#define CONV_FROM(S)                                                                          \
  CONV(S, bool) CONV(S, i8) CONV(S, u8) CONV(S, i32) CONV(S, i64) CONV(S, f16) CONV(S, bf16)   \
  CONV(S, f32) CONV(S, f64)
CONV_FROM(bool)
CONV_FROM(i8)
CONV_FROM(u8)
CONV_FROM(i32)
CONV_FROM(i64)
CONV_FROM(f16)
CONV_FROM(bf16)
CONV_FROM(f32)
CONV_FROM(f64)

typedef void (*ConvFn)(void *restrict, const void *restrict, int64_t);
#define ROW(S)                                                                                \
  [SN_##S] = {[SN_BOOL] = cv_##S##_bool, [SN_I8] = cv_##S##_i8, [SN_U8] = cv_##S##_u8,        \
              [SN_I32] = cv_##S##_i32,   [SN_I64] = cv_##S##_i64, [SN_F16] = cv_##S##_f16,    \
              [SN_BF16] = cv_##S##_bf16, [SN_F32] = cv_##S##_f32, [SN_F64] = cv_##S##_f64}
/* SN_BOOL etc. are upper case; these aliases let ROW name both the enum and the functions. */
#define SN_bool SN_BOOL
#define SN_i8 SN_I8
#define SN_u8 SN_U8
#define SN_i32 SN_I32
#define SN_i64 SN_I64
#define SN_f16 SN_F16
#define SN_bf16 SN_BF16
#define SN_f32 SN_F32
#define SN_f64 SN_F64
static const ConvFn convs[SN_NDTYPES][SN_NDTYPES] = {
    ROW(bool), ROW(i8), ROW(u8), ROW(i32), ROW(i64), ROW(f16), ROW(bf16), ROW(f32), ROW(f64),
};

/* --- the fast paths ----------------------------------------------------------------------- */

/* bf16 -> f32 is a 16-bit shift; the reference loop, which compilers vectorise. */
static void widen_bf16_plain(float *restrict dst, const uint16_t *restrict src, int64_t n) {
  uint32_t *d = (uint32_t *)dst;
  for (int64_t i = 0; i < n; i++) d[i] = (uint32_t)src[i] << 16;
}

#ifdef __AVX512F__
/* 32 elements a step: zero-extend 16 -> 32 bits and shift, stored with non-temporal stores
 * once the destination is aligned to a cache line. */
static void widen_bf16_stream(float *restrict dst, const uint16_t *restrict src, int64_t n) {
  int64_t head = (int64_t)(((SN_ALIGN - (uintptr_t)dst % SN_ALIGN) % SN_ALIGN) / 4);
  if (head > n) head = n;
  widen_bf16_plain(dst, src, head);
  int64_t i = head;
  for (; i + 32 <= n; i += 32) {
    __m512i lo = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(src + i)));
    __m512i hi = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(src + i + 16)));
    _mm512_stream_si512((__m512i *)(dst + i), _mm512_slli_epi32(lo, 16));
    _mm512_stream_si512((__m512i *)(dst + i + 16), _mm512_slli_epi32(hi, 16));
  }
  _mm_sfence();
  widen_bf16_plain(dst + i, src + i, n - i);
}
#endif

static void widen_bf16(float *dst, const uint16_t *src, int64_t n, int stream) {
#ifdef __AVX512F__
  if (stream) {
    widen_bf16_stream(dst, src, n);
    return;
  }
#endif
  (void)stream;
  widen_bf16_plain(dst, src, n);
}

static void narrow_bf16(uint16_t *restrict dst, const float *restrict src, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i] = f32_to_bf16(src[i]);
}

static void widen_f16(float *restrict dst, const uint16_t *restrict src, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i] = f16_to_f32(src[i]);
}

static void narrow_f16(uint16_t *restrict dst, const float *restrict src, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i] = f32_to_f16(src[i]);
}

static void convert_range(char *dst, SnDtype dt, const char *src, SnDtype st, int64_t n,
                          int stream) {
  if (st == dt) memcpy(dst, src, (size_t)n * sn_dtype_size(st));
  else if (st == SN_BF16 && dt == SN_F32) widen_bf16((float *)dst, (const uint16_t *)src, n, stream);
  else if (st == SN_F32 && dt == SN_BF16) narrow_bf16((uint16_t *)dst, (const float *)src, n);
  else if (st == SN_F16 && dt == SN_F32) widen_f16((float *)dst, (const uint16_t *)src, n);
  else if (st == SN_F32 && dt == SN_F16) narrow_f16((uint16_t *)dst, (const float *)src, n);
  else convs[st][dt](dst, src, n);
}

typedef struct ConvertJob {
  char *dst;
  const char *src;
  SnDtype dt, st;
  int64_t n;
  int stream;
} ConvertJob;

/* Chunks are cut at multiples of 16 elements so each starts on a cache line when dst does. */
static int32_t convert_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  (void)c;
  const ConvertJob *j = ctx;
  lo &= ~(int64_t)15;
  hi = hi == j->n ? hi : hi & ~(int64_t)15;
  convert_range(j->dst + lo * (int64_t)sn_dtype_size(j->dt), j->dt,
                j->src + lo * (int64_t)sn_dtype_size(j->st), j->st, hi - lo, j->stream);
  return 0;
}

SnStatus sn_convert(void *dst, SnDtype dst_dtype, const void *src, SnDtype src_dtype, int64_t n) {
  if ((unsigned)dst_dtype >= SN_NDTYPES || (unsigned)src_dtype >= SN_NDTYPES)
    return sn_error_set("invalid dtype in a conversion (%d to %d)", (int)src_dtype, (int)dst_dtype);
  if (n <= 0) return 0;
  ConvertJob j = {dst, src, dst_dtype, src_dtype, n,
                  (uint64_t)n * sn_dtype_size(dst_dtype) >= CONVERT_STREAM_BYTES};
  return sn_parallel_for(n, n < CONVERT_PARALLEL_MIN ? 1 : sn_parallel_chunks(n, CONVERT_GRAIN),
                         convert_chunk, &j);
}
