/* Store copy, the records: every table is described once below (its
 * columns and what each means to a copy), and one generic loop copies
 * them row by row in key order (parents before children: ids only grow).
 *
 * A column is
 *   KEY  part of the row's identity (primary key),
 *   SAME fixed once written: dst's row must agree (else MLOPS_ECONFLICT:
 *        the same id names another record),
 *   NOW  current state: src's value replaces dst's,
 *   INIT written when the row is inserted, never compared (bookkeeping of
 *        the store that holds it: created/touched times of content).
 * The tables of current state that lose rows in normal use (tags,
 * aliases, policy keys, refs) are mirrored: dst rows that src no longer
 * has go. */
#include "import/copy_internal.h"
#include "monitor/monitor_internal.h"
#include "util/buf.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KEY, SAME, NOW, INIT };

typedef struct column {
    const char *name;
    int role;
} column;

typedef struct table {
    const char *name;
    const column *cols; /* ended by { NULL } */
    int mirror;
    /* A NOW column whose values are unique among the rows (a name), in a
     * table keyed by "id" alone; or NULL. A source may hand a value from
     * one row to another (rename b away, then a to b), which updating
     * rows in id order would refuse: see free_unique_values. */
    const char *unique;
} table;

#define END { NULL, 0 }

static const column cas_content[] = { { "digest", KEY }, { "kind", SAME }, { "size", SAME },
                                      { "manifest", SAME }, { "chunks", SAME },
                                      { "created_ms", INIT }, { "touched_ms", INIT }, END };
static const column cas_chunk[] = { { "blob", KEY }, { "pos", KEY }, { "size", SAME },
                                    { "chunk", SAME }, END };
static const column cas_tree_child[] = { { "tree", KEY }, { "child", KEY }, END };
static const column cas_ref[] = { { "name", KEY }, { "digest", NOW }, { "updated_ms", NOW },
                                  END };
static const column experiments[] = { { "id", KEY }, { "name", NOW }, { "created_ms", SAME },
                                      { "updated_ms", NOW }, { "deleted_ms", NOW }, END };
static const column experiment_tags[] = { { "experiment_id", KEY }, { "key", KEY },
                                          { "value", NOW }, END };
static const column runs[] = { { "seq", KEY }, { "run_id", SAME }, { "experiment_id", SAME },
                               { "name", NOW }, { "parent_id", SAME }, { "status", NOW },
                               { "start_ms", SAME }, { "end_ms", NOW }, { "deleted_ms", NOW },
                               END };
static const column run_params[] = { { "run", KEY }, { "key", KEY }, { "value", SAME },
                                     { "num", SAME }, END };
static const column run_tags[] = { { "run", KEY }, { "key", KEY }, { "value", NOW },
                                   { "num", NOW }, END };
static const column metric_series[] = {
    { "id", KEY },        { "run", SAME },     { "key", SAME },      { "count", NOW },
    { "last", NOW },      { "last_bits", NOW }, { "last_step", NOW }, { "last_ts", NOW },
    { "min", NOW },       { "max", NOW },      { "tail", NOW },      END
};
static const column metric_blocks[] = { { "id", KEY }, { "series", SAME }, { "first_step", SAME },
                                        { "last_step", SAME }, { "n", SAME }, { "data", SAME },
                                        END };
static const column run_lineage[] = { { "run", KEY }, { "direction", KEY }, { "digest", KEY },
                                      { "name", KEY }, { "role", SAME }, { "created_ms", SAME },
                                      END };
static const column reg_models[] = { { "id", KEY }, { "name", NOW }, { "description", NOW },
                                     { "created_ms", SAME }, { "updated_ms", NOW },
                                     { "deleted_ms", NOW }, END };
static const column reg_model_tags[] = { { "model_id", KEY }, { "key", KEY }, { "value", NOW },
                                         END };
static const column reg_versions[] = {
    { "id", KEY },          { "model_id", SAME },  { "number", SAME },    { "artifact", SAME },
    { "run_id", SAME },     { "description", NOW }, { "status", NOW },     { "creator", SAME },
    { "created_ms", SAME }, { "updated_ms", NOW },  { "deleted_ms", NOW }, { "create_seq", SAME },
    { "delete_seq", NOW },  END
};
static const column reg_version_tags[] = { { "version_id", KEY }, { "key", KEY },
                                           { "value", NOW }, END };
