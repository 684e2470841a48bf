/* Aliases: named pointers from a model to one of its versions ("champion"),
 * the reserved ones ("latest", "v3"), and resolving "name@alias" and
 * "name/N". Setting or moving an alias is one transaction: readers see the
 * old target or the new one, never neither. */
#include "registry/alias_move.h"
#include "registry/gate_store.h"
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
    const char *func;
    mlops__reg_change ch;
    const char *model;
    const char *alias;
    int64_t number; /* 0: delete */
    mlops__move_decision d;
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

/* Through the one move (alias_move.h): a refusal by the gate commits
 * its decision event and is reported after the commit. */
static int set_tx(mlops__conn *c, void *arg)
{
    struct alias_op *op = arg;
    int64_t model_id = 0;
    mlops__move_decision_free(&op->d);
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->func, op->model, &model_id);
    if (rc) return rc;
    mlops__split target = { .n = 1, .leg = { { op->number, 100 } } };
    mlops__move_opts mo = { .kind = op->number ? MLOPS__MOVE_SET : MLOPS__MOVE_DELETE };
    return mlops__alias_move(c, op->func, &op->ch, op->model, model_id, op->alias,
                             op->number ? &target : NULL, &mo, &op->d);
}

/* Runs the move's transaction; a refusal is MLOPS_EPOLICY after it. */
static int run_move(mlops_store *s, struct alias_op *op)
{
    int rc = mlops__store_write(s, set_tx, op);
    if (!rc && !op->d.allowed) rc = mlops__alias_refusal(op->func, op->model, op->alias, &op->d);
    mlops__move_decision_free(&op->d);
    return rc;
}

static int alias_set(const char *fn, mlops_store *s, const char *model, const char *alias,
                     int64_t version, const mlops_change_opts *change)
{
    struct alias_op op = { .func = fn, .model = model, .alias = alias,
                           .number = version };
    if (!s) return mlops__err_null(op.func, "s");
    int rc = mlops__reg_check_model_name(op.func, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(op.func, alias, 1);
    if (!rc) rc = mlops__reg_check_version(op.func, version);
    if (!rc) rc = mlops__reg_change_resolve(s, op.func, change, &op.ch);
    return rc ? rc : run_move(s, &op);
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

MLOPS_API int mlops_model_alias_delete(mlops_store *s, const char *model, const char *alias,
                                       const mlops_change_opts *change)
{
    struct alias_op op = { .func = __func__, .model = model, .alias = alias };
    if (!s) return mlops__err_null(op.func, "s");
    int rc = mlops__reg_check_model_name(op.func, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(op.func, alias, 1);
    if (!rc) rc = mlops__reg_change_resolve(s, op.func, change, &op.ch);
    return rc ? rc : run_move(s, &op);
}

/* The first alias of the model whose split names version `number` (a
 * leg, the primary included, or the shadow), after `after` in name
 * order; *alias NULL when none. */
static int next_alias_naming(mlops__conn *c, int64_t model_id, int64_t number, const char *after,
                             char **alias)
{
    mlops__stmt *st;
    *alias = NULL;
    int rc = mlops__conn_stmt(c, "SELECT alias FROM reg_aliases WHERE model_id = ?1 AND alias > ?2 "
                                 "ORDER BY alias",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, after);
    if (rc) return rc;
    int64_t ids_n = 0;
    char **names = NULL;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        int oom = 0;
        char **p = realloc(names, (size_t)(ids_n + 1) * sizeof *p);
        if (!p) {
            rc = mlops__err_nomem("reading aliases");
            break;
        }
        names = p;
        names[ids_n] = mlops__reg_column_dup(st, 0, &oom);
        if (oom || !names[ids_n]) {
            rc = mlops__err_nomem("reading aliases");
            break;
        }
        ids_n++;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading aliases");
    mlops__reset(st);
    for (int64_t i = 0; !rc && !*alias && i < ids_n; i++) {
        mlops__split sp;
        int found = 0;
        rc = mlops__alias_split_read(c, model_id, names[i], &sp, &found);
        int names_it = sp.shadow == number || mlops__split_weight(&sp, number) > 0;
        if (!rc && found && names_it) {
            *alias = names[i];
            names[i] = NULL;
        }
    }
    for (int64_t i = 0; i < ids_n; i++) free(names[i]);
    free(names);
    return rc;
}

int mlops__reg_aliases_drop_for_version(mlops__conn *c, const char *fn,
                                        const mlops__reg_change *ch, int64_t model_id,
                                        const char *model, int64_t number)
{
    /* A gated alias is not removed as a side effect: the version's
     * deletion is refused until the alias moves or its gate is cleared
     * (doc/gates.md, "Every move"). Checked for all before any is
     * removed. */
    char *alias = NULL;
    const char *after = "";
    char *prev = NULL;
    int rc;
    while (!(rc = next_alias_naming(c, model_id, number, after, &alias)) && alias) {
        mlops__gate_rules g;
        int gated = 0;
        rc = mlops__gate_load(c, fn, model_id, alias, &g, &gated);
        mlops__gate_rules_free(&g);
        if (!rc && gated)
            rc = mlops__err(MLOPS_EPOLICY,
                            "%s: version %lld of model '%s' is in alias '%s', which has a gate: "
                            "move the alias or clear its gate first",
                            fn, (long long)number, model, alias);
        free(prev);
        prev = alias;
        after = prev;
        if (rc) break;
    }
    free(prev);
    if (rc) return rc;
    /* Removed one at a time, each through the move (no gate: allowed). */
    while (!(rc = next_alias_naming(c, model_id, number, "", &alias)) && alias) {
        mlops__move_decision d;
        mlops__move_opts mo = { .kind = MLOPS__MOVE_DELETE };
        rc = mlops__alias_move(c, fn, ch, model, model_id, alias, NULL, &mo, &d);
        mlops__move_decision_free(&d);
        free(alias);
        if (rc) return rc;
    }
    return rc;
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
