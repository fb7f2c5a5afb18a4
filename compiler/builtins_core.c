/* builtins_core.c: the core builtins: elementwise math, whole-tensor reductions, conversions,
 * constructors, shapes, print and check (a row is described in builtins.h). Elementwise
 * functions are lifted over tensors as lazy comprehensions; constructors such as zeros and
 * arange are lazy too, so `sum(i) arange(n)[i]` allocates nothing. */
#include "builtins.h"
#include "interp.h"

#include <math.h>
#include <string.h>

/* --- elementwise functions ----------------------------------------------------------------------- */

/* The argument of an elementwise function: a number or a tensor of numbers. */
static bool need_number(Sema *s, const Builtin *b, const Arg *a) {
  if (a->v->kind == V_SCALAR || a->v->kind == V_TENSOR) return true;
  diag_error(s->diags, a->span, "`%s` needs a number or a tensor, not %s", b->name, sema_type_str(s, a->v));
  return false;
}

/* An element an elementwise function computes with: a number, not a bool. */
static bool need_not_bool(Sema *s, const Builtin *b, const Val *x, Span span) {
  if (x->dt != SN_BOOL) return true;
  Diag *g = diag_error(s->diags, span, "`%s` needs a number, not a bool", b->name);
  diag_hint(s->diags, g, "convert it first, e.g. f32(b)");
  return false;
}

/* exp, log, ...: the math function `data` (an IrMathFn) of one element. */
static Val *math_fn(Sema *s, Val **args, Span span, void *ctx) {
  const Builtin *b = ctx;
  IrMathFn fn = (IrMathFn)b->data;
  Val *x = args[0];
  if (!need_not_bool(s, b, x, span)) return ERR;
  SnDtype dt = x->dt;
  if (fn == MF_ABS && !sema_is_float(dt)) {
    IrValue *neg = ir_cmp(&s->b, CMP_LT, x->ir, ir_const(&s->b, ir_scalar(dt), 0, 0));
    return sema_scalar(s, dt, x->weak, ir_select(&s->b, neg, ir_neg(&s->b, x->ir), x->ir));
  }
  if ((fn == MF_FLOOR || fn == MF_CEIL || fn == MF_ROUND) && !sema_is_float(dt)) return x;
  if (!sema_is_float(dt)) dt = INT_FLOAT_DT;
  IrValue *xv = ir_cast(&s->b, x->ir, ir_scalar(sema_compute_dtype(dt)));
  IrValue *r = ir_math(&s->b, fn, xv, NULL);
  if (fn == MF_ISNAN) return sema_scalar(s, SN_BOOL, false, r);
  return sema_scalar(s, dt, x->weak, sema_round(s, r, dt));
}

/* The functions made of others (`data` says which). */
typedef enum { F_SIGMOID, F_RELU, F_SOFTPLUS, F_SIGN, F_ISFINITE } Special;

static IrValue *fconst(Sema *s, SnDtype ct, double v) { return ir_const_f(&s->b, ct, v); }

static Val *special_fn(Sema *s, Val **args, Span span, void *ctx) {
  const Builtin *b = ctx;
  Special k = (Special)b->data;
  Val *x = args[0];
  if (!need_not_bool(s, b, x, span)) return ERR;
  if (k == F_ISFINITE) { /* |x| < inf is false for the infinities and NaN */
    if (!sema_is_float(x->dt)) return sema_scalar(s, SN_BOOL, false, ir_const_bool(&s->b, true));
    SnDtype ct = sema_compute_dtype(x->dt);
    IrValue *m = ir_math(&s->b, MF_ABS, x->ir, NULL);
    return sema_scalar(s, SN_BOOL, false, ir_cmp(&s->b, CMP_LT, m, fconst(s, ct, INFINITY)));
  }
  SnDtype dt = sema_is_float(x->dt) ? x->dt : INT_FLOAT_DT;
  if (k == F_RELU && !sema_is_float(x->dt)) {
    IrValue *z = ir_const(&s->b, ir_scalar(x->dt), 0, 0);
    return sema_scalar(s, x->dt, x->weak, ir_bin(&s->b, BIN_MAX, x->ir, z));
  }
  SnDtype ct = sema_compute_dtype(dt);
  IrValue *v = ir_cast(&s->b, x->ir, ir_scalar(ct)), *r;
  IrValue *zero = fconst(s, ct, 0), *one = fconst(s, ct, 1);
  switch (k) {
  case F_SIGMOID: {
    /* 1/(1+e^-x) for x >= 0, e^x/(1+e^x) otherwise: no overflow either way */
    IrValue *e = ir_math(&s->b, MF_EXP, ir_neg(&s->b, ir_math(&s->b, MF_ABS, v, NULL)), NULL);
    IrValue *pos = ir_bin(&s->b, BIN_DIV, one, ir_bin(&s->b, BIN_ADD, one, e));
    IrValue *neg = ir_bin(&s->b, BIN_DIV, e, ir_bin(&s->b, BIN_ADD, one, e));
    r = ir_select(&s->b, ir_cmp(&s->b, CMP_GE, v, zero), pos, neg);
    r = ir_select(&s->b, ir_math(&s->b, MF_ISNAN, v, NULL), v, r);
    break;
  }
  case F_RELU: r = ir_bin(&s->b, BIN_MAX, v, zero); break;
  case F_SOFTPLUS: {
    /* max(x, 0) + log1p(e^-|x|) */
    IrValue *e = ir_math(&s->b, MF_EXP, ir_neg(&s->b, ir_math(&s->b, MF_ABS, v, NULL)), NULL);
    r = ir_bin(&s->b, BIN_ADD, ir_bin(&s->b, BIN_MAX, v, zero), ir_math(&s->b, MF_LOG1P, e, NULL));
    break;
  }
  case F_SIGN: {
    IrValue *p = ir_select(&s->b, ir_cmp(&s->b, CMP_GT, v, zero), one, zero);
    IrValue *n = ir_select(&s->b, ir_cmp(&s->b, CMP_LT, v, zero), one, zero);
    r = ir_bin(&s->b, BIN_SUB, p, n);
    r = ir_select(&s->b, ir_math(&s->b, MF_ISNAN, v, NULL), v, r);
    if (!sema_is_float(x->dt)) return sema_scalar(s, x->dt, x->weak, ir_cast(&s->b, r, ir_scalar(x->dt)));
    break;
  }
  default: r = v;
  }
  return sema_scalar(s, dt, x->weak, sema_round(s, r, dt));
}

static Val *b_math(Sema *s, const Builtin *b, Arg *args, Node *call) {
  if (!need_number(s, b, &args[0])) return ERR;
  return sema_lift(s, 1, &args[0].v, math_fn, (void *)b, SN_F32, call->span);
}

static Val *b_special(Sema *s, const Builtin *b, Arg *args, Node *call) {
  if (!need_number(s, b, &args[0])) return ERR;
  return sema_lift(s, 1, &args[0].v, special_fn, (void *)b, SN_F32, call->span);
}

/* The common type of two numbers, as + promotes them (its weak flag too), or ERR. */
static Val *promoted(Sema *s, Val *x, Val *y, Span span) {
  Val tmp = *x;
  return sema_scalar_binop(s, OP_ADD, &tmp, y, span);
}

/* atan2(y, x), hypot(x, y): the math function `data` of two numbers in their common float type. */
static Val *math2_fn(Sema *s, Val **args, Span span, void *ctx) {
  const Builtin *b = ctx;
  for (int i = 0; i < 2; i++)
    if (!need_not_bool(s, b, args[i], span)) return ERR;
  Val *common = promoted(s, args[0], args[1], span);
  if (common->kind == V_ERROR) return ERR;
  SnDtype dt = sema_is_float(common->dt) ? common->dt : INT_FLOAT_DT;
  IrType ct = ir_scalar(sema_compute_dtype(dt));
  IrValue *x = ir_cast(&s->b, args[0]->ir, ct), *y = ir_cast(&s->b, args[1]->ir, ct);
  return sema_scalar(s, dt, common->weak, sema_round(s, ir_math(&s->b, (IrMathFn)b->data, x, y), dt));
}

