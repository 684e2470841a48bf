#include "tu_db.h"

#include "testutil.h"

#include <mlops.h>

#include "db/db.h"
#include "store/config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct tu_db {
    mlops__conn *c;
    mlops__db_target t;
    mlops__store_config cfg;
    char *path;
    char *pg_sql; /* the text of the statement open on PostgreSQL */
};

tu_db *tu_db_open(const char *dir)
{
    tu_db *db = calloc(1, sizeof *db);
    ck_assert_ptr_nonnull(db);
    int present = 0;
    TU_OK(mlops__config_read(dir, &db->cfg, &present));
    db->path = tu_path(dir, "mlops.db");
    db->t.dialect = db->cfg.metadata ? MLOPS__POSTGRES : MLOPS__SQLITE;
    db->t.path = db->path;
    db->t.uri = db->cfg.metadata;
    db->t.schema = db->cfg.schema;
    db->t.synchronous = "OFF";
    db->t.busy_ms = 10000;
    TU_OK(mlops__conn_open(&db->t, &db->c));
    TU_OK(mlops__conn_exec(db->c, db->t.dialect == MLOPS__SQLITE
                                      ? "PRAGMA foreign_keys=OFF"
                                      : "SET session_replication_role = replica"));
    return db;
}

void tu_db_close(tu_db *db)
{
    if (!db) return;
    mlops__conn_close(db->c);
    mlops__config_free(&db->cfg);
    free(db->pg_sql);
    free(db->path);
    free(db);
}

struct mlops__conn *tu_db_conn(tu_db *db)
{
    return db->c;
}

int tu_db_dialect(tu_db *db)
{
    return (int)mlops__conn_dialect(db->c);
}

/* The two SQLite spellings of a blob the tamper statements use, in
 * PostgreSQL's: X'<hex>' -> '\x<hex>'::bytea and zeroblob(<n>) ->
 * decode(repeat('00', <n>), 'hex'), outside string literals. malloc'd. */
static char *to_postgres(const char *sql)
{
    size_t n = strlen(sql), cap = 2 * n + 64, o = 0;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    int in_lit = 0;
    for (size_t i = 0; i < n;) {
        char ch = sql[i];
        int word_start = i == 0 || !(isalnum((unsigned char)sql[i - 1]) || sql[i - 1] == '_');
        if (!in_lit && word_start && (ch == 'x' || ch == 'X') && sql[i + 1] == '\'') {
            const char *end = strchr(sql + i + 2, '\'');
            ck_assert_ptr_nonnull(end);
            int k = (int)(end - (sql + i + 2));
            o += (size_t)snprintf(out + o, cap - o, "'\\x%.*s'::bytea", k, sql + i + 2);
            i = (size_t)(end - sql) + 1;
            continue;
        }
        if (!in_lit && word_start && !strncmp(sql + i, "zeroblob(", 9)) {
            char *end = NULL;
            long len = strtol(sql + i + 9, &end, 10);
            ck_assert_msg(end && *end == ')', "zeroblob of a literal length only: %s", sql);
            o += (size_t)snprintf(out + o, cap - o, "decode(repeat('00', %ld), 'hex')", len);
            i = (size_t)(end - sql) + 1;
            continue;
        }
        if (ch == '\'') in_lit = !in_lit;
        out[o++] = ch;
        out[o] = '\0';
        i++;
        ck_assert_uint_lt(o + 64, cap);
    }
    out[o] = '\0';
    return out;
}

/* A statement for sql, failing the test with the database's message. */
static mlops__stmt *prepare(tu_db *db, const char *sql)
{
    mlops__stmt *st = NULL;
    free(db->pg_sql);
    db->pg_sql = db->t.dialect == MLOPS__POSTGRES ? to_postgres(sql) : NULL;
    const char *text = db->pg_sql ? db->pg_sql : sql;
    int rc = mlops__conn_prepare(db->c, text, &st);
    ck_assert_msg(rc == MLOPS_OK, "%s: %s", text, mlops_last_error());
    return st;
}

