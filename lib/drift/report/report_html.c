/* A drift report as one self-contained HTML page: inline CSS and SVG, no
 * script, nothing fetched. The page reads top-down: the dataset verdict,
 * a summary table, then one section per column with its figures and a
 * chart of both sides (see mlops_drift_report_html in drift.h). */
#include "drift/drift_internal.h"
#include "util/buf.h"
#include "util/html.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <math.h>
#include <string.h>

/* Chart geometry (SVG user units). */
#define CHART_W 600.0
#define PLOT_L 52.0
#define PLOT_R 12.0
#define PLOT_T 12.0

#define REF_COLOR "#3b6fb6"
#define CUR_COLOR "#e8743b"

MLOPS_API int mlops_drift_html_opts_init(mlops_drift_html_opts *opts, unsigned version)
{
    static const mlops_drift_html_opts defaults = MLOPS_DRIFT_HTML_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_DRIFT_HTML_OPTS_VERSION);
}

/* ---- The page around the columns ------------------------------------------- */

static const char css[] =
    ":root{--ref:" REF_COLOR ";--cur:" CUR_COLOR ";--drift:#b3261e;--ok:#1e7b34;--line:#d9dde3;"
    "--muted:#5d6673}" MLOPS__HTML_BASE_CSS
    "h3{font-size:17px;margin:0 0 12px;display:flex;align-items:center;gap:10px;"
    "overflow-wrap:anywhere}"
    ".sub{color:var(--muted);margin:0 0 20px}"
    ".verdict{border-radius:10px;padding:18px 22px;color:#fff;margin-bottom:8px}"
    ".verdict.drift{background:var(--drift)}.verdict.ok{background:var(--ok)}"
    ".verdict .big{font-size:24px;font-weight:700}"
    ".verdict .share{margin-top:10px;max-width:520px}"
    ".verdict svg{display:block;width:100%;height:auto}"
    ".summary{width:100%;border:1px solid var(--line);border-radius:8px}"
    ".summary th,.summary td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:left}"
    ".summary th{background:#eef1f5;font-weight:600;font-size:13px;color:#3a4350}"
    ".summary td.n,.kv td{font-variant-numeric:tabular-nums}"
    ".summary td.n{text-align:right}"
    ".summary a{color:inherit}"
    ".badge{display:inline-block;border-radius:999px;padding:1px 10px;font-size:13px;"
    "font-weight:600;color:#fff;white-space:nowrap}"
    ".badge.drift{background:var(--drift)}.badge.ok{background:var(--ok)}"
    ".col{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 20px;"
    "margin:14px 0}"
    ".col .body{display:flex;flex-wrap:wrap;gap:22px;align-items:flex-start}"
    ".kv{min-width:260px}"
    ".kv th{text-align:left;font-weight:500;color:var(--muted);padding:4px 14px 4px 0;"
    "vertical-align:top}"
    ".kv td{padding:4px 0}"
    ".key{display:inline-block;width:11px;height:11px;border-radius:2px;margin:0 5px 0 12px;"
    "vertical-align:-1px}"
    ".key.ref{background:var(--ref);opacity:.75}.key.cur{background:var(--cur);opacity:.75}"
    /* Printers drop backgrounds unless told: the keys are the legend. */
    ".key,.verdict,.badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}";

static void badge(mlops__buf *b, int drifted)
{
    mlops__buf_add(b, drifted ? "<span class=\"badge drift\">drift</span>"
                              : "<span class=\"badge ok\">no drift</span>");
}

/* The share of drifted columns as a bar, with the rule's share marked. */
static void share_bar(mlops__buf *b, const mlops_drift_report *r)
{
    double w = 500.0, fill = w * r->share_drifted, mark = w * r->drift_share;
    mlops__buf_add(b, "<div class=\"share\"><svg viewBox=\"0 0 500 30\" role=\"img\" "
                      "aria-label=\"share of drifted columns\">");
    mlops__buf_add(b, "<rect x=\"0\" y=\"4\" width=\"500\" height=\"12\" rx=\"6\" "
                      "fill=\"#ffffff\" fill-opacity=\".3\"/>");
    if (fill > 0.0) {
        mlops__buf_add(b, "<rect x=\"0\" y=\"4\"");
        mlops__html_attr_num(b, "width", fill < 12.0 ? 12.0 : fill);
        mlops__buf_add(b, " height=\"12\" rx=\"6\" fill=\"#ffffff\"/>");
    }
    mlops__buf_add(b, "<line");
    mlops__html_attr_num(b, "x1", mark);
    mlops__html_attr_num(b, "x2", mark);
    mlops__buf_add(b, " y1=\"0\" y2=\"20\" stroke=\"#ffffff\" stroke-width=\"2\" "
                      "stroke-dasharray=\"3 2\"/><text");
    mlops__html_attr_num(b, "x", mark);
    mlops__buf_add(b, " y=\"29\" text-anchor=\"middle\" style=\"fill:#fff\">rule ");
    mlops__html_percent(b, r->drift_share);
    mlops__buf_add(b, "</text></svg></div>");
}

