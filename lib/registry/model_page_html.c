/* The model page (mlops_model_page_html in registry.h): versions, aliases
 * and their splits over time (a step chart per alias with its history
 * beside it), gate decisions, signatures, lineage and the audit
 * timeline. A version's style (colour and dash) follows its number, so it
 * looks the same in every chart and table. */
#include "registry/model_page.h"
#include "util/buf.h"
#include "util/chart.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/html.h"
#include "util/opts.h"
#include "util/palette.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_model_page_opts_init(mlops_model_page_opts *opts, unsigned version)
{
    static const mlops_model_page_opts defaults = MLOPS_MODEL_PAGE_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_MODEL_PAGE_OPTS_VERSION);
}

static const char css[] =
    ":root{--line:#d9dde3;--muted:#5d6673}" MLOPS__HTML_BASE_CSS
    ".sub{color:var(--muted);margin:0 0 20px;overflow-wrap:anywhere}"
    ".wide{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:8px}"
    ".grid{width:100%}"
    ".grid th,.grid td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top;overflow-wrap:anywhere}"
    ".grid thead th{background:#eef1f5;font-weight:600;font-size:13px;color:#3a4350;"
    "white-space:nowrap}"
    ".grid tbody th{font-weight:600}"
    ".grid td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".grid td.nw{white-space:nowrap;overflow-wrap:normal}"
    ".grid caption{text-align:left;font-size:13px;color:var(--muted);padding:4px 0}"
    ".id{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px}"
    ".small{display:block;font-size:12px;color:var(--muted);font-weight:400}"
    MLOPS__PALETTE_CSS
    ".card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 18px;"
    "margin:14px 0}"
    ".card h3{font-size:17px;margin:0 0 10px;overflow-wrap:anywhere}"
    ".card .body{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}"
    ".card figure{flex:3 1 500px}"
    ".card .side{flex:1 1 360px;min-width:280px;font-size:13px;overflow-x:auto}"
    ".side .grid th,.side .grid td{padding:4px 6px}"
    ".pass{color:#1d6b3a;font-weight:600}.bad{color:#b3261e;font-weight:600}"
    ".missing{color:var(--muted)}"
    "@media print{.grid th,.grid td,.grid thead th{white-space:normal!important;padding:4px 5px}"
    ".id{overflow-wrap:anywhere;word-break:break-all}}";

/* ---- Small cells ------------------------------------------------------------ */

/* Escaped text of a column the log's kinds always fill; nothing for NULL
 * (a row edited in the database must not crash the page). */
static void esc_opt(mlops__buf *b, const char *s)
{
    if (s) mlops__html_esc(b, s);
}

static void td_text(mlops__buf *b, const char *s)
{
    if (!s || !*s) {
        mlops__buf_add(b, "<td class=\"missing\">\xE2\x80\x94</td>");
        return;
    }
    mlops__buf_add(b, "<td><bdi>");
    mlops__html_esc(b, s);
    mlops__buf_add(b, "</bdi></td>");
}

static void td_time(mlops__buf *b, int64_t ms)
{
    mlops__buf_add(b, "<td class=\"nw\">");
    mlops__html_utc(b, ms);
    mlops__buf_add(b, "</td>");
}

static void td_digest(mlops__buf *b, const mlops_digest *d)
{
    char hex[MLOPS_DIGEST_STRLEN];
    if (!d || mlops_digest_format(d, hex)) {
        mlops__buf_add(b, "<td class=\"missing\">\xE2\x80\x94</td>");
        return;
    }
    /* The short form people read, the whole digest in the tooltip. */
    mlops__buf_addf(b, "<td class=\"id\" title=\"%s\">%.19s&#8230;</td>", hex, hex);
}

/* Version n as tables name it: its line's sample and "v<n>". */
static void version_head(mlops__buf *b, int64_t n)
{
    mlops__palette_swatch(b, (size_t)(n > 0 ? n - 1 : 0));
    mlops__buf_addf(b, "v%lld", (long long)n);
}

/* ---- Versions ------------------------------------------------------------------ */

static const char *status_name(const mlops_model_version *v)
{
    if (mlops_model_version_deleted_ms(v)) return "deleted";
    return mlops_model_version_status(v) == MLOPS_VERSION_ARCHIVED ? "archived" : "ready";
}

