/* Drift statistics (include/mlops/drift.h): golden vectors from scipy
 * (tests/drift/golden.txt, written by tests/drift/gen_golden.py), edge
 * cases and bad input. */
#include "testutil.h"
#include "drift_golden.h"

#include <mlops.h>
#include "drift/drift_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- golden file ------------------------------------------------------------ */

typedef struct gline {
    int lineno;
    int ntok;
    char *tok[256];
    char *buf;
} gline;

static gline *g_lines;
static size_t g_n;

static void load_golden(void)
{
    if (g_lines) return;
    const char *src = getenv("MLOPS_TEST_SRCDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/drift/golden.txt", src ? src : "tests");
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    size_t cap = 512;
    g_lines = calloc(cap, sizeof *g_lines);
    char *line = NULL;
    size_t lcap = 0;
    int lineno = 0;
    while (getline(&line, &lcap, f) > 0) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n') continue;
        if (g_n == cap) {
            cap *= 2;
            g_lines = realloc(g_lines, cap * sizeof *g_lines);
        }
        gline *g = &g_lines[g_n++];
        memset(g, 0, sizeof *g);
        g->lineno = lineno;
        g->buf = strdup(line);
        char *save = NULL;
        for (char *t = strtok_r(g->buf, " \n", &save); t && g->ntok < 256;
             t = strtok_r(NULL, " \n", &save))
            g->tok[g->ntok++] = t;
    }
    free(line);
    fclose(f);
    ck_assert_uint_gt(g_n, 100);
}

static double num(const gline *g, int i)
{
    ck_assert_int_lt(i, g->ntok);
    char *end;
    double v = strtod(g->tok[i], &end);
    ck_assert_msg(*end == 0, "line %d: bad number '%s'", g->lineno, g->tok[i]);
    return v;
}

static double *sample(const char *spec, size_t *n)
{
    double *v;
    ck_assert_msg(dg_generate(spec, &v, n) == 0, "bad spec %s", spec);
    return v;
}

/* |got - want| <= rel * |want|, or both zero, or |got - want| <= abs_tol. */
static void close_to(const gline *g, const char *what, double got, double want, double rel,
                     double abs_tol)
{
    double diff = fabs(got - want);
    int ok = (got == want) || diff <= rel * fabs(want) || diff <= abs_tol;
    ck_assert_msg(ok, "line %d %s: got %.17g want %.17g (rel %.3g)", g->lineno, what, got, want,
                  want != 0 ? diff / fabs(want) : diff);
}

static int count_kind(const char *kind)
{
    int c = 0;
    for (size_t i = 0; i < g_n; i++) c += !strcmp(g_lines[i].tok[0], kind);
    return c;
}

#define FOR_GOLDEN(kind, g)                                                         \
    load_golden();                                                                  \
    ck_assert_int_gt(count_kind(kind), 0);                                          \
    for (size_t gi_ = 0; gi_ < g_n; gi_++)                                          \
        for (const gline *g = &g_lines[gi_]; g && !strcmp(g->tok[0], kind); g = NULL)

START_TEST(golden_meta)
{
    load_golden();
    ck_assert_str_eq(g_lines[0].tok[0], "meta");
    ck_assert_str_eq(g_lines[0].tok[1], "scipy");
}
END_TEST

START_TEST(golden_ks)
{
    FOR_GOLDEN("ks", g)
    {
        size_t na, nb;
        double *a = sample(g->tok[2], &na), *b = sample(g->tok[3], &nb);
        int method = !strcmp(g->tok[1], "exact")   ? MLOPS_KS_EXACT
                     : !strcmp(g->tok[1], "asymp") ? MLOPS_KS_ASYMPTOTIC
                                                   : MLOPS_KS_AUTO;
        mlops_ks_result r = MLOPS_KS_RESULT_INIT;
        TU_OK(mlops_drift_ks_ex(a, na, b, nb, method, &r));
        double d = num(g, 4), p = num(g, 5);
        ck_assert_msg(r.statistic == d, "line %d D: got %.17g want %.17g", g->lineno, r.statistic, d);
        close_to(g, "p", r.p_value, p, 1e-9, 0.0);
        ck_assert(isfinite(r.log_p_value) && r.log_p_value <= 0.0);
        if (p > 1e-300)
            close_to(g, "log p", r.log_p_value, log(p), 1e-9, 1e-12);
        else
            ck_assert_msg(r.log_p_value < -690.0, "line %d: log p %g", g->lineno, r.log_p_value);
        /* The fixed entry point agrees. */
        if (method == MLOPS_KS_AUTO) {
            mlops_test_result t;
            TU_OK(mlops_drift_ks(a, na, b, nb, &t));
            ck_assert(t.statistic == r.statistic && t.p_value == r.p_value);
        }
        free(a);
        free(b);
    }
}
END_TEST

