/* Reading the splits of weighted aliases: the mlops_alias_split object and
 * its accessors, one alias's split now (mlops_model_alias_split_get), every
 * alias's (mlops_model_alias_splits). A row of reg_aliases whose split is
 * NULL is one version at 100%: version_id; otherwise the split column holds
 * the canonical text and version_id its primary (alias_split.h). */
#include "registry/alias_split.h"

#include "util/err.h"

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

static void one_version(mlops__split *out, int64_t number)
{
    memset(out, 0, sizeof *out);
    out->n = 1;
    out->leg[0].version = number;
    out->leg[0].weight = 100;
}

/* The split of a reg_aliases row: its split text, or number at 100%. */
static int row_split(const char *fn, const char *model, const char *alias, const char *text,
                     int64_t number, mlops__split *out)
{
    if (!text) {
        one_version(out, number);
        return MLOPS_OK;
    }
    return mlops__alias_split_of_event(fn, model, alias, text, out);
}

int mlops__alias_split_of_event(const char *fn, const char *model, const char *alias,
                                const char *value, mlops__split *out)
{
    /* The decoder's message would name fn as if the caller had passed the
     * text; a stored value that does not decode is the store's fault. */
    if (mlops__split_decode(fn, value, out) == MLOPS_OK) return MLOPS_OK;
    return mlops__err(MLOPS_ECORRUPT, "%s: alias '%s@%s' holds '%.64s', not a split", fn, model,
                      alias, value);
}

int mlops__alias_salt_get(mlops__conn *c, int64_t model_id, const char *alias, char **salt)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT salt FROM reg_alias_salts WHERE model_id = ?1 AND alias = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, alias);
    return rc ? rc : mlops__reg_first_text(c, st, salt);
}

int mlops__alias_split_now(mlops__conn *c, const char *fn, const char *model, int64_t model_id,
                            const char *alias, mlops__split *out, char **salt)
{
    if (salt) *salt = NULL;
    int64_t reserved = 0;
    if (mlops__reg_alias_reserved(alias, &reserved)) {
        mlops__reg_version v;
        int rc = mlops__reg_alias_resolve(c, fn, model, model_id, alias, &v);
        if (!rc) one_version(out, v.number);
        return rc;
    }
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT a.split, v.number FROM reg_aliases a "
                              "JOIN reg_versions v ON v.id = a.version_id "
                              "WHERE a.model_id = ?1 AND a.alias = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, alias);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW)
        rc = row_split(fn, model, alias, mlops__col_text(st, 0), mlops__col_int64(st, 1), out);
    else if (step == MLOPS__DONE)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: model '%s' has no alias '%s'", fn, model, alias);
    else
        rc = mlops__conn_error(c, step, "reading an alias");
    mlops__reset(st);
    if (!rc && salt) rc = mlops__alias_salt_get(c, model_id, alias, salt);
    return rc;
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
    int64_t model_id = 0;
    mlops__stmt *st;
    int rc = mlops__reg_model_id(c, x->fn, x->model, &model_id);
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "SELECT a.alias, a.split, v.number, t.salt FROM reg_aliases a "
                              "JOIN reg_versions v ON v.id = a.version_id "
                              "LEFT JOIN reg_alias_salts t ON t.model_id = a.model_id "
                              "AND t.alias = a.alias "
                              "WHERE a.model_id = ?1 ORDER BY a.alias",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (rc) return rc;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        const char *alias = mlops__col_text(st, 0);
        mlops__split sp;
        mlops_alias_split *o = NULL;
        rc = row_split(x->fn, x->model, alias, mlops__col_text(st, 1), mlops__col_int64(st, 2),
                       &sp);
        if (!rc) rc = mlops__alias_split_new(alias, &sp, mlops__col_text(st, 3), &o);
        if (!rc) rc = list_push(x->list, o);
        if (rc) break;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "listing aliases");
    mlops__reset(st);
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
