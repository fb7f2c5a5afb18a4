/* codegen_llvm.c: lowers the loop-level IR to LLVM IR.
 *
 * The program becomes `i32 sinter_program(ptr user, ptr args, ptr slots)`, returning non-zero
 * after a runtime function or a check failed (the message is then set). Loops become canonical
 * LLVM loops that the loop vectoriser understands; the accumulation of a max or min, whose
 * result is the same in any order, carries the `reassoc` flag so it vectorises (float sums come
 * from the loop pass in a fixed order, in lanes). A parallel FOR is outlined into
 * `i32 body(ptr ctx, i64 chunk, i64 lo, i64 hi)` and run through sn_parallel_for; a parallel
 * reduction (max, min, integers) writes one partial result per chunk and combines them in
 * chunk order.
 * exp and log are emitted inline, mirroring runtime/math/mathfn.c operation for operation. */
#include "codegen_llvm.h"

#include "rtabi.h"
#include "sinter/mathpoly.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/IRReader.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Parallel chunks aim at about this many instructions of work each, so small loops stay on one
 * thread and large ones split finely enough to balance. */
#define PARALLEL_GRAIN_WORK 65536
/* Loops of fewer chunks than this run on one thread (see docs/performance.md for the
 * measurement behind it). */
#define PARALLEL_MIN_CHUNKS 8
/* The runtime never makes more chunks than this (SN_MAX_CHUNKS in runtime/core/parallel.c). */
#define MAX_CHUNKS 1024

typedef struct Cg {
  LLVMContextRef ctx;
  LLVMModuleRef mod;
  LLVMBuilderRef b;
  IrFunc *ir;
  LLVMValueRef fn;
  LLVMBasicBlockRef entry; /* allocas go here */
  LLVMBasicBlockRef fail;  /* returns 1; created on first need */
  LLVMValueRef *vals;      /* by IrValue id */
  LLVMValueRef args, slots;
  LLVMValueRef rt[RT_NFNS];
  LLVMTypeRef rt_ty[RT_NFNS];
  LLVMTypeRef i1, i8, i16, i32, i64, f16, f32, f64, ptr, voidt;
  int par_depth;
  int nbodies;
  /* Stack buffers are shared within a function, so that its frame does not grow with the
   * program (a hundred inlined solver calls each used to add their own). */
  LLVMValueRef partials; /* [MAX_CHUNKS x i64]: every parallel reduction's partial results */
  LLVMValueRef par_ctx;  /* the context slots of every parallel body, sized at the end */
  int par_slots;         /* the most context slots a parallel body needs */
  LLVMValueRef dims;     /* [SN_MAX_RANK x i64]: the sizes passed to a runtime call */
  PtrVec scratch;        /* ScratchSlot: lse tiles, shared by blocks at the same depth */
  int depth;             /* nesting of the block being generated */
  /* Inside the body of an IRF_INDEPENDENT loop (and no loop within it): its tensor loads and
   * stores join `group`, an access group the loop declares free of dependences between
   * iterations. Without it a result written over its operand (sn_tensor_reuse) failed LLVM's
   * overlap check at run time and took the scalar loop: AdamW's update, scalar, was 22% of
   * the small MLP's step. */
  bool independent;
  LLVMMetadataRef group;     /* made on first need (access_group) */
  LLVMModuleRef group_home;  /* the module it was parsed in, disposed with the Cg */
} Cg;

/* A stack buffer of `bytes` for the `seq`-th of consecutive SCRATCH instructions at nesting
 * `depth`. A scratch buffer lives only until the end of the loop that follows its group (ir.h),
 * and two blocks at the same depth never run inside one another, so the buffers of groups at
 * the same depth can be the same memory. */
typedef struct ScratchSlot {
  int depth, seq;
  uint64_t bytes;
  LLVMValueRef buf;
} ScratchSlot;

/* --- types ------------------------------------------------------------------------------------- */

static LLVMTypeRef scalar_ty(Cg *cg, SnDtype dt) {
  switch (dt) {
  case SN_BOOL: return cg->i1;
  case SN_I8: case SN_U8: return cg->i8;
  case SN_I32: return cg->i32;
  case SN_I64: return cg->i64;
  case SN_F16: return cg->f16;
  case SN_BF16: return cg->i16;
  case SN_F32: return cg->f32;
  case SN_F64: return cg->f64;
  default: die("scalar_ty: dtype %d", dt);
  }
}

/* The type elements have in memory (bool is a byte). */
static LLVMTypeRef mem_ty(Cg *cg, SnDtype dt) { return dt == SN_BOOL ? cg->i8 : scalar_ty(cg, dt); }

static LLVMTypeRef ty(Cg *cg, IrType t) {
  switch (t.kind) {
  case IRT_SCALAR: return scalar_ty(cg, (SnDtype)t.dtype);
  case IRT_VOID: return cg->voidt;
  default: return cg->ptr;
  }
}

static bool is_f(IrType t) { return ir_is_float(t); }
static bool is_unsigned(IrType t) { return t.dtype == SN_U8 || t.dtype == SN_BOOL; }

/* --- helpers ---------------------------------------------------------------------------------- */

static LLVMValueRef V(Cg *cg, IrValue *v) {
  LLVMValueRef r = cg->vals[ir_val(v)->id];
  if (!r) die("codegen: value %%%d used before it was generated", ir_val(v)->id);
  return r;
}

static void set(Cg *cg, IrValue *v, LLVMValueRef x) { cg->vals[v->id] = x; }

static LLVMValueRef ci64(Cg *cg, int64_t v) { return LLVMConstInt(cg->i64, (unsigned long long)v, 1); }
static LLVMValueRef ci32(Cg *cg, int32_t v) { return LLVMConstInt(cg->i32, (unsigned long long)(int64_t)v, 1); }
static LLVMValueRef cf(LLVMTypeRef t, double v) { return LLVMConstReal(t, v); }

static LLVMValueRef intrinsic(Cg *cg, const char *name, LLVMTypeRef t, int nargs, LLVMValueRef *args) {
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  if (!id) die("codegen: no intrinsic %s", name);
  LLVMTypeRef tys[1] = {t};
  LLVMValueRef f = LLVMGetIntrinsicDeclaration(cg->mod, id, tys, 1);
  LLVMTypeRef fty = LLVMIntrinsicGetType(cg->ctx, id, tys, 1);
  return LLVMBuildCall2(cg->b, fty, f, args, (unsigned)nargs, "");
}

static LLVMValueRef call1(Cg *cg, const char *name, LLVMTypeRef t, LLVMValueRef x) {
  return intrinsic(cg, name, t, 1, &x);
}

static LLVMValueRef fma3(Cg *cg, LLVMTypeRef t, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c) {
  LLVMValueRef args[3] = {a, b, c};
  return intrinsic(cg, "llvm.fma", t, 3, args);
}

/* A libm function of one or two arguments (the same ones the interpreter calls). */
static LLVMValueRef libm(Cg *cg, const char *name, LLVMTypeRef t, int n, LLVMValueRef *args) {
  LLVMValueRef f = LLVMGetNamedFunction(cg->mod, name);
  LLVMTypeRef params[2] = {t, t};
  LLVMTypeRef fty = LLVMFunctionType(t, params, (unsigned)n, 0);
  if (!f) f = LLVMAddFunction(cg->mod, name, fty);
  return LLVMBuildCall2(cg->b, fty, f, args, (unsigned)n, "");
}

static LLVMValueRef entry_alloca(Cg *cg, LLVMTypeRef t, const char *name) {
  LLVMBuilderRef eb = LLVMCreateBuilderInContext(cg->ctx);
  LLVMValueRef first = LLVMGetFirstInstruction(cg->entry);
  if (first) LLVMPositionBuilderBefore(eb, first);
  else LLVMPositionBuilderAtEnd(eb, cg->entry);
  LLVMValueRef a = LLVMBuildAlloca(eb, t, name);
  LLVMDisposeBuilder(eb);
  return a;
}

static LLVMBasicBlockRef new_block(Cg *cg, const char *name) { return LLVMAppendBasicBlockInContext(cg->ctx, cg->fn, name); }

static LLVMBasicBlockRef fail_block(Cg *cg) {
  if (!cg->fail) {
    LLVMBasicBlockRef here = LLVMGetInsertBlock(cg->b);
    cg->fail = new_block(cg, "fail");
    LLVMPositionBuilderAtEnd(cg->b, cg->fail);
    LLVMBuildRet(cg->b, ci32(cg, 1));
    LLVMPositionBuilderAtEnd(cg->b, here);
  }
  return cg->fail;
}

/* Branches to the failure exit when `bad` is true. */
static void fail_if(Cg *cg, LLVMValueRef bad) {
  LLVMBasicBlockRef ok = new_block(cg, "ok");
  LLVMBuildCondBr(cg->b, bad, fail_block(cg), ok);
  LLVMPositionBuilderAtEnd(cg->b, ok);
}

static LLVMValueRef cstring(Cg *cg, const char *s) { return LLVMBuildGlobalStringPtr(cg->b, s, "str"); }

static const char *where(Cg *cg, Span sp) { return diag_where(cg->ir->arena, sp); }

/* --- runtime calls ----------------------------------------------------------------------------- */

static void declare_runtime(Cg *cg) {
  for (int f = 0; f < RT_NFNS; f++) {
    const RtInfo *ri = &rt_fns[f];
    LLVMTypeRef params[RT_MAX_PARAMS];
    for (int i = 0; i < ri->nparams; i++) {
      switch (ri->params[i]) {
      case K_I32: params[i] = cg->i32; break;
      case K_I64: case K_RANK: params[i] = cg->i64; break;
      case K_F32: params[i] = cg->f32; break;
      case K_F64: params[i] = cg->f64; break;
      case K_PTR: case K_SHAPE: params[i] = cg->ptr; break;
      default: die("declare_runtime: parameter kind");
      }
    }
    LLVMTypeRef ret;
    switch (ri->ret) {
    case K_VOID: ret = cg->voidt; break;
    case K_I32: case K_STATUS: ret = cg->i32; break;
    case K_HANDLE: ret = cg->ptr; break;
    case K_I64: ret = cg->i64; break;
    case K_F32: ret = cg->f32; break;
    case K_F64: ret = cg->f64; break;
    default: ret = cg->ptr; break;
    }
    cg->rt_ty[f] = LLVMFunctionType(ret, params, (unsigned)ri->nparams, 0);
    cg->rt[f] = LLVMAddFunction(cg->mod, ri->name, cg->rt_ty[f]);
  }
}

/* Calls runtime function f with IR operands, the sizes of a RANK/SHAPE pair after the others';
 * a failure leaves through the failure exit. The failure of an RTF_AT_CALL function (an
 * allocation) first puts `in`'s location before its message. */
static LLVMValueRef rt_call_at(Cg *cg, IrInst *in, RtFn f, int nops, LLVMValueRef *ops) {
  const RtInfo *ri = &rt_fns[f];
  LLVMValueRef args[RT_MAX_PARAMS];
  int fixed = rt_fixed_operands(f), k = 0;
  for (int i = 0; i < ri->nparams; i++) {
    if (ri->params[i] == K_RANK) {
      args[i] = ci64(cg, nops - fixed);
    } else if (ri->params[i] == K_SHAPE) {
      /* the callee reads the sizes before it returns: one array serves every call */
      if (!cg->dims) cg->dims = entry_alloca(cg, LLVMArrayType2(cg->i64, SN_MAX_RANK), "dims");
      for (int d = fixed; d < nops; d++) {
        LLVMValueRef idx = ci64(cg, d - fixed);
        LLVMBuildStore(cg->b, ops[d], LLVMBuildGEP2(cg->b, cg->i64, cg->dims, &idx, 1, ""));
      }
      args[i] = cg->dims;
    } else {
      LLVMValueRef x = ops[k++];
      if (ri->params[i] == K_I32 && LLVMTypeOf(x) == cg->i1) x = LLVMBuildZExt(cg->b, x, cg->i32, "");
      args[i] = x;
    }
  }
  LLVMValueRef r = LLVMBuildCall2(cg->b, cg->rt_ty[f], cg->rt[f], args, (unsigned)ri->nparams, "");
  LLVMValueRef bad = rt_null_fails(ri->ret) ? LLVMBuildIsNull(cg->b, r, "")
                   : ri->ret == K_STATUS ? LLVMBuildICmp(cg->b, LLVMIntNE, r, ci32(cg, 0), "") : NULL;
  if (bad && in && (ri->flags & RTF_AT_CALL)) {
    LLVMBasicBlockRef failb = new_block(cg, "call.fail"), ok = new_block(cg, "call.ok");
    LLVMBuildCondBr(cg->b, bad, failb, ok);
    LLVMPositionBuilderAtEnd(cg->b, failb);
    LLVMValueRef w = cstring(cg, where(cg, in->span));
    LLVMBuildCall2(cg->b, cg->rt_ty[RT_FAIL_AT], cg->rt[RT_FAIL_AT], &w, 1, "");
    LLVMBuildBr(cg->b, fail_block(cg));
    LLVMPositionBuilderAtEnd(cg->b, ok);
  } else if (bad) {
    fail_if(cg, bad);
  }
  return r;
}

