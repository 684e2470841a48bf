/*
 * libmlops — model evaluation metrics: regression errors, classification
 * counts (accuracy, precision, recall, F-beta, confusion matrix), ranking
 * and probabilistic scores (ROC AUC, average precision, log loss, Brier)
 * and seeded bootstrap confidence intervals for any of them.
 *
 * Every metric equals scikit-learn's function of the same name (the
 * version recorded in tests/eval/golden.txt) within 1e-12 relative, except
 * where doc/eval.md lists a deliberate difference. The main one: a value
 * scikit-learn reports as a silent 0 (or a warning) is NaN here, or the
 * substitute the caller chose, and the result always says why.
 *
 * Inputs are arrays given as (pointer, length): class labels as int,
 * regression targets, predictions and scores as double, optional sample
 * weights as double (NULL: every sample weighs 1; weights must be finite
 * and >= 0). NaN or infinite targets, predictions or scores, and
 * mismatched lengths are MLOPS_EINVAL; nothing is ever silently skipped.
 *
 * Metrics are chosen by an MLOPS_METRIC_* id, so that one call shape
 * serves every metric and the bootstrap can resample any of them.
 *
 * Threads: every function is reentrant and keeps no state; inputs are only
 * read. A mlops_eval_classes list may be read by several threads at once.
 */
#ifndef MLOPS_EVAL_H
#define MLOPS_EVAL_H

#include "common.h"

MLOPS_BEGIN_DECLS

/* ---- Metric ids --------------------------------------------------------- */

/* Regression (mlops_eval_regression): y_true, y_pred as double. */
#define MLOPS_METRIC_MAE                1 /* mean_absolute_error */
#define MLOPS_METRIC_MSE                2 /* mean_squared_error */
#define MLOPS_METRIC_RMSE               3 /* root_mean_squared_error */
#define MLOPS_METRIC_MAPE               4 /* mean_absolute_percentage_error (a fraction) */
#define MLOPS_METRIC_R2                 5 /* r2_score (opts->force_finite) */
#define MLOPS_METRIC_EXPLAINED_VARIANCE 6 /* explained_variance_score (opts->force_finite) */
#define MLOPS_METRIC_MEDIAN_AE          7 /* median_absolute_error */
#define MLOPS_METRIC_MAX_ERROR          8 /* max_error (no sample weights) */
#define MLOPS_METRIC_PINBALL            9 /* mean_pinball_loss (opts->alpha) */

/* Classification on predicted labels (mlops_eval_labels): int labels. */
#define MLOPS_METRIC_ACCURACY          20 /* accuracy_score */
#define MLOPS_METRIC_BALANCED_ACCURACY 21 /* balanced_accuracy_score (opts->adjusted) */
#define MLOPS_METRIC_PRECISION         22 /* precision_score */
#define MLOPS_METRIC_RECALL            23 /* recall_score */
#define MLOPS_METRIC_FBETA             24 /* fbeta_score (opts->beta; 1 is f1_score) */
/* fairlearn's base rates (doc/fairness.md). Selection rate: the (weighted)
 * share of y_pred == opts->pos_label, on any labels. The true and false
 * positive rates take at most two distinct labels in y_true and y_pred,
 * opts->pos_label the positive one; with no positive (negative) sample the
 * TPR (FPR) is NaN with MLOPS_EVAL_NO_POSITIVES (MLOPS_EVAL_NO_NEGATIVES),
 * where fairlearn says 0. */
#define MLOPS_METRIC_SELECTION_RATE      25 /* selection_rate */
#define MLOPS_METRIC_TRUE_POSITIVE_RATE  26 /* true_positive_rate */
#define MLOPS_METRIC_FALSE_POSITIVE_RATE 27 /* false_positive_rate */

