/* test_transport_sns.c: the Sinkhorn-Newton-Sparse solver against a plain log-domain Sinkhorn
 * written here (the oracle, run to a marginal error of 1e-13): potentials and cost on point
 * clouds, convergence at small eps where Sinkhorn crawls, quadratic convergence of exact Newton
 * (keep = 1), the share of entries kept, a cold start that needs the Sinkhorn fallback,
 * degenerate sizes, the tensor entry point, and every bad input with its message. */
#include "rt_test.h"

/* Potentials agree with the oracle's to this (absolute; C lies in [0, 1]). */
#define POT_TOL 1e-8

/* Two 3-D clouds of roughly normal points (sums of three uniforms), the second shifted; C the
 * squared distance scaled to max 1; weights uniform or random positive, summing to 1. */
static Problem problem(int64_t n, int64_t m, int uniform, uint64_t seed) {
  Problem p = {n, m, malloc((size_t)n * 8), malloc((size_t)m * 8), malloc((size_t)(n * m) * 8)};
  rng_state = seed * 2654435761u + 1;
  double sa = 0, sb = 0;
  for (int64_t i = 0; i < n; i++) sa += p.a[i] = uniform ? 1 : 0.2 + uniform01();
  for (int64_t j = 0; j < m; j++) sb += p.b[j] = uniform ? 1 : 0.2 + uniform01();
  for (int64_t i = 0; i < n; i++) p.a[i] /= sa;
  for (int64_t j = 0; j < m; j++) p.b[j] /= sb;
  cloud_cost(n, m, 0.5, p.C);
  return p;
}

/* --- the oracle: log-domain Sinkhorn -------------------------------------------------------------
 * f_i = -eps log sum_j b_j exp((g_j - C_ij) / eps), then g_j likewise over i. After a g update
 * the columns sum to b exactly (to rounding), and the rows sum to r_i = a_i exp((f_i - f'_i) /
 * eps) with f' the next f update; so the marginal error of the current potentials is read off
 * the next update. Runs until that error is <= tol (*reached = 1) or for max_iter iterations;
 * returns the iterations taken, leaving f, g at the last state. */

static double lse(const double *x, int64_t len) {
  double mx = -INFINITY, s = 0;
  for (int64_t k = 0; k < len; k++) mx = fmax(mx, x[k]);
  for (int64_t k = 0; k < len; k++) s += exp(x[k] - mx);
  return mx + log(s);
}

static int64_t sinkhorn(const Problem *p, double eps, double *f, double *g, double tol,
                        int64_t max_iter, int *reached) {
  int64_t n = p->n, m = p->m, it = 0;
  double *x = malloc((size_t)(n > m ? n : m) * 8), *fn = malloc((size_t)n * 8);
  *reached = 0;
  for (;; it++) {
    double err = 0;
    for (int64_t i = 0; i < n; i++) {
      for (int64_t j = 0; j < m; j++) x[j] = log(p->b[j]) + (g[j] - p->C[i * m + j]) / eps;
      fn[i] = -eps * lse(x, m);
      err += p->a[i] * fabs(expm1((f[i] - fn[i]) / eps));
    }
    if (it > 0 && err <= tol) {
      *reached = 1;
      break;
    }
    if (it == max_iter) break;
    memcpy(f, fn, (size_t)n * 8);
    for (int64_t j = 0; j < m; j++) {
      for (int64_t i = 0; i < n; i++) x[i] = log(p->a[i]) + (f[i] - p->C[i * m + j]) / eps;
      g[j] = -eps * lse(x, n);
    }
  }
  free(x);
  free(fn);
  return it;
}

