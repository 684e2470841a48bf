/* Cleaning samples (NaN and +-Inf out, counted) and sorting doubles in O(n)
 * passes instead of O(n log n) comparisons: an interpolation bucket sort
 * for evenly spread values, else an LSD radix sort on their IEEE-754 bit
 * patterns. */
#include "drift/drift_internal.h"
#include "util/err.h"
#include "util/pool.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES 6 /* 6 * 11 = 66 >= 64 bits */
#define SMALL_SORT 64
#define PARALLEL_SORT_MIN ((size_t)1 << 16)

/* Maps a double's bits to an unsigned key whose order is the numeric order:
 * flip every bit of negatives, only the sign bit of the others. */
static inline uint64_t key_of(uint64_t bits)
{
    uint64_t mask = (uint64_t)(-(int64_t)(bits >> 63)) | 0x8000000000000000ull;
    return bits ^ mask;
}

static inline uint64_t bits_of(uint64_t key)
{
    uint64_t mask = ((key >> 63) - 1) | 0x8000000000000000ull;
    return key ^ mask;
}

/* Stable insertion sort, tuned for data that is nearly in order (the
 * bucket sort's output): the step of a value past its predecessor is
 * branch-free, with the two values before it carried in registers, and
 * only a value that goes further back takes the loop (rare there, so that
 * branch predicts well; on data in random order it costs what the plain
 * loop does). A value moves only past strictly greater ones. */
static void insertion_sort(double *v, size_t n)
{
    if (n < 2) return;
    double p2 = -INFINITY, p1 = v[0]; /* v[i - 2], v[i - 1]; none before v[0] */
    for (size_t i = 1; i < n; i++) {
        double x = v[i];
        int swap = p1 > x;
        double lo = swap ? x : p1, hi = swap ? p1 : x;
        v[i - 1] = lo;
        v[i] = hi;
        if (i >= 2 && p2 > lo) {
            size_t j = i - 1;
            while (j > 0 && v[j - 1] > x) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
            lo = v[i - 1];
        }
        p2 = lo;
        p1 = hi;
    }
}

/* LSD radix sort of the n doubles at v, whose bits a aliases, on `passes`
 * digits of `bits` bits (b: n keys of room; hist: passes << bits
 * counters), the result back in v. Always inlined and called with
 * constant digits, so each call site compiles to its own fixed-width
 * loops, as hand-written copies would. */
static inline __attribute__((always_inline)) void lsd_radix(uint64_t *a, uint64_t *b, size_t n, uint32_t *hist, unsigned bits,
                             unsigned passes, double *v)
{
    const size_t size = (size_t)1 << bits, mask = size - 1;
    memset(hist, 0, passes * size * sizeof *hist);
    /* One pass builds every digit's histogram. */
    for (size_t i = 0; i < n; i++) {
        uint64_t k = key_of(a[i]);
        a[i] = k;
        for (unsigned p = 0; p < passes; p++) hist[p * size + ((k >> (p * bits)) & mask)]++;
    }
    for (unsigned p = 0; p < passes; p++) {
        uint32_t *h = hist + p * size;
        unsigned shift = p * bits;
        /* A digit every key shares needs no pass. */
        if (h[(a[0] >> shift) & mask] == n) continue;
        uint32_t sum = 0;
        for (size_t d = 0; d < size; d++) {
            uint32_t c = h[d];
            h[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t k = a[i];
            b[h[(k >> shift) & mask]++] = k;
        }
        uint64_t *t = a;
        a = b;
        b = t;
    }
    /* The result may sit in tmp's storage: bring it home. */
    uint64_t *dst = (uint64_t *)(void *)v;
    for (size_t i = 0; i < n; i++) dst[i] = bits_of(a[i]);
}

/* The smallest and largest of v[0..n), n >= 1: four independent chains,
 * as one would wait on each comparison in turn. A NaN is skipped unless it
 * is v[0] (then both are NaN), as with one chain. */
static void range_of(const double *v, size_t n, double *lo_out, double *hi_out)
{
    double lo[4] = { v[0], v[0], v[0], v[0] }, hi[4] = { v[0], v[0], v[0], v[0] };
    size_t i = 1;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; k++) {
            double x = v[i + k];
            lo[k] = x < lo[k] ? x : lo[k];
            hi[k] = x > hi[k] ? x : hi[k];
        }
    for (; i < n; i++) {
        lo[0] = v[i] < lo[0] ? v[i] : lo[0];
        hi[0] = v[i] > hi[0] ? v[i] : hi[0];
    }
    for (int k = 1; k < 4; k++) {
        lo[0] = lo[k] < lo[0] ? lo[k] : lo[0];
        hi[0] = hi[k] > hi[0] ? hi[k] : hi[0];
    }
    *lo_out = lo[0];
    *hi_out = hi[0];
}

