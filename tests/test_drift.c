/* Drift statistics (include/mlops/drift.h): golden vectors from scipy
 * (tests/drift/golden.txt, written by tests/drift/gen_golden.py), edge
 * cases and bad input. */
#include "testutil.h"
#include "drift_golden_file.h"

#include <mlops.h>
#include "drift/drift_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(golden_meta)
{
    load_golden();
    ck_assert_str_eq(g_lines[0].tok[0], "meta");
    ck_assert_str_eq(g_lines[0].tok[1], "scipy");
}
END_TEST

/* log P(K > sqrt(en)) of Kolmogorov's limiting law, en = n1 n2 / (n1 + n2):
 * the asymptotic log p-value at D = 1, where kstwo.sf is exactly 0. Summed
 * directly while the terms stay in range, else its leading term (the next
 * is exp(-6 en) smaller). */
static double kolmogorov_log_sf_at_1(size_t n1, size_t n2)
{
    double en = (double)n1 * (double)n2 / ((double)n1 + (double)n2);
    if (2.0 * en > 600.0) return log(2.0) - 2.0 * en;
    double s = 0.0;
    for (int k = 20; k >= 1; k--) s += (k % 2 ? 1.0 : -1.0) * exp(-2.0 * k * k * en);
    return log(2.0 * s);
}

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
        if (isnan(p)) {
            /* asymptotic, both sides of size 1: scipy's effective size is 0 */
            ck_assert_msg(isnan(r.p_value) && isnan(r.log_p_value), "line %d: p %g, log p %g",
                          g->lineno, r.p_value, r.log_p_value);
            ck_assert(method == MLOPS_KS_ASYMPTOTIC && na == 1 && nb == 1);
            free(a);
            free(b);
            continue;
        }
        close_to(g, "p", r.p_value, p, 1e-9, 0.0);
        ck_assert(isfinite(r.log_p_value) && r.log_p_value <= 0.0);
        if (p > 1e-300)
            close_to(g, "log p", r.log_p_value, log(p), 1e-9, 1e-12);
        else if (r.method == MLOPS_KS_ASYMPTOTIC && d == 1.0)
            close_to(g, "log p at D = 1", r.log_p_value, kolmogorov_log_sf_at_1(na, nb), 1e-12, 0.0);
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

/* For large n the Birnbaum-Tingey sum of the Smirnov tail is taken from
 * every q-th term (smirnov_sampled.c). Densely over n in 10^3 .. 2 10^5 and
 * n d^2 from kstwo's switch to the Smirnov tail (2.2) to far in the tail,
 * it must agree with the term-by-term sum to 1e-12 relative, and so must
 * kstwo.sf where it takes that branch. */
START_TEST(smirnov_sampled_matches_direct_sum)
{
    double worst = 0.0, worst_log = 0.0;
    for (double fn = 1000.0; fn <= 200000.0; fn *= 1.23) {
        int64_t n = (int64_t)fn;
        for (double nd2 = 2.2; nd2 < 2e4; nd2 *= 1.37) {
            double d = sqrt(nd2 / (double)n);
            if (d >= 1.0) break;
            double lnew, lold;
            double fast = mlops__smirnov_sf(n, d, &lnew), slow = mlops__smirnov_sf_direct(n, d, &lold);
            double k = mlops__kstwo_sf(n, d, NULL);
            if (slow > 0.0) {
                double rel = fabs(fast - slow) / slow;
                worst = rel > worst ? rel : worst;
                if (rel > 1e-12 || (nd2 > 2.25 && nd2 < 370.0 && fabs(k - 2 * slow) > 1e-12 * 2 * slow))
                    ck_abort_msg("n %" PRId64 " d %.17g: sampled %.17g, direct %.17g, kstwo %.17g", n,
                                 d, fast, slow, k);
            }
            double lrel = fabs(lnew - lold) / fabs(lold);
            worst_log = lrel > worst_log ? lrel : worst_log;
            if (lrel > 1e-12)
                ck_abort_msg("n %" PRId64 " d %.17g: log sampled %.17g, direct %.17g", n, d, lnew, lold);
        }
    }
    printf("# figure: smirnov sampled vs direct: max relative difference %.3g (sf), %.3g "
           "(log sf)\n",
           worst, worst_log);
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

/* 0/1 columns with near-equal shares: W = |i/n1 - j/n2| nearly cancels,
 * so each CDF step must be divided as scipy divides (issue 26). */
START_TEST(golden_binary_columns)
{
    FOR_GOLDEN("binary", g)
    {
        char sa[64], sb[64];
        snprintf(sa, sizeof sa, "bin:%s:%s", g->tok[1], g->tok[2]);
        snprintf(sb, sizeof sb, "bin:%s:%s", g->tok[3], g->tok[4]);
        size_t na, nb;
        double *a = sample(sa, &na), *b = sample(sb, &nb);
        double w, e;
        TU_OK(mlops_drift_wasserstein(a, na, b, nb, &w));
        TU_OK(mlops_drift_energy(a, na, b, nb, &e));
        close_to(g, "wasserstein", w, num(g, 5), 1e-12, 0.0);
        close_to(g, "energy", e, num(g, 6), 1e-12, 0.0);
        free(a);
        free(b);
    }
    ck_assert_int_ge(count_kind("binary"), 2000);
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
        /* T = U/(mnN) - (4mn-1)/(6N) is a difference of two large terms:
         * the documented tolerance is 1e-12 of the larger term. */
        double want = num(g, 3), m = (double)na, n = (double)nb, N = m + n;
        double offset = (4.0 * m * n - 1.0) / (6.0 * N), u_term = want + offset;
        double mag = fabs(u_term) > offset ? fabs(u_term) : offset;
        ck_assert_msg(fabs(r.statistic - want) <= 1e-12 * mag, "line %d cvm T: got %.17g want %.17g",
                      g->lineno, r.statistic, want);
        /* While 4U stays below 2^52 every partial sum of scipy's U (in
         * quarters) is exact, as ours is, and both round U/(mnN) and the
         * offset once: T is then the same double. */
        if (4.0 * u_term * m * n * N < 0x1p52)
            ck_assert_msg(r.statistic == want, "line %d cvm T: got %a want %a", g->lineno,
                          r.statistic, want);
        /* p = 1 - cdf carries ~1e-15 absolute error in scipy too. */
        close_to(g, "cvm p", r.p_value, num(g, 4), 1e-9, 1e-14);
        free(a);
        free(b);
    }
}
END_TEST

/* Whether c is a / b rounded to the nearest double (ties to even),
 * decided in integers: with c = M 2^E, |a 2^-E - M b| against b/2 (b/4
 * below a power of two, where the spacing halves). Needs c < 2^52. */
static int is_rounded_quotient(double c, unsigned __int128 a, unsigned __int128 b)
{
    int e;
    double frac = frexp(c, &e);
    uint64_t M = (uint64_t)ldexp(frac, 53);
    int E = e - 53;
    if (E >= 0 || E <= -75) return 0; /* outside what the shifts below hold */
    unsigned __int128 A = a << -E, MB = (unsigned __int128)M * b;
    unsigned __int128 diff = A > MB ? A - MB : MB - A;
    unsigned __int128 room = (M == (1ull << 52) && A < MB) ? 4 * diff : 2 * diff;
    return room < b || (room == b && !(M & 1));
}

/* The offset (4mn - 1)/(6N) of the Cramer-von Mises T is rounded once, as
 * scipy's int / int is: every size pair up to 5,000 (where a long double
 * quotient rounded again differs for ~0.02% of pairs) and random large
 * pairs, whose operands no longer fit a double. */
