/* test_tables.c: the compiler's tables (docs/design.md, "The compiler's tables"): every row of
 * every table is filled and counted by its enum, every runtime function an IR_CALL may call has
 * an interpreter adapter, and the adapters pass arguments in C order (the sizes of a RANK/SHAPE
 * pair in the middle, f32 and f64 values, pointers) and results as the functions return them. */
#include "check.h"
#include "interp.h"
#include "passes.h"

/* Rows counted by including each table once more. */
#define COUNT_ROW(...) +1
static const int op_rows = 0
#define OP COUNT_ROW
#include "ops.def"
    ;
static const int math_rows = 0
#define MATH COUNT_ROW
#include "mathfns.def"
    ;
static const int red_rows = 0
#define RED COUNT_ROW
#include "reductions.def"
    ;
static const int rt_rows = 0
#define RT COUNT_ROW
#define RT_LOWERING COUNT_ROW
#include "rtabi.def"
    ;

TEST(row_counts) {
  CHECK_EQ_INT(op_rows, IR_NOPS);
  CHECK_EQ_INT(math_rows, MF_NFNS);
  CHECK_EQ_INT(red_rows, RED_COUNT);
  CHECK_EQ_INT(rt_rows, RT_NFNS);
}

TEST(rows_filled) {
  for (int k = 0; k < IR_NOPS; k++) {
    CHECK(ir_ops[k].name != NULL);
    CHECK(ir_ops[k].nregions >= 0 && ir_ops[k].nregions <= 2);
  }
  for (int k = 0; k < MF_NFNS; k++) {
    CHECK(ir_math_fns[k].name != NULL);
    CHECK(ir_math_fns[k].arity == 1 || ir_math_fns[k].arity == 2);
    CHECK(ir_math_fns[k].work >= 1);
    CHECK_EQ_INT(ir_math_lookup(ir_math_fns[k].name), k);
  }
  for (int k = 0; k < RED_COUNT; k++) {
    CHECK(red_info[k].name != NULL);
    CHECK_EQ_INT(red_lookup(red_info[k].name, strlen(red_info[k].name)), k);
  }
  CHECK_EQ_INT(red_lookup("summ", 4), -1);
  CHECK_EQ_INT(red_lookup("sum", 3), RED_SUM);
  CHECK_EQ_INT(ir_math_lookup("nosuch"), -1);
  for (int k = 0; k < RT_NFNS; k++) {
    const RtInfo *ri = &rt_fns[k];
    CHECK(ri->name != NULL && ri->addr != NULL);
    CHECK(ri->nparams >= 0 && ri->nparams <= RT_MAX_PARAMS);
    for (int i = 0; i < ri->nparams; i++) {
      CHECK(ri->params[i] != K_VOID && ri->params[i] != K_STATUS && !rt_null_fails(ri->params[i]) &&
            ri->params[i] != K_HANDLE);
      /* RANK and SHAPE come as a pair */
      CHECK((ri->params[i] == K_RANK) == (i + 1 < ri->nparams && ri->params[i + 1] == K_SHAPE));
    }
  }
}

/* The adapter a runtime call needs: every row but the RT_LOWERING ones, which only codegen calls. */
TEST(interp_adapters) {
  for (int k = 0; k < RT_NFNS; k++) {
    bool lowering = rt_fns[k].flags & RTF_LOWERING;
    if (interp_calls((RtFn)k) == lowering)
      FAIL_AT("%s: %s", rt_fns[k].name, lowering ? "an adapter for a lowering" : "no interpreter adapter");
  }
}

TEST(passes_table) {
  int n = 0;
  for (const Pass *p = passes; p->name; p++, n++) CHECK(p->run != NULL);
  CHECK(n >= 5);
}

/* A loop-level function, run by the interpreter, whose results go to REPL slots. */
typedef struct Prog {
  Arena arena;
  IrFunc *fn;
  IrBuilder b;
  int nslots;
} Prog;

static void prog_init(Prog *p) {
  memset(p, 0, sizeof *p);
  p->fn = ir_func_new(&p->arena);
  p->fn->props = IRP_FUSED | IRP_LOWERED;
  p->b = (IrBuilder){.fn = p->fn, .block = p->fn->body};
}

static void prog_keep(Prog *p, IrValue *v) {
  IrInst *in = ir_emit(&p->b, IR_GLOBAL_SET, 1, &v, 0, NULL, 0);
  in->imm.i = p->nslots++;
}

static IrValue *const_of(Prog *p, SnDtype t, double f, int64_t i) { return ir_const(&p->b, ir_scalar(t), f, i); }

