/* test_transport_exact.c: exact transport against POT 0.8 (tests/conformance/transport, from
 * gen_transport_exact.py): EMD costs, plans and potentials where unique, and optimality proved
 * by the certificate (marginals, dual feasibility, complementary slackness) where the plan is
 * not; the vector pricing kernel against the plain loop; 1-D W_p and its plan; sliced
 * Wasserstein with given and seeded directions; and every bad input with its message. */
#include "rt_test.h"

#define DIR_OT "tests/conformance/transport/"

/* The agreement asked of f64 results against POT, relative to the value's scale. */
#define REL 1e-8
/* Marginals, dual feasibility and slackness hold to rounding: this times the problem's scale. */
#define EXACT 1e-12

#define CHECK_CLOSE(a, b, tol, scale)                                                       \
  do {                                                                                     \
    double a2_ = (double)(a), b2_ = (double)(b), s2_ = (double)(scale);                     \
    if (!(fabs(a2_ - b2_) <= (tol) * s2_))                                                  \
      FAIL_AT("%s ~ %s: %.17g vs %.17g (scale %g)", #a, #b, a2_, b2_, s2_);                 \
  } while (0)

static SnTensor *load(const char *kind, const char *name, const char *part) {
  char path[256];
  snprintf(path, sizeof path, DIR_OT "%s_%s_%s.npy", kind, name, part);
  SnTensor *t = sn_npy_read(path);
  if (!t) FAIL_AT("%s: %s", path, sn_error_message());
  return t;
}

static double *f64(const SnTensor *t) { return (double *)t->data; }

static double sum(const double *x, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += x[i];
  return s;
}

static double max_abs(const double *x, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s = fmax(s, fabs(x[i]));
  return s;
}

/* The optimality certificate of an EMD result: the plan is feasible (marginals a and b, b
 * rescaled to a's total), u + v <= C everywhere with equality on the support, and <P, C> equals
 * a.u + b.v; together these prove the plan optimal, whichever optimal plan it is. Also: the
 * support is sorted, positive, at most n + m - 1 entries, equal to the dense plan when there is
 * one, and the potentials are centred (a.u = b.v). */
static void check_certificate(int64_t n, int64_t m, const double *a, const double *b, const double *C,
                              const SnOtEmdResult *r) {
  CHECK(r->converged);
  double sa = a ? sum(a, n) : 1, sb = b ? sum(b, m) : 1, ratio = sa / sb;
  double scale = fmax(1, max_abs(C, n * m)), tol = EXACT * scale * (double)(n + m);
  const int64_t *ri = r->support.rows->data, *cj = r->support.cols->data;
  const double *w = r->support.mass->data, *u = f64(r->u), *v = f64(r->v);
  int64_t k = r->support.nnz;
  CHECK(k >= 1 && k <= n + m - 1);
  double *row = calloc((size_t)n, sizeof *row), *col = calloc((size_t)m, sizeof *col);
  double cost = 0, slack = 0;
  int bad = 0;
  for (int64_t q = 0; q < k; q++) {
    bad += !(w[q] > 0) || ri[q] < 0 || ri[q] >= n || cj[q] < 0 || cj[q] >= m;
    if (q) bad += ri[q] < ri[q - 1] || (ri[q] == ri[q - 1] && cj[q] <= cj[q - 1]);
    if (bad) break;
    row[ri[q]] += w[q];
    col[cj[q]] += w[q];
    cost += w[q] * C[ri[q] * m + cj[q]];
    slack = fmax(slack, fabs(u[ri[q]] + v[cj[q]] - C[ri[q] * m + cj[q]]));
    if (r->plan) bad += f64(r->plan)[ri[q] * m + cj[q]] != w[q];
  }
  CHECK_EQ_INT(bad, 0);
  if (r->plan) {
    double total = sum(f64(r->plan), n * m);
    CHECK_CLOSE(total, sa, EXACT * (double)(n + m), sa);
  }
  double mtol = EXACT * (double)(n + m);
  for (int64_t i = 0; i < n; i++) CHECK_CLOSE(row[i], a ? a[i] : 1.0 / (double)n, mtol, sa);
  for (int64_t j = 0; j < m; j++) CHECK_CLOSE(col[j], (b ? b[j] : 1.0 / (double)m) * ratio, mtol, sa);
  CHECK_CLOSE(r->cost, cost, EXACT, scale * sa);
  double viol = 0, au = 0, bv = 0;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < m; j++) viol = fmax(viol, u[i] + v[j] - C[i * m + j]);
  for (int64_t i = 0; i < n; i++) au += (a ? a[i] : 1.0 / (double)n) * u[i];
  for (int64_t j = 0; j < m; j++) bv += (b ? b[j] : 1.0 / (double)m) * ratio * v[j];
  CHECK(viol <= tol);
  CHECK(slack <= tol);
  CHECK_CLOSE(au + bv, r->cost, EXACT * (double)(n + m), scale * sa);
  CHECK_CLOSE(au, bv, EXACT * (double)(n + m), scale * sa);
  free(row);
  free(col);
}

