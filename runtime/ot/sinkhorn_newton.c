/* sinkhorn_newton.c: the builtin _sinkhorn_newton (the stdlib's sinkhorn_newton): entropic optimal
 * transport by the Newton stage of Sinkhorn-Newton-Sparse
 * (Tang, Shavlovsky, Rahmanian, Tardini, Thekumparampil, Xiao & Ying, "Accelerating Sinkhorn
 * algorithm with sparse Newton iterations", ICLR 2024).
 *
 * With P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps), r = P 1 and c = P^T 1, the dual
 *   D(f, g) = <a, f> + <b, g> - eps (sum_ij P_ij - 1)
 * is concave, with gradient (a - r, b - c) and Hessian -(1/eps) [[diag(r), P], [P^T, diag(c)]],
 * singular along (1, -1) (which leaves P unchanged). A Newton step solves
 *   [[(1 + mu) diag(r), S], [S^T, (1 + mu) diag(c)]] (df, dg) = eps (a - r, b - c)
 * where S keeps the largest entries of P (SNS's sparsification; the diagonal stays exact), by
 * Jacobi-preconditioned conjugate gradients on the subspace orthogonal to (1, -1), and moves
 * along (df, dg) as far as an Armijo line search on D allows. Every step starts from P
 * recomputed from the potentials, so errors do not accumulate across steps.
 *
 * The shift mu = SNS_DAMPING min(err, 1), with err the marginal error, makes this a regularised
 * Newton method (Li, Fukushima, Qi & Yamashita 2004, "Regularized Newton methods for convex
 * minimization problems with singular solutions"): at small eps the plan is nearly a forest
 * (the exact plan's support), its Hessian has eigenvalues down to exp(-gap / eps), and plain
 * CG on it does not converge in 2 (n + m) iterations; with the shift, the preconditioned system's
 * condition number is at most (2 + mu) / mu. As mu is proportional to err the step differs from
 * Newton's by O(err^2), so convergence stays quadratic.
 *
 * Memory: the dense plan P (n m doubles, besides C), S and its transpose (12 bytes an entry
 * each), and O(n + m) vectors. Exponents are formed as log a_i + log b_j + (f_i + g_j - C_ij) /
 * eps, so nothing overflows or underflows on the way for any eps (no kernel exp(-C / eps), no
 * scalings u, v). */
#include "ot/rt_ot.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Row blocks of the O(n m) passes, the chunks of their loops on the runtime's threads. The blocks
 * depend on n alone and per-block partial sums are combined in block order, so results do not
 * depend on the thread count; 64 blocks keep a few dozen cores busy while the column partials
 * stay at 64 m doubles. */
#define SNS_BLOCKS 64
/* Loops over fewer entries than this run on the calling thread: below it a parallel loop costs
 * more than it saves. It is also the least a chunk of the radix counts scans, so that summing the
 * chunks' 2^SNS_DIGIT_BITS counts costs at most an eighth of the scan. */
#define SNS_PARALLEL_MIN 32768
/* max_iter <= 0 means this many steps: warm-started Newton needs a handful to a few dozen. */
#define SNS_MAX_ITER 100
/* Conjugate gradients stop at this relative residual, or after SNS_CG_ITER_PER_DIM (n + m)
 * iterations; the Newton step is then accurate enough to keep quadratic convergence down to
 * marginal errors near rounding. */
#define SNS_CG_RTOL 1e-10
#define SNS_CG_ITER_PER_DIM 2
/* mu = SNS_DAMPING min(err, 1) (see above). The number of steps hardly depends on it over two
 * orders of magnitude (docs/performance.md); larger values shorten the steps far from the
 * optimum. */
#define SNS_DAMPING 0.01
/* Newton steps are taken only while every marginal is within a factor e^SNS_NEWTON_RANGE of its
 * target; otherwise a Sinkhorn step is. Newton linearises exp, so where a row's mass is e^k
 * times too large it moves that row's exponent by about 1 a step, where Sinkhorn's log update
 * moves it by k at once (and a marginal that underflowed to 0 leaves the system singular).
 * A smaller range hands Sinkhorn steps that Newton does better (docs/performance.md). */
#define SNS_NEWTON_RANGE 5
/* Armijo's sufficient-increase constant, and the most halvings of the step before giving up. */
#define SNS_ARMIJO 1e-4
#define SNS_MAX_HALVINGS 30
/* Below this |s|, e^s - 1 - s comes from its Taylor series: expm1(s) - s would cancel. */
#define SNS_SERIES_BELOW 1e-2
/* The threshold of the sparsification is found by a radix selection on the bits of P's entries,
 * SNS_DIGIT_BITS at a time, for at most SNS_DIGITS digits (sign, exponent and 24 bits of
 * mantissa: the kept entries are the largest to a relative 6e-8). */
#define SNS_DIGIT_BITS 12
#define SNS_DIGITS 3

