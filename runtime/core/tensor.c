/* tensor.c: tensor headers over buffers, views (slice, transpose, reshape), copies and dtype
 * changes, element access, and the list of live tensors that lets a driver free what a program
 * held when it stopped on an error. */
#include "core/rt_core.h"
#include "sinter/abi.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Generated code reads these fields at fixed offsets. */
_Static_assert(offsetof(SnTensor, data) == SN_TENSOR_DATA_OFFSET, "SnTensor.data moved");
_Static_assert(offsetof(SnTensor, rank) == SN_TENSOR_RANK_OFFSET, "SnTensor.rank moved");
_Static_assert(offsetof(SnTensor, shape) == SN_TENSOR_SHAPE_OFFSET, "SnTensor.shape moved");

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static SnTensor *live_head;
static uint64_t live_generation;
static int64_t live_count;

SnBuffer *sn_tensor_buffer(const SnTensor *t) { return t->buffer; }

/* --- headers and the live list ------------------------------------------------------------ */

static void live_link(SnTensor *t) {
  pthread_mutex_lock(&live_lock);
  t->generation = ++live_generation;
  t->live_prev = NULL;
  t->live_next = live_head;
  if (live_head) live_head->live_prev = t;
  live_head = t;
  live_count++;
  pthread_mutex_unlock(&live_lock);
}

static void live_unlink(SnTensor *t) {
  pthread_mutex_lock(&live_lock);
  if (t->live_prev) t->live_prev->live_next = t->live_next;
  else live_head = t->live_next;
  if (t->live_next) t->live_next->live_prev = t->live_prev;
  live_count--;
  pthread_mutex_unlock(&live_lock);
}

static int check_rank(int64_t rank) {
  if (rank < 0 || rank > SN_MAX_RANK) {
    sn_error_set("a tensor has at most %d dimensions, not %lld", SN_MAX_RANK, (long long)rank);
    return 0;
  }
  return 1;
}

/* The element count of a shape, or -1 (with a message) when a size is negative or the byte
 * count would overflow. A shape with a zero size has no elements, whatever the other sizes. */
static int64_t shape_numel(int64_t rank, const int64_t *shape, size_t esize) {
  int empty = 0;
  for (int64_t i = 0; i < rank; i++) {
    if (shape[i] < 0) {
      sn_error_set("dimension %lld has negative size %lld", (long long)i, (long long)shape[i]);
      return -1;
    }
    empty |= shape[i] == 0;
  }
  if (empty) return 0;
  uint64_t n = 1;
  for (int64_t i = 0; i < rank; i++) {
    if (shape[i] != 0 && n > ((uint64_t)PTRDIFF_MAX / esize) / (uint64_t)shape[i]) {
      sn_error_set("tensor too large: its size overflows 64 bits");
      return -1;
    }
    n *= (uint64_t)shape[i];
  }
  return (int64_t)n;
}

static int strides_contiguous(int64_t rank, const int64_t *shape, const int64_t *strides) {
  for (int64_t i = 0; i < rank; i++)
    if (shape[i] == 0) return 1; /* no elements: any layout is dense */
  int64_t want = 1;
  for (int64_t i = rank - 1; i >= 0; i--) {
    if (shape[i] != 1 && strides[i] != want) return 0;
    want *= shape[i];
  }
  return 1;
}

/* A header over `data` in `buf` (taking over one reference to buf); strides NULL means
 * row-major. Releases buf when the header cannot be allocated. */
static SnTensor *header(SnDtype dtype, int64_t rank, const int64_t *shape, const int64_t *strides,
                        void *data, SnBuffer *buf) {
  SnTensor *t = calloc(1, sizeof *t);
  if (!t) {
    sn_buffer_release(buf);
    sn_error_set("out of memory allocating a tensor header");
    return NULL;
  }
  t->data = data;
  t->rank = rank;
  int64_t stride = 1;
  for (int64_t i = rank - 1; i >= 0; i--) {
    t->shape[i] = shape[i];
    t->strides[i] = strides ? strides[i] : stride;
    /* Only an empty tensor's sizes can overflow here, and its strides are never used. */
    if (__builtin_mul_overflow(stride, shape[i], &stride)) stride = 0;
  }
  t->dtype = dtype;
  t->flags = strides_contiguous(rank, t->shape, t->strides) ? SN_CONTIGUOUS : 0;
  t->refcount = 1;
  t->buffer = buf;
  live_link(t);
  return t;
}

