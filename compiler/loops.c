/* loops.c: lowering of the tensor-level operations that fusion left to explicit loops.
 *
 *   compr [n, m] (i, j) { v }   ->  t = alloc [n, m]; for i (parallel) { for j { store t[i*m+j] = v } }
 *   reduce.sum [n] (k) { v }    ->  for k iter(acc = 0) { yield acc + v }      (parallel at top level)
 *   reduce.lse [n] (k) { v }    ->  tiles of LSE_TILE values: max of the tile, then a sum of
 *                                   exp(v - max) rescaled when the running max grows (one pass,
 *                                   one exp per element, stable for any input)
 *   elem t[i, j]                ->  load data(t)[i * size(t, 1) + j]
 */
#include "passes.h"

#include "ast.h"

#include <math.h>
#include <string.h>

/* Values per lse tile: 1 KB of f32 stays in L1 next to the body's operands, and is long enough
 * for the vectorised max and exp-sum loops to amortise their setup. */
#define LSE_TILE 2048

typedef struct TensorInfo {
  IrValue *data;
  IrValue *dims[SN_MAX_RANK];
} TensorInfo;

typedef struct Lower {
  IrFunc *fn;
  Arena scratch;
} Lower;

static SnDtype compute_of(SnDtype dt) { return dt == SN_F16 || dt == SN_BF16 ? SN_F32 : dt; }

/* The data pointer and sizes of a tensor, computed once right after the tensor is defined. */
static TensorInfo *tinfo(Lower *l, IrValue *t) {
  t = ir_val(t);
  if (t->aux) return t->aux;
  TensorInfo *ti = NEW(&l->scratch, TensorInfo);
  IrBuilder b = {.fn = l->fn};
  if (t->def) {
    b.block = t->def->parent;
    b.before = t->def->next;
    b.span = t->def->span;
  } else {
    b.block = t->block;
    b.before = t->block->first;
  }
  IrType pt = ir_ptr((SnDtype)t->type.dtype);
  ti->data = ir_emit(&b, IR_DATA, 1, &t, 1, &pt, 0)->res[0];
  for (int d = 0; d < t->type.rank; d++) {
    if (t->dims) ti->dims[d] = ir_val(t->dims[d]);
    else if (t->def && t->def->op == IR_ALLOC) ti->dims[d] = ir_op(t->def, d);
    else ti->dims[d] = ir_dim(&b, t, d);
  }
  t->aux = ti;
  return ti;
}

/* Row-major offset of (idx...) in a tensor of the given sizes. */
static IrValue *linear(IrBuilder *b, int rank, IrValue **dims, IrValue **idx) {
  if (rank == 0) return ir_const_i64(b, 0);
  IrValue *off = idx[0];
  for (int d = 1; d < rank; d++) off = ir_bin(b, BIN_ADD, ir_bin(b, BIN_MUL, off, dims[d]), idx[d]);
  return off;
}

static IrValue *load_elem(Lower *l, IrBuilder *b, IrValue *t, IrValue **idx) {
  TensorInfo *ti = tinfo(l, t);
  IrValue *off = linear(b, ir_val(t)->type.rank, ti->dims, idx);
  SnDtype dt = (SnDtype)ir_val(t)->type.dtype;
  IrValue *ops[2] = {ti->data, off};
  IrType st = ir_scalar(dt);
  IrValue *v = ir_emit(b, IR_LOAD, 2, ops, 1, &st, 0)->res[0];
  if (dt != compute_of(dt)) v = ir_cast(b, v, ir_scalar(compute_of(dt)));
  return v;
}

/* A FOR over [0, hi) carrying `n` values; returns it, its region's builder in *inner. */
static IrInst *for_loop(IrBuilder *b, IrValue *lo, IrValue *hi, int n, IrValue **inits, IrBuilder *inner) {
  IrValue *ops[8];
  IrType types[8] = {{0}};
  ops[0] = lo;
  ops[1] = hi;
  for (int i = 0; i < n; i++) {
    ops[2 + i] = inits[i];
    types[i] = ir_val(inits[i])->type;
  }
  IrInst *f = ir_emit(b, IR_FOR, 2 + n, ops, n, types, 1);
  IrBlock *r = f->regions[0];
  ir_block_arg(b->fn, r, ir_i64);
  for (int i = 0; i < n; i++) ir_block_arg(b->fn, r, types[i]);
  *inner = (IrBuilder){.fn = b->fn, .block = r, .span = b->span};
  return f;
}