static const column reg_aliases[] = { { "model_id", KEY },   { "alias", KEY },
                                      { "version_id", NOW }, { "updated_ms", NOW },
                                      { "event_seq", NOW },  { "split", NOW },
                                      END };
static const column reg_policy_keys[] = { { "model_id", KEY }, { "alias", KEY },
                                          { "fingerprint", KEY }, { "public_key", SAME }, END };
static const column reg_signatures[] = { { "version_id", KEY }, { "fingerprint", KEY },
                                         { "public_key", SAME }, { "signature", SAME },
                                         { "manifest", SAME }, { "signed_ms", SAME },
                                         { "signer", SAME }, { "rowid", INIT }, END };

static const column reg_evaluations[] = { { "id", KEY }, { "version_id", SAME },
                                         { "dataset", SAME }, { "created_ms", SAME },
                                         { "actor", SAME }, { "reason", SAME }, END };
static const column reg_evaluation_metrics[] = { { "evaluation_id", KEY }, { "name", KEY },
                                                { "value_bits", SAME }, { "reason", SAME },
                                                { "low_bits", SAME }, { "high_bits", SAME },
                                                END };
/* Format 4: gates are current state (set, replaced, cleared: mirrored);
 * a salt is fixed once made, so that routing in the copy is the
 * source's. */
static const column reg_gates[] = { { "model_id", KEY },    { "alias", KEY },
                                    { "conditions", NOW },  { "dataset", NOW },
                                    { "updated_ms", NOW },  { "event_seq", NOW },
                                    END };
static const column reg_alias_salts[] = { { "model_id", KEY }, { "alias", KEY },
                                          { "salt", SAME }, { "created_ms", SAME }, END };

/* Format 5: monitors. A monitor's spec is fixed once made; its alert
 * state, its windows' rows, profiles and judgments are current state;
 * events are only appended. A monitor the source deleted leaves the copy
 * whole before the tables are copied (drop_deleted_monitors). */
static const column mon_monitors[] = {
    { "id", KEY },          { "name", SAME },          { "window_kind", SAME },
    { "window_ms", SAME },  { "lateness_ms", SAME },   { "min_rows", SAME },
    { "alert_m", SAME },    { "alert_n", SAME },       { "pending", SAME },
    { "keep_firing", SAME }, { "breach_column", SAME }, { "drift_share", SAME },
    { "alpha", SAME },      { "model", SAME },         { "prediction_column", SAME },
    { "label_column", SAME }, { "id_column", SAME },   { "created_ms", SAME },
    { "judged_to_ms", NOW }, { "state", NOW },         { "history", NOW },
    { "history_count", NOW }, { "streak", NOW },       { "windows_judged", NOW },
    { "last_seq", NOW },    END
};
static const column mon_columns[] = { { "monitor_id", KEY }, { "pos", KEY }, { "name", SAME },
                                      { "kind", SAME }, { "method", SAME }, { "threshold", SAME },
                                      { "reference", SAME }, { "role", SAME }, END };
static const column mon_windows[] = { { "monitor_id", KEY }, { "start_ms", KEY }, { "end_ms", SAME },
                                      { "n_rows", NOW }, { "state", NOW }, { "judged_rows", NOW },
                                      { "n_drifted", NOW }, { "share_drifted", NOW },
                                      { "checked_ms", NOW }, { "profiles", NOW },
                                      { "judged", NOW }, END };
static const column mon_window_columns[] = { { "monitor_id", KEY }, { "start_ms", KEY },
                                             { "pos", KEY }, { "profile", NOW },
                                             { "statistic", NOW }, { "p_value", NOW },
                                             { "drifted", NOW }, END };
static const column mon_window_metrics[] = { { "monitor_id", KEY }, { "start_ms", KEY },
                                             { "name", KEY }, { "value", NOW }, { "n", NOW }, END };
static const column mon_events[] = { { "monitor_id", KEY }, { "seq", KEY }, { "kind", SAME },
                                     { "window_start_ms", SAME }, { "window_end_ms", SAME },
                                     { "checked_ms", SAME }, { "breaches", SAME },
                                     { "considered", SAME }, END };