START_TEST(golden_kstwo)
{
    FOR_GOLDEN("kstwo", g)
    {
        double lsf;
        double sf = mlops__kstwo_sf((int64_t)num(g, 1), num(g, 2), &lsf);
        close_to(g, "kstwo.sf", sf, num(g, 3), 1e-9, 1e-300);
        ck_assert(!isnan(lsf));
        if (sf > 1e-290) close_to(g, "log kstwo.sf", lsf, log(sf), 1e-12, 1e-14);
    }
    FOR_GOLDEN("smirnov", g)
    {
        double sf = mlops__smirnov_sf((int64_t)num(g, 1), num(g, 2), NULL);
        close_to(g, "smirnov", sf, num(g, 3), 1e-9, 1e-300);
    }
}
END_TEST

START_TEST(golden_chi2sf)
{
    FOR_GOLDEN("chi2sf", g)
    {
        double x = num(g, 1), dof = num(g, 2);
        close_to(g, "chi2.sf", mlops__chi2_sf(x, dof), num(g, 3), 1e-9, 1e-300);
    }
}
END_TEST

START_TEST(golden_distances)
{
    FOR_GOLDEN("wasserstein", g)
    {
        size_t na, nb;
        double *a = sample(g->tok[1], &na), *b = sample(g->tok[2], &nb);
        double w;
        TU_OK(mlops_drift_wasserstein(a, na, b, nb, &w));
        close_to(g, "wasserstein", w, num(g, 3), 1e-12, 0.0);
        free(a);
        free(b);
    }
    FOR_GOLDEN("energy", g)
    {
        size_t na, nb;
        double *a = sample(g->tok[1], &na), *b = sample(g->tok[2], &nb);
        double e;
        TU_OK(mlops_drift_energy(a, na, b, nb, &e));
        close_to(g, "energy", e, num(g, 3), 1e-12, 0.0);
        free(a);
        free(b);
    }
}
END_TEST

START_TEST(golden_cvm)
{
    FOR_GOLDEN("cvm", g)
    {
        size_t na, nb;
        double *a = sample(g->tok[1], &na), *b = sample(g->tok[2], &nb);
        mlops_test_result r;
        TU_OK(mlops_drift_cramer_von_mises(a, na, b, nb, &r));
        close_to(g, "cvm T", r.statistic, num(g, 3), 1e-12, 0.0);
        /* p = 1 - cdf carries ~1e-15 absolute error in scipy too. */
        close_to(g, "cvm p", r.p_value, num(g, 4), 1e-9, 1e-14);
        free(a);
        free(b);
    }
}
END_TEST

