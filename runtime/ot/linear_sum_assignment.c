/* linear_sum_assignment.c: the builtin linear_sum_assignment, the exact linear assignment
 * problem on a dense n x m cost: min (or max) sum_k C[rows[k], cols[k]] over matchings of
 * min(n, m) pairs. Shortest augmenting paths with dual potentials (Jonker-Volgenant as Crouse
 * 2016 states it for rectangular costs, "On implementing 2D rectangular assignment algorithms"),
 * the algorithm of scipy.optimize.linear_sum_assignment, step for step, so that ties are broken
 * as scipy breaks them. O(n^2 m) time, O(n + m) memory beside a copy of C. */
#include "ot/rt_ot.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

/* The working arrays of one solve: nr <= nc after the transpose. */
typedef struct Lsap {
  int64_t nr, nc;
  const double *cost;        /* nr x nc, row-major, minimised */
  double *u, *v;             /* the dual potentials of rows and columns */
  double *shortest;          /* per column: the shortest path cost from the row being added */
  int64_t *path;             /* per column: the row before it on the shortest path */
  int64_t *col4row, *row4col; /* the matching so far, -1 where unmatched */
  int64_t *remaining;        /* columns not yet reached by the search */
  bool *SR, *SC;             /* rows and columns reached */
} Lsap;

/* Dijkstra from row i over the reduced costs: the first unmatched column reached (ties go to an
 * unmatched column), or -1 when every column left is at infinite cost. *min_val is its
 * distance. */
static int64_t augmenting_path(Lsap *L, int64_t i, double *min_val) {
  int64_t nc = L->nc, left = nc, sink = -1;
  /* locals the compiler may keep in registers: the arrays do not alias */
  double *restrict shortest = L->shortest;
  const double *restrict v = L->v;
  int64_t *restrict path = L->path, *restrict remaining = L->remaining;
  const int64_t *restrict row4col = L->row4col;
  double mv = 0;
  for (int64_t it = 0; it < nc; it++) remaining[it] = nc - it - 1;
  for (int64_t r = 0; r < L->nr; r++) L->SR[r] = false;
  for (int64_t j = 0; j < nc; j++) L->SC[j] = false, shortest[j] = INFINITY;
  while (sink == -1) {
    int64_t index = -1;
    double lowest = INFINITY;
    L->SR[i] = true;
    const double *restrict row = L->cost + i * nc;
    double ui = L->u[i];
    for (int64_t it = 0; it < left; it++) {
      int64_t j = remaining[it];
      double r = mv + row[j] - ui - v[j]; /* scipy's order of operations: the same ties */
      if (r < shortest[j]) {
        path[j] = i;
        shortest[j] = r;
      }
      if (shortest[j] < lowest || (shortest[j] == lowest && row4col[j] == -1)) {
        lowest = shortest[j];
        index = it;
      }
    }
    mv = lowest;
    if (mv == INFINITY) return -1;
    int64_t j = remaining[index];
    if (row4col[j] == -1) sink = j;
    else i = row4col[j];
    L->SC[j] = true;
    remaining[index] = remaining[--left];
  }
  *min_val = mv;
  return sink;
}

/* Adds the rows one by one, each along a shortest augmenting path, keeping the potentials
 * feasible. row `bad` gets the row that could not be added. */
static SnStatus solve(Lsap *L, int64_t *bad) {
  for (int64_t cur = 0; cur < L->nr; cur++) {
    double mv = 0;
    int64_t sink = augmenting_path(L, cur, &mv);
    if (sink < 0) {
      *bad = cur;
      return 1;
    }
    L->u[cur] += mv;
    for (int64_t i = 0; i < L->nr; i++)
      if (L->SR[i] && i != cur) L->u[i] += mv - L->shortest[L->col4row[i]];
    for (int64_t j = 0; j < L->nc; j++)
      if (L->SC[j]) L->v[j] -= mv - L->shortest[j];
    for (int64_t j = sink;;) {
      int64_t i = L->path[j], t = L->col4row[i];
      L->row4col[j] = i;
      L->col4row[i] = j;
      j = t;
      if (i == cur) break;
    }
  }
  return 0;
}

