/* reductions.c: the table of reductions (reductions.def) and lookups in it. */
#include "reductions.h"

#include <string.h>

const RedInfo red_info[] = {
#define RED(id, name, fold, init, result, flags, order) [RED_##id] = {name, result, flags, order},
#include "reductions.def"
};
_Static_assert(sizeof red_info / sizeof *red_info == RED_COUNT, "a reduction without its row");

int red_lookup(const char *name, size_t len) {
  for (int k = 0; k < RED_COUNT; k++)
    if (strlen(red_info[k].name) == len && memcmp(red_info[k].name, name, len) == 0) return k;
  return -1;
}

const char *red_name(RedKind k) { return red_info[k].name; }
