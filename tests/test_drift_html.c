/* The chart data of drift reports (mlops_drift_column_result.hist_*) and
 * the HTML report (mlops_drift_report_html). The page is also rendered in
 * a browser by tests/cli/test_html_render.py. */
#include "testutil.h"

#include <mlops.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mlops_drift_report *report2(int kind0, const double *r0, size_t nr0, const double *c0,
                                   size_t nc0, int kind1, const double *r1, size_t nr1,
                                   const double *c1, size_t nc1)
{
    const char *names[] = { "a", "b" };
    int kinds[] = { kind0, kind1 };
    const double *ref[] = { r0, r1 }, *cur[] = { c0, c1 };
    size_t nref[] = { nr0, nr1 }, ncur[] = { nc0, nc1 };
    mlops_drift_report *r = NULL;
    TU_OK(mlops_drift_report_compute(kind1 ? 2 : 1, names, kinds, ref, nref, cur, ncur, NULL, &r));
    return r;
}

static uint64_t sum(const uint64_t *v, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++) s += v[i];
    return s;
}

START_TEST(hist_numeric_bins)
{
    double ref[100], cur[100];
    for (int i = 0; i < 100; i++) {
        ref[i] = i + 0.25;
        cur[i] = 50 + i + 0.25;
    }
    mlops_drift_report *r = report2(MLOPS_COLUMN_NUMERIC, ref, 100, cur, 100, 0, NULL, 0, NULL, 0);
    const mlops_drift_column_result *c = r->columns[0];
    /* Rice's rule: ceil(2 * cbrt(200)) = 12 bins over [0.25, 149.25]. */
    ck_assert_uint_eq(c->hist_n, 12);
    ck_assert_ptr_nonnull(c->hist_edges);
    ck_assert_ptr_null(c->hist_values);
    ck_assert_int_eq(c->hist_clipped, 0);
    ck_assert_double_eq(c->hist_edges[0], 0.25);
    ck_assert_double_eq(c->hist_edges[12], 149.25);
    for (size_t i = 0; i < 12; i++) ck_assert(c->hist_edges[i] < c->hist_edges[i + 1]);
    ck_assert_uint_eq(sum(c->hist_ref, 12), 100);
    ck_assert_uint_eq(sum(c->hist_cur, 12), 100);
    /* Bin width 149/12: the first bin [0.25, 12.67) holds 0.25..12.25 of
     * ref only; the last, 137.25..149.25 of cur. */
    ck_assert_uint_eq(c->hist_ref[0], 13);
    ck_assert_uint_eq(c->hist_cur[0], 0);
    ck_assert_uint_eq(c->hist_ref[11], 0);
    ck_assert_uint_eq(c->hist_cur[11], 13);
    mlops_drift_report_free(r);

    /* Integers get whole-number bins centred on them: 150 integers in 12
     * bins of width 13 from -0.5, so every bin but the last holds 13. */
    for (int i = 0; i < 100; i++) {
        ref[i] = i;
        cur[i] = 50 + i;
    }
    r = report2(MLOPS_COLUMN_NUMERIC, ref, 100, cur, 100, 0, NULL, 0, NULL, 0);
    c = r->columns[0];
    ck_assert_uint_eq(c->hist_n, 12);
    ck_assert_double_eq(c->hist_edges[0], -0.5);
    ck_assert_double_eq(c->hist_edges[1], 12.5);
    ck_assert_double_eq(c->hist_edges[12], 155.5);
    for (int i = 0; i < 12; i++) {
        uint64_t want_ref = 0, want_cur = 0;
        for (int x = 13 * i; x <= 13 * i + 12; x++) {
            want_ref += x <= 99;
            want_cur += x >= 50 && x <= 149;
        }
        ck_assert_uint_eq(c->hist_ref[i], want_ref);
        ck_assert_uint_eq(c->hist_cur[i], want_cur);
    }
    ck_assert_uint_eq(c->hist_ref[0], 13);
    ck_assert_uint_eq(c->hist_cur[11], 7); /* 143..149 */
    ck_assert_uint_eq(sum(c->hist_ref, 12), 100);
    ck_assert_uint_eq(sum(c->hist_cur, 12), 100);
    mlops_drift_report_free(r);
}
END_TEST

