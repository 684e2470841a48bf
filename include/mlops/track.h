/*
 * libmlops — experiment records: experiments, runs, params, tags, metrics,
 * lineage and search. A guide is in doc/track.md, the search language in
 * doc/search.md.
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

typedef struct mlops_experiment mlops_experiment;   /* one experiment, a snapshot */
typedef struct mlops_experiments mlops_experiments; /* a list of experiments */

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
 * MLOPS_EIO, MLOPS_ENOMEM.
 * Deprecated since 1.1: use mlops_experiment_list_ex. */
MLOPS_API int mlops_experiment_list(mlops_store *s, int lifecycle, mlops_experiment ***out,
                                    size_t *count);

/* Releases an array returned by mlops_experiment_list and every handle in
 * it. NULL is a no-op.
 * Deprecated since 1.1: use mlops_experiment_list_ex and
 * mlops_experiments_free. */
MLOPS_API void mlops_experiment_list_free(mlops_experiment **list, size_t count);

/* Snapshots of the experiments in the given lifecycle (MLOPS_LIFECYCLE_*),
 * with their tags, in id order, read in one transaction into a new list
 * *out (empty when there are none), released with mlops_experiments_free.
 * Thread-safe on a shared store; the list is the caller's.
 * Errors: MLOPS_EINVAL (NULL s or out, unknown lifecycle), MLOPS_EBUSY,
 * MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_experiment_list_ex(mlops_store *s, int lifecycle, mlops_experiments **out);
/* The number of experiments in a list (0 for NULL). */
MLOPS_API size_t mlops_experiments_count(const mlops_experiments *l);
/* The i-th experiment, owned by the list (NULL when i is out of range);
 * not to be passed to mlops_experiment_free. */
MLOPS_API const mlops_experiment *mlops_experiments_at(const mlops_experiments *l, size_t i);
/* Releases a list and every snapshot in it. NULL is a no-op. */
MLOPS_API void mlops_experiments_free(mlops_experiments *l);

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
 * NULL). Returns NULL when there are none.
 * Deprecated since 1.1: use mlops_experiment_tag_count and
 * mlops_experiment_tag_at. */
MLOPS_API const mlops_kv *mlops_experiment_tags(const mlops_experiment *e, size_t *count);
/* Tags of the snapshot, sorted by key (byte order): their number (0 for
 * NULL), the i-th (key and value set when the pointers are not NULL;
 * MLOPS_EINVAL when e is NULL or i is out of range), and the value of one
 * key (NULL when absent). Strings live as long as the snapshot. */
MLOPS_API size_t mlops_experiment_tag_count(const mlops_experiment *e);
MLOPS_API int mlops_experiment_tag_at(const mlops_experiment *e, size_t i, const char **key,
                                      const char **value);
MLOPS_API const char *mlops_experiment_tag(const mlops_experiment *e, const char *key);

/* Renames an experiment (deleted ones too).
 * Errors: MLOPS_EINVAL (NULL or bad name), MLOPS_ENOTFOUND (no such id),
 * MLOPS_EEXIST (another experiment has that name), MLOPS_EREADONLY,
 * MLOPS_EBUSY, MLOPS_EIO. Renaming to the current name is MLOPS_OK. */
MLOPS_API int mlops_experiment_rename(mlops_store *s, int64_t id, const char *name);

/* Sets (creates or replaces) a tag. key: 1..MLOPS_KEY_MAX bytes, no
 * control characters; value: 0..MLOPS_TAG_VALUE_MAX bytes of UTF-8.
 * Errors: MLOPS_EINVAL (NULL or bad key/value), MLOPS_ENOTFOUND (no such
 * experiment), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO.
 * Deprecated since 1.1: use mlops_experiment_tag_set. */
MLOPS_API int mlops_experiment_set_tag(mlops_store *s, int64_t id, const char *key,
                                       const char *value);

/* Deletes a tag. Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no such experiment
 * or no such tag), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO.
 * Deprecated since 1.1: use mlops_experiment_tag_delete. */
MLOPS_API int mlops_experiment_delete_tag(mlops_store *s, int64_t id, const char *key);

