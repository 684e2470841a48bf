/* mlops_monitor_check: judge the windows that are due, in order, run the
 * alert rule over them, and record it all in one write transaction. */
#include "monitor/monitor_internal.h"
#include "drift/drift_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/pool.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_monitor_check_opts_init(mlops_monitor_check_opts *opts, unsigned version)
{
    static const mlops_monitor_check_opts defaults = MLOPS_MONITOR_CHECK_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_MONITOR_CHECK_OPTS_VERSION);
}

typedef struct win {
    int64_t start;
    uint64_t rows;
    int state;
    uint32_t n_drifted;
    double share;
    int has_packed;
    mlops_digest packed;  /* its profiles (format 6) */
    mlops_digest *legacy; /* or per column (a format 5 window), NULL */
    double *stat, *p;
    int *drifted;
    mlops_monitor_performance perf; /* with a task */
    double perf_value;              /* the condition's metric when judged */
} win;

typedef struct ev {
    int kind;
    int64_t start, end;
    uint32_t breaches, considered;
} ev;

typedef struct job {
    const char *fn;
    mlops_monitor *m;
    int64_t from, to;     /* windows to judge: start in [from, to) */
    size_t n, cap;
    win *w;
} job;

static void job_clear_windows(job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->w[i].legacy);
        free(j->w[i].stat);
        free(j->w[i].p);
        free(j->w[i].drifted);
    }
    free(j->w);
    j->w = NULL;
    j->n = j->cap = 0;
}

/* The per-column profiles of a window a format 5 store recorded. */
static int read_legacy(mlops__conn *c, job *j, win *w)
{
    size_t nc = j->m->spec.n_columns;
    if (!(w->legacy = calloc(nc, sizeof *w->legacy))) return mlops__err_nomem(j->fn);
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT pos, profile FROM mon_window_columns "
                                 "WHERE monitor_id = ?1 AND start_ms = ?2", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, j->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, w->start);
    if (rc) return rc;
    size_t seen = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        int64_t pos = mlops__col_int64(st, 0);
        if (pos < 0 || (size_t)pos >= nc || mlops__col_bytes(st, 1) != 32) {
            rc = mlops__err(MLOPS_ECORRUPT, "%s: monitor '%s': a window's profile row is malformed",
                            j->fn, j->m->name);
            break;
        }
        memcpy(w->legacy[pos].bytes, mlops__col_blob(st, 1), 32);
        seen++;
    }
    mlops__reset(st);
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading a window's profiles");
    if (!rc && seen != nc)
        rc = mlops__err(MLOPS_ECORRUPT, "%s: monitor '%s': window %lld has %zu of %zu profiles", j->fn,
                        j->m->name, (long long)w->start, seen, nc);
    return rc;
}

static int read_tx(mlops__conn *c, void *arg)
{
    job *j = arg;
    job_clear_windows(j);
    size_t nc = j->m->spec.n_columns;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT start_ms, n_rows, profiles FROM mon_windows WHERE monitor_id = ?1 "
                              "AND start_ms >= ?2 AND start_ms < ?3 AND state = 0 ORDER BY start_ms",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, j->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, j->from);
    if (!rc) rc = mlops__bind_int64(c, st, 3, j->to);
    if (rc) return rc;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (j->n == j->cap) {
            size_t ncap = j->cap ? j->cap * 2 : 64;
            win *nw = realloc(j->w, ncap * sizeof *nw);
            if (!nw) {
                rc = mlops__err_nomem(j->fn);
                break;
            }
            j->w = nw;
            j->cap = ncap;
        }
        win *w = &j->w[j->n++];
        memset(w, 0, sizeof *w);
        w->start = mlops__col_int64(st, 0);
        w->rows = (uint64_t)mlops__col_int64(st, 1);
        w->stat = malloc(nc * sizeof *w->stat);
        w->p = malloc(nc * sizeof *w->p);
        w->drifted = calloc(nc, sizeof *w->drifted);
        if (!w->stat || !w->p || !w->drifted) {
            rc = mlops__err_nomem(j->fn);
            break;
        }
        for (size_t i = 0; i < nc; i++) w->stat[i] = w->p[i] = NAN;
        if (!mlops__col_null(st, 2)) {
            if (mlops__col_bytes(st, 2) != 32) {
                rc = mlops__err(MLOPS_ECORRUPT, "%s: monitor '%s': a window's profiles are malformed",
                                j->fn, j->m->name);
                break;
            }
            memcpy(w->packed.bytes, mlops__col_blob(st, 2), 32);
            w->has_packed = 1;
        }
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading windows");
    mlops__reset(st);
    for (size_t k = 0; !rc && k < j->n; k++)
        if (!j->w[k].has_packed) rc = read_legacy(c, j, &j->w[k]);
    for (size_t k = 0; !rc && j->m->task != MLOPS_MONITOR_TASK_NONE && k < j->n; k++)
        rc = mlops__monitor_perf_read(c, j->m, j->w[k].start, &j->w[k].perf);
    return rc;
}

