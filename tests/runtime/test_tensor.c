/* test_tensor.c: buffers and views: slices, transposes and reshapes share storage and stay
 * valid after their base goes; copies happen only where NumPy's rules need them; the live list
 * frees views and mapped tensors alike. */
#include "rt_test.h"

static SnTensor *iota(int64_t rank, const int64_t *shape) {
  SnTensor *t = sn_tensor_new(SN_F32, rank, shape);
  for (int64_t i = 0; i < sn_tensor_numel(t); i++) ((float *)t->data)[i] = (float)i;
  return t;
}

static float at(const SnTensor *t, int64_t i) { return *(const float *)sn_tensor_at(t, i); }

TEST(abi_offsets) {
  SnTensor t;
  CHECK_EQ_INT((char *)&t.data - (char *)&t, 0);
  CHECK_EQ_INT((char *)&t.rank - (char *)&t, 8);
  CHECK_EQ_INT((char *)&t.shape - (char *)&t, 16);
}

TEST(slice_select_transpose_share_storage) {
  const int64_t shape[2] = {4, 6};
  SnTensor *t = iota(2, shape);
  SnTensor *s = sn_tensor_slice(t, 1, 1, 6, 2); /* columns 1, 3, 5 */
  CHECK(s && s->shape[0] == 4 && s->shape[1] == 3 && !(s->flags & SN_CONTIGUOUS));
  CHECK(sn_tensor_buffer(s) == sn_tensor_buffer(t));
  for (int64_t i = 0; i < 4; i++)
    for (int64_t j = 0; j < 3; j++) CHECK_EQ_INT(at(s, i * 3 + j), i * 6 + 1 + 2 * j);
  SnTensor *row = sn_tensor_select(t, 0, 2);
  CHECK(row && row->rank == 1 && row->shape[0] == 6 && (row->flags & SN_CONTIGUOUS));
  CHECK_EQ_INT(((float *)row->data)[0], 12);
  SnTensor *tr = sn_tensor_transpose(t, 0, 1);
  CHECK(tr->shape[0] == 6 && tr->shape[1] == 4 && !sn_tensor_is_contiguous(tr));
  CHECK_EQ_INT(at(tr, 1 * 4 + 3), 3 * 6 + 1);
  /* Views outlive their base; writes through one are seen by the other. */
  sn_tensor_release(t);
  ((float *)row->data)[1] = -1;
  CHECK_EQ_INT(at(tr, 1 * 4 + 2), -1);
  SnTensor *c = sn_tensor_contiguous(tr);
  CHECK(c != tr && sn_tensor_is_contiguous(c) && sn_tensor_buffer(c) != sn_tensor_buffer(tr));
  for (int64_t i = 0; i < 24; i++) CHECK(((float *)c->data)[i] == at(tr, i));
  SnTensor *same = sn_tensor_contiguous(row);
  CHECK(same == row);
  sn_tensor_release(same);
  sn_tensor_release(c);
  sn_tensor_release(s);
  sn_tensor_release(row);
  sn_tensor_release(tr);
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}

TEST(view_errors) {
  const int64_t shape[2] = {4, 6};
  SnTensor *t = iota(2, shape);
  CHECK(sn_tensor_slice(t, 2, 0, 1, 1) == NULL);
  CHECK_STR(sn_error_message(), "dimension 2 does not exist in a tensor of rank 2");
  CHECK(sn_tensor_slice(t, 0, 3, 5, 1) == NULL);
  CHECK_STR(sn_error_message(), "slice 3:5:1 does not fit dimension 0 of size 4");
  CHECK(sn_tensor_slice(t, 0, 0, 4, 0) == NULL);
  CHECK(sn_tensor_select(t, 1, 6) == NULL);
  CHECK_STR(sn_error_message(), "index 6 is out of range for dimension 1 of size 6");
  const int64_t bad_perm[2] = {0, 0};
  CHECK(sn_tensor_permute(t, bad_perm) == NULL);
  const int64_t big[2] = {5, 6}, strides[2] = {6, 1};
  CHECK(sn_tensor_as_strided(t, 2, big, strides, 0) == NULL);
  CHECK_HAS(sn_error_message(), "view out of bounds");
  const int64_t neg[2] = {-6, 1}, one[2] = {2, 6};
  CHECK(sn_tensor_as_strided(t, 2, one, neg, 0) == NULL);
  SnTensor *back = sn_tensor_as_strided(t, 2, one, neg, 18); /* rows 3 and 2 */
  CHECK(back && at(back, 0) == 18 && at(back, 6) == 12);
  const int64_t huge[1] = {INT64_MAX / 2}, hs[1] = {4};
  CHECK(sn_tensor_as_strided(t, 1, huge, hs, 0) == NULL);
  sn_tensor_release(back);
  sn_tensor_release(t);
}