START_TEST(cvm_offset_correctly_rounded)
{
    typedef unsigned __int128 u128;
    size_t wrong = 0;
    for (uint64_t m = 1; m <= 5000; m++)
        for (uint64_t n = m; n <= 5000; n++) {
            double c = mlops__cvm_offset(m, n);
            if (!is_rounded_quotient(c, 4 * (u128)m * n - 1, 6 * (u128)(m + n))) wrong++;
            if (mlops__cvm_offset(n, m) != c) wrong++;
        }
    ck_assert_uint_eq(wrong, 0);
    dg_rng r = { 26 };
    for (int i = 0; i < 200000; i++) {
        /* log-uniform sizes up to 2^34 */
        uint64_t m = 1 + (uint64_t)ldexp(dg_uniform(&r), (int)(dg_uniform(&r) * 34));
        uint64_t n = 1 + (uint64_t)ldexp(dg_uniform(&r), (int)(dg_uniform(&r) * 34));
        double c = mlops__cvm_offset(m, n);
        ck_assert_msg(is_rounded_quotient(c, 4 * (u128)m * n - 1, 6 * (u128)(m + n)),
                      "m %" PRIu64 " n %" PRIu64 ": %a", m, n, c);
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

/* A value and where it stood, for reference sorts that settle ties. */
typedef struct placed_double {
    double v;
    size_t at;
} placed_double;

/* Numeric order, ties in input order: the stable sort. */
static int cmp_stable(const void *x, const void *y)
{
    const placed_double *a = x, *b = y;
    if (a->v != b->v) return (a->v > b->v) - (a->v < b->v);
    return (a->at > b->at) - (a->at < b->at);
}

/* The sketch's level merge (branch-free since the monitor ingest work;
 * from both ends at once through the sketch's scratch when it has one and
 * the result fits): merging two sorted levels gives exactly the stable
 * merge, bit for bit, whichever side runs out first and with ties across
 * the sides, the receiving level's first (-0.0 against +0.0 shows it;
 * profiles store +0.0, but a stored level may hold either). */
START_TEST(kll_merge_is_sorted_concatenation)
{
    uint64_t st = 7;
    for (int trial = 0; trial < 8192; trial++) {
        mlops__kll into, from;
        TU_OK(mlops__kll_init(&into, 64));
        TU_OK(mlops__kll_init(&from, 64));
        if (trial % 2) { /* the scratch a full level 0 brings */
            into.tmp = malloc(64 * sizeof *into.tmp);
            ck_assert(into.tmp);
        }
        double a[32], b[32];
        placed_double want[64];
        uint32_t na = (uint32_t)(trial / 2 % 32), nb = (uint32_t)(trial / 64 % 32);
        int spread = trial / 2048; /* 0: many ties, 1: b below a, 2: b above a, 3: zeros of both signs */
        for (uint32_t i = 0; i < na + nb; i++) {
            st = st * 6364136223846793005ULL + 1442695040888963407ULL;
            double v = spread == 0 ? (double)((st >> 33) % 5) : (double)(st >> 11) / 9007199254740992.0;
            if (spread == 3) v = (st >> 40) % 3 == 0 ? 1.0 : ((st >> 41) & 1) ? -0.0 : 0.0;
            if ((spread == 1 && i < na) || (spread == 2 && i >= na)) v += 2.0; /* (v + 0.0 would turn -0.0 to +0.0) */
            want[i].v = v;
            want[i].at = i;
        }
        /* Each level sorted (ties in any order), then the stable merge. */
        qsort(want, na, sizeof *want, cmp_stable);
        qsort(want + na, nb, sizeof *want, cmp_stable);
        for (uint32_t i = 0; i < na + nb; i++) {
            if (i < na) a[i] = want[i].v;
            else b[i - na] = want[i].v;
            want[i].at = i;
        }
        qsort(want, na + nb, sizeof *want, cmp_stable);
        TU_OK(mlops__kll_set_level(&into, 1, a, na, 0));
        TU_OK(mlops__kll_set_level(&from, 1, b, nb, 0));
        into.n = 2 * (uint64_t)na;
        from.n = 2 * (uint64_t)nb;
        TU_OK(mlops__kll_merge(&into, &from));
        ck_assert_uint_eq(into.levels[1].n, na + nb);
        ck_assert_uint_eq(into.n, 2 * (uint64_t)(na + nb));
        ck_assert_int_eq(mlops__kll_check(&into), 0);
        for (uint32_t i = 0; i < na + nb; i++)
            ck_assert_msg(!memcmp(&into.levels[1].v[i], &want[i].v, sizeof want[i].v),
                          "trial %d (%u + %u) at %u: %a vs %a", trial, na, nb, i, into.levels[1].v[i], want[i].v);
        mlops__kll_free(&into);
        mlops__kll_free(&from);
    }
}
END_TEST

/* Binning (vectorised for up to 32 edges, eight values a step): the same
 * counts as counting edges below each value one by one, for every edge
 * count, block tail, ties with edges and non-finite values (not counted). */
START_TEST(bin_add_matches_naive)
{
    uint64_t st = 11;
    double x[700], e[40];
    uint64_t got[41], want[41];
    for (int trial = 0; trial < 400; trial++) {
        size_t ne = 1 + (size_t)trial % 40, n = (size_t)(trial * 7) % 700;
        for (size_t k = 0; k < ne; k++) e[k] = (double)k - (double)ne / 2;
        for (size_t i = 0; i < n; i++) {
            st = st * 6364136223846793005ULL + 1442695040888963407ULL;
            uint64_t r = st >> 40;
            x[i] = r % 17 == 0 ? NAN : r % 19 == 0 ? (r & 1 ? INFINITY : -INFINITY)
                 : r % 5 == 0 ? e[r % ne] : (double)(r % 1000) / 1000.0 * (double)(ne + 2) - (double)ne / 2 - 1;
        }
        memset(got, 0, sizeof got);
        memset(want, 0, sizeof want);
        mlops__bin_add(x, n, e, ne, got);
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(x[i])) continue;
            size_t b = 0;
            while (b < ne && e[b] < x[i]) b++;
            want[b]++;
        }
        ck_assert_msg(!memcmp(got, want, sizeof got), "trial %d: %zu values, %zu edges", trial, n, ne);
    }
}
END_TEST

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
    /* Block sizes take the bucket sort (with 4, 2 or 1 buckets a value,
     * as its scratch allows: both sides of each switch), or radix when
     * the data clump. */
    size_t sizes[] = { 100, 2048, 3071, 3072, 5000, 6143, 6144, 12000, 12287, 20000, 100000 };
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
        for (int kind = 0; kind < 4; kind++) {
            size_t m = sizes[si];
            for (size_t i = 0; i < m; i++) {
                double u = dg_uniform(&r);
                v[i] = kind == 0 ? u - 0.3 : kind == 1 ? floor(u * 7) : kind == 2 ? (u - 0.5) * 1e300 : u * u * u * u;
                if (kind == 2 && i % 50 == 0) v[i] = 1e-300 * u;
                w[i] = v[i];
            }
            TU_OK(mlops__sort_doubles(v, m, NULL));
            qsort(w, m, sizeof *w, cmp_double);
            for (size_t i = 0; i < m; i++) ck_assert_msg(v[i] == w[i], "size %zu kind %d at %zu", m, kind, i);
        }
    memcpy(w, v, 64 * sizeof *w);
    for (size_t k = 0; k < 64; k++) { /* small sizes take the insertion sort */
        for (size_t i = 0; i < k; i++) v[i] = w[(i * 7919) % n];
        TU_OK(mlops__sort_doubles(v, k, NULL));
        for (size_t i = 1; i < k; i++) ck_assert(v[i - 1] <= v[i]);
    }
    free(v);
    free(w);
}
END_TEST

/* Numeric order, -0.0 before +0.0 (the radix sort's order of bit patterns). */
static int cmp_total(const void *x, const void *y)
{
    const placed_double *a = x, *b = y;
    if (a->v != b->v) return (a->v > b->v) - (a->v < b->v);
    return (signbit(b->v) != 0) - (signbit(a->v) != 0);
}

/* The sort of blocks (the sketch sorts 2,048 values at a time), bit for
 * bit against qsort with a comparator that settles ties the way the sort
 * must: values of smooth data (a few zeros of either sign among them)
 * take the insertion or bucket sort, which keep equal values in input
 * order; clumped ones (half zeros) from 128 values on take the radix
 * sort, which puts -0.0 first. With infinities and repeats, numeric order
 * against qsort. Every size to 70, then the switches between ways. */
