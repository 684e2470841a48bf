/* Internal: the monitor page (mlops_monitor_page_html). Loading
 * (page_load.c) reads the monitor through the public API only: its spec
 * and status, the series of the page's range, every alert event and the
 * kind of each column's reference (to name the test AUTO picks). The
 * page (page_html.c) writes the spec, the state and the events; the
 * charts with their tables beside them are in page_charts.c. */
#ifndef MLOPS_MONITOR_PAGE_H
#define MLOPS_MONITOR_PAGE_H

#include "mlops/monitor.h"
#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mlops__monitor_page {
    mlops_monitor *m;
    mlops_monitor_spec spec;       /* borrows from m */
    mlops_monitor_status st;
    mlops_monitor_series *sr;
    mlops_monitor_window *w;       /* the series' windows, in order */
    size_t n;
    mlops_monitor_event *ev;       /* every event of the monitor, in seq order */
    size_t n_ev;
    int *method;                   /* per column: the method judged (AUTO
                                      resolved by the reference's kind; AUTO
                                      when the reference cannot be read) */
    double *threshold;             /* per column: what drift is judged against
                                      (alpha for p-values, else the distance) */
    int64_t t0;                    /* the time axis's origin: the first window */
    double per_ms;                 /* ms per unit of the time axis */
    const char *unit;              /* "s", "min", "h" or "d" */
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

/* The charts with a table beside each: the share of drifted columns, the
 * rows per window, and one per column. */
int mlops__monitor_page_charts(mlops__buf *b, const mlops__monitor_page *p);

#endif
