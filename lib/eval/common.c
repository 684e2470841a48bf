/* What every metric shares: options and results, input checks, the class
 * set of a classification problem. */
#include "eval/eval_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const mlops_eval_opts mlops__eval_defaults = MLOPS_EVAL_OPTS_INIT;

MLOPS_API int mlops_eval_opts_init(mlops_eval_opts *opts, unsigned version)
{
    return mlops__opts_init(__func__, opts, &mlops__eval_defaults, sizeof *opts, version,
                            MLOPS_EVAL_OPTS_VERSION);
}

MLOPS_API int mlops_eval_result_init(mlops_eval_result *r, unsigned version)
{
    static const mlops_eval_result zero = MLOPS_EVAL_RESULT_INIT;
    return mlops__opts_init(__func__, r, &zero, sizeof *r, version, MLOPS_EVAL_RESULT_VERSION);
}

MLOPS_API const char *mlops_eval_reason_name(int reason)
{
    switch (reason) {
    case MLOPS_EVAL_DEFINED: return "defined";
    case MLOPS_EVAL_ONE_CLASS: return "one class only in y_true";
    case MLOPS_EVAL_ZERO_DIVISION: return "zero division";
    case MLOPS_EVAL_CONSTANT_TRUE: return "constant y_true";
    case MLOPS_EVAL_NO_POSITIVES: return "no positive sample";
    case MLOPS_EVAL_TOO_FEW: return "fewer than two samples";
    case MLOPS_EVAL_NO_WEIGHT: return "total sample weight is 0";
    case MLOPS_EVAL_NO_NEGATIVES: return "no negative sample";
    default: return "unknown reason";
    }
}

int mlops__eval_opts_get(const char *fn, const mlops_eval_opts *opts, const mlops_eval_opts **o)
{
    if (!opts) {
        *o = &mlops__eval_defaults;
        return MLOPS_OK;
    }
    if (mlops__opts_check(fn, opts->version, MLOPS_EVAL_OPTS_VERSION, "mlops_eval_opts_init"))
        return MLOPS_EINVAL;
    if (isnan(opts->beta) || opts->beta < 0)
        return mlops__err(MLOPS_EINVAL, "%s: beta must be >= 0 (got %g)", fn, opts->beta);
    if (!(opts->zero_division == 0.0 || opts->zero_division == 1.0 || isnan(opts->zero_division)))
        return mlops__err(MLOPS_EINVAL, "%s: zero_division must be 0, 1 or NaN (got %g)", fn,
                          opts->zero_division);
    if (!(opts->alpha >= 0.0 && opts->alpha <= 1.0))
        return mlops__err(MLOPS_EINVAL, "%s: alpha must lie in [0, 1] (got %g)", fn, opts->alpha);
    if (!(opts->max_fpr > 0.0 && opts->max_fpr <= 1.0))
        return mlops__err(MLOPS_EINVAL, "%s: max_fpr must lie in (0, 1] (got %g)", fn, opts->max_fpr);
    if (opts->average < MLOPS_AVERAGE_BINARY || opts->average > MLOPS_AVERAGE_NONE)
        return mlops__err(MLOPS_EINVAL, "%s: unknown average %d", fn, opts->average);
    if (opts->multi_class != MLOPS_MULTI_CLASS_OVR && opts->multi_class != MLOPS_MULTI_CLASS_OVO)
        return mlops__err(MLOPS_EINVAL, "%s: unknown multi_class %d", fn, opts->multi_class);
    if (opts->normalize < MLOPS_NORMALIZE_NONE || opts->normalize > MLOPS_NORMALIZE_ALL)
        return mlops__err(MLOPS_EINVAL, "%s: unknown normalize %d", fn, opts->normalize);
    if (mlops__check_array(fn, "opts->labels", opts->labels, opts->n_labels, sizeof(int)))
        return MLOPS_EINVAL;
    *o = opts;
    return MLOPS_OK;
}

int mlops__eval_out_check(const char *fn, mlops_eval_result *out)
{
    if (!out) return mlops__err_null(fn, "out");
    if (out->version == 0 || out->version > MLOPS_EVAL_RESULT_VERSION)
        return mlops__err(MLOPS_EINVAL,
                          "%s: result version %u is not supported (initialise it with "
                          "mlops_eval_result_init)",
                          fn, out->version);
    out->value = NAN;
    out->reason = MLOPS_EVAL_DEFINED;
    out->n = 0;
    return MLOPS_OK;
}

