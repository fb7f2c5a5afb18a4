/* builtins.h: the registry of builtin functions, and the sema API their handlers use.
 *
 * A builtin is one row (Builtin) in its family's table: core (builtins_core.c: math,
 * reductions, casts, constructors, shapes, print, check), io (builtins_io.c: load, load_csv,
 * save), transport (builtins_transport.c: the runtime's solvers) and linalg (builtins_linalg.c:
 * sorting, quantiles, LAPACK). Its signature is written as
 * a sinter function's parameters, `x: num[n, d], y: num[m, d], p: num = 2`, so a call binds
 * exactly as a call of a user function does (sema_match_args, sema_bind_params: positional and
 * named arguments, defaults, the same messages), and declared types check dtype classes and unify
 * symbolic sizes across the arguments. Three element types exist only in signatures and are read
 * from the call's syntax: `dtype` (a type name, or a value whose dtype to take), `shape` (a size
 * or a list of sizes) and `syntax` (left for the handler); a default written `_` means the
 * argument may be left out, and a variadic row leaves the positional arguments past its
 * parameters to its handler. A row made with BUILTIN_RUNTIME needs no code: builtin_runtime
 * calls its runtime function with the arguments in signature order, and its result type is a
 * dtype, or a record of types such as "{cost: f64, plan: f64[n, m]}" whose leaves, depth first,
 * are the parts of the kernel's SnResult in order (sinter/abi.h), sized by the signature's size
 * names; a function that allocates its result (RTF_ALLOCS) gives a tensor, "float[n, n]", or a
 * scalar held in a tensor of rank 0, and a class as a result's dtype (`float`) is the dtype of
 * the first tensor argument. A handler of its own (BUILTIN) is for what is really special: lazy
 * constructors, files read when compiling, print and check, results whose rank follows an
 * argument's. */
#ifndef SN_BUILTINS_H
#define SN_BUILTINS_H

#include "rtabi.h"
#include "sema.h"

/* --- the registry ------------------------------------------------------------------------------ */

/* An argument bound to a parameter of a signature. */
typedef struct Arg {
  Val *v;        /* the value (after its declared type); NULL when left out or not a value */
  Node *node;    /* the argument as written, or the default's syntax; NULL when left out */
  Span span;     /* where it is written */
  SnDtype dt;    /* a `dtype` parameter */
  int rank;      /* a `shape` parameter: its sizes */
  Dim dims[SN_MAX_RANK];
} Arg;

typedef struct Builtin Builtin;

/* A builtin's handler, called in the caller's scope: args[k] is the signature's parameter k. */
typedef Val *(*BuiltinFn)(Sema *s, const Builtin *b, Arg *args, Node *call);

struct Builtin {
  const char *name;   /* a name starting with `_` may be called from the standard library only */
  const char *params; /* the signature, as a function's parameters */
  BuiltinFn handler;
  int data;           /* the handler's own: an IrMathFn, a RedKind, a dtype, an RtFn, ... */
  const char *result; /* builtin_runtime: the result's type */
  bool variadic;      /* positional arguments past the parameters are the handler's (print, check) */
};

/* A row with a handler of its own (`data` its parameter), and a row for builtin_runtime. */
#define BUILTIN(name, params, handler, data) {name, params, handler, data, NULL, false}
#define BUILTIN_RUNTIME(name, params, rt, result) {name, params, NULL, rt, result, false}

/* The tables of the families, each ended by a row whose name is NULL. */
extern const Builtin builtins_core[], builtins_io[], builtins_transport[], builtins_linalg[];

/* The builtin called `name`, or NULL. */
const Builtin *builtin_find(const char *name);
/* Calls b (looked up by builtin_find) at `call`. */
Val *builtin_call(Sema *s, const Builtin *b, Node *call);
/* The arguments of `call` bound to b's signature (builtin_call's first step), or NULL after an
 * error. */
Arg *builtin_args(Sema *s, const Builtin *b, Node *call);
/* Every builtin's name in turn, for suggestions: NULL after the last. */
const char *builtin_name(int i);
/* The signature of b as a parsed `fn` (A_FN, params in list, the result type in a). */
Node *builtin_signature(Sema *s, const Builtin *b);

/* The generic handler: calls the runtime function `data` with the arguments (preceded by the
 * call's location when the function is fallible and has no location of its own), and gives its
 * result as `result` describes. */
Val *builtin_runtime(Sema *s, const Builtin *b, Arg *args, Node *call);
/* The tensor t that a runtime call allocated (an IR_CALL of an RTF_ALLOCS function), typed dt
 * with the sizes dims; its one element when rank is 0. */
Val *builtin_tensor_result(Sema *s, IrValue *t, SnDtype dt, int rank, const Dim *dims);
/* load with a declared type, `let x: f32[n, 3] = load(path)` (builtins_io.c). */
Val *builtin_load_typed(Sema *s, Node *call, Node *type);

/* The location string of a call for run-time messages (in a stdlib function, the user's call). */
IrValue *builtin_where(Sema *s, Span sp);

/* --- what handlers use of sema ----------------------------------------------------------------- */

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
void sema_print(Sema *s, Val *v);

/* Dimensions. */
Dim sema_dim_const(int64_t c);
IrValue *sema_dim_value(Sema *s, Dim d);
Dim sema_dim_of_value(Sema *s, IrValue *v, const char *name);
/* a and b must be the same size: false when both are constants and differ, a run-time check
 * (failing with `what`) when they cannot be told apart now. */
bool sema_dims_match(Sema *s, Dim a, Dim b, Span span, const char *what);
/* The size an integer value v gives (written at span): not negative, an error now when it is a
 * constant, else when the program runs. */
bool sema_size(Sema *s, Val *v, Span span, Dim *out);

/* Arguments: binding a call to a signature's parameters (A_PARAM nodes), as for user functions.
 * sema_match_args evaluates the call's arguments in the caller's scope and reports unknown,
 * repeated, surplus (unless `variadic`: those are left to the callee, unevaluated) and missing
 * ones; `def` is where the callee is defined, for notes, or NULL for a builtin (whose parameters
 * may have the forms above). sema_bind_params then, in the callee's scope, evaluates the
 * defaults, checks the declared types (binding their size names) and binds the parameters. */
bool sema_match_args(Sema *s, Node *call, const char *fname, const PtrVec *params, const Span *def, bool variadic,
                     Arg *args);
bool sema_bind_params(Sema *s, const char *fname, const PtrVec *params, Arg *args, bool builtin);
/* A new scope inside `outer` (NULL: the standard library's), for a callee's parameters; returns
 * the scope sema_leave goes back to. */
Scope *sema_enter(Sema *s, Scope *outer);
void sema_leave(Sema *s, Scope *saved);

#endif
