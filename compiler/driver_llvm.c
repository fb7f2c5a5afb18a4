/* driver_llvm.c: the pipeline's LLVM step that the command line and the REPL share (driver.h).
 * It is apart from driver.c so that the front program (front.c), which never calls LLVM, links
 * driver.c without libLLVM. */
#include "driver.h"

#include <stdlib.h>

bool driver_optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm, const Options *o) {
  char *err = NULL;
  double t0 = driver_now();
  if (!cg_optimize(mod, tm, o->opt_level, &err)) {
    fprintf(stderr, "sinter: internal error: LLVM optimisation failed: %s\n", err);
    free(err);
    return false;
  }
  if (o->time_passes) fprintf(stderr, "  llvm opt    %8.3f ms\n", (driver_now() - t0) * 1e3);
  return true;
}
