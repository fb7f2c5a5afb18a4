/* sema_types.c: values, dtypes and their promotion, conversions, scalar and elementwise
 * operations.
 *
 * Values (Val) carry a dtype, a shape of Dims and the IR value computing them. Whole-tensor
 * arithmetic is lifted to lazy comprehensions (IR_COMPR), so `a + b * c` becomes one
 * comprehension whose element is a[i] + b[i] * c[i]; the fusion pass later decides what is
 * materialised. */
#include "sema_int.h"

#include <string.h>

Val sema_error_val = {.kind = V_ERROR};

/* --- values and types ------------------------------------------------------------------------- */

Val *sema_val(Sema *s, VKind k) {
  Val *v = NEW(s->arena, Val);
  v->kind = k;
  return v;
}

Val *sema_scalar(Sema *s, SnDtype dt, bool weak, IrValue *ir) {
  Val *v = sema_val(s, V_SCALAR);
  v->dt = dt;
  v->weak = weak;
  v->ir = ir;
  return v;
}

Val *sema_tensor(Sema *s, SnDtype dt, int rank, const Dim *dims, IrValue *ir) {
  Val *v = sema_val(s, V_TENSOR);
  v->dt = dt;
  v->rank = rank;
  for (int i = 0; i < rank; i++) v->dims[i] = dims[i];
  v->ir = ir;
  if (ir && !ir_val(ir)->dims && rank > 0) {
    IrValue **d = arena_alloc(s->fn->arena, (size_t)rank * sizeof *d);
    for (int i = 0; i < rank; i++) d[i] = sema_dim_value(s, dims[i]);
    ir_val(ir)->dims = d;
  }
  return v;
}

Val *sema_unit(Sema *s) { return sema_val(s, V_UNIT); }

Val *sema_record(Sema *s, int n, const char **names, Val **vals) {
  Val *r = sema_val(s, V_RECORD);
  r->rec = NEW(s->arena, Record);
  r->rec->n = n;
  r->rec->names = arena_alloc(s->arena, (size_t)(n ? n : 1) * sizeof *r->rec->names);
  r->rec->vals = arena_alloc(s->arena, (size_t)(n ? n : 1) * sizeof *r->rec->vals);
  for (int i = 0; i < n; i++) {
    r->rec->names[i] = names ? names[i] : NULL;
    r->rec->vals[i] = vals ? vals[i] : NULL;
  }
  return r;
}

bool sema_is_float(SnDtype dt) { return dt == SN_F16 || dt == SN_BF16 || dt == SN_F32 || dt == SN_F64; }
bool sema_is_int(SnDtype dt) { return dt == SN_I8 || dt == SN_U8 || dt == SN_I32 || dt == SN_I64; }

SnDtype sema_compute_dtype(SnDtype dt) { return dt == SN_F16 || dt == SN_BF16 ? SN_F32 : dt; }

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

IrValue *sema_round(Sema *s, IrValue *v, SnDtype dt) {
  if ((dt != SN_F16 && dt != SN_BF16) || exact_in(v, dt, 4)) return v;
  v = ir_val(v);
  if (v->def && v->def->op == IR_CONST) { /* a literal: rounded now, by the runtime's conversion */
    float f = (float)v->def->imm.f;
    return ir_const_f(&s->b, SN_F32, dt == SN_F16 ? sn_f16_to_f32(sn_f32_to_f16(f)) : sn_bf16_to_f32(sn_f32_to_bf16(f)));
  }
  return ir_cast(&s->b, ir_cast(&s->b, v, ir_scalar(dt)), ir_scalar(SN_F32));
}

const char *sema_src_text(Sema *s, Span sp) {
  if (!sp.src || sp.hi <= sp.lo) return "";
  return arena_strndup(s->arena, sp.src->text + sp.lo, sp.hi - sp.lo);
}

static const char *shape_str(Sema *s, SnDtype dt, int rank, const Dim *dims) {
  Buf b = {0};
  buf_printf(&b, "%s[", sn_dtype_name(dt));
  for (int i = 0; i < rank; i++) buf_printf(&b, "%s%s", i ? ", " : "", sema_dim_str(s, dims[i]));
  buf_puts(&b, "]");
  const char *r = arena_strdup(s->arena, b.data);
  buf_free(&b);
  return r;
}

