/* Internal: what a metadata backend implements. lib/db/db.c dispatches
 * every call in db.h through the connection's driver and keeps the
 * statement cache, so a backend only talks to its database.
 *
 * A backend's connection starts with struct mlops__conn and its
 * statements with struct mlops__stmt (the first member), so db.c can
 * reach the driver and the cache. */
#ifndef MLOPS_DB_DRIVER_H
#define MLOPS_DB_DRIVER_H

#include "db/db.h"

#define MLOPS__DB_DRIVER_VERSION 1
#define MLOPS__STMT_CACHE_SIZE 96

typedef struct mlops__db_driver {
    unsigned version; /* MLOPS__DB_DRIVER_VERSION: db.c refuses any other */
    const char *name; /* "SQLite", "PostgreSQL": used in messages */
    enum mlops__dialect dialect;

    int (*open)(const mlops__db_target *t, mlops__conn **out);
    void (*close)(mlops__conn *c); /* after db.c finalized the cache */

    /* persistent: the statement will be cached and reused. */
    int (*prepare)(mlops__conn *c, const char *sql, int persistent, mlops__stmt **out);
    void (*finalize)(mlops__stmt *st);
    void (*reset)(mlops__stmt *st);          /* end execution, keep bindings */
    void (*clear_bindings)(mlops__stmt *st); /* before a cached statement is reused */
    int (*is_busy)(mlops__stmt *st);         /* an execution is open */

    /* Binds: a driver code (0 = OK); text/blob copied. */
    int (*bind_null)(mlops__stmt *st, int idx);
    int (*bind_int64)(mlops__stmt *st, int idx, int64_t v);
    int (*bind_double)(mlops__stmt *st, int idx, double v);
    int (*bind_text)(mlops__stmt *st, int idx, const char *text);
    int (*bind_blob)(mlops__stmt *st, int idx, const void *p, int n);

    int (*step)(mlops__stmt *st); /* MLOPS__ROW, MLOPS__DONE or a driver code */
    /* Runs n bound statements in one round trip; their steps then read
     * the rows (see mlops__stmts_run_ahead). NULL: each runs at its first
     * step. A driver code. */
    int (*run_ahead)(mlops__stmt **sts, int n);
    int (*col_null)(mlops__stmt *st, int i);
    int64_t (*col_int64)(mlops__stmt *st, int i);
    double (*col_double)(mlops__stmt *st, int i);
    const char *(*col_text)(mlops__stmt *st, int i);
    const void *(*col_blob)(mlops__stmt *st, int i);
    int (*col_bytes)(mlops__stmt *st, int i);
    enum mlops__col_kind (*col_type)(mlops__stmt *st, int i);

    int (*exec)(mlops__conn *c, const char *sql);
    int (*begin)(mlops__conn *c, int write);
    int (*commit)(mlops__conn *c);
    void (*rollback)(mlops__conn *c);
    int (*in_write)(mlops__conn *c);
    int64_t (*changes)(mlops__conn *c);
    int (*set_commit_sync)(mlops__conn *c, int full); /* NULL: the server decides */
    int (*like_max)(mlops__conn *c);   /* see mlops__conn_like_max */
    int (*max_params)(mlops__conn *c); /* see mlops__conn_max_params */

    /* Driver code -> MLOPS code with the message "<what>: <detail>". */
    int (*error)(mlops__conn *c, int rc, const char *what);
    /* Driver code -> MLOPS code, no message. */
    int (*code_of)(mlops__conn *c, int rc);

    /* The store's database as a whole (lib/store/schema.c drives them;
     * where names the store in messages): */
    /* Once per store open, before anything else (SQLite: WAL mode). */
    int (*prepare_store)(mlops__conn *c, const char *where, uint32_t busy_ms);
    /* The format version a store's database records: 0 for an empty
     * database, MLOPS_EFORMAT when another program's data is there. */
    int (*read_format)(mlops__conn *c, const char *where, int *version);
    /* Starts the one transaction that creates or migrates the schema,
     * excluding every other opener until it commits. */
    int (*begin_migration)(mlops__conn *c);
    /* Records version (inside the migration transaction). */
    int (*write_format)(mlops__conn *c, int version);
    /* Creates in an empty database, inside the migration transaction, the
     * tables of the format version this backend's own DDL describes and
     * sets *version to it; the steps of the later versions then run as on
     * an older store (lib/store/schema.c). NULL when the backend replays
     * every migration from version 1 instead (SQLite, whose 1.0 stores
     * exist). */
    int (*create_base)(mlops__conn *c, int *version);
    /* Refuses a target that must not be used or written down (a password
     * in a connection string); NULL when there is nothing to check. */
    int (*check_target)(const mlops__db_target *t, const char *fn);

    /* Failures and retries (db.h, "Failures worth another attempt"); NULL
     * members: the backend has no failure worth a retry, its idle
     * connections never die, and db.c names the target by path. */
    int (*commit_with)(mlops__conn *c, const char *sql); /* NULL: exec, then commit */
    enum mlops__retry (*retry_class)(mlops__conn *c);
    enum mlops__retry (*open_retry_class)(const mlops__db_target *t);
    int (*alive)(mlops__conn *c);
    void (*describe)(const mlops__db_target *t, char *buf, size_t n);
} mlops__db_driver;

struct mlops__stmt_slot {
    const char *sql; /* the caller's static string: the cache key */
    mlops__stmt *stmt;
};

struct mlops__conn {
    const mlops__db_driver *drv;
    const mlops__db_target *target; /* set by db.c; outlives the connection */
    int nslots;
    struct mlops__stmt_slot slots[MLOPS__STMT_CACHE_SIZE];
};

struct mlops__stmt {
    mlops__conn *conn;
};

extern const mlops__db_driver mlops__sqlite_driver;
#ifdef MLOPS_HAVE_POSTGRES
extern const mlops__db_driver mlops__postgres_driver;
#endif

#endif
