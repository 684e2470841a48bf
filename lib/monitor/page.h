/* Internal: the monitor page (mlops_monitor_page_html). Loading
 * (page_load.c) reads the monitor through the public API only: its spec,
 * its ext settings (task, columns, performance condition) and status,
 * the series of the page's range with each window's performance, every
 * alert event and the kind of each column's reference (to name the test
 * AUTO picks). The page (page_html.c) writes the spec, the state and the
 * events; the drift charts with their tables beside them are in
 * page_charts.c, which also draws for page_perf.c, the performance over
 * time. */
#ifndef MLOPS_MONITOR_PAGE_H
#define MLOPS_MONITOR_PAGE_H

#include "mlops/monitor.h"
#include "util/buf.h"
#include "util/chart.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mlops__monitor_page {
    mlops_monitor *m;
    mlops_monitor_spec spec;       /* borrows from m */
    mlops_monitor_ext ext;         /* borrows from m */
    int by_rows;                   /* row windows: "times" count rows */
    mlops_monitor_status st;
    mlops_monitor_series *sr;
    mlops_monitor_window *w;       /* the series' windows, in order */
    size_t n;
    mlops_monitor_performance *perf; /* per window, with a task; else NULL */
    mlops_monitor_event *ev;       /* every event of the monitor, in seq order */
    size_t n_ev;
    int *method;                   /* per column: the method judged (AUTO
                                      resolved by the reference's kind; AUTO
                                      when the reference cannot be read) */
    double *threshold;             /* per column: what drift is judged against
                                      (alpha for p-values, else the distance) */
    int64_t t0;                    /* the time axis's origin: the first window
                                      (row windows: row 0) */
    double per_ms;                 /* ms (or rows) per unit of the x axis */
    const char *unit;              /* "s", "min", "h", "d" or "rows" */
    size_t max_points;
} mlops__monitor_page;

int mlops__monitor_page_load(mlops_store *s, const char *fn, const char *name, int64_t from_ms,
                             int64_t to_ms, mlops__monitor_page *p);
void mlops__monitor_page_clear(mlops__monitor_page *p);

/* Whether column j is judged on a p-value (KS, chi-square). */
int mlops__monitor_page_p_method(const mlops__monitor_page *p, size_t j);

/* The name of a method as the page writes it ("KS", "PSI"...; AUTO:
 * "KS or chi-square"). */
const char *mlops__monitor_page_method_name(int method);

/* A window time (ms) on the page's time axis. */
double mlops__monitor_page_x(const mlops__monitor_page *p, int64_t ms);

/* A window bound (ms, or a row number for row windows) as the page
 * writes it: "2026-01-01 00:00:00 UTC" or "row 1 000". */
void mlops__monitor_page_when(mlops__buf *b, const mlops__monitor_page *p, int64_t at);

/* ---- Charts (page_charts.c) ---------------------------------------------------- */

/* What every chart of the page shares: the x of each window, the alert
 * spans, the marks, the scratch for a curve and how the tables group
 * windows. */
typedef struct mlops__monitor_charts {
    const mlops__monitor_page *p;
    double *x;                    /* per window: its middle on the x axis */
    double *fx, *fy;              /* a curve's finite points */
    double *dx, *dy;              /* the points drawn */
    size_t *idx;
    mlops__chart_span *bands, *ned, *late;
    size_t n_bands, n_ned, n_late;
    char x_label[160];
    size_t group;                 /* windows per table row */
} mlops__monitor_charts;

/* The charts with a table beside each: the share of drifted columns, the
 * rows per window, one per column, then the performance over time
 * (page_perf.c). */
int mlops__monitor_page_charts(mlops__buf *b, const mlops__monitor_page *p);

/* One chart of y (per window; NaN: not drawn) in its card's figure; the
 * note says how many of the windows `which` ("judged", "labelled") are
 * drawn. e's marks are the not-enough-data and late windows unless the
 * caller set e->mark_label[0]. */
void mlops__monitor_charts_draw(mlops__buf *b, mlops__monitor_charts *c, const double *y,
                                const char *title, const char *y_label, const char *legend,
                                const char *which, const char *note_extra, mlops__chart_extra *e);

/* The table beside a chart: its caption (`what`, and how windows are
 * grouped) and head cells after the first; a row's head (the first
 * window of its group); cells; the end. */
void mlops__monitor_table_begin(mlops__buf *b, const mlops__monitor_charts *c, const char *what,
                                const char *heads);
void mlops__monitor_table_row_head(mlops__buf *b, const mlops__monitor_charts *c, size_t i0);
void mlops__monitor_table_num(mlops__buf *b, double v);
void mlops__monitor_table_count(mlops__buf *b, uint64_t v);
void mlops__monitor_table_state(mlops__buf *b, int state);
void mlops__monitor_table_end(mlops__buf *b);

/* ---- Performance over time (page_perf.c) ------------------------------------- */

/* The section: one chart per metric of the monitor's task, with a table
 * beside each; or why there is none. c is NULL when the page has no
 * window; y is scratch of p->n values. */
int mlops__monitor_page_performance(mlops__buf *b, const mlops__monitor_page *p,
                                    mlops__monitor_charts *c, double *y);

#endif
