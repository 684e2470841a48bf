/* Metric frames: one metric of lib/eval on the whole data and on the
 * samples of each group (fairlearn's MetricFrame), and their differences
 * and ratios. The samples are permuted once so that each group's samples
 * are contiguous (a counting sort on the group index), then each group's
 * slice goes to the metric's one implementation in lib/eval. */
#include "fairness/fairness_internal.h"
#include "eval/eval_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The permuted copy of the arrays a metric's family reads. */
typedef struct perm {
    double *vt, *vp, *sc, *w;
    int *lt, *lp;
} perm;

static void perm_free(perm *p)
{
    free(p->vt);
    free(p->vp);
    free(p->sc);
    free(p->w);
    free(p->lt);
    free(p->lp);
}

static int perm_alloc(perm *p, int family, const mlops_eval_data *d)
{
    size_t n = d->n;
    memset(p, 0, sizeof *p);
    if (family == 1) {
        p->vt = malloc(n * sizeof *p->vt);
        p->vp = malloc(n * sizeof *p->vp);
        if (!p->vt || !p->vp) return MLOPS_ENOMEM;
    } else {
        p->lt = malloc(n * sizeof *p->lt);
        if (!p->lt) return MLOPS_ENOMEM;
        if (family == 2 && !(p->lp = malloc(n * sizeof *p->lp))) return MLOPS_ENOMEM;
        if (family == 3 && !(p->sc = malloc(n * d->k * sizeof *p->sc))) return MLOPS_ENOMEM;
    }
    if (d->weights && !(p->w = malloc(n * sizeof *p->w))) return MLOPS_ENOMEM;
    return MLOPS_OK;
}

/* Scatters sample i of d to position j of p. */
static inline void put(perm *p, const mlops_eval_data *d, size_t i, size_t j)
{
    if (p->vt) {
        p->vt[j] = d->values_true[i];
        p->vp[j] = d->values_pred[i];
    }
    if (p->lt) p->lt[j] = d->labels_true[i];
    if (p->lp) p->lp[j] = d->labels_pred[i];
    if (p->sc) memcpy(p->sc + j * d->k, d->scores + i * d->k, d->k * sizeof *p->sc);
    if (p->w) p->w[j] = d->weights[i];
}

/* The slice [off, off + m) of p as evaluation data. */
static mlops_eval_data slice(const perm *p, const mlops_eval_data *d, size_t off, size_t m)
{
    mlops_eval_data s = *d;
    s.n = m;
    s.values_true = p->vt ? p->vt + off : NULL;
    s.values_pred = p->vp ? p->vp + off : NULL;
    s.labels_true = p->lt ? p->lt + off : NULL;
    s.labels_pred = p->lp ? p->lp + off : NULL;
    s.scores = p->sc ? p->sc + off * d->k : NULL;
    s.weights = p->w ? p->w + off : NULL;
    return s;
}

/* Count, weight, positives and negatives of samples [off, off + m) of a
 * permuted copy (y_true, weights as permuted). */
static void tally(mlops_fairness_group *g, const int *lt, const double *w, size_t m, int pos_label)
{
    mlops__ksum all = { 0, 0 }, pos = { 0, 0 };
    uint64_t npos = 0;
    for (size_t i = 0; i < m; i++) {
        int is_pos = lt && lt[i] == pos_label;
        if (w) {
            mlops__ksum_add(&all, w[i]);
            if (is_pos) mlops__ksum_add(&pos, w[i]);
        } else
            npos += (uint64_t)is_pos;
    }
    g->version = 1;
    g->count = m;
    g->weight = w ? mlops__ksum_get(&all) : (double)m;
    if (!lt) return;
    g->positives = w ? mlops__ksum_get(&pos) : (double)npos;
    g->negatives = w ? mlops__ksum_get(&all) - g->positives : (double)(m - npos);
}

