/* rt.h: declarations shared by the runtime's files and kept out of the public API. */
#ifndef SN_RT_H
#define SN_RT_H

#include "sinter.h"

#include <sys/stat.h>

/* Room for an error message: a file path, a location with its source line, and two shapes. */
#define SN_ERROR_MAX 4096

/* Tensor data and owned buffers are aligned for the widest vector loads (AVX-512) and a
 * cache line. */
#define SN_ALIGN 64

struct SnBuffer {
  int64_t refcount;  /* one per tensor viewing it, plus any holder (an open file) */
  SnBufferKind kind; /* how the bytes are released: free, or munmap */
  void *data;        /* the first byte; for an owned buffer it follows this header */
  size_t size;       /* bytes */
};

/* A buffer over a mapping made with mmap (len bytes at map; map may be NULL when len is 0);
 * the buffer unmaps it when the last reference goes. NULL (with a message) on no memory, and
 * the mapping is then unmapped. */
SnBuffer *snrt_buffer_from_mapping(void *map, size_t len);

/* Records the file behind `st` as a program input (see sn_io_add_input). */
SnStatus snrt_io_add_input_stat(const struct stat *st, const char *path);

/* Length of the longest prefix of s[0..n) that is well-formed UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF); n when all of it is. */
size_t snrt_utf8_valid_prefix(const unsigned char *s, size_t n);

/* Element i of a draw, computed alone from its one Philox block: the reference that the batched
 * kernels in rng.c are checked against. */
typedef enum { SNRT_UNIFORM_F32, SNRT_UNIFORM_F64, SNRT_NORMAL_F32, SNRT_NORMAL_F64 } SnRngKind;
double snrt_rng_reference(SnRng r, SnRngKind kind, int64_t i);

/* v truncated toward zero and clamped to [lo, hi]; NaN gives 0. Converting an out-of-range
 * float to an integer type is undefined in C, hence the checks before the cast. */
static inline int64_t snrt_f64_to_int(double v, int64_t lo, int64_t hi) {
  if (v != v) return 0;
  if (v <= (double)lo) return lo;
  /* (double)INT64_MAX rounds up to 2^63, so values below it are in range. */
  if (v >= (double)hi) return hi;
  return (int64_t)v;
}

#endif
