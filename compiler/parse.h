/* parse.h: the lexer, and the parser driver that feeds its tokens to the Lemon grammar. */
#ifndef SN_PARSE_H
#define SN_PARSE_H

#include "syntax.h"

typedef struct Lexer {
  Arena *arena;
  DiagBag *diags;
  const Source *src;
  const char *cur; /* next byte */
  const char *end; /* src->text + src->len */
  const char *marker;
} Lexer;

void lexer_init(Lexer *lx, Arena *a, DiagBag *d, const Source *src);
/* The next token; lexical errors are reported to the bag and skipped. */
void lexer_next(Lexer *lx, Token *t);
const char *token_name(int kind); /* "`)`", "a name", "end of line", ... */

/* Parses every statement of `src` into `out` (the statements that parsed). Returns false when
 * any error was reported; the parser resynchronises at the next top-level line and goes on. */
bool parse_source(Arena *a, DiagBag *d, const Source *src, PtrVec *out);

#endif
