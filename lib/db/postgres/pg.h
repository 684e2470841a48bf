/* Internal to the PostgreSQL backend (lib/db/postgres): the connection
 * and statement structs and the helpers its files share. */
#ifndef MLOPS_DB_POSTGRES_PG_H
#define MLOPS_DB_POSTGRES_PG_H

#include "db/driver.h"

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

/* Driver codes (what step and the binds return besides MLOPS__ROW and
 * MLOPS__DONE); error() turns them into MLOPS codes. */
enum {
    MLOPS__PG_ESERVER = 1, /* the server refused: conn->sqlstate and conn->msg */
    MLOPS__PG_ECONN = 2,   /* libpq failed without a SQLSTATE (connection lost...) */
    MLOPS__PG_ENOMEM = 3,
    MLOPS__PG_ERANGE = 4,  /* parameter index out of range */
    MLOPS__PG_ETOOBIG = 5, /* a negative blob length */
};

/* The type OIDs of pg_type.h (catalog/pg_type_d.h is a server header). */
enum {
    MLOPS__PG_BOOL = 16,
    MLOPS__PG_BYTEA = 17,
    MLOPS__PG_NAME = 19,
    MLOPS__PG_INT8 = 20,
    MLOPS__PG_INT2 = 21,
    MLOPS__PG_INT4 = 23,
    MLOPS__PG_TEXT = 25,
    MLOPS__PG_OID = 26,
    MLOPS__PG_JSON = 114,
    MLOPS__PG_FLOAT4 = 700,
    MLOPS__PG_FLOAT8 = 701,
    MLOPS__PG_UNKNOWN = 705,
    MLOPS__PG_BPCHAR = 1042,
    MLOPS__PG_VARCHAR = 1043,
    MLOPS__PG_NUMERIC = 1700,
    MLOPS__PG_JSONB = 3802,
};

typedef struct mlops__pg_conn {
    struct mlops__conn base; /* first: db.c sees an mlops__conn */
    PGconn *pg;
    int64_t lock_key;   /* the store's write lock (pg_advisory_xact_lock) */
    int write_tx;       /* begin(1) succeeded and no commit/rollback since */
    int64_t changes;    /* rows of the last INSERT/UPDATE/DELETE/MERGE */
    unsigned next_name; /* server-side statement names: "mlops_<n>" */
    char *stale;        /* "DEALLOCATE ...;" to run when a transaction allows */
    size_t stale_len;
    /* The last error, for error(): the server's primary message and
     * SQLSTATE, or libpq's message (sqlstate ""). */
    char sqlstate[6];
    char *msg;
    /* For an SQLSTATE 42501: what the refused statement tried, in words
     * ("set or move aliases"; denied.c). */
    char denied[96];
} mlops__pg_conn;

typedef struct mlops__pg_param {
    Oid type;   /* of the bound value; 0 for NULL or unbound */
    Oid hint;   /* the type a NULL is sent with: the last one bound, or
                   text when the server could not infer one; else 0 */
    int len;
    int null;   /* SQL NULL (unbound parameters are NULL, as in SQLite) */
    char *data; /* malloc'd; capacity cap */
    size_t cap;
} mlops__pg_param;

typedef struct mlops__pg_stmt {
    struct mlops__stmt base; /* first: db.c sees an mlops__stmt */
    char *sql;               /* rewritten to $N */
    int nparams;
    int persistent;
    char name[24];           /* the server-side statement, "" until prepared */
    Oid *prepared_types;     /* the parameter types it was prepared with */
    mlops__pg_param *params;
    /* Argument arrays for libpq, rebuilt from params on each execution. */
    Oid *types;
    const char **values;
    int *lengths;
    int *formats;
    PGresult *res; /* the current execution's rows, NULL when none */
    int row;       /* the current row; -1 before the first */
    int done;      /* the execution returned MLOPS__DONE */
    int ahead_rc;  /* run ahead (pg_run_ahead) and failed: the code its step returns */
    char **conv;   /* per column: text of a non-text column, freed per row */
    int nconv;
} mlops__pg_stmt;

/* Rewrites ?N placeholders to $N outside string literals, quoted
 * identifiers, dollar quotes and comments. *out is malloc'd; *nparams is
 * the largest N. MLOPS code (EINVAL naming ?0 or a number over 65535). */
int mlops__pg_rewrite(const char *sql, char **out, int *nparams);

/* Network byte order. */
void mlops__pg_put64(unsigned char *p, uint64_t v);
uint64_t mlops__pg_get64(const unsigned char *p);
uint32_t mlops__pg_get32(const unsigned char *p);
uint16_t mlops__pg_get16(const unsigned char *p);

/* A binary numeric: its decimal text (malloc'd, NULL when out of memory
 * or malformed) and whether it is an integer that fits in int64 (*v). */
char *mlops__pg_numeric_text(const unsigned char *p, int len);
int mlops__pg_numeric_int64(const unsigned char *p, int len, int64_t *v);

/* Keeps the error of a failed result (or of the connection when res is
 * NULL) on c for error(), and returns the driver code. */
int mlops__pg_keep_error(mlops__pg_conn *c, const PGresult *res);
/* keep_error() for the failed execution of sql: also notes, when the
 * server refused it for want of a privilege, what it tried (denied.c). */
int mlops__pg_keep_sql_error(mlops__pg_conn *c, const char *sql, const PGresult *res);
/* Fills c->denied from the refused statement sql (denied.c). */
void mlops__pg_note_denied(mlops__pg_conn *c, const char *sql);
/* The role the connection logged in as (session_user), never NULL. */
const char *mlops__pg_role(const mlops__pg_conn *c);
/* The MLOPS code for a SQLSTATE. */
int mlops__pg_sqlstate_code(const char *sqlstate);
/* code_of(): the MLOPS code of a driver code, no message. */
int mlops__pg_code(mlops__conn *c, int rc);
/* error(): sets "<what>: <message> (PostgreSQL SQLSTATE xxxxx)". */
int mlops__pg_error(mlops__conn *c, int rc, const char *what);
/* Failures and retries (error.c; db.h, "Failures worth another attempt"). */
enum mlops__retry mlops__pg_retry_class(mlops__conn *c);
enum mlops__retry mlops__pg_open_retry_class(const mlops__db_target *t);
int mlops__pg_alive(mlops__conn *c);
void mlops__pg_describe(const mlops__db_target *t, char *buf, size_t n);

/* libpq's message about a connection string it cannot parse, with the
 * quoted parts (they may be the whole string, password and all) left
 * out; malloc'd, NULL when out of memory. */
char *mlops__pg_redact_conninfo_error(const char *msg);

#endif
