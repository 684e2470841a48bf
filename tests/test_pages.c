/* What every HTML page is built from (lib/util): LTTB downsampling,
 * escaping and number formats, the series palette, the line chart. The
 * pages themselves: test_compare.c, test_drift_html.c, and in a browser
 * tests/pages/test_pages_render.py. */
#include "testutil.h"

#include "util/buf.h"
#include "util/chart.h"
#include "util/html.h"
#include "util/lttb.h"
#include "util/palette.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- LTTB ------------------------------------------------------------------ */

START_TEST(lttb_small_case_by_hand)
{
    /* 7 points into 4: buckets {1, 2} and {3, 4, 5} (integer split of the
     * 5 inner points). Bucket 1, from (0,0) towards the mean (4,4) of the
     * next bucket: (1,5) spans twice-area |1*4 - 4*5| = 16, (2,1) only
     * |2*4 - 4*1| = 4. Bucket 2, from (1,5) towards the last point (6,0):
     * (3,1) 10, (4,9) 35, (5,2) 5. */
    const double x[] = { 0, 1, 2, 3, 4, 5, 6 }, y[] = { 0, 5, 1, 1, 9, 2, 0 };
    size_t out[4];
    ck_assert_uint_eq(mlops__lttb(x, y, 7, 4, out), 4);
    ck_assert_uint_eq(out[0], 0);
    ck_assert_uint_eq(out[1], 1);
    ck_assert_uint_eq(out[2], 4);
    ck_assert_uint_eq(out[3], 6);
    /* At or under the budget: every point. */
    size_t all[7];
    ck_assert_uint_eq(mlops__lttb(x, y, 7, 7, all), 7);
    for (size_t i = 0; i < 7; i++) ck_assert_uint_eq(all[i], i);
    ck_assert_uint_eq(mlops__lttb(x, y, 0, 4, all), 0);
}
END_TEST

START_TEST(lttb_one_point_per_bucket_and_spikes_kept)
{
    const size_t n = 1000003, keep = 1000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    size_t *out = malloc(keep * sizeof *out);
    ck_assert(x && y && out);
    for (size_t i = 0; i < n; i++) {
        x[i] = 1.7e12 + 10.0 * (double)i; /* times in ms: large x */
        y[i] = sin((double)i / 5000.0);
    }
    y[370123] = 50.0; /* a spike a reader must see */
    y[812345] = -50.0;
    ck_assert_uint_eq(mlops__lttb(x, y, n, keep, out), keep);
    ck_assert_uint_eq(out[0], 0);
    ck_assert_uint_eq(out[keep - 1], n - 1);
    int spike_up = 0, spike_down = 0;
    for (size_t k = 1; k < keep - 1; k++) {
        /* Bucket k-1 holds [1 + (k-1)(n-2)/(keep-2), 1 + k(n-2)/(keep-2)). */
        size_t lo = 1 + (k - 1) * (n - 2) / (keep - 2), hi = 1 + k * (n - 2) / (keep - 2);
        ck_assert_msg(out[k] >= lo && out[k] < hi, "point %zu (%zu) outside [%zu, %zu)", k,
                      out[k], lo, hi);
        spike_up |= out[k] == 370123;
        spike_down |= out[k] == 812345;
    }
    ck_assert(spike_up && spike_down);
    free(x);
    free(y);
    free(out);
}
END_TEST

/* ---- Text ------------------------------------------------------------------ */

/* The buffer's text as a copy of its own: gcc 12 at -O3 takes the taken
 * pointer for one into this frame (-Wdangling-pointer) once inlined. */
static char *built(mlops__buf *b)
{
    char *taken = NULL;
    TU_OK(mlops__buf_take(b, &taken, "test"));
    char *s = strdup(taken);
    free(taken);
    ck_assert_ptr_nonnull(s);
    return s;
}

