#include "util/hash.h"
#include "util/err.h"

#include <openssl/evp.h>
#include <pthread.h>

/* Fetching the implementation once avoids OpenSSL 3's per-init lookup,
 * which dominates when hashing many small objects. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *md(void)
{
    pthread_once(&sha256_once, fetch_sha256);
    return sha256_md ? sha256_md : EVP_sha256();
}

int mlops__sha256_init(mlops__sha256 *h)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) return mlops__err_nomem("creating a SHA-256 context");
    if (EVP_DigestInit_ex(ctx, md(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return mlops__err(MLOPS_EIO, "OpenSSL could not initialise SHA-256");
    }
    h->ctx = ctx;
    return MLOPS_OK;
}

int mlops__sha256_update(mlops__sha256 *h, const void *data, size_t len)
{
    if (len == 0) return MLOPS_OK;
    if (EVP_DigestUpdate((EVP_MD_CTX *)h->ctx, data, len) != 1)
        return mlops__err(MLOPS_EIO, "OpenSSL SHA-256 update failed");
    return MLOPS_OK;
}

int mlops__sha256_final(mlops__sha256 *h, mlops_digest *out)
{
    unsigned int n = 0;
    EVP_MD_CTX *ctx = h->ctx;
    if (EVP_DigestFinal_ex(ctx, out->bytes, &n) != 1 || n != sizeof out->bytes ||
        EVP_DigestInit_ex(ctx, md(), NULL) != 1)
        return mlops__err(MLOPS_EIO, "OpenSSL SHA-256 finalisation failed");
    return MLOPS_OK;
}

void mlops__sha256_free(mlops__sha256 *h)
{
    if (h && h->ctx) {
        EVP_MD_CTX_free((EVP_MD_CTX *)h->ctx);
        h->ctx = NULL;
    }
}

int mlops__sha256_oneshot(const void *data, size_t len, mlops_digest *out)
{
    unsigned int n = 0;
    if (EVP_Digest(len ? data : "", len, out->bytes, &n, md(), NULL) != 1 ||
        n != sizeof out->bytes)
        return mlops__err(MLOPS_EIO, "OpenSSL SHA-256 failed");
    return MLOPS_OK;
}
