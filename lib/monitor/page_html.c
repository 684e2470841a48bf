/* The monitor page (mlops_monitor_page_html in monitor.h): the spec and
 * the alert's state, the charts (page_charts.c: drift; page_perf.c:
 * performance over time), and the alert events. */
#include "monitor/page.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/html.h"
#include "util/opts.h"
#include "util/palette.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_POINTS 1000
/* Events listed at most, the latest; the charts shade every alert. */
#define EVENTS_MAX 500

MLOPS_API int mlops_monitor_page_opts_init(mlops_monitor_page_opts *opts, unsigned version)
{
    static const mlops_monitor_page_opts defaults = MLOPS_MONITOR_PAGE_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_MONITOR_PAGE_OPTS_VERSION);
}

static const char css[] =
    ":root{--line:#d9dde3;--muted:#5d6673}" MLOPS__HTML_BASE_CSS
    ".sub{color:var(--muted);margin:0 0 14px;overflow-wrap:anywhere}"
    ".wide{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:8px}"
    ".grid{width:100%}"
    ".grid th,.grid td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top;overflow-wrap:anywhere}"
    ".grid thead th{background:#eef1f5;font-weight:600;font-size:13px;color:#3a4350;"
    "white-space:nowrap}"
    ".grid tbody th{font-weight:600}"
    ".grid td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".grid .nw{white-space:nowrap;overflow-wrap:normal}"
    ".grid caption{text-align:left;font-size:13px;color:var(--muted);padding:4px 0}"
    ".small{font-size:12px;color:var(--muted);font-weight:400}"
    MLOPS__PALETTE_CSS
    ".card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 18px;"
    "margin:14px 0}"
    ".card h3{font-size:17px;margin:0 0 6px;overflow-wrap:anywhere}"
    ".card .body{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}"
    ".card figure{flex:3 1 500px}"
    ".card .side{flex:1 1 340px;min-width:280px;font-size:13px;overflow-x:auto}"
    ".side .grid th,.side .grid td{padding:4px 6px}"
    ".state{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:700;"
    "print-color-adjust:exact;-webkit-print-color-adjust:exact}"
    ".state.firing{background:#b3261e;color:#fff}.state.pending{background:#E69F00;color:#1c2430}"
    ".state.inactive{background:#e3f1e8;color:#1d6b3a}"
    ".bad{color:#b3261e;font-weight:600}.missing{color:var(--muted)}"
    "@media print{.grid th,.grid td,.grid thead th{white-space:normal!important;padding:4px 5px}"
    ".grid .nw{white-space:normal}}";

/* ---- Small pieces ------------------------------------------------------------------- */

/* A window length for a reader: "1 h", "30 min", "2 d", else exact. */
static void length(mlops__buf *b, int64_t ms)
{
    if (ms > 0 && ms % 86400000 == 0) mlops__buf_addf(b, "%lld d", (long long)(ms / 86400000));
    else if (ms > 0 && ms % 3600000 == 0) mlops__buf_addf(b, "%lld h", (long long)(ms / 3600000));
    else if (ms > 0 && ms % 60000 == 0) mlops__buf_addf(b, "%lld min", (long long)(ms / 60000));
    else mlops__html_duration(b, ms);
}

static const char *state_word(int st)
{
    return st == MLOPS_MONITOR_FIRING ? "firing" : st == MLOPS_MONITOR_PENDING ? "pending" : "inactive";
}

static void windows_word(mlops__buf *b, uint64_t n)
{
    mlops__html_count(b, n);
    mlops__buf_add(b, n == 1 ? " window" : " windows");
}

static void row(mlops__buf *b, const char *what)
{
    mlops__buf_add(b, "<tr><th scope=\"row\" class=\"nw\">");
    mlops__buf_add(b, what);
    mlops__buf_add(b, "</th><td>");
}

/* ---- Spec and state ----------------------------------------------------------------- */

