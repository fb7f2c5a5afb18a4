/* test_progress.c: progress reports on a fake clock, captured from a temporary file: the
 * terminal bar, the log lines, silence for short loops and in quiet mode. */
#include "rt_test.h"

static double fake_now;
static double fake_clock(void) { return fake_now; }

/* Everything written to f so far, as a string (static buffer). */
static const char *contents(FILE *f) {
  static char buf[8192];
  fflush(f);
  long n = ftell(f);
  rewind(f);
  size_t got = fread(buf, 1, n < (long)sizeof buf - 1 ? (size_t)n : sizeof buf - 1, f);
  buf[got] = 0;
  fseek(f, 0, SEEK_END);
  return buf;
}

/* A loop of 100 steps, one every `step` seconds, with a loss. */
static FILE *run_loop(SnProgressMode mode, double step, int64_t total) {
  FILE *f = tmpfile();
  sn_progress_configure(f, mode, fake_clock);
  fake_now = 1000;
  SnProgress *p = sn_progress_start("train", total, "steps");
  for (int i = 1; i <= 100; i++) {
    fake_now += step;
    sn_progress_update(p, i, "loss", 1.0 / i);
  }
  sn_progress_finish(p);
  return f;
}

TEST(terminal_bar) {
  FILE *f = run_loop(SN_PROGRESS_TTY, 0.05, 100);
  const char *out = contents(f);
  /* The final redraw: 100%, a full bar (18 wide: an 80-column default less the label, over
   * 4), the count, rate 20 steps/s and the last loss. */
  CHECK_HAS(out, "\rtrain 100% [==================] 100/100 steps");
  CHECK_HAS(out, "] 100/100 steps  20 steps/s  loss=0.01\033[K\n");
  /* Earlier redraws show progress and an ETA: at step 50, 50 steps left at 20/s. */
  CHECK_HAS(out, "\rtrain  50% [=========>        ] 50/100 steps  20 steps/s  ETA 00:02  loss=0.02\033[K");
  /* Redraws are throttled: 5 s of loop at most one per 0.1 s. */
  int draws = 0;
  for (const char *s = out; (s = strchr(s, '\r')); s++) draws++;
  CHECK(draws > 10 && draws <= 52);
  fclose(f);
}

TEST(log_lines) {
  FILE *f = run_loop(SN_PROGRESS_LOG, 0.2, 100);
  const char *out = contents(f);
  /* 20 s of loop: a line at 5, 10, 15 and 20 s, then the summary. */
  CHECK_HAS(out, "train: 25%, 25/100 steps, 5 steps/s, ETA 00:15, loss=0.04\n");
  CHECK_HAS(out, "train: 50%, 50/100 steps, 5 steps/s, ETA 00:10, loss=0.02\n");
  CHECK_HAS(out, "train: done in 00:20, 100/100 steps, 5 steps/s, loss=0.01\n");
  CHECK(strchr(out, '\r') == NULL && strchr(out, '\033') == NULL);
  fclose(f);
}

TEST(unknown_total) {
  FILE *f = run_loop(SN_PROGRESS_TTY, 0.05, 0);
  const char *out = contents(f);
  CHECK_HAS(out, "\rtrain 100 steps  20 steps/s  loss=0.01\033[K\n");
  CHECK(strstr(out, "ETA") == NULL && strchr(out, '%') == NULL);
  fclose(f);
}

TEST(short_loops_and_quiet_are_silent) {
  FILE *f = run_loop(SN_PROGRESS_TTY, 0.001, 100);
  CHECK_STR(contents(f), "");
  fclose(f);
  f = run_loop(SN_PROGRESS_LOG, 0.04, 100);
  CHECK_STR(contents(f), "");
  fclose(f);
  f = run_loop(SN_PROGRESS_OFF, 1.0, 100);
  CHECK_STR(contents(f), "");
  fclose(f);
}

/* AUTO picks the log form for a file, as for stderr redirected to a log. */
TEST(auto_mode_on_a_file) {
  FILE *f = run_loop(SN_PROGRESS_AUTO, 0.2, 100);
  const char *out = contents(f);
  CHECK_HAS(out, "train: done in 00:20");
  CHECK(strchr(out, '\r') == NULL);
  fclose(f);
  sn_progress_configure(NULL, SN_PROGRESS_AUTO, NULL);
}

TEST(null_is_harmless) {
  sn_progress_update(NULL, 1, NULL, 0);
  sn_progress_finish(NULL);
  CHECK(1);
}
