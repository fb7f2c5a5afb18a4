/* fail.c: the failures generated code reports when a run-time value breaks a rule (an index
 * out of range, mismatched sizes, a failed check, a shape that is not the declared one), each
 * message starting with the source location and showing its line with a caret. */
#include "core/rt_core.h"
#include "sinter/abi.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* `where` is "file:line:col", optionally followed by SN_WHERE_SNIPPET and the source line with
 * a caret under the failing expression, as compile-time diagnostics show it. */
static SnStatus fail_at(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static SnStatus fail_at(const char *where, const char *fmt, ...) {
  char msg[SN_ERROR_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const char *snip = strchr(where, SN_WHERE_SNIPPET);
  int wl = snip ? (int)(snip - where) : (int)strlen(where);
  return sn_error_set("%.*s: error: %s%s%s", wl, where, msg, snip ? "\n" : "", snip ? snip + 1 : "");
}

SnStatus sn_fail_index(const char *where, const char *what, int64_t index, int64_t extent) {
  return fail_at(where, "index out of range: %s is %lld, but the size is %lld", what, (long long)index,
                 (long long)extent);
}

SnStatus sn_fail_dims(const char *where, const char *what, int64_t a, int64_t b) {
  return fail_at(where, "size mismatch: %s (%lld vs %lld)", what, (long long)a, (long long)b);
}

SnStatus sn_fail_size(const char *where, const char *what, int64_t n) {
  return fail_at(where, "invalid size: %s is %lld", what, (long long)n);
}

SnStatus sn_fail_msg(const char *where, const char *msg) { return fail_at(where, "%s", msg); }

SnStatus sn_fail_at(const char *where) { return fail_at(where, "%s", sn_error_message()); }

SnStatus sn_fail_check(const char *where, const char *msg, const char *hint, int32_t n,
                       const double *values, int32_t kinds) {
  char text[SN_ERROR_MAX];
  size_t k = 0;
  int used = 0;
  for (const char *p = msg; *p && k + 40 < sizeof text; p++) {
    if (p[0] == '{' && p[1] == '}' && used < n) {
      double v = values[used];
      switch ((kinds >> (2 * used)) & 3) {
      case SN_CHECK_F64: k += (size_t)sn_format_f64(text + k, v); break;
      case SN_CHECK_F32: k += (size_t)sn_format_f32(text + k, (float)v); break;
      case SN_CHECK_INT: k += (size_t)snprintf(text + k, sizeof text - k, "%lld", (long long)v); break;
      default: k += (size_t)snprintf(text + k, sizeof text - k, "%s", v != 0 ? "true" : "false"); break;
      }
      used++;
      p++;
      continue;
    }
    text[k++] = *p;
  }
  text[k] = 0;
  SnStatus st = fail_at(where, "%s", text);
  if (hint && *hint) snrt_error_append("\n   = hint: %s", hint);
  return st;
}

SnStatus sn_check_shape(const char *where, const char *what, const char *declared, int32_t usage,
                        const SnTensor *t, int64_t rank, const int64_t *expected) {
  int ok = t->rank == rank;
  for (int64_t i = 0; ok && i < rank; i++) ok = expected[i] < 0 || expected[i] == t->shape[i];
  if (ok) return 0;
  char got[256];
  int n = snprintf(got, sizeof got, "%s[", sn_dtype_name((SnDtype)t->dtype));
  for (int64_t i = 0; i < t->rank && n < (int)sizeof got - 24; i++)
    n += snprintf(got + n, sizeof got - (size_t)n, "%s%lld", i ? ", " : "", (long long)t->shape[i]);
  snprintf(got + n, sizeof got - (size_t)n, "]");
  char want[256];
  n = snprintf(want, sizeof want, "%s", declared);
  int sized = 0;
  for (int64_t i = 0; i < rank; i++) sized |= expected[i] >= 0;
  if (sized && t->rank == rank) {
    n += snprintf(want + n, sizeof want - (size_t)n, " with sizes [");
    for (int64_t i = 0; i < rank && n < (int)sizeof want - 24; i++) {
      if (expected[i] >= 0) n += snprintf(want + n, sizeof want - (size_t)n, "%s%lld", i ? ", " : "", (long long)expected[i]);
      else n += snprintf(want + n, sizeof want - (size_t)n, "%s_", i ? ", " : "");
    }
    snprintf(want + n, sizeof want - (size_t)n, "]");
  }
  fail_at(where, "%s: expected %s, got %s", what, want, got);
  snrt_error_mark_usage(usage);
  return 1;
}
