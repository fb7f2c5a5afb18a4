/* train_gemm.c: the GEMMs of one training step of an MLP d-h-c on a batch of b (forward X W1 and
 * H W2; backward dW2 = H^T dZ, dH = dZ W2^T, dW1 = X^T dA; the input needs no gradient), f32
 * through OpenBLAS called from C with its own threads: the best time of the five together over
 * several runs, in seconds. bench/train.sh compares a whole step of bench/train_mlp.dsl with it.
 * Usage: train_gemm d h c b */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static float *filled(long n) {
  float *p = malloc(sizeof(float) * (size_t)n);
  for (long i = 0; i < n; i++) p[i] = (float)(i % 7) * 0.25f - 0.5f;
  return p;
}

/* C[m x n] = op(A) op(B), row-major */
static void mm(int ta, int tb, int m, int n, int k, const float *A, const float *B, float *C) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, A,
              ta ? m : k, B, tb ? k : n, 0.0f, C, n);
}

int main(int argc, char **argv) {
  if (argc != 5) return 2;
  int d = atoi(argv[1]), h = atoi(argv[2]), c = atoi(argv[3]), b = atoi(argv[4]);
  float *X = filled((long)b * d), *W1 = filled((long)d * h), *W2 = filled((long)h * c);
  float *H = filled((long)b * h), *Z = filled((long)b * c), *dZ = filled((long)b * c);
  float *dH = filled((long)b * h), *dW1 = filled((long)d * h), *dW2 = filled((long)h * c);
  double best = 1e9;
  for (int rep = 0; rep < 20; rep++) {
    double t0 = now();
    mm(0, 0, b, h, d, X, W1, H);
    mm(0, 0, b, c, h, H, W2, Z);
    mm(1, 0, h, c, b, H, dZ, dW2);
    mm(0, 1, b, h, c, dZ, W2, dH);
    mm(1, 0, d, h, b, X, dH, dW1);
    double t = now() - t0;
    if (t < best) best = t;
  }
  printf("%.6f\n", best);
  return dW1[0] != dW1[0];
}
