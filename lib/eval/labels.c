/* Classification metrics on predicted labels: accuracy, balanced
 * accuracy, precision, recall and F-beta (scikit-learn's
 * precision_recall_fscore_support), per class and confusion matrix. */
#include "eval/eval_internal.h"
#include "util/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Per-class counts of predicted labels: tp, predicted and true sums
 * (weight sums when weights are given) over the classes of c. */
typedef struct mlops__counts {
    double *tp, *pred, *truth;
    size_t k;
} mlops__counts;

struct mlops_eval_classes {
    mlops_eval_class *v;
    size_t n;
};

/* Checks the arrays every label metric takes. */
static int check_labels(const char *fn, const int *y_true, const int *y_pred, size_t n,
                        const double *w)
{
    if (mlops__check_array(fn, "y_true", y_true, n, sizeof *y_true) ||
        mlops__check_array(fn, "y_pred", y_pred, n, sizeof *y_pred) ||
        mlops__check_array(fn, "weights", w, w ? n : 0, sizeof *w))
        return MLOPS_EINVAL;
    if (n == 0) return mlops__err(MLOPS_EINVAL, "%s: no samples", fn);
    return mlops__eval_weights_check(fn, w, n);
}

static int counts_make(const int *y_true, const int *y_pred, size_t n, const double *w,
                       const mlops__classes *c, mlops__counts *m)
{
    size_t k = c->k;
    m->k = k;
    m->tp = calloc(3 * k, sizeof *m->tp);
    if (!m->tp) return MLOPS_ENOMEM;
    m->pred = m->tp + k;
    m->truth = m->pred + k;
    if (!w) {
        /* integer counts, exact, then one conversion */
        uint64_t *cnt = calloc(3 * k, sizeof *cnt);
        if (!cnt) {
            free(m->tp);
            return MLOPS_ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            long a = mlops__class_index(c, y_true[i]), b = mlops__class_index(c, y_pred[i]);
            if (a >= 0) cnt[2 * k + (size_t)a]++;
            if (b >= 0) cnt[k + (size_t)b]++;
            if (a >= 0 && y_true[i] == y_pred[i]) cnt[(size_t)a]++;
        }
        for (size_t i = 0; i < 3 * k; i++) m->tp[i] = (double)cnt[i];
        free(cnt);
        return MLOPS_OK;
    }
    for (size_t i = 0; i < n; i++) {
        long a = mlops__class_index(c, y_true[i]), b = mlops__class_index(c, y_pred[i]);
        if (a >= 0) m->truth[a] += w[i];
        if (b >= 0) m->pred[b] += w[i];
        if (a >= 0 && y_true[i] == y_pred[i]) m->tp[a] += w[i];
    }
    return MLOPS_OK;
}

static void counts_free(mlops__counts *m)
{
    free(m->tp);
    m->tp = m->pred = m->truth = NULL;
}

/* num / den, or zero_division with the reason when den is 0. */
static double prf_div(double num, double den, double zero_division, int *reason)
{
    if (den == 0) {
        *reason = MLOPS_EVAL_ZERO_DIVISION;
        return zero_division;
    }
    return num / den;
}

/* Precision, recall and F-beta of one set of sums. */
static void prf(double tp, double pred, double truth, const mlops_eval_opts *o, double v[3],
                int r[3])
{
    r[0] = r[1] = r[2] = MLOPS_EVAL_DEFINED;
    v[0] = prf_div(tp, pred, o->zero_division, &r[0]);
    v[1] = prf_div(tp, truth, o->zero_division, &r[1]);
    if (isinf(o->beta)) {
        v[2] = v[1];
        r[2] = r[1];
    } else if (o->beta == 0) {
        v[2] = v[0];
        r[2] = r[0];
    } else {
        double b2 = o->beta * o->beta;
        v[2] = prf_div((1 + b2) * tp, b2 * truth + pred, o->zero_division, &r[2]);
    }
}

/* scikit-learn's _nanaverage: the (weighted) mean of the values that are
 * not NaN; unweighted when their weights sum to 0; NaN when all are NaN. */
