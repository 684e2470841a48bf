/* A monitor's spec: defaults, the checks, create (or find the same one)
 * and delete. */
#include "monitor/monitor_internal.h"
#include "cas/cas_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_monitor_spec_init(mlops_monitor_spec *spec, unsigned version)
{
    static const mlops_monitor_spec defaults = MLOPS_MONITOR_SPEC_INIT;
    return mlops__opts_init(__func__, spec, &defaults, sizeof defaults, version,
                            MLOPS_MONITOR_SPEC_VERSION);
}

int mlops__monitor_check_name(const char *fn, const char *name)
{
    return mlops__check_name(fn, "monitor name", name, MLOPS_MONITOR_NAME_MAX);
}

static int method_ok(int kind, int method)
{
    switch (method) {
    case MLOPS_DRIFT_METHOD_AUTO:
    case MLOPS_DRIFT_METHOD_CHISQ:
    case MLOPS_DRIFT_METHOD_PSI:
    case MLOPS_DRIFT_METHOD_JENSEN_SHANNON:
    case MLOPS_DRIFT_METHOD_KL:
    case MLOPS_DRIFT_METHOD_HELLINGER:
        return 1;
    case MLOPS_DRIFT_METHOD_KS:
        return kind == MLOPS_PROFILE_NUMERIC;
    default:
        return 0;
    }
}

/* Checks everything but the references (which need the store). */
static int check_spec(const char *fn, const mlops_monitor_spec *sp, uint64_t window_rows)
{
    int rc = mlops__opts_check(fn, sp->version, MLOPS_MONITOR_SPEC_VERSION, "mlops_monitor_spec_init");
    if (rc) return rc;
    if (sp->n_columns == 0 || sp->n_columns > MLOPS_MONITOR_COLUMNS_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: n_columns %zu is not 1..%d", fn, sp->n_columns,
                          MLOPS_MONITOR_COLUMNS_MAX);
    if ((rc = mlops__check_array(fn, "columns", sp->columns, sp->n_columns, sizeof *sp->columns)))
        return rc;
    for (size_t i = 0; i < sp->n_columns; i++) {
        const mlops_monitor_column *c = &sp->columns[i];
        if ((rc = mlops__check_name(fn, "column name", c->name, MLOPS_MONITOR_NAME_MAX))) return rc;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(sp->columns[j].name, c->name))
                return mlops__err(MLOPS_EINVAL, "%s: column '%s' is given twice", fn, c->name);
        if (c->method < 0 || c->method > MLOPS_DRIFT_METHOD_ENERGY || !method_ok(MLOPS_PROFILE_NUMERIC, c->method))
            return mlops__err(MLOPS_EINVAL, "%s: column '%s': method %d cannot be computed from profiles "
                                            "(auto, ks, chisquare, psi, jensenshannon, kl_div, hellinger)",
                              fn, c->name, c->method);
        if (!isnan(c->threshold) && !(isfinite(c->threshold) && c->threshold > 0.0))
            return mlops__err(MLOPS_EINVAL, "%s: column '%s': threshold %g is not a positive number",
                              fn, c->name, c->threshold);
        /* KS and chi-square compare a p-value with it; judging used the
         * monitor's alpha instead of a threshold of 1 or more (a monitor
         * made before session 47 may still hold one). */
        int p_method = c->method == MLOPS_DRIFT_METHOD_AUTO || c->method == MLOPS_DRIFT_METHOD_KS ||
                       c->method == MLOPS_DRIFT_METHOD_CHISQ;
        if (p_method && c->threshold >= 1.0)
            return mlops__err(MLOPS_EINVAL, "%s: column '%s': threshold %g is a p-value's (its "
                                            "method is ks or chi-square): below 1",
                              fn, c->name, c->threshold);
    }
    int rows = sp->window_kind == MLOPS_MONITOR_WINDOW_ROWS;
    if (sp->window_kind != MLOPS_MONITOR_WINDOW_TIME && !rows)
        return mlops__err(MLOPS_EINVAL, "%s: unknown window_kind %d", fn, sp->window_kind);
    if (rows && window_rows == 0)
        return mlops__err(MLOPS_EINVAL, "%s: row windows need mlops_monitor_ext.window_rows "
                                        "(mlops_monitor_create_ex)", fn);
    if (!rows && window_rows != 0)
        return mlops__err(MLOPS_EINVAL, "%s: window_rows %llu needs window_kind "
                                        "MLOPS_MONITOR_WINDOW_ROWS", fn, (unsigned long long)window_rows);
    if (rows && window_rows > MLOPS_MONITOR_WINDOW_ROWS_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: window_rows %llu is not 1..%llu", fn,
                          (unsigned long long)window_rows, (unsigned long long)MLOPS_MONITOR_WINDOW_ROWS_MAX);
    if (rows && sp->lateness_ms != 0)
        return mlops__err(MLOPS_EINVAL, "%s: lateness_ms must be 0 with row windows (a row window "
                                        "is judged when full)", fn);
    if (!rows && (sp->window_ms < MLOPS_MONITOR_WINDOW_MIN_MS || sp->window_ms > MLOPS_MONITOR_WINDOW_MAX_MS))
        return mlops__err(MLOPS_EINVAL, "%s: window_ms %lld is not %lld..%lld (a minute to 31 days)", fn,
                          (long long)sp->window_ms, (long long)MLOPS_MONITOR_WINDOW_MIN_MS,
                          (long long)MLOPS_MONITOR_WINDOW_MAX_MS);
    if (sp->lateness_ms < 0 || sp->lateness_ms > MLOPS_MONITOR_LATENESS_MAX_MS)
        return mlops__err(MLOPS_EINVAL, "%s: lateness_ms %lld is not 0..%lld", fn,
                          (long long)sp->lateness_ms, (long long)MLOPS_MONITOR_LATENESS_MAX_MS);
    if (sp->min_rows < 1 || sp->min_rows > (uint64_t)INT64_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: min_rows must be at least 1", fn);
    if (sp->alert_m < 1 || sp->alert_m > sp->alert_n || sp->alert_n > MLOPS_MONITOR_HISTORY_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: the alert rule %u of %u is not 1 <= M <= N <= %d", fn,
                          sp->alert_m, sp->alert_n, MLOPS_MONITOR_HISTORY_MAX);
    if (sp->pending > 1000000u || sp->keep_firing > 1000000u)
        return mlops__err(MLOPS_EINVAL, "%s: pending and keep_firing are at most 1000000 windows", fn);
    if (sp->breach_column) {
        if ((rc = mlops__check_name(fn, "breach_column", sp->breach_column, MLOPS_MONITOR_NAME_MAX)))
            return rc;
        size_t i = 0;
        while (i < sp->n_columns && strcmp(sp->columns[i].name, sp->breach_column)) i++;
        if (i == sp->n_columns)
            return mlops__err(MLOPS_EINVAL, "%s: breach_column '%s' is not a column of the monitor", fn,
                              sp->breach_column);
    }
    if (!(sp->drift_share > 0.0 && sp->drift_share <= 1.0))
        return mlops__err(MLOPS_EINVAL, "%s: drift_share %g is not in (0, 1]", fn, sp->drift_share);
    if (!(sp->alpha > 0.0 && sp->alpha < 1.0))
        return mlops__err(MLOPS_EINVAL, "%s: alpha %g is not in (0, 1)", fn, sp->alpha);
    if (sp->model && (rc = mlops__check_name(fn, "model", sp->model, 600))) return rc;
    return MLOPS_OK;
}

