/* builtins_nn.c: the nn family: grad and value_and_grad (compiler/sema_grad.c, autodiff.c), and
 * functions over the leaves of records (a model's parameters, their gradients, an optimizer's
 * state), as JAX's tree_map. */
#include "builtins.h"

#include <string.h>

/* wrt= as written: a parameter's name or position, or a list of them. */
static bool wrt_names(Sema *s, Node *n, const Val *f, const char ***out, int *count) {
  Node *one[1] = {n};
  Node **items = one;
  int k = 1;
  if (n->kind == A_LIST) {
    items = (Node **)n->list.items;
    k = n->list.n;
  }
  const char **names = arena_alloc(s->arena, (size_t)(k ? k : 1) * sizeof *names);
  for (int i = 0; i < k; i++) {
    Node *e = items[i];
    if (e->kind == A_STR) {
      names[i] = e->str;
      continue;
    }
    const PtrVec *params = sema_fn_params(s, f);
    if (e->kind == A_INT && e->ival >= 0 && e->ival < params->n) {
      names[i] = ((Node *)params->items[e->ival])->name;
      continue;
    }
    Diag *d = diag_error(s->diags, e->span, "wrt= takes a parameter's name or position, or a list of them");
    diag_hint(s->diags, d, "e.g. wrt=\"w\", wrt=0 or wrt=[\"w\", \"b\"]");
    return false;
  }
  *out = names;
  *count = k;
  return true;
}

static Val *b_grad(Sema *s, const Builtin *b, Arg *args, Node *call) {
  Val *f = args[0].v;
  const char **wrt = NULL;
  int nwrt = 0;
  if (f->kind == V_FN && args[1].node && !wrt_names(s, args[1].node, f, &wrt, &nwrt)) return ERR;
  return sema_fn_transform(s, f, (FnTransform)b->data, wrt, nwrt, call->span);
}

/* _perturb(x, k, h): x with its element k (row-major) moved by h, for gradcheck's finite
 * differences. */
typedef struct Perturb {
  Val *x;
  IrValue *k, *h;
} Perturb;

static Val *perturb_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)span;
  Perturb *p = vctx;
  IrValue *flat = ir_const_i64(&s->b, 0);
  for (int d = 0; d < p->x->rank; d++)
    flat = ir_bin(&s->b, BIN_ADD, ir_bin(&s->b, BIN_MUL, flat, sema_dim_value(s, p->x->dims[d])), idx[d]->ir);
  IrValue *ix[SN_MAX_RANK];
  for (int d = 0; d < p->x->rank; d++) ix[d] = idx[d]->ir;
  Val *e = sema_elem(s, p->x, ix);
  IrValue *zero = ir_const_f(&s->b, sema_compute_dtype(p->x->dt), 0);
  IrValue *moved = ir_select(&s->b, ir_cmp(&s->b, CMP_EQ, flat, p->k), p->h, zero);
  return sema_scalar(s, p->x->dt, false, sema_round(s, ir_bin(&s->b, BIN_ADD, e->ir, moved), p->x->dt));
}

static Val *b_perturb(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  Perturb p = {.x = args[0].v};
  if (p.x->kind != V_TENSOR || !sema_is_float(p.x->dt)) {
    diag_error(s->diags, args[0].span, "gradcheck takes a float tensor, not %s", sema_type_str(s, p.x));
    return ERR;
  }
  Val *h = sema_cast(s, args[2].v, sema_compute_dtype(p.x->dt), args[2].span);
  Val *k = sema_cast(s, args[1].v, SN_I64, args[1].span);
  if (h->kind == V_ERROR || k->kind == V_ERROR) return ERR;
  p.k = k->ir;
  p.h = h->ir;
  return sema_compr(s, p.x->dt, p.x->rank, p.x->dims, perturb_body, &p, call->span);
}

/* --- trees: records of tensors --------------------------------------------------------------- */

/* f applied at every leaf of tree (a record's fields, depth first; any other value but a function
 * is a leaf),
 * with the values at the same place in the other trees, which must have tree's fields (at a
 * leaf of tree they may hold anything: a record of the optimizer's state for one parameter).
 * With `sum`, the results are added up. */
