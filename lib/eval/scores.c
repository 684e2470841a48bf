/* Ranking and probabilistic metrics on scores: ROC AUC (binary, one
 * against the rest, one against one), average precision, log loss and the
 * Brier score, as scikit-learn computes them. */
#include "eval/eval_internal.h"
#include "util/err.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

typedef struct problem {
    const char *fn;
    const int *y;
    const double *s; /* n x k */
    size_t n, k;
    const double *w;
    const mlops_eval_opts *o;
    mlops__classes c; /* matrix: the classes of the columns */
    long *yi;         /* matrix: the column of each y */
} problem;

static int check_probabilities(const problem *p, int rows_sum_to_one)
{
    return mlops__eval_probabilities_check(p->fn, p->s, p->n, p->k, rows_sum_to_one);
}

/* Weighted mean of per-sample losses. */
static void mean_loss(const problem *p, const double *loss, mlops_eval_result *out)
{
    mlops__ksum num = { 0, 0 }, den = { 0, 0 };
    for (size_t i = 0; i < p->n; i++) {
        mlops__ksum_add(&num, p->w ? p->w[i] * loss[i] : loss[i]);
        mlops__ksum_add(&den, p->w ? p->w[i] : 1.0);
    }
    double d = mlops__ksum_get(&den);
    if (d == 0)
        out->reason = MLOPS_EVAL_NO_WEIGHT;
    else
        out->value = mlops__ksum_get(&num) / d;
}

/* One binary problem: positives where is_pos, score column col (k > 1) or
 * the score (k = 1); rows restricted to those whose class is a or b when
 * a >= 0 (one-vs-one). */
static int binary_curve(const problem *p, int metric, long col, long pos_class, long a, long b,
                        double *value, int *reason)
{
    mlops__side ps, ns;
    int weighted = p->w != NULL;
    if (mlops__side_alloc(&ps, p->n, weighted)) return mlops__err_nomem(p->fn);
    if (mlops__side_alloc(&ns, p->n, weighted)) {
        mlops__side_free(&ps);
        return mlops__err_nomem(p->fn);
    }
    for (size_t i = 0; i < p->n; i++) {
        int positive;
        if (p->yi) {
            if (a >= 0 && p->yi[i] != a && p->yi[i] != b) continue;
            positive = p->yi[i] == pos_class;
        } else
            positive = p->y[i] == p->o->pos_label;
        mlops__side *side = positive ? &ps : &ns;
        side->s[side->n] = p->s[i * p->k + (size_t)col];
        if (weighted) side->w[side->n] = p->w[i];
        side->n++;
    }
    double auc, ap;
    int ra, rp;
    int rc = metric == MLOPS_METRIC_ROC_AUC
                 ? mlops__curve(&ps, &ns, p->o->max_fpr, &auc, &ra, NULL, NULL)
                 : mlops__curve(&ps, &ns, 1.0, NULL, NULL, &ap, &rp);
    mlops__side_free(&ps);
    mlops__side_free(&ns);
    if (rc) return mlops__err_nomem(p->fn);
    *value = metric == MLOPS_METRIC_ROC_AUC ? auc : ap;
    *reason = metric == MLOPS_METRIC_ROC_AUC ? ra : rp;
    return MLOPS_OK;
}

/* Micro average: every (sample, class) cell is one binary sample. */
static int micro_curve(const problem *p, int metric, double *value, int *reason)
{
    mlops__side ps, ns;
    int weighted = p->w != NULL;
    size_t cells = p->n * p->k;
    if (mlops__side_alloc(&ps, p->n, weighted)) return mlops__err_nomem(p->fn);
    if (mlops__side_alloc(&ns, cells - p->n, weighted)) {
        mlops__side_free(&ps);
        return mlops__err_nomem(p->fn);
    }
    for (size_t i = 0; i < p->n; i++)
        for (size_t c = 0; c < p->k; c++) {
            mlops__side *side = p->yi[i] == (long)c ? &ps : &ns;
            side->s[side->n] = p->s[i * p->k + c];
            if (weighted) side->w[side->n] = p->w[i];
            side->n++;
        }
    double auc, ap;
    int ra, rp;
    int rc = metric == MLOPS_METRIC_ROC_AUC ? mlops__curve(&ps, &ns, 1.0, &auc, &ra, NULL, NULL)
                                            : mlops__curve(&ps, &ns, 1.0, NULL, NULL, &ap, &rp);
    mlops__side_free(&ps);
    mlops__side_free(&ns);
    if (rc) return mlops__err_nomem(p->fn);
    *value = metric == MLOPS_METRIC_ROC_AUC ? auc : ap;
    *reason = metric == MLOPS_METRIC_ROC_AUC ? ra : rp;
    return MLOPS_OK;
}

