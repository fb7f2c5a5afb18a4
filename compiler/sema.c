/* sema.c: name resolution, dtype and shape inference, and lowering to tensor-level IR.
 *
 * Values (Val) carry a dtype, a shape of Dims and the IR value computing them. Whole-tensor
 * arithmetic is lifted to lazy comprehensions (IR_COMPR), so `a + b * c` becomes one
 * comprehension whose element is a[i] + b[i] * c[i]; the fusion pass later decides what is
 * materialised. The range of a comprehension's or reduction's index is inferred from the
 * subscripts it appears in (`x[i, k]` bounds i by x's first dimension). */
#include "sema.h"

#include "parse.h"
#include "rtabi.h"
#include "prelude.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

Val sema_error_val = {.kind = V_ERROR};

/* How deep user functions may inline into each other before we call it runaway. */
#define MAX_INLINE_DEPTH 64

/* --- values and types ------------------------------------------------------------------------- */

Val *val_new(Sema *s, VKind k) {
  Val *v = NEW(s->arena, Val);
  v->kind = k;
  return v;
}

Val *scalar_val(Sema *s, SnDtype dt, bool weak, IrValue *ir) {
  Val *v = val_new(s, V_SCALAR);
  v->dt = dt;
  v->weak = weak;
  v->ir = ir;
  return v;
}

Val *tensor_val(Sema *s, SnDtype dt, int rank, const Dim *dims, IrValue *ir) {
  Val *v = val_new(s, V_TENSOR);
  v->dt = dt;
  v->rank = rank;
  for (int i = 0; i < rank; i++) v->dims[i] = dims[i];
  v->ir = ir;
  if (ir && !ir_val(ir)->dims && rank > 0) {
    IrValue **d = arena_alloc(s->fn->arena, (size_t)rank * sizeof *d);
    for (int i = 0; i < rank; i++) d[i] = dim_value(s, dims[i]);
    ir_val(ir)->dims = d;
  }
  return v;
}

Val *unit_val(Sema *s) { return val_new(s, V_UNIT); }

bool is_float_dt(SnDtype dt) { return dt == SN_F16 || dt == SN_BF16 || dt == SN_F32 || dt == SN_F64; }
bool is_int_dt(SnDtype dt) { return dt == SN_I8 || dt == SN_U8 || dt == SN_I32 || dt == SN_I64; }

/* f16 and bf16 are storage types: arithmetic on them runs in f32 (as PyTorch does on CPUs). */
SnDtype compute_dtype(SnDtype dt) { return dt == SN_F16 || dt == SN_BF16 ? SN_F32 : dt; }

/* Is v, an f32 value, exactly a value of the 16-bit float dt: read from a tensor of dt, converted
 * from dt, or chosen among such values? */
static bool exact_in(IrValue *v, SnDtype dt, int depth) {
  v = ir_val(v);
  IrInst *d = v->def;
  if (!d || depth == 0) return false;
  switch (d->op) {
  case IR_ELEM: return ir_op(d, 0)->type.dtype == dt;
  case IR_CAST: return ir_op(d, 0)->type.dtype == dt;
  case IR_NEG: return exact_in(ir_op(d, 0), dt, depth - 1);
  case IR_SELECT: return exact_in(ir_op(d, 1), dt, depth - 1) && exact_in(ir_op(d, 2), dt, depth - 1);
  default: return false;
  }
}

IrValue *round_to(Sema *s, IrValue *v, SnDtype dt) {
  if ((dt != SN_F16 && dt != SN_BF16) || exact_in(v, dt, 4)) return v;
  v = ir_val(v);
  if (v->def && v->def->op == IR_CONST) { /* a literal: rounded now, by the runtime's conversion */
    float f = (float)v->def->imm.f;
    return ir_const_f(&s->b, SN_F32, dt == SN_F16 ? sn_f16_to_f32(sn_f32_to_f16(f)) : sn_bf16_to_f32(sn_f32_to_bf16(f)));
  }
  return ir_cast(&s->b, ir_cast(&s->b, v, ir_scalar(dt)), ir_scalar(SN_F32));
}

const char *src_text(Sema *s, Span sp) {
  if (!sp.src || sp.hi <= sp.lo) return "";
  return arena_strndup(s->arena, sp.src->text + sp.lo, sp.hi - sp.lo);
}

Dim dim_const(int64_t c) { return (Dim){c, NULL}; }

bool dims_equal(Dim a, Dim b) {
  if (!a.sym && !b.sym) return a.c == b.c;
  if (a.sym && b.sym) return a.sym == b.sym || a.sym->v == b.sym->v;
  return false;
}

const char *dim_str(Sema *s, Dim d) {
  if (!d.sym) return arena_printf(s->arena, "%lld", (long long)d.c);
  return d.sym->name;
}

static const char *shape_str(Sema *s, SnDtype dt, int rank, const Dim *dims) {
  Buf b = {0};
  buf_printf(&b, "%s[", sn_dtype_name(dt));
  for (int i = 0; i < rank; i++) buf_printf(&b, "%s%s", i ? ", " : "", dim_str(s, dims[i]));
  buf_puts(&b, "]");
  const char *r = arena_strdup(s->arena, b.data);
  buf_free(&b);
  return r;
}

const char *val_type_str(Sema *s, const Val *v) {
  switch (v->kind) {
  case V_ERROR: return "<error>";
  case V_UNIT: return "()";
  case V_STR: return "str";
  case V_SCALAR: return sn_dtype_name(v->dt);
  case V_TENSOR: return shape_str(s, v->dt, v->rank, v->dims);
  case V_RECORD: {
    Buf b = {0};
    buf_puts(&b, "{");
    for (int i = 0; i < v->rec->n; i++)
      buf_printf(&b, "%s%s: %s", i ? ", " : "", v->rec->names[i], val_type_str(s, v->rec->vals[i]));
    buf_puts(&b, "}");
    const char *r = arena_strdup(s->arena, b.data);
    buf_free(&b);
    return r;
  }
  }
  return "?";
}

/* --- scopes ----------------------------------------------------------------------------------- */

static void push_scope(Sema *s) {
  Scope *sc = NEW(s->arena, Scope);
  sc->parent = s->scope;
  s->scope = sc;
}

static void pop_scope(Sema *s) { s->scope = s->scope->parent; }

/* The scope as it is now, unaffected by bindings added to it later: functions and lazy
 * definitions see the names defined before them (lexical scope), even at the REPL's top. */
static Scope *snapshot_scope(Sema *s) {
  Arena *a = s->repl && s->scope == s->top ? &s->repl->arena : s->arena;
  Scope *sc = NEW(a, Scope);
  *sc = *s->scope;
  return sc;
}

static Binding *bind(Sema *s, const char *name, BindKind k, Span span) {
  Arena *a = s->repl && s->scope == s->top ? &s->repl->arena : s->arena;
  Binding *b = NEW(a, Binding);
  b->name = s->repl && s->scope == s->top ? arena_strdup(a, name) : name;
  b->kind = k;
  b->span = span;
  b->slot = -1;
  b->next = s->scope->head;
  s->scope->head = b;
  return b;
}

static Binding *bind_val(Sema *s, const char *name, Val *v, Span span) {
  Binding *b = bind(s, name, B_VAL, span);
  b->val = v;
  return b;
}

/* The current value of an iterate state: the innermost state binding of that name. */
static Binding *lookup_state(Scope *sc, const char *name) {
  for (; sc; sc = sc->parent)
    for (Binding *b = sc->head; b; b = b->next)
      if (b->is_state && strcmp(b->name, name) == 0) return b;
  return NULL;
}

static Binding *lookup_in(Scope *sc, const char *name) {
  for (; sc; sc = sc->parent)
    for (Binding *b = sc->head; b; b = b->next)
      if (strcmp(b->name, name) == 0) return b;
  return NULL;
}

Binding *lookup(Sema *s, const char *name) { return lookup_in(s->scope, name); }

/* Builtin names, for suggestions (the table lives in builtins.c). */
extern const char *const builtin_names[];

void suggest_name(Sema *s, Diag *g, const char *name) {
  const char *best = NULL;
  int bestd = 3;
  size_t len = strlen(name);
  if (len <= 2) return; /* a one- or two-letter name is close to too many others to guess */
  int cap = len <= 4 ? 1 : 2;
  for (Scope *sc = s->scope; sc; sc = sc->parent)
    for (Binding *b = sc->head; b; b = b->next) {
      int d = edit_distance(name, b->name, cap);
      if (d <= cap && d < bestd) best = b->name, bestd = d;
    }
  for (int i = 0; builtin_names[i]; i++) {
    int d = edit_distance(name, builtin_names[i], cap);
    if (d <= cap && d < bestd) best = builtin_names[i], bestd = d;
  }
  if (best) diag_hint(s->diags, g, "did you mean `%s`?", best);
}

/* --- dimensions ------------------------------------------------------------------------------- */

IrValue *const_at_entry(Sema *s, int64_t c) {
  IrBuilder b = {.fn = s->fn, .block = s->fn->body, .before = s->fn->body->first, .span = s->b.span, .site = s->b.site};
  return ir_const_i64(&b, c);
}

IrValue *dim_value(Sema *s, Dim d) { return d.sym ? d.sym->v : const_at_entry(s, d.c); }

/* The dimension whose size is the run-time value v; one Sym per value, so two tensors sized by
 * the same value have provably equal dimensions. */
Dim dim_of_value(Sema *s, IrValue *v, const char *name) {
  int64_t c;
  if (ir_is_const_int(v, &c) && c >= 0) return dim_const(c);
  v = ir_val(v);
  for (int i = 0; i < s->syms.n; i++) {
    Sym *sym = s->syms.items[i];
    if (ir_val(sym->v) == v) return (Dim){0, sym};
  }
  Sym *sym = NEW(s->arena, Sym);
  sym->name = name && *name ? name : "?";
  sym->v = v;
  vec_push(s->arena, &s->syms, sym);
  return (Dim){0, sym};
}

/* a and b must be the same size: a compile-time error when both are constants and differ, a
 * run-time check when they cannot be told apart now. */
bool check_dims_match(Sema *s, Dim a, Dim b, Span span, const char *what) {
  if (dims_equal(a, b)) return true;
  if (!a.sym && !b.sym) return false;
  IrValue *ops[2] = {dim_value(s, a), dim_value(s, b)};
  IrBuilder save = s->b;
  s->b.span = span;
  ir_check(&s->b, CHECK_DIMS, 2, ops, what);
  s->b = save;
  return true;
}

/* --- casts and promotion ---------------------------------------------------------------------- */

static Val *convert_val(Sema *s, Val *v, SnDtype to, Span span, bool explicit_cast);

Val *cast_val(Sema *s, Val *v, SnDtype to, Span span) { return convert_val(s, v, to, span, false); }

/* An explicit conversion, f16(x): the value is rounded to the type even when it is a literal. */
Val *explicit_cast(Sema *s, Val *v, SnDtype to, Span span) { return convert_val(s, v, to, span, true); }

static Val *convert_val(Sema *s, Val *v, SnDtype to, Span span, bool explicit_cast) {
  if (v->kind == V_ERROR) return v;
  if (v->kind == V_TENSOR) {
    if (v->dt == to) return v;
    Val *args[1] = {v};
    return lift(s, 1, args, NULL, explicit_cast ? (void *)1 : NULL, to, span);
  }
  if (v->kind != V_SCALAR) return v;
  if (v->dt == to && !v->weak) return v;
  IrValue *ir = v->ir;
  SnDtype from_ct = compute_dtype(v->dt), to_ct = compute_dtype(to);
  if (from_ct != to_ct) ir = ir_cast(&s->b, ir, ir_scalar(to_ct));
  /* narrowing into a 16-bit float rounds the value to it, a literal too (PyTorch and NumPy
   * round a Python number to the type of the f16 tensor it meets) */
  if (v->dt != to) ir = round_to(s, ir, to);
  return scalar_val(s, to, false, ir);
}

static int float_rank(SnDtype t) {
  switch (t) {
  case SN_F16: case SN_BF16: return 1;
  case SN_F32: return 2;
  case SN_F64: return 3;
  default: return 0;
  }
}

static int int_rank(SnDtype t) {
  switch (t) {
  case SN_I8: case SN_U8: return 1;
  case SN_I32: return 2;
  case SN_I64: return 3;
  default: return 0;
  }
}

/* The dtype two operands are computed in (see docs/language.md, "Types"). */
static bool promote(Sema *s, Val *a, Val *b, SnDtype *out, bool *weak, Span span, const char *opname) {
  SnDtype x = a->dt, y = b->dt;
  if (x == SN_BOOL || y == SN_BOOL) {
    if (x == SN_BOOL && y == SN_BOOL) {
      *out = SN_BOOL;
      *weak = false;
      return true;
    }
    Diag *g = diag_error(s->diags, span, "`%s` cannot mix bool and %s", opname,
                         sn_dtype_name(x == SN_BOOL ? y : x));
    diag_hint(s->diags, g, "convert the bool with i64(b) or f32(b)");
    return false;
  }
  *weak = a->weak && b->weak;
  if (a->weak && b->weak) {
    *out = is_float_dt(x) || is_float_dt(y) ? SN_F64 : SN_I64;
    return true;
  }
  if (a->weak || b->weak) {
    Val *w = a->weak ? a : b, *c = a->weak ? b : a;
    if (is_float_dt(w->dt) && is_int_dt(c->dt)) *out = INT_FLOAT_DT;
    else *out = c->dt;
    return true;
  }
  if (x == y) {
    *out = x;
  } else if (is_float_dt(x) && is_float_dt(y)) {
    int rx = float_rank(x), ry = float_rank(y);
    *out = rx == ry ? SN_F32 : rx > ry ? x : y; /* f16 with bf16 meets in f32 */
  } else if (is_int_dt(x) && is_int_dt(y)) {
    *out = int_rank(x) >= int_rank(y) ? x : y;
    if ((x == SN_U8 && y == SN_I8) || (x == SN_I8 && y == SN_U8)) *out = SN_I32;
  } else {
    *out = is_float_dt(x) ? x : y;
  }
  return true;
}

/* --- scalar operations ------------------------------------------------------------------------ */

static IrValue *cval(Sema *s, SnDtype dt, double v) {
  SnDtype ct = compute_dtype(dt);
  if (is_float_dt(ct)) return ir_const_f(&s->b, ct, v);
  if (ct == SN_BOOL) return ir_const_bool(&s->b, v != 0);
  return ir_const(&s->b, ir_scalar(ct), 0, (int64_t)v);
}

/* Floor modulo for floats: the sign follows the divisor, as in Python and NumPy. */
static IrValue *float_mod(Sema *s, IrValue *a, IrValue *b, SnDtype ct) {
  IrValue *r = ir_bin(&s->b, BIN_REM, a, b);
  IrValue *zero = ir_const_f(&s->b, ct, 0);
  IrValue *rneg = ir_cmp(&s->b, CMP_LT, r, zero), *bneg = ir_cmp(&s->b, CMP_LT, b, zero);
  IrValue *nz = ir_cmp(&s->b, CMP_NE, r, zero);
  IrValue *differ = ir_cmp(&s->b, CMP_NE, rneg, bneg);
  IrValue *fix = ir_bin(&s->b, BIN_AND, nz, differ);
  return ir_select(&s->b, fix, ir_bin(&s->b, BIN_ADD, r, b), r);
}

static void check_nonzero_divisor(Sema *s, IrValue *b, SnDtype ct, Span span) {
  int64_t c;
  if (ir_is_const_int(b, &c) && c != 0) return;
  IrValue *nz = ir_cmp(&s->b, CMP_NE, b, ir_const(&s->b, ir_scalar(ct), 0, 0));
  IrBuilder save = s->b;
  s->b.span = span;
  ir_check(&s->b, CHECK_TRUE, 1, &nz, "integer division by zero");
  s->b = save;
}

/* x ^ y with a small whole exponent as multiplications (exact for 2), otherwise pow; y is yv
 * in the operation's type. */
static IrValue *float_pow(Sema *s, IrValue *x, Val *yv, IrValue *y, SnDtype ct) {
  int64_t e;
  if (yv->weak && !is_float_dt(yv->dt) && ir_is_const_int(yv->ir, &e) && e >= -2 && e <= 4) {
    if (e == 0) return ir_const_f(&s->b, ct, 1.0);
    IrValue *r = x;
    for (int64_t k = 1; k < (e < 0 ? -e : e); k++) r = ir_bin(&s->b, BIN_MUL, r, x);
    return e < 0 ? ir_bin(&s->b, BIN_DIV, ir_const_f(&s->b, ct, 1.0), r) : r;
  }
  if (yv->weak && yv->ir->def && yv->ir->def->op == IR_CONST && is_float_dt(yv->dt) && yv->ir->def->imm.f == 0.5)
    return ir_math(&s->b, MF_SQRT, x, NULL);
  return ir_math(&s->b, MF_POW, x, y);
}