START_TEST(sort_blocks_bitwise)
{
    size_t sizes[200], ns = 0;
    for (size_t m = 0; m <= 70; m++) sizes[ns++] = m;
    size_t more[] = { 100, 127, 128, 500, 1023, 1024, 1535, 1536, 2047, 2048, 2049, 3071,
                      3072, 4095, 4096, 6143, 6144, 8192, 12287 };
    for (size_t k = 0; k < sizeof more / sizeof *more; k++) sizes[ns++] = more[k];
    size_t cap = 12287;
    double *v = malloc(cap * sizeof *v), *w = malloc(cap * sizeof *w);
    placed_double *ref = malloc(cap * sizeof *ref);
    ck_assert(v && w && ref);
    dg_rng r = { 37 };
    for (size_t si = 0; si < ns; si++)
        for (int kind = 0; kind < 4; kind++) {
            size_t m = sizes[si], zeros = 0;
            for (size_t i = 0; i < m; i++) {
                double u = dg_uniform(&r), x;
                if (kind == 0) { /* smooth, at most 40 zeros */
                    x = u - 0.5;
                    if (dg_uniform(&r) < 0.02 && zeros < 40) {
                        x = dg_uniform(&r) < 0.5 ? -0.0 : 0.0;
                        zeros++;
                    }
                } else if (kind == 1) { /* half zeros of either sign */
                    x = dg_uniform(&r) < 0.5 ? (u < 0.5 ? -0.0 : 0.0) : u * 1e6 - 3e5;
                } else if (kind == 2) { /* the sketch's blocks: [c, c + 1) */
                    x = u + (double)(si % 20);
                } else { /* infinities, repeats, wide magnitudes, zeros */
                    double t = dg_uniform(&r);
                    x = t < 0.05 ? INFINITY : t < 0.1 ? -INFINITY : t < 0.4 ? floor(u * 5) - 2.0 :
                        t < 0.5 ? (u < 0.5 ? -0.0 : 0.0) : (u - 0.5) * ldexp(1.0, (int)(t * 2000) - 1000);
                }
                v[i] = x;
                ref[i].v = x;
                ref[i].at = i;
            }
            TU_OK(mlops__sort_doubles(v, m, NULL));
            if (kind == 3) {
                for (size_t i = 0; i < m; i++) w[i] = ref[i].v;
                qsort(w, m, sizeof *w, cmp_double);
                for (size_t i = 0; i < m; i++)
                    ck_assert_msg(v[i] == w[i], "size %zu kind %d at %zu", m, kind, i);
                continue;
            }
            if (kind == 1 && m >= 64 && m < 128) continue; /* either way, by the draw */
            qsort(ref, m, sizeof *ref, kind == 1 && m >= 128 ? cmp_total : cmp_stable);
            for (size_t i = 0; i < m; i++)
                ck_assert_msg(memcmp(&v[i], &ref[i].v, sizeof *v) == 0, "size %zu kind %d at %zu: %a vs %a", m,
                              kind, i, v[i], ref[i].v);
        }
    free(v);
    free(w);
    free(ref);
}



/* ---- profiles ------------------------------------------------------------------ */

static double *irwin(uint64_t seed, size_t n, double shift, double scale)
{
    char spec[128];
    snprintf(spec, sizeof spec, "irwin:%llu:%zu:%.17g:%.17g", (unsigned long long)seed, n, shift, scale);
    size_t m;
    return sample(spec, &m);
}

static mlops_profile *numeric_profile(const double *x, size_t n, size_t batch, const mlops_profile_opts *o)
{
    mlops_profile *p;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, o, &p));
    for (size_t i = 0; i < n; i += batch) TU_OK(mlops_profile_add(p, x + i, n - i < batch ? n - i : batch));
    return p;
}

START_TEST(profile_small_is_exact)
{
    /* Below k and freeze_after, every figure equals the array functions. */
    size_t n1 = 1500, n2 = 1200;
    double *a = irwin(201, n1, 0, 1), *b = irwin(202, n2, 0.15, 1);
    a[7] = NAN;
    a[9] = INFINITY;
    mlops_profile *p = numeric_profile(a, n1, 333, NULL);
    mlops_profile_comparison c = MLOPS_PROFILE_COMPARISON_INIT;
    TU_OK(mlops_profile_compare_values(p, b, n2, &c));
    mlops_binned_result r = MLOPS_BINNED_RESULT_INIT;
    TU_OK(mlops_drift_binned(a, n1, b, n2, 10, &r));
    ck_assert(c.psi == r.psi && c.jensen_shannon == r.jensen_shannon && c.kl == r.kl);
    ck_assert(c.hellinger == r.hellinger && c.chisq.statistic == r.chisq.statistic);
    mlops_ks_result k = MLOPS_KS_RESULT_INIT;
    TU_OK(mlops_drift_ks_ex(a, n1, b, n2, MLOPS_KS_AUTO, &k));
    ck_assert(c.ks_error == 0.0);
    ck_assert_msg(c.ks_p_value == k.p_value, "%.17g %.17g", c.ks_p_value, k.p_value);
    ck_assert(c.ks_verdict == (k.p_value < 0.05 ? MLOPS_VERDICT_DRIFT : MLOPS_VERDICT_NO_DRIFT));
    mlops_profile_summary s = MLOPS_PROFILE_SUMMARY_INIT;
    TU_OK(mlops_profile_summary_get(p, &s));
    ck_assert_uint_eq(s.count, n1 - 2);
    ck_assert_uint_eq(s.nan_count, 1);
    ck_assert_uint_eq(s.inf_count, 1);
    ck_assert(s.rank_error == 0.0 && s.frozen);
    double mean = 0, m2 = 0, lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n1; i++)
        if (isfinite(a[i])) {
            mean += a[i];
            lo = fmin(lo, a[i]);
            hi = fmax(hi, a[i]);
        }
    mean /= (double)(n1 - 2);
    for (size_t i = 0; i < n1; i++)
        if (isfinite(a[i])) m2 += (a[i] - mean) * (a[i] - mean);
    ck_assert(fabs(s.mean - mean) <= 1e-12 * fabs(mean) + 1e-15);
    ck_assert(fabs(s.variance - m2 / (double)(n1 - 2)) <= 1e-12 * s.variance);
    ck_assert(s.min == lo && s.max == hi);
    /* Quantiles are exact before the first compaction: the median is a value. */
    double q;
    TU_OK(mlops_profile_quantile(p, 0.0, &q));
    ck_assert(q == lo);
    TU_OK(mlops_profile_quantile(p, 1.0, &q));
    ck_assert(q == hi);
    mlops_profile_free(p);
    free(a);
    free(b);
}
END_TEST

static void serialize(mlops_profile *p, void **buf, size_t *len)
{
    TU_OK(mlops_profile_serialize(p, buf, len));
    ck_assert_uint_gt(*len, 10);
}

START_TEST(profile_bytes_are_deterministic)
{
    size_t n = 300000;
    double *a = irwin(203, n, 1, 2);
    for (size_t i = 0; i < n; i += 997) a[i] = NAN;
    mlops_profile_opts o = MLOPS_PROFILE_OPTS_INIT;
    o.sketch_k = 256;
    o.freeze_after = 50000;
    mlops_profile *p1 = numeric_profile(a, n, 1000, &o), *p2 = numeric_profile(a, n, 77777, &o),
                  *p3 = numeric_profile(a, n, n, &o);
    void *b1, *b2, *b3, *b4;
    size_t l1, l2, l3, l4;
    serialize(p1, &b1, &l1);
    serialize(p2, &b2, &l2);
    serialize(p3, &b3, &l3);
    ck_assert_uint_eq(l1, l2);
    ck_assert_uint_eq(l1, l3);
    ck_assert(memcmp(b1, b2, l1) == 0 && memcmp(b1, b3, l1) == 0);
    /* Round trip: the decoded profile re-encodes to the same bytes. */
    mlops_profile *d;
    TU_OK(mlops_profile_deserialize(b1, l1, &d));
    serialize(d, &b4, &l4);
    ck_assert_uint_eq(l1, l4);
    ck_assert(memcmp(b1, b4, l1) == 0);
    mlops_profile_summary s1 = MLOPS_PROFILE_SUMMARY_INIT, s2 = MLOPS_PROFILE_SUMMARY_INIT;
    TU_OK(mlops_profile_summary_get(p1, &s1));
    TU_OK(mlops_profile_summary_get(d, &s2));
    ck_assert(s1.mean == s2.mean && s1.variance == s2.variance && s1.count == s2.count);
    ck_assert(s1.rank_error > 0.0 && s1.rank_error == s2.rank_error);
    /* The documented bound: (floor(log2(n/k)) + 1) / k. */
    ck_assert(s1.rank_error <= (floor(log2((double)s1.count / 256)) + 1) / 256);
    /* Continuing after a round trip gives what continuing the original gives. */
    TU_OK(mlops_profile_add(d, a, 5000));
    TU_OK(mlops_profile_add(p1, a, 5000));
    mlops_free(b4);
    serialize(d, &b4, &l4);
    mlops_free(b1);
    serialize(p1, &b1, &l1);
    ck_assert(l1 == l4 && memcmp(b1, b4, l1) == 0);
    mlops_free(b1);
    mlops_free(b2);
    mlops_free(b3);
    mlops_free(b4);
    mlops_profile_free(p1);
    mlops_profile_free(p2);
    mlops_profile_free(p3);
    mlops_profile_free(d);
    free(a);
}
END_TEST

