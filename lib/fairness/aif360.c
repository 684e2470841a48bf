/* AIF360's group fairness on predictions (ClassificationMetric): the
 * selection rates of the unprivileged and the privileged samples, as a
 * signed ratio (disparate impact) or difference (statistical parity). */
#include "fairness/fairness_internal.h"
#include "eval/eval_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <math.h>

/* Weighted selection rates of the two sides: rate[0] unprivileged,
 * rate[1] privileged; NaN when a side weighs 0. */
static int side_rates(const char *fn, const int *y_pred, const int *groups, size_t n,
                      const double *w, const mlops_fairness_opts *o, double rate[2])
{
    if (mlops__check_array(fn, "y_pred", y_pred, n, sizeof *y_pred) ||
        mlops__check_array(fn, "groups", groups, n, sizeof *groups) ||
        mlops__check_array(fn, "weights", w, w ? n : 0, sizeof *w) ||
        mlops__check_array(fn, "opts->privileged", o->privileged, o->n_privileged, sizeof(int)) ||
        mlops__check_array(fn, "opts->unprivileged", o->unprivileged, o->n_unprivileged,
                           sizeof(int)))
        return MLOPS_EINVAL;
    if (n == 0) return mlops__err(MLOPS_EINVAL, "%s: no samples", fn);
    if (o->n_privileged == 0) return mlops__err(MLOPS_EINVAL, "%s: no privileged group", fn);
    int rc = mlops__eval_weights_check(fn, w, n);
    if (rc) return rc;
    mlops__classes priv = { 0 }, unpriv = { 0 };
    if ((rc = mlops__classes_make(fn, o->privileged, o->n_privileged, 0, NULL, 0, NULL, 0, &priv)))
        return rc;
    if (o->unprivileged && o->n_unprivileged > 0) {
        if ((rc = mlops__classes_make(fn, o->unprivileged, o->n_unprivileged, 0, NULL, 0, NULL, 0,
                                      &unpriv)))
            goto done;
        for (size_t i = 0; i < unpriv.k; i++)
            if (mlops__class_index(&priv, unpriv.labels[i]) >= 0) {
                rc = mlops__err(MLOPS_EINVAL, "%s: group %d is both privileged and unprivileged",
                                fn, unpriv.labels[i]);
                goto done;
            }
    }
    mlops__ksum sel[2] = { { 0, 0 }, { 0, 0 } }, tot[2] = { { 0, 0 }, { 0, 0 } };
    for (size_t i = 0; i < n; i++) {
        int side = mlops__class_index(&priv, groups[i]) >= 0;
        if (!side && unpriv.k > 0 && mlops__class_index(&unpriv, groups[i]) < 0) continue;
        double wi = w ? w[i] : 1.0;
        mlops__ksum_add(&tot[side], wi);
        if (y_pred[i] == o->pos_label) mlops__ksum_add(&sel[side], wi);
    }
    for (int s = 0; s < 2; s++) {
        double t = mlops__ksum_get(&tot[s]);
        rate[s] = t > 0 ? mlops__ksum_get(&sel[s]) / t : NAN;
    }
done:
    mlops__classes_free(&priv);
    mlops__classes_free(&unpriv);
    return rc;
}

static int aif360(const char *fn, int ratio, const int *y_pred, const int *groups, size_t n,
                  const double *w, const mlops_fairness_opts *opts, mlops_eval_result *out)
{
    if (!out) return mlops__err_null(fn, "out");
    if (!opts) return mlops__err_null(fn, "opts");
    if (mlops__opts_check(fn, out->version, MLOPS_EVAL_RESULT_VERSION, "mlops_eval_result_init") ||
        mlops__opts_check(fn, opts->version, MLOPS_FAIRNESS_OPTS_VERSION,
                          "mlops_fairness_opts_init"))
        return MLOPS_EINVAL;
    double rate[2] = { NAN, NAN };
    int rc = side_rates(fn, y_pred, groups, n, w, opts, rate);
    if (rc) return rc;
    out->n = n;
    out->reason = MLOPS_EVAL_DEFINED;
    if (isnan(rate[0]) || isnan(rate[1])) {
        out->value = NAN;
        out->reason = MLOPS_EVAL_NO_WEIGHT;
    } else if (!ratio)
        out->value = rate[0] - rate[1];
    else if (rate[1] == 0) {
        out->value = NAN;
        out->reason = MLOPS_EVAL_ZERO_DIVISION;
    } else
        out->value = rate[0] / rate[1];
    return MLOPS_OK;
}

MLOPS_API int mlops_fairness_disparate_impact(const int *y_pred, const int *groups, size_t n,
                                              const double *weights,
                                              const mlops_fairness_opts *opts,
                                              mlops_eval_result *out)
{
    return aif360(__func__, 1, y_pred, groups, n, weights, opts, out);
}

MLOPS_API int mlops_fairness_statistical_parity_difference(const int *y_pred, const int *groups,
                                                           size_t n, const double *weights,
                                                           const mlops_fairness_opts *opts,
                                                           mlops_eval_result *out)
{
    return aif360(__func__, 0, y_pred, groups, n, weights, opts, out);
}