/* A math function of two arguments; pow is the operator ^, with its rules for integers. */
static Val *b_math2(Sema *s, const Builtin *b, Arg *args, Node *call) {
  if (b->data == MF_POW) return sema_binop(s, OP_POW, args[0].v, args[1].v, call->span);
  for (int i = 0; i < 2; i++)
    if (!need_number(s, b, &args[i])) return ERR;
  Val *xy[2] = {args[0].v, args[1].v};
  return sema_lift(s, 2, xy, math2_fn, (void *)b, SN_F32, call->span);
}

/* min(x, y), max(x, y), clamp: BIN_MIN or BIN_MAX (ctx) in the operands' common type. */
static Val *minmax_fn(Sema *s, Val **args, Span span, void *ctx) {
  IrBinOp op = (IrBinOp)(intptr_t)ctx;
  Val *common = promoted(s, args[0], args[1], span);
  if (common->kind == V_ERROR) return ERR;
  SnDtype dt = common->dt;
  IrValue *x = sema_cast(s, args[0], dt, span)->ir, *y = sema_cast(s, args[1], dt, span)->ir;
  return sema_scalar(s, dt, common->weak, ir_bin(&s->b, op, x, y));
}

static Val *b_reduce(Sema *s, const Builtin *b, Arg *args, Node *call);

/* max(x) reduces x (over `axis=`); max(x, y) is elementwise (`data`: RED_MAX or RED_MIN). */
static Val *b_minmax(Sema *s, const Builtin *b, Arg *args, Node *call) {
  if (!args[1].v) return b_reduce(s, b, (Arg[]){args[0], args[2], args[3]}, call);
  if (args[2].node || args[3].v) {
    Diag *g = diag_error(s->diags, args[2].node ? args[2].span : args[3].span, "`%s` of two values takes no axis", b->name);
    diag_hint(s->diags, g, "%s(x, y) is elementwise; %s(x, axis=0) reduces x", b->name, b->name);
    return ERR;
  }
  for (int i = 0; i < 2; i++)
    if (!need_number(s, b, &args[i])) return ERR;
  Val *xy[2] = {args[0].v, args[1].v};
  return sema_lift(s, 2, xy, minmax_fn, (void *)(intptr_t)(b->data == RED_MAX ? BIN_MAX : BIN_MIN), SN_F32, call->span);
}

static Val *b_clamp(Sema *s, const Builtin *b, Arg *args, Node *call) {
  for (int i = 0; i < 3; i++)
    if (!need_number(s, b, &args[i])) return ERR;
  Val *lo[2] = {args[0].v, args[1].v};
  Val *t = sema_lift(s, 2, lo, minmax_fn, (void *)(intptr_t)BIN_MAX, SN_F32, call->span);
  if (t->kind == V_ERROR) return ERR;
  Val *hi[2] = {t, args[2].v};
  return sema_lift(s, 2, hi, minmax_fn, (void *)(intptr_t)BIN_MIN, SN_F32, call->span);
}

static Val *where_fn(Sema *s, Val **args, Span span, void *ctx) {
  (void)ctx;
  if (args[0]->dt != SN_BOOL) {
    diag_error(s->diags, span, "the condition of where must be bool, not %s", sema_type_str(s, args[0]));
    return ERR;
  }
  bool bx = args[1]->dt == SN_BOOL, by = args[2]->dt == SN_BOOL;
  if (bx && by) return sema_scalar(s, SN_BOOL, false, ir_select(&s->b, args[0]->ir, args[1]->ir, args[2]->ir));
  if (bx != by) {
    Diag *g = diag_error(s->diags, span, "the branches of where must both be bool or both numbers, not %s and %s",
                         sema_type_str(s, args[1]), sema_type_str(s, args[2]));
    diag_hint(s->diags, g, "convert the bool one to a number with i64(...), or the number to bool with bool(...)");
    return ERR;
  }
  Val *common = promoted(s, args[1], args[2], span);
  if (common->kind == V_ERROR) return ERR;
  IrValue *x = sema_cast(s, args[1], common->dt, span)->ir, *y = sema_cast(s, args[2], common->dt, span)->ir;
  return sema_scalar(s, common->dt, common->weak, ir_select(&s->b, args[0]->ir, x, y));
}

static Val *b_where(Sema *s, const Builtin *b, Arg *args, Node *call) {
  for (int i = 0; i < 3; i++)
    if (!need_number(s, b, &args[i])) return ERR;
  Val *cxy[3] = {args[0].v, args[1].v, args[2].v};
  return sema_lift(s, 3, cxy, where_fn, NULL, SN_F32, call->span);
}

/* --- reductions and conversions ------------------------------------------------------------------- */

/* --- over axes: reductions, var and std, softmax, scans -------------------------------------------- */

/* The axes a call reduces (or scans, or normalises) of the tensor x, and the result's shape. */
typedef struct Axes {
  Val *x;
  unsigned mask; /* bit d: axis d */
  bool keepdims; /* reduced axes stay, of size 1 */
  int rank;      /* the result's */
  Dim dims[SN_MAX_RANK];
} Axes;

/* The value of an integer (an axis) or bool (keepdims) argument known when compiling, or false
 * after an error. */
static bool const_arg(Sema *s, const Builtin *b, Val *v, Span span, bool want_bool, int64_t *out) {
  IrValue *c = v->kind == V_SCALAR ? ir_val(v->ir) : NULL;
  if (c && (want_bool ? v->dt == SN_BOOL : sema_is_int(v->dt)) && c->def && c->def->op == IR_CONST) {
    *out = c->def->imm.i;
    return true;
  }
  if (v->kind == V_ERROR) return false;
  if (want_bool) {
    diag_error(s->diags, span, "keepdims= of `%s` must be true or false, written as such", b->name);
    return false;
  }
  Diag *g = c && sema_is_int(v->dt)
                ? diag_error(s->diags, span, "the axis of `%s` must be known when the program is compiled", b->name)
                : diag_error(s->diags, span, "the axis of `%s` must be an integer, not %s", b->name, sema_type_str(s, v));
  diag_hint(s->diags, g, "axis=0 is the first dimension, axis=-1 the last");
  return false;
}

/* The axes that `axis=` names in b's call on x, and the result's shape (with ax->keepdims, set
 * before): an integer constant, or a list of them when `many`; negative ones count from the end,
 * as in NumPy. Left out: every axis when `all`, else the last one. */