typedef struct Sns {
  int64_t n, m;
  const double *C;      /* [n, m] */
  double eps;
  double *a, *b;        /* [n], [m] weights, summing to 1 */
  double *la, *lb;      /* [n], [m] their logarithms */
  double *f, *g;        /* [n], [m] the current potentials */
  double *P;            /* [n, m] the plan at f, g */
  double *r, *c;        /* [n], [m] its row and column sums */
  double *part;         /* [SNS_BLOCKS, m] per-block column partials */
  int64_t *hist;        /* [hchunks, 2^SNS_DIGIT_BITS] radix counts, one row per chunk of P */
  int64_t hchunks;
  double damp;          /* 1 + mu: the Newton system's diagonal is damp (r, c) */
  /* S in CSR: row i's entries are cols[k], vals[k] for rowp[i] <= k < rowp[i + 1]; S^T the same
   * way (tcols are rows of S); both hold room for cap entries. */
  int64_t *rowp, *trowp;
  int32_t *cols, *tcols;
  double *vals, *tvals;
  int64_t nnz, cap;
  /* Conjugate gradient vectors, n + m each: the f part first, then the g part. */
  double *rhs, *step, *res, *pre, *dir, *prod;
} Sns;

static inline int64_t row_blocks(int64_t n) { return n < SNS_BLOCKS ? n : SNS_BLOCKS; }

/* Runs body over [0, n) in nchunks chunks: on the runtime's threads when the loop touches at least
 * SNS_PARALLEL_MIN entries, else on the calling thread. No body here fails. */
static void sns_for(int64_t entries, int64_t n, int64_t nchunks, SnChunkFn body, void *ctx) {
  if (entries >= SNS_PARALLEL_MIN) sn_parallel_for(n, nchunks, body, ctx);
  else sn_serial_for(n, nchunks, body, ctx);
}

/* --- the plan, its marginals and the marginal error ----------------------------------------------
 * P_ij = exp(log a_i + log b_j + (f_i + g_j - C_ij) / eps), r = P 1, c = P^T 1, and <P, C>. */

/* A loop over row blocks that sums one value per block. */
typedef struct BlockSums {
  Sns *s;
  double alpha;             /* curvature_pass's step length */
  double sum[SNS_BLOCKS];
} BlockSums;

/* Rows [lo, hi) of P and r, block k's column partials and <P, C> over the rows. */
static int32_t plan_rows(void *ctx, int64_t k, int64_t lo, int64_t hi) {
  BlockSums *b = ctx;
  Sns *s = b->s;
  int64_t m = s->m;
  double *col = s->part + k * m, ck = 0;
  memset(col, 0, (size_t)m * sizeof *col);
  for (int64_t i = lo; i < hi; i++) {
    const double *Ci = s->C + i * m, *g = s->g, *lb = s->lb;
    double *Pi = s->P + i * m, fi = s->f[i], lai = s->la[i], eps = s->eps, ri = 0, cost_i = 0;
    for (int64_t j = 0; j < m; j++) {
      double p = exp(lai + lb[j] + (fi + g[j] - Ci[j]) / eps);
      Pi[j] = p;
      ri += p;
      col[j] += p;
      cost_i += p * Ci[j];
    }
    s->r[i] = ri;
    ck += cost_i;
  }
  b->sum[k] = ck;
  return 0;
}

static void plan_pass(Sns *s, double *err, double *cost) {
  int64_t n = s->n, m = s->m, nb = row_blocks(n);
  BlockSums costs = {.s = s};
  sns_for(n * m, n, nb, plan_rows, &costs);
  double e = 0, total = 0;
  for (int64_t j = 0; j < m; j++) {
    double cj = 0;
    for (int64_t k = 0; k < nb; k++) cj += s->part[k * m + j];
    s->c[j] = cj;
    e += fabs(cj - s->b[j]);
  }
  for (int64_t i = 0; i < n; i++) e += fabs(s->r[i] - s->a[i]);
  for (int64_t k = 0; k < nb; k++) total += costs.sum[k];
  *err = e;
  *cost = total;
}

/* --- sparsification ------------------------------------------------------------------------------
 * S keeps the entries of P at or above the k-th largest, k = keep n m: for a given count this
 * drops the least mass, so S stays closest to P where the Newton system needs it (a per-row
 * top-k would keep tiny entries of light rows and drop heavy ones of others). The threshold
 * comes from a radix selection: for entries >= 0 the IEEE bit patterns sort as the values do,
 * so counting entries by their top bits finds the bucket holding the k-th largest, and the
 * next bits refine it within that bucket. Unlike quickselect on a copy of P it needs no n m
 * scratch, runs on all threads, and is O(n m) per digit in the worst case, not only expected;
 * it keeps at least k entries, more only by ties within the last digit's resolution. */

/* One digit's counts: entries whose bits above `shift + SNS_DIGIT_BITS` equal prefix's, by their
 * next SNS_DIGIT_BITS bits. */
typedef struct DigitCount {
  const Sns *s;
  uint64_t high, prefix;
  int shift;
} DigitCount;

