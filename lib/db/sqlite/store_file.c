/* The SQLite backend's store-level parts: WAL mode, and the store's
 * identity in the database header (PRAGMA application_id "MLOP" and
 * user_version = the format version). */
#include "db/sqlite/sqlite_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "mlops/common.h"

#include <stdio.h>
#include <string.h>

#define APPLICATION_ID MLOPS__APPLICATION_ID

static int not_sqlite(const char *where)
{
    return mlops__err(MLOPS_EFORMAT, "'%s' holds a mlops.db that is not a SQLite database",
                      where);
}

/* journal_mode=WAL needs a brief exclusive lock, which SQLite does not wait
 * for through the busy handler; retry it within the busy timeout. */
int mlops__sqlite_prepare_store(mlops__conn *c, const char *where, uint32_t busy_ms)
{
    sqlite3 *db = mlops__sqlite_db(c);
    int64_t start = mlops__monotonic_ns();
    for (;;) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
        if (rc == SQLITE_OK) rc = sqlite3_step(st);
        int is_wal = rc == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
        if (is_wal) return MLOPS_OK;
        int busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED || rc == SQLITE_ROW;
        if (!busy || (mlops__monotonic_ns() - start) / 1000000 > (int64_t)busy_ms) {
            if ((rc & 0xff) == SQLITE_NOTADB) return not_sqlite(where);
            char what[512];
            snprintf(what, sizeof what, "cannot switch store '%s' to WAL mode", where);
            return mlops__sqlite_error(c, rc == SQLITE_ROW ? SQLITE_BUSY : rc, what);
        }
        mlops__sleep_us(2000);
    }
}

static int read_pragma_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

int mlops__sqlite_read_format(mlops__conn *c, const char *where, int *version)
{
    sqlite3 *db = mlops__sqlite_db(c);
    int app = 0, v = 0, tables = 0;
    int rc = read_pragma_int(db, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK) rc = read_pragma_int(db, "PRAGMA user_version", &v);
    if (rc == SQLITE_OK) rc = read_pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables);
    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_NOTADB) return not_sqlite(where);
        char what[512];
        snprintf(what, sizeof what, "cannot read the database of store '%s'", where);
        return mlops__sqlite_error(c, rc, what);
    }
    if (app != APPLICATION_ID && (app != 0 || v != 0 || tables != 0))
        return mlops__err(MLOPS_EFORMAT,
                          "'%s' holds a mlops.db that another program wrote "
                          "(application id %d, not libmlops)",
                          where, app);
    *version = app == APPLICATION_ID ? v : 0;
    return MLOPS_OK;
}

/* EXCLUSIVE: the first opener migrates while the others wait in the busy
 * handler, then find the work done. */
int mlops__sqlite_begin_migration(mlops__conn *c)
{
    return mlops__conn_exec(c, "BEGIN EXCLUSIVE");
}

int mlops__sqlite_write_format(mlops__conn *c, int version)
{
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
             APPLICATION_ID, version);
    return mlops__conn_exec(c, sql);
}
