/* jam.c: two parallel loops over the same range, one after the other, become one loop whose
 * body is both bodies, so that what they read alike is read once per element.
 *
 * A model merge's density threshold counts the elements of a task vector above and between two
 * bounds (a reduction) and then writes the mask of those between (a stored comprehension); both
 * compute every element from the mapped inputs. Two loops, the inputs were read twice per
 * model; jammed, once, and cse (and LLVM) share the loads and the arithmetic.
 *
 * Loops are jammed when the second reads a tensor the first reads (else there is nothing to
 * share), neither reads what the other writes, neither calls the runtime, the two bodies are
 * small (JAM_BUDGET: LLVM's time on a loop grows faster than its body; jamming every pair of
 * loops a training step holds made LLVM take twice as long on a program), and the
 * instructions between them (the second's tensor: alloc, data, sizes) may run before the first.
 * The second's body runs after the first's in each iteration; a check in it must repeat one of
 * the first's (or be one that cannot fail), so that a failing program stops with the same
 * message. */
#include "passes.h"

/* The most work (ir_block_work) two jammed bodies may hold together: a merge's count and mask
 * hold some 60 instructions. */
#define JAM_BUDGET 256

/* May `in`, between the two loops, run before the first (`first`)? Pure scalar work, a tensor's
 * data and sizes, or a new tensor, none using the first loop's results. */
static bool movable(IrInst *in, IrInst *first) {
  for (int i = 0; i < in->nops; i++)
    for (int r = 0; r < first->nres; r++)
      if (ir_op(in, i) == ir_val(first->res[r])) return false;
  if (in->nregions) return false;
  if (in->op == IR_ALLOC) return true;
  unsigned f = ir_inst_flags(in);
  return (f & OPF_PURE) && !(f & (OPF_READS | OPF_WRITES | OPF_ALLOCS));
}

/* Does block b hold what jamming must leave alone: a call, a scratch buffer, an inner parallel
 * loop, an iterate? */
static bool unjammable(IrBlock *b) {
  for (IrInst *in = b->first; in; in = in->next) {
    if (in->op == IR_CALL || in->op == IR_SCRATCH || in->op == IR_LOOP || in->op == IR_RETAIN ||
        in->op == IR_RELEASE || (in->op == IR_FOR && (in->flags & IRF_PARALLEL)))
      return true;
    for (int r = 0; r < in->nregions; r++)
      if (unjammable(in->regions[r])) return true;
  }
  return false;
}

/* Does block b use value v (its regions included)? */
static bool uses(IrBlock *b, IrValue *v) {
  for (IrInst *in = b->first; in; in = in->next) {
    for (int i = 0; i < in->nops; i++)
      if (ir_op(in, i) == v) return true;
    for (int r = 0; r < in->nregions; r++)
      if (uses(in->regions[r], v)) return true;
  }
  return false;
}

/* Does block `from` store anywhere that block `to` reads or writes? A store's pointer is a
 * tensor's data: `to` must use neither the pointer nor the tensor. */
static bool touches_stores(IrBlock *from, IrBlock *to) {
  for (IrInst *in = from->first; in; in = in->next) {
    if (in->op == IR_STORE) {
      IrValue *p = ir_op(in, 0);
      if (!p->def || p->def->op != IR_DATA || uses(to, p) || uses(to, ir_op(p->def, 0))) return true;
    }
    for (int r = 0; r < in->nregions; r++)
      if (touches_stores(in->regions[r], to)) return true;
  }
  return false;
}

/* Does block b load from tensor t (its regions included)? */
static bool loads_from(IrBlock *b, IrValue *t) {
  for (IrInst *in = b->first; in; in = in->next) {
    if (in->op == IR_LOAD) {
      IrValue *p = ir_op(in, 0);
      if (p->def && p->def->op == IR_DATA && ir_op(p->def, 0) == t) return true;
    }
    for (int r = 0; r < in->nregions; r++)
      if (loads_from(in->regions[r], t)) return true;
  }
  return false;
}

/* Does block b load from a tensor that block `other` loads from? */
static bool shares_loads(IrBlock *b, IrBlock *other) {
  for (IrInst *in = b->first; in; in = in->next) {
    if (in->op == IR_LOAD) {
      IrValue *p = ir_op(in, 0);
      if (p->def && p->def->op == IR_DATA && loads_from(other, ir_op(p->def, 0))) return true;
    }
    for (int r = 0; r < in->nregions; r++)
      if (shares_loads(in->regions[r], other)) return true;
  }
  return false;
}

