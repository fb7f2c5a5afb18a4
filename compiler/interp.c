/* interp.c: the IR interpreter, sinter's reference semantics. It runs the same loop-level IR the
 * code generator compiles, one instruction at a time, calling the same runtime functions and
 * the same exp/log, so golden tests can demand that compiled and interpreted runs agree to the
 * bit. Parallel loops run sequentially: their results do not depend on chunks (the loop pass
 * fixes the order of float sums; what a parallel loop carries, a max, a min or an integer sum,
 * is exact in any order). */
#include "interp.h"

#include "rtabi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef union Slot {
  int64_t i; /* integers (sign-extended), bool (0/1), f16/bf16 bits */
  float f;
  double d;
  void *p;
} Slot;

typedef struct Interp {
  IrFunc *fn;
  Slot *v;
  SnArgValue *args, *slots;
  PtrVec scratch; /* buffers of SCRATCH instructions, freed at the end */
} Interp;

static Slot get(Interp *it, IrValue *x) { return it->v[ir_val(x)->id]; }

/* Integer results wrap to their width, as in generated code. */
static int64_t wrap(int64_t x, SnDtype t) {
  switch (t) {
  case SN_I8: return (int8_t)(uint8_t)x;
  case SN_U8: return (uint8_t)x;
  case SN_I32: return (int32_t)(uint32_t)x;
  case SN_BOOL: return x != 0;
  default: return x;
  }
}

static float fmaxnan(float a, float b) {
  if (a != a) return a;
  if (b != b) return b;
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}
static float fminnan(float a, float b) {
  if (a != a) return a;
  if (b != b) return b;
  if (a == b) return signbit(a) ? a : b;
  return a < b ? a : b;
}
static double dmaxnan(double a, double b) {
  if (a != a) return a;
  if (b != b) return b;
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}
static double dminnan(double a, double b) {
  if (a != a) return a;
  if (b != b) return b;
  if (a == b) return signbit(a) ? a : b;
  return a < b ? a : b;
}

/* Floor division and modulo; a zero divisor gives 0 (as codegen's int_divmod). */
static int64_t idiv(int64_t a, int64_t b, bool rem, SnDtype t) {
  if (b == 0) return 0;
  if (b == -1) return rem ? 0 : wrap((int64_t)(0 - (uint64_t)a), t);
  int64_t q = a / b, r = a % b;
  if (r != 0 && ((r ^ b) < 0)) {
    q -= 1;
    r += b;
  }
  return rem ? r : q;
}

static Slot bin(IrInst *in, Slot a, Slot b) {
  SnDtype t = (SnDtype)in->res[0]->type.dtype;
  Slot r = {0};
  if (t == SN_F32) {
    switch ((IrBinOp)in->sub) {
    case BIN_ADD: r.f = a.f + b.f; break;
    case BIN_SUB: r.f = a.f - b.f; break;
    case BIN_MUL: r.f = a.f * b.f; break;
    case BIN_DIV: r.f = a.f / b.f; break;
    case BIN_REM: r.f = fmodf(a.f, b.f); break;
    case BIN_MIN: r.f = fminnan(a.f, b.f); break;
    case BIN_MAX: r.f = fmaxnan(a.f, b.f); break;
    default: die("interp: float op %d", in->sub);
    }
    return r;
  }
  if (t == SN_F64) {
    switch ((IrBinOp)in->sub) {
    case BIN_ADD: r.d = a.d + b.d; break;
    case BIN_SUB: r.d = a.d - b.d; break;
    case BIN_MUL: r.d = a.d * b.d; break;
    case BIN_DIV: r.d = a.d / b.d; break;
    case BIN_REM: r.d = fmod(a.d, b.d); break;
    case BIN_MIN: r.d = dminnan(a.d, b.d); break;
    case BIN_MAX: r.d = dmaxnan(a.d, b.d); break;
    default: die("interp: float op %d", in->sub);
    }
    return r;
  }
  uint64_t x = (uint64_t)a.i, y = (uint64_t)b.i;
  bool u = t == SN_U8 || t == SN_BOOL;
  switch ((IrBinOp)in->sub) {
  case BIN_ADD: r.i = (int64_t)(x + y); break;
  case BIN_SUB: r.i = (int64_t)(x - y); break;
  case BIN_MUL: r.i = (int64_t)(x * y); break;
  case BIN_DIV: r.i = idiv(a.i, b.i, false, t); break;
  case BIN_REM: r.i = idiv(a.i, b.i, true, t); break;
  case BIN_MIN: r.i = u ? (x < y ? a.i : b.i) : (a.i < b.i ? a.i : b.i); break;
  case BIN_MAX: r.i = u ? (x > y ? a.i : b.i) : (a.i > b.i ? a.i : b.i); break;
  case BIN_AND: r.i = a.i & b.i; break;
  case BIN_OR: r.i = a.i | b.i; break;
  case BIN_POW: r.i = sn_ipow(a.i, b.i); break;
  }
  r.i = wrap(r.i, t);
  return r;
}

