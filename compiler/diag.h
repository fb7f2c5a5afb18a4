/* diag.h: source files and diagnostics. A diagnostic names a span of a source file; the driver
 * prints it as file:line:col, the source line, a caret under the span, and a hint. */
#ifndef SN_DIAG_H
#define SN_DIAG_H

#include "util.h"

#include <stdio.h>

typedef struct Source {
  const char *path; /* as the user named it */
  const char *text; /* NUL-terminated; may also contain NUL bytes before len */
  size_t len;
  uint32_t *line_starts; /* byte offset of each line's first byte */
  int nlines;
  int line0;        /* lines before the text's first: a REPL input's place in the session */
  bool stdlib;      /* a file of the standard library (compiler/prelude.h) */
} Source;

/* A byte range [lo, hi) of one source. */
typedef struct Span {
  const Source *src;
  uint32_t lo, hi;
} Span;

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } DiagLevel;

typedef struct Diag {
  DiagLevel level;
  Span span;
  char *msg;
  char *hint; /* NULL when none */
  struct Diag *note; /* a secondary location ("declared here"), or NULL */
} Diag;

/* The diagnostics of one compilation, in the order found. Stops collecting after a limit so
 * one broken construct cannot flood the terminal. */
#define DIAG_MAX_ERRORS 25

typedef struct DiagBag {
  Arena *arena;
  PtrVec items;
  int nerrors, nwarnings;
  bool truncated;
} DiagBag;

Source *source_new(Arena *a, const char *path, const char *text, size_t len);
void source_linecol(const Source *s, uint32_t off, int *line, int *col);

Span span_join(Span a, Span b);

Diag *diag_error(DiagBag *d, Span at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
Diag *diag_warning(DiagBag *d, Span at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_hint(DiagBag *d, Diag *g, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(DiagBag *d, Diag *g, Span at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "file:line:col" followed by SN_WHERE_SNIPPET and the source line with a caret under the span,
 * for run-time errors (see sinter.h). */
char *diag_where(Arena *a, Span sp);

/* Prints every diagnostic; colour when `color`. */
void diag_print(const DiagBag *d, FILE *f, bool color);
void diag_print_one(const Diag *g, FILE *f, bool color);

#endif
