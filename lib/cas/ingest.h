/* Internal: one pass of putting a blob of any length.
 *
 * The producer (the caller's thread) places bytes and finds chunk
 * boundaries (FastCDC) into a ring of chunk buffers. The rest is tasks
 * that any of the pool's threads (one fewer than the store's `threads`)
 * take, and the producer too whenever the ring is full: hashing the next
 * chunk into the blob's SHA-256 (in order, one thread at a time, always
 * first since it is the one chain that cannot be split), and for each
 * chunk its own SHA-256, then skipping it when the store has it, else
 * compressing and writing it. The I/O helper, a thread that only waits
 * on the disk (the thread limit does not count it), fsyncs and renames
 * the written chunk files. So reading, chunking, hashing, compressing and
 * writing overlap, one busy thread per core. Memory is bounded by the
 * ring.
 *
 * Content up to the store's maximum chunk size never starts a thread: it
 * becomes one whole object. */
#ifndef MLOPS_CAS_INGEST_H
#define MLOPS_CAS_INGEST_H

#include "cas/cas_internal.h"

typedef struct mlops__ingest mlops__ingest;

/* func names the public entry point in error messages. */
int mlops__ingest_new(mlops_store *s, const char *func, mlops__ingest **out);

/* Copies len bytes in. */
int mlops__ingest_write(mlops__ingest *ig, const void *data, size_t len);

/* Zero-copy filling (files): *p receives room for up to *room bytes (at
 * least 1); after writing n of them (n <= *room) call advance. */
int mlops__ingest_reserve(mlops__ingest *ig, void **p, size_t *room);
int mlops__ingest_advance(mlops__ingest *ig, size_t n);

/* Bytes received so far. */
uint64_t mlops__ingest_total(const mlops__ingest *ig);

/* Ends the content, waits for the workers and commits the blob: *out
 * receives its digest. Releases ig whatever the outcome. */
int mlops__ingest_finish(mlops__ingest *ig, mlops_digest *out);

/* Discards everything (objects written for it and not used by anyone are
 * removed) and releases ig. NULL is a no-op. */
void mlops__ingest_abort(mlops__ingest *ig);

/* Puts len bytes from memory (borrowed for the call, never copied). */
int mlops__ingest_memory(mlops_store *s, const char *func, const void *data, size_t len,
                         mlops_digest *out);

/* Reads fd to its end into a new blob; path names it in messages. *size
 * (may be NULL) receives the blob's size. */
int mlops__put_fd(mlops_store *s, const char *func, int fd, const char *path,
                  mlops_digest *out, uint64_t *size);

#endif
