/* passes.h: the IR passes, run in the order of passes.c's table (`pipeline`):
 *   dce    remove what nothing uses (dce.c)
 *   fuse   inline lazy comprehensions into their element uses (fuse.c)
 *   layout read matrices with a small inner dimension transposed in vector loops (layout.c)
 *   loops  materialise what is left, lower reductions and element reads to loops (loops.c)
 *   unroll replace short constant loops inside other loops by their iterations (unroll.c)
 *   cse    share repeated pure computations (cse.c)
 *   jam    join parallel loops over the same range, one after the other (jam.c), once cse has
 *          made their bounds the same values
 *   cse    again, within the joined bodies
 *   dce
 *   rc     insert reference counting for tensors (rc.c)
 * Each leaves valid IR (checked by ir_verify). */
#ifndef SN_PASSES_H
#define SN_PASSES_H

#include "ir.h"
#include "rtabi.h"

typedef struct PassOptions {
  bool fuse;          /* false: materialise every comprehension (for comparison, --no-fuse) */
  bool verify;        /* run ir_verify after each pass */
  bool time;          /* print each pass's time (--time-passes) */
  const char *stop_after; /* the last pass to run (--emit=ir:PASS; "sema": none), or NULL */
} PassOptions;

typedef void PassFn(IrFunc *f, const PassOptions *opt);

/* A pass of the pipeline: what it needs the IR to be, and what it makes of it (IRP_*). */
typedef struct Pass {
  const char *name;
  PassFn *run;
  unsigned needs;
  unsigned establishes;
} Pass;

extern const Pass passes[]; /* the pipeline, in order, ending with a NULL name */

PassFn pass_dce, pass_fuse, pass_layout, pass_loops, pass_unroll, pass_jam, pass_cse, pass_rc;

/* unroll.c replaces a FOR with constant bounds of at most UNROLL_TRIP iterations, inside another
 * loop, by its iterations when they add at most UNROLL_BUDGET instructions in all; fuse.c counts
 * on it (a read that the copies repeat alike is shared by cse, not recomputed). A larger body
 * (a 16 x 16 block unrolled twice: 2816 instructions) gains nothing: LLVM vectorises it across
 * the outer loop with gathers and scatters, and its machine scheduler, quadratic in a block's
 * size, took most of a 17 s compile (docs/performance.md, "Compile time"). */
#define UNROLL_TRIP 16
#define UNROLL_BUDGET 1024

/* Will fusion store the comprehension t, because a read would recompute its reduction for
 * every value of another index (fuse.c)? autodiff.c keeps a tensor's adjoint lazy only where
 * t itself is recomputed: a stored forward (a softmax's denominator [b, h, s], read for every
 * key) lets its adjoint be stored too, at the same size, instead of recomputed per key. */
bool fuse_stores(IrValue *t);

/* The pass called name, or NULL. */
const Pass *passes_find(const char *name);

/* Runs the pipeline on f (up to opt->stop_after). */
void passes_run(IrFunc *f, const PassOptions *opt);

#endif
