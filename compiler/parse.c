/* parse.c: the parser driver. Feeds the lexer's tokens to the Lemon parser (grammar.y) and
 *  - drops line breaks inside ( ) and [ ], after a token that cannot end a statement (an
 *    operator, `,`, `=`), and before `then`, `else` and `until`, so long expressions can span
 *    lines;
 *  - reads `loss` and `transport` as names except where they start a declaration, and `all` and
 *    `any` except where they are called;
 *  - marks a `-` that follows `RED(...)` with space before and none after as T_PMINUS, the start
 *    of the reduction's body (`lse(j) -c[i,j]`), where `sum(x) - 1` stays a subtraction;
 *  - recovers from a syntax error by skipping to the next statement and restarting the parser,
 *    so one run reports the errors of many statements. */
#include "parse.h"
#include "grammar.h"

#include <stdlib.h>
#include <string.h>

/* Open brackets the driver tracks: ( [ { and whether a `(` follows a reduction keyword. */
typedef struct Open {
  int kind;
  bool after_red;
  Span span;
} Open;

typedef struct Driver {
  ParseCtx *ctx;
  int errors_at_stmt;   /* diagnostics count when the current statement began */
  int ifs, thens, elses;/* keywords seen in the current statement, for hints */
  bool open_until;      /* an `until` still waiting for its `max` */
  Lexer lx;
  void *parser;
  Open open[MAX_AST_DEPTH];
  int nopen;
  int prev;             /* kind of the last token fed to the parser (T_NEWLINE at a start) */
  int last_ok;          /* kind of the last token the parser accepted */
  bool prev_red_close;  /* the last token was the `)` of `RED(...)` */
  bool prev_was_red;    /* the last token was a reduction keyword */
  Token ahead;          /* one token of lookahead */
  bool have_ahead;
} Driver;

static bool is_binary_op(int k) {
  switch (k) {
  case T_PLUS: case T_MINUS: case T_STAR: case T_SLASH: case T_PERCENT: case T_CARET: case T_AT:
  case T_EQEQ: case T_NE: case T_LT: case T_LE: case T_GT: case T_GE: case T_AND: case T_OR:
    return true;
  default:
    return false;
  }
}

static void next_raw(Driver *d, Token *t) {
  if (d->have_ahead) {
    *t = d->ahead;
    d->have_ahead = false;
    return;
  }
  lexer_next(&d->lx, t);
}

static int peek_kind(Driver *d) {
  if (!d->have_ahead) {
    lexer_next(&d->lx, &d->ahead);
    d->have_ahead = true;
  }
  return d->ahead.kind;
}

/* A line break after one of these cannot end a statement. */
static bool continues_line(int k) {
  return is_binary_op(k) || k == T_COMMA || k == T_EQ || k == T_LP || k == T_LB || k == T_ARROW ||
         k == T_COLON || k == T_THEN || k == T_ELSE || k == T_NOT || k == T_DOT || k == T_UNTIL;
}

static bool is_comparison(int k) {
  return k == T_EQEQ || k == T_NE || k == T_LT || k == T_LE || k == T_GT || k == T_GE;
}

/* What an unexpected token is called in a message: its text for names and numbers. */
static const char *describe(Driver *d, int major, const Token *tok) {
  const Source *src = d->ctx->src;
  if (major == 0 || (major == T_NEWLINE && tok->span.lo >= src->len)) return "end of input";
  if (major == T_NAME || major == T_INT || major == T_FLOAT) {
    int n = (int)(tok->span.hi - tok->span.lo);
    const char *what = major == T_NAME ? "name " : "";
    if (n > 24) return arena_printf(d->ctx->arena, "%s`%.24s...`", what, src->text + tok->span.lo);
    return arena_printf(d->ctx->arena, "%s`%.*s`", what, n, src->text + tok->span.lo);
  }
  if (major == T_STRING) return "string";
  if (major == T_NEWLINE || major == T_SEMI || tok->span.hi <= tok->span.lo) return token_name(major);
  /* keywords and symbols as written */
  return arena_printf(d->ctx->arena, "`%.*s`", (int)(tok->span.hi - tok->span.lo), src->text + tok->span.lo);
}