/* What judging reuses from window to window: the references and their
 * sketches' sorted views (made once a check, shared by the threads), and
 * a thread's own packed blob last read and room for a window's profiles. */
typedef struct judge_ctx {
    mlops_profile **refs;
    mlops__kll_view *views;
    mlops__monitor_blob_cache blob;
    mlops_profile **cur;
} judge_ctx;

/* Judges window w. */
static int judge_window(mlops_store *s, job *j, judge_ctx *x, win *w)
{
    mlops_profile **refs = x->refs, **cur = x->cur;
    const mlops_monitor_spec *sp = &j->m->spec;
    size_t nc = sp->n_columns;
    /* Not enough data (too few rows or labels) judges no performance:
     * the value recorded for it is NULL, read back as NaN. */
    w->perf_value = NAN;
    if (w->rows < sp->min_rows) {
        w->state = MLOPS_MONITOR_WINDOW_NOT_ENOUGH_DATA;
        w->share = NAN;
        return MLOPS_OK;
    }
    uint32_t drifted = 0;
    int breach_col = -1;
    int rc = mlops__monitor_window_profiles_cached(s, j->fn, j->m, w->start,
                                                   w->has_packed ? &w->packed : NULL, w->legacy, &x->blob,
                                                   cur);
    for (size_t i = 0; !rc && i < nc; i++)
        rc = mlops__monitor_judge_column(j->fn, refs[i], &x->views[i], cur[i], j->m->kinds[i],
                                         sp->columns[i].method,
                                         sp->columns[i].threshold, sp->alpha, &w->stat[i], &w->p[i],
                                         &w->drifted[i]);
    for (size_t i = 0; i < nc; i++) {
        mlops_profile_free(cur[i]);
        cur[i] = NULL;
    }
    if (rc) return rc;
    for (size_t i = 0; i < nc; i++) {
        drifted += (uint32_t)w->drifted[i];
        if (sp->breach_column && !strcmp(sp->breach_column, sp->columns[i].name)) breach_col = (int)i;
    }
    w->n_drifted = drifted;
    w->share = (double)drifted / (double)nc;
    int breach = breach_col >= 0 ? w->drifted[breach_col] : w->share >= sp->drift_share;
    if (j->m->performance) { /* the condition is the breach; too few labels: not enough data */
        rc = mlops__monitor_perf_breach(j->fn, j->m->performance, &w->perf, &breach, &w->perf_value,
                                        NULL, 0);
        if (rc) return rc;
        if (w->perf.labels < j->m->min_labels) {
            w->state = MLOPS_MONITOR_WINDOW_NOT_ENOUGH_DATA;
            w->perf_value = NAN;
            return MLOPS_OK;
        }
    }
    w->state = breach ? MLOPS_MONITOR_WINDOW_BREACH : MLOPS_MONITOR_WINDOW_CLEAR;
    return MLOPS_OK;
}

/* Judging on the pool. A task is a run of consecutive windows that share
 * a packed blob (a window of a format 5 store is a run alone), so each
 * blob is still fetched once; each thread has its own profiles and blob
 * cache, the references and their views are shared and only read. The
 * runs are taken in order and a failure stops the taking, so every window
 * before the first that fails is judged, and the failure reported is that
 * window's, as judging one by one would report. */
