/* dce.c: dead code removal. An instruction whose results are unused goes unless it must stay
 * for what else it does (ops.def's flags; a call's come from rtabi.def), and an instruction with
 * regions (a reduction, an iterate, a branch) goes only when nothing in them must stay. Removal
 * repeats until nothing changes, so a chain of unused values goes at once. */
#include "passes.h"

/* Must `in` stay although its results are unused? When it writes, is kept (ARG), or is a
 * runtime call that is not pure or may fail for another reason than memory: its message reports
 * the user's mistake (a missing file, weights that do not sum to one). A check only guards the
 * values computed after it, and goes with the region that holds it. */
static bool stays(IrInst *in) {
  unsigned f = ir_inst_flags(in);
  if (f & (OPF_WRITES | OPF_KEEP)) return true;
  return in->op == IR_CALL && (!(f & OPF_PURE) || ((f & OPF_FAILS) && !(f & OPF_ALLOCS)));
}

static bool block_stays(IrBlock *b) {
  for (IrInst *in = b->first; in; in = in->next) {
    if (stays(in)) return true;
    for (int r = 0; r < in->nregions; r++)
      if (block_stays(in->regions[r])) return true;
  }
  return false;
}

static bool removable(IrInst *in) {
  if (stays(in)) return false;
  for (int r = 0; r < in->nregions; r++)
    if (block_stays(in->regions[r])) return false;
  return true;
}

static bool used(IrInst *in) {
  for (int i = 0; i < in->nres; i++) {
    IrUses *u = in->res[i]->aux;
    if (u && (u->elem || u->other)) return true;
  }
  return false;
}

static bool dce_block(IrBlock *b) {
  bool changed = false;
  for (IrInst *in = b->last, *prev; in; in = prev) {
    prev = in->prev;
    if (in->nres > 0 && !used(in) && removable(in)) {
      ir_remove(in);
      changed = true;
      continue;
    }
    for (int r = 0; r < in->nregions; r++) changed |= dce_block(in->regions[r]);
  }
  return changed;
}

void pass_dce(IrFunc *f, const PassOptions *opt) {
  (void)opt;
  Arena scratch = {0};
  for (;;) {
    ir_count_uses(&scratch, f);
    bool changed = dce_block(f->body);
    ir_clear_aux(f->body);
    if (!changed) break;
  }
  arena_free(&scratch);
}
