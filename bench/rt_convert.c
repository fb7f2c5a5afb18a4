/* rt_convert.c: bf16 -> f32 conversion throughput (loading a model) against the machine's memory
 * bandwidth, measured in the same run: memcpy (one thread) and a STREAM-style triad (all the
 * runtime's threads); and f32 -> bf16 (a merge writing bf16). Bandwidth counts bytes read plus
 * bytes written; the best of several repetitions is kept. Prints one line per measurement and
 * the ratio bf16 -> f32 / best bandwidth. */
#include "sinter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Far larger than any cache, so every run streams from memory. */
#define N (64L << 20)
#define REPS 7

static double best(double a, double b) { return a > b ? a : b; }

typedef struct Triad {
  float *a;
  const float *b, *f;
} Triad;

static int32_t triad_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  (void)c;
  Triad *t = ctx;
  for (int64_t i = lo; i < hi; i++) t->a[i] = t->b[i] + 3.0f * t->f[i];
  return 0;
}

int main(void) {
  uint16_t *h = aligned_alloc(64, N * 2);
  float *f = aligned_alloc(64, N * 4), *a = aligned_alloc(64, N * 4), *b = aligned_alloc(64, N * 4);
  if (!h || !f || !a || !b) return 1;
  memset(h, 0x3f, N * 2);
  memset(f, 0, N * 4);
  memset(a, 0, N * 4);
  memset(b, 0, N * 4);
  double copy = 0, triad = 0, conv = 0, narrow = 0;
  Triad job = {a, b, f};
  for (int r = 0; r < REPS; r++) {
    double t0 = sn_now();
    memcpy(a, f, N * 4);
    double t1 = sn_now();
    copy = best(copy, 2.0 * N * 4 / (t1 - t0));
    sn_parallel_for(N, sn_parallel_chunks(N, 1 << 16), triad_chunk, &job);
    double t2 = sn_now();
    triad = best(triad, 3.0 * N * 4 / (t2 - t1));
    sn_convert(f, SN_F32, h, SN_BF16, N);
    double t3 = sn_now();
    conv = best(conv, (2.0 + 4.0) * N / (t3 - t2));
    sn_convert(h, SN_BF16, f, SN_F32, N);
    double t4 = sn_now();
    narrow = best(narrow, (4.0 + 2.0) * N / (t4 - t3));
  }
  double bw = best(copy, triad);
  printf("memcpy           %6.2f GB/s\n", copy / 1e9);
  printf("triad (%d thr)    %6.2f GB/s\n", sn_num_threads(), triad / 1e9);
  printf("bf16->f32        %6.2f GB/s  (%.2f Gelem/s)\n", conv / 1e9, conv / 6e9);
  printf("f32->bf16        %6.2f GB/s  (%.2f Gelem/s)\n", narrow / 1e9, narrow / 6e9);
  printf("bf16->f32 / best bandwidth = %.2f\n", conv / bw);
  free(h);
  free(f);
  free(a);
  free(b);
  return 0;
}