const char *sema_fn_text(Arena *a, const Node *fn) {
  const char *text = fn->span.src->text;
  uint32_t lo = fn->span.lo, hi = fn->a->span.lo;
  while (hi > lo && (text[hi - 1] == ' ' || text[hi - 1] == '=' || text[hi - 1] == '\n')) hi--;
  return arena_strndup(a, text + lo, hi - lo);
}

const char *sema_type_str(Sema *s, const Val *v) {
  switch (v->kind) {
  case V_FN:
    if (v->fn->transform) return arena_printf(s->arena, "fn %s", sema_fn_value_name(s, v));
    return v->fn->builtin ? arena_printf(s->arena, "fn %s(%s)", v->fn->builtin->name, v->fn->builtin->params)
                          : sema_fn_text(s->arena, v->fn->fn->node);
  case V_ERROR: return "<error>";
  case V_UNIT: return "()";
  case V_STR: return "str";
  case V_CHECKPOINT: return "checkpoint";
  case V_SCALAR: return sn_dtype_name(v->dt);
  case V_TENSOR: return shape_str(s, v->dt, v->rank, v->dims);
  case V_RECORD: {
    Buf b = {0};
    buf_puts(&b, "{");
    for (int i = 0; i < v->rec->n; i++)
      buf_printf(&b, "%s%s: %s", i ? ", " : "", v->rec->names[i], sema_type_str(s, v->rec->vals[i]));
    buf_puts(&b, "}");
    const char *r = arena_strdup(s->arena, b.data);
    buf_free(&b);
    return r;
  }
  }
  return "?";
}

/* --- casts and promotion ---------------------------------------------------------------------- */

static Val *convert_val(Sema *s, Val *v, SnDtype to, Span span, bool explicit_cast);

Val *sema_cast(Sema *s, Val *v, SnDtype to, Span span) { return convert_val(s, v, to, span, false); }

Val *sema_explicit_cast(Sema *s, Val *v, SnDtype to, Span span) { return convert_val(s, v, to, span, true); }

static Val *convert_val(Sema *s, Val *v, SnDtype to, Span span, bool explicit_cast) {
  if (v->kind == V_ERROR) return v;
  if (v->kind == V_TENSOR) {
    if (v->dt == to) return v;
    Val *args[1] = {v};
    return sema_lift(s, 1, args, NULL, explicit_cast ? (void *)1 : NULL, to, span);
  }
  if (v->kind != V_SCALAR) return v;
  if (v->dt == to && !v->weak) return v;
  IrValue *ir = v->ir;
  SnDtype from_ct = sema_compute_dtype(v->dt), to_ct = sema_compute_dtype(to);
  if (from_ct != to_ct) ir = ir_cast(&s->b, ir, ir_scalar(to_ct));
  /* narrowing into a 16-bit float rounds the value to it, a literal too (PyTorch and NumPy
   * round a Python number to the type of the f16 tensor it meets) */
  if (v->dt != to) ir = sema_round(s, ir, to);
  return sema_scalar(s, to, false, ir);
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

bool sema_promote(Sema *s, Val *a, Val *b, SnDtype *out, bool *weak, Span span, const char *opname) {
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
    *out = sema_is_float(x) || sema_is_float(y) ? SN_F64 : SN_I64;
    return true;
  }
  if (a->weak || b->weak) {
    Val *w = a->weak ? a : b, *c = a->weak ? b : a;
    if (sema_is_float(w->dt) && sema_is_int(c->dt)) *out = INT_FLOAT_DT;
    else *out = c->dt;
    return true;
  }
  if (x == y) {
    *out = x;
  } else if (sema_is_float(x) && sema_is_float(y)) {
    int rx = float_rank(x), ry = float_rank(y);
    *out = rx == ry ? SN_F32 : rx > ry ? x : y; /* f16 with bf16 meets in f32 */
  } else if (sema_is_int(x) && sema_is_int(y)) {
    *out = int_rank(x) >= int_rank(y) ? x : y;
    if ((x == SN_U8 && y == SN_I8) || (x == SN_I8 && y == SN_U8)) *out = SN_I32;
  } else {
    *out = sema_is_float(x) ? x : y;
  }
  return true;
}

