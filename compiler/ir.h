/* ir.h: sinter's IR: typed SSA over scalars and tensors, with structured regions for loops.
 *
 * A function body is a block of instructions; instructions that loop or branch own regions
 * (blocks with arguments, ended by a yield). There is no goto: every loop nest is explicit,
 * which is what fusion, parallelisation, the interpreter and both back ends want.
 *
 * Two levels of operations live in one IR. Sema emits tensor-level ones (COMPR, a lazy
 * comprehension; ELEM, an element of a tensor; REDUCE; DIM). The fusion pass inlines COMPR
 * bodies into their ELEM uses; the loop pass lowers what is left to loop-level ones (FOR,
 * ALLOC, LOAD, STORE). Codegen and the interpreter read only the loop level.
 *
 *   %C = compr [%n, %m] (%i, %j) { ...; yield %v }     a lazy tensor: C[i,j] = v
 *   %x = elem %C[%a, %b]                                 one element of a tensor
 *   %s = reduce.sum [%k_n] (%k) { ...; yield %v }       sum over k of v
 *   %r... = for %i = %lo to %hi iter(%acc = %init) { ...; yield %acc2 }
 */
#ifndef SN_IR_H
#define SN_IR_H

#include "diag.h"
#include "reductions.h"
#include "sinter.h"
#include "sinter/abi.h"

typedef enum IrTypeKind { IRT_VOID, IRT_SCALAR, IRT_TENSOR, IRT_PTR, IRT_STR, IRT_HANDLE } IrTypeKind;

/* What a handle (IRT_HANDLE) holds: a runtime object made by a call whose result kind says
 * which (rtabi.h's K_RESULT, K_OBJECT). */
typedef enum IrHandle {
  IRH_RESULT, /* an SnResult: owned by its block like a tensor, freed by RELEASE (rc.c) */
  IRH_OBJECT, /* a runtime object the runtime frees itself (a saver, a map's run) */
} IrHandle;

typedef struct IrType {
  uint8_t kind;  /* IrTypeKind */
  uint8_t dtype; /* SnDtype: the scalar's type, or a tensor's / pointer's element type; IrHandle
                  * for a handle */
  uint8_t rank;  /* tensors */
} IrType;

typedef enum IrOp { /* operands, results and immediates: ops.def */
#define OP(id, ...) IR_##id,
#include "ops.def"
  IR_NOPS
} IrOp;
/* What an op does besides giving its results (the flags of ops.def). */
enum {
  OPF_PURE = 1,        /* nothing: its results depend only on its operands (a tensor's elements
                        * never change once it is filled) */
  OPF_READS = 2,       /* reads memory that may change (a scratch buffer, a REPL slot) */
  OPF_WRITES = 4,      /* writes memory or outside state (stores, reference counts, REPL slots,
                        * output, files): never removed or shared */
  OPF_ALLOCS = 8,      /* its tensor result is a new reference, which the block owns (rc.c); it
                        * fails only when memory runs out */
  OPF_FAILS = 16,      /* may stop the program with an error */
  OPF_TRANSFERS = 32,  /* takes over its tensor operands and hands out the references its
                        * regions yield (LOOP, IF; rc.c) */
  OPF_TERMINATOR = 64, /* ends a region */
  OPF_KEEP = 128,      /* kept even when its result is unused */
};

/* Where an op may appear: the loop pass lowers the tensor level to the loop level. */
typedef enum IrLevel { IRL_ANY, IRL_TENSOR, IRL_LOOP } IrLevel;

typedef struct IrOpInfo {
  const char *name;
  int nregions;
  IrLevel level;
  unsigned flags; /* OPF_* */
} IrOpInfo;

extern const IrOpInfo ir_ops[]; /* by IrOp */

typedef enum IrBinOp {
  BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_REM, /* REM: floor modulo for ints, fmod sign for floats */
  BIN_MIN, BIN_MAX, /* NaN-propagating for floats */
  BIN_AND, BIN_OR,  /* bool and integers */
  BIN_POW,          /* integers only (floats use IR_MATH MF_POW) */
} IrBinOp;

typedef enum IrCmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } IrCmp;

typedef enum IrMathFn {
#define MATH(id, ...) MF_##id,
#include "mathfns.def"
  MF_NFNS
} IrMathFn;

