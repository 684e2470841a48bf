/*
 * libmlops — drift statistics: two-sample tests and distances between a
 * reference and a current sample, mergeable reference profiles, and
 * dataset-level drift reports.
 *
 * Samples are arrays of float64. NaN and +-Inf are never part of a
 * statistic: they are excluded and counted (the extended results report
 * the counts). A side left with no finite value is MLOPS_EINVAL.
 *
 * Every statistic that scipy also computes equals scipy's result (1.14):
 * statistics within 1e-12 relative (the KS statistic D exactly), p-values
 * within 1e-9 relative. A statistic that is the difference of two large
 * terms is within 1e-12 of the larger term, |delta| <= 1e-12 * max|term|
 * (the Cramer-von Mises T says which). Where the library knowingly
 * differs from scipy the function says so.
 *
 * Binned statistics (PSI, Jensen-Shannon, KL, Hellinger, chi-square on
 * bins) use bins frozen from the reference alone, never from the current
 * data: the interior edges are the reference quantiles at i/b for
 * i = 1..b-1 (linear interpolation, numpy's default), duplicates removed.
 * A bin is closed on the right; the first and last bins are open towards
 * -Inf and +Inf, so every finite value lands in exactly one bin: value x
 * goes to bin j = the number of edges strictly below x.
 *
 * Threads: every function here is reentrant. A profile or report handle
 * may be read by several threads at once; a profile must not be changed
 * (add, merge, freeze) while another thread uses it.
 */
#ifndef MLOPS_DRIFT_H
#define MLOPS_DRIFT_H

#include "common.h"
#include "store.h"
#include "track.h"

MLOPS_BEGIN_DECLS

/* ---- Two-sample tests on arrays ----------------------------------------- */

/* Frozen: this struct never changes. A statistic and its p-value; p_value
 * is NaN for a statistic that has none. */
typedef struct mlops_test_result {
    double statistic;
    double p_value;
} mlops_test_result;

/* Two-sided two-sample Kolmogorov-Smirnov test, equal to
 * scipy.stats.ks_2samp(ref, cur, method='auto'): the exact distribution
 * when max(n_ref, n_cur) <= 10000, else kstwo.sf(D, round(n1*n2/(n1+n2))).
 * out->statistic is D, out->p_value the p-value.
 * Errors: MLOPS_EINVAL (NULL pointer with a non-zero length, NULL out, a
 * side with no finite value), MLOPS_ENOMEM. */
MLOPS_API int mlops_drift_ks(const double *ref, size_t nref, const double *cur, size_t ncur,
                             mlops_test_result *out);

/* KS methods (mlops_drift_ks_ex's method and mlops_ks_result.method). */
#define MLOPS_KS_AUTO       0 /* exact when max(n) <= 10000 (scipy's rule) */
#define MLOPS_KS_EXACT      1 /* the exact distribution of D */
#define MLOPS_KS_ASYMPTOTIC 2 /* kstwo.sf at the effective sample size */

#define MLOPS_KS_RESULT_VERSION 1

/* Result of mlops_drift_ks_ex. The caller sets `version` (MLOPS_KS_RESULT_INIT
 * or mlops_ks_result_init); the library fills the fields that version has.
 * Its layout never changes: a new field comes in a new struct with a new
 * function (doc/conventions.md). */
typedef struct mlops_ks_result {
    unsigned version;      /* MLOPS_KS_RESULT_VERSION */
    double statistic;      /* D; on the exact path snapped to h/lcm(n1,n2) as scipy does */
    double p_value;        /* equal to scipy's, which is 0 when it underflows */
    double log_p_value;    /* natural log of the p-value, finite where p_value is 0 */
    int method;            /* MLOPS_KS_EXACT or MLOPS_KS_ASYMPTOTIC: the one used */
    uint64_t n_ref, n_cur; /* finite values used */
    uint64_t ref_nan, ref_inf, cur_nan, cur_inf; /* values excluded */
} mlops_ks_result;

#define MLOPS_KS_RESULT_INIT { MLOPS_KS_RESULT_VERSION, 0.0, 0.0, 0.0, 0, 0u, 0u, 0u, 0u, 0u, 0u }

/* Fills r with zeros and r->version = version (use MLOPS_KS_RESULT_VERSION).
 * Errors: MLOPS_EINVAL when r is NULL or version is 0 or unknown. */
MLOPS_API int mlops_ks_result_init(mlops_ks_result *r, unsigned version);

/* The KS test with a chosen method (MLOPS_KS_*), the log p-value and the
 * counts of excluded values. MLOPS_KS_EXACT falls back to the asymptotic
 * path where scipy does (lcm(n1, n2) beyond 2^31); out->method says which
 * ran. MLOPS_KS_ASYMPTOTIC with both sides of size 1: the effective size
 * round(1/2) is 0, so p_value and log_p_value are NaN, as scipy's p is.
 * Where kstwo.sf is exactly 0 (D = 1 on the asymptotic path) p_value is 0
 * like scipy's and log_p_value comes from Kolmogorov's limiting series at
 * sqrt(n1 n2 / (n1 + n2)) * D, about log 2 - 2 n1 n2 / (n1 + n2).
 * Errors: as mlops_drift_ks, and MLOPS_EINVAL for an unknown method or
 * out->version. */
MLOPS_API int mlops_drift_ks_ex(const double *ref, size_t nref, const double *cur, size_t ncur,
                                int method, mlops_ks_result *out);

/* KS alternatives (mlops_ks_opts.alternative; since 1.1), scipy's names.
 * With F_ref and F_cur the two empirical CDFs: */
#define MLOPS_KS_TWO_SIDED 0 /* D = max |F_ref - F_cur| */
#define MLOPS_KS_LESS      1 /* D- = max (F_cur - F_ref), clipped at 0 */
#define MLOPS_KS_GREATER   2 /* D+ = max (F_ref - F_cur) */

#define MLOPS_KS_OPTS_VERSION 1

/* Options of mlops_drift_ks_opts (since 1.1). Initialise with
 * MLOPS_KS_OPTS_INIT or mlops_ks_opts_init(). */
typedef struct mlops_ks_opts {
    unsigned version; /* MLOPS_KS_OPTS_VERSION */
    int alternative;  /* MLOPS_KS_TWO_SIDED (default), _LESS, _GREATER */
    int method;       /* MLOPS_KS_AUTO (default), _EXACT, _ASYMPTOTIC */
} mlops_ks_opts;

