/* Top-label calibration error (ECE, MCE, RMSCE) and the reliability table,
 * binned as torchmetrics' CalibrationError or as scikit-learn's
 * calibration_curve. The bin edges are computed the way each library
 * computes them (torch.linspace and numpy.linspace round differently), so
 * that a confidence on an edge lands in the same bin as there. */
#include "eval/eval_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <math.h>
#include <stdlib.h>

struct mlops_calibration_bins {
    mlops_calibration_bin *v;
    size_t n;
};

MLOPS_API int mlops_calibration_opts_init(mlops_calibration_opts *opts, unsigned version)
{
    static const mlops_calibration_opts defaults = MLOPS_CALIBRATION_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof *opts, version,
                            MLOPS_CALIBRATION_OPTS_VERSION);
}

MLOPS_API int mlops_calibration_result_init(mlops_calibration_result *r, unsigned version)
{
    static const mlops_calibration_result zero = MLOPS_CALIBRATION_RESULT_INIT;
    return mlops__opts_init(__func__, r, &zero, sizeof *r, version,
                            MLOPS_CALIBRATION_RESULT_VERSION);
}

/* The n_bins + 1 edges of equal-width bins on [0, 1]. torch.linspace
 * (its CPU kernel, torch 2.x on x86-64) computes the first half as
 * step x i and the second half back from the end with one fused
 * multiply-add, 1 - step x (steps - 1 - i) rounded once (checked for every
 * n_bins up to 1000 by tests/eval/gen_calibration_golden.py);
 * numpy.linspace multiplies the index by the step and sets the last edge
 * to the end. */
static void edges(size_t n_bins, int binning, double *e)
{
    size_t steps = n_bins + 1;
    double step = 1.0 / (double)n_bins;
    for (size_t i = 0; i < steps; i++) {
        if (binning == MLOPS_CALIBRATION_TORCHMETRICS)
            e[i] = i < steps / 2 ? step * (double)i : fma(-step, (double)(steps - i - 1), 1.0);
        else
            e[i] = (double)i * step;
    }
    e[n_bins] = 1.0;
}

/* The bin of confidence c. Torchmetrics: torch.bucketize(right=True) - 1,
 * the number of edges <= c, minus 1 (c = 1 gives n_bins, its own bin).
 * scikit-learn: np.searchsorted(edges[1:-1], c), the number of inner
 * edges < c. */