static LLVMValueRef rt_call(Cg *cg, RtFn f, int nops, LLVMValueRef *ops) { return rt_call_at(cg, NULL, f, nops, ops); }

/* --- exp and log (see runtime/math/mathfn.c) -------------------------------------------------- */

static LLVMValueRef sel(Cg *cg, LLVMValueRef c, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildSelect(cg->b, c, a, b, ""); }
static LLVMValueRef fcmp(Cg *cg, LLVMRealPredicate p, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildFCmp(cg->b, p, a, b, ""); }

/* exp(x) as runtime/math/mathfn.c's sn_exp[f] computes it. */
static LLVMValueRef gen_exp(Cg *cg, LLVMValueRef x, bool dbl) {
  LLVMTypeRef t = dbl ? cg->f64 : cg->f32, it = dbl ? cg->i64 : cg->i32;
  LLVMValueRef lo = cf(t, dbl ? SN_EXP_LO : (double)SN_EXPF_LO), hi = cf(t, dbl ? SN_EXP_HI : (double)SN_EXPF_HI);
  LLVMValueRef isnan = fcmp(cg, LLVMRealUNO, x, x);
  LLVMValueRef xc = sel(cg, fcmp(cg, LLVMRealOGT, x, lo), x, lo); /* NaN -> lo, see sn_expf */
  xc = sel(cg, fcmp(cg, LLVMRealOLT, xc, hi), xc, hi);
  LLVMValueRef n = call1(cg, "llvm.rint", t, LLVMBuildFMul(cg->b, xc, cf(t, dbl ? SN_EXP_LOG2E : (double)SN_EXPF_LOG2E), ""));
  LLVMValueRef rh = fma3(cg, t, n, cf(t, dbl ? SN_EXP_LN2_HI : (double)SN_EXPF_LN2_HI), xc);
  LLVMValueRef r = fma3(cg, t, n, cf(t, dbl ? SN_EXP_LN2_LO : (double)SN_EXPF_LN2_LO), rh);
  int np = dbl ? 12 : 6;
  LLVMValueRef p = cf(t, dbl ? sn_exp_poly[0] : (double)sn_expf_poly[0]);
  for (int i = 1; i < np; i++) p = fma3(cg, t, p, r, cf(t, dbl ? sn_exp_poly[i] : (double)sn_expf_poly[i]));
  LLVMValueRef y;
  if (dbl) {
    /* the two-word tail of runtime/math/mathfn.c's sn_exp */
    LLVMValueRef e = fma3(cg, t, n, cf(t, SN_EXP_LN2_LO), LLVMBuildFSub(cg->b, rh, r, ""));
    LLVMValueRef tt = LLVMBuildFMul(cg->b, LLVMBuildFMul(cg->b, r, r, ""), p, "");
    LLVMValueRef qh = LLVMBuildFAdd(cg->b, r, tt, "");
    LLVMValueRef ql = LLVMBuildFAdd(cg->b, LLVMBuildFSub(cg->b, r, qh, ""), tt, "");
    LLVMValueRef yh = LLVMBuildFAdd(cg->b, cf(t, 1.0), qh, "");
    LLVMValueRef yl = LLVMBuildFAdd(cg->b, LLVMBuildFAdd(cg->b, LLVMBuildFSub(cg->b, cf(t, 1.0), yh, ""), qh, ""),
                                    LLVMBuildFAdd(cg->b, ql, e, ""), "");
    y = LLVMBuildFAdd(cg->b, yh, yl, "");
  } else {
    y = LLVMBuildFAdd(cg->b, fma3(cg, t, p, LLVMBuildFMul(cg->b, r, r, ""), r), cf(t, 1.0), "");
  }
  LLVMValueRef ni = LLVMBuildFPToSI(cg->b, n, it, "");
  LLVMValueRef bias = LLVMConstInt(it, dbl ? 1023 : 127, 0), sh = LLVMConstInt(it, dbl ? 52 : 23, 0);
  LLVMValueRef n1 = LLVMBuildAShr(cg->b, ni, LLVMConstInt(it, 1, 0), "");
  LLVMValueRef n2 = LLVMBuildSub(cg->b, ni, n1, "");
  LLVMValueRef s1 = LLVMBuildBitCast(cg->b, LLVMBuildShl(cg->b, LLVMBuildAdd(cg->b, n1, bias, ""), sh, ""), t, "");
  LLVMValueRef s2 = LLVMBuildBitCast(cg->b, LLVMBuildShl(cg->b, LLVMBuildAdd(cg->b, n2, bias, ""), sh, ""), t, "");
  LLVMValueRef res = LLVMBuildFMul(cg->b, LLVMBuildFMul(cg->b, y, s1, ""), s2, "");
  return sel(cg, isnan, x, res);
}

static LLVMValueRef gen_log(Cg *cg, LLVMValueRef x, bool dbl) {
  LLVMTypeRef t = dbl ? cg->f64 : cg->f32, it = dbl ? cg->i64 : cg->i32;
  LLVMValueRef sub = fcmp(cg, LLVMRealOLT, x, cf(t, dbl ? SN_LOG_MIN_NORMAL : (double)SN_LOGF_MIN_NORMAL));
  LLVMValueRef xs = sel(cg, sub, LLVMBuildFMul(cg->b, x, cf(t, dbl ? SN_LOG_SUBNORMAL_SCALE : (double)SN_LOGF_SUBNORMAL_SCALE), ""), x);
  LLVMValueRef eadj = sel(cg, sub, cf(t, dbl ? -52.0 : -23.0), cf(t, 0.0));
  LLVMValueRef bits = LLVMBuildBitCast(cg->b, xs, it, "");
  LLVMValueRef e, m;
  if (!dbl) {
    LLVMValueRef ex = LLVMBuildAnd(cg->b, LLVMBuildLShr(cg->b, bits, LLVMConstInt(it, 23, 0), ""), LLVMConstInt(it, 0xff, 0), "");
    e = LLVMBuildFAdd(cg->b, LLVMBuildSIToFP(cg->b, LLVMBuildSub(cg->b, ex, LLVMConstInt(it, 126, 0), ""), t, ""), eadj, "");
    m = LLVMBuildBitCast(cg->b, LLVMBuildOr(cg->b, LLVMBuildAnd(cg->b, bits, LLVMConstInt(it, 0x807fffffu, 0), ""),
                                            LLVMConstInt(it, 0x3f000000u, 0), ""), t, "");
    LLVMValueRef small = fcmp(cg, LLVMRealOLT, m, cf(t, (double)SN_LOGF_SQRTHF));
    e = sel(cg, small, LLVMBuildFSub(cg->b, e, cf(t, 1.0), ""), e);
    m = sel(cg, small, LLVMBuildFSub(cg->b, LLVMBuildFAdd(cg->b, m, m, ""), cf(t, 1.0), ""),
            LLVMBuildFSub(cg->b, m, cf(t, 1.0), ""));
    LLVMValueRef z = LLVMBuildFMul(cg->b, m, m, "");
    LLVMValueRef p = cf(t, (double)sn_logf_poly[0]);
    for (int i = 1; i < 9; i++) p = fma3(cg, t, p, m, cf(t, (double)sn_logf_poly[i]));
    LLVMValueRef y = LLVMBuildFMul(cg->b, LLVMBuildFMul(cg->b, p, m, ""), z, "");
    y = fma3(cg, t, e, cf(t, (double)SN_LOGF_LN2_LO), y);
    y = fma3(cg, t, z, cf(t, -0.5), y);
    LLVMValueRef res = fma3(cg, t, e, cf(t, (double)SN_LOGF_LN2_HI), LLVMBuildFAdd(cg->b, m, y, ""));
    res = sel(cg, fcmp(cg, LLVMRealOEQ, x, cf(t, 0.0)), cf(t, -INFINITY), res);
    res = sel(cg, fcmp(cg, LLVMRealOEQ, x, cf(t, INFINITY)), x, res);
    res = sel(cg, fcmp(cg, LLVMRealOLT, x, cf(t, 0.0)), cf(t, NAN), res);
    return sel(cg, fcmp(cg, LLVMRealUNO, x, x), x, res);
  }
  LLVMValueRef ex = LLVMBuildAnd(cg->b, LLVMBuildLShr(cg->b, bits, LLVMConstInt(it, 52, 0), ""), LLVMConstInt(it, 0x7ff, 0), "");
  e = LLVMBuildFAdd(cg->b, LLVMBuildSIToFP(cg->b, LLVMBuildSub(cg->b, ex, LLVMConstInt(it, 1023, 0), ""), t, ""), eadj, "");
  m = LLVMBuildBitCast(cg->b, LLVMBuildOr(cg->b, LLVMBuildAnd(cg->b, bits, LLVMConstInt(it, 0x000fffffffffffffull, 0), ""),
                                          LLVMConstInt(it, 0x3ff0000000000000ull, 0), ""), t, "");
  LLVMValueRef big = fcmp(cg, LLVMRealOGT, m, cf(t, SN_LOG_SQRT2));
  e = sel(cg, big, LLVMBuildFAdd(cg->b, e, cf(t, 1.0), ""), e);
  m = sel(cg, big, LLVMBuildFMul(cg->b, m, cf(t, 0.5), ""), m);
  /* fdlibm's formulation, as runtime/math/mathfn.c's sn_log */
  LLVMValueRef f = LLVMBuildFSub(cg->b, m, cf(t, 1.0), "");
  LLVMValueRef s = LLVMBuildFDiv(cg->b, f, LLVMBuildFAdd(cg->b, cf(t, 2.0), f, ""), "");
  LLVMValueRef z = LLVMBuildFMul(cg->b, s, s, "");
  LLVMValueRef p = cf(t, sn_log_poly[0]);
  for (int i = 1; i < 11; i++) p = fma3(cg, t, p, z, cf(t, sn_log_poly[i]));
  LLVMValueRef R = LLVMBuildFMul(cg->b, LLVMBuildFAdd(cg->b, z, z, ""), p, "");
  LLVMValueRef hfsq = LLVMBuildFMul(cg->b, LLVMBuildFMul(cg->b, cf(t, 0.5), f, ""), f, "");
  LLVMValueRef inner = LLVMBuildFAdd(cg->b, LLVMBuildFMul(cg->b, s, LLVMBuildFAdd(cg->b, hfsq, R, ""), ""),
                                     LLVMBuildFMul(cg->b, e, cf(t, SN_LOG_LN2_LO), ""), "");
  LLVMValueRef res = LLVMBuildFSub(cg->b, LLVMBuildFMul(cg->b, e, cf(t, SN_LOG_LN2_HI), ""),
                                   LLVMBuildFSub(cg->b, LLVMBuildFSub(cg->b, hfsq, inner, ""), f, ""), "");
  res = sel(cg, fcmp(cg, LLVMRealOEQ, x, cf(t, 0.0)), cf(t, -INFINITY), res);
  res = sel(cg, fcmp(cg, LLVMRealOEQ, x, cf(t, INFINITY)), x, res);
  res = sel(cg, fcmp(cg, LLVMRealOLT, x, cf(t, 0.0)), cf(t, NAN), res);
  return sel(cg, fcmp(cg, LLVMRealUNO, x, x), x, res);
}

