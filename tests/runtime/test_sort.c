/* test_sort.c: sorting and quantiles along an axis (runtime/math/sort.c) on tensors large enough
 * to be split among threads. sort, argsort and quantiles give the same bytes on 1, 2 and 8
 * threads (each count in a child process, as SINTER_THREADS is read once); every line of sort is
 * in order, argsort is a permutation that gathers the line into sort's, with equal values in
 * their original order (stable); a transposed view sorts along axis 0 as its copy does; and the
 * quantiles of each line agree with the sorted line by NumPy's 'linear' formula; topk's indices
 * are the first k of argsort (of -x for the largest: ties in index order either way), for a k
 * small enough for its heap and for one that sorts the whole line. */
#include "rt_test.h"

#include <sys/wait.h>

#define ROWS 300
#define COLS 2000

/* [ROWS, COLS] of values with many ties: k / 8 for k drawn in [-400, 400). */
static SnTensor *tied(void) {
  int64_t shape[2] = {ROWS, COLS};
  SnTensor *u = sn_rng_uniform(sn_rng(5), SN_F64, 2, shape);
  for (int64_t i = 0; i < ROWS * COLS; i++)
    ((double *)u->data)[i] = floor(((double *)u->data)[i] * 800 - 400) / 8;
  return u;
}

/* FNV-1a of t's bytes. */
static uint64_t digest(const SnTensor *t) {
  uint64_t h = 1469598103934665603u;
  const unsigned char *p = t->data;
  for (size_t i = 0; i < (size_t)sn_tensor_numel(t) * sn_dtype_size((SnDtype)t->dtype); i++)
    h = (h ^ p[i]) * 1099511628211u;
  return h;
}

/* The digests of sort, argsort and quantiles of the tied tensor along its last axis. */
static void digests(uint64_t out[3]) {
  SnTensor *x = tied();
  double q[4] = {0, 0.3, 0.5, 1};
  int64_t nq = 4;
  SnTensor *qt = sn_tensor_from_data(SN_F64, q, 1, &nq);
  SnTensor *r[3] = {sn_sort(x, 1), sn_argsort(x, 1), sn_quantiles(x, qt, 1)};
  for (int k = 0; k < 3; k++) {
    out[k] = r[k] ? digest(r[k]) : 0;
    if (r[k]) sn_tensor_release(r[k]);
  }
  sn_tensor_release(qt);
  sn_tensor_release(x);
}

