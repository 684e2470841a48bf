/* Signing model versions with Ed25519 keys (OpenSSL EVP), verifying them,
 * the canonical manifest, and signing policies on aliases. Keys are made
 * by the test; none is committed. */
#include "registry_helpers.h"

START_TEST(key_fingerprints)
{
    char *priv, *pub;
    rt_keypair("ED25519", &priv, &pub);
    mlops_digest a, b;
    TU_OK(mlops_key_fingerprint(priv, &a));
    TU_OK(mlops_key_fingerprint(pub, &b));
    ck_assert_mem_eq(a.bytes, b.bytes, 32); /* both halves name the same key */

    /* It is the SHA-256 of the raw 32-byte public key. */
    BIO *bio = BIO_new_mem_buf(pub, -1);
    EVP_PKEY *k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    unsigned char raw[32];
    size_t len = sizeof raw;
    ck_assert_int_eq(EVP_PKEY_get_raw_public_key(k, raw, &len), 1);
    mlops_digest want;
    TU_OK(mlops_digest_compute(raw, 32, &want));
    ck_assert_mem_eq(a.bytes, want.bytes, 32);
    EVP_PKEY_free(k);
    BIO_free(bio);

    char *priv2, *pub2;
    rt_keypair("ED25519", &priv2, &pub2);
    TU_OK(mlops_key_fingerprint(pub2, &b));
    ck_assert_mem_ne(a.bytes, b.bytes, 32);
    free(priv);
    free(pub);
    free(priv2);
    free(pub2);
}
END_TEST

START_TEST(bad_keys_are_refused)
{
    mlops_digest d;
    TU_RC(MLOPS_EINVAL, mlops_key_fingerprint(NULL, &d));
    TU_RC(MLOPS_EFORMAT, mlops_key_fingerprint("", &d));
    TU_RC(MLOPS_EFORMAT, mlops_key_fingerprint("not a key", &d));
    TU_RC(MLOPS_EFORMAT,
          mlops_key_fingerprint("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                                &d));
    TU_RC(MLOPS_EFORMAT,
          mlops_key_fingerprint("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
                                &d));
    char *priv, *pub;
    rt_keypair("EC", &priv, &pub);
    TU_RC(MLOPS_EUNSUPPORTED, mlops_key_fingerprint(priv, &d));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not Ed25519"));
    TU_RC(MLOPS_EUNSUPPORTED, mlops_key_fingerprint(pub, &d));
    free(priv);
    free(pub);

    /* An encrypted private key is refused, never prompted for. */
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    BIO *b = BIO_new(BIO_s_mem());
    ck_assert_int_eq(PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_128_cbc(), NULL, 0, NULL,
                                                    (void *)"secret"),
                     1);
    char *data;
    long n = BIO_get_mem_data(b, &data);
    char *enc = calloc(1, (size_t)n + 1);
    memcpy(enc, data, (size_t)n);
    TU_RC(MLOPS_EFORMAT, mlops_key_fingerprint(enc, &d));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "encrypted"));
    free(enc);
    BIO_free(b);
    EVP_PKEY_free(k);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry_signing");
    TCase *tc = tcase_create("signing");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, key_fingerprints);
    tcase_add_test(tc, bad_keys_are_refused);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