TEST(reshape_views_when_numpy_would) {
  const int64_t shape[3] = {2, 3, 4};
  SnTensor *t = iota(3, shape);
  const int64_t flat[1] = {-1}, mat[2] = {6, 4}, split[4] = {2, 3, 2, 2};
  SnTensor *a = sn_tensor_reshape(t, 1, flat);
  CHECK(a && a->shape[0] == 24 && sn_tensor_buffer(a) == sn_tensor_buffer(t));
  SnTensor *b = sn_tensor_reshape(t, 4, split);
  CHECK(b && sn_tensor_buffer(b) == sn_tensor_buffer(t) && at(b, 23) == 23);
  /* The transpose (2, 4, 3) has strides (12, 1, 4): merging its first two dims needs a copy... */
  SnTensor *tr = sn_tensor_transpose(t, 1, 2);
  const int64_t m2[2] = {8, 3};
  SnTensor *c = sn_tensor_reshape(tr, 2, m2);
  CHECK(c && sn_tensor_buffer(c) != sn_tensor_buffer(t));
  for (int64_t i = 0; c && i < 24; i++) CHECK(at(c, i) == at(tr, i));
  /* ...while a slice of whole rows keeps a layout that reshapes in place. */
  SnTensor *rows = sn_tensor_slice(t, 0, 1, 2, 1);
  const int64_t r2[2] = {3, 4};
  SnTensor *d = sn_tensor_reshape(rows, 2, r2);
  CHECK(d && sn_tensor_buffer(d) == sn_tensor_buffer(t) && at(d, 0) == 12);
  SnTensor *e = sn_tensor_reshape(tr, 2, mat);
  CHECK(e && at(e, 1) == at(tr, 1));
  const int64_t wrong[2] = {5, 5}, two[2] = {-1, -1};
  CHECK(sn_tensor_reshape(t, 2, wrong) == NULL);
  CHECK_STR(sn_error_message(), "cannot reshape 24 elements into a shape of 25");
  CHECK(sn_tensor_reshape(t, 2, two) == NULL);
  SnTensor *tensors[] = {a, b, tr, c, rows, d, e, t};
  for (int i = 0; i < 8; i++) sn_tensor_release(tensors[i]);
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}

TEST(empty_and_scalar) {
  const int64_t z[2] = {0, 5};
  SnTensor *t = sn_tensor_new(SN_F64, 2, z);
  CHECK(t && sn_tensor_numel(t) == 0 && sn_tensor_is_contiguous(t));
  SnTensor *tr = sn_tensor_transpose(t, 0, 1);
  const int64_t r[1] = {0};
  SnTensor *rs = sn_tensor_reshape(tr, 1, r);
  CHECK(tr && rs && rs->shape[0] == 0);
  SnTensor *s = sn_tensor_new(SN_I32, 0, NULL);
  *(int32_t *)s->data = 7;
  const int64_t one[3] = {1, 1, 1};
  SnTensor *s3 = sn_tensor_reshape(s, 3, one);
  CHECK(s3 && *(int32_t *)s3->data == 7);
  SnTensor *c = sn_tensor_copy(s);
  CHECK(c && *(int32_t *)c->data == 7);
  SnTensor *all[] = {t, tr, rs, s, s3, c};
  for (int i = 0; i < 6; i++) sn_tensor_release(all[i]);
}

TEST(release_since_frees_views) {
  const int64_t shape[2] = {3, 3};
  SnTensor *keep = iota(2, shape);
  uint64_t mark = sn_tensor_mark();
  SnTensor *v = sn_tensor_transpose(keep, 0, 1);
  sn_tensor_retain(v);
  SnTensor *w = iota(2, shape);
  SnTensor *wv = sn_tensor_slice(w, 0, 0, 2, 1);
  (void)wv;
  CHECK_EQ_INT(sn_tensor_live_count(), 4);
  sn_tensor_release_since(mark);
  CHECK_EQ_INT(sn_tensor_live_count(), 1);
  CHECK_EQ_INT(((float *)keep->data)[8], 8);
  sn_tensor_release(keep);
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}

TEST(from_buffer_and_alignment) {
  SnBuffer *b = sn_buffer_new(64);
  for (int i = 0; i < 64; i++) ((unsigned char *)sn_buffer_data(b))[i] = (unsigned char)i;
  const int64_t two = 2;
  SnTensor *aligned = sn_tensor_from_buffer(b, 8, SN_I32, 1, &two);
  CHECK(aligned && sn_tensor_buffer(aligned) == b && ((int32_t *)aligned->data)[0] == 0x0b0a0908);
  SnTensor *odd = sn_tensor_from_buffer(b, 9, SN_I32, 1, &two);
  CHECK(odd && sn_tensor_buffer(odd) != b && ((int32_t *)odd->data)[0] == 0x0c0b0a09);
  CHECK(sn_tensor_from_buffer(b, 60, SN_I32, 1, &two) == NULL);
  CHECK_HAS(sn_error_message(), "outside a buffer of 64 bytes");
  sn_buffer_release(b); /* the view keeps it */
  CHECK_EQ_INT(((int32_t *)aligned->data)[1], 0x0f0e0d0c);
  sn_tensor_release(aligned);
  sn_tensor_release(odd);
}

