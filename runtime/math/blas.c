/* blas.c: matrix products. f32 and f64 go to OpenBLAS (sgemm/dgemm, sgemv/dgemv, dot);
 * integers use an exact loop that wraps at the dtype's width; f16 and bf16 a loop that
 * accumulates in f64 and rounds once. */
#include "math/rt_math.h"

#include <cblas.h>
#include <limits.h>

/* How BLAS reads a matrix operand in place: rows x cols stored row-major with leading
 * dimension ld, used as it is (trans 0) or transposed (1), so a transposed view needs no copy. */
typedef struct {
  int trans, rows, cols, ld;
} BlasMat;

/* t (rank 2) as a BLAS operand; 0 when its strides are neither row- nor column-major with a
 * leading dimension that fits an int. */
static int blas_mat(const SnTensor *t, BlasMat *out) {
  int64_t r = t->shape[0], c = t->shape[1], s0 = t->strides[0], s1 = t->strides[1];
  if (r > INT_MAX || c > INT_MAX) return 0;
  if ((s1 == 1 || c == 1) && s0 >= (c > 1 ? c : 1) && s0 <= INT_MAX) {
    *out = (BlasMat){0, (int)r, (int)c, (int)s0};
    return 1;
  }
  if ((s0 == 1 || r == 1) && s1 >= (r > 1 ? r : 1) && s1 <= INT_MAX) {
    *out = (BlasMat){1, (int)c, (int)r, (int)s1};
    return 1;
  }
  return 0;
}

/* Whether BLAS can read t in place: a matrix by blas_mat, a vector with a positive stride. */
static int blas_readable(const SnTensor *t) {
  BlasMat bm;
  if (t->rank == 2) return blas_mat(t, &bm);
  return t->shape[0] <= INT_MAX && (t->strides[0] >= 1 || t->shape[0] <= 1) && t->strides[0] <= INT_MAX;
}

static int vec_inc(const SnTensor *t) { return t->strides[0] >= 1 ? (int)t->strides[0] : 1; }

static CBLAS_TRANSPOSE cblas_trans(int trans) { return trans ? CblasTrans : CblasNoTrans; }

/* y = op(A) x for the stored matrix A of bm, in f64 or f32. */
static void gemv(int f64, const BlasMat *bm, const void *A, const void *x, int incx, void *y) {
  if (f64)
    cblas_dgemv(CblasRowMajor, cblas_trans(bm->trans), bm->rows, bm->cols, 1.0, A, bm->ld, x, incx,
                0.0, y, 1);
  else
    cblas_sgemv(CblasRowMajor, cblas_trans(bm->trans), bm->rows, bm->cols, 1.0f, A, bm->ld, x,
                incx, 0.0f, y, 1);
}

/* C[n x m] = op(A) op(B) in f32 or f64, C dense with leading dimension ldc. */
static void gemm(int f64, const BlasMat *ma, const BlasMat *mb, const char *A, const char *B, char *C,
                 int n, int m, int k, int ldc) {
  if (f64)
    cblas_dgemm(CblasRowMajor, cblas_trans(ma->trans), cblas_trans(mb->trans), n, m, k, 1.0,
                (const double *)A, ma->ld, (const double *)B, mb->ld, 0.0, (double *)C, ldc);
  else
    cblas_sgemm(CblasRowMajor, cblas_trans(ma->trans), cblas_trans(mb->trans), n, m, k, 1.0f,
                (const float *)A, ma->ld, (const float *)B, mb->ld, 0.0f, (float *)C, ldc);
}

/* The runtime's threads run the GEMMs, OpenBLAS one thread inside each chunk: OpenBLAS's own
 * threads spin in sched_yield for a while after every call and took the cores from sinter's
 * (a third of a small training step on 2 cores, docs/performance.md). A product is split along
 * the longer side of C into blocks of whole rows or columns, each an independent GEMM: every
 * element of C is the same dot product over k as in one call. The number of blocks depends only
 * on the sizes (GEMM_CHUNK_WORK multiply-adds each, at most GEMM_MAX_CHUNKS, at least
 * GEMM_MIN_SIDE rows or columns), so a small product runs on the calling thread. LAPACK
 * (linalg.c) runs on OpenBLAS's one thread too. */
#define GEMM_CHUNK_WORK (8 << 20)
#define GEMM_MAX_CHUNKS 16
#define GEMM_MIN_SIDE 32

__attribute__((constructor)) static void blas_one_thread(void) { openblas_set_num_threads(1); }

typedef struct {
  int f64, rows; /* rows: split C's rows (else its columns) */
  BlasMat ma, mb;
  const char *a, *b;
  char *c;
  int n, m, k;
} GemmJob;

