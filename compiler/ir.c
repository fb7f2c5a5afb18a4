/* ir.c: construction, cloning, printing and verification of the IR (see ir.h). */
#include "ir.h"

#include "rtabi.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const IrType ir_void = {IRT_VOID, 0, 0};
const IrType ir_str = {IRT_STR, 0, 0};
const IrType ir_i64 = {IRT_SCALAR, SN_I64, 0};
const IrType ir_bool = {IRT_SCALAR, SN_BOOL, 0};

IrType ir_scalar(SnDtype t) { return (IrType){IRT_SCALAR, (uint8_t)t, 0}; }
IrType ir_tensor(SnDtype t, int rank) { return (IrType){IRT_TENSOR, (uint8_t)t, (uint8_t)rank}; }
IrType ir_ptr(SnDtype t) { return (IrType){IRT_PTR, (uint8_t)t, 0}; }
IrType ir_handle(IrHandle h) { return (IrType){IRT_HANDLE, (uint8_t)h, 0}; }

bool ir_type_eq(IrType a, IrType b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
  case IRT_SCALAR: case IRT_PTR: case IRT_HANDLE: return a.dtype == b.dtype;
  case IRT_TENSOR: return a.dtype == b.dtype && a.rank == b.rank;
  default: return true;
  }
}

bool ir_is_float(IrType t) {
  return t.kind == IRT_SCALAR && (t.dtype == SN_F16 || t.dtype == SN_BF16 || t.dtype == SN_F32 || t.dtype == SN_F64);
}

bool ir_is_int(IrType t) {
  return t.kind == IRT_SCALAR && (t.dtype == SN_I8 || t.dtype == SN_U8 || t.dtype == SN_I32 || t.dtype == SN_I64);
}

const char *ir_type_str(IrType t, char *buf) {
  switch (t.kind) {
  case IRT_VOID: return "void";
  case IRT_STR: return "str";
  case IRT_SCALAR: return sn_dtype_name((SnDtype)t.dtype);
  case IRT_PTR: sprintf(buf, "ptr<%s>", sn_dtype_name((SnDtype)t.dtype)); return buf;
  case IRT_TENSOR: sprintf(buf, "tensor<%s x%d>", sn_dtype_name((SnDtype)t.dtype), t.rank); return buf;
  case IRT_HANDLE: return t.dtype == IRH_RESULT ? "result" : "object";
  }
  return "?";
}

const IrOpInfo ir_ops[] = {
#define OP(id, name, nregions, level, flags) [IR_##id] = {name, nregions, IRL_##level, flags},
#include "ops.def"
};
_Static_assert(sizeof ir_ops / sizeof *ir_ops == IR_NOPS, "an IR op without its row");

#define MATH_BOOL_SAME false
#define MATH_BOOL_BOOL true
const IrMathInfo ir_math_fns[] = {
#define MATH(id, name, arity, result, work, c, lowering) [MF_##id] = {name, arity, MATH_BOOL_##result, work},
#include "mathfns.def"
};
_Static_assert(sizeof ir_math_fns / sizeof *ir_math_fns == MF_NFNS, "a math function without its row");

int ir_math_lookup(const char *name) {
  for (int k = 0; k < MF_NFNS; k++)
    if (strcmp(ir_math_fns[k].name, name) == 0) return k;
  return -1;
}

unsigned ir_inst_flags(IrInst *in) {
  if (in->op != IR_CALL) return ir_ops[in->op].flags;
  const RtInfo *ri = &rt_fns[in->sub];
  return (ri->flags & RTF_PURE ? OPF_PURE : 0) | (ri->flags & RTF_READS ? OPF_READS : 0) |
         (ri->flags & RTF_WRITES ? OPF_WRITES : 0) | (ri->flags & RTF_ALLOCS ? OPF_ALLOCS : 0) |
         (rt_fallible((RtFn)in->sub) ? OPF_FAILS : 0);
}

static const char *bin_names[] = {"add", "sub", "mul", "div", "rem", "min", "max", "and", "or", "pow"};
static const char *cmp_names[] = {"eq", "ne", "lt", "le", "gt", "ge"};
static const char *check_names[] = {"index", "dims", "true", "size", "shape", "msg"};

IrFunc *ir_func_new(Arena *a) {
  IrFunc *f = NEW(a, IrFunc);
  f->arena = a;
  f->body = ir_block_new(f, 0, NULL);
  return f;
}

IrValue *ir_block_arg(IrFunc *f, IrBlock *b, IrType t) {
  IrValue *v = NEW(f->arena, IrValue);
  v->type = t;
  v->block = b;
  v->index = b->nargs;
  IrValue **args = arena_alloc(f->arena, (size_t)(b->nargs + 1) * sizeof *args);
  if (b->nargs) memcpy(args, b->args, (size_t)b->nargs * sizeof *args);
  args[b->nargs++] = v;
  b->args = args;
  return v;
}

IrBlock *ir_block_new(IrFunc *f, int nargs, const IrType *argtypes) {
  IrBlock *b = NEW(f->arena, IrBlock);
  for (int i = 0; i < nargs; i++) ir_block_arg(f, b, argtypes[i]);
  return b;
}

void ir_insert_end(IrBlock *blk, IrInst *in) {
  in->parent = blk;
  in->prev = blk->last;
  in->next = NULL;
  if (blk->last) blk->last->next = in;
  else blk->first = in;
  blk->last = in;
}

void ir_insert_before(IrInst *pos, IrInst *in) {
  IrBlock *blk = pos->parent;
  in->parent = blk;
  in->next = pos;
  in->prev = pos->prev;
  if (pos->prev) pos->prev->next = in;
  else blk->first = in;
  pos->prev = in;
}

void ir_remove(IrInst *in) {
  IrBlock *blk = in->parent;
  if (in->prev) in->prev->next = in->next;
  else blk->first = in->next;
  if (in->next) in->next->prev = in->prev;
  else blk->last = in->prev;
  in->prev = in->next = NULL;
  in->parent = NULL;
}