/* Reports the syntax error the parser recorded, with the most useful hint for its context.
 * An error in a statement that already has one (say a bad character) is a consequence of it and
 * is not reported. */
static void report_syntax_error(Driver *d) {
  ParseCtx *ctx = d->ctx;
  DiagBag *diags = ctx->diags;
  if (diags->nerrors > d->errors_at_stmt) return;
  int major = ctx->err_major;
  const Token *tok = &ctx->err_tok;
  Open *unclosed = NULL;
  bool at_end = major == 0 || (major == T_NEWLINE && tok->span.lo >= ctx->src->len);
  if (at_end && d->nopen > 0) {
    unclosed = &d->open[d->nopen - 1];
  } else if (d->nopen > 0 && d->open[d->nopen - 1].kind != T_LBRACE) {
    int l1, c1, l2, c2;
    source_linecol(ctx->src, d->open[d->nopen - 1].span.lo, &l1, &c1);
    source_linecol(ctx->src, tok->span.lo, &l2, &c2);
    if (l1 < l2) unclosed = &d->open[d->nopen - 1];
  }
  bool juxtaposed = major == T_NAME || major == T_INT || major == T_FLOAT || major == T_STRING || major == T_LP;
  Buf b = {0};
  buf_printf(&b, "unexpected %s", describe(d, major, tok));
  /* a short list of what would have fitted helps; a long one is noise */
  const char *names[8];
  int n = 0;
  bool name_expected = false;
  for (int i = 0; i < ctx->err_nexpected; i++) name_expected |= ctx->err_expected[i] == T_NAME;
  for (int i = 0; i < ctx->err_nexpected && n <= 4; i++) {
    if ((ctx->err_expected[i] == T_RED || ctx->err_expected[i] == T_LRED) && name_expected)
      continue; /* there, a reduction's name is a name */
    const char *nm = token_name(ctx->err_expected[i]);
    bool dup = false;
    for (int k = 0; k < n; k++) dup |= strcmp(names[k], nm) == 0;
    if (!dup) names[n++] = nm;
  }
  if (n >= 1 && n <= 4 && !juxtaposed) {
    buf_puts(&b, ", expected ");
    for (int i = 0; i < n; i++) buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
  }
  Diag *g = diag_error(diags, tok->span, "%s", b.data);
  buf_free(&b);
  if (unclosed) {
    char c = unclosed->kind == T_LP ? '(' : unclosed->kind == T_LB ? '[' : '{';
    diag_note(diags, g, unclosed->span, "this `%c` is not closed", c);
  } else if (major == T_EQ && (d->last_ok == T_LET || d->last_ok == T_ARG || d->last_ok == T_DECL)) {
    diag_hint(diags, g, "a name comes first: `let x = 5`");
  } else if (major == T_EQ) {
    diag_hint(diags, g, "`=` binds a name (`let x = ...`); write `==` to compare");
  } else if (is_comparison(major)) {
    diag_hint(diags, g, "comparisons do not chain: write `a < b and b < c`");
  } else if (d->ifs > d->thens) {
    diag_hint(diags, g, "expected `then`: an if-expression is written `if c then a else b`");
  } else if (d->thens > d->elses && (major == T_NEWLINE || major == T_SEMI || major == 0 || major == T_RP)) {
    diag_hint(diags, g, "an if-expression needs both branches: `if c then a else b`");
  } else if (d->open_until) {
    diag_hint(diags, g, "an iterate ends with `until <condition> max <count>`");
  } else if (juxtaposed) {
    diag_hint(diags, g, "is an operator or a `,` missing before it?");
  } else if (major == T_LET || major == T_FN || major == T_LOSS || major == T_MODEL || major == T_PARAM || major == T_ARG || major == T_DECL) {
    diag_hint(diags, g, "statements cannot appear inside an expression; a function with several statements is "
                        "written `fn f(x) { let y = ...; y }`, with no `=` before `{`");
  } else if (major == T_RBRACE || major == T_RP || major == T_RB) {
    diag_hint(diags, g, "check that the brackets pair up");
  } else if (major == T_NEWLINE && tok->span.lo < ctx->src->len) {
    diag_hint(diags, g, "the statement ends here unfinished");
  }
}

