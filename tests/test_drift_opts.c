/* The scipy options of the drift statistics (since 1.1): KS alternatives,
 * weighted Wasserstein and energy distances, Cramer-von Mises methods,
 * chi-square on R x C tables with Yates and the Cressie-Read family,
 * Jensen-Shannon with a base and KL without the floor. Golden values from
 * scipy in tests/drift/golden.txt (tests/drift/gen_golden.py). */
#include "drift_golden_file.h"

#include <mlops.h>

static int ks_alternative(const char *s)
{
    if (!strcmp(s, "less")) return MLOPS_KS_LESS;
    if (!strcmp(s, "greater")) return MLOPS_KS_GREATER;
    ck_assert_str_eq(s, "two-sided");
    return MLOPS_KS_TWO_SIDED;
}

static int ks_method(const char *s)
{
    return !strcmp(s, "exact") ? MLOPS_KS_EXACT : !strcmp(s, "asymp") ? MLOPS_KS_ASYMPTOTIC : MLOPS_KS_AUTO;
}

START_TEST(golden_ks_alternatives)
{
    FOR_GOLDEN("ksalt", g)
    {
        size_t na, nb;
        double *a = sample(g->tok[3], &na), *b = sample(g->tok[4], &nb);
        mlops_ks_opts o;
        TU_OK(mlops_ks_opts_init(&o, MLOPS_KS_OPTS_VERSION));
        o.alternative = ks_alternative(g->tok[1]);
        o.method = ks_method(g->tok[2]);
        mlops_ks_result r = MLOPS_KS_RESULT_INIT;
        TU_OK(mlops_drift_ks_opts(a, na, b, nb, &o, &r));
        double d = num(g, 5), p = num(g, 6);
        close_to(g, "D", r.statistic, d, 1e-12, 0.0);
        close_to(g, "p", r.p_value, p, 1e-9, 0.0);
        ck_assert_msg(!isnan(r.log_p_value) && r.log_p_value <= 0.0, "line %d: log p %g", g->lineno,
                      r.log_p_value);
        if (p > 1e-300) close_to(g, "log p", r.log_p_value, log(p), 1e-9, 1e-12);
        else ck_assert_msg(isfinite(r.log_p_value), "line %d: log p %g", g->lineno, r.log_p_value);
        if (o.alternative == MLOPS_KS_TWO_SIDED) {
            mlops_ks_result e = MLOPS_KS_RESULT_INIT;
            TU_OK(mlops_drift_ks_ex(a, na, b, nb, o.method, &e));
            ck_assert(e.statistic == r.statistic && e.p_value == r.p_value);
        }
        free(a);
        free(b);
    }
}
END_TEST

/* "none" or a generated weight vector. */
static double *weights(const char *spec)
{
    size_t n;
    return strcmp(spec, "none") ? sample(spec, &n) : NULL;
}

START_TEST(golden_weighted_distances)
{
    FOR_GOLDEN("wdist", g)
    {
        size_t na, nb;
        double *a = sample(g->tok[1], &na), *b = sample(g->tok[2], &nb);
        mlops_distance_opts o = MLOPS_DISTANCE_OPTS_INIT;
        o.ref_weights = weights(g->tok[3]);
        o.cur_weights = weights(g->tok[4]);
        double w, e;
        TU_OK(mlops_drift_wasserstein_opts(a, na, b, nb, &o, &w));
        TU_OK(mlops_drift_energy_opts(a, na, b, nb, &o, &e));
        close_to(g, "weighted wasserstein", w, num(g, 5), 1e-12, 0.0);
        close_to(g, "weighted energy", e, num(g, 6), 1e-12, 0.0);
        if (!o.ref_weights && !o.cur_weights) {
            double w0, e0;
            TU_OK(mlops_drift_wasserstein(a, na, b, nb, &w0));
            TU_OK(mlops_drift_energy(a, na, b, nb, &e0));
            ck_assert(w0 == w && e0 == e);
        }
        free((void *)o.ref_weights);
        free((void *)o.cur_weights);
        free(a);
        free(b);
    }
}
END_TEST

