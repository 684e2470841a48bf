/* Listing and searching registered models by name pattern and tags. */
#include "registry/registry_internal.h"
#include "util/err.h"
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

static int check_opts(const char *func, const mlops_model_search_opts *o)
{
    if (o->version == 0 || o->version > MLOPS_MODEL_SEARCH_OPTS_VERSION)
        return mlops__err(MLOPS_EINVAL,
                          "%s: options version %u is not supported (initialise them with "
                          "mlops_model_search_opts_init)",
                          func, o->version);
    if (o->name_glob && mlops__reg_check_text(func, "name pattern", o->name_glob, 0))
        return MLOPS_EINVAL;
    if (o->ntags && !o->tag_keys) return mlops__err_null(func, "tag_keys");
    for (size_t i = 0; i < o->ntags; i++) {
        if (mlops__check_name(func, "tag key", o->tag_keys[i], MLOPS_REGISTRY_NAME_MAX))
            return MLOPS_EINVAL;
        if (o->tag_values && mlops__reg_check_text(func, "tag value", o->tag_values[i], 1))
            return MLOPS_EINVAL;
    }
    return MLOPS_OK;
}

/* Whether model id has every tag the options ask for. */
static int tags_match(mlops__conn *c, const mlops_model_search_opts *o, int64_t id, int *match)
{
    *match = 1;
    for (size_t i = 0; i < o->ntags && *match; i++) {
        sqlite3_stmt *st;
        int rc = mlops__conn_stmt(
            c, "SELECT value FROM reg_model_tags WHERE model_id = ?1 AND key = ?2", &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, id);
        if (!rc) rc = mlops__bind_text(c, st, 2, o->tag_keys[i]);
        if (rc) return rc;
        int step = sqlite3_step(st);
        const char *want = o->tag_values ? o->tag_values[i] : NULL;
        if (step == SQLITE_ROW) {
            const char *have = (const char *)sqlite3_column_text(st, 0);
            if (want && (!have || strcmp(have, want) != 0)) *match = 0;
        } else if (step == SQLITE_DONE) {
            *match = 0;
        } else {
            rc = mlops__conn_error(c, step, "reading tags");
        }
        sqlite3_reset(st);
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
    const mlops_model_search_opts *o;
    mlops_models *list;
};

/* The matching ids first, then each model: no statement stays open
 * while the models load. */
static int search_tx(mlops__conn *c, void *arg)
{
    struct search_ctx *x = arg;
    sqlite3_stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT id FROM reg_models WHERE (?1 IS NULL OR name GLOB ?1) "
                              "AND (?2 OR deleted_ms IS NULL) ORDER BY name, id",
                              &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, x->o->name_glob);
    if (!rc) rc = mlops__bind_int64(c, st, 2, x->o->include_deleted ? 1 : 0);
    if (rc) return rc;
    size_t n = 0;
    int64_t *ids = NULL;
    rc = mlops__reg_collect_ids(c, st, &ids, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        int match;
        rc = tags_match(c, x->o, ids[i], &match);
        if (rc || !match) continue;
        mlops_model *m;
        rc = mlops__reg_model_load(c, ids[i], &m);
        if (!rc && (rc = push(x->list, m)) != MLOPS_OK) mlops__reg_model_destroy(m);
    }
    free(ids);
    return rc;
}

MLOPS_API int mlops_model_search(mlops_store *s, const mlops_model_search_opts *opts,
                                 mlops_models **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    mlops_model_search_opts defaults = MLOPS_MODEL_SEARCH_OPTS_INIT;
    const mlops_model_search_opts *o = opts ? opts : &defaults;
    int rc = check_opts(__func__, o);
    if (rc) return rc;
    struct search_ctx x = { o, calloc(1, sizeof(mlops_models)) };
    if (!x.list) return mlops__err_nomem("listing models");
    rc = mlops__store_read(s, search_tx, &x);
    if (rc) {
        mlops_models_free(x.list);
        return rc;
    }
    *out = x.list;
    return MLOPS_OK;
}