/* --- scalar operations ------------------------------------------------------------------------ */

static IrValue *cval(Sema *s, SnDtype dt, double v) {
  SnDtype ct = sema_compute_dtype(dt);
  if (sema_is_float(ct)) return ir_const_f(&s->b, ct, v);
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
  if (yv->weak && !sema_is_float(yv->dt) && ir_is_const_int(yv->ir, &e) && e >= -2 && e <= 4) {
    if (e == 0) return ir_const_f(&s->b, ct, 1.0);
    IrValue *r = x;
    for (int64_t k = 1; k < (e < 0 ? -e : e); k++) r = ir_bin(&s->b, BIN_MUL, r, x);
    return e < 0 ? ir_bin(&s->b, BIN_DIV, ir_const_f(&s->b, ct, 1.0), r) : r;
  }
  if (yv->weak && yv->ir->def && yv->ir->def->op == IR_CONST && sema_is_float(yv->dt) && yv->ir->def->imm.f == 0.5)
    return ir_math(&s->b, MF_SQRT, x, NULL);
  return ir_math(&s->b, MF_POW, x, y);
}

Val *sema_scalar_binop(Sema *s, Op op, Val *a, Val *b, Span span) {
  SnDtype dt;
  bool weak;
  if (op == OP_AND || op == OP_OR) {
    if (a->dt != SN_BOOL || b->dt != SN_BOOL) {
      Diag *g = diag_error(s->diags, span, "`%s` needs bool operands, not %s and %s", op_name(op),
                           sema_type_str(s, a), sema_type_str(s, b));
      diag_hint(s->diags, g, "compare first, e.g. `x > 0 %s y > 0`", op_name(op));
      return ERR;
    }
    return sema_scalar(s, SN_BOOL, false, ir_bin(&s->b, op == OP_AND ? BIN_AND : BIN_OR, a->ir, b->ir));
  }
  if (!sema_promote(s, a, b, &dt, &weak, span, op_name(op))) return ERR;
  bool cmp = op >= OP_EQ && op <= OP_GE;
  if (dt == SN_BOOL && !(op == OP_EQ || op == OP_NE)) {
    Diag *g = diag_error(s->diags, span, "`%s` is not defined on bool values", op_name(op));
    diag_hint(s->diags, g, "use `and`, `or` and `not` for logic, or convert with i64(b)");
    return ERR;
  }
  /* true division of integers gives a float, as in Python and NumPy */
  if (op == OP_DIV && !sema_is_float(dt)) dt = INT_FLOAT_DT;
  SnDtype ct = sema_compute_dtype(dt);
  IrValue *x = sema_cast(s, a, dt, span)->ir, *y = sema_cast(s, b, dt, span)->ir;
  IrValue *r;
  if (cmp) {
    static const IrCmp cmps[] = {[OP_EQ] = CMP_EQ, [OP_NE] = CMP_NE, [OP_LT] = CMP_LT,
                                 [OP_LE] = CMP_LE, [OP_GT] = CMP_GT, [OP_GE] = CMP_GE};
    return sema_scalar(s, SN_BOOL, false, ir_cmp(&s->b, cmps[op], x, y));
  }
  switch (op) {
  case OP_ADD: r = ir_bin(&s->b, BIN_ADD, x, y); break;
  case OP_SUB: r = ir_bin(&s->b, BIN_SUB, x, y); break;
  case OP_MUL: r = ir_bin(&s->b, BIN_MUL, x, y); break;
  case OP_DIV: r = ir_bin(&s->b, BIN_DIV, x, y); break;
  case OP_MOD:
    if (sema_is_float(ct)) {
      r = float_mod(s, x, y, ct);
    } else {
      check_nonzero_divisor(s, y, ct, span);
      r = ir_bin(&s->b, BIN_REM, x, y);
    }
    break;
  case OP_POW:
    if (sema_is_float(ct)) {
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
  return sema_scalar(s, dt, weak, sema_round(s, r, dt));
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

Val *sema_elem(Sema *s, Val *t, IrValue **idx) {
  IrValue *e = ir_elem(&s->b, t->ir, t->rank, idx);
  return sema_scalar(s, t->dt, t->weak, e);
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
      bool bcast = !a->dims[d].sym && a->dims[d].c == 1 && !sema_dims_equal(c->dims[off + d], sema_dim_const(1));
      idx[d] = bcast ? sema_entry_const(s, 0) : indices[off + d]->ir;
    }
    elems[k] = sema_elem(s, a, idx);
  }
  if (!c->fn) return convert_val(s, elems[0], c->cast_to, span, c->ctx != NULL);
  return c->fn(s, elems, span, c->ctx);
}


/* Opens a comprehension over dims with elements of type dt: emits it, gives its indices in idx
 * and points the builder into its region. The caller builds the element, yields it and restores
 * the builder from *save. */
static IrInst *compr_open(Sema *s, SnDtype dt, int rank, const Dim *dims, Span span, IrBuilder *save, Val **idx) {
  IrValue *ext[SN_MAX_RANK];
  for (int d = 0; d < rank; d++) ext[d] = sema_dim_value(s, dims[d]);
  IrType tt = ir_tensor(dt, rank);
  *save = s->b;
  s->b.span = span;
  IrInst *c = ir_emit(&s->b, IR_COMPR, rank, ext, 1, &tt, 1);
  for (int d = 0; d < rank; d++) idx[d] = sema_scalar(s, SN_I64, false, ir_block_arg(s->fn, c->regions[0], ir_i64));
  s->b.block = c->regions[0];
  s->b.before = NULL;
  return c;
}

Val *sema_compr(Sema *s, SnDtype dt, int rank, const Dim *dims, ScalarFn body, void *ctx, Span span) {
  IrBuilder save;
  Val *idx[SN_MAX_RANK];
  IrInst *c = compr_open(s, dt, rank, dims, span, &save, idx);
  Val *e = body(s, idx, span, ctx);
  SnDtype rdt = dt;
  if (e->kind == V_SCALAR) {
    IrValue *y = ir_cast(&s->b, e->ir, ir_scalar(sema_compute_dtype(rdt)));
    ir_yield(&s->b, 1, &y);
  } else {
    /* an error was reported inside: keep the region well formed */
    IrValue *z = cval(s, rdt, 0);
    ir_yield(&s->b, 1, &z);
  }
  s->b = save;
  if (e->kind == V_ERROR) return ERR;
  return sema_tensor(s, rdt, rank, dims, c->res[0]);
}

/* Applies fn elementwise over the broadcast shape of args (NumPy's rules: shapes align at the
 * right and a dimension of size 1 stretches). All-scalar arguments apply fn directly. `hint` is
 * the element dtype of the result when fn is NULL (a cast). */
Val *sema_lift(Sema *s, int n, Val **args, ScalarFn fn, void *ctx, SnDtype hint, Span span) {
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
    dims[d] = sema_dim_const(1);
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
      if (sema_dims_equal(*rd, ad)) continue;
      Val *other = args[from[off + d]];
      if (!rd->sym && !ad.sym) {
        Diag *g = diag_error(s->diags, span, "shape mismatch: %s and %s cannot broadcast together",
                             sema_type_str(s, other), sema_type_str(s, a));
        diag_hint(s->diags, g, "dimension %d is %lld in one and %lld in the other; sizes must be equal or 1",
                  off + d, (long long)rd->c, (long long)ad.c);
        return ERR;
      }
      const char *what = arena_printf(s->arena, "shapes %s and %s do not match in dimension %d",
                                      sema_type_str(s, other), sema_type_str(s, a), off + d);
      sema_dims_match(s, *rd, ad, span, what);
      if (rd->sym && !ad.sym) *rd = ad; /* the constant is the more useful name */
    }
  }
  /* the element dtype: evaluate fn once on placeholder elements would be costly; instead the
   * body's result decides it (sema_compr takes the yield's dtype) */
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
      diag_error(s->diags, span, "an elementwise operation must give a number, not %s", sema_type_str(s, e));
    }
    return ERR;
  }
  ir_yield(&s->b, 1, &e->ir);
  s->b = save;
  c->res[0]->type = ir_tensor(e->dt, rank);
  Val *r = sema_tensor(s, e->dt, rank, dims, c->res[0]);
  r->weak = weak && e->weak;
  return r;
}