#define MLOPS_KS_OPTS_INIT { MLOPS_KS_OPTS_VERSION, MLOPS_KS_TWO_SIDED, MLOPS_KS_AUTO }

/* Fills opts with the defaults of the given version (since 1.1).
 * Errors: MLOPS_EINVAL (NULL, or a version this library does not know). */
MLOPS_API int mlops_ks_opts_init(mlops_ks_opts *opts, unsigned version);

/* The KS test of mlops_drift_ks_ex with an alternative (since 1.1), equal
 * to scipy.stats.ks_2samp(ref, cur, alternative, method): the statistic
 * and p-value within the tolerances above. One-sided, the exact p-value
 * counts the lattice paths that cross one edge of the band (for equal
 * sizes C(2n, n-h) / C(2n, n)); the asymptotic one is Hodges'
 * approximation exp(-2z^2 - 2z(m + 2n) / (3 sqrt(mn(m + n)))), z =
 * sqrt(mn / (m + n)) D, m the larger size. AUTO and EXACT switch to the
 * asymptotic path where scipy does: max(n) > 10000 (AUTO), lcm(n1, n2)
 * beyond 2^31, and, one-sided with n1 != n2, where C(n1 + n2, n1)
 * overflows a double (scipy's path count fails there); out->method says
 * which ran. opts NULL means the defaults (two-sided, auto: as
 * mlops_drift_ks_ex with MLOPS_KS_AUTO). log_p_value is finite wherever
 * p_value underflows (one-sided asymptotic: the exponent itself).
 * Errors: as mlops_drift_ks_ex, and MLOPS_EINVAL for an unknown
 * opts->version or alternative. */
MLOPS_API int mlops_drift_ks_opts(const double *ref, size_t nref, const double *cur, size_t ncur,
                                  const mlops_ks_opts *opts, mlops_ks_result *out);

/* Wasserstein-1 distance, equal to scipy.stats.wasserstein_distance(ref,
 * cur). Errors: as mlops_drift_ks. */
MLOPS_API int mlops_drift_wasserstein(const double *ref, size_t nref, const double *cur,
                                      size_t ncur, double *out);

/* Energy distance, equal to scipy.stats.energy_distance(ref, cur).
 * Errors: as mlops_drift_ks. */
MLOPS_API int mlops_drift_energy(const double *ref, size_t nref, const double *cur, size_t ncur,
                                 double *out);

#define MLOPS_DISTANCE_OPTS_VERSION 1

/* Options of mlops_drift_wasserstein_opts and mlops_drift_energy_opts
 * (since 1.1). Initialise with MLOPS_DISTANCE_OPTS_INIT or
 * mlops_distance_opts_init(). Weights are scipy's u_weights and v_weights:
 * NULL (every value weighs 1) or one weight per value, weights[i] going
 * with ref[i] (cur[i]); a value left out as NaN or +-Inf takes its weight
 * with it. Weights must be finite and >= 0, and those of a side's finite
 * values must have a positive sum. Read during the call only. */
typedef struct mlops_distance_opts {
    unsigned version;          /* MLOPS_DISTANCE_OPTS_VERSION */
    const double *ref_weights; /* NULL or nref weights (default NULL) */
    const double *cur_weights; /* NULL or ncur weights (default NULL) */
} mlops_distance_opts;

#define MLOPS_DISTANCE_OPTS_INIT { MLOPS_DISTANCE_OPTS_VERSION, NULL, NULL }

/* Fills opts with the defaults of the given version (since 1.1).
 * Errors: MLOPS_EINVAL (NULL, or a version this library does not know). */
MLOPS_API int mlops_distance_opts_init(mlops_distance_opts *opts, unsigned version);

/* Weighted Wasserstein-1 distance (since 1.1), equal to
 * scipy.stats.wasserstein_distance(ref, cur, u_weights, v_weights): each
 * side's CDF is its cumulative weight divided by its total weight. opts
 * NULL (or both weights NULL) gives mlops_drift_wasserstein's result.
 * Errors: as mlops_drift_ks, and MLOPS_EINVAL for an unknown
 * opts->version or a bad weight (named). */
MLOPS_API int mlops_drift_wasserstein_opts(const double *ref, size_t nref, const double *cur,
                                           size_t ncur, const mlops_distance_opts *opts,
                                           double *out);

/* Weighted energy distance (since 1.1), equal to
 * scipy.stats.energy_distance(ref, cur, u_weights, v_weights).
 * Errors: as mlops_drift_wasserstein_opts. */
MLOPS_API int mlops_drift_energy_opts(const double *ref, size_t nref, const double *cur,
                                      size_t ncur, const mlops_distance_opts *opts, double *out);

/* Two-sample Cramer-von Mises test, equal to
 * scipy.stats.cramervonmises_2samp(ref, cur, method='auto'): the exact
 * p-value when max(n) <= 20, else Anderson's normalisation and the
 * limiting distribution. T = U/(mnN) - (4mn - 1)/(6N) (sizes m, n,
 * N = m + n) is within 1e-12 * max(|U/(mnN)|, (4mn - 1)/(6N)) of scipy's:
 * on interleaved samples T is far smaller than its terms, so one ulp of
 * a term, or scipy's float sum of U on large samples, is far more than
 * 1e-12 of T. The second term is
 * rounded once from the integers, as scipy's is, so T is the same double
 * while scipy's U is exact (4U below 2^52). The asymptotic p-value is
 * 1 - cdf: like scipy's
 * it carries an absolute rounding error near 1e-15, so below ~1e-6 it
 * agrees with scipy within 1e-14 absolute rather than 1e-9 relative.
 * Errors: as mlops_drift_ks, and MLOPS_EINVAL when a side has fewer than 2
 * finite values. */
MLOPS_API int mlops_drift_cramer_von_mises(const double *ref, size_t nref, const double *cur,
                                           size_t ncur, mlops_test_result *out);

