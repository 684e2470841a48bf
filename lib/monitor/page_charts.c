/* The monitor page's charts (page.h): the share of drifted columns, the
 * rows per window, and per column its statistic or p-value against the
 * threshold it is judged by; and the drawing and tables that
 * page_perf.c's performance charts share. Every chart shades the windows in alert and
 * marks the windows with not enough data and the late ones, draws at
 * most max_points points per curve (LTTB, said on the chart), and has a
 * table beside it of at most TABLE_ROWS rows: every window when there
 * are that few, else consecutive groups of windows, so that a year of
 * hourly windows stays a small page. */
#include "monitor/page.h"
#include "util/chart.h"
#include "util/err.h"
#include "util/html.h"
#include "util/lttb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TABLE_ROWS 12
/* -log10 p above this is drawn at it: beyond, "how much more
 * significant" says nothing a reader needs, and one tiny p would flatten
 * the rest of the curve against the axis. */
#define P_CAP 10.0


static const char *state_name(int st)
{
    switch (st) {
    case MLOPS_MONITOR_WINDOW_CLEAR: return "clear";
    case MLOPS_MONITOR_WINDOW_BREACH: return "breach";
    case MLOPS_MONITOR_WINDOW_NOT_ENOUGH_DATA: return "not enough data";
    case MLOPS_MONITOR_WINDOW_LATE: return "late";
    default: return "open";
    }
}

/* The windows in alert: from the window whose judgment fired the alert to
 * the one whose judgment resolved it (that one excluded); an alert still
 * firing lasts to the end of what was judged. Clipped to the page's
 * windows. */
static void alert_spans(mlops__monitor_charts *c)
{
    const mlops__monitor_page *p = c->p;
    int64_t lo = p->w[0].start_ms, hi = p->w[p->n - 1].end_ms, open = 0;
    int firing = 0;
    for (size_t k = 0; k <= p->n_ev; k++) {
        int64_t start = 0, end = 0;
        if (k < p->n_ev) {
            const mlops_monitor_event *e = &p->ev[k];
            if (e->kind == MLOPS_MONITOR_EVENT_FIRING) {
                if (!firing) open = e->window_start_ms;
                firing = 1;
                continue;
            }
            if (!firing) continue;
            start = open, end = e->window_start_ms;
            firing = 0;
        } else {
            if (!firing) break;
            start = open;
            end = p->st.judged_to_ms > open ? p->st.judged_to_ms : hi;
        }
        if (start < lo) start = lo;
        if (end > hi) end = hi;
        if (end <= start) continue;
        c->bands[c->n_bands++] = (mlops__chart_span){ mlops__monitor_page_x(p, start),
                                                      mlops__monitor_page_x(p, end) };
    }
}

static int charts_init(mlops__monitor_charts *c, const mlops__monitor_page *p)
{
    memset(c, 0, sizeof *c);
    c->p = p;
    size_t n = p->n, keep = p->max_points;
    c->x = malloc(n * sizeof *c->x);
    c->fx = malloc(n * sizeof *c->fx);
    c->fy = malloc(n * sizeof *c->fy);
    c->dx = malloc(keep * sizeof *c->dx);
    c->dy = malloc(keep * sizeof *c->dy);
    c->idx = malloc(keep * sizeof *c->idx);
    c->bands = malloc((p->n_ev / 2 + 1) * sizeof *c->bands);
    c->ned = malloc(n * sizeof *c->ned);
    c->late = malloc(n * sizeof *c->late);
    if (!c->x || !c->fx || !c->fy || !c->dx || !c->dy || !c->idx || !c->bands || !c->ned || !c->late)
        return mlops__err_nomem("writing the monitor page");
    for (size_t i = 0; i < n; i++) {
        const mlops_monitor_window *w = &p->w[i];
        double a = mlops__monitor_page_x(p, w->start_ms), z = mlops__monitor_page_x(p, w->end_ms);
        c->x[i] = (a + z) / 2.0;
        if (w->state == MLOPS_MONITOR_WINDOW_NOT_ENOUGH_DATA) c->ned[c->n_ned++] = (mlops__chart_span){ a, z };
        if (w->state == MLOPS_MONITOR_WINDOW_LATE) c->late[c->n_late++] = (mlops__chart_span){ a, z };
    }
    alert_spans(c);
    c->group = (n + TABLE_ROWS - 1) / TABLE_ROWS;
    if (c->group < 1) c->group = 1;
    mlops__buf t = MLOPS__BUF_INIT;
    if (p->by_rows) {
        mlops__buf_add(&t, "Row number, in arrival order (rows)");
    } else {
        mlops__buf_add(&t, "Time since ");
        mlops__html_utc(&t, p->t0);
        mlops__buf_addf(&t, " (%s)", p->unit);
    }
    const char *s = mlops__buf_str(&t);
    snprintf(c->x_label, sizeof c->x_label, "%s", s ? s : "Time");
    mlops__buf_free(&t);
    return MLOPS_OK;
}

