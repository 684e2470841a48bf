/* The run comparison page (mlops_run_compare_html in track.h): runs,
 * one chart per metric with a table beside it, final/min/max values and
 * params side by side. Series styles follow the run's position, so a run
 * looks the same in every chart and table. */
#include "track/compare_internal.h"
#include "track/track_internal.h"
#include "util/buf.h"
#include "util/chart.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/html.h"
#include "util/opts.h"
#include "util/palette.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_POINTS 1000

MLOPS_API int mlops_run_compare_opts_init(mlops_run_compare_opts *opts, unsigned version)
{
    static const mlops_run_compare_opts defaults = MLOPS_RUN_COMPARE_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_RUN_COMPARE_OPTS_VERSION);
}

static const char css[] =
    ":root{--line:#d9dde3;--muted:#5d6673}" MLOPS__HTML_BASE_CSS
    ".sub{color:var(--muted);margin:0 0 20px}"
    ".wide{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:8px}"
    ".grid{width:100%}"
    ".grid th,.grid td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top;overflow-wrap:anywhere}"
    ".grid thead th{background:#eef1f5;font-weight:600;font-size:13px;color:#3a4350;"
    "white-space:nowrap}"
    ".grid tbody th{font-weight:600}"
    ".grid td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".id{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px}"
    ".small{display:block;font-size:12px;color:var(--muted);font-weight:400;white-space:normal}"
    MLOPS__PALETTE_CSS
    ".metric{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 18px;"
    "margin:14px 0}"
    ".metric h3{font-size:17px;margin:0 0 10px;overflow-wrap:anywhere}"
    ".metric .body{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}"
    ".metric figure{flex:3 1 500px}"
    ".chart svg text{font-size:12px}"
    ".metric .side{flex:1 1 400px;min-width:280px;font-size:13px;overflow-x:auto}"
    ".side .grid th,.side .grid td{padding:4px 6px}"
    ".side tbody th,.side .small{white-space:nowrap}"
    ".grid caption{text-align:left;font-size:13px;color:var(--muted);padding:4px 0}"
    ".across{table-layout:fixed}.across tbody th{width:22%}.across thead th{white-space:normal}"
    ".wide+.wide{margin-top:12px}"
    "tr.diff{background:#fff1e0}"
    ".mark{color:#b3261e;font-weight:700;margin-right:6px}"
    ".missing{color:var(--muted)}"
    ".bad{color:#b3261e;font-weight:600}"
    ".grid td.nw{white-space:nowrap;overflow-wrap:normal}";

/* ---- Runs ------------------------------------------------------------------ */

/* A run as table rows and headers name it: its line's sample and its
 * label, cut to max code points (0: whole). */
static void run_head(mlops__buf *b, const mlops__compare *cmp, size_t r, size_t max)
{
    mlops__palette_swatch(b, r);
    mlops__buf_add(b, "<bdi>");
    if (max) mlops__html_esc_trunc(b, cmp->labels[r], max);
    else mlops__html_esc(b, cmp->labels[r]);
    mlops__buf_add(b, "</bdi>");
}

static void status_cell(mlops__buf *b, const mlops_run_info *ri)
{
    int st = mlops_run_info_status(ri);
    const char *name = mlops_run_status_name(st);
    mlops__buf_add(b, st == MLOPS_RUN_FAILED || st == MLOPS_RUN_KILLED ? "<td class=\"nw bad\">"
                                                                      : "<td class=\"nw\">");
    mlops__buf_add(b, name ? name : "?");
    if (mlops_run_info_deleted_ms(ri)) mlops__buf_add(b, ", deleted");
    mlops__buf_add(b, "</td>");
}

/* to - from, saturated: times are any int64 (track.h). */
static int64_t ms_between(int64_t from, int64_t to)
{
    int64_t d;
    if (__builtin_sub_overflow(to, from, &d)) d = to > from ? INT64_MAX : INT64_MIN;
    return d;
}

static void duration_cell(mlops__buf *b, const mlops_run_info *ri, int64_t now_ms)
{
    int64_t start = mlops_run_info_start_ms(ri), end = mlops_run_info_end_ms(ri);
    mlops__buf_add(b, "<td class=\"n\">");
    if (end) {
        mlops__html_duration(b, ms_between(start, end));
    } else {
        mlops__buf_add(b, "running");
        if (now_ms > 0) {
            mlops__buf_add(b, ", ");
            mlops__html_duration(b, ms_between(start, now_ms));
            mlops__buf_add(b, " so far");
        }
    }
    mlops__buf_add(b, "</td>");
}

