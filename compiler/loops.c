/* loops.c: lowering of the tensor-level operations that fusion left to explicit loops.
 *
 *   compr [n, m] (i, j) { v }   ->  t = alloc [n, m]; for i (parallel) { for j { store t[i*m+j] = v } }
 *   reduce.sum [n] (k) { v }    ->  for k iter(acc = 0) { yield acc + v }      (parallel at top level)
 *   reduce.lse [n] (k) { v }    ->  tiles of LSE_TILE values: max of the tile, then a sum of
 *                                   exp(v - max) rescaled when the running max grows (one pass,
 *                                   one exp per element, stable for any input)
 *   compr [n] (i) { lse(j) v }  ->  rows LSE_ROWS at a time when v also reads data that every row
 *                                   shares (lse_rows_apply): one fill loop for all of them
 *   elem t[i, j]                ->  load data(t)[i * size(t, 1) + j]
 */
#include "passes.h"

#include <math.h>
#include <string.h>

/* Values per lse tile: 16 KB of f64 stays in L1 next to the body's operands, and is long enough
 * for the vectorised max loop and the exp-sum kernel to amortise their setup. */
#define LSE_TILE 2048
/* Rows of a comprehension computed together when its body is an lse that reads data shared by
 * every row (see lse_rows_apply). */
#define LSE_ROWS 4
/* Copies of a comprehension's body computed together at most: LSE_ROWS rows of an lse, or a
 * vector of columns of a sum (sum_cols: 64 bytes of f32). */
#define MAX_JAM 16
_Static_assert(LSE_ROWS <= MAX_JAM && SN_SUM_COLS_BYTES / 4 <= MAX_JAM, "jam_copies' buffers");
/* Values a lowered loop carries at most: an lse's (max, sum) for LSE_ROWS rows. */
#define MAX_CARRIED (2 * LSE_ROWS)

typedef struct TensorInfo {
  IrValue *data;
  IrValue *dims[SN_MAX_RANK];
} TensorInfo;

typedef struct Lower {
  IrFunc *fn;
  Arena scratch;
} Lower;

static SnDtype compute_of(SnDtype dt) { return dt == SN_F16 || dt == SN_BF16 ? SN_F32 : dt; }

/* The data pointer and sizes of a tensor, computed once right after the tensor is defined. */
static TensorInfo *tinfo(Lower *l, IrValue *t) {
  t = ir_val(t);
  if (t->aux) return t->aux;
  TensorInfo *ti = NEW(&l->scratch, TensorInfo);
  IrBuilder b = {.fn = l->fn};
  if (t->def) {
    b.block = t->def->parent;
    b.before = t->def->next;
    b.span = t->def->span;
  } else {
    b.block = t->block;
    b.before = t->block->first;
  }
  IrType pt = ir_ptr((SnDtype)t->type.dtype);
  ti->data = ir_emit(&b, IR_DATA, 1, &t, 1, &pt, 0)->res[0];
  for (int d = 0; d < t->type.rank; d++) {
    if (t->dims) ti->dims[d] = ir_val(t->dims[d]);
    else if (t->def && t->def->op == IR_ALLOC) ti->dims[d] = ir_op(t->def, d);
    else ti->dims[d] = ir_dim(&b, t, d);
  }
  t->aux = ti;
  return ti;
}

/* Row-major offset of (idx...) in a tensor of the given sizes. */
static IrValue *linear(IrBuilder *b, int rank, IrValue **dims, IrValue **idx) {
  if (rank == 0) return ir_const_i64(b, 0);
  IrValue *off = idx[0];
  for (int d = 1; d < rank; d++) off = ir_bin(b, BIN_ADD, ir_bin(b, BIN_MUL, off, dims[d]), idx[d]);
  return off;
}

static IrValue *load_elem(Lower *l, IrBuilder *b, IrValue *t, IrValue **idx) {
  TensorInfo *ti = tinfo(l, t);
  IrValue *off = linear(b, ir_val(t)->type.rank, ti->dims, idx);
  SnDtype dt = (SnDtype)ir_val(t)->type.dtype;
  IrValue *ops[2] = {ti->data, off};
  IrType st = ir_scalar(dt);
  IrValue *v = ir_emit(b, IR_LOAD, 2, ops, 1, &st, 0)->res[0];
  if (dt != compute_of(dt)) v = ir_cast(b, v, ir_scalar(compute_of(dt)));
  return v;
}

/* A FOR over [lo, hi) carrying `n` <= MAX_CARRIED values; returns it, its region's builder in
 * *inner. */
static IrInst *for_loop(IrBuilder *b, IrValue *lo, IrValue *hi, int n, IrValue **inits, IrBuilder *inner) {
  IrValue *ops[2 + MAX_CARRIED];
  IrType types[MAX_CARRIED] = {{0}};
  ops[0] = lo;
  ops[1] = hi;
  for (int i = 0; i < n; i++) {
    ops[2 + i] = inits[i];
    types[i] = ir_val(inits[i])->type;
  }
  IrInst *f = ir_emit(b, IR_FOR, 2 + n, ops, n, types, 1);
  IrBlock *r = f->regions[0];
  ir_block_arg(b->fn, r, ir_i64);
  for (int i = 0; i < n; i++) ir_block_arg(b->fn, r, types[i]);
  *inner = (IrBuilder){.fn = b->fn, .block = r, .span = b->span};
  return f;
}

/* Is `in` inside a loop (so that a parallel loop there would nest)? */
static bool inside_loop(IrInst *in) {
  for (IrBlock *b = in->parent; b && b->parent; b = b->parent->parent) {
    IrOp op = b->parent->op;
    if (op == IR_FOR || op == IR_COMPR || op == IR_REDUCE) return true;
  }
  return false;
}

/* --- reductions ------------------------------------------------------------------------------- */

static IrValue *typed_const(IrBuilder *b, IrType t, double v) {
  if (ir_is_float(t)) return ir_const_f(b, (SnDtype)t.dtype, v);
  if (t.dtype == SN_BOOL) return ir_const_bool(b, v != 0);
  if (isinf(v)) {
    int64_t big = t.dtype == SN_I32 ? INT32_MAX : t.dtype == SN_I8 ? INT8_MAX : t.dtype == SN_U8 ? UINT8_MAX : INT64_MAX;
    int64_t small = t.dtype == SN_I32 ? INT32_MIN : t.dtype == SN_I8 ? INT8_MIN : t.dtype == SN_U8 ? 0 : INT64_MIN;
    return ir_const(b, t, 0, v > 0 ? big : small);
  }
  return ir_const(b, t, 0, (int64_t)v);
}

/* Builds the loop nest of a reduction: loops over every index but the last carry the state; the
 * innermost loop is built by `inner`, which gets the indices so far and the carried state. */
typedef void (*InnerFn)(Lower *l, IrBuilder *b, IrInst *red, IrValue **idx, IrValue **state, IrValue **out, void *ctx);

static void nest(Lower *l, IrBuilder *b, IrInst *red, int depth, IrValue **idx, int nstate, IrValue **state,
                 IrValue **out, InnerFn inner, void *ctx, IrInst **outer) {
  int rank = red->nops;
  if (depth == rank - 1) {
    inner(l, b, red, idx, state, out, ctx);
    return;
  }
  IrBuilder nb;
  IrInst *f = for_loop(b, ir_const_i64(b, 0), ir_op(red, depth), nstate, state, &nb);
  if (outer && !*outer) *outer = f;
  idx[depth] = f->regions[0]->args[0];
  IrValue *st[8], *res[8];
  for (int i = 0; i < nstate; i++) st[i] = f->regions[0]->args[1 + i];
  nest(l, &nb, red, depth + 1, idx, nstate, st, res, inner, ctx, NULL);
  ir_yield(&nb, nstate, res);
  for (int i = 0; i < nstate; i++) out[i] = f->res[i];
}

