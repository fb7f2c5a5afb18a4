/* ot_emd.c: exact EMD at n = m = 4000 (data from bench/ot_emd.py), sinter against POT's ot.emd on
 * the same matrix, best of several runs. Usage: ot_emd DIR N POT_SECONDS POT_COST. */
#include "sinter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define REPS 3

static SnTensor *load(const char *dir, int n, const char *what) {
  char path[1024];
  snprintf(path, sizeof path, "%s/emd_%d_%s.npy", dir, n, what);
  SnTensor *t = sn_npy_read(path);
  if (!t) fprintf(stderr, "ot_emd: %s\n", sn_error_message());
  return t;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: ot_emd DIR N POT_SECONDS POT_COST\n");
    return 2;
  }
  int n = atoi(argv[2]);
  double pot = atof(argv[3]), pot_cost = atof(argv[4]);
  SnTensor *M = load(argv[1], n, "M"), *a = load(argv[1], n, "a"), *b = load(argv[1], n, "b");
  if (!M || !a || !b) return 1;
  /* What POT's ot.emd(..., log=True) returns: the dense plan, the cost and the potentials. */
  SnOtEmdOptions opt = {.dense = 1};
  double best = INFINITY, cost = 0;
  int64_t iters = 0;
  for (int r = 0; r < REPS; r++) {
    SnOtEmdResult res;
    double t0 = sn_now();
    SnStatus st = sn_ot_emd(a, b, M, &opt, &res);
    double t = sn_now() - t0;
    if (st) {
      fprintf(stderr, "ot_emd: %s\n", sn_error_message());
      return 1;
    }
    if (t < best) best = t;
    cost = res.cost;
    iters = res.iterations;
    sn_ot_emd_free(&res);
  }
  double diff = fabs(cost - pot_cost) / fabs(pot_cost);
  fprintf(stderr, "sinter: %lld pivots, cost %.17g (POT %.17g, relative difference %.1e)\n",
          (long long)iters, cost, pot_cost, diff);
  if (!(diff <= 1e-8)) {
    fprintf(stderr, "ot_emd: the costs differ: one of the solvers is wrong\n");
    return 1;
  }
  printf("emd n=%d  sinter %.3f s  POT %.3f s  ratio %.2f\n", n, best, pot, pot / best);
  sn_tensor_release(M);
  sn_tensor_release(a);
  sn_tensor_release(b);
  return 0;
}