/* How each math function is computed (mathfns.def's lowering column). */
typedef enum MathLowering { ML_POLY, ML_INTRINSIC, ML_LIBM, ML_UNORDERED } MathLowering;

#define POLY(f) {ML_POLY, #f, gen_##f}
#define INTRINSIC(f) {ML_INTRINSIC, "llvm." #f, NULL}
#define LIBM(f) {ML_LIBM, #f, NULL}
#define UNORDERED {ML_UNORDERED, NULL, NULL}
static const struct {
  MathLowering how;
  const char *name; /* the intrinsic, or libm's f64 function (f32: the name and f) */
  LLVMValueRef (*gen)(Cg *cg, LLVMValueRef x, bool dbl); /* ML_POLY */
} math_lowering[] = {
#define MATH(id, name, arity, result, work, c, lowering) [MF_##id] = lowering,
#include "mathfns.def"
};
_Static_assert(sizeof math_lowering / sizeof *math_lowering == MF_NFNS, "a math function without its lowering");

static LLVMValueRef gen_math(Cg *cg, IrInst *in) {
  IrType t = ir_op(in, 0)->type;
  LLVMTypeRef lt = ty(cg, t);
  bool dbl = t.dtype == SN_F64;
  LLVMValueRef x[2] = {V(cg, in->ops[0]), in->nops > 1 ? V(cg, in->ops[1]) : NULL};
  const char *name = math_lowering[in->sub].name;
  switch (math_lowering[in->sub].how) {
  case ML_POLY: return math_lowering[in->sub].gen(cg, x[0], dbl);
  case ML_INTRINSIC: return call1(cg, name, lt, x[0]);
  case ML_UNORDERED: return fcmp(cg, LLVMRealUNO, x[0], x[0]);
  case ML_LIBM: {
    char f32name[32];
    snprintf(f32name, sizeof f32name, "%sf", name);
    return libm(cg, dbl ? name : f32name, lt, in->nops, x);
  }
  }
  die("gen_math: %d", in->sub);
}

/* --- rand's elements (see runtime/math/rng.c) -------------------------------------------------- */

/* The four words of Philox4x32-10 on counter block b of stream 0 under key `seed`, as
 * sn_philox4x32_10. The words live in i64 with their high halves ignored: a multiply reads the
 * low half (masked), a xor carries junk above it, and the words are truncated at the end. Kept in
 * i64, the vectorised rounds are vpmuludq, shifts and xors on 64-bit lanes; as i32 words, every
 * round packed the products' halves into 32-bit lanes and spread them out again. */
static void gen_philox(Cg *cg, LLVMValueRef b, LLVMValueRef seed, LLVMValueRef w[4]) {
  LLVMValueRef sh = ci64(cg, 32), low = ci64(cg, 0xffffffffll);
  LLVMValueRef c0 = b, c1 = LLVMBuildLShr(cg->b, b, sh, ""), c2 = ci64(cg, 0), c3 = c2;
  LLVMValueRef k0 = seed, k1 = LLVMBuildLShr(cg->b, seed, sh, "");
  LLVMValueRef m0 = ci64(cg, SN_PHILOX_M0), m1 = ci64(cg, SN_PHILOX_M1);
  LLVMValueRef w0 = ci64(cg, SN_PHILOX_W0), w1 = ci64(cg, SN_PHILOX_W1);
  for (int r = 0; r < SN_PHILOX_ROUNDS; r++) {
    LLVMValueRef p0 = LLVMBuildMul(cg->b, LLVMBuildAnd(cg->b, c0, low, ""), m0, "");
    LLVMValueRef p1 = LLVMBuildMul(cg->b, LLVMBuildAnd(cg->b, c2, low, ""), m1, "");
    c0 = LLVMBuildXor(cg->b, LLVMBuildXor(cg->b, LLVMBuildLShr(cg->b, p1, sh, ""), c1, ""), k0, "");
    c2 = LLVMBuildXor(cg->b, LLVMBuildXor(cg->b, LLVMBuildLShr(cg->b, p0, sh, ""), c3, ""), k1, "");
    c1 = p1;
    c3 = p0;
    k0 = LLVMBuildAdd(cg->b, k0, w0, "");
    k1 = LLVMBuildAdd(cg->b, k1, w1, "");
  }
  w[0] = LLVMBuildTrunc(cg->b, c0, cg->i32, "");
  w[1] = LLVMBuildTrunc(cg->b, c1, cg->i32, "");
  w[2] = LLVMBuildTrunc(cg->b, c2, cg->i32, "");
  w[3] = LLVMBuildTrunc(cg->b, c3, cg->i32, "");
}

/* Element i of rand(seed): in f32 the top 24 bits of word i%4 of block i/4, in f64 the top 53
 * of words 2(i%2) (high half) and 2(i%2)+1 of block i/2, as sn_rand_f32 and sn_rand_f64. */
static LLVMValueRef gen_rand(Cg *cg, IrInst *in) {
  bool dbl = in->res[0]->type.dtype == SN_F64;
  LLVMValueRef seed = V(cg, in->ops[0]), i = V(cg, in->ops[1]), w[4];
  gen_philox(cg, LLVMBuildLShr(cg->b, i, ci64(cg, dbl ? 1 : 2), ""), seed, w);
  LLVMValueRef k = LLVMBuildTrunc(cg->b, LLVMBuildAnd(cg->b, i, ci64(cg, dbl ? 1 : 3), ""), cg->i32, "");
  if (!dbl) {
    LLVMValueRef x = sel(cg, LLVMBuildICmp(cg->b, LLVMIntEQ, k, ci32(cg, 0), ""), w[0], w[1]);
    x = sel(cg, LLVMBuildICmp(cg->b, LLVMIntEQ, k, ci32(cg, 2), ""), w[2], x);
    x = sel(cg, LLVMBuildICmp(cg->b, LLVMIntEQ, k, ci32(cg, 3), ""), w[3], x);
    LLVMValueRef top = LLVMBuildSIToFP(cg->b, LLVMBuildLShr(cg->b, x, ci32(cg, 8), ""), cg->f32, "");
    return LLVMBuildFMul(cg->b, top, cf(cg->f32, 0x1.0p-24), "");
  }
  LLVMValueRef odd = LLVMBuildICmp(cg->b, LLVMIntNE, k, ci32(cg, 0), "");
  LLVMValueRef hi = LLVMBuildZExt(cg->b, sel(cg, odd, w[2], w[0]), cg->i64, "");
  LLVMValueRef lo = LLVMBuildZExt(cg->b, sel(cg, odd, w[3], w[1]), cg->i64, "");
  LLVMValueRef bits = LLVMBuildOr(cg->b, LLVMBuildShl(cg->b, hi, ci64(cg, 32), ""), lo, "");
  LLVMValueRef top = LLVMBuildSIToFP(cg->b, LLVMBuildLShr(cg->b, bits, ci64(cg, 11), ""), cg->f64, "");
  return LLVMBuildFMul(cg->b, top, cf(cg->f64, 0x1.0p-53), "");
}

/* --- scalar instructions ------------------------------------------------------------------------ */

/* Integer division and modulo with floor semantics (as Python); a zero divisor gives 0 (the
 * program checks user-visible divisors before this). */
static LLVMValueRef int_divmod(Cg *cg, LLVMValueRef a, LLVMValueRef b, LLVMTypeRef t, bool want_rem) {
  LLVMValueRef zero = LLVMConstInt(t, 0, 0), one = LLVMConstInt(t, 1, 0), mone = LLVMConstAllOnes(t);
  /* by a power of two, floor division is an arithmetic shift and the floor modulo a mask */
  if (LLVMIsAConstantInt(b)) {
    long long c = LLVMConstIntGetSExtValue(b);
    if (c > 0 && (c & (c - 1)) == 0)
      return want_rem ? LLVMBuildAnd(cg->b, a, LLVMConstInt(t, (unsigned long long)c - 1, 0), "")
                      : LLVMBuildAShr(cg->b, a, LLVMConstInt(t, (unsigned long long)__builtin_ctzll((unsigned long long)c), 0), "");
  }
  LLVMValueRef bz = LLVMBuildICmp(cg->b, LLVMIntEQ, b, zero, "");
  LLVMValueRef bm1 = LLVMBuildICmp(cg->b, LLVMIntEQ, b, mone, "");
  LLVMValueRef safe = sel(cg, LLVMBuildOr(cg->b, bz, bm1, ""), one, b);
  LLVMValueRef q = LLVMBuildSDiv(cg->b, a, safe, ""), r = LLVMBuildSRem(cg->b, a, safe, "");
  /* b == -1: q = -a (wrapping), r = 0 */
  q = sel(cg, bm1, LLVMBuildSub(cg->b, zero, a, ""), q);
  r = sel(cg, bm1, zero, r);
  LLVMValueRef fix = LLVMBuildAnd(cg->b, LLVMBuildICmp(cg->b, LLVMIntNE, r, zero, ""),
                                  LLVMBuildICmp(cg->b, LLVMIntSLT, LLVMBuildXor(cg->b, r, b, ""), zero, ""), "");
  q = sel(cg, fix, LLVMBuildSub(cg->b, q, one, ""), q);
  r = sel(cg, fix, LLVMBuildAdd(cg->b, r, b, ""), r);
  q = sel(cg, bz, zero, q);
  r = sel(cg, bz, zero, r);
  return want_rem ? r : q;
}

static LLVMValueRef gen_bin(Cg *cg, IrInst *in) {
  IrType t = in->res[0]->type;
  LLVMTypeRef lt = ty(cg, t);
  LLVMValueRef a = V(cg, in->ops[0]), b = V(cg, in->ops[1]), r;
  bool f = is_f(t);
  switch ((IrBinOp)in->sub) {
  case BIN_ADD: r = f ? LLVMBuildFAdd(cg->b, a, b, "") : LLVMBuildAdd(cg->b, a, b, ""); break;
  case BIN_SUB: r = f ? LLVMBuildFSub(cg->b, a, b, "") : LLVMBuildSub(cg->b, a, b, ""); break;
  case BIN_MUL: r = f ? LLVMBuildFMul(cg->b, a, b, "") : LLVMBuildMul(cg->b, a, b, ""); break;
  case BIN_DIV: r = f ? LLVMBuildFDiv(cg->b, a, b, "") : int_divmod(cg, a, b, lt, false); break;
  case BIN_REM: r = f ? LLVMBuildFRem(cg->b, a, b, "") : int_divmod(cg, a, b, lt, true); break;
  case BIN_MIN: case BIN_MAX: {
    LLVMValueRef args[2] = {a, b};
    bool mx = in->sub == BIN_MAX;
    if (f) r = intrinsic(cg, mx ? "llvm.maximum" : "llvm.minimum", lt, 2, args);
    else if (is_unsigned(t)) r = intrinsic(cg, mx ? "llvm.umax" : "llvm.umin", lt, 2, args);
    else r = intrinsic(cg, mx ? "llvm.smax" : "llvm.smin", lt, 2, args);
    break;
  }
  case BIN_AND: r = LLVMBuildAnd(cg->b, a, b, ""); break;
  case BIN_OR: r = LLVMBuildOr(cg->b, a, b, ""); break;
  case BIN_POW: {
    LLVMValueRef ops[2] = {LLVMBuildSExt(cg->b, a, cg->i64, ""), LLVMBuildSExt(cg->b, b, cg->i64, "")};
    if (lt == cg->i64) ops[0] = a, ops[1] = b;
    r = rt_call(cg, RT_IPOW, 2, ops);
    if (lt != cg->i64) r = LLVMBuildTrunc(cg->b, r, lt, "");
    break;
  }
  default: die("gen_bin: %d", in->sub);
  }
  /* A reduction's max or min may be reassociated: the result is the same in any order. An lse
   * tile's maximum also does not order -0 and +0 (nsz): on x86 that saves the sign tests of
   * llvm.maximum, 3 of its 6 vector operations, in every tile. */
  if ((in->flags & IRF_REASSOC) && f)
    LLVMSetFastMathFlags(r, LLVMFastMathAllowReassoc | (in->flags & IRF_NSZ ? LLVMFastMathNoSignedZeros : 0));
  return r;
}