static double nanaverage(const double *v, const double *wt, size_t k)
{
    mlops__ksum s = { 0, 0 }, ws = { 0, 0 }, u = { 0, 0 };
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (isnan(v[i])) continue;
        m++;
        mlops__ksum_add(&u, v[i]);
        if (wt) {
            mlops__ksum_add(&s, v[i] * wt[i]);
            mlops__ksum_add(&ws, wt[i]);
        }
    }
    if (m == 0) return NAN;
    if (wt && mlops__ksum_get(&ws) != 0) return mlops__ksum_get(&s) / mlops__ksum_get(&ws);
    return mlops__ksum_get(&u) / (double)m;
}

static int accuracy(const int *t, const int *p, size_t n, const double *w, mlops_eval_result *out)
{
    mlops__ksum num = { 0, 0 }, den = { 0, 0 };
    uint64_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        if (w) {
            mlops__ksum_add(&den, w[i]);
            if (t[i] == p[i]) mlops__ksum_add(&num, w[i]);
        } else
            hits += t[i] == p[i];
    }
    if (!w) {
        out->value = (double)hits / (double)n;
        return MLOPS_OK;
    }
    double d = mlops__ksum_get(&den);
    if (d == 0) {
        out->reason = MLOPS_EVAL_NO_WEIGHT;
        return MLOPS_OK;
    }
    out->value = mlops__ksum_get(&num) / d;
    return MLOPS_OK;
}

/* Mean recall over the classes of y_true (those with a non-zero true
 * weight), over the union of y_true and y_pred labels. */
static int balanced(const char *fn, const int *t, const int *p, size_t n, const double *w,
                    const mlops_eval_opts *o, mlops_eval_result *out)
{
    mlops__classes c;
    mlops__counts m;
    int rc = mlops__classes_make(fn, NULL, 0, 0, t, n, p, n, &c);
    if (rc) return rc;
    if (counts_make(t, p, n, w, &c, &m)) {
        mlops__classes_free(&c);
        return mlops__err_nomem(fn);
    }
    mlops__ksum s = { 0, 0 };
    size_t used = 0;
    for (size_t i = 0; i < c.k; i++) {
        if (m.truth[i] == 0) continue;
        mlops__ksum_add(&s, m.tp[i] / m.truth[i]);
        used++;
    }
    counts_free(&m);
    mlops__classes_free(&c);
    if (used == 0) {
        out->reason = MLOPS_EVAL_NO_WEIGHT;
        return MLOPS_OK;
    }
    double score = mlops__ksum_get(&s) / (double)used;
    if (o->adjusted) {
        double chance = 1.0 / (double)used;
        score = (score - chance) / (1.0 - chance);
    }
    out->value = score;
    return MLOPS_OK;
}

/* The class set of precision / recall / F for the average asked: binary
 * is the class pos_label alone, as scikit-learn's _check_set_wise_labels. */
static int prf_classes(const char *fn, const int *t, const int *p, size_t n,
                       const mlops_eval_opts *o, mlops__classes *c)
{
    if (o->average != MLOPS_AVERAGE_BINARY)
        return mlops__classes_make(fn, o->labels, o->n_labels, 0, t, n, p, n, c);
    int a[2], b[2];
    size_t na = mlops__distinct_upto2(t, n, a), nb = mlops__distinct_upto2(p, n, b);
    int present[4];
    size_t np = 0;
    for (size_t i = 0; i < na && na <= 2; i++) present[np++] = a[i];
    for (size_t i = 0; i < nb && nb <= 2; i++) {
        size_t j = 0;
        while (j < np && present[j] != b[i]) j++;
        if (j == np) present[np++] = b[i];
    }
    if (na > 2 || nb > 2 || np > 2)
        return mlops__err(MLOPS_EINVAL,
                          "%s: average binary needs at most two distinct labels; choose micro, "
                          "macro or weighted",
                          fn);
    int found = 0;
    for (size_t j = 0; j < np; j++) found |= present[j] == o->pos_label;
    if (!found && np == 2)
        return mlops__err(MLOPS_EINVAL, "%s: pos_label %d is not one of the labels %d and %d", fn,
                          o->pos_label, present[0], present[1]);
    return mlops__classes_make(fn, &o->pos_label, 1, 0, NULL, 0, NULL, 0, c);
}