/* The marginal error sum |P 1 - a| + sum |P^T 1 - b| and the cost <P, C>, computed directly. */
static double marginal_error(const Problem *p, double eps, const double *f, const double *g,
                             double *cost) {
  int64_t n = p->n, m = p->m;
  double *col = calloc((size_t)m, 8), err = 0, c = 0;
  for (int64_t i = 0; i < n; i++) {
    double row = 0;
    for (int64_t j = 0; j < m; j++) {
      double pij = p->a[i] * p->b[j] * exp((f[i] + g[j] - p->C[i * m + j]) / eps);
      row += pij;
      col[j] += pij;
      c += pij * p->C[i * m + j];
    }
    err += fabs(row - p->a[i]);
  }
  for (int64_t j = 0; j < m; j++) err += fabs(col[j] - p->b[j]);
  free(col);
  if (cost) *cost = c;
  return err;
}

/* Shifts f up and g down by one constant so that <a, f> = <b, g> (the plan is unchanged). */
static void normalise(const Problem *p, double *f, double *g) {
  double af = 0, bg = 0;
  for (int64_t i = 0; i < p->n; i++) af += p->a[i] * f[i];
  for (int64_t j = 0; j < p->m; j++) bg += p->b[j] * g[j];
  double t = (bg - af) / 2;
  for (int64_t i = 0; i < p->n; i++) f[i] += t;
  for (int64_t j = 0; j < p->m; j++) g[j] -= t;
}

static double max_diff(const double *x, const double *y, int64_t len) {
  double d = 0;
  for (int64_t k = 0; k < len; k++) d = fmax(d, fabs(x[k] - y[k]));
  return d;
}

static int all_finite(const double *x, int64_t len) {
  for (int64_t k = 0; k < len; k++)
    if (!isfinite(x[k])) return 0;
  return 1;
}

/* The oracle's potentials (to 1e-13) and the warm start (20 Sinkhorn iterations from zero). */
typedef struct Solved {
  double *f, *g, *f0, *g0;
  int64_t iterations; /* Sinkhorn iterations in all, the warm start's included */
  int reached;        /* the oracle reached its tolerance */
} Solved;

static Solved solve_reference(const Problem *p, double eps, double tol, int64_t max_iter) {
  Solved s = {calloc((size_t)p->n, 8), calloc((size_t)p->m, 8), calloc((size_t)p->n, 8),
              calloc((size_t)p->m, 8), 0, 0};
  sinkhorn(p, eps, s.f0, s.g0, 0, 20, &s.reached);
  memcpy(s.f, s.f0, (size_t)p->n * 8);
  memcpy(s.g, s.g0, (size_t)p->m * 8);
  s.iterations = 20 + sinkhorn(p, eps, s.f, s.g, tol, max_iter, &s.reached);
  normalise(p, s.f, s.g);
  return s;
}

static void solved_free(Solved *s) {
  free(s->f);
  free(s->g);
  free(s->f0);
  free(s->g0);
}

/* --- agreement with the oracle ---------------------------------------------------------------- */

TEST(sns_matches_sinkhorn_on_clouds) {
  Problem p = problem(200, 150, 0, 1);
  double eps = 1e-2;
  Solved ref = solve_reference(&p, eps, 1e-13, 100000);
  CHECK(ref.reached);
  CHECK(marginal_error(&p, eps, ref.f, ref.g, NULL) <= 1e-12);
  /* At this eps the plan is far from sparse, and the fewer entries S keeps the more the steps
   * fall short of Newton's (linear convergence, at a rate set by the mass dropped). */
  const double keeps[] = {0.05, 0.1, 1};
  const int64_t max_steps[] = {60, 30, 5};
  for (int t = 0; t < 3; t++) {
    double *f = malloc(200 * 8), *g = malloc(150 * 8);
    memcpy(f, ref.f0, 200 * 8);
    memcpy(g, ref.g0, 150 * 8);
    SnOtSnsInfo info;
    CHECK_EQ_INT(sn_ot_sns_f64(200, 150, p.a, p.b, p.C, eps, f, g, 1e-12, 100, keeps[t], &info), 0);
    printf("  keep %g: %lld Newton steps (%lld CG iterations, %lld entries kept), err %.2e; "
           "Sinkhorn took %lld iterations to 1e-13\n", keeps[t], (long long)info.iterations,
           (long long)info.cg_iterations, (long long)info.nnz, info.err,
           (long long)ref.iterations);
    CHECK(info.converged);
    CHECK(info.iterations <= max_steps[t]);
    CHECK_EQ_INT(info.sinkhorn_steps, 0);
    CHECK(info.err <= 1e-12);
    CHECK(max_diff(f, ref.f, 200) <= POT_TOL);
    CHECK(max_diff(g, ref.g, 150) <= POT_TOL);
    /* The reported error and cost are those of the returned potentials. */
    double cost, ref_cost;
    double err = marginal_error(&p, eps, f, g, &cost);
    marginal_error(&p, eps, ref.f, ref.g, &ref_cost);
    CHECK(fabs(err - info.err) <= 1e-14);
    CHECK(fabs(cost - info.cost) <= 1e-14);
    CHECK(fabs(cost - ref_cost) <= 1e-10);
    /* Normalised: <a, f> = <b, g>. */
    double af = 0, bg = 0;
    for (int i = 0; i < 200; i++) af += p.a[i] * f[i];
    for (int j = 0; j < 150; j++) bg += p.b[j] * g[j];
    CHECK(fabs(af - bg) <= 1e-15);
    free(f);
    free(g);
  }
  solved_free(&ref);
  problem_free(&p);
}

