/* builtins.c: the functions every program can call: math, constructors, whole-tensor
 * reductions, casts, shape queries and print. Elementwise ones are lifted over tensors as lazy
 * comprehensions; constructors such as zeros and arange are lazy too, so `sum(i) arange(n)[i]`
 * allocates nothing. */
#include "sema.h"

#include "rtabi.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_ARGS 12 /* the most a builtin takes: sns_newton, 9 */

typedef struct Args {
  int npos;
  Val *pos[MAX_ARGS];
  Node *posn[MAX_ARGS];
  Val *kw[MAX_ARGS];    /* indexed like the allowed keyword list */
  Node *kwn[MAX_ARGS];
} Args;

/* Evaluates a call's arguments: between minpos and maxpos positional ones (those whose bit is set
 * in `raw` are left unevaluated, for shapes), and keywords from `kwnames` (NULL-terminated). */
static bool get_args(Sema *s, Node *call, int minpos, int maxpos, const char *const *kwnames, unsigned raw, Args *a) {
  memset(a, 0, sizeof *a);
  bool ok = true;
  for (int i = 0; i < call->list.n; i++) {
    Node *n = call->list.items[i];
    if (n->kind == A_KWARG) {
      int k = -1;
      for (int j = 0; kwnames && kwnames[j]; j++)
        if (strcmp(kwnames[j], n->name) == 0) k = j;
      if (k < 0) {
        Diag *g = diag_error(s->diags, n->name_span, "`%s` has no parameter `%s`", call->name, n->name);
        const char *best = NULL;
        int bestd = 3;
        for (int j = 0; kwnames && kwnames[j]; j++) {
          int d = edit_distance(n->name, kwnames[j], 2);
          if (d < bestd) best = kwnames[j], bestd = d;
        }
        if (best) diag_hint(s->diags, g, "did you mean `%s`?", best);
        else if (!kwnames || !kwnames[0]) diag_hint(s->diags, g, "`%s` takes no named arguments", call->name);
        ok = false;
        continue;
      }
      if (a->kwn[k]) {
        diag_error(s->diags, n->name_span, "`%s` is given twice", n->name);
        ok = false;
        continue;
      }
      a->kwn[k] = n->a;
      a->kw[k] = expr(s, n->a);
      if (a->kw[k]->kind == V_ERROR) ok = false;
      continue;
    }
    if (a->npos >= maxpos) {
      Diag *g = diag_error(s->diags, n->span, "too many arguments to `%s` (it takes %s%d)", call->name,
                           minpos == maxpos ? "" : "at most ", maxpos);
      (void)g;
      return false;
    }
    a->posn[a->npos] = n;
    if (!(raw & (1u << a->npos))) {
      a->pos[a->npos] = expr(s, n);
      if (a->pos[a->npos]->kind == V_ERROR) ok = false;
    }
    a->npos++;
  }
  if (ok && a->npos < minpos) {
    diag_error(s->diags, call->span, "`%s` needs %s%d argument%s, got %d", call->name, minpos == maxpos ? "" : "at least ",
               minpos, minpos == 1 ? "" : "s", a->npos);
    return false;
  }
  return ok;
}

static bool need_number(Sema *s, Val *v, Node *n, const char *fn) {
  if (v->kind == V_SCALAR || v->kind == V_TENSOR) return true;
  diag_error(s->diags, n->span, "`%s` needs a number or a tensor, not %s", fn, val_type_str(s, v));
  return false;
}

static bool need_int_scalar(Sema *s, Val *v, Node *n, const char *what) {
  if (v->kind == V_SCALAR && is_int_dt(v->dt)) return true;
  diag_error(s->diags, n->span, "%s must be an integer, not %s", what, val_type_str(s, v));
  return false;
}

/* The keyword list of builtins whose only named argument is dtype (read apart by find_dtype). */
static const char *const dtype_only[] = {"dtype", NULL};

/* dtype=NAME, a type name read from the syntax, or dtype=VALUE, the element type of a value
 * (`zeros(n, dtype=x)` matches x's, which generic functions need). */
static bool dtype_kw(Sema *s, Node *n, SnDtype *dt) {
  if (n->kind == A_NAME && sn_dtype_from_name(n->name, dt)) return true;
  if (n->kind != A_NAME || lookup(s, n->name)) {
    Val *v = n->kind == A_NAME || n->kind == A_CALL || n->kind == A_FIELD || n->kind == A_INDEX ? expr(s, n) : NULL;
    if (v && v->kind == V_ERROR) return false;
    if (v && (v->kind == V_SCALAR || v->kind == V_TENSOR)) {
      *dt = v->dt;
      return true;
    }
  }
  Diag *g = diag_error(s->diags, n->span, "dtype must be a type name such as f32, or a value whose type to take");
  diag_hint(s->diags, g, "the element types are f16 bf16 f32 f64 i8 u8 i32 i64 bool");
  return false;
}

/* dtype=NAME among a call's keyword arguments, evaluated without looking it up as a value. */
static bool find_dtype(Sema *s, Node *call, SnDtype *dt, bool *given) {
  *given = false;
  for (int i = 0; i < call->list.n; i++) {
    Node *n = call->list.items[i];
    if (n->kind == A_KWARG && strcmp(n->name, "dtype") == 0) {
      *given = true;
      return dtype_kw(s, n->a, dt);
    }
  }
  return true;
}

/* A copy of the call without its dtype= argument (so get_args does not evaluate the type). */
static Node *without_dtype(Sema *s, Node *call) {
  Node *c = NEW(s->arena, Node);
  *c = *call;
  c->list = (PtrVec){0};
  for (int i = 0; i < call->list.n; i++) {
    Node *n = call->list.items[i];
    if (!(n->kind == A_KWARG && strcmp(n->name, "dtype") == 0)) vec_push(s->arena, &c->list, n);
  }
  return c;
}

/* --- shapes ------------------------------------------------------------------------------------- */

/* A shape: [d0, d1, ...] or a single integer; each size a constant or a run-time integer. */
bool shape_arg(Sema *s, Node *n, int *rank, Dim *dims) {
  Node *one[1] = {n};
  Node **items = one;
  int count = 1;
  if (n->kind == A_LIST) {
    items = (Node **)n->list.items;
    count = n->list.n;
  }
  if (count > SN_MAX_RANK) {
    diag_error(s->diags, n->span, "a tensor has at most %d dimensions", SN_MAX_RANK);
    return false;
  }
  for (int i = 0; i < count; i++) {
    Node *e = items[i];
    if (e->kind == A_LIST) {
      diag_error(s->diags, e->span, "a shape is a list of sizes, e.g. [n, 3]");
      return false;
    }
    Val *v = expr(s, e);
    if (v->kind == V_ERROR) return false;
    if (!need_int_scalar(s, v, e, "a size")) return false;
    IrValue *x = ir_cast(&s->b, v->ir, ir_i64);
    int64_t c;
    if (ir_is_const_int(x, &c)) {
      if (c < 0) {
        diag_error(s->diags, e->span, "a size cannot be negative (%lld)", (long long)c);
        return false;
      }
      dims[i] = dim_const(c);
      continue;
    }
    IrValue *ok = ir_cmp(&s->b, CMP_GE, x, ir_const_i64(&s->b, 0));
    IrBuilder save = s->b;
    s->b.span = e->span;
    ir_check(&s->b, CHECK_TRUE, 1, &ok, arena_printf(s->fn->arena, "negative size %s", src_text(s, e->span)));
    s->b = save;
    dims[i] = dim_of_value(s, x, src_text(s, e->span));
  }
  *rank = count;
  return true;
}

/* --- constructors ------------------------------------------------------------------------------- */

typedef struct FillCtx {
  SnDtype dt;
  Val *value;
} FillCtx;

static Val *fill_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)idx;
  FillCtx *c = vctx;
  return cast_val(s, c->value, c->dt, span);
}

static Val *b_fill(Sema *s, Node *call, double constant) {
  SnDtype dt = SN_F32;
  bool given;
  if (!find_dtype(s, call, &dt, &given)) return ERR;
  Node *c = without_dtype(s, call);
  bool full = constant != constant; /* NaN marks `full` */
  Args a;
  if (!get_args(s, c, full ? 2 : 1, full ? 2 : 1, dtype_only, 1u, &a)) return ERR;
  int rank;
  Dim dims[SN_MAX_RANK];
  if (!shape_arg(s, a.posn[0], &rank, dims)) return ERR;
  Val *value;
  if (full) {
    value = a.pos[1];
    if (value->kind != V_SCALAR) {
      diag_error(s->diags, a.posn[1]->span, "the fill value must be a number, not %s", val_type_str(s, value));
      return ERR;
    }
    if (!given) dt = value->weak ? (is_float_dt(value->dt) ? SN_F32 : SN_I64) : value->dt;
  } else {
    value = scalar_val(s, SN_F64, true, ir_const_f(&s->b, SN_F64, constant));
  }
  FillCtx fc = {dt, value};
  return make_compr(s, dt, rank, dims, fill_body, &fc, call->span);
}