/* Is `in` inside a loop (so that a parallel loop there would nest)? */
static bool inside_loop(IrInst *in) {
  for (IrBlock *b = in->parent; b && b->parent; b = b->parent->parent) {
    IrOp op = b->parent->op;
    if (op == IR_FOR || op == IR_COMPR || op == IR_REDUCE) return true;
  }
  return false;
}

static void materialize(Lower *l, IrInst *c) {
  IrBuilder b = {.fn = l->fn, .block = c->parent, .before = c, .span = c->span};
  int rank = c->nops;
  IrValue *ext[SN_MAX_RANK];
  for (int d = 0; d < rank; d++) ext[d] = ir_op(c, d);
  IrType tt = c->res[0]->type;
  SnDtype dt = (SnDtype)tt.dtype;
  IrInst *alloc = ir_emit(&b, IR_ALLOC, rank, ext, 1, &tt, 0);
  IrValue *t = alloc->res[0];
  t->name = c->res[0]->name;
  TensorInfo *ti = tinfo(l, t);
  IrBuilder in = b;
  IrValue *idx[SN_MAX_RANK];
  IrInst *outer = NULL;
  for (int d = 0; d < rank; d++) {
    IrBuilder nb;
    IrInst *f = for_loop(&in, ir_const_i64(&in, 0), ext[d], 0, NULL, &nb);
    if (!outer) outer = f;
    idx[d] = f->regions[0]->args[0];
    if (d > 0) ir_yield(&in, 0, NULL);
    in = nb;
  }
  if (outer && !inside_loop(c)) outer->flags |= IRF_PARALLEL;
  IrValue *v = NULL;
  ir_inline_region(&in, c->regions[0], idx, &v, 1);
  if (dt != compute_of(dt) || ir_val(v)->type.dtype != dt) v = ir_cast(&in, v, ir_scalar(dt));
  IrValue *ops[3] = {ti->data, linear(&in, rank, ti->dims, idx), v};
  ir_emit(&in, IR_STORE, 3, ops, 0, NULL, 0);
  if (rank > 0) ir_yield(&in, 0, NULL);
  ir_replace(c->res[0], t);
  ir_remove(c);
}

/* --- reductions ------------------------------------------------------------------------------- */

static IrValue *typed_const(IrBuilder *b, IrType t, double v) {
  if (ir_is_float(t)) return ir_const_f(b, (SnDtype)t.dtype, v);
  if (t.dtype == SN_BOOL) return ir_const_bool(b, v != 0);
  if (isinf(v)) {
    int64_t big = t.dtype == SN_I32 ? INT32_MAX : t.dtype == SN_I8 ? INT8_MAX : t.dtype == SN_U8 ? UINT8_MAX : INT64_MAX;
    int64_t small = t.dtype == SN_I32 ? INT32_MIN : t.dtype == SN_I8 ? INT8_MIN : t.dtype == SN_U8 ? 0 : INT64_MIN;
    return ir_const(b, t, 0, v > 0 ? big : small);
  }
  return ir_const(b, t, 0, (int64_t)v);
}

/* Builds the loop nest of a reduction: loops over every index but the last carry the state; the
 * innermost loop is built by `inner`, which gets the indices so far and the carried state. */
typedef void (*InnerFn)(Lower *l, IrBuilder *b, IrInst *red, IrValue **idx, IrValue **state, IrValue **out, void *ctx);

static void nest(Lower *l, IrBuilder *b, IrInst *red, int depth, IrValue **idx, int nstate, IrValue **state,
                 IrValue **out, InnerFn inner, void *ctx, IrInst **outer) {
  int rank = red->nops;
  if (depth == rank - 1) {
    inner(l, b, red, idx, state, out, ctx);
    return;
  }
  IrBuilder nb;
  IrInst *f = for_loop(b, ir_const_i64(b, 0), ir_op(red, depth), nstate, state, &nb);
  if (outer && !*outer) *outer = f;
  idx[depth] = f->regions[0]->args[0];
  IrValue *st[8], *res[8];
  for (int i = 0; i < nstate; i++) st[i] = f->regions[0]->args[1 + i];
  nest(l, &nb, red, depth + 1, idx, nstate, st, res, inner, ctx, NULL);
  ir_yield(&nb, nstate, res);
  for (int i = 0; i < nstate; i++) out[i] = f->res[i];
}

