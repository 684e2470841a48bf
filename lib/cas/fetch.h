/* Internal: reading the spans of a byte range of a blob with the store's
 * worker threads, in any order (for get to memory, get to a file, random
 * access). Each span's object is decoded and verified before `done` sees
 * its bytes. */
#ifndef MLOPS_CAS_FETCH_H
#define MLOPS_CAS_FETCH_H

#include "cas/spans.h"

typedef struct mlops__fetch {
    mlops_store *s;
    mlops__conn *conn; /* the caller's, used to list spans (one thread at a time) */
    const mlops_digest *d;
    const mlops__content *ct;
    uint64_t from, to; /* the byte range: spans overlapping it are read */
    /* Where to decode a span: a buffer of sp->size bytes, or NULL for a
     * worker's own buffer. Bytes decoded there are not verified until
     * `done` runs: only return memory the caller never sees on failure. */
    unsigned char *(*dest)(void *ctx, const mlops__span *sp);
    /* Called with the span's verified bytes, possibly from several threads
     * at once (for different spans). */
    int (*done)(void *ctx, const mlops__span *sp, const unsigned char *data);
    void *ctx;
} mlops__fetch;

int mlops__fetch_run(mlops__fetch *f);

#endif