int mlops__fairness_frame(const char *fn, int metric, const mlops_eval_data *d, const int *groups,
                          const mlops_eval_opts *opts, mlops_fairness_frame **out)
{
    if (!out) return mlops__err_null(fn, "out");
    *out = NULL;
    if (!d) return mlops__err_null(fn, "data");
    if (mlops__opts_check(fn, d->version, MLOPS_EVAL_DATA_VERSION, "mlops_eval_data_init"))
        return MLOPS_EINVAL;
    int family = mlops__eval_family(metric);
    if (!family) return mlops__err(MLOPS_EINVAL, "%s: unknown metric %d", fn, metric);
    if (!groups && d->n > 0) return mlops__err_null(fn, "groups");
    if (mlops__check_array(fn, "groups", groups, d->n, sizeof *groups)) return MLOPS_EINVAL;

    /* the metric on the whole data checks every input */
    mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
    int rc = mlops__eval_run(fn, metric, d, opts, &r);
    if (rc) return rc;
    size_t n = d->n;
    const mlops_eval_opts *ro = opts;
    mlops_eval_opts fixed = opts ? *opts : mlops__eval_defaults;
    mlops__classes cls = { 0 }, gc = { 0 };
    /* Scores: the classes of the whole data for every group (one column
     * per class), as the bootstrap does. */
    if (family == 3 && fixed.n_labels == 0 && (d->k > 1 || metric == MLOPS_METRIC_LOG_LOSS)) {
        if ((rc = mlops__classes_make(fn, NULL, 0, 1, d->labels_true, n, NULL, 0, &cls))) return rc;
        fixed.labels = cls.labels;
        fixed.n_labels = cls.k;
        ro = &fixed;
    }
    perm p = { 0 };
    uint64_t *off = NULL;
    mlops_fairness_frame *f = NULL;
    if ((rc = mlops__classes_make(fn, NULL, 0, 0, groups, n, NULL, 0, &gc))) goto done;
    size_t k = gc.k;
    off = calloc(k + 1, sizeof *off);
    f = calloc(1, sizeof *f);
    if (!off || !f || !(f->g = calloc(k, sizeof *f->g)) || perm_alloc(&p, family, d)) {
        rc = mlops__err_nomem(fn);
        goto done;
    }
    f->k = k;
    /* counting sort of the samples by group index (stable) */
    for (size_t i = 0; i < n; i++) off[mlops__class_index(&gc, groups[i]) + 1]++;
    for (size_t j = 0; j < k; j++) off[j + 1] += off[j];
    for (size_t i = 0; i < n; i++) put(&p, d, i, (size_t)off[mlops__class_index(&gc, groups[i])]++);
    for (size_t j = k; j > 0; j--) off[j] = off[j - 1]; /* back to group starts */
    off[0] = 0;

    const int pos_label = fixed.pos_label;
    tally(&f->overall, family == 1 ? NULL : p.lt, p.w, n, pos_label);
    f->overall.value = r.value;
    f->overall.reason = r.reason;
    for (size_t j = 0; j < k; j++) {
        size_t m = (size_t)(off[j + 1] - off[j]);
        mlops_eval_data s = slice(&p, d, (size_t)off[j], m);
        mlops_fairness_group *g = &f->g[j];
        mlops_eval_result x = MLOPS_EVAL_RESULT_INIT;
        if ((rc = mlops__eval_run(fn, metric, &s, ro, &x))) goto done;
        tally(g, family == 1 ? NULL : s.labels_true, s.weights, m, pos_label);
        g->group = gc.labels[j];
        g->value = x.value;
        g->reason = x.reason;
    }
    *out = f;
    f = NULL;
    rc = MLOPS_OK;
done:
    mlops_fairness_frame_free(f);
    perm_free(&p);
    free(off);
    mlops__classes_free(&gc);
    mlops__classes_free(&cls);
    return rc;
}

/* A NaN group value makes the aggregate NaN with that group's reason. */
static int undefined(const mlops_fairness_group *g, mlops_eval_result *out)
{
    if (!isnan(g->value)) return 0;
    out->value = NAN;
    out->reason = g->reason ? g->reason : MLOPS_EVAL_ZERO_DIVISION;
    return 1;
}

