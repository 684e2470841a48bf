/* A deterministic, mergeable quantile sketch: KLL's hierarchy of
 * compactors (Karnin, Lang, Liberty 2016) with equal capacities and an
 * alternating compaction offset instead of a random one, in the spirit of
 * Manku-Rajagopalan-Lindsay. Without randomness the same input in the same
 * order always gives the same sketch, and the rank error has a worst-case
 * bound that the sketch tracks exactly (err, see drift_internal.h): each
 * compaction at level h moves any rank by at most 2^h, and each consumes at
 * least k items of weight 2^h, so err <= n/k per level that ever compacted,
 * i.e. err/n <= (floor(log2(n/k)) + 1) / k. */
#include "drift/drift_internal.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

int mlops__kll_init(mlops__kll *s, uint32_t k)
{
    memset(s, 0, sizeof *s);
    s->k = k;
    /* tmp and hist, the sort's scratch, come with the first full level 0:
     * a sketch of fewer than k values (a monitor's small windows, many at
     * once) never needs them. */
    s->levels = calloc(1, sizeof *s->levels);
    s->parity = calloc(1, sizeof *s->parity);
    if (s->levels) s->levels[0].v = malloc((size_t)k * sizeof(double));
    if (!s->levels || !s->parity || !s->levels[0].v) {
        mlops__kll_free(s);
        return mlops__err_nomem("creating a quantile sketch");
    }
    s->levels[0].cap = k;
    s->nlevels = 1;
    return MLOPS_OK;
}

void mlops__kll_free(mlops__kll *s)
{
    if (s->levels)
        for (uint32_t h = 0; h < s->nlevels; h++) free(s->levels[h].v);
    free(s->levels);
    free(s->parity);
    free(s->tmp);
    free(s->hist);
    free(s->wide);
    memset(s, 0, sizeof *s);
}

static int ensure_level(mlops__kll *s, uint32_t h)
{
    if (h < s->nlevels) return MLOPS_OK;
    mlops__kll_level *lv = realloc(s->levels, (h + 1) * sizeof *lv);
    if (!lv) return mlops__err_nomem("growing a quantile sketch");
    s->levels = lv;
    uint64_t *par = realloc(s->parity, (h + 1) * sizeof *par);
    if (!par) return mlops__err_nomem("growing a quantile sketch");
    s->parity = par;
    for (uint32_t i = s->nlevels; i <= h; i++) {
        memset(&s->levels[i], 0, sizeof s->levels[i]);
        s->parity[i] = 0;
    }
    s->nlevels = h + 1;
    return MLOPS_OK;
}

static int reserve(mlops__kll_level *l, uint32_t need)
{
    if (need <= l->cap) return MLOPS_OK;
    uint32_t cap = l->cap ? l->cap : 16;
    while (cap < need) cap *= 2;
    double *v = realloc(l->v, (size_t)cap * sizeof *v);
    if (!v) return mlops__err_nomem("growing a quantile sketch level");
    l->v = v;
    l->cap = cap;
    return MLOPS_OK;
}

/* Merges sorted a[0..na) and b[0..nb) into out[0..na + nb) (apart from
 * both), from both ends at once: each end's steps wait on the previous
 * one's loads and comparison, so two independent ends take about the time
 * of one. Ties as below: a's items before b's. */
static void merge_two_ends(const double *a, uint32_t na, const double *b, uint32_t nb, double *out)
{
    int64_t n = (int64_t)na + nb, nf = n / 2; /* the front makes out[0..nf) */
    int64_t fi = 0, fj = 0, fo = 0, bi = (int64_t)na - 1, bj = (int64_t)nb - 1, bo = n - 1;
    while (fo < nf && fi < na && fj < nb && bi >= 0 && bj >= 0) {
        double x = a[fi], y = b[fj];
        int64_t take_a = x <= y;
        out[fo++] = take_a ? x : y;
        fi += take_a;
        fj += 1 - take_a;
        double u = a[bi], w = b[bj];
        int64_t take_a_back = u > w;
        out[bo--] = take_a_back ? u : w;
        bi -= take_a_back;
        bj -= 1 - take_a_back;
    }
    /* One side ran out at one end: the rest there is a plain copy or merge. */
    while (fo < nf) out[fo++] = fi < na && (fj >= nb || a[fi] <= b[fj]) ? a[fi++] : b[fj++];
    while (bo >= nf) out[bo--] = bi >= 0 && (bj < 0 || a[bi] > b[bj]) ? a[bi--] : b[bj--];
}

/* Merges the sorted items b[0..nb) into sorted level l, through the
 * scratch *scratch (cap doubles, or NULL) when the result fits there. A
 * level as large as the scratch then trades buffers with it instead of
 * copying the result back (both are plain heap blocks of cap doubles).
 * A result of up to 2 cap goes through *wide (allocated here, 2 cap
 * doubles) and is copied back: the merge from both ends saves more than
 * the copy costs. */
