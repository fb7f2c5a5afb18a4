/* sema_call.c: declared types, the argument binder shared by user functions and builtins,
 * calls, a function's check where it is defined, and the declarations (decl.def). */
#include "sema_int.h"

#include "parse.h"

#include <string.h>

/* How deep user functions may inline into each other before we call it runaway. */
#define MAX_INLINE_DEPTH 64

/* --- declared types ---------------------------------------------------------------------------- */

bool sema_type_elem(const char *name, SnDtype *dt, TypeClass *cls) {
  static const struct { const char *name; TypeClass cls; SnDtype rep; } classes[] = {
      {"float", TC_FLOAT, SN_F32}, {"int", TC_INT, SN_I64}, {"num", TC_NUM, SN_F32}};
  for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
    if (strcmp(name, classes[i].name) == 0) {
      *cls = classes[i].cls;
      *dt = classes[i].rep;
      return true;
    }
  *cls = TC_EXACT;
  return sn_dtype_from_name(name, dt);
}

void sema_unknown_type(Sema *s, Node *type) {
  Diag *g = diag_error(s->diags, type->span, "unknown type `%s`", type->name);
  diag_hint(s->diags, g, "the element types are f16 bf16 f32 f64 i8 u8 i32 i64 bool, or a class: float int num");
}

static bool in_class(SnDtype dt, TypeClass cls) {
  switch (cls) {
  case TC_FLOAT: return sema_is_float(dt);
  case TC_INT: return sema_is_int(dt);
  case TC_NUM: return dt != SN_BOOL;
  default: return false;
  }
}

bool sema_fn_type(const Node *type) { return !type->ival && strcmp(type->name, "fn") == 0; }

bool sema_record_type(const Node *type) { return !type->ival && strcmp(type->name, "record") == 0; }

/* A value bound to a declared type takes its dtype: a literal adopts it (or, for the class
 * `float`, becomes a floating-point literal); values of a class keep their own. */
Val *sema_adopt_type(Sema *s, Node *type, Val *v, Span span) {
  SnDtype dt;
  TypeClass cls;
  if (!v->weak || !sema_type_elem(type->name, &dt, &cls)) return v;
  if (cls == TC_EXACT) return sema_cast(s, v, dt, span);
  if (cls == TC_FLOAT && !sema_is_float(v->dt)) {
    Val *f = sema_cast(s, v, SN_F64, span);
    f->weak = true;
    return f;
  }
  return v;
}

/* A name of a declared type seen for the first time stands for that size (and becomes an i64
 * value in `dimscope`), a name seen before must match. Constants that differ are errors now;
 * anything else is checked at run time. */
bool sema_match_type(Sema *s, Node *type, Val *v, Scope *dimscope, Scope *upto, Span span, const char *what) {
  SnDtype dt;
  TypeClass cls;
  if (sema_record_type(type)) {
    if (v->kind == V_RECORD) return true;
    Diag *g = diag_error(s->diags, span, "%s: expected a record, got %s", what, sema_type_str(s, v));
    diag_hint(s->diags, g, "pass a record, e.g. {w: w, b: b}, or a model");
    return false;
  }
  if (sema_fn_type(type) || v->kind == V_FN) {
    if (sema_fn_type(type) && v->kind == V_FN) return true;
    Diag *g = diag_error(s->diags, span, "%s: expected %s, got %s", what, sema_src_text(s, type->span), sema_type_str(s, v));
    if (v->kind == V_FN) diag_hint(s->diags, g, "call the function to pass its value, or declare the parameter `: fn`");
    else diag_hint(s->diags, g, "pass a function: a `fn`'s name, a builtin such as exp, or `fn(x) = ...`");
    return false;
  }
  if (!sema_type_elem(type->name, &dt, &cls)) {
    sema_unknown_type(s, type);
    return false;
  }
  bool want_tensor = type->ival == 1, any_rank = type->ival == 2;
  bool shape_ok = any_rank ? v->kind == V_TENSOR || v->kind == V_SCALAR
                           : want_tensor ? v->kind == V_TENSOR && v->rank == type->list.n : v->kind == V_SCALAR;
  if (!shape_ok) {
    diag_error(s->diags, span, "%s: expected %s, got %s", what, sema_src_text(s, type->span), sema_type_str(s, v));
    return false;
  }
  if (cls != TC_EXACT ? !in_class(v->dt, cls) && !(v->weak && cls == TC_FLOAT && sema_is_int(v->dt))
                      : v->dt != dt && !v->weak) {
    Diag *g = diag_error(s->diags, span, "%s: expected %s, got %s", what, sema_src_text(s, type->span), sema_type_str(s, v));
    if (cls == TC_EXACT) diag_hint(s->diags, g, "convert it with %s(...)", sn_dtype_name(dt));
    else if (cls == TC_FLOAT) diag_hint(s->diags, g, "convert it with f32(...) or f64(...)");
    else if (cls == TC_INT) diag_hint(s->diags, g, "convert it with i64(...)");
    else diag_hint(s->diags, g, "convert it with i64(...) or f32(...)");
    return false;
  }
  for (int d = 0; want_tensor && d < v->rank; d++) {
    Node *dn = type->list.items[d];
    Dim have = v->dims[d];
    if (dn->kind == A_INT) {
      if (!have.sym && have.c != dn->ival) {
        diag_error(s->diags, span, "%s: expected %s, got %s", what, sema_src_text(s, type->span), sema_type_str(s, v));
        return false;
      }
      sema_dims_match(s, sema_dim_const(dn->ival), have, span,
                       arena_printf(s->arena, "%s: dimension %d must be %lld", what, d, (long long)dn->ival));
      continue;
    }
    Binding *known = NULL;
    for (Scope *sc = dimscope; sc && sc != upto && !known; sc = sc->parent)
      for (Binding *x = sc->head; x && !known; x = x->next)
        if (strcmp(x->name, dn->name) == 0) known = x;
    if (known && known->kind == B_VAL && known->val->kind == V_SCALAR && sema_is_int(known->val->dt)) {
      Dim want = sema_dim_of_value(s, ir_cast(&s->b, known->val->ir, ir_i64), dn->name);
      if (!want.sym && !have.sym && want.c != have.c) {
        Diag *g = diag_error(s->diags, span, "%s: expected %s, got %s", what, sema_src_text(s, type->span), sema_type_str(s, v));
        diag_hint(s->diags, g, "`%s` is %lld here", dn->name, (long long)want.c);
        return false;
      }
      sema_dims_match(s, want, have, span,
                       arena_printf(s->arena, "%s: dimension %d must equal %s%s%s", what, d, dn->name,
                                    known->origin ? ", " : "", known->origin ? known->origin : ""));
      continue;
    }
    Scope *saved = s->scope;
    s->scope = dimscope;
    Val *dv = sema_scalar(s, SN_I64, false, sema_dim_value(s, have));
    Binding *nb = sema_bind_val(s, dn->name, dv, dn->span);
    nb->used = true;
    nb->origin = arena_printf(s->arena, "dimension %d of %s", d, what);
    s->scope = saved;
  }
  return true;
}

