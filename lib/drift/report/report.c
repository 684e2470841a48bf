/* Dataset drift reports: one method per column (Evidently's default rules
 * or the caller's choice), per-column verdicts, optional Benjamini-Hochberg
 * correction, the share of drifted columns and the dataset verdict.
 * Columns are independent, so worker threads take them one at a time. */
#include "drift/drift_internal.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/pool.h"
#include "util/str.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_REFERENCE 1000 /* Evidently's switch between tests and distances */
#define MAX_NAME 1024

struct method_info {
    const char *name;
    double threshold;
    int is_p_value;  /* drift when the (adjusted) p-value is below */
    int inclusive;   /* <= (p-values) or >= (distances); else < or > */
    int numeric_only;
};

static const struct method_info methods[] = {
    [MLOPS_DRIFT_METHOD_KS] = { "ks", 0.05, 1, 1, 1 },
    [MLOPS_DRIFT_METHOD_WASSERSTEIN] = { "wasserstein", 0.1, 0, 1, 1 },
    [MLOPS_DRIFT_METHOD_JENSEN_SHANNON] = { "jensenshannon", 0.1, 0, 1, 0 },
    [MLOPS_DRIFT_METHOD_CHISQ] = { "chisquare", 0.05, 1, 0, 0 },
    [MLOPS_DRIFT_METHOD_Z] = { "z", 0.05, 1, 0, 0 },
    [MLOPS_DRIFT_METHOD_PSI] = { "psi", 0.1, 0, 1, 0 },
    [MLOPS_DRIFT_METHOD_KL] = { "kl_div", 0.1, 0, 1, 0 },
    [MLOPS_DRIFT_METHOD_HELLINGER] = { "hellinger", 0.1, 0, 1, 0 },
    [MLOPS_DRIFT_METHOD_CRAMER_VON_MISES] = { "cramer_von_mises", 0.1, 1, 1, 1 },
    [MLOPS_DRIFT_METHOD_ENERGY] = { "energy_distance", 0.1, 0, 0, 1 },
};
#define N_METHODS ((int)(sizeof methods / sizeof methods[0]))

int mlops__drift_method_rule(int method, int *is_p_value, int *inclusive)
{
    if (method <= 0 || method >= N_METHODS || !methods[method].name) return MLOPS_EINVAL;
    *is_p_value = methods[method].is_p_value;
    *inclusive = methods[method].inclusive;
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_report_opts_init(mlops_drift_report_opts *opts, unsigned version)
{
    static const mlops_drift_report_opts defaults = MLOPS_DRIFT_REPORT_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_DRIFT_REPORT_OPTS_VERSION);
}

/* The report and everything it points to live in one arena. */
typedef struct report_impl {
    mlops_drift_report pub;
    mlops__arena arena;
} report_impl;

MLOPS_API void mlops_drift_report_free(mlops_drift_report *r)
{
    if (!r) return;
    report_impl *ri = (report_impl *)r;
    mlops__arena_free(&ri->arena);
    free(ri);
}

typedef struct job {
    const char *fn; /* the public function reporting */
    size_t ncols;
    const int *kinds;
    const double *const *ref, *const *cur;
    const size_t *nref, *ncur;
    const mlops_drift_report_opts *opts;
    mlops_drift_column_result *res;
    mlops__drift_hist *hists; /* chart data per column, attached after the join */
    pthread_mutex_t lock;
    size_t next;
    int rc;          /* first failure */
    size_t rc_col;
    char msg[1024];
} job;

/* Distinct finite values of two sorted samples with their counts on each
 * side (the union, ascending). */
typedef struct cats {
    size_t k;
    double *ref, *cur; /* counts, as doubles for the count-vector functions */
    double first;      /* smallest value */
} cats;

static int categories_of(const mlops__sample *a, const mlops__sample *b, cats *c)
{
    size_t cap = a->n + b->n;
    c->ref = malloc((cap ? cap : 1) * 2 * sizeof *c->ref);
    if (!c->ref) return mlops__err_nomem("counting categories");
    c->cur = c->ref + (cap ? cap : 1);
    size_t i = 0, j = 0, k = 0;
    while (i < a->n || j < b->n) {
        double v = (j >= b->n || (i < a->n && a->v[i] <= b->v[j])) ? a->v[i] : b->v[j];
        if (k == 0) c->first = v;
        size_t ci = 0, cj = 0;
        while (i < a->n && a->v[i] == v) i++, ci++;
        while (j < b->n && b->v[j] == v) j++, cj++;
        c->ref[k] = (double)ci;
        c->cur[k] = (double)cj;
        k++;
    }
    c->k = k;
    return MLOPS_OK;
}