/* --- EMD against POT ------------------------------------------------------------------------ */

TEST(emd_matches_pot) {
  FILE *f = fopen(DIR_OT "emd.txt", "r");
  if (!f) {
    FAIL_AT("cannot open " DIR_OT "emd.txt");
    return;
  }
  char name[64];
  long long n, m;
  double cost;
  int plan_unique, duals_unique, cases = 0;
  int64_t live = sn_tensor_live_count();
  while (fscanf(f, "%63s %lld %lld %lf %d %d", name, &n, &m, &cost, &plan_unique, &duals_unique) == 6) {
    cases++;
    SnTensor *a = load("emd", name, "a"), *b = load("emd", name, "b"), *C = load("emd", name, "C");
    SnTensor *G = load("emd", name, "G"), *u = load("emd", name, "u"), *v = load("emd", name, "v");
    if (!a || !b || !C || !G || !u || !v) break;
    SnOtEmdOptions opt = {.dense = 1};
    SnOtEmdResult r;
    if (sn_ot_emd(a, b, C, &opt, &r)) {
      FAIL_AT("%s: %s", name, sn_error_message());
    } else {
      CHECK_CLOSE(r.cost, cost, REL, fmax(fabs(cost), 1e-300));
      if (failed_now_) printf("  in case %s\n", name);
      check_certificate(n, m, f64(a), f64(b), f64(C), &r);
      if (failed_now_) printf("  in case %s\n", name);
      if (plan_unique)
        for (int64_t k = 0; k < n * m; k++) CHECK_CLOSE(f64(r.plan)[k], f64(G)[k], REL, sum(f64(a), n));
      if (duals_unique) {
        double su = fmax(max_abs(f64(u), n), max_abs(f64(v), m));
        for (int64_t i = 0; i < n; i++) CHECK_CLOSE(f64(r.u)[i], f64(u)[i], REL, su);
        for (int64_t j = 0; j < m; j++) CHECK_CLOSE(f64(r.v)[j], f64(v)[j], REL, su);
      }
      if (failed_now_) printf("  in case %s\n", name);
      sn_ot_emd_free(&r);
    }
    sn_tensor_release(a);
    sn_tensor_release(b);
    sn_tensor_release(C);
    sn_tensor_release(G);
    sn_tensor_release(u);
    sn_tensor_release(v);
    if (failed_now_) break;
  }
  fclose(f);
  CHECK_EQ_INT(cases, 16);
  CHECK_EQ_INT(sn_tensor_live_count(), live);
}

/* --- EMD on generated problems ---------------------------------------------------------------- */

/* kind 0: random weights and costs; 1: weights with zeros; 2: small integer weights and costs
 * (degenerate, many optimal plans); 3: squared distances of 3-D clouds, uniform weights. */
static double weight(int kind) {
  if (kind == 1 && uniform01() < 0.3) return 0;
  if (kind == 2) return 1 + (int)(uniform01() * 3);
  return kind == 3 ? 1 : uniform01() + 0.01;
}

static Problem problem(int64_t n, int64_t m, int kind, uint64_t seed) {
  Problem p = {n, m, malloc((size_t)n * 8), malloc((size_t)m * 8), malloc((size_t)(n * m) * 8)};
  rng_state = seed * 2654435761u + 1;
  double sa = 0, sb = 0;
  for (int64_t i = 0; i < n; i++) {
    p.a[i] = weight(kind);
    sa += p.a[i];
  }
  for (int64_t j = 0; j < m; j++) {
    p.b[j] = weight(kind);
    sb += p.b[j];
  }
  if (sa == 0) p.a[0] = sa = 1;
  if (sb == 0) p.b[0] = sb = 1;
  for (int64_t i = 0; i < n; i++) p.a[i] /= sa;
  for (int64_t j = 0; j < m; j++) p.b[j] /= sb;
  if (kind == 3) {
    cloud_cost(n, m, 1, p.C);
  } else {
    for (int64_t k = 0; k < n * m; k++)
      p.C[k] = kind == 2 ? (int)(uniform01() * 4) : uniform01() * 10 - 3;
  }
  return p;
}

