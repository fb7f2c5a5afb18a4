/* sema_grad.c: calls of grad(f) and value_and_grad(f). The arguments are evaluated where the call
 * is; f's IR is built inside a grad instruction, on stand-ins for the float leaves of the
 * arguments differentiated, and compiler/autodiff.c replaces the instruction by f's IR and its
 * gradients. A record argument (a model's parameters) is differentiated leaf by leaf, and its
 * gradient is a record of the same fields: its integer and function fields are copied as they
 * are. */
#include "autodiff.h"
#include "sema_int.h"

#include <string.h>

const PtrVec *sema_fn_params(Sema *s, const Val *f) {
  while (f->fn->transform) f = f->fn->of;
  if (f->fn->builtin) return &sema_builtin_signature(s, f->fn->builtin)->list;
  return &f->fn->fn->node->list;
}

static int param_index(const PtrVec *params, const char *name) {
  for (int p = 0; p < params->n; p++)
    if (strcmp(((Node *)params->items[p])->name, name) == 0) return p;
  return -1;
}

Val *sema_fn_transform(Sema *s, Val *f, FnTransform t, const char **wrt, int nwrt, Span span) {
  if (f->kind == V_ERROR) return ERR;
  const char *what = t == FN_GRAD ? "grad" : "value_and_grad";
  if (f->kind != V_FN) {
    Diag *g = diag_error(s->diags, span, "`%s` differentiates a function, not %s", what, sema_type_str(s, f));
    diag_hint(s->diags, g, "pass the function itself: %s(loss), or %s(fn(w) = sum(w^2))", what, what);
    return ERR;
  }
  const PtrVec *params = sema_fn_params(s, f);
  if (!params->n) {
    diag_error(s->diags, span, "`%s` has no parameters to differentiate against", sema_fn_value_name(s, f));
    return ERR;
  }
  for (int k = 0; k < nwrt; k++)
    if (param_index(params, wrt[k]) < 0) {
      Diag *g = diag_error(s->diags, span, "`%s` has no parameter `%s`", sema_fn_value_name(s, f), wrt[k]);
      diag_hint(s->diags, g, "wrt= names the parameters to differentiate against, e.g. wrt=\"%s\"",
                ((Node *)params->items[0])->name);
      return ERR;
    }
  Val *v = sema_val(s, V_FN);
  v->fn = NEW(s->arena, FnVal);
  *v->fn = *f->fn;
  v->fn->transform = t;
  v->fn->of = f;
  v->fn->wrt = wrt;
  v->fn->nwrt = nwrt;
  v->fn->given = span;
  return v;
}

/* --- float leaves of a value ------------------------------------------------------------------- */

static bool float_leaf(const Val *v) { return (v->kind == V_SCALAR || v->kind == V_TENSOR) && sema_is_float(v->dt); }

static void leaves(Sema *s, const Val *v, PtrVec *out) {
  if (v->kind == V_RECORD) {
    for (int i = 0; i < v->rec->n; i++) leaves(s, v->rec->vals[i], out);
  } else if (float_leaf(v)) {
    vec_push(s->arena, out, (void *)v);
  }
}

/* v with the IR of its float leaves replaced, in order, by irs[*k], irs[*k + 1], ... */
static Val *with_leaves(Sema *s, const Val *v, IrValue **irs, int *k) {
  if (v->kind == V_RECORD) {
    Val **vals = arena_alloc(s->arena, (size_t)(v->rec->n ? v->rec->n : 1) * sizeof *vals);
    for (int i = 0; i < v->rec->n; i++) vals[i] = with_leaves(s, v->rec->vals[i], irs, k);
    return sema_record(s, v->rec->n, v->rec->names, vals);
  }
  if (!float_leaf(v)) return (Val *)v;
  Val *c = NEW(s->arena, Val);
  *c = *v;
  c->ir = irs[(*k)++];
  c->index = NULL;
  c->slot1 = 0;
  c->shape_of = NULL;
  return c;
}

/* --- the call ---------------------------------------------------------------------------------- */

/* The argument of `call` (its position in call->list) that gives the parameter `name`, or -1. */
static int arg_for(const Node *call, const PtrVec *params, const char *name) {
  int p = param_index(params, name), positional = 0;
  for (int k = 0; k < call->list.n; k++) {
    const Node *a = call->list.items[k];
    if (a->kind == A_KWARG) {
      if (strcmp(a->name, name) == 0) return k;
    } else if (positional++ == p) {
      return k;
    }
  }
  return -1;
}

