/*
 * libmlops — monitors: drift of production data over time (doc/monitoring.md).
 *
 * A monitor compares production data, cut into tumbling time windows, with
 * a reference: one stored profile per column (mlops_profile_put). Batches
 * are ingested in any order, from many processes: each row goes to the
 * window its timestamp falls in, and each window keeps, per column, a
 * mergeable profile built on the reference's frozen edges; a window's
 * profiles are stored together, in a blob by digest (shared with the other
 * windows of the same batch while they fit the store's chunk size). mlops_monitor_check judges the windows whose end plus the
 * allowed lateness has passed, once each, in window order, and runs the
 * alert rule (M of the last N judged windows in breach, a pending count, a
 * keep-firing count); only the alert's changes of state are events.
 *
 * Times are int64 milliseconds since the Unix epoch, UTC. A window is
 * [start, start + window_ms) with start a multiple of window_ms.
 *
 * Threads: every function taking a store may be called from several
 * threads and processes at once (writes take the store's write lock).
 * A mlops_monitor or mlops_monitors handle is a snapshot: it does not
 * change when the store does, and several threads may read it.
 */
#ifndef MLOPS_MONITOR_H
#define MLOPS_MONITOR_H

#include "common.h"
#include "store.h"
#include "drift.h"

MLOPS_BEGIN_DECLS

/* Limits, in bytes without the NUL or in items. */
#define MLOPS_MONITOR_NAME_MAX    255   /* monitor and column names */
#define MLOPS_MONITOR_COLUMNS_MAX 1024  /* columns of a monitor */
#define MLOPS_MONITOR_HISTORY_MAX 64    /* alert_n at most */
#define MLOPS_MONITOR_WINDOW_MIN_MS 60000LL         /* one minute */
#define MLOPS_MONITOR_WINDOW_MAX_MS 2678400000LL    /* 31 days */
#define MLOPS_MONITOR_LATENESS_MAX_MS 31622400000LL /* 366 days */

/* Window kinds (mlops_monitor_spec.window_kind). */
#define MLOPS_MONITOR_WINDOW_TIME 1 /* tumbling time windows of window_ms */
#define MLOPS_MONITOR_WINDOW_ROWS 2 /* windows of mlops_monitor_ext.window_rows rows in
                                       arrival order (mlops_monitor_create_ex only) */
#define MLOPS_MONITOR_WINDOW_ROWS_MAX 100000000ULL /* rows of one row window at most */

/* One column of a monitor. method is one of MLOPS_DRIFT_METHOD_AUTO (KS for
 * a numeric reference, chi-square for a categorical one), _KS (numeric
 * only), _CHISQ, _PSI, _JENSEN_SHANNON, _KL, _HELLINGER, computed from the
 * profiles as mlops_profile_compare does. threshold: NaN for the method's
 * default (KS and chi-square: the monitor's alpha; the distances: 0.1).
 * KS drifts when the sketch verdict is DRIFT (an inconclusive verdict is
 * no drift), chi-square when p < threshold, a distance when >= threshold.
 * A threshold is positive, and below 1 for KS and chi-square (a p-value). */
typedef struct mlops_monitor_column {
    const char *name;       /* 1..MLOPS_MONITOR_NAME_MAX bytes of UTF-8 */
    mlops_digest reference; /* a profile stored with mlops_profile_put */
    int method;             /* MLOPS_DRIFT_METHOD_* as above */
    double threshold;       /* NaN: the default */
} mlops_monitor_column;

#define MLOPS_MONITOR_SPEC_VERSION 1

/* What a monitor is. Initialise with MLOPS_MONITOR_SPEC_INIT or
 * mlops_monitor_spec_init(). Strings are UTF-8, read during the call. Its
 * layout never changes: a new field comes in a new struct and function.
 * Defaults: hourly windows, no lateness, min_rows 1, alert 1 of 1, no
 * pending or keep-firing windows, dataset drift as the breach, drift_share
 * 0.5, alpha 0.05. */