static int create_monitor(mlops_store *s, const char *fn, const char *name,
                          const mlops_monitor_spec *spec, const mlops_monitor_ext *ext);

static int same_opt_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* Whether stored monitor m has exactly spec sp. */
static int same_spec(const mlops_monitor *m, const mlops_monitor_spec *sp, const int *kinds,
                     const mlops_monitor_ext *x, const char *perf)
{
    const mlops_monitor_spec *o = &m->spec;
    int64_t window_ms = x->window_rows ? (int64_t)x->window_rows : sp->window_ms;
    if (m->window_rows != x->window_rows || m->task != x->task ||
        !same_opt_text(m->prediction_column, x->prediction_column) ||
        !same_opt_text(m->label_column, x->label_column) || !same_opt_text(m->id_column, x->id_column) ||
        !same_opt_text(m->performance, perf) || m->min_labels != x->min_labels)
        return 0;
    if (o->n_columns != sp->n_columns || o->window_kind != sp->window_kind ||
        o->window_ms != window_ms || o->lateness_ms != sp->lateness_ms ||
        o->min_rows != sp->min_rows || o->alert_m != sp->alert_m || o->alert_n != sp->alert_n ||
        o->pending != sp->pending || o->keep_firing != sp->keep_firing ||
        !same_opt_text(o->breach_column, sp->breach_column) || o->drift_share != sp->drift_share ||
        o->alpha != sp->alpha || !same_opt_text(o->model, sp->model))
        return 0;
    for (size_t i = 0; i < sp->n_columns; i++) {
        const mlops_monitor_column *a = &o->columns[i], *b = &sp->columns[i];
        if (strcmp(a->name, b->name) || memcmp(a->reference.bytes, b->reference.bytes, 32) ||
            a->method != b->method || !same_double(a->threshold, b->threshold) || m->kinds[i] != kinds[i])
            return 0;
    }
    return 1;
}