void ir_replace(IrValue *old, IrValue *with) {
  old = ir_val(old);
  with = ir_val(with);
  if (old != with) old->repl = with;
}

void ir_set_results(IrFunc *f, IrInst *in, int nres) {
  in->nres = nres;
  in->res = nres ? arena_alloc(f->arena, (size_t)nres * sizeof *in->res) : NULL;
  for (int i = 0; i < nres; i++) {
    IrValue *v = NEW(f->arena, IrValue);
    v->type = ir_void;
    v->def = in;
    v->index = i;
    in->res[i] = v;
  }
}

IrInst *ir_emit(IrBuilder *b, IrOp op, int nops, IrValue **ops, int nres, const IrType *restypes,
                int nregions) {
  Arena *a = b->fn->arena;
  IrInst *in = NEW(a, IrInst);
  in->op = op;
  in->span = b->site.src && b->span.src && b->span.src->stdlib ? b->site : b->span;
  in->nops = nops;
  if (nops) {
    in->ops = arena_alloc(a, (size_t)nops * sizeof *in->ops);
    for (int i = 0; i < nops; i++) in->ops[i] = ir_val(ops[i]);
  }
  ir_set_results(b->fn, in, nres);
  for (int i = 0; i < nres; i++) in->res[i]->type = restypes[i];
  in->nregions = nregions;
  if (nregions) {
    in->regions = arena_alloc(a, (size_t)nregions * sizeof *in->regions);
    for (int i = 0; i < nregions; i++) {
      in->regions[i] = ir_block_new(b->fn, 0, NULL);
      in->regions[i]->parent = in;
    }
  }
  if (b->before) ir_insert_before(b->before, in);
  else ir_insert_end(b->block, in);
  return in;
}

/* --- convenience emitters, with folding of integer constants ---------------------------------- */

bool ir_is_const_int(IrValue *v, int64_t *c) {
  v = ir_val(v);
  if (!v->def || v->def->op != IR_CONST || !ir_is_int(v->type)) return false;
  *c = v->def->imm.i;
  return true;
}

IrValue *ir_size_product(IrBuilder *b, int n, IrValue **sizes, const char *what) {
  IrValue *p = ir_const_i64(b, 1);
  for (int k = 0; k < n; k++) {
    int64_t cp, cx, c;
    if (ir_is_const_int(p, &cp) && ir_is_const_int(sizes[k], &cx) && !__builtin_mul_overflow(cp, cx, &c)) {
      p = ir_const_i64(b, c);
      continue;
    }
    IrValue *q = ir_bin(b, BIN_MUL, p, sizes[k]);
    /* sizes are not negative: the product fits when the factor is 0 or q / factor gives p */
    IrValue *zero = ir_cmp(b, CMP_EQ, sizes[k], ir_const_i64(b, 0));
    IrValue *ok = ir_bin(b, BIN_OR, zero, ir_cmp(b, CMP_EQ, ir_bin(b, BIN_DIV, q, sizes[k]), p));
    ir_check(b, CHECK_TRUE, 1, &ok, what);
    p = q;
  }
  return p;
}

/* Is v an i64 BIN `op` instruction? Its operands go to a and b. */
static bool int_bin(IrValue *v, IrBinOp op, IrValue **a, IrValue **b) {
  IrInst *d = ir_val(v)->def;
  if (!d || d->op != IR_BIN || d->sub != (int)op || ir_val(v)->type.dtype != SN_I64) return false;
  *a = ir_op(d, 0);
  *b = ir_op(d, 1);
  return true;
}

/* Are a and b the same size: one value, equal constants, or n and its clamp max(n, 0)? */
static bool same_extent(IrValue *a, IrValue *b) {
  int64_t x, y;
  IrValue *p, *q;
  a = ir_val(a);
  b = ir_val(b);
  if (a == b || (ir_is_const_int(a, &x) && ir_is_const_int(b, &y) && x == y)) return true;
  if (int_bin(a, BIN_MAX, &p, &q) && ir_is_const_int(q, &x) && x == 0) return same_extent(p, b);
  if (int_bin(b, BIN_MAX, &p, &q) && ir_is_const_int(q, &x) && x == 0) return same_extent(a, p);
  return false;
}

/* Is v in [0, n): an index of a comprehension or reduction over n, or a remainder by n? */
static bool below(IrValue *v, IrValue *n) {
  IrValue *x, *m;
  v = ir_val(v);
  if (int_bin(v, BIN_REM, &x, &m)) return same_extent(m, n);
  IrInst *owner = !v->def && v->block ? v->block->parent : NULL;
  if (!owner || (owner->op != IR_COMPR && owner->op != IR_REDUCE)) return false;
  for (int k = 0; k < v->block->nargs && k < owner->nops; k++)
    if (v->block->args[k] == v) return same_extent(ir_op(owner, k), n);
  return false;
}

/* (i / c) * c + i % c (or c * (i / c)) is i, for integers: what a flattened tensor's index
 * becomes when it is split into a matrix's row and column and put together again (the division
 * and remainder of a merge's flattened inputs, at every element). Integer division and
 * remainder are floor's, so the identity holds for every i and c != 0 (and c = 0 fails at the
 * division either way). */
static IrValue *rejoined(IrValue *x, IrValue *y) {
  IrValue *q, *c, *i, *c2, *i2, *c3;
  if (!int_bin(y, BIN_REM, &i, &c) || !int_bin(x, BIN_MUL, &q, &c2)) return NULL;
  i = ir_val(i), c = ir_val(c), q = ir_val(q), c2 = ir_val(c2);
  if (c2 != c) {
    IrValue *t = q;
    q = c2;
    c2 = t;
  }
  if (c2 != c || !int_bin(q, BIN_DIV, &i2, &c3) || ir_val(i2) != i || ir_val(c3) != c) return NULL;
  return i;
}

/* The operand an index computation gives back (a reshape's read through another reshape
 * unflattens and flattens one index): (x / n) * n + x % n is x (rejoined), and (a * n + b) / n
 * is a and (a * n + b) % n is b when b is in [0, n). For heuristics only: n = 0 (an empty
 * tensor, where the division gives 0) is not considered. */
