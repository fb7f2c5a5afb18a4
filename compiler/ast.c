/* ast.c: names of AST kinds and operators, and the --emit=ast printer. */
#include "ast.h"

#include <stdio.h>

const char *op_name(Op op) {
  static const char *names[] = {
      [OP_ADD] = "+", [OP_SUB] = "-",  [OP_MUL] = "*", [OP_DIV] = "/",   [OP_MOD] = "%",
      [OP_POW] = "^", [OP_MATMUL] = "@", [OP_EQ] = "==", [OP_NE] = "!=", [OP_LT] = "<",
      [OP_LE] = "<=", [OP_GT] = ">",   [OP_GE] = ">=", [OP_AND] = "and", [OP_OR] = "or",
      [OP_NEG] = "-", [OP_NOT] = "not",
  };
  return names[op];
}

const char *red_name(RedKind k) {
  static const char *names[] = {"sum", "prod", "max", "min", "mean", "lse", "argmax", "argmin", "all", "any"};
  return names[k];
}

const char *ast_kind_name(AstKind k) {
  static const char *names[] = {
      "int",  "float", "str",  "bool",  "name",    "list",   "record", "field-init",
      "unary", "binary", "call", "kwarg", "index", "slice", "field", "if",
      "reduce", "iterate", "state", "block", "let", "assign", "fn", "param",
      "arg", "expr", "type",
  };
  return names[k];
}

void ast_dump(FILE *f, const Node *n, int indent) {
  fprintf(f, "%*s", indent, "");
  if (!n) {
    fprintf(f, "(none)\n");
    return;
  }
  int line, col;
  source_linecol(n->span.src, n->span.lo, &line, &col);
  fprintf(f, "(%s", ast_kind_name(n->kind));
  switch (n->kind) {
  case A_INT: fprintf(f, " %lld", (long long)n->ival); break;
  case A_FLOAT: fprintf(f, " %.17g", n->fval); break;
  case A_STR: fprintf(f, " \"%s\"", n->str); break;
  case A_BOOL: fprintf(f, " %s", n->ival ? "true" : "false"); break;
  case A_UNARY:
  case A_BINARY: fprintf(f, " %s", op_name((Op)n->op)); break;
  case A_REDUCE: fprintf(f, " %s", red_name((RedKind)n->op)); break;
  default: break;
  }
  if (n->name) fprintf(f, " %s", n->name);
  fprintf(f, " @%d:%d)\n", line, col);
  if (n->type) ast_dump(f, n->type, indent + 2);
  for (int i = 0; i < n->list.n; i++) ast_dump(f, n->list.items[i], indent + 2);
  if (n->a) ast_dump(f, n->a, indent + 2);
  if (n->b) ast_dump(f, n->b, indent + 2);
  if (n->c) ast_dump(f, n->c, indent + 2);
  if (n->body) ast_dump(f, n->body, indent + 2);
}
