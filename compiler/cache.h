/* cache.h: sinter run's cache of compiled programs: executables kept under a key of everything
 * their code depends on, run without compiling again (docs/design.md, "sinter run keeps what it
 * compiled"). Both the front (front.c) and the full compiler (main.c) use it; nothing here calls
 * LLVM. */
#ifndef SN_CACHE_H
#define SN_CACHE_H

#include "driver.h"

typedef struct CacheKey {
  uint64_t h[2];
} CacheKey;

/* Should this run use the cache: `run` with the JIT, without --no-cache, and without
 * SINTER_DEBUG (whose dumps show what run compiles)? */
bool cache_wanted(const Options *o);

/* The cache's directory, $XDG_CACHE_HOME/sinter or ~/.cache/sinter, created private (0700) when
 * missing. NULL, with *why set to a malloc'd reason, when there is none usable (no HOME, or a
 * directory that is not the user's own). */
char *cache_dir(char **why);

/* The key of a checked unit (before unit_lower), compiled by `compiler` (the full compiler's
 * executable, whose build ID stands for the compiler's version) with the options o. false, with
 * *why set, when the compiler has no build ID. */
bool cache_key(const Unit *u, const Options *o, const char *compiler, CacheKey *k, char **why);

/* The program stored under k, as a file descriptor ready for cache_exec, when the entry is whole
 * and intact (its header's magic, key, size and checksum hold); -1 otherwise. */
int cache_open(const char *dir, const CacheKey *k);

/* Stores the executable at `exe` under k (a temporary file renamed into place) and removes `exe`;
 * the least recently used entries beyond CACHE_MAX_ENTRIES go. false, with *why set, on failure. */
bool cache_store(const char *dir, const CacheKey *k, const char *exe, char **why);

/* Runs the program in fd (from cache_open) in place of this process, named `name`, with its
 * arguments (and --quiet when o asks for it). Returns only when it cannot (errno set). */
void cache_exec(int fd, const char *name, const Options *o, int argc, char **argv);

/* Where the executable of a store under k is made before cache_store takes it: a malloc'd path. */
char *cache_scratch_path(const char *dir, const CacheKey *k);

#endif
