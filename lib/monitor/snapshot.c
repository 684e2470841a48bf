/* Monitor snapshots: loading one (get) or all (list), and reading them. */
#include "monitor/monitor_internal.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *dup_col(mlops__stmt *st, int i, int *oom)
{
    if (mlops__col_null(st, i)) return NULL;
    const char *t = mlops__col_text(st, i);
    char *d = strdup(t ? t : "");
    if (!d) *oom = 1;
    return d;
}

MLOPS_API void mlops_monitor_free(mlops_monitor *m)
{
    if (!m) return;
    if (m->col_names)
        for (size_t i = 0; i < m->spec.n_columns; i++) free(m->col_names[i]);
    free(m->col_names);
    free(m->cols);
    free(m->kinds);
    free(m->name);
    free(m->breach_column);
    free(m->model);
    free(m->prediction_column);
    free(m->label_column);
    free(m->id_column);
    free(m->performance);
    free(m);
}

#define MONITOR_COLS                                                                             \
    "id, name, window_kind, window_ms, lateness_ms, min_rows, alert_m, alert_n, pending, "      \
    "keep_firing, breach_column, drift_share, alpha, model, created_ms, judged_to_ms, state, "  \
    "history, history_count, streak, windows_judged, last_seq"

/* Fills a new snapshot from a row of MONITOR_COLS (columns not loaded). */
static int from_row(mlops__stmt *st, mlops_monitor **out)
{
    mlops_monitor *m = calloc(1, sizeof *m);
    if (!m) return mlops__err_nomem("loading a monitor");
    int oom = 0;
    mlops_monitor_spec_init(&m->spec, MLOPS_MONITOR_SPEC_VERSION);
    m->id = mlops__col_int64(st, 0);
    m->name = dup_col(st, 1, &oom);
    m->spec.window_kind = mlops__col_int(st, 2);
    m->spec.window_ms = mlops__col_int64(st, 3);
    m->spec.lateness_ms = mlops__col_int64(st, 4);
    m->spec.min_rows = (uint64_t)mlops__col_int64(st, 5);
    m->spec.alert_m = (uint32_t)mlops__col_int64(st, 6);
    m->spec.alert_n = (uint32_t)mlops__col_int64(st, 7);
    m->spec.pending = (uint32_t)mlops__col_int64(st, 8);
    m->spec.keep_firing = (uint32_t)mlops__col_int64(st, 9);
    m->breach_column = dup_col(st, 10, &oom);
    m->spec.drift_share = mlops__col_double(st, 11);
    m->spec.alpha = mlops__col_double(st, 12);
    m->model = dup_col(st, 13, &oom);
    m->created_ms = mlops__col_int64(st, 14);
    m->has_judged_to = !mlops__col_null(st, 15);
    m->judged_to_ms = m->has_judged_to ? mlops__col_int64(st, 15) : INT64_MIN;
    m->state = mlops__col_int(st, 16);
    m->history = (uint64_t)mlops__col_int64(st, 17);
    m->history_count = (uint32_t)mlops__col_int64(st, 18);
    m->streak = (uint32_t)mlops__col_int64(st, 19);
    m->windows_judged = (uint64_t)mlops__col_int64(st, 20);
    m->last_seq = mlops__col_int64(st, 21);
    m->spec.breach_column = m->breach_column;
    m->spec.model = m->model;
    if (oom || !m->name) {
        mlops_monitor_free(m);
        return mlops__err_nomem("loading a monitor");
    }
    *out = m;
    return MLOPS_OK;
}

static int load_columns(mlops__conn *c, mlops_monitor *m)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT pos, name, kind, method, threshold, reference FROM mon_columns "
                              "WHERE monitor_id = ?1 ORDER BY pos",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, m->id);
    if (rc) return rc;
    size_t n = 0, cap = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            mlops_monitor_column *cols = realloc(m->cols, nc * sizeof *cols);
            if (cols) m->cols = cols;
            char **names = cols ? realloc(m->col_names, nc * sizeof *names) : NULL;
            if (names) m->col_names = names;
            int *kinds = names ? realloc(m->kinds, nc * sizeof *kinds) : NULL;
            if (!kinds) {
                rc = mlops__err_nomem("loading a monitor");
                break;
            }
            m->kinds = kinds;
            cap = nc;
        }
        int oom = 0;
        m->col_names[n] = dup_col(st, 1, &oom);
        m->spec.n_columns = n + 1;
        if (oom || !m->col_names[n]) {
            rc = mlops__err_nomem("loading a monitor");
            break;
        }
        mlops_monitor_column *col = &m->cols[n];
        col->name = m->col_names[n];
        m->kinds[n] = mlops__col_int(st, 2);
        col->method = mlops__col_int(st, 3);
        col->threshold = mlops__col_null(st, 4) ? NAN : mlops__col_double(st, 4);
        if (mlops__col_bytes(st, 5) != 32) {
            rc = mlops__err(MLOPS_ECORRUPT, "monitor '%s': a reference is not a digest", m->name);
            break;
        }
        memcpy(col->reference.bytes, mlops__col_blob(st, 5), 32);
        n++;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "loading a monitor's columns");
    mlops__reset(st);
    m->spec.n_columns = n;
    m->spec.columns = m->cols;
    if (!rc && n == 0) rc = mlops__err(MLOPS_ECORRUPT, "monitor '%s' has no columns", m->name);
    if (!rc) rc = mlops__monitor_load_ext(c, m);
    return rc;
}