typedef struct SimpleCtx {
  IrBinOp op;
  IrType acc; /* the accumulator's type */
  bool reassoc;
  IrInst **innermost;
} SimpleCtx;

static void simple_inner(Lower *l, IrBuilder *b, IrInst *red, IrValue **idx, IrValue **state, IrValue **out, void *vctx) {
  (void)l;
  SimpleCtx *c = vctx;
  int last = red->nops - 1;
  IrBuilder nb;
  IrInst *f = for_loop(b, ir_const_i64(b, 0), ir_op(red, last), 1, state, &nb);
  if (c->innermost && !*c->innermost) *c->innermost = f;
  idx[last] = f->regions[0]->args[0];
  IrValue *v = NULL;
  ir_inline_region(&nb, red->regions[0], idx, &v, 1);
  v = ir_cast(&nb, v, c->acc);
  IrValue *acc = ir_bin(&nb, c->op, f->regions[0]->args[1], v);
  if (c->reassoc && acc->def) acc->def->flags |= IRF_REASSOC;
  ir_yield(&nb, 1, &acc);
  out[0] = f->res[0];
}

typedef struct ArgCtx {
  bool is_max;
} ArgCtx;

/* argmax/argmin: carries (best value, its flat index); the first extreme wins, and NaN counts as
 * the extreme (as NumPy's argmax returns the first NaN). */
static void arg_inner(Lower *l, IrBuilder *b, IrInst *red, IrValue **idx, IrValue **state, IrValue **out, void *vctx) {
  (void)l;
  ArgCtx *c = vctx;
  int last = red->nops - 1;
  IrBuilder nb;
  IrInst *f = for_loop(b, ir_const_i64(b, 0), ir_op(red, last), 2, state, &nb);
  idx[last] = f->regions[0]->args[0];
  IrValue *v = NULL;
  ir_inline_region(&nb, red->regions[0], idx, &v, 1);
  IrValue *best = f->regions[0]->args[1], *bidx = f->regions[0]->args[2];
  IrValue *dims[SN_MAX_RANK];
  for (int d = 0; d < red->nops; d++) dims[d] = ir_op(red, d);
  IrValue *lin = linear(&nb, red->nops, dims, idx);
  IrValue *better = ir_cmp(&nb, c->is_max ? CMP_GT : CMP_LT, v, best);
  if (ir_is_float(ir_val(v)->type)) {
    IrValue *vnan = ir_math(&nb, MF_ISNAN, v, NULL), *bnan = ir_math(&nb, MF_ISNAN, best, NULL);
    IrValue *take_nan = ir_bin(&nb, BIN_AND, vnan, ir_not(&nb, bnan));
    better = ir_bin(&nb, BIN_OR, ir_bin(&nb, BIN_AND, better, ir_not(&nb, bnan)), take_nan);
  }
  IrValue *y[2] = {ir_select(&nb, better, v, best), ir_select(&nb, better, lin, bidx)};
  ir_yield(&nb, 2, y);
  out[0] = f->res[0];
  out[1] = f->res[1];
}

/* --- float sums and products: one order on every path ------------------------------------------
 * A float sum of the terms of one index is computed in the order runtime/core/sum.c defines, by
 * compiled code and the interpreter alike, so they agree to the bit (docs/language.md,
 * "Reductions"): the terms are stored a leaf of SN_SUM_LEAF at a time into a buffer whose sum
 * sn_sum_leaf computes, and the leaves combine in a balanced tree. Fewer than SN_SUM_LANES cheap
 * terms are added in order inline, which is the same order. Over several indices the innermost
 * sums first: sum(i, j) is the sum over i of the sums over j. Products are the same with *. A
 * top-level sum runs on threads in chunks of 2^p leaves, whose subtrees combine in the same tree,
 * so the bits do not depend on the chunks. */
#define SUM_STACK 64 /* the tree's pending subtrees, one per level (sn_sum_push) */
#define SUM_CHUNKS 64 /* parallel chunks at most (sn_sum_chunk) */
/* A parallel chunk's work at least, in instructions weighted by ir_work_of: about 10 us, more
 * than waking a thread costs (8 chunks or more run on threads, as other loops: codegen_llvm.c's
 * PARALLEL_MIN_CHUNKS). 32768 terms of a stored vector, 196 values of sin. */
#define SUM_CHUNK_WORK 32768

typedef struct Sum {
  IrInst *red;
  IrBinOp op; /* BIN_ADD or BIN_MUL */
  IrType t;   /* the accumulator: f32 or f64 */
  IrValue *idx[SN_MAX_RANK];
} Sum;

/* Where terms come from: stored (buf[j]), or index `depth` of the reduction. */
typedef struct Terms {
  int depth;
  IrValue *buf;
} Terms;

static IrValue *sum_range(Sum *s, IrBuilder *b, Terms src, IrValue *lo, IrValue *hi);

static IrValue *scratch(IrBuilder *b, SnDtype dt, int64_t n) {
  IrInst *in = ir_emit(b, IR_SCRATCH, 0, NULL, 1, &(IrType){IRT_PTR, (uint8_t)dt, 0}, 0);
  in->imm.i = n;
  return in->res[0];
}

static void store_at(IrBuilder *b, IrValue *ptr, IrValue *off, IrValue *v) {
  IrValue *ops[3] = {ptr, off, v};
  ir_emit(b, IR_STORE, 3, ops, 0, NULL, 0);
}

static IrValue *load_at(IrBuilder *b, IrValue *ptr, IrValue *off) {
  IrValue *ops[2] = {ptr, off};
  IrType t = ir_scalar((SnDtype)ir_val(ptr)->type.dtype);
  return ir_emit(b, IR_LOAD, 2, ops, 1, &t, 0)->res[0];
}

/* A loop over [0, count), its body's builder in *lb. */
static IrInst *count_loop(IrBuilder *b, IrValue *count, IrBuilder *lb) {
  return for_loop(b, ir_const_i64(b, 0), count, 0, NULL, lb);
}

/* Are terms of src costly: whole sums (an outer index), or a body with loops? Those are never
 * added inline, so their code is never copied. */
static bool costly(Sum *s, Terms src) {
  return !src.buf && (src.depth < s->red->nops - 1 || ir_contains_reduction(s->red->regions[0]));
}

/* Term j: stored, or the reduction's body, or the sum over the next index. */
static IrValue *sum_term(Sum *s, IrBuilder *b, Terms src, IrValue *j) {
  if (src.buf) return load_at(b, src.buf, j);
  s->idx[src.depth] = j;
  if (src.depth < s->red->nops - 1)
    return sum_range(s, b, (Terms){src.depth + 1, NULL}, ir_const_i64(b, 0), ir_op(s->red, src.depth + 1));
  IrValue *v = NULL;
  ir_inline_region(b, s->red->regions[0], s->idx, &v, 1);
  return ir_cast(b, v, s->t);
}

static IrValue *mul_flag(Sum *s, IrBuilder *b) { return ir_const_bool(b, s->op == BIN_MUL); }

/* Terms [lo, lo + n) added in order from +0.0 (fewer than SN_SUM_LANES: a leaf's own order). */
static IrValue *sum_in_order(Sum *s, IrBuilder *b, Terms src, IrValue *lo, IrValue *n) {
  IrValue *acc = ir_const_f(b, (SnDtype)s->t.dtype, s->op == BIN_MUL ? 1.0 : 0.0);
  IrBuilder tb;
  IrInst *f = for_loop(b, ir_const_i64(b, 0), n, 1, &acc, &tb);
  IrValue *t = sum_term(s, &tb, src, ir_bin(&tb, BIN_ADD, lo, f->regions[0]->args[0]));
  IrValue *v = ir_bin(&tb, s->op, f->regions[0]->args[1], t);
  ir_yield(&tb, 1, &v);
  return f->res[0];
}