static bool cmp(IrInst *in, Slot a, Slot b) {
  SnDtype t = (SnDtype)ir_op(in, 0)->type.dtype;
  if (t == SN_F32 || t == SN_F64) {
    double x = t == SN_F32 ? a.f : a.d, y = t == SN_F32 ? b.f : b.d;
    switch ((IrCmp)in->sub) {
    case CMP_EQ: return x == y;
    case CMP_NE: return x != y;
    case CMP_LT: return x < y;
    case CMP_LE: return x <= y;
    case CMP_GT: return x > y;
    case CMP_GE: return x >= y;
    }
  }
  bool u = t == SN_U8 || t == SN_BOOL;
  uint64_t ux = (uint64_t)a.i, uy = (uint64_t)b.i;
  switch ((IrCmp)in->sub) {
  case CMP_EQ: return a.i == b.i;
  case CMP_NE: return a.i != b.i;
  case CMP_LT: return u ? ux < uy : a.i < b.i;
  case CMP_LE: return u ? ux <= uy : a.i <= b.i;
  case CMP_GT: return u ? ux > uy : a.i > b.i;
  case CMP_GE: return u ? ux >= uy : a.i >= b.i;
  }
  return false;
}

/* A scalar as a double (for conversions); f16/bf16 are decoded. */
static double as_double(Slot s, SnDtype t) {
  switch (t) {
  case SN_F32: return s.f;
  case SN_F64: return s.d;
  case SN_F16: return sn_f16_to_f32((uint16_t)s.i);
  case SN_BF16: return sn_bf16_to_f32((uint16_t)s.i);
  default: return (double)s.i;
  }
}

/* Saturating float to integer, NaN to 0 (llvm.fptosi.sat). */
static int64_t sat(double x, SnDtype t) {
  double lo, hi;
  switch (t) {
  case SN_I8: lo = -128; hi = 127; break;
  case SN_U8: lo = 0; hi = 255; break;
  case SN_I32: lo = -2147483648.0; hi = 2147483647.0; break;
  default: lo = -9223372036854775808.0; hi = 9223372036854775807.0; break;
  }
  if (x != x) return 0;
  if (x <= lo) return (int64_t)lo;
  if (x >= hi) return t == SN_I64 ? INT64_MAX : (int64_t)hi;
  return (int64_t)x;
}

static Slot cast(Slot a, IrType from, IrType to) {
  SnDtype f = (SnDtype)from.dtype, t = (SnDtype)to.dtype;
  Slot r = {0};
  if (f == t) return a;
  bool ff = ir_is_float(from), tf = ir_is_float(to);
  if (t == SN_BOOL) {
    r.i = ff ? as_double(a, f) != 0 : a.i != 0;
    return r;
  }
  if (tf) {
    /* float results: from f16/bf16/ints/floats */
    if (t == SN_F64) {
      r.d = ff ? as_double(a, f) : (double)a.i;
    } else if (t == SN_F32) {
      if (f == SN_F64) r.f = (float)a.d;
      else if (ff) r.f = (float)as_double(a, f);
      else r.f = (float)a.i;
    } else {
      float x = f == SN_F32 ? a.f : f == SN_F64 ? (float)a.d : ff ? (float)as_double(a, f) : (float)a.i;
      if (f == SN_F64 && t == SN_F16) x = (float)a.d;
      r.i = t == SN_F16 ? sn_f32_to_f16(x) : sn_f32_to_bf16(x);
    }
    return r;
  }
  if (ff) {
    r.i = wrap(sat(as_double(a, f), t), t);
    return r;
  }
  r.i = wrap(a.i, t);
  if (f == SN_U8 || f == SN_BOOL) r.i = wrap((int64_t)(uint64_t)(uint8_t)a.i, t);
  return r;
}

