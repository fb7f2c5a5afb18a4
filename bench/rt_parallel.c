/* rt_parallel.c: what a parallel loop costs against the work it shares, the measurement behind
 * PARALLEL_MIN_CHUNKS (compiler/codegen_llvm.c) and SN_SPIN_NS (runtime/core/parallel.c):
 *   - sn_parallel_for with empty chunks, one loop right after another (the workers still spin)
 *     and after a pause of 1 ms (they sleep, and a futex wakes them);
 *   - the time of one chunk as generated code sizes it (PARALLEL_GRAIN_WORK = 65536 estimated
 *     instructions): for x[i] = 0.5 x[i] + 1 (an estimate of 5 a value) 13107 values, on one
 *     thread, run serially and through sn_parallel_for.
 * Each figure is the median of many runs, in microseconds. */
#include "sinter.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define REPS 301
#define CHUNK 13107 /* 65536 / 5 */

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int32_t empty(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  (void)ctx, (void)c, (void)lo, (void)hi;
  return 0;
}

static int32_t axpb(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  (void)c;
  double *x = ctx;
  for (int64_t i = lo; i < hi; i++) x[i] = 0.5 * x[i] + 1.0;
  return 0;
}

/* The median time of sn_parallel_for (or sn_serial_for) over nchunks chunks of CHUNK values,
 * with `pause_us` of sleep between runs. */
static double median_us(SnStatus (*run)(int64_t, int64_t, SnChunkFn, void *), SnChunkFn body, double *x,
                        int64_t nchunks, int pause_us) {
  static double t[REPS];
  for (int r = 0; r < REPS; r++) {
    if (pause_us) nanosleep(&(struct timespec){0, pause_us * 1000L}, NULL);
    double t0 = sn_now();
    if (run(nchunks * CHUNK, nchunks, body, x)) exit(1);
    t[r] = (sn_now() - t0) * 1e6;
  }
  qsort(t, REPS, sizeof *t, cmp);
  return t[REPS / 2];
}

int main(void) {
  double *x = calloc(64 * CHUNK, sizeof *x);
  if (!x) return 1;
  printf("threads %d\n", sn_num_threads());
  printf("empty loop, 16 chunks, back to back   %7.2f us\n", median_us(sn_parallel_for, empty, x, 16, 0));
  printf("empty loop, 16 chunks, after 1 ms     %7.2f us\n", median_us(sn_parallel_for, empty, x, 16, 1000));
  printf("x = 0.5 x + 1 in chunks of %d values: serial, parallel (speed-up); the same after 1 ms\n", CHUNK);
  for (int64_t nc = 1; nc <= 64; nc *= 2) {
    double s = median_us(sn_serial_for, axpb, x, nc, 0), p = median_us(sn_parallel_for, axpb, x, nc, 0);
    double s1 = median_us(sn_serial_for, axpb, x, nc, 1000), p1 = median_us(sn_parallel_for, axpb, x, nc, 1000);
    printf("%3ld chunks  %8.2f %8.2f us (%.2fx)   %8.2f %8.2f us (%.2fx)\n", (long)nc, s, p, s / p, s1, p1, s1 / p1);
  }
  free(x);
  return 0;
}
