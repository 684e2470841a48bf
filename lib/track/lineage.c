/* Lineage: the digests a run read (inputs) and wrote (outputs). An edge
 * is recorded only for content the store holds, checked inside the same
 * write transaction (which also keeps the content from a concurrent gc:
 * lib/cas/cas_internal.h); outputs are gc roots. */
#include "cas/cas_internal.h"
#include "store/store_internal.h"
#include "track/lineage_internal.h"
#include "track/track_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

struct log_arg {
    const char *func;
    const mlops_run *run;
    int direction;
    const mlops_digest *digest;
    const char *name, *role;
};

static int log_tx(mlops__conn *c, void *arg)
{
    struct log_arg *a = arg;
    char text[MLOPS_DIGEST_STRLEN];
    mlops_digest_format(a->digest, text);
    int rc = mlops__track_run_writable(c, a->run, a->func, 1);
    int exists = 0;
    if (!rc) rc = mlops__cas_exists(c, a->digest, &exists);
    if (!rc && !exists)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: %s is not in the store (put it first)", a->func,
                        text);
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "INSERT INTO run_lineage(run, direction, digest, name, role, "
                              "created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                              "ON CONFLICT(run, direction, digest, name) DO NOTHING",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, a->run->seq);
    if (!rc) rc = mlops__bind_int64(c, st, 2, a->direction);
    if (!rc) rc = mlops__bind_blob(c, st, 3, a->digest->bytes, 32);
    if (!rc) rc = mlops__bind_text(c, st, 4, a->name);
    if (!rc) rc = mlops__bind_text(c, st, 5, a->role);
    if (!rc) rc = mlops__bind_int64(c, st, 6, mlops__now_ms());
    if (!rc) rc = mlops__conn_step_done(c, st, "recording lineage");
    if (rc || mlops__conn_changes(c) == 1) return rc;

    /* The edge is there: the same role is a no-op, another is a conflict. */
    rc = mlops__conn_stmt(c,
                          "SELECT role FROM run_lineage WHERE run = ?1 AND direction = ?2 "
                          "AND digest = ?3 AND name = ?4",
                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, a->run->seq);
    if (!rc) rc = mlops__bind_int64(c, st, 2, a->direction);
    if (!rc) rc = mlops__bind_blob(c, st, 3, a->digest->bytes, 32);
    if (!rc) rc = mlops__bind_text(c, st, 4, a->name);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step != MLOPS__ROW)
        rc = mlops__conn_row_error(c, step,
                               "reading lineage");
    else if (strcmp(mlops__col_text(st, 0), a->role))
        rc = mlops__err(MLOPS_ECONFLICT,
                        "%s: run %s already records %s '%s' as %s with role '%s' (refused "
                        "role '%s')",
                        a->func, a->run->id, text, a->name,
                        a->direction == MLOPS_LINEAGE_OUTPUT ? "an output" : "an input",
                        mlops__col_text(st, 0), a->role);
    mlops__reset(st);
    return rc;
}

static int log_edge(const char *func, mlops_run *r, int direction, const mlops_digest *d,
                    const char *name, const char *role)
{
    if (!r) return mlops__err_null(func, "r");
    if (!d) return mlops__err_null(func, "digest");
    int rc = mlops__check_name(func, "name", name, MLOPS_LINEAGE_NAME_MAX);
    if (!rc) rc = mlops__check_name(func, "role", role, MLOPS_LINEAGE_ROLE_MAX);
    if (rc) return rc;
    struct log_arg a = { func, r, direction, d, name, role };
    return mlops__store_write(r->store, log_tx, &a);
}

MLOPS_API int mlops_run_log_input(mlops_run *r, const mlops_digest *digest, const char *name,
                                  const char *role)
{
    return log_edge(__func__, r, MLOPS_LINEAGE_INPUT, digest, name, role);
}

