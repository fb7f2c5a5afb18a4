/* test_result.c: results of several parts (SnResult, sinter/abi.h): parts set and read by index
 * and found by name, tensors handed over and given out as new references, scalars converted
 * between f64 and i64, wrong reads reported, failures located, and open results freed by the
 * run's cleanup. */
#include "rt_test.h"

#include <math.h>

/* An eigh-like result: {values: f64[3], vectors: f64[3, 3], sweeps: i64, off: f64}. */
static SnResult *sample(void) {
  SnResult *r = sn_result_new(4);
  if (!r) return NULL;
  int64_t s3[1] = {3}, s33[2] = {3, 3};
  SnTensor *values = sn_tensor_zeros(SN_F64, 1, s3), *vectors = sn_tensor_zeros(SN_F64, 2, s33);
  for (int i = 0; i < 3; i++) {
    ((double *)values->data)[i] = i + 0.5;
    ((double *)vectors->data)[i * 3 + i] = 1;
  }
  sn_result_set_tensor(r, 0, "values", values);
  sn_result_set_tensor(r, 1, "vectors", vectors);
  sn_result_set_i64(r, 2, "sweeps", 7);
  sn_result_set_f64(r, 3, "off", 2.5e-17);
  return r;
}

TEST(parts_by_index_and_name) {
  int64_t live = sn_tensor_live_count();
  SnResult *r = sample();
  CHECK(r != NULL);
  if (!r) return;
  CHECK_EQ_INT(sn_tensor_live_count(), live + 2); /* the result holds the only references */
  CHECK_EQ_INT(sn_result_count(r), 4);
  CHECK_STR(sn_result_name(r, 1), "vectors");
  CHECK_EQ_INT(sn_result_kind(r, 0), SN_PART_TENSOR);
  CHECK_EQ_INT(sn_result_kind(r, 2), SN_PART_I64);
  CHECK_EQ_INT(sn_result_kind(r, 3), SN_PART_F64);
  CHECK_EQ_INT(sn_result_find(r, "sweeps"), 2);
  CHECK_EQ_INT(sn_result_find(r, "vector"), -1);
  SnTensor *v = sn_result_tensor(r, 0);
  CHECK(v && v->rank == 1 && v->shape[0] == 3 && ((double *)v->data)[2] == 2.5);
  CHECK_EQ_INT(sn_result_i64(r, 2), 7);
  CHECK(sn_result_f64(r, 2) == 7.0);
  CHECK(sn_result_f64(r, 3) == 2.5e-17);
  CHECK_EQ_INT(sn_result_i64(r, 3), 0); /* truncated toward zero */
  sn_result_free(r);
  /* the reference read out outlives the result; the other tensor went with it */
  CHECK_EQ_INT(sn_tensor_live_count(), live + 1);
  CHECK(((double *)v->data)[0] == 0.5);
  sn_tensor_release(v);
  CHECK_EQ_INT(sn_tensor_live_count(), live);
}

TEST(wrong_reads) {
  SnResult *r = sample();
  CHECK(r != NULL);
  if (!r) return;
  CHECK(sn_result_tensor(r, 2) == NULL);
  CHECK_STR(sn_error_message(), "internal error: part 2 (`sweeps`) of a result of 4 parts is not a tensor");
  CHECK(sn_result_tensor(r, 4) == NULL);
  CHECK_STR(sn_error_message(), "internal error: part 4 (``) of a result of 4 parts is not a tensor");
  CHECK(isnan(sn_result_f64(r, 0)));
  CHECK(isnan(sn_result_f64(r, -1)));
  CHECK_EQ_INT(sn_result_i64(r, 1), 0);
  CHECK_EQ_INT(sn_result_kind(r, 9), SN_PART_NONE);
  CHECK_STR(sn_result_name(r, 9), "");
  sn_result_free(r);
  sn_result_free(NULL);
}

