/* sort.c: sorting along an axis (sort and argsort: stable, NaN last, as NumPy's kind='stable'),
 * the k largest or smallest along the last axis (topk, as torch.topk, ties in index order) and
 * order statistics along an axis (quantile by NumPy's default 'linear' method, median).
 *
 * A line is the elements along the axis with the other indices fixed. Each line is gathered
 * into a contiguous buffer, its elements mapped to unsigned 64-bit keys in the dtype's order
 * (NaN above +inf, -0.0 equal to 0.0) and sorted with their positions by a stable merge sort
 * (SNRT_STABLE_SORT, rt_core.h); a topk of a small k keeps the k first of that order in a heap
 * instead, ordered by key and then position, which is the same order.
 * Lines are independent: a large tensor's lines are split among threads, and the result is the
 * same on any thread count. */
#include "math/rt_math.h"

#include <math.h>
#include <stdbool.h>
#ifdef __AVX512F__
#include <immintrin.h>
#endif
#include <stdlib.h>

/* Elements a parallel chunk should have at least, so a small tensor is sorted on one thread. */
#define SORT_GRAIN 16384

typedef struct {
  uint64_t key;
  int64_t pos;
} Item;

/* The key of the element at p: unsigned order is the dtype's order, NaN last. */
static uint64_t sort_key(const void *p, SnDtype dt) {
  const uint64_t sign = UINT64_C(1) << 63;
  double v;
  switch (dt) {
  case SN_BOOL:
  case SN_U8: return *(const uint8_t *)p;
  case SN_I8: return (uint64_t)(int64_t)(*(const int8_t *)p) ^ sign;
  case SN_I32: return (uint64_t)(int64_t)(*(const int32_t *)p) ^ sign;
  case SN_I64: return (uint64_t)(*(const int64_t *)p) ^ sign;
  case SN_F16: v = sn_f16_to_f32(*(const uint16_t *)p); break;
  case SN_BF16: v = sn_bf16_to_f32(*(const uint16_t *)p); break;
  case SN_F32: v = *(const float *)p; break;
  default: v = *(const double *)p; break;
  }
  if (isnan(v)) return UINT64_MAX;
  if (v == 0) v = 0; /* -0.0 sorts with 0.0 */
  uint64_t b = sn_f64_bits(v);
  return b & sign ? ~b : b | sign;
}

/* a[0..n) by key, stably; tmp has room for n items. */
SNRT_STABLE_SORT(merge_sort, Item)

/* Does a come after b in the sorted order: by key, then (a tie) by position. */
static int later(Item a, Item b) { return a.key > b.key || (a.key == b.key && a.pos > b.pos); }

/* A heap h[0..m) with the latest item at the top: puts `it` in place of the top, sifting down. */
static void heap_replace_top(Item *h, int64_t m, Item it) {
  int64_t i = 0;
  for (int64_t c; (c = 2 * i + 1) < m; i = c) {
    if (c + 1 < m && later(h[c + 1], h[c])) c++;
    if (!later(h[c], it)) break;
    h[i] = h[c];
  }
  h[i] = it;
}

/* The first k items of the line's sorted order, a[0..n) given in position order, into a[0..k)
 * in that order, through a heap of the k first so far: O(n log k) where a sort is O(n log n). */
static void first_k(Item *a, int64_t n, int64_t k) {
  for (int64_t i = 0; k > 0 && i < n; i++) {
    if (i < k) { /* sift up */
      int64_t c = i;
      Item it = a[i];
      for (; c > 0 && later(it, a[(c - 1) / 2]); c = (c - 1) / 2) a[c] = a[(c - 1) / 2];
      a[c] = it;
    } else if (a[i].key < a[0].key) { /* a tie comes later: its position is higher */
      heap_replace_top(a, k, a[i]);
    }
  }
  for (int64_t e = k - 1; e > 0; e--) { /* heapsort: the latest to the end */
    Item last = a[e];
    a[e] = a[0];
    heap_replace_top(a, e, last);
  }
}

/* A topk of at most 1/TOPK_HEAP of the line uses first_k; more sorts the whole line. */
#define TOPK_HEAP 8