/* Is check c of the second body (index argument a) one the first body (index argument
 * host_arg) makes at its top level, the same test of the same values? */
static bool repeated_check(IrInst *c, IrValue *a, IrBlock *host, IrValue *host_arg) {
  for (IrInst *h = host->first; h; h = h->next) {
    if (h->op != IR_CHECK || h->sub != c->sub || h->nops != c->nops) continue;
    bool same = true;
    for (int i = 0; same && i < c->nops; i++) {
      IrValue *x = ir_op(c, i), *y = ir_op(h, i);
      same = x == y || (x == a && y == host_arg);
    }
    if (same) return true;
  }
  return false;
}

/* Is check c one that cannot fail in `loop` (index argument a): a < the loop's end, from 0? */
static bool never_fails(IrInst *c, IrValue *a, IrInst *loop) {
  int64_t lo;
  return c->sub == CHECK_INDEX && ir_op(c, 0) == a && ir_op(c, 1) == ir_op(loop, 1) && ir_is_const_int(ir_op(loop, 0), &lo) &&
         lo >= 0;
}

/* Does every check in block b (of loop `second`, index argument a) repeat one of host's, or
 * never fail? */
static bool checks_repeated(IrBlock *b, IrInst *second, IrBlock *host, IrValue *host_arg) {
  IrValue *a = second->regions[0]->args[0];
  for (IrInst *in = b->first; in; in = in->next) {
    if (in->op == IR_CHECK && !never_fails(in, a, second) && !repeated_check(in, a, host, host_arg)) return false;
    for (int r = 0; r < in->nregions; r++)
      if (!checks_repeated(in->regions[r], second, host, host_arg)) return false;
  }
  return true;
}

/* The parallel loop after `first` over its range, the instructions between movable, and
 * jammable with it; else NULL. The second may carry no results (a stored comprehension). */
static IrInst *partner(IrInst *first) {
  IrInst *second = first->next;
  while (second && !(second->op == IR_FOR && (second->flags & IRF_PARALLEL)) && movable(second, first))
    second = second->next;
  if (!second || second->op != IR_FOR || !(second->flags & IRF_PARALLEL) || second->nres ||
      (second->flags & IRF_CHUNKS) || ir_op(second, 0) != ir_op(first, 0) || ir_op(second, 1) != ir_op(first, 1))
    return NULL;
  IrBlock *a = first->regions[0], *b = second->regions[0];
  if (ir_block_work(a) + ir_block_work(b) > JAM_BUDGET || !shares_loads(b, a) || unjammable(a) || unjammable(b) ||
      touches_stores(a, b) || touches_stores(b, a))
    return NULL;
  if (!checks_repeated(b, second, a, a->args[0])) return NULL;
  return second;
}

/* Moves the instructions between `first` and `second` before `first`, and second's body into
 * first's, before its yield. */
static void jam(IrInst *first, IrInst *second) {
  for (IrInst *in = first->next, *next; in != second; in = next) {
    next = in->next;
    ir_remove(in);
    ir_insert_before(first, in);
  }
  IrBlock *a = first->regions[0], *b = second->regions[0];
  if (!(second->flags & IRF_INDEPENDENT)) first->flags &= ~IRF_INDEPENDENT;
  ir_replace(b->args[0], a->args[0]);
  for (IrInst *in = b->first, *next; in; in = next) {
    next = in->next;
    if (in->op == IR_YIELD) continue;
    ir_remove(in);
    ir_insert_before(a->last, in);
  }
  ir_remove(second);
}

static void jam_block(IrBlock *b) {
  for (IrInst *in = b->first; in; in = in->next) {
    for (int r = 0; r < in->nregions; r++) jam_block(in->regions[r]);
    if (in->op != IR_FOR || !(in->flags & IRF_PARALLEL) || (in->flags & IRF_CHUNKS)) continue;
    for (IrInst *second; (second = partner(in));) jam(in, second);
  }
}

void pass_jam(IrFunc *f, const PassOptions *opt) {
  (void)opt;
  jam_block(f->body);
}