typedef struct IrMathInfo {
  const char *name;
  int arity;
  bool boolean; /* the result is a bool (isnan), not the operand's type */
  int work;     /* cost against plain arithmetic (ir_work_of) */
} IrMathInfo;

extern const IrMathInfo ir_math_fns[]; /* by IrMathFn (mathfns.def) */

/* The math function called `name`, or -1. */
int ir_math_lookup(const char *name);

typedef enum IrCheck {
  CHECK_INDEX, /* (index, extent): 0 <= index < extent */
  CHECK_DIMS,  /* (a, b): a == b */
  CHECK_TRUE,  /* (cond) */
  CHECK_SIZE,  /* (n): n >= 0 */
  CHECK_SHAPE, /* (tensor, expected dims...): a tensor's shape against its declared type (an
                * argument's, imm.i = 1: a usage error, or a loaded file's) */
  CHECK_MSG,   /* (cond, f64 values...): a program's check(); str = message, blob = hint or NULL,
                * imm.i = the values' kinds (SN_CHECK_*, 2 bits each) */
} IrCheck;

/* Flags of an instruction. */
enum {
  IRF_PARALLEL = 1, /* FOR: iterations are independent; run over threads */
  IRF_REASSOC = 2,  /* BIN/MATH: may be reassociated (a reduction's accumulation) */
  IRF_BORROWED = 4, /* a result the instruction does not own (GLOBAL_GET, a scalar ARG) */
  IRF_NSZ = 8,      /* BIN max/min: -0 and +0 need not be ordered (an lse tile's maximum: the
                     * sign of a zero maximum cannot change the lse) */
  IRF_CHUNKS = 16,  /* parallel FOR: each iteration is already a chunk of work sized for a
                     * thread (a float sum's chunks of leaves); codegen groups none */
  IRF_LAZY = 32,    /* COMPR of rank 2 or more: recomputed at every read, never stored to save
                     * work (fuse.c), so the backward of a pairwise cost stays O(n + m) in memory
                     * (autodiff.c) */
  IRF_STORE = 64,   /* COMPR: stored where it is defined (a gradient that sums over other
                     * indices: its readers, an optimizer's several updates, would each
                     * recompute it) */
  IRF_INDEPENDENT = 128, /* FOR: each iteration writes its own elements of a tensor and reads
                          * tensors, no others' (a comprehension's loops, loops.c); codegen says
                          * so to LLVM (llvm.loop.parallel_accesses), so that a result written over
                          * its operand (sn_tensor_reuse) vectorises without overlap checks */
};

typedef struct IrInst IrInst;
typedef struct IrBlock IrBlock;
typedef struct IrValue IrValue;

struct IrValue {
  IrType type;
  int id;          /* numbered by ir_number */
  IrInst *def;     /* the instruction that defines it; NULL for a block argument */
  IrBlock *block;  /* the block a block argument belongs to */
  int index;       /* result or argument position */
  IrValue *repl;   /* set when replaced: all uses mean repl (see ir_val) */
  const char *name;/* source name, for readable dumps */
  IrValue **dims;  /* a tensor's sizes as values computed before it, when sema knows them
                    * (constants stay constants, so the loop pass and LLVM see strides such as
                    * 3); NULL when only the tensor's header knows */
  void *aux;       /* per-pass scratch */
};

struct IrBlock {
  IrValue **args;
  int nargs;
  IrInst *first, *last;
  IrInst *parent; /* the instruction owning this region; NULL for a function body */
};

struct IrInst {
  IrOp op;
  int sub;
  int flags;
  IrInst *prev, *next;
  IrBlock *parent;
  IrValue **ops;
  int nops;
  IrValue **res;
  int nres;
  IrBlock **regions;
  int nregions;
  union { int64_t i; double f; } imm;
  const char *str;
  const void *blob; /* IR_CONST_TENSOR: imm.i elements of the result's dtype */
  Span span;        /* source location, for run-time messages */
  void *aux;        /* per-pass scratch */
};

/* A program argument (`arg` declaration). */
typedef struct IrArg {
  const char *name;
  SnArgSpec spec;
} IrArg;

/* What the passes so far have made of a function (passes.c's table says which establishes
 * what); ir_verify checks the ops against it. */
