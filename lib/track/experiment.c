/* Experiments: create, read, list, rename, tags, soft delete. */
#include "store/store_internal.h"
#include "track/track_internal.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/lifecycle.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

struct mlops_experiment {
    mlops__arena arena; /* the struct itself, strings and tags */
    int64_t id, created_ms, updated_ms, deleted_ms;
    const char *name;
    mlops_kv *tags;
    size_t ntags;
};

static int check_experiment_name(const char *func, const char *name)
{
    return mlops__check_name(func, "experiment name", name, MLOPS_EXPERIMENT_NAME_MAX);
}

/* ---- create ---- */

struct create_arg {
    const char *fn;
    const char *name;
    int64_t id;
};

static int name_taken(mlops__conn *c, const char *name, int64_t except_id, int *taken)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT id FROM experiments WHERE name = ?1", &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, name);
    if (rc) return rc;
    int step = mlops__step(st);
    *taken = step == MLOPS__ROW && mlops__col_int64(st, 0) != except_id;
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        rc = mlops__conn_error(c, step, "looking up an experiment name");
    mlops__reset(st);
    return rc;
}

static int create_tx(mlops__conn *c, void *arg)
{
    struct create_arg *a = arg;
    int taken;
    int rc = name_taken(c, a->name, 0, &taken);
    if (rc) return rc;
    if (taken)
        return mlops__err(MLOPS_EEXIST, "%s: an experiment named '%s' "
                                        "already exists", a->fn,
                          a->name);
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "INSERT INTO experiments(name, created_ms, updated_ms) "
                          "VALUES (?1, ?2, ?2) RETURNING id",
                          &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, a->name);
    if (!rc) rc = mlops__bind_int64(c, st, 2, mlops__now_ms());
    if (!rc) rc = mlops__conn_step_id(c, st, "creating an experiment", &a->id);
    return rc;
}

MLOPS_API int mlops_experiment_create(mlops_store *s, const char *name, int64_t *id)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!id) return mlops__err_null(__func__, "id");
    int rc = check_experiment_name(__func__, name);
    if (rc) return rc;
    struct create_arg a = { __func__, name, 0 };
    rc = mlops__store_write(s, create_tx, &a);
    if (!rc) *id = a.id;
    return rc;
}

/* ---- read ---- */

#define EXPERIMENT_COLUMNS "id, name, created_ms, updated_ms, deleted_ms"

static int load_tags(mlops__conn *c, mlops_experiment *e)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT key, value FROM experiment_tags WHERE experiment_id = ?1 "
                              "ORDER BY key",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, e->id);
    if (rc) return rc;
    size_t cap = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (e->ntags == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            mlops_kv *n = mlops__arena_alloc(&e->arena, ncap * sizeof *n);
            if (!n) break;
            if (e->ntags) memcpy(n, e->tags, e->ntags * sizeof *n);
            e->tags = n;
            cap = ncap;
        }
        mlops_kv *kv = &e->tags[e->ntags];
        kv->key = mlops__arena_strdup(&e->arena, mlops__col_text(st, 0));
        kv->value = mlops__arena_strdup(&e->arena, mlops__col_text(st, 1));
        if (!kv->key || !kv->value) break;
        e->ntags++;
    }
    mlops__reset(st);
    if (step == MLOPS__ROW) return mlops__err_nomem("reading experiment tags");
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "reading experiment tags");
    return MLOPS_OK;
}

/* Builds a snapshot from a row of EXPERIMENT_COLUMNS. */
static int experiment_from_row(mlops__stmt *st, mlops_experiment **out)
{
    mlops__arena arena = MLOPS__ARENA_INIT;
    mlops_experiment *e = mlops__arena_alloc(&arena, sizeof *e);
    if (!e) return mlops__err_nomem("reading an experiment");
    memset(e, 0, sizeof *e);
    e->arena = arena;
    e->id = mlops__col_int64(st, 0);
    e->name = mlops__arena_strdup(&e->arena, mlops__col_text(st, 1));
    e->created_ms = mlops__col_int64(st, 2);
    e->updated_ms = mlops__col_int64(st, 3);
    e->deleted_ms = mlops__col_int64(st, 4);
    if (!e->name) {
        mlops_experiment_free(e);
        return mlops__err_nomem("reading an experiment");
    }
    *out = e;
    return MLOPS_OK;
}