static void versions_table(mlops__buf *b, const mlops__model_page *p)
{
    size_t nv = mlops_model_versions_count(p->versions);
    mlops__buf_add(b, "<h2 id=\"versions\">Versions</h2>");
    if (!nv) {
        mlops__buf_add(b, "<p class=\"sub\">No version yet.</p>\n");
        return;
    }
    mlops__buf_add(b, "<div class=\"wide\"><table class=\"grid\"><thead><tr><th>Version</th>"
                      "<th>Status</th><th>Created</th><th>Creator</th><th>Source run</th>"
                      "<th>Artifact</th><th>Signatures</th><th>Description</th></tr></thead>"
                      "<tbody>");
    for (size_t i = 0; i < nv; i++) {
        const mlops_model_version *v = mlops_model_versions_at(p->versions, i);
        const mlops_run_info *run = p->lineage[i] ? mlops_version_lineage_run(p->lineage[i]) : NULL;
        const char *st = status_name(v);
        mlops__buf_add(b, "<tr><th scope=\"row\" class=\"nw\">");
        version_head(b, mlops_model_version_number(v));
        mlops__buf_addf(b, "</th><td class=\"nw%s\">%s</td>",
                        strcmp(st, "deleted") ? "" : " bad", st);
        td_time(b, mlops_model_version_created_ms(v));
        td_text(b, mlops_model_version_creator(v));
        const char *rid = mlops_model_version_run_id(v);
        if (!rid) {
            td_text(b, NULL);
        } else {
            mlops__buf_add(b, "<td><bdi>");
            if (run && mlops_run_info_name(run)) mlops__html_esc(b, mlops_run_info_name(run));
            mlops__buf_add(b, "</bdi><span class=\"small id\">");
            mlops__html_esc(b, rid);
            mlops__buf_add(b, run ? "</span></td>" : " (record gone)</span></td>");
        }
        td_digest(b, mlops_model_version_artifact(v));
        size_t ns = mlops_model_version_signature_count(v);
        if (ns) mlops__buf_addf(b, "<td class=\"nw\">%zu signed<span class=\"small\">recorded, "
                                   "not verified</span></td>", ns);
        else mlops__buf_add(b, "<td class=\"nw missing\">unsigned</td>");
        td_text(b, mlops_model_version_description(v));
        mlops__buf_add(b, "</tr>");
    }
    mlops__buf_add(b, "</tbody></table></div>\n");
}

/* ---- Aliases and their splits over time ------------------------------------------- */

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, c = *(const int64_t *)y;
    return a < c ? -1 : a > c;
}

/* The time axis's unit for a span of `seconds`, and seconds per unit. */
static const char *time_unit(double seconds, double *per)
{
    if (seconds < 120.0) return *per = 1.0, "s";
    if (seconds < 7200.0) return *per = 60.0, "min";
    if (seconds < 172800.0) return *per = 3600.0, "h";
    return *per = 86400.0, "d";
}

static int split_share(const mlops__page_event *e, int64_t v)
{
    return e->has_split ? mlops__split_weight(&e->split, v) : 0;
}

/* The history table beside an alias's chart: each change, what it set. */
static void alias_history(mlops__buf *b, const mlops__model_page *p, const char *alias)
{
    mlops__buf_add(b, "<div class=\"side\"><table class=\"grid\"><caption>Changes of ");
    mlops__html_esc(b, alias);
    mlops__buf_add(b, "</caption><thead><tr><th>When</th><th>Split</th><th>By</th></tr></thead>"
                      "<tbody>");
    for (size_t i = 0; i < p->n_events; i++) {
        const mlops__page_event *e = &p->events[i];
        if (!e->is_alias || !e->key || strcmp(e->key, alias)) continue;
        td_time(b, e->time_ms);
        if (e->has_split) {
            char text[MLOPS__SPLIT_TEXT_MAX];
            mlops__split_encode(&e->split, text);
            mlops__buf_addf(b, "<td class=\"id\">%s</td>", text); /* digits, ':', ',', '+' */
        } else {
            mlops__buf_add(b, "<td class=\"bad\">deleted</td>");
        }
        mlops__buf_add(b, "<td><bdi>");
        esc_opt(b, e->actor);
        mlops__buf_add(b, "</bdi>");
        if (e->reason && *e->reason) {
            mlops__buf_add(b, "<span class=\"small\"><bdi>");
            mlops__html_esc_trunc(b, e->reason, 80);
            mlops__buf_add(b, "</bdi></span>");
        }
        mlops__buf_add(b, "</td></tr>");
    }
    mlops__buf_add(b, "</tbody></table></div>");
}

