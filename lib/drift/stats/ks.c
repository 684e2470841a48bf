/* Two-sample Kolmogorov-Smirnov test.
 *
 * D is computed as scipy does: the largest difference between the two
 * empirical CDFs evaluated at every observed value, each CDF value i/n
 * rounded once, so D is bit-identical. The p-value follows scipy's
 * method='auto':
 *   - exact when max(n1, n2) <= 10000: D is snapped to h/lcm(n1, n2) and
 *     P(D >= h/lcm) comes from the lattice-path count of Hodges (1958):
 *     for n1 == n2 the alternating binomial series in Horner form; else
 *     the "inside" recursion over the lattice, rewritten by Viehmann
 *     (arXiv:2102.08037) to carry the probability of having left the band
 *     directly, so that small p-values keep their digits;
 *   - otherwise kstwo.sf(D, round(n1*n2/(n1+n2))) (kolmogorov.c); NaN, as
 *     in scipy, when that size rounds to 0 (both samples of size 1).
 * Where the p-value underflows, the same methods are re-run in log space;
 * at D = 1 the asymptotic log p comes from Kolmogorov's limiting series. */
#include "drift/drift_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <math.h>
#include <stdlib.h>

#define MAX_AUTO_N 10000
#define INT32_MAXD 2147483647.0

double mlops__ks_statistic(const double *a, size_t na, const double *b, size_t nb)
{
    double dna = (double)na, dnb = (double)nb;
    double maxs = -INFINITY, mins = INFINITY;
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        double v;
        if (j >= nb || (i < na && a[i] <= b[j]))
            v = a[i];
        else
            v = b[j];
        while (i < na && a[i] <= v) i++;
        while (j < nb && b[j] <= v) j++;
        double diff = (double)i / dna - (double)j / dnb;
        if (diff > maxs) maxs = diff;
        if (diff < mins) mins = diff;
    }
    double mn = -mins;
    if (mn < 0.0) mn = 0.0;
    if (mn > 1.0) mn = 1.0;
    return mn > maxs ? mn : maxs;
}

/* P(D_{n,n} >= h/n) = 2 sum_k (-1)^(k+1) C(2n, n-kh) / C(2n, n), in Horner
 * form: each factor is C(2n, n-(k+1)h) / C(2n, n-kh). */
static double prob_outside_square(int64_t n, int64_t h, double *log_p)
{
    double P = 0.0, inner = 0.0;
    for (int64_t k = n / h; k >= 0; k--) {
        double p1 = 1.0;
        for (int64_t j = 0; j < h; j++)
            p1 = (double)(n - k * h - j) * p1 / (double)(n + k * h + j + 1);
        if (k == 0) inner = P;
        P = p1 * (1.0 - P);
    }
    double p = 2 * P;
    if (p > 1e-290) {
        *log_p = log(p);
    } else {
        /* log of the k = 0 factor, term by term */
        double l = 0.0;
        for (int64_t j = 0; j < h; j++) l += log1p(-(double)(2 * j + 1) / (double)(n + j + 1));
        *log_p = log(2.0) + l + log1p(-inner);
    }
    return p;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
    return -floor_div(-a, b);
}

/* Band of column i: rows y with |n*i - m*y| < h*g, i.e. minj <= y < maxj. */
static void band(int64_t i, int64_t n, int64_t mg, int64_t ng, int64_t h, int64_t *lo, int64_t *hi)
{
    int64_t minj = floor_div(ng * i - h, mg) + 1;
    if (minj < 0) minj = 0;
    if (minj > n) minj = n;
    int64_t maxj = ceil_div(ng * i + h, mg);
    if (maxj > n + 1) maxj = n + 1;
    *lo = minj;
    *hi = maxj;
}

/* The lattice of the exact two-sided law: a path from (0,0) to (m,n),
 * m >= n, stays in the band |x/m - y/n| < h/lcm. */