typedef struct SimpleCtx {
  IrBinOp op;
  bool reassoc;
  IrInst **innermost;
} SimpleCtx;

static void simple_inner(Lower *l, IrBuilder *b, IrInst *red, IrValue **idx, IrValue **state, IrValue **out, void *vctx) {
  (void)l;
  SimpleCtx *c = vctx;
  int last = red->nops - 1;
  IrBuilder nb;
  IrInst *f = for_loop(b, ir_const_i64(b, 0), ir_op(red, last), 1, state, &nb);
  if (c->innermost && !*c->innermost) *c->innermost = f;
  idx[last] = f->regions[0]->args[0];
  IrValue *v = NULL;
  ir_inline_region(&nb, red->regions[0], idx, &v, 1);
  IrType at = red->res[0]->type;
  v = ir_cast(&nb, v, at);
  IrValue *acc = ir_bin(&nb, c->op, f->regions[0]->args[1], v);
  if (c->reassoc && acc->def) acc->def->flags |= IRF_REASSOC;
  ir_yield(&nb, 1, &acc);
  out[0] = f->res[0];
}

typedef struct ArgCtx {
  bool is_max;
} ArgCtx;

/* argmax/argmin: carries (best value, its flat index); the first extreme wins, and NaN counts as
 * the extreme (as NumPy's argmax returns the first NaN). */
static void arg_inner(Lower *l, IrBuilder *b, IrInst *red, IrValue **idx, IrValue **state, IrValue **out, void *vctx) {
  (void)l;
  ArgCtx *c = vctx;
  int last = red->nops - 1;
  IrBuilder nb;
  IrInst *f = for_loop(b, ir_const_i64(b, 0), ir_op(red, last), 2, state, &nb);
  idx[last] = f->regions[0]->args[0];
  IrValue *v = NULL;
  ir_inline_region(&nb, red->regions[0], idx, &v, 1);
  IrValue *best = f->regions[0]->args[1], *bidx = f->regions[0]->args[2];
  IrValue *dims[SN_MAX_RANK];
  for (int d = 0; d < red->nops; d++) dims[d] = ir_op(red, d);
  IrValue *lin = linear(&nb, red->nops, dims, idx);
  IrValue *better = ir_cmp(&nb, c->is_max ? CMP_GT : CMP_LT, v, best);
  if (ir_is_float(ir_val(v)->type)) {
    IrValue *vnan = ir_math(&nb, MF_ISNAN, v, NULL), *bnan = ir_math(&nb, MF_ISNAN, best, NULL);
    IrValue *take_nan = ir_bin(&nb, BIN_AND, vnan, ir_not(&nb, bnan));
    better = ir_bin(&nb, BIN_OR, ir_bin(&nb, BIN_AND, better, ir_not(&nb, bnan)), take_nan);
  }
  IrValue *y[2] = {ir_select(&nb, better, v, best), ir_select(&nb, better, lin, bidx)};
  ir_yield(&nb, 2, y);
  out[0] = f->res[0];
  out[1] = f->res[1];
}

/* lse over the innermost index in tiles (see the file's header). State: (m, s). Within a
 * tile every exp(v - max) is at most 1 and one of them is 1, so the sum is at least 1 and
 * tiny terms cannot change it: sn_expsum exploits that. */
