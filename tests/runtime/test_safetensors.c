/* test_safetensors.c: writing and reading safetensors files, single and sharded: the bytes
 * follow the format, every tensor comes back as a view of the mapped file, files made by
 * another writer (tests/conformance/safetensors, from gen_malformed.py) read correctly, and
 * the writer's misuse is reported. */
#include "rt_test.h"

#include <dirent.h>
#include <sys/stat.h>

/* A tensor of dtype t and shape whose element i is (i * 7 + seed) converted to t. */
static SnTensor *filled(SnDtype t, int64_t rank, const int64_t *shape, int seed) {
  SnTensor *x = sn_tensor_new(t, rank, shape);
  for (int64_t i = 0; i < sn_tensor_numel(x); i++)
    sn_tensor_set_f64(x, i, t == SN_BOOL ? (i + seed) % 2 : (double)((i * 7 + seed) % 50) - 20);
  return x;
}

static int same(const SnTensor *a, const SnTensor *b) {
  if (a->dtype != b->dtype || a->rank != b->rank) return 0;
  for (int64_t i = 0; i < a->rank; i++)
    if (a->shape[i] != b->shape[i]) return 0;
  size_t es = sn_dtype_size((SnDtype)a->dtype);
  for (int64_t i = 0; i < sn_tensor_numel(a); i++)
    if (memcmp(sn_tensor_at(a, i), sn_tensor_at(b, i), es)) return 0;
  return 1;
}

#define NT 9
static const char *names[NT] = {"b.bool", "a.i8", "u8", "i32", "emb.i64", "h.f16", "h.bf16", "w.f32", "w.f64"};
static const SnDtype types[NT] = {SN_BOOL, SN_I8, SN_U8, SN_I32, SN_I64, SN_F16, SN_BF16, SN_F32, SN_F64};
static const int64_t shapes[NT][3] = {{3}, {5}, {1}, {2, 3}, {7}, {3, 1, 2}, {5}, {4, 4}, {3}};
static const int64_t ranks[NT] = {1, 1, 1, 2, 1, 3, 1, 2, 1};

static void make_all(SnTensor **t) {
  for (int i = 0; i < NT; i++) t[i] = filled(types[i], ranks[i], shapes[i], i);
}

static void release_all(SnTensor **t) {
  for (int i = 0; i < NT; i++) sn_tensor_release(t[i]);
}

static void check_file_holds(SnStFile *f, SnTensor **t) {
  CHECK_EQ_INT(sn_st_count(f), NT);
  for (int i = 0; i < NT; i++) {
    SnTensor *got = sn_st_get_named(f, names[i]);
    if (!got) {
      FAIL_AT("%s: %s", names[i], sn_error_message());
      continue;
    }
    if (!same(got, t[i])) FAIL_AT("tensor %s differs", names[i]);
    /* Wider elements are laid out first, so every tensor is aligned and read in place. */
    CHECK(sn_buffer_kind(sn_tensor_buffer(got)) == SN_BUFFER_MMAP);
    sn_tensor_release(got);
  }
}

TEST(round_trip_single_file) {
  SnTensor *t[NT];
  make_all(t);
  const char *path = scratch_path("model.safetensors");
  SnStWriter *w = sn_st_writer_new(path, 0);
  CHECK_EQ_INT(sn_st_writer_metadata(w, "format", "pt"), 0);
  CHECK_EQ_INT(sn_st_writer_metadata(w, "quote\"d", "line\nbreak"), 0);
  for (int i = 0; i < NT; i++) CHECK_EQ_INT(sn_st_writer_declare(w, names[i], types[i], ranks[i], shapes[i]), 0);
  for (int i = NT - 1; i >= 0; i--) CHECK_EQ_INT(sn_st_writer_write(w, names[i], t[i]), 0);
  CHECK_EQ_INT(sn_st_writer_close(w), 0);

  SnStFile *f = sn_st_open(path);
  CHECK(f != NULL);
  if (!f) return;
  check_file_holds(f, t);
  CHECK_EQ_INT(sn_st_metadata_count(f), 2);
  CHECK_STR(sn_st_metadata(f, "format"), "pt");
  CHECK_STR(sn_st_metadata(f, "quote\"d"), "line\nbreak");
  CHECK(sn_st_metadata(f, "absent") == NULL);
  /* File order is data order: 8-byte elements first, then 4, 2 and 1. */
  CHECK_STR(sn_st_name(f, 0), "emb.i64");
  CHECK_STR(sn_st_name(f, NT - 1), "u8");
  SnDtype dt;
  int64_t rank, shape[SN_MAX_RANK];
  CHECK_EQ_INT(sn_st_info(f, sn_st_find(f, "h.f16"), &dt, &rank, shape), 0);
  CHECK(dt == SN_F16 && rank == 3 && shape[2] == 2);
  CHECK(sn_st_get_named(f, "nope") == NULL);
  CHECK_HAS(sn_error_message(), "model.safetensors: no tensor named 'nope'");
  CHECK(sn_st_get(f, NT) == NULL);
  sn_st_close(f);
  release_all(t);
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}

