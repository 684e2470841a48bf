/* Importing experiment records: experiments by name, runs with their ids,
 * times, statuses, params and tags, and metric points with their own
 * steps and timestamps. A record already here with the same content is a
 * no-op; with other content, MLOPS_ECONFLICT. */
#include "import/import_internal.h"
#include "cas/cas_internal.h"
#include "track/metric_internal.h"
#include "track/track_internal.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int conflict(const char *func, const char *what, const char *id, const char *field)
{
    return mlops__err(MLOPS_ECONFLICT,
                      "%s: %s '%s' is already here with another %s (an import never "
                      "changes what is there)",
                      func, what, id, field);
}

static int record_event(mlops__conn *c, mlops__import *im, const char *prefix, const char *id,
                        int64_t time_ms)
{
    char *key = mlops__strcat3(prefix, id, NULL);
    if (!key) return mlops__err_nomem("recording an import");
    mlops__audit_ev ev = { MLOPS__AUDIT_IMPORT, 0, "", 0, key, NULL, im->origin };
    int rc = mlops__import_event(c, im, &ev, time_ms, NULL, NULL);
    free(key);
    return rc;
}

static int insert_kv(mlops__conn *c, const char *sql, int64_t id, const mlops_kv *kv, size_t n,
                     int with_num)
{
    for (size_t i = 0; i < n; i++) {
        mlops__stmt *st;
        int rc = mlops__conn_stmt(c, sql, &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, id);
        if (!rc) rc = mlops__bind_text(c, st, 2, kv[i].key);
        if (!rc) rc = mlops__bind_text(c, st, 3, kv[i].value);
        if (!rc && with_num) rc = mlops__track_bind_number_or_null(c, st, 4, kv[i].value);
        if (!rc) rc = mlops__conn_step_done(c, st, "importing a record's pairs");
        if (rc) return rc;
    }
    return MLOPS_OK;
}

/* ---- Experiments --------------------------------------------------------- */

struct exp_op {
    mlops__import *im;
    const char *name;
    int64_t created_ms;
    const mlops_kv *tags;
    size_t ntags;
    int64_t id;
};

static const char exp_tags_sql[] =
    "SELECT key, value FROM experiment_tags WHERE experiment_id = ?1";

static int exp_tx(mlops__conn *c, void *arg)
{
    struct exp_op *op = arg;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT id, created_ms FROM experiments WHERE name = ?1", &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, op->name);
    if (rc) return rc;
    int step = mlops__step(st);
    int64_t created = 0;
    if (step == MLOPS__ROW) {
        op->id = mlops__col_int64(st, 0);
        created = mlops__col_int64(st, 1);
    }
    mlops__reset(st);
    if (step == MLOPS__ROW) {
        int same = 0;
        if (created != op->created_ms)
            return conflict(op->im->func, "experiment", op->name, "creation time");
        rc = mlops__import_kv_equal(c, exp_tags_sql, op->id, op->tags, op->ntags, &same);
        if (!rc && !same) rc = conflict(op->im->func, "experiment", op->name, "set of tags");
        return rc;
    }
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "looking up an experiment");
    rc = mlops__conn_stmt(c,
                          "INSERT INTO experiments(name, created_ms, updated_ms) "
                          "VALUES (?1, ?2, ?2) RETURNING id",
                          &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, op->name);
    if (!rc) rc = mlops__bind_int64(c, st, 2, op->created_ms);
    if (!rc) rc = mlops__conn_step_id(c, st, "importing an experiment", &op->id);
    if (!rc)
        rc = insert_kv(c,
                       "INSERT INTO experiment_tags(experiment_id, key, value) "
                       "VALUES (?1, ?2, ?3)",
                       op->id, op->tags, op->ntags, 0);
    if (!rc) rc = record_event(c, op->im, "experiment:", op->name, op->created_ms);
    return rc;
}

static int check_experiment(const char *func, const struct exp_op *op)
{
    int rc = mlops__check_name(func, "experiment name", op->name, MLOPS_EXPERIMENT_NAME_MAX);
    if (!rc) rc = mlops__import_check_kv(func, "tags", op->tags, op->ntags, MLOPS_TAG_VALUE_MAX);
    return rc;
}

