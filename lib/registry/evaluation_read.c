/* Evaluation records read back: mlops_evaluation snapshots (one by id, or
 * a page of a version's evaluations) and their metrics. */
#include "registry/registry_internal.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/opts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct eval_metric {
    const char *name;
    double value;
    int reason;
    int has_interval;
    double low, high;
};

struct mlops_evaluation {
    int64_t id;
    const char *model;
    int64_t number;
    mlops_digest dataset;
    int64_t created_ms;
    const char *actor;
    const char *reason; /* NULL when none */
    size_t nmetrics;
    struct eval_metric *metrics; /* by name */
    mlops__arena arena;          /* every string and the metrics */
};

struct mlops_evaluations {
    size_t n;
    mlops_evaluation **items;
};

static void evaluation_destroy(mlops_evaluation *e)
{
    if (!e) return;
    mlops__arena_free(&e->arena);
    free(e);
}

MLOPS_API void mlops_evaluation_free(mlops_evaluation *e)
{
    evaluation_destroy(e);
}

MLOPS_API void mlops_evaluations_free(mlops_evaluations *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) evaluation_destroy(l->items[i]);
    free(l->items);
    free(l);
}

/* The columns every evaluation query selects, in this order. */
#define EVAL_COLUMNS                                                                   \
    "SELECT e.id, m.name, v.number, e.dataset, e.created_ms, e.actor, e.reason "        \
    "FROM reg_evaluations e JOIN reg_versions v ON v.id = e.version_id "               \
    "JOIN reg_models m ON m.id = v.model_id "

/* The current row of an EVAL_COLUMNS query into a new snapshot (no
 * metrics yet). */
static int evaluation_from_row(mlops__stmt *st, mlops_evaluation **out)
{
    mlops_evaluation *e = calloc(1, sizeof *e);
    if (!e) return mlops__err_nomem("reading an evaluation");
    e->id = mlops__col_int64(st, 0);
    e->model = mlops__arena_strdup(&e->arena, mlops__col_text(st, 1));
    e->number = mlops__col_int64(st, 2);
    if (mlops__col_bytes(st, 3) == (int)sizeof e->dataset.bytes)
        memcpy(e->dataset.bytes, mlops__col_blob(st, 3), sizeof e->dataset.bytes);
    e->created_ms = mlops__col_int64(st, 4);
    e->actor = mlops__arena_strdup(&e->arena, mlops__col_text(st, 5));
    const char *reason = mlops__col_text(st, 6);
    e->reason = reason ? mlops__arena_strdup(&e->arena, reason) : NULL;
    if (!e->model || !e->actor || (reason && !e->reason)) {
        evaluation_destroy(e);
        return mlops__err_nomem("reading an evaluation");
    }
    *out = e;
    return MLOPS_OK;
}

/* The metrics of e, by name (bytewise on both backends: the column is
 * COLLATE "C" on PostgreSQL). */
static int load_metrics(mlops__conn *c, mlops_evaluation *e)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT name, value_bits, reason, low_bits, high_bits "
                              "FROM reg_evaluation_metrics WHERE evaluation_id = ?1 ORDER BY name",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, e->id);
    if (rc) return rc;
    size_t cap = 0;
    int step;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        if (e->nmetrics == cap) {
            size_t ncap = cap ? 2 * cap : 8;
            struct eval_metric *grown = mlops__arena_alloc(&e->arena, ncap * sizeof *grown);
            if (!grown) {
                rc = mlops__err_nomem("reading an evaluation's metrics");
                break;
            }
            if (e->nmetrics) memcpy(grown, e->metrics, e->nmetrics * sizeof *grown);
            e->metrics = grown;
            cap = ncap;
        }
        struct eval_metric *m = &e->metrics[e->nmetrics];
        m->name = mlops__arena_strdup(&e->arena, mlops__col_text(st, 0));
        if (!m->name) {
            rc = mlops__err_nomem("reading an evaluation's metrics");
            break;
        }
        m->value = mlops__evaluation_double(mlops__col_int64(st, 1));
        m->reason = mlops__col_int(st, 2);
        m->has_interval = !mlops__col_null(st, 3) && !mlops__col_null(st, 4);
        m->low = m->has_interval ? mlops__evaluation_double(mlops__col_int64(st, 3)) : NAN;
        m->high = m->has_interval ? mlops__evaluation_double(mlops__col_int64(st, 4)) : NAN;
        e->nmetrics++;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading an evaluation's metrics");
    mlops__reset(st);
    return rc;
}

/* ---- One by id --------------------------------------------------------- */

struct get {
    const char *fn;
    int64_t id;
    mlops_evaluation *e;
};

