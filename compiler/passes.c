/* passes.c: the pass pipeline (see passes.h). */
#include "passes.h"

#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void passes_run(IrFunc *f, const PassOptions *opt) {
  static const struct {
    const char *name;
    int which;
  } pipeline[] = {{"dce", 0}, {"fuse", 1}, {"layout", 5}, {"loops", 2}, {"cse", 4}, {"dce", 0}, {"rc", 3}};
  if (opt->verify) ir_verify(f, "sema");
  for (size_t i = 0; i < sizeof pipeline / sizeof *pipeline; i++) {
    double t0 = now();
    switch (pipeline[i].which) {
    case 0: pass_dce(f); break;
    case 1: pass_fuse(f, opt->fuse); break;
    case 2: pass_loops(f); break;
    case 3: pass_rc(f); break;
    case 4: pass_cse(f); break;
    case 5: pass_layout(f); break;
    }
    ir_resolve(f);
    if (opt->time) fprintf(stderr, "  pass %-6s %8.3f ms\n", pipeline[i].name, (now() - t0) * 1e3);
    if (opt->verify) ir_verify(f, pipeline[i].name);
  }
}