/* Hundreds of small problems of every kind and shape, each proved optimal by its certificate. */
TEST(emd_certificate_on_many_problems) {
  for (int t = 0; t < 400 && !failed_now_; t++) {
    rng_state = (uint64_t)t * 7919 + 3;
    int64_t n = 1 + (int64_t)(uniform01() * (t % 4 == 0 ? 40 : 9));
    int64_t m = 1 + (int64_t)(uniform01() * (t % 4 == 0 ? 40 : 9));
    Problem p = problem(n, m, t % 4, (uint64_t)t);
    SnOtEmdOptions opt = {.dense = 1};
    SnOtEmdResult r;
    if (sn_ot_emd_f64(n, m, p.a, p.b, p.C, &opt, &r)) {
      FAIL_AT("problem %d: %s", t, sn_error_message());
    } else {
      check_certificate(n, m, p.a, p.b, p.C, &r);
      if (failed_now_)
        printf("  in problem %d (%lld x %lld, kind %d)\n", t, (long long)n, (long long)m, t % 4);
      sn_ot_emd_free(&r);
    }
    problem_free(&p);
  }
}

/* A problem big enough for many blocks, refreshes and long stems. */
TEST(emd_certificate_large) {
  Problem p = problem(600, 500, 3, 11);
  SnOtEmdResult r;
  if (sn_ot_emd_f64(p.n, p.m, p.a, p.b, p.C, NULL, &r)) {
    FAIL_AT("%s", sn_error_message());
  } else {
    CHECK(r.plan == NULL);
    CHECK(r.iterations > 4096);
    check_certificate(p.n, p.m, p.a, p.b, p.C, &r);
    sn_ot_emd_free(&r);
  }
  problem_free(&p);
}

/* The vector pricing kernel picks the same arcs as the plain loop, so every output is equal bit
 * for bit, on blocks that start and end mid-row (m not a multiple of 8 or of the block). */
TEST(emd_fast_pricing_equals_reference) {
  const int64_t shapes[][2] = {{300, 257}, {97, 1003}, {1, 29}, {41, 3}};
  for (int s = 0; s < 4; s++) {
    Problem p = problem(shapes[s][0], shapes[s][1], s == 1 ? 0 : 3, 5 + (uint64_t)s);
    SnOtEmdOptions fast = {0}, ref = {.reference = 1};
    SnOtEmdResult r1, r2;
    if (sn_ot_emd_f64(p.n, p.m, p.a, p.b, p.C, &fast, &r1) ||
        sn_ot_emd_f64(p.n, p.m, p.a, p.b, p.C, &ref, &r2)) {
      FAIL_AT("%s", sn_error_message());
    } else {
      CHECK(r1.cost == r2.cost);
      CHECK_EQ_INT(r1.iterations, r2.iterations);
      CHECK_EQ_INT(r1.support.nnz, r2.support.nnz);
      CHECK(memcmp(r1.u->data, r2.u->data, (size_t)p.n * 8) == 0);
      CHECK(memcmp(r1.v->data, r2.v->data, (size_t)p.m * 8) == 0);
      if (r1.support.nnz == r2.support.nnz) {
        CHECK(memcmp(r1.support.rows->data, r2.support.rows->data, (size_t)r1.support.nnz * 8) == 0);
        CHECK(memcmp(r1.support.cols->data, r2.support.cols->data, (size_t)r1.support.nnz * 8) == 0);
        CHECK(memcmp(r1.support.mass->data, r2.support.mass->data, (size_t)r1.support.nnz * 8) == 0);
      }
      sn_ot_emd_free(&r1);
      sn_ot_emd_free(&r2);
    }
    problem_free(&p);
  }
}

