/* ot_sns.c: entropic transport between two 3-D Gaussian clouds of N points (the second shifted
 * by 1 along x; squared Euclidean cost scaled to max 1; uniform weights) at eps = 1e-3, to a
 * marginal error of 1e-8: Sinkhorn-Newton-Sparse (20 log-domain Sinkhorn iterations, then
 * sn_ot_sinkhorn_newton_f64) against plain log-domain Sinkhorn, both on all threads with libm's exp, best of
 * REPS runs. Plain Sinkhorn stops at MAX_SINKHORN iterations and says whether it reached tol.
 * Usage: ot_sns [N [KEEP [MAX_SINKHORN [REPS]]]] (defaults 2000, 0.03, 20000, 3). */
#include "sinter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-3
#define TOL 1e-8
#define WARM 20

typedef struct Problem {
  int64_t n;
  double *C, *Ct; /* [n, n] and its transpose, so both half-steps read rows */
  double *w, *lw; /* [n] uniform weights 1/n and their logarithms */
} Problem;

static Problem problem(int64_t n) {
  Problem p = {n, malloc((size_t)(n * n) * 8), malloc((size_t)(n * n) * 8), malloc((size_t)n * 8),
               malloc((size_t)n * 8)};
  double *x = malloc((size_t)(6 * n) * 8), *y = x + 3 * n, mx = 0;
  sn_rng_normal_f64(sn_rng(0), 0, 6 * n, x);
  for (int64_t j = 0; j < n; j++) y[3 * j] += 1;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < n; j++) {
      double d0 = x[3 * i] - y[3 * j], d1 = x[3 * i + 1] - y[3 * j + 1];
      double d2 = x[3 * i + 2] - y[3 * j + 2];
      p.C[i * n + j] = d0 * d0 + d1 * d1 + d2 * d2;
      mx = fmax(mx, p.C[i * n + j]);
    }
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < n; j++) p.Ct[j * n + i] = p.C[i * n + j] /= mx;
  for (int64_t i = 0; i < n; i++) p.w[i] = 1.0 / (double)n, p.lw[i] = log(p.w[i]);
  free(x);
  return p;
}

/* --- plain log-domain Sinkhorn ----------------------------------------------------------------
 * out_i = -eps log sum_j w_j exp((in_j - K_ij) / eps) for K = C (f from g) or C^T (g from f).
 * With old (the f before the update) it returns sum_i w_i |exp((old_i - out_i) / eps) - 1|:
 * after a g update the columns sum to b, and this is the marginal error of (old, in). */
static double half_step(const Problem *p, const double *K, const double *in, const double *old,
                        double *out) {
  int64_t n = p->n;
  double err = 0;
#pragma omp parallel for schedule(static) reduction(+ : err) num_threads(sn_num_threads())
  for (int64_t i = 0; i < n; i++) {
    const double *Ki = K + i * n;
    double mx = -INFINITY, s = 0;
    for (int64_t j = 0; j < n; j++) mx = fmax(mx, p->lw[j] + (in[j] - Ki[j]) / EPS);
    for (int64_t j = 0; j < n; j++) s += exp(p->lw[j] + (in[j] - Ki[j]) / EPS - mx);
    out[i] = -EPS * (mx + log(s));
    if (old) err += p->w[i] * fabs(expm1((old[i] - out[i]) / EPS));
  }
  return err;
}

/* Iterates from f, g until the marginal error is <= tol or max_iter iterations; returns the
 * iterations, *reached telling which. */
static int64_t sinkhorn(const Problem *p, double *f, double *g, double tol, int64_t max_iter,
                        int *reached) {
  double *fn = malloc((size_t)p->n * 8);
  int64_t it = 0;
  *reached = 0;
  for (;; it++) {
    double err = half_step(p, p->C, g, f, fn);
    if (it > 0 && err <= tol) {
      *reached = 1;
      break;
    }
    if (it == max_iter) break;
    memcpy(f, fn, (size_t)p->n * 8);
    half_step(p, p->Ct, f, NULL, g);
  }
  free(fn);
  return it;
}

/* The marginal error sum |P 1 - a| + sum |P^T 1 - b| of f, g, computed from the plan. */
static double marginal_error(const Problem *p, const double *f, const double *g) {
  int64_t n = p->n;
  double *col = calloc((size_t)n, 8), err = 0;
  for (int64_t i = 0; i < n; i++) {
    double row = 0;
    for (int64_t j = 0; j < n; j++) {
      double x = exp(p->lw[i] + p->lw[j] + (f[i] + g[j] - p->C[i * n + j]) / EPS);
      row += x;
      col[j] += x;
    }
    err += fabs(row - p->w[i]);
  }
  for (int64_t j = 0; j < n; j++) err += fabs(col[j] - p->w[j]);
  free(col);
  return err;
}

int main(int argc, char **argv) {
  int64_t n = argc > 1 ? atoll(argv[1]) : 2000, cap = argc > 3 ? atoll(argv[3]) : 20000;
  double keep = argc > 2 ? atof(argv[2]) : 0.03;
  int reps = argc > 4 ? atoi(argv[4]) : 3;
  Problem p = problem(n);
  double *f = malloc((size_t)n * 8), *g = malloc((size_t)n * 8);
  double best_sns = INFINITY, best_sk = INFINITY;
  SnOtSinkhornNewtonInfo info = {0};
  int64_t sk_iters = 0;
  int reached = 0;
  for (int r = 0; r < reps; r++) {
    memset(f, 0, (size_t)n * 8);
    memset(g, 0, (size_t)n * 8);
    double t0 = sn_now();
    sinkhorn(&p, f, g, 0, WARM, &reached);
    SnStatus st = sn_ot_sinkhorn_newton_f64(n, n, p.w, p.w, p.C, EPS, f, g, TOL, 0, keep, &info);
    double t = sn_now() - t0;
    if (st) {
      fprintf(stderr, "ot_sns: %s\n", sn_error_message());
      return 1;
    }
    best_sns = fmin(best_sns, t);
  }
  double err_sns = marginal_error(&p, f, g);
  for (int r = 0; r < reps; r++) {
    memset(f, 0, (size_t)n * 8);
    memset(g, 0, (size_t)n * 8);
    double t0 = sn_now();
    sk_iters = sinkhorn(&p, f, g, TOL, cap, &reached);
    best_sk = fmin(best_sk, sn_now() - t0);
  }
  double err_sk = marginal_error(&p, f, g);
  printf("entropic OT n=m=%lld eps=%g tol=%g, %d threads, best of %d\n", (long long)n, EPS, TOL,
         sn_num_threads(), reps);
  printf("  SNS (keep %g): %d Sinkhorn + %lld steps (%lld of them Sinkhorn fallbacks, %lld CG "
         "iterations, %lld entries kept)  err %.2e  %.3f s\n",
         keep, WARM, (long long)info.iterations, (long long)info.sinkhorn_steps,
         (long long)info.cg_iterations, (long long)info.nnz, err_sns, best_sns);
  printf("  plain Sinkhorn: %lld iterations (%s)  err %.2e  %.3f s\n", (long long)sk_iters,
         reached ? "reached tol" : "did not reach tol", err_sk, best_sk);
  printf("  ratio (Sinkhorn time / SNS time) %.2f\n", best_sk / best_sns);
  free(f);
  free(g);
  free(p.C);
  free(p.Ct);
  free(p.w);
  free(p.lw);
  return 0;
}
