/* grammar.y: the grammar of sinter (Lemon, LALR(1)). Actions build the AST; the driver in
 * parse.c feeds tokens, folds line breaks inside brackets, and recovers from errors.
 *
 *   program  := (stmt sep)*                    sep := end of line | ;
 *   stmt     := let NAME [: type] = expr
 *             | DECL NAME = expr               a let whose value a declaration checks (decl.def:
 *                                               transport, train, ...)
 *             | let NAME [ names ] = expr      a lazy comprehension, C[i,j] = ...
 *             | NAME [ [ names ] ] = expr      a state update inside an iterate body
 *             | fn NAME ( params ) [-> type] (= expr | { block })   param := NAME [: type] [= expr]
 *             | loss NAME ( params ) [-> type] (= expr | { block })  a fn whose value is minimised
 *             | model NAME ( params ) { block }   a fn that builds a model: its `param`s and
 *                                               `fn`s become a record's fields (methods)
 *             | param NAME [: type] = expr     a model's parameter and its initializer
 *             | param NAME [ i < n ] = expr    n of them: layers.0, layers.1, ...
 *             | arg NAME : type [= expr]       a command-line argument
 *             | expr
 *   expr     := literal | NAME | ( expr ) | [ exprs ] | { NAME : expr, ... }
 *             | NAME ( args ) | RED ( args )   calls; sum(x) reduces a whole tensor
 *             | RED ( names ) expr             a reduction over named indices: sum(k) x[i,k]
 *             | expr [ subscripts ] | expr . NAME | unary and binary operators
 *             | if expr then expr else expr
 *             | iterate NAME = expr, ... { block } [until expr] max expr
 *             | fn ( params ) (= expr | { block })   an anonymous function
 *             | expr . NAME ( args )           a call of a function stored in a record
 *             | NAME ( args ) ( args )         a call of the function a call gives
 *             | map NAME, ... in expr, ... { block }   the tensors of checkpoints, by name
 *
 * A reduction binds like a product, as a sum sign does in mathematics: its body extends over
 * * / % @ ^ but stops at + and -, comparisons and logic: `sum(k) x[i, k] * w[k] + b` adds b
 * once, `max(i) abs(d[i]) < tol` compares the maximum; parenthesise a body with sums. The body
 * of `all` and `any` (token LRED) is a condition: it extends over comparisons too, so
 * `all(i) x[i] > 0` tests every element. After `RED(...)`, a `-` written with space
 * before and none after starts the body (`lse(j) -c[i,j]`); the driver marks it T_PMINUS. The
 * `max` of `until ... max N` is T_MAXKW: a `max` not followed by `(`, or one that follows a
 * complete expression. */

%include {
#include "syntax.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* The grammar's actions only allocate from the arena: nothing to destroy on error paths. */

static int expected_tokens(void *parser, int *out);
}

%name Parse
%token_prefix T_
%token_type {Token}
%extra_argument {ParseCtx *ctx}
%default_type {Node *}
%stack_size 0

%syntax_error {
  int expected[YYNTOKEN];
  int n = expected_tokens(yypParser, expected);
  parse_syntax_error(ctx, yymajor, &yyminor, expected, n);
}

%code {
/* The tokens that could come next: each is tried on a copy of the parser's stack of states,
 * taking the reductions it would cause, until it is shifted (valid) or rejected. Unlike the
 * current state's table alone, this sees past default reductions. */
static int expected_tokens(void *parser, int *out) {
  yyParser *p = parser;
  int depth = (int)(p->yytos - p->yystack) + 1;
  int cap = depth + 256;
  YYACTIONTYPE *st = malloc((size_t)cap * sizeof *st);
  if (!st) return 0;
  int n = 0;
  for (int t = 1; t < YYNTOKEN; t++) {
    int top = depth - 1;
    for (int i = 0; i < depth; i++) st[i] = p->yystack[i].stateno;
    for (int steps = 0; steps < 1000; steps++) {
      YYACTIONTYPE act = yy_find_shift_action((YYCODETYPE)t, st[top]);
      if (act <= YY_MAX_SHIFTREDUCE || act == YY_ACCEPT_ACTION) {
        out[n++] = t;
        break;
      }
      if (act < YY_MIN_REDUCE || act > YY_MAX_REDUCE) break; /* an error */
      int rule = act - YY_MIN_REDUCE;
      top += yyRuleInfoNRhs[rule];
      if (top < 0 || top + 1 >= cap) break;
      st[top + 1] = yy_find_reduce_action(st[top], (YYCODETYPE)yyRuleInfoLhs[rule]);
      top++;
    }
  }
  free(st);
  return n;
}
}