int mlops__monitor_load_ext(mlops__conn *c, mlops_monitor *m)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT m.prediction_column, m.label_column, m.id_column, s.window_rows, "
                              "s.task, s.performance, s.min_labels, s.unknown_labels FROM mon_monitors m "
                              "LEFT JOIN mon_label_settings s ON s.monitor_id = m.id WHERE m.id = ?1",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, m->id);
    if (rc) return rc;
    int step = mlops__step(st), oom = 0;
    m->min_labels = 1;
    if (step == MLOPS__ROW) {
        m->prediction_column = dup_col(st, 0, &oom);
        m->label_column = dup_col(st, 1, &oom);
        m->id_column = dup_col(st, 2, &oom);
        if (!mlops__col_null(st, 3)) {
            m->window_rows = (uint64_t)mlops__col_int64(st, 3);
            m->task = mlops__col_int(st, 4);
            m->performance = dup_col(st, 5, &oom);
            m->min_labels = (uint64_t)mlops__col_int64(st, 6);
            m->unknown_labels = (uint64_t)mlops__col_int64(st, 7);
        }
    }
    mlops__reset(st);
    if (oom) return mlops__err_nomem("loading a monitor");
    if (step != MLOPS__ROW) return mlops__conn_row_error(c, step, "loading a monitor's settings");
    return MLOPS_OK;
}

MLOPS_API int mlops_monitor_ext_init(mlops_monitor_ext *ext, unsigned version)
{
    static const mlops_monitor_ext defaults = MLOPS_MONITOR_EXT_INIT;
    return mlops__opts_init(__func__, ext, &defaults, sizeof defaults, version, MLOPS_MONITOR_EXT_VERSION);
}

MLOPS_API int mlops_monitor_ext_get(const mlops_monitor *m, mlops_monitor_ext *ext)
{
    if (!m) return mlops__err_null(__func__, "m");
    if (!ext) return mlops__err_null(__func__, "ext");
    int rc = mlops__opts_check(__func__, ext->version, MLOPS_MONITOR_EXT_VERSION, "mlops_monitor_ext_init");
    if (rc) return rc;
    ext->window_rows = m->window_rows;
    ext->task = m->task;
    ext->prediction_column = m->prediction_column;
    ext->label_column = m->label_column;
    ext->id_column = m->id_column;
    ext->performance = m->performance;
    ext->min_labels = m->min_labels;
    return MLOPS_OK;
}

int mlops__monitor_load(mlops__conn *c, const char *fn, const char *name, mlops_monitor **out)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT " MONITOR_COLS " FROM mon_monitors WHERE name = ?1", &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, name);
    if (rc) return rc;
    int step = mlops__step(st);
    mlops_monitor *m = NULL;
    if (step == MLOPS__ROW) rc = from_row(st, &m);
    else if (step == MLOPS__DONE) rc = mlops__err(MLOPS_ENOTFOUND, "%s: no monitor '%s'", fn, name);
    else rc = mlops__conn_error(c, step, "loading a monitor");
    mlops__reset(st);
    if (!rc) rc = load_columns(c, m);
    if (rc) {
        mlops_monitor_free(m);
        return rc;
    }
    *out = m;
    return MLOPS_OK;
}

typedef struct read_op {
    const char *fn, *name;
    mlops_monitor *m;
} read_op;

static int read_tx(mlops__conn *c, void *arg)
{
    read_op *op = arg;
    mlops_monitor_free(op->m);
    op->m = NULL;
    return mlops__monitor_load(c, op->fn, op->name, &op->m);
}

