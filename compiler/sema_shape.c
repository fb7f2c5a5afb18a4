/* sema_shape.c: dimensions, subscripts and slices, comprehensions and reductions, tensor
 * literals.
 *
 * A dimension is a constant or a symbol tied to the IR value of its size (docs/design.md, "Sizes
 * are symbols"). The range of a comprehension's or reduction's index is inferred from the
 * subscripts it appears in (`x[i, k]` bounds i by x's first dimension). */
#include "sema_int.h"

#include <string.h>

/* --- dimensions ------------------------------------------------------------------------------- */

Dim sema_dim_const(int64_t c) { return (Dim){c, NULL}; }

bool sema_dims_equal(Dim a, Dim b) {
  if (!a.sym && !b.sym) return a.c == b.c;
  if (a.sym && b.sym) return a.sym == b.sym || a.sym->v == b.sym->v;
  return false;
}

const char *sema_dim_str(Sema *s, Dim d) {
  if (!d.sym) return arena_printf(s->arena, "%lld", (long long)d.c);
  return d.sym->name;
}

IrValue *sema_entry_const(Sema *s, int64_t c) {
  IrBuilder b = {.fn = s->fn, .block = s->fn->body, .before = s->fn->body->first, .span = s->b.span, .site = s->b.site};
  return ir_const_i64(&b, c);
}

IrValue *sema_dim_value(Sema *s, Dim d) { return d.sym ? d.sym->v : sema_entry_const(s, d.c); }

/* The dimension whose size is the run-time value v; one Sym per value, so two tensors sized by
 * the same value have provably equal dimensions. */