/* Checks the function, counts its references (so nothing leaks) and runs it: 0 when it ran. */
static int32_t prog_run(Prog *p, SnArgValue *slots) {
  ir_verify(p->fn, "test");
  pass_rc(p->fn, &(PassOptions){0});
  return interp_program(p->fn, NULL, slots);
}

/* sn_random takes its sizes between the dtype and the seed; the IR gives them last. */
TEST(adapter_sizes_in_the_middle) {
  Prog p;
  prog_init(&p);
  IrValue *ops[5] = {const_of(&p, SN_I32, 0, SN_F32), ir_const_i64(&p.b, 7), const_of(&p, SN_I32, 0, SN_DIST_NORMAL),
                     ir_const_i64(&p.b, 3), ir_const_i64(&p.b, 4)};
  IrValue *t = ir_call(&p.b, RT_RANDOM, 5, ops);
  t->type = ir_tensor(SN_F32, 2);
  prog_keep(&p, t);
  SnArgValue slots[1] = {{0}};
  CHECK_EQ_INT(prog_run(&p, slots), 0);
  SnTensor *got = slots[0].t, *want = sn_random(SN_F32, 2, (int64_t[]){3, 4}, 7, SN_DIST_NORMAL);
  CHECK(got && want);
  if (got && want) {
    CHECK_EQ_INT(got->rank, 2);
    CHECK_EQ_INT(got->shape[0], 3);
    CHECK_EQ_INT(got->shape[1], 4);
    CHECK(memcmp(got->data, want->data, 12 * sizeof(float)) == 0);
  }
  sn_tensor_release(got); /* the slot's reference */
  sn_tensor_release(want);
  arena_free(&p.arena);
}

/* Pointers, i64, i32, f32 and f64 arguments and results: sums over a tensor's elements. */
TEST(adapter_scalars) {
  Prog p;
  prog_init(&p);
  IrValue *n = ir_const_i64(&p.b, 40);
  IrType tt = ir_tensor(SN_F64, 1);
  IrValue *t = ir_emit(&p.b, IR_ALLOC, 1, &n, 1, &tt, 0)->res[0];
  IrValue *data = ir_emit(&p.b, IR_DATA, 1, &t, 1, &(IrType){IRT_PTR, SN_F64, 0}, 0)->res[0];
  double x[40];
  for (int i = 0; i < 40; i++) {
    x[i] = 1.0 / (i + 1.5);
    IrValue *st[3] = {data, ir_const_i64(&p.b, i), const_of(&p, SN_F64, x[i], 0)};
    ir_emit(&p.b, IR_STORE, 3, st, 0, NULL, 0);
  }
  IrValue *leaf[4] = {data, ir_const_i64(&p.b, 3), ir_const_i64(&p.b, 33), ir_const_bool(&p.b, false)};
  prog_keep(&p, ir_call(&p.b, RT_SUM_LEAF, 4, leaf));
  IrValue *chunk[2] = {ir_const_i64(&p.b, 1000), ir_const_i64(&p.b, 3)};
  prog_keep(&p, ir_call(&p.b, RT_SUM_CHUNK, 2, chunk));
  float y[5] = {-1.5f, 0.25f, -3.0f, 2.0f, -0.5f};
  IrValue *n5 = ir_const_i64(&p.b, 5);
  IrType ft = ir_tensor(SN_F32, 1);
  IrValue *ty = ir_emit(&p.b, IR_ALLOC, 1, &n5, 1, &ft, 0)->res[0];
  IrValue *fdata = ir_emit(&p.b, IR_DATA, 1, &ty, 1, &(IrType){IRT_PTR, SN_F32, 0}, 0)->res[0];
  for (int i = 0; i < 5; i++) {
    IrValue *st[3] = {fdata, ir_const_i64(&p.b, i), const_of(&p, SN_F32, y[i], 0)};
    ir_emit(&p.b, IR_STORE, 3, st, 0, NULL, 0);
  }
  IrValue *es[3] = {fdata, n5, const_of(&p, SN_F32, 2.0, 0)};
  prog_keep(&p, ir_call(&p.b, RT_EXPSUMF, 3, es));
  SnArgValue slots[3] = {{0}};
  CHECK_EQ_INT(prog_run(&p, slots), 0);
  CHECK(slots[0].f == sn_sum_leaf(x, 3, 33, 0));
  CHECK_EQ_INT(slots[1].i, sn_sum_chunk(1000, 3));
  float got;
  memcpy(&got, &slots[2], sizeof got);
  CHECK(got == sn_expsumf(y, 5, 2.0f));
  arena_free(&p.arena);
}
