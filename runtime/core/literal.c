/* literal.c: tensors written as text, [[1, 2], [3, 4]]: nested lists of numbers (or true and
 * false) of one depth and equal lengths, each element checked against the dtype it is read as. */
#include "core/rt_core.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *p;      /* the next character */
  const char *start;  /* the whole text, for positions in messages */
  int64_t shape[SN_MAX_RANK];
  int64_t rank;       /* -1 until the first scalar fixes the nesting depth */
  double *vals;
  int64_t n, cap;
  int64_t overflow;   /* the first element beyond f64's range (strtod gives inf), or -1 */
  char overflow_text[32];
} LitParser;

static void skip_space(LitParser *lp) {
  while (*lp->p == ' ' || *lp->p == '\t' || *lp->p == '\n') lp->p++;
}

static int lit_fail(LitParser *lp, const char *what) {
  sn_error_set("%s at character %d of '%s'", what, (int)(lp->p - lp->start) + 1, lp->start);
  return 0;
}

static int push(LitParser *lp, double v) {
  if (lp->n == lp->cap) {
    int64_t cap = lp->cap ? lp->cap * 2 : 16;
    double *nv = realloc(lp->vals, (size_t)cap * sizeof *nv);
    if (!nv) return lit_fail(lp, "out of memory");
    lp->vals = nv;
    lp->cap = cap;
  }
  lp->vals[lp->n++] = v;
  return 1;
}

static int parse_number(LitParser *lp, double *v) {
  char *end;
  if (strncmp(lp->p, "true", 4) == 0) {
    *v = 1;
    lp->p += 4;
    return 1;
  }
  if (strncmp(lp->p, "false", 5) == 0) {
    *v = 0;
    lp->p += 5;
    return 1;
  }
  errno = 0;
  *v = strtod(lp->p, &end);
  if (end == lp->p) return lit_fail(lp, "expected a number");
  if (errno == ERANGE && isinf(*v) && lp->overflow < 0) {
    lp->overflow = lp->n;
    snprintf(lp->overflow_text, sizeof lp->overflow_text, "%.*s", (int)(end - lp->p), lp->p);
  }
  lp->p = end;
  return 1;
}

/* value := number | '[' value (',' value)* ']'; every list at one depth has the same length. */
static int parse_value(LitParser *lp, int64_t depth) {
  skip_space(lp);
  if (*lp->p != '[') {
    if (lp->rank < 0) lp->rank = depth;
    else if (lp->rank != depth) return lit_fail(lp, "ragged nesting: expected '['");
    double v;
    return parse_number(lp, &v) && push(lp, v);
  }
  if (depth >= SN_MAX_RANK) return lit_fail(lp, "too deeply nested");
  if (lp->rank >= 0 && depth >= lp->rank) return lit_fail(lp, "ragged nesting: expected a number");
  lp->p++;
  int64_t count = 0;
  skip_space(lp);
  if (*lp->p == ']') return lit_fail(lp, "empty list");
  for (;;) {
    if (!parse_value(lp, depth + 1)) return 0;
    count++;
    skip_space(lp);
    if (*lp->p == ',') {
      lp->p++;
      continue;
    }
    if (*lp->p == ']') {
      lp->p++;
      break;
    }
    return lit_fail(lp, "expected ',' or ']'");
  }
  if (lp->shape[depth] == 0) lp->shape[depth] = count;
  else if (lp->shape[depth] != count) return lit_fail(lp, "rows of different lengths");
  return 1;
}

SnTensor *sn_tensor_parse(const char *text, SnDtype dtype) {
  LitParser lp = {.p = text, .start = text, .rank = -1, .overflow = -1};
  SnTensor *t = NULL;
  if (!parse_value(&lp, 0)) goto done;
  skip_space(&lp);
  if (*lp.p) {
    lit_fail(&lp, "unexpected text after the value");
    goto done;
  }
  if (lp.overflow >= 0) {
    sn_error_set("element %lld (%s) of '%s' is out of range for %s (%s)", (long long)lp.overflow, lp.overflow_text,
                 text, sn_dtype_name(dtype), snrt_dtype_range(dtype));
    goto done;
  }
  for (int64_t i = 0; i < lp.n; i++)
    if (!snrt_dtype_holds(lp.vals[i], dtype)) {
      if (dtype == SN_BOOL || lp.vals[i] != floor(lp.vals[i]))
        sn_error_set("element %lld (%g) of '%s' is not a valid %s", (long long)i, lp.vals[i], text,
                     sn_dtype_name(dtype));
      else
        sn_error_set("element %lld (%g) of '%s' is out of range for %s (%s)", (long long)i, lp.vals[i], text,
                     sn_dtype_name(dtype), snrt_dtype_range(dtype));
      goto done;
    }
  t = sn_tensor_new(dtype, lp.rank, lp.shape);
  if (t)
    for (int64_t i = 0; i < lp.n; i++) sn_tensor_set_f64(t, i, lp.vals[i]);
done:
  free(lp.vals);
  return t;
}