/* One against the rest, macro or weighted (scikit-learn's
 * _average_binary_score): a class of weight 0 counts 0. */
static int ovr(const problem *p, int metric, int weighted_avg, mlops_eval_result *out)
{
    size_t k = p->k;
    double *score = malloc(2 * k * sizeof *score);
    if (!score) return mlops__err_nomem(p->fn);
    double *cw = score + k;
    for (size_t c = 0; c < k; c++) cw[c] = 0;
    for (size_t i = 0; i < p->n; i++) cw[p->yi[i]] += p->w ? p->w[i] : 1.0;
    mlops__ksum tw = { 0, 0 };
    for (size_t c = 0; c < k; c++) mlops__ksum_add(&tw, cw[c]);
    if (weighted_avg && mlops__ksum_get(&tw) == 0) {
        free(score);
        out->reason = MLOPS_EVAL_NO_WEIGHT;
        return MLOPS_OK;
    }
    for (size_t c = 0; c < k; c++) {
        int r, rc = binary_curve(p, metric, (long)c, (long)c, -1, -1, &score[c], &r);
        if (rc) {
            free(score);
            return rc;
        }
        if (r && !out->reason) out->reason = r;
        if (weighted_avg && cw[c] == 0) score[c] = 0;
    }
    mlops__ksum num = { 0, 0 };
    for (size_t c = 0; c < k; c++) mlops__ksum_add(&num, weighted_avg ? score[c] * cw[c] : score[c]);
    out->value = mlops__ksum_get(&num) / (weighted_avg ? mlops__ksum_get(&tw) : (double)k);
    free(score);
    return MLOPS_OK;
}

/* Hand & Till: for each pair of classes (a, b) the mean of AUC(a | a's
 * score) and AUC(b | b's score) on the samples of a and b; macro mean or
 * weighted by the pair's share of the samples. */
static int ovo(const problem *p, int weighted_avg, mlops_eval_result *out)
{
    size_t k = p->k;
    uint64_t *count = calloc(k, sizeof *count);
    if (!count) return mlops__err_nomem(p->fn);
    for (size_t i = 0; i < p->n; i++) count[p->yi[i]]++;
    mlops__ksum num = { 0, 0 }, den = { 0, 0 };
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++) {
            double sa, sb;
            int ra, rb, rc;
            if ((rc = binary_curve(p, MLOPS_METRIC_ROC_AUC, (long)a, (long)a, (long)a, (long)b,
                                   &sa, &ra)) ||
                (rc = binary_curve(p, MLOPS_METRIC_ROC_AUC, (long)b, (long)b, (long)a, (long)b,
                                   &sb, &rb))) {
                free(count);
                return rc;
            }
            if (ra && !out->reason) out->reason = ra;
            double pair = (sa + sb) / 2;
            double prevalence = (double)(count[a] + count[b]) / (double)p->n;
            mlops__ksum_add(&num, weighted_avg ? pair * prevalence : pair);
            mlops__ksum_add(&den, weighted_avg ? prevalence : 1.0);
        }
    free(count);
    out->value = mlops__ksum_get(&num) / mlops__ksum_get(&den);
    return MLOPS_OK;
}