/* Ranking and probabilistic (mlops_eval_scores): int labels, double scores. */
#define MLOPS_METRIC_ROC_AUC           40 /* roc_auc_score */
#define MLOPS_METRIC_AVERAGE_PRECISION 41 /* average_precision_score */
#define MLOPS_METRIC_LOG_LOSS          42 /* log_loss */
#define MLOPS_METRIC_BRIER             43 /* brier_score_loss */
/* Top-label calibration error on 15 bins (torchmetrics' CalibrationError
 * defaults; other bin counts and the reliability table:
 * mlops_eval_calibration). */
#define MLOPS_METRIC_ECE               44 /* norm="l1": expected calibration error */
#define MLOPS_METRIC_MCE               45 /* norm="max": maximum calibration error */
#define MLOPS_METRIC_RMSCE             46 /* norm="l2": root mean square calibration error */

/* ---- Options -------------------------------------------------------------- */

/* opts->average (scikit-learn's `average`). */
#define MLOPS_AVERAGE_BINARY   0 /* the class pos_label only (default) */
#define MLOPS_AVERAGE_MICRO    1 /* counts pooled over the classes */
#define MLOPS_AVERAGE_MACRO    2 /* unweighted mean of the per-class values */
#define MLOPS_AVERAGE_WEIGHTED 3 /* mean weighted by each class's true count */
#define MLOPS_AVERAGE_NONE     4 /* per class: mlops_eval_per_class only */

/* opts->multi_class for ROC AUC on a score matrix. */
#define MLOPS_MULTI_CLASS_OVR 0 /* one class against the rest (default) */
#define MLOPS_MULTI_CLASS_OVO 1 /* Hand & Till: every pair of classes */

/* opts->normalize for the confusion matrix. */
#define MLOPS_NORMALIZE_NONE 0 /* counts (or weight sums) */
#define MLOPS_NORMALIZE_TRUE 1 /* each row (true class) sums to 1 */
#define MLOPS_NORMALIZE_PRED 2 /* each column (predicted class) sums to 1 */
#define MLOPS_NORMALIZE_ALL  3 /* the whole matrix sums to 1 */

#define MLOPS_EVAL_OPTS_VERSION 1

/* Options of every metric; a metric reads the fields that concern it and
 * ignores the others. Initialise with MLOPS_EVAL_OPTS_INIT or
 * mlops_eval_opts_init(), then set fields. NULL options are the defaults,
 * which are scikit-learn's defaults except `average` of ROC AUC and
 * average precision on a score matrix, where binary means macro as in
 * scikit-learn's signature default. Its layout never changes: a new option
 * comes in a new struct with a new function (doc/conventions.md). */
typedef struct mlops_eval_opts {
    unsigned version;     /* MLOPS_EVAL_OPTS_VERSION */
    int average;          /* MLOPS_AVERAGE_*; default binary */
    int pos_label;        /* the positive class of binary metrics; default 1 */
    double beta;          /* F-beta's beta, >= 0 or +Inf; default 1 */
    double zero_division; /* 0, 1 or NaN: the value of a precision, recall
                             or F with a zero denominator; NaN values are
                             left out of averages; default 0 */
    const int *labels;    /* the classes and their order; NULL: the sorted */
    size_t n_labels;      /* distinct labels of y_true (and y_pred) */
    int multi_class;      /* MLOPS_MULTI_CLASS_*; default ovr */
    double max_fpr;       /* ROC AUC up to this false positive rate, in
                             (0, 1], McClish-standardised; default 1 */
    int force_finite;     /* R2, explained variance: 1 (default) replaces
                             NaN / -Inf of a constant y_true by 1 or 0 */
    double alpha;         /* pinball loss quantile in [0, 1]; default 0.5 */
    int adjusted;         /* balanced accuracy adjusted for chance; default 0 */
    int normalize;        /* confusion matrix: MLOPS_NORMALIZE_*; default none */
} mlops_eval_opts;

#define MLOPS_EVAL_OPTS_INIT                                                                    \
    { MLOPS_EVAL_OPTS_VERSION, MLOPS_AVERAGE_BINARY, 1, 1.0, 0.0, NULL, 0, MLOPS_MULTI_CLASS_OVR, \
      1.0, 1, 0.5, 0, MLOPS_NORMALIZE_NONE }