static LLVMValueRef gen_cmp(Cg *cg, IrInst *in) {
  IrType t = ir_op(in, 0)->type;
  LLVMValueRef a = V(cg, in->ops[0]), b = V(cg, in->ops[1]);
  if (is_f(t)) {
    static const LLVMRealPredicate fp[] = {LLVMRealOEQ, LLVMRealUNE, LLVMRealOLT, LLVMRealOLE, LLVMRealOGT, LLVMRealOGE};
    return fcmp(cg, fp[in->sub], a, b);
  }
  static const LLVMIntPredicate sp[] = {LLVMIntEQ, LLVMIntNE, LLVMIntSLT, LLVMIntSLE, LLVMIntSGT, LLVMIntSGE};
  static const LLVMIntPredicate up[] = {LLVMIntEQ, LLVMIntNE, LLVMIntULT, LLVMIntULE, LLVMIntUGT, LLVMIntUGE};
  return LLVMBuildICmp(cg->b, is_unsigned(t) ? up[in->sub] : sp[in->sub], a, b, "");
}

/* f32 -> bf16 bits, rounding to nearest even, NaN to 0x7FC0 (as sn_f32_to_bf16). */
static LLVMValueRef f32_to_bf16(Cg *cg, LLVMValueRef x) {
  LLVMValueRef u = LLVMBuildBitCast(cg->b, x, cg->i32, "");
  LLVMValueRef lsb = LLVMBuildAnd(cg->b, LLVMBuildLShr(cg->b, u, ci32(cg, 16), ""), ci32(cg, 1), "");
  LLVMValueRef r = LLVMBuildLShr(cg->b, LLVMBuildAdd(cg->b, u, LLVMBuildAdd(cg->b, lsb, ci32(cg, 0x7FFF), ""), ""), ci32(cg, 16), "");
  r = LLVMBuildTrunc(cg->b, r, cg->i16, "");
  return sel(cg, fcmp(cg, LLVMRealUNO, x, x), LLVMConstInt(cg->i16, 0x7FC0, 0), r);
}

static LLVMValueRef bf16_to_f32(Cg *cg, LLVMValueRef h) {
  return LLVMBuildBitCast(cg->b, LLVMBuildShl(cg->b, LLVMBuildZExt(cg->b, h, cg->i32, ""), ci32(cg, 16), ""), cg->f32, "");
}

static LLVMValueRef convert(Cg *cg, LLVMValueRef x, IrType from, IrType to) {
  if (ir_type_eq(from, to)) return x;
  SnDtype f = (SnDtype)from.dtype, t = (SnDtype)to.dtype;
  if (f == SN_BF16) return convert(cg, bf16_to_f32(cg, x), ir_scalar(SN_F32), to);
  if (t == SN_BF16) return f32_to_bf16(cg, convert(cg, x, from, ir_scalar(SN_F32)));
  LLVMTypeRef lt = scalar_ty(cg, t);
  bool ff = ir_is_float(from), tf = ir_is_float(to);
  if (t == SN_BOOL) {
    if (ff) return fcmp(cg, LLVMRealUNE, x, cf(LLVMTypeOf(x), 0));
    return LLVMBuildICmp(cg->b, LLVMIntNE, x, LLVMConstInt(LLVMTypeOf(x), 0, 0), "");
  }
  if (ff && tf) return LLVMBuildFPCast(cg->b, x, lt, "");
  if (!ff && tf) return is_unsigned(from) ? LLVMBuildUIToFP(cg->b, x, lt, "") : LLVMBuildSIToFP(cg->b, x, lt, "");
  if (ff && !tf) {
    /* saturating, NaN to 0: never undefined */
    LLVMValueRef args[1] = {x};
    const char *nm = t == SN_U8 ? "llvm.fptoui.sat" : "llvm.fptosi.sat";
    unsigned id = LLVMLookupIntrinsicID(nm, strlen(nm));
    LLVMTypeRef tys[2] = {lt, LLVMTypeOf(x)};
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(cg->mod, id, tys, 2);
    return LLVMBuildCall2(cg->b, LLVMIntrinsicGetType(cg->ctx, id, tys, 2), fn, args, 1, "");
  }
  unsigned fb = LLVMGetIntTypeWidth(LLVMTypeOf(x)), tb = LLVMGetIntTypeWidth(lt);
  if (tb > fb) return is_unsigned(from) ? LLVMBuildZExt(cg->b, x, lt, "") : LLVMBuildSExt(cg->b, x, lt, "");
  if (tb < fb) return LLVMBuildTrunc(cg->b, x, lt, "");
  return x;
}

/* --- memory -------------------------------------------------------------------------------------- */

static LLVMValueRef header_field(Cg *cg, LLVMValueRef t, int64_t offset, LLVMTypeRef fty) {
  LLVMValueRef idx = ci64(cg, offset);
  LLVMValueRef p = LLVMBuildGEP2(cg->b, cg->i8, t, &idx, 1, "");
  LLVMValueRef v = LLVMBuildLoad2(cg->b, fty, p, "");
  return v;
}

static LLVMValueRef elem_ptr(Cg *cg, SnDtype dt, LLVMValueRef base, LLVMValueRef off) {
  return LLVMBuildInBoundsGEP2(cg->b, mem_ty(cg, dt), base, &off, 1, "");
}

/* The module's access group: a distinct node without operands, which the C API cannot make; it
 * is parsed (metadata belongs to the context, so the node serves this module). */
static LLVMMetadataRef access_group(Cg *cg) {
  if (cg->group) return cg->group;
  static const char text[] = "!g = !{!0}\n!0 = distinct !{}\n";
  LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(text, sizeof text - 1, "access group");
  char *msg = NULL;
  if (LLVMParseIRInContext(cg->ctx, buf, &cg->group_home, &msg)) die("access group: %s", msg);
  LLVMValueRef node; /* the named list's one operand, !0 */
  LLVMGetNamedMetadataOperands(cg->group_home, "g", &node);
  cg->group = LLVMValueAsMetadata(node);
  return cg->group;
}

/* A load or store of tensor data (not a scratch buffer) in an independent loop joins its group. */
static void mark_access(Cg *cg, LLVMValueRef inst, IrValue *ptr) {
  IrInst *d = ir_val(ptr)->def;
  if (!cg->independent || !d || d->op != IR_DATA) return;
  unsigned kind = LLVMGetMDKindIDInContext(cg->ctx, "llvm.access.group", 17);
  LLVMSetMetadata(inst, kind, LLVMMetadataAsValue(cg->ctx, access_group(cg)));
}

/* The latch branch of an independent loop: !llvm.loop !{self, !{"llvm.loop.parallel_accesses",
 * group}}, whose accesses in the group carry no dependence from one iteration to another. */
static void mark_loop(Cg *cg, LLVMValueRef br) {
  const char *name = "llvm.loop.parallel_accesses";
  LLVMMetadataRef pa[2] = {LLVMMDStringInContext2(cg->ctx, name, strlen(name)), access_group(cg)};
  LLVMMetadataRef self = LLVMTemporaryMDNode(cg->ctx, NULL, 0);
  LLVMMetadataRef ops[2] = {self, LLVMMDNodeInContext2(cg->ctx, pa, 2)};
  LLVMMetadataRef id = LLVMMDNodeInContext2(cg->ctx, ops, 2);
  LLVMMetadataReplaceAllUsesWith(self, id);
  LLVMSetMetadata(br, LLVMGetMDKindIDInContext(cg->ctx, "llvm.loop", 9), LLVMMetadataAsValue(cg->ctx, id));
}

static LLVMValueRef gen_load(Cg *cg, IrInst *in) {
  SnDtype dt = (SnDtype)in->res[0]->type.dtype;
  LLVMValueRef v = LLVMBuildLoad2(cg->b, mem_ty(cg, dt), elem_ptr(cg, dt, V(cg, in->ops[0]), V(cg, in->ops[1])), "");
  mark_access(cg, v, in->ops[0]);
  if (dt == SN_BOOL) v = LLVMBuildICmp(cg->b, LLVMIntNE, v, LLVMConstInt(cg->i8, 0, 0), "");
  return v;
}

static void gen_store(Cg *cg, IrInst *in) {
  SnDtype dt = (SnDtype)ir_op(in, 0)->type.dtype;
  LLVMValueRef v = V(cg, in->ops[2]);
  if (dt == SN_BOOL) v = LLVMBuildZExt(cg->b, v, cg->i8, "");
  mark_access(cg, LLVMBuildStore(cg->b, v, elem_ptr(cg, dt, V(cg, in->ops[0]), V(cg, in->ops[1]))), in->ops[0]);
}

/* --- checks ------------------------------------------------------------------------------------- */

static void gen_check(Cg *cg, IrInst *in) {
  LLVMValueRef bad;
  switch ((IrCheck)in->sub) {
  case CHECK_INDEX: bad = LLVMBuildICmp(cg->b, LLVMIntUGE, V(cg, in->ops[0]), V(cg, in->ops[1]), ""); break;
  case CHECK_DIMS: bad = LLVMBuildICmp(cg->b, LLVMIntNE, V(cg, in->ops[0]), V(cg, in->ops[1]), ""); break;
  case CHECK_TRUE: bad = LLVMBuildNot(cg->b, V(cg, in->ops[0]), ""); break;
  case CHECK_SIZE: bad = LLVMBuildICmp(cg->b, LLVMIntSLT, V(cg, in->ops[0]), ci64(cg, 0), ""); break;
  case CHECK_MSG: bad = LLVMBuildNot(cg->b, V(cg, in->ops[0]), ""); break;
  case CHECK_SHAPE: {
    LLVMValueRef ops[SN_MAX_RANK + 6];
    ops[0] = cstring(cg, where(cg, in->span));
    ops[1] = cstring(cg, in->str);
    ops[2] = cstring(cg, (const char *)in->blob);
    ops[3] = ci32(cg, (int32_t)in->imm.i);
    ops[4] = V(cg, in->ops[0]);
    for (int i = 1; i < in->nops; i++) ops[4 + i] = V(cg, in->ops[i]);
    rt_call(cg, RT_CHECK_SHAPE, 4 + in->nops, ops);
    return;
  }
  default: die("gen_check");
  }
  LLVMBasicBlockRef failb = new_block(cg, "check.fail"), ok = new_block(cg, "check.ok");
  LLVMBuildCondBr(cg->b, bad, failb, ok);
  LLVMPositionBuilderAtEnd(cg->b, failb);
  LLVMValueRef w = cstring(cg, where(cg, in->span)), what = cstring(cg, in->str ? in->str : "");
  switch ((IrCheck)in->sub) {
  case CHECK_INDEX: {
    LLVMValueRef a[4] = {w, what, V(cg, in->ops[0]), V(cg, in->ops[1])};
    LLVMBuildCall2(cg->b, cg->rt_ty[RT_FAIL_INDEX], cg->rt[RT_FAIL_INDEX], a, 4, "");
    break;
  }
  case CHECK_DIMS: {
    LLVMValueRef a[4] = {w, what, V(cg, in->ops[0]), V(cg, in->ops[1])};
    LLVMBuildCall2(cg->b, cg->rt_ty[RT_FAIL_DIMS], cg->rt[RT_FAIL_DIMS], a, 4, "");
    break;
  }
  case CHECK_SIZE: {
    LLVMValueRef a[3] = {w, what, V(cg, in->ops[0])};
    LLVMBuildCall2(cg->b, cg->rt_ty[RT_FAIL_SIZE], cg->rt[RT_FAIL_SIZE], a, 3, "");
    break;
  }
  case CHECK_MSG: {
    int n = in->nops - 1;
    LLVMTypeRef arr = LLVMArrayType(cg->f64, (unsigned)(n ? n : 1));
    LLVMValueRef vals = LLVMBuildAlloca(cg->b, arr, "check.values");
    for (int i = 0; i < n; i++) {
      LLVMValueRef idx[2] = {ci64(cg, 0), ci64(cg, i)};
      LLVMBuildStore(cg->b, V(cg, in->ops[1 + i]), LLVMBuildInBoundsGEP2(cg->b, arr, vals, idx, 2, ""));
    }
    LLVMValueRef a[6] = {w, what, in->blob ? cstring(cg, in->blob) : LLVMConstNull(cg->ptr),
                         LLVMConstInt(cg->i32, (unsigned long long)n, 0), vals,
                         LLVMConstInt(cg->i32, (unsigned long long)in->imm.i, 0)};
    LLVMBuildCall2(cg->b, cg->rt_ty[RT_FAIL_CHECK], cg->rt[RT_FAIL_CHECK], a, 6, "");
    break;
  }
  default: {
    LLVMValueRef a[2] = {w, what};
    LLVMBuildCall2(cg->b, cg->rt_ty[RT_FAIL_MSG], cg->rt[RT_FAIL_MSG], a, 2, "");
  }
  }
  LLVMBuildBr(cg->b, fail_block(cg));
  LLVMPositionBuilderAtEnd(cg->b, ok);
}

