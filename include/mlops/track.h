/*
 * libmlops — experiment records: experiments, runs, params, tags, metrics.
 *
 * An experiment is a named group of runs. A run is one execution of
 * training code: it has an id (32 lowercase hex digits), an optional name
 * and parent run, a status, start and end times, immutable params, mutable
 * tags and metrics (time series of doubles).
 *
 * Handles: mlops_run is a live handle used to log into one run; it may be
 * used by several threads at once, and any number of handles (in this or
 * other processes) may log into the same run. Snapshots (mlops_experiment)
 * are read-only copies taken at one moment; they do not change when the
 * store does.
 *
 * Durability: a call that returned MLOPS_OK is committed (it survives a
 * process kill; with MLOPS_DURABILITY_FULL, a power loss).
 *
 * Keys (params, tags, metrics) are 1..250 bytes of UTF-8 without control
 * characters; any other character is allowed, including '.', '/', '-' and
 * spaces (a metric named "drift.age.psi" is fine). Values are UTF-8.
 * Every call that fails has written nothing.
 */
#ifndef MLOPS_TRACK_H
#define MLOPS_TRACK_H

#include "common.h"
#include "store.h"

MLOPS_BEGIN_DECLS

/* ---- Limits (bytes of UTF-8, without the terminating NUL) ------------- */

#define MLOPS_EXPERIMENT_NAME_MAX 500
#define MLOPS_RUN_NAME_MAX        250
#define MLOPS_KEY_MAX             250  /* param, tag and metric keys */
#define MLOPS_PARAM_VALUE_MAX     8000
#define MLOPS_TAG_VALUE_MAX       8000
#define MLOPS_RUN_ID_LEN          32   /* lowercase hex digits */

/* ---- Lifecycle filters for lists ---------------------------------------- */

#define MLOPS_LIFECYCLE_ACTIVE  0 /* not deleted (the default) */
#define MLOPS_LIFECYCLE_DELETED 1 /* soft-deleted only */
#define MLOPS_LIFECYCLE_ALL     2 /* both */

/* Frozen: a key and its value. Strings live as long as the object that
 * returned the pair. */
typedef struct mlops_kv {
    const char *key;
    const char *value;
} mlops_kv;

/* ---- Experiments -------------------------------------------------------- */

typedef struct mlops_experiment mlops_experiment;

/* Creates an experiment named name (1..MLOPS_EXPERIMENT_NAME_MAX bytes of
 * UTF-8, no control characters) and writes its id (> 0) to *id.
 * Names are unique across all experiments, deleted ones included.
 * Errors: MLOPS_EINVAL (NULL argument, bad name), MLOPS_EEXIST (the name is
 * taken), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_experiment_create(mlops_store *s, const char *name, int64_t *id);

/* A snapshot of the experiment with this id (deleted ones too), with its
 * tags. Release it with mlops_experiment_free.
 * Errors: MLOPS_EINVAL (NULL argument), MLOPS_ENOTFOUND (no such id),
 * MLOPS_EBUSY, MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_experiment_get(mlops_store *s, int64_t id, mlops_experiment **out);

/* As mlops_experiment_get, by exact name.
 * Errors: as mlops_experiment_get; MLOPS_EINVAL for a malformed name. */
MLOPS_API int mlops_experiment_get_by_name(mlops_store *s, const char *name,
                                           mlops_experiment **out);

/* Snapshots of the experiments in the given lifecycle
 * (MLOPS_LIFECYCLE_*), in id order. *out is an array of *count handles
 * (NULL when there are none); release it with mlops_experiment_list_free.
 * Errors: MLOPS_EINVAL (NULL argument, unknown lifecycle), MLOPS_EBUSY,
 * MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_experiment_list(mlops_store *s, int lifecycle, mlops_experiment ***out,
                                    size_t *count);

/* Releases an array returned by mlops_experiment_list and every handle in
 * it. NULL is a no-op. */
MLOPS_API void mlops_experiment_list_free(mlops_experiment **list, size_t count);

/* Releases a snapshot. NULL is a no-op. */
MLOPS_API void mlops_experiment_free(mlops_experiment *e);

/* Getters of a snapshot. Strings live as long as the snapshot. With a NULL
 * snapshot they return 0 or NULL. */