typedef enum { OP_SORT, OP_ARGSORT, OP_TOPK, OP_QUANTILE, OP_MEDIAN } SortOp;

/* One call: x's lines along `axis`, each sorted (sort, argsort: out has x's shape), cut to its
 * first k once sorted (topk along the last axis: the values in out, the indices in idx, both of
 * x's shape with the last dimension k), or reduced to nq order statistics (quantile, median: out
 * is [nq, the other dimensions], or those alone). */
typedef struct {
  const SnTensor *x;
  SnTensor *out, *idx;
  int64_t axis, len, nlines;
  SortOp op;
  const double *q;
  int64_t nq;
  int64_t k;
  int32_t largest; /* topk: largest first, NaN first (the keys' order reversed) */
} SortJob;

/* Where line r starts in x (elements from x->data) and in a dense tensor of x's shape. */
static void line_start(const SortJob *j, int64_t r, int64_t *in, int64_t *out) {
  const SnTensor *x = j->x;
  int64_t off = 0, dense = 0, step = 1;
  for (int64_t d = x->rank - 1; d >= 0; d--) {
    if (d == j->axis) {
      step *= x->shape[d];
      continue;
    }
    int64_t i = r % x->shape[d];
    r /= x->shape[d];
    off += i * x->strides[d];
    dense += i * step;
    step *= x->shape[d];
  }
  *in = off;
  *out = dense;
}