/* --- structured control flow ------------------------------------------------------------------- */

static void gen_block(Cg *cg, IrBlock *blk, LLVMValueRef *yielded);

/* for iv in [lo, hi) carrying values: returns the final carried values in `out`. */
static void gen_loop(Cg *cg, IrInst *in, LLVMValueRef lo, LLVMValueRef hi, LLVMValueRef *inits, LLVMValueRef *out) {
  IrBlock *r = in->regions[0];
  int nc = r->nargs - 1;
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(cg->b);
  LLVMBasicBlockRef head = new_block(cg, "for.head"), body = new_block(cg, "for.body"), exit = new_block(cg, "for.exit");
  LLVMBuildBr(cg->b, head);
  LLVMPositionBuilderAtEnd(cg->b, head);
  LLVMValueRef iv = LLVMBuildPhi(cg->b, cg->i64, "i");
  LLVMValueRef *phis = arena_alloc(cg->ir->arena, (size_t)(nc + 1) * sizeof *phis);
  for (int i = 0; i < nc; i++) phis[i] = LLVMBuildPhi(cg->b, ty(cg, r->args[1 + i]->type), "acc");
  LLVMBuildCondBr(cg->b, LLVMBuildICmp(cg->b, LLVMIntSLT, iv, hi, ""), body, exit);
  LLVMPositionBuilderAtEnd(cg->b, body);
  set(cg, r->args[0], iv);
  for (int i = 0; i < nc; i++) set(cg, r->args[1 + i], phis[i]);
  LLVMValueRef *y = arena_alloc(cg->ir->arena, (size_t)(nc + 1) * sizeof *y);
  bool outer = cg->independent, independent = in->flags & IRF_INDEPENDENT;
  cg->independent = independent;
  gen_block(cg, r, y);
  cg->independent = outer;
  LLVMValueRef next = LLVMBuildAdd(cg->b, iv, ci64(cg, 1), "");
  LLVMSetNUW(next, 1);
  LLVMSetNSW(next, 1);
  LLVMBasicBlockRef latch = LLVMGetInsertBlock(cg->b);
  LLVMValueRef br = LLVMBuildBr(cg->b, head);
  if (independent) mark_loop(cg, br);
  LLVMValueRef ivin[2] = {lo, next};
  LLVMBasicBlockRef ivbb[2] = {pre, latch};
  LLVMAddIncoming(iv, ivin, ivbb, 2);
  for (int i = 0; i < nc; i++) {
    LLVMValueRef in2[2] = {inits[i], y[i]};
    LLVMAddIncoming(phis[i], in2, ivbb, 2);
  }
  LLVMPositionBuilderAtEnd(cg->b, exit);
  for (int i = 0; i < nc; i++) out[i] = phis[i];
}

/* Constants are LLVM constants, usable in any function: they are not captured, so the outlined
 * body sees them (a loop bound of 3 stays 3, and LLVM can unroll and vectorise around it). */
static bool is_constant(IrValue *v) { return v->def && (v->def->op == IR_CONST || v->def->op == IR_STRING); }

/* Values used inside b but defined outside it (those marked are b's own). */
static void collect_free(IrBlock *b, PtrVec *out, Arena *a) {
  for (IrInst *in = b->first; in; in = in->next) {
    for (int i = 0; i < in->nops; i++) {
      IrValue *v = ir_val(in->ops[i]);
      if (v->aux || is_constant(v)) continue;
      v->aux = (void *)2; /* collected once */
      vec_push(a, out, v);
    }
    for (int r = 0; r < in->nregions; r++) collect_free(in->regions[r], out, a);
  }
}

/* An upper bound, computable before the region starts, of the i64 value v, or NULL: v itself
 * when it is known there (not the region's own, marked by aux), a constant, or the sums,
 * products and divisions by positive constants of such bounds, a difference whose subtrahend
 * is known or >= 0, and a minimum of which one side has a bound. So the tiles of a sum over n
 * terms, `for t < ceil(n / 256)` around `for min(256, n - 256 t)`, count min(256, n) each. */
static bool known_before(IrValue *v) {
  v = ir_val(v);
  return !v->aux || (v->def && v->def->op == IR_CONST);
}

/* work_estimate marks the counter of a loop that starts at a constant >= 0 with this aux */
#define AUX_COUNTER ((void *)3)

/* Whether v is >= 0 wherever the region computes it: such a counter, a constant >= 0, or their
 * sums and products. */
static bool nonneg(IrValue *v, int depth) {
  v = ir_val(v);
  IrInst *d = v->def;
  if (v->aux == AUX_COUNTER) return true;
  if (d && d->op == IR_CONST) return d->imm.i >= 0;
  if (!d || d->op != IR_BIN || depth > 8 || (d->sub != BIN_ADD && d->sub != BIN_MUL)) return false;
  return nonneg(d->ops[0], depth + 1) && nonneg(d->ops[1], depth + 1);
}

static LLVMValueRef trip_bound(Cg *cg, IrValue *v, int depth) {
  v = ir_val(v);
  IrInst *d = v->def;
  if (d && d->op == IR_CONST) return v->type.dtype == SN_I64 && v->type.rank == 0 ? ci64(cg, d->imm.i) : NULL;
  if (!v->aux) return cg->vals[v->id];
  if (!d || d->op != IR_BIN || depth > 8 || v->type.dtype != SN_I64) return NULL;
  LLVMValueRef a = trip_bound(cg, d->ops[0], depth + 1), b = trip_bound(cg, d->ops[1], depth + 1);
  IrValue *bv = ir_val(d->ops[1]);
  switch ((IrBinOp)d->sub) {
  case BIN_ADD: return a && b ? LLVMBuildAdd(cg->b, a, b, "") : NULL;
  case BIN_MUL: return a && b ? LLVMBuildMul(cg->b, a, b, "") : NULL;
  case BIN_SUB:
    if (a && b && known_before(bv)) return LLVMBuildSub(cg->b, a, b, "");
    return a && nonneg(bv, 0) ? a : NULL;
  case BIN_DIV:
    return a && bv->def && bv->def->op == IR_CONST && bv->def->imm.i > 0 ? LLVMBuildSDiv(cg->b, a, b, "") : NULL;
  case BIN_MIN:
    if (a && b) return sel(cg, LLVMBuildICmp(cg->b, LLVMIntSLT, a, b, ""), a, b);
    return a ? a : b;
  default: return NULL;
  }
}

/* Instructions in a region (weighted by ir_work_of), and the run-time trip counts of loops inside
 * it, bounded before the region starts (trip_bound): an estimate of one iteration's work. A loop
 * whose bound the region computes otherwise counts as UNKNOWN_TRIP iterations: counting it as
 * one made Sinkhorn's rows 3 chunks, two on one thread and one on the other. An `if` costs its
 * costlier branch: the product of both counted a column sum of 64 terms (an in-order branch
 * and a branch of leaves) as 16384 and sent an MLP step's small loops to the threads. */
#define UNKNOWN_TRIP 16

/* The estimate's products saturate here: loops one after another multiply (an overestimate, and
 * any estimate above PARALLEL_GRAIN_WORK gives chunks of one iteration), and three loops of 2^20
 * and a fourth of 16 wrapped the product to 0, the grain's divisor (a Karcher mean's body: SIGFPE).
 * Factors at most 2^31 keep each product within 64 bits. */
#define WORK_CAP ((int64_t)1 << 31)

static LLVMValueRef mul_sat(Cg *cg, LLVMValueRef a, LLVMValueRef b) {
  LLVMValueRef p = LLVMBuildMul(cg->b, a, b, ""), cap = ci64(cg, WORK_CAP);
  return sel(cg, LLVMBuildICmp(cg->b, LLVMIntSGT, p, cap, ""), cap, p);
}

static LLVMValueRef work_estimate(Cg *cg, IrBlock *b, int *count) {
  LLVMValueRef w = ci64(cg, 1);
  for (IrInst *in = b->first; in; in = in->next) {
    *count += ir_work_of(in);
    if (in->op == IR_FOR) {
      int inner = 0;
      IrValue *lv = ir_val(in->ops[0]);
      if (lv->def && lv->def->op == IR_CONST && lv->def->imm.i >= 0) in->regions[0]->args[0]->aux = AUX_COUNTER;
      LLVMValueRef iw = work_estimate(cg, in->regions[0], &inner);
      *count += inner;
      LLVMValueRef lo = trip_bound(cg, in->ops[0], 0), hi = trip_bound(cg, in->ops[1], 0);
      LLVMValueRef trip = ci64(cg, UNKNOWN_TRIP);
      if (hi && lo && known_before(in->ops[0])) {
        trip = LLVMBuildSub(cg->b, hi, lo, "");
        trip = sel(cg, LLVMBuildICmp(cg->b, LLVMIntSLT, trip, ci64(cg, 1), ""), ci64(cg, 1), trip);
        trip = sel(cg, LLVMBuildICmp(cg->b, LLVMIntSGT, trip, ci64(cg, WORK_CAP), ""), ci64(cg, WORK_CAP), trip);
      }
      w = mul_sat(cg, w, mul_sat(cg, trip, iw));
    } else if (in->op == IR_IF) {
      int inner = 0;
      LLVMValueRef a = work_estimate(cg, in->regions[0], &inner), e = work_estimate(cg, in->regions[1], &inner);
      *count += inner;
      w = mul_sat(cg, w, sel(cg, LLVMBuildICmp(cg->b, LLVMIntSGT, a, e, ""), a, e));
    } else {
      for (int r = 0; r < in->nregions; r++) {
        int inner = 0;
        w = mul_sat(cg, w, work_estimate(cg, in->regions[r], &inner));
        *count += inner;
      }
    }
  }
  return w;
}

/* Slot k of a parallel body's context (8 bytes: every value a body reads fits one). */
static LLVMValueRef ctx_slot(Cg *cg, LLVMValueRef ctxp, int k) {
  LLVMValueRef idx = ci64(cg, k);
  return LLVMBuildGEP2(cg->b, cg->i64, ctxp, &idx, 1, "");
}