/* Sets (creates or replaces) tag `key` of experiment id (deleted ones
 * too) to value, in one transaction that also sets its update time.
 * key: 1..MLOPS_KEY_MAX bytes of UTF-8, no control characters; value:
 * 0..MLOPS_TAG_VALUE_MAX bytes of UTF-8. Both are copied.
 * Errors: MLOPS_EINVAL (NULL or bad argument), MLOPS_ENOTFOUND (no such
 * experiment), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_experiment_tag_set(mlops_store *s, int64_t id, const char *key,
                                       const char *value);

/* Removes tag `key` of experiment id.
 * Errors: MLOPS_EINVAL (NULL or bad argument), MLOPS_ENOTFOUND (no such
 * experiment, or it has no such tag), MLOPS_EREADONLY, MLOPS_EBUSY,
 * MLOPS_EIO. */
MLOPS_API int mlops_experiment_tag_delete(mlops_store *s, int64_t id, const char *key);

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
 * deleted), MLOPS_ENOTFOUND, MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO.
 * Deprecated since 1.1: use mlops_run_tag_set. */
MLOPS_API int mlops_run_set_tag(mlops_run *r, const char *key, const char *value);

/* Deletes a run tag. Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no such tag),
 * MLOPS_ECONFLICT (the run is deleted), MLOPS_EREADONLY, MLOPS_EBUSY,
 * MLOPS_EIO.
 * Deprecated since 1.1: use mlops_run_tag_delete. */
MLOPS_API int mlops_run_delete_tag(mlops_run *r, const char *key);

/* Sets (creates or replaces) tag `key` of the run to value, ended runs
 * too. key: 1..MLOPS_KEY_MAX bytes of UTF-8, no control characters;
 * value: 0..MLOPS_TAG_VALUE_MAX bytes of UTF-8. Both are copied. r may be
 * used by several threads at once.
 * Errors: MLOPS_EINVAL (NULL or bad argument), MLOPS_ECONFLICT (the run is
 * deleted), MLOPS_ENOTFOUND (the run vanished), MLOPS_EREADONLY,
 * MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_run_tag_set(mlops_run *r, const char *key, const char *value);

/* Removes tag `key` of the run.
 * Errors: MLOPS_EINVAL (NULL or bad argument), MLOPS_ENOTFOUND (no such
 * tag, or the run vanished), MLOPS_ECONFLICT (the run is deleted),
 * MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_run_tag_delete(mlops_run *r, const char *key);

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

/* ---- Params --------------------------------------------------------------
 * A param is a string key -> string value that never changes once logged:
 * logging the same value again is MLOPS_OK, a different value is
 * MLOPS_ECONFLICT. Params can be logged only while the run is RUNNING. */

/* Logs one param. key: 1..MLOPS_KEY_MAX bytes, no control characters;
 * value: 0..MLOPS_PARAM_VALUE_MAX bytes of UTF-8.
 * Errors: MLOPS_EINVAL (NULL or bad key/value), MLOPS_ECONFLICT (the key
 * has another value; or the run has ended or is deleted), MLOPS_ENOTFOUND
 * (the run vanished), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_run_log_param(mlops_run *r, const char *key, const char *value);

/* Logs n params in one transaction: all or none. A key repeated in the
 * array with different values is MLOPS_ECONFLICT. Errors: as
 * mlops_run_log_param; n == 0 is MLOPS_OK (params may then be NULL). */
MLOPS_API int mlops_run_log_params(mlops_run *r, const mlops_kv *params, size_t n);

/* ---- Metrics -------------------------------------------------------------
 * A metric point is (key, value, step, time). Values are stored bit for bit:
 * NaN (with its payload), +Inf, -Inf and -0.0 come back exactly. Steps and
 * times are any int64 (times: ms since the epoch, as the caller gives them).
 * Logging a point identical to a stored one (same key, step, time and value
 * bits) is MLOPS_OK and stores nothing; the same step with another value or
 * time is a new point. Metrics can be logged only while the run is RUNNING.
 *
 * Per key the run keeps a summary, updated in the same transaction: the
 * last point (greatest step, then greatest time; among equals the one
 * logged last), min and max (over non-NaN values) and the count. */

