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

/* --- linear recurrences -------------------------------------------------------------------------- */

/* x_l = a_l x_{l-1} + b_l along the last axis, complex (a = ar + i ai, b = br + i bi), from
 * x_{-1} = 0; reversed, x_l = a_l x_{l+1} + b_l from the end (the backward's recurrence). The
 * state-space layer's scan: each line is sequential, O(L), and the lines go to the threads. */
typedef struct {
  const SnTensor *ar, *ai, *br, *bi;
  SnTensor *x;
  int64_t len, lines;
  int reverse;
} Recurrence;

#define RECURRENCE_LINE(T)                                                                        \
  static void recur_##T(const Recurrence *r, int64_t line) {                                      \
    const T *ar = r->ar->data, *ai = r->ai->data, *br = r->br->data, *bi = r->bi->data;           \
    T *xr = r->x->data, *xi = xr + r->lines * r->len;                                             \
    T sr = 0, si = 0;                                                                             \
    for (int64_t k = 0; k < r->len; k++) {                                                        \
      int64_t at = line * r->len + (r->reverse ? r->len - 1 - k : k);                             \
      T nr = ar[at] * sr - ai[at] * si + br[at], ni = ar[at] * si + ai[at] * sr + bi[at];         \
      xr[at] = sr = nr;                                                                           \
      xi[at] = si = ni;                                                                           \
    }                                                                                             \
  }
RECURRENCE_LINE(float)
RECURRENCE_LINE(double)

static int32_t recur_chunk(void *ctx, int64_t chunk, int64_t lo, int64_t hi) {
  (void)chunk;
  const Recurrence *r = ctx;
  for (int64_t line = lo; line < hi; line++)
    if (r->x->dtype == SN_F64) recur_double(r, line);
    else recur_float(r, line);
  return 0;
}

SnTensor *sn_linrec(SnTensor *ar, SnTensor *ai, SnTensor *br, SnTensor *bi, int32_t reverse) {
  SnTensor *in[4] = {ar, ai, br, bi}, *dense[4] = {0};
  for (int k = 0; k < 4; k++)
    if (in[k]->dtype != ar->dtype || in[k]->rank != ar->rank || in[k]->rank < 1 ||
        memcmp(in[k]->shape, ar->shape, (size_t)ar->rank * sizeof(int64_t)) != 0 ||
        (ar->dtype != SN_F32 && ar->dtype != SN_F64)) {
      sn_error_set("linear_recurrence: a and b (real and imaginary parts) must be f32 or f64 tensors of one shape");
      return NULL;
    }
  SnTensor *x = NULL;
  int64_t shape[SN_MAX_RANK + 1] = {2};
  memcpy(shape + 1, ar->shape, (size_t)ar->rank * sizeof(int64_t));
  if (ar->rank + 1 > SN_MAX_RANK) {
    sn_error_set("linear_recurrence: rank %lld is above the most, %d", (long long)ar->rank, SN_MAX_RANK - 1);
    return NULL;
  }
  int ok = 1;
  for (int k = 0; k < 4 && ok; k++) ok = (dense[k] = sn_tensor_is_contiguous(in[k]) ? in[k] : sn_tensor_copy(in[k])) != NULL;
  if (ok) x = sn_tensor_new((SnDtype)ar->dtype, ar->rank + 1, shape);
  if (x) {
    int64_t len = ar->shape[ar->rank - 1], numel = sn_tensor_numel(ar);
    Recurrence r = {dense[0], dense[1], dense[2], dense[3], x, len, len ? numel / len : 0, reverse != 0};
    if (r.lines && sn_parallel_for(r.lines, sn_parallel_chunks(r.lines, 4096 / (len ? len : 1) + 1), recur_chunk, &r)) {
      sn_tensor_release(x);
      x = NULL;
    }
  }
  for (int k = 0; k < 4; k++)
    if (dense[k] != in[k]) sn_tensor_release(dense[k]);
  return x;
}
