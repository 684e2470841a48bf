/* Line charts as inline SVG (chart.h). */
#include "util/chart.h"

#include "util/html.h"
#include "util/palette.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Geometry, in SVG user units (the page scales the whole). */
#define W        640.0
#define LEFT     66.0  /* y tick labels and the y axis label */
#define RIGHT    18.0
#define TOP      14.0
#define PLOT_H   250.0
#define LEGEND_COLS 3
#define LEGEND_ROW  18.0
#define LEGEND_CHARS 26 /* code points of a label */

double mlops__chart_ticks(double *lo, double *hi, int target, int integer)
{
    if (*lo == *hi) { /* a flat line: a margin around it */
        double pad = *lo != 0.0 ? fabs(*lo) * 0.1 : 1.0;
        if (integer && pad < 1.0) pad = 1.0;
        *lo -= pad;
        *hi += pad;
    }
    double span = *hi - *lo;
    if (!isfinite(span) || !(span > 0.0)) return 0.0; /* beyond doubles: the ends only */
    /* The smallest nice step at least span / target: at most `target`
     * intervals, so that wide labels (200000) never run into each other. */
    double raw = span / target, mag = pow(10.0, floor(log10(raw))), norm = raw / mag;
    double step = (norm <= 1.0 ? 1.0 : norm <= 2.0 ? 2.0 : norm <= 5.0 ? 5.0 : 10.0) * mag;
    if (integer && step < 1.0) step = 1.0;
    double l = floor(*lo / step) * step, h = ceil(*hi / step) * step;
    if (!isfinite(l) || !isfinite(h)) return 0.0;
    *lo = l;
    *hi = h;
    return step;
}

/* Where v falls between lo and hi, 0..1, without overflowing for ranges
 * as wide as doubles go. */
static double frac(double v, double lo, double hi)
{
    double d = hi * 0.5 - lo * 0.5;
    return d > 0.0 ? (v * 0.5 - lo * 0.5) / d : 0.5;
}

static void text_at(mlops__buf *b, double x, double y, const char *anchor, const char *extra)
{
    mlops__buf_add(b, "<text");
    mlops__html_attr_num(b, "x", x);
    mlops__html_attr_num(b, "y", y);
    mlops__buf_add(b, " text-anchor=\"");
    mlops__buf_add(b, anchor);
    mlops__buf_add(b, "\"");
    if (extra) mlops__buf_add(b, extra);
    mlops__buf_add(b, ">");
}

static void line(mlops__buf *b, double x1, double y1, double x2, double y2, const char *stroke)
{
    mlops__buf_add(b, "<line");
    mlops__html_attr_num(b, "x1", x1);
    mlops__html_attr_num(b, "y1", y1);
    mlops__html_attr_num(b, "x2", x2);
    mlops__html_attr_num(b, "y2", y2);
    mlops__buf_add(b, " stroke=\"");
    mlops__buf_add(b, stroke);
    mlops__buf_add(b, "\"/>");
}

static void stroke_style(mlops__buf *b, size_t style, const char *width)
{
    mlops__buf_add(b, " fill=\"none\" stroke=\"");
    mlops__buf_add(b, mlops__palette_colour(style));
    mlops__buf_add(b, "\" stroke-width=\"");
    mlops__buf_add(b, width);
    mlops__buf_add(b, "\" stroke-linejoin=\"round\"");
    const char *dash = mlops__palette_dash(style);
    if (*dash) {
        mlops__buf_add(b, " stroke-dasharray=\"");
        mlops__buf_add(b, dash);
        mlops__buf_add(b, "\"");
    }
}

/* The tick values of one axis, each passed to draw. */
typedef void (*tick_fn)(mlops__buf *b, double v, double at, double lo, double hi);

static void each_tick(mlops__buf *b, double lo, double hi, double step, tick_fn draw)
{
    if (!(step > 0.0)) {
        draw(b, lo, 0.0, lo, hi);
        draw(b, hi, 1.0, lo, hi);
        return;
    }
    for (int k = 0; k <= 40; k++) { /* ticks_for aims at 5 or 6 intervals; 40 is a guard */
        double v = lo + step * k;
        if (v > hi + step * 1e-9) break;
        if (fabs(v) < step * 1e-9) v = 0.0; /* 0, not 1e-17 */
        draw(b, v, frac(v, lo, hi), lo, hi);
    }
}

