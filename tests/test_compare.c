/* The run comparison page, mlops_run_compare_html (track.h): what it
 * shows, escaping of hostile names, downsampling, bad input. The page is
 * also rendered in a browser by tests/pages/test_pages_render.py. */
#include "testutil.h"

#include <mlops.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HOSTILE_NAME "<script>alert(1)</script> & \"q\" 'a' \xE2\x9C\x93"
#define HOSTILE_KEY  "</svg><img src=x onerror=alert(2)>"

typedef struct fixture {
    char *dir;
    mlops_store *s;
    char ids[3][MLOPS_RUN_ID_LEN + 1];
} fixture;

static void log_series(mlops_run *r, const char *key, size_t n, double (*f)(size_t))
{
    mlops_metric *m = malloc(n * sizeof *m);
    ck_assert_ptr_nonnull(m);
    for (size_t i = 0; i < n; i++) m[i] = (mlops_metric){ key, f(i), (int64_t)i, 1000 + (int64_t)i * 100 };
    TU_OK(mlops_run_log_metrics(r, m, n));
    free(m);
}

static double decay(size_t i)
{
    return exp(-(double)i / 1000.0) + (i % 7 == 0 ? 0.01 : 0.0);
}

static double with_holes(size_t i)
{
    return i == 2 ? NAN : i == 3 ? INFINITY : (double)i;
}

static double all_nan(size_t i)
{
    (void)i;
    return NAN;
}

/* Three runs: two finished with the same hostile name and different lr,
 * one running without a name, with a hostile metric key whose values
 * include NaN and infinity, and a metric of NaN only. */
static void setup(fixture *fx, size_t points)
{
    fx->dir = tu_tmpdir();
    char *path = tu_store_dir(fx->dir, "store");
    TU_OK(mlops_store_open(path, NULL, &fx->s));
    free(path);
    int64_t exp_id;
    TU_OK(mlops_experiment_create(fx->s, "exp <b>", &exp_id));
    for (int k = 0; k < 3; k++) {
        mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
        o.name = k < 2 ? HOSTILE_NAME : NULL;
        o.start_ms = 1000;
        mlops_run *r = NULL;
        TU_OK(mlops_run_start_ex(fx->s, exp_id, &o, &r));
        strcpy(fx->ids[k], mlops_run_id(r));
        if (k < 2) {
            const mlops_kv p[] = { { "lr", k ? "0.2" : "0.1" }, { "opt", "a&b" } };
            TU_OK(mlops_run_log_params(r, p, 2));
            log_series(r, "loss", points, decay);
            TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
        } else {
            log_series(r, HOSTILE_KEY, 6, with_holes);
            log_series(r, "nan only", 3, all_nan);
        }
        mlops_run_free(r);
    }
}

