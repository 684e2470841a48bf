/* Loading the monitor page (page.h) through the public API only; and how
 * it writes a window bound. */
#include "monitor/page.h"
#include "util/err.h"
#include "util/html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlops__monitor_page_clear(mlops__monitor_page *p)
{
    mlops_monitor_series_free(p->sr);
    mlops_monitor_free(p->m);
    free(p->w);
    free(p->perf);
    mlops_free(p->ev);
    free(p->method);
    free(p->threshold);
    memset(p, 0, sizeof *p);
}

int mlops__monitor_page_p_method(const mlops__monitor_page *p, size_t j)
{
    int m = p->method[j];
    return m == MLOPS_DRIFT_METHOD_AUTO || m == MLOPS_DRIFT_METHOD_KS || m == MLOPS_DRIFT_METHOD_CHISQ;
}

const char *mlops__monitor_page_method_name(int m)
{
    switch (m) {
    case MLOPS_DRIFT_METHOD_KS: return "KS";
    case MLOPS_DRIFT_METHOD_CHISQ: return "chi-square";
    case MLOPS_DRIFT_METHOD_PSI: return "PSI";
    case MLOPS_DRIFT_METHOD_JENSEN_SHANNON: return "Jensen-Shannon";
    case MLOPS_DRIFT_METHOD_KL: return "KL";
    case MLOPS_DRIFT_METHOD_HELLINGER: return "Hellinger";
    default: return "KS or chi-square";
    }
}

double mlops__monitor_page_x(const mlops__monitor_page *p, int64_t ms)
{
    return (double)(ms - p->t0) / p->per_ms;
}

void mlops__monitor_page_when(mlops__buf *b, const mlops__monitor_page *p, int64_t at)
{
    if (!p->by_rows) {
        mlops__html_utc(b, at);
        return;
    }
    mlops__buf_add(b, "row ");
    mlops__html_count(b, (uint64_t)(at < 0 ? 0 : at));
}

/* Every event, a page of the largest size at a time. */
static int load_events(mlops_store *s, const char *name, mlops__monitor_page *p)
{
    mlops_monitor_events_opts o = MLOPS_MONITOR_EVENTS_OPTS_INIT;
    o.limit = 100000;
    for (;;) {
        mlops_monitor_event *page = NULL;
        size_t n = 0;
        int rc = mlops_monitor_events(s, name, &o, &page, &n);
        if (rc) return rc;
        if (n) {
            mlops_monitor_event *all = realloc(p->ev, (p->n_ev + n) * sizeof *all);
            if (!all) {
                mlops_free(page);
                return mlops__err_nomem("reading a monitor's events");
            }
            memcpy(all + p->n_ev, page, n * sizeof *all);
            p->ev = all;
            p->n_ev += n;
            o.after_seq = page[n - 1].seq;
        }
        mlops_free(page);
        if (n < o.limit) return MLOPS_OK;
    }
}

/* The method each column is judged by, and its threshold, as the
 * monitor's judge reads them (monitor.h, mlops_monitor_column). */
static int load_methods(mlops_store *s, mlops__monitor_page *p)
{
    size_t nc = p->spec.n_columns;
    p->method = calloc(nc ? nc : 1, sizeof *p->method);
    p->threshold = calloc(nc ? nc : 1, sizeof *p->threshold);
    if (!p->method || !p->threshold) return mlops__err_nomem("reading a monitor's columns");
    for (size_t j = 0; j < nc; j++) {
        const mlops_monitor_column *c = &p->spec.columns[j];
        int m = c->method;
        if (m == MLOPS_DRIFT_METHOD_AUTO) {
            mlops_profile *ref = NULL;
            int rc = mlops_profile_get(s, &c->reference, &ref);
            if (rc == MLOPS_ENOMEM) return rc;
            /* A reference that cannot be read leaves AUTO: the page then
             * says "KS or chi-square", which are judged alike. */
            if (!rc) m = mlops_profile_kind(ref) == MLOPS_PROFILE_NUMERIC ? MLOPS_DRIFT_METHOD_KS
                                                                          : MLOPS_DRIFT_METHOD_CHISQ;
            mlops_profile_free(ref);
        }
        p->method[j] = m;
        if (mlops__monitor_page_p_method(p, j))
            p->threshold[j] = !isnan(c->threshold) && c->threshold < 1.0 ? c->threshold : p->spec.alpha;
        else
            p->threshold[j] = isnan(c->threshold) ? 0.1 : c->threshold;
    }
    return MLOPS_OK;
}

