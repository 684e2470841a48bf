/* mlops_model_version: a snapshot of one version with its tags and
 * recorded signatures; and lists of them. */
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/lifecycle.h"

#include <stdlib.h>
#include <string.h>

struct signature_item {
    mlops_digest fingerprint;
    unsigned char signature[64];
    int64_t signed_ms;
};

struct mlops_model_version {
    char *model;
    int64_t number;
    mlops_digest artifact;
    char *run_id; /* NULL when none */
    char *description;
    char *creator;
    int status;
    int64_t created_ms, updated_ms, deleted_ms;
    mlops__reg_kv tags;
    size_t nsig;
    struct signature_item *sigs;
};

struct mlops_model_versions {
    size_t n;
    mlops_model_version **items;
};

static void version_destroy(mlops_model_version *v)
{
    if (!v) return;
    free(v->model);
    free(v->run_id);
    free(v->description);
    free(v->creator);
    mlops__reg_kv_free(&v->tags);
    free(v->sigs);
    free(v);
}

MLOPS_API void mlops_model_version_free(mlops_model_version *v)
{
    version_destroy(v);
}

static int load_row(mlops__conn *c, int64_t id, mlops_model_version *v)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT v.number, v.artifact, v.run_id, v.description, v.creator, "
                              "  v.status, v.created_ms, v.updated_ms, v.deleted_ms, m.name "
                              "FROM reg_versions v JOIN reg_models m ON m.id = v.model_id "
                              "WHERE v.id = ?1",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        int oom = 0;
        v->number = mlops__col_int64(st, 0);
        if (mlops__col_bytes(st, 1) == 32)
            memcpy(v->artifact.bytes, mlops__col_blob(st, 1), 32);
        v->run_id = mlops__reg_column_dup(st, 2, &oom);
        v->description = mlops__reg_column_dup(st, 3, &oom);
        v->creator = mlops__reg_column_dup(st, 4, &oom);
        v->status = mlops__col_int(st, 5);
        v->created_ms = mlops__col_int64(st, 6);
        v->updated_ms = mlops__col_int64(st, 7);
        v->deleted_ms = mlops__col_int64(st, 8);
        v->model = mlops__reg_column_dup(st, 9, &oom);
        if (oom || !v->description || !v->creator || !v->model)
            rc = mlops__err_nomem("reading a version");
    } else {
        rc = step == MLOPS__DONE ? mlops__err(MLOPS_ENOTFOUND, "version id %lld vanished",
                                              (long long)id)
                                 : mlops__conn_error(c, step, "reading a version");
    }
    mlops__reset(st);
    return rc;
}

static int load_signatures(mlops__conn *c, int64_t id, mlops_model_version *v)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT fingerprint, signature, signed_ms FROM reg_signatures "
                              "WHERE version_id = ?1 ORDER BY signed_ms, rowid",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (rc) return rc;
    size_t cap = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (v->nsig == cap) {
            cap = cap ? 2 * cap : 2;
            struct signature_item *p = realloc(v->sigs, cap * sizeof *p);
            if (!p) {
                rc = mlops__err_nomem("reading signatures");
                break;
            }
            v->sigs = p;
        }
        struct signature_item *it = &v->sigs[v->nsig++];
        memset(it, 0, sizeof *it);
        if (mlops__col_bytes(st, 0) == 32)
            memcpy(it->fingerprint.bytes, mlops__col_blob(st, 0), 32);
        if (mlops__col_bytes(st, 1) == 64) memcpy(it->signature, mlops__col_blob(st, 1), 64);
        it->signed_ms = mlops__col_int64(st, 2);
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading signatures");
    mlops__reset(st);
    return rc;
}

static int version_load(mlops__conn *c, int64_t id, mlops_model_version **out)
{
    mlops_model_version *v = calloc(1, sizeof *v);
    if (!v) return mlops__err_nomem("reading a version");
    int rc = load_row(c, id, v);
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(
            c, "SELECT key, value FROM reg_version_tags WHERE version_id = ?1 ORDER BY key", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (!rc) rc = mlops__reg_kv_load(c, st, &v->tags);
    if (!rc) rc = load_signatures(c, id, v);
    if (rc) {
        version_destroy(v);
        return rc;
    }
    *out = v;
    return MLOPS_OK;
}

struct get_ctx {
    const char *fn;
    const char *model;
    int64_t number;
    mlops_model_version *v;
};

static int get_tx(mlops__conn *c, void *arg)
{
    struct get_ctx *x = arg;
    version_destroy(x->v); /* a retried transaction runs this again (lib/store/store.c run_tx) */
    x->v = NULL;
    int64_t model_id = 0;
    mlops__reg_version row = { 0 };
    int rc = mlops__reg_model_id(c, x->fn, x->model, &model_id);
    if (!rc) rc = mlops__reg_version_find(c, x->fn, x->model, model_id, x->number, 1, &row);
    if (!rc) rc = version_load(c, row.id, &x->v);
    return rc;
}

MLOPS_API int mlops_model_version_get(mlops_store *s, const char *model, int64_t version,
                                      mlops_model_version **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__reg_check_model_name(__func__, "model name", model);
    if (!rc) rc = mlops__reg_check_version(__func__, version);
    if (rc) return rc;
    struct get_ctx x = { __func__, model, version, NULL };
    rc = mlops__store_read(s, get_tx, &x);
    if (!rc) *out = x.v;
    return rc;
}

struct list_ctx {
    const char *func;
    const char *model;
    int lifecycle;
    mlops_model_versions *list;
};

static int list_tx(mlops__conn *c, void *arg)
{
    struct list_ctx *x = arg;
    for (size_t i = 0; i < x->list->n; i++) version_destroy(x->list->items[i]);
    free(x->list->items); /* a retried transaction runs this again (lib/store/store.c run_tx) */
    x->list->items = NULL;
    x->list->n = 0;
    int64_t model_id = 0;
    int rc = mlops__reg_model_id(c, x->func, x->model, &model_id);
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "SELECT id FROM reg_versions WHERE model_id = ?1 "
                              "AND " MLOPS__LIFECYCLE_SQL("deleted_ms", 2) " ORDER BY number",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, x->lifecycle);
    if (rc) return rc;
    int64_t *ids = NULL;
    size_t n = 0;
    rc = mlops__reg_collect_ids(c, st, &ids, &n);
    if (!rc && n) {
        x->list->items = calloc(n, sizeof *x->list->items);
        if (!x->list->items) rc = mlops__err_nomem("listing versions");
    }
    for (size_t i = 0; !rc && i < n; i++) {
        rc = version_load(c, ids[i], &x->list->items[i]);
        if (!rc) x->list->n++;
    }
    free(ids);
    return rc;
}