static void restart(Driver *d) {
  ParseFree(d->parser, free);
  d->parser = ParseAlloc(malloc);
  d->ctx->failed = false;
  d->ctx->err_major = 0;
  memset(&d->ctx->err_tok, 0, sizeof d->ctx->err_tok);
  d->nopen = 0;
  d->prev = T_NEWLINE;
  d->prev_red_close = d->prev_was_red = false;
}

/* Skips to a point where a statement can start: after a line break that closes every brace open
 * at the error, or before `let`/`fn`/`loss`/`arg`/`transport` at the start of a line. Returns false at the end. */
static bool resync(Driver *d, const Token *bad) {
  int braces = 0;
  for (int i = 0; i < d->nopen; i++) braces += d->open[i].kind == T_LBRACE;
  Token t = *bad;
  for (;;) {
    if (t.kind == 0) return false;
    if (t.kind == T_LBRACE) braces++;
    if (t.kind == T_RBRACE) braces--;
    if (t.kind == T_NEWLINE && braces <= 0) return true;
    next_raw(d, &t);
    if ((t.kind == T_LET || t.kind == T_FN || t.kind == T_LOSS || t.kind == T_MODEL || t.kind == T_ARG || t.kind == T_DECL) && t.space_before) {
      int line, col;
      source_linecol(t.span.src, t.span.lo, &line, &col);
      if (col == 1) {
        d->ahead = t;
        d->have_ahead = true;
        return true;
      }
    }
  }
}

static void feed(Driver *d, Token *t) {
  Parse(d->parser, t->kind, *t, d->ctx);
  d->prev = t->kind;
  if (d->ctx->failed) return;
  d->last_ok = t->kind;
  switch (t->kind) {
  case T_NEWLINE: case T_SEMI:
    d->errors_at_stmt = d->ctx->diags->nerrors;
    d->ifs = d->thens = d->elses = 0;
    d->open_until = false;
    break;
  case T_IF: d->ifs++; break;
  case T_THEN: d->thens++; break;
  case T_ELSE: d->elses++; break;
  case T_UNTIL: d->open_until = true; break;
  case T_MAXKW: d->open_until = false; break;
  default: break;
  }
}

