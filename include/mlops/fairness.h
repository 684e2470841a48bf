/*
 * libmlops — fairness: any evaluation metric (eval.h) by a sensitive
 * feature (a metric frame: overall, per group, differences and ratios),
 * fairlearn's demographic parity, equalized odds and equal opportunity
 * differences and ratios, and AIF360's disparate impact and statistical
 * parity difference.
 *
 * Each value equals fairlearn's (or AIF360's) function of the same name
 * within 1e-12 relative (the versions recorded in
 * tests/eval/golden_fairness.txt), except the deliberate difference
 * doc/fairness.md documents: a rate that is undefined in a group (a true
 * positive rate without positive sample, a false positive rate without
 * negative sample) is NaN with its reason, where fairlearn says 0, and an
 * aggregate over groups (difference, ratio) with an undefined group is NaN
 * with that group's reason.
 *
 * Sensitive features are int group codes, one per sample; the groups are
 * the distinct codes in increasing order (the bindings map labels to codes
 * in sorted label order).
 *
 * Threads: every function is reentrant; a frame may be read by several
 * threads at once.
 */
#ifndef MLOPS_FAIRNESS_H
#define MLOPS_FAIRNESS_H

#include "common.h"
#include "eval.h"

MLOPS_BEGIN_DECLS

/* How groups are compared (fairlearn's `method`). */
#define MLOPS_FAIRNESS_BETWEEN_GROUPS 0 /* difference max - min; ratio min / max */
#define MLOPS_FAIRNESS_TO_OVERALL     1 /* difference max |g - overall|; ratio
                                           min over g of min(g/o, o/g) */

/* How equalized odds combines its two rates (fairlearn's `agg`). */
#define MLOPS_FAIRNESS_WORST_CASE 0 /* the larger difference, the smaller ratio */
#define MLOPS_FAIRNESS_MEAN       1 /* the mean of the two */

/* The parity measures of mlops_fairness_difference and _ratio. */
#define MLOPS_FAIRNESS_DEMOGRAPHIC_PARITY 1 /* on the selection rate */
#define MLOPS_FAIRNESS_EQUALIZED_ODDS     2 /* on the true and false positive rates */
#define MLOPS_FAIRNESS_EQUAL_OPPORTUNITY  3 /* on the true positive rate */

#define MLOPS_FAIRNESS_OPTS_VERSION 1

/* Options of the parity measures. Initialise with MLOPS_FAIRNESS_OPTS_INIT
 * or mlops_fairness_opts_init(). NULL options are the defaults. Its layout
 * never changes: a new option comes in a new struct with a new function
 * (doc/conventions.md). */
typedef struct mlops_fairness_opts {
    unsigned version;        /* MLOPS_FAIRNESS_OPTS_VERSION */
    int method;              /* MLOPS_FAIRNESS_BETWEEN_GROUPS (default) or _TO_OVERALL */
    int agg;                 /* equalized odds: MLOPS_FAIRNESS_WORST_CASE (default) or _MEAN */
    int pos_label;           /* the positive (favorable) label; default 1 */
    const int *privileged;   /* AIF360: the privileged group codes (required) */
    size_t n_privileged;
    const int *unprivileged; /* AIF360: the unprivileged codes; NULL: every */
    size_t n_unprivileged;   /* group not privileged */
} mlops_fairness_opts;

#define MLOPS_FAIRNESS_OPTS_INIT \
    { MLOPS_FAIRNESS_OPTS_VERSION, MLOPS_FAIRNESS_BETWEEN_GROUPS, MLOPS_FAIRNESS_WORST_CASE, 1, NULL, 0, NULL, 0 }

/* Fills opts with the defaults of the given version. Errors: MLOPS_EINVAL
 * when opts is NULL or the version is unknown. */
MLOPS_API int mlops_fairness_opts_init(mlops_fairness_opts *opts, unsigned version);

/* ---- Metric frames ----------------------------------------------------------- */

/* One group of a frame (or the overall row), owned by the frame. Its
 * layout never changes: new data comes through a new function. */
typedef struct mlops_fairness_group {
    unsigned version; /* 1 */
    int group;        /* the group code (0 in the overall row) */
    double value;     /* the metric on the group's samples; NaN when undefined */
    int reason;       /* its MLOPS_EVAL_* reason */
    uint64_t count;   /* samples in the group */
    double weight;    /* their weight sum (count without weights) */
    double positives; /* weight of the samples whose y_true is opts->pos_label
                         (label and score metrics; 0 for regression) */
    double negatives; /* weight of the others (idem) */
} mlops_fairness_group;

typedef struct mlops_fairness_frame mlops_fairness_frame;