/* Format 6: monitors' delayed labels. Settings are fixed once made but
 * for the counters (rows handed out, unknown labels), which are current
 * state; predictions are fixed but for their labeled flag; confusion
 * counts are current state. */
static const column mon_label_settings[] = { { "monitor_id", KEY }, { "window_rows", SAME },
                                             { "rows_assigned", NOW }, { "task", SAME },
                                             { "performance", SAME }, { "min_labels", SAME },
                                             { "unknown_labels", NOW }, END };
static const column mon_predictions[] = { { "monitor_id", KEY }, { "id", KEY }, { "start_ms", SAME },
                                          { "prediction_num", SAME }, { "prediction_text", SAME },
                                          { "labeled", NOW }, END };
static const column mon_window_confusion[] = { { "monitor_id", KEY }, { "start_ms", KEY },
                                               { "y_true", KEY }, { "y_pred", KEY }, { "n", NOW }, END };

/* In an order that puts every referenced row before the rows that refer
 * to it. cas_object is copied with the files (copy_objects.c), meta and
 * audit_events by copy.c; tx_requests belong to the store that ran the
 * transactions and are not copied. */
static const table tables[] = {
    { "cas_content", cas_content, 0, NULL },
    { "cas_chunk", cas_chunk, 0, NULL },
    { "cas_tree_child", cas_tree_child, 0, NULL },
    { "cas_ref", cas_ref, 1, NULL },
    { "experiments", experiments, 0, "name" },
    { "experiment_tags", experiment_tags, 1, NULL },
    { "runs", runs, 0, NULL },
    { "run_params", run_params, 0, NULL },
    { "run_tags", run_tags, 1, NULL },
    { "metric_series", metric_series, 0, NULL },
    { "metric_blocks", metric_blocks, 0, NULL },
    { "run_lineage", run_lineage, 0, NULL },
    { "reg_models", reg_models, 0, "name" },
    { "reg_model_tags", reg_model_tags, 1, NULL },
    { "reg_versions", reg_versions, 0, NULL },
    { "reg_version_tags", reg_version_tags, 1, NULL },
    { "reg_aliases", reg_aliases, 1, NULL },
    { "reg_policy_keys", reg_policy_keys, 1, NULL },
    { "reg_signatures", reg_signatures, 0, NULL },
    { "reg_evaluations", reg_evaluations, 0, NULL },
    { "reg_evaluation_metrics", reg_evaluation_metrics, 0, NULL },
    { "reg_gates", reg_gates, 1, NULL },
    { "reg_alias_salts", reg_alias_salts, 0, NULL },
    { "mon_monitors", mon_monitors, 0, NULL },
    { "mon_columns", mon_columns, 0, NULL },
    { "mon_windows", mon_windows, 0, NULL },
    { "mon_window_columns", mon_window_columns, 0, NULL },
    { "mon_window_metrics", mon_window_metrics, 0, NULL },
    { "mon_events", mon_events, 0, NULL },
    { "mon_label_settings", mon_label_settings, 0, NULL },
    { "mon_predictions", mon_predictions, 0, NULL },
    { "mon_window_confusion", mon_window_confusion, 0, NULL },
};

/* One value of a row, copied out of the statement. */
typedef struct value {
    enum mlops__col_kind kind;
    int64_t i;
    double d;
    char *p; /* text (NUL-terminated) or blob, malloc'd */
    size_t n;
} value;

static void values_clear(value *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].p);
        v[i].p = NULL;
    }
}

static int value_read(mlops__stmt *st, int col, value *v)
{
    v->kind = mlops__col_type(st, col);
    v->p = NULL;
    v->n = 0;
    switch (v->kind) {
    case MLOPS__COL_INT: v->i = mlops__col_int64(st, col); return MLOPS_OK;
    case MLOPS__COL_REAL: v->d = mlops__col_double(st, col); return MLOPS_OK;
    case MLOPS__COL_NULL: return MLOPS_OK;
    case MLOPS__COL_TEXT:
    case MLOPS__COL_BLOB: {
        const void *src = v->kind == MLOPS__COL_TEXT ? (const void *)mlops__col_text(st, col)
                                                     : mlops__col_blob(st, col);
        v->n = (size_t)mlops__col_bytes(st, col);
        v->p = malloc(v->n + 1);
        if (!v->p) return mlops__err_nomem("copying a record");
        if (v->n) memcpy(v->p, src, v->n);
        v->p[v->n] = 0;
        return MLOPS_OK;
    }
    }
    return MLOPS_OK;
}