/* Versions drawn per alias chart at most: the highest numbers, the ones a
 * reader looks for; the chart's note says when older ones were left out,
 * and the history table beside it lists every change. */
#define VERSIONS_MAX 128

/* One step chart: per version that the alias ever routed to, its share
 * (percent) after each change, held until the next, up to end_ms. */
static int alias_section(mlops__buf *b, const mlops__model_page *p, const char *alias,
                         size_t idx, int64_t end_ms)
{
    size_t ne = 0, nv = 0;
    int64_t t0 = 0, vers[VERSIONS_MAX];
    int64_t *all = NULL;
    for (size_t i = 0; i < p->n_events; i++) {
        const mlops__page_event *e = &p->events[i];
        if (!e->is_alias || !e->key || strcmp(e->key, alias)) continue;
        if (!ne++) t0 = e->time_ms;
    }
    all = malloc((ne * MLOPS__SPLIT_MAX + 1) * sizeof *all);
    if (!all) return mlops__err_nomem("writing the model page");
    size_t na = 0, last = 0;
    for (size_t i = 0; i < p->n_events; i++) {
        const mlops__page_event *e = &p->events[i];
        if (!e->is_alias || !e->key || strcmp(e->key, alias)) continue;
        last = i;
        for (size_t k = 0; e->has_split && k < e->split.n; k++) all[na++] = e->split.leg[k].version;
    }
    qsort(all, na, sizeof *all, cmp_i64);
    size_t distinct = 0;
    for (size_t i = 0; i < na; i++)
        if (!i || all[i] != all[i - 1]) distinct++;
    size_t skip = distinct > VERSIONS_MAX ? distinct - VERSIONS_MAX : 0, seen = 0;
    for (size_t i = 0; i < na; i++)
        if ((!i || all[i] != all[i - 1]) && seen++ >= skip) vers[nv++] = all[i];
    free(all);
    if (end_ms < p->events[last].time_ms) end_ms = p->events[last].time_ms;
    double per = 1.0;
    const char *unit = time_unit((double)(end_ms - t0) / 1000.0, &per);
    /* Two points per change (the share before and after it) and the end. */
    size_t cap = 2 * ne + 1;
    double *xy = malloc(nv * cap * 2 * sizeof *xy);
    mlops__chart_series *series = malloc((nv ? nv : 1) * sizeof *series);
    if (!xy || !series) {
        free(xy);
        free(series);
        return mlops__err_nomem("writing the model page");
    }
    char labels[VERSIONS_MAX][24];
    for (size_t k = 0; k < nv; k++) {
        double *x = xy + k * cap * 2, *y = x + cap;
        size_t n = 0;
        int prev = -1;
        for (size_t i = 0; i < p->n_events; i++) {
            const mlops__page_event *e = &p->events[i];
            if (!e->is_alias || !e->key || strcmp(e->key, alias)) continue;
            double t = (double)(e->time_ms - t0) / 1000.0 / per;
            int w = split_share(e, vers[k]);
            if (prev >= 0) x[n] = t, y[n++] = prev;
            x[n] = t, y[n++] = w;
            prev = w;
        }
        x[n] = (double)(end_ms - t0) / 1000.0 / per, y[n++] = prev;
        series[k] = (mlops__chart_series){ NULL, x, y, n, (size_t)(vers[k] - 1) };
    }
    int rc = MLOPS_OK;
    for (size_t k = 0; k < nv; k++) {
        snprintf(labels[k], sizeof labels[k], "v%lld", (long long)vers[k]);
        series[k].label = labels[k];
    }
    mlops__buf title = MLOPS__BUF_INIT, xl = MLOPS__BUF_INIT, note = MLOPS__BUF_INIT;
    mlops__buf_add(&title, "Share of traffic per version of alias ");
    mlops__buf_add(&title, alias);
    mlops__buf_addf(&xl, "Time since the alias was first set (%s)", unit);
    mlops__buf_add(&note, "Each step is a change in the audit log; the last value holds "
                          "until the page was made");
    if (skip)
        mlops__buf_addf(&note, ". Drawn: the %zu highest of the %zu versions the alias routed "
                               "to; the table beside it lists every change",
                        nv, distinct);
    if (!mlops__buf_str(&title) || !mlops__buf_str(&xl) || !mlops__buf_str(&note))
        rc = mlops__err_nomem("writing the model page");
    if (!rc) {
        mlops__chart chart = { mlops__buf_str(&title), mlops__buf_str(&xl), "Share (%)",
                               mlops__buf_str(&note), 0, series, nv };
        mlops__buf_addf(b, "<section class=\"card\" id=\"alias-%zu\"><h3>Alias <bdi>", idx + 1);
        mlops__html_esc(b, alias);
        mlops__buf_add(b, "</bdi></h3><div class=\"body\"><figure class=\"chart\">");
        mlops__chart_lines(b, &chart);
        mlops__buf_add(b, "</figure>");
        alias_history(b, p, alias);
        mlops__buf_add(b, "</div></section>\n");
    }
    mlops__buf_free(&title);
    mlops__buf_free(&xl);
    mlops__buf_free(&note);
    free(xy);
    free(series);
    return rc;
}

