/* sema.h: checking a program and lowering it to IR in one walk over the syntax tree.
 *
 * Sema resolves names, infers dtypes and shapes (dimensions are constants or symbols such as
 * `n`), reports errors with the spans of the code at fault, and emits tensor-level IR as it
 * goes. User functions are generic over dimensions and dtypes and are inlined at each call, so
 * a comprehension passed into or returned from a function still fuses with its consumer.
 *
 * Its files, by concern: sema.c (names, statements, expressions), sema_types.c (dtypes,
 * promotion, elementwise operations), sema_shape.c (dimensions, subscripts, comprehensions,
 * reductions, tensor literals), sema_flow.c (if, iterate), sema_call.c (declared types, the
 * argument binder, the builtins' rows, calls, declarations), sema_repl.c (what the REPL keeps
 * between inputs). The builtins (builtins*.c) are a layer above and use this header only (its
 * last two parts); sema's own files share compiler/sema_int.h. */
#ifndef SN_SEMA_H
#define SN_SEMA_H

#include "ast.h"
#include "ir.h"

/* A symbolic dimension: a name for messages and the run-time value of the size. */
typedef struct Sym {
  const char *name;
  IrValue *v;
} Sym;

/* A dimension: the constant c when sym is NULL. */
typedef struct Dim {
  int64_t c;
  Sym *sym;
} Dim;

/* V_CHECKPOINT: a map over checkpoints (sema_map.c), computed tensor by tensor where it is saved;
 * V_FN: a function as a value, known when compiling (called where it is used, inlined). */
typedef enum VKind { V_ERROR, V_UNIT, V_SCALAR, V_TENSOR, V_STR, V_RECORD, V_CHECKPOINT, V_FN } VKind;

typedef struct Val Val;
typedef struct IndexVar IndexVar;
typedef struct MapVal MapVal;

typedef struct Record {
  int n;
  const char **names;
  Val **vals;
} Record;

/* What a function value computes: the function itself, or (compiler/autodiff.c) its gradient, or
 * {value, grad}. */
typedef enum FnTransform { FN_PLAIN, FN_GRAD, FN_VALUE_AND_GRAD } FnTransform;

/* A function as a value (V_FN), known when the program is compiled: a `fn` of the program or
 * the library, an anonymous `fn(x) = ...`, or a builtin. A call through it is inlined as a call
 * by name is (docs/design.md, "Function values"). */
typedef struct FnVal {
  struct Binding *fn;            /* a fn or an anonymous fn: its binding (node, defscope); NULL for a builtin */
  const struct Builtin *builtin; /* a builtin, or NULL */
  Span given;                    /* where the value was written (its name, or the anonymous fn), for notes */
  bool local;                    /* an anonymous fn written below the top level: its closure holds values of
                                  * one REPL input only */
  FnTransform transform;         /* grad(f), value_and_grad(f): f is `of` */
  const struct Val *of;
  const char **wrt;              /* the parameters differentiated against, by name (NULL: the first) */
  int nwrt;
  bool method;                   /* a model's method (sema_model.c) */
  const struct Val *self;        /* a method read from a record: that record, its receiver */
  struct Scope *model_outer;     /* a method: the scope its model was called in */
} FnVal;

struct Val {
  VKind kind;
  SnDtype dt;    /* scalars and tensor elements; f16/bf16 scalars are carried as f32 in the IR */
  bool weak;     /* an untyped literal (or made only of them): adopts the other operand's type */
  int rank;
  Dim dims[SN_MAX_RANK];
  IrValue *ir;   /* scalar value, tensor handle or string */
  Record *rec;
  MapVal *map;     /* V_CHECKPOINT */
  IndexVar *index; /* set when this scalar is an index variable of a comprehension/reduction */
  int slot1;       /* REPL: 1 + the slot a persisted value lives in (0: not persisted) */
  const Val *shape_of; /* x.shape: the tensor x, whose dimensions its elements are */
  FnVal *fn;       /* V_FN */
};