static int value_bind(mlops__conn *c, mlops__stmt *st, int idx, const value *v)
{
    switch (v->kind) {
    case MLOPS__COL_INT: return mlops__bind_int64(c, st, idx, v->i);
    case MLOPS__COL_REAL: return mlops__bind_double(c, st, idx, v->d);
    case MLOPS__COL_TEXT: return mlops__bind_text(c, st, idx, v->p);
    case MLOPS__COL_BLOB: return mlops__bind_blob(c, st, idx, v->p, (int)v->n);
    case MLOPS__COL_NULL: break;
    }
    return mlops__bind_null(c, st, idx);
}

/* Whether the stored value in column col of st equals v. */
static int value_equal(mlops__stmt *st, int col, const value *v)
{
    enum mlops__col_kind k = mlops__col_type(st, col);
    if (k != v->kind) return 0;
    switch (k) {
    case MLOPS__COL_INT: return mlops__col_int64(st, col) == v->i;
    case MLOPS__COL_REAL: {
        double d = mlops__col_double(st, col);
        return memcmp(&d, &v->d, sizeof d) == 0;
    }
    case MLOPS__COL_TEXT:
        return (size_t)mlops__col_bytes(st, col) == v->n &&
               (!v->n || !memcmp(mlops__col_text(st, col), v->p, v->n));
    case MLOPS__COL_BLOB:
        return (size_t)mlops__col_bytes(st, col) == v->n &&
               (!v->n || !memcmp(mlops__col_blob(st, col), v->p, v->n));
    case MLOPS__COL_NULL: return 1;
    }
    return 0;
}

/* The statements of one table. */
typedef struct table_sql {
    mlops__buf select_all, select_key, insert, update, keys_all, delete_key, exists_key;
} table_sql;

static void sql_free(table_sql *q)
{
    mlops__buf *b[] = { &q->select_all, &q->select_key, &q->insert, &q->update,
                        &q->keys_all, &q->delete_key, &q->exists_key };
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) mlops__buf_free(b[i]);
}

/* "a = ?1 AND b = ?2", parameters numbered from first. */
static void where_keys(mlops__buf *b, const table *t, int first)
{
    int k = first;
    for (const column *c = t->cols; c->name; c++) {
        if (c->role != KEY) continue;
        mlops__buf_addf(b, "%s%s = ?%d", k > first ? " AND " : "", c->name, k);
        k++;
    }
}

static void list_cols(mlops__buf *b, const table *t, int only_keys)
{
    int n = 0;
    for (const column *c = t->cols; c->name; c++)
        if (!only_keys || c->role == KEY) mlops__buf_addf(b, "%s%s", n++ ? ", " : "", c->name);
}