typedef struct judge_pool {
    mlops_store *s;
    job *j;
    const judge_ctx *shared;
    size_t *runs; /* run r: windows [runs[r], runs[r + 1]) */
    size_t nruns;
    pthread_mutex_t lock;
    size_t next;
    size_t failed_at; /* the first window that failed, SIZE_MAX: none */
    int rc;
    char msg[1024];
} judge_pool;

static void judge_fail(judge_pool *jp, size_t k, int rc)
{
    pthread_mutex_lock(&jp->lock);
    if (k < jp->failed_at) {
        jp->failed_at = k;
        jp->rc = rc;
        snprintf(jp->msg, sizeof jp->msg, "%s", mlops_last_error());
    }
    jp->next = jp->nruns; /* later runs are not taken */
    pthread_mutex_unlock(&jp->lock);
}

static void judge_worker(void *arg)
{
    judge_pool *jp = arg;
    size_t nc = jp->j->m->spec.n_columns;
    judge_ctx x = *jp->shared;
    memset(&x.blob, 0, sizeof x.blob);
    x.cur = calloc(nc, sizeof *x.cur);
    for (;;) {
        pthread_mutex_lock(&jp->lock);
        size_t r = jp->next < jp->nruns ? jp->next++ : SIZE_MAX;
        pthread_mutex_unlock(&jp->lock);
        if (r == SIZE_MAX) break;
        if (!x.cur) {
            judge_fail(jp, jp->runs[r], mlops__err_nomem(jp->j->fn));
            break;
        }
        int rc = MLOPS_OK;
        size_t k = jp->runs[r];
        for (; k < jp->runs[r + 1]; k++)
            if ((rc = judge_window(jp->s, jp->j, &x, &jp->j->w[k]))) break;
        if (rc) {
            judge_fail(jp, k, rc);
            break;
        }
    }
    mlops__monitor_blob_cache_free(&x.blob);
    free(x.cur);
}

/* Judges every window of j (on the pool when there is more than one run). */
static int judge_all(mlops_store *s, job *j, const judge_ctx *shared)
{
    judge_pool jp;
    memset(&jp, 0, sizeof jp);
    jp.s = s;
    jp.j = j;
    jp.shared = shared;
    jp.failed_at = SIZE_MAX;
    if (!(jp.runs = malloc((j->n + 1) * sizeof *jp.runs))) return mlops__err_nomem(j->fn);
    for (size_t k = 0; k < j->n; k++) {
        const win *a = k ? &j->w[k - 1] : NULL, *b = &j->w[k];
        if (!a || !a->has_packed || !b->has_packed || memcmp(a->packed.bytes, b->packed.bytes, 32))
            jp.runs[jp.nruns++] = k;
    }
    jp.runs[jp.nruns] = j->n;
    unsigned threads = mlops__pool_threads(s->threads);
    pthread_mutex_init(&jp.lock, NULL);
    mlops__pool_run(jp.nruns < threads ? (unsigned)jp.nruns : threads, judge_worker, &jp);
    pthread_mutex_destroy(&jp.lock);
    free(jp.runs);
    return jp.rc ? mlops__err(jp.rc, "%s", jp.msg) : MLOPS_OK;
}

typedef struct write_op {
    mlops_store *s;
    job *j;
    int64_t old_to;
    int had_to;
    int64_t now;
    mlops__alert alert;
    uint64_t judged;
    int64_t last_seq;
    ev *evs;
    size_t nev;
    int stale;
} write_op;

/* The performance the window was judged on: "judged" in mon_window_metrics. */
static int record_judged_perf(mlops__conn *c, const mlops_monitor *m, const win *w)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO mon_window_metrics(monitor_id, start_ms, name, value, n) "
                              "VALUES (?1, ?2, 'judged', ?3, ?4) ON CONFLICT(monitor_id, start_ms, name) "
                              "DO UPDATE SET value = excluded.value, n = excluded.n",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, w->start);
    if (!rc) rc = isfinite(w->perf_value) ? mlops__bind_double(c, st, 3, w->perf_value)
                                          : mlops__bind_null(c, st, 3);
    if (!rc) rc = mlops__bind_int64(c, st, 4, (int64_t)w->perf.labels);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a judged performance");
    return rc;
}