%token NEWLINE SEMI LET FN LOSS MODEL PARAM ARG DECL NAME INT FLOAT STRING TRUE FALSE THEN UNTIL COLON ARROW
       COMMA RP RB RBRACE EQ LRED.

%right ELSE ITERATE IF.
%left OR.
%left AND.
%right NOT.
%right LREDBODY.
%nonassoc EQEQ NE LT LE GT GE.
%left LBRACE MAXKW.
%left PLUS MINUS.
%right REDBODY.
%left STAR SLASH PERCENT AT.
%right UMINUS PMINUS.
%right CARET.
%left DOT LB.
%nonassoc REDCALL.

program ::= toplist.

toplist ::= .
toplist ::= toplist sep.
toplist ::= toplist stmt(S) sep. { vec_push(ctx->arena, &ctx->stmts, S); }

sep ::= NEWLINE.
sep ::= SEMI.

/* --- statements ---------------------------------------------------------------------------- */

stmt(S) ::= LET(K) NAME(N) EQ expr(E). {
  S = ast_node(ctx, A_LET, span_join(K.span, E->span));
  S->name = N.str; S->name_span = N.span; S->a = E; ast_adopt(ctx, S, E);
  if (E->kind == A_FN) E->name = N.str; /* `let f = fn(x) = ...` names the function in messages */
}
/* transport NAME = expr, train NAME = ...: a let whose value a row of decl.def checks */
stmt(S) ::= DECL(K) NAME(N) EQ expr(E). {
  S = ast_node(ctx, A_LET, span_join(K.span, E->span));
  S->name = N.str; S->name_span = N.span; S->a = E; S->ival = K.ival; ast_adopt(ctx, S, E);
}
stmt(S) ::= LET(K) NAME(N) COLON type(T) EQ expr(E). {
  S = ast_node(ctx, A_LET, span_join(K.span, E->span));
  S->name = N.str; S->name_span = N.span; S->type = T; S->a = E; ast_adopt(ctx, S, E);
}
stmt(S) ::= LET(K) NAME(N) LB names(L) RB EQ expr(E). {
  S = ast_node(ctx, A_LET, span_join(K.span, E->span));
  S->name = N.str; S->name_span = N.span; S->list = L->list; S->a = E; ast_adopt(ctx, S, E);
}
stmt(S) ::= expr(L) EQ(Q) expr(E). {
  S = ast_node(ctx, A_ASSIGN, span_join(L->span, E->span));
  S->a = E; ast_adopt(ctx, S, E);
  if (L->kind == A_NAME) {
    S->name = L->name; S->name_span = L->span;
  } else {
    bool ok = L->kind == A_INDEX && L->a->kind == A_NAME;
    for (int i = 0; ok && i < L->list.n; i++) {
      Node *x = L->list.items[i];
      ok = x->kind == A_NAME || (x->kind == A_BINARY && x->op == OP_LT && x->a->kind == A_NAME);
    }
    if (ok) {
      S->name = L->a->name; S->name_span = L->a->span; S->list = L->list;
    } else {
      Diag *g = diag_error(ctx->diags, L->span, "cannot assign to this expression");
      diag_hint(ctx->diags, g, "`=` updates a state of an iterate body (`x = ...` or `x[i] = ...`); write `==` to compare");
      (void)Q;
    }
  }
}
stmt(S) ::= fnkw(K) NAME(N) LP params(P) RP rettype(R) EQ expr(E). {
  S = ast_node(ctx, A_FN, span_join(K.span, E->span));
  S->name = N.str; S->name_span = N.span; S->list = P->list; S->type = R; S->a = E; S->ival = K.ival;
  ast_adopt(ctx, S, E);
}
stmt(S) ::= fnkw(K) NAME(N) LP params(P) RP rettype(R) block(B). {
  S = ast_node(ctx, A_FN, span_join(K.span, B->span));
  S->name = N.str; S->name_span = N.span; S->list = P->list; S->type = R; S->a = B; S->ival = K.ival;
  ast_adopt(ctx, S, B);
}
/* model NAME(params) { ... }: a function (with an added `seed: int = 0` unless it declares its
 * own) whose body's `param`s and `fn`s make the record it returns (sema_model.c) */