static void teardown(fixture *fx)
{
    mlops_store_close(fx->s);
    tu_rmrf(fx->dir);
    free(fx->dir);
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

static char *page(fixture *fx, size_t n, const mlops_run_compare_opts *o)
{
    const char *ids[3] = { fx->ids[0], fx->ids[1], fx->ids[2] };
    char *html = NULL;
    TU_OK(mlops_run_compare_html(fx->s, ids, n, o, &html));
    ck_assert_ptr_nonnull(html);
    return html;
}

START_TEST(page_shows_runs_metrics_params)
{
    fixture fx;
    setup(&fx, 5000);
    mlops_run_compare_opts o = MLOPS_RUN_COMPARE_OPTS_INIT;
    o.generated_ms = -1;
    o.max_points = 100;
    char *html = page(&fx, 3, &o);
    /* Nothing of the names escapes into markup. */
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "<img"));
    ck_assert_ptr_null(strstr(html, "<b>"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; "
                                       "&#39;a&#39; \xE2\x9C\x93"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;/svg&gt;&lt;img src=x onerror=alert(2)&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "exp &lt;b&gt;"));
    /* Two runs called alike get their ids' first digits; the nameless one
     * its id's. */
    char label[64];
    snprintf(label, sizeof label, "\xE2\x9C\x93 (%.8s)", fx.ids[0]);
    ck_assert_ptr_nonnull(strstr(html, label));
    snprintf(label, sizeof label, "<bdi>%.8s</bdi>", fx.ids[2]);
    ck_assert_ptr_nonnull(strstr(html, label));
    /* One chart per metric (loss, NaN only, the hostile key), each with
     * a table; one without any point to draw says so. */
    ck_assert_uint_eq(count(html, "<svg"), 3);
    ck_assert_uint_eq(count(html, "<figure class=\"chart\">"), 3);
    ck_assert_uint_eq(count(html, "<div class=\"side\">"), 3);
    ck_assert_ptr_nonnull(strstr(html, "No finite value to draw; 3 NaN or infinite values left out"));
    ck_assert_ptr_nonnull(strstr(html, "Downsampled (LTTB): at most 100 of up to 5\xE2\x80\xAF" "000"));
    ck_assert_ptr_nonnull(strstr(html, "Every point drawn; 2 NaN or infinite values left out"));
    ck_assert_ptr_nonnull(strstr(html, ">Step</text>"));
    /* Status, duration; a running run says so. */
    ck_assert_ptr_nonnull(strstr(html, "FINISHED"));
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"n\">running</td>"));
    /* Params: lr differs, opt is missing from the third run. */
    ck_assert_ptr_nonnull(strstr(html, "2 of 2 params differ"));
    ck_assert_uint_eq(count(html, "<tr class=\"diff\">"), 2);
    ck_assert_ptr_nonnull(strstr(html, "<td><bdi>a&amp;b</bdi></td>"));
    /* No locale, clock or address in the page: the same page twice. */
    char *again = page(&fx, 3, &o);
    ck_assert_str_eq(html, again);
    mlops_free(again);
    /* Two runs only: nothing differs in opt any more. */
    again = page(&fx, 2, &o);
    ck_assert_ptr_nonnull(strstr(again, "1 of 2 params differs"));
    mlops_free(again);
    mlops_free(html);
    teardown(&fx);
}
END_TEST

/* The number of coordinate pairs in the first path of the first chart. */
static size_t points_drawn(const char *html)
{
    const char *p = strstr(strstr(html, "<figure class=\"chart\">"), "<path");
    ck_assert_ptr_nonnull(p);
    const char *d = strstr(p, " d=\"M"), *end = strchr(d + 5, '"');
    size_t spaces = 0;
    for (const char *c = d + 5; c < end; c++) spaces += *c == ' ';
    return (spaces + 1) / 2;
}

START_TEST(long_histories_are_downsampled)
{
    fixture fx;
    size_t n = getenv("MLOPS_TEST_SMALL") ? 50000 : 200000;
    setup(&fx, n);
    mlops_run_compare_opts o = MLOPS_RUN_COMPARE_OPTS_INIT;
    o.generated_ms = -1;
    char *html = page(&fx, 2, &o);
    size_t drawn = points_drawn(html);
    ck_assert_msg(drawn > 500 && drawn <= 1000, "%zu points drawn", drawn); /* the default */
    ck_assert_uint_lt(strlen(html), 100000);
    mlops_free(html);
    o.max_points = 3;
    html = page(&fx, 2, &o);
    ck_assert_uint_le(points_drawn(html), 3);
    mlops_free(html);
    /* Time since the start instead of steps: 100 ms apart. */
    o.max_points = 0;
    o.x_axis = MLOPS_RUN_COMPARE_X_TIME;
    html = page(&fx, 2, &o);
    ck_assert_ptr_nonnull(strstr(html, n > 72000 ? "Time since the run started (h)"
                                                 : "Time since the run started (min)"));
    mlops_free(html);
    teardown(&fx);
}
END_TEST

