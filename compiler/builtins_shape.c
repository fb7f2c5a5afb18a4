/* builtins_shape.c: the shape builtins: reshape, flatten, concat, stack (the tensor attributes
 * x.T and x.shape are sema's: sema_shape.c). Each result is a lazy
 * comprehension reading its arguments, as slices are, so nothing is copied unless a consumer
 * needs the tensor stored, and fusion sees through them. */
#include "builtins.h"

#include <string.h>

/* --- reshape and flatten ----------------------------------------------------------------------- */

static bool need_tensor(Sema *s, const Builtin *b, Val *x, Span span, const char *what) {
  if (x->kind == V_TENSOR) return true;
  diag_error(s->diags, span, "`%s` needs a tensor%s, not %s", b->name, what, sema_type_str(s, x));
  return false;
}

/* The number of elements of dims (rank of them), checked to fit 64 bits; *c is the constant when
 * every size is one. */
static IrValue *count(Sema *s, int rank, const Dim *dims, Span span, const char *what, int64_t *c, bool *known) {
  IrValue *sz[SN_MAX_RANK];
  *known = true;
  *c = 1;
  for (int d = 0; d < rank; d++) {
    sz[d] = sema_dim_value(s, dims[d]);
    if (dims[d].sym) *known = false;
    else *c *= dims[d].c;
  }
  IrBuilder save = s->b;
  s->b.span = span;
  IrValue *n = ir_size_product(&s->b, rank, sz, what);
  s->b = save;
  return n;
}

static const char *shape_str(Sema *s, int rank, const Dim *dims, int infer) {
  Buf b = {0};
  buf_puts(&b, "[");
  for (int d = 0; d < rank; d++) buf_printf(&b, "%s%s", d ? ", " : "", d == infer ? "-1" : sema_dim_str(s, dims[d]));
  buf_puts(&b, "]");
  const char *r = arena_strdup(s->arena, b.data);
  buf_free(&b);
  return r;
}

/* A size as a product: its factors that are not constants, and the constants' product. */
#define SHAPE_FACTORS (4 * SN_MAX_RANK)
typedef struct Factors {
  IrValue *v[SHAPE_FACTORS];
  int n;
  int64_t c;
} Factors;

static bool add_factors(IrValue *v, Factors *f) {
  int64_t c;
  v = ir_val(v);
  IrInst *d = v->def;
  if (ir_is_const_int(v, &c)) {
    f->c *= c;
    return true;
  }
  if (d && d->op == IR_BIN && d->sub == BIN_MUL) return add_factors(ir_op(d, 0), f) && add_factors(ir_op(d, 1), f);
  /* a comprehension's extent max(n, 0) is n (a negative size fails its check first) */
  for (int k = 0; d && d->op == IR_BIN && d->sub == BIN_MAX && k < 2; k++)
    if (ir_is_const_int(ir_op(d, k), &c) && c == 0) return add_factors(ir_op(d, 1 - k), f);
  if (f->n == SHAPE_FACTORS) return false;
  f->v[f->n++] = v;
  return true;
}

/* Is a's product a factor of b's: a's factors a sub-multiset of b's (and a's constant of
 * b's)? Equal when both ways. */
static bool divides(const Factors *a, const Factors *b) {
  bool used[SHAPE_FACTORS] = {0};
  for (int i = 0; i < a->n; i++) {
    int j = 0;
    while (j < b->n && (used[j] || b->v[j] != a->v[i])) j++;
    if (j == b->n) return false;
    used[j] = true;
  }
  return a->c != 0 && b->c % a->c == 0;
}

typedef struct ReshapeCtx {
  Val *x;
  int rank;
  Dim dims[SN_MAX_RANK];
  /* blocks of axes with equal products, [x_at[b], x_at[b + 1]) of x's and [at[b], at[b + 1])
   * of the result's, found when sizes show them (a merge [b s, d] of [b, s, d], im2col's
   * [n ho wo, c kh kw]); one block of every axis otherwise */
  int nblocks, x_at[SN_MAX_RANK + 1], at[SN_MAX_RANK + 1];
} ReshapeCtx;

/* Splits the axes of x and of the result into blocks whose sizes have equal products, so that
 * an element's index is unflattened per block (a row and a column of im2col's matrix each give
 * three indices) instead of from one flat position. Sizes of 1 left at the end join the last
 * block; the axes after the last block whose products the sizes show equal are one more block;
 * shapes whose products never meet are one block. */
