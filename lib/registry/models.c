/* Registered models: create, rename, describe, tag, delete. Each change
 * and its audit event are written in one transaction. */
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

int mlops__reg_model_id(mlops__conn *c, const char *func, const char *name, int64_t *id)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(
        c, "SELECT id FROM reg_models WHERE name = ?1 AND deleted_ms IS NULL", &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, name);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) *id = mlops__col_int64(st, 0);
    mlops__reset(st);
    if (step == MLOPS__ROW) return MLOPS_OK;
    if (step == MLOPS__DONE) return mlops__err(MLOPS_ENOTFOUND, "%s: no model '%s'", func, name);
    return mlops__conn_error(c, step, "looking up a model");
}

static int name_taken(mlops__conn *c, const char *func, const char *name)
{
    int64_t id = 0;
    int rc = mlops__reg_model_id(c, func, name, &id);
    if (rc == MLOPS_ENOTFOUND) return MLOPS_OK;
    if (rc) return rc;
    return mlops__err(MLOPS_EEXIST, "%s: a model named '%s' already exists", func, name);
}

/* One model operation: its arguments and resolved change. */
struct model_op {
    const char *func;
    mlops__reg_change ch;
    const char *name;
    const char *text;  /* new name, description, or tag value */
    const char *key;   /* tag key */
    int force;
};

static int begin_op(mlops_store *s, struct model_op *op, const mlops_change_opts *change)
{
    if (!s) return mlops__err_null(op->func, "s");
    int rc = mlops__reg_check_model_name(op->func, "model name", op->name);
    if (!rc) rc = mlops__reg_change_resolve(s, op->func, change, &op->ch);
    return rc;
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static int set_description(mlops__conn *c, const struct model_op *op, int64_t id,
                           const char *old, const char *text)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(
        c, "UPDATE reg_models SET description = ?2, updated_ms = ?3 WHERE id = ?1", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (!rc) rc = mlops__bind_text(c, st, 2, text);
    if (!rc) rc = mlops__bind_int64(c, st, 3, op->ch.now_ms);
    if (!rc) rc = mlops__conn_step_done(c, st, "describing a model");
    mlops__audit_ev ev = { "model.describe", id, op->name, 0, NULL, old, text };
    if (!rc) rc = mlops__audit_append(c, &op->ch, &ev, NULL);
    return rc;
}

static int create_tx(mlops__conn *c, void *arg)
{
    struct model_op *op = arg;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = name_taken(c, op->func, op->name);
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "INSERT INTO reg_models(name, created_ms, updated_ms) "
                              "VALUES (?1, ?2, ?2) RETURNING id",
                              &st);
    int64_t id = 0;
    if (!rc) rc = mlops__bind_text(c, st, 1, op->name);
    if (!rc) rc = mlops__bind_int64(c, st, 2, op->ch.now_ms);
    if (!rc) rc = mlops__conn_step_id(c, st, "creating a model", &id);
    if (rc) return rc;
    mlops__audit_ev ev = { "model.create", id, op->name, 0, NULL, NULL, op->name };
    rc = mlops__audit_append(c, &op->ch, &ev, NULL);
    if (!rc && op->text && op->text[0]) rc = set_description(c, op, id, "", op->text);
    return rc;
}

static int model_create(const char *fn, mlops_store *s, const char *name, const char *description,
                        const mlops_change_opts *change)
{
    struct model_op op = { .func = fn, .name = name, .text = description };
    int rc = begin_op(s, &op, change);
    if (!rc) rc = mlops__reg_check_text(op.func, "description", description, 1);
    return rc ? rc : mlops__store_write(s, create_tx, &op);
}

MLOPS_API int mlops_model_create_ex(mlops_store *s, const char *name, const char *description,
                                    const mlops_change_opts *change)
{
    return model_create(__func__, s, name, description, change);
}

MLOPS_API int mlops_model_create(mlops_store *s, const char *name)
{
    return model_create(__func__, s, name, NULL, NULL);
}

static int rename_tx(mlops__conn *c, void *arg)
{
    struct model_op *op = arg;
    int64_t id = 0;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->func, op->name, &id);
    if (rc || !strcmp(op->name, op->text)) return rc;
    rc = name_taken(c, op->func, op->text);
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(c, "UPDATE reg_models SET name = ?2, updated_ms = ?3 WHERE id = ?1",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (!rc) rc = mlops__bind_text(c, st, 2, op->text);
    if (!rc) rc = mlops__bind_int64(c, st, 3, op->ch.now_ms);
    if (!rc) rc = mlops__conn_step_done(c, st, "renaming a model");
    mlops__audit_ev ev = { "model.rename", id, op->name, 0, NULL, op->name, op->text };
    if (!rc) rc = mlops__audit_append(c, &op->ch, &ev, NULL);
    return rc;
}

MLOPS_API int mlops_model_rename(mlops_store *s, const char *name, const char *new_name,
                                 const mlops_change_opts *change)
{
    struct model_op op = { .func = __func__, .name = name, .text = new_name };
    int rc = begin_op(s, &op, change);
    if (!rc) rc = mlops__reg_check_model_name(op.func, "new name", new_name);
    return rc ? rc : mlops__store_write(s, rename_tx, &op);
}