START_TEST(hist_clips_extreme_values)
{
    enum { N = 2000 };
    double *ref = malloc(N * sizeof *ref), *cur = malloc(N * sizeof *cur);
    for (int i = 0; i < N; i++) {
        ref[i] = sin(i) * 10.0;
        cur[i] = cos(i) * 10.0 + 1.0;
    }
    ref[7] = 1e9;  /* one extreme value */
    cur[3] = NAN;  /* missing: never counted */
    cur[4] = INFINITY;
    mlops_drift_report *r = report2(MLOPS_COLUMN_NUMERIC, ref, N, cur, N, 0, NULL, 0, NULL, 0);
    const mlops_drift_column_result *c = r->columns[0];
    ck_assert_int_eq(c->hist_clipped, 1);
    ck_assert_uint_eq(c->hist_n, 32); /* ceil(2 * cbrt(3998)) */
    ck_assert(c->hist_edges[c->hist_n] < 20.0);
    ck_assert(c->hist_edges[0] > -20.0);
    ck_assert_uint_eq(sum(c->hist_ref, c->hist_n), N);
    ck_assert_uint_eq(sum(c->hist_cur, c->hist_n), N - 2);
    ck_assert_uint_ge(c->hist_ref[c->hist_n - 1], 1); /* the extreme value is in the last bin */
    mlops_drift_report_free(r);
    free(ref);
    free(cur);
}
END_TEST

/* Values over the whole range of doubles: hi - lo overflows, and the bins
 * are still equal-width bins over it, with increasing edges (drift.h). */
START_TEST(hist_range_beyond_doubles)
{
    enum { N = 100 };
    double ref[N], cur[N];
    for (int i = 0; i < N; i++) {
        /* -1e308 .. 0.98e308 and -0.98e308 .. 1e308 (1e306 * i twice:
         * 2e306 * 99 alone would overflow) */
        ref[i] = -1e308 + 1e306 * i + 1e306 * i;
        cur[i] = 1e308 - 1e306 * (N - 1 - i) - 1e306 * (N - 1 - i);
    }
    mlops_drift_report *r = report2(MLOPS_COLUMN_NUMERIC, ref, N, cur, N, 0, NULL, 0, NULL, 0);
    const mlops_drift_column_result *c = r->columns[0];
    ck_assert_ptr_nonnull(c->hist_edges);
    size_t n = c->hist_n;
    ck_assert_uint_eq(n, 12); /* ceil(2 * cbrt(200)) */
    ck_assert_double_eq(c->hist_edges[0], -1e308);
    ck_assert_double_eq(c->hist_edges[n], 1e308);
    for (size_t i = 0; i < n; i++) {
        ck_assert(isfinite(c->hist_edges[i]));
        ck_assert_msg(c->hist_edges[i] < c->hist_edges[i + 1], "edge %zu is %g, edge %zu is %g", i,
                      c->hist_edges[i], i + 1, c->hist_edges[i + 1]);
    }
    ck_assert_uint_eq(sum(c->hist_ref, n), N);
    ck_assert_uint_eq(sum(c->hist_cur, n), N);
    /* Evenly spread: each bin of width 2e308 / 12 holds about 100 / 12 * 2
     * of the 200 values, none a pile of half of them. */
    for (size_t i = 0; i < n; i++) ck_assert_uint_le(c->hist_ref[i] + c->hist_cur[i], 20);
    mlops_drift_report_free(r);
}
END_TEST

START_TEST(hist_bars_of_values)
{
    /* Few distinct numeric values: one bar each, ascending. */
    double ref[] = { 3, 1, 2, 2, 3, 3, NAN };
    double cur[] = { 1, 1, 5, 2 };
    /* Categorical codes 0..39 with counts rising with the code: the bars
     * are the 29 most frequent and "the others". */
    enum { K = 40 };
    double cref[K * (K + 1) / 2], ccur[K];
    size_t n = 0;
    for (int k = 0; k < K; k++)
        for (int j = 0; j <= k; j++) cref[n++] = k;
    for (int k = 0; k < K; k++) ccur[k] = k;
    mlops_drift_report *r = report2(MLOPS_COLUMN_NUMERIC, ref, 7, cur, 4, MLOPS_COLUMN_CATEGORICAL,
                                    cref, n, ccur, K);
    const mlops_drift_column_result *c = r->columns[0];
    ck_assert_ptr_null(c->hist_edges);
    ck_assert_uint_eq(c->hist_n, 4);
    double want[] = { 1, 2, 3, 5 };
    uint64_t want_ref[] = { 1, 2, 3, 0 }, want_cur[] = { 2, 1, 0, 1 };
    for (size_t i = 0; i < 4; i++) {
        ck_assert_double_eq(c->hist_values[i], want[i]);
        ck_assert_uint_eq(c->hist_ref[i], want_ref[i]);
        ck_assert_uint_eq(c->hist_cur[i], want_cur[i]);
    }
    c = r->columns[1];
    ck_assert_uint_eq(c->hist_n, MLOPS_DRIFT_HIST_MAX_BARS);
    ck_assert_double_eq(c->hist_values[0], 39.0); /* most frequent first */
    ck_assert_double_eq(c->hist_values[1], 38.0);
    ck_assert_uint_eq(c->hist_ref[0], 40);
    ck_assert(isnan(c->hist_values[MLOPS_DRIFT_HIST_MAX_BARS - 1]));
    ck_assert_uint_eq(sum(c->hist_ref, c->hist_n), n);
    ck_assert_uint_eq(sum(c->hist_cur, c->hist_n), K);
    /* "the others": codes 0..10, 1 + 2 + ... + 11 reference values. */
    ck_assert_uint_eq(c->hist_ref[MLOPS_DRIFT_HIST_MAX_BARS - 1], 66);
    mlops_drift_report_free(r);
}
END_TEST