static void charts_free(mlops__monitor_charts *c)
{
    free(c->x);
    free(c->fx);
    free(c->fy);
    free(c->dx);
    free(c->dy);
    free(c->idx);
    free(c->bands);
    free(c->ned);
    free(c->late);
}

void mlops__monitor_charts_draw(mlops__buf *b, mlops__monitor_charts *c, const double *y,
                                const char *title, const char *y_label, const char *legend,
                                const char *which, const char *note_extra, mlops__chart_extra *e)
{
    const mlops__monitor_page *p = c->p;
    size_t nf = 0;
    for (size_t i = 0; i < p->n; i++)
        if (isfinite(y[i])) c->fx[nf] = c->x[i], c->fy[nf++] = y[i];
    size_t nd = mlops__lttb(c->fx, c->fy, nf, p->max_points, c->idx);
    for (size_t k = 0; k < nd; k++) c->dx[k] = c->fx[c->idx[k]], c->dy[k] = c->fy[c->idx[k]];
    mlops__buf note = MLOPS__BUF_INIT;
    if (!nf) {
        mlops__buf_addf(&note, "No %s window to draw", which);
    } else if (nd < nf) {
        mlops__buf_add(&note, "Downsampled (LTTB): ");
        mlops__html_count(&note, nd);
        mlops__buf_add(&note, " of ");
        mlops__html_count(&note, nf);
        mlops__buf_add(&note, " windows drawn");
    } else {
        if (nf == p->n) mlops__buf_add(&note, "Every window drawn");
        else mlops__buf_addf(&note, "Every %s window drawn", which);
    }
    if (note_extra) mlops__buf_add(&note, note_extra);
    mlops__chart_series series = { legend, c->dx, c->dy, nd, 0 };
    mlops__chart chart = { title, c->x_label, y_label, mlops__buf_str(&note), 0, &series, 1 };
    e->bands = c->bands;
    e->n_bands = c->n_bands;
    e->band_label = "alert firing";
    if (!e->mark_label[0]) {
        e->marks[0] = c->ned;
        e->n_marks[0] = c->n_ned;
        e->mark_label[0] = "not enough data";
    }
    e->marks[1] = c->late;
    e->n_marks[1] = c->n_late;
    e->mark_label[1] = "late (never judged)";
    mlops__buf_add(b, "<figure class=\"chart\">");
    if (chart.note) mlops__chart_lines_ex(b, &chart, e);
    else b->failed = 1;
    mlops__buf_add(b, "</figure>");
    mlops__buf_free(&note);
}

/* ---- The tables beside the charts ------------------------------------------------ */

