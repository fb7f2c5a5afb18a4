/* sema.c: the walk itself: names and scopes, statements, expressions, records, printing, and
 * the entry point for a program (sema.h lists the other files of sema). */
#include "sema_int.h"

#include <math.h>
#include <string.h>

/* --- names and scopes ---------------------------------------------------------------------------- */

void sema_push_scope(Sema *s) {
  Scope *sc = NEW(s->arena, Scope);
  sc->parent = s->scope;
  s->scope = sc;
}

void sema_pop_scope(Sema *s) { s->scope = s->scope->parent; }

/* The scope as it is now, unaffected by bindings added to it later: functions and lazy
 * definitions see the names defined before them (lexical scope), even at the REPL's top. */
Scope *sema_snapshot_scope(Sema *s) {
  Arena *a = s->repl && s->scope == s->top ? &s->repl->arena : s->arena;
  Scope *sc = NEW(a, Scope);
  *sc = *s->scope;
  return sc;
}

Binding *sema_bind(Sema *s, const char *name, BindKind k, Span span) {
  Arena *a = s->repl && s->scope == s->top ? &s->repl->arena : s->arena;
  Binding *b = NEW(a, Binding);
  b->name = s->repl && s->scope == s->top ? arena_strdup(a, name) : name;
  b->kind = k;
  b->span = span;
  b->slot = -1;
  b->next = s->scope->head;
  s->scope->head = b;
  return b;
}

Binding *sema_bind_val(Sema *s, const char *name, Val *v, Span span) {
  Binding *b = sema_bind(s, name, B_VAL, span);
  b->val = v;
  return b;
}

Binding *sema_lookup_in(Scope *sc, const char *name) {
  for (; sc; sc = sc->parent)
    for (Binding *b = sc->head; b; b = b->next)
      if (strcmp(b->name, name) == 0) return b;
  return NULL;
}

Binding *sema_lookup(Sema *s, const char *name) { return sema_lookup_in(s->scope, name); }

/* The standard library's helpers are named with a leading `_`. */
static bool private_name(const char *name) { return name[0] == '_'; }

bool sema_refuse_private(Sema *s, const char *name, const Binding *b, Span use) {
  if (!private_name(name) || use.src->stdlib) return false;
  if (b && !(b->kind == B_FN && b->node->span.src->stdlib)) return false;
  Diag *g = diag_error(s->diags, use, "`%s` is private to %s", name, b ? b->node->span.src->path : "the standard library");
  diag_hint(s->diags, g, "the standard library's names that start with `_` are its own helpers; call its public "
                         "functions (docs/language.md, \"The standard library\")");
  return true;
}

void sema_suggest_name(Sema *s, Diag *g, const char *name) {
  const char *best = NULL;
  int bestd = 3;
  size_t len = strlen(name);
  if (len <= 2) return; /* a one- or two-letter name is close to too many others to guess */
  int cap = len <= 4 ? 1 : 2;
  for (Scope *sc = s->scope; sc; sc = sc->parent)
    for (Binding *b = sc->head; b; b = b->next) {
      if (sc == s->prelude && private_name(b->name)) continue;
      int d = edit_distance(name, b->name, cap);
      if (d <= cap && d < bestd) best = b->name, bestd = d;
    }
  for (const Builtin *const *f = s->builtins; *f; f++)
    for (const Builtin *bi = *f; bi->name; bi++) {
      int d = private_name(bi->name) ? cap + 1 : edit_distance(name, bi->name, cap);
      if (d <= cap && d < bestd) best = bi->name, bestd = d;
  }
  if (best) diag_hint(s->diags, g, "did you mean `%s`?", best);
}

/* A top-level statement of the program that binds `name` but is not visible at `use`: a
 * definition further down (names are visible from their definition on), or NULL. */
Node *sema_later_definition(Sema *s, const char *name, Span use) {
  for (int i = 0; s->program && i < s->program->n; i++) {
    Node *st = s->program->items[i];
    if ((st->kind == A_FN || st->kind == A_LET || st->kind == A_ARG) && st->name && strcmp(st->name, name) == 0 &&
        st->span.src == use.src)
      return st;
  }
  return NULL;
}

/* Explains a use of a name the program defines further down (`use` is where it is written):
 * names are visible from their definition on, which is also why functions cannot call
 * themselves or each other. */