static Val *tree_walk(Sema *s, Val *f, Val *tree, Val **rest, int nrest, bool sum, const char *path, Span at) {
  if (tree->kind == V_ERROR) return ERR;
  /* a function in a record (a model's method) is kept as it is, and adds nothing to a sum */
  if (tree->kind == V_FN) return sum ? sema_scalar(s, SN_F64, true, ir_const_f(&s->b, SN_F64, 0)) : tree;
  if (tree->kind != V_RECORD) {
    Val **args = arena_alloc(s->arena, (size_t)(nrest + 1) * sizeof *args);
    args[0] = tree;
    for (int k = 0; k < nrest; k++) args[k + 1] = rest[k];
    return sema_apply(s, f, nrest + 1, args, NULL, at);
  }
  Val **vals = arena_alloc(s->arena, (size_t)(tree->rec->n ? tree->rec->n : 1) * sizeof *vals);
  Val **sub = arena_alloc(s->arena, (size_t)(nrest ? nrest : 1) * sizeof *sub);
  Val *total = NULL;
  for (int i = 0; i < tree->rec->n; i++) {
    const char *name = tree->rec->names[i];
    const char *here = path ? arena_printf(s->arena, "%s.%s", path, name) : name;
    for (int k = 0; k < nrest; k++) {
      Val *o = rest[k];
      Val *field = NULL;
      for (int j = 0; o->kind == V_RECORD && j < o->rec->n; j++)
        if (strcmp(o->rec->names[j], name) == 0) field = o->rec->vals[j];
      if (!field) {
        Diag *g = diag_error(s->diags, at, "argument %d has no field `%s`, which the first tree has", k + 2, here);
        diag_hint(s->diags, g, "the trees must have the first one's fields: %s", sema_type_str(s, tree));
        return ERR;
      }
      sub[k] = field;
    }
    vals[i] = tree_walk(s, f, tree->rec->vals[i], sub, nrest, sum, here, at);
    if (vals[i]->kind == V_ERROR) return ERR;
    if (sum) total = total ? sema_binop(s, OP_ADD, total, vals[i], at) : vals[i];
  }
  if (sum) return total ? total : sema_scalar(s, SN_F64, true, ir_const_f(&s->b, SN_F64, 0));
  return sema_record(s, tree->rec->n, tree->rec->names, vals);
}

static Val *b_tree(Sema *s, const Builtin *b, Arg *args, Node *call) {
  Node **nodes = arena_alloc(s->arena, (size_t)(call->list.n + 1) * sizeof *nodes);
  int n = builtin_surplus(call, 2, nodes);
  Val **rest = arena_alloc(s->arena, (size_t)(n + 1) * sizeof *rest);
  for (int k = 0; k < n; k++)
    if ((rest[k] = sema_expr(s, nodes[k]))->kind == V_ERROR) return ERR;
  return tree_walk(s, args[0].v, args[1].v, rest, n, b->data, NULL, call->span);
}

/* fold(f, init, r): acc = f(acc, v) for each field v of the record r in order (a model's
 * repeated layers, `param layers[i < n]`), methods aside; the last acc. */
static Val *b_fold(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  Val *acc = args[1].v, *r = args[2].v;
  if (r->kind != V_RECORD) {
    Diag *g = diag_error(s->diags, args[2].span, "fold goes over the fields of a record, not %s", sema_type_str(s, r));
    diag_hint(s->diags, g, "e.g. fold(fn(h, layer) = layer.forward(h), x, net.layers)");
    return ERR;
  }
  for (int i = 0; i < r->rec->n && acc->kind != V_ERROR; i++) {
    Val *v = r->rec->vals[i];
    if (v->kind == V_FN && v->fn->method) continue;
    Val *two[2] = {acc, v};
    acc = sema_apply(s, args[0].v, 2, two, NULL, call->span);
  }
  return acc;
}

const Builtin builtins_nn[] = {
    BUILTIN("fold", "f: fn, init, r", b_fold, 0),
    {"tree_map", "f: fn, tree", b_tree, 0, NULL, true},
    {"tree_sum", "f: fn, tree", b_tree, 1, NULL, true},
    BUILTIN("_perturb", "x, k: int, h: float", b_perturb, 0),
    BUILTIN("grad", "f: fn, wrt: syntax = _", b_grad, FN_GRAD),
    BUILTIN("value_and_grad", "f: fn, wrt: syntax = _", b_grad, FN_VALUE_AND_GRAD),
    {NULL, NULL, NULL, 0, NULL, false},
};
