/* mlops_monitor_labels_ingest: delayed labels join earlier predictions by
 * id and add to their windows' mergeable statistics (confusion counts of
 * a classifier, error sums of a regressor), all in one write transaction
 * so that concurrent batches never lose a count. A window judged already
 * gets its statistics updated, never its judgment. */
#include "monitor/monitor_internal.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_monitor_labels_result_init(mlops_monitor_labels_result *r, unsigned version)
{
    static const mlops_monitor_labels_result defaults = MLOPS_MONITOR_LABELS_RESULT_INIT;
    return mlops__opts_init(__func__, r, &defaults, sizeof defaults, version,
                            MLOPS_MONITOR_LABELS_RESULT_VERSION);
}

/* One matched label. */
typedef struct match {
    int64_t start;
    double y, pred;        /* regression */
    char *t, *p;           /* classification (malloc'd) */
} match;

typedef struct labels_op {
    const char *fn;
    const mlops_monitor *m;
    size_t n;
    const char *const *ids;
    const double *num;
    const char *const *str;
    match *mt;
    size_t nmt;
    mlops_monitor_labels_result r;
} labels_op;

static int cmp_match(const void *a, const void *b)
{
    const match *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (!x->t || !y->t) return 0;
    int c = strcmp(x->t, y->t);
    return c ? c : strcmp(x->p, y->p);
}

static void clear_matches(labels_op *op)
{
    for (size_t i = 0; i < op->nmt; i++) {
        free(op->mt[i].t);
        free(op->mt[i].p);
    }
    op->nmt = 0;
}

static int add_metric(mlops__conn *c, const labels_op *op, int64_t start, const char *name, double v,
                      int64_t n)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO mon_window_metrics(monitor_id, start_ms, name, value, n) "
                              "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(monitor_id, start_ms, name) DO "
                              "UPDATE SET value = mon_window_metrics.value + excluded.value, "
                              "n = mon_window_metrics.n + excluded.n",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, op->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, start);
    if (!rc) rc = mlops__bind_text(c, st, 3, name);
    if (!rc) rc = mlops__bind_double(c, st, 4, v);
    if (!rc) rc = mlops__bind_int64(c, st, 5, n);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a window's labels");
    return rc;
}

static int add_confusion(mlops__conn *c, const labels_op *op, int64_t start, const char *t, const char *p,
                         int64_t n)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO mon_window_confusion(monitor_id, start_ms, y_true, y_pred, n) "
                              "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(monitor_id, start_ms, y_true, "
                              "y_pred) DO UPDATE SET n = mon_window_confusion.n + excluded.n",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, op->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, start);
    if (!rc) rc = mlops__bind_text(c, st, 3, t);
    if (!rc) rc = mlops__bind_text(c, st, 4, p);
    if (!rc) rc = mlops__bind_int64(c, st, 5, n);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a window's labels");
    return rc;
}

/* Adds the matches of one window, mt[0..n), sorted by (true, pred). */
static int add_window(mlops__conn *c, labels_op *op, const match *mt, size_t n)
{
    int64_t start = mt[0].start;
    int rc = add_metric(c, op, start, "labels", (double)n, (int64_t)n);
    if (!rc && op->m->task == MLOPS_MONITOR_TASK_REGRESSION) {
        double s[5] = { 0, 0, 0, 0, 0 };
        for (size_t i = 0; i < n; i++) {
            double e = mt[i].pred - mt[i].y;
            s[0] += e;
            s[1] += fabs(e);
            s[2] += e * e;
            s[3] += mt[i].y;
            s[4] += mt[i].y * mt[i].y;
        }
        static const char *const names[5] = { "sum_err", "sum_abs_err", "sum_sq_err", "sum_y", "sum_y2" };
        for (int k = 0; !rc && k < 5; k++) rc = add_metric(c, op, start, names[k], s[k], (int64_t)n);
    } else {
        for (size_t i = 0; !rc && i < n;) {
            size_t e = i + 1;
            while (e < n && !strcmp(mt[e].t, mt[i].t) && !strcmp(mt[e].p, mt[i].p)) e++;
            rc = add_confusion(c, op, start, mt[i].t, mt[i].p, (int64_t)(e - i));
            i = e;
        }
    }
    if (rc) return rc;
    /* a window judged already: counted as late (its judgment stays) */
    mlops__stmt *st;
    if ((rc = mlops__conn_stmt(c, "SELECT state FROM mon_windows WHERE monitor_id = ?1 AND start_ms = ?2",
                               &st)))
        return rc;
    rc = mlops__bind_int64(c, st, 1, op->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, start);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW && mlops__col_int(st, 0) != MLOPS_MONITOR_WINDOW_OPEN) op->r.late_labels += n;
    mlops__reset(st);
    if (step != MLOPS__ROW) return mlops__conn_row_error(c, step, "reading a window");
    op->r.windows++;
    return MLOPS_OK;
}

