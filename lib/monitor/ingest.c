/* Ingest: rows to their windows, a profile per window and column built on
 * the reference's edges (in parallel on the pool), merged into what the
 * window holds and packed into one blob per window, then one write
 * transaction that records them. */
#include "monitor/monitor_internal.h"
#include "cas/cas_internal.h"
#include "drift/drift_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/opts.h"
#include "util/pool.h"
#include "util/str.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_monitor_ingest_opts_init(mlops_monitor_ingest_opts *opts, unsigned version)
{
    static const mlops_monitor_ingest_opts defaults = MLOPS_MONITOR_INGEST_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_MONITOR_INGEST_OPTS_VERSION);
}

MLOPS_API int mlops_monitor_ingest_result_init(mlops_monitor_ingest_result *r, unsigned version)
{
    static const mlops_monitor_ingest_result defaults = MLOPS_MONITOR_INGEST_RESULT_INIT;
    return mlops__opts_init(__func__, r, &defaults, sizeof defaults, version,
                            MLOPS_MONITOR_INGEST_RESULT_VERSION);
}

/* The batch cut into windows. */
typedef struct batch {
    const char *fn;
    mlops_monitor *m;
    size_t ncols;
    mlops_profile **refs;      /* per monitor column */
    const double **num;        /* per monitor column: the caller's array or NULL */
    const char *const **str;
    /* with a task: the rows' ids and predictions (one array of each) */
    const double *id_num, *pred_num;
    const char *const *id_str, *const *pred_str;
    size_t nwin;
    int64_t *starts;           /* per window */
    size_t *off, *cnt;         /* per window: its slice of perm */
    size_t *perm;              /* row indices, window by window; NULL when the
                                  rows came in time order (row off[k] + t)
                                  and the monitor has no task */
    size_t max_cnt;
    /* Each profile is serialised as soon as it is built and freed, so the
     * next reuses its memory (thousands of live profiles cost more in
     * fresh pages than in building them); a window's columns are packed
     * into its entry by whichever task finishes the last of them. */
    void **bufs;               /* nwin * ncols, until their window is packed */
    size_t *lens;
    size_t *cols_done;         /* per window */
    void **entry;              /* per window: its entry, this batch's rows alone */
    size_t *entry_len;
    /* the parallel build */
    pthread_mutex_t lock;
    size_t next;
    int rc;
    char msg[600];
} batch;

static void build_worker(void *arg)
{
    batch *b = arg;
    double *dbuf = NULL;
    const char **sbuf = NULL;
    mlops__profile_scratch scratch;
    memset(&scratch, 0, sizeof scratch);
    for (;;) {
        pthread_mutex_lock(&b->lock);
        size_t task = b->rc ? SIZE_MAX : b->next++;
        pthread_mutex_unlock(&b->lock);
        if (task >= b->nwin * b->ncols) break;
        size_t k = task / b->ncols, i = task % b->ncols;
        const size_t *rows = b->perm ? b->perm + b->off[k] : NULL;
        size_t n = b->cnt[k], first = rows ? rows[0] : b->off[k];
        mlops_profile *p = NULL;
        int rc = mlops_profile_new_like(b->refs[i], &p);
        if (!rc) mlops__profile_lend_scratch(p, &scratch);
        /* Rows of a window sorted by time in the caller's arrays are read
         * in place; others are gathered first. */
        int contiguous = !rows || rows[n - 1] - rows[0] == n - 1;
        if (!rc && b->num[i] && contiguous) {
            rc = mlops_profile_add(p, b->num[i] + first, n);
        } else if (!rc && b->num[i]) {
            if (!dbuf && !(dbuf = malloc(b->max_cnt * sizeof *dbuf))) rc = mlops__err_nomem(b->fn);
            if (!rc) {
                const double *v = b->num[i];
                for (size_t r = 0; r < n; r++) dbuf[r] = v[rows[r]];
                rc = mlops_profile_add(p, dbuf, n);
            }
        } else if (!rc && contiguous) {
            rc = mlops_profile_add_strings(p, b->str[i] + first, n);
        } else if (!rc) {
            if (!sbuf && !(sbuf = malloc(b->max_cnt * sizeof *sbuf))) rc = mlops__err_nomem(b->fn);
            if (!rc) {
                const char *const *v = b->str[i];
                for (size_t r = 0; r < n; r++) sbuf[r] = v[rows[r]];
                rc = mlops_profile_add_strings(p, sbuf, n);
            }
        }
        /* The window's profile keeps its data; its scratch serves the next. */
        if (p) mlops__profile_take_scratch(p, &scratch);
        if (!rc) rc = mlops_profile_serialize(p, &b->bufs[task], &b->lens[task]);
        mlops_profile_free(p);
        size_t done = 0;
        if (!rc) {
            pthread_mutex_lock(&b->lock);
            done = ++b->cols_done[k];
            pthread_mutex_unlock(&b->lock);
        }
        if (!rc && done == b->ncols) {
            void **bufs = b->bufs + k * b->ncols;
            rc = mlops__monitor_pack_entry(b->fn, b->starts[k], bufs, b->lens + k * b->ncols, b->ncols,
                                           &b->entry[k], &b->entry_len[k]);
            for (size_t j = 0; j < b->ncols; j++) {
                mlops_free(bufs[j]);
                bufs[j] = NULL;
            }
        }
        if (rc) {
            pthread_mutex_lock(&b->lock);
            if (!b->rc) {
                b->rc = rc;
                snprintf(b->msg, sizeof b->msg, "%s", mlops_last_error());
            }
            pthread_mutex_unlock(&b->lock);
            break;
        }
    }
    mlops__profile_scratch_free(&scratch);
    free(dbuf);
    free(sbuf);
}

