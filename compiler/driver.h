/* driver.h: the compilation pipeline shared by the command line (main.c) and the REPL (repl.c):
 * source -> tokens/AST -> sema (IR) -> passes -> LLVM or the interpreter. */
#ifndef SN_DRIVER_H
#define SN_DRIVER_H

#include "ast.h"
#include "codegen_llvm.h"
#include "ir.h"
#include "passes.h"

typedef struct Options {
  int opt_level;    /* 2 or 3 */
  bool fuse;        /* --no-fuse clears it */
  bool time_passes; /* --time-passes */
  bool interp;      /* run with the interpreter */
  bool color;       /* diagnostics in colour (a terminal, and NO_COLOR unset) */
  const char *emit; /* build --emit=ast|ir|llvm|asm, or NULL */
  const char *stop_after; /* build --emit=ir:PASS: the pass after which to stop ("sema": before any) */
  const char *out;  /* -o */
  bool quiet;       /* --quiet */
  bool no_cache;    /* run --no-cache: the JIT, without the cache of compiled programs */
} Options;

/* One compilation: the source, its diagnostics, and what each stage produced. */
typedef struct Unit {
  Arena arena;
  DiagBag diags;
  Source *src;
  char *text;
  PtrVec stmts;
  IrFunc *ir;
} Unit;

void unit_init(Unit *u);
void unit_free(Unit *u);
/* Reads a source file; an unreadable or non-text file is reported on stderr. */
bool unit_read(Unit *u, const char *path);
/* Parses and checks the source into tensor-level IR; prints diagnostics. */
bool unit_check(Unit *u, const Options *o);
/* The same, keeping the diagnostics in u->diags for unit_print_diags. */
bool unit_analyse(Unit *u, const Options *o);
/* Runs the IR passes. */
void unit_lower(Unit *u, const Options *o);
void unit_print_diags(Unit *u, const Options *o);

/* The argument specs of a checked program, for sn_main. */
SnArgSpec *unit_arg_specs(Unit *u, int *n);

/* Optimises a module for the host (cg_optimize) and reports failure (driver_llvm.c). */
bool driver_optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm, const Options *o);

double driver_now(void);

#endif