static IrValue *index_root(IrValue *v) {
  IrValue *l, *r, *n, *x, *p, *q, *same;
  v = ir_val(v);
  if (int_bin(v, BIN_ADD, &l, &r) && ((same = rejoined(l, r)) || (same = rejoined(r, l)))) return index_root(same);
  bool div = int_bin(v, BIN_DIV, &x, &n), rem = !div && int_bin(v, BIN_REM, &x, &n);
  if ((div || rem) && int_bin(x, BIN_ADD, &l, &r))
    for (int side = 0; side < 2; side++) {
      IrValue *prod = side ? r : l, *low = side ? l : r;
      if (int_bin(prod, BIN_MUL, &p, &q) && below(low, n))
        for (int f = 0; f < 2; f++)
          if (same_extent(f ? p : q, n)) return index_root(div ? (f ? q : p) : low);
    }
  return v;
}

/* Does v's value change with the index `arg`: is it arg, or computed from it (x[i + 1])? */
static bool depends_on(IrValue *v, IrValue *arg, int depth) {
  v = index_root(v);
  if (v == arg) return true;
  if (!v->def || depth == 0 || v->def->nregions) return false;
  for (int k = 0; k < v->def->nops; k++)
    if (depends_on(ir_op(v->def, k), arg, depth - 1)) return true;
  return false;
}

bool ir_subscripted_by(IrInst *elem, IrValue *index) {
  for (int k = 1; k < elem->nops; k++)
    if (depends_on(ir_op(elem, k), index, 8)) return true;
  return false;
}

bool ir_contains_reduction(IrBlock *b) {
  for (IrInst *in = b->first; in; in = in->next) {
    if (in->op == IR_REDUCE || in->op == IR_LOOP) return true;
    for (int r = 0; r < in->nregions; r++)
      if (ir_contains_reduction(in->regions[r])) return true;
  }
  return false;
}

bool ir_defined_within(IrValue *v, IrInst *owner) {
  v = ir_val(v);
  for (IrBlock *b = v->def ? v->def->parent : v->block; b && b->parent; b = b->parent->parent)
    if (b->parent == owner) return true;
  return false;
}

bool ir_short_loops(IrBlock *blk, int64_t budget) {
  for (IrInst *in = blk->first; in; in = in->next) {
    if (!in->nregions) continue;
    int64_t trip = 1;
    if (in->op == IR_REDUCE) {
      for (int k = 0; k < in->nops; k++) {
        int64_t e;
        if (!ir_is_const_int(ir_op(in, k), &e)) return false;
        trip *= e < 1 ? 1 : e;
      }
      if (trip > budget) return false;
    } else if (in->op != IR_IF) {
      return false;
    }
    for (int r = 0; r < in->nregions; r++)
      if (!ir_short_loops(in->regions[r], budget / trip)) return false;
  }
  return true;
}

int ir_work_of(IrInst *in) { return in->op == IR_MATH ? ir_math_fns[in->sub].work : in->op == IR_RAND ? IR_RAND_WORK : 1; }

int64_t ir_block_work(IrBlock *b) {
  int64_t w = 0;
  for (IrInst *in = b->first; in; in = in->next) {
    w += ir_work_of(in);
    for (int r = 0; r < in->nregions; r++) w += ir_block_work(in->regions[r]);
  }
  return w;
}

IrValue *ir_const(IrBuilder *b, IrType t, double fv, int64_t iv) {
  IrInst *in = ir_emit(b, IR_CONST, 0, NULL, 1, &t, 0);
  if (ir_is_float(t)) in->imm.f = fv;
  else in->imm.i = iv;
  return in->res[0];
}

IrValue *ir_const_i64(IrBuilder *b, int64_t v) { return ir_const(b, ir_i64, 0, v); }
IrValue *ir_const_f(IrBuilder *b, SnDtype t, double v) { return ir_const(b, ir_scalar(t), v, 0); }
IrValue *ir_const_bool(IrBuilder *b, bool v) { return ir_const(b, ir_bool, 0, v); }

static bool fold_int(IrBinOp op, int64_t x, int64_t y, int64_t *r) {
  uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
  switch (op) {
  case BIN_ADD: *r = (int64_t)(ux + uy); return true;
  case BIN_SUB: *r = (int64_t)(ux - uy); return true;
  case BIN_MUL: *r = (int64_t)(ux * uy); return true;
  case BIN_MIN: *r = x < y ? x : y; return true;
  case BIN_MAX: *r = x > y ? x : y; return true;
  default: return false; /* division and the rest keep their run-time checks */
  }
}

/* Is v the constant that leaves the other operand of op as it is (0 for +, 1 for *)? */
static bool neutral(IrBinOp op, IrValue *v) {
  int64_t c;
  return ir_is_const_int(v, &c) && ((op == BIN_ADD && c == 0) || (op == BIN_MUL && c == 1));
}

/* The extent n of an index v of a comprehension or reduction, which ranges over [0, n); NULL for
 * any other value. (A comprehension is read only at indices in its range: a guarded read's index
 * is clamped into it, sema.) */
static IrValue *index_extent(IrValue *v) {
  v = ir_val(v);
  IrInst *owner = !v->def && v->block ? v->block->parent : NULL;
  if (!owner || (owner->op != IR_COMPR && owner->op != IR_REDUCE) || v->index >= owner->nops ||
      v->block->args[v->index] != v)
    return NULL;
  return ir_op(owner, v->index);
}

/* Are a and b the same integer, as computed (two products 4 * d made apart, before cse), up to
 * depth levels of operations? A size max(n, 0) is n (a negative size fails its check first). */