/* Counts entries [lo, hi) of P into chunk c's row of s->hist. */
static int32_t count_digits(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  const DigitCount *d = ctx;
  const int64_t nbins = (int64_t)1 << SNS_DIGIT_BITS;
  const double *P = d->s->P;
  int64_t *h = d->s->hist + c * nbins;
  memset(h, 0, (size_t)nbins * sizeof *h);
  for (int64_t q = lo; q < hi; q++) {
    uint64_t u = sn_f64_bits(P[q]);
    if ((u & d->high) == d->prefix) h[(u >> d->shift) & (uint64_t)(nbins - 1)]++;
  }
  return 0;
}

/* The smallest value that S keeps: entries >= it number at least k (1 <= k <= n m). */
static double keep_threshold(Sns *s, int64_t k) {
  const int64_t nbins = (int64_t)1 << SNS_DIGIT_BITS, total = s->n * s->m;
  int64_t *hist = s->hist;
  uint64_t prefix = 0, need = (uint64_t)k;
  for (int d = 0; d < SNS_DIGITS; d++) {
    int shift = 64 - SNS_DIGIT_BITS * (d + 1);
    DigitCount job = {s, d ? ~(uint64_t)0 << (shift + SNS_DIGIT_BITS) : 0, prefix, shift};
    sns_for(total, total, s->hchunks, count_digits, &job);
    for (int64_t c = 1; c < s->hchunks; c++)
      for (int64_t v = 0; v < nbins; v++) hist[v] += hist[c * nbins + v];
    /* Walk down from the largest bucket until the one that holds the k-th largest. */
    int64_t v = nbins - 1;
    for (; v > 0 && (uint64_t)hist[v] < need; v--) need -= (uint64_t)hist[v];
    prefix |= (uint64_t)v << shift;
    if ((uint64_t)hist[v] <= need) break; /* the whole bucket is kept */
  }
  return sn_f64_from(prefix);
}

/* Grows S's arrays to hold cap entries. */
static SnStatus sparse_reserve(Sns *s, int64_t cap) {
  if (cap <= s->cap) return 0;
  int32_t *c1 = realloc(s->cols, (size_t)cap * sizeof *c1);
  if (c1) s->cols = c1;
  int32_t *c2 = realloc(s->tcols, (size_t)cap * sizeof *c2);
  if (c2) s->tcols = c2;
  double *v1 = realloc(s->vals, (size_t)cap * sizeof *v1);
  if (v1) s->vals = v1;
  double *v2 = realloc(s->tvals, (size_t)cap * sizeof *v2);
  if (v2) s->tvals = v2;
  if (!c1 || !c2 || !v1 || !v2)
    return sn_error_set("sinkhorn_newton: out of memory for %lld entries of the sparse Hessian",
                        (long long)cap);
  s->cap = cap;
  return 0;
}

/* The entries of P that S keeps: those >= min. */
typedef struct Kept {
  Sns *s;
  double min;
  int fill; /* 0: count row i's into rowp[i + 1]; 1: store them from rowp[i] on */
} Kept;

/* Rows [lo, hi) of S: their counts, or their entries. */
static int32_t kept_rows(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  (void)c;
  const Kept *kp = ctx;
  Sns *s = kp->s;
  int64_t m = s->m;
  for (int64_t i = lo; i < hi; i++) {
    const double *Pi = s->P + i * m;
    int64_t k = kp->fill ? s->rowp[i] : 0;
    for (int64_t j = 0; j < m; j++) {
      if (!kp->fill) k += Pi[j] >= kp->min;
      else if (Pi[j] >= kp->min) s->cols[k] = (int32_t)j, s->vals[k++] = Pi[j];
    }
    if (!kp->fill) s->rowp[i + 1] = k;
  }
  return 0;
}

/* S = the positive entries of P >= thr, in CSR by rows (built in parallel), and S^T (by a
 * counting sort, in O(nnz + m)). */
static SnStatus sparsify(Sns *s, double thr) {
  int64_t n = s->n, m = s->m;
  Kept kp = {s, thr > 0 ? thr : DBL_TRUE_MIN, 0};
  sns_for(n * m, n, row_blocks(n), kept_rows, &kp);
  s->rowp[0] = 0;
  for (int64_t i = 0; i < n; i++) s->rowp[i + 1] += s->rowp[i];
  s->nnz = s->rowp[n];
  if (sparse_reserve(s, s->nnz + s->nnz / 2)) return 1;
  kp.fill = 1;
  sns_for(n * m, n, row_blocks(n), kept_rows, &kp);
  memset(s->trowp, 0, (size_t)(m + 1) * sizeof *s->trowp);
  for (int64_t k = 0; k < s->nnz; k++) s->trowp[s->cols[k] + 1]++;
  for (int64_t j = 0; j < m; j++) s->trowp[j + 1] += s->trowp[j];
  for (int64_t i = 0; i < n; i++)
    for (int64_t k = s->rowp[i]; k < s->rowp[i + 1]; k++) {
      int64_t at = s->trowp[s->cols[k]]++;
      s->tcols[at] = (int32_t)i;
      s->tvals[at] = s->vals[k];
    }
  /* The fill advanced each column's start to the next column's: shift them back. */
  for (int64_t j = m; j > 0; j--) s->trowp[j] = s->trowp[j - 1];
  s->trowp[0] = 0;
  return 0;
}

