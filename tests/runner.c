/* runner.c: runs every test of the project and ends with the line "N passed, N failed".
 *
 * Test kinds (each counted separately):
 *   tests/lang/X.dsl         golden programs: X.out is the expected stdout (X.err the expected
 *                            stderr, for programs that fail at run time); run three ways, as a
 *                            built executable, by the JIT (`sinter run --no-cache`) and by the IR
 *                            interpreter, each one a test. The three compute the same bits, so
 *                            numbers must match X.out exactly unless a directive allows a
 *                            tolerance. Directives in leading comments: `# args: ...`, `# tol: 1e-6`
 *                            (relative tolerance for numbers), `# exit: N`, `# modes: jit interp`,
 *                            `# max-rss-mb: N` (the run's peak memory), `# stack-kb: N` (the
 *                            program's stack limit, for the run only), `# timeout: N` (seconds
 *                            for the build and for the run, instead of DEFAULT_TIMEOUT).
 *   tests/diagnostics/X.dsl  `sinter check` must print exactly X.err and exit 1 (or `# exit: N`,
 *                            for a program with warnings only).
 *   tests/ir/X.dsl           FileCheck: `sinter build <# RUN: flags> X.dsl | FileCheck X.dsl`.
 *   tests/repl/X.in          `sinter repl` with X.in on stdin must print X.out on stdout (numbers
 *                            exactly) and X.err (none: nothing) on stderr, and exit 1 when X.err
 *                            reports an `error:` (an input failed), else 0;
 *   tests/repl/X.pty         the same through a pseudo-terminal (libedit active): X.expect lists
 *                            lines that must appear in order.
 *   tests/cli/X.sh           a shell script (sh -e) driving the command line: it must exit 0; it
 *                            reads $SINTER (the compiler under test) and $BUILD, and owns $TMP,
 *                            a fresh directory removed afterwards. What it prints is shown when
 *                            it fails. `# timeout: N` in its leading comments, as for X.dsl.
 *   examples/X.dsl           must run (`sinter run`, through its cache) and exit 0; X.out, when
 *                            present, is its output.
 *   docs/X.md                every ```sinter block followed by an ```output block is run.
 *   build/tests/...          C unit tests (lines "ok NAME" / "FAIL NAME: ..." / "skip NAME: ...").
 *   build/fuzz/NAME          replays tests/fuzz/corpus/NAME under ASan.
 *
 * Tests run in parallel (SINTER_TEST_JOBS, default the core count); `--filter S` keeps tests
 * whose name contains S; `--timeout-scale K` multiplies every time limit by K (the sanitizer
 * build's runtime and compiler are several times slower: `make test SAN=1` passes 4). Every test sees XDG_CACHE_HOME set to a directory of the run's own, so
 * `sinter run`'s cache of compiled programs never writes to the user's home. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A test that runs longer than this is killed and fails. */
#define DEFAULT_TIMEOUT 120
#define FILECHECK "/usr/lib/llvm-19/bin/FileCheck"

typedef enum { K_LANG, K_DIAG, K_IR, K_REPL, K_PTY, K_CLI, K_EXAMPLE, K_DOC, K_UNIT, K_FUZZ } Kind;

typedef struct Test {
  Kind kind;
  char *name;  /* shown in reports */
  char *path;  /* the test's main file */
  char *mode;  /* lang: exe, jit or interp */
  char *code;  /* doc: the program text; */
  char *want;  /* doc: the expected output */
  /* results */
  int passed, failed, skipped;
  char *report; /* failure details */
} Test;

static const char *build_dir = "build";
static char build_path[512]; /* build_dir made absolute */
static char sinter_bin[640];
static char tmp_dir[256];
static Test *tests;
static int ntests, captests;

/* --- small helpers ------------------------------------------------------------------------ */

static char *xstrdup(const char *s) {
  char *p = strdup(s);
  if (!p) abort();
  return p;
}

