/* builtins.h: the builtins' families (their tables) and the handlers they share.
 *
 * A builtin is one row (Builtin) in its family's table: core (builtins_core.c: math,
 * reductions, casts, constructors, shapes, print, check), io (builtins_io.c: load, load_csv,
 * save), transport (builtins_transport.c: the runtime's solvers), shape (builtins_shape.c:
 * reshape, flatten, concat, stack), linalg (builtins_linalg.c: sorting, quantiles, LAPACK) and
 * plot (builtins_plot.c: PNG pictures); nn (builtins_nn.c: grad, value_and_grad, tree_map).
 * Its signature is written as
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

/* A row with a handler of its own (`data` its parameter), and a row for builtin_runtime. */
#define BUILTIN(name, params, handler, data) {name, params, handler, data, NULL, false}
#define BUILTIN_RUNTIME(name, params, rt, result) {name, params, builtin_runtime, rt, result, false}

/* The tables of the families, each ended by a row whose name is NULL (listed in a Library's
 * builtins by compiler/prelude.c). */
extern const Builtin builtins_core[], builtins_io[], builtins_transport[], builtins_shape[],
    builtins_linalg[], builtins_plot[], builtins_nn[];

/* The generic handler: calls the runtime function `data` with the arguments (preceded by the
 * call's location when the function is fallible and has no location of its own), and gives its
 * result as `result` describes. */
Val *builtin_runtime(Sema *s, const Builtin *b, Arg *args, Node *call);
/* The positional arguments of a variadic call past the first `skip` (out holds call->list.n). */
int builtin_surplus(Node *call, int skip, Node **out);
/* The tensor t that a runtime call allocated (an IR_CALL of an RTF_ALLOCS function), typed dt
 * with the sizes dims; its one element when rank is 0. */
Val *builtin_tensor_result(Sema *s, IrValue *t, SnDtype dt, int rank, const Dim *dims);

#endif
