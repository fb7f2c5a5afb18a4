/* rt_convert.c: bf16 -> f32 conversion throughput against the machine's memory bandwidth,
 * measured in the same run: memcpy (one thread) and a STREAM-style triad (all threads).
 * Bandwidth counts bytes read plus bytes written; the best of several repetitions is kept.
 * Prints one line per measurement and the ratio conversion / best bandwidth. */
#include "sinter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Far larger than any cache, so every run streams from memory. */
#define N (64L << 20)
#define REPS 7

static double best(double a, double b) { return a > b ? a : b; }

int main(void) {
  uint16_t *h = aligned_alloc(64, N * 2);
  float *f = aligned_alloc(64, N * 4), *a = aligned_alloc(64, N * 4), *b = aligned_alloc(64, N * 4);
  if (!h || !f || !a || !b) return 1;
  memset(h, 0x3f, N * 2);
  memset(f, 0, N * 4);
  memset(a, 0, N * 4);
  memset(b, 0, N * 4);
  double copy = 0, triad = 0, conv = 0;
  for (int r = 0; r < REPS; r++) {
    double t0 = sn_now();
    memcpy(a, f, N * 4);
    double t1 = sn_now();
    copy = best(copy, 2.0 * N * 4 / (t1 - t0));
#pragma omp parallel for schedule(static)
    for (long i = 0; i < N; i++) a[i] = b[i] + 3.0f * f[i];
    double t2 = sn_now();
    triad = best(triad, 3.0 * N * 4 / (t2 - t1));
    sn_convert(f, SN_F32, h, SN_BF16, N);
    double t3 = sn_now();
    conv = best(conv, (2.0 + 4.0) * N / (t3 - t2));
  }
  double bw = best(copy, triad);
  printf("memcpy           %6.2f GB/s\n", copy / 1e9);
  printf("triad (%d thr)    %6.2f GB/s\n", sn_num_threads(), triad / 1e9);
  printf("bf16->f32        %6.2f GB/s  (%.2f Gelem/s)\n", conv / 1e9, conv / 6e9);
  printf("bf16->f32 / best bandwidth = %.2f\n", conv / bw);
  free(h);
  free(f);
  free(a);
  free(b);
  return 0;
}
