/* Listing and searching registered models by name pattern and tags. */
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/lifecycle.h"
#include "util/opts.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

struct mlops_models {
    size_t n, cap;
    mlops_model **items;
};

MLOPS_API int mlops_model_search_opts_init(mlops_model_search_opts *opts, unsigned version)
{
    static const mlops_model_search_opts defaults = MLOPS_MODEL_SEARCH_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_MODEL_SEARCH_OPTS_VERSION);
}

MLOPS_API void mlops_models_free(mlops_models *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) mlops__reg_model_destroy(l->items[i]);
    free(l->items);
    free(l);
}

MLOPS_API size_t mlops_models_count(const mlops_models *l)
{
    return l ? l->n : 0;
}

MLOPS_API const mlops_model *mlops_models_at(const mlops_models *l, size_t i)
{
    return l && i < l->n ? l->items[i] : NULL;
}

/* What both searches ask: the 1.0 options (include_deleted, keys up to
 * MLOPS_REGISTRY_NAME_MAX) and the 1.1 ones (lifecycle, keys up to
 * MLOPS_KEY_MAX) are read into this. */
struct query {
    const char *name_glob;
    const char *const *tag_keys;
    const char *const *tag_values;
    size_t ntags;
    int lifecycle;
    size_t key_max;
};

static int check_query(const char *func, const struct query *q)
{
    if (q->name_glob && mlops__reg_check_text(func, "name pattern", q->name_glob, 0))
        return MLOPS_EINVAL;
    if (mlops__check_lifecycle(func, q->lifecycle)) return MLOPS_EINVAL;
    if (mlops__check_array(func, "tag_keys", q->tag_keys, q->ntags, sizeof *q->tag_keys))
        return MLOPS_EINVAL;
    for (size_t i = 0; i < q->ntags; i++) {
        if (mlops__check_name(func, "tag key", q->tag_keys[i], q->key_max)) return MLOPS_EINVAL;
        if (q->tag_values && mlops__reg_check_text(func, "tag value", q->tag_values[i], 1))
            return MLOPS_EINVAL;
    }
    return MLOPS_OK;
}

/* Whether model id has every tag the query asks for. */
static int tags_match(mlops__conn *c, const struct query *q, int64_t id, int *match)
{
    *match = 1;
    for (size_t i = 0; i < q->ntags && *match; i++) {
        mlops__stmt *st;
        int rc = mlops__conn_stmt(
            c, "SELECT value FROM reg_model_tags WHERE model_id = ?1 AND key = ?2", &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, id);
        if (!rc) rc = mlops__bind_text(c, st, 2, q->tag_keys[i]);
        if (rc) return rc;
        int step = mlops__step(st);
        const char *want = q->tag_values ? q->tag_values[i] : NULL;
        if (step == MLOPS__ROW) {
            const char *have = mlops__col_text(st, 0);
            if (want && (!have || strcmp(have, want) != 0)) *match = 0;
        } else if (step == MLOPS__DONE) {
            *match = 0;
        } else {
            rc = mlops__conn_error(c, step, "reading tags");
        }
        mlops__reset(st);
        if (rc) return rc;
    }
    return MLOPS_OK;
}

static int push(mlops_models *l, mlops_model *m)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        mlops_model **p = realloc(l->items, cap * sizeof *p);
        if (!p) return mlops__err_nomem("listing models");
        l->items = p;
        l->cap = cap;
    }
    l->items[l->n++] = m;
    return MLOPS_OK;
}

struct search_ctx {
    const struct query *q;
    mlops_models *list;
};

/* Whether the SQL of candidates() matches the name pattern exactly: on
 * SQLite (GLOB) unless the pattern is longer than SQLite takes (then every
 * name is a candidate); PostgreSQL has no GLOB. Otherwise search_tx
 * matches the pattern itself. */
static int sql_matches(mlops__conn *c, const struct query *q)
{
    return !q->name_glob || (mlops__conn_dialect(c) == MLOPS__SQLITE &&
                             strlen(q->name_glob) <= (size_t)mlops__conn_like_max(c));
}

/* The ids of the models whose names may match, in order: on SQLite those
 * whose names match (GLOB); on PostgreSQL those whose names match a LIKE
 * pattern that every matching name matches. */
