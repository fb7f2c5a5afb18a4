/* rt_normal.c: normal random numbers per second, f32 and f64, on one thread (the kernel) and
 * on all threads (a tensor), best of several repetitions. Usage: rt_normal [NUMPY_F64 NUMPY_F32],
 * NumPy's default_rng().standard_normal rates in M/s (bench/rt_normal.py measures them), for
 * the ratios. */
#include "sinter.h"

#include <stdio.h>
#include <stdlib.h>

#define N (1L << 24)
#define REPS 5

int main(int argc, char **argv) {
  float *f = malloc(N * sizeof *f);
  double *d = malloc(N * sizeof *d);
  if (!f || !d) return 1;
  double bf = 0, bd = 0, tf = 0, td = 0;
  int64_t shape[1] = {N};
  for (int r = 0; r < REPS; r++) {
    double t0 = sn_now();
    sn_rng_normal_f32(sn_rng(r), 0, N, f);
    double t1 = sn_now();
    sn_rng_normal_f64(sn_rng(r), 0, N, d);
    double t2 = sn_now();
    SnTensor *a = sn_rng_normal(sn_rng(r), SN_F32, 1, shape);
    double t3 = sn_now();
    SnTensor *b = sn_rng_normal(sn_rng(r), SN_F64, 1, shape);
    double t4 = sn_now();
    sn_tensor_release(a);
    sn_tensor_release(b);
    if (N / (t1 - t0) > bf) bf = N / (t1 - t0);
    if (N / (t2 - t1) > bd) bd = N / (t2 - t1);
    if (N / (t3 - t2) > tf) tf = N / (t3 - t2);
    if (N / (t4 - t3) > td) td = N / (t4 - t3);
  }
  printf("sinter normal f32, 1 thread:  %7.1f M/s\n", bf / 1e6);
  printf("sinter normal f64, 1 thread:  %7.1f M/s\n", bd / 1e6);
  printf("sinter normal f32, %d threads: %7.1f M/s\n", sn_num_threads(), tf / 1e6);
  printf("sinter normal f64, %d threads: %7.1f M/s\n", sn_num_threads(), td / 1e6);
  if (argc > 2) {
    double np64 = atof(argv[1]) * 1e6, np32 = atof(argv[2]) * 1e6;
    printf("ratio to numpy f64 (its default): f32 tensor %.1fx, f64 tensor %.1fx, f64 1 thread %.1fx\n",
           tf / np64, td / np64, bd / np64);
    printf("ratio to numpy f32: f32 tensor %.1fx, f32 1 thread %.1fx\n", tf / np32, bf / np32);
  }
  free(f);
  free(d);
  return 0;
}