static char *xprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *p;
  if (vasprintf(&p, fmt, ap) < 0) abort();
  va_end(ap);
  return p;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *d = malloc((size_t)n + 1);
  if (!d) abort();
  size_t got = fread(d, 1, (size_t)n, f);
  d[got] = 0;
  fclose(f);
  return d;
}

static bool exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

/* Removes a directory and everything in it. */
static void remove_tree(const char *dir) { nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

static bool ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

static char *replace_ext(const char *path, const char *ext) {
  const char *dot = strrchr(path, '.');
  size_t n = dot ? (size_t)(dot - path) : strlen(path);
  return xprintf("%.*s%s", (int)n, path, ext);
}

static void add_test(Test t) {
  if (ntests == captests) {
    captests = captests ? captests * 2 : 256;
    tests = realloc(tests, (size_t)captests * sizeof *tests);
    if (!tests) abort();
  }
  tests[ntests++] = t;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in a directory ending with `suffix`. */
static char **list_dir(const char *dir, const char *suffix, int *n) {
  *n = 0;
  DIR *d = opendir(dir);
  if (!d) return NULL;
  char **names = NULL;
  int cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || !ends_with(e->d_name, suffix)) continue;
    if (*n == cap) {
      cap = cap ? cap * 2 : 64;
      names = realloc(names, (size_t)cap * sizeof *names);
    }
    names[(*n)++] = xstrdup(e->d_name);
  }
  closedir(d);
  if (*n) qsort(names, (size_t)*n, sizeof *names, cmp_str);
  return names;
}

/* The value of a `# key: value` directive among a file's leading comment lines. */
static char *directive(const char *text, const char *key) {
  size_t kl = strlen(key);
  const char *p = text;
  while (*p == '#') {
    const char *q = p + 1;
    while (*q == ' ') q++;
    if (strncmp(q, key, kl) == 0 && q[kl] == ':') {
      q += kl + 1;
      while (*q == ' ') q++;
      const char *e = strchr(q, '\n');
      size_t n = e ? (size_t)(e - q) : strlen(q);
      return xprintf("%.*s", (int)n, q);
    }
    p = strchr(p, '\n');
    if (!p) break;
    p++;
  }
  return NULL;
}

/* --- running commands --------------------------------------------------------------------- */

typedef struct Run {
  int status;  /* exit code, or 128 + signal */
  bool timed_out;
  long max_rss_kb; /* the child's peak resident memory */
  char *out, *err;
} Run;

static int timeout_scale = 1;

/* Runs argv with stdin from `in` (NULL: /dev/null), capturing stdout and stderr, with a stack
 * limit of stack_kb (0: the runner's own), killed after timeout * timeout_scale seconds. */
static Run run_cmd_stack(char *const argv[], const char *in, int timeout, long stack_kb) {
  Run r = {0};
  char *outp = xprintf("%s/out.%d.%ld", tmp_dir, getpid(), random());
  char *errp = xprintf("%s/err.%d.%ld", tmp_dir, getpid(), random());
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    if (stack_kb > 0) {
      struct rlimit rl = {(rlim_t)stack_kb * 1024, (rlim_t)stack_kb * 1024};
      if (setrlimit(RLIMIT_STACK, &rl)) _exit(127);
    }
    int fi = open(in ? in : "/dev/null", O_RDONLY);
    int fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fi < 0 || fo < 0 || fe < 0) _exit(127);
    dup2(fi, 0);
    dup2(fo, 1);
    dup2(fe, 2);
    execvp(argv[0], argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  time_t start = time(NULL);
  int st = 0;
  struct rusage ru = {0};
  for (;;) {
    pid_t w = wait4(pid, &st, WNOHANG, &ru);
    if (w == pid) break;
    if (time(NULL) - start > (time_t)timeout * timeout_scale) {
      kill(-pid, SIGKILL);
      waitpid(pid, &st, 0);
      r.timed_out = true;
      break;
    }
    usleep(2000);
  }
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  r.max_rss_kb = ru.ru_maxrss;
  r.out = slurp(outp);
  r.err = slurp(errp);
  if (!r.out) r.out = xstrdup("");
  if (!r.err) r.err = xstrdup("");
  unlink(outp);
  unlink(errp);
  free(outp);
  free(errp);
  return r;
}

