/*
 * libmlops — the store handle.
 *
 * A store is a directory on local disk:
 *   <store>/mlops.db        SQLite database (WAL mode) holding all metadata
 *   <store>/objects/        content-addressed object files
 *   <store>/tmp/            in-flight writes; stale files are swept on open
 * or, for a store shared by a team (mlops_store_create), a directory whose
 * mlops.conf names a PostgreSQL schema for the metadata and a folder for
 * the objects; every program that opens the directory uses them.
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
 * mlops_store_opts_init() (for bindings), then change fields. Its layout
 * never changes: a new option comes in a new struct with a new function
 * (doc/conventions.md); the library reads only the fields that `version`
 * had. */
typedef struct mlops_store_opts {
    unsigned version;          /* MLOPS_STORE_OPTS_VERSION */
    int create_if_missing;     /* create the store when absent (default 1) */
    int read_only;             /* open read-only: writes fail with
                                  MLOPS_EREADONLY (default 0) */
    int durability;            /* MLOPS_DURABILITY_* (default NORMAL) */
    uint32_t busy_timeout_ms;  /* how long a writer waits for the lock
                                  before MLOPS_EBUSY (default 60000); on
                                  PostgreSQL also how long a call retries
                                  after a lost connection or a
                                  serialization failure before
                                  MLOPS_EIO / MLOPS_EBUSY
                                  (doc/shared-stores.md, "Failures") */
    int compression_level;     /* zstd level for new objects, 1..19
                                  (default 3) */
    uint32_t chunk_min_size;   /* content-defined chunking sizes in bytes;  */
    uint32_t chunk_avg_size;   /* used only when a store is created and     */
    uint32_t chunk_max_size;   /* then recorded in it (defaults 128 KiB,
                                  512 KiB, 4 MiB since format 9, 256 KiB,
                                  1 MiB, 4 MiB before; avg a power of
                                  two, min < avg < max, max <= 64 MiB) */
    uint32_t threads;          /* threads for parallel work, the caller's
                                  included; 0 = number of online CPUs
                                  (default 0); capped by
                                  mlops_set_thread_limit() */
    const char *actor;         /* default actor recorded in audit events;
                                  NULL = the login name. Copied. */
} mlops_store_opts;

#define MLOPS_STORE_OPTS_INIT \
    { MLOPS_STORE_OPTS_VERSION, 1, 0, MLOPS_DURABILITY_NORMAL, 60000u, 3, \
      128u * 1024u, 512u * 1024u, 4u * 1024u * 1024u, 0u, NULL }

/* Fills opts with the defaults of the given options version (use
 * MLOPS_STORE_OPTS_VERSION). For bindings that cannot expand macros.
 * Errors: MLOPS_EINVAL when opts is NULL or version is 0 or newer than
 * this library knows. */
MLOPS_API int mlops_store_opts_init(mlops_store_opts *opts, unsigned version);

/* Opens the store at path (UTF-8, any characters the file system allows),
 * creating the directory and the layout when it is missing or empty and
 * opts->create_if_missing is set. A directory the library creates is
 * private to its owner (mode 0700); an existing one keeps its mode.
 * opts NULL means defaults. On success *out is a handle to release with
 * mlops_store_close; on failure *out is NULL.
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

/* ---- Shared stores (MLOPS_1.1) ------------------------------------------- */

#define MLOPS_STORE_LOCATION_VERSION 1

/* Where a store's parts live when they are not all in one directory: the
 * metadata in a PostgreSQL database, the objects in a folder every user of
 * the store reaches. Initialise with MLOPS_STORE_LOCATION_INIT or
 * mlops_store_location_init(). Strings are read during the call only. */
typedef struct mlops_store_location {
    unsigned version;     /* MLOPS_STORE_LOCATION_VERSION */
    const char *metadata; /* "postgresql://..." or a libpq "key=value"
                             string; NULL = SQLite in the store directory.
                             A password in it is refused: libpq reads it
                             from PGPASSWORD, ~/.pgpass or PGSERVICEFILE */
    const char *schema;   /* the PostgreSQL schema that is this store (one
                             store per schema; several may share a
                             database); NULL = "mlops" */
    const char *objects;  /* the folder holding objects/ and tmp/; NULL =
                             the store directory */
} mlops_store_location;

#define MLOPS_STORE_LOCATION_INIT { MLOPS_STORE_LOCATION_VERSION, NULL, NULL, NULL }