static int ranking(problem *p, int metric, mlops_eval_result *out)
{
    const mlops_eval_opts *o = p->o;
    if (p->k == 1) {
        int first[2];
        size_t d = mlops__distinct_upto2(p->y, p->n, first);
        if (d > 2)
            return mlops__err(MLOPS_EINVAL,
                              "%s: y_true has more than two classes but one score per sample",
                              p->fn);
        if (d == 2 && first[0] != o->pos_label && first[1] != o->pos_label)
            return mlops__err(MLOPS_EINVAL, "%s: pos_label %d is not one of the labels %d and %d",
                              p->fn, o->pos_label, first[0], first[1]);
        return binary_curve(p, metric, 0, 0, -1, -1, &out->value, &out->reason);
    }
    if (metric == MLOPS_METRIC_ROC_AUC) {
        int rc = check_probabilities(p, 1);
        if (rc) return rc;
        if (o->max_fpr < 1.0)
            return mlops__err(MLOPS_EINVAL, "%s: max_fpr applies to binary ROC AUC only", p->fn);
    }
    int avg = o->average == MLOPS_AVERAGE_BINARY ? MLOPS_AVERAGE_MACRO : o->average;
    if (avg == MLOPS_AVERAGE_NONE)
        return mlops__err(MLOPS_EINVAL, "%s: average none is not available for scores", p->fn);
    if (metric == MLOPS_METRIC_ROC_AUC && o->multi_class == MLOPS_MULTI_CLASS_OVO) {
        if (p->w)
            return mlops__err(MLOPS_EINVAL, "%s: one-vs-one ROC AUC takes no sample weights", p->fn);
        if (avg == MLOPS_AVERAGE_MICRO)
            return mlops__err(MLOPS_EINVAL, "%s: one-vs-one ROC AUC averages macro or weighted",
                              p->fn);
        return ovo(p, avg == MLOPS_AVERAGE_WEIGHTED, out);
    }
    if (avg == MLOPS_AVERAGE_MICRO) return micro_curve(p, metric, &out->value, &out->reason);
    return ovr(p, metric, avg == MLOPS_AVERAGE_WEIGHTED, out);
}

/* The probability given to the true class of sample i. */
static inline double true_probability(const problem *p, size_t i)
{
    if (p->k == 1) return p->y[i] == p->c.labels[1] ? p->s[i] : 1.0 - p->s[i];
    return p->s[i * p->k + (size_t)p->yi[i]];
}

static int log_loss(problem *p, mlops_eval_result *out)
{
    int rc = check_probabilities(p, 1);
    if (rc) return rc;
    const double eps = DBL_EPSILON;
    mlops__ksum num = { 0, 0 }, den = { 0, 0 };
    for (size_t i = 0; i < p->n; i++) {
        double q = fmin(fmax(true_probability(p, i), eps), 1.0 - eps);
        double loss = -log(q);
        mlops__ksum_add(&num, p->w ? p->w[i] * loss : loss);
        if (p->w) mlops__ksum_add(&den, p->w[i]);
    }
    double d = p->w ? mlops__ksum_get(&den) : (double)p->n;
    if (d == 0)
        out->reason = MLOPS_EVAL_NO_WEIGHT;
    else
        out->value = mlops__ksum_get(&num) / d;
    return MLOPS_OK;
}

static int brier(problem *p, mlops_eval_result *out)
{
    int rc = check_probabilities(p, 1);
    if (rc) return rc;
    if (p->k == 1) {
        rc = mlops__check_one_probability(p->fn, p->y, p->n, p->o->pos_label);
        if (rc) return rc;
    }
    double *loss = malloc(p->n * sizeof *loss);
    if (!loss) return mlops__err_nomem(p->fn);
    for (size_t i = 0; i < p->n; i++) {
        if (p->k == 1) {
            double d = (p->y[i] == p->o->pos_label ? 1.0 : 0.0) - p->s[i];
            loss[i] = d * d;
            continue;
        }
        double r = 0;
        for (size_t c = 0; c < p->k; c++) {
            double d = (p->yi[i] == (long)c ? 1.0 : 0.0) - p->s[i * p->k + c];
            r += d * d;
        }
        loss[i] = p->k == 2 ? 0.5 * r : r; /* scikit-learn's scale_by_half="auto" */
    }
    mean_loss(p, loss, out);
    free(loss);
    return MLOPS_OK;
}

/* Classes of the columns (k > 1), or of a binary log loss (k = 1), and
 * the column of each sample. */
