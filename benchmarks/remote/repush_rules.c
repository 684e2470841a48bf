/* Candidate cut rules compared (issue 18, the re-push after a 1 MiB edit):
 * a faster approximation of repush_chunks.c that tries rules the store
 * does not have. The gear fingerprint over the last 64 bytes is computed
 * once per byte of the file (its leading zero bits), and each rule is
 * applied to that: a cut follows a byte when at least `small` top bits
 * are zero before avg, `large` from avg on (small = large: one mask from
 * min on; small = b + L, large = b - L: normalized chunking level L). The
 * store's chunker starts each chunk's fingerprint at 0 at min, so in the
 * first 64 hashed bytes of a chunk its cuts can differ from these; the
 * rules the store has are measured exactly by repush_chunks.c.
 *
 * Each trial: a random file of MIB MiB, 1 MiB at its middle overwritten,
 * every candidate cuts both; the bytes of the chunks the first cut lacks
 * are what a push re-sends. Prints, per candidate, the mean chunk, chunks
 * per GiB, and the mean, 95th percentile and worst of what an edit
 * re-sends, and how many of TRIALS edits exceed 4 MiB.
 *
 * Not built by meson (it reaches the library's internals):
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Ilib -Iinclude \
 *      benchmarks/remote/repush_rules.c lib/cas/chunker.c -lpthread -o repush_rules
 *   ./repush_rules MIB TRIALS SEED MIN,AVG,MAX,SMALL,LARGE...
 * e.g. the old rule and sizes, then level 1 at 128 KiB / 256 KiB / 4 MiB:
 *   ./repush_rules 48 100 0 262144,1048576,4194304,22,18 131072,262144,4194304,19,17 */
#include "cas/chunker.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "random_bytes.h"

/* zeros[i]: leading zero bits of the fingerprint of the 64 bytes ending at
 * i, for i in [from, to). */
static void leading_zeros(const unsigned char *p, size_t from, size_t to, unsigned char *zeros)
{
    const uint64_t *gear = mlops__cdc_gear();
    uint64_t fp = 0;
    for (size_t i = from >= 64 ? from - 64 : 0; i < to; i++) {
        fp = (fp << 1) + gear[p[i]];
        if (i >= from) zeros[i] = fp ? (unsigned char)__builtin_clzll(fp) : 64;
    }
}

typedef struct rule {
    unsigned min, avg, max, small, large;
    double sum, worst, *each;
    size_t chunks;
    int over;
} rule;

typedef struct span {
    size_t off, len;
} span;

static size_t cut(const rule *r, const unsigned char *zeros, size_t n, span *out)
{
    size_t k = 0, at = 0;
    while (at < n) {
        size_t s = at, end = 0, i = s + r->min < n ? s + r->min : n;
        size_t lim = s + r->avg < n ? s + r->avg : n;
        for (; i < lim && !end; i++)
            if (zeros[i] >= r->small) end = i + 1;
        lim = s + r->max < n ? s + r->max : n;
        for (; i < lim && !end; i++)
            if (zeros[i] >= r->large) end = i + 1;
        if (!end) end = lim;
        out[k].off = s;
        out[k].len = end - s;
        k++;
        at = end;
    }
    return k;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: repush_rules MIB TRIALS SEED MIN,AVG,MAX,SMALL,LARGE...\n");
        return 2;
    }
    size_t mib = strtoul(argv[1], NULL, 10);
    int trials = atoi(argv[2]), nr = argc - 4;
    uint64_t seed = strtoull(argv[3], NULL, 10);
    rule *rules = calloc((size_t)nr, sizeof *rules);
    if (!rules || trials < 1 || mib < 4) return 2;
    for (int q = 0; q < nr; q++) {
        rule *r = &rules[q];
        if (sscanf(argv[4 + q], "%u,%u,%u,%u,%u", &r->min, &r->avg, &r->max, &r->small,
                   &r->large) != 5 || r->min < 64 || r->min >= r->avg || r->avg >= r->max)
            return 2;
        r->each = malloc((size_t)trials * sizeof *r->each);
        if (!r->each) return 2;
    }
    size_t n = mib << 20, edit = 1u << 20, at = (n / 2) & ~(edit - 1);
    unsigned char *a = malloc(n), *z1 = malloc(n), *z2 = malloc(n);
    span *c1 = malloc((n / 64 + 2) * sizeof *c1), *c2 = malloc((n / 64 + 2) * sizeof *c2);
    if (!a || !z1 || !z2 || !c1 || !c2) return 2;
    for (int t = 0; t < trials; t++) {
        state = 1234567u + 7919u * (uint64_t)t + 1000003u * seed;
        fill(a, n);
        leading_zeros(a, 0, n, z1);
        memcpy(z2, z1, n);
        fill(a + at, edit);
        leading_zeros(a, at, at + edit + 64, z2);
        for (int q = 0; q < nr; q++) {
            rule *r = &rules[q];
            size_t k1 = cut(r, z1, n, c1), k2 = cut(r, z2, n, c2), i = 0, sent = 0;
            r->chunks += k1;
            for (size_t j = 0; j < k2; j++) {
                while (i < k1 && c1[i].off < c2[j].off) i++;
                int touched = c2[j].off < at + edit && c2[j].off + c2[j].len > at;
                if (touched || i == k1 || c1[i].off != c2[j].off || c1[i].len != c2[j].len)
                    sent += c2[j].len;
            }
            double m = (double)sent / 1048576.0;
            r->each[t] = m;
            r->sum += m;
            if (m > r->worst) r->worst = m;
            r->over += sent > (4u << 20);
        }
    }
    for (int q = 0; q < nr; q++) {
        rule *r = &rules[q];
        qsort(r->each, (size_t)trials, sizeof *r->each, by_value);
        printf("min %7u avg %7u max %7u bits %u/%u: mean chunk %.3f MiB (%.0f per GiB); "
               "re-sends mean %.2f p95 %.2f worst %.2f MiB, over 4 MiB in %d of %d\n",
               r->min, r->avg, r->max, r->small, r->large,
               (double)n * trials / (double)r->chunks / 1048576.0,
               (double)r->chunks * 1024.0 / ((double)mib * trials), r->sum / trials,
               r->each[(int)(0.95 * trials)], r->worst, r->over, trials);
        free(r->each);
    }
    free(rules);
    free(a);
    free(z1);
    free(z2);
    free(c1);
    free(c2);
    return 0;
}