SnTensor *sn_tensor_new(SnDtype dtype, int64_t rank, const int64_t *shape) {
  if ((unsigned)dtype >= SN_NDTYPES) {
    sn_error_set("invalid dtype %d", (int)dtype);
    return NULL;
  }
  if (!check_rank(rank)) return NULL;
  int64_t n = shape_numel(rank, shape, snrt_dtypes[dtype].size);
  if (n < 0) return NULL;
  SnBuffer *b = sn_buffer_new((size_t)n * snrt_dtypes[dtype].size);
  if (!b) return NULL;
  return header(dtype, rank, shape, NULL, b->data, b);
}

SnTensor *sn_tensor_reuse(SnTensor *a, SnDtype dtype, int64_t rank, const int64_t *shape) {
  bool mine = a && a->refcount == 1 && a->dtype == (int32_t)dtype && a->rank == rank && (a->flags & SN_CONTIGUOUS) &&
              a->buffer && __atomic_load_n(&a->buffer->refcount, __ATOMIC_ACQUIRE) == 1; /* a file's writing thread may hold it */
  for (int64_t d = 0; mine && d < rank; d++) mine = a->shape[d] == shape[d];
  if (!mine) return sn_tensor_new(dtype, rank, shape);
  sn_tensor_retain(a);
  return a;
}

SnTensor *sn_tensor_zeros(SnDtype dtype, int64_t rank, const int64_t *shape) {
  SnTensor *t = sn_tensor_new(dtype, rank, shape);
  if (t) memset(t->data, 0, (size_t)sn_tensor_numel(t) * snrt_dtypes[dtype].size);
  return t;
}

SnTensor *sn_tensor_from_data(SnDtype dtype, const void *data, int64_t rank, const int64_t *shape) {
  SnTensor *t = sn_tensor_new(dtype, rank, shape);
  if (t && sn_tensor_numel(t)) memcpy(t->data, data, (size_t)sn_tensor_numel(t) * snrt_dtypes[dtype].size);
  return t;
}

static void tensor_free(SnTensor *t) {
  live_unlink(t);
  sn_buffer_release(t->buffer);
  free(t);
}

void sn_tensor_retain(SnTensor *t) {
  if (t) __atomic_add_fetch(&t->refcount, 1, __ATOMIC_RELAXED);
}

void sn_tensor_release(SnTensor *t) {
  if (t && __atomic_sub_fetch(&t->refcount, 1, __ATOMIC_ACQ_REL) == 0) tensor_free(t);
}

int64_t sn_tensor_numel(const SnTensor *t) {
  /* Sizes were checked not to overflow when the tensor was made, except beside a zero. */
  for (int64_t i = 0; i < t->rank; i++)
    if (t->shape[i] == 0) return 0;
  int64_t n = 1;
  for (int64_t i = 0; i < t->rank; i++) n *= t->shape[i];
  return n;
}

uint64_t sn_tensor_mark(void) {
  pthread_mutex_lock(&live_lock);
  uint64_t g = live_generation;
  pthread_mutex_unlock(&live_lock);
  return g;
}

void sn_tensor_release_since(uint64_t mark) {
  for (;;) {
    pthread_mutex_lock(&live_lock);
    SnTensor *t = live_head;
    while (t && t->generation <= mark) t = t->live_next;
    pthread_mutex_unlock(&live_lock);
    if (!t) return;
    tensor_free(t);
  }
}

int64_t sn_tensor_live_count(void) {
  pthread_mutex_lock(&live_lock);
  int64_t n = live_count;
  pthread_mutex_unlock(&live_lock);
  return n;
}

/* --- views -------------------------------------------------------------------------------- */

SnTensor *sn_tensor_from_buffer(SnBuffer *b, size_t offset, SnDtype dtype, int64_t rank,
                                const int64_t *shape) {
  if ((unsigned)dtype >= SN_NDTYPES) {
    sn_error_set("invalid dtype %d", (int)dtype);
    return NULL;
  }
  if (!check_rank(rank)) return NULL;
  size_t esize = snrt_dtypes[dtype].size;
  int64_t n = shape_numel(rank, shape, esize);
  if (n < 0) return NULL;
  size_t bytes = (size_t)n * esize;
  if (offset > b->size || bytes > b->size - offset) {
    sn_error_set("tensor bytes [%zu, %zu) lie outside a buffer of %zu bytes", offset,
                 offset + bytes, b->size);
    return NULL;
  }
  char *p = (char *)b->data + offset;
  if ((uintptr_t)p % esize != 0) {
    SnTensor *t = sn_tensor_new(dtype, rank, shape);
    if (t && bytes) memcpy(t->data, p, bytes);
    return t;
  }
  sn_buffer_retain(b);
  return header(dtype, rank, shape, NULL, p, b);
}

