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

/* A blob's spans that overlap the byte range [from, to), in order,
 * listed a batch at a time. Each batch is announced to the object backend
 * (mlops__spans_prefetch) when the reader is half way through the one
 * before, so that a backend far from its data (S3) keeps fetching across
 * batches instead of waiting a round trip at each; spans past `to` are
 * never announced (a small ranged read fetches nothing it does not
 * read). Not thread-safe: one thread at a time (the caller's lock). */
#define MLOPS__SPAN_BATCH 64
typedef struct mlops__span_list {
    mlops_store *s;
    mlops__conn *conn;
    const mlops_digest *d;
    const mlops__content *ct;
    uint64_t to;
    uint64_t cursor; /* first byte not yet listed */
    mlops__span batch[2][MLOPS__SPAN_BATCH]; /* the one handed out, the one ahead */
    size_t n[2];
    unsigned cur;  /* batch[cur] is being handed out */
    size_t next;   /* its next span */
    int ahead;     /* batch[cur ^ 1] is listed (and announced) */
    int ended;
} mlops__span_list;

/* Starts a list (no database access yet); the list borrows every
 * argument until its last use. */
void mlops__span_list_init(mlops__span_list *l, mlops_store *s, mlops__conn *c,
                           const mlops_digest *d, const mlops__content *ct, uint64_t from,
                           uint64_t to);
/* The next span: *have = 1 with *out, or 0 at the end of the range (and
 * at every call after). The caller checks that spans tile the range. A
 * list whose ends do not advance is MLOPS_ECORRUPT. */
int mlops__span_list_next(mlops__span_list *l, mlops__span *out, int *have);

/* The largest span of the blob (for sizing buffers). */
int mlops__spans_max_size(mlops__conn *c, const mlops_digest *d, const mlops__content *ct,
                          uint64_t *out);

#endif