static size_t count_distinct(const mlops__sample *a, const mlops__sample *b)
{
    size_t i = 0, j = 0, k = 0;
    while (i < a->n || j < b->n) {
        double v = (j >= b->n || (i < a->n && a->v[i] <= b->v[j])) ? a->v[i] : b->v[j];
        while (i < a->n && a->v[i] == v) i++;
        while (j < b->n && b->v[j] == v) j++;
        k++;
    }
    return k;
}

static int auto_method(int kind, size_t nref, size_t nunique)
{
    if (nref <= SMALL_REFERENCE) {
        if (kind == MLOPS_COLUMN_NUMERIC && nunique > 5) return MLOPS_DRIFT_METHOD_KS;
        return nunique > 2 ? MLOPS_DRIFT_METHOD_CHISQ : MLOPS_DRIFT_METHOD_Z;
    }
    if (kind == MLOPS_COLUMN_NUMERIC && nunique > 5) return MLOPS_DRIFT_METHOD_WASSERSTEIN;
    return MLOPS_DRIFT_METHOD_JENSEN_SHANNON;
}

/* Binned figures: categories for categorical columns and for numeric ones
 * with at most `bins` distinct values, else the reference quantile bins. */
static int binned_figures(int kind, const mlops__sample *a, const mlops__sample *b, size_t bins,
                          mlops_binned_result *out)
{
    cats c = { 0 };
    int rc;
    if (kind == MLOPS_COLUMN_CATEGORICAL || count_distinct(a, b) <= bins) {
        rc = categories_of(a, b, &c);
        if (!rc) rc = mlops__binned_from_counts(c.ref, c.cur, c.k, out);
        free(c.ref);
        return rc;
    }
    double *e = malloc((bins - 1) * sizeof *e);
    uint64_t *cnt = calloc(2 * bins, sizeof *cnt);
    double *p = malloc(2 * bins * sizeof *p);
    if (!e || !cnt || !p) {
        rc = mlops__err_nomem("binning a column");
    } else {
        size_t ne = mlops__edges_from_sorted(a->v, a->n, bins, e);
        mlops__bin_add(a->v, a->n, e, ne, cnt);
        mlops__bin_add(b->v, b->n, e, ne, cnt + bins);
        for (size_t i = 0; i <= ne; i++) {
            p[i] = (double)cnt[i];
            p[bins + i] = (double)cnt[bins + i];
        }
        rc = mlops__binned_from_counts(p, p + bins, ne + 1, out);
    }
    free(e);
    free(cnt);
    free(p);
    return rc;
}

static double std_ddof0(const mlops__sample *a)
{
    mlops__moments m;
    mlops__moments_of(a->v, a->n, &m);
    return sqrt(m.m2 / (double)m.n);
}