SnTensor *sn_tensor_as_strided(const SnTensor *t, int64_t rank, const int64_t *shape,
                               const int64_t *strides, int64_t offset) {
  if (!check_rank(rank)) return NULL;
  size_t esize = snrt_dtypes[t->dtype].size;
  int64_t n = shape_numel(rank, shape, esize);
  if (n < 0) return NULL;
  int64_t dense[SN_MAX_RANK];
  if (!strides) {
    int64_t s = 1;
    for (int64_t i = rank - 1; i >= 0; i--) {
      dense[i] = s;
      if (__builtin_mul_overflow(s, shape[i], &s)) s = 0; /* empty: strides unused */
    }
    strides = dense;
  }
  char *data = t->data;
  if (n > 0) {
    /* The lowest and highest element the view reaches, in elements from the buffer's start. */
    const SnBuffer *b = t->buffer;
    int64_t base = ((char *)t->data - (char *)b->data) / (int64_t)esize, lo, hi;
    int over = __builtin_add_overflow(base, offset, &lo);
    hi = lo;
    for (int64_t i = 0; i < rank && !over; i++) {
      int64_t reach;
      over |= __builtin_mul_overflow(strides[i], shape[i] - 1, &reach);
      over |= reach < 0 ? __builtin_add_overflow(lo, reach, &lo) : __builtin_add_overflow(hi, reach, &hi);
    }
    if (over || lo < 0 || hi >= (int64_t)(b->size / esize)) {
      sn_error_set("view out of bounds: its elements would reach outside the tensor's storage");
      return NULL;
    }
    data = (char *)b->data + (base + offset) * (int64_t)esize;
  }
  sn_buffer_retain(t->buffer);
  return header((SnDtype)t->dtype, rank, shape, strides, data, t->buffer);
}

static int check_dim(const SnTensor *t, int64_t dim) {
  if (dim < 0 || dim >= t->rank) {
    sn_error_set("dimension %lld does not exist in a tensor of rank %lld", (long long)dim,
                 (long long)t->rank);
    return 0;
  }
  return 1;
}

SnTensor *sn_tensor_slice(const SnTensor *t, int64_t dim, int64_t start, int64_t stop,
                          int64_t step) {
  if (!check_dim(t, dim)) return NULL;
  if (step < 1 || start < 0 || start > stop || stop > t->shape[dim]) {
    sn_error_set("slice %lld:%lld:%lld does not fit dimension %lld of size %lld",
                 (long long)start, (long long)stop, (long long)step, (long long)dim,
                 (long long)t->shape[dim]);
    return NULL;
  }
  int64_t shape[SN_MAX_RANK], strides[SN_MAX_RANK];
  memcpy(shape, t->shape, sizeof shape);
  memcpy(strides, t->strides, sizeof strides);
  shape[dim] = stop == start ? 0 : (stop - start - 1) / step + 1;
  /* A step only matters when it is taken; the bounds check in as_strided catches the rest. */
  if (shape[dim] > 1 && __builtin_mul_overflow(t->strides[dim], step, &strides[dim])) {
    sn_error_set("slice step %lld is too large", (long long)step);
    return NULL;
  }
  return sn_tensor_as_strided(t, t->rank, shape, strides, shape[dim] ? start * t->strides[dim] : 0);
}

SnTensor *sn_tensor_select(const SnTensor *t, int64_t dim, int64_t index) {
  if (!check_dim(t, dim)) return NULL;
  if (index < 0 || index >= t->shape[dim]) {
    sn_error_set("index %lld is out of range for dimension %lld of size %lld", (long long)index,
                 (long long)dim, (long long)t->shape[dim]);
    return NULL;
  }
  int64_t shape[SN_MAX_RANK], strides[SN_MAX_RANK], r = 0;
  for (int64_t i = 0; i < t->rank; i++)
    if (i != dim) shape[r] = t->shape[i], strides[r++] = t->strides[i];
  return sn_tensor_as_strided(t, r, shape, strides, index * t->strides[dim]);
}

