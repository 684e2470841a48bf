/* The public whole-buffer entry points: put from memory, get to memory,
 * exists. */
#include "cas/cas_internal.h"
#include "util/err.h"
#include "util/hash.h"

#include <stdlib.h>

MLOPS_API int mlops_blob_put(mlops_store *s, const void *data, size_t len, mlops_digest *out)
{
    if (!s) return mlops__err_null("mlops_blob_put", "s");
    if (!out) return mlops__err_null("mlops_blob_put", "out");
    if (!data && len) return mlops__err_null("mlops_blob_put", "data");
    int rc = mlops__store_check_writable(s, "mlops_blob_put");
    if (rc) return rc;
    mlops_digest d;
    rc = mlops__sha256_oneshot(data, len, &d);
    int reused = 0;
    if (!rc) rc = mlops__put_reuse(s, &d, &reused);
    if (!rc && !reused) rc = mlops__put_whole(s, NULL, &d, MLOPS__KIND_BLOB, 1, data, len);
    if (!rc) *out = d;
    return rc;
}

static int lookup(mlops_store *s, const char *func, const mlops_digest *d, mlops__content *ct)
{
    mlops__conn *c;
    int rc = mlops__store_conn(s, &c);
    if (rc) return rc;
    rc = mlops__content_get(c, func, d, ct);
    mlops__store_release(s, c);
    return rc;
}

MLOPS_API int mlops_blob_get(mlops_store *s, const mlops_digest *d, void **data, size_t *len)
{
    if (data) *data = NULL;
    if (len) *len = 0;
    if (!s) return mlops__err_null("mlops_blob_get", "s");
    if (!d) return mlops__err_null("mlops_blob_get", "d");
    if (!data) return mlops__err_null("mlops_blob_get", "data");
    if (!len) return mlops__err_null("mlops_blob_get", "len");
    mlops__content ct;
    int rc = lookup(s, "mlops_blob_get", d, &ct);
    if (rc) return rc;
    if (ct.size > SIZE_MAX - 1)
        return mlops__err(MLOPS_ENOMEM, "mlops_blob_get: the blob does not fit in memory");
    void *buf = malloc(ct.size ? (size_t)ct.size : 1);
    if (!buf) return mlops__err_nomem("mlops_blob_get: allocating the blob's buffer");
    mlops__obj_reader *r = NULL;
    rc = mlops__obj_reader_new(&r);
    if (!rc) rc = mlops__object_read(s, r, d, buf, (size_t)ct.size);
    mlops__obj_reader_free(r);
    if (rc) {
        free(buf);
        return rc;
    }
    *data = buf;
    *len = (size_t)ct.size;
    return MLOPS_OK;
}

MLOPS_API int mlops_blob_exists(mlops_store *s, const mlops_digest *d, int *exists)
{
    if (exists) *exists = 0;
    if (!s) return mlops__err_null("mlops_blob_exists", "s");
    if (!d) return mlops__err_null("mlops_blob_exists", "d");
    if (!exists) return mlops__err_null("mlops_blob_exists", "exists");
    mlops__conn *c;
    int rc = mlops__store_conn(s, &c);
    if (rc) return rc;
    rc = mlops__cas_exists(c, d, exists);
    mlops__store_release(s, c);
    return rc;
}
