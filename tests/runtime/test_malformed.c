/* test_malformed.c: every file in tests/conformance/malformed (from gen_malformed.py) is
 * rejected, without crashing or leaking, with exactly the message EXPECTED gives for it. */
#include "rt_test.h"

#define DIR_BAD "tests/conformance/malformed/"

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

/* Reads path the way a program would; returns 0 when everything was accepted. */
static SnStatus load(const char *path) {
  if (ends_with(path, ".npy")) {
    SnTensor *t = sn_npy_read(path);
    sn_tensor_release(t);
    return t == NULL;
  }
  if (ends_with(path, ".csv")) {
    SnCsvSpec spec = {"last", SN_F32, 0, SN_CSV_HEADER_CHECK};
    SnCsvData d;
    SnStatus st = sn_csv_read(path, &spec, &d);
    sn_csv_free(&d);
    return st;
  }
  SnStFile *f = sn_st_open(path);
  if (!f) return 1;
  SnStatus st = 0;
  for (int64_t i = 0; i < sn_st_count(f) && !st; i++) {
    SnTensor *t = sn_st_get(f, i);
    st = t == NULL;
    sn_tensor_release(t);
  }
  sn_st_close(f);
  return st;
}

TEST(every_malformed_file_is_rejected_with_its_message) {
  size_t n;
  char *table = read_file(DIR_BAD "EXPECTED", &n);
  CHECK(table != NULL);
  if (!table) return;
  int count = 0;
  for (char *line = strtok(table, "\n"); line; line = strtok(NULL, "\n")) {
    char *tab = strchr(line, '\t');
    if (!tab) continue;
    *tab = 0;
    char path[512];
    snprintf(path, sizeof path, DIR_BAD "%s", line);
    sn_error_clear();
    if (!load(path)) {
      FAIL_AT("%s was accepted", line);
      continue;
    }
    if (strcmp(sn_error_message(), tab + 1))
      FAIL_AT("%s:\n    got  \"%s\"\n    want \"%s\"", line, sn_error_message(), tab + 1);
    count++;
  }
  free(table);
  CHECK(count >= 40);
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}

/* The valid shard beside them loads, so the index failures are about the indexes. */
TEST(the_valid_shard_loads) {
  CHECK_EQ_INT(load(DIR_BAD "shard-00001-of-00001.safetensors"), 0);
}

/* Every prefix of a valid file is rejected cleanly too. */
TEST(every_truncation_is_rejected) {
  const char *files[] = {"tests/conformance/npy/f4_be_f.npy", "tests/conformance/safetensors/mixed.safetensors",
                         DIR_BAD "shard-00001-of-00001.safetensors"};
  for (int k = 0; k < 3; k++) {
    size_t n;
    char *bytes = read_file(files[k], &n);
    CHECK(bytes != NULL);
    for (size_t len = 0; bytes && len < n; len++) {
      SnStatus st;
      if (k == 0) {
        SnTensor *t = sn_npy_parse(bytes, len, "cut.npy");
        st = t == NULL;
        sn_tensor_release(t);
      } else {
        SnStFile *f = sn_st_open_memory(bytes, len, "cut.safetensors");
        st = f == NULL;
        sn_st_close(f);
      }
      if (!st) FAIL_AT("%s cut to %zu bytes was accepted", files[k], len);
    }
    free(bytes);
  }
}
