/* lse_c.c: the fused pairwise log-sum-exp f[i] = lse_j -|x_i - y_j|^2 / eps written by hand as
 * a careful C programmer would, the reference sinter's fused lse is measured against:
 *   - the second cloud as a structure of arrays (y0[j], y1[j], y2[j]), made once, so every load
 *     of the j loops is contiguous;
 *   - rows over OpenMP threads (dynamic, in blocks), ROWS rows at a time so that each tile of y
 *     read from memory serves them all;
 *   - each row's values in tiles of TILE in a stack buffer: one pass computes the tile and its
 *     maximum, a second sums exp(v - max) with an exp polynomial the compiler vectorises
 *     (Cody-Waite reduction, Cephes' degree-6 expf polynomial, 2^n from the exponent bits,
 *     within 2 ulp), and a running (max, sum) is rescaled when the maximum grows;
 *   - no -ffast-math: the reductions are vectorised by `omp simd`.
 * Reads x and y from .npy files (the same data sinter and NumPy use); prints the best time in
 * seconds and the sum of f. Usage: lse_c x.npy y.npy eps */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TILE 1024
#define ROWS 4

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

/* exp(x) for x <= 0, the argument clamped at -87 (exp(-87) = 1.6e-38, still normal). */
static inline float exp_neg(float x) {
  x = x > -87.0f ? x : -87.0f;
  float n = (x * 1.44269504f + 12582912.0f) - 12582912.0f; /* round(x / ln 2) */
  float r = x - n * 0.693359375f - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float e = p * r * r + r + 1.0f;
  union { int32_t i; float f; } s = {.i = ((int32_t)n + 127) << 23};
  return e * s.f;
}

/* f[i0 .. i0 + ROWS - 1] (rows past n repeat the last). */
static void rows(const float *x, long n, const float *y0, const float *y1, const float *y2, long m, float inv_eps,
                 long i0, float *f) {
  float buf[ROWS][TILE], xi[ROWS][3], mx[ROWS], sum[ROWS];
  for (int r = 0; r < ROWS; r++) {
    long i = i0 + r < n ? i0 + r : n - 1;
    for (int k = 0; k < 3; k++) xi[r][k] = x[i * 3 + k];
    mx[r] = -INFINITY;
    sum[r] = 0;
  }
  for (long j0 = 0; j0 < m; j0 += TILE) {
    long len = m - j0 < TILE ? m - j0 : TILE;
    for (int r = 0; r < ROWS; r++) {
      float a0 = xi[r][0], a1 = xi[r][1], a2 = xi[r][2], tmax = -INFINITY;
      float *v = buf[r];
#pragma omp simd
      for (long j = 0; j < len; j++) {
        float d0 = a0 - y0[j0 + j], d1 = a1 - y1[j0 + j], d2 = a2 - y2[j0 + j];
        v[j] = -(d0 * d0 + d1 * d1 + d2 * d2) * inv_eps;
      }
#pragma omp simd reduction(max : tmax)
      for (long j = 0; j < len; j++) tmax = v[j] > tmax ? v[j] : tmax;
      float newmax = tmax > mx[r] ? tmax : mx[r], s = 0;
#pragma omp simd reduction(+ : s)
      for (long j = 0; j < len; j++) s += exp_neg(v[j] - newmax);
      sum[r] = sum[r] * (mx[r] == -INFINITY ? 0 : exp_neg(mx[r] - newmax)) + s;
      mx[r] = newmax;
    }
  }
  for (int r = 0; r < ROWS && i0 + r < n; r++) f[r] = mx[r] + logf(sum[r]);
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  long n, m;
  float *x = load(argv[1], &n), *y = load(argv[2], &m);
  const float inv_eps = 1.0f / (float)atof(argv[3]);
  if (!x || !y) return 2;
  float *f = malloc(sizeof(float) * (size_t)n);
  float *yt = malloc(sizeof(float) * (size_t)m * 3);
  double best = 1e9;
  for (int rep = 0; rep < 3; rep++) {
    double t0 = omp_get_wtime();
    for (long j = 0; j < m; j++)
      for (int k = 0; k < 3; k++) yt[k * m + j] = y[j * 3 + k];
#pragma omp parallel for schedule(dynamic, 4)
    for (long b = 0; b < (n + ROWS - 1) / ROWS; b++) rows(x, n, yt, yt + m, yt + 2 * m, m, inv_eps, b * ROWS, f + b * ROWS);
    double t = omp_get_wtime() - t0;
    if (t < best) best = t;
  }
  double total = 0;
  for (long i = 0; i < n; i++) total += f[i];
  printf("%.6f %.6f\n", best, total);
  return 0;
}
