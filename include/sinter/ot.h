/* sinter/ot.h: optimal transport: exact (EMD, on the line, sliced), Sinkhorn-Newton-Sparse and
 * Sinkhorn's scaling form on a stored kernel. */
#ifndef SINTER_OT_H
#define SINTER_OT_H

#include "sinter/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- exact optimal transport -----------------------------------------------------------------
 * Unregularised transport between discrete measures, in f64. The *_f64 functions take plain
 * row-major arrays; the others take tensors of any numeric dtype (converted to f64) and check
 * their ranks and sizes. Weights a (n) and b (m) must be finite and >= 0 with a positive total;
 * NULL means uniform (1/n each). Totals that agree to a relative 1.5e-7 are rounding and b is
 * rescaled to a's total (POT's rule); a larger gap is an error naming both sums. Every array
 * result is a tensor the caller owns (free a result with its _free function, which is safe on a
 * zeroed struct); on failure nothing is left allocated, except as noted for max_iter. */

/* A sparse plan: entry k moves mass[k] from row (source) rows[k] to column (target) cols[k];
 * entries are sorted by (row, column) and every mass is > 0. */
typedef struct SnOtSparsePlan {
  int64_t nnz;
  SnTensor *rows; /* i64 [nnz] */
  SnTensor *cols; /* i64 [nnz] */
  SnTensor *mass; /* f64 [nnz] */
} SnOtSparsePlan;
void sn_ot_sparse_free(SnOtSparsePlan *plan);

/* EMD returns this status, not 1, when it stops at max_iter; the result is then filled with the
 * last basis (not optimal; converged = 0) and must still be freed. sn_ot_sinkhorn_newton_f64 returns it too,
 * with its last iterate in f and g. */
#define SN_OT_NOT_CONVERGED 2

typedef struct SnOtEmdOptions {
  int64_t max_iter;  /* pivots before giving up; <= 0: 1000 (n + m) */
  int32_t dense;     /* also return the dense n x m plan */
  int32_t reference; /* price arcs with the plain scalar loop (tests check the fast one against it) */
} SnOtEmdOptions;

typedef struct SnOtEmdResult {
  double cost;            /* <P, C> */
  SnOtSparsePlan support; /* the plan's nonzeros, at most n + m - 1 (a basic solution) */
  SnTensor *plan;         /* f64 [n, m], the same plan dense; NULL unless options.dense */
  SnTensor *u;            /* f64 [n] dual potentials: u_i + v_j <= C_ij, with equality on the */
  SnTensor *v;            /* f64 [m] support; centred so that a.u = b.v, as POT's emd does */
  int64_t iterations;     /* network simplex pivots */
  int32_t converged;      /* 1: optimal */
} SnOtEmdResult;

/* Exact EMD, min <P, C> over P >= 0 with rows summing to a and columns to b, by the network
 * simplex method (as POT's ot.emd, from LEMON) on C [n, m] (finite, row-major, read in place).
 * opt may be NULL. Rows and columns of zero weight get no mass; their potentials are the
 * tightest feasible ones (u_i = min_j C_ij - v_j). Runs on one thread. */
SnStatus sn_ot_emd_f64(int64_t n, int64_t m, const double *a, const double *b, const double *C,
                       const SnOtEmdOptions *opt, SnOtEmdResult *out);
/* The same on tensors: a [n] and b [m] (each may be NULL), C [n, m]. */
SnStatus sn_ot_emd(const SnTensor *a, const SnTensor *b, const SnTensor *C,
                   const SnOtEmdOptions *opt, SnOtEmdResult *out);
void sn_ot_emd_free(SnOtEmdResult *r);

/* Exact transport on the line between sum_i a_i delta(x_i) and sum_j b_j delta(y_j) for the cost
 * |x - y|^p, p >= 1, by sorting and merging the quantile functions (POT's wasserstein_1d):
 * *cost = W_p^p (take the p-th root for W_p). When plan is not NULL it receives the monotone
 * optimal plan, at most n + m - 1 entries, in the original indices. */
SnStatus sn_ot_emd_1d_f64(int64_t n, int64_t m, const double *x, const double *y,
                          const double *a, const double *b, double p, double *cost,
                          SnOtSparsePlan *plan);
SnStatus sn_ot_emd_1d(const SnTensor *x, const SnTensor *y, const SnTensor *a, const SnTensor *b,
                      double p, double *cost, SnOtSparsePlan *plan);

/* The linear assignment problem on C (n x m, row-major): the min(n, m) pairs (rows[k], cols[k]),
 * rows increasing, distinct rows and columns, whose total cost (*cost) is least, or greatest
 * when maximize is set: scipy.optimize.linear_sum_assignment, with its tie breaking. +inf (with
 * maximize, -inf) forbids a pair; NaN, the other infinity and a C with no assignment avoiding the
 * forbidden pairs are errors. */
SnStatus sn_ot_linear_sum_assignment_f64(int64_t n, int64_t m, const double *C, int maximize,
                                         int64_t *rows, int64_t *cols, double *cost);

/* nproj unit directions in R^d (out [nproj, d], row-major): direction k is elements
 * [k d, (k + 1) d) of sn_rng_normal_f64(sn_rng(seed), ...) normalised, so it is uniform on the
 * sphere and the same on any thread count. */