static int32_t gemm_chunk(void *ctx, int64_t chunk, int64_t lo, int64_t hi) {
  (void)chunk;
  const GemmJob *j = ctx;
  size_t es = j->f64 ? sizeof(double) : sizeof(float);
  int len = (int)(hi - lo);
  if (j->rows) /* rows lo.. of op(A): stored rows, or stored columns when transposed */
    gemm(j->f64, &j->ma, &j->mb, j->a + (size_t)lo * es * (j->ma.trans ? 1 : (size_t)j->ma.ld), j->b,
         j->c + (size_t)lo * es * (size_t)j->m, len, j->m, j->k, j->m);
  else /* columns lo.. of op(B): stored columns, or stored rows when transposed */
    gemm(j->f64, &j->ma, &j->mb, j->a, j->b + (size_t)lo * es * (j->mb.trans ? (size_t)j->mb.ld : 1),
         j->c + (size_t)lo * es, j->n, len, j->k, j->m);
  return 0;
}

/* a @ b in f32 or f64 through BLAS, the operands read in place (blas_readable) and no size 0;
 * c is dense. */
static void blas_matmul(const SnTensor *a, const SnTensor *b, SnTensor *c, int64_t n, int64_t k,
                        int64_t m) {
  int f64 = a->dtype == SN_F64;
  BlasMat ma = {0}, mb = {0}; /* filled by blas_mat: the caller checked blas_readable */
  if (a->rank == 1 && b->rank == 1) {
    if (f64)
      *(double *)c->data = cblas_ddot((int)k, a->data, vec_inc(a), b->data, vec_inc(b));
    else
      *(float *)c->data = cblas_sdot((int)k, a->data, vec_inc(a), b->data, vec_inc(b));
  } else if (b->rank == 1) {
    blas_mat(a, &ma);
    gemv(f64, &ma, a->data, b->data, vec_inc(b), c->data);
  } else if (a->rank == 1) {
    /* a @ b = b^T a: the same stored matrix with the other transpose flag. */
    blas_mat(b, &mb);
    mb.trans = !mb.trans;
    gemv(f64, &mb, b->data, a->data, vec_inc(a), c->data);
  } else {
    blas_mat(a, &ma);
    blas_mat(b, &mb);
    GemmJob j = {f64, n >= m, ma, mb, a->data, b->data, c->data, (int)n, (int)m, (int)k};
    int64_t side = n >= m ? n : m, chunks = n * m * k / GEMM_CHUNK_WORK;
    if (chunks > side / GEMM_MIN_SIDE) chunks = side / GEMM_MIN_SIDE;
    if (chunks > GEMM_MAX_CHUNKS) chunks = GEMM_MAX_CHUNKS;
    if (chunks <= 1)
      gemm(f64, &ma, &mb, a->data, b->data, c->data, (int)n, (int)m, (int)k, (int)m);
    else
      sn_parallel_for(side, chunks, gemm_chunk, &j);
  }
}

/* Element i of a dense integer tensor, and a value stored into one: the low bits of v. */
static uint64_t int_get(const SnTensor *t, int64_t i) {
  switch ((SnDtype)t->dtype) {
  case SN_I8: return (uint64_t)((const int8_t *)t->data)[i];
  case SN_U8: return ((const uint8_t *)t->data)[i];
  case SN_I32: return (uint64_t)((const int32_t *)t->data)[i];
  default: return (uint64_t)((const int64_t *)t->data)[i];
  }
}

static void int_set(SnTensor *t, int64_t i, uint64_t v) {
  switch ((SnDtype)t->dtype) {
  case SN_I8: case SN_U8: ((uint8_t *)t->data)[i] = (uint8_t)v; break;
  case SN_I32: ((uint32_t *)t->data)[i] = (uint32_t)v; break;
  default: ((uint64_t *)t->data)[i] = v; break;
  }
}

/* a @ b of dense integer operands: products and sums modulo 2^64, truncated to the dtype's
 * width, which is the result modulo 2^width, as NumPy's and PyTorch's integer @ wrap. */
static void int_matmul(const SnTensor *a, const SnTensor *b, SnTensor *c, int64_t n, int64_t k, int64_t m) {
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < m; j++) {
      uint64_t acc = 0;
      for (int64_t p = 0; p < k; p++) acc += int_get(a, i * k + p) * int_get(b, p * m + j);
      int_set(c, i * m + j, acc);
    }
}

/* a @ b of dense operands that BLAS does not take: integers (int_matmul), or f16 and bf16
 * summed in f64 and rounded once. */
