/* progress.c: progress reports for long loops (iterations, steps, epochs, tensors): a bar
 * redrawn in place when the output is a terminal, a plain line every few seconds when it is a
 * log file, nothing when quiet. Loops shorter than SN_PROGRESS_DELAY stay silent, so quick
 * runs and tests print nothing. */
#include "core/rt_core.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Seconds between redraws of a terminal bar: smooth to the eye, cheap to draw. */
#define SN_PROGRESS_REDRAW 0.1
/* Seconds between lines in a log: frequent enough to show life, rare enough to read. */
#define SN_PROGRESS_LOG_EVERY 5.0
/* Nothing is shown before a loop has run this long. */
#define SN_PROGRESS_DELAY 0.5
/* The bar's width in characters, within the terminal's width. */
#define SN_PROGRESS_BAR_MIN 10
#define SN_PROGRESS_BAR_MAX 30
#define SN_PROGRESS_LINE 512

struct SnProgress {
  char *label, *unit;
  int64_t total, done;
  double start, last;       /* when it started, when it was last shown */
  char metric_name[32];     /* empty when there is none */
  double metric;
  int mode;                 /* SN_PROGRESS_TTY, _LOG or _OFF, resolved at start */
  int shown;                /* something has been printed */
  struct SnProgress *next;  /* the reports open now (loops nest), newest first */
};

static SnProgress *open_reports;
/* Loops run inside parallel loops (an iterate in a comprehension's body) open and close their
 * reports on several threads at once: the list is changed under this lock. */
static pthread_mutex_t reports_lock = PTHREAD_MUTEX_INITIALIZER;

static FILE *config_out;
static SnProgressMode config_mode = SN_PROGRESS_AUTO;
static double (*config_clock)(void);

void sn_progress_configure(FILE *out, SnProgressMode mode, double (*clock)(void)) {
  config_out = out;
  config_mode = mode;
  config_clock = clock;
}

static FILE *output(void) { return config_out ? config_out : stderr; }
static double now(void) { return config_clock ? config_clock() : sn_now(); }

SnProgress *sn_progress_start(const char *label, int64_t total, const char *unit) {
  SnProgress *p = calloc(1, sizeof *p);
  if (p) {
    p->label = strdup(label ? label : "");
    p->unit = strdup(unit ? unit : "it");
  }
  if (!p || !p->label || !p->unit) {
    if (p) free(p->label), free(p->unit);
    free(p);
    sn_error_set("out of memory starting a progress report");
    return NULL;
  }
  p->total = total > 0 ? total : 0;
  p->start = p->last = now();
  pthread_mutex_lock(&reports_lock);
  p->next = open_reports;
  open_reports = p;
  pthread_mutex_unlock(&reports_lock);
  p->mode = config_mode;
  if (p->mode == SN_PROGRESS_AUTO) p->mode = isatty(fileno(output())) ? SN_PROGRESS_TTY : SN_PROGRESS_LOG;
  return p;
}

/* "1:02:03" or "02:03". */
static void clock_text(char *buf, size_t n, double s) {
  if (!(s >= 0) || s > 1e8) {
    snprintf(buf, n, "?");
    return;
  }
  long t = (long)(s + 0.5);
  if (t >= 3600) snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else snprintf(buf, n, "%02ld:%02ld", t / 60, t % 60);
}

/* The parts every form shares: count, rate, ETA and metric, after `label`. */
static int describe(const SnProgress *p, char *buf, size_t n, double t, int tty) {
  double elapsed = t - p->start, rate = elapsed > 0 ? (double)p->done / elapsed : 0;
  int k;
  if (p->total) k = snprintf(buf, n, "%lld/%lld %s", (long long)p->done, (long long)p->total, p->unit);
  else k = snprintf(buf, n, "%lld %s", (long long)p->done, p->unit);
  if (k < (int)n && rate > 0) k += snprintf(buf + k, n - (size_t)k, "%s%.3g %s/s", tty ? "  " : ", ", rate, p->unit);
  if (k < (int)n && p->total && rate > 0 && p->done < p->total) {
    char eta[32];
    clock_text(eta, sizeof eta, (double)(p->total - p->done) / rate);
    k += snprintf(buf + k, n - (size_t)k, "%sETA %s", tty ? "  " : ", ", eta);
  }
  if (k < (int)n && p->metric_name[0])
    k += snprintf(buf + k, n - (size_t)k, "%s%s=%.4g", tty ? "  " : ", ", p->metric_name, p->metric);
  return k < (int)n ? k : (int)n - 1;
}

