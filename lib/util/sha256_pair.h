/* Internal: SHA-256 of our own, for hashing the same bytes into two
 * digests at once: a chunk's and the whole blob's, which a read of a
 * chunked blob must both check (doc/security.md). One SHA-256 with the
 * CPU's SHA instructions waits on each round's result (latency, not
 * throughput), so two independent hashes interleaved, block by block,
 * take little more time than one: the two passes a chunked read needs
 * cost about one. Only where the CPU has the SHA extensions (x86-64
 * SHA-NI); mlops__sha256_pair_available says so, and callers keep
 * hash.h's OpenSSL hashing elsewhere. The digests are plain SHA-256
 * (tests compare them with OpenSSL's). */
#ifndef MLOPS_UTIL_SHA256_PAIR_H
#define MLOPS_UTIL_SHA256_PAIR_H

#include "mlops/common.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mlops__sha256s {
    uint32_t h[8];
    unsigned char buf[64]; /* bytes of a block not yet complete */
    size_t nbuf;
    uint64_t total; /* bytes fed */
} mlops__sha256s;

/* 1 when this CPU runs the functions below (checked once), else 0: then
 * none of them may be called. */
int mlops__sha256_pair_available(void);
/* For tests: 0 makes mlops__sha256_pair_available answer 0 from now on,
 * as on a CPU without SHA-NI (so that both ways of reading and putting
 * are tested on any machine); 1 gives back the CPU's answer. */
void mlops__sha256_pair_allow(int yes);

void mlops__sha256s_init(mlops__sha256s *h);
void mlops__sha256s_update(mlops__sha256s *h, const void *data, size_t len);
/* Writes the digest and re-initialises h. */
void mlops__sha256s_final(mlops__sha256s *h, mlops_digest *out);
/* Feeds the same len bytes to a and b (two different hashes, each
 * anywhere in its input), both lanes in one pass. */
void mlops__sha256s_update_pair(mlops__sha256s *a, mlops__sha256s *b, const void *data,
                                size_t len);

#endif
