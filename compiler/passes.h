/* passes.h: the IR passes, in the order the driver runs them:
 *   fuse   inline lazy comprehensions into their element uses (fuse.c)
 *   layout read matrices with a small inner dimension transposed in vector loops (layout.c)
 *   loops  materialise what is left, lower reductions and element reads to loops (loops.c)
 *   cse    share repeated pure computations (cse.c)
 *   rc     insert reference counting for tensors (rc.c)
 * and dead code removal between them. Each leaves valid IR (checked by ir_verify). */
#ifndef SN_PASSES_H
#define SN_PASSES_H

#include "ir.h"
#include "rtabi.h"

typedef struct PassOptions {
  bool fuse;          /* false: materialise every comprehension (for comparison, --no-fuse) */
  bool verify;        /* run ir_verify after each pass */
  bool time;          /* print each pass's time (--time-passes) */
} PassOptions;

void pass_fuse(IrFunc *f, bool enabled);
void pass_dce(IrFunc *f);
void pass_layout(IrFunc *f);
void pass_loops(IrFunc *f);
void pass_rc(IrFunc *f);
void pass_cse(IrFunc *f);

/* Runs the pipeline above on f. */
void passes_run(IrFunc *f, const PassOptions *opt);

#endif
