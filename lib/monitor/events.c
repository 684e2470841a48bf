/* mlops_monitor_events: a page of a monitor's alert events. */
#include "monitor/monitor_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <stdlib.h>

MLOPS_API int mlops_monitor_events_opts_init(mlops_monitor_events_opts *opts, unsigned version)
{
    static const mlops_monitor_events_opts defaults = MLOPS_MONITOR_EVENTS_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_MONITOR_EVENTS_OPTS_VERSION);
}

typedef struct events_op {
    const char *fn, *name;
    const mlops_monitor_events_opts *o;
    mlops_monitor_event *ev;
    size_t n;
} events_op;

static int events_tx(mlops__conn *c, void *arg)
{
    events_op *op = arg;
    free(op->ev);
    op->ev = NULL;
    op->n = 0;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT id FROM mon_monitors WHERE name = ?1", &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, op->name);
    if (rc) return rc;
    int step = mlops__step(st);
    int64_t id = step == MLOPS__ROW ? mlops__col_int64(st, 0) : 0;
    mlops__reset(st);
    if (step == MLOPS__DONE) return mlops__err(MLOPS_ENOTFOUND, "%s: no monitor '%s'", op->fn, op->name);
    if (step != MLOPS__ROW) return mlops__conn_error(c, step, "reading a monitor");
    rc = mlops__conn_stmt(c,
                          "SELECT seq, kind, window_start_ms, window_end_ms, checked_ms, breaches, "
                          "considered FROM mon_events WHERE monitor_id = ?1 AND seq > ?2 AND "
                          "window_end_ms >= ?3 AND window_end_ms < ?4 ORDER BY seq LIMIT ?5",
                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, op->o->after_seq);
    if (!rc) rc = mlops__bind_int64(c, st, 3, op->o->from_ms);
    if (!rc) rc = mlops__bind_int64(c, st, 4, op->o->to_ms);
    if (!rc) rc = mlops__bind_int64(c, st, 5, op->o->limit);
    if (rc) return rc;
    size_t cap = 0;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (op->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            mlops_monitor_event *ev = realloc(op->ev, ncap * sizeof *ev);
            if (!ev) {
                rc = mlops__err_nomem(op->fn);
                break;
            }
            op->ev = ev;
            cap = ncap;
        }
        mlops_monitor_event *e = &op->ev[op->n++];
        e->seq = mlops__col_int64(st, 0);
        e->kind = mlops__col_int(st, 1);
        e->window_start_ms = mlops__col_int64(st, 2);
        e->window_end_ms = mlops__col_int64(st, 3);
        e->checked_ms = mlops__col_int64(st, 4);
        e->breaches = (uint32_t)mlops__col_int64(st, 5);
        e->considered = (uint32_t)mlops__col_int64(st, 6);
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading events");
    mlops__reset(st);
    return rc;
}

MLOPS_API int mlops_monitor_events(mlops_store *s, const char *name,
                                   const mlops_monitor_events_opts *opts,
                                   mlops_monitor_event **out, size_t *n)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (!n) return mlops__err_null(__func__, "n");
    *n = 0;
    if (!s) return mlops__err_null(__func__, "s");
    mlops_monitor_events_opts dflt = MLOPS_MONITOR_EVENTS_OPTS_INIT;
    if (!opts) opts = &dflt;
    int rc = mlops__monitor_check_name(__func__, name);
    if (!rc) rc = mlops__opts_check(__func__, opts->version, MLOPS_MONITOR_EVENTS_OPTS_VERSION,
                                    "mlops_monitor_events_opts_init");
    if (!rc && (opts->limit < 1 || opts->limit > 100000))
        rc = mlops__err(MLOPS_EINVAL, "%s: limit %u is not 1..100000", __func__, opts->limit);
    if (!rc && opts->after_seq < 0)
        rc = mlops__err(MLOPS_EINVAL, "%s: after_seq %lld is negative", __func__, (long long)opts->after_seq);
    if (rc) return rc;
    events_op op = { __func__, name, opts, NULL, 0 };
    rc = mlops__store_read(s, events_tx, &op);
    if (rc) {
        free(op.ev);
        return rc;
    }
    *out = op.ev;
    *n = op.n;
    return MLOPS_OK;
}
