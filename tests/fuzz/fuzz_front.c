/* fuzz_front.c: libFuzzer target over the front end and the IR passes: any bytes as a program
 * must produce diagnostics or valid IR, never a crash, a hang or a leak. */
#include "parse.h"
#include "passes.h"
#include "prelude.h"
#include "sema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Arena a = {0};
  DiagBag d = {.arena = &a};
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  Source *src = source_new(&a, "fuzz.dsl", text, size);
  Library lib;
  PtrVec stmts = {0};
  if (library_load(&a, &d, &lib) && parse_source(&a, &d, src, &stmts)) {
    IrFunc *f = sema_program(&a, &d, &lib, &stmts);
    if (f) {
      PassOptions po = {.fuse = true, .verify = true};
      passes_run(f, &po);
    }
  }
  FILE *null = fopen("/dev/null", "w");
  if (null) {
    diag_print(&d, null, false);
    fclose(null);
  }
  arena_free(&a);
  free(text);
  return 0;
}
