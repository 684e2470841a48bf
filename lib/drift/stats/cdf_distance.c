/* Distances between the empirical CDFs U and V of two samples, walking the
 * two sorted samples together (scipy's _cdf_distance without the argsort
 * and searchsorted): Wasserstein-1 = integral |U - V|, energy distance =
 * sqrt(2 * integral (U - V)^2). The sum is compensated. With weights
 * (scipy's u_weights, v_weights) a CDF step is the cumulative weight over
 * the total, both summed in sorted order as numpy's cumsum sums them. */
#include "drift/drift_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <math.h>
#include <stdlib.h>

/* integral of |U - V|^p over the real line, p = 1 or 2. */
static double cdf_integral(const double *a, size_t na, const double *b, size_t nb, int p)
{
    /* Each CDF step is i/n divided as scipy divides, never i * (1/n): on
     * tie-heavy data i/na - j/nb nearly cancels and the ulp a reciprocal
     * costs would become a relative error far beyond 1e-12 (a 0/1 column
     * of 1,667 + 3,333 values against 1,666 + 3,331: 2.7e-10). */
    double dna = (double)na, dnb = (double)nb;
    mlops__ksum sum = { 0.0, 0.0 };
    size_t i = 0, j = 0;
    double v = a[0] < b[0] ? a[0] : b[0];
    for (;;) {
        while (i < na && a[i] <= v) i++;
        while (j < nb && b[j] <= v) j++;
        if (i == na && j == nb) break;
        double next;
        if (i == na)
            next = b[j];
        else if (j == nb)
            next = a[i];
        else
            next = a[i] < b[j] ? a[i] : b[j];
        double diff = (double)i / dna - (double)j / dnb;
        double delta = next - v;
        mlops__ksum_add(&sum, (p == 1 ? fabs(diff) : diff * diff) * delta);
        v = next;
    }
    return mlops__ksum_get(&sum);
}

/* p = 1: Wasserstein-1; p = 2: energy distance. */
static int cdf_distance(const char *fn, const double *ref, size_t nref, const double *cur,
                        size_t ncur, int p, double *out)
{
    if (!out) return mlops__err_null(fn, "out");
    mlops__sample a, b;
    int rc = mlops__sample_load_pair(fn, ref, nref, cur, ncur, &a, &b);
    if (rc) return rc;
    *out = p == 1 ? mlops__wasserstein_sorted(a.v, a.n, b.v, b.n) : mlops__energy_sorted(a.v, a.n, b.v, b.n);
    mlops__sample_free(&a);
    mlops__sample_free(&b);
    return MLOPS_OK;
}

double mlops__wasserstein_sorted(const double *a, size_t na, const double *b, size_t nb)
{
    return cdf_integral(a, na, b, nb, 1);
}

double mlops__energy_sorted(const double *a, size_t na, const double *b, size_t nb)
{
    return sqrt(2.0) * sqrt(cdf_integral(a, na, b, nb, 2));
}

MLOPS_API int mlops_drift_wasserstein(const double *ref, size_t nref, const double *cur, size_t ncur,
                            double *out)
{
    return cdf_distance(__func__, ref, nref, cur, ncur, 1, out);
}

MLOPS_API int mlops_drift_energy(const double *ref, size_t nref, const double *cur, size_t ncur,
                       double *out)
{
    return cdf_distance(__func__, ref, nref, cur, ncur, 2, out);
}

/* ---- weighted (since 1.1) ---------------------------------------------- */

typedef struct wpoint {
    double v, w;
} wpoint;

static int cmp_wpoint(const void *x, const void *y)
{
    double a = ((const wpoint *)x)->v, b = ((const wpoint *)y)->v;
    return (a > b) - (a < b);
}

/* A side's finite values, sorted with their weights (1 when w is NULL),
 * and cw[i] = the sum of the first i weights in that order. */
typedef struct wside {
    double *v, *cw;
    size_t n;
} wside;

static void wside_free(wside *s)
{
    free(s->v);
    free(s->cw);
}