/* ---- Per-column figures ----------------------------------------------------- */

static void rule_text(mlops__buf *b, const mlops_drift_column_result *c)
{
    int is_p = 0, inclusive = 0;
    if (mlops__drift_method_rule(c->method, &is_p, &inclusive) != MLOPS_OK) {
        mlops__html_num(b, 4, c->threshold);
        return;
    }
    mlops__buf_add(b, is_p ? "p-value " : "statistic ");
    if (is_p)
        mlops__buf_add(b, inclusive ? "\xE2\x89\xA4 " : "&lt; ");
    else
        mlops__buf_add(b, inclusive ? "\xE2\x89\xA5 " : "&gt; ");
    mlops__html_num(b, 4, c->threshold);
}

static void counts_text(mlops__buf *b, uint64_t n, uint64_t nan, uint64_t inf)
{
    mlops__buf_addf(b, "%llu", (unsigned long long)n);
    if (nan || inf) {
        mlops__buf_add(b, " <span style=\"color:var(--muted)\">(");
        if (nan) mlops__buf_addf(b, "%llu missing", (unsigned long long)nan);
        if (nan && inf) mlops__buf_add(b, ", ");
        if (inf) mlops__buf_addf(b, "%llu infinite", (unsigned long long)inf);
        mlops__buf_add(b, ")</span>");
    }
}

static void kv_row(mlops__buf *b, const char *key)
{
    mlops__buf_add(b, "<tr><th>");
    mlops__buf_add(b, key);
    mlops__buf_add(b, "</th><td>");
}

static void column_table(mlops__buf *b, const mlops_drift_report *r,
                         const mlops_drift_column_result *c)
{
    mlops__buf_add(b, "<table class=\"kv\">");
    kv_row(b, "Kind");
    mlops__buf_add(b, c->kind == MLOPS_COLUMN_CATEGORICAL ? "categorical" : "numeric");
    kv_row(b, "Method");
    mlops__html_esc(b, c->method_name);
    kv_row(b, "Statistic");
    mlops__html_num(b, 4, c->statistic);
    kv_row(b, "Drift when");
    rule_text(b, c);
    if (!isnan(c->p_value)) {
        kv_row(b, "p-value");
        mlops__html_num(b, 3, c->p_value);
        if (r->correction != MLOPS_DRIFT_CORRECTION_NONE) {
            kv_row(b, "Adjusted p-value");
            mlops__html_num(b, 3, c->adjusted_p_value);
        }
    }
    kv_row(b, "Reference values");
    counts_text(b, c->n_ref, c->ref_nan, c->ref_inf);
    kv_row(b, "Current values");
    counts_text(b, c->n_cur, c->cur_nan, c->cur_inf);
    if (c->ref_nan || c->cur_nan) {
        kv_row(b, "Missing share, p-value");
        mlops__html_num(b, 3, c->missing.p_value);
    }
    kv_row(b, "Verdict");
    badge(b, c->drifted);
    mlops__buf_add(b, "</td></tr></table>");
}

/* A "nice" upper bound for a proportion axis: 1, 2, 2.5 or 5 times a
 * power of ten, at least v. */
static double nice_max(double v)
{
    if (!(v > 0.0)) return 1.0;
    double p = pow(10.0, floor(log10(v)));
    static const double steps[] = { 1.0, 2.0, 2.5, 5.0, 10.0 };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] * p >= v * (1.0 - 1e-12)) return steps[i] * p;
    return 10.0 * p;
}

static uint64_t sum_u64(const uint64_t *v, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++) s += v[i];
    return s;
}

/* The label of bar i of a bars-of-values chart. */
static void bar_label(mlops__buf *b, const mlops_drift_column_result *c, size_t col,
                      const mlops_drift_html_opts *o, size_t i, size_t max_chars)
{
    double v = c->hist_values[i];
    if (isnan(v)) {
        mlops__buf_add(b, "(others)");
        return;
    }
    if (c->kind == MLOPS_COLUMN_CATEGORICAL && o->category_labels && o->category_labels[col] &&
        o->category_label_counts && v >= 0.0 && v == floor(v) &&
        v < (double)o->category_label_counts[col] && o->category_labels[col][(size_t)v]) {
        mlops__html_esc_trunc(b, o->category_labels[col][(size_t)v], max_chars);
        return;
    }
    mlops__html_num(b, 6, v);
}

