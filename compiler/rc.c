/* rc.c: reference counting of tensors, inserted after the loop pass.
 *
 * Ownership (ops.def's flags): a tensor made by an op that allocates (ALLOC, CONST_TENSOR, a
 * runtime call that gives a new reference), or received as the result of an op that transfers
 * (LOOP, IF; or as a LOOP body's state argument) is owned by the block it appears in, which
 * releases it after its last use there. A tensor argument of the program is handed over (its
 * ARG takes the runtime's reference, so a sampler's input is freed once the first step has
 * replaced it, not kept to the end); REPL slots are borrowed. A
 * kernel's result (a handle, IRH_RESULT) is owned by its block likewise and released after its
 * parts are read; it is never passed on, so it needs no RETAIN. Two uses
 * consume a reference instead of borrowing one: a YIELD that passes a tensor out of a region of
 * an op that transfers, and that op's tensor operands (a LOOP's initial state). A consumer of a
 * tensor the block does not own (or still needs) gets a RETAIN first. A pointer from DATA keeps
 * its tensor alive while it is used. */
#include "passes.h"

#include <string.h>

static bool is_tensor(IrValue *v) { return ir_val(v)->type.kind == IRT_TENSOR; }

/* The tensor a value stands for, through DATA pointers. */
static IrValue *owner_of(IrValue *v) {
  v = ir_val(v);
  if (v->type.kind == IRT_PTR && v->def && v->def->op == IR_DATA) return ir_val(v->def->ops[0]);
  return v;
}

static bool transfers(IrInst *in) { return in && (ir_ops[in->op].flags & OPF_TRANSFERS); }

static bool owned_result(IrInst *in, int i) {
  if (ir_is_handle(in->res[i]->type, IRH_RESULT)) return true;
  if (!is_tensor(in->res[i]) || (in->flags & IRF_BORROWED)) return false;
  return (ir_inst_flags(in) & OPF_ALLOCS) || transfers(in) || in->op == IR_ARG;
}

/* Does `in` (or anything nested in it) use tensor t? */
static bool uses(IrInst *in, IrValue *t) {
  for (int i = 0; i < in->nops; i++)
    if (owner_of(in->ops[i]) == t) return true;
  for (int r = 0; r < in->nregions; r++)
    for (IrInst *x = in->regions[r]->first; x; x = x->next)
      if (uses(x, t)) return true;
  return false;
}

/* How many of in's operands take a reference to t (a YIELD out of a LOOP or IF, a LOOP's
 * initial state). */
static int consumes(IrInst *in, IrValue *t) {
  if (!(in->op == IR_YIELD && transfers(in->parent->parent)) && !transfers(in)) return 0;
  int n = 0;
  for (int i = 0; i < in->nops; i++) n += ir_val(in->ops[i]) == t;
  return n;
}

/* A tensor whose block's last use of it is an IF hands its reference to each branch, which
 * releases it after its own last use: `if sampler == 0 then euler(x) else heun(x)` passes the
 * program's input to the chosen sampler's loop, which frees it after the first step, instead of
 * keeping it to the end of the IF. */
typedef struct Handed {
  IrBlock *blk;
  IrValue *t;
} Handed;

typedef struct Rc {
  IrFunc *f;
  Arena arena;
  PtrVec handed; /* Handed */
} Rc;

static bool handed_to(Rc *rc, IrBlock *blk, IrValue *t) {
  for (int i = 0; i < rc->handed.n; i++) {
    Handed *h = rc->handed.items[i];
    if (h->blk == blk && h->t == t) return true;
  }
  return false;
}

static void emit_rc(IrFunc *f, IrOp op, IrValue *t, IrInst *before, IrBlock *blk) {
  IrBuilder b = {.fn = f, .block = blk, .before = before};
  ir_emit(&b, op, 1, &t, 0, NULL, 0);
}

/* Owned tensor t of block blk, defined by `def` (NULL for a block argument or a tensor handed
 * to the block). */
static void manage(Rc *rc, IrBlock *blk, IrValue *t, IrInst *def) {
  IrFunc *f = rc->f;
  IrInst *last = NULL;
  for (IrInst *in = def ? def->next : blk->first; in; in = in->next)
    if (uses(in, t)) last = in;
  if (!last) {
    emit_rc(f, IR_RELEASE, t, def ? def->next : blk->first, blk);
    return;
  }
  /* consumers before the last use need a reference of their own */
  for (IrInst *in = def ? def->next : blk->first; in != last; in = in->next)
    for (int k = consumes(in, t); k > 0; k--) emit_rc(f, IR_RETAIN, t, in, blk);
  int c = consumes(last, t);
  /* the last use takes our reference, unless it also reads t inside (a loop whose initial
   * state its body reads again after the first iteration has released that state) */
  bool inside = false;
  for (int r = 0; r < last->nregions; r++)
    for (IrInst *x = last->regions[r]->first; x && !inside; x = x->next) inside = uses(x, t);
  if (c > 0 && !inside) {
    for (int k = c - 1; k > 0; k--) emit_rc(f, IR_RETAIN, t, last, blk);
    return;
  }
  if (last->op == IR_IF && c == 0) {
    for (int r = 0; r < last->nregions; r++) {
      Handed *h = NEW(&rc->arena, Handed);
      *h = (Handed){last->regions[r], t};
      vec_push(&rc->arena, &rc->handed, h);
    }
    return;
  }
  for (int k = c; k > 0; k--) emit_rc(f, IR_RETAIN, t, last, blk);
  emit_rc(f, IR_RELEASE, t, last->next, blk);
}

static void rc_block(Rc *rc, IrBlock *blk) {
  IrFunc *f = rc->f;
  /* consumers of tensors this block does not own */
  for (IrInst *in = blk->first; in; in = in->next) {
    if (in->op != IR_YIELD && !transfers(in)) continue;
    for (int i = 0; i < in->nops; i++) {
      IrValue *t = ir_val(in->ops[i]);
      if (!is_tensor(t) || consumes(in, t) == 0) continue;
      bool local = false;
      if (t->def && t->def->parent == blk) {
        for (int r = 0; r < t->def->nres; r++)
          if (t->def->res[r] == t) local = owned_result(t->def, r);
      } else if (!t->def && t->block == blk) {
        local = transfers(blk->parent);
      }
      if (!local && !handed_to(rc, blk, t)) emit_rc(f, IR_RETAIN, t, in, blk);
    }
  }
  if (transfers(blk->parent))
    for (int i = 1; i < blk->nargs; i++)
      if (is_tensor(blk->args[i])) manage(rc, blk, blk->args[i], NULL);
  for (int i = 0; i < rc->handed.n; i++) {
    Handed *h = rc->handed.items[i];
    if (h->blk == blk) manage(rc, blk, h->t, NULL);
  }
  for (IrInst *in = blk->first; in; in = in->next) {
    if (in->op == IR_RETAIN || in->op == IR_RELEASE) continue;
    for (int i = 0; i < in->nres; i++)
      if (owned_result(in, i)) manage(rc, blk, in->res[i], in);
    for (int r = 0; r < in->nregions; r++) rc_block(rc, in->regions[r]);
  }
}

void pass_rc(IrFunc *f, const PassOptions *opt) {
  (void)opt;
  Rc rc = {f, {0}, {0}};
  rc_block(&rc, f->body);
  arena_free(&rc.arena);
}