TEST(element_access_and_printing_follow_strides) {
  const int64_t shape[2] = {2, 3};
  SnTensor *t = iota(2, shape);
  SnTensor *tr = sn_tensor_transpose(t, 0, 1);
  CHECK_EQ_INT(sn_tensor_get_f64(tr, 1), 3);
  sn_tensor_set_f64(tr, 1, 30);
  CHECK_EQ_INT(((float *)t->data)[3], 30);
  FILE *f = tmpfile();
  sn_set_output(f);
  sn_print_tensor(tr);
  sn_print_end();
  sn_set_output(NULL);
  rewind(f);
  char buf[128] = {0};
  CHECK(fread(buf, 1, sizeof buf - 1, f) > 0);
  CHECK_STR(buf, "[[0.0, 30.0],\n [1.0, 4.0],\n [2.0, 5.0]]\n");
  fclose(f);
  /* matmul of a transposed view: (3,2) @ (2,3). */
  SnTensor *p = sn_matmul(tr, t);
  CHECK(p && p->shape[0] == 3 && p->shape[1] == 3);
  CHECK_EQ_INT(((float *)p->data)[0], 0 * 0 + 30 * 30);
  sn_tensor_release(p);
  sn_tensor_release(tr);
  sn_tensor_release(t);
}

/* One operand of matmul_reads_views_in_place: rows x cols from a base filled with small
 * integers, stored row-major (0), as the transpose of a column-major buffer (1), or as every
 * other column of a wider one (2, a layout BLAS cannot read: sn_matmul copies it). */
static SnTensor *operand(SnDtype dt, int64_t rows, int64_t cols, int layout, int seed) {
  int64_t shape[2] = {layout == 1 ? cols : rows, layout == 1 ? rows : layout == 2 ? 2 * cols : cols};
  SnTensor *base = sn_tensor_new(dt, 2, shape);
  for (int64_t i = 0; i < shape[0] * shape[1]; i++)
    sn_tensor_set_f64(base, i, (double)((i * 7 + seed) % 11) - 5);
  SnTensor *t = layout == 1   ? sn_tensor_transpose(base, 0, 1)
                : layout == 2 ? sn_tensor_slice(base, 1, 0, 2 * cols, 2)
                              : base;
  if (t != base) sn_tensor_release(base);
  return t;
}

/* Products with the operands row-major, transposed views or strided views, as matrices or as
 * vectors (a row or column of a matrix), in f32 and f64, against the plain triple loop; exact,
 * the entries being small integers. */
TEST(matmul_reads_views_in_place) {
  const int64_t n = 5, k = 7, m = 3;
  for (int dt = 0; dt < 2; dt++)
    for (int la = 0; la < 3; la++)
      for (int lb = 0; lb < 3; lb++)
        for (int shape = 0; shape < 4; shape++) { /* bit 0: a is a vector; bit 1: b is one */
          SnDtype d = dt ? SN_F64 : SN_F32;
          SnTensor *A = operand(d, n, k, la, 1), *B = operand(d, k, m, lb, 2);
          SnTensor *a = shape & 1 ? sn_tensor_select(A, 0, 2) : A;
          SnTensor *b = shape & 2 ? sn_tensor_select(B, 1, 1) : B;
          SnTensor *c = sn_matmul(a, b);
          CHECK(c != NULL);
          int64_t rows = shape & 1 ? 1 : n, cols = shape & 2 ? 1 : m;
          CHECK_EQ_INT(sn_tensor_numel(c), rows * cols);
          for (int64_t i = 0; i < rows; i++)
            for (int64_t j = 0; j < cols; j++) {
              double want = 0;
              for (int64_t p = 0; p < k; p++) {
                double x = shape & 1 ? sn_tensor_get_f64(a, p) : sn_tensor_get_f64(A, i * k + p);
                double y = shape & 2 ? sn_tensor_get_f64(b, p) : sn_tensor_get_f64(B, p * m + j);
                want += x * y;
              }
              CHECK(sn_tensor_get_f64(c, i * cols + j) == want);
            }
          sn_tensor_release(c);
          if (a != A) sn_tensor_release(a);
          if (b != B) sn_tensor_release(b);
          sn_tensor_release(A);
          sn_tensor_release(B);
        }
}