static int run_column(const job *jb, size_t i, mlops_drift_column_result *r, const char *name)
{
    const char *fn = jb->fn;
    mlops__sample a, b;
    char side[MAX_NAME + 32];
    snprintf(side, sizeof side, "column '%s' reference", name);
    int rc = mlops__sample_load(fn, side, jb->ref[i], jb->nref[i], 1, 1, &a);
    if (rc) return rc;
    snprintf(side, sizeof side, "column '%s' current", name);
    rc = mlops__sample_load(fn, side, jb->cur[i], jb->ncur[i], 1, 1, &b);
    if (rc) {
        mlops__sample_free(&a);
        return rc;
    }
    r->n_ref = a.n;
    r->n_cur = b.n;
    r->ref_nan = a.nan;
    r->ref_inf = a.inf;
    r->cur_nan = b.nan;
    r->cur_inf = b.inf;
    mlops__ztest_counts(a.nan, jb->nref[i], b.nan, jb->ncur[i], &r->missing);
    int method = jb->opts->methods ? jb->opts->methods[i] : MLOPS_DRIFT_METHOD_AUTO;
    if (method == MLOPS_DRIFT_METHOD_AUTO) method = auto_method(r->kind, a.n, count_distinct(&a, &b));
    r->method = method;
    r->method_name = methods[method].name;
    r->p_value = r->log_p_value = NAN;
    mlops_binned_result br = MLOPS_BINNED_RESULT_INIT;
    mlops_test_result t;
    size_t bins = jb->opts->bins;
    switch (method) {
    case MLOPS_DRIFT_METHOD_KS: {
        double d = mlops__ks_statistic(a.v, a.n, b.v, b.n);
        int used;
        mlops__ks_pvalue(d, a.n, b.n, MLOPS_KS_AUTO, &r->statistic, &r->p_value, &r->log_p_value,
                         &used);
        break;
    }
    case MLOPS_DRIFT_METHOD_WASSERSTEIN: {
        double sd = std_ddof0(&a);
        r->statistic = mlops__wasserstein_sorted(a.v, a.n, b.v, b.n) / (sd > 0.001 ? sd : 0.001);
        break;
    }
    case MLOPS_DRIFT_METHOD_ENERGY:
        r->statistic = mlops__energy_sorted(a.v, a.n, b.v, b.n);
        break;
    case MLOPS_DRIFT_METHOD_CRAMER_VON_MISES:
        if (a.n < 2 || b.n < 2) {
            rc = mlops__err(MLOPS_EINVAL, "%s: column '%s': Cramer-von Mises needs 2 values a side", fn, name);
            break;
        }
        rc = mlops__cvm_sorted(a.v, a.n, b.v, b.n, &t);
        r->statistic = t.statistic;
        r->p_value = t.p_value;
        r->log_p_value = log(t.p_value);
        break;
    case MLOPS_DRIFT_METHOD_CHISQ: {
        cats c = { 0 };
        rc = categories_of(&a, &b, &c);
        if (!rc) mlops__chisq_counts(c.ref, c.cur, c.k, &t, &r->log_p_value);
        free(c.ref);
        r->statistic = t.statistic;
        r->p_value = t.p_value;
        break;
    }
    case MLOPS_DRIFT_METHOD_Z: {
        /* Share of the smallest category (Evidently: the first sorted key). */
        cats c = { 0 };
        rc = categories_of(&a, &b, &c);
        if (!rc) {
            mlops__ztest_counts((uint64_t)c.ref[0], a.n, (uint64_t)c.cur[0], b.n, &t);
            r->statistic = t.statistic;
            r->p_value = t.p_value;
            r->log_p_value = t.p_value > 1e-290 ? log(t.p_value) : mlops__norm_log_2sf(t.statistic);
        }
        free(c.ref);
        break;
    }
    default:
        rc = binned_figures(r->kind, &a, &b, bins, &br);
        r->statistic = method == MLOPS_DRIFT_METHOD_PSI       ? br.psi
                       : method == MLOPS_DRIFT_METHOD_KL      ? br.kl
                       : method == MLOPS_DRIFT_METHOD_HELLINGER ? br.hellinger
                                                               : br.jensen_shannon;
        break;
    }
    if (!rc) rc = mlops__drift_hist_compute(fn, r->kind, &a, &b, &jb->hists[i]);
    mlops__sample_free(&a);
    mlops__sample_free(&b);
    return rc;
}

static void worker(void *arg)
{
    job *jb = arg;
    for (;;) {
        pthread_mutex_lock(&jb->lock);
        size_t i = jb->next++;
        int stop = jb->rc != 0;
        pthread_mutex_unlock(&jb->lock);
        if (i >= jb->ncols || stop) break;
        int rc = run_column(jb, i, &jb->res[i], jb->res[i].name);
        if (rc) {
            pthread_mutex_lock(&jb->lock);
            if (!jb->rc || i < jb->rc_col) {
                jb->rc = rc;
                jb->rc_col = i;
                /* Messages are per thread: carry it to the caller's. */
                snprintf(jb->msg, sizeof jb->msg, "%s", mlops_last_error());
            }
            pthread_mutex_unlock(&jb->lock);
        }
    }
}