/* NumPy's _lerp: a + (b - a) t, from the nearer end. */
static double lerp(double a, double b, double t) {
  double d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/* Order statistic k of the sorted line v[0..n) (n > 0): quantile q[k], or the median. */
static double order_stat(const SortJob *j, const double *v, int64_t n, int64_t k) {
  if (isnan(v[n - 1])) return NAN;
  if (j->op == OP_MEDIAN) return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  double h = (double)(n - 1) * j->q[k];
  if (h >= (double)(n - 1)) return v[n - 1];
  int64_t lo = (int64_t)floor(h);
  return lerp(v[lo], v[lo + 1], h - (double)lo);
}

static int32_t sort_chunk(void *ctx, int64_t chunk, int64_t lo, int64_t hi) {
  (void)chunk;
  const SortJob *j = ctx;
  const SnTensor *x = j->x;
  SnDtype dt = (SnDtype)x->dtype;
  size_t es = sn_dtype_size(dt);
  int64_t n = j->len, stride = x->strides[j->axis], ostride = 1;
  for (int64_t d = j->axis + 1; d < x->rank; d++) ostride *= x->shape[d];
  Item *items = malloc((size_t)n * 2 * sizeof *items);
  char *line = malloc((size_t)n * es);
  double *vals = j->op >= OP_QUANTILE ? malloc((size_t)n * 2 * sizeof *vals) : NULL;
  if (!items || !line || (j->op >= OP_QUANTILE && !vals)) {
    free(items);
    free(line);
    free(vals);
    return sn_error_set("out of memory sorting lines of %lld elements", (long long)n);
  }
  for (int64_t r = lo; r < hi; r++) {
    int64_t in, out;
    line_start(j, r, &in, &out);
    for (int64_t i = 0; i < n; i++)
      memcpy(line + i * es, (const char *)x->data + (in + i * stride) * (int64_t)es, es);
    uint64_t flip = j->largest ? UINT64_MAX : 0;
    for (int64_t i = 0; i < n; i++) items[i] = (Item){sort_key(line + i * es, dt) ^ flip, i};
    if (j->op == OP_TOPK && j->k * TOPK_HEAP <= n)
      first_k(items, n, j->k);
    else
      merge_sort(items, items + n, n);
    if (j->op == OP_TOPK) {
      for (int64_t i = 0; i < j->k; i++) {
        memcpy((char *)j->out->data + (r * j->k + i) * (int64_t)es, line + items[i].pos * (int64_t)es, es);
        ((int64_t *)j->idx->data)[r * j->k + i] = items[i].pos;
      }
    } else if (j->op == OP_SORT) {
      for (int64_t i = 0; i < n; i++)
        memcpy((char *)j->out->data + (out + i * ostride) * (int64_t)es, line + items[i].pos * (int64_t)es,
               es);
    } else if (j->op == OP_ARGSORT) {
      for (int64_t i = 0; i < n; i++) ((int64_t *)j->out->data)[out + i * ostride] = items[i].pos;
    } else {
      double *sorted = vals + n;
      sn_convert(vals, SN_F64, line, dt, n);
      for (int64_t i = 0; i < n; i++) sorted[i] = vals[items[i].pos];
      for (int64_t k = 0; k < j->nq; k++) {
        double v = order_stat(j, sorted, n, k);
        sn_convert((char *)j->out->data +
                       (k * j->nlines + r) * (int64_t)sn_dtype_size((SnDtype)j->out->dtype),
                   (SnDtype)j->out->dtype, &v, SN_F64, 1);
      }
    }
  }
  free(items);
  free(line);
  free(vals);
  return 0;
}

/* Runs j over x's lines; out is j->out, released on failure. */
static SnTensor *sort_run(SortJob *j) {
  j->nlines = j->len ? sn_tensor_numel(j->x) / j->len : 0;
  int64_t grain = SORT_GRAIN / (j->len > 0 ? j->len : 1);
  if (j->nlines &&
      sn_parallel_for(j->nlines, sn_parallel_chunks(j->nlines, grain > 0 ? grain : 1), sort_chunk, j)) {
    sn_tensor_release(j->out);
    return NULL;
  }
  return j->out;
}

static int sort_axis(const char *fn, const SnTensor *x, int64_t axis) {
  if (axis >= 0 && axis < x->rank) return 1;
  sn_error_set("%s: axis %lld is out of range for a tensor of rank %lld", fn, (long long)axis,
               (long long)x->rank);
  return 0;
}

static SnTensor *sort_lines(const char *fn, const SnTensor *x, int64_t axis, SortOp op) {
  if (!sort_axis(fn, x, axis)) return NULL;
  SortJob j = {.x = x, .axis = axis, .len = x->shape[axis], .op = op};
  j.out = sn_tensor_new(op == OP_SORT ? (SnDtype)x->dtype : SN_I64, x->rank, x->shape);
  return j.out ? sort_run(&j) : NULL;
}

SnTensor *sn_sort(const SnTensor *x, int64_t axis) { return sort_lines("sort", x, axis, OP_SORT); }

SnTensor *sn_argsort(const SnTensor *x, int64_t axis) { return sort_lines("argsort", x, axis, OP_ARGSORT); }

static const char *const topk_parts[] = {"values", "indices"};

SnResult *sn_topk(const char *where, const SnTensor *x, int64_t k, int32_t largest) {
  if (x->dtype == SN_BOOL) {
    sn_error_set("topk needs numbers, not bool");
    return sn_result_failed(where, NULL);
  }
  if (x->rank < 1) {
    sn_error_set("topk needs a tensor of rank 1 or more, not a scalar");
    return sn_result_failed(where, NULL);
  }
  int64_t n = x->shape[x->rank - 1];
  if (k < 0 || k > n) {
    sn_error_set("topk: k = %lld is out of range for a last dimension of %lld (0 <= k <= %lld)", (long long)k,
                 (long long)n, (long long)n);
    return sn_result_failed(where, NULL);
  }
  int64_t shape[SN_MAX_RANK];
  memcpy(shape, x->shape, (size_t)x->rank * sizeof *shape);
  shape[x->rank - 1] = k;
  SortJob j = {.x = x, .axis = x->rank - 1, .len = n, .op = OP_TOPK, .k = k, .largest = largest != 0};
  j.out = sn_tensor_new((SnDtype)x->dtype, x->rank, shape);
  j.idx = sn_tensor_new(SN_I64, x->rank, shape);
  if (j.out && j.idx && !sort_run(&j)) j.out = NULL; /* which released out */
  SnTensor *parts[2] = {j.out, j.idx};
  return sn_result_of_tensors(where, 2, topk_parts, parts);
}

/* The order statistics q[0..nq) (the median when q is NULL) of x's lines along axis, or of all
 * its elements when axis < 0; `qrank` 1 puts a dimension of nq first. */
static SnTensor *order_stats(const char *fn, const SnTensor *x, const double *q, int64_t nq, int64_t qrank,
                             int64_t axis) {
  if (x->dtype == SN_BOOL) {
    sn_error_set("%s needs numbers, not bool", fn);
    return NULL;
  }
  for (int64_t k = 0; q && k < nq; k++)
    if (!(q[k] >= 0 && q[k] <= 1)) {
      sn_error_set("%s: q must be in [0, 1], not %g", fn, q[k]);
      return NULL;
    }
  SnTensor *flat = NULL;
  if (axis < 0) { /* every element: x as one line */
    int64_t numel = sn_tensor_numel(x);
    if (!(flat = sn_tensor_reshape(x, 1, &numel))) return NULL;
    x = flat;
    axis = 0;
  }
  SnTensor *out = NULL;
  if (!sort_axis(fn, x, axis)) goto done;
  if (x->shape[axis] == 0) {
    sn_error_set("%s of an empty line: dimension %lld has size 0", fn, (long long)axis);
    goto done;
  }
  int64_t shape[SN_MAX_RANK], rank = 0;
  if (qrank) shape[rank++] = nq;
  for (int64_t d = 0; d < x->rank; d++)
    if (d != axis) shape[rank++] = x->shape[d];
  SnDtype dt = x->dtype == SN_F16 || x->dtype == SN_BF16 || x->dtype == SN_F32 ? (SnDtype)x->dtype : SN_F64;
  SortJob j = {
      .x = x, .axis = axis, .len = x->shape[axis], .op = q ? OP_QUANTILE : OP_MEDIAN, .q = q, .nq = nq};
  if ((j.out = sn_tensor_new(dt, rank, shape))) out = sort_run(&j);
done:
  if (flat) sn_tensor_release(flat);
  return out;
}

SnTensor *sn_quantile(const SnTensor *x, double q, int64_t axis) {
  return order_stats("quantile", x, &q, 1, 0, axis);
}

SnTensor *sn_quantiles(const SnTensor *x, const SnTensor *q, int64_t axis) {
  if (q->rank != 1) {
    sn_error_set("quantile: q must be a number or a vector, not a tensor of rank %lld", (long long)q->rank);
    return NULL;
  }
  double *qs = malloc((size_t)(q->shape[0] ? q->shape[0] : 1) * sizeof *qs);
  if (!qs) {
    sn_error_set("out of memory");
    return NULL;
  }
  for (int64_t k = 0; k < q->shape[0]; k++) qs[k] = sn_tensor_get_f64(q, k);
  SnTensor *out = order_stats("quantile", x, qs, q->shape[0], 1, axis);
  free(qs);
  return out;
}

SnTensor *sn_median(const SnTensor *x, int64_t axis) { return order_stats("median", x, NULL, 1, 0, axis); }

/* --- kth_largest: the k-th largest element of a whole tensor, by radix selection ----------------
 * The elements' keys are those of sort_key (32 bits for f16, bf16 and f32, which compare as their
 * f32 values), selected 16 bits at a time from the top: a pass counts the candidates' next digit
 * (per chunk, added up), and the digit where the count from the top reaches k narrows the
 * candidates. The key found is the k-th largest; of the elements with that key, those in the k
 * largest are the first ones in index order (topk's ties), and the last of them is the index:
 * the last pass's histograms count each chunk's elements of that key, so only the chunk that
 * holds it is read again.
 * Counts are integers, so the result is the same on any thread count; O(n) per pass, where
 * topk's sort is O(n log n). */

#define SELECT_DIGITS 65536
/* A chunk's histogram is SELECT_DIGITS counts: few chunks, each large, but more than 2^17
 * elements make two, so that a merge's selections among 100,000s of candidates (a band of its
 * threshold's candidates) use two cores. */
#define SELECT_GRAIN (1 << 17)
#define SELECT_CHUNKS 32

typedef struct {
  const char *data;
  SnDtype dt;
  size_t size;
  int bits;        /* 32 or 64 */
  int shift;       /* the digit is (key >> shift) & 0xffff */
  bool all;        /* every element is a candidate (the first pass) */
  uint64_t prefix; /* else a candidate's key >> (shift + 16) */
  uint64_t key;    /* the key found */
  uint32_t *hist;  /* per chunk */
  int64_t nchunks;
} Select;

/* The key of an f32 of bits b: its order as an unsigned number, -0.0 as 0.0, NaN the largest. */
static inline uint32_t f32_key(uint32_t b) {
  uint32_t mag = b & 0x7fffffffu;
  b = mag == 0 ? 0 : b;
  uint32_t key = b >> 31 ? ~b : b | 0x80000000u;
  return mag > 0x7f800000u ? UINT32_MAX : key;
}

/* Element i's key: sort_key's order; 32 bits for the floats that are f32 values. */
static uint64_t select_key(const Select *s, int64_t i) {
  const void *p = s->data + (size_t)i * s->size;
  if (s->bits == 64) return sort_key(p, s->dt);
  float v = s->dt == SN_F32 ? *(const float *)p
                            : s->dt == SN_F16 ? sn_f16_to_f32(*(const uint16_t *)p) : sn_bf16_to_f32(*(const uint16_t *)p);
  return f32_key(sn_f32_bits(v));
}

static int32_t select_count(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  Select *s = ctx;
  uint32_t *h = s->hist + (size_t)c * SELECT_DIGITS;
  memset(h, 0, SELECT_DIGITS * sizeof *h);
  const uint32_t *f32 = s->dt == SN_F32 ? (const uint32_t *)s->data : NULL;
  const int shift = s->shift, all = s->all;
  const uint64_t prefix = s->prefix;
  for (int64_t i = lo; i < hi; i++) {
    uint64_t key = f32 ? f32_key(f32[i]) : select_key(s, i);
    if (all || key >> (shift + 16) == prefix) h[(key >> shift) & 0xffff]++;
  }
  return 0;
}

static int64_t radix_select(Select *s, int64_t n, int64_t k);

/* --- a large tensor tries a sample first ---------------------------------------------------------
 * SAMPLE keys at fixed positions estimate the k-th largest key; one pass counts the keys above a
 * bound safely over it and gathers those between it and a bound safely under it (in index order,
 * chunk by chunk), and the answer is selected among those few. When the bounds miss (an unusual
 * distribution, or many equal keys) the radix passes run instead. Either way the result is the
 * same, exact, on any thread count; the sample saves the radix passes' histograms (a random
 * access per element). */

/* Tensors from this many elements try the sample. */
#define SAMPLE_MIN (1 << 20)
#define SAMPLE (1 << 16)

typedef struct {
  Select *s;
  uint64_t lo, hi;  /* candidates: lo <= key <= hi; above: key > hi */
  int64_t *above;   /* per chunk */
  Item **cand;      /* per chunk, in index order */
  int64_t *ncand, *cap;
  int64_t most;     /* candidates a chunk may gather before the sample is given up */
  _Atomic int failed;
} Narrow;

/* Appends (key, i) to a chunk's candidates; false when there are too many. */
static bool gather(Narrow *w, Item **cand, int64_t *nc, int64_t *cap, uint64_t key, int64_t i) {
  if (*nc == *cap) {
    Item *more = *nc < w->most ? realloc(*cand, (size_t)(*cap = *cap ? 2 * *cap : 1024) * sizeof *more) : NULL;
    if (!more) return false;
    *cand = more;
  }
  (*cand)[(*nc)++] = (Item){key, i};
  return true;
}

static int32_t narrow_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  Narrow *w = ctx;
  int64_t above = 0, nc = 0, cap = 0, i = lo;
  Item *cand = NULL;
  const uint64_t bound_lo = w->lo, bound_hi = w->hi;
  const uint32_t *f32 = w->s->dt == SN_F32 ? (const uint32_t *)w->s->data : NULL;
  bool ok = true;
#ifdef __AVX512F__
  /* f32 keys 16 at a time: the keys above, and a mask of the rare candidates */
  if (f32) {
    const __m512i sign = _mm512_set1_epi32((int)0x80000000u), abs_mask = _mm512_set1_epi32(0x7fffffff);
    const __m512i inf = _mm512_set1_epi32(0x7f800000), ones = _mm512_set1_epi32(-1);
    const __m512i top = _mm512_set1_epi32((int)(uint32_t)(bound_hi > UINT32_MAX ? UINT32_MAX : bound_hi));
    const __m512i base = _mm512_set1_epi32((int)(uint32_t)bound_lo);
    const __m512i width = _mm512_set1_epi32((int)(uint32_t)((bound_hi > UINT32_MAX ? UINT32_MAX : bound_hi) - bound_lo));
    const bool none_above = bound_hi >= UINT32_MAX;
    for (; ok && i + 16 <= hi; i += 16) {
      __m512i b = _mm512_loadu_si512((const void *)(f32 + i));
      __m512i mag = _mm512_and_si512(b, abs_mask);
      b = _mm512_maskz_mov_epi32(_mm512_cmpneq_epi32_mask(mag, _mm512_setzero_si512()), b);
      __mmask16 neg = _mm512_cmplt_epi32_mask(b, _mm512_setzero_si512());
      __m512i key = _mm512_mask_mov_epi32(_mm512_or_si512(b, sign), neg, _mm512_xor_si512(b, ones));
      key = _mm512_mask_mov_epi32(key, _mm512_cmpgt_epu32_mask(mag, inf), ones);
      if (!none_above) above += __builtin_popcount(_mm512_cmpgt_epu32_mask(key, top));
      unsigned in = _mm512_cmple_epu32_mask(_mm512_sub_epi32(key, base), width);
      while (in && ok) {
        int j = __builtin_ctz(in);
        in &= in - 1;
        ok = gather(w, &cand, &nc, &cap, f32_key(f32[i + j]), i + j);
      }
    }
  }
#endif
  for (; ok && i < hi; i++) {
    uint64_t key = f32 ? f32_key(f32[i]) : select_key(w->s, i);
    above += key > bound_hi;
    /* one unsigned comparison, which is rarely true: a branch on key > hi would be mispredicted
     * at every other element when k is half of n */
    if (key - bound_lo > bound_hi - bound_lo) continue;
    ok = gather(w, &cand, &nc, &cap, key, i);
  }
  if (!ok) w->failed = 1;
  w->above[c] = above;
  w->cand[c] = cand;
  w->ncand[c] = nc;
  return 0;
}

