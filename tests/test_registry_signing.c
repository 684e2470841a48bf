/* Signing model versions with Ed25519 keys (OpenSSL EVP), verifying them,
 * the canonical manifest, and signing policies on aliases. Keys are made
 * by the test; none is committed. */
#include "registry_helpers.h"

#include <sys/stat.h>

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

/* ---- Signing versions -------------------------------------------------- */

struct fixture {
    char *dir;
    mlops_store *s;
    char *priv, *pub;   /* trusted key */
    char *priv2, *pub2; /* another key */
    mlops_digest a, b;
};

static void setup(struct fixture *f)
{
    f->s = rt_open(&f->dir);
    rt_keypair("ED25519", &f->priv, &f->pub);
    rt_keypair("ED25519", &f->priv2, &f->pub2);
    TU_OK(mlops_model_create(f->s, "m"));
    TU_OK(mlops_blob_put(f->s, "weights-a", 9, &f->a));
    TU_OK(mlops_blob_put(f->s, "weights-b", 9, &f->b));
    int64_t v;
    TU_OK(mlops_model_version_create(f->s, "m", &f->a, NULL, &v));
    TU_OK(mlops_model_version_create(f->s, "m", &f->b, NULL, &v));
}

static void teardown(struct fixture *f)
{
    rt_close(f->s, f->dir);
    free(f->priv);
    free(f->pub);
    free(f->priv2);
    free(f->pub2);
}

START_TEST(sign_and_verify_round_trip)
{
    struct fixture f;
    setup(&f);
    int64_t n0 = rt_audit_count(f.s);
    TU_RC(MLOPS_ESIGNATURE, mlops_model_version_verify(f.s, "m", 1, f.pub));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "no signature"));
    TU_OK(mlops_model_version_sign(f.s, "m", 1, f.priv, NULL));
    TU_OK(mlops_model_version_verify(f.s, "m", 1, f.pub));
    TU_RC(MLOPS_ESIGNATURE, mlops_model_version_verify(f.s, "m", 1, f.pub2));
    TU_RC(MLOPS_ESIGNATURE, mlops_model_version_verify(f.s, "m", 2, f.pub));
    TU_RC(MLOPS_EEXIST, mlops_model_version_sign(f.s, "m", 1, f.priv, NULL));
    TU_OK(mlops_model_version_sign(f.s, "m", 1, f.priv2, NULL));
    TU_OK(mlops_model_version_verify(f.s, "m", 1, f.pub2));
    ck_assert_int_eq(rt_audit_count(f.s), n0 + 2);

    mlops_model_version *v;
    TU_OK(mlops_model_version_get(f.s, "m", 1, &v));
    ck_assert_uint_eq(mlops_model_version_signature_count(v), 2);
    mlops_digest fp, want;
    unsigned char sig[64];
    int64_t when;
    TU_OK(mlops_model_version_signature_at(v, 0, &fp, sig, &when));
    TU_OK(mlops_key_fingerprint(f.pub, &want));
    ck_assert_mem_eq(fp.bytes, want.bytes, 32);
    ck_assert_int_gt(when, 1600000000000LL);
    TU_RC(MLOPS_EINVAL, mlops_model_version_signature_at(v, 2, &fp, sig, &when));
    mlops_model_version_free(v);

    /* The event names the key. */
    mlops_audit_events *l;
    TU_OK(mlops_audit_list(f.s, n0, 1, &l));
    mlops_audit_event e = MLOPS_AUDIT_EVENT_INIT;
    TU_OK(mlops_audit_events_get(l, 0, &e));
    ck_assert_str_eq(e.action, "version.sign");
    ck_assert_int_eq(e.model_version, 1);
    char text[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_format(&want, text));
    ck_assert_str_eq(e.new_value, text);
    mlops_audit_events_free(l);
    TU_OK(mlops_audit_verify(f.s));
    teardown(&f);
}
END_TEST

/* The manifest is the documented canonical map, and the signature is a
 * plain Ed25519 signature over it that OpenSSL checks on its own. */
