/* The random files of repush_chunks.c and repush_rules.c: one xorshift64
 * stream (seeded through `state`), so both programs cut the same bytes
 * for the same seed. Header-only: the two are built by hand, one file
 * each. */
#ifndef BENCH_REMOTE_RANDOM_BYTES_H
#define BENCH_REMOTE_RANDOM_BYTES_H

#include <stdint.h>
#include <string.h>

static uint64_t state = 1;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* n is a multiple of 8 here; a tail is left as it was. */
static void fill(unsigned char *p, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t v = next();
        memcpy(p + i, &v, 8);
    }
}

#endif