static int cmpd(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

START_TEST(profile_merge_within_bound)
{
    size_t n = 400000, half = 150000;
    double *a = irwin(204, n, 0, 1);
    mlops_profile_opts o = MLOPS_PROFILE_OPTS_INIT;
    o.sketch_k = 128;
    o.freeze_after = 1000;
    mlops_profile *whole = numeric_profile(a, n, 4096, &o);
    mlops_profile *p = numeric_profile(a, half, 4096, &o), *q;
    TU_OK(mlops_profile_new_like(p, &q));
    TU_OK(mlops_profile_add(q, a + half, n - half));
    TU_OK(mlops_profile_merge(p, q));
    mlops_profile_summary sm = MLOPS_PROFILE_SUMMARY_INIT, sw = MLOPS_PROFILE_SUMMARY_INIT;
    TU_OK(mlops_profile_summary_get(p, &sm));
    TU_OK(mlops_profile_summary_get(whole, &sw));
    ck_assert_uint_eq(sm.count, n);
    ck_assert(fabs(sm.mean - sw.mean) <= 1e-12 && fabs(sm.variance - sw.variance) <= 1e-12 * sw.variance);
    ck_assert(sm.min == sw.min && sm.max == sw.max);
    ck_assert(sm.rank_error <= (floor(log2((double)n / 128)) + 1) / 128);
    /* Bins are exact: the merged counts equal the whole's. */
    const double *e1, *e2;
    size_t ne1, ne2;
    TU_OK(mlops_profile_edges(p, &e1, &ne1));
    TU_OK(mlops_profile_edges(whole, &e2, &ne2));
    ck_assert_uint_eq(ne1, ne2);
    for (size_t i = 0; i <= ne1; i++) ck_assert_uint_eq(p->bin_counts[i], whole->bin_counts[i]);
    /* Every quantile's true rank is within the bound. */
    double *s = malloc(n * sizeof *s);
    memcpy(s, a, n * sizeof *s);
    qsort(s, n, sizeof *s, cmpd);
    double bound = sm.rank_error * (double)n;
    for (int i = 0; i <= 100; i++) {
        double qq = i / 100.0, v;
        TU_OK(mlops_profile_quantile(p, qq, &v));
        size_t below = 0, upto = 0; /* #{x < v}, #{x <= v} */
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (s[mid] < v) lo = mid + 1; else hi = mid;
        }
        below = lo;
        hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (s[mid] <= v) lo = mid + 1; else hi = mid;
        }
        upto = lo;
        ck_assert_msg((double)upto >= qq * (double)n - bound - 1 && (double)below <= qq * (double)n + bound,
                      "q %g: rank [%zu, %zu] bound %g", qq, below, upto, bound);
    }
    free(s);
    /* Merging different bins is refused. */
    mlops_profile *other = numeric_profile(a + 1000, 5000, 5000, &o);
    TU_RC(MLOPS_ECONFLICT, mlops_profile_merge(p, other));
    mlops_profile *cat;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_CATEGORICAL, &o, &cat));
    TU_RC(MLOPS_EINVAL, mlops_profile_merge(p, cat));
    mlops_profile_comparison c = MLOPS_PROFILE_COMPARISON_INIT;
    TU_RC(MLOPS_EINVAL, mlops_profile_compare(p, cat, &c));
    mlops_profile_free(cat);
    mlops_profile_free(other);
    mlops_profile_free(p);
    mlops_profile_free(q);
    mlops_profile_free(whole);
    free(a);
}
END_TEST

START_TEST(profile_ks_verdicts)
{
    mlops_profile_opts o = MLOPS_PROFILE_OPTS_INIT;
    o.sketch_k = 64; /* a coarse sketch: a large error bound */
    size_t n = 200000, m = 20000;
    double *a = irwin(205, n, 0, 1);
    mlops_profile *p = numeric_profile(a, n, n, &o);
    mlops_profile_summary s = MLOPS_PROFILE_SUMMARY_INIT;
    TU_OK(mlops_profile_summary_get(p, &s));
    ck_assert(s.rank_error > 0.02);
    /* A shift far beyond the error: drift. */
    double *far = irwin(206, m, 1.0, 1);
    mlops_profile_comparison c = MLOPS_PROFILE_COMPARISON_INIT;
    TU_OK(mlops_profile_compare_values(p, far, m, &c));
    ck_assert_int_eq(c.ks_verdict, MLOPS_VERDICT_DRIFT);
    /* A shift whose D sits inside the error band: inconclusive, not a guess. */
    double *near = irwin(207, m, 0.03, 1);
    TU_OK(mlops_profile_compare_values(p, near, m, &c));
    ck_assert_msg(c.ks_verdict == MLOPS_VERDICT_INCONCLUSIVE, "verdict %d D %g err %g p [%g, %g]",
                  c.ks_verdict, c.ks_statistic, c.ks_error, c.ks_p_low, c.ks_p_high);
    ck_assert(c.ks_p_low < c.alpha && c.ks_p_high >= c.alpha);
    /* The exact test on the raw data does decide: the sketch could not. */
    mlops_test_result t;
    TU_OK(mlops_drift_ks(a, n, near, m, &t));
    ck_assert(fabs(t.statistic - c.ks_statistic) <= c.ks_error);
    /* A fine sketch of the same data decides. */
    mlops_profile *fine = numeric_profile(a, n, n, NULL);
    TU_OK(mlops_profile_compare_values(fine, near, m, &c));
    ck_assert_int_ne(c.ks_verdict, MLOPS_VERDICT_INCONCLUSIVE);
    /* Same distribution, fine sketch: no drift. */
    double *same = irwin(208, 2000, 0.0, 1);
    TU_OK(mlops_profile_compare_values(fine, same, 2000, &c));
    ck_assert_int_eq(c.ks_verdict, MLOPS_VERDICT_NO_DRIFT);
    /* Profile against profile. */
    mlops_profile *cur;
    TU_OK(mlops_profile_new_like(fine, &cur));
    TU_OK(mlops_profile_add(cur, far, m));
    TU_OK(mlops_profile_compare(fine, cur, &c));
    ck_assert_int_eq(c.ks_verdict, MLOPS_VERDICT_DRIFT);
    ck_assert(c.psi > 0.5);
    c.alpha = 0;
    TU_RC(MLOPS_EINVAL, mlops_profile_compare(fine, cur, &c));
    mlops_profile_free(cur);
    mlops_profile_free(fine);
    mlops_profile_free(p);
    free(a);
    free(far);
    free(near);
    free(same);
}
END_TEST

/* The KS statistic by definition: the largest |F1(x) - F2(x)| over every
 * retained value x, each count taken afresh (weights NULL: 1 each). */
static double ks_by_definition(const double *v1, const uint64_t *w1, size_t m1, uint64_t n1,
                               const double *v2, const uint64_t *w2, size_t m2, uint64_t n2)
{
    double d = 0.0;
    for (size_t k = 0; k < m1 + m2; k++) {
        double x = k < m1 ? v1[k] : v2[k - m1];
        uint64_t c1 = 0, c2 = 0;
        for (size_t i = 0; i < m1; i++) c1 += v1[i] <= x ? (w1 ? w1[i] : 1) : 0;
        for (size_t j = 0; j < m2; j++) c2 += v2[j] <= x ? (w2 ? w2[j] : 1) : 0;
        double diff = fabs((double)c1 / (double)n1 - (double)c2 / (double)n2);
        if (diff > d) d = diff;
    }
    return d;
}

/* Values tied within and across the two sides (zeros of both signs
 * among them) beside continuous ones; k = 512 so the reference's sketch
 * has compacted (weights above 1). */
static double *tied_values(uint64_t seed, size_t n, double shift)
{
    double *x = irwin(seed, n, shift, 1);
    static const double ties[] = { -2.0, -1.0, -0.0, 0.0, 0.5, 1.0, 3.0 };
    for (size_t i = 0; i < n; i += 3) x[i] = ties[(i / 3) % (sizeof ties / sizeof *ties)];
    return x;
}