/* Fills loc with the defaults of the given version (bindings). Errors:
 * MLOPS_EINVAL (NULL loc, unknown version). */
MLOPS_API int mlops_store_location_init(mlops_store_location *loc, unsigned version);

/* Makes dir a store whose parts live where loc says: writes dir/mlops.conf
 * naming the backends (doc/format.md; no secret is ever written), creates
 * the schema in the metadata database when it is new (once, safe against
 * concurrent creators) and opens the store. Every later
 * mlops_store_open(dir) then uses those backends. dir must be missing or
 * empty. loc NULL or loc->metadata NULL keeps the metadata in dir
 * (SQLite): loc->schema must then be NULL, and loc->objects NULL (a local
 * store) or an s3:// URL (doc/s3.md), else MLOPS_EINVAL.
 * out may be NULL (the store is closed again). Errors: those of
 * mlops_store_open, MLOPS_EEXIST (dir is not empty), MLOPS_EINVAL (a
 * password in the URI, a bad schema name), MLOPS_EUNSUPPORTED (a build
 * without PostgreSQL support). */
MLOPS_API int mlops_store_create(const char *dir, const mlops_store_location *loc,
                                 const mlops_store_opts *opts, mlops_store **out);

/* Opens a shared store without a store directory (embedders): the
 * metadata database and schema and the objects folder come from loc, whose
 * metadata and objects must be set. The schema and the objects folder are
 * created when missing (unless opts->create_if_missing is 0: then a missing
 * folder is MLOPS_ENOTFOUND). mlops_store_path gives the objects folder. Errors: as mlops_store_create. */
MLOPS_API int mlops_store_open_location(const mlops_store_location *loc,
                                        const mlops_store_opts *opts, mlops_store **out);

/* ---- Integrity check ---------------------------------------------------- */

#define MLOPS_FSCK_OPTS_VERSION 1

/* Options for mlops_store_fsck. Initialise with MLOPS_FSCK_OPTS_INIT or
 * mlops_fsck_opts_init(). */
typedef struct mlops_fsck_opts {
    unsigned version;  /* MLOPS_FSCK_OPTS_VERSION */
    double sample;     /* fraction of objects to re-hash, in (0, 1]; each
                          object is picked at random with this probability
                          (default 1: all) */
    int quarantine;    /* move each corrupt object file to
                          <store>/quarantine/ (default 1); 0 only reports */
} mlops_fsck_opts;

#define MLOPS_FSCK_OPTS_INIT { MLOPS_FSCK_OPTS_VERSION, 1.0, 1 }

/* Fills opts with the defaults of the given version. Errors: MLOPS_EINVAL
 * (NULL, or a version this library does not know). */
MLOPS_API int mlops_fsck_opts_init(mlops_fsck_opts *opts, unsigned version);

/* mlops_fsck_issue.problem */
#define MLOPS_FSCK_CORRUPT 1 /* the object's bytes fail verification */
#define MLOPS_FSCK_MISSING 2 /* the store records it but its file is gone */

/* Frozen: one damaged object. */
typedef struct mlops_fsck_issue {
    mlops_digest digest;
    int problem; /* MLOPS_FSCK_* */
} mlops_fsck_issue;

#define MLOPS_FSCK_REPORT_VERSION 1

/* What mlops_store_fsck found. An output: set version (MLOPS_FSCK_REPORT_INIT
 * or mlops_fsck_report_init); release `issues` with mlops_free. */
typedef struct mlops_fsck_report {
    unsigned version;          /* MLOPS_FSCK_REPORT_VERSION */
    uint64_t objects;          /* objects the store records */
    uint64_t checked;          /* of those, how many were re-hashed */
    uint64_t bytes_checked;    /* decoded bytes re-hashed */
    uint64_t corrupt;          /* objects that failed verification, and
                                  blobs whose chunk list does not give
                                  their digest */
    uint64_t missing;          /* objects whose file is gone */
    uint64_t quarantined;      /* corrupt files moved to quarantine/ */
    uint64_t orphans;          /* object files the store does not record
                                  (left by an interrupted put; gc removes
                                  them): counted on full checks only, not an
                                  error */
    mlops_fsck_issue *issues;  /* the corrupt and missing objects, by
                                  digest; malloc'd (NULL when none) */
    size_t nissues;
} mlops_fsck_report;

#define MLOPS_FSCK_REPORT_INIT { MLOPS_FSCK_REPORT_VERSION, 0, 0, 0, 0, 0, 0, 0, NULL, 0 }

