/* test_transport_scaling.c: Sinkhorn's scaling form on a stored kernel against the textbook
 * loop written here (two plain matrix-vector products an iteration): the same u, v, iteration
 * count and marginal error on f64 and f32 kernels of sizes that do and do not fill the row
 * blocks, zero weights included; the marginals at convergence; the tensor entry point and its
 * potentials; and every bad input with its message. */
#include "rt_test.h"

/* Weights (random, a[1] = 0 when zero_weight) and K = exp(-C / eps) for a random C in [0, 1). */
static Problem kernel_problem(int64_t n, int64_t m, double eps, int zero_weight, uint64_t seed) {
  Problem p = {n, m, malloc((size_t)n * 8), malloc((size_t)m * 8), malloc((size_t)(n * m) * 8)};
  rng_state = seed * 2654435761u + 1;
  double sa = 0, sb = 0;
  for (int64_t i = 0; i < n; i++) sa += p.a[i] = zero_weight && i == 1 ? 0 : 0.2 + uniform01();
  for (int64_t j = 0; j < m; j++) sb += p.b[j] = 0.2 + uniform01();
  for (int64_t i = 0; i < n; i++) p.a[i] /= sa;
  for (int64_t j = 0; j < m; j++) p.b[j] /= sb;
  for (int64_t k = 0; k < n * m; k++) p.C[k] = exp(-uniform01() / eps);
  return p;
}

/* The stdlib's loop, one product at a time: u' = 1 / K (b v); stop when sum a |u / u' - 1| <
 * tol, else u = u', v = 1 / K^T (a u). Returns the iterations; *err the last error. */
static int64_t reference(const Problem *p, const double *K, double *u, double *v, double tol,
                         int64_t max_iter, double *err) {
  int64_t n = p->n, m = p->m, it = 0;
  double *un = malloc((size_t)n * 8);
  while (it < max_iter) {
    it++;
    *err = 0;
    for (int64_t i = 0; i < n; i++) {
      double s = 0;
      for (int64_t j = 0; j < m; j++) s += K[i * m + j] * p->b[j] * v[j];
      un[i] = 1 / s;
      if (p->a[i] > 0) *err += p->a[i] * fabs(u[i] / un[i] - 1);
    }
    if (*err < tol) break;
    memcpy(u, un, (size_t)n * 8);
    for (int64_t j = 0; j < m; j++) {
      double s = 0;
      for (int64_t i = 0; i < n; i++) s += K[i * m + j] * p->a[i] * u[i];
      v[j] = 1 / s;
    }
  }
  free(un);
  return it;
}

static double max_rel(const double *x, const double *y, int64_t len) {
  double worst = 0;
  for (int64_t k = 0; k < len; k++) worst = fmax(worst, fabs(x[k] - y[k]) / fabs(y[k]));
  return worst;
}