void sema_defined_later(Sema *s, const char *name, Span use, Node *def) {
  Node *caller = s->inst_stack.n ? s->inst_stack.items[s->inst_stack.n - 1] : NULL;
  Diag *g;
  if (caller && def->kind == A_FN) {
    g = diag_error(s->diags, use, "`%s` cannot call `%s`, which is defined after it", caller->name, name);
    diag_hint(s->diags, g, "a function sees only the names defined before it, so functions cannot call themselves or "
                           "each other; define `%s` first, or write the repetition with `iterate`", name);
  } else {
    g = diag_error(s->diags, use, "`%s` is used before its definition", name);
    diag_hint(s->diags, g, "names are visible from their definition on: define `%s` before this line", name);
  }
  diag_note(s->diags, g, def->name_span, "`%s` is defined here", name);
}

/* --- expressions ------------------------------------------------------------------------------ */

Val *sema_field(const Val *v, const char *field) {
  for (int i = 0; v->kind == V_RECORD && i < v->rec->n; i++)
    if (strcmp(v->rec->names[i], field) == 0) return v->rec->vals[i];
  return NULL;
}

static Val *record_expr(Sema *s, Node *n) {
  Val *r = sema_record(s, n->list.n, NULL, NULL);
  for (int i = 0; i < n->list.n; i++) {
    Node *f = n->list.items[i];
    for (int j = 0; j < i; j++)
      if (strcmp(r->rec->names[j], f->name) == 0) {
        diag_error(s->diags, f->name_span, "field `%s` is given twice", f->name);
        return ERR;
      }
    r->rec->names[i] = f->name;
    r->rec->vals[i] = sema_expr(s, f->a);
    if (r->rec->vals[i]->kind == V_ERROR) return ERR;
  }
  return r;
}

const Val *sema_find_fn(const Val *v) {
  if (v->kind == V_FN) return v;
  for (int i = 0; v->kind == V_RECORD && i < v->rec->n; i++) {
    const Val *e = v->rec->vals[i];
    if (e->kind == V_FN && e->fn->method) continue;
    const Val *f = sema_find_fn(e);
    if (f) return f;
  }
  return NULL;
}

/* x.T and x.shape read a tensor; r.name, a record's field (a record may have fields named T
 * and shape). */
Val *sema_field_expr(Sema *s, Node *n) {
  Val *base = sema_expr(s, n->a);
  if (base->kind == V_ERROR) return ERR;
  bool attr = strcmp(n->name, "T") == 0 || strcmp(n->name, "shape") == 0;
  if (base->kind == V_TENSOR && attr) return n->name[0] == 'T' ? sema_transposed(s, base, n->span) : sema_shape_vector(s, base, n->span);
  if (base->kind != V_RECORD) {
    Diag *g = diag_error(s->diags, n->name_span, "%s has no field `%s`: it is not a record", sema_type_str(s, base), n->name);
    if (attr) diag_hint(s->diags, g, "`.%s` reads a tensor", n->name);
    return ERR;
  }
  Val *v = sema_field(base, n->name);
  if (v) return v->kind == V_FN && v->fn->method ? sema_bind_method(s, v, base) : v;
  Diag *g = diag_error(s->diags, n->name_span, "no field `%s` in %s", n->name, sema_type_str(s, base));
  if (attr) {
    diag_hint(s->diags, g, "`.%s` is for tensors; this record has no field of that name", n->name);
    return ERR;
  }
  const char *best = NULL;
  int bestd = 3;
  for (int i = 0; i < base->rec->n; i++) {
    int d = edit_distance(n->name, base->rec->names[i], 2);
    if (d < bestd) best = base->rec->names[i], bestd = d;
  }
  if (best) diag_hint(s->diags, g, "did you mean `%s`?", best);
  else if (strcmp(n->name, "converged") == 0 && sema_field(base, "iterations"))
    diag_hint(s->diags, g, "a loop without `until` has no convergence test: it runs exactly `max` times");
  return ERR;
}

/* pi, inf and nan: names of f64 constants, which adopt the float type they meet as a float
 * literal does (a program's own binding of the name comes first). */
static Val *constant_value(Sema *s, const char *name) {
  static const struct { const char *name; double value; } constants[] = {{"pi", M_PI}, {"inf", INFINITY}, {"nan", NAN}};
  for (size_t i = 0; i < sizeof constants / sizeof *constants; i++)
    if (strcmp(name, constants[i].name) == 0) return sema_scalar(s, SN_F64, true, ir_const_f(&s->b, SN_F64, constants[i].value));
  return NULL;
}

