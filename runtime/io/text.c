/* text.c: the builtin write_text: a text file made from a template whose `{}` and `{*}` take the
 * numbers of a vector, written atomically (a search writes the program that re-runs its best recipe). */
#include "io/rt_io.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The next hole in text at or after p: "{}" (*rest false) or "{*}" (*rest true); NULL if none. */
static const char *next_hole(const char *p, bool *rest) {
  const char *one = strstr(p, "{}"), *all = strstr(p, "{*}");
  *rest = all && (!one || all < one);
  return *rest ? all : one;
}

/* text with each "{}" replaced by the next element of values (a vector of numbers) and "{*}" by
 * all the elements left, separated by ", " (a list literal's inside), each printed as print()
 * prints an f64 (the shortest text that reads back as the same value; inf, -inf, nan); written
 * to path through a temporary file renamed into place. Every value must fill a hole: without
 * "{*}" there are as many "{}" as values; with it (once, after every "{}") at most as many. */
static SnStatus write_text(const char *path, const char *text, const SnTensor *values) {
  if (values->rank != 1) return sn_error_set("%s: write_text fills `{}` with the numbers of a vector, not of rank %lld", path, (long long)values->rank);
  int64_t n = values->shape[0], holes = 0, rests = 0;
  bool rest = false;
  for (const char *p = next_hole(text, &rest); p; p = next_hole(p + (rest ? 3 : 2), &rest)) {
    if (rests) return sn_error_set("%s: write_text's `{*}` takes the values left, so it must be the last hole of the text", path);
    rest ? rests++ : holes++;
  }
  if (rests ? holes > n : holes != n)
    return sn_error_set("%s: the text has %lld `{}` to fill but %lld values are given", path, (long long)holes, (long long)n);
  SnAtomicFile f;
  if (sn_io_atomic_open(&f, path)) return 1;
  SnStatus st = 0;
  int64_t k = 0;
  for (const char *p = text; !st;) {
    const char *hole = next_hole(p, &rest);
    size_t len = hole ? (size_t)(hole - p) : strlen(p);
    st = sn_io_atomic_write(&f, p, len);
    if (!hole || st) break;
    for (int64_t stop = rest ? n : k + 1, first = k; k < stop && !st; k++) {
      char num[48];
      int w = sn_format_f64(num, sn_tensor_get_f64(values, k));
      st = (k > first && sn_io_atomic_write(&f, ", ", 2)) || sn_io_atomic_write(&f, num, (size_t)w);
    }
    p = hole + (rest ? 3 : 2);
  }
  if (st) {
    sn_io_atomic_abort(&f);
    return st;
  }
  return sn_io_atomic_commit(&f);
}

SnStatus sn_write_text(const char *where, const char *path, const char *text, const SnTensor *values) {
  return write_text(path, text, values) ? snrt_io_fail_where(where) : 0;
}