/* --- binding a call's arguments to parameters ---------------------------------------------------- */

/* What a builtin's parameter may be besides a value, read from the call's syntax (builtins.h). */
typedef enum Form { F_VALUE, F_DTYPE, F_SHAPE, F_SYNTAX } Form;

static Form param_form(const Node *param, bool builtin) {
  static const char *const forms[] = {[F_DTYPE] = "dtype", [F_SHAPE] = "shape", [F_SYNTAX] = "syntax"};
  if (!builtin || !param->type || param->type->ival) return F_VALUE;
  for (int f = F_DTYPE; f <= F_SYNTAX; f++)
    if (strcmp(param->type->name, forms[f]) == 0) return (Form)f;
  return F_VALUE;
}

/* A builtin's parameter whose default is `_` may be left out (its handler sees no value). */
static bool may_be_left_out(const Node *param, bool builtin) {
  return builtin && param->a && param->a->kind == A_NAME && strcmp(param->a->name, "_") == 0;
}

/* dtype=NAME, a type name read from the syntax, dtype=VALUE, the element type of a value
 * (`zeros(n, dtype=x)` matches x's, which generic functions need), or a conversion passed as a
 * value (`fn f(dtype = f32) = zeros(3, dtype=dtype)`). */
static bool dtype_arg(Sema *s, Node *n, SnDtype *dt) {
  if (n->kind == A_NAME && sn_dtype_from_name(n->name, dt)) return true;
  if (n->kind != A_NAME || sema_lookup(s, n->name)) {
    Val *v = n->kind == A_NAME || n->kind == A_CALL || n->kind == A_FIELD || n->kind == A_INDEX ? sema_expr(s, n) : NULL;
    if (v && v->kind == V_ERROR) return false;
    if (v && (v->kind == V_SCALAR || v->kind == V_TENSOR)) {
      *dt = v->dt;
      return true;
    }
    /* a conversion as a value (a parameter `dtype = f32` passed on): its type */
    if (v && v->kind == V_FN && v->fn->builtin && v->fn->transform == FN_PLAIN &&
        sn_dtype_from_name(v->fn->builtin->name, dt))
      return true;
  }
  Diag *g = diag_error(s->diags, n->span, "dtype must be a type name such as f32, or a value whose type to take");
  diag_hint(s->diags, g, "the element types are f16 bf16 f32 f64 i8 u8 i32 i64 bool");
  return false;
}

/* A shape given as an integer vector of a length known when compiling, such as `[n, 2]` passed to
 * a function's parameter and from there to randn: its elements are the sizes, constants where
 * the vector was written with constants. */