static Val *name_expr(Sema *s, Node *n) {
  Binding *b = sema_lookup(s, n->name);
  const Builtin *builtin = b ? NULL : sema_builtin_find(s, n->name);
  if (builtin) return sema_refuse_private(s, n->name, NULL, n->span) ? ERR : sema_fn_value(s, NULL, builtin, n->span);
  Node *later = b ? NULL : sema_later_definition(s, n->name, n->span);
  if (later) {
    sema_defined_later(s, n->name, n->span, later);
    return ERR;
  }
  Val *constant = b ? NULL : constant_value(s, n->name);
  if (constant) return constant;
  if (!b) {
    Diag *g = diag_error(s->diags, n->span, "unknown name `%s`", n->name);
    /* an index of a reduction just before: its body ended at a + or - */
    Node *r = s->closed_reduce;
    for (int k = 0; r && r->span.src == n->span.src && r->span.hi <= n->span.lo && k < r->list.n; k++) {
      Node *nm = sema_index_name(r->list.items[k]);
      if (nm && strcmp(nm->name, n->name) == 0) {
        Span head = {r->span.src, r->span.lo, r->a->span.lo};
        const char *ht = sema_src_text(s, head);
        int hl = (int)strlen(ht);
        while (hl > 0 && ht[hl - 1] == ' ') hl--;
        diag_hint(s->diags, g, "`%s` is an index of the %s before it, whose body ends at the first + or -; "
                               "put the whole body in parentheses: %.*s (...)",
                  n->name, red_name((RedKind)r->op), hl, ht);
        return ERR;
      }
    }
    sema_suggest_name(s, g, n->name);
    return ERR;
  }
  if (sema_refuse_private(s, n->name, b, n->span)) return ERR;
  b->used = true;
  switch (b->kind) {
  case B_VAL: return b->slot >= 0 ? sema_repl_read(s, b, n->span) : b->val;
  case B_INDEX: {
    Val *v = sema_scalar(s, SN_I64, false, b->index->iv);
    v->index = b->index;
    return v;
  }
  case B_LAZY: {
    Scope *saved = s->scope;
    s->scope = b->defscope;
    Val *v = sema_comprehension(s, &b->node->list, b->node->a, b->node->span, NULL);
    s->scope = saved;
    return v;
  }
  case B_FN: return sema_fn_value(s, b, NULL, n->span);
  }
  return ERR;
}

/* The parameters of a fn (named or anonymous) have distinct names; reports the first repeated. */
static bool params_distinct(Sema *s, Node *n) {
  for (int i = 0; i < n->list.n; i++)
    for (int j = 0; j < i; j++)
      if (strcmp(((Node *)n->list.items[i])->name, ((Node *)n->list.items[j])->name) == 0) {
        diag_error(s->diags, ((Node *)n->list.items[i])->name_span, "parameter `%s` is declared twice",
                   ((Node *)n->list.items[i])->name);
        return false;
      }
  return true;
}

/* A fn's body declares no program argument (those belong at the top level); reports each. */
static bool no_program_args(Sema *s, Node *n) {
  bool ok = true;
  for (int i = 0; n->a->kind == A_BLOCK && i < n->a->list.n; i++) {
    Node *st = n->a->list.items[i];
    if (st->kind == A_ARG) {
      Diag *g = diag_error(s->diags, st->span, "`arg` declares a command-line argument and belongs at the top level of a program");
      diag_hint(s->diags, g, "pass the value to `%s` as a parameter", n->name);
      ok = false;
    }
  }
  return ok;
}

/* fn(x) = body: a function value whose body sees the names visible here (a closure, captured
 * when compiling: every call is inlined). */
static Val *lambda_expr(Sema *s, Node *n) {
  if (!params_distinct(s, n) || !no_program_args(s, n)) return ERR;
  Binding *b = NEW(s->arena, Binding);
  b->name = n->name;
  b->kind = B_FN;
  b->node = n;
  b->span = n->name_span;
  b->slot = -1;
  b->defscope = sema_snapshot_scope(s);
  if (!s->in_prelude) sema_check_definition(s, b, false);
  Val *v = sema_fn_value(s, b, NULL, n->span);
  v->fn->local = s->scope != s->top;
  return v;
}

bool sema_has_string(const Node *n) {
  if (!n) return false;
  if (n->kind == A_STR) return true;
  if (sema_has_string(n->a) || sema_has_string(n->b) || sema_has_string(n->c)) return true;
  for (int i = 0; i < n->list.n; i++)
    if (sema_has_string(n->list.items[i])) return true;
  return false;
}

/* `a and b` evaluates b only when a (the value of n->a) is true (so `i > 0 and x[i-1] < 0` is
 * safe). */