START_TEST(golden_cvm_methods)
{
    FOR_GOLDEN("cvmm", g)
    {
        size_t na, nb;
        double *a = sample(g->tok[2], &na), *b = sample(g->tok[3], &nb);
        mlops_cvm_opts o;
        TU_OK(mlops_cvm_opts_init(&o, MLOPS_CVM_OPTS_VERSION));
        o.method = !strcmp(g->tok[1], "exact")        ? MLOPS_CVM_EXACT
                   : !strcmp(g->tok[1], "asymptotic") ? MLOPS_CVM_ASYMPTOTIC
                                                      : MLOPS_CVM_AUTO;
        mlops_test_result r;
        TU_OK(mlops_drift_cramer_von_mises_opts(a, na, b, nb, &o, &r));
        /* small samples: both terms of T are small, so 1e-12 relative */
        close_to(g, "cvm T", r.statistic, num(g, 4), 1e-12, 1e-15);
        close_to(g, "cvm p", r.p_value, num(g, 5), 1e-9, 1e-14);
        if (o.method == MLOPS_CVM_AUTO) {
            mlops_test_result t;
            TU_OK(mlops_drift_cramer_von_mises(a, na, b, nb, &t));
            ck_assert(t.statistic == r.statistic && t.p_value == r.p_value);
        }
        free(a);
        free(b);
    }
}
END_TEST

static double lambda_of(const char *s)
{
    static const struct {
        const char *name;
        double value;
    } named[] = { { "pearson", MLOPS_LAMBDA_PEARSON },
                  { "log-likelihood", MLOPS_LAMBDA_LOG_LIKELIHOOD },
                  { "freeman-tukey", MLOPS_LAMBDA_FREEMAN_TUKEY },
                  { "mod-log-likelihood", MLOPS_LAMBDA_MOD_LOG_LIKELIHOOD },
                  { "neyman", MLOPS_LAMBDA_NEYMAN },
                  { "cressie-read", MLOPS_LAMBDA_CRESSIE_READ } };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (!strcmp(s, named[i].name)) return named[i].value;
    return strtod(s, NULL);
}

START_TEST(golden_chisq_tables)
{
    int seen_inf = 0, seen_nan = 0;
    FOR_GOLDEN("ctab", g)
    {
        size_t rows = (size_t)num(g, 1), cols = (size_t)num(g, 2), cells = rows * cols;
        double t[64];
        ck_assert_uint_le(cells, 64);
        for (size_t i = 0; i < cells; i++) t[i] = num(g, 5 + (int)i);
        mlops_chisq_opts o;
        TU_OK(mlops_chisq_opts_init(&o, MLOPS_CHISQ_OPTS_VERSION));
        o.correction = (int)num(g, 3);
        o.lambda = lambda_of(g->tok[4]);
        mlops_chisq_result r = MLOPS_CHISQ_RESULT_INIT;
        TU_OK(mlops_drift_chisq_table(t, rows, cols, &o, &r));
        double stat = num(g, 5 + (int)cells), p = num(g, 6 + (int)cells);
        ck_assert_uint_eq(r.dof, (uint64_t)num(g, 7 + (int)cells));
        if (isnan(stat) || isinf(stat)) {
            /* lambda <= -1 with an empty cell, as scipy */
            ck_assert_msg(isnan(stat) ? isnan(r.statistic) : r.statistic == stat, "line %d: %g",
                          g->lineno, r.statistic);
            seen_inf += isinf(stat);
            seen_nan += isnan(stat);
        } else {
            close_to(g, "chi2 statistic", r.statistic, stat, 1e-12, 0.0);
        }
        if (isnan(p))
            ck_assert(isnan(r.p_value));
        else
            close_to(g, "chi2 p", r.p_value, p, 1e-9, 0.0);
    }
    ck_assert_int_gt(seen_inf, 0);
    ck_assert_int_gt(seen_nan, 0);
}
END_TEST