/* At eps = 1e-3 and 1e-4 the exponents reach 1e4; nothing overflows, and Newton steps do what
 * Sinkhorn needs thousands of iterations for (from a warm start of 20 Sinkhorn iterations,
 * which at eps = 1e-4 is far from the optimum: most of the steps are spent getting near).
 * The weights are random: with uniform weights and n = m the plan at eps = 1e-4 is nearly a
 * permutation, its Hessian nearly singular in n directions, and both methods crawl there. */
TEST(sns_small_eps) {
  const double epss[] = {1e-3, 1e-4};
  const int64_t cap = 20000;
  for (int t = 0; t < 2; t++) {
    Problem p = problem(100, 100, 0, 7 + (uint64_t)t);
    double eps = epss[t];
    Solved ref = solve_reference(&p, eps, 1e-10, cap);
    double *f = malloc(100 * 8), *g = malloc(100 * 8);
    memcpy(f, ref.f0, 100 * 8);
    memcpy(g, ref.g0, 100 * 8);
    SnOtSnsInfo info;
    CHECK_EQ_INT(sn_ot_sns_f64(100, 100, p.a, p.b, p.C, eps, f, g, 1e-10, 200, 0.05, &info), 0);
    printf("  eps %g: %lld steps (%lld by Sinkhorn, %lld CG iterations), err %.2e; plain "
           "Sinkhorn: %lld iterations%s\n", eps, (long long)info.iterations,
           (long long)info.sinkhorn_steps, (long long)info.cg_iterations, info.err,
           (long long)ref.iterations, ref.reached ? "" : ", tol not reached");
    CHECK(info.converged);
    CHECK(info.err <= 1e-10);
    CHECK(all_finite(f, 100) && all_finite(g, 100));
    CHECK(marginal_error(&p, eps, f, g, NULL) <= 1e-10);
    CHECK(info.iterations * 20 <= ref.iterations);
    if (ref.reached) {
      CHECK(max_diff(f, ref.f, 100) <= 1e-6);
      CHECK(max_diff(g, ref.g, 100) <= 1e-6);
    }
    free(f);
    free(g);
    solved_free(&ref);
    problem_free(&p);
  }
}

/* With keep = 1 the Newton systems are exact: once the error is small it is squared, up to a
 * constant, at every step until rounding. The steps are taken one call at a time (a step
 * depends only on the potentials). */
