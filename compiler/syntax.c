/* syntax.c: the constructors the grammar's actions call, with the depth bookkeeping that bounds
 * nesting, and the record of a syntax error for the driver (parse.c) to report. */
#include "syntax.h"

Node *ast_node(ParseCtx *ctx, AstKind kind, Span span) {
  Node *n = NEW(ctx->arena, Node);
  n->kind = kind;
  n->span = span;
  n->depth = 1;
  return n;
}

void ast_adopt(ParseCtx *ctx, Node *parent, Node *kid) {
  if (!kid) return;
  if (kid->depth + 1 > parent->depth) parent->depth = kid->depth + 1;
  if (parent->depth > MAX_AST_DEPTH && !ctx->too_deep) {
    ctx->too_deep = true;
    Diag *g = diag_error(ctx->diags, parent->span, "expression nested too deeply (more than %d levels)", MAX_AST_DEPTH);
    diag_hint(ctx->diags, g, "split it into several `let` bindings");
  }
}

void ast_add(ParseCtx *ctx, Node *parent, Node *kid) {
  vec_push(ctx->arena, &parent->list, kid);
  ast_adopt(ctx, parent, kid);
}

Node *ast_unary(ParseCtx *ctx, Op op, Span opspan, Node *a) {
  Node *n = ast_node(ctx, A_UNARY, span_join(opspan, a->span));
  n->op = op;
  n->a = a;
  ast_adopt(ctx, n, a);
  return n;
}

/* A binary node is as deep as its left operand: the stages after the parser walk a chain a + b +
 * c + ... down its left spine with a loop, so a long flat chain is not nesting; only the right
 * operand, which they recurse into, adds a level. */
Node *ast_binary(ParseCtx *ctx, Op op, Node *a, Node *b) {
  Node *n = ast_node(ctx, A_BINARY, span_join(a->span, b->span));
  n->op = op;
  n->a = a;
  n->b = b;
  n->depth = a->depth;
  ast_adopt(ctx, n, b);
  return n;
}

void parse_syntax_error(ParseCtx *ctx, int major, const Token *tok, const int *expected, int nexpected) {
  ctx->failed = true;
  ctx->err_major = major;
  ctx->err_tok = *tok;
  ctx->err_nexpected = nexpected < 128 ? nexpected : 128;
  for (int i = 0; i < ctx->err_nexpected; i++) ctx->err_expected[i] = expected[i];
}