static void batch_clear(batch *b)
{
    if (b->bufs)
        for (size_t j = 0; j < b->nwin * b->ncols; j++) mlops_free(b->bufs[j]);
    if (b->entry)
        for (size_t k = 0; k < b->nwin; k++) free(b->entry[k]);
    if (b->refs)
        for (size_t i = 0; i < b->ncols; i++) mlops_profile_free(b->refs[i]);
    free(b->bufs);
    free(b->lens);
    free(b->cols_done);
    free(b->entry);
    free(b->entry_len);
    free(b->refs);
    free(b->num);
    free(b->str);
    free(b->starts);
    free(b->off);
    free(b->cnt);
    free(b->perm);
    mlops_monitor_free(b->m);
}

/* The windows of rows already in time order: each window's rows are a
 * run of the caller's arrays, so no permutation (perm stays NULL) and no
 * sort. Returns 0 as soon as a row goes back in time (*sorted = 0). */
static int cut_in_order(batch *b, const int64_t *time_ms, size_t n, int *sorted)
{
    int64_t w = b->m->spec.window_ms, prev = 0;
    size_t nwin = 0;
    *sorted = 0;
    for (size_t r = 0; r < n; r++) {
        int64_t start;
        if (mlops__window_start(time_ms[r], w, &start))
            return mlops__err(MLOPS_EINVAL, "%s: row %zu: time %lld is too late for a window", b->fn, r,
                              (long long)time_ms[r]);
        if (r && start < prev) return MLOPS_OK;
        nwin += !r || start != prev;
        prev = start;
    }
    b->starts = malloc(nwin * sizeof *b->starts);
    b->off = malloc(nwin * sizeof *b->off);
    b->cnt = malloc(nwin * sizeof *b->cnt);
    if (!b->starts || !b->off || !b->cnt) return mlops__err_nomem(b->fn);
    size_t k = 0;
    for (size_t r = 0; r < n; r++) {
        int64_t start = 0;
        (void)mlops__window_start(time_ms[r], w, &start); /* checked above */
        if (!r || start != b->starts[k - 1]) {
            b->starts[k] = start;
            b->off[k] = r;
            k++;
        }
    }
    for (size_t j = 0; j < nwin; j++) {
        b->cnt[j] = (j + 1 < nwin ? b->off[j + 1] : n) - b->off[j];
        if (b->cnt[j] > b->max_cnt) b->max_cnt = b->cnt[j];
    }
    b->nwin = nwin;
    *sorted = 1;
    /* Predictions are recorded from row indices (predictions.c). */
    if (b->m->task != MLOPS_MONITOR_TASK_NONE) {
        if (!(b->perm = malloc(n * sizeof *b->perm))) return mlops__err_nomem(b->fn);
        for (size_t r = 0; r < n; r++) b->perm[r] = r;
    }
    return MLOPS_OK;
}