START_TEST(profile_ks_ties_and_kept_view)
{
    mlops_profile_opts o = MLOPS_PROFILE_OPTS_INIT;
    o.sketch_k = 512;
    size_t n = 20000, m = 1500;
    double *a = tied_values(209, n, 0.0);
    mlops_profile *ref = numeric_profile(a, n, 777, &o);
    mlops__kll_view kept;
    TU_OK(mlops__kll_view_get(ref, &kept));
    ck_assert_uint_gt(kept.n, 0);
    ck_assert_uint_lt(kept.n, n); /* compacted */
    int drifts = 0, skipped = 0;
    for (int round = 0; round < 4; round++) {
        /* Round 0: the reference's own first values (p near 1); then shifted. */
        double *b = round ? tied_values(210 + (uint64_t)round, m, 0.5 * round) : malloc(m * sizeof *b);
        ck_assert_ptr_nonnull(b);
        if (!round) memcpy(b, a, m * sizeof *b);
        mlops_profile *cur;
        TU_OK(mlops_profile_new_like(ref, &cur));
        TU_OK(mlops_profile_add(cur, b, m));
        /* Profile against profile: the merge equals the definition, bit for bit. */
        mlops_profile_comparison c = MLOPS_PROFILE_COMPARISON_INIT, k = MLOPS_PROFILE_COMPARISON_INIT;
        TU_OK(mlops_profile_compare(ref, cur, &c));
        double *v2;
        uint64_t *w2;
        size_t m2;
        TU_OK(mlops__kll_sorted_view(&cur->kll, &v2, &w2, &m2));
        double d = ks_by_definition(kept.v, kept.w, kept.n, ref->kll.n, v2, w2, m2, cur->kll.n);
        ck_assert_msg(c.ks_statistic == d, "round %d: %.17g, by definition %.17g", round, c.ks_statistic, d);
        /* With the reference's view made once (as a monitor check does): the same figures. */
        TU_OK(mlops__profile_compare_view("test", ref, &kept, cur, 0, &k));
        ck_assert(k.ks_statistic == c.ks_statistic && k.ks_error == c.ks_error);
        ck_assert(k.ks_p_value == c.ks_p_value && k.ks_p_low == c.ks_p_low && k.ks_p_high == c.ks_p_high);
        ck_assert(k.ks_verdict == c.ks_verdict && k.n_ref == c.n_ref && k.n_cur == c.n_cur);
        ck_assert(k.psi == c.psi && k.chisq.statistic == c.chisq.statistic && k.hellinger == c.hellinger);
        /* drift_only: the same figures but p_low and maybe p_high, and
         * drift exactly when drift. */
        TU_OK(mlops__profile_compare_view("test", ref, &kept, cur, 1, &k));
        ck_assert(k.ks_statistic == c.ks_statistic && k.ks_p_value == c.ks_p_value);
        ck_assert(isnan(k.ks_p_low) && c.ks_error > 0.0);
        /* p_high is left out only where it cannot make the verdict drift. */
        ck_assert(isnan(k.ks_p_high) ? c.ks_p_high >= c.alpha : k.ks_p_high == c.ks_p_high);
        skipped += isnan(k.ks_p_high);
        ck_assert((k.ks_verdict == MLOPS_VERDICT_DRIFT) == (c.ks_verdict == MLOPS_VERDICT_DRIFT));
        ck_assert(k.ks_verdict == MLOPS_VERDICT_DRIFT || k.ks_verdict == MLOPS_VERDICT_INCONCLUSIVE);
        drifts += c.ks_verdict == MLOPS_VERDICT_DRIFT;
        /* Profile against raw values (weights of 1 on that side). */
        TU_OK(mlops_profile_compare_values(ref, b, m, &c));
        double *sorted = malloc(m * sizeof *sorted);
        ck_assert_ptr_nonnull(sorted);
        memcpy(sorted, b, m * sizeof *sorted);
        qsort(sorted, m, sizeof *sorted, cmp_double);
        d = ks_by_definition(kept.v, kept.w, kept.n, ref->kll.n, sorted, NULL, m, m);
        ck_assert_msg(c.ks_statistic == d, "round %d: %.17g, by definition %.17g", round, c.ks_statistic, d);
        free(sorted);
        free(v2);
        free(w2);
        mlops_profile_free(cur);
        free(b);
    }
    ck_assert_int_gt(drifts, 0); /* the larger shifts */
    ck_assert_int_lt(drifts, 4); /* not the first, unshifted */
    ck_assert_int_gt(skipped, 0);  /* the unshifted: p near 1 */
    mlops__kll_view_free(&kept);
    mlops_profile_free(ref);
    free(a);
}
END_TEST

START_TEST(profile_categories)
{
    mlops_profile_opts o = MLOPS_PROFILE_OPTS_INIT;
    o.max_categories = 16;
    mlops_profile *p;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_CATEGORICAL, &o, &p));
    const char *v[] = { "a", "b", "a", NULL, "c", "a", "\xc3\xa9t\xc3\xa9", "b" };
    TU_OK(mlops_profile_add_strings(p, v, 8));
    uint64_t c;
    TU_OK(mlops_profile_category_count(p, "a", &c));
    ck_assert_uint_eq(c, 3);
    TU_OK(mlops_profile_category_count(p, "\xc3\xa9t\xc3\xa9", &c));
    ck_assert_uint_eq(c, 1);
    TU_OK(mlops_profile_category_count(p, "zzz", &c));
    ck_assert_uint_eq(c, 0);
    const char *bad[] = { "ok", "\xff\xfe" };
    TU_RC(MLOPS_EINVAL, mlops_profile_add_strings(p, bad, 2));
    TU_OK(mlops_profile_category_count(p, "ok", &c));
    ck_assert_uint_eq(c, 0); /* nothing added */
    double x = 1.0;
    TU_RC(MLOPS_EINVAL, mlops_profile_add(p, &x, 1));
    /* Compared with a batch: the chi-square of the counts; unseen "d" is finite. */
    const char *cur[] = { "a", "b", "b", "d", "d", "d", NULL };
    mlops_profile_comparison cmp = MLOPS_PROFILE_COMPARISON_INIT;
    TU_OK(mlops_profile_compare_strings(p, cur, 7, &cmp));
    /* categories sorted: a b c d été */
    double rc_[] = { 3, 2, 1, 0, 1 }, cc_[] = { 1, 2, 0, 3, 0 };
    mlops_test_result t;
    TU_OK(mlops_drift_chisq(rc_, cc_, 5, &t));
    ck_assert(cmp.chisq.statistic == t.statistic && cmp.chisq.p_value == t.p_value);
    ck_assert(isnan(cmp.ks_statistic));
    ck_assert_uint_eq(cmp.n_ref, 7);
    ck_assert_uint_eq(cmp.n_cur, 6);
    /* Beyond the cap: a frequent-items summary whose undercount is bounded. */
    char key[32];
    uint64_t truth[200] = { 0 };
    for (int round = 0; round < 50; round++)
        for (int i = 0; i < 200; i++) {
            int id = (i * 37 + round) % 200;
            int reps = id < 5 ? 20 : 1; /* five heavy hitters */
            for (int r = 0; r < reps; r++) {
                snprintf(key, sizeof key, "k%d", id);
                const char *kp = key;
                TU_OK(mlops_profile_add_strings(p, &kp, 1));
                truth[id]++;
            }
        }
    mlops_profile_summary s = MLOPS_PROFILE_SUMMARY_INIT;
    TU_OK(mlops_profile_summary_get(p, &s));
    ck_assert(!s.categories_exact);
    ck_assert_uint_le(s.n_categories, 16);
    for (int id = 0; id < 200; id++) {
        snprintf(key, sizeof key, "k%d", id);
        TU_OK(mlops_profile_category_count(p, key, &c));
        ck_assert(c <= truth[id] && (double)(truth[id] - c) <= s.category_error);
        if (id < 5) ck_assert_uint_gt(c, 0); /* heavy hitters survive */
    }
    /* Serialisation round trip. */
    void *b1, *b2;
    size_t l1, l2;
    serialize(p, &b1, &l1);
    mlops_profile *d;
    TU_OK(mlops_profile_deserialize(b1, l1, &d));
    serialize(d, &b2, &l2);
    ck_assert(l1 == l2 && memcmp(b1, b2, l1) == 0);
    ck_assert_int_eq(mlops_profile_kind(d), MLOPS_PROFILE_CATEGORICAL);
    mlops_free(b1);
    mlops_free(b2);
    mlops_profile_free(d);
    mlops_profile_free(p);
}
END_TEST

