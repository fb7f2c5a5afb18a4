/* builtins.c: what the builtins' families share: the generic handler that calls a runtime
 * function and takes its result apart by the row's result type, and a call's location. (Finding
 * a row, parsing its signature and binding a call to it are sema's: compiler/sema_call.c; the
 * list of the families is the library's: compiler/prelude.c.) */
#include "builtins.h"

#include <string.h>

/* --- results of runtime calls -------------------------------------------------------------------- */

/* Sizes named by a result type: those of the arguments (a constant where an argument has one,
 * else the dimension of the argument of highest rank, the cost rather than its weights), then
 * those read from the parts taken so far; and the next part to take. */
typedef struct Sizes {
  Node *sig;
  Arg *args;
  int part; /* the parts are the result type's leaves in order (sinter/abi.h, SnResult) */
  int n;
  const char *names[SN_MAX_RANK * 4];
  Dim dims[SN_MAX_RANK * 4];
} Sizes;

static bool size_named(Sizes *z, const char *name, Dim *out) {
  bool found = false;
  int rank = 0;
  for (int k = 0; k < z->sig->list.n; k++) {
    Node *type = ((Node *)z->sig->list.items[k])->type;
    for (int d = 0; type && type->ival && z->args[k].v && d < type->list.n; d++) {
      Node *dn = type->list.items[d];
      Dim have = z->args[k].v->dims[d];
      if (dn->kind != A_NAME || strcmp(dn->name, name) != 0) continue;
      if (found && !(out->sym && (!have.sym || type->list.n > rank))) continue;
      *out = have;
      rank = type->list.n;
      found = true;
    }
  }
  for (int i = 0; !found && i < z->n; i++)
    if (strcmp(z->names[i], name) == 0) *out = z->dims[i], found = true;
  return found;
}

/* A result's dtype: a dtype, or a class (`float`) standing for the dtype of the first tensor
 * argument, which the row's handler converted to the type the call computes in. */
static SnDtype result_dtype(Node *name, const Builtin *b, const Sizes *z) {
  SnDtype dt;
  if (name->kind == A_NAME && sn_dtype_from_name(name->name, &dt)) return dt;
  for (int k = 0; name->kind == A_NAME && k < z->sig->list.n; k++)
    if (z->args[k].v && z->args[k].v->kind == V_TENSOR) return z->args[k].v->dt;
  die("builtin `%s`: a result type needs a dtype", b->name);
}

Val *builtin_tensor_result(Sema *s, IrValue *t, SnDtype dt, int rank, const Dim *dims) {
  t->type = ir_tensor(dt, rank);
  if (rank == 0) return sema_scalar(s, dt, false, ir_elem(&s->b, t, 0, NULL));
  return sema_tensor(s, dt, rank, dims, t);
}

/* The tensor t a runtime function allocated, of result type `type`: a tensor type whose sizes the
 * arguments name, or a scalar type (t of rank 0). */
static Val *allocated(Sema *s, const Builtin *b, IrValue *t, Node *type, Sizes *z) {
  int rank = type->kind == A_INDEX ? type->list.n : 0;
  SnDtype dt = result_dtype(type->kind == A_INDEX ? type->a : type, b, z);
  Dim dims[SN_MAX_RANK];
  for (int d = 0; d < rank; d++) {
    Node *dn = type->list.items[d];
    if (dn->kind == A_INT) dims[d] = sema_dim_const(dn->ival);
    else if (!size_named(z, dn->name, &dims[d])) die("builtin `%s`: no argument's size is called `%s`", b->name, dn->name);
  }
  return builtin_tensor_result(s, t, dt, rank, dims);
}

/* The next parts of the result h, of type `type` (f64, f64[n, m], or a record of parts). */
static Val *take_part(Sema *s, const Builtin *b, IrValue *h, Node *type, Sizes *z) {
  if (type->kind == A_RECORD) {
    Val *r = sema_record(s, type->list.n, NULL, NULL);
    for (int i = 0; i < type->list.n; i++) {
      Node *f = type->list.items[i];
      r->rec->names[i] = f->name;
      r->rec->vals[i] = take_part(s, b, h, f->a, z);
    }
    return r;
  }
  IrValue *ops[2] = {h, ir_const(&s->b, ir_scalar(SN_I32), 0, z->part++)};
  if (type->kind != A_INDEX) {
    SnDtype dt = result_dtype(type, b, z);
    IrValue *v = ir_call(&s->b, sema_is_float(dt) ? RT_RESULT_F64 : RT_RESULT_I64, 2, ops);
    return sema_scalar(s, dt, false, ir_cast(&s->b, v, ir_scalar(dt)));
  }
  SnDtype dt = result_dtype(type->a, b, z);
  int rank = type->list.n;
  IrValue *t = ir_call(&s->b, RT_RESULT_TENSOR, 2, ops);
  t->type = ir_tensor(dt, rank);
  Dim dims[SN_MAX_RANK];
  for (int d = 0; d < rank; d++) {
    Node *dn = type->list.items[d];
    if (dn->kind == A_INT) dims[d] = sema_dim_const(dn->ival);
    else if (!size_named(z, dn->name, &dims[d])) {
      dims[d] = sema_dim_of_value(s, ir_dim(&s->b, t, d), dn->name);
      if (z->n < (int)(sizeof z->dims / sizeof *z->dims)) z->names[z->n] = dn->name, z->dims[z->n++] = dims[d];
    }
  }
  return sema_tensor(s, dt, rank, dims, t);
}

Val *builtin_runtime(Sema *s, const Builtin *b, Arg *args, Node *call) {
  RtFn rt = (RtFn)b->data;
  const RtInfo *info = &rt_fns[rt];
  Node *sig = sema_builtin_signature(s, b);
  IrValue *ops[RT_MAX_PARAMS];
  int n = rt_fallible(rt) && !(info->flags & RTF_AT_CALL);
  if (n + sig->list.n != info->nparams)
    die("builtin `%s`: %d arguments for %s, which takes %d", b->name, n + sig->list.n, info->name, info->nparams);
  s->b.span = call->span;
  if (n) ops[0] = sema_where(s, call->span);
  for (int k = 0; k < sig->list.n; k++, n++) {
    RtKind kind = info->params[n];
    IrValue *v = args[k].v->ir;
    ops[n] = kind == K_PTR   ? v
             : kind == K_I64 ? ir_cast(&s->b, v, ir_i64)
             : kind == K_I32 ? ir_cast(&s->b, v, ir_scalar(SN_I32))
             : kind == K_F32 ? ir_cast(&s->b, v, ir_scalar(SN_F32))
                             : ir_cast(&s->b, v, ir_scalar(SN_F64));
  }
  IrValue *r = ir_call(&s->b, rt, n, ops);
  Node *type = sig->a;
  Sizes z = {.sig = sig, .args = args};
  if (info->flags & RTF_ALLOCS) return allocated(s, b, r, type, &z);
  if (type->kind == A_NAME) return sema_scalar(s, result_dtype(type, b, &z), false, r);
  /* a result of several parts (the rc pass frees it): a record of them, or one field of it */
  Val *v = take_part(s, b, r, type->kind == A_FIELD ? type->a : type, &z), *whole = v;
  for (int i = 0; type->kind == A_FIELD && i < whole->rec->n; i++)
    if (strcmp(whole->rec->names[i], type->name) == 0) v = whole->rec->vals[i];
  return v;
}