/* The leaf of terms [base, base + len): stored into buf (unless src is stored), then summed. */
static IrValue *sum_leaf(Sum *s, IrBuilder *b, Terms src, IrValue *buf, IrValue *base, IrValue *len) {
  IrValue *args[4] = {src.buf, base, len, mul_flag(s, b)};
  if (!src.buf) {
    IrBuilder jb;
    IrValue *j = count_loop(b, len, &jb)->regions[0]->args[0];
    store_at(&jb, buf, j, sum_term(s, &jb, src, ir_bin(&jb, BIN_ADD, base, j)));
    ir_yield(&jb, 0, NULL);
    args[0] = buf;
    args[1] = ir_const_i64(b, 0);
  }
  return ir_call(b, s->t.dtype == SN_F64 ? RT_SUM_LEAF : RT_SUM_LEAFF, 4, args);
}

/* The sum (or product) of terms [lo, lo + n) as leaves, lo a multiple of SN_SUM_LEAF (leaves
 * counted from lo); b builds it. */
static IrValue *sum_leaves(Sum *s, IrBuilder *b, Terms src, IrValue *lo, IrValue *n) {
  SnDtype dt = (SnDtype)s->t.dtype;
  int64_t cn;
  IrValue *buf = src.buf ? NULL : scratch(b, dt, SN_SUM_LEAF);
  if (ir_is_const_int(n, &cn) && cn <= SN_SUM_LEAF) return sum_leaf(s, b, src, buf, lo, n);
  IrValue *cleaf = ir_const_i64(b, SN_SUM_LEAF), *stack = scratch(b, dt, SUM_STACK);
  IrValue *leaves = ir_bin(b, BIN_DIV, ir_bin(b, BIN_ADD, n, ir_const_i64(b, SN_SUM_LEAF - 1)), cleaf);
  IrBuilder kb;
  IrValue *k = count_loop(b, leaves, &kb)->regions[0]->args[0], *off = ir_bin(&kb, BIN_MUL, k, cleaf);
  IrValue *len = ir_bin(&kb, BIN_MIN, cleaf, ir_bin(&kb, BIN_SUB, n, off));
  IrValue *pargs[4] = {stack, k, sum_leaf(s, &kb, src, buf, ir_bin(&kb, BIN_ADD, lo, off), len), mul_flag(s, &kb)};
  ir_call(&kb, dt == SN_F64 ? RT_SUM_PUSH : RT_SUM_PUSHF, 4, pargs);
  ir_yield(&kb, 0, NULL);
  IrValue *fargs[3] = {stack, leaves, mul_flag(s, b)};
  return ir_call(b, dt == SN_F64 ? RT_SUM_FOLD : RT_SUM_FOLDF, 3, fargs);
}

/* The sum (or product) of terms [lo, hi), lo a multiple of SN_SUM_LEAF. Fewer than
 * SN_SUM_LANES cheap terms are added inline in order (a leaf's own order): when their number is
 * known only at run time, the body is copied into both branches. */
static IrValue *sum_range(Sum *s, IrBuilder *b, Terms src, IrValue *lo, IrValue *hi) {
  SnDtype dt = (SnDtype)s->t.dtype;
  IrValue *n = ir_bin(b, BIN_SUB, hi, lo);
  int64_t cn;
  bool known = ir_is_const_int(n, &cn);
  if (known && cn == 0) return ir_const_f(b, dt, s->op == BIN_MUL ? 1.0 : 0.0);
  /* a known short count is a loop either way; costly terms (sums of their own) go inline only
   * then, since a count known at run time would copy them into both branches */
  if (known && cn < SN_SUM_LANES && !src.buf) return sum_in_order(s, b, src, lo, n);
  bool inline_short = !costly(s, src) && !src.buf;
  if (known || !inline_short) return sum_leaves(s, b, src, lo, n);
  IrValue *few = ir_cmp(b, CMP_LT, n, ir_const_i64(b, SN_SUM_LANES));
  IrInst *in = ir_emit(b, IR_IF, 1, &few, 1, &s->t, 2);
  IrBuilder tb = {.fn = b->fn, .block = in->regions[0], .span = b->span};
  IrValue *v = sum_in_order(s, &tb, src, lo, n);
  ir_yield(&tb, 1, &v);
  IrBuilder eb = {.fn = b->fn, .block = in->regions[1], .span = b->span};
  v = sum_leaves(s, &eb, src, lo, n);
  ir_yield(&eb, 1, &v);
  return in->res[0];
}

/* A top-level sum, its work spread over threads without changing a bit, in loops outlined from
 * the program's function (which is optimised for size). Costly terms are computed in a parallel
 * loop (chunked as codegen sees fit) into a vector, which is then summed like cheap terms: in
 * chunks of 2^p leaves, each chunk giving its subtree, combined in the same tree. */
static IrValue *sum_parallel(Lower *l, Sum *s, IrBuilder *b, Terms src) {
  SnDtype dt = (SnDtype)s->t.dtype;
  IrValue *n = ir_op(s->red, 0), *cleaf = ir_const_i64(b, SN_SUM_LEAF);
  if (costly(s, src)) {
    IrType tt = ir_tensor(dt, 1);
    IrValue *data = tinfo(l, ir_emit(b, IR_ALLOC, 1, &n, 1, &tt, 0)->res[0])->data;
    IrBuilder ib;
    IrInst *f = count_loop(b, n, &ib);
    f->flags |= IRF_PARALLEL;
    IrValue *i = f->regions[0]->args[0];
    store_at(&ib, data, i, sum_term(s, &ib, src, i));
    ir_yield(&ib, 0, NULL);
    return sum_parallel(l, s, b, (Terms){0, data});
  }
  IrValue *leaves = ir_bin(b, BIN_DIV, ir_bin(b, BIN_ADD, n, ir_const_i64(b, SN_SUM_LEAF - 1)), cleaf);
  /* chunks of about SUM_CHUNK_WORK weighted instructions, whole leaves */
  int64_t work = src.buf ? 1 : ir_block_work(s->red->regions[0]);
  int64_t least = SUM_CHUNK_WORK / (work * SN_SUM_LEAF);
  IrValue *cargs[2] = {leaves, ir_const_i64(b, least > 1 ? least : 1)};
  IrValue *per = ir_call(b, RT_SUM_CHUNK, 2, cargs);
  IrValue *nch = ir_bin(b, BIN_DIV, ir_bin(b, BIN_ADD, leaves, ir_bin(b, BIN_SUB, per, ir_const_i64(b, 1))), per);
  IrValue *parts = scratch(b, dt, SUM_CHUNKS), *span = ir_bin(b, BIN_MUL, per, cleaf);
  IrBuilder cb;
  IrInst *f = count_loop(b, nch, &cb);
  f->flags |= IRF_PARALLEL | IRF_CHUNKS;
  IrValue *c = f->regions[0]->args[0], *lo = ir_bin(&cb, BIN_MUL, c, span);
  IrValue *hi = ir_bin(&cb, BIN_MIN, ir_bin(&cb, BIN_ADD, lo, span), n);
  store_at(&cb, parts, c, sum_leaves(s, &cb, src, lo, ir_bin(&cb, BIN_SUB, hi, lo)));
  ir_yield(&cb, 0, NULL);
  IrValue *stack = scratch(b, dt, SUM_STACK);
  IrBuilder pb;
  IrValue *k = count_loop(b, nch, &pb)->regions[0]->args[0];
  IrValue *pargs[4] = {stack, k, load_at(&pb, parts, k), mul_flag(s, &pb)};
  ir_call(&pb, dt == SN_F64 ? RT_SUM_PUSH : RT_SUM_PUSHF, 4, pargs);
  ir_yield(&pb, 0, NULL);
  IrValue *fargs[3] = {stack, nch, mul_flag(s, b)};
  return ir_call(b, dt == SN_F64 ? RT_SUM_FOLD : RT_SUM_FOLDF, 3, fargs);
}