/* KL as scipy's entropy gives it: +Inf where a reference bin has no
 * current value, else within 1e-12. */
static void kl_close(const gline *g, double got, double want)
{
    if (isinf(want))
        ck_assert_msg(got == want, "line %d: KL %g, want inf", g->lineno, got);
    else
        close_to(g, "KL without floor", got, want, 1e-12, 1e-15);
}

START_TEST(golden_js_base_kl)
{
    int seen_inf = 0;
    FOR_GOLDEN("jsbase", g)
    {
        size_t na, nb;
        double *a = sample(g->tok[2], &na), *b = sample(g->tok[3], &nb);
        mlops_binned_opts o;
        TU_OK(mlops_binned_opts_init(&o, MLOPS_BINNED_OPTS_VERSION));
        o.base = num(g, 4);
        o.kl_floor = 0;
        mlops_binned_result r = MLOPS_BINNED_RESULT_INIT, d = MLOPS_BINNED_RESULT_INIT;
        TU_OK(mlops_drift_binned_opts(a, na, b, nb, (size_t)num(g, 1), &o, &r));
        close_to(g, "JS with base", r.jensen_shannon, num(g, 5), 1e-12, 1e-15);
        kl_close(g, r.kl, num(g, 6));
        seen_inf += isinf(r.kl);
        /* the other figures are mlops_drift_binned's */
        TU_OK(mlops_drift_binned(a, na, b, nb, (size_t)num(g, 1), &d));
        ck_assert(r.psi == d.psi && r.hellinger == d.hellinger && r.n_bins == d.n_bins);
        ck_assert(r.chisq.statistic == d.chisq.statistic);
        free(a);
        free(b);
    }
    FOR_GOLDEN("jsbasec", g)
    {
        size_t k = (size_t)num(g, 1);
        double p[16], q[16];
        ck_assert_uint_le(k, 16);
        for (size_t i = 0; i < k; i++) {
            p[i] = num(g, 2 + (int)i);
            q[i] = num(g, 2 + (int)(k + i));
        }
        mlops_binned_opts o = MLOPS_BINNED_OPTS_INIT;
        o.base = num(g, 2 + 2 * (int)k);
        o.kl_floor = 0;
        mlops_binned_result r = MLOPS_BINNED_RESULT_INIT;
        TU_OK(mlops_drift_binned_counts_opts(p, q, k, &o, &r));
        close_to(g, "JS with base", r.jensen_shannon, num(g, 3 + 2 * (int)k), 1e-12, 1e-15);
        kl_close(g, r.kl, num(g, 4 + 2 * (int)k));
        seen_inf += isinf(r.kl);
    }
    ck_assert_int_gt(seen_inf, 0);
}
END_TEST

