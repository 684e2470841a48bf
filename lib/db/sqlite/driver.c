/* The SQLite backend: the store's embedded default, mlops.db in the store
 * directory. A patient busy handler, the mlops_like function for long
 * LIKE patterns (like.h), and BEGIN IMMEDIATE for writers. */
#include "db/sqlite/sqlite_internal.h"
#include "db/sqlite/like.h"
#include "util/clock.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(SQLITE_ROW == MLOPS__ROW && SQLITE_DONE == MLOPS__DONE,
               "step results pass through unchanged");

struct sqlite_conn {
    mlops__conn base;
    sqlite3 *db;
    uint32_t busy_ms;
    int64_t busy_started_ns;
    unsigned seed;
};

struct sqlite_stmt {
    mlops__stmt base;
    sqlite3_stmt *st;
};

static sqlite3 *db_of(mlops__conn *c)
{
    return ((struct sqlite_conn *)c)->db;
}

sqlite3 *mlops__sqlite_db(mlops__conn *c)
{
    return db_of(c);
}

static sqlite3_stmt *st_of(mlops__stmt *s)
{
    return ((struct sqlite_stmt *)s)->st;
}

/* SQLite's own busy_timeout sleeps in fixed steps; with many writer
 * processes that convoys. Exponential backoff with jitter, capped, spreads
 * the retries; the total wait is still bounded by busy_ms. */
static int busy_handler(void *arg, int count)
{
    struct sqlite_conn *c = arg;
    int64_t now = mlops__monotonic_ns();
    if (count == 0) c->busy_started_ns = now;
    if ((now - c->busy_started_ns) / 1000000 >= (int64_t)c->busy_ms) return 0;
    uint32_t cap_us = 20000;
    uint32_t base = count < 10 ? (50u << count) : cap_us;
    if (base > cap_us) base = cap_us;
    c->seed = c->seed * 1103515245u + 12345u;
    mlops__sleep_us(base / 2 + (c->seed >> 8) % (base / 2 + 1));
    return 1;
}

static int code_of(mlops__conn *c, int rc)
{
    (void)c;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return MLOPS_EBUSY;
    case SQLITE_NOMEM: return MLOPS_ENOMEM;
    case SQLITE_CORRUPT: return MLOPS_ECORRUPT;
    case SQLITE_NOTADB: return MLOPS_EFORMAT;
    case SQLITE_READONLY: return MLOPS_EREADONLY;
    case SQLITE_CONSTRAINT: return MLOPS_ECONFLICT;
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH: return MLOPS_EINVAL;
    default: return MLOPS_EIO; /* IOERR, FULL, CANTOPEN, PROTOCOL... */
    }
}

static int error_of(mlops__conn *c, int rc, const char *what)
{
    sqlite3 *db = c ? db_of(c) : NULL;
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return mlops__err(code_of(c, rc), "%s: %s (SQLite code %d)", what, msg, rc);
}

int mlops__sqlite_error(mlops__conn *c, int rc, const char *what)
{
    return error_of(c, rc, what);
}

static int exec_sql(mlops__conn *c, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db_of(c), sql, NULL, NULL, &err);
    if (rc == SQLITE_OK) return MLOPS_OK;
    sqlite3_free(err);
    return error_of(c, rc, "executing SQL");
}

static void close_conn(mlops__conn *c)
{
    sqlite3_close_v2(db_of(c));
    free(c);
}

static int open_conn(const mlops__db_target *t, mlops__conn **out)
{
    struct sqlite_conn *c = calloc(1, sizeof *c);
    if (!c) return mlops__err_nomem("opening the database");
    c->busy_ms = t->busy_ms;
    c->seed = (unsigned)mlops__monotonic_ns();
    /* NOMUTEX: the pool guarantees one thread per connection at a time. */
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
                (t->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(t->path, &c->db, flags, NULL);
    if (rc != SQLITE_OK) {
        char what[512];
        snprintf(what, sizeof what, "cannot open database '%s'", t->path);
        rc = error_of(&c->base, rc, what);
        close_conn(&c->base);
        return rc;
    }
    sqlite3_busy_handler(c->db, busy_handler, c);
    /* Searches test LIKE patterns longer than SQLite takes with it. */
    rc = mlops__like_register(c->db);
    if (rc != SQLITE_OK) {
        rc = error_of(&c->base, rc, "registering mlops_like");
        close_conn(&c->base);
        return rc;
    }
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA foreign_keys=ON; PRAGMA synchronous=%s; PRAGMA temp_store=MEMORY;"
             "PRAGMA cache_size=-16384;",
             t->synchronous ? t->synchronous : "FULL");
    rc = exec_sql(&c->base, pragmas);
    if (rc) {
        close_conn(&c->base);
        return rc;
    }
    *out = &c->base;
    return MLOPS_OK;
}

static int prepare(mlops__conn *c, const char *sql, int persistent, mlops__stmt **out)
{
    struct sqlite_stmt *s = calloc(1, sizeof *s);
    if (!s) return mlops__err_nomem("preparing a statement");
    int rc = sqlite3_prepare_v3(db_of(c), sql, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0,
                                &s->st, NULL);
    if (rc != SQLITE_OK) {
        free(s);
        return error_of(c, rc, "preparing a statement");
    }
    *out = &s->base;
    return MLOPS_OK;
}

static void finalize(mlops__stmt *s)
{
    sqlite3_finalize(st_of(s));
    free(s);
}