static bool shape_vector(Sema *s, Val *v, Span span, int *rank, Dim *dims) {
  if (v->dims[0].c > SN_MAX_RANK) {
    diag_error(s->diags, span, "a tensor has at most %d dimensions, but this shape has %lld", SN_MAX_RANK,
               (long long)v->dims[0].c);
    return false;
  }
  IrInst *def = ir_val(v->ir)->def;
  for (int k = 0; k < v->dims[0].c; k++) {
    IrValue *idx = ir_const_i64(&s->b, k);
    IrValue *e = def && def->op == IR_CONST_TENSOR && v->dt == SN_I64 ? ir_const_i64(&s->b, ((int64_t *)def->blob)[k])
                                                                     : ir_elem(&s->b, v->ir, 1, &idx);
    if (!sema_size(s, sema_scalar(s, v->dt, false, e), span, &dims[k])) return false;
  }
  *rank = (int)v->dims[0].c;
  return true;
}

/* A shape: [d0, d1, ...], a single size, an integer vector (above) or a tensor's (y.shape); each
 * a constant or a run-time integer. */
static bool shape_arg(Sema *s, Node *n, int *rank, Dim *dims) {
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
    Val *v = sema_expr(s, e);
    if (v->shape_of && n->kind != A_LIST) { /* y.shape */
      *rank = v->shape_of->rank;
      memcpy(dims, v->shape_of->dims, sizeof(Dim) * SN_MAX_RANK);
      return true;
    }
    if (n->kind != A_LIST && v->kind == V_TENSOR && v->rank == 1 && sema_is_int(v->dt) && !v->dims[0].sym)
      return shape_vector(s, v, e->span, rank, dims);
    if (!sema_size(s, v, e->span, &dims[i])) return false;
  }
  *rank = count;
  return true;
}

/* The argument n (as written, or a default) for `param`, evaluated as its form says. */
static bool read_arg(Sema *s, const Node *param, bool builtin, Node *n, Arg *a) {
  a->node = n;
  a->span = n->span;
  switch (param_form(param, builtin)) {
  case F_DTYPE: return dtype_arg(s, n, &a->dt);
  case F_SHAPE: return shape_arg(s, n, &a->rank, a->dims);
  case F_SYNTAX: return true;
  case F_VALUE: break;
  }
  a->v = sema_expr(s, n);
  return a->v->kind != V_ERROR;
}

/* A named argument that no parameter of fname (`params`) takes. */
static void unknown_param(Sema *s, const char *fname, Node *kwarg, const PtrVec *params) {
  Diag *g = diag_error(s->diags, kwarg->name_span, "`%s` has no parameter `%s`", fname, kwarg->name);
  const char *best = NULL;
  int bestd = 3;
  for (int p = 0; p < params->n; p++) {
    int d = edit_distance(kwarg->name, ((Node *)params->items[p])->name, 2);
    if (d < bestd) best = ((Node *)params->items[p])->name, bestd = d;
  }
  if (best) diag_hint(s->diags, g, "did you mean `%s`?", best);
  else if (params->n == 0) diag_hint(s->diags, g, "`%s` takes no named arguments", fname);
}

bool sema_match_args(Sema *s, Node *call, const char *fname, const PtrVec *params, const Span *def, bool variadic,
                     Arg *args) {
  int np = params->n, npos = 0, maxpos = np;
  bool builtin = def == NULL, ok = true;
  memset(args, 0, (size_t)np * sizeof *args);
  /* after the values of a variadic call come the parameters with defaults, given by name only
   * (check's hint=, as Python's `*values, hint=None`) */
  for (int p = 0; variadic && p < np && maxpos == np; p++)
    if (((Node *)params->items[p])->a) maxpos = p;
  for (int i = 0; i < call->list.n; i++) {
    Node *a = call->list.items[i];
    int k = npos;
    if (a->kind == A_KWARG) {
      k = -1;
      for (int p = 0; p < np; p++)
        if (strcmp(((Node *)params->items[p])->name, a->name) == 0) k = p;
      if (k < 0) {
        unknown_param(s, fname, a, params);
        ok = false;
        continue;
      }
    } else if (npos++ >= maxpos) {
      if (variadic) continue;
      Diag *g = diag_error(s->diags, a->span, "`%s` takes %d argument%s, but more are given", fname, np, np == 1 ? "" : "s");
      if (def) diag_note(s->diags, g, *def, "`%s` is defined here", fname);
      ok = false;
      break;
    }
    Node *param = params->items[k];
    if (args[k].node) {
      diag_error(s->diags, a->kind == A_KWARG ? a->name_span : a->span, "parameter `%s` of `%s` is given twice",
                 param->name, fname);
      ok = false;
      continue;
    }
    ok &= read_arg(s, param, builtin, a->kind == A_KWARG ? a->a : a, &args[k]);
  }
  for (int p = 0; p < np && ok; p++) {
    Node *param = params->items[p];
    if (args[p].node || param->a) continue;
    Diag *g = diag_error(s->diags, call->span, "missing argument `%s` of `%s`", param->name, fname);
    if (def) diag_note(s->diags, g, *def, "`%s` is defined here", fname);
    ok = false;
  }
  return ok;
}