static void step_done(tu_db *db, mlops__stmt *st, const char *sql)
{
    int step = mlops__step(st);
    if (step != MLOPS__DONE && step != MLOPS__ROW) mlops__conn_error(db->c, step, "running");
    ck_assert_msg(step == MLOPS__DONE || step == MLOPS__ROW, "%s: %s", sql, mlops_last_error());
    if (step == MLOPS__ROW)
        while ((step = mlops__step(st)) == MLOPS__ROW) {
        }
}

/* Steps to the first row; fails the test when there is none. */
static void step_row(tu_db *db, mlops__stmt *st, const char *sql, int need)
{
    int step = mlops__step(st);
    if (step != MLOPS__DONE && step != MLOPS__ROW) mlops__conn_error(db->c, step, "running");
    ck_assert_msg(step == MLOPS__ROW || (!need && step == MLOPS__DONE), "%s: %s", sql,
                  step == MLOPS__DONE ? "no row" : mlops_last_error());
}

void tu_db_exec_blobs(tu_db *db, const char *sql, const void *a, const void *b)
{
    const char *p = sql;
    while (*p) {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *one = strndup(p, n);
        ck_assert_ptr_nonnull(one);
        p += n + (end ? 1 : 0);
        if (strspn(one, " \t\n") == n) {
            free(one);
            continue;
        }
        mlops__stmt *st = prepare(db, one);
        if (a && strstr(one, "?1")) TU_OK(mlops__bind_blob(db->c, st, 1, a, 32));
        if (b && strstr(one, "?2")) TU_OK(mlops__bind_blob(db->c, st, 2, b, 32));
        step_done(db, st, one);
        mlops__stmt_finalize(st);
        free(one);
    }
}

void tu_db_exec(tu_db *db, const char *sql)
{
    tu_db_exec_blobs(db, sql, NULL, NULL);
}

int64_t tu_db_int_blob(tu_db *db, const char *sql, const void *blob, int n)
{
    mlops__stmt *st = prepare(db, sql);
    if (blob) TU_OK(mlops__bind_blob(db->c, st, 1, blob, n));
    step_row(db, st, sql, 1);
    int64_t v = mlops__col_int64(st, 0);
    mlops__stmt_finalize(st);
    return v;
}

int64_t tu_db_int(tu_db *db, const char *sql)
{
    return tu_db_int_blob(db, sql, NULL, 0);
}

char *tu_db_text(tu_db *db, const char *sql)
{
    mlops__stmt *st = prepare(db, sql);
    char *out = NULL;
    if (mlops__step(st) == MLOPS__ROW && !mlops__col_null(st, 0)) {
        out = strdup(mlops__col_text(st, 0));
        ck_assert_ptr_nonnull(out);
    }
    mlops__stmt_finalize(st);
    return out;
}

void tu_db_blob(tu_db *db, const char *sql, const void *arg, int arg_n, void *out, int n)
{
    mlops__stmt *st = prepare(db, sql);
    if (arg) TU_OK(mlops__bind_blob(db->c, st, 1, arg, arg_n));
    step_row(db, st, sql, 1);
    ck_assert_int_eq(mlops__col_bytes(st, 0), n);
    memcpy(out, mlops__col_blob(st, 0), (size_t)n);
    mlops__stmt_finalize(st);
}

void tu_sql_exec(const char *dir, const char *sql)
{
    tu_db *db = tu_db_open(dir);
    tu_db_exec(db, sql);
    tu_db_close(db);
}

int64_t tu_sql_int64(const char *dir, const char *sql)
{
    tu_db *db = tu_db_open(dir);
    int64_t v = tu_db_int(db, sql);
    tu_db_close(db);
    return v;
}

char *tu_sql_text(const char *dir, const char *sql)
{
    tu_db *db = tu_db_open(dir);
    char *v = tu_db_text(db, sql);
    tu_db_close(db);
    return v;
}
