/* Internal: MurmurHash3 x86_32 (Austin Appleby's public-domain design),
 * the hash the routing of weighted aliases buckets keys with
 * (lib/registry/route.h, doc/delivery.md). Input blocks are read as
 * little-endian words whatever the host's byte order, so every platform,
 * and Python's mmh3.hash(data, seed, signed=False), give the same value.
 *
 * The streaming form lets a caller hash a fixed prefix once and finish
 * many inputs from that state: a state is a small value, copied freely. */
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
/* Appends n bytes (data may be NULL when n is 0). */
void mlops__murmur3_update(mlops__murmur3 *st, const void *data, size_t n);
/* The hash of everything appended; st is left as it was. */
uint32_t mlops__murmur3_final(const mlops__murmur3 *st);

/* One-shot: the hash of n bytes with seed. */
uint32_t mlops__murmur3_32(const void *data, size_t n, uint32_t seed);

#endif