static int build_sql(const table *t, table_sql *q)
{
    memset(q, 0, sizeof *q);
    size_t ncols = 0;
    while (t->cols[ncols].name) ncols++;
    mlops__buf_add(&q->select_all, "SELECT ");
    list_cols(&q->select_all, t, 0);
    mlops__buf_addf(&q->select_all, " FROM %s ORDER BY ", t->name);
    list_cols(&q->select_all, t, 1);

    mlops__buf_add(&q->select_key, "SELECT ");
    list_cols(&q->select_key, t, 0);
    mlops__buf_addf(&q->select_key, " FROM %s WHERE ", t->name);
    where_keys(&q->select_key, t, 1);

    mlops__buf_addf(&q->insert, "INSERT INTO %s(", t->name);
    list_cols(&q->insert, t, 0);
    mlops__buf_add(&q->insert, ") VALUES (");
    for (size_t i = 0; i < ncols; i++) mlops__buf_addf(&q->insert, "%s?%zu", i ? ", " : "", i + 1);
    mlops__buf_add(&q->insert, ")");

    /* UPDATE t SET now1 = ?1, ... WHERE key1 = ?k... */
    mlops__buf_addf(&q->update, "UPDATE %s SET ", t->name);
    int k = 1;
    for (const column *c = t->cols; c->name; c++)
        if (c->role == NOW) {
            mlops__buf_addf(&q->update, "%s%s = ?%d", k > 1 ? ", " : "", c->name, k);
            k++;
        }
    mlops__buf_add(&q->update, " WHERE ");
    where_keys(&q->update, t, k);

    mlops__buf_add(&q->keys_all, "SELECT ");
    list_cols(&q->keys_all, t, 1);
    mlops__buf_addf(&q->keys_all, " FROM %s", t->name);
    mlops__buf_addf(&q->delete_key, "DELETE FROM %s WHERE ", t->name);
    where_keys(&q->delete_key, t, 1);
    mlops__buf_addf(&q->exists_key, "SELECT 1 FROM %s WHERE ", t->name);
    where_keys(&q->exists_key, t, 1);
    mlops__buf *all[] = { &q->select_all, &q->select_key, &q->insert, &q->update,
                          &q->keys_all, &q->delete_key, &q->exists_key };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i]->failed) {
            sql_free(q);
            return mlops__err_nomem("building a copy's statements");
        }
    return MLOPS_OK;
}

typedef struct copier {
    const char *fn;
    const table *t;
    mlops__conn *src, *dst;
    mlops__stmt *select_key, *insert, *update;
    value *row;
    size_t ncols;
    uint64_t *rows;
    int fresh; /* dst had no records: insert without looking first */
} copier;

static int bind_keys(mlops__conn *c, mlops__stmt *st, const copier *cp, int first)
{
    int k = first, rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < cp->ncols; i++)
        if (cp->t->cols[i].role == KEY) rc = value_bind(c, st, k++, &cp->row[i]);
    return rc;
}

static int key_text(const copier *cp, char *out, size_t n)
{
    size_t used = 0;
    out[0] = 0;
    for (size_t i = 0; i < cp->ncols && used < n; i++) {
        if (cp->t->cols[i].role != KEY) continue;
        const value *v = &cp->row[i];
        int w;
        if (v->kind == MLOPS__COL_INT)
            w = snprintf(out + used, n - used, "%s%lld", used ? "/" : "", (long long)v->i);
        else if (v->kind == MLOPS__COL_TEXT)
            w = snprintf(out + used, n - used, "%s%.80s", used ? "/" : "", v->p);
        else
            w = snprintf(out + used, n - used, "%s(%zu bytes)", used ? "/" : "", v->n);
        if (w < 0) break;
        used += (size_t)w;
    }
    return 0;
}

/* One source row, now in cp->row: insert it, or compare and update. */
static int copy_row(copier *cp)
{
    mlops__stmt *st = cp->select_key;
    int rc = cp->fresh ? MLOPS_OK : bind_keys(cp->dst, st, cp, 1);
    if (rc) return rc;
    int step = cp->fresh ? MLOPS__DONE : mlops__step(st);
    if (step == MLOPS__DONE) {
        mlops__reset(st);
        for (size_t i = 0; !rc && i < cp->ncols; i++)
            rc = value_bind(cp->dst, cp->insert, (int)i + 1, &cp->row[i]);
        if (!rc) rc = mlops__conn_step_done(cp->dst, cp->insert, "copying a record");
        if (!rc) (*cp->rows)++;
        return rc;
    }
    if (step != MLOPS__ROW) return mlops__conn_error(cp->dst, step, "reading a record");
    const char *differs = NULL;
    int stale = 0;
    for (size_t i = 0; i < cp->ncols && !differs; i++) {
        int role = cp->t->cols[i].role;
        if (role == SAME && !value_equal(st, (int)i, &cp->row[i])) differs = cp->t->cols[i].name;
        if (role == NOW && !value_equal(st, (int)i, &cp->row[i])) stale = 1;
    }
    mlops__reset(st);
    if (differs) {
        char key[200];
        key_text(cp, key, sizeof key);
        return mlops__err(MLOPS_ECONFLICT,
                          "%s: %s %s differs in %s between the stores: the destination is "
                          "not a copy of this source",
                          cp->fn, cp->t->name, key, differs);
    }
    if (!stale) return MLOPS_OK;
    int k = 1;
    for (size_t i = 0; !rc && i < cp->ncols; i++)
        if (cp->t->cols[i].role == NOW) rc = value_bind(cp->dst, cp->update, k++, &cp->row[i]);
    if (!rc) rc = bind_keys(cp->dst, cp->update, cp, k);
    if (!rc) rc = mlops__conn_step_done(cp->dst, cp->update, "updating a copied record");
    if (!rc) (*cp->rows)++;
    return rc;
}