Dim sema_dim_of_value(Sema *s, IrValue *v, const char *name) {
  int64_t c;
  if (ir_is_const_int(v, &c) && c >= 0) return sema_dim_const(c);
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
bool sema_dims_match(Sema *s, Dim a, Dim b, Span span, const char *what) {
  if (sema_dims_equal(a, b)) return true;
  if (!a.sym && !b.sym) return false;
  IrValue *ops[2] = {sema_dim_value(s, a), sema_dim_value(s, b)};
  IrBuilder save = s->b;
  s->b.span = span;
  ir_check(&s->b, CHECK_DIMS, 2, ops, what);
  s->b = save;
  return true;
}

bool sema_size(Sema *s, Val *v, Span span, Dim *out) {
  if (v->kind == V_ERROR) return false;
  if (v->kind != V_SCALAR || !sema_is_int(v->dt)) {
    diag_error(s->diags, span, "a size must be an integer, not %s", sema_type_str(s, v));
    return false;
  }
  IrValue *x = ir_cast(&s->b, v->ir, ir_i64);
  int64_t c;
  if (ir_is_const_int(x, &c)) {
    if (c < 0) {
      diag_error(s->diags, span, "a size cannot be negative (%lld)", (long long)c);
      return false;
    }
    *out = sema_dim_const(c);
    return true;
  }
  IrValue *ok = ir_cmp(&s->b, CMP_GE, x, ir_const_i64(&s->b, 0));
  IrBuilder save = s->b;
  s->b.span = span;
  ir_check(&s->b, CHECK_TRUE, 1, &ok, arena_printf(s->fn->arena, "negative size %s", sema_src_text(s, span)));
  s->b = save;
  *out = sema_dim_of_value(s, x, sema_src_text(s, span));
  return true;
}

/* --- subscripts --------------------------------------------------------------------------------- */

static IndexVar *index_var_of(Sema *s, Node *n) {
  if (n->kind != A_NAME) return NULL;
  Binding *b = sema_lookup(s, n->name);
  return b && b->kind == B_INDEX ? b->index : NULL;
}

/* A subscript that is not a bare index variable or an array: an integer value v, checked against
 * the size. */
static IrValue *subscript_value(Sema *s, Node *n, Val *v, Val *base, int axis) {
  if (v->kind != V_SCALAR || !sema_is_int(v->dt)) {
    Diag *g = diag_error(s->diags, n->span, "a subscript must be an integer, not %s", sema_type_str(s, v));
    if (v->kind == V_SCALAR && sema_is_float(v->dt)) diag_hint(s->diags, g, "convert with i64(...)");
    return NULL;
  }
  IrValue *iv = ir_cast(&s->b, v->ir, ir_i64);
  Dim d = base->dims[axis];
  int64_t c;
  if (ir_is_const_int(iv, &c)) {
    if (c < 0 && !d.sym) c += d.c; /* x[-1] is the last element, as in Python */
    else if (c < 0) {
      IrValue *ext = sema_dim_value(s, d);
      iv = ir_bin(&s->b, BIN_ADD, iv, ext);
      goto runtime_check;
    }
    if (!d.sym) {
      if (c < 0 || c >= d.c) {
        Diag *g = diag_error(s->diags, n->span, "index %lld is out of range for dimension %d of %s",
                             (long long)(ir_is_const_int(iv, &c) ? c : 0), axis, sema_type_str(s, base));
        diag_hint(s->diags, g, "valid indices are 0 to %lld (or -1 to -%lld from the end)", (long long)d.c - 1,
                  (long long)d.c);
        return NULL;
      }
      return ir_const_i64(&s->b, c);
    }
  }
runtime_check:;
  IrValue *ops[2] = {iv, sema_dim_value(s, d)};
  IrBuilder save = s->b;
  s->b.span = n->span;
  ir_check(&s->b, CHECK_INDEX, 2, ops,
           arena_printf(s->arena, "%s (dimension %d of %s)", sema_src_text(s, n->span), axis, sema_type_str(s, base)));
  s->b = save;
  return iv;
}

/* A slice's bound or step, an integer (`what` it is for messages), as an i64; NULL after an
 * error. */
static IrValue *slice_int(Sema *s, Node *n, const char *what) {
  Val *v = sema_expr(s, n);
  if (v->kind == V_ERROR) return NULL;
  if (v->kind != V_SCALAR || !sema_is_int(v->dt)) {
    diag_error(s->diags, n->span, "a slice %s must be an integer, not %s", what, sema_type_str(s, v));
    return NULL;
  }
  return ir_cast(&s->b, v->ir, ir_i64);
}

/* A slice bound: Python's rules, negative counts from the end, clamped to [lo, hi]; `dflt` when
 * left out. */
static IrValue *slice_bound(Sema *s, Node *n, IrValue *ext, IrValue *dflt, IrValue *lo, IrValue *hi) {
  if (!n) return dflt;
  IrValue *x = slice_int(s, n, "bound");
  if (!x) return NULL;
  IrValue *neg = ir_cmp(&s->b, CMP_LT, x, sema_entry_const(s, 0));
  x = ir_select(&s->b, neg, ir_bin(&s->b, BIN_ADD, x, ext), x);
  x = ir_bin(&s->b, BIN_MAX, x, lo);
  return ir_bin(&s->b, BIN_MIN, x, hi);
}

/* The step of a slice a:b:c: a non-zero integer (an error now when it is the constant 0, else
 * when the program runs). */
static IrValue *slice_step(Sema *s, Node *n) {
  IrValue *x = slice_int(s, n, "step");
  if (!x) return NULL;
  int64_t c;
  if (ir_is_const_int(x, &c)) {
    if (c != 0) return x;
    Diag *g = diag_error(s->diags, n->span, "a slice step cannot be 0");
    diag_hint(s->diags, g, "x[::1] takes every element, x[::-1] reverses");
    return NULL;
  }
  IrValue *nz = ir_cmp(&s->b, CMP_NE, x, sema_entry_const(s, 0));
  IrBuilder save = s->b;
  s->b.span = n->span;
  ir_check(&s->b, CHECK_TRUE, 1, &nz, arena_printf(s->fn->arena, "the slice step %s is 0", sema_src_text(s, n->span)));
  s->b = save;
  return x;
}

/* A slice a:b or a:b:c over a dimension of size ext, Python's rules (CPython's
 * PySlice_AdjustIndices): its first index and its length; *step is NULL for a step of 1. */
static bool slice_range(Sema *s, Node *sub, IrValue *ext, IrValue **start, IrValue **step, IrValue **len) {
  IrValue *zero = sema_entry_const(s, 0), *one = sema_entry_const(s, 1);
  *step = NULL;
  if (!sub->c) {
    IrValue *lo = slice_bound(s, sub->a, ext, zero, zero, ext), *hi = slice_bound(s, sub->b, ext, ext, zero, ext);
    if (!lo || !hi) return false;
    *start = lo;
    *len = ir_bin(&s->b, BIN_MAX, ir_bin(&s->b, BIN_SUB, hi, lo), zero);
    return true;
  }
  IrValue *st = slice_step(s, sub->c);
  if (!st) return false;
  /* a negative step runs from the end down: its bounds clamp to [-1, ext - 1] and default to
   * ext - 1 and -1 (before the first element) */
  IrValue *minus1 = sema_entry_const(s, -1), *last = ir_bin(&s->b, BIN_SUB, ext, one);
  IrValue *pos = ir_cmp(&s->b, CMP_GT, st, zero);
  int64_t c;
  bool known = ir_is_const_int(st, &c);
#define BY_SIGN(p, n) (known ? (c > 0 ? (p) : (n)) : ir_select(&s->b, pos, (p), (n)))
  IrValue *lo_clamp = BY_SIGN(zero, minus1), *hi_clamp = BY_SIGN(ext, last);
  IrValue *lo = slice_bound(s, sub->a, ext, BY_SIGN(zero, last), lo_clamp, hi_clamp);
  IrValue *hi = slice_bound(s, sub->b, ext, BY_SIGN(ext, minus1), lo_clamp, hi_clamp);
  if (!lo || !hi) return false;
  /* ceil(distance / |step|), at least 0 */
  IrValue *dist = BY_SIGN(ir_bin(&s->b, BIN_SUB, hi, lo), ir_bin(&s->b, BIN_SUB, lo, hi));
  IrValue *astep = BY_SIGN(st, ir_bin(&s->b, BIN_SUB, zero, st));
#undef BY_SIGN
  dist = ir_bin(&s->b, BIN_MAX, dist, zero);
  *len = ir_bin(&s->b, BIN_DIV, ir_bin(&s->b, BIN_ADD, dist, ir_bin(&s->b, BIN_SUB, astep, one)), astep);
  *start = lo;
  *step = st;
  return true;
}

/* A subscript's view of its base: per base axis a fixed index, or a free axis (a slice) read at
 * start + i * step from its result axis, or one of the axes an index array reads. */
typedef struct ViewCtx {
  Val *base;
  IrValue *fixed[SN_MAX_RANK]; /* per base axis: a fixed index, or NULL */
  IrValue *start[SN_MAX_RANK]; /* per free axis: the slice start */
  IrValue *step[SN_MAX_RANK];  /* per free axis: the slice step, NULL for 1 */
  int out[SN_MAX_RANK];        /* per free axis: its result axis */
  /* the index array, if any: at base axes [arr_axis, arr_axis + arr_naxes), read at result axes
   * [arr_out, arr_out + arr->rank) */
  Val *arr;
  int arr_axis, arr_naxes, arr_out;
  bool arr_mask;               /* arr holds a mask's positions, unravelled over the axes it spans */
  const char *arr_what;        /* for the range check of integers */
  Span arr_span;               /* where the array is written */
} ViewCtx;

/* Is base axis d one the index array reads? */
static bool array_axis(const ViewCtx *c, int d) { return c->arr && d >= c->arr_axis && d < c->arr_axis + c->arr_naxes; }

/* The base indices an index array's element gives: a mask's position unravelled over its axes,
 * or an integer, negative counting from the end, checked against the size. */
static void array_indices(Sema *s, ViewCtx *c, Val **indices, IrValue **idx) {
  IrValue *ai[SN_MAX_RANK];
  for (int k = 0; k < c->arr->rank; k++) ai[k] = indices[c->arr_out + k]->ir;
  IrValue *v = ir_cast(&s->b, sema_elem(s, c->arr, ai)->ir, ir_i64);
  if (c->arr_mask) {
    for (int d = c->arr_axis + c->arr_naxes - 1; d >= c->arr_axis; d--) {
      IrValue *n = sema_dim_value(s, c->base->dims[d]);
      idx[d] = d == c->arr_axis ? v : ir_bin(&s->b, BIN_REM, v, n);
      v = ir_bin(&s->b, BIN_DIV, v, n);
    }
    return;
  }
  /* -1 is the last; an index out of range either way is reported as written */
  IrValue *n = sema_dim_value(s, c->base->dims[c->arr_axis]), *zero = sema_entry_const(s, 0);
  IrValue *w = ir_bin(&s->b, BIN_ADD, v, n);
  IrValue *wrap = ir_bin(&s->b, BIN_AND, ir_cmp(&s->b, CMP_LT, v, zero), ir_cmp(&s->b, CMP_GE, w, zero));
  v = ir_select(&s->b, wrap, w, v);
  IrValue *ops[2] = {v, n};
  IrBuilder save = s->b;
  s->b.span = c->arr_span;
  ir_check(&s->b, CHECK_INDEX, 2, ops, c->arr_what);
  s->b = save;
  idx[c->arr_axis] = v;
}

static Val *view_body(Sema *s, Val **indices, Span span, void *vctx) {
  (void)span;
  ViewCtx *c = vctx;
  IrValue *idx[SN_MAX_RANK];
  if (c->arr) array_indices(s, c, indices, idx);
  for (int d = 0; d < c->base->rank; d++) {
    if (array_axis(c, d)) continue;
    if (c->fixed[d]) {
      idx[d] = c->fixed[d];
      continue;
    }
    IrValue *i = indices[c->out[d]]->ir;
    if (c->step[d]) i = ir_bin(&s->b, BIN_MUL, i, c->step[d]);
    idx[d] = ir_bin(&s->b, BIN_ADD, i, c->start[d]);
  }
  return sema_elem(s, c->base, idx);
}

/* An index array x[idx] (integers, gathered) or x[mask] (bools, of the shape of the axes it
 * spans from `axis`: the positions of its true elements, as many as the program finds). */
static bool index_array(Sema *s, Node *sub, Val *v, Val *base, int axis, ViewCtx *vc) {
  if (v->dt == SN_BOOL) {
    if (axis + v->rank > base->rank) {
      diag_error(s->diags, sub->span, "the mask %s spans more dimensions than %s has from dimension %d", sema_type_str(s, v),
                 sema_type_str(s, base), axis);
      return false;
    }
    for (int k = 0; k < v->rank; k++) {
      const char *what = arena_printf(s->fn->arena, "dimension %d of %s and the mask %s", axis + k, sema_type_str(s, base),
                                      sema_src_text(s, sub->span));
      if (!sema_dims_match(s, base->dims[axis + k], v->dims[k], sub->span, what)) {
        Diag *g = diag_error(s->diags, sub->span, "the mask %s does not match %s in dimension %d (%s vs %s)", sema_type_str(s, v),
                             sema_type_str(s, base), axis + k, sema_dim_str(s, v->dims[k]), sema_dim_str(s, base->dims[axis + k]));
        diag_hint(s->diags, g, "a mask has the shape of the tensor, or of its leading dimensions");
        return false;
      }
    }
    IrBuilder save = s->b;
    s->b.span = sub->span;
    IrValue *pos = ir_call(&s->b, RT_FLATNONZERO, 1, &v->ir);
    s->b = save;
    pos->type = ir_tensor(SN_I64, 1);
    Dim count = sema_dim_of_value(s, ir_dim(&s->b, pos, 0), arena_printf(s->arena, "count(%s)", sema_src_text(s, sub->span)));
    vc->arr = sema_tensor(s, SN_I64, 1, &count, pos);
    vc->arr_naxes = v->rank;
    vc->arr_mask = true;
  } else if (sema_is_int(v->dt)) {
    vc->arr = v;
    vc->arr_naxes = 1;
    vc->arr_what = arena_printf(s->fn->arena, "an element of %s (dimension %d of %s)", sema_src_text(s, sub->span), axis,
                                sema_type_str(s, base));
  } else {
    Diag *g = diag_error(s->diags, sub->span, "an index array must hold integers or bools, not %s", sema_type_str(s, v));
    diag_hint(s->diags, g, "convert positions with i64(...); a mask is a comparison such as x > 0");
    return false;
  }
  vc->arr_axis = axis;
  vc->arr_span = sub->span;
  return true;
}

/* r["name"]: a record's field by its name, for names that are not identifiers
 * (safetensors names such as "layers.0.weight"). */
static Val *record_field(Sema *s, Val *r, const char *name, Span span) {
  Val *v = sema_field(r, name);
  if (v) return v->kind == V_FN && v->fn->method ? sema_bind_method(s, v, r) : v;
  /* a dotted name reads nested records, as load nests a checkpoint's names: r["enc.weight"] */
  const char *dot = strchr(name, '.');
  Val *part = dot ? sema_field(r, arena_strndup(s->arena, name, (size_t)(dot - name))) : NULL;
  if (part && part->kind == V_RECORD) return record_field(s, part, dot + 1, span);
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

/* `sum(i < 3) [1.0, 2.0][i]` parses as sum(i < 3) subscripted, since a subscript binds tighter
 * than a reduction's body: when the call's arguments are new index names, say so, instead of
 * "unknown name `i`". */
static bool subscripted_reduction(Sema *s, Node *n) {
  Node *call = n->a;
  if (call->kind != A_CALL || call->list.n == 0) return false;
  bool reduction = red_lookup(call->name, strlen(call->name)) >= 0;
  Binding *fb = sema_lookup(s, call->name);
  if (!reduction || (fb && fb->kind == B_FN)) return false;
  Buf idx = {0};
  for (int i = 0; i < call->list.n; i++) {
    Node *nm = sema_index_name(call->list.items[i]);
    if (!nm || sema_lookup(s, nm->name)) {
      buf_free(&idx);
      return false;
    }
    buf_printf(&idx, "%s%s", i ? ", " : "", nm->name);
  }
  const char *head = sema_src_text(s, call->span), *sub = sema_src_text(s, (Span){n->span.src, call->span.hi, n->span.hi});
  while (*sub == ' ') sub++;
  Diag *g = diag_error(s->diags, n->span, "`%s` is subscripted by %s: a reduction's body cannot start with `[`", head, sub);
  diag_hint(s->diags, g, "put the body in parentheses, %s (%s[%s]), or name the tensor first: let v = %s, then %s v[%s]",
            head, sub, idx.data, sub, head, idx.data);
  buf_free(&idx);
  return true;
}

/* Is size d computed in the body over index iv (flatten(xs[k])[i], topk(x, j + 1).indices[j])?
 * A read of such a tensor is checked where it happens, against the size of that element's own
 * tensor: a check of the whole range, before the body, could not see the size, and one in the
 * body compared the whole range with each element's size. */
static bool sized_in_body(Dim d, IndexVar *iv) {
  if (!d.sym) return false;
  IrValue *v = ir_val(d.sym->v);
  for (IrBlock *b = v->def ? v->def->parent : v->block; b; b = b->parent ? b->parent->parent : NULL)
    if (b == ir_val(iv->iv)->block) return true;
  return false;
}

Val *sema_index(Sema *s, Node *n) {
  if (subscripted_reduction(s, n)) return ERR;
  Val *base = sema_expr(s, n->a);
  if (base->kind == V_ERROR) return ERR;
  Node *only = n->list.n == 1 ? n->list.items[0] : NULL;
  if (base->kind == V_RECORD && only && only->kind == A_STR) return record_field(s, base, only->str, only->span);
  /* layers[0]: the field named 0, as `param layers[i < n]` names a model's repeated layers */
  if (base->kind == V_RECORD && only && only->kind == A_INT)
    return record_field(s, base, arena_printf(s->arena, "%lld", (long long)only->ival), only->span);
  if (base->kind != V_TENSOR) {
    Diag *g = diag_error(s->diags, n->a->span, "cannot subscript %s: it is not a tensor", sema_type_str(s, base));
    if (base->kind == V_RECORD) diag_hint(s->diags, g, "fields of a record are read with `.`: r.name");
    return ERR;
  }
  int nsub = n->list.n;
  /* x.shape[k], k a literal: the size itself, a dimension of x */
  Node *k0 = nsub == 1 ? n->list.items[0] : NULL;
  bool negk = k0 && k0->kind == A_UNARY && k0->op == OP_NEG;
  if (base->shape_of && k0 && (k0->kind == A_INT || (negk && k0->a->kind == A_INT))) {
    int64_t k = negk ? -k0->a->ival : k0->ival, r = base->shape_of->rank;
    if (k >= -r && k < r) return sema_scalar(s, SN_I64, false, sema_dim_value(s, base->shape_of->dims[k < 0 ? k + r : k]));
  }
  ViewCtx vc = {.base = base, .arr_axis = -1};
  Dim sliced[SN_MAX_RANK];
  int d = 0, nfixed = 0, first_fixed = -1, last_fixed = -1;
  for (int j = 0; j < nsub; j++) {
    Node *sub = n->list.items[j];
    if (d >= base->rank) {
      Diag *g = diag_error(s->diags, n->span, "too many subscripts: %s has %d dimension%s but %d subscripts are given",
                           sema_type_str(s, base), base->rank, base->rank == 1 ? "" : "s", nsub);
      diag_hint(s->diags, g, "write x[i, j] for an element of a matrix");
      return ERR;
    }
    if (sub->kind == A_SLICE) {
      IrValue *len;
      if (!slice_range(s, sub, sema_dim_value(s, base->dims[d]), &vc.start[d], &vc.step[d], &len)) return ERR;
      bool whole = !sub->a && !sub->b && !sub->c;
      sliced[d] = whole ? base->dims[d] : sema_dim_of_value(s, len, sema_src_text(s, sub->span));
      vc.fixed[d++] = NULL;
      continue;
    }
    IndexVar *iv = index_var_of(s, sub);
    if (iv) {
      Binding *b = sema_lookup(s, sub->name);
      b->used = true;
      Constraint *c = NEW(s->arena, Constraint);
      c->dim = base->dims[d];
      c->span = sub->span;
      c->what = arena_printf(s->arena, "dimension %d of %s", d, sema_src_text(s, n->a->span));
      c->guarded = s->guarded > 0 || sized_in_body(c->dim, iv);
      vec_push(s->arena, &iv->constraints, c);
      vc.fixed[d] = iv->iv;
      /* `if j < 2 then x[i, j]` with j < 3, or topk(x, j + 1).indices[j]: checked here, when read */
      if (c->guarded) {
        IrValue *ops[2] = {iv->iv, sema_dim_value(s, c->dim)};
        IrBuilder save = s->b;
        s->b.span = sub->span;
        ir_check(&s->b, CHECK_INDEX, 2, ops, arena_printf(s->arena, "%s (%s)", iv->name, c->what));
        s->b = save;
      }
    } else {
      Val *v = sema_expr(s, sub);
      if (v->kind == V_ERROR) return ERR;
      if (v->kind == V_TENSOR) {
        if (vc.arr) {
          Diag *g = diag_error(s->diags, sub->span, "only one index array per subscript is supported");
          diag_hint(s->diags, g, "pair them in a comprehension: let y[k] = x[rows[k], cols[k]]");
          return ERR;
        }
        if (!index_array(s, sub, v, base, d, &vc)) return ERR;
        if (first_fixed < 0) first_fixed = d;
        nfixed += vc.arr_naxes;
        d += vc.arr_naxes;
        last_fixed = d - 1;
        continue;
      }
      if (!(vc.fixed[d] = subscript_value(s, sub, v, base, d))) return ERR;
    }
    if (first_fixed < 0) first_fixed = d;
    nfixed++;
    last_fixed = d++;
  }
  if (!vc.arr && d == base->rank && nfixed == base->rank) return sema_elem(s, base, vc.fixed);
  /* the result's axes: the free ones in order, with the index array's in its place; or first,
   * when fixed indices and the array are apart (NumPy's rule for advanced indices) */
  bool arr_first = vc.arr && last_fixed - first_fixed + 1 != nfixed;
  int rank = 0;
  Dim dims[SN_MAX_RANK];
  if (vc.arr && arr_first) vc.arr_out = 0, rank = vc.arr->rank;
  for (int e = 0; e < base->rank; e++) {
    if (vc.arr && e == vc.arr_axis && !arr_first) vc.arr_out = rank, rank += vc.arr->rank;
    if (array_axis(&vc, e) || vc.fixed[e]) continue;
    if (e >= d) vc.start[e] = sema_entry_const(s, 0);
    vc.out[e] = rank++;
  }
  if (rank > SN_MAX_RANK) {
    diag_error(s->diags, n->span, "a tensor has at most %d dimensions", SN_MAX_RANK);
    return ERR;
  }
  for (int e = 0; vc.arr && e < vc.arr->rank; e++) dims[vc.arr_out + e] = vc.arr->dims[e];
  for (int e = 0; e < base->rank; e++)
    if (!array_axis(&vc, e) && !vc.fixed[e])
      dims[vc.out[e]] = e < d ? sliced[e] : base->dims[e];
  return sema_compr(s, base->dt, rank, dims, view_body, &vc, n->span);
}

/* --- comprehensions and reductions -------------------------------------------------------------- */

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
      /* a guarded read within a written range is checked where it is read */
      if (sema_dims_equal(chosen, c->dim) || (first->explicit_range && c->guarded)) continue;
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
        IrValue *fits = ir_cmp(&s->b, CMP_LE, sema_dim_value(s, chosen), sema_dim_value(s, c->dim));
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
      sema_dims_match(s, chosen, c->dim, c->span,
                       arena_printf(s->arena, "index %s runs over %s and %s", iv->name, first->what, c->what));
      if (chosen.sym && !c->dim.sym) chosen = c->dim;
    }
    if (chosen.sym && ir_defined_within(chosen.sym->v, owner)) {
      Diag *g = diag_error(s->diags, iv->span, "the range of index `%s` depends on values computed inside its own body", iv->name);
      diag_hint(s->diags, g, "compute the tensor it indexes before the comprehension, with `let`");
      ok = false;
      continue;
    }
    out[k] = chosen;
    ext[k] = sema_dim_value(s, chosen);
  }
  s->b = save;
  if (!ok) return false;
  owner->ops = ext;
  owner->nops = n;
  (void)span;
  return true;
}