/* The r-th largest (from 0) of a[0..n), reordering a. */
static uint64_t nth_largest(uint64_t *a, int64_t n, int64_t r) {
  int64_t lo = 0, hi = n - 1;
  while (lo < hi) {
    uint64_t x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi];
    uint64_t p = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y); /* the median */
    int64_t i = lo, j = hi;
    while (i <= j) {
      while (a[i] > p) i++;
      while (a[j] < p) j--;
      if (i <= j) {
        uint64_t t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (r <= j) hi = j;
    else if (r >= i) lo = i;
    else return a[r];
  }
  return a[lo];
}

/* The flat index of the k-th largest by the sample, or -1 when its bounds missed. */
static int64_t sample_select(Select *s, int64_t n, int64_t k) {
  uint64_t *keys = malloc(SAMPLE * sizeof *keys);
  Narrow w = {.s = s, .most = n / s->nchunks / 8 + 1024};
  w.above = calloc((size_t)s->nchunks, sizeof *w.above);
  w.cand = calloc((size_t)s->nchunks, sizeof *w.cand);
  w.ncand = calloc((size_t)s->nchunks, sizeof *w.ncand);
  int64_t found = -1;
  if (!keys || !w.above || !w.cand || !w.ncand) goto done;
  for (int64_t j = 0; j < SAMPLE; j++) keys[j] = select_key(s, (int64_t)((__int128)j * n / SAMPLE));
  /* the wanted rank in the sample, and bounds 4 standard deviations (and 16) around it */
  double f = (double)(k - 1) / (double)n, margin = 4 * sqrt(SAMPLE * f * (1 - f)) + 16;
  int64_t r = (int64_t)(f * SAMPLE), rhi = r - (int64_t)margin, rlo = r + (int64_t)margin;
  w.hi = rhi <= 0 ? UINT64_MAX : nth_largest(keys, SAMPLE, rhi);
  w.lo = rlo >= SAMPLE - 1 ? 0 : nth_largest(keys, SAMPLE, rlo);
  sn_parallel_for(n, s->nchunks, narrow_chunk, &w);
  int64_t above = 0, ncand = 0;
  for (int64_t c = 0; c < s->nchunks; c++) above += w.above[c], ncand += w.ncand[c];
  if (w.failed || k <= above || k > above + ncand) goto done;
  /* the (k - above)-th largest candidate key, then its occurrence in index order */
  uint64_t *ck = realloc(keys, (size_t)(ncand > SAMPLE ? ncand : SAMPLE) * sizeof *ck);
  if (!ck) goto done;
  keys = ck;
  for (int64_t c = 0, j = 0; c < s->nchunks; c++)
    for (int64_t q = 0; q < w.ncand[c]; q++) keys[j++] = w.cand[c][q].key;
  int64_t need = k - above;
  uint64_t key = nth_largest(keys, ncand, need - 1);
  for (int64_t c = 0; c < s->nchunks; c++)
    for (int64_t q = 0; q < w.ncand[c]; q++) need -= w.cand[c][q].key > key;
  for (int64_t c = 0; c < s->nchunks && found < 0; c++)
    for (int64_t q = 0; q < w.ncand[c] && found < 0; q++)
      if (w.cand[c][q].key == key && --need == 0) found = w.cand[c][q].pos;
done:
  for (int64_t c = 0; w.cand && c < s->nchunks; c++) free(w.cand[c]);
  free(w.cand);
  free(w.ncand);
  free(w.above);
  free(keys);
  return found;
}