stmt(S) ::= MODEL(K) NAME(N) LP params(P) RP block(B). {
  S = ast_node(ctx, A_FN, span_join(K.span, B->span));
  S->name = N.str; S->name_span = N.span; S->list = P->list; S->a = B; S->ival = DECL_NONE; S->op = FN_MODEL;
  ast_adopt(ctx, S, B);
  bool has_seed = false;
  for (int i = 0; i < S->list.n; i++) has_seed |= strcmp(((Node *)S->list.items[i])->name, "seed") == 0;
  if (!has_seed) {
    Node *p = ast_node(ctx, A_PARAM, N.span);
    p->name = "seed"; p->name_span = N.span;
    p->type = ast_node(ctx, A_TYPE, N.span); p->type->name = "int";
    p->a = ast_node(ctx, A_INT, N.span); p->a->ival = 0;
    vec_push(ctx->arena, &S->list, p);
  }
}
stmt(S) ::= PARAM(K) NAME(N) COLON type(T) EQ expr(E). {
  S = ast_node(ctx, A_MPARAM, span_join(K.span, E->span));
  S->name = N.str; S->name_span = N.span; S->type = T; S->a = E; ast_adopt(ctx, S, E);
}
stmt(S) ::= PARAM(K) NAME(N) EQ expr(E). {
  S = ast_node(ctx, A_MPARAM, span_join(K.span, E->span));
  S->name = N.str; S->name_span = N.span; S->a = E; ast_adopt(ctx, S, E);
}
/* param layers[i < n] = block(d): n of them, a record with fields 0, 1, ... */
stmt(S) ::= PARAM(K) NAME(N) LB names(L) RB EQ expr(E). {
  S = ast_node(ctx, A_MPARAM, span_join(K.span, E->span));
  S->name = N.str; S->name_span = N.span; S->list = L->list; S->a = E; ast_adopt(ctx, S, E);
}
%type fnkw {Token}
fnkw(X) ::= FN(K). { X = K; X.ival = DECL_NONE; }
fnkw(X) ::= LOSS(K). { X = K; }
stmt(S) ::= ARG(K) NAME(N) COLON type(T). {
  S = ast_node(ctx, A_ARG, span_join(K.span, T->span));
  S->name = N.str; S->name_span = N.span; S->type = T;
}
stmt(S) ::= ARG(K) NAME(N) COLON type(T) EQ expr(E). {
  S = ast_node(ctx, A_ARG, span_join(K.span, E->span));
  S->name = N.str; S->name_span = N.span; S->type = T; S->a = E; ast_adopt(ctx, S, E);
}
stmt(S) ::= expr(E). { S = ast_node(ctx, A_EXPR, E->span); S->a = E; ast_adopt(ctx, S, E); }

/* a comprehension's indices: `i`, or `i < n` with an explicit range */
names(L) ::= index(X). { L = ast_node(ctx, A_BLOCK, X->span); ast_add(ctx, L, X); }
names(L) ::= names(L0) COMMA index(X). { L = L0; ast_add(ctx, L, X); }
index(X) ::= NAME(N). { X = ast_node(ctx, A_NAME, N.span); X->name = N.str; }
index(X) ::= NAME(N) LT expr(E). {
  Node *n = ast_node(ctx, A_NAME, N.span); n->name = N.str;
  X = ast_binary(ctx, OP_LT, n, E);
}