/* Cramer-von Mises methods (mlops_cvm_opts.method; since 1.1). */
#define MLOPS_CVM_AUTO       0 /* exact when max(n) <= 20 (scipy's rule) */
#define MLOPS_CVM_EXACT      1 /* the exact distribution of T: its cost grows
                                  fast with the sizes (as scipy's does) */
#define MLOPS_CVM_ASYMPTOTIC 2 /* Anderson's normalisation, limiting law */

#define MLOPS_CVM_OPTS_VERSION 1

/* Options of mlops_drift_cramer_von_mises_opts (since 1.1). Initialise
 * with MLOPS_CVM_OPTS_INIT or mlops_cvm_opts_init(). */
typedef struct mlops_cvm_opts {
    unsigned version; /* MLOPS_CVM_OPTS_VERSION */
    int method;       /* MLOPS_CVM_* (default AUTO) */
} mlops_cvm_opts;

#define MLOPS_CVM_OPTS_INIT { MLOPS_CVM_OPTS_VERSION, MLOPS_CVM_AUTO }

/* Fills opts with the defaults of the given version (since 1.1).
 * Errors: MLOPS_EINVAL (NULL, or a version this library does not know). */
MLOPS_API int mlops_cvm_opts_init(mlops_cvm_opts *opts, unsigned version);

/* The Cramer-von Mises test with a chosen method (since 1.1), equal to
 * scipy.stats.cramervonmises_2samp(ref, cur, method) within the
 * tolerances of mlops_drift_cramer_von_mises; opts NULL means AUTO.
 * Errors: as mlops_drift_cramer_von_mises, MLOPS_EINVAL for an unknown
 * opts->version or method, MLOPS_ENOMEM (the exact law on large samples). */
MLOPS_API int mlops_drift_cramer_von_mises_opts(const double *ref, size_t nref, const double *cur,
                                                size_t ncur, const mlops_cvm_opts *opts,
                                                mlops_test_result *out);

/* Two-proportion z-test of the share of NaN values (missing values) in ref
 * against cur, pooled variance: statistic z = (q_cur - q_ref) / se, p-value
 * two-sided. When the pooled share is 0 or 1, z = 0 and p = 1. The lengths
 * count every value, NaN included. Errors: MLOPS_EINVAL when a side is
 * empty or a pointer is NULL. */
MLOPS_API int mlops_drift_missing(const double *ref, size_t nref, const double *cur,
                                  size_t ncur, mlops_test_result *out);

/* ---- Binned distances on frozen reference bins ----------------------------
 * bins is the number of reference quantile bins b (>= 2); duplicate edges
 * collapse, so fewer bins may result (one, when the reference is constant).
 * Proportions are bin counts divided by the number of finite values. */

/* Population stability index: sum over bins of (q - p) * ln(q / p), where p
 * (reference) and q (current) proportions are each floored at 1e-4 and not
 * renormalised. Errors: MLOPS_EINVAL (NULL, bins < 2, a side with no finite
 * value), MLOPS_ENOMEM. */
MLOPS_API int mlops_drift_psi(const double *ref, size_t nref, const double *cur, size_t ncur,
                              size_t bins, double *out);

/* Jensen-Shannon distance on the bins, equal to
 * scipy.spatial.distance.jensenshannon(p, q) (natural log, range
 * [0, sqrt(ln 2)]), with no floor; clamped at >= 0 where rounding would
 * make scipy return NaN. Errors: as mlops_drift_psi. */
MLOPS_API int mlops_drift_jensen_shannon(const double *ref, size_t nref, const double *cur,
                                         size_t ncur, size_t bins, double *out);

/* Kullback-Leibler divergence KL(ref || cur) on the bins, natural log:
 * each proportion floored at 1e-4, then both renormalised to sum to 1
 * (scipy.stats.entropy of the floored vectors). Errors: as mlops_drift_psi. */
MLOPS_API int mlops_drift_kl(const double *ref, size_t nref, const double *cur, size_t ncur,
                             size_t bins, double *out);

/* Hellinger distance on the bins: sqrt(max(0, 1 - sum sqrt(p*q))), range
 * [0, 1]; no floor is needed (an empty bin contributes 0).
 * Errors: as mlops_drift_psi. */
MLOPS_API int mlops_drift_hellinger(const double *ref, size_t nref, const double *cur,
                                    size_t ncur, size_t bins, double *out);

#define MLOPS_BINNED_RESULT_VERSION 1

/* Every binned figure at once (one binning pass). Set `version` first
 * (MLOPS_BINNED_RESULT_INIT or mlops_binned_result_init). Its layout never
 * changes: a new field comes in a new struct with a new function
 * (doc/conventions.md). */
typedef struct mlops_binned_result {
    unsigned version;       /* MLOPS_BINNED_RESULT_VERSION */
    double psi;
    double jensen_shannon;
    double kl;
    double hellinger;
    mlops_test_result chisq; /* as mlops_drift_chisq on the two count vectors */
    size_t n_bins;           /* bins used (after duplicate edges collapsed) */
} mlops_binned_result;

#define MLOPS_BINNED_RESULT_INIT { MLOPS_BINNED_RESULT_VERSION, 0.0, 0.0, 0.0, 0.0, { 0.0, 0.0 }, 0u }

/* Fills r with zeros and r->version = version. Errors: MLOPS_EINVAL when r
 * is NULL or version is 0 or unknown. */
MLOPS_API int mlops_binned_result_init(mlops_binned_result *r, unsigned version);

/* PSI, Jensen-Shannon, KL, Hellinger and chi-square on the frozen
 * reference bins of ref. Errors: as mlops_drift_psi. */
MLOPS_API int mlops_drift_binned(const double *ref, size_t nref, const double *cur, size_t ncur,
                                 size_t bins, mlops_binned_result *out);

/* The same figures from two count (or weight) vectors of length k, e.g.
 * category counts: categories empty on both sides are dropped first.
 * Errors: MLOPS_EINVAL (NULL, k = 0, a negative, NaN or infinite count, a
 * side whose counts are all zero). */
MLOPS_API int mlops_drift_binned_counts(const double *ref_counts, const double *cur_counts,
                                        size_t k, mlops_binned_result *out);

/* Chi-square test of homogeneity of two count (or weight) vectors of length
 * k, equal to scipy.stats.chi2_contingency([ref, cur], correction=False)
 * after dropping categories empty on both sides; a category seen on one
 * side only gives a finite statistic. With a single category left the
 * statistic is 0 and the p-value 1. Errors: MLOPS_EINVAL (NULL, k = 0,
 * a negative, NaN or infinite count, a side whose counts are all zero). */
MLOPS_API int mlops_drift_chisq(const double *ref_counts, const double *cur_counts, size_t k,
                                mlops_test_result *out);

#define MLOPS_BINNED_OPTS_VERSION 1

/* Options of mlops_drift_binned_opts and mlops_drift_binned_counts_opts
 * (since 1.1). Initialise with MLOPS_BINNED_OPTS_INIT or
 * mlops_binned_opts_init(). */
typedef struct mlops_binned_opts {
    unsigned version; /* MLOPS_BINNED_OPTS_VERSION */
    double base;      /* logarithm base of Jensen-Shannon, scipy's `base`:
                         0 = e (default), else finite and > 1 (2 gives a
                         distance in [0, 1]) */
    int kl_floor;     /* 1 (default): KL on proportions floored at 1e-4 as
                         mlops_drift_kl; 0: no floor, equal to
                         scipy.stats.entropy(p_ref, p_cur), +Inf when a
                         bin holds reference values and no current ones */
} mlops_binned_opts;

#define MLOPS_BINNED_OPTS_INIT { MLOPS_BINNED_OPTS_VERSION, 0.0, 1 }

/* Fills opts with the defaults of the given version (since 1.1).
 * Errors: MLOPS_EINVAL (NULL, or a version this library does not know). */
MLOPS_API int mlops_binned_opts_init(mlops_binned_opts *opts, unsigned version);

/* mlops_drift_binned with options (since 1.1): jensen_shannon equals
 * scipy.spatial.distance.jensenshannon(p, q, base) and kl follows
 * opts->kl_floor; the other figures are unchanged. opts NULL means the
 * defaults (mlops_drift_binned's result). Errors: as mlops_drift_binned,
 * and MLOPS_EINVAL for an unknown opts->version, a bad base or kl_floor. */
MLOPS_API int mlops_drift_binned_opts(const double *ref, size_t nref, const double *cur,
                                      size_t ncur, size_t bins, const mlops_binned_opts *opts,
                                      mlops_binned_result *out);

/* mlops_drift_binned_counts with options (since 1.1), as
 * mlops_drift_binned_opts. Errors: as mlops_drift_binned_counts, and those
 * of the options. */
MLOPS_API int mlops_drift_binned_counts_opts(const double *ref_counts, const double *cur_counts,
                                             size_t k, const mlops_binned_opts *opts,
                                             mlops_binned_result *out);

/* Cressie-Read lambdas that scipy.stats.power_divergence names
 * (mlops_chisq_opts.lambda; since 1.1). Any finite lambda may be used. */
#define MLOPS_LAMBDA_PEARSON            1.0          /* "pearson" */
#define MLOPS_LAMBDA_LOG_LIKELIHOOD     0.0          /* "log-likelihood" (G-test) */
#define MLOPS_LAMBDA_FREEMAN_TUKEY      (-0.5)       /* "freeman-tukey" */
#define MLOPS_LAMBDA_MOD_LOG_LIKELIHOOD (-1.0)       /* "mod-log-likelihood" */
#define MLOPS_LAMBDA_NEYMAN             (-2.0)       /* "neyman" */
#define MLOPS_LAMBDA_CRESSIE_READ       (2.0 / 3.0)  /* "cressie-read" */

#define MLOPS_CHISQ_OPTS_VERSION 1

/* Options of mlops_drift_chisq_table (since 1.1), scipy's arguments of
 * chi2_contingency. Initialise with MLOPS_CHISQ_OPTS_INIT or
 * mlops_chisq_opts_init(). */
typedef struct mlops_chisq_opts {
    unsigned version; /* MLOPS_CHISQ_OPTS_VERSION */
    int correction;   /* 1 (default, as scipy): Yates' correction when the
                         table has one degree of freedom; 0: none */
    double lambda;    /* Cressie-Read power (MLOPS_LAMBDA_*; default
                         PEARSON, the chi-square statistic) */
} mlops_chisq_opts;

#define MLOPS_CHISQ_OPTS_INIT { MLOPS_CHISQ_OPTS_VERSION, 1, MLOPS_LAMBDA_PEARSON }

/* Fills opts with the defaults of the given version (since 1.1).
 * Errors: MLOPS_EINVAL (NULL, or a version this library does not know). */
MLOPS_API int mlops_chisq_opts_init(mlops_chisq_opts *opts, unsigned version);

#define MLOPS_CHISQ_RESULT_VERSION 1

/* Result of mlops_drift_chisq_table (since 1.1). The caller sets
 * `version` (MLOPS_CHISQ_RESULT_INIT or mlops_chisq_result_init); fields
 * are only ever appended. */
typedef struct mlops_chisq_result {
    unsigned version;   /* MLOPS_CHISQ_RESULT_VERSION */
    double statistic;   /* the power-divergence statistic */
    double p_value;     /* chi2.sf(statistic, dof) */
    double log_p_value; /* its natural log, finite where p_value underflows */
    uint64_t dof;       /* (rows - 1) (cols - 1) */
} mlops_chisq_result;

#define MLOPS_CHISQ_RESULT_INIT { MLOPS_CHISQ_RESULT_VERSION, 0.0, 0.0, 0.0, 0u }

/* Fills r with zeros and r->version = version (since 1.1).
 * Errors: MLOPS_EINVAL (NULL, or a version this library does not know). */
MLOPS_API int mlops_chisq_result_init(mlops_chisq_result *r, unsigned version);

/* Chi-square test of independence on a rows x cols contingency table
 * (row-major, table[i * cols + j]; since 1.1), equal to
 * scipy.stats.chi2_contingency(table, correction, lambda_): expected
 * counts row sum * column sum / total, dof = (rows - 1)(cols - 1) (0 gives
 * statistic 0 and p-value 1), Yates' correction moving each count at most
 * 0.5 towards its expected count when dof = 1, then the Cressie-Read power
 * divergence. Counts may be weights. As in scipy, lambda = -1 or < -1 with
 * an empty cell gives +Inf or NaN (p-value NaN). opts NULL means the
 * defaults. Unlike mlops_drift_chisq nothing is dropped: an empty row or
 * column (a zero expected count) is MLOPS_EINVAL, as scipy refuses it.
 * Errors: MLOPS_EINVAL (NULL, rows or cols 0 or rows * cols overflowing,
 * a count negative, NaN or infinite, an empty row or column, an unknown
 * opts->version or out->version, a lambda not finite), MLOPS_ENOMEM. */
MLOPS_API int mlops_drift_chisq_table(const double *table, size_t rows, size_t cols,
                                      const mlops_chisq_opts *opts, mlops_chisq_result *out);

/* The interior bin edges of ref for `bins` quantile bins (see above):
 * *edges is a malloc'd array of *n_edges (<= bins - 1) strictly increasing
 * values, released with mlops_free (NULL when *n_edges is 0).
 * Errors: MLOPS_EINVAL (NULL, bins < 2, no finite value), MLOPS_ENOMEM. */
MLOPS_API int mlops_drift_quantile_edges(const double *ref, size_t nref, size_t bins,
                                         double **edges, size_t *n_edges);

/* Counts the finite values of values[0..n) into the n_edges + 1 bins that
 * the strictly increasing edges define; counts[] has n_edges + 1 entries
 * and is overwritten. Errors: MLOPS_EINVAL (NULL, edges not strictly
 * increasing or not finite). */
MLOPS_API int mlops_drift_bin_counts(const double *values, size_t n, const double *edges,
                                     size_t n_edges, uint64_t *counts);

/* Benjamini-Hochberg adjusted p-values, equal to
 * scipy.stats.false_discovery_control(p, method='bh'). adjusted may be p.
 * Errors: MLOPS_EINVAL (NULL, a p-value outside [0, 1] or NaN),
 * MLOPS_ENOMEM. n = 0 is a no-op. */
MLOPS_API int mlops_drift_bh_adjust(const double *p, size_t n, double *adjusted);

/* ---- Reference profiles ---------------------------------------------------
 * A profile summarises a column without keeping it: built incrementally
 * from batches, mergeable, serialisable (versioned msgpack, doc/format.md),
 * and stored by digest in the artifact store.
 *
 * Numeric profile: count, NaN and +-Inf counts, min, max, mean, variance
 * (Welford/Chan, mergeable), frozen bin edges plus bin counts, and a
 * deterministic quantile sketch. The edges are the exact reference
 * quantiles (see the binned statistics above) of the first `freeze_after`
 * finite values (of all of them when the reference is smaller): until then
 * the profile keeps those values; it freezes the edges when that many have
 * been seen, or on mlops_profile_freeze, serialisation, merge or compare.
 *
 * The sketch is a KLL-style hierarchy of compactors of capacity k whose
 * compactions alternate their offset deterministically (no randomness), so
 * the same input in the same order gives a byte-identical profile however
 * it is split into batches. Its rank error is tracked exactly: for every y,
 * |estimated rank(y) - rank(y)| <= rank_error * count, where rank_error =
 * (sum of the weights of all compactions) / count; it is 0 until the first
 * compaction (at k values) and never exceeds (floor(log2(count / k)) + 1) / k.
 *
 * Categorical profile: exact category counts up to max_categories distinct
 * values; beyond, a deterministic Misra-Gries frequent-items summary of
 * max_categories counters whose counts underestimate by at most
 * category_error (reported). Values are UTF-8 strings; NULL is missing. */

typedef struct mlops_profile mlops_profile;

#define MLOPS_PROFILE_NUMERIC     1
#define MLOPS_PROFILE_CATEGORICAL 2

#define MLOPS_PROFILE_OPTS_VERSION 1

/* Options for mlops_profile_new. Initialise with MLOPS_PROFILE_OPTS_INIT or
 * mlops_profile_opts_init(). Its layout never changes: a new option comes
 * in a new struct with a new function (doc/conventions.md). */
typedef struct mlops_profile_opts {
    unsigned version;        /* MLOPS_PROFILE_OPTS_VERSION */
    uint32_t bins;           /* quantile bins, 2..65536 (default 10) */
    uint32_t sketch_k;       /* compactor capacity, even, 16..65536 (default 2048) */
    uint32_t freeze_after;   /* finite values kept to compute the edges,
                                1..2^26 (default 100000) */
    uint32_t max_categories; /* exact categories before the frequent-items
                                summary, 16..2^24 (default 10000) */
    const double *edges;     /* optional fixed interior edges (strictly
                                increasing, finite); copied. NULL: quantiles */
    size_t n_edges;
} mlops_profile_opts;

#define MLOPS_PROFILE_OPTS_INIT { MLOPS_PROFILE_OPTS_VERSION, 10u, 2048u, 100000u, 10000u, NULL, 0u }

/* Fills opts with the defaults of the given version.
 * Errors: MLOPS_EINVAL when opts is NULL or version is 0 or unknown. */
MLOPS_API int mlops_profile_opts_init(mlops_profile_opts *opts, unsigned version);

/* A new empty profile of the given kind (MLOPS_PROFILE_*); opts NULL means
 * defaults. Release it with mlops_profile_free.
 * Errors: MLOPS_EINVAL (NULL out, unknown kind, options out of range),
 * MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_new(int kind, const mlops_profile_opts *opts, mlops_profile **out);

/* A new empty profile with the kind, options and frozen edges of ref (it
 * freezes ref first), for profiling current data on the reference's bins.
 * Errors: MLOPS_EINVAL, MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_new_like(mlops_profile *ref, mlops_profile **out);

/* Releases a profile. NULL is a no-op. */
MLOPS_API void mlops_profile_free(mlops_profile *p);

/* The profile's kind, MLOPS_PROFILE_*, or 0 when p is NULL. */
MLOPS_API int mlops_profile_kind(const mlops_profile *p);

/* Adds a batch of n values (values may be NULL when n is 0) to a numeric
 * profile. Errors: MLOPS_EINVAL (NULL, a categorical profile),
 * MLOPS_ENOMEM (the profile is then unchanged). */
MLOPS_API int mlops_profile_add(mlops_profile *p, const double *values, size_t n);

/* Adds a batch of n strings to a categorical profile; NULL entries are
 * missing values. Errors: MLOPS_EINVAL (NULL, a numeric profile, a string
 * that is not valid UTF-8 or longer than 65535 bytes: nothing is added
 * then), MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_add_strings(mlops_profile *p, const char *const *values, size_t n);

/* Freezes a numeric profile's bin edges now (see above). No-op when they
 * are frozen or for a categorical profile. Errors: MLOPS_EINVAL, MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_freeze(mlops_profile *p);

/* Merges from into into, as if into had also seen from's values after its
 * own. Both are frozen first. Errors: MLOPS_EINVAL (NULL, different kinds,
 * different options), MLOPS_ECONFLICT (numeric profiles with different bin
 * edges: build shards with mlops_profile_new_like or fixed edges),
 * MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_merge(mlops_profile *into, mlops_profile *from);

#define MLOPS_PROFILE_SUMMARY_VERSION 1

/* What a profile knows, filled by mlops_profile_summary_get. Set `version`
 * first. Its layout never changes: a new field comes in a new struct with a
 * new function (doc/conventions.md). */
typedef struct mlops_profile_summary {
    unsigned version;     /* MLOPS_PROFILE_SUMMARY_VERSION */
    int kind;             /* MLOPS_PROFILE_* */
    uint64_t count;       /* numeric: finite values; categorical: non-missing */
    uint64_t nan_count;   /* numeric: NaN; categorical: missing (NULL) */
    uint64_t inf_count;   /* numeric: +Inf and -Inf */
    double min, max;      /* numeric, of finite values (NaN when count is 0) */
    double mean;          /* numeric (NaN when count is 0) */
    double variance;      /* numeric, population variance (ddof 0) */
    double rank_error;    /* numeric: the sketch's normalised rank-error bound */
    int frozen;           /* numeric: 1 once the bin edges are frozen */
    size_t n_edges;       /* numeric: interior edges (0 until frozen) */
    size_t n_categories;  /* categorical: categories held */
    int categories_exact; /* categorical: 1 while every category is counted exactly */
    double category_error;/* categorical: bound on the undercount of any category */
} mlops_profile_summary;

#define MLOPS_PROFILE_SUMMARY_INIT { MLOPS_PROFILE_SUMMARY_VERSION, 0, 0u, 0u, 0u, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0u, 0u, 0, 0.0 }

/* Fills s with zeros and s->version = version. Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_profile_summary_init(mlops_profile_summary *s, unsigned version);

/* Fills s (whose version the caller set). Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_profile_summary_get(const mlops_profile *p, mlops_profile_summary *s);

/* The frozen interior edges of a numeric profile: *edges points into the
 * profile (valid until it changes or is freed), *n_edges its length.
 * Errors: MLOPS_EINVAL (NULL, categorical, not frozen yet). */
MLOPS_API int mlops_profile_edges(const mlops_profile *p, const double **edges, size_t *n_edges);

/* The q-quantile (0 <= q <= 1) estimated from a numeric profile's sketch
 * (exact until its first compaction): the smallest retained value whose
 * estimated rank reaches q * count. Errors: MLOPS_EINVAL (NULL, q outside
 * [0, 1], categorical, no finite value). */
MLOPS_API int mlops_profile_quantile(const mlops_profile *p, double q, double *out);

/* The count of one category of a categorical profile (0 when absent; an
 * underestimate by at most category_error once the summary is not exact).
 * Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_profile_category_count(const mlops_profile *p, const char *value,
                                           uint64_t *out);

/* Serialises a profile (freezing it first) to the versioned msgpack format
 * of doc/format.md. *buf is malloc'd (release with mlops_free). The same
 * input in the same order gives the same bytes. Errors: MLOPS_EINVAL,
 * MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_serialize(mlops_profile *p, void **buf, size_t *len);

/* Reads a profile from its serialised form. Errors: MLOPS_EINVAL (NULL),
 * MLOPS_EFORMAT (not a profile, or malformed), MLOPS_EUNSUPPORTED (a newer
 * format version), MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_deserialize(const void *buf, size_t len, mlops_profile **out);

/* Serialises p (freezing it first) and stores the bytes as a blob of the
 * artifact store; *out receives its digest (equal profiles give equal
 * digests). Like any blob, the profile is kept by garbage collection only
 * while something refers to its digest. Errors: MLOPS_EINVAL (NULL), and
 * those of mlops_blob_put (MLOPS_EREADONLY, MLOPS_EIO, MLOPS_EBUSY,
 * MLOPS_ENOMEM). */
MLOPS_API int mlops_profile_put(mlops_store *s, mlops_profile *p, mlops_digest *out);

/* Loads the profile stored as blob d. Release it with mlops_profile_free.
 * Errors: MLOPS_EINVAL (NULL), MLOPS_ENOTFOUND (no blob d), MLOPS_EFORMAT
 * (the blob is not a profile), MLOPS_EUNSUPPORTED (a newer format
 * version), MLOPS_ECORRUPT, MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_get(mlops_store *s, const mlops_digest *d, mlops_profile **out);

/* KS verdicts of mlops_profile_comparison.ks_verdict. */
#define MLOPS_VERDICT_NO_DRIFT     0
#define MLOPS_VERDICT_DRIFT        1
#define MLOPS_VERDICT_INCONCLUSIVE 2

#define MLOPS_PROFILE_COMPARISON_VERSION 1

/* The comparison of a reference profile with current data. Set `version`
 * and `alpha` first (MLOPS_PROFILE_COMPARISON_INIT or
 * mlops_profile_comparison_init: alpha 0.05). Its layout never changes (a
 * new field comes in a new struct with a new function: doc/conventions.md).
 *
 * PSI, JS, KL, Hellinger and chi-square are computed exactly from the
 * frozen bins (numeric) or the categories (categorical) as the array
 * functions define them. The KS figures come from the sketches: D is the
 * largest gap between the two estimated CDFs, and |D - true D| <= ks_error
 * (the sum of both sides' rank-error bounds; 0 for exact data). The p-value
 * is the KS p-value (mlops_drift_ks_ex, auto) at D; ks_p_low and ks_p_high
 * are the p-values at D + ks_error and D - ks_error. The verdict is DRIFT
 * when ks_p_high < alpha, NO_DRIFT when ks_p_low >= alpha, and
 * INCONCLUSIVE otherwise: the sketches cannot tell. Categorical profiles
 * leave the KS fields NaN and the verdict follows the chi-square p-value. */
typedef struct mlops_profile_comparison {
    unsigned version;     /* MLOPS_PROFILE_COMPARISON_VERSION */
    double alpha;         /* input: significance level in (0, 1) */
    double psi;
    double jensen_shannon;
    double kl;
    double hellinger;
    mlops_test_result chisq;
    double ks_statistic;
    double ks_error;
    double ks_p_value;
    double ks_p_low;
    double ks_p_high;
    int ks_verdict;       /* MLOPS_VERDICT_* */
    uint64_t n_ref, n_cur;
} mlops_profile_comparison;

#define MLOPS_PROFILE_COMPARISON_INIT { MLOPS_PROFILE_COMPARISON_VERSION, 0.05, 0.0, 0.0, 0.0, 0.0, { 0.0, 0.0 }, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0u, 0u }

/* Fills c with zeros, alpha = 0.05 and c->version = version.
 * Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_profile_comparison_init(mlops_profile_comparison *c, unsigned version);

/* Compares two profiles of the same kind and options (cur built with
 * mlops_profile_new_like(ref) or the same fixed edges). Both are frozen
 * first. Errors: MLOPS_EINVAL (NULL, different kinds or options, alpha out
 * of range, a side with no value), MLOPS_ECONFLICT (different bin edges),
 * MLOPS_ENOMEM. */
MLOPS_API int mlops_profile_compare(mlops_profile *ref, mlops_profile *cur,
                                    mlops_profile_comparison *c);

/* Compares a numeric profile with a current batch of values: the batch is
 * binned on the profile's edges and, for KS, used exactly (only the
 * profile's sketch contributes error). Errors: as mlops_profile_compare. */
MLOPS_API int mlops_profile_compare_values(mlops_profile *ref, const double *cur, size_t ncur,
                                           mlops_profile_comparison *c);

/* Compares a categorical profile with a current batch of strings (NULL is
 * missing). Errors: as mlops_profile_compare. */
MLOPS_API int mlops_profile_compare_strings(mlops_profile *ref, const char *const *cur,
                                            size_t ncur, mlops_profile_comparison *c);

/* ---- Dataset reports ------------------------------------------------------ */

/* Column kinds. */
#define MLOPS_COLUMN_NUMERIC     1
#define MLOPS_COLUMN_CATEGORICAL 2 /* values are category codes (any
                                      double; NaN is missing) */

