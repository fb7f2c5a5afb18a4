/* diag.c: source line tables and the printing of diagnostics:
 *
 *   prog.dsl:3:9: error: unknown name `xs`
 *    3 | let y = xs + 1
 *      |         ^~
 *      = hint: did you mean `x`?
 */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

#include "sinter/abi.h"

Source *source_new(Arena *a, const char *path, const char *text, size_t len) {
  /* a UTF-8 byte-order mark (some Windows editors write one) is not part of the program */
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) text += 3, len -= 3;
  Source *s = NEW(a, Source);
  s->path = arena_strdup(a, path);
  s->text = text;
  s->len = len;
  int n = 1;
  for (size_t i = 0; i < len; i++)
    if (text[i] == '\n') n++;
  s->line_starts = arena_alloc(a, (size_t)n * sizeof *s->line_starts);
  s->line_starts[0] = 0;
  int k = 1;
  for (size_t i = 0; i < len; i++)
    if (text[i] == '\n') s->line_starts[k++] = (uint32_t)(i + 1);
  s->nlines = n;
  return s;
}

/* Source lines longer than this many columns are shown as a window around the span. */
#define SNIPPET_WIDTH 100

/* Columns count characters: UTF-8 continuation bytes do not start a column. */
static int columns(const char *p, size_t n) {
  int c = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)p[i] & 0xC0) != 0x80) c++;
  return c;
}