static Run run_cmd(char *const argv[], const char *in, int timeout) { return run_cmd_stack(argv, in, timeout, 0); }

static void run_free(Run *r) {
  free(r->out);
  free(r->err);
}

/* Splits a command line on spaces (no quoting needed by the directives). */
static int split_args(char *s, char **argv, int max) {
  int n = 0;
  for (char *tok = strtok(s, " \t"); tok && n < max; tok = strtok(NULL, " \t")) argv[n++] = tok;
  return n;
}

/* --- comparing output --------------------------------------------------------------------- */

/* Compares text token by token: numbers within a relative tolerance, everything else exactly.
 * Returns NULL when equal, else a description of the first difference. */
static char *compare_text(const char *got, const char *want, double tol) {
  const char *g = got, *w = want;
  int line = 1;
  while (*g || *w) {
    char *ge, *we;
    bool gnum = (isdigit((unsigned char)*g) || ((*g == '-' || *g == '.') && isdigit((unsigned char)g[1]))) &&
                (g == got || !isalnum((unsigned char)g[-1]));
    bool wnum = (isdigit((unsigned char)*w) || ((*w == '-' || *w == '.') && isdigit((unsigned char)w[1]))) &&
                (w == want || !isalnum((unsigned char)w[-1]));
    if (gnum && wnum) {
      double a = strtod(g, &ge), b = strtod(w, &we);
      double scale = fabs(b) > 1 ? fabs(b) : 1;
      if (!(fabs(a - b) <= tol * scale) && !(a == b)) {
        return xprintf("line %d: got %.*s, want %.*s (tolerance %g)", line, (int)(ge - g), g,
                       (int)(we - w), w, tol);
      }
      g = ge;
      w = we;
      continue;
    }
    if (*g != *w) {
      const char *gl = g, *wl = w;
      while (gl > got && gl[-1] != '\n') gl--;
      while (wl > want && wl[-1] != '\n') wl--;
      const char *gle = strchr(gl, '\n'), *wle = strchr(wl, '\n');
      return xprintf("line %d differs:\n    got:  %.*s\n    want: %.*s", line,
                     (int)(gle ? gle - gl : (long)strlen(gl)), gl,
                     (int)(wle ? wle - wl : (long)strlen(wl)), wl);
    }
    if (*g == '\n') line++;
    g++;
    w++;
  }
  return NULL;
}

/* --- the test kinds ----------------------------------------------------------------------- */

static void fail(Test *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg;
  if (vasprintf(&msg, fmt, ap) < 0) abort();
  va_end(ap);
  t->failed++;
  char *old = t->report;
  t->report = xprintf("%s%s\n", old ? old : "", msg);
  free(old);
  free(msg);
}

static char *trimmed(const char *s, size_t max) {
  size_t n = strlen(s);
  if (n <= max) return xstrdup(s);
  return xprintf("%.*s\n... (%zu more bytes)", (int)max, s, n - max);
}

static void check_run(Test *t, Run *r, const char *want_out, const char *want_err, int want_status, double tol) {
  if (r->timed_out) {
    fail(t, "timed out");
    return;
  }
  bool bad = false;
  if (r->status != want_status) {
    char *e = trimmed(r->err, 2000);
    fail(t, "exit status %d, want %d\n  stderr:\n%s", r->status, want_status, e);
    free(e);
    bad = true;
  }
  if (want_out) {
    char *d = compare_text(r->out, want_out, tol);
    if (d) {
      char *o = trimmed(r->out, 2000);
      fail(t, "stdout: %s\n  full stdout:\n%s", d, o);
      free(o);
      free(d);
      bad = true;
    }
  }
  if (want_err) {
    char *d = compare_text(r->err, want_err, 0);
    if (d) {
      char *e = trimmed(r->err, 3000);
      fail(t, "stderr: %s\n  full stderr:\n%s", d, e);
      free(e);
      free(d);
      bad = true;
    }
  }
  if (!bad) t->passed++;
}