START_TEST(escaping)
{
    mlops__buf b = MLOPS__BUF_INIT;
    mlops__html_esc(&b, "<script>alert('x')</script> & \"q\" caf\xC3\xA9 \x01\x7F\ttab\nnl");
    char *s = built(&b);
    ck_assert_str_eq(s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; "
                        "caf\xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD\ttab\nnl");
    free(s);
    /* Cut at a code point, never inside one, with an ellipsis. */
    mlops__html_esc_trunc(&b, "\xC3\xA9\xC3\xA9\xC3\xA9<x", 2);
    s = built(&b);
    ck_assert_str_eq(s, "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
    free(s);
    mlops__html_esc_trunc(&b, "ab<", 3);
    s = built(&b);
    ck_assert_str_eq(s, "ab&lt;");
    free(s);
}
END_TEST

START_TEST(numbers_and_times)
{
    mlops__buf b = MLOPS__BUF_INIT;
    mlops__html_count(&b, 1000000);
    mlops__buf_add(&b, "|");
    mlops__html_count(&b, 999);
    mlops__buf_add(&b, "|");
    mlops__html_tick(&b, 0.30000000000000004);
    mlops__buf_add(&b, "|");
    mlops__html_tick(&b, -0.0);
    mlops__buf_add(&b, "|");
    mlops__html_num(&b, 4, NAN);
    mlops__buf_add(&b, "|");
    mlops__html_utc(&b, 1796300000000);
    mlops__buf_add(&b, "|");
    mlops__html_duration(&b, 850);
    mlops__buf_add(&b, "|");
    mlops__html_duration(&b, 42500);
    mlops__buf_add(&b, "|");
    mlops__html_duration(&b, 185000);
    mlops__buf_add(&b, "|");
    mlops__html_duration(&b, 8040000);
    mlops__buf_add(&b, "|");
    mlops__html_duration(&b, 3 * 86400000LL + 4 * 3600000LL);
    char *s = built(&b);
    ck_assert_str_eq(s, "1\xE2\x80\xAF" "000\xE2\x80\xAF" "000|999|0.3|0|\xE2\x80\x93|"
                        "2026-12-03 12:13:20 UTC|850 ms|42.5 s|3 min 05 s|2 h 14 min|3 d 4 h");
    free(s);
}
END_TEST

/* ---- Palette ---------------------------------------------------------------- */

/* sRGB #rrggbb to linear RGB. */
static void linear_rgb(const char *hex, double out[3])
{
    for (int i = 0; i < 3; i++) {
        char part[3] = { hex[1 + 2 * i], hex[2 + 2 * i], 0 };
        double c = (double)strtol(part, NULL, 16) / 255.0;
        out[i] = c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
    }
}

/* CIE L*a*b* (D65) of linear RGB, each channel clamped to 0..1. */
static void lab(const double rgb[3], double out[3])
{
    double r = fmin(1, fmax(0, rgb[0])), g = fmin(1, fmax(0, rgb[1])), b = fmin(1, fmax(0, rgb[2]));
    double xyz[3] = { (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
                      0.2126 * r + 0.7152 * g + 0.0722 * b,
                      (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883 };
    double f[3];
    for (int i = 0; i < 3; i++)
        f[i] = xyz[i] > 0.008856 ? cbrt(xyz[i]) : 7.787 * xyz[i] + 16.0 / 116.0;
    out[0] = 116 * f[1] - 16;
    out[1] = 500 * (f[0] - f[1]);
    out[2] = 200 * (f[1] - f[2]);
}

/* Machado, Oliveira and Fernandes (2009), full-severity simulations of
 * protanopia, deuteranopia and tritanopia, on linear RGB. */
static const double cvd[3][3][3] = {
    { { 0.152286, 1.052583, -0.204868 }, { 0.114503, 0.786281, 0.099216 },
      { -0.003882, -0.048116, 1.051998 } },
    { { 0.367322, 0.860646, -0.227968 }, { 0.280085, 0.672501, 0.047413 },
      { -0.011820, 0.042940, 0.968881 } },
    { { 1.255528, -0.076749, -0.178779 }, { -0.078411, 0.930809, 0.147602 },
      { 0.004733, 0.691367, 0.303900 } },
};

/* The CIE76 distance between two colours as a reader with deficiency d
 * (0..2) sees them. */
static double seen_apart(const char *c1, const char *c2, int d)
{
    double l[2][3];
    const char *c[2] = { c1, c2 };
    for (int k = 0; k < 2; k++) {
        double v[3], s[3];
        linear_rgb(c[k], v);
        for (int i = 0; i < 3; i++) s[i] = cvd[d][i][0] * v[0] + cvd[d][i][1] * v[1] + cvd[d][i][2] * v[2];
        lab(s, l[k]);
    }
    return sqrt(pow(l[0][0] - l[1][0], 2) + pow(l[0][1] - l[1][1], 2) + pow(l[0][2] - l[1][2], 2));
}

START_TEST(palette_survives_colour_blindness)
{
    /* Every pair of the 7 colours stays at least 15 CIE76 units apart for
     * readers with protanopia, deuteranopia or tritanopia (doc/pages.md);
     * a red and a green a plain palette would use do not. */
    for (int d = 0; d < 3; d++) {
        for (size_t i = 0; i < MLOPS__PALETTE_COLOURS; i++)
            for (size_t j = i + 1; j < MLOPS__PALETTE_COLOURS; j++) {
                double e = seen_apart(mlops__palette_colour(i), mlops__palette_colour(j), d);
                ck_assert_msg(e >= 15.0, "%s and %s only %.1f apart under simulation %d",
                              mlops__palette_colour(i), mlops__palette_colour(j), e, d);
            }
    }
    ck_assert(seen_apart("#D62728", "#2CA02C", 1) < 15.0);
    /* Neighbours differ in colour and in dashes; 28 styles before a repeat. */
    for (size_t i = 0; i < 28; i++) {
        ck_assert_str_ne(mlops__palette_colour(i), mlops__palette_colour(i + 1));
        ck_assert_str_ne(mlops__palette_dash(i), mlops__palette_dash(i + 1));
        for (size_t j = i + 1; j < 28; j++)
            ck_assert(strcmp(mlops__palette_colour(i), mlops__palette_colour(j)) != 0 ||
                      strcmp(mlops__palette_dash(i), mlops__palette_dash(j)) != 0);
    }
    ck_assert_str_eq(mlops__palette_colour(28), mlops__palette_colour(0));
}
END_TEST

/* ---- Chart ---------------------------------------------------------------- */

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

START_TEST(chart_is_one_labelled_svg)
{
    const double x1[] = { 0, 50, 100 }, y1[] = { 1, 0.5, 0.25 }, x2[] = { 10 }, y2[] = { 0.75 };
    mlops__chart_series s[] = { { "first <run>", x1, y1, 3, 0 }, { "second", x2, y2, 1, 1 } };
    mlops__chart c = { "loss & \"title\"", "Step", "loss", "Every point drawn", 1, s, 2 };
    mlops__buf b = MLOPS__BUF_INIT;
    mlops__chart_lines(&b, &c);
    char *svg = built(&b);
    ck_assert_uint_eq(count(svg, "<svg"), 1);
    ck_assert_uint_eq(count(svg, "</svg>"), 1);
    ck_assert_ptr_nonnull(strstr(svg, "<title>loss &amp; &quot;title&quot;</title>"));
    ck_assert_ptr_nonnull(strstr(svg, ">Step</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">loss</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">Every point drawn</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">first &lt;run&gt;</text>"));
    ck_assert_ptr_null(strstr(svg, "<run>"));
    /* The 3-point series is a path of its own colour; the single point a dot. */
    ck_assert_ptr_nonnull(strstr(svg, "stroke=\"#0072B2\" stroke-width=\"1.6\""));
    ck_assert_ptr_nonnull(strstr(svg, "<circle"));
    /* y ticks over [0.25, 1] at 0.2: 0.2 .. 1; x over [0, 100] at 20. */
    ck_assert_ptr_nonnull(strstr(svg, ">0.2</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">1</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">100</text>"));
    free(svg);
}
END_TEST

START_TEST(chart_ticks)
{
    double lo = 0.3, hi = 1.9; /* 1.6 / 5 = 0.32: steps of 0.5, rounded out */
    ck_assert_double_eq_tol(mlops__chart_ticks(&lo, &hi, 5, 0), 0.5, 1e-12);
    ck_assert_double_eq_tol(lo, 0.0, 1e-12);
    ck_assert_double_eq_tol(hi, 2.0, 1e-12);
    lo = 0;
    hi = 200000; /* 40000 a step: 50000, 4 intervals */
    ck_assert_double_eq(mlops__chart_ticks(&lo, &hi, 5, 1), 50000.0);
    lo = 0;
    hi = 3; /* steps: never a half step */
    ck_assert_double_eq(mlops__chart_ticks(&lo, &hi, 6, 1), 1.0);
    lo = hi = 5; /* flat: a margin */
    ck_assert(mlops__chart_ticks(&lo, &hi, 5, 0) > 0);
    ck_assert(lo < 5 && hi > 5);
    lo = -1e308;
    hi = 1e308; /* wider than a double can subtract: the ends only */
    ck_assert_double_eq(mlops__chart_ticks(&lo, &hi, 5, 0), 0.0);
    /* And drawing such a chart gives no NaN coordinates. */
    const double x[] = { 0, 1 }, y[] = { -1e308, 1e308 };
    mlops__chart_series s = { "wide", x, y, 2, 0 };
    mlops__chart c = { "t", "Step", "v", NULL, 1, &s, 1 };
    mlops__buf b = MLOPS__BUF_INIT;
    mlops__chart_lines(&b, &c);
    char *svg = built(&b);
    ck_assert_ptr_null(strstr(svg, "nan"));
    ck_assert_ptr_null(strstr(svg, "inf"));
    free(svg);
}
END_TEST

static Suite *pages_suite(void)
{
    Suite *s = suite_create("pages");
    TCase *t = tcase_create("pages");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, lttb_small_case_by_hand);
    tcase_add_test(t, lttb_one_point_per_bucket_and_spikes_kept);
    tcase_add_test(t, escaping);
    tcase_add_test(t, numbers_and_times);
    tcase_add_test(t, palette_survives_colour_blindness);
    tcase_add_test(t, chart_is_one_labelled_svg);
    tcase_add_test(t, chart_ticks);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run(pages_suite());
}