static void rect(mlops__buf *b, double x, double y, double w, double h, const char *color,
                 const char *extra)
{
    mlops__buf_add(b, "<rect");
    mlops__html_attr_num(b, "x", x);
    mlops__html_attr_num(b, "y", y);
    mlops__html_attr_num(b, "width", w > 0.0 ? w : 0.0);
    mlops__html_attr_num(b, "height", h > 0.0 ? h : 0.0);
    mlops__buf_add(b, " fill=\"");
    mlops__buf_add(b, color);
    mlops__buf_add(b, "\"");
    mlops__buf_add(b, extra);
    mlops__buf_add(b, "/>");
}

static void text_at(mlops__buf *b, double x, double y, const char *anchor, const char *transform)
{
    mlops__buf_add(b, "<text");
    mlops__html_attr_num(b, "x", x);
    mlops__html_attr_num(b, "y", y);
    mlops__buf_add(b, " text-anchor=\"");
    mlops__buf_add(b, anchor);
    mlops__buf_add(b, "\"");
    if (transform) {
        mlops__buf_add(b, " transform=\"rotate(");
        mlops__buf_add(b, transform);
        mlops__buf_add(b, " ");
        mlops__html_coord(b, x);
        mlops__buf_add(b, " ");
        mlops__html_coord(b, y);
        mlops__buf_add(b, ")\"");
    }
    mlops__buf_add(b, ">");
}

static void chart(mlops__buf *b, const mlops_drift_column_result *c, size_t col,
                  const mlops_drift_html_opts *o, const char *ref_name, const char *cur_name)
{
    size_t n = c->hist_n;
    if (n == 0 || !c->hist_ref || !c->hist_cur || (!c->hist_edges && !c->hist_values)) return;
    int bars = c->hist_values != NULL;
    int rotate = bars && n > 8;
    double height = rotate ? 290.0 : 230.0;
    double bottom = height - (rotate ? 92.0 : 34.0);
    double left = PLOT_L, right = CHART_W - PLOT_R, top = PLOT_T;
    double ref_total = (double)sum_u64(c->hist_ref, n), cur_total = (double)sum_u64(c->hist_cur, n);
    if (ref_total <= 0.0) ref_total = 1.0;
    if (cur_total <= 0.0) cur_total = 1.0;
    double peak = 0.0;
    for (size_t i = 0; i < n; i++) {
        peak = fmax(peak, (double)c->hist_ref[i] / ref_total);
        peak = fmax(peak, (double)c->hist_cur[i] / cur_total);
    }
    double ymax = nice_max(peak);
    double plot_h = bottom - top, plot_w = right - left;

    mlops__buf_add(b, "<figure><svg viewBox=\"0 0 600 ");
    mlops__html_coord(b, height);
    mlops__buf_add(b, "\" role=\"img\" aria-label=\"");
    mlops__buf_add(b, bars ? "bars" : "histogram");
    mlops__buf_add(b, " of the reference and current values of ");
    mlops__html_esc(b, c->name);
    mlops__buf_add(b, "\">");
    /* Grid and y labels: 0, half, top. */
    for (int g = 0; g <= 4; g++) {
        double frac = g / 4.0, y = bottom - plot_h * frac;
        mlops__buf_add(b, "<line");
        mlops__html_attr_num(b, "x1", left);
        mlops__html_attr_num(b, "x2", right);
        mlops__html_attr_num(b, "y1", y);
        mlops__html_attr_num(b, "y2", y);
        mlops__buf_add(b, g ? " stroke=\"#e6e9ee\"/>" : " stroke=\"#9aa3ae\"/>");
        if (g % 2 == 0) {
            text_at(b, left - 6.0, y + 4.0, "end", NULL);
            mlops__html_percent(b, ymax * frac);
            mlops__buf_add(b, "</text>");
        }
    }
    if (!bars) {
        double bw = plot_w / (double)n;
        for (int side = 0; side < 2; side++) {
            const uint64_t *cnt = side ? c->hist_cur : c->hist_ref;
            double total = side ? cur_total : ref_total;
            const char *color = side ? CUR_COLOR : REF_COLOR;
            mlops__buf_add(b, "<g fill-opacity=\".5\" stroke=\"");
            mlops__buf_add(b, color);
            mlops__buf_add(b, "\" stroke-width=\"1\">");
            for (size_t i = 0; i < n; i++) {
                double h = plot_h * ((double)cnt[i] / total) / ymax;
                if (cnt[i] == 0) continue;
                rect(b, left + bw * (double)i, bottom - h, bw, h, color, "");
            }
            mlops__buf_add(b, "</g>");
        }
        /* x labels at five of the edges. */
        for (int t = 0; t <= 4; t++) {
            size_t i = (size_t)((double)n * t / 4.0 + 0.5);
            if (i > n) i = n;
            double x = left + bw * (double)i;
            mlops__buf_add(b, "<line");
            mlops__html_attr_num(b, "x1", x);
            mlops__html_attr_num(b, "x2", x);
            mlops__html_attr_num(b, "y1", bottom);
            mlops__html_attr_num(b, "y2", bottom + 4.0);
            mlops__buf_add(b, " stroke=\"#9aa3ae\"/>");
            text_at(b, x, bottom + 17.0, t == 0 ? "start" : t == 4 ? "end" : "middle", NULL);
            if (c->hist_clipped && t == 0) mlops__buf_add(b, "\xE2\x89\xA4 ");
            if (c->hist_clipped && t == 4) mlops__buf_add(b, "\xE2\x89\xA5 ");
            mlops__html_tick(b, c->hist_edges[i]);
            mlops__buf_add(b, "</text>");
        }
    } else {
        double gw = plot_w / (double)n, bw = gw * 0.38;
        for (size_t i = 0; i < n; i++) {
            double x = left + gw * (double)i + gw * 0.12;
            double hr = plot_h * ((double)c->hist_ref[i] / ref_total) / ymax;
            double hc = plot_h * ((double)c->hist_cur[i] / cur_total) / ymax;
            rect(b, x, bottom - hr, bw, hr, REF_COLOR, " fill-opacity=\".8\"");
            rect(b, x + bw, bottom - hc, bw, hc, CUR_COLOR, " fill-opacity=\".8\"");
            double lx = left + gw * ((double)i + 0.5);
            if (rotate)
                text_at(b, lx + 3.0, bottom + 12.0, "end", "-40");
            else
                text_at(b, lx, bottom + 17.0, "middle", NULL);
            bar_label(b, c, col, o, i, rotate ? 16 : (size_t)(gw / 7.0 > 3.0 ? gw / 7.0 : 3.0));
            mlops__buf_add(b, "</text>");
        }
    }
    mlops__buf_add(b, "</svg><figcaption><span class=\"key ref\"></span>");
    mlops__html_esc(b, ref_name);
    mlops__buf_add(b, "<span class=\"key cur\"></span>");
    mlops__html_esc(b, cur_name);
    mlops__buf_add(b, bars ? " &#183; share of each side&#8217;s values per value"
                           : " &#183; share of each side&#8217;s values per bin");
    if (c->hist_clipped) mlops__buf_add(b, " (end bins include the extreme 1%)");
    mlops__buf_add(b, "</figcaption></figure>");
}

