/* Profiles in the artifact store: a profile is the blob of its serialised
 * bytes, so its digest names exactly that content. */
#include "drift/drift_internal.h"
#include "mlops/cas.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>

MLOPS_API int mlops_profile_put(mlops_store *s, mlops_profile *p, mlops_digest *out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!p) return mlops__err_null(__func__, "p");
    if (!out) return mlops__err_null(__func__, "out");
    void *buf;
    size_t len;
    int rc = mlops_profile_serialize(p, &buf, &len);
    if (rc) return rc;
    rc = mlops_blob_put(s, buf, len, out);
    free(buf);
    return rc;
}

MLOPS_API int mlops_profile_get(mlops_store *s, const mlops_digest *d, mlops_profile **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!d) return mlops__err_null(__func__, "d");
    void *buf;
    size_t len;
    int rc = mlops_blob_get(s, d, &buf, &len);
    if (rc) return rc;
    rc = mlops_profile_deserialize(buf, len, out);
    mlops_free(buf);
    if (rc == MLOPS_EFORMAT || rc == MLOPS_EUNSUPPORTED) {
        char hex[MLOPS_DIGEST_STRLEN];
        mlops_digest_format(d, hex);
        char why[768];
        snprintf(why, sizeof why, "%s", mlops_last_error());
        return mlops__err(rc, "%s: blob %s: %s", __func__, hex, why);
    }
    return rc;
}