bool sema_bind_params(Sema *s, const char *fname, const PtrVec *params, Arg *args, bool builtin, Scope *upto) {
  for (int p = 0; p < params->n; p++) {
    Node *param = params->items[p];
    Arg *a = &args[p];
    if (!a->node) {
      if (may_be_left_out(param, builtin)) continue;
      /* a default, evaluated where the function is defined, seeing the parameters before it */
      if (!read_arg(s, param, builtin, param->a, a)) return false;
    }
    if (param_form(param, builtin) != F_VALUE) continue;
    if (param->type) {
      const char *what = arena_printf(s->arena, "argument `%s` of `%s`", param->name, fname);
      if (!sema_match_type(s, param->type, a->v, s->scope, upto ? upto : s->scope->parent, a->span, what)) return false;
      a->v = sema_adopt_type(s, param->type, a->v, a->span);
    }
    sema_bind_val(s, param->name, a->v, param->name_span)->used = true;
  }
  return true;
}

Scope *sema_enter(Sema *s, Scope *outer) {
  Scope *saved = s->scope;
  s->scope = outer ? outer : s->prelude;
  sema_push_scope(s);
  return saved;
}

void sema_leave(Sema *s, Scope *saved) { s->scope = saved; }

/* --- calls -------------------------------------------------------------------------------------- */

/* A call of the fn bound by fb, named `name` in messages (a method: as the call names it,
 * `net.hidden.forward`). */
static Val *call_user(Sema *s, Binding *fb, const char *name, Node *call) {
  Node *fn = fb->node;
  if (fb->broken) return ERR;
  /* a call written inside the function's own body recurses; one written elsewhere (in a function
   * value the function calls) only nests, and is bounded by MAX_INLINE_DEPTH */
  bool inside = call->span.src == fn->span.src && call->span.lo >= fn->span.lo && call->span.hi <= fn->span.hi;
  for (int i = 0; inside && i < s->inst_stack.n; i++)
    if (s->inst_stack.items[i] == fn) {
      Diag *g = diag_error(s->diags, call->span, "`%s` calls itself", fn->name);
      diag_hint(s->diags, g, "functions are inlined and cannot recurse; write the repetition with `iterate`");
      return ERR;
    }
  if (s->inst_stack.n >= MAX_INLINE_DEPTH) {
    Diag *g = diag_error(s->diags, call->span, "functions nest more than %d calls deep", MAX_INLINE_DEPTH);
    diag_hint(s->diags, g, "functions are inlined and cannot recurse, also through a function passed to itself; "
                           "write the repetition with `iterate`");
    return ERR;
  }
  Arg *args = arena_alloc(s->arena, (size_t)(fn->list.n ? fn->list.n : 1) * sizeof *args);
  if (!sema_match_args(s, call, name, &fn->list, &fn->name_span, false, args)) return ERR;
  Scope *saved = sema_enter(s, fb->defscope);
  int errors = s->diags->nerrors;
  bool ok = sema_bind_params(s, name, &fn->list, args, false, fb->sizes_upto);
  Val *r = ERR;
  Span saved_site = s->b.site;
  Val *saved_seed = s->model_seed;
  s->model_seed = NULL; /* a plain function's body declares no `param` */
  if (ok && fn->op == FN_MODEL) s->model_seed = sema_lookup(s, "seed")->val;
  if (fn->span.src->stdlib && !call->span.src->stdlib) s->b.site = call->span;
  if (ok) {
    vec_push(s->arena, &s->inst_stack, fn);
    Node *body = fn->a;
    if (body->kind == A_BLOCK) {
      sema_push_scope(s);
      r = sema_unit(s);
      for (int i = 0; i < body->list.n; i++) {
        Node *st = body->list.items[i];
        if (i + 1 == body->list.n && st->kind == A_EXPR && fn->op != FN_MODEL) r = sema_expr(s, st->a);
        else sema_stmt(s, st);
        /* past its first error (a failed check of the arguments) a library function would only
         * report what follows from it, inside the library */
        if (fn->span.src->stdlib && s->diags->nerrors > errors) {
          r = ERR;
          break;
        }
      }
      if (fn->op == FN_MODEL) r = sema_model_record(s, body);
      sema_pop_scope(s);
    } else {
      r = sema_expr(s, body);
    }
    s->inst_stack.n--;
    if (fn->type && r->kind != V_ERROR) {
      const char *what = arena_printf(s->arena, "the result of `%s`", fn->name);
      if (!sema_match_type(s, fn->type, r, s->scope, s->scope->parent, fn->a->span, what)) r = ERR;
      if (r->kind != V_ERROR) r = sema_adopt_type(s, fn->type, r, fn->a->span);
    }
    if (fn->ival != DECL_NONE) r = sema_decl_check(s, fn, r);
  }
  Span site = s->b.site;
  s->b.site = saved_site;
  s->model_seed = saved_seed;
  sema_leave(s, saved);
  bool definition_check = call->span.src == fn->name_span.src && call->span.lo == fn->name_span.lo;
  if (!definition_check && s->diags->nerrors > errors && s->diags->nerrors <= DIAG_MAX_ERRORS) {
    Diag *first = s->diags->items.items[s->diags->items.n - (s->diags->nerrors - errors)];
    /* an error the library reports at the user's call into it (a check) needs no note of the
     * library's own calls */
    bool at_user = first && site.src && first->span.src == site.src && first->span.lo == site.lo;
    if (first && !first->note && first->span.lo != call->span.lo && !at_user)
      diag_note(s->diags, first, call->span, "in this call of `%s`", name);
  }
  return r;
}