static int cmp_names(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int validate(const char *fn, size_t ncols, const char *const *names, const int *kinds,
                    const double *const *ref, const size_t *nref, const double *const *cur,
                    const size_t *ncur, const mlops_drift_report_opts *o)
{
    if (ncols == 0) return mlops__err(MLOPS_EINVAL, "%s: no columns", fn);
    if (!names) return mlops__err_null(fn, "names");
    if (!kinds) return mlops__err_null(fn, "kinds");
    if (!ref) return mlops__err_null(fn, "ref");
    if (!nref) return mlops__err_null(fn, "nref");
    if (!cur) return mlops__err_null(fn, "cur");
    if (!ncur) return mlops__err_null(fn, "ncur");
    /* One entry per column in each array: a count no array can hold is
     * refused before any is read. */
    if (mlops__check_array(fn, "names", names, ncols, sizeof *names) ||
        mlops__check_array(fn, "ref", ref, ncols, sizeof *ref) ||
        mlops__check_array(fn, "nref", nref, ncols, sizeof *nref))
        return MLOPS_EINVAL;
    if (o->version == 0 || o->version > MLOPS_DRIFT_REPORT_OPTS_VERSION)
        return mlops__err(MLOPS_EINVAL, "%s: opts->version is %u", fn, o->version);
    if (!(o->drift_share > 0.0 && o->drift_share <= 1.0))
        return mlops__err(MLOPS_EINVAL, "%s: drift_share = %g is not in (0, 1]", fn, o->drift_share);
    if (o->correction != MLOPS_DRIFT_CORRECTION_NONE && o->correction != MLOPS_DRIFT_CORRECTION_BH)
        return mlops__err(MLOPS_EINVAL, "%s: unknown correction %d", fn, o->correction);
    if (o->bins < 2 || o->bins > 65536)
        return mlops__err(MLOPS_EINVAL, "%s: bins is %u (must be 2..65536)", fn, o->bins);
    for (size_t i = 0; i < ncols; i++) {
        int rc = mlops__check_name(fn, "column name", names[i], MAX_NAME);
        if (rc) return rc;
        if (kinds[i] != MLOPS_COLUMN_NUMERIC && kinds[i] != MLOPS_COLUMN_CATEGORICAL)
            return mlops__err(MLOPS_EINVAL, "%s: column '%s' has unknown kind %d", fn, names[i], kinds[i]);
        if ((!ref[i] && nref[i]) || (!cur[i] && ncur[i]))
            return mlops__err(MLOPS_EINVAL, "%s: column '%s' has a NULL array", fn, names[i]);
        if (mlops__check_array(fn, "ref[i]", ref[i], nref[i], sizeof *ref[i]) ||
            mlops__check_array(fn, "cur[i]", cur[i], ncur[i], sizeof *cur[i]))
            return MLOPS_EINVAL;
        int m = o->methods ? o->methods[i] : MLOPS_DRIFT_METHOD_AUTO;
        if (m < 0 || m >= N_METHODS || (m != 0 && !methods[m].name))
            return mlops__err(MLOPS_EINVAL, "%s: column '%s' has unknown method %d", fn, names[i], m);
        if (m && methods[m].numeric_only && kinds[i] == MLOPS_COLUMN_CATEGORICAL)
            return mlops__err(MLOPS_EINVAL, "%s: column '%s' is categorical: method '%s' needs ordered values",
                              fn, names[i], methods[m].name);
        if (o->thresholds && !isnan(o->thresholds[i]) &&
            !(o->thresholds[i] >= 0.0 && isfinite(o->thresholds[i])))
            return mlops__err(MLOPS_EINVAL, "%s: column '%s' has threshold %g", fn, names[i], o->thresholds[i]);
    }
    const char **sorted = malloc(ncols * sizeof *sorted);
    if (!sorted) return mlops__err_nomem(fn);
    memcpy(sorted, names, ncols * sizeof *sorted);
    qsort(sorted, ncols, sizeof *sorted, cmp_names);
    for (size_t i = 1; i < ncols; i++)
        if (!strcmp(sorted[i - 1], sorted[i])) {
            int rc = mlops__err(MLOPS_EINVAL, "%s: column name '%s' appears twice", fn, sorted[i]);
            free(sorted);
            return rc;
        }
    free(sorted);
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_report_compute(size_t ncols, const char *const *names, const int *kinds,
                               const double *const *ref, const size_t *nref,
                               const double *const *cur, const size_t *ncur,
                               const mlops_drift_report_opts *opts, mlops_drift_report **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    mlops_drift_report_opts d = MLOPS_DRIFT_REPORT_OPTS_INIT;
    if (!opts) opts = &d;
    int rc = validate(__func__, ncols, names, kinds, ref, nref, cur, ncur, opts);
    if (rc) return rc;
    report_impl *ri = calloc(1, sizeof *ri);
    if (!ri) return mlops__err_nomem(__func__);
    mlops__arena *ar = &ri->arena;
    mlops_drift_column_result *res = mlops__arena_alloc(ar, ncols * sizeof *res);
    const mlops_drift_column_result **ptrs = mlops__arena_alloc(ar, ncols * sizeof *ptrs);
    if (!res || !ptrs) goto nomem;
    memset(res, 0, ncols * sizeof *res);
    for (size_t i = 0; i < ncols; i++) {
        res[i].name = mlops__arena_strdup(ar, names[i]);
        if (!res[i].name) goto nomem;
        res[i].kind = kinds[i];
        ptrs[i] = &res[i];
    }
    mlops__drift_hist *hists = calloc(ncols, sizeof *hists);
    if (!hists) goto nomem;
    job jb = { .fn = __func__, .ncols = ncols, .kinds = kinds, .ref = ref, .cur = cur,
               .nref = nref, .ncur = ncur, .opts = opts, .res = res, .hists = hists };
    pthread_mutex_init(&jb.lock, NULL);
    unsigned want = mlops__pool_threads(opts->threads);
    unsigned nthreads = want < ncols ? want : (unsigned)ncols;
    mlops__pool_run(nthreads, worker, &jb); /* the caller's thread works too */
    pthread_mutex_destroy(&jb.lock);
    for (size_t i = 0; i < ncols; i++) {
        if (!jb.rc && (jb.rc = mlops__drift_hist_attach(__func__, ar, &hists[i], &res[i])))
            snprintf(jb.msg, sizeof jb.msg, "%s", mlops_last_error());
        mlops__drift_hist_free(&hists[i]);
    }
    free(hists);
    if (jb.rc) {
        rc = mlops__err(jb.rc, "%s", jb.msg);
        mlops_drift_report_free(&ri->pub);
        return rc;
    }
    /* Corrections and verdicts. */
    double *ps = NULL, *adj = NULL;
    size_t np_ = 0;
    if (opts->correction == MLOPS_DRIFT_CORRECTION_BH) {
        ps = malloc(ncols * 2 * sizeof *ps);
        if (!ps) goto nomem;
        adj = ps + ncols;
        for (size_t i = 0; i < ncols; i++)
            if (methods[res[i].method].is_p_value) ps[np_++] = res[i].p_value;
        rc = mlops_drift_bh_adjust(ps, np_, adj);
        if (rc) {
            free(ps);
            mlops_drift_report_free(&ri->pub);
            return rc;
        }
    }
    size_t drifted = 0, pi = 0;
    for (size_t i = 0; i < ncols; i++) {
        mlops_drift_column_result *r = &res[i];
        const struct method_info *mi = &methods[r->method];
        r->adjusted_p_value = r->p_value;
        if (mi->is_p_value && ps) r->adjusted_p_value = adj[pi++];
        r->threshold = (opts->thresholds && !isnan(opts->thresholds[i])) ? opts->thresholds[i] : mi->threshold;
        r->score = mi->is_p_value ? r->adjusted_p_value : r->statistic;
        if (mi->is_p_value)
            r->drifted = mi->inclusive ? r->score <= r->threshold : r->score < r->threshold;
        else
            r->drifted = mi->inclusive ? r->score >= r->threshold : r->score > r->threshold;
        drifted += (size_t)r->drifted;
    }
    free(ps);
    ri->pub.version = MLOPS_DRIFT_REPORT_VERSION;
    ri->pub.n_columns = ncols;
    ri->pub.columns = ptrs;
    ri->pub.n_drifted = drifted;
    ri->pub.share_drifted = (double)drifted / (double)ncols;
    ri->pub.drift_share = opts->drift_share;
    ri->pub.dataset_drift = ri->pub.share_drifted >= opts->drift_share;
    ri->pub.correction = opts->correction;
    *out = &ri->pub;
    return MLOPS_OK;
nomem:
    mlops_drift_report_free(&ri->pub);
    return mlops__err_nomem(__func__);
}
