/* rt_test.h: what the runtime's unit tests share on top of check.h: a scratch directory,
 * whole-file helpers, and generated transport problems. */
#ifndef SN_RT_TEST_H
#define SN_RT_TEST_H

#include "check.h"
#include "sinter.h"
#include "sinter/abi.h"

#include <unistd.h>

/* A fresh directory under $TMPDIR (or /tmp), removed with everything in it at exit. */
static char scratch_dir_[256];

static inline void scratch_remove_(void) {
  if (!scratch_dir_[0]) return;
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch_dir_);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", scratch_dir_);
}

static inline const char *scratch(void) {
  if (!scratch_dir_[0]) {
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch_dir_, sizeof scratch_dir_, "%s/sinter-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(scratch_dir_)) {
      perror("mkdtemp");
      exit(2);
    }
    atexit(scratch_remove_);
  }
  return scratch_dir_;
}

/* scratch()/name, in a static buffer that the next call reuses. */
static inline const char *scratch_path(const char *name) {
  static char buf[4][512];
  static int next;
  char *p = buf[next++ % 4];
  snprintf(p, sizeof buf[0], "%s/%s", scratch(), name);
  return p;
}

static inline int write_file(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  int ok = fwrite(data, 1, n, f) == n;
  return fclose(f) == 0 && ok;
}

/* The whole file in a malloc'd buffer (NUL-terminated, *n its length), NULL if unreadable. */
static inline char *read_file(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, len = 0;
  char *p = malloc(cap + 1);
  size_t got;
  while (p && (got = fread(p + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) {
      char *q = realloc(p, 2 * cap + 1);
      if (!q) {
        free(p);
        p = NULL;
        break;
      }
      p = q;
      cap *= 2;
    }
  }
  fclose(f);
  if (p) p[len] = 0;
  if (n) *n = len;
  return p;
}

/* CHECK that msg contains want. */
#define CHECK_HAS(msg, want)                                                                \
  do {                                                                                     \
    const char *m_ = (msg), *w_ = (want);                                                  \
    if (!strstr(m_, w_)) FAIL_AT("\"%s\" does not contain \"%s\"", m_, w_);                \
  } while (0)

/* --- transport problems: the tests' own data, independent of the runtime's RNG ------------- */

/* xorshift64 draws in [0, 1) from rng_state (seed it first). */
static uint64_t rng_state;
static inline double uniform01(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) * 0x1.0p-53;
}

/* Weights a [n], b [m] and a cost C [n, m], malloc'ed. */
typedef struct Problem {
  int64_t n, m;
  double *a, *b, *C;
} Problem;

/* C [n, m] = squared distances between two 3-D clouds of roughly normal points (sums of three
 * uniforms from rng_state), the second shifted by `shift` along x, scaled to max 1. */
static inline void cloud_cost(int64_t n, int64_t m, double shift, double *C) {
  double *x = malloc((size_t)(3 * (n + m)) * sizeof *x), *y = x + 3 * n, mx = 0;
  for (int64_t k = 0; k < 3 * (n + m); k++) x[k] = uniform01() + uniform01() + uniform01() - 1.5;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < m; j++) {
      double d0 = x[3 * i] - y[3 * j] - shift, d1 = x[3 * i + 1] - y[3 * j + 1];
      double d2 = x[3 * i + 2] - y[3 * j + 2];
      C[i * m + j] = d0 * d0 + d1 * d1 + d2 * d2;
      mx = fmax(mx, C[i * m + j]);
    }
  for (int64_t k = 0; k < n * m; k++) C[k] /= mx;
  free(x);
}

static inline void problem_free(Problem *p) {
  free(p->a);
  free(p->b);
  free(p->C);
}

#endif
