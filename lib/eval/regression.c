/* Regression metrics, each equal to the scikit-learn function of the same
 * name; weighted means are sum(w x) / sum(w). */
#include "eval/eval_internal.h"
#include "util/err.h"

#include <math.h>
#include <stdlib.h>

/* Weighted mean of f(i) over the samples; NaN with MLOPS_EVAL_NO_WEIGHT
 * when the weights sum to 0. */
#define WMEAN(expr)                                                  \
    do {                                                             \
        mlops__ksum num_ = { 0, 0 }, den_ = { 0, 0 };                \
        for (size_t i = 0; i < n; i++) {                             \
            double wi_ = w ? w[i] : 1.0;                             \
            double e_ = (expr);                                      \
            mlops__ksum_add(&num_, w ? wi_ * e_ : e_);               \
            mlops__ksum_add(&den_, wi_);                             \
        }                                                            \
        double d_ = mlops__ksum_get(&den_);                          \
        if (d_ == 0) {                                               \
            out->reason = MLOPS_EVAL_NO_WEIGHT;                      \
            mean = NAN;                                              \
        } else                                                       \
            mean = mlops__ksum_get(&num_) / d_;                      \
    } while (0)

/* R2 and explained variance from their numerator and denominator:
 * 1 - num / den, and scikit-learn's force_finite rule when y_true is
 * constant (den = 0). */
static double assemble(double num, double den, int constant, int force_finite, int *reason)
{
    if (constant) {
        *reason = MLOPS_EVAL_CONSTANT_TRUE;
        if (force_finite) return num == 0 ? 1.0 : 0.0;
        return num == 0 ? NAN : -INFINITY;
    }
    if (force_finite && num == 0) return 1.0;
    return 1.0 - num / den;
}

/* y_true is constant over the samples of positive weight. */
static int is_constant(const double *y, const double *w, size_t n)
{
    size_t first = 0;
    while (first < n && w && w[first] == 0) first++;
    for (size_t i = first; i < n; i++)
        if ((!w || w[i] > 0) && y[i] != y[first]) return 0;
    return 1;
}