/* --- the Newton system: conjugate gradients on the subspace orthogonal to (1, -1) ------------- */

typedef struct Product {
  const Sns *s;
  const double *x;
  double *out;
} Product;

/* Entries [lo, hi) of the product: rows of S below n, rows of S^T from n on. */
static int32_t product_rows(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  (void)c;
  const Product *p = ctx;
  const Sns *s = p->s;
  int64_t n = s->n;
  const double *x = p->x, *xg = x + n;
  for (int64_t i = lo; i < hi && i < n; i++) {
    double v = s->damp * s->r[i] * x[i];
    for (int64_t k = s->rowp[i]; k < s->rowp[i + 1]; k++) v += s->vals[k] * xg[s->cols[k]];
    p->out[i] = v;
  }
  for (int64_t j = (lo > n ? lo : n) - n; j < hi - n; j++) {
    double v = s->damp * s->c[j] * xg[j];
    for (int64_t k = s->trowp[j]; k < s->trowp[j + 1]; k++) v += s->tvals[k] * x[s->tcols[k]];
    p->out[n + j] = v;
  }
  return 0;
}

/* out = [[damp diag(r), S], [S^T, damp diag(c)]] x, x and out of length n + m. */
static void hessian_apply(const Sns *s, const double *x, double *out) {
  int64_t len = s->n + s->m;
  Product p = {s, x, out};
  sns_for(s->nnz + len, len, row_blocks(len), product_rows, &p);
}

/* x minus its component along (1, -1): shifting f up and g down by the same constant leaves P
 * unchanged, so that direction is the Hessian's null space and no step moves along it. */
static void project(double *x, int64_t n, int64_t m) {
  double t = 0;
  for (int64_t i = 0; i < n; i++) t += x[i];
  for (int64_t j = 0; j < m; j++) t -= x[n + j];
  t /= (double)(n + m);
  for (int64_t i = 0; i < n; i++) x[i] -= t;
  for (int64_t j = 0; j < m; j++) x[n + j] += t;
}

static double dot(const double *x, const double *y, int64_t len) {
  double t = 0;
  for (int64_t q = 0; q < len; q++) t += x[q] * y[q];
  return t;
}

/* pre = the projection of res / (damp (r, c)): the Jacobi preconditioner restricted to the
 * subspace. */
static void precondition(const Sns *s, const double *res, double *pre) {
  for (int64_t i = 0; i < s->n; i++) pre[i] = res[i] / (s->damp * s->r[i]);
  for (int64_t j = 0; j < s->m; j++) pre[s->n + j] = res[s->n + j] / (s->damp * s->c[j]);
  project(pre, s->n, s->m);
}

/* s->step = the Newton step (df, dg) from s->rhs (already projected) by preconditioned CG from
 * zero (Hestenes & Stiefel; Saad 2003, alg. 9.1); returns the iterations taken. The operator
 * and preconditioner are symmetric positive definite on the subspace, and every iterate stays
 * in it, so this is plain PCG there. */
static int64_t newton_solve(Sns *s) {
  int64_t len = s->n + s->m, max_it = SNS_CG_ITER_PER_DIM * len;
  double *x = s->step, *res = s->res, *pre = s->pre, *p = s->dir, *q = s->prod;
  memset(x, 0, (size_t)len * sizeof *x);
  memcpy(res, s->rhs, (size_t)len * sizeof *res);
  double stop = SNS_CG_RTOL * sqrt(dot(res, res, len));
  precondition(s, res, pre);
  memcpy(p, pre, (size_t)len * sizeof *p);
  double rz = dot(res, pre, len);
  int64_t it = 0;
  while (it < max_it && sqrt(dot(res, res, len)) > stop) {
    hessian_apply(s, p, q);
    project(q, s->n, s->m);
    double pq = dot(p, q, len);
    if (!(pq > 0)) break; /* rounding has exhausted the subspace */
    double alpha = rz / pq;
    for (int64_t k = 0; k < len; k++) x[k] += alpha * p[k], res[k] -= alpha * q[k];
    it++;
    precondition(s, res, pre);
    double rz_next = dot(res, pre, len), beta = rz_next / rz;
    rz = rz_next;
    for (int64_t k = 0; k < len; k++) p[k] = pre[k] + beta * p[k];
  }
  return it;
}

/* --- line search ---------------------------------------------------------------------------------
 * Along (df, dg), D(f + alpha df, g + alpha dg) - D(f, g) = alpha <grad, step> - eps sum_ij P_ij
 * phi(alpha t_ij), with t_ij = (df_i + dg_j) / eps and phi(s) = e^s - 1 - s >= 0 (the first-order
 * terms of sum P_ij (e^{alpha t_ij} - 1) are <r, df> + <c, dg>, which the gradient absorbs).
 * Near the optimum the increase is far below the rounding of D itself, so Armijo's test
 * D(new) >= D(old) + c alpha <grad, step> is evaluated in this form, where each term is
 * accurate to itself. */

/* e^s - 1 - s. */
static inline double phi(double s) {
  if (fabs(s) < SNS_SERIES_BELOW)
    return s * s *
           (0.5 + s * (1.0 / 6 + s * (1.0 / 24 + s * (1.0 / 120 + s * (1.0 / 720 + s / 5040)))));
  return expm1(s) - s;
}

