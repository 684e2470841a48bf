/* Reading the audit log: lists of events (a model's history, or the whole
 * log page by page) and "what did this alias point at, at time t". */
#include "registry/alias_split.h"
#include "util/err.h"
#include "util/opts.h"

#include <stdlib.h>
#include <string.h>

struct event_item {
    int64_t seq, time_ms, model_version;
    char *actor, *action, *model, *key, *old_value, *new_value, *reason;
    mlops_digest hash;
};

struct mlops_audit_events {
    size_t n, cap;
    struct event_item *items;
};

MLOPS_API int mlops_audit_event_init(mlops_audit_event *ev, unsigned version)
{
    static const mlops_audit_event defaults = MLOPS_AUDIT_EVENT_INIT;
    return mlops__opts_init(__func__, ev, &defaults, sizeof defaults, version,
                            MLOPS_AUDIT_EVENT_VERSION);
}

/* Fills l from scratch: a transaction retried after a lost connection
 * (lib/store/store.c) runs its closure again. */
static void drop_events(mlops_audit_events *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct event_item *e = &l->items[i];
        free(e->actor);
        free(e->action);
        free(e->model);
        free(e->key);
        free(e->old_value);
        free(e->new_value);
        free(e->reason);
    }
    l->n = 0;
}

MLOPS_API void mlops_audit_events_free(mlops_audit_events *l)
{
    if (!l) return;
    drop_events(l);
    free(l->items);
    free(l);
}

MLOPS_API size_t mlops_audit_events_count(const mlops_audit_events *l)
{
    return l ? l->n : 0;
}

MLOPS_API int mlops_audit_events_get(const mlops_audit_events *l, size_t i,
                                     mlops_audit_event *ev)
{
    if (!l) return mlops__err_null(__func__, "l");
    if (!ev) return mlops__err_null(__func__, "ev");
    if (ev->version == 0 || ev->version > MLOPS_AUDIT_EVENT_VERSION)
        return mlops__err(MLOPS_EINVAL,
                          "%s: event version %u is not supported "
                          "(initialise it with mlops_audit_event_init)", __func__,
                          ev->version);
    if (i >= l->n)
        return mlops__err(MLOPS_EINVAL, "%s: index %zu is not below %zu", __func__, i,
                          l->n);
    const struct event_item *e = &l->items[i];
    /* Version 1 is every field so far. */
    ev->seq = e->seq;
    ev->time_ms = e->time_ms;
    ev->actor = e->actor;
    ev->action = e->action;
    ev->model = e->model;
    ev->model_version = e->model_version;
    ev->key = e->key;
    ev->old_value = e->old_value;
    ev->new_value = e->new_value;
    ev->reason = e->reason;
    ev->hash = e->hash;
    return MLOPS_OK;
}

/* Reads every row of st (columns as in EVENT_COLUMNS) into l. */
#define EVENT_COLUMNS \
    "seq, time_ms, actor, action, model, version, key, old_value, new_value, reason, hash"

static int collect_events(mlops__conn *c, mlops__stmt *st, mlops_audit_events *l)
{
    int step, rc = MLOPS_OK;
    drop_events(l);
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (l->n == l->cap) {
            size_t cap = l->cap ? 2 * l->cap : 16;
            struct event_item *p = realloc(l->items, cap * sizeof *p);
            if (!p) {
                rc = mlops__err_nomem("reading audit events");
                break;
            }
            l->items = p;
            l->cap = cap;
        }
        struct event_item *e = &l->items[l->n];
        memset(e, 0, sizeof *e);
        l->n++;
        int oom = 0;
        e->seq = mlops__col_int64(st, 0);
        e->time_ms = mlops__col_int64(st, 1);
        e->actor = mlops__reg_column_dup(st, 2, &oom);
        e->action = mlops__reg_column_dup(st, 3, &oom);
        e->model = mlops__reg_column_dup(st, 4, &oom);
        e->model_version = mlops__col_int64(st, 5);
        e->key = mlops__reg_column_dup(st, 6, &oom);
        e->old_value = mlops__reg_column_dup(st, 7, &oom);
        e->new_value = mlops__reg_column_dup(st, 8, &oom);
        e->reason = mlops__reg_column_dup(st, 9, &oom);
        if (mlops__col_bytes(st, 10) == 32)
            memcpy(e->hash.bytes, mlops__col_blob(st, 10), 32);
        if (oom) {
            rc = mlops__err_nomem("reading audit events");
            break;
        }
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading audit events");
    mlops__reset(st);
    return rc;
}

/* The model a history question is about: the one called name now, else
 * the last one whose events carry that name (renamed or deleted). */