typedef struct RangeCtx {
  SnDtype dt;
  IrValue *start, *step; /* in the compute type */
} RangeCtx;

static Val *range_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)span;
  RangeCtx *c = vctx;
  SnDtype ct = compute_dtype(c->dt);
  IrValue *i = ir_cast(&s->b, idx[0]->ir, ir_scalar(ct));
  IrValue *v = ir_bin(&s->b, BIN_ADD, c->start, ir_bin(&s->b, BIN_MUL, i, c->step));
  return scalar_val(s, c->dt, false, round_to(s, v, c->dt));
}

/* arange(n) | arange(start, stop) | arange(start, stop, step), NumPy's rules */
static Val *b_arange(Sema *s, Node *call) {
  SnDtype dt = SN_I64;
  bool given;
  if (!find_dtype(s, call, &dt, &given)) return ERR;
  Args a;
  if (!get_args(s, without_dtype(s, call), 1, 3, dtype_only, 0, &a)) return ERR;
  Val *start, *stop, *step;
  if (a.npos == 1) {
    start = scalar_val(s, SN_I64, true, ir_const_i64(&s->b, 0));
    stop = a.pos[0];
    step = scalar_val(s, SN_I64, true, ir_const_i64(&s->b, 1));
  } else {
    start = a.pos[0];
    stop = a.pos[1];
    step = a.npos == 3 ? a.pos[2] : scalar_val(s, SN_I64, true, ir_const_i64(&s->b, 1));
  }
  Val *v3[3] = {start, stop, step};
  bool any_float = false;
  for (int i = 0; i < 3; i++) {
    if (v3[i]->kind != V_SCALAR || v3[i]->dt == SN_BOOL) {
      diag_error(s->diags, call->span, "arange needs numbers, not %s", val_type_str(s, v3[i]));
      return ERR;
    }
    any_float |= is_float_dt(v3[i]->dt);
  }
  if (!given) dt = any_float ? SN_F32 : SN_I64;
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
  Dim d = dim_of_value(s, len, src_text(s, call->span));
  SnDtype ct = compute_dtype(dt);
  RangeCtx rc = {dt, ir_cast(&s->b, cast_val(s, start, dt, call->span)->ir, ir_scalar(ct)),
                 ir_cast(&s->b, cast_val(s, step, dt, call->span)->ir, ir_scalar(ct))};
  return make_compr(s, dt, 1, &d, range_body, &rc, call->span);
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
  return scalar_val(s, c->dt, false, round_to(s, ir_cast(&s->b, v, ir_scalar(compute_dtype(c->dt))), c->dt));
}

static Val *b_linspace(Sema *s, Node *call) {
  SnDtype dt = SN_F32;
  bool given;
  if (!find_dtype(s, call, &dt, &given)) return ERR;
  Args a;
  if (!get_args(s, without_dtype(s, call), 3, 3, dtype_only, 0, &a)) return ERR;
  for (int i = 0; i < 2; i++)
    if (a.pos[i]->kind != V_SCALAR || a.pos[i]->dt == SN_BOOL) {
      diag_error(s->diags, a.posn[i]->span, "linspace needs numbers, not %s", val_type_str(s, a.pos[i]));
      return ERR;
    }
  if (!need_int_scalar(s, a.pos[2], a.posn[2], "the number of points")) return ERR;
  if (!is_float_dt(dt)) {
    diag_error(s->diags, call->span, "linspace gives floats; dtype %s is not one", sn_dtype_name(dt));
    return ERR;
  }
  int rank;
  Dim d;
  if (!shape_arg(s, a.posn[2], &rank, &d)) return ERR;
  IrValue *n = dim_value(s, d);
  IrValue *lo = ir_cast(&s->b, a.pos[0]->ir, ir_scalar(SN_F64)), *hi = ir_cast(&s->b, a.pos[1]->ir, ir_scalar(SN_F64));
  IrValue *nm1 = ir_bin(&s->b, BIN_SUB, n, ir_const_i64(&s->b, 1));
  IrValue *div = ir_cast(&s->b, ir_bin(&s->b, BIN_MAX, nm1, ir_const_i64(&s->b, 1)), ir_scalar(SN_F64));
  LinCtx lc = {dt, lo, ir_bin(&s->b, BIN_DIV, ir_bin(&s->b, BIN_SUB, hi, lo), div), hi, nm1};
  return make_compr(s, dt, 1, &d, lin_body, &lc, call->span);
}

static Val *eye_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)span;
  SnDtype dt = *(SnDtype *)vctx;
  IrValue *eq = ir_cmp(&s->b, CMP_EQ, idx[0]->ir, idx[1]->ir);
  Val *b = scalar_val(s, SN_BOOL, false, eq);
  SnDtype ct = compute_dtype(dt);
  if (dt == SN_BOOL) return b;
  IrValue *one = is_float_dt(ct) ? ir_const_f(&s->b, ct, 1) : ir_const(&s->b, ir_scalar(ct), 0, 1);
  IrValue *zero = is_float_dt(ct) ? ir_const_f(&s->b, ct, 0) : ir_const(&s->b, ir_scalar(ct), 0, 0);
  return scalar_val(s, dt, false, ir_select(&s->b, eq, one, zero));
}

static Val *b_eye(Sema *s, Node *call) {
  SnDtype dt = SN_F32;
  bool given;
  if (!find_dtype(s, call, &dt, &given)) return ERR;
  Args a;
  if (!get_args(s, without_dtype(s, call), 1, 1, dtype_only, 1u, &a)) return ERR;
  int rank;
  Dim d[SN_MAX_RANK];
  if (!shape_arg(s, a.posn[0], &rank, d)) return ERR;
  if (rank != 1) {
    diag_error(s->diags, a.posn[0]->span, "eye takes one size: eye(n)");
    return ERR;
  }
  Dim dims[2] = {d[0], d[0]};
  return make_compr(s, dt, 2, dims, eye_body, &dt, call->span);
}

static Val *b_random(Sema *s, Node *call, int dist) {
  SnDtype dt = SN_F32;
  bool given;
  if (!find_dtype(s, call, &dt, &given)) return ERR;
  static const char *const kws[] = {"seed", "dtype", NULL};
  Args a;
  if (!get_args(s, without_dtype(s, call), 1, 1, kws, 1u, &a)) return ERR;
  if (!is_float_dt(dt)) {
    diag_error(s->diags, call->span, "%s gives floats; dtype %s is not one", call->name, sn_dtype_name(dt));
    return ERR;
  }
  int rank;
  Dim dims[SN_MAX_RANK];
  if (!shape_arg(s, a.posn[0], &rank, dims)) return ERR;
  IrValue *seed;
  if (a.kw[0]) {
    if (!need_int_scalar(s, a.kw[0], a.kwn[0], "seed")) return ERR;
    seed = ir_cast(&s->b, a.kw[0]->ir, ir_i64);
  } else {
    /* each call site without a seed draws its own fixed stream, so runs are reproducible */
    seed = ir_const_i64(&s->b, 0x5EED0000 + s->nrandom++);
  }
  IrValue *ops[3 + SN_MAX_RANK];
  ops[0] = ir_const(&s->b, ir_scalar(SN_I32), 0, dt);
  ops[1] = seed;
  ops[2] = ir_const(&s->b, ir_scalar(SN_I32), 0, dist);
  for (int d = 0; d < rank; d++) ops[3 + d] = dim_value(s, dims[d]);
  IrBuilder save = s->b;
  s->b.span = call->span;
  IrValue *t = ir_call(&s->b, RT_RANDOM, 3 + rank, ops);
  s->b = save;
  t->type = ir_tensor(dt, rank);
  return tensor_val(s, dt, rank, dims, t);
}

/* --- elementwise math ------------------------------------------------------------------------- */

static Val *b_math(Sema *s, Node *call, IrMathFn fn) {
  Args a;
  if (!get_args(s, call, 1, 1, NULL, 0, &a)) return ERR;
  return math1(s, fn, a.pos[0], call->span);
}

typedef enum { F_SIGMOID, F_RELU, F_SOFTPLUS, F_SIGN, F_ISFINITE } Special;

static IrValue *fconst(Sema *s, SnDtype ct, double v) { return ir_const_f(&s->b, ct, v); }