int mlops__experiment_import_on(mlops__conn *c, mlops__import *im, const char *name,
                                int64_t created_ms, const mlops_kv *tags, size_t ntags)
{
    struct exp_op op = { .im = im, .name = name, .created_ms = created_ms, .tags = tags,
                         .ntags = ntags };
    int rc = check_experiment(im->func, &op);
    return rc ? rc : exp_tx(c, &op);
}

MLOPS_API int mlops_experiment_import(mlops_store *s, const mlops_import_opts *opts,
                                      const char *name, int64_t created_ms, const mlops_kv *tags,
                                      size_t ntags, int64_t *id)
{
    mlops__import im;
    struct exp_op op = { .im = &im, .name = name, .created_ms = created_ms, .tags = tags,
                         .ntags = ntags };
    int rc = mlops__import_begin(s, __func__, opts, &im);
    if (!rc) rc = check_experiment(__func__, &op);
    if (!rc) rc = mlops__store_write(s, exp_tx, &op);
    if (!rc && id) *id = op.id;
    return rc;
}

/* ---- Runs ------------------------------------------------------------------ */

MLOPS_API int mlops_run_record_init(mlops_run_record *rec, unsigned version)
{
    static const mlops_run_record defaults = MLOPS_RUN_RECORD_INIT;
    return mlops__opts_init(__func__, rec, &defaults, sizeof defaults, version,
                            MLOPS_RUN_RECORD_VERSION);
}

struct run_op {
    mlops__import *im;
    const mlops_run_record *r;
};

static const char run_params_sql[] = "SELECT key, value FROM run_params WHERE run = ?1";
static const char run_tags_sql[] = "SELECT key, value FROM run_tags WHERE run = ?1";

static int text_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The run is here: is it the same? */
static int run_compare(mlops__conn *c, struct run_op *op, mlops__stmt *st, int64_t exp_id)
{
    const mlops_run_record *r = op->r;
    const char *field = NULL;
    int64_t seq = mlops__col_int64(st, 0);
    if (mlops__col_int64(st, 1) != exp_id) field = "experiment";
    else if (!text_eq(mlops__col_text(st, 2), r->name)) field = "name";
    else if (!text_eq(mlops__col_text(st, 3), r->parent_id)) field = "parent";
    else if (!text_eq(mlops__col_text(st, 4), mlops_run_status_name(r->status))) field = "status";
    else if (mlops__col_int64(st, 5) != r->start_ms) field = "start time";
    else if ((mlops__col_null(st, 6) ? 0 : mlops__col_int64(st, 6)) != r->end_ms)
        field = "end time";
    else if ((mlops__col_null(st, 7) ? 0 : mlops__col_int64(st, 7)) != r->deleted_ms)
        field = "deletion time";
    mlops__reset(st);
    if (field) return conflict(op->im->func, "run", r->run_id, field);
    int same = 0;
    int rc = mlops__import_kv_equal(c, run_params_sql, seq, r->params, r->nparams, &same);
    if (!rc && !same) rc = conflict(op->im->func, "run", r->run_id, "set of params");
    if (!rc) rc = mlops__import_kv_equal(c, run_tags_sql, seq, r->tags, r->ntags, &same);
    if (!rc && !same) rc = conflict(op->im->func, "run", r->run_id, "set of tags");
    return rc;
}

static int bind_time_or_null(mlops__conn *c, mlops__stmt *st, int idx, int64_t ms)
{
    return ms ? mlops__bind_int64(c, st, idx, ms) : mlops__bind_null(c, st, idx);
}

