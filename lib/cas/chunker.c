#include "cas/chunker.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

/* The gear table comes from splitmix64 seeded with "mlopscdc" read as a
 * big-endian integer: fixed forever, because changing it would move every
 * cut point and stop new versions from deduplicating against old ones.
 * doc/format.md gives the same recipe. */
#define GEAR_SEED 0x6d6c6f7073636463ull

static uint64_t gear[256];
static pthread_once_t gear_once = PTHREAD_ONCE_INIT;

static void gear_build(void)
{
    uint64_t x = GEAR_SEED;
    for (int i = 0; i < 256; i++) {
        uint64_t z = (x += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        gear[i] = z ^ (z >> 31);
    }
}

const uint64_t *mlops__cdc_gear(void)
{
    pthread_once(&gear_once, gear_build);
    return gear;
}

static unsigned log2u(uint32_t v)
{
    unsigned b = 0;
    while (v > 1) {
        v >>= 1;
        b++;
    }
    return b;
}

/* A mask of `bits` ones at the top of the fingerprint: the top bits mix
 * the most recent bytes (up to 64 of them), the sliding window. */
static uint64_t top_mask(unsigned bits)
{
    if (bits == 0) return 0;
    if (bits >= 64) return ~0ull;
    return ~0ull << (64 - bits);
}

static const char *const rule_names[] = { [MLOPS__CDC_GEAR_NC2] = "gear-nc2",
                                           [MLOPS__CDC_GEAR_NC1] = "gear-nc1" };

int mlops__cdc_rule_parse(const char *name, mlops__cdc_rule *out)
{
    for (size_t i = 0; i < sizeof rule_names / sizeof rule_names[0]; i++)
        if (!strcmp(name, rule_names[i])) {
            *out = (mlops__cdc_rule)i;
            return 0;
        }
    return -1;
}

const char *mlops__cdc_rule_name(mlops__cdc_rule rule)
{
    return rule_names[rule];
}

void mlops__cdc_init(mlops__cdc *c, mlops__cdc_rule rule, uint32_t min, uint32_t avg,
                     uint32_t max)
{
    mlops__cdc_gear();
    unsigned bits = log2u(avg);
    c->min = min;
    c->avg = avg;
    c->max = max;
    /* Normalized chunking: a cut is 2^level times less likely before the
     * average size and 2^level times more likely after it, which narrows
     * the size distribution around avg. But a cut made with the easier
     * mask is skipped when an edit moves its chunk's start to less than
     * avg before it, so after an edit the new cuts can take several
     * chunks to fall back onto the old ones; at level 2 that made a 1 MiB
     * edit re-send over 4 MiB about one time in five, at level 1 (with
     * the smaller default sizes of format 9) essentially never
     * (benchmarks/remote/RESULTS). */
    unsigned level = rule == MLOPS__CDC_GEAR_NC2 ? 2 : 1;
    c->mask_small = top_mask(bits + level);
    c->mask_large = top_mask(bits > level ? bits - level : 1);
    c->fp = 0;
    c->pos = 0;
}

/* One byte at a time: the rule itself (doc/format.md). */
static size_t scan_serial(uint64_t *fpp, uint64_t mask, const unsigned char *p, size_t n,
                          int *hit)
{
    uint64_t fp = *fpp;
    for (size_t i = 0; i < n; i++) {
        fp = (fp << 1) + gear[p[i]];
        if (!(fp & mask)) {
            *fpp = fp;
            *hit = 1;
            return i + 1;
        }
    }
    *fpp = fp;
    return n;
}

/* Bytes each lane covers per block (at most), and the fewest worth two
 * lanes. */
#define LANE_MAX (16u * 1024u)
#define LANE_MIN 512u

/* The same result as scan_serial, about twice as fast. Each step of the
 * fingerprint waits for the one before (a shift and an add), so one
 * lane leaves most of the core idle. But a byte's contribution is
 * shifted out of the 64-bit fingerprint 64 bytes later: the fingerprint
 * after any byte is a function of the last 64 bytes alone. So the second
 * half of a block can be scanned at the same time as the first, starting
 * from 64 bytes before it, and the first cut found in the first half (else
 * the second) is the cut scan_serial finds. p[0..n) all lie after the
 * chunk's first hashed byte, so the 64 bytes before the second half are
 * ones scan_serial hashes too. */
static size_t scan(uint64_t *fpp, uint64_t mask, const unsigned char *p, size_t n, int *hit)
{
    size_t done = 0;
    while (n - done >= 2 * LANE_MIN) {
        size_t lane = (n - done) / 2;
        if (lane > LANE_MAX) lane = LANE_MAX;
        const unsigned char *a = p + done, *b = a + lane;
        uint64_t fa = *fpp, fb = 0;
        for (size_t i = 64; i > 0; i--) fb = (fb << 1) + gear[b[-(ptrdiff_t)i]];
        size_t i = 0;
        for (; i < lane; i++) {
            fa = (fa << 1) + gear[a[i]];
            fb = (fb << 1) + gear[b[i]];
            if (!(fa & mask) || !(fb & mask)) break;
        }
        if (i == lane) { /* no cut in the block: fb is the fingerprint at its end */
            *fpp = fb;
            done += 2 * lane;
            continue;
        }
        if (!(fa & mask)) {
            *fpp = fa;
            *hit = 1;
            return done + i + 1;
        }
        /* The second half cuts first: the first half may still cut
         * earlier. */
        uint64_t at_b = fb;
        size_t k = i + 1 + scan_serial(&fa, mask, a + i + 1, lane - i - 1, hit);
        if (*hit) {
            *fpp = fa;
            return done + k;
        }
        *fpp = at_b;
        *hit = 1;
        return done + lane + i + 1;
    }
    return done + scan_serial(fpp, mask, p + done, n - done, hit);
}

size_t mlops__cdc_feed(mlops__cdc *c, const unsigned char *p, size_t n, int *cut)
{
    size_t used = 0;
    *cut = 0;
    /* Nothing before min can be a cut: skip it without hashing. */
    if (c->pos < c->min) {
        size_t k = c->min - c->pos;
        if (k > n) k = n;
        c->pos += k;
        used += k;
    }
    int hit = 0;
    if (used < n && c->pos < c->avg) {
        size_t room = c->avg - c->pos, avail = n - used;
        size_t k = scan(&c->fp, c->mask_small, p + used, avail < room ? avail : room, &hit);
        c->pos += k;
        used += k;
    }
    if (!hit && used < n && c->pos < c->max) {
        size_t room = c->max - c->pos, avail = n - used;
        size_t k = scan(&c->fp, c->mask_large, p + used, avail < room ? avail : room, &hit);
        c->pos += k;
        used += k;
    }
    if (hit || c->pos == c->max) {
        *cut = 1;
        c->fp = 0;
        c->pos = 0;
    }
    return used;
}