static bool axes_of(Sema *s, const Builtin *b, const Arg *xa, const Arg *axis, bool many, bool all, Axes *ax) {
  Val *x = ax->x = xa->v;
  Node *n = axis->node;
  if (x->kind != V_TENSOR || x->rank == 0) {
    if (x->kind != V_ERROR) diag_error(s->diags, xa->span, "`%s` needs a tensor with an axis, not %s", b->name, sema_type_str(s, x));
    return false;
  }
  ax->mask = 0;
  if (!n) ax->mask = all ? (1u << x->rank) - 1 : 1u << (x->rank - 1);
  Node **items = &n;
  int count = n ? 1 : 0;
  if (n && n->kind == A_LIST) {
    if (!many) {
      Diag *g = diag_error(s->diags, n->span, "`%s` takes one axis", b->name);
      diag_hint(s->diags, g, "give it as an integer: axis=-1");
      return false;
    }
    items = (Node **)n->list.items, count = n->list.n;
    if (!count) {
      diag_error(s->diags, n->span, "`axis=[]` names no axis");
      return false;
    }
  }
  for (int i = 0; i < count; i++) {
    int64_t a;
    if (!const_arg(s, b, sema_expr(s, items[i]), items[i]->span, false, &a)) return false;
    if (a < -x->rank || a >= x->rank) {
      Diag *g = diag_error(s->diags, items[i]->span, "axis %lld is out of range for %s", (long long)a, sema_type_str(s, x));
      diag_hint(s->diags, g, "its axes are 0 to %d, or -%d to -1 counting from the end", x->rank - 1, x->rank);
      return false;
    }
    if (a < 0) a += x->rank;
    if (ax->mask >> a & 1) {
      diag_error(s->diags, items[i]->span, "axis %lld is named twice", (long long)a);
      return false;
    }
    ax->mask |= 1u << a;
  }
  ax->rank = 0;
  for (int d = 0; d < x->rank; d++)
    if (!(ax->mask >> d & 1)) ax->dims[ax->rank++] = x->dims[d];
    else if (ax->keepdims) ax->dims[ax->rank++] = sema_dim_const(1);
  return true;
}

/* The indices of x's kept axes at an element of the result (idx: the result's indices). */
static void kept_at(const Axes *ax, Val **idx, IrValue **at) {
  for (int d = 0, r = 0; d < ax->x->rank; d++) {
    bool reduced = ax->mask >> d & 1;
    if (!reduced) at[d] = idx[r]->ir;
    r += !reduced || ax->keepdims;
  }
}

/* An element of the result of a call over axes: body(at), at holding x's kept axes' indices. */
typedef Val *(*AxesBody)(Sema *s, const Axes *ax, IrValue **at, Span span, void *ctx);

typedef struct OverCtx {
  const Axes *ax;
  AxesBody body;
  void *ctx;
} OverCtx;

static Val *over_elem(Sema *s, Val **idx, Span span, void *vctx) {
  OverCtx *c = vctx;
  IrValue *at[SN_MAX_RANK];
  kept_at(c->ax, idx, at);
  return c->body(s, c->ax, at, span, c->ctx);
}

/* The result of a call over axes, of type dt: a number when no axis is left, else a lazy tensor. */
static Val *over_axes(Sema *s, const Axes *ax, SnDtype dt, AxesBody body, void *ctx, Span span) {
  if (ax->rank == 0) return body(s, ax, NULL, span, ctx);
  OverCtx c = {ax, body, ctx};
  return sema_compr(s, dt, ax->rank, ax->dims, over_elem, &c, span);
}

static Val *reduce_body(Sema *s, const Axes *ax, IrValue **at, Span span, void *ctx) {
  return sema_reduce_axes(s, *(RedKind *)ctx, ax->x, ax->mask, at, NULL, NULL, span);
}

/* The keepdims= argument (false when left out). */
static bool keepdims_of(Sema *s, const Builtin *b, const Arg *k, Axes *ax) {
  int64_t c = 0;
  if (k->v && !const_arg(s, b, k->v, k->span, true, &c)) return false;
  ax->keepdims = c != 0;
  return true;
}

/* sum(x), mean(x), ...: every element of x reduced, or the axes `axis=` names (`data`: the
 * RedKind); argmax and argmin over one axis give the index along it, as NumPy's. */
static Val *b_reduce(Sema *s, const Builtin *b, Arg *args, Node *call) {
  RedKind k = (RedKind)b->data;
  Axes ax = {0};
  if (!keepdims_of(s, b, &args[2], &ax)) return ERR;
  if (!args[1].node && !ax.keepdims) return sema_reduce_all(s, k, args[0].v, call->span);
  if (!axes_of(s, b, &args[0], &args[1], red_info[k].result != RR_INDEX, true, &ax)) return ERR;
  if (ax.mask == (1u << ax.x->rank) - 1 && !ax.keepdims) return sema_reduce_all(s, k, ax.x, call->span);
  return over_axes(s, &ax, sema_reduce_dtype(k, ax.x->dt), reduce_body, &k, call->span);
}

/* The number of values reduced over ax's axes (an i64). */
static IrValue *reduced_count(Sema *s, const Axes *ax) {
  IrValue *n = ir_const_i64(&s->b, 1);
  for (int d = 0; d < ax->x->rank; d++)
    if (ax->mask >> d & 1) n = ir_bin(&s->b, BIN_MUL, n, sema_dim_value(s, ax->x->dims[d]));
  return n;
}

/* An element of a 16-bit float tensor in f32: statistics of f16 and bf16 compute in f32 and
 * round their result once. */
static Val *widened(Sema *s, Val **e, Span span, void *ctx) {
  (void)span, (void)ctx;
  SnDtype ct = sema_compute_dtype(e[0]->dt);
  return ct == e[0]->dt ? e[0] : sema_scalar(s, ct, false, ir_cast(&s->b, e[0]->ir, ir_scalar(ct)));
}

/* (e - mean)^2 (ctx: the mean) */
static Val *sq_dev(Sema *s, Val **e, Span span, void *ctx) {
  Val *d = sema_binop(s, OP_SUB, widened(s, e, span, NULL), ctx, span);
  return sema_binop(s, OP_MUL, d, d, span);
}

typedef struct VarCtx {
  Val *dof;  /* n - ddof, a weak f64 */
  bool sqrt; /* std */
  SnDtype dt;
} VarCtx;

/* The sum of squared deviations from the mean over n - ddof: two passes, as NumPy's. */
static Val *var_body(Sema *s, const Axes *ax, IrValue **at, Span span, void *vctx) {
  VarCtx *c = vctx;
  Val *m = sema_reduce_axes(s, RED_MEAN, ax->x, ax->mask, at, widened, NULL, span);
  if (m->kind == V_ERROR) return ERR;
  Val *v = sema_binop(s, OP_DIV, sema_reduce_axes(s, RED_SUM, ax->x, ax->mask, at, sq_dev, m, span), c->dof, span);
  if (v->kind == V_ERROR) return ERR;
  IrValue *r = c->sqrt ? ir_math(&s->b, MF_SQRT, v->ir, NULL) : v->ir;
  return sema_scalar(s, c->dt, false, sema_round(s, r, c->dt));
}

/* var(x, axis=, ddof=0, keepdims=false), std (`data`: 1): NumPy's, over every element unless
 * axis= names some. The divisor n - ddof must be positive: an error when compiling if n and
 * ddof are known, else when the program runs (NumPy gives inf or nan with a warning). */
static Val *b_var(Sema *s, const Builtin *b, Arg *args, Node *call) {
  Axes ax = {0};
  if (!keepdims_of(s, b, &args[3], &ax) || !axes_of(s, b, &args[0], &args[1], true, true, &ax)) return ERR;
  if (ax.x->dt == SN_BOOL) {
    Diag *g = diag_error(s->diags, args[0].span, "`%s` needs numbers, not %s", b->name, sema_type_str(s, ax.x));
    diag_hint(s->diags, g, "convert it first, e.g. f64(b)");
    return ERR;
  }
  IrValue *n = reduced_count(s, &ax), *ddof = args[2].v ? ir_cast(&s->b, args[2].v->ir, ir_i64) : ir_const_i64(&s->b, 0);
  int64_t cn, cd;
  Span at = args[2].v ? args[2].span : call->span;
  if (ir_is_const_int(n, &cn) && ir_is_const_int(ddof, &cd)) {
    if (cn - cd <= 0) {
      Diag *g = diag_error(s->diags, at, "`%s` of %lld value%s with ddof=%lld divides by %lld", b->name, (long long)cn,
                           cn == 1 ? "" : "s", (long long)cd, (long long)(cn - cd));
      diag_hint(s->diags, g, "ddof must be less than the number of values reduced (the divisor is n - ddof)");
      return ERR;
    }
  } else {
    IrValue *ok = ir_cmp(&s->b, CMP_GT, n, ddof);
    IrBuilder save = s->b;
    s->b.span = at;
    ir_check(&s->b, CHECK_TRUE, 1, &ok,
             arena_printf(s->arena, "%s: ddof is not less than the number of values reduced (the divisor n - ddof would not be positive)", b->name));
    s->b = save;
  }
  IrValue *dof = ir_cast(&s->b, ir_bin(&s->b, BIN_SUB, n, ddof), ir_scalar(SN_F64));
  VarCtx c = {sema_scalar(s, SN_F64, true, dof), b->data, sema_is_float(ax.x->dt) ? ax.x->dt : INT_FLOAT_DT};
  return over_axes(s, &ax, c.dt, var_body, &c, call->span);
}