/* isnan, as mathfns.def's C column names it: the result is then read as a bool */
static double unordered(double x) { return x != x; }
static float unorderedf(float x) { return x != x; }

#define MATH_CALL_1(f, a, b) f(a)
#define MATH_CALL_2(f, a, b) f(a, b)

static Slot math(IrInst *in, Slot a, Slot b) {
  bool d = ir_op(in, 0)->type.dtype == SN_F64;
  Slot r = {0};
  switch ((IrMathFn)in->sub) {
#define MATH(id, name, arity, result, work, c, lowering) \
  case MF_##id: \
    if (d) r.d = MATH_CALL_##arity(c, a.d, b.d); \
    else r.f = MATH_CALL_##arity(c##f, a.f, b.f); \
    break;
#include "mathfns.def"
  default: die("interp: math %d", in->sub);
  }
  if (ir_math_fns[in->sub].boolean) r.i = d ? r.d != 0 : r.f != 0;
  return r;
}

static Slot load(void *base, int64_t off, SnDtype t) {
  Slot r = {0};
  char *p = (char *)base + off * (int64_t)sn_dtype_size(t);
  switch (t) {
  case SN_BOOL: r.i = *(uint8_t *)p != 0; break;
  case SN_I8: r.i = *(int8_t *)p; break;
  case SN_U8: r.i = *(uint8_t *)p; break;
  case SN_I32: r.i = *(int32_t *)p; break;
  case SN_I64: r.i = *(int64_t *)p; break;
  case SN_F16: case SN_BF16: r.i = *(uint16_t *)p; break;
  case SN_F32: r.f = *(float *)p; break;
  case SN_F64: r.d = *(double *)p; break;
  default: break;
  }
  return r;
}

static void store(void *base, int64_t off, SnDtype t, Slot v) {
  char *p = (char *)base + off * (int64_t)sn_dtype_size(t);
  switch (t) {
  case SN_BOOL: *(uint8_t *)p = v.i != 0; break;
  case SN_I8: case SN_U8: *(uint8_t *)p = (uint8_t)v.i; break;
  case SN_I32: *(int32_t *)p = (int32_t)v.i; break;
  case SN_I64: *(int64_t *)p = v.i; break;
  case SN_F16: case SN_BF16: *(uint16_t *)p = (uint16_t)v.i; break;
  case SN_F32: *(float *)p = v.f; break;
  case SN_F64: *(double *)p = v.d; break;
  default: break;
  }
}

static const char *where(Interp *it, Span sp) { return diag_where(it->fn->arena, sp); }

static int32_t run_block(Interp *it, IrBlock *b, Slot *yielded);

/* --- runtime calls -----------------------------------------------------------------------------
 * One adapter per rtabi.def row that an IR_CALL may call: it takes the C arguments from slots
 * (c) and puts the C result in r. The C compiler checks each row's arity, and its kinds of
 * pointers and numbers, against the function's prototype. */
typedef void RtAdapter(Slot *c, Slot *r);

#define ARG_I32(k) (int32_t)c[k].i
#define ARG_I64(k) c[k].i
#define ARG_F32(k) c[k].f
#define ARG_F64(k) c[k].d
#define ARG_PTR(k) c[k].p
#define ARG_RANK(k) c[k].i
#define ARG_SHAPE(k) (const int64_t *)c[k].p
#define ARG(k, kind) ARG_##kind(k)
#define RESULT_VOID(call) call
#define RESULT_I32(call) r->i = call
#define RESULT_I64(call) r->i = call
#define RESULT_F32(call) r->f = call
#define RESULT_F64(call) r->d = call
#define RESULT_STATUS(call) r->i = call
#define RESULT_TENSOR(call) r->p = call
#define RESULT_RESULT(call) r->p = call
#define RESULT_OBJECT(call) r->p = call
#define RESULT_HANDLE(call) r->p = call
#define RT(id, fn, ret, flags, n, params) \
  static void adapt_##id(Slot *c, Slot *r) { \
    (void)c; \
    (void)r; \
    RESULT_##ret(fn(RT_MAP(ARG, , n, params))); \
  }
