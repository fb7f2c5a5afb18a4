/* test_stdlib.c: the standard library checks alone. Every public function type-checks once with
 * symbolic sizes, as a program's typed functions are checked where they are defined (so an error
 * in a solver no test calls with those types is still found), every declaration's stdlib
 * function gives a value the declaration accepts, and every builtin's signature parses. */
#include "../runtime/check.h"

#include "builtins.h"
#include "parse.h"
#include "prelude.h"

/* Checks the library made of `text` (stdlib source; NULL: sinter's own), printing what it
 * reports when `show`. */
static bool check_library(const char *text, bool show, int *nerrors) {
  Arena a = {0};
  DiagBag d = {.arena = &a};
  Library lib = {.builtins = builtin_families};
  bool ok;
  if (text) {
    Source *src = source_new(&a, "stdlib/test.dsl", text, strlen(text));
    src->stdlib = true;
    ok = parse_source(&a, &d, src, &lib.stdlib);
  } else {
    ok = library_load(&a, &d, &lib);
  }
  ok = ok && sema_check_library(&a, &d, &lib);
  if (show) diag_print(&d, stdout, false);
  *nerrors = d.nerrors;
  arena_free(&a);
  return ok;
}

TEST(stdlib_checks) {
  int nerrors;
  CHECK(check_library(NULL, true, &nerrors));
  CHECK_EQ_INT(nerrors, 0);
}

/* The check finds an error in a function nothing calls, and a parameter it cannot type. */
TEST(stdlib_check_finds_errors) {
  int nerrors;
  CHECK(!check_library("fn sinkhorn(a: f64[n]) = {cost: a @ true}\n"
                       "fn sinkhorn_loss(x: f64[n]) = sum(x)\n"
                       "fn untyped(x) = x\n"
                       "fn train(params: record) = {params: params}\n"
                       "fn schedule(steps: int) = {sigmas: zeros(steps + 1, dtype=f64)}\n"
                       "fn sample(n: int) = {x: zeros(n)}\n",
                       false, &nerrors));
  CHECK_EQ_INT(nerrors, 2);
}

/* Each declaration's stdlib function is checked against the declaration. */
TEST(stdlib_declarations) {
  int nerrors;
  CHECK(!check_library("fn sinkhorn(a: f64[n]) = {plan: a}\nfn sinkhorn_loss(x: f64[n]) = x\n"
                       "fn train(params: record) = {params: params}\n"
                       "fn schedule(steps: int) = zeros(steps + 1, dtype=f64)\nfn sample(n: int) = {x: zeros(n)}\n",
                       false, &nerrors));
  CHECK_EQ_INT(nerrors, 3);
}

TEST(builtin_signatures_parse) {
  Arena a = {0};
  Sema s = {.arena = &a, .builtins = builtin_families};
  int n = 0;
  for (const Builtin *const *f = builtin_families; *f; f++)
    for (const Builtin *b = *f; b->name; b++, n++) {
      CHECK(sema_builtin_find(&s, b->name) == b);
      Node *sig = sema_builtin_signature(&s, b);
      CHECK(sig && sig->kind == A_FN);
    }
  CHECK(n > 60);
  arena_free(&a);
}