enum {
  IRP_FUSED = 1,   /* fusion ran: comprehensions left are stored */
  IRP_LOWERED = 2, /* the loop pass ran: loop-level ops only */
  IRP_COUNTED = 4, /* reference counts are explicit (RETAIN, RELEASE) */
};

typedef struct IrFunc {
  Arena *arena;
  IrBlock *body;
  unsigned props; /* IRP_* */
  int nvalues;    /* after ir_number */
  PtrVec args; /* IrArg */
  PtrVec reads; /* char *: what the compiler read from files (a load's dtypes and ranks), which
                 * the code depends on: part of the key of sinter run's cache (cache.c) */
} IrFunc;

/* Builder: where new instructions go. */
typedef struct IrBuilder {
  IrFunc *fn;
  IrBlock *block;
  IrInst *before; /* insert before this instruction; NULL = at the end of block */
  Span span;      /* source location given to new instructions */
  Span site;      /* while a stdlib function is inlined, the user's call: instructions from the
                   * stdlib's code take this location, so run-time errors point at the call */
} IrBuilder;

IrType ir_scalar(SnDtype t);
IrType ir_tensor(SnDtype t, int rank);
IrType ir_ptr(SnDtype t);
IrType ir_handle(IrHandle h);
static inline bool ir_is_handle(IrType t, IrHandle h) { return t.kind == IRT_HANDLE && t.dtype == h; }
extern const IrType ir_void, ir_str, ir_i64, ir_bool;
bool ir_type_eq(IrType a, IrType b);
bool ir_is_float(IrType t);
bool ir_is_int(IrType t); /* integer scalars, not bool */
const char *ir_type_str(IrType t, char *buf);

IrFunc *ir_func_new(Arena *a);
IrBlock *ir_block_new(IrFunc *f, int nargs, const IrType *argtypes);
IrValue *ir_block_arg(IrFunc *f, IrBlock *b, IrType t);

/* Resolves replacements: the value a use really means. */
static inline IrValue *ir_val(IrValue *v) {
  while (v && v->repl) v = v->repl;
  return v;
}
static inline IrValue *ir_op(IrInst *in, int k) { return ir_val(in->ops[k]); }

IrInst *ir_emit(IrBuilder *b, IrOp op, int nops, IrValue **ops, int nres, const IrType *restypes,
                int nregions);
/* Gives `in` nres fresh results (of type void until set): for an `if`, whose result count is
 * known only once both branches are built. */
void ir_set_results(IrFunc *f, IrInst *in, int nres);
void ir_insert_before(IrInst *pos, IrInst *in);
void ir_insert_end(IrBlock *blk, IrInst *in);
void ir_remove(IrInst *in);
void ir_replace(IrValue *old, IrValue *with);

/* Convenience emitters; each returns the result value. */
IrValue *ir_const_i64(IrBuilder *b, int64_t v);
IrValue *ir_const_f(IrBuilder *b, SnDtype t, double v);
IrValue *ir_const_bool(IrBuilder *b, bool v);
IrValue *ir_const(IrBuilder *b, IrType t, double fv, int64_t iv);
IrValue *ir_bin(IrBuilder *b, IrBinOp op, IrValue *x, IrValue *y);
IrValue *ir_cmp(IrBuilder *b, IrCmp op, IrValue *x, IrValue *y);
IrValue *ir_trivial(IrBuilder *b, IrInst *in);
IrValue *ir_select(IrBuilder *b, IrValue *c, IrValue *x, IrValue *y);
IrValue *ir_cast(IrBuilder *b, IrValue *x, IrType to);
IrValue *ir_math(IrBuilder *b, IrMathFn fn, IrValue *x, IrValue *y);
IrValue *ir_rand(IrBuilder *b, SnDtype dt, IrValue *seed, IrValue *index);
IrValue *ir_neg(IrBuilder *b, IrValue *x);
IrValue *ir_not(IrBuilder *b, IrValue *x);
IrValue *ir_dim(IrBuilder *b, IrValue *t, int axis);
IrValue *ir_elem(IrBuilder *b, IrValue *t, int n, IrValue **idx);
IrValue *ir_string(IrBuilder *b, const char *s);
void ir_yield(IrBuilder *b, int n, IrValue **vals);
IrValue *ir_call(IrBuilder *b, int fn, int nargs, IrValue **args);
IrInst *ir_check(IrBuilder *b, IrCheck kind, int nops, IrValue **ops, const char *what);

