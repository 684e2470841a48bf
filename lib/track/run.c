/* Runs: start, open, end, tags, soft delete. */
#include "store/store_internal.h"
#include "track/metric_internal.h"
#include "track/track_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

MLOPS_API int mlops_run_start_opts_init(mlops_run_start_opts *opts, unsigned version)
{
    static const mlops_run_start_opts defaults = MLOPS_RUN_START_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_RUN_START_OPTS_VERSION);
}

static int check_git_commit(const char *func, const char *commit)
{
    size_t n = strnlen(commit, 65);
    for (size_t i = 0; i < n; i++) {
        char ch = commit[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
            n = 0;
    }
    if (n >= 4 && n <= 64) return MLOPS_OK;
    return mlops__err(MLOPS_EINVAL, "%s: git commit '%.80s' is not 4..64 hex digits", func,
                      commit);
}

static int check_start_opts(const char *func, const mlops_run_start_opts *o)
{
    int rc = MLOPS_OK;
    if (o->name) rc = mlops__check_name(func, "run name", o->name, MLOPS_RUN_NAME_MAX);
    if (!rc && o->parent_run_id) rc = mlops__track_check_run_id(func, o->parent_run_id);
    if (!rc && o->user)
        rc = mlops__track_check_value(func, "user", o->user, MLOPS_TAG_VALUE_MAX);
    if (!rc && o->source)
        rc = mlops__track_check_value(func, "source", o->source, MLOPS_TAG_VALUE_MAX);
    if (!rc && o->git_commit) rc = check_git_commit(func, o->git_commit);
    return rc;
}

/* ---- start ---- */

struct start_arg {
    const char *func;
    int64_t experiment_id;
    const mlops_run_start_opts *opts;
    const char *user, *host, *source;
    char git_commit[65];
    mlops_run *run;
};

static int upsert_tag(mlops__conn *c, int64_t run, const char *key, const char *value)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO run_tags(run, key, value, num) VALUES (?1, ?2, ?3, ?4) "
                              "ON CONFLICT(run, key) DO UPDATE SET value = ?3, num = ?4",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, run);
    if (!rc) rc = mlops__bind_text(c, st, 2, key);
    if (!rc) rc = mlops__bind_text(c, st, 3, value);
    if (!rc) rc = mlops__track_bind_number_or_null(c, st, 4, value);
    if (!rc) rc = mlops__conn_step_done(c, st, "setting a run tag");
    return rc;
}

static int start_tx(mlops__conn *c, void *arg)
{
    struct start_arg *a = arg;
    mlops_run *r = a->run;
    int deleted = 0;
    int rc = mlops__track_experiment_state(c, a->func, a->experiment_id, &deleted);
    if (rc) return rc;
    if (deleted)
        return mlops__err(MLOPS_ECONFLICT,
                          "%s: experiment %lld is deleted and accepts no new runs", a->func,
                          (long long)a->experiment_id);
    if (a->opts->parent_run_id) {
        int64_t parent_seq;
        rc = mlops__track_run_seq(c, a->func, a->opts->parent_run_id, &parent_seq, NULL);
        if (rc) return rc;
    }
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "INSERT INTO runs(run_id, experiment_id, name, parent_id, status, "
                          "start_ms) VALUES (?1, ?2, ?3, ?4, 'RUNNING', ?5) RETURNING seq",
                          &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, r->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, a->experiment_id);
    if (!rc) rc = mlops__bind_text(c, st, 3, a->opts->name);
    if (!rc) rc = mlops__bind_text(c, st, 4, a->opts->parent_run_id);
    if (!rc)
        rc = mlops__bind_int64(c, st, 5, a->opts->start_ms ? a->opts->start_ms : mlops__now_ms());
    if (!rc) rc = mlops__conn_step_id(c, st, "starting a run", &r->seq);
    if (rc) return rc;
    rc = upsert_tag(c, r->seq, MLOPS_TAG_USER, a->user);
    if (!rc) rc = upsert_tag(c, r->seq, MLOPS_TAG_HOST, a->host);
    if (!rc) rc = upsert_tag(c, r->seq, MLOPS_TAG_SOURCE, a->source);
    if (!rc && a->git_commit[0]) rc = upsert_tag(c, r->seq, MLOPS_TAG_GIT_COMMIT, a->git_commit);
    return rc;
}

/* The host name, cut at a character boundary if the system's is odd. */
static void host_name(char *buf, size_t size)
{
    if (gethostname(buf, size - 1) != 0) buf[0] = '\0';
    buf[size - 1] = '\0';
    size_t n = strlen(buf);
    if (!mlops__utf8_valid(buf, n)) n = 0;
    buf[n] = '\0';
    if (!n) snprintf(buf, size, "unknown");
}