static int write_tx(mlops__conn *c, void *arg)
{
    write_op *op = arg;
    job *j = op->j;
    const mlops_monitor *m = j->m;
    op->stale = 0;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT judged_to_ms, last_seq FROM mon_monitors WHERE id = ?1", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, m->id);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        int has = !mlops__col_null(st, 0);
        op->stale = has != op->had_to || (has && mlops__col_int64(st, 0) != op->old_to) ||
                    mlops__col_int64(st, 1) != m->last_seq;
    }
    mlops__reset(st);
    if (step == MLOPS__DONE) return mlops__err(MLOPS_ENOTFOUND, "%s: monitor '%s' was deleted", j->fn, m->name);
    if (step != MLOPS__ROW) return mlops__conn_error(c, step, "reading a monitor");
    if (op->stale) return MLOPS_ECONFLICT; /* another check ran: start again */
    size_t nc = m->spec.n_columns;
    unsigned char *judged = malloc(mlops__monitor_judged_len(nc));
    if (!judged) return mlops__err_nomem(j->fn);
    for (size_t k = 0; !rc && k < j->n; k++) {
        const win *w = &j->w[k];
        if ((rc = mlops__conn_stmt(c,
                                   "UPDATE mon_windows SET state = ?3, judged_rows = ?4, n_drifted = ?5, "
                                   "share_drifted = ?6, checked_ms = ?7, judged = ?8 "
                                   "WHERE monitor_id = ?1 AND start_ms = ?2",
                                   &st)))
            break;
        rc = mlops__bind_int64(c, st, 1, m->id);
        if (!rc) rc = mlops__bind_int64(c, st, 2, w->start);
        if (!rc) rc = mlops__bind_int64(c, st, 3, w->state);
        if (!rc) rc = mlops__bind_int64(c, st, 4, (int64_t)w->rows);
        if (!rc) rc = mlops__bind_int64(c, st, 5, w->n_drifted);
        if (!rc) rc = isnan(w->share) ? mlops__bind_null(c, st, 6) : mlops__bind_double(c, st, 6, w->share);
        if (!rc) rc = mlops__bind_int64(c, st, 7, op->now);
        /* Too few rows: no drift computed (a window with too few labels for
         * the performance condition has its drift figures all the same). */
        if (!rc && isnan(w->share)) {
            rc = mlops__bind_null(c, st, 8);
        } else if (!rc) {
            mlops__monitor_pack_judged(w->stat, w->p, w->drifted, nc, judged);
            rc = mlops__bind_blob(c, st, 8, judged, (int)mlops__monitor_judged_len(nc));
        }
        if (!rc) rc = mlops__conn_step_done(c, st, "recording a judgment");
        if (!rc && m->performance) rc = record_judged_perf(c, m, w);
    }
    free(judged);
    /* A window whose first rows an ingest recorded after this check read
     * the windows lies behind the new judged_to, unjudged: late, as if
     * they had come after the check. Left open, no check would look
     * at it again. */
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "UPDATE mon_windows SET state = ?4 WHERE monitor_id = ?1 "
                              "AND start_ms >= ?2 AND start_ms < ?3 AND state = ?5",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, j->from);
    if (!rc) rc = mlops__bind_int64(c, st, 3, j->to);
    if (!rc) rc = mlops__bind_int64(c, st, 4, MLOPS_MONITOR_WINDOW_LATE);
    if (!rc) rc = mlops__bind_int64(c, st, 5, MLOPS_MONITOR_WINDOW_OPEN);
    if (!rc) rc = mlops__conn_step_done(c, st, "marking late windows");
    for (size_t e = 0; !rc && e < op->nev; e++) {
        const ev *v = &op->evs[e];
        if ((rc = mlops__conn_stmt(c,
                                   "INSERT INTO mon_events(monitor_id, seq, kind, window_start_ms, "
                                   "window_end_ms, checked_ms, breaches, considered) VALUES "
                                   "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                   &st)))
            break;
        rc = mlops__bind_int64(c, st, 1, m->id);
        if (!rc) rc = mlops__bind_int64(c, st, 2, m->last_seq + 1 + (int64_t)e);
        if (!rc) rc = mlops__bind_int64(c, st, 3, v->kind);
        if (!rc) rc = mlops__bind_int64(c, st, 4, v->start);
        if (!rc) rc = mlops__bind_int64(c, st, 5, v->end);
        if (!rc) rc = mlops__bind_int64(c, st, 6, op->now);
        if (!rc) rc = mlops__bind_int64(c, st, 7, v->breaches);
        if (!rc) rc = mlops__bind_int64(c, st, 8, v->considered);
        if (!rc) rc = mlops__conn_step_done(c, st, "recording an alert event");
        if (!rc)
            rc = mlops__monitor_audit_alert(c, op->s, j->fn, m->name, v->kind,
                                            m->last_seq + 1 + (int64_t)e, v->start, v->end,
                                            v->breaches, v->considered);
    }
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "UPDATE mon_monitors SET judged_to_ms = ?2, state = ?3, history = ?4, "
                              "history_count = ?5, streak = ?6, windows_judged = ?7, last_seq = ?8 "
                              "WHERE id = ?1",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, j->to);
    if (!rc) rc = mlops__bind_int64(c, st, 3, op->alert.state);
    if (!rc) rc = mlops__bind_int64(c, st, 4, (int64_t)op->alert.history);
    if (!rc) rc = mlops__bind_int64(c, st, 5, op->alert.count);
    if (!rc) rc = mlops__bind_int64(c, st, 6, op->alert.streak);
    if (!rc) rc = mlops__bind_int64(c, st, 7, (int64_t)op->judged);
    if (!rc) rc = mlops__bind_int64(c, st, 8, m->last_seq + (int64_t)op->nev);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a monitor's state");
    return rc;
}

typedef struct due_op {
    const mlops_monitor *m;
    int64_t to;
} due_op;

static int due_tx(mlops__conn *c, void *arg)
{
    due_op *op = arg;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT max(start_ms) FROM mon_windows WHERE monitor_id = ?1 "
                                 "AND n_rows >= ?2", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, op->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, (int64_t)op->m->window_rows);
    if (rc) return rc;
    int step = mlops__step(st);
    op->to = step == MLOPS__ROW && !mlops__col_null(st, 0)
                 ? mlops__col_int64(st, 0) + (int64_t)op->m->window_rows
                 : INT64_MIN;
    mlops__reset(st);
    return step == MLOPS__ROW ? MLOPS_OK : mlops__conn_row_error(c, step, "reading windows");
}

