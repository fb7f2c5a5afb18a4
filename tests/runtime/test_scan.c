/* test_scan.c: runtime/math/scan.c's cumulative sums and products: strictly in order along the
 * axis (a view's strides respected), integers wrapping in i64, f16 accumulated in f32 with each
 * result rounded once, empty tensors, and a bad axis reported. */
#include "rt_test.h"

TEST(in_order_along_an_axis_of_a_view) {
  double v[6] = {1, 1e16, 2, -1e16, 3, 0.5};
  int64_t shape[2] = {2, 3};
  SnTensor *t = sn_tensor_from_data(SN_F64, v, 2, shape);
  SnTensor *tt = sn_tensor_transpose(t, 0, 1); /* [3, 2], not contiguous */
  SnTensor *r = sn_cumsum(tt, 0);
  CHECK(r && r->rank == 2 && r->shape[0] == 3 && r->shape[1] == 2);
  /* column 0 of tt is 1, 1e16, 2: (1 + 1e16) + 2 in order, not 1 + (1e16 + 2) */
  double want[6] = {1, -1e16, 1 + 1e16, (-1e16 + 3) + 0.0, (1 + 1e16) + 2, (-1e16 + 3) + 0.5};
  for (int i = 0; r && i < 6; i++) CHECK(((double *)r->data)[i] == want[i]);
  SnTensor *f = sn_cumprod(t, -1); /* flattened */
  CHECK(f && f->rank == 1 && f->shape[0] == 6);
  double p = 1;
  for (int i = 0; f && i < 6; i++) CHECK(((double *)f->data)[i] == (p *= v[i]));
  sn_tensor_release(f), sn_tensor_release(r), sn_tensor_release(tt), sn_tensor_release(t);
}

TEST(integers_wrap_in_i64) {
  int64_t v[2] = {INT64_MAX, 1}, n = 2;
  SnTensor *t = sn_tensor_from_data(SN_I64, v, 1, &n);
  SnTensor *r = sn_cumsum(t, 0);
  CHECK(r && r->dtype == SN_I64 && ((int64_t *)r->data)[1] == INT64_MIN);
  int8_t b[3] = {1, 0, 1};
  n = 3;
  SnTensor *bt = sn_tensor_from_data(SN_BOOL, b, 1, &n);
  SnTensor *c = sn_cumsum(bt, -1);
  CHECK(c && c->dtype == SN_I64 && ((int64_t *)c->data)[2] == 2);
  sn_tensor_release(c), sn_tensor_release(bt), sn_tensor_release(r), sn_tensor_release(t);
}

TEST(f16_accumulates_in_f32) {
  /* 2048 + 1 + 1: in f16 every partial sum would round back to 2048 */
  uint16_t h[3] = {sn_f32_to_f16(2048), sn_f32_to_f16(1), sn_f32_to_f16(1)};
  int64_t n = 3;
  SnTensor *t = sn_tensor_from_data(SN_F16, h, 1, &n);
  SnTensor *r = sn_cumsum(t, 0);
  CHECK(r && r->dtype == SN_F16);
  if (r) CHECK(sn_f16_to_f32(((uint16_t *)r->data)[2]) == 2050.0f);
  sn_tensor_release(r), sn_tensor_release(t);
}

TEST(empty_and_bad_axis) {
  int64_t shape[2] = {0, 4};
  SnTensor *t = sn_tensor_new(SN_F32, 2, shape);
  SnTensor *r = sn_cumsum(t, 1);
  CHECK(r && r->shape[0] == 0 && r->shape[1] == 4);
  CHECK(sn_cumprod(t, 2) == NULL);
  CHECK_STR(sn_error_message(), "cumprod: axis 2 is out of range for a tensor of rank 2");
  sn_tensor_release(r), sn_tensor_release(t);
}