SnResult *sn_kth_largest(const char *where, SnTensor *x, int64_t k) {
  int64_t n = sn_tensor_numel(x);
  if (x->dtype == SN_BOOL) {
    sn_error_set("kth_largest needs numbers, not bool");
    return sn_result_failed(where, NULL);
  }
  if (k < 1 || k > n) {
    sn_error_set("kth_largest: k = %lld is out of range for %lld elements (1 <= k <= %lld)", (long long)k,
                 (long long)n, (long long)n);
    return sn_result_failed(where, NULL);
  }
  SnTensor *t = sn_tensor_contiguous(x);
  SnResult *r = t ? sn_result_new(2) : NULL;
  Select s = {.dt = (SnDtype)x->dtype, .size = sn_dtype_size((SnDtype)x->dtype)};
  s.nchunks = sn_parallel_chunks(n, SELECT_GRAIN);
  if (s.nchunks > SELECT_CHUNKS) s.nchunks = SELECT_CHUNKS;
  s.hist = malloc((size_t)s.nchunks * SELECT_DIGITS * sizeof *s.hist);
  if (!r || !s.hist) {
    if (t) sn_error_set("out of memory");
    free(s.hist);
    sn_tensor_release(t);
    return sn_result_failed(where, r);
  }
  s.data = t->data;
  s.bits = s.dt == SN_F16 || s.dt == SN_BF16 || s.dt == SN_F32 ? 32 : 64;
  int64_t i = n >= SAMPLE_MIN ? sample_select(&s, n, k) : -1;
  if (i < 0) i = radix_select(&s, n, k);
  sn_result_set_f64(r, 0, "value", sn_tensor_get_f64(t, i));
  sn_result_set_i64(r, 1, "index", i);
  free(s.hist);
  sn_tensor_release(t);
  return r;
}

