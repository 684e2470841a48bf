/* Put from memory, exists. */
#include "cas/cas_internal.h"
#include "cas/ingest.h"
#include "util/err.h"

#include <stdlib.h>

MLOPS_API int mlops_blob_put(mlops_store *s, const void *data, size_t len, mlops_digest *out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    if (mlops__check_array(__func__, "data", data, len, 1)) return MLOPS_EINVAL;
    int rc = mlops__store_check_writable(s, __func__);
    if (rc) return rc;
    return mlops__ingest_memory(s, __func__, data, len, out);
}

MLOPS_API int mlops_blob_exists(mlops_store *s, const mlops_digest *d, int *exists)
{
    if (exists) *exists = 0;
    if (!s) return mlops__err_null(__func__, "s");
    if (!d) return mlops__err_null(__func__, "d");
    if (!exists) return mlops__err_null(__func__, "exists");
    mlops__conn *c;
    int rc = mlops__store_conn(s, &c);
    if (rc) return rc;
    rc = mlops__cas_exists(c, d, exists);
    mlops__store_release(s, c);
    return rc;
}
