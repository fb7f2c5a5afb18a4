/* front.c: the `sinter` command. A program that `sinter run` compiled before runs straight from
 * the cache (cache.h); everything else, a miss included, goes to the full compiler,
 * libexec/sinter-llvm beside this program's bin/ (main.c), executed with the same arguments.
 * This program links no LLVM: loading libLLVM costs about 60 ms of CPU before main starts,
 * more than a whole run from the cache. */
#include "cache.h"
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs c's program from the cache: checks the source, computes its key and executes the entry,
 * in place of this process. The source's diagnostics are printed here when it has errors (the
 * exit code is returned) or runs from here; returns -1 on a miss, or when the cache cannot serve,
 * for the full compiler to compile (or explain). */
static int run_cached(const Cli *c, const char *compiler) {
  double t0 = driver_now();
  Options quiet = c->o; /* the full compiler times the stages on a miss */
  quiet.time_passes = false;
  Unit u;
  unit_init(&u);
  int rc = -1;
  char *dir = NULL, *why = NULL;
  CacheKey k;
  if (!unit_read(&u, c->file)) {
    rc = 1;
  } else if (!unit_analyse(&u, &quiet)) {
    unit_print_diags(&u, &c->o);
    rc = 1;
  } else if ((dir = cache_dir(&why)) && cache_key(&u, &c->o, compiler, &k, &why)) {
    int fd = cache_open(dir, &k);
    if (fd >= 0) {
      unit_print_diags(&u, &c->o);
      if (c->o.time_passes) fprintf(stderr, "  check and cache hit %8.3f ms\n", (driver_now() - t0) * 1e3);
      char *name = cli_prog_name(c->file);
      cache_exec(fd, name, &c->o, c->nargs, c->args);
      free(name);
      close(fd);
    }
  }
  free(why);
  free(dir);
  unit_free(&u);
  return rc;
}

int main(int argc, char **argv) {
  Cli c;
  int rc = cli_parse(argc, argv, &c);
  if (rc >= 0) return rc;
  char *bin = cli_self_dir(), *compiler;
  if (asprintf(&compiler, "%s/../libexec/sinter-llvm", bin) < 0) return 1;
  free(bin);
  if (c.command == CLI_RUN && cache_wanted(&c.o) && (rc = run_cached(&c, compiler)) >= 0) {
    free(compiler);
    return rc;
  }
  execv(compiler, argv);
  fprintf(stderr, "sinter: error: cannot run the compiler %s: %s\n", compiler, strerror(errno));
  return 1;
}