/* NULL weights are uniform; weights and costs of other dtypes and strided views are converted. */
TEST(emd_tensor_arguments) {
  Problem p = problem(23, 31, 0, 77);
  int64_t sa[1] = {23}, sb[1] = {31}, sc[2] = {23, 31}, st[2] = {31, 23};
  SnTensor *C = sn_tensor_from_data(SN_F64, p.C, 2, sc);
  SnOtEmdResult r0, r1, r2;
  /* Uniform weights given and omitted. */
  double *ua = malloc(23 * 8), *ub = malloc(31 * 8);
  for (int i = 0; i < 23; i++) ua[i] = 1.0 / 23;
  for (int j = 0; j < 31; j++) ub[j] = 1.0 / 31;
  SnTensor *ta = sn_tensor_from_data(SN_F64, ua, 1, sa), *tb = sn_tensor_from_data(SN_F64, ub, 1, sb);
  CHECK_EQ_INT(sn_ot_emd(ta, tb, C, NULL, &r0), 0);
  CHECK_EQ_INT(sn_ot_emd(NULL, NULL, C, NULL, &r1), 0);
  CHECK_CLOSE(r1.cost, r0.cost, EXACT, 1);
  check_certificate(23, 31, NULL, NULL, p.C, &r1);
  sn_ot_emd_free(&r0);
  sn_ot_emd_free(&r1);
  /* f32 weights (counts, exact in f32 and f64: 66 in all), and C as the transpose of a
   * contiguous [31, 23] matrix (a strided view). */
  float fa[23], fb[31];
  double *ct = malloc(31 * 23 * 8), *a32 = malloc(23 * 8), *b32 = malloc(31 * 8);
  for (int i = 0; i < 23; i++) fa[i] = (float)(1 + i % 5), a32[i] = 1 + i % 5;
  for (int j = 0; j < 31; j++) fb[j] = (float)(2 + (j < 4)), b32[j] = 2 + (j < 4);
  for (int i = 0; i < 23; i++)
    for (int j = 0; j < 31; j++) ct[j * 23 + i] = p.C[i * 31 + j];
  SnTensor *Ct = sn_tensor_from_data(SN_F64, ct, 2, st), *view = sn_tensor_transpose(Ct, 0, 1);
  SnTensor *fta = sn_tensor_from_data(SN_F32, fa, 1, sa), *ftb = sn_tensor_from_data(SN_F32, fb, 1, sb);
  CHECK(!sn_tensor_is_contiguous(view));
  CHECK_EQ_INT(sn_ot_emd(fta, ftb, view, NULL, &r2), 0);
  check_certificate(23, 31, a32, b32, p.C, &r2);
  sn_ot_emd_free(&r2);
  sn_tensor_release(C);
  sn_tensor_release(ta);
  sn_tensor_release(tb);
  sn_tensor_release(Ct);
  sn_tensor_release(view);
  sn_tensor_release(fta);
  sn_tensor_release(ftb);
  free(ua);
  free(ub);
  free(ct);
  free(a32);
  free(b32);
  problem_free(&p);
}

/* Stopping at max_iter is reported, not looped over, and the last basis is still returned. */
TEST(emd_max_iter) {
  Problem p = problem(60, 60, 3, 3);
  SnOtEmdOptions opt = {.max_iter = 5, .dense = 1};
  SnOtEmdResult r;
  CHECK_EQ_INT(sn_ot_emd_f64(60, 60, p.a, p.b, p.C, &opt, &r), SN_OT_NOT_CONVERGED);
  CHECK_HAS(sn_error_message(), "emd: did not converge in 5 pivots (max_iter)");
  CHECK_HAS(sn_error_message(), "raise max_iter");
  CHECK_EQ_INT(r.converged, 0);
  CHECK_EQ_INT(r.iterations, 5);
  CHECK(r.plan && r.u && r.v && r.support.nnz > 0);
  sn_ot_emd_free(&r);
  CHECK(r.plan == NULL && r.support.rows == NULL);
  sn_ot_emd_free(&r);
  problem_free(&p);
}

/* Each bad input fails with a message naming the argument, and leaves nothing allocated. */
static void expect_emd_error(int64_t n, int64_t m, const double *a, const double *b, const double *C,
                             const char *want) {
  SnOtEmdResult r;
  int64_t live = sn_tensor_live_count();
  sn_error_clear();
  SnStatus st = sn_ot_emd_f64(n, m, a, b, C, NULL, &r);
  CHECK_EQ_INT(st, 1);
  CHECK_HAS(sn_error_message(), want);
  CHECK(r.plan == NULL && r.u == NULL && r.support.rows == NULL);
  CHECK_EQ_INT(sn_tensor_live_count(), live);
}

