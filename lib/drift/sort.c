/* Cleaning samples (NaN and +-Inf out, counted) and sorting doubles with an
 * LSD radix sort on their IEEE-754 bit patterns: O(n) passes instead of
 * O(n log n) comparisons. */
#include "drift/drift_internal.h"
#include "util/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES 6 /* 6 * 11 = 66 >= 64 bits */
#define SMALL_SORT 64

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

static void insertion_sort(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

void mlops__sort_doubles_scratch(double *v, size_t n, double *tmp, uint32_t *scratch)
{
    if (n < SMALL_SORT) {
        insertion_sort(v, n);
        return;
    }
    uint32_t (*hist)[RADIX_SIZE] = (uint32_t (*)[RADIX_SIZE])scratch;
    memset(hist, 0, RADIX_PASSES * sizeof *hist);
    uint64_t *a = (uint64_t *)(void *)v;
    uint64_t *b = (uint64_t *)(void *)tmp;
    /* One pass builds every digit's histogram. */
    for (size_t i = 0; i < n; i++) {
        uint64_t k = key_of(a[i]);
        a[i] = k;
        for (int p = 0; p < RADIX_PASSES; p++)
            hist[p][(k >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)]++;
    }
    for (int p = 0; p < RADIX_PASSES; p++) {
        uint32_t *h = hist[p];
        unsigned shift = (unsigned)(p * RADIX_BITS);
        /* A digit every key shares needs no pass. */
        if (h[(a[0] >> shift) & (RADIX_SIZE - 1)] == n) continue;
        uint32_t sum = 0;
        for (unsigned d = 0; d < RADIX_SIZE; d++) {
            uint32_t c = h[d];
            h[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t k = a[i];
            b[h[(k >> shift) & (RADIX_SIZE - 1)]++] = k;
        }
        uint64_t *t = a;
        a = b;
        b = t;
    }
    /* The result may sit in tmp's storage: bring it home. */
    uint64_t *dst = (uint64_t *)(void *)v;
    for (size_t i = 0; i < n; i++) dst[i] = bits_of(a[i]);
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
    mlops__sort_doubles_scratch(v, n, tmp, hist);
    free(owned);
    free(hist);
    return MLOPS_OK;
}

int mlops__sample_load(const char *func, const char *side, const double *x, size_t n, int sort,
                       int require_values, mlops__sample *s)
{
    memset(s, 0, sizeof *s);
    if (!x && n > 0) return mlops__err_null(func, side);
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
