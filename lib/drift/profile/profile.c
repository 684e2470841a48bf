/* Reference profiles: building from batches, freezing bin edges, merging,
 * and reading them back. Every figure depends only on the sequence of
 * values, never on how it was cut into batches: moments are accumulated
 * per sketch block (the sketch's level 0 fills at exactly k values), the
 * edges freeze at exactly freeze_after values, and counts are integers. */
#include "drift/drift_internal.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#define MAX_CATEGORY_BYTES 65535u

void mlops__moments_of(const double *x, size_t n, mlops__moments *out)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += x[i];
    mlops__moments_of_sum(x, n, s, out);
}

void mlops__moments_of_sum(const double *x, size_t n, double s, mlops__moments *out)
{
    if (n == 0) {
        out->n = 0;
        out->mean = 0.0;
        out->m2 = 0.0;
        return;
    }
    mlops__deviations dev = { s / (double)n, 0.0, 0.0 };
    double m2 = 0.0, c = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - dev.mean;
        m2 += d * d;
        c += d;
    }
    dev.d2 = m2;
    dev.d1 = c;
    mlops__moments_of_dev(n, &dev, out);
}

void mlops__moments_of_dev(size_t n, const mlops__deviations *dev, mlops__moments *out)
{
    out->n = n;
    /* Correct the mean's rounding (the deviations should sum to 0). */
    out->mean = dev->mean + dev->d1 / (double)n;
    out->m2 = dev->d2 - dev->d1 * dev->d1 / (double)n;
    if (out->m2 < 0) out->m2 = 0;
}

void mlops__moments_merge(mlops__moments *a, const mlops__moments *b)
{
    if (b->n == 0) return;
    if (a->n == 0) {
        *a = *b;
        return;
    }
    double na = (double)a->n, nb = (double)b->n, n = na + nb;
    double delta = b->mean - a->mean;
    a->mean = a->mean + delta * (nb / n);
    a->m2 = a->m2 + b->m2 + delta * delta * (na * nb / n);
    a->n += b->n;
}

/* A block's moments in two passes: the first is the running sum taken
 * while binning (or summed here when level 0 came from elsewhere), the
 * second rides along the block's sort (mlops__sort_doubles_dev). */
static double block_mean(void *ctx, const double *block, size_t n)
{
    mlops_profile *p = ctx;
    double s = p->block_sum;
    if (p->block_sum_n != n) {
        s = 0.0;
        for (size_t i = 0; i < n; i++) s += block[i];
    }
    return s / (double)n;
}

static void on_block(void *ctx, size_t n, const mlops__deviations *dev)
{
    mlops_profile *p = ctx;
    mlops__moments m;
    mlops__moments_of_dev(n, dev, &m);
    mlops__moments_merge(&p->blocks, &m);
    p->block_sum = 0.0;
    p->block_sum_n = 0; /* level 0 is empty after the block (k is even) */
}

void mlops__profile_moments(const mlops_profile *p, mlops__moments *out)
{
    *out = p->blocks;
    mlops__moments tail;
    mlops__moments_of(p->kll.levels[0].v, p->kll.levels[0].n, &tail);
    mlops__moments_merge(out, &tail);
}

MLOPS_API int mlops_profile_opts_init(mlops_profile_opts *opts, unsigned version)
{
    static const mlops_profile_opts defaults = MLOPS_PROFILE_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_PROFILE_OPTS_VERSION);
}

static int check_opts(const char *fn, const mlops_profile_opts *o)
{
    if (o->version == 0 || o->version > MLOPS_PROFILE_OPTS_VERSION)
        return mlops__err(MLOPS_EINVAL, "%s: opts->version is %u", fn, o->version);
    if (o->bins < 2 || o->bins > 65536)
        return mlops__err(MLOPS_EINVAL, "%s: bins is %u (must be 2..65536)", fn, o->bins);
    if (o->sketch_k < 16 || o->sketch_k > 65536 || (o->sketch_k & 1))
        return mlops__err(MLOPS_EINVAL, "%s: sketch_k is %u (must be even, 16..65536)", fn,
                          o->sketch_k);
    if (o->freeze_after < 1 || o->freeze_after > (1u << 26))
        return mlops__err(MLOPS_EINVAL, "%s: freeze_after is %u (must be 1..2^26)", fn,
                          o->freeze_after);
    if (o->max_categories < 16 || o->max_categories > (1u << 24))
        return mlops__err(MLOPS_EINVAL, "%s: max_categories is %u (must be 16..2^24)", fn,
                          o->max_categories);
    return mlops__check_edges(fn, o->edges, o->n_edges);
}

