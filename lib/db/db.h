/* Internal: the data-access layer. One connection to a metadata database,
 * whichever backend holds it (SQLite in the store directory, or
 * PostgreSQL), with a statement cache and transaction helpers.
 *
 * Subsystems write their SQL once, in the subset both backends run
 * (doc/conventions.md, "SQL"): placeholders are ?N, ids are BIGINT,
 * digests BLOB/BYTEA, flags integers compared with <> 0, upserts with
 * ON CONFLICT, new ids with RETURNING. Where the dialects differ, a caller
 * picks the text with mlops__conn_dialect(), and DDL lives in each
 * backend's folder. A backend is a versioned table of functions
 * (mlops__db_driver, lib/db/driver.h), as libgit2's odb backends.
 *
 * A connection is used by one thread at a time; the store's pool hands
 * them out (lib/store/store_internal.h). */
#ifndef MLOPS_DB_DB_H
#define MLOPS_DB_DB_H

#include <stddef.h>
#include <stdint.h>

typedef struct mlops__conn mlops__conn;
typedef struct mlops__stmt mlops__stmt;

/* What mlops__step returns besides a driver error code (pass that to
 * mlops__conn_error). Never equal to an error code of any driver. */
#define MLOPS__ROW 100
#define MLOPS__DONE 101

enum mlops__dialect { MLOPS__SQLITE = 1, MLOPS__POSTGRES = 2 };

/* Marks a store's database as libmlops's ("MLOP"): SQLite's PRAGMA
 * application_id, meta row 'application_id' on PostgreSQL. */
#define MLOPS__APPLICATION_ID 0x4D4C4F50

/* Where a connection goes and how. */
typedef struct mlops__db_target {
    enum mlops__dialect dialect;
    const char *path;        /* SQLite: the database file */
    const char *uri;         /* PostgreSQL: libpq connection string or URI */
    const char *schema;      /* PostgreSQL: the store's schema */
    int read_only;           /* refuse writes */
    const char *synchronous; /* SQLite: PRAGMA synchronous ("OFF", "NORMAL", "FULL") */
    uint32_t busy_ms;        /* bound on every wait for a lock */
} mlops__db_target;

/* Opens a connection for t, which must outlive it (the store handle holds
 * it). MLOPS code; the message names the target. */
int mlops__conn_open(const mlops__db_target *t, mlops__conn **out);
void mlops__conn_close(mlops__conn *c);
enum mlops__dialect mlops__conn_dialect(const mlops__conn *c);

/* A prepared statement for sql, cached per connection by the address of
 * sql: pass string literals (or other static strings), never a built
 * buffer. The statement comes back reset with no bindings; the caller
 * steps it and calls mlops__reset when done (the pool resets all on
 * release as a safety net). On failure *out is NULL, which
 * mlops__reset and mlops__stmt_finalize take as a no-op, so a cleanup
 * path may reset whatever the call left. */
int mlops__conn_stmt(mlops__conn *c, const char *sql, mlops__stmt **out);
/* A statement for built SQL (searches): not cached; free it with
 * mlops__stmt_finalize. *out is NULL on failure. */
int mlops__conn_prepare(mlops__conn *c, const char *sql, mlops__stmt **out);
void mlops__stmt_finalize(mlops__stmt *st);
/* Resets every cached statement (called when a connection returns to the pool). */
void mlops__conn_reset_all(mlops__conn *c);

/* Runs SQL with no results and no parameters (may hold several statements). */
int mlops__conn_exec(mlops__conn *c, const char *sql);

/* Maps a driver code (from mlops__step) to an MLOPS code and sets the
 * message "<what>: <the database's message>". */
int mlops__conn_error(mlops__conn *c, int rc, const char *what);

/* A write transaction (one writer at a time per store: SQLite's BEGIN
 * IMMEDIATE, a transaction-level advisory lock on PostgreSQL) or a read
 * snapshot; COMMIT; ROLLBACK (never fails: the caller is already
 * reporting an error). */
int mlops__conn_begin(mlops__conn *c, int write);
int mlops__conn_commit(mlops__conn *c);
void mlops__conn_rollback(mlops__conn *c);
/* Whether a write transaction is open on c. */
int mlops__conn_in_write(mlops__conn *c);
/* Runs sql (no parameters, no results; NULL for none), then COMMIT, in one
 * round trip where the backend can (PostgreSQL sends both in one
 * message). A failure of sql leaves nothing committed. */
int mlops__conn_commit_with(mlops__conn *c, const char *sql);

/* ---- Failures worth another attempt (lib/store/store.c run_tx) ----
 * The classes of failure a transaction may be run again after, from
 * scratch: BUSY, the database refused this attempt because of another
 * transaction (PostgreSQL: serialization failure 40001, deadlock 40P01,
 * lock timeout 55P03); LOST, the connection is gone or the server cannot
 * serve now (connection lost, SQLSTATE class 08, admin shutdown 57P01,
 * crash shutdown 57P02, cannot connect now 57P03): the connection is to
 * be closed, not pooled. SQLite reports neither (its busy handler already
 * waited busy_ms, and its connection is a file). */
enum mlops__retry { MLOPS__RETRY_NO = 0, MLOPS__RETRY_BUSY = 1, MLOPS__RETRY_LOST = 2 };
/* The class of the failure rc (the MLOPS code a transaction's work or
 * COMMIT returned) by the last error seen on c since its last
 * mlops__conn_begin. */