/* The fine bucket of x: one of nb over [lo, hi] (scale = nb / (hi - lo)).
 * Through int64_t: x >= lo, so the product is never negative, and the
 * signed conversion is one instruction where size_t's is several. */
static inline size_t fine_bucket(double x, double lo, double scale, size_t nb)
{
    size_t b = (size_t)(int64_t)((x - lo) * scale);
    return b < nb ? b : nb - 1;
}

/* Whether a fine bucket holds more than 48 values (count: nb counters). */
static int fine_overfull(const double *v, size_t n, double lo, double scale, size_t nb, uint32_t *count)
{
    memset(count, 0, nb * sizeof *count);
    uint32_t over = 0;
    for (size_t i = 0; i < n; i++) over |= ++count[fine_bucket(v[i], lo, scale, nb)] > 48;
    return over != 0;
}

/* The deviations of v[0..n) from dev->mean added in order, as the second
 * pass of mlops__moments_of_sum adds them. */
static void deviations_of(const double *v, size_t n, mlops__deviations *dev)
{
    double mean = dev->mean, d2 = 0.0, d1 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = v[i] - mean;
        d2 += d * d;
        d1 += d;
    }
    dev->d2 = d2;
    dev->d1 = d1;
}

/* Small blocks of smooth data: distribute by value into buckets over
 * [min, max] (interpolation bucketing), then one insertion sort that only
 * moves values within their bucket. Which blocks take this way is decided
 * on fine buckets, up to four a value as the scratch allows: it gives up
 * (returns 0, v as it was) when a fine bucket holds more than 48 values,
 * the data too clumped for it to pay. The values are distributed over
 * coarser buckets, about one a value (four fine ones each): the counters
 * then stay in L1 beside the data and their prefix sum is a quarter as
 * long, while the insertion sort, whose step past a predecessor is
 * branch-free, pays little for the fuller buckets. Scattering in input
 * order and the stable insertion sort make the result the stable sort
 * whatever the buckets (equal values, such as -0.0 and +0.0, keep their
 * order). Returns where the sorted values are: tmp, or v when they were
 * all equal; NULL when it gave up.
 *
 * With dev, the first counting pass, which reads v in order, also adds the
 * deviations (deviations_of): their additions wait on each other, and the
 * counting's independent work fills those waits; *dev_done says whether
 * they were (not when it gives up before counting). When the scratch has
 * room, that pass keeps each value's coarse bucket for the scatter, which
 * then does not compute it again. */