/* --- builtins: the rows of the Library's families ----------------------------------------------- */

const Builtin *sema_builtin_find(Sema *s, const char *name) {
  for (const Builtin *const *f = s->builtins; *f; f++)
    for (const Builtin *b = *f; b->name; b++)
      if (strcmp(b->name, name) == 0) return b;
  return NULL;
}

/* b's place among the builtins, and their number: the index of a signature in s->signatures. */
static int builtin_index(Sema *s, const Builtin *b, int *count) {
  int k = 0, at = -1;
  for (const Builtin *const *f = s->builtins; *f; f++)
    for (const Builtin *r = *f; r->name; r++, k++)
      if (r == b) at = k;
  *count = k;
  return at;
}

Node *sema_builtin_signature(Sema *s, const Builtin *b) {
  int count, k = builtin_index(s, b, &count);
  if (!s->signatures) s->signatures = arena_alloc(s->arena, (size_t)count * sizeof *s->signatures);
  if (!s->signatures[k]) {
    /* `f`, not the builtin's name: `sum` and `max` are keywords */
    const char *text = arena_printf(s->arena, "fn f(%s) = %s\n", b->params, b->result ? b->result : "0");
    Source *src = source_new(s->arena, "<builtin>", text, strlen(text));
    src->stdlib = true; /* its defaults may call the standard library's helpers */
    DiagBag d = {.arena = s->arena};
    PtrVec stmts = {0};
    if (!parse_source(s->arena, &d, src, &stmts) || stmts.n != 1)
      die("the signature of the builtin `%s` does not parse: %s", b->name, text);
    s->signatures[k] = stmts.items[0];
  }
  return s->signatures[k];
}

/* The arguments of `call` bound to b's signature, or NULL after an error. */
static Arg *builtin_args(Sema *s, const Builtin *b, Node *call) {
  Node *sig = sema_builtin_signature(s, b);
  Arg *args = arena_alloc(s->arena, (size_t)(sig->list.n ? sig->list.n : 1) * sizeof *args);
  if (!sema_match_args(s, call, b->name, &sig->list, NULL, b->variadic, args)) return NULL;
  /* defaults see the standard library, and the parameters before them */
  Scope *saved = sema_enter(s, NULL);
  bool ok = sema_bind_params(s, b->name, &sig->list, args, true, NULL);
  sema_leave(s, saved);
  return ok ? args : NULL;
}

/* NumPy's and PyTorch's functions that sinter spells otherwise, or writes as a comprehension:
 * what to write instead, for the "unknown function" error. */
static const struct {
  const char *name, *hint;
} foreign[] = {
    {"clip", "sinter's is `clamp(x, lo, hi)`"},
    {"cat", "sinter's is `concat(a, b, ..., axis=0)`"},
    {"concatenate", "sinter's is `concat(a, b, ..., axis=0)`"},
    {"logsumexp", "sinter's is the reduction `lse`: lse(x) over every element, lse(j) x[i, j] along an axis"},
    {"diag", "write a comprehension: `let d[i] = A[i, i]`, or `let D[i, j < n] = if i == j then v[i] else 0`"},
    {"diagonal", "write a comprehension: `let d[i] = A[i, i]`"},
    {"trace", "write a reduction: `sum(i) A[i, i]`"},
    {"tril", "write a comprehension: `let L[i, j] = if j <= i then A[i, j] else 0`"},
    {"triu", "write a comprehension: `let U[i, j] = if j >= i then A[i, j] else 0`"},
    {"outer", "write a comprehension: `let o[i, j] = u[i] * v[j]`"},
    {"einsum", "write a comprehension with a reduction: `let C[i, k] = sum(j) A[i, j] * B[j, k]`"},
    {"flip", "slice with a negative step, `x[::-1]`, or write `let y[i < n] = x[n - 1 - i]`"},
    {"roll", "write a comprehension: `let y[i < n] = x[(i - k) % n]` (`%` is the floor modulo)"},
    {"tile", "write a comprehension: `let y[i < 2 * n] = x[i % n]`"},
    {"repeat", "write a comprehension: `let y[i < 2 * n] = x[i64(i / 2)]`"},
    {"pad", "write a comprehension: `let y[i < n + 2] = if i >= 1 and i <= n then x[i - 1] else 0`"},
    {"norm", "write `sqrt(sum(x^2))` (the 2-norm), or `sqrt(sum(j) x[i, j]^2)` per row"},
    {"permute", "write a comprehension: `let y[k, i, j] = x[i, j, k]`"},
    {"matmul", "sinter's is the operator `a @ b`"},
    {"mm", "sinter's is the operator `a @ b`"},
    {"bmm", "sinter's is the operator `a @ b` (batches of matrices too)"},
    {"dot", "write `sum(i) u[i] * v[i]`, or `u @ v`"},
    {"zeros_like", "write `zeros(x.shape)`"},
    {"ones_like", "write `ones(x.shape)`"},
    {"amax", "the reduction `max`: max(x) over every element, max(j) x[i, j] along an axis"},
    {"amin", "the reduction `min`: min(x) over every element, min(j) x[i, j] along an axis"},
};

