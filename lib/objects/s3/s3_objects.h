/* Internal: the S3 object backend (lib/objects/objects.h) over the S3
 * client (s3_http.h). Objects are keys under the location's prefix laid
 * out as the local directory's files (doc/format.md, doc/s3.md):
 *   <prefix>/objects/sha256/<2 hex>/<62 hex>     an object
 *   <prefix>/quarantine/sha256/<2 hex>/<62 hex>  what fsck moved aside
 * An object is placed with one PUT `If-None-Match: *`: it is durable on
 * the server when the PUT returns, so sync has nothing to do, and a
 * metadata row naming it is written only after. Reads fetch the whole
 * object (a few MiB at most); lib/cas verifies every object it reads. */
#ifndef MLOPS_OBJECTS_S3_S3_OBJECTS_H
#define MLOPS_OBJECTS_S3_S3_OBJECTS_H

#include "objects/objects.h"

#include <stdint.h>

/* Where an S3 store's objects are and how to reach them: url is
 * "s3://bucket[/prefix]" (mlops.conf's objects line); endpoint and region
 * are the store config's (NULL: none), which the AWS environment
 * overrides (aws_config.h). cache_dir (NULL: no cache) is the local read
 * cache's folder, bounded to cache_bytes (s3_cache.h). Makes no request.
 * MLOPS_EINVAL (a malformed URL or setting), MLOPS_ENOTFOUND (no
 * credentials), MLOPS_EUNSUPPORTED (credentials this library cannot use),
 * MLOPS_ENOMEM; the message starts with fn. */
int mlops__objects_s3_open(const char *fn, const char *url, const char *endpoint,
                           const char *region, const char *cache_dir, uint64_t cache_bytes,
                           mlops__objects **out);

/* The key that marks a prefix as one store's (mlops__objects_s3_claim). */
#define MLOPS__S3_STORE_MARKER "mlops-store"

/* Claims be's prefix for a store being created: MLOPS_EEXIST (naming the
 * prefix and what is there) when it holds any key already (another
 * store's objects or marker, a remote's), else writes the marker
 * <prefix>/mlops-store with If-None-Match, so that of two stores made at
 * the same moment one is refused. Two stores on one prefix would each take
 * the other's objects for orphans, and their gc would remove them. */
int mlops__objects_s3_claim(const char *fn, mlops__objects *be);
/* *yes = 1 when be's prefix is a store's (its marker is there), else 0:
 * a remote must not write there (one HEAD). */
int mlops__objects_s3_is_store(const char *fn, mlops__objects *be, int *yes);
/* Removes the marker again (best effort): the store's creation failed. */
void mlops__objects_s3_unclaim(mlops__objects *be);

/* Transfer threads be (an S3 backend) has started so far: for tests. */
unsigned mlops__objects_s3_threads(mlops__objects *be);

#endif
