/* unroll.c: short loops with constant bounds, inside other loops, replaced by their iterations.
 *
 * A mixture denoiser computes, for every point i, an lse over 8 components and a sum over them
 * for each of 2 coordinates. Left as loops, the loop over points has loops inside and LLVM
 * vectorises nothing across points; LLVM unrolls such loops itself only when their bodies are
 * small, and the inline exp polynomial is not. Unrolled here, the loop over points holds
 * straight code that LLVM vectorises across points, and cse then shares what the copies
 * compute alike: the component's log-density, which the lse and the sum of every coordinate
 * each read, is computed once per point (fuse.c leaves such reads fused for that reason:
 * unrolled_index). Innermost loops unroll first, so an outer short loop counts its inner ones
 * unrolled. Loops holding scratch buffers (tree sums), parallel loops and iterates stay. */
#include "passes.h"

/* Instructions in block b, regions included; -1 when b holds what a copy must not duplicate. */
static int64_t body_size(IrBlock *b) {
  int64_t n = 0;
  for (IrInst *in = b->first; in; in = in->next) {
    if (in->op == IR_SCRATCH || in->op == IR_LOOP || (in->op == IR_FOR && (in->flags & IRF_PARALLEL))) return -1;
    n++;
    for (int r = 0; r < in->nregions; r++) {
      int64_t k = body_size(in->regions[r]);
      if (k < 0) return -1;
      n += k;
    }
  }
  return n;
}

/* Is `in` inside a FOR? */
static bool in_for(IrInst *in) {
  for (IrBlock *b = in->parent; b && b->parent; b = b->parent->parent)
    if (b->parent->op == IR_FOR) return true;
  return false;
}

/* --- invariant code out of loops that run --------------------------------------------------- */

/* What may leave a loop: pure scalar work, loads of tensors (never written once made), checks,
 * and loops (and branches) of those. */
static bool movable(IrInst *in) {
  if (in->op == IR_LOAD) {
    IrValue *p = ir_op(in, 0);
    return p->def && p->def->op == IR_DATA;
  }
  if (in->op == IR_CHECK || in->op == IR_YIELD) return true;
  if (in->op == IR_FOR || in->op == IR_IF) {
    if (in->op == IR_FOR && (in->flags & IRF_PARALLEL)) return false;
    for (int r = 0; r < in->nregions; r++)
      for (IrInst *x = in->regions[r]->first; x; x = x->next)
        if (!movable(x)) return false;
    return true;
  }
  unsigned f = ir_inst_flags(in);
  return (f & OPF_PURE) && !(f & (OPF_READS | OPF_WRITES | OPF_ALLOCS)) && !in->nregions;
}

/* Does `in` (its regions included) use only values defined outside `loop`, or inside itself? */
static bool uses_outside(IrInst *in, IrInst *top, IrInst *loop) {
  for (int i = 0; i < in->nops; i++)
    if (ir_defined_within(ir_op(in, i), loop) && !ir_defined_within(ir_op(in, i), top)) return false;
  for (int r = 0; r < in->nregions; r++)
    for (IrInst *x = in->regions[r]->first; x; x = x->next)
      if (!uses_outside(x, top, loop)) return false;
  return true;
}

/* Moves what the body of `loop`, a FOR that runs at least once, computes alike in every
 * iteration before it, in order: a mixture's lse of the component densities, inlined into the
 * sum over components of every coordinate, runs once per point instead of once per term (and
 * the loop left is small enough to unroll). The loop runs, so a moved check or load runs as
 * before, only earlier. */
static void hoist(IrInst *loop) {
  for (IrInst *in = loop->regions[0]->first, *next; in; in = next) {
    next = in->next;
    if (in->op == IR_YIELD || !movable(in) || !uses_outside(in, in, loop)) continue;
    ir_remove(in);
    ir_insert_before(loop, in);
  }
}

/* --- unrolling --------------------------------------------------------------------------------- */

/* Replaces the FOR `f` of constant bounds [lo, hi) by its iterations. */
static void unroll(IrFunc *fn, IrInst *f, int64_t lo, int64_t hi) {
  IrBuilder b = {.fn = fn, .block = f->parent, .before = f, .span = f->span};
  int n = f->nres;
  IrValue *carried[64], *args[1 + 64];
  for (int k = 0; k < n; k++) carried[k] = ir_op(f, 2 + k);
  for (int64_t i = lo; i < hi; i++) {
    args[0] = ir_const_i64(&b, i);
    for (int k = 0; k < n; k++) args[1 + k] = carried[k];
    ir_inline_region(&b, f->regions[0], args, carried, n);
  }
  for (int k = 0; k < n; k++) ir_replace(f->res[k], carried[k]);
  ir_remove(f);
}

static void unroll_block(IrFunc *fn, IrBlock *b) {
  for (IrInst *in = b->first, *next; in; in = next) {
    next = in->next;
    for (int r = 0; r < in->nregions; r++) unroll_block(fn, in->regions[r]);
    int64_t lo, hi;
    if (in->op != IR_FOR || (in->flags & IRF_PARALLEL) || !ir_is_const_int(ir_op(in, 0), &lo) ||
        !ir_is_const_int(ir_op(in, 1), &hi))
      continue;
    if (hi > lo) hoist(in);
    if (in->nres > 64 || hi - lo > UNROLL_TRIP || !in_for(in)) continue;
    int64_t size = body_size(in->regions[0]);
    if (size < 0 || (hi > lo ? hi - lo : 0) * size > UNROLL_BUDGET) continue;
    unroll(fn, in, lo, hi);
  }
}

void pass_unroll(IrFunc *f, const PassOptions *opt) {
  (void)opt;
  unroll_block(f, f->body);
}