static void dense_matmul(const SnTensor *a, const SnTensor *b, SnTensor *c, int64_t n, int64_t k, int64_t m) {
  if (a->dtype != SN_F16 && a->dtype != SN_BF16) {
    int_matmul(a, b, c, n, k, m);
    return;
  }
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < m; j++) {
      double acc = 0;
      for (int64_t p = 0; p < k; p++)
        acc += sn_tensor_get_f64(a, i * k + p) * sn_tensor_get_f64(b, p * m + j);
      sn_tensor_set_f64(c, i * m + j, acc);
    }
}

/* mul(a, b) on dense row-major copies of a and b (for layouts BLAS or the loops do not read). */
static SnTensor *on_copies(const SnTensor *a, const SnTensor *b, SnTensor *(*mul)(const SnTensor *, const SnTensor *)) {
  SnTensor *ac = sn_tensor_copy(a), *bc = ac ? sn_tensor_copy(b) : NULL;
  SnTensor *c = bc ? mul(ac, bc) : NULL;
  sn_tensor_release(ac);
  sn_tensor_release(bc);
  return c;
}

/* --- batches of products ---------------------------------------------------------------------- */

/* Matrix number `at` of a batch x [..., r, c] (its leading indices flattened row-major): a
 * rank-2 view of the same storage. */
static SnTensor batch_view(const SnTensor *x, int64_t at) {
  SnTensor v = *x;
  int64_t off = 0;
  for (int64_t d = x->rank - 3; d >= 0; d--) {
    off += (at % x->shape[d]) * x->strides[d];
    at /= x->shape[d];
  }
  v.data = (char *)x->data + off * (int64_t)snrt_dtypes[x->dtype].size;
  v.rank = 2;
  v.shape[0] = x->shape[x->rank - 2], v.shape[1] = x->shape[x->rank - 1];
  v.strides[0] = x->strides[x->rank - 2], v.strides[1] = x->strides[x->rank - 1];
  v.flags = x->flags & SN_CONTIGUOUS;
  return v;
}

typedef struct {
  const SnTensor *a, *b;
  SnTensor *c;
  int64_t n, k, m;
} BatchJob;

/* Products lo..hi of a batch, each on one thread (BLAS single-threaded inside). */
static int32_t batch_chunk(void *ctx, int64_t chunk, int64_t lo, int64_t hi) {
  (void)chunk;
  const BatchJob *j = ctx;
  for (int64_t i = lo; i < hi; i++) {
    SnTensor av = batch_view(j->a, i), bv = batch_view(j->b, i), cv = batch_view(j->c, i);
    if (j->a->dtype == SN_F32 || j->a->dtype == SN_F64) {
      BlasMat ma, mb;
      blas_mat(&av, &ma);
      blas_mat(&bv, &mb);
      gemm(j->a->dtype == SN_F64, &ma, &mb, av.data, bv.data, cv.data, (int)j->n, (int)j->m, (int)j->k, (int)j->m);
    } else {
      dense_matmul(&av, &bv, &cv, j->n, j->k, j->m);
    }
  }
  return 0;
}

/* a @ b of batches [..., n, k] @ [..., k, m] -> [..., n, m], the leading sizes equal (as
 * torch.matmul without broadcasting): one product per matrix, the batch split among threads. */
static SnTensor *batched_matmul(const SnTensor *a, const SnTensor *b) {
  int64_t r = a->rank;
  if (b->rank != r) {
    sn_error_set("@ of batches of matrices needs operands of one rank, not %lld and %lld", (long long)r,
                 (long long)b->rank);
    return NULL;
  }
  int64_t shape[SN_MAX_RANK], batches = 1;
  for (int64_t d = 0; d < r - 2; d++) {
    if (a->shape[d] != b->shape[d]) {
      sn_error_set("@ of batches needs equal batch sizes: dimension %lld is %lld and %lld", (long long)d,
                   (long long)a->shape[d], (long long)b->shape[d]);
      return NULL;
    }
    shape[d] = a->shape[d];
    batches *= a->shape[d];
  }
  int64_t n = a->shape[r - 2], k = a->shape[r - 1], m = b->shape[r - 1];
  if (b->shape[r - 2] != k) {
    sn_error_set("@ needs the inner sizes to agree: %lld vs %lld", (long long)k, (long long)b->shape[r - 2]);
    return NULL;
  }
  shape[r - 2] = n, shape[r - 1] = m;
  int blas = a->dtype == SN_F32 || a->dtype == SN_F64;
  if (blas && (n > INT_MAX || m > INT_MAX || k > INT_MAX)) {
    sn_error_set("@: a dimension beyond BLAS's int range");
    return NULL;
  }
  if (batches == 0 || n == 0 || m == 0 || k == 0) return sn_tensor_zeros((SnDtype)a->dtype, r, shape);
  SnTensor a0 = batch_view(a, 0), b0 = batch_view(b, 0);
  if (blas ? !blas_readable(&a0) || !blas_readable(&b0)
           : !sn_tensor_is_contiguous(a) || !sn_tensor_is_contiguous(b)) {
    return on_copies(a, b, batched_matmul);
  }
  SnTensor *c = sn_tensor_new((SnDtype)a->dtype, r, shape);
  if (!c) return NULL;
  BatchJob j = {a, b, c, n, k, m};
  int64_t chunks = batches * n * m * k / GEMM_CHUNK_WORK + 1;
  if (chunks > batches) chunks = batches;
  if (chunks > GEMM_MAX_CHUNKS) chunks = GEMM_MAX_CHUNKS;
  if (sn_parallel_for(batches, chunks, batch_chunk, &j)) {
    sn_tensor_release(c);
    return NULL;
  }
  return c;
}

