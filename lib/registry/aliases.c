/* Aliases: named pointers from a model to one of its versions ("champion"),
 * the reserved ones ("latest", "v3"), and resolving "name@alias" and
 * "name/N". Setting or moving an alias is one transaction: readers see the
 * old target or the new one, never neither. */
#include "registry/registry_internal.h"
#include "util/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mlops__reg_alias_current(mlops__conn *c, int64_t model_id, const char *alias,
                             int64_t *version_id, int64_t *number, int *found)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT a.version_id, v.number FROM reg_aliases a "
                              "JOIN reg_versions v ON v.id = a.version_id "
                              "WHERE a.model_id = ?1 AND a.alias = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, alias);
    if (rc) return rc;
    int step = mlops__step(st);
    *found = step == MLOPS__ROW;
    if (*found) {
        *version_id = mlops__col_int64(st, 0);
        *number = mlops__col_int64(st, 1);
    }
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        return mlops__conn_error(c, step, "reading an alias");
    return MLOPS_OK;
}

int mlops__reg_alias_resolve(mlops__conn *c, const char *func, const char *model,
                             int64_t model_id, const char *alias, mlops__reg_version *out)
{
    int64_t number = 0;
    if (mlops__reg_alias_reserved(alias, &number)) {
        if (number < 0)
            return mlops__err(MLOPS_ENOTFOUND, "%s: model '%s' has no version '%s'", func, model,
                              alias);
        if (number == 0) {
            int rc = mlops__reg_latest_version(c, model_id, &number);
            if (rc) return rc;
            if (number == 0)
                return mlops__err(MLOPS_ENOTFOUND, "%s: model '%s' has no versions, so no '%s'",
                                  func, model, alias);
        }
        return mlops__reg_version_find(c, func, model, model_id, number, 0, out);
    }
    int64_t version_id = 0;
    int found;
    int rc = mlops__reg_alias_current(c, model_id, alias, &version_id, &number, &found);
    if (rc) return rc;
    if (!found)
        return mlops__err(MLOPS_ENOTFOUND, "%s: model '%s' has no alias '%s'", func, model,
                          alias);
    return mlops__reg_version_find(c, func, model, model_id, number, 0, out);
}

struct alias_op {
    mlops_store *s;
    const char *func;
    mlops__reg_change ch;
    const char *model;
    const char *alias;
    int64_t number;
};

int mlops__reg_alias_write(mlops__conn *c, int64_t model_id, const char *alias,
                           int64_t version_id, int64_t updated_ms, int64_t seq, const char *what)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO reg_aliases(model_id, alias, version_id, updated_ms, "
                              "event_seq) VALUES (?1, ?2, ?3, ?4, ?5) "
                              "ON CONFLICT(model_id, alias) DO UPDATE SET "
                              "version_id = excluded.version_id, "
                              "updated_ms = excluded.updated_ms, event_seq = excluded.event_seq",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, alias);
    if (!rc) rc = mlops__bind_int64(c, st, 3, version_id);
    if (!rc) rc = mlops__bind_int64(c, st, 4, updated_ms);
    if (!rc) rc = mlops__bind_int64(c, st, 5, seq);
    if (!rc) rc = mlops__conn_step_done(c, st, what);
    return rc;
}

int mlops__reg_alias_remove(mlops__conn *c, int64_t model_id, const char *alias)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "DELETE FROM reg_aliases WHERE model_id = ?1 AND alias = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, alias);
    if (!rc) rc = mlops__conn_step_done(c, st, "removing an alias");
    return rc;
}