/* ---- The page ----------------------------------------------------------------- */

static int check_opts(const char *fn, const mlops_drift_report *r,
                      const mlops_drift_html_opts *o)
{
    if (o->version == 0 || o->version > MLOPS_DRIFT_HTML_OPTS_VERSION)
        return mlops__err(MLOPS_EINVAL, "%s: opts->version is %u", fn, o->version);
    int rc = mlops__html_check_text(fn, "the title", o->title);
    if (!rc) rc = mlops__html_check_text(fn, "the reference name", o->reference_name);
    if (!rc) rc = mlops__html_check_text(fn, "the current name", o->current_name);
    if (rc) return rc;
    if (o->category_labels && !o->category_label_counts)
        return mlops__err_null(fn, "opts->category_label_counts");
    for (size_t i = 0; o->category_labels && i < r->n_columns; i++) {
        if (!o->category_labels[i]) continue;
        for (size_t k = 0; k < o->category_label_counts[i]; k++) {
            const char *l = o->category_labels[i][k];
            if (l && !mlops__utf8_valid(l, strlen(l)))
                return mlops__err(MLOPS_EINVAL, "%s: category label %zu of column '%s' is not valid UTF-8",
                                  fn, k, r->columns[i]->name);
        }
    }
    return MLOPS_OK;
}