static double *bucket_sort(double *v, size_t n, double *tmp, uint32_t *count, mlops__deviations *dev,
                           int *dev_done)
{
    double lo, hi;
    range_of(v, n, &lo, &hi);
    if (lo == hi) { /* all equal: sorted */
        if (dev) deviations_of(v, n, dev);
        *dev_done = 1;
        return v;
    }
    size_t nb = n;
    while (nb < 4 * n && 2 * nb < MLOPS__SORT_SCRATCH) nb *= 2;
    double scale = (double)nb / (hi - lo);
    if (!(scale > 0.0) || scale == INFINITY || hi - lo == INFINITY) return NULL;
    unsigned shift = 0; /* coarse bucket = fine >> shift, >= n of them */
    while (shift < 2 && (nb >> (shift + 1)) >= n) shift++;
    size_t nc = ((nb - 1) >> shift) + 1;
    /* The coarse buckets' numbers (nc <= MLOPS__SORT_SCRATCH < 2^16) after
     * the counters, when they fit. */
    uint16_t *idx = MLOPS__SORT_SCRATCH - nc >= (n + 1) / 2 ? (uint16_t *)(void *)(count + nc) : NULL;
    memset(count, 0, nc * sizeof *count);
    uint32_t over = 0;
    if (dev && idx) {
        double mean = dev->mean, d2 = 0.0, d1 = 0.0;
        for (size_t i = 0; i < n; i++) {
            double x = v[i], d = x - mean;
            size_t b = fine_bucket(x, lo, scale, nb) >> shift;
            idx[i] = (uint16_t)b;
            over |= ++count[b] > 48;
            d2 += d * d;
            d1 += d;
        }
        dev->d2 = d2;
        dev->d1 = d1;
    } else if (idx) {
        for (size_t i = 0; i < n; i++) {
            size_t b = fine_bucket(v[i], lo, scale, nb) >> shift;
            idx[i] = (uint16_t)b;
            over |= ++count[b] > 48;
        }
    } else {
        if (dev) deviations_of(v, n, dev);
        for (size_t i = 0; i < n; i++) over |= ++count[fine_bucket(v[i], lo, scale, nb) >> shift] > 48;
    }
    *dev_done = 1;
    /* A coarse bucket of at most 48 has no fine one over; else count the
     * fine ones (rare: the data clump), over the kept numbers. */
    if (over) {
        if (fine_overfull(v, n, lo, scale, nb, count)) return NULL;
        idx = NULL;
        memset(count, 0, nc * sizeof *count);
        for (size_t i = 0; i < n; i++) count[fine_bucket(v[i], lo, scale, nb) >> shift]++;
    }
    uint32_t sum = 0;
    for (size_t b = 0; b < nc; b++) {
        uint32_t c = count[b];
        count[b] = sum;
        sum += c;
    }
    if (idx)
        for (size_t i = 0; i < n; i++) tmp[count[idx[i]]++] = v[i];
    else
        for (size_t i = 0; i < n; i++) tmp[count[fine_bucket(v[i], lo, scale, nb) >> shift]++] = v[i];
    insertion_sort(tmp, n);
    return tmp;
}

double *mlops__sort_doubles_dev(double *v, size_t n, double *tmp, uint32_t *scratch, mlops__deviations *dev)
{
    int dev_done = !dev;
    if (n >= SMALL_SORT && n < MLOPS__SORT_SCRATCH) {
        double *sorted = bucket_sort(v, n, tmp, scratch, dev, &dev_done);
        if (sorted) return sorted;
    }
    /* The sorts below work in place: the deviations first. */
    if (!dev_done) deviations_of(v, n, dev);
    if (n < SMALL_SORT) {
        insertion_sort(v, n);
        return v;
    }
    /* Blocks of a few thousand keys: 8-bit digits keep the histograms
     * (8 x 256) small next to the data, where 11-bit ones would cost more
     * to clear and scan than the keys themselves. */
    if (n <= 16384)
        lsd_radix((uint64_t *)(void *)v, (uint64_t *)(void *)tmp, n, scratch, 8, 8, v);
    else
        lsd_radix((uint64_t *)(void *)v, (uint64_t *)(void *)tmp, n, scratch, RADIX_BITS, RADIX_PASSES, v);
    return v;
}

double *mlops__sort_doubles_either(double *v, size_t n, double *tmp, uint32_t *scratch)
{
    return mlops__sort_doubles_dev(v, n, tmp, scratch, NULL);
}

void mlops__sort_doubles_scratch(double *v, size_t n, double *tmp, uint32_t *scratch)
{
    if (mlops__sort_doubles_either(v, n, tmp, scratch) != v) memcpy(v, tmp, n * sizeof *v);
}

/* Large arrays: one pass distributes the values by value into buckets of
 * about 512 (interpolation over [min, max]), then each bucket is sorted
 * while it sits in cache; the LSD radix sort would stream the whole array
 * through memory six times. Returns 0 (v untouched) when the data clump
 * too much for buckets to pay, or when memory is short. */
static int msd_bucket_sort(double *v, size_t n, double *tmp, uint32_t *scratch)
{
    double lo = v[0], hi = v[0];
    for (size_t i = 1; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    if (lo == hi) return 1;
    size_t nb = n / 512;
    double scale = (double)nb / (hi - lo);
    if (!(scale > 0.0) || scale == INFINITY || hi - lo == INFINITY) return 0;
    size_t *start = calloc(nb + 1, sizeof *start);
    if (!start) return 0;
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)((v[i] - lo) * scale);
        start[b < nb ? b : nb - 1]++;
    }
    size_t sum = 0, most = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t c = start[b];
        most = c > most ? c : most;
        start[b] = sum;
        sum += c;
    }
    start[nb] = n;
    if (most > 8192) { /* clumped: LSD radix does better */
        free(start);
        return 0;
    }
    size_t *fill = malloc(nb * sizeof *fill);
    if (!fill) {
        free(start);
        return 0;
    }
    memcpy(fill, start, nb * sizeof *fill);
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)((v[i] - lo) * scale);
        tmp[fill[b < nb ? b : nb - 1]++] = v[i];
    }
    free(fill);
    /* Sort each bucket in tmp, using v's same span as its scratch. */
    for (size_t b = 0; b < nb; b++) {
        size_t m = start[b + 1] - start[b];
        if (m > 1) mlops__sort_doubles_scratch(tmp + start[b], m, v + start[b], scratch);
    }
    memcpy(v, tmp, n * sizeof *v);
    free(start);
    return 1;
}

