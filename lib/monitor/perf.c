/* A window's performance from its mergeable label statistics: the
 * confusion counts of a classifier, the sums of a regressor's errors;
 * and the performance condition (the promotion-gate grammar) on them. */
#include "monitor/monitor_internal.h"
#include "registry/gate.h"
#include "mlops/eval.h"
#include "util/err.h"
#include "util/opts.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_monitor_performance_init(mlops_monitor_performance *p, unsigned version)
{
    static const mlops_monitor_performance defaults = MLOPS_MONITOR_PERFORMANCE_INIT;
    return mlops__opts_init(__func__, p, &defaults, sizeof defaults, version,
                            MLOPS_MONITOR_PERFORMANCE_VERSION);
}

static const char *const class_metrics[] = { "labels", "accuracy", "balanced_accuracy", "f1_macro", NULL };
static const char *const reg_metrics[] = { "labels", "mae", "mse", "rmse", "r2", "mean_error", NULL };

int mlops__monitor_metric_known(int task, const char *key)
{
    const char *const *l = task == MLOPS_MONITOR_TASK_CLASSIFICATION ? class_metrics
                           : task == MLOPS_MONITOR_TASK_REGRESSION   ? reg_metrics
                                                                     : NULL;
    for (; l && *l; l++)
        if (!strcmp(*l, key)) return 1;
    return 0;
}

double mlops__monitor_metric_value(const mlops_monitor_performance *p, const char *key)
{
    if (!strcmp(key, "labels")) return (double)p->labels;
    if (!strcmp(key, "accuracy")) return p->accuracy;
    if (!strcmp(key, "balanced_accuracy")) return p->balanced_accuracy;
    if (!strcmp(key, "f1_macro")) return p->f1_macro;
    if (!strcmp(key, "mae")) return p->mae;
    if (!strcmp(key, "mse")) return p->mse;
    if (!strcmp(key, "rmse")) return p->rmse;
    if (!strcmp(key, "r2")) return p->r2;
    if (!strcmp(key, "mean_error")) return p->mean_error;
    return NAN;
}

/* One cell of a confusion: (true, pred) seen n times. */
typedef struct cell {
    char *t, *p;
    double n;
} cell;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int class_index(char **classes, size_t n, const char *s)
{
    char **hit = bsearch(&s, classes, n, sizeof *classes, cmp_str);
    return hit ? (int)(hit - classes) : -1;
}

/* Accuracy, balanced accuracy and macro F1 by mlops_eval_labels, with the
 * counts as sample weights: one sample per distinct (true, pred) pair. */
static int classification(const char *fn, cell *cells, size_t n, mlops_monitor_performance *p)
{
    if (!n) return MLOPS_OK;
    char **classes = malloc(2 * n * sizeof *classes);
    int *yt = malloc(n * sizeof *yt), *yp = malloc(n * sizeof *yp);
    double *w = malloc(n * sizeof *w);
    int rc = MLOPS_OK;
    if (!classes || !yt || !yp || !w) rc = mlops__err_nomem(fn);
    size_t nc = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        classes[nc++] = cells[i].t;
        classes[nc++] = cells[i].p;
    }
    if (!rc) {
        qsort(classes, nc, sizeof *classes, cmp_str);
        size_t u = 0;
        for (size_t i = 0; i < nc; i++)
            if (!u || strcmp(classes[u - 1], classes[i])) classes[u++] = classes[i];
        nc = u;
        for (size_t i = 0; i < n; i++) {
            yt[i] = class_index(classes, nc, cells[i].t);
            yp[i] = class_index(classes, nc, cells[i].p);
            w[i] = cells[i].n;
        }
        mlops_eval_opts o = MLOPS_EVAL_OPTS_INIT;
        mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
        if (!mlops_eval_labels(MLOPS_METRIC_ACCURACY, yt, yp, n, w, &o, &r)) p->accuracy = r.value;
        if (!mlops_eval_labels(MLOPS_METRIC_BALANCED_ACCURACY, yt, yp, n, w, &o, &r))
            p->balanced_accuracy = r.value;
        o.average = MLOPS_AVERAGE_MACRO;
        if (!mlops_eval_labels(MLOPS_METRIC_FBETA, yt, yp, n, w, &o, &r)) p->f1_macro = r.value;
    }
    free(classes);
    free(yt);
    free(yp);
    free(w);
    return rc;
}

