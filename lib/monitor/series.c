/* mlops_monitor_series_get: the windows of a time range with their
 * columns' judged figures, one row per window (format 6 packs a window's
 * figures in mon_windows.judged; windows judged under format 5 keep them
 * in mon_window_columns). */
#include "monitor/monitor_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct mlops_monitor_series {
    mlops_monitor *m;
    size_t n, cap, nc;
    mlops_monitor_window *w;
    mlops_monitor_window_column *cells; /* n * nc */
    mlops_monitor_performance *perf;    /* n, with a task */
};

MLOPS_API void mlops_monitor_series_free(mlops_monitor_series *sr)
{
    if (!sr) return;
    mlops_monitor_free(sr->m);
    free(sr->w);
    free(sr->cells);
    free(sr->perf);
    free(sr);
}

typedef struct series_op {
    const char *fn, *name;
    int64_t from, to;
    mlops_monitor_series *sr;
} series_op;

static double col_double(mlops__stmt *st, int i)
{
    return mlops__col_null(st, i) ? NAN : mlops__col_double(st, i);
}

static int grow(mlops_monitor_series *sr, const char *fn)
{
    size_t ncap = sr->cap ? sr->cap * 2 : 256;
    mlops_monitor_window *w = realloc(sr->w, ncap * sizeof *w);
    if (w) sr->w = w;
    mlops_monitor_window_column *cells = w ? realloc(sr->cells, ncap * sr->nc * sizeof *cells) : NULL;
    if (!cells) return mlops__err_nomem(fn);
    sr->cells = cells;
    sr->cap = ncap;
    return MLOPS_OK;
}

/* The figures of window i as a format 5 store recorded them, per column. */
static int read_legacy(mlops__conn *c, mlops_monitor_series *sr, size_t i)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT pos, statistic, p_value, drifted FROM mon_window_columns "
                                 "WHERE monitor_id = ?1 AND start_ms = ?2", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, sr->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, sr->w[i].start_ms);
    if (rc) return rc;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        int64_t pos = mlops__col_int64(st, 0);
        if (pos < 0 || (size_t)pos >= sr->nc) continue;
        mlops_monitor_window_column *cell = &sr->cells[i * sr->nc + (size_t)pos];
        cell->statistic = col_double(st, 1);
        cell->p_value = col_double(st, 2);
        cell->drifted = mlops__col_null(st, 3) ? -1 : mlops__col_int(st, 3);
    }
    mlops__reset(st);
    return step == MLOPS__DONE ? MLOPS_OK : mlops__conn_error(c, step, "reading a series");
}

static int series_tx(mlops__conn *c, void *arg)
{
    series_op *op = arg;
    mlops_monitor_series *sr = op->sr;
    mlops_monitor_free(sr->m);
    sr->m = NULL;
    sr->n = 0;
    int rc = mlops__monitor_load(c, op->fn, op->name, &sr->m);
    if (rc) return rc;
    sr->nc = sr->m->spec.n_columns;
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "SELECT start_ms, end_ms, n_rows, judged_rows, state, n_drifted, share_drifted, "
                          "judged FROM mon_windows WHERE monitor_id = ?1 AND start_ms >= ?2 "
                          "AND start_ms < ?3 ORDER BY start_ms",
                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, sr->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, op->from);
    if (!rc) rc = mlops__bind_int64(c, st, 3, op->to);
    if (rc) return rc;
    int step, legacy = 0;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (sr->n == sr->cap && (rc = grow(sr, op->fn))) break;
        mlops_monitor_window *w = &sr->w[sr->n++];
        w->start_ms = mlops__col_int64(st, 0);
        w->end_ms = mlops__col_int64(st, 1);
        w->rows = (uint64_t)mlops__col_int64(st, 2);
        w->judged_rows = (uint64_t)mlops__col_int64(st, 3);
        w->state = mlops__col_int(st, 4);
        w->n_drifted = (uint32_t)mlops__col_int64(st, 5);
        w->share_drifted = col_double(st, 6);
        mlops_monitor_window_column *cells = &sr->cells[(sr->n - 1) * sr->nc];
        if (!mlops__col_null(st, 7)) {
            rc = mlops__monitor_unpack_judged(mlops__col_blob(st, 7), (size_t)mlops__col_bytes(st, 7),
                                              sr->nc, cells);
            if (rc) break;
            continue;
        }
        for (size_t j = 0; j < sr->nc; j++) {
            cells[j].statistic = cells[j].p_value = NAN;
            cells[j].drifted = -1;
        }
        legacy |= w->state == MLOPS_MONITOR_WINDOW_CLEAR || w->state == MLOPS_MONITOR_WINDOW_BREACH;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading a series");
    mlops__reset(st);
    /* Windows judged under format 5 keep their figures per column. */
    for (size_t i = 0; !rc && legacy && i < sr->n; i++) {
        const mlops_monitor_window *w = &sr->w[i];
        if (w->state != MLOPS_MONITOR_WINDOW_CLEAR && w->state != MLOPS_MONITOR_WINDOW_BREACH) continue;
        if (sr->cells[i * sr->nc].drifted != -1) continue;
        rc = read_legacy(c, sr, i);
    }
    /* Performance: only monitors with a task have predictions and labels. */
    free(sr->perf);
    sr->perf = NULL;
    if (!rc && sr->m->task != MLOPS_MONITOR_TASK_NONE && sr->n) {
        if (!(sr->perf = calloc(sr->n, sizeof *sr->perf))) return mlops__err_nomem(op->fn);
        for (size_t i = 0; !rc && i < sr->n; i++)
            rc = mlops__monitor_perf_read(c, sr->m, sr->w[i].start_ms, &sr->perf[i]);
    }
    return rc;
}

