/* syntax.h: what the Lemon grammar (grammar.y) shares with the parser driver (parse.c): the
 * token, the parse context, and the constructors the grammar's actions call (syntax.c). */
#ifndef SN_SYNTAX_H
#define SN_SYNTAX_H

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