static int wside_load(const char *fn, const char *side, const char *wname, const double *x,
                      size_t n, const double *w, wside *out)
{
    out->v = out->cw = NULL;
    out->n = 0;
    if (mlops__check_array(fn, side, x, n, sizeof *x)) return MLOPS_EINVAL;
    if (w && mlops__check_array(fn, wname, w, n, sizeof *w)) return MLOPS_EINVAL;
    if (w)
        for (size_t i = 0; i < n; i++)
            if (!(w[i] >= 0.0) || !isfinite(w[i]))
                return mlops__err(MLOPS_EINVAL, "%s: %s[%zu] is %g (weights must be finite and >= 0)",
                                  fn, wname, i, w[i]);
    wpoint *pt = malloc((n ? n : 1) * sizeof *pt);
    if (!pt) return mlops__err_nomem(fn);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            pt[m].v = x[i] + 0.0; /* -0.0 as +0.0 */
            pt[m].w = w ? w[i] : 1.0;
            m++;
        }
    if (m == 0) {
        free(pt);
        return mlops__err(MLOPS_EINVAL, "%s: '%s' has no finite value (%zu values)", fn, side, n);
    }
    qsort(pt, m, sizeof *pt, cmp_wpoint);
    out->v = malloc(m * sizeof *out->v);
    out->cw = malloc((m + 1) * sizeof *out->cw);
    if (!out->v || !out->cw) {
        free(pt);
        wside_free(out);
        return mlops__err_nomem(fn);
    }
    out->cw[0] = 0.0;
    for (size_t i = 0; i < m; i++) {
        out->v[i] = pt[i].v;
        out->cw[i + 1] = out->cw[i] + pt[i].w;
    }
    free(pt);
    out->n = m;
    double total = out->cw[m];
    if (!(total > 0.0) || !isfinite(total)) {
        wside_free(out);
        return mlops__err(MLOPS_EINVAL, "%s: the weights of the finite values of '%s' sum to %g "
                                        "(must be positive and finite)", fn, side, total);
    }
    return MLOPS_OK;
}

/* integral of |U - V|^p with weighted CDFs. */
static double cdf_integral_weighted(const wside *A, const wside *B, int p)
{
    const double *a = A->v, *b = B->v;
    size_t na = A->n, nb = B->n;
    double ta = A->cw[na], tb = B->cw[nb];
    mlops__ksum sum = { 0.0, 0.0 };
    size_t i = 0, j = 0;
    double v = a[0] < b[0] ? a[0] : b[0];
    for (;;) {
        while (i < na && a[i] <= v) i++;
        while (j < nb && b[j] <= v) j++;
        if (i == na && j == nb) break;
        double next;
        if (i == na)
            next = b[j];
        else if (j == nb)
            next = a[i];
        else
            next = a[i] < b[j] ? a[i] : b[j];
        double diff = A->cw[i] / ta - B->cw[j] / tb;
        double delta = next - v;
        mlops__ksum_add(&sum, (p == 1 ? fabs(diff) : diff * diff) * delta);
        v = next;
    }
    return mlops__ksum_get(&sum);
}

static int cdf_distance_opts(const char *fn, const double *ref, size_t nref, const double *cur,
                             size_t ncur, const mlops_distance_opts *opts, int p, double *out)
{
    if (opts) {
        int rc = mlops__opts_check(fn, opts->version, MLOPS_DISTANCE_OPTS_VERSION,
                                   "mlops_distance_opts_init");
        if (rc) return rc;
    }
    if (!opts || (!opts->ref_weights && !opts->cur_weights))
        return cdf_distance(fn, ref, nref, cur, ncur, p, out);
    if (!out) return mlops__err_null(fn, "out");
    wside a, b;
    int rc = wside_load(fn, "ref", "opts->ref_weights", ref, nref, opts->ref_weights, &a);
    if (rc) return rc;
    rc = wside_load(fn, "cur", "opts->cur_weights", cur, ncur, opts->cur_weights, &b);
    if (rc) {
        wside_free(&a);
        return rc;
    }
    double integral = cdf_integral_weighted(&a, &b, p);
    *out = p == 1 ? integral : sqrt(2.0) * sqrt(integral);
    wside_free(&a);
    wside_free(&b);
    return MLOPS_OK;
}

MLOPS_API int mlops_distance_opts_init(mlops_distance_opts *opts, unsigned version)
{
    static const mlops_distance_opts defaults = MLOPS_DISTANCE_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_DISTANCE_OPTS_VERSION);
}

MLOPS_API int mlops_drift_wasserstein_opts(const double *ref, size_t nref, const double *cur,
                                           size_t ncur, const mlops_distance_opts *opts,
                                           double *out)
{
    return cdf_distance_opts(__func__, ref, nref, cur, ncur, opts, 1, out);
}

MLOPS_API int mlops_drift_energy_opts(const double *ref, size_t nref, const double *cur,
                                      size_t ncur, const mlops_distance_opts *opts, double *out)
{
    return cdf_distance_opts(__func__, ref, nref, cur, ncur, opts, 2, out);
}
