/* builtins_plot.c: the builtins that draw PNG pictures (runtime/plot/plot.c, docs/language.md
 * "Pictures"): plot_lines (curves such as a loss per epoch), plot_scatter (2-D points, a second
 * set in a second colour) and plot_density (a 2-D histogram as a heat map). Each writes its file
 * atomically when the program runs and gives nothing; shapes and label counts known when
 * compiling are checked then. */
#include "builtins.h"

#include <string.h>

/* Sizes a and b must agree (a run-time check when they are not known yet); when they differ
 * now, msg (with a's and b's sizes for its two %s) is the error. */
static bool agree(Sema *s, Dim a, Dim b, Span span, const char *check, const char *msg) {
  if (sema_dims_match(s, a, b, span, check)) return true;
  diag_error(s->diags, span, msg, sema_dim_str(s, a), sema_dim_str(s, b));
  return false;
}

/* The call's strings after `first`: title, xlabel and ylabel, in the IR operands at ops. */
static void style_ops(Arg *args, int first, IrValue **ops) {
  for (int k = 0; k < 3; k++) ops[k] = args[first + k].v->ir;
}

static bool string_args(Sema *s, Arg *args, int first, int n, const char *fn) {
  for (int k = first; k < first + n; k++)
    if (args[k].v->kind != V_STR) {
      diag_error(s->diags, args[k].span, "`%s` takes a string here, not %s", fn, sema_type_str(s, args[k].v));
      return false;
    }
  return true;
}

/* A tensor of numbers (not bool) of one of the ranks lo..hi; `what` names it in the message. */
static bool numbers(Sema *s, const Arg *a, int lo, int hi, const char *fn, const char *what) {
  const Val *v = a->v;
  if (v->kind == V_TENSOR && v->rank >= lo && v->rank <= hi && v->dt != SN_BOOL) return true;
  Diag *g = diag_error(s->diags, a->span, "`%s` draws %s, not %s", fn, what, sema_type_str(s, v));
  if (v->kind == V_TENSOR && v->dt == SN_BOOL) diag_hint(s->diags, g, "convert first, e.g. f64(x)");
  return false;
}

/* labels=: a string or a list of strings, one per series (`count`, when known when compiling);
 * given to the runtime as one string, the names separated by newlines ("" for no legend). */
static IrValue *labels_op(Sema *s, const Arg *a, Dim count, const char *fn) {
  Node *n = a->node;
  if (!n) return ir_string(&s->b, "");
  int k = n->kind == A_LIST ? n->list.n : 1;
  size_t len = 1;
  for (int i = 0; i < k; i++) {
    Node *e = n->kind == A_LIST ? n->list.items[i] : n;
    if (e->kind != A_STR || strchr(e->str, '\n')) {
      Diag *g = diag_error(s->diags, e->span, "`%s`: labels are names in quotes, one per series", fn);
      diag_hint(s->diags, g, "e.g. labels=[\"train\", \"test\"]");
      return NULL;
    }
    len += strlen(e->str) + 1;
  }
  if (!agree(s, sema_dim_const(k), count, a->span, "labels and series", "labels= gives %s names for %s series")) return NULL;
  char *joined = arena_alloc(s->fn->arena, len), *p = joined;
  for (int i = 0; i < k; i++) {
    const char *str = (n->kind == A_LIST ? (Node *)n->list.items[i] : n)->str;
    p += sprintf(p, "%s%s", i ? "\n" : "", str);
  }
  *p = 0;
  return ir_string(&s->b, joined);
}

#define POINTS "2-D points are the rows of an [n, 2] tensor, but these rows have %s coordinates, not %s"

static Val *emit(Sema *s, RtFn fn, int nops, IrValue **ops, Node *call) {
  IrBuilder save = s->b;
  s->b.span = call->span;
  ir_call(&s->b, fn, nops, ops);
  s->b = save;
  return sema_unit(s);
}

/* plot_lines(path, y, x = _, labels = _, title = "", xlabel = "", ylabel = "", logy = false):
 * y [n] is one curve, y [k, n] k curves, against x [n] (0 .. n - 1 without it). */