TEST(sns_exact_newton_is_quadratic) {
  Problem p = problem(60, 80, 0, 3);
  double eps = 1e-2, f[60], g[80], errs[40];
  Solved ref = solve_reference(&p, eps, 1e-13, 0);
  memcpy(f, ref.f0, sizeof f);
  memcpy(g, ref.g0, sizeof g);
  errs[0] = marginal_error(&p, eps, f, g, NULL);
  int k = 0;
  while (k < 39 && errs[k] > 1e-14) {
    SnOtSnsInfo info;
    SnStatus st = sn_ot_sns_f64(60, 80, p.a, p.b, p.C, eps, f, g, 0, 1, 1, &info);
    CHECK(st == SN_OT_NOT_CONVERGED);
    CHECK_EQ_INT(info.nnz, 60 * 80);
    CHECK_EQ_INT(info.sinkhorn_steps, 0);
    errs[++k] = info.err;
  }
  printf("  errors:");
  for (int q = 0; q <= k; q++) printf(" %.1e", errs[q]);
  printf("\n");
  CHECK(k <= 15);
  /* Below 0.02 each error is at most 10 times the square of the last, or at rounding level;
   * at least two such steps start above 1e-7 (where squaring is visible above rounding). */
  int quadratic = 0;
  for (int q = 0; q < k; q++)
    if (errs[q] < 0.02) {
      CHECK(errs[q + 1] <= 10 * errs[q] * errs[q] + 1e-14);
      quadratic += errs[q] > 1e-7;
    }
  CHECK(quadratic >= 2);
  solved_free(&ref);
  problem_free(&p);
}

/* S keeps at least keep n m entries, and more only by ties at the selection's resolution. */
TEST(sns_keeps_the_share_asked) {
  Problem p = problem(90, 70, 0, 5);
  double eps = 1e-2;
  Solved ref = solve_reference(&p, eps, 1e-13, 0);
  const double keeps[] = {1e-4, 0.003, 0.02, 0.5};
  for (int t = 0; t < 4; t++) {
    double f[90], g[70];
    memcpy(f, ref.f0, sizeof f);
    memcpy(g, ref.g0, sizeof g);
    SnOtSnsInfo info;
    sn_ot_sns_f64(90, 70, p.a, p.b, p.C, eps, f, g, 0, 1, keeps[t], &info);
    int64_t want = (int64_t)ceil(keeps[t] * 90 * 70);
    CHECK(info.nnz >= want && info.nnz <= want + 2);
  }
  solved_free(&ref);
  problem_free(&p);
}

/* From zero potentials at eps = 1e-4 most of P underflows and whole rows sum to 0: Newton cannot
 * step there, Sinkhorn steps take over until it can, and the solver still converges. */
TEST(sns_cold_start_falls_back_to_sinkhorn) {
  Problem p = problem(50, 40, 1, 11);
  double f[50] = {0}, g[40] = {0};
  SnOtSnsInfo info;
  CHECK_EQ_INT(sn_ot_sns_f64(50, 40, p.a, p.b, p.C, 1e-4, f, g, 1e-10, 500, 0.05, &info), 0);
  printf("  %lld steps, %lld of them Sinkhorn\n", (long long)info.iterations,
         (long long)info.sinkhorn_steps);
  CHECK(info.sinkhorn_steps >= 1);
  CHECK(info.sinkhorn_steps < info.iterations);
  CHECK(marginal_error(&p, 1e-4, f, g, NULL) <= 1e-10);
  problem_free(&p);
}

/* One point on a side: the plan is forced (P = b^T or a), f_1 + g_j = C_1j with
 * f_1 = <b, C_1.> / 2 by the normalisation. */