TEST(emd_errors) {
  double a[3] = {0.2, 0.3, 0.5}, b[2] = {0.5, 0.5}, C[6] = {0, 1, 2, 3, 4, 5};
  double neg[3] = {0.7, -0.2, 0.5}, nan_w[3] = {0.2, NAN, 0.5}, zero[3] = {0, 0, 0};
  double more[2] = {0.5, 0.6}, close[2] = {0.5, 0.5 + 1e-9};
  expect_emd_error(3, 2, neg, b, C, "emd: a[1] = -0.2 is negative; weights must be >= 0");
  expect_emd_error(3, 2, a, more, C, "emd: a and b must have the same total mass, but sum(a) = 1 and sum(b) = 1.1");
  expect_emd_error(3, 2, nan_w, b, C, "emd: a[1] is nan; weights must be finite");
  expect_emd_error(3, 2, zero, b, C, "emd: a has no mass: every weight is 0");
  double Cn[6] = {0, 1, 2, NAN, 4, 5}, Ci[6] = {0, 1, 2, 3, 4, -INFINITY};
  expect_emd_error(3, 2, a, b, Cn, "emd: C[1, 1] is nan; it must be finite");
  expect_emd_error(3, 2, a, b, Ci, "emd: C[2, 1] is -inf; it must be finite");
  expect_emd_error(0, 2, NULL, b, C, "emd: the cost matrix is 0 x 2; it needs at least one row and one column");
  double Cw[6] = {0, 1e301, -1e301, 5, 4, 3};
  expect_emd_error(3, 2, a, b, Cw, "emd: C ranges over [-1e+301, 1e+301], too wide to solve exactly in f64 with 5 points");
  /* Totals within rounding are accepted: b is rescaled to a's. */
  SnOtEmdResult r;
  CHECK_EQ_INT(sn_ot_emd_f64(3, 2, a, close, C, NULL, &r), 0);
  CHECK_CLOSE(sum(r.support.mass->data, r.support.nnz), 1, EXACT, 1);
  sn_ot_emd_free(&r);

  /* The tensor entry point checks ranks, sizes and dtypes. */
  int64_t s3[1] = {3}, s2[1] = {2}, s4[1] = {4}, s32[2] = {3, 2};
  SnTensor *ta = sn_tensor_from_data(SN_F64, a, 1, s3), *tb = sn_tensor_from_data(SN_F64, b, 1, s2);
  SnTensor *tC = sn_tensor_from_data(SN_F64, C, 2, s32), *t4 = sn_tensor_zeros(SN_F64, 1, s4);
  SnTensor *tbool = sn_tensor_zeros(SN_BOOL, 1, s3);
  int64_t live = sn_tensor_live_count();
  CHECK_EQ_INT(sn_ot_emd(t4, tb, tC, NULL, &r), 1);
  CHECK_HAS(sn_error_message(), "emd: size mismatch: the length of a is 4 but the number of rows of C is 3");
  CHECK_EQ_INT(sn_ot_emd(ta, t4, tC, NULL, &r), 1);
  CHECK_HAS(sn_error_message(), "emd: size mismatch: the length of b is 4 but the number of columns of C is 2");
  CHECK_EQ_INT(sn_ot_emd(ta, tb, ta, NULL, &r), 1);
  CHECK_HAS(sn_error_message(), "emd: C must be a matrix (rank 2), not rank 1");
  CHECK_EQ_INT(sn_ot_emd(tC, tb, tC, NULL, &r), 1);
  CHECK_HAS(sn_error_message(), "emd: a must be a vector (rank 1), not rank 2");
  CHECK_EQ_INT(sn_ot_emd(tbool, tb, tC, NULL, &r), 1);
  CHECK_HAS(sn_error_message(), "emd: a holds bool values; it needs numbers");
  CHECK_EQ_INT(sn_tensor_live_count(), live);
  sn_tensor_release(ta);
  sn_tensor_release(tb);
  sn_tensor_release(tC);
  sn_tensor_release(t4);
  sn_tensor_release(tbool);
}

/* --- 1-D ------------------------------------------------------------------------------------ */

