/* args.c: a program's command-line arguments (`arg` declarations): --name=value, --name value,
 * or positional, each parsed and checked against its declared type; --help lists them. A
 * tensor is written as a literal ([[1, 2], [3, 4]], core/literal.c) or given as a .npy file. */
#include "io/rt_io.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int edit_distance(const char *a, const char *b) {
  int la = (int)strlen(a), lb = (int)strlen(b);
  if (la > 64 || lb > 64) return 99;
  int d[65][65];
  for (int i = 0; i <= la; i++) d[i][0] = i;
  for (int j = 0; j <= lb; j++) d[0][j] = j;
  for (int i = 1; i <= la; i++)
    for (int j = 1; j <= lb; j++) {
      int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
      d[i][j] = c;
    }
  return d[la][lb];
}

static int out_of_range(const char *prog, const SnArgSpec *s, const char *text) {
  return sn_error_set("%s: argument --%s: %s is out of range for %s (%s)", prog, s->name, text, s->type,
                      snrt_dtype_range((SnDtype)s->dtype));
}

/* A scalar argument is read as i64 or f64 and must fit its declared dtype (s->dtype). */
static int parse_arg(const char *prog, const SnArgSpec *s, const char *text, SnArgValue *v) {
  char *end;
  errno = 0;
  switch (s->kind) {
  case SN_ARG_I64:
    v->i = strtoll(text, &end, 10);
    if (end == text || *end)
      return sn_error_set("%s: argument --%s: expected an integer (%s), got '%s'", prog, s->name, s->type,
                          text);
    /* strtoll checks i64's range; a double holds the narrower ranges exactly */
    if (errno == ERANGE || (s->dtype != SN_I64 && !snrt_dtype_holds((double)v->i, (SnDtype)s->dtype)))
      return out_of_range(prog, s, text);
    return 0;
  case SN_ARG_F64:
    v->f = strtod(text, &end);
    if (end == text || *end)
      return sn_error_set("%s: argument --%s: expected a number, got '%s'", prog, s->name, text);
    if ((errno == ERANGE && isinf(v->f)) || !snrt_dtype_holds(v->f, (SnDtype)s->dtype))
      return out_of_range(prog, s, text);
    return 0;
  case SN_ARG_BOOL:
    if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0) v->i = 1;
    else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0) v->i = 0;
    else
      return sn_error_set("%s: argument --%s: expected true or false, got '%s'", prog, s->name,
                          text);
    return 0;
  case SN_ARG_STR: v->s = text; return 0;
  default: {
    size_t tl = strlen(text);
    bool file = tl > 4 && strcmp(text + tl - 4, ".npy") == 0;
    v->t = file ? sn_npy_read(text) : sn_tensor_parse(text, (SnDtype)s->dtype);
    if (v->t && file && v->t->dtype != s->dtype) {
      SnDtype got = (SnDtype)v->t->dtype;
      sn_tensor_release(v->t);
      v->t = NULL;
      return sn_error_set("%s: argument --%s: expected %s, but %s holds %s values", prog, s->name, s->type, text,
                          sn_dtype_name(got));
    }
    if (v->t && file) {
      SnTensor *c = sn_tensor_contiguous(v->t);
      sn_tensor_release(v->t);
      v->t = c;
    }
    if (!v->t) {
      char msg[1024];
      snprintf(msg, sizeof msg, "%s", sn_error_message());
      return sn_error_set("%s: argument --%s (%s): %s", prog, s->name, s->type, msg);
    }
    if (v->t->rank != s->rank) {
      int64_t r = v->t->rank;
      sn_tensor_release(v->t);
      v->t = NULL;
      return sn_error_set("%s: argument --%s: expected %s, got a value of rank %lld", prog,
                          s->name, s->type, (long long)r);
    }
    return 0;
  }
  }
}

static void usage(const char *prog, const SnArgSpec *spec, int nspec) {
  printf("usage: %s", prog);
  for (int i = 0; i < nspec; i++) printf(" [--%s=%s]", spec[i].name, spec[i].type);
  printf("\n");
  if (nspec) printf("\narguments:\n");
  for (int i = 0; i < nspec; i++) {
    printf("  --%-16s %-14s", spec[i].name, spec[i].type);
    if (spec[i].def) printf(" (default %s)", spec[i].def);
    else printf(" (required)");
    printf("\n");
  }
}

int sn_args_parse(const char *prog, int argc, char **argv, const SnArgSpec *spec, int nspec,
                  SnArgValue *out) {
  const char *given[nspec > 0 ? nspec : 1];
  for (int i = 0; i < nspec; i++) given[i] = NULL;
  int next_positional = 0;
  for (int a = 0; a < argc; a++) {
    const char *arg = argv[a];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      usage(prog, spec, nspec);
      return 2;
    }
    if (strncmp(arg, "--", 2) == 0) {
      const char *name = arg + 2, *eq = strchr(name, '=');
      size_t len = eq ? (size_t)(eq - name) : strlen(name);
      int k = -1;
      for (int i = 0; i < nspec; i++)
        if (strlen(spec[i].name) == len && strncmp(spec[i].name, name, len) == 0) k = i;
      if (k < 0) {
        char want[128];
        snprintf(want, sizeof want, "%.*s", (int)len, name);
        int best = -1, bestd = 3;
        for (int i = 0; i < nspec; i++) {
          int d = edit_distance(want, spec[i].name);
          if (d < bestd) best = i, bestd = d;
        }
        if (best >= 0)
          return sn_error_set("%s: unknown argument --%s; did you mean --%s?", prog, want,
                              spec[best].name);
        return sn_error_set("%s: unknown argument --%s (--help lists the arguments)", prog, want);
      }
      const char *value;
      if (eq) value = eq + 1;
      else if (spec[k].kind == SN_ARG_BOOL) value = "true";
      else if (a + 1 < argc) value = argv[++a];
      else return sn_error_set("%s: argument --%s needs a value", prog, spec[k].name);
      if (given[k])
        return sn_error_set("%s: argument --%s is given twice ('%s' and '%s')", prog, spec[k].name, given[k], value);
      given[k] = value;
      continue;
    }
    while (next_positional < nspec && given[next_positional]) next_positional++;
    if (next_positional == nspec)
      return sn_error_set("%s: unexpected argument '%s' (--help lists the arguments)", prog, arg);
    given[next_positional++] = arg;
  }
  for (int i = 0; i < nspec; i++) out[i].t = NULL;
  for (int i = 0; i < nspec; i++) {
    const char *text = given[i] ? given[i] : spec[i].def;
    if (!text) {
      sn_args_free(spec, nspec, out);
      return sn_error_set("%s: missing argument --%s (%s)", prog, spec[i].name, spec[i].type);
    }
    if (parse_arg(prog, &spec[i], text, &out[i])) {
      sn_args_free(spec, nspec, out);
      return 1;
    }
  }
  return 0;
}

void sn_args_free(const SnArgSpec *spec, int nspec, SnArgValue *vals) {
  for (int i = 0; i < nspec; i++)
    if (spec[i].kind == SN_ARG_TENSOR && vals[i].t) {
      sn_tensor_release(vals[i].t);
      vals[i].t = NULL;
    }
}

int32_t sn_str_eq(const char *a, const char *b) { return strcmp(a, b) == 0; }
