/* main.c: the sinter command line, in the full compiler (build/libexec/sinter-llvm; the
 * `sinter` command is the front, front.c, which runs what the cache holds and hands everything
 * else to this program).
 *
 *   sinter run [--interp] prog.dsl [args]   compile and run: an executable kept in the cache
 *                                           (cache.h), the ORC JIT with --no-cache, or the IR
 *                                           interpreter
 *   sinter build prog.dsl [-o prog]         a standalone executable (object + libsinter)
 *   sinter build --emit=ast|ir|llvm|asm     print a stage instead
 *   sinter check prog.dsl                   diagnostics only
 *   sinter repl                             interactive session
 *
 * Exit codes: 0 success, 1 the program has errors or failed at run time, 2 bad usage. */
#include "cache.h"
#include "cli.h"
#include "driver.h"
#include "interp.h"
#include "jit.h"
#include "repl.h"

#include <errno.h>
#include <fcntl.h>
#include <llvm-c/Core.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static bool same_file(const char *a, const char *b) {
  struct stat sa, sb;
  if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Room for a temporary object's path, "/tmp/sinter-XXXXXX.o". */
#define OBJ_PATH 32

/* Links objects with libsinter into `out`, written atomically: the linker writes a temporary
 * file beside it, created here first so that an unwritable place is reported as such (not as
 * the linker's "cannot open output file"), and renamed over `out` when complete. */
static bool link_exe(char objs[][OBJ_PATH], int nobjs, const char *out) {
  char *dir = cli_self_dir();
  char lib[4200];
  snprintf(lib, sizeof lib, "%s/../lib/libsinter.a", dir);
  free(dir);
  if (access(lib, R_OK) != 0) {
    fprintf(stderr, "sinter: error: cannot find the runtime library %s\n", lib);
    return false;
  }
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", out);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    fprintf(stderr, "sinter: error: cannot write %s: %s\n", out, strerror(errno));
    return false;
  }
  mode_t mask = umask(0); /* mkstemp's file is private; an executable gets the usual mode */
  umask(mask);
  fchmod(fd, 0777 & ~mask);
  close(fd);
  char flags[] = SN_PROG_LINK;
  char *argv[64];
  int n = 0;
  argv[n++] = "cc";
  for (int i = 0; i < nobjs; i++) argv[n++] = objs[i];
  argv[n++] = lib;
  for (char *t = strtok(flags, " "); t && n < 56; t = strtok(NULL, " ")) argv[n++] = t;
  argv[n++] = "-o";
  argv[n++] = tmp;
  argv[n] = NULL;
  pid_t pid;
  int st;
  if (posix_spawnp(&pid, "cc", NULL, NULL, argv, environ) != 0 || waitpid(pid, &st, 0) < 0) {
    fprintf(stderr, "sinter: error: cannot run the linker (cc): %s\n", strerror(errno));
    unlink(tmp);
    return false;
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "sinter: error: linking %s failed\n", out);
    unlink(tmp);
    return false;
  }
  if (rename(tmp, out) != 0) {
    fprintf(stderr, "sinter: error: cannot write %s: %s\n", out, strerror(errno));
    unlink(tmp);
    return false;
  }
  return true;
}

/* Optimises the module (or this process's part of it) and writes it as an object. */
static bool compile_part(LLVMModuleRef mod, LLVMTargetMachineRef tm, const Options *o, const char *path) {
  Options quiet = *o;
  quiet.time_passes = false;
  char *err = NULL;
  if (!driver_optimize(mod, tm, &quiet)) return false;
  if (!cg_write(mod, tm, false, path, &err)) {
    fprintf(stderr, "sinter: internal error: %s\n", err);
    LLVMDisposeMessage(err);
    return false;
  }
  return true;
}

/* Compiles the module to an executable. LLVM optimises and compiles one module on one core, so
 * the module's functions are split into parts of about equal size, one per core (at most
 * MAX_PARTS), each optimised and compiled by its own process; the objects are linked together.
 * The transport example compiles in about half the time on two cores. */
