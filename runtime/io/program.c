/* program.c: running a compiled program: arguments in, the program body, errors out. The same
 * function runs a built executable's main, a JIT run and an interpreted run, so the three
 * behave alike (messages, exit codes, cleanup). */
#include "io/rt_io.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An exit signal (Ctrl-C, kill, a closed terminal) ends the program as its default action
 * would, but first writes out what the program printed: with stdout redirected, stdio holds up
 * to a buffer of it, which the default action loses. A print the signal interrupted keeps its
 * buffer (stdio is not reentrant). Signals the caller ignores stay ignored (nohup, a background
 * job's SIGINT). */
static const int exit_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NEXIT_SIGNALS (int)(sizeof exit_signals / sizeof exit_signals[0])

static void flush_and_exit(int sig) {
  if (!sn_print_busy()) fflush(stdout);
  signal(sig, SIG_DFL);
  raise(sig); /* delivered, with the default action, when this handler returns */
}

static void catch_exit_signals(struct sigaction *saved) {
  struct sigaction sa = {.sa_handler = flush_and_exit};
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < NEXIT_SIGNALS; i++) {
    sigaction(exit_signals[i], NULL, &saved[i]);
    if (saved[i].sa_handler == SIG_DFL) sigaction(exit_signals[i], &sa, NULL);
  }
}

static void restore_exit_signals(const struct sigaction *saved) {
  for (int i = 0; i < NEXIT_SIGNALS; i++) sigaction(exit_signals[i], &saved[i], NULL);
}

static int run(const char *prog, int argc, char **argv, const SnArgSpec *spec, int nspec, SnProgramFn fn,
               void *user);

/* Lets go of what the runtime keeps between calls of one run: open files, progress reports,
 * kernels' results. */
void sn_run_cleanup(void) {
  sn_load_close();
  sn_map_abandon_all();
  sn_progress_abandon_all();
  sn_result_free_open();
}

int sn_main(const char *prog, int argc, char **argv, const SnArgSpec *spec, int nspec, SnProgramFn fn,
            void *user) {
  /* --quiet (an option of every program) turns progress reports off */
  char **args = malloc((size_t)(argc + 1) * sizeof *args);
  if (!args) {
    fprintf(stderr, "%s: out of memory\n", prog);
    return 1;
  }
  int nargs = 0;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--quiet") == 0) sn_progress_configure(NULL, SN_PROGRESS_OFF, NULL);
    else args[nargs++] = argv[i];
  }
  struct sigaction saved[NEXIT_SIGNALS];
  catch_exit_signals(saved);
  int rc = run(prog, nargs, args, spec, nspec, fn, user);
  restore_exit_signals(saved);
  free(args);
  return rc;
}

static int run(const char *prog, int argc, char **argv, const SnArgSpec *spec, int nspec, SnProgramFn fn,
               void *user) {
  SnArgValue *vals = calloc((size_t)(nspec > 0 ? nspec : 1), sizeof *vals);
  if (!vals) {
    fprintf(stderr, "%s: out of memory\n", prog);
    return 1;
  }
  /* tensor arguments are handed to the program, which releases each after its last use and
   * empties its slot; after an error, release_since frees those it still held */
  uint64_t mark = sn_tensor_mark();
  int r = sn_args_parse(prog, argc, argv, spec, nspec, vals);
  if (r == 2) {
    free(vals);
    return 0;
  }
  if (r) {
    fprintf(stderr, "%s\n", sn_error_message());
    free(vals);
    return 2;
  }
  int32_t st = fn(user, vals, NULL);
  fflush(stdout);
  sn_run_cleanup();
  if (st) {
    fprintf(stderr, "%s\n", sn_error_message());
    sn_tensor_release_since(mark);
  } else {
    sn_args_free(spec, nspec, vals);
  }
  free(vals);
  return st ? (sn_error_is_usage() ? 2 : 1) : 0;
}
