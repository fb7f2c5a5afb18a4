/* sema_flow.c: `if` (its branches joined, records flattened to their leaves), `iterate` (its
 * states, their updates, the loop's record) and the state updates of an iterate body. */
#include "sema_int.h"

#include <string.h>

static bool joinable(Sema *s, Val *a, Val *b, Span span, const char *what) {
  if (a->kind == V_ERROR || b->kind == V_ERROR) return false;
  if ((a->kind == V_SCALAR && b->kind == V_SCALAR) ||
      (a->kind == V_TENSOR && b->kind == V_TENSOR && a->rank == b->rank))
    return true;
  if (a->kind == b->kind && a->kind != V_TENSOR)
    diag_error(s->diags, span, "%s cannot be %s values: only numbers, tensors and records of them join", what,
               sema_type_str(s, a));
  else
    diag_error(s->diags, span, "%s have different types: %s and %s", what, sema_type_str(s, a), sema_type_str(s, b));
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
                           sema_type_str(s, a), sema_type_str(s, b));
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
    if (!sema_promote(s, a, b, &dt, &weak, span, "if")) return ERR;
    IrBuilder tmp = s->b;
    s->b = (IrBuilder){.fn = s->fn, .block = in->regions[0], .before = ya, .span = span, .site = tmp.site};
    Val *ca = sema_cast(s, a, dt, span);
    s->b.block = in->regions[1];
    s->b.before = yb;
    Val *cb = sema_cast(s, b, dt, span);
    s->b = tmp;
    ya->ops[k] = ca->ir;
    yb->ops[k] = cb->ir;
    in->res[k]->type = ir_scalar(sema_compute_dtype(dt));
    return sema_scalar(s, dt, weak, in->res[k]);
  }
  if (a->dt != b->dt) {
    Diag *g = diag_error(s->diags, span, "the branches of `if` have different element types: %s and %s",
                         sema_type_str(s, a), sema_type_str(s, b));
    diag_hint(s->diags, g, "convert one branch, e.g. f32(x)");
    return ERR;
  }
  ya->ops[k] = a->ir;
  yb->ops[k] = b->ir;
  in->res[k]->type = ir_tensor(a->dt, a->rank);
  Dim dims[SN_MAX_RANK];
  for (int d = 0; d < a->rank; d++) {
    if (sema_dims_equal(a->dims[d], b->dims[d])) dims[d] = a->dims[d];
    else dims[d] = sema_dim_of_value(s, ir_dim(&s->b, in->res[k], d), "?");
  }
  return sema_tensor(s, a->dt, a->rank, dims, in->res[k]);
}

/* The value of `if` with the fields of `shape` (a branch value), its leaves taken from res. */
static Val *if_rebuild(Sema *s, Val *shape, Val **res, int *k) {
  if (shape->kind != V_RECORD) return res[(*k)++];
  Val *r = sema_val(s, V_RECORD);
  r->rec = NEW(s->arena, Record);
  r->rec->n = shape->rec->n;
  r->rec->names = shape->rec->names;
  r->rec->vals = arena_alloc(s->arena, (size_t)r->rec->n * sizeof(Val *));
  for (int i = 0; i < r->rec->n; i++) r->rec->vals[i] = if_rebuild(s, shape->rec->vals[i], res, k);
  return r;
}

/* if c then a else b: an IR `if` whose branches yield the scalars and tensors of a and b
 * (records flattened, rebuilt after it). */