TEST(sns_one_point) {
  Problem p = problem(1, 7, 0, 13), q = problem(6, 1, 0, 17), o = problem(1, 1, 0, 19);
  double f[7], g[7];
  SnOtSnsInfo info;
  memset(f, 0, sizeof f);
  memset(g, 0, sizeof g);
  CHECK_EQ_INT(sn_ot_sns_f64(1, 7, p.a, p.b, p.C, 1e-3, f, g, 1e-13, 0, 0.5, &info), 0);
  double bc = 0;
  for (int j = 0; j < 7; j++) bc += p.b[j] * p.C[j];
  CHECK(fabs(f[0] - bc / 2) <= 1e-12);
  for (int j = 0; j < 7; j++) CHECK_NEAR(g[j], p.C[j] - bc / 2, 1e-12);
  CHECK(fabs(info.cost - bc) <= 1e-12);
  memset(f, 0, sizeof f);
  memset(g, 0, sizeof g);
  CHECK_EQ_INT(sn_ot_sns_f64(6, 1, q.a, q.b, q.C, 1e-2, f, g, 1e-13, 0, 1, &info), 0);
  double ac = 0;
  for (int i = 0; i < 6; i++) ac += q.a[i] * q.C[i];
  CHECK(fabs(g[0] - ac / 2) <= 1e-12);
  for (int i = 0; i < 6; i++) CHECK_NEAR(f[i], q.C[i] - ac / 2, 1e-12);
  f[0] = 5, g[0] = -3;
  CHECK_EQ_INT(sn_ot_sns_f64(1, 1, o.a, o.b, o.C, 1e-2, f, g, 1e-14, 0, 1, &info), 0);
  CHECK_NEAR(f[0], o.C[0] / 2, 1e-14);
  CHECK_NEAR(g[0], o.C[0] / 2, 1e-14);
  CHECK_EQ_INT(info.iterations, 1);
  problem_free(&p);
  problem_free(&q);
  problem_free(&o);
}

/* --- the entry point for generated code ------------------------------------------------------- */

/* f32 weights and potentials, C as a strided view, and f64 results equal to the f64 solver's on
 * the same (converted) data; NULL weights are uniform and NULL potentials zero; stopping at
 * max_iter is a result. */
TEST(sns_call) {
  Problem p = problem(30, 20, 0, 23);
  double eps = 1e-2;
  Solved ref = solve_reference(&p, eps, 1e-13, 0);
  int64_t s30[1] = {30}, s20[1] = {20}, s2030[2] = {20, 30};
  float fa[30], fb[20], ff[30], fg[20];
  double da[30], db[20], df[30], dg[20], ct[20 * 30];
  for (int i = 0; i < 30; i++) {
    fa[i] = (float)p.a[i], da[i] = fa[i];
    ff[i] = (float)ref.f0[i], df[i] = ff[i];
  }
  for (int j = 0; j < 20; j++) {
    fb[j] = (float)p.b[j], db[j] = fb[j];
    fg[j] = (float)ref.g0[j], dg[j] = fg[j];
  }
  for (int i = 0; i < 30; i++)
    for (int j = 0; j < 20; j++) ct[j * 30 + i] = p.C[i * 20 + j];
  SnTensor *ta = sn_tensor_from_data(SN_F32, fa, 1, s30);
  SnTensor *tb = sn_tensor_from_data(SN_F32, fb, 1, s20);
  SnTensor *tf = sn_tensor_from_data(SN_F32, ff, 1, s30);
  SnTensor *tg = sn_tensor_from_data(SN_F32, fg, 1, s20);
  SnTensor *Ct = sn_tensor_from_data(SN_F64, ct, 2, s2030), *C = sn_tensor_transpose(Ct, 0, 1);
  CHECK(!sn_tensor_is_contiguous(C));
  int64_t live = sn_tensor_live_count();
  SnResult *r = sn_ot_sns_call("t.dsl:1:1", ta, tb, C, eps, tf, tg, 1e-12, 0, 0.2);
  CHECK(r != NULL);
  if (r) {
    SnTensor *f = sn_result_tensor(r, 0), *g = sn_result_tensor(r, 1);
    CHECK(f->dtype == SN_F64 && f->rank == 1 && f->shape[0] == 30);
    CHECK(g->dtype == SN_F64 && g->rank == 1 && g->shape[0] == 20);
    SnOtSnsInfo info;
    CHECK_EQ_INT(sn_ot_sns_f64(30, 20, da, db, p.C, eps, df, dg, 1e-12, 0, 0.2, &info), 0);
    CHECK(memcmp(f->data, df, sizeof df) == 0);
    CHECK(memcmp(g->data, dg, sizeof dg) == 0);
    CHECK(sn_result_f64(r, 3) == info.cost);
    CHECK(sn_result_f64(r, 2) == info.err);
    CHECK(sn_result_i64(r, 4) == info.iterations);
    CHECK(sn_result_i64(r, 6) == info.nnz);
    CHECK(sn_result_i64(r, 5) == 1);
    CHECK(sn_result_i64(r, 7) == info.sinkhorn_steps);
    /* the parts of _sns_newton's result record, in order */
    const char *names[8] = {"f", "g", "err", "cost", "iterations", "converged", "nnz", "sinkhorn_steps"};
    CHECK_EQ_INT(sn_result_count(r), 8);
    for (int k = 0; k < 8; k++) CHECK_STR(sn_result_name(r, k), names[k]);
    sn_tensor_release(f);
    sn_tensor_release(g);
    sn_result_free(r);
  }
  /* Uniform weights and a cold start, stopped after 2 steps. */
  r = sn_ot_sns_call("t.dsl:1:1", NULL, NULL, C, eps, NULL, NULL, 1e-12, 2, 0.05);
  CHECK(r != NULL);
  if (r) {
    CHECK(sn_result_i64(r, 5) == 0);
    CHECK(sn_result_i64(r, 4) == 2);
    CHECK(sn_result_f64(r, 2) > 1e-12);
    sn_result_free(r);
  }
  CHECK_EQ_INT(sn_tensor_live_count(), live);
  sn_tensor_release(ta);
  sn_tensor_release(tb);
  sn_tensor_release(tf);
  sn_tensor_release(tg);
  sn_tensor_release(Ct);
  sn_tensor_release(C);
  solved_free(&ref);
  problem_free(&p);
}