static int line_of(const Source *s, uint32_t off) {
  int lo = 0, hi = s->nlines - 1;
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (s->line_starts[mid] <= off) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

void source_linecol(const Source *s, uint32_t off, int *line, int *col) {
  if (off > s->len) off = (uint32_t)s->len;
  int l = line_of(s, off);
  *line = s->line0 + l + 1;
  *col = columns(s->text + s->line_starts[l], off - s->line_starts[l]) + 1;
}

Span span_join(Span a, Span b) {
  if (!a.src) return b;
  if (!b.src || a.src != b.src) return a;
  Span s = a;
  if (b.lo < s.lo) s.lo = b.lo;
  if (b.hi > s.hi) s.hi = b.hi;
  return s;
}

/* A diagnostic already reported: the same message at the same place. A generic function's body
 * is checked at each call, so its one mistake would otherwise be reported once per call. */
static bool seen(const DiagBag *d, const Diag *g) {
  for (int i = 0; i < d->items.n; i++) {
    const Diag *o = d->items.items[i];
    if (o->level == g->level && o->span.src == g->span.src && o->span.lo == g->span.lo && o->span.hi == g->span.hi &&
        strcmp(o->msg, g->msg) == 0)
      return true;
  }
  return false;
}

static Diag *add(DiagBag *d, DiagLevel level, Span at, const char *fmt, va_list ap) {
  Diag *g = NEW(d->arena, Diag);
  g->level = level;
  g->span = at;
  g->msg = arena_vprintf(d->arena, fmt, ap);
  if (seen(d, g)) return g; /* kept out of the list; its hint and note go nowhere */
  if (level == DIAG_ERROR) {
    d->nerrors++;
    if (d->nerrors > DIAG_MAX_ERRORS) {
      d->truncated = true;
      return g; /* counted, kept out of the printed list */
    }
  } else if (level == DIAG_WARNING) {
    d->nwarnings++;
  }
  vec_push(d->arena, &d->items, g);
  return g;
}

Diag *diag_error(DiagBag *d, Span at, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Diag *g = add(d, DIAG_ERROR, at, fmt, ap);
  va_end(ap);
  return g;
}

Diag *diag_warning(DiagBag *d, Span at, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Diag *g = add(d, DIAG_WARNING, at, fmt, ap);
  va_end(ap);
  return g;
}

void diag_hint(DiagBag *d, Diag *g, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  g->hint = arena_vprintf(d->arena, fmt, ap);
  va_end(ap);
}

void diag_note(DiagBag *d, Diag *g, Span at, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Diag *n = NEW(d->arena, Diag);
  n->level = DIAG_NOTE;
  n->span = at;
  n->msg = arena_vprintf(d->arena, fmt, ap);
  va_end(ap);
  g->note = n;
}

static const char *level_name[] = {"error", "warning", "note"};
static const char *level_color[] = {"\033[1;31m", "\033[1;35m", "\033[1;36m"};

/* The source line with tabs shown as single spaces, so the caret line lines up. */
static void print_snippet(const Diag *g, FILE *f, bool color) {
  const Source *s = g->span.src;
  int line, col;
  source_linecol(s, g->span.lo, &line, &col);
  uint32_t start = s->line_starts[line - 1 - s->line0], end = start;
  while (end < s->len && s->text[end] != '\n') end++;
  if (end > start && s->text[end - 1] == '\r') end--;
  char num[16];
  int w = snprintf(num, sizeof num, "%d", line);
  /* a long line is shown as a window around the span, marked with ... */
  uint32_t from = start, to = end;
  if (columns(s->text + start, end - start) > SNIPPET_WIDTH) {
    from = g->span.lo > start + SNIPPET_WIDTH / 2 ? g->span.lo - SNIPPET_WIDTH / 2 : start;
    while (from > start && ((unsigned char)s->text[from] & 0xC0) == 0x80) from--;
    to = from + SNIPPET_WIDTH < end ? from + SNIPPET_WIDTH : end;
    while (to < end && ((unsigned char)s->text[to] & 0xC0) == 0x80) to++;
  }
  fprintf(f, " %s | %s", num, from > start ? "..." : "");
  for (uint32_t i = from; i < to; i++) {
    unsigned char c = (unsigned char)s->text[i];
    fputc(c == '\t' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : c, f);
  }
  fprintf(f, "%s\n %*s | ", to < end ? "..." : "", w, "");
  uint32_t hi = g->span.hi > to ? to : g->span.hi;
  int ncaret = hi > g->span.lo ? columns(s->text + g->span.lo, hi - g->span.lo) : 1;
  if (ncaret < 1) ncaret = 1;
  col = columns(s->text + from, g->span.lo - from) + 1 + (from > start ? 3 : 0);
  fprintf(f, "%*s", col - 1, "");
  if (color) fputs(level_color[g->level], f);
  fputc('^', f);
  for (int i = 1; i < ncaret; i++) fputc('~', f);
  if (color) fputs("\033[0m", f);
  fputc('\n', f);
}

void diag_print_one(const Diag *g, FILE *f, bool color) {
  const Source *s = g->span.src;
  if (s) {
    int line, col;
    source_linecol(s, g->span.lo, &line, &col);
    fprintf(f, "%s%s:%d:%d:%s ", color ? "\033[1m" : "", s->path, line, col, color ? "\033[0m" : "");
  }
  fprintf(f, "%s%s:%s %s\n", color ? level_color[g->level] : "", level_name[g->level],
          color ? "\033[0m" : "", g->msg);
  if (s) print_snippet(g, f, color);
  if (g->hint) {
    int w = 1;
    if (s) {
      int line, col;
      source_linecol(s, g->span.lo, &line, &col);
      char num[16];
      w = snprintf(num, sizeof num, "%d", line);
    }
    fprintf(f, " %*s = hint: %s\n", w, "", g->hint);
  }
  if (g->note) diag_print_one(g->note, f, color);
}

void diag_print(const DiagBag *d, FILE *f, bool color) {
  for (int i = 0; i < d->items.n; i++) diag_print_one(d->items.items[i], f, color);
  if (d->truncated)
    fprintf(f, "sinter: too many errors (%d); stopping after the first %d\n", d->nerrors,
            DIAG_MAX_ERRORS);
}

char *diag_where(Arena *a, Span sp) {
  if (!sp.src) return arena_strdup(a, "sinter");
  int line, col;
  source_linecol(sp.src, sp.lo, &line, &col);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  fprintf(f, "%s:%d:%d%c", sp.src->path, line, col, SN_WHERE_SNIPPET);
  Diag g = {.span = sp};
  print_snippet(&g, f, false);
  fclose(f);
  if (len && buf[len - 1] == '\n') buf[--len] = 0;
  char *r = arena_strdup(a, buf);
  free(buf);
  return r;
}
