/* MurmurHash3 x86_32, written from the algorithm's description: 4-byte
 * little-endian blocks mixed into h with c1/c2 and rotations, a tail of 0-3
 * bytes mixed without the h step, then h ^= length and the fmix32
 * avalanche. See murmur3.h. */
#include "util/murmur3.h"

#include <string.h>

#define C1 0xcc9e2d51u
#define C2 0x1b873593u

static inline uint32_t rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

static inline uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t mix_k(uint32_t k)
{
    k *= C1;
    k = rotl32(k, 15);
    return k * C2;
}

static inline uint32_t mix_block(uint32_t h, uint32_t k)
{
    h ^= mix_k(k);
    h = rotl32(h, 13);
    return h * 5 + 0xe6546b64u;
}

void mlops__murmur3_init(mlops__murmur3 *st, uint32_t seed)
{
    st->h = seed;
    st->len = 0;
    st->ntail = 0;
    memset(st->tail, 0, sizeof st->tail);
}

void mlops__murmur3_update(mlops__murmur3 *st, const void *data, size_t n)
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
        st->h = mix_block(st->h, load_le32(st->tail));
        st->ntail = 0;
    }
    uint32_t h = st->h;
    for (; n >= 4; p += 4, n -= 4) h = mix_block(h, load_le32(p));
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

uint32_t mlops__murmur3_final(const mlops__murmur3 *st)
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
        h ^= mix_k(k);
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

uint32_t mlops__murmur3_32(const void *data, size_t n, uint32_t seed)
{
    mlops__murmur3 st;
    mlops__murmur3_init(&st, seed);
    mlops__murmur3_update(&st, data, n);
    return mlops__murmur3_final(&st);
}