static int get_tx(mlops__conn *c, void *arg)
{
    struct get *g = arg;
    evaluation_destroy(g->e); /* a retried transaction's (run_tx) */
    g->e = NULL;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, EVAL_COLUMNS "WHERE e.id = ?1", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, g->id);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW)
        rc = evaluation_from_row(st, &g->e);
    else if (step == MLOPS__DONE)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: no evaluation %lld", g->fn, (long long)g->id);
    else
        rc = mlops__conn_error(c, step, "reading an evaluation");
    mlops__reset(st);
    if (!rc) rc = load_metrics(c, g->e);
    return rc;
}

MLOPS_API int mlops_evaluation_get(mlops_store *s, int64_t id, mlops_evaluation **out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (id < 1)
        return mlops__err(MLOPS_EINVAL, "%s: %lld is not an evaluation id", __func__, (long long)id);
    struct get g = { __func__, id, NULL };
    int rc = mlops__store_read(s, get_tx, &g);
    if (rc) {
        evaluation_destroy(g.e);
        return rc;
    }
    *out = g.e;
    return MLOPS_OK;
}

/* ---- A version's, a page at a time ------------------------------------- */

MLOPS_API int mlops_evaluation_list_opts_init(mlops_evaluation_list_opts *opts,
                                              unsigned version)
{
    static const mlops_evaluation_list_opts defaults = MLOPS_EVALUATION_LIST_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_EVALUATION_LIST_OPTS_VERSION);
}

struct list {
    const char *fn;
    const char *model;
    int64_t number;
    const mlops_evaluation_list_opts *o;
    mlops_evaluations *l;
};

static int list_push(mlops_evaluations *l, mlops_evaluation *e, size_t *cap)
{
    if (l->n == *cap) {
        size_t ncap = *cap ? 2 * *cap : 8;
        mlops_evaluation **grown = realloc(l->items, ncap * sizeof *grown);
        if (!grown) return mlops__err_nomem("listing evaluations");
        l->items = grown;
        *cap = ncap;
    }
    l->items[l->n++] = e;
    return MLOPS_OK;
}

/* Empties l: a retried transaction (lib/store/store.c run_tx) starts
 * again from nothing. */