static void runs_table(mlops__buf *b, const mlops__compare *cmp, int64_t now_ms)
{
    mlops__buf_add(b, "<h2>Runs</h2><div class=\"wide\"><table class=\"grid\"><thead><tr>"
                      "<th>Run</th><th>ID</th><th>Experiment</th><th>Status</th>"
                      "<th>Started</th><th>Duration</th></tr></thead><tbody>");
    for (size_t r = 0; r < cmp->n_runs; r++) {
        const mlops_run_info *ri = cmp->runs[r];
        mlops__buf_add(b, "<tr><th scope=\"row\">");
        run_head(b, cmp, r, 0);
        mlops__buf_add(b, "</th><td class=\"id\">");
        mlops__buf_add(b, mlops_run_info_id(ri)); /* 32 hex digits */
        mlops__buf_add(b, "</td><td><bdi>");
        mlops__html_esc(b, cmp->experiments[r]);
        mlops__buf_add(b, "</bdi></td>");
        status_cell(b, ri);
        mlops__buf_add(b, "<td class=\"nw\">");
        mlops__html_utc(b, mlops_run_info_start_ms(ri));
        mlops__buf_add(b, "</td>");
        duration_cell(b, ri, now_ms);
        mlops__buf_add(b, "</tr>");
    }
    mlops__buf_add(b, "</tbody></table></div>\n");
}

/* ---- Metric charts ------------------------------------------------------------ */

/* The time axis's unit for a span of `seconds`, and seconds per unit. */
static const char *time_unit(double seconds, double *per)
{
    if (seconds < 120.0) return *per = 1.0, "s";
    if (seconds < 7200.0) return *per = 60.0, "min";
    if (seconds < 172800.0) return *per = 3600.0, "h";
    return *per = 86400.0, "d";
}

static void value_cell(mlops__buf *b, double v)
{
    mlops__buf_add(b, "<td class=\"n\">");
    mlops__html_num(b, 4, v);
    mlops__buf_add(b, "</td>");
}

/* Beside the chart, its numbers: per run how many points there are, the
 * last value (and its step), min and max, to 4 digits: the table must fit
 * beside the chart (the summary table below has 6). */
static void side_table(mlops__buf *b, const mlops__compare *cmp, size_t m)
{
    mlops__buf_add(b, "<div class=\"side\"><table class=\"grid\"><caption>");
    mlops__html_esc(b, cmp->keys[m]);
    mlops__buf_add(b, " per run</caption><thead><tr><th>Run</th><th>Final</th><th>Min</th>"
                      "<th>Max</th></tr></thead><tbody>");
    for (size_t r = 0; r < cmp->n_runs; r++) {
        const mlops__curve *cv = &cmp->curves[m * cmp->n_runs + r];
        const mlops_metric_summary *s = mlops_run_info_metric(cmp->runs[r], cmp->keys[m]);
        if (!cv->present || !s) continue;
        mlops__buf_add(b, "<tr><th scope=\"row\">");
        run_head(b, cmp, r, 16);
        /* How many points; how many are drawn, the chart's note says. */
        mlops__buf_add(b, "<span class=\"small\">");
        mlops__html_count(b, cv->total);
        mlops__buf_add(b, cv->total == 1 ? " point</span>" : " points</span>");
        mlops__buf_add(b, "</th><td class=\"n\">");
        mlops__html_num(b, 4, s->last);
        mlops__buf_addf(b, "<span class=\"small\">step %lld</span></td>", (long long)s->last_step);
        value_cell(b, s->min);
        value_cell(b, s->max);
        mlops__buf_add(b, "</tr>");
    }
    mlops__buf_add(b, "</tbody></table></div>");
}

/* What the chart leaves out, said on the chart: the downsampling and the
 * values no axis can hold. */
