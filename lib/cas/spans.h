/* Internal: the pieces ("spans") a blob's bytes are read from, in order:
 * one object for whole content, the chunk rows for a chunked blob. */
#ifndef MLOPS_CAS_SPANS_H
#define MLOPS_CAS_SPANS_H

#include "cas/cas_internal.h"

typedef struct mlops__span {
    uint64_t offset; /* in the blob */
    uint64_t size;
    mlops_digest digest; /* the object holding these bytes */
} mlops__span;

/* Loads up to max spans of blob d (described by ct), starting with the
 * one that covers byte `from` (from < ct->size), in order. *n may be less
 * than max at the end. */
int mlops__spans_load(mlops__conn *c, const mlops_digest *d, const mlops__content *ct,
                      uint64_t from, mlops__span *out, size_t max, size_t *n);

/* Tells the store's object backend that spans[0..n)'s objects will be
 * read next, in order (objects.h, prefetch); nothing when it has no use
 * for the hint. */
void mlops__spans_prefetch(mlops_store *s, const mlops__span *spans, size_t n);

/* The largest span of the blob (for sizing buffers). */
int mlops__spans_max_size(mlops__conn *c, const mlops_digest *d, const mlops__content *ct,
                          uint64_t *out);

#endif