static int aliases_section(mlops__buf *b, const mlops__model_page *p, int64_t end_ms)
{
    mlops__buf_add(b, "<h2 id=\"aliases\">Aliases and their splits over time</h2>");
    size_t na = 0;
    const char **names = malloc((p->n_events ? p->n_events : 1) * sizeof *names);
    if (!names) return mlops__err_nomem("writing the model page");
    for (size_t i = 0; i < p->n_events; i++)
        if (p->events[i].is_alias && p->events[i].key) names[na++] = p->events[i].key;
    qsort(names, na, sizeof *names, cmp_str);
    size_t nd = 0;
    for (size_t i = 0; i < na; i++)
        if (!nd || strcmp(names[i], names[nd - 1])) names[nd++] = names[i];
    /* Now: what each alias points at. */
    size_t nnow = mlops_model_alias_count(p->model);
    if (!nd) mlops__buf_add(b, "<p class=\"sub\">No alias was ever set.</p>\n");
    else if (!nnow) mlops__buf_add(b, "<p class=\"sub\">No alias is set now.</p>\n");
    else {
        mlops__buf_add(b, "<p class=\"sub\">Now: ");
        for (size_t i = 0; i < nnow; i++) {
            const char *a = NULL;
            int64_t v = 0;
            if (mlops_model_alias_at(p->model, i, &a, &v)) continue;
            mlops__buf_add(b, i ? ", <bdi>" : "<bdi>");
            mlops__html_esc(b, a);
            mlops__buf_addf(b, "</bdi> &#8594; v%lld", (long long)v);
        }
        mlops__buf_add(b, " (the largest share of a split).</p>\n");
    }
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < nd; i++) rc = alias_section(b, p, names[i], i, end_ms);
    free(names);
    return rc;
}

/* ---- Gate decisions -------------------------------------------------------------- */

static void value_cell(mlops__buf *b, int known, double v)
{
    if (!known) {
        mlops__buf_add(b, "<td class=\"n missing\">unknown</td>");
        return;
    }
    mlops__buf_add(b, "<td class=\"n\">");
    mlops__html_num(b, 6, v);
    mlops__buf_add(b, "</td>");
}