Node *sema_index_name(Node *nm) {
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
    Val *v = sema_expr(s, nm->b);
    if (v->kind == V_ERROR) return false;
    if (v->kind != V_SCALAR || !sema_is_int(v->dt)) {
      Diag *g = diag_error(s->diags, nm->b->span, "the range of index `%s` must be an integer, not %s", nm->a->name,
                           sema_type_str(s, v));
      diag_hint(s->diags, g, "write `%s < n` for the indices 0, 1, ..., n-1", nm->a->name);
      return false;
    }
    IrValue *x = ir_bin(&s->b, BIN_MAX, ir_cast(&s->b, v->ir, ir_i64), ir_const_i64(&s->b, 0));
    dims[k] = sema_dim_of_value(s, x, sema_src_text(s, nm->b->span));
  }
  return true;
}

/* Declares the indices of a comprehension or reduction in a new scope, as arguments of region;
 * an explicit range becomes the index's first constraint. */
static bool declare_indices(Sema *s, PtrVec *names, IrBlock *region, IndexVar **vars, const Dim *ranges,
                            const bool *has) {
  for (int k = 0; k < names->n; k++) {
    Node *nm = sema_index_name(names->items[k]);
    if (!nm) {
      Node *bad = names->items[k];
      Diag *g = diag_error(s->diags, bad->span, "a reduction's indices must be new names");
      diag_hint(s->diags, g, "write e.g. sum(k) x[i, k] or sum(k < n) ...; to reduce a whole tensor write sum(x)");
      return false;
    }
    for (int j = 0; j < k; j++)
      if (strcmp(sema_index_name(names->items[j])->name, nm->name) == 0) {
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
      c->what = arena_printf(s->arena, "the range %s", sema_src_text(s, c->span));
      c->explicit_range = true;
      vec_push(s->arena, &iv->constraints, c);
    }
    Binding *b = sema_bind(s, nm->name, B_INDEX, nm->span);
    b->index = iv;
    vars[k] = iv;
  }
  return true;
}