/* The one listing behind mlops_model_version_list (include_deleted) and
 * mlops_model_version_list_ex (lifecycle); func is the one called. */
static int version_list(const char *func, mlops_store *s, const char *model, int lifecycle,
                        mlops_model_versions **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(func, "s");
    if (!out) return mlops__err_null(func, "out");
    int rc = mlops__reg_check_model_name(func, "model name", model);
    if (!rc) rc = mlops__check_lifecycle(func, lifecycle);
    if (rc) return rc;
    struct list_ctx x = { func, model, lifecycle, calloc(1, sizeof(mlops_model_versions)) };
    if (!x.list) return mlops__err_nomem("listing versions");
    rc = mlops__store_read(s, list_tx, &x);
    if (rc) {
        mlops_model_versions_free(x.list);
        return rc;
    }
    *out = x.list;
    return MLOPS_OK;
}

MLOPS_API int mlops_model_version_list(mlops_store *s, const char *model, int include_deleted,
                                       mlops_model_versions **out)
{
    return version_list(__func__, s, model,
                        include_deleted ? MLOPS_LIFECYCLE_ALL : MLOPS_LIFECYCLE_ACTIVE, out);
}

MLOPS_API int mlops_model_version_list_ex(mlops_store *s, const char *model, int lifecycle,
                                          mlops_model_versions **out)
{
    return version_list(__func__, s, model, lifecycle, out);
}

MLOPS_API size_t mlops_model_versions_count(const mlops_model_versions *l)
{
    return l ? l->n : 0;
}

MLOPS_API const mlops_model_version *mlops_model_versions_at(const mlops_model_versions *l,
                                                              size_t i)
{
    return l && i < l->n ? l->items[i] : NULL;
}

MLOPS_API void mlops_model_versions_free(mlops_model_versions *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) version_destroy(l->items[i]);
    free(l->items);
    free(l);
}

MLOPS_API const char *mlops_model_version_model(const mlops_model_version *v)
{
    return v ? v->model : NULL;
}

MLOPS_API int64_t mlops_model_version_number(const mlops_model_version *v)
{
    return v ? v->number : 0;
}

MLOPS_API const mlops_digest *mlops_model_version_artifact(const mlops_model_version *v)
{
    return v ? &v->artifact : NULL;
}

MLOPS_API const char *mlops_model_version_run_id(const mlops_model_version *v)
{
    return v ? v->run_id : NULL;
}

MLOPS_API const char *mlops_model_version_description(const mlops_model_version *v)
{
    return v ? v->description : NULL;
}

MLOPS_API const char *mlops_model_version_creator(const mlops_model_version *v)
{
    return v ? v->creator : NULL;
}

MLOPS_API int mlops_model_version_status(const mlops_model_version *v)
{
    return v ? v->status : -1;
}

MLOPS_API int64_t mlops_model_version_created_ms(const mlops_model_version *v)
{
    return v ? v->created_ms : 0;
}

MLOPS_API int64_t mlops_model_version_updated_ms(const mlops_model_version *v)
{
    return v ? v->updated_ms : 0;
}

MLOPS_API int64_t mlops_model_version_deleted_ms(const mlops_model_version *v)
{
    return v ? v->deleted_ms : 0;
}

MLOPS_API size_t mlops_model_version_tag_count(const mlops_model_version *v)
{
    return v ? v->tags.n : 0;
}

MLOPS_API int mlops_model_version_tag_at(const mlops_model_version *v, size_t i,
                                         const char **key, const char **value)
{
    if (!v) return mlops__err_null(__func__, "v");
    return mlops__reg_kv_at(__func__, &v->tags, i, key, value);
}

MLOPS_API const char *mlops_model_version_tag(const mlops_model_version *v, const char *key)
{
    return v ? mlops__reg_kv_get(&v->tags, key) : NULL;
}

MLOPS_API size_t mlops_model_version_signature_count(const mlops_model_version *v)
{
    return v ? v->nsig : 0;
}

MLOPS_API int mlops_model_version_signature_at(const mlops_model_version *v, size_t i,
                                               mlops_digest *key_fingerprint,
                                               unsigned char signature[64],
                                               int64_t *signed_ms)
{
    if (!v) return mlops__err_null(__func__, "v");
    if (i >= v->nsig)
        return mlops__err(MLOPS_EINVAL,
                          "%s: index %zu is not below %zu", __func__, i,
                          v->nsig);
    if (key_fingerprint) *key_fingerprint = v->sigs[i].fingerprint;
    if (signature) memcpy(signature, v->sigs[i].signature, 64);
    if (signed_ms) *signed_ms = v->sigs[i].signed_ms;
    return MLOPS_OK;
}
