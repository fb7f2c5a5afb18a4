/* test_results.c: builtins whose kernel returns a result of several parts (SnResult,
 * sinter/abi.h) take part k as the k-th leaf of their row's result record. Each such kernel is
 * called here on a small problem, and the names it gives its parts must be the leaves' paths, in
 * order, with the kinds the record declares (a tensor, or a scalar). */
#include "../runtime/check.h"

#include "builtins.h"
#include "prelude.h"

#include <math.h>

/* The leaves of a result type, depth first: their paths ("support.rows") and whether each is a
 * tensor. */
typedef struct Leaves {
  int n;
  char path[SN_RESULT_MAX_PARTS][64];
  bool tensor[SN_RESULT_MAX_PARTS];
} Leaves;

static void leaves(Node *type, const char *prefix, Leaves *out) {
  if (type->kind == A_FIELD) type = type->a; /* `{distance: f64}.distance`: the record's parts */
  for (int i = 0; i < type->list.n; i++) {
    Node *f = type->list.items[i];
    char path[64];
    snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", f->name);
    if (f->a->kind == A_RECORD) {
      leaves(f->a, path, out);
    } else if (out->n < SN_RESULT_MAX_PARTS) {
      snprintf(out->path[out->n], sizeof out->path[0], "%s", path);
      out->tensor[out->n++] = f->a->kind == A_INDEX;
    }
  }
}

static SnTensor *vec(int64_t n, const double *x) { return sn_tensor_from_data(SN_F64, x, 1, &n); }
static SnTensor *mat(int64_t n, int64_t m, const double *x) {
  return sn_tensor_from_data(SN_F64, x, 2, (int64_t[]){n, m});
}

/* Kernel f on a 2 x 3 problem; NULL (and a failure) for a kernel this test does not know. */
static SnResult *sample_call(RtFn f) {
  static const double a[2] = {0.5, 0.5}, b[3] = {0.25, 0.25, 0.5};
  static const double C[6] = {0, 1, 4, 1, 0, 1}, X[4] = {0, 1, 2, 0}, Y[6] = {1, 1, 0, 2, 3, 1};
  static const double x[2] = {0, 1}, y[3] = {0.5, 2, -1};
  double K[6];
  for (int k = 0; k < 6; k++) K[k] = exp(-C[k]);
  SnTensor *ta = vec(2, a), *tb = vec(3, b), *tc = mat(2, 3, C), *tk = mat(2, 3, K);
  SnTensor *tx = vec(2, x), *ty = vec(3, y), *tX = mat(2, 2, X), *tY = mat(3, 2, Y);
  SnResult *r = NULL;
  switch (f) {
  case RT_OT_EMD: r = sn_ot_emd_call("t:1:1", ta, tb, tc, 0); break;
  case RT_OT_EMD_1D: r = sn_ot_emd_1d_call("t:1:1", tx, ty, ta, tb, 1); break;
  case RT_OT_LINEAR_SUM_ASSIGNMENT: r = sn_ot_linear_sum_assignment_call("t:1:1", tc, 0); break;
  case RT_OT_SLICED_WASSERSTEIN: r = sn_ot_sliced_wasserstein_call("t:1:1", tX, tY, ta, tb, 4, 1, 2); break;
  case RT_OT_SINKHORN_NEWTON: r = sn_ot_sinkhorn_newton_call("t:1:1", ta, tb, tc, 1, NULL, NULL, 1e-9, 20, 1); break;
  case RT_OT_SINKHORN_KERNEL: r = sn_ot_sinkhorn_kernel_call("t:1:1", ta, tb, tk, 1, NULL, 1e-9, 20); break;
  case RT_SLOGDET: r = sn_slogdet("t:1:1", tX); break;
  case RT_EIGH: r = sn_eigh("t:1:1", tX); break;
  case RT_SVD: r = sn_svd("t:1:1", tc); break;
  case RT_QR: r = sn_qr("t:1:1", tc); break;
  case RT_TOPK: r = sn_topk("t:1:1", tc, 2, 1); break;
  case RT_KTH_LARGEST: r = sn_kth_largest("t:1:1", tc, 2); break;
  default: sn_error_set("no sample call of %s here: add one to tests/compiler/test_results.c", rt_fns[f].name);
  }
  SnTensor *all[] = {ta, tb, tc, tk, tx, ty, tX, tY};
  for (size_t k = 0; k < sizeof all / sizeof *all; k++) sn_tensor_release(all[k]);
  return r;
}

TEST(result_parts_match_rows) {
  Arena arena = {0};
  Sema s = {.arena = &arena, .builtins = builtin_families};
  int checked = 0;
  for (const Builtin *const *f = builtin_families; *f; f++)
    for (const Builtin *b = *f; b->name; b++) {
      if (!b->result) continue; /* a row with a handler of its own: its datum need not be a runtime call */
      if (b->data < 0 || b->data >= RT_NFNS || rt_fns[b->data].ret != K_RESULT) continue;
      Node *type = sema_builtin_signature(&s, b)->a;
      Leaves want = {0};
      leaves(type, "", &want);
      SnResult *r = sample_call((RtFn)b->data);
      if (!r) {
        FAIL_AT("%s: %s", b->name, sn_error_message());
        continue;
      }
      checked++;
      CHECK_EQ_INT(sn_result_count(r), want.n);
      for (int k = 0; k < want.n && k < sn_result_count(r); k++) {
        if (strcmp(sn_result_name(r, k), want.path[k]) != 0)
          FAIL_AT("%s: part %d is `%s`, but the row's leaf %d is `%s`", b->name, k, sn_result_name(r, k), k,
                  want.path[k]);
        if ((sn_result_kind(r, k) == SN_PART_TENSOR) != want.tensor[k])
          FAIL_AT("%s: part %d (`%s`) is %s", b->name, k, want.path[k],
                  want.tensor[k] ? "not a tensor" : "a tensor, but the row reads a scalar");
      }
      sn_result_free(r);
    }
  CHECK(checked >= 5);
  arena_free(&arena);
}