struct get_arg {
    int64_t id;
    const char *name; /* by name when not NULL */
    const char *func;
    mlops_experiment *out;
};

static int get_tx(mlops__conn *c, void *arg)
{
    struct get_arg *a = arg;
    mlops_experiment_free(a->out); /* a retried transaction runs this again (lib/store/store.c run_tx) */
    a->out = NULL;
    mlops__stmt *st;
    int rc = a->name ? mlops__conn_stmt(c,
                                        "SELECT " EXPERIMENT_COLUMNS
                                        " FROM experiments WHERE name = ?1",
                                        &st)
                     : mlops__conn_stmt(c,
                                        "SELECT " EXPERIMENT_COLUMNS
                                        " FROM experiments WHERE id = ?1",
                                        &st);
    if (rc) return rc;
    rc = a->name ? mlops__bind_text(c, st, 1, a->name) : mlops__bind_int64(c, st, 1, a->id);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) rc = experiment_from_row(st, &a->out);
    else if (step == MLOPS__DONE && a->name)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: no experiment named '%s'", a->func, a->name);
    else if (step == MLOPS__DONE)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: no experiment with id %lld", a->func,
                        (long long)a->id);
    else rc = mlops__conn_error(c, step, "reading an experiment");
    mlops__reset(st);
    if (!rc) rc = load_tags(c, a->out);
    if (rc) {
        mlops_experiment_free(a->out);
        a->out = NULL;
    }
    return rc;
}

MLOPS_API int mlops_experiment_get(mlops_store *s, int64_t id, mlops_experiment **out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    struct get_arg a = { id, NULL, __func__, NULL };
    int rc = mlops__store_read(s, get_tx, &a);
    if (!rc) *out = a.out;
    return rc;
}

MLOPS_API int mlops_experiment_get_by_name(mlops_store *s, const char *name,
                                           mlops_experiment **out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    int rc = check_experiment_name(__func__, name);
    if (rc) return rc;
    struct get_arg a = { 0, name, __func__, NULL };
    rc = mlops__store_read(s, get_tx, &a);
    if (!rc) *out = a.out;
    return rc;
}

/* ---- list ---- */

struct list_arg {
    int lifecycle;
    mlops_experiment **items;
    size_t n, cap;
};

static int list_tx(mlops__conn *c, void *arg)
{
    struct list_arg *a = arg;
    for (size_t i = 0; i < a->n; i++) mlops_experiment_free(a->items[i]);
    a->n = 0; /* a retried transaction runs this again (lib/store/store.c run_tx) */
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT " EXPERIMENT_COLUMNS " FROM experiments "
                              "WHERE " MLOPS__LIFECYCLE_SQL("deleted_ms", 1) " ORDER BY id",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, a->lifecycle);
    if (rc) return rc;
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        if (a->n == a->cap) {
            size_t ncap = a->cap ? a->cap * 2 : 16;
            mlops_experiment **n = realloc(a->items, ncap * sizeof *n);
            if (!n) {
                rc = mlops__err_nomem("listing experiments");
                break;
            }
            a->items = n;
            a->cap = ncap;
        }
        rc = experiment_from_row(st, &a->items[a->n]);
        if (!rc) a->n++;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "listing experiments");
    mlops__reset(st);
    for (size_t i = 0; !rc && i < a->n; i++) rc = load_tags(c, a->items[i]);
    return rc;
}

/* The one listing behind mlops_experiment_list (an array) and
 * mlops_experiment_list_ex (a list object): a->items holds a->n snapshots
 * on success, nothing on failure. */
static int list_read(const char *func, mlops_store *s, struct list_arg *a)
{
    int rc = mlops__check_lifecycle(func, a->lifecycle);
    if (!rc) rc = mlops__store_read(s, list_tx, a);
    if (rc) {
        mlops_experiment_list_free(a->items, a->n);
        a->items = NULL;
        a->n = 0;
    }
    return rc;
}

MLOPS_API int mlops_experiment_list(mlops_store *s, int lifecycle, mlops_experiment ***out,
                                    size_t *count)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    if (!count) return mlops__err_null(__func__, "count");
    *out = NULL;
    *count = 0;
    struct list_arg a = { lifecycle, NULL, 0, 0 };
    int rc = list_read(__func__, s, &a);
    if (rc) return rc;
    *out = a.items;
    *count = a.n;
    return MLOPS_OK;
}