START_TEST(manifest_is_canonical_and_verifiable_elsewhere)
{
    struct fixture f;
    setup(&f);
    TU_OK(mlops_model_version_sign(f.s, "m", 2, f.priv, NULL));
    void *data;
    size_t len;
    TU_OK(mlops_model_version_manifest(f.s, "m", 2, &data, &len));
    mlops_model_version *v;
    TU_OK(mlops_model_version_get(f.s, "m", 2, &v));
    unsigned char sig[64];
    TU_OK(mlops_model_version_signature_at(v, 0, NULL, sig, NULL));

    /* Byte for byte: map of 7, keys in order, shortest forms. */
    char digest[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_format(&f.b, digest));
    int64_t created = mlops_model_version_created_ms(v);
    unsigned char want[256];
    size_t n = 0;
#define PUT_STR(str)                                  \
    do {                                              \
        size_t l_ = strlen(str);                      \
        if (l_ < 32) want[n++] = (unsigned char)(0xa0 | l_); \
        else { want[n++] = 0xd9; want[n++] = (unsigned char)l_; } \
        memcpy(want + n, str, l_);                    \
        n += l_;                                      \
    } while (0)
    want[n++] = 0x87;
    PUT_STR("artifact");
    PUT_STR(digest);
    PUT_STR("created_ms");
    want[n++] = 0xcf;
    for (int i = 7; i >= 0; i--) want[n++] = (unsigned char)((uint64_t)created >> (8 * i));
    PUT_STR("format");
    PUT_STR("libmlops.model-version.v1");
    PUT_STR("inputs");
    want[n++] = 0x90;
    PUT_STR("model");
    PUT_STR("m");
    PUT_STR("run_id");
    want[n++] = 0xc0;
    PUT_STR("version");
    want[n++] = 0x02;
#undef PUT_STR
    ck_assert_uint_eq(len, n);
    ck_assert_mem_eq(data, want, n);

    /* OpenSSL EVP, without the library. */
    BIO *bio = BIO_new_mem_buf(f.pub, -1);
    EVP_PKEY *k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ck_assert_int_eq(EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k), 1);
    ck_assert_int_eq(EVP_DigestVerify(ctx, sig, 64, data, len), 1);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
    BIO_free(bio);

    /* And the openssl command line. */
    char *mpath = tu_path(f.dir, "manifest.bin"), *spath = tu_path(f.dir, "sig.bin"),
         *kpath = tu_path(f.dir, "key.pub");
    tu_write_file(mpath, data, len);
    tu_write_file(spath, sig, 64);
    tu_write_file(kpath, f.pub, strlen(f.pub));
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "openssl pkeyutl -verify -pubin -inkey '%s' -rawin -in '%s' -sigfile '%s' "
             ">/dev/null 2>&1",
             kpath, mpath, spath);
    ck_assert_int_eq(system(cmd), 0);
    sig[0] ^= 1;
    tu_write_file(spath, sig, 64);
    ck_assert_int_ne(system(cmd), 0);
    free(mpath);
    free(spath);
    free(kpath);
    mlops_free(data);
    mlops_model_version_free(v);
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_manifest(f.s, "m", 3, &data, &len));
    ck_assert_ptr_null(data);
    teardown(&f);
}
END_TEST

START_TEST(tampered_digest_fails_verification)
{
    struct fixture f;
    setup(&f);
    TU_OK(mlops_model_version_sign(f.s, "m", 1, f.priv, NULL));
    TU_OK(mlops_model_version_verify(f.s, "m", 1, f.pub));
    /* Point version 1 at other content, as an attacker with the file would. */
    rt_shell(f.dir, "UPDATE reg_versions SET artifact = (SELECT artifact FROM reg_versions"
                    " WHERE number = 2) WHERE number = 1;");
    TU_RC(MLOPS_ESIGNATURE, mlops_model_version_verify(f.s, "m", 1, f.pub));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "does not verify"));
    TU_RC(MLOPS_ECORRUPT, mlops_audit_verify(f.s));
    /* A forged signature row does not help either. */
    rt_shell(f.dir, "UPDATE reg_signatures SET signature = zeroblob(64);");
    TU_RC(MLOPS_ESIGNATURE, mlops_model_version_verify(f.s, "m", 1, f.pub));
    teardown(&f);
}
END_TEST

/* Issue 13: the signature covers the artifact's digest; rows edited with
 * the sqlite3 shell can make the store hand out other bytes under it.
 * Plain verify checks the signature (and still passes); the deep one
 * re-hashes the bytes and catches it, for a blob and for a tree. */