#define RT_LOWERING(...)
#include "rtabi.def"

static RtAdapter *const adapters[RT_NFNS] = {
#define RT(id, ...) [RT_##id] = adapt_##id,
#define RT_LOWERING(...)
#include "rtabi.def"
};

bool interp_calls(RtFn f) { return adapters[f] != NULL; }

static int32_t call(Interp *it, IrInst *in) {
  const RtInfo *ri = &rt_fns[in->sub];
  if (!adapters[in->sub]) die("interp: call of %s", ri->name);
  Slot c[RT_MAX_PARAMS] = {{0}}, r = {0};
  int64_t shape[SN_MAX_RANK];
  int fixed = rt_fixed_operands((RtFn)in->sub), k = 0;
  for (int i = 0; i < ri->nparams; i++) {
    if (ri->params[i] == K_RANK) {
      c[i].i = in->nops - fixed;
    } else if (ri->params[i] == K_SHAPE) {
      for (int d = fixed; d < in->nops; d++) shape[d - fixed] = get(it, in->ops[d]).i;
      c[i].p = shape;
    } else {
      c[i] = get(it, in->ops[k++]);
    }
  }
  adapters[in->sub](c, &r);
  if (ri->ret == K_STATUS) return (int32_t)r.i;
  if (rt_null_fails(ri->ret) && !r.p) return ri->flags & RTF_AT_CALL ? sn_fail_at(where(it, in->span)) : 1;
  if (in->nres) it->v[in->res[0]->id] = r;
  return 0;
}

static int32_t check(Interp *it, IrInst *in) {
  const char *w, *what = in->str ? in->str : "";
  switch ((IrCheck)in->sub) {
  case CHECK_INDEX: {
    int64_t i = get(it, in->ops[0]).i, n = get(it, in->ops[1]).i;
    if ((uint64_t)i < (uint64_t)n) return 0;
    w = where(it, in->span);
    return sn_fail_index(w, what, i, n);
  }
  case CHECK_DIMS: {
    int64_t x = get(it, in->ops[0]).i, y = get(it, in->ops[1]).i;
    if (x == y) return 0;
    return sn_fail_dims(where(it, in->span), what, x, y);
  }
  case CHECK_TRUE:
    if (get(it, in->ops[0]).i) return 0;
    return sn_fail_msg(where(it, in->span), what);
  case CHECK_SIZE: {
    int64_t n = get(it, in->ops[0]).i;
    if (n >= 0) return 0;
    return sn_fail_size(where(it, in->span), what, n);
  }
  case CHECK_MSG: {
    if (get(it, in->ops[0]).i) return 0;
    double vals[SN_CHECK_MAX_VALUES];
    for (int i = 1; i < in->nops; i++) vals[i - 1] = get(it, in->ops[i]).d;
    return sn_fail_check(where(it, in->span), what, in->blob, in->nops - 1, vals, (int32_t)in->imm.i);
  }
  case CHECK_SHAPE: {
    int64_t dims[SN_MAX_RANK];
    for (int i = 1; i < in->nops; i++) dims[i - 1] = get(it, in->ops[i]).i;
    return sn_check_shape(where(it, in->span), what, in->blob, (int32_t)in->imm.i, get(it, in->ops[0]).p, in->nops - 1, dims);
  }
  }
  return 0;
}

/* for iv in [lo, hi) with carried values. */
static int32_t run_for(Interp *it, IrInst *in) {
  IrBlock *r = in->regions[0];
  int nc = in->nres;
  int64_t lo = get(it, in->ops[0]).i, hi = get(it, in->ops[1]).i;
  /* the carried values, on the stack when few */
  Slot few[8], *carried = nc <= 8 ? few : malloc((size_t)nc * sizeof *carried);
  if (!carried) die("out of memory");
  for (int i = 0; i < nc; i++) carried[i] = get(it, in->ops[2 + i]);
  int32_t st = 0;
  for (int64_t i = lo; i < hi && !st; i++) {
    it->v[r->args[0]->id].i = i;
    for (int k = 0; k < nc; k++) it->v[r->args[1 + k]->id] = carried[k];
    st = run_block(it, r, carried);
  }
  for (int k = 0; k < nc && !st; k++) it->v[in->res[k]->id] = carried[k];
  if (carried != few) free(carried);
  return st;
}

