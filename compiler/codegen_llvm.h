/* codegen_llvm.h: the IR to LLVM IR (llvm-19, C API), optimisation for the host CPU, and
 * emission of objects and assembly. */
#ifndef SN_CODEGEN_LLVM_H
#define SN_CODEGEN_LLVM_H

#include "ir.h"

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

typedef enum CgMode {
  CG_JIT, /* defines sinter_program(user, args, slots) */
  CG_EXE, /* also defines main(argc, argv), which runs the program through sn_main */
} CgMode;

/* Initialises LLVM's native target (once). */
void cg_init(void);

/* The module for f, whose program function is named `entry` (the REPL names each line's
 * differently). `progname` is the executable's name for --help. */
LLVMModuleRef cg_module(LLVMContextRef ctx, IrFunc *f, CgMode mode, const char *progname, const char *entry);

/* A target machine for this CPU (its features included) at -O2/-O3. */
LLVMTargetMachineRef cg_host_machine(int opt_level);

/* Runs the new pass manager's default<O2|O3> pipeline. Returns false with *err set on failure. */
bool cg_optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm, int opt_level, char **err);

/* Writes an object file or assembly. */
bool cg_write(LLVMModuleRef mod, LLVMTargetMachineRef tm, bool assembly, const char *path, char **err);

/* Splits an executable's module for optimisation and code generation in `parts` processes:
 * cg_partition gives each defined function a part (about equal instruction counts, largest
 * functions first) as a malloc'd array, part[i] for the i-th defined function in module order,
 * and gives every function external hidden linkage, so that the parts' objects link together.
 * cg_keep_part then makes the functions of the other parts declarations (part 0 in the process
 * itself, the others each in a copy of it, after fork). */
int *cg_partition(LLVMModuleRef mod, int parts);
void cg_keep_part(LLVMModuleRef mod, const int *part, int p);

#endif
