/* test_load.c: load()'s cache of open safetensors files (runtime/io/load.c): files read in
 * turn stay open (a tensor loaded again is a view of the same mapping), sn_load_close closes
 * them, the least recently used goes past 64, and threads loading and closing at once each get
 * their own file's values. */
#include "rt_test.h"

#include <pthread.h>
#include <stdatomic.h>

#define NFILES 3
#define NTHREADS 8
#define ROUNDS 400

static char paths[NFILES][512]; /* set by write_files, before any thread starts */

static const char *file_path(int k) { return paths[k]; }

/* File k holds "w", f64 [4] = 100 k + 1 .. 100 k + 4, and "b", f32 [2]; file 2 holds "w" alone
 * (a one-tensor file, which load(path) reads as a tensor). Written once: a program never
 * overwrites a file it read. */
static void write_files(void) {
  static int written;
  if (written++) return;
  for (int k = 0; k < NFILES; k++) {
    snprintf(paths[k], sizeof paths[k], "%s/file%d.safetensors", scratch(), k);
    double w[4];
    float b[2] = {0.5f, (float)k};
    for (int i = 0; i < 4; i++) w[i] = 100.0 * k + i + 1;
    int64_t sw[1] = {4}, sb[1] = {2};
    SnTensor *tw = sn_tensor_from_data(SN_F64, w, 1, sw), *tb = sn_tensor_from_data(SN_F32, b, 1, sb);
    const char *names[2] = {"w", "b"};
    const SnTensor *ts[2] = {tw, tb};
    if (sn_st_save(file_path(k), k == 2 ? 1 : 2, names, ts, 0)) {
      fprintf(stderr, "%s\n", sn_error_message());
      exit(2);
    }
    sn_tensor_release(tw);
    sn_tensor_release(tb);
  }
}

static SnTensor *load_w(int k) {
  if (k == 2) return sn_load_tensor("test:1:1", file_path(k), SN_F64, 1);
  return sn_load_named("test:1:1", file_path(k), "w", SN_F64, 1);
}

/* Whether t is file k's "w". */
static int holds_w(const SnTensor *t, int k) {
  if (!t || t->rank != 1 || t->shape[0] != 4) return 0;
  for (int i = 0; i < 4; i++)
    if (((const double *)t->data)[i] != 100.0 * k + i + 1) return 0;
  return 1;
}

TEST(files_read_in_turn_stay_open) {
  write_files();
  SnTensor *a1 = load_w(0), *b1 = load_w(1), *c1 = load_w(2), *a2 = load_w(0), *b2 = load_w(1);
  CHECK(holds_w(a1, 0) && holds_w(b1, 1) && holds_w(c1, 2) && holds_w(a2, 0) && holds_w(b2, 1));
  if (a1 && a2 && b1 && b2) {
    /* a view of the mapping, and the same mapping the second time: the file was not reopened */
    CHECK(sn_buffer_kind(sn_tensor_buffer(a1)) == SN_BUFFER_MMAP);
    CHECK(sn_tensor_buffer(a1) == sn_tensor_buffer(a2));
    CHECK(sn_tensor_buffer(b1) == sn_tensor_buffer(b2));
    CHECK(sn_tensor_buffer(a1) != sn_tensor_buffer(b1));
  }
  sn_load_close();
  SnTensor *a3 = load_w(0);
  CHECK(holds_w(a3, 0));
  /* closed, so mapped again: a1 still holds the old mapping */
  if (a1 && a3) CHECK(sn_tensor_buffer(a3) != sn_tensor_buffer(a1));
  SnTensor *bad = sn_load_named("test:1:1", file_path(0), "missing", SN_F64, 1);
  CHECK(bad == NULL);
  CHECK_HAS(sn_error_message(), "missing");
  SnTensor *all[] = {a1, b1, c1, a2, b2, a3};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) sn_tensor_release(all[i]);
  sn_load_close();
}

/* Past 64 open files (SN_LOAD_OPEN_MAX), load closes the least recently used: of 65 files read
 * in order, the first is mapped anew when it is read again, and the last is not. */
TEST(least_recently_used_closed_past_64) {
  enum { N = 65 };
  SnTensor *first = NULL, *last = NULL;
  for (int k = 0; k < N; k++) {
    char path[600];
    snprintf(path, sizeof path, "%s/many%d.safetensors", scratch(), k);
    double v = k;
    int64_t shape[1] = {1};
    SnTensor *t = sn_tensor_from_data(SN_F64, &v, 1, shape);
    const char *name = "v";
    CHECK(sn_st_save(path, 1, &name, (const SnTensor *const *)&t, 0) == 0);
    sn_tensor_release(t);
    SnTensor *got = sn_load_named("test:1:1", path, "v", SN_F64, 1);
    CHECK(got && ((double *)got->data)[0] == k);
    if (k == 0) first = got;
    else if (k == N - 1) last = got;
    else sn_tensor_release(got);
  }
  char path[600];
  snprintf(path, sizeof path, "%s/many0.safetensors", scratch());
  SnTensor *again = sn_load_named("test:1:1", path, "v", SN_F64, 1);
  snprintf(path, sizeof path, "%s/many%d.safetensors", scratch(), N - 1);
  SnTensor *again_last = sn_load_named("test:1:1", path, "v", SN_F64, 1);
  if (first && again) CHECK(sn_tensor_buffer(first) != sn_tensor_buffer(again));
  if (last && again_last) CHECK(sn_tensor_buffer(last) == sn_tensor_buffer(again_last));
  sn_tensor_release(first);
  sn_tensor_release(last);
  sn_tensor_release(again);
  sn_tensor_release(again_last);
  sn_load_close();
}

static atomic_int wrong;

static void *loader(void *arg) {
  int id = (int)(intptr_t)arg;
  for (int r = 0; r < ROUNDS; r++) {
    int k = (r + id) % NFILES;
    SnTensor *t = load_w(k);
    if (!holds_w(t, k)) atomic_fetch_add(&wrong, 1);
    sn_tensor_release(t);
    /* one thread ends the run now and then, as sn_run_cleanup does, while the others load */
    if (id == 0 && r % 16 == 15) sn_load_close();
  }
  return NULL;
}

TEST(threads_load_and_close_at_once) {
  write_files();
  pthread_t th[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) pthread_create(&th[i], NULL, loader, (void *)(intptr_t)i);
  for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
  CHECK_EQ_INT(atomic_load(&wrong), 0);
  sn_load_close();
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}