TEST(same_bytes_on_any_thread_count) {
  static const char *counts[] = {"1", "2", "8"};
  uint64_t got[3][3];
  for (int k = 0; k < 3; k++) {
    int fd[2];
    CHECK(pipe(fd) == 0);
    pid_t pid = fork();
    if (pid == 0) {
      setenv("SINTER_THREADS", counts[k], 1);
      uint64_t d[3] = {0};
      if (sn_num_threads() == atoi(counts[k])) digests(d);
      _exit(write(fd[1], d, sizeof d) == sizeof d ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(read(fd[0], got[k], sizeof got[k]) == sizeof got[k]);
    close(fd[0]);
    close(fd[1]);
  }
  for (int k = 0; k < 3; k++) CHECK(got[k][0] && got[k][1] && got[k][2]);
  for (int k = 1; k < 3; k++) CHECK(memcmp(got[0], got[k], sizeof got[0]) == 0);
}

TEST(sorted_stable_permutation) {
  SnTensor *x = tied(), *s = sn_sort(x, 1), *a = sn_argsort(x, 1);
  CHECK(s && a);
  const double *xv = x->data, *sv = s->data;
  const int64_t *av = a->data;
  char *seen = calloc(COLS, 1);
  int bad = 0;
  for (int64_t i = 0; i < ROWS && !bad; i++) {
    memset(seen, 0, COLS);
    for (int64_t j = 0; j < COLS && !bad; j++) {
      int64_t p = av[i * COLS + j];
      if (p < 0 || p >= COLS || seen[p])
        bad = 1; /* not a permutation */
      else
        seen[p] = 1;
      if (!bad && xv[i * COLS + p] != sv[i * COLS + j]) bad = 2;             /* argsort gathers to sort */
      if (!bad && j > 0 && sv[i * COLS + j - 1] > sv[i * COLS + j]) bad = 3; /* in order */
      if (!bad && j > 0 && sv[i * COLS + j - 1] == sv[i * COLS + j] && av[i * COLS + j - 1] > p)
        bad = 4; /* stable */
    }
  }
  CHECK_EQ_INT(bad, 0);
  free(seen);
  sn_tensor_release(a);
  sn_tensor_release(s);
  sn_tensor_release(x);
}

TEST(strided_view_along_axis_0) {
  SnTensor *x = tied(), *t = sn_tensor_transpose(x, 0, 1), *c = sn_tensor_copy(t);
  SnTensor *st = sn_argsort(t, 0), *sc = sn_argsort(c, 0);
  CHECK(st && sc);
  CHECK(memcmp(st->data, sc->data, (size_t)ROWS * COLS * sizeof(int64_t)) == 0);
  sn_tensor_release(sc);
  sn_tensor_release(st);
  sn_tensor_release(c);
  sn_tensor_release(t);
  sn_tensor_release(x);
}

TEST(quantiles_from_sorted_lines) {
  SnTensor *x = tied(), *s = sn_sort(x, 1);
  double q[3] = {0.1, 0.5, 0.99};
  int64_t nq = 3;
  SnTensor *qt = sn_tensor_from_data(SN_F64, q, 1, &nq), *r = sn_quantiles(x, qt, 1), *m = sn_median(x, 1);
  CHECK(s && r && m && r->rank == 2 && r->shape[0] == 3 && r->shape[1] == ROWS);
  int bad = 0;
  for (int64_t i = 0; i < ROWS; i++) {
    const double *v = (const double *)s->data + i * COLS;
    for (int k = 0; k < 3; k++) {
      double h = (COLS - 1) * q[k], g = h - floor(h), lo = v[(int64_t)h], hi = v[(int64_t)h + 1];
      double want = g >= 0.5 ? hi - (hi - lo) * (1 - g) : lo + (hi - lo) * g;
      if (((double *)r->data)[k * ROWS + i] != want) bad++;
    }
    if (((double *)m->data)[i] != (v[COLS / 2 - 1] + v[COLS / 2]) / 2) bad++;
  }
  CHECK_EQ_INT(bad, 0);
  sn_tensor_release(m);
  sn_tensor_release(r);
  sn_tensor_release(qt);
  sn_tensor_release(s);
  sn_tensor_release(x);
}

/* The lines of topk(x, k, largest) against the first k of argsort(sign * x): the same indices
 * and the values they point at; returns the mismatches. */
static int64_t topk_vs_argsort(const SnTensor *x, int64_t k, int32_t largest) {
  SnTensor *y = sn_tensor_new(SN_F64, 2, x->shape);
  for (int64_t i = 0; i < ROWS * COLS; i++) ((double *)y->data)[i] = (largest ? -1 : 1) * ((double *)x->data)[i];
  SnTensor *a = sn_argsort(y, 1);
  SnResult *r = sn_topk("t:1:1", x, k, largest);
  SnTensor *v = sn_result_tensor(r, 0), *ix = sn_result_tensor(r, 1);
  int64_t bad = v->shape[0] != ROWS || v->shape[1] != k || ix->shape[1] != k;
  for (int64_t i = 0; !bad && i < ROWS; i++)
    for (int64_t j = 0; j < k; j++) {
      int64_t want = ((int64_t *)a->data)[i * COLS + j];
      bad += ((int64_t *)ix->data)[i * k + j] != want ||
             ((double *)v->data)[i * k + j] != ((double *)x->data)[i * COLS + want];
    }
  sn_tensor_release(v);
  sn_tensor_release(ix);
  sn_result_free(r);
  sn_tensor_release(a);
  sn_tensor_release(y);
  return bad;
}

TEST(topk_is_argsort_cut) {
  SnTensor *x = tied();
  for (int largest = 0; largest < 2; largest++) {
    CHECK_EQ_INT(topk_vs_argsort(x, 37, largest), 0);   /* a heap of k */
    CHECK_EQ_INT(topk_vs_argsort(x, 1500, largest), 0); /* the whole line sorted */
  }
  sn_tensor_release(x);
}

TEST(errors) {
  double v[3] = {1, 2, 3};
  int64_t n = 3;
  SnTensor *x = sn_tensor_from_data(SN_F64, v, 1, &n);
  CHECK(!sn_sort(x, 1));
  CHECK(strstr(sn_error_message(), "axis 1 is out of range") != NULL);
  CHECK(!sn_quantile(x, -0.1, 0));
  CHECK(strstr(sn_error_message(), "q must be in [0, 1]") != NULL);
  CHECK(!sn_quantile(x, NAN, -1));
  CHECK(!sn_topk("t.dsl:2:3", x, 4, 1));
  CHECK(strstr(sn_error_message(), "t.dsl:2:3") && strstr(sn_error_message(), "k = 4 is out of range"));
  uint8_t m[2] = {1, 0};
  int64_t two = 2;
  SnTensor *b = sn_tensor_from_data(SN_BOOL, m, 1, &two);
  CHECK(!sn_topk("t.dsl:2:3", b, 1, 1));
  CHECK(strstr(sn_error_message(), "topk needs numbers, not bool") != NULL);
  sn_tensor_release(b);
  sn_tensor_release(x);
}
