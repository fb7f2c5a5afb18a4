/* sinter/plot.h: pictures as PNG files (runtime/plot, through PLplot's cairo driver): lines such
 * as loss and accuracy curves, scatters of 2-D points, and 2-D histograms (densities).
 *
 * Each function checks its data first (shapes, finite values, positive values on a log axis),
 * then draws into a temporary file in the target's directory and renames it over the target, so
 * a reader never sees half a picture; it refuses a path the program read as an input. Failures,
 * PLplot's own included, are returned as a status with a message; nothing is printed and the
 * process never exits. Pictures are drawn one at a time (PLplot keeps global state). */
#ifndef SINTER_PLOT_H
#define SINTER_PLOT_H

#include "sinter/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What every picture takes; a zeroed struct gives an untitled 800 x 600 picture. */
typedef struct SnPlotStyle {
  const char *title, *xlabel, *ylabel; /* NULL or "" for none */
  int32_t width, height;               /* pixels; 0 for 800 x 600 */
  int32_t logy;                        /* lines: a logarithmic y axis (every y must be positive) */
} SnPlotStyle;

/* k series against x: y is [k, n] (or [n], one series), x is [n] (NULL: 0, 1, ..., n - 1);
 * labels (NULL, or k names) make a legend. Float or integer tensors of any layout. */
SnStatus sn_plot_lines(const char *path, const SnTensor *y, const SnTensor *x, const char *const *labels,
                       const SnPlotStyle *style);
/* Points p [n, 2] and, in a second colour, q [m, 2] (NULL for none); labels (NULL, or one name
 * per set given) make a legend. */
SnStatus sn_plot_scatter(const char *path, const SnTensor *p, const SnTensor *q, const char *const *labels,
                         const SnPlotStyle *style);
/* A 2-D histogram of points p [n, 2] over bins x bins cells spanning their range, drawn as a heat
 * map (cells without points in the darkest colour). */
SnStatus sn_plot_density(const char *path, const SnTensor *p, int64_t bins, const SnPlotStyle *style);

#ifdef __cplusplus
}
#endif
#endif
