/* Internal: SHA-256 through OpenSSL EVP (SHA-NI where the CPU has it). */
#ifndef MLOPS_UTIL_HASH_H
#define MLOPS_UTIL_HASH_H

#include "mlops/common.h"

typedef struct mlops__sha256 {
    void *ctx; /* EVP_MD_CTX, kept opaque so OpenSSL headers stay local */
} mlops__sha256;

int mlops__sha256_init(mlops__sha256 *h);
int mlops__sha256_update(mlops__sha256 *h, const void *data, size_t len);
/* Writes the digest and leaves h ready for reuse (re-initialised). */
int mlops__sha256_final(mlops__sha256 *h, mlops_digest *out);
void mlops__sha256_free(mlops__sha256 *h);

/* One-shot. */
int mlops__sha256_oneshot(const void *data, size_t len, mlops_digest *out);

#endif
