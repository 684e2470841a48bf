/* Internal: monitors (include/mlops/monitor.h). One job per file:
 * schema.c (format 5's tables, format 6's packed windows and delayed-label
 * tables), packed.c (the packed window records' codec), spec.c (checking a
 * spec, create, delete), snapshot.c (loading monitors: get, list, status),
 * ingest.c, judge.c (one window's verdict and the alert rule's step),
 * check.c, events.c, series.c, audit.c (their events in the registry's
 * audit chain), predictions.c (storing predictions), labels.c (delayed
 * labels), perf.c (metrics from their statistics, the performance
 * condition). */
#ifndef MLOPS_MONITOR_INTERNAL_H
#define MLOPS_MONITOR_INTERNAL_H

#include "mlops/monitor.h"
#include "db/db.h"
#include "store/store_internal.h"

#include <stdint.h>

/* The version 5 step of lib/store/schema.c. */
int mlops__monitor_migrate_v5(mlops__conn *c);
/* Format 6's packed windows (mon_windows.profiles, .judged): part of the
 * version 6 step of lib/store/schema.c. */
int mlops__monitor_schema_v6_windows(mlops__conn *c);
/* Format 6's delayed-label tables (mon_label_settings, mon_predictions,
 * mon_window_confusion): the other part of that step. */
int mlops__monitor_schema_v6_labels(mlops__conn *c);

/* ---- packed.c ------------------------------------------------------------ */

#define MLOPS__MONITOR_PACK_VERSION 1
#define MLOPS__MONITOR_PACK_HEADER 12  /* "MLWP", version, 3 zero bytes, windows (u32) */
/* The zstd level of packed window blobs, whatever the store's: an ingest
 * writes them on its critical path, and level 1 costs a fraction of the
 * default's time for a few percent more bytes (doc/format.md, "Monitors"). */
#define MLOPS__MONITOR_PACK_ZSTD_LEVEL 1
#define MLOPS__MONITOR_ENTRY_HEADER 12 /* a window's start (i64), columns (u32) */
#define MLOPS__MONITOR_JUDGED_CELL 17  /* statistic, p-value (f64), drifted (u8) */

/* One window's entry: its start and n serialised profiles (bufs[i],
 * lens[i]), malloc'd. */
int mlops__monitor_pack_entry(const char *fn, int64_t start, void *const *bufs, const size_t *lens,
                              size_t n, void **out, size_t *out_len);
/* n entries into one blob, malloc'd. */
int mlops__monitor_pack_windows(const char *fn, void *const *entries, const size_t *lens, size_t n,
                                void **out, size_t *out_len);
/* Decodes the n profiles of window `start` from a packed blob into
 * profs[0..n) (freed and NULL on failure): MLOPS_EFORMAT (malformed, or no
 * such window, or another column count), MLOPS_EUNSUPPORTED, the profile
 * decoder's. */
int mlops__monitor_unpack_window(const void *buf, size_t len, int64_t start, size_t n,
                                 mlops_profile **profs);
/* Decodes the n profiles of one window's entry (as packed by
 * mlops__monitor_pack_entry) into profs[0..n), as above. */
int mlops__monitor_unpack_entry(const void *entry, size_t len, size_t n, mlops_profile **profs);
/* Bytes of the judged figures of n columns; packs them into out. */
size_t mlops__monitor_judged_len(size_t n);
void mlops__monitor_pack_judged(const double *stat, const double *p, const int *drifted, size_t n,
                                unsigned char *out);
/* Decodes them into cells[0..n): MLOPS_ECORRUPT when malformed. */
int mlops__monitor_unpack_judged(const void *buf, size_t len, size_t n,
                                 mlops_monitor_window_column *cells);

/* The profiles of window `start` of monitor m, columns in order, into
 * profs[0..n_columns) (window.c; freed and NULL on failure): from the
 * packed blob that holds it when packed is not NULL, else from
 * legacy[0..n_columns), the per-column profiles a format 5 store
 * recorded. */