SnTensor *sn_tensor_permute(const SnTensor *t, const int64_t *perm) {
  int64_t shape[SN_MAX_RANK], strides[SN_MAX_RANK];
  int seen[SN_MAX_RANK] = {0};
  for (int64_t i = 0; i < t->rank; i++) {
    if (perm[i] < 0 || perm[i] >= t->rank || seen[perm[i]]) {
      sn_error_set("not a permutation of the %lld dimensions: entry %lld is %lld",
                   (long long)t->rank, (long long)i, (long long)perm[i]);
      return NULL;
    }
    seen[perm[i]] = 1;
    shape[i] = t->shape[perm[i]];
    strides[i] = t->strides[perm[i]];
  }
  return sn_tensor_as_strided(t, t->rank, shape, strides, 0);
}

SnTensor *sn_tensor_transpose(const SnTensor *t, int64_t dim0, int64_t dim1) {
  if (!check_dim(t, dim0) || !check_dim(t, dim1)) return NULL;
  int64_t perm[SN_MAX_RANK];
  for (int64_t i = 0; i < t->rank; i++) perm[i] = i;
  perm[dim0] = dim1;
  perm[dim1] = dim0;
  return sn_tensor_permute(t, perm);
}

/* Strides that let the new shape view t's elements in row-major order without a copy, following
 * NumPy's _attempt_nocopy_reshape: each group of old dimensions whose product matches a group
 * of new ones must itself be laid out contiguously. 0 when no such strides exist. */
static int nocopy_strides(const SnTensor *t, int64_t nrank, const int64_t *nshape,
                          int64_t *nstrides) {
  int64_t od[SN_MAX_RANK], os[SN_MAX_RANK], on = 0;
  for (int64_t k = 0; k < t->rank; k++)
    if (t->shape[k] != 1) od[on] = t->shape[k], os[on++] = t->strides[k];
  int64_t oi = 0, oj = 1, ni = 0, nj = 1;
  while (ni < nrank && oi < on) {
    int64_t np = nshape[ni], op = od[oi];
    while (np != op) {
      if (np < op) np *= nshape[nj++];
      else op *= od[oj++];
    }
    for (int64_t k = oi; k < oj - 1; k++)
      if (os[k] != od[k + 1] * os[k + 1]) return 0;
    nstrides[nj - 1] = os[oj - 1];
    for (int64_t k = nj - 1; k > ni; k--) nstrides[k - 1] = nstrides[k] * nshape[k];
    ni = nj++;
    oi = oj++;
  }
  int64_t last = ni >= 1 ? nstrides[ni - 1] : 1;
  for (int64_t k = ni; k < nrank; k++) nstrides[k] = last;
  return 1;
}

SnTensor *sn_tensor_reshape(const SnTensor *t, int64_t rank, const int64_t *shape) {
  if (!check_rank(rank)) return NULL;
  int64_t n = sn_tensor_numel(t), known = 1, infer = -1, want[SN_MAX_RANK];
  int over = 0;
  for (int64_t i = 0; i < rank; i++) {
    want[i] = shape[i];
    if (shape[i] == -1 && infer < 0) {
      infer = i;
      continue;
    }
    if (shape[i] < 0) {
      sn_error_set("cannot reshape to size %lld in dimension %lld", (long long)shape[i], (long long)i);
      return NULL;
    }
    over |= __builtin_mul_overflow(known, shape[i], &known);
  }
  if (over) {
    sn_error_set("cannot reshape %lld elements: the new shape's size overflows", (long long)n);
    return NULL;
  }
  if (infer >= 0) {
    if (known == 0 || n % known != 0) {
      sn_error_set("cannot reshape %lld elements: the -1 size cannot be inferred", (long long)n);
      return NULL;
    }
    want[infer] = n / known;
    known = n;
  }
  if (known != n) {
    sn_error_set("cannot reshape %lld elements into a shape of %lld", (long long)n, (long long)known);
    return NULL;
  }
  int64_t strides[SN_MAX_RANK];
  if (n == 0 || nocopy_strides(t, rank, want, strides))
    return sn_tensor_as_strided(t, rank, want, n == 0 ? NULL : strides, 0);
  SnTensor *c = sn_tensor_copy(t);
  if (!c) return NULL;
  SnTensor *v = sn_tensor_as_strided(c, rank, want, NULL, 0);
  sn_tensor_release(c);
  return v;
}

int sn_tensor_is_contiguous(const SnTensor *t) {
  return strides_contiguous(t->rank, t->shape, t->strides);
}

