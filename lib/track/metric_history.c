/* Reading a metric's history: all points, a step range, or min/max per
 * bucket of steps. */
#include "store/store_internal.h"
#include "track/metric_internal.h"
#include "track/track_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_history_opts_init(mlops_history_opts *opts, unsigned version)
{
    static const mlops_history_opts defaults = MLOPS_HISTORY_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_HISTORY_OPTS_VERSION);
}

struct history_arg {
    const char *func;
    const char *run_id, *key;
    int64_t lo, hi;
    mlops_metric_point *pts;
    size_t n, cap;
    int sorted;
    mlops_metric_point tail[MLOPS__TAIL_MAX];
    size_t ntail;
};

static int grow(struct history_arg *a, size_t need)
{
    if (a->cap - a->n >= need) return MLOPS_OK;
    size_t cap = a->cap ? a->cap : 1024;
    while (cap - a->n < need) {
        if (cap > SIZE_MAX / 2 / sizeof *a->pts) return mlops__err_nomem("reading a metric history");
        cap *= 2;
    }
    mlops_metric_point *p = realloc(a->pts, cap * sizeof *p);
    if (!p) return mlops__err_nomem("reading a metric history");
    a->pts = p;
    a->cap = cap;
    return MLOPS_OK;
}

/* The series id and point count of (run, key), and its tail decoded into
 * a->tail. */
static int find_series(mlops__conn *c, struct history_arg *a, int64_t *series, int64_t *count)
{
    int64_t run;
    int rc = mlops__track_run_seq(c, a->func, a->run_id, &run, NULL);
    if (rc) return rc;
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "SELECT id, count, tail FROM metric_series WHERE run = ?1 AND key = ?2",
                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, run);
    if (!rc) rc = mlops__bind_text(c, st, 2, a->key);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        *series = mlops__col_int64(st, 0);
        *count = mlops__col_int64(st, 1);
        rc = mlops__tail_decode(st, 2, a->tail, &a->ntail);
    } else if (step == MLOPS__DONE) {
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: run %s has no metric '%s'", a->func, a->run_id,
                        a->key);
    } else {
        rc = mlops__conn_error(c, step, "reading a metric summary");
    }
    mlops__reset(st);
    return rc;
}

static int history_tx(mlops__conn *c, void *arg)
{
    struct history_arg *a = arg;
    a->n = 0; /* a retried transaction runs this again (lib/store/store.c run_tx) */
    a->sorted = 1;
    int64_t series = 0, count = 0;
    int rc = find_series(c, a, &series, &count);
    if (rc == MLOPS_ECORRUPT)
        return mlops__err(MLOPS_ECORRUPT, "%s: the stored tail of metric '%s' of run %s is "
                                          "malformed",
                          a->func, a->key, a->run_id);
    if (rc) return rc;
    if (a->lo == INT64_MIN && a->hi == INT64_MAX && count > 0) rc = grow(a, (size_t)count);
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "SELECT n, data FROM metric_blocks WHERE series = ?1 "
                              "AND first_step <= ?3 AND last_step >= ?2 "
                              "ORDER BY first_step, last_step",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, series);
    if (!rc) rc = mlops__bind_int64(c, st, 2, a->lo);
    if (!rc) rc = mlops__bind_int64(c, st, 3, a->hi);
    if (rc) return rc;
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        int64_t bn = mlops__col_int64(st, 0);
        if (bn < 1 || bn > MLOPS__BLOCK_MAX) {
            rc = MLOPS_ECORRUPT;
            break;
        }
        rc = grow(a, (size_t)bn);
        if (rc) break;
        mlops_metric_point *at = a->pts + a->n;
        const void *data = mlops__col_blob(st, 1);
        size_t len = (size_t)mlops__col_bytes(st, 1), got;
        /* room was made for bn points: the data must hold that many */
        if (mlops__block_count(data, len, &got) || got != (size_t)bn) {
            rc = MLOPS_ECORRUPT;
            break;
        }
        rc = mlops__block_decode(data, len, at, &got);
        if (rc) break;
        if (a->n && mlops__point_cmp(&a->pts[a->n - 1], &at[0]) >= 0) a->sorted = 0;
        a->n += got;
    }
    if (rc == MLOPS_ECORRUPT)
        rc = mlops__err(MLOPS_ECORRUPT, "%s: a stored block of metric '%s' of run %s is malformed",
                        a->func, a->key, a->run_id);
    else if (!rc && step != MLOPS__DONE)
        rc = mlops__conn_error(c, step, "reading metric blocks");
    mlops__reset(st);
    if (!rc && a->ntail) { /* the newest points, not yet in a block */
        rc = grow(a, a->ntail);
        if (!rc) {
            if (a->n && mlops__point_cmp(&a->pts[a->n - 1], &a->tail[0]) >= 0) a->sorted = 0;
            memcpy(a->pts + a->n, a->tail, a->ntail * sizeof *a->tail);
            a->n += a->ntail;
        }
    }
    return rc;
}

static int point_qsort_cmp(const void *x, const void *y)
{
    return mlops__point_cmp(x, y);
}