static Val *special_fn(Sema *s, Val **args, Span span, void *vctx) {
  Special k = (Special)(intptr_t)vctx;
  Val *x = args[0];
  if (x->dt == SN_BOOL) {
    diag_error(s->diags, span, "this function needs a number, not a bool");
    return ERR;
  }
  if (k == F_ISFINITE) { /* |x| < inf is false for the infinities and NaN */
    if (!is_float_dt(x->dt)) return scalar_val(s, SN_BOOL, false, ir_const_bool(&s->b, true));
    SnDtype ct = compute_dtype(x->dt);
    IrValue *m = ir_math(&s->b, MF_ABS, x->ir, NULL);
    return scalar_val(s, SN_BOOL, false, ir_cmp(&s->b, CMP_LT, m, fconst(s, ct, INFINITY)));
  }
  SnDtype dt = is_float_dt(x->dt) ? x->dt : INT_FLOAT_DT;
  if (k == F_RELU && !is_float_dt(x->dt)) {
    IrValue *z = ir_const(&s->b, ir_scalar(x->dt), 0, 0);
    return scalar_val(s, x->dt, x->weak, ir_bin(&s->b, BIN_MAX, x->ir, z));
  }
  SnDtype ct = compute_dtype(dt);
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
    if (!is_float_dt(x->dt)) return scalar_val(s, x->dt, x->weak, ir_cast(&s->b, r, ir_scalar(x->dt)));
    break;
  }
  default: r = v;
  }
  return scalar_val(s, dt, x->weak, round_to(s, r, dt));
}

static Val *b_special(Sema *s, Node *call, Special k) {
  Args a;
  if (!get_args(s, call, 1, 1, NULL, 0, &a)) return ERR;
  if (!need_number(s, a.pos[0], a.posn[0], call->name)) return ERR;
  return lift(s, 1, a.pos, special_fn, (void *)(intptr_t)k, SN_F32, call->span);
}

typedef struct Bin2 {
  IrBinOp op;
} Bin2;

static Val *minmax_fn(Sema *s, Val **args, Span span, void *vctx) {
  Bin2 *c = vctx;
  Val tmp = *args[0];
  /* reuse promotion through a comparison-free path: + has the arithmetic rules */
  Val *sum = scalar_binop(s, OP_ADD, &tmp, args[1], span);
  if (sum->kind == V_ERROR) return ERR;
  SnDtype dt = sum->dt;
  IrValue *x = cast_val(s, args[0], dt, span)->ir, *y = cast_val(s, args[1], dt, span)->ir;
  return scalar_val(s, dt, sum->weak, ir_bin(&s->b, c->op, x, y));
}

static Val *b_minmax(Sema *s, Node *call, bool is_max) {
  Args a;
  if (!get_args(s, call, 1, 2, NULL, 0, &a)) return ERR;
  if (a.npos == 1) return whole_reduce(s, is_max ? RED_MAX : RED_MIN, a.pos[0], call->span);
  for (int i = 0; i < 2; i++)
    if (!need_number(s, a.pos[i], a.posn[i], call->name)) return ERR;
  Bin2 c = {is_max ? BIN_MAX : BIN_MIN};
  return lift(s, 2, a.pos, minmax_fn, &c, SN_F32, call->span);
}

static Val *b_clamp(Sema *s, Node *call) {
  Args a;
  if (!get_args(s, call, 3, 3, NULL, 0, &a)) return ERR;
  for (int i = 0; i < 3; i++)
    if (!need_number(s, a.pos[i], a.posn[i], "clamp")) return ERR;
  Bin2 mx = {BIN_MAX}, mn = {BIN_MIN};
  Val *lo[2] = {a.pos[0], a.pos[1]};
  Val *t = lift(s, 2, lo, minmax_fn, &mx, SN_F32, call->span);
  if (t->kind == V_ERROR) return ERR;
  Val *hi[2] = {t, a.pos[2]};
  return lift(s, 2, hi, minmax_fn, &mn, SN_F32, call->span);
}

static Val *b_pow(Sema *s, Node *call) {
  Args a;
  if (!get_args(s, call, 2, 2, NULL, 0, &a)) return ERR;
  return binop(s, OP_POW, a.pos[0], a.pos[1], call->span);
}

static Val *where_fn(Sema *s, Val **args, Span span, void *ctx) {
  (void)ctx;
  if (args[0]->dt != SN_BOOL) {
    diag_error(s->diags, span, "the condition of where must be bool, not %s", val_type_str(s, args[0]));
    return ERR;
  }
  Val tmp = *args[1];
  Val *sum = scalar_binop(s, OP_ADD, &tmp, args[2], span);
  if (sum->kind == V_ERROR) return ERR;
  IrValue *x = cast_val(s, args[1], sum->dt, span)->ir, *y = cast_val(s, args[2], sum->dt, span)->ir;
  return scalar_val(s, sum->dt, sum->weak, ir_select(&s->b, args[0]->ir, x, y));
}

static Val *b_where(Sema *s, Node *call) {
  Args a;
  if (!get_args(s, call, 3, 3, NULL, 0, &a)) return ERR;
  for (int i = 0; i < 3; i++)
    if (!need_number(s, a.pos[i], a.posn[i], "where")) return ERR;
  return lift(s, 3, a.pos, where_fn, NULL, SN_F32, call->span);
}

static Val *b_cast(Sema *s, Node *call, SnDtype dt) {
  Args a;
  if (!get_args(s, call, 1, 1, NULL, 0, &a)) return ERR;
  if (!need_number(s, a.pos[0], a.posn[0], call->name)) return ERR;
  Val *v = a.pos[0];
  if (v->kind == V_SCALAR && v->dt == dt && !v->weak) return v;
  if (dt == SN_BOOL) {
    Val *z = scalar_val(s, SN_I64, true, ir_const_i64(&s->b, 0));
    return binop(s, OP_NE, v, z, call->span);
  }
  return explicit_cast(s, v, dt, call->span);
}

/* cast(x, dtype=T): x converted to a type given by name or by a value (generic code converts to
 * the type of its data: cast(w, dtype=C)). */
static Val *b_cast_to(Sema *s, Node *call) {
  SnDtype dt = SN_F32;
  bool given;
  if (!find_dtype(s, call, &dt, &given)) return ERR;
  if (!given) {
    Diag *g = diag_error(s->diags, call->span, "`cast` needs the type: cast(x, dtype=f32)");
    diag_hint(s->diags, g, "dtype may also be a value, whose type is taken: cast(x, dtype=y)");
    return ERR;
  }
  return b_cast(s, without_dtype(s, call), dt);
}

/* epsilon(x): the machine epsilon of x's floating-point type, as an f64 (numpy's finfo.eps). */
static Val *b_epsilon(Sema *s, Node *call) {
  Args a;
  if (!get_args(s, call, 1, 1, NULL, 0, &a)) return ERR;
  Val *v = a.pos[0];
  if ((v->kind != V_SCALAR && v->kind != V_TENSOR) || !is_float_dt(v->dt)) {
    diag_error(s->diags, a.posn[0]->span, "`epsilon` needs a floating-point value, not %s", val_type_str(s, v));
    return ERR;
  }
  int bits = v->weak ? 52 : v->dt == SN_F64 ? 52 : v->dt == SN_F32 ? 23 : v->dt == SN_F16 ? 10 : 7;
  return scalar_val(s, SN_F64, false, ir_const_f(&s->b, SN_F64, ldexp(1.0, -bits)));
}

/* --- tensors ------------------------------------------------------------------------------------ */

static Val *transpose_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)span;
  Val *x = vctx;
  IrValue *i[2] = {idx[1]->ir, idx[0]->ir};
  return elem_of(s, x, i);
}

static Val *b_transpose(Sema *s, Node *call) {
  Args a;
  if (!get_args(s, call, 1, 1, NULL, 0, &a)) return ERR;
  Val *x = a.pos[0];
  if (x->kind != V_TENSOR || x->rank != 2) {
    Diag *g = diag_error(s->diags, a.posn[0]->span, "transpose needs a matrix, not %s", val_type_str(s, x));
    diag_hint(s->diags, g, "reorder other dimensions with a comprehension: let t[j, i, k] = x[i, j, k]");
    return ERR;
  }
  Dim dims[2] = {x->dims[1], x->dims[0]};
  return make_compr(s, x->dt, 2, dims, transpose_body, x, call->span);
}