static int terminal_width(void) {
  struct winsize ws;
  if (ioctl(fileno(output()), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 80;
}

static void draw_tty(SnProgress *p, double t) {
  char tail[SN_PROGRESS_LINE], line[SN_PROGRESS_LINE * 2];
  describe(p, tail, sizeof tail, t, 1);
  int k = snprintf(line, SN_PROGRESS_LINE, "\r%s ", p->label);
  if (k >= SN_PROGRESS_LINE) k = SN_PROGRESS_LINE - 1; /* a label too long was cut */
  if (p->total) {
    /* A width fixed by the terminal alone, so the bar does not jump as the text changes. */
    int width = (terminal_width() - (int)strlen(p->label)) / 4;
    width = width < SN_PROGRESS_BAR_MIN ? SN_PROGRESS_BAR_MIN : width > SN_PROGRESS_BAR_MAX ? SN_PROGRESS_BAR_MAX : width;
    int64_t done = p->done < p->total ? (p->done > 0 ? p->done : 0) : p->total;
    int fill = (int)(done * width / p->total);
    k += snprintf(line + k, sizeof line - (size_t)k, "%3d%% [", (int)(done * 100 / p->total));
    for (int i = 0; i < width; i++) line[k++] = i < fill ? '=' : i == fill ? '>' : ' ';
    k += snprintf(line + k, sizeof line - (size_t)k, "] ");
  }
  /* Clear to the end of the line: the previous text may have been longer. */
  snprintf(line + k, sizeof line - (size_t)k, "%s\033[K", tail);
  fputs(line, output());
  fflush(output());
  p->shown = 1;
}

static void draw_log(SnProgress *p, double t) {
  char tail[SN_PROGRESS_LINE];
  describe(p, tail, sizeof tail, t, 0);
  int64_t done = p->done < p->total ? (p->done > 0 ? p->done : 0) : p->total;
  if (p->total) fprintf(output(), "%s: %d%%, %s\n", p->label, (int)(done * 100 / p->total), tail);
  else fprintf(output(), "%s: %s\n", p->label, tail);
  fflush(output());
  p->shown = 1;
}

void sn_progress_update(SnProgress *p, int64_t done, const char *metric_name, double metric) {
  if (!p) return;
  p->done = done;
  if (metric_name) {
    snprintf(p->metric_name, sizeof p->metric_name, "%s", metric_name);
    p->metric = metric;
  }
  if (p->mode == SN_PROGRESS_OFF) return;
  double t = now();
  if (t - p->start < SN_PROGRESS_DELAY) return;
  if (p->mode == SN_PROGRESS_TTY && (!p->shown || t - p->last >= SN_PROGRESS_REDRAW)) {
    draw_tty(p, t);
    p->last = t;
  } else if (p->mode == SN_PROGRESS_LOG && t - p->last >= SN_PROGRESS_LOG_EVERY) {
    draw_log(p, t);
    p->last = t;
  }
}

static void release(SnProgress *p) {
  pthread_mutex_lock(&reports_lock);
  for (SnProgress **q = &open_reports; *q; q = &(*q)->next)
    if (*q == p) {
      *q = p->next;
      break;
    }
  pthread_mutex_unlock(&reports_lock);
  free(p->label);
  free(p->unit);
  free(p);
}

void sn_progress_abandon_all(void) {
  for (;;) {
    pthread_mutex_lock(&reports_lock);
    SnProgress *p = open_reports;
    pthread_mutex_unlock(&reports_lock);
    if (!p) break;
    if (p->shown && p->mode == SN_PROGRESS_TTY) {
      fputc('\n', output());
      fflush(output());
    }
    release(p);
  }
}

void sn_progress_finish(SnProgress *p) {
  if (!p) return;
  double t = now();
  /* A loop that showed nothing, being short, ends silently too. */
  if (p->mode == SN_PROGRESS_TTY && (p->shown || t - p->start >= SN_PROGRESS_DELAY)) {
    draw_tty(p, t);
    fputc('\n', output());
    fflush(output());
  } else if (p->mode == SN_PROGRESS_LOG && (p->shown || t - p->start >= SN_PROGRESS_LOG_EVERY)) {
    char tail[SN_PROGRESS_LINE], el[32];
    describe(p, tail, sizeof tail, t, 0);
    clock_text(el, sizeof el, t - p->start);
    fprintf(output(), "%s: done in %s, %s\n", p->label, el, tail);
    fflush(output());
  }
  release(p);
}