static void lse_inner(Lower *l, IrBuilder *b, IrInst *red, IrValue **idx, IrValue **state, IrValue **out, void *vctx) {
  (void)l;
  (void)vctx;
  int last = red->nops - 1;
  IrType t = red->res[0]->type;
  SnDtype dt = (SnDtype)t.dtype;
  IrValue *ext = ir_op(red, last);
  IrValue *tile = ir_const_i64(b, LSE_TILE);
  IrValue *ntiles = ir_bin(b, BIN_DIV, ir_bin(b, BIN_ADD, ext, ir_const_i64(b, LSE_TILE - 1)), tile);
  IrInst *scratch = ir_emit(b, IR_SCRATCH, 0, NULL, 1, &(IrType){IRT_PTR, (uint8_t)dt, 0}, 0);
  scratch->imm.i = LSE_TILE;
  IrValue *buf = scratch->res[0];
  IrBuilder tb;
  IrInst *tf = for_loop(b, ir_const_i64(b, 0), ntiles, 2, state, &tb);
  IrValue *m = tf->regions[0]->args[1], *s = tf->regions[0]->args[2];
  IrValue *jb = ir_bin(&tb, BIN_MUL, tf->regions[0]->args[0], tile);
  IrValue *len = ir_bin(&tb, BIN_MIN, tile, ir_bin(&tb, BIN_SUB, ext, jb));
  /* 1: the tile's values and their maximum (NaN-propagating, so a NaN reaches the result) */
  IrBuilder fb;
  IrValue *ninf = ir_const_f(&tb, dt, -INFINITY);
  IrInst *fill = for_loop(&tb, ir_const_i64(&tb, 0), len, 1, &ninf, &fb);
  IrValue *jj = fill->regions[0]->args[0];
  idx[last] = ir_bin(&fb, BIN_ADD, jb, jj);
  IrValue *v = NULL;
  ir_inline_region(&fb, red->regions[0], idx, &v, 1);
  v = ir_cast(&fb, v, t);
  IrValue *st[3] = {buf, jj, v};
  ir_emit(&fb, IR_STORE, 3, st, 0, NULL, 0);
  IrValue *nm = ir_bin(&fb, BIN_MAX, fill->regions[0]->args[1], v);
  nm->def->flags |= IRF_REASSOC;
  ir_yield(&fb, 1, &nm);
  IrValue *mnew = ir_bin(&tb, BIN_MAX, m, fill->res[0]);
  /* 2: the sum of exp(v - max) (runtime/expsum.c): every term is at most 1, one is exactly 1 */
  IrValue *zero = ir_const_f(&tb, dt, 0), *one = ir_const_f(&tb, dt, 1);
  IrValue *args[3] = {buf, len, mnew};
  IrValue *esum = ir_call(&tb, dt == SN_F64 ? RT_EXPSUM : RT_EXPSUMF, 3, args);
  /* a tile of -inf adds nothing (and exp(-inf - -inf) would be NaN) */
  IrValue *all_ninf = ir_cmp(&tb, CMP_EQ, mnew, ninf);
  IrValue *tsum = ir_select(&tb, all_ninf, zero, esum);
  IrValue *same = ir_cmp(&tb, CMP_EQ, m, mnew);
  IrValue *scale = ir_select(&tb, same, one, ir_math(&tb, MF_EXP, ir_bin(&tb, BIN_SUB, m, mnew), NULL));
  IrValue *s2 = ir_bin(&tb, BIN_ADD, ir_bin(&tb, BIN_MUL, s, scale), tsum);
  IrValue *ny[2] = {mnew, s2};
  ir_yield(&tb, 2, ny);
  out[0] = tf->res[0];
  out[1] = tf->res[1];
}

/* The number of elements a reduction runs over, checked positive for those without identity. */
static IrValue *count_of(IrBuilder *b, IrInst *red) {
  IrValue *n = ir_const_i64(b, 1);
  for (int d = 0; d < red->nops; d++) n = ir_bin(b, BIN_MUL, n, ir_op(red, d));
  return n;
}

