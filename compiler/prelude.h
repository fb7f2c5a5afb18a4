/* prelude.h: the standard library's .dsl sources (stdlib/), compiled into sinter by
 * tools/embed.sh, and the Library the driver hands to sema with every program: their syntax and
 * the builtins' tables (compiler/builtins.h). */
#ifndef SN_PRELUDE_H
#define SN_PRELUDE_H

#include "sema.h"

#include <stddef.h>

typedef struct StdlibFile {
  const char *path; /* "stdlib/transport.dsl", as diagnostics name it */
  const char *text; /* NUL-terminated */
  size_t len;
} StdlibFile;

extern const StdlibFile sn_stdlib_files[];
extern const int sn_stdlib_nfiles;

/* The library: every stdlib file parsed into lib->stdlib (the statements of all files, in order;
 * syntax errors are reported to d, and a file that fails contributes none of its statements),
 * and the builtins. */
bool library_load(Arena *a, DiagBag *d, Library *lib);
/* The builtins' families, in the order their names are searched and listed, ended by NULL. */
extern const Builtin *const builtin_families[];

#endif