static Val *b_size(Sema *s, Node *call) {
  Args a;
  if (!get_args(s, call, 1, 2, NULL, 0, &a)) return ERR;
  Val *x = a.pos[0];
  if (x->kind != V_TENSOR) {
    diag_error(s->diags, a.posn[0]->span, "size needs a tensor, not %s", val_type_str(s, x));
    return ERR;
  }
  int64_t axis = 0;
  if (a.npos == 2) {
    if (!need_int_scalar(s, a.pos[1], a.posn[1], "the axis") || !ir_is_const_int(a.pos[1]->ir, &axis)) {
      if (a.pos[1]->kind == V_SCALAR) diag_error(s->diags, a.posn[1]->span, "the axis must be a constant integer");
      return ERR;
    }
    if (axis < 0) axis += x->rank;
  } else if (x->rank != 1) {
    Diag *g = diag_error(s->diags, call->span, "size of %s needs an axis", val_type_str(s, x));
    diag_hint(s->diags, g, "size(x, 0) is the number of rows; numel(x) counts every element");
    return ERR;
  }
  if (axis < 0 || axis >= x->rank) {
    diag_error(s->diags, a.npos == 2 ? a.posn[1]->span : call->span, "axis %lld is out of range for %s",
               (long long)axis, val_type_str(s, x));
    return ERR;
  }
  return scalar_val(s, SN_I64, false, dim_value(s, x->dims[axis]));
}

static Val *b_numel(Sema *s, Node *call) {
  Args a;
  if (!get_args(s, call, 1, 1, NULL, 0, &a)) return ERR;
  Val *x = a.pos[0];
  if (x->kind != V_TENSOR) return scalar_val(s, SN_I64, false, ir_const_i64(&s->b, 1));
  IrValue *dims[SN_MAX_RANK];
  for (int d = 0; d < x->rank; d++) dims[d] = dim_value(s, x->dims[d]);
  IrBuilder save = s->b;
  s->b.span = call->span;
  const char *what = arena_printf(s->arena, "numel: the number of elements of %s overflows 64 bits (it is more than 2^63 - 1)", val_type_str(s, x));
  IrValue *n = ir_size_product(&s->b, x->rank, dims, what);
  s->b = save;
  return scalar_val(s, SN_I64, false, n);
}

/* now(): seconds on a monotonic clock, for timing parts of a program. */
static Val *b_now(Sema *s, Node *call) {
  Args a;
  if (!get_args(s, call, 0, 0, NULL, 0, &a)) return ERR;
  return scalar_val(s, SN_F64, false, ir_call(&s->b, RT_NOW, 0, NULL));
}

static Val *b_reduce(Sema *s, Node *call, RedKind k) {
  Args a;
  if (!get_args(s, call, 1, 1, NULL, 0, &a)) return ERR;
  return whole_reduce(s, k, a.pos[0], call->span);
}

/* print(a, b, ...): any number of values, separated by a space, then a new line. */
static Val *b_print(Sema *s, Node *call) {
  Val **vals = arena_alloc(s->arena, (size_t)(call->list.n + 1) * sizeof *vals);
  bool ok = true;
  for (int i = 0; i < call->list.n; i++) {
    Node *n = call->list.items[i];
    if (n->kind == A_KWARG) {
      diag_error(s->diags, n->name_span, "`print` has no parameter `%s`", n->name);
      ok = false;
      continue;
    }
    vals[i] = expr(s, n);
    ok &= vals[i]->kind != V_ERROR;
  }
  if (!ok) return ERR;
  for (int i = 0; i < call->list.n; i++) {
    if (i) {
      IrValue *sp = ir_string(&s->b, " ");
      ir_call(&s->b, RT_PRINT_STR, 1, &sp);
    }
    print_val(s, vals[i]);
  }
  ir_call(&s->b, RT_PRINT_END, 0, NULL);
  return unit_val(s);
}

/* check(cond, "message {}", values..., hint="..."): when cond is false, stops the program with
 * the message, each {} replaced by the next value. The values are computed only then (they may
 * search for the culprit); string values are put in when compiling. In a stdlib function the
 * message points at the user's call (IrBuilder.site). */