static void find_blocks(Sema *s, ReshapeCtx *c) {
  int i = 0, k = 0, nb = 0;
  Factors fx = {.c = 1}, fr = {.c = 1};
  c->x_at[0] = c->at[0] = 0;
  for (;;) {
    if (i > c->x_at[nb] && k > c->at[nb] && divides(&fx, &fr) && divides(&fr, &fx)) {
      nb++;
      c->x_at[nb] = i;
      c->at[nb] = k;
      fx = fr = (Factors){.c = 1};
      continue;
    }
    if (i == c->x->rank && k == c->rank) break;
    bool more_x = i < c->x->rank && (k == c->rank || i == c->x_at[nb] || (k > c->at[nb] && divides(&fx, &fr)));
    if (!more_x && k == c->rank) break;
    if (!(more_x ? add_factors(sema_dim_value(s, c->x->dims[i++]), &fx)
                 : add_factors(sema_dim_value(s, c->dims[k++]), &fr)))
      break;
  }
  if (nb > 0 && (i > c->x_at[nb] || k > c->at[nb] || i < c->x->rank || k < c->rank)) {
    bool ones = i == c->x->rank && k == c->rank && !fx.n && fx.c == 1 && !fr.n && fr.c == 1;
    if (ones) {
      c->x_at[nb] = i;
      c->at[nb] = k;
    } else if (c->x_at[nb] < c->x->rank && c->at[nb] < c->rank) {
      /* the axes after the last block: their products are equal too, though the sizes do not
       * show it ([heads, e / heads] into [e]), since the blocks before have equal products and
       * the whole counts are checked equal (or a block is empty and nothing is read) */
      nb++;
      c->x_at[nb] = c->x->rank;
      c->at[nb] = c->rank;
    } else {
      nb = 0;
    }
  }
  if (nb == 0) {
    nb = 1;
    c->x_at[1] = c->x->rank;
    c->at[1] = c->rank;
  }
  c->nblocks = nb;
}

/* element (i0, i1, ...) of the result is x's at the same row-major position: in each block, the
 * result's indices flattened and unflattened into x's */
static Val *reshape_body(Sema *s, Val **idx, Span span, void *vctx) {
  (void)span;
  ReshapeCtx *c = vctx;
  IrValue *xi[SN_MAX_RANK];
  for (int b = 0; b < c->nblocks; b++) {
    IrValue *pos = idx[c->at[b]]->ir;
    for (int d = c->at[b] + 1; d < c->at[b + 1]; d++)
      pos = ir_bin(&s->b, BIN_ADD, ir_bin(&s->b, BIN_MUL, pos, sema_dim_value(s, c->dims[d])), idx[d]->ir);
    for (int d = c->x_at[b + 1] - 1; d > c->x_at[b]; d--) {
      IrValue *n = sema_dim_value(s, c->x->dims[d]);
      xi[d] = ir_bin(&s->b, BIN_REM, pos, n);
      pos = ir_bin(&s->b, BIN_DIV, pos, n);
    }
    xi[c->x_at[b]] = pos;
  }
  return sema_elem(s, c->x, xi);
}

/* x with the dimensions c->dims (as many elements), or x itself when they are its own. */
static Val *reshaped(Sema *s, Val *x, ReshapeCtx *c, Span span) {
  bool same = c->rank == x->rank;
  for (int d = 0; same && d < c->rank; d++) same = sema_dims_equal(c->dims[d], x->dims[d]);
  if (same) return x;
  c->x = x;
  find_blocks(s, c);
  return sema_compr(s, x->dt, c->rank, c->dims, reshape_body, c, span);
}

/* The sizes of reshape's shape: [d0, d1, ...], a single size, or a value's shape (y.shape); one
 * of them may be -1, which *infer gives the position of. */