static const char *foreign_hint(const char *name) {
  for (size_t k = 0; k < sizeof foreign / sizeof *foreign; k++)
    if (strcmp(foreign[k].name, name) == 0) return foreign[k].hint;
  return NULL;
}

static Val *call_builtin(Sema *s, const Builtin *b, Node *call) {
  Arg *args = builtin_args(s, b, call);
  return args ? b->handler(s, b, args, call) : ERR;
}

IrValue *sema_where(Sema *s, Span sp) {
  if (s->b.site.src && sp.src && sp.src->stdlib) sp = s->b.site;
  return ir_string(&s->b, diag_where(s->fn->arena, sp));
}

Node *sema_declared_type(Sema *s, Node *call) {
  if (call != s->declared_call) return NULL;
  s->declared_taken = call;
  return s->declared_type;
}

Val *sema_fn_value(Sema *s, Binding *fb, const Builtin *builtin, Span given) {
  Val *v = sema_val(s, V_FN);
  v->fn = NEW(s->arena, FnVal);
  v->fn->fn = fb;
  v->fn->builtin = builtin;
  v->fn->given = given;
  return v;
}

const char *sema_fn_value_name(Sema *s, const Val *f) {
  if (f->fn->transform)
    return arena_printf(s->arena, "%s(%s)", f->fn->transform == FN_GRAD ? "grad" : "value_and_grad",
                        sema_fn_value_name(s, f->fn->of));
  return f->fn->builtin ? f->fn->builtin->name : f->fn->fn->node->name;
}

/* A call through the function value f (a parameter, a `let`, a record's field; `callee` is how
 * the call names it), inlined as a call by name is. Errors of the call (arity, argument types)
 * point at the call, with a note at the place the function was given. */
Val *sema_call_value(Sema *s, Val *f, const char *callee, Node *call) {
  if (f->kind == V_ERROR) return ERR;
  if (f->kind != V_FN) {
    Diag *g = diag_error(s->diags, call->name_span, "`%s` is %s, not a function", callee, sema_type_str(s, f));
    diag_hint(s->diags, g, "only functions are called with (...); pass a function, e.g. `f=exp` or `f=fn(x) = x * 2`");
    return ERR;
  }
  int errors = s->diags->nerrors;
  Val *r;
  if (f->fn->transform) {
    r = sema_call_transformed(s, f, call);
  } else if (f->fn->builtin) {
    Node *c = NEW(s->arena, Node);
    *c = *call;
    c->name = f->fn->builtin->name;
    r = call_builtin(s, f->fn->builtin, c);
  } else {
    r = f->fn->self ? call_user(s, sema_method_binding(s, f->fn), callee, call) : call_user(s, f->fn->fn, f->fn->fn->node->name, call);
  }
  /* a method's call names it already (net.forward); another value's error notes where it was given */
  if (s->diags->nerrors > errors && s->diags->nerrors <= DIAG_MAX_ERRORS && !f->fn->self &&
      strcmp(callee, sema_fn_value_name(s, f)) != 0) {
    Diag *last = s->diags->items.items[s->diags->items.n - (s->diags->nerrors - errors)];
    while (last && last->note) last = last->note;
    if (last) diag_note(s->diags, last, f->fn->given, "`%s` is `%s`, given here", callee, sema_fn_value_name(s, f));
  }
  return r;
}

Val *sema_apply(Sema *s, Val *f, int n, Val **vals, const char **names, Span at) {
  if (f->kind == V_ERROR) return ERR;
  const char *callee = f->kind == V_FN ? sema_fn_value_name(s, f) : "f";
  Node *c = NEW(s->arena, Node);
  c->kind = A_CALL;
  c->name = callee;
  c->span = c->name_span = at;
  /* the values reach the callee through names only this call sees */
  sema_push_scope(s);
  for (int k = 0; k < n; k++) {
    Node *nm = NEW(s->arena, Node);
    nm->kind = A_NAME;
    nm->span = at;
    nm->name = arena_printf(s->arena, "\x01%d", k);
    sema_bind_val(s, nm->name, vals[k], at)->used = true;
    if (names && names[k]) {
      Node *kw = NEW(s->arena, Node);
      kw->kind = A_KWARG;
      kw->name = names[k];
      kw->span = kw->name_span = at;
      kw->a = nm;
      nm = kw;
    }
    vec_push(s->arena, &c->list, nm);
  }
  Val *r = sema_call_value(s, f, callee, c);
  sema_pop_scope(s);
  return r;
}