Val *scalar_binop(Sema *s, Op op, Val *a, Val *b, Span span) {
  SnDtype dt;
  bool weak;
  if (op == OP_AND || op == OP_OR) {
    if (a->dt != SN_BOOL || b->dt != SN_BOOL) {
      Diag *g = diag_error(s->diags, span, "`%s` needs bool operands, not %s and %s", op_name(op),
                           val_type_str(s, a), val_type_str(s, b));
      diag_hint(s->diags, g, "compare first, e.g. `x > 0 %s y > 0`", op_name(op));
      return ERR;
    }
    return scalar_val(s, SN_BOOL, false, ir_bin(&s->b, op == OP_AND ? BIN_AND : BIN_OR, a->ir, b->ir));
  }
  if (!promote(s, a, b, &dt, &weak, span, op_name(op))) return ERR;
  bool cmp = op >= OP_EQ && op <= OP_GE;
  if (dt == SN_BOOL && !(op == OP_EQ || op == OP_NE)) {
    Diag *g = diag_error(s->diags, span, "`%s` is not defined on bool values", op_name(op));
    diag_hint(s->diags, g, "use `and`, `or` and `not` for logic, or convert with i64(b)");
    return ERR;
  }
  /* true division of integers gives a float, as in Python and NumPy */
  if (op == OP_DIV && !is_float_dt(dt)) dt = INT_FLOAT_DT;
  SnDtype ct = compute_dtype(dt);
  IrValue *x = cast_val(s, a, dt, span)->ir, *y = cast_val(s, b, dt, span)->ir;
  IrValue *r;
  if (cmp) {
    static const IrCmp cmps[] = {[OP_EQ] = CMP_EQ, [OP_NE] = CMP_NE, [OP_LT] = CMP_LT,
                                 [OP_LE] = CMP_LE, [OP_GT] = CMP_GT, [OP_GE] = CMP_GE};
    return scalar_val(s, SN_BOOL, false, ir_cmp(&s->b, cmps[op], x, y));
  }
  switch (op) {
  case OP_ADD: r = ir_bin(&s->b, BIN_ADD, x, y); break;
  case OP_SUB: r = ir_bin(&s->b, BIN_SUB, x, y); break;
  case OP_MUL: r = ir_bin(&s->b, BIN_MUL, x, y); break;
  case OP_DIV: r = ir_bin(&s->b, BIN_DIV, x, y); break;
  case OP_MOD:
    if (is_float_dt(ct)) {
      r = float_mod(s, x, y, ct);
    } else {
      check_nonzero_divisor(s, y, ct, span);
      r = ir_bin(&s->b, BIN_REM, x, y);
    }
    break;
  case OP_POW:
    if (is_float_dt(ct)) {
      r = float_pow(s, x, b, y, ct);
    } else {
      int64_t e;
      if (!(ir_is_const_int(y, &e) && e >= 0)) {
        IrValue *ok = ir_cmp(&s->b, CMP_GE, y, ir_const(&s->b, ir_scalar(ct), 0, 0));
        IrBuilder save = s->b;
        s->b.span = span;
        ir_check(&s->b, CHECK_TRUE, 1, &ok, "negative exponent of an integer power (convert the base to a float)");
        s->b = save;
      }
      r = ir_bin(&s->b, BIN_POW, x, y);
    }
    break;
  default: die("scalar_binop: operator %d", op);
  }
  return scalar_val(s, dt, weak, round_to(s, r, dt));
}

/* --- lifting scalar operations over tensors ----------------------------------------------------- */

typedef struct LiftCtx {
  int n;
  Val **args;
  int rank;
  Dim *dims;
  ScalarFn fn;
  void *ctx;       /* fn's context; for a cast (fn == NULL), non-NULL when it is explicit */
  SnDtype cast_to; /* fn == NULL: a cast */
} LiftCtx;

Val *elem_of(Sema *s, Val *t, IrValue **idx) {
  IrValue *e = ir_elem(&s->b, t->ir, t->rank, idx);
  return scalar_val(s, t->dt, t->weak, e);
}

static Val *lift_body(Sema *s, Val **indices, Span span, void *vctx) {
  LiftCtx *c = vctx;
  Val *elems[8];
  for (int k = 0; k < c->n; k++) {
    Val *a = c->args[k];
    if (a->kind != V_TENSOR) {
      elems[k] = a;
      continue;
    }
    IrValue *idx[SN_MAX_RANK];
    int off = c->rank - a->rank;
    for (int d = 0; d < a->rank; d++) {
      bool bcast = !a->dims[d].sym && a->dims[d].c == 1 && !dims_equal(c->dims[off + d], dim_const(1));
      idx[d] = bcast ? const_at_entry(s, 0) : indices[off + d]->ir;
    }
    elems[k] = elem_of(s, a, idx);
  }
  if (!c->fn) return convert_val(s, elems[0], c->cast_to, span, c->ctx != NULL);
  return c->fn(s, elems, span, c->ctx);
}

typedef struct ComprCtx {
  ScalarFn fn;
  void *ctx;
} ComprCtx;

/* Opens a comprehension over dims with elements of type dt: emits it, gives its indices in idx
 * and points the builder into its region. The caller builds the element, yields it and restores
 * the builder from *save. */
static IrInst *compr_open(Sema *s, SnDtype dt, int rank, const Dim *dims, Span span, IrBuilder *save, Val **idx) {
  IrValue *ext[SN_MAX_RANK];
  for (int d = 0; d < rank; d++) ext[d] = dim_value(s, dims[d]);
  IrType tt = ir_tensor(dt, rank);
  *save = s->b;
  s->b.span = span;
  IrInst *c = ir_emit(&s->b, IR_COMPR, rank, ext, 1, &tt, 1);
  for (int d = 0; d < rank; d++) idx[d] = scalar_val(s, SN_I64, false, ir_block_arg(s->fn, c->regions[0], ir_i64));
  s->b.block = c->regions[0];
  s->b.before = NULL;
  return c;
}

/* A lazy tensor whose element at (i, j, ...) is body(i, j, ...). */
Val *make_compr(Sema *s, SnDtype dt, int rank, const Dim *dims, ScalarFn body, void *ctx, Span span) {
  IrBuilder save;
  Val *idx[SN_MAX_RANK];
  IrInst *c = compr_open(s, dt, rank, dims, span, &save, idx);
  Val *e = body(s, idx, span, ctx);
  SnDtype rdt = dt;
  if (e->kind == V_SCALAR) {
    IrValue *y = ir_cast(&s->b, e->ir, ir_scalar(compute_dtype(rdt)));
    ir_yield(&s->b, 1, &y);
  } else {
    /* an error was reported inside: keep the region well formed */
    IrValue *z = cval(s, rdt, 0);
    ir_yield(&s->b, 1, &z);
  }
  s->b = save;
  if (e->kind == V_ERROR) return ERR;
  return tensor_val(s, rdt, rank, dims, c->res[0]);
}

/* Applies fn elementwise over the broadcast shape of args (NumPy's rules: shapes align at the
 * right and a dimension of size 1 stretches). All-scalar arguments apply fn directly. `hint` is
 * the element dtype of the result when fn is NULL (a cast). */
Val *lift(Sema *s, int n, Val **args, ScalarFn fn, void *ctx, SnDtype hint, Span span) {
  int rank = 0;
  for (int k = 0; k < n; k++) {
    if (args[k]->kind == V_ERROR) return ERR;
    if (args[k]->kind == V_TENSOR && args[k]->rank > rank) rank = args[k]->rank;
  }
  if (rank == 0 && !(n == 1 && args[0]->kind == V_TENSOR)) {
    if (!fn) return convert_val(s, args[0], hint, span, ctx != NULL);
    return fn(s, args, span, ctx);
  }
  Dim dims[SN_MAX_RANK];
  int from[SN_MAX_RANK];
  for (int d = 0; d < rank; d++) {
    dims[d] = dim_const(1);
    from[d] = -1;
  }
  for (int k = 0; k < n; k++) {
    Val *a = args[k];
    if (a->kind != V_TENSOR) continue;
    int off = rank - a->rank;
    for (int d = 0; d < a->rank; d++) {
      Dim ad = a->dims[d], *rd = &dims[off + d];
      if (!ad.sym && ad.c == 1) continue;
      if (!rd->sym && rd->c == 1) {
        *rd = ad;
        from[off + d] = k;
        continue;
      }
      if (dims_equal(*rd, ad)) continue;
      Val *other = args[from[off + d]];
      if (!rd->sym && !ad.sym) {
        Diag *g = diag_error(s->diags, span, "shape mismatch: %s and %s cannot broadcast together",
                             val_type_str(s, other), val_type_str(s, a));
        diag_hint(s->diags, g, "dimension %d is %lld in one and %lld in the other; sizes must be equal or 1",
                  off + d, (long long)rd->c, (long long)ad.c);
        return ERR;
      }
      const char *what = arena_printf(s->arena, "shapes %s and %s do not match in dimension %d",
                                      val_type_str(s, other), val_type_str(s, a), off + d);
      check_dims_match(s, *rd, ad, span, what);
      if (rd->sym && !ad.sym) *rd = ad; /* the constant is the more useful name */
    }
  }
  /* the element dtype: evaluate fn once on placeholder elements would be costly; instead the
   * body's result decides it (make_compr takes the yield's dtype) */
  LiftCtx lc = {n, args, rank, dims, fn, ctx, hint};
  IrBuilder save;
  Val *idx[SN_MAX_RANK];
  IrInst *c = compr_open(s, SN_F32, rank, dims, span, &save, idx);
  Val *e = lift_body(s, idx, span, &lc);
  bool weak = true;
  for (int k = 0; k < n; k++) weak &= args[k]->weak;
  if (e->kind != V_SCALAR) {
    IrValue *z = ir_const_f(&s->b, SN_F32, 0);
    ir_yield(&s->b, 1, &z);
    s->b = save;
    if (e->kind != V_ERROR) {
      diag_error(s->diags, span, "an elementwise operation must give a number, not %s", val_type_str(s, e));
    }
    return ERR;
  }
  ir_yield(&s->b, 1, &e->ir);
  s->b = save;
  c->res[0]->type = ir_tensor(e->dt, rank);
  Val *r = tensor_val(s, e->dt, rank, dims, c->res[0]);
  r->weak = weak && e->weak;
  return r;
}

static Val *binop_fn(Sema *s, Val **args, Span span, void *ctx) {
  return scalar_binop(s, (Op)(intptr_t)ctx, args[0], args[1], span);
}

static Val *matmul(Sema *s, Val *a, Val *b, Span span);

/* The text of a string known when the program is compiled (a literal, or literals joined by
 * `+`), or NULL for one computed at run time (a program argument). */
const char *const_str(const Val *v) {
  return v->kind == V_STR && v->ir->def && v->ir->def->op == IR_STRING ? v->ir->def->str : NULL;
}

Val *binop(Sema *s, Op op, Val *a, Val *b, Span span) {
  if (a->kind == V_ERROR || b->kind == V_ERROR) return ERR;
  if (op == OP_MATMUL) return matmul(s, a, b, span);
  if (op == OP_ADD && a->kind == V_STR && b->kind == V_STR) {
    if (!const_str(a) || !const_str(b)) {
      Diag *g = diag_error(s->diags, span, "`+` joins strings known when the program is compiled, not program arguments");
      diag_hint(s->diags, g, "join the parts before passing them, e.g. --path=dir/file.npy");
      return ERR;
    }
    Val *r = val_new(s, V_STR);
    r->ir = ir_string(&s->b, arena_printf(s->fn->arena, "%s%s", const_str(a), const_str(b)));
    return r;
  }
  if ((a->kind != V_SCALAR && a->kind != V_TENSOR) || (b->kind != V_SCALAR && b->kind != V_TENSOR)) {
    Val *bad = a->kind != V_SCALAR && a->kind != V_TENSOR ? a : b;
    Diag *g = diag_error(s->diags, span, "`%s` needs numbers or tensors, not %s", op_name(op), val_type_str(s, bad));
    if (bad->kind == V_RECORD) diag_hint(s->diags, g, "pick a field of the record, e.g. `r.%s`", bad->rec->n ? bad->rec->names[0] : "x");
    return ERR;
  }
  Val *args[2] = {a, b};
  return lift(s, 2, args, binop_fn, (void *)(intptr_t)op, SN_F32, span);
}

static Val *matmul(Sema *s, Val *a, Val *b, Span span) {
  if (a->kind != V_TENSOR || b->kind != V_TENSOR || a->rank < 1 || a->rank > 2 || b->rank < 1 || b->rank > 2) {
    Diag *g = diag_error(s->diags, span, "`@` multiplies vectors and matrices, not %s and %s", val_type_str(s, a),
                         val_type_str(s, b));
    diag_hint(s->diags, g, "use `*` to multiply by a scalar");
    return ERR;
  }
  SnDtype dt;
  bool weak;
  if (!promote(s, a, b, &dt, &weak, span, "@")) return ERR;
  if (dt == SN_BOOL) {
    Diag *g = diag_error(s->diags, span, "`@` multiplies numbers, not bool values");
    diag_hint(s->diags, g, "convert first, e.g. i64(x) @ i64(y)");
    return ERR;
  }
  if (weak) dt = is_float_dt(dt) ? SN_F64 : SN_I64;
  Dim k1 = a->dims[a->rank - 1], k2 = b->dims[0];
  if (!dims_equal(k1, k2) && !k1.sym && !k2.sym) {
    Diag *g = diag_error(s->diags, span, "shape mismatch in `@`: %s @ %s", val_type_str(s, a), val_type_str(s, b));
    diag_hint(s->diags, g, "the last dimension of the left (%s) must equal the first of the right (%s)",
              dim_str(s, k1), dim_str(s, k2));
    return ERR;
  }
  check_dims_match(s, k1, k2, span,
                   arena_printf(s->arena, "inner sizes of %s @ %s", val_type_str(s, a), val_type_str(s, b)));
  a = cast_val(s, a, dt, span);
  b = cast_val(s, b, dt, span);
  Dim dims[2];
  int rank = 0;
  if (a->rank == 2) dims[rank++] = a->dims[0];
  if (b->rank == 2) dims[rank++] = b->dims[1];
  IrValue *ops[2] = {a->ir, b->ir};
  IrBuilder save = s->b;
  s->b.span = span;
  IrValue *r = ir_call(&s->b, RT_MATMUL, 2, ops);
  s->b = save;
  r->type = ir_tensor(dt, rank);
  if (rank == 0) {
    IrValue *e = ir_elem(&s->b, r, 0, NULL);
    return scalar_val(s, dt, false, e);
  }
  return tensor_val(s, dt, rank, dims, r);
}

/* --- unary operations --------------------------------------------------------------------------- */

static Val *neg_fn(Sema *s, Val **args, Span span, void *ctx) {
  (void)ctx;
  Val *a = args[0];
  if (a->dt == SN_BOOL) {
    Diag *g = diag_error(s->diags, span, "cannot negate a bool");
    diag_hint(s->diags, g, "write `not b`");
    return ERR;
  }
  return scalar_val(s, a->dt, a->weak, ir_neg(&s->b, a->ir));
}

static Val *not_fn(Sema *s, Val **args, Span span, void *ctx) {
  (void)ctx;
  if (args[0]->dt != SN_BOOL) {
    Diag *g = diag_error(s->diags, span, "`not` needs a bool, not %s", val_type_str(s, args[0]));
    diag_hint(s->diags, g, "compare first, e.g. `not (x > 0)`");
    return ERR;
  }
  return scalar_val(s, SN_BOOL, false, ir_not(&s->b, args[0]->ir));
}

typedef struct MathCtx {
  IrMathFn fn;
} MathCtx;

static Val *math_fn(Sema *s, Val **args, Span span, void *vctx) {
  MathCtx *c = vctx;
  Val *x = args[0];
  if (x->dt == SN_BOOL) {
    diag_error(s->diags, span, "%s of a bool", ir_math_name(c->fn));
    return ERR;
  }
  SnDtype dt = x->dt;
  if (c->fn == MF_ABS && !is_float_dt(dt)) {
    IrValue *neg = ir_cmp(&s->b, CMP_LT, x->ir, ir_const(&s->b, ir_scalar(dt), 0, 0));
    return scalar_val(s, dt, x->weak, ir_select(&s->b, neg, ir_neg(&s->b, x->ir), x->ir));
  }
  if ((c->fn == MF_FLOOR || c->fn == MF_CEIL || c->fn == MF_ROUND) && !is_float_dt(dt)) return x;
  if (!is_float_dt(dt)) dt = INT_FLOAT_DT;
  IrValue *xv = ir_cast(&s->b, x->ir, ir_scalar(compute_dtype(dt)));
  IrValue *r = ir_math(&s->b, c->fn, xv, NULL);
  if (c->fn == MF_ISNAN) return scalar_val(s, SN_BOOL, false, r);
  return scalar_val(s, dt, x->weak, round_to(s, r, dt));
}

