/* main.c: the sinter command line.
 *
 *   sinter run [--interp] prog.dsl [args]   compile and run (ORC JIT, or the IR interpreter)
 *   sinter build prog.dsl [-o prog]         a standalone executable (object + libsinter)
 *   sinter build --emit=ast|ir|llvm|asm     print a stage instead
 *   sinter check prog.dsl                   diagnostics only
 *   sinter repl                             interactive session
 *
 * Exit codes: 0 success, 1 the program has errors or failed at run time, 2 bad usage. */
#include "driver.h"
#include "interp.h"
#include "jit.h"
#include "repl.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <llvm-c/Core.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void usage(FILE *f) {
  fprintf(f,
          "usage: sinter <command> [options] [file.dsl] [program arguments]\n"
          "\n"
          "commands:\n"
          "  run FILE [ARGS]     compile FILE and run it now (JIT); ARGS go to its `arg`s\n"
          "  build FILE          compile FILE to a standalone executable\n"
          "  check FILE          report errors and warnings only\n"
          "  repl                an interactive session\n"
          "\n"
          "options:\n"
          "  -o PATH             build: where to write the executable (default: FILE without .dsl)\n"
          "  --emit=STAGE        build: print a stage instead: ast, ir, llvm or asm\n"
          "  --interp            run: use the IR interpreter (the reference semantics)\n"
          "  -O2, -O3            LLVM optimisation level (default -O3)\n"
          "  --no-fuse           materialise every comprehension (to compare with fusion)\n"
          "  --time-passes       print the time of each compilation stage\n"
          "  --quiet             no progress output\n"
          "  --help, --version\n"
          "\n"
          "environment: SINTER_THREADS (threads), SINTER_DEBUG=ir,llvm (dump what `run` compiles),\n"
          "             NO_COLOR (plain diagnostics)\n");
}

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "sinter: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n(sinter --help lists the commands and options)\n");
  return 2;
}

/* The program's name: its file name without directory and .dsl. */
static char *prog_name(const char *path) {
  char *copy = strdup(path);
  char *base = strdup(basename(copy));
  free(copy);
  size_t n = strlen(base);
  if (n > 4 && strcmp(base + n - 4, ".dsl") == 0) base[n - 4] = 0;
  return base;
}

/* The directory holding this executable, to find libsinter.a next to it. */
static char *self_dir(void) {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return strdup(".");
  buf[n] = 0;
  return strdup(dirname(buf));
}

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
  char *dir = self_dir();
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
  char *name = prog_name(path);
  const char *out = o->out ? o->out : name;
  if (!o->emit && (strcmp(out, path) == 0 || same_file(out, path))) {
    fprintf(stderr, "sinter: error: the output %s would overwrite the program's source\n", out);
    free(name);
    goto done;
  }
  cg_init();
  LLVMContextRef ctx = LLVMContextCreate();
  double t0 = driver_now();
  LLVMModuleRef mod = cg_module(ctx, u.ir, CG_EXE, name, "sinter_program");
  if (o->time_passes) fprintf(stderr, "  codegen     %8.3f ms\n", (driver_now() - t0) * 1e3);
  LLVMTargetMachineRef tm = cg_host_machine(o->opt_level);
  if (!o->emit) {
    if (build_exe(mod, tm, o, out)) rc = 0;
  } else if (driver_optimize(mod, tm, o)) {
    char *err = NULL;
    if (strcmp(o->emit, "llvm") == 0) {
      char *text = LLVMPrintModuleToString(mod);
      rc = write_output(o->out, text, strlen(text)) ? 0 : 1;
      LLVMDisposeMessage(text);
    } else {
      LLVMMemoryBufferRef mb;
      if (LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMAssemblyFile, &err, &mb)) {
        fprintf(stderr, "sinter: internal error: %s\n", err);
        LLVMDisposeMessage(err);
      } else {
        rc = write_output(o->out, LLVMGetBufferStart(mb), LLVMGetBufferSize(mb)) ? 0 : 1;
        LLVMDisposeMemoryBuffer(mb);
      }
    }
  }
  LLVMDisposeModule(mod);
  LLVMDisposeTargetMachine(tm);
  LLVMContextDispose(ctx);
  free(name);
