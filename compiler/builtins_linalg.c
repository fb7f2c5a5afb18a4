/* builtins_linalg.c: sorting, order statistics and linear algebra, computed on whole tensors by
 * runtime kernels (runtime/math/sort.c, linalg.c; docs/language.md, "Sorting, quantiles and
 * linear algebra"). inv, cholesky, det, slogdet, eigh, svd and qr are plain runtime rows; sort, argsort, topk,
 * quantile, median and solve have handlers because their results' ranks follow their arguments
 * (an axis removed, a vector or matrix right-hand side), which a signature cannot say. */
#include "builtins.h"

#include <string.h>

/* The argument `a` of b, a tensor. */
static bool need_tensor(Sema *s, const Builtin *b, const Arg *a) {
  if (a->v->kind == V_TENSOR) return true;
  diag_error(s->diags, a->span, "`%s` needs a tensor, not %s", b->name, sema_type_str(s, a->v));
  return false;
}

/* The argument `a` of b, numbers (not bool). */
static bool need_numbers(Sema *s, const Builtin *b, const Arg *a) {
  if (a->v->dt != SN_BOOL) return true;
  Diag *g = diag_error(s->diags, a->span, "`%s` needs numbers, not %s", b->name, sema_type_str(s, a->v));
  diag_hint(s->diags, g, "convert it first, e.g. f32(x)");
  return false;
}

/* The axis argument `a` of x, a constant (negative counts from the end) made non-negative, or
 * -1 after an error. */
static int axis_arg(Sema *s, const Builtin *b, const Val *x, const Arg *a) {
  int64_t axis;
  if (!ir_is_const_int(a->v->ir, &axis)) {
    diag_error(s->diags, a->span, "`%s`: the axis must be a constant integer", b->name);
    return -1;
  }
  if (axis < -x->rank || axis >= x->rank) {
    Diag *g = diag_error(s->diags, a->span, "`%s`: axis %lld is out of range for %s", b->name, (long long)axis,
                         sema_type_str(s, x));
    if (x->rank == 1)
      diag_hint(s->diags, g, "a vector has one axis: 0, or -1 from the end");
    else
      diag_hint(s->diags, g, "a tensor of rank %d has axes 0 to %d, or -%d to -1 from the end", x->rank, x->rank - 1,
                x->rank);
    return -1;
  }
  return (int)(axis < 0 ? axis + x->rank : axis);
}

/* The call of the runtime function rt with n operands, at `call`: a new tensor. */
static Val *kernel_call(Sema *s, RtFn rt, Node *call, int n, IrValue **ops, SnDtype dt, int rank, const Dim *dims) {
  s->b.span = call->span;
  return builtin_tensor_result(s, ir_call(&s->b, rt, n, ops), dt, rank, dims);
}

/* sort(x, axis=-1), argsort(x, axis=-1): every line along the axis in order. */
static Val *b_sort(Sema *s, const Builtin *b, Arg *args, Node *call) {
  Val *x = args[0].v;
  if (!need_tensor(s, b, &args[0])) return ERR;
  int axis = axis_arg(s, b, x, &args[1]);
  if (axis < 0) return ERR;
  IrValue *ops[2] = {x->ir, ir_const(&s->b, ir_i64, 0, axis)};
  return kernel_call(s, b->data, call, 2, ops, b->data == RT_SORT ? x->dt : SN_I64, x->rank, x->dims);
}

/* topk's values, read from x at the kernel's indices (x[..., indices[..., j]]): the kernel's
 * values element for element, and a gradient for x through the read, as torch.topk's. */
typedef struct {
  Val *x, *indices;
} TopkRead;

static Val *topk_value(Sema *s, Val **idx, Span span, void *ctx) {
  (void)span;
  TopkRead *c = ctx;
  IrValue *at[SN_MAX_RANK];
  int r = c->x->rank;
  for (int d = 0; d < r; d++) at[d] = idx[d]->ir;
  at[r - 1] = sema_elem(s, c->indices, at)->ir;
  return sema_elem(s, c->x, at);
}

/* topk(x, k, largest=true): the k largest (or smallest) along the last axis, as torch.topk: a
 * record {values, indices} of x's shape with the last dimension k, the indices the kernel's.
 * k is checked here when it and the dimension are constants, else by the kernel. */