/* Fills opts with the defaults of the given version (use
 * MLOPS_EVAL_OPTS_VERSION). Errors: MLOPS_EINVAL when opts is NULL or the
 * version is unknown. */
MLOPS_API int mlops_eval_opts_init(mlops_eval_opts *opts, unsigned version);

/* ---- Results -------------------------------------------------------------- */

/* Why a value is undefined or substituted (mlops_eval_result.reason). */
#define MLOPS_EVAL_DEFINED       0 /* the formula's own value */
#define MLOPS_EVAL_ONE_CLASS     1 /* y_true has a single class: ROC AUC is NaN */
#define MLOPS_EVAL_ZERO_DIVISION 2 /* a precision, recall or F had a zero
                                      denominator: it took zero_division
                                      (an average may still be finite) */
#define MLOPS_EVAL_CONSTANT_TRUE 3 /* R2 or explained variance with a constant
                                      y_true: 1 or 0 (force_finite), else
                                      NaN or -Inf */
#define MLOPS_EVAL_NO_POSITIVES  4 /* average precision or a true positive
                                      rate with no positive sample: NaN
                                      (scikit-learn and fairlearn say 0) */
#define MLOPS_EVAL_TOO_FEW       5 /* R2 with fewer than two samples: NaN */
#define MLOPS_EVAL_NO_WEIGHT     6 /* every sample weight is 0: NaN */
#define MLOPS_EVAL_NO_NEGATIVES  7 /* a false positive rate with no negative
                                      sample: NaN (fairlearn says 0) */

/* A short English text for a reason code ("zero division", ...); never
 * NULL ("unknown reason" for a code this library does not know). */
MLOPS_API const char *mlops_eval_reason_name(int reason);

#define MLOPS_EVAL_RESULT_VERSION 1

/* One metric value. The caller sets `version` (MLOPS_EVAL_RESULT_INIT or
 * mlops_eval_result_init); the library fills the fields of that version.
 * Its layout never changes: a new field comes in a new struct with a new
 * function (doc/conventions.md). */
typedef struct mlops_eval_result {
    unsigned version; /* MLOPS_EVAL_RESULT_VERSION */
    double value;     /* the metric; NaN when undefined */
    int reason;       /* MLOPS_EVAL_*: 0 when value is the formula's own */
    uint64_t n;       /* samples used */
} mlops_eval_result;

#define MLOPS_EVAL_RESULT_INIT { MLOPS_EVAL_RESULT_VERSION, 0.0, 0, 0u }

/* Fills r with zeros and r->version = version. Errors: MLOPS_EINVAL when r
 * is NULL or version is 0 or unknown. */
MLOPS_API int mlops_eval_result_init(mlops_eval_result *r, unsigned version);

/* ---- Metrics -------------------------------------------------------------- */

/* A regression metric (MLOPS_METRIC_MAE .. MLOPS_METRIC_PINBALL) of n
 * predictions against n targets, weights optional (NULL), opts optional.
 * Errors: MLOPS_EINVAL (NULL pointer with n > 0, NULL out, n = 0, a NaN or
 * infinite value, a negative or non-finite weight, weights with max error,
 * alpha outside [0, 1], an unknown metric or options/result version). */
MLOPS_API int mlops_eval_regression(int metric, const double *y_true, const double *y_pred,
                                    size_t n, const double *weights,
                                    const mlops_eval_opts *opts, mlops_eval_result *out);

