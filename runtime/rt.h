/* rt.h: declarations shared by the runtime's files and kept out of the public API. */
#ifndef SN_RT_H
#define SN_RT_H

#include "sinter.h"

#include <string.h>
#include <sys/stat.h>

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

/* sn_expsum and sn_expsumf one element at a time: the same bits as the vector kernels
 * (runtime/expsum.c), which run them where neither AVX-512 nor AVX2 is present; tests compare
 * the two. */
double snrt_expsum_portable(const double *v, int64_t n, double m);
float snrt_expsumf_portable(const float *v, int64_t n, float m);

/* v truncated toward zero and clamped to [lo, hi]; NaN gives 0. Converting an out-of-range
 * float to an integer type is undefined in C, hence the checks before the cast. */
static inline int64_t snrt_f64_to_int(double v, int64_t lo, int64_t hi) {
  if (v != v) return 0;
  if (v <= (double)lo) return lo;
  /* (double)INT64_MAX rounds up to 2^63, so values below it are in range. */
  if (v >= (double)hi) return hi;
  return (int64_t)v;
}

/* --- transport: what the solvers share (defined in transport_exact.c) ----------------------- */

/* Totals that differ by at most this (relative) count as equal, and b is rescaled to a's total,
 * as POT's ot.emd does (its check is numpy's assert_almost_equal: 1.5e-7, on weights that sum
 * to 1). A larger gap is a mistake in the data and is reported. */
#define SN_OT_MASS_RTOL 1.5e-7

/* A solve's result as generated code takes it apart: the exact solvers fill emd; the entropic
 * ones leave their potentials f, g in emd.u, emd.v, the parts SN_OT_F and SN_OT_G. */
struct SnOtCall {
  SnOtEmdResult emd;
  double scalars[SN_OT_NSCALARS];
};

/* An error naming x[k] (or x[i, j] when cols > 1) when an element is Inf or NaN; fn and name
 * start the message. */
SnStatus snrt_ot_check_finite(const char *fn, const char *name, const double *x, int64_t rows,
                              int64_t cols);
/* t's elements as a contiguous f64 array: t's own data when it is one already, else a converted
 * copy left in *hold (release it after). NULL (message set) when t has the wrong rank, holds
 * bools, or memory runs out. */
const double *snrt_ot_as_f64(const char *fn, const char *name, const SnTensor *t, int64_t rank,
                             SnTensor **hold);
/* An error "fn: size mismatch: what_a is na but what_b is nb" unless na == nb. */
SnStatus snrt_ot_size_match(const char *fn, const char *what_a, int64_t na, const char *what_b,
                            int64_t nb);
/* A starting potential: t's elements as a new f64 vector of length len (zeros when t is NULL);
 * NULL (message set) when t is not a vector of that length. */
SnTensor *snrt_ot_start_potential(const char *fn, const char *name, const char *length,
                                  const SnTensor *t, int64_t len, const char *what);
/* Reports the current message at `where` and frees r (may be NULL); returns NULL. */
SnOtCall *snrt_ot_call_failed(const char *where, SnOtCall *r);

#endif