static int run_tx(mlops__conn *c, void *arg)
{
    struct run_op *op = arg;
    const mlops_run_record *r = op->r;
    mlops__stmt *st;
    int64_t exp_id = 0;
    int rc = mlops__conn_stmt(c, "SELECT id FROM experiments WHERE name = ?1", &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, r->experiment);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) exp_id = mlops__col_int64(st, 0);
    mlops__reset(st);
    if (step == MLOPS__DONE)
        return mlops__err(MLOPS_ENOTFOUND, "%s: no experiment '%s' (import it first)",
                          op->im->func, r->experiment);
    if (step != MLOPS__ROW) return mlops__conn_error(c, step, "looking up an experiment");
    if (r->parent_id) {
        int exists = 0;
        rc = mlops__run_exists(c, op->im->func, r->parent_id, &exists);
        if (!rc && !exists)
            rc = mlops__err(MLOPS_ENOTFOUND, "%s: no parent run '%s' (import it first)",
                            op->im->func, r->parent_id);
        if (rc) return rc;
    }
    rc = mlops__conn_stmt(c,
                          "SELECT seq, experiment_id, name, parent_id, status, start_ms, end_ms, "
                          "deleted_ms FROM runs WHERE run_id = ?1",
                          &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, r->run_id);
    if (rc) return rc;
    step = mlops__step(st);
    if (step == MLOPS__ROW) return run_compare(c, op, st, exp_id);
    mlops__reset(st);
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "looking up a run");
    rc = mlops__conn_stmt(c,
                          "INSERT INTO runs(run_id, experiment_id, name, parent_id, status, "
                          "start_ms, end_ms, deleted_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                          "RETURNING seq",
                          &st);
    int64_t seq = 0;
    if (!rc) rc = mlops__bind_text(c, st, 1, r->run_id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, exp_id);
    if (!rc) rc = mlops__bind_text(c, st, 3, r->name);
    if (!rc) rc = mlops__bind_text(c, st, 4, r->parent_id);
    if (!rc) rc = mlops__bind_text(c, st, 5, mlops_run_status_name(r->status));
    if (!rc) rc = mlops__bind_int64(c, st, 6, r->start_ms);
    if (!rc) rc = bind_time_or_null(c, st, 7, r->end_ms);
    if (!rc) rc = bind_time_or_null(c, st, 8, r->deleted_ms);
    if (!rc) rc = mlops__conn_step_id(c, st, "importing a run", &seq);
    if (!rc)
        rc = insert_kv(c,
                       "INSERT INTO run_params(run, key, value, num) VALUES (?1, ?2, ?3, ?4)",
                       seq, r->params, r->nparams, 1);
    if (!rc)
        rc = insert_kv(c, "INSERT INTO run_tags(run, key, value, num) VALUES (?1, ?2, ?3, ?4)",
                       seq, r->tags, r->ntags, 1);
    if (!rc) rc = record_event(c, op->im, "run:", r->run_id, r->start_ms);
    return rc;
}

static int check_run(const char *func, const mlops_run_record *r)
{
    if (!r) return mlops__err_null(func, "run");
    int rc = mlops__opts_check(func, r->version, MLOPS_RUN_RECORD_VERSION,
                               "mlops_run_record_init");
    if (!rc) rc = mlops__track_check_run_id(func, r->run_id);
    if (!rc) rc = mlops__check_name(func, "experiment name", r->experiment,
                                    MLOPS_EXPERIMENT_NAME_MAX);
    if (!rc && r->name) rc = mlops__check_name(func, "run name", r->name, MLOPS_RUN_NAME_MAX);
    if (!rc && r->parent_id) rc = mlops__track_check_run_id(func, r->parent_id);
    if (rc) return rc;
    if (!mlops_run_status_name(r->status))
        return mlops__err(MLOPS_EINVAL, "%s: status %d is not a MLOPS_RUN_* value", func,
                          r->status);
    if (r->status == MLOPS_RUN_RUNNING && r->end_ms)
        return mlops__err(MLOPS_EINVAL, "%s: a RUNNING run has no end time", func);
    if (r->parent_id && !strcmp(r->parent_id, r->run_id))
        return mlops__err(MLOPS_EINVAL, "%s: run '%s' is its own parent", func, r->run_id);
    rc = mlops__import_check_kv(func, "params", r->params, r->nparams, MLOPS_PARAM_VALUE_MAX);
    if (!rc) rc = mlops__import_check_kv(func, "tags", r->tags, r->ntags, MLOPS_TAG_VALUE_MAX);
    return rc;
}