static void chart_note(mlops__buf *note, const mlops__compare *cmp, size_t m, size_t max_points)
{
    uint64_t longest = 0, nonfinite = 0;
    int cut = 0;
    for (size_t r = 0; r < cmp->n_runs; r++) {
        const mlops__curve *cv = &cmp->curves[m * cmp->n_runs + r];
        if (!cv->present) continue;
        if (cv->finite > longest) longest = cv->finite;
        nonfinite += cv->total - cv->finite;
        cut |= cv->n < cv->finite;
    }
    if (longest == 0) {
        mlops__buf_add(note, "No finite value to draw");
    } else if (cut) {
        mlops__buf_add(note, "Downsampled (LTTB): at most ");
        mlops__html_count(note, max_points);
        mlops__buf_add(note, " of up to ");
        mlops__html_count(note, longest);
        mlops__buf_add(note, " points drawn per curve");
    } else {
        mlops__buf_add(note, "Every point drawn");
    }
    if (nonfinite) {
        mlops__buf_add(note, "; ");
        mlops__html_count(note, nonfinite);
        mlops__buf_add(note, nonfinite == 1 ? " NaN or infinite value left out"
                                            : " NaN or infinite values left out");
    }
}

static int metric_section(mlops__buf *b, const mlops__compare *cmp, size_t m, int x_axis,
                          size_t max_points)
{
    size_t ns = 0, runs_with = 0;
    mlops__chart_series *series = malloc(cmp->n_runs * sizeof *series);
    if (!series) return mlops__err_nomem("comparing runs");
    double xmax = 0.0;
    for (size_t r = 0; r < cmp->n_runs; r++) {
        mlops__curve *cv = &cmp->curves[m * cmp->n_runs + r];
        runs_with += cv->present != 0;
        if (!cv->n) continue;
        series[ns++] = (mlops__chart_series){ cmp->labels[r], cv->x, cv->y, cv->n, r };
        for (size_t i = 0; i < cv->n; i++) xmax = fmax(xmax, fabs(cv->x[i]));
    }
    mlops__buf x_label = MLOPS__BUF_INIT, title = MLOPS__BUF_INIT, note = MLOPS__BUF_INIT;
    if (x_axis == MLOPS_RUN_COMPARE_X_TIME) {
        double per = 1.0;
        const char *unit = time_unit(xmax, &per);
        mlops__buf_addf(&x_label, "Time since the run started (%s)", unit);
        /* Each curve belongs to this chart only: scaled in place. */
        for (size_t k = 0; k < ns; k++)
            for (size_t i = 0; i < series[k].n; i++) ((double *)series[k].x)[i] /= per;
    } else {
        mlops__buf_add(&x_label, "Step");
    }
    mlops__buf_addf(&title, "%s by %s, %zu run%s", cmp->keys[m],
                    x_axis == MLOPS_RUN_COMPARE_X_TIME ? "time" : "step", runs_with,
                    runs_with == 1 ? "" : "s");
    chart_note(&note, cmp, m, max_points);
    mlops__chart chart = { mlops__buf_str(&title), mlops__buf_str(&x_label), cmp->keys[m],
                           mlops__buf_str(&note), x_axis == MLOPS_RUN_COMPARE_X_STEP, series, ns };
    int rc = MLOPS_OK;
    if (!chart.title || !chart.x_label || !chart.note) {
        rc = mlops__err_nomem("comparing runs");
    } else {
        mlops__buf_addf(b, "<section class=\"metric\" id=\"metric-%zu\"><h3>", m + 1);
        mlops__html_esc(b, cmp->keys[m]);
        mlops__buf_add(b, "</h3><div class=\"body\"><figure class=\"chart\">");
        mlops__chart_lines(b, &chart);
        mlops__buf_add(b, "</figure>");
        side_table(b, cmp, m);
        mlops__buf_add(b, "</div></section>\n");
    }
    mlops__buf_free(&x_label);
    mlops__buf_free(&title);
    mlops__buf_free(&note);
    free(series);
    return rc;
}

/* ---- Tables across runs ----------------------------------------------------------- */

/* Tables with a column per run hold at most this many runs each; more
 * runs make more tables, one under the other, so that no table is wider
 * than the page (on screen or on paper). */
#define RUNS_PER_TABLE 6

static void block_begin(mlops__buf *b, const mlops__compare *cmp, const char *first, size_t r0,
                        size_t r1)
{
    mlops__buf_add(b, "<div class=\"wide\"><table class=\"grid across\">");
    if (r0 > 0 || r1 < cmp->n_runs)
        mlops__buf_addf(b, "<caption>Runs %zu&#8211;%zu of %zu</caption>", r0 + 1, r1,
                        cmp->n_runs);
    mlops__buf_add(b, "<thead><tr><th>");
    mlops__buf_add(b, first);
    mlops__buf_add(b, "</th>");
    for (size_t r = r0; r < r1; r++) {
        mlops__buf_add(b, "<th>");
        run_head(b, cmp, r, 40);
        mlops__buf_add(b, "</th>");
    }
    mlops__buf_add(b, "</tr></thead><tbody>");
}