static void test_lang(Test *t) {
  char *text = slurp(t->path);
  char *args = directive(text, "args");
  char *tols = directive(text, "tol");
  char *exits = directive(text, "exit");
  double tol = tols ? atof(tols) : 0;
  int want_status = exits ? atoi(exits) : 0;
  char *timeouts = directive(text, "timeout");
  int timeout = timeouts ? atoi(timeouts) : DEFAULT_TIMEOUT;
  free(timeouts);
  char *outp = replace_ext(t->path, ".out"), *errp = replace_ext(t->path, ".err");
  char *want_out = slurp(outp), *want_err = slurp(errp);
  if (!want_out) want_out = xstrdup("");
  char *argv[64];
  int n = 0;
  char *exe = NULL;
  if (strcmp(t->mode, "exe") == 0) {
    exe = xprintf("%s/prog.%d.%ld", tmp_dir, getpid(), random());
    char *bargv[] = {sinter_bin, "build", t->path, "-o", exe, NULL};
    Run b = run_cmd(bargv, NULL, timeout);
    if (b.status != 0) {
      fail(t, "sinter build failed (%d%s):\n%s", b.status, b.timed_out ? ", timed out" : "", b.err);
      run_free(&b);
      goto done;
    }
    run_free(&b);
    argv[n++] = exe;
  } else {
    /* jit runs the ORC JIT itself: `sinter run` with the cache runs what `build` makes, which
     * the exe mode tests, and examples and docs run through the cache */
    argv[n++] = sinter_bin;
    argv[n++] = "run";
    argv[n++] = strcmp(t->mode, "interp") == 0 ? "--interp" : "--no-cache";
    argv[n++] = t->path;
  }
  char *argcopy = args ? xstrdup(args) : NULL;
  if (argcopy) n += split_args(argcopy, argv + n, 60 - n);
  argv[n] = NULL;
  char *stack = directive(text, "stack-kb");
  Run r = run_cmd_stack(argv, NULL, timeout, stack ? atol(stack) : 0);
  free(stack);
  check_run(t, &r, want_out, want_err, want_status, tol);
  char *rss = directive(text, "max-rss-mb");
  if (rss && r.max_rss_kb > atol(rss) * 1024) {
    t->passed--;
    fail(t, "peak memory %ld MB, more than the %s MB allowed", r.max_rss_kb / 1024, rss);
  }
  free(rss);
  run_free(&r);
  free(argcopy);
done:
  if (exe) {
    unlink(exe);
    free(exe);
  }
  free(text); free(args); free(tols); free(exits); free(outp); free(errp); free(want_out); free(want_err);
}

static void test_diag(Test *t) {
  char *errp = replace_ext(t->path, ".err");
  char *want = slurp(errp);
  if (!want) {
    fail(t, "missing %s", errp);
    free(errp);
    return;
  }
  char *text = slurp(t->path);
  char *exits = text ? directive(text, "exit") : NULL;
  char *argv[] = {sinter_bin, "check", t->path, NULL};
  Run r = run_cmd(argv, NULL, DEFAULT_TIMEOUT);
  check_run(t, &r, "", want, exits ? atoi(exits) : 1, 0);
  run_free(&r);
  free(errp);
  free(want);
  free(text);
  free(exits);
}

static void test_ir(Test *t) {
  char *text = slurp(t->path);
  char *flags = directive(text, "RUN");
  if (!flags) flags = xstrdup("--emit=ir");
  char *cmd = xprintf("%s build %s %s | %s --dump-input=fail %s", sinter_bin, flags, t->path, FILECHECK, t->path);
  char *argv[] = {"/bin/sh", "-c", cmd, NULL};
  Run r = run_cmd(argv, NULL, DEFAULT_TIMEOUT);
  if (r.status != 0) fail(t, "FileCheck failed:\n%s%s", r.out, r.err);
  else t->passed++;
  run_free(&r);
  free(cmd);
  free(flags);
  free(text);
}