/* A run-time size constraint on an index: the index runs over dimension `axis` of a tensor. */
typedef struct Constraint {
  Dim dim;
  Span span;       /* the subscript */
  const char *what;/* "x (axis 0)" */
  bool explicit_range; /* written `i < n`: subscripts need only stay within their dimension */
  bool guarded;        /* a read under an `if` (Sema.guarded): checked where it is read, so a
                        * written range may pass its dimension */
} Constraint;

struct IndexVar {
  const char *name;
  Span span;
  IrValue *iv;
  PtrVec constraints;
};

typedef enum BindKind { B_VAL, B_FN, B_INDEX, B_LAZY } BindKind;

typedef struct Scope Scope;
typedef struct Builtin Builtin;
typedef struct Library Library;
typedef struct Binding {
  const char *name;
  BindKind kind;
  Val *val;          /* B_VAL */
  Node *node;        /* B_FN: the fn; B_LAZY: the comprehension's let */
  Scope *defscope;   /* B_FN, B_LAZY: the scope they were defined in */
  Scope *sizes_upto; /* B_FN of a method bound to a record: the scope around its model, up to which
                      * names (the model's sizes) size its parameters' types; else NULL */
  IndexVar *index;   /* B_INDEX */
  Span span;
  int slot;          /* REPL: >= 0 when val is a template of persisted values (see slot1) */
  int slot_line;     /* REPL: the line whose Val below reads the slots */
  Val *slot_val;
  bool used;
  bool broken;       /* B_FN whose definition failed to check: calls are not checked again */
  bool is_state;     /* a state variable of an enclosing iterate */
  const char *origin;/* a size bound by a declared type: where it came from, for messages */
  struct Binding *next;
} Binding;

struct Scope {
  Scope *parent;
  Binding *head;
};

/* What the REPL keeps between lines: the bindings of every line so far (their values live in
 * slots the driver owns), and the arenas holding their syntax. */
typedef struct ReplSlotInfo {
  VKind kind;
  SnDtype dt;
  int rank;
} ReplSlotInfo;

typedef struct ReplEnv {
  Arena arena;     /* bindings, scopes and syntax of every line */
  Scope *scope;    /* the top-level bindings */
  Scope *prelude;  /* the standard library's functions, scope->parent */
  const Builtin *const *builtins; /* the Library's */
  int nslots;
  ReplSlotInfo *slots;
  int capslots;
  int line;        /* lines compiled so far */
  int nrandom;     /* unseeded random constructors of the lines that ran, so that a session
                    * draws the same streams as the same lines run as a program */
  int nrandom_mark;/* nrandom before the line being compiled (repl_env_rollback restores it) */
} ReplEnv;

typedef struct Sema {
  Arena *arena;
  DiagBag *diags;
  IrFunc *fn;
  IrBuilder b;
  Scope *scope;
  Scope *top;          /* the program's top-level scope */
  Scope *prelude;      /* the standard library's functions (the scope around top) */
  PtrVec inst_stack;   /* functions being inlined (A_FN nodes), to refuse recursion */
  ReplEnv *repl;
  bool echo;           /* REPL: print the value of an expression statement */
  bool in_prelude;     /* binding the standard library's functions */
  int placeholders;    /* > 0 while a function is checked at its definition (sema_check_definition):
                        * its arguments are placeholders and defaults, which no check can judge */
  int iterate_depth;   /* > 0 inside an iterate body: state updates allowed */
  int guarded;         /* > 0 inside a branch of an `if` or the second operand of `and`/`or`:
                        * a read there may be out of range when the branch is not taken */
  int nargs;           /* program arguments so far */
  int nrandom;         /* random constructors without an explicit seed so far */
  PtrVec syms;         /* Sym interned by run-time value */
  Val *last_value;     /* the value of the last expression statement */
  Node *closed_reduce; /* the last reduction whose scope ended, for the hint on its indices */
  PtrVec *program;     /* the top-level statements, to point at a later definition of an unknown name */
  const Builtin *const *builtins; /* the Library's families */
  Node **signatures;   /* the builtins' signatures parsed so far, by registry index (sema_call.c) */
  Node *declared_call; /* a call whose value is declared a type (`let x: T = f(...)`), the type, */
  Node *declared_type; /* and the call once its builtin took the type (sema_declared_type) */
  Node *declared_taken;
  Val *model_seed;     /* in the body of a model being built: its seed (sema_model.c), else NULL */
  struct MapTensor *map_tensor; /* in the body of a map being saved: its tensor (sema_map.c), else NULL */
} Sema;