Val *sema_call(Sema *s, Node *n) {
  if (n->b) return sema_call_value(s, sema_expr(s, n->b), sema_src_text(s, n->b->span), n); /* grad(f)(x) */
  if (n->a) { /* r.f(...): the function in a record's field */
    Val *f = sema_field_expr(s, n);
    return sema_call_value(s, f, arena_printf(s->arena, "%s.%s", sema_src_text(s, n->a->span), n->name), n);
  }
  Binding *b = sema_lookup(s, n->name);
  if (b && b->kind == B_VAL && b->val->kind == V_ERROR) return ERR; /* reported where it was bound */
  if (b && b->kind == B_VAL && b->val->kind == V_FN) {
    b->used = true;
    return sema_call_value(s, b->slot >= 0 ? sema_repl_read(s, b, n->name_span) : b->val, n->name, n);
  }
  if (b && b->kind == B_FN) {
    if (sema_refuse_private(s, n->name, b, n->name_span)) return ERR;
    b->used = true;
    return call_user(s, b, n->name, n);
  }
  const Builtin *builtin = sema_builtin_find(s, n->name);
  if (builtin) return sema_refuse_private(s, n->name, NULL, n->name_span) ? ERR : call_builtin(s, builtin, n);
  if (b) {
    Diag *g = diag_error(s->diags, n->name_span, "`%s` is not a function", n->name);
    diag_note(s->diags, g, b->span, "`%s` is defined here", n->name);
    return ERR;
  }
  Node *later = sema_later_definition(s, n->name, n->name_span);
  if (later) {
    sema_defined_later(s, n->name, n->name_span, later);
    return ERR;
  }
  Diag *g = diag_error(s->diags, n->name_span, "unknown function `%s`", n->name);
  const char *hint = foreign_hint(n->name);
  if (hint) diag_hint(s->diags, g, "%s", hint);
  else sema_suggest_name(s, g, n->name);
  return ERR;
}

/* --- a function checked where it is defined ------------------------------------------------------ */

/* A fn with typed parameters is checked once at its definition with symbolic sizes, so errors in
 * its body are reported even if it is never called: placeholders of the declared types are
 * passed by name (with `defaults`, an untyped parameter with a default takes its default). */
Val *sema_check_definition(Sema *s, Binding *fb, bool defaults) {
  Node *fn = fb->node;
  for (int p = 0; p < fn->list.n; p++) {
    Node *param = fn->list.items[p];
    /* a function or a record parameter has no placeholder: its calls are checked where it is called */
    if ((!param->type && !(defaults && param->a)) || (param->type && (sema_fn_type(param->type) || sema_record_type(param->type))))
      return ERR;
  }
  IrFunc *scratch = ir_func_new(s->arena);
  IrFunc *saved_fn = s->fn;
  IrBuilder saved_b = s->b;
  s->fn = scratch;
  s->b = (IrBuilder){.fn = scratch, .block = scratch->body, .span = fn->span};
  Node *call = NEW(s->arena, Node);
  call->kind = A_CALL;
  call->span = fn->name_span;
  call->name = fn->name;
  Scope *saved_scope = s->scope;
  sema_push_scope(s);
  for (int p = 0; p < fn->list.n; p++) {
    Node *param = fn->list.items[p];
    Node *type = param->type;
    if (!type) continue;
    SnDtype dt;
    TypeClass cls;
    if (!sema_type_elem(type->name, &dt, &cls)) {
      sema_unknown_type(s, type);
      fb->broken = true;
      break;
    }
    Val *v;
    if (type->ival == 2) { /* any rank: checked as a vector of a size of its own */
      IrInst *ph = ir_emit(&s->b, IR_ARG, 0, NULL, 1, &ir_i64, 0);
      Dim d = sema_dim_of_value(s, ph->res[0], arena_printf(s->arena, "len(%s)", param->name));
      IrType tt = ir_tensor(dt, 1);
      v = sema_tensor(s, dt, 1, &d, ir_emit(&s->b, IR_ARG, 0, NULL, 1, &tt, 0)->res[0]);
    } else if (type->ival) {
      Dim dims[SN_MAX_RANK];
      if (type->list.n > SN_MAX_RANK) {
        diag_error(s->diags, type->span, "a tensor has at most %d dimensions", SN_MAX_RANK);
        fb->broken = true;
        break;
      }
      for (int d = 0; d < type->list.n; d++) {
        Node *dn = type->list.items[d];
        if (dn->kind == A_INT) {
          dims[d] = sema_dim_const(dn->ival);
          continue;
        }
        Binding *seen = NULL;
        for (Binding *x = s->scope->head; x; x = x->next)
          if (strcmp(x->name, dn->name) == 0) seen = x;
        if (!seen) {
          IrInst *ph = ir_emit(&s->b, IR_ARG, 0, NULL, 1, &ir_i64, 0);
          seen = sema_bind_val(s, dn->name, sema_scalar(s, SN_I64, false, ph->res[0]), dn->span);
        }
        dims[d] = sema_dim_of_value(s, seen->val->ir, dn->name);
      }
      IrType tt = ir_tensor(dt, type->list.n);
      v = sema_tensor(s, dt, type->list.n, dims, ir_emit(&s->b, IR_ARG, 0, NULL, 1, &tt, 0)->res[0]);
    } else {
      IrType st = ir_scalar(sema_compute_dtype(dt));
      v = sema_scalar(s, dt, false, ir_emit(&s->b, IR_ARG, 0, NULL, 1, &st, 0)->res[0]);
    }
    Node *arg = NEW(s->arena, Node), *kw = NEW(s->arena, Node);
    arg->kind = A_NAME;
    arg->span = param->name_span;
    arg->name = arena_printf(s->arena, " arg%d", p);
    sema_bind_val(s, arg->name, v, param->name_span);
    kw->kind = A_KWARG;
    kw->span = kw->name_span = param->name_span;
    kw->name = param->name;
    kw->a = arg;
    vec_push(s->arena, &call->list, kw);
  }
  int errors = s->diags->nerrors;
  s->placeholders++;
  Val *r = fb->broken ? ERR : call_user(s, fb, fn->name, call);
  s->placeholders--;
  if (s->diags->nerrors > errors) fb->broken = true;
  s->scope = saved_scope;
  s->fn = saved_fn;
  s->b = saved_b;
  return fb->broken ? ERR : r;
}