static int set_metric(int metric, const mlops__counts *m, const mlops_eval_opts *o,
                      mlops_eval_result *out)
{
    int which = metric - MLOPS_METRIC_PRECISION; /* 0 precision, 1 recall, 2 F */
    double v[3];
    int r[3];
    if (o->average == MLOPS_AVERAGE_MICRO || o->average == MLOPS_AVERAGE_BINARY) {
        mlops__ksum tp = { 0, 0 }, pr = { 0, 0 }, tr = { 0, 0 };
        for (size_t i = 0; i < m->k; i++) {
            mlops__ksum_add(&tp, m->tp[i]);
            mlops__ksum_add(&pr, m->pred[i]);
            mlops__ksum_add(&tr, m->truth[i]);
        }
        prf(mlops__ksum_get(&tp), mlops__ksum_get(&pr), mlops__ksum_get(&tr), o, v, r);
        out->value = v[which];
        out->reason = r[which];
        return MLOPS_OK;
    }
    double *vals = malloc(m->k * sizeof *vals);
    if (!vals) return MLOPS_ENOMEM;
    for (size_t i = 0; i < m->k; i++) {
        prf(m->tp[i], m->pred[i], m->truth[i], o, v, r);
        vals[i] = v[which];
        if (r[which]) out->reason = r[which];
    }
    out->value = nanaverage(vals, o->average == MLOPS_AVERAGE_WEIGHTED ? m->truth : NULL, m->k);
    free(vals);
    return MLOPS_OK;
}

/* fairlearn's binary labels: at most two distinct values in y_true and
 * y_pred together, pos_label one of them when there are two. */
static int rate_labels(const char *fn, const int *t, const int *p, size_t n, int pos_label)
{
    int a[2], b[2], u[4];
    size_t na = mlops__distinct_upto2(t, n, a), nb = mlops__distinct_upto2(p, n, b), nu = 0;
    for (size_t i = 0; i < na && na <= 2; i++) u[nu++] = a[i];
    for (size_t i = 0; i < nb && nb <= 2; i++) {
        size_t j = 0;
        while (j < nu && u[j] != b[i]) j++;
        if (j == nu) u[nu++] = b[i];
    }
    if (na > 2 || nb > 2 || nu > 2)
        return mlops__err(MLOPS_EINVAL, "%s: a positive rate needs at most two distinct labels", fn);
    if (nu == 2 && u[0] != pos_label && u[1] != pos_label)
        return mlops__err(MLOPS_EINVAL, "%s: pos_label %d is not one of the labels %d and %d", fn,
                          pos_label, u[0], u[1]);
    return MLOPS_OK;
}

/* Selection rate, true and false positive rates: one pass summing the
 * weight of the four cells (true positive or not) x (predicted positive
 * or not); integer counts without weights. */
static int rates(const char *fn, int metric, const int *t, const int *p, size_t n,
                 const double *w, const mlops_eval_opts *o, mlops_eval_result *out)
{
    const int pl = o->pos_label;
    if (metric != MLOPS_METRIC_SELECTION_RATE) {
        int rc = rate_labels(fn, t, p, n, pl);
        if (rc) return rc;
    }
    double cell[4]; /* [2 * truth + pred] */
    if (!w) {
        uint64_t c[4] = { 0, 0, 0, 0 };
        for (size_t i = 0; i < n; i++) c[2 * (t[i] == pl) + (p[i] == pl)]++;
        for (int j = 0; j < 4; j++) cell[j] = (double)c[j];
    } else {
        mlops__ksum c[4] = { { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 } };
        for (size_t i = 0; i < n; i++) mlops__ksum_add(&c[2 * (t[i] == pl) + (p[i] == pl)], w[i]);
        for (int j = 0; j < 4; j++) cell[j] = mlops__ksum_get(&c[j]);
    }
    double num, den;
    int undefined;
    if (metric == MLOPS_METRIC_SELECTION_RATE) {
        num = cell[1] + cell[3];
        den = cell[0] + cell[1] + cell[2] + cell[3];
        undefined = MLOPS_EVAL_NO_WEIGHT;
    } else if (metric == MLOPS_METRIC_TRUE_POSITIVE_RATE) {
        num = cell[3];
        den = cell[2] + cell[3];
        undefined = MLOPS_EVAL_NO_POSITIVES;
    } else {
        num = cell[1];
        den = cell[0] + cell[1];
        undefined = MLOPS_EVAL_NO_NEGATIVES;
    }
    if (den == 0) {
        out->value = NAN;
        out->reason = undefined;
    } else
        out->value = num / den;
    return MLOPS_OK;
}

