/* The monitor page, mlops_monitor_page_html (monitor.h): the spec and
 * state, one chart per column with its threshold, the share drifted and
 * the rows, alert spans shaded, not-enough-data and late windows marked,
 * bounded tables, downsampling said on the chart, the events; escaping of
 * hostile names; bad input. The page is also rendered in a browser by
 * tests/pages/test_pages_render.py. */
#include "testutil.h"

#include <math.h>
#include <mlops.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR 3600000LL
#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define HOSTILE_MONITOR "<script>alert(1)</script> & \"q\" 'a' \xE2\x9C\x93"
#define HOSTILE_COLUMN  "</svg><img src=x onerror=alert(2)>"
#define HOURS 48
/* A classifier's monitor whose prediction, id and label columns try to
 * break out of the page. */
#define LABELLED "labelled"
#define HOSTILE_PRED  "<pred>&\"p\""
#define HOSTILE_ID    "id</code><b>"
#define HOSTILE_LABEL "</svg><script>alert(3)</script>"
#define LHOURS 12

static char *base, *dir;
static mlops_store *S;

static uint64_t rng = 7;
static double urand(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng >> 11) / 9007199254740992.0;
}
static double nrand(void)
{
    double u = urand(), v = urand();
    if (u < 1e-300) u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static const char *CATS[] = { "a", "b", "c" };

/* Rows of hour h: 40 of them (5 in hour 3: not enough data), drifted in
 * hours 10..19 (x shifted by 3, category "c" only). */
static int ingest_hours(const char *name, int from, int to)
{
    size_t cap = (size_t)(to - from) * 40, n = 0;
    int64_t *t = malloc(cap * sizeof *t);
    double *x = malloc(cap * sizeof *x), *z = malloc(cap * sizeof *z);
    const char **c = malloc(cap * sizeof *c);
    ck_assert(t && x && z && c);
    for (int h = from; h < to; h++) {
        int drift = h >= 10 && h < 20, rows = h == 3 ? 5 : 40;
        for (int i = 0; i < rows; i++, n++) {
            t[n] = T0 + h * HOUR + i * 1000;
            x[n] = nrand() + (drift ? 3.0 : 0.0);
            z[n] = nrand() * (drift ? 4.0 : 1.0);
            c[n] = drift ? "c" : CATS[(int)(urand() * 3.0) % 3];
        }
    }
    const char *names[] = { "x", HOSTILE_COLUMN, "z" };
    const double *num[] = { x, NULL, z };
    const char *const *str[] = { NULL, c, NULL };
    int rc = mlops_monitor_ingest(S, name, n, t, 3, names, num, str, NULL, NULL);
    free(t);
    free(x);
    free(z);
    free(c);
    return rc;
}

static void check_at(const char *name, int64_t now)
{
    mlops_monitor_check_opts o = MLOPS_MONITOR_CHECK_OPTS_INIT;
    o.now_ms = now;
    TU_OK(mlops_monitor_check(S, name, &o, NULL));
}

/* Monitor HOSTILE_MONITOR over x (KS), a hostile categorical column
 * (chi-square) and z (PSI, threshold 0.2): alert 2 of 3, keep firing 1;
 * HOURS hours judged, hour 3 with too few rows, and a window (hour -2)
 * whose first rows come after it was due: late. Made once for the tests,
 * which only read it (empty_monitor_and_title adds a monitor of its own);
 * each test opens the store itself (a PostgreSQL connection must not be
 * shared by the processes Check forks). */
static void open_store(void)
{
    mlops_store_opts so = MLOPS_STORE_OPTS_INIT;
    so.durability = MLOPS_DURABILITY_NONE;
    TU_OK(mlops_store_open(dir, &so, &S));
}

static void close_store(void)
{
    mlops_store_close(S);
    S = NULL;
}

/* LABELLED: column x and the hostile prediction and id columns, 20 rows
 * an hour for LHOURS hours (hour 2: 5, fewer than min_rows), labelled
 * all but hour 4 (3 labels, fewer than min_labels) and hour 6 (none);
 * predictions right 9 times in 10, in hours 7..9 half the time: the
 * condition accuracy < 0.75 breaches there. */
static void make_labelled(mlops_digest ref)
{
    mlops_monitor_column col = { "x", ref, MLOPS_DRIFT_METHOD_AUTO, NAN };
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    sp.n_columns = 1;
    sp.columns = &col;
    sp.min_rows = 10;
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    x.task = MLOPS_MONITOR_TASK_CLASSIFICATION;
    x.prediction_column = HOSTILE_PRED;
    x.id_column = HOSTILE_ID;
    x.label_column = HOSTILE_LABEL;
    x.performance = "metrics.accuracy < 0.75";
    x.min_labels = 5;
    TU_OK(mlops_monitor_create_ex(S, LABELLED, &sp, &x));
    enum { CAP = LHOURS * 20 };
    int64_t t[CAP];
    double xv[CAP];
    char idb[CAP][16];
    const char *ids[CAP], *pred[CAP], *truth[CAP], *lid[CAP], *lab[CAP];
    size_t n = 0, nl = 0;
    for (int h = 0; h < LHOURS; h++) {
        int rows = h == 2 ? 5 : 20;
        for (int i = 0; i < rows; i++, n++) {
            t[n] = T0 + h * HOUR + i * 1000;
            xv[n] = nrand();
            snprintf(idb[n], sizeof idb[n], "r%zu", n);
            ids[n] = idb[n];
            pred[n] = CATS[i % 3];
            int right = h >= 7 && h <= 9 ? i % 2 == 0 : i % 10 != 0;
            truth[n] = right ? pred[n] : CATS[(i + 1) % 3];
            if (h == 6 || (h == 4 && i >= 3)) continue;
            lid[nl] = ids[n];
            lab[nl++] = truth[n];
        }
    }
    const char *names[] = { "x", HOSTILE_ID, HOSTILE_PRED };
    const double *num[] = { xv, NULL, NULL };
    const char *const *str[] = { NULL, ids, pred };
    TU_OK(mlops_monitor_ingest(S, LABELLED, n, t, 3, names, num, str, NULL, NULL));
    TU_OK(mlops_monitor_labels_ingest(S, LABELLED, nl, lid, NULL, lab, NULL));
    check_at(LABELLED, T0 + LHOURS * HOUR);
}

/* ROWS: a regressor watched in windows of 10 rows, 4 of them, its
 * error 0.5 but 2 in the third; the breach is mae > 1. */
static void make_rows(mlops_digest ref)
{
    mlops_monitor_column col = { "x", ref, MLOPS_DRIFT_METHOD_AUTO, NAN };
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    sp.n_columns = 1;
    sp.columns = &col;
    sp.window_kind = MLOPS_MONITOR_WINDOW_ROWS;
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    x.window_rows = 10;
    x.task = MLOPS_MONITOR_TASK_REGRESSION;
    x.prediction_column = "yhat";
    x.id_column = "id";
    x.performance = "metrics.mae > 1";
    TU_OK(mlops_monitor_create_ex(S, "rows", &sp, &x));
    double xv[40], yhat[40], y[40];
    char idb[40][8];
    const char *ids[40];
    for (int i = 0; i < 40; i++) {
        xv[i] = nrand();
        yhat[i] = i;
        y[i] = i + (i / 10 == 2 ? 2.0 : 0.5);
        snprintf(idb[i], sizeof idb[i], "k%d", i);
        ids[i] = idb[i];
    }
    const char *names[] = { "x", "id", "yhat" };
    const double *num[] = { xv, NULL, yhat };
    const char *const *str[] = { NULL, ids, NULL };
    TU_OK(mlops_monitor_ingest(S, "rows", 40, NULL, 3, names, num, str, NULL, NULL));
    TU_OK(mlops_monitor_labels_ingest(S, "rows", 40, ids, y, NULL, NULL));
    check_at("rows", T0);
}

static void setup_once(void)
{
    /* No worker thread in the process Check forks the tests from: a
     * child would inherit a thread's state without the thread (the
     * sanitizers report its OpenSSL state as leaked). */
    TU_OK(mlops_set_thread_limit(1));
    base = tu_tmpdir();
    dir = tu_store_dir(base, "store");
    open_store();
    mlops_profile *px = NULL, *pc = NULL, *pz = NULL;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &px));
    TU_OK(mlops_profile_new(MLOPS_PROFILE_CATEGORICAL, NULL, &pc));
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &pz));
    double v[2000], w[2000];
    const char *c[2000];
    for (int i = 0; i < 2000; i++) v[i] = nrand(), w[i] = nrand(), c[i] = CATS[i % 3];
    TU_OK(mlops_profile_add(px, v, 2000));
    TU_OK(mlops_profile_add_strings(pc, c, 2000));
    TU_OK(mlops_profile_add(pz, w, 2000));
    mlops_digest rx, rc, rz;
    TU_OK(mlops_profile_put(S, px, &rx));
    TU_OK(mlops_profile_put(S, pc, &rc));
    TU_OK(mlops_profile_put(S, pz, &rz));
    mlops_profile_free(px);
    mlops_profile_free(pc);
    mlops_profile_free(pz);
    mlops_monitor_column cols[3] = {
        { "x", rx, MLOPS_DRIFT_METHOD_AUTO, NAN },
        { HOSTILE_COLUMN, rc, MLOPS_DRIFT_METHOD_AUTO, NAN },
        { "z", rz, MLOPS_DRIFT_METHOD_PSI, 0.2 },
    };
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    sp.n_columns = 3;
    sp.columns = cols;
    sp.min_rows = 10;
    sp.alert_m = 2;
    sp.alert_n = 3;
    sp.keep_firing = 1;
    sp.alpha = 0.001;
    sp.model = "churn@<champion>";
    TU_OK(mlops_monitor_create(S, HOSTILE_MONITOR, &sp));
    TU_OK(ingest_hours(HOSTILE_MONITOR, 0, HOURS));
    check_at(HOSTILE_MONITOR, T0 + HOURS * HOUR); /* judges them all, in order */
    TU_OK(ingest_hours(HOSTILE_MONITOR, -2, -1)); /* due long ago: late */
    make_labelled(rx);
    make_rows(rx);
    close_store();
}