static void block_end(mlops__buf *b)
{
    mlops__buf_add(b, "</tbody></table></div>\n");
}

static void missing_cell(mlops__buf *b)
{
    mlops__buf_add(b, "<td class=\"missing\">\xE2\x80\x94</td>"); /* em dash: none */
}

/* One row per metric, one column per run: the final value, and min and
 * max under it. */
static void summary_table(mlops__buf *b, const mlops__compare *cmp)
{
    mlops__buf_add(b, "<h2>Final, min and max</h2>");
    for (size_t r0 = 0; r0 < cmp->n_runs; r0 += RUNS_PER_TABLE) {
        size_t r1 = cmp->n_runs - r0 > RUNS_PER_TABLE ? r0 + RUNS_PER_TABLE : cmp->n_runs;
        block_begin(b, cmp, "Metric", r0, r1);
        for (size_t m = 0; m < cmp->n_metrics; m++) {
            mlops__buf_addf(b, "<tr><th scope=\"row\"><a href=\"#metric-%zu\">", m + 1);
            mlops__html_esc(b, cmp->keys[m]);
            mlops__buf_add(b, "</a></th>");
            for (size_t r = r0; r < r1; r++) {
                const mlops_metric_summary *s = mlops_run_info_metric(cmp->runs[r], cmp->keys[m]);
                if (!s) {
                    missing_cell(b);
                    continue;
                }
                mlops__buf_add(b, "<td class=\"n\">");
                mlops__html_num(b, 6, s->last);
                mlops__buf_add(b, "<span class=\"small\">min ");
                mlops__html_num(b, 4, s->min);
                mlops__buf_add(b, ", max ");
                mlops__html_num(b, 4, s->max);
                mlops__buf_add(b, "</span></td>");
            }
            mlops__buf_add(b, "</tr>");
        }
        block_end(b);
    }
}

/* Params side by side: one row per key, one column per run; a row
 * where the runs differ (another value, or no value) is marked. */
static void params_table(mlops__buf *b, const mlops__compare *cmp)
{
    size_t differ = 0;
    for (size_t k = 0; k < cmp->n_params; k++) differ += cmp->param_differs[k];
    mlops__buf_add(b, "<h2>Params</h2>");
    if (!cmp->n_params) {
        mlops__buf_add(b, "<p class=\"sub\">No run has params.</p>\n");
        return;
    }
    mlops__buf_addf(b, "<p class=\"sub\">%zu of %zu param%s differ%s between the runs, marked "
                       "<span class=\"mark\">\xE2\x89\xA0</span>.</p>",
                    differ, cmp->n_params, cmp->n_params == 1 ? "" : "s", differ == 1 ? "s" : "");
    for (size_t r0 = 0; r0 < cmp->n_runs; r0 += RUNS_PER_TABLE) {
        size_t r1 = cmp->n_runs - r0 > RUNS_PER_TABLE ? r0 + RUNS_PER_TABLE : cmp->n_runs;
        block_begin(b, cmp, "Param", r0, r1);
        for (size_t k = 0; k < cmp->n_params; k++) {
            const char *key = cmp->param_keys[k];
            mlops__buf_add(b, cmp->param_differs[k] ? "<tr class=\"diff\"><th scope=\"row\">"
                                                       "<span class=\"mark\" title=\"differs\">"
                                                       "\xE2\x89\xA0</span>"
                                                     : "<tr><th scope=\"row\">");
            mlops__html_esc(b, key);
            mlops__buf_add(b, "</th>");
            for (size_t r = r0; r < r1; r++) {
                const char *v = mlops_run_info_param(cmp->runs[r], key);
                if (!v) {
                    missing_cell(b);
                    continue;
                }
                mlops__buf_add(b, "<td><bdi>");
                mlops__html_esc(b, v);
                mlops__buf_add(b, "</bdi></td>");
            }
            mlops__buf_add(b, "</tr>");
        }
        block_end(b);
    }
}

/* ---- The page ------------------------------------------------------------------- */