/* softmax and log_softmax over one axis, as PyTorch's: with m the axis's maximum and
 * s = sum(exp(x - m)), exp(x - m) / s and x - m - log(s), computed in f32 or f64 and rounded
 * once. The maxima and sums are lazy tensors that fusion stores (they hold reductions). */
typedef struct SoftCtx {
  Axes ax;
  Val *m, *sum; /* per kept element: numbers, or tensors over the kept axes */
  bool log;
} SoftCtx;

static Val *exp_dev(Sema *s, Val **e, Span span, void *ctx) {
  (void)span;
  Val *m = ctx;
  IrValue *d = ir_bin(&s->b, BIN_SUB, ir_cast(&s->b, e[0]->ir, ir_scalar(m->dt)), m->ir);
  return sema_scalar(s, m->dt, false, ir_math(&s->b, MF_EXP, d, NULL));
}

/* max over the axis, in the compute type */
static Val *soft_max(Sema *s, const Axes *ax, IrValue **at, Span span, void *ctx) {
  (void)ctx;
  return sema_reduce_axes(s, RED_MAX, ax->x, ax->mask, at, widened, NULL, span);
}

static Val *soft_sum(Sema *s, const Axes *ax, IrValue **at, Span span, void *ctx) {
  Val *m = soft_max(s, ax, at, span, ctx);
  return m->kind == V_ERROR ? ERR : sema_reduce_axes(s, RED_SUM, ax->x, ax->mask, at, exp_dev, m, span);
}

/* t (a number, or a tensor over the kept axes) at an element of x */
static Val *kept_elem(Sema *s, const Axes *ax, Val *t, Val **idx) {
  if (t->kind != V_TENSOR) return t;
  IrValue *at[SN_MAX_RANK];
  int r = 0;
  for (int d = 0; d < ax->x->rank; d++)
    if (!(ax->mask >> d & 1)) at[r++] = idx[d]->ir;
  return sema_elem(s, t, at);
}

static Val *soft_elem(Sema *s, Val **idx, Span span, void *vctx) {
  (void)span;
  SoftCtx *c = vctx;
  IrValue *at[SN_MAX_RANK];
  for (int d = 0; d < c->ax.x->rank; d++) at[d] = idx[d]->ir;
  Val *e = sema_elem(s, c->ax.x, at), *m = kept_elem(s, &c->ax, c->m, idx), *sum = kept_elem(s, &c->ax, c->sum, idx);
  IrValue *d = ir_bin(&s->b, BIN_SUB, ir_cast(&s->b, e->ir, ir_scalar(m->dt)), m->ir);
  IrValue *r = c->log ? ir_bin(&s->b, BIN_SUB, d, ir_math(&s->b, MF_LOG, sum->ir, NULL))
                      : ir_bin(&s->b, BIN_DIV, ir_math(&s->b, MF_EXP, d, NULL), sum->ir);
  return sema_scalar(s, e->dt, false, sema_round(s, r, e->dt));
}

/* softmax(x, axis=-1), log_softmax (`data`: 1) */
static Val *b_softmax(Sema *s, const Builtin *b, Arg *args, Node *call) {
  SoftCtx c = {.log = b->data};
  if (!axes_of(s, b, &args[0], &args[1], false, false, &c.ax)) return ERR;
  Val *x = c.ax.x;
  if (!sema_is_float(x->dt)) {
    Diag *g = diag_error(s->diags, args[0].span, "`%s` needs floats, not %s", b->name, sema_type_str(s, x));
    diag_hint(s->diags, g, "convert it first, e.g. %s(f32(x)); PyTorch refuses integers too", b->name);
    return ERR;
  }
  SnDtype ct = sema_compute_dtype(x->dt);
  c.m = over_axes(s, &c.ax, ct, soft_max, NULL, call->span);
  c.sum = over_axes(s, &c.ax, ct, soft_sum, NULL, call->span);
  if (c.m->kind == V_ERROR || c.sum->kind == V_ERROR) return ERR;
  return sema_compr(s, x->dt, x->rank, x->dims, soft_elem, &c, call->span);
}

/* cumsum(x, axis=), cumprod (`data`: the RtFn): in order along the axis, or over x flattened
 * when axis= is left out (NumPy's default); integers and bools give i64, as NumPy's. */
static Val *b_scan(Sema *s, const Builtin *b, Arg *args, Node *call) {
  Axes ax = {0};
  if (!axes_of(s, b, &args[0], &args[1], false, false, &ax)) return ERR;
  Val *x = ax.x;
  if (x->dt == SN_BOOL && b->data == RT_CUMPROD) {
    Diag *g = diag_error(s->diags, args[0].span, "`cumprod` of bool values");
    diag_hint(s->diags, g, "convert with i64(b) first; cumsum counts the true values");
    return ERR;
  }
  int rank = x->rank;
  Dim dims[SN_MAX_RANK];
  memcpy(dims, x->dims, sizeof dims);
  int axis = -1;
  if (args[1].node) {
    axis = __builtin_ctz(ax.mask);
  } else if (rank != 1) {
    IrValue *sizes[SN_MAX_RANK];
    for (int d = 0; d < rank; d++) sizes[d] = sema_dim_value(s, x->dims[d]);
    IrValue *n = ir_size_product(&s->b, rank, sizes, "the number of elements overflows 64 bits");
    rank = 1;
    dims[0] = sema_dim_of_value(s, n, arena_printf(s->arena, "numel(%s)", sema_src_text(s, args[0].span)));
  }
  SnDtype dt = sema_is_float(x->dt) ? x->dt : SN_I64;
  IrValue *ops[2] = {x->ir, ir_const_i64(&s->b, axis)};
  IrBuilder save = s->b;
  s->b.span = call->span;
  IrValue *t = ir_call(&s->b, b->data, 2, ops);
  s->b = save;
  t->type = ir_tensor(dt, rank);
  return sema_tensor(s, dt, rank, dims, t);
}

static Val *convert(Sema *s, const Builtin *b, Arg *x, SnDtype dt, Node *call) {
  if (!need_number(s, b, x)) return ERR;
  Val *v = x->v;
  if (v->kind == V_SCALAR && v->dt == dt && !v->weak) return v;
  if (dt == SN_BOOL) {
    Val *z = sema_scalar(s, SN_I64, true, ir_const_i64(&s->b, 0));
    return sema_binop(s, OP_NE, v, z, call->span);
  }
  return sema_explicit_cast(s, v, dt, call->span);
}

/* f32(x), i64(x), ...: x converted to the dtype `data`. */
static Val *b_cast(Sema *s, const Builtin *b, Arg *args, Node *call) {
  return convert(s, b, &args[0], (SnDtype)b->data, call);
}

/* cast(x, dtype=T): x converted to a type given by name or by a value (generic code converts to
 * the type of its data: cast(w, dtype=C)). */