/* The time axis: from the first window's start, in the unit that suits
 * the span (as the other pages pick it). */
static void time_axis(mlops__monitor_page *p)
{
    if (p->by_rows) { /* row numbers from 0: a window's place in the stream */
        p->t0 = 0;
        p->unit = "rows", p->per_ms = 1.0;
        return;
    }
    p->t0 = p->n ? p->w[0].start_ms : 0;
    double span_s = p->n ? (double)(p->w[p->n - 1].end_ms - p->t0) / 1000.0 : 0.0;
    if (span_s < 120.0) p->unit = "s", p->per_ms = 1000.0;
    else if (span_s < 7200.0) p->unit = "min", p->per_ms = 60000.0;
    else if (span_s < 172800.0) p->unit = "h", p->per_ms = 3600000.0;
    else p->unit = "d", p->per_ms = 86400000.0;
}

/* The public calls below name themselves in their messages; the caller
 * called fn: the message says so (doc/conventions.md, error messages). */
static int as_called_by(const char *fn, int rc)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", mlops_last_error());
    const char *why = msg;
    if (!strncmp(msg, "mlops_", 6)) {
        const char *colon = strstr(msg, ": ");
        if (colon) why = colon + 2;
    }
    return mlops__err(rc, "%s: %s", fn, why);
}

int mlops__monitor_page_load(mlops_store *s, const char *fn, const char *name, int64_t from_ms,
                             int64_t to_ms, mlops__monitor_page *p)
{
    memset(p, 0, sizeof *p);
    int rc = mlops_monitor_get(s, name, &p->m);
    if (!rc) {
        p->spec.version = MLOPS_MONITOR_SPEC_VERSION;
        p->st.version = MLOPS_MONITOR_STATUS_VERSION;
        p->ext.version = MLOPS_MONITOR_EXT_VERSION;
        rc = mlops_monitor_spec_get(p->m, &p->spec);
        if (!rc) rc = mlops_monitor_ext_get(p->m, &p->ext);
        if (!rc) rc = mlops_monitor_status_get(p->m, &p->st);
        p->by_rows = p->spec.window_kind == MLOPS_MONITOR_WINDOW_ROWS;
    }
    if (!rc) rc = mlops_monitor_series_get(s, name, from_ms, to_ms, &p->sr);
    if (!rc) {
        p->n = mlops_monitor_series_count(p->sr);
        p->w = malloc((p->n ? p->n : 1) * sizeof *p->w);
        if (!p->w) rc = mlops__err_nomem("reading a monitor's windows");
        for (size_t i = 0; !rc && i < p->n; i++) rc = mlops_monitor_series_window(p->sr, i, &p->w[i]);
    }
    /* Each window's performance, when the monitor keeps predictions. */
    if (!rc && p->ext.task != MLOPS_MONITOR_TASK_NONE) {
        p->perf = malloc((p->n ? p->n : 1) * sizeof *p->perf);
        if (!p->perf) rc = mlops__err_nomem("reading a monitor's performance");
        for (size_t i = 0; !rc && i < p->n; i++) {
            p->perf[i].version = MLOPS_MONITOR_PERFORMANCE_VERSION;
            rc = mlops_monitor_series_performance(p->sr, i, &p->perf[i]);
        }
    }
    if (!rc) rc = load_events(s, name, p);
    if (!rc) rc = load_methods(s, p);
    if (rc) {
        mlops__monitor_page_clear(p);
        return rc == MLOPS_ENOMEM ? rc : as_called_by(fn, rc);
    }
    time_axis(p);
    return MLOPS_OK;
}