typedef struct create_op {
    mlops_store *s;
    const char *fn, *name;
    const mlops_monitor_spec *spec;
    const int *kinds;
    const mlops_monitor_ext *ext;
    const char *perf;  /* the condition's canonical text */
} create_op;

static int bind_opt_text(mlops__conn *c, mlops__stmt *st, int idx, const char *t)
{
    return t ? mlops__bind_text(c, st, idx, t) : mlops__bind_null(c, st, idx);
}

static int create_tx(mlops__conn *c, void *arg)
{
    const create_op *op = arg;
    const mlops_monitor_spec *sp = op->spec;
    mlops_monitor *old = NULL;
    int rc = mlops__monitor_load(c, op->fn, op->name, &old);
    if (!rc) {
        int same = same_spec(old, sp, op->kinds, op->ext, op->perf);
        mlops_monitor_free(old);
        if (same) return MLOPS_OK;
        return mlops__err(MLOPS_ECONFLICT, "%s: monitor '%s' exists with another spec (window, "
                                           "lateness, rule or columns); a monitor's spec never "
                                           "changes: delete it and create it again",
                          op->fn, op->name);
    }
    if (rc != MLOPS_ENOTFOUND) return rc;
    /* The references must still be there under the write lock (a gc
     * running now cannot take them once the rows name them). */
    for (size_t i = 0; i < sp->n_columns; i++) {
        int exists = 0;
        if ((rc = mlops__cas_exists(c, &sp->columns[i].reference, &exists))) return rc;
        if (!exists)
            return mlops__err(MLOPS_ENOTFOUND, "%s: the reference profile of column '%s' is not stored",
                              op->fn, sp->columns[i].name);
    }
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "INSERT INTO mon_monitors(name, window_kind, window_ms, lateness_ms, "
                          "min_rows, alert_m, alert_n, pending, keep_firing, breach_column, "
                          "drift_share, alpha, model, created_ms, state, history, history_count, "
                          "streak, windows_judged, last_seq, prediction_column, label_column, "
                          "id_column) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                          "?8, ?9, ?10, ?11, ?12, ?13, ?14, 0, 0, 0, 0, 0, 0, ?15, ?16, ?17) RETURNING id",
                          &st);
    if (rc) return rc;
    rc = mlops__bind_text(c, st, 1, op->name);
    if (!rc) rc = mlops__bind_int64(c, st, 2, sp->window_kind);
    const mlops_monitor_ext *x = op->ext;
    if (!rc) rc = mlops__bind_int64(c, st, 3, x->window_rows ? (int64_t)x->window_rows : sp->window_ms);
    if (!rc) rc = mlops__bind_int64(c, st, 4, sp->lateness_ms);
    if (!rc) rc = mlops__bind_int64(c, st, 5, (int64_t)sp->min_rows);
    if (!rc) rc = mlops__bind_int64(c, st, 6, sp->alert_m);
    if (!rc) rc = mlops__bind_int64(c, st, 7, sp->alert_n);
    if (!rc) rc = mlops__bind_int64(c, st, 8, sp->pending);
    if (!rc) rc = mlops__bind_int64(c, st, 9, sp->keep_firing);
    if (!rc) rc = bind_opt_text(c, st, 10, sp->breach_column);
    if (!rc) rc = mlops__bind_double(c, st, 11, sp->drift_share);
    if (!rc) rc = mlops__bind_double(c, st, 12, sp->alpha);
    if (!rc) rc = bind_opt_text(c, st, 13, sp->model);
    if (!rc) rc = mlops__bind_int64(c, st, 14, mlops__now_ms());
    if (!rc) rc = bind_opt_text(c, st, 15, x->prediction_column);
    if (!rc) rc = bind_opt_text(c, st, 16, x->label_column);
    if (!rc) rc = bind_opt_text(c, st, 17, x->id_column);
    int64_t id = 0;
    if (!rc) rc = mlops__conn_step_id(c, st, "creating a monitor", &id);
    if (rc) return rc;
    if ((rc = mlops__conn_stmt(c,
                               "INSERT INTO mon_label_settings(monitor_id, window_rows, rows_assigned, "
                               "task, performance, min_labels, unknown_labels) VALUES (?1, ?2, 0, ?3, "
                               "?4, ?5, 0)",
                               &st)))
        return rc;
    rc = mlops__bind_int64(c, st, 1, id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, (int64_t)x->window_rows);
    if (!rc) rc = mlops__bind_int64(c, st, 3, x->task);
    if (!rc) rc = bind_opt_text(c, st, 4, op->perf);
    if (!rc) rc = mlops__bind_int64(c, st, 5, (int64_t)x->min_labels);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a monitor's settings");
    if (rc) return rc;
    if ((rc = mlops__conn_stmt(c,
                               "INSERT INTO mon_columns(monitor_id, pos, name, kind, method, "
                               "threshold, reference, role) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
                               &st)))
        return rc;
    for (size_t i = 0; !rc && i < sp->n_columns; i++) {
        const mlops_monitor_column *col = &sp->columns[i];
        rc = mlops__bind_int64(c, st, 1, id);
        if (!rc) rc = mlops__bind_int64(c, st, 2, (int64_t)i);
        if (!rc) rc = mlops__bind_text(c, st, 3, col->name);
        if (!rc) rc = mlops__bind_int64(c, st, 4, op->kinds[i]);
        if (!rc) rc = mlops__bind_int64(c, st, 5, col->method);
        if (!rc) rc = isnan(col->threshold) ? mlops__bind_null(c, st, 6)
                                             : mlops__bind_double(c, st, 6, col->threshold);
        if (!rc) rc = mlops__bind_blob(c, st, 7, col->reference.bytes, 32);
        if (!rc) rc = mlops__conn_step_done(c, st, "recording a monitor's column");
        mlops__reset(st);
    }
    mlops_monitor_ext canon = *x;
    canon.performance = op->perf;
    if (!rc) rc = mlops__monitor_audit_spec(c, op->s, op->fn, 1, op->name, sp, &canon);
    return rc;
}

