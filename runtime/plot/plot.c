/* plot.c: PNG pictures through PLplot's cairo driver (pngcairo): lines, scatters and 2-D
 * histograms (include/sinter/plot.h).
 *
 * PLplot keeps its state in globals, so one picture is drawn at a time, on a stream of its own
 * (plmkstrm ... plend1) under plot_lock. Its errors are caught, not printed: plsError makes a
 * recoverable error (plabort) set a code and a message instead of writing to stderr, and a fatal
 * one (plexit, which would print and call exit) goes to on_plexit, which jumps back to draw()
 * with the message. The data is checked before PLplot sees it, so those are PLplot's own
 * failures (a missing driver, a write error). */
#include "sinter/abi.h"
#include "sinter/io.h"
#include "sinter/plot.h"

#include <math.h>
#include <plplot.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#define SN_PLOT_WIDTH 800  /* default size in pixels: matplotlib's 6.4 x 4.8 inches, a bit larger */
#define SN_PLOT_HEIGHT 600
#define SN_PLOT_MAX_PIXELS 16384 /* per side: cairo's own limit is 32767 */
#define SN_PLOT_MAX_SERIES 64    /* lines in one picture, each with its colour and legend entry */
#define SN_PLOT_MAX_BINS 1024    /* per side of a density's histogram: 8 MB of counts */
#define SN_PLOT_DOT "\xe2\x80\xa2" /* U+2022, a filled dot: a scatter's marker, as matplotlib's */

/* Colour map 0: white background, black for the box and text, then matplotlib's "tab10" cycle. */
static const PLINT cmap0_r[] = {255, 0, 31, 255, 44, 214, 148, 140, 227, 127, 188, 23};
static const PLINT cmap0_g[] = {255, 0, 119, 127, 160, 39, 103, 86, 119, 127, 189, 190};
static const PLINT cmap0_b[] = {255, 0, 180, 14, 44, 40, 189, 75, 194, 127, 34, 207};
#define NCOLOURS ((PLINT)(sizeof cmap0_r / sizeof *cmap0_r))
#define COLOUR_INK 1
#define COLOUR_FIRST 2 /* the first series' colour */

static pthread_mutex_t plot_lock = PTHREAD_MUTEX_INITIALIZER;
static jmp_buf *plot_jump; /* where on_plexit returns to (plot_lock held) */
static char plot_fatal[512];

static int on_plexit(const char *msg) {
  snprintf(plot_fatal, sizeof plot_fatal, "%s", msg && *msg ? msg : "PLplot stopped");
  longjmp(*plot_jump, 1);
}

/* The picture's bounds and data, handed to the painter. */
typedef struct Picture {
  const SnPlotStyle *style;
  int64_t n, k;               /* lines: k series of n points; scatter: sizes of the two sets */
  PLFLT *x, *y;               /* lines: x [n], y [k * n]; scatter: x and y of both sets */
  PLFLT xmin, xmax, ymin, ymax;
  const char *const *labels;
  PLFLT **cells;              /* density: bins x bins counts */
  int64_t bins;
  PLFLT zmax;
} Picture;

static const char *text(const char *s) { return s ? s : ""; }

/* Axes, labels and title in ink; logy: the y axis logarithmic (bounds in log10). */
static void frame(const Picture *p, int logy) {
  plcol0(COLOUR_INK);
  plenv(p->xmin, p->xmax, p->ymin, p->ymax, 0, logy ? 20 : 0);
  pllab(text(p->style->xlabel), text(p->style->ylabel), text(p->style->title));
}

/* A legend at the top right, inside the box: lines or symbols in the series' colours. */
static void legend(int64_t n, const char *const *labels, int lines) {
  PLINT opt[SN_PLOT_MAX_SERIES], colour[SN_PLOT_MAX_SERIES], style[SN_PLOT_MAX_SERIES], number[SN_PLOT_MAX_SERIES];
  PLFLT width[SN_PLOT_MAX_SERIES], scale[SN_PLOT_MAX_SERIES];
  const char *symbol[SN_PLOT_MAX_SERIES];
  for (int64_t i = 0; i < n; i++) {
    opt[i] = lines ? PL_LEGEND_LINE : PL_LEGEND_SYMBOL;
    colour[i] = COLOUR_FIRST + (PLINT)(i % (NCOLOURS - COLOUR_FIRST));
    style[i] = 1, number[i] = 1, width[i] = 2, scale[i] = 1, symbol[i] = SN_PLOT_DOT;
  }
  PLINT ink[SN_PLOT_MAX_SERIES];
  for (int64_t i = 0; i < n; i++) ink[i] = COLOUR_INK;
  PLFLT w, h;
  pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, PL_POSITION_RIGHT | PL_POSITION_TOP | PL_POSITION_INSIDE,
           0.02, 0.02, 0.08, 0, COLOUR_INK, 1, 0, 0, (PLINT)n, opt, 1.0, 0.9, 1.8, 0, ink, labels, NULL, NULL, NULL, NULL, colour,
           style, width, colour, scale, number, symbol);
}

