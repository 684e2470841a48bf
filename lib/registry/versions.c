/* Versions of a model: finding them, changing their description, status
 * and tags, and deleting them (the row stays, marked; nothing is
 * redacted). Creating one is in version_create.c. */
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mlops__reg_version_find(mlops__conn *c, const char *func, const char *model,
                            int64_t model_id, int64_t number, int allow_deleted,
                            mlops__reg_version *out)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT id, artifact, run_id, created_ms, deleted_ms "
                              "FROM reg_versions WHERE model_id = ?1 AND number = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, number);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        memset(out, 0, sizeof *out);
        out->id = mlops__col_int64(st, 0);
        out->model_id = model_id;
        out->number = number;
        if (mlops__col_bytes(st, 1) == 32)
            memcpy(out->artifact.bytes, mlops__col_blob(st, 1), 32);
        const char *run = mlops__col_text(st, 2);
        if (run) {
            out->has_run = 1;
            snprintf(out->run_id, sizeof out->run_id, "%s", run);
        }
        out->created_ms = mlops__col_int64(st, 3);
        out->deleted_ms = mlops__col_int64(st, 4);
        if (!mlops__col_null(st, 4) && !allow_deleted)
            rc = mlops__err(MLOPS_ENOTFOUND, "%s: version %lld of model '%s' is deleted", func,
                            (long long)number, model);
    } else if (step == MLOPS__DONE) {
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: model '%s' has no version %lld", func, model,
                        (long long)number);
    } else {
        rc = mlops__conn_error(c, step, "looking up a version");
    }
    mlops__reset(st);
    return rc;
}

int mlops__reg_latest_version(mlops__conn *c, int64_t model_id, int64_t *number)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT max(number) FROM reg_versions WHERE model_id = ?1 "
                              "AND deleted_ms IS NULL",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (rc) return rc;
    int step = mlops__step(st);
    *number = step == MLOPS__ROW ? mlops__col_int64(st, 0) : 0;
    mlops__reset(st);
    return step == MLOPS__ROW ? MLOPS_OK : mlops__conn_error(c, step, "reading versions");
}

int mlops__reg_version_delete_row(mlops__conn *c, const char *fn, const mlops__reg_change *ch,
                                  const char *model, const mlops__reg_version *v)
{
    int rc = mlops__reg_aliases_drop_for_version(c, fn, ch, v->model_id, model, v->number);
    if (rc) return rc;
    char digest[MLOPS_DIGEST_STRLEN];
    mlops__reg_digest_text(&v->artifact, digest);
    mlops__audit_ev ev = { "version.delete", v->model_id, model, v->number, NULL, digest, NULL };
    int64_t seq = 0;
    rc = mlops__audit_append(c, ch, &ev, &seq);
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "UPDATE reg_versions SET deleted_ms = ?2, updated_ms = ?2, "
                              "delete_seq = ?3 WHERE id = ?1",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, v->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, ch->now_ms);
    if (!rc) rc = mlops__bind_int64(c, st, 3, seq);
    if (!rc) rc = mlops__conn_step_done(c, st, "deleting a version");
    return rc;
}

/* ---- Public changes ---------------------------------------------------- */

enum version_change { SET_DESCRIPTION, SET_STATUS, SET_TAG, DELETE_TAG, DELETE_VERSION };

struct version_op {
    const char *func;
    mlops__reg_change ch;
    enum version_change what;
    const char *model;
    int64_t number;
    const char *text; /* description or tag value */
    const char *key;
    int status;
};

static const char *status_name(int status)
{
    return status == MLOPS_VERSION_ARCHIVED ? "archived" : "ready";
}

/* Replaces one column (description or status) when it changes. */
static int update_field(mlops__conn *c, struct version_op *op, const mlops__reg_version *v)
{
    int is_status = op->what == SET_STATUS;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT description, status FROM reg_versions WHERE id = ?1",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, v->id);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step != MLOPS__ROW) {
        mlops__reset(st);
        return mlops__conn_error(c, step, "reading a version");
    }
    int oom = 0;
    char *old_text = mlops__reg_column_dup(st, 0, &oom);
    int old_status = mlops__col_int(st, 1);
    mlops__reset(st);
    if (!old_text) return mlops__err_nomem("reading a version");
    const char *new_text = op->text ? op->text : "";
    int same = is_status ? old_status == op->status : !strcmp(old_text, new_text);
    if (!same) {
        rc = is_status ? mlops__conn_stmt(c,
                                          "UPDATE reg_versions SET status = ?2, updated_ms = ?3 "
                                          "WHERE id = ?1",
                                          &st)
                       : mlops__conn_stmt(c,
                                          "UPDATE reg_versions SET description = ?2, "
                                          "updated_ms = ?3 WHERE id = ?1",
                                          &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, v->id);
        if (!rc)
            rc = is_status ? mlops__bind_int64(c, st, 2, op->status)
                           : mlops__bind_text(c, st, 2, new_text);
        if (!rc) rc = mlops__bind_int64(c, st, 3, op->ch.now_ms);
        if (!rc) rc = mlops__conn_step_done(c, st, "updating a version");
        mlops__audit_ev ev = { is_status ? "version.status" : "version.describe",
                               v->model_id,
                               op->model,
                               v->number,
                               NULL,
                               is_status ? status_name(old_status) : old_text,
                               is_status ? status_name(op->status) : new_text };
        if (!rc) rc = mlops__audit_append(c, &op->ch, &ev, NULL);
    }
    free(old_text);
    return rc;
}