SnStatus sn_ot_sliced_wasserstein_directions(uint64_t seed, int64_t nproj, int64_t d, double *out);
/* Sliced Wasserstein between point clouds X [n, d] and Y [m, d] with weights a, b:
 * *out = (mean over directions theta of W_p^p(theta.X, theta.Y))^(1/p), as POT's
 * sliced_wasserstein_distance. The directions are dirs [nproj, d] when given (POT's
 * `projections` transposed; used as they are), else nproj drawn by sn_ot_sliced_wasserstein_directions from
 * seed. Directions are processed in parallel on the runtime's threads; the result does not
 * depend on the thread count. */
SnStatus sn_ot_sliced_wasserstein_f64(int64_t n, int64_t m, int64_t d, const double *X, const double *Y,
                                      const double *a, const double *b, int64_t nproj, const double *dirs,
                                      uint64_t seed, double p, double *out);
/* The same on tensors; with dirs [k, d] given, nproj is ignored. */
SnStatus sn_ot_sliced_wasserstein(const SnTensor *X, const SnTensor *Y, const SnTensor *a, const SnTensor *b,
                                  int64_t nproj, const SnTensor *dirs, uint64_t seed, double p, double *out);

/* --- entropic optimal transport: Sinkhorn-Newton-Sparse ---------------------------------------
 * The dual of min <P, C> + eps KL(P | a b^T) over plans with marginals a and b, in GeomLoss's
 * convention: potentials f (n) and g (m) give the plan P_ij = a_i b_j exp((f_i + g_j - C_ij) /
 * eps), and the dual objective <a, f> + <b, g> - eps (sum_ij P_ij - 1) is maximised where P has
 * marginals a and b. The solver is the Newton stage of SNS (Tang et al. 2024, "Accelerating
 * Sinkhorn algorithm with sparse Newton iterations"): from warm potentials (a few Sinkhorn
 * iterations), Newton steps whose Hessian keeps only the largest keep * n * m entries of P off
 * its diagonal, solved by conjugate gradients, with an Armijo line search. The Hessian is shifted
 * by 1% of the marginal error (a regularised Newton method: CG converges at small eps, and
 * convergence stays quadratic), and a log-domain Sinkhorn iteration replaces the Newton step
 * where a marginal is off by more than a factor e^5 or no step passes the line search. It holds
 * the dense plan: n m doubles besides C. */

typedef struct SnOtSinkhornNewtonInfo {
  int64_t iterations;     /* steps taken: Newton steps, and Sinkhorn steps in their place */
  int64_t sinkhorn_steps; /* steps where no Newton step was possible or accepted, and one */
                          /* log-domain Sinkhorn iteration was taken instead */
  int32_t converged;      /* 1: err <= tol */
  double err;             /* sum_i |(P 1)_i - a_i| + sum_j |(P^T 1)_j - b_j| at f, g */
  double cost;            /* <P, C> at f, g */
  int64_t nnz;            /* entries of P kept off the diagonal by the last sparsification */
  int64_t cg_iterations;  /* conjugate gradient iterations over all Newton steps */
} SnOtSinkhornNewtonInfo;

/* Entropic transport between a (n) and b (m) for the cost C [n, m] (finite, row-major) and
 * eps > 0: f [n] and g [m] hold the starting potentials and receive the result, normalised so
 * that <a, f> = <b, g>. Weights must be finite and >= 0 and each sum to 1 (to a relative 1.5e-7,
 * as for EMD; they are then divided by their sums); NULL means uniform. The solver runs on the
 * points of positive weight; a point of zero weight gets the c-transform of the other side's
 * potential, as the log-domain solvers give it. It stops when the
 * marginal error is <= tol (>= 0), or after max_iter steps (<= 0: 100), returning
 * SN_OT_NOT_CONVERGED. keep, in (0, 1], is the share of P's entries the Newton systems keep:
 * the smaller eps, the sparser the plan and the fewer suffice (on point clouds with C in [0, 1],
 * 0.03 at eps = 1e-3, 0.1 at eps = 1e-2); keeping too few makes the convergence linear, and 1
 * gives exact Newton steps.
 * info may be NULL. The O(n m) passes run on the runtime's threads, and the result does not
 * depend on their number. On failure f and g are left as they were. */
SnStatus sn_ot_sinkhorn_newton_f64(int64_t n, int64_t m, const double *a, const double *b, const double *C,
                                   double eps, double *f, double *g, double tol, int64_t max_iter,
                                   double keep, SnOtSinkhornNewtonInfo *info);

/* --- entropic optimal transport: Sinkhorn's scaling form on a stored kernel -----------------
 * P_ij = a_i u_i K_ij b_j v_j with K = exp(-C / eps) given (n x m, row-major, f32 or f64): each
 * iteration sets u_i = 1 / (K (b v))_i and v_j = 1 / (K^T (a u))_j in one pass over K. It stops
 * when err = sum_i a_i |u_i / u'_i - 1| (u' the next u) is below tol or not finite, keeping the
 * u and v it measured, or after max_iter iterations (< 0: 1000; 0 runs none and measures the
 * start). u and v hold the start and receive the result; a, b are the weights. The result does not depend on the thread count. */
typedef struct SnOtSinkhornKernelInfo {
  int64_t iterations; /* iterations run, the last one the one that measured err */
  int32_t converged;  /* 1: err < tol */
  double err;         /* the marginal error of the returned u, v when converged; else of the
                       * u, v before the last iteration's update (as the stdlib's sinkhorn) */
} SnOtSinkhornKernelInfo;
SnStatus sn_ot_sinkhorn_kernel_f64(int64_t n, int64_t m, const double *a, const double *b,
                                   SnDtype kdtype, const void *K, double *u, double *v,
                                   double tol, int64_t max_iter, SnOtSinkhornKernelInfo *info);

#ifdef __cplusplus
}
#endif
#endif