MLOPS_API int mlops_run_log_output(mlops_run *r, const mlops_digest *digest, const char *name,
                                   const char *role)
{
    return log_edge(__func__, r, MLOPS_LINEAGE_OUTPUT, digest, name, role);
}

/* ---- reading ---- */

static int edges_push(mlops__lineage_rows *rows, mlops__stmt *st)
{
    if (rows->n == rows->cap) {
        size_t cap = rows->cap ? rows->cap * 2 : 8;
        mlops__lineage_row *grown = realloc(rows->v, cap * sizeof *grown);
        if (!grown) return mlops__err_nomem("reading lineage");
        rows->v = grown;
        rows->cap = cap;
    }
    mlops__lineage_row *row = &rows->v[rows->n];
    const char *id = mlops__col_text(st, 0);
    memset(row->run_id, 0, sizeof row->run_id);
    if (id) memcpy(row->run_id, id, MLOPS_RUN_ID_LEN);
    row->direction = mlops__col_int(st, 1);
    memset(row->digest.bytes, 0, 32);
    if (mlops__col_bytes(st, 2) == 32) memcpy(row->digest.bytes, mlops__col_blob(st, 2), 32);
    row->name = mlops__strdup(mlops__col_text(st, 3));
    row->role = mlops__strdup(mlops__col_text(st, 4));
    row->created_ms = mlops__col_int64(st, 5);
    if (!row->name || !row->role) {
        free(row->name);
        free(row->role);
        return mlops__err_nomem("reading lineage");
    }
    rows->n++;
    return MLOPS_OK;
}

void mlops__lineage_rows_free(mlops__lineage_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        free(rows->v[i].name);
        free(rows->v[i].role);
    }
    free(rows->v);
    memset(rows, 0, sizeof *rows);
}

/* Reads every row of st (columns: run_id, direction, digest, name, role,
 * created_ms). */
int mlops__lineage_read(mlops__conn *c, mlops__stmt *st, mlops__lineage_rows *rows)
{
    int step, rc = MLOPS_OK;
    while ((step = mlops__step(st)) == MLOPS__ROW)
        if ((rc = edges_push(rows, st))) break;
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading lineage");
    mlops__reset(st);
    return rc;
}

/* One block: the edges, then their strings. */
static int pack(const mlops__lineage_rows *rows, mlops_lineage_edge **out)
{
    size_t size = rows->n * sizeof(mlops_lineage_edge);
    for (size_t i = 0; i < rows->n; i++)
        size += MLOPS_RUN_ID_LEN + 1 + strlen(rows->v[i].name) + 1 + strlen(rows->v[i].role) + 1;
    mlops_lineage_edge *e = malloc(size ? size : 1);
    if (!e) return mlops__err_nomem("reading lineage");
    char *str = (char *)(e + rows->n);
    for (size_t i = 0; i < rows->n; i++) {
        const mlops__lineage_row *r = &rows->v[i];
        size_t ln = strlen(r->name) + 1, lr = strlen(r->role) + 1;
        memcpy(str, r->run_id, MLOPS_RUN_ID_LEN + 1);
        e[i].run_id = str;
        str += MLOPS_RUN_ID_LEN + 1;
        memcpy(str, r->name, ln);
        e[i].name = str;
        str += ln;
        memcpy(str, r->role, lr);
        e[i].role = str;
        str += lr;
        e[i].direction = r->direction;
        e[i].digest = r->digest;
        e[i].created_ms = r->created_ms;
    }
    *out = e;
    return MLOPS_OK;
}

#define EDGE_COLUMNS "r.run_id, l.direction, l.digest, l.name, l.role, l.created_ms"

struct query_arg {
    const char *func;
    const char *run_id;
    const mlops_digest *digest;
    mlops__lineage_rows rows;
};