static Val *binop_fn(Sema *s, Val **args, Span span, void *ctx) {
  return sema_scalar_binop(s, (Op)(intptr_t)ctx, args[0], args[1], span);
}

static Val *matmul(Sema *s, Val *a, Val *b, Span span);

const char *sema_const_str(const Val *v) {
  return v->kind == V_STR && v->ir->def && v->ir->def->op == IR_STRING ? v->ir->def->str : NULL;
}

Val *sema_binop(Sema *s, Op op, Val *a, Val *b, Span span) {
  if (a->kind == V_ERROR || b->kind == V_ERROR) return ERR;
  if (op == OP_MATMUL) return matmul(s, a, b, span);
  if (op == OP_ADD && a->kind == V_STR && b->kind == V_STR) {
    if (!sema_const_str(a) || !sema_const_str(b)) {
      Diag *g = diag_error(s->diags, span, "`+` joins strings known when the program is compiled, not program arguments");
      diag_hint(s->diags, g, "join the parts before passing them, e.g. --path=dir/file.npy");
      return ERR;
    }
    Val *r = sema_val(s, V_STR);
    r->ir = ir_string(&s->b, arena_printf(s->fn->arena, "%s%s", sema_const_str(a), sema_const_str(b)));
    return r;
  }
  if ((op == OP_EQ || op == OP_NE) && a->kind == V_STR && b->kind == V_STR) {
    if (!sema_const_str(a) || !sema_const_str(b)) { /* a program argument: compared when the program runs */
      IrValue *ops[2] = {a->ir, b->ir};
      IrValue *eq = ir_call(&s->b, RT_STR_EQ, 2, ops);
      return sema_scalar(s, SN_BOOL, false, ir_cmp(&s->b, op == OP_EQ ? CMP_NE : CMP_EQ, eq, ir_const(&s->b, ir_scalar(SN_I32), 0, 0)));
    }
    bool same = strcmp(sema_const_str(a), sema_const_str(b)) == 0;
    return sema_scalar(s, SN_BOOL, false, ir_const_bool(&s->b, same == (op == OP_EQ)));
  }
  if ((a->kind != V_SCALAR && a->kind != V_TENSOR) || (b->kind != V_SCALAR && b->kind != V_TENSOR)) {
    Val *bad = a->kind != V_SCALAR && a->kind != V_TENSOR ? a : b;
    Diag *g = diag_error(s->diags, span, "`%s` needs numbers or tensors, not %s", op_name(op), sema_type_str(s, bad));
    if (bad->kind == V_RECORD) diag_hint(s->diags, g, "pick a field of the record, e.g. `r.%s`", bad->rec->n ? bad->rec->names[0] : "x");
    else if (bad->kind == V_FN) diag_hint(s->diags, g, "call the function to compute with its value, e.g. f(x)");
    return ERR;
  }
  Val *args[2] = {a, b};
  return sema_lift(s, 2, args, binop_fn, (void *)(intptr_t)op, SN_F32, span);
}