START_TEST(golden_binned)
{
    FOR_GOLDEN("binned", g)
    {
        size_t bins = (size_t)num(g, 1);
        size_t na, nb;
        double *a = sample(g->tok[2], &na), *b = sample(g->tok[3], &nb);
        mlops_binned_result r = MLOPS_BINNED_RESULT_INIT;
        TU_OK(mlops_drift_binned(a, na, b, nb, bins, &r));
        close_to(g, "psi", r.psi, num(g, 4), 1e-12, 1e-15);
        close_to(g, "js", r.jensen_shannon, num(g, 5), 1e-12, 1e-7); /* sqrt of ~0 */
        close_to(g, "kl", r.kl, num(g, 6), 1e-12, 1e-15);
        close_to(g, "hellinger", r.hellinger, num(g, 7), 1e-12, 1e-7);
        close_to(g, "chi2", r.chisq.statistic, num(g, 8), 1e-12, 1e-12);
        close_to(g, "chi2 p", r.chisq.p_value, num(g, 9), 1e-9, 1e-300);
        ck_assert_uint_eq(r.n_bins, (size_t)num(g, 10));
        double v;
        TU_OK(mlops_drift_psi(a, na, b, nb, bins, &v));
        ck_assert(v == r.psi);
        TU_OK(mlops_drift_jensen_shannon(a, na, b, nb, bins, &v));
        ck_assert(v == r.jensen_shannon);
        TU_OK(mlops_drift_kl(a, na, b, nb, bins, &v));
        ck_assert(v == r.kl);
        TU_OK(mlops_drift_hellinger(a, na, b, nb, bins, &v));
        ck_assert(v == r.hellinger);
        free(a);
        free(b);
    }
    FOR_GOLDEN("edges", g)
    {
        size_t bins = (size_t)num(g, 1), na;
        double *a = sample(g->tok[2], &na);
        double *e;
        size_t ne;
        TU_OK(mlops_drift_quantile_edges(a, na, bins, &e, &ne));
        ck_assert_uint_eq(ne, (size_t)num(g, 3));
        for (size_t i = 0; i < ne; i++)
            ck_assert_msg(e[i] == num(g, 4 + (int)i), "line %d edge %zu", g->lineno, i);
        mlops_free(e);
        free(a);
    }
}
END_TEST

START_TEST(golden_chisq_counts)
{
    FOR_GOLDEN("chisq", g)
    {
        int k = (int)num(g, 1);
        double p[64], q[64];
        for (int i = 0; i < k; i++) {
            p[i] = num(g, 2 + i);
            q[i] = num(g, 2 + k + i);
        }
        mlops_test_result r;
        TU_OK(mlops_drift_chisq(p, q, (size_t)k, &r));
        ck_assert(isfinite(r.statistic));
        close_to(g, "chi2", r.statistic, num(g, 2 + 2 * k), 1e-12, 0.0);
        close_to(g, "chi2 p", r.p_value, num(g, 3 + 2 * k), 1e-9, 1e-300);
    }
}
END_TEST

START_TEST(golden_bh_missing)
{
    FOR_GOLDEN("bh", g)
    {
        int n = (int)num(g, 1);
        double p[64], a[64];
        for (int i = 0; i < n; i++) p[i] = num(g, 2 + i);
        TU_OK(mlops_drift_bh_adjust(p, (size_t)n, a));
        for (int i = 0; i < n; i++) close_to(g, "bh", a[i], num(g, 2 + n + i), 1e-15, 0.0);
        TU_OK(mlops_drift_bh_adjust(p, (size_t)n, p)); /* in place */
        for (int i = 0; i < n; i++) ck_assert(p[i] == a[i]);
    }
    FOR_GOLDEN("missing", g)
    {
        size_t x1 = (size_t)num(g, 1), n1 = (size_t)num(g, 2);
        size_t x2 = (size_t)num(g, 3), n2 = (size_t)num(g, 4);
        double *a = malloc(n1 * sizeof *a), *b = malloc(n2 * sizeof *b);
        for (size_t i = 0; i < n1; i++) a[i] = i < x1 ? NAN : (double)i;
        for (size_t i = 0; i < n2; i++) b[i] = i < x2 ? NAN : (double)i;
        mlops_test_result r;
        TU_OK(mlops_drift_missing(a, n1, b, n2, &r));
        close_to(g, "z", r.statistic, num(g, 5), 1e-12, 0.0);
        close_to(g, "z p", r.p_value, num(g, 6), 1e-9, 0.0);
        free(a);
        free(b);
    }
}
END_TEST

/* ---- edges and bad input ------------------------------------------------------- */