static Val *b_cast_to(Sema *s, const Builtin *b, Arg *args, Node *call) {
  if (!args[1].node) {
    Diag *g = diag_error(s->diags, call->span, "`cast` needs the type: cast(x, dtype=f32)");
    diag_hint(s->diags, g, "dtype may also be a value, whose type is taken: cast(x, dtype=y)");
    return ERR;
  }
  return convert(s, b, &args[0], args[1].dt, call);
}

/* epsilon(x): the machine epsilon of x's floating-point type, as an f64 (numpy's finfo.eps). */
static Val *b_epsilon(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)call;
  Val *v = args[0].v;
  if ((v->kind != V_SCALAR && v->kind != V_TENSOR) || !sema_is_float(v->dt)) {
    diag_error(s->diags, args[0].span, "`%s` needs a floating-point value, not %s", b->name, sema_type_str(s, v));
    return ERR;
  }
  int bits = v->weak ? 52 : v->dt == SN_F64 ? 52 : v->dt == SN_F32 ? 23 : v->dt == SN_F16 ? 10 : 7;
  return sema_scalar(s, SN_F64, false, ir_const_f(&s->b, SN_F64, ldexp(1.0, -bits)));
}

/* --- constructors --------------------------------------------------------------------------------- */

typedef struct FillCtx {
  SnDtype dt;
  Val *value;
} FillCtx;

static Val *fill_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)idx;
  FillCtx *c = vctx;
  return sema_cast(s, c->value, c->dt, span);
}

/* zeros(shape), ones(shape): the constant `data`. */
static Val *b_fill(Sema *s, const Builtin *b, Arg *args, Node *call) {
  FillCtx fc = {args[1].dt, sema_scalar(s, SN_F64, true, ir_const_f(&s->b, SN_F64, b->data))};
  return sema_compr(s, fc.dt, args[0].rank, args[0].dims, fill_body, &fc, call->span);
}

/* full(shape, value): of value's type unless a dtype is given (a float literal gives f32). */
static Val *b_full(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  Val *value = args[1].v;
  if (value->kind != V_SCALAR) {
    diag_error(s->diags, args[1].span, "the fill value must be a number, not %s", sema_type_str(s, value));
    return ERR;
  }
  SnDtype dt = args[2].node ? args[2].dt : value->weak ? (sema_is_float(value->dt) ? SN_F32 : SN_I64) : value->dt;
  FillCtx fc = {dt, value};
  return sema_compr(s, dt, args[0].rank, args[0].dims, fill_body, &fc, call->span);
}

typedef struct RangeCtx {
  SnDtype dt;
  IrValue *start, *step; /* in the compute type */
} RangeCtx;

static Val *range_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)span;
  RangeCtx *c = vctx;
  SnDtype ct = sema_compute_dtype(c->dt);
  IrValue *i = ir_cast(&s->b, idx[0]->ir, ir_scalar(ct));
  IrValue *v = ir_bin(&s->b, BIN_ADD, c->start, ir_bin(&s->b, BIN_MUL, i, c->step));
  return sema_scalar(s, c->dt, false, sema_round(s, v, c->dt));
}

/* arange(n) | arange(start, stop) | arange(start, stop, step), NumPy's rules */
static Val *b_arange(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  Val *zero = sema_scalar(s, SN_I64, true, ir_const_i64(&s->b, 0));
  Val *start = args[1].v ? args[0].v : zero, *stop = args[1].v ? args[1].v : args[0].v;
  Val *step = args[2].v ? args[2].v : sema_scalar(s, SN_I64, true, ir_const_i64(&s->b, 1));
  SnDtype dt = args[3].dt;
  Val *v3[3] = {start, stop, step};
  bool any_float = false;
  for (int i = 0; i < 3; i++) {
    if (v3[i]->kind != V_SCALAR || v3[i]->dt == SN_BOOL) {
      diag_error(s->diags, call->span, "arange needs numbers, not %s", sema_type_str(s, v3[i]));
      return ERR;
    }
    any_float |= sema_is_float(v3[i]->dt);
  }
  if (!args[3].node) dt = any_float ? SN_F32 : SN_I64;
  IrValue *len;
  if (!any_float) {
    IrValue *lo = ir_cast(&s->b, start->ir, ir_i64), *hi = ir_cast(&s->b, stop->ir, ir_i64),
            *st = ir_cast(&s->b, step->ir, ir_i64);
    int64_t c;
    if (!(ir_is_const_int(st, &c) && c != 0)) {
      IrValue *nz = ir_cmp(&s->b, CMP_NE, st, ir_const_i64(&s->b, 0));
      IrBuilder save = s->b;
      s->b.span = call->span;
      ir_check(&s->b, CHECK_TRUE, 1, &nz, "arange with a step of 0");
      s->b = save;
    }
    /* ceil((hi - lo) / st) for either sign of st, at least 0 */
    int64_t clo, chi, cst;
    if (ir_is_const_int(lo, &clo) && ir_is_const_int(hi, &chi) && ir_is_const_int(st, &cst) && cst != 0) {
      int64_t n = cst > 0 ? (chi - clo + cst - 1) / cst : (clo - chi - cst - 1) / -cst;
      len = ir_const_i64(&s->b, n < 0 ? 0 : n);
    } else {
      IrValue *diff = ir_bin(&s->b, BIN_SUB, hi, lo);
      IrValue *pos = ir_cmp(&s->b, CMP_GT, st, ir_const_i64(&s->b, 0));
      IrValue *adj = ir_select(&s->b, pos, ir_bin(&s->b, BIN_SUB, st, ir_const_i64(&s->b, 1)),
                               ir_bin(&s->b, BIN_ADD, st, ir_const_i64(&s->b, 1)));
      IrValue *q = ir_cast(&s->b, ir_bin(&s->b, BIN_DIV, ir_cast(&s->b, ir_bin(&s->b, BIN_ADD, diff, adj), ir_scalar(SN_F64)),
                                         ir_cast(&s->b, st, ir_scalar(SN_F64))), ir_i64);
      len = ir_bin(&s->b, BIN_MAX, q, ir_const_i64(&s->b, 0));
    }
  } else {
    IrValue *lo = ir_cast(&s->b, start->ir, ir_scalar(SN_F64)), *hi = ir_cast(&s->b, stop->ir, ir_scalar(SN_F64)),
            *st = ir_cast(&s->b, step->ir, ir_scalar(SN_F64));
    IrValue *q = ir_math(&s->b, MF_CEIL, ir_bin(&s->b, BIN_DIV, ir_bin(&s->b, BIN_SUB, hi, lo), st), NULL);
    q = ir_bin(&s->b, BIN_MAX, q, ir_const_f(&s->b, SN_F64, 0));
    IrValue *fin = ir_cmp(&s->b, CMP_LT, q, ir_const_f(&s->b, SN_F64, 9.0e18));
    IrBuilder save = s->b;
    s->b.span = call->span;
    ir_check(&s->b, CHECK_TRUE, 1, &fin, "arange: the step does not reach the stop");
    s->b = save;
    len = ir_cast(&s->b, q, ir_i64);
  }
  Dim d = sema_dim_of_value(s, len, sema_src_text(s, call->span));
  SnDtype ct = sema_compute_dtype(dt);
  RangeCtx rc = {dt, ir_cast(&s->b, sema_cast(s, start, dt, call->span)->ir, ir_scalar(ct)),
                 ir_cast(&s->b, sema_cast(s, step, dt, call->span)->ir, ir_scalar(ct))};
  return sema_compr(s, dt, 1, &d, range_body, &rc, call->span);
}

typedef struct LinCtx {
  SnDtype dt;
  IrValue *start, *delta, *last, *nm1;
} LinCtx;