/* Keeps, per bucket of steps, the points with the least and the greatest
 * value (NaN ignored; a bucket of NaN only keeps its first point), in step
 * order. The buckets split [first step, last step] into equal widths. */
static size_t downsample(mlops_metric_point *p, size_t n, size_t buckets)
{
    if (n == 0) return 0;
    const uint64_t base = (uint64_t)p[0].step; /* p[0] is overwritten below */
    /* One bucket over steps INT64_MIN..INT64_MAX is 2^64 wide, more than
     * a uint64_t holds: width 0 stands for it (everything in bucket 0). */
    uint64_t q = ((uint64_t)p[n - 1].step - base) / buckets;
    uint64_t width = q == UINT64_MAX ? 0 : q + 1;
#define BUCKET_OF(step) (width ? ((uint64_t)(step) - base) / width : 0)
    size_t out = 0, i = 0;
    while (i < n) {
        uint64_t b = BUCKET_OF(p[i].step);
        size_t first = i, lo = SIZE_MAX, hi = SIZE_MAX;
        for (; i < n && BUCKET_OF(p[i].step) == b; i++) {
            if (isnan(p[i].value)) continue;
            if (lo == SIZE_MAX || p[i].value < p[lo].value) lo = i;
            if (hi == SIZE_MAX || p[i].value > p[hi].value) hi = i;
        }
        if (lo == SIZE_MAX) {
            p[out++] = p[first];
        } else if (lo == hi) {
            p[out++] = p[lo];
        } else {
            size_t a = lo < hi ? lo : hi, z = lo < hi ? hi : lo;
            mlops_metric_point pa = p[a], pz = p[z];
            p[out++] = pa;
            p[out++] = pz;
        }
    }
#undef BUCKET_OF
    return out;
}

/* Runs history_tx for a (range defaults set by the caller) through c;
 * on success hands the points, sorted, to *points and *count. */
static int read_points(mlops__conn *c, struct history_arg *a, mlops_metric_point **points,
                       size_t *count)
{
    int rc = history_tx(c, a);
    if (rc) {
        free(a->pts);
        a->pts = NULL;
        return rc;
    }
    if (!a->sorted) qsort(a->pts, a->n, sizeof *a->pts, point_qsort_cmp);
    *points = a->pts;
    *count = a->n;
    a->pts = NULL;
    return MLOPS_OK;
}

int mlops__metric_points_read(mlops__conn *c, const char *fn, const char *run_id,
                              const char *key, mlops_metric_point **points, size_t *count)
{
    *points = NULL;
    *count = 0;
    struct history_arg *a = malloc(sizeof *a); /* the tail makes it big for a stack */
    if (!a) return mlops__err_nomem("reading a metric history");
    *a = (struct history_arg){ fn, run_id, key, INT64_MIN, INT64_MAX, NULL, 0, 0, 1, { { 0, 0, 0 } }, 0 };
    int rc = read_points(c, a, points, count);
    free(a);
    return rc;
}

MLOPS_API int mlops_metric_history(mlops_store *s, const char *run_id, const char *key,
                                   const mlops_history_opts *opts, mlops_metric_point **points,
                                   size_t *count)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!points) return mlops__err_null(__func__, "points");
    if (!count) return mlops__err_null(__func__, "count");
    *points = NULL;
    *count = 0;
    int rc = mlops__track_check_run_id(__func__, run_id);
    if (!rc) rc = mlops__track_check_key(__func__, "metric key", key);
    if (rc) return rc;
    mlops_history_opts o = MLOPS_HISTORY_OPTS_INIT;
    if (opts) {
        if (mlops__opts_check(__func__, opts->version, MLOPS_HISTORY_OPTS_VERSION,
                              "mlops_history_opts_init"))
            return MLOPS_EINVAL;
        o = *opts;
    }
    if (o.step_min > o.step_max)
        return mlops__err(MLOPS_EINVAL, "%s: step_min %lld is greater than step_max %lld", __func__,
                          (long long)o.step_min, (long long)o.step_max);

    struct history_arg *a = malloc(sizeof *a); /* the tail makes it big for a stack */
    if (!a) return mlops__err_nomem("reading a metric history");
    *a = (struct history_arg){ __func__, run_id, key, o.step_min, o.step_max, NULL, 0, 0, 1, { { 0, 0, 0 } }, 0 };
    rc = mlops__store_read(s, history_tx, a);
    mlops_metric_point *pts = a->pts;
    size_t n = a->n;
    int sorted = a->sorted;
    free(a);
    if (rc) {
        free(pts);
        return rc;
    }
    if (!sorted) qsort(pts, n, sizeof *pts, point_qsort_cmp);
    if (o.step_min != INT64_MIN || o.step_max != INT64_MAX) {
        size_t out = 0; /* blocks and the tail may reach past the range */
        for (size_t i = 0; i < n; i++)
            if (pts[i].step >= o.step_min && pts[i].step <= o.step_max) pts[out++] = pts[i];
        n = out;
    }
    if (o.buckets) n = downsample(pts, n, o.buckets);
    if (!n) {
        free(pts);
        pts = NULL;
    }
    *points = pts;
    *count = n;
    return MLOPS_OK;
}
