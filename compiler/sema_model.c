/* sema_model.c: `model` declarations. A model is a function (FN_MODEL) whose body declares
 * parameters (`param`) and methods (`fn`); a call runs the body and gives a record of the
 * parameters' values and the methods, in the order they are written. A method is a function
 * value flagged `method`: reading it from a record (`net.forward`) binds the record as its
 * receiver, and its body then sees the receiver's fields under the parameters' names, so it
 * computes with the values the record holds now (trained ones, or a gradient's stand-ins), not
 * with those the body made. A parameter's initializer call gets the arguments it leaves out
 * among shape, rows, cols, receptive, dtype and seed from the declared type and a seed derived
 * from the model's and the parameter's name (docs/training.md, "Models"). */
#include "sema_int.h"

#include <string.h>

/* The seed of parameter `name` of a model seeded `seed`: seed * A + FNV-1a(name), wrapping as
 * i64 arithmetic does, so sub-models and parameters draw different streams. */
static Val *derived_seed(Sema *s, Val *seed, const char *name, Span span) {
  uint64_t h = 1469598103934665603u;
  for (const char *p = name; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211u;
  Val *a = sema_scalar(s, SN_I64, false, ir_const_i64(&s->b, (int64_t)0x5851F42D4C957F2Du));
  Val *c = sema_scalar(s, SN_I64, false, ir_const_i64(&s->b, (int64_t)h));
  return sema_binop(s, OP_ADD, sema_binop(s, OP_MUL, sema_cast(s, seed, SN_I64, span), a, span), c, span);
}

static Node *node(Sema *s, AstKind k, Span span) {
  Node *n = NEW(s->arena, Node);
  n->kind = k;
  n->span = n->name_span = span;
  return n;
}

static Node *name_node(Sema *s, const char *name, Span span) {
  Node *n = node(s, A_NAME, span);
  n->name = name;
  return n;
}

static Node *call_node(Sema *s, const char *callee, Span span) {
  Node *n = node(s, A_CALL, span);
  n->name = callee;
  return n;
}

static void add_kwarg(Sema *s, Node *call, const char *name, Node *value) {
  Node *kw = node(s, A_KWARG, call->span);
  kw->name = name;
  kw->a = value;
  vec_push(s->arena, &call->list, kw);
}

/* The product of the declared dimensions from..to-1 (1 when there are none). */
static Node *dims_product(Sema *s, Node *type, int from, int to, Span span) {
  Node *p = NULL;
  for (int d = from; d < to && d < type->list.n; d++) {
    Node *dn = type->list.items[d];
    if (!p) {
      p = dn;
      continue;
    }
    Node *m = node(s, A_BINARY, span);
    m->op = OP_MUL, m->a = p, m->b = dn;
    p = m;
  }
  if (p) return p;
  Node *one = node(s, A_INT, span);
  one->ival = 1;
  return one;
}

/* The parameters of the function a call names, or NULL (a builtin's signature, a fn, a model, or
 * a function value bound to the name). */
static const PtrVec *callee_params(Sema *s, Node *call, bool *builtin) {
  *builtin = false;
  if (call->a || call->b) return NULL;
  Binding *b = sema_lookup(s, call->name);
  if (b && b->kind == B_FN) return &b->node->list;
  if (b && b->kind == B_VAL && b->val->kind == V_FN) return sema_fn_params(s, b->val);
  if (b) return NULL;
  const Builtin *bi = sema_builtin_find(s, call->name);
  if (!bi) return NULL;
  *builtin = true;
  return &sema_builtin_signature(s, bi)->list;
}

static bool given(const Node *call, const PtrVec *params, const char *name) {
  int positional = 0;
  for (int i = 0; i < call->list.n; i++) {
    const Node *a = call->list.items[i];
    if (a->kind == A_KWARG && strcmp(a->name, name) == 0) return true;
    positional += a->kind != A_KWARG;
  }
  for (int i = 0; i < positional && i < params->n; i++)
    if (strcmp(((Node *)params->items[i])->name, name) == 0) return true;
  return false;
}

/* The facts a model passes to an initializer, each by the name of the parameter that takes it. */
enum { FILL_SHAPE, FILL_ROWS, FILL_COLS, FILL_RECEPTIVE, FILL_DTYPE, FILL_SEED, NFILL };
static const char *const fill_names[NFILL] = {"shape", "rows", "cols", "receptive", "dtype", "seed"};

/* init with the arguments its callee takes and the call leaves out filled in: the declared
 * shape (shape; rows, cols and receptive as torch.nn.init reads a weight's), its dtype (for a
 * builtin) and the parameter's seed, bound to `seedname`. */
static Node *filled_call(Sema *s, Node *init, Node *type, const char *seedname) {
  bool builtin;
  const PtrVec *params = init->kind == A_CALL ? callee_params(s, init, &builtin) : NULL;
  if (!params) return init;
  Node *c = node(s, A_CALL, init->span);
  *c = *init;
  c->list = (PtrVec){0};
  for (int i = 0; i < init->list.n; i++) vec_push(s->arena, &c->list, init->list.items[i]);
  bool takes[NFILL] = {0}, fill[NFILL];
  for (int i = 0; i < params->n; i++)
    for (int k = 0; k < NFILL; k++) takes[k] |= strcmp(((Node *)params->items[i])->name, fill_names[k]) == 0;
  bool typed = type && !sema_fn_type(type);
  for (int k = 0; k < NFILL; k++) fill[k] = takes[k] && (typed || k == FILL_SEED) && !given(init, params, fill_names[k]);
  int rank = typed && type->ival == 1 ? type->list.n : 0;
  if (fill[FILL_SHAPE]) {
    Node *l = node(s, A_LIST, init->span);
    for (int d = 0; d < rank; d++) vec_push(s->arena, &l->list, type->list.items[d]);
    add_kwarg(s, c, "shape", l);
  }
  /* torch's fans: rows = dimension 0; cols = dimension 1 and receptive the rest when the
   * initializer takes a receptive field, else cols = all but dimension 0 */
  if (fill[FILL_ROWS]) add_kwarg(s, c, "rows", dims_product(s, type, 0, 1, init->span));
  if (fill[FILL_COLS]) add_kwarg(s, c, "cols", dims_product(s, type, 1, takes[FILL_RECEPTIVE] ? 2 : rank, init->span));
  if (fill[FILL_RECEPTIVE]) add_kwarg(s, c, "receptive", dims_product(s, type, 2, rank, init->span));
  if (fill[FILL_DTYPE] && builtin) add_kwarg(s, c, "dtype", name_node(s, type->name, init->span));
  if (fill[FILL_SEED]) add_kwarg(s, c, "seed", name_node(s, seedname, init->span));
  return c;
}

/* The value an initializer gives, made the declared type: a tensor reshaped to the declared
 * shape (an initializer of torch.nn.init's kind gives [rows, cols * receptive]), a number
 * broadcast to it, converted to the declared dtype. */
static Val *typed_init(Sema *s, Node *n, Val *v) {
  Node *type = n->type;
  const char *what = arena_printf(s->arena, "param `%s`", n->name);
  if (sema_fn_type(type) || (v->kind != V_SCALAR && v->kind != V_TENSOR)) {
    Diag *g = diag_error(s->diags, n->a->span, "%s is declared %s, but its initializer gives %s", what,
                         sema_src_text(s, type->span), sema_type_str(s, v));
    diag_hint(s->diags, g, "a typed param is a tensor or a number; a sub-model is declared without a type, `param enc = layer(...)`");
    return ERR;
  }
  if (v->kind == V_TENSOR && type->ival == 1) {
    /* the numbers of elements, when both are known now */
    int64_t have = 1, want = 1;
    bool known = true;
    for (int d = 0; d < v->rank; d++) known &= !v->dims[d].sym, have *= v->dims[d].c;
    for (int d = 0; d < type->list.n && known; d++) {
      Node *dn = type->list.items[d];
      Binding *b = dn->kind == A_NAME ? sema_lookup(s, dn->name) : NULL;
      int64_t c;
      if (dn->kind == A_INT) want *= dn->ival;
      else if (b && b->kind == B_VAL && b->val->kind == V_SCALAR && ir_is_const_int(b->val->ir, &c)) want *= c;
      else known = false;
    }
    if (known && have != want) {
      Diag *g = diag_error(s->diags, n->a->span, "%s is declared %s (%lld elements), but its initializer gives %s",
                           what, sema_src_text(s, type->span), (long long)want, sema_type_str(s, v));
      diag_hint(s->diags, g, "leave the shape out of the initializer's call (`zeros()`, `kaiming_uniform()`): the model passes the declared one");
      return ERR;
    }
  }
  sema_push_scope(s);
  sema_bind_val(s, "\x01init", v, n->a->span)->used = true;
  Node *x = name_node(s, "\x01init", n->a->span);
  if (type->ival == 1) {
    Node *shape = node(s, A_LIST, n->a->span);
    for (int d = 0; d < type->list.n; d++) vec_push(s->arena, &shape->list, type->list.items[d]);
    Node *r = call_node(s, v->kind == V_SCALAR ? "full" : "reshape", n->a->span);
    vec_push(s->arena, &r->list, v->kind == V_SCALAR ? shape : x);
    vec_push(s->arena, &r->list, v->kind == V_SCALAR ? x : shape);
    x = r;
  }
  Node *cast = call_node(s, type->name, n->a->span);
  vec_push(s->arena, &cast->list, x);
  Val *r = sema_expr(s, cast);
  sema_pop_scope(s);
  if (r->kind == V_ERROR || !sema_match_type(s, type, r, s->scope, NULL, n->a->span, what)) return ERR;
  return r;
}

/* The value of param n's initializer, seeded by `path`. */
static Val *param_value(Sema *s, Node *n, const char *path) {
  sema_push_scope(s);
  const char *seedname = "\x01seed";
  sema_bind_val(s, seedname, derived_seed(s, s->model_seed, path, n->name_span), n->name_span)->used = true;
  Val *v = sema_expr(s, filled_call(s, n->a, n->type, seedname));
  sema_pop_scope(s);
  if (v->kind != V_ERROR && n->type) v = typed_init(s, n, v);
  if (v->kind != V_ERROR && v->kind != V_SCALAR && v->kind != V_TENSOR && v->kind != V_RECORD) {
    Diag *g = diag_error(s->diags, n->a->span, "param `%s` is %s: a parameter is a tensor, a number or a model",
                         n->name, sema_type_str(s, v));
    diag_hint(s->diags, g, "a model's functions are its methods, declared with `fn` in its body");
    v = ERR;
  }
  return v;
}

/* A repeated parameter's most copies (each is compiled: a model's layers, not a batch). */
#define MAX_REPEAT 1024

/* param NAME [: type] = init, in the body of a model being built (s->model_seed is its seed). */
void sema_model_param(Sema *s, Node *n) {
  if (!s->model_seed) {
    Diag *g = diag_error(s->diags, n->span, "`param` declares a parameter of a model and belongs in a `model` body");
    diag_hint(s->diags, g, "write `model name(sizes) { param w: f32[n] = zeros(); fn forward(x) = ... }`");
    return;
  }
  SnDtype dt;
  TypeClass cls;
  if (n->type && !sema_fn_type(n->type) && (!sema_type_elem(n->type->name, &dt, &cls) || cls != TC_EXACT)) {
    Diag *g = diag_error(s->diags, n->type->span, "param `%s` must have a dtype, not `%s`", n->name, n->type->name);
    diag_hint(s->diags, g, "declare it f32[...], f64[...], ...: a parameter is stored in one type");
    sema_bind_val(s, n->name, ERR, n->name_span);
    return;
  }
  Val *v;
  if (!n->list.n) {
    v = param_value(s, n, n->name);
  } else {
    /* [i < count]: count values, i bound to 0, 1, ... in each, seeded as name.0, name.1, ... */
    Node *ix = n->list.items[0];
    Val *cv = n->list.n == 1 && ix->kind == A_BINARY ? sema_expr(s, ix->b) : NULL;
    int64_t count = -1;
    if (cv && cv->kind == V_SCALAR && sema_is_int(cv->dt) && !ir_is_const_int(cv->ir, &count)) count = -1;
    if (count < 0 && s->placeholders && cv && cv->kind == V_SCALAR) {
      v = ERR; /* a count of a placeholder size: the calls check it, each with its own */
    } else if (count < 0 || count > MAX_REPEAT) {
      Diag *g = diag_error(s->diags, n->list.n == 1 ? ix->span : n->name_span,
                           "param `%s[...]` repeats a parameter a number of times known when compiling, from 0 to %d",
                           n->name, MAX_REPEAT);
      diag_hint(s->diags, g, "write one index and its count: `param layers[i < depth] = Block(d)`");
      v = ERR;
    } else {
      v = sema_record(s, (int)count, NULL, NULL);
      for (int k = 0; k < count && v->kind != V_ERROR; k++) {
        sema_push_scope(s);
        sema_bind_val(s, ix->a->name, sema_scalar(s, SN_I64, false, ir_const_i64(&s->b, k)), ix->a->span)->used = true;
        v->rec->names[k] = arena_printf(s->arena, "%d", k);
        v->rec->vals[k] = param_value(s, n, arena_printf(s->arena, "%s.%d", n->name, k));
        sema_pop_scope(s);
        if (v->rec->vals[k]->kind == V_ERROR) v = ERR;
      }
    }
  }
  sema_bind_val(s, n->name, v, n->name_span)->used = true;
}

/* The record a model's body made: its params and methods, in the order they are written. */
Val *sema_model_record(Sema *s, Node *body) {
  int n = 0;
  for (int i = 0; i < body->list.n; i++) {
    Node *st = body->list.items[i];
    n += st->kind == A_MPARAM || st->kind == A_FN;
  }
  Val *r = sema_record(s, n, NULL, NULL);
  for (int i = 0, k = 0; i < body->list.n; i++) {
    Node *st = body->list.items[i];
    if (st->kind != A_MPARAM && st->kind != A_FN) continue;
    for (int j = 0; j < k; j++)
      if (strcmp(r->rec->names[j], st->name) == 0) {
        diag_error(s->diags, st->name_span, "`%s` is declared twice in this model", st->name);
        return ERR;
      }
    Binding *b = sema_lookup(s, st->name);
    if (!b || (b->kind == B_VAL && b->val->kind == V_ERROR)) return ERR;
    r->rec->names[k] = st->name;
    if (st->kind == A_MPARAM) {
      r->rec->vals[k++] = b->val;
      continue;
    }
    Val *m = sema_fn_value(s, b, NULL, st->name_span);
    m->fn->method = true;
    m->fn->model_outer = s->scope->parent->parent; /* around the body's and the parameters' scopes */
    b->used = true;
    r->rec->vals[k++] = m;
  }
  return r;
}

/* A method read from the record `self`: the same function with self as its receiver. */
Val *sema_bind_method(Sema *s, Val *m, const Val *self) {
  Val *v = sema_val(s, V_FN);
  *v = *m;
  v->fn = NEW(s->arena, FnVal);
  *v->fn = *m->fn;
  v->fn->self = self;
  return v;
}

/* The binding a bound method is called through: its function, defined in a scope where the
 * receiver's fields (methods bound to it too) hide the names the model's body bound. */
Binding *sema_method_binding(Sema *s, const FnVal *f) {
  Binding *fb = f->fn;
  Scope *saved = sema_enter(s, fb->defscope);
  const Val *self = f->self;
  for (int i = 0; i < self->rec->n; i++) {
    Val *v = self->rec->vals[i];
    if (v->kind == V_FN && v->fn->method) v = sema_bind_method(s, v, self);
    sema_bind_val(s, self->rec->names[i], v, fb->span)->used = true;
  }
  Binding *b = NEW(s->arena, Binding);
  *b = *fb;
  b->defscope = sema_snapshot_scope(s);
  b->sizes_upto = f->model_outer;
  sema_leave(s, saved);
  return b;
}
