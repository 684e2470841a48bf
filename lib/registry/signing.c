/* Signing versions with Ed25519 keys and verifying them: the signature
 * covers the version's canonical manifest (manifest.c) and is recorded
 * with the key's fingerprint and public key. The manifest holds the
 * artifact's digest, not its bytes: a deep verification also proves that
 * the store's bytes are the ones the digest names. */
#include "cas/cas_internal.h"
#include "registry/registry_internal.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sign_op {
    const char *func;
    mlops__reg_change ch;
    const char *model;
    int64_t number;
    mlops__sign_key key;
};

static int already_signed(mlops__conn *c, int64_t version_id, const mlops_digest *fp,
                          int *found)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT 1 FROM reg_signatures WHERE version_id = ?1 "
                              "AND fingerprint = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, version_id);
    if (!rc) rc = mlops__bind_blob(c, st, 2, fp->bytes, 32);
    if (rc) return rc;
    int step = mlops__step(st);
    *found = step == MLOPS__ROW;
    mlops__reset(st);
    return step == MLOPS__ROW || step == MLOPS__DONE
               ? MLOPS_OK
               : mlops__conn_error(c, step, "reading signatures");
}

static int record(mlops__conn *c, struct sign_op *op, const mlops__reg_version *v,
                  const msgpack_sbuffer *manifest, const unsigned char sig[64])
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO reg_signatures(version_id, fingerprint, public_key, "
                              "signature, manifest, signed_ms, signer) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, v->id);
    if (!rc) rc = mlops__bind_blob(c, st, 2, op->key.fingerprint.bytes, 32);
    if (!rc) rc = mlops__bind_blob(c, st, 3, op->key.pub, 32);
    if (!rc) rc = mlops__bind_blob(c, st, 4, sig, 64);
    if (!rc) rc = mlops__bind_blob(c, st, 5, manifest->data, (int)manifest->size);
    if (!rc) rc = mlops__bind_int64(c, st, 6, op->ch.now_ms);
    if (!rc) rc = mlops__bind_text(c, st, 7, op->ch.actor);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a signature");
    char fp[MLOPS_DIGEST_STRLEN];
    mlops__reg_digest_text(&op->key.fingerprint, fp);
    mlops__audit_ev ev = { "version.sign", v->model_id, op->model, v->number, NULL, NULL, fp };
    if (!rc) rc = mlops__audit_append(c, &op->ch, &ev, NULL);
    return rc;
}

static int sign_tx(mlops__conn *c, void *arg)
{
    struct sign_op *op = arg;
    int64_t model_id = 0;
    mlops__reg_version v = { 0 };
    int found = 0;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->func, op->model, &model_id);
    if (!rc) rc = mlops__reg_version_find(c, op->func, op->model, model_id, op->number, 0, &v);
    if (!rc) rc = already_signed(c, v.id, &op->key.fingerprint, &found);
    if (rc) return rc;
    if (found)
        return mlops__err(MLOPS_EEXIST, "%s: version %lld of model '%s' is already signed by "
                                        "this key",
                          op->func, (long long)op->number, op->model);
    msgpack_sbuffer manifest;
    msgpack_sbuffer_init(&manifest);
    unsigned char sig[64];
    rc = mlops__manifest_build(c, op->func, op->model, &v, &manifest);
    if (!rc) rc = mlops__sign(op->func, &op->key, manifest.data, manifest.size, sig);
    if (!rc) rc = record(c, op, &v, &manifest, sig);
    msgpack_sbuffer_destroy(&manifest);
    return rc;
}

MLOPS_API int mlops_model_version_sign(mlops_store *s, const char *model, int64_t version,
                                       const char *private_pem,
                                       const mlops_change_opts *change)
{
    struct sign_op op = { .func = __func__, .model = model,
                          .number = version };
    if (!s) return mlops__err_null(op.func, "s");
    int rc = mlops__reg_check_model_name(op.func, "model name", model);
    if (!rc) rc = mlops__reg_check_version(op.func, version);
    if (!rc) rc = mlops__reg_change_resolve(s, op.func, change, &op.ch);
    if (!rc) rc = mlops__sign_key_private(op.func, private_pem, &op.key);
    if (rc) return rc;
    rc = mlops__store_write(s, sign_tx, &op);
    mlops__sign_key_free(&op.key);
    return rc;
}

/* ---- Verifying and the manifest ---------------------------------------- */

struct read_op {
    const char *func;
    const char *model;
    int64_t number;
    const mlops__sign_key *key; /* verify: the key; manifest: NULL */
    msgpack_sbuffer manifest;
    mlops_digest artifact; /* out: the version's artifact */
};

