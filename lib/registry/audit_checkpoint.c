/* Signed checkpoints of the audit log. The chain alone is unkeyed: whoever
 * can write the database can append events that look valid, or rewrite
 * the log and every hash after an edit. A checkpoint is an Ed25519
 * signature over the chain's head (seq, hash), recorded as an event of
 * kind audit.checkpoint (audit format 2). The hash of event n covers
 * every event up to n, so a valid checkpoint by a key the verifier trusts
 * attests the whole log up to the head it signs; events after the last
 * one are unattested. */
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/hash.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the signature covers: the canonical msgpack array
 *   ["libmlops.audit-checkpoint.v1", seq, "sha256:<hex of hash>"]
 * Its format name keeps a checkpoint signature from ever reading as a
 * signature over a version's manifest, and the reverse. */
#define CHECKPOINT_FORMAT "libmlops.audit-checkpoint.v1"

/* The payload: [public key (bin 32), signature (bin 64)], 101 bytes. */
#define PAYLOAD_LEN 101
static const unsigned char payload_head[3] = { 0x92, 0xc4, 32 };
static const unsigned char sig_head[2] = { 0xc4, 64 };

static int pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    int rc = msgpack_pack_str(pk, n);
    return rc ? rc : msgpack_pack_str_body(pk, s, n);
}

static int signed_message(int64_t seq, const mlops_digest *hash, msgpack_sbuffer *out)
{
    char text[MLOPS_DIGEST_STRLEN];
    mlops__reg_digest_text(hash, text);
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    int rc = msgpack_pack_array(&pk, 3);
    if (!rc) rc = pack_str(&pk, CHECKPOINT_FORMAT);
    if (!rc) rc = msgpack_pack_int64(&pk, seq);
    if (!rc) rc = pack_str(&pk, text);
    return rc ? mlops__err_nomem("encoding a checkpoint") : MLOPS_OK;
}

/* "SEQ:sha256:<hex>", the form `mlops audit verify` prints a head in. */
static void head_text(int64_t seq, const mlops_digest *hash, char *out, size_t n)
{
    char text[MLOPS_DIGEST_STRLEN];
    mlops__reg_digest_text(hash, text);
    snprintf(out, n, "%" PRId64 ":%s", seq, text);
}

int mlops__audit_checkpoint_read(const mlops__audit_row *r, mlops__audit_checkpoint *cp,
                                 char *why, size_t n)
{
    memset(cp, 0, sizeof *cp);
    const unsigned char *p = r->payload;
    if (!p || r->payload_len != PAYLOAD_LEN || memcmp(p, payload_head, 3) != 0 ||
        memcmp(p + 35, sig_head, 2) != 0) {
        snprintf(why, n, "a checkpoint's payload is not [public key, signature] (bin 32, "
                         "bin 64)");
        return -1;
    }
    memcpy(cp->pub, p + 3, 32);
    memcpy(cp->sig, p + 37, 64);
    char want[MLOPS_DIGEST_STRLEN];
    if (mlops__sha256_oneshot(cp->pub, 32, &cp->fingerprint) != MLOPS_OK) {
        snprintf(why, n, "cannot hash a checkpoint's key");
        return -1;
    }
    mlops__reg_digest_text(&cp->fingerprint, want);
    if (!r->key || strcmp(r->key, want) != 0) {
        snprintf(why, n, "a checkpoint's key field is not the fingerprint of its key");
        return -1;
    }
    /* new_value: the head just before this event, in its one spelling. */
    const char *colon = r->new_value ? strchr(r->new_value, ':') : NULL;
    if (!colon || mlops_digest_parse(colon + 1, &cp->covered_hash) != MLOPS_OK) {
        snprintf(why, n, "a checkpoint's head is not SEQ:sha256:HEX");
        return -1;
    }
    cp->covered_seq = r->seq - 1;
    char again[40 + MLOPS_DIGEST_STRLEN];
    head_text(cp->covered_seq, &cp->covered_hash, again, sizeof again);
    if (cp->covered_seq < 1 || strcmp(again, r->new_value) != 0) {
        snprintf(why, n, "a checkpoint must sign the head just before it (event %" PRId64 ")",
                 cp->covered_seq);
        return -1;
    }
    return 0;
}

int mlops__audit_checkpoint_signed(const mlops__audit_checkpoint *cp)
{
    mlops__sign_key k;
    if (mlops__sign_key_from_raw(__func__, cp->pub, &k) != MLOPS_OK) return 0;
    msgpack_sbuffer msg;
    msgpack_sbuffer_init(&msg);
    int ok = signed_message(cp->covered_seq, &cp->covered_hash, &msg) == MLOPS_OK &&
             mlops__sign_verify(&k, msg.data, msg.size, cp->sig);
    msgpack_sbuffer_destroy(&msg);
    mlops__sign_key_free(&k);
    return ok;
}

/* ---- Making one -------------------------------------------------------- */

struct checkpoint_op {
    const char *func;
    mlops__reg_change ch;
    mlops__sign_key key;
    int64_t covered;
};

static int checkpoint_tx(mlops__conn *c, void *arg)
{
    struct checkpoint_op *op = arg;
    int64_t seq = 0;
    mlops_digest head;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__audit_head_read(c, &seq, &head, NULL);
    if (rc) return rc;
    if (seq == 0)
        return mlops__err(MLOPS_ENOTFOUND, "%s: the audit log is empty: there is nothing to sign",
                          op->func);
    unsigned char payload[PAYLOAD_LEN];
    memcpy(payload, payload_head, 3);
    memcpy(payload + 3, op->key.pub, 32);
    memcpy(payload + 35, sig_head, 2);
    msgpack_sbuffer msg;
    msgpack_sbuffer_init(&msg);
    rc = signed_message(seq, &head, &msg);
    if (!rc) rc = mlops__sign(op->func, &op->key, msg.data, msg.size, payload + 37);
    msgpack_sbuffer_destroy(&msg);
    if (rc) return rc;
    char fp[MLOPS_DIGEST_STRLEN], signed_head[40 + MLOPS_DIGEST_STRLEN];
    mlops__reg_digest_text(&op->key.fingerprint, fp);
    head_text(seq, &head, signed_head, sizeof signed_head);
    mlops__audit_ev ev = { MLOPS__AUDIT_CHECKPOINT, 0, "", 0, fp, NULL, signed_head };
    rc = mlops__audit_append_payload(c, &op->ch, &ev, payload, sizeof payload, NULL);
    if (!rc) op->covered = seq;
    return rc;
}

MLOPS_API int mlops_audit_checkpoint(mlops_store *s, const char *private_pem,
                                     const mlops_change_opts *change, int64_t *covered_seq)
{
    struct checkpoint_op op = { .func = __func__ };
    if (covered_seq) *covered_seq = 0;
    if (!s) return mlops__err_null(op.func, "s");
    if (!private_pem) return mlops__err_null(op.func, "private_pem");
    int rc = mlops__reg_change_resolve(s, op.func, change, &op.ch);
    if (!rc) rc = mlops__sign_key_private(op.func, private_pem, &op.key);
    if (rc) return rc;
    rc = mlops__store_write(s, checkpoint_tx, &op);
    mlops__sign_key_free(&op.key);
    if (!rc && covered_seq) *covered_seq = op.covered;
    return rc;
}
