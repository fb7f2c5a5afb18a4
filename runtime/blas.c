/* blas.c: matrix products. f32 and f64 go to OpenBLAS (sgemm/dgemm, sgemv/dgemv, dot);
 * the other dtypes use a plain loop that accumulates in f64 (i32, i64) or f32 (f16, bf16). */
#include "sinter.h"

#include <cblas.h>

/* a @ b with the NumPy rules for rank 1 and 2: (n,k)@(k,m) -> (n,m), (n,k)@(k) -> (n),
 * (k)@(k,m) -> (m), (k)@(k) -> scalar (a rank-0 tensor). */
SnTensor *sn_matmul(const SnTensor *a, const SnTensor *b) {
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
  /* BLAS and the loop below read the operands as dense row-major arrays. */
  if (!sn_tensor_is_contiguous(a) || !sn_tensor_is_contiguous(b)) {
    SnTensor *ac = sn_tensor_copy(a), *bc = ac ? sn_tensor_copy(b) : NULL;
    SnTensor *c = bc ? sn_matmul(ac, bc) : NULL;
    sn_tensor_release(ac);
    sn_tensor_release(bc);
    return c;
  }
  int64_t n = a->rank == 2 ? a->shape[0] : 1, k = a->shape[a->rank - 1];
  int64_t kb = b->shape[0], m = b->rank == 2 ? b->shape[1] : 1;
  if (k != kb) {
    sn_error_set("@ needs the inner sizes to agree: %lld vs %lld", (long long)k, (long long)kb);
    return NULL;
  }
  int64_t shape[2], rank = 0;
  if (a->rank == 2) shape[rank++] = n;
  if (b->rank == 2) shape[rank++] = m;
  SnTensor *c = sn_tensor_new((SnDtype)a->dtype, rank, shape);
  if (!c) return NULL;
  switch ((SnDtype)a->dtype) {
  case SN_F32:
    if (k == 0) {
      for (int64_t i = 0; i < n * m; i++) ((float *)c->data)[i] = 0;
    } else if (n == 1 && m == 1) {
      *(float *)c->data = cblas_sdot((int)k, a->data, 1, b->data, 1);
    } else if (m == 1) {
      cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)k, 1.0f, a->data, (int)k, b->data, 1,
                  0.0f, c->data, 1);
    } else {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m, (int)k, 1.0f, a->data,
                  (int)k, b->data, (int)m, 0.0f, c->data, (int)m);
    }
    return c;
  case SN_F64:
    if (k == 0) {
      for (int64_t i = 0; i < n * m; i++) ((double *)c->data)[i] = 0;
    } else if (n == 1 && m == 1) {
      *(double *)c->data = cblas_ddot((int)k, a->data, 1, b->data, 1);
    } else if (m == 1) {
      cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)k, 1.0, a->data, (int)k, b->data, 1,
                  0.0, c->data, 1);
    } else {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m, (int)k, 1.0, a->data,
                  (int)k, b->data, (int)m, 0.0, c->data, (int)m);
    }
    return c;
  default:
    break;
  }
  /* The reference loop for the remaining dtypes. */
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < m; j++) {
      double acc = 0;
      for (int64_t p = 0; p < k; p++)
        acc += sn_tensor_get_f64(a, i * k + p) * sn_tensor_get_f64(b, p * m + j);
      sn_tensor_set_f64(c, i * m + j, acc);
    }
  return c;
}
