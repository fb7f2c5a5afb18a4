/* sample_overhead.c: what bench/sample_overhead.dsl's steps cost when written as memory-bound C
 * loops over OpenMP threads: one pass per step over a 64 x 3 x 64 x 64 f32 batch doing the same
 * update with the identity denoiser D(x) = x (Euler, Heun or DPM-Solver++ 2M, their arithmetic as
 * stdlib/sample.dsl writes it, the result into a second buffer as an iterate's state is; Heun
 * writes its second evaluation's input, which a denoiser reads whole, in a pass of its own).
 * Prints: the best seconds per step of three runs, the mean of the result.
 * Usage: sample_overhead SAMPLER(0 euler, 1 heun, 2 dpmpp_2m) STEPS */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N (64L * 3 * 64 * 64)

static void karras(int steps, double *s) {
  double rho = 7.0, hi = pow(80.0, 1 / rho), lo = pow(0.002, 1 / rho);
  for (int i = 0; i < steps; i++) s[i] = pow(hi + (double)i / (steps - 1) * (lo - hi), rho);
  s[steps] = 0.0;
}

int main(int argc, char **argv) {
  int sampler = argc > 1 ? atoi(argv[1]) : 0, steps = argc > 2 ? atoi(argv[2]) : 200;
  float *x0 = aligned_alloc(64, N * 4), *x2 = aligned_alloc(64, N * 4), *bufs[3];
  for (int b = 0; b < 3; b++) bufs[b] = aligned_alloc(64, N * 4);
  double *sig = malloc((size_t)(steps + 1) * sizeof *sig);
  karras(steps, sig);
#pragma omp parallel for schedule(static)
  for (long e = 0; e < N; e++) x0[e] = 80.0f * (float)((e * 2654435761u) % 1000) / 1000.0f;
  double best = 1e9, m = 0;
  for (int rep = 0; rep < 3; rep++) {
    double t0 = omp_get_wtime();
    float *x = x0, *old = x0;
    for (int i = 0; i < steps; i++) {
      float *y = bufs[i % 3];
      if (y == x || y == old) y = bufs[(i + 1) % 3];
      if (y == x || y == old) y = bufs[(i + 2) % 3];
      float s = (float)sig[i], sn = (float)sig[i + 1], dt = sn - s;
      if (sampler == 0) {
#pragma omp parallel for schedule(static)
        for (long e = 0; e < N; e++) y[e] = x[e] + (x[e] - x[e]) / s * dt;
      } else if (sampler == 1) {
        if (sn == 0) {
#pragma omp parallel for schedule(static)
          for (long e = 0; e < N; e++) y[e] = x[e] + (x[e] - x[e]) / s * dt;
        } else {
          /* the second evaluation's input x2 is a tensor of its own: the denoiser reads it whole */
#pragma omp parallel for schedule(static)
          for (long e = 0; e < N; e++) x2[e] = x[e] + (x[e] - x[e]) / s * dt;
#pragma omp parallel for schedule(static)
          for (long e = 0; e < N; e++) y[e] = x[e] + ((x[e] - x[e]) / s + (x2[e] - x2[e]) / sn) / 2 * dt;
        }
      } else {
        double t = -log(sig[i]), tn = -log(sig[i + 1]), h = tn - t;
        float ratio = (float)(exp(-tn) / exp(-t)), em = (float)expm1(-h);
        double rr = i == 0 ? 1.0 : (t + log(sig[i - 1])) / h;
        float a = (float)(1 + 1 / (2 * rr)), b = (float)(1 / (2 * rr));
        int first = i == 0 || i == steps - 1;
        if (sn == 0) {
#pragma omp parallel for schedule(static)
          for (long e = 0; e < N; e++) y[e] = x[e];
        } else if (first) {
#pragma omp parallel for schedule(static)
          for (long e = 0; e < N; e++) y[e] = ratio * x[e] - em * x[e];
        } else {
#pragma omp parallel for schedule(static)
          for (long e = 0; e < N; e++) y[e] = ratio * x[e] - em * (a * x[e] - b * old[e]);
        }
      }
      old = x;
      x = y;
    }
    double t = (omp_get_wtime() - t0) / steps;
    if (t < best) best = t;
    double sum = 0;
    for (long e = 0; e < N; e++) sum += x[e];
    m = sum / N;
  }
  printf("%.6g %.6g\n", best, m);
  return 0;
}
