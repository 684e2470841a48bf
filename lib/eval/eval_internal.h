/* Internal interface of the evaluation metrics (lib/eval): input checks,
 * accurate sums, class sets and the binary ranking curve. */
#ifndef MLOPS_EVAL_INTERNAL_H
#define MLOPS_EVAL_INTERNAL_H

#include "mlops/eval.h"
#include "drift/drift_internal.h"

#include <stddef.h>
#include <stdint.h>

/* ---- common.c ------------------------------------------------------------- */

/* The defaults, shared by NULL options and the init function. */
extern const mlops_eval_opts mlops__eval_defaults;

/* Resolves opts (NULL: defaults) and checks its version and the fields
 * every family shares (beta, zero_division, alpha, max_fpr, labels).
 * *o points to the options to use. */
int mlops__eval_opts_get(const char *fn, const mlops_eval_opts *opts, const mlops_eval_opts **o);

/* Checks out (non-NULL, known version) and clears its fields. */
int mlops__eval_out_check(const char *fn, mlops_eval_result *out);

/* Checks an optional weight array of n values: finite and >= 0. */
int mlops__eval_weights_check(const char *fn, const double *w, size_t n);

/* Checks a (pointer, length) array of n doubles that must all be finite. */
int mlops__eval_finite_check(const char *fn, const char *arg, const double *x, size_t n);

/* Checks n x k probabilities: each in [0, 1] and, when rows_sum_to_one
 * and k >= 2, each row summing to 1 within scikit-learn's tolerance. */
int mlops__eval_probabilities_check(const char *fn, const double *s, size_t n, size_t k,
                                    int rows_sum_to_one);

/* mlops__ksum (compensated sums) and mlops__sort_doubles come from the
 * drift statistics. */

/* The set of classes a metric runs over, and a fast label -> index map. */
typedef struct mlops__classes {
    int *labels;   /* k labels in their order (sorted unless given) */
    size_t k;
    int lo;        /* dense map: index[label - lo] for lo <= label <= hi */
    int hi;
    int32_t *dense; /* -1: not a class; NULL when the span is too wide */
    int *sorted;    /* wide span: sorted labels and their positions */
    size_t *pos;
} mlops__classes;

/* Classes from explicit labels (n_labels > 0; duplicates are an error;
 * require_sorted: they must be increasing) or, when labels is NULL, the
 * sorted distinct values of a[0..na) and b[0..nb) (b may be NULL). */
int mlops__classes_make(const char *fn, const int *labels, size_t n_labels, int require_sorted,
                        const int *a, size_t na, const int *b, size_t nb, mlops__classes *c);
void mlops__classes_free(mlops__classes *c);

/* The index of label v, or -1 when it is not a class. */
static inline long mlops__class_index(const mlops__classes *c, int v)
{
    if (c->dense) {
        if (v < c->lo || v > c->hi) return -1;
        return c->dense[(long)v - c->lo];
    }
    size_t lo = 0, hi = c->k;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->sorted[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->k && c->sorted[lo] == v ? (long)c->pos[lo] : -1;
}

/* The number of distinct values in a[0..n) when at most 2 (3 means more);
 * with at most two, they go to first[0..1] in ascending order. */
size_t mlops__distinct_upto2(const int *a, size_t n, int first[2]);

/* One probability per sample (k = 1): y_true may hold at most two labels,
 * one of them pos_label when there are two; MLOPS_EINVAL naming fn else. */
int mlops__check_one_probability(const char *fn, const int *y, size_t n, int pos_label);

/* ---- the metric entry points, with the public function's name -------------- */

/* The bodies of mlops_eval_regression, _labels and _scores: fn names the
 * public function the caller called (for messages). */
int mlops__eval_regression(const char *fn, int metric, const double *y_true, const double *y_pred,
                           size_t n, const double *weights, const mlops_eval_opts *opts,
                           mlops_eval_result *out);
int mlops__eval_labels(const char *fn, int metric, const int *y_true, const int *y_pred, size_t n,
                       const double *weights, const mlops_eval_opts *opts, mlops_eval_result *out);
int mlops__eval_scores(const char *fn, int metric, const int *y_true, const double *scores,
                       size_t n, size_t k, const double *weights, const mlops_eval_opts *opts,
                       mlops_eval_result *out);

/* The family of a metric id: 1 regression, 2 labels, 3 scores, 0 unknown. */
int mlops__eval_family(int metric);

/* Any metric on the arrays of d its family reads (bootstrap.c). */
int mlops__eval_run(const char *fn, int metric, const mlops_eval_data *d,
                    const mlops_eval_opts *o, mlops_eval_result *r);

/* ---- curve.c: the binary ranking curve ------------------------------------ */

/* One side (positives or negatives) of a binary problem: scores, and
 * weights (NULL: 1 each). */
typedef struct mlops__side {
    double *s;
    double *w;
    size_t n;
} mlops__side;

/* ROC AUC (max_fpr in (0, 1]: McClish-standardised partial AUC when < 1)
 * and average precision of positives against negatives; either output may
 * be NULL. Sorts both sides in place. Reasons: *auc NaN with
 * MLOPS_EVAL_ONE_CLASS when a side is empty, MLOPS_EVAL_NO_WEIGHT when a
 * side weighs 0; *ap NaN with MLOPS_EVAL_NO_POSITIVES when positives are
 * empty, MLOPS_EVAL_NO_WEIGHT when they weigh 0. MLOPS_ENOMEM only. */
int mlops__curve(mlops__side *pos, mlops__side *neg, double max_fpr, double *auc, int *auc_reason,
                 double *ap, int *ap_reason);

/* Allocates a side of capacity n (with weights when weighted). */
int mlops__side_alloc(mlops__side *s, size_t n, int weighted);
void mlops__side_free(mlops__side *s);

/* ---- calibration.c --------------------------------------------------------- */

/* MLOPS_METRIC_ECE, _MCE or _RMSCE for mlops_eval_scores (checked arrays and
 * options): the default calibration options with opts' pos_label and
 * labels. */
int mlops__eval_calibration_metric(const char *fn, int metric, const int *y, const double *s,
                                   size_t n, size_t k, const double *w, const mlops_eval_opts *o,
                                   mlops_eval_result *out);

#endif