static Val *b_check(Sema *s, Node *call) {
  static const char *const kw[] = {"hint", NULL};
  Args a;
  if (!get_args(s, call, 2, 2 + 2 * SN_CHECK_MAX_VALUES, kw, ~1u, &a)) return ERR;
  Val *c = expr(s, a.posn[0]);
  if (c->kind == V_ERROR) return ERR;
  if (c->kind != V_SCALAR || c->dt != SN_BOOL) {
    Diag *g = diag_error(s->diags, a.posn[0]->span, "the condition of `check` must be a bool, not %s", val_type_str(s, c));
    if (c->kind == V_TENSOR && c->dt == SN_BOOL)
      diag_hint(s->diags, g, "reduce it: all(cond) is true when every element is, any(cond) when one is");
    return ERR;
  }
  Node *msg = a.posn[1];
  if (msg->kind != A_STR) {
    diag_error(s->diags, msg->span, "the message of `check` must be a string literal");
    return ERR;
  }
  int holes = 0;
  for (const char *p = strstr(msg->str, "{}"); p; p = strstr(p + 2, "{}")) holes++;
  int nvals = a.npos - 2;
  if (holes != nvals) {
    diag_error(s->diags, msg->span, "the message has %d `{}` but %d value%s follow%s", holes, nvals, nvals == 1 ? "" : "s",
               nvals == 1 ? "s" : "");
    return ERR;
  }
  const char *hint = NULL;
  if (a.kwn[0]) {
    if (a.kwn[0]->kind != A_STR) {
      diag_error(s->diags, a.kwn[0]->span, "the hint of `check` must be a string literal");
      return ERR;
    }
    hint = arena_strdup(s->fn->arena, a.kwn[0]->str);
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
    Node *vn = a.posn[2 + i];
    Val *v = expr(s, vn);
    if (v->kind == V_ERROR) {
      ok = false;
    } else if (const_str(v)) {
      buf_puts(&text, const_str(v));
    } else if (v->kind != V_SCALAR) {
      diag_error(s->diags, vn->span, "`check` shows numbers, bools and strings, not %s", val_type_str(s, v));
      ok = false;
    } else if (nops > SN_CHECK_MAX_VALUES) {
      diag_error(s->diags, vn->span, "`check` shows at most %d numbers", SN_CHECK_MAX_VALUES);
      ok = false;
    } else {
      buf_puts(&text, "{}");
      int kind = v->dt == SN_BOOL ? SN_CHECK_BOOL : is_int_dt(v->dt) ? SN_CHECK_INT
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
  }
  buf_free(&text);
  ir_yield(&s->b, 0, NULL);
  s->b = save;
  return ok ? unit_val(s) : ERR;
}

/* --- files ---------------------------------------------------------------------------------- */

/* The where-string of a call (file:line:col and the source line), for run-time messages; in a
 * stdlib function, of the user's call (IrBuilder.site), as instructions' own locations are. */
static IrValue *where_of(Sema *s, Span sp) {
  if (s->b.site.src && sp.src && sp.src->stdlib) sp = s->b.site;
  return ir_string(&s->b, diag_where(s->fn->arena, sp));
}

/* A tensor of `dt` and `rank` produced by a fallible runtime call: its sizes are read from it,
 * named `name.0`, `name.1`, ... in types, or `?` without a name (a file's sizes, known only when
 * the program runs). A rank-0 tensor (a safetensors scalar, a 0-d .npy) is a scalar in the
 * language. */
static Val *loaded_tensor(Sema *s, IrValue *t, SnDtype dt, int rank, const char *name) {
  t->type = ir_tensor(dt, rank);
  if (rank == 0) return scalar_val(s, dt, false, ir_elem(&s->b, t, 0, NULL));
  Dim dims[SN_MAX_RANK];
  for (int d = 0; d < rank; d++)
    dims[d] = dim_of_value(s, ir_dim(&s->b, t, d), name ? arena_printf(s->arena, "%s.%d", name, d) : "?");
  return tensor_val(s, dt, rank, dims, t);
}

/* Records what a file read at compile time told the compiler (IrFunc.reads). */
static void note_read(Sema *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_read(Sema *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vec_push(s->fn->arena, &s->fn->reads, arena_vprintf(s->fn->arena, fmt, ap));
  va_end(ap);
}

/* Whether a file the compiler could not read is there at all: a missing one gets a hint about
 * reading it only at run time; for one that is there, the runtime's message says what is wrong. */
static bool file_exists(const char *path, struct stat *st) { return stat(path, st) == 0; }

/* A path load takes for a file of one of its formats (anything else is read as safetensors). */
static bool load_format(const char *path) {
  static const char *const suffixes[] = {".npy", ".safetensors", ".json"};
  size_t len = strlen(path);
  for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
    size_t n = strlen(suffixes[i]);
    if (len >= n && strcmp(path + len - n, suffixes[i]) == 0) return true;
  }
  return false;
}

static bool path_arg(Sema *s, Args *a, int k, const char *fn) {
  if (a->pos[k]->kind == V_STR) return true;
  diag_error(s->diags, a->posn[k]->span, "the path given to `%s` must be a string, not %s", fn, val_type_str(s, a->pos[k]));
  return false;
}

/* load(path): a tensor (.npy) or a record of tensors (.safetensors, an index .json, a directory).
 * With a literal path and no declared type, the file is read now for its dtypes and ranks (and
 * checked again when the program runs); with a declared type it need not exist yet. */
Val *load_call(Sema *s, Node *call, Node *type) {
  Args a;
  if (!get_args(s, call, 1, 1, NULL, 0, &a) || !path_arg(s, &a, 0, "load")) return ERR;
  Node *pn = a.posn[0];
  IrValue *where = where_of(s, call->span);
  if (type) {
    SnDtype dt;
    if (!type->ival || !sn_dtype_from_name(type->name, &dt)) {
      Diag *g = diag_error(s->diags, type->span, "load gives a tensor; the declared type must be one, such as f32[n, 3]");
      (void)g;
      return ERR;
    }
    IrValue *ops[4] = {where, a.pos[0]->ir, ir_const(&s->b, ir_scalar(SN_I32), 0, dt), ir_const_i64(&s->b, type->list.n)};
    IrBuilder save = s->b;
    s->b.span = call->span;
    IrValue *t = ir_call(&s->b, RT_LOAD_TENSOR, 4, ops);
    s->b = save;
    return loaded_tensor(s, t, dt, type->list.n, NULL);
  }
  const char *path = const_str(a.pos[0]);
  if (!path) {
    Diag *g = diag_error(s->diags, call->span, "load needs a path known when the program is compiled, or a declared type");
    diag_hint(s->diags, g, "write let x: f32[n, 3] = load(path) to load a path given when the program runs");
    return ERR;
  }
  size_t len = strlen(path);
  if (len >= 4 && strcmp(path + len - 4, ".csv") == 0) {
    Diag *g = diag_error(s->diags, pn->span, "load reads tensor files, not the CSV table %s", path);
    diag_hint(s->diags, g, "read it with load_csv(\"%s\"), which gives {x: features, y: labels}", path);
    return ERR;
  }
  SnFileInfo info;
  if (sn_load_describe(path, &info)) {
    Diag *g = diag_error(s->diags, pn->span, "cannot read %s", sn_error_message());
    struct stat st;
    if (!file_exists(path, &st))
      diag_hint(s->diags, g, "the file is read when the program is compiled; to load it only at run time, declare "
                             "its type: let x: f32[n, 3] = load(\"%s\")", path);
    else if (!S_ISDIR(st.st_mode) && !load_format(path))
      diag_hint(s->diags, g, "load reads .npy and .safetensors files, a sharded model's index .json or a directory; "
                             "a CSV table is read with load_csv");
    return ERR;
  }
  note_read(s, "load %s: %s of %lld", path, info.record ? "record" : "tensor", (long long)info.n);
  for (int64_t i = 0; i < info.n; i++)
    note_read(s, "  %s %s rank %lld", info.record ? info.names[i] : "", sn_dtype_name((SnDtype)info.dtypes[i]),
              (long long)info.ranks[i]);
  Val *r = ERR;
  if (!info.record) {
    IrValue *ops[4] = {where, a.pos[0]->ir, ir_const(&s->b, ir_scalar(SN_I32), 0, info.dtypes[0]),
                       ir_const_i64(&s->b, info.ranks[0])};
    IrBuilder save = s->b;
    s->b.span = call->span;
    IrValue *t = ir_call(&s->b, RT_LOAD_TENSOR, 4, ops);
    s->b = save;
    r = loaded_tensor(s, t, (SnDtype)info.dtypes[0], (int)info.ranks[0], NULL);
  } else {
    r = val_new(s, V_RECORD);
    r->rec = NEW(s->arena, Record);
    r->rec->n = (int)info.n;
    r->rec->names = arena_alloc(s->arena, (size_t)(info.n ? info.n : 1) * sizeof(char *));
    r->rec->vals = arena_alloc(s->arena, (size_t)(info.n ? info.n : 1) * sizeof(Val *));
    for (int64_t i = 0; i < info.n; i++) {
      const char *name = arena_strdup(s->fn->arena, info.names[i]);
      IrValue *ops[5] = {where, a.pos[0]->ir, ir_string(&s->b, name), ir_const(&s->b, ir_scalar(SN_I32), 0, info.dtypes[i]),
                         ir_const_i64(&s->b, info.ranks[i])};
      IrBuilder save = s->b;
      s->b.span = call->span;
      IrValue *t = ir_call(&s->b, RT_LOAD_NAMED, 5, ops);
      s->b = save;
      r->rec->names[i] = arena_strdup(s->arena, info.names[i]);
      r->rec->vals[i] = loaded_tensor(s, t, (SnDtype)info.dtypes[i], (int)info.ranks[i], NULL);
    }
  }
  sn_file_info_free(&info);
  return r;
}

/* load_csv(path, label=last, dtype=f32, sep=",", header=true): {x: f32[n, d], y: i64[n]}; y is
 * f64 for a numeric label that is not integral, and class indices for text (see SnCsvSpec).
 * Without sep the header line's delimiter is found; without header a first row of numbers only
 * is an error (the file looks headerless). */
static Val *b_load_csv(Sema *s, Node *call) {
  SnDtype dt = SN_F32;
  bool given;
  if (!find_dtype(s, call, &dt, &given)) return ERR;
  if (dt != SN_F32 && dt != SN_F64) {
    diag_error(s->diags, call->span, "load_csv reads features as f32 or f64, not %s", sn_dtype_name(dt));
    return ERR;
  }
  /* label=first|last|none or a column's name, sep and header, read from the syntax */
  const char *label = "last";
  int32_t sep = 0, header = SN_CSV_HEADER_CHECK;
  Node *c = without_dtype(s, call);
  Node *rest = NEW(s->arena, Node);
  *rest = *c;
  rest->list = (PtrVec){0};
  for (int i = 0; i < c->list.n; i++) {
    Node *n = c->list.items[i];
    if (n->kind == A_KWARG && strcmp(n->name, "sep") == 0) {
      if (n->a->kind != A_STR || strlen(n->a->str) != 1 || strchr("\"\r\n", n->a->str[0])) {
        Diag *g = diag_error(s->diags, n->a->span, "sep must be one character in quotes, such as \";\" or \"\\t\"");
        diag_hint(s->diags, g, "without sep, the most frequent of , tab ; | on the header line separates the fields");
        return ERR;
      }
      sep = (unsigned char)n->a->str[0];
      continue;
    }
    if (n->kind == A_KWARG && strcmp(n->name, "header") == 0) {
      if (n->a->kind != A_BOOL) {
        diag_error(s->diags, n->a->span, "header must be true (the first row names the columns) or false (it is data)");
        return ERR;
      }
      header = n->a->ival ? SN_CSV_HEADER_YES : SN_CSV_HEADER_NO;
      continue;
    }
    if (n->kind == A_KWARG && strcmp(n->name, "label") == 0) {
      if (n->a->kind == A_NAME && (!strcmp(n->a->name, "first") || !strcmp(n->a->name, "last") || !strcmp(n->a->name, "none"))) {
        label = strcmp(n->a->name, "none") == 0 ? "" : n->a->name;
      } else if (n->a->kind == A_STR) {
        label = n->a->str;
      } else {
        Diag *g = diag_error(s->diags, n->a->span, "label must be first, last, none or a column's name in quotes");
        (void)g;
        return ERR;
      }
      continue;
    }
    vec_push(s->arena, &rest->list, n);
  }
  static const char *const kws[] = {"label", "dtype", "sep", "header", NULL};
  Args a;
  if (!get_args(s, rest, 1, 1, kws, 0, &a) || !path_arg(s, &a, 0, "load_csv")) return ERR;
  SnDtype ydt = SN_I64;
  Node *pn = a.posn[0];
  if (pn->kind == A_STR && *label) {
    SnCsvSpec spec = {.label = label, .dtype = dt, .delimiter = (char)sep, .header = header};
    SnCsvData d = {0};
    if (sn_csv_read(pn->str, &spec, &d)) {
      Diag *g = diag_error(s->diags, pn->span, "cannot read %s", sn_error_message());
      struct stat st;
      if (!file_exists(pn->str, &st)) diag_hint(s->diags, g, "the file is read when the program is compiled, for the type of its labels");
      return ERR;
    }
    ydt = (SnDtype)d.y->dtype;
    sn_csv_free(&d);
    note_read(s, "load_csv %s label %s: y %s", pn->str, label, sn_dtype_name(ydt));
  }
  IrValue *where = where_of(s, call->span);
  IrValue *path = a.pos[0]->ir, *lab = ir_string(&s->b, arena_strdup(s->fn->arena, label));
  Val *r = val_new(s, V_RECORD);
  r->rec = NEW(s->arena, Record);
  r->rec->n = *label ? 2 : 1;
  r->rec->names = arena_alloc(s->arena, 2 * sizeof(char *));
  r->rec->vals = arena_alloc(s->arena, 2 * sizeof(Val *));
  for (int part = 0; part < r->rec->n; part++) {
    IrValue *ops[8] = {where, path, lab, ir_const(&s->b, ir_scalar(SN_I32), 0, dt), ir_const(&s->b, ir_scalar(SN_I32), 0, part),
                       ir_const(&s->b, ir_scalar(SN_I32), 0, ydt), ir_const(&s->b, ir_scalar(SN_I32), 0, sep),
                       ir_const(&s->b, ir_scalar(SN_I32), 0, header)};
    IrBuilder save = s->b;
    s->b.span = call->span;
    IrValue *t = ir_call(&s->b, RT_LOAD_CSV_PART, 8, ops);
    s->b = save;
    r->rec->names[part] = part ? "y" : "x";
    r->rec->vals[part] = loaded_tensor(s, t, part ? ydt : dt, part ? 1 : 2, NULL);
  }
  /* x and y have the same rows */
  if (r->rec->n == 2) check_dims_match(s, r->rec->vals[0]->dims[0], r->rec->vals[1]->dims[0], call->span, "rows of x and y");
  return r;
}

/* save(value, path): a tensor to .npy or .safetensors, a record of tensors to .safetensors or a
 * directory; written atomically, never over one of the program's inputs. */
static Val *b_save(Sema *s, Node *call) {
  Args a;
  if (!get_args(s, call, 2, 2, NULL, 0, &a) || !path_arg(s, &a, 1, "save")) return ERR;
  Val *v = a.pos[0];
  IrValue *where = where_of(s, call->span);
  IrBuilder save = s->b;
  s->b.span = call->span;
  if (v->kind == V_TENSOR) {
    IrValue *ops[3] = {where, a.pos[1]->ir, v->ir};
    ir_call(&s->b, RT_SAVE_TENSOR, 3, ops);
  } else if (v->kind == V_RECORD) {
    for (int i = 0; i < v->rec->n; i++)
      if (v->rec->vals[i]->kind != V_TENSOR) {
        Diag *g = diag_error(s->diags, a.posn[0]->span, "save writes tensors, but field `%s` is %s", v->rec->names[i],
                             val_type_str(s, v->rec->vals[i]));
        diag_hint(s->diags, g, "save a record of tensors only, e.g. {w: w, b: b}");
        s->b = save;
        return ERR;
      }
    IrValue *ops[2] = {where, a.pos[1]->ir};
    IrValue *saver = ir_call(&s->b, RT_SAVE_BEGIN, 2, ops);
    saver->type = ir_ptr(SN_U8);
    for (int i = 0; i < v->rec->n; i++) {
      IrValue *add[3] = {saver, ir_string(&s->b, arena_strdup(s->fn->arena, v->rec->names[i])), v->rec->vals[i]->ir};
      ir_call(&s->b, RT_SAVE_ADD, 3, add);
    }
    ir_call(&s->b, RT_SAVE_END, 1, &saver);
  } else {
    Diag *g = diag_error(s->diags, a.posn[0]->span, "save writes tensors or records of tensors, not %s", val_type_str(s, v));
    (void)g;
    s->b = save;
    return ERR;
  }
  s->b = save;
  return unit_val(s);
}

/* --- exact optimal transport (runtime/ot/emd.c, sliced.c) ----------------------------------- */

/* A tensor argument of the given rank with numbers in it (any numeric dtype: the solvers work in
 * f64). */
static bool ot_tensor(Sema *s, Val *v, Node *n, int rank, const char *fn, const char *name) {
  if (v->kind == V_TENSOR && v->rank == rank && v->dt != SN_BOOL) return true;
  diag_error(s->diags, n->span, "`%s`: `%s` must be a tensor of rank %d with numbers in it, not %s", fn, name, rank,
             val_type_str(s, v));
  return false;
}

/* A vector of n entries, one per point (`of` names the points; `kind` says what the entries
 * are, "weights" or "potentials"), checked against n. */
static bool ot_vector(Sema *s, Val *w, Node *wn, Dim n, const char *fn, const char *kind, const char *name, const char *of) {
  if (!ot_tensor(s, w, wn, 1, fn, name)) return false;
  const char *what = arena_printf(s->arena, "`%s`: the %s `%s` and %s", fn, kind, name, of);
  if (check_dims_match(s, n, w->dims[0], wn->span, what)) return true;
  diag_error(s->diags, wn->span, "`%s`: the %s `%s` have %s entries, but %s number %s", fn, kind, name,
             dim_str(s, w->dims[0]), of, dim_str(s, n));
  return false;
}

/* Weights for n points (`of` says what they weigh): the given ones, checked against n, or
 * uniform 1/n. */
static Val *ot_weights(Sema *s, Val *w, Node *wn, Dim n, const char *fn, const char *name, const char *of, Span span) {
  if (w) return ot_vector(s, w, wn, n, fn, "weights", name, of) ? w : ERR;
  IrValue *count = ir_cast(&s->b, dim_value(s, n), ir_scalar(SN_F64));
  FillCtx fc = {SN_F64, scalar_val(s, SN_F64, false, ir_bin(&s->b, BIN_DIV, ir_const_f(&s->b, SN_F64, 1), count))};
  return make_compr(s, SN_F64, 1, &n, fill_body, &fc, span);
}

static Val *ot_part(Sema *s, IrValue *h, int part, int rank, const Dim *dims, const char *name) {
  IrValue *ops[2] = {h, ir_const(&s->b, ir_scalar(SN_I32), 0, part)};
  IrValue *t = ir_call(&s->b, RT_OT_TENSOR, 2, ops);
  SnDtype dt = part == SN_OT_ROWS || part == SN_OT_COLS ? SN_I64 : SN_F64;
  if (!dims) return loaded_tensor(s, t, dt, rank, name);
  t->type = ir_tensor(dt, rank);
  return tensor_val(s, dt, rank, dims, t);
}

static Val *ot_scalar(Sema *s, IrValue *h, int part, SnDtype dt) {
  IrValue *ops[2] = {h, ir_const(&s->b, ir_scalar(SN_I32), 0, part)};
  IrValue *v = ir_call(&s->b, RT_OT_SCALAR, 2, ops);
  if (dt != SN_F64) v = ir_cast(&s->b, v, ir_scalar(dt));
  return scalar_val(s, dt, false, v);
}

static Val *record_of(Sema *s, int n, const char **names, Val **vals) {
  Val *r = val_new(s, V_RECORD);
  r->rec = NEW(s->arena, Record);
  r->rec->n = n;
  r->rec->names = arena_alloc(s->arena, (size_t)n * sizeof *r->rec->names);
  r->rec->vals = arena_alloc(s->arena, (size_t)n * sizeof *r->rec->vals);
  for (int i = 0; i < n; i++) {
    r->rec->names[i] = names[i];
    r->rec->vals[i] = vals[i];
  }
  return r;
}

/* The sparse plan of an exact solve: {rows, cols, mass}, nnz entries. */
static Val *ot_support(Sema *s, IrValue *h) {
  Val *rows = ot_part(s, h, SN_OT_ROWS, 1, NULL, "support.rows");
  Dim nnz = rows->dims[0];
  const char *names[3] = {"rows", "cols", "mass"};
  Val *vals[3] = {rows, ot_part(s, h, SN_OT_COLS, 1, &nnz, NULL), ot_part(s, h, SN_OT_MASS, 1, &nnz, NULL)};
  return record_of(s, 3, names, vals);
}

/* emd(a, b, C, max_iter=...): exact transport by the network simplex method. */
static Val *b_emd(Sema *s, Node *call) {
  static const char *const kw[] = {"max_iter", NULL};
  Args a;
  if (!get_args(s, call, 3, 3, kw, 0, &a)) return ERR;
  if (!ot_tensor(s, a.pos[2], a.posn[2], 2, "emd", "C")) return ERR;
  Val *C = a.pos[2];
  Val *wa = ot_weights(s, a.pos[0], a.posn[0], C->dims[0], "emd", "a", "the rows of `C`", call->span);
  Val *wb = ot_weights(s, a.pos[1], a.posn[1], C->dims[1], "emd", "b", "the columns of `C`", call->span);
  if (wa->kind == V_ERROR || wb->kind == V_ERROR) return ERR;
  IrValue *max_iter = ir_const_i64(&s->b, 0);
  if (a.kw[0]) {
    if (!need_int_scalar(s, a.kw[0], a.kwn[0], "max_iter")) return ERR;
    max_iter = ir_cast(&s->b, a.kw[0]->ir, ir_i64);
  }
  s->b.span = call->span;
  IrValue *ops[5] = {where_of(s, call->span), wa->ir, wb->ir, C->ir, max_iter};
  IrValue *h = ir_call(&s->b, RT_OT_EMD, 5, ops);
  h->type = ir_ptr(SN_U8);
  const char *names[7] = {"plan", "cost", "f", "g", "iterations", "converged", "support"};
  Val *vals[7] = {ot_part(s, h, SN_OT_PLAN, 2, C->dims, NULL), ot_scalar(s, h, SN_OT_COST, SN_F64),
                  ot_part(s, h, SN_OT_F, 1, &C->dims[0], NULL), ot_part(s, h, SN_OT_G, 1, &C->dims[1], NULL),
                  ot_scalar(s, h, SN_OT_ITERATIONS, SN_I64), ot_scalar(s, h, SN_OT_CONVERGED, SN_BOOL),
                  ot_support(s, h)};
  ir_call(&s->b, RT_OT_FREE, 1, &h);
  return record_of(s, 7, names, vals);
}

/* The numbers at positions at[k] of a solver's arguments, named names[k], as f64 (i64 for
 * max_iter); false, reported, where one is not a number. */
static bool ot_numbers(Sema *s, const char *fn, Args *a, int n, const char *const *names, const int *at,
                       IrValue **num) {
  for (int k = 0; k < n; k++) {
    Val *v = a->pos[at[k]];
    bool count = strcmp(names[k], "max_iter") == 0;
    if (count ? !need_int_scalar(s, v, a->posn[at[k]], names[k]) : v->kind != V_SCALAR || v->dt == SN_BOOL) {
      if (!count)
        diag_error(s->diags, a->posn[at[k]]->span, "`%s`: %s must be a number, not %s", fn, names[k], val_type_str(s, v));
      return false;
    }
    num[k] = ir_cast(&s->b, v->ir, count ? ir_i64 : ir_scalar(SN_F64));
  }
  return true;
}

/* sinkhorn_kernel(a, b, K, eps, g0, tol, max_iter): Sinkhorn's scaling form on the stored kernel
 * K = exp(-C / eps), both products of an iteration in one pass over K (stdlib's sinkhorn calls
 * it when K fits in memory). {f, g (f64), err, iterations, converged}. */
static Val *b_sinkhorn_kernel(Sema *s, Node *call) {
  const char *fn = "sinkhorn_kernel";
  Args a;
  if (!get_args(s, call, 7, 7, NULL, 0, &a)) return ERR;
  if (!ot_tensor(s, a.pos[2], a.posn[2], 2, fn, "K")) return ERR;
  Val *K = a.pos[2];
  if (K->dt != SN_F32 && K->dt != SN_F64) {
    diag_error(s->diags, a.posn[2]->span, "`%s`: the kernel `K` must be f32 or f64, not %s", fn, val_type_str(s, K));
    return ERR;
  }
  Val *wa = ot_weights(s, a.pos[0], a.posn[0], K->dims[0], fn, "a", "the rows of `K`", call->span);
  Val *wb = ot_weights(s, a.pos[1], a.posn[1], K->dims[1], fn, "b", "the columns of `K`", call->span);
  if (wa->kind == V_ERROR || wb->kind == V_ERROR ||
      !ot_vector(s, a.pos[4], a.posn[4], K->dims[1], fn, "potentials", "g0", "the columns of `K`"))
    return ERR;
  static const char *const names[3] = {"eps", "tol", "max_iter"};
  static const int at[3] = {3, 5, 6};
  IrValue *num[3];
  if (!ot_numbers(s, fn, &a, 3, names, at, num)) return ERR;
  s->b.span = call->span;
  IrValue *ops[8] = {where_of(s, call->span), wa->ir, wb->ir, K->ir, num[0], a.pos[4]->ir, num[1], num[2]};
  IrValue *h = ir_call(&s->b, RT_OT_SCALING, 8, ops);
  h->type = ir_ptr(SN_U8);
  const char *fields[5] = {"f", "g", "err", "iterations", "converged"};
  Val *vals[5] = {ot_part(s, h, SN_OT_F, 1, &K->dims[0], NULL), ot_part(s, h, SN_OT_G, 1, &K->dims[1], NULL),
                  ot_scalar(s, h, SN_OT_ERR, SN_F64), ot_scalar(s, h, SN_OT_ITERATIONS, SN_I64),
                  ot_scalar(s, h, SN_OT_CONVERGED, SN_BOOL)};
  ir_call(&s->b, RT_OT_FREE, 1, &h);
  return record_of(s, 5, fields, vals);
}

/* sns_newton(a, b, C, eps, f0, g0, tol, max_iter, keep): the Newton stage of
 * Sinkhorn-Newton-Sparse from the potentials f0, g0 (stdlib's sinkhorn_newton runs the Sinkhorn
 * warm-up first). {f, g (f64), err, cost, iterations, converged, nnz, sinkhorn_steps}. */
static Val *b_sns_newton(Sema *s, Node *call) {
  const char *fn = "sns_newton";
  Args a;
  if (!get_args(s, call, 9, 9, NULL, 0, &a)) return ERR;
  if (!ot_tensor(s, a.pos[2], a.posn[2], 2, fn, "C")) return ERR;
  Val *C = a.pos[2];
  Val *wa = ot_weights(s, a.pos[0], a.posn[0], C->dims[0], fn, "a", "the rows of `C`", call->span);
  Val *wb = ot_weights(s, a.pos[1], a.posn[1], C->dims[1], fn, "b", "the columns of `C`", call->span);
  if (wa->kind == V_ERROR || wb->kind == V_ERROR ||
      !ot_vector(s, a.pos[4], a.posn[4], C->dims[0], fn, "potentials", "f0", "the rows of `C`") ||
      !ot_vector(s, a.pos[5], a.posn[5], C->dims[1], fn, "potentials", "g0", "the columns of `C`"))
    return ERR;
  static const char *const names[4] = {"eps", "tol", "max_iter", "keep"};
  static const int at[4] = {3, 6, 7, 8};
  IrValue *num[4];
  if (!ot_numbers(s, fn, &a, 4, names, at, num)) return ERR;
  s->b.span = call->span;
  IrValue *ops[10] = {where_of(s, call->span), wa->ir, wb->ir, C->ir, num[0], a.pos[4]->ir, a.pos[5]->ir, num[1], num[2], num[3]};
  IrValue *h = ir_call(&s->b, RT_OT_SNS, 10, ops);
  h->type = ir_ptr(SN_U8);
  const char *fields[8] = {"f", "g", "err", "cost", "iterations", "converged", "nnz", "sinkhorn_steps"};
  Val *vals[8] = {ot_part(s, h, SN_OT_F, 1, &C->dims[0], NULL), ot_part(s, h, SN_OT_G, 1, &C->dims[1], NULL),
                  ot_scalar(s, h, SN_OT_ERR, SN_F64), ot_scalar(s, h, SN_OT_COST, SN_F64),
                  ot_scalar(s, h, SN_OT_ITERATIONS, SN_I64), ot_scalar(s, h, SN_OT_CONVERGED, SN_BOOL),
                  ot_scalar(s, h, SN_OT_NNZ, SN_I64), ot_scalar(s, h, SN_OT_SINKHORN_STEPS, SN_I64)};
  ir_call(&s->b, RT_OT_FREE, 1, &h);
  return record_of(s, 8, fields, vals);
}

/* p=, the exponent of the ground cost |x - y|^p (keyword k, `dflt` when not given). */
static bool ot_p(Sema *s, Args *a, int k, double dflt, IrValue **p) {
  *p = ir_const_f(&s->b, SN_F64, dflt);
  if (!a->kw[k]) return true;
  Val *v = a->kw[k];
  if (v->kind != V_SCALAR || v->dt == SN_BOOL) {
    diag_error(s->diags, a->kwn[k]->span, "p must be a number, not %s", val_type_str(s, v));
    return false;
  }
  *p = ir_cast(&s->b, v->ir, ir_scalar(SN_F64));
  return true;
}

/* emd_1d(x, y, a=..., b=..., p=1): exact transport on the line for |x - y|^p. */
static Val *b_emd_1d(Sema *s, Node *call) {
  static const char *const kw[] = {"a", "p", "b", NULL};
  Args a;
  if (!get_args(s, call, 2, 2, kw, 0, &a)) return ERR;
  if (!ot_tensor(s, a.pos[0], a.posn[0], 1, "emd_1d", "x") || !ot_tensor(s, a.pos[1], a.posn[1], 1, "emd_1d", "y"))
    return ERR;
  Val *wa = ot_weights(s, a.kw[0], a.kwn[0], a.pos[0]->dims[0], "emd_1d", "a", "the points `x`", call->span);
  Val *wb = ot_weights(s, a.kw[2], a.kwn[2], a.pos[1]->dims[0], "emd_1d", "b", "the points `y`", call->span);
  IrValue *p;
  if (wa->kind == V_ERROR || wb->kind == V_ERROR || !ot_p(s, &a, 1, 1, &p)) return ERR;
  s->b.span = call->span;
  IrValue *ops[6] = {where_of(s, call->span), a.pos[0]->ir, a.pos[1]->ir, wa->ir, wb->ir, p};
  IrValue *h = ir_call(&s->b, RT_OT_EMD_1D, 6, ops);
  h->type = ir_ptr(SN_U8);
  const char *names[3] = {"cost", "distance", "support"};
  Val *vals[3] = {ot_scalar(s, h, SN_OT_COST, SN_F64), ot_scalar(s, h, SN_OT_DISTANCE, SN_F64), ot_support(s, h)};
  ir_call(&s->b, RT_OT_FREE, 1, &h);
  return record_of(s, 3, names, vals);
}

/* sliced_wasserstein(X, Y, a=..., b=..., projections=50, seed=0, p=2): the sliced Wasserstein
 * distance over seeded random directions (POT's sliced_wasserstein_distance). */
static Val *b_sliced(Sema *s, Node *call) {
  static const char *const kw[] = {"a", "p", "b", "projections", "seed", NULL};
  Args a;
  if (!get_args(s, call, 2, 2, kw, 0, &a)) return ERR;
  const char *fn = "sliced_wasserstein";
  if (!ot_tensor(s, a.pos[0], a.posn[0], 2, fn, "X") || !ot_tensor(s, a.pos[1], a.posn[1], 2, fn, "Y")) return ERR;
  if (!check_dims_match(s, a.pos[0]->dims[1], a.pos[1]->dims[1], call->span,
                        "`sliced_wasserstein`: the dimensions of the points of X and Y")) {
    diag_error(s->diags, call->span, "`sliced_wasserstein`: the points of `X` have %s coordinates, but those of `Y` have %s",
               dim_str(s, a.pos[0]->dims[1]), dim_str(s, a.pos[1]->dims[1]));
    return ERR;
  }
  Val *wa = ot_weights(s, a.kw[0], a.kwn[0], a.pos[0]->dims[0], fn, "a", "the points `X`", call->span);
  Val *wb = ot_weights(s, a.kw[2], a.kwn[2], a.pos[1]->dims[0], fn, "b", "the points `Y`", call->span);
  IrValue *p, *ints[2] = {ir_const_i64(&s->b, 50), ir_const_i64(&s->b, 0)};
  if (wa->kind == V_ERROR || wb->kind == V_ERROR || !ot_p(s, &a, 1, 2, &p)) return ERR;
  for (int k = 0; k < 2; k++)
    if (a.kw[3 + k]) {
      if (!need_int_scalar(s, a.kw[3 + k], a.kwn[3 + k], kw[3 + k])) return ERR;
      ints[k] = ir_cast(&s->b, a.kw[3 + k]->ir, ir_i64);
    }
  s->b.span = call->span;
  IrValue *ops[8] = {where_of(s, call->span), a.pos[0]->ir, a.pos[1]->ir, wa->ir, wb->ir, ints[0], ints[1], p};
  IrValue *h = ir_call(&s->b, RT_OT_SLICED, 8, ops);
  h->type = ir_ptr(SN_U8);
  Val *d = ot_scalar(s, h, SN_OT_DISTANCE, SN_F64);
  ir_call(&s->b, RT_OT_FREE, 1, &h);
  return d;
}

/* --- the table ------------------------------------------------------------------------------- */

#define BUILTIN_MATH_1(name) name,
#define BUILTIN_MATH_2(name)
const char *const builtin_names[] = {
    "print",
#define MATH(id, name, arity, ...) BUILTIN_MATH_##arity(name)
#include "mathfns.def"
    "sigmoid", "relu", "softplus", "sign", "pow", "min", "max", "clamp", "where",
#define RED(id, name, ...) name,
#include "reductions.def"
    "zeros", "ones", "full", "arange", "linspace", "eye",
    "rand", "randn", "transpose", "size", "numel", "f16", "bf16", "f32", "f64", "i8", "u8", "i32", "i64",
    "bool", "now", "load", "load_csv", "save", "check", "isfinite", "cast", "epsilon", "emd", "emd_1d", "sliced_wasserstein", "sns_newton", "sinkhorn_kernel", NULL,
};

Val *call_builtin(Sema *s, Node *call, bool *found) {
  const char *nm = call->name;
  *found = true;
  int mf = ir_math_lookup(nm);
  if (mf >= 0 && ir_math_fns[mf].arity == 1) return b_math(s, call, (IrMathFn)mf);
  int red = red_lookup(nm, strlen(nm));
  if (red >= 0 && red != RED_MAX && red != RED_MIN) return b_reduce(s, call, (RedKind)red); /* max, min: b_minmax */
  SnDtype dt;
  if (sn_dtype_from_name(nm, &dt)) return b_cast(s, call, dt);
  if (strcmp(nm, "print") == 0) return b_print(s, call);
  if (strcmp(nm, "check") == 0) return b_check(s, call);
  if (strcmp(nm, "sigmoid") == 0) return b_special(s, call, F_SIGMOID);
  if (strcmp(nm, "relu") == 0) return b_special(s, call, F_RELU);
  if (strcmp(nm, "softplus") == 0) return b_special(s, call, F_SOFTPLUS);
  if (strcmp(nm, "sign") == 0) return b_special(s, call, F_SIGN);
  if (strcmp(nm, "isfinite") == 0) return b_special(s, call, F_ISFINITE);
  if (strcmp(nm, "cast") == 0) return b_cast_to(s, call);
  if (strcmp(nm, "epsilon") == 0) return b_epsilon(s, call);
  if (strcmp(nm, "emd") == 0) return b_emd(s, call);
  if (strcmp(nm, "sns_newton") == 0) return b_sns_newton(s, call);
  if (strcmp(nm, "sinkhorn_kernel") == 0) return b_sinkhorn_kernel(s, call);
  if (strcmp(nm, "emd_1d") == 0) return b_emd_1d(s, call);
  if (strcmp(nm, "sliced_wasserstein") == 0) return b_sliced(s, call);
  if (strcmp(nm, "pow") == 0) return b_pow(s, call);
  if (strcmp(nm, "max") == 0) return b_minmax(s, call, true);
  if (strcmp(nm, "min") == 0) return b_minmax(s, call, false);
  if (strcmp(nm, "clamp") == 0) return b_clamp(s, call);
  if (strcmp(nm, "where") == 0) return b_where(s, call);
  if (strcmp(nm, "zeros") == 0) return b_fill(s, call, 0);
  if (strcmp(nm, "ones") == 0) return b_fill(s, call, 1);
  if (strcmp(nm, "full") == 0) return b_fill(s, call, NAN);
  if (strcmp(nm, "arange") == 0) return b_arange(s, call);
  if (strcmp(nm, "linspace") == 0) return b_linspace(s, call);
  if (strcmp(nm, "eye") == 0) return b_eye(s, call);
  if (strcmp(nm, "rand") == 0) return b_random(s, call, SN_DIST_UNIFORM);
  if (strcmp(nm, "randn") == 0) return b_random(s, call, SN_DIST_NORMAL);
  if (strcmp(nm, "transpose") == 0) return b_transpose(s, call);
  if (strcmp(nm, "size") == 0) return b_size(s, call);
  if (strcmp(nm, "numel") == 0) return b_numel(s, call);
  if (strcmp(nm, "now") == 0) return b_now(s, call);
  if (strcmp(nm, "load") == 0) return load_call(s, call, NULL);
  if (strcmp(nm, "load_csv") == 0) return b_load_csv(s, call);
  if (strcmp(nm, "save") == 0) return b_save(s, call);
  *found = false;
  return NULL;
}