static double wmean_of(const double *y, const double *w, size_t n)
{
    mlops__ksum num = { 0, 0 }, den = { 0, 0 };
    for (size_t i = 0; i < n; i++) {
        mlops__ksum_add(&num, w ? w[i] * y[i] : y[i]);
        mlops__ksum_add(&den, w ? w[i] : 1.0);
    }
    return mlops__ksum_get(&num) / mlops__ksum_get(&den);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct werr {
    double e, w;
};

static int cmp_werr(const void *a, const void *b)
{
    return cmp_double(&((const struct werr *)a)->e, &((const struct werr *)b)->e);
}

/* median_absolute_error: numpy's median without weights; with weights
 * scikit-learn's _weighted_percentile at 50: the smallest error whose
 * cumulative weight (in ascending error order) reaches half the total;
 * NaN with MLOPS_EVAL_NO_WEIGHT when the weights sum to 0. */
static int median_ae(const char *fn, const double *t, const double *p, size_t n, const double *w,
                     double *out, int *reason)
{
    if (!w) {
        double *e = malloc(n * sizeof *e);
        if (!e) return mlops__err_nomem(fn);
        for (size_t i = 0; i < n; i++) e[i] = fabs(p[i] - t[i]);
        qsort(e, n, sizeof *e, cmp_double);
        *out = n % 2 ? e[n / 2] : (e[n / 2 - 1] + e[n / 2]) / 2.0;
        free(e);
        return MLOPS_OK;
    }
    struct werr *e = malloc(n * sizeof *e);
    if (!e) return mlops__err_nomem(fn);
    for (size_t i = 0; i < n; i++) {
        e[i].e = fabs(p[i] - t[i]);
        e[i].w = w[i];
    }
    qsort(e, n, sizeof *e, cmp_werr);
    double total = 0; /* a plain running sum, as numpy's cumulative_sum */
    for (size_t i = 0; i < n; i++) total += e[i].w;
    if (total == 0) { /* every weight 0: undefined, as every weighted mean here */
        free(e);
        *reason = MLOPS_EVAL_NO_WEIGHT;
        *out = NAN;
        return MLOPS_OK;
    }
    double target = 0.5 * total;
    if (target == 0) target = nextafter(0.0, 1.0); /* half a denormal total */
    double cdf = 0;
    size_t i = 0;
    for (; i < n; i++) {
        cdf += e[i].w;
        if (cdf >= target) break;
    }
    *out = e[i < n ? i : n - 1].e;
    free(e);
    return MLOPS_OK;
}

int mlops__eval_regression(const char *fn, int metric, const double *y_true, const double *y_pred,
                                    size_t n, const double *weights, const mlops_eval_opts *opts,
                                    mlops_eval_result *out)
{
    const mlops_eval_opts *o;
    int rc;
    if ((rc = mlops__eval_out_check(fn, out)) || (rc = mlops__eval_opts_get(fn, opts, &o)))
        return rc;
    if (metric < MLOPS_METRIC_MAE || metric > MLOPS_METRIC_PINBALL)
        return mlops__err(MLOPS_EINVAL, "%s: %d is not a regression metric", fn, metric);
    if (mlops__check_array(fn, "y_true", y_true, n, sizeof *y_true) ||
        mlops__check_array(fn, "y_pred", y_pred, n, sizeof *y_pred) ||
        mlops__check_array(fn, "weights", weights, weights ? n : 0, sizeof *weights))
        return MLOPS_EINVAL;
    if (n == 0) return mlops__err(MLOPS_EINVAL, "%s: no samples", fn);
    if ((rc = mlops__eval_finite_check(fn, "y_true", y_true, n)) ||
        (rc = mlops__eval_finite_check(fn, "y_pred", y_pred, n)) ||
        (rc = mlops__eval_weights_check(fn, weights, n)))
        return rc;
    if (metric == MLOPS_METRIC_MAX_ERROR && weights)
        return mlops__err(MLOPS_EINVAL, "%s: max error takes no sample weights", fn);
    const double *t = y_true, *p = y_pred, *w = weights;
    const double alpha = o->alpha;
    const double eps = 2.220446049250313e-16; /* MAPE's floor, numpy's float64 eps */
    double mean = NAN;
    out->n = n;
    switch (metric) {
    case MLOPS_METRIC_MAE: WMEAN(fabs(p[i] - t[i])); break;
    case MLOPS_METRIC_MSE: WMEAN((t[i] - p[i]) * (t[i] - p[i])); break;
    case MLOPS_METRIC_RMSE:
        WMEAN((t[i] - p[i]) * (t[i] - p[i]));
        mean = sqrt(mean);
        break;
    case MLOPS_METRIC_MAPE: WMEAN(fabs(p[i] - t[i]) / fmax(fabs(t[i]), eps)); break;
    case MLOPS_METRIC_PINBALL:
        WMEAN(t[i] - p[i] >= 0 ? alpha * (t[i] - p[i]) : (alpha - 1.0) * (t[i] - p[i]));
        break;
    case MLOPS_METRIC_MAX_ERROR:
        mean = 0;
        for (size_t i = 0; i < n; i++) mean = fmax(mean, fabs(t[i] - p[i]));
        break;
    case MLOPS_METRIC_MEDIAN_AE:
        if ((rc = median_ae(fn, t, p, n, w, &mean, &out->reason))) return rc;
        break;
    case MLOPS_METRIC_R2:
    case MLOPS_METRIC_EXPLAINED_VARIANCE: {
        if (metric == MLOPS_METRIC_R2 && n < 2) { /* scikit-learn's r2_score; explained
                                                     variance has no such minimum */
            out->reason = MLOPS_EVAL_TOO_FEW;
            break;
        }
        mlops__ksum wsum = { 0, 0 };
        for (size_t i = 0; w && i < n; i++) mlops__ksum_add(&wsum, w[i]);
        if (w && mlops__ksum_get(&wsum) == 0) {
            out->reason = MLOPS_EVAL_NO_WEIGHT;
            break;
        }
        double tbar = wmean_of(t, w, n), num, den;
        if (metric == MLOPS_METRIC_R2) {
            WMEAN((t[i] - p[i]) * (t[i] - p[i]));
            num = mean;
            WMEAN((t[i] - tbar) * (t[i] - tbar));
            den = mean;
        } else {
            WMEAN(t[i] - p[i]);
            double dbar = mean;
            WMEAN((t[i] - p[i] - dbar) * (t[i] - p[i] - dbar));
            num = mean;
            WMEAN((t[i] - tbar) * (t[i] - tbar));
            den = mean;
        }
        mean = assemble(num, den, is_constant(t, w, n), o->force_finite, &out->reason);
        break;
    }
    default: break;
    }
    out->value = mean;
    return MLOPS_OK;
}

MLOPS_API int mlops_eval_regression(int metric, const double *y_true, const double *y_pred,
                                    size_t n, const double *weights, const mlops_eval_opts *opts,
                                    mlops_eval_result *out)
{
    return mlops__eval_regression(__func__, metric, y_true, y_pred, n, weights, opts, out);
}