static int verify_signature(mlops__conn *c, struct read_op *op, const mlops__reg_version *v)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT signature FROM reg_signatures WHERE version_id = ?1 "
                              "AND fingerprint = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, v->id);
    if (!rc) rc = mlops__bind_blob(c, st, 2, op->key->fingerprint.bytes, 32);
    if (rc) return rc;
    int step = mlops__step(st);
    int have = step == MLOPS__ROW, ok = 0;
    if (have && mlops__col_bytes(st, 0) == 64)
        ok = mlops__sign_verify(op->key, op->manifest.data, op->manifest.size,
                                mlops__col_blob(st, 0));
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        return mlops__conn_error(c, step, "reading signatures");
    if (ok) return MLOPS_OK;
    char fp[MLOPS_DIGEST_STRLEN];
    mlops__reg_digest_text(&op->key->fingerprint, fp);
    if (!have)
        return mlops__err(MLOPS_ESIGNATURE, "%s: version %lld of model '%s' has no signature by "
                                            "key %s",
                          op->func, (long long)op->number, op->model, fp);
    return mlops__err(MLOPS_ESIGNATURE,
                      "%s: the signature of version %lld of model '%s' by key %s does not "
                      "verify over its manifest (what it covers changed after signing)",
                      op->func, (long long)op->number, op->model, fp);
}

static int read_tx(mlops__conn *c, void *arg)
{
    struct read_op *op = arg;
    msgpack_sbuffer_clear(&op->manifest); /* a retried transaction runs this again (lib/store/store.c run_tx) */
    int64_t model_id = 0;
    mlops__reg_version v = { 0 };
    int rc = mlops__reg_model_id(c, op->func, op->model, &model_id);
    if (!rc) rc = mlops__reg_version_find(c, op->func, op->model, model_id, op->number, 1, &v);
    if (!rc) rc = mlops__manifest_build(c, op->func, op->model, &v, &op->manifest);
    if (!rc && op->key) rc = verify_signature(c, op, &v);
    if (!rc) op->artifact = v.artifact;
    return rc;
}

static int read_op_run(mlops_store *s, struct read_op *op)
{
    if (!s) return mlops__err_null(op->func, "s");
    int rc = mlops__reg_check_model_name(op->func, "model name", op->model);
    if (!rc) rc = mlops__reg_check_version(op->func, op->number);
    if (rc) return rc;
    msgpack_sbuffer_init(&op->manifest);
    return mlops__store_read(s, read_tx, op);
}

static int verify(mlops_store *s, const char *func, const char *model, int64_t version,
                  const char *public_pem, int deep)
{
    mlops__sign_key key;
    if (!s) return mlops__err_null(func, "s");
    int rc = mlops__sign_key_public(func, public_pem, &key);
    if (rc) return rc;
    struct read_op op = { .func = func, .model = model, .number = version, .key = &key };
    rc = read_op_run(s, &op);
    msgpack_sbuffer_destroy(&op.manifest);
    mlops__sign_key_free(&key);
    /* The signature holds: now the bytes behind the digest it covers. */
    if (!rc && deep) {
        rc = mlops__cas_prove(s, func, &op.artifact);
        if (rc == MLOPS_ENOTFOUND || rc == MLOPS_ECORRUPT) {
            char ds[MLOPS_DIGEST_STRLEN], why[768];
            mlops__reg_digest_text(&op.artifact, ds);
            snprintf(why, sizeof why, "%s", mlops__err_message());
            rc = mlops__err(MLOPS_ECORRUPT,
                            "%s: version %lld of model '%s' is signed, but the store does not "
                            "hold the bytes of its artifact %s: %s",
                            func, (long long)version, model, ds, why);
        }
    }
    return rc;
}

MLOPS_API int mlops_model_version_verify(mlops_store *s, const char *model, int64_t version,
                                         const char *public_pem)
{
    return verify(s, __func__, model, version, public_pem, 0);
}

MLOPS_API int mlops_model_version_verify_deep(mlops_store *s, const char *model,
                                              int64_t version, const char *public_pem)
{
    return verify(s, __func__, model, version, public_pem, 1);
}

MLOPS_API int mlops_model_version_manifest(mlops_store *s, const char *model, int64_t version,
                                           void **data, size_t *len)
{
    if (data) *data = NULL;
    if (len) *len = 0;
    if (!data) return mlops__err_null(__func__, "data");
    if (!len) return mlops__err_null(__func__, "len");
    struct read_op op = { .func = __func__, .model = model, .number = version };
    int rc = read_op_run(s, &op);
    if (!rc) {
        /* msgpack_sbuffer allocates with malloc: hand the buffer over. */
        size_t n = op.manifest.size;
        *data = msgpack_sbuffer_release(&op.manifest);
        *len = n;
    }
    msgpack_sbuffer_destroy(&op.manifest);
    return rc;
}