/* A classification metric on predicted labels (MLOPS_METRIC_ACCURACY ..
 * MLOPS_METRIC_FALSE_POSITIVE_RATE) with opts->average other than none. Accuracy and
 * balanced accuracy read no labels, average nor pos_label (balanced
 * accuracy: the mean recall of the classes in y_true). For precision,
 * recall and F the classes are
 * opts->labels, else the sorted union of y_true and y_pred; averages other
 * than binary run over those classes (labels outside them are ignored as
 * scikit-learn ignores them). Binary requires at most two distinct labels.
 * Errors: MLOPS_EINVAL (NULL pointer with n > 0, NULL out, n = 0, average
 * binary on more than two labels or with a pos_label absent from two
 * labels, average none, beta < 0 or NaN, zero_division not 0, 1 or NaN,
 * duplicate opts->labels, a bad weight, an unknown metric or version),
 * MLOPS_ENOMEM. */
MLOPS_API int mlops_eval_labels(int metric, const int *y_true, const int *y_pred, size_t n,
                                const double *weights, const mlops_eval_opts *opts,
                                mlops_eval_result *out);

/* A ranking or probabilistic metric (MLOPS_METRIC_ROC_AUC ..
 * MLOPS_METRIC_BRIER) of scores against labels. k = 1: one score per
 * sample, the score (probability, for log loss and Brier) of the class
 * opts->pos_label (ROC AUC, average precision, Brier; log loss: of the
 * greater of the two classes). k >= 2: a row-major n x k matrix whose
 * columns are the classes (opts->labels, sorted, else the sorted distinct
 * y_true): ROC AUC one-vs-rest (macro, weighted, micro; binary means
 * macro) or one-vs-one (macro, weighted; no weights), average precision
 * one-vs-rest, multiclass log loss and Brier, and the calibration errors
 * (ECE, MCE, RMSCE) on 15 bins as mlops_eval_calibration computes them
 * with its default options (opts->pos_label and opts->labels apply).
 * Probabilities must lie in
 * [0, 1] and each row of a matrix given to ROC AUC, log loss or Brier must
 * sum to 1 within 1e-8 + sqrt(DBL_EPSILON) (scikit-learn's tolerance).
 * Errors: MLOPS_EINVAL (NULL pointer with n > 0, NULL out, n = 0, k = 0,
 * n * k overflowing, a NaN or infinite score, a probability outside [0, 1]
 * or a row not summing to 1, a y_true label not among the columns' classes,
 * k columns for another number of classes, more than two classes with
 * k = 1, max_fpr outside (0, 1] or below 1 on a matrix, ovo with weights,
 * a bad weight, an unknown metric, average or version), MLOPS_ENOMEM. */
MLOPS_API int mlops_eval_scores(int metric, const int *y_true, const double *scores, size_t n,
                                size_t k, const double *weights, const mlops_eval_opts *opts,
                                mlops_eval_result *out);

/* ---- Per class and confusion matrix ---------------------------------------- */

/* One class of mlops_eval_per_class, owned by the list. Its layout never
 * changes: new data comes through a new function (doc/abi.md). */
typedef struct mlops_eval_class {
    unsigned version; /* 1 */
    int label;
    double precision, recall, fbeta; /* NaN or zero_division as opts says */
    double support;                  /* true count (weight sum) of the class */
    int precision_reason, recall_reason, fbeta_reason; /* MLOPS_EVAL_* */
} mlops_eval_class;

typedef struct mlops_eval_classes mlops_eval_classes;

/* Precision, recall, F-beta and support of every class (scikit-learn's
 * precision_recall_fscore_support with average=None), in the order of
 * opts->labels, else of the sorted union of y_true and y_pred. *out is a
 * list to release with mlops_eval_classes_free. opts->average is ignored.
 * Errors: as mlops_eval_labels, and MLOPS_EINVAL for a NULL out. */
MLOPS_API int mlops_eval_per_class(const int *y_true, const int *y_pred, size_t n,
                                   const double *weights, const mlops_eval_opts *opts,
                                   mlops_eval_classes **out);

/* Number of classes in the list (0 for NULL). */
MLOPS_API size_t mlops_eval_classes_count(const mlops_eval_classes *l);

/* Class i of the list, valid until the list is freed; NULL when l is NULL
 * or i is out of range. */
MLOPS_API const mlops_eval_class *mlops_eval_classes_at(const mlops_eval_classes *l, size_t i);

