/* Internal: reading the spans of a byte range of a blob with the store's
 * worker threads, in any order (for get to memory, get to a file, tree
 * restore, random access).
 *
 * A ranged read verifies each span's object before `done` sees its bytes:
 * that proves the bytes are the chunks the store lists, not that the list
 * is the blob's. A complete read (`whole`) proves the blob: the workers
 * hash the spans in order, as they finish, into the SHA-256 of the whole
 * blob, and the run fails unless it is the digest asked for. That hash
 * covers every chunk, so the chunks are not hashed one by one as well;
 * when the whole does not match, a second pass that verifies each chunk
 * names the damaged object, or else reports the chunk list as wrong. In
 * that mode `done` sees bytes that are proven only when the run returns
 * MLOPS_OK: it must keep them from the caller until then (a temporary
 * file, the caller's buffer cleared on failure). */
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
    /* Called with the span's bytes (verified, or for a whole read proven
     * when the run succeeds), possibly from several threads at once (for
     * different spans). */
    int (*done)(void *ctx, const mlops__span *sp, const unsigned char *data);
    void *ctx;
    int whole;    /* in: [from, to) is the whole blob; it must hash to d */
    int mismatch; /* out: every chunk is sound, but together they are not d */
} mlops__fetch;

int mlops__fetch_run(mlops__fetch *f);

/* A `done` for reads into a file (ctx: an mlops__fetch_file): writes each
 * span at its offset. With write_out (the file will be made durable once
 * read: an fsync, or a sync of its file system), it starts writing the
 * file out as it grows
 * (mlops__write_out_due), so that the device works while the blob is
 * still being fetched (a 1 GiB `mlops get -o` from a local store: 1.46 s,
 * then 0.96 s). */
typedef struct mlops__fetch_file {
    int fd;
    const char *name; /* for messages */
    int write_out;
    uint64_t written; /* bytes written so far (atomic) */
} mlops__fetch_file;

int mlops__fetch_file_write(void *ctx, const mlops__span *sp, const unsigned char *data);

#endif