/* a @ b: vectors and matrices as NumPy's, and batches of matrices [..., n, k] @ [..., k, m] of
 * one rank and equal leading sizes (torch.matmul without broadcasting; attention's q k^T). */
static Val *matmul(Sema *s, Val *a, Val *b, Span span) {
  bool batch = a->kind == V_TENSOR && b->kind == V_TENSOR && (a->rank >= 3 || b->rank >= 3);
  if (a->kind != V_TENSOR || b->kind != V_TENSOR || a->rank < 1 || b->rank < 1 || (!batch && (a->rank > 2 || b->rank > 2)) ||
      (batch && a->rank != b->rank)) {
    Diag *g = diag_error(s->diags, span, "`@` multiplies %s, not %s and %s",
                         batch ? "batches of matrices of one rank" : "vectors and matrices", sema_type_str(s, a),
                         sema_type_str(s, b));
    diag_hint(s->diags, g, batch ? "for one matrix w against a batch x [b, n, k], flatten the batch: reshape(x, [b * n, k]) @ w"
                                 : "use `*` to multiply by a scalar");
    return ERR;
  }
  SnDtype dt;
  bool weak;
  if (!sema_promote(s, a, b, &dt, &weak, span, "@")) return ERR;
  if (dt == SN_BOOL) {
    Diag *g = diag_error(s->diags, span, "`@` multiplies numbers, not bool values");
    diag_hint(s->diags, g, "convert first, e.g. i64(x) @ i64(y)");
    return ERR;
  }
  if (weak) dt = sema_is_float(dt) ? SN_F64 : SN_I64;
  Dim k1 = a->dims[a->rank - 1], k2 = b->dims[batch ? b->rank - 2 : 0];
  if (!sema_dims_equal(k1, k2) && !k1.sym && !k2.sym) {
    Diag *g = diag_error(s->diags, span, "shape mismatch in `@`: %s @ %s", sema_type_str(s, a), sema_type_str(s, b));
    diag_hint(s->diags, g, "the last dimension of the left (%s) must equal the %s of the right (%s)",
              sema_dim_str(s, k1), batch ? "second to last" : "first", sema_dim_str(s, k2));
    return ERR;
  }
  sema_dims_match(s, k1, k2, span,
                   arena_printf(s->arena, "inner sizes of %s @ %s", sema_type_str(s, a), sema_type_str(s, b)));
  Dim dims[SN_MAX_RANK];
  int rank = 0;
  for (int d = 0; batch && d < a->rank - 2; d++) {
    Dim x = a->dims[d], y = b->dims[d];
    if (!sema_dims_equal(x, y) && !x.sym && !y.sym) {
      Diag *g = diag_error(s->diags, span, "shape mismatch in `@`: %s @ %s", sema_type_str(s, a), sema_type_str(s, b));
      diag_hint(s->diags, g, "the batch sizes (all but the last two dimensions) must be equal: dimension %d is %s and %s", d,
                sema_dim_str(s, x), sema_dim_str(s, y));
      return ERR;
    }
    sema_dims_match(s, x, y, span, arena_printf(s->arena, "batch sizes of %s @ %s", sema_type_str(s, a), sema_type_str(s, b)));
    dims[rank++] = x;
  }
  a = sema_cast(s, a, dt, span);
  b = sema_cast(s, b, dt, span);
  if (a->rank >= 2) dims[rank++] = a->dims[a->rank - 2];
  if (b->rank >= 2) dims[rank++] = b->dims[b->rank - 1];
  IrValue *ops[2] = {a->ir, b->ir};
  IrBuilder save = s->b;
  s->b.span = span;
  IrValue *r = ir_call(&s->b, RT_MATMUL, 2, ops);
  s->b = save;
  r->type = ir_tensor(dt, rank);
  if (rank == 0) {
    IrValue *e = ir_elem(&s->b, r, 0, NULL);
    return sema_scalar(s, dt, false, e);
  }
  return sema_tensor(s, dt, rank, dims, r);
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
  return sema_scalar(s, a->dt, a->weak, ir_neg(&s->b, a->ir));
}

