#include "util/db.h"
#include "util/like.h"
#include "util/clock.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE_SIZE 96

struct stmt_slot {
    const char *sql; /* the caller's static string: the cache key */
    sqlite3_stmt *stmt;
};

struct mlops__conn {
    sqlite3 *db;
    uint32_t busy_ms;
    int64_t busy_started_ns;
    unsigned seed;
    int nslots;
    struct stmt_slot slots[STMT_CACHE_SIZE];
};

/* SQLite's own busy_timeout sleeps in fixed steps; with many writer
 * processes that convoys. Exponential backoff with jitter, capped, spreads
 * the retries; the total wait is still bounded by busy_ms. */
static int busy_handler(void *arg, int count)
{
    mlops__conn *c = arg;
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

int mlops__conn_error(mlops__conn *c, int rc, const char *what)
{
    const char *msg = c && c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
    int code;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = MLOPS_EBUSY; break;
    case SQLITE_NOMEM: code = MLOPS_ENOMEM; break;
    case SQLITE_CORRUPT: code = MLOPS_ECORRUPT; break;
    case SQLITE_NOTADB: code = MLOPS_EFORMAT; break;
    case SQLITE_READONLY: code = MLOPS_EREADONLY; break;
    case SQLITE_CONSTRAINT: code = MLOPS_ECONFLICT; break;
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH: code = MLOPS_EINVAL; break;
    default: code = MLOPS_EIO; break; /* IOERR, FULL, CANTOPEN, PROTOCOL... */
    }
    return mlops__err(code, "%s: %s (SQLite code %d)", what, msg, rc);
}

int mlops__conn_open(const char *path, int read_only, const char *synchronous, uint32_t busy_ms,
                     mlops__conn **out)
{
    mlops__conn *c = calloc(1, sizeof *c);
    if (!c) return mlops__err_nomem("opening the database");
    c->busy_ms = busy_ms;
    c->seed = (unsigned)mlops__monotonic_ns();
    /* NOMUTEX: the pool guarantees one thread per connection at a time. */
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
                (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
    if (rc != SQLITE_OK) {
        char what[512];
        snprintf(what, sizeof what, "cannot open database '%s'", path);
        rc = mlops__conn_error(c, rc, what);
        mlops__conn_close(c);
        return rc;
    }
    sqlite3_busy_handler(c->db, busy_handler, c);
    /* Searches test LIKE patterns longer than SQLite takes with it. */
    rc = mlops__like_register(c->db);
    if (rc != SQLITE_OK) {
        rc = mlops__conn_error(c, rc, "registering mlops_like");
        mlops__conn_close(c);
        return rc;
    }
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA foreign_keys=ON; PRAGMA synchronous=%s; PRAGMA temp_store=MEMORY;"
             "PRAGMA cache_size=-16384;",
             synchronous);
    rc = mlops__conn_exec(c, pragmas);
    if (rc) {
        mlops__conn_close(c);
        return rc;
    }
    *out = c;
    return MLOPS_OK;
}

void mlops__conn_close(mlops__conn *c)
{
    if (!c) return;
    for (int i = 0; i < c->nslots; i++) sqlite3_finalize(c->slots[i].stmt);
    sqlite3_close_v2(c->db);
    free(c);
}

sqlite3 *mlops__conn_db(mlops__conn *c)
{
    return c->db;
}

int mlops__conn_stmt(mlops__conn *c, const char *sql, sqlite3_stmt **out)
{
    for (int i = 0; i < c->nslots; i++) {
        if (c->slots[i].sql == sql) {
            sqlite3_reset(c->slots[i].stmt);
            sqlite3_clear_bindings(c->slots[i].stmt);
            *out = c->slots[i].stmt;
            return MLOPS_OK;
        }
    }
    sqlite3_stmt *st = NULL;
    unsigned flags = c->nslots < STMT_CACHE_SIZE ? SQLITE_PREPARE_PERSISTENT : 0;
    int rc = sqlite3_prepare_v3(c->db, sql, -1, flags, &st, NULL);
    if (rc != SQLITE_OK) return mlops__conn_error(c, rc, "preparing a statement");
    if (c->nslots == STMT_CACHE_SIZE) {
        /* Full: evict the oldest. Hot statements are prepared first. */
        sqlite3_finalize(c->slots[0].stmt);
        memmove(c->slots, c->slots + 1, sizeof c->slots[0] * (STMT_CACHE_SIZE - 1));
        c->nslots--;
    }
    c->slots[c->nslots].sql = sql;
    c->slots[c->nslots].stmt = st;
    c->nslots++;
    *out = st;
    return MLOPS_OK;
}

void mlops__conn_reset_all(mlops__conn *c)
{
    for (int i = 0; i < c->nslots; i++)
        if (sqlite3_stmt_busy(c->slots[i].stmt)) sqlite3_reset(c->slots[i].stmt);
}

int mlops__conn_exec(mlops__conn *c, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, &err);
    if (rc == SQLITE_OK) return MLOPS_OK;
    sqlite3_free(err);
    return mlops__conn_error(c, rc, "executing SQL");
}

/* BEGIN and COMMIT run on every call: prepared once per connection
 * (through the statement cache) instead of parsed each time. sql must be
 * a literal (the cache key is its address). */
static int run_cached(mlops__conn *c, const char *sql, const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc = mlops__conn_stmt(c, sql, &st);
    if (rc) return rc;
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    return step == SQLITE_DONE ? MLOPS_OK : mlops__conn_error(c, step, what);
}

int mlops__conn_begin(mlops__conn *c, int write)
{
    if (write) return run_cached(c, "BEGIN IMMEDIATE", "starting a write transaction");
    return run_cached(c, "BEGIN", "starting a read transaction");
}

int mlops__conn_commit(mlops__conn *c)
{
    int rc = run_cached(c, "COMMIT", "committing a transaction");
    if (rc) mlops__conn_rollback(c);
    return rc;
}

void mlops__conn_rollback(mlops__conn *c)
{
    if (!sqlite3_get_autocommit(c->db)) sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

int mlops__bind_text(mlops__conn *c, sqlite3_stmt *st, int idx, const char *text)
{
    int rc = text ? sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT)
                  : sqlite3_bind_null(st, idx);
    return rc == SQLITE_OK ? MLOPS_OK : mlops__conn_error(c, rc, "binding a text value");
}

int mlops__bind_int64(mlops__conn *c, sqlite3_stmt *st, int idx, int64_t v)
{
    int rc = sqlite3_bind_int64(st, idx, v);
    return rc == SQLITE_OK ? MLOPS_OK : mlops__conn_error(c, rc, "binding an integer");
}

int mlops__bind_blob(mlops__conn *c, sqlite3_stmt *st, int idx, const void *p, int n)
{
    int rc = sqlite3_bind_blob(st, idx, p, n, SQLITE_TRANSIENT);
    return rc == SQLITE_OK ? MLOPS_OK : mlops__conn_error(c, rc, "binding a blob");
}

int mlops__bind_double(mlops__conn *c, sqlite3_stmt *st, int idx, double v)
{
    int rc = sqlite3_bind_double(st, idx, v);
    return rc == SQLITE_OK ? MLOPS_OK : mlops__conn_error(c, rc, "binding a number");
}

int mlops__conn_step_done(mlops__conn *c, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    int code = rc == SQLITE_DONE || rc == SQLITE_ROW ? MLOPS_OK : mlops__conn_error(c, rc, what);
    sqlite3_reset(st);
    return code;
}
