/* Internal: fsck's check of blobs (fsck_blobs.c), and the sampling both
 * of fsck's passes use. */
#ifndef MLOPS_STORE_FSCK_BLOBS_H
#define MLOPS_STORE_FSCK_BLOBS_H

#include "cas/cas_internal.h"

/* Whether to check the next item when checking a fraction `sample` of
 * them (xorshift on *seed). */
static inline int mlops__fsck_keep(uint64_t *seed, double sample)
{
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    return sample >= 1.0 || (double)(*seed >> 11) / 9007199254740992.0 < sample;
}

/* Checks every blob (or a fraction `sample` of them): a chunked blob's
 * chunk rows, size and count must be those of the manifest object it
 * names, and its chunks read in order must hash to its digest; a blob
 * stored whole must have its object's size. The digests of the blobs
 * that fail go to *bad (malloc'd, *nbad of them). A blob whose manifest
 * or chunk object is itself damaged is left to the object pass, which
 * reports that object. Errors (naming fn, the public caller): MLOPS_EIO,
 * MLOPS_ENOMEM, MLOPS_EBUSY. */
int mlops__fsck_blobs(mlops_store *s, const char *fn, double sample, uint64_t *seed,
                      mlops_digest **bad, size_t *nbad);

#endif