static int32_t run_iterate(Interp *it, IrInst *in) {
  IrBlock *r = in->regions[0];
  int ns = in->nops - 1;
  int64_t max = get(it, in->ops[0]).i, count = 0;
  /* the states (any number: a record state is carried as its leaves), then the yielded done
   * flag and progress metric */
  Slot *state = malloc((size_t)(ns + 2) * sizeof *state), *y = malloc((size_t)(ns + 2) * sizeof *y);
  if (!state || !y) die("out of memory");
  bool converged = false;
  for (int i = 0; i < ns; i++) state[i] = get(it, in->ops[1 + i]);
  SnProgress *report = sn_progress_start(in->str ? in->str : "iterate", max, "iterations");
  while (count < max) {
    it->v[r->args[0]->id].i = count;
    for (int k = 0; k < ns; k++) it->v[r->args[1 + k]->id] = state[k];
    int32_t st = run_block(it, r, y);
    if (st) {
      free(state);
      free(y);
      return st; /* the report is ended by sn_run_cleanup */
    }
    for (int k = 0; k < ns; k++) state[k] = y[k];
    count++;
    sn_progress_update(report, count, in->blob, in->blob ? y[ns + 1].d : 0);
    if (y[ns].i) {
      converged = true;
      break;
    }
  }
  sn_progress_finish(report);
  for (int k = 0; k < ns; k++) it->v[in->res[k]->id] = state[k];
  it->v[in->res[ns]->id].i = count;
  it->v[in->res[ns + 1]->id].i = converged;
  free(state);
  free(y);
  return 0;
}

/* The scalar instructions, from their operands' values: the interpreter runs them, and
 * interp_fold folds them when compiling. False for an instruction of another kind. */
static bool scalar_inst(IrInst *in, const Slot *ops, Slot *out) {
  switch (in->op) {
  case IR_CONST: {
    IrType t = in->res[0]->type;
    if (t.dtype == SN_F32) out->f = (float)in->imm.f;
    else if (t.dtype == SN_F64) out->d = in->imm.f;
    else if (t.dtype == SN_F16) out->i = sn_f32_to_f16((float)in->imm.f);
    else if (t.dtype == SN_BF16) out->i = sn_f32_to_bf16((float)in->imm.f);
    else out->i = wrap(in->imm.i, (SnDtype)t.dtype);
    return true;
  }
  case IR_BIN: *out = bin(in, ops[0], ops[1]); return true;
  case IR_CMP: out->i = cmp(in, ops[0], ops[1]); return true;
  case IR_NEG: {
    SnDtype t = (SnDtype)in->res[0]->type.dtype;
    if (t == SN_F32) out->f = -ops[0].f;
    else if (t == SN_F64) out->d = -ops[0].d;
    else out->i = wrap((int64_t)(0 - (uint64_t)ops[0].i), t);
    return true;
  }
  case IR_NOT: out->i = !ops[0].i; return true;
  case IR_SELECT: *out = ops[0].i ? ops[1] : ops[2]; return true;
  case IR_CAST: *out = cast(ops[0], ir_op(in, 0)->type, in->res[0]->type); return true;
  case IR_MATH: *out = math(in, ops[0], in->nops > 1 ? ops[1] : (Slot){0}); return true;
  case IR_RAND:
    if (in->res[0]->type.dtype == SN_F32) out->f = sn_rand_f32(ops[0].i, ops[1].i);
    else out->d = sn_rand_f64(ops[0].i, ops[1].i);
    return true;
  default: return false;
  }
}

/* The most instructions interp_fold evaluates: a check's condition over a tensor written in the
 * program (a schedule of a few hundred sigmas) fits; a larger one waits for the run. */
#define FOLD_BUDGET 65536

/* The values of the indices of the regions being folded. */
typedef struct FoldEnv {
  IrValue *arg;
  int64_t value;
  const struct FoldEnv *up;
} FoldEnv;

static bool fold(IrValue *v, Slot *out, int *budget, const FoldEnv *env);