params(L) ::= . { Span none = {ctx->src, 0, 0}; L = ast_node(ctx, A_BLOCK, none); }
params(L) ::= paramlist(L0). { L = L0; }
params(L) ::= paramlist(L0) COMMA. { L = L0; }
paramlist(L) ::= param(P). { L = ast_node(ctx, A_BLOCK, P->span); ast_add(ctx, L, P); }
paramlist(L) ::= paramlist(L0) COMMA param(P). { L = L0; ast_add(ctx, L, P); }
param(P) ::= NAME(N). { P = ast_node(ctx, A_PARAM, N.span); P->name = N.str; P->name_span = N.span; }
param(P) ::= NAME(N) COLON type(T). {
  P = ast_node(ctx, A_PARAM, span_join(N.span, T->span)); P->name = N.str; P->name_span = N.span; P->type = T;
}
param(P) ::= NAME(N) EQ expr(E). {
  P = ast_node(ctx, A_PARAM, span_join(N.span, E->span)); P->name = N.str; P->name_span = N.span;
  P->a = E; ast_adopt(ctx, P, E);
}
param(P) ::= NAME(N) COLON type(T) EQ expr(E). {
  P = ast_node(ctx, A_PARAM, span_join(N.span, E->span)); P->name = N.str; P->name_span = N.span; P->type = T;
  P->a = E; ast_adopt(ctx, P, E);
}

rettype(R) ::= . { R = NULL; }
rettype(R) ::= ARROW type(T). { R = T; }

type(T) ::= NAME(N). { T = ast_node(ctx, A_TYPE, N.span); T->name = N.str; }
type(T) ::= FN(N). { T = ast_node(ctx, A_TYPE, N.span); T->name = "fn"; } /* a function value */
type(T) ::= NAME(N) LB dims(D) RB(E). {
  T = ast_node(ctx, A_TYPE, span_join(N.span, E.span)); T->name = N.str; T->list = D->list; T->ival = 1;
}
/* float[...]: a tensor of any rank, or a number (a function generic over ranks: relu(x)) */
type(T) ::= NAME(N) LB ELLIPSIS RB(E). {
  T = ast_node(ctx, A_TYPE, span_join(N.span, E.span)); T->name = N.str; T->ival = 2;
}
dims(L) ::= dim(D). { L = ast_node(ctx, A_BLOCK, D->span); ast_add(ctx, L, D); }
dims(L) ::= dims(L0) COMMA dim(D). { L = L0; ast_add(ctx, L, D); }
dim(D) ::= NAME(N). { D = ast_node(ctx, A_NAME, N.span); D->name = N.str; }
dim(D) ::= INT(I). { D = ast_node(ctx, A_INT, I.span); D->ival = I.ival; }

block(B) ::= LBRACE(L) blockitems(I) RBRACE(R). { B = I; B->span = span_join(L.span, R.span); }
block(B) ::= LBRACE(L) blockitems(I) stmt(S) RBRACE(R). {
  B = I; ast_add(ctx, B, S); B->span = span_join(L.span, R.span);
}
blockitems(B) ::= . { Span none = {ctx->src, 0, 0}; B = ast_node(ctx, A_BLOCK, none); }
blockitems(B) ::= blockitems(B0) sep. { B = B0; }
blockitems(B) ::= blockitems(B0) stmt(S) sep. { B = B0; ast_add(ctx, B, S); }

/* --- expressions --------------------------------------------------------------------------- */

