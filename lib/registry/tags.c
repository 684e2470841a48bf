/* Tags of models and versions: the key/value lists their handles carry,
 * and setting or removing one tag with its audit event. The two owners
 * differ only in their table, described by a mlops__reg_tag_table. */
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

void mlops__reg_kv_free(mlops__reg_kv *kv)
{
    for (size_t i = 0; i < kv->n; i++) {
        free(kv->keys[i]);
        free(kv->values[i]);
    }
    free(kv->keys);
    free(kv->values);
    memset(kv, 0, sizeof *kv);
}

int mlops__reg_kv_load(mlops__conn *c, mlops__stmt *st, mlops__reg_kv *kv)
{
    int step, rc = MLOPS_OK;
    size_t cap = 0;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (kv->n == cap) {
            cap = cap ? 2 * cap : 8;
            char **k = realloc(kv->keys, cap * sizeof *k);
            if (k) kv->keys = k;
            char **v = realloc(kv->values, cap * sizeof *v);
            if (v) kv->values = v;
            if (!k || !v) {
                rc = mlops__err_nomem("reading tags");
                break;
            }
        }
        int oom = 0;
        char *key = mlops__reg_column_dup(st, 0, &oom);
        char *value = mlops__reg_column_dup(st, 1, &oom);
        if (oom || !key || !value) {
            free(key);
            free(value);
            rc = mlops__err_nomem("reading tags");
            break;
        }
        kv->keys[kv->n] = key;
        kv->values[kv->n] = value;
        kv->n++;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading tags");
    mlops__reset(st);
    return rc;
}

int mlops__reg_kv_at(const char *func, const mlops__reg_kv *kv, size_t i, const char **key,
                     const char **value)
{
    if (i >= kv->n)
        return mlops__err(MLOPS_EINVAL, "%s: index %zu is not below %zu", func, i, kv->n);
    if (key) *key = kv->keys[i];
    if (value) *value = kv->values[i];
    return MLOPS_OK;
}

const char *mlops__reg_kv_get(const mlops__reg_kv *kv, const char *key)
{
    if (!key) return NULL;
    for (size_t i = 0; i < kv->n; i++)
        if (!strcmp(kv->keys[i], key)) return kv->values[i];
    return NULL;
}

const mlops__reg_tag_table mlops__reg_model_tags = {
    "SELECT value FROM reg_model_tags WHERE model_id = ?1 AND key = ?2",
    "INSERT INTO reg_model_tags(model_id, key, value) VALUES (?1, ?2, ?3) "
    "ON CONFLICT(model_id, key) DO UPDATE SET value = excluded.value",
    "DELETE FROM reg_model_tags WHERE model_id = ?1 AND key = ?2",
    "UPDATE reg_models SET updated_ms = ?2 WHERE id = ?1",
    "model.tag.set",
    "model.tag.delete",
};

const mlops__reg_tag_table mlops__reg_version_tags = {
    "SELECT value FROM reg_version_tags WHERE version_id = ?1 AND key = ?2",
    "INSERT INTO reg_version_tags(version_id, key, value) VALUES (?1, ?2, ?3) "
    "ON CONFLICT(version_id, key) DO UPDATE SET value = excluded.value",
    "DELETE FROM reg_version_tags WHERE version_id = ?1 AND key = ?2",
    "UPDATE reg_versions SET updated_ms = ?2 WHERE id = ?1",
    "version.tag.set",
    "version.tag.delete",
};

/* The tag's current value (malloc'd) or NULL with *found = 0. */
static int tag_current(mlops__conn *c, const mlops__reg_tag_table *t, int64_t owner,
                       const char *key, char **value, int *found)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, t->select_sql, &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, owner);
    if (!rc) rc = mlops__bind_text(c, st, 2, key);
    if (rc) return rc;
    *value = NULL;
    *found = 0;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        int oom = 0;
        *value = mlops__reg_column_dup(st, 0, &oom);
        *found = 1;
        if (oom || !*value) rc = mlops__err_nomem("reading a tag");
    } else if (step != MLOPS__DONE) {
        rc = mlops__conn_error(c, step, "reading a tag");
    }
    mlops__reset(st);
    return rc;
}

static int touch_owner(mlops__conn *c, const mlops__reg_tag_table *t, int64_t owner,
                       int64_t now)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, t->touch_sql, &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, owner);
    if (!rc) rc = mlops__bind_int64(c, st, 2, now);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a tag change");
    return rc;
}

int mlops__reg_tag_set(mlops__conn *c, const mlops__reg_change *ch, const mlops__reg_tag_table *t,
                       int64_t owner, const mlops__audit_ev *subject, const char *key,
                       const char *value)
{
    char *old = NULL;
    int found = 0;
    int rc = tag_current(c, t, owner, key, &old, &found);
    if (rc) return rc;
    if (found && !strcmp(old, value)) {
        free(old);
        return MLOPS_OK; /* no change, nothing to record */
    }
    mlops__stmt *st;
    rc = mlops__conn_stmt(c, t->upsert_sql, &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, owner);
    if (!rc) rc = mlops__bind_text(c, st, 2, key);
    if (!rc) rc = mlops__bind_text(c, st, 3, value);
    if (!rc) rc = mlops__conn_step_done(c, st, "setting a tag");
    if (!rc) rc = touch_owner(c, t, owner, ch->now_ms);
    if (!rc) {
        mlops__audit_ev ev = *subject;
        ev.action = t->set_action;
        ev.key = key;
        ev.old_value = old;
        ev.new_value = value;
        rc = mlops__audit_append(c, ch, &ev, NULL);
    }
    free(old);
    return rc;
}

int mlops__reg_tag_delete(mlops__conn *c, const mlops__reg_change *ch,
                          const mlops__reg_tag_table *t, int64_t owner,
                          const mlops__audit_ev *subject, const char *func, const char *key)
{
    char *old = NULL;
    int found = 0;
    int rc = tag_current(c, t, owner, key, &old, &found);
    if (rc) return rc;
    if (!found) return mlops__err(MLOPS_ENOTFOUND, "%s: no tag '%s'", func, key);
    mlops__stmt *st;
    rc = mlops__conn_stmt(c, t->delete_sql, &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, owner);
    if (!rc) rc = mlops__bind_text(c, st, 2, key);
    if (!rc) rc = mlops__conn_step_done(c, st, "removing a tag");
    if (!rc) rc = touch_owner(c, t, owner, ch->now_ms);
    if (!rc) {
        mlops__audit_ev ev = *subject;
        ev.action = t->delete_action;
        ev.key = key;
        ev.old_value = old;
        ev.new_value = NULL;
        rc = mlops__audit_append(c, ch, &ev, NULL);
    }
    free(old);
    return rc;
}