typedef struct mlops_monitor_spec {
    unsigned version;            /* MLOPS_MONITOR_SPEC_VERSION */
    size_t n_columns;            /* 1..MLOPS_MONITOR_COLUMNS_MAX */
    const mlops_monitor_column *columns;
    int window_kind;             /* MLOPS_MONITOR_WINDOW_TIME */
    int64_t window_ms;           /* MLOPS_MONITOR_WINDOW_MIN_MS..MAX_MS */
    int64_t lateness_ms;         /* 0..MLOPS_MONITOR_LATENESS_MAX_MS */
    uint64_t min_rows;           /* fewer rows: "not enough data" (>= 1) */
    uint32_t alert_m, alert_n;   /* 1 <= m <= n <= MLOPS_MONITOR_HISTORY_MAX */
    uint32_t pending;            /* windows the rule must hold before firing */
    uint32_t keep_firing;        /* windows it keeps firing after it clears */
    const char *breach_column;   /* NULL: dataset drift; else this column's drift */
    double drift_share;          /* dataset drift when drifted/columns >= this, (0, 1] */
    double alpha;                /* (0, 1) */
    const char *model;           /* NULL, or the model reference it watches
                                    ("name@alias"), kept as given */
} mlops_monitor_spec;

#define MLOPS_MONITOR_SPEC_INIT { MLOPS_MONITOR_SPEC_VERSION, 0u, NULL, MLOPS_MONITOR_WINDOW_TIME, \
                                  3600000LL, 0LL, 1u, 1u, 1u, 0u, 0u, NULL, 0.5, 0.05, NULL }

/* Fills spec with the defaults of the given version. Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_monitor_spec_init(mlops_monitor_spec *spec, unsigned version);

/* Creates monitor `name` (1..MLOPS_MONITOR_NAME_MAX bytes of UTF-8). Every
 * reference profile must be stored and column names unique. Creating a
 * monitor that exists with exactly the same spec succeeds and changes
 * nothing; any difference (its window, lateness, rule, columns...) is
 * MLOPS_ECONFLICT: a monitor's spec never changes under its windows (delete
 * it and create it again). Errors: MLOPS_EINVAL (NULL, bad names or
 * values, naming the field), MLOPS_ENOTFOUND (a reference profile is not
 * stored), MLOPS_EFORMAT (a reference is not a profile), MLOPS_ECONFLICT,
 * MLOPS_EREADONLY, and the store's errors. */
MLOPS_API int mlops_monitor_create(mlops_store *s, const char *name, const mlops_monitor_spec *spec);

/* Deletes monitor `name` with its windows and events (their profile blobs
 * stay until gc). Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND, MLOPS_EREADONLY. */
MLOPS_API int mlops_monitor_delete(mlops_store *s, const char *name);

typedef struct mlops_monitor mlops_monitor;   /* a snapshot of one monitor */
typedef struct mlops_monitors mlops_monitors; /* a list of them */

/* Loads monitor `name`; release it with mlops_monitor_free.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND, MLOPS_ENOMEM. */
MLOPS_API int mlops_monitor_get(mlops_store *s, const char *name, mlops_monitor **out);

/* Releases a snapshot. NULL is a no-op. */
MLOPS_API void mlops_monitor_free(mlops_monitor *m);

/* The monitor's name (borrowed from m), or NULL when m is NULL. */
MLOPS_API const char *mlops_monitor_name(const mlops_monitor *m);

/* Fills spec (whose version the caller sets: MLOPS_MONITOR_SPEC_VERSION)
 * with the monitor's spec; its pointers borrow from m.
 * Errors: MLOPS_EINVAL (NULL, unknown version). */
MLOPS_API int mlops_monitor_spec_get(const mlops_monitor *m, mlops_monitor_spec *spec);

/* Alert states. */
#define MLOPS_MONITOR_INACTIVE 0 /* the rule does not hold */
#define MLOPS_MONITOR_PENDING  1 /* it holds, for fewer than `pending` more windows */
#define MLOPS_MONITOR_FIRING   2

#define MLOPS_MONITOR_STATUS_VERSION 1

/* Where a monitor stands. */
typedef struct mlops_monitor_status {
    unsigned version;            /* MLOPS_MONITOR_STATUS_VERSION */
    int state;                   /* MLOPS_MONITOR_INACTIVE, _PENDING, _FIRING */
    int64_t judged_to_ms;        /* windows ending at or before this are decided;
                                    INT64_MIN before the first check */
    uint64_t windows_judged;     /* judged windows counted by the rule */
    uint32_t breaches;           /* breaches among the last alert_n of them */
    uint32_t considered;         /* how many of the last alert_n there are (<= alert_n) */
    int64_t last_event_seq;      /* 0 when there is no event */
} mlops_monitor_status;