/* The value a region yields, its arguments bound to idx. */
static bool fold_region(IrBlock *r, const int64_t *idx, Slot *out, int *budget, const FoldEnv *env) {
  FoldEnv bound[SN_MAX_RANK];
  if (r->nargs > SN_MAX_RANK) return false;
  for (int k = 0; k < r->nargs; k++) {
    bound[k] = (FoldEnv){r->args[k], idx[k], k ? &bound[k - 1] : env};
  }
  IrInst *y = r->last;
  return y && y->op == IR_YIELD && y->nops == 1 && fold(y->ops[0], out, budget, r->nargs ? &bound[r->nargs - 1] : env);
}

/* An element of a tensor written as a literal, or of a comprehension over such values; false
 * out of range (the run reports it). */
static bool fold_elem(IrInst *in, Slot *out, int *budget, const FoldEnv *env) {
  int64_t idx[SN_MAX_RANK];
  int n = in->nops - 1;
  IrInst *t = ir_op(in, 0)->def;
  if (!t || n > SN_MAX_RANK || t->nops != n) return false;
  int64_t off = 0;
  for (int k = 0; k < n; k++) {
    Slot i, d;
    if (!fold(in->ops[k + 1], &i, budget, env) || !fold(t->ops[k], &d, budget, env)) return false;
    if (i.i < 0 || i.i >= d.i) return false;
    idx[k] = i.i;
    off = off * d.i + i.i;
  }
  if (t->op == IR_COMPR) return fold_region(t->regions[0], idx, out, budget, env);
  if (t->op != IR_CONST_TENSOR) return false;
  if (t->res[0]->type.dtype == SN_F64) out->d = ((const double *)t->blob)[off];
  else out->i = ((const int64_t *)t->blob)[off];
  return true;
}

/* The reductions whose value does not depend on the order of the terms (sinter's float sums do:
 * those wait for the run); over an empty range, those without an identity fail when run. */
static bool fold_reduce(IrInst *in, Slot *out, int *budget, const FoldEnv *env) {
  RedKind kind = (RedKind)in->sub;
  IrBlock *r = in->regions[0];
  IrInst *y = r->last;
  if (!y || y->op != IR_YIELD || y->nops != 1 || in->nops != r->nargs || in->nops > SN_MAX_RANK) return false;
  SnDtype tt = (SnDtype)ir_op(y, 0)->type.dtype;
  bool flt = tt == SN_F32 || tt == SN_F64;
  if (tt == SN_F16 || tt == SN_BF16 || kind == RED_MEAN || kind == RED_LSE ||
      ((kind == RED_SUM || kind == RED_PROD) && flt))
    return false;
  int64_t ext[SN_MAX_RANK], idx[SN_MAX_RANK], count = 1;
  for (int k = 0; k < in->nops; k++) {
    Slot e;
    if (!fold(in->ops[k], &e, budget, env) || e.i < 0) return false;
    ext[k] = e.i;
    idx[k] = 0;
    count *= e.i;
    if (count > FOLD_BUDGET) return false;
  }
  if (count == 0 && (red_info[kind].flags & RF_NONEMPTY)) return false;
  bool arg = red_info[kind].result == RR_INDEX;
  double best = kind == RED_MAX || kind == RED_ARGMAX ? -INFINITY : INFINITY;
  int64_t ibest = kind == RED_MAX || kind == RED_ARGMAX ? INT64_MIN : INT64_MAX;
  int64_t acc = kind == RED_PROD || kind == RED_ALL ? 1 : 0, at = 0;
  for (int64_t term = 0; term < count; term++) {
    Slot x;
    if (!fold_region(r, idx, &x, budget, env)) return false;
    double xd = tt == SN_F32 ? x.f : x.d;
    bool up = kind == RED_MAX || kind == RED_ARGMAX;
    switch (kind) {
    case RED_SUM: acc = (int64_t)((uint64_t)acc + (uint64_t)x.i); break;
    case RED_PROD: acc = (int64_t)((uint64_t)acc * (uint64_t)x.i); break;
    case RED_ALL: acc &= x.i != 0; break;
    case RED_ANY: acc |= x.i != 0; break;
    default:
      if (!flt) {
        if (term == 0 || (up ? x.i > ibest : x.i < ibest)) ibest = x.i, at = term;
      } else if (arg) { /* the first extreme wins, a NaN counting as one */
        if (term == 0 || (best == best && (xd != xd || (up ? xd > best : xd < best)))) best = xd, at = term;
      } else {
        best = up ? dmaxnan(best, xd) : dminnan(best, xd);
      }
    }
    for (int k = in->nops - 1; k >= 0 && ++idx[k] == ext[k]; k--) idx[k] = 0;
  }
  if (arg) out->i = at;
  else if (kind == RED_MAX || kind == RED_MIN) {
    if (!flt) out->i = ibest;
    else if (tt == SN_F32) out->f = (float)best;
    else out->d = best;
  } else {
    out->i = acc;
  }
  return true;
}