#define MAX_PARTS 4
static bool build_exe(LLVMModuleRef mod, LLVMTargetMachineRef tm, const Options *o, const char *out) {
  int nfn = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) nfn += !LLVMIsDeclaration(f);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  int parts = cores < 1 ? 1 : cores > MAX_PARTS ? MAX_PARTS : (int)cores;
  if (parts > nfn) parts = nfn > 0 ? nfn : 1;
  char objs[MAX_PARTS][OBJ_PATH];
  int made = 0;
  bool ok = true;
  for (; made < parts && ok; made++) {
    strcpy(objs[made], "/tmp/sinter-XXXXXX.o");
    int fd = mkstemps(objs[made], 2);
    if (fd < 0) {
      fprintf(stderr, "sinter: error: cannot create a temporary file: %s\n", strerror(errno));
      ok = false;
      break;
    }
    close(fd);
  }
  double t0 = driver_now();
  int *part = ok && parts > 1 ? cg_partition(mod, parts) : NULL;
  pid_t kids[MAX_PARTS] = {0};
  fflush(stdout);
  fflush(stderr);
  for (int p = 1; ok && p < parts; p++) {
    kids[p] = fork();
    if (kids[p] == 0) {
      cg_keep_part(mod, part, p);
      _exit(compile_part(mod, tm, o, objs[p]) ? 0 : 1);
    }
    if (kids[p] < 0) {
      fprintf(stderr, "sinter: error: cannot start a compiler process: %s\n", strerror(errno));
      ok = false;
    }
  }
  if (ok) {
    if (part) cg_keep_part(mod, part, 0);
    ok = compile_part(mod, tm, o, objs[0]);
  }
  for (int p = 1; p < parts; p++) {
    int st = 0;
    if (kids[p] <= 0) continue;
    bool waited = waitpid(kids[p], &st, 0) >= 0;
    if (!waited || !WIFEXITED(st)) {
      /* a part that failed with exit status 1 has said why; a killed one has not */
      fprintf(stderr, "sinter: internal error: the compiler process for part %d of %d %s\n", p + 1, parts,
              waited && WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "was lost");
      ok = false;
    } else if (WEXITSTATUS(st) != 0) {
      ok = false;
    }
  }
  if (o->time_passes) fprintf(stderr, "  llvm opt+obj %7.3f ms (%d parts)\n", (driver_now() - t0) * 1e3, parts);
  t0 = driver_now();
  if (ok) ok = link_exe(objs, parts, out);
  if (o->time_passes) fprintf(stderr, "  link        %8.3f ms\n", (driver_now() - t0) * 1e3);
  for (int p = 0; p < made; p++) unlink(objs[p]);
  free(part);
  return ok;
}

/* Writes `text` to path atomically, or to stdout when path is NULL. */
static bool write_output(const char *path, const char *text, size_t len) {
  if (!path) {
    fwrite(text, 1, len, stdout);
    return true;
  }
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
  FILE *f = fopen(tmp, "wb");
  if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0 || rename(tmp, path) != 0) {
    fprintf(stderr, "sinter: error: cannot write %s: %s\n", path, strerror(errno));
    if (f) unlink(tmp);
    return false;
  }
  return true;
}

/* The LLVM module of u's checked and lowered program. */
static LLVMModuleRef codegen(Unit *u, LLVMContextRef ctx, CgMode mode, const char *name, const Options *o) {
  double t0 = driver_now();
  LLVMModuleRef mod = cg_module(ctx, u->ir, mode, name, "sinter_program");
  if (o->time_passes) fprintf(stderr, "  codegen     %8.3f ms\n", (driver_now() - t0) * 1e3);
  return mod;
}

/* Compiles u's program into the executable `out`: `sinter build`, and `sinter run`'s cache. */
static bool build_program(Unit *u, const char *name, const Options *o, const char *out) {
  cg_init();
  LLVMContextRef ctx = LLVMContextCreate();
  LLVMModuleRef mod = codegen(u, ctx, CG_EXE, name, o);
  LLVMTargetMachineRef tm = cg_host_machine(o->opt_level);
  bool ok = build_exe(mod, tm, o, out);
  LLVMDisposeModule(mod);
  LLVMDisposeTargetMachine(tm);
  LLVMContextDispose(ctx);
  return ok;
}

/* Writes the optimised LLVM IR or assembly of u's program (--emit=llvm|asm). */
static bool emit_stage(Unit *u, const char *name, const Options *o) {
  cg_init();
  LLVMContextRef ctx = LLVMContextCreate();
  LLVMModuleRef mod = codegen(u, ctx, CG_EXE, name, o);
  LLVMTargetMachineRef tm = cg_host_machine(o->opt_level);
  bool ok = false;
  if (driver_optimize(mod, tm, o)) {
    char *err = NULL;
    if (strcmp(o->emit, "llvm") == 0) {
      char *text = LLVMPrintModuleToString(mod);
      ok = write_output(o->out, text, strlen(text));
      LLVMDisposeMessage(text);
    } else {
      LLVMMemoryBufferRef mb;
      if (LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMAssemblyFile, &err, &mb)) {
        fprintf(stderr, "sinter: internal error: %s\n", err);
        LLVMDisposeMessage(err);
      } else {
        ok = write_output(o->out, LLVMGetBufferStart(mb), LLVMGetBufferSize(mb));
        LLVMDisposeMemoryBuffer(mb);
      }
    }
  }
  LLVMDisposeModule(mod);
  LLVMDisposeTargetMachine(tm);
  LLVMContextDispose(ctx);
  return ok;
}

static int cmd_build(const char *path, Options *o) {
  Unit u;
  unit_init(&u);
  int rc = 1;
  if (!unit_read(&u, path)) goto done;
  if (o->emit && strcmp(o->emit, "ast") == 0) {
    if (!unit_check(&u, o)) goto done;
    for (int i = 0; i < u.stmts.n; i++) ast_dump(stdout, u.stmts.items[i], 0);
    rc = 0;
    goto done;
  }
  if (!unit_check(&u, o)) goto done;
  unit_lower(&u, o);
  if (o->emit && strcmp(o->emit, "ir") == 0) {
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    ir_print(mem, u.ir);
    fclose(mem);
    rc = write_output(o->out, buf, len) ? 0 : 1;
    free(buf);
    goto done;
  }
  char *name = cli_prog_name(path);
  const char *out = o->out ? o->out : name;
  if (!o->emit && (strcmp(out, path) == 0 || same_file(out, path))) {
    fprintf(stderr, "sinter: error: the output %s would overwrite the program's source\n", out);
    free(name);
    goto done;
  }
  rc = (o->emit ? emit_stage(&u, name, o) : build_program(&u, name, o, out)) ? 0 : 1;
  free(name);
done:
  unit_free(&u);
  return rc;
}