/* Entry points. `lib` is the standard library and the builtins (library_load, compiler/prelude.h).
 * Each returns the IR of the program (NULL when errors were reported). */
IrFunc *sema_program(Arena *a, DiagBag *d, const Library *lib, PtrVec *stmts);
IrFunc *sema_repl_line(ReplEnv *env, Arena *a, DiagBag *d, PtrVec *stmts, bool echo, Val **last);
/* Binds the standard library for a REPL session; its errors go to d. */
void repl_env_init(ReplEnv *env, const Library *lib, DiagBag *d);
void repl_env_free(ReplEnv *env);
/* The signature of a REPL function as written ("fn f(x: f32[n]) -> f32[n]"), or NULL. */
const char *repl_fn_signature(ReplEnv *env, Arena *a, const char *name);
/* Forgets the bindings a line added, and its random streams (after it failed at run time). */
void repl_env_rollback(ReplEnv *env, Binding *mark, int nslots);

/* Checks every public function of the standard library once, with symbolic sizes, as a
 * program's typed functions are checked where they are defined (its parameters must all have a
 * type or a default), and each declaration's stdlib_fn against the declaration
 * (tests/compiler/test_stdlib.c). Reports to d; false when a check failed. */
bool sema_check_library(Arena *a, DiagBag *d, const Library *lib);

/* The text of a type as users write it: "f32[n, 3]", "{cost: f32, iters: i64}", and a function's
 * signature, "fn sqdist(x: f32[n, d], y: f32[m, d])". */
const char *sema_type_str(Sema *s, const Val *v);
/* The signature of a fn (A_FN) as written, up to its body: "fn f(x: f32[n]) -> f32[n]". */
const char *sema_fn_text(Arena *a, const Node *fn);

/* --- builtins, as sema calls them --------------------------------------------------------------- */

/* A builtin is a row of its family's table (compiler/builtins.h has the tables and the handlers);
 * the driver hands sema the tables in a Library, so sema calls a handler only through its row and
 * depends on no family. */

/* An argument bound to a parameter of a signature. */
typedef struct Arg {
  Val *v;        /* the value (after its declared type); NULL when left out or not a value */
  Node *node;    /* the argument as written, or the default's syntax; NULL when left out */
  Span span;     /* where it is written */
  SnDtype dt;    /* a `dtype` parameter */
  int rank;      /* a `shape` parameter: its sizes */
  Dim dims[SN_MAX_RANK];
} Arg;

/* A builtin's handler, called in the caller's scope: args[k] is the signature's parameter k. */
typedef Val *(*BuiltinFn)(Sema *s, const Builtin *b, Arg *args, Node *call);

struct Builtin {
  const char *name;   /* a name starting with `_` may be called from the standard library only */
  const char *params; /* the signature, as a function's parameters */
  BuiltinFn handler;  /* builtin_runtime for a BUILTIN_RUNTIME row */
  int data;           /* the handler's own: an IrMathFn, a RedKind, a dtype, an RtFn, ... */
  const char *result; /* builtin_runtime: the result's type */
  bool variadic;      /* positional arguments past the parameters are the handler's (print, check) */
};

/* What every program sees besides its own code: the standard library's syntax (library_load,
 * compiler/prelude.h) and the builtins' families, each table ended by a row whose name is NULL. */
struct Library {
  PtrVec stdlib;
  const Builtin *const *builtins; /* ended by NULL */
};