Val *math1(Sema *s, IrMathFn fn, Val *x, Span span) {
  MathCtx c = {fn};
  Val *args[1] = {x};
  if (x->kind != V_SCALAR && x->kind != V_TENSOR) {
    if (x->kind != V_ERROR)
      diag_error(s->diags, span, "%s needs a number or a tensor, not %s", ir_math_name(fn), val_type_str(s, x));
    return ERR;
  }
  return lift(s, 1, args, math_fn, &c, SN_F32, span);
}

/* --- subscripts --------------------------------------------------------------------------------- */

static IndexVar *index_var_of(Sema *s, Node *n) {
  if (n->kind != A_NAME) return NULL;
  Binding *b = lookup(s, n->name);
  return b && b->kind == B_INDEX ? b->index : NULL;
}

/* A subscript that is not a bare index variable: an integer value, checked against the size. */
static IrValue *subscript_value(Sema *s, Node *n, Val *base, int axis) {
  Val *v = expr(s, n);
  if (v->kind == V_ERROR) return NULL;
  if (v->kind != V_SCALAR || !is_int_dt(v->dt)) {
    Diag *g = diag_error(s->diags, n->span, "a subscript must be an integer, not %s", val_type_str(s, v));
    if (v->kind == V_SCALAR && is_float_dt(v->dt)) diag_hint(s->diags, g, "convert with i64(...)");
    if (v->kind == V_TENSOR) diag_hint(s->diags, g, "index with one element at a time: x[idx[i]]");
    return NULL;
  }
  IrValue *iv = ir_cast(&s->b, v->ir, ir_i64);
  Dim d = base->dims[axis];
  int64_t c;
  if (ir_is_const_int(iv, &c)) {
    if (c < 0 && !d.sym) c += d.c; /* x[-1] is the last element, as in Python */
    else if (c < 0) {
      IrValue *ext = dim_value(s, d);
      iv = ir_bin(&s->b, BIN_ADD, iv, ext);
      goto runtime_check;
    }
    if (!d.sym) {
      if (c < 0 || c >= d.c) {
        Diag *g = diag_error(s->diags, n->span, "index %lld is out of range for dimension %d of %s",
                             (long long)(ir_is_const_int(iv, &c) ? c : 0), axis, val_type_str(s, base));
        diag_hint(s->diags, g, "valid indices are 0 to %lld (or -1 to -%lld from the end)", (long long)d.c - 1,
                  (long long)d.c);
        return NULL;
      }
      return ir_const_i64(&s->b, c);
    }
  }
runtime_check:;
  IrValue *ops[2] = {iv, dim_value(s, d)};
  IrBuilder save = s->b;
  s->b.span = n->span;
  ir_check(&s->b, CHECK_INDEX, 2, ops,
           arena_printf(s->arena, "%s (dimension %d of %s)", src_text(s, n->span), axis, val_type_str(s, base)));
  s->b = save;
  return iv;
}

/* A slice bound: Python's rules, negative counts from the end, clamped to [0, size]. */
static IrValue *slice_bound(Sema *s, Node *n, IrValue *ext, bool is_end) {
  if (!n) return is_end ? ext : const_at_entry(s, 0);
  Val *v = expr(s, n);
  if (v->kind == V_ERROR) return NULL;
  if (v->kind != V_SCALAR || !is_int_dt(v->dt)) {
    diag_error(s->diags, n->span, "a slice bound must be an integer, not %s", val_type_str(s, v));
    return NULL;
  }
  IrValue *x = ir_cast(&s->b, v->ir, ir_i64);
  IrValue *zero = const_at_entry(s, 0);
  IrValue *neg = ir_cmp(&s->b, CMP_LT, x, zero);
  x = ir_select(&s->b, neg, ir_bin(&s->b, BIN_ADD, x, ext), x);
  x = ir_bin(&s->b, BIN_MAX, x, zero);
  return ir_bin(&s->b, BIN_MIN, x, ext);
}

typedef struct ViewCtx {
  Val *base;
  int nsub;
  IrValue *fixed[SN_MAX_RANK]; /* per base axis: a fixed index, or NULL for a free axis */
  IrValue *start[SN_MAX_RANK]; /* per base axis: the slice start (free axes) */
} ViewCtx;

static Val *view_body(Sema *s, Val **indices, Span span, void *vctx) {
  (void)span;
  ViewCtx *c = vctx;
  IrValue *idx[SN_MAX_RANK];
  int k = 0;
  for (int d = 0; d < c->base->rank; d++) {
    if (c->fixed[d]) idx[d] = c->fixed[d];
    else idx[d] = ir_bin(&s->b, BIN_ADD, indices[k++]->ir, c->start[d]);
  }
  return elem_of(s, c->base, idx);
}

/* A field of v, or NULL if v is not a record or has no such field. */
static Val *record_get(const Val *v, const char *field) {
  for (int i = 0; v->kind == V_RECORD && i < v->rec->n; i++)
    if (strcmp(v->rec->names[i], field) == 0) return v->rec->vals[i];
  return NULL;
}

/* r["name"]: a record's field by its name, for names that are not identifiers
 * (safetensors names such as "layers.0.weight"). */
static Val *record_field(Sema *s, Val *r, const char *name, Span span) {
  Val *v = record_get(r, name);
  if (v) return v;
  Diag *g = diag_error(s->diags, span, "no field \"%s\" in the record", name);
  const char *best = NULL;
  int bestd = 4;
  for (int i = 0; i < r->rec->n; i++) {
    int d = edit_distance(name, r->rec->names[i], 3);
    if (d < bestd) best = r->rec->names[i], bestd = d;
  }
  if (best) diag_hint(s->diags, g, "did you mean \"%s\"?", best);
  return ERR;
}

static Node *index_name(Node *nm);

/* `sum(i < 3) [1.0, 2.0][i]` parses as sum(i < 3) subscripted, since a subscript binds tighter
 * than a reduction's body: when the call's arguments are new index names, say so, instead of
 * "unknown name `i`". */
static bool subscripted_reduction(Sema *s, Node *n) {
  Node *call = n->a;
  if (call->kind != A_CALL || call->list.n == 0) return false;
  bool reduction = red_lookup(call->name, strlen(call->name)) >= 0;
  Binding *fb = lookup(s, call->name);
  if (!reduction || (fb && fb->kind == B_FN)) return false;
  Buf idx = {0};
  for (int i = 0; i < call->list.n; i++) {
    Node *nm = index_name(call->list.items[i]);
    if (!nm || lookup(s, nm->name)) {
      buf_free(&idx);
      return false;
    }
    buf_printf(&idx, "%s%s", i ? ", " : "", nm->name);
  }
  const char *head = src_text(s, call->span), *sub = src_text(s, (Span){n->span.src, call->span.hi, n->span.hi});
  while (*sub == ' ') sub++;
  Diag *g = diag_error(s->diags, n->span, "`%s` is subscripted by %s: a reduction's body cannot start with `[`", head, sub);
  diag_hint(s->diags, g, "put the body in parentheses, %s (%s[%s]), or name the tensor first: let v = %s, then %s v[%s]",
            head, sub, idx.data, sub, head, idx.data);
  buf_free(&idx);
  return true;
}

static Val *index_expr(Sema *s, Node *n) {
  if (subscripted_reduction(s, n)) return ERR;
  Val *base = expr(s, n->a);
  if (base->kind == V_ERROR) return ERR;
  if (base->kind == V_RECORD && n->list.n == 1 && ((Node *)n->list.items[0])->kind == A_STR)
    return record_field(s, base, ((Node *)n->list.items[0])->str, ((Node *)n->list.items[0])->span);
  if (base->kind != V_TENSOR) {
    Diag *g = diag_error(s->diags, n->a->span, "cannot subscript %s: it is not a tensor", val_type_str(s, base));
    if (base->kind == V_RECORD) diag_hint(s->diags, g, "fields of a record are read with `.`: r.name");
    return ERR;
  }
  int nsub = n->list.n;
  if (nsub > base->rank) {
    Diag *g = diag_error(s->diags, n->span, "too many subscripts: %s has %d dimension%s but %d subscripts are given",
                         val_type_str(s, base), base->rank, base->rank == 1 ? "" : "s", nsub);
    diag_hint(s->diags, g, "write x[i, j] for an element of a matrix");
    return ERR;
  }
  ViewCtx vc = {.base = base, .nsub = nsub};
  bool all_scalar = nsub == base->rank;
  int rank = 0;
  Dim dims[SN_MAX_RANK];
  for (int d = 0; d < base->rank; d++) {
    Node *sub = d < nsub ? n->list.items[d] : NULL;
    if (!sub) {
      vc.start[d] = const_at_entry(s, 0);
      dims[rank++] = base->dims[d];
      continue;
    }
    if (sub->kind == A_SLICE) {
      all_scalar = false;
      IrValue *ext = dim_value(s, base->dims[d]);
      IrValue *lo = slice_bound(s, sub->a, ext, false), *hi = slice_bound(s, sub->b, ext, true);
      if (!lo || !hi) return ERR;
      vc.start[d] = lo;
      if (!sub->a && !sub->b) {
        dims[rank++] = base->dims[d];
      } else {
        IrValue *len = ir_bin(&s->b, BIN_MAX, ir_bin(&s->b, BIN_SUB, hi, lo), const_at_entry(s, 0));
        dims[rank++] = dim_of_value(s, len, src_text(s, sub->span));
      }
      continue;
    }
    IndexVar *iv = index_var_of(s, sub);
    if (iv) {
      Binding *b = lookup(s, sub->name);
      b->used = true;
      Constraint *c = NEW(s->arena, Constraint);
      c->dim = base->dims[d];
      c->span = sub->span;
      c->what = arena_printf(s->arena, "dimension %d of %s", d, src_text(s, n->a->span));
      vec_push(s->arena, &iv->constraints, c);
      vc.fixed[d] = iv->iv;
      continue;
    }
    IrValue *v = subscript_value(s, sub, base, d);
    if (!v) return ERR;
    vc.fixed[d] = v;
  }
  if (all_scalar) return elem_of(s, base, vc.fixed);
  return make_compr(s, base->dt, rank, dims, view_body, &vc, n->span);
}

/* --- comprehensions and reductions -------------------------------------------------------------- */

/* Is v computed outside the region owned by `owner`? */
static bool defined_outside(IrValue *v, IrInst *owner) {
  v = ir_val(v);
  IrBlock *b = v->def ? v->def->parent : v->block;
  while (b) {
    if (b->parent == owner) return false;
    b = b->parent ? b->parent->parent : NULL;
  }
  return true;
}

/* Decides each index's range from its constraints and sets them as the extents (operands) of
 * `owner`, a COMPR or REDUCE. Returns false after reporting an error. */
static bool infer_ranges(Sema *s, IrInst *owner, int n, IndexVar **vars, Dim *out, Span span) {
  IrValue **ext = arena_alloc(s->fn->arena, (size_t)(n ? n : 1) * sizeof *ext);
  IrBuilder save = s->b;
  s->b.block = owner->parent;
  s->b.before = owner;
  bool ok = true;
  for (int k = 0; k < n; k++) {
    IndexVar *iv = vars[k];
    if (iv->constraints.n == 0) {
      Diag *g = diag_error(s->diags, iv->span, "cannot infer the range of index `%s`", iv->name);
      diag_hint(s->diags, g, "give it one, `%s < n`, or use `%s` directly as a subscript of a tensor, e.g. x[%s]",
                iv->name, iv->name, iv->name);
      ok = false;
      continue;
    }
    Constraint *first = iv->constraints.items[0];
    Dim chosen = first->dim;
    for (int i = 1; i < iv->constraints.n; i++) {
      Constraint *c = iv->constraints.items[i];
      if (dims_equal(chosen, c->dim)) continue;
      if (first->explicit_range) {
        /* i < n may index a larger dimension: it must only not pass its end */
        if (!chosen.sym && !c->dim.sym) {
          if (chosen.c <= c->dim.c) continue;
          Diag *g = diag_error(s->diags, c->span, "index `%s` goes up to %lld, past the end of %s (size %lld)", iv->name,
                               (long long)chosen.c - 1, c->what, (long long)c->dim.c);
          diag_note(s->diags, g, first->span, "the range of `%s`", iv->name);
          ok = false;
          continue;
        }
        IrValue *fits = ir_cmp(&s->b, CMP_LE, dim_value(s, chosen), dim_value(s, c->dim));
        s->b.span = c->span;
        ir_check(&s->b, CHECK_TRUE, 1, &fits,
                 arena_printf(s->fn->arena, "index %s (%s) runs past the end of %s", iv->name, first->what, c->what));
        continue;
      }
      if (!chosen.sym && !c->dim.sym) {
        Diag *g = diag_error(s->diags, c->span, "index `%s` ranges over %lld here but over %lld at its first use",
                             iv->name, (long long)c->dim.c, (long long)chosen.c);
        diag_hint(s->diags, g, "%s has size %lld, %s has size %lld", c->what, (long long)c->dim.c, first->what,
                  (long long)chosen.c);
        diag_note(s->diags, g, first->span, "first use of `%s`", iv->name);
        ok = false;
        continue;
      }
      s->b.span = c->span;
      check_dims_match(s, chosen, c->dim, c->span,
                       arena_printf(s->arena, "index %s runs over %s and %s", iv->name, first->what, c->what));
      if (chosen.sym && !c->dim.sym) chosen = c->dim;
    }
    if (chosen.sym && !defined_outside(chosen.sym->v, owner)) {
      Diag *g = diag_error(s->diags, iv->span, "the range of index `%s` depends on values computed inside its own body", iv->name);
      diag_hint(s->diags, g, "compute the tensor it indexes before the comprehension, with `let`");
      ok = false;
      continue;
    }
    out[k] = chosen;
    ext[k] = dim_value(s, chosen);
  }
  s->b = save;
  if (!ok) return false;
  owner->ops = ext;
  owner->nops = n;
  (void)span;
  return true;
}

static Node *index_name(Node *nm) {
  if (nm->kind == A_NAME) return nm;
  if (nm->kind == A_BINARY && nm->op == OP_LT && nm->a->kind == A_NAME) return nm->a;
  return NULL;
}

/* The explicit ranges of indices written `i < n`, evaluated before the comprehension or
 * reduction so they are computed once, outside it. has[k] tells whether index k has one. */
static bool explicit_ranges(Sema *s, PtrVec *names, Dim *dims, bool *has) {
  for (int k = 0; k < names->n; k++) {
    Node *nm = names->items[k];
    has[k] = nm->kind == A_BINARY && nm->op == OP_LT;
    if (!has[k]) continue;
    Val *v = expr(s, nm->b);
    if (v->kind == V_ERROR) return false;
    if (v->kind != V_SCALAR || !is_int_dt(v->dt)) {
      Diag *g = diag_error(s->diags, nm->b->span, "the range of index `%s` must be an integer, not %s", nm->a->name,
                           val_type_str(s, v));
      diag_hint(s->diags, g, "write `%s < n` for the indices 0, 1, ..., n-1", nm->a->name);
      return false;
    }
    IrValue *x = ir_bin(&s->b, BIN_MAX, ir_cast(&s->b, v->ir, ir_i64), ir_const_i64(&s->b, 0));
    dims[k] = dim_of_value(s, x, src_text(s, nm->b->span));
  }
  return true;
}

/* Declares the indices of a comprehension or reduction in a new scope, as arguments of region;
 * an explicit range becomes the index's first constraint. */
static bool declare_indices(Sema *s, PtrVec *names, IrBlock *region, IndexVar **vars, const Dim *ranges,
                            const bool *has) {
  for (int k = 0; k < names->n; k++) {
    Node *nm = index_name(names->items[k]);
    if (!nm) {
      Node *bad = names->items[k];
      Diag *g = diag_error(s->diags, bad->span, "a reduction's indices must be new names");
      diag_hint(s->diags, g, "write e.g. sum(k) x[i, k] or sum(k < n) ...; to reduce a whole tensor write sum(x)");
      return false;
    }
    for (int j = 0; j < k; j++)
      if (strcmp(index_name(names->items[j])->name, nm->name) == 0) {
        diag_error(s->diags, nm->span, "index `%s` is declared twice", nm->name);
        return false;
      }
    IndexVar *iv = NEW(s->arena, IndexVar);
    iv->name = nm->name;
    iv->span = nm->span;
    iv->iv = ir_block_arg(s->fn, region, ir_i64);
    iv->iv->name = nm->name;
    if (has && has[k]) {
      Constraint *c = NEW(s->arena, Constraint);
      c->dim = ranges[k];
      c->span = ((Node *)names->items[k])->span;
      c->what = arena_printf(s->arena, "the range %s", src_text(s, c->span));
      c->explicit_range = true;
      vec_push(s->arena, &iv->constraints, c);
    }
    Binding *b = bind(s, nm->name, B_INDEX, nm->span);
    b->index = iv;
    vars[k] = iv;
  }
  return true;
}