/* Row windows: a window is due once it is full, or once a later one is
 * (its rows were numbered by an ingest that failed before recording
 * them). *to is the end of the last full window (INT64_MIN: none). */
static int rows_due_to(mlops_store *s, const mlops_monitor *m, int64_t *to)
{
    due_op op = { m, INT64_MIN };
    int rc = mlops__store_read(s, due_tx, &op);
    *to = op.to;
    return rc;
}

/* One attempt: judge and write. *again when another check got there first. */
static int check_once(mlops_store *s, const char *fn, const char *name, int64_t now,
                      mlops_monitor_status *stout, int *again)
{
    *again = 0;
    job j;
    memset(&j, 0, sizeof j);
    j.fn = fn;
    int rc = mlops__monitor_read(s, fn, name, &j.m);
    if (rc) return rc;
    const mlops_monitor_spec *sp = &j.m->spec;
    int64_t to = 0;
    if (j.m->window_rows) rc = rows_due_to(s, j.m, &to);
    else if (mlops__window_start(now - sp->lateness_ms, sp->window_ms, &to)) to = now;
    if (rc || (j.m->window_rows && to == INT64_MIN) ||
        (j.m->has_judged_to && to <= j.m->judged_to_ms)) { /* nothing due, or the clock went back */
        if (!rc && stout) rc = mlops_monitor_status_get(j.m, stout);
        mlops_monitor_free(j.m);
        return rc;
    }
    j.from = j.m->has_judged_to ? j.m->judged_to_ms : INT64_MIN;
    j.to = to;
    size_t nc = sp->n_columns;
    judge_ctx x;
    memset(&x, 0, sizeof x);
    x.refs = calloc(nc, sizeof *x.refs);
    x.views = calloc(nc, sizeof *x.views);
    write_op op;
    memset(&op, 0, sizeof op);
    if (!x.refs || !x.views) rc = mlops__err_nomem(fn);
    if (!rc) rc = mlops__store_read(s, read_tx, &j);
    /* Frozen here, as the first comparison would freeze them: the
     * threads that judge then only read them. */
    for (size_t i = 0; !rc && j.n && i < nc; i++) {
        rc = mlops_profile_get(s, &sp->columns[i].reference, &x.refs[i]);
        if (!rc) rc = mlops__profile_freeze(x.refs[i]);
        if (!rc) rc = mlops__kll_view_get(x.refs[i], &x.views[i]);
    }
    if (!rc && j.n) rc = judge_all(s, &j, &x);
    if (!rc && j.n && !(op.evs = calloc(j.n, sizeof *op.evs))) rc = mlops__err_nomem(fn);
    op.s = s;
    op.j = &j;
    op.had_to = j.m->has_judged_to;
    op.old_to = j.m->judged_to_ms;
    op.now = now;
    op.alert.state = j.m->state;
    op.alert.history = j.m->history;
    op.alert.count = j.m->history_count;
    op.alert.streak = j.m->streak;
    op.judged = j.m->windows_judged;
    for (size_t k = 0; !rc && k < j.n; k++) {
        win *w = &j.w[k];
        if (w->state == MLOPS_MONITOR_WINDOW_NOT_ENOUGH_DATA) continue; /* skipped by the rule */
        uint32_t breaches = 0;
        int kind = mlops__alert_step(&op.alert, sp, w->state == MLOPS_MONITOR_WINDOW_BREACH, &breaches);
        op.judged++;
        if (kind) {
            ev *v = &op.evs[op.nev++];
            v->kind = kind;
            v->start = w->start;
            v->end = w->start + sp->window_ms;
            v->breaches = breaches;
            v->considered = op.alert.count;
        }
    }
    if (!rc) {
        rc = mlops__store_write(s, write_tx, &op);
        if (rc == MLOPS_ECONFLICT && op.stale) {
            *again = 1;
            rc = MLOPS_OK;
        }
    }
    if (!rc && !*again && stout) {
        j.m->state = op.alert.state;
        j.m->history = op.alert.history;
        j.m->history_count = op.alert.count;
        j.m->streak = op.alert.streak;
        j.m->windows_judged = op.judged;
        j.m->last_seq += (int64_t)op.nev;
        j.m->has_judged_to = 1;
        j.m->judged_to_ms = to;
        rc = mlops_monitor_status_get(j.m, stout);
    }
    for (size_t i = 0; x.refs && i < nc; i++) mlops_profile_free(x.refs[i]);
    for (size_t i = 0; x.views && i < nc; i++) mlops__kll_view_free(&x.views[i]);
    free(x.refs);
    free(x.views);
    free(op.evs);
    job_clear_windows(&j);
    mlops_monitor_free(j.m);
    return rc;
}