typedef struct pair {
    int64_t start;
    size_t row;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Cuts the rows into windows: starts, off, cnt, perm (rows in time order:
 * cut_in_order). Out of order, a window's rows keep their batch order. */
static int cut_windows(batch *b, const int64_t *time_ms, size_t n)
{
    int sorted = 0;
    int rc = cut_in_order(b, time_ms, n, &sorted);
    if (rc || sorted) return rc;
    int64_t w = b->m->spec.window_ms;
    pair *pairs = malloc(n * sizeof *pairs);
    b->perm = malloc(n * sizeof *b->perm);
    if (!pairs || !b->perm) {
        free(pairs);
        return mlops__err_nomem(b->fn);
    }
    for (size_t r = 0; r < n; r++) {
        if (mlops__window_start(time_ms[r], w, &pairs[r].start)) {
            free(pairs);
            return mlops__err(MLOPS_EINVAL, "%s: row %zu: time %lld is too late for a window", b->fn,
                              r, (long long)time_ms[r]);
        }
        pairs[r].row = r;
    }
    qsort(pairs, n, sizeof *pairs, cmp_pair);
    size_t nwin = 0;
    for (size_t r = 0; r < n; r++)
        if (!r || pairs[r].start != pairs[r - 1].start) nwin++;
    b->starts = malloc(nwin * sizeof *b->starts);
    b->off = malloc(nwin * sizeof *b->off);
    b->cnt = malloc(nwin * sizeof *b->cnt);
    if (!b->starts || !b->off || !b->cnt) {
        free(pairs);
        return mlops__err_nomem(b->fn);
    }
    size_t k = 0;
    for (size_t r = 0; r < n; r++) {
        if (!r || pairs[r].start != pairs[r - 1].start) {
            b->starts[k] = pairs[r].start;
            b->off[k] = r;
            b->cnt[k] = 0;
            k++;
        }
        b->cnt[k - 1]++;
        b->perm[r] = pairs[r].row;
    }
    b->nwin = nwin;
    for (size_t j = 0; j < nwin; j++)
        if (b->cnt[j] > b->max_cnt) b->max_cnt = b->cnt[j];
    free(pairs);
    return MLOPS_OK;
}

/* Takes column j as the id or the prediction column when it is one. */
static int take_extra(batch *b, const char *name, const double *nv, const char *const *sv, int *taken)
{
    const mlops_monitor *m = b->m;
    *taken = 0;
    if (m->task == MLOPS_MONITOR_TASK_NONE) return MLOPS_OK;
    int is_id = !strcmp(name, m->id_column), is_pred = !strcmp(name, m->prediction_column);
    if (!is_id && !is_pred) return MLOPS_OK;
    *taken = 1;
    if (!nv == !sv)
        return mlops__err(MLOPS_EINVAL, "%s: column '%s': give numeric[j] or strings[j]", b->fn, name);
    if (is_pred && m->task == MLOPS_MONITOR_TASK_REGRESSION && !nv)
        return mlops__err(MLOPS_EINVAL, "%s: prediction column '%s' must be numeric (regression)", b->fn, name);
    if (is_id ? b->id_num || b->id_str : b->pred_num || b->pred_str)
        return mlops__err(MLOPS_EINVAL, "%s: column '%s' is given twice", b->fn, name);
    if (is_id) {
        b->id_num = nv;
        b->id_str = sv;
    } else {
        b->pred_num = nv;
        b->pred_str = sv;
    }
    return MLOPS_OK;
}

/* Matches the caller's columns with the monitor's (and, with a task, its
 * id and prediction columns). */
static int match_columns(batch *b, size_t ncols, const char *const *names,
                         const double *const *numeric, const char *const *const *strings)
{
    const mlops_monitor *m = b->m;
    size_t mc = m->spec.n_columns;
    for (size_t j = 0; j < ncols; j++) {
        int rc = mlops__check_name(b->fn, "column name", names[j], MLOPS_MONITOR_NAME_MAX);
        if (rc) return rc;
        const double *nv = numeric ? numeric[j] : NULL;
        const char *const *sv = strings ? strings[j] : NULL;
        long i = mlops__monitor_column(m, names[j]);
        int taken = 0;
        if ((rc = take_extra(b, names[j], nv, sv, &taken))) return rc;
        if (i < 0 && taken) continue;
        if (i < 0)
            return mlops__err(MLOPS_EINVAL, "%s: monitor '%s' has no column '%s'", b->fn, m->name,
                              names[j]);
        if (b->num[i] || b->str[i])
            return mlops__err(MLOPS_EINVAL, "%s: column '%s' is given twice", b->fn, names[j]);
        int want_num = m->kinds[i] == MLOPS_PROFILE_NUMERIC;
        if (want_num ? !nv || sv : !sv || nv)
            return mlops__err(MLOPS_EINVAL, "%s: column '%s' is %s: give %s (and no %s)", b->fn,
                              names[j], want_num ? "numeric" : "categorical",
                              want_num ? "numeric[j]" : "strings[j]",
                              want_num ? "strings[j]" : "numeric[j]");
        b->num[i] = nv;
        b->str[i] = sv;
    }
    for (size_t i = 0; i < mc; i++)
        if (!b->num[i] && !b->str[i])
            return mlops__err(MLOPS_EINVAL, "%s: the batch has no column '%s'", b->fn, m->col_names[i]);
    if (m->task != MLOPS_MONITOR_TASK_NONE && !b->id_num && !b->id_str)
        return mlops__err(MLOPS_EINVAL, "%s: the batch has no id column '%s'", b->fn, m->id_column);
    if (m->task != MLOPS_MONITOR_TASK_NONE && !b->pred_num && !b->pred_str)
        return mlops__err(MLOPS_EINVAL, "%s: the batch has no prediction column '%s'", b->fn,
                          m->prediction_column);
    return MLOPS_OK;
}

/* ---- Merging and recording ----------------------------------------------------------
 * The merges happen outside the write lock: read what each window holds,
 * merge its columns into the window's packed entry (in parallel, a window
 * per task), put the entries together in as few blobs as the store's
 * chunk size allows, then in one write transaction record the windows
 * whose blob is still the one read. A window another
 * process changed meanwhile is merged again from its new blob, until
 * none is left. */

typedef struct merge {
    mlops_store *s;
    batch *b;
    size_t *todo;           /* windows still to record */
    size_t ntodo;
    int *exists;            /* per window: its row was there when read */
    int *has_packed;        /* per window: ... with a packed blob */
    mlops_digest *old;      /* per window: that blob */
    mlops_digest *legacy;   /* nwin * ncols: a format 5 window's profiles */
    mlops_digest *digests;  /* per window: the blob holding its merged entry */
    void **entry;           /* per window: that entry */
    size_t *entry_len;
    mlops__placed *placed;  /* the objects of the blobs, packed at the front */
    int *placed_ok;
    mlops__removals_seen seen; /* before anything was placed */
    size_t *group;          /* ngroups + 1: group g is todo[group[g] .. group[g + 1]) */
    size_t ngroups, group_max;
    /* the parallel merge, then the parallel put */
    pthread_mutex_t lock;
    size_t next;
    int rc;
    char msg[600];
} merge;

/* The row of window k: whether it exists, its packed blob (*has_packed,
 * *packed) and its state. */
static int window_row(mlops__conn *c, const batch *b, size_t k, int *exists, int *has_packed,
                      mlops_digest *packed, int *state)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT state, profiles FROM mon_windows "
                                 "WHERE monitor_id = ?1 AND start_ms = ?2", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, b->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, b->starts[k]);
    if (rc) return rc;
    int step = mlops__step(st);
    *exists = step == MLOPS__ROW;
    *has_packed = 0;
    if (*exists) {
        *state = mlops__col_int(st, 0);
        if (!mlops__col_null(st, 1)) {
            if (mlops__col_bytes(st, 1) != 32) {
                mlops__reset(st);
                return mlops__err(MLOPS_ECORRUPT, "%s: monitor '%s': a window's profiles are malformed",
                                  b->fn, b->m->name);
            }
            memcpy(packed->bytes, mlops__col_blob(st, 1), 32);
            *has_packed = 1;
        }
    }
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE) return mlops__conn_error(c, step, "reading a window");
    return MLOPS_OK;
}