/* sum_ij P_ij phi(alpha t_ij). Where the step raises an entry by more than a factor e (alpha t_ij
 * > 1), the term is e^{x + alpha t_ij} - P_ij (1 + alpha t_ij) with x the entry's exponent, so
 * an entry that underflowed to 0 in P still counts what it grows to (P_ij phi would be 0 times
 * Inf). */
/* Block k's share of the sum below: rows [lo, hi). */
static int32_t curvature_rows(void *ctx, int64_t k, int64_t lo, int64_t hi) {
  BlockSums *b = ctx;
  const Sns *s = b->s;
  int64_t m = s->m;
  const double *df = s->step, *dg = s->step + s->n;
  double sk = 0, h = b->alpha / s->eps;
  for (int64_t i = lo; i < hi; i++) {
    const double *Pi = s->P + i * m;
    for (int64_t j = 0; j < m; j++) {
      double t = h * (df[i] + dg[j]); /* alpha t_ij */
      if (t > 1) {
        double x = s->la[i] + s->lb[j] + (s->f[i] + s->g[j] - s->C[i * m + j]) / s->eps;
        sk += exp(x + t) - Pi[j] * (1 + t);
      } else {
        sk += Pi[j] * phi(t);
      }
    }
  }
  b->sum[k] = sk;
  return 0;
}

static double curvature_pass(Sns *s, double alpha) {
  int64_t n = s->n, nb = row_blocks(n);
  BlockSums sums = {.s = s, .alpha = alpha};
  sns_for(n * s->m, n, nb, curvature_rows, &sums);
  double total = 0;
  for (int64_t k = 0; k < nb; k++) total += sums.sum[k];
  return total;
}

/* --- one step --------------------------------------------------------------------------------- */

/* A Newton step from the plan in s->P; *taken is 0 when a marginal is off by more than
 * SNS_NEWTON_RANGE, or no step length passes Armijo's test. Fails only when memory runs out. */
static SnStatus newton_step(Sns *s, double keep, double err, int *taken, int64_t *cg) {
  int64_t n = s->n, m = s->m;
  *taken = 0;
  for (int64_t i = 0; i < n; i++)
    if (!(fabs(log(s->r[i] / s->a[i])) <= SNS_NEWTON_RANGE)) return 0;
  for (int64_t j = 0; j < m; j++)
    if (!(fabs(log(s->c[j] / s->b[j])) <= SNS_NEWTON_RANGE)) return 0;
  s->damp = 1 + SNS_DAMPING * fmin(err, 1);
  double want = ceil(keep * (double)n * (double)m);
  int64_t k = n * m;
  if (want < (double)k) k = want < 1 ? 1 : (int64_t)want;
  if (sparsify(s, keep_threshold(s, k))) return 1;
  for (int64_t i = 0; i < n; i++) s->rhs[i] = s->eps * (s->a[i] - s->r[i]);
  for (int64_t j = 0; j < m; j++) s->rhs[n + j] = s->eps * (s->b[j] - s->c[j]);
  project(s->rhs, n, m);
  *cg += newton_solve(s);
  /* <grad, step>: positive for any CG iterate from zero on a positive definite system. */
  double gd = dot(s->rhs, s->step, n + m) / s->eps;
  if (!(gd > 0)) return 0;
  for (int h = 0; h <= SNS_MAX_HALVINGS; h++) {
    double alpha = ldexp(1, -h);
    if (s->eps * curvature_pass(s, alpha) <= (1 - SNS_ARMIJO) * alpha * gd) {
      for (int64_t i = 0; i < n; i++) s->f[i] += alpha * s->step[i];
      for (int64_t j = 0; j < m; j++) s->g[j] += alpha * s->step[n + j];
      *taken = 1;
      return 0;
    }
  }
  return 0;
}

/* One log-domain Sinkhorn iteration, f then g:
 *   f_i = -eps log sum_j b_j exp((g_j - C_ij) / eps),
 *   g_j = -eps log sum_i a_i exp((f_i - C_ij) / eps),
 * each a log-sum-exp shifted by its maximum. It brings any finite potentials to a plan with
 * column marginals b, so the method never stalls where Newton cannot step. The column maxima
 * live in s->c, which the next plan pass recomputes. */
/* f_i for rows [lo, hi). */
static int32_t sinkhorn_rows(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  (void)c;
  Sns *s = ctx;
  int64_t m = s->m;
  const double *C = s->C, *g = s->g;
  double eps = s->eps;
  for (int64_t i = lo; i < hi; i++) {
    double mx = -INFINITY, sum = 0;
    for (int64_t j = 0; j < m; j++) mx = fmax(mx, s->lb[j] + (g[j] - C[i * m + j]) / eps);
    for (int64_t j = 0; j < m; j++) sum += exp(s->lb[j] + (g[j] - C[i * m + j]) / eps - mx);
    s->f[i] = -eps * (mx + log(sum));
  }
  return 0;
}