/* --- bad inputs ------------------------------------------------------------------------------- */

/* Each fails with status 1 and a message naming the argument, leaving f and g as they were. */
static void expect_error(int64_t n, int64_t m, const double *a, const double *b, const double *C,
                         double eps, double tol, int64_t max_iter, double keep, const char *want) {
  double f[3] = {1, 2, 3}, g[2] = {4, 5};
  SnOtSnsInfo info;
  sn_error_clear();
  CHECK_EQ_INT(sn_ot_sns_f64(n, m, a, b, C, eps, f, g, tol, max_iter, keep, &info), 1);
  CHECK_HAS(sn_error_message(), want);
  CHECK(f[0] == 1 && f[2] == 3 && g[0] == 4 && g[1] == 5);
}

/* Points of zero weight, as every balanced solver takes them: the others get the potentials of
 * the problem without those points (up to the shared constant), and the zero-weight ones the
 * c-transform of the other side's. */
TEST(sns_zero_weights) {
  double a[3] = {0.5, 0, 0.5}, b[3] = {0.25, 0.75, 0}, C[9] = {0.1, 0.9, 0.4, 0.7, 0.2, 0.8, 0.6, 0.3, 0.5};
  double a2[2] = {0.5, 0.5}, b2[2] = {0.25, 0.75}, C2[4] = {0.1, 0.9, 0.6, 0.3}, eps = 0.05;
  double f[3] = {0}, g[3] = {0}, f2[2] = {0}, g2[2] = {0};
  SnOtSnsInfo info, info2;
  CHECK_EQ_INT(sn_ot_sns_f64(3, 3, a, b, C, eps, f, g, 1e-12, 50, 1, &info), 0);
  CHECK_EQ_INT(sn_ot_sns_f64(2, 2, a2, b2, C2, eps, f2, g2, 1e-12, 50, 1, &info2), 0);
  CHECK(info.err <= 1e-12 && fabs(info.cost - info2.cost) <= 1e-14);
  CHECK(fabs(f[0] - f2[0]) <= 1e-12);
  CHECK(fabs(f[2] - f2[1]) <= 1e-12);
  CHECK(fabs(g[0] - g2[0]) <= 1e-12);
  CHECK(fabs(g[1] - g2[1]) <= 1e-12);
  double t1 = -eps * log(0.25 * exp((g[0] - 0.7) / eps) + 0.75 * exp((g[1] - 0.2) / eps));
  double t2 = -eps * log(0.5 * exp((f[0] - 0.4) / eps) + 0.5 * exp((f[2] - 0.5) / eps));
  CHECK(fabs(f[1] - t1) <= 1e-12);
  CHECK(fabs(g[2] - t2) <= 1e-12);
}