/* A format 5 window's per-column profiles, every column present. */
static int legacy_profiles(mlops__conn *c, const batch *b, size_t k, mlops_digest *out)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT pos, profile FROM mon_window_columns "
                                 "WHERE monitor_id = ?1 AND start_ms = ?2", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, b->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, b->starts[k]);
    if (rc) return rc;
    size_t seen = 0;
    int step, bad = 0;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        int64_t pos = mlops__col_int64(st, 0);
        if (pos < 0 || (size_t)pos >= b->ncols || mlops__col_bytes(st, 1) != 32) {
            bad = 1;
            continue;
        }
        memcpy(out[pos].bytes, mlops__col_blob(st, 1), 32);
        seen++;
    }
    mlops__reset(st);
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "reading a window's profiles");
    if (bad || seen != b->ncols)
        return mlops__err(MLOPS_ECORRUPT, "%s: monitor '%s': window %lld has %zu of %zu profiles", b->fn,
                          b->m->name, (long long)b->starts[k], seen, b->ncols);
    return MLOPS_OK;
}

static int read_tx(mlops__conn *c, void *arg)
{
    merge *mg = arg;
    batch *b = mg->b;
    int rc = MLOPS_OK;
    for (size_t t = 0; !rc && t < mg->ntodo; t++) {
        size_t k = mg->todo[t];
        int state = 0;
        rc = window_row(c, b, k, &mg->exists[k], &mg->has_packed[k], &mg->old[k], &state);
        if (!rc && mg->exists[k] && !mg->has_packed[k])
            rc = legacy_profiles(c, b, k, mg->legacy + k * b->ncols);
    }
    return rc;
}

/* Frees window k's entry unless the batch lent it. */
static void entry_release(merge *mg, size_t k)
{
    if (mg->entry[k] != mg->b->entry[k]) free(mg->entry[k]);
    mg->entry[k] = NULL;
    mg->entry_len[k] = 0;
}

/* Window k's entry alone when it fills a blob, put here, on this thread
 * (mlops_blob_put chunks it; gc's grace period keeps it until the write
 * transaction references it); put_groups packs the others. */
static int put_alone(merge *mg, size_t k)
{
    if (mg->entry_len[k] <= mg->s->chunk_max - MLOPS__MONITOR_PACK_HEADER) return MLOPS_OK;
    void *blob = NULL;
    size_t len = 0;
    int rc = mlops__monitor_pack_windows(mg->b->fn, &mg->entry[k], &mg->entry_len[k], 1, &blob, &len);
    if (!rc) rc = mlops_blob_put(mg->s, blob, len, &mg->digests[k]);
    free(blob);
    entry_release(mg, k);
    return rc;
}

/* Window k's entry: the batch's own when the window is new (borrowed
 * from the batch, which may need it again in a later round), else its
 * columns merged into what it holds and packed anew. What it holds is read
 * through the thread's cache: the windows of one ingest share blobs, and
 * a thread merges neighbouring windows one after another. */