/* Releases the list; NULL is a no-op. */
MLOPS_API void mlops_eval_classes_free(mlops_eval_classes *l);

/* The confusion matrix (scikit-learn's confusion_matrix): *k classes
 * (opts->labels, else the sorted union of y_true and y_pred) in *labels,
 * and the row-major *k x *k matrix in *matrix, rows the true class,
 * columns the predicted one, weighted counts normalised as
 * opts->normalize says (a zero row or column normalises to zeros, as
 * scikit-learn's). Samples whose labels are not among opts->labels are
 * left out. Both buffers are released with mlops_free.
 * Errors: MLOPS_EINVAL (NULL pointer with n > 0, a NULL output, n = 0,
 * duplicate labels, more than 65536 classes, a bad weight, an unknown
 * normalize or version), MLOPS_ENOMEM. */
MLOPS_API int mlops_eval_confusion(const int *y_true, const int *y_pred, size_t n,
                                   const double *weights, const mlops_eval_opts *opts,
                                   int **labels, double **matrix, size_t *k);

/* ---- Bootstrap confidence intervals ------------------------------------------ */

#define MLOPS_EVAL_DATA_VERSION 1

/* The arrays of one evaluation, for the bootstrap: the metric's family says
 * which are read. Regression: values_true, values_pred. Labels: labels_true,
 * labels_pred. Scores: labels_true, scores (n x k). weights: NULL or n.
 * Its layout never changes (doc/conventions.md). */
typedef struct mlops_eval_data {
    unsigned version;          /* MLOPS_EVAL_DATA_VERSION */
    size_t n;                  /* samples */
    const double *values_true; /* regression */
    const double *values_pred;
    const int *labels_true;    /* classification */
    const int *labels_pred;
    const double *scores;      /* n x k, row-major */
    size_t k;
    const double *weights;     /* NULL: 1 each */
} mlops_eval_data;

#define MLOPS_EVAL_DATA_INIT { MLOPS_EVAL_DATA_VERSION, 0u, NULL, NULL, NULL, NULL, NULL, 1u, NULL }

/* Fills d with its defaults (no arrays, k = 1). Errors: MLOPS_EINVAL when
 * d is NULL or the version is unknown. */
MLOPS_API int mlops_eval_data_init(mlops_eval_data *d, unsigned version);

#define MLOPS_BOOTSTRAP_OPTS_VERSION 1

/* Options of mlops_eval_bootstrap. Its layout never changes (as every
 * versioned struct: doc/conventions.md). */
typedef struct mlops_bootstrap_opts {
    unsigned version;    /* MLOPS_BOOTSTRAP_OPTS_VERSION */
    uint32_t resamples;  /* number of resamples, >= 1; default 1000 */
    double confidence;   /* in (0, 1); default 0.95 */
    uint64_t seed;       /* default 0 */
} mlops_bootstrap_opts;

#define MLOPS_BOOTSTRAP_OPTS_INIT { MLOPS_BOOTSTRAP_OPTS_VERSION, 1000u, 0.95, 0u }

/* Fills opts with the defaults. Errors: MLOPS_EINVAL when opts is NULL or
 * the version is unknown. */
MLOPS_API int mlops_bootstrap_opts_init(mlops_bootstrap_opts *opts, unsigned version);

#define MLOPS_BOOTSTRAP_RESULT_VERSION 1

/* Result of mlops_eval_bootstrap; set `version` first. Its layout never
 * changes (doc/conventions.md). */
typedef struct mlops_bootstrap_result {
    unsigned version;    /* MLOPS_BOOTSTRAP_RESULT_VERSION */
    double value;        /* the metric on the data itself */
    int reason;          /* its MLOPS_EVAL_* reason */
    double low, high;    /* the percentile interval; NaN when no resample
                            gave a finite value */
    uint32_t resamples;  /* resamples drawn */
    uint32_t defined;    /* resamples whose value was not NaN (the others,
                            e.g. a resample with one class, are left out) */
} mlops_bootstrap_result;