START_TEST(profile_bad_input)
{
    mlops_profile *p;
    TU_RC(MLOPS_EINVAL, mlops_profile_new(7, NULL, &p));
    mlops_profile_opts o = MLOPS_PROFILE_OPTS_INIT;
    o.bins = 1;
    TU_RC(MLOPS_EINVAL, mlops_profile_new(MLOPS_PROFILE_NUMERIC, &o, &p));
    o.bins = 0;
    TU_RC(MLOPS_EINVAL, mlops_profile_new(MLOPS_PROFILE_NUMERIC, &o, &p));
    o.bins = 10;
    o.sketch_k = 17;
    TU_RC(MLOPS_EINVAL, mlops_profile_new(MLOPS_PROFILE_NUMERIC, &o, &p));
    TU_RC(MLOPS_EINVAL, mlops_profile_opts_init(&o, 0));
    TU_OK(mlops_profile_opts_init(&o, MLOPS_PROFILE_OPTS_VERSION));
    double edges[] = { 1, 0 };
    o.edges = edges;
    o.n_edges = 2;
    TU_RC(MLOPS_EINVAL, mlops_profile_new(MLOPS_PROFILE_NUMERIC, &o, &p));
    edges[1] = 2;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, &o, &p));
    double nans[] = { NAN, NAN };
    TU_OK(mlops_profile_add(p, nans, 2));
    double q;
    TU_RC(MLOPS_EINVAL, mlops_profile_quantile(p, 0.5, &q)); /* all NaN */
    mlops_profile_comparison c = MLOPS_PROFILE_COMPARISON_INIT;
    double x[] = { 1, 2, 3 };
    TU_RC(MLOPS_EINVAL, mlops_profile_compare_values(p, x, 3, &c));
    TU_OK(mlops_profile_add(p, x, 3));
    TU_RC(MLOPS_EINVAL, mlops_profile_compare_values(p, nans, 2, &c));
    TU_RC(MLOPS_EINVAL, mlops_profile_quantile(p, 1.5, &q));
    /* Decoding refuses garbage, truncation and newer versions. */
    void *buf;
    size_t len;
    serialize(p, &buf, &len);
    mlops_profile *d = (mlops_profile *)1;
    TU_RC(MLOPS_EFORMAT, mlops_profile_deserialize("hello", 5, &d));
    ck_assert_ptr_null(d);
    TU_RC(MLOPS_EFORMAT, mlops_profile_deserialize(buf, len - 3, &d));
    TU_RC(MLOPS_EFORMAT, mlops_profile_deserialize(buf, 0, &d));
    unsigned char *b = buf;
    for (size_t i = 0; i + 8 < len; i++)
        if (!memcmp(b + i, "\xa7version", 8)) {
            ck_assert_int_eq(b[i + 8], 1);
            b[i + 8] = 2;
            break;
        }
    TU_RC(MLOPS_EUNSUPPORTED, mlops_profile_deserialize(buf, len, &d));
    mlops_free(buf);
    mlops_profile_free(p);
    mlops_profile_free(NULL);
}
END_TEST


/* buf with the first `from` (n bytes) replaced by `to` (m bytes); the
 * caller frees it. */
static unsigned char *splice(const void *buf, size_t *len, const char *from, size_t n, const char *to,
                             size_t m)
{
    const unsigned char *b = buf;
    size_t at = 0;
    while (at + n <= *len && memcmp(b + at, from, n)) at++;
    ck_assert_msg(at + n <= *len, "the bytes to replace are not in the profile");
    unsigned char *out = malloc(*len - n + m);
    ck_assert_ptr_nonnull(out);
    memcpy(out, b, at);
    memcpy(out + at, to, m);
    memcpy(out + at + m, b + at + n, *len - at - n);
    *len = *len - n + m;
    return out;
}

#define U64_2_63 "\xcf\x80\x00\x00\x00\x00\x00\x00\x00"

/* A forged profile whose counts add up only once their sum wraps around
 * 2^64 is not a profile: the decoder checks the sums without wrapping. */
START_TEST(profile_counts_that_wrap)
{
    mlops_profile *d = NULL;
    void *buf;
    size_t len;
    /* Categories a, b, c of 2^63, 2^63 and 3 "add up" to a total of 3. */
    mlops_profile *p;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_CATEGORICAL, NULL, &p));
    const char *v[] = { "a", "b", "c" };
    TU_OK(mlops_profile_add_strings(p, v, 3));
    serialize(p, &buf, &len);
    TU_OK(mlops_profile_deserialize(buf, len, &d)); /* as written: sound */
    mlops_profile_free(d);
    unsigned char *f1 = splice(buf, &len, "\x92\xa1" "a\x01", 4, "\x92\xa1" "a" U64_2_63, 12);
    unsigned char *f2 = splice(f1, &len, "\x92\xa1" "b\x01", 4, "\x92\xa1" "b" U64_2_63, 12);
    unsigned char *f3 = splice(f2, &len, "\x92\xa1" "c\x01", 4, "\x92\xa1" "c\x03", 4);
    TU_RC(MLOPS_EFORMAT, mlops_profile_deserialize(f3, len, &d));
    free(f1);
    free(f2);
    free(f3);
    mlops_free(buf);
    mlops_profile_free(p);

    /* Numeric, one edge at 0: bins of 2^63 and 2^63 + 2 "add up" to 2 values. */
    mlops_profile_opts o = MLOPS_PROFILE_OPTS_INIT;
    double edge = 0.0, x[] = { -1.0, 1.0 };
    o.edges = &edge;
    o.n_edges = 1;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, &o, &p));
    TU_OK(mlops_profile_add(p, x, 2));
    serialize(p, &buf, &len);
    size_t len0 = len;
    TU_OK(mlops_profile_deserialize(buf, len, &d));
    mlops_profile_free(d);
    f1 = splice(buf, &len, "\xaa" "bin_counts\x92\x01\x01", 14,
                "\xaa" "bin_counts\x92" U64_2_63 "\xcf\x80\x00\x00\x00\x00\x00\x00\x02", 30);
    TU_RC(MLOPS_EFORMAT, mlops_profile_deserialize(f1, len, &d));
    free(f1);

    /* The sketch: 64 levels, the last holding two items of weight 2^63,
     * whose 2^64 wraps to nothing, so the levels "add up" to the 2 values
     * of level 0. The levels are the last field of the profile. */
    len = len0;
    f1 = splice(buf, &len, "\xa6" "levels\x91", 8, "\xa6" "levels\xdc\x00\x40", 10);
    size_t n_tail = 62 * 3 + 3 + 18;
    unsigned char *f = malloc(len + n_tail);
    ck_assert_ptr_nonnull(f);
    memcpy(f, f1, len);
    size_t at = len;
    for (int h = 1; h < 63; h++, at += 3) memcpy(f + at, "\x92\x00\x90", 3);
    memcpy(f + at, "\x92\x00\x92\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00\xcb\x40\x00\x00\x00\x00\x00\x00", 21);
    at += 21;
    ck_assert_uint_eq(at, len + n_tail);
    TU_RC(MLOPS_EFORMAT, mlops_profile_deserialize(f, at, &d));
    free(f);
    free(f1);
    mlops_free(buf);
    mlops_profile_free(p);
}
END_TEST