static int merge_window(merge *mg, size_t k, mlops__monitor_blob_cache *cache)
{
    batch *b = mg->b;
    if (!mg->exists[k]) {
        mg->entry[k] = b->entry[k];
        mg->entry_len[k] = b->entry_len[k];
        return put_alone(mg, k);
    }
    size_t nc = b->ncols;
    mlops_profile **own = calloc(nc, sizeof *own);
    mlops_profile **add = calloc(nc, sizeof *add);
    void **bufs = calloc(nc, sizeof *bufs);
    size_t *lens = calloc(nc, sizeof *lens);
    int rc = own && add && bufs && lens ? MLOPS_OK : mlops__err_nomem(b->fn);
    if (!rc)
        rc = mlops__monitor_window_profiles_cached(mg->s, b->fn, b->m, b->starts[k],
                                                   mg->has_packed[k] ? &mg->old[k] : NULL, mg->legacy + k * nc,
                                                   cache, own);
    if (!rc) rc = mlops__monitor_unpack_entry(b->entry[k], b->entry_len[k], nc, add);
    for (size_t i = 0; !rc && i < nc; i++) {
        rc = mlops_profile_merge(own[i], add[i]);
        if (!rc) rc = mlops_profile_serialize(own[i], &bufs[i], &lens[i]);
        if (rc) {
            char msg[500];
            snprintf(msg, sizeof msg, "%s", mlops_last_error());
            rc = mlops__err(rc, "column '%s': %s", b->m->col_names[i], msg);
        }
    }
    if (!rc) rc = mlops__monitor_pack_entry(b->fn, b->starts[k], bufs, lens, nc, &mg->entry[k], &mg->entry_len[k]);
    for (size_t i = 0; i < nc; i++) {
        if (own) mlops_profile_free(own[i]);
        if (add) mlops_profile_free(add[i]);
        if (bufs) mlops_free(bufs[i]);
    }
    free(own);
    free(add);
    free(bufs);
    free(lens);
    return rc ? rc : put_alone(mg, k);
}

/* Keeps the first failure's code and message for the caller's thread. */
static void merge_fail(merge *mg, int rc)
{
    pthread_mutex_lock(&mg->lock);
    if (!mg->rc) {
        mg->rc = rc;
        snprintf(mg->msg, sizeof mg->msg, "%s", mlops_last_error());
    }
    pthread_mutex_unlock(&mg->lock);
}

/* The next task of `count`, SIZE_MAX once they are taken or one failed. */
static size_t merge_next(merge *mg, size_t count)
{
    pthread_mutex_lock(&mg->lock);
    size_t task = mg->rc || mg->next >= count ? SIZE_MAX : mg->next++;
    pthread_mutex_unlock(&mg->lock);
    return task;
}

static void merge_worker(void *arg)
{
    merge *mg = arg;
    int rc = MLOPS_OK;
    size_t task;
    mlops__monitor_blob_cache cache;
    memset(&cache, 0, sizeof cache);
    while (!rc && (task = merge_next(mg, mg->ntodo)) != SIZE_MAX) rc = merge_window(mg, mg->todo[task], &cache);
    mlops__monitor_blob_cache_free(&cache);
    if (rc) merge_fail(mg, rc);
}

/* Cuts the windows to record, in order, into groups of entries that fill
 * a blob of up to the store's maximum chunk size (one object each: a
 * batch of small windows costs one file, not one per window); the windows
 * whose entry merge_window put alone are left out. */
static int cut_groups(merge *mg)
{
    size_t room = mg->s->chunk_max - MLOPS__MONITOR_PACK_HEADER, ng = 0;
    mg->group_max = 0;
    for (size_t t = 0; t < mg->ntodo;) {
        if (!mg->entry[mg->todo[t]]) { /* put alone */
            t++;
            continue;
        }
        size_t u = t, used = 0;
        do {
            used += mg->entry_len[mg->todo[u]];
            u++;
        } while (u < mg->ntodo && mg->entry[mg->todo[u]] && used + mg->entry_len[mg->todo[u]] <= room);
        mg->group[ng++] = t;
        mg->group[ng] = u;
        if (u - t > mg->group_max) mg->group_max = u - t;
        t = u;
    }
    mg->ngroups = ng;
    return MLOPS_OK;
}

/* Group g packed, hashed, compressed and placed as object g; each of its
 * windows' digest is the blob's. */
static int put_group(merge *mg, mlops__obj_writer *w, size_t g, void **ents, size_t *lens)
{
    size_t t0 = mg->group[g], t1 = mg->group[g + 1];
    for (size_t t = t0; t < t1; t++) {
        ents[t - t0] = mg->entry[mg->todo[t]];
        lens[t - t0] = mg->entry_len[mg->todo[t]];
    }
    void *blob = NULL;
    size_t len = 0;
    mlops_digest d;
    int rc = mlops__monitor_pack_windows(mg->b->fn, ents, lens, t1 - t0, &blob, &len);
    if (!rc) rc = mlops__sha256_oneshot(blob, len, &d);
    if (!rc) rc = mlops__object_write(mg->s, w, &d, blob, len, &mg->placed[g]);
    free(blob);
    if (rc) return rc;
    mg->placed_ok[g] = 1;
    for (size_t t = t0; t < t1; t++) mg->digests[mg->todo[t]] = d;
    return MLOPS_OK;
}

/* The groups go to the pool, a group per task: packing, hashing and zstd
 * are most of an ingest's serial time otherwise. Objects land in
 * placed[0 .. ngroups) whichever thread wrote them. */