static void random_bytes(unsigned char *p, size_t n, uint64_t x)
{
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (unsigned char)(x >> 24);
    }
}

START_TEST(deep_verify_rehashes_the_artifact)
{
    char *dir = tu_tmpdir();
    mlops_store_opts o;
    TU_OK(mlops_store_opts_init(&o, MLOPS_STORE_OPTS_VERSION));
    o.durability = MLOPS_DURABILITY_NONE;
    o.actor = tu_actor("tester");
    o.chunk_min_size = 1024; /* small chunks: a chunked blob in 100 KB */
    o.chunk_avg_size = 4096;
    o.chunk_max_size = 16384;
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, &o, &s));
    char *priv, *pub;
    rt_keypair("ED25519", &priv, &pub);
    size_t n = 100000;
    unsigned char *a = malloc(n), *b = malloc(n);
    random_bytes(a, n, 7001);
    random_bytes(b, n, 7002);
    mlops_digest da, db, tree;
    TU_OK(mlops_blob_put(s, a, n, &da));
    TU_OK(mlops_blob_put(s, b, n, &db));
    char *src = tu_path(dir, "model-dir"), *file = tu_path(src, "weights.bin");
    ck_assert_int_eq(mkdir(src, 0700), 0);
    tu_write_file(file, a, n);
    TU_OK(mlops_tree_put(s, src, 0, &tree));
    TU_OK(mlops_model_create(s, "m"));
    int64_t v;
    TU_OK(mlops_model_version_create(s, "m", &da, NULL, &v));
    TU_OK(mlops_model_version_create(s, "m", &tree, NULL, &v));
    TU_OK(mlops_model_version_create(s, "m", &db, NULL, &v)); /* never signed */
    TU_OK(mlops_model_version_sign(s, "m", 1, priv, NULL));
    TU_OK(mlops_model_version_sign(s, "m", 2, priv, NULL));
    TU_OK(mlops_model_version_verify_deep(s, "m", 1, pub));
    TU_OK(mlops_model_version_verify_deep(s, "m", 2, pub));

    /* Blob a made to list the chunks of b (both sound). */
    char ha[MLOPS_DIGEST_STRLEN], hb[MLOPS_DIGEST_STRLEN], sql[1024];
    TU_OK(mlops_digest_format(&da, ha));
    TU_OK(mlops_digest_format(&db, hb));
    snprintf(sql, sizeof sql,
             "DELETE FROM cas_chunk WHERE blob = X'%s';"
             "INSERT INTO cas_chunk(blob, pos, size, chunk) "
             "  SELECT X'%s', pos, size, chunk FROM cas_chunk WHERE blob = X'%s';"
             "UPDATE cas_content SET chunks = (SELECT chunks FROM cas_content WHERE digest = "
             "X'%s') WHERE digest = X'%s';",
             ha + 7, ha + 7, hb + 7, hb + 7, ha + 7);
    rt_shell(dir, sql);
    /* The signature over the digest still holds: that is all plain verify
     * checks (doc/security.md). */
    TU_OK(mlops_model_version_verify(s, "m", 1, pub));
    TU_OK(mlops_model_version_verify(s, "m", 2, pub));
    TU_RC(MLOPS_ECORRUPT, mlops_model_version_verify_deep(s, "m", 1, pub));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "does not hold the bytes"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), ha));
    TU_RC(MLOPS_ECORRUPT, mlops_model_version_verify_deep(s, "m", 2, pub));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), ha));
    /* The signature is checked first: sound bytes do not make up for it. */
    TU_RC(MLOPS_ESIGNATURE, mlops_model_version_verify_deep(s, "m", 3, pub));
    free(file);
    free(src);
    free(a);
    free(b);
    free(priv);
    free(pub);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(rename_invalidates_signatures)
{
    struct fixture f;
    setup(&f);
    TU_OK(mlops_model_version_sign(f.s, "m", 1, f.priv, NULL));
    TU_OK(mlops_model_rename(f.s, "m", "m2", NULL));
    TU_RC(MLOPS_ESIGNATURE, mlops_model_version_verify(f.s, "m2", 1, f.pub));
    TU_OK(mlops_model_version_sign(f.s, "m2", 1, f.priv2, NULL));
    TU_OK(mlops_model_version_verify(f.s, "m2", 1, f.pub2));
    /* Deleted versions can still be verified. */
    TU_OK(mlops_model_version_delete(f.s, "m2", 1, NULL));
    TU_OK(mlops_model_version_verify(f.s, "m2", 1, f.pub2));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_sign(f.s, "m2", 1, f.priv, NULL));
    teardown(&f);
}
END_TEST

