/* test_assignment.c: linear_sum_assignment (runtime/ot/linear_sum_assignment.c) against the plain
 * oracle, every injective matching enumerated, on 400 random costs of 1 to 6 rows and columns
 * (wide, tall and square; small integers, with many ties, and reals), minimised and maximised:
 * the pairs are a matching of min(n, m) pairs with rows increasing, their cost is what *cost
 * says, and it is the oracle's optimum (exactly for integers, to 1e-12 for reals). */
#include "rt_test.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#define MAXN 6

/* The best total over injective maps of the smaller side into the larger, by depth-first
 * enumeration: k indexes the smaller side, used marks the larger side's indices taken. */
static double oracle(const double *C, int64_t n, int64_t m, bool maximize, int64_t k, bool *used, double acc) {
  int64_t small = n < m ? n : m, large = n < m ? m : n;
  if (k == small) return acc;
  double best = maximize ? -INFINITY : INFINITY;
  for (int64_t j = 0; j < large; j++) {
    if (used[j]) continue;
    used[j] = true;
    double c = n <= m ? C[k * m + j] : C[j * m + k];
    double v = oracle(C, n, m, maximize, k + 1, used, acc + c);
    used[j] = false;
    if (maximize ? v > best : v < best) best = v;
  }
  return best;
}

TEST(assignment_matches_oracle) {
  SnRng rng = sn_rng(17);
  double u[MAXN * MAXN + 2];
  int64_t at = 0;
  for (int trial = 0; trial < 400; trial++) {
    sn_rng_uniform_f64(rng, at, MAXN * MAXN + 2, u);
    at += MAXN * MAXN + 2;
    int64_t n = 1 + (int64_t)(u[0] * MAXN), m = 1 + (int64_t)(u[1] * MAXN);
    bool integers = trial % 2 == 0, maximize = trial % 4 >= 2;
    double C[MAXN * MAXN];
    for (int64_t k = 0; k < n * m; k++) C[k] = integers ? floor(u[2 + k] * 4) : u[2 + k] * 10 - 5;
    int64_t rows[MAXN], cols[MAXN];
    double cost = 0;
    CHECK(sn_ot_linear_sum_assignment_f64(n, m, C, maximize, rows, cols, &cost) == 0);
    int64_t k = n < m ? n : m;
    bool seen[MAXN] = {false};
    double total = 0;
    for (int64_t p = 0; p < k; p++) {
      CHECK(rows[p] >= 0 && rows[p] < n && cols[p] >= 0 && cols[p] < m);
      CHECK(p == 0 || rows[p] > rows[p - 1]);
      CHECK(!seen[cols[p]]);
      seen[cols[p]] = true;
      total += C[rows[p] * m + cols[p]];
    }
    bool used[MAXN] = {false};
    double best = oracle(C, n, m, maximize, 0, used, 0);
    CHECK_NEAR(cost, total, 1e-12);
    if (integers) CHECK(cost == best);
    else CHECK_NEAR(cost, best, 1e-12);
  }
}

TEST(assignment_forbidden_pairs) {
  /* +inf forbids: the only matching avoiding them costs 2 + 3 + 4 */
  double C[9] = {INFINITY, 2, INFINITY, 3, INFINITY, INFINITY, INFINITY, INFINITY, 4};
  int64_t rows[3], cols[3];
  double cost;
  CHECK(sn_ot_linear_sum_assignment_f64(3, 3, C, 0, rows, cols, &cost) == 0);
  CHECK(cols[0] == 1 && cols[1] == 0 && cols[2] == 2 && cost == 9);
  C[8] = INFINITY;
  CHECK(sn_ot_linear_sum_assignment_f64(3, 3, C, 0, rows, cols, &cost) != 0);
  CHECK(strstr(sn_error_message(), "no assignment avoids the infinite costs") != NULL);
}