#define MLOPS_MONITOR_STATUS_INIT { MLOPS_MONITOR_STATUS_VERSION, 0, 0, 0u, 0u, 0u, 0 }

/* Fills st with zeros and st->version = version. Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_monitor_status_init(mlops_monitor_status *st, unsigned version);

/* The status as of the snapshot. Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_monitor_status_get(const mlops_monitor *m, mlops_monitor_status *st);

/* Every monitor, by name. Release the list with mlops_monitors_free.
 * Errors: MLOPS_EINVAL, MLOPS_ENOMEM, the store's. */
MLOPS_API int mlops_monitor_list(mlops_store *s, mlops_monitors **out);
MLOPS_API size_t mlops_monitors_count(const mlops_monitors *l);
/* The i-th monitor, borrowed from l; NULL when i is out of range. */
MLOPS_API const mlops_monitor *mlops_monitors_at(const mlops_monitors *l, size_t i);
MLOPS_API void mlops_monitors_free(mlops_monitors *l);

/* ---- Ingest --------------------------------------------------------------- */

#define MLOPS_MONITOR_INGEST_OPTS_VERSION 1

typedef struct mlops_monitor_ingest_opts {
    unsigned version;  /* MLOPS_MONITOR_INGEST_OPTS_VERSION */
    uint32_t threads;  /* 0 = online CPUs, else at most this; capped by
                          mlops_set_thread_limit() */
} mlops_monitor_ingest_opts;

#define MLOPS_MONITOR_INGEST_OPTS_INIT { MLOPS_MONITOR_INGEST_OPTS_VERSION, 0u }

MLOPS_API int mlops_monitor_ingest_opts_init(mlops_monitor_ingest_opts *opts, unsigned version);

#define MLOPS_MONITOR_INGEST_RESULT_VERSION 1

typedef struct mlops_monitor_ingest_result {
    unsigned version;    /* MLOPS_MONITOR_INGEST_RESULT_VERSION */
    uint64_t rows;       /* rows merged */
    uint64_t windows;    /* windows they went to */
    uint64_t late_rows;  /* rows that went to windows already decided: merged
                            into their profiles, never judged again */
} mlops_monitor_ingest_result;

#define MLOPS_MONITOR_INGEST_RESULT_INIT { MLOPS_MONITOR_INGEST_RESULT_VERSION, 0u, 0u, 0u }

MLOPS_API int mlops_monitor_ingest_result_init(mlops_monitor_ingest_result *r, unsigned version);

/* Ingests n_rows rows: time_ms[r] is row r's time, and each of the
 * n_columns columns names[c] holds numeric[c][r] (a numeric column: NaN is
 * missing) or strings[c][r] (a categorical column: NULL is missing); the
 * other array of a column is NULL (numeric or strings may be NULL as a
 * whole when no column needs it). The columns are exactly the monitor's,
 * in any order. Rows go to their windows whatever their order, duplicates
 * count as often as they come (ingest is not idempotent), a time in the
 * future goes to its future window, and rows of a window that is already
 * decided merge into its profile without changing its judgment (counted
 * in late_rows). Per window and column a profile is built on the
 * reference's edges and merged into the window's stored one; the merged
 * profiles are stored in new blobs (a window's together, the batch's
 * windows sharing blobs up to the store's chunk size), and the blobs and
 * rows commit in one write transaction (many processes may
 * ingest at once). n_rows = 0 changes nothing. res may be NULL.
 * Errors: MLOPS_EINVAL (NULL, an unknown, duplicate or missing column, a
 * column without its array or with the other kind's, a time whose window
 * end overflows, a text id that mlops_monitor_labels_ingest would refuse:
 * nothing is ingested), MLOPS_ENOTFOUND (no monitor),
 * MLOPS_EREADONLY, MLOPS_ENOMEM, the store's. */