static void y_tick(mlops__buf *b, double v, double at, double lo, double hi)
{
    (void)lo;
    (void)hi;
    double y = TOP + PLOT_H * (1.0 - at);
    line(b, LEFT, y, W - RIGHT, y, at == 0.0 ? "#9aa3ae" : "#e6e9ee");
    text_at(b, LEFT - 6.0, y + 4.0, "end", NULL);
    mlops__html_tick(b, v);
    mlops__buf_add(b, "</text>");
}

static void x_tick(mlops__buf *b, double v, double at, double lo, double hi)
{
    (void)lo;
    (void)hi;
    double x = LEFT + (W - LEFT - RIGHT) * at;
    line(b, x, TOP + PLOT_H, x, TOP + PLOT_H + 4.0, "#9aa3ae");
    text_at(b, x, TOP + PLOT_H + 17.0, at == 0.0 ? "start" : at == 1.0 ? "end" : "middle", NULL);
    mlops__html_tick(b, v);
    mlops__buf_add(b, "</text>");
}

/* One series as a path (or a dot); points that round to the same
 * coordinates as the one before are left out. */
static void series_path(mlops__buf *b, const mlops__chart_series *s, double xlo, double xhi,
                        double ylo, double yhi)
{
    double pw = W - LEFT - RIGHT;
    if (s->n == 1) {
        mlops__buf_add(b, "<circle");
        mlops__html_attr_num(b, "cx", LEFT + pw * frac(s->x[0], xlo, xhi));
        mlops__html_attr_num(b, "cy", TOP + PLOT_H * (1.0 - frac(s->y[0], ylo, yhi)));
        mlops__buf_add(b, " r=\"3\" fill=\"");
        mlops__buf_add(b, mlops__palette_colour(s->style));
        mlops__buf_add(b, "\"/>");
        return;
    }
    mlops__buf_add(b, "<path");
    stroke_style(b, s->style, "1.6");
    mlops__buf_add(b, " d=\"M");
    char prev[64] = "", cur[64];
    for (size_t i = 0; i < s->n; i++) {
        double x = LEFT + pw * frac(s->x[i], xlo, xhi);
        double y = TOP + PLOT_H * (1.0 - frac(s->y[i], ylo, yhi));
        /* "M x y x y ...": pairs after a moveto are lines (SVG 1.1, 8.3.2). */
        snprintf(cur, sizeof cur, "%.1f %.1f", x, y);
        for (char *p = cur; *p; p++)
            if (*p == ',') *p = '.';
        if (i && strcmp(cur, prev) == 0) continue;
        if (i) mlops__buf_add(b, " ");
        mlops__buf_add(b, cur);
        memcpy(prev, cur, sizeof cur);
    }
    mlops__buf_add(b, "\"/>");
}

/* The extras' look: a threshold in vermillion, dashed; alert spans in a
 * pale orange; the two rows of marks in sky blue and reddish purple, each
 * at its own height so that they differ without colour too. */
#define REF_COLOUR  "#D55E00"
#define REF_DASH    "6 4"
#define BAND_COLOUR "#E69F00"
#define BAND_ALPHA  "0.22"
#define MARK_H      6.0
static const char *const mark_colour[2] = { "#56B4E9", "#CC79A7" };

static void rect(mlops__buf *b, double x, double y, double w, double h, const char *fill,
                 const char *opacity)
{
    mlops__buf_add(b, "<rect");
    mlops__html_attr_num(b, "x", x);
    mlops__html_attr_num(b, "y", y);
    mlops__html_attr_num(b, "width", w);
    mlops__html_attr_num(b, "height", h);
    mlops__buf_add(b, " fill=\"");
    mlops__buf_add(b, fill);
    mlops__buf_add(b, "\"");
    if (opacity) {
        mlops__buf_add(b, " fill-opacity=\"");
        mlops__buf_add(b, opacity);
        mlops__buf_add(b, "\"");
    }
    mlops__buf_add(b, "/>");
}

/* Spans (in x order) as rectangles from y to y + h, at least one unit
 * wide; spans that touch once drawn become one rectangle. */