/* MAE, MSE, RMSE, R2 (scikit-learn's force_finite: a constant y_true
 * gives 1 for a perfect fit, else 0) and the mean error from the sums. */
static void regression(double n, double sum_err, double sum_abs, double sum_sq, double sum_y,
                       double sum_y2, mlops_monitor_performance *p)
{
    if (n <= 0) return;
    p->mae = sum_abs / n;
    p->mse = sum_sq / n;
    p->rmse = sqrt(p->mse);
    p->mean_error = sum_err / n;
    if (n < 2) return; /* R2 needs two samples (NaN, as mlops_eval_regression) */
    /* sum_y2 - sum_y^2 / n cancels. With every label the same it leaves
     * only the rounding of the n additions behind the sums, at most about
     * 3 n eps sum_y2: no spread at all. (A fixed 1e-12 sum_y2 took labels
     * 1e7 + {0, 1, 2, 3} for equal, and 100,000 labels of 0.3 for varying,
     * their R2 -6e8.) */
    double sst = sum_y2 - sum_y * sum_y / n;
    if (sst <= 4.0 * n * DBL_EPSILON * sum_y2) p->r2 = sum_sq == 0.0 ? 1.0 : 0.0;
    else p->r2 = 1.0 - sum_sq / sst;
}

int mlops__monitor_perf_read(mlops__conn *c, const mlops_monitor *m, int64_t start,
                             mlops_monitor_performance *p)
{
    p->task = m->task;
    p->labels = p->judged_labels = 0;
    p->accuracy = p->balanced_accuracy = p->f1_macro = NAN;
    p->mae = p->mse = p->rmse = p->r2 = p->mean_error = NAN;
    p->judged_value = NAN;
    if (m->task == MLOPS_MONITOR_TASK_NONE) return MLOPS_OK;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT name, value, n FROM mon_window_metrics WHERE monitor_id = ?1 "
                                 "AND start_ms = ?2", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, start);
    if (rc) return rc;
    double sums[5] = { 0, 0, 0, 0, 0 };
    static const char *const names[5] = { "sum_err", "sum_abs_err", "sum_sq_err", "sum_y", "sum_y2" };
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        const char *name = mlops__col_text(st, 0);
        double v = mlops__col_null(st, 1) ? NAN : mlops__col_double(st, 1);
        if (!name) continue;
        if (!strcmp(name, "labels")) p->labels = (uint64_t)mlops__col_int64(st, 2);
        else if (!strcmp(name, "judged")) {
            p->judged_value = v;
            p->judged_labels = (uint64_t)mlops__col_int64(st, 2);
        } else
            for (int k = 0; k < 5; k++)
                if (!strcmp(name, names[k])) sums[k] = v;
    }
    mlops__reset(st);
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "reading a window's metrics");
    if (m->task == MLOPS_MONITOR_TASK_REGRESSION) {
        regression((double)p->labels, sums[0], sums[1], sums[2], sums[3], sums[4], p);
        return MLOPS_OK;
    }
    if ((rc = mlops__conn_stmt(c, "SELECT y_true, y_pred, n FROM mon_window_confusion WHERE "
                                  "monitor_id = ?1 AND start_ms = ?2", &st)))
        return rc;
    rc = mlops__bind_int64(c, st, 1, m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, start);
    if (rc) return rc;
    cell *cells = NULL;
    size_t n = 0, cap = 0;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            cell *nc = realloc(cells, ncap * sizeof *nc);
            if (!nc) {
                rc = mlops__err_nomem("reading a window's labels");
                break;
            }
            cells = nc;
            cap = ncap;
        }
        const char *t = mlops__col_text(st, 0), *pr = mlops__col_text(st, 1);
        cells[n].t = strdup(t ? t : "");
        cells[n].p = strdup(pr ? pr : "");
        cells[n].n = (double)mlops__col_int64(st, 2);
        n++;
        if (!cells[n - 1].t || !cells[n - 1].p) {
            rc = mlops__err_nomem("reading a window's labels");
            break;
        }
    }
    mlops__reset(st);
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading a window's labels");
    if (!rc) rc = classification("reading a window's labels", cells, n, p);
    for (size_t i = 0; i < n; i++) {
        free(cells[i].t);
        free(cells[i].p);
    }
    free(cells);
    return rc;
}