static bool same_int(IrValue *a, IrValue *b, int depth) {
  a = ir_val(a), b = ir_val(b);
  int64_t ca, cb;
  if (a == b) return true;
  if (ir_is_const_int(a, &ca) && ir_is_const_int(b, &cb)) return ca == cb;
  IrInst *da = a->def, *db = b->def;
  for (int k = 0; k < 2; k++) {
    IrInst *d = k ? db : da;
    if (d && d->op == IR_BIN && d->sub == BIN_MAX && ir_is_const_int(ir_op(d, 1), &ca) && ca == 0)
      return k ? same_int(a, ir_op(d, 0), depth) : same_int(ir_op(d, 0), b, depth);
  }
  if (depth == 0 || !da || !db || da->op != IR_BIN || db->op != IR_BIN || da->sub != db->sub) return false;
  return same_int(ir_op(da, 0), ir_op(db, 0), depth - 1) && same_int(ir_op(da, 1), ir_op(db, 1), depth - 1);
}

/* Is v an integer constant at most 0? */
static bool nonpositive(IrValue *v) {
  int64_t c;
  return ir_is_const_int(v, &c) && c <= 0;
}

/* Is v the index x clamped, max(x, c <= 0) or min(x, n) or min(x, n - 1), with n x's extent?
 * The clamp and the range test of an index bound by autodiff (a bias's gradient reads dY[r, p]
 * at p clamped into [0, n) and tested there) are then no work. */
static bool clamp_of_index(IrBinOp op, IrValue *x, IrValue *y) {
  IrValue *n = index_extent(x);
  if (!n || ir_val(x)->type.dtype != SN_I64) return false;
  if (op == BIN_MAX) return nonpositive(y);
  if (op != BIN_MIN) return false;
  IrInst *d = ir_val(y)->def;
  int64_t c;
  return same_int(y, n, 3) || (d && d->op == IR_BIN && d->sub == BIN_SUB && same_int(ir_op(d, 0), n, 3) &&
                               ir_is_const_int(ir_op(d, 1), &c) && c == 1);
}

static bool is_bool_const(IrValue *v, bool want) {
  IrInst *d = ir_val(v)->def;
  return d && d->op == IR_CONST && ir_val(v)->type.dtype == SN_BOOL && (d->imm.i != 0) == want;
}

/* x op y when an operand leaves it the other: an index's clamp into its own range, `and` with
 * true; NULL otherwise. */
static IrValue *trivial_bin(IrBinOp op, IrValue *x, IrValue *y) {
  if (clamp_of_index(op, x, y) || (op == BIN_AND && is_bool_const(y, true))) return ir_val(x);
  if (clamp_of_index(op, y, x) || (op == BIN_AND && is_bool_const(x, true))) return ir_val(y);
  return NULL;
}

/* Is x op y true because x is an index, below its extent and not negative? */
static bool index_in_range(IrCmp op, IrValue *x, IrValue *y) {
  IrValue *n = index_extent(x);
  return n && ((op == CMP_LT && same_int(y, n, 3)) || (op == CMP_GE && nonpositive(y)));
}

IrValue *ir_bin(IrBuilder *b, IrBinOp op, IrValue *x, IrValue *y) {
  int64_t cx, cy, r;
  IrValue *same = trivial_bin(op, x, y);
  if (same) return same;
  if (ir_val(x)->type.dtype == SN_I64 && ir_is_const_int(x, &cx) && ir_is_const_int(y, &cy) &&
      fold_int(op, cx, cy, &r))
    return ir_const_i64(b, r);
  if (op == BIN_ADD && ir_val(x)->type.dtype == SN_I64 && ((same = rejoined(x, y)) || (same = rejoined(y, x))))
    return same;
  /* an index plus 0 (a view's offset) or times 1 is the index, so the identity above can see it */
  if (ir_val(x)->type.dtype == SN_I64 && ir_val(x)->type.kind == IRT_SCALAR) {
    if (neutral(op, y)) return ir_val(x);
    if (neutral(op, x)) return ir_val(y);
  }
  IrValue *ops[2] = {x, y};
  IrType t = ir_val(x)->type;
  IrInst *in = ir_emit(b, IR_BIN, 2, ops, 1, &t, 0);
  in->sub = op;
  return in->res[0];
}

/* What instruction `in` computes when its operands make it trivial by the rules of ir_bin, ir_cmp
 * and ir_select (an index's clamp or range test, `and` with true, a select on true), seen again
 * once fusion has put bodies where their indices are known (b, before `in`, makes a constant);
 * NULL when it is not. */
IrValue *ir_trivial(IrBuilder *b, IrInst *in) {
  if (in->op == IR_CMP && index_in_range((IrCmp)in->sub, ir_op(in, 0), ir_op(in, 1))) return ir_const_bool(b, true);
  if (in->op == IR_BIN) return trivial_bin((IrBinOp)in->sub, ir_op(in, 0), ir_op(in, 1));
  if (in->op == IR_SELECT && is_bool_const(ir_op(in, 0), true)) return ir_op(in, 1);
  return NULL;
}

IrValue *ir_cmp(IrBuilder *b, IrCmp op, IrValue *x, IrValue *y) {
  if (index_in_range(op, x, y)) return ir_const_bool(b, true);
  IrValue *ops[2] = {x, y};
  IrInst *in = ir_emit(b, IR_CMP, 2, ops, 1, &ir_bool, 0);
  in->sub = op;
  return in->res[0];
}

IrValue *ir_select(IrBuilder *b, IrValue *c, IrValue *x, IrValue *y) {
  if (is_bool_const(c, true)) return ir_val(x);
  IrValue *ops[3] = {c, x, y};
  IrType t = ir_val(x)->type;
  return ir_emit(b, IR_SELECT, 3, ops, 1, &t, 0)->res[0];
}

IrValue *ir_cast(IrBuilder *b, IrValue *x, IrType to) {
  x = ir_val(x);
  if (ir_type_eq(x->type, to)) return x;
  int64_t c;
  if (to.dtype == SN_I64 && ir_is_const_int(x, &c)) return ir_const_i64(b, c);
  if (ir_is_float(to) && to.dtype != SN_F16 && to.dtype != SN_BF16 && ir_is_const_int(x, &c))
    return ir_const_f(b, (SnDtype)to.dtype, to.dtype == SN_F32 ? (double)(float)c : (double)c);
  /* a float constant narrowed or widened is the constant rounded (as the FPU would) */
  if (x->def && x->def->op == IR_CONST && ir_is_float(x->type) && (to.dtype == SN_F32 || to.dtype == SN_F64) &&
      to.kind == IRT_SCALAR)
    return ir_const_f(b, (SnDtype)to.dtype, to.dtype == SN_F32 ? (double)(float)x->def->imm.f : x->def->imm.f);
  return ir_emit(b, IR_CAST, 1, &x, 1, &to, 0)->res[0];
}