/* let NAME[i, j, ...] = body, or the state update `x[i, j] = body` of an iterate body, where
 * `target` is the state: its dimensions are the indices' ranges, as if x[i, j] were read. */
static Val *comprehension(Sema *s, PtrVec *names, Node *body, Span span, const Binding *target) {
  int rank = names->n;
  if (rank > SN_MAX_RANK) {
    diag_error(s->diags, span, "a tensor has at most %d dimensions", SN_MAX_RANK);
    return ERR;
  }
  Dim ranges[SN_MAX_RANK];
  bool has[SN_MAX_RANK];
  if (!explicit_ranges(s, names, ranges, has)) return ERR;
  IrType tt = ir_tensor(SN_F32, rank);
  IrBuilder save = s->b;
  s->b.span = span;
  IrInst *c = ir_emit(&s->b, IR_COMPR, 0, NULL, 1, &tt, 1);
  IrBlock *region = c->regions[0];
  IndexVar *vars[SN_MAX_RANK];
  push_scope(s);
  bool ok = declare_indices(s, names, region, vars, ranges, has);
  const Val *tv = target ? target->val : NULL;
  for (int k = 0; ok && tv && tv->kind == V_TENSOR && k < rank && k < tv->rank; k++) {
    Constraint *c = NEW(s->arena, Constraint);
    c->dim = tv->dims[k];
    c->span = index_name(names->items[k])->span;
    c->what = arena_printf(s->arena, "dimension %d of %s", k, target->name);
    vec_push(s->arena, &vars[k]->constraints, c);
  }
  s->b.block = region;
  s->b.before = NULL;
  Val *e = ok ? expr(s, body) : ERR;
  pop_scope(s);
  if (e->kind == V_TENSOR) {
    Diag *g = diag_error(s->diags, body->span, "the body of a comprehension must be a number, not %s", val_type_str(s, e));
    diag_hint(s->diags, g, "subscript every dimension, e.g. x[i, k] rather than x[i]");
    e = ERR;
  } else if (e->kind != V_SCALAR && e->kind != V_ERROR) {
    diag_error(s->diags, body->span, "the body of a comprehension must be a number, not %s", val_type_str(s, e));
    e = ERR;
  }
  IrValue *y = e->kind == V_SCALAR ? e->ir : ir_const_f(&s->b, SN_F32, 0);
  ir_yield(&s->b, 1, &y);
  s->b = save;
  Dim dims[SN_MAX_RANK];
  if (!ok || e->kind == V_ERROR) return ERR;
  if (!infer_ranges(s, c, rank, vars, dims, span)) return ERR;
  c->res[0]->type = ir_tensor(e->dt, rank);
  Val *r = tensor_val(s, e->dt, rank, dims, c->res[0]);
  r->weak = e->weak;
  return r;
}

/* The dtype a reduction accumulates in and returns. */
static SnDtype reduce_dtype(RedKind k, Val *body) {
  SnDtype dt = body->dt;
  switch (red_info[k].result) {
  case RR_INDEX: return SN_I64;
  case RR_BOOL: return SN_BOOL;
  case RR_WIDEN: return dt == SN_BOOL || is_int_dt(dt) ? SN_I64 : dt;
  case RR_FLOAT: return is_float_dt(dt) ? dt : INT_FLOAT_DT;
  case RR_SAME: return dt;
  }
  return dt;
}

/* Ends a reduction's region with its body value and gives the reduction's value. argmax and
 * argmin compare the body in its own type; a mean of integers sums them exactly in i64 (the
 * loop pass divides once); the others accumulate in reduce_dtype. */
static Val *reduce_finish(Sema *s, RedKind kind, IrInst *r, Val *e) {
  SnDtype dt = reduce_dtype(kind, e);
  bool arg = red_info[kind].result == RR_INDEX;
  SnDtype acc = (red_info[kind].flags & RF_MEAN) && is_int_dt(e->dt) ? SN_I64 : compute_dtype(dt);
  IrValue *y = arg ? e->ir : ir_cast(&s->b, e->ir, ir_scalar(acc));
  ir_yield(&s->b, 1, &y);
  r->res[0]->type = ir_scalar(compute_dtype(dt));
  return scalar_val(s, dt, e->weak && !arg, r->res[0]);
}

static bool reducible(Sema *s, RedKind kind, Val *e, Span span) {
  if (e->kind == V_ERROR) return false;
  if (e->kind != V_SCALAR) {
    Diag *g = diag_error(s->diags, span, "the body of %s must be a number, not %s", red_name(kind), val_type_str(s, e));
    if (e->kind == V_TENSOR) diag_hint(s->diags, g, "subscript every dimension, or reduce the whole tensor: %s(x)", red_name(kind));
    return false;
  }
  bool logical = red_info[kind].flags & RF_LOGICAL;
  if (logical && e->dt != SN_BOOL) {
    Diag *g = diag_error(s->diags, span, "%s needs bool values, not %s", red_name(kind), val_type_str(s, e));
    diag_hint(s->diags, g, "compare first, e.g. %s(x > 0) or %s(x != 0)", red_name(kind), red_name(kind));
    return false;
  }
  if (e->dt == SN_BOOL && kind != RED_SUM && !logical) {
    Diag *g = diag_error(s->diags, span, "%s of bool values", red_name(kind));
    if (kind == RED_MAX || kind == RED_MIN)
      diag_hint(s->diags, g, "%s tells whether %s value is true", kind == RED_MAX ? "any" : "all", kind == RED_MAX ? "some" : "every");
    else
      diag_hint(s->diags, g, "sum counts the true values; convert with i64(b) for the others");
    return false;
  }
  return true;
}

/* RED(i, j) body */
static Val *reduction(Sema *s, Node *n) {
  RedKind kind = (RedKind)n->op;
  int nidx = n->list.n;
  if (nidx == 0 || nidx > SN_MAX_RANK) {
    diag_error(s->diags, n->name_span, "%s needs between 1 and %d indices", red_name(kind), SN_MAX_RANK);
    return ERR;
  }
  for (int k = 0; k < nidx; k++) {
    Node *nm = n->list.items[k];
    Binding *b = nm->kind == A_NAME ? lookup(s, nm->name) : NULL;
    if (nm->kind == A_BINARY && nm->op == OP_LT && nm->a->kind == A_NAME) continue; /* i < n */
    if (b && b->kind == B_VAL) {
      Diag *g = diag_error(s->diags, nm->span, "`%s` names a value, but the indices of %s(...) followed by an expression must be new names",
                           nm->name, red_name(kind));
      diag_hint(s->diags, g, "to reduce the tensor `%s` and then subtract, write `%s(%s) - ...` with a space after `-`",
                nm->name, red_name(kind), nm->name);
      return ERR;
    }
  }
  Dim ranges[SN_MAX_RANK];
  bool has[SN_MAX_RANK];
  if (!explicit_ranges(s, &n->list, ranges, has)) return ERR;
  IrType rt = ir_scalar(SN_F32);
  IrBuilder save = s->b;
  s->b.span = n->span;
  IrInst *r = ir_emit(&s->b, IR_REDUCE, 0, NULL, 1, &rt, 1);
  r->sub = kind;
  IrBlock *region = r->regions[0];
  IndexVar *vars[SN_MAX_RANK];
  push_scope(s);
  bool ok = declare_indices(s, &n->list, region, vars, ranges, has);
  s->b.block = region;
  s->b.before = NULL;
  Val *e = ok ? expr(s, n->a) : ERR;
  pop_scope(s);
  s->closed_reduce = n;
  ok = ok && reducible(s, kind, e, n->a->span);
  Val *res = ERR;
  if (ok) {
    res = reduce_finish(s, kind, r, e);
  } else {
    IrValue *z = ir_const_f(&s->b, SN_F32, 0);
    ir_yield(&s->b, 1, &z);
  }
  s->b = save;
  Dim dims[SN_MAX_RANK];
  if (!ok || !infer_ranges(s, r, nidx, vars, dims, n->span)) return ERR;
  res->ir = round_to(s, res->ir, res->dt);
  return res;
}

typedef struct WholeCtx {
  Val *x;
} WholeCtx;

/* RED(x): reduces every element of a tensor (a scalar reduces to itself). */
Val *whole_reduce(Sema *s, RedKind kind, Val *x, Span span) {
  if (x->kind == V_ERROR) return ERR;
  if (x->kind == V_SCALAR) {
    if (red_info[kind].result == RR_INDEX) return scalar_val(s, SN_I64, false, ir_const_i64(&s->b, 0));
    return reducible(s, kind, x, span) ? x : ERR;
  }
  if (x->kind != V_TENSOR) {
    diag_error(s->diags, span, "%s needs a tensor, not %s", red_name(kind), val_type_str(s, x));
    return ERR;
  }
  if (x->rank == 0) {
    IrValue *e = ir_elem(&s->b, x->ir, 0, NULL);
    return scalar_val(s, x->dt, false, e);
  }
  IrValue *ext[SN_MAX_RANK];
  for (int d = 0; d < x->rank; d++) ext[d] = dim_value(s, x->dims[d]);
  IrType rt = ir_scalar(SN_F32);
  IrBuilder save = s->b;
  s->b.span = span;
  IrInst *r = ir_emit(&s->b, IR_REDUCE, x->rank, ext, 1, &rt, 1);
  r->sub = kind;
  IrValue *idx[SN_MAX_RANK];
  for (int d = 0; d < x->rank; d++) idx[d] = ir_block_arg(s->fn, r->regions[0], ir_i64);
  s->b.block = r->regions[0];
  s->b.before = NULL;
  Val *e = elem_of(s, x, idx);
  Val *res = ERR;
  if (reducible(s, kind, e, span)) {
    res = reduce_finish(s, kind, r, e);
  } else {
    IrValue *z = ir_const_f(&s->b, SN_F32, 0);
    ir_yield(&s->b, 1, &z);
  }
  s->b = save;
  if (res != ERR) res->ir = round_to(s, res->ir, res->dt);
  return res;
}

/* --- literals and records ---------------------------------------------------------------------- */

static bool literal_int(Node *n, int64_t *v) {
  if (n->kind == A_INT) {
    *v = n->ival;
    return true;
  }
  if (n->kind == A_UNARY && n->op == OP_NEG && literal_int(n->a, v)) {
    *v = (int64_t)(0 - (uint64_t)*v);
    return true;
  }
  return false;
}

static bool literal_number(Node *n, double *v, bool *is_float) {
  if (n->kind == A_INT) {
    *v = (double)n->ival;
    return true;
  }
  if (n->kind == A_FLOAT) {
    *v = n->fval;
    *is_float = true;
    return true;
  }
  if (n->kind == A_UNARY && n->op == OP_NEG && literal_number(n->a, v, is_float)) {
    *v = -*v;
    return true;
  }
  return false;
}

/* Collects a nested list literal's leaves in row-major order and its shape. */
static bool list_shape(Sema *s, Node *n, int depth, int *rank, int64_t *shape, PtrVec *leaves) {
  if (n->kind != A_LIST) {
    if (*rank < 0) *rank = depth;
    else if (*rank != depth) {
      diag_error(s->diags, n->span, "ragged tensor literal: expected a list here, as in the other rows");
      return false;
    }
    vec_push(s->arena, leaves, n);
    return true;
  }
  if (depth >= SN_MAX_RANK) {
    diag_error(s->diags, n->span, "a tensor has at most %d dimensions", SN_MAX_RANK);
    return false;
  }
  if (*rank >= 0 && depth >= *rank) {
    diag_error(s->diags, n->span, "ragged tensor literal: expected a number here, as in the other rows");
    return false;
  }
  if (shape[depth] < 0) shape[depth] = n->list.n;
  else if (shape[depth] != n->list.n) {
    Diag *g = diag_error(s->diags, n->span, "ragged tensor literal: this row has %d elements but the first has %lld",
                         n->list.n, (long long)shape[depth]);
    diag_hint(s->diags, g, "every row of a tensor has the same length");
    return false;
  }
  for (int i = 0; i < n->list.n; i++)
    if (!list_shape(s, n->list.items[i], depth + 1, rank, shape, leaves)) return false;
  return true;
}

Val *materialize_list(Sema *s, Node *n) {
  int rank = -1;
  int64_t shape[SN_MAX_RANK];
  for (int i = 0; i < SN_MAX_RANK; i++) shape[i] = -1;
  PtrVec leaves = {0};
  if (!list_shape(s, n, 0, &rank, shape, &leaves)) return ERR;
  Dim dims[SN_MAX_RANK];
  IrValue *dimv[SN_MAX_RANK + 1];
  for (int i = 0; i < rank; i++) {
    dims[i] = dim_const(shape[i]);
    dimv[i] = const_at_entry(s, shape[i]);
  }
  /* all constants: a table in the program */
  bool all_const = true, any_float = false;
  for (int i = 0; i < leaves.n && all_const; i++) {
    double v;
    all_const = literal_number(leaves.items[i], &v, &any_float);
  }
  if (all_const) {
    SnDtype dt = any_float ? SN_F64 : SN_I64;
    void *blob = arena_alloc(s->fn->arena, (size_t)leaves.n * 8);
    for (int i = 0; i < leaves.n; i++) {
      double v;
      bool f = false;
      literal_number(leaves.items[i], &v, &f);
      if (dt == SN_F64) ((double *)blob)[i] = v;
      else literal_int(leaves.items[i], &((int64_t *)blob)[i]);
    }
    IrType tt = ir_tensor(dt, rank);
    IrBuilder save = s->b;
    s->b.span = n->span;
    IrInst *in = ir_emit(&s->b, IR_CONST_TENSOR, rank, dimv, 1, &tt, 0);
    s->b = save;
    in->blob = blob;
    in->imm.i = leaves.n;
    Val *r = tensor_val(s, dt, rank, dims, in->res[0]);
    r->weak = true;
    return r;
  }
  /* computed elements: a tensor filled element by element */
  Val **vals = arena_alloc(s->arena, (size_t)leaves.n * sizeof *vals);
  SnDtype dt = SN_I64;
  bool weak = true;
  for (int i = 0; i < leaves.n; i++) {
    vals[i] = expr(s, leaves.items[i]);
    if (vals[i]->kind == V_ERROR) return ERR;
    if (vals[i]->kind != V_SCALAR) {
      diag_error(s->diags, ((Node *)leaves.items[i])->span, "a tensor literal's elements must be numbers, not %s",
                 val_type_str(s, vals[i]));
      return ERR;
    }
    Val cur = {.kind = V_SCALAR, .dt = dt, .weak = weak};
    bool w;
    if (i == 0) {
      dt = vals[0]->dt;
      weak = vals[0]->weak;
    } else if (promote(s, &cur, vals[i], &dt, &w, ((Node *)leaves.items[i])->span, "[...]")) {
      weak = w;
    } else {
      return ERR;
    }
  }
  if (weak) dt = is_float_dt(dt) ? SN_F64 : SN_I64;
  IrType tt = ir_tensor(dt, rank);
  IrValue *t = ir_emit(&s->b, IR_ALLOC, rank, dimv, 1, &tt, 0)->res[0];
  IrValue *data = ir_emit(&s->b, IR_DATA, 1, &t, 1, &(IrType){IRT_PTR, (uint8_t)dt, 0}, 0)->res[0];
  for (int i = 0; i < leaves.n; i++) {
    Val *v = cast_val(s, vals[i], dt, n->span);
    IrValue *x = v->ir;
    if (dt == SN_F16 || dt == SN_BF16) x = ir_cast(&s->b, x, ir_scalar(dt));
    IrValue *ops[3] = {data, ir_const_i64(&s->b, i), x};
    ir_emit(&s->b, IR_STORE, 3, ops, 0, NULL, 0);
  }
  Val *r = tensor_val(s, dt, rank, dims, t);
  r->weak = weak;
  return r;
}

static Val *record_expr(Sema *s, Node *n) {
  Val *r = val_new(s, V_RECORD);
  r->rec = NEW(s->arena, Record);
  r->rec->n = n->list.n;
  r->rec->names = arena_alloc(s->arena, (size_t)n->list.n * sizeof(char *));
  r->rec->vals = arena_alloc(s->arena, (size_t)n->list.n * sizeof(Val *));
  for (int i = 0; i < n->list.n; i++) {
    Node *f = n->list.items[i];
    for (int j = 0; j < i; j++)
      if (strcmp(r->rec->names[j], f->name) == 0) {
        diag_error(s->diags, f->name_span, "field `%s` is given twice", f->name);
        return ERR;
      }
    r->rec->names[i] = f->name;
    r->rec->vals[i] = expr(s, f->a);
    if (r->rec->vals[i]->kind == V_ERROR) return ERR;
  }
  return r;
}

