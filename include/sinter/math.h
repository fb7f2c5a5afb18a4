/* sinter/math.h: scalar math (exp and log as generated code computes them), random numbers
 * (Philox streams and the distributions drawn from them), scans and matrix products. */
#ifndef SINTER_MATH_H
#define SINTER_MATH_H

#include "sinter/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- scalar math shared by generated code and the interpreter -------------------------------
 * exp and log are computed by the same operation sequence in generated code (vectorisable),
 * so the interpreter and compiled code agree bit for bit. */
float sn_expf(float x);
double sn_exp(double x);
float sn_logf(float x);
double sn_log(double x);

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

/* --- linear algebra ----------------------------------------------------------------------- */
/* a @ b for rank 1 or 2 operands of the same float dtype (OpenBLAS). */
SnTensor *sn_matmul(const SnTensor *a, const SnTensor *b);

#ifdef __cplusplus
}
#endif
#endif
