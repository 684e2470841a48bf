/* Encoded objects stored by digest: see blob_codec.h. */
#include "cas/blob_codec.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>

int mlops__blob_put_encoded(mlops_store *s, mlops__blob_encode_fn encode, void *obj, mlops_digest *out)
{
    void *buf;
    size_t len;
    int rc = encode(obj, &buf, &len);
    if (rc) return rc;
    rc = mlops_blob_put(s, buf, len, out);
    free(buf);
    return rc;
}

int mlops__blob_get_decoded(const char *fn, mlops_store *s, const mlops_digest *d,
                            mlops__blob_decode_fn decode, void *out)
{
    void *buf;
    size_t len;
    int rc = mlops_blob_get(s, d, &buf, &len);
    if (rc) return rc;
    rc = decode(buf, len, out);
    mlops_free(buf);
    return mlops__blob_decode_error(fn, d, rc);
}

int mlops__blob_decode_error(const char *fn, const mlops_digest *d, int rc)
{
    if (rc == MLOPS_EFORMAT || rc == MLOPS_EUNSUPPORTED) {
        char hex[MLOPS_DIGEST_STRLEN];
        mlops_digest_format(d, hex);
        /* The decoder's message is copied out before it is replaced. */
        char why[768];
        snprintf(why, sizeof why, "%s", mlops_last_error());
        return mlops__err(rc, "%s: blob %s: %s", fn, hex, why);
    }
    return rc;
}