#define MLOPS_BOOTSTRAP_RESULT_INIT { MLOPS_BOOTSTRAP_RESULT_VERSION, 0.0, 0, 0.0, 0.0, 0u, 0u }

/* Fills r with zeros and r->version = version. Errors: MLOPS_EINVAL when r
 * is NULL or the version is unknown. */
MLOPS_API int mlops_bootstrap_result_init(mlops_bootstrap_result *r, unsigned version);

/* A percentile bootstrap confidence interval for any metric above: the
 * metric on data, then on `resamples` resamples of n samples drawn with
 * replacement (weights travel with their samples), and the interval
 * between the (1 - confidence)/2 and (1 + confidence)/2 quantiles of the
 * values that are not NaN (linear interpolation, numpy's default).
 * Deterministic: the indices come from one splitmix64 stream seeded with
 * seed, resample after resample, each index an unbiased bounded integer
 * (Lemire's multiply-and-reject, no floating point), so the same seed
 * gives the same resamples, hence the same interval, on every machine and
 * build. On scores the classes are fixed from the whole data (a resample
 * that misses a class has a NaN one-vs-rest value and is left out).
 * Errors: those of the metric's function on data, and MLOPS_EINVAL for a
 * NULL data or out, resamples 0, confidence outside (0, 1), an unknown
 * version; MLOPS_ENOMEM. */
MLOPS_API int mlops_eval_bootstrap(int metric, const mlops_eval_data *data,
                                   const mlops_eval_opts *opts,
                                   const mlops_bootstrap_opts *bopts,
                                   mlops_bootstrap_result *out);

/* ---- Calibration: top-label calibration error and the reliability table ---- */

/* mlops_calibration_opts.binning: where a confidence on a bin edge goes. */
#define MLOPS_CALIBRATION_TORCHMETRICS 0 /* torchmetrics' CalibrationError: bins
                                            [lower, upper) on torch.linspace's
                                            edges, and confidences equal to 1
                                            in a bin [1, 1] of their own
                                            (n_bins + 1 rows) */
#define MLOPS_CALIBRATION_SKLEARN      1 /* scikit-learn's calibration_curve
                                            (strategy "uniform"): bins
                                            (lower, upper] on numpy.linspace's
                                            edges, the first one [0, upper]
                                            (n_bins rows) */

#define MLOPS_CALIBRATION_BINS_MAX 1048576 /* the largest n_bins */

#define MLOPS_CALIBRATION_OPTS_VERSION 1

/* Options of mlops_eval_calibration. Its layout never changes
 * (doc/conventions.md). */
typedef struct mlops_calibration_opts {
    unsigned version;  /* MLOPS_CALIBRATION_OPTS_VERSION */
    size_t n_bins;     /* equal-width bins on [0, 1], 1..MLOPS_CALIBRATION_BINS_MAX; default 15 */
    int binning;       /* MLOPS_CALIBRATION_*; default torchmetrics */
    int pos_label;     /* k = 1: the class whose probability the scores are; default 1 */
    const int *labels; /* k >= 2: the classes of the columns; NULL: the */
    size_t n_labels;   /* sorted distinct y_true */
} mlops_calibration_opts;

#define MLOPS_CALIBRATION_OPTS_INIT \
    { MLOPS_CALIBRATION_OPTS_VERSION, 15u, MLOPS_CALIBRATION_TORCHMETRICS, 1, NULL, 0u }

/* Fills opts with the defaults. Errors: MLOPS_EINVAL when opts is NULL or
 * the version is unknown. */
MLOPS_API int mlops_calibration_opts_init(mlops_calibration_opts *opts, unsigned version);

#define MLOPS_CALIBRATION_RESULT_VERSION 1

/* The calibration errors of mlops_eval_calibration; set `version` first.
 * Its layout never changes (doc/conventions.md). */
