/* Internal: monitors (include/mlops/monitor.h). One job per file:
 * schema.c (format 5's and 6's tables), spec.c (checking a spec, create, delete),
 * snapshot.c (loading monitors: get, list, status), ingest.c, judge.c
 * (one window's verdict and the alert rule's step), check.c, events.c,
 * series.c, labels.c (delayed labels), perf.c (metrics from their
 * statistics, the performance condition). */
#ifndef MLOPS_MONITOR_INTERNAL_H
#define MLOPS_MONITOR_INTERNAL_H

#include "mlops/monitor.h"
#include "db/db.h"
#include "store/store_internal.h"

#include <stdint.h>

/* The version 5 step of lib/store/schema.c. */
int mlops__monitor_migrate_v5(mlops__conn *c);
/* The version 6 step: the delayed-label tables (and the other format 6 tables). */
int mlops__monitor_migrate_v6(mlops__conn *c);

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
 * whose column has no value gives NaN, NaN, 0. */
int mlops__monitor_judge_column(const char *fn, mlops_profile *ref, mlops_profile *cur,
                                int kind, int method, double threshold, double alpha,
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
/* Checks a condition for task at create; *canon gets its canonical text
 * (malloc'd). MLOPS_EINVAL naming fn. */
int mlops__monitor_perf_condition_check(const char *fn, int task, const char *text, char **canon);

/* floor(t / w) * w without overflow; MLOPS_EINVAL when start + w
 * overflows. */
int mlops__window_start(int64_t t, int64_t w, int64_t *start);

#endif