typedef struct ColumnPass {
  Sns *s;
  int pass; /* 0: the columns' maxima; 1: their sums of exp(x - max), the maxima in s->c */
} ColumnPass;

/* Block k's column partials over rows [lo, hi). */
static int32_t sinkhorn_cols(void *ctx, int64_t k, int64_t lo, int64_t hi) {
  const ColumnPass *cp = ctx;
  const Sns *s = cp->s;
  int64_t m = s->m;
  const double *C = s->C, *f = s->f, *mx = s->c;
  double eps = s->eps, *col = s->part + k * m;
  for (int64_t j = 0; j < m; j++) col[j] = cp->pass ? 0 : -INFINITY;
  for (int64_t i = lo; i < hi; i++)
    for (int64_t j = 0; j < m; j++) {
      double x = s->la[i] + (f[i] - C[i * m + j]) / eps;
      if (cp->pass) col[j] += exp(x - mx[j]);
      else col[j] = fmax(col[j], x);
    }
  return 0;
}

static void sinkhorn_step(Sns *s) {
  int64_t n = s->n, m = s->m, nb = row_blocks(n);
  double eps = s->eps, *g = s->g;
  sns_for(n * m, n, nb, sinkhorn_rows, s);
  /* Columns: per-block maxima (exact in any order), then per-block sums combined in order. */
  double *mx = s->c;
  for (int pass = 0; pass < 2; pass++) {
    ColumnPass cp = {s, pass};
    sns_for(n * m, n, nb, sinkhorn_cols, &cp);
    for (int64_t j = 0; j < m; j++) {
      double v = pass ? 0 : -INFINITY;
      for (int64_t k = 0; k < nb; k++) {
        double x = s->part[k * m + j];
        v = pass ? v + x : fmax(v, x);
      }
      if (pass) g[j] = -eps * (mx[j] + log(v));
      else mx[j] = v;
    }
  }
}

/* --- the solver ------------------------------------------------------------------------------- */

static void sns_free(Sns *s) {
  free(s->la);
  free(s->P);
  free(s->part);
  free(s->hist);
  free(s->rowp);
  free(s->trowp);
  free(s->cols);
  free(s->tcols);
  free(s->vals);
  free(s->tvals);
}

static SnStatus sns_alloc(Sns *s) {
  int64_t n = s->n, m = s->m, len = n + m;
  s->hchunks = sn_parallel_chunks(n * m, SNS_PARALLEL_MIN);
  if (s->hchunks > SNS_BLOCKS) s->hchunks = SNS_BLOCKS;
  /* One block: the pairs (la, lb), (a, b), (f, g), (r, c) and the six CG vectors, n + m each. */
  s->la = malloc((size_t)(10 * len) * sizeof *s->la);
  s->P = malloc((size_t)(n * m) * sizeof *s->P);
  s->part = malloc((size_t)(SNS_BLOCKS * m) * sizeof *s->part);
  s->hist = malloc(((size_t)s->hchunks << SNS_DIGIT_BITS) * sizeof *s->hist);
  s->rowp = malloc((size_t)(n + 1) * sizeof *s->rowp);
  s->trowp = malloc((size_t)(m + 1) * sizeof *s->trowp);
  if (!s->la || !s->P || !s->part || !s->hist || !s->rowp || !s->trowp)
    return sn_error_set("sinkhorn_newton: out of memory for a %lld x %lld plan", (long long)n,
                        (long long)m);
  double *v = s->la;
  s->lb = v + n;
  v += len;
  s->a = v, s->b = v + n;
  v += len;
  s->f = v, s->g = v + n;
  v += len;
  s->r = v, s->c = v + n;
  v += len;
  double **cgv[6] = {&s->rhs, &s->step, &s->res, &s->pre, &s->dir, &s->prod};
  for (int q = 0; q < 6; q++, v += len) *cgv[q] = v;
  return 0;
}

/* Checks weights w (NULL: uniform) and returns their sum in *sum and the count of positive ones
 * in *live. */
static SnStatus check_weights(const char *fn, const char *name, const double *w, int64_t n,
                              double *sum, int64_t *live) {
  *sum = 1;
  *live = n;
  if (!w) return 0;
  double t = 0;
  for (int64_t i = 0; i < n; i++) {
    if (!isfinite(w[i]))
      return sn_error_set("%s: %s[%lld] is %g; weights must be finite", fn, name, (long long)i,
                          w[i]);
    if (!(w[i] >= 0))
      return sn_error_set("%s: %s[%lld] = %g; weights must be >= 0", fn, name, (long long)i, w[i]);
    t += w[i];
    *live -= w[i] == 0;
  }
  if (fabs(t - 1) > SN_OT_MASS_RTOL)
    return sn_error_set("%s: %s must sum to 1, but sum(%s) = %.12g; normalise it (divide by its "
                        "sum)", fn, name, name, t);
  *sum = t;
  return 0;
}