static void spans(mlops__buf *b, const mlops__chart_span *sp, size_t n, double xlo, double xhi,
                  double y, double h, const char *fill, const char *opacity)
{
    double pw = W - LEFT - RIGHT, cur0 = 0.0, cur1 = -1.0;
    for (size_t i = 0; i <= n; i++) {
        double a = 0.0, z = 0.0;
        if (i < n) {
            a = LEFT + pw * frac(sp[i].x0, xlo, xhi);
            z = LEFT + pw * frac(sp[i].x1, xlo, xhi);
            if (z < a + 1.0) z = a + 1.0;
            if (cur1 >= cur0 && a <= cur1 + 0.5) { /* touches the one being built */
                if (z > cur1) cur1 = z;
                continue;
            }
        }
        if (cur1 >= cur0) rect(b, cur0, y, cur1 - cur0, h, fill, opacity);
        cur0 = a;
        cur1 = z;
    }
}

static void range_of_spans(const mlops__chart_span *sp, size_t n, double *lo, double *hi)
{
    for (size_t i = 0; i < n; i++) {
        *lo = fmin(*lo, sp[i].x0);
        *hi = fmax(*hi, sp[i].x1);
    }
}

/* One legend entry: a sample (drawn by the caller at x, y) and its text. */
static void legend_text(mlops__buf *b, double x, double y, const char *label)
{
    text_at(b, x + 34.0, y, "start", NULL);
    mlops__html_esc_trunc(b, label, LEGEND_CHARS);
    mlops__buf_add(b, "</text>");
}

void mlops__chart_lines(mlops__buf *b, const mlops__chart *c)
{
    mlops__chart_lines_ex(b, c, NULL);
}