done:
  unit_free(&u);
  return rc;
}

static bool debug_has(const char *what) {
  const char *d = getenv("SINTER_DEBUG");
  return d && strstr(d, what);
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
  char *name = prog_name(path);
  if (o->interp) {
    rc = sn_main(name, argc, argv, spec, nspec, interp_program, u.ir);
    free(name);
    goto done;
  }
  char *err = NULL;
  jit = jit_new(&err);
  if (!jit) {
    fprintf(stderr, "sinter: internal error: cannot start the JIT: %s\n", err);
    free(err);
    free(name);
    goto done;
  }
  double t0 = driver_now();
  LLVMModuleRef mod = cg_module(jit_context(jit), u.ir, CG_JIT, name, "sinter_program");
  if (o->time_passes) fprintf(stderr, "  codegen     %8.3f ms\n", (driver_now() - t0) * 1e3);
  LLVMTargetMachineRef tm = cg_host_machine(o->opt_level);
  bool ok = driver_optimize(mod, tm, o);
  LLVMDisposeTargetMachine(tm);
  if (ok && debug_has("llvm")) LLVMDumpModule(mod);
  t0 = driver_now();
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
  Options o = {.opt_level = 3, .fuse = true};
  const char *nc = getenv("NO_COLOR");
  o.color = isatty(2) && !(nc && *nc);
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    printf("sinter %s (LLVM %d)\n", SN_VERSION, LLVM_VERSION_MAJOR);
    return 0;
  }
  bool is_run = strcmp(cmd, "run") == 0, is_build = strcmp(cmd, "build") == 0, is_check = strcmp(cmd, "check") == 0,
       is_repl = strcmp(cmd, "repl") == 0;
  if (!is_run && !is_build && !is_check && !is_repl) return usage_error("unknown command '%s'", cmd);
  const char *file = NULL;
  bool no_history = false;
  int i = 2;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (file && is_run) break; /* the rest belongs to the program */
    if (strcmp(a, "--interp") == 0) o.interp = true;
    else if (strcmp(a, "-O2") == 0) o.opt_level = 2;
    else if (strcmp(a, "-O3") == 0) o.opt_level = 3;
    else if (strcmp(a, "--no-fuse") == 0) o.fuse = false;
    else if (strcmp(a, "--time-passes") == 0) o.time_passes = true;
    else if (strcmp(a, "--quiet") == 0) o.quiet = true;
    else if (strcmp(a, "--no-history") == 0 && is_repl) no_history = true;
    else if (strcmp(a, "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (strncmp(a, "--emit=", 7) == 0 && is_build) {
      o.emit = a + 7;
      if (strcmp(o.emit, "ast") && strcmp(o.emit, "ir") && strcmp(o.emit, "llvm") && strcmp(o.emit, "asm"))
        return usage_error("unknown stage '%s' for --emit (ast, ir, llvm or asm)", o.emit);
    } else if (strcmp(a, "-o") == 0 && is_build) {
      if (++i == argc) return usage_error("%s needs a path", "-o");
      o.out = argv[i];
    } else if (a[0] == '-' && a[1]) {
      return usage_error("unknown option '%s'", a);
    } else if (!file && !is_repl) {
      file = a;
    } else {
      return usage_error("unexpected argument '%s'", a);
    }
  }
  if (o.quiet) sn_progress_configure(NULL, SN_PROGRESS_OFF, NULL);
  if (is_repl) return repl_main(&o, no_history);
  if (!file) return usage_error("%s needs a .dsl file", cmd);
  if (is_build) return cmd_build(file, &o);
  if (is_check) return cmd_check(file, &o);
  return cmd_run(file, argc - i, argv + i, &o);
}
