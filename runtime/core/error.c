/* error.c: the runtime's error channel: a message per thread, set by whatever fails and read by
 * whoever reports it, and whether it is about a program argument. */
#include "core/rt_core.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char error_buf[SN_ERROR_MAX];
static _Thread_local int error_is_usage; /* the message is about a program argument */

SnStatus sn_error_set(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(error_buf, sizeof error_buf, fmt, ap);
  va_end(ap);
  error_is_usage = 0;
  return 1;
}

int sn_error_is_usage(void) { return error_is_usage; }

const char *sn_error_message(void) { return error_buf; }

void sn_error_clear(void) { error_buf[0] = 0; }

void snrt_error_append(const char *fmt, ...) {
  size_t len = strlen(error_buf);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(error_buf + len, sizeof error_buf - len, fmt, ap);
  va_end(ap);
}

void snrt_error_mark_usage(int usage) { error_is_usage = usage != 0; }
