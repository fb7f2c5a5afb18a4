/* lexer.re: the tokens of sinter (re2c). Reads bytes and reports, never crashes: a byte that
 * starts no token is an error with its position, and lexing goes on after it. */
#include "parse.h"
#include "grammar.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void lexer_init(Lexer *lx, Arena *a, DiagBag *d, const Source *src) {
  lx->arena = a;
  lx->diags = d;
  lx->src = src;
  lx->cur = src->text;
  lx->end = src->text + src->len;
}

static Span span_at(Lexer *lx, const char *lo, const char *hi) {
  Span s = {lx->src, (uint32_t)(lo - lx->src->text), (uint32_t)(hi - lx->src->text)};
  return s;
}

/* Keywords; a declaration's token carries its DeclKind in `ival`. The reductions' names
 * (reductions.def) are keywords too: T_RED, with the RedKind in `ival`. */
static const struct { const char *word; int kind; int ival; } keywords[] = {
    {"let", T_LET, 0},         {"fn", T_FN, 0},           {"arg", T_ARG, 0},
    {"if", T_IF, 0},           {"then", T_THEN, 0},       {"else", T_ELSE, 0},
    {"iterate", T_ITERATE, 0}, {"until", T_UNTIL, 0},     {"true", T_TRUE, 0},
    {"false", T_FALSE, 0},     {"and", T_AND, 0},         {"or", T_OR, 0},
    {"not", T_NOT, 0},         {"map", T_MAP, 0},         {"model", T_MODEL, 0},
    {"param", T_PARAM, 0},
#define DECL(id, keyword, field, what, stdlib_fn, check, hint) {keyword, DECL_##id == DECL_LOSS ? T_LOSS : T_DECL, DECL_##id},
#include "decl.def"
#undef DECL
};

static void word(Lexer *lx, Token *t, const char *lo) {
  size_t n = (size_t)(lx->cur - lo);
  for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
    if (strlen(keywords[i].word) == n && memcmp(keywords[i].word, lo, n) == 0) {
      t->kind = keywords[i].kind;
      t->ival = keywords[i].ival;
      return;
    }
  int red = red_lookup(lo, n);
  if (red >= 0) {
    t->kind = T_RED;
    t->ival = red;
    return;
  }
  t->kind = T_NAME;
  t->str = arena_strndup(lx->arena, lo, n);
}

/* Digits with optional '_' separators, as text without the separators. */
static char *digits(Lexer *lx, const char *lo, const char *hi) {
  char *s = arena_alloc(lx->arena, (size_t)(hi - lo) + 1);
  size_t k = 0;
  for (const char *p = lo; p < hi; p++)
    if (*p != '_') s[k++] = *p;
  s[k] = 0;
  return s;
}

static void integer(Lexer *lx, Token *t, const char *lo) {
  char *text = digits(lx, lo, lx->cur);
  errno = 0;
  unsigned long long v = strtoull(text, NULL, 10);
  t->kind = T_INT;
  if (errno || v > (unsigned long long)INT64_MAX) {
    Diag *g = diag_error(lx->diags, t->span, "integer literal %s is too large", text);
    diag_hint(lx->diags, g, "integers are 64-bit (at most 9223372036854775807); write a float such as %s.0 for a larger value", text);
    v = 0;
  }
  t->ival = (int64_t)v;
}

static void floating(Lexer *lx, Token *t, const char *lo) {
  char *text = digits(lx, lo, lx->cur);
  t->kind = T_FLOAT;
  t->fval = strtod(text, NULL);
  if (t->fval == HUGE_VAL) {
    Diag *g = diag_error(lx->diags, t->span, "float literal %s is too large", text);
    diag_hint(lx->diags, g, "the largest f64 is about 1.8e308");
    t->fval = 0;
  }
}

/* A string literal's value with its escapes decoded; reports a bad escape. */
static void string(Lexer *lx, Token *t, const char *lo) {
  const char *p = lo + 1, *end = lx->cur - 1;
  char *s = arena_alloc(lx->arena, (size_t)(end - p) + 1);
  size_t k = 0;
  for (; p < end; p++) {
    if (*p != '\\') {
      s[k++] = *p;
      continue;
    }
    p++;
    switch (*p) {
    case 'n': s[k++] = '\n'; break;
    case 't': s[k++] = '\t'; break;
    case '\\': s[k++] = '\\'; break;
    case '"': s[k++] = '"'; break;
    default: {
      Diag *g = diag_error(lx->diags, span_at(lx, p - 1, p + 1), "unknown escape sequence '\\%c' in a string", *p);
      diag_hint(lx->diags, g, "the escapes are \\n, \\t, \\\\ and \\\"");
    }
    }
  }
  s[k] = 0;
  t->kind = T_STRING;
  t->str = s;
}

