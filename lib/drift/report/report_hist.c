/* The chart data of a report's column (mlops_drift_column_result.hist_*):
 * equal-width bins for numeric columns with many distinct values, one bar
 * per value otherwise. Computed on the worker thread from the sorted
 * finite samples the column's statistic used, then copied into the
 * report's arena by the caller's thread. */
#include "drift/drift_internal.h"
#include "util/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Distinct values of the union of two sorted samples. */
static size_t distinct_union(const mlops__sample *a, const mlops__sample *b, size_t stop_after)
{
    size_t i = 0, j = 0, k = 0;
    while ((i < a->n || j < b->n) && k <= stop_after) {
        double v = (j >= b->n || (i < a->n && a->v[i] <= b->v[j])) ? a->v[i] : b->v[j];
        while (i < a->n && a->v[i] == v) i++;
        while (j < b->n && b->v[j] == v) j++;
        k++;
    }
    return k;
}

/* The value of rank r (0-based) in the union of two sorted samples. */
static double union_rank(const mlops__sample *a, const mlops__sample *b, size_t r)
{
    size_t i = 0, j = 0;
    for (;;) {
        int take_a = j >= b->n || (i < a->n && a->v[i] <= b->v[j]);
        double v = take_a ? a->v[i] : b->v[j];
        if (i + j == r) return v;
        if (take_a) i++;
        else j++;
    }
}

static int all_integers(const mlops__sample *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] != floor(s->v[i])) return 0;
    return 1;
}

static int alloc_hist(const char *fn, mlops__drift_hist *h, size_t n, int edges)
{
    size_t doubles = edges ? n + 1 : n;
    h->block = malloc(doubles * sizeof(double) + 2 * n * sizeof(uint64_t));
    if (!h->block) return mlops__err(MLOPS_ENOMEM, "out of memory while %s: chart data", fn);
    h->n = n;
    h->ref = (uint64_t *)h->block;
    h->cur = h->ref + n;
    double *d = (double *)(void *)((char *)h->block + 2 * n * sizeof(uint64_t));
    h->edges = edges ? d : NULL;
    h->values = edges ? NULL : d;
    memset(h->ref, 0, 2 * n * sizeof(uint64_t));
    return MLOPS_OK;
}

/* wide: hi - lo overflows doubles, and so may v - lo: each is divided
 * first. */
static void count_bins(const mlops__sample *s, double lo, double width, size_t n, int wide,
                       uint64_t *out)
{
    for (size_t i = 0; i < s->n; i++) {
        double x = wide ? s->v[i] / width - lo / width : (s->v[i] - lo) / width;
        size_t bin = x <= 0.0 ? 0 : x >= (double)n ? n - 1 : (size_t)x;
        out[bin]++;
    }
}

static int histogram(const char *fn, const mlops__sample *a, const mlops__sample *b,
                     mlops__drift_hist *h)
{
    size_t total = a->n + b->n;
    double n_rice = ceil(2.0 * cbrt((double)total));
    size_t n = n_rice < 10.0 ? 10 : n_rice > 40.0 ? 40 : (size_t)n_rice;
    double lo = fmin(a->v[0], b->v[0]), hi = fmax(a->v[a->n - 1], b->v[b->n - 1]);
    /* A few extreme values would squash the rest: clip to the central 99%. */
    double p_lo = union_rank(a, b, (size_t)floor(0.005 * (double)(total - 1)));
    double p_hi = union_rank(a, b, (size_t)ceil(0.995 * (double)(total - 1)));
    int clipped = p_hi > p_lo && (p_hi - p_lo) < 0.5 * (hi - lo);
    if (clipped) {
        lo = p_lo;
        hi = p_hi;
    }
    /* A range wider than doubles go (hi - lo overflows) is split as
     * hi / n - lo / n, which does not. */
    int wide = !isfinite(hi - lo);
    double width = wide ? hi / (double)n - lo / (double)n : (hi - lo) / (double)n;
    if (!(width > 0.0) || !isfinite(width)) width = 1.0; /* cannot happen: hi > lo, both finite */
    /* Integers (ages, counts) in bins of a fractional width alternate
     * between holding k and k + 1 values, a comb that is not in the data:
     * give them whole-number bins centred on the integers. */
    if (!wide && all_integers(a) && all_integers(b) && hi - lo < 1e15) {
        double span = hi - lo + 1.0;
        width = ceil(span / (double)n);
        n = (size_t)ceil(span / width);
        lo -= 0.5;
        hi = lo + width * (double)n;
    }
    int rc = alloc_hist(fn, h, n, 1);
    if (rc) return rc;
    for (size_t i = 0; i <= n; i++)
        h->edges[i] = i == n ? hi
                      : wide ? lo / (double)n * (double)(n - i) + hi / (double)n * (double)i
                             : lo + width * (double)i;
    count_bins(a, lo, width, n, wide, h->ref);
    count_bins(b, lo, width, n, wide, h->cur);
    h->clipped = clipped;
    return MLOPS_OK;
}

