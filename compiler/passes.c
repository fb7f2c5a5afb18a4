/* passes.c: the pass pipeline (see passes.h), a table: a pass added is a row here. */
#include "passes.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

const Pass passes[] = {
    {"dce", pass_dce, 0, 0},
    {"fuse", pass_fuse, 0, IRP_FUSED},
    {"layout", pass_layout, IRP_FUSED, 0},
    {"loops", pass_loops, IRP_FUSED, IRP_LOWERED},
    {"unroll", pass_unroll, IRP_LOWERED, 0},
    {"cse", pass_cse, IRP_LOWERED, 0},
    {"jam", pass_jam, IRP_LOWERED, 0},
    {"cse", pass_cse, IRP_LOWERED, 0},
    {"dce", pass_dce, 0, 0},
    {"rc", pass_rc, IRP_LOWERED, IRP_COUNTED},
    {NULL, NULL, 0, 0},
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const Pass *passes_find(const char *name) {
  for (const Pass *p = passes; p->name; p++)
    if (strcmp(p->name, name) == 0) return p;
  return NULL;
}

void passes_run(IrFunc *f, const PassOptions *opt) {
  if (opt->verify) ir_verify(f, "sema");
  if (opt->stop_after && strcmp(opt->stop_after, "sema") == 0) return;
  for (const Pass *p = passes; p->name; p++) {
    if ((f->props & p->needs) != p->needs) die("pass %s runs before what it needs", p->name);
    double t0 = now();
    p->run(f, opt);
    f->props |= p->establishes;
    ir_resolve(f);
    if (opt->time) fprintf(stderr, "  pass %-6s %8.3f ms\n", p->name, (now() - t0) * 1e3);
    if (opt->verify) ir_verify(f, p->name);
    if (opt->stop_after && strcmp(opt->stop_after, p->name) == 0) return;
  }
}