static Val *b_topk(Sema *s, const Builtin *b, Arg *args, Node *call) {
  Val *x = args[0].v;
  if (!need_tensor(s, b, &args[0]) || !need_numbers(s, b, &args[0])) return ERR;
  Dim dims[SN_MAX_RANK], n = x->dims[x->rank - 1];
  int64_t k;
  bool known = ir_is_const_int(args[1].v->ir, &k);
  if (known && (k < 0 || (!n.sym && k > n.c))) {
    Diag *g = diag_error(s->diags, args[1].span, "`topk`: k = %lld is out of range for %s", (long long)k,
                         sema_type_str(s, x));
    diag_hint(s->diags, g, "k counts elements of the last dimension: 0 to %s", sema_dim_str(s, n));
    return ERR;
  }
  s->b.span = call->span;
  IrValue *ops[4] = {sema_where(s, call->span), x->ir, ir_cast(&s->b, args[1].v->ir, ir_i64),
                     ir_cast(&s->b, args[2].v->ir, ir_scalar(SN_I32))};
  IrValue *h = ir_call(&s->b, b->data, 4, ops);
  memcpy(dims, x->dims, (size_t)x->rank * sizeof *dims);
  IrValue *pops[2] = {h, ir_const(&s->b, ir_scalar(SN_I32), 0, 1)};
  IrValue *t = ir_call(&s->b, RT_RESULT_TENSOR, 2, pops);
  dims[x->rank - 1] = known ? sema_dim_const(k) : sema_dim_of_value(s, ir_dim(&s->b, t, x->rank - 1), "k");
  TopkRead c = {x, builtin_tensor_result(s, t, SN_I64, x->rank, dims)};
  Val *r = sema_record(s, 2, NULL, NULL);
  r->rec->names[0] = "values";
  r->rec->vals[0] = sema_compr(s, x->dt, x->rank, dims, topk_value, &c, call->span);
  r->rec->names[1] = "indices";
  r->rec->vals[1] = c.indices;
  return r;
}

/* kth_largest(x, k): the k-th largest of all of x's elements and its flat index. */
static Val *b_kth_largest(Sema *s, const Builtin *b, Arg *args, Node *call) {
  if (!need_tensor(s, b, &args[0]) || !need_numbers(s, b, &args[0])) return ERR;
  return builtin_runtime(s, b, args, call);
}

/* quantile(x, q, axis=), median(x, axis=): along the axis, or of every element when it is left
 * out (NumPy's axis=None); a vector q puts its dimension first. */
static Val *b_quantile(Sema *s, const Builtin *b, Arg *args, Node *call) {
  Val *x = args[0].v;
  bool median = b->data == RT_MEDIAN;
  const Arg *q = median ? NULL : &args[1], *ax = &args[median ? 1 : 2];
  if (!need_tensor(s, b, &args[0]) || !need_numbers(s, b, &args[0])) return ERR;
  if (q && !((q->v->kind == V_SCALAR && q->v->dt != SN_BOOL) || (q->v->kind == V_TENSOR && q->v->rank == 1))) {
    diag_error(s->diags, q->span, "`quantile`: q must be a number or a vector of numbers, not %s",
               sema_type_str(s, q->v));
    return ERR;
  }
  int axis = ax->v ? axis_arg(s, b, x, ax) : -1;
  if (ax->v && axis < 0) return ERR;
  Dim dims[SN_MAX_RANK];
  int rank = 0;
  if (q && q->v->kind == V_TENSOR) dims[rank++] = q->v->dims[0];
  for (int d = 0; axis >= 0 && d < x->rank; d++)
    if (d != axis) dims[rank++] = x->dims[d];
  IrValue *ops[3] = {x->ir}, *axis_ir = ir_const(&s->b, ir_i64, 0, axis);
  int n = 1;
  RtFn rt = b->data;
  if (q) {
    rt = q->v->kind == V_TENSOR ? RT_QUANTILES : RT_QUANTILE;
    ops[n++] = q->v->kind == V_TENSOR ? q->v->ir : ir_cast(&s->b, q->v->ir, ir_scalar(SN_F64));
  }
  ops[n++] = axis_ir;
  return kernel_call(s, rt, call, n, ops, sema_is_float(x->dt) ? x->dt : INT_FLOAT_DT, rank, dims);
}

/* The dtype linear algebra computes in for these matrices: f32 when all are f32, else f64
 * (integers too, as NumPy); f16 and bf16 are refused, as LAPACK, NumPy and PyTorch on a CPU do. */