MLOPS_API int mlops_monitor_ingest(mlops_store *s, const char *name, size_t n_rows,
                                   const int64_t *time_ms, size_t n_columns,
                                   const char *const *names, const double *const *numeric,
                                   const char *const *const *strings,
                                   const mlops_monitor_ingest_opts *opts,
                                   mlops_monitor_ingest_result *res);

/* ---- Judging and alerts ------------------------------------------------------ */

#define MLOPS_MONITOR_CHECK_OPTS_VERSION 1

typedef struct mlops_monitor_check_opts {
    unsigned version;  /* MLOPS_MONITOR_CHECK_OPTS_VERSION */
    int64_t now_ms;    /* the time the check runs at; 0 = the wall clock */
} mlops_monitor_check_opts;

#define MLOPS_MONITOR_CHECK_OPTS_INIT { MLOPS_MONITOR_CHECK_OPTS_VERSION, 0 }

MLOPS_API int mlops_monitor_check_opts_init(mlops_monitor_check_opts *opts, unsigned version);

/* Judges, in window order, every window not yet decided that ends at or
 * before now - lateness_ms, runs the alert rule over them and records the
 * judgments, the alert's state and its events in one write transaction;
 * fills st (may be NULL). Windows never seen by then are skipped, and
 * a window that first gets rows after that is never judged. A now before
 * the last check's changes nothing (a clock that went back). Errors:
 * MLOPS_EINVAL, MLOPS_ENOTFOUND, MLOPS_EREADONLY, the store's and those of
 * reading profiles. */
MLOPS_API int mlops_monitor_check(mlops_store *s, const char *name,
                                  const mlops_monitor_check_opts *opts, mlops_monitor_status *st);

/* Event kinds. */
#define MLOPS_MONITOR_EVENT_FIRING   1 /* the alert started firing */
#define MLOPS_MONITOR_EVENT_RESOLVED 2 /* it stopped */

/* One event. Frozen: this layout never changes. */
typedef struct mlops_monitor_event {
    int64_t seq;             /* 1, 2, ... per monitor */
    int kind;                /* MLOPS_MONITOR_EVENT_* */
    int64_t window_start_ms; /* the judged window that changed the state */
    int64_t window_end_ms;
    int64_t checked_ms;      /* the `now` of the check that judged it */
    uint32_t breaches;       /* breaches among the last alert_n judged windows */
    uint32_t considered;
} mlops_monitor_event;

#define MLOPS_MONITOR_EVENTS_OPTS_VERSION 1

/* Which events: seq > after_seq, window_end_ms in [from_ms, to_ms), at most
 * limit, in seq order. */
typedef struct mlops_monitor_events_opts {
    unsigned version;   /* MLOPS_MONITOR_EVENTS_OPTS_VERSION */
    int64_t after_seq;  /* default 0 */
    int64_t from_ms;    /* default INT64_MIN */
    int64_t to_ms;      /* default INT64_MAX */
    uint32_t limit;     /* 1..100000, default 1000 */
} mlops_monitor_events_opts;

#define MLOPS_MONITOR_EVENTS_OPTS_INIT { MLOPS_MONITOR_EVENTS_OPTS_VERSION, 0, INT64_MIN, INT64_MAX, 1000u }

MLOPS_API int mlops_monitor_events_opts_init(mlops_monitor_events_opts *opts, unsigned version);

/* The events of monitor `name` (opts NULL: the defaults); a page of a
 * poll: call again with after_seq = the last seq seen. *out is one
 * allocation released with mlops_free (NULL when *n is 0).
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND, MLOPS_ENOMEM, the store's. */
MLOPS_API int mlops_monitor_events(mlops_store *s, const char *name,
                                   const mlops_monitor_events_opts *opts,
                                   mlops_monitor_event **out, size_t *n);

/* ---- Time series --------------------------------------------------------------- */

/* Window states. */
#define MLOPS_MONITOR_WINDOW_OPEN            0 /* not judged yet */
#define MLOPS_MONITOR_WINDOW_CLEAR           1
#define MLOPS_MONITOR_WINDOW_BREACH          2
#define MLOPS_MONITOR_WINDOW_NOT_ENOUGH_DATA 3 /* neither breach nor clear */
#define MLOPS_MONITOR_WINDOW_LATE            4 /* first rows came after it was due: never judged */

/* One window of a series. Frozen. Judged figures are NaN (and n_drifted 0)
 * for a window that was not judged. */