typedef struct lattice {
    int64_t m, n, mg, ng, h;
    int64_t first_hi; /* column 0 holds rows 0 .. first_hi-1 of the band */
} lattice;

static lattice lattice_of(int64_t m, int64_t n, int64_t g, int64_t h)
{
    lattice L;
    L.m = m > n ? m : n;
    L.n = m > n ? n : m;
    L.mg = L.m / g;
    L.ng = L.n / g;
    L.h = h;
    L.first_hi = ceil_div(h, L.mg);
    if (L.first_hi > L.n + 1) L.first_hi = L.n + 1;
    return L;
}

/* Probability that a random lattice path leaves the band. a[y] holds, for
 * the current column x, the probability that a path to (x, y) has already
 * left: 1 outside the band, and inside (x a(x-1,y) + y a(x,y-1)) / (x + y)
 * (Viehmann's form of Hodges' inside recursion). With logs != 0 the same
 * recursion runs on natural logarithms, for p-values below the double
 * range. Returns NaN when memory is short. */
static double outer_prob_inside(int64_t m, int64_t n, int64_t g, int64_t h, int logs)
{
    lattice L = lattice_of(m, n, g, h);
    double *a = malloc((size_t)(L.n + 1) * sizeof *a);
    double *lg = logs ? malloc((size_t)(L.m + L.n + 1) * sizeof *lg) : NULL;
    if (!a || (logs && !lg)) {
        free(a);
        free(lg);
        return NAN;
    }
    if (logs)
        for (int64_t t = 0; t <= L.m + L.n; t++) lg[t] = log((double)t);
    const double in = logs ? -INFINITY : 0.0, out = logs ? 0.0 : 1.0;
    for (int64_t j = 0; j <= L.n; j++) a[j] = j < L.first_hi ? in : out;
    double result = out;
    for (int64_t i = 1; i <= L.m; i++) {
        int64_t lo, hi;
        band(i, L.n, L.mg, L.ng, L.h, &lo, &hi);
        if (hi <= lo) goto done; /* every path has left */
        double di = (double)i;
        double val = lo == 0 ? in : out;
        if (!logs) {
            for (int64_t j = lo; j < hi; j++) {
                val = (a[j] * di + val * (double)j) / (di + (double)j);
                a[j] = val;
            }
        } else {
            for (int64_t j = lo; j < hi; j++) {
                val = j == 0 ? a[j] : mlops__logaddexp(lg[i] + a[j], lg[j] + val) - lg[i + j];
                a[j] = val;
            }
        }
    }
    result = a[L.n];
done:
    free(a);
    free(lg);
    return result;
}