typedef struct bar {
    double value;
    uint64_t ref, cur;
} bar;

static int by_total_desc(const void *x, const void *y)
{
    const bar *p = x, *q = y;
    uint64_t tp = p->ref + p->cur, tq = q->ref + q->cur;
    if (tp != tq) return tp > tq ? -1 : 1;
    return (p->value > q->value) - (p->value < q->value);
}

static int value_bars(const char *fn, int kind, const mlops__sample *a, const mlops__sample *b,
                      size_t k, mlops__drift_hist *h)
{
    bar *bars = malloc(k * sizeof *bars);
    if (!bars) return mlops__err(MLOPS_ENOMEM, "out of memory while %s: chart data", fn);
    size_t i = 0, j = 0, m = 0;
    while (i < a->n || j < b->n) {
        double v = (j >= b->n || (i < a->n && a->v[i] <= b->v[j])) ? a->v[i] : b->v[j];
        bar *br = &bars[m++];
        br->value = v;
        br->ref = br->cur = 0;
        while (i < a->n && a->v[i] == v) i++, br->ref++;
        while (j < b->n && b->v[j] == v) j++, br->cur++;
    }
    if (kind == MLOPS_COLUMN_CATEGORICAL) qsort(bars, m, sizeof *bars, by_total_desc);
    size_t shown = m > MLOPS_DRIFT_HIST_MAX_BARS ? MLOPS_DRIFT_HIST_MAX_BARS : m;
    int rc = alloc_hist(fn, h, shown, 0);
    if (rc) {
        free(bars);
        return rc;
    }
    for (size_t t = 0; t < m; t++) {
        size_t slot = t < shown ? t : shown - 1; /* the rest go to the last bar */
        h->values[slot] = t < shown - 1 || m == shown ? bars[t].value : NAN;
        h->ref[slot] += bars[t].ref;
        h->cur[slot] += bars[t].cur;
    }
    h->clipped = 0;
    free(bars);
    return MLOPS_OK;
}

int mlops__drift_hist_compute(const char *fn, int kind, const mlops__sample *a,
                              const mlops__sample *b, mlops__drift_hist *h)
{
    memset(h, 0, sizeof *h);
    if (a->n == 0 || b->n == 0) return MLOPS_OK; /* nothing to draw */
    size_t cap = kind == MLOPS_COLUMN_NUMERIC ? MLOPS_DRIFT_HIST_MAX_VALUES : (size_t)-2;
    size_t k = distinct_union(a, b, cap);
    if (kind == MLOPS_COLUMN_NUMERIC && k > MLOPS_DRIFT_HIST_MAX_VALUES) return histogram(fn, a, b, h);
    return value_bars(fn, kind, a, b, k, h);
}

int mlops__drift_hist_attach(const char *fn, mlops__arena *ar, mlops__drift_hist *h,
                            mlops_drift_column_result *r)
{
    size_t n = h->n;
    r->hist_n = 0;
    r->hist_edges = r->hist_values = NULL;
    r->hist_ref = r->hist_cur = NULL;
    r->hist_clipped = 0;
    if (n == 0) return MLOPS_OK;
    size_t ndoubles = h->edges ? n + 1 : n;
    uint64_t *counts = mlops__arena_alloc(ar, 2 * n * sizeof *counts);
    double *d = mlops__arena_alloc(ar, ndoubles * sizeof *d);
    if (!counts || !d) return mlops__err(MLOPS_ENOMEM, "out of memory while %s: chart data", fn);
    memcpy(counts, h->ref, n * sizeof *counts);
    memcpy(counts + n, h->cur, n * sizeof *counts);
    memcpy(d, h->edges ? h->edges : h->values, ndoubles * sizeof *d);
    r->hist_n = n;
    r->hist_ref = counts;
    r->hist_cur = counts + n;
    if (h->edges) r->hist_edges = d;
    else r->hist_values = d;
    r->hist_clipped = h->clipped;
    return MLOPS_OK;
}

void mlops__drift_hist_free(mlops__drift_hist *h)
{
    free(h->block);
    memset(h, 0, sizeof *h);
}