static void list_clear(mlops_evaluations *l)
{
    for (size_t i = 0; i < l->n; i++) evaluation_destroy(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

static int list_tx(mlops__conn *c, void *arg)
{
    struct list *x = arg;
    list_clear(x->l);
    int64_t model_id = 0;
    mlops__reg_version v;
    int rc = mlops__reg_model_id(c, x->fn, x->model, &model_id);
    if (!rc) rc = mlops__reg_version_find(c, x->fn, x->model, model_id, x->number, 1, &v);
    if (rc) return rc;
    /* Two texts rather than "?2 IS NULL OR": the index then serves both. */
    mlops__stmt *st;
    rc = x->o->dataset ? mlops__conn_stmt(c,
                                          EVAL_COLUMNS "WHERE e.version_id = ?1 AND e.id > ?2 "
                                                       "AND e.dataset = ?4 ORDER BY e.id LIMIT ?3",
                                          &st)
                       : mlops__conn_stmt(c,
                                          EVAL_COLUMNS "WHERE e.version_id = ?1 AND e.id > ?2 "
                                                       "ORDER BY e.id LIMIT ?3",
                                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, v.id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, x->o->after_id);
    /* no limit is the largest one: neither backend takes a negative LIMIT
     * the same way */
    if (!rc)
        rc = mlops__bind_int64(c, st, 3,
                               x->o->limit && x->o->limit < (size_t)INT64_MAX ? (int64_t)x->o->limit
                                                                              : INT64_MAX);
    if (!rc && x->o->dataset)
        rc = mlops__bind_blob(c, st, 4, x->o->dataset->bytes, (int)sizeof x->o->dataset->bytes);
    if (rc) return rc;
    size_t cap = 0;
    int step;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        mlops_evaluation *e = NULL;
        rc = evaluation_from_row(st, &e);
        if (!rc && (rc = list_push(x->l, e, &cap))) evaluation_destroy(e);
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "listing evaluations");
    mlops__reset(st);
    for (size_t i = 0; !rc && i < x->l->n; i++) rc = load_metrics(c, x->l->items[i]);
    return rc;
}

MLOPS_API int mlops_evaluation_list(mlops_store *s, const char *model, int64_t version,
                                    const mlops_evaluation_list_opts *opts,
                                    mlops_evaluations **out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    static const mlops_evaluation_list_opts defaults = MLOPS_EVALUATION_LIST_OPTS_INIT;
    const mlops_evaluation_list_opts *o = opts ? opts : &defaults;
    int rc = mlops__opts_check(__func__, o->version, MLOPS_EVALUATION_LIST_OPTS_VERSION,
                               "mlops_evaluation_list_opts_init");
    if (!rc) rc = mlops__reg_check_model_name(__func__, "model name", model);
    if (!rc) rc = mlops__reg_check_version(__func__, version);
    if (!rc && o->after_id < 0)
        rc = mlops__err(MLOPS_EINVAL, "%s: after_id %lld is negative", __func__,
                        (long long)o->after_id);
    if (rc) return rc;
    struct list x = { __func__, model, version, o, calloc(1, sizeof *x.l) };
    if (!x.l) return mlops__err_nomem("listing evaluations");
    rc = mlops__store_read(s, list_tx, &x);
    if (rc) {
        mlops_evaluations_free(x.l);
        return rc;
    }
    *out = x.l;
    return MLOPS_OK;
}

MLOPS_API size_t mlops_evaluations_count(const mlops_evaluations *l)
{
    return l ? l->n : 0;
}

MLOPS_API const mlops_evaluation *mlops_evaluations_at(const mlops_evaluations *l, size_t i)
{
    return l && i < l->n ? l->items[i] : NULL;
}

/* ---- A snapshot's fields ----------------------------------------------- */

MLOPS_API int64_t mlops_evaluation_id(const mlops_evaluation *e)
{
    return e ? e->id : 0;
}

MLOPS_API const char *mlops_evaluation_model(const mlops_evaluation *e)
{
    return e ? e->model : NULL;
}

MLOPS_API int64_t mlops_evaluation_model_version(const mlops_evaluation *e)
{
    return e ? e->number : 0;
}

MLOPS_API const mlops_digest *mlops_evaluation_dataset(const mlops_evaluation *e)
{
    return e ? &e->dataset : NULL;
}

MLOPS_API int64_t mlops_evaluation_created_ms(const mlops_evaluation *e)
{
    return e ? e->created_ms : 0;
}

MLOPS_API const char *mlops_evaluation_actor(const mlops_evaluation *e)
{
    return e ? e->actor : NULL;
}

MLOPS_API const char *mlops_evaluation_reason(const mlops_evaluation *e)
{
    return e ? e->reason : NULL;
}

MLOPS_API int mlops_evaluation_metric_init(mlops_evaluation_metric *m, unsigned version)
{
    static const mlops_evaluation_metric defaults = MLOPS_EVALUATION_METRIC_INIT;
    return mlops__opts_init(__func__, m, &defaults, sizeof defaults, version,
                            MLOPS_EVALUATION_METRIC_VERSION);
}

MLOPS_API size_t mlops_evaluation_metric_count(const mlops_evaluation *e)
{
    return e ? e->nmetrics : 0;
}

static void fill_metric(const struct eval_metric *m, mlops_evaluation_metric *out)
{
    out->name = m->name;
    out->value = m->value;
    out->reason = m->reason;
    out->has_interval = m->has_interval;
    out->low = m->low;
    out->high = m->high;
}

MLOPS_API int mlops_evaluation_metric_at(const mlops_evaluation *e, size_t i,
                                         mlops_evaluation_metric *out)
{
    if (!e) return mlops__err_null(__func__, "e");
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__opts_check(__func__, out->version, MLOPS_EVALUATION_METRIC_VERSION,
                               "mlops_evaluation_metric_init");
    if (rc) return rc;
    if (i >= e->nmetrics)
        return mlops__err(MLOPS_EINVAL, "%s: index %zu is out of range (%zu metrics)", __func__, i,
                          e->nmetrics);
    fill_metric(&e->metrics[i], out);
    return MLOPS_OK;
}

MLOPS_API int mlops_evaluation_metric_find(const mlops_evaluation *e, const char *name,
                                           mlops_evaluation_metric *out)
{
    if (!e) return mlops__err_null(__func__, "e");
    if (!name) return mlops__err_null(__func__, "name");
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__opts_check(__func__, out->version, MLOPS_EVALUATION_METRIC_VERSION,
                               "mlops_evaluation_metric_init");
    if (rc) return rc;
    size_t lo = 0, hi = e->nmetrics; /* sorted by name, bytewise */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(e->metrics[mid].name, name);
        if (cmp == 0) {
            fill_metric(&e->metrics[mid], out);
            return MLOPS_OK;
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return mlops__err(MLOPS_ENOTFOUND, "%s: evaluation %lld has no metric '%.250s'", __func__,
                      (long long)e->id, name);
}