IrValue *ir_math(IrBuilder *b, IrMathFn fn, IrValue *x, IrValue *y) {
  IrValue *ops[2] = {x, y};
  IrType t = ir_math_fns[fn].boolean ? ir_bool : ir_val(x)->type;
  IrInst *in = ir_emit(b, IR_MATH, y ? 2 : 1, ops, 1, &t, 0);
  in->sub = fn;
  return in->res[0];
}

IrValue *ir_rand(IrBuilder *b, SnDtype dt, IrValue *seed, IrValue *index) {
  IrValue *ops[2] = {seed, index};
  IrType t = ir_scalar(dt);
  return ir_emit(b, IR_RAND, 2, ops, 1, &t, 0)->res[0];
}

IrValue *ir_neg(IrBuilder *b, IrValue *x) {
  IrType t = ir_val(x)->type;
  return ir_emit(b, IR_NEG, 1, &x, 1, &t, 0)->res[0];
}

IrValue *ir_not(IrBuilder *b, IrValue *x) { return ir_emit(b, IR_NOT, 1, &x, 1, &ir_bool, 0)->res[0]; }

IrValue *ir_dim(IrBuilder *b, IrValue *t, int axis) {
  IrInst *in = ir_emit(b, IR_DIM, 1, &t, 1, &ir_i64, 0);
  in->imm.i = axis;
  return in->res[0];
}

IrValue *ir_elem(IrBuilder *b, IrValue *t, int n, IrValue **idx) {
  IrValue *ops[SN_MAX_RANK + 1];
  ops[0] = t;
  for (int i = 0; i < n; i++) ops[i + 1] = idx[i];
  SnDtype dt = (SnDtype)ir_val(t)->type.dtype;
  IrType rt = ir_scalar(dt == SN_F16 || dt == SN_BF16 ? SN_F32 : dt);
  return ir_emit(b, IR_ELEM, n + 1, ops, 1, &rt, 0)->res[0];
}

IrValue *ir_string(IrBuilder *b, const char *s) {
  IrInst *in = ir_emit(b, IR_STRING, 0, NULL, 1, &ir_str, 0);
  in->str = s;
  return in->res[0];
}

void ir_yield(IrBuilder *b, int n, IrValue **vals) { ir_emit(b, IR_YIELD, n, vals, 0, NULL, 0); }

IrValue *ir_call(IrBuilder *b, int fn, int nargs, IrValue **args) {
  const RtInfo *ri = &rt_fns[fn];
  IrType rt;
  int nres = 1;
  switch (ri->ret) {
  case K_VOID: case K_STATUS: nres = 0; rt = ir_void; break;
  case K_I32: rt = ir_scalar(SN_I32); break;
  case K_I64: rt = ir_i64; break;
  case K_F32: rt = ir_scalar(SN_F32); break;
  case K_F64: rt = ir_scalar(SN_F64); break;
  case K_HANDLE: rt = ir_ptr(SN_U8); break;
  case K_RESULT: rt = ir_handle(IRH_RESULT); break;
  case K_OBJECT: rt = ir_handle(IRH_OBJECT); break;
  default: rt = ir_tensor(SN_F32, 0); break; /* callers emitting tensor calls set the type */
  }
  IrInst *in = ir_emit(b, IR_CALL, nargs, args, nres, &rt, 0);
  in->sub = fn;
  return nres ? in->res[0] : NULL;
}

IrInst *ir_check(IrBuilder *b, IrCheck kind, int nops, IrValue **ops, const char *what) {
  IrInst *in = ir_emit(b, IR_CHECK, nops, ops, 0, NULL, 0);
  in->sub = kind;
  in->str = what;
  return in;
}

/* --- cloning -------------------------------------------------------------------------------- */

static size_t map_slot(const IrMap *m, const IrValue *v) {
  size_t h = (size_t)((uintptr_t)v >> 4) * 0x9E3779B97F4A7C15u;
  for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1))
    if (!m->from[i] || m->from[i] == v) return i;
}

void ir_map_put(IrMap *m, IrValue *from, void *to) {
  if (2 * (m->n + 1) > m->cap) {
    IrMap old = *m;
    m->cap = old.cap ? 2 * old.cap : 64;
    m->from = calloc(m->cap, sizeof *m->from);
    m->to = malloc(m->cap * sizeof *m->to);
    if (!m->from || !m->to) die("out of memory");
    for (size_t i = 0; i < old.cap; i++)
      if (old.from[i]) {
        size_t k = map_slot(m, old.from[i]);
        m->from[k] = old.from[i];
        m->to[k] = old.to[i];
      }
    free(old.from);
    free(old.to);
  }
  size_t k = map_slot(m, from);
  m->n += !m->from[k];
  m->from[k] = from;
  m->to[k] = to;
}

void *ir_map_get(const IrMap *m, IrValue *v) {
  if (!m->cap) return NULL;
  size_t k = map_slot(m, v);
  return m->from[k] ? m->to[k] : NULL;
}

void ir_map_free(IrMap *m) {
  free(m->from);
  free(m->to);
  *m = (IrMap){0};
}

/* A value's copy, or the value itself when it is defined outside the region being copied. */
static IrValue *map_get(IrMap *m, IrValue *v) {
  v = ir_val(v);
  IrValue *to = ir_map_get(m, v);
  return to ? to : v;
}

static void clone_block_into(IrBuilder *b, IrMap *m, IrBlock *src, IrValue **yielded, int nyield);