static void summary_table(mlops__buf *b, const mlops_drift_report *r)
{
    mlops__buf_add(b, "<h2>Columns</h2><table class=\"summary\"><thead><tr><th>Column</th>"
                      "<th>Kind</th><th>Method</th><th>Statistic</th><th>Drift when</th>"
                      "<th>p-value</th><th>Verdict</th></tr></thead><tbody>");
    for (size_t i = 0; i < r->n_columns; i++) {
        const mlops_drift_column_result *c = r->columns[i];
        mlops__buf_addf(b, "<tr><td><a href=\"#col-%zu\">", i + 1);
        mlops__html_esc_trunc(b, c->name, 60);
        mlops__buf_add(b, "</a></td><td>");
        mlops__buf_add(b, c->kind == MLOPS_COLUMN_CATEGORICAL ? "categorical" : "numeric");
        mlops__buf_add(b, "</td><td>");
        mlops__html_esc(b, c->method_name);
        mlops__buf_add(b, "</td><td class=\"n\">");
        mlops__html_num(b, 4, c->statistic);
        mlops__buf_add(b, "</td><td>");
        rule_text(b, c);
        mlops__buf_add(b, "</td><td class=\"n\">");
        mlops__html_num(b, 3, r->correction != MLOPS_DRIFT_CORRECTION_NONE ? c->adjusted_p_value : c->p_value);
        mlops__buf_add(b, "</td><td>");
        badge(b, c->drifted);
        mlops__buf_add(b, "</td></tr>");
    }
    mlops__buf_add(b, "</tbody></table>");
}

MLOPS_API int mlops_drift_report_html(const mlops_drift_report *r, const mlops_drift_html_opts *opts,
                            char **html)
{
    if (!html) return mlops__err_null(__func__, "html");
    *html = NULL;
    if (!r) return mlops__err_null(__func__, "r");
    mlops_drift_html_opts d = MLOPS_DRIFT_HTML_OPTS_INIT;
    const mlops_drift_html_opts *o = opts ? opts : &d;
    int rc = check_opts(__func__, r, o);
    if (rc) return rc;
    const char *title = o->title ? o->title : "Data drift report";
    const char *ref_name = o->reference_name ? o->reference_name : "reference";
    const char *cur_name = o->current_name ? o->current_name : "current";

    mlops__buf b = MLOPS__BUF_INIT;
    mlops__html_page_begin(&b, title, css);
    mlops__buf_add(&b, "<h1>");
    mlops__html_esc(&b, title);
    mlops__buf_add(&b, "</h1><p class=\"sub\"><span class=\"key ref\" style=\"margin-left:0\"></span>"
                       "Reference <b>");
    mlops__html_esc(&b, ref_name);
    mlops__buf_add(&b, "</b> &#183; <span class=\"key cur\" style=\"margin-left:0\"></span>"
                       "current <b>");
    mlops__html_esc(&b, cur_name);
    mlops__buf_addf(&b, "</b> &#183; %zu column%s</p>\n", r->n_columns, r->n_columns == 1 ? "" : "s");

    /* The verdict first: what a reader wants to know at a glance. */
    mlops__buf_add(&b, r->dataset_drift ? "<section class=\"verdict drift\"><div class=\"big\">"
                                          "Dataset drift detected</div>"
                                        : "<section class=\"verdict ok\"><div class=\"big\">"
                                          "No dataset drift</div>");
    mlops__buf_addf(&b, "<div>%zu of %zu column%s drifted (", r->n_drifted, r->n_columns,
                    r->n_columns == 1 ? "" : "s");
    mlops__html_percent(&b, r->share_drifted);
    mlops__buf_add(&b, "). The dataset drifts when at least ");
    mlops__html_percent(&b, r->drift_share);
    mlops__buf_add(&b, " of its columns do");
    if (r->correction == MLOPS_DRIFT_CORRECTION_BH)
        mlops__buf_add(&b, "; p-values adjusted with Benjamini-Hochberg");
    mlops__buf_add(&b, ".</div>");
    share_bar(&b, r);
    mlops__buf_add(&b, "</section>\n");

    summary_table(&b, r);
    mlops__buf_add(&b, "\n<h2>Details</h2>\n");
    for (size_t i = 0; i < r->n_columns; i++) {
        const mlops_drift_column_result *c = r->columns[i];
        mlops__buf_addf(&b, "<section class=\"col\" id=\"col-%zu\"><h3>", i + 1);
        mlops__html_esc(&b, c->name);
        mlops__buf_add(&b, " ");
        badge(&b, c->drifted);
        mlops__buf_add(&b, "</h3><div class=\"body\">");
        column_table(&b, r, c);
        chart(&b, c, i, o, ref_name, cur_name);
        mlops__buf_add(&b, "</div></section>\n");
    }
    mlops__html_page_end(&b, o->generated_ms,
                         " Charts show each side&#8217;s share of its finite values.");
    return mlops__buf_take(&b, html, __func__);
}