static int perf_value(void *ctx, const mlops__gate_ref *ref, double *out)
{
    const mlops_monitor_performance *p = ctx;
    if (ref->baseline || ref->fair) return MLOPS_ENOTFOUND;
    *out = mlops__monitor_metric_value(p, ref->key);
    return MLOPS_OK;
}

static int no_check(void *ctx, int *yes, const char **why)
{
    (void)ctx;
    *yes = 0;
    *why = "not a monitor's condition";
    return MLOPS_OK;
}

int mlops__monitor_perf_breach(const char *fn, const char *cond, const mlops_monitor_performance *p,
                               int *breach, double *value, char *why, size_t why_len)
{
    mlops__gate_cond gc;
    int rc = mlops__gate_cond_parse(fn, cond, 1, &gc);
    if (rc) {
        mlops__gate_cond_free(&gc);
        return rc;
    }
    mlops__gate_lookup l = { (void *)p, 0, perf_value, no_check, no_check };
    mlops__gate_verdict v;
    rc = mlops__gate_cond_eval(&gc, &l, &v);
    *value = gc.kind == MLOPS__GC_COMPARE ? mlops__monitor_metric_value(p, gc.left.key) : NAN;
    mlops__gate_cond_free(&gc);
    if (rc) return rc;
    *breach = v.outcome == MLOPS__GATE_PASS;
    if (why) snprintf(why, why_len, "%s", v.why);
    return MLOPS_OK;
}

int mlops__monitor_perf_condition_check(const char *fn, int task, const char *text, char **canon)
{
    *canon = NULL;
    mlops__gate_cond gc;
    int rc = mlops__gate_cond_parse(fn, text, 1, &gc);
    if (!rc && (gc.kind != MLOPS__GC_COMPARE || gc.left.fair || gc.left.baseline || gc.uses_baseline))
        rc = mlops__err(MLOPS_EINVAL, "%s: performance: '%s' must compare metrics.NAME with numbers "
                                      "(e.g. metrics.accuracy < 0.8)", fn, text);
    if (!rc && !mlops__monitor_metric_known(task, gc.left.key))
        rc = mlops__err(MLOPS_EINVAL, "%s: performance: metrics.%s is not a metric of the task (%s)", fn,
                        gc.left.key,
                        task == MLOPS_MONITOR_TASK_CLASSIFICATION ? "labels, accuracy, balanced_accuracy, f1_macro"
                        : task == MLOPS_MONITOR_TASK_REGRESSION   ? "labels, mae, mse, rmse, r2, mean_error"
                                                                  : "no task: no metrics");
    if (!rc && !(*canon = mlops__gate_cond_text(&gc))) rc = mlops__err_nomem(fn);
    mlops__gate_cond_free(&gc);
    return rc;
}

static int no_value(void *ctx, const mlops__gate_ref *ref, double *out)
{
    (void)ctx;
    (void)ref;
    *out = NAN;
    return MLOPS_ENOTFOUND;
}

int mlops__monitor_perf_condition_parts(const char *fn, const char *cond, char **metric,
                                        const char **op, double *threshold)
{
    *metric = NULL;
    *op = NULL;
    *threshold = NAN;
    mlops__gate_cond gc;
    int rc = mlops__gate_cond_parse(fn, cond, 1, &gc);
    if (!rc && gc.kind != MLOPS__GC_COMPARE)
        rc = mlops__err(MLOPS_EINVAL, "%s: performance: '%s' is not a comparison", fn, cond);
    if (!rc) {
        /* The right side reads no metric (checked at create): evaluating
         * the condition without values computes it alone. */
        mlops__gate_lookup l = { NULL, 0, no_value, no_check, no_check };
        mlops__gate_verdict v;
        rc = mlops__gate_cond_eval(&gc, &l, &v);
        if (!rc && v.right_known) *threshold = v.right;
    }
    if (!rc) *op = gc.op; /* the lexer's canonical operator: static */
    if (!rc && !(*metric = strdup(gc.left.key))) rc = mlops__err_nomem(fn);
    mlops__gate_cond_free(&gc);
    return rc;
}
