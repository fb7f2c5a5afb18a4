/* lse_c.c: the fused pairwise log-sum-exp f[i] = lse_j -|x_i - y_j|^2 / eps written by hand, as
 * one would in C: rows over OpenMP threads, a max pass then a sum of expf. Reads x and y from
 * .npy files (the same data sinter and NumPy use); prints the best time in seconds and the sum
 * of f. Usage: lse_c x.npy y.npy eps */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A little-endian f32 .npy file of shape (n, 3) written by NumPy (the header is skipped). */
static float *load(const char *path, long *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned char pre[10];
  if (fread(pre, 1, 10, f) != 10) return NULL;
  long hl = pre[8] | pre[9] << 8;
  char *h = malloc((size_t)hl + 1);
  if (fread(h, 1, (size_t)hl, f) != (size_t)hl) return NULL;
  h[hl] = 0;
  *n = atol(strchr(strstr(h, "shape"), '(') + 1);
  float *d = malloc(sizeof(float) * (size_t)*n * 3);
  if (fread(d, sizeof(float), (size_t)*n * 3, f) != (size_t)*n * 3) return NULL;
  fclose(f);
  free(h);
  return d;
}

int main(int argc, char **argv) {
  long n, m;
  float *x = load(argv[1], &n), *y = load(argv[2], &m);
  const float eps = (float)atof(argv[3]);
  if (!x || !y) return 2;
  float *f = malloc(sizeof(float) * (size_t)n);
  double best = 1e9;
  for (int rep = 0; rep < 3; rep++) {
    double t0 = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) {
      float mx = -INFINITY;
      for (long j = 0; j < m; j++) {
        float c = 0;
        for (int k = 0; k < 3; k++) {
          float t = x[i * 3 + k] - y[j * 3 + k];
          c += t * t;
        }
        float v = -c / eps;
        mx = v > mx ? v : mx;
      }
      float s = 0;
      for (long j = 0; j < m; j++) {
        float c = 0;
        for (int k = 0; k < 3; k++) {
          float t = x[i * 3 + k] - y[j * 3 + k];
          c += t * t;
        }
        s += expf(-c / eps - mx);
      }
      f[i] = mx + logf(s);
    }
    double t = omp_get_wtime() - t0;
    if (t < best) best = t;
  }
  double sum = 0;
  for (long i = 0; i < n; i++) sum += f[i];
  printf("%.6f %.6f\n", best, sum);
  return 0;
}