Val *sema_if(Sema *s, Node *n) {
  Val *c = sema_expr(s, n->a);
  if (c->kind == V_ERROR) return ERR;
  if (c->kind != V_SCALAR || c->dt != SN_BOOL) {
    Diag *g = diag_error(s->diags, n->a->span, "the condition of `if` must be a bool, not %s", sema_type_str(s, c));
    if (c->kind == V_TENSOR) diag_hint(s->diags, g, "choose element by element: let r[i] = if c[i] then a[i] else b[i]");
    else diag_hint(s->diags, g, "compare, e.g. `if x > 0 then ...`");
    return ERR;
  }
  IrBuilder save = s->b;
  s->b.span = n->span;
  IrInst *in = ir_emit(&s->b, IR_IF, 1, &c->ir, 0, NULL, 2);
  s->b.before = NULL;
  s->b.block = in->regions[0];
  Val *a = sema_expr(s, n->b);
  IrInst *ya = ir_emit(&s->b, IR_YIELD, 0, NULL, 0, NULL, 0);
  s->b.block = in->regions[1];
  Val *b = sema_expr(s, n->c);
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

/* The current value of an iterate state: the innermost state binding of that name. */
static Binding *lookup_state(Scope *sc, const char *name) {
  for (; sc; sc = sc->parent)
    for (Binding *b = sc->head; b; b = b->next)
      if (b->is_state && strcmp(b->name, name) == 0) return b;
  return NULL;
}

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
 * -> {s1: ..., iterations: i64, converged: bool}; without `until` (a counted loop) the body runs
 * N times and the record has no `converged` */
Val *sema_iterate(Sema *s, Node *n) {
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
    init[i] = sema_expr(s, st->a);
    if (init[i]->kind == V_ERROR) ok = false;
    else if (init[i]->kind != V_SCALAR && init[i]->kind != V_TENSOR) {
      diag_error(s->diags, st->a->span, "a state must be a number or a tensor, not %s", sema_type_str(s, init[i]));
      ok = false;
    } else if (init[i]->weak) {
      /* a literal state takes its default type so updates can be typed against it */
      init[i] = sema_cast(s, init[i], sema_is_float(init[i]->dt) ? SN_F64 : SN_I64, st->a->span);
      init[i]->weak = false;
    }
  }
  Val *maxv = sema_expr(s, n->b);
  if (maxv->kind != V_ERROR && (maxv->kind != V_SCALAR || !sema_is_int(maxv->dt))) {
    Diag *g = diag_error(s->diags, n->b->span, "the iteration limit after `max` must be an integer, not %s",
                         sema_type_str(s, maxv));
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
  sema_push_scope(s);
  Binding **states = arena_alloc(s->arena, (size_t)nstate * sizeof *states);
  for (int i = 0; i < nstate; i++) {
    Node *st = n->list.items[i];
    IrValue *a = ir_block_arg(s->fn, body, rts[i]);
    a->name = st->name;
    a->dims = ir_val(init[i]->ir)->dims;
    Val *v = sema_val(s, init[i]->kind);
    *v = *init[i];
    v->ir = a;
    states[i] = sema_bind_val(s, st->name, v, st->name_span);
    states[i]->is_state = true;
  }
  s->b.block = body;
  s->b.before = NULL;
  s->iterate_depth++;
  sema_push_scope(s); /* the body's own bindings, visible to the condition */
  for (int i = 0; i < n->body->list.n; i++) sema_stmt(s, n->body->list.items[i]);
  /* a counted loop (no `until`) is never done early: it runs exactly `max` times */
  Val *cond = n->a ? sema_expr(s, n->a) : sema_scalar(s, SN_BOOL, false, ir_const_bool(&s->b, false));
  s->iterate_depth--;
  if (cond->kind != V_ERROR && (cond->kind != V_SCALAR || cond->dt != SN_BOOL)) {
    Diag *g = diag_error(s->diags, n->a->span, "the condition after `until` must be a bool, not %s", sema_type_str(s, cond));
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
  if (cmp && cmp->op == IR_CMP && n->a && n->a->kind == A_BINARY && ir_is_float(ir_op(cmp, 0)->type)) {
    yv[nyield++] = ir_cast(&s->b, ir_op(cmp, 0), ir_scalar(SN_F64));
    const char *text = sema_src_text(s, n->a->a->span);
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
  sema_pop_scope(s);
  sema_pop_scope(s);
  s->b = save;
  if (cond->kind == V_ERROR) return ERR;
  Val *r = sema_val(s, V_RECORD);
  r->rec = NEW(s->arena, Record);
  r->rec->n = nstate + (n->a ? 2 : 1); /* a counted loop has no `converged` */
  r->rec->names = arena_alloc(s->arena, (size_t)(nstate + 2) * sizeof(char *));
  r->rec->vals = arena_alloc(s->arena, (size_t)(nstate + 2) * sizeof(Val *));
  for (int i = 0; i < nstate; i++) {
    r->rec->names[i] = ((Node *)n->list.items[i])->name;
    Val *v = sema_val(s, init[i]->kind);
    *v = *init[i];
    v->ir = loop->res[i];
    loop->res[i]->dims = ir_val(init[i]->ir)->dims;
    r->rec->vals[i] = v;
  }
  r->rec->names[nstate] = "iterations";
  r->rec->vals[nstate] = sema_scalar(s, SN_I64, false, loop->res[nstate]);
  r->rec->names[nstate + 1] = "converged";
  r->rec->vals[nstate + 1] = sema_scalar(s, SN_BOOL, false, loop->res[nstate + 1]);
  return r;
}

/* A state update `x = e` or `x[i] = e` in an iterate body: the new value must keep the state's
 * type (its dtype and shape), since the next iteration sees it in the same place. */
void sema_assign(Sema *s, Node *n) {
  if (!n->name) return; /* the parser reported it */
  Binding *b = sema_lookup(s, n->name);
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
  Val *v = n->list.n ? sema_comprehension(s, &n->list, n->a, n->span, b) : sema_expr(s, n->a);
  if (v->kind == V_ERROR) return;
  Val *old = b->val;
  Span sp = n->a->span;
  if (old->kind != v->kind || (old->kind == V_TENSOR && old->rank != v->rank)) {
    Diag *g = diag_error(s->diags, sp, "state `%s` is %s but the update gives %s", n->name, sema_type_str(s, old),
                         sema_type_str(s, v));
    diag_hint(s->diags, g, "a state keeps its type from one iteration to the next");
    return;
  }
  if (v->dt != old->dt) {
    if (v->weak || (sema_is_float(old->dt) && sema_is_float(v->dt)) || (sema_is_int(old->dt) && sema_is_int(v->dt))) {
      v = sema_cast(s, v, old->dt, sp);
    } else {
      Diag *g = diag_error(s->diags, sp, "state `%s` is %s but the update gives %s", n->name, sema_type_str(s, old),
                           sema_type_str(s, v));
      diag_hint(s->diags, g, "convert the update, e.g. %s(...)", sn_dtype_name(old->dt));
      return;
    }
  }
  if (v->kind == V_TENSOR) {
    for (int d = 0; d < v->rank; d++) {
      if (!old->dims[d].sym && !v->dims[d].sym && old->dims[d].c != v->dims[d].c) {
        Diag *g = diag_error(s->diags, sp, "state `%s` is %s but the update gives %s", n->name, sema_type_str(s, old),
                             sema_type_str(s, v));
        diag_hint(s->diags, g, "a state keeps its shape from one iteration to the next");
        return;
      }
      sema_dims_match(s, old->dims[d], v->dims[d], sp,
                       arena_printf(s->arena, "state %s changes size in dimension %d", n->name, d));
    }
    Val *nv = sema_val(s, V_TENSOR);
    *nv = *old;
    nv->ir = v->ir;
    v = nv;
  }
  Binding *nb = sema_bind_val(s, n->name, v, n->name_span);
  nb->is_state = true;
  nb->used = true;
}