typedef struct mlops_calibration_result {
    unsigned version; /* MLOPS_CALIBRATION_RESULT_VERSION */
    double ece;       /* sum over bins of |accuracy - confidence| x share */
    double mce;       /* max over non-empty bins of |accuracy - confidence| */
    double rmsce;     /* sqrt(sum over bins of (accuracy - confidence)^2 x share) */
    int reason;       /* MLOPS_EVAL_NO_WEIGHT (all three NaN) or 0 */
    uint64_t n;       /* samples */
} mlops_calibration_result;

#define MLOPS_CALIBRATION_RESULT_INIT { MLOPS_CALIBRATION_RESULT_VERSION, 0.0, 0.0, 0.0, 0, 0u }

/* Fills r with zeros and r->version = version. Errors: MLOPS_EINVAL when r
 * is NULL or the version is unknown. */
MLOPS_API int mlops_calibration_result_init(mlops_calibration_result *r, unsigned version);

/* One row of the reliability table, owned by its list. Its layout never
 * changes: new data comes through a new function (doc/abi.md). */
typedef struct mlops_calibration_bin {
    unsigned version;  /* 1 */
    double lower;      /* the bin's edges (see MLOPS_CALIBRATION_* for */
    double upper;      /* which edge belongs to it) */
    uint64_t count;    /* samples in the bin */
    double weight;     /* their weight sum (count as a double without weights) */
    double confidence; /* mean confidence; NaN when the bin is empty */
    double accuracy;   /* share correct (k = 1: share of pos_label); NaN when empty */
} mlops_calibration_bin;

typedef struct mlops_calibration_bins mlops_calibration_bins;

/* Top-label calibration error, as torchmetrics' CalibrationError (norm l1,
 * max and l2; no debiasing), and the reliability table. k = 1 (binary, as
 * torchmetrics' binary task and scikit-learn's calibration_curve): the
 * confidence of sample i is scores[i], the probability of opts->pos_label,
 * and it is correct when y_true[i] is pos_label (y_true holds at most two
 * labels). k >= 2: a row-major n x k probability matrix whose columns are
 * the classes (opts->labels, sorted, else the sorted distinct y_true), each
 * row summing to 1 (as mlops_eval_scores); the confidence is the row's
 * largest probability and the prediction its column (the first of equal
 * ones), correct when it is y_true[i]. Each confidence goes into one of
 * n_bins equal-width bins as opts->binning says; a bin's share is its
 * weight over the total. Weights: NULL or n finite values >= 0 (torchmetrics
 * takes none: NULL gives its values). *bins (when bins is not NULL) is the
 * reliability table, every bin in order, empty ones included, released
 * with mlops_calibration_bins_free. Errors: MLOPS_EINVAL (NULL pointer with
 * n > 0, NULL out, n = 0, k = 0, n * k overflowing, a score that is NaN or
 * outside [0, 1], a row not summing to 1, a y_true label not among the
 * classes, more than two labels or pos_label absent with k = 1, n_bins
 * outside 1..MLOPS_CALIBRATION_BINS_MAX, an unknown binning or version, a
 * bad weight), MLOPS_ENOMEM. Nothing is written to *bins on failure (it is
 * set to NULL). */
MLOPS_API int mlops_eval_calibration(const int *y_true, const double *scores, size_t n, size_t k,
                                     const double *weights, const mlops_calibration_opts *opts,
                                     mlops_calibration_result *out,
                                     mlops_calibration_bins **bins);

/* Number of bins in the table (0 for NULL). */
MLOPS_API size_t mlops_calibration_bins_count(const mlops_calibration_bins *l);

/* Bin i of the table, valid until the table is freed; NULL when l is NULL
 * or i is out of range. */
MLOPS_API const mlops_calibration_bin *mlops_calibration_bins_at(const mlops_calibration_bins *l,
                                                                 size_t i);

/* Releases the table; NULL is a no-op. */
MLOPS_API void mlops_calibration_bins_free(mlops_calibration_bins *l);

MLOPS_END_DECLS

#endif /* MLOPS_EVAL_H */