/* Per-column methods. AUTO follows Evidently's default rules: with at most
 * 1000 finite reference values, numeric columns with more than 5 distinct
 * values (both sides together) use KS, others chi-square when more than 2
 * distinct values, else Z; with more reference values, numeric columns
 * with more than 5 distinct values use the normed Wasserstein distance,
 * others and categorical columns Jensen-Shannon. Binned methods (JS, PSI,
 * KL, Hellinger) use the categories for categorical columns and for numeric
 * columns with at most `bins` distinct values (both sides together), else
 * the reference quantile bins; chi-square and Z always use the distinct
 * values as categories (Z: the share of the smallest one). */
#define MLOPS_DRIFT_METHOD_AUTO             0
#define MLOPS_DRIFT_METHOD_KS               1 /* p-value, drift when p <= 0.05 */
#define MLOPS_DRIFT_METHOD_WASSERSTEIN      2 /* W / max(std(ref), 0.001), drift when >= 0.1 */
#define MLOPS_DRIFT_METHOD_JENSEN_SHANNON   3 /* distance, drift when >= 0.1 */
#define MLOPS_DRIFT_METHOD_CHISQ            4 /* p-value, drift when p < 0.05 */
#define MLOPS_DRIFT_METHOD_Z                5 /* two-proportion z on the first category, p < 0.05 */
#define MLOPS_DRIFT_METHOD_PSI              6 /* drift when >= 0.1 */
#define MLOPS_DRIFT_METHOD_KL               7 /* drift when >= 0.1 */
#define MLOPS_DRIFT_METHOD_HELLINGER        8 /* drift when >= 0.1 */
#define MLOPS_DRIFT_METHOD_CRAMER_VON_MISES 9 /* p-value, drift when p <= 0.1 */
#define MLOPS_DRIFT_METHOD_ENERGY          10 /* raw units, drift when > 0.1 */