/* The table's caption: what a row is. */
void mlops__monitor_table_begin(mlops__buf *b, const mlops__monitor_charts *c, const char *what, const char *heads)
{
    const mlops__monitor_page *p = c->p;
    mlops__buf_add(b, "<div class=\"side\"><table class=\"grid\"><caption>");
    mlops__buf_add(b, what);
    if (c->group == 1) {
        mlops__buf_add(b, ", every window");
    } else {
        mlops__buf_add(b, ", ");
        mlops__html_count(b, p->n);
        mlops__buf_add(b, " windows in ");
        mlops__html_count(b, (p->n + c->group - 1) / c->group);
        mlops__buf_add(b, " rows of ");
        mlops__html_count(b, c->group);
        mlops__buf_add(b, " (<code>mlops monitor series</code> prints each)");
    }
    mlops__buf_add(b, "</caption><thead><tr><th>");
    if (c->p->by_rows) mlops__buf_add(b, c->group == 1 ? "Window (rows from)" : "From row");
    else mlops__buf_add(b, c->group == 1 ? "Window (UTC)" : "From (UTC)");
    mlops__buf_add(b, "</th>");
    mlops__buf_add(b, heads);
    mlops__buf_add(b, "</tr></thead><tbody>");
}

/* A window's start as the tables write it, to the minute, in UTC (the
 * caption says so): short enough for a table beside a chart; a row
 * window's first row number. */
void mlops__monitor_table_row_head(mlops__buf *b, const mlops__monitor_charts *c, size_t i0)
{
    int64_t ms = c->p->w[i0].start_ms;
    time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
    struct tm tm;
    char when[40];
    mlops__buf_add(b, "<tr><th scope=\"row\">");
    if (c->p->by_rows) mlops__html_count(b, (uint64_t)(ms < 0 ? 0 : ms));
    else if (gmtime_r(&t, &tm) && strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm)) mlops__buf_add(b, when);
    else mlops__html_utc(b, ms);
    mlops__buf_add(b, "</th>");
}

void mlops__monitor_table_num(mlops__buf *b, double v)
{
    mlops__buf_add(b, "<td class=\"n\">");
    mlops__html_num(b, 4, v);
    mlops__buf_add(b, "</td>");
}

void mlops__monitor_table_count(mlops__buf *b, uint64_t v)
{
    mlops__buf_add(b, "<td class=\"n\">");
    mlops__html_count(b, v);
    mlops__buf_add(b, "</td>");
}

void mlops__monitor_table_state(mlops__buf *b, int st)
{
    mlops__buf_add(b, st == MLOPS_MONITOR_WINDOW_BREACH ? "<td class=\"bad\">" : "<td>");
    mlops__buf_add(b, state_name(st));
    mlops__buf_add(b, "</td>");
}

void mlops__monitor_table_end(mlops__buf *b)
{
    mlops__buf_add(b, "</tbody></table></div>");
}

/* ---- Share of drifted columns --------------------------------------------------- */

