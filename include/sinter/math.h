/* sinter/math.h: scalar math (exp and log as generated code computes them), random numbers
 * (Philox streams and the distributions drawn from them), scans and matrix products. */
#ifndef SINTER_MATH_H
#define SINTER_MATH_H

#include "sinter/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- scalar math shared by generated code and the interpreter -------------------------------
 * exp, log and rand's elements are computed by the same operation sequence in generated code
 * (vectorisable), so the interpreter and compiled code agree bit for bit. */
float sn_expf(float x);
double sn_exp(double x);
float sn_logf(float x);
double sn_log(double x);
/* Element i of rand(shape, seed=seed) in f32 or f64 (stream 0, offset 0; the layout in
 * runtime/math/rng.c), computed alone: generated code computes the same where it reads it. */
float sn_rand_f32(int64_t seed, int64_t i);
double sn_rand_f64(int64_t seed, int64_t i);

/* --- random streams (Philox4x32-10, counter-based; layout in runtime/math/rng.c) -------------
 * Block b of a stream is philox(ctr = {b lo, b hi, stream lo, stream hi}, key = {seed lo, seed
 * hi}) with b counted from `offset`. Element i of a draw depends only on (seed, stream, offset,
 * i), so results are the same on every thread count and back end. */
typedef struct SnRng {
  uint64_t seed;
  uint64_t stream;
  uint64_t offset; /* the first block a draw uses */
} SnRng;
void sn_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);
SnRng sn_rng(uint64_t seed); /* stream 0, offset 0 */
/* Child stream i of r: a stream number derived by Philox from (r.seed, r.stream, i), so
 * children of one parent, and of different parents, do not overlap in practice. */
SnRng sn_rng_split(SnRng r, uint64_t i);
/* Elements [start, start + n) of a draw, written to out[0..n). Uniform is in [0, 1). */
void sn_rng_uniform_f32(SnRng r, int64_t start, int64_t n, float *out);
void sn_rng_uniform_f64(SnRng r, int64_t start, int64_t n, double *out);
void sn_rng_normal_f32(SnRng r, int64_t start, int64_t n, float *out);
void sn_rng_normal_f64(SnRng r, int64_t start, int64_t n, double *out);
/* Tensors of a floating dtype (f16 and bf16 are drawn in f32 and rounded). */
SnTensor *sn_rng_uniform(SnRng r, SnDtype dtype, int64_t rank, const int64_t *shape);
SnTensor *sn_rng_normal(SnRng r, SnDtype dtype, int64_t rank, const int64_t *shape);
/* A bool tensor, each element true with probability p in [0, 1]. */
SnTensor *sn_rng_bernoulli(SnRng r, double p, int64_t rank, const int64_t *shape);
/* n draws of category k with probability weights[k] / sum(weights): weights f32/f64 [k] gives
 * i64 [n]; weights [b, k] gives i64 [b, n], one distribution per row. Weights must be finite,
 * non-negative, with a positive sum. */
SnTensor *sn_rng_categorical(SnRng r, const SnTensor *weights, int64_t n);
SnTensor *sn_rng_permutation(SnRng r, int64_t n); /* i64 [n]: 0..n-1 shuffled uniformly */

/* --- scans ------------------------------------------------------------------------------------
 * Cumulative sums and products along `axis` (a new tensor of x's shape), or of x's elements in
 * row-major order when axis is negative (a vector of numel(x)), each taken in order. Integers
 * and bools give i64 (wrapping), floats their own dtype (f16 and bf16 accumulate in f32). */
SnTensor *sn_cumsum(SnTensor *x, int64_t axis);
SnTensor *sn_cumprod(SnTensor *x, int64_t axis);
/* The complex linear recurrence x_l = a_l x_{l-1} + b_l along the last axis from x_{-1} = 0
 * (reverse: x_l = a_l x_{l+1} + b_l from the end), a and b given as real and imaginary parts of
 * one shape, f32 or f64: [2, shape...], the real parts then the imaginary ones. */
SnTensor *sn_linrec(SnTensor *ar, SnTensor *ai, SnTensor *br, SnTensor *bi, int32_t reverse);

/* --- linear algebra ----------------------------------------------------------------------- */
/* a @ b for rank 1 or 2 operands of the same float dtype (OpenBLAS), or batches of matrices
 * [..., n, k] @ [..., k, m] with equal leading sizes. */
SnTensor *sn_matmul(const SnTensor *a, const SnTensor *b);
/* op(a) @ op(b), op(x) the transpose of a matrix x when its flag (ta, tb) is set: BLAS reads it
 * in place with its transpose flag. */
SnTensor *sn_matmul_t(const SnTensor *a, const SnTensor *b, int32_t ta, int32_t tb);
/* Square f32 or f64 matrices through LAPACK (runtime/math/linalg.c), the result in A's dtype. A
 * NaN or infinite input, a singular matrix (solve, inv), one not positive definite (cholesky)
 * is an error. solve: x with A x = b, b a vector [n] or a matrix [n, k] (as numpy.linalg.solve);
 * cholesky: the lower L with A = L L^T, from A's lower triangle; det: a tensor of rank 0,
 * computed as NumPy does from the LU factorization's log-magnitudes and sign. */
SnTensor *sn_solve(const SnTensor *A, const SnTensor *b);
SnTensor *sn_inv(const SnTensor *A);
SnTensor *sn_cholesky(const SnTensor *A);
SnTensor *sn_det(const SnTensor *A);

/* --- sorting and order statistics along an axis (runtime/math/sort.c) ------------------------
 * sort and argsort (x's shape; argsort's indices i64) are stable and put NaN last, as NumPy's
 * kind='stable'; -0.0 and 0.0 are equal. quantile is NumPy's default 'linear' method, q in
 * [0, 1]; median the middle element or the mean of the two middle ones. They reduce the axis
 * (axis < 0: every element, a result of rank 0), a vector q [k] putting a dimension k first;
 * floats keep their dtype, integers give f64, and a line holding NaN gives NaN. */
SnTensor *sn_sort(const SnTensor *x, int64_t axis);
SnTensor *sn_argsort(const SnTensor *x, int64_t axis);
SnTensor *sn_quantile(const SnTensor *x, double q, int64_t axis);
SnTensor *sn_quantiles(const SnTensor *x, const SnTensor *q, int64_t axis);
SnTensor *sn_median(const SnTensor *x, int64_t axis);
/* x's row-major positions grouped by row and value, for the gradient of a read W[x[i]] or
 * W[i, x[i, j]] (autodiff.c): a row is x's element over its first `lead` axes (none: one row),
 * and the key of a position row * n + its value. An i64 vector of keys + 1 + numel(x), the
 * groups' starts then the positions: those of key k are out[keys + 1 + m] for out[k] <= m <
 * out[k + 1], increasing. flags: with SN_GROUP_WRAP a value v in [-n, 0) counts as v + n (x[-1]
 * is the last row); values outside are in no group, or with SN_GROUP_CHECK an error naming `what`
 * as an index read out of range would. x holds integers (any integer dtype, any layout).
 * O(rows n + numel). */
enum { SN_GROUP_WRAP = 1, SN_GROUP_CHECK = 2 };
SnTensor *sn_group_positions(const SnTensor *x, int64_t n, int64_t lead, int32_t flags, const char *what);

#ifdef __cplusplus
}
#endif
#endif