static Val *b_plot_lines(Sema *s, const Builtin *b, Arg *args, Node *call) {
  if (!string_args(s, args, 0, 1, b->name) || !numbers(s, &args[1], 1, 2, b->name, "y [n] or y [k, n] (a curve per row)") ||
      (args[2].v && !numbers(s, &args[2], 1, 1, b->name, "against x [n]")) || !string_args(s, args, 4, 3, b->name))
    return ERR;
  Val *y = args[1].v, *x = args[2].v;
  Dim n = y->dims[y->rank - 1], k = y->rank == 2 ? y->dims[0] : sema_dim_const(1);
  if (x && !agree(s, x->dims[0], n, args[2].span, "points of x and y", "x has %s points and y %s")) return ERR;
  if (args[7].v->kind != V_SCALAR || args[7].v->dt != SN_BOOL) {
    diag_error(s->diags, args[7].span, "logy must be true or false, not %s", sema_type_str(s, args[7].v));
    return ERR;
  }
  IrValue *labels = labels_op(s, &args[3], k, b->name);
  if (!labels) return ERR;
  IrValue *ops[10] = {sema_where(s, call->span), args[0].v->ir, y->ir, x ? x->ir : y->ir,
                      ir_const(&s->b, ir_scalar(SN_I32), 0, x != NULL), labels};
  style_ops(args, 4, ops + 6);
  ops[9] = ir_cast(&s->b, args[7].v->ir, ir_scalar(SN_I32));
  return emit(s, RT_PLOT_LINES, 10, ops, call);
}

/* plot_scatter(path, x, y = _, labels = _, title = "", xlabel = "", ylabel = ""): the points
 * x [n, 2], and y [m, 2] in a second colour. */
static Val *b_plot_scatter(Sema *s, const Builtin *b, Arg *args, Node *call) {
  if (!string_args(s, args, 0, 1, b->name) || !numbers(s, &args[1], 2, 2, b->name, "points x [n, 2]") ||
      (args[2].v && !numbers(s, &args[2], 2, 2, b->name, "a second set of points y [m, 2]")) || !string_args(s, args, 4, 3, b->name))
    return ERR;
  Val *p = args[1].v, *q = args[2].v;
  if (!agree(s, p->dims[1], sema_dim_const(2), args[1].span, "coordinates of x's points", POINTS) ||
      (q && !agree(s, q->dims[1], sema_dim_const(2), args[2].span, "coordinates of y's points", POINTS)))
    return ERR;
  IrValue *labels = labels_op(s, &args[3], sema_dim_const(q ? 2 : 1), b->name);
  if (!labels) return ERR;
  IrValue *ops[9] = {sema_where(s, call->span), args[0].v->ir, p->ir, q ? q->ir : p->ir,
                     ir_const(&s->b, ir_scalar(SN_I32), 0, q != NULL), labels};
  style_ops(args, 4, ops + 6);
  return emit(s, RT_PLOT_SCATTER, 9, ops, call);
}

/* plot_density(path, x, bins = 50, title = "", xlabel = "", ylabel = ""): a bins x bins
 * histogram of the points x [n, 2] over their range. */
static Val *b_plot_density(Sema *s, const Builtin *b, Arg *args, Node *call) {
  if (!string_args(s, args, 0, 1, b->name) || !numbers(s, &args[1], 2, 2, b->name, "points x [n, 2]") ||
      !string_args(s, args, 3, 3, b->name))
    return ERR;
  Val *p = args[1].v;
  if (!agree(s, p->dims[1], sema_dim_const(2), args[1].span, "coordinates of x's points", POINTS)) return ERR;
  IrValue *ops[7] = {sema_where(s, call->span), args[0].v->ir, p->ir, ir_cast(&s->b, args[2].v->ir, ir_i64)};
  style_ops(args, 3, ops + 4);
  return emit(s, RT_PLOT_DENSITY, 7, ops, call);
}

const Builtin builtins_plot[] = {
    BUILTIN("plot_lines", "path, y, x = _, labels: syntax = _, title = \"\", xlabel = \"\", ylabel = \"\", logy = false",
            b_plot_lines, 0),
    BUILTIN("plot_scatter", "path, x, y = _, labels: syntax = _, title = \"\", xlabel = \"\", ylabel = \"\"", b_plot_scatter, 0),
    BUILTIN("plot_density", "path, x, bins: int = 50, title = \"\", xlabel = \"\", ylabel = \"\"", b_plot_density, 0),
    {0},
};