/* The sum of exp(buf[j] - m), j < len: the runtime's vector kernel, or, when the lse's innermost
 * range has at most UNROLL_TRIP terms (known only when running), the terms added in order with
 * the inline exp, as lse_few computes a short lse whose length is known when compiling. So an
 * lse gives the same bits whether its length is a constant or not (a model's 4 classes,
 * compiled in one program and read from a file in another: tests/cli/merge_search.sh). */
static IrValue *expsum(IrBuilder *b, SnDtype dt, IrValue *buf, IrValue *len, IrValue *m, IrValue *ext) {
  IrValue *args[3] = {buf, len, m};
  int64_t c;
  if (ir_is_const_int(ext, &c) && c > UNROLL_TRIP) return ir_call(b, dt == SN_F64 ? RT_EXPSUM : RT_EXPSUMF, 3, args);
  IrType t = ir_scalar(dt);
  IrValue *few = ir_cmp(b, CMP_LE, ext, ir_const_i64(b, UNROLL_TRIP));
  IrInst *in = ir_emit(b, IR_IF, 1, &few, 1, &t, 2);
  IrBuilder tb = {.fn = b->fn, .block = in->regions[0], .span = b->span}, lb;
  IrValue *zero = ir_const_f(&tb, dt, 0);
  IrInst *f = for_loop(&tb, ir_const_i64(&tb, 0), len, 1, &zero, &lb);
  IrValue *e = ir_math(&lb, MF_EXP, ir_bin(&lb, BIN_SUB, load_at(&lb, buf, f->regions[0]->args[0]), m), NULL);
  IrValue *sum = ir_bin(&lb, BIN_ADD, f->regions[0]->args[1], e);
  ir_yield(&lb, 1, &sum);
  ir_yield(&tb, 1, &f->res[0]);
  IrBuilder eb = {.fn = b->fn, .block = in->regions[1], .span = b->span};
  IrValue *call = ir_call(&eb, dt == SN_F64 ? RT_EXPSUM : RT_EXPSUMF, 3, args);
  ir_yield(&eb, 1, &call);
  return in->res[0];
}

/* lse over the innermost index in tiles (see the file's header), for `nr` reductions over the
 * same range at once (rows computed together, lse_rows): idxs[r] holds reduction r's indices so
 * far. State: (m, s) per reduction. Within a tile every exp(v - max) is at most 1 and one of
 * them is 1, so the sum is at least 1 and tiny terms cannot change it: sn_expsum exploits that.
 * Each reduction's values, tiles and sums are the same whatever nr is. */
static void lse_tiles(IrBuilder *b, int nr, IrInst **reds, IrValue ***idxs, IrValue **state, IrValue **out) {
  IrInst *red = reds[0];
  int last = red->nops - 1;
  IrType t = red->res[0]->type;
  SnDtype dt = (SnDtype)t.dtype;
  IrValue *ext = ir_op(red, last);
  IrValue *tile = ir_const_i64(b, LSE_TILE);
  IrValue *ntiles = ir_bin(b, BIN_DIV, ir_bin(b, BIN_ADD, ext, ir_const_i64(b, LSE_TILE - 1)), tile);
  IrValue *buf[LSE_ROWS];
  for (int r = 0; r < nr; r++) {
    IrInst *scratch = ir_emit(b, IR_SCRATCH, 0, NULL, 1, &(IrType){IRT_PTR, (uint8_t)dt, 0}, 0);
    scratch->imm.i = LSE_TILE;
    buf[r] = scratch->res[0];
  }
  IrBuilder tb;
  IrInst *tf = for_loop(b, ir_const_i64(b, 0), ntiles, 2 * nr, state, &tb);
  IrValue *jb = ir_bin(&tb, BIN_MUL, tf->regions[0]->args[0], tile);
  IrValue *len = ir_bin(&tb, BIN_MIN, tile, ir_bin(&tb, BIN_SUB, ext, jb));
  /* 1: the tile's values and their maximum (NaN-propagating, so a NaN reaches the result) */
  IrBuilder fb;
  IrValue *ninf = ir_const_f(&tb, dt, -INFINITY), *inits[LSE_ROWS];
  for (int r = 0; r < nr; r++) inits[r] = ninf;
  IrInst *fill = for_loop(&tb, ir_const_i64(&tb, 0), len, nr, inits, &fb);
  IrValue *jj = fill->regions[0]->args[0];
  IrValue *j = ir_bin(&fb, BIN_ADD, jb, jj);
  IrValue *nm[LSE_ROWS];
  for (int r = 0; r < nr; r++) {
    idxs[r][last] = j;
    IrValue *v = NULL;
    ir_inline_region(&fb, reds[r]->regions[0], idxs[r], &v, 1);
    v = ir_cast(&fb, v, t);
    IrValue *st[3] = {buf[r], jj, v};
    ir_emit(&fb, IR_STORE, 3, st, 0, NULL, 0);
    nm[r] = ir_bin(&fb, BIN_MAX, fill->regions[0]->args[1 + r], v);
    nm[r]->def->flags |= IRF_REASSOC | IRF_NSZ;
  }
  ir_yield(&fb, nr, nm);
  /* 2: the sum of exp(v - max) (runtime/math/expsum.c): every term is at most 1, one is exactly 1 */
  IrValue *zero = ir_const_f(&tb, dt, 0), *one = ir_const_f(&tb, dt, 1), *ny[MAX_CARRIED];
  for (int r = 0; r < nr; r++) {
    IrValue *m = tf->regions[0]->args[1 + 2 * r], *s = tf->regions[0]->args[2 + 2 * r];
    IrValue *mnew = ir_bin(&tb, BIN_MAX, m, fill->res[r]);
    IrValue *esum = expsum(&tb, dt, buf[r], len, mnew, ext);
    /* a tile of -inf adds nothing (and exp(-inf - -inf) would be NaN) */
    IrValue *all_ninf = ir_cmp(&tb, CMP_EQ, mnew, ninf);
    IrValue *tsum = ir_select(&tb, all_ninf, zero, esum);
    IrValue *same = ir_cmp(&tb, CMP_EQ, m, mnew);
    IrValue *scale = ir_select(&tb, same, one, ir_math(&tb, MF_EXP, ir_bin(&tb, BIN_SUB, m, mnew), NULL));
    ny[2 * r] = mnew;
    ny[2 * r + 1] = ir_bin(&tb, BIN_ADD, ir_bin(&tb, BIN_MUL, s, scale), tsum);
  }
  ir_yield(&tb, 2 * nr, ny);
  for (int k = 0; k < 2 * nr; k++) out[k] = tf->res[k];
}

static void lse_inner(Lower *l, IrBuilder *b, IrInst *red, IrValue **idx, IrValue **state, IrValue **out, void *vctx) {
  (void)l;
  (void)vctx;
  lse_tiles(b, 1, &red, &idx, state, out);
}

/* An lse from its final state: m + log(s), or +inf when m is. */
static IrValue *lse_result(IrBuilder *b, SnDtype dt, IrValue *m, IrValue *s) {
  IrValue *r = ir_bin(b, BIN_ADD, m, ir_math(b, MF_LOG, s, NULL));
  IrValue *pinf = ir_cmp(b, CMP_EQ, m, ir_const_f(b, dt, INFINITY));
  return ir_select(b, pinf, m, r);
}