static bool linalg_dtype(Sema *s, const Builtin *b, Arg *args, int n, SnDtype *dt) {
  *dt = SN_F32;
  for (int k = 0; k < n; k++) {
    Val *v = args[k].v;
    if (v->dt == SN_F16 || v->dt == SN_BF16 || v->dt == SN_BOOL) {
      Diag *g = diag_error(s->diags, args[k].span, "`%s` computes in f32 or f64, not %s", b->name, sema_type_str(s, v));
      diag_hint(s->diags, g, "convert it first, e.g. f32(x)");
      return false;
    }
    if (v->dt != SN_F32) *dt = SN_F64;
  }
  for (int k = 0; k < n; k++) args[k].v = sema_cast(s, args[k].v, *dt, args[k].span);
  return true;
}

/* inv(A), cholesky(A), det(A), ...: A in its float type, then the row's runtime call. */
static Val *b_linalg(Sema *s, const Builtin *b, Arg *args, Node *call) {
  SnDtype dt;
  return linalg_dtype(s, b, args, 1, &dt) ? builtin_runtime(s, b, args, call) : ERR;
}

/* solve(A, b): x with A x = b, for a vector b [n] or a matrix b [n, k]. */
static Val *b_solve(Sema *s, const Builtin *b, Arg *args, Node *call) {
  Val *A = args[0].v, *rhs = args[1].v;
  if (rhs->kind != V_TENSOR || rhs->rank < 1 || rhs->rank > 2 ||
      !sema_dims_match(s, A->dims[0], rhs->dims[0], args[1].span,
                       arena_printf(s->arena, "argument `b` of `solve`: dimension 0 must equal n, the size of A"))) {
    Diag *g = diag_error(s->diags, args[1].span, "argument `b` of `solve`: expected num[n] or num[n, k], got %s",
                         sema_type_str(s, rhs));
    if (rhs->kind == V_TENSOR && rhs->rank >= 1 && rhs->rank <= 2)
      diag_hint(s->diags, g, "`n` is %lld here", (long long)A->dims[0].c);
    return ERR;
  }
  SnDtype dt;
  if (!linalg_dtype(s, b, args, 2, &dt)) return ERR;
  IrValue *ops[2] = {args[0].v->ir, args[1].v->ir};
  Dim dims[2] = {A->dims[0], rhs->rank == 2 ? rhs->dims[1] : A->dims[0]};
  return kernel_call(s, b->data, call, 2, ops, dt, rhs->rank, dims);
}

const Builtin builtins_linalg[] = {
    /* stable, NaN last (NumPy's kind='stable'), along the last axis unless told */
    BUILTIN("sort", "x, axis: int = -1", b_sort, RT_SORT),
    BUILTIN("argsort", "x, axis: int = -1", b_sort, RT_ARGSORT),
    /* as torch.topk along the last axis, ties in index order, NaN the largest; the record's
     * sizes are a vector x's, the handler gives x's other dimensions */
    {"topk", "x, k: int, largest: bool = true", b_topk, RT_TOPK, "{values: num[k], indices: i64[k]}", false},
    /* the last of topk(flatten(x), k) in O(n): a threshold by magnitude (stdlib/merge.dsl) */
    {"kth_largest", "x, k: int", b_kth_largest, RT_KTH_LARGEST, "{value: f64, index: i64}", false},
    /* NumPy's default 'linear' method; q a number or a vector in [0, 1] */
    BUILTIN("quantile", "x, q, axis: int = _", b_quantile, RT_QUANTILE),
    BUILTIN("median", "x, axis: int = _", b_quantile, RT_MEDIAN),
    /* square matrices through LAPACK, in f32 or f64 */
    BUILTIN("solve", "A: num[n, n], b", b_solve, RT_SOLVE),
    {"inv", "A: num[n, n]", b_linalg, RT_INV, "float[n, n]", false},
    {"cholesky", "A: num[n, n]", b_linalg, RT_CHOLESKY, "float[n, n]", false},
    {"det", "A: num[n, n]", b_linalg, RT_DET, "float", false},
    {"slogdet", "A: num[n, n]", b_linalg, RT_SLOGDET, "{sign: float, logabsdet: float}", false},
    /* as numpy.linalg.eigh: ascending values, vectors as columns, from A's lower triangle */
    {"eigh", "A: num[n, n]", b_linalg, RT_EIGH, "{values: float[n], vectors: float[n, n]}", false},
    /* the reduced forms, k = min(m, n) (torch.linalg.svd(full_matrices=False), numpy's qr) */
    {"svd", "A: num[m, n]", b_linalg, RT_SVD, "{U: float[m, k], S: float[k], Vt: float[k, n]}", false},
    {"qr", "A: num[m, n]", b_linalg, RT_QR, "{Q: float[m, k], R: float[k, n]}", false},
    {0},
};