/* let NAME[i, j, ...] = body, or the state update `x[i, j] = body` of an iterate body, where
 * `target` is the state: its dimensions are the indices' ranges, as if x[i, j] were read. */
Val *sema_comprehension(Sema *s, PtrVec *names, Node *body, Span span, const Binding *target) {
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
  sema_push_scope(s);
  bool ok = declare_indices(s, names, region, vars, ranges, has);
  const Val *tv = target ? target->val : NULL;
  for (int k = 0; ok && tv && tv->kind == V_TENSOR && k < rank && k < tv->rank; k++) {
    Constraint *c = NEW(s->arena, Constraint);
    c->dim = tv->dims[k];
    c->span = sema_index_name(names->items[k])->span;
    c->what = arena_printf(s->arena, "dimension %d of %s", k, target->name);
    vec_push(s->arena, &vars[k]->constraints, c);
  }
  s->b.block = region;
  s->b.before = NULL;
  Val *e = ok ? sema_expr(s, body) : ERR;
  sema_pop_scope(s);
  if (e->kind == V_TENSOR) {
    Diag *g = diag_error(s->diags, body->span, "the body of a comprehension must be a number, not %s", sema_type_str(s, e));
    diag_hint(s->diags, g, "subscript every dimension, e.g. x[i, k] rather than x[i]");
    e = ERR;
  } else if (e->kind != V_SCALAR && e->kind != V_ERROR) {
    diag_error(s->diags, body->span, "the body of a comprehension must be a number, not %s", sema_type_str(s, e));
    e = ERR;
  }
  IrValue *y = e->kind == V_SCALAR ? e->ir : ir_const_f(&s->b, SN_F32, 0);
  ir_yield(&s->b, 1, &y);
  s->b = save;
  Dim dims[SN_MAX_RANK];
  if (!ok || e->kind == V_ERROR) return ERR;
  if (!infer_ranges(s, c, rank, vars, dims, span)) return ERR;
  c->res[0]->type = ir_tensor(e->dt, rank);
  Val *r = sema_tensor(s, e->dt, rank, dims, c->res[0]);
  r->weak = e->weak;
  return r;
}

