/* flatnonzero.c: the row-major positions of a mask's true elements (NumPy's flatnonzero), which
 * the compiler reads `x[mask]` through: its size is known only once the mask is. */
#include "core/rt_core.h"
#include "sinter/abi.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A chunk is this many elements at least: the chunks' counts are added, then each chunk writes
 * its positions from its offset, on every core (a model merge's band of candidates, from masks
 * of 65 M elements). */
#define FLATNONZERO_GRAIN (1 << 18)

typedef struct {
  const SnTensor *mask;
  int64_t *count; /* per chunk, then its first position's offset */
  int64_t chunks;
  int64_t last;   /* the last chunk's count */
  int64_t *out;   /* NULL while counting */
} Nonzero;

static int32_t nonzero_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  Nonzero *z = ctx;
  const SnTensor *m = z->mask;
  const uint8_t *b = (m->flags & SN_CONTIGUOUS) ? m->data : NULL;
  if (!z->out) {
    int64_t count = 0;
    if (b)
      for (int64_t i = lo; i < hi; i++) count += b[i] != 0;
    else
      for (int64_t i = lo; i < hi; i++) count += *(const uint8_t *)sn_tensor_at(m, i) != 0;
    z->count[c] = count;
    return 0;
  }
  int64_t *p = z->out + z->count[c], *end = p + (c + 1 < z->chunks ? z->count[c + 1] - z->count[c] : z->last), i = lo;
  if (b) {
    /* eight elements at a time: skipped where none is true, else each position stored and kept
     * when true (no branch to mispredict), while eight stores fit before the next chunk's */
    for (; i + 8 <= hi && end - p >= 8; i += 8) {
      uint64_t w;
      memcpy(&w, b + i, sizeof w);
      if (!w) continue;
      for (int j = 0; j < 8; j++) {
        *p = i + j;
        p += b[i + j] != 0;
      }
    }
    for (; i < hi; i++)
      if (b[i]) *p++ = i;
  } else {
    for (; i < hi; i++)
      if (*(const uint8_t *)sn_tensor_at(m, i)) *p++ = i;
  }
  return 0;
}

SnTensor *sn_flatnonzero(const SnTensor *mask) {
  int64_t n = sn_tensor_numel(mask), chunks = sn_parallel_chunks(n, FLATNONZERO_GRAIN), total = 0;
  Nonzero z = {.mask = mask, .count = malloc((size_t)(chunks ? chunks : 1) * sizeof *z.count), .chunks = chunks};
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
      z.last = k;
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
