/* layout.c: a matrix read across the vectorised index with a small inner dimension is read
 * from a transposed copy, made once.
 *
 * In a fused pairwise cost `lse(j) ... sum(k) (x[i, k] - y[j, k])^2` over the rows i, the
 * innermost loop, the one LLVM vectorises, runs over j, and y[j, k] for k < 3 is an
 * interleaved read: every vector of y[j, 0] costs loads and two permutes to pick the column
 * out of y's rows. With yT[k, j] = y[j, k] stored once (3 m values, made outside the loop over
 * i) each vector is one contiguous load. The read qualifies when
 *  - y is a stored matrix (an argument, a loaded or computed tensor, or a comprehension that
 *    fusion keeps, such as y32 = f32(y)) of a type computed as stored (f32, f64, integers),
 *  - its first subscript is the innermost index j of a comprehension or reduction, its second
 *    the index k of one inside that, over a constant extent of at most 16 (the loop LLVM
 *    unrolls into the vector body), and
 *  - the read repeats: j's comprehension or reduction has an index before j, or sits inside
 *    another, within y's scope, so the copy is paid once for many reads.
 * The copy of a kept comprehension with no reduction in its body is computed from the body
 * (yT[k, j] = f32(y[j, k])), and the comprehension is dropped when nothing else reads it.
 * The pass runs after fusion, on element reads, before the loop pass lowers them. */
#include "passes.h"

#include <string.h>

/* The largest inner extent that is still unrolled into the vector body. */
#define LAYOUT_MAX_INNER 16

typedef struct Copy {
  IrValue *t, *tt;
} Copy;

typedef struct Layout {
  IrFunc *fn;
  PtrVec copies; /* Copy */
} Layout;

/* The comprehension or reduction that has v as one of its indices (its position in *pos). */
static IrInst *index_owner(IrValue *v, int *pos) {
  if (v->def || !v->block || !v->block->parent) return NULL;
  IrInst *o = v->block->parent;
  if (o->op != IR_COMPR && o->op != IR_REDUCE) return NULL;
  *pos = v->index;
  return o;
}

/* Is instruction `in` inside a region of `outer` (at any depth)? */
static bool inside(IrInst *in, IrInst *outer) {
  for (IrBlock *b = in->parent; b && b->parent; b = b->parent->parent)
    if (b->parent == outer) return true;
  return false;
}

/* Is there a comprehension, reduction or iterate loop between block `scope` (exclusive) and `in`? */
static bool nested_in_loop(IrInst *in, IrBlock *scope) {
  for (IrBlock *b = in->parent; b && b != scope && b->parent; b = b->parent->parent) {
    IrOp op = b->parent->op;
    if (op == IR_COMPR || op == IR_REDUCE || op == IR_LOOP) return true;
  }
  return false;
}

/* The instruction of block `b` that holds `in` (in itself or in its regions); NULL if none. */
static IrInst *ancestor_in(IrBlock *b, IrInst *in) {
  for (IrInst *at = in; at; at = at->parent->parent) {
    if (at->parent == b) return at;
    if (!at->parent->parent) break;
  }
  return NULL;
}

/* The block a tensor is defined in. */
static IrBlock *scope_of(IrValue *t) { return t->def ? t->def->parent : t->block; }

static bool qualifies(IrInst *e) {
  if (e->nops != 3) return false;
  IrValue *t = ir_op(e, 0), *a = ir_op(e, 1), *b = ir_op(e, 2);
  SnDtype dt = (SnDtype)t->type.dtype;
  if (dt == SN_F16 || dt == SN_BF16 || dt == SN_BOOL) return false;
  int pj = 0, pk = 0;
  IrInst *oj = index_owner(a, &pj), *ok = index_owner(b, &pk);
  if (!oj || !ok || oj == ok || pj != oj->regions[0]->nargs - 1 || !inside(ok, oj)) return false;
  int64_t inner;
  if (!ir_is_const_int(ir_op(ok, pk), &inner) || inner > LAYOUT_MAX_INNER) return false;
  IrBlock *scope = scope_of(t);
  if (!ancestor_in(scope, oj)) return false;
  return pj > 0 || nested_in_loop(oj, scope);
}

/* tT[k, j] = t[j, k], emitted once per t, before the statement of t's scope that holds the
 * first qualifying read e (after t's definition and its shape checks). */
static IrValue *transposed(Layout *l, IrValue *t, IrInst *e) {
  for (int i = 0; i < l->copies.n; i++) {
    Copy *c = l->copies.items[i];
    if (c->t == t) return c->tt;
  }
  IrInst *at = ancestor_in(scope_of(t), e);
  IrBuilder b = {.fn = l->fn, .block = at->parent, .before = at, .span = at->span};
  /* constant sizes stay constants (the loop pass sees the stride); others are read here */
  IrValue *dims[2];
  for (int d = 0; d < 2; d++) {
    int64_t c;
    if (t->dims && ir_is_const_int(ir_val(t->dims[d]), &c)) dims[d] = ir_const_i64(&b, c);
    else dims[d] = ir_dim(&b, t, d);
  }
  IrValue *ext[2] = {dims[1], dims[0]};
  IrType tt = ir_tensor((SnDtype)t->type.dtype, 2);
  IrInst *c = ir_emit(&b, IR_COMPR, 2, ext, 1, &tt, 1);
  IrValue *k = ir_block_arg(l->fn, c->regions[0], ir_i64), *j = ir_block_arg(l->fn, c->regions[0], ir_i64);
  IrBuilder in = {.fn = l->fn, .block = c->regions[0], .span = b.span};
  IrValue *idx[2] = {j, k}, *v = NULL;
  if (t->def && t->def->op == IR_COMPR && !ir_contains_reduction(t->def->regions[0]))
    ir_inline_region(&in, t->def->regions[0], idx, &v, 1);
  else
    v = ir_elem(&in, t, 2, idx);
  ir_yield(&in, 1, &v);
  IrValue *r = c->res[0];
  r->dims = arena_alloc(l->fn->arena, 2 * sizeof *r->dims);
  memcpy(r->dims, ext, sizeof ext);
  r->name = t->name ? arena_printf(l->fn->arena, "%s_t", t->name) : NULL;
  Copy *copy = NEW(l->fn->arena, Copy);
  *copy = (Copy){t, r};
  vec_push(l->fn->arena, &l->copies, copy);
  return r;
}

static void layout_block(Layout *l, IrBlock *blk) {
  for (IrInst *in = blk->first; in; in = in->next) {
    if (in->op == IR_ELEM && qualifies(in)) {
      IrValue *a = ir_op(in, 1), *b = ir_op(in, 2);
      in->ops[0] = transposed(l, ir_op(in, 0), in);
      in->ops[1] = b;
      in->ops[2] = a;
    }
    for (int r = 0; r < in->nregions; r++) layout_block(l, in->regions[r]);
  }
}

void pass_layout(IrFunc *f, const PassOptions *opt) {
  Layout l = {.fn = f};
  layout_block(&l, f->body);
  if (l.copies.n) pass_dce(f, opt); /* comprehensions now read only through their copies */
}
