/* builtins_nn.c: the nn family: grad and value_and_grad (compiler/sema_grad.c, autodiff.c). */
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
    const Val *g = f;
    while (g->fn->transform) g = g->fn->of;
    const PtrVec *params = g->fn->builtin ? &sema_builtin_signature(s, g->fn->builtin)->list : &g->fn->fn->node->list;
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

const Builtin builtins_nn[] = {
    BUILTIN("_perturb", "x, k: int, h: float", b_perturb, 0),
    BUILTIN("grad", "f: fn, wrt: syntax = _", b_grad, FN_GRAD),
    BUILTIN("value_and_grad", "f: fn, wrt: syntax = _", b_grad, FN_VALUE_AND_GRAD),
    {NULL, NULL, NULL, 0, NULL, false},
};