/* Frozen: one point to log. */
typedef struct mlops_metric {
    const char *key;
    double value;
    int64_t step;
    int64_t ts_ms;
} mlops_metric;

/* Logs one point; returns once it is committed.
 * Errors: MLOPS_EINVAL (NULL r, bad key), MLOPS_ECONFLICT (the run has
 * ended or is deleted), MLOPS_ENOTFOUND (the run vanished),
 * MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_run_log_metric(mlops_run *r, const char *key, double value, int64_t step,
                                   int64_t ts_ms);

/* Logs n points (any keys, any order) in one transaction: all or none.
 * Every key is checked before anything is written. n == 0 is MLOPS_OK
 * (m may then be NULL). Errors: as mlops_run_log_metric. */
MLOPS_API int mlops_run_log_metrics(mlops_run *r, const mlops_metric *m, size_t n);

/* Frozen: one point of a metric's history. */
typedef struct mlops_metric_point {
    double value;
    int64_t step;
    int64_t ts_ms;
} mlops_metric_point;

/* Frozen: the summary of one metric of a run. */
typedef struct mlops_metric_summary {
    const char *key;
    double last;        /* value of the last point, exact bits */
    int64_t last_step;
    int64_t last_ts_ms;
    double min;         /* least and greatest non-NaN value; */
    double max;         /* NaN when every value is NaN       */
    int64_t count;      /* number of points */
} mlops_metric_summary;

#define MLOPS_HISTORY_OPTS_VERSION 1

/* Options for mlops_metric_history. Initialise with MLOPS_HISTORY_OPTS_INIT
 * or mlops_history_opts_init(), then set fields. */
typedef struct mlops_history_opts {
    unsigned version; /* MLOPS_HISTORY_OPTS_VERSION */
    int64_t step_min; /* only points with step_min <= step <= step_max */
    int64_t step_max; /* (defaults: INT64_MIN, INT64_MAX) */
    size_t buckets;   /* 0: every point (default). N > 0: split the steps of
                         the selected points into N buckets of equal width
                         and keep, per bucket, the point with the least and
                         the one with the greatest value (one point if they
                         are the same; NaN values are skipped, and a bucket
                         of NaN only keeps its first point): at most 2N
                         points, in step order. */
} mlops_history_opts;

#define MLOPS_HISTORY_OPTS_INIT { MLOPS_HISTORY_OPTS_VERSION, INT64_MIN, INT64_MAX, 0 }

/* Fills opts with the defaults of the given options version (use
 * MLOPS_HISTORY_OPTS_VERSION). Errors: MLOPS_EINVAL when opts is NULL or the
 * version is unknown. */
MLOPS_API int mlops_history_opts_init(mlops_history_opts *opts, unsigned version);

/* The points of metric key of run run_id in order of (step, time, value
 * bits), selected as opts says (NULL: every point). *points is an array of
 * *count points to release with mlops_free (NULL when there are none, e.g.
 * an empty step range).
 * Errors: MLOPS_EINVAL (NULL argument, malformed id or key, unknown options
 * version, step_min > step_max), MLOPS_ENOTFOUND (no such run, or the run
 * has no metric with that key), MLOPS_ECORRUPT (stored points are
 * malformed), MLOPS_EBUSY, MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_metric_history(mlops_store *s, const char *run_id, const char *key,
                                   const mlops_history_opts *opts, mlops_metric_point **points,
                                   size_t *count);

/* ---- Run snapshots -------------------------------------------------------
 * A mlops_run_info is a run as it was when read: attributes, params, tags,
 * metric summaries and lineage, all from one consistent snapshot. */

typedef struct mlops_run_info mlops_run_info;   /* one run, a snapshot */
typedef struct mlops_run_infos mlops_run_infos; /* a list of run snapshots */