static Val *field_expr(Sema *s, Node *n) {
  Val *base = expr(s, n->a);
  if (base->kind == V_ERROR) return ERR;
  if (base->kind != V_RECORD) {
    Diag *g = diag_error(s->diags, n->name_span, "%s has no field `%s`: it is not a record", val_type_str(s, base), n->name);
    if (base->kind == V_TENSOR && strcmp(n->name, "shape") == 0) diag_hint(s->diags, g, "use size(x, axis)");
    return ERR;
  }
  Val *v = record_get(base, n->name);
  if (v) return v;
  Diag *g = diag_error(s->diags, n->name_span, "no field `%s` in %s", n->name, val_type_str(s, base));
  const char *best = NULL;
  int bestd = 3;
  for (int i = 0; i < base->rec->n; i++) {
    int d = edit_distance(n->name, base->rec->names[i], 2);
    if (d < bestd) best = base->rec->names[i], bestd = d;
  }
  if (best) diag_hint(s->diags, g, "did you mean `%s`?", best);
  return ERR;
}

/* --- if and iterate ---------------------------------------------------------------------------- */

static bool joinable(Sema *s, Val *a, Val *b, Span span, const char *what) {
  if (a->kind == V_ERROR || b->kind == V_ERROR) return false;
  if ((a->kind == V_SCALAR && b->kind == V_SCALAR) ||
      (a->kind == V_TENSOR && b->kind == V_TENSOR && a->rank == b->rank))
    return true;
  if (a->kind == b->kind && a->kind != V_TENSOR)
    diag_error(s->diags, span, "%s cannot be %s values: only numbers, tensors and records of them join", what,
               val_type_str(s, a));
  else
    diag_error(s->diags, span, "%s have different types: %s and %s", what, val_type_str(s, a), val_type_str(s, b));
  return false;
}

/* Pairs the scalars and tensors of the branch values a and b, depth first, into la and lb
 * (*n of them): records must have the same fields in the same order. Reports and returns false
 * where they do not join. */
static bool if_leaves(Sema *s, Val *a, Val *b, Val **la, Val **lb, int *n, Span span) {
  if (a->kind == V_RECORD && b->kind == V_RECORD) {
    bool same = a->rec->n == b->rec->n;
    for (int i = 0; same && i < a->rec->n; i++) same = strcmp(a->rec->names[i], b->rec->names[i]) == 0;
    if (!same) {
      Diag *g = diag_error(s->diags, span, "the branches of `if` are records with different fields: %s and %s",
                           val_type_str(s, a), val_type_str(s, b));
      diag_hint(s->diags, g, "give both branches the same fields, in the same order");
      return false;
    }
    for (int i = 0; i < a->rec->n; i++)
      if (!if_leaves(s, a->rec->vals[i], b->rec->vals[i], la, lb, n, span)) return false;
    return true;
  }
  if (!joinable(s, a, b, span, "the branches of `if`")) return false;
  if (*n == IR_MAX_YIELD) {
    diag_error(s->diags, span, "the branches of `if` hold more than %d values", IR_MAX_YIELD);
    return false;
  }
  la[*n] = a;
  lb[*n] = b;
  ++*n;
  return true;
}

/* Result k of `if` instruction in, joining the branch values a (yielded by ya) and b (by yb):
 * scalars promote to a common type, tensors need the same element type. */
static Val *if_result(Sema *s, IrInst *in, int k, Val *a, Val *b, IrInst *ya, IrInst *yb, Span span) {
  if (a->kind == V_SCALAR) {
    SnDtype dt;
    bool weak;
    if (!promote(s, a, b, &dt, &weak, span, "if")) return ERR;
    IrBuilder tmp = s->b;
    s->b = (IrBuilder){.fn = s->fn, .block = in->regions[0], .before = ya, .span = span, .site = tmp.site};
    Val *ca = cast_val(s, a, dt, span);
    s->b.block = in->regions[1];
    s->b.before = yb;
    Val *cb = cast_val(s, b, dt, span);
    s->b = tmp;
    ya->ops[k] = ca->ir;
    yb->ops[k] = cb->ir;
    in->res[k]->type = ir_scalar(compute_dtype(dt));
    return scalar_val(s, dt, weak, in->res[k]);
  }
  if (a->dt != b->dt) {
    Diag *g = diag_error(s->diags, span, "the branches of `if` have different element types: %s and %s",
                         val_type_str(s, a), val_type_str(s, b));
    diag_hint(s->diags, g, "convert one branch, e.g. f32(x)");
    return ERR;
  }
  ya->ops[k] = a->ir;
  yb->ops[k] = b->ir;
  in->res[k]->type = ir_tensor(a->dt, a->rank);
  Dim dims[SN_MAX_RANK];
  for (int d = 0; d < a->rank; d++) {
    if (dims_equal(a->dims[d], b->dims[d])) dims[d] = a->dims[d];
    else dims[d] = dim_of_value(s, ir_dim(&s->b, in->res[k], d), "?");
  }
  return tensor_val(s, a->dt, a->rank, dims, in->res[k]);
}

/* The value of `if` with the fields of `shape` (a branch value), its leaves taken from res. */
static Val *if_rebuild(Sema *s, Val *shape, Val **res, int *k) {
  if (shape->kind != V_RECORD) return res[(*k)++];
  Val *r = val_new(s, V_RECORD);
  r->rec = NEW(s->arena, Record);
  r->rec->n = shape->rec->n;
  r->rec->names = shape->rec->names;
  r->rec->vals = arena_alloc(s->arena, (size_t)r->rec->n * sizeof(Val *));
  for (int i = 0; i < r->rec->n; i++) r->rec->vals[i] = if_rebuild(s, shape->rec->vals[i], res, k);
  return r;
}

/* if c then a else b: an IR `if` whose branches yield the scalars and tensors of a and b
 * (records flattened, rebuilt after it). */
static Val *if_expr(Sema *s, Node *n) {
  Val *c = expr(s, n->a);
  if (c->kind == V_ERROR) return ERR;
  if (c->kind != V_SCALAR || c->dt != SN_BOOL) {
    Diag *g = diag_error(s->diags, n->a->span, "the condition of `if` must be a bool, not %s", val_type_str(s, c));
    if (c->kind == V_TENSOR) diag_hint(s->diags, g, "choose element by element: let r[i] = if c[i] then a[i] else b[i]");
    else diag_hint(s->diags, g, "compare, e.g. `if x > 0 then ...`");
    return ERR;
  }
  IrBuilder save = s->b;
  s->b.span = n->span;
  IrInst *in = ir_emit(&s->b, IR_IF, 1, &c->ir, 0, NULL, 2);
  s->b.before = NULL;
  s->b.block = in->regions[0];
  Val *a = expr(s, n->b);
  IrInst *ya = ir_emit(&s->b, IR_YIELD, 0, NULL, 0, NULL, 0);
  s->b.block = in->regions[1];
  Val *b = expr(s, n->c);
  IrInst *yb = ir_emit(&s->b, IR_YIELD, 0, NULL, 0, NULL, 0);
  s->b = save;
  Val *la[IR_MAX_YIELD], *lb[IR_MAX_YIELD], *res[IR_MAX_YIELD];
  int nres = 0;
  if (a->kind == V_ERROR || b->kind == V_ERROR || !if_leaves(s, a, b, la, lb, &nres, n->span)) return ERR;
  ir_set_results(s->fn, in, nres);
  ya->ops = arena_alloc(s->fn->arena, (size_t)nres * sizeof(IrValue *));
  yb->ops = arena_alloc(s->fn->arena, (size_t)nres * sizeof(IrValue *));
  ya->nops = yb->nops = nres;
  for (int k = 0; k < nres; k++)
    if ((res[k] = if_result(s, in, k, la[k], lb[k], ya, yb, n->span))->kind == V_ERROR) {
      ya->nops = yb->nops = in->nres = 0; /* no half-built `if` for later passes to meet */
      return ERR;
    }
  int k = 0;
  return if_rebuild(s, a, res, &k);
}

static void stmt(Sema *s, Node *n);

/* The count after `max` may be 0 (the states come back as they were initialised, with
 * `converged` false) but not negative: an error now for a constant written in the program, else
 * when the loop starts (a library solver checks its max_iter itself, with its own message). */
static bool iteration_limit(Sema *s, IrValue *max, Span span) {
  int64_t c;
  if (ir_is_const_int(max, &c) && !span.src->stdlib) {
    if (c >= 0) return true;
    Diag *g = diag_error(s->diags, span, "the iteration limit after `max` is %lld; it must be 0 or more", (long long)c);
    diag_hint(s->diags, g, "`max N` runs the body at most N times, e.g. `until err < 1e-6 max 1000`");
    return false;
  }
  IrValue *ops[2] = {ir_cmp(&s->b, CMP_GE, max, ir_const_i64(&s->b, 0)), ir_cast(&s->b, max, ir_scalar(SN_F64))};
  IrBuilder save = s->b;
  s->b.span = span;
  IrInst *in = ir_check(&s->b, CHECK_MSG, 2, ops, "the iteration limit after `max` is {}; it must be 0 or more");
  in->imm.i = SN_CHECK_INT;
  s->b = save;
  return true;
}

/* iterate s1 = init1, ... { body } until cond max N
 * -> {s1: ..., iterations: i64, converged: bool} */
static Val *iterate_expr(Sema *s, Node *n) {
  int nstate = n->list.n;
  Val **init = arena_alloc(s->arena, (size_t)nstate * sizeof *init);
  bool ok = true;
  for (int i = 0; i < nstate; i++) {
    Node *st = n->list.items[i];
    for (int j = 0; j < i; j++)
      if (strcmp(((Node *)n->list.items[j])->name, st->name) == 0) {
        diag_error(s->diags, st->name_span, "state `%s` is declared twice", st->name);
        ok = false;
      }
    init[i] = expr(s, st->a);
    if (init[i]->kind == V_ERROR) ok = false;
    else if (init[i]->kind != V_SCALAR && init[i]->kind != V_TENSOR) {
      diag_error(s->diags, st->a->span, "a state must be a number or a tensor, not %s", val_type_str(s, init[i]));
      ok = false;
    } else if (init[i]->weak) {
      /* a literal state takes its default type so updates can be typed against it */
      init[i] = cast_val(s, init[i], is_float_dt(init[i]->dt) ? SN_F64 : SN_I64, st->a->span);
      init[i]->weak = false;
    }
  }
  Val *maxv = expr(s, n->b);
  if (maxv->kind != V_ERROR && (maxv->kind != V_SCALAR || !is_int_dt(maxv->dt))) {
    Diag *g = diag_error(s->diags, n->b->span, "the iteration limit after `max` must be an integer, not %s",
                         val_type_str(s, maxv));
    diag_hint(s->diags, g, "e.g. `until err < 1e-6 max 1000`");
    ok = false;
  }
  if (!ok || maxv->kind == V_ERROR) return ERR;
  IrValue **ops = arena_alloc(s->fn->arena, (size_t)(nstate + 1) * sizeof *ops);
  IrType *rts = arena_alloc(s->fn->arena, (size_t)(nstate + 2) * sizeof *rts);
  ops[0] = ir_cast(&s->b, maxv->ir, ir_i64);
  if (!iteration_limit(s, ops[0], n->b->span)) return ERR;
  for (int i = 0; i < nstate; i++) {
    ops[i + 1] = init[i]->ir;
    rts[i] = ir_val(init[i]->ir)->type;
  }
  rts[nstate] = ir_i64;
  rts[nstate + 1] = ir_bool;
  IrBuilder save = s->b;
  s->b.span = n->span;
  IrInst *loop = ir_emit(&s->b, IR_LOOP, nstate + 1, ops, nstate + 2, rts, 1);
  IrBlock *body = loop->regions[0];
  ir_block_arg(s->fn, body, ir_i64)->name = "count";
  push_scope(s);
  Binding **states = arena_alloc(s->arena, (size_t)nstate * sizeof *states);
  for (int i = 0; i < nstate; i++) {
    Node *st = n->list.items[i];
    IrValue *a = ir_block_arg(s->fn, body, rts[i]);
    a->name = st->name;
    a->dims = ir_val(init[i]->ir)->dims;
    Val *v = val_new(s, init[i]->kind);
    *v = *init[i];
    v->ir = a;
    states[i] = bind_val(s, st->name, v, st->name_span);
    states[i]->is_state = true;
  }
  s->b.block = body;
  s->b.before = NULL;
  s->iterate_depth++;
  push_scope(s); /* the body's own bindings, visible to the condition */
  for (int i = 0; i < n->body->list.n; i++) stmt(s, n->body->list.items[i]);
  Val *cond = expr(s, n->a);
  s->iterate_depth--;
  if (cond->kind != V_ERROR && (cond->kind != V_SCALAR || cond->dt != SN_BOOL)) {
    Diag *g = diag_error(s->diags, n->a->span, "the condition after `until` must be a bool, not %s", val_type_str(s, cond));
    if (cond->kind == V_TENSOR) diag_hint(s->diags, g, "reduce it, e.g. `until max(i) abs(d[i]) < tol max 100`");
    else diag_hint(s->diags, g, "compare, e.g. `until err < 1e-6 max 100`");
    cond = ERR;
  }
  IrValue **yv = arena_alloc(s->fn->arena, (size_t)(nstate + 2) * sizeof *yv);
  for (int i = 0; i < nstate; i++) {
    Binding *cur = lookup_state(s->scope, ((Node *)n->list.items[i])->name);
    yv[i] = cur->val->ir;
  }
  yv[nstate] = cond->kind == V_SCALAR ? cond->ir : ir_const_bool(&s->b, true);
  /* progress reports show the quantity the condition compares (`until err < tol` shows err) */
  int nyield = nstate + 1;
  IrInst *cmp = cond->kind == V_SCALAR ? ir_val(cond->ir)->def : NULL;
  if (cmp && cmp->op == IR_CMP && n->a->kind == A_BINARY && ir_is_float(ir_op(cmp, 0)->type)) {
    yv[nyield++] = ir_cast(&s->b, ir_op(cmp, 0), ir_scalar(SN_F64));
    const char *text = src_text(s, n->a->a->span);
    loop->blob = strlen(text) <= 24 ? arena_strdup(s->fn->arena, text) : "metric";
  }
  ir_yield(&s->b, nyield, yv);
  int line, col;
  if (n->span.src->stdlib && s->b.site.src) {
    /* a stdlib solver's loop is reported as the function the user called, at the user's call */
    const Node *called = NULL;
    for (int k = s->inst_stack.n - 1; k >= 0 && ((Node *)s->inst_stack.items[k])->span.src->stdlib; k--)
      called = s->inst_stack.items[k];
    source_linecol(s->b.site.src, s->b.site.lo, &line, &col);
    loop->str = arena_printf(s->fn->arena, "%s (%s:%d)", called ? called->name : "iterate", s->b.site.src->path, line);
  } else {
    source_linecol(n->span.src, n->span.lo, &line, &col);
    loop->str = arena_printf(s->fn->arena, "iterate (%s:%d)", n->span.src->path, line);
  }
  pop_scope(s);
  pop_scope(s);
  s->b = save;
  if (cond->kind == V_ERROR) return ERR;
  Val *r = val_new(s, V_RECORD);
  r->rec = NEW(s->arena, Record);
  r->rec->n = nstate + 2;
  r->rec->names = arena_alloc(s->arena, (size_t)(nstate + 2) * sizeof(char *));
  r->rec->vals = arena_alloc(s->arena, (size_t)(nstate + 2) * sizeof(Val *));
  for (int i = 0; i < nstate; i++) {
    r->rec->names[i] = ((Node *)n->list.items[i])->name;
    Val *v = val_new(s, init[i]->kind);
    *v = *init[i];
    v->ir = loop->res[i];
    loop->res[i]->dims = ir_val(init[i]->ir)->dims;
    r->rec->vals[i] = v;
  }
  r->rec->names[nstate] = "iterations";
  r->rec->vals[nstate] = scalar_val(s, SN_I64, false, loop->res[nstate]);
  r->rec->names[nstate + 1] = "converged";
  r->rec->vals[nstate + 1] = scalar_val(s, SN_BOOL, false, loop->res[nstate + 1]);
  return r;
}

/* A state update `x = e` or `x[i] = e` in an iterate body: the new value must keep the state's
 * type (its dtype and shape), since the next iteration sees it in the same place. */
