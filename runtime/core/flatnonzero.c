/* flatnonzero.c: the row-major positions of a mask's true elements (NumPy's flatnonzero), which
 * the compiler reads `x[mask]` through: its size is known only once the mask is. */
#include "core/rt_core.h"
#include "sinter/abi.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#ifdef __AVX512BW__
#include <immintrin.h>
#endif

/* A chunk is this many elements at least: the chunks' counts are added, then each chunk writes
 * its positions from its offset, on every core (a model merge's band of candidates, from masks
 * of 65 M elements). */
#define FLATNONZERO_GRAIN (1 << 18)

typedef struct {
  const SnTensor *mask;
  int64_t *count; /* per chunk, then its first position's offset */
  int64_t *out;   /* NULL while counting */
} Nonzero;

static int32_t nonzero_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  Nonzero *z = ctx;
  const SnTensor *m = z->mask;
  const uint8_t *b = (m->flags & SN_CONTIGUOUS) ? m->data : NULL;
  int64_t *p = z->out ? z->out + z->count[c] : NULL, count = 0, i = lo;
#ifdef __AVX512BW__
  /* 64 elements at a time: a bit per true element, counted, or its positions stored */
  for (; b && i + 64 <= hi; i += 64) {
    __m512i v = _mm512_loadu_si512((const void *)(b + i));
    uint64_t bits = _mm512_test_epi8_mask(v, v);
    if (!p) count += __builtin_popcountll(bits);
    for (; p && bits; bits &= bits - 1) *p++ = i + __builtin_ctzll(bits);
  }
#endif
  for (; i < hi; i++) {
    bool on = (b ? b[i] : *(const uint8_t *)sn_tensor_at(m, i)) != 0;
    if (!p) count += on;
    else if (on) *p++ = i;
  }
  if (!p) z->count[c] = count;
  return 0;
}

SnTensor *sn_flatnonzero(const SnTensor *mask) {
  int64_t n = sn_tensor_numel(mask), chunks = sn_parallel_chunks(n, FLATNONZERO_GRAIN), total = 0;
  Nonzero z = {.mask = mask, .count = malloc((size_t)(chunks ? chunks : 1) * sizeof *z.count)};
  if (!z.count) {
    sn_error_set("out of memory");
    return NULL;
  }
  SnTensor *pos = NULL;
  if (!sn_parallel_for(n, chunks, nonzero_chunk, &z)) {
    for (int64_t c = 0; c < chunks; c++) {
      int64_t k = z.count[c];
      z.count[c] = total;
      total += k;
    }
    pos = sn_tensor_new(SN_I64, 1, &total);
  }
  if (pos && (z.out = pos->data) && sn_parallel_for(n, chunks, nonzero_chunk, &z)) {
    sn_tensor_release(pos);
    pos = NULL;
  }
  free(z.count);
  return pos;
}
