/* prelude.c: the library: the standard library's syntax, parsed from the sources embedded in
 * sinter, and the builtins' tables. */
#include "prelude.h"

#include "builtins.h"
#include "parse.h"

const Builtin *const builtin_families[] = {builtins_core, builtins_io, builtins_transport, builtins_shape, builtins_linalg,
                                              builtins_plot, builtins_nn, NULL};

bool library_load(Arena *a, DiagBag *d, Library *lib) {
  PtrVec *out = &lib->stdlib;
  *lib = (Library){.builtins = builtin_families};
  bool ok = true;
  for (int f = 0; f < sn_stdlib_nfiles; f++) {
    const StdlibFile *sf = &sn_stdlib_files[f];
    Source *src = source_new(a, sf->path, sf->text, sf->len);
    src->stdlib = true;
    PtrVec stmts = {0};
    if (!parse_source(a, d, src, &stmts)) {
      ok = false;
      continue;
    }
    for (int i = 0; i < stmts.n; i++) vec_push(a, out, stmts.items[i]);
  }
  return ok;
}