static int merge_into(mlops__kll_level *l, const double *b, uint32_t nb, double **scratch, uint32_t cap,
                      double **wide)
{
    int rc = reserve(l, l->n + nb);
    if (rc) return rc;
    if (l->n > 0 && nb > 0 && *scratch && l->n + nb <= cap) {
        merge_two_ends(l->v, l->n, b, nb, *scratch);
        if (l->cap == cap) {
            double *t = l->v;
            l->v = *scratch;
            *scratch = t;
        } else {
            memcpy(l->v, *scratch, (size_t)(l->n + nb) * sizeof **scratch);
        }
        l->n += nb;
        return MLOPS_OK;
    }
    if (l->n > 0 && nb > 0 && l->n + nb <= 2 * (uint64_t)cap &&
        (*wide || (*wide = malloc(2 * (size_t)cap * sizeof **wide)))) {
        merge_two_ends(l->v, l->n, b, nb, *wide);
        memcpy(l->v, *wide, (size_t)(l->n + nb) * sizeof **wide);
        l->n += nb;
        return MLOPS_OK;
    }
    /* Merge from the back, in place, without a data-dependent branch: the
     * comparison picks the value and which index steps (a mispredicted
     * branch per item was most of the cost on random data). The same item
     * wins as with a branch (l's only when strictly greater), so the
     * result is the same bits; once l is used up, b's rest is in front. */
    double *v = l->v;
    int64_t i = (int64_t)l->n - 1, j = (int64_t)nb - 1, o = (int64_t)l->n + nb - 1;
    while (i >= 0 && j >= 0) {
        double a = v[i], c = b[j];
        int64_t take_l = a > c;
        v[o--] = take_l ? a : c;
        i -= take_l;
        j -= 1 - take_l;
    }
    if (j >= 0) memcpy(v, b, (size_t)(j + 1) * sizeof *v);
    l->n += nb;
    return MLOPS_OK;
}

/* Compacts sorted level h (n >= k) into level h + 1. */
static int compact(mlops__kll *s, uint32_t h)
{
    int rc = ensure_level(s, h + 1);
    if (rc) return rc;
    mlops__kll_level *l = &s->levels[h];
    uint32_t even = l->n & ~1u;
    uint32_t off = (uint32_t)(s->parity[h] & 1);
    s->parity[h]++;
    s->err += (uint64_t)1 << h;
    uint32_t half = even / 2;
    /* Kept items go through tmp when they fit, else in place at the front. */
    double *kept = l->v;
    for (uint32_t i = 0; i < half; i++) kept[i] = l->v[2 * i + off];
    double held = l->v[l->n - 1];
    int has_held = (l->n & 1u) != 0;
    rc = merge_into(&s->levels[h + 1], s->levels[h].v, half, &s->tmp, s->k, &s->wide);
    if (rc) return rc;
    l = &s->levels[h];
    l->n = 0;
    if (has_held) l->v[l->n++] = held;
    return MLOPS_OK;
}

static int cascade(mlops__kll *s, uint32_t from)
{
    for (uint32_t h = from; h < s->nlevels; h++) {
        if (s->levels[h].n >= s->k) {
            int rc = compact(s, h);
            if (rc) return rc;
        }
    }
    return MLOPS_OK;
}

/* Level 0 is full: hand the block to the profile, sort it, compact. */
static int flush_level0(mlops__kll *s)
{
    mlops__kll_level *l0 = &s->levels[0];
    if (!s->tmp && !(s->tmp = malloc((size_t)s->k * sizeof *s->tmp)))
        return mlops__err_nomem("compacting a quantile sketch");
    if (!s->hist && !(s->hist = malloc(MLOPS__SORT_SCRATCH * sizeof *s->hist)))
        return mlops__err_nomem("compacting a quantile sketch");
    /* The profile's moments of the block ride along its sort. */
    mlops__deviations dev = { 0.0, 0.0, 0.0 };
    if (s->on_block) dev.mean = s->block_mean(s->block_ctx, l0->v, l0->n);
    /* Sorted into tmp (the bucket sort's way), level 0 and tmp trade
     * buffers: both are plain heap blocks of k doubles. */
    double *sorted = mlops__sort_doubles_dev(l0->v, l0->n, s->tmp, s->hist, s->on_block ? &dev : NULL);
    if (s->on_block) s->on_block(s->block_ctx, l0->n, &dev);
    if (sorted != l0->v) {
        if (l0->cap == s->k) {
            s->tmp = l0->v;
            l0->v = sorted;
        } else {
            memcpy(l0->v, sorted, (size_t)l0->n * sizeof *sorted);
        }
    }
    int rc = compact(s, 0);
    if (!rc) rc = cascade(s, 1);
    return rc;
}

