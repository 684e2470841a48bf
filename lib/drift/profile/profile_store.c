/* Profiles in the artifact store: a profile is the blob of its serialised
 * bytes, so its digest names exactly that content. */
#include "drift/drift_internal.h"
#include "cas/blob_codec.h"
#include "util/err.h"

static int encode_profile(void *p, void **buf, size_t *len)
{
    return mlops_profile_serialize(p, buf, len);
}

static int decode_profile(const void *buf, size_t len, void *out)
{
    return mlops_profile_deserialize(buf, len, out);
}

MLOPS_API int mlops_profile_put(mlops_store *s, mlops_profile *p, mlops_digest *out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!p) return mlops__err_null(__func__, "p");
    if (!out) return mlops__err_null(__func__, "out");
    return mlops__blob_put_encoded(s, encode_profile, p, out);
}

MLOPS_API int mlops_profile_get(mlops_store *s, const mlops_digest *d, mlops_profile **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!d) return mlops__err_null(__func__, "d");
    return mlops__blob_get_decoded(__func__, s, d, decode_profile, out);
}
