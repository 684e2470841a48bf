/* Reading the splits of weighted aliases: the mlops_alias_split object and
 * its accessors, one alias's split now (mlops_model_alias_split_get), every
 * alias's (mlops_model_alias_splits). A row of reg_aliases whose split is
 * NULL is one version at 100%: version_id; otherwise the split column holds
 * the canonical text and version_id its primary (alias_split.h). */
#include "registry/alias_split.h"

#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The object ------------------------------------------------------------ */

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

int mlops__alias_split_new(const char *alias, const mlops__split *sp, const char *salt,
                           mlops_alias_split **out)
{
    mlops_alias_split *o = calloc(1, sizeof *o);
    if (o) {
        o->alias = strdup(alias);
        o->salt = dup_or_empty(salt);
    }
    if (!o || !o->alias || !o->salt) {
        mlops_alias_split_free(o);
        return mlops__err_nomem("reading an alias's split");
    }
    o->split = *sp;
    mlops__split_encode(&o->split, o->text);
    *out = o;
    return MLOPS_OK;
}

MLOPS_API void mlops_alias_split_free(mlops_alias_split *sp)
{
    if (!sp) return;
    free(sp->alias);
    free(sp->salt);
    free(sp);
}

MLOPS_API const char *mlops_alias_split_alias(const mlops_alias_split *sp)
{
    return sp ? sp->alias : NULL;
}

MLOPS_API const char *mlops_alias_split_text(const mlops_alias_split *sp)
{
    return sp ? sp->text : NULL;
}

MLOPS_API size_t mlops_alias_split_count(const mlops_alias_split *sp)
{
    return sp ? sp->split.n : 0;
}

MLOPS_API int mlops_alias_split_at(const mlops_alias_split *sp, size_t i, int64_t *version,
                                   int *weight)
{
    if (!sp) return mlops__err_null(__func__, "sp");
    if (i >= sp->split.n)
        return mlops__err(MLOPS_EINVAL, "%s: index %zu is not below %zu", __func__, i,
                          sp->split.n);
    if (version) *version = sp->split.leg[i].version;
    if (weight) *weight = sp->split.leg[i].weight;
    return MLOPS_OK;
}

MLOPS_API int64_t mlops_alias_split_primary(const mlops_alias_split *sp)
{
    return sp ? mlops__split_primary(&sp->split) : 0;
}

MLOPS_API int64_t mlops_alias_split_shadow(const mlops_alias_split *sp)
{
    return sp ? sp->split.shadow : 0;
}

MLOPS_API const char *mlops_alias_split_salt(const mlops_alias_split *sp)
{
    return sp ? sp->salt : NULL;
}

/* ---- Rows ------------------------------------------------------------------- */

int mlops__alias_split_of_event(const char *fn, const char *model, const char *alias,
                                const char *new_value, const void *payload, size_t payload_len,
                                mlops__split *out)
{
    if (mlops__alias_payload_split(payload, payload_len, out)) return MLOPS_OK;
    /* No split payload: the value is the version ("N"), as 1.0 wrote it. */
    if (new_value && mlops__split_decode(fn, new_value, out) == MLOPS_OK && out->n == 1 &&
        !out->shadow)
        return MLOPS_OK;
    return mlops__err(MLOPS_ECORRUPT, "%s: an event of alias '%s@%s' holds '%.64s', not a version",
                      fn, model, alias, new_value ? new_value : "(nothing)");
}

int mlops__alias_salt_get(mlops__conn *c, int64_t model_id, const char *alias, char **salt)
{
    char buf[33];
    int found = 0;
    *salt = NULL;
    int rc = mlops__alias_salt_read(c, model_id, alias, buf, &found);
    if (rc || !found) return rc;
    *salt = strdup(buf);
    return *salt ? MLOPS_OK : mlops__err_nomem("reading a routing salt");
}

int mlops__alias_split_now(mlops__conn *c, const char *fn, const char *model, int64_t model_id,
                           const char *alias, mlops__split *out, char **salt)
{
    if (salt) *salt = NULL;
    int64_t reserved = 0;
    if (mlops__reg_alias_reserved(alias, &reserved)) {
        mlops__reg_version v;
        int rc = mlops__reg_alias_resolve(c, fn, model, model_id, alias, &v);
        if (!rc) {
            memset(out, 0, sizeof *out);
            out->n = 1;
            out->leg[0].version = v.number;
            out->leg[0].weight = 100;
        }
        return rc;
    }
    int found = 0;
    int rc = mlops__alias_split_read(c, model_id, alias, out, &found);
    if (rc == MLOPS_ECORRUPT) {
        /* the shared reader's message, under the caller's name */
        char why[512];
        snprintf(why, sizeof why, "%s", mlops_last_error());
        return mlops__err(MLOPS_ECORRUPT, "%s: %s", fn, why);
    }
    if (rc) return rc;
    if (!found) return mlops__err(MLOPS_ENOTFOUND, "%s: model '%s' has no alias '%s'", fn, model, alias);
    return salt ? mlops__alias_salt_get(c, model_id, alias, salt) : MLOPS_OK;
}

