/* repl.c: the interactive session (`sinter repl`).
 *
 * Each input (one line, or several while brackets are open or a line ends in an operator) is
 * compiled as a unit: its definitions are JIT-compiled together in one module, its values are
 * stored into slots that later inputs read, and the value of a bare expression is printed. An
 * error prints a diagnostic and the session goes on without the failed input's bindings.
 * Line editing and history come from libedit. Values and the commands' answers go to stdout,
 * diagnostics to stderr (stdout is flushed first, so a terminal shows them in order), located
 * by the line's number in the session. Fed from a file or a pipe, the REPL exits with status 1
 * when any input failed. */
#include "repl.h"

#include "interp.h"
#include "jit.h"
#include "parse.h"
#include "prelude.h"
#include "sema.h"

#include <editline/readline.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* History kept between sessions, in lines. */
#define HISTORY_LINES 1000

typedef struct Repl {
  Options *o;
  ReplEnv env;
  Jit *jit;
  LLVMTargetMachineRef tm;
  SnArgValue *slots;
  int capslots;
  PtrVec arenas; /* one per input, kept: functions and lazy definitions point into them */
  Arena keep;    /* the PtrVec itself */
  bool interactive;
  int count;   /* inputs so far */
  int lines;   /* lines read so far */
  bool failed; /* an input has failed */
} Repl;

static const char *help_text =
    "Enter statements (let, fn, ...) and expressions; the value of an expression is printed.\n"
    "Definitions persist for the session. Commands:\n"
    "  :type EXPR   the type of EXPR, without running it\n"
    "  :ir EXPR     the IR sinter generates for EXPR\n"
    "  :time EXPR   evaluate EXPR and report how long it took\n"
    "  :help        this text\n"
    "  :quit        leave (as does end of input, Ctrl-D)\n";

/* Is the input unfinished: open brackets, an open string, or a last token that needs more? */
static bool incomplete(const char *s) {
  int depth = 0;
  bool in_str = false;
  char last = 0;
  for (const char *p = s; *p; p++) {
    if (in_str) {
      if (*p == '\\' && p[1]) p++;
      else if (*p == '"') in_str = false;
      else if (*p == '\n') in_str = false;
      continue;
    }
    if (*p == '#') {
      while (*p && *p != '\n') p++;
      if (!*p) break;
      continue;
    }
    if (*p == '"') in_str = true;
    else if (*p == '(' || *p == '[' || *p == '{') depth++;
    else if (*p == ')' || *p == ']' || *p == '}') depth--;
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') last = *p;
  }
  if (depth > 0) return true;
  return last && strchr("+-*/^@=,<>%", last);
}

static Arena *new_arena(Repl *r) {
  Arena *a = NEW(&r->keep, Arena);
  vec_push(&r->keep, &r->arenas, a);
  return a;
}

static void grow_slots(Repl *r) {
  if (r->env.nslots <= r->capslots) return;
  int cap = r->capslots ? r->capslots : 64;
  while (cap < r->env.nslots) cap *= 2;
  SnArgValue *s = realloc(r->slots, (size_t)cap * sizeof *s);
  if (!s) die("out of memory");
  memset(s + r->capslots, 0, (size_t)(cap - r->capslots) * sizeof *s);
  r->slots = s;
  r->capslots = cap;
}

/* Parses and checks one input, whose first line is line `line` of the session. Returns its IR,
 * NULL after printing errors. */
static IrFunc *compile(Repl *r, const char *text, int line, bool echo, Val **last, Arena **arena_out) {
  Arena *a = new_arena(r);
  *arena_out = a;
  DiagBag diags = {.arena = a};
  size_t len = strlen(text);
  char *copy = arena_strndup(a, text, len);
  Source *src = source_new(a, "<repl>", copy, len);
  src->line0 = line - 1;
  PtrVec stmts = {0};
  IrFunc *f = NULL;
  if (parse_source(a, &diags, src, &stmts)) f = sema_repl_line(&r->env, a, &diags, &stmts, echo, last);
  diag_print(&diags, stderr, r->o->color);
  if (!f) r->failed = true;
  return f;
}

static bool run(Repl *r, IrFunc *f, Binding *mark, int nslots, double *secs) {
  PassOptions po = {.fuse = r->o->fuse, .verify = true};
  passes_run(f, &po);
  grow_slots(r);
  SnProgramFn fn = interp_program;
  void *user = f;
  if (!r->o->interp) {
    char entry[32], *err = NULL;
    snprintf(entry, sizeof entry, "sinter_line_%d", r->count);
    LLVMModuleRef mod = cg_module(jit_context(r->jit), f, CG_JIT, "repl", entry);
    if (!driver_optimize(mod, r->tm, r->o)) {
      LLVMDisposeModule(mod);
      r->failed = true;
      return false;
    }
    fn = (SnProgramFn)jit_add(r->jit, mod, entry, &err);
    if (!fn) {
      fprintf(stderr, "sinter: internal error: JIT: %s\n", err ? err : "?");
      free(err);
      r->failed = true;
      return false;
    }
    user = NULL;
  }
  uint64_t mark_t = sn_tensor_mark();
  sn_set_output(stdout);
  double t0 = driver_now();
  int32_t st = fn(user, NULL, r->slots);
  *secs = driver_now() - t0;
  fflush(stdout);
  sn_run_cleanup();
  if (st) {
    fprintf(stderr, "%s\n", sn_error_message());
    r->failed = true;
    /* forget the input's bindings and free what it made */
    for (int k = nslots; k < r->env.nslots; k++) memset(&r->slots[k], 0, sizeof r->slots[k]);
    repl_env_rollback(&r->env, mark, nslots);
    sn_tensor_release_since(mark_t);
    return false;
  }
  return true;
}