int mlops__eval_labels(const char *fn, int metric, const int *y_true, const int *y_pred, size_t n,
                                const double *weights, const mlops_eval_opts *opts,
                                mlops_eval_result *out)
{
    const mlops_eval_opts *o;
    int rc;
    if ((rc = mlops__eval_out_check(fn, out)) || (rc = mlops__eval_opts_get(fn, opts, &o)))
        return rc;
    if (metric < MLOPS_METRIC_ACCURACY || metric > MLOPS_METRIC_FALSE_POSITIVE_RATE)
        return mlops__err(MLOPS_EINVAL, "%s: %d is not a metric on predicted labels", fn, metric);
    if ((rc = check_labels(fn, y_true, y_pred, n, weights))) return rc;
    out->n = n;
    if (metric >= MLOPS_METRIC_SELECTION_RATE)
        return rates(fn, metric, y_true, y_pred, n, weights, o, out);
    if (metric == MLOPS_METRIC_ACCURACY) return accuracy(y_true, y_pred, n, weights, out);
    if (metric == MLOPS_METRIC_BALANCED_ACCURACY)
        return balanced(fn, y_true, y_pred, n, weights, o, out);
    if (o->average == MLOPS_AVERAGE_NONE)
        return mlops__err(MLOPS_EINVAL, "%s: average none gives one value per class: use "
                                        "mlops_eval_per_class", fn);
    mlops__classes c;
    if ((rc = prf_classes(fn, y_true, y_pred, n, o, &c))) return rc;
    mlops__counts m;
    if (counts_make(y_true, y_pred, n, weights, &c, &m)) {
        mlops__classes_free(&c);
        return mlops__err_nomem(fn);
    }
    rc = set_metric(metric, &m, o, out);
    counts_free(&m);
    mlops__classes_free(&c);
    return rc ? mlops__err_nomem(fn) : MLOPS_OK;
}

MLOPS_API int mlops_eval_labels(int metric, const int *y_true, const int *y_pred, size_t n,
                                const double *weights, const mlops_eval_opts *opts,
                                mlops_eval_result *out)
{
    return mlops__eval_labels(__func__, metric, y_true, y_pred, n, weights, opts, out);
}

MLOPS_API int mlops_eval_per_class(const int *y_true, const int *y_pred, size_t n,
                                   const double *weights, const mlops_eval_opts *opts,
                                   mlops_eval_classes **out)
{
    const char *fn = __func__;
    const mlops_eval_opts *o;
    int rc;
    if (!out) return mlops__err_null(fn, "out");
    *out = NULL;
    if ((rc = mlops__eval_opts_get(fn, opts, &o))) return rc;
    if ((rc = check_labels(fn, y_true, y_pred, n, weights))) return rc;
    mlops__classes c;
    if ((rc = mlops__classes_make(fn, o->labels, o->n_labels, 0, y_true, n, y_pred, n, &c)))
        return rc;
    mlops__counts m;
    mlops_eval_classes *l = calloc(1, sizeof *l);
    if (!l || !(l->v = calloc(c.k, sizeof *l->v)) ||
        counts_make(y_true, y_pred, n, weights, &c, &m)) {
        mlops_eval_classes_free(l);
        mlops__classes_free(&c);
        return mlops__err_nomem(fn);
    }
    l->n = c.k;
    for (size_t i = 0; i < c.k; i++) {
        double v[3];
        int r[3];
        prf(m.tp[i], m.pred[i], m.truth[i], o, v, r);
        mlops_eval_class *e = &l->v[i];
        e->version = 1;
        e->label = c.labels[i];
        e->precision = v[0];
        e->recall = v[1];
        e->fbeta = v[2];
        e->precision_reason = r[0];
        e->recall_reason = r[1];
        e->fbeta_reason = r[2];
        e->support = m.truth[i];
    }
    counts_free(&m);
    mlops__classes_free(&c);
    *out = l;
    return MLOPS_OK;
}