/* ---- mlops_model_alias_split_get ------------------------------------------ */

struct get_ctx {
    const char *fn, *model, *alias;
    mlops_alias_split *out;
};

static int get_tx(mlops__conn *c, void *arg)
{
    struct get_ctx *x = arg;
    int64_t model_id = 0;
    mlops__split sp;
    char *salt = NULL;
    /* A retried read (a lost COMMIT) starts again from nothing. */
    mlops_alias_split_free(x->out);
    x->out = NULL;
    int rc = mlops__reg_model_id(c, x->fn, x->model, &model_id);
    if (!rc) rc = mlops__alias_split_now(c, x->fn, x->model, model_id, x->alias, &sp, &salt);
    if (!rc) rc = mlops__alias_split_new(x->alias, &sp, salt, &x->out);
    free(salt);
    return rc;
}

MLOPS_API int mlops_model_alias_split_get(mlops_store *s, const char *model, const char *alias,
                                          mlops_alias_split **out)
{
    struct get_ctx x = { __func__, model, alias, NULL };
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__reg_check_model_name(__func__, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(__func__, alias, 0);
    if (!rc) rc = mlops__store_read(s, get_tx, &x);
    if (rc) {
        mlops_alias_split_free(x.out);
        return rc;
    }
    *out = x.out;
    return MLOPS_OK;
}

/* ---- mlops_model_alias_splits ---------------------------------------------- */

struct mlops_alias_splits {
    size_t n, cap;
    mlops_alias_split **items;
};

MLOPS_API size_t mlops_alias_splits_count(const mlops_alias_splits *l)
{
    return l ? l->n : 0;
}

MLOPS_API const mlops_alias_split *mlops_alias_splits_at(const mlops_alias_splits *l, size_t i)
{
    return l && i < l->n ? l->items[i] : NULL;
}

MLOPS_API void mlops_alias_splits_free(mlops_alias_splits *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) mlops_alias_split_free(l->items[i]);
    free(l->items);
    free(l);
}

static int list_push(mlops_alias_splits *l, mlops_alias_split *sp)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        mlops_alias_split **items = realloc(l->items, cap * sizeof *items);
        if (!items) {
            mlops_alias_split_free(sp);
            return mlops__err_nomem("listing aliases");
        }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = sp;
    return MLOPS_OK;
}

struct list_ctx {
    const char *fn, *model;
    mlops_alias_splits *list;
};

static int list_tx(mlops__conn *c, void *arg)
{
    struct list_ctx *x = arg;
    /* a retried transaction (lib/store/store.c run_tx) starts again */
    for (size_t i = 0; i < x->list->n; i++) mlops_alias_split_free(x->list->items[i]);
    x->list->n = 0;
    int64_t model_id = 0;
    mlops__stmt *st;
    int rc = mlops__reg_model_id(c, x->fn, x->model, &model_id);
    if (!rc)
        rc = mlops__conn_stmt(c, "SELECT alias FROM reg_aliases WHERE model_id = ?1 ORDER BY alias",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (rc) return rc;
    /* The names first: each split is then read by the shared reader, with
     * no statement left open across it. */
    char **names = NULL;
    size_t n = 0, cap = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        int oom = 0;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            char **k = realloc(names, cap * sizeof *k);
            if (!k) {
                rc = mlops__err_nomem("listing aliases");
                break;
            }
            names = k;
        }
        names[n] = mlops__reg_column_dup(st, 0, &oom);
        if (oom || !names[n]) {
            rc = mlops__err_nomem("listing aliases");
            break;
        }
        n++;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "listing aliases");
    mlops__reset(st);
    for (size_t i = 0; !rc && i < n; i++) {
        mlops__split sp;
        char *salt = NULL;
        mlops_alias_split *o = NULL;
        rc = mlops__alias_split_now(c, x->fn, x->model, model_id, names[i], &sp, &salt);
        if (!rc) rc = mlops__alias_split_new(names[i], &sp, salt, &o);
        if (!rc) rc = list_push(x->list, o);
        free(salt);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

MLOPS_API int mlops_model_alias_splits(mlops_store *s, const char *model,
                                       mlops_alias_splits **out)
{
    struct list_ctx x = { __func__, model, NULL };
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__reg_check_model_name(__func__, "model name", model);
    if (rc) return rc;
    x.list = calloc(1, sizeof *x.list);
    if (!x.list) return mlops__err_nomem("listing aliases");
    rc = mlops__store_read(s, list_tx, &x);
    if (rc) {
        mlops_alias_splits_free(x.list);
        return rc;
    }
    *out = x.list;
    return MLOPS_OK;
}