static bool new_shape(Sema *s, Node *n, ReshapeCtx *c, int *infer) {
  *infer = -1;
  if (n->kind != A_LIST) {
    Val *v = sema_expr(s, n);
    if (v->kind == V_ERROR) return false;
    if (v->shape_of) {
      c->rank = v->shape_of->rank;
      memcpy(c->dims, v->shape_of->dims, sizeof c->dims);
      return true;
    }
    c->rank = 1;
    return sema_size(s, v, n->span, &c->dims[0]);
  }
  if (n->list.n > SN_MAX_RANK || n->list.n == 0) {
    diag_error(s->diags, n->span, "a shape has 1 to %d sizes", SN_MAX_RANK);
    return false;
  }
  c->rank = n->list.n;
  for (int d = 0; d < c->rank; d++) {
    Node *e = n->list.items[d];
    if (e->kind == A_UNARY && e->op == OP_NEG && e->a->kind == A_INT && e->a->ival == 1) {
      if (*infer >= 0) {
        diag_error(s->diags, e->span, "only one size of a shape may be -1");
        return false;
      }
      *infer = d;
      c->dims[d] = sema_dim_const(1);
      continue;
    }
    if (!sema_size(s, sema_expr(s, e), e->span, &c->dims[d])) return false;
  }
  return true;
}

/* reshape(x, [d0, d1, ...]): x's elements in row-major order, as NumPy's reshape; one size may
 * be -1, the one the others leave. */
static Val *b_reshape(Sema *s, const Builtin *b, Arg *args, Node *call) {
  Val *x = args[0].v;
  if (!need_tensor(s, b, x, args[0].span, "")) return ERR;
  ReshapeCtx c;
  int infer;
  if (!new_shape(s, args[1].node, &c, &infer)) return ERR;
  const char *from = sema_type_str(s, x), *to = shape_str(s, c.rank, c.dims, infer);
  int64_t have, want;
  bool have_known, want_known;
  IrValue *nx = count(s, x->rank, x->dims, call->span, arena_printf(s->fn->arena, "reshape: the number of elements of %s overflows 64 bits", from), &have, &have_known);
  IrValue *nw = count(s, c.rank, c.dims, call->span, arena_printf(s->fn->arena, "reshape: the number of elements of %s overflows 64 bits", to), &want, &want_known);
  if (have_known && want_known && (infer < 0 ? have != want : want == 0 ? have != 0 : have % want != 0)) {
    Diag *g = diag_error(s->diags, call->span, "cannot reshape %s (%lld elements) into %s", from, (long long)have, to);
    if (infer < 0) diag_hint(s->diags, g, "the shapes must hold as many elements; one size may be -1 to take the rest");
    else diag_hint(s->diags, g, "%lld is not a multiple of %lld, the product of the other sizes", (long long)have, (long long)want);
    return ERR;
  }
  const char *what = arena_printf(s->fn->arena, "reshape of %s into %s: the numbers of elements", from, to);
  if (infer >= 0) {
    /* the rest: nx / (the others), which must divide it (nothing is left when they are 0) */
    IrValue *q = ir_bin(&s->b, BIN_DIV, nx, ir_bin(&s->b, BIN_MAX, nw, ir_const_i64(&s->b, 1)));
    c.dims[infer] = sema_dim_of_value(s, q, arena_printf(s->arena, "%s/%s", sema_src_text(s, args[0].span), to));
    nw = ir_bin(&s->b, BIN_MUL, q, nw);
    want_known = false;
  }
  if (!(have_known && want_known)) {
    IrValue *ops[2] = {nx, nw};
    IrBuilder save = s->b;
    s->b.span = call->span;
    ir_check(&s->b, CHECK_DIMS, 2, ops, what);
    s->b = save;
  }
  return reshaped(s, x, &c, call->span);
}

/* flatten(x): x's elements in a vector, row-major (NumPy's ravel; a view where it can be) */
static Val *number_body(Sema *s, Val **idx, Span span, void *ctx) {
  (void)s, (void)idx, (void)span;
  return ctx;
}

/* flatten(x): x's elements in row-major order; a number is a vector of one (NumPy's ravel). */
static Val *b_flatten(Sema *s, const Builtin *b, Arg *args, Node *call) {
  Val *x = args[0].v;
  if (x->kind == V_SCALAR) return sema_compr(s, x->dt, 1, (Dim[]){sema_dim_const(1)}, number_body, x, call->span);
  if (!need_tensor(s, b, x, args[0].span, "")) return ERR;
  ReshapeCtx c = {.rank = 1};
  int64_t n;
  bool known;
  IrValue *nv = count(s, x->rank, x->dims, call->span, arena_printf(s->fn->arena, "flatten: the number of elements of %s overflows 64 bits", sema_type_str(s, x)), &n, &known);
  c.dims[0] = known ? sema_dim_const(n) : sema_dim_of_value(s, nv, arena_printf(s->arena, "numel(%s)", sema_src_text(s, args[0].span)));
  return reshaped(s, x, &c, call->span);
}