static void assign_stmt(Sema *s, Node *n) {
  if (!n->name) return; /* the parser reported it */
  Binding *b = lookup(s, n->name);
  if (s->iterate_depth == 0) {
    Diag *g = diag_error(s->diags, n->span, "`=` outside an iterate body");
    diag_hint(s->diags, g, "bindings are immutable; bind a new value with `let %s = ...`, or compare with `==`", n->name);
    return;
  }
  if (!b || !b->is_state) {
    Diag *g = diag_error(s->diags, n->name_span, "`%s` is not a state of the enclosing iterate", n->name);
    diag_hint(s->diags, g, "only states (declared after `iterate`) are updated with `=`; use `let` for a new name");
    return;
  }
  Val *v = n->list.n ? comprehension(s, &n->list, n->a, n->span, b) : expr(s, n->a);
  if (v->kind == V_ERROR) return;
  Val *old = b->val;
  Span sp = n->a->span;
  if (old->kind != v->kind || (old->kind == V_TENSOR && old->rank != v->rank)) {
    Diag *g = diag_error(s->diags, sp, "state `%s` is %s but the update gives %s", n->name, val_type_str(s, old),
                         val_type_str(s, v));
    diag_hint(s->diags, g, "a state keeps its type from one iteration to the next");
    return;
  }
  if (v->dt != old->dt) {
    if (v->weak || (is_float_dt(old->dt) && is_float_dt(v->dt)) || (is_int_dt(old->dt) && is_int_dt(v->dt))) {
      v = cast_val(s, v, old->dt, sp);
    } else {
      Diag *g = diag_error(s->diags, sp, "state `%s` is %s but the update gives %s", n->name, val_type_str(s, old),
                           val_type_str(s, v));
      diag_hint(s->diags, g, "convert the update, e.g. %s(...)", sn_dtype_name(old->dt));
      return;
    }
  }
  if (v->kind == V_TENSOR) {
    for (int d = 0; d < v->rank; d++) {
      if (!old->dims[d].sym && !v->dims[d].sym && old->dims[d].c != v->dims[d].c) {
        Diag *g = diag_error(s->diags, sp, "state `%s` is %s but the update gives %s", n->name, val_type_str(s, old),
                             val_type_str(s, v));
        diag_hint(s->diags, g, "a state keeps its shape from one iteration to the next");
        return;
      }
      check_dims_match(s, old->dims[d], v->dims[d], sp,
                       arena_printf(s->arena, "state %s changes size in dimension %d", n->name, d));
    }
    Val *nv = val_new(s, V_TENSOR);
    *nv = *old;
    nv->ir = v->ir;
    v = nv;
  }
  Binding *nb = bind_val(s, n->name, v, n->name_span);
  nb->is_state = true;
  nb->used = true;
}

/* --- calls ------------------------------------------------------------------------------------ */

/* Checks v against a declared type and binds the type's dimension names: a name seen for the
 * first time stands for that size (and becomes an i64 value in `dimscope`), a name seen before
 * must match. Constants that differ are errors now; anything else is checked at run time. With
 * `local`, only names bound in dimscope itself count (a function's sizes are its own). */
/* The element type a declared type names: a dtype, or a class of them (`float`, `int`, `num`)
 * that takes the argument's own. *dt is a representative of a class (for placeholders). */
typedef enum TypeClass { TC_EXACT, TC_FLOAT, TC_INT, TC_NUM } TypeClass;

static bool type_elem(const char *name, SnDtype *dt, TypeClass *cls) {
  static const struct { const char *name; TypeClass cls; SnDtype rep; } classes[] = {
      {"float", TC_FLOAT, SN_F32}, {"int", TC_INT, SN_I64}, {"num", TC_NUM, SN_F32}};
  for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
    if (strcmp(name, classes[i].name) == 0) {
      *cls = classes[i].cls;
      *dt = classes[i].rep;
      return true;
    }
  *cls = TC_EXACT;
  return sn_dtype_from_name(name, dt);
}

static void unknown_type(Sema *s, Node *type) {
  Diag *g = diag_error(s->diags, type->span, "unknown type `%s`", type->name);
  diag_hint(s->diags, g, "the element types are f16 bf16 f32 f64 i8 u8 i32 i64 bool, or a class: float int num");
}

static bool in_class(SnDtype dt, TypeClass cls) {
  switch (cls) {
  case TC_FLOAT: return is_float_dt(dt);
  case TC_INT: return is_int_dt(dt);
  case TC_NUM: return dt != SN_BOOL;
  default: return false;
  }
}

/* A value bound to a declared type takes its dtype: a literal adopts it (or, for the class
 * `float`, becomes a floating-point literal); values of a class keep their own. */
static Val *adopt_type(Sema *s, Node *type, Val *v, Span span) {
  SnDtype dt;
  TypeClass cls;
  if (!v->weak || !type_elem(type->name, &dt, &cls)) return v;
  if (cls == TC_EXACT) return cast_val(s, v, dt, span);
  if (cls == TC_FLOAT && !is_float_dt(v->dt)) {
    Val *f = cast_val(s, v, SN_F64, span);
    f->weak = true;
    return f;
  }
  return v;
}

static bool match_type(Sema *s, Node *type, Val *v, Scope *dimscope, bool local, Span span, const char *what) {
  SnDtype dt;
  TypeClass cls;
  if (!type_elem(type->name, &dt, &cls)) {
    unknown_type(s, type);
    return false;
  }
  bool want_tensor = type->ival != 0;
  if ((want_tensor && v->kind != V_TENSOR) || (!want_tensor && v->kind != V_SCALAR) ||
      (want_tensor && v->rank != type->list.n)) {
    diag_error(s->diags, span, "%s: expected %s, got %s", what, src_text(s, type->span), val_type_str(s, v));
    return false;
  }
  if (cls != TC_EXACT ? !in_class(v->dt, cls) && !(v->weak && cls == TC_FLOAT && is_int_dt(v->dt))
                      : v->dt != dt && !v->weak) {
    Diag *g = diag_error(s->diags, span, "%s: expected %s, got %s", what, src_text(s, type->span), val_type_str(s, v));
    if (cls == TC_EXACT) diag_hint(s->diags, g, "convert it with %s(...)", sn_dtype_name(dt));
    else if (cls == TC_FLOAT) diag_hint(s->diags, g, "convert it with f32(...) or f64(...)");
    else if (cls == TC_INT) diag_hint(s->diags, g, "convert it with i64(...)");
    else diag_hint(s->diags, g, "convert it with i64(...) or f32(...)");
    return false;
  }
  for (int d = 0; want_tensor && d < v->rank; d++) {
    Node *dn = type->list.items[d];
    Dim have = v->dims[d];
    if (dn->kind == A_INT) {
      if (!have.sym && have.c != dn->ival) {
        diag_error(s->diags, span, "%s: expected %s, got %s", what, src_text(s, type->span), val_type_str(s, v));
        return false;
      }
      check_dims_match(s, dim_const(dn->ival), have, span,
                       arena_printf(s->arena, "%s: dimension %d must be %lld", what, d, (long long)dn->ival));
      continue;
    }
    Binding *known = NULL;
    if (local) {
      for (Binding *x = dimscope->head; x && !known; x = x->next)
        if (strcmp(x->name, dn->name) == 0) known = x;
    } else {
      known = lookup_in(dimscope, dn->name);
    }
    if (known && known->kind == B_VAL && known->val->kind == V_SCALAR && is_int_dt(known->val->dt)) {
      Dim want = dim_of_value(s, ir_cast(&s->b, known->val->ir, ir_i64), dn->name);
      if (!want.sym && !have.sym && want.c != have.c) {
        Diag *g = diag_error(s->diags, span, "%s: expected %s, got %s", what, src_text(s, type->span), val_type_str(s, v));
        diag_hint(s->diags, g, "`%s` is %lld here", dn->name, (long long)want.c);
        return false;
      }
      check_dims_match(s, want, have, span,
                       arena_printf(s->arena, "%s: dimension %d must equal %s%s%s", what, d, dn->name,
                                    known->origin ? ", " : "", known->origin ? known->origin : ""));
      continue;
    }
    Scope *saved = s->scope;
    s->scope = dimscope;
    Val *dv = scalar_val(s, SN_I64, false, dim_value(s, have));
    Binding *nb = bind_val(s, dn->name, dv, dn->span);
    nb->used = true;
    nb->origin = arena_printf(s->arena, "dimension %d of %s", d, what);
    s->scope = saved;
  }
  return true;
}

/* The value of a `loss` declaration is what training minimises: a real number, or a record whose
 * `value` is one (a loss that carries its own gradients, as sinkhorn_loss's record does). */
static Val *check_loss(Sema *s, Node *fn, Val *r) {
  if (r->kind == V_ERROR) return r;
  Node *body = fn->a;
  Span span = body->span;
  if (body->kind == A_BLOCK && body->list.n && ((Node *)body->list.items[body->list.n - 1])->kind == A_EXPR)
    span = ((Node *)body->list.items[body->list.n - 1])->span;
  const Val *v = r;
  if (r->kind == V_RECORD) {
    v = record_get(r, "value");
    if (!v) {
      Diag *g = diag_error(s->diags, span, "the loss `%s` gives a record without a `value` field", fn->name);
      diag_hint(s->diags, g, "a loss's record carries the number to minimise in `value`, as sinkhorn_loss's does");
      return ERR;
    }
  }
  if (v->kind == V_SCALAR && is_float_dt(v->dt)) return r;
  Diag *g = diag_error(s->diags, span, "the loss `%s` must be a real number, but %s %s", fn->name,
                       v == r ? "it is" : "its `value` is", val_type_str(s, v));
  if (v->kind == V_TENSOR)
    diag_hint(s->diags, g, "reduce it to one number, as in `mean(i) ...` or `sum(x)`");
  else if (v->kind == V_SCALAR)
    diag_hint(s->diags, g, "a loss is minimised through its gradients, so it is a float: `f64(...)` converts");
  return ERR;
}

static Val *call_user(Sema *s, Binding *fb, Node *call) {
  Node *fn = fb->node;
  if (fb->broken) return ERR;
  for (int i = 0; i < s->inst_stack.n; i++)
    if (s->inst_stack.items[i] == fn) {
      Diag *g = diag_error(s->diags, call->span, "`%s` calls itself", fn->name);
      diag_hint(s->diags, g, "functions are inlined and cannot recurse; write the repetition with `iterate`");
      return ERR;
    }
  if (s->inst_stack.n >= MAX_INLINE_DEPTH) {
    diag_error(s->diags, call->span, "functions nest more than %d calls deep", MAX_INLINE_DEPTH);
    return ERR;
  }
  int np = fn->list.n;
  Val **args = arena_alloc(s->arena, (size_t)(np ? np : 1) * sizeof *args);
  Span *spans = arena_alloc(s->arena, (size_t)(np ? np : 1) * sizeof *spans);
  int npos = 0;
  bool ok = true;
  for (int i = 0; i < call->list.n; i++) {
    Node *a = call->list.items[i];
    if (a->kind == A_KWARG) {
      int k = -1;
      for (int p = 0; p < np; p++)
        if (strcmp(((Node *)fn->list.items[p])->name, a->name) == 0) k = p;
      if (k < 0) {
        Diag *g = diag_error(s->diags, a->name_span, "`%s` has no parameter `%s`", fn->name, a->name);
        const char *best = NULL;
        int bestd = 3;
        for (int p = 0; p < np; p++) {
          int d = edit_distance(a->name, ((Node *)fn->list.items[p])->name, 2);
          if (d < bestd) best = ((Node *)fn->list.items[p])->name, bestd = d;
        }
        if (best) diag_hint(s->diags, g, "did you mean `%s`?", best);
        ok = false;
        continue;
      }
      if (args[k]) {
        diag_error(s->diags, a->name_span, "parameter `%s` of `%s` is given twice", a->name, fn->name);
        ok = false;
        continue;
      }
      args[k] = expr(s, a->a);
      spans[k] = a->a->span;
    } else {
      if (npos >= np) {
        Diag *g = diag_error(s->diags, a->span, "`%s` takes %d argument%s, but more are given", fn->name, np, np == 1 ? "" : "s");
        diag_note(s->diags, g, fn->name_span, "`%s` is defined here", fn->name);
        ok = false;
        break;
      }
      args[npos] = expr(s, a);
      spans[npos] = a->span;
      npos++;
    }
  }
  for (int p = 0; p < np && ok; p++)
    if (!args[p] && !((Node *)fn->list.items[p])->a) {
      Node *param = fn->list.items[p];
      Diag *g = diag_error(s->diags, call->span, "missing argument `%s` of `%s`", param->name, fn->name);
      diag_note(s->diags, g, fn->name_span, "`%s` is defined here", fn->name);
      ok = false;
    }
  for (int p = 0; p < np && ok; p++)
    if (args[p] && args[p]->kind == V_ERROR) ok = false;
  if (!ok) return ERR;
  Scope *saved = s->scope;
  s->scope = fb->defscope;
  push_scope(s);
  int errors = s->diags->nerrors;
  for (int p = 0; p < np && ok; p++) {
    Node *param = fn->list.items[p];
    Val *a = args[p];
    if (!a) { /* a default, evaluated where the function is defined, seeing the parameters before it */
      a = expr(s, param->a);
      spans[p] = param->a->span;
      if (a->kind == V_ERROR) {
        ok = false;
        break;
      }
    }
    if (param->type) {
      const char *what = arena_printf(s->arena, "argument `%s` of `%s`", param->name, fn->name);
      if (!match_type(s, param->type, a, s->scope, true, spans[p], what)) {
        ok = false;
        break;
      }
      a = adopt_type(s, param->type, a, spans[p]);
    }
    bind_val(s, param->name, a, param->name_span)->used = true;
  }
  Val *r = ERR;
  Span saved_site = s->b.site;
  if (fn->span.src->stdlib && !call->span.src->stdlib) s->b.site = call->span;
  if (ok) {
    vec_push(s->arena, &s->inst_stack, fn);
    Node *body = fn->a;
    if (body->kind == A_BLOCK) {
      push_scope(s);
      r = unit_val(s);
      for (int i = 0; i < body->list.n; i++) {
        Node *st = body->list.items[i];
        if (i + 1 == body->list.n && st->kind == A_EXPR) r = expr(s, st->a);
        else stmt(s, st);
      }
      pop_scope(s);
    } else {
      r = expr(s, body);
    }
    s->inst_stack.n--;
    if (fn->type && r->kind != V_ERROR) {
      const char *what = arena_printf(s->arena, "the result of `%s`", fn->name);
      if (!match_type(s, fn->type, r, s->scope, true, fn->a->span, what)) r = ERR;
      if (r->kind != V_ERROR) r = adopt_type(s, fn->type, r, fn->a->span);
    }
    if (fn->ival == DECL_LOSS) r = check_loss(s, fn, r);
  }
  s->b.site = saved_site;
  pop_scope(s);
  s->scope = saved;
  bool definition_check = call->span.src == fn->name_span.src && call->span.lo == fn->name_span.lo;
  if (!definition_check && s->diags->nerrors > errors && s->diags->nerrors <= DIAG_MAX_ERRORS) {
    Diag *first = s->diags->items.items[s->diags->items.n - (s->diags->nerrors - errors)];
    if (first && !first->note && first->span.lo != call->span.lo)
      diag_note(s->diags, first, call->span, "in this call of `%s`", fn->name);
  }
  return r;
}

/* A top-level statement of the program that binds `name` but is not visible at `use`: a
 * definition further down (names are visible from their definition on), or NULL. */
static Node *later_definition(Sema *s, const char *name, Span use) {
  for (int i = 0; s->program && i < s->program->n; i++) {
    Node *st = s->program->items[i];
    if ((st->kind == A_FN || st->kind == A_LET || st->kind == A_ARG) && st->name && strcmp(st->name, name) == 0 &&
        st->span.src == use.src)
      return st;
  }
  return NULL;
}

/* Explains a use of a name the program defines further down (`use` is where it is written):
 * names are visible from their definition on, which is also why functions cannot call
 * themselves or each other. */
static void defined_later(Sema *s, const char *name, Span use, Node *def) {
  Node *caller = s->inst_stack.n ? s->inst_stack.items[s->inst_stack.n - 1] : NULL;
  Diag *g;
  if (caller && def->kind == A_FN) {
    g = diag_error(s->diags, use, "`%s` cannot call `%s`, which is defined after it", caller->name, name);
    diag_hint(s->diags, g, "a function sees only the names defined before it, so functions cannot call themselves or "
                           "each other; define `%s` first, or write the repetition with `iterate`", name);
  } else {
    g = diag_error(s->diags, use, "`%s` is used before its definition", name);
    diag_hint(s->diags, g, "names are visible from their definition on: define `%s` before this line", name);
  }
  diag_note(s->diags, g, def->name_span, "`%s` is defined here", name);
}

static Val *call_expr(Sema *s, Node *n) {
  Binding *b = lookup(s, n->name);
  if (b && b->kind == B_FN) {
    b->used = true;
    return call_user(s, b, n);
  }
  bool found = false;
  Val *r = call_builtin(s, n, &found);
  if (found) return r;
  if (b) {
    Diag *g = diag_error(s->diags, n->name_span, "`%s` is not a function", n->name);
    diag_note(s->diags, g, b->span, "`%s` is defined here", n->name);
    return ERR;
  }
  Node *later = later_definition(s, n->name, n->name_span);
  if (later) {
    defined_later(s, n->name, n->name_span, later);
    return ERR;
  }
  Diag *g = diag_error(s->diags, n->name_span, "unknown function `%s`", n->name);
  suggest_name(s, g, n->name);
  return ERR;
}