/* A snapshot of the run run_id (deleted runs too); release it with
 * mlops_run_info_free.
 * Errors: MLOPS_EINVAL (NULL argument, malformed id), MLOPS_ENOTFOUND,
 * MLOPS_EBUSY, MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_run_get(mlops_store *s, const char *run_id, mlops_run_info **out);

/* Snapshots of the runs of one experiment in the given lifecycle
 * (MLOPS_LIFECYCLE_*), newest start first. *out is an array of *count
 * snapshots (NULL when none); release it with mlops_run_info_list_free.
 * For large experiments prefer mlops_run_search, which pages.
 * Errors: MLOPS_EINVAL (NULL argument, unknown lifecycle), MLOPS_ENOTFOUND
 * (no such experiment), MLOPS_EBUSY, MLOPS_EIO, MLOPS_ENOMEM.
 * Deprecated since 1.1: use mlops_run_list_ex. */
MLOPS_API int mlops_run_list(mlops_store *s, int64_t experiment_id, int lifecycle,
                             mlops_run_info ***out, size_t *count);

/* Releases an array of snapshots and each of them. NULL is a no-op.
 * Deprecated since 1.1: use mlops_run_list_ex or mlops_run_search_ex, and
 * mlops_run_infos_free. */
MLOPS_API void mlops_run_info_list_free(mlops_run_info **list, size_t count);

/* Snapshots of the runs of one experiment in the given lifecycle
 * (MLOPS_LIFECYCLE_*), newest start first, read in one transaction into a
 * new list *out (empty when there are none), released with
 * mlops_run_infos_free. For large experiments prefer mlops_run_search_ex,
 * which pages.
 * Errors: MLOPS_EINVAL (NULL s or out, unknown lifecycle), MLOPS_ENOTFOUND
 * (no such experiment), MLOPS_EBUSY, MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_run_list_ex(mlops_store *s, int64_t experiment_id, int lifecycle,
                                mlops_run_infos **out);
/* The number of runs in a list (0 for NULL). */
MLOPS_API size_t mlops_run_infos_count(const mlops_run_infos *l);
/* The i-th run, owned by the list (NULL when i is out of range); not to be
 * passed to mlops_run_info_free. */
MLOPS_API const mlops_run_info *mlops_run_infos_at(const mlops_run_infos *l, size_t i);
/* Releases a list and every snapshot in it. NULL is a no-op. */
MLOPS_API void mlops_run_infos_free(mlops_run_infos *l);

/* Releases one snapshot. NULL is a no-op. */
MLOPS_API void mlops_run_info_free(mlops_run_info *ri);

/* Getters. Strings and arrays live as long as the snapshot. With a NULL
 * snapshot they return NULL, 0, or -1 for the status. */
MLOPS_API const char *mlops_run_info_id(const mlops_run_info *ri);
MLOPS_API int64_t mlops_run_info_experiment_id(const mlops_run_info *ri);
MLOPS_API const char *mlops_run_info_name(const mlops_run_info *ri);      /* NULL: none */
MLOPS_API const char *mlops_run_info_parent_id(const mlops_run_info *ri); /* NULL: top level */
MLOPS_API int mlops_run_info_status(const mlops_run_info *ri);            /* MLOPS_RUN_* */
MLOPS_API int64_t mlops_run_info_start_ms(const mlops_run_info *ri);
MLOPS_API int64_t mlops_run_info_end_ms(const mlops_run_info *ri);     /* 0 while running */
MLOPS_API int64_t mlops_run_info_deleted_ms(const mlops_run_info *ri); /* 0 unless deleted */
/* Params, tags and metric summaries sorted by key (byte order); *count
 * receives their number (count may be NULL). NULL when there are none.
 * Deprecated since 1.1: use mlops_run_info_param_count / _param_at,
 * mlops_run_info_tag_count / _tag_at and mlops_run_info_metric_count /
 * _metric_at. */
MLOPS_API const mlops_kv *mlops_run_info_params(const mlops_run_info *ri, size_t *count);
MLOPS_API const mlops_kv *mlops_run_info_tags(const mlops_run_info *ri, size_t *count);
MLOPS_API const mlops_metric_summary *mlops_run_info_metrics(const mlops_run_info *ri,
                                                             size_t *count);
/* Params, tags and metric summaries of the snapshot, each sorted by key
 * (byte order): their number (0 for NULL), and the i-th: key and value set
 * when the pointers are not NULL; *summary points into the snapshot.
 * MLOPS_EINVAL when ri is NULL or i is out of range. Strings and summaries
 * live as long as the snapshot. */