/* --- concat and stack -------------------------------------------------------------------------- */

/* The tensors given to concat or stack, evaluated, and their common element type. */
typedef struct JoinCtx {
  int n;
  Val **xs;
  SnDtype dt;
  int axis;
  bool stack;
  IrValue **off; /* concat: where each argument starts along the axis; off[n] is the total */
} JoinCtx;

/* The element of argument j at the result's indices: along the axis, concat's index less the
 * offset of j; stack's axis is left out. */
static IrValue *join_elem(Sema *s, JoinCtx *c, int j, Val **idx, Span span) {
  IrValue *xi[SN_MAX_RANK];
  for (int d = 0, k = 0; k < c->xs[j]->rank; d++) {
    if (c->stack && d == c->axis) continue;
    xi[k] = idx[d]->ir;
    if (!c->stack && d == c->axis) xi[k] = ir_bin(&s->b, BIN_SUB, xi[k], c->off[j]);
    k++;
  }
  Val *e = sema_cast(s, c->xs[j]->kind == V_SCALAR ? c->xs[j] : sema_elem(s, c->xs[j], xi), c->dt, span);
  return ir_cast(&s->b, e->ir, ir_scalar(sema_compute_dtype(c->dt)));
}

/* if (the index is in argument j) then its element else the next's: only that argument is read,
 * so no index passes the end of another */
static IrValue *join_pick(Sema *s, JoinCtx *c, int j, Val **idx, Span span) {
  if (j == c->n - 1) return join_elem(s, c, j, idx, span);
  IrValue *i = idx[c->axis]->ir;
  IrValue *in_j = c->stack ? ir_cmp(&s->b, CMP_EQ, i, ir_const_i64(&s->b, j)) : ir_cmp(&s->b, CMP_LT, i, c->off[j + 1]);
  IrBuilder save = s->b;
  IrInst *branch = ir_emit(&s->b, IR_IF, 1, &in_j, 0, NULL, 2);
  ir_set_results(s->fn, branch, 1);
  branch->res[0]->type = ir_scalar(sema_compute_dtype(c->dt));
  s->b.before = NULL;
  for (int r = 0; r < 2; r++) {
    s->b.block = branch->regions[r];
    IrValue *v = r == 0 ? join_elem(s, c, j, idx, span) : join_pick(s, c, j + 1, idx, span);
    ir_yield(&s->b, 1, &v);
  }
  s->b = save;
  return branch->res[0];
}

static Val *join_body(Sema *s, Val **idx, Span span, void *vctx) {
  JoinCtx *c = vctx;
  return sema_scalar(s, c->dt, false, join_pick(s, c, 0, idx, span));
}

/* concat(a, b, ..., axis=0) and stack(a, b, ..., axis=0) (`data`: 1 for stack), NumPy's
 * concatenate and stack: the sizes off the axis (every size, for stack) must agree; stack of
 * numbers is a vector (a map's rank-0 tensors are numbers). */