/* Initialises report for the given version. Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_fsck_report_init(mlops_fsck_report *report, unsigned version);

/* Re-hashes every object of the store (or a random fraction, opts->sample)
 * and reports corrupt and missing objects by digest. A corrupt object file
 * is moved to <store>/quarantine/, never deleted; the content that uses it
 * then reads as MLOPS_ECORRUPT ("missing") until the same bytes are put
 * again, which heals the store. An object that cannot be decoded at all
 * (say an unknown format version in its header) is corrupt like any
 * other: reported, quarantined, and the check goes on. Then each blob (the
 * same fraction) is checked against the manifest object it names and its
 * chunks, read in order, against its digest: a blob whose rows give other
 * bytes is reported as corrupt under its own digest (nothing is
 * quarantined for it: the damage is in the database, its objects may be
 * sound). Runs on the store's worker threads; other
 * threads and processes may read and write meanwhile. opts NULL means
 * defaults. report->issues is malloc'd: release it with mlops_free.
 * Returns MLOPS_OK when every checked object is sound, MLOPS_ECORRUPT when
 * any is corrupt or missing (the report says which). Other errors:
 * MLOPS_EINVAL (NULL s or report, bad options or versions),
 * MLOPS_EREADONLY (quarantine on a read-only handle), MLOPS_EIO, MLOPS_ENOMEM,
 * MLOPS_EBUSY. */
MLOPS_API int mlops_store_fsck(mlops_store *s, const mlops_fsck_opts *opts,
                               mlops_fsck_report *report);

/* ---- Garbage collection -------------------------------------------------- */

#define MLOPS_GC_OPTS_VERSION 1

/* Options for mlops_store_gc. Initialise with MLOPS_GC_OPTS_INIT or
 * mlops_gc_opts_init(). */
typedef struct mlops_gc_opts {
    unsigned version;  /* MLOPS_GC_OPTS_VERSION */
    int64_t grace_ms;  /* nothing committed, put again or referenced within
                          this long before the gc starts is deleted
                          (default 3600000: one hour; >= 0) */
    int dry_run;       /* 1: report what would be freed, delete nothing */
} mlops_gc_opts;

#define MLOPS_GC_OPTS_INIT { MLOPS_GC_OPTS_VERSION, 3600000, 0 }

/* Fills opts with the defaults of the given version. Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_gc_opts_init(mlops_gc_opts *opts, unsigned version);

#define MLOPS_GC_REPORT_VERSION 1

/* What mlops_store_gc deleted (or, in a dry run, would delete). An output:
 * set version (MLOPS_GC_REPORT_INIT or mlops_gc_report_init). */
typedef struct mlops_gc_report {
    unsigned version;          /* MLOPS_GC_REPORT_VERSION */
    uint64_t contents;         /* blobs and trees deleted */
    uint64_t objects;          /* object files deleted (chunks, manifests...) */
    uint64_t bytes;            /* bytes of those files */
    uint64_t orphans;          /* unrecorded object files (from interrupted
                                  puts) older than the grace period, removed */
    uint64_t kept_contents;    /* blobs and trees kept */
    uint64_t kept_objects;     /* object files kept */
} mlops_gc_report;

#define MLOPS_GC_REPORT_INIT { MLOPS_GC_REPORT_VERSION, 0, 0, 0, 0, 0, 0 }

/* Initialises report for the given version. Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_gc_report_init(mlops_gc_report *report, unsigned version);

/* Deletes the blobs, trees and objects that no root reaches: the roots are
 * named references (mlops_ref_set) and what other parts of the store
 * record (run outputs, model versions). A chunk still used by a kept blob
 * is never deleted, and neither is anything committed, put again or
 * newly referenced within the grace period (measured from times recorded
 * in the database, not file times), so content another thread or process
 * is putting right now is safe. Writers are never blocked for long: gc
 * marks inside a read snapshot and deletes in small transactions. A dry
 * run only reports. opts NULL means defaults; report may be NULL.
 * Errors: MLOPS_EINVAL (NULL s, bad options or versions), MLOPS_EREADONLY
 * (not a dry run on a read-only handle), MLOPS_EBUSY, MLOPS_EIO,
 * MLOPS_ENOMEM. */
MLOPS_API int mlops_store_gc(mlops_store *s, const mlops_gc_opts *opts, mlops_gc_report *report);

MLOPS_END_DECLS

#endif /* MLOPS_STORE_H */
