/*
 * libmlops — content-addressed storage: blobs, streams, trees, references.
 *
 * A blob is a sequence of bytes named by its digest, the SHA-256 of those
 * bytes (so it equals `sha256sum` of a file). Putting the same bytes twice
 * stores them once. Small content is one object file; content larger than
 * the store's maximum chunk size is split by content-defined chunking into
 * chunk objects listed by a manifest, so a new version that differs a
 * little from an old one costs only its changed chunks. Objects are
 * compressed with zstd unless that saves under 10%.
 *
 * Every byte handed out has been verified: each object's SHA-256 is checked
 * before any of its bytes are returned, and a mismatch fails the call with
 * MLOPS_ECORRUPT naming the object.
 *
 * Durability: a put that returned MLOPS_OK survives a process kill (object
 * files are fsync'd and renamed into place before the row that makes them
 * visible commits). Threads: every function may be called from several
 * threads on one store handle; many processes may put into one store at
 * once.
 */
#ifndef MLOPS_CAS_H
#define MLOPS_CAS_H

#include "common.h"
#include "store.h"

MLOPS_BEGIN_DECLS

/* ---- Blobs ------------------------------------------------------------- */

/* Stores len bytes at data (data may be NULL when len is 0: the empty blob
 * is valid) and writes their digest to *out. Content already in the store
 * is not written again. data is borrowed for the call.
 * Errors: MLOPS_EINVAL (NULL s or out, or NULL data with len > 0),
 * MLOPS_EREADONLY (read-only handle), MLOPS_EIO (the OS refused, e.g. a
 * full disk: nothing becomes visible and temp files are removed),
 * MLOPS_ENOMEM, MLOPS_EBUSY. */
MLOPS_API int mlops_blob_put(mlops_store *s, const void *data, size_t len, mlops_digest *out);

/* Reads the whole blob d into a new buffer: *data (release it with
 * mlops_free; non-NULL even for the empty blob) and *len. Every byte is
 * verified before the call returns; on failure *data is NULL and *len 0.
 * Errors: MLOPS_EINVAL (NULL argument, or d names a tree),
 * MLOPS_ENOTFOUND (no blob d), MLOPS_ECORRUPT (an object is missing or
 * fails verification; the message names it), MLOPS_EIO, MLOPS_ENOMEM
 * (the blob does not fit in memory: use a reader). */
MLOPS_API int mlops_blob_get(mlops_store *s, const mlops_digest *d, void **data, size_t *len);

/* Sets *exists to 1 when a blob or tree with digest d is in the store,
 * else 0. Errors: MLOPS_EINVAL for NULL arguments, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_blob_exists(mlops_store *s, const mlops_digest *d, int *exists);

MLOPS_END_DECLS

#endif /* MLOPS_CAS_H */
