/* sema_repl.c: what a REPL session keeps from one input to the next. A value bound at the top
 * level is stored into slots the driver owns (a record field by field) and later inputs read it
 * back (docs/design.md, "The REPL keeps values in slots"). */
#include "sema_int.h"

#include <stdlib.h>
#include <string.h>

/* Reads a value persisted by an earlier line (see persist) into this line's IR. */
static Val *read_slots(Sema *s, Val *t, const char *name, Span span) {
  if (t->kind == V_FN) return t; /* known when compiling: nothing to read */
  if (t->kind == V_RECORD) {
    Val *r = sema_val(s, V_RECORD);
    r->rec = NEW(s->arena, Record);
    r->rec->n = t->rec->n;
    r->rec->names = t->rec->names;
    r->rec->vals = arena_alloc(s->arena, (size_t)t->rec->n * sizeof(Val *));
    for (int i = 0; i < t->rec->n; i++) r->rec->vals[i] = read_slots(s, t->rec->vals[i], t->rec->names[i], span);
    return r;
  }
  IrType ty = t->kind == V_TENSOR ? ir_tensor(t->dt, t->rank) : t->kind == V_STR ? ir_str : ir_scalar(sema_compute_dtype(t->dt));
  IrBuilder at = {.fn = s->fn, .block = s->fn->body, .before = s->fn->body->first, .span = span, .site = s->b.site};
  IrInst *g = ir_emit(&at, IR_GLOBAL_GET, 0, NULL, 1, &ty, 0);
  g->imm.i = t->slot1 - 1;
  g->flags = IRF_BORROWED;
  g->res[0]->name = name;
  Val *v = sema_val(s, t->kind);
  *v = *t;
  v->ir = g->res[0];
  v->slot1 = 0;
  at.before = g->next;
  for (int d = 0; d < t->rank; d++)
    if (t->dims[d].sym) v->dims[d] = sema_dim_of_value(s, ir_dim(&at, g->res[0], d), t->dims[d].sym->name);
  return v;
}

Val *sema_repl_read(Sema *s, Binding *b, Span span) {
  if (b->slot_line != s->repl->line || !b->slot_val) { /* read once per line */
    b->slot_val = read_slots(s, b->val, b->name, span);
    b->slot_line = s->repl->line;
  }
  return b->slot_val;
}

void repl_env_init(ReplEnv *env, const Library *lib, DiagBag *d) {
  memset(env, 0, sizeof *env);
  Sema s;
  sema_init(&s, &env->arena, d);
  sema_bind_prelude(&s, lib);
  env->prelude = s.prelude;
  env->builtins = lib->builtins;
  env->scope = NEW(&env->arena, Scope);
  env->scope->parent = env->prelude;
}

void repl_env_free(ReplEnv *env) {
  free(env->slots);
  arena_free(&env->arena);
}

const char *repl_fn_signature(ReplEnv *env, Arena *a, const char *name) {
  Binding *b = sema_lookup_in(env->scope, name);
  if (!b || b->kind != B_FN || (name[0] == '_' && b->node->span.src->stdlib)) return NULL;
  return sema_fn_text(a, b->node);
}

void repl_env_rollback(ReplEnv *env, Binding *mark, int nslots) {
  env->scope->head = mark;
  env->nslots = nslots;
  env->nrandom = env->nrandom_mark;
}

/* Stores a value of this line into new slots and returns the template later lines read it
 * through (read_slots); a record persists field by field. */
