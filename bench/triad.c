/* triad.c: the machine's memory bandwidth by the STREAM triad a[i] = b[i] + s*c[i] over
 * OpenMP threads, best of several runs, in GB/s (12 bytes an element, STREAM's convention).
 * Usage: triad N */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 64L << 20;
  float *a = aligned_alloc(64, (size_t)n * 4), *b = aligned_alloc(64, (size_t)n * 4), *c = aligned_alloc(64, (size_t)n * 4);
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++) a[i] = 0, b[i] = 1, c[i] = 2;
  double best = 1e9;
  for (int rep = 0; rep < 7; rep++) {
    double t0 = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) a[i] = b[i] + 0.5f * c[i];
    double t = omp_get_wtime() - t0;
    if (t < best) best = t;
  }
  printf("%.3f\n", 12.0 * (double)n / best / 1e9);
  return a[n / 2] != 2.0f;
}