static Val *logic_expr(Sema *s, Node *n, Val *a) {
  if (a->kind == V_ERROR) return ERR;
  if (a->kind != V_SCALAR || a->dt != SN_BOOL) {
    if (a->kind == V_TENSOR) {
      Val *b = sema_expr(s, n->b);
      return sema_binop(s, (Op)n->op, a, b, n->span);
    }
    Diag *g = diag_error(s->diags, n->a->span, "`%s` needs bool operands, not %s", op_name((Op)n->op), sema_type_str(s, a));
    diag_hint(s->diags, g, "compare first, e.g. `x > 0 %s y > 0`", op_name((Op)n->op));
    return ERR;
  }
  /* an option's test known when compiling (`how == "a" or how == "b"`) stays known */
  IrInst *ad = ir_val(a->ir)->def;
  if (ad && ad->op == IR_CONST && sema_has_string(n)) {
    if ((ad->imm.i != 0) == (n->op == OP_OR)) return a;
    Val *b = sema_expr(s, n->b);
    if (b->kind == V_SCALAR && b->dt == SN_BOOL) return b;
  }
  IrBuilder save = s->b;
  s->b.span = n->span;
  IrInst *in = ir_emit(&s->b, IR_IF, 1, &a->ir, 1, &ir_bool, 2);
  s->b.before = NULL;
  s->b.block = in->regions[n->op == OP_AND ? 0 : 1];
  s->guarded++;
  Val *b = sema_expr(s, n->b);
  s->guarded--;
  bool ok = b->kind == V_SCALAR && b->dt == SN_BOOL;
  if (b->kind != V_ERROR && !ok) {
    Diag *g = diag_error(s->diags, n->b->span, "`%s` needs bool operands, not %s", op_name((Op)n->op), sema_type_str(s, b));
    diag_hint(s->diags, g, "compare first, e.g. `x > 0 %s y > 0`", op_name((Op)n->op));
  }
  IrValue *bv = ok ? b->ir : ir_const_bool(&s->b, false);
  ir_yield(&s->b, 1, &bv);
  s->b.block = in->regions[n->op == OP_AND ? 1 : 0];
  IrValue *shortv = ir_const_bool(&s->b, n->op == OP_OR);
  ir_yield(&s->b, 1, &shortv);
  s->b = save;
  if (!ok) return ERR;
  return sema_scalar(s, SN_BOOL, false, in->res[0]);
}

/* a + b + c + ...: the parser leans a chain to the left; it is walked down that spine with a loop
 * (any length), recursing only into the right operands, whose depth the parser bounds. Operands
 * are evaluated in source order, so errors are reported in order. */
static Val *binary_expr(Sema *s, Node *n) {
  PtrVec spine = {0};
  Node *leaf = n;
  for (; leaf->kind == A_BINARY; leaf = leaf->a) vec_push(s->arena, &spine, leaf);
  Val *r = sema_expr(s, leaf);
  for (int k = spine.n - 1; k >= 0; k--) {
    Node *op = spine.items[k];
    s->b.span = op->span;
    if (op->op == OP_AND || op->op == OP_OR) {
      r = logic_expr(s, op, r);
    } else {
      Val *b = sema_expr(s, op->b);
      r = sema_binop(s, (Op)op->op, r, b, op->span);
    }
  }
  return r;
}

Val *sema_expr(Sema *s, Node *n) {
  Span saved = s->b.span;
  s->b.span = n->span;
  Val *r = ERR;
  switch (n->kind) {
  case A_INT: r = sema_scalar(s, SN_I64, true, ir_const_i64(&s->b, n->ival)); break;
  case A_FLOAT: r = sema_scalar(s, SN_F64, true, ir_const_f(&s->b, SN_F64, n->fval)); break;
  case A_BOOL: r = sema_scalar(s, SN_BOOL, false, ir_const_bool(&s->b, n->ival != 0)); break;
  case A_STR:
    r = sema_val(s, V_STR);
    r->ir = ir_string(&s->b, arena_strdup(s->fn->arena, n->str));
    break;
  case A_NAME: r = name_expr(s, n); break;
  case A_LIST: r = sema_list(s, n); break;
  case A_RECORD: r = record_expr(s, n); break;
  case A_UNARY: r = sema_unary(s, n); break;
  case A_BINARY: r = binary_expr(s, n); break;
  case A_CALL: r = sema_call(s, n); break;
  case A_INDEX: r = sema_index(s, n); break;
  case A_FIELD: r = sema_field_expr(s, n); break;
  case A_FN: r = lambda_expr(s, n); break;
  case A_IF: r = sema_if(s, n); break;
  case A_REDUCE: r = sema_reduction(s, n); break;
  case A_ITERATE: r = sema_iterate(s, n); break;
  case A_MAP: r = sema_map(s, n); break;
  case A_SLICE:
    diag_error(s->diags, n->span, "a slice `a:b` may appear only inside [...] subscripts");
    break;
  case A_KWARG:
    diag_error(s->diags, n->span, "a named argument `%s = ...` may appear only in a call", n->name);
    break;
  default:
    diag_error(s->diags, n->span, "this statement cannot be used as a value");
    break;
  }
  s->b.span = saved;
  return r;
}