/* Is red an lse over at most UNROLL_TRIP terms known when compiling (a mixture's components)? */
static bool lse_short(IrInst *red) {
  int64_t c;
  return red->nops == 1 && ir_is_const_int(ir_op(red, 0), &c) && c <= UNROLL_TRIP;
}

/* A short lse (lse_short): the maximum of the terms, then the sum of exp(v - max), each a loop
 * that unroll.c replaces by its iterations, so the loop around it vectorises and cse computes
 * each term once; no tile, no runtime call. */
static IrValue *lse_few(IrBuilder *b, IrInst *red) {
  IrType t = red->res[0]->type;
  SnDtype dt = (SnDtype)t.dtype;
  IrValue *ninf = ir_const_f(b, dt, -INFINITY), *zero = ir_const_f(b, dt, 0), *v = NULL;
  IrBuilder mb, sb;
  IrInst *mf = for_loop(b, ir_const_i64(b, 0), ir_op(red, 0), 1, &ninf, &mb);
  ir_inline_region(&mb, red->regions[0], mf->regions[0]->args, &v, 1);
  IrValue *m = ir_bin(&mb, BIN_MAX, mf->regions[0]->args[1], ir_cast(&mb, v, t));
  m->def->flags |= IRF_REASSOC | IRF_NSZ;
  ir_yield(&mb, 1, &m);
  m = mf->res[0];
  /* all terms -inf: the sum is 0 and the lse -inf (exp(-inf - -inf) would be NaN) */
  IrValue *shift = ir_select(b, ir_cmp(b, CMP_EQ, m, ninf), zero, m);
  IrInst *sf = for_loop(b, ir_const_i64(b, 0), ir_op(red, 0), 1, &zero, &sb);
  ir_inline_region(&sb, red->regions[0], sf->regions[0]->args, &v, 1);
  IrValue *e = ir_math(&sb, MF_EXP, ir_bin(&sb, BIN_SUB, ir_cast(&sb, v, t), shift), NULL);
  IrValue *sum = ir_bin(&sb, BIN_ADD, sf->regions[0]->args[1], e);
  ir_yield(&sb, 1, &sum);
  return lse_result(b, dt, m, sf->res[0]);
}

/* The initial (m, s) of an lse, for nr of them. */
static void lse_init(IrBuilder *b, SnDtype dt, int nr, IrValue **state) {
  for (int r = 0; r < nr; r++) {
    state[2 * r] = ir_const_f(b, dt, -INFINITY);
    state[2 * r + 1] = ir_const_f(b, dt, 0);
  }
}

/* The number of terms a reduction runs over. */
static IrValue *count_of(Lower *l, IrBuilder *b, IrInst *red) {
  IrValue *ext[SN_MAX_RANK];
  for (int d = 0; d < red->nops; d++) ext[d] = ir_op(red, d);
  return ir_size_product(b, red->nops, ext,
                         arena_printf(l->fn->arena, "%s over more than 2^63 - 1 terms: their number overflows 64 bits", red_name((RedKind)red->sub)));
}

/* The number of terms of a mean or of a reduction without identity (NULL for the others),
 * checked positive for the latter. */
static IrValue *checked_count(Lower *l, IrBuilder *b, IrInst *red) {
  RedKind kind = (RedKind)red->sub;
  if (!(red_info[kind].flags & (RF_NONEMPTY | RF_MEAN))) return NULL;
  IrValue *count = count_of(l, b, red);
  int64_t c;
  if ((red_info[kind].flags & RF_NONEMPTY) && !(ir_is_const_int(count, &c) && c > 0)) {
    IrValue *ok = ir_cmp(b, CMP_GT, count, ir_const_i64(b, 0));
    ir_check(b, CHECK_TRUE, 1, &ok, arena_printf(l->fn->arena, "%s over an empty range", red_name(kind)));
  }
  return count;
}

static bool defined_in(IrValue *v, IrBlock *blk);

/* The data of a vector whose elements are the reduction's terms in order (`sum(x)`, `sum(i)
 * x[i]`), of the accumulator's type: its leaves are summed where they are, not copied. */
static IrValue *stored_terms(Lower *l, IrInst *red, IrType at) {
  IrBlock *body = red->regions[0];
  IrInst *e = body->first;
  if (red->nops != 1 || !e || e->op != IR_ELEM || e->next != body->last || e->nops != 2) return NULL;
  IrValue *x = ir_val(ir_op(e, 0));
  if (ir_val(body->last->ops[0]) != e->res[0] || ir_op(e, 1) != body->args[0] || x->type.dtype != at.dtype ||
      defined_in(x, body))
    return NULL;
  return tinfo(l, x)->data;
}

/* Each reduction's fold and the running value's start (reductions.def). */
static const struct {
  IrBinOp fold;
  double init;
} red_fold[] = {
#define RED(id, name, fold, init, result, flags, order) [RED_##id] = {fold, init},
#include "reductions.def"
};
_Static_assert(sizeof red_fold / sizeof *red_fold == RED_COUNT, "a reduction without its fold");

static void lower_reduce(Lower *l, IrInst *red) {
  IrBuilder b = {.fn = l->fn, .block = red->parent, .before = red, .span = red->span};
  RedKind kind = (RedKind)red->sub;
  const RedInfo *ri = &red_info[kind];
  IrBinOp op = red_fold[kind].fold;
  double init = red_fold[kind].init;
  IrType t = red->res[0]->type;
  IrValue *idx[SN_MAX_RANK];
  IrValue *result = NULL;
  bool top = !inside_loop(red);
  IrValue *count = checked_count(l, &b, red);
  switch (ri->order) {
  case RO_TREE: case RO_ANY: {
    /* a mean of integers: the exact i64 sum, divided once */
    IrType at = (ri->flags & RF_MEAN) && !ir_is_float(ir_val(red->regions[0]->last->ops[0])->type) ? ir_i64 : t;
    if (ir_is_float(at) && ri->order == RO_TREE) {
      Sum sum = {red, op, at, {0}};
      int64_t c;
      /* a top-level sum runs in an outlined loop (the program's own function is optimised for
       * size), unless it adds a few cheap terms */
      Terms body = {0, stored_terms(l, red, at)};
      bool tiny = ir_is_const_int(ir_op(red, 0), &c) && c < SN_SUM_LANES && !costly(&sum, body);
      result = top && !tiny ? sum_parallel(l, &sum, &b, body) : sum_range(&sum, &b, body, ir_const_i64(&b, 0), ir_op(red, 0));
      if (ri->flags & RF_MEAN) result = ir_bin(&b, BIN_DIV, result, ir_cast(&b, count, t));
      break;
    }
    IrValue *st = typed_const(&b, at, init), *out;
    IrInst *outer = NULL, *innermost = NULL;
    /* integers and max/min give the same result in any order: LLVM may vectorise them */
    SimpleCtx sc = {op, at, ir_is_float(at), &innermost};
    nest(l, &b, red, 0, idx, 1, &st, &out, simple_inner, &sc, &outer);
    if (!outer) outer = innermost;
    if (top && outer) {
      outer->flags |= IRF_PARALLEL;
      outer->sub = op;
    }
    result = out;
    if (ri->flags & RF_MEAN) result = ir_bin(&b, BIN_DIV, ir_cast(&b, out, t), ir_cast(&b, count, t));
    break;
  }
  case RO_FIRST: {
    IrType vt = ir_val(red->regions[0]->last->ops[0])->type;
    IrValue *st[2] = {typed_const(&b, vt, init), ir_const_i64(&b, 0)}, *out[2];
    ArgCtx ac = {op == BIN_MAX};
    nest(l, &b, red, 0, idx, 2, st, out, arg_inner, &ac, NULL);
    result = out[1];
    break;
  }
  case RO_TILES: {
    if (lse_short(red)) {
      result = lse_few(&b, red);
      break;
    }
    IrValue *st[2], *out[2];
    lse_init(&b, (SnDtype)t.dtype, 1, st);
    nest(l, &b, red, 0, idx, 2, st, out, lse_inner, NULL, NULL);
    result = lse_result(&b, (SnDtype)t.dtype, out[0], out[1]);
    break;
  }
  }
  ir_replace(red->res[0], result);
  ir_remove(red);
}