expr(E) ::= INT(T). { E = ast_node(ctx, A_INT, T.span); E->ival = T.ival; }
expr(E) ::= FLOAT(T). { E = ast_node(ctx, A_FLOAT, T.span); E->fval = T.fval; }
expr(E) ::= STRING(T). { E = ast_node(ctx, A_STR, T.span); E->str = T.str; }
expr(E) ::= TRUE(T). { E = ast_node(ctx, A_BOOL, T.span); E->ival = 1; }
expr(E) ::= FALSE(T). { E = ast_node(ctx, A_BOOL, T.span); E->ival = 0; }
expr(E) ::= NAME(T). { E = ast_node(ctx, A_NAME, T.span); E->name = T.str; }
expr(E) ::= LP(L) expr(X) RP(R). { E = X; E->span = span_join(L.span, R.span); }
expr(E) ::= LB(L) exprs(X) RB(R). {
  E = X; E->kind = A_LIST; E->span = span_join(L.span, R.span);
}
expr(E) ::= LB(L) exprs(X) COMMA RB(R). {
  E = X; E->kind = A_LIST; E->span = span_join(L.span, R.span);
}
expr(E) ::= LBRACE(L) fields(X) RBRACE(R). {
  E = X; E->kind = A_RECORD; E->span = span_join(L.span, R.span);
}
expr(E) ::= LBRACE(L) fields(X) COMMA RBRACE(R). {
  E = X; E->kind = A_RECORD; E->span = span_join(L.span, R.span);
}
expr(E) ::= NAME(N) LP args(A) RP(R). {
  E = A; E->kind = A_CALL; E->name = N.str; E->name_span = N.span; E->span = span_join(N.span, R.span);
}
/* a call of the function a call gives: grad(loss)(p, x) */
expr(E) ::= NAME(N) LP args(A) RP(M) LP args(B) RP(R). {
  A->kind = A_CALL; A->name = N.str; A->name_span = N.span; A->span = span_join(N.span, M.span);
  E = B; E->kind = A_CALL; E->b = A; E->name = N.str; E->name_span = A->span; E->span = span_join(N.span, R.span);
  ast_adopt(ctx, E, A);
}
expr(E) ::= RED(K) LP args(A) RP(R). [REDCALL] {
  E = A; E->kind = A_CALL; E->name = red_name((RedKind)K.ival); E->name_span = K.span;
  E->span = span_join(K.span, R.span);
}
expr(E) ::= RED(K) LP args(A) RP expr(B). [REDBODY] {
  E = ast_node(ctx, A_REDUCE, span_join(K.span, B->span));
  E->op = (int)K.ival; E->name_span = K.span; E->list = A->list; E->a = B; ast_adopt(ctx, E, B);
}
/* all and any: their body is a condition, so it extends over comparisons (not over and, or) */
expr(E) ::= LRED(K) LP args(A) RP(R). [REDCALL] {
  E = A; E->kind = A_CALL; E->name = red_name((RedKind)K.ival); E->name_span = K.span;
  E->span = span_join(K.span, R.span);
}
expr(E) ::= LRED(K) LP args(A) RP expr(B). [LREDBODY] {
  E = ast_node(ctx, A_REDUCE, span_join(K.span, B->span));
  E->op = (int)K.ival; E->name_span = K.span; E->list = A->list; E->a = B; ast_adopt(ctx, E, B);
}
expr(E) ::= expr(X) LB subs(S) RB(R). {
  E = S; E->kind = A_INDEX; E->a = X; E->span = span_join(X->span, R.span); ast_adopt(ctx, E, X);
}
expr(E) ::= expr(X) DOT NAME(N). {
  E = ast_node(ctx, A_FIELD, span_join(X->span, N.span));
  E->a = X; E->name = N.str; E->name_span = N.span; ast_adopt(ctx, E, X);
}
/* a call of a function stored in a record's field: opt.step(p, g) */
expr(E) ::= expr(X) DOT NAME(N) LP args(A) RP(R). {
  E = A; E->kind = A_CALL; E->a = X; E->name = N.str; E->name_span = N.span; E->span = span_join(X->span, R.span);
  ast_adopt(ctx, E, X);
}
expr(E) ::= expr(X) DOT RED(N). {
  E = ast_node(ctx, A_FIELD, span_join(X->span, N.span));
  E->a = X; E->name = red_name((RedKind)N.ival); E->name_span = N.span; ast_adopt(ctx, E, X);
}
expr(E) ::= MINUS(O) expr(X). [UMINUS] { E = ast_unary(ctx, OP_NEG, O.span, X); }
expr(E) ::= PMINUS(O) expr(X). [UMINUS] { E = ast_unary(ctx, OP_NEG, O.span, X); }
expr(E) ::= NOT(O) expr(X). { E = ast_unary(ctx, OP_NOT, O.span, X); }
expr(E) ::= expr(A) PLUS expr(B). { E = ast_binary(ctx, OP_ADD, A, B); }
expr(E) ::= expr(A) MINUS expr(B). { E = ast_binary(ctx, OP_SUB, A, B); }
expr(E) ::= expr(A) STAR expr(B). { E = ast_binary(ctx, OP_MUL, A, B); }
expr(E) ::= expr(A) SLASH expr(B). { E = ast_binary(ctx, OP_DIV, A, B); }
expr(E) ::= expr(A) PERCENT expr(B). { E = ast_binary(ctx, OP_MOD, A, B); }
expr(E) ::= expr(A) CARET expr(B). { E = ast_binary(ctx, OP_POW, A, B); }
expr(E) ::= expr(A) AT expr(B). { E = ast_binary(ctx, OP_MATMUL, A, B); }
expr(E) ::= expr(A) EQEQ expr(B). { E = ast_binary(ctx, OP_EQ, A, B); }
expr(E) ::= expr(A) NE expr(B). { E = ast_binary(ctx, OP_NE, A, B); }
expr(E) ::= expr(A) LT expr(B). { E = ast_binary(ctx, OP_LT, A, B); }
expr(E) ::= expr(A) LE expr(B). { E = ast_binary(ctx, OP_LE, A, B); }
expr(E) ::= expr(A) GT expr(B). { E = ast_binary(ctx, OP_GT, A, B); }
expr(E) ::= expr(A) GE expr(B). { E = ast_binary(ctx, OP_GE, A, B); }
expr(E) ::= expr(A) AND expr(B). { E = ast_binary(ctx, OP_AND, A, B); }
expr(E) ::= expr(A) OR expr(B). { E = ast_binary(ctx, OP_OR, A, B); }
expr(E) ::= IF(K) expr(C) THEN expr(A) ELSE expr(B). {
  E = ast_node(ctx, A_IF, span_join(K.span, B->span));
  E->a = C; E->b = A; E->c = B; ast_adopt(ctx, E, C); ast_adopt(ctx, E, A); ast_adopt(ctx, E, B);
}
expr(E) ::= ITERATE(K) states(S) block(B) UNTIL expr(C) MAXKW expr(N). [ITERATE] {
  E = ast_node(ctx, A_ITERATE, span_join(K.span, N->span));
  E->list = S->list; E->body = B; E->a = C; E->b = N;
  ast_adopt(ctx, E, C); ast_adopt(ctx, E, N);
}
/* a counted loop: no convergence test, the body runs exactly N times */
expr(E) ::= ITERATE(K) states(S) block(B) MAXKW expr(N). [ITERATE] {
  E = ast_node(ctx, A_ITERATE, span_join(K.span, N->span));
  E->list = S->list; E->body = B; E->b = N; ast_adopt(ctx, E, N);
}