/* One size, f64 and f32 kernels, a fixed iteration count and a run to convergence. */
static void same_as_reference(int64_t n, int64_t m, uint64_t seed) {
  Problem p = kernel_problem(n, m, 0.1, n > 1, seed);
  float *Kf = malloc((size_t)(n * m) * sizeof *Kf);
  double *Kr = malloc((size_t)(n * m) * 8); /* the f32 kernel's values, for the reference */
  for (int64_t k = 0; k < n * m; k++) Kr[k] = Kf[k] = (float)p.C[k];
  double *u = malloc((size_t)n * 8), *v = malloc((size_t)m * 8);
  double *ur = malloc((size_t)n * 8), *vr = malloc((size_t)m * 8);
  for (int f32 = 0; f32 < 2; f32++)
    for (int run = 0; run < 2; run++) {
      double tol = run ? 1e-12 : 0;
      int64_t max_iter = run ? 100000 : 7;
      for (int64_t i = 0; i < n; i++) u[i] = ur[i] = 1;
      for (int64_t j = 0; j < m; j++) v[j] = vr[j] = 1 + 0.1 * (double)j;
      SnOtScalingInfo info;
      CHECK_EQ_INT(sn_ot_sinkhorn_scaling_f64(n, m, p.a, p.b, f32 ? SN_F32 : SN_F64,
                                              f32 ? (void *)Kf : (void *)p.C, u, v, tol, max_iter,
                                              &info),
                   0);
      double err;
      int64_t it = reference(&p, f32 ? Kr : p.C, ur, vr, tol, max_iter, &err);
      CHECK_EQ_INT(info.iterations, it);
      CHECK_EQ_INT(info.converged, run);
      CHECK(max_rel(u, ur, n) < 1e-11 && max_rel(v, vr, m) < 1e-11);
      CHECK(run ? info.err < 1e-12 : fabs(info.err - err) <= 1e-9 * err);
      if (run) { /* rows of P = a u K b v sum to a, columns to b */
        const double *K = f32 ? Kr : p.C;
        double rows = 0, cols = 0;
        for (int64_t i = 0; i < n; i++) {
          double s = 0;
          for (int64_t j = 0; j < m; j++) s += p.a[i] * u[i] * K[i * m + j] * p.b[j] * v[j];
          rows += fabs(s - p.a[i]);
        }
        for (int64_t j = 0; j < m; j++) {
          double s = 0;
          for (int64_t i = 0; i < n; i++) s += p.a[i] * u[i] * K[i * m + j] * p.b[j] * v[j];
          cols += fabs(s - p.b[j]);
        }
        CHECK(rows < 1e-11 && cols < 1e-11);
      }
    }
  free(Kf);
  free(Kr);
  free(u);
  free(v);
  free(ur);
  free(vr);
  problem_free(&p);
}

TEST(scaling_matches_the_textbook_loop) {
  same_as_reference(37, 29, 1);  /* a partial row block */
  same_as_reference(8, 8, 2);    /* one full block */
  same_as_reference(1, 5, 3);    /* one row */
  same_as_reference(300, 3, 4);  /* several row blocks, few columns */
  same_as_reference(3, 300, 5);
}

