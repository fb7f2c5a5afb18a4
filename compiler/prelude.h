/* prelude.h: the standard library's .dsl sources (stdlib/), compiled into sinter by
 * tools/embed.sh, and their syntax, which the driver hands to sema with every program. */
#ifndef SN_PRELUDE_H
#define SN_PRELUDE_H

#include "ast.h"

#include <stddef.h>

typedef struct StdlibFile {
  const char *path; /* "stdlib/transport.dsl", as diagnostics name it */
  const char *text; /* NUL-terminated */
  size_t len;
} StdlibFile;

extern const StdlibFile sn_stdlib_files[];
extern const int sn_stdlib_nfiles;

/* Parses every stdlib file into `out` (the statements of all files, in order); syntax errors are
 * reported to d, and a file that fails contributes none of its statements. */
bool prelude_parse(Arena *a, DiagBag *d, PtrVec *out);

#endif