static void share_section(mlops__buf *b, mlops__monitor_charts *c, double *y)
{
    const mlops__monitor_page *p = c->p;
    const mlops_monitor_spec *sp = &p->spec;
    for (size_t i = 0; i < p->n; i++) y[i] = 100.0 * p->w[i].share_drifted;
    mlops__chart_extra e = { 0 };
    char ref[96];
    e.y_from_zero = 1;
    if (!sp->breach_column && !p->ext.performance) {
        char pc[48];
        mlops__html_fmt_g(pc, sizeof pc, 3, 100.0 * sp->drift_share);
        snprintf(ref, sizeof ref, "breach: %s%% or more", pc);
        e.has_ref = 1, e.ref_y = 100.0 * sp->drift_share, e.ref_label = ref;
    }
    mlops__buf_add(b, "<section class=\"card\" id=\"share\"><h3>Share of drifted columns</h3>"
                      "<p class=\"sub\">");
    if (p->ext.performance) {
        mlops__buf_add(b, "A window is in breach when its performance condition holds (<a "
                          "href=\"#performance\">Performance over time</a>): drift is computed and"
                          " shown for context, not judged as the breach.");
    } else if (sp->breach_column) {
        mlops__buf_add(b, "A window is in breach when column <bdi>");
        mlops__html_esc(b, sp->breach_column);
        mlops__buf_add(b, "</bdi> drifts; the share is shown for context.");
    } else {
        mlops__buf_add(b, "A window is in breach when at least ");
        mlops__html_percent(b, sp->drift_share);
        mlops__buf_addf(b, " of its %zu columns drift (the dashed line).", sp->n_columns);
    }
    mlops__buf_add(b, "</p><div class=\"body\">");
    mlops__monitor_charts_draw(b, c, y, "Share of drifted columns per window (%)", "Drifted columns (%)",
                               "share drifted", "judged", NULL, &e);
    mlops__monitor_table_begin(b, c, "Share drifted",
                c->group == 1 ? "<th>State</th><th>Share</th>"
                              : "<th>Judged</th><th>Breach</th><th>Highest share</th>");
    for (size_t i0 = 0; i0 < p->n; i0 += c->group) {
        size_t i1 = i0 + c->group < p->n ? i0 + c->group : p->n;
        mlops__monitor_table_row_head(b, c, i0);
        if (c->group == 1) {
            mlops__monitor_table_state(b, p->w[i0].state);
            mlops__buf_add(b, "<td class=\"n\">");
            if (isfinite(p->w[i0].share_drifted)) mlops__html_percent(b, p->w[i0].share_drifted);
            else mlops__buf_add(b, "\xE2\x80\x93");
            mlops__buf_add(b, "</td></tr>");
            continue;
        }
        uint64_t judged = 0, breach = 0;
        double hi = NAN;
        for (size_t i = i0; i < i1; i++) {
            int st = p->w[i].state;
            judged += st == MLOPS_MONITOR_WINDOW_CLEAR || st == MLOPS_MONITOR_WINDOW_BREACH;
            breach += st == MLOPS_MONITOR_WINDOW_BREACH;
            if (isfinite(p->w[i].share_drifted) && !(p->w[i].share_drifted <= hi)) hi = p->w[i].share_drifted;
        }
        mlops__monitor_table_count(b, judged);
        mlops__buf_add(b, breach ? "<td class=\"n bad\">" : "<td class=\"n\">");
        mlops__html_count(b, breach);
        mlops__buf_add(b, "</td><td class=\"n\">");
        if (isfinite(hi)) mlops__html_percent(b, hi);
        else mlops__buf_add(b, "\xE2\x80\x93");
        mlops__buf_add(b, "</td></tr>");
    }
    mlops__monitor_table_end(b);
    mlops__buf_add(b, "</div></section>\n");
}

/* ---- Rows per window -------------------------------------------------------------- */

static void rows_section(mlops__buf *b, mlops__monitor_charts *c, double *y)
{
    const mlops__monitor_page *p = c->p;
    for (size_t i = 0; i < p->n; i++) y[i] = (double)p->w[i].rows;
    mlops__chart_extra e = { 0 };
    char ref[96];
    e.y_from_zero = 1;
    if (p->spec.min_rows > 1) {
        snprintf(ref, sizeof ref, "minimum: %llu rows", (unsigned long long)p->spec.min_rows);
        e.has_ref = 1, e.ref_y = (double)p->spec.min_rows, e.ref_label = ref;
    }
    mlops__buf_add(b, "<section class=\"card\" id=\"rows\"><h3>Rows per window</h3><p class=\"sub\">"
                      "Rows merged so far, late ones included; a window judged with fewer than ");
    mlops__html_count(b, p->spec.min_rows);
    mlops__buf_add(b, " has not enough data: neither breach nor clear.</p><div class=\"body\">");
    mlops__monitor_charts_draw(b, c, y, "Rows per window", "Rows per window (rows)", "rows", "judged", NULL, &e);
    mlops__monitor_table_begin(b, c, "Rows",
                c->group == 1 ? "<th>State</th><th>Rows</th>"
                              : "<th>Rows</th><th>Fewest</th><th>Not enough data</th>");
    for (size_t i0 = 0; i0 < p->n; i0 += c->group) {
        size_t i1 = i0 + c->group < p->n ? i0 + c->group : p->n;
        mlops__monitor_table_row_head(b, c, i0);
        if (c->group == 1) {
            mlops__monitor_table_state(b, p->w[i0].state);
            mlops__monitor_table_count(b, p->w[i0].rows);
            mlops__buf_add(b, "</tr>");
            continue;
        }
        uint64_t total = 0, fewest = UINT64_MAX, ned = 0;
        for (size_t i = i0; i < i1; i++) {
            total += p->w[i].rows;
            if (p->w[i].rows < fewest) fewest = p->w[i].rows;
            ned += p->w[i].state == MLOPS_MONITOR_WINDOW_NOT_ENOUGH_DATA;
        }
        mlops__monitor_table_count(b, total);
        mlops__monitor_table_count(b, fewest);
        mlops__monitor_table_count(b, ned);
        mlops__buf_add(b, "</tr>");
    }
    mlops__monitor_table_end(b);
    mlops__buf_add(b, "</div></section>\n");
}

