/* A report's figures as run metrics (include/mlops/track.h), all in one
 * mlops_run_log_metrics call: one transaction, all or nothing. */
#include "drift/drift_internal.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/err.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *key_of(mlops__arena *a, const char *col, const char *what)
{
    size_t n = strlen("drift.") + strlen(col) + 1 + strlen(what) + 1;
    char *k = mlops__arena_alloc(a, n);
    if (k) snprintf(k, n, "drift.%s.%s", col, what);
    return k;
}

MLOPS_API int mlops_drift_report_log(mlops_run *run, const mlops_drift_report *r, int64_t step, int64_t ts_ms)
{
    if (!run) return mlops__err_null(__func__, "run");
    if (!r) return mlops__err_null(__func__, "r");
    if (ts_ms == 0) ts_ms = mlops__now_ms();
    size_t cap = 5 * r->n_columns + 2, n = 0;
    mlops__arena a = MLOPS__ARENA_INIT;
    mlops_metric *m = mlops__arena_alloc(&a, cap * sizeof *m);
    if (!m) return mlops__err_nomem(__func__);
    int nomem = 0;
#define PUT(k, v)                                                    \
    do {                                                             \
        const char *k_ = (k);                                        \
        nomem |= !k_;                                                \
        m[n++] = (mlops_metric){ k_, (v), step, ts_ms };             \
    } while (0)
    for (size_t i = 0; i < r->n_columns; i++) {
        const mlops_drift_column_result *c = r->columns[i];
        PUT(key_of(&a, c->name, c->method_name), c->statistic);
        if (!isnan(c->p_value)) {
            PUT(key_of(&a, c->name, "p_value"), c->p_value);
            PUT(key_of(&a, c->name, "log_p_value"), c->log_p_value);
        }
        PUT(key_of(&a, c->name, "drifted"), c->drifted ? 1.0 : 0.0);
        PUT(key_of(&a, c->name, "missing_p_value"), c->missing.p_value);
    }
    PUT("drift.share_drifted", r->share_drifted);
    PUT("drift.dataset_drift", r->dataset_drift ? 1.0 : 0.0);
#undef PUT
    int rc = nomem ? mlops__err_nomem(__func__) : mlops_run_log_metrics(run, m, n);
    mlops__arena_free(&a);
    return rc;
}
