/* Reading the runs of a comparison page and turning each metric history
 * into the points its chart draws (compare_internal.h). */
#include "store/store_internal.h"
#include "track/compare_internal.h"
#include "track/metric_internal.h"
#include "track/run_info.h"
#include "track/track_internal.h"
#include "util/err.h"
#include "util/lttb.h"
#include "util/str.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct load_arg {
    const char *fn;
    const char *const *ids;
    size_t n, max_points;
    int x_axis;
    mlops__compare *cmp;
    /* Scratch reused from history to history: a long history's finite
     * points, and the indices LTTB keeps. */
    double *sx, *sy;
    size_t scap;
    size_t *idx;
};

static int nomem(void)
{
    return mlops__err_nomem("comparing runs");
}

void mlops__compare_clear(mlops__compare *cmp)
{
    for (size_t i = 0; i < cmp->n_runs; i++) {
        if (cmp->runs) mlops_run_info_free(cmp->runs[i]);
        if (cmp->labels) free(cmp->labels[i]);
        if (cmp->experiments) free(cmp->experiments[i]);
    }
    for (size_t i = 0; cmp->curves && i < cmp->n_metrics * cmp->n_runs; i++) {
        free(cmp->curves[i].x);
        free(cmp->curves[i].y);
    }
    free(cmp->runs);
    free(cmp->labels);
    free(cmp->experiments);
    free(cmp->keys);
    free(cmp->curves);
    free(cmp->param_keys);
    free(cmp->param_differs);
    memset(cmp, 0, sizeof *cmp);
}

static int load_runs(mlops__conn *c, struct load_arg *a)
{
    int64_t *seqs = malloc(a->n * sizeof *seqs);
    if (!seqs) return nomem();
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < a->n; i++)
        rc = mlops__track_run_seq(c, a->fn, a->ids[i], &seqs[i], NULL);
    mlops__run_info_list list = { NULL, 0, 0 };
    if (!rc) rc = mlops__run_infos_load(c, seqs, a->n, &list);
    free(seqs);
    if (!rc && list.n != a->n)
        rc = mlops__err(MLOPS_ECORRUPT, "%s: %zu of %zu runs read", a->fn, list.n, a->n);
    if (rc) {
        mlops__run_info_list_clear(&list);
        free(list.items);
        return rc;
    }
    a->cmp->runs = list.items;
    a->cmp->n_runs = a->n;
    return MLOPS_OK;
}

static int load_experiments(mlops__conn *c, struct load_arg *a)
{
    mlops__compare *cmp = a->cmp;
    cmp->experiments = calloc(cmp->n_runs, sizeof *cmp->experiments);
    if (!cmp->experiments) return nomem();
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT name FROM experiments WHERE id = ?1", &st);
    for (size_t i = 0; !rc && i < cmp->n_runs; i++) {
        int64_t id = mlops_run_info_experiment_id(cmp->runs[i]);
        for (size_t j = 0; j < i && !cmp->experiments[i]; j++) /* runs often share one */
            if (mlops_run_info_experiment_id(cmp->runs[j]) == id)
                cmp->experiments[i] = mlops__strdup(cmp->experiments[j]);
        if (!cmp->experiments[i]) {
            rc = mlops__bind_int64(c, st, 1, id);
            int step = rc ? MLOPS__DONE : mlops__step(st);
            if (!rc && step == MLOPS__ROW) cmp->experiments[i] = mlops__strdup(mlops__col_text(st, 0));
            else if (!rc && step == MLOPS__DONE)
                rc = mlops__err(MLOPS_ECORRUPT, "%s: run %s names experiment %lld, which is missing",
                                a->fn, mlops_run_info_id(cmp->runs[i]), (long long)id);
            else if (!rc) rc = mlops__conn_error(c, step, "reading an experiment");
            mlops__reset(st);
        }
        if (!rc && !cmp->experiments[i]) rc = nomem();
    }
    return rc;
}

int mlops__compare_key_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The keys of one kind (metrics or params) of every run, sorted, once
 * each, into *keys (borrowed from the snapshots) and *count. */