enum mlops__retry mlops__conn_retryable(mlops__conn *c, int rc);
/* After mlops__conn_open(t) failed with rc: LOST when the server is down,
 * starting or shutting down (a later attempt may connect), NO when it
 * answers but refused this connection (authentication, no such
 * database) or the target is malformed. */
enum mlops__retry mlops__db_open_retryable(const mlops__db_target *t, int rc);
/* Whether an idle connection is still usable: the server has not closed
 * it meanwhile (restart, idle timeout). A cheap local check, no round
 * trip; a connection it passes may still fail. */
int mlops__conn_alive(mlops__conn *c);
/* Names the target's server for messages, never with a password:
 * "PostgreSQL server HOST:PORT, database DB" (HOST may be a socket
 * folder), "SQLite database PATH". */
void mlops__db_describe(const mlops__db_target *t, char *buf, size_t n);

/* Whether this connection's commits wait for the disk: full (each commit
 * is fsync'd) or not (a commit survives a process kill, maybe not a power
 * loss). SQLite's PRAGMA synchronous; on PostgreSQL durability is the
 * server's (synchronous_commit) and this does nothing. */
int mlops__conn_set_commit_sync(mlops__conn *c, int full);

/* Rows changed by the connection's last INSERT, UPDATE or DELETE. */
int64_t mlops__conn_changes(mlops__conn *c);

/* The longest LIKE pattern the backend matches natively, in bytes
 * (longer ones go through mlops_like on SQLite; unbounded = INT32_MAX). */
int mlops__conn_like_max(mlops__conn *c);
/* The most parameters one statement may carry. */
int mlops__conn_max_params(mlops__conn *c);

/* The store's database as a whole (see lib/db/driver.h): used by
 * lib/store/schema.c and store.c only. */
int mlops__db_prepare_store(mlops__conn *c, const char *where, uint32_t busy_ms);
int mlops__db_read_format(mlops__conn *c, const char *where, int *version);
int mlops__db_begin_migration(mlops__conn *c);
int mlops__db_write_format(mlops__conn *c, int version);
/* Creates the tables of a format version in an empty database when the
 * backend has DDL of its own for one (*version: that version, whose later
 * steps the caller then runs); *version = 0: replay every migration. */
int mlops__db_create_base(mlops__conn *c, int *version);
/* Checks a target before it is used or recorded (fn names the public
 * function in messages): MLOPS_EINVAL for a password in a connection
 * string, MLOPS_EUNSUPPORTED for a backend this build lacks. */
int mlops__db_check_target(const mlops__db_target *t, const char *fn);

/* Binds (1-based index) returning MLOPS codes. Text and blobs are copied.
 * A NULL text binds SQL NULL. */
int mlops__bind_text(mlops__conn *c, mlops__stmt *st, int idx, const char *text);
int mlops__bind_int64(mlops__conn *c, mlops__stmt *st, int idx, int64_t v);
int mlops__bind_blob(mlops__conn *c, mlops__stmt *st, int idx, const void *p, int n);
int mlops__bind_double(mlops__conn *c, mlops__stmt *st, int idx, double v);
int mlops__bind_null(mlops__conn *c, mlops__stmt *st, int idx);

/* MLOPS__ROW, MLOPS__DONE or a driver error code. */
int mlops__step(mlops__stmt *st);
/* Runs the n statements, bound and not yet stepped, in one round trip
 * where the database allows it (PostgreSQL's pipeline mode), in order;
 * each is then read with mlops__step as usual, and a statement that
 * failed returns its error at its first step. Elsewhere (SQLite, or
 * statements the pipeline does not take) each runs at its first step as
 * always, so callers need no other path. MLOPS code (a broken
 * connection). */
int mlops__stmts_run_ahead(mlops__conn *c, mlops__stmt **sts, int n);
/* Ends the current execution; bindings stay until the next reuse. NULL
 * is a no-op. */
void mlops__reset(mlops__stmt *st);

/* Columns of the current row (0-based). Text is NUL-terminated; text and
 * blob pointers stay valid until the next step or reset. */
int mlops__col_null(mlops__stmt *st, int i);
int64_t mlops__col_int64(mlops__stmt *st, int i);
int mlops__col_int(mlops__stmt *st, int i);
double mlops__col_double(mlops__stmt *st, int i);
const char *mlops__col_text(mlops__stmt *st, int i);
const void *mlops__col_blob(mlops__stmt *st, int i);
int mlops__col_bytes(mlops__stmt *st, int i);
/* The storage class of a column's value in this row (a search key can be
 * a number or text row by row). */
enum mlops__col_kind { MLOPS__COL_NULL, MLOPS__COL_INT, MLOPS__COL_REAL, MLOPS__COL_TEXT, MLOPS__COL_BLOB };
enum mlops__col_kind mlops__col_type(mlops__stmt *st, int i);

/* The MLOPS code a driver code stands for, without setting a message
 * (e.g. to tell a constraint violation, MLOPS_ECONFLICT, from a failure). */
int mlops__conn_code(mlops__conn *c, int rc);
/* The error for a statement that should have returned a row: step is
 * MLOPS__DONE (the row is missing: MLOPS_ECORRUPT) or a driver code. */
int mlops__conn_row_error(mlops__conn *c, int step, const char *what);
/* Steps an INSERT ... RETURNING <id>, reads the id, resets. */
int mlops__conn_step_id(mlops__conn *c, mlops__stmt *st, const char *what, int64_t *id);

/* Steps a statement expected to produce no row (INSERT/UPDATE/DELETE),
 * resets it, and maps errors with `what` as the message prefix. */
int mlops__conn_step_done(mlops__conn *c, mlops__stmt *st, const char *what);

#endif
