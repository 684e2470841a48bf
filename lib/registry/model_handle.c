/* mlops_model: a snapshot of one registered model with its tags and
 * aliases, from mlops_model_get or a search list. */
#include "registry/registry_internal.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

struct mlops_model {
    int64_t id;
    char *name;
    char *description;
    int64_t created_ms, updated_ms, deleted_ms, max_version;
    mlops__reg_kv tags;
    size_t nalias;
    char **alias_names;
    int64_t *alias_versions;
};

void mlops__reg_model_destroy(mlops_model *m)
{
    if (!m) return;
    free(m->name);
    free(m->description);
    mlops__reg_kv_free(&m->tags);
    for (size_t i = 0; i < m->nalias; i++) free(m->alias_names[i]);
    free(m->alias_names);
    free(m->alias_versions);
    free(m);
}

MLOPS_API void mlops_model_free(mlops_model *m)
{
    mlops__reg_model_destroy(m);
}

static int load_row(mlops__conn *c, mlops_model *m)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT name, description, created_ms, updated_ms, deleted_ms, "
                              "  (SELECT max(number) FROM reg_versions WHERE model_id = ?1) "
                              "FROM reg_models WHERE id = ?1",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, m->id);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        int oom = 0;
        m->name = mlops__reg_column_dup(st, 0, &oom);
        m->description = mlops__reg_column_dup(st, 1, &oom);
        m->created_ms = mlops__col_int64(st, 2);
        m->updated_ms = mlops__col_int64(st, 3);
        m->deleted_ms = mlops__col_int64(st, 4);
        m->max_version = mlops__col_int64(st, 5);
        if (oom || !m->name || !m->description) rc = mlops__err_nomem("reading a model");
    } else {
        rc = step == MLOPS__DONE ? mlops__err(MLOPS_ENOTFOUND, "model id %lld vanished",
                                              (long long)m->id)
                                 : mlops__conn_error(c, step, "reading a model");
    }
    mlops__reset(st);
    return rc;
}

static int load_aliases(mlops__conn *c, mlops_model *m)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT a.alias, v.number FROM reg_aliases a "
                              "JOIN reg_versions v ON v.id = a.version_id "
                              "WHERE a.model_id = ?1 ORDER BY a.alias",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, m->id);
    if (rc) return rc;
    size_t cap = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (m->nalias == cap) {
            cap = cap ? 2 * cap : 4;
            char **names = realloc(m->alias_names, cap * sizeof *names);
            if (names) m->alias_names = names;
            int64_t *versions = realloc(m->alias_versions, cap * sizeof *versions);
            if (versions) m->alias_versions = versions;
            if (!names || !versions) {
                rc = mlops__err_nomem("reading aliases");
                break;
            }
        }
        int oom = 0;
        char *name = mlops__reg_column_dup(st, 0, &oom);
        if (!name) {
            rc = mlops__err_nomem("reading aliases");
            break;
        }
        m->alias_names[m->nalias] = name;
        m->alias_versions[m->nalias] = mlops__col_int64(st, 1);
        m->nalias++;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading aliases");
    mlops__reset(st);
    return rc;
}

int mlops__reg_model_load(mlops__conn *c, int64_t id, mlops_model **out)
{
    mlops_model *m = calloc(1, sizeof *m);
    if (!m) return mlops__err_nomem("reading a model");
    m->id = id;
    int rc = load_row(c, m);
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(
            c, "SELECT key, value FROM reg_model_tags WHERE model_id = ?1 ORDER BY key", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (!rc) rc = mlops__reg_kv_load(c, st, &m->tags);
    if (!rc) rc = load_aliases(c, m);
    if (rc) {
        mlops__reg_model_destroy(m);
        return rc;
    }
    *out = m;
    return MLOPS_OK;
}

struct get_ctx {
    const char *fn;
    const char *name;
    mlops_model *m;
};

static int get_tx(mlops__conn *c, void *arg)
{
    struct get_ctx *x = arg;
    mlops__reg_model_destroy(x->m); /* a retried transaction runs this again (lib/store/store.c run_tx) */
    x->m = NULL;
    int64_t id = 0;
    int rc = mlops__reg_model_id(c, x->fn, x->name, &id);
    return rc ? rc : mlops__reg_model_load(c, id, &x->m);
}

MLOPS_API int mlops_model_get(mlops_store *s, const char *name, mlops_model **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__reg_check_model_name(__func__, "model name", name);
    if (rc) return rc;
    struct get_ctx x = { __func__, name, NULL };
    rc = mlops__store_read(s, get_tx, &x);
    if (!rc) *out = x.m;
    return rc;
}

MLOPS_API const char *mlops_model_name(const mlops_model *m)
{
    return m ? m->name : NULL;
}

MLOPS_API const char *mlops_model_description(const mlops_model *m)
{
    return m ? m->description : NULL;
}

MLOPS_API int64_t mlops_model_created_ms(const mlops_model *m)
{
    return m ? m->created_ms : 0;
}

MLOPS_API int64_t mlops_model_updated_ms(const mlops_model *m)
{
    return m ? m->updated_ms : 0;
}

MLOPS_API int64_t mlops_model_deleted_ms(const mlops_model *m)
{
    return m ? m->deleted_ms : 0;
}

MLOPS_API int64_t mlops_model_max_version(const mlops_model *m)
{
    return m ? m->max_version : 0;
}

MLOPS_API size_t mlops_model_tag_count(const mlops_model *m)
{
    return m ? m->tags.n : 0;
}

MLOPS_API int mlops_model_tag_at(const mlops_model *m, size_t i, const char **key,
                                 const char **value)
{
    if (!m) return mlops__err_null(__func__, "m");
    return mlops__reg_kv_at(__func__, &m->tags, i, key, value);
}

MLOPS_API const char *mlops_model_tag(const mlops_model *m, const char *key)
{
    return m ? mlops__reg_kv_get(&m->tags, key) : NULL;
}

MLOPS_API size_t mlops_model_alias_count(const mlops_model *m)
{
    return m ? m->nalias : 0;
}

MLOPS_API int mlops_model_alias_at(const mlops_model *m, size_t i, const char **alias,
                                   int64_t *version)
{
    if (!m) return mlops__err_null(__func__, "m");
    if (i >= m->nalias)
        return mlops__err(MLOPS_EINVAL, "%s: index %zu is not below %zu", __func__, i,
                          m->nalias);
    if (alias) *alias = m->alias_names[i];
    if (version) *version = m->alias_versions[i];
    return MLOPS_OK;
}