static void teardown_once(void)
{
    tu_rmrf(base);
    free(base);
    free(dir);
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

static char *page(const mlops_monitor_page_opts *o)
{
    mlops_monitor_page_opts d = MLOPS_MONITOR_PAGE_OPTS_INIT;
    d.generated_ms = -1;
    char *html = NULL;
    TU_OK(mlops_monitor_page_html(S, HOSTILE_MONITOR, o ? o : &d, &html));
    ck_assert_ptr_nonnull(html);
    return html;
}

/* The text of element id="ID" up to its </section>, as a new string. */
static char *section(const char *html, const char *id)
{
    char key[64];
    snprintf(key, sizeof key, "id=\"%s\"", id);
    const char *a = strstr(html, key);
    ck_assert_msg(a != NULL, "no %s", key);
    const char *z = strstr(a, "</section>");
    ck_assert_ptr_nonnull(z);
    char *s = malloc((size_t)(z - a) + 1);
    memcpy(s, a, (size_t)(z - a));
    s[z - a] = '\0';
    return s;
}

START_TEST(hostile_names_are_escaped)
{
    char *html = page(NULL);
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "<img"));
    ck_assert_uint_eq(count(html, "</svg>"), count(html, "<svg"));
    ck_assert_ptr_nonnull(strstr(html, "<title>Monitor &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                                       "&quot;q&quot; &#39;a&#39; \xE2\x9C\x93</title>"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;/svg&gt;&lt;img src=x onerror=alert(2)&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "churn@&lt;champion&gt;"));
    mlops_free(html);
}
END_TEST

START_TEST(page_shows_spec_state_charts_events)
{
    mlops_monitor_event *ev = NULL;
    size_t nev = 0;
    TU_OK(mlops_monitor_events(S, HOSTILE_MONITOR, NULL, &ev, &nev));
    ck_assert_uint_ge(nev, 2); /* the drift in hours 10..19 fired and resolved */
    ck_assert_int_eq(ev[0].kind, MLOPS_MONITOR_EVENT_FIRING);
    ck_assert_int_eq(ev[1].kind, MLOPS_MONITOR_EVENT_RESOLVED);
    char *html = page(NULL);
    /* Spec and state. */
    ck_assert_ptr_nonnull(strstr(html, "fires when 2 of the last 3 judged windows are in breach"));
    ck_assert_ptr_nonnull(strstr(html, "for 1 judged window after the rule stops holding"));
    ck_assert_ptr_nonnull(strstr(html, "<span class=\"state inactive\">INACTIVE</span>"));
    ck_assert_ptr_nonnull(strstr(html, "1 h, tumbling"));
    /* The methods the judge used: AUTO resolved by the reference's kind. */
    ck_assert_ptr_nonnull(strstr(html, "KS <span class=\"small\">(auto)</span>"));
    ck_assert_ptr_nonnull(strstr(html, "chi-square <span class=\"small\">(auto)</span>"));
    ck_assert_ptr_nonnull(strstr(html, ">PSI</td>"));
    /* One chart each: share, rows, three columns; a table beside each. */
    ck_assert_uint_eq(count(html, "<svg"), 5);
    ck_assert_uint_eq(count(html, "</figure><div class=\"side\"><table"), 5);
    /* What is plotted is said on the chart: p-values as -log10 against
     * alpha, PSI against its threshold. */
    char *x = section(html, "column-1");
    ck_assert_ptr_nonnull(strstr(x, "KS p-value of column x per window, as -log10 p; drift when "
                                    "p &lt; alpha 0.001"));
    ck_assert_ptr_nonnull(strstr(x, "alpha 0.001 (\xE2\x88\x92log10: 3)"));
    ck_assert_ptr_nonnull(strstr(x, "\xE2\x88\x92log10 p-value (KS)"));
    ck_assert_ptr_nonnull(strstr(x, "Every judged window drawn; p &lt; 1e-10 drawn at 10"));
    free(x);
    char *z = section(html, "column-3");
    ck_assert_ptr_nonnull(strstr(z, "PSI of column z per window; drift at or above the threshold 0.2"));
    ck_assert_ptr_nonnull(strstr(z, "threshold 0.2</text>"));
    free(z);
    /* Alert spans: each chart shades one span per firing (none is open),
     * and names it in its legend. */
    char *share = section(html, "share");
    size_t firing = 0;
    for (size_t k = 0; k < nev; k++) firing += ev[k].kind == MLOPS_MONITOR_EVENT_FIRING;
    ck_assert_uint_eq(count(share, "fill=\"#E69F00\" fill-opacity"), firing + 1); /* + legend */
    ck_assert_ptr_nonnull(strstr(share, ">alert firing</text>"));
    /* Not enough data (hour 3) and the late window are marked. */
    ck_assert_ptr_nonnull(strstr(share, ">not enough data</text>"));
    ck_assert_ptr_nonnull(strstr(share, ">late (never judged)</text>"));
    ck_assert_uint_eq(count(share, "fill=\"#56B4E9\""), 2);
    ck_assert_uint_eq(count(share, "fill=\"#CC79A7\""), 2);
    ck_assert_ptr_nonnull(strstr(share, "breach: 50% or more"));
    free(share);
    /* Rows: the minimum as the threshold; HOURS + 1 windows in the
     * table, grouped five to a row (at most 12 rows). */
    char *rows = section(html, "rows");
    ck_assert_ptr_nonnull(strstr(rows, "minimum: 10 rows"));
    ck_assert_ptr_nonnull(strstr(rows, "49 windows in 10 rows of 5"));
    ck_assert_uint_eq(count(rows, "<tr><th scope=\"row\""), 10);
    free(rows);
    /* Events: every one, with its window. */
    ck_assert_ptr_nonnull(strstr(html, "Alert events"));
    char want[96];
    snprintf(want, sizeof want, "%zu changes of state", nev);
    ck_assert_ptr_nonnull(strstr(html, want));
    ck_assert_uint_eq(count(html, "<td class=\"bad\">firing</td>"), firing);
    ck_assert_uint_eq(count(html, "<td class=\"\">resolved</td>"), nev - firing);
    /* No task: no labels, said plainly. */
    ck_assert_ptr_nonnull(strstr(html, "Performance over time"));
    ck_assert_ptr_nonnull(strstr(html, "this monitor has no label column"));
    ck_assert_ptr_null(strstr(html, "records no labels"));
    mlops_free(ev);
    mlops_free(html);
}
END_TEST

/* Curves longer than max_points are downsampled (LTTB) and the chart says
 * so; a range keeps its windows only; few windows: one table row each. */
START_TEST(downsampling_range_and_tables)
{
    mlops_monitor_page_opts o = MLOPS_MONITOR_PAGE_OPTS_INIT;
    o.generated_ms = -1;
    o.max_points = 10;
    char *html = page(&o);
    ck_assert_ptr_nonnull(strstr(html, "Downsampled (LTTB): 10 of 49 windows drawn"));
    ck_assert_ptr_nonnull(strstr(html, "Downsampled (LTTB): 10 of 47 windows drawn")); /* judged */
    mlops_free(html);
    o.max_points = 0;
    o.from_ms = T0 + 8 * HOUR;
    o.to_ms = T0 + 20 * HOUR;
    html = page(&o);
    char *rows = section(html, "rows");
    ck_assert_ptr_nonnull(strstr(rows, "Rows, every window"));
    ck_assert_uint_eq(count(rows, "<tr><th scope=\"row\""), 12);
    free(rows);
    ck_assert_ptr_nonnull(strstr(html, "12 windows from 2026-01-01 08:00:00 UTC"));
    /* The alert fired inside the range (and resolved after it). */
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"bad\">firing</td>"));
    mlops_free(html);
}
END_TEST

