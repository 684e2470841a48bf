/* Where a re-push's bytes come from (issue 18: "re-push after a 1 MiB
 * edit of a 1 GiB file sends <= 4 MiB"): the store's chunker (FastCDC,
 * normalized level 2, lib/cas/chunker.c) cuts a random file, 1 MiB at the
 * middle (MiB-aligned, as benchmarks/remote/run.sh's dd) is overwritten
 * with other random bytes, the file is cut again, and the bytes of the
 * chunks the first cut did not have are what a push sends (besides the
 * new manifest, about 40 bytes a chunk, and the trees above the file).
 * Random data: a chunk outside the edit with the same offset and length
 * has the same bytes. Prints the mean, the worst and how many of TRIALS
 * edits (each on a new random file) exceed 4 MiB.
 *
 * Not built by meson (it reaches the library's internals):
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Ilib -Iinclude -Ibuild/include \
 *      benchmarks/remote/repush_chunks.c build/lib/libmlops.a -lpthread -o repush_chunks
 *   ./repush_chunks [MIB=256] [MIN=262144] [AVG=1048576] [MAX=4194304] [TRIALS=20] */
#include "cas/chunker.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 1;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static void fill(unsigned char *p, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t v = next();
        memcpy(p + i, &v, 8);
    }
}

typedef struct span {
    size_t off, len;
} span;

static size_t cut(const unsigned char *p, size_t n, uint32_t mn, uint32_t av, uint32_t mx,
                  span *out)
{
    size_t k = 0, at = 0;
    while (at < n) {
        mlops__cdc c;
        mlops__cdc_init(&c, mn, av, mx);
        size_t start = at;
        int hit = 0;
        while (at < n && !hit) at += mlops__cdc_feed(&c, p + at, n - at, &hit);
        out[k].off = start;
        out[k].len = at - start;
        k++;
    }
    return k;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
    uint32_t mn = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 262144;
    uint32_t av = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 1048576;
    uint32_t mx = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 4194304;
    int trials = argc > 5 ? atoi(argv[5]) : 20;
    size_t n = mib << 20, edit = 1u << 20, at = (n / 2) & ~(edit - 1);
    unsigned char *a = malloc(n);
    span *c1 = malloc((n / mn + 2) * sizeof *c1), *c2 = malloc((n / mn + 2) * sizeof *c2);
    if (!a || !c1 || !c2 || trials < 1 || n < 2 * edit) return 2;
    double sum = 0, worst = 0;
    size_t chunks = 0;
    int over = 0;
    for (int t = 0; t < trials; t++) {
        state = 1234567u + 7919u * (uint64_t)t;
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
        sum += m;
        if (m > worst) worst = m;
        over += sent > (4u << 20);
    }
    printf("chunks min %u avg %u max %u over %zu MiB: mean chunk %.2f MiB; a 1 MiB edit "
           "re-sends %.2f MiB of chunks on average, %.2f MiB at worst, over 4 MiB in %d of %d\n",
           mn, av, mx, mib, (double)n * trials / (double)chunks / 1048576.0, sum / trials,
           worst, over, trials);
    free(a);
    free(c1);
    free(c2);
    return 0;
}
