/* ast.h: the syntax tree. Every node carries the span of source it came from. One node struct
 * serves every kind (as in chibicc); the comment on each kind says which fields it uses. */
#ifndef SN_AST_H
#define SN_AST_H

#include "diag.h"
#include "reductions.h"

typedef enum AstKind {
  /* expressions */
  A_INT,       /* ival */
  A_FLOAT,     /* fval */
  A_STR,       /* str */
  A_BOOL,      /* ival */
  A_NAME,      /* name */
  A_LIST,      /* list: elements of a tensor literal */
  A_RECORD,    /* list: A_FIELDINIT */
  A_FIELDINIT, /* name, a */
  A_UNARY,     /* op, a */
  A_BINARY,    /* op, a, b */
  A_CALL,      /* name (callee), name_span, list: arguments (expressions or A_KWARG); a: the record
                * whose field `name` is called (r.f(x)), or NULL; b: the call whose value is
                * called (grad(f)(x)), or NULL */
  A_KWARG,     /* name, a */
  A_INDEX,     /* a (the indexed value), list: subscripts (expressions or A_SLICE) */
  A_SLICE,     /* a (start or NULL), b (end or NULL), c (step or NULL) */
  A_FIELD,     /* a, name */
  A_IF,        /* a (condition), b (then), c (else) */
  A_REDUCE,    /* op (RedKind), list (the indices, A_NAME), a (body), name_span (the keyword) */
  A_ITERATE,   /* list (A_STATEINIT), body (A_BLOCK), a (until, or NULL: a counted loop), b (max count) */
  A_MAP,       /* list (the names bound, A_NAME), a (A_BLOCK: the checkpoints' paths), body (A_BLOCK),
                * name_span (the keyword) */
  A_STATEINIT, /* name, a */
  A_BLOCK,     /* list: statements; the last may be an A_EXPR giving the block's value */
  /* statements */
  A_LET,    /* name, type (A_TYPE or NULL), list (comprehension indices, A_NAME), a;
             * ival: the declaration keyword (DECL_NONE for `let`, or DECL_TRANSPORT) */
  A_ASSIGN, /* name, list (comprehension indices), a: a state update in an iterate body */
  A_FN,     /* name, list (A_PARAM), type (result type or NULL), a (body expression or A_BLOCK);
             * ival: the declaration keyword (DECL_NONE for `fn`, or DECL_LOSS); op: FN_MODEL
             * for a `model`; also an anonymous function, an expression (name "fn", or the name
             * a `let` gives it) */
  A_PARAM,  /* name, type or NULL, a (default value) or NULL */
  A_MPARAM, /* name, type or NULL, a (initializer), list (`[i < n]`: an index, n of them): a
             * `param` of a model's body */
  A_ARG,    /* name, type, a (default value or NULL) */
  A_EXPR,   /* a */
  /* types */
  A_TYPE, /* name (element type), list (dimensions: A_NAME or A_INT), ival (1 if [..] given, 2 for
           * [...]: any rank) */
} AstKind;

/* The declaration keyword that introduced an A_LET or an A_FN (compiler/decl.def). */
typedef enum DeclKind {
  DECL_NONE, /* `let` or `fn` */
#define DECL(id, keyword, field, what, stdlib_fn, check, hint) DECL_##id,
#include "decl.def"
#undef DECL
  DECL_COUNT
} DeclKind;

/* What an A_FN's body makes (op): a value, or a model's record of `param`s and methods. */
enum { FN_BODY_VALUE, FN_MODEL };

typedef enum Op {
  OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_POW, OP_MATMUL,
  OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_AND, OP_OR,
  OP_NEG, OP_NOT,
} Op;

typedef struct Node Node;
struct Node {
  AstKind kind;
  Span span;
  Span name_span; /* where `name` is written, when it has one */
  int op;
  int depth; /* nesting depth of this subtree, bounded by the parser */
  int64_t ival;
  double fval;
  const char *name;
  const char *str;
  Node *a, *b, *c;
  Node *type;
  Node *body;
  PtrVec list;
};

const char *op_name(Op op);   /* "+", "@", "and", ... */
const char *decl_keyword(DeclKind k); /* "transport", ... */
const char *ast_kind_name(AstKind k);

/* Prints the tree as an S-expression, one node per line, for --emit=ast. */
void ast_dump(FILE *f, const Node *n, int indent);

#endif
