/* ast.c: names of AST kinds and operators, and the --emit=ast printer. */
#include "ast.h"

#include <stdio.h>
#include <stdlib.h>

const char *op_name(Op op) {
  static const char *names[] = {
      [OP_ADD] = "+", [OP_SUB] = "-",  [OP_MUL] = "*", [OP_DIV] = "/",   [OP_MOD] = "%",
      [OP_POW] = "^", [OP_MATMUL] = "@", [OP_EQ] = "==", [OP_NE] = "!=", [OP_LT] = "<",
      [OP_LE] = "<=", [OP_GT] = ">",   [OP_GE] = ">=", [OP_AND] = "and", [OP_OR] = "or",
      [OP_NEG] = "-", [OP_NOT] = "not",
  };
  return names[op];
}

const char *decl_keyword(DeclKind k) {
  static const char *const words[] = {
      "",
#define DECL(id, keyword, field, what, stdlib_fn, check, hint) keyword,
#include "decl.def"
#undef DECL
  };
  return words[k];
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

/* Indentation stops growing here: a flat chain a + b + ... of any length prints as a tree. */
#define DUMP_MAX_INDENT 200

static void dump_head(FILE *f, const Node *n, int indent) {
  fprintf(f, "%*s", indent < DUMP_MAX_INDENT ? indent : DUMP_MAX_INDENT, "");
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
}

void ast_dump(FILE *f, const Node *n, int indent) {
  if (!n) {
    fprintf(f, "%*s(none)\n", indent < DUMP_MAX_INDENT ? indent : DUMP_MAX_INDENT, "");
    return;
  }
  /* a binary chain: its left spine with a loop (as sema walks it), then the right operands from
   * the innermost out, as the recursive order prints them */
  int spine = 0;
  for (const Node *x = n; x->kind == A_BINARY; x = x->a) spine++;
  const Node **ops = spine ? malloc((size_t)spine * sizeof *ops) : NULL;
  if (spine && !ops) die("out of memory");
  for (int k = 0; k < spine; k++, n = n->a) {
    dump_head(f, n, indent + 2 * k);
    ops[k] = n;
  }
  int in = indent + 2 * spine;
  dump_head(f, n, in);
  if (n->type) ast_dump(f, n->type, in + 2);
  for (int i = 0; i < n->list.n; i++) ast_dump(f, n->list.items[i], in + 2);
  if (n->a) ast_dump(f, n->a, in + 2);
  if (n->b) ast_dump(f, n->b, in + 2);
  if (n->c) ast_dump(f, n->c, in + 2);
  if (n->body) ast_dump(f, n->body, in + 2);
  for (int k = spine - 1; k >= 0; k--) ast_dump(f, ops[k]->b, indent + 2 * k + 2);
  free(ops);
}
