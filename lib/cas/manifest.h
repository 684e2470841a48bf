/* Internal: the manifest of a chunked blob, a versioned msgpack map that
 * lists its chunks in order (doc/format.md, "Manifests"). */
#ifndef MLOPS_CAS_MANIFEST_H
#define MLOPS_CAS_MANIFEST_H

#include "mlops/common.h"

#include <stddef.h>
#include <stdint.h>

#define MLOPS__MANIFEST_VERSION 1

typedef struct mlops__chunk_ref {
    mlops_digest digest;
    uint64_t size;
} mlops__chunk_ref;

/* Encodes the canonical manifest of n chunks totalling `total` bytes
 * into a malloc'd buffer. */
int mlops__manifest_encode(uint64_t total, const mlops__chunk_ref *chunks, size_t n,
                           void **out, size_t *len);

/* Decodes and checks a manifest: known format and version, 32-byte
 * digests, sizes that add up to its total. *chunks is malloc'd. `what`
 * names the object in error messages (MLOPS_ECORRUPT, or
 * MLOPS_EUNSUPPORTED for a newer version). */
int mlops__manifest_decode(const void *buf, size_t len, const char *what, uint64_t *total,
                           mlops__chunk_ref **chunks, size_t *n);

#endif
