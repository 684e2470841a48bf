/* Internal interface of the store handle: what other subsystems use to
 * reach the database and the directory layout. */
#ifndef MLOPS_STORE_INTERNAL_H
#define MLOPS_STORE_INTERNAL_H

#include "mlops/store.h"
#include "db/db.h"
#include "objects/objects.h"
#include "cas/chunker.h"

#include <pthread.h>

/* On-disk format (= schema) version this library writes (lib/store/schema.c
 * lists what each version adds). */
#define MLOPS__FORMAT_VERSION 12

#define MLOPS__POOL_MAX 8

struct mlops_store {
    char *path;        /* as given by the caller */
    char *metadata;    /* PostgreSQL connection string; NULL for SQLite */
    char *schema;      /* PostgreSQL schema of the store */
    char *db_path;     /* <path>/mlops.db */
    /* Where the objects live (objects/objects.h): the folder of objects/,
     * tmp/ and quarantine/ (the local backend, lib/objects/local/), the
     * store directory unless mlops.conf names another. Made at open. */
    mlops__objects *objects;
    char *actor;       /* default audit actor (copied from opts or the login
                          name; on PostgreSQL the database role) */
    int actor_is_role; /* PostgreSQL: no other actor may be recorded */
    mlops_store_opts opts; /* effective options; opts.actor points at actor */
    int read_only;
    int format_version;
    uint32_t chunk_min, chunk_avg, chunk_max; /* recorded at creation */
    mlops__cdc_rule chunk_rule;               /* meta chunk_rule; absent: gear-nc2 */
    unsigned threads;                         /* resolved worker count, >= 1 */
    const char *synchronous;                  /* PRAGMA synchronous value */
    mlops__db_target target;                  /* where connections go */

    pthread_mutex_t pool_lock;
    int nidle;
    mlops__conn *idle[MLOPS__POOL_MAX];
};

/* A new connection, retried while the server cannot be reached (down,
 * starting, stopping) within the busy timeout, as transactions are
 * (store.c, "Transactions, retried"). */
int mlops__store_connect(mlops_store *s, mlops__conn **out);

/* Borrow a connection for the length of one call; give it back. */
int mlops__store_conn(mlops_store *s, mlops__conn **out);
void mlops__store_release(mlops_store *s, mlops__conn *c);

typedef int (*mlops__tx_fn)(mlops__conn *c, void *arg);

/* Runs fn inside BEGIN IMMEDIATE ... COMMIT on a pooled connection
 * (ROLLBACK when fn fails). Refuses with MLOPS_EREADONLY on a read-only
 * handle. fn's return code is returned. */
int mlops__store_write(mlops_store *s, mlops__tx_fn fn, void *arg);
/* Runs fn inside a read transaction: one consistent snapshot. */
int mlops__store_read(mlops_store *s, mlops__tx_fn fn, void *arg);

/* MLOPS_EREADONLY with a message naming the store and the operation,
 * or MLOPS_OK when writes are allowed. */
int mlops__store_check_writable(const mlops_store *s, const char *func);

/* Whether objects must be made durable (durability is not NONE). */
int mlops__store_fsync_enabled(const mlops_store *s);

#endif