/* a @ b with the NumPy rules for rank 1 and 2: (n,k)@(k,m) -> (n,m), (n,k)@(k) -> (n),
 * (k)@(k,m) -> (m), (k)@(k) -> scalar (a rank-0 tensor); batches of matrices of rank 3 and
 * more (batched_matmul). */
SnTensor *sn_matmul(const SnTensor *a, const SnTensor *b) {
  if (a->rank >= 3 || b->rank >= 3) {
    if (a->dtype != b->dtype) {
      sn_error_set("@ needs operands of one dtype, not %s and %s", sn_dtype_name(a->dtype), sn_dtype_name(b->dtype));
      return NULL;
    }
    return batched_matmul(a, b);
  }
  if (a->rank < 1 || a->rank > 2 || b->rank < 1 || b->rank > 2) {
    sn_error_set("@ takes vectors and matrices, not rank %lld and rank %lld",
                 (long long)a->rank, (long long)b->rank);
    return NULL;
  }
  if (a->dtype != b->dtype) {
    sn_error_set("@ needs operands of one dtype, not %s and %s", sn_dtype_name(a->dtype),
                 sn_dtype_name(b->dtype));
    return NULL;
  }
  int64_t n = a->rank == 2 ? a->shape[0] : 1, k = a->shape[a->rank - 1];
  int64_t kb = b->shape[0], m = b->rank == 2 ? b->shape[1] : 1;
  if (k != kb) {
    sn_error_set("@ needs the inner sizes to agree: %lld vs %lld", (long long)k, (long long)kb);
    return NULL;
  }
  int blas = a->dtype == SN_F32 || a->dtype == SN_F64;
  if (blas && (n > INT_MAX || m > INT_MAX || k > INT_MAX)) {
    sn_error_set("@: a dimension of %lld is beyond BLAS's int range",
                 (long long)(n > m ? (n > k ? n : k) : (m > k ? m : k)));
    return NULL;
  }
  int64_t shape[2], rank = 0;
  if (a->rank == 2) shape[rank++] = n;
  if (b->rank == 2) shape[rank++] = m;
  /* an empty operand: a zero-sized result, or sums over nothing (no layout test, no BLAS call) */
  if (n == 0 || m == 0 || k == 0) return sn_tensor_zeros((SnDtype)a->dtype, rank, shape);
  /* BLAS reads row- and column-major operands in place; the loop below and other layouts need
   * dense row-major copies. */
  if (blas ? !blas_readable(a) || !blas_readable(b)
           : !sn_tensor_is_contiguous(a) || !sn_tensor_is_contiguous(b)) {
    return on_copies(a, b, sn_matmul);
  }
  SnTensor *c = sn_tensor_new((SnDtype)a->dtype, rank, shape);
  if (!c) return NULL;
  if (blas) {
    blas_matmul(a, b, c, n, k, m);
    return c;
  }
  dense_matmul(a, b, c, n, k, m);
  return c;
}

/* x read as its transpose, when it is a matrix (or a batch of them) and t is set: the same
 * storage, the last two axes swapped. */
static SnTensor transposed_view(const SnTensor *x, int32_t t) {
  SnTensor v = *x;
  int64_t r = x->rank;
  if (t && r >= 2) {
    v.shape[r - 2] = x->shape[r - 1], v.shape[r - 1] = x->shape[r - 2];
    v.strides[r - 2] = x->strides[r - 1], v.strides[r - 1] = x->strides[r - 2];
    v.flags &= ~SN_CONTIGUOUS;
  }
  return v;
}

SnTensor *sn_matmul_t(const SnTensor *a, const SnTensor *b, int32_t ta, int32_t tb) {
  SnTensor av = transposed_view(a, ta), bv = transposed_view(b, tb);
  return sn_matmul(&av, &bv);
}