/* --- comprehensions --------------------------------------------------------------------------- */

static bool defined_in(IrValue *v, IrBlock *blk) {
  v = ir_val(v);
  IrBlock *b = v->def ? v->def->parent : v->block;
  for (; b; b = b->parent ? b->parent->parent : NULL)
    if (b == blk) return true;
  return false;
}

/* Does the region read an element whose subscripts do not depend on `row`? */
static bool reads_beside(IrBlock *blk, IrValue *row) {
  for (IrInst *in = blk->first; in; in = in->next) {
    if (in->op == IR_ELEM && !ir_subscripted_by(in, row)) return true;
    for (int r = 0; r < in->nregions; r++)
      if (reads_beside(in->regions[r], row)) return true;
  }
  return false;
}

/* The one reduction of comprehension c's body, when the body holds no other region and c has an
 * index; NULL otherwise. */
static IrInst *only_reduction(IrInst *c) {
  IrInst *red = NULL;
  if (c->nops == 0) return NULL;
  for (IrInst *in = c->regions[0]->first; in; in = in->next) {
    if (!in->nregions) continue;
    if (in->op != IR_REDUCE || red) return NULL;
    red = in;
  }
  return red;
}

/* A comprehension whose body is an lse over another index that reads data shared by all rows,
 * as Sinkhorn's f[i] = -eps lse(j) (g[j] - C[i, j]) reads g and the second point cloud: computing
 * LSE_ROWS rows together reads the shared data once for all of them. A row's operands are larger
 * than L1 (32 bytes an entry for a 3-D f64 cloud, 128 KB at n = 4000), so one row at a time
 * streams them from L2 for every row, and that bounded the fill of the lse's tiles. The body's
 * own loops must unroll: four rows of a 10-D cost's sum(k) kept their k loops, and the iteration
 * took 3x longer. */
static bool lse_rows_apply(IrInst *c) {
  IrInst *red = only_reduction(c);
  IrBlock *body = c->regions[0];
  IrValue *row = c->nops ? body->args[c->nops - 1] : NULL;
  return red && red_info[red->sub].order == RO_TILES && !lse_short(red) && red->nops == 1 &&
         !defined_in(ir_op(red, 0), body) && reads_beside(red->regions[0], row) && ir_short_loops(red->regions[0], 4);
}

/* Moves the instructions of `from` before `stop` (all of them for NULL) to the end of `to`. */
static void move_until(IrBlock *from, IrInst *stop, IrBlock *to) {
  while (from->first != stop) {
    IrInst *in = from->first;
    ir_remove(in);
    ir_insert_end(to, in);
  }
}

/* n copies of comprehension c's body, copy r at the indices idx with the last one at[r], appended
 * to b's block in three parts: every copy's instructions before its reduction, then the
 * reductions, then the rest of every copy (lse_rows and sum_cols then replace the reductions by
 * one computation). The copies' values go to v, their reductions to reds. */
static void jam_copies(Lower *l, IrBuilder *b, IrInst *c, IrValue **idx, int n, IrValue **at, IrValue **v, IrInst **reds) {
  int rank = c->nops;
  IrBlock *copy[MAX_JAM];
  for (int r = 0; r < n; r++) {
    IrValue *ri[SN_MAX_RANK];
    memcpy(ri, idx, sizeof(IrValue *) * (size_t)rank);
    ri[rank - 1] = at[r];
    copy[r] = ir_block_new(l->fn, 0, NULL);
    IrBuilder cb = {.fn = l->fn, .block = copy[r], .span = b->span};
    ir_inline_region(&cb, c->regions[0], ri, &v[r], 1);
    reds[r] = copy[r]->first;
    while (reds[r]->op != IR_REDUCE) reds[r] = reds[r]->next;
  }
  for (int r = 0; r < n; r++) move_until(copy[r], reds[r], b->block);
  for (int r = 0; r < n; r++) move_until(copy[r], reds[r]->next, b->block);
  for (int r = 0; r < n; r++) move_until(copy[r], NULL, b->block);
}

/* The body of comprehension c for rows row0 .. row0 + LSE_ROWS - 1 (the last clamped to the last
 * row, which is then computed again and stored again, with the same value), appended to the
 * block of builder b: every copy's instructions before its lse, then the lse of all rows
 * together, then the rest of every copy. The values go to v. */
static void lse_rows(Lower *l, IrBuilder *b, IrInst *c, IrValue **idx, IrValue *nrows, IrValue **v, IrValue **rows) {
  int rank = c->nops;
  IrValue *row0 = ir_bin(b, BIN_MUL, idx[rank - 1], ir_const_i64(b, LSE_ROWS));
  IrValue *lastrow = ir_bin(b, BIN_SUB, nrows, ir_const_i64(b, 1));
  IrInst *reds[LSE_ROWS];
  for (int r = 0; r < LSE_ROWS; r++) rows[r] = ir_bin(b, BIN_MIN, ir_bin(b, BIN_ADD, row0, ir_const_i64(b, r)), lastrow);
  jam_copies(l, b, c, idx, LSE_ROWS, rows, v, reds);
  IrBuilder rb = {.fn = l->fn, .block = b->block, .before = reds[0], .span = reds[0]->span};
  SnDtype dt = (SnDtype)reds[0]->res[0]->type.dtype;
  IrValue *st[MAX_CARRIED], *out[MAX_CARRIED], *ridx[LSE_ROWS][SN_MAX_RANK], **idxs[LSE_ROWS];
  for (int r = 0; r < LSE_ROWS; r++) idxs[r] = ridx[r];
  lse_init(&rb, dt, LSE_ROWS, st);
  lse_tiles(&rb, LSE_ROWS, reds, idxs, st, out);
  for (int r = 0; r < LSE_ROWS; r++) ir_replace(reds[r]->res[0], lse_result(&rb, dt, out[2 * r], out[2 * r + 1]));
  for (int r = 0; r < LSE_ROWS; r++) ir_remove(reds[r]);
}

/* --- column sums ------------------------------------------------------------------------------ */

/* Does v, computed in blk, depend on the index j? */
static bool depends_on(IrValue *v, IrValue *j, IrBlock *blk) {
  v = ir_val(v);
  if (v == j) return true;
  if (!v->def || !defined_in(v, blk)) return false;
  for (int k = 0; k < v->def->nops; k++)
    if (depends_on(ir_op(v->def, k), j, blk)) return true;
  return false;
}

/* The float sum (or mean) of one index that is the body of comprehension c, when its terms read
 * c's last index j as their innermost subscript and nowhere else: a bias's gradient, sum(r)
 * dY[r, j], or a layernorm weight's, sum(r) dY[r, j] xhat[r, j]. One column at a time, such a
 * sum reads its terms down a column, one cache line each, and adds them with scalar stores into
 * its leaf; sum_cols computes a vector of columns together instead, every column with its own
 * bits. Returns the columns summed together, one vector register of the sum's type (16 f32, 8
 * f64: sn_sum_leaf_cols), or 0 when c is not such a comprehension. */