/* A parallel FOR: the region becomes a function over a chunk [lo, hi) of iterations. */
static void gen_parallel(Cg *cg, IrInst *in, LLVMValueRef *out) {
  IrBlock *r = in->regions[0];
  int nc = r->nargs - 1;
  /* what the region reads from outside */
  ir_set_aux(r, (void *)1);
  PtrVec freev = {0};
  for (int i = 0; i < in->nops; i++) {
    IrValue *v = ir_op(in, i);
    if (!v->aux && !is_constant(v)) {
      v->aux = (void *)2;
      vec_push(cg->ir->arena, &freev, v);
    }
  }
  collect_free(r, &freev, cg->ir->arena);
  for (int i = 0; i < freev.n; i++) ((IrValue *)freev.items[i])->aux = NULL;
  /* the estimate needs marks of the region's own values */
  int count = 0;
  LLVMValueRef w = work_estimate(cg, r, &count);
  ir_clear_aux(r);
  w = LLVMBuildMul(cg->b, w, ci64(cg, count > 0 ? count : 1), ""); /* w >= 1: the grain divides by it */
  LLVMValueRef grain = in->flags & IRF_CHUNKS ? ci64(cg, 1)
                     : LLVMBuildAdd(cg->b, LLVMBuildSDiv(cg->b, ci64(cg, PARALLEL_GRAIN_WORK), w, ""), ci64(cg, 1), "");

  /* the context: one 8-byte slot per value the body reads, then the partial results' address;
   * bodies run one at a time, so they all share one context and one array of partials */
  LLVMTypeRef *fields = arena_alloc(cg->ir->arena, (size_t)(freev.n + 1) * sizeof *fields);
  for (int i = 0; i < freev.n; i++) fields[i] = LLVMTypeOf(V(cg, freev.items[i]));
  fields[freev.n] = cg->ptr; /* partial results */
  if (!cg->par_ctx) cg->par_ctx = entry_alloca(cg, cg->i64, "par.ctx"); /* resized in cg_module */
  if (freev.n + 1 > cg->par_slots) cg->par_slots = freev.n + 1;
  LLVMValueRef ctxp = cg->par_ctx;
  for (int i = 0; i < freev.n; i++) LLVMBuildStore(cg->b, V(cg, freev.items[i]), ctx_slot(cg, ctxp, i));
  LLVMTypeRef acc_ty = nc ? ty(cg, r->args[1]->type) : cg->i64;
  LLVMTypeRef parr = LLVMArrayType2(acc_ty, MAX_CHUNKS);
  if (nc && !cg->partials) cg->partials = entry_alloca(cg, LLVMArrayType2(cg->i64, MAX_CHUNKS), "partials");
  LLVMValueRef partials = nc ? cg->partials : LLVMConstNull(cg->ptr);
  LLVMBuildStore(cg->b, partials, ctx_slot(cg, ctxp, freev.n));
  LLVMValueRef lo = V(cg, in->ops[0]), hi = V(cg, in->ops[1]);
  LLVMValueRef n = LLVMBuildSub(cg->b, hi, lo, "");
  LLVMValueRef cargs[2] = {n, grain};
  LLVMValueRef nchunks = LLVMBuildCall2(cg->b, cg->rt_ty[RT_PARALLEL_CHUNKS], cg->rt[RT_PARALLEL_CHUNKS], cargs, 2, "");

  /* the outlined body */
  Cg saved = *cg;
  LLVMTypeRef bparams[4] = {cg->ptr, cg->i64, cg->i64, cg->i64};
  LLVMTypeRef bty = LLVMFunctionType(cg->i32, bparams, 4, 0);
  char name[64];
  snprintf(name, sizeof name, "sinter_body.%d", cg->nbodies++);
  LLVMValueRef bf = LLVMAddFunction(cg->mod, name, bty);
  LLVMSetLinkage(bf, LLVMInternalLinkage);
  LLVMBuilderRef bb = LLVMCreateBuilderInContext(cg->ctx);
  cg->b = bb;
  cg->fn = bf;
  cg->entry = LLVMAppendBasicBlockInContext(cg->ctx, bf, "entry");
  cg->fail = NULL;
  cg->par_depth++;
  cg->partials = cg->par_ctx = cg->dims = NULL;
  cg->scratch = (PtrVec){0};
  cg->depth = 0;
  LLVMPositionBuilderAtEnd(bb, cg->entry);
  LLVMValueRef bctx = LLVMGetParam(bf, 0), chunk = LLVMGetParam(bf, 1);
  LLVMValueRef *outer_vals = arena_alloc(cg->ir->arena, (size_t)(freev.n ? freev.n : 1) * sizeof *outer_vals);
  for (int i = 0; i < freev.n; i++) {
    IrValue *v = freev.items[i];
    outer_vals[i] = cg->vals[v->id];
    cg->vals[v->id] = LLVMBuildLoad2(cg->b, fields[i], ctx_slot(cg, bctx, i), "");
  }
  LLVMValueRef bpart = LLVMBuildLoad2(cg->b, cg->ptr, ctx_slot(cg, bctx, freev.n), "");
  /* chunk bounds are offsets into [lo, hi) */
  LLVMValueRef inner_lo = LLVMBuildAdd(cg->b, V(cg, in->ops[0]), LLVMGetParam(bf, 2), "");
  LLVMValueRef inner_hi = LLVMBuildAdd(cg->b, V(cg, in->ops[0]), LLVMGetParam(bf, 3), "");
  LLVMValueRef inits[1], res[1]; /* a parallel loop carries at most one value (gen_for) */
  for (int i = 0; i < nc; i++) inits[i] = V(cg, in->ops[2 + i]);
  LLVMBasicBlockRef start = LLVMAppendBasicBlockInContext(cg->ctx, bf, "start");
  LLVMBuildBr(cg->b, start);
  LLVMPositionBuilderAtEnd(cg->b, start);
  gen_loop(cg, in, inner_lo, inner_hi, inits, res);
  if (nc) {
    LLVMValueRef idx[2] = {ci64(cg, 0), chunk};
    LLVMBuildStore(cg->b, res[0], LLVMBuildGEP2(cg->b, parr, bpart, idx, 2, ""));
  }
  LLVMBuildRet(cg->b, ci32(cg, 0));
  for (int i = 0; i < freev.n; i++) cg->vals[((IrValue *)freev.items[i])->id] = outer_vals[i];
  LLVMDisposeBuilder(bb);
  LLVMValueRef *vals = cg->vals;
  int nbodies = cg->nbodies;
  LLVMMetadataRef group = cg->group;
  LLVMModuleRef group_home = cg->group_home;
  *cg = saved;
  cg->vals = vals;
  cg->nbodies = nbodies;
  cg->group = group;
  cg->group_home = group_home;

  /* run it, then combine the partial results in chunk order */
  LLVMValueRef pargs[4] = {n, nchunks, bf, ctxp};
  /* a loop of little work runs its chunks in order on this thread: the same chunks, so the
   * same results, without the cost of waking the others (PARALLEL_MIN_CHUNKS) */
  LLVMValueRef small = LLVMBuildICmp(cg->b, LLVMIntSLT, nchunks, ci64(cg, PARALLEL_MIN_CHUNKS), "");
  LLVMValueRef runner = sel(cg, small, cg->rt[RT_SERIAL_FOR], cg->rt[RT_PARALLEL_FOR]);
  LLVMValueRef status = LLVMBuildCall2(cg->b, cg->rt_ty[RT_PARALLEL_FOR], runner, pargs, 4, "");
  fail_if(cg, LLVMBuildICmp(cg->b, LLVMIntNE, status, ci32(cg, 0), ""));
  if (!nc) return;
  IrType at = r->args[1]->type;
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(cg->b);
  LLVMBasicBlockRef head = new_block(cg, "comb.head"), body = new_block(cg, "comb.body"), exit = new_block(cg, "comb.exit");
  LLVMBuildBr(cg->b, head);
  LLVMPositionBuilderAtEnd(cg->b, head);
  LLVMValueRef c = LLVMBuildPhi(cg->b, cg->i64, "c"), acc = LLVMBuildPhi(cg->b, acc_ty, "acc");
  LLVMBuildCondBr(cg->b, LLVMBuildICmp(cg->b, LLVMIntSLT, c, nchunks, ""), body, exit);
  LLVMPositionBuilderAtEnd(cg->b, body);
  LLVMValueRef idx[2] = {ci64(cg, 0), c};
  LLVMValueRef part = LLVMBuildLoad2(cg->b, acc_ty, LLVMBuildGEP2(cg->b, parr, partials, idx, 2, ""), "");
  LLVMValueRef comb;
  bool f = is_f(at);
  switch ((IrBinOp)in->sub) {
  case BIN_ADD: comb = f ? LLVMBuildFAdd(cg->b, acc, part, "") : LLVMBuildAdd(cg->b, acc, part, ""); break;
  case BIN_MUL: comb = f ? LLVMBuildFMul(cg->b, acc, part, "") : LLVMBuildMul(cg->b, acc, part, ""); break;
  case BIN_AND: comb = LLVMBuildAnd(cg->b, acc, part, ""); break;
  case BIN_OR: comb = LLVMBuildOr(cg->b, acc, part, ""); break;
  default: {
    LLVMValueRef args[2] = {acc, part};
    bool mx = in->sub == BIN_MAX;
    comb = intrinsic(cg, f ? (mx ? "llvm.maximum" : "llvm.minimum") : is_unsigned(at) ? (mx ? "llvm.umax" : "llvm.umin")
                                                                                      : (mx ? "llvm.smax" : "llvm.smin"),
                     acc_ty, 2, args);
  }
  }
  LLVMValueRef cn = LLVMBuildAdd(cg->b, c, ci64(cg, 1), "");
  LLVMBasicBlockRef latch = LLVMGetInsertBlock(cg->b);
  LLVMBuildBr(cg->b, head);
  LLVMValueRef cin[2] = {ci64(cg, 0), cn}, ain[2] = {V(cg, in->ops[2]), comb};
  LLVMBasicBlockRef bbs[2] = {pre, latch};
  LLVMAddIncoming(c, cin, bbs, 2);
  LLVMAddIncoming(acc, ain, bbs, 2);
  LLVMPositionBuilderAtEnd(cg->b, exit);
  out[0] = acc;
}

static void gen_for(Cg *cg, IrInst *in) {
  int nc = in->nres;
  LLVMValueRef *out = arena_alloc(cg->ir->arena, (size_t)(nc + 1) * sizeof *out);
  if ((in->flags & IRF_PARALLEL) && cg->par_depth == 0 && nc <= 1) {
    gen_parallel(cg, in, out);
  } else {
    LLVMValueRef *inits = arena_alloc(cg->ir->arena, (size_t)(nc + 1) * sizeof *inits);
    for (int i = 0; i < nc; i++) inits[i] = V(cg, in->ops[2 + i]);
    gen_loop(cg, in, V(cg, in->ops[0]), V(cg, in->ops[1]), inits, out);
  }
  for (int i = 0; i < nc; i++) set(cg, in->res[i], out[i]);
}

static void gen_if(Cg *cg, IrInst *in) {
  LLVMBasicBlockRef tb = new_block(cg, "if.then"), eb = new_block(cg, "if.else"), mb = new_block(cg, "if.end");
  LLVMBuildCondBr(cg->b, V(cg, in->ops[0]), tb, eb);
  size_t ny = (size_t)(in->nres ? in->nres : 1);
  LLVMValueRef *ya = arena_alloc(cg->ir->arena, ny * sizeof *ya), *yb = arena_alloc(cg->ir->arena, ny * sizeof *yb);
  LLVMPositionBuilderAtEnd(cg->b, tb);
  gen_block(cg, in->regions[0], ya);
  LLVMBasicBlockRef tend = LLVMGetInsertBlock(cg->b);
  LLVMBuildBr(cg->b, mb);
  LLVMPositionBuilderAtEnd(cg->b, eb);
  gen_block(cg, in->regions[1], yb);
  LLVMBasicBlockRef eend = LLVMGetInsertBlock(cg->b);
  LLVMBuildBr(cg->b, mb);
  LLVMPositionBuilderAtEnd(cg->b, mb);
  for (int i = 0; i < in->nres; i++) {
    LLVMValueRef phi = LLVMBuildPhi(cg->b, ty(cg, in->res[i]->type), "");
    LLVMValueRef vals[2] = {ya[i], yb[i]};
    LLVMBasicBlockRef bbs[2] = {tend, eend};
    LLVMAddIncoming(phi, vals, bbs, 2);
    set(cg, in->res[i], phi);
  }
}