static void test_repl(Test *t) {
  char *outp = replace_ext(t->path, ".out"), *errp = replace_ext(t->path, ".err");
  char *want = slurp(outp), *want_err = slurp(errp);
  char *argv[] = {sinter_bin, "repl", "--no-history", NULL};
  Run r = run_cmd(argv, t->path, DEFAULT_TIMEOUT);
  bool failed = want_err && strstr(want_err, "error:");
  check_run(t, &r, want ? want : "", want_err ? want_err : "", failed ? 1 : 0, 0);
  run_free(&r);
  free(outp);
  free(errp);
  free(want);
  free(want_err);
}

/* Drives the REPL through a pseudo-terminal, one line at a time, and checks that the lines of
 * X.expect appear in the output in order. */
static void test_pty(Test *t) {
  char *input = slurp(t->path);
  char *expp = replace_ext(t->path, ".expect");
  char *expect = slurp(expp);
  if (!input || !expect) {
    fail(t, "missing %s or its .expect", t->path);
    free(input); free(expect); free(expp);
    return;
  }
  int master;
  char *hist = xprintf("%s/hist.%d", tmp_dir, getpid());
  pid_t pid = forkpty(&master, NULL, NULL, NULL);
  if (pid == 0) {
    setenv("TERM", "dumb", 1);
    setenv("SINTER_HISTORY", hist, 1);
    execl(sinter_bin, sinter_bin, "repl", (char *)NULL);
    _exit(127);
  }
  size_t cap = 1 << 16, len = 0;
  char *out = malloc(cap);
  time_t start = time(NULL);
  char *line = input;
  bool sent_all = false;
  for (;;) {
    struct pollfd p = {master, POLLIN, 0};
    int ready = poll(&p, 1, 150);
    if (ready > 0) {
      if (len + 4096 > cap) out = realloc(out, cap *= 2);
      ssize_t got = read(master, out + len, 4096);
      if (got <= 0) break;
      len += (size_t)got;
      continue;
    }
    if (time(NULL) - start > 30) {
      kill(pid, SIGKILL);
      break;
    }
    if (!sent_all) {
      /* The REPL is waiting: send the next line. */
      char *nl = strchr(line, '\n');
      size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);
      if (n == 0) {
        sent_all = true;
        continue;
      }
      if (write(master, line, n) < 0) break;
      line += n;
      if (!*line) sent_all = true;
    } else if (waitpid(pid, NULL, WNOHANG) == pid) {
      pid = 0;
      break;
    }
  }
  if (pid) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
  }
  close(master);
  unlink(hist);
  free(hist);
  out[len] = 0;
  /* every expected line must appear, in order */
  const char *pos = out;
  bool ok = true;
  for (char *e = strtok(expect, "\n"); e; e = strtok(NULL, "\n")) {
    const char *f = strstr(pos, e);
    if (!f) {
      char *o = trimmed(out, 3000);
      fail(t, "expected to see `%s` (in order) in the terminal output:\n%s", e, o);
      free(o);
      ok = false;
      break;
    }
    pos = f + strlen(e);
  }
  if (ok) t->passed++;
  free(out);
  free(input);
  free(expect);
  free(expp);
}

static void test_cli(Test *t) {
  char *dir = xprintf("%s/cli.%d.%ld", tmp_dir, getpid(), random());
  mkdir(dir, 0755);
  setenv("TMP", dir, 1); /* each test runs in a process of its own */
  setenv("SINTER", sinter_bin, 1);
  setenv("BUILD", build_path, 1);
  char *argv[] = {"/bin/sh", "-e", t->path, NULL};
  char *text = slurp(t->path), *timeouts = text ? directive(text, "timeout") : NULL;
  Run r = run_cmd(argv, NULL, timeouts ? atoi(timeouts) : DEFAULT_TIMEOUT);
  free(timeouts);
  free(text);
  if (r.status != 0 || r.timed_out) {
    char *o = trimmed(r.out, 3000), *e = trimmed(r.err, 3000);
    fail(t, "exit status %d%s:\n%s%s", r.status, r.timed_out ? " (timed out)" : "", o, e);
    free(o);
    free(e);
  } else {
    t->passed++;
  }
  run_free(&r);
  remove_tree(dir);
  free(dir);
}