/* fairlearn's MetricFrame for one metric: `metric` (any MLOPS_METRIC_*,
 * with opts as mlops_eval_* take them) on the whole data and on the
 * samples of each group of groups[0 .. data->n). On score metrics the
 * classes are fixed from the whole data (opts->labels, else the sorted
 * distinct y_true), so that every group has the same columns. *out is
 * released with mlops_fairness_frame_free.
 * Errors: those of the metric on the whole data (named after this
 * function), MLOPS_EINVAL for a NULL data, groups or out, an unknown
 * version; MLOPS_ENOMEM. */
MLOPS_API int mlops_fairness_frame_build(int metric, const mlops_eval_data *data,
                                         const int *groups, const mlops_eval_opts *opts,
                                         mlops_fairness_frame **out);

/* Number of groups (0 for NULL). */
MLOPS_API size_t mlops_fairness_frame_count(const mlops_fairness_frame *f);

/* Group i in increasing code order, valid until the frame is freed; NULL
 * when f is NULL or i is out of range. */
MLOPS_API const mlops_fairness_group *mlops_fairness_frame_at(const mlops_fairness_frame *f,
                                                              size_t i);

/* The metric on all the samples (fairlearn's `overall`); NULL for NULL. */
MLOPS_API const mlops_fairness_group *mlops_fairness_frame_overall(const mlops_fairness_frame *f);

/* fairlearn's MetricFrame.difference(method) and .ratio(method) into out
 * (value, reason, n = all samples). A group (or, to the overall, the
 * overall value) that is NaN makes the result NaN with its reason; a ratio
 * with a zero denominator is NaN with MLOPS_EVAL_ZERO_DIVISION.
 * Errors: MLOPS_EINVAL (NULL f or out, unknown method or result version). */
MLOPS_API int mlops_fairness_frame_difference(const mlops_fairness_frame *f, int method,
                                              mlops_eval_result *out);
MLOPS_API int mlops_fairness_frame_ratio(const mlops_fairness_frame *f, int method,
                                         mlops_eval_result *out);

/* Releases the frame; NULL is a no-op. */
MLOPS_API void mlops_fairness_frame_free(mlops_fairness_frame *f);

/* ---- Parity measures (fairlearn) ---------------------------------------------- */

/* fairlearn's demographic_parity_difference, equalized_odds_difference
 * (opts->agg) and equal_opportunity_difference (measure: an
 * MLOPS_FAIRNESS_* measure) of predicted labels by groups[0 .. n), with
 * opts->method and optional weights; _ratio: the _ratio functions. The
 * rates are those of MLOPS_METRIC_SELECTION_RATE, _TRUE_POSITIVE_RATE and
 * _FALSE_POSITIVE_RATE with opts->pos_label.
 * Errors: MLOPS_EINVAL (NULL pointer with n > 0, NULL out, n = 0, a bad
 * weight, more than two labels for a positive rate, an unknown measure,
 * method, agg or version), MLOPS_ENOMEM. */
MLOPS_API int mlops_fairness_difference(int measure, const int *y_true, const int *y_pred,
                                        const int *groups, size_t n, const double *weights,
                                        const mlops_fairness_opts *opts, mlops_eval_result *out);
MLOPS_API int mlops_fairness_ratio(int measure, const int *y_true, const int *y_pred,
                                   const int *groups, size_t n, const double *weights,
                                   const mlops_fairness_opts *opts, mlops_eval_result *out);

/* ---- AIF360 --------------------------------------------------------------------- */

/* AIF360's disparate_impact: P(y_pred = pos_label | unprivileged) /
 * P(y_pred = pos_label | privileged), signed and directional (it can
 * exceed 1); _statistical_parity_difference: unprivileged - privileged.
 * The groups are opts->privileged and opts->unprivileged (NULL: every
 * other group); samples of other groups are left out. An empty (zero
 * weight) side is NaN with MLOPS_EVAL_NO_WEIGHT; a privileged selection
 * rate of 0 makes the impact NaN with MLOPS_EVAL_ZERO_DIVISION.
 * Errors: MLOPS_EINVAL (NULL pointer with n > 0, NULL out or opts, n = 0,
 * no privileged group, a code in both lists or twice in one, a bad
 * weight, an unknown version), MLOPS_ENOMEM. */
MLOPS_API int mlops_fairness_disparate_impact(const int *y_pred, const int *groups, size_t n,
                                              const double *weights,
                                              const mlops_fairness_opts *opts,
                                              mlops_eval_result *out);
MLOPS_API int mlops_fairness_statistical_parity_difference(const int *y_pred, const int *groups,
                                                           size_t n, const double *weights,
                                                           const mlops_fairness_opts *opts,
                                                           mlops_eval_result *out);

MLOPS_END_DECLS

#endif /* MLOPS_FAIRNESS_H */