TEST(wasserstein_1d_matches_pot) {
  FILE *f = fopen(DIR_OT "w1d.txt", "r");
  if (!f) {
    FAIL_AT("cannot open " DIR_OT "w1d.txt");
    return;
  }
  char name[64];
  long long n, m;
  double p, cost;
  int unique, cases = 0;
  int64_t live = sn_tensor_live_count();
  while (fscanf(f, "%63s %lld %lld %lf %lf %d", name, &n, &m, &p, &cost, &unique) == 6) {
    cases++;
    SnTensor *x = load("w1d", name, "x"), *y = load("w1d", name, "y"), *a = load("w1d", name, "a");
    SnTensor *b = load("w1d", name, "b"), *G = load("w1d", name, "G");
    if (!x || !y || !a || !b || !G) break;
    double got = -1, again = -1;
    SnOtSparsePlan plan;
    if (sn_ot_emd_1d(x, y, a, b, p, &got, &plan) || sn_ot_emd_1d(x, y, a, b, p, &again, NULL)) {
      FAIL_AT("%s: %s", name, sn_error_message());
    } else {
      CHECK_CLOSE(got, cost, REL, fmax(cost, 1e-300));
      CHECK(got == again);
      /* The plan: within n + m - 1 entries, the right marginals and the same cost. */
      CHECK(plan.nnz >= 1 && plan.nnz <= n + m - 1);
      double *row = calloc((size_t)n, 8), *col = calloc((size_t)m, 8), c = 0;
      double *dense = calloc((size_t)(n * m), 8);
      const int64_t *ri = plan.rows->data, *cj = plan.cols->data;
      const double *w = plan.mass->data;
      for (int64_t k = 0; k < plan.nnz; k++) {
        row[ri[k]] += w[k];
        col[cj[k]] += w[k];
        dense[ri[k] * m + cj[k]] += w[k];
        c += w[k] * pow(fabs(f64(x)[ri[k]] - f64(y)[cj[k]]), p);
      }
      for (int64_t i = 0; i < n; i++) CHECK_CLOSE(row[i], f64(a)[i], EXACT * (double)(n + m), 1);
      for (int64_t j = 0; j < m; j++) CHECK_CLOSE(col[j], f64(b)[j], EXACT * (double)(n + m), 1);
      CHECK_CLOSE(c, cost, REL, fmax(cost, 1e-300));
      if (unique)
        for (int64_t k = 0; k < n * m; k++) CHECK_CLOSE(dense[k], f64(G)[k], REL, 1);
      if (failed_now_) printf("  in case %s\n", name);
      free(row);
      free(col);
      free(dense);
      sn_ot_sparse_free(&plan);
    }
    sn_tensor_release(x);
    sn_tensor_release(y);
    sn_tensor_release(a);
    sn_tensor_release(b);
    sn_tensor_release(G);
    if (failed_now_) break;
  }
  fclose(f);
  CHECK_EQ_INT(cases, 7);
  CHECK_EQ_INT(sn_tensor_live_count(), live);
}

/* On the line, the network simplex on the matrix |x_i - y_j|^p and the quantile merge agree:
 * two independent solvers for one problem. */
TEST(wasserstein_1d_equals_emd_on_the_line) {
  const double ps[] = {1, 1.5, 2, 3};
  for (int t = 0; t < 40; t++) {
    rng_state = (uint64_t)t * 104729 + 17;
    int64_t n = 1 + (int64_t)(uniform01() * 30), m = 1 + (int64_t)(uniform01() * 30);
    double p = ps[t % 4];
    Problem w = problem(n, m, t % 3 == 2 ? 1 : 0, (uint64_t)t + 1000);
    double *x = malloc((size_t)n * 8), *y = malloc((size_t)m * 8), *C = malloc((size_t)(n * m) * 8);
    /* Positions on a coarse grid, so ties are common. */
    for (int64_t i = 0; i < n; i++) x[i] = (int)(uniform01() * 8) * 0.5;
    for (int64_t j = 0; j < m; j++) y[j] = (int)(uniform01() * 8) * 0.5 + 0.25;
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = 0; j < m; j++) C[i * m + j] = pow(fabs(x[i] - y[j]), p);
    double w1;
    SnOtEmdResult r;
    if (sn_ot_emd_1d_f64(n, m, x, y, w.a, w.b, p, &w1, NULL) ||
        sn_ot_emd_f64(n, m, w.a, w.b, C, NULL, &r)) {
      FAIL_AT("%s", sn_error_message());
    } else {
      CHECK_CLOSE(w1, r.cost, REL, fmax(r.cost, 1e-12));
      sn_ot_emd_free(&r);
    }
    free(x);
    free(y);
    free(C);
    problem_free(&w);
    if (failed_now_) break;
  }
}