/* One input, which starts on line `line` of the session. */
static void handle(Repl *r, const char *input, int line) {
  while (*input == ' ' || *input == '\t') input++;
  if (!*input || *input == '\n') return;
  r->count++;
  Binding *mark = r->env.scope->head;
  int nslots = r->env.nslots;
  Arena *a;
  if (input[0] == ':') {
    const char *cmd = input + 1;
    size_t n = strcspn(cmd, " \t\n");
    const char *rest = cmd + n;
    while (*rest == ' ' || *rest == '\t') rest++;
    if ((n == 4 && strncmp(cmd, "help", 4) == 0) || (n == 1 && cmd[0] == 'h')) {
      fputs(help_text, stdout);
    } else if (n == 4 && strncmp(cmd, "type", 4) == 0) {
      Val *last = NULL;
      char name[128];
      int len = 0;
      if (sscanf(rest, "%127[A-Za-z0-9_]%n", name, &len) == 1 && rest[len] == 0) {
        const char *sig = repl_fn_signature(&r->env, new_arena(r), name);
        if (sig) {
          printf("%s\n", sig);
          fflush(stdout);
          return;
        }
      }
      IrFunc *f = compile(r, rest, line, false, &last, &a);
      if (f && last) {
        Sema tmp = {.arena = a};
        printf("%s\n", sema_type_str(&tmp, last));
      } else if (f) {
        printf("(no value)\n");
      }
      repl_env_rollback(&r->env, mark, nslots);
    } else if (n == 2 && strncmp(cmd, "ir", 2) == 0) {
      IrFunc *f = compile(r, rest, line, true, NULL, &a);
      if (f) {
        PassOptions po = {.fuse = r->o->fuse, .verify = true};
        passes_run(f, &po);
        ir_print(stdout, f);
      }
      repl_env_rollback(&r->env, mark, nslots);
    } else if (n == 4 && strncmp(cmd, "time", 4) == 0) {
      double t0 = driver_now(), secs;
      IrFunc *f = compile(r, rest, line, true, NULL, &a);
      if (f && run(r, f, mark, nslots, &secs))
        printf("time: %.3f ms (compile %.3f ms)\n", secs * 1e3, (driver_now() - t0 - secs) * 1e3);
    } else {
      fprintf(stderr, "error: unknown command :%.*s (:help lists the commands)\n", (int)n, cmd);
      r->failed = true;
    }
    fflush(stdout);
    return;
  }
  IrFunc *f = compile(r, input, line, true, NULL, &a);
  double secs;
  if (f) run(r, f, mark, nslots, &secs);
  fflush(stdout);
}

static char *history_path(void) {
  const char *p = getenv("SINTER_HISTORY");
  if (p && *p) return strdup(p);
  const char *home = getenv("HOME");
  if (!home) return NULL;
  size_t n = strlen(home) + 32;
  char *s = malloc(n);
  snprintf(s, n, "%s/.sinter_history", home);
  return s;
}

/* One input: a line, and more lines while it is incomplete. NULL at the end. */
static char *read_input(Repl *r) {
  Buf b = {0};
  for (;;) {
    char *line;
    if (r->interactive) {
      line = readline(b.len ? "   ...> " : "sinter> ");
      if (!line) break;
    } else {
      size_t cap = 0;
      line = NULL;
      ssize_t got = getline(&line, &cap, stdin);
      if (got < 0) {
        free(line);
        break;
      }
      if (got > 0 && line[got - 1] == '\n') line[got - 1] = 0;
    }
    r->lines++;
    buf_printf(&b, "%s%s", b.len ? "\n" : "", line);
    free(line);
    if (b.data[0] == ':' || !incomplete(b.data)) break;
  }
  if (!b.data) return NULL;
  if (r->interactive && b.len) add_history(b.data);
  return b.data;
}

int repl_main(Options *o, bool no_history) {
  Repl r = {.o = o};
  r.interactive = isatty(0);
  o->color = o->color && r.interactive;
  Library lib;
  DiagBag d = {.arena = &r.keep};
  library_load(&r.keep, &d, &lib);
  repl_env_init(&r.env, &lib, &d);
  diag_print(&d, stderr, false);
  if (!o->interp) {
    char *err = NULL;
    r.jit = jit_new(&err);
    if (!r.jit) {
      fprintf(stderr, "sinter: internal error: cannot start the JIT: %s\n", err);
      free(err);
      return 1;
    }
    r.tm = cg_host_machine(o->opt_level);
  }
  char *hist = no_history ? NULL : history_path();
  if (r.interactive) {
    using_history();
    stifle_history(HISTORY_LINES);
    if (hist) read_history(hist);
    printf("sinter %s: an interactive session (:help for commands, Ctrl-D to leave)\n", SN_VERSION);
  }
  for (;;) {
    int line = r.lines + 1;
    char *in = read_input(&r);
    if (!in) break;
    const char *t = in;
    while (*t == ' ') t++;
    if (strcmp(t, ":quit") == 0 || strcmp(t, ":q") == 0 || strcmp(t, ":exit") == 0) {
      free(in);
      break;
    }
    handle(&r, in, line);
    free(in);
  }
  if (r.interactive && hist) write_history(hist);
  free(hist);
  for (int k = 0; k < r.env.nslots; k++)
    if (r.env.slots[k].kind == V_TENSOR && r.slots[k].t) sn_tensor_release(r.slots[k].t);
  free(r.slots);
  if (r.tm) LLVMDisposeTargetMachine(r.tm);
  jit_free(r.jit);
  for (int i = 0; i < r.arenas.n; i++) arena_free(r.arenas.items[i]);
  arena_free(&r.keep);
  repl_env_free(&r.env);
  return r.failed && !r.interactive ? 1 : 0;
}