/* --- printing ----------------------------------------------------------------------------------- */

static void print_str_const(Sema *s, const char *text) {
  IrValue *str = ir_string(&s->b, text);
  ir_call(&s->b, RT_PRINT_STR, 1, &str);
}

void sema_print(Sema *s, Val *v) {
  switch (v->kind) {
  case V_SCALAR: {
    IrValue *x = v->ir;
    switch (v->dt) {
    case SN_BOOL: x = ir_cast(&s->b, x, ir_scalar(SN_I32)); ir_call(&s->b, RT_PRINT_BOOL, 1, &x); break;
    case SN_F64: ir_call(&s->b, RT_PRINT_F64, 1, &x); break;
    case SN_F32: ir_call(&s->b, RT_PRINT_F32, 1, &x); break;
    case SN_F16: case SN_BF16:
      x = ir_cast(&s->b, ir_cast(&s->b, x, ir_scalar(v->dt)), ir_scalar(SN_F32));
      ir_call(&s->b, v->dt == SN_F16 ? RT_PRINT_F16 : RT_PRINT_BF16, 1, &x);
      break;
    default: x = ir_cast(&s->b, x, ir_i64); ir_call(&s->b, RT_PRINT_I64, 1, &x); break;
    }
    break;
  }
  case V_TENSOR: ir_call(&s->b, RT_PRINT_TENSOR, 1, &v->ir); break;
  case V_STR: ir_call(&s->b, RT_PRINT_STR, 1, &v->ir); break;
  case V_RECORD:
    print_str_const(s, "{");
    for (int i = 0, shown = 0; i < v->rec->n; i++) {
      const Val *f = v->rec->vals[i];
      if (f->kind == V_FN && f->fn->method) continue; /* a model prints its parameters */
      print_str_const(s, arena_printf(s->fn->arena, "%s%s: ", shown++ ? ", " : "", v->rec->names[i]));
      sema_print(s, v->rec->vals[i]);
    }
    print_str_const(s, "}");
    break;
  case V_UNIT: print_str_const(s, "()"); break;
  case V_CHECKPOINT: {
    Diag *g = diag_error(s->diags, s->b.span, "a checkpoint map is computed only where it is saved");
    diag_hint(s->diags, g, "write it with save(m, \"out/\")");
    break;
  }
  case V_FN: print_str_const(s, sema_type_str(s, v)); break; /* the REPL shows a function's signature */
  case V_ERROR: break;
  }
}

/* --- statements ------------------------------------------------------------------------------- */

/* A tensor loaded with a declared type: its declared constant sizes are checked once, right
 * after the load (as an argument's are), and are constants from then on, so that a stride or an
 * extent of 3 reaches the loops as 3 and no size check is left inside them. */
static void fix_loaded_sizes(Sema *s, Node *type, Val *v, Span span, const char *what) {
  if (v->kind != V_TENSOR || v->rank != type->list.n) return;
  IrValue *ops[SN_MAX_RANK + 1], *t = ir_val(v->ir);
  bool any = false;
  ops[0] = t;
  for (int d = 0; d < v->rank; d++) {
    Node *dn = type->list.items[d];
    any |= dn->kind == A_INT;
    ops[d + 1] = ir_const_i64(&s->b, dn->kind == A_INT ? dn->ival : -1);
  }
  if (!any) return;
  IrBuilder save = s->b;
  s->b.span = span;
  ir_check(&s->b, CHECK_SHAPE, v->rank + 1, ops, what)->blob = arena_strdup(s->fn->arena, sema_src_text(s, type->span));
  s->b = save;
  for (int d = 0; d < v->rank; d++) {
    Node *dn = type->list.items[d];
    if (dn->kind != A_INT) continue;
    v->dims[d] = sema_dim_const(dn->ival);
    t->dims[d] = ops[d + 1];
  }
}

static bool coerce_to_type(Sema *s, Node *type, Val **v, Span span, const char *what) {
  if (!sema_match_type(s, type, *v, s->scope, NULL, span, what)) return false;
  *v = sema_adopt_type(s, type, *v, span);
  return true;
}

/* A `let` that hides a binding of the same scope is usually a slip in a program (rebinding is
 * normal at the REPL, and inside an iterate body where it names a new value). */