/* The flat index of the k-th largest by the radix passes. */
static int64_t radix_select(Select *s, int64_t n, int64_t k) {
  s->all = true;
  int64_t left = k; /* the rank of the one wanted among the candidates, from the top */
  for (s->shift = s->bits - 16; s->shift >= 0; s->shift -= 16) {
    sn_parallel_for(n, s->nchunks, select_count, s);
    int64_t d = SELECT_DIGITS - 1;
    for (;; d--) {
      int64_t count = 0;
      for (int64_t c = 0; c < s->nchunks; c++) count += s->hist[(size_t)c * SELECT_DIGITS + (size_t)d];
      if (count >= left) break;
      left -= count;
    }
    s->prefix = s->all ? (uint64_t)d : s->prefix << 16 | (uint64_t)d;
    s->all = false;
  }
  /* the key is s->prefix; the wanted element is its left-th occurrence in index order, and the
   * last pass's histograms count each chunk's occurrences */
  s->key = s->prefix;
  int64_t c = 0;
  while ((int64_t)s->hist[(size_t)c * SELECT_DIGITS + (s->key & 0xffff)] < left)
    left -= s->hist[(size_t)c++ * SELECT_DIGITS + (s->key & 0xffff)];
  int64_t i = n * c / s->nchunks;
  const uint32_t *f32 = s->dt == SN_F32 ? (const uint32_t *)s->data : NULL;
  for (;; i++)
    if ((f32 ? f32_key(f32[i]) : select_key(s, i)) == s->key && --left == 0) break;
  return i;
}