TEST(wasserstein_1d_errors) {
  double x[3] = {0, 1, 2}, y[2] = {0.5, 1.5}, a[3] = {0.2, 0.3, 0.5}, b[2] = {0.5, 0.5};
  double xn[3] = {0, INFINITY, 2}, bneg[2] = {1.5, -0.5}, bmore[2] = {1, 1}, c;
  SnOtSparsePlan plan;
  CHECK_EQ_INT(sn_ot_emd_1d_f64(3, 2, x, y, a, b, 0.5, &c, &plan), 1);
  CHECK_HAS(sn_error_message(), "emd_1d: p = 0.5, but p must be finite and >= 1");
  CHECK(plan.rows == NULL);
  CHECK_EQ_INT(sn_ot_emd_1d_f64(3, 2, x, y, a, b, NAN, &c, NULL), 1);
  CHECK_HAS(sn_error_message(), "emd_1d: p = nan");
  CHECK_EQ_INT(sn_ot_emd_1d_f64(3, 2, xn, y, a, b, 2, &c, NULL), 1);
  CHECK_HAS(sn_error_message(), "emd_1d: x[1] is inf; it must be finite");
  CHECK_EQ_INT(sn_ot_emd_1d_f64(3, 2, x, y, a, bneg, 2, &c, NULL), 1);
  CHECK_HAS(sn_error_message(), "emd_1d: b[1] = -0.5 is negative");
  CHECK_EQ_INT(sn_ot_emd_1d_f64(3, 2, x, y, a, bmore, 2, &c, NULL), 1);
  CHECK_HAS(sn_error_message(), "emd_1d: a and b must have the same total mass, but sum(a) = 1 and sum(b) = 2");
  CHECK_EQ_INT(sn_ot_emd_1d_f64(3, 0, x, y, a, b, 2, &c, NULL), 1);
  CHECK_HAS(sn_error_message(), "emd_1d: x has 3 points and y 0; each needs at least one");
  int64_t s3[1] = {3}, s2[1] = {2};
  SnTensor *tx = sn_tensor_from_data(SN_F64, x, 1, s3), *ty = sn_tensor_from_data(SN_F64, y, 1, s2);
  CHECK_EQ_INT(sn_ot_emd_1d(tx, ty, ty, NULL, 2, &c, NULL), 1);
  CHECK_HAS(sn_error_message(), "emd_1d: size mismatch: the length of a is 2 but the number of points in x is 3");
  /* Uniform weights by default: two points each, shifted by 0.5. */
  CHECK_EQ_INT(sn_ot_emd_1d(ty, ty, NULL, NULL, 1, &c, NULL), 0);
  CHECK(c == 0);
  sn_tensor_release(tx);
  sn_tensor_release(ty);
}

/* --- sliced Wasserstein ------------------------------------------------------------------------ */

TEST(sliced_matches_pot) {
  FILE *f = fopen(DIR_OT "sliced.txt", "r");
  if (!f) {
    FAIL_AT("cannot open " DIR_OT "sliced.txt");
    return;
  }
  char name[64];
  long long n, m, d, nproj;
  double p, value;
  int cases = 0;
  int64_t live = sn_tensor_live_count();
  while (fscanf(f, "%63s %lld %lld %lld %lld %lf %lf", name, &n, &m, &d, &nproj, &p, &value) == 7) {
    cases++;
    SnTensor *X = load("sliced", name, "X"), *Y = load("sliced", name, "Y");
    SnTensor *a = load("sliced", name, "a"), *b = load("sliced", name, "b");
    SnTensor *P = load("sliced", name, "P");
    if (!X || !Y || !a || !b || !P) break;
    CHECK_EQ_INT(P->shape[0], nproj);
    double got = -1;
    if (sn_ot_sliced_wasserstein(X, Y, a, b, 0, P, 0, p, &got)) FAIL_AT("%s: %s", name, sn_error_message());
    CHECK_CLOSE(got, value, REL, value);
    if (failed_now_) printf("  in case %s\n", name);
    sn_tensor_release(X);
    sn_tensor_release(Y);
    sn_tensor_release(a);
    sn_tensor_release(b);
    sn_tensor_release(P);
  }
  fclose(f);
  CHECK_EQ_INT(cases, 3);
  CHECK_EQ_INT(sn_tensor_live_count(), live);
}

/* Seeded directions: unit vectors from the documented Philox draws; the seeded distance equals
 * the one with those directions given, is the mean of the one-direction distances (so the
 * parallel split cannot change it), and lands within 5 standard errors of the distance over
 * 200000 directions (a fixed seed: the check is deterministic). */