TEST(large_values_convert) {
  SnResult *r = sn_result_new(3);
  CHECK(r != NULL);
  if (!r) return;
  sn_result_set_i64(r, 0, "nnz", (int64_t)1 << 60);
  sn_result_set_f64(r, 1, "big", 1e300);
  sn_result_set_f64(r, 2, "nan", NAN);
  CHECK_EQ_INT(sn_result_i64(r, 0), (int64_t)1 << 60); /* exact, beyond f64's 2^53 */
  CHECK_EQ_INT(sn_result_i64(r, 1), INT64_MAX);
  CHECK_EQ_INT(sn_result_i64(r, 2), 0);
  /* a part set again drops what it held */
  int64_t live = sn_tensor_live_count();
  sn_result_set_tensor(r, 0, "t", sn_tensor_zeros(SN_F32, 1, (int64_t[]){4}));
  CHECK_EQ_INT(sn_tensor_live_count(), live + 1);
  sn_result_set_f64(r, 0, "t", 1);
  CHECK_EQ_INT(sn_tensor_live_count(), live);
  CHECK(sn_result_kind(r, 0) == SN_PART_F64);
  sn_result_set_tensor(r, 0, "empty", NULL);
  CHECK(sn_result_kind(r, 0) == SN_PART_NONE);
  sn_result_free(r);
}

TEST(sizes) {
  CHECK(sn_result_new(-1) == NULL);
  CHECK_STR(sn_error_message(), "a result of -1 parts: at most 64");
  CHECK(sn_result_new(SN_RESULT_MAX_PARTS + 1) == NULL);
  SnResult *r = sn_result_new(0);
  CHECK(r && sn_result_count(r) == 0 && sn_result_find(r, "x") == -1);
  sn_result_free(r);
}

/* A kernel's failure: the caller's location before the message, the result freed. */
TEST(failed) {
  int64_t live = sn_tensor_live_count();
  SnResult *r = sample();
  sn_error_set("eigh: the matrix `A` is not symmetric");
  CHECK(sn_result_failed("prog.dsl:3:9", r) == NULL);
  CHECK_STR(sn_error_message(), "prog.dsl:3:9: error: eigh: the matrix `A` is not symmetric");
  CHECK_EQ_INT(sn_tensor_live_count(), live);
  sn_error_set("out of memory");
  CHECK(sn_result_failed("prog.dsl:4:1", NULL) == NULL);
  CHECK_STR(sn_error_message(), "prog.dsl:4:1: error: out of memory");
}

/* A result made of tensors takes them over; one missing part (its computation failed) releases
 * the others and fails at the caller's location. */
TEST(result_of_tensors) {
  static const char *const names[] = {"values", "indices"};
  int64_t live = sn_tensor_live_count(), s2[1] = {2};
  SnTensor *parts[2] = {sn_tensor_zeros(SN_F64, 1, s2), sn_tensor_zeros(SN_I64, 1, s2)};
  SnResult *r = sn_result_of_tensors("prog.dsl:1:1", 2, names, parts);
  CHECK(r != NULL);
  CHECK_EQ_INT(sn_result_count(r), 2);
  CHECK_STR(sn_result_name(r, 1), "indices");
  CHECK_EQ_INT(sn_tensor_live_count(), live + 2);
  sn_result_free(r);
  CHECK_EQ_INT(sn_tensor_live_count(), live);
  SnTensor *half[2] = {sn_tensor_zeros(SN_F64, 1, s2), NULL};
  sn_error_set("topk: out of memory");
  CHECK(sn_result_of_tensors("prog.dsl:2:5", 2, names, half) == NULL);
  CHECK_STR(sn_error_message(), "prog.dsl:2:5: error: topk: out of memory");
  CHECK_EQ_INT(sn_tensor_live_count(), live);
}

/* A run that stops between a kernel and the reads of its parts leaves results open: the run's
 * cleanup frees them, and their tensors, and no others. */
TEST(cleanup_frees_open_results) {
  int64_t live = sn_tensor_live_count();
  SnResult *a = sample(), *b = sample(), *c = sample();
  CHECK(a && b && c);
  sn_result_free(b); /* unlinked from the middle */
  SnTensor *kept = sn_result_tensor(c, 1);
  CHECK_EQ_INT(sn_tensor_live_count(), live + 4); /* a and c hold two each */
  sn_run_cleanup();
  CHECK_EQ_INT(sn_tensor_live_count(), live + 1);
  sn_tensor_release(kept);
  sn_run_cleanup(); /* nothing left: a no-op */
  CHECK_EQ_INT(sn_tensor_live_count(), live);
}
