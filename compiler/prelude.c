/* prelude.c: the standard library's syntax, parsed from the sources embedded in sinter. */
#include "prelude.h"

#include "parse.h"

bool prelude_parse(Arena *a, DiagBag *d, PtrVec *out) {
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
