/* cli.c: the command line (see cli.h): the usage text and the reading of commands and options. */
#include "cli.h"
#include "passes.h"

#include <libgen.h>
#include <llvm-c/Core.h> /* LLVM_VERSION_MAJOR, for --version; nothing of LLVM is called */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f) {
  fprintf(f,
          "usage: sinter <command> [options] [file.dsl] [program arguments]\n"
          "\n"
          "commands:\n"
          "  run FILE [ARGS]     compile FILE (or take it from the cache) and run it; ARGS go to its `arg`s\n"
          "  build FILE          compile FILE to a standalone executable\n"
          "  check FILE          report errors and warnings only\n"
          "  repl                an interactive session\n"
          "\n"
          "options:\n"
          "  -o PATH             build: where to write the executable (default: FILE without .dsl)\n"
          "  --emit=STAGE        build: print a stage instead: ast, ir, llvm or asm; ir:PASS is the IR\n"
          "                      after that pass (ir:sema before any)\n"
          "  --interp            run: use the IR interpreter (the reference semantics)\n"
          "  --no-cache          run: compile in memory and run through the JIT, without the cache\n"
          "  -O2, -O3            LLVM optimisation level (default -O3)\n"
          "  --no-fuse           materialise every comprehension (to compare with fusion)\n"
          "  --time-passes       print the time of each compilation stage\n"
          "  --quiet             no progress output\n"
          "  --help, --version\n"
          "\n"
          "environment: SINTER_THREADS (threads), SINTER_DEBUG=ir,llvm (dump what `run` compiles),\n"
          "             NO_COLOR (plain diagnostics), XDG_CACHE_HOME (the cache: $XDG_CACHE_HOME/sinter,\n"
          "             else ~/.cache/sinter)\n");
}

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "sinter: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n(sinter --help lists the commands and options)\n");
  return 2;
}

char *cli_prog_name(const char *path) {
  char *copy = strdup(path);
  char *base = strdup(basename(copy));
  free(copy);
  size_t n = strlen(base);
  if (n > 4 && strcmp(base + n - 4, ".dsl") == 0) base[n - 4] = 0;
  return base;
}

char *cli_self_dir(void) {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return strdup(".");
  buf[n] = 0;
  return strdup(dirname(buf));
}

int cli_parse(int argc, char **argv, Cli *c) {
  memset(c, 0, sizeof *c);
  Options *o = &c->o;
  o->opt_level = 3;
  o->fuse = true;
  const char *nc = getenv("NO_COLOR");
  o->color = isatty(2) && !(nc && *nc);
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
  if (strcmp(cmd, "run") == 0) c->command = CLI_RUN;
  else if (strcmp(cmd, "build") == 0) c->command = CLI_BUILD;
  else if (strcmp(cmd, "check") == 0) c->command = CLI_CHECK;
  else if (strcmp(cmd, "repl") == 0) c->command = CLI_REPL;
  else return usage_error("unknown command '%s'", cmd);
  bool is_run = c->command == CLI_RUN, is_build = c->command == CLI_BUILD, is_repl = c->command == CLI_REPL;
  int i = 2;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (c->file && is_run) break; /* the rest belongs to the program */
    if (strcmp(a, "--interp") == 0) o->interp = true;
    else if (strcmp(a, "--no-cache") == 0 && is_run) o->no_cache = true;
    else if (strcmp(a, "-O2") == 0) o->opt_level = 2;
    else if (strcmp(a, "-O3") == 0) o->opt_level = 3;
    else if (strcmp(a, "--no-fuse") == 0) o->fuse = false;
    else if (strcmp(a, "--time-passes") == 0) o->time_passes = true;
    else if (strcmp(a, "--quiet") == 0) o->quiet = true;
    else if (strcmp(a, "--no-history") == 0 && is_repl) c->no_history = true;
    else if (strcmp(a, "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (strncmp(a, "--emit=", 7) == 0 && is_build) {
      o->emit = a + 7;
      if (strncmp(o->emit, "ir:", 3) == 0) {
        o->stop_after = o->emit + 3;
        o->emit = "ir";
        if (strcmp(o->stop_after, "sema") && !passes_find(o->stop_after))
          return usage_error("unknown pass '%s' for --emit=ir:PASS (sema or a pass of --time-passes)", o->stop_after);
      }
      if (strcmp(o->emit, "ast") && strcmp(o->emit, "ir") && strcmp(o->emit, "llvm") && strcmp(o->emit, "asm"))
        return usage_error("unknown stage '%s' for --emit (ast, ir, llvm or asm)", o->emit);
    } else if (strcmp(a, "-o") == 0 && is_build) {
      if (++i == argc) return usage_error("%s needs a path", "-o");
      o->out = argv[i];
    } else if (a[0] == '-' && a[1]) {
      return usage_error("unknown option '%s'", a);
    } else if (!c->file && !is_repl) {
      c->file = a;
    } else {
      return usage_error("unexpected argument '%s'", a);
    }
  }
  if (!is_repl && !c->file) return usage_error("%s needs a .dsl file", cmd);
  c->nargs = argc - i;
  c->args = argv + i;
  return -1;
}