MLOPS_API int mlops_monitor_series_get(mlops_store *s, const char *name, int64_t from_ms,
                                       int64_t to_ms, mlops_monitor_series **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    int rc = mlops__monitor_check_name(__func__, name);
    if (rc) return rc;
    mlops_monitor_series *sr = calloc(1, sizeof *sr);
    if (!sr) return mlops__err_nomem(__func__);
    series_op op = { __func__, name, from_ms, to_ms, sr };
    rc = mlops__store_read(s, series_tx, &op);
    if (rc) {
        mlops_monitor_series_free(sr);
        return rc;
    }
    *out = sr;
    return MLOPS_OK;
}

MLOPS_API size_t mlops_monitor_series_count(const mlops_monitor_series *sr)
{
    return sr ? sr->n : 0;
}

MLOPS_API size_t mlops_monitor_series_columns(const mlops_monitor_series *sr)
{
    return sr ? sr->nc : 0;
}

MLOPS_API const char *mlops_monitor_series_column_name(const mlops_monitor_series *sr, size_t j)
{
    return sr && j < sr->nc ? sr->m->col_names[j] : NULL;
}

MLOPS_API int mlops_monitor_series_window(const mlops_monitor_series *sr, size_t i,
                                          mlops_monitor_window *w)
{
    if (!sr) return mlops__err_null(__func__, "sr");
    if (!w) return mlops__err_null(__func__, "w");
    if (i >= sr->n) return mlops__err(MLOPS_EINVAL, "%s: window %zu of %zu", __func__, i, sr->n);
    *w = sr->w[i];
    return MLOPS_OK;
}

MLOPS_API int mlops_monitor_series_cell(const mlops_monitor_series *sr, size_t i, size_t j,
                                        mlops_monitor_window_column *c)
{
    if (!sr) return mlops__err_null(__func__, "sr");
    if (!c) return mlops__err_null(__func__, "c");
    if (i >= sr->n || j >= sr->nc)
        return mlops__err(MLOPS_EINVAL, "%s: cell (%zu, %zu) of %zu x %zu", __func__, i, j, sr->n, sr->nc);
    *c = sr->cells[i * sr->nc + j];
    return MLOPS_OK;
}

MLOPS_API int mlops_monitor_series_performance(const mlops_monitor_series *sr, size_t i,
                                               mlops_monitor_performance *p)
{
    if (!sr) return mlops__err_null(__func__, "sr");
    if (!p) return mlops__err_null(__func__, "p");
    int rc = mlops__opts_check(__func__, p->version, MLOPS_MONITOR_PERFORMANCE_VERSION,
                               "mlops_monitor_performance_init");
    if (rc) return rc;
    if (i >= sr->n) return mlops__err(MLOPS_EINVAL, "%s: window %zu of %zu", __func__, i, sr->n);
    if (sr->perf) *p = sr->perf[i];
    else {
        p->task = MLOPS_MONITOR_TASK_NONE;
        p->labels = p->judged_labels = 0;
        p->accuracy = p->balanced_accuracy = p->f1_macro = NAN;
        p->mae = p->mse = p->rmse = p->r2 = p->mean_error = NAN;
        p->judged_value = NAN;
    }
    p->version = MLOPS_MONITOR_PERFORMANCE_VERSION;
    return MLOPS_OK;
}