START_TEST(nan_and_inf_are_excluded_and_counted)
{
    double a[] = { 1, NAN, 2, INFINITY, 3, -INFINITY, 4, NAN };
    double clean_a[] = { 1, 2, 3, 4 };
    double b[] = { 2.5, 3.5, NAN, 5 };
    double clean_b[] = { 2.5, 3.5, 5 };
    mlops_ks_result r = MLOPS_KS_RESULT_INIT, c = MLOPS_KS_RESULT_INIT;
    TU_OK(mlops_drift_ks_ex(a, 8, b, 4, MLOPS_KS_AUTO, &r));
    TU_OK(mlops_drift_ks_ex(clean_a, 4, clean_b, 3, MLOPS_KS_AUTO, &c));
    ck_assert(r.statistic == c.statistic && r.p_value == c.p_value);
    ck_assert_uint_eq(r.n_ref, 4);
    ck_assert_uint_eq(r.ref_nan, 2);
    ck_assert_uint_eq(r.ref_inf, 2);
    ck_assert_uint_eq(r.cur_nan, 1);
    ck_assert_uint_eq(r.cur_inf, 0);
    double w1, w2;
    TU_OK(mlops_drift_wasserstein(a, 8, b, 4, &w1));
    TU_OK(mlops_drift_wasserstein(clean_a, 4, clean_b, 3, &w2));
    ck_assert(w1 == w2);
    /* All NaN / empty: EINVAL, naming the side. */
    double nans[] = { NAN, NAN, INFINITY };
    mlops_test_result t;
    TU_RC(MLOPS_EINVAL, mlops_drift_ks(nans, 3, b, 4, &t));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "ref"));
    TU_RC(MLOPS_EINVAL, mlops_drift_ks(a, 8, nans, 3, &t));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "cur"));
    TU_RC(MLOPS_EINVAL, mlops_drift_ks(a, 0, b, 4, &t));
    TU_RC(MLOPS_EINVAL, mlops_drift_ks(NULL, 3, b, 4, &t));
    TU_RC(MLOPS_EINVAL, mlops_drift_ks(a, 8, b, 4, NULL));
    TU_RC(MLOPS_EINVAL, mlops_drift_wasserstein(a, 8, nans, 3, &w1));
    TU_RC(MLOPS_EINVAL, mlops_drift_energy(nans, 3, b, 4, &w1));
    TU_RC(MLOPS_EINVAL, mlops_drift_psi(a, 8, nans, 3, 10, &w1));
    TU_RC(MLOPS_EINVAL, mlops_drift_cramer_von_mises(a, 8, b, 1, &t));
    mlops_ks_result bad = MLOPS_KS_RESULT_INIT;
    TU_RC(MLOPS_EINVAL, mlops_drift_ks_ex(a, 8, b, 4, 7, &bad));
    bad.version = 99;
    TU_RC(MLOPS_EINVAL, mlops_drift_ks_ex(a, 8, b, 4, MLOPS_KS_AUTO, &bad));
}
END_TEST

START_TEST(bins_bad_input)
{
    double a[] = { 1, 2, 3, 4, 5, 6 }, b[] = { 2, 3, 9 };
    double v;
    TU_RC(MLOPS_EINVAL, mlops_drift_psi(a, 6, b, 3, 0, &v));
    TU_RC(MLOPS_EINVAL, mlops_drift_psi(a, 6, b, 3, 1, &v));
    TU_RC(MLOPS_EINVAL, mlops_drift_jensen_shannon(a, 6, b, 3, 1, &v));
    TU_OK(mlops_drift_psi(a, 6, b, 3, 2, &v));
    ck_assert(isfinite(v) && v > 0);
    /* A constant reference: one bin on each side, distance 0. */
    double c[] = { 7, 7, 7 };
    double c2[] = { 7, 7, 6, 5 };
    TU_OK(mlops_drift_jensen_shannon(c, 3, c2, 4, 10, &v));
    ck_assert(v == 0.0); /* everything in the bin (-inf, 7] */
    TU_OK(mlops_drift_jensen_shannon(c, 3, b, 3, 10, &v));
    ck_assert(v > 0.0 && v <= sqrt(log(2.0)));
    double *e;
    size_t ne;
    TU_OK(mlops_drift_quantile_edges(c, 3, 10, &e, &ne));
    ck_assert_uint_eq(ne, 1);
    ck_assert(e[0] == 7.0);
    mlops_free(e);
    uint64_t counts[3];
    double edges[] = { 2.0, 4.0 };
    double vals[] = { 1, 2, 3, 4, 5, NAN, -INFINITY };
    TU_OK(mlops_drift_bin_counts(vals, 7, edges, 2, counts));
    ck_assert_uint_eq(counts[0], 2); /* 1, 2 (closed on the right) */
    ck_assert_uint_eq(counts[1], 2); /* 3, 4 */
    ck_assert_uint_eq(counts[2], 1); /* 5 */
    double bad_edges[] = { 4.0, 2.0 };
    TU_RC(MLOPS_EINVAL, mlops_drift_bin_counts(vals, 7, bad_edges, 2, counts));
}
END_TEST