/* --- declarations ------------------------------------------------------------------------------ */

typedef struct DeclRow DeclRow;
typedef Val *(*DeclCheck)(Sema *s, const DeclRow *d, const char *name, Val *v, Span span);
struct DeclRow {
  const char *keyword, *field, *what, *stdlib_fn;
  DeclCheck check;
  const char *hint;
};

/* The value is a record with the row's field (a transport solver's result has a `cost`). */
static Val *decl_field(Sema *s, const DeclRow *d, const char *name, Val *v, Span span) {
  (void)name;
  if (sema_field(v, d->field)) return v;
  Diag *g = diag_error(s->diags, span, "`%s` binds the result of %s, not %s", d->keyword, d->what, sema_type_str(s, v));
  diag_hint(s->diags, g, "%s", d->hint);
  return ERR;
}

/* The value is a real number, or a record whose field is one: what training minimises (a loss
 * that carries its own gradients gives a record, as sinkhorn_loss does). */
static Val *decl_real(Sema *s, const DeclRow *d, const char *name, Val *v, Span span) {
  const Val *x = v;
  if (v->kind == V_RECORD) {
    x = sema_field(v, d->field);
    if (!x) {
      Diag *g = diag_error(s->diags, span, "the %s `%s` gives a record without a `%s` field", d->keyword, name, d->field);
      diag_hint(s->diags, g, "%s", d->hint);
      return ERR;
    }
  }
  if (x->kind == V_SCALAR && sema_is_float(x->dt)) return v;
  Diag *g = diag_error(s->diags, span, "the %s `%s` must be a real number, but %s %s", d->keyword, name,
                       x == v ? "it is" : arena_printf(s->arena, "its `%s` is", d->field), sema_type_str(s, x));
  if (x->kind == V_TENSOR)
    diag_hint(s->diags, g, "reduce it to one number, as in `mean(i) ...` or `sum(x)`");
  else if (x->kind == V_SCALAR)
    diag_hint(s->diags, g, "a %s is minimised through its gradients, so it is a float: `f64(...)` converts", d->keyword);
  return ERR;
}

static const DeclRow decls[DECL_COUNT] = {
    [DECL_NONE] = {0},
#define DECL(id, keyword, field, what, stdlib_fn, check, hint) [DECL_##id] = {keyword, field, what, stdlib_fn, check, hint},
#include "decl.def"
#undef DECL
};

Val *sema_decl_check(Sema *s, Node *n, Val *v) {
  if (v->kind == V_ERROR) return v;
  Span span = n->a->span; /* the value: a let's expression, a fn's body or its block's last expression */
  if (n->kind == A_FN && n->a->kind == A_BLOCK && n->a->list.n &&
      ((Node *)n->a->list.items[n->a->list.n - 1])->kind == A_EXPR)
    span = ((Node *)n->a->list.items[n->a->list.n - 1])->span;
  const DeclRow *d = &decls[n->ival];
  return d->check(s, d, n->name, v, span);
}

bool sema_check_library(Arena *a, DiagBag *d, const Library *lib) {
  Sema s;
  sema_start(&s, a, d, lib);
  int errors = d->nerrors;
  for (Binding *b = s.prelude->head; b; b = b->next) {
    if (b->kind != B_FN || b->name[0] == '_') continue;
    for (int p = 0; p < b->node->list.n; p++) {
      Node *param = b->node->list.items[p];
      if (!param->type && !param->a)
        diag_error(d, param->name_span, "`%s` of `%s` has neither a type nor a default", param->name, b->name);
    }
    sema_check_definition(&s, b, true);
  }
  for (int k = DECL_NONE + 1; k < DECL_COUNT; k++) {
    const DeclRow *row = &decls[k];
    Binding *b = sema_lookup_in(s.prelude, row->stdlib_fn);
    if (!b || b->kind != B_FN) {
      diag_error(d, (Span){0}, "`%s` stands for `%s`, which the standard library does not define", row->keyword, row->stdlib_fn);
      continue;
    }
    Val *v = sema_check_definition(&s, b, true);
    if (v->kind != V_ERROR) row->check(&s, row, b->name, v, b->node->name_span);
  }
  return d->nerrors == errors;
}
