/* csv.c: CSV tables (RFC 4180) into a feature matrix and a label vector. The first
 * non-blank record names the columns (unless the file has no header); every other column holds
 * numbers; the label column may hold integers, numbers or text (class names). The delimiter, when
 * not given, is found from the first line. Every error names the file, the line and the column
 * (1-based, counting fields), so a bad value can be found in an editor. */
#include "io/rt_io.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fields shorter than this are parsed from a stack buffer. */
#define CSV_FIELD_STACK 64

typedef struct {
  const char *p, *end;
  const char *name; /* the file, for messages */
  char delim;
  int64_t line;     /* of the next character */
  /* The current field: its text (quotes removed), the line it started on, its column. */
  char *field;
  size_t len, cap;
  int64_t field_line, column;
  int quoted;
} Csv;

typedef struct {
  double *v;
  int64_t n, cap;
} Doubles;

typedef struct {
  char **v;
  int64_t n, cap;
} Strings;

static int push_double(Doubles *d, double x) {
  if (d->n == d->cap) {
    int64_t cap = d->cap ? d->cap * 2 : 1024;
    double *p = realloc(d->v, (size_t)cap * sizeof *p);
    if (!p) return 0;
    d->v = p;
    d->cap = cap;
  }
  d->v[d->n++] = x;
  return 1;
}

static int push_string(Strings *s, char *x) {
  if (s->n == s->cap) {
    int64_t cap = s->cap ? s->cap * 2 : 64;
    char **p = realloc(s->v, (size_t)cap * sizeof *p);
    if (!p) return 0;
    s->v = p;
    s->cap = cap;
  }
  s->v[s->n++] = x;
  return 1;
}

static void free_strings(Strings *s) {
  for (int64_t i = 0; i < s->n; i++) free(s->v[i]);
  free(s->v);
  s->v = NULL;
  s->n = s->cap = 0;
}

static int put(Csv *c, char ch) {
  if (c->len + 1 >= c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 128;
    char *p = realloc(c->field, cap);
    if (!p) return 0;
    c->field = p;
    c->cap = cap;
  }
  c->field[c->len++] = ch;
  c->field[c->len] = 0;
  return 1;
}

static SnStatus fail_at(const Csv *c, const char *what) {
  return sn_error_set("%s:%lld:%lld: %s", c->name, (long long)c->field_line, (long long)c->column, what);
}

/* Reads one field into c->field. *last is set when it ends its record (or the file). */
static SnStatus read_field(Csv *c, int *last) {
  c->len = 0;
  if (!put(c, 0)) return sn_error_set("%s: out of memory", c->name);
  c->len = 0;
  c->field_line = c->line;
  c->quoted = 0;
  if (c->p < c->end && *c->p == '"') {
    c->quoted = 1;
    c->p++;
    for (;;) {
      if (c->p >= c->end) return fail_at(c, "a quoted field is not closed before the end of the file");
      char ch = *c->p++;
      if (ch == '"') {
        if (c->p < c->end && *c->p == '"') c->p++;
        else break;
      } else if (ch == '\n') {
        c->line++;
      }
      if (!put(c, ch)) return sn_error_set("%s: out of memory", c->name);
    }
    if (c->p < c->end && *c->p != c->delim && *c->p != '\n' && *c->p != '\r')
      return fail_at(c, "text after the closing quote of a field");
  } else {
    while (c->p < c->end && *c->p != c->delim && *c->p != '\n' && *c->p != '\r') {
      if (*c->p == '"') return fail_at(c, "a quote inside an unquoted field (quote the whole field)");
      if (!put(c, *c->p++)) return sn_error_set("%s: out of memory", c->name);
    }
  }
  size_t bad = snrt_utf8_valid_prefix((const unsigned char *)c->field, c->len);
  if (bad != c->len) return fail_at(c, "invalid UTF-8");
  if (memchr(c->field, 0, c->len)) return fail_at(c, "a NUL byte in a field");
  if (c->p >= c->end) {
    *last = 1;
  } else if (*c->p == c->delim) {
    c->p++;
    *last = 0;
  } else {
    if (*c->p == '\r') c->p++;
    if (c->p < c->end && *c->p == '\n') c->p++;
    c->line++;
    *last = 1;
  }
  return 0;
}

/* Skips lines that hold nothing at all; returns 0 at the end of the file. */
static int next_record(Csv *c) {
  while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
    if (*c->p == '\n') c->line++;
    else if (c->p + 1 >= c->end || c->p[1] != '\n') c->line++; /* a lone CR ends a line too */
    c->p++;
  }
  return c->p < c->end;
}