MLOPS_API int mlops_monitor_check(mlops_store *s, const char *name,
                                  const mlops_monitor_check_opts *opts, mlops_monitor_status *st)
{
    if (!s) return mlops__err_null(__func__, "s");
    mlops_monitor_check_opts dflt = MLOPS_MONITOR_CHECK_OPTS_INIT;
    if (!opts) opts = &dflt;
    int rc = mlops__monitor_check_name(__func__, name);
    if (!rc) rc = mlops__opts_check(__func__, opts->version, MLOPS_MONITOR_CHECK_OPTS_VERSION,
                                    "mlops_monitor_check_opts_init");
    if (!rc && st)
        rc = mlops__opts_check(__func__, st->version, MLOPS_MONITOR_STATUS_VERSION,
                               "mlops_monitor_status_init");
    if (!rc && opts->now_ms < 0)
        rc = mlops__err(MLOPS_EINVAL, "%s: now_ms %lld is before 1970", __func__, (long long)opts->now_ms);
    if (!rc) rc = mlops__store_check_writable(s, __func__);
    if (rc) return rc;
    int64_t now = opts->now_ms ? opts->now_ms : mlops__now_ms();
    for (int attempt = 0; attempt < 100; attempt++) {
        int again = 0;
        rc = check_once(s, __func__, name, now, st, &again);
        if (rc || !again) return rc;
    }
    return mlops__err(MLOPS_EBUSY, "%s: monitor '%s': other checks kept getting there first", __func__, name);
}