/* Checks ext; *perf gets the canonical text of its condition. */
static int check_ext(const char *fn, const mlops_monitor_spec *sp, const mlops_monitor_ext *x, char **perf)
{
    *perf = NULL;
    int rc = mlops__opts_check(fn, x->version, MLOPS_MONITOR_EXT_VERSION, "mlops_monitor_ext_init");
    if (rc) return rc;
    if (x->task != MLOPS_MONITOR_TASK_NONE && x->task != MLOPS_MONITOR_TASK_CLASSIFICATION &&
        x->task != MLOPS_MONITOR_TASK_REGRESSION)
        return mlops__err(MLOPS_EINVAL, "%s: unknown task %d", fn, x->task);
    const char *names[3] = { x->prediction_column, x->label_column, x->id_column };
    static const char *const fields[3] = { "prediction_column", "label_column", "id_column" };
    for (int k = 0; k < 3; k++) {
        if (!names[k]) continue;
        if ((rc = mlops__check_name(fn, fields[k], names[k], MLOPS_MONITOR_NAME_MAX))) return rc;
        if (x->task == MLOPS_MONITOR_TASK_NONE)
            return mlops__err(MLOPS_EINVAL, "%s: %s needs a task", fn, fields[k]);
    }
    if (x->task != MLOPS_MONITOR_TASK_NONE && (!x->prediction_column || !x->id_column))
        return mlops__err(MLOPS_EINVAL, "%s: a task needs prediction_column and id_column", fn);
    if (x->id_column) {
        if (!strcmp(x->id_column, x->prediction_column))
            return mlops__err(MLOPS_EINVAL, "%s: id_column and prediction_column are the same", fn);
        for (size_t i = 0; i < sp->n_columns; i++)
            if (!strcmp(sp->columns[i].name, x->id_column))
                return mlops__err(MLOPS_EINVAL, "%s: id_column '%s' is a monitored column", fn, x->id_column);
    }
    if (x->min_labels < 1 || x->min_labels > (uint64_t)INT64_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: min_labels must be at least 1", fn);
    if (x->performance) {
        if (x->task == MLOPS_MONITOR_TASK_NONE)
            return mlops__err(MLOPS_EINVAL, "%s: performance needs a task", fn);
        if ((rc = mlops__check_name(fn, "performance", x->performance, 4096))) return rc;
        if ((rc = mlops__monitor_perf_condition_check(fn, x->task, x->performance, perf))) return rc;
    }
    return MLOPS_OK;
}

MLOPS_API int mlops_monitor_create(mlops_store *s, const char *name, const mlops_monitor_spec *spec)
{
    return create_monitor(s, __func__, name, spec, NULL);
}

MLOPS_API int mlops_monitor_create_ex(mlops_store *s, const char *name, const mlops_monitor_spec *spec,
                                      const mlops_monitor_ext *ext)
{
    return create_monitor(s, __func__, name, spec, ext);
}

static int create_monitor(mlops_store *s, const char *fn, const char *name,
                          const mlops_monitor_spec *spec, const mlops_monitor_ext *ext)
{
    static const mlops_monitor_ext dflt_ext = MLOPS_MONITOR_EXT_INIT;
    if (!ext) ext = &dflt_ext;
    if (!s) return mlops__err_null(fn, "s");
    if (!spec) return mlops__err_null(fn, "spec");
    int rc = mlops__monitor_check_name(fn, name);
    if (!rc) rc = check_spec(fn, spec, ext->window_rows);
    char *perf = NULL;
    if (!rc) rc = check_ext(fn, spec, ext, &perf);
    if (!rc) rc = mlops__store_check_writable(s, fn);
    int *kinds = rc ? NULL : calloc(spec->n_columns, sizeof *kinds);
    if (!rc && !kinds) rc = mlops__err_nomem("creating a monitor");
    if (rc) {
        free(perf);
        return rc;
    }
    for (size_t i = 0; !rc && i < spec->n_columns; i++) {
        const mlops_monitor_column *c = &spec->columns[i];
        mlops_profile *p = NULL;
        rc = mlops_profile_get(s, &c->reference, &p);
        if (rc) {
            char msg[700];
            snprintf(msg, sizeof msg, "%s", mlops_last_error());
            rc = mlops__err(rc, "%s: the reference of column '%s': %s", fn, c->name, msg);
            break;
        }
        kinds[i] = mlops_profile_kind(p);
        mlops_profile_free(p);
        if (!method_ok(kinds[i], c->method))
            rc = mlops__err(MLOPS_EINVAL, "%s: column '%s': ks needs a numeric reference", fn, c->name);
    }
    create_op op = { s, fn, name, spec, kinds, ext, perf };
    if (!rc) rc = mlops__store_write(s, create_tx, &op);
    free(kinds);
    free(perf);
    return rc;
}

int mlops__monitor_delete_rows(mlops__conn *c, int64_t id)
{
    static const char *const sql[] = {
        "DELETE FROM mon_events WHERE monitor_id = ?1",
        "DELETE FROM mon_predictions WHERE monitor_id = ?1",
        "DELETE FROM mon_window_confusion WHERE monitor_id = ?1",
        "DELETE FROM mon_label_settings WHERE monitor_id = ?1",
        "DELETE FROM mon_window_metrics WHERE monitor_id = ?1",
        "DELETE FROM mon_window_columns WHERE monitor_id = ?1",
        "DELETE FROM mon_windows WHERE monitor_id = ?1",
        "DELETE FROM mon_columns WHERE monitor_id = ?1",
        "DELETE FROM mon_monitors WHERE id = ?1",
    };
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < sizeof sql / sizeof sql[0]; i++) {
        mlops__stmt *st;
        rc = mlops__conn_stmt(c, sql[i], &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, id);
        if (!rc) rc = mlops__conn_step_done(c, st, "deleting a monitor");
        if (!rc) mlops__reset(st);
    }
    return rc;
}

typedef struct delete_op {
    mlops_store *s;
    const char *fn, *name;
} delete_op;

static int delete_tx(mlops__conn *c, void *arg)
{
    const delete_op *op = arg;
    mlops_monitor *m = NULL;
    int rc = mlops__monitor_load(c, op->fn, op->name, &m);
    if (rc) return rc;
    int64_t id = m->id;
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    rc = mlops_monitor_ext_get(m, &x);
    if (!rc) rc = mlops__monitor_audit_spec(c, op->s, op->fn, 0, op->name, &m->spec, &x);
    mlops_monitor_free(m);
    if (!rc) rc = mlops__monitor_delete_rows(c, id);
    return rc;
}

MLOPS_API int mlops_monitor_delete(mlops_store *s, const char *name)
{
    if (!s) return mlops__err_null(__func__, "s");
    int rc = mlops__monitor_check_name(__func__, name);
    if (!rc) rc = mlops__store_check_writable(s, __func__);
    if (rc) return rc;
    delete_op op = { s, __func__, name };
    return mlops__store_write(s, delete_tx, &op);
}
