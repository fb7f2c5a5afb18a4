/* prelude.h: the standard library's .dsl sources (stdlib/), compiled into sinter by
 * tools/embed.sh and read before every program as its prelude. */
#ifndef SN_PRELUDE_H
#define SN_PRELUDE_H
#include <stddef.h>

typedef struct StdlibFile {
  const char *path; /* "stdlib/transport.dsl", as diagnostics name it */
  const char *text; /* NUL-terminated */
  size_t len;
} StdlibFile;

extern const StdlibFile sn_stdlib_files[];
extern const int sn_stdlib_nfiles;

#endif