static Val *b_join(Sema *s, const Builtin *b, Arg *args, Node *call) {
  JoinCtx c = {.stack = b->data != 0};
  Node **nodes = arena_alloc(s->arena, (size_t)(call->list.n + 1) * sizeof *nodes);
  for (int i = 0; i < call->list.n; i++)
    if (((Node *)call->list.items[i])->kind != A_KWARG) nodes[c.n++] = call->list.items[i];
  if (c.n == 0) {
    Diag *g = diag_error(s->diags, call->span, "`%s` needs the tensors to join", b->name);
    diag_hint(s->diags, g, "%s(a, b, axis=0)", b->name);
    return ERR;
  }
  c.xs = arena_alloc(s->arena, (size_t)c.n * sizeof *c.xs);
  for (int j = 0; j < c.n; j++) {
    c.xs[j] = sema_expr(s, nodes[j]);
    if (c.xs[j]->kind == V_ERROR) return ERR;
    /* stack of numbers is a vector, as NumPy's */
    if (c.stack && c.xs[j]->kind == V_SCALAR) continue;
    if (!need_tensor(s, b, c.xs[j], nodes[j]->span, arena_printf(s->arena, " (argument %d)", j + 1))) return ERR;
  }
  Val *x0 = c.xs[0];
  int rank = x0->rank + c.stack;
  if (rank > SN_MAX_RANK) {
    diag_error(s->diags, call->span, "a tensor has at most %d dimensions", SN_MAX_RANK);
    return ERR;
  }
  int64_t axis = 0;
  if (!ir_is_const_int(args[0].v->ir, &axis)) {
    diag_error(s->diags, args[0].span, "the axis must be a constant integer");
    return ERR;
  }
  if (axis < -rank || axis >= rank) {
    diag_error(s->diags, args[0].span, "axis %lld is out of range for %s of %s (%d dimension%s)", (long long)axis,
               b->name, sema_type_str(s, x0), rank, rank == 1 ? "" : "s");
    return ERR;
  }
  c.axis = (int)(axis < 0 ? axis + rank : axis);
  c.dt = x0->dt;
  bool weak = x0->weak;
  for (int j = 1; j < c.n; j++) {
    Val *x = c.xs[j];
    Val acc = *x0;
    acc.dt = c.dt, acc.weak = weak;
    if (!sema_promote(s, &acc, x, &c.dt, &weak, nodes[j]->span, b->name)) return ERR;
    if (x->rank != x0->rank) {
      Diag *g = diag_error(s->diags, nodes[j]->span, "`%s` needs tensors of one rank: argument %d is %s, argument 1 is %s",
                           b->name, j + 1, sema_type_str(s, x), sema_type_str(s, x0));
      diag_hint(s->diags, g, "add a dimension with reshape, e.g. reshape(v, [1, -1])");
      return ERR;
    }
    for (int d = 0; d < x0->rank; d++) {
      if (!c.stack && d == c.axis) continue;
      const char *what = arena_printf(s->fn->arena, "%s: dimension %d of argument 1 (%s) and of argument %d (%s)", b->name, d,
                                      sema_src_text(s, nodes[0]->span), j + 1, sema_src_text(s, nodes[j]->span));
      if (sema_dims_match(s, x0->dims[d], x->dims[d], nodes[j]->span, what)) continue;
      Diag *g = diag_error(s->diags, nodes[j]->span, "`%s`: argument %d is %s, which differs from argument 1 (%s) in dimension %d (%s vs %s)",
                           b->name, j + 1, sema_type_str(s, x), sema_type_str(s, x0), d, sema_dim_str(s, x->dims[d]), sema_dim_str(s, x0->dims[d]));
      if (c.stack) diag_hint(s->diags, g, "stack needs tensors of one shape");
      else diag_hint(s->diags, g, "only dimension %d (the axis) may differ", c.axis);
      return ERR;
    }
  }
  Dim dims[SN_MAX_RANK];
  for (int d = 0, k = 0; d < rank; d++) dims[d] = c.stack && d == c.axis ? sema_dim_const(c.n) : x0->dims[k++];
  if (!c.stack) {
    c.off = arena_alloc(s->arena, (size_t)(c.n + 1) * sizeof *c.off);
    c.off[0] = ir_const_i64(&s->b, 0);
    bool known = true;
    int64_t total = 0;
    for (int j = 0; j < c.n; j++) {
      Dim dj = c.xs[j]->dims[c.axis];
      known &= !dj.sym;
      total += dj.c;
      c.off[j + 1] = ir_bin(&s->b, BIN_ADD, c.off[j], sema_dim_value(s, dj));
    }
    dims[c.axis] = known ? sema_dim_const(total)
                         : sema_dim_of_value(s, c.off[c.n], arena_printf(s->arena, "%s(...)[%d]", b->name, c.axis));
  }
  return sema_compr(s, c.dt, rank, dims, join_body, &c, call->span);
}

/* --- the table ----------------------------------------------------------------------------------- */

const Builtin builtins_shape[] = {
    BUILTIN("reshape", "x, shape: syntax", b_reshape, 0),
    BUILTIN("flatten", "x", b_flatten, 0),
    /* the tensors are the positional arguments; axis is given by name */
    {"concat", "axis: int = 0", b_join, 0, NULL, true},
    {"stack", "axis: int = 0", b_join, 1, NULL, true},
    {0},
};