static int sum_cols_apply(IrInst *c) {
  IrInst *red = only_reduction(c);
  IrBlock *body = c->regions[0];
  IrValue *j = c->nops ? body->args[c->nops - 1] : NULL;
  if (!red || (red->sub != RED_SUM && red->sub != RED_MEAN) || red->nops != 1 || defined_in(ir_op(red, 0), body) ||
      !ir_is_float(red->res[0]->type) || !ir_is_float(ir_val(red->regions[0]->last->ops[0])->type))
    return 0;
  bool down = false;
  for (IrInst *in = red->regions[0]->first; in; in = in->next) {
    if (in->nregions) return 0;
    if (in->op != IR_ELEM) continue;
    for (int k = 1; k < in->nops; k++) {
      if (k == in->nops - 1 && ir_op(in, k) == j) down = true;
      else if (depends_on(ir_op(in, k), j, body)) return 0;
    }
  }
  return down ? SN_SUM_COLS_BYTES / sn_dtype_size((SnDtype)red->res[0]->type.dtype) : 0;
}

/* The body of comprehension c for the columns col0 .. col0 + w - 1 (w from sum_cols_apply), its
 * last index idx[rank - 1] counting blocks of w, appended to b's block: every copy's
 * instructions before its sum, then the w sums together, then the rest of every copy. The terms
 * of a leaf are stored row by row, w columns to a row (the copies' terms side by side, which
 * LLVM vectorises when they read w neighbours), then sn_sum_leaf_cols sums each column's leaf
 * and pushes it onto that column's tree. The values go to v, their columns to cols. */
static void sum_cols(Lower *l, IrBuilder *b, IrInst *c, IrValue **idx, int w, IrValue **v, IrValue **cols) {
  int rank = c->nops;
  IrValue *col0 = ir_bin(b, BIN_MUL, idx[rank - 1], ir_const_i64(b, w));
  IrInst *reds[MAX_JAM];
  for (int k = 0; k < w; k++) cols[k] = ir_bin(b, BIN_ADD, col0, ir_const_i64(b, k));
  jam_copies(l, b, c, idx, w, cols, v, reds);
  SnDtype dt = (SnDtype)reds[0]->res[0]->type.dtype;
  IrBuilder rb = {.fn = l->fn, .block = b->block, .before = reds[0], .span = reds[0]->span};
  IrValue *count = checked_count(l, &rb, reds[0]), *n = ir_op(reds[0], 0);
  IrValue *terms = scratch(&rb, dt, (int64_t)w * SN_SUM_LEAF), *stacks = scratch(&rb, dt, (int64_t)w * SUM_STACK);
  IrValue *out = scratch(&rb, dt, w), *cleaf = ir_const_i64(&rb, SN_SUM_LEAF);
  IrValue *leaves = ir_bin(&rb, BIN_DIV, ir_bin(&rb, BIN_ADD, n, ir_const_i64(&rb, SN_SUM_LEAF - 1)), cleaf);
  IrBuilder kb, tb;
  IrValue *k = count_loop(&rb, leaves, &kb)->regions[0]->args[0], *off = ir_bin(&kb, BIN_MUL, k, cleaf);
  IrValue *len = ir_bin(&kb, BIN_MIN, cleaf, ir_bin(&kb, BIN_SUB, n, off));
  IrValue *t = count_loop(&kb, len, &tb)->regions[0]->args[0];
  IrValue *row = ir_bin(&tb, BIN_MUL, t, ir_const_i64(&tb, w)), *r = ir_bin(&tb, BIN_ADD, off, t);
  for (int q = 0; q < w; q++) {
    Sum sum = {reds[q], BIN_ADD, reds[q]->res[0]->type, {0}};
    store_at(&tb, terms, ir_bin(&tb, BIN_ADD, row, ir_const_i64(&tb, q)), sum_term(&sum, &tb, (Terms){0, NULL}, r));
  }
  ir_yield(&tb, 0, NULL);
  IrValue *largs[4] = {terms, len, stacks, k};
  ir_call(&kb, dt == SN_F64 ? RT_SUM_LEAF_COLS : RT_SUM_LEAF_COLSF, 4, largs);
  ir_yield(&kb, 0, NULL);
  IrValue *fargs[3] = {stacks, leaves, out};
  ir_call(&rb, dt == SN_F64 ? RT_SUM_FOLD_COLS : RT_SUM_FOLD_COLSF, 3, fargs);
  for (int q = 0; q < w; q++) {
    IrValue *res = load_at(&rb, out, ir_const_i64(&rb, q));
    if (count) res = ir_bin(&rb, BIN_DIV, res, ir_cast(&rb, count, reds[q]->res[0]->type));
    ir_replace(reds[q]->res[0], res);
  }
  for (int q = 0; q < w; q++) ir_remove(reds[q]);
}

/* --- results written over a dying operand ------------------------------------------------------ */

/* Are the uses of tensor a in block b (regions included) only its sizes and reads of its element
 * at exactly the indices idx? */
static bool read_in_place(IrBlock *b, IrValue *a, IrValue **idx, int rank) {
  for (IrInst *in = b->first; in; in = in->next) {
    for (int i = 0; i < in->nops; i++) {
      if (ir_op(in, i) != a || in->op == IR_DIM) continue;
      if (in->op != IR_ELEM || i != 0 || in->nops != rank + 1) return false;
      for (int k = 0; k < rank; k++)
        if (ir_op(in, k + 1) != idx[k]) return false;
    }
    for (int r = 0; r < in->nregions; r++)
      if (!read_in_place(in->regions[r], a, idx, rank)) return false;
  }
  return true;
}

/* Does `in` (its regions included) use v? */
static bool uses_value(IrInst *in, IrValue *v) {
  for (int i = 0; i < in->nops; i++)
    if (ir_op(in, i) == v) return true;
  for (int r = 0; r < in->nregions; r++)
    for (IrInst *x = in->regions[r]->first; x; x = x->next)
      if (uses_value(x, v)) return true;
  return false;
}

/* Does block blk own tensor a (rc.c's rule: made there by an op that allocates or transfers, or
 * an iterate's state in its body), so that a reference to it is the block's to give up? */
static bool owned_by(IrValue *a, IrBlock *blk) {
  if (a->def)
    return a->def->parent == blk && !(a->def->flags & IRF_BORROWED) &&
           ((ir_inst_flags(a->def) & OPF_ALLOCS) || (ir_ops[a->def->op].flags & OPF_TRANSFERS));
  return a->block == blk && blk->parent && blk->parent->op == IR_LOOP;
}

/* Is c the last use of tensor t by a block that owns it: c's own block, or one whose last use of
 * t is an IF that holds c (rc.c hands t to the branches)? */
static bool dies_with(IrValue *t, IrInst *c) {
  for (IrInst *at = c;; at = at->parent->parent) {
    for (IrInst *x = at->next; x; x = x->next)
      if (uses_value(x, t)) return false;
    if (owned_by(t, at->parent)) return true;
    if (!at->parent->parent || at->parent->parent->op != IR_IF) return false;
  }
}

/* A tensor whose memory comprehension c may be written over: of c's type, dying with c
 * (dies_with), and read by c's body only at c's own indices, so every element is read before it
 * is written (in the same iteration). DPM-Solver++ 2M's update of its state and an optimizer's
 * update of its parameters then run in place, not in a new tensor at every step. Whether
 * anything else still holds the tensor is known only when running (sn_tensor_reuse). */
static IrValue *reuse_candidate(IrInst *c) {
  IrBlock *body = c->regions[0];
  IrValue *found = NULL;
  for (IrInst *in = body->first; in && !found; in = in->next) {
    if (in->op != IR_ELEM) continue;
    IrValue *t = ir_op(in, 0);
    if (ir_type_eq(t->type, c->res[0]->type) && dies_with(t, c) && read_in_place(body, t, body->args, c->nops))
      found = t;
  }
  return found;
}