void mlops__chart_lines_ex(mlops__buf *b, const mlops__chart *c, const mlops__chart_extra *e)
{
    static const mlops__chart_extra none = { 0 };
    if (!e) e = &none;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (size_t k = 0; k < c->n_series; k++) {
        const mlops__chart_series *s = &c->series[k];
        for (size_t i = 0; i < s->n; i++) {
            xlo = fmin(xlo, s->x[i]);
            xhi = fmax(xhi, s->x[i]);
            ylo = fmin(ylo, s->y[i]);
            yhi = fmax(yhi, s->y[i]);
        }
    }
    range_of_spans(e->bands, e->n_bands, &xlo, &xhi);
    for (int r = 0; r < 2; r++) range_of_spans(e->marks[r], e->n_marks[r], &xlo, &xhi);
    if (e->has_ref) {
        ylo = fmin(ylo, e->ref_y);
        yhi = fmax(yhi, e->ref_y);
    }
    if (e->y_from_zero) {
        ylo = fmin(ylo, 0.0);
        yhi = fmax(yhi, 0.0);
    }
    if (xlo > xhi) xlo = xhi = 0.0; /* nothing to draw: empty axes */
    if (ylo > yhi) ylo = yhi = 0.0;
    double xstep = mlops__chart_ticks(&xlo, &xhi, 5, c->x_integer);
    double ystep = mlops__chart_ticks(&ylo, &yhi, 5, 0);

    /* The legend: the series, then what the extras draw. */
    enum { REF, BAND, MARK0, MARK1 };
    const char *extra_label[4];
    int extra_kind[4];
    size_t n_extra = 0;
    if (e->has_ref) extra_kind[n_extra] = REF, extra_label[n_extra++] = e->ref_label;
    if (e->n_bands) extra_kind[n_extra] = BAND, extra_label[n_extra++] = e->band_label;
    for (int r = 0; r < 2; r++)
        if (e->n_marks[r]) extra_kind[n_extra] = MARK0 + r, extra_label[n_extra++] = e->mark_label[r];
    size_t entries = c->n_series + n_extra;
    size_t rows = (entries + LEGEND_COLS - 1) / LEGEND_COLS;
    double bottom = TOP + PLOT_H, below = bottom + 38.0;
    double note_y = below + 14.0, legend_y = (c->note ? note_y : below) + 22.0;
    double height = legend_y + LEGEND_ROW * (double)rows;

    mlops__buf_add(b, "<svg viewBox=\"0 0 640 ");
    mlops__html_coord(b, height);
    mlops__buf_add(b, "\" role=\"img\" aria-label=\"");
    mlops__html_esc(b, c->title);
    mlops__buf_add(b, "\"><title>");
    mlops__html_esc(b, c->title);
    mlops__buf_add(b, "</title>");
    each_tick(b, ylo, yhi, ystep, y_tick);
    each_tick(b, xlo, xhi, xstep, x_tick);
    if (e->n_bands) spans(b, e->bands, e->n_bands, xlo, xhi, TOP, PLOT_H, BAND_COLOUR, BAND_ALPHA);
    for (int r = 0; r < 2; r++)
        if (e->n_marks[r])
            spans(b, e->marks[r], e->n_marks[r], xlo, xhi, bottom - MARK_H * (r + 1) - 1.0 * r,
                  MARK_H, mark_colour[r], NULL);
    line(b, LEFT, TOP, LEFT, bottom, "#9aa3ae");
    /* Axis labels: x under the ticks, y turned along the axis. */
    text_at(b, LEFT + (W - LEFT - RIGHT) / 2.0, bottom + 34.0, "middle",
            " class=\"axis\" style=\"font-weight:600\"");
    mlops__html_esc(b, c->x_label);
    mlops__buf_add(b, "</text>");
    double ymid = TOP + PLOT_H / 2.0;
    mlops__buf_add(b, "<text x=\"14\"");
    mlops__html_attr_num(b, "y", ymid);
    mlops__buf_add(b, " text-anchor=\"middle\" class=\"axis\" style=\"font-weight:600\" "
                      "transform=\"rotate(-90 14 ");
    mlops__html_coord(b, ymid);
    mlops__buf_add(b, ")\">");
    mlops__html_esc_trunc(b, c->y_label, 48);
    mlops__buf_add(b, "</text>");
    for (size_t k = 0; k < c->n_series; k++)
        if (c->series[k].n) series_path(b, &c->series[k], xlo, xhi, ylo, yhi);
    if (e->has_ref) {
        double y = TOP + PLOT_H * (1.0 - frac(e->ref_y, ylo, yhi));
        mlops__buf_add(b, "<path fill=\"none\" stroke=\"" REF_COLOUR "\" stroke-width=\"1.4\" "
                          "stroke-dasharray=\"" REF_DASH "\" d=\"M");
        mlops__html_coord(b, LEFT);
        mlops__buf_add(b, " ");
        mlops__html_coord(b, y);
        mlops__buf_add(b, "H");
        mlops__html_coord(b, W - RIGHT);
        mlops__buf_add(b, "\"/>");
    }
    if (c->note) {
        text_at(b, LEFT, note_y, "start", " class=\"note\" style=\"font-style:italic\"");
        mlops__html_esc(b, c->note);
        mlops__buf_add(b, "</text>");
    }
    double colw = (W - LEFT - RIGHT) / LEGEND_COLS;
    for (size_t k = 0; k < entries; k++) {
        double x = LEFT + colw * (double)(k % LEGEND_COLS);
        double y = legend_y + LEGEND_ROW * (double)(k / LEGEND_COLS);
        if (k < c->n_series) {
            mlops__buf_add(b, "<path");
            stroke_style(b, c->series[k].style, "2.4");
            mlops__buf_add(b, " d=\"M");
            mlops__html_coord(b, x);
            mlops__buf_add(b, " ");
            mlops__html_coord(b, y - 4.0);
            mlops__buf_add(b, "h28\"/>");
            legend_text(b, x, y, c->series[k].label);
            continue;
        }
        const char *label = extra_label[k - c->n_series];
        int kind = extra_kind[k - c->n_series];
        if (kind == REF) {
            mlops__buf_add(b, "<path fill=\"none\" stroke=\"" REF_COLOUR "\" stroke-width=\"2\" "
                              "stroke-dasharray=\"" REF_DASH "\" d=\"M");
            mlops__html_coord(b, x);
            mlops__buf_add(b, " ");
            mlops__html_coord(b, y - 4.0);
            mlops__buf_add(b, "h28\"/>");
        } else if (kind == BAND) {
            rect(b, x, y - 10.0, 28.0, 12.0, BAND_COLOUR, BAND_ALPHA);
        } else {
            rect(b, x, y - 4.0 - MARK_H / 2.0, 28.0, MARK_H, mark_colour[kind - MARK0], NULL);
        }
        legend_text(b, x, y, label ? label : "");
    }
    mlops__buf_add(b, "</svg>");
}
