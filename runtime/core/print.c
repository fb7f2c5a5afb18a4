/* print.c: print() in a program: values on the program's output, numbers in their shortest
 * round-trip form (format.c), tensors in nested brackets, summarised NumPy-style when they are
 * large. */
#include "core/rt_core.h"

#include <signal.h>
#include <stdio.h>

/* NumPy's defaults: summarise past 1000 elements, showing 3 at each edge of every axis. */
#define SN_PRINT_THRESHOLD 1000
#define SN_PRINT_EDGE 3

static FILE *out;

/* How many print calls are under way: stdio is not reentrant, so the exit-signal handler of
 * io/program.c flushes stdout only when it interrupted none. */
static volatile sig_atomic_t printing;

int sn_print_busy(void) { return printing != 0; }

void sn_set_output(FILE *f) { out = f; }

static FILE *output(void) { return out ? out : stdout; }

void sn_print_str(const char *s) {
  printing++;
  fputs(s, output());
  printing--;
}

void sn_print_i64(int64_t v) {
  printing++;
  fprintf(output(), "%lld", (long long)v);
  printing--;
}

void sn_print_bool(int32_t v) { sn_print_str(v ? "true" : "false"); }

void sn_print_f32(float v) {
  char buf[40];
  sn_format_f32(buf, v);
  sn_print_str(buf);
}

void sn_print_f64(double v) {
  char buf[40];
  sn_format_f64(buf, v);
  sn_print_str(buf);
}

void sn_print_f16(float v) {
  char buf[40];
  sn_format_f16(buf, v);
  sn_print_str(buf);
}

void sn_print_bf16(float v) {
  char buf[40];
  sn_format_bf16(buf, v);
  sn_print_str(buf);
}

void sn_print_end(void) { sn_print_str("\n"); }

static void print_element(const SnTensor *t, int64_t i) {
  const char *p = sn_tensor_at(t, i);
  switch ((SnDtype)t->dtype) {
  case SN_BOOL: sn_print_bool(*(const uint8_t *)p); break;
  case SN_I8: sn_print_i64(*(const int8_t *)p); break;
  case SN_U8: sn_print_i64(*(const uint8_t *)p); break;
  case SN_I32: sn_print_i64(*(const int32_t *)p); break;
  case SN_I64: sn_print_i64(*(const int64_t *)p); break;
  case SN_F16: sn_print_f16(sn_f16_to_f32(*(const uint16_t *)p)); break;
  case SN_BF16: sn_print_bf16(sn_bf16_to_f32(*(const uint16_t *)p)); break;
  case SN_F32: sn_print_f32(*(const float *)p); break;
  case SN_F64: sn_print_f64(*(const double *)p); break;
  default: break;
  }
}

/* Prints the sub-tensor at `axis` whose first element is `base`; rows of a matrix go on their
 * own lines, indented to line up under the opening bracket. */
static void print_axis(const SnTensor *t, int64_t axis, int64_t base, int summarise) {
  FILE *f = output();
  int64_t n = t->shape[axis];
  int64_t stride = 1;
  for (int64_t k = axis + 1; k < t->rank; k++) stride *= t->shape[k];
  fputc('[', f);
  for (int64_t i = 0; i < n; i++) {
    if (summarise && n > 2 * SN_PRINT_EDGE && i == SN_PRINT_EDGE) {
      fputs("...", f);
      i = n - SN_PRINT_EDGE;
      if (axis + 1 < t->rank) fprintf(f, ",\n%*s", (int)(axis + 1), "");
      else fputs(", ", f);
    }
    if (axis + 1 == t->rank) print_element(t, base + i);
    else print_axis(t, axis + 1, base + i * stride, summarise);
    if (i + 1 < n) {
      if (axis + 1 < t->rank) {
        fputc(',', f);
        for (int64_t k = axis + 2; k < t->rank; k++) fputc('\n', f);
        fprintf(f, "\n%*s", (int)(axis + 1), "");
      } else {
        fputs(", ", f);
      }
    }
  }
  fputc(']', f);
}

void sn_print_tensor(const SnTensor *t) {
  printing++;
  if (t->rank == 0) print_element(t, 0);
  else if (sn_tensor_numel(t) == 0) fputs("[]", output()); /* as NumPy shows an empty array of any shape */
  else print_axis(t, 0, 0, sn_tensor_numel(t) > SN_PRINT_THRESHOLD);
  printing--;
}