int mlops__run_import_on(mlops__conn *c, mlops__import *im, const mlops_run_record *run)
{
    struct run_op op = { .im = im, .r = run };
    int rc = check_run(im->func, run);
    return rc ? rc : run_tx(c, &op);
}

MLOPS_API int mlops_run_import(mlops_store *s, const mlops_import_opts *opts,
                               const mlops_run_record *run)
{
    mlops__import im;
    struct run_op op = { .im = &im, .r = run };
    int rc = mlops__import_begin(s, __func__, opts, &im);
    if (!rc) rc = check_run(__func__, run);
    return rc ? rc : mlops__store_write(s, run_tx, &op);
}

/* ---- Metric points ------------------------------------------------------- */

struct metric_op {
    mlops__import *im;
    const char *run_id;
    const mlops_metric *m;
    size_t n;
    uint64_t added;
};

static int metric_tx(mlops__conn *c, void *arg)
{
    struct metric_op *op = arg;
    mlops_run run = { 0 };
    int rc = mlops__track_run_seq(c, op->im->func, op->run_id, &run.seq, &run.experiment_id);
    if (rc) return rc;
    snprintf(run.id, sizeof run.id, "%s", op->run_id);
    mlops__stmt *st;
    rc = mlops__conn_stmt(c, "SELECT status FROM runs WHERE seq = ?1", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, run.seq);
    if (rc) return rc;
    int step = mlops__step(st);
    int ended = step == MLOPS__ROW && mlops__track_status_from_name(mlops__col_text(st, 0)) !=
                                          MLOPS_RUN_RUNNING;
    mlops__reset(st);
    if (step != MLOPS__ROW) return mlops__conn_row_error(c, step, "reading a run's status");
    op->added = 0;
    rc = mlops__metric_import_batch(c, op->im->func, &run, op->m, op->n, ended, &op->added);
    if (rc || !op->added) return rc;
    int64_t latest = op->m[0].ts_ms;
    for (size_t i = 1; i < op->n; i++)
        if (op->m[i].ts_ms > latest) latest = op->m[i].ts_ms;
    return record_event(c, op->im, "metrics:", op->run_id, latest);
}

static int check_metrics(const char *func, const struct metric_op *op)
{
    int rc = mlops__track_check_run_id(func, op->run_id);
    if (!rc && mlops__check_array(func, "points", op->m, op->n, sizeof *op->m)) rc = MLOPS_EINVAL;
    return rc;
}

int mlops__metric_import_on(mlops__conn *c, mlops__import *im, const char *run_id,
                            const mlops_metric *points, size_t n, uint64_t *added)
{
    struct metric_op op = { .im = im, .run_id = run_id, .m = points, .n = n };
    if (added) *added = 0;
    int rc = check_metrics(im->func, &op);
    if (rc || !n) return rc;
    rc = metric_tx(c, &op);
    if (!rc && added) *added = op.added;
    return rc;
}

MLOPS_API int mlops_metric_import(mlops_store *s, const mlops_import_opts *opts,
                                  const char *run_id, const mlops_metric *points, size_t n,
                                  size_t *added)
{
    mlops__import im;
    struct metric_op op = { .im = &im, .run_id = run_id, .m = points, .n = n };
    if (added) *added = 0;
    int rc = mlops__import_begin(s, __func__, opts, &im);
    if (!rc) rc = check_metrics(__func__, &op);
    if (rc || !n) return rc;
    rc = mlops__store_write(s, metric_tx, &op);
    if (!rc && added) *added = (size_t)op.added;
    return rc;
}

/* ---- Lineage ----------------------------------------------------------------- */

struct lineage_op {
    mlops__import *im;
    const char *run_id;
    int direction;
    const mlops_digest *digest;
    const char *name, *role;
    int64_t created_ms;
};