MLOPS_API int64_t mlops_experiment_id(const mlops_experiment *e);
MLOPS_API const char *mlops_experiment_name(const mlops_experiment *e);
MLOPS_API int64_t mlops_experiment_created_ms(const mlops_experiment *e);
/* Time of the last rename, tag change, delete or restore. */
MLOPS_API int64_t mlops_experiment_updated_ms(const mlops_experiment *e);
/* When it was soft-deleted; 0 when it is active. */
MLOPS_API int64_t mlops_experiment_deleted_ms(const mlops_experiment *e);
/* The tags, sorted by key; *count receives their number (count may be
 * NULL). Returns NULL when there are none. */
MLOPS_API const mlops_kv *mlops_experiment_tags(const mlops_experiment *e, size_t *count);

/* Renames an experiment (deleted ones too).
 * Errors: MLOPS_EINVAL (NULL or bad name), MLOPS_ENOTFOUND (no such id),
 * MLOPS_EEXIST (another experiment has that name), MLOPS_EREADONLY,
 * MLOPS_EBUSY, MLOPS_EIO. Renaming to the current name is MLOPS_OK. */
MLOPS_API int mlops_experiment_rename(mlops_store *s, int64_t id, const char *name);

/* Sets (creates or replaces) a tag. key: 1..MLOPS_KEY_MAX bytes, no
 * control characters; value: 0..MLOPS_TAG_VALUE_MAX bytes of UTF-8.
 * Errors: MLOPS_EINVAL (NULL or bad key/value), MLOPS_ENOTFOUND (no such
 * experiment), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_experiment_set_tag(mlops_store *s, int64_t id, const char *key,
                                       const char *value);

/* Deletes a tag. Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no such experiment
 * or no such tag), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_experiment_delete_tag(mlops_store *s, int64_t id, const char *key);

/* Soft-deletes an experiment: it keeps its name, runs and data, leaves the
 * default (active) lists and accepts no new runs until restored. Deleting
 * a deleted experiment is MLOPS_OK and keeps the first deletion time.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND, MLOPS_EREADONLY, MLOPS_EBUSY,
 * MLOPS_EIO. */
MLOPS_API int mlops_experiment_delete(mlops_store *s, int64_t id);

/* Restores a soft-deleted experiment (MLOPS_OK if it is active).
 * Errors: as mlops_experiment_delete. */
MLOPS_API int mlops_experiment_restore(mlops_store *s, int64_t id);

/* ---- Runs --------------------------------------------------------------- */

/* Run status values. */
#define MLOPS_RUN_RUNNING  0
#define MLOPS_RUN_FINISHED 1
#define MLOPS_RUN_FAILED   2
#define MLOPS_RUN_KILLED   3

/* System tags set by mlops_run_start (ordinary tags: they may be changed). */
#define MLOPS_TAG_USER       "mlops.user"       /* the user who started the run */
#define MLOPS_TAG_HOST       "mlops.host"       /* the machine's host name */
#define MLOPS_TAG_SOURCE     "mlops.source"     /* program or script that ran */
#define MLOPS_TAG_GIT_COMMIT "mlops.git.commit" /* when the caller passes one */

typedef struct mlops_run mlops_run;

#define MLOPS_RUN_START_OPTS_VERSION 1

/* Options for mlops_run_start_ex. Initialise with MLOPS_RUN_START_OPTS_INIT
 * or mlops_run_start_opts_init(), then set fields. Strings are copied. */
typedef struct mlops_run_start_opts {
    unsigned version;          /* MLOPS_RUN_START_OPTS_VERSION */
    const char *name;          /* run name, NULL for none (1..MLOPS_RUN_NAME_MAX) */
    const char *parent_run_id; /* parent run for a nested run, or NULL */
    const char *user;          /* MLOPS_TAG_USER; NULL: the store's actor
                                  (by default the login name) */
    const char *source;        /* MLOPS_TAG_SOURCE; NULL: the running
                                  program's name */
    const char *git_commit;    /* MLOPS_TAG_GIT_COMMIT: 4..64 hex digits, or
                                  NULL for no tag */
    int64_t start_ms;          /* start time; 0: now */
} mlops_run_start_opts;

#define MLOPS_RUN_START_OPTS_INIT { MLOPS_RUN_START_OPTS_VERSION, NULL, NULL, NULL, NULL, NULL, 0 }