static int history_model_id(mlops__conn *c, const char *func, const char *name, int64_t *id)
{
    int rc = mlops__reg_model_id(c, func, name, id);
    if (rc != MLOPS_ENOTFOUND) return rc;
    mlops__stmt *st;
    rc = mlops__conn_stmt(
        c, "SELECT model_id FROM audit_events WHERE model = ?1 ORDER BY seq DESC LIMIT 1", &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, name);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) *id = mlops__col_int64(st, 0);
    mlops__reset(st);
    if (step == MLOPS__ROW) return MLOPS_OK;
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "searching the audit log");
    return mlops__err(MLOPS_ENOTFOUND, "%s: no model was ever called '%s'", func, name);
}

struct model_events_ctx {
    const char *fn;
    const char *name;
    mlops_audit_events *list;
};

static int model_events_tx(mlops__conn *c, void *arg)
{
    struct model_events_ctx *x = arg;
    int64_t id = 0;
    int rc = history_model_id(c, x->fn, x->name, &id);
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "SELECT " EVENT_COLUMNS
                              " FROM audit_events WHERE model_id = ?1 ORDER BY seq",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (!rc) rc = collect_events(c, st, x->list);
    return rc;
}

static int new_list(mlops_audit_events **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? MLOPS_OK : mlops__err_nomem("allocating an event list");
}

MLOPS_API int mlops_audit_model_events(mlops_store *s, const char *name,
                                       mlops_audit_events **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__reg_check_model_name(__func__, "model name", name);
    struct model_events_ctx x = { __func__, name, NULL };
    if (!rc) rc = new_list(&x.list);
    if (!rc) rc = mlops__store_read(s, model_events_tx, &x);
    if (rc) {
        mlops_audit_events_free(x.list);
        return rc;
    }
    *out = x.list;
    return MLOPS_OK;
}

struct list_ctx {
    int64_t after;
    int64_t limit;
    mlops_audit_events *list;
};

static int list_tx(mlops__conn *c, void *arg)
{
    struct list_ctx *x = arg;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(
        c, "SELECT " EVENT_COLUMNS " FROM audit_events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, x->after);
    if (!rc) rc = mlops__bind_int64(c, st, 2, x->limit);
    if (!rc) rc = collect_events(c, st, x->list);
    return rc;
}

MLOPS_API int mlops_audit_list(mlops_store *s, int64_t after_seq, size_t limit,
                               mlops_audit_events **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    /* No limit: the largest LIMIT (PostgreSQL refuses SQLite's -1). */
    struct list_ctx x = { after_seq,
                          limit && limit < (size_t)INT64_MAX ? (int64_t)limit : INT64_MAX, NULL };
    int rc = new_list(&x.list);
    if (!rc) rc = mlops__store_read(s, list_tx, &x);
    if (rc) {
        mlops_audit_events_free(x.list);
        return rc;
    }
    *out = x.list;
    return MLOPS_OK;
}

/* ---- Point in time ----------------------------------------------------- */

struct alias_at_ctx {
    const char *fn;
    const char *model, *alias;
    int64_t time_ms;
    mlops__split split;             /* the answer */
    int want_object;                /* mlops_audit_alias_split_at */
    mlops_alias_split *out;
};

static int reserved_at(mlops__conn *c, struct alias_at_ctx *x, int64_t model_id, int64_t n)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT max(number) FROM reg_versions WHERE model_id = ?1 "
                              "AND created_ms <= ?2 AND (deleted_ms IS NULL OR deleted_ms > ?2) "
                              "AND (?3 = 0 OR number = ?3)",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, x->time_ms);
    if (!rc) rc = mlops__bind_int64(c, st, 3, n);
    if (rc) return rc;
    int step = mlops__step(st);
    int found = step == MLOPS__ROW && !mlops__col_null(st, 0);
    if (found) {
        memset(&x->split, 0, sizeof x->split);
        x->split.n = 1;
        x->split.leg[0].version = mlops__col_int64(st, 0);
        x->split.leg[0].weight = 100;
    }
    mlops__reset(st);
    if (step != MLOPS__ROW) return mlops__conn_error(c, step, "reading versions");
    if (!found)
        return mlops__err(MLOPS_ENOTFOUND,
                          "%s: '%s@%s' named no version at %lld ms", x->fn, x->model,
                          x->alias, (long long)x->time_ms);
    return MLOPS_OK;
}

/* The split of the alias as of x->time_ms from its last event then
 * (alias_split.h, MLOPS__ALIAS_MOVE_ACTIONS); alias.delete leaves none. */