static Val *persist(Sema *s, Val *v) {
  ReplEnv *env = s->repl;
  Val *keep = NEW(&env->arena, Val);
  *keep = *v;
  keep->ir = NULL;
  keep->index = NULL;
  keep->shape_of = NULL; /* x.shape kept is a vector: x's dimensions belong to this line */
  if (v->kind == V_RECORD) {
    Record *r = NEW(&env->arena, Record);
    r->n = v->rec->n;
    r->names = arena_alloc(&env->arena, (size_t)r->n * sizeof(char *));
    r->vals = arena_alloc(&env->arena, (size_t)r->n * sizeof(Val *));
    for (int i = 0; i < r->n; i++) {
      r->names[i] = arena_strdup(&env->arena, v->rec->names[i]);
      r->vals[i] = persist(s, v->rec->vals[i]);
    }
    keep->rec = r;
    return keep;
  }
  if (v->kind != V_SCALAR && v->kind != V_TENSOR && v->kind != V_STR) return keep;
  if (env->nslots == env->capslots) {
    env->capslots = env->capslots ? env->capslots * 2 : 64;
    env->slots = realloc(env->slots, (size_t)env->capslots * sizeof *env->slots);
    if (!env->slots) die("out of memory");
  }
  int k = env->nslots++;
  env->slots[k] = (ReplSlotInfo){v->kind, v->dt, v->rank};
  IrValue *x = v->ir;
  if (v->kind == V_SCALAR) x = ir_cast(&s->b, x, ir_scalar(sema_compute_dtype(v->dt)));
  IrInst *set = ir_emit(&s->b, IR_GLOBAL_SET, 1, &x, 0, NULL, 0);
  set->imm.i = k;
  keep->slot1 = k + 1;
  for (int d = 0; d < v->rank; d++)
    if (v->dims[d].sym) {
      Sym *sym = NEW(&env->arena, Sym);
      sym->name = arena_strdup(&env->arena, v->dims[d].sym->name);
      keep->dims[d].sym = sym;
    }
  return keep;
}

/* A function value in v that closes over values of this input only (an anonymous fn written
 * inside a call, a loop or a comprehension), or NULL: later inputs could not read them. */
static const Val *local_fn(const Val *v) {
  if (v->kind == V_FN) return v->fn->local ? v : NULL;
  for (int i = 0; v->kind == V_RECORD && i < v->rec->n; i++) {
    const Val *f = local_fn(v->rec->vals[i]);
    if (f) return f;
  }
  return NULL;
}

/* One REPL line: like a program, except that names from earlier lines live in slots and the
 * line's new value bindings are stored into new slots at its end. */
IrFunc *sema_repl_line(ReplEnv *env, Arena *a, DiagBag *d, PtrVec *stmts, bool echo, Val **last) {
  Sema s;
  sema_init(&s, a, d);
  s.repl = env;
  s.echo = echo;
  s.nrandom = env->nrandom_mark = env->nrandom;
  env->line++;
  s.scope = env->scope;
  s.top = env->scope;
  s.prelude = env->prelude;
  s.builtins = env->builtins;
  s.program = stmts;
  Binding *mark = env->scope->head;
  int errors = d->nerrors;
  for (int i = 0; i < stmts->n; i++) sema_stmt(&s, stmts->items[i]);
  for (Binding *b = env->scope->head; b != mark; b = b->next) {
    const Val *f = b->kind == B_VAL ? local_fn(b->val) : NULL;
    if (!f) continue;
    Diag *g = diag_error(d, b->span, "`%s` holds a function that reads values of this input, which the REPL cannot keep",
                         b->name);
    diag_hint(d, g, "define it with `fn` at the top level, passing those values as parameters");
    diag_note(d, g, f->fn->given, "the function is written here");
  }
  if (last) *last = s.last_value;
  if (d->nerrors != errors) {
    env->scope->head = mark;
    ir_yield(&s.b, 0, NULL);
    return NULL;
  }
  /* persist the new bindings */
  for (Binding *b = env->scope->head; b != mark; b = b->next) {
    if (b->kind != B_VAL || b->slot >= 0) continue;
    b->val = persist(&s, b->val);
    b->slot = 0;
    b->slot_line = 0;
    b->slot_val = NULL;
  }
  env->nrandom = s.nrandom;
  ir_yield(&s.b, 0, NULL);
  return s.fn;
}
