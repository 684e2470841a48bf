/* Where a re-push's bytes come from (issue 18: "re-push after a 1 MiB
 * edit of a 1 GiB file sends <= 4 MiB"): the store's chunker (FastCDC,
 * lib/cas/chunker.c, by the rule RULE: gear-nc1, new stores' since format
 * 9, or gear-nc2, older stores') cuts a random file, 1 MiB at the
 * middle (MiB-aligned, as benchmarks/remote/run.sh's dd) is overwritten
 * with other random bytes, the file is cut again, and the bytes of the
 * chunks the first cut did not have are what a push sends (besides the
 * new manifest, about 40 bytes a chunk, and the trees above the file).
 * Random data: a chunk outside the edit with the same offset and length
 * has the same bytes. Prints the mean, the 95th percentile, the worst and
 * how many of TRIALS edits (each on a new random file; SEED picks the
 * files) exceed 4 MiB, the chunks per GiB, and how fast the chunker cut
 * (MB/s, one thread, both cuts of every trial).
 *
 * Not built by meson (it reaches the library's internals):
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Ilib -Iinclude -Ibuild/include \
 *      benchmarks/remote/repush_chunks.c build/lib/libmlops.a -lpthread -o repush_chunks
 *   ./repush_chunks [MIB=256] [MIN=131072] [AVG=524288] [MAX=4194304] [TRIALS=20]
 *                   [RULE=gear-nc1] [SEED=0] */
#include "cas/chunker.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "random_bytes.h"

typedef struct span {
    size_t off, len;
} span;

static mlops__cdc_rule rule = MLOPS__CDC_GEAR_NC1;
static double cut_seconds;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static size_t cut(const unsigned char *p, size_t n, uint32_t mn, uint32_t av, uint32_t mx,
                  span *out)
{
    double t0 = now();
    size_t k = 0, at = 0;
    while (at < n) {
        mlops__cdc c;
        mlops__cdc_init(&c, rule, mn, av, mx);
        size_t start = at;
        int hit = 0;
        while (at < n && !hit) at += mlops__cdc_feed(&c, p + at, n - at, &hit);
        out[k].off = start;
        out[k].len = at - start;
        k++;
    }
    cut_seconds += now() - t0;
    return k;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
    uint32_t mn = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 131072;
    uint32_t av = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 524288;
    uint32_t mx = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 4194304;
    int trials = argc > 5 ? atoi(argv[5]) : 20;
    const char *rule_name = argc > 6 ? argv[6] : "gear-nc1";
    uint64_t seed = argc > 7 ? strtoull(argv[7], NULL, 10) : 0;
    if (mlops__cdc_rule_parse(rule_name, &rule)) {
        fprintf(stderr, "unknown rule %s (gear-nc1 or gear-nc2)\n", rule_name);
        return 2;
    }
    size_t n = mib << 20, edit = 1u << 20, at = (n / 2) & ~(edit - 1);
    unsigned char *a = malloc(n);
    span *c1 = malloc((n / mn + 2) * sizeof *c1), *c2 = malloc((n / mn + 2) * sizeof *c2);
    double *each = malloc((size_t)(trials > 0 ? trials : 1) * sizeof *each);
    if (!a || !c1 || !c2 || !each || trials < 1 || n < 2 * edit) return 2;
    double sum = 0, worst = 0;
    size_t chunks = 0;
    int over = 0;
    for (int t = 0; t < trials; t++) {
        state = 1234567u + 7919u * (uint64_t)t + 1000003u * seed;
        fill(a, n);
        size_t k1 = cut(a, n, mn, av, mx, c1);
        chunks += k1;
        fill(a + at, edit);
        size_t k2 = cut(a, n, mn, av, mx, c2);
        size_t i = 0, sent = 0;
        for (size_t j = 0; j < k2; j++) {
            while (i < k1 && c1[i].off < c2[j].off) i++;
            int touched = c2[j].off < at + edit && c2[j].off + c2[j].len > at;
            if (touched || i == k1 || c1[i].off != c2[j].off || c1[i].len != c2[j].len)
                sent += c2[j].len;
        }
        double m = (double)sent / 1048576.0;
        each[t] = m;
        sum += m;
        if (m > worst) worst = m;
        over += sent > (4u << 20);
    }
    qsort(each, (size_t)trials, sizeof *each, by_value);
    printf("rule %s, chunks min %u avg %u max %u, %zu MiB files, seed %llu: mean chunk %.3f MiB "
           "(%.0f chunks per GiB); a 1 MiB edit re-sends %.2f MiB of chunks on average, p95 "
           "%.2f MiB, %.2f MiB at worst, over 4 MiB in %d of %d; chunker %.0f MB/s\n",
           rule_name, mn, av, mx, mib, (unsigned long long)seed,
           (double)n * trials / (double)chunks / 1048576.0,
           (double)chunks * 1024.0 / ((double)mib * trials), sum / trials,
           each[(int)(0.95 * trials)], worst, over, trials,
           2.0 * (double)n * trials / cut_seconds / 1e6);
    free(each);
    free(a);
    free(c1);
    free(c2);
    return 0;
}