typedef struct mlops_monitor_window {
    int64_t start_ms, end_ms;
    uint64_t rows;          /* rows merged so far, late ones included */
    uint64_t judged_rows;   /* rows when it was judged */
    int state;              /* MLOPS_MONITOR_WINDOW_* */
    uint32_t n_drifted;
    double share_drifted;
} mlops_monitor_window;

/* One column of one window. Frozen. */
typedef struct mlops_monitor_window_column {
    double statistic;       /* the method's statistic; NaN when not judged */
    double p_value;         /* NaN for the distances */
    int drifted;            /* 1, 0, or -1 when not judged */
} mlops_monitor_window_column;

typedef struct mlops_monitor_series mlops_monitor_series;

/* The windows of monitor `name` starting in [from_ms, to_ms), in order,
 * with their columns (one query). Release with mlops_monitor_series_free.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND, MLOPS_ENOMEM, the store's. */
MLOPS_API int mlops_monitor_series_get(mlops_store *s, const char *name, int64_t from_ms,
                                       int64_t to_ms, mlops_monitor_series **out);
MLOPS_API void mlops_monitor_series_free(mlops_monitor_series *sr);
/* Windows in the series. */
MLOPS_API size_t mlops_monitor_series_count(const mlops_monitor_series *sr);
/* Columns of the monitor, and the name of column j (borrowed; NULL out of range). */
MLOPS_API size_t mlops_monitor_series_columns(const mlops_monitor_series *sr);
MLOPS_API const char *mlops_monitor_series_column_name(const mlops_monitor_series *sr, size_t j);
/* Window i: MLOPS_EINVAL when i is out of range or an argument NULL. */
MLOPS_API int mlops_monitor_series_window(const mlops_monitor_series *sr, size_t i,
                                          mlops_monitor_window *w);
/* Column j of window i: MLOPS_EINVAL when out of range or NULL. */
MLOPS_API int mlops_monitor_series_cell(const mlops_monitor_series *sr, size_t i, size_t j,
                                        mlops_monitor_window_column *c);

/* ---- The monitor page (since 1.1) -----------------------------------------------
 * One self-contained HTML page about a monitor (doc/pages.md, "Monitor
 * page"): its spec and alert state; per column the drift statistic (or
 * p-value) of each window against its threshold; the share of drifted
 * columns and the rows per window; with a task, each metric of the task
 * per window against the performance condition; windows in alert shaded,
 * windows with not enough data, too few labels or late marked; a bounded
 * text table beside each chart; and the alert events. */

/* Most points drawn per curve (mlops_monitor_page_opts.max_points). */
#define MLOPS_MONITOR_PAGE_POINTS_MAX 100000

#define MLOPS_MONITOR_PAGE_OPTS_VERSION 1

/* Options for mlops_monitor_page_html. Initialise with
 * MLOPS_MONITOR_PAGE_OPTS_INIT or mlops_monitor_page_opts_init(). Strings
 * are UTF-8, read during the call only. */
typedef struct mlops_monitor_page_opts {
    unsigned version;        /* MLOPS_MONITOR_PAGE_OPTS_VERSION */
    const char *title;       /* NULL: "Monitor <name>" */
    int64_t from_ms, to_ms;  /* the windows starting in [from_ms, to_ms);
                                default INT64_MIN, INT64_MAX: all */
    size_t max_points;       /* points drawn per curve at most, 3..
                                MLOPS_MONITOR_PAGE_POINTS_MAX; 0: 1,000 */
    int64_t generated_ms;    /* time shown in the footer; 0: now, -1: none */
} mlops_monitor_page_opts;

#define MLOPS_MONITOR_PAGE_OPTS_INIT { MLOPS_MONITOR_PAGE_OPTS_VERSION, NULL, INT64_MIN, INT64_MAX, 0u, 0 }

/* Fills opts with the defaults of the given version (use
 * MLOPS_MONITOR_PAGE_OPTS_VERSION). Errors: MLOPS_EINVAL when opts is NULL
 * or the version is 0 or unknown. */
MLOPS_API int mlops_monitor_page_opts_init(mlops_monitor_page_opts *opts, unsigned version);