SnDtype sema_reduce_dtype(RedKind k, SnDtype dt) {
  switch (red_info[k].result) {
  case RR_INDEX: return SN_I64;
  case RR_BOOL: return SN_BOOL;
  case RR_WIDEN: return dt == SN_BOOL || sema_is_int(dt) ? SN_I64 : dt;
  case RR_FLOAT: return sema_is_float(dt) ? dt : INT_FLOAT_DT;
  case RR_SAME: return dt;
  }
  return dt;
}

/* Ends a reduction's region with its body value and gives the reduction's value. argmax and
 * argmin compare the body in its own type; a mean of integers sums them exactly in i64 (the
 * loop pass divides once); the others accumulate in sema_reduce_dtype. */
static Val *reduce_finish(Sema *s, RedKind kind, IrInst *r, Val *e) {
  SnDtype dt = sema_reduce_dtype(kind, e->dt);
  bool arg = red_info[kind].result == RR_INDEX;
  SnDtype acc = (red_info[kind].flags & RF_MEAN) && sema_is_int(e->dt) ? SN_I64 : sema_compute_dtype(dt);
  IrValue *y = arg ? e->ir : ir_cast(&s->b, e->ir, ir_scalar(acc));
  ir_yield(&s->b, 1, &y);
  r->res[0]->type = ir_scalar(sema_compute_dtype(dt));
  return sema_scalar(s, dt, e->weak && !arg, r->res[0]);
}