int mlops__eval_weights_check(const char *fn, const double *w, size_t n)
{
    if (!w) return MLOPS_OK;
    for (size_t i = 0; i < n; i++)
        if (!(w[i] >= 0.0) || isinf(w[i]))
            return mlops__err(MLOPS_EINVAL,
                              "%s: sample weight %zu is %g (weights must be finite and >= 0)", fn,
                              i, w[i]);
    return MLOPS_OK;
}

int mlops__eval_finite_check(const char *fn, const char *arg, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return mlops__err(MLOPS_EINVAL, "%s: %s[%zu] is %g (values must be finite)", fn, arg,
                              i, x[i]);
    return MLOPS_OK;
}

/* scikit-learn's np.allclose(row_sum, 1, rtol=sqrt(eps)). */
#define SUM_TOLERANCE (1e-8 + 1.4901161193847656e-08)

int mlops__eval_probabilities_check(const char *fn, const double *s, size_t n, size_t k,
                                    int rows_sum_to_one)
{
    for (size_t i = 0; i < n * k; i++)
        if (!(s[i] >= 0.0 && s[i] <= 1.0))
            return mlops__err(MLOPS_EINVAL, "%s: probability [%zu][%zu] is %g, outside [0, 1]",
                              fn, i / k, i % k, s[i]);
    if (!rows_sum_to_one || k < 2) return MLOPS_OK;
    for (size_t i = 0; i < n; i++) {
        mlops__ksum r = { 0, 0 };
        for (size_t c = 0; c < k; c++) mlops__ksum_add(&r, s[i * k + c]);
        double sum = mlops__ksum_get(&r);
        if (!(fabs(sum - 1.0) <= SUM_TOLERANCE))
            return mlops__err(MLOPS_EINVAL, "%s: the probabilities of row %zu sum to %.17g, not 1",
                              fn, i, sum);
    }
    return MLOPS_OK;
}

/* ---- class sets ----------------------------------------------------------- */

/* Labels spanning at most this many values get a dense lookup table. */
#define DENSE_SPAN (1L << 20)

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

struct pair {
    int label;
    size_t pos;
};

static int cmp_pair(const void *a, const void *b)
{
    return cmp_int(&((const struct pair *)a)->label, &((const struct pair *)b)->label);
}

static void minmax(const int *a, size_t n, int *lo, int *hi)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] < *lo) *lo = a[i];
        if (a[i] > *hi) *hi = a[i];
    }
}

/* Builds the lookup (dense table or sorted positions) for c->labels. */
static int index_labels(const char *fn, mlops__classes *c)
{
    int lo = c->labels[0], hi = c->labels[0];
    minmax(c->labels, c->k, &lo, &hi);
    c->lo = lo;
    c->hi = hi;
    if ((long)hi - (long)lo < DENSE_SPAN) {
        size_t span = (size_t)((long)hi - (long)lo + 1);
        c->dense = malloc(span * sizeof *c->dense);
        if (!c->dense) return mlops__err_nomem(fn);
        memset(c->dense, 0xff, span * sizeof *c->dense);
        for (size_t i = 0; i < c->k; i++) {
            int32_t *slot = &c->dense[(long)c->labels[i] - lo];
            if (*slot >= 0)
                return mlops__err(MLOPS_EINVAL, "%s: label %d is given twice", fn, c->labels[i]);
            *slot = (int32_t)i;
        }
        return MLOPS_OK;
    }
    c->sorted = malloc(c->k * sizeof *c->sorted);
    c->pos = malloc(c->k * sizeof *c->pos);
    struct pair *pairs = malloc(c->k * sizeof *pairs);
    if (!c->sorted || !c->pos || !pairs) {
        free(pairs);
        return mlops__err_nomem(fn);
    }
    for (size_t i = 0; i < c->k; i++) {
        pairs[i].label = c->labels[i];
        pairs[i].pos = i;
    }
    qsort(pairs, c->k, sizeof *pairs, cmp_pair);
    for (size_t i = 0; i < c->k; i++) {
        if (i > 0 && pairs[i].label == pairs[i - 1].label) {
            int dup = pairs[i].label;
            free(pairs);
            return mlops__err(MLOPS_EINVAL, "%s: label %d is given twice", fn, dup);
        }
        c->sorted[i] = pairs[i].label;
        c->pos[i] = pairs[i].pos;
    }
    free(pairs);
    return MLOPS_OK;
}