static const char *program_name(void)
{
    const char *p = program_invocation_name;
    if (!p || !p[0] || strnlen(p, MLOPS_TAG_VALUE_MAX + 1) > MLOPS_TAG_VALUE_MAX ||
        !mlops__utf8_valid(p, strlen(p)))
        return "unknown";
    return p;
}

static int run_start(const char *fn, mlops_store *s, int64_t experiment_id,
                     const mlops_run_start_opts *opts, mlops_run **out)
{
    if (!s) return mlops__err_null(fn, "s");
    if (!out) return mlops__err_null(fn, "out");
    *out = NULL;
    mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
    if (opts) {
        if (mlops__opts_check(fn, opts->version, MLOPS_RUN_START_OPTS_VERSION,
                              "mlops_run_start_opts_init"))
            return MLOPS_EINVAL;
        o = *opts; /* version 1 is the only version so far: every field */
    }
    int rc = check_start_opts(fn, &o);
    if (rc) return rc;

    char host[256];
    host_name(host, sizeof host);
    struct start_arg a = { fn, experiment_id, &o, o.user ? o.user : s->actor, host,
                           o.source ? o.source : program_name(), "", NULL };
    if (o.git_commit) {
        size_t n = strlen(o.git_commit);
        for (size_t i = 0; i <= n; i++)
            a.git_commit[i] = (char)(o.git_commit[i] >= 'A' && o.git_commit[i] <= 'F'
                                         ? o.git_commit[i] - 'A' + 'a'
                                         : o.git_commit[i]);
    }
    mlops_run *r = calloc(1, sizeof *r);
    if (!r) return mlops__err_nomem("starting a run");
    r->store = s;
    r->experiment_id = experiment_id;
    unsigned char raw[MLOPS_RUN_ID_LEN / 2];
    rc = mlops__random_bytes(raw, sizeof raw);
    if (!rc) {
        mlops__hex_encode(raw, sizeof raw, r->id);
        a.run = r;
        rc = mlops__store_write(s, start_tx, &a);
    }
    if (rc) {
        free(r);
        return rc;
    }
    *out = r;
    return MLOPS_OK;
}

MLOPS_API int mlops_run_start_ex(mlops_store *s, int64_t experiment_id,
                                 const mlops_run_start_opts *opts, mlops_run **out)
{
    return run_start(__func__, s, experiment_id, opts, out);
}

MLOPS_API int mlops_run_start(mlops_store *s, int64_t experiment_id, const char *name,
                              mlops_run **out)
{
    mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
    o.name = name;
    return run_start(__func__, s, experiment_id, &o, out);
}

/* ---- open ---- */

struct open_arg {
    const char *fn;
    mlops_run *run;
};

static int open_tx(mlops__conn *c, void *arg)
{
    const struct open_arg *a = arg;
    mlops_run *r = a->run;
    return mlops__track_run_seq(c, a->fn, r->id, &r->seq, &r->experiment_id);
}

MLOPS_API int mlops_run_open(mlops_store *s, const char *run_id, mlops_run **out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    int rc = mlops__track_check_run_id(__func__, run_id);
    if (rc) return rc;
    mlops_run *r = calloc(1, sizeof *r);
    if (!r) return mlops__err_nomem("opening a run");
    r->store = s;
    memcpy(r->id, run_id, MLOPS_RUN_ID_LEN + 1);
    struct open_arg a = { __func__, r };
    rc = mlops__store_read(s, open_tx, &a);
    if (rc) {
        free(r);
        return rc;
    }
    *out = r;
    return MLOPS_OK;
}

MLOPS_API const char *mlops_run_id(const mlops_run *r)
{
    return r ? r->id : NULL;
}

MLOPS_API int64_t mlops_run_experiment_id(const mlops_run *r)
{
    return r ? r->experiment_id : 0;
}

MLOPS_API void mlops_run_free(mlops_run *r)
{
    free(r);
}

/* ---- end, tags ---- */

enum run_change { END, SET_TAG, DELETE_TAG };

struct run_change_arg {
    enum run_change kind;
    const char *func;
    const mlops_run *run;
    int status;
    const char *key, *value;
};