int mlops__monitor_window_profiles(mlops_store *s, const char *fn, const mlops_monitor *m,
                                   int64_t start, const mlops_digest *packed,
                                   const mlops_digest *legacy, mlops_profile **profs);

/* The packed blob last read, kept for the next window: consecutive windows
 * of one ingest share a blob, which a check would otherwise fetch,
 * decompress and verify once per window. Keyed by the blob's digest, so it
 * never holds stale bytes; every blob is still verified when fetched.
 * Zeroed to start; mlops__monitor_blob_cache_free empties it. */
typedef struct mlops__monitor_blob_cache {
    int has;
    mlops_digest d;
    void *buf;
    size_t len;
} mlops__monitor_blob_cache;
void mlops__monitor_blob_cache_free(mlops__monitor_blob_cache *c);
/* mlops__monitor_window_profiles through cache (NULL: none). */
int mlops__monitor_window_profiles_cached(mlops_store *s, const char *fn, const mlops_monitor *m,
                                          int64_t start, const mlops_digest *packed,
                                          const mlops_digest *legacy, mlops__monitor_blob_cache *cache,
                                          mlops_profile **profs);

struct mlops_monitor {
    int64_t id;
    char *name;
    int64_t created_ms;
    mlops_monitor_spec spec;   /* pointers into the fields below */
    mlops_monitor_column *cols;
    char **col_names;
    int *kinds;                /* MLOPS_PROFILE_* per column */
    char *breach_column, *model;
    /* format 6: mon_label_settings and the mon_monitors columns it goes with */
    uint64_t window_rows;      /* row windows: spec.window_ms holds it too */
    int task;
    char *prediction_column, *label_column, *id_column, *performance;
    uint64_t min_labels, unknown_labels;
    /* the alert's state */
    int has_judged_to;
    int64_t judged_to_ms;
    int state;
    uint64_t history;
    uint32_t history_count;
    uint32_t streak;
    uint64_t windows_judged;
    int64_t last_seq;
};

/* Loads monitor `name` on c (inside a transaction) into a new snapshot:
 * MLOPS_ENOTFOUND naming fn and the monitor when there is none. */
int mlops__monitor_load(mlops__conn *c, const char *fn, const char *name, mlops_monitor **out);

/* Removes monitor id's rows from every monitor table, children first, in
 * c's write transaction (mlops_monitor_delete; a store copy, for a
 * monitor its source deleted). */
int mlops__monitor_delete_rows(mlops__conn *c, int64_t id);

/* Reads monitor `name` in a read transaction of its own. */
int mlops__monitor_read(mlops_store *s, const char *fn, const char *name, mlops_monitor **out);

/* The check of a monitor name shared by every function. */
int mlops__monitor_check_name(const char *fn, const char *name);

/* Column index of name in m, or -1. */
long mlops__monitor_column(const mlops_monitor *m, const char *name);

/* The alert rule's state and one step of it (judge.c). */
typedef struct mlops__alert {
    int state;
    uint64_t history;
    uint32_t count;
    uint32_t streak;
} mlops__alert;

/* Feeds one judged window (breach 1 or 0); returns the event it makes
 * (MLOPS_MONITOR_EVENT_*) or 0. *breaches gets the breaches among the last
 * alert_n windows. */
int mlops__alert_step(mlops__alert *a, const mlops_monitor_spec *spec, int breach,
                      uint32_t *breaches);

/* Compares column profile cur with its reference under the column's
 * method: statistic, p-value (NaN for distances), drifted (0/1). A window
 * whose column has no value gives NaN, NaN, 0. ref_view is the sorted
 * view of ref's sketch, made once for every window a check judges (NULL:
 * made here). */