static void decisions_section(mlops__buf *b, const mlops__model_page *p)
{
    size_t nd = 0;
    for (size_t i = 0; i < p->n_events; i++) nd += p->events[i].is_decision;
    mlops__buf_add(b, "<h2 id=\"gates\">Gate decisions</h2>");
    if (!nd) {
        mlops__buf_add(b, "<p class=\"sub\">No gate has decided a move of this model's "
                          "aliases.</p>\n");
        return;
    }
    mlops__buf_add(b, "<div class=\"wide\"><table class=\"grid\"><thead><tr><th>When</th>"
                      "<th>Move</th><th>Verdict</th><th>Candidate</th><th>Condition</th>"
                      "<th>Outcome</th><th>Candidate&#8217;s value</th><th>Compared with</th>"
                      "</tr></thead><tbody>");
    for (size_t i = 0; i < p->n_events; i++) {
        const mlops__page_event *e = &p->events[i];
        if (!e->is_decision) continue;
        size_t rows = e->n_checks ? e->n_checks : 1;
        mlops__buf_addf(b, "<tr><td class=\"nw\" rowspan=\"%zu\">", rows);
        mlops__html_utc(b, e->time_ms);
        mlops__buf_addf(b, "<span class=\"small\">event %lld</span></td><td rowspan=\"%zu\">"
                           "<bdi>", (long long)e->seq, rows);
        esc_opt(b, e->key);
        mlops__buf_add(b, "</bdi>: ");
        mlops__html_esc(b, e->kind);
        if (e->target) {
            mlops__buf_add(b, " to <span class=\"id\">");
            mlops__html_esc(b, e->target);
            mlops__buf_add(b, "</span>");
        }
        if (e->baseline) mlops__buf_addf(b, "<span class=\"small\">baseline v%lld</span>",
                                         (long long)e->baseline);
        int passed = e->new_value && !strcmp(e->new_value, "passed");
        mlops__buf_addf(b, "</td><td rowspan=\"%zu\" class=\"%s\">", rows, passed ? "pass" : "bad");
        esc_opt(b, e->new_value);
        mlops__buf_add(b, "</td>");
        if (!e->n_checks) mlops__buf_add(b, "<td colspan=\"5\" class=\"missing\">no candidate"
                                            "</td></tr>");
        for (size_t k = 0; k < e->n_checks; k++) {
            const mlops__page_check *c = &e->checks[k];
            if (k) mlops__buf_add(b, "<tr>");
            mlops__buf_add(b, "<td class=\"nw\">");
            version_head(b, c->candidate);
            mlops__buf_add(b, "</td><td class=\"id\"><bdi>");
            mlops__html_esc(b, c->condition);
            mlops__buf_add(b, "</bdi><span class=\"small\"><bdi>");
            mlops__html_esc(b, c->why);
            mlops__buf_addf(b, "</bdi></span></td><td class=\"%s\">",
                            !strcmp(c->outcome, "fail") ? "bad" : "pass");
            mlops__html_esc(b, c->outcome);
            mlops__buf_add(b, "</td>");
            value_cell(b, c->left_known, c->left);
            value_cell(b, c->right_known, c->right);
            mlops__buf_add(b, "</tr>");
        }
    }
    mlops__buf_add(b, "</tbody></table></div>\n");
}

/* ---- Signatures ------------------------------------------------------------------ */

static void signatures_section(mlops__buf *b, const mlops__model_page *p)
{
    size_t nv = mlops_model_versions_count(p->versions), total = 0;
    for (size_t i = 0; i < nv; i++)
        total += mlops_model_version_signature_count(mlops_model_versions_at(p->versions, i));
    mlops__buf_add(b, "<h2 id=\"signatures\">Signatures</h2>");
    if (!total) {
        mlops__buf_add(b, "<p class=\"sub\">No version is signed.</p>\n");
        return;
    }
    mlops__buf_add(b, "<p class=\"sub\">Signatures as recorded; "
                      "<code>mlops model verify</code> checks them.</p>"
                      "<div class=\"wide\"><table class=\"grid\"><thead><tr><th>Version</th>"
                      "<th>Signed</th><th>Key fingerprint</th></tr></thead><tbody>");
    for (size_t i = 0; i < nv; i++) {
        const mlops_model_version *v = mlops_model_versions_at(p->versions, i);
        for (size_t k = 0; k < mlops_model_version_signature_count(v); k++) {
            mlops_digest key;
            int64_t when = 0;
            if (mlops_model_version_signature_at(v, k, &key, NULL, &when)) continue;
            mlops__buf_add(b, "<tr><th scope=\"row\" class=\"nw\">");
            version_head(b, mlops_model_version_number(v));
            mlops__buf_add(b, "</th>");
            td_time(b, when);
            char hex[MLOPS_DIGEST_STRLEN];
            mlops_digest_format(&key, hex);
            mlops__buf_addf(b, "<td class=\"id\">%s</td></tr>", hex);
        }
    }
    mlops__buf_add(b, "</tbody></table></div>\n");
}

/* ---- Audit timeline ----------------------------------------------------------------- */