static int run_change_tx(mlops__conn *c, void *arg)
{
    struct run_change_arg *a = arg;
    const mlops_run *r = a->run;
    int rc = mlops__track_run_writable(c, r, a->func, a->kind == END);
    if (rc) {
        if (rc == MLOPS_ECONFLICT && a->kind == END)
            mlops__err(MLOPS_ECONFLICT, "%s: run %s has already ended or is deleted", a->func,
                       r->id);
        return rc;
    }
    mlops__stmt *st;
    switch (a->kind) {
    case END:
        rc = mlops__conn_stmt(c, "UPDATE runs SET status = ?2, end_ms = ?3 WHERE seq = ?1", &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, r->seq);
        if (!rc) rc = mlops__bind_text(c, st, 2, mlops_run_status_name(a->status));
        if (!rc) rc = mlops__bind_int64(c, st, 3, mlops__now_ms());
        if (!rc) rc = mlops__conn_step_done(c, st, "ending a run");
        if (!rc) rc = mlops__metric_seal_tails(c, r->seq, r->id);
        break;
    case SET_TAG:
        rc = upsert_tag(c, r->seq, a->key, a->value);
        break;
    case DELETE_TAG:
        rc = mlops__conn_stmt(c, "DELETE FROM run_tags WHERE run = ?1 AND key = ?2", &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, r->seq);
        if (!rc) rc = mlops__bind_text(c, st, 2, a->key);
        if (!rc) rc = mlops__conn_step_done(c, st, "deleting a run tag");
        if (!rc && mlops__conn_changes(c) == 0)
            rc = mlops__err(MLOPS_ENOTFOUND, "%s: run %s has no tag '%s'", a->func, r->id,
                            a->key);
        break;
    }
    return rc;
}

MLOPS_API int mlops_run_end(mlops_run *r, int status)
{
    if (!r) return mlops__err_null(__func__, "r");
    if (status != MLOPS_RUN_FINISHED && status != MLOPS_RUN_FAILED && status != MLOPS_RUN_KILLED)
        return mlops__err(MLOPS_EINVAL,
                          "%s: status %d is not MLOPS_RUN_FINISHED, _FAILED or _KILLED (run %s)",
                          __func__, status, r->id);
    struct run_change_arg a = { END, __func__, r, status, NULL, NULL };
    return mlops__store_write(r->store, run_change_tx, &a);
}

/* The one tag writer behind the 1.0 and the 1.1 names; func is the public
 * function the caller called. */
static int tag_set(const char *func, mlops_run *r, const char *key, const char *value)
{
    if (!r) return mlops__err_null(func, "r");
    int rc = mlops__track_check_key(func, "tag key", key);
    if (!rc) rc = mlops__track_check_value(func, "tag value", value, MLOPS_TAG_VALUE_MAX);
    if (rc) return rc;
    struct run_change_arg a = { SET_TAG, func, r, 0, key, value };
    return mlops__store_write(r->store, run_change_tx, &a);
}

static int tag_delete(const char *func, mlops_run *r, const char *key)
{
    if (!r) return mlops__err_null(func, "r");
    int rc = mlops__track_check_key(func, "tag key", key);
    if (rc) return rc;
    struct run_change_arg a = { DELETE_TAG, func, r, 0, key, NULL };
    return mlops__store_write(r->store, run_change_tx, &a);
}

MLOPS_API int mlops_run_set_tag(mlops_run *r, const char *key, const char *value)
{
    return tag_set(__func__, r, key, value);
}

MLOPS_API int mlops_run_tag_set(mlops_run *r, const char *key, const char *value)
{
    return tag_set(__func__, r, key, value);
}

MLOPS_API int mlops_run_delete_tag(mlops_run *r, const char *key)
{
    return tag_delete(__func__, r, key);
}

MLOPS_API int mlops_run_tag_delete(mlops_run *r, const char *key)
{
    return tag_delete(__func__, r, key);
}

/* ---- soft delete ---- */

struct lifecycle_arg {
    const char *func;
    const char *run_id;
    int delete;
};

static int lifecycle_tx(mlops__conn *c, void *arg)
{
    struct lifecycle_arg *a = arg;
    int64_t seq;
    int rc = mlops__track_run_seq(c, a->func, a->run_id, &seq, NULL);
    if (rc) return rc;
    mlops__stmt *st;
    rc = a->delete ? mlops__conn_stmt(c,
                                      "UPDATE runs SET deleted_ms = ?2 "
                                      "WHERE seq = ?1 AND deleted_ms IS NULL",
                                      &st)
                   : mlops__conn_stmt(c, "UPDATE runs SET deleted_ms = NULL WHERE seq = ?1", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, seq);
    if (!rc && a->delete) rc = mlops__bind_int64(c, st, 2, mlops__now_ms());
    if (!rc) rc = mlops__conn_step_done(c, st, "deleting or restoring a run");
    return rc;
}

static int set_lifecycle(mlops_store *s, const char *func, const char *run_id, int delete)
{
    if (!s) return mlops__err_null(func, "s");
    int rc = mlops__track_check_run_id(func, run_id);
    if (rc) return rc;
    struct lifecycle_arg a = { func, run_id, delete };
    return mlops__store_write(s, lifecycle_tx, &a);
}

MLOPS_API int mlops_run_delete(mlops_store *s, const char *run_id)
{
    return set_lifecycle(s, __func__, run_id, 1);
}

MLOPS_API int mlops_run_restore(mlops_store *s, const char *run_id)
{
    return set_lifecycle(s, __func__, run_id, 0);
}