TEST(scaling_call) {
  /* 16 x 32 with uniform weights, exact in f32 (weights whose totals differ cannot converge). */
  Problem p = kernel_problem(16, 32, 0.2, 0, 7);
  int64_t s16[1] = {16}, s32[1] = {32}, s1632[2] = {16, 32};
  float fa[16], g0[32];
  for (int i = 0; i < 16; i++) fa[i] = 1.0f / 16, p.a[i] = 1.0 / 16;
  for (int j = 0; j < 32; j++) g0[j] = 0.01f * (float)j;
  SnTensor *ta = sn_tensor_from_data(SN_F32, fa, 1, s16);
  SnTensor *tb = sn_tensor_from_data(SN_F64, p.b, 1, s32);
  SnTensor *tg = sn_tensor_from_data(SN_F32, g0, 1, s32);
  SnTensor *K = sn_tensor_from_data(SN_F64, p.C, 2, s1632);
  double eps = 0.2;
  SnResult *r = sn_ot_scaling_call("t.dsl:1:1", ta, tb, K, eps, tg, 1e-12, -1);
  CHECK(r != NULL);
  if (r) {
    /* the parts of sinkhorn_kernel's result record, in order */
    CHECK_EQ_INT(sn_result_count(r), 5);
    CHECK(sn_result_find(r, "f") == 0 && sn_result_find(r, "g") == 1 && sn_result_find(r, "err") == 2 &&
          sn_result_find(r, "iterations") == 3 && sn_result_find(r, "converged") == 4);
    double u[16], v[32];
    for (int i = 0; i < 16; i++) u[i] = 1;
    for (int j = 0; j < 32; j++) v[j] = exp(g0[j] / eps);
    SnOtScalingInfo info;
    CHECK_EQ_INT(sn_ot_sinkhorn_scaling_f64(16, 32, p.a, p.b, SN_F64, p.C, u, v, 1e-12, -1, &info), 0);
    SnTensor *f = sn_result_tensor(r, 0), *g = sn_result_tensor(r, 1);
    CHECK(f->dtype == SN_F64 && f->shape[0] == 16 && g->shape[0] == 32);
    for (int i = 0; i < 16; i++) CHECK(((double *)f->data)[i] == eps * log(u[i]));
    for (int j = 0; j < 32; j++) CHECK(((double *)g->data)[j] == eps * log(v[j]));
    CHECK(sn_result_f64(r, 2) == info.err && info.err < 1e-12);
    CHECK(sn_result_i64(r, 3) == info.iterations);
    CHECK(sn_result_i64(r, 4) == 1);
    sn_tensor_release(f);
    sn_tensor_release(g);
    sn_result_free(r);
  }
  /* Not converging within max_iter is a result, not a failure. */
  r = sn_ot_scaling_call("t.dsl:1:1", ta, tb, K, eps, NULL, 0, 3);
  CHECK(r && sn_result_i64(r, 4) == 0 && sn_result_i64(r, 3) == 3);
  sn_result_free(r);
  /* max_iter = 0 runs no iteration (it once meant 1000) and measures the start. */
  r = sn_ot_scaling_call("t.dsl:1:1", ta, tb, K, eps, NULL, 1e-9, 0);
  CHECK(r && sn_result_i64(r, 3) == 0 && sn_result_i64(r, 4) == 0);
  CHECK(r && sn_result_f64(r, 2) > 1e-3);
  sn_result_free(r);
  /* A length that does not match K. */
  CHECK(sn_ot_scaling_call("t.dsl:2:5", tb, tb, K, eps, NULL, 1e-9, 0) == NULL);
  CHECK_STR(sn_error_message(),
            "t.dsl:2:5: error: sinkhorn: size mismatch: the length of a is 32 but the number of rows of C is 16");
  /* eps <= 0 (the builtin sinkhorn_kernel can be called directly) */
  CHECK(sn_ot_scaling_call("t.dsl:3:1", ta, tb, K, 0, NULL, 1e-9, 0) == NULL);
  CHECK_STR(sn_error_message(), "t.dsl:3:1: error: sinkhorn: eps must be positive and finite, got 0");
  sn_tensor_release(ta);
  sn_tensor_release(tb);
  sn_tensor_release(tg);
  sn_tensor_release(K);
  problem_free(&p);
}

TEST(scaling_errors) {
  double a[2] = {0.5, 0.5}, b[2] = {0.5, 0.5}, K[4] = {1, 0.5, 0.5, 1}, u[2] = {1, 1}, v[2] = {1, 1};
  double neg[2] = {-0.1, 1.1}, zero[2] = {0, 0}, Kbad[4] = {1, NAN, 0.5, 1};
  struct {
    const double *a, *b, *K;
    double tol;
    const char *want;
  } cases[] = {
      {neg, b, K, 1e-9, "sinkhorn: a[0] = -0.1; weights must be finite and >= 0"},
      {a, zero, K, 1e-9, "sinkhorn: the weights b are all 0"},
      {a, b, Kbad, 1e-9, "sinkhorn: K[0, 1] = nan; the kernel must be finite and >= 0"},
      {a, b, K, -1, "sinkhorn: tol must be >= 0, got -1"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    CHECK_EQ_INT(sn_ot_sinkhorn_scaling_f64(2, 2, cases[k].a, cases[k].b, SN_F64, cases[k].K, u, v,
                                            cases[k].tol, 10, NULL),
                 1);
    CHECK_STR(sn_error_message(), cases[k].want);
  }
  CHECK_EQ_INT(sn_ot_sinkhorn_scaling_f64(2, 2, a, b, SN_I32, K, u, v, 1e-9, 10, NULL), 1);
  CHECK_STR(sn_error_message(), "sinkhorn: the kernel must be f32 or f64, not i32");
  CHECK_EQ_INT(sn_ot_sinkhorn_scaling_f64(0, 2, a, b, SN_F64, K, u, v, 1e-9, 10, NULL), 1);
  CHECK_STR(sn_error_message(), "sinkhorn: the kernel is 0 x 2; it needs at least one row and one column");
}