int mlops__sort_doubles(double *v, size_t n, double *tmp)
{
    if (n < SMALL_SORT) {
        insertion_sort(v, n);
        return MLOPS_OK;
    }
    /* Heap, not stack or TLS: callers may run on small foreign stacks. */
    uint32_t *hist = malloc(MLOPS__SORT_SCRATCH * sizeof *hist);
    double *owned = NULL;
    if (hist && !tmp) owned = tmp = malloc(n * sizeof *tmp);
    if (!hist || !tmp) {
        free(hist);
        return mlops__err_nomem("sorting doubles");
    }
    if (n < PARALLEL_SORT_MIN || !msd_bucket_sort(v, n, tmp, hist))
        mlops__sort_doubles_scratch(v, n, tmp, hist);
    free(owned);
    free(hist);
    return MLOPS_OK;
}

int mlops__sample_load(const char *func, const char *side, const double *x, size_t n, int sort,
                       int require_values, mlops__sample *s)
{
    memset(s, 0, sizeof *s);
    if (mlops__check_array(func, side, x, n, sizeof *x)) return MLOPS_EINVAL;
    s->v = malloc((n ? n : 1) * sizeof *s->v);
    if (!s->v) return mlops__err_nomem(func);
    size_t m = 0;
    uint64_t nan = 0, inf = 0;
    for (size_t i = 0; i < n; i++) {
        double t = x[i];
        if (isfinite(t)) {
            s->v[m++] = t + 0.0; /* -0.0 becomes +0.0 */
        } else if (isnan(t)) {
            nan++;
        } else {
            inf++;
        }
    }
    s->n = m;
    s->nan = nan;
    s->inf = inf;
    if (require_values && m == 0) {
        free(s->v);
        s->v = NULL;
        return mlops__err(MLOPS_EINVAL, "%s: '%s' has no finite value (%zu values: %llu NaN, %llu infinite)",
                          func, side, n, (unsigned long long)nan, (unsigned long long)inf);
    }
    if (sort && m > 1) {
        int rc = mlops__sort_doubles(s->v, m, NULL);
        if (rc) {
            mlops__sample_free(s);
            return rc;
        }
    }
    return MLOPS_OK;
}

void mlops__sample_free(mlops__sample *s)
{
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

typedef struct sort_job {
    double *v;
    size_t n;
    int rc;
} sort_job;

static void sort_thread(void *arg)
{
    sort_job *j = arg;
    j->rc = mlops__sort_doubles(j->v, j->n, NULL);
}

int mlops__sample_load_pair(const char *func, const double *ref, size_t nref, const double *cur,
                            size_t ncur, mlops__sample *a, mlops__sample *b)
{
    int rc = mlops__sample_load(func, "ref", ref, nref, 0, 1, a);
    if (rc) return rc;
    rc = mlops__sample_load(func, "cur", cur, ncur, 0, 1, b);
    if (rc) {
        mlops__sample_free(a);
        return rc;
    }
    /* Two large samples sort at once on two threads (when the limit allows);
     * if no worker took the second, this thread sorts both. */
    sort_job jb = { b->v, b->n, 0 };
    mlops__pool_job pj;
    int two = a->n >= PARALLEL_SORT_MIN && b->n >= PARALLEL_SORT_MIN &&
              mlops__pool_threads(0) > 1;
    mlops__pool_start(&pj, two ? 1 : 0, sort_thread, &jb);
    rc = mlops__sort_doubles(a->v, a->n, NULL);
    if (!mlops__pool_finish(&pj)) sort_thread(&jb);
    if (!rc) rc = jb.rc;
    if (rc) {
        mlops__sample_free(a);
        mlops__sample_free(b);
    }
    return rc;
}
