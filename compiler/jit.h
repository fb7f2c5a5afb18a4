/* jit.h: running modules in this process with LLVM's ORC LLJIT. */
#ifndef SN_JIT_H
#define SN_JIT_H

#include <llvm-c/Core.h>
#include <stdbool.h>

typedef struct Jit Jit;

/* A JIT for this CPU that resolves the runtime's functions and the C library. */
Jit *jit_new(char **err);
void jit_free(Jit *j);
/* The context modules for this JIT must be created in. */
LLVMContextRef jit_context(Jit *j);
/* Adds an (optimised) module, which the JIT then owns, and returns the address of `entry`. */
void *jit_add(Jit *j, LLVMModuleRef mod, const char *entry, char **err);

#endif