/* The product of n sizes (i64, not negative), checked at run time to fit 64 bits (else the
 * program stops with `what`) unless they are constants whose product fits. */
IrValue *ir_size_product(IrBuilder *b, int n, IrValue **sizes, const char *what);

/* Is the value known to be the integer constant c? */
bool ir_is_const_int(IrValue *v, int64_t *c);

/* What `in` does besides giving its results (OPF_*): its op's flags, or for a call its runtime
 * function's (rtabi.def). */
unsigned ir_inst_flags(IrInst *in);

/* Sets the aux of every value defined in b (arguments and results, nested regions included). */
void ir_set_aux(IrBlock *b, void *aux);
static inline void ir_clear_aux(IrBlock *b) { ir_set_aux(b, NULL); }

/* Uses of a value, counted by ir_count_uses into its aux. */
typedef struct IrUses {
  int elem;  /* as the tensor of an ELEM or DIM, or as a tensor's known size */
  int other; /* any other use: one that needs the whole tensor */
} IrUses;
/* Points every value's aux at its IrUses (allocated in a), counted over the whole function. */
void ir_count_uses(Arena *a, IrFunc *f);

/* Does the block hold a reduction or an iterate loop, at any depth? */
bool ir_contains_reduction(IrBlock *b);
/* An instruction's cost against plain arithmetic, for work estimates: 1, a math function's
 * work (mathfns.def), or IR_RAND_WORK. */
int ir_work_of(IrInst *in);
/* A rand element: Philox's 10 rounds of two widening multiplies and four other operations. */
#define IR_RAND_WORK 64
/* The weighted instructions of a block and the blocks inside it, each counted once: one
 * iteration's work when the block has no loops. */
int64_t ir_block_work(IrBlock *b);
/* Is v defined inside the regions of `owner` (at any depth)? */
bool ir_defined_within(IrValue *v, IrInst *owner);
/* Are the block's loops only reductions (and branches) with constant extents, `budget`
 * iterations in all at most (a 3-D cloud's sum(k)), which unroll into straight code? */
bool ir_short_loops(IrBlock *blk, int64_t budget);
/* Does a subscript of the IR_ELEM `elem` depend on `index` (i, or i + 1)? */
bool ir_subscripted_by(IrInst *elem, IrValue *index);

/* Value -> anything (a copy, an adjoint): a hash table (open addressing, at most half full), so
 * copying a region costs time linear in its size (a body of 100,000 terms is copied in one
 * pass). Freed after use (ir_map_free), so repeated inlining does not pile maps up in the
 * function's arena. ir_map_get gives NULL for a value not in the map. */
typedef struct IrMap {
  IrValue **from;
  void **to;
  size_t n, cap; /* cap is 0 or a power of two */
} IrMap;
void ir_map_put(IrMap *m, IrValue *from, void *to);
void *ir_map_get(const IrMap *m, IrValue *v);
void ir_map_free(IrMap *m);

/* A copy of `in` (with its regions) at b, its operands through m (a value m does not hold is
 * used as it is); each result of the copy (and argument of its regions) is put in m. */
void ir_clone_inst(IrBuilder *b, IrMap *m, IrInst *in);

/* Deep copy of a region's instructions into b, with the region's arguments mapped to `args`;
 * returns the copied yield's operands (the region's results) in `out`. */
void ir_inline_region(IrBuilder *b, IrBlock *region, IrValue **args, IrValue **out, int nout);

/* Dense ids for printing and the interpreter. */
void ir_number(IrFunc *f);
/* Writes all uses through their replacements, so later passes need no ir_val. */
void ir_resolve(IrFunc *f);
void ir_print(FILE *out, IrFunc *f);
/* Checks structural invariants (types of operands, dominance of uses, terminators, region
 * counts, each op at its level, every call's arguments against its runtime function); on a
 * violation prints it and dies: a failure here is a compiler bug. */
void ir_verify(IrFunc *f, const char *after_pass);

static inline const char *ir_op_name(IrOp op) { return ir_ops[op].name; }
static inline const char *ir_math_name(IrMathFn fn) { return ir_math_fns[fn].name; }

#endif