static int split_at(mlops__conn *c, struct alias_at_ctx *x, int64_t model_id)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT action, new_value, payload FROM audit_events "
                              "WHERE model_id = ?1 AND key = ?2 AND time_ms <= ?3 "
                              "AND action IN " MLOPS__ALIAS_MOVE_ACTIONS " ORDER BY seq DESC LIMIT 1",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, x->alias);
    if (!rc) rc = mlops__bind_int64(c, st, 3, x->time_ms);
    if (rc) return rc;
    int step = mlops__step(st);
    int found = 0;
    if (step == MLOPS__ROW) {
        const char *action = mlops__col_text(st, 0);
        if (action && strcmp(action, "alias.delete") != 0) {
            rc = mlops__alias_split_of_event(x->fn, x->model, x->alias, mlops__col_text(st, 1),
                                             mlops__col_blob(st, 2),
                                             (size_t)mlops__col_bytes(st, 2), &x->split);
            found = !rc;
        }
    } else if (step != MLOPS__DONE) {
        rc = mlops__conn_error(c, step, "searching the audit log");
    }
    mlops__reset(st);
    if (!rc && !found)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: alias '%s@%s' was not set at %lld ms", x->fn,
                        x->model, x->alias, (long long)x->time_ms);
    return rc;
}

int mlops__alias_split_at(mlops__conn *c, const char *fn, const char *model, int64_t model_id,
                          const char *alias, int64_t time_ms, mlops__split *out)
{
    struct alias_at_ctx x = { .fn = fn, .model = model, .alias = alias, .time_ms = time_ms };
    int rc = split_at(c, &x, model_id);
    if (!rc) *out = x.split;
    return rc;
}

static int alias_at_tx(mlops__conn *c, void *arg)
{
    struct alias_at_ctx *x = arg;
    int64_t model_id = 0, n = 0;
    /* A retried read (a lost COMMIT) starts again from nothing. */
    mlops_alias_split_free(x->out);
    x->out = NULL;
    int rc = history_model_id(c, x->fn, x->model, &model_id);
    if (rc) return rc;
    char *salt = NULL;
    if (mlops__reg_alias_reserved(x->alias, &n)) {
        if (n < 0)
            return mlops__err(MLOPS_ENOTFOUND, "%s: no version '%s' of '%s'", x->fn,
                              x->alias, x->model);
        rc = reserved_at(c, x, model_id, n);
    } else {
        rc = split_at(c, x, model_id);
        /* The salt never changes while the model exists: today's is then's. */
        if (!rc && x->want_object) rc = mlops__alias_salt_get(c, model_id, x->alias, &salt);
    }
    if (!rc && x->want_object) rc = mlops__alias_split_new(x->alias, &x->split, salt, &x->out);
    free(salt);
    return rc;
}

static int alias_at(const char *fn, mlops_store *s, struct alias_at_ctx *x)
{
    if (!s) return mlops__err_null(fn, "s");
    int rc = mlops__reg_check_model_name(fn, "model name", x->model);
    if (!rc) rc = mlops__reg_check_alias(fn, x->alias, 0);
    if (!rc) rc = mlops__store_read(s, alias_at_tx, x);
    return rc;
}

MLOPS_API int mlops_audit_alias_at(mlops_store *s, const char *model, const char *alias,
                                   int64_t time_ms, int64_t *version)
{
    if (!version && s) return mlops__err_null(__func__, "version");
    struct alias_at_ctx x = { .fn = __func__, .model = model, .alias = alias,
                              .time_ms = time_ms };
    int rc = alias_at(__func__, s, &x);
    /* A weighted alias, to a 1.0 caller, is its primary. */
    if (!rc) *version = mlops__split_primary(&x.split);
    return rc;
}

MLOPS_API int mlops_audit_alias_split_at(mlops_store *s, const char *model, const char *alias,
                                         int64_t time_ms, mlops_alias_split **out)
{
    if (!out && s) return mlops__err_null(__func__, "out");
    struct alias_at_ctx x = { .fn = __func__, .model = model, .alias = alias,
                              .time_ms = time_ms, .want_object = 1 };
    int rc = alias_at(__func__, s, &x);
    if (rc) {
        mlops_alias_split_free(x.out);
        return rc;
    }
    *out = x.out;
    return MLOPS_OK;
}

void mlops__audit_row_read(mlops__stmt *st, mlops__audit_row *r, mlops_digest *hash)
{
    *r = (mlops__audit_row){
        .seq = mlops__col_int64(st, 0),
        .time_ms = mlops__col_int64(st, 1),
        .actor = mlops__col_text(st, 2),
        .action = mlops__col_text(st, 3),
        .model_id = mlops__col_int64(st, 4),
        .model = mlops__col_text(st, 5),
        .version = mlops__col_int64(st, 6),
        .key = mlops__col_text(st, 7),
        .old_value = mlops__col_text(st, 8),
        .new_value = mlops__col_text(st, 9),
        .reason = mlops__col_text(st, 10),
        .format = mlops__col_int(st, 12),
    };
    if (!mlops__col_null(st, 13)) {
        const void *p = mlops__col_blob(st, 13);
        r->payload_len = (size_t)mlops__col_bytes(st, 13);
        r->payload = p ? p : "";
    }
    memset(hash, 0, sizeof *hash);
    if (mlops__col_bytes(st, 11) == 32) memcpy(hash->bytes, mlops__col_blob(st, 11), 32);
}