START_TEST(counts_bad_input)
{
    double p[] = { 1, 2, 3 }, q[] = { 3, 2, 1 };
    mlops_test_result r;
    TU_RC(MLOPS_EINVAL, mlops_drift_chisq(p, q, 0, &r));
    TU_RC(MLOPS_EINVAL, mlops_drift_chisq(NULL, q, 3, &r));
    double neg[] = { 1, -2, 3 }, nan_[] = { 1, NAN, 3 }, zero[] = { 0, 0, 0 };
    TU_RC(MLOPS_EINVAL, mlops_drift_chisq(neg, q, 3, &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "ref_counts[1]"));
    TU_RC(MLOPS_EINVAL, mlops_drift_chisq(p, nan_, 3, &r));
    TU_RC(MLOPS_EINVAL, mlops_drift_chisq(p, zero, 3, &r));
    /* An unseen category stays finite (Evidently returns inf). */
    double ref[] = { 10, 20, 0 }, cur[] = { 10, 20, 15 };
    TU_OK(mlops_drift_chisq(ref, cur, 3, &r));
    ck_assert(isfinite(r.statistic) && r.p_value > 0 && r.p_value < 0.05);
    mlops_binned_result b = MLOPS_BINNED_RESULT_INIT;
    TU_OK(mlops_drift_binned_counts(ref, cur, 3, &b));
    ck_assert(isfinite(b.psi) && isfinite(b.kl));
    double ps[] = { 0.1, 1.5 };
    TU_RC(MLOPS_EINVAL, mlops_drift_bh_adjust(ps, 2, ps));
    TU_RC(MLOPS_EINVAL, mlops_drift_missing(p, 0, q, 3, &r));
}
END_TEST

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

START_TEST(sort_matches_qsort)
{
    size_t n = 100000;
    double *v = malloc(n * sizeof *v), *w = malloc(n * sizeof *w);
    dg_rng r = { 5 };
    for (size_t i = 0; i < n; i++) {
        double u = dg_uniform(&r);
        v[i] = (u - 0.5) * (i % 3 == 0 ? 1e300 : (i % 3 == 1 ? 1e-300 : 1.0));
        if (i % 101 == 0) v[i] = -0.0;
        if (i % 103 == 0) v[i] = 0.0;
        w[i] = v[i];
    }
    TU_OK(mlops__sort_doubles(v, n, NULL));
    qsort(w, n, sizeof *w, cmp_double);
    for (size_t i = 0; i < n; i++) ck_assert(v[i] == w[i]);
    for (size_t k = 0; k < 64; k++) { /* small sizes take the insertion sort */
        for (size_t i = 0; i < k; i++) v[i] = w[(i * 7919) % n];
        TU_OK(mlops__sort_doubles(v, k, NULL));
        for (size_t i = 1; i < k; i++) ck_assert(v[i - 1] <= v[i]);
    }
    free(v);
    free(w);
}
END_TEST

static Suite *drift_suite(void)
{
    Suite *s = suite_create("drift");
    TCase *tc = tcase_create("stats");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, golden_meta);
    tcase_add_test(tc, golden_ks);
    tcase_add_test(tc, golden_kstwo);
    tcase_add_test(tc, golden_chi2sf);
    tcase_add_test(tc, golden_distances);
    tcase_add_test(tc, golden_cvm);
    tcase_add_test(tc, golden_binned);
    tcase_add_test(tc, golden_chisq_counts);
    tcase_add_test(tc, golden_bh_missing);
    tcase_add_test(tc, nan_and_inf_are_excluded_and_counted);
    tcase_add_test(tc, bins_bad_input);
    tcase_add_test(tc, counts_bad_input);
    tcase_add_test(tc, sort_matches_qsort);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(drift_suite());
}