int mlops__profile_set_edges(mlops_profile *p, const double *edges, size_t n_edges)
{
    double *e = malloc((n_edges ? n_edges : 1) * sizeof *e);
    uint64_t *c = calloc(n_edges + 1, sizeof *c);
    if (!e || !c) {
        free(e);
        free(c);
        return mlops__err_nomem("freezing profile bins");
    }
    if (n_edges) memcpy(e, edges, n_edges * sizeof *e);
    free(p->edges);
    free(p->bin_counts);
    p->edges = e;
    p->n_edges = n_edges;
    p->bin_counts = c;
    p->frozen = 1;
    return MLOPS_OK;
}

int mlops__profile_alloc(int kind, const mlops_profile_opts *opts, mlops_profile **out)
{
    mlops_profile *p = calloc(1, sizeof *p);
    if (!p) return mlops__err_nomem("creating a profile");
    p->kind = kind;
    p->opts = *opts;
    p->opts.edges = NULL;
    p->opts.n_edges = 0;
    p->min = INFINITY;
    p->max = -INFINITY;
    int rc = MLOPS_OK;
    if (kind == MLOPS_PROFILE_NUMERIC) {
        rc = mlops__kll_init(&p->kll, opts->sketch_k);
        if (!rc) {
            p->kll.block_mean = block_mean;
            p->kll.on_block = on_block;
            p->kll.block_ctx = p;
        }
    } else {
        rc = mlops__freq_init(&p->freq, opts->max_categories);
    }
    if (rc) {
        mlops_profile_free(p);
        return rc;
    }
    *out = p;
    return MLOPS_OK;
}

void mlops__profile_lend_scratch(mlops_profile *p, mlops__profile_scratch *sc)
{
    if (!p->chunk && sc->chunk) {
        p->chunk = sc->chunk;
        p->chunk_cap = sc->chunk_cap;
        sc->chunk = NULL;
        sc->chunk_cap = 0;
    }
    if (p->kind != MLOPS_PROFILE_NUMERIC) return;
    if (!p->kll.tmp && sc->tmp && sc->tmp_k == p->kll.k) {
        p->kll.tmp = sc->tmp;
        sc->tmp = NULL;
    }
    if (!p->kll.hist && sc->hist) {
        p->kll.hist = sc->hist;
        sc->hist = NULL;
    }
    if (!p->kll.wide && sc->wide && sc->wide_k == p->kll.k) {
        p->kll.wide = sc->wide;
        sc->wide = NULL;
    }
}

void mlops__profile_take_scratch(mlops_profile *p, mlops__profile_scratch *sc)
{
    if (p->chunk) {
        free(sc->chunk);
        sc->chunk = p->chunk;
        sc->chunk_cap = p->chunk_cap;
        p->chunk = NULL;
        p->chunk_cap = 0;
    }
    if (p->kind != MLOPS_PROFILE_NUMERIC) return;
    if (p->kll.tmp) {
        free(sc->tmp);
        sc->tmp = p->kll.tmp;
        sc->tmp_k = p->kll.k;
        p->kll.tmp = NULL;
    }
    if (p->kll.hist) {
        free(sc->hist);
        sc->hist = p->kll.hist;
        p->kll.hist = NULL;
    }
    if (p->kll.wide) {
        free(sc->wide);
        sc->wide = p->kll.wide;
        sc->wide_k = p->kll.k;
        p->kll.wide = NULL;
    }
}

void mlops__profile_scratch_free(mlops__profile_scratch *sc)
{
    free(sc->chunk);
    free(sc->tmp);
    free(sc->hist);
    free(sc->wide);
    memset(sc, 0, sizeof *sc);
}

