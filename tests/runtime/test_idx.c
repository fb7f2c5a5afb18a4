/* test_idx.c: IDX files (runtime/io/idx.c) written here byte by byte, plain and gzipped: every
 * element type read back exactly, conversions, and each way a file can be malformed. */
#include "rt_test.h"

#include <zlib.h>

/* An IDX file's bytes: header for `type` and the sizes, then `n` elements from `values`, stored
 * big-endian as the type says. Returns the length. */
static size_t idx_bytes(unsigned char *out, int type, int rank, const uint32_t *shape, const double *values, size_t n) {
  size_t k = 0;
  out[k++] = 0, out[k++] = 0, out[k++] = (unsigned char)type, out[k++] = (unsigned char)rank;
  for (int d = 0; d < rank; d++)
    for (int b = 3; b >= 0; b--) out[k++] = (unsigned char)(shape[d] >> (8 * b));
  for (size_t i = 0; i < n; i++) {
    uint64_t bits;
    int size;
    switch (type) {
    case 0x08: bits = (uint8_t)values[i], size = 1; break;
    case 0x09: bits = (uint8_t)(int8_t)values[i], size = 1; break;
    case 0x0B: bits = (uint16_t)(int16_t)values[i], size = 2; break;
    case 0x0C: bits = (uint32_t)(int32_t)values[i], size = 4; break;
    case 0x0D: {
      float f = (float)values[i];
      uint32_t u;
      memcpy(&u, &f, 4);
      bits = u, size = 4;
      break;
    }
    default: memcpy(&bits, &values[i], 8), size = 8; break;
    }
    for (int b = size - 1; b >= 0; b--) out[k++] = (unsigned char)(bits >> (8 * b));
  }
  return k;
}

static int write_gz(const char *path, const void *data, size_t n) {
  gzFile f = gzopen(path, "wb");
  if (!f) return 0;
  int ok = gzwrite(f, data, (unsigned)n) == (int)n;
  return gzclose(f) == Z_OK && ok;
}

/* Writes the bytes plainly (gz = 0) or gzipped under a fresh name; returns the path. */
static const char *put(const char *name, int gz, const unsigned char *data, size_t n) {
  static char paths[4][512];
  static int next;
  char *p = paths[next++ % 4];
  snprintf(p, sizeof paths[0], "%s%s", scratch_path(name), gz ? ".gz" : "");
  if (!(gz ? write_gz(p, data, n) : write_file(p, data, n))) {
    fprintf(stderr, "cannot write %s\n", p);
    exit(2);
  }
  return p;
}

static const struct {
  int type;
  const char *name;
  double values[6];
} cases[] = {
    {0x08, "u8", {0, 1, 127, 128, 254, 255}},
    {0x09, "i8", {-128, -1, 0, 1, 100, 127}},
    {0x0B, "i16", {-32768, -300, -1, 0, 256, 32767}},
    {0x0C, "i32", {-2147483648.0, -65536, -1, 0, 16777217, 2147483647}},
    {0x0D, "f32", {-1.5, 0.1f, 0, 3.25, 1e30f, -2e-40f}},
    {0x0E, "f64", {-1.5, 0.1, 0, 1e300, -2e-310, 3.141592653589793}},
};

TEST(every_type_plain_and_gzip) {
  const uint32_t shape[2] = {2, 3};
  unsigned char buf[128];
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
    for (int gz = 0; gz < 2; gz++) {
      size_t n = idx_bytes(buf, cases[c].type, 2, shape, cases[c].values, 6);
      const char *path = put(cases[c].name, gz, buf, n);
      SnDtype dt;
      int64_t rank, sh[SN_MAX_RANK];
      CHECK(sn_idx_info(path, &dt, &rank, sh) == 0);
      CHECK_EQ_INT(rank, 2);
      CHECK_EQ_INT(sh[0], 2);
      CHECK_EQ_INT(sh[1], 3);
      CHECK_EQ_INT(dt, cases[c].type == 0x0D ? SN_F32 : cases[c].type == 0x0E ? SN_F64 : SN_I64);
      SnTensor *t = sn_idx_read(path, SN_F64);
      CHECK(t != NULL);
      if (!t) continue;
      CHECK_EQ_INT(t->dtype, SN_F64);
      CHECK_EQ_INT(t->rank, 2);
      for (int i = 0; i < 6; i++) {
        double want = cases[c].type == 0x0D ? (double)(float)cases[c].values[i] : cases[c].values[i];
        if (((double *)t->data)[i] != want) FAIL_AT("%s gz=%d element %d: %.17g, want %.17g", cases[c].name, gz, i, ((double *)t->data)[i], want);
      }
      sn_tensor_release(t);
    }
}

TEST(integers_convert_to_each_dtype) {
  const uint32_t shape[1] = {6};
  unsigned char buf[64];
  size_t n = idx_bytes(buf, 0x0B, 1, shape, cases[2].values, 6);
  const char *path = put("conv", 1, buf, n);
  SnTensor *a = sn_idx_read(path, SN_I64), *b = sn_idx_read(path, SN_I32), *c = sn_idx_read(path, SN_F32);
  CHECK(a && b && c);
  if (!a || !b || !c) return;
  for (int i = 0; i < 6; i++) {
    CHECK_EQ_INT(((int64_t *)a->data)[i], (int64_t)cases[2].values[i]);
    CHECK_EQ_INT(((int32_t *)b->data)[i], (int64_t)cases[2].values[i]);
    CHECK(((float *)c->data)[i] == (float)cases[2].values[i]);
  }
  sn_tensor_release(a);
  sn_tensor_release(b);
  sn_tensor_release(c);
}