static int describe_tx(mlops__conn *c, void *arg)
{
    struct model_op *op = arg;
    int64_t id = 0;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->func, op->name, &id);
    mlops__stmt *st;
    if (!rc) rc = mlops__conn_stmt(c, "SELECT description FROM reg_models WHERE id = ?1", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step != MLOPS__ROW) {
        mlops__reset(st);
        return mlops__conn_error(c, step, "reading a model");
    }
    int oom = 0;
    char *old = mlops__reg_column_dup(st, 0, &oom);
    mlops__reset(st);
    if (!old) return mlops__err_nomem("reading a model");
    const char *text = or_empty(op->text);
    if (strcmp(old, text) != 0) rc = set_description(c, op, id, old, text);
    free(old);
    return rc;
}

MLOPS_API int mlops_model_set_description(mlops_store *s, const char *name,
                                          const char *description,
                                          const mlops_change_opts *change)
{
    struct model_op op = { .func = __func__, .name = name,
                           .text = description };
    int rc = begin_op(s, &op, change);
    if (!rc) rc = mlops__reg_check_text(op.func, "description", description, 1);
    return rc ? rc : mlops__store_write(s, describe_tx, &op);
}

static int tag_tx(mlops__conn *c, void *arg)
{
    struct model_op *op = arg;
    int64_t id = 0;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->func, op->name, &id);
    if (rc) return rc;
    mlops__audit_ev subject = { NULL, id, op->name, 0, NULL, NULL, NULL };
    if (op->text)
        return mlops__reg_tag_set(c, &op->ch, &mlops__reg_model_tags, id, &subject, op->key,
                                  op->text);
    return mlops__reg_tag_delete(c, &op->ch, &mlops__reg_model_tags, id, &subject, op->func,
                                 op->key);
}

MLOPS_API int mlops_model_tag_set(mlops_store *s, const char *name, const char *key,
                                  const char *value, const mlops_change_opts *change)
{
    struct model_op op = { .func = __func__, .name = name, .text = value,
                           .key = key };
    int rc = begin_op(s, &op, change);
    if (!rc) rc = mlops__check_name(op.func, "tag key", key, MLOPS_REGISTRY_NAME_MAX);
    if (!rc) rc = mlops__reg_check_text(op.func, "tag value", value, 0);
    return rc ? rc : mlops__store_write(s, tag_tx, &op);
}

MLOPS_API int mlops_model_tag_delete(mlops_store *s, const char *name, const char *key,
                                     const mlops_change_opts *change)
{
    struct model_op op = { .func = __func__, .name = name, .key = key };
    int rc = begin_op(s, &op, change);
    if (!rc) rc = mlops__check_name(op.func, "tag key", key, MLOPS_REGISTRY_NAME_MAX);
    return rc ? rc : mlops__store_write(s, tag_tx, &op);
}

/* Deletes every live version (which drops their aliases), then the
 * model's alias policies. */
static int delete_contents(mlops__conn *c, const struct model_op *op, int64_t id)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT number FROM reg_versions WHERE model_id = ?1 "
                              "AND deleted_ms IS NULL ORDER BY number LIMIT 1",
                              &st);
    while (!rc) {
        rc = mlops__bind_int64(c, st, 1, id);
        if (rc) break;
        int step = mlops__step(st);
        int64_t number = step == MLOPS__ROW ? mlops__col_int64(st, 0) : 0;
        mlops__reset(st);
        if (step == MLOPS__DONE) break;
        if (step != MLOPS__ROW) return mlops__conn_error(c, step, "reading versions");
        mlops__reg_version v;
        rc = mlops__reg_version_find(c, op->func, op->name, id, number, 0, &v);
        if (!rc) rc = mlops__reg_version_delete_row(c, op->func, &op->ch, op->name, &v);
    }
    if (!rc) rc = mlops__reg_policies_drop(c, &op->ch, id, op->name);
    return rc;
}

static int delete_tx(mlops__conn *c, void *arg)
{
    struct model_op *op = arg;
    int64_t id, live = 0;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->func, op->name, &id);
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "SELECT count(*) FROM reg_versions WHERE model_id = ?1 "
                              "AND deleted_ms IS NULL",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) live = mlops__col_int64(st, 0);
    mlops__reset(st);
    /* a failed count is no licence to delete without force */
    if (step != MLOPS__ROW) return mlops__conn_row_error(c, step, "counting a model's versions");
    if (live && !op->force)
        return mlops__err(MLOPS_ECONFLICT,
                          "%s: model '%s' still has %lld version(s); delete them first or "
                          "force the deletion",
                          op->func, op->name, (long long)live);
    rc = delete_contents(c, op, id);
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "UPDATE reg_models SET deleted_ms = ?2, updated_ms = ?2 "
                              "WHERE id = ?1",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, op->ch.now_ms);
    if (!rc) rc = mlops__conn_step_done(c, st, "deleting a model");
    mlops__audit_ev ev = { "model.delete", id, op->name, 0, NULL, op->name, NULL };
    if (!rc) rc = mlops__audit_append(c, &op->ch, &ev, NULL);
    return rc;
}

MLOPS_API int mlops_model_delete(mlops_store *s, const char *name, int force,
                                 const mlops_change_opts *change)
{
    struct model_op op = { .func = __func__, .name = name, .force = force };
    int rc = begin_op(s, &op, change);
    return rc ? rc : mlops__store_write(s, delete_tx, &op);
}
