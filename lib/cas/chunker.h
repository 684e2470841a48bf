/* Internal: content-defined chunking with FastCDC and normalized chunking
 * (level 2). Cut points depend only on the content, so an edit moves only
 * the boundaries near it and the chunks elsewhere stay the same objects. */
#ifndef MLOPS_CAS_CHUNKER_H
#define MLOPS_CAS_CHUNKER_H

#include <stddef.h>
#include <stdint.h>

typedef struct mlops__cdc {
    uint32_t min, avg, max; /* the store's recorded sizes */
    uint64_t mask_small;    /* harder mask, used before avg */
    uint64_t mask_large;    /* easier mask, used from avg on */
    uint64_t fp;            /* gear fingerprint of the current chunk */
    size_t pos;             /* bytes of the current chunk seen so far */
} mlops__cdc;

/* Sizes must satisfy the store's rules (avg a power of two, min < avg <
 * max). Starts a new chunk. */
void mlops__cdc_init(mlops__cdc *c, uint32_t min, uint32_t avg, uint32_t max);

/* Feeds n bytes that continue the current chunk. Returns how many were
 * consumed: when *cut is set, the current chunk ends after them and the
 * state is ready for the next chunk; otherwise all n were consumed and
 * the chunk goes on. The end of the data always ends the last chunk (the
 * caller's business). */
size_t mlops__cdc_feed(mlops__cdc *c, const unsigned char *p, size_t n, int *cut);

/* The gear table (256 fixed pseudo-random 64-bit values): part of the
 * format, since it decides where chunks end. */
const uint64_t *mlops__cdc_gear(void);

#endif