/* Products with a size 0: (3,4)@(4,0) is (3,0), (2,0)@(0,3) is (2,3) of zeros (sums over
 * nothing), (0)@(0) the scalar 0; through BLAS (f32, f64) and the loop (i32). */
TEST(matmul_empty_operands) {
  static const int64_t cases[][4] = {{3, 4, 4, 0}, {0, 0, 0, 3}, {2, 0, 0, 3}};
  static const SnDtype dts[] = {SN_F32, SN_F64, SN_I32};
  for (int d = 0; d < 3; d++) {
    for (int i = 0; i < 3; i++) {
      SnTensor *a = sn_tensor_new(dts[d], 2, cases[i]), *b = sn_tensor_new(dts[d], 2, cases[i] + 2);
      SnTensor *c = sn_matmul(a, b);
      CHECK(c != NULL);
      CHECK_EQ_INT(c->shape[0], cases[i][0]);
      CHECK_EQ_INT(c->shape[1], cases[i][3]);
      for (int64_t e = 0; e < sn_tensor_numel(c); e++) CHECK(sn_tensor_get_f64(c, e) == 0);
      sn_tensor_release(a);
      sn_tensor_release(b);
      sn_tensor_release(c);
    }
    const int64_t zero = 0;
    SnTensor *v = sn_tensor_new(dts[d], 1, &zero);
    SnTensor *dot = sn_matmul(v, v);
    CHECK(dot != NULL && dot->rank == 0);
    CHECK(sn_tensor_get_f64(dot, 0) == 0);
    sn_tensor_release(dot);
    sn_tensor_release(v);
  }
}

TEST(set_f64_saturates) {
  const int64_t n = 4;
  SnTensor *t = sn_tensor_new(SN_I8, 1, &n);
  sn_tensor_set_f64(t, 0, 1e9);
  sn_tensor_set_f64(t, 1, -1e9);
  sn_tensor_set_f64(t, 2, NAN);
  sn_tensor_set_f64(t, 3, -3.7);
  const int8_t want[4] = {127, -128, 0, -3};
  for (int i = 0; i < 4; i++) CHECK_EQ_INT(((int8_t *)t->data)[i], want[i]);
  sn_tensor_release(t);
}

TEST(mapped_file_buffers) {
  const char *path = scratch_path("bytes.bin");
  char data[100];
  for (int i = 0; i < 100; i++) data[i] = (char)i;
  CHECK(write_file(path, data, sizeof data));
  SnBuffer *b = sn_buffer_map_file(path);
  CHECK(b && sn_buffer_kind(b) == SN_BUFFER_MMAP && sn_buffer_size(b) == 100);
  const int64_t four = 4;
  SnTensor *t = sn_tensor_from_buffer(b, 16, SN_U8, 1, &four);
  sn_buffer_release(b);
  CHECK(t && ((uint8_t *)t->data)[3] == 19);
  sn_tensor_release(t);
  CHECK(sn_buffer_map_file(scratch_path("missing")) == NULL);
  CHECK_HAS(sn_error_message(), "missing: cannot open: No such file or directory");
  CHECK(sn_buffer_map_file(scratch()) == NULL);
  CHECK_HAS(sn_error_message(), "not a regular file");
  CHECK(write_file(scratch_path("empty"), "", 0));
  SnBuffer *e = sn_buffer_map_file(scratch_path("empty"));
  CHECK(e && sn_buffer_size(e) == 0);
  sn_buffer_release(e);
}

/* sn_flatnonzero against a plain loop: a mask of several chunks with dense, sparse and empty
 * stretches, and a view of it (strided). */
TEST(flatnonzero_chunks_and_views) {
  const int64_t shape[2] = {1500, 2001};
  SnTensor *m = sn_tensor_new(SN_BOOL, 2, shape);
  uint8_t *b = m->data;
  int64_t n = shape[0] * shape[1];
  uint32_t r = 1;
  for (int64_t i = 0; i < n; i++) {
    r = r * 1664525u + 1013904223u;
    int64_t part = i / 400000;
    b[i] = part % 3 == 0 ? (r >> 28) != 0 : part % 3 == 1 ? (r >> 20) == 0 : 0;
  }
  SnTensor *v = sn_tensor_transpose(m, 0, 1);
  SnTensor *masks[2] = {m, v};
  for (int k = 0; k < 2; k++) {
    SnTensor *pos = sn_flatnonzero(masks[k]);
    int64_t count = 0, bad = 0;
    for (int64_t i = 0; i < n; i++)
      if (*(const uint8_t *)sn_tensor_at(masks[k], i)) bad += count >= pos->shape[0] || ((int64_t *)pos->data)[count++] != i;
    CHECK_EQ_INT(pos->shape[0], count);
    CHECK_EQ_INT(bad, 0);
    sn_tensor_release(pos);
  }
  sn_tensor_release(v);
  sn_tensor_release(m);
}
