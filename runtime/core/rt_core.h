/* rt_core.h: what the runtime's files share of the core layer and keep out of the public API:
 * float bits, the size of a message, a buffer's layout, and the dtype facts that parsing and
 * conversion share. Every layer above may include it. */
#ifndef SN_RT_CORE_H
#define SN_RT_CORE_H

#include "sinter/core.h"

#include <string.h>

/* A float's bits and back (memcpy: no aliasing questions; compiles to a register move). */
static inline uint32_t sn_f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

static inline float sn_f32_from(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static inline uint64_t sn_f64_bits(double f) {
  uint64_t u;
  memcpy(&u, &f, 8);
  return u;
}

static inline double sn_f64_from(uint64_t u) {
  double f;
  memcpy(&f, &u, 8);
  return f;
}

/* Room for an error message: a file path, a location with its source line, and two shapes. */
#define SN_ERROR_MAX 4096

/* Each dtype's name and element size: the table behind sn_dtype_name and sn_dtype_size, read
 * directly where a tensor's elements are addressed. */
static const struct { const char *name; size_t size; } snrt_dtypes[SN_NDTYPES] = {
    [SN_BOOL] = {"bool", 1}, [SN_I8] = {"i8", 1},     [SN_U8] = {"u8", 1},
    [SN_I32] = {"i32", 4},   [SN_I64] = {"i64", 8},   [SN_F16] = {"f16", 2},
    [SN_BF16] = {"bf16", 2}, [SN_F32] = {"f32", 4},   [SN_F64] = {"f64", 8},
};

/* Tensor data and owned buffers are aligned for the widest vector loads (AVX-512) and a
 * cache line. */
#define SN_ALIGN 64

struct SnBuffer {
  int64_t refcount;  /* one per tensor viewing it, plus any holder (an open file, a write queued) */
  SnBufferKind kind; /* how the bytes are released: free, or munmap */
  void *data;        /* the first byte; for an owned buffer it follows this header */
  size_t size;       /* bytes */
  size_t capacity;   /* an owned buffer mapped on its own: the mapping's bytes, which a reused one
                      * may have more of than its size needs (0: a heap block) */
};

/* A buffer over a mapping made with mmap (len bytes at map; map may be NULL when len is 0);
 * the buffer unmaps it when the last reference goes. NULL (with a message) on no memory, and
 * the mapping is then unmapped. */
SnBuffer *snrt_buffer_from_mapping(void *map, size_t len);

/* Appends to the current message (a hint below it), within SN_ERROR_MAX. */
void snrt_error_append(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Marks the current message as one about a program argument (see sn_error_is_usage). */
void snrt_error_mark_usage(int usage);

/* v truncated toward zero and clamped to [lo, hi]; NaN gives 0. Converting an out-of-range
 * float to an integer type is undefined in C, hence the checks before the cast. */
static inline int64_t snrt_f64_to_int(double v, int64_t lo, int64_t hi) {
  if (v != v) return 0;
  if (v <= (double)lo) return lo;
  /* (double)INT64_MAX rounds up to 2^63, so values below it are in range. */
  if (v >= (double)hi) return hi;
  return (int64_t)v;
}

/* SNRT_STABLE_SORT(name, T) defines `static void name(T *v, T *tmp, int64_t n)`, a stable sort
 * of v[0..n) by the field `key` (compared with <) with room for n more in tmp: insertion sort
 * makes runs of SNRT_SORT_RUN, then merges bottom-up. Equal keys keep their order, so the result
 * is the only stable order, whatever the threads (math/sort.c's lines, ot/common.c's atoms on the line). */
#define SNRT_SORT_RUN 16
#define SNRT_STABLE_SORT(name, T)                                                                  \
  static void name(T *v, T *tmp, int64_t n) {                                                      \
    for (int64_t lo = 0; lo < n; lo += SNRT_SORT_RUN) {                                            \
      int64_t hi = lo + SNRT_SORT_RUN < n ? lo + SNRT_SORT_RUN : n;                                \
      for (int64_t i = lo + 1; i < hi; i++) {                                                      \
        T x = v[i];                                                                                \
        int64_t j = i;                                                                             \
        for (; j > lo && x.key < v[j - 1].key; j--) v[j] = v[j - 1];                               \
        v[j] = x;                                                                                  \
      }                                                                                            \
    }                                                                                              \
    T *src = v, *dst = tmp;                                                                        \
    for (int64_t w = SNRT_SORT_RUN; w < n; w *= 2) {                                               \
      for (int64_t lo = 0; lo < n; lo += 2 * w) {                                                  \
        int64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;               \
        int64_t i = lo, j = mid, k = lo;                                                           \
        while (i < mid && j < hi) dst[k++] = src[j].key < src[i].key ? src[j++] : src[i++];        \
        while (i < mid) dst[k++] = src[i++];                                                       \
        while (j < hi) dst[k++] = src[j++];                                                        \
      }                                                                                            \
      T *t = src;                                                                                  \
      src = dst;                                                                                   \
      dst = t;                                                                                     \
    }                                                                                              \
    if (src != v) memcpy(v, src, (size_t)n * sizeof *v);                                           \
  }

/* Does dtype hold v: an integer type exactly, a floating type as a finite value once rounded (an
 * infinity or NaN written as such is kept, as NumPy keeps float("inf")). */
int snrt_dtype_holds(double v, SnDtype dtype);
/* The values a numeric dtype holds, for messages ("-128 to 127"). */
const char *snrt_dtype_range(SnDtype dtype);

#endif