/* The report every HTML test draws: a drifted numeric column and a
 * categorical one. */
static mlops_drift_report *sample_report(void)
{
    static double ref[400], cur[300], cref[400], ccur[300];
    for (int i = 0; i < 400; i++) {
        ref[i] = (i % 97) * 0.5;
        cref[i] = i % 3;
    }
    for (int i = 0; i < 300; i++) {
        cur[i] = (i % 89) * 0.5 + 20.0;
        ccur[i] = (i % 4 == 0) ? 0 : 2;
    }
    const char *names[] = { "age <years>", "city" };
    int kinds[] = { MLOPS_COLUMN_NUMERIC, MLOPS_COLUMN_CATEGORICAL };
    const double *r[] = { ref, cref }, *c[] = { cur, ccur };
    size_t nr[] = { 400, 400 }, nc[] = { 300, 300 };
    mlops_drift_report *rep = NULL;
    TU_OK(mlops_drift_report_compute(2, names, kinds, r, nr, c, nc, NULL, &rep));
    return rep;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

START_TEST(html_page)
{
    mlops_drift_report *r = sample_report();
    static const char *const city[] = { "Paris", "S\xC3\xA3o Paulo", "<b>Rome</b>" };
    const char *const *labels[] = { NULL, city };
    size_t nlabels[] = { 0, 3 };
    mlops_drift_html_opts o;
    TU_OK(mlops_drift_html_opts_init(&o, MLOPS_DRIFT_HTML_OPTS_VERSION));
    o.title = "Churn <inputs> & \"friends\"";
    o.reference_name = "train.csv";
    o.current_name = "prod.csv";
    o.category_labels = labels;
    o.category_label_counts = nlabels;
    o.generated_ms = 1700000000000;
    char *html = NULL;
    TU_OK(mlops_drift_report_html(r, &o, &html));
    ck_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    ck_assert_ptr_nonnull(strstr(html, "</html>"));
    /* Self-contained: no script, nothing fetched, a CSP that forbids both. */
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "src="));
    ck_assert_ptr_null(strstr(html, "http://"));
    ck_assert_ptr_null(strstr(html, "https://"));
    ck_assert_ptr_nonnull(strstr(html, "Content-Security-Policy"));
    /* Escaped caller text. */
    ck_assert_ptr_nonnull(strstr(html, "Churn &lt;inputs&gt; &amp; &quot;friends&quot;"));
    ck_assert_ptr_nonnull(strstr(html, "age &lt;years&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;b&gt;Rome&lt;/b&gt;"));
    ck_assert_ptr_null(strstr(html, "<b>Rome"));
    ck_assert_ptr_nonnull(strstr(html, "S\xC3\xA3o Paulo"));
    ck_assert_ptr_nonnull(strstr(html, "train.csv"));
    /* Verdict, summary, one section and one chart per column. */
    ck_assert_int_eq(r->dataset_drift, 1);
    ck_assert_ptr_nonnull(strstr(html, "Dataset drift detected"));
    ck_assert_int_eq(count(html, "<section class=\"col\""), 2);
    ck_assert_int_eq(count(html, "<figure><svg"), 2);
    ck_assert_ptr_nonnull(strstr(html, "2023-11-14 22:13 UTC"));
    /* One bar per side per category, one rect per non-empty bin. */
    const char *cat = strstr(html, "id=\"col-2\"");
    ck_assert_ptr_nonnull(cat);
    ck_assert_int_eq(count(cat, "<rect"), 2 * (int)r->columns[1]->hist_n);
    mlops_free(html);

    /* The other verdict, and defaults. */
    double same[50];
    for (int i = 0; i < 50; i++) same[i] = i % 10;
    const char *names[] = { "x" };
    int kinds[] = { MLOPS_COLUMN_NUMERIC };
    const double *a[] = { same };
    size_t n[] = { 50 };
    mlops_drift_report *r2 = NULL;
    TU_OK(mlops_drift_report_compute(1, names, kinds, a, n, a, n, NULL, &r2));
    TU_OK(mlops_drift_report_html(r2, NULL, &html));
    ck_assert_ptr_nonnull(strstr(html, "No dataset drift"));
    ck_assert_ptr_nonnull(strstr(html, "<title>Data drift report</title>"));
    mlops_free(html);
    mlops_drift_report_free(r2);
    mlops_drift_report_free(r);
}
END_TEST