static Val *lin_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)span;
  LinCtx *c = vctx;
  /* computed in f64, as NumPy does; the last point is exactly `stop` (one point is `start`) */
  IrValue *i = ir_cast(&s->b, idx[0]->ir, ir_scalar(SN_F64));
  IrValue *v = ir_bin(&s->b, BIN_ADD, c->start, ir_bin(&s->b, BIN_MUL, i, c->delta));
  IrValue *is_last = ir_bin(&s->b, BIN_AND, ir_cmp(&s->b, CMP_EQ, idx[0]->ir, c->nm1),
                            ir_cmp(&s->b, CMP_GT, c->nm1, ir_const_i64(&s->b, 0)));
  v = ir_select(&s->b, is_last, c->last, v);
  return sema_scalar(s, c->dt, false, sema_round(s, ir_cast(&s->b, v, ir_scalar(sema_compute_dtype(c->dt))), c->dt));
}

static Val *b_linspace(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  SnDtype dt = args[3].dt;
  for (int i = 0; i < 2; i++)
    if (args[i].v->kind != V_SCALAR || args[i].v->dt == SN_BOOL) {
      diag_error(s->diags, args[i].span, "linspace needs numbers, not %s", sema_type_str(s, args[i].v));
      return ERR;
    }
  if (!sema_is_float(dt)) {
    diag_error(s->diags, call->span, "linspace gives floats; dtype %s is not one", sn_dtype_name(dt));
    return ERR;
  }
  Dim d;
  if (!sema_size(s, args[2].v, args[2].span, &d)) return ERR;
  IrValue *n = sema_dim_value(s, d);
  IrValue *lo = ir_cast(&s->b, args[0].v->ir, ir_scalar(SN_F64)), *hi = ir_cast(&s->b, args[1].v->ir, ir_scalar(SN_F64));
  IrValue *nm1 = ir_bin(&s->b, BIN_SUB, n, ir_const_i64(&s->b, 1));
  IrValue *div = ir_cast(&s->b, ir_bin(&s->b, BIN_MAX, nm1, ir_const_i64(&s->b, 1)), ir_scalar(SN_F64));
  LinCtx lc = {dt, lo, ir_bin(&s->b, BIN_DIV, ir_bin(&s->b, BIN_SUB, hi, lo), div), hi, nm1};
  return sema_compr(s, dt, 1, &d, lin_body, &lc, call->span);
}

static Val *eye_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)span;
  SnDtype dt = *(SnDtype *)vctx;
  IrValue *eq = ir_cmp(&s->b, CMP_EQ, idx[0]->ir, idx[1]->ir);
  Val *b = sema_scalar(s, SN_BOOL, false, eq);
  SnDtype ct = sema_compute_dtype(dt);
  if (dt == SN_BOOL) return b;
  IrValue *one = sema_is_float(ct) ? ir_const_f(&s->b, ct, 1) : ir_const(&s->b, ir_scalar(ct), 0, 1);
  IrValue *zero = sema_is_float(ct) ? ir_const_f(&s->b, ct, 0) : ir_const(&s->b, ir_scalar(ct), 0, 0);
  return sema_scalar(s, dt, false, ir_select(&s->b, eq, one, zero));
}

static Val *b_eye(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  if (args[0].rank != 1) {
    diag_error(s->diags, args[0].span, "eye takes one size: eye(n)");
    return ERR;
  }
  SnDtype dt = args[1].dt;
  Dim dims[2] = {args[0].dims[0], args[0].dims[0]};
  return sema_compr(s, dt, 2, dims, eye_body, &dt, call->span);
}

typedef struct RandCtx {
  SnDtype dt;
  int rank;
  const Dim *dims;
  IrValue *seed;
} RandCtx;

/* element (i0, i1, ...) of rand: the draw at its row-major position, in f32 (f64 for f64; f16
 * and bf16 round the f32 draw, as the runtime's conversion of a stored draw) */
static Val *rand_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)span;
  RandCtx *c = vctx;
  IrValue *pos = c->rank ? idx[0]->ir : ir_const_i64(&s->b, 0);
  for (int d = 1; d < c->rank; d++)
    pos = ir_bin(&s->b, BIN_ADD, ir_bin(&s->b, BIN_MUL, pos, sema_dim_value(s, c->dims[d])), idx[d]->ir);
  IrValue *u = ir_rand(&s->b, c->dt == SN_F64 ? SN_F64 : SN_F32, c->seed, pos);
  return sema_scalar(s, c->dt, false, sema_round(s, u, c->dt));
}

/* A rand of at most this many elements, its size known when compiling, is drawn whole by the
 * runtime (at most 512 KB in f64): computed where it is read, its loops, short, would be unrolled
 * with the 10 rounds of Philox in every copy (a model's initial weights of 16 x 16 gave hundreds
 * of copies and doubled LLVM's time), to save memory that does not count. */
#define RAND_STORED_MAX 65536

/* Is the shape's size known when compiling and at most RAND_STORED_MAX? */
static bool small_draw(const Arg *shape) {
  int64_t n = 1;
  for (int d = 0; d < shape->rank; d++) {
    if (shape->dims[d].sym || shape->dims[d].c > RAND_STORED_MAX) return false;
    n *= shape->dims[d].c;
    if (n > RAND_STORED_MAX) return false;
  }
  return true;
}

/* rand(shape), randn(shape): Philox draws of the distribution `data`. rand is a lazy
 * comprehension, each element computed where it is read (a mask rand(...) < p fuses into the
 * loop that applies it, and a draw of [m, n] is never stored), unless it is small; randn, and a
 * small rand, are drawn whole by the runtime, the same numbers. */
static Val *b_random(Sema *s, const Builtin *b, Arg *args, Node *call) {
  SnDtype dt = args[2].dt;
  if (!sema_is_float(dt)) {
    diag_error(s->diags, call->span, "%s gives floats; dtype %s is not one", b->name, sn_dtype_name(dt));
    return ERR;
  }
  int rank = args[0].rank;
  /* each call site without a seed draws its own fixed stream, so runs are reproducible */
  IrValue *seed = args[1].v ? ir_cast(&s->b, args[1].v->ir, ir_i64) : ir_const_i64(&s->b, 0x5EED0000 + s->nrandom++);
  if (b->data == SN_DIST_UNIFORM && !small_draw(&args[0])) {
    RandCtx rc = {dt, rank, args[0].dims, seed};
    return sema_compr(s, dt, rank, args[0].dims, rand_body, &rc, call->span);
  }
  IrValue *ops[3 + SN_MAX_RANK];
  ops[0] = ir_const(&s->b, ir_scalar(SN_I32), 0, dt);
  ops[1] = seed;
  ops[2] = ir_const(&s->b, ir_scalar(SN_I32), 0, b->data);
  for (int d = 0; d < rank; d++) ops[3 + d] = sema_dim_value(s, args[0].dims[d]);
  IrBuilder save = s->b;
  s->b.span = call->span;
  IrValue *t = ir_call(&s->b, RT_RANDOM, 3 + rank, ops);
  s->b = save;
  t->type = ir_tensor(dt, rank);
  return sema_tensor(s, dt, rank, args[0].dims, t);
}

/* --- shapes --------------------------------------------------------------------------------------- */

static Val *transpose_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)span;
  Val *x = vctx;
  IrValue *i[2] = {idx[1]->ir, idx[0]->ir};
  return sema_elem(s, x, i);
}

static Val *b_transpose(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  Val *x = args[0].v;
  if (x->kind != V_TENSOR || x->rank != 2) {
    Diag *g = diag_error(s->diags, args[0].span, "transpose needs a matrix, not %s", sema_type_str(s, x));
    diag_hint(s->diags, g, "reorder other dimensions with a comprehension: let t[j, i, k] = x[i, j, k]");
    return ERR;
  }
  Dim dims[2] = {x->dims[1], x->dims[0]};
  return sema_compr(s, x->dt, 2, dims, transpose_body, x, call->span);
}

