/* scan.c: cumulative sums and products (cumsum, cumprod) along an axis, or over the elements in
 * row-major order. Each result is the previous one plus (times) the next element, strictly in
 * order, so every path that calls these gives the same bits. Integers and bools accumulate in
 * i64, wrapping as NumPy's do; f16 and bf16 accumulate in f32 and each result is rounded once. */
#include "math/rt_math.h"

static SnTensor *scan(SnTensor *x, int64_t axis, int mul) {
  SnDtype in = (SnDtype)x->dtype;
  SnDtype acc = in == SN_F64 ? SN_F64 : in == SN_F32 || in == SN_F16 || in == SN_BF16 ? SN_F32 : SN_I64;
  SnDtype out = acc == SN_F32 ? in : acc;
  int64_t numel = sn_tensor_numel(x);
  if (axis >= x->rank) {
    sn_error_set("%s: axis %lld is out of range for a tensor of rank %lld", mul ? "cumprod" : "cumsum", (long long)axis,
                 (long long)x->rank);
    return NULL;
  }
  /* the elements as [outer, len, inner], scanned along len */
  int64_t len = axis < 0 ? numel : x->shape[axis], inner = 1;
  for (int64_t d = axis + 1; axis >= 0 && d < x->rank; d++) inner *= x->shape[d];
  int64_t outer = len && inner ? numel / (len * inner) : 0;
  SnTensor *a = sn_tensor_astype(x, acc);
  if (!a) return NULL;
  SnTensor *r = sn_tensor_new(acc, axis < 0 ? 1 : x->rank, axis < 0 ? &numel : x->shape);
  for (int64_t o = 0; r && o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      int64_t at = o * len * inner + i;
      if (acc == SN_F64) {
        const double *v = a->data;
        double *w = r->data, s = mul;
        for (int64_t k = 0; k < len; k++, at += inner) w[at] = s = mul ? s * v[at] : s + v[at];
      } else if (acc == SN_F32) {
        const float *v = a->data;
        float *w = r->data, s = (float)mul;
        for (int64_t k = 0; k < len; k++, at += inner) w[at] = s = mul ? s * v[at] : s + v[at];
      } else {
        const int64_t *v = a->data;
        int64_t *w = r->data;
        uint64_t s = (uint64_t)mul;
        for (int64_t k = 0; k < len; k++, at += inner) {
          s = mul ? s * (uint64_t)v[at] : s + (uint64_t)v[at];
          w[at] = (int64_t)s;
        }
      }
    }
  sn_tensor_release(a);
  if (!r || out == acc) return r;
  SnTensor *rounded = sn_tensor_new(out, r->rank, r->shape);
  if (rounded) sn_convert(rounded->data, out, r->data, acc, numel);
  sn_tensor_release(r);
  return rounded;
}

SnTensor *sn_cumsum(SnTensor *x, int64_t axis) { return scan(x, axis, 0); }
SnTensor *sn_cumprod(SnTensor *x, int64_t axis) { return scan(x, axis, 1); }