static void put_worker(void *arg)
{
    merge *mg = arg;
    mlops__obj_writer *w = NULL;
    void **ents = malloc(mg->group_max * sizeof *ents);
    size_t *lens = malloc(mg->group_max * sizeof *lens);
    int rc = ents && lens ? mlops__obj_writer_new(mg->s, &w) : mlops__err_nomem(mg->b->fn);
    if (!rc) mlops__obj_writer_set_level(w, MLOPS__MONITOR_PACK_ZSTD_LEVEL);
    size_t g;
    while (!rc && (g = merge_next(mg, mg->ngroups)) != SIZE_MAX) rc = put_group(mg, w, g, ents, lens);
    if (rc) merge_fail(mg, rc);
    mlops__obj_writer_free(w);
    free(ents);
    free(lens);
}

static int put_groups(merge *mg, unsigned threads)
{
    int rc = cut_groups(mg);
    if (rc || !mg->ngroups) return rc;
    mg->next = 0;
    mg->rc = 0;
    mlops__pool_run(mg->ngroups < threads ? (unsigned)mg->ngroups : threads, put_worker, mg);
    if (mg->rc) return mlops__err(mg->rc, "%s: %s", mg->b->fn, mg->msg);
    return MLOPS_OK;
}

static int record_window(mlops__conn *c, merge *mg, size_t k, int state)
{
    batch *b = mg->b;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO mon_windows(monitor_id, start_ms, end_ms, n_rows, state, "
                              "judged_rows, n_drifted, profiles) VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, ?6) "
                              "ON CONFLICT(monitor_id, start_ms) DO UPDATE SET "
                              "n_rows = mon_windows.n_rows + excluded.n_rows, "
                              "profiles = excluded.profiles",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, b->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, b->starts[k]);
    if (!rc) rc = mlops__bind_int64(c, st, 3, b->starts[k] + b->m->spec.window_ms);
    if (!rc) rc = mlops__bind_int64(c, st, 4, (int64_t)b->cnt[k]);
    if (!rc) rc = mlops__bind_int64(c, st, 5, state);
    if (!rc) rc = mlops__bind_blob(c, st, 6, mg->digests[k].bytes, 32);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a window");
    if (!rc && b->m->task != MLOPS_MONITOR_TASK_NONE) {
        mlops__prediction_cols pc = { b->id_num, b->pred_num, b->id_str, b->pred_str };
        rc = mlops__monitor_predictions_record(c, b->m, b->starts[k], &pc, b->perm + b->off[k], b->cnt[k]);
    }
    return rc;
}

typedef struct write_arg {
    merge *mg;
    size_t *left;   /* windows that changed meanwhile */
    size_t nleft;
    uint64_t late_rows;
} write_arg;

static int write_tx(mlops__conn *c, void *arg)
{
    write_arg *wa = arg;
    merge *mg = wa->mg;
    batch *b = mg->b;
    wa->nleft = 0;
    wa->late_rows = 0;
    int64_t now = mlops__now_ms(), w = b->m->spec.window_ms;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT judged_to_ms FROM mon_monitors WHERE id = ?1", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, b->m->id);
    if (rc) return rc;
    int step = mlops__step(st);
    int has_judged = step == MLOPS__ROW && !mlops__col_null(st, 0);
    int64_t judged_to = has_judged ? mlops__col_int64(st, 0) : 0;
    mlops__reset(st);
    if (step == MLOPS__DONE)
        return mlops__err(MLOPS_ENOTFOUND, "%s: monitor '%s' was deleted", b->fn, b->m->name);
    if (step != MLOPS__ROW) return mlops__conn_error(c, step, "reading a monitor");
    /* Every object placed gets its row (those of windows merged again
     * are unreferenced content, for gc). */
    for (size_t k = 0; !rc && k < b->nwin; k++)
        if (mg->placed_ok[k]) rc = mlops__objects_commit(c, mg->s, &mg->seen, &mg->placed[k], 1, now);
    for (size_t k = 0; !rc && k < b->nwin; k++)
        if (mg->placed_ok[k])
            rc = mlops__content_insert(c, &mg->placed[k].digest, MLOPS__KIND_BLOB, mg->placed[k].size,
                                       NULL, 1, now);
    for (size_t t = 0; !rc && t < mg->ntodo; t++) {
        size_t k = mg->todo[t];
        int exists = 0, has_packed = 0, state = MLOPS_MONITOR_WINDOW_OPEN;
        mlops_digest packed;
        if ((rc = window_row(c, b, k, &exists, &has_packed, &packed, &state))) break;
        /* A format 5 window's per-column rows never change under format 6. */
        int same = exists == mg->exists[k] && has_packed == mg->has_packed[k] &&
                   (!has_packed || !memcmp(packed.bytes, mg->old[k].bytes, 32));
        if (!same) {
            wa->left[wa->nleft++] = k;
            continue;
        }
        if (!exists) state = has_judged && b->starts[k] + w <= judged_to ? MLOPS_MONITOR_WINDOW_LATE
                                                                         : MLOPS_MONITOR_WINDOW_OPEN;
        if (state != MLOPS_MONITOR_WINDOW_OPEN) wa->late_rows += b->cnt[k];
        rc = record_window(c, mg, k, state);
    }
    return rc;
}