struct mlops__kll_view;
int mlops__monitor_judge_column(const char *fn, mlops_profile *ref, const struct mlops__kll_view *ref_view,
                                mlops_profile *cur, int kind, int method, double threshold, double alpha,
                                double *statistic, double *p_value, int *drifted);

/* Loads m's format 6 settings (defaults when it has none). */
int mlops__monitor_load_ext(mlops__conn *c, mlops_monitor *m);

/* ---- performance (perf.c) ---- */

/* Whether metrics.KEY is a metric of task. */
int mlops__monitor_metric_known(int task, const char *key);
/* The value of metric KEY in p (NaN when unknown). */
double mlops__monitor_metric_value(const mlops_monitor_performance *p, const char *key);
/* Reads window start's labels of monitor m and computes its metrics into p
 * (judged_* from its "judged:" row). */
int mlops__monitor_perf_read(mlops__conn *c, const mlops_monitor *m, int64_t start,
                             mlops_monitor_performance *p);
/* Whether the performance condition text holds for p: *breach 1/0, the
 * metric's value in *value; why (may be NULL) gets a sentence. */
int mlops__monitor_perf_breach(const char *fn, const char *cond, const mlops_monitor_performance *p,
                               int *breach, double *value, char *why, size_t why_len);
/* The parts of a performance condition (as mlops__monitor_perf_condition_check
 * accepted it) for a reader: the metric it reads (malloc'd), its operator
 * (static: "<", ">=", ...) and the threshold its right side comes to
 * (NaN when it has none). MLOPS_EINVAL (not a comparison), MLOPS_ENOMEM. */
int mlops__monitor_perf_condition_parts(const char *fn, const char *cond, char **metric,
                                        const char **op, double *threshold);
/* Checks a condition for task at create; *canon gets its canonical text
 * (malloc'd). MLOPS_EINVAL naming fn. */
int mlops__monitor_perf_condition_check(const char *fn, int task, const char *text, char **canon);

/* ---- predictions (predictions.c) ---- */

/* A batch's id and prediction columns (one array of each). */
typedef struct mlops__prediction_cols {
    const double *id_num, *pred_num;
    const char *const *id_str, *const *pred_str;
} mlops__prediction_cols;
/* Row r's id as text (buf holds a numeric one); 0 when it has none (NULL,
 * or a number that is not an integer). */
int mlops__monitor_row_id(const mlops__prediction_cols *pc, size_t r, char *buf, size_t len,
                          const char **out);
/* Records the ids and predictions of rows[0..n) of window start, in
 * multi-row statements, on c inside the caller's write transaction. The
 * first prediction of an id stays; rows without an id or a prediction
 * (NaN, NULL) keep none. */
int mlops__monitor_predictions_record(mlops__conn *c, const mlops_monitor *m, int64_t start,
                                      const mlops__prediction_cols *pc, const size_t *rows, size_t n);

/* floor(t / w) * w without overflow; MLOPS_EINVAL when start + w
 * overflows. */
int mlops__window_start(int64_t t, int64_t w, int64_t *start);

/* Appends monitor.create (created 1) or monitor.delete of monitor `name`
 * with its spec and its ext settings (x: NULL or the canonical ones) to
 * the audit chain, on c inside the caller's write transaction; the actor
 * is s's. */
int mlops__monitor_audit_spec(mlops__conn *c, mlops_store *s, const char *fn, int created,
                              const char *name, const mlops_monitor_spec *sp,
                              const mlops_monitor_ext *x);

/* Appends monitor.alert.firing or .resolved (kind MLOPS_MONITOR_EVENT_*)
 * for the monitor's event seq, made by window [start_ms, end_ms) with
 * `breaches` of the last `considered` judged windows in breach. */
int mlops__monitor_audit_alert(mlops__conn *c, mlops_store *s, const char *fn, const char *name,
                               int kind, int64_t seq, int64_t start_ms, int64_t end_ms,
                               uint32_t breaches, uint32_t considered);

#endif