/* iterate: count from 0; after each body, stop if done (converged) or count reached max. */
static void gen_iterate(Cg *cg, IrInst *in) {
  IrBlock *r = in->regions[0];
  int ns = in->nops - 1;
  LLVMValueRef maxv = V(cg, in->ops[0]);
  LLVMValueRef pargs[3] = {cstring(cg, in->str ? in->str : "iterate"), maxv, cstring(cg, "iterations")};
  LLVMValueRef report = rt_call(cg, RT_PROGRESS_START, 3, pargs);
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(cg->b);
  LLVMBasicBlockRef head = new_block(cg, "iter.head"), more = new_block(cg, "iter.more"), end = new_block(cg, "iter.end");
  LLVMBuildCondBr(cg->b, LLVMBuildICmp(cg->b, LLVMIntSGT, maxv, ci64(cg, 0), ""), head, end);
  LLVMPositionBuilderAtEnd(cg->b, head);
  LLVMValueRef count = LLVMBuildPhi(cg->b, cg->i64, "count");
  /* the states (any number: a record state is carried as its leaves), then the yielded done
   * flag and progress metric */
  LLVMValueRef *phis = arena_alloc(cg->ir->arena, (size_t)(ns + 2) * sizeof *phis);
  LLVMValueRef *y = arena_alloc(cg->ir->arena, (size_t)(ns + 2) * sizeof *y);
  set(cg, r->args[0], count);
  for (int i = 0; i < ns; i++) {
    phis[i] = LLVMBuildPhi(cg->b, ty(cg, r->args[1 + i]->type), "state");
    set(cg, r->args[1 + i], phis[i]);
  }
  bool outer = cg->independent;
  cg->independent = false;
  gen_block(cg, r, y);
  cg->independent = outer;
  LLVMValueRef cnt1 = LLVMBuildAdd(cg->b, count, ci64(cg, 1), "");
  LLVMValueRef uargs[4] = {report, cnt1, in->blob ? cstring(cg, in->blob) : LLVMConstNull(cg->ptr),
                           in->blob ? y[ns + 1] : cf(cg->f64, 0)};
  rt_call(cg, RT_PROGRESS_UPDATE, 4, uargs);
  LLVMBasicBlockRef body_end = LLVMGetInsertBlock(cg->b);
  LLVMValueRef done = y[ns];
  LLVMBasicBlockRef check = new_block(cg, "iter.check");
  LLVMBuildCondBr(cg->b, done, end, check);
  LLVMPositionBuilderAtEnd(cg->b, check);
  LLVMBuildCondBr(cg->b, LLVMBuildICmp(cg->b, LLVMIntSLT, cnt1, maxv, ""), more, end);
  LLVMPositionBuilderAtEnd(cg->b, more);
  LLVMBuildBr(cg->b, head);
  LLVMValueRef cin[2] = {ci64(cg, 0), cnt1};
  LLVMBasicBlockRef cbb[2] = {pre, more};
  LLVMAddIncoming(count, cin, cbb, 2);
  for (int i = 0; i < ns; i++) {
    LLVMValueRef sin[2] = {V(cg, in->ops[1 + i]), y[i]};
    LLVMAddIncoming(phis[i], sin, cbb, 2);
  }
  LLVMPositionBuilderAtEnd(cg->b, end);
  LLVMBasicBlockRef ebb[3] = {pre, body_end, check};
  for (int i = 0; i < ns; i++) {
    LLVMValueRef phi = LLVMBuildPhi(cg->b, ty(cg, in->res[i]->type), "");
    LLVMValueRef vin[3] = {V(cg, in->ops[1 + i]), y[i], y[i]};
    LLVMAddIncoming(phi, vin, ebb, 3);
    set(cg, in->res[i], phi);
  }
  LLVMValueRef iters = LLVMBuildPhi(cg->b, cg->i64, "iterations");
  LLVMValueRef iin[3] = {ci64(cg, 0), cnt1, cnt1};
  LLVMAddIncoming(iters, iin, ebb, 3);
  set(cg, in->res[ns], iters);
  LLVMValueRef conv = LLVMBuildPhi(cg->b, cg->i1, "converged");
  LLVMValueRef vin[3] = {LLVMConstInt(cg->i1, 0, 0), LLVMConstInt(cg->i1, 1, 0), LLVMConstInt(cg->i1, 0, 0)};
  LLVMAddIncoming(conv, vin, ebb, 3);
  set(cg, in->res[ns + 1], conv);
  rt_call(cg, RT_PROGRESS_FINISH, 1, &report);
}

/* --- instructions ------------------------------------------------------------------------------ */

static LLVMValueRef slot_ptr(Cg *cg, LLVMValueRef base, int64_t k) {
  LLVMValueRef idx = ci64(cg, k * 8);
  return LLVMBuildGEP2(cg->b, cg->i8, base, &idx, 1, "");
}

/* Slot k of the array at base (program arguments or REPL slots), read as type t; a bool is
 * stored as an i64. */
static LLVMValueRef load_slot(Cg *cg, LLVMValueRef base, int64_t k, IrType t) {
  LLVMValueRef p = slot_ptr(cg, base, k);
  if (t.kind == IRT_SCALAR && t.dtype == SN_BOOL)
    return LLVMBuildICmp(cg->b, LLVMIntNE, LLVMBuildLoad2(cg->b, cg->i64, p, ""), ci64(cg, 0), "");
  return LLVMBuildLoad2(cg->b, ty(cg, t), p, "");
}

/* The buffer of a SCRATCH instruction: the ScratchSlot of its depth and its position among
 * the block's scratch buffers, made on first need. */
static LLVMValueRef scratch_buffer(Cg *cg, IrInst *in) {
  int seq = 0;
  for (IrInst *p = in->prev; p && p->op == IR_SCRATCH; p = p->prev) seq++;
  LLVMTypeRef et = mem_ty(cg, (SnDtype)in->res[0]->type.dtype);
  uint64_t bytes = (uint64_t)in->imm.i * (uint64_t)sn_dtype_size((SnDtype)in->res[0]->type.dtype);
  for (int i = 0; i < cg->scratch.n; i++) {
    ScratchSlot *s = cg->scratch.items[i];
    if (s->depth == cg->depth && s->seq == seq && s->bytes >= bytes) return s->buf;
  }
  ScratchSlot *s = NEW(cg->ir->arena, ScratchSlot);
  *s = (ScratchSlot){cg->depth, seq, bytes, entry_alloca(cg, LLVMArrayType2(et, (uint64_t)in->imm.i), "scratch")};
  vec_push(cg->ir->arena, &cg->scratch, s);
  return s->buf;
}

static void gen_inst(Cg *cg, IrInst *in, LLVMValueRef *yielded) {
  IrValue *r0 = in->nres ? in->res[0] : NULL;
  switch (in->op) {
  case IR_CONST: {
    LLVMTypeRef t = ty(cg, r0->type);
    if (is_f(r0->type)) set(cg, r0, cf(t, in->imm.f));
    else set(cg, r0, LLVMConstInt(t, (unsigned long long)in->imm.i, 1));
    break;
  }
  case IR_STRING: set(cg, r0, cstring(cg, in->str)); break;
  case IR_BIN: set(cg, r0, gen_bin(cg, in)); break;
  case IR_CMP: set(cg, r0, gen_cmp(cg, in)); break;
  case IR_NEG:
    set(cg, r0, is_f(r0->type) ? LLVMBuildFNeg(cg->b, V(cg, in->ops[0]), "") : LLVMBuildNeg(cg->b, V(cg, in->ops[0]), ""));
    break;
  case IR_NOT: set(cg, r0, LLVMBuildNot(cg->b, V(cg, in->ops[0]), "")); break;
  case IR_SELECT: set(cg, r0, sel(cg, V(cg, in->ops[0]), V(cg, in->ops[1]), V(cg, in->ops[2]))); break;
  case IR_CAST: set(cg, r0, convert(cg, V(cg, in->ops[0]), ir_op(in, 0)->type, r0->type)); break;
  case IR_MATH: set(cg, r0, gen_math(cg, in)); break;
  case IR_RAND: set(cg, r0, gen_rand(cg, in)); break;
  case IR_DIM: set(cg, r0, header_field(cg, V(cg, in->ops[0]), SN_TENSOR_SHAPE_OFFSET + 8 * in->imm.i, cg->i64)); break;
  case IR_DATA: set(cg, r0, header_field(cg, V(cg, in->ops[0]), SN_TENSOR_DATA_OFFSET, cg->ptr)); break;
  case IR_LOAD: set(cg, r0, gen_load(cg, in)); break;
  case IR_STORE: gen_store(cg, in); break;
  case IR_SCRATCH: set(cg, r0, scratch_buffer(cg, in)); break;
  case IR_ALLOC: {
    LLVMValueRef ops[SN_MAX_RANK + 1];
    ops[0] = ci32(cg, r0->type.dtype);
    for (int i = 0; i < in->nops; i++) ops[1 + i] = V(cg, in->ops[i]);
    set(cg, r0, rt_call_at(cg, in, RT_TENSOR_NEW, in->nops + 1, ops));
    break;
  }
  case IR_CONST_TENSOR: {
    size_t bytes = (size_t)in->imm.i * sn_dtype_size((SnDtype)r0->type.dtype);
    LLVMValueRef init = LLVMConstStringInContext(cg->ctx, in->blob, (unsigned)bytes, 1);
    LLVMValueRef g = LLVMAddGlobal(cg->mod, LLVMTypeOf(init), "literal");
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetAlignment(g, 8);
    LLVMValueRef ops[SN_MAX_RANK + 2];
    ops[0] = ci32(cg, r0->type.dtype);
    ops[1] = g;
    for (int i = 0; i < in->nops; i++) ops[2 + i] = V(cg, in->ops[i]);
    set(cg, r0, rt_call_at(cg, in, RT_TENSOR_FROM_DATA, in->nops + 2, ops));
    break;
  }
  case IR_RETAIN: rt_call(cg, RT_TENSOR_RETAIN, 1, (LLVMValueRef[]){V(cg, in->ops[0])}); break;
  case IR_RELEASE:
    rt_call(cg, ir_is_handle(ir_op(in, 0)->type, IRH_RESULT) ? RT_RESULT_FREE : RT_TENSOR_RELEASE, 1,
            (LLVMValueRef[]){V(cg, in->ops[0])});
    break;
  case IR_CALL: {
    LLVMValueRef ops[16];
    for (int i = 0; i < in->nops; i++) ops[i] = V(cg, in->ops[i]);
    LLVMValueRef r = rt_call_at(cg, in, (RtFn)in->sub, in->nops, ops);
    if (r0) set(cg, r0, r);
    break;
  }
  case IR_CHECK: gen_check(cg, in); break;
  case IR_ARG:
    set(cg, r0, load_slot(cg, cg->args, in->imm.i, r0->type));
    /* a tensor is the program's now (rc.c): the runtime releases only what is left in the slot */
    if (r0->type.kind == IRT_TENSOR) LLVMBuildStore(cg->b, LLVMConstNull(cg->ptr), slot_ptr(cg, cg->args, in->imm.i));
    break;
  case IR_GLOBAL_GET: set(cg, r0, load_slot(cg, cg->slots, in->imm.i, r0->type)); break;
  case IR_GLOBAL_SET: {
    LLVMValueRef p = slot_ptr(cg, cg->slots, in->imm.i);
    IrValue *v = ir_op(in, 0);
    LLVMValueRef x = V(cg, v);
    if (v->type.kind == IRT_TENSOR) rt_call(cg, RT_TENSOR_RETAIN, 1, &x);
    if (v->type.kind == IRT_SCALAR && v->type.dtype == SN_BOOL) x = LLVMBuildZExt(cg->b, x, cg->i64, "");
    else if (v->type.kind == IRT_SCALAR && LLVMGetTypeKind(LLVMTypeOf(x)) == LLVMIntegerTypeKind &&
             LLVMGetIntTypeWidth(LLVMTypeOf(x)) < 64)
      x = LLVMBuildSExt(cg->b, x, cg->i64, "");
    /* a slot is 8 bytes; an f32 sits in its low 4, where GLOBAL_GET reads it */
    LLVMBuildStore(cg->b, x, p);
    break;
  }
  case IR_FOR: gen_for(cg, in); break;
  case IR_IF: gen_if(cg, in); break;
  case IR_LOOP: gen_iterate(cg, in); break;
  case IR_YIELD:
    if (yielded)
      for (int i = 0; i < in->nops; i++) yielded[i] = V(cg, in->ops[i]);
    break;
  default: die("codegen: unexpected %s (a pass left tensor-level IR)", ir_op_name(in->op));
  }
}

