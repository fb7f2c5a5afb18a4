/* check.h: a minimal unit-test harness for the runtime's C tests. Each TEST is one counted test;
 * the binary prints "ok NAME", "FAIL NAME: file:line: what" or "skip NAME: why" per test (the
 * runner counts these lines) and exits non-zero when any failed. */
#ifndef SN_CHECK_H
#define SN_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*TestFn)(void);
#define MAX_TESTS 256
static struct { const char *name; TestFn fn; } tests_[MAX_TESTS];
static int ntests_;
static int failed_now_;
static const char *skipped_now_;

/* Ends the test without running the rest, counted as skipped: what this machine cannot run. */
#define SKIP(why)        \
  do {                   \
    skipped_now_ = why;  \
    return;              \
  } while (0)

#define TEST(tname)                                                                        \
  static void test_##tname(void);                                                           \
  __attribute__((constructor)) static void register_##tname(void) {                         \
    if (ntests_ < MAX_TESTS) tests_[ntests_].name = #tname, tests_[ntests_++].fn = test_##tname; \
  }                                                                                         \
  static void test_##tname(void)

#define FAIL_AT(...)                                                       \
  do {                                                                     \
    if (!failed_now_) printf("FAIL %s: %s:%d: ", current_test_, __FILE__, __LINE__); \
    else printf("  also %s:%d: ", __FILE__, __LINE__);                      \
    printf(__VA_ARGS__);                                                   \
    printf("\n");                                                          \
    failed_now_ = 1;                                                       \
  } while (0)

static const char *current_test_;

#define CHECK(cond)                                \
  do {                                             \
    if (!(cond)) FAIL_AT("CHECK(%s) failed", #cond); \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                              \
  do {                                                                                  \
    long long a_ = (long long)(a), b_ = (long long)(b);                                 \
    if (a_ != b_) FAIL_AT("%s == %s: %lld vs %lld", #a, #b, a_, b_);                    \
  } while (0)

/* |a - b| <= tol * max(1, |b|): relative for large values, absolute near zero. */
#define CHECK_NEAR(a, b, tol)                                                           \
  do {                                                                                  \
    double a_ = (double)(a), b_ = (double)(b), s_ = fabs(b_) > 1 ? fabs(b_) : 1;        \
    if (!(fabs(a_ - b_) <= (tol) * s_)) FAIL_AT("%s ~ %s: %.17g vs %.17g", #a, #b, a_, b_); \
  } while (0)

#define CHECK_STR(a, b)                                                                 \
  do {                                                                                  \
    const char *a_ = (a), *b_ = (b);                                                    \
    if (strcmp(a_, b_) != 0) FAIL_AT("%s == %s: \"%s\" vs \"%s\"", #a, #b, a_, b_);     \
  } while (0)

int main(void) {
  int nfail = 0;
  for (int i = 0; i < ntests_; i++) {
    current_test_ = tests_[i].name;
    failed_now_ = 0;
    skipped_now_ = NULL;
    tests_[i].fn();
    if (failed_now_) nfail++;
    else if (skipped_now_) printf("skip %s: %s\n", tests_[i].name, skipped_now_);
    else printf("ok %s\n", tests_[i].name);
    fflush(stdout);
  }
  return nfail != 0;
}

#endif