MLOPS_API size_t mlops_run_info_param_count(const mlops_run_info *ri);
MLOPS_API int mlops_run_info_param_at(const mlops_run_info *ri, size_t i, const char **key,
                                      const char **value);
MLOPS_API size_t mlops_run_info_tag_count(const mlops_run_info *ri);
MLOPS_API int mlops_run_info_tag_at(const mlops_run_info *ri, size_t i, const char **key,
                                    const char **value);
MLOPS_API size_t mlops_run_info_metric_count(const mlops_run_info *ri);
MLOPS_API int mlops_run_info_metric_at(const mlops_run_info *ri, size_t i,
                                       const mlops_metric_summary **summary);
/* One param's or tag's value, or one metric's summary, by key; NULL when
 * the run has none with that key. */
MLOPS_API const char *mlops_run_info_param(const mlops_run_info *ri, const char *key);
MLOPS_API const char *mlops_run_info_tag(const mlops_run_info *ri, const char *key);
MLOPS_API const mlops_metric_summary *mlops_run_info_metric(const mlops_run_info *ri,
                                                            const char *key);

/* ---- Lineage ---------------------------------------------------------------
 * A run records the content it read (inputs: datasets, base models...) and
 * wrote (outputs: models, reports...) by digest, each with a name and a
 * role. The content must be in the store. Outputs are garbage-collection
 * roots: content a run produced is kept while the run's record exists
 * (deleted runs included: they can be restored). Edges never change:
 * recording the same edge again is MLOPS_OK. */

#define MLOPS_LINEAGE_INPUT  0
#define MLOPS_LINEAGE_OUTPUT 1
#define MLOPS_LINEAGE_NAME_MAX 500 /* bytes */
#define MLOPS_LINEAGE_ROLE_MAX 64  /* bytes */

/* Frozen: one edge between a run and a digest. Strings live as long as
 * what returned the edge. */
typedef struct mlops_lineage_edge {
    const char *run_id;
    int direction;       /* MLOPS_LINEAGE_INPUT or MLOPS_LINEAGE_OUTPUT */
    mlops_digest digest;
    const char *name;    /* e.g. "train.csv", "model" */
    const char *role;    /* e.g. "dataset", "model" */
    int64_t created_ms;
} mlops_lineage_edge;

/* Records that the run read (input) or wrote (output) the content digest,
 * under name (1..MLOPS_LINEAGE_NAME_MAX bytes) with role
 * (1..MLOPS_LINEAGE_ROLE_MAX bytes); both UTF-8 without control
 * characters. An edge is identified by (run, direction, digest, name):
 * recording it again with the same role is MLOPS_OK, with another role
 * MLOPS_ECONFLICT. Only while the run is RUNNING.
 * Errors: MLOPS_EINVAL (NULL or bad argument), MLOPS_ENOTFOUND (the digest
 * is not in the store; or the run vanished), MLOPS_ECONFLICT (another
 * role; or the run has ended or is deleted), MLOPS_EREADONLY, MLOPS_EBUSY,
 * MLOPS_EIO. */
MLOPS_API int mlops_run_log_input(mlops_run *r, const mlops_digest *digest, const char *name,
                                  const char *role);
MLOPS_API int mlops_run_log_output(mlops_run *r, const mlops_digest *digest, const char *name,
                                   const char *role);

/* The inputs and outputs of run run_id: inputs first, each side by name.
 * *edges is an array of *count edges in one allocation (strings included)
 * to release with mlops_free; NULL when there are none.
 * Errors: MLOPS_EINVAL (NULL argument, malformed id), MLOPS_ENOTFOUND (no
 * such run), MLOPS_EBUSY, MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_lineage_for_run(mlops_store *s, const char *run_id,
                                    mlops_lineage_edge **edges, size_t *count);

/* The runs that read or wrote digest (deleted runs included), oldest edge
 * first: each edge names its run and direction. Released as above; a
 * digest no run used gives none (MLOPS_OK).
 * Errors: MLOPS_EINVAL (NULL argument), MLOPS_EBUSY, MLOPS_EIO,
 * MLOPS_ENOMEM. */