SnStatus sn_ot_linear_sum_assignment_f64(int64_t n, int64_t m, const double *C, int maximize,
                                         int64_t *rows, int64_t *cols, double *cost) {
  const char *fn = "linear_sum_assignment";
  *cost = 0;
  if (n == 0 || m == 0) return 0;
  for (int64_t k = 0; k < n * m; k++) {
    double c = C[k];
    if (isnan(c) || c == (maximize ? INFINITY : -INFINITY))
      return sn_error_set("%s: C[%lld, %lld] is %s; the costs must be numbers, with %sinf only to forbid a pair", fn,
                          (long long)(k / m), (long long)(k % m), isnan(c) ? "nan" : maximize ? "inf" : "-inf",
                          maximize ? "-" : "");
  }
  bool tr = m < n;
  int64_t nr = tr ? m : n, nc = tr ? n : m;
  Lsap L = {.nr = nr, .nc = nc};
  double *cc = malloc((size_t)(nr * nc) * sizeof *cc);
  L.u = calloc((size_t)nr, sizeof *L.u);
  L.v = calloc((size_t)nc, sizeof *L.v);
  L.shortest = malloc((size_t)nc * sizeof *L.shortest);
  L.path = malloc((size_t)nc * sizeof *L.path);
  L.col4row = malloc((size_t)nr * sizeof *L.col4row);
  L.row4col = malloc((size_t)nc * sizeof *L.row4col);
  L.remaining = malloc((size_t)nc * sizeof *L.remaining);
  L.SR = malloc((size_t)nr * sizeof *L.SR);
  L.SC = malloc((size_t)nc * sizeof *L.SC);
  SnStatus st = 0;
  if (!cc || !L.u || !L.v || !L.shortest || !L.path || !L.col4row || !L.row4col || !L.remaining || !L.SR || !L.SC) {
    st = sn_error_set("%s: out of memory for a %lld x %lld cost", fn, (long long)n, (long long)m);
    goto done;
  }
  for (int64_t i = 0; i < nr; i++)
    for (int64_t j = 0; j < nc; j++) {
      double c = tr ? C[j * m + i] : C[i * m + j];
      cc[i * nc + j] = maximize ? -c : c;
    }
  L.cost = cc;
  for (int64_t i = 0; i < nr; i++) L.col4row[i] = -1;
  for (int64_t j = 0; j < nc; j++) L.row4col[j] = -1, L.path[j] = -1;
  int64_t bad = 0;
  if (solve(&L, &bad)) {
    st = sn_error_set("%s: no assignment avoids the infinite costs: %s %lld cannot be matched with the %s still free",
                      fn, tr ? "column" : "row", (long long)bad, tr ? "rows" : "columns");
    goto done;
  }
  /* Pairs in increasing row order; transposed, row4col maps C's rows to its columns. */
  if (!tr) {
    for (int64_t i = 0; i < nr; i++) rows[i] = i, cols[i] = L.col4row[i];
  } else {
    int64_t k = 0;
    for (int64_t r = 0; r < n; r++)
      if (L.row4col[r] != -1) rows[k] = r, cols[k++] = L.row4col[r];
  }
  for (int64_t k = 0; k < nr; k++) *cost += C[rows[k] * m + cols[k]];
done:
  free(cc);
  free(L.u);
  free(L.v);
  free(L.shortest);
  free(L.path);
  free(L.col4row);
  free(L.row4col);
  free(L.remaining);
  free(L.SR);
  free(L.SC);
  return st;
}

/* --- the call from generated code --------------------------------------------------------- */

SnResult *sn_ot_linear_sum_assignment_call(const char *where, const SnTensor *C, int32_t maximize) {
  const char *fn = "linear_sum_assignment";
  SnResult *r = sn_result_new(3);
  if (!r) return sn_result_failed(where, NULL);
  SnTensor *hold = NULL;
  const double *c = snrt_ot_as_f64(fn, "C", C, 2, &hold);
  if (!c) return sn_result_failed(where, r);
  int64_t n = C->shape[0], m = C->shape[1], k[1] = {n < m ? n : m};
  SnTensor *rows = sn_tensor_new(SN_I64, 1, k), *cols = sn_tensor_new(SN_I64, 1, k);
  double cost = 0;
  if (!rows || !cols ||
      sn_ot_linear_sum_assignment_f64(n, m, c, maximize != 0, rows->data, cols->data, &cost)) {
    sn_tensor_release(hold);
    sn_tensor_release(rows);
    sn_tensor_release(cols);
    return sn_result_failed(where, r);
  }
  sn_tensor_release(hold);
  sn_result_set_tensor(r, 0, "rows", rows);
  sn_result_set_tensor(r, 1, "cols", cols);
  sn_result_set_f64(r, 2, "cost", cost);
  return r;
}