START_TEST(bad_input)
{
    fixture fx;
    setup(&fx, 10);
    const char *ids[3] = { fx.ids[0], fx.ids[1], fx.ids[0] };
    char *html = (char *)1;
    TU_RC(MLOPS_EINVAL, mlops_run_compare_html(NULL, ids, 1, NULL, &html));
    ck_assert_ptr_null(html);
    TU_RC(MLOPS_EINVAL, mlops_run_compare_html(fx.s, ids, 1, NULL, NULL));
    TU_RC(MLOPS_EINVAL, mlops_run_compare_html(fx.s, NULL, 1, NULL, &html));
    TU_RC(MLOPS_EINVAL, mlops_run_compare_html(fx.s, ids, 0, NULL, &html));
    TU_RC(MLOPS_EINVAL, mlops_run_compare_html(fx.s, ids, SIZE_MAX, NULL, &html));
    TU_RC(MLOPS_EINVAL, mlops_run_compare_html(fx.s, ids, 3, NULL, &html));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "given twice"));
    const char *bad[1] = { "not-an-id" };
    TU_RC(MLOPS_EINVAL, mlops_run_compare_html(fx.s, bad, 1, NULL, &html));
    const char *missing[1] = { "0123456789abcdef0123456789abcdef" };
    TU_RC(MLOPS_ENOTFOUND, mlops_run_compare_html(fx.s, missing, 1, NULL, &html));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_run_compare_html"));
    mlops_run_compare_opts o = MLOPS_RUN_COMPARE_OPTS_INIT;
    o.version = 99;
    TU_RC(MLOPS_EINVAL, mlops_run_compare_html(fx.s, ids, 1, &o, &html));
    TU_OK(mlops_run_compare_opts_init(&o, MLOPS_RUN_COMPARE_OPTS_VERSION));
    o.x_axis = 7;
    TU_RC(MLOPS_EINVAL, mlops_run_compare_html(fx.s, ids, 1, &o, &html));
    o.x_axis = MLOPS_RUN_COMPARE_X_STEP;
    o.max_points = 2;
    TU_RC(MLOPS_EINVAL, mlops_run_compare_html(fx.s, ids, 1, &o, &html));
    o.max_points = MLOPS_RUN_COMPARE_POINTS_MAX + 1;
    TU_RC(MLOPS_EINVAL, mlops_run_compare_html(fx.s, ids, 1, &o, &html));
    o.max_points = 0;
    o.title = "\xFF\xFE";
    TU_RC(MLOPS_EINVAL, mlops_run_compare_html(fx.s, ids, 1, &o, &html));
    ck_assert_ptr_null(html);
    TU_RC(MLOPS_EINVAL, mlops_run_compare_opts_init(NULL, MLOPS_RUN_COMPARE_OPTS_VERSION));
    TU_RC(MLOPS_EINVAL, mlops_run_compare_opts_init(&o, 0));
    teardown(&fx);
}
END_TEST

/* Start and point times are any int64 (track.h): a run started at
 * INT64_MIN whose points carry INT64_MAX, ended now, and one still
 * running. Durations and times since the start do not fit an int64; the
 * page is made all the same (the subtractions overflowed). */
START_TEST(extreme_times_make_a_page)
{
    fixture fx;
    fx.dir = tu_tmpdir();
    char *path = tu_store_dir(fx.dir, "store");
    TU_OK(mlops_store_open(path, NULL, &fx.s));
    free(path);
    int64_t exp_id;
    TU_OK(mlops_experiment_create(fx.s, "e", &exp_id));
    for (int k = 0; k < 2; k++) {
        mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
        o.start_ms = INT64_MIN;
        mlops_run *r = NULL;
        TU_OK(mlops_run_start_ex(fx.s, exp_id, &o, &r));
        strcpy(fx.ids[k], mlops_run_id(r));
        mlops_metric m[] = { { "t", 1, 0, INT64_MIN }, { "t", 2, 1, INT64_MAX } };
        TU_OK(mlops_run_log_metrics(r, m, 2));
        if (k == 0) TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
        mlops_run_free(r);
    }
    mlops_run_compare_opts o = MLOPS_RUN_COMPARE_OPTS_INIT;
    o.generated_ms = INT64_MAX;
    o.x_axis = MLOPS_RUN_COMPARE_X_TIME;
    char *html = page(&fx, 2, &o);
    ck_assert_ptr_nonnull(strstr(html, "so far"));
    mlops_free(html);
    o.x_axis = MLOPS_RUN_COMPARE_X_STEP;
    html = page(&fx, 2, &o);
    mlops_free(html);
    teardown(&fx);
}
END_TEST

static Suite *compare_suite(void)
{
    Suite *s = suite_create("compare");
    TCase *t = tcase_create("compare");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, page_shows_runs_metrics_params);
    tcase_add_test(t, long_histories_are_downsampled);
    tcase_add_test(t, bad_input);
    tcase_add_test(t, extreme_times_make_a_page);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run(compare_suite());
}
