/* rtabi.h: the runtime functions generated code calls (IR_CALL's sub), with their C
 * signatures. Codegen declares them from this table, the JIT maps their names to the
 * addresses here, and the interpreter calls them directly, so the three agree by construction. */
#ifndef SN_RTABI_H
#define SN_RTABI_H

#include <stdbool.h>

typedef enum RtFn {
  RT_PRINT_STR, RT_PRINT_I64, RT_PRINT_BOOL, RT_PRINT_F32, RT_PRINT_F64, RT_PRINT_TENSOR,
  RT_PRINT_END,
  RT_PRINT_F16, RT_PRINT_BF16, /* (f32 holding a value of the type) */
  RT_TENSOR_NEW,       /* (dtype, dims...) -> tensor */
  RT_TENSOR_FROM_DATA, /* (dtype, data, dims...) -> tensor */
  RT_RANDOM,           /* (dtype, seed, dist, dims...) -> tensor; C order (dtype, dims, seed, dist) */
  RT_MATMUL,           /* (a, b) -> tensor */
  RT_RETAIN, RT_RELEASE,
  RT_IPOW,             /* (base, exponent) -> i64 */
  RT_EXPF, RT_EXP, RT_LOGF, RT_LOG, /* the shared exp/log */
  RT_EXPSUMF, RT_EXPSUM, /* (values, n, max) -> the sum of exp(values - max): an lse tile */
  RT_FAIL_INDEX, RT_FAIL_DIMS, RT_FAIL_MSG, RT_FAIL_SIZE,
  RT_FAIL_AT,          /* (where) -> status: the pending message of an `at_call` function, located */
  RT_FAIL_CHECK,       /* (where, msg, hint, n, values, kinds) -> status */
  RT_CHECK_SHAPE,      /* (where, what, declared, tensor, dims...) -> status */
  RT_PARALLEL_CHUNKS, RT_PARALLEL_FOR, RT_SERIAL_FOR,
  RT_SUM_LEAF, RT_SUM_LEAFF, /* (terms, offset, n, mul) -> a leaf of a float sum or product */
  RT_SUM_PUSH, RT_SUM_PUSHF, /* (stack, k, leaf, mul) */
  RT_SUM_FOLD, RT_SUM_FOLDF, /* (stack, n, mul) -> the tree over n leaves */
  RT_SUM_CHUNK,        /* (leaves, least) -> leaves per parallel chunk */
  RT_NOW,              /* () -> f64 seconds */
  RT_LOAD_TENSOR,      /* (where, path, dtype, rank) -> tensor */
  RT_LOAD_NAMED,       /* (where, path, name, dtype, rank) -> tensor */
  RT_LOAD_CSV_PART,    /* (where, path, label, dtype, part, ydtype, delimiter, header) -> tensor */
  RT_SAVE_TENSOR,      /* (where, path, tensor) -> status */
  RT_SAVE_BEGIN,       /* (where, path) -> saver (a pointer; NULL on failure) */
  RT_SAVE_ADD,         /* (saver, name, tensor) -> status */
  RT_SAVE_END,         /* (saver) -> status */
  RT_PROGRESS_START,   /* (label, total, unit) -> report; used by codegen and the interpreter */
  RT_PROGRESS_UPDATE,  /* (report, done, metric name, metric) */
  RT_PROGRESS_FINISH,  /* (report) */
  RT_OT_EMD,           /* (where, a, b, C, max_iter) -> result (a pointer; NULL on failure) */
  RT_OT_EMD_1D,        /* (where, x, y, a, b, p) -> result */
  RT_OT_SLICED,        /* (where, X, Y, a, b, projections, seed, p) -> result */
  RT_OT_SNS,           /* (where, a, b, C, eps, f0, g0, tol, max_iter, keep) -> result */
  RT_OT_SCALING,       /* (where, a, b, K, eps, g0, tol, max_iter) -> result */
  RT_OT_TENSOR,        /* (result, part) -> tensor */
  RT_OT_SCALAR,        /* (result, part) -> f64 */
  RT_OT_FREE,          /* (result) */
  RT_NFNS
} RtFn;

/* Parameter and result kinds, as the C function sees them. */
typedef enum RtKind {
  K_VOID, K_I32, K_I64, K_F32, K_F64, K_PTR,
  K_DIMS,   /* an (int64_t rank, const int64_t *shape) pair, filled from the IR operands after
               those of the other parameters (the sizes always come last in an IR_CALL) */
  K_STATUS, /* int32 result: non-zero means failed, message set */
  K_TENSOR, /* SnTensor * result: NULL means failed, message set */
  K_HANDLE, /* a pointer result that may be NULL without failing (a progress report) */
} RtKind;

#define RT_MAX_PARAMS 10

typedef struct RtInfo {
  const char *name;
  void *addr;
  RtKind ret;
  int nparams;
  RtKind params[RT_MAX_PARAMS];
  bool at_call; /* fallible without a `where` of its own (allocations): a failure's message gets
                   the location of the call */
} RtInfo;

extern const RtInfo rt_fns[RT_NFNS];

static inline bool rt_fallible(RtFn f) { return rt_fns[f].ret == K_STATUS || rt_fns[f].ret == K_TENSOR; }

#endif
