/* Internal: line charts of the pages, as inline SVG (no script): series
 * overlaid on shared axes, with a grid, tick labels, axis labels, a note
 * line and a legend, all inside the one <svg> so that a screenshot or a
 * print of the chart alone still says what it shows. Series are styled by
 * util/palette.h. */
#ifndef MLOPS_UTIL_CHART_H
#define MLOPS_UTIL_CHART_H

#include <stddef.h>

#include "util/buf.h"

/* One line: n points in x order, every coordinate finite. */
typedef struct mlops__chart_series {
    const char *label; /* legend text, UTF-8 (escaped, cut to fit) */
    const double *x, *y;
    size_t n;
    size_t style; /* palette index: colour and dash */
} mlops__chart_series;

typedef struct mlops__chart {
    const char *title;   /* the chart's accessible name (<title>), UTF-8 */
    const char *x_label; /* axis labels, with their units, UTF-8 */
    const char *y_label;
    const char *note;    /* one line under the axes, or NULL */
    int x_integer;       /* x ticks only at whole numbers (steps) */
    const mlops__chart_series *series;
    size_t n_series;
} mlops__chart;

/* Appends the chart as one <svg> element. The axes span every point of
 * every series, rounded out to tick values (a flat or empty range gets a
 * margin); a series of one point is drawn as a dot. */
void mlops__chart_lines(mlops__buf *b, const mlops__chart *c);

/* Ticks for [lo, hi] (finite): the step, the least 1, 2 or 5 times a
 * power of ten that makes at most `target` intervals of the range, and
 * the range rounded out to it (so up to target + 1 intervals). integer:
 * the step is at least 1. */
double mlops__chart_ticks(double *lo, double *hi, int target, int integer);

#endif