static size_t bin_of(const double *e, size_t n_bins, int binning, double c)
{
    size_t lo, hi;
    if (binning == MLOPS_CALIBRATION_TORCHMETRICS) {
        lo = 0, hi = n_bins + 1; /* first edge > c */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (e[mid] <= c)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo - 1; /* e[0] = 0 <= c, so lo >= 1 */
    }
    lo = 1, hi = n_bins; /* first inner edge >= c */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

/* Sums of one bin. */
typedef struct acc {
    uint64_t count;
    mlops__ksum w, conf, correct;
} acc;

typedef struct problem {
    const char *fn;
    const int *y;
    const double *s;
    size_t n, k;
    const double *w;
    const mlops_calibration_opts *o;
} problem;

/* Confidence and correctness of sample i (k >= 2: yi is its column). */
static inline double confidence(const problem *p, size_t i, const long *yi, int *correct)
{
    if (p->k == 1) {
        *correct = p->y[i] == p->o->pos_label;
        return p->s[i];
    }
    const double *row = p->s + i * p->k;
    size_t best = 0;
    for (size_t c = 1; c < p->k; c++)
        if (row[c] > row[best]) best = c;
    *correct = yi[i] == (long)best;
    return row[best];
}

/* The column of each label (k >= 2), or the two-label check (k = 1). */
static int classes(const problem *p, long **yi)
{
    *yi = NULL;
    if (p->k == 1) {
        return mlops__check_one_probability(p->fn, p->y, p->n, p->o->pos_label);
    }
    mlops__classes c;
    int rc = mlops__classes_make(p->fn, p->o->labels, p->o->n_labels, 1, p->y, p->n, NULL, 0, &c);
    if (rc) return rc;
    if (c.k != p->k) {
        rc = mlops__err(MLOPS_EINVAL, "%s: %zu score columns for %zu classes (%s)", p->fn, p->k,
                        c.k, p->o->labels ? "opts->labels" : "the distinct y_true labels");
        goto done;
    }
    if (!(*yi = malloc(p->n * sizeof **yi))) {
        rc = mlops__err_nomem(p->fn);
        goto done;
    }
    for (size_t i = 0; i < p->n; i++)
        if (((*yi)[i] = mlops__class_index(&c, p->y[i])) < 0) {
            rc = mlops__err(MLOPS_EINVAL, "%s: y_true[%zu] = %d is not among the classes", p->fn,
                            i, p->y[i]);
            free(*yi);
            *yi = NULL;
            goto done;
        }
done:
    mlops__classes_free(&c);
    return rc;
}

/* Bins the samples, then the three errors and, when table is not NULL,
 * the reliability table. Arrays and options are checked. */
static int calibrate(const problem *p, mlops_calibration_result *out,
                     mlops_calibration_bins **table)
{
    const mlops_calibration_opts *o = p->o;
    size_t nb = o->n_bins + (o->binning == MLOPS_CALIBRATION_TORCHMETRICS);
    long *yi;
    int rc = classes(p, &yi);
    if (rc) return rc;
    double *e = malloc((o->n_bins + 1) * sizeof *e);
    acc *b = calloc(nb, sizeof *b);
    mlops_calibration_bins *l = NULL;
    if (!e || !b ||
        (table && (!(l = calloc(1, sizeof *l)) || !(l->v = calloc(nb, sizeof *l->v))))) {
        rc = mlops__err_nomem(p->fn);
        goto done;
    }
    edges(o->n_bins, o->binning, e);
    mlops__ksum total = { 0, 0 };
    for (size_t i = 0; i < p->n; i++) {
        int correct;
        double c = confidence(p, i, yi, &correct);
        double w = p->w ? p->w[i] : 1.0;
        acc *a = &b[bin_of(e, o->n_bins, o->binning, c)];
        a->count++;
        mlops__ksum_add(&a->w, w);
        mlops__ksum_add(&a->conf, w * c);
        if (correct) mlops__ksum_add(&a->correct, w);
        mlops__ksum_add(&total, w);
    }
    double tw = mlops__ksum_get(&total);
    mlops__ksum l1 = { 0, 0 }, l2 = { 0, 0 };
    double mx = 0;
    for (size_t j = 0; j < nb; j++) {
        double w = mlops__ksum_get(&b[j].w);
        double conf = w > 0 ? mlops__ksum_get(&b[j].conf) / w : NAN;
        double accuracy = w > 0 ? mlops__ksum_get(&b[j].correct) / w : NAN;
        if (w > 0) {
            double d = fabs(accuracy - conf), share = w / tw;
            mlops__ksum_add(&l1, d * share);
            mlops__ksum_add(&l2, d * d * share);
            if (d > mx) mx = d;
        }
        if (l)
            l->v[j] = (mlops_calibration_bin){ 1u, j < o->n_bins ? e[j] : 1.0,
                                               j < o->n_bins ? e[j + 1] : 1.0, b[j].count, w,
                                               conf, accuracy };
    }
    out->n = p->n;
    if (tw == 0) {
        out->ece = out->mce = out->rmsce = NAN;
        out->reason = MLOPS_EVAL_NO_WEIGHT;
    } else {
        out->ece = mlops__ksum_get(&l1);
        out->mce = mx;
        out->rmsce = sqrt(mlops__ksum_get(&l2));
    }
    if (l) {
        l->n = nb;
        *table = l;
        l = NULL;
    }
done:
    mlops_calibration_bins_free(l);
    free(b);
    free(e);
    free(yi);
    return rc;
}

/* The checks every entry point shares: arrays, probabilities, weights. */
static int check_inputs(const char *fn, const int *y, const double *s, size_t n, size_t k,
                        const double *w)
{
    if (k == 0) return mlops__err(MLOPS_EINVAL, "%s: k is 0 (one score per sample: k = 1)", fn);
    if (n > SIZE_MAX / k) return mlops__err(MLOPS_EINVAL, "%s: n x k = %zu x %zu overflows", fn, n, k);
    if (mlops__check_array(fn, "y_true", y, n, sizeof *y) ||
        mlops__check_array(fn, "scores", s, n * k, sizeof *s) ||
        mlops__check_array(fn, "weights", w, w ? n : 0, sizeof *w))
        return MLOPS_EINVAL;
    if (n == 0) return mlops__err(MLOPS_EINVAL, "%s: no samples", fn);
    int rc = mlops__eval_probabilities_check(fn, s, n, k, 1);
    return rc ? rc : mlops__eval_weights_check(fn, w, n);
}

MLOPS_API int mlops_eval_calibration(const int *y_true, const double *scores, size_t n, size_t k,
                                     const double *weights, const mlops_calibration_opts *opts,
                                     mlops_calibration_result *out,
                                     mlops_calibration_bins **bins)
{
    const char *fn = __func__;
    static const mlops_calibration_opts defaults = MLOPS_CALIBRATION_OPTS_INIT;
    if (bins) *bins = NULL;
    if (!out) return mlops__err_null(fn, "out");
    if (out->version == 0 || out->version > MLOPS_CALIBRATION_RESULT_VERSION)
        return mlops__err(MLOPS_EINVAL,
                          "%s: result version %u is not supported (initialise it with "
                          "mlops_calibration_result_init)",
                          fn, out->version);
    out->ece = out->mce = out->rmsce = NAN;
    out->reason = MLOPS_EVAL_DEFINED;
    out->n = 0;
    if (!opts)
        opts = &defaults;
    else if (mlops__opts_check(fn, opts->version, MLOPS_CALIBRATION_OPTS_VERSION,
                               "mlops_calibration_opts_init"))
        return MLOPS_EINVAL;
    if (opts->n_bins < 1 || opts->n_bins > MLOPS_CALIBRATION_BINS_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: n_bins must lie in 1..%d (got %zu)", fn,
                          MLOPS_CALIBRATION_BINS_MAX, opts->n_bins);
    if (opts->binning != MLOPS_CALIBRATION_TORCHMETRICS && opts->binning != MLOPS_CALIBRATION_SKLEARN)
        return mlops__err(MLOPS_EINVAL, "%s: unknown binning %d", fn, opts->binning);
    if (mlops__check_array(fn, "opts->labels", opts->labels, opts->n_labels, sizeof(int)))
        return MLOPS_EINVAL;
    int rc = check_inputs(fn, y_true, scores, n, k, weights);
    if (rc) return rc;
    problem p = { fn, y_true, scores, n, k, weights, opts };
    return calibrate(&p, out, bins);
}

int mlops__eval_calibration_metric(const char *fn, int metric, const int *y, const double *s,
                                   size_t n, size_t k, const double *w, const mlops_eval_opts *o,
                                   mlops_eval_result *out)
{
    int rc = mlops__eval_probabilities_check(fn, s, n, k, 1);
    if (rc) return rc;
    mlops_calibration_opts co = MLOPS_CALIBRATION_OPTS_INIT;
    co.pos_label = o->pos_label;
    co.labels = o->labels;
    co.n_labels = o->n_labels;
    mlops_calibration_result r = MLOPS_CALIBRATION_RESULT_INIT;
    problem p = { fn, y, s, n, k, w, &co };
    if ((rc = calibrate(&p, &r, NULL))) return rc;
    out->n = r.n;
    out->reason = r.reason;
    out->value = metric == MLOPS_METRIC_ECE ? r.ece : metric == MLOPS_METRIC_MCE ? r.mce : r.rmsce;
    return MLOPS_OK;
}

MLOPS_API size_t mlops_calibration_bins_count(const mlops_calibration_bins *l)
{
    return l ? l->n : 0;
}

MLOPS_API const mlops_calibration_bin *mlops_calibration_bins_at(const mlops_calibration_bins *l,
                                                                 size_t i)
{
    return l && i < l->n ? &l->v[i] : NULL;
}

MLOPS_API void mlops_calibration_bins_free(mlops_calibration_bins *l)
{
    if (!l) return;
    free(l->v);
    free(l);
}