/* The sorted distinct values of a and b. */
static int distinct(const char *fn, const int *a, size_t na, const int *b, size_t nb,
                    mlops__classes *c)
{
    if (na == 0 && (!b || nb == 0)) return mlops__err(MLOPS_EINVAL, "%s: no labels", fn);
    int lo = INT_MAX, hi = INT_MIN;
    minmax(a, na, &lo, &hi);
    if (b) minmax(b, nb, &lo, &hi);
    if ((long)hi - (long)lo < DENSE_SPAN) {
        size_t span = (size_t)((long)hi - (long)lo + 1);
        unsigned char *seen = calloc(span, 1);
        if (!seen) return mlops__err_nomem(fn);
        for (size_t i = 0; i < na; i++) seen[(long)a[i] - lo] = 1;
        for (size_t i = 0; b && i < nb; i++) seen[(long)b[i] - lo] = 1;
        size_t k = 0;
        for (size_t i = 0; i < span; i++) k += seen[i];
        c->labels = malloc(k * sizeof *c->labels);
        if (!c->labels) {
            free(seen);
            return mlops__err_nomem(fn);
        }
        for (size_t i = 0; i < span; i++)
            if (seen[i]) c->labels[c->k++] = (int)((long)i + lo);
        free(seen);
        return MLOPS_OK;
    }
    size_t n = na + (b ? nb : 0);
    c->labels = malloc(n * sizeof *c->labels);
    if (!c->labels) return mlops__err_nomem(fn);
    memcpy(c->labels, a, na * sizeof *a);
    if (b) memcpy(c->labels + na, b, nb * sizeof *b);
    qsort(c->labels, n, sizeof *c->labels, cmp_int);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || c->labels[k - 1] != c->labels[i]) c->labels[k++] = c->labels[i];
    c->k = k;
    return MLOPS_OK;
}

int mlops__classes_make(const char *fn, const int *labels, size_t n_labels, int require_sorted,
                        const int *a, size_t na, const int *b, size_t nb, mlops__classes *c)
{
    memset(c, 0, sizeof *c);
    int rc;
    if (labels && n_labels > 0) {
        for (size_t i = 1; require_sorted && i < n_labels; i++)
            if (labels[i] <= labels[i - 1])
                return mlops__err(MLOPS_EINVAL,
                                  "%s: opts->labels must be distinct and increasing (%d after %d)",
                                  fn, labels[i], labels[i - 1]);
        c->labels = malloc(n_labels * sizeof *c->labels);
        if (!c->labels) return mlops__err_nomem(fn);
        memcpy(c->labels, labels, n_labels * sizeof *labels);
        c->k = n_labels;
    } else if ((rc = distinct(fn, a, na, b, nb, c)) != MLOPS_OK) {
        mlops__classes_free(c);
        return rc;
    }
    if ((rc = index_labels(fn, c)) != MLOPS_OK) mlops__classes_free(c);
    return rc;
}

void mlops__classes_free(mlops__classes *c)
{
    free(c->labels);
    free(c->dense);
    free(c->sorted);
    free(c->pos);
    memset(c, 0, sizeof *c);
}

size_t mlops__distinct_upto2(const int *a, size_t n, int first[2])
{
    first[0] = first[1] = 0;
    if (n == 0) return 0;
    int v0 = a[0], v1;
    size_t i = 1;
    while (i < n && a[i] == v0) i++;
    if (i == n) {
        first[0] = v0;
        return 1;
    }
    v1 = a[i];
    /* a branch-free pass the compiler vectorises: any third value? */
    unsigned other = 0;
    for (; i < n; i++) other |= (unsigned)(a[i] != v0) & (unsigned)(a[i] != v1);
    if (other) return 3;
    first[0] = v0 < v1 ? v0 : v1;
    first[1] = v0 < v1 ? v1 : v0;
    return 2;
}

int mlops__check_one_probability(const char *fn, const int *y, size_t n, int pos_label)
{
    int first[2];
    size_t d = mlops__distinct_upto2(y, n, first);
    if (d > 2)
        return mlops__err(MLOPS_EINVAL,
                          "%s: y_true has more than two classes but one probability per sample", fn);
    if (d == 2 && first[0] != pos_label && first[1] != pos_label)
        return mlops__err(MLOPS_EINVAL, "%s: pos_label %d is not one of the labels %d and %d", fn,
                          pos_label, first[0], first[1]);
    return MLOPS_OK;
}