static void warn_shadow(Sema *s, Node *n) {
  if (s->repl || s->iterate_depth > 0) return;
  for (Binding *b = s->scope->head; b; b = b->next)
    if (strcmp(b->name, n->name) == 0 && b->kind == B_VAL && b->name[0] != '_') {
      Diag *g = diag_warning(s->diags, n->name_span, "`%s` is bound again; the earlier value is no longer reachable", n->name);
      diag_hint(s->diags, g, "choose another name if both are meant to be used");
      diag_note(s->diags, g, b->span, "the earlier binding of `%s`", n->name);
      b->used = true; /* one warning is enough */
      return;
    }
}

static void let_stmt(Sema *s, Node *n) {
  warn_shadow(s, n);
  if (n->list.n) {
    if (s->repl && s->scope == s->top) {
      /* at the REPL's top level a comprehension stays a definition, expanded where used */
      Scope *def = sema_snapshot_scope(s);
      Binding *b = sema_bind(s, n->name, B_LAZY, n->name_span);
      b->node = n;
      b->defscope = def;
      Scope *saved = s->scope;
      Val *probe = sema_comprehension(s, &n->list, n->a, n->span, NULL); /* checks it now */
      s->scope = saved;
      if (probe->kind == V_ERROR) b->broken = true, b->kind = B_VAL, b->val = ERR;
      return;
    }
    Val *v = sema_comprehension(s, &n->list, n->a, n->span, NULL);
    sema_bind_val(s, n->name, v, n->name_span);
    return;
  }
  /* a declared type tells a builtin that takes it (load) what to expect; the lets of functions
   * inlined while the value is checked have their own */
  Node *outer_call = s->declared_call, *outer_type = s->declared_type, *outer_taken = s->declared_taken;
  s->declared_call = n->type && n->a->kind == A_CALL ? n->a : NULL;
  s->declared_type = n->type;
  s->declared_taken = NULL;
  Val *v = sema_expr(s, n->a);
  bool typed_call = s->declared_taken && s->declared_taken == n->a;
  s->declared_call = outer_call, s->declared_type = outer_type, s->declared_taken = outer_taken;
  if (v->kind == V_UNIT) {
    Diag *g = diag_error(s->diags, n->a->span, "this expression gives no value to bind to `%s`", n->name);
    diag_hint(s->diags, g, "print(...) returns nothing");
    v = ERR;
  }
  if (n->type && v->kind != V_ERROR) {
    const char *what = arena_printf(s->arena, "`%s`", n->name);
    if (typed_call) fix_loaded_sizes(s, n->type, v, n->a->span, arena_strdup(s->fn->arena, what));
    if (!coerce_to_type(s, n->type, &v, n->a->span, what)) v = ERR;
  }
  if (n->ival != DECL_NONE) v = sema_decl_check(s, n, v);
  if (v->kind != V_ERROR && v->index) {
    /* a copy of an index is an ordinary number */
    Val *c = sema_val(s, V_SCALAR);
    *c = *v;
    c->index = NULL;
    v = c;
  }
  sema_bind_val(s, n->name, v, n->name_span);
}

static void fn_stmt(Sema *s, Node *n) {
  if (!params_distinct(s, n)) return;
  Binding *b = sema_bind(s, n->name, B_FN, n->name_span);
  b->node = n;
  /* includes the function itself, so a recursive call is reported as one; the stdlib's functions
   * see all of the stdlib, whatever the order of its definitions */
  b->defscope = s->in_prelude ? s->scope : sema_snapshot_scope(s);
  b->broken = !no_program_args(s, n);
  if (!b->broken && !s->in_prelude) sema_check_definition(s, b, false);
}

/* An argument whose declaration failed: its name is bound to the error, so that its uses are not
 * reported again as undefined. */
static void arg_failed(Sema *s, Node *n) { sema_bind_val(s, n->name, ERR, n->name_span)->used = true; }