/* The length of a well-formed UTF-8 sequence starting at p (0 when it is not one). */
static int utf8_length(const unsigned char *p, const unsigned char *end) {
  int n = p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 && p[0] <= 0xDF ? 2 : 0;
  if (n == 0 || end - p < n) return 0;
  for (int i = 1; i < n; i++)
    if ((p[i] & 0xC0) != 0x80) return 0;
  return n;
}

static void bad_byte(Lexer *lx, const char *lo) {
  unsigned char c = (unsigned char)*lo;
  Span s = span_at(lx, lo, lo + 1);
  if (c == 0) {
    diag_error(lx->diags, s, "unexpected NUL byte in the source");
  } else if (c >= 0x80) {
    int n = utf8_length((const unsigned char *)lo, (const unsigned char *)lx->end);
    if (n) {
      /* one character, reported once */
      lx->cur = lo + n;
      Diag *g = diag_error(lx->diags, span_at(lx, lo, lo + n), "unexpected character '%.*s'", n, lo);
      diag_hint(lx->diags, g, "names are ASCII letters, digits and `_`; other text may appear only in strings and comments");
    } else {
      Diag *g = diag_error(lx->diags, s, "invalid UTF-8 byte 0x%02X", c);
      diag_hint(lx->diags, g, "sources are UTF-8 text; this file may be binary or in another encoding");
    }
  } else if (c < 0x20 || c == 0x7f) {
    diag_error(lx->diags, s, "unexpected control character 0x%02X", c);
  } else {
    Diag *g = diag_error(lx->diags, s, "unexpected character '%c'", c);
    if (c == '!') diag_hint(lx->diags, g, "write `not x` for logical negation and `!=` for inequality");
    else if (c == '&' || c == '|') diag_hint(lx->diags, g, "write `and` / `or` for logical operators");
    else if (c == '$' || c == '?' || c == '`' || c == '~') diag_hint(lx->diags, g, "this character has no meaning in sinter");
  }
}

void lexer_next(Lexer *lx, Token *t) {
  memset(t, 0, sizeof *t);
  for (;;) {
    const char *lo = lx->cur;
    t->space_before = lo == lx->src->text || lo[-1] == ' ' || lo[-1] == '\t' || lo[-1] == '\n' ||
                      lo[-1] == '\r';
    if (lx->cur >= lx->end) {
      t->kind = 0;
      t->span = span_at(lx, lx->end, lx->end);
      return;
    }
#define RET(k) do { t->kind = (k); t->span = span_at(lx, lo, lx->cur); return; } while (0)
    /*!re2c
      re2c:define:YYCTYPE = "unsigned char";
      re2c:define:YYCURSOR = "lx->cur";
      re2c:define:YYMARKER = "lx->marker";
      re2c:define:YYLIMIT = "lx->end";
      re2c:yyfill:enable = 0;
      re2c:eof = 0;
      re2c:api = custom;
      re2c:api:style = free-form;
      re2c:define:YYPEEK = "(lx->cur < lx->end ? (unsigned char)*lx->cur : 0)";
      re2c:define:YYSKIP = "++lx->cur;";
      re2c:define:YYBACKUP = "lx->marker = lx->cur;";
      re2c:define:YYRESTORE = "lx->cur = lx->marker;";
      re2c:define:YYLESSTHAN = "lx->end - lx->cur < @@{len}";

      dig = [0-9];
      digs = dig (dig | "_")*;
      exp = [eE] [+-]? digs;
      id = [a-zA-Z_] [a-zA-Z0-9_]*;

      $ { t->kind = 0; t->span = span_at(lx, lo, lo); return; }
      [ \t\r]+ { continue; }
      "#" [^\n\x00]* { continue; }
      "\n" { RET(T_NEWLINE); }

      id { t->span = span_at(lx, lo, lx->cur); word(lx, t, lo); return; }
      digs { t->span = span_at(lx, lo, lx->cur); integer(lx, t, lo); return; }
      digs "." digs? exp? | "." digs exp? | digs exp {
        t->span = span_at(lx, lo, lx->cur); floating(lx, t, lo); return;
      }
      ["] ([^"\\\n\x00] | "\\" [^\n\x00])* ["] { t->span = span_at(lx, lo, lx->cur); string(lx, t, lo); return; }
      ["] ([^"\\\n\x00] | "\\" [^\n\x00])* ("\\")? {
        Diag *g = diag_error(lx->diags, span_at(lx, lo, lo + 1), "unterminated string");
        diag_hint(lx->diags, g, "close the string with \" before the end of the line");
        t->str = "";
        RET(T_STRING);
      }

      ['] ([^'\\\n\x00] | "\\" [^\n\x00])* ['] {
        Diag *g = diag_error(lx->diags, span_at(lx, lo, lx->cur), "strings are written in double quotes");
        diag_hint(lx->diags, g, "write \"%.*s\"", (int)(lx->cur - lo - 2), lo + 1);
        t->span = span_at(lx, lo, lx->cur);
        t->kind = T_STRING;
        t->str = arena_strndup(lx->arena, lo + 1, (size_t)(lx->cur - lo - 2));
        return;
      }
      "(" { RET(T_LP); }
      ")" { RET(T_RP); }
      "[" { RET(T_LB); }
      "]" { RET(T_RB); }
      "{" { RET(T_LBRACE); }
      "}" { RET(T_RBRACE); }
      "," { RET(T_COMMA); }
      ":" { RET(T_COLON); }
      ";" { RET(T_SEMI); }
      "..." { RET(T_ELLIPSIS); }
      "." { RET(T_DOT); }
      "=" { RET(T_EQ); }
      "->" { RET(T_ARROW); }
      "+" { RET(T_PLUS); }
      "-" { RET(T_MINUS); }
      "*" { RET(T_STAR); }
      "**" {
        Diag *g = diag_error(lx->diags, span_at(lx, lo, lx->cur), "unknown operator '**'");
        diag_hint(lx->diags, g, "powers are written x ^ y");
        RET(T_CARET);
      }
      "/" { RET(T_SLASH); }
      "%" { RET(T_PERCENT); }
      "^" { RET(T_CARET); }
      "@" { RET(T_AT); }
      "==" { RET(T_EQEQ); }
      "!=" { RET(T_NE); }
      "<" { RET(T_LT); }
      "<=" { RET(T_LE); }
      ">" { RET(T_GT); }
      ">=" { RET(T_GE); }
      "&&" {
        Diag *g = diag_error(lx->diags, span_at(lx, lo, lx->cur), "unknown operator '&&'");
        diag_hint(lx->diags, g, "write `and`");
        RET(T_AND);
      }
      "||" {
        Diag *g = diag_error(lx->diags, span_at(lx, lo, lx->cur), "unknown operator '||'");
        diag_hint(lx->diags, g, "write `or`");
        RET(T_OR);
      }
      * { bad_byte(lx, lo); continue; }
    */
#undef RET
  }
}