static void test_example(Test *t) {
  char *outp = replace_ext(t->path, ".out");
  char *want = slurp(outp);
  char *text = slurp(t->path);
  char *tols = directive(text, "tol");
  char *argv[] = {sinter_bin, "run", t->path, NULL};
  Run r = run_cmd(argv, NULL, DEFAULT_TIMEOUT);
  check_run(t, &r, want, NULL, 0, tols ? atof(tols) : 1e-5);
  run_free(&r);
  free(outp); free(want); free(text); free(tols);
}

static void test_doc(Test *t) {
  char *path = xprintf("%s/doc.%d.%ld.dsl", tmp_dir, getpid(), random());
  FILE *f = fopen(path, "w");
  fputs(t->code, f);
  fclose(f);
  char *argv[] = {sinter_bin, "run", path, NULL};
  Run r = run_cmd(argv, NULL, DEFAULT_TIMEOUT);
  /* A block that shows an error shows stderr; otherwise stdout. */
  bool shows_error = strstr(t->want, "error:") != NULL;
  if (shows_error) {
    /* the temporary file's name reads `example.dsl`, as in the docs (it is never shorter) */
    size_t pl = strlen(path), n = 0;
    char *fixed = malloc(strlen(r.err) + 1);
    for (const char *p = r.err; *p;) {
      if (strncmp(p, path, pl) == 0) {
        n += (size_t)sprintf(fixed + n, "example.dsl");
        p += pl;
      } else {
        fixed[n++] = *p++;
      }
    }
    fixed[n] = 0;
    char *d = compare_text(fixed, t->want, 1e-6);
    if (d) fail(t, "%s\n  got:\n%s", d, fixed);
    else t->passed++;
    free(d);
    free(fixed);
  } else {
    check_run(t, &r, t->want, NULL, 0, 1e-6);
  }
  run_free(&r);
  unlink(path);
  free(path);
}

static void test_unit(Test *t) {
  char *argv[] = {t->path, NULL};
  Run r = run_cmd(argv, NULL, DEFAULT_TIMEOUT);
  int ok = 0, bad = 0;
  for (char *l = r.out; l && *l;) {
    if (strncmp(l, "ok ", 3) == 0) ok++;
    else if (strncmp(l, "FAIL ", 5) == 0) bad++;
    else if (strncmp(l, "skip ", 5) == 0) t->skipped++;
    char *nl = strchr(l, '\n');
    l = nl ? nl + 1 : NULL;
  }
  t->passed += ok;
  if (bad || r.status != 0 || r.timed_out) {
    char *o = trimmed(r.out, 4000), *e = trimmed(r.err, 2000);
    fail(t, "%d failed (exit %d%s):\n%s%s", bad, r.status, r.timed_out ? ", timed out" : "", o, e);
    t->failed += bad > 1 ? bad - 1 : 0;
    free(o);
    free(e);
  }
  run_free(&r);
}

static void test_fuzz(Test *t) {
  const char *base = strrchr(t->path, '/') + 1;
  char *corpus = xprintf("tests/fuzz/corpus/%s", base);
  if (!exists(corpus)) {
    fail(t, "no corpus at %s", corpus);
    free(corpus);
    return;
  }
  char *argv[] = {t->path, "-runs=0", corpus, NULL};
  Run r = run_cmd(argv, NULL, 600);
  if (r.status != 0 || r.timed_out) {
    char *e = trimmed(r.err, 4000);
    fail(t, "corpus replay failed (exit %d):\n%s", r.status, e);
    free(e);
  } else {
    t->passed++;
  }
  run_free(&r);
  free(corpus);
}