int mlops__kll_add(mlops__kll *s, const double *x, size_t n)
{
    while (n > 0) {
        mlops__kll_level *l0 = &s->levels[0];
        uint32_t room = s->k - l0->n;
        uint32_t take = n < room ? (uint32_t)n : room;
        /* + 0.0 turns -0 into +0 (a profile hands its callers' finite
         * values here unchanged; the sketch stores one zero). */
        double *dst = l0->v + l0->n;
        for (uint32_t i = 0; i < take; i++) dst[i] = x[i] + 0.0;
        l0->n += take;
        s->n += take;
        x += take;
        n -= take;
        if (l0->n == s->k) {
            int rc = flush_level0(s);
            if (rc) return rc;
        }
    }
    return MLOPS_OK;
}

int mlops__kll_merge(mlops__kll *into, const mlops__kll *from)
{
    if (from->nlevels > 1) {
        int rc = ensure_level(into, from->nlevels - 1);
        if (rc) return rc;
    }
    for (uint32_t h = 1; h < from->nlevels; h++) {
        int rc = merge_into(&into->levels[h], from->levels[h].v, from->levels[h].n, &into->tmp, into->k,
                            &into->wide);
        if (rc) return rc;
    }
    /* Compaction preserves mass: from's levels >= 1 weigh n minus its raw
     * values, which mlops__kll_add counts below. */
    into->n += from->n - from->levels[0].n;
    into->err += from->err;
    int rc = cascade(into, 1);
    if (rc) return rc;
    /* from's raw values arrive after into's own. */
    return mlops__kll_add(into, from->levels[0].v, from->levels[0].n);
}

int mlops__kll_sorted_view(const mlops__kll *s, double **vals, uint64_t **weights, size_t *n_out)
{
    size_t total = 0;
    for (uint32_t h = 0; h < s->nlevels; h++) total += s->levels[h].n;
    double *v = malloc((total ? total : 1) * sizeof *v);
    uint64_t *w = malloc((total ? total : 1) * sizeof *w);
    double *t = malloc((total ? total : 1) * sizeof *t);
    uint64_t *tw = malloc((total ? total : 1) * sizeof *tw);
    if (!v || !w || !t || !tw) {
        free(v);
        free(w);
        free(t);
        free(tw);
        return mlops__err_nomem("reading a quantile sketch");
    }
    /* Level 0 sorted, then merge each level in. */
    size_t n = s->levels[0].n;
    memcpy(v, s->levels[0].v, n * sizeof *v);
    int rc = mlops__sort_doubles(v, n, NULL);
    if (rc) {
        free(v);
        free(w);
        free(t);
        free(tw);
        return rc;
    }
    for (size_t i = 0; i < n; i++) w[i] = 1;
    for (uint32_t h = 1; h < s->nlevels; h++) {
        const mlops__kll_level *l = &s->levels[h];
        size_t i = 0, j = 0, o = 0;
        while (i < n || j < l->n) {
            if (j >= l->n || (i < n && v[i] <= l->v[j])) {
                t[o] = v[i];
                tw[o++] = w[i++];
            } else {
                t[o] = l->v[j++];
                tw[o++] = (uint64_t)1 << h;
            }
        }
        n = o;
        double *sv = v;
        v = t;
        t = sv;
        uint64_t *sw = w;
        w = tw;
        tw = sw;
    }
    free(t);
    free(tw);
    *vals = v;
    *weights = w;
    *n_out = n;
    return MLOPS_OK;
}

int mlops__kll_set_level(mlops__kll *s, uint32_t h, const double *v, uint32_t n, uint64_t parity)
{
    int rc = ensure_level(s, h);
    if (rc) return rc;
    rc = reserve(&s->levels[h], n);
    if (rc) return rc;
    if (n) memcpy(s->levels[h].v, v, (size_t)n * sizeof *v);
    s->levels[h].n = n;
    s->parity[h] = parity;
    return MLOPS_OK;
}

int mlops__kll_check(const mlops__kll *s)
{
    uint64_t total = 0;
    for (uint32_t h = 0; h < s->nlevels; h++) {
        const mlops__kll_level *l = &s->levels[h];
        if (l->n >= s->k) return -1;
        if (h >= 64) return -1;
        for (uint32_t i = 0; i < l->n; i++) {
            if (!(l->v[i] == l->v[i]) || (l->v[i] - l->v[i]) != 0.0) return -1; /* NaN or Inf */
            if (h > 0 && i > 0 && l->v[i - 1] > l->v[i]) return -1;
        }
        /* Weights that wrap around 2^64 would add up to anything. */
        if ((uint64_t)l->n > UINT64_MAX >> h ||
            __builtin_add_overflow(total, (uint64_t)l->n << h, &total))
            return -1;
    }
    return total == s->n ? 0 : -1;
}