/* Removes the dst rows of a mirrored table whose key src lacks. */
static int mirror(copier *cp, const table_sql *q)
{
    mlops__stmt *keys = NULL, *exists = NULL, *del = NULL;
    int rc = mlops__conn_prepare(cp->dst, q->keys_all.data, &keys);
    if (!rc) rc = mlops__conn_prepare(cp->src, q->exists_key.data, &exists);
    if (!rc) rc = mlops__conn_prepare(cp->dst, q->delete_key.data, &del);
    /* Collect first: no deleting under an open scan. */
    value *gone = NULL;
    size_t ngone = 0, cap = 0, nkeys = 0;
    for (size_t i = 0; i < cp->ncols; i++) nkeys += cp->t->cols[i].role == KEY;
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(keys)) == MLOPS__ROW) {
        if (ngone + nkeys > cap) {
            size_t ncap = cap ? 2 * cap : 64 * nkeys;
            value *g = realloc(gone, ncap * sizeof *g);
            if (!g) {
                rc = mlops__err_nomem("mirroring a table");
                break;
            }
            gone = g;
            cap = ncap;
        }
        for (size_t k = 0; !rc && k < nkeys; k++) {
            rc = value_read(keys, (int)k, &gone[ngone + k]);
            if (rc) values_clear(gone + ngone, k);
        }
        if (rc) break;
        for (size_t k = 0; !rc && k < nkeys; k++)
            rc = value_bind(cp->src, exists, (int)k + 1, &gone[ngone + k]);
        int there = rc ? MLOPS__DONE : mlops__step(exists);
        mlops__reset(exists);
        if (!rc && there != MLOPS__ROW && there != MLOPS__DONE)
            rc = mlops__conn_error(cp->src, there, "reading a record");
        if (!rc && there == MLOPS__DONE) ngone += nkeys;
        else values_clear(gone + ngone, nkeys);
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(cp->dst, step, "reading records");
    if (keys) mlops__reset(keys);
    for (size_t g = 0; !rc && g < ngone; g += nkeys) {
        for (size_t k = 0; !rc && k < nkeys; k++)
            rc = value_bind(cp->dst, del, (int)k + 1, &gone[g + k]);
        if (!rc) rc = mlops__conn_step_done(cp->dst, del, "removing a record");
        if (!rc) (*cp->rows)++;
    }
    values_clear(gone, ngone);
    free(gone);
    mlops__stmt_finalize(keys);
    mlops__stmt_finalize(exists);
    mlops__stmt_finalize(del);
    return rc;
}

/* Before the rows of a table with a unique column are copied: every dst
 * row whose value there differs from src's takes a placeholder no name
 * can be (a control character and its id, so distinct), so that the copy
 * then gives each row its source value whatever the order. Every such row
 * is one src has, so the copy replaces each placeholder in the same
 * transaction. Not counted as rows written: the row's update is. */