/* The solver proper, on weights that are all > 0 (or NULL), the checks done. */
static SnStatus sns_solve(int64_t n, int64_t m, const double *a, const double *b, double sa,
                          double sb, const double *C, double eps, double *f, double *g,
                          double tol, int64_t max_iter, double keep, SnOtSinkhornNewtonInfo *info) {
  const char *fn = "sinkhorn_newton";
  Sns s = {.n = n, .m = m, .C = C, .eps = eps};
  SnStatus st = sns_alloc(&s);
  if (st) goto done;
  for (int64_t i = 0; i < n; i++) {
    s.a[i] = a ? a[i] / sa : 1.0 / (double)n;
    s.la[i] = log(s.a[i]);
  }
  for (int64_t j = 0; j < m; j++) {
    s.b[j] = b ? b[j] / sb : 1.0 / (double)m;
    s.lb[j] = log(s.b[j]);
  }
  memcpy(s.f, f, (size_t)n * sizeof *f);
  memcpy(s.g, g, (size_t)m * sizeof *g);
  if (max_iter <= 0) max_iter = SNS_MAX_ITER;

  SnOtSinkhornNewtonInfo out = {0};
  for (;;) {
    plan_pass(&s, &out.err, &out.cost);
    if (out.err <= tol) {
      out.converged = 1;
      break;
    }
    if (out.iterations == max_iter) break;
    out.iterations++;
    int taken;
    if ((st = newton_step(&s, keep, out.err, &taken, &out.cg_iterations))) goto done;
    out.nnz = s.nnz;
    if (!taken) {
      sinkhorn_step(&s);
      out.sinkhorn_steps++;
    }
  }
  /* The constant that f and g share is fixed by <a, f> = <b, g> (a and b sum to 1). */
  double shift = (dot(s.b, s.g, m) - dot(s.a, s.f, n)) / 2;
  for (int64_t i = 0; i < n; i++) f[i] = s.f[i] + shift;
  for (int64_t j = 0; j < m; j++) g[j] = s.g[j] - shift;
  if (info) *info = out;
  if (!out.converged) {
    sn_error_set("%s: did not converge in %lld steps (max_iter): the marginal error is %.3g, "
                 "above tol = %.3g; raise max_iter, or keep (Newton steps closer to exact)",
                 fn, (long long)max_iter, out.err, tol);
    st = SN_OT_NOT_CONVERGED;
  }
done:
  sns_free(&s);
  return st;
}

/* The potential of a point of zero weight: the c-transform of the other side's potential h,
 * -eps log sum_k w_k exp((h_k - c_k) / eps) over the costs c_k = C[at + k * stride] and the
 * weights w (NULL: uniform; zeros are left out), as a log-domain solver's update gives it. */
static double c_transform(const double *C, int64_t at, int64_t stride, int64_t len,
                          const double *w, const double *h, double eps) {
  double mx = -INFINITY, sum = 0;
  for (int pass = 0; pass < 2; pass++)
    for (int64_t k = 0; k < len; k++) {
      if (w && !(w[k] > 0)) continue;
      double x = (w ? log(w[k]) : -log((double)len)) + (h[k] - C[at + k * stride]) / eps;
      if (pass) sum += exp(x - mx);
      else mx = fmax(mx, x);
    }
  return -eps * (mx + log(sum));
}

/* Points of zero weight carry no mass, and the Newton system would be singular on them (their
 * rows of P are 0): the solver runs on the points of positive weight, and the others get the
 * c-transforms of the result. */
static SnStatus sns_positive(int64_t n, int64_t m, const double *a, const double *b, double sa,
                             double sb, int64_t na, int64_t nb, const double *C, double eps,
                             double *f, double *g, double tol, int64_t max_iter, double keep,
                             SnOtSinkhornNewtonInfo *info) {
  int64_t *ia = malloc((size_t)na * sizeof *ia), *ib = malloc((size_t)nb * sizeof *ib);
  double *ca = malloc((size_t)(na + nb) * sizeof *ca), *cC = malloc((size_t)(na * nb) * sizeof *cC);
  double *cf = malloc((size_t)(na + nb) * sizeof *cf);
  SnStatus st = 1;
  if (!ia || !ib || !ca || !cC || !cf) {
    sn_error_set("sinkhorn_newton: out of memory for a %lld x %lld plan", (long long)na,
                 (long long)nb);
    goto done;
  }
  double *cb = ca + na, *cg = cf + na;
  for (int64_t i = 0, k = 0; i < n; i++)
    if (!a || a[i] > 0) ia[k] = i, ca[k] = a ? a[i] : 1.0 / (double)n, cf[k++] = f[i];
  for (int64_t j = 0, k = 0; j < m; j++)
    if (!b || b[j] > 0) ib[k] = j, cb[k] = b ? b[j] : 1.0 / (double)m, cg[k++] = g[j];
  for (int64_t i = 0; i < na; i++)
    for (int64_t j = 0; j < nb; j++) cC[i * nb + j] = C[ia[i] * m + ib[j]];
  st = sns_solve(na, nb, ca, cb, sa, sb, cC, eps, cf, cg, tol, max_iter, keep, info);
  if (st && st != SN_OT_NOT_CONVERGED) goto done;
  for (int64_t k = 0; k < na; k++) f[ia[k]] = cf[k];
  for (int64_t k = 0; k < nb; k++) g[ib[k]] = cg[k];
  for (int64_t i = 0; i < n; i++)
    if (a && a[i] == 0) f[i] = c_transform(C, i * m, 1, m, b, g, eps);
  for (int64_t j = 0; j < m; j++)
    if (b && b[j] == 0) g[j] = c_transform(C, j, m, n, a, f, eps);
done:
  free(ia);
  free(ib);
  free(ca);
  free(cC);
  free(cf);
  return st;
}