/* an anonymous function, a value: fn(x) = x * 2 (its body extends as far as an if's else does),
 * or fn(x) { statements; value } */
expr(E) ::= FN(K) LP params(P) RP EQ expr(B). [IF] {
  E = ast_node(ctx, A_FN, span_join(K.span, B->span));
  E->name = "fn"; E->name_span = K.span; E->list = P->list; E->a = B; E->ival = DECL_NONE; ast_adopt(ctx, E, B);
}
expr(E) ::= FN(K) LP params(P) RP block(B). {
  E = ast_node(ctx, A_FN, span_join(K.span, B->span));
  E->name = "fn"; E->name_span = K.span; E->list = P->list; E->a = B; E->ival = DECL_NONE; ast_adopt(ctx, E, B);
}

/* `in` is a name elsewhere (a record field may be called `in`), so the action checks it */
expr(E) ::= MAP(K) mapnames(N) NAME(I) exprs(P) block(B). [MAP] {
  E = ast_node(ctx, A_MAP, span_join(K.span, B->span));
  E->list = N->list; E->a = P; E->body = B; E->name_span = K.span; ast_adopt(ctx, E, P);
  if (strcmp(I.str, "in") != 0) {
    Diag *g = diag_error(ctx->diags, I.span, "expected `in` after the names a map binds, not `%s`", I.str);
    diag_hint(ctx->diags, g, "write map a, b in \"a/\", \"b/\" { 0.5 * a + 0.5 * b }");
  }
}
mapnames(L) ::= NAME(N). {
  Node *x = ast_node(ctx, A_NAME, N.span); x->name = N.str;
  L = ast_node(ctx, A_BLOCK, N.span); ast_add(ctx, L, x);
}
mapnames(L) ::= mapnames(L0) COMMA NAME(N). {
  Node *x = ast_node(ctx, A_NAME, N.span); x->name = N.str;
  L = L0; ast_add(ctx, L, x);
}
exprs(L) ::= expr(X). { L = ast_node(ctx, A_BLOCK, X->span); ast_add(ctx, L, X); }
exprs(L) ::= exprs(L0) COMMA expr(X). { L = L0; ast_add(ctx, L, X); }