static Val *not_fn(Sema *s, Val **args, Span span, void *ctx) {
  (void)ctx;
  if (args[0]->dt != SN_BOOL) {
    Diag *g = diag_error(s->diags, span, "`not` needs a bool, not %s", sema_type_str(s, args[0]));
    diag_hint(s->diags, g, "compare first, e.g. `not (x > 0)`");
    return ERR;
  }
  return sema_scalar(s, SN_BOOL, false, ir_not(&s->b, args[0]->ir));
}

Val *sema_unary(Sema *s, Node *n) {
  Val *a = sema_expr(s, n->a);
  if (a->kind == V_ERROR) return ERR;
  if (a->kind != V_SCALAR && a->kind != V_TENSOR) {
    diag_error(s->diags, n->span, "`%s` needs a number or a tensor, not %s", op_name((Op)n->op), sema_type_str(s, a));
    return ERR;
  }
  /* fold negative literals so they stay constants (dims, literals) */
  if (n->op == OP_NEG && a->kind == V_SCALAR && a->weak && a->ir->def && a->ir->def->op == IR_CONST) {
    if (sema_is_float(a->dt)) return sema_scalar(s, a->dt, true, ir_const_f(&s->b, SN_F64, -a->ir->def->imm.f));
    return sema_scalar(s, a->dt, true, ir_const_i64(&s->b, (int64_t)(0 - (uint64_t)a->ir->def->imm.i)));
  }
  Val *args[1] = {a};
  return sema_lift(s, 1, args, n->op == OP_NEG ? neg_fn : not_fn, NULL, a->dt, n->span);
}