/* The message of reading path as dtype, which must fail. */
static const char *read_error(const char *path, SnDtype dtype) {
  SnTensor *t = sn_idx_read(path, dtype);
  if (t) {
    sn_tensor_release(t);
    return "(no error)";
  }
  return sn_error_message();
}

TEST(dtypes_refused) {
  const uint32_t shape[1] = {6};
  unsigned char buf[64];
  const char *path = put("floats", 0, buf, idx_bytes(buf, 0x0D, 1, shape, cases[4].values, 6));
  CHECK_HAS(read_error(path, SN_I64), "holds f32 values, which are read as f32 or f64, not i64");
  CHECK_HAS(read_error(path, SN_U8), "IDX data is read as f32, f64, i32 or i64, not u8");
}

TEST(truncated) {
  const uint32_t shape[2] = {2, 3};
  unsigned char buf[64];
  size_t n = idx_bytes(buf, 0x0C, 2, shape, cases[3].values, 6);
  for (int gz = 0; gz < 2; gz++) {
    const char *path = put("short", gz, buf, n - 3);
    const char *msg = read_error(path, SN_I64);
    CHECK_HAS(msg, path);
    CHECK_HAS(msg, "truncated after 21 bytes of the data of i32[2, 3] (24 expected)");
    path = put("shorthead", gz, buf, 6);
    CHECK_HAS(read_error(path, SN_I64), "truncated after 2 bytes of the header's sizes (8 expected)");
    path = put("empty", gz, buf, 0);
    CHECK_HAS(read_error(path, SN_I64), "truncated after 0 bytes of the header (4 expected)");
  }
}

TEST(trailing_bytes) {
  const uint32_t shape[1] = {5};
  unsigned char buf[64];
  size_t n = idx_bytes(buf, 0x08, 1, shape, cases[0].values, 6); /* six values for five */
  for (int gz = 0; gz < 2; gz++)
    CHECK_HAS(read_error(put("long", gz, buf, n), SN_I64), "1 byte after the data of u8[5]; the header's sizes do not describe the file");
}

TEST(bad_headers) {
  const uint32_t shape[1] = {1};
  const double one = 1;
  unsigned char buf[64];
  size_t n = idx_bytes(buf, 0x08, 1, shape, &one, 1);
  buf[1] = 0x42;
  CHECK_HAS(read_error(put("magic", 1, buf, n), SN_I64), "not an IDX file: it starts with bytes 00 42, not 00 00");
  buf[1] = 0, buf[2] = 0x0A;
  CHECK_HAS(read_error(put("type", 0, buf, n), SN_I64), "unknown IDX element type 0x0a");
  buf[2] = 0x08, buf[3] = 0;
  CHECK_HAS(read_error(put("rank0", 0, buf, n), SN_I64), "0 dimensions; IDX tensors here have 1 to 8");
  buf[3] = 9;
  CHECK_HAS(read_error(put("rank9", 0, buf, n), SN_I64), "9 dimensions");
  unsigned char big[4 + 32] = {0, 0, 0x0E, 8};
  memset(big + 4, 0xFF, 32);
  CHECK_HAS(read_error(put("overflow", 0, big, sizeof big), SN_F64), "the sizes in the header overflow");
  /* sizes that fit in memory's address range but not in the file: truncated, nothing that large
   * allocated first */
  unsigned char huge[4 + 8 + 3] = {0, 0, 0x08, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0xFF, 1, 2, 3};
  CHECK_HAS(read_error(put("huge", 1, huge, sizeof huge), SN_I64),
            "truncated after 3 bytes of the data of u8[4294967295, 16777215] (72057589726183425 expected)");
  static const char junk[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03this is not deflate data";
  CHECK_HAS(read_error(put("junk.gz", 0, (const unsigned char *)junk, sizeof junk - 1), SN_I64), "corrupt gzip data");
}

TEST(missing_files) {
  const char *path = scratch_path("absent.gz");
  CHECK_HAS(read_error(path, SN_F32), "absent.gz: cannot open: No such file or directory");
  CHECK_HAS(read_error(scratch(), SN_F32), "is a directory, not an IDX file");
  CHECK_HAS(read_error("/usr/share/datasets/sinter-absent/x-idx1-ubyte.gz", SN_F32),
            "No such file or directory; the Debian package dataset-sinter-absent provides it (`make deps` installs it)");
}

/* load_idx as programs call it: trailing dimensions flattened, sizes checked. */
TEST(load_flattens_and_checks) {
  const uint32_t shape[3] = {2, 1, 3};
  unsigned char buf[64];
  const char *path = put("images", 1, buf, idx_bytes(buf, 0x08, 3, shape, cases[0].values, 6));
  const int64_t any2[2] = {-1, 3}, exact3[3] = {2, 1, 3}, wrong[2] = {2, 4};
  SnTensor *t = sn_load_idx("here", path, SN_F32, 2, any2);
  CHECK(t && t->rank == 2 && t->shape[0] == 2 && t->shape[1] == 3 && ((float *)t->data)[5] == 255);
  if (t) sn_tensor_release(t);
  t = sn_load_idx("here", path, SN_I64, 3, exact3);
  CHECK(t && t->rank == 3 && ((int64_t *)t->data)[3] == 128);
  if (t) sn_tensor_release(t);
  CHECK(sn_load_idx("here", path, SN_F32, 2, wrong) == NULL);
  CHECK_HAS(sn_error_message(), "expected f32[2, 4], the file holds f32[2, 1, 3]");
  int64_t four[4] = {-1, -1, -1, -1};
  CHECK(sn_load_idx("here", path, SN_F32, 4, four) == NULL);
  CHECK_HAS(sn_error_message(), "expected f32[_, _, _, _], the file holds f32[2, 1, 3]");
}
