/* rtabi.h: the runtime functions generated code calls (IR_CALL's sub), from the table in
 * rtabi.def. Codegen declares them from rt_fns, the JIT maps their names to its addresses, and
 * the interpreter calls each through an adapter generated from the same row, so the three
 * agree by construction. */
#ifndef SN_RTABI_H
#define SN_RTABI_H

#include <stdbool.h>

typedef enum RtFn {
#define RT(id, ...) RT_##id,
#define RT_LOWERING(id, ...) RT_##id,
#include "rtabi.def"
  RT_NFNS
} RtFn;

/* Parameter and result kinds, as the C function sees them. */
typedef enum RtKind {
  K_VOID, K_I32, K_I64, K_F32, K_F64, K_PTR,
  K_RANK,   /* int64_t: the number of IR operands after those of the other parameters */
  K_SHAPE,  /* const int64_t *: those operands, the sizes (they always come last in an IR_CALL) */
  K_STATUS, /* int32 result: non-zero means failed, message set */
  K_TENSOR, /* a tensor result: NULL means failed, message set */
  K_RESULT, /* an SnResult (sinter/abi.h): NULL means failed, message set; the IR value is a
             * handle (IRH_RESULT) that the rc pass frees after its parts are read */
  K_SAVER,  /* a saver (sn_save_begin): NULL means failed, message set; the IR value is a handle
             * (IRH_SAVER) that sn_save_end, or a failing sn_save_add, frees */
  K_HANDLE, /* a pointer result that may be NULL without failing (a progress report) */
} RtKind;

/* What a runtime function does besides giving its result (whether it fails is its result kind). */
enum {
  RTF_PURE = 1,     /* no effect: the result depends only on the arguments and what they point to */
  RTF_READS = 2,    /* reads memory through its pointer arguments */
  RTF_WRITES = 4,   /* writes memory through them, or outside state (output, files, the error) */
  RTF_ALLOCS = 8,   /* its tensor result is a new reference the caller owns */
  RTF_AT_CALL = 16, /* fallible without a `where` of its own (allocations): a failure's message
                     * gets the location of the call */
  RTF_LOWERING = 32, /* an RT_LOWERING row: codegen's, never an IR_CALL */
};

#define RT_MAX_PARAMS 10

typedef struct RtInfo {
  const char *name;
  void *addr;
  RtKind ret;
  int nparams;
  RtKind params[RT_MAX_PARAMS];
  unsigned flags; /* RTF_* */
} RtInfo;

extern const RtInfo rt_fns[]; /* by RtFn */

/* Does a result of kind k mean a failure when it is NULL? */
static inline bool rt_null_fails(RtKind k) { return k == K_TENSOR || k == K_RESULT || k == K_SAVER; }
static inline bool rt_fallible(RtFn f) { return rt_fns[f].ret == K_STATUS || rt_null_fails(rt_fns[f].ret); }

/* The IR operands of a call of f that are not sizes (RANK/SHAPE): the sizes follow them. */
int rt_fixed_operands(RtFn f);

/* RT_MAP(m, zero, n, (k1, ..., kn)) is m(0, k1), ..., m(n - 1, kn), or zero when n is 0: the
 * parameter lists of rtabi.def's rows, expanded per parameter. */
#define RT_MAP(m, zero, n, params) RT_APPLY(RT_MAP_##n, (m, zero, RT_UNPAREN params))
#define RT_APPLY(f, args) f args
#define RT_UNPAREN(...) __VA_ARGS__
#define RT_MAP_0(m, z, none) z
#define RT_MAP_1(m, z, a) m(0, a)
#define RT_MAP_2(m, z, a, b) m(0, a), m(1, b)
#define RT_MAP_3(m, z, a, b, c) m(0, a), m(1, b), m(2, c)
#define RT_MAP_4(m, z, a, b, c, d) RT_MAP_3(m, z, a, b, c), m(3, d)
#define RT_MAP_5(m, z, a, b, c, d, e) RT_MAP_4(m, z, a, b, c, d), m(4, e)
#define RT_MAP_6(m, z, a, b, c, d, e, f) RT_MAP_5(m, z, a, b, c, d, e), m(5, f)
#define RT_MAP_7(m, z, a, b, c, d, e, f, g) RT_MAP_6(m, z, a, b, c, d, e, f), m(6, g)
#define RT_MAP_8(m, z, a, b, c, d, e, f, g, h) RT_MAP_7(m, z, a, b, c, d, e, f, g), m(7, h)
#define RT_MAP_9(m, z, a, b, c, d, e, f, g, h, i) RT_MAP_8(m, z, a, b, c, d, e, f, g, h), m(8, i)
#define RT_MAP_10(m, z, a, b, c, d, e, f, g, h, i, j) RT_MAP_9(m, z, a, b, c, d, e, f, g, h, i), m(9, j)

#endif
