/* Routing keys through a weighted alias (route.h holds the rule): one key
 * with the store, or many from a snapshot taken once. A snapshot is the
 * alias's split object and the bucket table; routing from it touches no
 * database, lock or allocator, so any number of threads share one. */
#include "registry/alias_split.h"
#include "registry/route.h"

#include "util/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct mlops_route_snapshot {
    mlops__route_snapshot r;
    mlops_alias_split *split;
};

/* A split of more than one version routes by its salt, which the move that
 * made it stored: without one, keys would land where no other reader of the
 * store puts them. */
static int check_salt(const char *fn, const char *model, const char *alias, const mlops__split *sp,
                      const char *salt)
{
    if (sp->n > 1 && !salt)
        return mlops__err(MLOPS_ECORRUPT, "%s: alias '%s@%s' has a split of %zu versions but no "
                          "routing salt", fn, model, alias, sp->n);
    return MLOPS_OK;
}

static int check_args(const char *fn, mlops_store *s, const char *model, const char *alias)
{
    if (!s) return mlops__err_null(fn, "s");
    int rc = mlops__reg_check_model_name(fn, "model name", model);
    return rc ? rc : mlops__reg_check_alias(fn, alias, 0);
}

struct route_ctx {
    const char *fn, *model, *alias;
    const void *key;
    size_t key_len;
    int64_t version;                /* mlops_model_route */
    mlops_alias_split *split;       /* mlops_model_route_snapshot */
};

static int route_tx(mlops__conn *c, void *arg)
{
    struct route_ctx *x = arg;
    int64_t model_id = 0;
    mlops__split sp;
    char *salt = NULL;
    /* A retried read (a lost COMMIT) starts again from nothing. */
    mlops_alias_split_free(x->split);
    x->split = NULL;
    int rc = mlops__reg_model_id(c, x->fn, x->model, &model_id);
    if (!rc) rc = mlops__alias_split_now(c, x->fn, x->model, model_id, x->alias, &sp, &salt);
    if (!rc) rc = check_salt(x->fn, x->model, x->alias, &sp, salt);
    if (!rc && x->key) {
        x->version = mlops__route_split(&sp, salt ? salt : "", salt ? strlen(salt) : 0, x->key,
                                        x->key_len);
    } else if (!rc) {
        rc = mlops__alias_split_new(x->alias, &sp, salt, &x->split);
    }
    free(salt);
    return rc;
}

MLOPS_API int mlops_model_route(mlops_store *s, const char *model, const char *alias,
                                const void *key, size_t key_len, int64_t *version)
{
    int rc = check_args(__func__, s, model, alias);
    if (!rc) rc = mlops__check_array(__func__, "key", key, key_len, 1);
    if (!rc && !version) rc = mlops__err_null(__func__, "version");
    if (rc) return rc;
    /* "" for an empty key: route_tx tells the two calls apart by key. */
    struct route_ctx x = { __func__, model, alias, key_len ? key : "", key_len, 0, NULL };
    rc = mlops__store_read(s, route_tx, &x);
    if (!rc) *version = x.version;
    return rc;
}

MLOPS_API int mlops_model_route_snapshot(mlops_store *s, const char *model, const char *alias,
                                         mlops_route_snapshot **out)
{
    int rc = check_args(__func__, s, model, alias);
    if (!rc && !out) rc = mlops__err_null(__func__, "out");
    if (rc) return rc;
    struct route_ctx x = { __func__, model, alias, NULL, 0, 0, NULL };
    mlops_route_snapshot *snap = malloc(sizeof *snap);
    if (!snap) return mlops__err_nomem("taking a routing snapshot");
    rc = mlops__store_read(s, route_tx, &x);
    if (!rc)
        rc = mlops__route_snapshot_init(__func__, &snap->r, &x.split->split, x.split->salt,
                                        strlen(x.split->salt));
    if (rc) {
        mlops_alias_split_free(x.split);
        free(snap);
        return rc;
    }
    snap->split = x.split;
    *out = snap;
    return MLOPS_OK;
}

/* The messages of a refused mlops_route_snapshot_route, out of its hot path. */
static int route_refused(const char *fn, const mlops_route_snapshot *snap, const void *key,
                         size_t key_len)
{
    if (!snap) return mlops__err_null(fn, "snap");
    int rc = mlops__check_array(fn, "key", key, key_len, 1);
    return rc ? rc : mlops__err_null(fn, "version");
}

MLOPS_API int mlops_route_snapshot_route(const mlops_route_snapshot *snap, const void *key,
                                         size_t key_len, int64_t *version)
{
    /* The checks of mlops__check_array, inline: this runs once per key. */
    if (!snap || !version || (!key && key_len) || key_len > (size_t)PTRDIFF_MAX)
        return route_refused(__func__, snap, key, key_len);
    *version = mlops__route_key(&snap->r, key_len ? key : "", key_len);
    return MLOPS_OK;
}

MLOPS_API const mlops_alias_split *mlops_route_snapshot_split(const mlops_route_snapshot *snap)
{
    return snap ? snap->split : NULL;
}

MLOPS_API void mlops_route_snapshot_free(mlops_route_snapshot *snap)
{
    if (!snap) return;
    mlops_alias_split_free(snap->split);
    free(snap);
}