/* Multiple-testing corrections (mlops_drift_report_opts.correction). */
#define MLOPS_DRIFT_CORRECTION_NONE 0
#define MLOPS_DRIFT_CORRECTION_BH   1 /* Benjamini-Hochberg over the p-value
                                         columns; their verdicts use the
                                         adjusted p-values */

#define MLOPS_DRIFT_REPORT_OPTS_VERSION 1

/* Options for mlops_drift_report_compute. Initialise with
 * MLOPS_DRIFT_REPORT_OPTS_INIT or mlops_drift_report_opts_init(). */
typedef struct mlops_drift_report_opts {
    unsigned version;         /* MLOPS_DRIFT_REPORT_OPTS_VERSION */
    double drift_share;       /* dataset drift when drifted/columns >= this
                                 (0 < x <= 1, default 0.5) */
    int correction;           /* MLOPS_DRIFT_CORRECTION_* (default NONE) */
    uint32_t threads;         /* 0 = online CPUs (default), else at most this;
                                 capped by mlops_set_thread_limit() */
    uint32_t bins;            /* quantile bins for binned methods, >= 2 (default 10) */
    const int *methods;       /* NULL, or one MLOPS_DRIFT_METHOD_* per column */
    const double *thresholds; /* NULL, or one per column; NaN = the method's default */
} mlops_drift_report_opts;