/* arg NAME: TYPE [= default]: a command-line argument, read and checked when the program starts */
static void arg_stmt(Sema *s, Node *n) {
  if (s->scope != s->top || s->repl) {
    Diag *g = diag_error(s->diags, n->span, "`arg` declares a command-line argument and belongs at the top level of a program");
    if (s->repl) diag_hint(s->diags, g, "in the REPL, bind a value with `let`");
    arg_failed(s, n);
    return;
  }
  Node *type = n->type;
  SnDtype dt;
  if (strcmp(type->name, "str") == 0 && !type->ival) {
    dt = SN_U8;
  } else if (!sn_dtype_from_name(type->name, &dt)) {
    Diag *g = diag_error(s->diags, type->span, "unknown type `%s`", type->name);
    /* int, float and num are classes of a function's parameters; an argument has one dtype */
    const char *one = strcmp(type->name, "int") == 0                                     ? "i64"
                      : strcmp(type->name, "float") != 0 && strcmp(type->name, "num") != 0 ? NULL
                      : type->ival                                                      ? "f32"
                                                                                        : "f64";
    if (one)
      diag_hint(s->diags, g, "`%s` is a class of element types, for a function's parameters; an argument has one: "
                             "write %s%s", type->name, one, type->ival ? "[...]" : "");
    else diag_hint(s->diags, g, "arguments are numbers (i64, f64, ...), bool, str, or tensors such as f32[n, 3]");
    arg_failed(s, n);
    return;
  }
  if (type->ival == 2) {
    Diag *g = diag_error(s->diags, type->span, "an argument's type gives its rank");
    diag_hint(s->diags, g, "name its sizes, e.g. %s[n, d]", type->name);
    arg_failed(s, n);
    return;
  }
  bool is_str = strcmp(type->name, "str") == 0;
  IrArg *a = NEW(s->fn->arena, IrArg);
  a->name = arena_strdup(s->fn->arena, n->name);
  a->spec.name = a->name;
  a->spec.type = arena_strdup(s->fn->arena, sema_src_text(s, type->span));
  a->spec.dtype = dt;
  a->spec.rank = type->ival ? type->list.n : 0;
  if (n->a) {
    Node *d = n->a;
    bool lit = d->kind == A_INT || d->kind == A_FLOAT || d->kind == A_BOOL || d->kind == A_STR || d->kind == A_LIST ||
               (d->kind == A_UNARY && d->op == OP_NEG && (d->a->kind == A_INT || d->a->kind == A_FLOAT));
    if (!lit) {
      Diag *g = diag_error(s->diags, d->span, "the default of an argument must be a literal");
      diag_hint(s->diags, g, "compute derived values with `let` after the argument");
      arg_failed(s, n);
      return;
    }
    a->spec.def = arena_strdup(s->fn->arena, d->kind == A_STR ? d->str : sema_src_text(s, d->span));
  }
  IrType t;
  Val *v;
  if (type->ival) {
    if (type->list.n > SN_MAX_RANK) {
      diag_error(s->diags, type->span, "a tensor has at most %d dimensions", SN_MAX_RANK);
      arg_failed(s, n);
      return;
    }
    a->spec.kind = SN_ARG_TENSOR;
    t = ir_tensor(dt, type->list.n);
  } else if (is_str) {
    a->spec.kind = SN_ARG_STR;
    t = ir_str;
  } else if (dt == SN_BOOL) {
    a->spec.kind = SN_ARG_BOOL;
    t = ir_bool;
  } else if (sema_is_float(dt)) {
    a->spec.kind = SN_ARG_F64;
    t = ir_scalar(SN_F64);
  } else {
    a->spec.kind = SN_ARG_I64;
    t = ir_i64;
  }
  IrBuilder at = {.fn = s->fn, .block = s->fn->body, .span = n->span, .site = s->b.site};
  IrInst *in = ir_emit(&at, IR_ARG, 0, NULL, 1, &t, 0);
  in->imm.i = s->fn->args.n;
  /* a tensor is handed over (rc.c): the program releases it after its last use */
  if (a->spec.kind != SN_ARG_TENSOR) in->flags = IRF_BORROWED;
  in->res[0]->name = a->name;
  vec_push(s->fn->arena, &s->fn->args, a);
  if (is_str) {
    v = sema_val(s, V_STR);
    v->ir = in->res[0];
  } else if (!type->ival) {
    v = sema_scalar(s, dt == SN_BOOL ? SN_BOOL : sema_is_float(dt) ? SN_F64 : SN_I64, false, in->res[0]);
    if (dt != v->dt) v = sema_cast(s, v, dt, n->span);
  } else {
    /* sizes: a constant, or a name bound by its first use (and checked at the others) */
    Dim dims[SN_MAX_RANK];
    IrValue *ops[SN_MAX_RANK + 1];
    int rank = type->list.n;
    ops[0] = in->res[0];
    for (int d = 0; d < rank; d++) {
      Node *dn = type->list.items[d];
      if (dn->kind == A_INT) {
        dims[d] = sema_dim_const(dn->ival);
        ops[d + 1] = ir_const_i64(&s->b, dn->ival);
        continue;
      }
      Binding *known = sema_lookup(s, dn->name);
      if (known && known->kind == B_VAL && known->val->kind == V_SCALAR && sema_is_int(known->val->dt)) {
        IrValue *kv = ir_cast(&s->b, known->val->ir, ir_i64);
        dims[d] = sema_dim_of_value(s, kv, dn->name);
        ops[d + 1] = kv;
      } else {
        IrValue *dv = ir_dim(&s->b, in->res[0], d);
        dims[d] = sema_dim_of_value(s, dv, dn->name);
        ops[d + 1] = ir_const_i64(&s->b, -1);
        sema_bind_val(s, dn->name, sema_scalar(s, SN_I64, false, dv), dn->span)->used = true;
      }
    }
    IrBuilder save = s->b;
    s->b.span = n->name_span;
    IrInst *chk = ir_check(&s->b, CHECK_SHAPE, rank + 1, ops, arena_printf(s->fn->arena, "argument --%s", a->name));
    chk->blob = a->spec.type;
    chk->imm.i = 1; /* a usage error: exit code 2 */
    s->b = save;
    v = sema_tensor(s, dt, rank, dims, in->res[0]);
  }
  sema_bind_val(s, n->name, v, n->name_span);
}