/* A copied tensor's sizes: the copies of the original's, computed before it, or, for a size read
 * from the tensor itself after it (a runtime function's result, such as topk's, sized by `dim #k`
 * of itself), the same read of the copy (v is mapped to its copy already). */
static IrValue **clone_dims(IrBuilder *b, IrMap *m, IrValue *v) {
  if (!v->dims) return NULL;
  int rank = v->type.rank;
  IrValue **d = arena_alloc(b->fn->arena, (size_t)(rank ? rank : 1) * sizeof *d);
  for (int k = 0; k < rank; k++) {
    IrValue *size = ir_val(v->dims[k]);
    bool own = !ir_map_get(m, size) && size->def && size->def->op == IR_DIM && ir_val(ir_op(size->def, 0)) == ir_val(v);
    d[k] = own ? ir_dim(b, map_get(m, v), (int)size->def->imm.i) : map_get(m, size);
  }
  return d;
}

void ir_clone_inst(IrBuilder *b, IrMap *m, IrInst *in) {
  IrValue *ops[64];
  IrValue **opp = in->nops <= 64 ? ops : arena_alloc(b->fn->arena, (size_t)in->nops * sizeof *opp);
  for (int i = 0; i < in->nops; i++) opp[i] = map_get(m, in->ops[i]);
  IrType rts[64];
  IrType *rtp = in->nres <= 64 ? rts : arena_alloc(b->fn->arena, (size_t)in->nres * sizeof *rtp);
  for (int i = 0; i < in->nres; i++) rtp[i] = in->res[i]->type;
  IrInst *c = ir_emit(b, in->op, in->nops, opp, in->nres, rtp, in->nregions);
  c->sub = in->sub;
  c->flags = in->flags;
  c->imm = in->imm;
  c->str = in->str;
  c->blob = in->blob;
  c->span = in->span;
  for (int i = 0; i < in->nres; i++) {
    c->res[i]->name = in->res[i]->name;
    ir_map_put(m, in->res[i], c->res[i]);
  }
  for (int i = 0; i < in->nres; i++) c->res[i]->dims = clone_dims(b, m, in->res[i]);
  for (int r = 0; r < in->nregions; r++) {
    IrBlock *src = in->regions[r], *dst = c->regions[r];
    for (int i = 0; i < src->nargs; i++) {
      IrValue *a = ir_block_arg(b->fn, dst, src->args[i]->type);
      a->name = src->args[i]->name;
      a->dims = clone_dims(b, m, src->args[i]);
      ir_map_put(m, src->args[i], a);
    }
    IrBuilder inner = {.fn = b->fn, .block = dst, .span = b->span, .site = b->site};
    clone_block_into(&inner, m, src, NULL, 0);
  }
}

/* Copies src's instructions into b; a final yield is copied too unless `yielded` is given, in
 * which case its operands are returned there instead. */
static void clone_block_into(IrBuilder *b, IrMap *m, IrBlock *src, IrValue **yielded, int nyield) {
  for (IrInst *in = src->first; in; in = in->next) {
    if (in->op == IR_YIELD && yielded && !in->next) {
      for (int i = 0; i < nyield && i < in->nops; i++) yielded[i] = map_get(m, in->ops[i]);
      continue;
    }
    ir_clone_inst(b, m, in);
  }
}

void ir_inline_region(IrBuilder *b, IrBlock *region, IrValue **args, IrValue **out, int nout) {
  IrMap m = {0};
  for (int i = 0; i < region->nargs; i++) ir_map_put(&m, region->args[i], ir_val(args[i]));
  clone_block_into(b, &m, region, out, nout);
  ir_map_free(&m);
}

/* --- per-pass scratch --------------------------------------------------------------------------- */

void ir_set_aux(IrBlock *b, void *aux) {
  for (int i = 0; i < b->nargs; i++) b->args[i]->aux = aux;
  for (IrInst *in = b->first; in; in = in->next) {
    for (int i = 0; i < in->nres; i++) in->res[i]->aux = aux;
    for (int r = 0; r < in->nregions; r++) ir_set_aux(in->regions[r], aux);
  }
}

static void new_uses(Arena *a, IrBlock *b) {
  for (int i = 0; i < b->nargs; i++) b->args[i]->aux = NEW(a, IrUses);
  for (IrInst *in = b->first; in; in = in->next) {
    for (int i = 0; i < in->nres; i++) in->res[i]->aux = NEW(a, IrUses);
    for (int r = 0; r < in->nregions; r++) new_uses(a, in->regions[r]);
  }
}

/* A tensor's known sizes (IrValue.dims) keep the size values alive. */
static void tally_dims(IrValue *t) {
  for (int d = 0; t->dims && d < t->type.rank; d++) {
    IrUses *u = ir_val(t->dims[d])->aux;
    if (u) u->elem++;
  }
}

static void tally(IrBlock *b) {
  for (int i = 0; i < b->nargs; i++) tally_dims(b->args[i]);
  for (IrInst *in = b->first; in; in = in->next) {
    for (int i = 0; i < in->nops; i++) {
      IrUses *u = ir_op(in, i)->aux;
      if (!u) continue;
      if ((in->op == IR_ELEM && i == 0) || in->op == IR_DIM) u->elem++;
      else u->other++;
    }
    for (int i = 0; i < in->nres; i++) tally_dims(in->res[i]);
    for (int r = 0; r < in->nregions; r++) tally(in->regions[r]);
  }
}

void ir_count_uses(Arena *a, IrFunc *f) {
  new_uses(a, f->body);
  tally(f->body);
}

/* --- numbering, resolving, printing ----------------------------------------------------------- */

static void number_block(IrBlock *b, int *next) {
  for (int i = 0; i < b->nargs; i++) b->args[i]->id = (*next)++;
  for (IrInst *in = b->first; in; in = in->next) {
    for (int i = 0; i < in->nres; i++) in->res[i]->id = (*next)++;
    for (int r = 0; r < in->nregions; r++) number_block(in->regions[r], next);
  }
}

void ir_number(IrFunc *f) {
  int next = 0;
  number_block(f->body, &next);
  f->nvalues = next;
}