static int lineage_tx(mlops__conn *c, void *arg)
{
    struct lineage_op *op = arg;
    int64_t seq = 0;
    int exists = 0;
    int rc = mlops__track_run_seq(c, op->im->func, op->run_id, &seq, NULL);
    if (!rc) rc = mlops__cas_exists(c, op->digest, &exists);
    if (rc) return rc;
    char text[MLOPS_DIGEST_STRLEN];
    mlops_digest_format(op->digest, text);
    if (!exists)
        return mlops__err(MLOPS_ENOTFOUND, "%s: %s is not in the store (import it first)",
                          op->im->func, text);
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "SELECT role, created_ms FROM run_lineage WHERE run = ?1 "
                          "AND direction = ?2 AND digest = ?3 AND name = ?4",
                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, seq);
    if (!rc) rc = mlops__bind_int64(c, st, 2, op->direction);
    if (!rc) rc = mlops__bind_blob(c, st, 3, op->digest->bytes, 32);
    if (!rc) rc = mlops__bind_text(c, st, 4, op->name);
    if (rc) return rc;
    int step = mlops__step(st);
    int same = step == MLOPS__ROW && mlops__col_text(st, 0) &&
               !strcmp(mlops__col_text(st, 0), op->role) &&
               mlops__col_int64(st, 1) == op->created_ms;
    mlops__reset(st);
    if (step == MLOPS__ROW)
        return same ? MLOPS_OK
                    : mlops__err(MLOPS_ECONFLICT,
                                 "%s: run %s already records %s '%s' with another role or time",
                                 op->im->func, op->run_id, text, op->name);
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "reading lineage");
    rc = mlops__conn_stmt(c,
                          "INSERT INTO run_lineage(run, direction, digest, name, role, "
                          "created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, seq);
    if (!rc) rc = mlops__bind_int64(c, st, 2, op->direction);
    if (!rc) rc = mlops__bind_blob(c, st, 3, op->digest->bytes, 32);
    if (!rc) rc = mlops__bind_text(c, st, 4, op->name);
    if (!rc) rc = mlops__bind_text(c, st, 5, op->role);
    if (!rc) rc = mlops__bind_int64(c, st, 6, op->created_ms);
    if (!rc) rc = mlops__conn_step_done(c, st, "importing lineage");
    if (!rc) rc = record_event(c, op->im, "lineage:", op->run_id, op->created_ms);
    return rc;
}

static int check_lineage(const char *func, const struct lineage_op *op)
{
    int rc = mlops__track_check_run_id(func, op->run_id);
    if (!rc && op->direction != MLOPS_LINEAGE_INPUT && op->direction != MLOPS_LINEAGE_OUTPUT)
        rc = mlops__err(MLOPS_EINVAL, "%s: direction %d is not MLOPS_LINEAGE_INPUT or _OUTPUT",
                        func, op->direction);
    if (!rc && !op->digest) rc = mlops__err_null(func, "digest");
    if (!rc) rc = mlops__check_name(func, "name", op->name, MLOPS_LINEAGE_NAME_MAX);
    if (!rc) rc = mlops__check_name(func, "role", op->role, MLOPS_LINEAGE_ROLE_MAX);
    return rc;
}

int mlops__lineage_import_on(mlops__conn *c, mlops__import *im, const char *run_id,
                             int direction, const mlops_digest *digest, const char *name,
                             const char *role, int64_t created_ms)
{
    struct lineage_op op = { .im = im, .run_id = run_id, .direction = direction,
                             .digest = digest, .name = name, .role = role,
                             .created_ms = created_ms };
    int rc = check_lineage(im->func, &op);
    return rc ? rc : lineage_tx(c, &op);
}

MLOPS_API int mlops_lineage_import(mlops_store *s, const mlops_import_opts *opts,
                                   const char *run_id, int direction, const mlops_digest *digest,
                                   const char *name, const char *role, int64_t created_ms)
{
    mlops__import im;
    struct lineage_op op = { .im = &im, .run_id = run_id, .direction = direction,
                             .digest = digest, .name = name, .role = role,
                             .created_ms = created_ms };
    int rc = mlops__import_begin(s, __func__, opts, &im);
    if (!rc) rc = check_lineage(__func__, &op);
    return rc ? rc : mlops__store_write(s, lineage_tx, &op);
}