static int free_unique_values(const table *t, mlops__conn *src, mlops__conn *dst)
{
    mlops__buf all = MLOPS__BUF_INIT, get = MLOPS__BUF_INIT, set = MLOPS__BUF_INIT;
    mlops__buf_addf(&all, "SELECT id, %s FROM %s", t->unique, t->name);
    mlops__buf_addf(&get, "SELECT %s FROM %s WHERE id = ?1", t->unique, t->name);
    mlops__buf_addf(&set, "UPDATE %s SET %s = ?2 WHERE id = ?1", t->name, t->unique);
    mlops__stmt *st_all = NULL, *st_get = NULL, *st_set = NULL;
    int rc = all.failed || get.failed || set.failed ? mlops__err_nomem("copying a table") : 0;
    if (!rc) rc = mlops__conn_prepare(src, all.data, &st_all);
    if (!rc) rc = mlops__conn_prepare(dst, get.data, &st_get);
    if (!rc) rc = mlops__conn_prepare(dst, set.data, &st_set);
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(st_all)) == MLOPS__ROW) {
        int64_t id = mlops__col_int64(st_all, 0);
        value v;
        rc = value_read(st_all, 1, &v);
        if (!rc) rc = mlops__bind_int64(dst, st_get, 1, id);
        int there = rc ? MLOPS__DONE : mlops__step(st_get);
        int differs = there == MLOPS__ROW && !value_equal(st_get, 0, &v);
        mlops__reset(st_get);
        values_clear(&v, 1);
        if (!rc && there != MLOPS__ROW && there != MLOPS__DONE)
            rc = mlops__conn_error(dst, there, "reading a record");
        if (rc || !differs) continue;
        char placeholder[40];
        snprintf(placeholder, sizeof placeholder, "\x01copy %lld", (long long)id);
        rc = mlops__bind_int64(dst, st_set, 1, id);
        if (!rc) rc = mlops__bind_text(dst, st_set, 2, placeholder);
        if (!rc) rc = mlops__conn_step_done(dst, st_set, "updating a copied record");
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(src, step, "reading records");
    if (st_all) mlops__reset(st_all);
    mlops__stmt_finalize(st_all);
    mlops__stmt_finalize(st_get);
    mlops__stmt_finalize(st_set);
    mlops__buf_free(&all);
    mlops__buf_free(&get);
    mlops__buf_free(&set);
    return rc;
}

static int copy_table(const char *fn, const table *t, mlops__conn *src, mlops__conn *dst,
                      int fresh, uint64_t *rows)
{
    if (t->unique && !fresh) {
        int rc = free_unique_values(t, src, dst);
        if (rc) return rc;
    }
    table_sql q;
    int rc = build_sql(t, &q);
    if (rc) return rc;
    copier cp = { .fn = fn, .t = t, .src = src, .dst = dst, .rows = rows, .fresh = fresh };
    while (t->cols[cp.ncols].name) cp.ncols++;
    cp.row = calloc(cp.ncols, sizeof *cp.row);
    mlops__stmt *all = NULL;
    if (!cp.row) rc = mlops__err_nomem("copying a table");
    if (!rc) rc = mlops__conn_prepare(src, q.select_all.data, &all);
    if (!rc) rc = mlops__conn_prepare(dst, q.select_key.data, &cp.select_key);
    if (!rc) rc = mlops__conn_prepare(dst, q.insert.data, &cp.insert);
    int has_now = 0;
    for (size_t i = 0; i < cp.ncols; i++) has_now |= t->cols[i].role == NOW;
    /* A table with nothing that changes has no UPDATE to make. */
    if (!rc && has_now) rc = mlops__conn_prepare(dst, q.update.data, &cp.update);
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(all)) == MLOPS__ROW) {
        for (size_t i = 0; !rc && i < cp.ncols; i++) rc = value_read(all, (int)i, &cp.row[i]);
        if (!rc) rc = copy_row(&cp);
        values_clear(cp.row, cp.ncols);
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(src, step, "reading records");
    if (all) mlops__reset(all);
    if (!rc && t->mirror && !fresh) rc = mirror(&cp, &q); /* all of dst came from src */
    mlops__stmt_finalize(all);
    mlops__stmt_finalize(cp.select_key);
    mlops__stmt_finalize(cp.insert);
    mlops__stmt_finalize(cp.update);
    free(cp.row);
    sql_free(&q);
    return rc;
}

/* A monitor of dst that src deleted: src lacks its id, or the id names
 * another monitor there (a new name or creation time: SQLite gives a new
 * monitor the id of a deleted one). Its rows go from every monitor table,
 * as the deletion took them in src (its monitor.delete event comes with
 * the audit chain), each monitor counted as one row written. Until
 * session 47 the copy kept it, and refused every copy once its id was
 * given again. */