static int set_tx(mlops__conn *c, void *arg)
{
    struct alias_op *op = arg;
    int64_t model_id, old_id = 0, old_number = 0;
    mlops__reg_version v = { 0 };
    int found = 0;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->func, op->model, &model_id);
    if (!rc) rc = mlops__reg_version_find(c, op->func, op->model, model_id, op->number, 0, &v);
    if (!rc) rc = mlops__reg_alias_current(c, model_id, op->alias, &old_id, &old_number, &found);
    if (rc || (found && old_id == v.id)) return rc; /* already there: nothing to record */
    rc = mlops__policy_check(c, op->s, op->func, op->model, model_id, op->alias, &v);
    if (rc) return rc;
    char old_text[32], new_text[32];
    snprintf(old_text, sizeof old_text, "%lld", (long long)old_number);
    snprintf(new_text, sizeof new_text, "%lld", (long long)v.number);
    mlops__audit_ev ev = { found ? "alias.move" : "alias.set", model_id, op->model, 0,
                           op->alias, found ? old_text : NULL, new_text };
    int64_t seq = 0;
    rc = mlops__audit_append(c, &op->ch, &ev, &seq);
    return rc ? rc : mlops__reg_alias_write(c, model_id, op->alias, v.id, op->ch.now_ms, seq,
                                            "setting an alias");
}

static int alias_set(const char *fn, mlops_store *s, const char *model, const char *alias,
                     int64_t version, const mlops_change_opts *change)
{
    struct alias_op op = { .s = s, .func = fn, .model = model, .alias = alias,
                           .number = version };
    if (!s) return mlops__err_null(op.func, "s");
    int rc = mlops__reg_check_model_name(op.func, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(op.func, alias, 1);
    if (!rc) rc = mlops__reg_check_version(op.func, version);
    if (!rc) rc = mlops__reg_change_resolve(s, op.func, change, &op.ch);
    return rc ? rc : mlops__store_write(s, set_tx, &op);
}

MLOPS_API int mlops_model_alias_set_ex(mlops_store *s, const char *model, const char *alias,
                                       int64_t version, const mlops_change_opts *change)
{
    return alias_set(__func__, s, model, alias, version, change);
}

MLOPS_API int mlops_model_alias_set(mlops_store *s, const char *model, const char *alias,
                                    int64_t version)
{
    return alias_set(__func__, s, model, alias, version, NULL);
}

/* Removes a set alias and records it. */
static int drop_alias(mlops__conn *c, const mlops__reg_change *ch, int64_t model_id,
                      const char *model, const char *alias, int64_t number)
{
    char old_text[32];
    snprintf(old_text, sizeof old_text, "%lld", (long long)number);
    mlops__audit_ev ev = { "alias.delete", model_id, model, 0, alias, old_text, NULL };
    int rc = mlops__audit_append(c, ch, &ev, NULL);
    return rc ? rc : mlops__reg_alias_remove(c, model_id, alias);
}

static int delete_tx(mlops__conn *c, void *arg)
{
    struct alias_op *op = arg;
    int64_t model_id = 0, version_id = 0, number = 0;
    int found = 0;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->func, op->model, &model_id);
    if (!rc) rc = mlops__reg_alias_current(c, model_id, op->alias, &version_id, &number, &found);
    if (rc) return rc;
    if (!found)
        return mlops__err(MLOPS_ENOTFOUND, "%s: model '%s' has no alias '%s'", op->func,
                          op->model, op->alias);
    return drop_alias(c, &op->ch, model_id, op->model, op->alias, number);
}

