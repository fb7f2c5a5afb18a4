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

/* A test of one instruction, for `any`. */
typedef bool InstTest(IrInst *in, const void *ctx);

/* Does an instruction of block b (its regions included) pass `test`? */
static bool any(IrBlock *b, InstTest *test, const void *ctx) {
  for (IrInst *in = b->first; in; in = in->next) {
    if (test(in, ctx)) return true;
    for (int r = 0; r < in->nregions; r++)
      if (any(in->regions[r], test, ctx)) return true;
  }
  return false;
}

/* What jamming must leave alone: a call, a scratch buffer, an inner parallel loop, an iterate,
 * a reference count. */
static bool unjammable(IrInst *in, const void *ctx) {
  (void)ctx;
  return in->op == IR_CALL || in->op == IR_SCRATCH || in->op == IR_LOOP || in->op == IR_RETAIN || in->op == IR_RELEASE ||
         (in->op == IR_FOR && (in->flags & IRF_PARALLEL));
}

/* Does `in` use the value ctx? */
static bool uses(IrInst *in, const void *ctx) {
  for (int i = 0; i < in->nops; i++)
    if (ir_op(in, i) == ctx) return true;
  return false;
}

/* A store of `in` to a tensor that block ctx reads or writes (a store's pointer is a tensor's
 * data: the block must use neither the pointer nor the tensor)? */
static bool touching_store(IrInst *in, const void *ctx) {
  if (in->op != IR_STORE) return false;
  IrValue *p = ir_op(in, 0);
  return !p->def || p->def->op != IR_DATA || any((IrBlock *)ctx, uses, p) || any((IrBlock *)ctx, uses, ir_op(p->def, 0));
}

/* The tensor a load reads, or NULL. */
static IrValue *loaded(IrInst *in) {
  IrValue *p = in->op == IR_LOAD ? ir_op(in, 0) : NULL;
  return p && p->def && p->def->op == IR_DATA ? ir_op(p->def, 0) : NULL;
}

/* A load of the tensor ctx? */
static bool loads(IrInst *in, const void *ctx) { return loaded(in) && loaded(in) == ctx; }

/* A load of a tensor that block ctx loads too? */
static bool shared_load(IrInst *in, const void *ctx) { return loaded(in) && any((IrBlock *)ctx, loads, loaded(in)); }

/* The second loop's checks against the first's body. */
typedef struct {
  IrInst *second;
  IrBlock *host;
} Checks;

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

/* A check of the second body that the first's does not make first, and that can fail (the
 * loop's own index against its end, from 0, cannot)? */
static bool new_check(IrInst *in, const void *ctx) {
  const Checks *k = ctx;
  IrValue *a = k->second->regions[0]->args[0];
  int64_t lo;
  if (in->op != IR_CHECK) return false;
  if (in->sub == CHECK_INDEX && ir_op(in, 0) == a && ir_op(in, 1) == ir_op(k->second, 1) &&
      ir_is_const_int(ir_op(k->second, 0), &lo) && lo >= 0)
    return false;
  return !repeated_check(in, a, k->host, k->host->args[0]);
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
  Checks k = {second, a};
  if (ir_block_work(a) + ir_block_work(b) > JAM_BUDGET || !any(b, shared_load, a) || any(a, unjammable, NULL) ||
      any(b, unjammable, NULL) || any(a, touching_store, b) || any(b, touching_store, a) || any(b, new_check, &k))
    return NULL;
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