static int drop_deleted_monitors(const char *fn, mlops__conn *src, mlops__conn *dst,
                                 uint64_t *rows)
{
    mlops__stmt *all = NULL, *same = NULL;
    int rc = mlops__conn_prepare(dst, "SELECT id, name, created_ms FROM mon_monitors ORDER BY id",
                                 &all);
    if (!rc)
        rc = mlops__conn_prepare(src, "SELECT 1 FROM mon_monitors WHERE id = ?1 AND name = ?2 "
                                      "AND created_ms = ?3", &same);
    int64_t *gone = NULL;
    size_t n = 0, cap = 0;
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(all)) == MLOPS__ROW) {
        int64_t id = mlops__col_int64(all, 0);
        const char *name = mlops__col_text(all, 1);
        rc = mlops__bind_int64(src, same, 1, id);
        if (!rc) rc = mlops__bind_text(src, same, 2, name ? name : "");
        if (!rc) rc = mlops__bind_int64(src, same, 3, mlops__col_int64(all, 2));
        int there = rc ? MLOPS__DONE : mlops__step(same);
        mlops__reset(same);
        if (!rc && there != MLOPS__ROW && there != MLOPS__DONE)
            rc = mlops__conn_error(src, there, "reading a monitor");
        if (rc || there == MLOPS__ROW) continue;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            int64_t *g = realloc(gone, ncap * sizeof *g);
            if (!g) {
                rc = mlops__err_nomem(fn);
                break;
            }
            gone = g;
            cap = ncap;
        }
        gone[n++] = id;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(dst, step, "reading monitors");
    if (all) mlops__reset(all);
    for (size_t i = 0; !rc && i < n; i++) {
        rc = mlops__monitor_delete_rows(dst, gone[i]);
        if (!rc) (*rows)++;
    }
    free(gone);
    mlops__stmt_finalize(all);
    mlops__stmt_finalize(same);
    return rc;
}

int mlops__copy_tables(const char *fn, mlops__conn *src, mlops__conn *dst, int fresh,
                       uint64_t *rows)
{
    int rc = fresh ? MLOPS_OK : drop_deleted_monitors(fn, src, dst, rows);
    for (size_t i = 0; !rc && i < sizeof tables / sizeof tables[0]; i++)
        rc = copy_table(fn, &tables[i], src, dst, fresh, rows);
    return rc;
}

int mlops__copy_sequences(mlops__conn *dst)
{
    if (mlops__conn_dialect(dst) != MLOPS__POSTGRES) return MLOPS_OK;
    /* setval(seq, max) makes the next id max + 1; a table without rows
     * keeps its sequence. */
    return mlops__conn_exec(
        dst,
        "SELECT setval(pg_get_serial_sequence('experiments', 'id'), m) "
        "  FROM (SELECT max(id) AS m FROM experiments) x WHERE m IS NOT NULL;"
        "SELECT setval(pg_get_serial_sequence('runs', 'seq'), m) "
        "  FROM (SELECT max(seq) AS m FROM runs) x WHERE m IS NOT NULL;"
        "SELECT setval(pg_get_serial_sequence('metric_series', 'id'), m) "
        "  FROM (SELECT max(id) AS m FROM metric_series) x WHERE m IS NOT NULL;"
        "SELECT setval(pg_get_serial_sequence('metric_blocks', 'id'), m) "
        "  FROM (SELECT max(id) AS m FROM metric_blocks) x WHERE m IS NOT NULL;"
        "SELECT setval(pg_get_serial_sequence('reg_models', 'id'), m) "
        "  FROM (SELECT max(id) AS m FROM reg_models) x WHERE m IS NOT NULL;"
        "SELECT setval(pg_get_serial_sequence('reg_versions', 'id'), m) "
        "  FROM (SELECT max(id) AS m FROM reg_versions) x WHERE m IS NOT NULL;"
        "SELECT setval(pg_get_serial_sequence('reg_signatures', 'rowid'), m) "
        "  FROM (SELECT max(rowid) AS m FROM reg_signatures) x WHERE m IS NOT NULL;"
        "SELECT setval(pg_get_serial_sequence('reg_evaluations', 'id'), m) "
        "  FROM (SELECT max(id) AS m FROM reg_evaluations) x WHERE m IS NOT NULL;"
        "SELECT setval(pg_get_serial_sequence('mon_monitors', 'id'), m) "
        "  FROM (SELECT max(id) AS m FROM mon_monitors) x WHERE m IS NOT NULL;");
}