START_TEST(sign_bad_input_writes_nothing)
{
    struct fixture f;
    setup(&f);
    char *ecpriv, *ecpub;
    rt_keypair("EC", &ecpriv, &ecpub);
    int64_t n0 = rt_audit_count(f.s);
    TU_RC(MLOPS_EFORMAT, mlops_model_version_sign(f.s, "m", 1, "garbage", NULL));
    TU_RC(MLOPS_EFORMAT, mlops_model_version_sign(f.s, "m", 1, f.pub, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "public key"));
    TU_RC(MLOPS_EUNSUPPORTED, mlops_model_version_sign(f.s, "m", 1, ecpriv, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_version_sign(f.s, "m", 1, NULL, NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_sign(f.s, "m", 9, f.priv, NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_sign(f.s, "zz", 1, f.priv, NULL));
    TU_RC(MLOPS_EFORMAT, mlops_model_version_verify(f.s, "m", 1, "garbage"));
    TU_RC(MLOPS_EFORMAT, mlops_model_version_verify(f.s, "m", 1, f.priv));
    TU_RC(MLOPS_EUNSUPPORTED, mlops_model_version_verify(f.s, "m", 1, ecpub));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_verify(f.s, "m", 9, f.pub));
    ck_assert_int_eq(rt_audit_count(f.s), n0);
    ck_assert_int_eq(rt_db_int(f.dir, "SELECT count(*) FROM reg_signatures"), 0);
    free(ecpriv);
    free(ecpub);
    teardown(&f);
}
END_TEST

/* The manifest covers the run and its inputs: changing a recorded input
 * breaks the signature. */
START_TEST(manifest_covers_run_inputs)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    char *priv, *pub;
    rt_keypair("ED25519", &priv, &pub);
    int64_t exp, v;
    TU_OK(mlops_experiment_create(s, "exp", &exp));
    mlops_run *run;
    TU_OK(mlops_run_start(s, exp, "train", &run));
    char run_id[64];
    snprintf(run_id, sizeof run_id, "%s", mlops_run_id(run));
    mlops_digest d1 = rt_put(s, "dataset one"), d2 = rt_put(s, "dataset two"),
                 w = rt_put(s, "weights");
    TU_OK(mlops_run_log_input(run, &d2, "b.csv", "dataset"));
    TU_OK(mlops_run_log_input(run, &d1, "a.csv", "dataset"));
    TU_OK(mlops_run_log_input(run, &d1, "a-again.csv", "dataset"));
    TU_OK(mlops_run_log_output(run, &w, "model", "model"));
    TU_OK(mlops_run_end(run, MLOPS_RUN_FINISHED));
    mlops_run_free(run);
    TU_OK(mlops_model_create(s, "m"));
    TU_OK(mlops_model_version_create(s, "m", &w, run_id, &v));

    void *data;
    size_t len;
    TU_OK(mlops_model_version_manifest(s, "m", v, &data, &len));
    /* "inputs": a 2-array of the two digests in byte order, no repeats. */
    char t1[MLOPS_DIGEST_STRLEN], t2[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_format(memcmp(d1.bytes, d2.bytes, 32) < 0 ? &d1 : &d2, t1));
    TU_OK(mlops_digest_format(memcmp(d1.bytes, d2.bytes, 32) < 0 ? &d2 : &d1, t2));
    unsigned char want[2 + 2 * 73 + 8];
    size_t n = 0;
    memcpy(want, "\xa6inputs\x92", 8);
    n = 8;
    want[n++] = 0xd9;
    want[n++] = 71;
    memcpy(want + n, t1, 71);
    n += 71;
    want[n++] = 0xd9;
    want[n++] = 71;
    memcpy(want + n, t2, 71);
    n += 71;
    ck_assert_ptr_nonnull(memmem(data, len, want, n));
    ck_assert_ptr_nonnull(memmem(data, len, run_id, strlen(run_id)));
    mlops_free(data);

    TU_OK(mlops_model_version_sign(s, "m", v, priv, NULL));
    TU_OK(mlops_model_version_verify(s, "m", v, pub));
    /* An attacker swaps a recorded input for other content. */
    rt_shell(dir, "UPDATE run_lineage SET digest = (SELECT digest FROM run_lineage"
                  " WHERE direction = 1) WHERE name = 'b.csv';");
    TU_RC(MLOPS_ESIGNATURE, mlops_model_version_verify(s, "m", v, pub));
    free(priv);
    free(pub);
    rt_close(s, dir);
}
END_TEST

/* ---- Signing policies -------------------------------------------------- */

START_TEST(policy_refuses_unsigned_and_wrongly_signed)
{
    struct fixture f;
    setup(&f);
    const char *trusted[] = { f.pub };
    TU_OK(mlops_model_alias_policy_set(f.s, "m", "production", trusted, 1, NULL));
    int64_t n0 = rt_audit_count(f.s), v;

    /* Unsigned: refused with its own code; nothing written. */
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_set(f.s, "m", "production", 1));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not signed"));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_get(f.s, "m", "production", &v));
    ck_assert_int_eq(rt_audit_count(f.s), n0);

    /* Signed by a key the policy does not trust. */
    TU_OK(mlops_model_version_sign(f.s, "m", 1, f.priv2, NULL));
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_set(f.s, "m", "production", 1));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "trusts"));

    /* Signed by the trusted key. */
    TU_OK(mlops_model_version_sign(f.s, "m", 1, f.priv, NULL));
    TU_OK(mlops_model_alias_set(f.s, "m", "production", 1));
    TU_OK(mlops_model_alias_get(f.s, "m", "production", &v));
    ck_assert_int_eq(v, 1);
    /* Other aliases are not guarded. */
    TU_OK(mlops_model_alias_set(f.s, "m", "staging", 2));
    /* Moving production to the unsigned version 2 is refused: it stays. */
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_set(f.s, "m", "production", 2));
    TU_OK(mlops_model_alias_get(f.s, "m", "production", &v));
    ck_assert_int_eq(v, 1);

    /* A signature that no longer verifies (tampered digest) is refused. */
    TU_OK(mlops_model_version_sign(f.s, "m", 2, f.priv, NULL));
    rt_shell(f.dir, "UPDATE reg_versions SET artifact = (SELECT artifact FROM reg_versions"
                    " WHERE number = 1) WHERE number = 2;");
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_set(f.s, "m", "production", 2));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "does not verify"));

    /* Policies are per model: another model's production is free. */
    TU_OK(mlops_model_create(f.s, "other"));
    TU_OK(mlops_model_version_create(f.s, "other", &f.a, NULL, &v));
    TU_OK(mlops_model_alias_set(f.s, "other", "production", 1));
    teardown(&f);
}
END_TEST