/* The builtin called `name`, or NULL. */
const Builtin *sema_builtin_find(Sema *s, const char *name);
/* The signature of b as a parsed `fn` (A_FN, params in list, the result type in a). */
Node *sema_builtin_signature(Sema *s, const Builtin *b);
/* The type declared for the value of `call`, `let x: f32[n, 3] = load(path)`, or NULL. A handler
 * that takes it (load: the file need not exist when compiling) calls this, and sema then checks
 * the declared constant sizes once, right after the call. */
Node *sema_declared_type(Sema *s, Node *call);

/* --- what builtins use of sema ------------------------------------------------------------------ */

/* The location string of a call for run-time messages (in a stdlib function, the user's call). */
IrValue *sema_where(Sema *s, Span sp);

extern Val sema_error_val;
#define ERR (&sema_error_val)

/* Values. */
Val *sema_scalar(Sema *s, SnDtype dt, bool weak, IrValue *ir);
Val *sema_tensor(Sema *s, SnDtype dt, int rank, const Dim *dims, IrValue *ir);
Val *sema_unit(Sema *s);
Val *sema_record(Sema *s, int n, const char **names, Val **vals);
/* The text of a string known when the program is compiled, or NULL (a program argument). */
const char *sema_const_str(const Val *v);
const char *sema_src_text(Sema *s, Span sp);

/* Dtypes. */
bool sema_is_float(SnDtype dt);
bool sema_is_int(SnDtype dt);
/* f16 and bf16 compute in f32 (as PyTorch does on CPUs). */
SnDtype sema_compute_dtype(SnDtype dt);
/* The float an integer becomes where an operation needs a float (true division, mean, exp, a
 * float literal): f64, as in NumPy, which holds every i32 exactly and every i64 up to 2^53. */
#define INT_FLOAT_DT SN_F64
/* An f32 result of an operation whose type is dt: rounded to dt when dt is f16 or bf16. Every
 * operation on them computes in f32 and rounds its result, as PyTorch and NumPy do on a CPU,
 * so a value is the same whether fusion stores it or not. */
IrValue *sema_round(Sema *s, IrValue *v, SnDtype dt);
Val *sema_cast(Sema *s, Val *v, SnDtype to, Span span);
/* The dtype two operands are computed in (docs/language.md, "Types"); false after an error. */
bool sema_promote(Sema *s, Val *a, Val *b, SnDtype *out, bool *weak, Span span, const char *opname);
/* An explicit conversion, f16(x): the value is rounded to the type even when it is a literal. */
Val *sema_explicit_cast(Sema *s, Val *v, SnDtype to, Span span);

/* Expressions and operations. */
typedef Val *(*ScalarFn)(Sema *s, Val **args, Span span, void *ctx);
Val *sema_expr(Sema *s, Node *n);
Val *sema_scalar_binop(Sema *s, Op op, Val *a, Val *b, Span span);
Val *sema_binop(Sema *s, Op op, Val *a, Val *b, Span span);
/* fn applied elementwise over the broadcast shape of args (scalars directly). */
Val *sema_lift(Sema *s, int n, Val **args, ScalarFn fn, void *ctx, SnDtype result_hint, Span span);
/* A lazy tensor whose element at (i, j, ...) is body(i, j, ...). */
Val *sema_compr(Sema *s, SnDtype dt, int rank, const Dim *dims, ScalarFn body, void *ctx, Span span);
Val *sema_elem(Sema *s, Val *t, IrValue **idx);
/* RED(x): every element of x reduced. */
Val *sema_reduce_all(Sema *s, RedKind k, Val *x, Span span);
/* The dtype RED of values of type dt accumulates in and gives. */
SnDtype sema_reduce_dtype(RedKind k, SnDtype dt);
/* RED over the axes of the tensor x set in `axes` (bit d: axis d), its other axes d at the
 * indices at[d]; each term is the element, or term(element) when term is given. */