/* The delayed-label settings (mlops_monitor_ext), when there is a task. */
static void labels_rows(mlops__buf *b, const mlops__monitor_page *p)
{
    const mlops_monitor_ext *x = &p->ext;
    row(b, "Labels");
    if (x->task == MLOPS_MONITOR_TASK_NONE) {
        mlops__buf_add(b, "<span class=\"missing\">none: no task, so no predictions are kept for labels"
                          "</span></td></tr>");
        return;
    }
    mlops__buf_add(b, x->task == MLOPS_MONITOR_TASK_CLASSIFICATION ? "classification" : "regression");
    mlops__buf_add(b, ": predictions in ");
    mlops__html_code_name(b, x->prediction_column ? x->prediction_column : "");
    mlops__buf_add(b, ", labels in ");
    mlops__html_code_name(b, x->label_column ? x->label_column : "label");
    mlops__buf_add(b, ", joined by the id in ");
    mlops__html_code_name(b, x->id_column ? x->id_column : "");
    mlops__buf_add(b, "</td></tr>");
    row(b, "Minimum labels");
    if (x->performance) {
        mlops__buf_add(b, "judged with fewer than ");
        mlops__html_count(b, x->min_labels);
        mlops__buf_add(b, x->min_labels == 1 ? " label" : " labels");
        mlops__buf_add(b, ": not enough data</td></tr>");
    } else {
        mlops__buf_add(b, "none: without a performance condition, performance is reported, not"
                          " judged</td></tr>");
    }
}

static void spec_section(mlops__buf *b, const mlops__monitor_page *p)
{
    const mlops_monitor_spec *sp = &p->spec;
    mlops__buf_add(b, "<h2 id=\"spec\">Spec</h2><div class=\"wide\"><table class=\"grid\"><tbody>");
    row(b, "Window");
    if (p->by_rows) {
        mlops__html_count(b, p->ext.window_rows);
        mlops__buf_add(b, " rows, in arrival order (row windows: their bounds count rows)</td></tr>");
    } else {
        length(b, sp->window_ms);
        mlops__buf_add(b, ", tumbling, aligned on the epoch</td></tr>");
    }
    row(b, "Lateness");
    if (sp->lateness_ms) {
        length(b, sp->lateness_ms);
        mlops__buf_add(b, ": a window is judged this long after its end");
    } else {
        mlops__buf_add(b, "none: a window is judged at its end");
    }
    mlops__buf_add(b, "</td></tr>");
    row(b, "Minimum rows");
    mlops__html_count(b, sp->min_rows);
    mlops__buf_add(b, " (fewer: not enough data, neither breach nor clear)</td></tr>");
    row(b, "Breach");
    if (p->ext.performance) {
        mlops__buf_add(b, "the performance condition <code>");
        mlops__html_esc(b, p->ext.performance);
        mlops__buf_add(b, "</code> holds (drift is computed, not judged as the breach)");
    } else if (sp->breach_column) {
        mlops__buf_add(b, "column <bdi>");
        mlops__html_esc(b, sp->breach_column);
        mlops__buf_add(b, "</bdi> drifts");
    } else {
        mlops__buf_add(b, "dataset drift: at least ");
        mlops__html_percent(b, sp->drift_share);
        mlops__buf_addf(b, " of the %zu column%s drift", sp->n_columns, sp->n_columns == 1 ? "" : "s");
    }
    mlops__buf_add(b, "</td></tr>");
    row(b, "Alert rule");
    mlops__buf_addf(b, "fires when %u of the last %u judged windows are in breach</td></tr>",
                    sp->alert_m, sp->alert_n);
    row(b, "Pending");
    if (sp->pending)
        mlops__buf_addf(b, "the rule must hold for %u more judged window%s before the alert fires",
                        sp->pending, sp->pending == 1 ? "" : "s");
    else
        mlops__buf_add(b, "none: the alert fires as soon as the rule holds");
    mlops__buf_add(b, "</td></tr>");
    row(b, "Keep firing");
    if (sp->keep_firing)
        mlops__buf_addf(b, "for %u judged window%s after the rule stops holding", sp->keep_firing,
                        sp->keep_firing == 1 ? "" : "s");
    else
        mlops__buf_add(b, "none: the alert resolves as soon as the rule stops holding");
    mlops__buf_add(b, "</td></tr>");
    row(b, "Alpha");
    mlops__html_num(b, 4, sp->alpha);
    mlops__buf_add(b, " (KS and chi-square, unless a column sets its own)</td></tr>");
    labels_rows(b, p);
    row(b, "Model");
    if (sp->model) {
        mlops__buf_add(b, "<bdi>");
        mlops__html_esc(b, sp->model);
        mlops__buf_add(b, "</bdi>");
    } else {
        mlops__buf_add(b, "<span class=\"missing\">none recorded</span>");
    }
    mlops__buf_add(b, "</td></tr></tbody></table></div>\n");
}