bool parse_source(Arena *a, DiagBag *diags, const Source *src, PtrVec *out) {
  ParseCtx ctx = {.arena = a, .diags = diags, .src = src};
  Driver *d = calloc(1, sizeof *d);
  if (!d) die("out of memory");
  d->ctx = &ctx;
  lexer_init(&d->lx, a, diags, src);
  d->parser = ParseAlloc(malloc);
  d->prev = T_NEWLINE;
  int errors_before = diags->nerrors;
  d->errors_at_stmt = errors_before;
  for (;;) {
    Token t;
    next_raw(d, &t);
    bool red_close = false, was_red = t.kind == T_RED;
    switch (t.kind) {
    case T_NEWLINE:
      if (d->nopen > 0 && d->open[d->nopen - 1].kind != T_LBRACE) continue;
      if (d->prev == T_NEWLINE || d->prev == T_LBRACE || continues_line(d->prev)) continue;
      {
        int k = peek_kind(d);
        if (k == T_THEN || k == T_ELSE || k == T_UNTIL) continue;
      }
      break;
    case T_RED:
      /* `all` and `any` are reductions only where a `(` follows and they are not being defined
       * or read as a field, so programs keep them as names (`let any = ...`, `fn all(x)`, `r.any`) */
      if ((red_info[t.ival].flags & RF_LOGICAL) &&
          (peek_kind(d) != T_LP || d->prev == T_FN || d->prev == T_LOSS || d->prev == T_DOT)) {
        t.str = red_name((RedKind)t.ival);
        t.kind = T_NAME;
        was_red = false;
        break;
      }
      if (red_info[t.ival].flags & RF_LOGICAL) {
        t.kind = T_LRED;
        break;
      }
      /* the iteration limit's `max` (see grammar.y) */
      if (t.ival == RED_MAX) {
        int k = peek_kind(d);
        bool after_expr = (d->prev == T_NAME || d->prev == T_INT || d->prev == T_FLOAT || d->prev == T_STRING ||
                           d->prev == T_TRUE || d->prev == T_FALSE || d->prev == T_RP || d->prev == T_RB ||
                           d->prev == T_RBRACE) && !d->prev_red_close;
        if (k != T_LP || after_expr) {
          t.kind = T_MAXKW;
          was_red = false;
        }
      }
      break;
    case T_LOSS: case T_DECL: case T_MODEL: case T_PARAM:
      /* a declaration word is a keyword only where a statement starts and a name follows:
       * elsewhere it is a name, as in `let loss = mean(i) ...` or `fn model(p, x)` */
      if (!(d->prev == T_NEWLINE || d->prev == T_SEMI || d->prev == T_LBRACE) || peek_kind(d) != T_NAME) {
        t.str = t.kind == T_MODEL   ? "model"
                : t.kind == T_PARAM ? "param"
                                    : arena_strdup(ctx.arena, decl_keyword((DeclKind)t.ival));
        t.kind = T_NAME;
      }
      break;
    case T_MINUS:
      if (d->prev_red_close && t.space_before) {
        const char *p = src->text + t.span.hi;
        if (p < src->text + src->len && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') t.kind = T_PMINUS;
      }
      break;
    case T_LP: case T_LB: case T_LBRACE:
      if (d->nopen == MAX_AST_DEPTH) {
        Diag *g = diag_error(diags, t.span, "brackets nested too deeply (more than %d levels)", MAX_AST_DEPTH);
        diag_hint(diags, g, "split the expression into several `let` bindings");
        ctx.failed = true;
        break;
      }
      d->open[d->nopen++] = (Open){t.kind, t.kind == T_LP && d->prev_was_red, t.span};
      break;
    case T_RP: case T_RB: case T_RBRACE: {
      int want = t.kind == T_RP ? T_LP : t.kind == T_RB ? T_LB : T_LBRACE;
      if (d->nopen > 0 && d->open[d->nopen - 1].kind == want) {
        red_close = d->open[d->nopen - 1].after_red;
        d->nopen--;
      }
      break;
    }
    case 0:
      if (d->prev != T_NEWLINE) {
        Token nl = t;
        nl.kind = T_NEWLINE;
        feed(d, &nl);
        if (ctx.failed) break;
      }
      break;
    default:
      break;
    }
    if (!ctx.failed) feed(d, &t);
    d->prev_red_close = red_close;
    d->prev_was_red = was_red;
    if (ctx.failed) {
      if (ctx.err_major || ctx.err_tok.span.src) report_syntax_error(d);
      if (t.kind == 0 || !resync(d, &t)) break;
      restart(d);
      d->errors_at_stmt = diags->nerrors;
      d->ifs = d->thens = d->elses = 0;
      d->open_until = false;
      continue;
    }
    if (t.kind == 0) break;
  }
  ParseFree(d->parser, free);
  free(d);
  for (int i = 0; i < ctx.stmts.n; i++) vec_push(a, out, ctx.stmts.items[i]);
  return diags->nerrors == errors_before;
}