static int labels_tx(mlops__conn *c, void *arg)
{
    labels_op *op = arg;
    const mlops_monitor *m = op->m;
    clear_matches(op);
    op->r.matched = op->r.unknown_ids = op->r.duplicates = op->r.windows = op->r.late_labels = 0;
    mlops__stmt *get, *mark;
    int rc = mlops__conn_stmt(c, "SELECT start_ms, prediction_num, prediction_text, labeled FROM "
                                 "mon_predictions WHERE monitor_id = ?1 AND id = ?2", &get);
    if (!rc) rc = mlops__conn_stmt(c, "UPDATE mon_predictions SET labeled = 1 WHERE monitor_id = ?1 "
                                      "AND id = ?2", &mark);
    int regression = m->task == MLOPS_MONITOR_TASK_REGRESSION;
    for (size_t r = 0; !rc && r < op->n; r++) {
        rc = mlops__bind_int64(c, get, 1, m->id);
        if (!rc) rc = mlops__bind_text(c, get, 2, op->ids[r]);
        if (rc) break;
        int step = mlops__step(get);
        if (step == MLOPS__DONE) {
            op->r.unknown_ids++;
            mlops__reset(get);
            continue;
        }
        if (step != MLOPS__ROW) {
            rc = mlops__conn_error(c, step, "reading a prediction");
            mlops__reset(get);
            break;
        }
        if (mlops__col_int(get, 3)) {
            op->r.duplicates++;
            mlops__reset(get);
            continue;
        }
        match *mt = &op->mt[op->nmt];
        memset(mt, 0, sizeof *mt);
        mt->start = mlops__col_int64(get, 0);
        if (regression) {
            mt->pred = mlops__col_null(get, 1) ? NAN : mlops__col_double(get, 1);
            mt->y = op->num[r];
        } else {
            char buf[40];
            const char *p = mlops__col_text(get, 2), *t = op->str ? op->str[r] : buf;
            if (!op->str) snprintf(buf, sizeof buf, "%.17g", op->num[r]);
            mt->t = strdup(t);
            mt->p = strdup(p ? p : "");
        }
        mlops__reset(get);
        op->nmt++;
        if (!regression && (!mt->t || !mt->p)) {
            rc = mlops__err_nomem(op->fn);
            break;
        }
        op->r.matched++;
        rc = mlops__bind_int64(c, mark, 1, m->id);
        if (!rc) rc = mlops__bind_text(c, mark, 2, op->ids[r]);
        if (!rc) rc = mlops__conn_step_done(c, mark, "marking a prediction labeled");
    }
    if (rc) return rc;
    qsort(op->mt, op->nmt, sizeof *op->mt, cmp_match);
    for (size_t i = 0; !rc && i < op->nmt;) {
        size_t e = i + 1;
        while (e < op->nmt && op->mt[e].start == op->mt[i].start) e++;
        rc = add_window(c, op, op->mt + i, e - i);
        i = e;
    }
    if (!rc && op->r.unknown_ids) {
        mlops__stmt *st;
        rc = mlops__conn_stmt(c, "UPDATE mon_label_settings SET unknown_labels = unknown_labels + ?2 "
                                 "WHERE monitor_id = ?1", &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, m->id);
        if (!rc) rc = mlops__bind_int64(c, st, 2, (int64_t)op->r.unknown_ids);
        if (!rc) rc = mlops__conn_step_done(c, st, "counting unknown labels");
    }
    return rc;
}

MLOPS_API int mlops_monitor_labels_ingest(mlops_store *s, const char *name, size_t n,
                                          const char *const *ids, const double *numeric,
                                          const char *const *strings,
                                          mlops_monitor_labels_result *res)
{
    const char *fn = __func__;
    if (!s) return mlops__err_null(fn, "s");
    int rc = mlops__monitor_check_name(fn, name);
    if (!rc && res)
        rc = mlops__opts_check(fn, res->version, MLOPS_MONITOR_LABELS_RESULT_VERSION,
                               "mlops_monitor_labels_result_init");
    if (!rc) rc = mlops__check_array(fn, "ids", ids, n, sizeof *ids);
    if (!rc && n && !numeric == !strings)
        rc = mlops__err(MLOPS_EINVAL, "%s: give the labels as numeric or as strings (one of them)", fn);
    for (size_t r = 0; !rc && r < n; r++) {
        if (!ids[r]) rc = mlops__err(MLOPS_EINVAL, "%s: ids[%zu] is NULL", fn, r);
        else if ((rc = mlops__check_name(fn, "id", ids[r], 1024))) break;
        else if (strings && !strings[r]) rc = mlops__err(MLOPS_EINVAL, "%s: strings[%zu] is NULL", fn, r);
        else if (numeric && !isfinite(numeric[r]))
            rc = mlops__err(MLOPS_EINVAL, "%s: numeric[%zu] is not a finite number", fn, r);
    }
    if (!rc) rc = mlops__store_check_writable(s, fn);
    if (rc) return rc;
    mlops_monitor *m = NULL;
    if ((rc = mlops__monitor_read(s, fn, name, &m))) return rc;
    labels_op op;
    memset(&op, 0, sizeof op);
    op.fn = fn;
    op.m = m;
    op.n = n;
    op.ids = ids;
    op.num = numeric;
    op.str = strings;
    if (m->task == MLOPS_MONITOR_TASK_NONE)
        rc = mlops__err(MLOPS_EINVAL, "%s: monitor '%s' has no task: it keeps no predictions", fn, name);
    else if (m->task == MLOPS_MONITOR_TASK_REGRESSION && strings && n)
        rc = mlops__err(MLOPS_EINVAL, "%s: monitor '%s' is a regression: its labels are numeric", fn, name);
    if (!rc && n && !(op.mt = malloc(n * sizeof *op.mt))) rc = mlops__err_nomem(fn);
    if (!rc && n) rc = mlops__store_write(s, labels_tx, &op);
    clear_matches(&op);
    free(op.mt);
    mlops_monitor_free(m);
    if (!rc && res) {
        unsigned v = res->version;
        *res = op.r;
        res->version = v;
    }
    return rc;
}