static void lower_reduce(Lower *l, IrInst *red) {
  IrBuilder b = {.fn = l->fn, .block = red->parent, .before = red, .span = red->span};
  RedKind kind = (RedKind)red->sub;
  IrType t = red->res[0]->type;
  IrValue *idx[SN_MAX_RANK];
  IrValue *result;
  bool top = !inside_loop(red);
  if (kind == RED_MAX || kind == RED_MIN || kind == RED_MEAN || kind == RED_ARGMAX || kind == RED_ARGMIN) {
    IrValue *n = count_of(&b, red);
    int64_t c;
    if (!(ir_is_const_int(n, &c) && c > 0)) {
      IrValue *ok = ir_cmp(&b, CMP_GT, n, ir_const_i64(&b, 0));
      static const char *names[] = {"sum", "prod", "max", "min", "mean", "lse", "argmax", "argmin"};
      ir_check(&b, CHECK_TRUE, 1, &ok, arena_printf(l->fn->arena, "%s over an empty range", names[kind]));
    }
  }
  switch (kind) {
  case RED_SUM: case RED_PROD: case RED_MAX: case RED_MIN: case RED_MEAN: {
    IrBinOp op = kind == RED_PROD ? BIN_MUL : kind == RED_MAX ? BIN_MAX : kind == RED_MIN ? BIN_MIN : BIN_ADD;
    double init = kind == RED_PROD ? 1 : kind == RED_MAX ? -INFINITY : kind == RED_MIN ? INFINITY : 0;
    IrValue *st = typed_const(&b, t, init), *out;
    IrInst *outer = NULL, *innermost = NULL;
    SimpleCtx sc = {op, ir_is_float(t) && op != BIN_MAX && op != BIN_MIN, &innermost};
    if (op == BIN_MAX || op == BIN_MIN) sc.reassoc = ir_is_float(t);
    nest(l, &b, red, 0, idx, 1, &st, &out, simple_inner, &sc, &outer);
    if (!outer) outer = innermost;
    if (top && outer) {
      outer->flags |= IRF_PARALLEL;
      outer->sub = op;
    }
    result = out;
    if (kind == RED_MEAN) result = ir_bin(&b, BIN_DIV, out, ir_cast(&b, count_of(&b, red), t));
    break;
  }
  case RED_ARGMAX: case RED_ARGMIN: {
    IrType vt = ir_val(red->regions[0]->last->ops[0])->type;
    IrValue *st[2] = {typed_const(&b, vt, kind == RED_ARGMAX ? -INFINITY : INFINITY), ir_const_i64(&b, 0)}, *out[2];
    ArgCtx ac = {kind == RED_ARGMAX};
    nest(l, &b, red, 0, idx, 2, st, out, arg_inner, &ac, NULL);
    result = out[1];
    break;
  }
  case RED_LSE: {
    IrValue *st[2] = {ir_const_f(&b, (SnDtype)t.dtype, -INFINITY), ir_const_f(&b, (SnDtype)t.dtype, 0)}, *out[2];
    nest(l, &b, red, 0, idx, 2, st, out, lse_inner, NULL, NULL);
    IrValue *r = ir_bin(&b, BIN_ADD, out[0], ir_math(&b, MF_LOG, out[1], NULL));
    IrValue *pinf = ir_cmp(&b, CMP_EQ, out[0], ir_const_f(&b, (SnDtype)t.dtype, INFINITY));
    result = ir_select(&b, pinf, out[0], r);
    break;
  }
  default: die("lower_reduce: kind %d", kind);
  }
  ir_replace(red->res[0], result);
  ir_remove(red);
}

static void lower_elem(Lower *l, IrInst *e) {
  IrBuilder b = {.fn = l->fn, .block = e->parent, .before = e, .span = e->span};
  IrValue *idx[SN_MAX_RANK];
  for (int k = 1; k < e->nops; k++) idx[k - 1] = ir_op(e, k);
  IrValue *v = load_elem(l, &b, ir_op(e, 0), idx);
  if (!ir_type_eq(ir_val(v)->type, e->res[0]->type)) v = ir_cast(&b, v, e->res[0]->type);
  ir_replace(e->res[0], v);
  ir_remove(e);
}

static void lower_block(Lower *l, IrBlock *blk) {
  for (IrInst *in = blk->first, *next; in; in = next) {
    next = in->next;
    IrInst *before = in->prev;
    switch (in->op) {
    case IR_COMPR:
      materialize(l, in);
      next = before ? before->next : blk->first;
      continue;
    case IR_REDUCE:
      lower_reduce(l, in);
      next = before ? before->next : blk->first;
      continue;
    case IR_ELEM:
      lower_elem(l, in);
      next = before ? before->next : blk->first;
      continue;
    case IR_DIM: {
      IrValue *t = ir_op(in, 0);
      IrValue *known = t->dims ? ir_val(t->dims[in->imm.i]) : t->def && t->def->op == IR_ALLOC ? ir_op(t->def, (int)in->imm.i) : NULL;
      if (known && known != in->res[0]) {
        ir_replace(in->res[0], known);
        ir_remove(in);
        continue;
      }
      break;
    }
    default: break;
    }
    for (int r = 0; r < in->nregions; r++) lower_block(l, in->regions[r]);
  }
}

static void clear_aux(IrBlock *b) {
  for (int i = 0; i < b->nargs; i++) b->args[i]->aux = NULL;
  for (IrInst *in = b->first; in; in = in->next) {
    for (int i = 0; i < in->nres; i++) in->res[i]->aux = NULL;
    for (int r = 0; r < in->nregions; r++) clear_aux(in->regions[r]);
  }
}

void pass_loops(IrFunc *f) {
  Lower l = {f, {0}};
  clear_aux(f->body);
  lower_block(&l, f->body);
  clear_aux(f->body);
  arena_free(&l.scratch);
}