/* --- expressions ------------------------------------------------------------------------------ */

/* Reads a value persisted by an earlier REPL line (see persist) into this line's IR. */
static Val *load_persisted(Sema *s, Val *t, const char *name, Span span) {
  if (t->kind == V_RECORD) {
    Val *r = val_new(s, V_RECORD);
    r->rec = NEW(s->arena, Record);
    r->rec->n = t->rec->n;
    r->rec->names = t->rec->names;
    r->rec->vals = arena_alloc(s->arena, (size_t)t->rec->n * sizeof(Val *));
    for (int i = 0; i < t->rec->n; i++) r->rec->vals[i] = load_persisted(s, t->rec->vals[i], t->rec->names[i], span);
    return r;
  }
  IrType ty = t->kind == V_TENSOR ? ir_tensor(t->dt, t->rank) : t->kind == V_STR ? ir_str : ir_scalar(compute_dtype(t->dt));
  IrBuilder at = {.fn = s->fn, .block = s->fn->body, .before = s->fn->body->first, .span = span, .site = s->b.site};
  IrInst *g = ir_emit(&at, IR_GLOBAL_GET, 0, NULL, 1, &ty, 0);
  g->imm.i = t->slot1 - 1;
  g->flags = IRF_BORROWED;
  g->res[0]->name = name;
  Val *v = val_new(s, t->kind);
  *v = *t;
  v->ir = g->res[0];
  v->slot1 = 0;
  at.before = g->next;
  for (int d = 0; d < t->rank; d++)
    if (t->dims[d].sym) v->dims[d] = dim_of_value(s, ir_dim(&at, g->res[0], d), t->dims[d].sym->name);
  return v;
}

static Val *name_expr(Sema *s, Node *n) {
  Binding *b = lookup(s, n->name);
  Node *later = b ? NULL : later_definition(s, n->name, n->span);
  if (later) {
    defined_later(s, n->name, n->span, later);
    return ERR;
  }
  if (!b) {
    Diag *g = diag_error(s->diags, n->span, "unknown name `%s`", n->name);
    /* an index of a reduction just before: its body ended at a + or - */
    Node *r = s->closed_reduce;
    for (int k = 0; r && r->span.src == n->span.src && r->span.hi <= n->span.lo && k < r->list.n; k++) {
      Node *nm = index_name(r->list.items[k]);
      if (nm && strcmp(nm->name, n->name) == 0) {
        Span head = {r->span.src, r->span.lo, r->a->span.lo};
        const char *ht = src_text(s, head);
        int hl = (int)strlen(ht);
        while (hl > 0 && ht[hl - 1] == ' ') hl--;
        diag_hint(s->diags, g, "`%s` is an index of the %s before it, whose body ends at the first + or -; "
                               "put the whole body in parentheses: %.*s (...)",
                  n->name, red_name((RedKind)r->op), hl, ht);
        return ERR;
      }
    }
    suggest_name(s, g, n->name);
    return ERR;
  }
  b->used = true;
  switch (b->kind) {
  case B_VAL:
    if (b->slot >= 0) {
      /* a value from an earlier REPL line: read its slots once per line */
      if (b->slot_line != s->repl->line || !b->slot_val) {
        b->slot_val = load_persisted(s, b->val, b->name, n->span);
        b->slot_line = s->repl->line;
      }
      return b->slot_val;
    }
    return b->val;
  case B_INDEX: {
    Val *v = scalar_val(s, SN_I64, false, b->index->iv);
    v->index = b->index;
    return v;
  }
  case B_LAZY: {
    Scope *saved = s->scope;
    s->scope = b->defscope;
    Val *v = comprehension(s, &b->node->list, b->node->a, b->node->span, NULL);
    s->scope = saved;
    return v;
  }
  case B_FN: {
    Diag *g = diag_error(s->diags, n->span, "`%s` is a function; call it with arguments", n->name);
    diag_hint(s->diags, g, "write %s(...)", n->name);
    return ERR;
  }
  }
  return ERR;
}

static Val *unary_expr(Sema *s, Node *n) {
  Val *a = expr(s, n->a);
  if (a->kind == V_ERROR) return ERR;
  if (a->kind != V_SCALAR && a->kind != V_TENSOR) {
    diag_error(s->diags, n->span, "`%s` needs a number or a tensor, not %s", op_name((Op)n->op), val_type_str(s, a));
    return ERR;
  }
  /* fold negative literals so they stay constants (dims, literals) */
  if (n->op == OP_NEG && a->kind == V_SCALAR && a->weak && a->ir->def && a->ir->def->op == IR_CONST) {
    if (is_float_dt(a->dt)) return scalar_val(s, a->dt, true, ir_const_f(&s->b, SN_F64, -a->ir->def->imm.f));
    return scalar_val(s, a->dt, true, ir_const_i64(&s->b, (int64_t)(0 - (uint64_t)a->ir->def->imm.i)));
  }
  Val *args[1] = {a};
  return lift(s, 1, args, n->op == OP_NEG ? neg_fn : not_fn, NULL, a->dt, n->span);
}

/* `a and b` evaluates b only when a (the value of n->a) is true (so `i > 0 and x[i-1] < 0` is
 * safe). */
static Val *logic_expr(Sema *s, Node *n, Val *a) {
  if (a->kind == V_ERROR) return ERR;
  if (a->kind != V_SCALAR || a->dt != SN_BOOL) {
    if (a->kind == V_TENSOR) {
      Val *b = expr(s, n->b);
      return binop(s, (Op)n->op, a, b, n->span);
    }
    Diag *g = diag_error(s->diags, n->a->span, "`%s` needs bool operands, not %s", op_name((Op)n->op), val_type_str(s, a));
    diag_hint(s->diags, g, "compare first, e.g. `x > 0 %s y > 0`", op_name((Op)n->op));
    return ERR;
  }
  IrBuilder save = s->b;
  s->b.span = n->span;
  IrInst *in = ir_emit(&s->b, IR_IF, 1, &a->ir, 1, &ir_bool, 2);
  s->b.before = NULL;
  s->b.block = in->regions[n->op == OP_AND ? 0 : 1];
  Val *b = expr(s, n->b);
  bool ok = b->kind == V_SCALAR && b->dt == SN_BOOL;
  if (b->kind != V_ERROR && !ok) {
    Diag *g = diag_error(s->diags, n->b->span, "`%s` needs bool operands, not %s", op_name((Op)n->op), val_type_str(s, b));
    diag_hint(s->diags, g, "compare first, e.g. `x > 0 %s y > 0`", op_name((Op)n->op));
  }
  IrValue *bv = ok ? b->ir : ir_const_bool(&s->b, false);
  ir_yield(&s->b, 1, &bv);
  s->b.block = in->regions[n->op == OP_AND ? 1 : 0];
  IrValue *shortv = ir_const_bool(&s->b, n->op == OP_OR);
  ir_yield(&s->b, 1, &shortv);
  s->b = save;
  if (!ok) return ERR;
  return scalar_val(s, SN_BOOL, false, in->res[0]);
}

/* a + b + c + ...: the parser leans a chain to the left; it is walked down that spine with a loop
 * (any length), recursing only into the right operands, whose depth the parser bounds. Operands
 * are evaluated in source order, so errors are reported in order. */
static Val *binary_expr(Sema *s, Node *n) {
  PtrVec spine = {0};
  Node *leaf = n;
  for (; leaf->kind == A_BINARY; leaf = leaf->a) vec_push(s->arena, &spine, leaf);
  Val *r = expr(s, leaf);
  for (int k = spine.n - 1; k >= 0; k--) {
    Node *op = spine.items[k];
    s->b.span = op->span;
    if (op->op == OP_AND || op->op == OP_OR) {
      r = logic_expr(s, op, r);
    } else {
      Val *b = expr(s, op->b);
      r = binop(s, (Op)op->op, r, b, op->span);
    }
  }
  return r;
}

Val *expr(Sema *s, Node *n) {
  Span saved = s->b.span;
  s->b.span = n->span;
  Val *r = ERR;
  switch (n->kind) {
  case A_INT: r = scalar_val(s, SN_I64, true, ir_const_i64(&s->b, n->ival)); break;
  case A_FLOAT: r = scalar_val(s, SN_F64, true, ir_const_f(&s->b, SN_F64, n->fval)); break;
  case A_BOOL: r = scalar_val(s, SN_BOOL, false, ir_const_bool(&s->b, n->ival != 0)); break;
  case A_STR:
    r = val_new(s, V_STR);
    r->ir = ir_string(&s->b, arena_strdup(s->fn->arena, n->str));
    break;
  case A_NAME: r = name_expr(s, n); break;
  case A_LIST: r = materialize_list(s, n); break;
  case A_RECORD: r = record_expr(s, n); break;
  case A_UNARY: r = unary_expr(s, n); break;
  case A_BINARY: r = binary_expr(s, n); break;
  case A_CALL: r = call_expr(s, n); break;
  case A_INDEX: r = index_expr(s, n); break;
  case A_FIELD: r = field_expr(s, n); break;
  case A_IF: r = if_expr(s, n); break;
  case A_REDUCE: r = reduction(s, n); break;
  case A_ITERATE: r = iterate_expr(s, n); break;
  case A_SLICE:
    diag_error(s->diags, n->span, "a slice `a:b` may appear only inside [...] subscripts");
    break;
  case A_KWARG:
    diag_error(s->diags, n->span, "a named argument `%s = ...` may appear only in a call", n->name);
    break;
  default:
    diag_error(s->diags, n->span, "this statement cannot be used as a value");
    break;
  }
  s->b.span = saved;
  return r;
}

/* --- printing ----------------------------------------------------------------------------------- */

static void print_str_const(Sema *s, const char *text) {
  IrValue *str = ir_string(&s->b, text);
  ir_call(&s->b, RT_PRINT_STR, 1, &str);
}

void print_val(Sema *s, Val *v);

void print_val(Sema *s, Val *v) {
  switch (v->kind) {
  case V_SCALAR: {
    IrValue *x = v->ir;
    switch (v->dt) {
    case SN_BOOL: x = ir_cast(&s->b, x, ir_scalar(SN_I32)); ir_call(&s->b, RT_PRINT_BOOL, 1, &x); break;
    case SN_F64: ir_call(&s->b, RT_PRINT_F64, 1, &x); break;
    case SN_F32: ir_call(&s->b, RT_PRINT_F32, 1, &x); break;
    case SN_F16: case SN_BF16:
      x = ir_cast(&s->b, ir_cast(&s->b, x, ir_scalar(v->dt)), ir_scalar(SN_F32));
      ir_call(&s->b, v->dt == SN_F16 ? RT_PRINT_F16 : RT_PRINT_BF16, 1, &x);
      break;
    default: x = ir_cast(&s->b, x, ir_i64); ir_call(&s->b, RT_PRINT_I64, 1, &x); break;
    }
    break;
  }
  case V_TENSOR: ir_call(&s->b, RT_PRINT_TENSOR, 1, &v->ir); break;
  case V_STR: ir_call(&s->b, RT_PRINT_STR, 1, &v->ir); break;
  case V_RECORD:
    print_str_const(s, "{");
    for (int i = 0; i < v->rec->n; i++) {
      print_str_const(s, arena_printf(s->fn->arena, "%s%s: ", i ? ", " : "", v->rec->names[i]));
      print_val(s, v->rec->vals[i]);
    }
    print_str_const(s, "}");
    break;
  case V_UNIT: print_str_const(s, "()"); break;
  case V_ERROR: break;
  }
}

/* --- statements ------------------------------------------------------------------------------- */

/* A tensor loaded with a declared type: its declared constant sizes are checked once, right
 * after the load (as an argument's are), and are constants from then on, so that a stride or an
 * extent of 3 reaches the loops as 3 and no size check is left inside them. */
static void fix_loaded_sizes(Sema *s, Node *type, Val *v, Span span, const char *what) {
  if (v->kind != V_TENSOR || v->rank != type->list.n) return;
  IrValue *ops[SN_MAX_RANK + 1], *t = ir_val(v->ir);
  bool any = false;
  ops[0] = t;
  for (int d = 0; d < v->rank; d++) {
    Node *dn = type->list.items[d];
    any |= dn->kind == A_INT;
    ops[d + 1] = ir_const_i64(&s->b, dn->kind == A_INT ? dn->ival : -1);
  }
  if (!any) return;
  IrBuilder save = s->b;
  s->b.span = span;
  ir_check(&s->b, CHECK_SHAPE, v->rank + 1, ops, what)->blob = arena_strdup(s->fn->arena, src_text(s, type->span));
  s->b = save;
  for (int d = 0; d < v->rank; d++) {
    Node *dn = type->list.items[d];
    if (dn->kind != A_INT) continue;
    v->dims[d] = dim_const(dn->ival);
    t->dims[d] = ops[d + 1];
  }
}

static bool coerce_to_type(Sema *s, Node *type, Val **v, Span span, const char *what) {
  if (!match_type(s, type, *v, s->scope, false, span, what)) return false;
  *v = adopt_type(s, type, *v, span);
  return true;
}

/* A `let` that hides a binding of the same scope is usually a slip in a program (rebinding is
 * normal at the REPL, and inside an iterate body where it names a new value). */
static void warn_shadow(Sema *s, Node *n) {
  if (s->repl || s->iterate_depth > 0) return;
  for (Binding *b = s->scope->head; b; b = b->next)
    if (strcmp(b->name, n->name) == 0 && b->kind == B_VAL && b->name[0] != '_') {
      Diag *g = diag_warning(s->diags, n->name_span, "`%s` is bound again; the earlier value is no longer reachable", n->name);
      diag_hint(s->diags, g, "choose another name if both are meant to be used");
      diag_note(s->diags, g, b->span, "the earlier binding of `%s`", n->name);
      b->used = true; /* one warning is enough */
      return;
    }
}

static void let_stmt(Sema *s, Node *n) {
  warn_shadow(s, n);
  if (n->list.n) {
    if (s->repl && s->scope == s->top) {
      /* at the REPL's top level a comprehension stays a definition, expanded where used */
      Scope *def = snapshot_scope(s);
      Binding *b = bind(s, n->name, B_LAZY, n->name_span);
      b->node = n;
      b->defscope = def;
      Scope *saved = s->scope;
      Val *probe = comprehension(s, &n->list, n->a, n->span, NULL); /* checks it now */
      s->scope = saved;
      if (probe->kind == V_ERROR) b->broken = true, b->kind = B_VAL, b->val = ERR;
      return;
    }
    Val *v = comprehension(s, &n->list, n->a, n->span, NULL);
    bind_val(s, n->name, v, n->name_span);
    return;
  }
  /* a declared type tells load what to expect, so the file need not exist at compile time */
  bool typed_load = n->type && n->a->kind == A_CALL && strcmp(n->a->name, "load") == 0 && !lookup(s, "load");
  Val *v = typed_load ? load_call(s, n->a, n->type) : expr(s, n->a);
  if (v->kind == V_UNIT) {
    Diag *g = diag_error(s->diags, n->a->span, "this expression gives no value to bind to `%s`", n->name);
    diag_hint(s->diags, g, "print(...) returns nothing");
    v = ERR;
  }
  if (n->type && v->kind != V_ERROR) {
    const char *what = arena_printf(s->arena, "`%s`", n->name);
    if (typed_load) fix_loaded_sizes(s, n->type, v, n->a->span, arena_strdup(s->fn->arena, what));
    if (!coerce_to_type(s, n->type, &v, n->a->span, what)) v = ERR;
  }
  if (n->ival == DECL_TRANSPORT && v->kind != V_ERROR && !record_get(v, "cost")) {
    Diag *g = diag_error(s->diags, n->a->span, "`transport` binds the result of a transport solver, not %s", val_type_str(s, v));
    diag_hint(s->diags, g, "call a solver: sinkhorn, sinkhorn_log, sinkhorn_unbalanced, emd, ... (docs/transport.md)");
    v = ERR;
  }
  if (v->kind != V_ERROR && v->index) {
    /* a copy of an index is an ordinary number */
    Val *c = val_new(s, V_SCALAR);
    *c = *v;
    c->index = NULL;
    v = c;
  }
  bind_val(s, n->name, v, n->name_span);
}

/* fn with typed parameters is checked once at its definition with symbolic sizes, so errors in
 * its body are reported even if it is never called. */