static void state_section(mlops__buf *b, const mlops__monitor_page *p)
{
    const mlops_monitor_status *st = &p->st;
    mlops__buf_add(b, "<h2 id=\"state\">Alert state</h2><p>");
    mlops__buf_addf(b, "<span class=\"state %s\">%s</span> ", state_word(st->state),
                    st->state == MLOPS_MONITOR_FIRING ? "FIRING"
                    : st->state == MLOPS_MONITOR_PENDING ? "PENDING" : "INACTIVE");
    if (st->judged_to_ms == INT64_MIN) {
        mlops__buf_add(b, "No window judged yet.");
    } else {
        mlops__buf_addf(b, "%u of the last %u judged windows in breach (the rule needs %u of %u); ",
                        st->breaches, st->considered, p->spec.alert_m, p->spec.alert_n);
        windows_word(b, st->windows_judged);
        mlops__buf_add(b, " judged, up to ");
        mlops__monitor_page_when(b, p, st->judged_to_ms);
        mlops__buf_add(b, ".");
    }
    mlops__buf_add(b, "</p>");
    /* How the page's windows stand. */
    uint64_t count[5] = { 0, 0, 0, 0, 0 };
    for (size_t i = 0; i < p->n; i++)
        if (p->w[i].state >= 0 && p->w[i].state <= 4) count[p->w[i].state]++;
    if (p->n) {
        mlops__buf_add(b, "<p class=\"sub\">");
        windows_word(b, p->n);
        mlops__buf_add(b, " from ");
        mlops__monitor_page_when(b, p, p->w[0].start_ms);
        mlops__buf_add(b, " to ");
        mlops__monitor_page_when(b, p, p->w[p->n - 1].end_ms);
        mlops__buf_add(b, ": ");
        mlops__html_count(b, count[MLOPS_MONITOR_WINDOW_CLEAR]);
        mlops__buf_add(b, " clear, ");
        mlops__html_count(b, count[MLOPS_MONITOR_WINDOW_BREACH]);
        mlops__buf_add(b, " in breach, ");
        mlops__html_count(b, count[MLOPS_MONITOR_WINDOW_NOT_ENOUGH_DATA]);
        mlops__buf_add(b, " with not enough data, ");
        mlops__html_count(b, count[MLOPS_MONITOR_WINDOW_LATE]);
        mlops__buf_add(b, " late (first rows after they were due: never judged), ");
        mlops__html_count(b, count[MLOPS_MONITOR_WINDOW_OPEN]);
        mlops__buf_add(b, " not judged yet.</p>\n");
    }
}