TEST(sns_errors) {
  double a[3] = {0.2, 0.3, 0.5}, b[2] = {0.5, 0.5}, C[6] = {0, 1, 0.5, 0.2, 0.3, 0.9};
  double neg[3] = {0.7, -0.2, 0.5}, more[2] = {0.5, 0.6};
  double nan_w[3] = {0.2, NAN, 0.5}, Cn[6] = {0, 1, 2, NAN, 4, 5};
  expect_error(3, 2, a, b, C, -1, 1e-9, 10, 0.1, "sinkhorn_newton: eps must be > 0, got -1");
  expect_error(3, 2, a, b, C, 0, 1e-9, 10, 0.1, "sinkhorn_newton: eps must be > 0, got 0");
  expect_error(3, 2, a, b, C, NAN, 1e-9, 10, 0.1, "sinkhorn_newton: eps must be > 0, got nan");
  expect_error(3, 2, a, b, C, INFINITY, 1e-9, 10, 0.1,
               "sinkhorn_newton: eps and tol must be finite, got eps = inf and tol = 1e-09");
  expect_error(3, 2, a, b, C, 0.1, -1e-9, 10, 0.1, "sinkhorn_newton: tol must be >= 0, got -1e-09");
  expect_error(3, 2, a, b, C, 0.1, 1e-9, 10, 0, "sinkhorn_newton: keep must be in (0, 1], got 0");
  expect_error(3, 2, a, b, C, 0.1, 1e-9, 10, 1.5, "sinkhorn_newton: keep must be in (0, 1], got 1.5");
  expect_error(3, 2, a, b, C, 0.1, 1e-9, 10, NAN, "sinkhorn_newton: keep must be in (0, 1], got nan");
  expect_error(3, 2, neg, b, C, 0.1, 1e-9, 10, 0.1, "sinkhorn_newton: a[1] = -0.2; weights must be >= 0");
  expect_error(3, 2, nan_w, b, C, 0.1, 1e-9, 10, 0.1, "sinkhorn_newton: a[1] is nan; weights must be finite");
  expect_error(3, 2, a, more, C, 0.1, 1e-9, 10, 0.1,
               "sinkhorn_newton: b must sum to 1, but sum(b) = 1.1; normalise it (divide by its sum)");
  expect_error(3, 2, a, b, Cn, 0.1, 1e-9, 10, 0.1, "sinkhorn_newton: C[1, 1] is nan; it must be finite");
  expect_error(0, 2, NULL, b, C, 0.1, 1e-9, 10, 0.1,
               "sinkhorn_newton: the cost matrix is 0 x 2; it needs at least one row and one column");
  /* Potentials must start finite. */
  double f[3] = {0, INFINITY, 0}, g[2] = {0, 0};
  CHECK_EQ_INT(sn_ot_sns_f64(3, 2, a, b, C, 0.1, f, g, 1e-9, 10, 0.1, NULL), 1);
  CHECK_HAS(sn_error_message(), "sinkhorn_newton: f0[1] is inf; it must be finite");
  /* Sums within 1.5e-7 of 1 are rounding: the weights are divided by their sums. */
  double close[2] = {0.5, 0.5 + 1e-9};
  double fc[3] = {0}, gc[2] = {0};
  SnOtSnsInfo info;
  CHECK_EQ_INT(sn_ot_sns_f64(3, 2, a, close, C, 0.1, fc, gc, 1e-12, 0, 1, &info), 0);
  CHECK(info.err <= 1e-12);
  /* Not converging is its own status, with the last iterate kept. */
  double fs[3] = {0}, gs[2] = {0};
  CHECK_EQ_INT(sn_ot_sns_f64(3, 2, a, b, C, 0.01, fs, gs, 0, 3, 1, &info), SN_OT_NOT_CONVERGED);
  CHECK_HAS(sn_error_message(), "sinkhorn_newton: did not converge in 3 steps (max_iter)");
  CHECK_EQ_INT(info.iterations, 3);
  CHECK(info.converged == 0 && fs[0] != 0);

  /* The tensor entry point: messages start with the location and name the argument. */
  int64_t s3[1] = {3}, s2[1] = {2}, s4[1] = {4}, s32[2] = {3, 2};
  SnTensor *ta = sn_tensor_from_data(SN_F64, a, 1, s3), *tb = sn_tensor_from_data(SN_F64, b, 1, s2);
  SnTensor *tC = sn_tensor_from_data(SN_F64, C, 2, s32), *t4 = sn_tensor_zeros(SN_F64, 1, s4);
  SnTensor *tbool = sn_tensor_zeros(SN_BOOL, 1, s3);
  int64_t live = sn_tensor_live_count();
  const char *at = "prog.dsl:4:9";
  CHECK(sn_ot_sns_call(at, ta, tb, tC, -1, NULL, NULL, 1e-9, 10, 0.05) == NULL);
  CHECK_STR(sn_error_message(), "prog.dsl:4:9: error: sinkhorn_newton: eps must be > 0, got -1");
  CHECK(sn_ot_sns_call(at, ta, tb, tC, 0.1, NULL, NULL, 1e-9, 10, 2) == NULL);
  CHECK_HAS(sn_error_message(), "prog.dsl:4:9: error: sinkhorn_newton: keep must be in (0, 1], got 2");
  CHECK(sn_ot_sns_call(at, t4, tb, tC, 0.1, NULL, NULL, 1e-9, 10, 0.05) == NULL);
  CHECK_HAS(sn_error_message(), "sinkhorn_newton: size mismatch: the length of a is 4 but the number of rows of C is 3");
  CHECK(sn_ot_sns_call(at, ta, t4, tC, 0.1, NULL, NULL, 1e-9, 10, 0.05) == NULL);
  CHECK_HAS(sn_error_message(), "sinkhorn_newton: size mismatch: the length of b is 4 but the number of columns of C is 2");
  CHECK(sn_ot_sns_call(at, ta, tb, tC, 0.1, t4, NULL, 1e-9, 10, 0.05) == NULL);
  CHECK_HAS(sn_error_message(), "sinkhorn_newton: size mismatch: the length of f0 is 4 but the number of rows of C is 3");
  CHECK(sn_ot_sns_call(at, ta, tb, tC, 0.1, NULL, ta, 1e-9, 10, 0.05) == NULL);
  CHECK_HAS(sn_error_message(), "sinkhorn_newton: size mismatch: the length of g0 is 3 but the number of columns of C is 2");
  CHECK(sn_ot_sns_call(at, ta, tb, ta, 0.1, NULL, NULL, 1e-9, 10, 0.05) == NULL);
  CHECK_HAS(sn_error_message(), "sinkhorn_newton: C must be a matrix (rank 2), not rank 1");
  CHECK(sn_ot_sns_call(at, tbool, tb, tC, 0.1, NULL, NULL, 1e-9, 10, 0.05) == NULL);
  CHECK_HAS(sn_error_message(), "sinkhorn_newton: a holds bool values; it needs numbers");
  CHECK(sn_ot_sns_call(at, ta, tb, tC, 0.1, NULL, tC, 1e-9, 10, 0.05) == NULL);
  CHECK_HAS(sn_error_message(), "sinkhorn_newton: g0 must be a vector (rank 1), not rank 2");
  CHECK_EQ_INT(sn_tensor_live_count(), live);
  sn_tensor_release(ta);
  sn_tensor_release(tb);
  sn_tensor_release(tC);
  sn_tensor_release(t4);
  sn_tensor_release(tbool);
}