static void check_fn_definition(Sema *s, Binding *fb) {
  Node *fn = fb->node;
  for (int p = 0; p < fn->list.n; p++)
    if (!((Node *)fn->list.items[p])->type) return;
  IrFunc *scratch = ir_func_new(s->arena);
  IrFunc *saved_fn = s->fn;
  IrBuilder saved_b = s->b;
  s->fn = scratch;
  s->b = (IrBuilder){.fn = scratch, .block = scratch->body, .span = fn->span};
  Node *call = NEW(s->arena, Node);
  call->kind = A_CALL;
  call->span = fn->name_span;
  call->name = fn->name;
  /* placeholder arguments of the declared types */
  Scope *saved_scope = s->scope;
  push_scope(s);
  for (int p = 0; p < fn->list.n; p++) {
    Node *param = fn->list.items[p];
    Node *type = param->type;
    SnDtype dt;
    TypeClass cls;
    if (!type_elem(type->name, &dt, &cls)) {
      unknown_type(s, type);
      fb->broken = true;
      break;
    }
    Val *v;
    if (type->ival) {
      Dim dims[SN_MAX_RANK];
      if (type->list.n > SN_MAX_RANK) {
        diag_error(s->diags, type->span, "a tensor has at most %d dimensions", SN_MAX_RANK);
        fb->broken = true;
        break;
      }
      for (int d = 0; d < type->list.n; d++) {
        Node *dn = type->list.items[d];
        if (dn->kind == A_INT) {
          dims[d] = dim_const(dn->ival);
          continue;
        }
        Binding *seen = NULL;
        for (Binding *x = s->scope->head; x; x = x->next)
          if (strcmp(x->name, dn->name) == 0) seen = x;
        if (!seen) {
          IrInst *ph = ir_emit(&s->b, IR_ARG, 0, NULL, 1, &ir_i64, 0);
          seen = bind_val(s, dn->name, scalar_val(s, SN_I64, false, ph->res[0]), dn->span);
        }
        dims[d] = dim_of_value(s, seen->val->ir, dn->name);
      }
      IrType tt = ir_tensor(dt, type->list.n);
      v = tensor_val(s, dt, type->list.n, dims, ir_emit(&s->b, IR_ARG, 0, NULL, 1, &tt, 0)->res[0]);
    } else {
      IrType st = ir_scalar(compute_dtype(dt));
      v = scalar_val(s, dt, false, ir_emit(&s->b, IR_ARG, 0, NULL, 1, &st, 0)->res[0]);
    }
    Node *arg = NEW(s->arena, Node);
    arg->kind = A_NAME;
    arg->span = param->name_span;
    arg->name = arena_printf(s->arena, " arg%d", p);
    bind_val(s, arg->name, v, param->name_span);
    vec_push(s->arena, &call->list, arg);
  }
  int errors = s->diags->nerrors;
  if (!fb->broken) call_user(s, fb, call);
  if (s->diags->nerrors > errors) fb->broken = true;
  s->scope = saved_scope;
  s->fn = saved_fn;
  s->b = saved_b;
}

static void fn_stmt(Sema *s, Node *n) {
  for (int i = 0; i < n->list.n; i++)
    for (int j = 0; j < i; j++)
      if (strcmp(((Node *)n->list.items[i])->name, ((Node *)n->list.items[j])->name) == 0) {
        diag_error(s->diags, ((Node *)n->list.items[i])->name_span, "parameter `%s` is declared twice",
                   ((Node *)n->list.items[i])->name);
        return;
      }
  Binding *b = bind(s, n->name, B_FN, n->name_span);
  b->node = n;
  /* includes the function itself, so a recursive call is reported as one; the stdlib's functions
   * see all of the stdlib, whatever the order of its definitions */
  b->defscope = s->in_prelude ? s->scope : snapshot_scope(s);
  for (int i = 0; n->a->kind == A_BLOCK && i < n->a->list.n; i++) {
    Node *st = n->a->list.items[i];
    if (st->kind == A_ARG) {
      Diag *g = diag_error(s->diags, st->span, "`arg` declares a command-line argument and belongs at the top level of a program");
      diag_hint(s->diags, g, "pass the value to `%s` as a parameter", n->name);
      b->broken = true;
    }
  }
  if (!b->broken && !s->in_prelude) check_fn_definition(s, b);
}

/* arg NAME: TYPE [= default]: a command-line argument, read and checked when the program starts */
static void arg_stmt(Sema *s, Node *n) {
  if (s->scope != s->top || s->repl) {
    Diag *g = diag_error(s->diags, n->span, "`arg` declares a command-line argument and belongs at the top level of a program");
    if (s->repl) diag_hint(s->diags, g, "in the REPL, bind a value with `let`");
    return;
  }
  Node *type = n->type;
  SnDtype dt;
  if (strcmp(type->name, "str") == 0 && !type->ival) {
    dt = SN_U8;
  } else if (!sn_dtype_from_name(type->name, &dt)) {
    Diag *g = diag_error(s->diags, type->span, "unknown type `%s`", type->name);
    diag_hint(s->diags, g, "arguments are numbers (i64, f64, ...), bool, str, or tensors such as f32[n, 3]");
    return;
  }
  bool is_str = strcmp(type->name, "str") == 0;
  IrArg *a = NEW(s->fn->arena, IrArg);
  a->name = arena_strdup(s->fn->arena, n->name);
  a->spec.name = a->name;
  a->spec.type = arena_strdup(s->fn->arena, src_text(s, type->span));
  a->spec.dtype = dt;
  a->spec.rank = type->ival ? type->list.n : 0;
  if (n->a) {
    Node *d = n->a;
    bool lit = d->kind == A_INT || d->kind == A_FLOAT || d->kind == A_BOOL || d->kind == A_STR || d->kind == A_LIST ||
               (d->kind == A_UNARY && d->op == OP_NEG && (d->a->kind == A_INT || d->a->kind == A_FLOAT));
    if (!lit) {
      Diag *g = diag_error(s->diags, d->span, "the default of an argument must be a literal");
      diag_hint(s->diags, g, "compute derived values with `let` after the argument");
      return;
    }
    a->spec.def = arena_strdup(s->fn->arena, d->kind == A_STR ? d->str : src_text(s, d->span));
  }
  IrType t;
  Val *v;
  if (type->ival) {
    if (type->list.n > SN_MAX_RANK) {
      diag_error(s->diags, type->span, "a tensor has at most %d dimensions", SN_MAX_RANK);
      return;
    }
    a->spec.kind = SN_ARG_TENSOR;
    t = ir_tensor(dt, type->list.n);
  } else if (is_str) {
    a->spec.kind = SN_ARG_STR;
    t = ir_str;
  } else if (dt == SN_BOOL) {
    a->spec.kind = SN_ARG_BOOL;
    t = ir_bool;
  } else if (is_float_dt(dt)) {
    a->spec.kind = SN_ARG_F64;
    t = ir_scalar(SN_F64);
  } else {
    a->spec.kind = SN_ARG_I64;
    t = ir_i64;
  }
  IrBuilder at = {.fn = s->fn, .block = s->fn->body, .span = n->span, .site = s->b.site};
  IrInst *in = ir_emit(&at, IR_ARG, 0, NULL, 1, &t, 0);
  in->imm.i = s->fn->args.n;
  in->flags = IRF_BORROWED;
  in->res[0]->name = a->name;
  vec_push(s->fn->arena, &s->fn->args, a);
  if (is_str) {
    v = val_new(s, V_STR);
    v->ir = in->res[0];
  } else if (!type->ival) {
    v = scalar_val(s, dt == SN_BOOL ? SN_BOOL : is_float_dt(dt) ? SN_F64 : SN_I64, false, in->res[0]);
    if (dt != v->dt) v = cast_val(s, v, dt, n->span);
  } else {
    /* sizes: a constant, or a name bound by its first use (and checked at the others) */
    Dim dims[SN_MAX_RANK];
    IrValue *ops[SN_MAX_RANK + 1];
    int rank = type->list.n;
    ops[0] = in->res[0];
    for (int d = 0; d < rank; d++) {
      Node *dn = type->list.items[d];
      if (dn->kind == A_INT) {
        dims[d] = dim_const(dn->ival);
        ops[d + 1] = ir_const_i64(&s->b, dn->ival);
        continue;
      }
      Binding *known = lookup(s, dn->name);
      if (known && known->kind == B_VAL && known->val->kind == V_SCALAR && is_int_dt(known->val->dt)) {
        IrValue *kv = ir_cast(&s->b, known->val->ir, ir_i64);
        dims[d] = dim_of_value(s, kv, dn->name);
        ops[d + 1] = kv;
      } else {
        IrValue *dv = ir_dim(&s->b, in->res[0], d);
        dims[d] = dim_of_value(s, dv, dn->name);
        ops[d + 1] = ir_const_i64(&s->b, -1);
        bind_val(s, dn->name, scalar_val(s, SN_I64, false, dv), dn->span)->used = true;
      }
    }
    IrBuilder save = s->b;
    s->b.span = n->name_span;
    IrInst *chk = ir_check(&s->b, CHECK_SHAPE, rank + 1, ops, arena_printf(s->fn->arena, "argument --%s", a->name));
    chk->blob = a->spec.type;
    chk->imm.i = 1; /* a usage error: exit code 2 */
    s->b = save;
    v = tensor_val(s, dt, rank, dims, in->res[0]);
  }
  bind_val(s, n->name, v, n->name_span);
}

static void expr_stmt(Sema *s, Node *n) {
  Val *v = expr(s, n->a);
  if (v->kind == V_ERROR || v->kind == V_UNIT) return;
  if (s->repl && s->scope == s->top) {
    s->last_value = v;
    if (s->echo) {
      print_val(s, v);
      ir_call(&s->b, RT_PRINT_END, 0, NULL);
    }
    return;
  }
  Diag *g = diag_warning(s->diags, n->span, "the value of this expression is not used");
  diag_hint(s->diags, g, "print it with print(...), or bind it with let");
}

static void stmt(Sema *s, Node *n) {
  Span saved = s->b.span;
  s->b.span = n->span;
  switch (n->kind) {
  case A_LET: let_stmt(s, n); break;
  case A_FN: fn_stmt(s, n); break;
  case A_ARG: arg_stmt(s, n); break;
  case A_ASSIGN: assign_stmt(s, n); break;
  case A_EXPR: expr_stmt(s, n); break;
  default: diag_error(s->diags, n->span, "this is not a statement"); break;
  }
  s->b.span = saved;
}

/* Warns about top-level bindings nothing reads. */
static void warn_unused(Sema *s, Scope *sc) {
  PtrVec unused = {0};
  for (Binding *b = sc->head; b; b = b->next)
    if (!b->used && b->kind == B_VAL && b->name[0] != '_' && b->val->kind != V_ERROR) vec_push(s->arena, &unused, b);
  for (int i = unused.n - 1; i >= 0; i--) {
    Binding *b = unused.items[i];
    Diag *g = diag_warning(s->diags, b->span, "`%s` is never used", b->name);
    diag_hint(s->diags, g, "remove it, or start its name with `_` to keep it");
  }
}

static void sema_init(Sema *s, Arena *a, DiagBag *d) {
  memset(s, 0, sizeof *s);
  s->arena = a;
  s->diags = d;
  s->fn = ir_func_new(a);
  s->b = (IrBuilder){.fn = s->fn, .block = s->fn->body};
}

/* The standard library's functions, bound in a scope around the program's own, so a program
 * may define a function of the same name. Their bodies are checked where they are called. */
static Scope *load_prelude(Sema *s) {
  Scope *saved = s->scope;
  s->scope = NULL;
  push_scope(s);
  Scope *prelude = s->scope;
  s->in_prelude = true;
  for (int f = 0; f < sn_stdlib_nfiles; f++) {
    const StdlibFile *sf = &sn_stdlib_files[f];
    Source *src = source_new(s->arena, sf->path, sf->text, sf->len);
    src->stdlib = true;
    PtrVec stmts = {0};
    if (!parse_source(s->arena, s->diags, src, &stmts)) continue;
    for (int i = 0; i < stmts.n; i++) {
      Node *st = stmts.items[i];
      if (st->kind == A_FN) fn_stmt(s, st);
      else diag_error(s->diags, st->span, "the standard library defines only functions");
    }
  }
  s->in_prelude = false;
  s->scope = saved;
  return prelude;
}

IrFunc *sema_program(Arena *a, DiagBag *d, PtrVec *stmts) {
  Sema s;
  sema_init(&s, a, d);
  s.scope = load_prelude(&s);
  push_scope(&s);
  s.top = s.scope;
  s.program = stmts;
  int errors = d->nerrors;
  for (int i = 0; i < stmts->n; i++) stmt(&s, stmts->items[i]);
  if (d->nerrors == errors) warn_unused(&s, s.top);
  ir_yield(&s.b, 0, NULL);
  return d->nerrors == errors ? s.fn : NULL;
}

void repl_env_init(ReplEnv *env) {
  memset(env, 0, sizeof *env);
  DiagBag d = {.arena = &env->arena};
  Sema s;
  sema_init(&s, &env->arena, &d);
  env->scope = NEW(&env->arena, Scope);
  env->scope->parent = load_prelude(&s);
  diag_print(&d, stderr, false);
}

void repl_env_free(ReplEnv *env) {
  free(env->slots);
  arena_free(&env->arena);
}

const char *repl_fn_signature(ReplEnv *env, Arena *a, const char *name) {
  Binding *b = lookup_in(env->scope, name);
  if (!b || b->kind != B_FN) return NULL;
  Node *fn = b->node;
  const char *text = fn->span.src->text;
  uint32_t lo = fn->span.lo, hi = fn->a->span.lo;
  while (hi > lo && (text[hi - 1] == ' ' || text[hi - 1] == '=' || text[hi - 1] == '\n')) hi--;
  return arena_strndup(a, text + lo, hi - lo);
}

void repl_env_rollback(ReplEnv *env, Binding *mark, int nslots) {
  env->scope->head = mark;
  env->nslots = nslots;
  env->nrandom = env->nrandom_mark;
}

/* Stores a value of this line into new slots and returns the template later lines read it
 * through (load_persisted); a record persists field by field. */
static Val *persist(Sema *s, Val *v) {
  ReplEnv *env = s->repl;
  Val *keep = NEW(&env->arena, Val);
  *keep = *v;
  keep->ir = NULL;
  keep->index = NULL;
  if (v->kind == V_RECORD) {
    Record *r = NEW(&env->arena, Record);
    r->n = v->rec->n;
    r->names = arena_alloc(&env->arena, (size_t)r->n * sizeof(char *));
    r->vals = arena_alloc(&env->arena, (size_t)r->n * sizeof(Val *));
    for (int i = 0; i < r->n; i++) {
      r->names[i] = arena_strdup(&env->arena, v->rec->names[i]);
      r->vals[i] = persist(s, v->rec->vals[i]);
    }
    keep->rec = r;
    return keep;
  }
  if (v->kind != V_SCALAR && v->kind != V_TENSOR && v->kind != V_STR) return keep;
  if (env->nslots == env->capslots) {
    env->capslots = env->capslots ? env->capslots * 2 : 64;
    env->slots = realloc(env->slots, (size_t)env->capslots * sizeof *env->slots);
    if (!env->slots) die("out of memory");
  }
  int k = env->nslots++;
  env->slots[k] = (ReplSlotInfo){v->kind, v->dt, v->rank};
  IrValue *x = v->ir;
  if (v->kind == V_SCALAR) x = ir_cast(&s->b, x, ir_scalar(compute_dtype(v->dt)));
  IrInst *set = ir_emit(&s->b, IR_GLOBAL_SET, 1, &x, 0, NULL, 0);
  set->imm.i = k;
  keep->slot1 = k + 1;
  for (int d = 0; d < v->rank; d++)
    if (v->dims[d].sym) {
      Sym *sym = NEW(&env->arena, Sym);
      sym->name = arena_strdup(&env->arena, v->dims[d].sym->name);
      keep->dims[d].sym = sym;
    }
  return keep;
}

/* One REPL line: like a program, except that names from earlier lines live in slots and the
 * line's new value bindings are stored into new slots at its end. */
IrFunc *sema_repl_line(ReplEnv *env, Arena *a, DiagBag *d, PtrVec *stmts, bool echo, Val **last) {
  Sema s;
  sema_init(&s, a, d);
  s.repl = env;
  s.echo = echo;
  s.nrandom = env->nrandom_mark = env->nrandom;
  env->line++;
  s.scope = env->scope;
  s.top = env->scope;
  s.program = stmts;
  Binding *mark = env->scope->head;
  int errors = d->nerrors;
  for (int i = 0; i < stmts->n; i++) stmt(&s, stmts->items[i]);
  if (last) *last = s.last_value;
  if (d->nerrors != errors) {
    env->scope->head = mark;
    ir_yield(&s.b, 0, NULL);
    return NULL;
  }
  /* persist the new bindings */
  for (Binding *b = env->scope->head; b != mark; b = b->next) {
    if (b->kind != B_VAL || b->slot >= 0) continue;
    b->val = persist(&s, b->val);
    b->slot = 0;
    b->slot_line = 0;
    b->slot_val = NULL;
  }
  env->nrandom = s.nrandom;
  ir_yield(&s.b, 0, NULL);
  return s.fn;
}