static void timeline_section(mlops__buf *b, const mlops__model_page *p)
{
    mlops__buf_addf(b, "<h2 id=\"audit\">Audit timeline</h2><p class=\"sub\">%zu event%s of the "
                       "hash-chained audit log, oldest first.</p>",
                    p->n_events, p->n_events == 1 ? "" : "s");
    if (!p->n_events) return;
    mlops__buf_add(b, "<div class=\"wide\"><table class=\"grid\"><thead><tr><th>#</th>"
                      "<th>When</th><th>Actor</th><th>Action</th><th>Version</th><th>Key</th>"
                      "<th>Change</th><th>Reason</th></tr></thead><tbody>");
    for (size_t i = 0; i < p->n_events; i++) {
        const mlops__page_event *e = &p->events[i];
        mlops__buf_addf(b, "<tr><td class=\"n\">%lld</td>", (long long)e->seq);
        td_time(b, e->time_ms);
        td_text(b, e->actor);
        mlops__buf_add(b, "<td class=\"nw\">");
        mlops__html_esc(b, e->action);
        mlops__buf_add(b, "</td>");
        if (e->version) mlops__buf_addf(b, "<td class=\"n\">v%lld</td>", (long long)e->version);
        else td_text(b, NULL);
        td_text(b, e->key);
        mlops__buf_add(b, "<td><bdi>");
        if (e->old_value) mlops__html_esc_trunc(b, e->old_value, 60);
        if (e->old_value || e->new_value) mlops__buf_add(b, "</bdi> &#8594; <bdi>");
        if (e->has_split && e->split.n > 1) {
            char text[MLOPS__SPLIT_TEXT_MAX];
            mlops__split_encode(&e->split, text);
            mlops__buf_add(b, text);
        } else if (e->new_value) {
            mlops__html_esc_trunc(b, e->new_value, 60);
        }
        mlops__buf_add(b, "</bdi></td>");
        td_text(b, e->reason);
        mlops__buf_add(b, "</tr>");
    }
    mlops__buf_add(b, "</tbody></table></div>\n");
}

/* ---- The page ------------------------------------------------------------------------ */

MLOPS_API int mlops_model_page_html(mlops_store *s, const char *model,
                                    const mlops_model_page_opts *opts, char **html)
{
    if (!html) return mlops__err_null(__func__, "html");
    *html = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!model) return mlops__err_null(__func__, "model");
    mlops_model_page_opts d = MLOPS_MODEL_PAGE_OPTS_INIT;
    const mlops_model_page_opts *o = opts ? opts : &d;
    if (mlops__opts_check(__func__, o->version, MLOPS_MODEL_PAGE_OPTS_VERSION,
                          "mlops_model_page_opts_init"))
        return MLOPS_EINVAL;
    int rc = mlops__html_check_text(__func__, "the title", o->title);
    if (rc) return rc;
    mlops__model_page p;
    if ((rc = mlops__model_page_load(s, __func__, model, &p))) return rc;

    int64_t now_ms = o->generated_ms > 0 ? o->generated_ms : o->generated_ms == 0 ? mlops__now_ms() : 0;
    mlops__buf title = MLOPS__BUF_INIT, b = MLOPS__BUF_INIT;
    if (o->title) mlops__buf_add(&title, o->title);
    else mlops__buf_addf(&title, "Model %s", mlops_model_name(p.model));
    const char *t = mlops__buf_str(&title);
    if (!t) rc = mlops__err_nomem("writing the model page");
    size_t nv = mlops_model_versions_count(p.versions);
    if (!rc) {
        mlops__html_page_begin(&b, t, css);
        mlops__buf_add(&b, "<h1><bdi>");
        mlops__html_esc(&b, t);
        mlops__buf_add(&b, "</bdi></h1><p class=\"sub\">");
        const char *desc = mlops_model_description(p.model);
        if (desc && *desc) {
            mlops__buf_add(&b, "<bdi>");
            mlops__html_esc(&b, desc);
            mlops__buf_add(&b, "</bdi><br>");
        }
        mlops__buf_addf(&b, "%zu version%s &#183; %zu alias%s set &#183; created ", nv,
                        nv == 1 ? "" : "s", mlops_model_alias_count(p.model),
                        mlops_model_alias_count(p.model) == 1 ? "" : "es");
        mlops__html_utc(&b, mlops_model_created_ms(p.model));
        mlops__buf_add(&b, "</p>\n");
        versions_table(&b, &p);
        int64_t end = now_ms > 0 ? now_ms : p.n_events ? p.events[p.n_events - 1].time_ms : 0;
        rc = aliases_section(&b, &p, end);
    }
    if (!rc) {
        decisions_section(&b, &p);
        signatures_section(&b, &p);
        mlops__model_page_lineage(&b, &p);
        timeline_section(&b, &p);
        mlops__html_page_end(&b, o->generated_ms,
                             " Versions are told apart by colour (Okabe&#8211;Ito, safe for"
                             " colour-blind readers) and by dash pattern; every chart has its"
                             " numbers in the table beside it.");
    }
    mlops__buf_free(&title);
    mlops__model_page_clear(&p);
    if (rc) {
        mlops__buf_free(&b);
        return rc;
    }
    return mlops__buf_take(&b, html, __func__);
}