SnStatus sn_ot_sinkhorn_newton_f64(int64_t n, int64_t m, const double *a, const double *b, const double *C,
                                   double eps, double *f, double *g, double tol, int64_t max_iter,
                                   double keep, SnOtSinkhornNewtonInfo *info) {
  const char *fn = "sinkhorn_newton";
  if (info) memset(info, 0, sizeof *info);
  if (n < 1 || m < 1)
    return sn_error_set("%s: the cost matrix is %lld x %lld; it needs at least one row and one "
                        "column", fn, (long long)n, (long long)m);
  if (n >= INT32_MAX || m >= INT32_MAX || n > INT64_MAX / 8 / m)
    return sn_error_set("%s: a %lld x %lld problem is too large", fn, (long long)n, (long long)m);
  if (!(eps > 0)) return sn_error_set("%s: eps must be > 0, got %g", fn, eps);
  if (!(tol >= 0)) return sn_error_set("%s: tol must be >= 0, got %g", fn, tol);
  if (!isfinite(eps) || !isfinite(tol))
    return sn_error_set("%s: eps and tol must be finite, got eps = %g and tol = %g", fn, eps, tol);
  if (!(keep > 0 && keep <= 1))
    return sn_error_set("%s: keep must be in (0, 1], got %g", fn, keep);
  double sa, sb;
  int64_t na, nb;
  if (check_weights(fn, "a", a, n, &sa, &na) || check_weights(fn, "b", b, m, &sb, &nb) ||
      snrt_ot_check_finite(fn, "C", C, n, m) || snrt_ot_check_finite(fn, "f0", f, n, 1) ||
      snrt_ot_check_finite(fn, "g0", g, m, 1))
    return 1;
  if (na < n || nb < m)
    return sns_positive(n, m, a, b, sa, sb, na, nb, C, eps, f, g, tol, max_iter, keep, info);
  return sns_solve(n, m, a, b, sa, sb, C, eps, f, g, tol, max_iter, keep, info);
}

/* --- the call from generated code ------------------------------------------------------------- */

SnResult *sn_ot_sinkhorn_newton_call(const char *where, const SnTensor *a, const SnTensor *b,
                                     const SnTensor *C, double eps, const SnTensor *f0, const SnTensor *g0,
                                     double tol, int64_t max_iter, double keep) {
  const char *fn = "sinkhorn_newton";
  SnResult *r = sn_result_new(8);
  if (!r) return sn_result_failed(where, NULL);
  SnTensor *hc = NULL, *ha = NULL, *hb = NULL, *tf = NULL, *tg = NULL;
  const double *c = snrt_ot_as_f64(fn, "C", C, 2, &hc), *pa = NULL, *pb = NULL;
  SnStatus st = 1;
  if (!c) goto done;
  int64_t n = C->shape[0], m = C->shape[1];
  if (a && (!(pa = snrt_ot_as_f64(fn, "a", a, 1, &ha)) ||
            snrt_ot_size_match(fn, "the length of a", a->shape[0], "the number of rows of C", n)))
    goto done;
  if (b && (!(pb = snrt_ot_as_f64(fn, "b", b, 1, &hb)) ||
            snrt_ot_size_match(fn, "the length of b", b->shape[0], "the number of columns of C",
                               m)))
    goto done;
  tf = snrt_ot_start_potential(fn, "f0", "the length of f0", f0, n, "the number of rows of C");
  tg = tf ? snrt_ot_start_potential(fn, "g0", "the length of g0", g0, m, "the number of columns of C")
          : NULL;
  if (!tg) goto done;
  SnOtSinkhornNewtonInfo info;
  st = sn_ot_sinkhorn_newton_f64(n, m, pa, pb, c, eps, tf->data, tg->data, tol, max_iter, keep, &info);
  if (st == 0 || st == SN_OT_NOT_CONVERGED) {
    sn_result_set_tensor(r, 0, "f", tf);
    sn_result_set_tensor(r, 1, "g", tg);
    tf = tg = NULL;
    sn_result_set_f64(r, 2, "err", info.err);
    sn_result_set_f64(r, 3, "cost", info.cost);
    sn_result_set_i64(r, 4, "iterations", info.iterations);
    sn_result_set_i64(r, 5, "converged", info.converged);
    sn_result_set_i64(r, 6, "nnz", info.nnz);
    sn_result_set_i64(r, 7, "sinkhorn_steps", info.sinkhorn_steps);
    st = 0;
  }
done:
  sn_tensor_release(hc);
  sn_tensor_release(ha);
  sn_tensor_release(hb);
  sn_tensor_release(tf);
  sn_tensor_release(tg);
  return st ? sn_result_failed(where, r) : r;
}
