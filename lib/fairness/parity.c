/* fairlearn's parity measures: demographic parity (selection rate), equal
 * opportunity (true positive rate) and equalized odds (true and false
 * positive rates), each the difference or ratio of a metric frame. */
#include "fairness/fairness_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <math.h>

/* The measure's rate by groups, aggregated as fairlearn does. */
static int rate_aggregate(const char *fn, int metric, const mlops_eval_data *d, const int *groups,
                          const mlops_eval_opts *eo, int ratio, int method, mlops_eval_result *r)
{
    mlops_fairness_frame *f = NULL;
    int rc = mlops__fairness_frame(fn, metric, d, groups, eo, &f);
    if (!rc) rc = mlops__fairness_aggregate(fn, f, ratio, method, r);
    mlops_fairness_frame_free(f);
    return rc;
}

static int parity(const char *fn, int ratio, int measure, const int *y_true, const int *y_pred,
                  const int *groups, size_t n, const double *weights,
                  const mlops_fairness_opts *opts, mlops_eval_result *out)
{
    static const mlops_fairness_opts defaults = MLOPS_FAIRNESS_OPTS_INIT;
    const mlops_fairness_opts *o = opts ? opts : &defaults;
    if (!out) return mlops__err_null(fn, "out");
    if (mlops__opts_check(fn, out->version, MLOPS_EVAL_RESULT_VERSION, "mlops_eval_result_init") ||
        (opts && mlops__opts_check(fn, opts->version, MLOPS_FAIRNESS_OPTS_VERSION,
                                   "mlops_fairness_opts_init")))
        return MLOPS_EINVAL;
    if (o->method != MLOPS_FAIRNESS_BETWEEN_GROUPS && o->method != MLOPS_FAIRNESS_TO_OVERALL)
        return mlops__err(MLOPS_EINVAL, "%s: unknown method %d", fn, o->method);
    if (o->agg != MLOPS_FAIRNESS_WORST_CASE && o->agg != MLOPS_FAIRNESS_MEAN)
        return mlops__err(MLOPS_EINVAL, "%s: unknown agg %d", fn, o->agg);
    mlops_eval_opts eo = MLOPS_EVAL_OPTS_INIT;
    eo.pos_label = o->pos_label;
    mlops_eval_data d = MLOPS_EVAL_DATA_INIT;
    d.n = n;
    d.labels_true = y_true;
    d.labels_pred = y_pred;
    d.weights = weights;
    switch (measure) {
    case MLOPS_FAIRNESS_DEMOGRAPHIC_PARITY:
        return rate_aggregate(fn, MLOPS_METRIC_SELECTION_RATE, &d, groups, &eo, ratio, o->method,
                              out);
    case MLOPS_FAIRNESS_EQUAL_OPPORTUNITY:
        return rate_aggregate(fn, MLOPS_METRIC_TRUE_POSITIVE_RATE, &d, groups, &eo, ratio,
                              o->method, out);
    case MLOPS_FAIRNESS_EQUALIZED_ODDS: break;
    default: return mlops__err(MLOPS_EINVAL, "%s: unknown measure %d", fn, measure);
    }
    mlops_eval_result tpr = MLOPS_EVAL_RESULT_INIT, fpr = MLOPS_EVAL_RESULT_INIT;
    int rc;
    if ((rc = rate_aggregate(fn, MLOPS_METRIC_TRUE_POSITIVE_RATE, &d, groups, &eo, ratio,
                             o->method, &tpr)) ||
        (rc = rate_aggregate(fn, MLOPS_METRIC_FALSE_POSITIVE_RATE, &d, groups, &eo, ratio,
                             o->method, &fpr)))
        return rc;
    out->n = n;
    /* an undefined rate makes the combination undefined, with its reason */
    if (isnan(tpr.value) || isnan(fpr.value)) {
        out->value = NAN;
        out->reason = isnan(tpr.value) ? tpr.reason : fpr.reason;
        return MLOPS_OK;
    }
    out->reason = MLOPS_EVAL_DEFINED;
    if (o->agg == MLOPS_FAIRNESS_MEAN)
        out->value = (tpr.value + fpr.value) / 2;
    else
        out->value = ratio ? fmin(tpr.value, fpr.value) : fmax(tpr.value, fpr.value);
    return MLOPS_OK;
}

MLOPS_API int mlops_fairness_difference(int measure, const int *y_true, const int *y_pred,
                                        const int *groups, size_t n, const double *weights,
                                        const mlops_fairness_opts *opts, mlops_eval_result *out)
{
    return parity(__func__, 0, measure, y_true, y_pred, groups, n, weights, opts, out);
}

MLOPS_API int mlops_fairness_ratio(int measure, const int *y_true, const int *y_pred,
                                   const int *groups, size_t n, const double *weights,
                                   const mlops_fairness_opts *opts, mlops_eval_result *out)
{
    return parity(__func__, 1, measure, y_true, y_pred, groups, n, weights, opts, out);
}