/* The bytes of a one-tensor file are the format's, header padded with spaces to 8. */
TEST(exact_bytes) {
  const int64_t two = 2;
  const float v[2] = {1.0f, -2.0f};
  SnTensor *t = sn_tensor_from_data(SN_F32, v, 1, &two);
  const char *names1[1] = {"x"};
  const SnTensor *ts[1] = {t};
  CHECK_EQ_INT(sn_st_save(scratch_path("one.safetensors"), 1, names1, ts, 0), 0);
  size_t n;
  char *got = read_file(scratch_path("one.safetensors"), &n);
  const char header[] = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  ";
  CHECK_EQ_INT(sizeof header - 1, 56);
  CHECK(got && n == 8 + 56 + 8);
  if (got && n == 72) {
    CHECK_EQ_INT(got[0], 56);
    CHECK(memcmp(got + 1, "\0\0\0\0\0\0\0", 7) == 0);
    CHECK(memcmp(got + 8, header, 56) == 0);
    CHECK(memcmp(got + 64, v, 8) == 0);
  }
  free(got);
  sn_tensor_release(t);
}

static int count_files(const char *dir, const char *part) {
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d))) n += strstr(e->d_name, part) != NULL;
  if (d) closedir(d);
  return n;
}

TEST(sharded_round_trip) {
  SnTensor *t[NT];
  make_all(t);
  char dir[512];
  snprintf(dir, sizeof dir, "%s", scratch_path("sharded"));
  mkdir(dir, 0777);
  char path[600];
  snprintf(path, sizeof path, "%s/model.safetensors", dir);
  /* 40 data bytes a shard at most: w.f32 (64 bytes) gets a shard of its own. */
  CHECK_EQ_INT(sn_st_save(path, NT, names, (const SnTensor *const *)t, 40), 0);
  CHECK_EQ_INT(count_files(dir, "-of-00005.safetensors"), 5);
  CHECK_EQ_INT(count_files(dir, "model.safetensors.index.json"), 1);
  CHECK_EQ_INT(count_files(dir, ".tmp-"), 0);
  char ipath[700];
  snprintf(ipath, sizeof ipath, "%s.index.json", path);
  size_t n;
  char *idx = read_file(ipath, &n);
  CHECK(idx && strstr(idx, "\"total_size\": 199") && strstr(idx, "\"w.f32\": \"model-00004-of-00005.safetensors\""));
  free(idx);
  /* Opened by its index, or by the directory. */
  SnStFile *f = sn_st_open(ipath);
  CHECK(f != NULL);
  if (f) check_file_holds(f, t);
  sn_st_close(f);
  f = sn_st_open(dir);
  CHECK(f && sn_st_count(f) == NT);
  sn_st_close(f);
  /* Each shard is a safetensors file of its own. */
  char shard[700];
  snprintf(shard, sizeof shard, "%s/model-00004-of-00005.safetensors", dir);
  f = sn_st_open(shard);
  CHECK(f && sn_st_count(f) == 1 && !strcmp(sn_st_name(f, 0), "w.f32"));
  sn_st_close(f);
  release_all(t);
}

TEST(one_shard_is_a_plain_file) {
  SnTensor *t[NT];
  make_all(t);
  char dir[512];
  snprintf(dir, sizeof dir, "%s", scratch_path("unsharded"));
  mkdir(dir, 0777);
  char path[600];
  snprintf(path, sizeof path, "%s/model.safetensors", dir);
  CHECK_EQ_INT(sn_st_save(path, NT, names, (const SnTensor *const *)t, 1 << 20), 0);
  CHECK_EQ_INT(count_files(dir, "index"), 0);
  SnStFile *f = sn_st_open(dir);
  CHECK(f != NULL);
  if (f) check_file_holds(f, t);
  sn_st_close(f);
  release_all(t);
}