static void merge_clear_placed(merge *mg, int discard)
{
    for (size_t k = 0; k < mg->b->nwin; k++) {
        entry_release(mg, k);
        if (!mg->placed_ok[k]) continue;
        if (discard) mlops__objects_discard(mg->s, &mg->placed[k], 1);
        else mlops__placed_clear(&mg->placed[k]);
        mg->placed_ok[k] = 0;
    }
}

static int merge_and_record(mlops_store *s, batch *b, unsigned threads, uint64_t *late_rows)
{
    size_t nw = b->nwin;
    merge mg;
    memset(&mg, 0, sizeof mg);
    mg.s = s;
    mg.b = b;
    mlops__removals_seen_now(s, &mg.seen);
    mg.todo = malloc(nw * sizeof *mg.todo);
    mg.exists = calloc(nw, sizeof *mg.exists);
    mg.has_packed = calloc(nw, sizeof *mg.has_packed);
    mg.old = calloc(nw, sizeof *mg.old);
    mg.legacy = calloc(nw * b->ncols, sizeof *mg.legacy);
    mg.digests = calloc(nw, sizeof *mg.digests);
    mg.placed = calloc(nw, sizeof *mg.placed);
    mg.placed_ok = calloc(nw, sizeof *mg.placed_ok);
    mg.entry = calloc(nw, sizeof *mg.entry);
    mg.entry_len = calloc(nw, sizeof *mg.entry_len);
    mg.group = malloc((nw + 1) * sizeof *mg.group);
    write_arg wa = { &mg, malloc(nw * sizeof *wa.left), 0, 0 };
    int rc = MLOPS_OK;
    if (!mg.todo || !mg.exists || !mg.has_packed || !mg.old || !mg.legacy || !mg.digests || !mg.placed ||
        !mg.placed_ok || !mg.entry || !mg.entry_len || !mg.group || !wa.left)
        rc = mlops__err_nomem(b->fn);
    for (size_t k = 0; mg.todo && k < nw; k++) mg.todo[k] = k;
    mg.ntodo = nw;
    *late_rows = 0;
    pthread_mutex_init(&mg.lock, NULL);
    for (int round = 0; !rc && mg.ntodo; round++) {
        if (round == 1000) {
            rc = mlops__err(MLOPS_EBUSY, "%s: monitor '%s': other ingests kept changing the same windows",
                            b->fn, b->m->name);
            break;
        }
        if ((rc = mlops__store_read(s, read_tx, &mg))) break;
        mg.next = 0;
        mg.rc = 0;
        mlops__pool_run(mg.ntodo < threads ? (unsigned)mg.ntodo : threads, merge_worker, &mg);
        if (mg.rc) {
            rc = mlops__err(mg.rc, "%s: %s", b->fn, mg.msg);
            merge_clear_placed(&mg, 1);
            break;
        }
        rc = put_groups(&mg, threads);
        size_t nplaced = 0; /* put_groups packs them at the front */
        while (nplaced < nw && mg.placed_ok[nplaced]) nplaced++;
        if (!rc) rc = mlops__objects_sync(s, mg.placed, nplaced);
        if (!rc) rc = mlops__store_write(s, write_tx, &wa);
        merge_clear_placed(&mg, rc != MLOPS_OK);
        if (rc) break;
        *late_rows += wa.late_rows;
        memcpy(mg.todo, wa.left, wa.nleft * sizeof *mg.todo);
        mg.ntodo = wa.nleft;
    }
    pthread_mutex_destroy(&mg.lock);
    if (mg.entry && mg.placed_ok) merge_clear_placed(&mg, 1);
    free(mg.todo);
    free(mg.exists);
    free(mg.has_packed);
    free(mg.old);
    free(mg.legacy);
    free(mg.digests);
    free(mg.placed);
    free(mg.placed_ok);
    free(mg.entry);
    free(mg.entry_len);
    free(mg.group);
    free(wa.left);
    return rc;
}

typedef struct reserve_op {
    int64_t monitor_id;
    int64_t n, end;
} reserve_op;

static int reserve_tx(mlops__conn *c, void *arg)
{
    reserve_op *op = arg;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "UPDATE mon_label_settings SET rows_assigned = rows_assigned + ?2 "
                                 "WHERE monitor_id = ?1 RETURNING rows_assigned", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, op->monitor_id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, op->n);
    if (!rc) rc = mlops__conn_step_id(c, st, "numbering rows", &op->end);
    return rc;
}

/* Row windows: numbers the batch's rows in arrival order, in a write
 * transaction of its own so that concurrent ingests get disjoint ranges;
 * the row numbers stand for the times (*out, malloc'd). */
static int reserve_rows(mlops_store *s, batch *b, size_t n, int64_t **out)
{
    if (n > (size_t)INT64_MAX / 2) return mlops__err(MLOPS_EINVAL, "%s: too many rows", b->fn);
    int64_t *t = malloc(n * sizeof *t);
    if (!t) return mlops__err_nomem(b->fn);
    reserve_op op = { b->m->id, (int64_t)n, 0 };
    int rc = mlops__store_write(s, reserve_tx, &op);
    if (rc) {
        free(t);
        return rc;
    }
    for (size_t r = 0; r < n; r++) t[r] = op.end - (int64_t)n + (int64_t)r;
    *out = t;
    return MLOPS_OK;
}