static bool reducible(Sema *s, RedKind kind, Val *e, Span span) {
  if (e->kind == V_ERROR) return false;
  if (e->kind != V_SCALAR) {
    Diag *g = diag_error(s->diags, span, "the body of %s must be a number, not %s", red_name(kind), sema_type_str(s, e));
    if (e->kind == V_TENSOR) diag_hint(s->diags, g, "subscript every dimension, or reduce the whole tensor: %s(x)", red_name(kind));
    return false;
  }
  bool logical = red_info[kind].flags & RF_LOGICAL;
  if (logical && e->dt != SN_BOOL) {
    Diag *g = diag_error(s->diags, span, "%s needs bool values, not %s", red_name(kind), sema_type_str(s, e));
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
Val *sema_reduction(Sema *s, Node *n) {
  RedKind kind = (RedKind)n->op;
  int nidx = n->list.n;
  if (nidx == 0 || nidx > SN_MAX_RANK) {
    diag_error(s->diags, n->name_span, "%s needs between 1 and %d indices", red_name(kind), SN_MAX_RANK);
    return ERR;
  }
  for (int k = 0; k < nidx; k++) {
    Node *nm = n->list.items[k];
    Binding *b = nm->kind == A_NAME ? sema_lookup(s, nm->name) : NULL;
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
  if (!explicit_ranges(s, &n->list, ranges, has)) {
    s->closed_reduce = n; /* its indices read after it still get the hint on where its body ends */
    return ERR;
  }
  IrType rt = ir_scalar(SN_F32);
  IrBuilder save = s->b;
  s->b.span = n->span;
  IrInst *r = ir_emit(&s->b, IR_REDUCE, 0, NULL, 1, &rt, 1);
  r->sub = kind;
  IrBlock *region = r->regions[0];
  IndexVar *vars[SN_MAX_RANK];
  sema_push_scope(s);
  bool ok = declare_indices(s, &n->list, region, vars, ranges, has);
  s->b.block = region;
  s->b.before = NULL;
  Val *e = ok ? sema_expr(s, n->a) : ERR;
  sema_pop_scope(s);
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
  res->ir = sema_round(s, res->ir, res->dt);
  return res;
}


/* A scalar reduces to itself. */
Val *sema_reduce_all(Sema *s, RedKind kind, Val *x, Span span) {
  if (x->kind == V_ERROR) return ERR;
  if (x->kind == V_SCALAR) {
    if (red_info[kind].result == RR_INDEX) return sema_scalar(s, SN_I64, false, ir_const_i64(&s->b, 0));
    return reducible(s, kind, x, span) ? x : ERR;
  }
  if (x->kind != V_TENSOR) {
    diag_error(s->diags, span, "%s needs a tensor, not %s", red_name(kind), sema_type_str(s, x));
    return ERR;
  }
  if (x->rank == 0) {
    IrValue *e = ir_elem(&s->b, x->ir, 0, NULL);
    return sema_scalar(s, x->dt, false, e);
  }
  return sema_reduce_axes(s, kind, x, (1u << x->rank) - 1, NULL, NULL, NULL, span);
}

Val *sema_reduce_axes(Sema *s, RedKind kind, Val *x, unsigned axes, IrValue **at, ScalarFn term, void *ctx,
                      Span span) {
  IrValue *ext[SN_MAX_RANK];
  int n = 0;
  for (int d = 0; d < x->rank; d++)
    if (axes >> d & 1) ext[n++] = sema_dim_value(s, x->dims[d]);
  IrType rt = ir_scalar(SN_F32);
  IrBuilder save = s->b;
  s->b.span = span;
  IrInst *r = ir_emit(&s->b, IR_REDUCE, n, ext, 1, &rt, 1);
  r->sub = kind;
  IrValue *idx[SN_MAX_RANK];
  for (int d = 0; d < x->rank; d++) idx[d] = axes >> d & 1 ? ir_block_arg(s->fn, r->regions[0], ir_i64) : at[d];
  s->b.block = r->regions[0];
  s->b.before = NULL;
  Val *e = sema_elem(s, x, idx);
  if (term && e->kind != V_ERROR) e = term(s, &e, span, ctx);
  Val *res = ERR;
  if (reducible(s, kind, e, span)) {
    res = reduce_finish(s, kind, r, e);
  } else {
    IrValue *z = ir_const_f(&s->b, SN_F32, 0);
    ir_yield(&s->b, 1, &z);
  }
  s->b = save;
  if (res != ERR) res->ir = sema_round(s, res->ir, res->dt);
  return res;
}

/* --- tensor literals --------------------------------------------------------------------------- */

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

Val *sema_list(Sema *s, Node *n) {
  int rank = -1;
  int64_t shape[SN_MAX_RANK];
  for (int i = 0; i < SN_MAX_RANK; i++) shape[i] = -1;
  PtrVec leaves = {0};
  if (!list_shape(s, n, 0, &rank, shape, &leaves)) return ERR;
  Dim dims[SN_MAX_RANK];
  IrValue *dimv[SN_MAX_RANK + 1];
  for (int i = 0; i < rank; i++) {
    dims[i] = sema_dim_const(shape[i]);
    dimv[i] = sema_entry_const(s, shape[i]);
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
    Val *r = sema_tensor(s, dt, rank, dims, in->res[0]);
    r->weak = true;
    return r;
  }
  /* computed elements: a tensor filled element by element */
  Val **vals = arena_alloc(s->arena, (size_t)leaves.n * sizeof *vals);
  SnDtype dt = SN_I64;
  bool weak = true;
  for (int i = 0; i < leaves.n; i++) {
    vals[i] = sema_expr(s, leaves.items[i]);
    if (vals[i]->kind == V_ERROR) return ERR;
    if (vals[i]->kind != V_SCALAR) {
      diag_error(s->diags, ((Node *)leaves.items[i])->span, "a tensor literal's elements must be numbers, not %s",
                 sema_type_str(s, vals[i]));
      return ERR;
    }
    Val cur = {.kind = V_SCALAR, .dt = dt, .weak = weak};
    bool w;
    if (i == 0) {
      dt = vals[0]->dt;
      weak = vals[0]->weak;
    } else if (sema_promote(s, &cur, vals[i], &dt, &w, ((Node *)leaves.items[i])->span, "[...]")) {
      weak = w;
    } else {
      return ERR;
    }
  }
  if (weak) dt = sema_is_float(dt) ? SN_F64 : SN_I64;
  IrType tt = ir_tensor(dt, rank);
  IrValue *t = ir_emit(&s->b, IR_ALLOC, rank, dimv, 1, &tt, 0)->res[0];
  IrValue *data = ir_emit(&s->b, IR_DATA, 1, &t, 1, &(IrType){IRT_PTR, (uint8_t)dt, 0}, 0)->res[0];
  for (int i = 0; i < leaves.n; i++) {
    Val *v = sema_cast(s, vals[i], dt, n->span);
    IrValue *x = v->ir;
    if (dt == SN_F16 || dt == SN_BF16) x = ir_cast(&s->b, x, ir_scalar(dt));
    IrValue *ops[3] = {data, ir_const_i64(&s->b, i), x};
    ir_emit(&s->b, IR_STORE, 3, ops, 0, NULL, 0);
  }
  Val *r = sema_tensor(s, dt, rank, dims, t);
  r->weak = weak;
  return r;
}

/* --- x.T and x.shape --------------------------------------------------------------------------- */

static Val *reversed_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)span;
  Val *x = vctx;
  IrValue *i[SN_MAX_RANK];
  for (int d = 0; d < x->rank; d++) i[d] = idx[x->rank - 1 - d]->ir;
  return sema_elem(s, x, i);
}

Val *sema_transposed(Sema *s, Val *x, Span span) {
  if (x->rank < 2) return x;
  Dim dims[SN_MAX_RANK];
  for (int d = 0; d < x->rank; d++) dims[d] = x->dims[x->rank - 1 - d];
  return sema_compr(s, x->dt, x->rank, dims, reversed_body, x, span);
}

static Val *shape_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)span;
  Val *x = vctx;
  IrValue *v = sema_dim_value(s, x->dims[x->rank - 1]);
  for (int d = x->rank - 2; d >= 0; d--)
    v = ir_select(&s->b, ir_cmp(&s->b, CMP_EQ, idx[0]->ir, ir_const_i64(&s->b, d)), sema_dim_value(s, x->dims[d]), v);
  return sema_scalar(s, SN_I64, false, v);
}

Val *sema_shape_vector(Sema *s, Val *x, Span span) {
  Dim r = sema_dim_const(x->rank);
  Val *v = sema_compr(s, SN_I64, 1, &r, shape_body, x, span);
  if (v->kind == V_TENSOR) v->shape_of = x;
  return v;
}