static void expr_stmt(Sema *s, Node *n) {
  Val *v = sema_expr(s, n->a);
  if (v->kind == V_ERROR || v->kind == V_UNIT) return;
  if (s->repl && s->scope == s->top) {
    s->last_value = v;
    if (s->echo) {
      sema_print(s, v);
      ir_call(&s->b, RT_PRINT_END, 0, NULL);
    }
    return;
  }
  Diag *g = diag_warning(s->diags, n->span, "the value of this expression is not used");
  diag_hint(s->diags, g, "print it with print(...), or bind it with let");
}

void sema_stmt(Sema *s, Node *n) {
  Span saved = s->b.span;
  s->b.span = n->span;
  switch (n->kind) {
  case A_LET: let_stmt(s, n); break;
  case A_FN: fn_stmt(s, n); break;
  case A_ARG: arg_stmt(s, n); break;
  case A_MPARAM: sema_model_param(s, n); break;
  case A_ASSIGN: sema_assign(s, n); break;
  case A_EXPR: expr_stmt(s, n); break;
  default: diag_error(s->diags, n->span, "this is not a statement"); break;
  }
  s->b.span = saved;
}

/* --- the program ------------------------------------------------------------------------------ */

/* Warns about top-level bindings nothing reads. */
static void warn_unused(Sema *s, Scope *sc) {
  PtrVec unused = {0};
  for (Binding *b = sc->head; b; b = b->next)
    if (!b->used && b->kind == B_VAL && b->name[0] != '_' && b->val->kind != V_ERROR) vec_push(s->arena, &unused, b);
  for (int i = unused.n - 1; i >= 0; i--) {
    Binding *b = unused.items[i];
    Diag *g = diag_warning(s->diags, b->span, "`%s` is never used", b->name);
    diag_hint(s->diags, g, "remove it, or start its name with `_` to keep it");
  }
}

void sema_init(Sema *s, Arena *a, DiagBag *d) {
  memset(s, 0, sizeof *s);
  s->arena = a;
  s->diags = d;
  s->fn = ir_func_new(a);
  s->b = (IrBuilder){.fn = s->fn, .block = s->fn->body};
}

/* The standard library's functions, bound in a scope around the program's own, so a program
 * may define a function of the same name. Their bodies are checked where they are called. */
void sema_bind_prelude(Sema *s, const Library *lib) {
  const PtrVec *prelude = &lib->stdlib;
  s->builtins = lib->builtins;
  Scope *saved = s->scope;
  s->scope = NULL;
  sema_push_scope(s);
  s->prelude = s->scope;
  s->in_prelude = true;
  for (int i = 0; i < prelude->n; i++) {
    Node *st = prelude->items[i];
    if (st->kind == A_FN) fn_stmt(s, st);
    else diag_error(s->diags, st->span, "the standard library defines only functions");
  }
  s->in_prelude = false;
  s->scope = saved;
}

void sema_start(Sema *s, Arena *a, DiagBag *d, const Library *lib) {
  sema_init(s, a, d);
  sema_bind_prelude(s, lib);
  s->scope = s->prelude;
  sema_push_scope(s);
  s->top = s->scope;
}

IrFunc *sema_program(Arena *a, DiagBag *d, const Library *lib, PtrVec *stmts) {
  Sema s;
  sema_start(&s, a, d, lib);
  s.program = stmts;
  int errors = d->nerrors;
  for (int i = 0; i < stmts->n; i++) sema_stmt(&s, stmts->items[i]);
  if (d->nerrors == errors) warn_unused(&s, s.top);
  ir_yield(&s.b, 0, NULL);
  return d->nerrors == errors ? s.fn : NULL;
}