static void columns_table(mlops__buf *b, const mlops__monitor_page *p)
{
    mlops__buf_add(b, "<h2 id=\"columns-spec\">Columns</h2><div class=\"wide\"><table class=\"grid\">"
                      "<thead><tr><th>Column</th><th>Method</th><th>Drifts when</th>"
                      "<th>Reference profile</th></tr></thead><tbody>");
    for (size_t j = 0; j < p->spec.n_columns; j++) {
        const mlops_monitor_column *c = &p->spec.columns[j];
        int m = p->method[j];
        /* A link to the column's chart, when the page has one. */
        if (p->n) mlops__buf_addf(b, "<tr><th scope=\"row\"><a href=\"#column-%zu\"><bdi>", j + 1);
        else mlops__buf_add(b, "<tr><th scope=\"row\"><a><bdi>");
        mlops__html_esc(b, c->name);
        mlops__buf_add(b, "</bdi></a></th><td>");
        mlops__buf_add(b, mlops__monitor_page_method_name(m));
        if (c->method == MLOPS_DRIFT_METHOD_AUTO && m != MLOPS_DRIFT_METHOD_AUTO)
            mlops__buf_add(b, " <span class=\"small\">(auto)</span>");
        mlops__buf_add(b, "</td><td class=\"nw\">");
        if (mlops__monitor_page_p_method(p, j)) mlops__buf_add(b, "p &lt; ");
        else mlops__buf_add(b, "value &#8805; ");
        mlops__html_num(b, 4, p->threshold[j]);
        char hex[MLOPS_DIGEST_STRLEN];
        if (mlops_digest_format(&c->reference, hex)) hex[0] = '\0';
        mlops__buf_addf(b, "</td><td class=\"small\" title=\"%s\" style=\"font-family:monospace\">"
                           "%.19s&#8230;</td></tr>", hex, hex);
    }
    mlops__buf_add(b, "</tbody></table></div>\n");
}

/* ---- Alert events ------------------------------------------------------------------- */

static void events_section(mlops__buf *b, const mlops__monitor_page *p, int64_t from, int64_t to)
{
    size_t first = 0, n = 0;
    for (size_t k = 0; k < p->n_ev; k++) {
        if (p->ev[k].window_start_ms < from || p->ev[k].window_start_ms >= to) continue;
        if (!n++) first = k;
    }
    mlops__buf_add(b, "<h2 id=\"events\">Alert events</h2><p class=\"sub\">");
    if (!n) {
        mlops__buf_add(b, "No alert event for these windows: the alert never changed state.</p>\n");
        return;
    }
    size_t skip = n > EVENTS_MAX ? n - EVENTS_MAX : 0;
    mlops__html_count(b, n);
    mlops__buf_add(b, n == 1 ? " change of state" : " changes of state");
    if (skip) {
        mlops__buf_add(b, "; the latest ");
        mlops__html_count(b, EVENTS_MAX);
        mlops__buf_add(b, " are listed (every alert is shaded in the charts)");
    }
    mlops__buf_add(b, ". An alert covers the windows from the one whose judgment fired it to the one"
                      " whose judgment resolved it.</p><div class=\"wide\"><table class=\"grid\"><thead>"
                      "<tr><th>#</th><th>Event</th><th>Window</th><th>Breaches</th><th>Judged at</th>"
                      "</tr></thead><tbody>");
    size_t seen = 0;
    for (size_t k = first; k < p->n_ev; k++) {
        const mlops_monitor_event *e = &p->ev[k];
        if (e->window_start_ms < from || e->window_start_ms >= to) continue;
        if (seen++ < skip) continue;
        int fire = e->kind == MLOPS_MONITOR_EVENT_FIRING;
        mlops__buf_addf(b, "<tr><td class=\"n\">%lld</td><td class=\"%s\">%s</td><td class=\"nw\">",
                        (long long)e->seq, fire ? "bad" : "", fire ? "firing" : "resolved");
        mlops__monitor_page_when(b, p, e->window_start_ms);
        mlops__buf_add(b, " <span class=\"small\">to ");
        mlops__monitor_page_when(b, p, e->window_end_ms);
        mlops__buf_addf(b, "</span></td><td class=\"n\">%u of %u</td><td class=\"nw\">", e->breaches,
                        e->considered);
        mlops__html_utc(b, e->checked_ms);
        mlops__buf_add(b, "</td></tr>");
    }
    mlops__buf_add(b, "</tbody></table></div>\n");
}

