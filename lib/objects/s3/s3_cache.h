/* Internal: the S3 backend's local read cache, a folder in the store
 * directory (<store>/cache/, marked with CACHEDIR.TAG so that backup tools
 * skip it). Each object read from S3 is kept as a file
 * cache/sha256/<2 hex>/<62 hex>: its stored bytes followed by their
 * CRC-32C, so that a damaged cache file is noticed, dropped and fetched
 * again, never served (nor mistaken for damage on the server; the reader
 * checks every object against its digest anyway). The
 * folder's size is bounded: past the limit, the files read longest ago
 * are removed (a hit refreshes a file's time).
 *
 * Nothing here fails a read: a cache that cannot be written or read is a
 * miss. Several processes may share the folder (a file appears by rename;
 * the folder's size is counted in a file beside them, <dir>/size, which
 * every process adds to under flock, so that the bound holds for all of
 * them). Threads: every
 * function may be called from several threads on one cache. */
#ifndef MLOPS_OBJECTS_S3_S3_CACHE_H
#define MLOPS_OBJECTS_S3_S3_CACHE_H

#include "mlops/common.h"

#include <stddef.h>
#include <stdint.h>

#include "objects/s3/s3_buffers.h"

#define MLOPS__S3_CACHE_DEFAULT_BYTES ((uint64_t)2 << 30)

typedef struct mlops__s3_cache mlops__s3_cache;

/* Opens (making it when missing) the cache folder dir bounded to
 * max_bytes; *out is NULL, with MLOPS_OK, when max_bytes is 0 or the
 * folder cannot be made (then reads go to S3 every time). MLOPS_ENOMEM. */
int mlops__s3_cache_open(const char *dir, uint64_t max_bytes, mlops__s3_cache **out);
void mlops__s3_cache_close(mlops__s3_cache *c);

/* 1 with *data (a buffer taken from buffers, s3_buffers.h) and *len
 * holding object d's stored bytes when the cache has an intact copy, else
 * 0 (a damaged copy is removed). */
int mlops__s3_cache_get(mlops__s3_cache *c, const mlops_digest *d, mlops__s3_buffers *buffers,
                        unsigned char **data, size_t *len);
/* Whether the cache holds a file for object d (not checked: a read
 * checks); when it does, the file is read ahead (asynchronously), for a
 * get of d soon. */
int mlops__s3_cache_has(mlops__s3_cache *c, const mlops_digest *d);
/* Keeps a copy of object d's stored bytes; may evict. */
void mlops__s3_cache_put(mlops__s3_cache *c, const mlops_digest *d, const void *data, size_t len);
/* Forgets object d (it was removed or moved aside on the server). */
void mlops__s3_cache_drop(mlops__s3_cache *c, const mlops_digest *d);

#endif