static void paint_lines(const Picture *p) {
  frame(p, p->style->logy);
  plwidth(2);
  for (int64_t s = 0; s < p->k; s++) {
    plcol0(COLOUR_FIRST + (PLINT)(s % (NCOLOURS - COLOUR_FIRST)));
    plline((PLINT)p->n, p->x, p->y + s * p->n);
  }
  plwidth(1);
  if (p->labels) legend(p->k, p->labels, 1);
}

static void paint_scatter(const Picture *p) {
  frame(p, 0);
  int64_t sizes[2] = {p->n, p->k}, at = 0;
  for (int set = 0; set < 2; set++) {
    plcol0(COLOUR_FIRST + set);
    if (sizes[set]) plstring((PLINT)sizes[set], p->x + at, p->y + at, SN_PLOT_DOT);
    at += sizes[set];
  }
  if (p->labels) legend(p->k ? 2 : 1, p->labels, 0);
}

static void paint_density(const Picture *p) {
  /* colour map 1: viridis, from its five anchors (dark purple for empty cells to yellow) */
  static const PLFLT at[] = {0, 0.25, 0.5, 0.75, 1}, r[] = {0.267, 0.231, 0.129, 0.369, 0.993},
                     g[] = {0.005, 0.322, 0.569, 0.788, 0.906}, b[] = {0.329, 0.546, 0.553, 0.384, 0.144};
  plscmap1l(1, 5, at, r, g, b, NULL);
  frame(p, 0);
  plimage((PLFLT_MATRIX)p->cells, (PLINT)p->bins, (PLINT)p->bins, p->xmin, p->xmax, p->ymin, p->ymax, 0, p->zmax, p->xmin,
          p->xmax, p->ymin, p->ymax);
  plcol0(COLOUR_INK);
  plbox("bc", 0, 0, "bc", 0, 0);
}

/* Whether PLplot has the pngcairo driver (Debian's plplot-driver-cairo). */
static int have_pngcairo(void) {
  const char **menu, **names;
  int n = 64;
  menu = malloc((size_t)n * sizeof *menu);
  names = malloc((size_t)n * sizeof *names);
  int found = 0;
  if (menu && names) {
    plgFileDevs(&menu, &names, &n);
    for (int i = 0; i < n && !found; i++) found = strcmp(names[i], "pngcairo") == 0;
  }
  free(menu);
  free(names);
  return found;
}

/* Draws p with paint into path, atomically (see sinter/plot.h). */
static SnStatus draw(const char *path, const Picture *p, void (*paint)(const Picture *)) {
  const SnPlotStyle *st = p->style;
  PLINT w = st->width > 0 ? st->width : SN_PLOT_WIDTH, h = st->height > 0 ? st->height : SN_PLOT_HEIGHT;
  if (w > SN_PLOT_MAX_PIXELS || h > SN_PLOT_MAX_PIXELS)
    return sn_error_set("%s: a picture of %d x %d pixels; at most %d a side", path, w, h, SN_PLOT_MAX_PIXELS);
  SnAtomicFile out;
  if (sn_io_atomic_open(&out, path)) return 1;
  pthread_mutex_lock(&plot_lock);
  if (!have_pngcairo()) {
    pthread_mutex_unlock(&plot_lock);
    sn_io_atomic_abort(&out);
    return sn_error_set("%s: PLplot has no pngcairo driver; `make deps` installs it (Debian's plplot-driver-cairo)", path);
  }
  PLINT prev, strm, code = 0;
  char msg[1024] = "";
  volatile int fatal = 0;
  jmp_buf jump;
  plot_jump = &jump;
  plgstrm(&prev);
  plmkstrm(&strm);
  if (setjmp(jump) == 0) {
    plsexit(on_plexit);
    plsError(&code, msg);
    plsdev("pngcairo");
    plsfnam(out.tmp);
    plspage(0, 0, w, h, 0, 0);
    plscmap0(cmap0_r, cmap0_g, cmap0_b, NCOLOURS);
    plinit();
    paint(p);
  } else {
    fatal = 1;
  }
  if (setjmp(jump) == 0) plend1(); /* writes the PNG and closes the stream */
  else fatal = 1;
  plsexit(NULL);
  plsstrm(prev);
  pthread_mutex_unlock(&plot_lock);
  if (fatal || code) {
    sn_io_atomic_abort(&out);
    const char *why = fatal ? plot_fatal : msg;
    while (*why == '\n') why++;
    return sn_error_set("%s: PLplot failed: %.*s", path, (int)strcspn(why, "\n"), why);
  }
  return sn_io_atomic_commit(&out);
}