static void run_test(Test *t) {
  switch (t->kind) {
  case K_LANG: test_lang(t); break;
  case K_DIAG: test_diag(t); break;
  case K_IR: test_ir(t); break;
  case K_REPL: test_repl(t); break;
  case K_PTY: test_pty(t); break;
  case K_CLI: test_cli(t); break;
  case K_EXAMPLE: test_example(t); break;
  case K_DOC: test_doc(t); break;
  case K_UNIT: test_unit(t); break;
  case K_FUZZ: test_fuzz(t); break;
  }
}

/* --- discovery ---------------------------------------------------------------------------- */

static void discover_dir(const char *dir, const char *suffix, Kind kind) {
  int n;
  char **names = list_dir(dir, suffix, &n);
  for (int i = 0; i < n; i++) {
    char *path = xprintf("%s/%s", dir, names[i]);
    if (kind == K_LANG) {
      char *text = slurp(path);
      char *modes = directive(text, "modes");
      const char *all[] = {"exe", "jit", "interp"};
      for (int m = 0; m < 3; m++) {
        if (modes && !strstr(modes, all[m])) continue;
        add_test((Test){.kind = kind, .name = xprintf("%s [%s]", path, all[m]), .path = xstrdup(path), .mode = (char *)all[m]});
      }
      free(modes);
      free(text);
      free(path);
    } else {
      add_test((Test){.kind = kind, .name = xstrdup(path), .path = path});
    }
    free(names[i]);
  }
  free(names);
}

/* Each ```sinter block directly followed by an ```output block is one test. */
static void discover_docs(void) {
  int n;
  char **names = list_dir("docs", ".md", &n);
  for (int i = 0; i < n; i++) {
    char *path = xprintf("docs/%s", names[i]);
    char *text = slurp(path);
    int k = 0;
    for (char *p = text; (p = strstr(p, "```sinter\n"));) {
      char *code = p + 10, *end = strstr(code, "\n```");
      if (!end) break;
      char *after = end + 4;
      while (*after == '\n') after++;
      p = after;
      if (strncmp(after, "```output\n", 10) != 0) continue;
      char *out = after + 10, *oend = strstr(out, "```");
      if (!oend) break;
      int line = 1;
      for (char *q = text; q < code; q++) line += *q == '\n';
      add_test((Test){.kind = K_DOC, .name = xprintf("%s:%d", path, line), .path = xstrdup(path),
                      .code = xprintf("%.*s\n", (int)(end - code), code),
                      .want = xprintf("%.*s", (int)(oend - out), out)});
      p = oend + 3;
      k++;
    }
    free(text);
    free(path);
    free(names[i]);
  }
  free(names);
}

static void discover_bins(const char *dir, Kind kind) {
  DIR *d = opendir(dir);
  if (!d) return;
  char **names = NULL;
  int n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || strchr(e->d_name, '.')) continue;
    char *p = xprintf("%s/%s", dir, e->d_name);
    struct stat st; /* executables, not folders (make fuzz leaves build/fuzz/work) */
    if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0) {
      if (n == cap) names = realloc(names, (size_t)(cap = cap ? cap * 2 : 32) * sizeof *names);
      names[n++] = p;
    } else {
      free(p);
    }
  }
  closedir(d);
  if (n) qsort(names, (size_t)n, sizeof *names, cmp_str);
  for (int i = 0; i < n; i++) add_test((Test){.kind = kind, .name = xstrdup(names[i]), .path = names[i]});
  free(names);
}

