/* sgemm.c: OpenBLAS sgemm on n x n f32 matrices, called from C: the best of several runs, in
 * seconds. Usage: sgemm N */
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2048;
  float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
  for (long i = 0; i < (long)n * n; i++) a[i] = (float)(i % 7) * 0.25f, b[i] = (float)(i % 5) * 0.5f;
  double best = 1e9;
  for (int rep = 0; rep < 5; rep++) {
    double t0 = omp_get_wtime();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    double t = omp_get_wtime() - t0;
    if (t < best) best = t;
  }
  printf("%.6f\n", best);
  return c[0] < 0;
}