static bool fold(IrValue *v, Slot *out, int *budget, const FoldEnv *env) {
  v = ir_val(v);
  IrInst *in = v->def;
  if (--*budget < 0) return false;
  if (!in) { /* an index of a region being folded */
    for (const FoldEnv *e = env; e; e = e->up)
      if (e->arg == v) {
        out->i = e->value;
        return true;
      }
    return false;
  }
  if (v->type.kind != IRT_SCALAR) return false;
  switch (in->op) {
  case IR_IF: { /* the value the taken branch yields */
    Slot c;
    if (!fold(in->ops[0], &c, budget, env)) return false;
    IrInst *y = in->regions[c.i ? 0 : 1]->last;
    return y && y->op == IR_YIELD && v->index < y->nops && fold(y->ops[v->index], out, budget, env);
  }
  case IR_ELEM: return fold_elem(in, out, budget, env);
  case IR_REDUCE: return fold_reduce(in, out, budget, env);
  default: break;
  }
  if (in->nops > 3) return false;
  Slot ops[3];
  for (int k = 0; k < in->nops; k++)
    if (!fold(in->ops[k], &ops[k], budget, env)) return false;
  /* an integer division by zero stops the program before any check reads it */
  if (in->op == IR_BIN && (in->sub == BIN_DIV || in->sub == BIN_REM) && !ir_is_float(v->type) && ops[1].i == 0)
    return false;
  return scalar_inst(in, ops, out);
}

bool interp_fold(IrValue *v, double *value) {
  Slot r;
  int budget = FOLD_BUDGET;
  if (!fold(v, &r, &budget, NULL)) return false;
  SnDtype t = (SnDtype)ir_val(v)->type.dtype;
  *value = t == SN_F64 ? r.d : t == SN_F32 ? r.f : t == SN_F16 || t == SN_BF16 ? 0 : (double)r.i;
  return t != SN_F16 && t != SN_BF16;
}