int mlops__monitor_read(mlops_store *s, const char *fn, const char *name, mlops_monitor **out)
{
    read_op op = { fn, name, NULL };
    int rc = mlops__store_read(s, read_tx, &op);
    if (rc) {
        mlops_monitor_free(op.m);
        return rc;
    }
    *out = op.m;
    return MLOPS_OK;
}

long mlops__monitor_column(const mlops_monitor *m, const char *name)
{
    for (size_t i = 0; i < m->spec.n_columns; i++)
        if (!strcmp(m->col_names[i], name)) return (long)i;
    return -1;
}

MLOPS_API int mlops_monitor_get(mlops_store *s, const char *name, mlops_monitor **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    int rc = mlops__monitor_check_name(__func__, name);
    return rc ? rc : mlops__monitor_read(s, __func__, name, out);
}

MLOPS_API const char *mlops_monitor_name(const mlops_monitor *m)
{
    return m ? m->name : NULL;
}

MLOPS_API int mlops_monitor_spec_get(const mlops_monitor *m, mlops_monitor_spec *spec)
{
    if (!m) return mlops__err_null(__func__, "m");
    if (!spec) return mlops__err_null(__func__, "spec");
    int rc = mlops__opts_check(__func__, spec->version, MLOPS_MONITOR_SPEC_VERSION, "mlops_monitor_spec_init");
    if (rc) return rc;
    *spec = m->spec;
    return MLOPS_OK;
}

MLOPS_API int mlops_monitor_status_init(mlops_monitor_status *st, unsigned version)
{
    static const mlops_monitor_status defaults = MLOPS_MONITOR_STATUS_INIT;
    return mlops__opts_init(__func__, st, &defaults, sizeof defaults, version,
                            MLOPS_MONITOR_STATUS_VERSION);
}

static uint32_t popcount64(uint64_t v)
{
    uint32_t n = 0;
    for (; v; v &= v - 1) n++;
    return n;
}

MLOPS_API int mlops_monitor_status_get(const mlops_monitor *m, mlops_monitor_status *st)
{
    if (!m) return mlops__err_null(__func__, "m");
    if (!st) return mlops__err_null(__func__, "st");
    int rc = mlops__opts_check(__func__, st->version, MLOPS_MONITOR_STATUS_VERSION, "mlops_monitor_status_init");
    if (rc) return rc;
    uint32_t n = m->spec.alert_n;
    uint64_t mask = n >= 64 ? UINT64_MAX : ((uint64_t)1 << n) - 1;
    st->state = m->state;
    st->judged_to_ms = m->judged_to_ms;
    st->windows_judged = m->windows_judged;
    st->breaches = popcount64(m->history & mask);
    st->considered = m->history_count < n ? m->history_count : n;
    st->last_event_seq = m->last_seq;
    return MLOPS_OK;
}

struct mlops_monitors {
    size_t n;
    mlops_monitor **items;
};

MLOPS_API void mlops_monitors_free(mlops_monitors *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) mlops_monitor_free(l->items[i]);
    free(l->items);
    free(l);
}

MLOPS_API size_t mlops_monitors_count(const mlops_monitors *l)
{
    return l ? l->n : 0;
}

MLOPS_API const mlops_monitor *mlops_monitors_at(const mlops_monitors *l, size_t i)
{
    return l && i < l->n ? l->items[i] : NULL;
}

static int list_tx(mlops__conn *c, void *arg)
{
    mlops_monitors *l = arg;
    for (size_t i = 0; i < l->n; i++) mlops_monitor_free(l->items[i]);
    l->n = 0;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT " MONITOR_COLS " FROM mon_monitors ORDER BY name", &st);
    if (rc) return rc;
    size_t cap = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (l->n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            mlops_monitor **items = realloc(l->items, nc * sizeof *items);
            if (!items) {
                rc = mlops__err_nomem("listing monitors");
                break;
            }
            l->items = items;
            cap = nc;
        }
        if ((rc = from_row(st, &l->items[l->n]))) break;
        l->n++;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "listing monitors");
    mlops__reset(st);
    for (size_t i = 0; !rc && i < l->n; i++) rc = load_columns(c, l->items[i]);
    return rc;
}

MLOPS_API int mlops_monitor_list(mlops_store *s, mlops_monitors **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    mlops_monitors *l = calloc(1, sizeof *l);
    if (!l) return mlops__err_nomem("listing monitors");
    int rc = mlops__store_read(s, list_tx, l);
    if (rc) {
        mlops_monitors_free(l);
        return rc;
    }
    *out = l;
    return MLOPS_OK;
}
