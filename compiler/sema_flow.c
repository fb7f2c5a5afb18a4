/* sema_flow.c: `if` (its branches joined, records flattened to their leaves), `iterate` (its
 * states, their updates, the loop's record) and the state updates of an iterate body. */
#include "sema_int.h"

#include <string.h>

/* Whether a and b are the same function value (a record's method, kept where records join). */
static bool same_fn(const Val *a, const Val *b) {
  return a->kind == V_FN && b->kind == V_FN && a->fn->fn == b->fn->fn && a->fn->builtin == b->fn->builtin &&
         a->fn->transform == b->fn->transform && a->fn->of == b->fn->of;
}

static bool joinable(Sema *s, Val *a, Val *b, Span span, const char *what) {
  if (a->kind == V_ERROR || b->kind == V_ERROR) return false;
  if (a->kind == V_FN || b->kind == V_FN) {
    Diag *g = diag_error(s->diags, span, "%s cannot be functions: a function is chosen when the program is compiled, "
                                         "not by a condition it computes", what);
    diag_hint(s->diags, g, "call the function in each branch instead: `if c then f(x) else g(x)`");
    return false;
  }
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

/* Pairs the scalars and tensors of the branch values a and b, depth first, into la and lb:
 * records must have the same fields in the same order. Reports and returns false where they do
 * not join. */
static bool if_leaves(Sema *s, Val *a, Val *b, PtrVec *la, PtrVec *lb, Span span) {
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
      if (!if_leaves(s, a->rec->vals[i], b->rec->vals[i], la, lb, span)) return false;
    return true;
  }
  /* the same function in a field of both (a model's method) is no run-time value: kept as it is */
  if (same_fn(a, b)) return true;
  if (!joinable(s, a, b, span, "the branches of `if`")) return false;
  vec_push(s->arena, la, a);
  vec_push(s->arena, lb, b);
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

/* The value of a record (or leaf) with the fields of `shape`, its leaves taken in order from
 * leaves[*k...]: the inverse of flattening it depth first. */
static Val *rebuild(Sema *s, Val *shape, Val **leaves, int *k) {
  if (shape->kind == V_FN) return shape; /* a loop state's method: not carried (see state_init) */
  if (shape->kind != V_RECORD) return leaves[(*k)++];
  Val *r = sema_record(s, shape->rec->n, shape->rec->names, NULL);
  for (int i = 0; i < r->rec->n; i++) r->rec->vals[i] = rebuild(s, shape->rec->vals[i], leaves, k);
  return r;
}

/* The scalars and tensors of v, records flattened depth first, appended to out; function fields
 * are no run-time values. */
static void flatten(Sema *s, Val *v, PtrVec *out) {
  if (v->kind == V_FN) return;
  if (v->kind != V_RECORD) {
    vec_push(s->arena, out, v);
    return;
  }
  for (int i = 0; i < v->rec->n; i++) flatten(s, v->rec->vals[i], out);
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
  /* strings are not run-time values: a choice between two is made when compiling, by a
   * condition known then (a comparison of strings, such as a library function's option); and a
   * condition that compares with a string and is known then compiles only the branch it takes,
   * so an option picks one sampler or solver of several without compiling the others */
  IrValue *cv = ir_val(c->ir);
  if (cv->def && cv->def->op == IR_CONST && ((n->b->kind == A_STR && n->c->kind == A_STR) || sema_has_string(n->a)))
    return sema_expr(s, cv->def->imm.i ? n->b : n->c);
  IrBuilder save = s->b;
  s->b.span = n->span;
  IrInst *in = ir_emit(&s->b, IR_IF, 1, &c->ir, 0, NULL, 2);
  s->b.before = NULL;
  s->b.block = in->regions[0];
  s->guarded++;
  Val *a = sema_expr(s, n->b);
  IrInst *ya = ir_emit(&s->b, IR_YIELD, 0, NULL, 0, NULL, 0);
  s->b.block = in->regions[1];
  Val *b = sema_expr(s, n->c);
  s->guarded--;
  IrInst *yb = ir_emit(&s->b, IR_YIELD, 0, NULL, 0, NULL, 0);
  s->b = save;
  PtrVec la = {0}, lb = {0};
  if (a->kind == V_ERROR || b->kind == V_ERROR || !if_leaves(s, a, b, &la, &lb, n->span)) return ERR;
  int nres = la.n;
  Val **res = arena_alloc(s->arena, (size_t)(nres ? nres : 1) * sizeof *res);
  ir_set_results(s->fn, in, nres);
  ya->ops = arena_alloc(s->fn->arena, (size_t)nres * sizeof(IrValue *));
  yb->ops = arena_alloc(s->fn->arena, (size_t)nres * sizeof(IrValue *));
  ya->nops = yb->nops = nres;
  for (int k = 0; k < nres; k++)
    if ((res[k] = if_result(s, in, k, la.items[k], lb.items[k], ya, yb, n->span))->kind == V_ERROR) {
      ya->nops = yb->nops = in->nres = 0; /* no half-built `if` for later passes to meet */
      return ERR;
    }
  int k = 0;
  return rebuild(s, a, res, &k);
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

/* An iterate state's initial value: a number, a tensor, or a record of them (nested), checked,
 * each literal leaf taking its default type (f64, i64) so that updates are typed against it.
 * A record's function fields (a model's methods) are known when compiling: they stay as they are
 * and are not carried. `path` names the state or its field (`p.w`) in messages. */
static Val *state_init(Sema *s, Val *v, const char *path, Span span) {
  if (v->kind == V_FN && strchr(path, '.')) return v;
  if (v->kind == V_RECORD) {
    Val *r = sema_record(s, v->rec->n, v->rec->names, NULL);
    for (int i = 0; i < v->rec->n; i++) {
      r->rec->vals[i] = state_init(s, v->rec->vals[i], arena_printf(s->arena, "%s.%s", path, v->rec->names[i]), span);
      if (r->rec->vals[i]->kind == V_ERROR) return ERR;
    }
    return r;
  }
  if (v->kind != V_SCALAR && v->kind != V_TENSOR) {
    Diag *g = diag_error(s->diags, span, "state `%s` is %s: a state must be a number, a tensor or a record of them", path,
                         sema_type_str(s, v));
    diag_hint(s->diags, g, "the states are what the loop carries from one iteration to the next");
    return ERR;
  }
  if (!v->weak) return v;
  Val *c = sema_cast(s, v, sema_is_float(v->dt) ? SN_F64 : SN_I64, span);
  c->weak = false;
  return c;
}

/* iterate s1 = init1, ... { body } until cond max N
 * -> {s1: ..., iterations: i64, converged: bool}; without `until` (a counted loop) the body runs
 * N times and the record has no `converged`. A state that is a record is carried as its leaves
 * (flattened depth first, as `if` joins records), however many there are. */
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
    if (init[i]->kind != V_ERROR) init[i] = state_init(s, init[i], st->name, st->a->span);
    if (init[i]->kind == V_ERROR) ok = false;
  }
  Val *maxv = sema_expr(s, n->b);
  if (maxv->kind != V_ERROR && (maxv->kind != V_SCALAR || !sema_is_int(maxv->dt))) {
    Diag *g = diag_error(s->diags, n->b->span, "the iteration limit after `max` must be an integer, not %s",
                         sema_type_str(s, maxv));
    diag_hint(s->diags, g, "e.g. `until err < 1e-6 max 1000`");
    ok = false;
  }
  if (!ok || maxv->kind == V_ERROR) return ERR;
  PtrVec leaves = {0};
  for (int i = 0; i < nstate; i++) flatten(s, init[i], &leaves);
  int nleaf = leaves.n;
  IrValue **ops = arena_alloc(s->fn->arena, (size_t)(nleaf + 1) * sizeof *ops);
  IrType *rts = arena_alloc(s->fn->arena, (size_t)(nleaf + 2) * sizeof *rts);
  ops[0] = ir_cast(&s->b, maxv->ir, ir_i64);
  if (!iteration_limit(s, ops[0], n->b->span)) return ERR;
  for (int i = 0; i < nleaf; i++) {
    ops[i + 1] = ((Val *)leaves.items[i])->ir;
    rts[i] = ir_val(ops[i + 1])->type;
  }
  rts[nleaf] = ir_i64;
  rts[nleaf + 1] = ir_bool;
  IrBuilder save = s->b;
  s->b.span = n->span;
  IrInst *loop = ir_emit(&s->b, IR_LOOP, nleaf + 1, ops, nleaf + 2, rts, 1);
  IrBlock *body = loop->regions[0];
  ir_block_arg(s->fn, body, ir_i64)->name = "count";
  /* the states inside the body (block arguments) and after the loop (its results): the initial
   * values with their IR replaced, leaf by leaf */
  Val **inside = arena_alloc(s->arena, (size_t)(nleaf ? nleaf : 1) * sizeof *inside);
  Val **after = arena_alloc(s->arena, (size_t)(nleaf ? nleaf : 1) * sizeof *after);
  for (int i = 0; i < nleaf; i++) {
    Val *l = leaves.items[i];
    IrValue *a = ir_block_arg(s->fn, body, rts[i]);
    a->dims = loop->res[i]->dims = ir_val(l->ir)->dims;
    inside[i] = sema_val(s, l->kind);
    *inside[i] = *l;
    inside[i]->ir = a;
    after[i] = sema_val(s, l->kind);
    *after[i] = *l;
    after[i]->ir = loop->res[i];
  }
  sema_push_scope(s);
  for (int i = 0, k = 0; i < nstate; i++) {
    Node *st = n->list.items[i];
    Val *v = rebuild(s, init[i], inside, &k);
    if (v->kind != V_RECORD) ir_val(v->ir)->name = st->name;
    sema_bind_val(s, st->name, v, st->name_span)->is_state = true;
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
  PtrVec next = {0};
  for (int i = 0; i < nstate; i++) flatten(s, lookup_state(s->scope, ((Node *)n->list.items[i])->name)->val, &next);
  IrValue **yv = arena_alloc(s->fn->arena, (size_t)(nleaf + 2) * sizeof *yv);
  for (int i = 0; i < nleaf; i++) yv[i] = ((Val *)next.items[i])->ir;
  yv[nleaf] = cond->kind == V_SCALAR ? cond->ir : ir_const_bool(&s->b, true);
  /* progress reports show the quantity the condition compares (`until err < tol` shows err) */
  int nyield = nleaf + 1;
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
  Val *r = sema_record(s, nstate + (n->a ? 2 : 1), NULL, NULL); /* a counted loop has no `converged` */
  for (int i = 0, k = 0; i < nstate; i++) {
    r->rec->names[i] = ((Node *)n->list.items[i])->name;
    r->rec->vals[i] = rebuild(s, init[i], after, &k);
  }
  r->rec->names[nstate] = "iterations";
  r->rec->vals[nstate] = sema_scalar(s, SN_I64, false, loop->res[nleaf]);
  if (n->a) {
    r->rec->names[nstate + 1] = "converged";
    r->rec->vals[nstate + 1] = sema_scalar(s, SN_BOOL, false, loop->res[nleaf + 1]);
  }
  return r;
}

/* The new value v of the state (or state field, `path`) whose value is old: it must keep old's
 * type (its dtype and shape, a record its fields), since the next iteration sees it in the same
 * place. Returns it converted to old's dtype, or ERR after an error. */
static Val *state_update(Sema *s, const char *path, Val *old, Val *v, Span sp) {
  if (old->kind == V_RECORD && v->kind == V_RECORD) {
    bool same = old->rec->n == v->rec->n;
    for (int i = 0; same && i < v->rec->n; i++) same = strcmp(old->rec->names[i], v->rec->names[i]) == 0;
    if (!same) {
      Diag *g = diag_error(s->diags, sp, "state `%s` is %s but the update gives %s", path, sema_type_str(s, old),
                           sema_type_str(s, v));
      diag_hint(s->diags, g, "a state keeps its fields from one iteration to the next, in the same order");
      return ERR;
    }
    Val *r = sema_record(s, v->rec->n, v->rec->names, NULL);
    for (int i = 0; i < v->rec->n; i++) {
      const char *field = arena_printf(s->arena, "%s.%s", path, v->rec->names[i]);
      if ((r->rec->vals[i] = state_update(s, field, old->rec->vals[i], v->rec->vals[i], sp))->kind == V_ERROR) return ERR;
    }
    return r;
  }
  if (old->kind == V_FN) {
    if (same_fn(old, v)) return old;
    Diag *g = diag_error(s->diags, sp, "state `%s` is the function %s, but the update gives %s", path, sema_type_str(s, old),
                         sema_type_str(s, v));
    diag_hint(s->diags, g, "a state's function fields (a model's methods) are fixed when compiling; update its tensors only");
    return ERR;
  }
  if (old->kind != v->kind || (old->kind == V_TENSOR && old->rank != v->rank)) {
    Diag *g = diag_error(s->diags, sp, "state `%s` is %s but the update gives %s", path, sema_type_str(s, old),
                         sema_type_str(s, v));
    diag_hint(s->diags, g, "a state keeps its type from one iteration to the next");
    return ERR;
  }
  if (v->dt != old->dt) {
    if (v->weak || (sema_is_float(old->dt) && sema_is_float(v->dt)) || (sema_is_int(old->dt) && sema_is_int(v->dt))) {
      v = sema_cast(s, v, old->dt, sp);
    } else {
      Diag *g = diag_error(s->diags, sp, "state `%s` is %s but the update gives %s", path, sema_type_str(s, old),
                           sema_type_str(s, v));
      diag_hint(s->diags, g, "convert the update, e.g. %s(...)", sn_dtype_name(old->dt));
      return ERR;
    }
  }
  if (v->kind != V_TENSOR) return v;
  for (int d = 0; d < v->rank; d++) {
    if (!old->dims[d].sym && !v->dims[d].sym && old->dims[d].c != v->dims[d].c) {
      Diag *g = diag_error(s->diags, sp, "state `%s` is %s but the update gives %s", path, sema_type_str(s, old),
                           sema_type_str(s, v));
      diag_hint(s->diags, g, "a state keeps its shape from one iteration to the next");
      return ERR;
    }
    sema_dims_match(s, old->dims[d], v->dims[d], sp, arena_printf(s->arena, "state %s changes size in dimension %d", path, d));
  }
  Val *nv = sema_val(s, V_TENSOR);
  *nv = *old;
  nv->ir = v->ir;
  return nv;
}

/* A state update `x = e` or `x[i] = e` in an iterate body. */
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
  if (n->list.n && b->val->kind == V_RECORD) {
    Diag *g = diag_error(s->diags, n->name_span, "state `%s` is a record, %s; it has no elements to update",
                         n->name, sema_type_str(s, b->val));
    diag_hint(s->diags, g, "update it whole: %s = {field: ..., ...}", n->name);
    return;
  }
  Val *v = n->list.n ? sema_comprehension(s, &n->list, n->a, n->span, b) : sema_expr(s, n->a);
  if (v->kind == V_ERROR || (v = state_update(s, n->name, b->val, v, n->a->span))->kind == V_ERROR) return;
  Binding *nb = sema_bind_val(s, n->name, v, n->name_span);
  nb->is_state = true;
  nb->used = true;
}
