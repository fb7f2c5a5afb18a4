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
 * argument binder, calls, declarations), sema_repl.c (what the REPL keeps between inputs). The
 * builtins (builtins*.c) reach them through compiler/builtins.h; sema's own files share
 * compiler/sema_int.h. */
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

typedef enum VKind { V_ERROR, V_UNIT, V_SCALAR, V_TENSOR, V_STR, V_RECORD, V_FN } VKind;

typedef struct Val Val;
typedef struct IndexVar IndexVar;

typedef struct Record {
  int n;
  const char **names;
  Val **vals;
} Record;

/* A function as a value (V_FN), known when the program is compiled: a `fn` of the program or
 * the library, an anonymous `fn(x) = ...`, or a builtin. A call through it is inlined as a call
 * by name is (docs/design.md, "Function values"). */
typedef struct FnVal {
  struct Binding *fn;            /* a fn or an anonymous fn: its binding (node, defscope); NULL for a builtin */
  const struct Builtin *builtin; /* a builtin, or NULL */
  Span given;                    /* where the value was written (its name, or the anonymous fn), for notes */
  bool local;                    /* an anonymous fn written below the top level: its closure holds values of
                                  * one REPL input only */
} FnVal;

struct Val {
  VKind kind;
  SnDtype dt;    /* scalars and tensor elements; f16/bf16 scalars are carried as f32 in the IR */
  bool weak;     /* an untyped literal (or made only of them): adopts the other operand's type */
  int rank;
  Dim dims[SN_MAX_RANK];
  IrValue *ir;   /* scalar value, tensor handle or string */
  Record *rec;
  IndexVar *index; /* set when this scalar is an index variable of a comprehension/reduction */
  int slot1;       /* REPL: 1 + the slot a persisted value lives in (0: not persisted) */
  FnVal *fn;       /* V_FN */
};

/* A run-time size constraint on an index: the index runs over dimension `axis` of a tensor. */
typedef struct Constraint {
  Dim dim;
  Span span;       /* the subscript */
  const char *what;/* "x (axis 0)" */
  bool explicit_range; /* written `i < n`: subscripts need only stay within their dimension */
} Constraint;

struct IndexVar {
  const char *name;
  Span span;
  IrValue *iv;
  PtrVec constraints;
};

typedef enum BindKind { B_VAL, B_FN, B_INDEX, B_LAZY } BindKind;

typedef struct Scope Scope;
typedef struct Binding {
  const char *name;
  BindKind kind;
  Val *val;          /* B_VAL */
  Node *node;        /* B_FN: the fn; B_LAZY: the comprehension's let */
  Scope *defscope;   /* B_FN, B_LAZY: the scope they were defined in */
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
  int iterate_depth;   /* > 0 inside an iterate body: state updates allowed */
  int nargs;           /* program arguments so far */
  int nrandom;         /* random constructors without an explicit seed so far */
  PtrVec syms;         /* Sym interned by run-time value */
  Val *last_value;     /* the value of the last expression statement */
  Node *closed_reduce; /* the last reduction whose scope ended, for the hint on its indices */
  PtrVec *program;     /* the top-level statements, to point at a later definition of an unknown name */
  Node **signatures;   /* the builtins' signatures parsed so far, by registry index (builtins.c) */
} Sema;

/* Entry points. `prelude` is the standard library's syntax (prelude_parse, compiler/prelude.h).
 * Each returns the IR of the program (NULL when errors were reported). */
IrFunc *sema_program(Arena *a, DiagBag *d, const PtrVec *prelude, PtrVec *stmts);
IrFunc *sema_repl_line(ReplEnv *env, Arena *a, DiagBag *d, PtrVec *stmts, bool echo, Val **last);
/* Binds the standard library for a REPL session; its errors go to d. */
void repl_env_init(ReplEnv *env, const PtrVec *prelude, DiagBag *d);
void repl_env_free(ReplEnv *env);
/* The signature of a REPL function as written ("fn f(x: f32[n]) -> f32[n]"), or NULL. */
const char *repl_fn_signature(ReplEnv *env, Arena *a, const char *name);
/* Forgets the bindings a line added, and its random streams (after it failed at run time). */
void repl_env_rollback(ReplEnv *env, Binding *mark, int nslots);

/* Checks every public function of the standard library once, with symbolic sizes, as a
 * program's typed functions are checked where they are defined (its parameters must all have a
 * type or a default), and each declaration's stdlib_fn against the declaration
 * (tests/compiler/test_stdlib.c). Reports to d; false when a check failed. */
bool sema_check_library(Arena *a, DiagBag *d, const PtrVec *prelude);

/* The text of a type as users write it: "f32[n, 3]", "{cost: f32, iters: i64}", and a function's
 * signature, "fn sqdist(x: f32[n, d], y: f32[m, d])". */
const char *sema_type_str(Sema *s, const Val *v);
/* The signature of a fn (A_FN) as written, up to its body: "fn f(x: f32[n]) -> f32[n]". */
const char *sema_fn_text(Arena *a, const Node *fn);

#endif