MLOPS_API size_t mlops_eval_classes_count(const mlops_eval_classes *l)
{
    return l ? l->n : 0;
}

MLOPS_API const mlops_eval_class *mlops_eval_classes_at(const mlops_eval_classes *l, size_t i)
{
    return l && i < l->n ? &l->v[i] : NULL;
}

MLOPS_API void mlops_eval_classes_free(mlops_eval_classes *l)
{
    if (!l) return;
    free(l->v);
    free(l);
}

MLOPS_API int mlops_eval_confusion(const int *y_true, const int *y_pred, size_t n,
                                   const double *weights, const mlops_eval_opts *opts,
                                   int **labels, double **matrix, size_t *k)
{
    const char *fn = __func__;
    const mlops_eval_opts *o;
    int rc;
    if (!labels) return mlops__err_null(fn, "labels");
    if (!matrix) return mlops__err_null(fn, "matrix");
    if (!k) return mlops__err_null(fn, "k");
    *labels = NULL;
    *matrix = NULL;
    *k = 0;
    if ((rc = mlops__eval_opts_get(fn, opts, &o))) return rc;
    if ((rc = check_labels(fn, y_true, y_pred, n, weights))) return rc;
    mlops__classes c;
    if ((rc = mlops__classes_make(fn, o->labels, o->n_labels, 0, y_true, n, y_pred, n, &c)))
        return rc;
    size_t kk = c.k;
    if (kk > 65536) {
        mlops__classes_free(&c);
        return mlops__err(MLOPS_EINVAL, "%s: %zu classes make too large a matrix", fn, kk);
    }
    double *cm = calloc(kk * kk, sizeof *cm);
    if (!cm) {
        mlops__classes_free(&c);
        return mlops__err_nomem(fn);
    }
    for (size_t i = 0; i < n; i++) {
        long a = mlops__class_index(&c, y_true[i]), b = mlops__class_index(&c, y_pred[i]);
        if (a >= 0 && b >= 0) cm[(size_t)a * kk + (size_t)b] += weights ? weights[i] : 1.0;
    }
    if (o->normalize == MLOPS_NORMALIZE_ALL) {
        mlops__ksum s = { 0, 0 };
        for (size_t i = 0; i < kk * kk; i++) mlops__ksum_add(&s, cm[i]);
        double t = mlops__ksum_get(&s);
        for (size_t i = 0; i < kk * kk; i++) cm[i] = t != 0 ? cm[i] / t : 0.0;
    } else if (o->normalize != MLOPS_NORMALIZE_NONE) {
        int rows = o->normalize == MLOPS_NORMALIZE_TRUE;
        for (size_t a = 0; a < kk; a++) {
            mlops__ksum s = { 0, 0 };
            for (size_t b = 0; b < kk; b++) mlops__ksum_add(&s, rows ? cm[a * kk + b] : cm[b * kk + a]);
            double t = mlops__ksum_get(&s);
            for (size_t b = 0; b < kk; b++) {
                double *x = rows ? &cm[a * kk + b] : &cm[b * kk + a];
                *x = t != 0 ? *x / t : 0.0;
            }
        }
    }
    *labels = c.labels;
    c.labels = NULL;
    mlops__classes_free(&c);
    *matrix = cm;
    *k = kk;
    return MLOPS_OK;
}
