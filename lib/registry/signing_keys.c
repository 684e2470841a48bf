/* Ed25519 keys from PEM text, and signing and verifying bytes with them,
 * through OpenSSL's EVP interface. OpenSSL's error queue is cleared after
 * every failure so that nothing leaks into the caller's later OpenSSL
 * calls; the library's own message says what went wrong. */
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/hash.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <string.h>

/* Never prompt for a pass phrase: encrypted keys are refused. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

void mlops__sign_key_free(mlops__sign_key *k)
{
    if (k && k->pkey) {
        EVP_PKEY_free(k->pkey);
        k->pkey = NULL;
    }
}

/* Checks the type, fills pub and fingerprint, and takes ownership of pkey. */
static int adopt(const char *func, EVP_PKEY *pkey, mlops__sign_key *out)
{
    if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
        const char *type = OBJ_nid2sn(EVP_PKEY_get_id(pkey));
        EVP_PKEY_free(pkey);
        return mlops__err(MLOPS_EUNSUPPORTED, "%s: the key is %s, not Ed25519", func,
                          type ? type : "of an unknown type");
    }
    size_t len = sizeof out->pub;
    if (EVP_PKEY_get_raw_public_key(pkey, out->pub, &len) != 1 || len != sizeof out->pub) {
        EVP_PKEY_free(pkey);
        ERR_clear_error();
        return mlops__err(MLOPS_EFORMAT, "%s: cannot read the Ed25519 public key", func);
    }
    int rc = mlops__sha256_oneshot(out->pub, sizeof out->pub, &out->fingerprint);
    if (rc) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    out->pkey = pkey;
    return MLOPS_OK;
}

static int parse_pem(const char *func, const char *pem, int want_private, mlops__sign_key *out)
{
    memset(out, 0, sizeof *out);
    if (!pem) return mlops__err_null(func, want_private ? "private_pem" : "public_pem");
    size_t len = strlen(pem);
    if (len > 64 * 1024)
        return mlops__err(MLOPS_EFORMAT, "%s: %zu bytes is too long for a PEM key", func, len);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio) return mlops__err_nomem("reading a PEM key");
    EVP_PKEY *pkey = want_private ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)
                                  : PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    if (!pkey) {
        ERR_clear_error();
        if (want_private && strstr(pem, "ENCRYPTED"))
            return mlops__err(MLOPS_EFORMAT,
                              "%s: the private key is encrypted; give it unencrypted", func);
        if (want_private && strstr(pem, "-----BEGIN PUBLIC KEY-----"))
            return mlops__err(MLOPS_EFORMAT,
                              "%s: a public key was given where a private key is needed", func);
        if (!want_private && strstr(pem, "PRIVATE KEY-----"))
            return mlops__err(MLOPS_EFORMAT,
                              "%s: a private key was given where a public key is needed", func);
        return mlops__err(MLOPS_EFORMAT, "%s: the text is not a PEM %s key", func,
                          want_private ? "private" : "public");
    }
    return adopt(func, pkey, out);
}

int mlops__sign_key_private(const char *func, const char *pem, mlops__sign_key *out)
{
    return parse_pem(func, pem, 1, out);
}

int mlops__sign_key_public(const char *func, const char *pem, mlops__sign_key *out)
{
    return parse_pem(func, pem, 0, out);
}

int mlops__sign_key_from_raw(const char *func, const unsigned char pub[32],
                             mlops__sign_key *out)
{
    memset(out, 0, sizeof *out);
    EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
    if (!pkey) {
        ERR_clear_error();
        return mlops__err(MLOPS_ECORRUPT, "%s: a stored Ed25519 public key is unusable", func);
    }
    return adopt(func, pkey, out);
}

int mlops__sign(const char *func, const mlops__sign_key *k, const void *msg, size_t len,
                unsigned char sig[64])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) return mlops__err_nomem("signing");
    size_t siglen = 64;
    int ok = EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
             EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 && siglen == 64;
    EVP_MD_CTX_free(ctx);
    if (ok) return MLOPS_OK;
    ERR_clear_error();
    return mlops__err(MLOPS_EIO, "%s: OpenSSL could not sign with the Ed25519 key", func);
}

int mlops__sign_verify(const mlops__sign_key *k, const void *msg, size_t len,
                       const unsigned char sig[64])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) return 0;
    int ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
             EVP_DigestVerify(ctx, sig, 64, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

MLOPS_API int mlops_key_fingerprint(const char *pem, mlops_digest *out)
{
    if (!pem) return mlops__err_null(__func__, "pem");
    if (!out) return mlops__err_null(__func__, "out");
    mlops__sign_key k;
    int is_public = strstr(pem, "-----BEGIN PUBLIC KEY-----") != NULL;
    int rc = parse_pem(__func__, pem, !is_public, &k);
    if (rc) return rc;
    *out = k.fingerprint;
    mlops__sign_key_free(&k);
    return MLOPS_OK;
}
