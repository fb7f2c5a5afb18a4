/* driver.c: the compilation pipeline (see driver.h). */
#include "driver.h"

#include "parse.h"
#include "prelude.h"
#include "sema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

double driver_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void unit_init(Unit *u) {
  memset(u, 0, sizeof *u);
  u->diags.arena = &u->arena;
}

void unit_free(Unit *u) {
  arena_free(&u->arena);
  free(u->text);
  u->text = NULL;
}

bool unit_read(Unit *u, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "sinter: error: cannot read %s: %s\n", path, strerror(errno));
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    fprintf(stderr, "sinter: error: %s is a directory, not a .dsl file\n", path);
    return false;
  }
  size_t len;
  u->text = read_file(path, &len);
  if (!u->text) {
    fprintf(stderr, "sinter: error: cannot read %s: %s\n", path, strerror(errno));
    return false;
  }
  u->src = source_new(&u->arena, path, u->text, len);
  return true;
}

void unit_print_diags(Unit *u, const Options *o) {
  diag_print(&u->diags, stderr, o->color);
  u->diags.items.n = 0;
}

bool unit_analyse(Unit *u, const Options *o) {
  double t0 = driver_now();
  Library lib;
  bool ok = library_load(&u->arena, &u->diags, &lib) && parse_source(&u->arena, &u->diags, u->src, &u->stmts);
  if (o->time_passes) fprintf(stderr, "  parse       %8.3f ms\n", (driver_now() - t0) * 1e3);
  if (ok) {
    t0 = driver_now();
    u->ir = sema_program(&u->arena, &u->diags, &lib, &u->stmts);
    ok = u->ir != NULL;
    if (o->time_passes) fprintf(stderr, "  sema        %8.3f ms\n", (driver_now() - t0) * 1e3);
  }
  return ok;
}

bool unit_check(Unit *u, const Options *o) {
  bool ok = unit_analyse(u, o);
  unit_print_diags(u, o);
  return ok;
}

void unit_lower(Unit *u, const Options *o) {
  PassOptions po = {.fuse = o->fuse, .verify = true, .time = o->time_passes, .stop_after = o->stop_after};
  passes_run(u->ir, &po);
}

SnArgSpec *unit_arg_specs(Unit *u, int *n) {
  *n = u->ir->args.n;
  SnArgSpec *s = arena_alloc(&u->arena, (size_t)(*n ? *n : 1) * sizeof *s);
  for (int i = 0; i < *n; i++) s[i] = ((IrArg *)u->ir->args.items[i])->spec;
  return s;
}
