/* Objects kept in the store as the blob of their encoded bytes (drift
 * profiles, validation schemas): the digest names exactly that encoding.
 * The public put/get functions check their arguments, then call these. */
#ifndef MLOPS_CAS_BLOB_CODEC_H
#define MLOPS_CAS_BLOB_CODEC_H

#include "mlops/cas.h"

#include <stddef.h>

/* Encodes obj into a malloc'ed buffer (the public _serialize function). */
typedef int (*mlops__blob_encode_fn)(void *obj, void **buf, size_t *len);
/* Decodes buf into *out, out being the caller's `T **` (a _deserialize function). */
typedef int (*mlops__blob_decode_fn)(const void *buf, size_t len, void *out);

/* Encodes obj and puts the bytes as a blob; its digest goes to *out. */
int mlops__blob_put_encoded(mlops_store *s, mlops__blob_encode_fn encode, void *obj, mlops_digest *out);

/* Gets blob d and decodes it into out; a decoding error is reported as
 * "fn: blob <hex>: <decoder's message>" with the decoder's code. */
int mlops__blob_get_decoded(const char *fn, mlops_store *s, const mlops_digest *d,
                            mlops__blob_decode_fn decode, void *out);

/* rc, a decoder's result on blob d: a decoding error (MLOPS_EFORMAT,
 * MLOPS_EUNSUPPORTED) is reported as mlops__blob_get_decoded reports it,
 * any other code is returned as it is. */
int mlops__blob_decode_error(const char *fn, const mlops_digest *d, int rc);

#endif