TEST(files_from_another_writer) {
  SnStFile *f = sn_st_open("tests/conformance/safetensors/mixed.safetensors");
  CHECK(f != NULL);
  if (!f) return;
  CHECK_EQ_INT(sn_st_count(f), 4);
  CHECK_STR(sn_st_metadata(f, "note"), "\xc3\xa9");
  SnTensor *z = sn_st_get_named(f, "z_f32"), *y = sn_st_get_named(f, "y_bf16");
  SnTensor *x = sn_st_get_named(f, "x_u8"), *w = sn_st_get_named(f, "w_f64");
  CHECK(z && y && x && w);
  if (z && y && x && w) {
    CHECK(z->shape[0] == 2 && ((float *)z->data)[3] == 4.0f);
    CHECK(sn_bf16_to_f32(((uint16_t *)y->data)[1]) == -2.0f && isinf(sn_bf16_to_f32(((uint16_t *)y->data)[2])));
    CHECK(x->rank == 0 && *(uint8_t *)x->data == 5);
    /* w starts at an odd offset: it is copied so that it can be read aligned. */
    CHECK(sn_buffer_kind(sn_tensor_buffer(w)) == SN_BUFFER_OWNED);
    CHECK(((double *)w->data)[0] == 0.5 && ((double *)w->data)[1] == -0.25);
    CHECK(sn_buffer_kind(sn_tensor_buffer(z)) == SN_BUFFER_MMAP);
  }
  sn_tensor_release(z);
  sn_tensor_release(y);
  sn_tensor_release(x);
  sn_tensor_release(w);
  /* Tensors outlive the file handle: they hold the mapping. */
  SnTensor *late = sn_st_get_named(f, "z_f32");
  sn_st_close(f);
  CHECK(late && ((float *)late->data)[0] == 1.0f);
  sn_tensor_release(late);
  f = sn_st_open("tests/conformance/safetensors/empty_tensor.safetensors");
  CHECK(f && sn_st_count(f) == 1);
  SnTensor *e = f ? sn_st_get(f, 0) : NULL;
  CHECK(e && e->shape[0] == 0 && e->shape[1] == 4);
  sn_tensor_release(e);
  sn_st_close(f);
}

TEST(writer_misuse) {
  const int64_t two = 2, three = 3;
  SnTensor *a = sn_tensor_zeros(SN_F32, 1, &two), *b = sn_tensor_zeros(SN_F32, 1, &three);
  const char *path = scratch_path("bad.safetensors");
  SnStWriter *w = sn_st_writer_new(path, 0);
  CHECK_EQ_INT(sn_st_writer_declare(w, "a", SN_F32, 1, &two), 0);
  CHECK(sn_st_writer_declare(w, "a", SN_F32, 1, &two) != 0);
  CHECK_HAS(sn_error_message(), "bad.safetensors: tensor 'a' declared twice");
  CHECK(sn_st_writer_declare(w, "__metadata__", SN_F32, 1, &two) != 0);
  CHECK(sn_st_writer_declare(w, "\xff", SN_F32, 1, &two) != 0);
  CHECK_EQ_INT(sn_st_writer_declare(w, "b", SN_F32, 1, &three), 0);
  CHECK(sn_st_writer_write(w, "a", b) != 0);
  CHECK_HAS(sn_error_message(), "tensor 'a' was declared f32[2] but the value written is f32[3]");
  CHECK(sn_st_writer_write(w, "c", a) != 0);
  CHECK_HAS(sn_error_message(), "tensor 'c' was not declared");
  CHECK(sn_st_writer_declare(w, "late", SN_F32, 1, &two) != 0);
  CHECK_HAS(sn_error_message(), "declared after the first tensor was written");
  CHECK(sn_st_writer_metadata(w, "k", "v") != 0);
  CHECK_EQ_INT(sn_st_writer_write(w, "a", a), 0);
  CHECK(sn_st_writer_write(w, "a", a) != 0);
  CHECK_HAS(sn_error_message(), "tensor 'a' written twice");
  CHECK(sn_st_writer_close(w) != 0);
  CHECK_HAS(sn_error_message(), "tensor 'b' was declared but never written");
  /* Nothing was left behind. */
  struct stat st;
  CHECK(stat(path, &st) != 0);
  CHECK_EQ_INT(count_files(scratch(), "bad.safetensors"), 0);
  sn_tensor_release(a);
  sn_tensor_release(b);
}

