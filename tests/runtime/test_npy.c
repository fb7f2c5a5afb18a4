/* test_npy.c: .npy files written by NumPy (tests/conformance/npy, from gen_npy.py) read back
 * with the right dtype, shape and values in every version, order and byte order; files written
 * here are byte for byte what NumPy writes; the input registry and atomic writes. */
#include "rt_test.h"

#include <dirent.h>

#define DIR_NPY "tests/conformance/npy/"

static const struct { const char *code; SnDtype dtype; } codes[] = {
    {"b1", SN_BOOL}, {"i1", SN_I8},  {"u1", SN_U8},  {"i4", SN_I32},
    {"i8", SN_I64},  {"f2", SN_F16}, {"f4", SN_F32}, {"f8", SN_F64},
};

/* gen_npy.py's values(): element i of an array of dtype t, as raw bits. */
static uint64_t expected(SnDtype t, int64_t i) {
  double v = (double)(i - 7) * 0.37;
  if (i == 1) v = INFINITY;
  if (i == 2) v = -0.0;
  if (i == 3) v = NAN;
  int64_t k = 37 * i - 100;
  float f = (float)v;
  uint32_t u32;
  uint64_t u64;
  switch (t) {
  case SN_BOOL: return i % 3 == 0;
  case SN_I8: return (uint8_t)k;
  case SN_U8: return (uint8_t)k;
  case SN_I32: return (uint32_t)k;
  case SN_I64: return (uint64_t)k;
  case SN_F16: return sn_f32_to_f16(f);
  case SN_F32: memcpy(&u32, &f, 4); return u32;
  default: memcpy(&u64, &v, 8); return u64;
  }
}

static uint64_t bits_at(const SnTensor *t, int64_t i) {
  uint64_t v = 0;
  memcpy(&v, (const char *)t->data + i * (int64_t)sn_dtype_size((SnDtype)t->dtype),
         sn_dtype_size((SnDtype)t->dtype));
  return v;
}

static void check_array(const char *file, SnDtype dtype, int64_t rank, const int64_t *shape) {
  char path[256];
  snprintf(path, sizeof path, DIR_NPY "%s", file);
  SnTensor *t = sn_npy_read(path);
  if (!t) {
    FAIL_AT("%s: %s", file, sn_error_message());
    return;
  }
  CHECK_EQ_INT(t->dtype, dtype);
  CHECK_EQ_INT(t->rank, rank);
  for (int64_t i = 0; i < rank && i < t->rank; i++) CHECK_EQ_INT(t->shape[i], shape[i]);
  CHECK(sn_tensor_is_contiguous(t));
  int bad = 0;
  for (int64_t i = 0; i < sn_tensor_numel(t); i++) bad += bits_at(t, i) != expected(dtype, i);
  if (bad) FAIL_AT("%s: %d elements differ from NumPy's", file, bad);
  sn_tensor_release(t);
}

TEST(reads_every_variant) {
  const int64_t shape[3] = {2, 3, 4};
  const char *variants[] = {"c", "f", "be", "v2", "v3"};
  for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++)
    for (int v = 0; v < 5; v++) {
      if (!strcmp(variants[v], "be") && sn_dtype_size(codes[c].dtype) == 1) continue;
      char file[64];
      snprintf(file, sizeof file, "%s_%s.npy", codes[c].code, variants[v]);
      check_array(file, codes[c].dtype, 3, shape);
    }
  check_array("f4_be_f.npy", SN_F32, 3, shape);
  check_array("f8_scalar.npy", SN_F64, 0, NULL);
  const int64_t five = 5, empty[2] = {0, 3}, py2[2] = {2, 3};
  check_array("i4_vec.npy", SN_I32, 1, &five);
  check_array("f4_empty.npy", SN_F32, 2, empty);
  check_array("i8_py2.npy", SN_I64, 2, py2);
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}

/* A native C-order file is used in place: the tensor views the mapped file. */
TEST(native_file_is_not_copied) {
  SnTensor *t = sn_npy_read(DIR_NPY "f8_c.npy");
  CHECK(t && sn_buffer_kind(sn_tensor_buffer(t)) == SN_BUFFER_MMAP);
  SnTensor *b = sn_npy_read(DIR_NPY "f8_be.npy");
  CHECK(b && sn_buffer_kind(sn_tensor_buffer(b)) == SN_BUFFER_OWNED);
  /* The mapping is private: writing to the tensor leaves the file alone. */
  ((double *)t->data)[0] = 42;
  sn_tensor_release(t);
  t = sn_npy_read(DIR_NPY "f8_c.npy");
  CHECK(bits_at(t, 0) == expected(SN_F64, 0));
  sn_tensor_release(t);
  sn_tensor_release(b);
}

static SnTensor *make(SnDtype dtype, int64_t rank, const int64_t *shape) {
  SnTensor *t = sn_tensor_new(dtype, rank, shape);
  for (int64_t i = 0; i < sn_tensor_numel(t); i++) {
    uint64_t v = expected(dtype, i);
    memcpy((char *)t->data + i * (int64_t)sn_dtype_size(dtype), &v, sn_dtype_size(dtype));
  }
  return t;
}

static void check_same_bytes(const char *ours, const char *numpys) {
  size_t na, nb;
  char *a = read_file(ours, &na), *b = read_file(numpys, &nb);
  CHECK(a && b);
  if (a && b && (na != nb || memcmp(a, b, na)))
    FAIL_AT("%s differs from NumPy's %s (%zu vs %zu bytes)", ours, numpys, na, nb);
  free(a);
  free(b);
}

