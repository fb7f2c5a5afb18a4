/* test_parallel.c: the runtime's parallel loops (runtime/core/parallel.c). A reduction whose chunks
 * combine in chunk order gives the same bits on 1, 2, 3 and 8 threads (each count in a child
 * process, as SINTER_THREADS is read once); every chunk runs exactly once in a long run of small
 * loops; the first failure's message comes back; a loop inside a chunk and a loop called while
 * another runs each run on their own thread. */
#include "rt_test.h"

#include <pthread.h>
#include <sys/wait.h>

#define N 1000003
#define CHUNKS 97

typedef struct Sum {
  const double *x;
  double part[CHUNKS];
} Sum;

static int32_t sum_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  Sum *s = ctx;
  double acc = 0;
  for (int64_t i = lo; i < hi; i++) acc += s->x[i];
  s->part[c] = acc;
  return 0;
}

/* A sum whose rounding depends on the order of its terms: chunk partials, combined in order. */
static double chunked_sum(const double *x) {
  Sum s = {.x = x};
  if (sn_parallel_for(N, CHUNKS, sum_chunk, &s)) return NAN;
  double total = 0;
  for (int c = 0; c < CHUNKS; c++) total += s.part[c];
  return total;
}

static double *terms(void) {
  double *x = malloc(N * sizeof *x);
  for (int64_t i = 0; i < N; i++) x[i] = 1.0 / (double)(i + 1) * ((i % 3) ? 1 : -1e3);
  return x;
}

TEST(same_bits_on_any_thread_count) {
  double *x = terms();
  static const char *counts[] = {"1", "2", "3", "8"};
  double got[4];
  for (int k = 0; k < 4; k++) {
    int fd[2];
    CHECK(pipe(fd) == 0);
    pid_t pid = fork();
    if (pid == 0) {
      setenv("SINTER_THREADS", counts[k], 1);
      double v = sn_num_threads() == atoi(counts[k]) ? chunked_sum(x) : NAN;
      _exit(write(fd[1], &v, sizeof v) == sizeof v ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(read(fd[0], &got[k], sizeof got[k]) == sizeof got[k]);
    close(fd[0]);
    close(fd[1]);
  }
  for (int k = 1; k < 4; k++) CHECK(memcmp(&got[0], &got[k], sizeof got[0]) == 0);
  CHECK(!isnan(got[0]));
  free(x);
}

typedef struct Count {
  int *hits;
} Count;

static int32_t count_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  Count *k = ctx;
  __atomic_add_fetch(&k->hits[c], 1, __ATOMIC_RELAXED);
  return lo <= hi ? 0 : 1;
}

TEST(every_chunk_once_in_many_small_loops) {
  int hits[64];
  for (int rep = 0; rep < 20000; rep++) {
    int64_t nc = 2 + rep % 63;
    memset(hits, 0, sizeof hits);
    Count k = {hits};
    CHECK_EQ_INT(sn_parallel_for(nc * 10, nc, count_chunk, &k), 0);
    for (int64_t c = 0; c < nc; c++)
      if (hits[c] != 1) {
        CHECK_EQ_INT(hits[c], 1);
        return;
      }
  }
}

static int32_t fail_at_7(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  (void)ctx, (void)lo, (void)hi;
  return c == 7 ? sn_error_set("chunk %d failed", (int)c) : 0;
}

TEST(first_failure_is_reported) {
  sn_error_clear();
  CHECK(sn_parallel_for(1000, 50, fail_at_7, NULL) != 0);
  CHECK(strcmp(sn_error_message(), "chunk 7 failed") == 0);
  /* the next loop starts clean */
  double *x = terms();
  CHECK(!isnan(chunked_sum(x)));
  free(x);
}

typedef struct Nested {
  const double *x;
  double outer[8];
} Nested;

static int32_t nested_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  (void)lo, (void)hi;
  Nested *n = ctx;
  n->outer[c] = chunked_sum(n->x);
  return 0;
}

static void *call_from_thread(void *arg) {
  double *x = terms(), *v = arg;
  *v = chunked_sum(x);
  free(x);
  return NULL;
}

TEST(loops_inside_loops_and_from_other_threads) {
  double *x = terms();
  double want = chunked_sum(x);
  Nested n = {.x = x};
  CHECK_EQ_INT(sn_parallel_for(8, 8, nested_chunk, &n), 0);
  for (int c = 0; c < 8; c++) CHECK(n.outer[c] == want);
  double other = 0;
  pthread_t t;
  CHECK(pthread_create(&t, NULL, call_from_thread, &other) == 0);
  for (int rep = 0; rep < 20; rep++) CHECK(chunked_sum(x) == want);
  pthread_join(t, NULL);
  CHECK(other == want);
  free(x);
}