static void gen_block(Cg *cg, IrBlock *blk, LLVMValueRef *yielded) {
  cg->depth++;
  for (IrInst *in = blk->first; in; in = in->next) gen_inst(cg, in, yielded);
  cg->depth--;
}

/* --- the module --------------------------------------------------------------------------------- */

void cg_init(void) {
  static bool done;
  if (done) return;
  LLVMInitializeNativeTarget();
  LLVMInitializeNativeAsmPrinter();
  LLVMInitializeNativeAsmParser();
  /* The loop vectoriser sizes its vectors by a loop's widest memory type, so one 64-bit load
   * (a merge's per-model index, read in every iteration) kept a loop of bf16 and f32 work to 8
   * lanes of 32 bits in 256-bit registers. Maximising bandwidth lets it weigh widths up to the
   * narrowest type's: TIES's merge loop runs 16 lanes wide in 512-bit registers (17% less CPU
   * time for the whole merge); the other benchmarks' code is unchanged or within noise
   * (docs/performance.md). The option is process-wide: once, before any module. */
  const char *argv[] = {"sinter", "-vectorizer-maximize-bandwidth"};
  LLVMParseCommandLineOptions(2, argv, NULL);
  done = true;
}

LLVMTargetMachineRef cg_host_machine(int opt_level) {
  cg_init();
  char *triple = LLVMGetDefaultTargetTriple();
  LLVMTargetRef target;
  char *err = NULL;
  if (LLVMGetTargetFromTriple(triple, &target, &err)) die("no LLVM target for %s: %s", triple, err);
  char *cpu = LLVMGetHostCPUName(), *features = LLVMGetHostCPUFeatures();
  LLVMTargetMachineRef tm =
      LLVMCreateTargetMachine(target, triple, cpu, features,
                              opt_level >= 3 ? LLVMCodeGenLevelAggressive : LLVMCodeGenLevelDefault, LLVMRelocPIC,
                              LLVMCodeModelDefault);
  LLVMDisposeMessage(triple);
  LLVMDisposeMessage(cpu);
  LLVMDisposeMessage(features);
  return tm;
}

static void define_main(Cg *cg, const char *progname, const char *entry) {
  /* int main(int argc, char **argv) { return sn_main(prog, argc - 1, argv + 1, spec, n, sinter_program, 0); } */
  LLVMTypeRef mp[2] = {cg->i32, cg->ptr};
  LLVMValueRef mainf = LLVMAddFunction(cg->mod, "main", LLVMFunctionType(cg->i32, mp, 2, 0));
  LLVMPositionBuilderAtEnd(cg->b, LLVMAppendBasicBlockInContext(cg->ctx, mainf, "entry"));
  /* SnArgSpec: {ptr name, i32 kind, i32 dtype, i32 rank, ptr type, ptr def} */
  LLVMTypeRef fields[6] = {cg->ptr, cg->i32, cg->i32, cg->i32, cg->ptr, cg->ptr};
  LLVMTypeRef st = LLVMStructTypeInContext(cg->ctx, fields, 6, 0);
  int n = cg->ir->args.n;
  LLVMValueRef *elems = arena_alloc(cg->ir->arena, (size_t)(n ? n : 1) * sizeof *elems);
  for (int i = 0; i < n; i++) {
    IrArg *a = cg->ir->args.items[i];
    LLVMValueRef v[6] = {cstring(cg, a->spec.name), ci32(cg, a->spec.kind), ci32(cg, a->spec.dtype), ci32(cg, a->spec.rank),
                         cstring(cg, a->spec.type), a->spec.def ? cstring(cg, a->spec.def) : LLVMConstNull(cg->ptr)};
    elems[i] = LLVMConstNamedStruct(st, v, 6);
  }
  LLVMTypeRef at = LLVMArrayType2(st, (uint64_t)(n ? n : 1));
  LLVMValueRef init = n ? LLVMConstArray2(st, elems, (uint64_t)n) : LLVMConstNull(at);
  LLVMValueRef g = LLVMAddGlobal(cg->mod, at, "sinter_args");
  LLVMSetInitializer(g, init);
  LLVMSetGlobalConstant(g, 1);
  LLVMSetLinkage(g, LLVMPrivateLinkage); /* a copy in each part of a split build */
  LLVMTypeRef sp[7] = {cg->ptr, cg->i32, cg->ptr, cg->ptr, cg->i32, cg->ptr, cg->ptr};
  LLVMTypeRef sty = LLVMFunctionType(cg->i32, sp, 7, 0);
  LLVMValueRef snmain = LLVMAddFunction(cg->mod, "sn_main", sty);
  LLVMValueRef one = ci64(cg, 1);
  LLVMValueRef argv1 = LLVMBuildGEP2(cg->b, cg->ptr, LLVMGetParam(mainf, 1), &one, 1, "");
  LLVMValueRef argc1 = LLVMBuildSub(cg->b, LLVMGetParam(mainf, 0), ci32(cg, 1), "");
  LLVMValueRef args[7] = {cstring(cg, progname), argc1, argv1, g, ci32(cg, n), LLVMGetNamedFunction(cg->mod, entry),
                          LLVMConstNull(cg->ptr)};
  LLVMBuildRet(cg->b, LLVMBuildCall2(cg->b, sty, snmain, args, 7, ""));
}

static unsigned optsize_kind(void) { return LLVMGetEnumAttributeKindForName("optsize", 7); }

LLVMModuleRef cg_module(LLVMContextRef ctx, IrFunc *f, CgMode mode, const char *progname, const char *entry) {
  Cg c = {0}, *cg = &c;
  cg->ctx = ctx;
  cg->mod = LLVMModuleCreateWithNameInContext(progname, ctx);
  cg->b = LLVMCreateBuilderInContext(ctx);
  cg->ir = f;
  cg->i1 = LLVMInt1TypeInContext(ctx);
  cg->i8 = LLVMInt8TypeInContext(ctx);
  cg->i16 = LLVMInt16TypeInContext(ctx);
  cg->i32 = LLVMInt32TypeInContext(ctx);
  cg->i64 = LLVMInt64TypeInContext(ctx);
  cg->f16 = LLVMHalfTypeInContext(ctx);
  cg->f32 = LLVMFloatTypeInContext(ctx);
  cg->f64 = LLVMDoubleTypeInContext(ctx);
  cg->ptr = LLVMPointerTypeInContext(ctx, 0);
  cg->voidt = LLVMVoidTypeInContext(ctx);
  declare_runtime(cg);
  ir_number(f);
  cg->vals = calloc((size_t)f->nvalues + 1, sizeof *cg->vals);
  if (!cg->vals) die("out of memory");
  LLVMTypeRef params[3] = {cg->ptr, cg->ptr, cg->ptr};
  cg->fn = LLVMAddFunction(cg->mod, entry, LLVMFunctionType(cg->i32, params, 3, 0));
  /* the serial program function runs each statement once: optimised for size it compiles much
   * faster (docs/design.md); the outlined parallel bodies keep full optimisation */
  LLVMAddAttributeAtIndex(cg->fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, optsize_kind(), 0));
  cg->args = LLVMGetParam(cg->fn, 1);
  cg->slots = LLVMGetParam(cg->fn, 2);
  cg->entry = LLVMAppendBasicBlockInContext(ctx, cg->fn, "entry");
  LLVMBasicBlockRef start = LLVMAppendBasicBlockInContext(ctx, cg->fn, "start");
  LLVMPositionBuilderAtEnd(cg->b, start);
  gen_block(cg, f->body, NULL);
  LLVMBuildRet(cg->b, ci32(cg, 0));
  if (cg->par_ctx) {
    LLVMValueRef ctx = entry_alloca(cg, LLVMArrayType2(cg->i64, (uint64_t)cg->par_slots), "par.ctx");
    LLVMReplaceAllUsesWith(cg->par_ctx, ctx);
    LLVMInstructionEraseFromParent(cg->par_ctx);
  }
  LLVMPositionBuilderAtEnd(cg->b, cg->entry);
  LLVMBuildBr(cg->b, start);
  if (mode == CG_EXE) define_main(cg, progname, entry);
  free(cg->vals);
  LLVMDisposeBuilder(cg->b);
  if (cg->group_home) LLVMDisposeModule(cg->group_home);
  char *msg = NULL;
  if (LLVMVerifyModule(cg->mod, LLVMReturnStatusAction, &msg)) {
    fprintf(stderr, "%s\n", msg);
    LLVMDumpModule(cg->mod);
    die("the generated LLVM module is invalid");
  }
  LLVMDisposeMessage(msg);
  return cg->mod;
}

bool cg_optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm, int opt_level, char **err) {
  char *triple = LLVMGetTargetMachineTriple(tm);
  LLVMSetTarget(mod, triple);
  LLVMDisposeMessage(triple);
  LLVMTargetDataRef dl = LLVMCreateTargetDataLayout(tm);
  LLVMSetModuleDataLayout(mod, dl);
  LLVMDisposeTargetData(dl);
  LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
  LLVMPassBuilderOptionsSetLoopVectorization(opts, 1);
  LLVMPassBuilderOptionsSetSLPVectorization(opts, 1);
  LLVMPassBuilderOptionsSetLoopInterleaving(opts, 1);
  LLVMPassBuilderOptionsSetLoopUnrolling(opts, 1);
  LLVMErrorRef e = LLVMRunPasses(mod, opt_level >= 3 ? "default<O3>" : "default<O2>", tm, opts);
  LLVMDisposePassBuilderOptions(opts);
  if (e) {
    *err = LLVMGetErrorMessage(e);
    return false;
  }
  return true;
}

bool cg_write(LLVMModuleRef mod, LLVMTargetMachineRef tm, bool assembly, const char *path, char **err) {
  return !LLVMTargetMachineEmitToFile(tm, mod, (char *)path, assembly ? LLVMAssemblyFile : LLVMObjectFile, err);
}

static int instruction_count(LLVMValueRef f) {
  int n = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef in = LLVMGetFirstInstruction(bb); in; in = LLVMGetNextInstruction(in)) n++;
  return n;
}

typedef struct FnSize {
  int index, size;
} FnSize;

static int larger_first(const void *a, const void *b) {
  const FnSize *x = a, *y = b;
  return x->size != y->size ? (x->size < y->size ? 1 : -1) : x->index - y->index;
}

int *cg_partition(LLVMModuleRef mod, int parts) {
  unsigned optsize = optsize_kind();
  int n = 0, defined = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) defined += !LLVMIsDeclaration(f);
  FnSize *fs = malloc((size_t)(defined ? defined : 1) * sizeof *fs);
  int *part = malloc((size_t)(defined ? defined : 1) * sizeof *part);
  int64_t *load = calloc((size_t)parts, sizeof *load);
  if (!fs || !part || !load) die("out of memory");
  for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f)) continue;
    /* a function optimised for speed costs about twice as much per instruction as one for
     * size (the serial program): its loops are vectorised, interleaved and unrolled */
    bool small = LLVMGetEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, optsize) != NULL;
    fs[n] = (FnSize){n, instruction_count(f) * (small ? 1 : 2)};
    n++;
    LLVMSetLinkage(f, LLVMExternalLinkage);
    LLVMSetVisibility(f, LLVMHiddenVisibility);
  }
  qsort(fs, (size_t)n, sizeof *fs, larger_first);
  for (int k = 0; k < n; k++) {
    int least = 0;
    for (int p = 1; p < parts; p++)
      if (load[p] < load[least]) least = p;
    part[fs[k].index] = least;
    load[least] += fs[k].size;
  }
  free(load);
  free(fs);
  return part;
}

void cg_keep_part(LLVMModuleRef mod, const int *part, int p) {
  int i = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f)) continue;
    if (part[i++] == p) continue;
    LLVMBasicBlockRef bb;
    while ((bb = LLVMGetFirstBasicBlock(f))) LLVMDeleteBasicBlock(bb);
  }
}