MLOPS_API int mlops_lineage_for_digest(mlops_store *s, const mlops_digest *digest,
                                       mlops_lineage_edge **edges, size_t *count);

/* The lineage edges of a run snapshot (inputs first, each side by name);
 * *count receives their number (count may be NULL). NULL when none. */
MLOPS_API const mlops_lineage_edge *mlops_run_info_lineage(const mlops_run_info *ri,
                                                           size_t *count);

/* ---- Search ----------------------------------------------------------------
 * mlops_run_search selects runs with a filter and sorts them; the language
 * is written down in doc/search.md. In short:
 *
 *   metrics.acc > 0.9 AND (params.lr = '0.01' OR params.lr = '0.02')
 *     AND tags.team LIKE 'vision%' AND attributes.status = 'FINISHED'
 *     AND metrics.loss.min < 0.1
 *
 * Fields: metrics.<key> (the last value) and metrics.<key>.min / .max /
 * .count / .last; params.<key>; tags.<key>; attributes (run_id, run_name,
 * status, start_time, end_time, experiment_id, parent_run_id). Keys with
 * other characters are quoted: metrics.`top-1 acc`. Operators: = != < <=
 * > >=, [NOT] LIKE, [NOT] ILIKE, [NOT] IN (...), IS [NOT] NULL; AND, OR, NOT
 * and parentheses. Strings are 'single-quoted' ('' for a quote). A param or
 * tag compared with a number is compared numerically (values that are not
 * numbers never match).
 *
 * order_by: "field [ASC|DESC], ..." (at most 8 fields); runs missing a
 * value (or whose last metric value is NaN) come last in either direction.
 * Default: "attributes.start_time DESC". Ties are broken by creation order,
 * newest first, so the order is total.
 *
 * Paging is by position, not offset: a page token records the sort values
 * of the last run returned, and the next page starts strictly after them.
 * Runs inserted or logged by other processes meanwhile never make a page
 * repeat or skip a run that was already there. */

#define MLOPS_SEARCH_OPTS_VERSION 1
#define MLOPS_SEARCH_MAX_RESULTS 50000

/* Options for mlops_run_search. Initialise with MLOPS_SEARCH_OPTS_INIT or
 * mlops_search_opts_init(), then set fields. Strings are read during the
 * call only. */
typedef struct mlops_search_opts {
    unsigned version;               /* MLOPS_SEARCH_OPTS_VERSION */
    const int64_t *experiment_ids;  /* only these experiments (at most
                                       1,000); NULL: every experiment */
    size_t experiment_count;
    const char *filter;             /* NULL or blank: every run */
    const char *order_by;           /* NULL or blank: the default order */
    size_t max_results;             /* page size, 1..MLOPS_SEARCH_MAX_RESULTS;
                                       0: 1,000 (default 1,000) */
    const char *page_token;         /* NULL: the first page; else the token
                                       the previous page returned */
    int lifecycle;                  /* MLOPS_LIFECYCLE_* (default ACTIVE) */
} mlops_search_opts;

#define MLOPS_SEARCH_OPTS_INIT \
    { MLOPS_SEARCH_OPTS_VERSION, NULL, 0, NULL, NULL, 1000, NULL, MLOPS_LIFECYCLE_ACTIVE }

/* Fills opts with the defaults of the given options version (use
 * MLOPS_SEARCH_OPTS_VERSION). Errors: MLOPS_EINVAL when opts is NULL or the
 * version is unknown. */
MLOPS_API int mlops_search_opts_init(mlops_search_opts *opts, unsigned version);

/* Searches runs (opts NULL: every active run, default order, 1,000 at
 * most). *out receives an array of *count snapshots with everything in
 * them (NULL when none), to release with mlops_run_info_list_free. When
 * more runs follow, *next_page_token receives a token (release it with
 * mlops_free) to pass as opts->page_token with the same filter, order,
 * experiments and lifecycle; otherwise NULL. next_page_token may be NULL.
 * The page is read from one consistent snapshot.
 * Errors: MLOPS_EINVAL (NULL s/out/count; bad options; a filter or order
 * that does not parse: the message gives the position and what was
 * expected; a malformed page token or one from another query),
 * MLOPS_EBUSY, MLOPS_EIO, MLOPS_ENOMEM. A search never writes.
 * Deprecated since 1.1: use mlops_run_search_ex. */