#if defined(__SANITIZE_ADDRESS__)
/* fontconfig, which cairo's text goes through, keeps its font cache until exit and is not meant
 * to be torn down while cairo and pango hold fonts (FcFini would break a later picture): LSan
 * (make test SAN=1) is told that those blocks are fontconfig's, not leaks of ours. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }
/* and prints no table of what it passed over, which would reach the tests' expected stderr */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }
#endif

/* --- checking and gathering the data ------------------------------------------------------- */

static int is_number(const SnTensor *t) { return t->dtype != SN_BOOL; }

/* "2, 5": the subscript of t's element i (row-major). */
static void subscript(char *buf, size_t size, const SnTensor *t, int64_t i) {
  int64_t sub[SN_MAX_RANK];
  for (int64_t d = t->rank - 1; d >= 0; d--) sub[d] = i % t->shape[d], i /= t->shape[d];
  size_t k = 0;
  buf[0] = 0;
  for (int64_t d = 0; d < t->rank && k < size; d++) k += (size_t)snprintf(buf + k, size - k, "%s%lld", d ? ", " : "", (long long)sub[d]);
}

/* Copies t's elements (row-major) into out as doubles; fails naming the first not finite. */
static SnStatus gather(const char *path, const char *what, const SnTensor *t, PLFLT *out) {
  int64_t n = sn_tensor_numel(t);
  for (int64_t i = 0; i < n; i++) {
    out[i] = sn_tensor_get_f64(t, i);
    if (!isfinite(out[i])) {
      char at[128];
      subscript(at, sizeof at, t, i);
      return sn_error_set("%s: %s[%s] is %s; a picture needs finite values", path, what, at,
                          isnan(out[i]) ? "nan" : out[i] > 0 ? "inf" : "-inf");
    }
  }
  return 0;
}

/* [lo, hi] over v[0..n), widened by 5% a side (matplotlib's margins), or by 0.5 when flat. */
static void bounds(const PLFLT *v, int64_t n, int64_t stride, PLFLT *lo, PLFLT *hi) {
  PLFLT a = INFINITY, b = -INFINITY;
  for (int64_t i = 0; i < n; i++) a = fmin(a, v[i * stride]), b = fmax(b, v[i * stride]);
  if (n == 0) a = 0, b = 1;
  PLFLT pad = b > a ? 0.05 * (b - a) : 0.5;
  *lo = a - pad, *hi = b + pad;
}