MLOPS_API int mlops_experiment_list_ex(mlops_store *s, int lifecycle, mlops_experiments **out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    struct list_arg a = { lifecycle, NULL, 0, 0 };
    int rc = list_read(__func__, s, &a);
    if (!rc) rc = mlops__experiments_new(a.items, a.n, out);
    return rc;
}

MLOPS_API void mlops_experiment_list_free(mlops_experiment **list, size_t count)
{
    if (!list) return;
    for (size_t i = 0; i < count; i++) mlops_experiment_free(list[i]);
    free(list);
}

MLOPS_API void mlops_experiment_free(mlops_experiment *e)
{
    if (!e) return;
    mlops__arena arena = e->arena; /* e lives in its own arena */
    mlops__arena_free(&arena);
}

MLOPS_API int64_t mlops_experiment_id(const mlops_experiment *e)
{
    return e ? e->id : 0;
}

MLOPS_API const char *mlops_experiment_name(const mlops_experiment *e)
{
    return e ? e->name : NULL;
}

MLOPS_API int64_t mlops_experiment_created_ms(const mlops_experiment *e)
{
    return e ? e->created_ms : 0;
}

MLOPS_API int64_t mlops_experiment_updated_ms(const mlops_experiment *e)
{
    return e ? e->updated_ms : 0;
}

MLOPS_API int64_t mlops_experiment_deleted_ms(const mlops_experiment *e)
{
    return e ? e->deleted_ms : 0;
}

MLOPS_API const mlops_kv *mlops_experiment_tags(const mlops_experiment *e, size_t *count)
{
    if (count) *count = e ? e->ntags : 0;
    return e && e->ntags ? e->tags : NULL;
}

MLOPS_API size_t mlops_experiment_tag_count(const mlops_experiment *e)
{
    return e ? e->ntags : 0;
}

MLOPS_API int mlops_experiment_tag_at(const mlops_experiment *e, size_t i, const char **key,
                                      const char **value)
{
    if (!e) return mlops__err_null(__func__, "e");
    return mlops__track_kv_at(__func__, e->tags, e->ntags, i, key, value);
}

MLOPS_API const char *mlops_experiment_tag(const mlops_experiment *e, const char *key)
{
    return e ? mlops__track_kv_find(e->tags, e->ntags, key) : NULL;
}

/* ---- changes ---- */

enum change_kind { RENAME, SET_TAG, DELETE_TAG, SOFT_DELETE, RESTORE };

struct change_arg {
    enum change_kind kind;
    const char *func;
    int64_t id;
    const char *a, *b; /* new name; or tag key and value */
};

/* Confirms the experiment exists; *deleted tells whether it is deleted. */
int mlops__track_experiment_state(mlops__conn *c, const char *func, int64_t id, int *deleted)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT deleted_ms FROM experiments WHERE id = ?1", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) *deleted = !mlops__col_null(st, 0);
    else if (step == MLOPS__DONE)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: no experiment with id %lld", func, (long long)id);
    else rc = mlops__conn_error(c, step, "reading an experiment");
    mlops__reset(st);
    return rc;
}

static int touch(mlops__conn *c, int64_t id)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "UPDATE experiments SET updated_ms = ?2 WHERE id = ?1", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, mlops__now_ms());
    if (!rc) rc = mlops__conn_step_done(c, st, "updating an experiment");
    return rc;
}