/* NULL options are the 1.0 functions' results; the floored KL stays the default. */
START_TEST(null_options_are_the_defaults)
{
    double a[] = { 0.1, 0.5, 0.7, 1.5, 2.0, 2.0, 3.0 }, b[] = { 0.2, 0.4, 2.5, 3.5, 4.0 };
    mlops_ks_result k1 = MLOPS_KS_RESULT_INIT, k2 = MLOPS_KS_RESULT_INIT;
    TU_OK(mlops_drift_ks_opts(a, 7, b, 5, NULL, &k1));
    TU_OK(mlops_drift_ks_ex(a, 7, b, 5, MLOPS_KS_AUTO, &k2));
    ck_assert(k1.statistic == k2.statistic && k1.p_value == k2.p_value && k1.method == k2.method);
    mlops_test_result c1, c2;
    TU_OK(mlops_drift_cramer_von_mises_opts(a, 7, b, 5, NULL, &c1));
    TU_OK(mlops_drift_cramer_von_mises(a, 7, b, 5, &c2));
    ck_assert(c1.statistic == c2.statistic && c1.p_value == c2.p_value);
    double w1, w2;
    TU_OK(mlops_drift_wasserstein_opts(a, 7, b, 5, NULL, &w1));
    TU_OK(mlops_drift_wasserstein(a, 7, b, 5, &w2));
    ck_assert(w1 == w2);
    /* unit weights on one side are the unweighted CDF */
    double ones[5] = { 1, 1, 1, 1, 1 };
    mlops_distance_opts o = MLOPS_DISTANCE_OPTS_INIT;
    o.cur_weights = ones;
    TU_OK(mlops_drift_energy_opts(a, 7, b, 5, &o, &w1));
    TU_OK(mlops_drift_energy(a, 7, b, 5, &w2));
    ck_assert(w1 == w2);
    double p[] = { 5, 0, 3 }, q[] = { 0, 4, 4 };
    mlops_binned_result r1 = MLOPS_BINNED_RESULT_INIT, r2 = MLOPS_BINNED_RESULT_INIT;
    TU_OK(mlops_drift_binned_counts_opts(p, q, 3, NULL, &r1));
    TU_OK(mlops_drift_binned_counts(p, q, 3, &r2));
    ck_assert(memcmp(&r1, &r2, sizeof r1) == 0);
    ck_assert(isfinite(r1.kl));
    /* Yates by default, as scipy: a 2 x 2 table with and without */
    double t[] = { 10, 20, 30, 25 };
    mlops_chisq_result y = MLOPS_CHISQ_RESULT_INIT, n = MLOPS_CHISQ_RESULT_INIT;
    mlops_chisq_opts co = MLOPS_CHISQ_OPTS_INIT;
    co.correction = 0;
    TU_OK(mlops_drift_chisq_table(t, 2, 2, NULL, &y));
    TU_OK(mlops_drift_chisq_table(t, 2, 2, &co, &n));
    ck_assert(y.statistic < n.statistic && y.dof == 1);
    /* without correction, the 2 x k table is mlops_drift_chisq's test */
    mlops_test_result c;
    TU_OK(mlops_drift_chisq(t, t + 2, 2, &c));
    ck_assert(fabs(c.statistic - n.statistic) <= 1e-12 * n.statistic);
}
END_TEST