static int map_classes(problem *p)
{
    const mlops_eval_opts *o = p->o;
    int rc = mlops__classes_make(p->fn, o->labels, o->n_labels, 1, p->y, p->n, NULL, 0, &p->c);
    if (rc) return rc;
    size_t want = p->k == 1 ? 2 : p->k;
    if (p->c.k != want) {
        if (p->k == 1)
            return mlops__err(MLOPS_EINVAL,
                              "%s: a binary log loss needs two classes, y_true (or opts->labels) "
                              "has %zu: give both in opts->labels",
                              p->fn, p->c.k);
        return mlops__err(MLOPS_EINVAL, "%s: %zu score columns for %zu classes (%s)", p->fn, p->k,
                          p->c.k, o->labels ? "opts->labels" : "the distinct y_true labels");
    }
    if (p->k == 1) { /* two classes: a membership test, no index array */
        for (size_t i = 0; i < p->n; i++)
            if (p->y[i] != p->c.labels[0] && p->y[i] != p->c.labels[1])
                return mlops__err(MLOPS_EINVAL, "%s: y_true[%zu] = %d is not among the classes",
                                  p->fn, i, p->y[i]);
        return MLOPS_OK;
    }
    p->yi = malloc(p->n * sizeof *p->yi);
    if (!p->yi) return mlops__err_nomem(p->fn);
    for (size_t i = 0; i < p->n; i++) {
        p->yi[i] = mlops__class_index(&p->c, p->y[i]);
        if (p->yi[i] < 0)
            return mlops__err(MLOPS_EINVAL, "%s: y_true[%zu] = %d is not among the classes",
                              p->fn, i, p->y[i]);
    }
    return MLOPS_OK;
}

int mlops__eval_scores(const char *fn, int metric, const int *y_true, const double *scores, size_t n,
                                size_t k, const double *weights, const mlops_eval_opts *opts,
                                mlops_eval_result *out)
{
    const mlops_eval_opts *o;
    int rc;
    if ((rc = mlops__eval_out_check(fn, out)) || (rc = mlops__eval_opts_get(fn, opts, &o)))
        return rc;
    if (metric < MLOPS_METRIC_ROC_AUC || metric > MLOPS_METRIC_RMSCE)
        return mlops__err(MLOPS_EINVAL, "%s: %d is not a metric on scores", fn, metric);
    if (k == 0) return mlops__err(MLOPS_EINVAL, "%s: k is 0 (one score per sample: k = 1)", fn);
    if (n > SIZE_MAX / k)
        return mlops__err(MLOPS_EINVAL, "%s: n x k = %zu x %zu overflows", fn, n, k);
    if (mlops__check_array(fn, "y_true", y_true, n, sizeof *y_true) ||
        mlops__check_array(fn, "scores", scores, n * k, sizeof *scores) ||
        mlops__check_array(fn, "weights", weights, weights ? n : 0, sizeof *weights))
        return MLOPS_EINVAL;
    if (n == 0) return mlops__err(MLOPS_EINVAL, "%s: no samples", fn);
    if ((rc = mlops__eval_finite_check(fn, "scores", scores, n * k)) ||
        (rc = mlops__eval_weights_check(fn, weights, n)))
        return rc;
    problem p = { fn, y_true, scores, n, k, weights, o, { 0 }, NULL };
    out->n = n;
    if (metric >= MLOPS_METRIC_ECE) return mlops__eval_calibration_metric(fn, metric, y_true, scores, n, k, weights, o, out);
    int classes = k > 1 || metric == MLOPS_METRIC_LOG_LOSS;
    if (classes && (rc = map_classes(&p))) goto done;
    switch (metric) {
    case MLOPS_METRIC_ROC_AUC:
    case MLOPS_METRIC_AVERAGE_PRECISION: rc = ranking(&p, metric, out); break;
    case MLOPS_METRIC_LOG_LOSS: rc = log_loss(&p, out); break;
    default: rc = brier(&p, out); break;
    }
done:
    free(p.yi);
    mlops__classes_free(&p.c);
    return rc;
}

MLOPS_API int mlops_eval_scores(int metric, const int *y_true, const double *scores, size_t n,
                                size_t k, const double *weights, const mlops_eval_opts *opts,
                                mlops_eval_result *out)
{
    return mlops__eval_scores(__func__, metric, y_true, scores, n, k, weights, opts, out);
}