static int version_tx(mlops__conn *c, void *arg)
{
    struct version_op *op = arg;
    int64_t model_id = 0;
    mlops__reg_version v;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->func, op->model, &model_id);
    if (!rc) rc = mlops__reg_version_find(c, op->func, op->model, model_id, op->number, 0, &v);
    if (rc) return rc;
    mlops__audit_ev subject = { NULL, model_id, op->model, v.number, NULL, NULL, NULL };
    switch (op->what) {
    case SET_DESCRIPTION:
    case SET_STATUS: return update_field(c, op, &v);
    case SET_TAG:
        return mlops__reg_tag_set(c, &op->ch, &mlops__reg_version_tags, v.id, &subject, op->key,
                                  op->text);
    case DELETE_TAG:
        return mlops__reg_tag_delete(c, &op->ch, &mlops__reg_version_tags, v.id, &subject,
                                     op->func, op->key);
    case DELETE_VERSION: return mlops__reg_version_delete_row(c, op->func, &op->ch, op->model, &v);
    }
    return MLOPS_EINVAL;
}

static int run_op(mlops_store *s, struct version_op *op, const mlops_change_opts *change)
{
    if (!s) return mlops__err_null(op->func, "s");
    int rc = mlops__reg_check_model_name(op->func, "model name", op->model);
    if (!rc) rc = mlops__reg_check_version(op->func, op->number);
    if (!rc) rc = mlops__reg_change_resolve(s, op->func, change, &op->ch);
    if (!rc && (op->what == SET_TAG || op->what == DELETE_TAG))
        rc = mlops__check_name(op->func, "tag key", op->key, MLOPS_REGISTRY_NAME_MAX);
    if (!rc && op->what == SET_TAG) rc = mlops__reg_check_text(op->func, "tag value", op->text, 0);
    if (!rc && op->what == SET_DESCRIPTION)
        rc = mlops__reg_check_text(op->func, "description", op->text, 1);
    if (!rc && op->what == SET_STATUS && op->status != MLOPS_VERSION_READY &&
        op->status != MLOPS_VERSION_ARCHIVED)
        rc = mlops__err(MLOPS_EINVAL, "%s: unknown status %d", op->func, op->status);
    return rc ? rc : mlops__store_write(s, version_tx, op);
}

MLOPS_API int mlops_model_version_set_description(mlops_store *s, const char *model,
                                                  int64_t version, const char *description,
                                                  const mlops_change_opts *change)
{
    struct version_op op = { .func = __func__,
                             .what = SET_DESCRIPTION, .model = model, .number = version,
                             .text = description };
    return run_op(s, &op, change);
}

MLOPS_API int mlops_model_version_set_status(mlops_store *s, const char *model,
                                             int64_t version, int status,
                                             const mlops_change_opts *change)
{
    struct version_op op = { .func = __func__, .what = SET_STATUS,
                             .model = model, .number = version, .status = status };
    return run_op(s, &op, change);
}

MLOPS_API int mlops_model_version_tag_set(mlops_store *s, const char *model, int64_t version,
                                          const char *key, const char *value,
                                          const mlops_change_opts *change)
{
    struct version_op op = { .func = __func__, .what = SET_TAG,
                             .model = model, .number = version, .text = value, .key = key };
    return run_op(s, &op, change);
}

MLOPS_API int mlops_model_version_tag_delete(mlops_store *s, const char *model,
                                             int64_t version, const char *key,
                                             const mlops_change_opts *change)
{
    struct version_op op = { .func = __func__, .what = DELETE_TAG,
                             .model = model, .number = version, .key = key };
    return run_op(s, &op, change);
}

MLOPS_API int mlops_model_version_delete(mlops_store *s, const char *model, int64_t version,
                                         const mlops_change_opts *change)
{
    struct version_op op = { .func = __func__, .what = DELETE_VERSION,
                             .model = model, .number = version };
    return run_op(s, &op, change);
}
