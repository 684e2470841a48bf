/* Percentile bootstrap confidence intervals for any metric, drawn from a
 * seeded integer generator so that every machine draws the same samples. */
#include "eval/eval_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_eval_data_init(mlops_eval_data *d, unsigned version)
{
    static const mlops_eval_data defaults = MLOPS_EVAL_DATA_INIT;
    return mlops__opts_init(__func__, d, &defaults, sizeof *d, version, MLOPS_EVAL_DATA_VERSION);
}

MLOPS_API int mlops_bootstrap_opts_init(mlops_bootstrap_opts *opts, unsigned version)
{
    static const mlops_bootstrap_opts defaults = MLOPS_BOOTSTRAP_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof *opts, version,
                            MLOPS_BOOTSTRAP_OPTS_VERSION);
}

MLOPS_API int mlops_bootstrap_result_init(mlops_bootstrap_result *r, unsigned version)
{
    static const mlops_bootstrap_result zero = MLOPS_BOOTSTRAP_RESULT_INIT;
    return mlops__opts_init(__func__, r, &zero, sizeof *r, version, MLOPS_BOOTSTRAP_RESULT_VERSION);
}

int mlops__eval_family(int metric)
{
    if (metric >= MLOPS_METRIC_MAE && metric <= MLOPS_METRIC_PINBALL) return 1;
    if (metric >= MLOPS_METRIC_ACCURACY && metric <= MLOPS_METRIC_FALSE_POSITIVE_RATE) return 2;
    if (metric >= MLOPS_METRIC_ROC_AUC && metric <= MLOPS_METRIC_RMSCE) return 3;
    return 0;
}

/* splitmix64 (Steele, Lea, Flood 2014): a 64-bit state advanced by a
 * constant and mixed; integer arithmetic only. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* The 128-bit product a * b as (high, low) 64-bit halves, from 32-bit
 * pieces so that every C11 compiler and target gives the same bits. */