Val *sema_call_transformed(Sema *s, Val *f, Node *call) {
  const Val *of = f->fn->of;
  const PtrVec *params = sema_fn_params(s, of);
  const char *fname = sema_fn_value_name(s, f);
  int nargs = call->list.n;
  Val **vals = arena_alloc(s->arena, (size_t)(nargs ? nargs : 1) * sizeof *vals);
  bool ok = true;
  for (int k = 0; k < nargs; k++) {
    Node *a = call->list.items[k];
    vals[k] = sema_expr(s, a->kind == A_KWARG ? a->a : a);
    ok &= vals[k]->kind != V_ERROR;
  }
  if (!ok) return ERR;
  /* the arguments differentiated: wrt's, or the first parameter's */
  const char *first = ((Node *)params->items[0])->name;
  const char **wrt = f->fn->nwrt ? f->fn->wrt : &first;
  int nwrt = f->fn->nwrt ? f->fn->nwrt : 1;
  int *which = arena_alloc(s->arena, (size_t)nwrt * sizeof *which);
  PtrVec lv = {0};
  for (int w = 0; w < nwrt; w++) {
    which[w] = arg_for(call, params, wrt[w]);
    if (which[w] < 0) {
      Diag *g = diag_error(s->diags, call->span, "`%s` differentiates against `%s`, which this call does not give", fname, wrt[w]);
      diag_hint(s->diags, g, "pass `%s` explicitly: a default value is a constant", wrt[w]);
      return ERR;
    }
    int before = lv.n;
    leaves(s, vals[which[w]], &lv);
    if (lv.n == before) {
      Node *a = call->list.items[which[w]];
      Diag *g = diag_error(s->diags, a->span, "`%s` differentiates against `%s`, which is %s", fname, wrt[w],
                           sema_type_str(s, vals[which[w]]));
      diag_hint(s->diags, g, "gradients are taken with respect to float numbers and tensors; convert with f64(...)");
      return ERR;
    }
  }
  /* the grad instruction, with a stand-in for each float leaf */
  IrValue **ops = arena_alloc(s->arena, (size_t)lv.n * sizeof *ops);
  for (int k = 0; k < lv.n; k++) ops[k] = ((Val *)lv.items[k])->ir;
  IrBuilder save = s->b;
  s->b.span = call->span;
  IrInst *g = ir_emit(&s->b, IR_GRAD, lv.n, ops, 0, NULL, 1);
  IrBlock *region = g->regions[0];
  IrValue **stand = arena_alloc(s->arena, (size_t)lv.n * sizeof *stand);
  for (int k = 0; k < lv.n; k++) {
    IrValue *p = ir_val(ops[k]);
    stand[k] = ir_block_arg(s->fn, region, p->type);
    stand[k]->dims = p->dims;
    stand[k]->name = p->name;
  }
  Val **inner = arena_alloc(s->arena, (size_t)(nargs ? nargs : 1) * sizeof *inner);
  memcpy(inner, vals, (size_t)nargs * sizeof *inner);
  int used = 0;
  for (int w = 0; w < nwrt; w++) inner[which[w]] = with_leaves(s, vals[which[w]], stand, &used);
  /* f called on them, the arguments given as the call gives them */
  s->b.block = region;
  s->b.before = NULL;
  const char **names = arena_alloc(s->arena, (size_t)(nargs ? nargs : 1) * sizeof *names);
  for (int k = 0; k < nargs; k++) {
    Node *a = call->list.items[k];
    names[k] = a->kind == A_KWARG ? a->name : NULL;
  }
  int errors = s->diags->nerrors;
  Val *r = sema_apply(s, (Val *)of, nargs, inner, names, call->span);
  bool scalar = r->kind == V_SCALAR && sema_is_float(r->dt);
  if (r->kind != V_ERROR && !scalar) {
    Diag *gd = diag_error(s->diags, call->span, "`%s` needs a function whose value is one float number, but `%s` gives %s",
                          fname, sema_fn_value_name(s, of), sema_type_str(s, r));
    diag_hint(s->diags, gd, "reduce it to one number, e.g. sum(...) or mean(...)");
  }
  IrValue *L = scalar ? r->ir : ir_const_f(&s->b, SN_F64, 0);
  ir_yield(&s->b, 1, &L);
  s->b = save;
  ir_set_results(s->fn, g, 1 + lv.n);
  g->res[0]->type = ir_val(L)->type;
  for (int k = 0; k < lv.n; k++) {
    g->res[1 + k]->type = stand[k]->type;
    g->res[1 + k]->dims = stand[k]->dims;
  }
  /* a function with errors (an index past a dimension, reported) has no IR to differentiate */
  if (s->diags->nerrors > errors || !autodiff_expand(s->fn, g, s->diags) || !scalar) return ERR;
  /* the gradients, shaped as the arguments */
  Val **grads = arena_alloc(s->arena, (size_t)nwrt * sizeof *grads);
  used = 0;
  for (int w = 0; w < nwrt; w++) grads[w] = with_leaves(s, vals[which[w]], g->res + 1, &used);
  Val *grad = f->fn->nwrt > 1 ? sema_record(s, nwrt, wrt, grads) : grads[0];
  if (f->fn->transform == FN_GRAD) return grad;
  const char **fields = arena_alloc(s->arena, 2 * sizeof *fields);
  fields[0] = "value";
  fields[1] = "grad";
  Val **pair = arena_alloc(s->arena, 2 * sizeof *pair);
  pair[0] = sema_scalar(s, r->dt, false, g->res[0]);
  pair[1] = grad;
  return sema_record(s, 2, fields, pair);
}