/* Copies t's elements in row-major order to dst, a run along the last dimension at a time. */
static void copy_to_contiguous(char *dst, const SnTensor *t) {
  size_t esize = snrt_dtypes[t->dtype].size;
  int64_t n = sn_tensor_numel(t);
  if (n == 0) return;
  if (t->rank == 0) {
    memcpy(dst, t->data, esize);
    return;
  }
  int64_t last = t->rank - 1, run = t->shape[last], step = t->strides[last];
  int64_t idx[SN_MAX_RANK] = {0};
  const char *src = t->data;
  for (int64_t done = 0; done < n; done += run) {
    if (step == 1) {
      memcpy(dst, src, (size_t)run * esize);
    } else {
      for (int64_t j = 0; j < run; j++)
        memcpy(dst + (size_t)j * esize, src + j * step * (int64_t)esize, esize);
    }
    dst += (size_t)run * esize;
    for (int64_t k = last - 1; k >= 0; k--) {
      src += t->strides[k] * (int64_t)esize;
      if (++idx[k] < t->shape[k]) break;
      src -= t->strides[k] * t->shape[k] * (int64_t)esize;
      idx[k] = 0;
    }
  }
}

SnTensor *sn_tensor_copy(const SnTensor *t) {
  SnTensor *c = sn_tensor_new((SnDtype)t->dtype, t->rank, t->shape);
  if (c) copy_to_contiguous(c->data, t);
  return c;
}

SnTensor *sn_tensor_contiguous(SnTensor *t) {
  if (sn_tensor_is_contiguous(t)) {
    sn_tensor_retain(t);
    return t;
  }
  return sn_tensor_copy(t);
}

void *sn_tensor_at(const SnTensor *t, int64_t i) {
  size_t esize = snrt_dtypes[t->dtype].size;
  if (t->flags & SN_CONTIGUOUS) return (char *)t->data + (size_t)i * esize;
  int64_t off = 0;
  for (int64_t k = t->rank - 1; k >= 0; k--) {
    off += (i % t->shape[k]) * t->strides[k];
    i /= t->shape[k];
  }
  return (char *)t->data + off * (int64_t)esize;
}

/* --- element access ------------------------------------------------------------------------ */

double sn_tensor_get_f64(const SnTensor *t, int64_t i) {
  const void *p = sn_tensor_at(t, i);
  switch ((SnDtype)t->dtype) {
  case SN_BOOL: return *(const uint8_t *)p != 0;
  case SN_I8: return *(const int8_t *)p;
  case SN_U8: return *(const uint8_t *)p;
  case SN_I32: return *(const int32_t *)p;
  case SN_I64: return (double)*(const int64_t *)p;
  case SN_F16: return sn_f16_to_f32(*(const uint16_t *)p);
  case SN_BF16: return sn_bf16_to_f32(*(const uint16_t *)p);
  case SN_F32: return *(const float *)p;
  case SN_F64: return *(const double *)p;
  default: return 0;
  }
}

void sn_tensor_set_f64(SnTensor *t, int64_t i, double v) {
  void *p = sn_tensor_at(t, i);
  switch ((SnDtype)t->dtype) {
  case SN_BOOL: *(uint8_t *)p = v != 0; break;
  case SN_I8: *(int8_t *)p = (int8_t)snrt_f64_to_int(v, INT8_MIN, INT8_MAX); break;
  case SN_U8: *(uint8_t *)p = (uint8_t)snrt_f64_to_int(v, 0, UINT8_MAX); break;
  case SN_I32: *(int32_t *)p = (int32_t)snrt_f64_to_int(v, INT32_MIN, INT32_MAX); break;
  case SN_I64: *(int64_t *)p = snrt_f64_to_int(v, INT64_MIN, INT64_MAX); break;
  case SN_F16: *(uint16_t *)p = sn_f32_to_f16((float)v); break;
  case SN_BF16: *(uint16_t *)p = sn_f32_to_bf16((float)v); break;
  case SN_F32: *(float *)p = (float)v; break;
  case SN_F64: *(double *)p = v; break;
  default: break;
  }
}

/* --- a new dtype ------------------------------------------------------------------------- */

SnTensor *sn_tensor_astype(SnTensor *t, SnDtype dtype) {
  if ((unsigned)dtype >= SN_NDTYPES) {
    sn_error_set("invalid dtype %d", (int)dtype);
    return NULL;
  }
  SnTensor *c = sn_tensor_contiguous(t);
  if (!c || c->dtype == (int32_t)dtype) return c;
  SnTensor *r = sn_tensor_new(dtype, c->rank, c->shape);
  if (r) sn_convert(r->data, dtype, c->data, (SnDtype)c->dtype, sn_tensor_numel(c));
  sn_tensor_release(c);
  return r;
}