static int query_tx(mlops__conn *c, void *arg)
{
    struct query_arg *a = arg;
    mlops__stmt *st;
    int rc;
    if (a->run_id) {
        int64_t seq;
        rc = mlops__track_run_seq(c, a->func, a->run_id, &seq, NULL);
        if (!rc) rc = mlops__conn_stmt(c,
                                       "SELECT " EDGE_COLUMNS " FROM run_lineage l JOIN runs r "
                                       "ON r.seq = l.run WHERE l.run = ?1 "
                                       "ORDER BY l.direction, l.name, l.digest",
                                       &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, seq);
    } else {
        rc = mlops__conn_stmt(c,
                              "SELECT " EDGE_COLUMNS " FROM run_lineage l JOIN runs r "
                              "ON r.seq = l.run WHERE l.digest = ?1 "
                              "ORDER BY l.created_ms, r.seq, l.direction, l.name",
                              &st);
        if (!rc) rc = mlops__bind_blob(c, st, 1, a->digest->bytes, 32);
    }
    mlops__lineage_rows_free(&a->rows); /* a retried transaction runs this again (lib/store/store.c run_tx) */
    return rc ? rc : mlops__lineage_read(c, st, &a->rows);
}

static int query(mlops_store *s, struct query_arg *a, mlops_lineage_edge **edges, size_t *count)
{
    int rc = mlops__store_read(s, query_tx, a);
    if (!rc && a->rows.n) rc = pack(&a->rows, edges);
    if (!rc) *count = a->rows.n;
    mlops__lineage_rows_free(&a->rows);
    return rc;
}

MLOPS_API int mlops_lineage_for_run(mlops_store *s, const char *run_id, mlops_lineage_edge **edges,
                                    size_t *count)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!edges) return mlops__err_null(__func__, "edges");
    if (!count) return mlops__err_null(__func__, "count");
    *edges = NULL;
    *count = 0;
    int rc = mlops__track_check_run_id(__func__, run_id);
    if (rc) return rc;
    struct query_arg a;
    memset(&a, 0, sizeof a);
    a.func = __func__;
    a.run_id = run_id;
    return query(s, &a, edges, count);
}

MLOPS_API int mlops_lineage_for_digest(mlops_store *s, const mlops_digest *digest,
                                       mlops_lineage_edge **edges, size_t *count)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!digest) return mlops__err_null(__func__, "digest");
    if (!edges) return mlops__err_null(__func__, "edges");
    if (!count) return mlops__err_null(__func__, "count");
    *edges = NULL;
    *count = 0;
    struct query_arg a;
    memset(&a, 0, sizeof a);
    a.func = __func__;
    a.digest = digest;
    return query(s, &a, edges, count);
}

int mlops__lineage_load(mlops__conn *c, int64_t run, mlops__arena *ar, mlops_lineage_edge **out,
                        size_t *n)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT " EDGE_COLUMNS " FROM run_lineage l JOIN runs r "
                              "ON r.seq = l.run WHERE l.run = ?1 "
                              "ORDER BY l.direction, l.name, l.digest",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, run);
    if (rc) return rc;
    mlops__lineage_rows rows;
    memset(&rows, 0, sizeof rows);
    rc = mlops__lineage_read(c, st, &rows);
    if (!rc && rows.n) {
        mlops_lineage_edge *e = mlops__arena_alloc(ar, rows.n * sizeof *e);
        if (!e) rc = mlops__err_nomem("reading lineage");
        for (size_t i = 0; !rc && i < rows.n; i++) {
            e[i].run_id = mlops__arena_strdup(ar, rows.v[i].run_id);
            e[i].name = mlops__arena_strdup(ar, rows.v[i].name);
            e[i].role = mlops__arena_strdup(ar, rows.v[i].role);
            e[i].direction = rows.v[i].direction;
            e[i].digest = rows.v[i].digest;
            e[i].created_ms = rows.v[i].created_ms;
            if (!e[i].run_id || !e[i].name || !e[i].role) rc = mlops__err_nomem("reading lineage");
        }
        if (!rc) {
            *out = e;
            *n = rows.n;
        }
    }
    mlops__lineage_rows_free(&rows);
    return rc;
}