/* The page of monitor `name`: its windows starting in [from_ms, to_ms),
 * the alert events of those windows, the spec and the status, each read
 * in its own transaction (a check meanwhile may show in one part and not
 * yet in another). Curves longer than max_points are downsampled (LTTB,
 * said on the chart). Every text from the store or the caller is
 * escaped. *html (UTF-8, NUL-terminated) is malloc'd, released with
 * mlops_free. opts NULL means defaults.
 * Errors: MLOPS_EINVAL (NULL s or html, a malformed name, unknown
 * opts->version, a title that is not UTF-8, from_ms >= to_ms, max_points
 * out of range), MLOPS_ENOTFOUND (no such monitor), MLOPS_EBUSY,
 * MLOPS_EIO, MLOPS_ENOMEM. Threads: as any read; s may be shared. */
MLOPS_API int mlops_monitor_page_html(mlops_store *s, const char *name,
                                      const mlops_monitor_page_opts *opts, char **html);
/* ---- Row windows, delayed labels and performance (MLOPS_1.1) ---------------- */

/* Tasks: what the predictions are, and which metrics a window gets once
 * labels arrive. Classification compares prediction and label as text (a
 * number as %.17g: 1.0 is "1"); regression as numbers. */
#define MLOPS_MONITOR_TASK_NONE           0 /* no predictions, no labels */
#define MLOPS_MONITOR_TASK_CLASSIFICATION 1
#define MLOPS_MONITOR_TASK_REGRESSION     2

#define MLOPS_MONITOR_EXT_VERSION 1

/* The settings mlops_monitor_spec has no room for. Initialise with
 * MLOPS_MONITOR_EXT_INIT or mlops_monitor_ext_init(). Layout frozen.
 * - window_rows: with spec->window_kind MLOPS_MONITOR_WINDOW_ROWS, windows
 *   of this many rows (1..MLOPS_MONITOR_WINDOW_ROWS_MAX) in arrival order;
 *   must be 0 with time windows.
 * - task, prediction_column, id_column: with a task, every ingested batch
 *   carries the id column (strings, or integral numbers) and the
 *   prediction column (a monitored column or an extra one); each row's
 *   id and prediction are kept in its window until its label arrives
 *   (mlops_monitor_labels_ingest). label_column names the labels' column
 *   in the files the CLI reads (NULL: "label").
 * - performance: NULL, or a condition in the promotion-gate grammar
 *   (doc/gates.md) on the window's metrics, e.g. "metrics.accuracy < 0.8":
 *   then a judged window is in breach when the condition holds (drift is
 *   still computed and reported, but no longer the breach), and a window
 *   with fewer than min_labels labels when judged is "not enough data".
 * Metrics: classification accuracy, balanced_accuracy, f1_macro (by
 * mlops_eval_labels on the window's confusion counts); regression mae,
 * mse, rmse, r2 (force_finite), mean_error (mean of prediction - label);
 * and labels (the count). */
typedef struct mlops_monitor_ext {
    unsigned version;              /* MLOPS_MONITOR_EXT_VERSION */
    uint64_t window_rows;          /* 0, or rows per window (row windows) */
    int task;                      /* MLOPS_MONITOR_TASK_* */
    const char *prediction_column; /* with a task: required */
    const char *label_column;      /* NULL: "label" */
    const char *id_column;         /* with a task: required */
    const char *performance;       /* NULL or a condition on metrics.NAME */
    uint64_t min_labels;           /* >= 1, default 1 */
} mlops_monitor_ext;

#define MLOPS_MONITOR_EXT_INIT { MLOPS_MONITOR_EXT_VERSION, 0u, MLOPS_MONITOR_TASK_NONE, NULL, NULL, \
                                 NULL, NULL, 1u }

/* Fills ext with the defaults of the given version. Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_monitor_ext_init(mlops_monitor_ext *ext, unsigned version);

/* mlops_monitor_create with the settings of ext (NULL: the defaults, the
 * same as mlops_monitor_create). With row windows spec->window_ms is
 * ignored (it reads back as window_rows) and lateness_ms must be 0. The
 * same spec and ext again succeeds and changes nothing; any difference
 * is MLOPS_ECONFLICT. Errors: those of mlops_monitor_create, and
 * MLOPS_EINVAL for bad ext values (naming the field; a performance
 * condition that does not parse or reads anything but metrics.NAME of
 * this task's metrics). */
