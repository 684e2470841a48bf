/* Internal: MurmurHash3 x86_32 (Austin Appleby's public-domain design),
 * the hash the routing of weighted aliases buckets keys with
 * (lib/registry/route.h, doc/delivery.md). Input blocks are read as
 * little-endian words whatever the host's byte order, so every platform,
 * and Python's mmh3.hash(data, seed, signed=False), give the same value.
 *
 * The streaming form lets a caller hash a fixed prefix once and finish
 * many inputs from that state: a state is a small value, copied freely.
 * Written from the algorithm's description: 4-byte little-endian blocks
 * mixed into h with the constants c1 = 0xcc9e2d51, c2 = 0x1b873593 and
 * rotations, a tail of 0-3 bytes mixed without the h step, then
 * h ^= length and the fmix32 avalanche. The steps are inline: routing
 * runs them once per key. */
#ifndef MLOPS_UTIL_MURMUR3_H
#define MLOPS_UTIL_MURMUR3_H

#include <stddef.h>
#include <stdint.h>

typedef struct mlops__murmur3 {
    uint32_t h;       /* running hash over the whole 4-byte blocks so far */
    uint32_t len;     /* bytes so far, modulo 2^32 (as the algorithm uses it) */
    uint8_t tail[4];  /* the bytes of the unfinished block */
    unsigned ntail;   /* 0..3 */
} mlops__murmur3;

void mlops__murmur3_init(mlops__murmur3 *st, uint32_t seed);

/* One-shot: the hash of n bytes with seed. */
uint32_t mlops__murmur3_32(const void *data, size_t n, uint32_t seed);

static inline uint32_t mlops__murmur3_rotl(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

static inline uint32_t mlops__murmur3_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t mlops__murmur3_k(uint32_t k)
{
    k *= 0xcc9e2d51u;
    k = mlops__murmur3_rotl(k, 15);
    return k * 0x1b873593u;
}

static inline uint32_t mlops__murmur3_block(uint32_t h, uint32_t k)
{
    h ^= mlops__murmur3_k(k);
    h = mlops__murmur3_rotl(h, 13);
    return h * 5 + 0xe6546b64u;
}

/* Appends n bytes (data may be NULL when n is 0). */
static inline void mlops__murmur3_update(mlops__murmur3 *st, const void *data, size_t n)
{
    const uint8_t *p = data;
    st->len += (uint32_t)n; /* the algorithm keeps the length modulo 2^32 */
    if (st->ntail) {
        /* Complete the block an earlier call began. (The "& 3" keeps every
         * index visibly inside tail[4] for the compiler; ntail < 4.) */
        size_t take = 4 - st->ntail;
        if (take > n) take = n;
        for (size_t i = 0; i < take; i++) st->tail[(st->ntail + i) & 3] = p[i];
        st->ntail += (unsigned)take;
        p += take;
        n -= take;
        if (st->ntail < 4) return;
        st->h = mlops__murmur3_block(st->h, mlops__murmur3_le32(st->tail));
        st->ntail = 0;
    }
    uint32_t h = st->h;
    for (; n >= 4; p += 4, n -= 4) h = mlops__murmur3_block(h, mlops__murmur3_le32(p));
    st->h = h;
    /* 0..3 bytes left, written with constant indexes (gcc 12 at -O3 warns
     * about a loop here it cannot bound). */
    switch (n) {
    case 3:
        st->tail[2] = p[2];
        /* fall through */
    case 2:
        st->tail[1] = p[1];
        /* fall through */
    case 1:
        st->tail[0] = p[0];
        break;
    default:
        break;
    }
    st->ntail = (unsigned)n;
}

/* The hash of everything appended; st is left as it was. */
static inline uint32_t mlops__murmur3_final(const mlops__murmur3 *st)
{
    uint32_t h = st->h, k = 0;
    switch (st->ntail) {
    case 3:
        k ^= (uint32_t)st->tail[2] << 16;
        /* fall through */
    case 2:
        k ^= (uint32_t)st->tail[1] << 8;
        /* fall through */
    case 1:
        k ^= st->tail[0];
        h ^= mlops__murmur3_k(k);
        break;
    default:
        break;
    }
    h ^= st->len;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

#endif