#define MLOPS_DRIFT_REPORT_OPTS_INIT { MLOPS_DRIFT_REPORT_OPTS_VERSION, 0.5, MLOPS_DRIFT_CORRECTION_NONE, 0u, 10u, NULL, NULL }

/* Fills opts with the defaults of the given version. Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_drift_report_opts_init(mlops_drift_report_opts *opts, unsigned version);

/* One column of a report. Allocated by the library (reach columns through
 * the report's pointer array). Its layout never changes: new data comes
 * through a new function (doc/abi.md). */
typedef struct mlops_drift_column_result {
    const char *name;         /* as given */
    int kind;                 /* MLOPS_COLUMN_* */
    int method;               /* MLOPS_DRIFT_METHOD_* used (never AUTO) */
    const char *method_name;  /* "ks", "wasserstein", "jensenshannon", "chisquare",
                                 "z", "psi", "kl_div", "hellinger",
                                 "cramer_von_mises", "energy_distance" */
    double statistic;         /* the method's statistic (distance or test statistic) */
    double p_value;           /* NaN for distance methods */
    double log_p_value;       /* NaN for distance methods */
    double adjusted_p_value;  /* after the correction (= p_value without one) */
    double score;             /* what the threshold is compared with: the
                                 (adjusted) p-value or the distance */
    double threshold;
    int drifted;              /* 1 or 0 */
    uint64_t n_ref, n_cur;    /* finite values */
    uint64_t ref_nan, ref_inf, cur_nan, cur_inf;
    mlops_test_result missing; /* z-test of the NaN share (mlops_drift_missing) */
    /* What both sides look like, for charts (mlops_drift_report_html draws
     * them): hist_n bars, each counting finite values of the reference
     * (hist_ref) and of the current data (hist_cur).
     * - A numeric column with more than MLOPS_DRIFT_HIST_MAX_VALUES
     *   distinct values (both sides together) gets equal-width bins:
     *   hist_edges holds hist_n + 1 increasing edges over both sides'
     *   range. When a few extreme values would squash the rest into a bar
     *   or two, the range is the 0.5th to 99.5th percentile of both sides
     *   together and values beyond it are counted in the end bars
     *   (hist_clipped is then 1). hist_n is 10..40 (Rice's rule).
     * - Other columns get one bar per distinct value: hist_values[i] is
     *   the value (for a categorical column its category code), ascending
     *   for numeric columns, most frequent (both sides together) first for
     *   categorical ones; beyond MLOPS_DRIFT_HIST_MAX_BARS values, the
     *   last bar counts all the others and its value is NaN. */
    size_t hist_n;
    const double *hist_edges;  /* hist_n + 1 edges, or NULL for bars of values */
    const double *hist_values; /* hist_n values, or NULL for a histogram */
    const uint64_t *hist_ref;
    const uint64_t *hist_cur;
    int hist_clipped;          /* 1 when the end bins also count values beyond the edges */
} mlops_drift_column_result;