/* The field without surrounding spaces and tabs (unquoted fields only). */
static char *trimmed(Csv *c, size_t *n) {
  char *s = c->field;
  size_t len = c->len;
  if (!c->quoted) {
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
  }
  *n = len;
  return s;
}

static int is_integer_text(const char *s, size_t n) {
  size_t i = n && (*s == '-' || *s == '+');
  if (i == n) return 0;
  for (; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

/* The field as a number: 1 on success, 0 when it is not one. */
static int field_number(Csv *c, double *out, int *integer) {
  size_t n;
  char *s = trimmed(c, &n);
  if (!n) return 0;
  char stack[CSV_FIELD_STACK], *buf = n < sizeof stack ? stack : malloc(n + 1);
  if (!buf) return 0;
  memcpy(buf, s, n);
  buf[n] = 0;
  char *end;
  errno = 0;
  double v = strtod(buf, &end);
  int ok = end == buf + n && end != buf;
  if (buf != stack) free(buf);
  if (!ok) return 0;
  *out = v;
  *integer = is_integer_text(s, n);
  return 1;
}

/* Is s, all of it, a number? */
static int number_text(const char *s) {
  char *end;
  errno = 0;
  strtod(s, &end);
  return *s && *end == 0;
}

/* The delimiter of a file that names none: the most frequent of , tab ; | on the first
 * non-blank line, outside quotes (',' when the line has none of them: one column). */
static char sniff_delimiter(const char *p, const char *end) {
  static const char cands[] = {',', '\t', ';', '|'};
  int64_t count[sizeof cands] = {0};
  while (p < end && (*p == '\n' || *p == '\r')) p++;
  for (int quoted = 0; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
    if (*p == '"') quoted = !quoted;
    for (size_t k = 0; !quoted && k < sizeof cands; k++) count[k] += *p == cands[k];
  }
  size_t best = 0;
  for (size_t k = 1; k < sizeof cands; k++)
    if (count[k] > count[best]) best = k;
  return cands[best];
}

static int cmp_str_ptr(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* y, label_type and the classes from the label column's text, one string a row. */
static SnStatus finish_label(const Csv *c, const Strings *labels, const int64_t *label_lines,
                             int64_t label_col, SnCsvData *out) {
  int64_t rows = labels->n;
  int all_int = 1, all_num = 1;
  for (int64_t i = 0; i < rows && all_num; i++) {
    const char *s = labels->v[i];
    all_num = number_text(s);
    all_int = all_int && all_num && is_integer_text(s, strlen(s));
  }
  SnTensor *y;
  if (all_int) {
    out->label_type = SN_CSV_INT;
    y = sn_tensor_new(SN_I64, 1, &rows);
    for (int64_t i = 0; y && i < rows; i++) {
      errno = 0;
      long long v = strtoll(labels->v[i], NULL, 10);
      if (errno == ERANGE) {
        sn_tensor_release(y);
        return sn_error_set("%s:%lld:%lld: column '%s': %s does not fit 64 bits", c->name,
                            (long long)label_lines[i], (long long)label_col + 1, out->label_name,
                            labels->v[i]);
      }
      ((int64_t *)y->data)[i] = v;
    }
  } else if (all_num) {
    out->label_type = SN_CSV_FLOAT;
    y = sn_tensor_new(SN_F64, 1, &rows);
    for (int64_t i = 0; y && i < rows; i++) ((double *)y->data)[i] = strtod(labels->v[i], NULL);
  } else {
    out->label_type = SN_CSV_TEXT;
    /* Classes: the distinct names, sorted. */
    char **sorted = malloc((size_t)(rows ? rows : 1) * sizeof *sorted);
    if (!sorted) return sn_error_set("%s: out of memory", c->name);
    if (rows) memcpy(sorted, labels->v, (size_t)rows * sizeof *sorted);
    qsort(sorted, (size_t)rows, sizeof *sorted, cmp_str_ptr);
    int64_t k = 0;
    for (int64_t i = 0; i < rows; i++)
      if (i == 0 || strcmp(sorted[i], sorted[k - 1])) sorted[k++] = sorted[i];
    out->classes = calloc((size_t)(k ? k : 1), sizeof *out->classes);
    if (!out->classes) {
      free(sorted);
      return sn_error_set("%s: out of memory", c->name);
    }
    for (int64_t i = 0; i < k; i++)
      if (!(out->classes[i] = strdup(sorted[i]))) {
        out->nclasses = i;
        free(sorted);
        return sn_error_set("%s: out of memory", c->name);
      }
    out->nclasses = k;
    y = sn_tensor_new(SN_I64, 1, &rows);
    for (int64_t i = 0; y && i < rows; i++) {
      int64_t lo = 0, hi = k;
      while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (strcmp(sorted[mid], labels->v[i]) < 0) lo = mid + 1;
        else hi = mid;
      }
      ((int64_t *)y->data)[i] = lo;
    }
    free(sorted);
  }
  if (!y) return 1;
  out->y = y;
  return 0;
}

SnStatus sn_csv_parse(const char *text, size_t size, const char *name, const SnCsvSpec *spec,
                      SnCsvData *out) {
  memset(out, 0, sizeof *out);
  SnDtype dtype = spec ? (SnDtype)spec->dtype : SN_F32;
  if (dtype != SN_F32 && dtype != SN_F64)
    return sn_error_set("%s: CSV features are read as f32 or f64, not %s", name, sn_dtype_name(dtype));
  char given = spec ? spec->delimiter : 0;
  int32_t header = spec ? spec->header : SN_CSV_HEADER_CHECK;
  Csv c = {text, text + size, name, given, 1, NULL, 0, 0, 1, 1, 0};
  if (c.delim == '"' || c.delim == '\n' || c.delim == '\r') return sn_error_set("%s: invalid delimiter", name);
  if (size >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) c.p += 3; /* a byte order mark */
  if (!given) c.delim = sniff_delimiter(c.p, c.end);
  Strings names = {0}, labels = {0};
  Doubles values = {0};
  int64_t *label_lines = NULL, nlines = 0, caplines = 0;
  int *is_int = NULL;
  SnStatus st = 0;
  int last = 0;

  /* The header (the first record, read again as data when the file has none). */
  if (!next_record(&c)) {
    st = header == SN_CSV_HEADER_NO ? sn_error_set("%s: empty file", name)
                                     : sn_error_set("%s: empty file: a header row naming the columns is needed", name);
    goto done;
  }
  const char *first = c.p;
  int64_t first_line = c.line;
  for (c.column = 1, last = 0; !last && !st; c.column++) {
    if ((st = read_field(&c, &last))) break;
    size_t n;
    char *s = trimmed(&c, &n), num[24];
    if (header == SN_CSV_HEADER_NO) { /* a row of data: the columns are named by their numbers */
      n = (size_t)snprintf(num, sizeof num, "%lld", (long long)c.column);
      s = num;
    }
    if (!n) {
      st = fail_at(&c, "empty column name in the header");
      break;
    }
    char *copy = strndup(s, n);
    if (!copy || !push_string(&names, copy)) {
      free(copy);
      st = sn_error_set("%s: out of memory", name);
      break;
    }
    for (int64_t i = 0; i + 1 < names.n; i++)
      if (!strcmp(names.v[i], copy)) {
        char msg[320];
        snprintf(msg, sizeof msg, "duplicate column name '%.200s' (also column %lld)", copy, (long long)i + 1);
        st = fail_at(&c, msg);
        break;
      }
  }
  if (st) goto done;
  int64_t ncols = names.n, label_col = -1;
  if (header == SN_CSV_HEADER_NO) {
    c.p = first;
    c.line = first_line;
  } else if (header == SN_CSV_HEADER_CHECK) {
    int64_t numbers = 0;
    for (int64_t i = 0; i < ncols; i++) numbers += number_text(names.v[i]);
    if (numbers == ncols) {
      char row[128]; /* 60 characters and one more name of at most 40 */
      size_t k = 0;
      for (int64_t i = 0; i < ncols && k < 60; i++)
        k += (size_t)snprintf(row + k, sizeof row - k, "%s%.40s", i ? ", " : "", names.v[i]);
      st = sn_error_set("%s:%lld: the first row (%s%s) holds only numbers: it looks like data, not a header naming "
                        "the columns; pass header=false for a file without one, or header=true if these are the names",
                        name, (long long)first_line, row, k >= 60 ? ", ..." : "");
      goto done;
    }
  }
  if (!given && ncols == 1 && spec && spec->label) {
    st = sn_error_set("%s:%lld: the header names one column, '%.60s', so no feature is left besides the label; if "
                      "the fields are separated by another character than , tab ; or |, pass sep=\"...\"",
                      name, (long long)first_line, names.v[0]);
    goto done;
  }
  if (spec && spec->label) {
    for (int64_t i = 0; i < ncols && label_col < 0; i++)
      if (!strcmp(names.v[i], spec->label)) label_col = i;
    if (label_col < 0 && !strcmp(spec->label, "first")) label_col = 0;
    if (label_col < 0 && !strcmp(spec->label, "last")) label_col = ncols - 1;
    if (label_col < 0) {
      st = sn_error_set("%s: no column named '%s' for the label (the header names %lld columns)",
                        name, spec->label, (long long)ncols);
      goto done;
    }
  }
  int64_t nfeat = ncols - (label_col >= 0);
  is_int = malloc((size_t)(ncols ? ncols : 1) * sizeof *is_int);
  if (!is_int) {
    st = sn_error_set("%s: out of memory", name);
    goto done;
  }
  for (int64_t i = 0; i < ncols; i++) is_int[i] = 1;

  /* The records. */
  int64_t rows = 0;
  while (!st && next_record(&c)) {
    int64_t record_line = c.line;
    for (c.column = 1, last = 0; !last; c.column++) {
      if ((st = read_field(&c, &last))) break;
      int64_t col = c.column - 1;
      if (col >= ncols) {
        st = sn_error_set("%s:%lld: more than the %lld fields the header names", name,
                          (long long)record_line, (long long)ncols);
        break;
      }
      if (col == label_col) {
        size_t n;
        char *s = trimmed(&c, &n);
        if (!n) {
          char msg[320];
          snprintf(msg, sizeof msg, "column '%.200s': empty label", names.v[col]);
          st = fail_at(&c, msg);
          break;
        }
        char *copy = strndup(s, n);
        if (!copy || !push_string(&labels, copy)) {
          free(copy);
          st = sn_error_set("%s: out of memory", name);
          break;
        }
        if (nlines == caplines) {
          caplines = caplines ? 2 * caplines : 1024;
          int64_t *p = realloc(label_lines, (size_t)caplines * sizeof *p);
          if (!p) {
            st = sn_error_set("%s: out of memory", name);
            break;
          }
          label_lines = p;
        }
        label_lines[nlines++] = c.field_line;
        continue;
      }
      double v;
      int integer;
      if (!field_number(&c, &v, &integer)) {
        size_t n;
        char *s = trimmed(&c, &n);
        char msg[320];
        if (!n) snprintf(msg, sizeof msg, "column '%.100s': empty value (missing values are not supported)", names.v[col]);
        else snprintf(msg, sizeof msg, "column '%.100s': expected a number, got '%.*s'", names.v[col], n > 40 ? 40 : (int)n, s);
        st = fail_at(&c, msg);
        break;
      }
      is_int[col] &= integer;
      if (!push_double(&values, v)) {
        st = sn_error_set("%s: out of memory", name);
        break;
      }
    }
    if (!st && c.column - 1 < ncols)
      st = sn_error_set("%s:%lld: %lld fields, but the header names %lld columns", name,
                        (long long)record_line, (long long)(c.column - 1), (long long)ncols);
    rows++;
  }
  if (st) goto done;

  /* The results. */
  int64_t shape[2] = {rows, nfeat};
  out->x = sn_tensor_new(dtype, 2, shape);
  out->names = calloc((size_t)(nfeat ? nfeat : 1), sizeof *out->names);
  out->types = calloc((size_t)(nfeat ? nfeat : 1), sizeof *out->types);
  if (!out->x || !out->names || !out->types) {
    st = out->x ? sn_error_set("%s: out of memory", name) : 1;
    goto done;
  }
  if (dtype == SN_F64 && values.n) memcpy(out->x->data, values.v, (size_t)values.n * sizeof(double));
  else
    for (int64_t i = 0; i < rows * nfeat; i++) ((float *)out->x->data)[i] = (float)values.v[i];
  out->nfeatures = nfeat;
  for (int64_t i = 0, k = 0; i < ncols; i++) {
    if (i == label_col) {
      out->label_name = names.v[i];
      names.v[i] = NULL;
      continue;
    }
    out->types[k] = is_int[i] ? SN_CSV_INT : SN_CSV_FLOAT;
    out->names[k++] = names.v[i];
    names.v[i] = NULL;
  }
  if (label_col >= 0) st = finish_label(&c, &labels, label_lines, label_col, out);

done:
  free(c.field);
  free_strings(&names);
  free_strings(&labels);
  free(values.v);
  free(label_lines);
  free(is_int);
  if (st) sn_csv_free(out);
  return st;
}

SnStatus sn_csv_read(const char *path, const SnCsvSpec *spec, SnCsvData *out) {
  memset(out, 0, sizeof *out);
  SnBuffer *buf = sn_buffer_map_file(path);
  if (!buf) return 1;
  SnStatus st = sn_csv_parse(sn_buffer_data(buf), sn_buffer_size(buf), path, spec, out);
  sn_buffer_release(buf);
  return st;
}

void sn_csv_free(SnCsvData *d) {
  sn_tensor_release(d->x);
  sn_tensor_release(d->y);
  for (int64_t i = 0; d->names && i < d->nfeatures; i++) free(d->names[i]);
  for (int64_t i = 0; d->classes && i < d->nclasses; i++) free(d->classes[i]);
  free(d->names);
  free(d->types);
  free(d->label_name);
  free(d->classes);
  memset(d, 0, sizeof *d);
}