static int check_args(const char *fn, const char *const *run_ids, size_t n,
                      const mlops_run_compare_opts *o)
{
    if (!run_ids) return mlops__err_null(fn, "run_ids");
    if (n == 0) return mlops__err(MLOPS_EINVAL, "%s: no run to compare (n is 0)", fn);
    if (mlops__check_array(fn, "run_ids", run_ids, n, sizeof *run_ids)) return MLOPS_EINVAL;
    for (size_t i = 0; i < n; i++) {
        int rc = mlops__track_check_run_id(fn, run_ids[i]);
        if (rc) return rc;
    }
    /* Repeats: sorted copies of the pointers, neighbours compared. */
    const char **sorted = malloc(n * sizeof *sorted);
    if (!sorted) return mlops__err_nomem("comparing runs");
    memcpy(sorted, run_ids, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, mlops__compare_key_cmp);
    int rc = MLOPS_OK;
    for (size_t i = 1; i < n && !rc; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0)
            rc = mlops__err(MLOPS_EINVAL, "%s: run %s is given twice", fn, sorted[i]);
    free(sorted);
    if (rc) return rc;
    if (mlops__opts_check(fn, o->version, MLOPS_RUN_COMPARE_OPTS_VERSION,
                          "mlops_run_compare_opts_init"))
        return MLOPS_EINVAL;
    if ((rc = mlops__html_check_text(fn, "the title", o->title))) return rc;
    if (o->x_axis != MLOPS_RUN_COMPARE_X_STEP && o->x_axis != MLOPS_RUN_COMPARE_X_TIME)
        return mlops__err(MLOPS_EINVAL, "%s: unknown x_axis %d", fn, o->x_axis);
    if (o->max_points != 0 && (o->max_points < 3 || o->max_points > MLOPS_RUN_COMPARE_POINTS_MAX))
        return mlops__err(MLOPS_EINVAL, "%s: max_points %zu is not between 3 and %d", fn,
                          o->max_points, MLOPS_RUN_COMPARE_POINTS_MAX);
    return MLOPS_OK;
}

MLOPS_API int mlops_run_compare_html(mlops_store *s, const char *const *run_ids, size_t n,
                                     const mlops_run_compare_opts *opts, char **html)
{
    if (!html) return mlops__err_null(__func__, "html");
    *html = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    mlops_run_compare_opts d = MLOPS_RUN_COMPARE_OPTS_INIT;
    const mlops_run_compare_opts *o = opts ? opts : &d;
    int rc = check_args(__func__, run_ids, n, o);
    if (rc) return rc;
    size_t max_points = o->max_points ? o->max_points : DEFAULT_POINTS;
    mlops__compare cmp;
    rc = mlops__compare_load(s, __func__, run_ids, n, max_points, o->x_axis, &cmp);
    if (rc) return rc;

    const char *title = o->title ? o->title : "Run comparison";
    int64_t now_ms = o->generated_ms > 0 ? o->generated_ms : o->generated_ms == 0 ? mlops__now_ms() : 0;
    mlops__buf b = MLOPS__BUF_INIT;
    mlops__html_page_begin(&b, title, css);
    mlops__buf_add(&b, "<h1>");
    mlops__html_esc(&b, title);
    mlops__buf_addf(&b, "</h1><p class=\"sub\">%zu run%s &#183; %zu metric%s &#183; %zu param%s"
                        " &#183; x axis: %s</p>\n",
                    cmp.n_runs, cmp.n_runs == 1 ? "" : "s", cmp.n_metrics,
                    cmp.n_metrics == 1 ? "" : "s", cmp.n_params, cmp.n_params == 1 ? "" : "s",
                    o->x_axis == MLOPS_RUN_COMPARE_X_TIME ? "time since each run started" : "step");
    runs_table(&b, &cmp, now_ms);
    mlops__buf_add(&b, "<h2>Metrics</h2>\n");
    if (!cmp.n_metrics) mlops__buf_add(&b, "<p class=\"sub\">No run has metrics.</p>\n");
    for (size_t m = 0; !rc && m < cmp.n_metrics; m++)
        rc = metric_section(&b, &cmp, m, o->x_axis, max_points);
    if (!rc && cmp.n_metrics) summary_table(&b, &cmp);
    if (!rc) params_table(&b, &cmp);
    mlops__html_page_end(&b, o->generated_ms,
                         " Runs are told apart by colour (Okabe&#8211;Ito, safe for colour-blind"
                         " readers) and by dash pattern; every chart has its numbers in the table"
                         " beside it. LTTB: Largest-Triangle-Three-Buckets downsampling, which"
                         " keeps a curve&#8217;s shape with few of its points.");
    mlops__compare_clear(&cmp);
    if (rc) {
        mlops__buf_free(&b);
        return rc;
    }
    return mlops__buf_take(&b, html, __func__);
}