/* Limits of the charts' data (mlops_drift_column_result.hist_*). */
#define MLOPS_DRIFT_HIST_MAX_VALUES 20 /* numeric columns with at most this many
                                          distinct values get a bar per value */
#define MLOPS_DRIFT_HIST_MAX_BARS   30 /* bars of values at most, "others" included */

/* A dataset drift report. Allocated by the library, released with
 * mlops_drift_report_free. Its layout never changes: new data comes
 * through a new function (doc/abi.md). */
typedef struct mlops_drift_report {
    unsigned version;         /* the library's MLOPS_DRIFT_REPORT_VERSION */
    size_t n_columns;
    const mlops_drift_column_result *const *columns;
    size_t n_drifted;
    double share_drifted;     /* n_drifted / n_columns */
    double drift_share;       /* the rule's share */
    int dataset_drift;        /* share_drifted >= drift_share */
    int correction;           /* MLOPS_DRIFT_CORRECTION_* applied */
} mlops_drift_report;

#define MLOPS_DRIFT_REPORT_VERSION 1

/* Computes a drift report over ncols columns: names[i] (UTF-8, unique),
 * kinds[i] (MLOPS_COLUMN_*), reference ref[i][0..nref[i]) and current
 * cur[i][0..ncur[i]). Columns run in parallel on opts->threads threads
 * (the caller's included, capped by mlops_set_thread_limit()).
 * opts NULL means defaults. *out is released with mlops_drift_report_free.
 * Errors: MLOPS_EINVAL (NULL, ncols = 0, a bad or duplicate name, an
 * unknown kind or method, a method that does not apply to the kind, a bad
 * threshold, a column with no finite value on a side: the message names
 * the column), MLOPS_ENOMEM. When a thread cannot start, its share of
 * the columns runs on the others. */