/* Fills opts with the defaults of the given options version (use
 * MLOPS_RUN_START_OPTS_VERSION). For bindings that cannot expand macros.
 * Errors: MLOPS_EINVAL when opts is NULL or the version is unknown. */
MLOPS_API int mlops_run_start_opts_init(mlops_run_start_opts *opts, unsigned version);

/* Starts a run in an active experiment: a new id from OpenSSL's random
 * generator, status RUNNING, start time now, system tags (user, host,
 * source). name may be NULL. On success *out is a handle to release with
 * mlops_run_free (which does not end the run).
 * Errors: MLOPS_EINVAL (NULL s or out, bad name), MLOPS_ENOTFOUND (no such
 * experiment), MLOPS_ECONFLICT (the experiment is deleted),
 * MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_run_start(mlops_store *s, int64_t experiment_id, const char *name,
                              mlops_run **out);

/* As mlops_run_start with options (opts NULL: defaults).
 * Errors: as mlops_run_start; MLOPS_EINVAL for bad options (unknown
 * version, malformed parent id, git commit or strings); MLOPS_ENOTFOUND
 * when the parent run does not exist. */
MLOPS_API int mlops_run_start_ex(mlops_store *s, int64_t experiment_id,
                                 const mlops_run_start_opts *opts, mlops_run **out);

/* Opens a handle on an existing run by id (from any process), to keep
 * logging into it. Opening a run that has ended or is deleted succeeds;
 * what may be logged into it is said at each function.
 * Errors: MLOPS_EINVAL (NULL argument, id not 32 lowercase hex digits),
 * MLOPS_ENOTFOUND (no such run), MLOPS_EBUSY, MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_run_open(mlops_store *s, const char *run_id, mlops_run **out);

/* The run's id: 32 lowercase hex digits, living as long as the handle.
 * NULL when r is NULL. */
MLOPS_API const char *mlops_run_id(const mlops_run *r);

/* The id of the run's experiment; 0 when r is NULL. */
MLOPS_API int64_t mlops_run_experiment_id(const mlops_run *r);

/* Ends a RUNNING run with status MLOPS_RUN_FINISHED, MLOPS_RUN_FAILED or
 * MLOPS_RUN_KILLED and records the end time. After that, params, metrics
 * and lineage are refused (MLOPS_ECONFLICT); tags may still be set.
 * Errors: MLOPS_EINVAL (NULL r, other status), MLOPS_ECONFLICT (the run
 * has already ended, or is deleted), MLOPS_ENOTFOUND (the run vanished),
 * MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_run_end(mlops_run *r, int status);

/* Releases the handle. The run itself is untouched: a run whose handle is
 * freed without mlops_run_end stays RUNNING (it can be opened again).
 * NULL is a no-op. */
MLOPS_API void mlops_run_free(mlops_run *r);

/* Sets (creates or replaces) a run tag; allowed on ended runs.
 * key: 1..MLOPS_KEY_MAX bytes, no control characters; value:
 * 0..MLOPS_TAG_VALUE_MAX bytes of UTF-8.
 * Errors: MLOPS_EINVAL (NULL or bad key/value), MLOPS_ECONFLICT (the run is
 * deleted), MLOPS_ENOTFOUND, MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_run_set_tag(mlops_run *r, const char *key, const char *value);

/* Deletes a run tag. Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no such tag),
 * MLOPS_ECONFLICT (the run is deleted), MLOPS_EREADONLY, MLOPS_EBUSY,
 * MLOPS_EIO. */
MLOPS_API int mlops_run_delete_tag(mlops_run *r, const char *key);

/* Soft-deletes a run: it keeps its data but leaves default lists and
 * searches and accepts no more writes until restored. Deleting a deleted
 * run is MLOPS_OK. Errors: MLOPS_EINVAL (NULL or malformed id),
 * MLOPS_ENOTFOUND, MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_run_delete(mlops_store *s, const char *run_id);

/* Restores a soft-deleted run (MLOPS_OK if it is not deleted).
 * Errors: as mlops_run_delete. */
MLOPS_API int mlops_run_restore(mlops_store *s, const char *run_id);

/* The name of a status ("RUNNING", "FINISHED", "FAILED", "KILLED"), or
 * NULL for an unknown value. Static storage. */
MLOPS_API const char *mlops_run_status_name(int status);

MLOPS_END_DECLS

#endif /* MLOPS_TRACK_H */