/* --- positions grouped by value ------------------------------------------------------------- */

/* x's element at row-major position q, an integer; with wrap, v in [-n, 0) counts as v + n. */
static int64_t row_at(const SnTensor *x, bool dense, int64_t q, int64_t n, bool wrap) {
  const void *p = dense ? (const char *)x->data + (size_t)q * sn_dtype_size((SnDtype)x->dtype) : sn_tensor_at(x, q);
  int64_t v;
  switch ((SnDtype)x->dtype) {
  case SN_BOOL:
  case SN_U8: v = *(const uint8_t *)p; break;
  case SN_I8: v = *(const int8_t *)p; break;
  case SN_I32: v = *(const int32_t *)p; break;
  default: v = *(const int64_t *)p; break;
  }
  return wrap && v < 0 && v >= -n ? v + n : v;
}

/* A counting sort of x's row-major positions by key, row * n + value: the group of a key starts
 * at its count of smaller keys; each position goes to its group's cursor, which then marks the
 * next group's start, so shifting the cursors by one gives the starts. */
SnTensor *sn_group_positions(const SnTensor *x, int64_t n, int64_t lead, int32_t flags, const char *what) {
  if (x->dtype == SN_F16 || x->dtype == SN_BF16 || x->dtype == SN_F32 || x->dtype == SN_F64) {
    sn_error_set("group_positions: the values must be integers, not %s", sn_dtype_name((SnDtype)x->dtype));
    return NULL;
  }
  n = n > 0 ? n : 0;
  int64_t numel = sn_tensor_numel(x), rows = 1;
  for (int64_t d = 0; d < lead && d < x->rank; d++) rows *= x->shape[d];
  int64_t inner = rows ? numel / rows : 1, keys = rows * n, len = keys + 1 + numel;
  bool dense = sn_tensor_is_contiguous(x), wrap = flags & SN_GROUP_WRAP;
  SnTensor *out = sn_tensor_new(SN_I64, 1, &len);
  if (!out) return NULL;
  int64_t *start = out->data, *pos = start + keys + 1;
  memset(start, 0, (size_t)(keys + 1) * sizeof *start);
  for (int64_t q = 0; q < numel; q++) {
    int64_t v = row_at(x, dense, q, n, wrap);
    if (v >= 0 && v < n) {
      start[q / inner * n + v + 1]++;
    } else if (flags & SN_GROUP_CHECK) {
      sn_error_set("index out of range: %s is %lld, but the size is %lld", what, (long long)v, (long long)n);
      sn_tensor_release(out);
      return NULL;
    }
  }
  for (int64_t k = 1; k <= keys; k++) start[k] += start[k - 1];
  for (int64_t q = 0; q < numel; q++) {
    int64_t v = row_at(x, dense, q, n, wrap);
    if (v >= 0 && v < n) pos[start[q / inner * n + v]++] = q;
  }
  for (int64_t k = keys; k > 0; k--) start[k] = start[k - 1];
  start[0] = 0;
  return out;
}
