#include "mlops/common.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/str.h"

#include <string.h>

#define DIGEST_PREFIX "sha256:"
#define DIGEST_PREFIX_LEN 7

MLOPS_API int mlops_digest_format(const mlops_digest *d, char out[MLOPS_DIGEST_STRLEN])
{
    if (!d) return mlops__err_null(__func__, "d");
    if (!out) return mlops__err_null(__func__, "out");
    memcpy(out, DIGEST_PREFIX, DIGEST_PREFIX_LEN);
    mlops__hex_encode(d->bytes, sizeof d->bytes, out + DIGEST_PREFIX_LEN);
    return MLOPS_OK;
}

MLOPS_API int mlops_digest_parse(const char *text, mlops_digest *out)
{
    if (!text) return mlops__err_null(__func__, "text");
    if (!out) return mlops__err_null(__func__, "out");
    /* strnlen bounds the scan: the text may be an untrusted, unterminated-looking blob */
    size_t len = strnlen(text, MLOPS_DIGEST_STRLEN);
    if (len != MLOPS_DIGEST_STRLEN - 1 || memcmp(text, DIGEST_PREFIX, DIGEST_PREFIX_LEN) != 0)
        return mlops__err(MLOPS_EINVAL,
                          "%s: '%.80s' is not a digest "
                          "(expected 'sha256:' and 64 lowercase hex digits)", __func__, text);
    mlops_digest d = { { 0 } };
    if (mlops__hex_decode(text + DIGEST_PREFIX_LEN, 64, d.bytes) != 0)
        return mlops__err(MLOPS_EINVAL,
                          "%s: '%.80s' has a character that is not "
                          "a lowercase hex digit", __func__, text);
    *out = d;
    return MLOPS_OK;
}

MLOPS_API int mlops_digest_compute(const void *data, size_t len, mlops_digest *out)
{
    if (mlops__check_array(__func__, "data", data, len, 1)) return MLOPS_EINVAL;
    if (!out) return mlops__err_null(__func__, "out");
    return mlops__sha256_oneshot(data, len, out);
}
