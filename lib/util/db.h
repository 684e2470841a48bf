/* Internal: one SQLite connection with a statement cache, a patient busy
 * handler and transaction helpers. A connection is used by one thread at a
 * time; the store's pool hands them out (lib/store/store_internal.h). */
#ifndef MLOPS_UTIL_DB_H
#define MLOPS_UTIL_DB_H

#include <sqlite3.h>
#include <stdint.h>

typedef struct mlops__conn mlops__conn;

/* Opens the database at path. read_only opens it SQLITE_OPEN_READONLY;
 * otherwise it is created when missing. synchronous is the PRAGMA value
 * ("OFF", "NORMAL", "FULL"). busy_ms bounds every wait for a lock. */
int mlops__conn_open(const char *path, int read_only, const char *synchronous, uint32_t busy_ms,
                     mlops__conn **out);
void mlops__conn_close(mlops__conn *c);
sqlite3 *mlops__conn_db(mlops__conn *c);

/* A prepared statement for sql, cached per connection by the address of
 * sql: pass string literals (or other static strings), never a built
 * buffer. The statement comes back reset with no bindings; the caller
 * steps it and calls sqlite3_reset when done (the pool resets all on
 * release as a safety net). */
int mlops__conn_stmt(mlops__conn *c, const char *sql, sqlite3_stmt **out);
/* Resets every cached statement (called when a connection returns to the pool). */
void mlops__conn_reset_all(mlops__conn *c);

/* Runs SQL with no results (may hold several statements). */
int mlops__conn_exec(mlops__conn *c, const char *sql);

/* Maps a SQLite result code to an MLOPS code and sets a message
 * "<what>: <sqlite message>". */
int mlops__conn_error(mlops__conn *c, int rc, const char *what);

/* BEGIN IMMEDIATE (write != 0) or BEGIN (a read snapshot); COMMIT;
 * ROLLBACK (never fails: errors are ignored because the caller is already
 * reporting one). */
int mlops__conn_begin(mlops__conn *c, int write);
int mlops__conn_commit(mlops__conn *c);
void mlops__conn_rollback(mlops__conn *c);

/* Bind helpers returning MLOPS codes (text is copied: SQLITE_TRANSIENT). */
int mlops__bind_text(mlops__conn *c, sqlite3_stmt *st, int idx, const char *text);
int mlops__bind_int64(mlops__conn *c, sqlite3_stmt *st, int idx, int64_t v);
int mlops__bind_blob(mlops__conn *c, sqlite3_stmt *st, int idx, const void *p, int n);
int mlops__bind_double(mlops__conn *c, sqlite3_stmt *st, int idx, double v);

/* Steps a statement expected to produce no row (INSERT/UPDATE/DELETE),
 * resets it, and maps errors with `what` as the message prefix. */
int mlops__conn_step_done(mlops__conn *c, sqlite3_stmt *st, const char *what);

#endif