/* Stores the values v[r] of comprehension c into its tensor at idx, the last index of value r
 * at[r] when given, and ends the loop nest's innermost body. */
static void store_values(IrBuilder *b, TensorInfo *ti, IrInst *c, IrValue **idx, int nv, IrValue **v, IrValue **at) {
  int rank = c->nops;
  SnDtype dt = (SnDtype)c->res[0]->type.dtype;
  for (int r = 0; r < nv; r++) {
    IrValue *x = v[r];
    if (dt != compute_of(dt) || ir_val(x)->type.dtype != dt) x = ir_cast(b, x, ir_scalar(dt));
    IrValue *pos[SN_MAX_RANK];
    memcpy(pos, idx, sizeof(IrValue *) * (size_t)rank);
    if (at) pos[rank - 1] = at[r];
    IrValue *ops[3] = {ti->data, linear(b, rank, ti->dims, pos), x};
    ir_emit(b, IR_STORE, 3, ops, 0, NULL, 0);
  }
  if (rank > 0) ir_yield(b, 0, NULL);
}

static void materialize(Lower *l, IrInst *c) {
  IrBuilder b = {.fn = l->fn, .block = c->parent, .before = c, .span = c->span};
  int rank = c->nops;
  IrValue *ext[SN_MAX_RANK];
  for (int d = 0; d < rank; d++) ext[d] = ir_op(c, d);
  IrType tt = c->res[0]->type;
  SnDtype dt = (SnDtype)tt.dtype;
  bool jam = lse_rows_apply(c);
  /* whole blocks of columns summed together, the columns after the last block one by one */
  int cols = jam ? 0 : sum_cols_apply(c);
  /* four rows' values are computed before they are stored, and the last row again: not in place */
  IrValue *over = jam ? NULL : reuse_candidate(c), *t;
  if (over) {
    IrValue *ops[2 + SN_MAX_RANK] = {over, ir_const(&b, ir_scalar(SN_I32), 0, dt)};
    memcpy(ops + 2, ext, sizeof(IrValue *) * (size_t)rank);
    t = ir_call(&b, RT_TENSOR_REUSE, 2 + rank, ops);
    t->type = tt;
    t->dims = arena_alloc(l->fn->arena, sizeof(IrValue *) * (size_t)(rank ? rank : 1));
    memcpy(t->dims, ext, sizeof(IrValue *) * (size_t)rank);
  } else {
    t = ir_emit(&b, IR_ALLOC, rank, ext, 1, &tt, 0)->res[0];
  }
  t->name = c->res[0]->name;
  TensorInfo *ti = tinfo(l, t);
  IrBuilder in = b, rest = {0};
  IrValue *idx[SN_MAX_RANK], *rest_idx[SN_MAX_RANK];
  IrInst *outer = NULL;
  for (int d = 0; d < rank; d++) {
    IrBuilder nb;
    IrValue *hi = ext[d];
    if (jam && d == rank - 1) /* blocks of LSE_ROWS rows */
      hi = ir_bin(&in, BIN_DIV, ir_bin(&in, BIN_ADD, hi, ir_const_i64(&in, LSE_ROWS - 1)), ir_const_i64(&in, LSE_ROWS));
    if (cols && d == rank - 1) /* whole blocks of columns */
      hi = ir_bin(&in, BIN_DIV, hi, ir_const_i64(&in, cols));
    IrInst *f = for_loop(&in, ir_const_i64(&in, 0), hi, 0, NULL, &nb);
    f->flags |= IRF_INDEPENDENT;
    if (!outer) outer = f;
    idx[d] = f->regions[0]->args[0];
    if (cols && d == rank - 1) { /* the columns after the last block */
      IrInst *g = for_loop(&in, ir_bin(&in, BIN_MUL, hi, ir_const_i64(&in, cols)), ext[d], 0, NULL, &rest);
      g->flags |= IRF_INDEPENDENT;
      memcpy(rest_idx, idx, sizeof(IrValue *) * (size_t)d);
      rest_idx[d] = g->regions[0]->args[0];
    }
    if (d > 0) ir_yield(&in, 0, NULL);
    in = nb;
  }
  if (outer && !inside_loop(c)) outer->flags |= IRF_PARALLEL;
  IrValue *v[MAX_JAM], *at[MAX_JAM];
  int nv = jam ? LSE_ROWS : cols ? cols : 1;
  if (jam) lse_rows(l, &in, c, idx, ext[rank - 1], v, at);
  else if (cols) sum_cols(l, &in, c, idx, cols, v, at);
  else ir_inline_region(&in, c->regions[0], idx, &v[0], 1);
  store_values(&in, ti, c, idx, nv, v, jam || cols ? at : NULL);
  if (cols) {
    ir_inline_region(&rest, c->regions[0], rest_idx, &v[0], 1);
    store_values(&rest, ti, c, rest_idx, 1, v, NULL);
  }
  ir_replace(c->res[0], t);
  ir_remove(c);
}

static void lower_elem(Lower *l, IrInst *e) {
  IrBuilder b = {.fn = l->fn, .block = e->parent, .before = e, .span = e->span};
  IrValue *idx[SN_MAX_RANK];
  for (int k = 1; k < e->nops; k++) idx[k - 1] = ir_op(e, k);
  IrValue *v = load_elem(l, &b, ir_op(e, 0), idx);
  if (!ir_type_eq(ir_val(v)->type, e->res[0]->type)) v = ir_cast(&b, v, e->res[0]->type);
  ir_replace(e->res[0], v);
  ir_remove(e);
}

static void lower_block(Lower *l, IrBlock *blk) {
  for (IrInst *in = blk->first, *next; in; in = next) {
    next = in->next;
    IrInst *before = in->prev;
    switch (in->op) {
    case IR_COMPR:
      materialize(l, in);
      next = before ? before->next : blk->first;
      continue;
    case IR_REDUCE:
      lower_reduce(l, in);
      next = before ? before->next : blk->first;
      continue;
    case IR_ELEM:
      lower_elem(l, in);
      next = before ? before->next : blk->first;
      continue;
    case IR_DIM: {
      IrValue *t = ir_op(in, 0);
      IrValue *known = t->dims ? ir_val(t->dims[in->imm.i]) : t->def && t->def->op == IR_ALLOC ? ir_op(t->def, (int)in->imm.i) : NULL;
      if (known && known != in->res[0]) {
        ir_replace(in->res[0], known);
        ir_remove(in);
        continue;
      }
      break;
    }
    default: break;
    }
    for (int r = 0; r < in->nregions; r++) lower_block(l, in->regions[r]);
  }
}

/* Instructions that fusion made trivial (ir_trivial: an index's clamp and range test, where
 * autodiff bound it) give way to their values before lowering, so that what a body reads shows
 * plainly (a bias's gradient reads dY[r, j], not dY at a clamp of j) and no loop computes them. */
static void simplify(IrFunc *f, IrBlock *blk) {
  for (IrInst *in = blk->first; in; in = in->next) {
    for (int r = 0; r < in->nregions; r++) simplify(f, in->regions[r]);
    if (in->op != IR_BIN && in->op != IR_CMP && in->op != IR_SELECT) continue;
    IrBuilder b = {.fn = f, .block = blk, .before = in, .span = in->span};
    IrValue *v = ir_trivial(&b, in);
    if (v) ir_replace(in->res[0], v);
  }
}

void pass_loops(IrFunc *f, const PassOptions *opt) {
  (void)opt;
  Lower l = {f, {0}};
  simplify(f, f->body);
  ir_clear_aux(f->body);
  lower_block(&l, f->body);
  ir_clear_aux(f->body);
  arena_free(&l.scratch);
}