TEST(writes_what_numpy_writes) {
  const int64_t shape[3] = {2, 3, 4};
  for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++) {
    SnTensor *t = make(codes[c].dtype, 3, shape);
    char name[64], ref[128];
    snprintf(name, sizeof name, "%s.npy", codes[c].code);
    snprintf(ref, sizeof ref, DIR_NPY "%s_c.npy", codes[c].code);
    CHECK_EQ_INT(sn_npy_write(scratch_path(name), t), 0);
    check_same_bytes(scratch_path(name), ref);
    sn_tensor_release(t);
  }
  SnTensor *s = make(SN_F64, 0, NULL);
  CHECK_EQ_INT(sn_npy_write(scratch_path("scalar.npy"), s), 0);
  check_same_bytes(scratch_path("scalar.npy"), DIR_NPY "f8_scalar.npy");
  const int64_t five = 5, empty[2] = {0, 3};
  SnTensor *v = make(SN_I32, 1, &five), *e = make(SN_F32, 2, empty);
  CHECK_EQ_INT(sn_npy_write(scratch_path("vec.npy"), v), 0);
  check_same_bytes(scratch_path("vec.npy"), DIR_NPY "i4_vec.npy");
  CHECK_EQ_INT(sn_npy_write(scratch_path("empty.npy"), e), 0);
  check_same_bytes(scratch_path("empty.npy"), DIR_NPY "f4_empty.npy");
  sn_tensor_release(s);
  sn_tensor_release(v);
  sn_tensor_release(e);
}

/* A transposed view is written in its own row-major order, as NumPy saves a transposed array. */
TEST(write_a_view_and_read_it_back) {
  const int64_t shape[3] = {2, 3, 4};
  SnTensor *t = make(SN_F32, 3, shape);
  SnTensor *v = sn_tensor_transpose(t, 0, 2);
  CHECK_EQ_INT(sn_npy_write(scratch_path("view.npy"), v), 0);
  SnTensor *back = sn_npy_read(scratch_path("view.npy"));
  CHECK(back && back->shape[0] == 4 && back->shape[1] == 3 && back->shape[2] == 2);
  for (int64_t i = 0; back && i < 24; i++)
    CHECK(memcmp(sn_tensor_at(back, i), sn_tensor_at(v, i), 4) == 0);
  sn_tensor_release(back);
  sn_tensor_release(v);
  sn_tensor_release(t);
}

TEST(bf16_has_no_npy_dtype) {
  int64_t n = 3;
  SnTensor *t = sn_tensor_zeros(SN_BF16, 1, &n);
  CHECK(sn_npy_write(scratch_path("bf16.npy"), t) != 0);
  CHECK_HAS(sn_error_message(), "bf16 has no .npy dtype");
  FILE *f = fopen(scratch_path("bf16.npy"), "rb");
  CHECK(f == NULL);
  if (f) fclose(f);
  sn_tensor_release(t);
}

TEST(refuses_to_overwrite_an_input) {
  size_t n = 0;
  char *bytes = read_file(DIR_NPY "f4_c.npy", &n);
  CHECK(bytes && write_file(scratch_path("input.npy"), bytes, n));
  free(bytes);
  SnTensor *t = sn_npy_read(scratch_path("input.npy"));
  CHECK(t != NULL);
  CHECK(sn_npy_write(scratch_path("input.npy"), t) != 0);
  CHECK_HAS(sn_error_message(), "refusing to overwrite a file this program read as an input");
  /* Another name for the same file is caught too. */
  char alias[512];
  snprintf(alias, sizeof alias, "%s", scratch_path("alias.npy"));
  CHECK(link(scratch_path("input.npy"), alias) == 0);
  CHECK(sn_npy_write(alias, t) != 0);
  CHECK_HAS(sn_error_message(), "refusing to overwrite");
  /* A file that is not an input may be replaced, atomically. */
  CHECK_EQ_INT(sn_npy_write(scratch_path("other.npy"), t), 0);
  CHECK_EQ_INT(sn_npy_write(scratch_path("other.npy"), t), 0);
  sn_tensor_release(t);
  /* No temporary file is left behind. */
  DIR *d = opendir(scratch());
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strstr(e->d_name, ".tmp-")) FAIL_AT("left behind: %s", e->d_name);
  if (d) closedir(d);
}

TEST(write_into_a_missing_directory_fails_cleanly) {
  int64_t n = 3;
  SnTensor *t = sn_tensor_zeros(SN_F32, 1, &n);
  CHECK(sn_npy_write(scratch_path("no/such/dir/x.npy"), t) != 0);
  CHECK_HAS(sn_error_message(), "no/such/dir/x.npy: cannot create a file beside it");
  sn_tensor_release(t);
}

TEST(in_memory_parse) {
  size_t n = 0;
  char *bytes = read_file(DIR_NPY "i4_vec.npy", &n);
  SnTensor *t = sn_npy_parse(bytes, n, "mem.npy");
  CHECK(t && t->shape[0] == 5 && ((int32_t *)t->data)[4] == 37 * 4 - 100);
  sn_tensor_release(t);
  CHECK(sn_npy_parse(bytes, n - 1, "mem.npy") == NULL);
  CHECK_STR(sn_error_message(), "mem.npy: truncated: the array needs 20 bytes of data but the file has 19");
  free(bytes);
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}