static int32_t run_inst(Interp *it, IrInst *in, Slot *yielded) {
  Slot *out = in->nres ? &it->v[in->res[0]->id] : NULL;
  Slot ops[3];
  if (in->nops <= 3) {
    for (int k = 0; k < in->nops; k++) ops[k] = get(it, in->ops[k]);
    if (scalar_inst(in, ops, out)) return 0;
  }
  switch (in->op) {
  case IR_STRING: out->p = (void *)in->str; return 0;
  case IR_DIM: out->i = ((SnTensor *)get(it, in->ops[0]).p)->shape[in->imm.i]; return 0;
  case IR_DATA: out->p = ((SnTensor *)get(it, in->ops[0]).p)->data; return 0;
  case IR_LOAD: *out = load(get(it, in->ops[0]).p, get(it, in->ops[1]).i, (SnDtype)in->res[0]->type.dtype); return 0;
  case IR_STORE:
    store(get(it, in->ops[0]).p, get(it, in->ops[1]).i, (SnDtype)ir_op(in, 0)->type.dtype, get(it, in->ops[2]));
    return 0;
  case IR_SCRATCH:
    if (!in->aux) {
      in->aux = calloc((size_t)in->imm.i, sn_dtype_size((SnDtype)in->res[0]->type.dtype));
      if (!in->aux) return sn_error_set("out of memory");
      vec_push(it->fn->arena, &it->scratch, in);
    }
    out->p = in->aux;
    return 0;
  case IR_ALLOC: {
    int64_t shape[SN_MAX_RANK];
    for (int i = 0; i < in->nops; i++) shape[i] = get(it, in->ops[i]).i;
    out->p = sn_tensor_new((SnDtype)in->res[0]->type.dtype, in->nops, shape);
    return out->p ? 0 : sn_fail_at(where(it, in->span));
  }
  case IR_CONST_TENSOR: {
    int64_t shape[SN_MAX_RANK];
    for (int i = 0; i < in->nops; i++) shape[i] = get(it, in->ops[i]).i;
    out->p = sn_tensor_from_data((SnDtype)in->res[0]->type.dtype, in->blob, in->nops, shape);
    return out->p ? 0 : sn_fail_at(where(it, in->span));
  }
  case IR_RETAIN: sn_tensor_retain(get(it, in->ops[0]).p); return 0;
  case IR_RELEASE:
    if (ir_is_handle(ir_op(in, 0)->type, IRH_RESULT)) sn_result_free(get(it, in->ops[0]).p);
    else sn_tensor_release(get(it, in->ops[0]).p);
    return 0;
  case IR_CALL: return call(it, in);
  case IR_CHECK: return check(it, in);
  case IR_ARG: {
    SnArgValue a = it->args[in->imm.i];
    IrType t = in->res[0]->type;
    if (t.kind == IRT_TENSOR) it->args[in->imm.i].t = NULL; /* the program's now (rc.c) */
    if (t.kind == IRT_SCALAR && t.dtype == SN_F64) out->d = a.f;
    else if (t.kind == IRT_SCALAR) out->i = t.dtype == SN_BOOL ? a.i != 0 : a.i;
    else out->p = t.kind == IRT_STR ? (void *)a.s : (void *)a.t;
    return 0;
  }
  case IR_GLOBAL_GET: {
    SnArgValue a = it->slots[in->imm.i];
    IrType t = in->res[0]->type;
    if (t.kind == IRT_SCALAR && t.dtype == SN_F64) out->d = a.f;
    else if (t.kind == IRT_SCALAR && t.dtype == SN_F32) memcpy(&out->f, &a, sizeof(float));
    else if (t.kind == IRT_SCALAR) out->i = t.dtype == SN_BOOL ? a.i != 0 : a.i;
    else out->p = t.kind == IRT_STR ? (void *)a.s : (void *)a.t;
    return 0;
  }
  case IR_GLOBAL_SET: {
    IrType t = ir_op(in, 0)->type;
    Slot v = get(it, in->ops[0]);
    SnArgValue *a = &it->slots[in->imm.i];
    if (t.kind == IRT_TENSOR) {
      sn_tensor_retain(v.p);
      a->t = v.p;
    } else if (t.kind == IRT_STR) {
      a->s = v.p;
    } else if (t.dtype == SN_F64) {
      a->f = v.d;
    } else if (t.dtype == SN_F32) {
      memcpy(a, &v.f, sizeof(float));
    } else {
      a->i = v.i;
    }
    return 0;
  }
  case IR_FOR: return run_for(it, in);
  case IR_LOOP: return run_iterate(it, in);
  case IR_IF: {
    /* its results (any number: records are yielded as their leaves), on the stack when few */
    Slot few[8], *y = in->nres <= 8 ? few : malloc((size_t)in->nres * sizeof *y);
    if (!y) die("out of memory");
    int32_t st = run_block(it, in->regions[get(it, in->ops[0]).i ? 0 : 1], y);
    for (int i = 0; i < in->nres && !st; i++) it->v[in->res[i]->id] = y[i];
    if (y != few) free(y);
    return st;
  }
  case IR_YIELD:
    if (yielded)
      for (int i = 0; i < in->nops; i++) yielded[i] = get(it, in->ops[i]);
    return 0;
  default: die("interp: unexpected %s", ir_op_name(in->op));
  }
}

static int32_t run_block(Interp *it, IrBlock *b, Slot *yielded) {
  for (IrInst *in = b->first; in; in = in->next) {
    int32_t st = run_inst(it, in, yielded);
    if (st) return st;
  }
  return 0;
}

int32_t interp_program(void *user, SnArgValue *args, SnArgValue *slots) {
  IrFunc *f = user;
  ir_number(f);
  Interp it = {f, calloc((size_t)f->nvalues + 1, sizeof(Slot)), args, slots, {0}};
  if (!it.v) return sn_error_set("out of memory");
  int32_t st = run_block(&it, f->body, NULL);
  for (int i = 0; i < it.scratch.n; i++) {
    IrInst *in = it.scratch.items[i];
    free(in->aux);
    in->aux = NULL;
  }
  free(it.v);
  return st;
}