fields(L) ::= field(F). { L = ast_node(ctx, A_BLOCK, F->span); ast_add(ctx, L, F); }
fields(L) ::= fields(L0) COMMA field(F). { L = L0; ast_add(ctx, L, F); }
field(F) ::= NAME(N) COLON expr(X). {
  F = ast_node(ctx, A_FIELDINIT, span_join(N.span, X->span));
  F->name = N.str; F->name_span = N.span; F->a = X; ast_adopt(ctx, F, X);
}
/* reduction names are fine field names: {mean: m, max: x} */
field(F) ::= RED(N) COLON expr(X). {
  F = ast_node(ctx, A_FIELDINIT, span_join(N.span, X->span));
  F->name = red_name((RedKind)N.ival); F->name_span = N.span; F->a = X; ast_adopt(ctx, F, X);
}

args(L) ::= . { Span none = {ctx->src, 0, 0}; L = ast_node(ctx, A_BLOCK, none); }
args(L) ::= arglist(L0). { L = L0; }
args(L) ::= arglist(L0) COMMA. { L = L0; }
arglist(L) ::= arg(X). { L = ast_node(ctx, A_BLOCK, X->span); ast_add(ctx, L, X); }
arglist(L) ::= arglist(L0) COMMA arg(X). { L = L0; ast_add(ctx, L, X); }
arg(X) ::= expr(E). { X = E; }
arg(X) ::= NAME(N) EQ expr(E). {
  X = ast_node(ctx, A_KWARG, span_join(N.span, E->span));
  X->name = N.str; X->name_span = N.span; X->a = E; ast_adopt(ctx, X, E);
}

states(L) ::= state(X). { L = ast_node(ctx, A_BLOCK, X->span); ast_add(ctx, L, X); }
states(L) ::= states(L0) COMMA state(X). { L = L0; ast_add(ctx, L, X); }
state(X) ::= NAME(N) EQ expr(E). {
  X = ast_node(ctx, A_STATEINIT, span_join(N.span, E->span));
  X->name = N.str; X->name_span = N.span; X->a = E; ast_adopt(ctx, X, E);
}

subs(L) ::= sub(X). { L = ast_node(ctx, A_BLOCK, X->span); ast_add(ctx, L, X); }
subs(L) ::= subs(L0) COMMA sub(X). { L = L0; ast_add(ctx, L, X); }
sub(X) ::= expr(E). { X = E; }
sub(X) ::= slice(S). { X = S; }
/* a:b:c, the step c after a slice a:b (either bound may be left out, as may c: `x[::2]`) */
sub(X) ::= slice(S) COLON(C). { X = S; X->span = span_join(S->span, C.span); }
sub(X) ::= slice(S) COLON expr(E). { X = S; X->c = E; X->span = span_join(S->span, E->span); }
slice(X) ::= expr(A) COLON(C) expr(B). {
  X = ast_node(ctx, A_SLICE, span_join(A->span, span_join(C.span, B->span))); X->a = A; X->b = B;
}
slice(X) ::= COLON(C) expr(B). { X = ast_node(ctx, A_SLICE, span_join(C.span, B->span)); X->b = B; }
slice(X) ::= expr(A) COLON(C). { X = ast_node(ctx, A_SLICE, span_join(A->span, C.span)); X->a = A; }
slice(X) ::= COLON(C). { X = ast_node(ctx, A_SLICE, C.span); }