/* SVG coordinates must not take a decimal comma from the process locale. */
START_TEST(html_ignores_the_locale)
{
    const char *set = setlocale(LC_NUMERIC, "de_DE.UTF-8");
    if (!set) set = setlocale(LC_NUMERIC, "fr_FR.UTF-8");
    mlops_drift_report *r = sample_report();
    char *html = NULL;
    TU_OK(mlops_drift_report_html(r, NULL, &html));
    setlocale(LC_NUMERIC, "C");
    /* Every numeric attribute is plain digits, '-' and '.'. */
    static const char *const attrs[] = { " x=\"", " y=\"", " width=\"", " height=\"" };
    for (size_t a = 0; a < 4; a++) {
        for (const char *p = strstr(html, attrs[a]); p; p = strstr(p + 1, attrs[a])) {
            const char *v = p + strlen(attrs[a]);
            size_t len = strcspn(v, "\"");
            ck_assert_uint_gt(len, 0);
            ck_assert_uint_eq(strspn(v, "-0123456789."), len);
        }
    }
    mlops_free(html);
    mlops_drift_report_free(r);
}
END_TEST

START_TEST(html_bad_input)
{
    mlops_drift_report *r = sample_report();
    char *html = (char *)1;
    TU_RC(MLOPS_EINVAL, mlops_drift_report_html(NULL, NULL, &html));
    ck_assert_ptr_null(html);
    TU_RC(MLOPS_EINVAL, mlops_drift_report_html(r, NULL, NULL));
    mlops_drift_html_opts o = MLOPS_DRIFT_HTML_OPTS_INIT;
    o.version = 99;
    TU_RC(MLOPS_EINVAL, mlops_drift_report_html(r, &o, &html));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "version"));
    TU_RC(MLOPS_EINVAL, mlops_drift_html_opts_init(&o, 0));
    TU_RC(MLOPS_EINVAL, mlops_drift_html_opts_init(&o, 2));
    TU_RC(MLOPS_EINVAL, mlops_drift_html_opts_init(NULL, 1));
    TU_OK(mlops_drift_html_opts_init(&o, 1));
    o.title = "bad \xFF title";
    TU_RC(MLOPS_EINVAL, mlops_drift_report_html(r, &o, &html));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "UTF-8"));
    o.title = NULL;
    static const char *const bad[] = { "ok", "\xC3" };
    const char *const *labels[] = { NULL, bad };
    size_t nlabels[] = { 0, 2 };
    o.category_labels = labels;
    TU_RC(MLOPS_EINVAL, mlops_drift_report_html(r, &o, &html)); /* counts missing */
    o.category_label_counts = nlabels;
    TU_RC(MLOPS_EINVAL, mlops_drift_report_html(r, &o, &html));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "city"));
    ck_assert_ptr_null(html);
    mlops_drift_report_free(r);
}
END_TEST

static Suite *drift_html_suite(void)
{
    Suite *s = suite_create("drift_html");
    TCase *t = tcase_create("html");
    tcase_add_test(t, hist_numeric_bins);
    tcase_add_test(t, hist_clips_extreme_values);
    tcase_add_test(t, hist_range_beyond_doubles);
    tcase_add_test(t, hist_bars_of_values);
    tcase_add_test(t, html_page);
    tcase_add_test(t, html_ignores_the_locale);
    tcase_add_test(t, html_bad_input);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run(drift_html_suite());
}