static void reset(mlops__stmt *s)
{
    sqlite3_reset(st_of(s));
}

static void clear_bindings(mlops__stmt *s)
{
    sqlite3_clear_bindings(st_of(s));
}

static int is_busy(mlops__stmt *s)
{
    return sqlite3_stmt_busy(st_of(s));
}

static int bind_null(mlops__stmt *s, int i)
{
    return sqlite3_bind_null(st_of(s), i);
}

static int bind_int64(mlops__stmt *s, int i, int64_t v)
{
    return sqlite3_bind_int64(st_of(s), i, v);
}

static int bind_double(mlops__stmt *s, int i, double v)
{
    return sqlite3_bind_double(st_of(s), i, v);
}

static int bind_text(mlops__stmt *s, int i, const char *text)
{
    return sqlite3_bind_text(st_of(s), i, text, -1, SQLITE_TRANSIENT);
}

static int bind_blob(mlops__stmt *s, int i, const void *p, int n)
{
    return sqlite3_bind_blob(st_of(s), i, p, n, SQLITE_TRANSIENT);
}

static int step(mlops__stmt *s)
{
    return sqlite3_step(st_of(s));
}

static int col_null(mlops__stmt *s, int i)
{
    return sqlite3_column_type(st_of(s), i) == SQLITE_NULL;
}

static int64_t col_int64(mlops__stmt *s, int i)
{
    return sqlite3_column_int64(st_of(s), i);
}

static double col_double(mlops__stmt *s, int i)
{
    return sqlite3_column_double(st_of(s), i);
}

static const char *col_text(mlops__stmt *s, int i)
{
    return (const char *)sqlite3_column_text(st_of(s), i);
}

static const void *col_blob(mlops__stmt *s, int i)
{
    return sqlite3_column_blob(st_of(s), i);
}

static int col_bytes(mlops__stmt *s, int i)
{
    return sqlite3_column_bytes(st_of(s), i);
}

static enum mlops__col_kind col_type(mlops__stmt *s, int i)
{
    switch (sqlite3_column_type(st_of(s), i)) {
    case SQLITE_INTEGER: return MLOPS__COL_INT;
    case SQLITE_FLOAT: return MLOPS__COL_REAL;
    case SQLITE_TEXT: return MLOPS__COL_TEXT;
    case SQLITE_BLOB: return MLOPS__COL_BLOB;
    default: return MLOPS__COL_NULL;
    }
}

/* BEGIN and COMMIT run on every call: prepared once per connection
 * (through the statement cache) instead of parsed each time. */
static int run_cached(mlops__conn *c, const char *sql, const char *what)
{
    mlops__stmt *st = NULL;
    int rc = mlops__conn_stmt(c, sql, &st);
    if (rc) return rc;
    int s = step(st);
    reset(st);
    return s == SQLITE_DONE ? MLOPS_OK : error_of(c, s, what);
}

static int begin(mlops__conn *c, int write)
{
    if (write) return run_cached(c, "BEGIN IMMEDIATE", "starting a write transaction");
    return run_cached(c, "BEGIN", "starting a read transaction");
}

static int commit(mlops__conn *c)
{
    return run_cached(c, "COMMIT", "committing a transaction");
}

static void rollback(mlops__conn *c)
{
    if (!sqlite3_get_autocommit(db_of(c))) sqlite3_exec(db_of(c), "ROLLBACK", NULL, NULL, NULL);
}

static int in_write(mlops__conn *c)
{
    return sqlite3_txn_state(db_of(c), NULL) == SQLITE_TXN_WRITE;
}

static int set_commit_sync(mlops__conn *c, int full)
{
    return exec_sql(c, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
}

static int64_t changes(mlops__conn *c)
{
    return sqlite3_changes64(db_of(c));
}

static int like_max(mlops__conn *c)
{
    return sqlite3_limit(db_of(c), SQLITE_LIMIT_LIKE_PATTERN_LENGTH, -1);
}

static int max_params(mlops__conn *c)
{
    return sqlite3_limit(db_of(c), SQLITE_LIMIT_VARIABLE_NUMBER, -1);
}

const mlops__db_driver mlops__sqlite_driver = {
    .version = MLOPS__DB_DRIVER_VERSION,
    .name = "SQLite",
    .dialect = MLOPS__SQLITE,
    .open = open_conn,
    .close = close_conn,
    .prepare = prepare,
    .finalize = finalize,
    .reset = reset,
    .clear_bindings = clear_bindings,
    .is_busy = is_busy,
    .bind_null = bind_null,
    .bind_int64 = bind_int64,
    .bind_double = bind_double,
    .bind_text = bind_text,
    .bind_blob = bind_blob,
    .step = step,
    .col_null = col_null,
    .col_int64 = col_int64,
    .col_double = col_double,
    .col_text = col_text,
    .col_blob = col_blob,
    .col_bytes = col_bytes,
    .col_type = col_type,
    .exec = exec_sql,
    .begin = begin,
    .commit = commit,
    .rollback = rollback,
    .in_write = in_write,
    .changes = changes,
    .set_commit_sync = set_commit_sync,
    .like_max = like_max,
    .max_params = max_params,
    .error = error_of,
    .code_of = code_of,
    .prepare_store = mlops__sqlite_prepare_store,
    .read_format = mlops__sqlite_read_format,
    .begin_migration = mlops__sqlite_begin_migration,
    .write_format = mlops__sqlite_write_format,
};