const char *token_name(int kind) {
  switch (kind) {
  case 0: return "end of input";
  case T_NEWLINE: return "end of line";
  case T_NAME: return "a name";
  case T_INT: return "an integer";
  case T_FLOAT: return "a number";
  case T_STRING: return "a string";
  case T_RED: case T_LRED: return "a reduction";
  case T_MAXKW: return "`max`";
  case T_LET: return "`let`";
  case T_FN: return "`fn`";
  case T_ARG: return "`arg`";
  case T_DECL: return "a declaration (`transport`, `train`, ...)";
  case T_LOSS: return "`loss`";
  case T_MODEL: return "`model`";
  case T_PARAM: return "`param`";
  case T_IF: return "`if`";
  case T_THEN: return "`then`";
  case T_ELSE: return "`else`";
  case T_ITERATE: return "`iterate`";
  case T_MAP: return "`map`";
  case T_UNTIL: return "`until`";
  case T_TRUE: return "`true`";
  case T_FALSE: return "`false`";
  case T_AND: return "`and`";
  case T_OR: return "`or`";
  case T_NOT: return "`not`";
  case T_LP: return "`(`";
  case T_RP: return "`)`";
  case T_LB: return "`[`";
  case T_RB: return "`]`";
  case T_LBRACE: return "`{`";
  case T_RBRACE: return "`}`";
  case T_COMMA: return "`,`";
  case T_COLON: return "`:`";
  case T_SEMI: return "`;`";
  case T_DOT: return "`.`";
  case T_ELLIPSIS: return "`...`";
  case T_EQ: return "`=`";
  case T_ARROW: return "`->`";
  case T_PLUS: return "`+`";
  case T_MINUS: case T_PMINUS: return "`-`";
  case T_STAR: return "`*`";
  case T_SLASH: return "`/`";
  case T_PERCENT: return "`%`";
  case T_CARET: return "`^`";
  case T_AT: return "`@`";
  case T_EQEQ: return "`==`";
  case T_NE: return "`!=`";
  case T_LT: return "`<`";
  case T_LE: return "`<=`";
  case T_GT: return "`>`";
  case T_GE: return "`>=`";
  default: return "a token";
  }
}
