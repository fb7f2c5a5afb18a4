/* parse.h: tokens, the lexer, and the parser driver that feeds tokens to the Lemon grammar. */
#ifndef SN_PARSE_H
#define SN_PARSE_H

#include "ast.h"

/* Deepest expression nesting accepted: deep enough for any real program, shallow enough that
 * the recursive stages after the parser stay far from the C stack's limit. The left operand of a
 * binary operator does not count (see ast_binary): a chain of any length is one level. */
#define MAX_AST_DEPTH 400

typedef struct Token {
  int kind;          /* T_* from grammar.h; 0 at the end of input */
  Span span;
  int64_t ival;      /* T_INT value; RedKind for T_RED; DeclKind for a declaration's keyword */
  double fval;       /* T_FLOAT value */
  const char *str;   /* T_NAME and T_STRING text (arena) */
  bool space_before; /* white space or a line start right before the token */
} Token;

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

typedef struct ParseCtx {
  Arena *arena;
  DiagBag *diags;
  const Source *src;
  PtrVec stmts;      /* top-level statements, in order */
  bool failed;       /* the parser met a syntax error: the driver reports it and resynchronises */
  bool too_deep;     /* the nesting limit was reported once */
  int err_major;     /* the failed token's kind and what could have come instead */
  Token err_tok;
  int err_expected[128];
  int err_nexpected;
} ParseCtx;

/* Parses every statement of `src` into `out` (the statements that parsed). Returns false when
 * any error was reported; the parser resynchronises at the next top-level line and goes on. */
bool parse_source(Arena *a, DiagBag *d, const Source *src, PtrVec *out);

/* Constructors used by the grammar's actions. */
Node *ast_node(ParseCtx *ctx, AstKind kind, Span span);
Node *ast_unary(ParseCtx *ctx, Op op, Span opspan, Node *a);
Node *ast_binary(ParseCtx *ctx, Op op, Node *a, Node *b);
void ast_add(ParseCtx *ctx, Node *parent, Node *kid);
void ast_adopt(ParseCtx *ctx, Node *parent, Node *kid); /* depth and span bookkeeping */
/* Called by the parser on a syntax error: records it in ctx for the driver. */
void parse_syntax_error(ParseCtx *ctx, int major, const Token *tok, const int *expected, int nexpected);

/* Lemon's entry points (grammar.c). */
void *ParseAlloc(void *(*malloc_fn)(size_t));
void Parse(void *parser, int major, Token minor, ParseCtx *ctx);
void ParseFree(void *parser, void (*free_fn)(void *));

#endif