START_TEST(profile_in_the_store)
{
    char *dir = tu_tmpdir();
    mlops_store_opts so = MLOPS_STORE_OPTS_INIT;
    so.durability = MLOPS_DURABILITY_NONE;
    mlops_store *s;
    TU_OK(mlops_store_open(dir, &so, &s));
    double *a = irwin(401, 50000, 0, 1);
    mlops_profile *p = numeric_profile(a, 50000, 50000, NULL), *q = numeric_profile(a, 50000, 999, NULL);
    mlops_digest d1, d2;
    TU_OK(mlops_profile_put(s, p, &d1));
    TU_OK(mlops_profile_put(s, q, &d2));
    ck_assert(memcmp(&d1, &d2, sizeof d1) == 0); /* same input, same digest */
    mlops_profile *g;
    TU_OK(mlops_profile_get(s, &d1, &g));
    void *b1, *b2;
    size_t l1, l2;
    serialize(p, &b1, &l1);
    serialize(g, &b2, &l2);
    ck_assert(l1 == l2 && memcmp(b1, b2, l1) == 0);
    mlops_digest d3;
    TU_OK(mlops_digest_compute(b1, l1, &d3));
    ck_assert(memcmp(&d1, &d3, sizeof d1) == 0);
    /* A blob that is not a profile, and a digest that is not stored. */
    mlops_digest other;
    TU_OK(mlops_blob_put(s, "not a profile", 13, &other));
    mlops_profile *bad = NULL;
    TU_RC(MLOPS_EFORMAT, mlops_profile_get(s, &other, &bad));
    ck_assert_ptr_null(bad);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "sha256:"));
    memset(&other, 0x5a, sizeof other);
    TU_RC(MLOPS_ENOTFOUND, mlops_profile_get(s, &other, &bad));
    mlops_free(b1);
    mlops_free(b2);
    mlops_profile_free(g);
    mlops_profile_free(p);
    mlops_profile_free(q);
    mlops_store_close(s);
    free(a);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- reports ---------------------------------------------------------------------- */

START_TEST(report_default_rules)
{
    /* 0: small numeric (KS)    1: large numeric (normed Wasserstein)
     * 2: small categorical, 4 codes (chi-square)   3: small, 2 values (Z)
     * 4: large categorical (Jensen-Shannon)   5: large numeric, 3 values (JS) */
    size_t nr[6] = { 800, 5000, 600, 500, 3000, 4000 }, nc[6] = { 700, 6000, 650, 400, 3500, 3000 };
    double *ref[6], *cur[6];
    ref[0] = irwin(301, nr[0], 0, 1);
    cur[0] = irwin(302, nc[0], 0.3, 1);
    ref[1] = irwin(303, nr[1], 0, 2);
    cur[1] = irwin(304, nc[1], 0.05, 2);
    size_t m;
    ref[2] = sample("ties:305:600:4:0", &m);
    cur[2] = sample("ties:306:650:4:0", &m);
    ref[3] = sample("ties:307:500:2:0", &m);
    cur[3] = sample("ties:308:400:2:0.0", &m);
    for (size_t i = 0; i < 100; i++) cur[3][i] = 1; /* shift the share */
    ref[4] = sample("ties:309:3000:12:0", &m);
    cur[4] = sample("ties:310:3500:12:0", &m);
    ref[5] = sample("ties:311:4000:3:0", &m);
    cur[5] = sample("ties:312:3000:3:0", &m);
    ref[0][3] = NAN; /* NaN is excluded and counted */
    const char *names[6] = { "small num", "large_num", "cat4", "bin\xc3\xa4r", "cat_large", "num3" };
    int kinds[6] = { MLOPS_COLUMN_NUMERIC, MLOPS_COLUMN_NUMERIC, MLOPS_COLUMN_CATEGORICAL,
                     MLOPS_COLUMN_CATEGORICAL, MLOPS_COLUMN_CATEGORICAL, MLOPS_COLUMN_NUMERIC };
    mlops_drift_report *r;
    TU_OK(mlops_drift_report_compute(6, names, kinds, (const double *const *)ref, nr,
                                     (const double *const *)cur, nc, NULL, &r));
    ck_assert_uint_eq(r->n_columns, 6);
    const int want[6] = { MLOPS_DRIFT_METHOD_KS, MLOPS_DRIFT_METHOD_WASSERSTEIN, MLOPS_DRIFT_METHOD_CHISQ,
                          MLOPS_DRIFT_METHOD_Z, MLOPS_DRIFT_METHOD_JENSEN_SHANNON,
                          MLOPS_DRIFT_METHOD_JENSEN_SHANNON };
    for (int i = 0; i < 6; i++) ck_assert_msg(r->columns[i]->method == want[i], "column %d: %d", i, r->columns[i]->method);
    ck_assert_str_eq(r->columns[0]->method_name, "ks");
    ck_assert_str_eq(r->columns[1]->method_name, "wasserstein");
    /* Each figure is what the stand-alone function gives. */
    mlops_test_result t;
    TU_OK(mlops_drift_ks(ref[0], nr[0], cur[0], nc[0], &t));
    ck_assert(r->columns[0]->statistic == t.statistic && r->columns[0]->p_value == t.p_value);
    ck_assert(r->columns[0]->drifted == (t.p_value <= 0.05));
    ck_assert_uint_eq(r->columns[0]->ref_nan, 1);
    ck_assert_uint_eq(r->columns[0]->n_ref, nr[0] - 1);
    double w, mean = 0, m2 = 0;
    TU_OK(mlops_drift_wasserstein(ref[1], nr[1], cur[1], nc[1], &w));
    for (size_t i = 0; i < nr[1]; i++) mean += ref[1][i];
    mean /= (double)nr[1];
    for (size_t i = 0; i < nr[1]; i++) m2 += (ref[1][i] - mean) * (ref[1][i] - mean);
    ck_assert(fabs(r->columns[1]->statistic - w / sqrt(m2 / (double)nr[1])) <= 1e-12 * r->columns[1]->statistic);
    double rc4[4] = { 0 }, cc4[4] = { 0 };
    for (size_t i = 0; i < nr[2]; i++) rc4[(int)ref[2][i]]++;
    for (size_t i = 0; i < nc[2]; i++) cc4[(int)cur[2][i]]++;
    TU_OK(mlops_drift_chisq(rc4, cc4, 4, &t));
    ck_assert(r->columns[2]->statistic == t.statistic && r->columns[2]->p_value == t.p_value);
    ck_assert(r->columns[3]->drifted && r->columns[3]->p_value < 0.05);
    size_t drifted = 0;
    for (int i = 0; i < 6; i++) drifted += (size_t)r->columns[i]->drifted;
    ck_assert_uint_eq(r->n_drifted, drifted);
    ck_assert(r->share_drifted == (double)drifted / 6);
    ck_assert_int_eq(r->dataset_drift, r->share_drifted >= 0.5);
    /* JSON */
    char *json;
    TU_OK(mlops_drift_report_json(r, &json));
    ck_assert_ptr_nonnull(strstr(json, "\"format\":\"mlops.drift_report\""));
    ck_assert_ptr_nonnull(strstr(json, "\"name\":\"bin\xc3\xa4r\""));
    ck_assert_ptr_nonnull(strstr(json, "\"method\":\"wasserstein\""));
    ck_assert_ptr_nonnull(strstr(json, "\"p_value\":null")); /* distances have none */
    ck_assert_ptr_null(strstr(json, ":nan"));
    ck_assert_ptr_null(strstr(json, ":-nan"));
    ck_assert_ptr_null(strstr(json, ":inf"));
    char buf[64];
    snprintf(buf, sizeof buf, "\"n_drifted\":%zu,", drifted);
    ck_assert_ptr_nonnull(strstr(json, buf));
    mlops_free(json);
    /* One thread or many: the same report. */
    mlops_drift_report_opts o = MLOPS_DRIFT_REPORT_OPTS_INIT;
    o.threads = 1;
    mlops_drift_report *r1;
    TU_OK(mlops_drift_report_compute(6, names, kinds, (const double *const *)ref, nr,
                                     (const double *const *)cur, nc, &o, &r1));
    for (int i = 0; i < 6; i++)
        ck_assert(r1->columns[i]->statistic == r->columns[i]->statistic);
    mlops_drift_report_free(r1);
    /* Caller's methods and thresholds; BH correction; the share rule. */
    int meth[6] = { MLOPS_DRIFT_METHOD_CRAMER_VON_MISES, MLOPS_DRIFT_METHOD_KS, MLOPS_DRIFT_METHOD_PSI,
                    MLOPS_DRIFT_METHOD_CHISQ, MLOPS_DRIFT_METHOD_HELLINGER, MLOPS_DRIFT_METHOD_ENERGY };
    double thr[6] = { NAN, NAN, 0.0, 1.0, NAN, 1e9 };
    o.threads = 4;
    o.methods = meth;
    o.thresholds = thr;
    o.correction = MLOPS_DRIFT_CORRECTION_BH;
    o.drift_share = 1.0;
    TU_OK(mlops_drift_report_compute(6, names, kinds, (const double *const *)ref, nr,
                                     (const double *const *)cur, nc, &o, &r1));
    ck_assert_str_eq(r1->columns[0]->method_name, "cramer_von_mises");
    ck_assert(r1->columns[2]->drifted);  /* PSI >= 0 */
    ck_assert(r1->columns[3]->drifted);  /* adjusted p < 1 */
    ck_assert(!r1->columns[5]->drifted); /* energy > 1e9 never */
    double ps[3] = { r1->columns[0]->p_value, r1->columns[1]->p_value, r1->columns[3]->p_value }, adj[3];
    TU_OK(mlops_drift_bh_adjust(ps, 3, adj));
    ck_assert(r1->columns[0]->adjusted_p_value == adj[0] && r1->columns[3]->adjusted_p_value == adj[2]);
    ck_assert(isnan(r1->columns[2]->adjusted_p_value));
    ck_assert(!r1->dataset_drift);
    mlops_drift_report_free(r1);
    mlops_drift_report_free(r);
    for (int i = 0; i < 6; i++) {
        free(ref[i]);
        free(cur[i]);
    }
}
END_TEST