MLOPS_API int mlops_monitor_create_ex(mlops_store *s, const char *name, const mlops_monitor_spec *spec,
                                      const mlops_monitor_ext *ext);

/* Fills ext (whose version the caller sets) with the monitor's settings;
 * its strings borrow from m. Errors: MLOPS_EINVAL (NULL, unknown version). */
MLOPS_API int mlops_monitor_ext_get(const mlops_monitor *m, mlops_monitor_ext *ext);

#define MLOPS_MONITOR_LABELS_RESULT_VERSION 1

/* What mlops_monitor_labels_ingest did. */
typedef struct mlops_monitor_labels_result {
    unsigned version;      /* MLOPS_MONITOR_LABELS_RESULT_VERSION */
    uint64_t matched;      /* labels joined to a prediction and counted */
    uint64_t unknown_ids;  /* no prediction has the id (yet): ignored */
    uint64_t duplicates;   /* the id was labeled already: ignored */
    uint64_t windows;      /* windows whose metrics changed */
    uint64_t late_labels;  /* matched labels of windows already judged: their
                              metrics change, their judgments never */
} mlops_monitor_labels_result;

#define MLOPS_MONITOR_LABELS_RESULT_INIT { MLOPS_MONITOR_LABELS_RESULT_VERSION, 0u, 0u, 0u, 0u, 0u }

MLOPS_API int mlops_monitor_labels_result_init(mlops_monitor_labels_result *r, unsigned version);

/* Ingests n labels of earlier predictions: ids[r] (a string) and its label,
 * numeric[r] (finite) or strings[r] (not NULL); the other array is NULL
 * (regression takes numeric labels only). Each label joins the prediction
 * with its id and is added to that window's metrics (mergeable counts and
 * sums: labels may come in any number of batches, from many processes, in
 * one write transaction each). The first label of an id counts; later
 * ones are duplicates. Unknown ids are counted, never an error. n = 0
 * changes nothing; res may be NULL. Errors: MLOPS_EINVAL (NULL arrays
 * with n > 0, both or neither label array, a NULL id or string label, a
 * non-finite numeric label, text labels for regression, a monitor without
 * a task: nothing is ingested), MLOPS_ENOTFOUND, MLOPS_EREADONLY,
 * MLOPS_ENOMEM, the store's. */
MLOPS_API int mlops_monitor_labels_ingest(mlops_store *s, const char *name, size_t n,
                                          const char *const *ids, const double *numeric,
                                          const char *const *strings,
                                          mlops_monitor_labels_result *res);

#define MLOPS_MONITOR_PERFORMANCE_VERSION 1

/* A window's performance. Metrics not of the task, or without labels, are
 * NaN. judged_value is the performance condition's metric when the window
 * was judged (NaN: not judged, no condition, no labels then, or judged
 * "not enough data": fewer than min_rows rows or min_labels labels), with
 * the labels it had then (judged_labels, also when not enough data). */
typedef struct mlops_monitor_performance {
    unsigned version;          /* MLOPS_MONITOR_PERFORMANCE_VERSION */
    int task;                  /* MLOPS_MONITOR_TASK_* */
    uint64_t labels;           /* labels joined so far, late ones included */
    double accuracy, balanced_accuracy, f1_macro;
    double mae, mse, rmse, r2, mean_error;
    uint64_t judged_labels;
    double judged_value;
} mlops_monitor_performance;

#define MLOPS_MONITOR_PERFORMANCE_INIT { MLOPS_MONITOR_PERFORMANCE_VERSION, 0, 0u, 0.0, 0.0, 0.0, \
                                         0.0, 0.0, 0.0, 0.0, 0.0, 0u, 0.0 }

MLOPS_API int mlops_monitor_performance_init(mlops_monitor_performance *p, unsigned version);

/* The performance of window i of the series (p->version set by the
 * caller). Errors: MLOPS_EINVAL (NULL, i out of range, unknown version). */
MLOPS_API int mlops_monitor_series_performance(const mlops_monitor_series *sr, size_t i,
                                               mlops_monitor_performance *p);

MLOPS_END_DECLS

#endif /* MLOPS_MONITOR_H */