SnStatus sn_plot_lines(const char *path, const SnTensor *y, const SnTensor *x, const char *const *labels,
                       const SnPlotStyle *style) {
  if (y->rank != 1 && y->rank != 2) return sn_error_set("%s: lines take y [n] or y [k, n], not %lld dimensions", path, (long long)y->rank);
  if (!is_number(y) || (x && !is_number(x))) return sn_error_set("%s: lines take numbers, not bool values", path);
  int64_t k = y->rank == 2 ? y->shape[0] : 1, n = y->shape[y->rank - 1];
  if (n < 1 || k < 1) return sn_error_set("%s: no points to draw (y is empty)", path);
  if (k > SN_PLOT_MAX_SERIES) return sn_error_set("%s: %lld lines; a picture takes at most %d", path, (long long)k, SN_PLOT_MAX_SERIES);
  if (x && (x->rank != 1 || x->shape[0] != n))
    return sn_error_set("%s: x must have one value per point of y (%lld), but it has shape [%lld%s]", path, (long long)n,
                        (long long)x->shape[0], x->rank == 1 ? "" : ", ...");
  PLFLT *xs = malloc((size_t)(n + k * n) * sizeof *xs), *ys = xs ? xs + n : NULL;
  if (!xs) return sn_error_set("%s: out of memory", path);
  SnStatus st = x ? gather(path, "x", x, xs) : 0;
  if (!x)
    for (int64_t i = 0; i < n; i++) xs[i] = (PLFLT)i;
  if (!st) st = gather(path, "y", y, ys);
  for (int64_t i = 0; !st && style->logy && i < k * n; i++) {
    if (ys[i] > 0) {
      ys[i] = log10(ys[i]);
    } else {
      char at[128];
      subscript(at, sizeof at, y, i);
      st = sn_error_set("%s: logy needs positive values, but y[%s] is %g", path, at, ys[i]);
    }
  }
  if (!st) {
    Picture p = {.style = style, .n = n, .k = k, .x = xs, .y = ys, .labels = labels};
    bounds(xs, n, 1, &p.xmin, &p.xmax);
    bounds(ys, k * n, 1, &p.ymin, &p.ymax);
    st = draw(path, &p, paint_lines);
  }
  free(xs);
  return st;
}

/* Points t [n, 2] into x and y; `what` names t in messages. */
static SnStatus points(const char *path, const char *what, const SnTensor *t, PLFLT *x, PLFLT *y) {
  if (t->rank != 2 || t->shape[1] != 2)
    return sn_error_set("%s: %s must be 2-D points [n, 2], not a tensor of %lld dimensions%s", path, what, (long long)t->rank,
                        t->rank == 2 ? " with rows of another length" : "");
  if (!is_number(t)) return sn_error_set("%s: %s must hold numbers, not bool values", path, what);
  int64_t n = t->shape[0];
  PLFLT *xy = malloc((size_t)(2 * n + 1) * sizeof *xy);
  if (!xy) return sn_error_set("%s: out of memory", path);
  SnStatus st = gather(path, what, t, xy);
  for (int64_t i = 0; !st && i < n; i++) x[i] = xy[2 * i], y[i] = xy[2 * i + 1];
  free(xy);
  return st;
}

SnStatus sn_plot_scatter(const char *path, const SnTensor *p, const SnTensor *q, const char *const *labels,
                         const SnPlotStyle *style) {
  int64_t n = p->rank == 2 ? p->shape[0] : 0, m = q && q->rank == 2 ? q->shape[0] : 0;
  PLFLT *x = malloc((size_t)(2 * (n + m) + 1) * sizeof *x), *y = x ? x + n + m : NULL;
  if (!x) return sn_error_set("%s: out of memory", path);
  SnStatus st = points(path, "x", p, x, y);
  if (!st && q) st = points(path, "y", q, x + n, y + n);
  if (!st && n + m == 0) st = sn_error_set("%s: no points to draw", path);
  if (!st) {
    Picture pic = {.style = style, .n = n, .k = m, .x = x, .y = y, .labels = labels};
    bounds(x, n + m, 1, &pic.xmin, &pic.xmax);
    bounds(y, n + m, 1, &pic.ymin, &pic.ymax);
    st = draw(path, &pic, paint_scatter);
  }
  free(x);
  return st;
}