static void resolve_block(IrBlock *b) {
  for (IrInst *in = b->first; in; in = in->next) {
    for (int i = 0; i < in->nops; i++) in->ops[i] = ir_val(in->ops[i]);
    for (int r = 0; r < in->nregions; r++) resolve_block(in->regions[r]);
  }
}

void ir_resolve(IrFunc *f) { resolve_block(f->body); }

static void print_value(FILE *out, IrValue *v) {
  v = ir_val(v);
  if (v->name) fprintf(out, "%%%s.%d", v->name, v->id);
  else fprintf(out, "%%%d", v->id);
}

static void print_str_lit(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fprintf(out, "\\%c", *s);
    else if (*s == '\n') fputs("\\n", out);
    else if ((unsigned char)*s < 0x20) fprintf(out, "\\x%02x", (unsigned char)*s);
    else fputc(*s, out);
  }
  fputc('"', out);
}

static void print_block(FILE *out, IrBlock *b, int indent);

static void print_inst(FILE *out, IrInst *in, int indent) {
  char tb[64];
  fprintf(out, "%*s", indent, "");
  for (int i = 0; i < in->nres; i++) {
    print_value(out, in->res[i]);
    fputs(i + 1 < in->nres ? ", " : " = ", out);
  }
  fputs(ir_ops[in->op].name, out);
  switch (in->op) {
  case IR_BIN: fprintf(out, ".%s", bin_names[in->sub]); break;
  case IR_CMP: fprintf(out, ".%s", cmp_names[in->sub]); break;
  case IR_MATH: fprintf(out, ".%s", ir_math_fns[in->sub].name); break;
  case IR_REDUCE: fprintf(out, ".%s", red_name((RedKind)in->sub)); break;
  case IR_CHECK: fprintf(out, ".%s", check_names[in->sub]); break;
  case IR_CALL: fprintf(out, " @%s", rt_fns[in->sub].name); break;
  default: break;
  }
  if (in->flags & IRF_PARALLEL) fputs(in->flags & IRF_CHUNKS ? " parallel chunks" : " parallel", out);
  if (in->flags & IRF_REASSOC) fputs(" reassoc", out);
  if (in->op == IR_CONST) {
    if (ir_is_float(in->res[0]->type)) {
      char buf[40];
      sn_format_f64(buf, in->imm.f);
      fprintf(out, " %s", buf);
    } else {
      fprintf(out, " %" PRId64, in->imm.i);
    }
  }
  if (in->op == IR_DIM || in->op == IR_ARG || in->op == IR_GLOBAL_GET || in->op == IR_GLOBAL_SET ||
      in->op == IR_SCRATCH || in->op == IR_CONST_TENSOR)
    fprintf(out, " #%" PRId64, in->imm.i);
  if (in->str && in->op != IR_CHECK) {
    fputc(' ', out);
    print_str_lit(out, in->str);
  }
  for (int i = 0; i < in->nops; i++) {
    fputs(i == 0 ? " " : ", ", out);
    print_value(out, in->ops[i]);
  }
  if (in->op == IR_CHECK && in->str) {
    fputs(" ", out);
    print_str_lit(out, in->str);
  }
  if (in->nres == 1) fprintf(out, " : %s", ir_type_str(in->res[0]->type, tb));
  for (int r = 0; r < in->nregions; r++) {
    IrBlock *rb = in->regions[r];
    fputs(" (", out);
    for (int i = 0; i < rb->nargs; i++) {
      if (i) fputs(", ", out);
      print_value(out, rb->args[i]);
    }
    fputs(") {\n", out);
    print_block(out, rb, indent + 2);
    fprintf(out, "%*s}", indent, "");
  }
  fputc('\n', out);
}

static void print_block(FILE *out, IrBlock *b, int indent) {
  for (IrInst *in = b->first; in; in = in->next) print_inst(out, in, indent);
}

void ir_print(FILE *out, IrFunc *f) {
  ir_number(f);
  fputs("func @main {\n", out);
  print_block(out, f->body, 2);
  fputs("}\n", out);
}

/* --- verification ----------------------------------------------------------------------------- */

typedef struct Verifier {
  const char *pass;
  IrFunc *fn;
  bool ok;
} Verifier;

static void vfail(Verifier *v, IrInst *in, const char *what) {
  if (!v->ok) return;
  v->ok = false;
  ir_number(v->fn);
  fprintf(stderr, "IR verification failed after %s: %s at `%s`", v->pass, what, in ? ir_ops[in->op].name : "?");
  if (in && in->nres) fprintf(stderr, " defining %%%d", in->res[0]->id);
  for (int i = 0; in && i < in->nops; i++) fprintf(stderr, "%s%%%d", i ? ", " : " with operands ", ir_val(in->ops[i])->id);
  fprintf(stderr, "\n");
  ir_print(stderr, v->fn);
}

/* Does a runtime function's parameter of kind k take an operand of type t? */
static bool kind_takes(RtKind k, IrType t) {
  switch (k) {
  case K_I32: return t.kind == IRT_SCALAR && (t.dtype == SN_I32 || t.dtype == SN_BOOL);
  case K_I64: return ir_type_eq(t, ir_i64);
  case K_F32: return ir_type_eq(t, ir_scalar(SN_F32));
  case K_F64: return ir_type_eq(t, ir_scalar(SN_F64));
  case K_PTR: return t.kind == IRT_PTR || t.kind == IRT_TENSOR || t.kind == IRT_STR || t.kind == IRT_HANDLE;
  default: return false;
  }
}

/* Does a runtime function's result of kind k give a value of type t? */
static bool kind_gives(RtKind k, IrType t) {
  switch (k) {
  case K_I32: return ir_type_eq(t, ir_scalar(SN_I32));
  case K_I64: return ir_type_eq(t, ir_i64);
  case K_F32: return ir_type_eq(t, ir_scalar(SN_F32));
  case K_F64: return ir_type_eq(t, ir_scalar(SN_F64));
  case K_TENSOR: return t.kind == IRT_TENSOR;
  case K_RESULT: return ir_is_handle(t, IRH_RESULT);
  case K_OBJECT: return ir_is_handle(t, IRH_OBJECT);
  case K_HANDLE: return t.kind == IRT_PTR;
  default: return false;
  }
}

