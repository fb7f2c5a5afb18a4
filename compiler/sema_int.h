/* sema_int.h: what sema's files share among themselves (see sema.h for the files); the builtins'
 * part of sema's API is compiler/builtins.h. */
#ifndef SN_SEMA_INT_H
#define SN_SEMA_INT_H

#include "rtabi.h"
#include "sema.h"

/* --- names, statements, records (sema.c) ------------------------------------------------------- */

void sema_init(Sema *s, Arena *a, DiagBag *d);
/* Binds the standard library's functions in a scope of their own (s->prelude), and takes its
 * builtins. */
void sema_bind_prelude(Sema *s, const Library *lib);
/* sema_init, the library bound, and the program's top-level scope inside it. */
void sema_start(Sema *s, Arena *a, DiagBag *d, const Library *lib);
void sema_push_scope(Sema *s);
void sema_pop_scope(Sema *s);
/* The scope as it is now, unaffected by bindings added to it later. */
Scope *sema_snapshot_scope(Sema *s);
Binding *sema_bind(Sema *s, const char *name, BindKind k, Span span);
Binding *sema_bind_val(Sema *s, const char *name, Val *v, Span span);
Binding *sema_lookup(Sema *s, const char *name);
Binding *sema_lookup_in(Scope *sc, const char *name);
/* A program (code at `use`) may not name the standard library's own helpers, whose names start
 * with `_`: reports it and returns true when `b` (or the builtin `name`, b NULL) is one. */
bool sema_refuse_private(Sema *s, const char *name, const Binding *b, Span use);
void sema_suggest_name(Sema *s, Diag *g, const char *name);
/* A top-level statement of the program defining `name` after `use`, or NULL; and the error for
 * a use before it. */
Node *sema_later_definition(Sema *s, const char *name, Span use);
void sema_defined_later(Sema *s, const char *name, Span use, Node *def);
/* Whether the expression n has a string literal in it (a test of an option known when compiling). */
bool sema_has_string(const Node *n);
/* A field of v, or NULL if v is not a record or has no such field. */
Val *sema_field(const Val *v, const char *field);
/* n->a.(n->name), checked: an A_FIELD, or the callee of a call r.f(...). */
Val *sema_field_expr(Sema *s, Node *n);
void sema_stmt(Sema *s, Node *n);

/* --- dtypes and elementwise operations (sema_types.c) ------------------------------------------ */

Val *sema_val(Sema *s, VKind k);
Val *sema_unary(Sema *s, Node *n);

/* --- shapes, subscripts, comprehensions, reductions (sema_shape.c) ------------------------------ */

IrValue *sema_entry_const(Sema *s, int64_t c);
Val *sema_index(Sema *s, Node *n);
/* let NAME[i, j, ...] = body, or the update `x[i, j] = body` of the iterate state `target`. */
Val *sema_comprehension(Sema *s, PtrVec *names, Node *body, Span span, const Binding *target);
Val *sema_reduction(Sema *s, Node *n);
/* The name of a reduction's or comprehension's index, `i` or `i < n`, or NULL. */
Node *sema_index_name(Node *nm);
Val *sema_list(Sema *s, Node *n);
/* x.T (the axes reversed; a vector itself) and x.shape (its sizes, an i64 vector whose elements
 * x.shape[k] are x's dimensions). */
Val *sema_transposed(Sema *s, Val *x, Span span);
Val *sema_shape_vector(Sema *s, Val *x, Span span);

/* --- if and iterate (sema_flow.c) --------------------------------------------------------------- */

Val *sema_if(Sema *s, Node *n);
Val *sema_iterate(Sema *s, Node *n);
void sema_assign(Sema *s, Node *n);

/* --- map over the tensors of checkpoints (sema_map.c) --------------------------------------------- */

Val *sema_map(Sema *s, Node *n);

/* --- declared types, calls, declarations (sema_call.c) ------------------------------------------ */

/* The element type a declared type names: a dtype, or a class of them (`float`, `int`, `num`)
 * that takes the argument's own; *dt is a class's representative (for placeholders). */
typedef enum TypeClass { TC_EXACT, TC_FLOAT, TC_INT, TC_NUM } TypeClass;
bool sema_type_elem(const char *name, SnDtype *dt, TypeClass *cls);
void sema_unknown_type(Sema *s, Node *type);
/* The declared type `fn`: a function value; `record`: a record (a model's parameters, data). */
bool sema_fn_type(const Node *type);
bool sema_record_type(const Node *type);
/* Checks v against a declared type: a size name bound in dimscope or the scopes around it up to
 * `upto` (NULL: all) is that size, another is bound in dimscope; and the value a literal becomes
 * under it. */
bool sema_match_type(Sema *s, Node *type, Val *v, Scope *dimscope, Scope *upto, Span span, const char *what);
Val *sema_adopt_type(Sema *s, Node *type, Val *v, Span span);
Val *sema_call(Sema *s, Node *n);
/* The function fb (a fn's binding; NULL for `builtin`) as a value, written at `given`. */
Val *sema_fn_value(Sema *s, Binding *fb, const Builtin *builtin, Span given);
/* A function with typed parameters (and, with `defaults`, untyped ones that have a default),
 * checked once with placeholder arguments of symbolic sizes; its value, or ERR. */
Val *sema_check_definition(Sema *s, Binding *fb, bool defaults);
/* A call of f, a function value; `callee` is how the call names it. */
Val *sema_call_value(Sema *s, Val *f, const char *callee, Node *call);
/* The name a function value is called by in messages. */
const char *sema_fn_value_name(Sema *s, const Val *f);

/* --- models (sema_model.c) -------------------------------------------------------------------- */

/* param NAME [: type] = init, a statement of a model's body. */
void sema_model_param(Sema *s, Node *n);
/* The record of a model's params and methods, once its body has run in the current scope. */
Val *sema_model_record(Sema *s, Node *body);
/* The method m read from the record self; and the binding through which such a bound method
 * (f->self set) is called. */
Val *sema_bind_method(Sema *s, Val *m, const Val *self);
Binding *sema_method_binding(Sema *s, const FnVal *f);

/* --- gradients (sema_grad.c) -------------------------------------------------------------------- */

/* A call of grad(f) or value_and_grad(f) (f->fn->transform): f's IR built in a grad instruction
 * and differentiated (compiler/autodiff.c). */
Val *sema_call_transformed(Sema *s, Val *f, Node *call);

/* The value of a declaration (n->ival, an A_LET or A_FN) checked against its row of decl.def. */
Val *sema_decl_check(Sema *s, Node *n, Val *v);

/* --- the REPL (sema_repl.c) --------------------------------------------------------------------- */

/* The value of a binding persisted by an earlier line, read into this line's IR. */
Val *sema_repl_read(Sema *s, Binding *b, Span span);

#endif