/* ---- One column ------------------------------------------------------------------- */

static void column_section(mlops__buf *b, mlops__monitor_charts *c, size_t j, double *y)
{
    const mlops__monitor_page *p = c->p;
    const char *name = p->spec.columns[j].name, *method = mlops__monitor_page_method_name(p->method[j]);
    int pv = mlops__monitor_page_p_method(p, j);
    double thr = p->threshold[j];
    size_t capped = 0;
    /* The cap stays above the threshold's line, however small alpha is. */
    double cap = pv && -log10(thr) + 2.0 > P_CAP ? ceil(-log10(thr) + 2.0) : P_CAP;
    uint64_t judged = 0, drifted = 0;
    for (size_t i = 0; i < p->n; i++) {
        mlops_monitor_window_column cell = { NAN, NAN, -1 };
        (void)mlops_monitor_series_cell(p->sr, i, j, &cell); /* i and j are in range */
        judged += cell.drifted >= 0;
        drifted += cell.drifted > 0;
        if (!pv) {
            y[i] = cell.statistic;
            continue;
        }
        double v = cell.p_value > 0.0 ? -log10(cell.p_value) : cell.p_value == 0.0 ? INFINITY : NAN;
        if (v > cap) v = cap, capped++;
        y[i] = v;
    }
    mlops__buf title = MLOPS__BUF_INIT, yl = MLOPS__BUF_INIT, ref = MLOPS__BUF_INIT, extra = MLOPS__BUF_INIT;
    char t[48];
    mlops__html_fmt_g(t, sizeof t, 4, thr);
    mlops__chart_extra e = { 0 };
    e.has_ref = 1;
    e.y_from_zero = 1;
    if (pv) {
        mlops__buf_addf(&title, "%s p-value of column ", method);
        mlops__buf_add(&title, name);
        mlops__buf_addf(&title, " per window, as -log10 p; drift when p < alpha %s (above the line)", t);
        mlops__buf_addf(&yl, "\xE2\x88\x92log10 p-value (%s)", method);
        e.ref_y = -log10(thr);
        char l[48];
        mlops__html_fmt_g(l, sizeof l, 3, e.ref_y);
        mlops__buf_addf(&ref, "alpha %s (\xE2\x88\x92log10: %s)", t, l);
        if (capped) mlops__buf_addf(&extra, "; p < 1e-%.0f drawn at %.0f", cap, cap);
    } else {
        mlops__buf_addf(&title, "%s of column ", method);
        mlops__buf_add(&title, name);
        mlops__buf_addf(&title, " per window; drift at or above the threshold %s", t);
        mlops__buf_addf(&yl, "%s distance (no unit)", method);
        e.ref_y = thr;
        mlops__buf_addf(&ref, "threshold %s", t);
    }
    e.ref_label = mlops__buf_str(&ref);
    mlops__buf_addf(b, "<section class=\"card\" id=\"column-%zu\"><h3>Column <bdi>", j + 1);
    mlops__html_esc(b, name);
    mlops__buf_addf(b, "</bdi> <span class=\"small\">%s, ", method);
    mlops__buf_add(b, pv ? "alpha " : "threshold ");
    mlops__buf_add(b, t);
    mlops__buf_add(b, "</span></h3><p class=\"sub\">Drifted in ");
    mlops__html_count(b, drifted);
    mlops__buf_add(b, " of ");
    mlops__html_count(b, judged);
    mlops__buf_add(b, judged == 1 ? " judged window." : " judged windows.");
    if (pv)
        mlops__buf_add(b, " Plotted: \xE2\x88\x92log<sub>10</sub> of the p-value, so that smaller"
                          " p-values stand higher; the column drifts where the curve is above the"
                          " dashed line.");
    if (p->method[j] == MLOPS_DRIFT_METHOD_KS || p->method[j] == MLOPS_DRIFT_METHOD_AUTO)
        mlops__buf_add(b, " KS is judged on the p-value at D minus the sketches' error bound: a"
                          " point just above the line may be judged no drift (inconclusive).");
    mlops__buf_add(b, "</p><div class=\"body\">");
    if (!mlops__buf_str(&title) || !mlops__buf_str(&yl) || !e.ref_label || !mlops__buf_str(&extra))
        b->failed = 1;
    else
        mlops__monitor_charts_draw(b, c, y, mlops__buf_str(&title), mlops__buf_str(&yl), name, "judged",
                                   extra.len ? mlops__buf_str(&extra) : NULL, &e);
    mlops__buf_free(&title);
    mlops__buf_free(&yl);
    mlops__buf_free(&ref);
    mlops__buf_free(&extra);

    mlops__monitor_table_begin(b, c, pv ? "p-value" : "Statistic",
                c->group == 1 ? (pv ? "<th>Drifted</th><th>p-value</th>" : "<th>Drifted</th><th>Statistic</th>")
                              : (pv ? "<th>Judged</th><th>Drifted</th><th>Smallest p</th>"
                                    : "<th>Judged</th><th>Drifted</th><th>Largest</th>"));
    for (size_t i0 = 0; i0 < p->n; i0 += c->group) {
        size_t i1 = i0 + c->group < p->n ? i0 + c->group : p->n;
        uint64_t gj = 0, gd = 0;
        double ext = NAN;
        int drift_one = -1;
        for (size_t i = i0; i < i1; i++) {
            mlops_monitor_window_column cell = { NAN, NAN, -1 };
            (void)mlops_monitor_series_cell(p->sr, i, j, &cell);
            gj += cell.drifted >= 0;
            gd += cell.drifted > 0;
            drift_one = cell.drifted;
            double v = pv ? cell.p_value : cell.statistic;
            if (isnan(v)) continue;
            if (isnan(ext) || (pv ? v < ext : v > ext)) ext = v;
        }
        mlops__monitor_table_row_head(b, c, i0);
        if (c->group == 1) {
            mlops__buf_add(b, drift_one > 0 ? "<td class=\"bad\">drift</td>"
                              : drift_one == 0 ? "<td>no</td>" : "<td class=\"missing\">not judged</td>");
            mlops__monitor_table_num(b, ext);
        } else {
            mlops__monitor_table_count(b, gj);
            mlops__buf_add(b, gd ? "<td class=\"n bad\">" : "<td class=\"n\">");
            mlops__html_count(b, gd);
            mlops__buf_add(b, "</td>");
            mlops__monitor_table_num(b, ext);
        }
        mlops__buf_add(b, "</tr>");
    }
    mlops__monitor_table_end(b);
    mlops__buf_add(b, "</div></section>\n");
}

int mlops__monitor_page_charts(mlops__buf *b, const mlops__monitor_page *p)
{
    if (!p->n) {
        mlops__buf_add(b, "<p class=\"sub\">No window in this range yet: nothing to draw.</p>\n");
        return mlops__monitor_page_performance(b, p, NULL, NULL);
    }
    mlops__monitor_charts c;
    int rc = charts_init(&c, p);
    double *y = rc ? NULL : malloc(p->n * sizeof *y);
    if (!rc && !y) rc = mlops__err_nomem("writing the monitor page");
    if (!rc) {
        mlops__buf_add(b, "<h2 id=\"dataset\">Windows</h2>");
        share_section(b, &c, y);
        rows_section(b, &c, y);
        mlops__buf_add(b, "<h2 id=\"columns\">Drift per column</h2>");
    }
    for (size_t j = 0; !rc && j < p->spec.n_columns; j++) column_section(b, &c, j, y);
    if (!rc) rc = mlops__monitor_page_performance(b, p, &c, y);
    free(y);
    charts_free(&c);
    return rc;
}