static int union_keys(const mlops__compare *cmp, int params, const char ***keys, size_t *count)
{
    size_t total = 0;
    for (size_t i = 0; i < cmp->n_runs; i++)
        total += params ? mlops_run_info_param_count(cmp->runs[i])
                        : mlops_run_info_metric_count(cmp->runs[i]);
    const char **k = malloc((total ? total : 1) * sizeof *k);
    if (!k) return nomem();
    size_t n = 0;
    for (size_t i = 0; i < cmp->n_runs; i++) {
        const mlops_run_info *ri = cmp->runs[i];
        const mlops_metric_summary *m;
        const char *key;
        size_t count_i = params ? mlops_run_info_param_count(ri) : mlops_run_info_metric_count(ri);
        for (size_t j = 0; j < count_i; j++) {
            if (params && mlops_run_info_param_at(ri, j, &key, NULL) == MLOPS_OK) k[n++] = key;
            if (!params && mlops_run_info_metric_at(ri, j, &m) == MLOPS_OK) k[n++] = m->key;
        }
    }
    qsort(k, n, sizeof *k, mlops__compare_key_cmp);
    size_t out = 0;
    for (size_t i = 0; i < n; i++)
        if (!out || strcmp(k[out - 1], k[i]) != 0) k[out++] = k[i];
    *keys = k;
    *count = out;
    return MLOPS_OK;
}

/* Which params differ: some run lacks the key or has another value. */
static int compare_params(mlops__compare *cmp)
{
    cmp->param_differs = calloc(cmp->n_params ? cmp->n_params : 1, 1);
    if (!cmp->param_differs) return nomem();
    for (size_t k = 0; k < cmp->n_params; k++) {
        const char *first = mlops_run_info_param(cmp->runs[0], cmp->param_keys[k]);
        for (size_t r = 1; r < cmp->n_runs && !cmp->param_differs[k]; r++) {
            const char *v = mlops_run_info_param(cmp->runs[r], cmp->param_keys[k]);
            cmp->param_differs[k] = !first || !v || strcmp(first, v) != 0;
        }
    }
    return MLOPS_OK;
}

/* A run's name, else the first 8 digits of its id; where two runs would
 * be called alike, each of them gets its id's first 8 digits after, and
 * where even those agree, its whole id. */
static int make_labels(mlops__compare *cmp)
{
    size_t n = cmp->n_runs;
    cmp->labels = calloc(n, sizeof *cmp->labels);
    unsigned char *shared = calloc(n, 1);
    int rc = cmp->labels && shared ? MLOPS_OK : nomem();
    for (int pass = 0; !rc && pass < 3; pass++) {
        /* Who shares a label is settled for the whole pass before any
         * label changes, so both runs of a pair get the longer one. */
        for (size_t i = 0; pass > 0 && i < n; i++) {
            shared[i] = 0;
            for (size_t j = 0; j < n && !shared[i]; j++)
                shared[i] = j != i && strcmp(cmp->labels[i], cmp->labels[j]) == 0;
        }
        for (size_t i = 0; !rc && i < n; i++) {
            if (pass > 0 && !shared[i]) continue;
            const char *name = mlops_run_info_name(cmp->runs[i]), *id = mlops_run_info_id(cmp->runs[i]);
            int digits = pass < 2 ? 8 : MLOPS_RUN_ID_LEN;
            char buf[MLOPS_RUN_NAME_MAX + MLOPS_RUN_ID_LEN + 8];
            if (pass == 0 && name) snprintf(buf, sizeof buf, "%s", name);
            else if (!name) snprintf(buf, sizeof buf, "%.*s", digits, id);
            else snprintf(buf, sizeof buf, "%s (%.*s)", name, digits, id);
            char *l = mlops__strdup(buf);
            if (!l) rc = nomem();
            else {
                free(cmp->labels[i]);
                cmp->labels[i] = l;
            }
        }
    }
    free(shared);
    return rc;
}

static int scratch(struct load_arg *a, size_t n)
{
    if (n <= a->scap) return MLOPS_OK;
    double *x = realloc(a->sx, n * sizeof *x);
    if (!x) return nomem();
    a->sx = x;
    double *y = realloc(a->sy, n * sizeof *y);
    if (!y) return nomem();
    a->sy = y;
    a->scap = n;
    return MLOPS_OK;
}

typedef struct xy {
    double x, y;
} xy;

static int xy_cmp(const void *p, const void *q)
{
    const xy *u = p, *v = q;
    return u->x < v->x ? -1 : u->x > v->x;
}

/* Sorts the n scratch points by x (for the time axis: a history is in
 * step order, and a clock may disagree with the steps). */
