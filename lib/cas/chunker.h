/* Internal: content-defined chunking with a gear fingerprint (FastCDC).
 * Cut points depend only on the content, so an edit moves only the
 * boundaries near it and the chunks elsewhere stay the same objects. */
#ifndef MLOPS_CAS_CHUNKER_H
#define MLOPS_CAS_CHUNKER_H

#include <stddef.h>
#include <stdint.h>

/* The cut rules a store may record (meta `chunk_rule`, doc/format.md
 * "Chunking"). A store keeps its rule for good: another rule would move
 * every cut point and stop new versions sharing chunks with old ones. */
typedef enum mlops__cdc_rule {
    /* "gear-nc2": normalized chunking level 2, a mask 4 times harder
     * than 1/avg before avg and 4 times easier from avg on. Stores made
     * before format 9 (no `chunk_rule` row) use it. */
    MLOPS__CDC_GEAR_NC2,
    /* "gear-nc1": level 1, twice harder and twice easier. After an edit
     * its cuts fall back onto the old ones sooner (a cut made with the
     * easier mask is less often skipped), which bounds what a re-push
     * sends; new stores use it (benchmarks/remote/RESULTS). */
    MLOPS__CDC_GEAR_NC1
} mlops__cdc_rule;

/* The rule a meta value names; 0 on success, -1 for a name this library
 * does not know. */
int mlops__cdc_rule_parse(const char *name, mlops__cdc_rule *out);

/* The meta value of a rule. */
const char *mlops__cdc_rule_name(mlops__cdc_rule rule);

typedef struct mlops__cdc {
    uint32_t min, avg, max; /* the store's recorded sizes */
    uint64_t mask_small;    /* mask used before avg */
    uint64_t mask_large;    /* mask used from avg on */
    uint64_t fp;            /* gear fingerprint of the current chunk */
    size_t pos;             /* bytes of the current chunk seen so far */
} mlops__cdc;

/* Sizes must satisfy the store's rules (avg a power of two, min < avg <
 * max). Starts a new chunk. */
void mlops__cdc_init(mlops__cdc *c, mlops__cdc_rule rule, uint32_t min, uint32_t avg,
                     uint32_t max);

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