int mlops__fairness_aggregate(const char *fn, const mlops_fairness_frame *f, int ratio,
                              int method, mlops_eval_result *out)
{
    if (!f) return mlops__err_null(fn, "f");
    if (!out) return mlops__err_null(fn, "out");
    if (mlops__opts_check(fn, out->version, MLOPS_EVAL_RESULT_VERSION, "mlops_eval_result_init"))
        return MLOPS_EINVAL;
    if (method != MLOPS_FAIRNESS_BETWEEN_GROUPS && method != MLOPS_FAIRNESS_TO_OVERALL)
        return mlops__err(MLOPS_EINVAL, "%s: unknown method %d", fn, method);
    out->n = f->overall.count;
    out->reason = MLOPS_EVAL_DEFINED;
    out->value = NAN;
    const double o = f->overall.value;
    if (method == MLOPS_FAIRNESS_TO_OVERALL && undefined(&f->overall, out)) return MLOPS_OK;
    double lo = INFINITY, hi = -INFINITY, worst = ratio ? INFINITY : 0.0;
    for (size_t j = 0; j < f->k; j++) {
        const mlops_fairness_group *g = &f->g[j];
        if (undefined(g, out)) return MLOPS_OK;
        lo = fmin(lo, g->value);
        hi = fmax(hi, g->value);
        if (method != MLOPS_FAIRNESS_TO_OVERALL) continue;
        if (!ratio) {
            worst = fmax(worst, fabs(g->value - o));
            continue;
        }
        double q = g->value / o; /* IEEE: x/0 = Inf, whose inverse is 0 */
        if (isnan(q)) {
            out->reason = MLOPS_EVAL_ZERO_DIVISION;
            return MLOPS_OK;
        }
        worst = fmin(worst, q > 1 ? 1 / q : q);
    }
    if (method == MLOPS_FAIRNESS_TO_OVERALL) {
        out->value = worst;
        return MLOPS_OK;
    }
    if (!ratio) {
        out->value = hi - lo;
        return MLOPS_OK;
    }
    out->value = lo / hi;
    if (isnan(out->value)) out->reason = MLOPS_EVAL_ZERO_DIVISION;
    return MLOPS_OK;
}

MLOPS_API int mlops_fairness_opts_init(mlops_fairness_opts *opts, unsigned version)
{
    static const mlops_fairness_opts defaults = MLOPS_FAIRNESS_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof *opts, version,
                            MLOPS_FAIRNESS_OPTS_VERSION);
}

MLOPS_API int mlops_fairness_frame_build(int metric, const mlops_eval_data *data,
                                         const int *groups, const mlops_eval_opts *opts,
                                         mlops_fairness_frame **out)
{
    return mlops__fairness_frame(__func__, metric, data, groups, opts, out);
}

MLOPS_API size_t mlops_fairness_frame_count(const mlops_fairness_frame *f)
{
    return f ? f->k : 0;
}

MLOPS_API const mlops_fairness_group *mlops_fairness_frame_at(const mlops_fairness_frame *f,
                                                              size_t i)
{
    return f && i < f->k ? &f->g[i] : NULL;
}

MLOPS_API const mlops_fairness_group *mlops_fairness_frame_overall(const mlops_fairness_frame *f)
{
    return f ? &f->overall : NULL;
}

MLOPS_API int mlops_fairness_frame_difference(const mlops_fairness_frame *f, int method,
                                              mlops_eval_result *out)
{
    return mlops__fairness_aggregate(__func__, f, 0, method, out);
}

MLOPS_API int mlops_fairness_frame_ratio(const mlops_fairness_frame *f, int method,
                                         mlops_eval_result *out)
{
    return mlops__fairness_aggregate(__func__, f, 1, method, out);
}

MLOPS_API void mlops_fairness_frame_free(mlops_fairness_frame *f)
{
    if (!f) return;
    free(f->g);
    free(f);
}