static Val *b_size(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  Val *x = args[0].v;
  if (x->kind != V_TENSOR) {
    diag_error(s->diags, args[0].span, "size needs a tensor, not %s", sema_type_str(s, x));
    return ERR;
  }
  int64_t axis = 0;
  if (args[1].v) {
    if (!ir_is_const_int(args[1].v->ir, &axis)) {
      diag_error(s->diags, args[1].span, "the axis must be a constant integer");
      return ERR;
    }
    if (axis < 0) axis += x->rank;
  } else if (x->rank != 1) {
    Diag *g = diag_error(s->diags, call->span, "size of %s needs an axis", sema_type_str(s, x));
    diag_hint(s->diags, g, "size(x, 0) is the number of rows; numel(x) counts every element");
    return ERR;
  }
  if (axis < 0 || axis >= x->rank) {
    diag_error(s->diags, args[1].v ? args[1].span : call->span, "axis %lld is out of range for %s", (long long)axis,
               sema_type_str(s, x));
    return ERR;
  }
  return sema_scalar(s, SN_I64, false, sema_dim_value(s, x->dims[axis]));
}

static Val *b_numel(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  Val *x = args[0].v;
  if (x->kind != V_TENSOR) return sema_scalar(s, SN_I64, false, ir_const_i64(&s->b, 1));
  IrValue *dims[SN_MAX_RANK];
  for (int d = 0; d < x->rank; d++) dims[d] = sema_dim_value(s, x->dims[d]);
  IrBuilder save = s->b;
  s->b.span = call->span;
  const char *what = arena_printf(s->arena, "numel: the number of elements of %s overflows 64 bits (it is more than 2^63 - 1)", sema_type_str(s, x));
  IrValue *n = ir_size_product(&s->b, x->rank, dims, what);
  s->b = save;
  return sema_scalar(s, SN_I64, false, n);
}

/* --- print and check ------------------------------------------------------------------------------ */

int builtin_surplus(Node *call, int skip, Node **out) {
  int n = 0, pos = 0;
  for (int i = 0; i < call->list.n; i++) {
    Node *a = call->list.items[i];
    if (a->kind != A_KWARG && pos++ >= skip) out[n++] = a;
  }
  return n;
}

/* print(a, b, ...): any number of values, separated by a space, then a new line. */
static Val *b_print(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b, (void)args;
  Node **nodes = arena_alloc(s->arena, (size_t)(call->list.n + 1) * sizeof *nodes);
  int n = builtin_surplus(call, 0, nodes);
  Val **vals = arena_alloc(s->arena, (size_t)(n + 1) * sizeof *vals);
  bool ok = true;
  for (int i = 0; i < n; i++) {
    vals[i] = sema_expr(s, nodes[i]);
    ok &= vals[i]->kind != V_ERROR;
    const Val *fn = ok ? sema_find_fn(vals[i]) : NULL;
    if (fn) {
      Diag *g = diag_error(s->diags, nodes[i]->span, "print shows values, but %s a function, %s",
                           fn == vals[i] ? "this is" : "this record holds", sema_type_str(s, fn));
      diag_hint(s->diags, g, "call it to print its value, e.g. f(x)");
      ok = false;
    }
  }
  if (!ok) return ERR;
  for (int i = 0; i < n; i++) {
    if (i) {
      IrValue *sp = ir_string(&s->b, " ");
      ir_call(&s->b, RT_PRINT_STR, 1, &sp);
    }
    sema_print(s, vals[i]);
  }
  ir_call(&s->b, RT_PRINT_END, 0, NULL);
  return sema_unit(s);
}

/* A check that runs whenever the program does (`always`: not inside a branch, nor a loop that may
 * not run: runs_always)
 * and whose condition `cond` and values are known when compiling (interp_fold: a library
 * function's arguments written as numbers, `adam(lr=-0.1)`, or a tensor written in the program)
 * fails then, with the words and the location it would stop the program with. */
#define CHECK_TEXT_MAX 4096 /* the runtime's longest message (SN_ERROR_MAX) */
static bool check_fails_always(Sema *s, IrValue *cond, IrInst *in, bool always) {
  double c, vals[SN_CHECK_MAX_VALUES];
  if (!always || !interp_fold(cond, &c) || c != 0) return false;
  for (int i = 1; i < in->nops; i++)
    if (!interp_fold(in->ops[i], &vals[i - 1])) return false;
  char text[CHECK_TEXT_MAX];
  sn_check_format(text, (int32_t)sizeof text, in->str, in->nops - 1, vals, (int32_t)in->imm.i);
  Diag *g = diag_error(s->diags, in->span, "%s", text);
  if (in->blob && *(const char *)in->blob) diag_hint(s->diags, g, "%s", (const char *)in->blob);
  return true;
}

/* Whether code emitted into `block` runs whenever the program does: the function's body, or the
 * body of a loop run at least once (a `max` known when compiling, 1 or more: an iterate's body
 * runs before its `until` is tested) that itself always runs. A sampler's check of the
 * denoiser's shape, inside its loop over the steps, then fails when compiling. */
static bool runs_always(const IrBuilder *b, IrBlock *block) {
  double count;
  while (block != b->fn->body) {
    IrInst *owner = block->parent;
    if (!owner || owner->op != IR_LOOP || block != owner->regions[0] || !interp_fold(owner->ops[0], &count) || count < 1)
      return false;
    block = owner->parent;
  }
  return true;
}

/* check(cond, "message {}", values..., hint="..."): when cond is false, stops the program with
 * the message, each {} replaced by the next value. The values are computed only then (they may
 * search for the culprit); string values are put in when compiling. In a stdlib function the
 * message points at the user's call (IrBuilder.site). */