START_TEST(report_bad_input)
{
    double a[] = { 1, 2, 3 }, b[] = { 2, 3, 4 }, nan_[] = { NAN, NAN };
    const double *ref[2] = { a, a }, *cur[2] = { b, b };
    size_t nr[2] = { 3, 3 }, nc[2] = { 3, 3 };
    const char *names[2] = { "x", "x" };
    int kinds[2] = { MLOPS_COLUMN_NUMERIC, MLOPS_COLUMN_NUMERIC };
    mlops_drift_report *r = NULL;
    TU_RC(MLOPS_EINVAL, mlops_drift_report_compute(2, names, kinds, ref, nr, cur, nc, NULL, &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "twice"));
    ck_assert_ptr_null(r);
    names[1] = "y";
    TU_RC(MLOPS_EINVAL, mlops_drift_report_compute(0, names, kinds, ref, nr, cur, nc, NULL, &r));
    kinds[1] = 9;
    TU_RC(MLOPS_EINVAL, mlops_drift_report_compute(2, names, kinds, ref, nr, cur, nc, NULL, &r));
    kinds[1] = MLOPS_COLUMN_CATEGORICAL;
    int meth[2] = { 0, MLOPS_DRIFT_METHOD_KS };
    mlops_drift_report_opts o = MLOPS_DRIFT_REPORT_OPTS_INIT;
    o.methods = meth;
    TU_RC(MLOPS_EINVAL, mlops_drift_report_compute(2, names, kinds, ref, nr, cur, nc, &o, &r));
    meth[1] = 42;
    TU_RC(MLOPS_EINVAL, mlops_drift_report_compute(2, names, kinds, ref, nr, cur, nc, &o, &r));
    o.methods = NULL;
    o.drift_share = 0;
    TU_RC(MLOPS_EINVAL, mlops_drift_report_compute(2, names, kinds, ref, nr, cur, nc, &o, &r));
    o.drift_share = 0.5;
    o.bins = 1;
    TU_RC(MLOPS_EINVAL, mlops_drift_report_compute(2, names, kinds, ref, nr, cur, nc, &o, &r));
    cur[1] = nan_;
    nc[1] = 2;
    TU_RC(MLOPS_EINVAL, mlops_drift_report_compute(2, names, kinds, ref, nr, cur, nc, NULL, &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "'y' current"));
    names[1] = "bad\x01name";
    TU_RC(MLOPS_EINVAL, mlops_drift_report_compute(2, names, kinds, ref, nr, cur, nc, NULL, &r));
    mlops_drift_report_free(NULL);
}
END_TEST

START_TEST(report_logged_as_metrics)
{
    char *dir = tu_tmpdir();
    mlops_store_opts so = MLOPS_STORE_OPTS_INIT;
    so.durability = MLOPS_DURABILITY_NONE;
    mlops_store *s;
    TU_OK(mlops_store_open(dir, &so, &s));
    int64_t exp;
    TU_OK(mlops_experiment_create(s, "monitoring", &exp));
    mlops_run *run;
    TU_OK(mlops_run_start(s, exp, "daily", &run));
    double *a = irwin(501, 500, 0, 1), *b = irwin(502, 400, 0.5, 1), *c = irwin(503, 3000, 0, 1),
           *d = irwin(504, 3000, 0.01, 1);
    const double *ref[2] = { a, c }, *cur[2] = { b, d };
    size_t nr[2] = { 500, 3000 }, nc[2] = { 400, 3000 };
    const char *names[2] = { "age", "income.usd" };
    int kinds[2] = { MLOPS_COLUMN_NUMERIC, MLOPS_COLUMN_NUMERIC };
    mlops_drift_report *r;
    TU_OK(mlops_drift_report_compute(2, names, kinds, ref, nr, cur, nc, NULL, &r));
    TU_OK(mlops_drift_report_log(run, r, 7, 1700000000000));
    mlops_run_info *ri;
    TU_OK(mlops_run_get(s, mlops_run_id(run), &ri));
    const mlops_metric_summary *ms = mlops_run_info_metric(ri, "drift.age.ks");
    ck_assert_ptr_nonnull(ms);
    ck_assert(ms->last == r->columns[0]->statistic && ms->last_step == 7);
    ms = mlops_run_info_metric(ri, "drift.age.p_value");
    ck_assert(ms && ms->last == r->columns[0]->p_value);
    ms = mlops_run_info_metric(ri, "drift.age.drifted");
    ck_assert(ms && ms->last == 1.0);
    ms = mlops_run_info_metric(ri, "drift.income.usd.wasserstein");
    ck_assert(ms && ms->last == r->columns[1]->statistic);
    ck_assert_ptr_null(mlops_run_info_metric(ri, "drift.income.usd.p_value"));
    ms = mlops_run_info_metric(ri, "drift.share_drifted");
    ck_assert(ms && ms->last == r->share_drifted);
    mlops_run_info_free(ri);
    /* An ended run refuses, and nothing is half-logged. */
    TU_OK(mlops_run_end(run, MLOPS_RUN_FINISHED));
    TU_RC(MLOPS_ECONFLICT, mlops_drift_report_log(run, r, 8, 0));
    TU_RC(MLOPS_EINVAL, mlops_drift_report_log(NULL, r, 8, 0));
    mlops_drift_report_free(r);
    mlops_run_free(run);
    mlops_store_close(s);
    free(a);
    free(b);
    free(c);
    free(d);
    tu_rmrf(dir);
    free(dir);
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
    tcase_add_test(tc, smirnov_sampled_matches_direct_sum);
    tcase_add_test(tc, golden_chi2sf);
    tcase_add_test(tc, golden_distances);
    tcase_add_test(tc, golden_binary_columns);
    tcase_add_test(tc, golden_cvm);
    tcase_add_test(tc, cvm_offset_correctly_rounded);
    tcase_add_test(tc, golden_binned);
    tcase_add_test(tc, golden_chisq_counts);
    tcase_add_test(tc, golden_bh_missing);
    tcase_add_test(tc, nan_and_inf_are_excluded_and_counted);
    tcase_add_test(tc, bins_bad_input);
    tcase_add_test(tc, counts_bad_input);
    tcase_add_test(tc, sort_matches_qsort);
    tcase_add_test(tc, sort_blocks_bitwise);
    tcase_add_test(tc, kll_merge_is_sorted_concatenation);
    tcase_add_test(tc, bin_add_matches_naive);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("profiles");
    tcase_set_timeout(tp, 300);
    tcase_add_test(tp, profile_small_is_exact);
    tcase_add_test(tp, profile_bytes_are_deterministic);
    tcase_add_test(tp, profile_merge_within_bound);
    tcase_add_test(tp, profile_ks_verdicts);
    tcase_add_test(tp, profile_ks_ties_and_kept_view);
    tcase_add_test(tp, profile_categories);
    tcase_add_test(tp, profile_bad_input);
    tcase_add_test(tp, profile_counts_that_wrap);
    tcase_add_test(tp, profile_in_the_store);
    suite_add_tcase(s, tp);
    TCase *tr = tcase_create("reports");
    tcase_set_timeout(tr, 300);
    tcase_add_test(tr, report_default_rules);
    tcase_add_test(tr, report_bad_input);
    tcase_add_test(tr, report_logged_as_metrics);
    suite_add_tcase(s, tr);
    return s;
}

int main(void)
{
    return tu_run(drift_suite());
}