static int change_tx(mlops__conn *c, void *arg)
{
    struct change_arg *a = arg;
    int deleted = 0;
    int rc = mlops__track_experiment_state(c, a->func, a->id, &deleted);
    if (rc) return rc;
    mlops__stmt *st;
    switch (a->kind) {
    case RENAME: {
        int taken;
        rc = name_taken(c, a->a, a->id, &taken);
        if (rc) return rc;
        if (taken)
            return mlops__err(MLOPS_EEXIST, "%s: another experiment is named '%s'", a->func,
                              a->a);
        rc = mlops__conn_stmt(c, "UPDATE experiments SET name = ?2 WHERE id = ?1", &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, a->id);
        if (!rc) rc = mlops__bind_text(c, st, 2, a->a);
        if (!rc) rc = mlops__conn_step_done(c, st, "renaming an experiment");
        break;
    }
    case SET_TAG:
        rc = mlops__conn_stmt(c,
                              "INSERT INTO experiment_tags(experiment_id, key, value) "
                              "VALUES (?1, ?2, ?3) "
                              "ON CONFLICT(experiment_id, key) DO UPDATE SET value = ?3",
                              &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, a->id);
        if (!rc) rc = mlops__bind_text(c, st, 2, a->a);
        if (!rc) rc = mlops__bind_text(c, st, 3, a->b);
        if (!rc) rc = mlops__conn_step_done(c, st, "setting an experiment tag");
        break;
    case DELETE_TAG:
        rc = mlops__conn_stmt(c,
                              "DELETE FROM experiment_tags WHERE experiment_id = ?1 AND key = ?2",
                              &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, a->id);
        if (!rc) rc = mlops__bind_text(c, st, 2, a->a);
        if (!rc) rc = mlops__conn_step_done(c, st, "deleting an experiment tag");
        if (!rc && mlops__conn_changes(c) == 0)
            return mlops__err(MLOPS_ENOTFOUND, "%s: experiment %lld has no tag '%s'", a->func,
                              (long long)a->id, a->a);
        break;
    case SOFT_DELETE:
    case RESTORE:
        if (deleted == (a->kind == SOFT_DELETE)) return MLOPS_OK; /* already so */
        rc = mlops__conn_stmt(c,
                              "UPDATE experiments SET deleted_ms = "
                              "CASE WHEN ?2 <> 0 THEN ?3 ELSE NULL END WHERE id = ?1",
                              &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, a->id);
        if (!rc) rc = mlops__bind_int64(c, st, 2, a->kind == SOFT_DELETE);
        if (!rc) rc = mlops__bind_int64(c, st, 3, mlops__now_ms());
        if (!rc) rc = mlops__conn_step_done(c, st, "deleting or restoring an experiment");
        break;
    }
    return rc ? rc : touch(c, a->id);
}

static int change(mlops_store *s, struct change_arg *a)
{
    if (!s) return mlops__err_null(a->func, "s");
    return mlops__store_write(s, change_tx, a);
}

MLOPS_API int mlops_experiment_rename(mlops_store *s, int64_t id, const char *name)
{
    int rc = check_experiment_name(__func__, name);
    if (rc) return rc;
    struct change_arg a = { RENAME, __func__, id, name, NULL };
    return change(s, &a);
}

/* The one tag writer behind the 1.0 and the 1.1 names; func is the public
 * function the caller called. */
static int tag_set(const char *func, mlops_store *s, int64_t id, const char *key,
                   const char *value)
{
    int rc = mlops__track_check_key(func, "tag key", key);
    if (!rc) rc = mlops__track_check_value(func, "tag value", value, MLOPS_TAG_VALUE_MAX);
    if (rc) return rc;
    struct change_arg a = { SET_TAG, func, id, key, value };
    return change(s, &a);
}

static int tag_delete(const char *func, mlops_store *s, int64_t id, const char *key)
{
    int rc = mlops__track_check_key(func, "tag key", key);
    if (rc) return rc;
    struct change_arg a = { DELETE_TAG, func, id, key, NULL };
    return change(s, &a);
}

MLOPS_API int mlops_experiment_set_tag(mlops_store *s, int64_t id, const char *key,
                                       const char *value)
{
    return tag_set(__func__, s, id, key, value);
}

MLOPS_API int mlops_experiment_tag_set(mlops_store *s, int64_t id, const char *key,
                                       const char *value)
{
    return tag_set(__func__, s, id, key, value);
}

MLOPS_API int mlops_experiment_delete_tag(mlops_store *s, int64_t id, const char *key)
{
    return tag_delete(__func__, s, id, key);
}

MLOPS_API int mlops_experiment_tag_delete(mlops_store *s, int64_t id, const char *key)
{
    return tag_delete(__func__, s, id, key);
}

MLOPS_API int mlops_experiment_delete(mlops_store *s, int64_t id)
{
    struct change_arg a = { SOFT_DELETE, __func__, id, NULL, NULL };
    return change(s, &a);
}

MLOPS_API int mlops_experiment_restore(mlops_store *s, int64_t id)
{
    struct change_arg a = { RESTORE, __func__, id, NULL, NULL };
    return change(s, &a);
}