MLOPS_API int mlops_monitor_ingest(mlops_store *s, const char *name, size_t n_rows,
                                   const int64_t *time_ms, size_t n_columns,
                                   const char *const *names, const double *const *numeric,
                                   const char *const *const *strings,
                                   const mlops_monitor_ingest_opts *opts,
                                   mlops_monitor_ingest_result *res)
{
    const char *fn = __func__;
    if (!s) return mlops__err_null(fn, "s");
    mlops_monitor_ingest_opts dflt = MLOPS_MONITOR_INGEST_OPTS_INIT;
    if (!opts) opts = &dflt;
    int rc = mlops__monitor_check_name(fn, name);
    if (!rc) rc = mlops__opts_check(fn, opts->version, MLOPS_MONITOR_INGEST_OPTS_VERSION,
                                    "mlops_monitor_ingest_opts_init");
    if (!rc && res)
        rc = mlops__opts_check(fn, res->version, MLOPS_MONITOR_INGEST_RESULT_VERSION,
                               "mlops_monitor_ingest_result_init");
    if (!rc) rc = mlops__check_array(fn, "names", names, n_columns, sizeof *names);
    if (!rc && n_columns > MLOPS_MONITOR_COLUMNS_MAX)
        rc = mlops__err(MLOPS_EINVAL, "%s: n_columns %zu is more than a monitor has", fn, n_columns);
    if (!rc && n_columns && !numeric && !strings)
        rc = mlops__err(MLOPS_EINVAL, "%s: numeric and strings are both NULL", fn);
    if (!rc) rc = mlops__store_check_writable(s, fn);
    if (rc) return rc;
    batch b;
    memset(&b, 0, sizeof b);
    b.fn = fn;
    if ((rc = mlops__monitor_read(s, fn, name, &b.m))) return rc;
    b.ncols = b.m->spec.n_columns;
    b.num = calloc(b.ncols, sizeof *b.num);
    b.str = calloc(b.ncols, sizeof *b.str);
    b.refs = calloc(b.ncols, sizeof *b.refs);
    if (!b.num || !b.str || !b.refs) rc = mlops__err_nomem(fn);
    if (!rc && !b.m->window_rows) rc = mlops__check_array(fn, "time_ms", time_ms, n_rows, sizeof *time_ms);
    if (!rc) rc = match_columns(&b, n_columns, names, numeric, strings);
    /* Only an id that mlops_monitor_labels_ingest takes: a prediction
     * stored under another could never be labeled (and PostgreSQL refuses
     * one that is not UTF-8 late, for the whole batch). */
    for (size_t r = 0; !rc && b.id_str && r < n_rows; r++)
        if (b.id_str[r] && mlops__check_name(fn, "id", b.id_str[r], 1024))
            rc = mlops__err(MLOPS_EINVAL, "%s: row %zu: its id is not one labels can name "
                                          "(1 to 1024 bytes of UTF-8, no control character)",
                            fn, r);
    if (!rc && n_rows == 0) {
        batch_clear(&b);
        if (res) res->rows = res->windows = res->late_rows = 0;
        return MLOPS_OK;
    }
    for (size_t i = 0; !rc && i < b.ncols; i++) {
        rc = mlops_profile_get(s, &b.m->cols[i].reference, &b.refs[i]);
        if (rc) {
            char msg[600];
            snprintf(msg, sizeof msg, "%s", mlops_last_error());
            rc = mlops__err(rc, "%s: the reference of column '%s': %s", fn, b.m->col_names[i], msg);
        }
    }
    int64_t *row_numbers = NULL;
    if (!rc && b.m->window_rows) {
        rc = reserve_rows(s, &b, n_rows, &row_numbers);
        time_ms = row_numbers;
    }
    if (!rc) rc = cut_windows(&b, time_ms, n_rows);
    free(row_numbers);
    if (!rc) {
        b.bufs = calloc(b.nwin * b.ncols, sizeof *b.bufs);
        b.lens = calloc(b.nwin * b.ncols, sizeof *b.lens);
        b.cols_done = calloc(b.nwin, sizeof *b.cols_done);
        b.entry = calloc(b.nwin, sizeof *b.entry);
        b.entry_len = calloc(b.nwin, sizeof *b.entry_len);
        if (!b.bufs || !b.lens || !b.cols_done || !b.entry || !b.entry_len) rc = mlops__err_nomem(fn);
    }
    unsigned threads = mlops__pool_threads(opts->threads);
    if (!rc) {
        pthread_mutex_init(&b.lock, NULL);
        size_t tasks = b.nwin * b.ncols;
        mlops__pool_run(tasks < threads ? (unsigned)tasks : threads, build_worker, &b);
        pthread_mutex_destroy(&b.lock);
        if (b.rc) rc = mlops__err(b.rc, "%s: %s", fn, b.msg);
    }
    uint64_t late = 0;
    if (!rc) rc = merge_and_record(s, &b, threads, &late);
    if (!rc && res) {
        res->rows = n_rows;
        res->windows = b.nwin;
        res->late_rows = late;
    }
    batch_clear(&b);
    return rc;
}