TEST(sliced_seeded) {
  SnTensor *X = load("sliced", "p2", "X"), *Y = load("sliced", "p2", "Y");
  SnTensor *a = load("sliced", "p2", "a"), *b = load("sliced", "p2", "b");
  FILE *f = fopen(DIR_OT "sliced_mc.txt", "r");
  char name[64];
  double p = 0, truth = 0, stderr_ = 0;
  long long nproj = 0;
  CHECK(f && fscanf(f, "%63s %lf %lf %lf %lld", name, &p, &truth, &stderr_, &nproj) == 5);
  if (f) fclose(f);
  if (!X || !Y || !a || !b || failed_now_) return;
  int64_t n = X->shape[0], m = Y->shape[0], d = 3, k = 7;
  double dirs[7 * 3], draw[3];
  CHECK_EQ_INT(sn_ot_sliced_wasserstein_directions(42, k, d, dirs), 0);
  for (int64_t q = 0; q < k; q++) {
    sn_rng_normal_f64(sn_rng(42), q * d, d, draw);
    double s = sqrt(draw[0] * draw[0] + draw[1] * draw[1] + draw[2] * draw[2]);
    for (int c = 0; c < 3; c++) CHECK_CLOSE(dirs[q * d + c], draw[c] / s, 1e-15, 1);
  }
  double seeded, given, mean = 0, one;
  const double *px = X->data, *py = Y->data, *pa = a->data, *pb = b->data;
  CHECK_EQ_INT(sn_ot_sliced_wasserstein_f64(n, m, d, px, py, pa, pb, k, NULL, 42, 2, &seeded), 0);
  CHECK_EQ_INT(sn_ot_sliced_wasserstein_f64(n, m, d, px, py, pa, pb, k, dirs, 0, 2, &given), 0);
  CHECK(seeded == given);
  for (int64_t q = 0; q < k; q++) {
    CHECK_EQ_INT(sn_ot_sliced_wasserstein_f64(n, m, d, px, py, pa, pb, 1, dirs + q * d, 0, 2, &one), 0);
    mean += one * one;
  }
  CHECK_CLOSE(seeded, sqrt(mean / (double)k), 1e-14, 1);
  double other;
  CHECK_EQ_INT(sn_ot_sliced_wasserstein(X, Y, a, b, k, NULL, 43, 2, &other), 0);
  CHECK(other != seeded);
  double est;
  CHECK_EQ_INT(sn_ot_sliced_wasserstein(X, Y, a, b, nproj, NULL, 2024, p, &est), 0);
  CHECK(fabs(est - truth) <= 5 * stderr_);
  /* The same cloud twice is at distance 0. */
  CHECK_EQ_INT(sn_ot_sliced_wasserstein(X, X, a, a, 10, NULL, 1, 2, &est), 0);
  CHECK(est == 0);
  sn_tensor_release(X);
  sn_tensor_release(Y);
  sn_tensor_release(a);
  sn_tensor_release(b);
}

TEST(sliced_errors) {
  double X[6] = {0, 1, 2, 3, 4, 5}, Y[4] = {1, 1, 2, 2}, Xn[6] = {0, 1, NAN, 3, 4, 5}, out;
  CHECK_EQ_INT(sn_ot_sliced_wasserstein_f64(3, 2, 2, X, Y, NULL, NULL, 0, NULL, 1, 2, &out), 1);
  CHECK_HAS(sn_error_message(), "sliced_wasserstein: 0 projections; it needs at least one");
  CHECK_EQ_INT(sn_ot_sliced_wasserstein_f64(3, 2, 2, X, Y, NULL, NULL, 5, NULL, 1, 0, &out), 1);
  CHECK_HAS(sn_error_message(), "sliced_wasserstein: p = 0, but p must be finite and >= 1");
  CHECK_EQ_INT(sn_ot_sliced_wasserstein_f64(3, 2, 2, Xn, Y, NULL, NULL, 5, NULL, 1, 2, &out), 1);
  CHECK_HAS(sn_error_message(), "sliced_wasserstein: X[1, 0] is nan; it must be finite");
  double wa[3] = {1, 1, 1};
  CHECK_EQ_INT(sn_ot_sliced_wasserstein_f64(3, 2, 2, X, Y, wa, NULL, 5, NULL, 1, 2, &out), 1);
  CHECK_HAS(sn_error_message(), "sliced_wasserstein: a and b must have the same total mass, but sum(a) = 3 and sum(b) = 1");
  int64_t s32[2] = {3, 2}, s23[2] = {2, 3}, s22[2] = {2, 2};
  SnTensor *tX = sn_tensor_from_data(SN_F64, X, 2, s32), *tY = sn_tensor_from_data(SN_F64, X, 2, s23);
  SnTensor *tY2 = sn_tensor_from_data(SN_F64, Y, 2, s22), *tP = sn_tensor_from_data(SN_F64, X, 2, s23);
  CHECK_EQ_INT(sn_ot_sliced_wasserstein(tX, tY, NULL, NULL, 5, NULL, 1, 2, &out), 1);
  CHECK_HAS(sn_error_message(), "sliced_wasserstein: size mismatch: the dimension of X is 2 but the dimension of Y is 3");
  CHECK_EQ_INT(sn_ot_sliced_wasserstein(tX, tY2, NULL, NULL, 5, tP, 1, 2, &out), 1);
  CHECK_HAS(sn_error_message(), "sliced_wasserstein: size mismatch: the dimension of the directions is 3 but the dimension of X is 2");
  CHECK_EQ_INT(sn_ot_sliced_wasserstein_directions(1, 0, 3, &out), 1);
  CHECK_HAS(sn_error_message(), "sliced_wasserstein: 0 directions in dimension 3; both must be >= 1");
  sn_tensor_release(tX);
  sn_tensor_release(tY);
  sn_tensor_release(tY2);
  sn_tensor_release(tP);
}
