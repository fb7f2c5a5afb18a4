/* jit.c: ORC LLJIT set up for sinter programs. The runtime's functions are defined as absolute
 * symbols from the table in rtabi.c (sinter links libsinter statically); everything else, libm
 * and libc, resolves from the process. */
#include "jit.h"

#include "codegen_llvm.h"
#include "rtabi.h"
#include "util.h"

#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <stdlib.h>
#include <string.h>

struct Jit {
  LLVMOrcLLJITRef lljit;
  LLVMOrcThreadSafeContextRef tsctx;
};

static bool failed(LLVMErrorRef e, char **err) {
  if (!e) return false;
  char *m = LLVMGetErrorMessage(e);
  *err = strdup(m);
  LLVMDisposeErrorMessage(m);
  return true;
}

Jit *jit_new(char **err) {
  cg_init();
  Jit *j = calloc(1, sizeof *j);
  if (!j) die("out of memory");
  LLVMOrcJITTargetMachineBuilderRef jtmb;
  if (failed(LLVMOrcJITTargetMachineBuilderDetectHost(&jtmb), err)) {
    free(j);
    return NULL;
  }
  LLVMOrcLLJITBuilderRef builder = LLVMOrcCreateLLJITBuilder();
  LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(builder, jtmb);
  if (failed(LLVMOrcCreateLLJIT(&j->lljit, builder), err)) {
    free(j);
    return NULL;
  }
  LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(j->lljit);
  LLVMOrcCSymbolMapPair pairs[RT_NFNS + 1];
  int n = 0;
  for (int f = 0; f < RT_NFNS; f++) {
    pairs[n].Name = LLVMOrcLLJITMangleAndIntern(j->lljit, rt_fns[f].name);
    pairs[n].Sym.Address = (LLVMOrcJITTargetAddress)(uintptr_t)rt_fns[f].addr;
    pairs[n].Sym.Flags.GenericFlags = LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable;
    pairs[n].Sym.Flags.TargetFlags = 0;
    n++;
  }
  if (failed(LLVMOrcJITDylibDefine(jd, LLVMOrcAbsoluteSymbols(pairs, (size_t)n)), err)) {
    jit_free(j);
    return NULL;
  }
  LLVMOrcDefinitionGeneratorRef gen;
  if (failed(LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(j->lljit), NULL, NULL),
             err)) {
    jit_free(j);
    return NULL;
  }
  LLVMOrcJITDylibAddGenerator(jd, gen);
  j->tsctx = LLVMOrcCreateNewThreadSafeContext();
  return j;
}

void jit_free(Jit *j) {
  if (!j) return;
  if (j->lljit) LLVMOrcDisposeLLJIT(j->lljit);
  if (j->tsctx) LLVMOrcDisposeThreadSafeContext(j->tsctx);
  free(j);
}

LLVMContextRef jit_context(Jit *j) { return LLVMOrcThreadSafeContextGetContext(j->tsctx); }

void *jit_add(Jit *j, LLVMModuleRef mod, const char *entry, char **err) {
  LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(mod, j->tsctx);
  LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(j->lljit);
  if (failed(LLVMOrcLLJITAddLLVMIRModule(j->lljit, jd, tsm), err)) return NULL;
  LLVMOrcExecutorAddress addr = 0;
  if (failed(LLVMOrcLLJITLookup(j->lljit, &addr, entry), err)) return NULL;
  return (void *)(uintptr_t)addr;
}