TEST(refuses_to_overwrite_its_input) {
  const int64_t two = 2;
  SnTensor *a = sn_tensor_zeros(SN_F32, 1, &two);
  const char *nm[1] = {"a"};
  const SnTensor *ts[1] = {a};
  const char *path = scratch_path("in.safetensors");
  CHECK_EQ_INT(sn_st_save(path, 1, nm, ts, 0), 0);
  CHECK_EQ_INT(sn_st_save(path, 1, nm, ts, 0), 0); /* not an input yet: replaced */
  SnStFile *f = sn_st_open(path);
  SnTensor *x = sn_st_get(f, 0);
  const SnTensor *xs[1] = {x};
  CHECK(sn_st_save(path, 1, nm, xs, 0) != 0);
  CHECK_HAS(sn_error_message(), "in.safetensors: refusing to overwrite a file this program read as an input");
  /* The merge pattern: read a model, write the result elsewhere. */
  CHECK_EQ_INT(sn_st_save(scratch_path("out.safetensors"), 1, nm, xs, 0), 0);
  sn_tensor_release(x);
  sn_st_close(f);
  sn_tensor_release(a);
}

TEST(views_are_written_in_row_major_order) {
  const int64_t shape[2] = {3, 4};
  SnTensor *t = filled(SN_F32, 2, shape, 1);
  SnTensor *v = sn_tensor_transpose(t, 0, 1);
  const char *nm[1] = {"v"};
  const SnTensor *vs[1] = {v};
  CHECK_EQ_INT(sn_st_save(scratch_path("view.safetensors"), 1, nm, vs, 0), 0);
  SnStFile *f = sn_st_open(scratch_path("view.safetensors"));
  SnTensor *back = f ? sn_st_get(f, 0) : NULL;
  CHECK(back && same(back, v));
  sn_tensor_release(back);
  sn_st_close(f);
  sn_tensor_release(v);
  sn_tensor_release(t);
}

TEST(open_errors) {
  CHECK(sn_st_open(scratch_path("missing.safetensors")) == NULL);
  CHECK_HAS(sn_error_message(), "missing.safetensors: cannot open: No such file or directory");
  char dir[512];
  snprintf(dir, sizeof dir, "%s", scratch_path("emptydir"));
  mkdir(dir, 0777);
  CHECK(sn_st_open(dir) == NULL);
  CHECK_HAS(sn_error_message(), "emptydir: a directory without model.safetensors.index.json or model.safetensors");
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}

/* Direct writes (sn_io_atomic_direct): tensors of odd byte counts share partly written blocks,
 * the first is written from its own memory (aligned, as a block of the file), one spans several
 * staging buffers, and they are written in an order that is not the file's; each tensor is
 * released as soon as it is written (the writing thread holds its memory until written); every
 * byte reads back, and the file is exactly as long as the format says. */
static uint8_t direct_byte(int i, int64_t k) { return (uint8_t)(k * 7 + i * 31 + k / 4096); }

TEST(direct_writes_assemble_shared_blocks) {
  enum { N = 7 };
  const int64_t sizes[N] = {5 << 20, 1, 4095, 4097, (9 << 20) + 13, 5000, 3};
  const char *nm[N] = {"a", "b", "c", "d", "e", "f", "g"};
  uint64_t total = 0;
  for (int i = 0; i < N; i++) total += (uint64_t)sizes[i];
  const char *path = scratch_path("direct.safetensors");
  SnStWriter *w = sn_st_writer_new(path, 0);
  for (int i = 0; i < N; i++) CHECK_EQ_INT(sn_st_writer_declare(w, nm[i], SN_U8, 1, &sizes[i]), 0);
  const int order[N] = {4, 1, 6, 0, 3, 5, 2};
  for (int j = 0; j < N; j++) {
    int i = order[j];
    SnTensor *t = sn_tensor_new(SN_U8, 1, &sizes[i]);
    for (int64_t k = 0; k < sizes[i]; k++) ((uint8_t *)t->data)[k] = direct_byte(i, k);
    CHECK_EQ_INT(sn_st_writer_write(w, nm[i], t), 0);
    sn_tensor_release(t);
  }
  CHECK_EQ_INT(sn_st_writer_close(w), 0);
  size_t n;
  char *bytes = read_file(path, &n);
  uint64_t header = 0;
  for (int b = 0; bytes && b < 8; b++) header |= (uint64_t)(unsigned char)bytes[b] << (8 * b);
  CHECK(bytes && n == 8 + header + total);
  /* more than a megabyte of data: it starts at a disk block */
  CHECK_EQ_INT((int64_t)(8 + header) % 4096, 0);
  free(bytes);
  SnStFile *f = sn_st_open(path);
  for (int i = 0; f && i < N; i++) {
    SnTensor *got = sn_st_get_named(f, nm[i]);
    int ok = got && got->dtype == SN_U8 && sn_tensor_numel(got) == sizes[i];
    for (int64_t k = 0; ok && k < sizes[i]; k++) ok = ((const uint8_t *)got->data)[k] == direct_byte(i, k);
    CHECK(ok);
    sn_tensor_release(got);
  }
  sn_st_close(f);
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}