MLOPS_API int mlops_drift_report_compute(size_t ncols, const char *const *names, const int *kinds,
                                         const double *const *ref, const size_t *nref,
                                         const double *const *cur, const size_t *ncur,
                                         const mlops_drift_report_opts *opts,
                                         mlops_drift_report **out);

/* Releases a report. NULL is a no-op. */
MLOPS_API void mlops_drift_report_free(mlops_drift_report *r);

/* The report as a JSON document (UTF-8, NUL-terminated, NaN written as
 * null): *json is malloc'd, released with mlops_free.
 * Errors: MLOPS_EINVAL (NULL), MLOPS_ENOMEM. */
MLOPS_API int mlops_drift_report_json(const mlops_drift_report *r, char **json);

/* ---- HTML reports -------------------------------------------------------- */

#define MLOPS_DRIFT_HTML_OPTS_VERSION 1

/* Options for mlops_drift_report_html. Initialise with
 * MLOPS_DRIFT_HTML_OPTS_INIT or mlops_drift_html_opts_init(). Strings are
 * UTF-8, read during the call only; NULL means the default. */
typedef struct mlops_drift_html_opts {
    unsigned version;             /* MLOPS_DRIFT_HTML_OPTS_VERSION */
    const char *title;            /* default "Data drift report" */
    const char *reference_name;   /* e.g. a file name; default "reference" */
    const char *current_name;     /* default "current" */
    /* Names of the categories of categorical columns, which the report
     * knows by code: NULL, or one entry per column of the report (NULL for
     * a column without names) whose element k names code k, for
     * k < category_label_counts[column]. Codes without a name are shown
     * as numbers. */
    const char *const *const *category_labels;
    const size_t *category_label_counts;
    int64_t generated_ms;         /* time shown in the footer; 0: now, -1: none */
} mlops_drift_html_opts;

#define MLOPS_DRIFT_HTML_OPTS_INIT { MLOPS_DRIFT_HTML_OPTS_VERSION, NULL, NULL, NULL, NULL, NULL, 0 }

/* Fills opts with the defaults of the given version (use
 * MLOPS_DRIFT_HTML_OPTS_VERSION). Errors: MLOPS_EINVAL when opts is NULL or
 * the version is 0 or unknown. */
MLOPS_API int mlops_drift_html_opts_init(mlops_drift_html_opts *opts, unsigned version);

/* The report as one self-contained HTML page (UTF-8, NUL-terminated):
 * inline CSS and SVG only, no script and nothing fetched from anywhere,
 * so it can be mailed, archived or served as is. It shows the dataset
 * verdict and the share of drifted columns, a summary table, and per
 * column a table (method, statistic, threshold, p-value where the method
 * has one, verdict) and a chart of both sides overlaid: a histogram for
 * numeric columns, paired bars for categorical ones (from the hist_*
 * fields). Every text from the caller is escaped. *html is malloc'd,
 * released with mlops_free. opts NULL means defaults.
 * Errors: MLOPS_EINVAL (NULL r or html, unknown opts->version, a title or
 * name that is not UTF-8), MLOPS_ENOMEM. Reentrant. */
MLOPS_API int mlops_drift_report_html(const mlops_drift_report *r,
                                      const mlops_drift_html_opts *opts, char **html);

/* Logs a report's figures as metrics of a running run, in one
 * transaction, so that drift over time is queried like any metric. Per
 * column c, with m its method name (column result's method_name):
 *   drift.<c>.<m>            the statistic
 *   drift.<c>.p_value        (p-value methods) the p-value
 *   drift.<c>.log_p_value    (p-value methods) its natural log
 *   drift.<c>.drifted        1 or 0
 *   drift.<c>.missing_p_value  the NaN-share z-test p-value
 * and for the dataset drift.share_drifted and drift.dataset_drift. Every
 * point has the given step and ts_ms (0: now). Errors: MLOPS_EINVAL (NULL,
 * or a key the run refuses, e.g. too long: nothing is logged), and those
 * of mlops_run_log_metrics (MLOPS_ECONFLICT when the run has ended, ...). */
MLOPS_API int mlops_drift_report_log(mlops_run *run, const mlops_drift_report *r, int64_t step,
                                     int64_t ts_ms);

MLOPS_END_DECLS

#endif /* MLOPS_DRIFT_H */