SnStatus sn_plot_density(const char *path, const SnTensor *p, int64_t bins, const SnPlotStyle *style) {
  if (bins < 1 || bins > SN_PLOT_MAX_BINS)
    return sn_error_set("%s: bins must be 1 to %d, not %lld", path, SN_PLOT_MAX_BINS, (long long)bins);
  int64_t n = p->rank == 2 ? p->shape[0] : 0;
  PLFLT *x = malloc((size_t)(2 * n + 1) * sizeof *x), *y = x ? x + n : NULL;
  PLFLT **cells = malloc((size_t)bins * sizeof *cells);
  PLFLT *counts = calloc((size_t)(bins * bins), sizeof *counts);
  SnStatus st = !x || !cells || !counts ? sn_error_set("%s: out of memory", path) : points(path, "x", p, x, y);
  if (!st && n == 0) st = sn_error_set("%s: no points to draw", path);
  if (!st) {
    Picture pic = {.style = style, .bins = bins, .cells = cells};
    PLFLT lo[2], hi[2];
    for (int axis = 0; axis < 2; axis++) {
      const PLFLT *v = axis ? y : x;
      lo[axis] = INFINITY, hi[axis] = -INFINITY;
      for (int64_t i = 0; i < n; i++) lo[axis] = fmin(lo[axis], v[i]), hi[axis] = fmax(hi[axis], v[i]);
      if (!(hi[axis] > lo[axis])) lo[axis] -= 0.5, hi[axis] += 0.5;
    }
    /* cell (i, j): x in [lo + i w, lo + (i + 1) w), the last cell closed, as numpy.histogram2d */
    for (int64_t i = 0; i < n; i++) {
      int64_t ci = (int64_t)((x[i] - lo[0]) / (hi[0] - lo[0]) * (PLFLT)bins), cj = (int64_t)((y[i] - lo[1]) / (hi[1] - lo[1]) * (PLFLT)bins);
      ci = ci < bins ? ci : bins - 1, cj = cj < bins ? cj : bins - 1;
      counts[ci * bins + cj] += 1;
    }
    for (int64_t i = 0; i < bins; i++) cells[i] = counts + i * bins;
    for (int64_t i = 0; i < bins * bins; i++) pic.zmax = fmax(pic.zmax, counts[i]);
    pic.xmin = lo[0], pic.xmax = hi[0], pic.ymin = lo[1], pic.ymax = hi[1];
    st = draw(path, &pic, paint_density);
  }
  free(x);
  free(cells);
  free(counts);
  return st;
}

/* --- as the language calls them ---------------------------------------------------------------- */

/* The names in `joined` (separated by newlines) into names[], at most max; their count. */
static int64_t split_labels(char *joined, const char **names, int64_t max) {
  if (!*joined) return 0;
  int64_t n = 0;
  for (char *p = joined; p && n < max; n++) {
    names[n] = p;
    if ((p = strchr(p, '\n'))) *p++ = 0;
  }
  return n;
}

/* The status of a picture, its message located at `where`. */
static SnStatus located(const char *where, SnStatus st) {
  if (!st) return 0;
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", sn_error_message());
  return sn_fail_msg(where, msg);
}

/* The legend's names for `series` curves or point sets, into names (NULL: no legend). */
static SnStatus legend_names(const char *path, const char *labels, int64_t series, char **copy, const char **names,
                             const char *const **out) {
  *out = NULL;
  if (!*labels) return 0;
  if (!(*copy = strdup(labels))) return sn_error_set("%s: out of memory", path);
  int64_t k = split_labels(*copy, names, SN_PLOT_MAX_SERIES);
  if (k != series) return sn_error_set("%s: labels= gives %lld names for %lld series", path, (long long)k, (long long)series);
  *out = names;
  return 0;
}

SnStatus sn_plot_lines_call(const char *where, const char *path, const SnTensor *y, const SnTensor *x, int32_t has_x,
                            const char *labels, const char *title, const char *xlabel, const char *ylabel, int32_t logy) {
  SnPlotStyle st = {.title = title, .xlabel = xlabel, .ylabel = ylabel, .logy = logy};
  const char *names[SN_PLOT_MAX_SERIES], *const *legend_of = NULL;
  char *copy = NULL;
  SnStatus s = legend_names(path, labels, y->rank == 2 ? y->shape[0] : 1, &copy, names, &legend_of);
  if (!s) s = sn_plot_lines(path, y, has_x ? x : NULL, legend_of, &st);
  free(copy);
  return located(where, s);
}

SnStatus sn_plot_scatter_call(const char *where, const char *path, const SnTensor *x, const SnTensor *y, int32_t has_y,
                              const char *labels, const char *title, const char *xlabel, const char *ylabel) {
  SnPlotStyle st = {.title = title, .xlabel = xlabel, .ylabel = ylabel};
  const char *names[SN_PLOT_MAX_SERIES], *const *legend_of = NULL;
  char *copy = NULL;
  SnStatus s = legend_names(path, labels, has_y ? 2 : 1, &copy, names, &legend_of);
  if (!s) s = sn_plot_scatter(path, x, has_y ? y : NULL, legend_of, &st);
  free(copy);
  return located(where, s);
}

SnStatus sn_plot_density_call(const char *where, const char *path, const SnTensor *x, int64_t bins, const char *title,
                              const char *xlabel, const char *ylabel) {
  SnPlotStyle st = {.title = title, .xlabel = xlabel, .ylabel = ylabel};
  return located(where, sn_plot_density(path, x, bins, &st));
}
