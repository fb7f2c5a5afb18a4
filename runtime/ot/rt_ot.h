/* rt_ot.h: what the transport solvers share (runtime/ot/common.c) and keep out of the public
 * API: the checks of their inputs, tensor arguments as f64 arrays, and sparse plans. A solver's file includes this header, never another
 * solver's file. */
#ifndef SN_RT_OT_H
#define SN_RT_OT_H

#include "core/rt_core.h"
#include "sinter/abi.h"
#include "sinter/math.h"
#include "sinter/ot.h"

/* Totals that differ by at most this (relative) count as equal, and b is rescaled to a's total,
 * as POT's ot.emd does (its check is numpy's assert_almost_equal: 1.5e-7, on weights that sum
 * to 1). A larger gap is a mistake in the data and is reported. */
#define SN_OT_MASS_RTOL 1.5e-7

/* --- input checks (fn, the solver's name, starts every message) ------------------------------ */

/* Checks weights w[0..n) (NULL: uniform 1/n): finite, >= 0, not all 0; their total in *sum. */
SnStatus snrt_ot_check_weights(const char *fn, const char *name, const double *w, int64_t n,
                               double *sum);
/* The factor that brings b's total sb to a's sa, or an error when the totals differ by more
 * than rounding (SN_OT_MASS_RTOL). */
SnStatus snrt_ot_mass_ratio(const char *fn, double sa, double sb, double *ratio);
/* An error naming x[k] (or x[i, j] when cols > 1) when an element is Inf or NaN; fn and name
 * start the message. */
SnStatus snrt_ot_check_finite(const char *fn, const char *name, const double *x, int64_t rows,
                              int64_t cols);

/* --- tensor arguments ------------------------------------------------------------------------ */

/* t's elements as a contiguous f64 array: t's own data when it is one already, else a converted
 * copy left in *hold (release it after). NULL (message set) when t has the wrong rank, holds
 * bools, or memory runs out. */
const double *snrt_ot_as_f64(const char *fn, const char *name, const SnTensor *t, int64_t rank,
                             SnTensor **hold);
/* An error "fn: size mismatch: what_a is na but what_b is nb" unless na == nb. */
SnStatus snrt_ot_size_match(const char *fn, const char *what_a, int64_t na, const char *what_b,
                            int64_t nb);
/* A starting potential: t's elements as a new f64 vector of length len (zeros when t is NULL);
 * NULL (message set) when t is not a vector of that length. */
SnTensor *snrt_ot_start_potential(const char *fn, const char *name, const char *length,
                                  const SnTensor *t, int64_t len, const char *what);

/* --- results --------------------------------------------------------------------------------- */

/* One entry of a sparse plan: mass moved from row (source) i to column (target) j. */
typedef struct SnOtTriplet {
  int64_t i, j;
  double mass;
} SnOtTriplet;
/* Moves t[0..k) into plan's tensors, sorted by (row, column). */
SnStatus snrt_ot_sparse_fill(SnOtSparsePlan *plan, SnOtTriplet *t, int64_t k);
/* Moves plan's tensors into parts k, k + 1, k + 2 of r, named support.rows, support.cols and
 * support.mass (the `support` record of the exact solvers' results); plan is left empty. */
void snrt_ot_set_support(SnResult *r, int32_t k, SnOtSparsePlan *plan);

#endif