static int candidates(mlops__conn *c, const struct query *q, int64_t **ids, size_t *n)
{
    mlops__stmt *st;
    mlops__buf like = MLOPS__BUF_INIT;
    int rc;
    if (mlops__conn_dialect(c) == MLOPS__POSTGRES) {
        mlops__reg_glob_like(q->name_glob ? q->name_glob : "*", &like);
        if (like.failed) {
            mlops__buf_free(&like);
            return mlops__err_nomem("listing models");
        }
        rc = mlops__conn_stmt(c,
                              "SELECT id FROM reg_models WHERE name LIKE ?1 "
                              "AND " MLOPS__LIFECYCLE_SQL("deleted_ms", 2) " ORDER BY name, id",
                              &st);
        if (!rc) rc = mlops__bind_text(c, st, 1, mlops__buf_str(&like));
    } else {
        rc = mlops__conn_stmt(c,
                              "SELECT id FROM reg_models WHERE (?1 IS NULL OR name GLOB ?1) "
                              "AND " MLOPS__LIFECYCLE_SQL("deleted_ms", 2) " ORDER BY name, id",
                              &st);
        if (!rc) rc = mlops__bind_text(c, st, 1, sql_matches(c, q) ? q->name_glob : NULL);
    }
    mlops__buf_free(&like);
    if (!rc) rc = mlops__bind_int64(c, st, 2, q->lifecycle);
    if (!rc) rc = mlops__reg_collect_ids(c, st, ids, n);
    return rc;
}

/* The matching ids first, then each model: no statement stays open
 * while the models load. */
static int search_tx(mlops__conn *c, void *arg)
{
    struct search_ctx *x = arg;
    for (size_t i = 0; i < x->list->n; i++) mlops__reg_model_destroy(x->list->items[i]);
    x->list->n = 0; /* a retried transaction runs this again (lib/store/store.c run_tx) */
    int exact = sql_matches(c, x->q);
    size_t n = 0;
    int64_t *ids = NULL;
    int rc = candidates(c, x->q, &ids, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        int match;
        rc = tags_match(c, x->q, ids[i], &match);
        if (rc || !match) continue;
        mlops_model *m;
        rc = mlops__reg_model_load(c, ids[i], &m);
        if (rc) continue;
        if (!exact && !mlops__reg_glob_match(x->q->name_glob, mlops_model_name(m)))
            mlops__reg_model_destroy(m);
        else if ((rc = push(x->list, m)) != MLOPS_OK)
            mlops__reg_model_destroy(m);
    }
    free(ids);
    return rc;
}

/* The one search behind mlops_model_search and mlops_model_search_ex;
 * s and out are checked by the caller. */
static int search(const char *func, mlops_store *s, const struct query *q, mlops_models **out)
{
    int rc = check_query(func, q);
    if (rc) return rc;
    struct search_ctx x = { q, calloc(1, sizeof(mlops_models)) };
    if (!x.list) return mlops__err_nomem("listing models");
    rc = mlops__store_read(s, search_tx, &x);
    if (rc) {
        mlops_models_free(x.list);
        return rc;
    }
    *out = x.list;
    return MLOPS_OK;
}

MLOPS_API int mlops_model_search(mlops_store *s, const mlops_model_search_opts *opts,
                                 mlops_models **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    mlops_model_search_opts defaults = MLOPS_MODEL_SEARCH_OPTS_INIT;
    const mlops_model_search_opts *o = opts ? opts : &defaults;
    if (o->version == 0 || o->version > MLOPS_MODEL_SEARCH_OPTS_VERSION)
        return mlops__err(MLOPS_EINVAL,
                          "%s: options version %u is not supported (initialise them with "
                          "mlops_model_search_opts_init)",
                          __func__, o->version);
    struct query q = { o->name_glob, o->tag_keys,
                       o->tag_values, o->ntags,
                       o->include_deleted ? MLOPS_LIFECYCLE_ALL : MLOPS_LIFECYCLE_ACTIVE,
                       MLOPS_REGISTRY_NAME_MAX };
    return search(__func__, s, &q, out);
}

MLOPS_API int mlops_model_search_ex_opts_init(mlops_model_search_ex_opts *opts,
                                              unsigned version)
{
    static const mlops_model_search_ex_opts defaults = MLOPS_MODEL_SEARCH_EX_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_MODEL_SEARCH_EX_OPTS_VERSION);
}

MLOPS_API int mlops_model_search_ex(mlops_store *s, const mlops_model_search_ex_opts *opts,
                                    mlops_models **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    mlops_model_search_ex_opts o = MLOPS_MODEL_SEARCH_EX_OPTS_INIT;
    if (opts) {
        if (mlops__opts_check(__func__, opts->version, MLOPS_MODEL_SEARCH_EX_OPTS_VERSION,
                              "mlops_model_search_ex_opts_init"))
            return MLOPS_EINVAL;
        o = *opts; /* version 1 is the only version so far: every field */
    }
    struct query q = { o.name_glob, o.tag_keys, o.tag_values, o.ntags, o.lifecycle,
                       MLOPS_KEY_MAX };
    return search(__func__, s, &q, out);
}