/* A call's operands and result against its runtime function's row (rtabi.def). */
static void verify_call(Verifier *v, IrInst *in) {
  if (in->sub < 0 || in->sub >= RT_NFNS) {
    vfail(v, in, "call of no runtime function");
    return;
  }
  const RtInfo *ri = &rt_fns[in->sub];
  if (ri->flags & RTF_LOWERING) vfail(v, in, "call of a runtime function only codegen calls");
  int fixed = rt_fixed_operands((RtFn)in->sub), k = 0;
  bool sized = false;
  for (int i = 0; i < ri->nparams; i++) {
    sized |= ri->params[i] == K_RANK;
    if (ri->params[i] == K_RANK || ri->params[i] == K_SHAPE) continue;
    if (k < in->nops && !kind_takes(ri->params[i], ir_op(in, k)->type)) vfail(v, in, "call argument of the wrong kind");
    k++;
  }
  int nsizes = in->nops - fixed;
  if (nsizes < 0 || (!sized && nsizes > 0) || nsizes > SN_MAX_RANK) vfail(v, in, "call with the wrong number of arguments");
  for (int i = fixed; i < in->nops; i++)
    if (!ir_type_eq(ir_op(in, i)->type, ir_i64)) vfail(v, in, "call size that is not an i64");
  bool gives = ri->ret != K_VOID && ri->ret != K_STATUS;
  if (in->nres != gives || (gives && !kind_gives(ri->ret, in->res[0]->type))) vfail(v, in, "call result of the wrong kind");
  if (gives && in->res[0]->type.kind == IRT_TENSOR && !(ri->flags & RTF_ALLOCS))
    vfail(v, in, "tensor from a runtime function that does not give a new reference");
}

/* Values are visible in their block after their definition and in every region nested there;
 * the verifier marks each value when it becomes visible and unmarks it when its scope ends. */
static void verify_block(Verifier *v, IrBlock *b) {
  for (int i = 0; i < b->nargs; i++) b->args[i]->aux = (void *)1;
  for (IrInst *in = b->first; in; in = in->next) {
    if (in->parent != b) vfail(v, in, "instruction's parent link is wrong");
    for (int i = 0; i < in->nops; i++) {
      IrValue *o = ir_val(in->ops[i]);
      if (!o) vfail(v, in, "null operand");
      else if (o->aux != (void *)1) vfail(v, in, "operand used where its definition is not visible");
    }
    const IrOpInfo *oi = &ir_ops[in->op];
    if ((oi->flags & OPF_TERMINATOR) && in->next) vfail(v, in, "yield is not the last instruction");
    if (in->nregions != oi->nregions) vfail(v, in, "wrong number of regions");
    bool lowered = v->fn->props & IRP_LOWERED;
    if (oi->level == (lowered ? IRL_TENSOR : IRL_LOOP))
      vfail(v, in, lowered ? "tensor-level op after the loop pass" : "loop-level op before the loop pass");
    for (int r = 0; r < in->nregions; r++) {
      IrBlock *rb = in->regions[r];
      if (rb->parent != in) vfail(v, in, "region's parent link is wrong");
      if (!rb->last || !(ir_ops[rb->last->op].flags & OPF_TERMINATOR)) vfail(v, in, "region does not end with a yield");
      verify_block(v, rb);
    }
    for (int i = 0; i < in->nres; i++) in->res[i]->aux = (void *)1;
    switch (in->op) {
    case IR_BIN:
      if (!ir_type_eq(ir_op(in, 0)->type, ir_op(in, 1)->type) || !ir_type_eq(ir_op(in, 0)->type, in->res[0]->type))
        vfail(v, in, "operand types differ");
      break;
    case IR_CMP:
      if (!ir_type_eq(ir_op(in, 0)->type, ir_op(in, 1)->type)) vfail(v, in, "operand types differ");
      break;
    case IR_SELECT:
      if (!ir_type_eq(ir_op(in, 0)->type, ir_bool) || !ir_type_eq(ir_op(in, 1)->type, ir_op(in, 2)->type))
        vfail(v, in, "select types wrong");
      break;
    case IR_ELEM:
      if (ir_op(in, 0)->type.kind != IRT_TENSOR || ir_op(in, 0)->type.rank != in->nops - 1)
        vfail(v, in, "elem needs a tensor and one index per dimension");
      break;
    case IR_FOR:
      if (in->nregions != 1 || in->regions[0]->nargs != 1 + in->nops - 2) vfail(v, in, "for's region arguments");
      break;
    case IR_CALL: verify_call(v, in); break;
    case IR_MATH:
      if (in->sub < 0 || in->sub >= MF_NFNS || in->nops != ir_math_fns[in->sub].arity) vfail(v, in, "math function's operands");
      break;
    case IR_RAND:
      if (in->nops != 2 || !ir_type_eq(ir_op(in, 0)->type, ir_i64) || !ir_type_eq(ir_op(in, 1)->type, ir_i64) ||
          (!ir_type_eq(in->res[0]->type, ir_scalar(SN_F32)) && !ir_type_eq(in->res[0]->type, ir_scalar(SN_F64))))
        vfail(v, in, "rand needs an i64 seed and index and gives f32 or f64");
      break;
    default: break;
    }
  }
  /* leaving the block: its values go out of scope */
  for (int i = 0; i < b->nargs; i++) b->args[i]->aux = NULL;
  for (IrInst *in = b->first; in; in = in->next)
    for (int i = 0; i < in->nres; i++) in->res[i]->aux = NULL;
}

void ir_verify(IrFunc *f, const char *after_pass) {
  Verifier v = {after_pass, f, true};
  ir_clear_aux(f->body);
  verify_block(&v, f->body);
  ir_clear_aux(f->body);
  if (!v.ok) die("the IR is malformed after %s", after_pass);
}
