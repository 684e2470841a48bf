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

/* A span of x shaded behind the lines (a monitor's alert), or a run of x
 * marked in a strip at the foot of the plot (its windows without data). */
typedef struct mlops__chart_span {
    double x0, x1;
} mlops__chart_span;

/* What a time-series chart adds to the lines, all inside the same <svg>
 * and named in its legend: a horizontal reference line (a threshold),
 * shaded spans, and up to two rows of marks. Spans and marks closer than
 * a drawn unit are merged, so their size is bounded by the chart's width,
 * not by how many there are. Labels are UTF-8 (escaped). */
typedef struct mlops__chart_extra {
    int has_ref;              /* draw the line y = ref_y (the y range includes it) */
    double ref_y;
    const char *ref_label;
    int y_from_zero;          /* the y range includes 0 */
    const mlops__chart_span *bands;
    size_t n_bands;
    const char *band_label;
    const mlops__chart_span *marks[2];
    size_t n_marks[2];
    const char *mark_label[2];
} mlops__chart_extra;

/* Appends the chart as one <svg> element. The axes span every point of
 * every series, rounded out to tick values (a flat or empty range gets a
 * margin); a series of one point is drawn as a dot. */
void mlops__chart_lines(mlops__buf *b, const mlops__chart *c);

/* The same with extra (NULL: none) drawn too. */
void mlops__chart_lines_ex(mlops__buf *b, const mlops__chart *c, const mlops__chart_extra *extra);

/* Ticks for [lo, hi] (finite): the step, the least 1, 2 or 5 times a
 * power of ten that makes at most `target` intervals of the range, and
 * the range rounded out to it (so up to target + 1 intervals). integer:
 * the step is at least 1. */
double mlops__chart_ticks(double *lo, double *hi, int target, int integer);

#endif
