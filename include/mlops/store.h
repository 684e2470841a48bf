/*
 * libmlops — the store handle.
 *
 * A store is a directory on local disk:
 *   <store>/mlops.db        SQLite database (WAL mode) holding all metadata
 *   <store>/objects/        content-addressed object files
 *   <store>/tmp/            in-flight writes; stale files are swept on open
 *
 * Threads: one mlops_store handle may be used by several threads at once.
 * The handle keeps a small pool of SQLite connections guarded by a mutex;
 * each call borrows a connection for its duration, so calls from different
 * threads run concurrently and never share a connection. Handles must not
 * be carried across fork(): a child process opens its own.
 *
 * Processes: many processes may open the same store at once. Writers take
 * SQLite's write lock for the length of one transaction, and wait for it
 * (with backoff) up to the busy timeout instead of failing with "database
 * is locked"; readers never block writers (WAL).
 */
#ifndef MLOPS_STORE_H
#define MLOPS_STORE_H

#include "common.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_store mlops_store;

/* Durability policies (mlops_store_opts.durability). */
#define MLOPS_DURABILITY_NORMAL 0 /* objects fsync'd before their metadata
                                     commits; metadata committed to the WAL:
                                     every acknowledged call survives a
                                     process kill, and a power loss never
                                     corrupts the store (it may lose the last
                                     metadata commits). Default. */
#define MLOPS_DURABILITY_FULL   1 /* as NORMAL, and every commit is fsync'd:
                                     acknowledged calls survive power loss. */
#define MLOPS_DURABILITY_NONE   2 /* no fsync at all: survives a process kill
                                     but not a power loss. For scratch stores
                                     and tests. */

#define MLOPS_STORE_OPTS_VERSION 1

/* Options for mlops_store_open. Initialise with MLOPS_STORE_OPTS_INIT or
 * mlops_store_opts_init() (for bindings), then change fields. Fields are
 * only ever appended; the library reads only the fields that `version`
 * had. */
typedef struct mlops_store_opts {
    unsigned version;          /* MLOPS_STORE_OPTS_VERSION */
    int create_if_missing;     /* create the store when absent (default 1) */
    int read_only;             /* open read-only: writes fail with
                                  MLOPS_EREADONLY (default 0) */
    int durability;            /* MLOPS_DURABILITY_* (default NORMAL) */
    uint32_t busy_timeout_ms;  /* how long a writer waits for the lock
                                  before MLOPS_EBUSY (default 60000) */
    int compression_level;     /* zstd level for new objects, 1..19
                                  (default 3) */
    uint32_t chunk_min_size;   /* content-defined chunking sizes in bytes;  */
    uint32_t chunk_avg_size;   /* used only when a store is created and     */
    uint32_t chunk_max_size;   /* then recorded in it (defaults 256 KiB,
                                  1 MiB, 4 MiB; avg a power of two,
                                  min < avg < max, max <= 64 MiB) */
    uint32_t threads;          /* worker threads for parallel work;
                                  0 = number of online CPUs (default 0) */
    const char *actor;         /* default actor recorded in audit events;
                                  NULL = the login name. Copied. */
} mlops_store_opts;

#define MLOPS_STORE_OPTS_INIT \
    { MLOPS_STORE_OPTS_VERSION, 1, 0, MLOPS_DURABILITY_NORMAL, 60000u, 3, \
      256u * 1024u, 1024u * 1024u, 4u * 1024u * 1024u, 0u, NULL }

/* Fills opts with the defaults of the given options version (use
 * MLOPS_STORE_OPTS_VERSION). For bindings that cannot expand macros.
 * Errors: MLOPS_EINVAL when opts is NULL or version is 0 or newer than
 * this library knows. */
MLOPS_API int mlops_store_opts_init(mlops_store_opts *opts, unsigned version);

/* Opens the store at path (UTF-8, any characters the file system allows),
 * creating the directory and the layout when it is missing or empty and
 * opts->create_if_missing is set. opts NULL means defaults. On success *out
 * is a handle to release with mlops_store_close; on failure *out is NULL.
 * Errors: MLOPS_EINVAL (NULL path or out, bad options), MLOPS_ENOTFOUND (no
 * store and creation not allowed), MLOPS_EFORMAT (path is a file, or a
 * non-empty directory that is not a libmlops store), MLOPS_EUNSUPPORTED
 * (written by a newer format version: the message names both versions),
 * MLOPS_EIO (the OS refused: the message names the path and the error),
 * MLOPS_EBUSY, MLOPS_ENOMEM. Opening an old format version migrates it
 * forward in one exclusive transaction, safe against concurrent openers. */
MLOPS_API int mlops_store_open(const char *path, const mlops_store_opts *opts,
                               mlops_store **out);

/* Closes the handle and releases everything it holds. No other thread may
 * be using it. mlops_store_close(NULL) is a no-op. */
MLOPS_API void mlops_store_close(mlops_store *s);

/* The store's directory as given to mlops_store_open. The string lives as
 * long as the handle. Returns NULL when s is NULL. */
MLOPS_API const char *mlops_store_path(const mlops_store *s);

/* The on-disk format version of the store (the schema version in
 * mlops.db). Errors: MLOPS_EINVAL for NULL arguments. */
MLOPS_API int mlops_store_format_version(const mlops_store *s, int *out);

MLOPS_END_DECLS

#endif /* MLOPS_STORE_H */