static bool debug_has(const char *what) {
  const char *d = getenv("SINTER_DEBUG");
  return d && strstr(d, what);
}

/* `sinter run` with the cache (cache.h): runs the program stored for u, compiled into the cache
 * first on a miss, the way `sinter build` compiles (the front, front.c, serves hits before LLVM
 * is even loaded). The program replaces this process. Returns 1 when compiling failed, and -1,
 * after saying why, when the cache cannot serve and the JIT is to run the program instead. */
static int run_cached(Unit *u, const char *name, int argc, char **argv, const Options *o) {
  char *why = NULL, *dir = cache_dir(&why);
  CacheKey k;
  if (dir && cache_key(u, o, "/proc/self/exe", &k, &why)) {
    int fd = cache_open(dir, &k);
    if (fd < 0) {
      char *exe = cache_scratch_path(dir, &k);
      bool built = build_program(u, name, o, exe);
      double t0 = driver_now();
      bool stored = built && cache_store(dir, &k, exe, &why);
      if (stored && o->time_passes) fprintf(stderr, "  cache store %8.3f ms\n", (driver_now() - t0) * 1e3);
      free(exe);
      if (!built) {
        free(dir);
        return 1;
      }
      if (stored && (fd = cache_open(dir, &k)) < 0) why = strdup("what it stored does not read back");
    }
    if (fd >= 0) {
      cache_exec(fd, name, o, argc, argv);
      if (asprintf(&why, "cannot run the program from %s: %s", dir, strerror(errno)) < 0) why = NULL;
      close(fd);
    }
  }
  fprintf(stderr, "sinter: warning: running %s without the cache: %s\n", name, why ? why : "out of memory");
  free(why);
  free(dir);
  return -1;
}

static int cmd_run(const char *path, int argc, char **argv, Options *o) {
  Unit u;
  unit_init(&u);
  int rc = 1;
  Jit *jit = NULL;
  if (!unit_read(&u, path) || !unit_check(&u, o)) goto done;
  unit_lower(&u, o);
  if (debug_has("ir")) ir_print(stderr, u.ir);
  int nspec;
  SnArgSpec *spec = unit_arg_specs(&u, &nspec);
  char *name = cli_prog_name(path);
  if (o->interp) {
    rc = sn_main(name, argc, argv, spec, nspec, interp_program, u.ir);
    free(name);
    goto done;
  }
  if (cache_wanted(o) && (rc = run_cached(&u, name, argc, argv, o)) >= 0) {
    free(name);
    goto done;
  }
  rc = 1;
  char *err = NULL;
  jit = jit_new(&err);
  if (!jit) {
    fprintf(stderr, "sinter: internal error: cannot start the JIT: %s\n", err);
    free(err);
    free(name);
    goto done;
  }
  LLVMModuleRef mod = codegen(&u, jit_context(jit), CG_JIT, name, o);
  LLVMTargetMachineRef tm = cg_host_machine(o->opt_level);
  bool ok = driver_optimize(mod, tm, o);
  LLVMDisposeTargetMachine(tm);
  if (ok && debug_has("llvm")) LLVMDumpModule(mod);
  double t0 = driver_now();
  void *fn = ok ? jit_add(jit, mod, "sinter_program", &err) : NULL;
  if (!ok) LLVMDisposeModule(mod);
  if (o->time_passes) fprintf(stderr, "  jit         %8.3f ms\n", (driver_now() - t0) * 1e3);
  if (!fn) {
    if (err) fprintf(stderr, "sinter: internal error: JIT: %s\n", err);
    free(err);
    free(name);
    goto done;
  }
  rc = sn_main(name, argc, argv, spec, nspec, (SnProgramFn)fn, NULL);
  free(name);
done:
  jit_free(jit);
  unit_free(&u);
  return rc;
}

static int cmd_check(const char *path, Options *o) {
  Unit u;
  unit_init(&u);
  int rc = unit_read(&u, path) && unit_check(&u, o) ? 0 : 1;
  unit_free(&u);
  return rc;
}

int main(int argc, char **argv) {
  Cli c;
  int rc = cli_parse(argc, argv, &c);
  if (rc >= 0) return rc;
  if (c.o.quiet) sn_progress_configure(NULL, SN_PROGRESS_OFF, NULL);
  if (c.command == CLI_REPL) return repl_main(&c.o, c.no_history);
  if (c.command == CLI_BUILD) return cmd_build(c.file, &c.o);
  if (c.command == CLI_CHECK) return cmd_check(c.file, &c.o);
  return cmd_run(c.file, c.nargs, c.args, &c.o);
}