void mlops__ks_pvalue(double d, uint64_t n1, uint64_t n2, int method, double *d_out, double *p,
                      double *log_p, int *method_used)
{
    uint64_t g = mlops__gcd(n1, n2);
    uint64_t n1g = n1 / g, n2g = n2 / g;
    int mode = method;
    if (mode == MLOPS_KS_AUTO)
        mode = (n1 > n2 ? n1 : n2) <= MAX_AUTO_N ? MLOPS_KS_EXACT : MLOPS_KS_ASYMPTOTIC;
    else if (mode == MLOPS_KS_EXACT && (double)n1g >= INT32_MAXD / (double)n2g)
        mode = MLOPS_KS_ASYMPTOTIC;
    double prob = NAN, lp = NAN;
    if (mode == MLOPS_KS_EXACT) {
        uint64_t lcm = n1g * n2;
        double h = nearbyint(d * (double)lcm);
        d = h / (double)lcm;
        if (h == 0) {
            prob = 1.0;
            lp = 0.0;
        } else if (n1 == n2) {
            prob = prob_outside_square((int64_t)n1, (int64_t)h, &lp);
        } else {
            prob = outer_prob_inside((int64_t)n1, (int64_t)n2, (int64_t)g, (int64_t)h, 0);
            if (prob >= 0.0 && prob <= 1e-290)
                lp = outer_prob_inside((int64_t)n1, (int64_t)n2, (int64_t)g, (int64_t)h, 1);
            else if (prob >= 0.0)
                lp = log(prob);
        }
        if (!(prob >= 0.0 && prob <= 1.0) || isnan(lp)) mode = MLOPS_KS_ASYMPTOTIC;
    }
    if (mode == MLOPS_KS_ASYMPTOTIC) {
        double m = (double)(n1 > n2 ? n1 : n2), n = (double)(n1 > n2 ? n2 : n1);
        double en = m * n / (m + n);
        int64_t n_eff = (int64_t)nearbyint(en); /* numpy rounds half to even */
        if (n_eff == 0) {
            /* Both sides of size 1: en = 1/2 rounds to 0 and scipy's
             * kstwo.sf(D, 0) is NaN; so are p and its log here. */
            prob = lp = NAN;
        } else {
            prob = mlops__kstwo_sf(n_eff, d, &lp);
            /* kstwo.sf is exactly 0 at D = 1 (one sample never reaches it);
             * the log p-value stays finite: Kolmogorov's limiting series at
             * sqrt(en) D. */
            if (prob == 0.0 && !(lp > -INFINITY)) lp = mlops__kolmogorov_log_sf(sqrt(en) * d);
        }
    }
    if (prob < 0.0) prob = 0.0;
    if (prob > 1.0) prob = 1.0;
    if (lp > 0.0) lp = 0.0;
    *d_out = d;
    *p = prob;
    *log_p = lp;
    *method_used = mode;
}

MLOPS_API int mlops_ks_result_init(mlops_ks_result *r, unsigned version)
{
    static const mlops_ks_result defaults = MLOPS_KS_RESULT_INIT;
    return mlops__opts_init(__func__, r, &defaults, sizeof defaults, version,
                            MLOPS_KS_RESULT_VERSION);
}

MLOPS_API int mlops_drift_ks_ex(const double *ref, size_t nref, const double *cur, size_t ncur, int method,
                      mlops_ks_result *out)
{
    if (!out) return mlops__err_null(__func__, "out");
    if (out->version == 0 || out->version > MLOPS_KS_RESULT_VERSION)
        return mlops__err(MLOPS_EINVAL, "%s: out->version is %u (this library knows 1..%d)", __func__,
                          out->version, MLOPS_KS_RESULT_VERSION);
    if (method != MLOPS_KS_AUTO && method != MLOPS_KS_EXACT && method != MLOPS_KS_ASYMPTOTIC)
        return mlops__err(MLOPS_EINVAL, "%s: unknown method %d", __func__, method);
    mlops__sample a, b;
    int rc = mlops__sample_load_pair(__func__, ref, nref, cur, ncur, &a, &b);
    if (rc) return rc;
    double d = mlops__ks_statistic(a.v, a.n, b.v, b.n);
    mlops__ks_pvalue(d, a.n, b.n, method, &out->statistic, &out->p_value, &out->log_p_value,
                     &out->method);
    out->n_ref = a.n;
    out->n_cur = b.n;
    out->ref_nan = a.nan;
    out->ref_inf = a.inf;
    out->cur_nan = b.nan;
    out->cur_inf = b.inf;
    mlops__sample_free(&a);
    mlops__sample_free(&b);
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_ks(const double *ref, size_t nref, const double *cur, size_t ncur,
                   mlops_test_result *out)
{
    if (!out) return mlops__err_null(__func__, "out");
    mlops_ks_result r = MLOPS_KS_RESULT_INIT;
    int rc = mlops_drift_ks_ex(ref, nref, cur, ncur, MLOPS_KS_AUTO, &r);
    if (rc) return rc;
    out->statistic = r.statistic;
    out->p_value = r.p_value;
    return MLOPS_OK;
}