static Val *b_check(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  Val *c = args[0].v;
  if (c->kind != V_SCALAR || c->dt != SN_BOOL) {
    Diag *g = diag_error(s->diags, args[0].span, "the condition of `check` must be a bool, not %s", sema_type_str(s, c));
    if (c->kind == V_TENSOR && c->dt == SN_BOOL)
      diag_hint(s->diags, g, "reduce it: all(cond) is true when every element is, any(cond) when one is");
    return ERR;
  }
  Node *msg = args[1].node;
  if (msg->kind != A_STR) {
    diag_error(s->diags, msg->span, "the message of `check` must be a string literal");
    return ERR;
  }
  Node **values = arena_alloc(s->arena, (size_t)(call->list.n + 1) * sizeof *values);
  int nvals = builtin_surplus(call, 2, values);
  int holes = 0;
  for (const char *p = strstr(msg->str, "{}"); p; p = strstr(p + 2, "{}")) holes++;
  if (holes != nvals) {
    diag_error(s->diags, msg->span, "the message has %d `{}` but %d value%s follow%s", holes, nvals, nvals == 1 ? "" : "s",
               nvals == 1 ? "s" : "");
    return ERR;
  }
  const char *hint = NULL;
  if (args[2].node) {
    if (args[2].node->kind != A_STR) {
      diag_error(s->diags, args[2].span, "the hint of `check` must be a string literal");
      return ERR;
    }
    hint = arena_strdup(s->fn->arena, args[2].node->str);
  }
  /* if (cond) {} else { values; fail } */
  s->b.span = call->span;
  IrBuilder save = s->b;
  IrInst *branch = ir_emit(&s->b, IR_IF, 1, &c->ir, 0, NULL, 2);
  s->b.before = NULL;
  s->b.block = branch->regions[0];
  ir_yield(&s->b, 0, NULL);
  s->b.block = branch->regions[1];
  IrValue *ops[1 + SN_CHECK_MAX_VALUES] = {ir_const_bool(&s->b, false)};
  int nops = 1;
  int64_t kinds = 0;
  Buf text = {0};
  const char *rest = msg->str;
  bool ok = true;
  for (int i = 0; i < nvals && ok; i++) {
    const char *hole = strstr(rest, "{}");
    buf_printf(&text, "%.*s", (int)(hole - rest), rest);
    rest = hole + 2;
    Node *vn = values[i];
    Val *v = sema_expr(s, vn);
    if (v->kind == V_ERROR) {
      ok = false;
    } else if (sema_const_str(v)) {
      buf_puts(&text, sema_const_str(v));
    } else if (v->kind != V_SCALAR) {
      diag_error(s->diags, vn->span, "`check` shows numbers, bools and strings, not %s", sema_type_str(s, v));
      ok = false;
    } else if (nops > SN_CHECK_MAX_VALUES) {
      diag_error(s->diags, vn->span, "`check` shows at most %d numbers", SN_CHECK_MAX_VALUES);
      ok = false;
    } else {
      buf_puts(&text, "{}");
      int kind = v->dt == SN_BOOL ? SN_CHECK_BOOL : sema_is_int(v->dt) ? SN_CHECK_INT
               : v->dt == SN_F64 || v->weak ? SN_CHECK_F64 : SN_CHECK_F32;
      kinds |= (int64_t)kind << (2 * (nops - 1));
      ops[nops++] = v->dt == SN_F64 ? v->ir : ir_cast(&s->b, v->ir, ir_scalar(SN_F64));
    }
  }
  buf_puts(&text, rest);
  if (ok) {
    s->b.span = call->span;
    IrInst *in = ir_check(&s->b, CHECK_MSG, nops, ops, arena_strdup(s->fn->arena, text.data ? text.data : ""));
    in->blob = hint;
    in->imm.i = kinds;
    ok = !check_fails_always(s, c->ir, in, runs_always(&save, save.block) && !s->placeholders);
  }
  buf_free(&text);
  ir_yield(&s->b, 0, NULL);
  s->b = save;
  return ok ? sema_unit(s) : ERR;
}

/* --- the table ------------------------------------------------------------------------------------ */

/* The signature of zeros and ones. */
#define SHAPE_DTYPE "shape: shape, dtype: dtype = f32"
/* The signature of the reductions: axis= an integer or a list of them. */
#define REDUCE_AXES "x, axis: syntax = _, keepdims: bool = _"

const Builtin builtins_core[] = {
    /* math functions, from mathfns.def (data: the IrMathFn) */
#define BUILTIN_MATH_1(id, name) BUILTIN(name, "x", b_math, MF_##id),
#define BUILTIN_MATH_2(id, name) BUILTIN(name, "x, y", b_math2, MF_##id),
#define MATH(id, name, arity, ...) BUILTIN_MATH_##arity(id, name)
#include "mathfns.def"
#undef MATH
#undef BUILTIN_MATH_1
#undef BUILTIN_MATH_2
    /* elementwise functions made of others (data: which) */
    BUILTIN("sigmoid", "x", b_special, F_SIGMOID),
    BUILTIN("relu", "x", b_special, F_RELU),
    BUILTIN("softplus", "x", b_special, F_SOFTPLUS),
    BUILTIN("sign", "x", b_special, F_SIGN),
    BUILTIN("isfinite", "x", b_special, F_ISFINITE),
    BUILTIN("clamp", "x, lo, hi", b_clamp, 0),
    BUILTIN("where", "cond, x, y", b_where, 0),
    /* whole-tensor reductions, or over axis= (data: the RedKind); max and min of two values are
     * elementwise */
    BUILTIN("sum", REDUCE_AXES, b_reduce, RED_SUM),
    BUILTIN("prod", REDUCE_AXES, b_reduce, RED_PROD),
    BUILTIN("mean", REDUCE_AXES, b_reduce, RED_MEAN),
    BUILTIN("lse", REDUCE_AXES, b_reduce, RED_LSE),
    BUILTIN("argmax", REDUCE_AXES, b_reduce, RED_ARGMAX),
    BUILTIN("argmin", REDUCE_AXES, b_reduce, RED_ARGMIN),
    BUILTIN("all", REDUCE_AXES, b_reduce, RED_ALL),
    BUILTIN("any", REDUCE_AXES, b_reduce, RED_ANY),
    BUILTIN("max", "x, y = _, axis: syntax = _, keepdims: bool = _", b_minmax, RED_MAX),
    BUILTIN("min", "x, y = _, axis: syntax = _, keepdims: bool = _", b_minmax, RED_MIN),
    /* statistics, softmax and scans over axes */
    BUILTIN("var", "x, axis: syntax = _, ddof: int = _, keepdims: bool = _", b_var, 0),
    BUILTIN("std", "x, axis: syntax = _, ddof: int = _, keepdims: bool = _", b_var, 1),
    BUILTIN("softmax", "x, axis: syntax = _", b_softmax, 0),
    BUILTIN("log_softmax", "x, axis: syntax = _", b_softmax, 1),
    BUILTIN("cumsum", "x, axis: syntax = _", b_scan, RT_CUMSUM),
    BUILTIN("cumprod", "x, axis: syntax = _", b_scan, RT_CUMPROD),
    /* the complex linear recurrence x_l = a_l x_{l-1} + b_l along each line (stdlib/nn.dsl's
     * linear_recurrence gives it as {re, im}; autodiff.c has its gradient) */
    BUILTIN_RUNTIME("_linrec", "ar: float[n, l], ai: float[n, l], br: float[n, l], bi: float[n, l], reverse: bool = false",
                    RT_LINREC, "float[2, n, l]"),
    /* conversions (data: the dtype) */
    BUILTIN("f16", "x", b_cast, SN_F16),
    BUILTIN("bf16", "x", b_cast, SN_BF16),
    BUILTIN("f32", "x", b_cast, SN_F32),
    BUILTIN("f64", "x", b_cast, SN_F64),
    BUILTIN("i8", "x", b_cast, SN_I8),
    BUILTIN("u8", "x", b_cast, SN_U8),
    BUILTIN("i32", "x", b_cast, SN_I32),
    BUILTIN("i64", "x", b_cast, SN_I64),
    BUILTIN("bool", "x", b_cast, SN_BOOL),
    BUILTIN("cast", "x, dtype: dtype = _", b_cast_to, 0),
    BUILTIN("epsilon", "x", b_epsilon, 0),
    /* constructors */
    BUILTIN("zeros", SHAPE_DTYPE, b_fill, 0),
    BUILTIN("ones", SHAPE_DTYPE, b_fill, 1),
    BUILTIN("full", "shape: shape, value, dtype: dtype = _", b_full, 0),
    BUILTIN("arange", "start, stop = _, step = _, dtype: dtype = _", b_arange, 0),
    BUILTIN("linspace", "start, stop, num: int, dtype: dtype = f32", b_linspace, 0),
    BUILTIN("eye", "n: shape, dtype: dtype = f32", b_eye, 0),
    BUILTIN("rand", "shape: shape, seed: int = _, dtype: dtype = f32", b_random, SN_DIST_UNIFORM),
    BUILTIN("randn", "shape: shape, seed: int = _, dtype: dtype = f32", b_random, SN_DIST_NORMAL),
    /* shapes */
    BUILTIN("transpose", "x", b_transpose, 0),
    BUILTIN("size", "x, axis: int = _", b_size, 0),
    BUILTIN("numel", "x", b_numel, 0),
    /* output, checks, time */
    {"print", "", b_print, 0, NULL, true},
    {"check", "cond, message: syntax, hint: syntax = _", b_check, 0, NULL, true},
    BUILTIN_RUNTIME("now", "", RT_NOW, "f64"),
    {0},
};