Val *sema_reduce_axes(Sema *s, RedKind k, Val *x, unsigned axes, IrValue **at, ScalarFn term, void *ctx, Span span);
void sema_print(Sema *s, Val *v);
/* The parameters (A_PARAM) of the function value f; a gradient's are its function's. */
const PtrVec *sema_fn_params(Sema *s, const Val *f);
/* grad(f) or value_and_grad(f) (`t`) with respect to the parameters named in wrt (NULL: the
 * first), written at span: a function value whose calls differentiate f's (sema_grad.c). */
Val *sema_fn_transform(Sema *s, Val *f, FnTransform t, const char **wrt, int nwrt, Span span);
/* f (a function value) called with the values vals (names[k] non-NULL: given by that name),
 * written at `at`, as a call written in the program would be: inlined, with its errors. */
Val *sema_apply(Sema *s, Val *f, int n, Val **vals, const char **names, Span at);
/* The first function value in v (v itself, or a field of a record, depth first, a model's methods
 * aside), or NULL. */
const Val *sema_find_fn(const Val *v);

/* Dimensions. */
Dim sema_dim_const(int64_t c);
const char *sema_dim_str(Sema *s, Dim d);
bool sema_dims_equal(Dim a, Dim b);
IrValue *sema_dim_value(Sema *s, Dim d);
Dim sema_dim_of_value(Sema *s, IrValue *v, const char *name);
/* a and b must be the same size: false when both are constants and differ, a run-time check
 * (failing with `what`) when they cannot be told apart now. */
bool sema_dims_match(Sema *s, Dim a, Dim b, Span span, const char *what);
/* The size an integer value v gives (written at span): not negative, an error now when it is a
 * constant, else when the program runs. */
bool sema_size(Sema *s, Val *v, Span span, Dim *out);

/* The output options of a checkpoint written by a map or merge_passthrough (`what`, for
 * messages): the path's form, the shard size in bytes (0: one file) and files_from ("" for
 * none); false after an error. */
bool sema_checkpoint_output(Sema *s, const char *what, Arg *path, Node *shard_size, Arg *files, IrValue **shard,
                            IrValue **files_ir);
/* save(map ..., path, shard_size=, dtype=, files_from=, vocab=, pad_to_multiple_of=): the map's
 * loops, written where it is saved (sema_map.c); dtype -1 keeps each tensor's own; files (NULL
 * when not given) names a directory whose config and tokenizer files the output gets; vocab (NULL
 * when not given), "base" or "union", merges models of different vocabularies, their rows padded
 * to a multiple of pad (NULL: not padded; docs/merge.md). */
Val *sema_map_save(Sema *s, Val *map, Arg *path, Node *shard_size, int dtype, Arg *files, Arg *vocab, Node *pad,
                   Node *call);
/* tensor_layer(), tensor_layers(), tensor_id(), tensor_has(text) (builtin `name`): the runtime
 * call rt on the tensor a map's body computes (with `text`, a string, for tensor_has), an i64 or
 * (tensor_has) a bool; an error at `at` outside a map's body. */
Val *sema_map_tensor(Sema *s, int rt, const char *name, Val *text, Span at);

/* Arguments: binding a call to a signature's parameters (A_PARAM nodes), as for user functions.
 * sema_match_args evaluates the call's arguments in the caller's scope and reports unknown,
 * repeated, surplus (unless `variadic`: those are left to the callee, unevaluated) and missing
 * ones; `def` is where the callee is defined, for notes, or NULL for a builtin (whose parameters
 * may have the forms above). sema_bind_params then, in the callee's scope, evaluates the
 * defaults, checks the declared types (binding their size names; names bound in the scopes up to
 * `upto` are sizes already, NULL: none) and binds the parameters. */
bool sema_match_args(Sema *s, Node *call, const char *fname, const PtrVec *params, const Span *def, bool variadic,
                     Arg *args);
bool sema_bind_params(Sema *s, const char *fname, const PtrVec *params, Arg *args, bool builtin, Scope *upto);
/* A new scope inside `outer` (NULL: the standard library's), for a callee's parameters; returns
 * the scope sema_leave goes back to. */
Scope *sema_enter(Sema *s, Scope *outer);
void sema_leave(Sema *s, Scope *saved);

#endif