START_TEST(options_bad_input)
{
    double a[] = { 1, 2, 3 }, b[] = { 2, 3, 4 };
    mlops_ks_result kr = MLOPS_KS_RESULT_INIT;
    mlops_ks_opts ko = MLOPS_KS_OPTS_INIT;
    ko.alternative = 3;
    TU_RC(MLOPS_EINVAL, mlops_drift_ks_opts(a, 3, b, 3, &ko, &kr));
    ko.alternative = MLOPS_KS_LESS;
    ko.method = 7;
    TU_RC(MLOPS_EINVAL, mlops_drift_ks_opts(a, 3, b, 3, &ko, &kr));
    ko.method = MLOPS_KS_AUTO;
    ko.version = 2;
    TU_RC(MLOPS_EINVAL, mlops_drift_ks_opts(a, 3, b, 3, &ko, &kr));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_drift_ks_opts"));
    TU_RC(MLOPS_EINVAL, mlops_ks_opts_init(&ko, 0));

    double w = 0.0, neg[] = { 1, -1, 1 }, zero[] = { 0, 0, 0 }, nan_w[] = { 1, NAN, 1 };
    mlops_distance_opts dopt = MLOPS_DISTANCE_OPTS_INIT;
    dopt.ref_weights = neg;
    TU_RC(MLOPS_EINVAL, mlops_drift_wasserstein_opts(a, 3, b, 3, &dopt, &w));
    dopt.ref_weights = zero;
    TU_RC(MLOPS_EINVAL, mlops_drift_energy_opts(a, 3, b, 3, &dopt, &w));
    dopt.ref_weights = nan_w;
    TU_RC(MLOPS_EINVAL, mlops_drift_energy_opts(a, 3, b, 3, &dopt, &w));
    /* the weights of the finite values must sum above 0 */
    double a_nan[] = { 1, NAN, 3 }, w_only_nan[] = { 0, 5, 0 };
    dopt.ref_weights = w_only_nan;
    TU_RC(MLOPS_EINVAL, mlops_drift_wasserstein_opts(a_nan, 3, b, 3, &dopt, &w));

    mlops_cvm_opts cv = MLOPS_CVM_OPTS_INIT;
    mlops_test_result tr;
    cv.method = 3;
    TU_RC(MLOPS_EINVAL, mlops_drift_cramer_von_mises_opts(a, 3, b, 3, &cv, &tr));
    /* the exact law's integers would overflow */
    cv.method = MLOPS_CVM_EXACT;
    size_t big = 300007;
    double *x = calloc(big, sizeof *x), *y = calloc(big - 1, sizeof *y);
    for (size_t i = 0; i < big; i++) x[i] = (double)i;
    for (size_t i = 0; i + 1 < big; i++) y[i] = (double)i + 0.5;
    TU_RC(MLOPS_EINVAL, mlops_drift_cramer_von_mises_opts(x, big, y, big - 1, &cv, &tr));
    free(x);
    free(y);

    mlops_binned_opts bo = MLOPS_BINNED_OPTS_INIT;
    mlops_binned_result br = MLOPS_BINNED_RESULT_INIT;
    double p[] = { 1, 2 }, q[] = { 2, 1 };
    bo.base = 1.0;
    TU_RC(MLOPS_EINVAL, mlops_drift_binned_counts_opts(p, q, 2, &bo, &br));
    bo.base = 0.5;
    TU_RC(MLOPS_EINVAL, mlops_drift_binned_counts_opts(p, q, 2, &bo, &br));
    bo.base = 2.0;
    bo.kl_floor = 2;
    TU_RC(MLOPS_EINVAL, mlops_drift_binned_opts(a, 3, b, 3, 2, &bo, &br));

    double t[] = { 1, 0, 2, 0 }, tn[] = { 1, -1, 2, 3 };
    mlops_chisq_opts co = MLOPS_CHISQ_OPTS_INIT;
    mlops_chisq_result cr = MLOPS_CHISQ_RESULT_INIT;
    TU_RC(MLOPS_EINVAL, mlops_drift_chisq_table(t, 2, 2, &co, &cr)); /* empty column */
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "column 1"));
    TU_RC(MLOPS_EINVAL, mlops_drift_chisq_table(tn, 2, 2, &co, &cr));
    TU_RC(MLOPS_EINVAL, mlops_drift_chisq_table(t, 0, 2, &co, &cr));
    TU_RC(MLOPS_EINVAL, mlops_drift_chisq_table(t, SIZE_MAX, 2, &co, &cr));
    co.lambda = NAN;
    TU_RC(MLOPS_EINVAL, mlops_drift_chisq_table(tn, 2, 2, &co, &cr));
    co = (mlops_chisq_opts)MLOPS_CHISQ_OPTS_INIT;
    co.correction = 2;
    TU_RC(MLOPS_EINVAL, mlops_drift_chisq_table(t, 2, 2, &co, &cr));
    cr.version = 0;
    TU_RC(MLOPS_EINVAL, mlops_drift_chisq_table(t, 2, 2, NULL, &cr));
}
END_TEST

static Suite *drift_opts_suite(void)
{
    Suite *s = suite_create("drift_opts");
    TCase *tc = tcase_create("scipy_options");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, golden_ks_alternatives);
    tcase_add_test(tc, golden_weighted_distances);
    tcase_add_test(tc, golden_cvm_methods);
    tcase_add_test(tc, golden_chisq_tables);
    tcase_add_test(tc, golden_js_base_kl);
    tcase_add_test(tc, null_options_are_the_defaults);
    tcase_add_test(tc, options_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(drift_opts_suite());
}