static char *page_of(const char *name)
{
    mlops_monitor_page_opts o = MLOPS_MONITOR_PAGE_OPTS_INIT;
    o.generated_ms = -1;
    char *html = NULL;
    TU_OK(mlops_monitor_page_html(S, name, &o, &html));
    ck_assert_ptr_nonnull(html);
    return html;
}

/* With labels: one chart per metric of the task beside the drift charts,
 * the condition's threshold on its metric's chart, the windows with too
 * few labels marked, the labels in the tables; hostile column names
 * escaped. */
START_TEST(performance_over_time)
{
    char *html = page_of(LABELLED);
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "<b>"));
    ck_assert_ptr_null(strstr(html, "<pred>"));
    ck_assert_uint_eq(count(html, "</svg>"), count(html, "<svg"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;/svg&gt;&lt;script&gt;alert(3)&lt;/script&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;pred&gt;&amp;&quot;p&quot;"));
    ck_assert_ptr_nonnull(strstr(html, "id&lt;/code&gt;&lt;b&gt;"));
    ck_assert_ptr_null(strstr(html, "no label column"));
    /* share, rows, x; accuracy, balanced accuracy, macro F1 */
    ck_assert_uint_eq(count(html, "<svg"), 6);
    ck_assert_uint_eq(count(html, "</figure><div class=\"side\"><table"), 6);
    /* The breach is the condition, not drift: the share chart has no
     * breach line. */
    ck_assert_ptr_nonnull(strstr(html, "the performance condition <code>metrics.accuracy &lt; 0.75</code> holds"));
    char *share = section(html, "share");
    ck_assert_ptr_null(strstr(share, "breach:"));
    free(share);
    char *acc = section(html, "perf-accuracy");
    ck_assert_ptr_nonnull(strstr(acc, "accuracy per window, from the labels joined so far; breach when "
                                      "accuracy &lt; 0.75"));
    ck_assert_ptr_nonnull(strstr(acc, ">breach: accuracy &lt; 0.75</text>"));
    ck_assert_uint_eq(count(acc, "stroke-dasharray"), count(acc, "stroke=\"#D55E00\""));
    /* hours 4 (3 labels) and 6 (none) have too few; hour 2 has its 5 */
    ck_assert_ptr_nonnull(strstr(acc, ">fewer than 5 labels</text>"));
    ck_assert_uint_eq(count(acc, "fill=\"#56B4E9\""), 3); /* hours 4, 6 and the legend */
    ck_assert_ptr_nonnull(strstr(acc, ">alert firing</text>"));
    ck_assert_ptr_nonnull(strstr(acc, "Every labelled window drawn"));
    ck_assert_ptr_nonnull(strstr(acc, "11 of 12 windows have labels"));
    /* the table: every window, its labels, state and accuracy */
    ck_assert_ptr_nonnull(strstr(acc, "Accuracy, every window"));
    ck_assert_uint_eq(count(acc, "<tr><th scope=\"row\""), LHOURS);
    ck_assert_ptr_nonnull(strstr(acc, "<th scope=\"row\">2026-01-01 04:00</th><td class=\"n\">3</td>"
                                      "<td>not enough data</td>"));
    ck_assert_ptr_nonnull(strstr(acc, "<th scope=\"row\">2026-01-01 08:00</th><td class=\"n\">20</td>"
                                      "<td class=\"bad\">breach</td><td class=\"n\">0.5</td>"));
    free(acc);
    char *f1 = section(html, "perf-f1_macro");
    ck_assert_ptr_null(strstr(f1, "breach:")); /* the condition reads accuracy */
    ck_assert_ptr_nonnull(strstr(f1, "Macro F1 (no unit)"));
    free(f1);
    mlops_free(html);
    /* Not enough data, by rows (hour 2) or by labels (hour 4): no judged
     * value, whatever the metrics are now. */
    mlops_monitor_series *sr = NULL;
    TU_OK(mlops_monitor_series_get(S, LABELLED, INT64_MIN, INT64_MAX, &sr));
    ck_assert_uint_eq(mlops_monitor_series_count(sr), LHOURS);
    size_t ned[] = { 2, 4, 6 };
    for (size_t k = 0; k < 3; k++) {
        mlops_monitor_window w;
        mlops_monitor_performance pf = MLOPS_MONITOR_PERFORMANCE_INIT;
        TU_OK(mlops_monitor_series_window(sr, ned[k], &w));
        TU_OK(mlops_monitor_series_performance(sr, ned[k], &pf));
        ck_assert_int_eq(w.state, MLOPS_MONITOR_WINDOW_NOT_ENOUGH_DATA);
        ck_assert_msg(isnan(pf.judged_value), "window %zu judged %g", ned[k], pf.judged_value);
    }
    mlops_monitor_series_free(sr);
}
END_TEST

/* Row windows: the x axis and the tables count rows, not time; a
 * regressor's five metrics, the threshold on MAE's chart. */
START_TEST(row_windows_performance)
{
    char *html = page_of("rows");
    ck_assert_ptr_nonnull(strstr(html, "10 rows, in arrival order"));
    ck_assert_ptr_nonnull(strstr(html, "Row number, in arrival order (rows)"));
    ck_assert_ptr_null(strstr(html, "1970"));
    ck_assert_uint_eq(count(html, "<svg"), 3 + 5);
    char *mae = section(html, "perf-mae");
    ck_assert_ptr_nonnull(strstr(mae, ">breach: mae &gt; 1</text>"));
    ck_assert_ptr_nonnull(strstr(mae, "<th>Window (rows from)</th>"));
    ck_assert_ptr_nonnull(strstr(mae, "<th scope=\"row\">20</th><td class=\"n\">10</td>"
                                      "<td class=\"bad\">breach</td><td class=\"n\">2</td>"));
    ck_assert_uint_eq(count(mae, "fill=\"#56B4E9\""), 0); /* every window has its labels */
    free(mae);
    char *me = section(html, "perf-mean_error");
    ck_assert_ptr_nonnull(strstr(me, "Mean of prediction \xE2\x88\x92 label (the label&#39;s unit)"));
    free(me);
    mlops_free(html);
}
END_TEST

START_TEST(empty_monitor_and_title)
{
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    mlops_monitor *m = NULL;
    TU_OK(mlops_monitor_get(S, HOSTILE_MONITOR, &m));
    TU_OK(mlops_monitor_spec_get(m, &sp));
    TU_OK(mlops_monitor_create(S, "bare", &sp));
    mlops_monitor_free(m);
    mlops_monitor_page_opts o;
    TU_OK(mlops_monitor_page_opts_init(&o, MLOPS_MONITOR_PAGE_OPTS_VERSION));
    o.title = "Bare <page>";
    o.generated_ms = 1764787200000;
    char *html = NULL;
    TU_OK(mlops_monitor_page_html(S, "bare", &o, &html));
    ck_assert_ptr_nonnull(strstr(html, "<h1><bdi>Bare &lt;page&gt;</bdi></h1>"));
    ck_assert_ptr_nonnull(strstr(html, "No window judged yet."));
    ck_assert_ptr_nonnull(strstr(html, "No window in this range yet"));
    ck_assert_ptr_nonnull(strstr(html, "No alert event"));
    ck_assert_ptr_nonnull(strstr(html, "on 2025-12-03 18:40 UTC"));
    ck_assert_ptr_null(strstr(html, "<svg"));
    mlops_free(html);
}
END_TEST

START_TEST(bad_input)
{
    char *html = (char *)1;
    TU_RC(MLOPS_EINVAL, mlops_monitor_page_html(NULL, "m", NULL, &html));
    ck_assert_ptr_null(html);
    TU_RC(MLOPS_EINVAL, mlops_monitor_page_html(S, "m", NULL, NULL));
    TU_RC(MLOPS_EINVAL, mlops_monitor_page_html(S, NULL, NULL, &html));
    TU_RC(MLOPS_ENOTFOUND, mlops_monitor_page_html(S, "nope", NULL, &html));
    ck_assert_msg(strncmp(mlops_last_error(), "mlops_monitor_page_html: ", 25) == 0, "%s",
                  mlops_last_error());
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "nope"));
    mlops_monitor_page_opts o = MLOPS_MONITOR_PAGE_OPTS_INIT;
    o.version = 99;
    TU_RC(MLOPS_EINVAL, mlops_monitor_page_html(S, HOSTILE_MONITOR, &o, &html));
    o = (mlops_monitor_page_opts)MLOPS_MONITOR_PAGE_OPTS_INIT;
    o.title = "\xff";
    TU_RC(MLOPS_EINVAL, mlops_monitor_page_html(S, HOSTILE_MONITOR, &o, &html));
    o = (mlops_monitor_page_opts)MLOPS_MONITOR_PAGE_OPTS_INIT;
    o.from_ms = o.to_ms = T0;
    TU_RC(MLOPS_EINVAL, mlops_monitor_page_html(S, HOSTILE_MONITOR, &o, &html));
    o = (mlops_monitor_page_opts)MLOPS_MONITOR_PAGE_OPTS_INIT;
    o.max_points = 2;
    TU_RC(MLOPS_EINVAL, mlops_monitor_page_html(S, HOSTILE_MONITOR, &o, &html));
    o.max_points = MLOPS_MONITOR_PAGE_POINTS_MAX + 1;
    TU_RC(MLOPS_EINVAL, mlops_monitor_page_html(S, HOSTILE_MONITOR, &o, &html));
    TU_RC(MLOPS_EINVAL, mlops_monitor_page_opts_init(NULL, 1));
    TU_RC(MLOPS_EINVAL, mlops_monitor_page_opts_init(&o, 0));
}
END_TEST

static Suite *monitor_page_suite(void)
{
    Suite *s = suite_create("monitor_page");
    TCase *tc = tcase_create("page");
    tcase_add_unchecked_fixture(tc, setup_once, teardown_once);
    tcase_add_checked_fixture(tc, open_store, close_store);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, hostile_names_are_escaped);
    tcase_add_test(tc, page_shows_spec_state_charts_events);
    tcase_add_test(tc, downsampling_range_and_tables);
    tcase_add_test(tc, performance_over_time);
    tcase_add_test(tc, row_windows_performance);
    tcase_add_test(tc, empty_monitor_and_title);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(monitor_page_suite());
}