MLOPS_API int mlops_profile_new(int kind, const mlops_profile_opts *opts, mlops_profile **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (kind != MLOPS_PROFILE_NUMERIC && kind != MLOPS_PROFILE_CATEGORICAL)
        return mlops__err(MLOPS_EINVAL, "%s: unknown kind %d", __func__, kind);
    mlops_profile_opts d = MLOPS_PROFILE_OPTS_INIT;
    if (!opts) opts = &d;
    int rc = check_opts(__func__, opts);
    if (rc) return rc;
    mlops_profile *p;
    rc = mlops__profile_alloc(kind, opts, &p);
    if (rc) return rc;
    if (kind == MLOPS_PROFILE_NUMERIC && opts->edges) {
        rc = mlops__profile_set_edges(p, opts->edges, opts->n_edges);
        p->fixed_edges = 1;
        if (rc) {
            mlops_profile_free(p);
            return rc;
        }
    }
    *out = p;
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_new_like(mlops_profile *ref, mlops_profile **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (!ref) return mlops__err_null(__func__, "ref");
    int rc = mlops__profile_freeze(ref);
    if (rc) return rc;
    mlops_profile *p;
    rc = mlops__profile_alloc(ref->kind, &ref->opts, &p);
    if (rc) return rc;
    if (ref->kind == MLOPS_PROFILE_NUMERIC) {
        rc = mlops__profile_set_edges(p, ref->edges, ref->n_edges);
        p->fixed_edges = 1;
        if (rc) {
            mlops_profile_free(p);
            return rc;
        }
    }
    *out = p;
    return MLOPS_OK;
}

MLOPS_API void mlops_profile_free(mlops_profile *p)
{
    if (!p) return;
    if (p->kind == MLOPS_PROFILE_NUMERIC) mlops__kll_free(&p->kll);
    else mlops__freq_free(&p->freq);
    free(p->edges);
    free(p->bin_counts);
    free(p->pending);
    free(p->chunk);
    free(p);
}

MLOPS_API int mlops_profile_kind(const mlops_profile *p)
{
    return p ? p->kind : 0;
}

/* Freezes the edges from the pending values. */
int mlops__profile_freeze(mlops_profile *p)
{
    if (p->kind != MLOPS_PROFILE_NUMERIC || p->frozen) return MLOPS_OK;
    size_t bins = p->opts.bins;
    double *e = malloc((bins - 1) * sizeof *e);
    double *sorted = malloc((p->n_pending ? p->n_pending : 1) * sizeof *sorted);
    if (!e || !sorted) {
        free(e);
        free(sorted);
        return mlops__err_nomem("freezing profile bins");
    }
    size_t ne = 0;
    if (p->n_pending > 0) {
        memcpy(sorted, p->pending, p->n_pending * sizeof *sorted);
        int rc = mlops__sort_doubles(sorted, p->n_pending, NULL);
        if (rc) {
            free(e);
            free(sorted);
            return rc;
        }
        ne = mlops__edges_from_sorted(sorted, p->n_pending, bins, e);
    }
    free(sorted);
    int rc = mlops__profile_set_edges(p, e, ne);
    free(e);
    if (rc) return rc;
    mlops__bin_add(p->pending, p->n_pending, p->edges, p->n_edges, p->bin_counts);
    free(p->pending);
    p->pending = NULL;
    p->n_pending = 0;
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_freeze(mlops_profile *p)
{
    if (!p) return mlops__err_null(__func__, "p");
    return mlops__profile_freeze(p);
}

/* Finite values of one chunk: bins (or pending), sketch. The sketch's
 * block sums (on_block's first pass) are taken along the way, block by
 * block, in the order level 0 receives the values. */
static int add_finite(mlops_profile *p, const double *x, size_t n)
{
    size_t i = 0;
    if (!p->frozen) {
        size_t room = p->opts.freeze_after - p->n_pending;
        size_t take = n < room ? n : room;
        if (!p->pending) {
            p->pending = malloc((size_t)p->opts.freeze_after * sizeof *p->pending);
            if (!p->pending) return mlops__err_nomem("profiling values");
        }
        /* + 0.0 turns -0 into +0, as the sketch stores values. */
        for (size_t j = 0; j < take; j++) p->pending[p->n_pending + j] = x[j] + 0.0;
        p->n_pending += take;
        i = take;
        if (p->n_pending == p->opts.freeze_after) {
            int rc = mlops__profile_freeze(p);
            if (rc) return rc;
        }
    }
    mlops__kll *s = &p->kll;
    if (p->block_sum_n != s->levels[0].n) { /* level 0 came from elsewhere: catch up */
        double sum = 0.0;
        for (uint32_t j = 0; j < s->levels[0].n; j++) sum += s->levels[0].v[j];
        p->block_sum = sum;
        p->block_sum_n = s->levels[0].n;
    }
    /* -0 and +0 add alike to a sum that starts at +0 (it is never -0), so
     * summing x is summing what level 0 stores. */
    for (size_t a = 0; a < n;) {
        size_t room = s->k - s->levels[0].n, b = n - a < room ? n : a + room;
        double sum = p->block_sum;
        if (b <= i) {
            for (size_t j = a; j < b; j++) sum += x[j];
        } else {
            for (size_t j = a; j < i; j++) sum += x[j];
            size_t from = a > i ? a : i;
            mlops__bin_add_sum(x + from, b - from, p->edges, p->n_edges, p->bin_counts, &sum);
        }
        p->block_sum = sum;
        p->block_sum_n += (uint32_t)(b - a);
        int rc = mlops__kll_add(s, x + a, b - a);
        if (rc) return rc;
        a = b;
    }
    return MLOPS_OK;
}

/* Whether x[0..n) are all finite, and then their minimum and maximum
 * folded into *lo and *hi, branch-free. The order of the comparisons does
 * not matter among finite values but for -0 against +0, which the caller
 * makes +0 anyway. */
static int all_finite_min_max(const double *x, size_t n, double *lo, double *hi)
{
    double l = *lo, h = *hi;
    size_t i = 0;
    int finite = 1;
#if defined(__SSE2__)
    __m128d l0 = _mm_set1_pd(l), l1 = l0, h0 = _mm_set1_pd(h), h1 = h0;
    __m128d ok = _mm_castsi128_pd(_mm_set1_epi32(-1)), zero = _mm_setzero_pd();
    for (; i + 4 <= n; i += 4) {
        __m128d a = _mm_loadu_pd(x + i), b = _mm_loadu_pd(x + i + 2);
        /* t - t is 0 for a finite t, NaN for an infinite or NaN one. */
        ok = _mm_and_pd(ok, _mm_cmpeq_pd(_mm_sub_pd(a, a), zero));
        ok = _mm_and_pd(ok, _mm_cmpeq_pd(_mm_sub_pd(b, b), zero));
        l0 = _mm_min_pd(a, l0); /* a < l0 ? a : l0, as below */
        l1 = _mm_min_pd(b, l1);
        h0 = _mm_max_pd(a, h0);
        h1 = _mm_max_pd(b, h1);
    }
    finite = _mm_movemask_pd(ok) == 3;
    double lv[4], hv[4];
    _mm_storeu_pd(lv, l0);
    _mm_storeu_pd(lv + 2, l1);
    _mm_storeu_pd(hv, h0);
    _mm_storeu_pd(hv + 2, h1);
    for (int j = 0; j < 4; j++) {
        l = lv[j] < l ? lv[j] : l;
        h = hv[j] > h ? hv[j] : h;
    }
#endif
    for (; i < n; i++) {
        double t = x[i];
        finite &= isfinite(t) != 0;
        l = t < l ? t : l;
        h = t > h ? t : h;
    }
    if (!finite) return 0;
    *lo = l;
    *hi = h;
    return 1;
}

MLOPS_API int mlops_profile_add(mlops_profile *p, const double *values, size_t n)
{
    if (!p) return mlops__err_null(__func__, "p");
    if (mlops__check_array(__func__, "values", values, n, sizeof *values)) return MLOPS_EINVAL;
    if (p->kind != MLOPS_PROFILE_NUMERIC)
        return mlops__err(MLOPS_EINVAL, "%s: the profile is categorical: use mlops_profile_add_strings", __func__);
    /* The scratch fits the adds seen (small ones stay small: a monitor
     * profiles many small windows at once). */
    size_t need = n < MLOPS__PROFILE_CHUNK ? n : MLOPS__PROFILE_CHUNK;
    if (need > p->chunk_cap) {
        double *c = realloc(p->chunk, need * sizeof *c);
        if (!c) return mlops__err_nomem(__func__);
        p->chunk = c;
        p->chunk_cap = need;
    }
    while (n > 0) {
        size_t take = n < MLOPS__PROFILE_CHUNK ? n : MLOPS__PROFILE_CHUNK;
        double lo = p->min, hi = p->max;
        if (all_finite_min_max(values, take, &lo, &hi)) {
            /* The usual chunk: no copy, add_finite reads the caller's values. */
            p->min = lo + 0.0;
            p->max = hi + 0.0;
            int rc = add_finite(p, values, take);
            if (rc) return rc;
            values += take;
            n -= take;
            continue;
        }
        size_t m = 0;
        uint64_t nan = 0, inf = 0;
        lo = p->min;
        hi = p->max;
        for (size_t i = 0; i < take; i++) {
            double t = values[i];
            if (isfinite(t)) {
                p->chunk[m++] = t + 0.0;
                lo = t < lo ? t : lo;
                hi = t > hi ? t : hi;
            } else if (isnan(t)) {
                nan++;
            } else {
                inf++;
            }
        }
        p->min = lo + 0.0;
        p->max = hi + 0.0;
        int rc = add_finite(p, p->chunk, m);
        if (rc) return rc;
        p->nan += nan;
        p->inf += inf;
        values += take;
        n -= take;
    }
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_add_strings(mlops_profile *p, const char *const *values, size_t n)
{
    if (!p) return mlops__err_null(__func__, "p");
    if (mlops__check_array(__func__, "values", values, n, sizeof *values)) return MLOPS_EINVAL;
    if (p->kind != MLOPS_PROFILE_CATEGORICAL)
        return mlops__err(MLOPS_EINVAL, "%s: the profile is numeric: use mlops_profile_add", __func__);
    /* Validate the whole batch first so that a bad string adds nothing. */
    for (size_t i = 0; i < n; i++) {
        if (!values[i]) continue;
        size_t len = strlen(values[i]);
        if (len > MAX_CATEGORY_BYTES)
            return mlops__err(MLOPS_EINVAL, "%s: values[%zu] is %zu bytes long (at most %u)", __func__, i,
                              len, MAX_CATEGORY_BYTES);
        if (!mlops__utf8_valid(values[i], len))
            return mlops__err(MLOPS_EINVAL, "%s: values[%zu] is not valid UTF-8", __func__, i);
    }
    for (size_t i = 0; i < n; i++) {
        if (!values[i]) {
            p->missing++;
            continue;
        }
        int rc = mlops__freq_add(&p->freq, values[i], (uint32_t)strlen(values[i]), 1);
        if (rc) return rc;
        p->total++;
    }
    return MLOPS_OK;
}

static int same_opts(const mlops_profile *a, const mlops_profile *b)
{
    return a->opts.bins == b->opts.bins && a->opts.sketch_k == b->opts.sketch_k &&
           a->opts.freeze_after == b->opts.freeze_after &&
           a->opts.max_categories == b->opts.max_categories;
}

int mlops__profile_check_pair(const char *fn, mlops_profile *a, mlops_profile *b)
{
    if (a->kind != b->kind)
        return mlops__err(MLOPS_EINVAL, "%s: profiles of different kinds (%s and %s)", fn,
                          a->kind == MLOPS_PROFILE_NUMERIC ? "numeric" : "categorical",
                          b->kind == MLOPS_PROFILE_NUMERIC ? "numeric" : "categorical");
    if (!same_opts(a, b))
        return mlops__err(MLOPS_EINVAL, "%s: profiles built with different options", fn);
    int rc = mlops__profile_freeze(a);
    if (!rc) rc = mlops__profile_freeze(b);
    if (rc) return rc;
    if (a->kind == MLOPS_PROFILE_NUMERIC &&
        (a->n_edges != b->n_edges ||
         (a->n_edges && memcmp(a->edges, b->edges, a->n_edges * sizeof *a->edges) != 0)))
        return mlops__err(MLOPS_ECONFLICT,
                          "%s: the profiles have different bin edges (%zu and %zu edges); build one "
                          "with mlops_profile_new_like(other) or the same fixed edges",
                          fn, a->n_edges, b->n_edges);
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_merge(mlops_profile *into, mlops_profile *from)
{
    if (!into) return mlops__err_null(__func__, "into");
    if (!from) return mlops__err_null(__func__, "from");
    if (into == from) return mlops__err(MLOPS_EINVAL, "%s: a profile cannot merge itself", __func__);
    int rc = mlops__profile_check_pair(__func__, into, from);
    if (rc) return rc;
    if (into->kind == MLOPS_PROFILE_CATEGORICAL) {
        rc = mlops__freq_merge(&into->freq, &from->freq);
        if (rc) return rc;
        into->missing += from->missing;
        into->total += from->total;
        return MLOPS_OK;
    }
    /* from's completed blocks merge as moments; its raw tail arrives anew. */
    mlops__moments_merge(&into->blocks, &from->blocks);
    rc = mlops__kll_merge(&into->kll, &from->kll);
    if (rc) return rc;
    for (size_t i = 0; i <= into->n_edges; i++) into->bin_counts[i] += from->bin_counts[i];
    into->nan += from->nan;
    into->inf += from->inf;
    if (from->min < into->min) into->min = from->min;
    if (from->max > into->max) into->max = from->max;
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_summary_init(mlops_profile_summary *s, unsigned version)
{
    static const mlops_profile_summary defaults = MLOPS_PROFILE_SUMMARY_INIT;
    return mlops__opts_init(__func__, s, &defaults, sizeof defaults, version,
                            MLOPS_PROFILE_SUMMARY_VERSION);
}

MLOPS_API int mlops_profile_summary_get(const mlops_profile *p, mlops_profile_summary *s)
{
    if (!p) return mlops__err_null(__func__, "p");
    if (!s) return mlops__err_null(__func__, "s");
    if (s->version == 0 || s->version > MLOPS_PROFILE_SUMMARY_VERSION)
        return mlops__err(MLOPS_EINVAL, "%s: s->version is %u", __func__, s->version);
    unsigned v = s->version;
    mlops_profile_summary z = MLOPS_PROFILE_SUMMARY_INIT;
    *s = z;
    s->version = v;
    s->kind = p->kind;
    if (p->kind == MLOPS_PROFILE_NUMERIC) {
        mlops__moments m;
        mlops__profile_moments(p, &m);
        s->count = p->kll.n;
        s->nan_count = p->nan;
        s->inf_count = p->inf;
        s->min = s->count ? p->min : NAN;
        s->max = s->count ? p->max : NAN;
        s->mean = s->count ? m.mean : NAN;
        s->variance = s->count ? m.m2 / (double)m.n : NAN;
        s->rank_error = s->count ? (double)p->kll.err / (double)p->kll.n : 0.0;
        s->frozen = p->frozen;
        s->n_edges = p->frozen ? p->n_edges : 0;
    } else {
        s->count = p->total;
        s->nan_count = p->missing;
        s->n_categories = p->freq.n;
        s->categories_exact = p->freq.exact;
        s->category_error = (double)p->freq.err;
    }
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_edges(const mlops_profile *p, const double **edges, size_t *n_edges)
{
    if (!p) return mlops__err_null(__func__, "p");
    if (!edges) return mlops__err_null(__func__, "edges");
    if (!n_edges) return mlops__err_null(__func__, "n_edges");
    if (p->kind != MLOPS_PROFILE_NUMERIC)
        return mlops__err(MLOPS_EINVAL, "%s: the profile is categorical", __func__);
    if (!p->frozen)
        return mlops__err(MLOPS_EINVAL, "%s: the edges are not frozen yet (mlops_profile_freeze)", __func__);
    *edges = p->edges;
    *n_edges = p->n_edges;
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_quantile(const mlops_profile *p, double q, double *out)
{
    if (!p) return mlops__err_null(__func__, "p");
    if (!out) return mlops__err_null(__func__, "out");
    if (!(q >= 0.0 && q <= 1.0)) return mlops__err(MLOPS_EINVAL, "%s: q = %g is not in [0, 1]", __func__, q);
    if (p->kind != MLOPS_PROFILE_NUMERIC)
        return mlops__err(MLOPS_EINVAL, "%s: the profile is categorical", __func__);
    if (p->kll.n == 0) return mlops__err(MLOPS_EINVAL, "%s: the profile has no finite value", __func__);
    double *v;
    uint64_t *w;
    size_t n;
    int rc = mlops__kll_sorted_view(&p->kll, &v, &w, &n);
    if (rc) return rc;
    double target = q * (double)p->kll.n;
    uint64_t cum = 0;
    size_t i = 0;
    for (; i < n; i++) {
        cum += w[i];
        if ((double)cum >= target) break;
    }
    *out = v[i < n ? i : n - 1];
    free(v);
    free(w);
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_category_count(const mlops_profile *p, const char *value, uint64_t *out)
{
    if (!p) return mlops__err_null(__func__, "p");
    if (!value) return mlops__err_null(__func__, "value");
    if (!out) return mlops__err_null(__func__, "out");
    if (p->kind != MLOPS_PROFILE_CATEGORICAL)
        return mlops__err(MLOPS_EINVAL, "%s: the profile is numeric", __func__);
    size_t len = strlen(value);
    *out = len > MAX_CATEGORY_BYTES ? 0 : mlops__freq_get(&p->freq, value, (uint32_t)len);
    return MLOPS_OK;
}