START_TEST(policy_set_get_delete)
{
    struct fixture f;
    setup(&f);
    const char *both[] = { f.pub, f.pub2, f.pub };
    int64_t n0 = rt_audit_count(f.s);
    TU_OK(mlops_model_alias_policy_set(f.s, "m", "production", both, 3, NULL));
    TU_OK(mlops_model_alias_policy_set(f.s, "m", "production", both, 2, NULL)); /* same set */
    ck_assert_int_eq(rt_audit_count(f.s), n0 + 1);
    mlops_digest *fps;
    size_t n;
    TU_OK(mlops_model_alias_policy_get(f.s, "m", "production", &fps, &n));
    ck_assert_uint_eq(n, 2);
    mlops_digest k1, k2;
    TU_OK(mlops_key_fingerprint(f.pub, &k1));
    TU_OK(mlops_key_fingerprint(f.pub2, &k2));
    ck_assert(memcmp(fps[0].bytes, fps[1].bytes, 32) < 0);
    ck_assert(!memcmp(fps[0].bytes, k1.bytes, 32) || !memcmp(fps[1].bytes, k1.bytes, 32));
    ck_assert(!memcmp(fps[0].bytes, k2.bytes, 32) || !memcmp(fps[1].bytes, k2.bytes, 32));
    mlops_free(fps);

    /* Either trusted key will do. */
    TU_OK(mlops_model_version_sign(f.s, "m", 2, f.priv2, NULL));
    TU_OK(mlops_model_alias_set(f.s, "m", "production", 2));

    /* A policy the current target does not meet is refused. */
    const char *only1[] = { f.pub };
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_policy_set(f.s, "m", "production", only1, 1, NULL));
    TU_OK(mlops_model_alias_policy_get(f.s, "m", "production", &fps, &n));
    ck_assert_uint_eq(n, 2);
    mlops_free(fps);

    /* Bad input: nothing written. */
    int64_t n1 = rt_audit_count(f.s);
    char *ecpriv, *ecpub;
    rt_keypair("EC", &ecpriv, &ecpub);
    const char *bad_pem[] = { f.pub, "garbage" };
    const char *ec[] = { ecpub };
    const char *priv[] = { f.priv };
    TU_RC(MLOPS_EFORMAT, mlops_model_alias_policy_set(f.s, "m", "canary", bad_pem, 2, NULL));
    TU_RC(MLOPS_EUNSUPPORTED, mlops_model_alias_policy_set(f.s, "m", "canary", ec, 1, NULL));
    TU_RC(MLOPS_EFORMAT, mlops_model_alias_policy_set(f.s, "m", "canary", priv, 1, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_alias_policy_set(f.s, "m", "canary", only1, 0, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_alias_policy_set(f.s, "m", "latest", only1, 1, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_alias_policy_set(f.s, "m", "canary", NULL, 1, NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_policy_set(f.s, "zz", "canary", only1, 1, NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_policy_get(f.s, "m", "canary", &fps, &n));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_policy_delete(f.s, "m", "canary", NULL));
    ck_assert_int_eq(rt_audit_count(f.s), n1);
    free(ecpriv);
    free(ecpub);

    TU_OK(mlops_model_alias_policy_delete(f.s, "m", "production", NULL));
    TU_OK(mlops_model_alias_set(f.s, "m", "production", 1)); /* unsigned is fine again */
    ck_assert_int_eq(rt_audit_count(f.s), n1 + 2);
    mlops_audit_events *l;
    TU_OK(mlops_audit_list(f.s, n1, 1, &l));
    mlops_audit_event e = MLOPS_AUDIT_EVENT_INIT;
    TU_OK(mlops_audit_events_get(l, 0, &e));
    ck_assert_str_eq(e.action, "alias.policy.delete");
    ck_assert_str_eq(e.key, "production");
    ck_assert_ptr_nonnull(strchr(e.old_value, ','));
    mlops_audit_events_free(l);

    /* Force-deleting the model removes its policies, recorded. Production
     * points at unsigned version 1, so guard it once it is unset. */
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_policy_set(f.s, "m", "production", only1, 1, NULL));
    TU_OK(mlops_model_alias_delete(f.s, "m", "production", NULL));
    TU_OK(mlops_model_alias_policy_set(f.s, "m", "production", only1, 1, NULL));
    TU_OK(mlops_model_delete(f.s, "m", 1, NULL));
    ck_assert_int_eq(rt_db_int(f.dir, "SELECT count(*) FROM reg_policy_keys"), 0);
    ck_assert_int_eq(rt_db_int(f.dir, "SELECT count(*) FROM audit_events WHERE action = "
                                      "'alias.policy.delete'"),
                     2);
    TU_OK(mlops_audit_verify(f.s));
    teardown(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry_signing");
    TCase *tc = tcase_create("signing");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, key_fingerprints);
    tcase_add_test(tc, bad_keys_are_refused);
    tcase_add_test(tc, sign_and_verify_round_trip);
    tcase_add_test(tc, manifest_is_canonical_and_verifiable_elsewhere);
    tcase_add_test(tc, tampered_digest_fails_verification);
    tcase_add_test(tc, deep_verify_rehashes_the_artifact);
    tcase_add_test(tc, rename_invalidates_signatures);
    tcase_add_test(tc, sign_bad_input_writes_nothing);
    tcase_add_test(tc, manifest_covers_run_inputs);
    tcase_add_test(tc, policy_refuses_unsigned_and_wrongly_signed);
    tcase_add_test(tc, policy_set_get_delete);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