static int sort_by_x(struct load_arg *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (a->sx[i] < a->sx[i - 1]) {
            xy *t = malloc(n * sizeof *t);
            if (!t) return nomem();
            for (size_t k = 0; k < n; k++) t[k] = (xy){ a->sx[k], a->sy[k] };
            qsort(t, n, sizeof *t, xy_cmp);
            for (size_t k = 0; k < n; k++) {
                a->sx[k] = t[k].x;
                a->sy[k] = t[k].y;
            }
            free(t);
            return MLOPS_OK;
        }
    }
    return MLOPS_OK;
}

/* The history of key of run r, down to the points its curve draws. */
static int load_curve(mlops__conn *c, struct load_arg *a, size_t m, size_t r)
{
    mlops__compare *cmp = a->cmp;
    const mlops_run_info *ri = cmp->runs[r];
    mlops__curve *cv = &cmp->curves[m * cmp->n_runs + r];
    if (!mlops_run_info_metric(ri, cmp->keys[m])) return MLOPS_OK;
    mlops_metric_point *p = NULL;
    size_t n = 0;
    int rc = mlops__metric_points_read(c, a->fn, mlops_run_info_id(ri), cmp->keys[m], &p, &n);
    if (!rc) rc = scratch(a, n);
    if (rc) {
        free(p);
        return rc;
    }
    size_t nf = 0;
    int64_t start = mlops_run_info_start_ms(ri);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(p[i].value)) continue; /* NaN and infinities have no place on an axis */
        /* times are any int64: their difference may not fit one */
        int64_t since;
        double dt = __builtin_sub_overflow(p[i].ts_ms, start, &since)
                        ? (double)p[i].ts_ms - (double)start
                        : (double)since;
        a->sx[nf] = a->x_axis == MLOPS_RUN_COMPARE_X_TIME ? dt / 1000.0 : (double)p[i].step;
        a->sy[nf++] = p[i].value;
    }
    free(p);
    cv->present = 1;
    cv->total = n;
    cv->finite = nf;
    if (a->x_axis == MLOPS_RUN_COMPARE_X_TIME && (rc = sort_by_x(a, nf))) return rc;
    size_t k = mlops__lttb(a->sx, a->sy, nf, a->max_points, a->idx);
    cv->x = malloc((k ? k : 1) * sizeof *cv->x);
    cv->y = malloc((k ? k : 1) * sizeof *cv->y);
    if (!cv->x || !cv->y) return nomem();
    for (size_t i = 0; i < k; i++) {
        cv->x[i] = a->sx[a->idx[i]];
        cv->y[i] = a->sy[a->idx[i]];
    }
    cv->n = k;
    return MLOPS_OK;
}

static int load_tx(mlops__conn *c, void *arg)
{
    struct load_arg *a = arg;
    mlops__compare_clear(a->cmp); /* a retried transaction runs this again (lib/store/store.c run_tx) */
    int rc = load_runs(c, a);
    if (!rc) rc = load_experiments(c, a);
    if (!rc) rc = union_keys(a->cmp, 0, &a->cmp->keys, &a->cmp->n_metrics);
    if (!rc) rc = union_keys(a->cmp, 1, &a->cmp->param_keys, &a->cmp->n_params);
    if (!rc) rc = compare_params(a->cmp);
    if (!rc) rc = make_labels(a->cmp);
    if (!rc && a->cmp->n_metrics) {
        a->cmp->curves = calloc(a->cmp->n_metrics * a->cmp->n_runs, sizeof *a->cmp->curves);
        if (!a->cmp->curves) rc = nomem();
    }
    for (size_t m = 0; !rc && m < a->cmp->n_metrics; m++)
        for (size_t r = 0; !rc && r < a->cmp->n_runs; r++) rc = load_curve(c, a, m, r);
    return rc;
}

int mlops__compare_load(mlops_store *s, const char *fn, const char *const *run_ids, size_t n,
                        size_t max_points, int x_axis, mlops__compare *cmp)
{
    memset(cmp, 0, sizeof *cmp);
    struct load_arg a = { fn, run_ids, n, max_points, x_axis, cmp, NULL, NULL, 0, NULL };
    a.idx = malloc(max_points * sizeof *a.idx);
    if (!a.idx) return nomem();
    int rc = mlops__store_read(s, load_tx, &a);
    free(a.sx);
    free(a.sy);
    free(a.idx);
    if (rc) mlops__compare_clear(cmp);
    return rc;
}