/* ---- The page ------------------------------------------------------------------------ */

MLOPS_API int mlops_monitor_page_html(mlops_store *s, const char *name,
                                      const mlops_monitor_page_opts *opts, char **html)
{
    if (!html) return mlops__err_null(__func__, "html");
    *html = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!name) return mlops__err_null(__func__, "name");
    mlops_monitor_page_opts d = MLOPS_MONITOR_PAGE_OPTS_INIT;
    const mlops_monitor_page_opts *o = opts ? opts : &d;
    if (mlops__opts_check(__func__, o->version, MLOPS_MONITOR_PAGE_OPTS_VERSION,
                          "mlops_monitor_page_opts_init"))
        return MLOPS_EINVAL;
    int rc = mlops__html_check_text(__func__, "the title", o->title);
    if (rc) return rc;
    if (o->from_ms >= o->to_ms)
        return mlops__err(MLOPS_EINVAL, "%s: from_ms %lld is not before to_ms %lld", __func__,
                          (long long)o->from_ms, (long long)o->to_ms);
    if (o->max_points && (o->max_points < 3 || o->max_points > MLOPS_MONITOR_PAGE_POINTS_MAX))
        return mlops__err(MLOPS_EINVAL, "%s: max_points %zu is not in 3..%d", __func__, o->max_points,
                          MLOPS_MONITOR_PAGE_POINTS_MAX);
    mlops__monitor_page p;
    if ((rc = mlops__monitor_page_load(s, __func__, name, o->from_ms, o->to_ms, &p))) return rc;
    p.max_points = o->max_points ? o->max_points : DEFAULT_POINTS;

    mlops__buf title = MLOPS__BUF_INIT, b = MLOPS__BUF_INIT;
    if (o->title) mlops__buf_add(&title, o->title);
    else mlops__buf_addf(&title, "Monitor %s", mlops_monitor_name(p.m));
    const char *t = mlops__buf_str(&title);
    if (!t) rc = mlops__err_nomem("writing the monitor page");
    if (!rc) {
        mlops__html_page_begin(&b, t, css);
        mlops__buf_add(&b, "<h1><bdi>");
        mlops__html_esc(&b, t);
        mlops__buf_add(&b, "</bdi></h1><p class=\"sub\">");
        if (o->title) {
            mlops__buf_add(&b, "Monitor <bdi>");
            mlops__html_esc(&b, mlops_monitor_name(p.m));
            mlops__buf_add(&b, "</bdi> &#183; ");
        }
        mlops__buf_addf(&b, "%zu column%s &#183; windows of ", p.spec.n_columns,
                        p.spec.n_columns == 1 ? "" : "s");
        if (p.by_rows) {
            mlops__html_count(&b, p.ext.window_rows);
            mlops__buf_add(&b, " rows");
        } else {
            length(&b, p.spec.window_ms);
        }
        mlops__buf_addf(&b, " &#183; alert %u of %u &#183; <span class=\"state %s\">%s</span></p>\n",
                        p.spec.alert_m, p.spec.alert_n, state_word(p.st.state), state_word(p.st.state));
        state_section(&b, &p);
        spec_section(&b, &p);
        columns_table(&b, &p);
        rc = mlops__monitor_page_charts(&b, &p);
    }
    if (!rc) {
        events_section(&b, &p, o->from_ms, o->to_ms);
        mlops__html_page_end(&b, o->generated_ms,
                             " Alerts are shaded in orange; windows with not enough data and late"
                             " ones are marked at the foot of each chart in two rows; thresholds are"
                             " dashed (Okabe&#8211;Ito colours, safe for colour-blind readers). Every"
                             " chart has its numbers in the table beside it.");
    }
    mlops__buf_free(&title);
    mlops__monitor_page_clear(&p);
    if (rc) {
        mlops__buf_free(&b);
        return rc;
    }
    return mlops__buf_take(&b, html, __func__);
}