MLOPS_API int mlops_run_search(mlops_store *s, const mlops_search_opts *opts,
                               mlops_run_info ***out, size_t *count, char **next_page_token);

/* As mlops_run_search, with the page in a new list *out (empty when no
 * run matches), released with mlops_run_infos_free. *next_page_token
 * (next_page_token may be NULL) receives the token of the next page, to
 * release with mlops_free, or NULL on the last page.
 * Errors: as mlops_run_search (MLOPS_EINVAL for NULL s or out). */
MLOPS_API int mlops_run_search_ex(mlops_store *s, const mlops_search_opts *opts,
                                  mlops_run_infos **out, char **next_page_token);

/* ---- Run comparison page ---------------------------------------------------
 * Runs side by side as one self-contained HTML page (doc/pages.md): inline
 * CSS and SVG, no script, nothing fetched, readable printed. The page
 * shows each run's name, status, start and duration; one chart per metric
 * with every run's curve on shared axes and, beside it, a table of the
 * same numbers; a table of final, min and max values; and the params side
 * by side with the rows that differ marked. Long histories are downsampled
 * with Largest-Triangle-Three-Buckets, and each chart says so. Colours are
 * a colour-blind-safe palette paired with dash patterns. */

#define MLOPS_RUN_COMPARE_X_STEP 0 /* x axis: the step */
#define MLOPS_RUN_COMPARE_X_TIME 1 /* x axis: time since the run started */

/* Most points drawn per curve (mlops_run_compare_opts.max_points). */
#define MLOPS_RUN_COMPARE_POINTS_MAX 100000

#define MLOPS_RUN_COMPARE_OPTS_VERSION 1

/* Options for mlops_run_compare_html. Initialise with
 * MLOPS_RUN_COMPARE_OPTS_INIT or mlops_run_compare_opts_init(). Strings
 * are UTF-8, read during the call only. */
typedef struct mlops_run_compare_opts {
    unsigned version;     /* MLOPS_RUN_COMPARE_OPTS_VERSION */
    const char *title;    /* NULL: "Run comparison" */
    size_t max_points;    /* points drawn per curve at most, 3..
                             MLOPS_RUN_COMPARE_POINTS_MAX; 0: 1,000 */
    int x_axis;           /* MLOPS_RUN_COMPARE_X_STEP (default) or _X_TIME */
    int64_t generated_ms; /* time shown in the footer; 0: now, -1: none */
} mlops_run_compare_opts;

#define MLOPS_RUN_COMPARE_OPTS_INIT { MLOPS_RUN_COMPARE_OPTS_VERSION, NULL, 0, \
                                      MLOPS_RUN_COMPARE_X_STEP, 0 }

/* Fills opts with the defaults of the given version (use
 * MLOPS_RUN_COMPARE_OPTS_VERSION). Errors: MLOPS_EINVAL when opts is NULL
 * or the version is 0 or unknown. */
MLOPS_API int mlops_run_compare_opts_init(mlops_run_compare_opts *opts, unsigned version);

/* The comparison page of the n (>= 1) runs run_ids (deleted runs too), in
 * that order, read from one consistent snapshot. Every text from the
 * store or the caller is escaped. *html (UTF-8, NUL-terminated) is
 * malloc'd, released with mlops_free. opts NULL means defaults. Memory:
 * one metric history at a time, plus the points drawn.
 * Errors: MLOPS_EINVAL (NULL s or html, NULL run_ids, n == 0, a malformed
 * or repeated id, unknown opts->version, a title that is not UTF-8, an
 * unknown x_axis, max_points out of range), MLOPS_ENOTFOUND (no such run),
 * MLOPS_ECORRUPT (stored points are malformed), MLOPS_EBUSY, MLOPS_EIO,
 * MLOPS_ENOMEM. Threads: as any read; s may be shared. */
MLOPS_API int mlops_run_compare_html(mlops_store *s, const char *const *run_ids, size_t n,
                                     const mlops_run_compare_opts *opts, char **html);

MLOPS_END_DECLS

#endif /* MLOPS_TRACK_H */