/* --- main --------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
  const char *filter = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--build") == 0 && i + 1 < argc) build_dir = argv[++i];
    else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) filter = argv[++i];
    else if (strcmp(argv[i], "--timeout-scale") == 0 && i + 1 < argc && atoi(argv[i + 1]) > 0) timeout_scale = atoi(argv[++i]);
  }
  char cwd[400];
  if (!getcwd(cwd, sizeof cwd)) return 2;
  snprintf(build_path, sizeof build_path, "%s/%s", cwd, build_dir);
  snprintf(sinter_bin, sizeof sinter_bin, "%s/bin/sinter", build_path);
  snprintf(tmp_dir, sizeof tmp_dir, "/tmp/sinter-test.%d", getpid());
  mkdir(tmp_dir, 0755);
  char *cache = xprintf("%s/cache", tmp_dir);
  setenv("XDG_CACHE_HOME", cache, 1);
  free(cache);
  srandom((unsigned)getpid());

  discover_dir("tests/lang", ".dsl", K_LANG);
  discover_dir("tests/diagnostics", ".dsl", K_DIAG);
  discover_dir("tests/ir", ".dsl", K_IR);
  discover_dir("tests/repl", ".in", K_REPL);
  discover_dir("tests/repl", ".pty", K_PTY);
  discover_dir("tests/cli", ".sh", K_CLI);
  discover_dir("examples", ".dsl", K_EXAMPLE);
  discover_docs();
  char *unit_dir = xprintf("%s/tests", build_dir), *fuzz_dir = xprintf("%s/fuzz", build_dir);
  discover_bins(unit_dir, K_UNIT);
  discover_bins(fuzz_dir, K_FUZZ);
  free(unit_dir);
  free(fuzz_dir);

  if (filter) {
    int k = 0;
    for (int i = 0; i < ntests; i++) {
      if (strstr(tests[i].name, filter)) {
        tests[k++] = tests[i];
        continue;
      }
      /* a test left out is freed (mode is a constant), so a sanitized runner reports no leak */
      free(tests[i].name);
      free(tests[i].path);
      free(tests[i].code);
      free(tests[i].want);
    }
    ntests = k;
  }

  const char *jobs_env = getenv("SINTER_TEST_JOBS");
  int jobs = jobs_env ? atoi(jobs_env) : (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (jobs < 1) jobs = 1;

  /* Each test runs in a child that reports its counts and report through a pipe. */
  int next = 0, running = 0;
  pid_t pids[64];
  int fds[64], idx[64];
  if (jobs > 64) jobs = 64;
  int passed = 0, failed = 0, skipped = 0;
  time_t t0 = time(NULL);
  while (next < ntests || running > 0) {
    while (running < jobs && next < ntests) {
      int p[2];
      if (pipe(p) != 0) return 2;
      pid_t pid = fork();
      if (pid == 0) {
        close(p[0]);
        Test *t = &tests[next];
        run_test(t);
        FILE *f = fdopen(p[1], "w");
        fprintf(f, "%d %d %d\n%s", t->passed, t->failed, t->skipped, t->report ? t->report : "");
        fclose(f);
        _exit(0);
      }
      close(p[1]);
      pids[running] = pid;
      fds[running] = p[0];
      idx[running] = next++;
      running++;
    }
    /* wait for any child and collect its result */
    int st;
    pid_t done = wait(&st);
    for (int k = 0; k < running; k++) {
      if (pids[k] != done) continue;
      FILE *f = fdopen(fds[k], "r");
      int tp = 0, tf = 0, ts = 0;
      Test *t = &tests[idx[k]];
      if (fscanf(f, "%d %d %d\n", &tp, &tf, &ts) != 3) {
        tf = 1;
        t->report = xstrdup("the test process died");
      } else {
        size_t cap = 4096, n = 0;
        char *rep = malloc(cap);
        int c;
        while ((c = fgetc(f)) != EOF) {
          if (n + 2 > cap) rep = realloc(rep, cap *= 2);
          rep[n++] = (char)c;
        }
        rep[n] = 0;
        t->report = rep;
      }
      fclose(f);
      passed += tp;
      failed += tf;
      skipped += ts;
      if (tf) printf("FAIL %s\n%s\n", t->name, t->report);
      fflush(stdout);
      pids[k] = pids[running - 1];
      fds[k] = fds[running - 1];
      idx[k] = idx[running - 1];
      running--;
      break;
    }
  }
  remove_tree(tmp_dir);
  fprintf(stderr, "(%d test files in %lds)\n", ntests, (long)(time(NULL) - t0));
  if (skipped) printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  else printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