static void mul128(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    *lo = (mid << 32) | (p00 & 0xffffffffu);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* A uniform integer in [0, n): Lemire's multiply-and-reject (2019), so no
 * index is favoured: the high half of x * n, drawing again while the low
 * half falls below 2^64 mod n. */
static uint64_t below(uint64_t *state, uint64_t n)
{
    uint64_t hi, lo;
    mul128(splitmix64(state), n, &hi, &lo);
    if (lo < n) {
        uint64_t threshold = (0 - n) % n;
        while (lo < threshold) mul128(splitmix64(state), n, &hi, &lo);
    }
    return hi;
}

int mlops__eval_run(const char *fn, int metric, const mlops_eval_data *d,
                    const mlops_eval_opts *o, mlops_eval_result *r)
{
    switch (mlops__eval_family(metric)) {
    case 1:
        return mlops__eval_regression(fn, metric, d->values_true, d->values_pred, d->n, d->weights,
                                      o, r);
    case 2:
        return mlops__eval_labels(fn, metric, d->labels_true, d->labels_pred, d->n, d->weights, o,
                                  r);
    case 3:
        return mlops__eval_scores(fn, metric, d->labels_true, d->scores, d->n, d->k, d->weights, o,
                                  r);
    default: return mlops__err(MLOPS_EINVAL, "%s: unknown metric %d", fn, metric);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy.percentile's default (linear) on sorted v[0..n), q in [0, 1]. */
static double quantile(const double *v, size_t n, double q)
{
    double h = q * (double)(n - 1);
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1) return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

MLOPS_API int mlops_eval_bootstrap(int metric, const mlops_eval_data *data,
                                   const mlops_eval_opts *opts,
                                   const mlops_bootstrap_opts *bopts,
                                   mlops_bootstrap_result *out)
{
    const char *fn = __func__;
    static const mlops_bootstrap_opts bdefaults = MLOPS_BOOTSTRAP_OPTS_INIT;
    if (!out) return mlops__err_null(fn, "out");
    if (!data) return mlops__err_null(fn, "data");
    if (mlops__opts_check(fn, out->version, MLOPS_BOOTSTRAP_RESULT_VERSION,
                          "mlops_bootstrap_result_init") ||
        mlops__opts_check(fn, data->version, MLOPS_EVAL_DATA_VERSION, "mlops_eval_data_init"))
        return MLOPS_EINVAL;
    const mlops_bootstrap_opts *b = bopts ? bopts : &bdefaults;
    if (bopts && mlops__opts_check(fn, bopts->version, MLOPS_BOOTSTRAP_OPTS_VERSION,
                                   "mlops_bootstrap_opts_init"))
        return MLOPS_EINVAL;
    if (b->resamples == 0) return mlops__err(MLOPS_EINVAL, "%s: resamples is 0", fn);
    if (!(b->confidence > 0.0 && b->confidence < 1.0))
        return mlops__err(MLOPS_EINVAL, "%s: confidence must lie in (0, 1) (got %g)", fn,
                          b->confidence);
    int family = mlops__eval_family(metric);
    if (!family) return mlops__err(MLOPS_EINVAL, "%s: unknown metric %d", fn, metric);
    out->value = out->low = out->high = NAN;
    out->reason = 0;
    out->resamples = out->defined = 0;

    /* the metric on the data itself checks every input */
    mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
    int rc = mlops__eval_run(fn, metric, data, opts, &r);
    if (rc) return rc;
    out->value = r.value;
    out->reason = r.reason;

    size_t n = data->n, k = family == 3 ? data->k : 1;
    /* Scores: the classes are those of the whole data, so that a resample
     * missing a class still has one column per class (its one-vs-rest
     * value for that class is then NaN and the resample is left out). */
    mlops__classes cls = { 0 };
    mlops_eval_opts fixed = opts ? *opts : mlops__eval_defaults;
    const mlops_eval_opts *ro = opts;
    if (family == 3 && fixed.n_labels == 0) {
        if ((rc = mlops__classes_make(fn, NULL, 0, 1, data->labels_true, n, NULL, 0, &cls)))
            return rc;
        fixed.labels = cls.labels;
        fixed.n_labels = cls.k;
        ro = &fixed;
    }
    mlops_eval_data rs = *data;
    double *vt = NULL, *vp = NULL, *sc = NULL, *w = NULL, *vals = NULL;
    int *lt = NULL, *lp = NULL;
    vals = malloc(b->resamples * sizeof *vals);
    if (family == 1) {
        vt = malloc(n * sizeof *vt);
        vp = malloc(n * sizeof *vp);
    } else {
        lt = malloc(n * sizeof *lt);
        if (family == 2) lp = malloc(n * sizeof *lp);
        if (family == 3) sc = malloc(n * k * sizeof *sc);
    }
    if (data->weights) w = malloc(n * sizeof *w);
    if (!vals || (family == 1 && (!vt || !vp)) || (family != 1 && !lt) ||
        (family == 2 && !lp) || (family == 3 && !sc) || (data->weights && !w)) {
        rc = mlops__err_nomem(fn);
        goto done;
    }
    rs.values_true = vt;
    rs.values_pred = vp;
    rs.labels_true = lt;
    rs.labels_pred = lp;
    rs.scores = sc;
    rs.weights = w;
    uint64_t state = b->seed;
    uint32_t defined = 0;
    for (uint32_t t = 0; t < b->resamples; t++) {
        for (size_t i = 0; i < n; i++) {
            size_t j = (size_t)below(&state, n);
            if (vt) {
                vt[i] = data->values_true[j];
                vp[i] = data->values_pred[j];
            }
            if (lt) lt[i] = data->labels_true[j];
            if (lp) lp[i] = data->labels_pred[j];
            if (sc) memcpy(sc + i * k, data->scores + j * k, k * sizeof *sc);
            if (w) w[i] = data->weights[j];
        }
        mlops_eval_result x = MLOPS_EVAL_RESULT_INIT;
        if ((rc = mlops__eval_run(fn, metric, &rs, ro, &x))) goto done;
        if (!isnan(x.value)) vals[defined++] = x.value;
    }
    rc = MLOPS_OK;
    out->resamples = b->resamples;
    out->defined = defined;
    if (defined > 0) {
        qsort(vals, defined, sizeof *vals, cmp_double);
        out->low = quantile(vals, defined, (1.0 - b->confidence) / 2.0);
        out->high = quantile(vals, defined, (1.0 + b->confidence) / 2.0);
    }
done:
    free(vt);
    free(vp);
    free(lt);
    free(lp);
    free(sc);
    free(w);
    free(vals);
    mlops__classes_free(&cls);
    return rc;
}
