/* flatnonzero.c: the row-major positions of a mask's true elements (NumPy's flatnonzero), which
 * the compiler reads `x[mask]` through: its size is known only once the mask is. */
#include "core/rt_core.h"
#include "sinter/abi.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __AVX512BW__
#include <immintrin.h>
#endif

/* A chunk is this many elements at least: the chunks' counts are added, then each chunk writes
 * its positions from its offset, on every core (a model merge's band of candidates, from masks
 * of 65 M elements). */
#define FLATNONZERO_GRAIN (1 << 18)

/* While counting, a chunk keeps the positions it finds, up to one for this many of its elements,
 * in its part of a scratch tensor (8 bytes a position: half the mask's bytes; a large one is a
 * kept mapping, runtime/core/buffer.c, not memory faulted in afresh), and copies them out; a
 * denser chunk reads its mask again to write them. A sparse mask (a merge's few candidates) is
 * then read once. */
#define FLATNONZERO_KEEP 16

typedef struct {
  const SnTensor *mask;
  int64_t *count; /* per chunk, then its first position's offset (one more: the total) */
  int64_t *kept;  /* chunk c's positions found while counting from kept + c * room */
  int64_t room;   /* positions a chunk may keep */
  bool *full;     /* per chunk: it found more than `room` */
  int64_t *out;   /* NULL while counting */
} Nonzero;

/* Counting (out NULL): chunk c's true elements, their positions kept while they fit; then the
 * positions written out, copied from those kept or found again in the mask. */
static int32_t nonzero_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  Nonzero *z = ctx;
  int64_t *kept = z->kept + c * z->room;
  if (z->out && !z->full[c]) {
    memcpy(z->out + z->count[c], kept, (size_t)(z->count[c + 1] - z->count[c]) * sizeof *z->out);
    return 0;
  }
  const SnTensor *m = z->mask;
  const uint8_t *b = (m->flags & SN_CONTIGUOUS) ? m->data : NULL;
  /* p: where positions are written (the output, or kept while they fit) */
  int64_t *p = z->out ? z->out + z->count[c] : kept, *end = kept + z->room, count = 0, i = lo;
#ifdef __AVX512BW__
  /* 64 elements at a time: a bit per true element, counted, its positions stored */
  for (; b && i + 64 <= hi; i += 64) {
    __m512i v = _mm512_loadu_si512((const void *)(b + i));
    uint64_t bits = _mm512_test_epi8_mask(v, v);
    if (!bits) continue;
    if (!z->out) {
      int64_t k = __builtin_popcountll(bits);
      count += k;
      if (p && p + k > end) p = NULL;
    }
    for (; p && bits; bits &= bits - 1) *p++ = i + __builtin_ctzll(bits);
  }
#endif
  for (; i < hi; i++) {
    if ((b ? b[i] : *(const uint8_t *)sn_tensor_at(m, i)) == 0) continue;
    if (!z->out) {
      count++;
      if (p == end) p = NULL;
    }
    if (p) *p++ = i;
  }
  if (!z->out) {
    z->count[c] = count;
    z->full[c] = !p;
  }
  return 0;
}

SnTensor *sn_flatnonzero(const SnTensor *mask) {
  int64_t n = sn_tensor_numel(mask), chunks = sn_parallel_chunks(n, FLATNONZERO_GRAIN), total = 0;
  Nonzero z = {.mask = mask, .room = (chunks ? n / chunks + 1 : 0) / FLATNONZERO_KEEP};
  int64_t kept_n = chunks * z.room;
  SnTensor *pos = NULL, *kept = sn_tensor_new(SN_I64, 1, &kept_n);
  z.count = malloc((size_t)(chunks + 1) * sizeof *z.count);
  z.full = malloc((size_t)(chunks ? chunks : 1) * sizeof *z.full);
  if (!kept || !z.count || !z.full) {
    sn_error_set("out of memory");
    goto done;
  }
  z.kept = kept->data;
  if (!sn_parallel_for(n, chunks, nonzero_chunk, &z)) {
    for (int64_t c = 0; c < chunks; c++) {
      int64_t k = z.count[c];
      z.count[c] = total;
      total += k;
    }
    z.count[chunks] = total;
    pos = sn_tensor_new(SN_I64, 1, &total);
  }
  if (pos && (z.out = pos->data) && sn_parallel_for(n, chunks, nonzero_chunk, &z)) {
    sn_tensor_release(pos);
    pos = NULL;
  }
done:
  sn_tensor_release(kept);
  free(z.full);
  free(z.count);
  return pos;
}