MLOPS_API int mlops_model_alias_delete(mlops_store *s, const char *model, const char *alias,
                                       const mlops_change_opts *change)
{
    struct alias_op op = { .func = __func__, .model = model, .alias = alias };
    if (!s) return mlops__err_null(op.func, "s");
    int rc = mlops__reg_check_model_name(op.func, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(op.func, alias, 1);
    if (!rc) rc = mlops__reg_change_resolve(s, op.func, change, &op.ch);
    return rc ? rc : mlops__store_write(s, delete_tx, &op);
}

int mlops__reg_aliases_drop_for_version(mlops__conn *c, const mlops__reg_change *ch,
                                        int64_t model_id, const char *model,
                                        int64_t version_id, int64_t number)
{
    /* One at a time: the statement is reset before each removal. */
    for (;;) {
        mlops__stmt *st;
        int rc = mlops__conn_stmt(c,
                                  "SELECT alias FROM reg_aliases WHERE model_id = ?1 "
                                  "AND version_id = ?2 ORDER BY alias LIMIT 1",
                                  &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
        if (!rc) rc = mlops__bind_int64(c, st, 2, version_id);
        if (rc) return rc;
        char *alias;
        rc = mlops__reg_first_text(c, st, &alias);
        if (rc || !alias) return rc;
        rc = drop_alias(c, ch, model_id, model, alias, number);
        free(alias);
        if (rc) return rc;
    }
}

/* ---- Reading ----------------------------------------------------------- */

struct resolve_ctx {
    const char *func;
    const char *model;
    const char *alias;  /* NULL: by number */
    int64_t number;
    mlops__reg_version v;
};

static int resolve_tx(mlops__conn *c, void *arg)
{
    struct resolve_ctx *x = arg;
    int64_t model_id = 0;
    int rc = mlops__reg_model_id(c, x->func, x->model, &model_id);
    if (rc) return rc;
    if (x->alias) return mlops__reg_alias_resolve(c, x->func, x->model, model_id, x->alias, &x->v);
    return mlops__reg_version_find(c, x->func, x->model, model_id, x->number, 0, &x->v);
}

MLOPS_API int mlops_model_alias_get(mlops_store *s, const char *model, const char *alias,
                                    int64_t *version)
{
    struct resolve_ctx x = { .func = __func__, .model = model, .alias = alias };
    if (!s) return mlops__err_null(x.func, "s");
    if (!version) return mlops__err_null(x.func, "version");
    int rc = mlops__reg_check_model_name(x.func, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(x.func, alias, 0);
    if (!rc) rc = mlops__store_read(s, resolve_tx, &x);
    if (!rc) *version = x.v.number;
    return rc;
}

/* Splits "name@alias" or "name/N" into x (name copied into buf). */
static int parse_ref(const char *func, const char *ref, char *buf, size_t bufsize,
                     struct resolve_ctx *x)
{
    size_t len = strnlen(ref, bufsize);
    if (len >= bufsize)
        return mlops__err(MLOPS_EINVAL, "%s: reference is longer than %zu bytes", func,
                          bufsize - 1);
    memcpy(buf, ref, len + 1);
    char *at = strrchr(buf, '@');
    if (at) {
        *at = '\0';
        x->alias = at + 1;
        int rc = mlops__reg_check_alias(func, x->alias, 0);
        if (rc) return rc;
    } else {
        char *slash = strrchr(buf, '/');
        char *end = NULL;
        errno = 0;
        long long n = slash && slash[1] >= '0' && slash[1] <= '9' ? strtoll(slash + 1, &end, 10)
                                                                   : 0;
        /* strtoll saturates: "m/99999999999999999999" must not become
         * version INT64_MAX */
        if (!slash || !end || *end || n < 1 || errno == ERANGE)
            return mlops__err(MLOPS_EINVAL,
                              "%s: '%s' is neither \"name@alias\" nor \"name/N\"", func, ref);
        *slash = '\0';
        x->number = n;
    }
    x->model = buf;
    return mlops__reg_check_model_name(func, "model name", buf);
}

MLOPS_API int mlops_model_resolve(mlops_store *s, const char *ref, int64_t *version,
                                  mlops_digest *artifact)
{
    struct resolve_ctx x = { .func = __func__ };
    if (!s) return mlops__err_null(x.func, "s");
    if (!ref) return mlops__err_null(x.func, "ref");
    char buf[2 * MLOPS_REGISTRY_NAME_MAX + 2];
    int rc = parse_ref(x.func, ref, buf, sizeof buf, &x);
    if (!rc) rc = mlops__store_read(s, resolve_tx, &x);
    if (rc) return rc;
    if (version) *version = x.v.number;
    if (artifact) *artifact = x.v.artifact;
    return MLOPS_OK;
}
