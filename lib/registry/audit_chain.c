/* The audit log as a hash chain: appending an event, reading the head,
 * and walking the chain to verify it. */
#include "registry/registry_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/opts.h"

#include <stdlib.h>
#include <string.h>

int mlops__audit_head_read(mlops__conn *c, int64_t *seq, mlops_digest *hash, int64_t *time_ms)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(
        c, "SELECT seq, hash, time_ms FROM audit_events ORDER BY seq DESC LIMIT 1", &st);
    if (rc) return rc;
    int step = mlops__step(st);
    *seq = 0;
    memset(hash, 0, sizeof *hash);
    if (time_ms) *time_ms = INT64_MIN;
    if (step == MLOPS__ROW) {
        *seq = mlops__col_int64(st, 0);
        const void *h = mlops__col_blob(st, 1);
        if (mlops__col_bytes(st, 1) != 32 || !h)
            rc = mlops__err(MLOPS_ECORRUPT, "audit event %lld has no 32-byte hash",
                            (long long)*seq);
        else memcpy(hash->bytes, h, 32);
        if (time_ms) *time_ms = mlops__col_int64(st, 2);
    } else if (step != MLOPS__DONE) {
        rc = mlops__conn_error(c, step, "reading the audit log's head");
    }
    mlops__reset(st);
    return rc;
}

int mlops__reg_change_clock(mlops__conn *c, mlops__reg_change *ch)
{
    int64_t seq = 0, last = 0;
    mlops_digest h;
    int rc = mlops__audit_head_read(c, &seq, &h, &last);
    if (rc) return rc;
    int64_t now = mlops__now_ms();
    ch->now_ms = now > last ? now : last;
    return MLOPS_OK;
}

/* hash = SHA-256(prev || encoding) */
static int chain_hash(mlops__sha256 *h, const mlops_digest *prev, const msgpack_sbuffer *enc,
                      mlops_digest *out)
{
    int rc = mlops__sha256_update(h, prev->bytes, sizeof prev->bytes);
    if (!rc) rc = mlops__sha256_update(h, enc->data, enc->size);
    if (!rc) rc = mlops__sha256_final(h, out);
    return rc;
}

static int insert_event(mlops__conn *c, const mlops__audit_row *row, const mlops_digest *hash)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                          "INSERT INTO audit_events(seq, time_ms, actor, action, model_id, "
                          "model, version, key, old_value, new_value, reason, hash, format, "
                          "payload) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                          &st);
    if (rc) return rc;
    rc = mlops__bind_int64(c, st, 1, row->seq);
    if (!rc) rc = mlops__bind_int64(c, st, 2, row->time_ms);
    if (!rc) rc = mlops__bind_text(c, st, 3, row->actor);
    if (!rc) rc = mlops__bind_text(c, st, 4, row->action);
    if (!rc) rc = mlops__bind_int64(c, st, 5, row->model_id);
    if (!rc) rc = mlops__bind_text(c, st, 6, row->model);
    if (!rc && row->version) rc = mlops__bind_int64(c, st, 7, row->version);
    if (!rc) rc = mlops__bind_text(c, st, 8, row->key);
    if (!rc) rc = mlops__bind_text(c, st, 9, row->old_value);
    if (!rc) rc = mlops__bind_text(c, st, 10, row->new_value);
    if (!rc) rc = mlops__bind_text(c, st, 11, row->reason);
    if (!rc) rc = mlops__bind_blob(c, st, 12, hash->bytes, 32);
    if (!rc) rc = mlops__bind_int64(c, st, 13, row->format);
    if (!rc && row->payload)
        rc = mlops__bind_blob(c, st, 14, row->payload, (int)row->payload_len);
    if (!rc) rc = mlops__conn_step_done(c, st, "appending an audit event");
    return rc;
}

int mlops__audit_append(mlops__conn *c, const mlops__reg_change *ch, const mlops__audit_ev *ev,
                        int64_t *seq_out)
{
    return mlops__audit_append_payload(c, ch, ev, NULL, 0, seq_out);
}

int mlops__audit_append_payload(mlops__conn *c, const mlops__reg_change *ch,
                                const mlops__audit_ev *ev, const void *payload,
                                size_t payload_len, int64_t *seq_out)
{
    int64_t head_seq = 0, head_time = 0;
    mlops_digest prev, hash;
    int rc = mlops__audit_head_read(c, &head_seq, &prev, &head_time);
    if (rc) return rc;
    mlops__audit_row row = {
        .seq = head_seq + 1,
        .time_ms = ch->now_ms > head_time ? ch->now_ms : head_time,
        .actor = ch->actor,
        .action = ev->action,
        .model_id = ev->model_id,
        .model = ev->model,
        .version = ev->version,
        .key = ev->key,
        .old_value = ev->old_value,
        .new_value = ev->new_value,
        .reason = ch->reason,
        .format = MLOPS__AUDIT_FORMAT_V2,
        .payload = payload,
        .payload_len = payload_len,
    };
    msgpack_sbuffer enc;
    msgpack_sbuffer_init(&enc);
    mlops__sha256 h = { 0 };
    rc = mlops__audit_encode(&enc, &row);
    if (!rc) rc = mlops__sha256_init(&h);
    if (!rc) rc = chain_hash(&h, &prev, &enc, &hash);
    mlops__sha256_free(&h);
    msgpack_sbuffer_destroy(&enc);
    if (rc) return rc;

    rc = insert_event(c, &row, &hash);
    if (!rc && seq_out) *seq_out = row.seq;
    return rc;
}

int mlops__audit_append_verbatim(mlops__conn *c, const char *fn, const mlops__audit_row *row,
                                 const mlops_digest *hash)
{
    int64_t head_seq = 0, head_time = 0;
    mlops_digest prev, got;
    int rc = mlops__audit_head_read(c, &head_seq, &prev, &head_time);
    if (rc) return rc;
    char why[300];
    if (row->seq != head_seq + 1)
        return mlops__err(MLOPS_ECORRUPT, "%s: audit event %lld does not follow the head %lld",
                          fn, (long long)row->seq, (long long)head_seq);
    if (head_seq && row->time_ms < head_time)
        return mlops__err(MLOPS_ECORRUPT,
                          "%s: audit event %lld is earlier than the event before it", fn,
                          (long long)row->seq);
    if (mlops__audit_check_kind(row, why, sizeof why) != 0)
        return mlops__err(MLOPS_ECORRUPT, "%s: audit event %lld: %s", fn, (long long)row->seq,
                          why);
    msgpack_sbuffer enc;
    msgpack_sbuffer_init(&enc);
    mlops__sha256 h = { 0 };
    rc = mlops__audit_encode(&enc, row);
    if (!rc) rc = mlops__sha256_init(&h);
    if (!rc) rc = chain_hash(&h, &prev, &enc, &got);
    mlops__sha256_free(&h);
    msgpack_sbuffer_destroy(&enc);
    if (rc) return rc;
    if (memcmp(got.bytes, hash->bytes, 32) != 0)
        return mlops__err(MLOPS_ECORRUPT,
                          "%s: audit event %lld does not match its hash over the chain before "
                          "it (edited, moved, or an event before it differs)",
                          fn, (long long)row->seq);
    return insert_event(c, row, hash);
}

/* ---- Verification ------------------------------------------------------ */

struct verify_ctx {
    const char *fn; /* the public function reporting */
    int64_t head_seq;
    const mlops_digest *head_hash;
    const mlops__sign_key *trusted; /* checkpoints by these keys attest */
    size_t ntrusted;
    mlops_audit_report r;
};

static const char *col_text(mlops__stmt *st, int i)
{
    return mlops__col_text(st, i);
}

static int chain_broken(struct verify_ctx *v, int64_t seq, const char *why)
{
    v->r.first_bad = seq;
    return mlops__err(MLOPS_ECORRUPT, "%s: the audit log is broken at event %lld: %s", v->fn,
                      (long long)seq, why);
}

/* A checkpoint event (its shape already checked) against the chain before
 * it and the trusted keys. */
static int check_checkpoint(struct verify_ctx *v, const mlops__audit_row *r,
                            const mlops_digest *prev)
{
    mlops__audit_checkpoint cp;
    char why[300];
    if (mlops__audit_checkpoint_read(r, &cp, why, sizeof why) != 0)
        return chain_broken(v, r->seq, why);
    if (memcmp(cp.covered_hash.bytes, prev->bytes, 32) != 0)
        return chain_broken(v, r->seq,
                            "the checkpoint disagrees with the chain: it signs a hash of the "
                            "event before it that the log does not have");
    if (!mlops__audit_checkpoint_signed(&cp))
        return chain_broken(v, r->seq, "the checkpoint's signature does not verify");
    int trusted = 0;
    for (size_t i = 0; i < v->ntrusted && !trusted; i++)
        trusted = !memcmp(v->trusted[i].pub, cp.pub, 32);
    if (v->ntrusted && !trusted) {
        snprintf(why, sizeof why,
                 "the checkpoint is signed by key %s, which is not one of the trusted keys",
                 r->key);
        return chain_broken(v, r->seq, why);
    }
    v->r.checkpoints++;
    if (trusted) v->r.attested_seq = cp.covered_seq;
    return MLOPS_OK;
}

static int walk_chain(mlops__conn *c, struct verify_ctx *v)
{
    v->r.checkpoints = 0; /* a retried transaction runs this again (lib/store/store.c run_tx) */
    v->r.attested_seq = 0;
    v->r.first_bad = 0;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT seq, time_ms, actor, action, model_id, model, version, "
                              "key, old_value, new_value, reason, hash, format, payload "
                              "FROM audit_events ORDER BY seq",
                              &st);
    if (rc) return rc;
    mlops__sha256 h = { 0 };
    rc = mlops__sha256_init(&h);
    if (rc) return rc;
    msgpack_sbuffer enc;
    msgpack_sbuffer_init(&enc);
    mlops_digest prev = { { 0 } }, got;
    int64_t expected = 1, prev_time = INT64_MIN;
    int head_seen = 0, prev_format = MLOPS__AUDIT_FORMAT_V1;
    char why[300];
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        mlops__audit_row r = {
            .seq = mlops__col_int64(st, 0),
            .time_ms = mlops__col_int64(st, 1),
            .actor = col_text(st, 2),
            .action = col_text(st, 3),
            .model_id = mlops__col_int64(st, 4),
            .model = col_text(st, 5),
            .version = mlops__col_int64(st, 6),
            .key = col_text(st, 7),
            .old_value = col_text(st, 8),
            .new_value = col_text(st, 9),
            .reason = col_text(st, 10),
            .format = mlops__col_int(st, 12),
        };
        if (!mlops__col_null(st, 13)) {
            /* mlops__col_blob may give NULL for an empty blob (SQLite does): "" keeps it a payload. */
            const void *p = mlops__col_blob(st, 13);
            r.payload_len = (size_t)mlops__col_bytes(st, 13);
            r.payload = p ? p : "";
        }
        if (r.seq != expected) {
            snprintf(why, sizeof why, "it is missing (the log goes from event %lld to %lld)",
                     (long long)(expected - 1), (long long)r.seq);
            rc = chain_broken(v, expected, why);
            break;
        }
        if (mlops__audit_check_kind(&r, why, sizeof why) != 0) {
            rc = chain_broken(v, r.seq, why);
            break;
        }
        /* Formats only move forward: events written after a migration are
         * in the new format. */
        if (r.format < prev_format || r.format > MLOPS__AUDIT_FORMAT_MAX) {
            snprintf(why, sizeof why, "its format %d is not one of %d to %d", r.format,
                     prev_format, MLOPS__AUDIT_FORMAT_MAX);
            rc = chain_broken(v, r.seq, why);
            break;
        }
        const void *stored = mlops__col_blob(st, 11);
        int stored_len = mlops__col_bytes(st, 11);
        msgpack_sbuffer_clear(&enc);
        rc = mlops__audit_encode(&enc, &r);
        if (!rc) rc = chain_hash(&h, &prev, &enc, &got);
        if (rc) break;
        if (stored_len != 32 || memcmp(stored, got.bytes, 32) != 0) {
            rc = chain_broken(v, r.seq,
                              "its content or position does not match its hash (edited, "
                              "moved, or an event before it was removed)");
            break;
        }
        if (r.time_ms < prev_time) {
            rc = chain_broken(v, r.seq, "its time is earlier than the event before it");
            break;
        }
        if (v->head_hash && r.seq == v->head_seq) {
            head_seen = 1;
            if (memcmp(got.bytes, v->head_hash->bytes, 32) != 0) {
                rc = chain_broken(v, r.seq,
                                  "its hash differs from the published head: the log was "
                                  "rewritten at or before it");
                break;
            }
        }
        if (!strcmp(r.action, MLOPS__AUDIT_CHECKPOINT)) {
            rc = check_checkpoint(v, &r, &prev);
            if (rc) break;
        }
        prev = got;
        prev_time = r.time_ms;
        prev_format = r.format;
        v->r.events = r.seq;
        expected++;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading the audit log");
    if (!rc && v->head_hash && !head_seen) {
        snprintf(why, sizeof why,
                 "it is missing: the log ends at event %lld, before the published head %lld",
                 (long long)(expected - 1), (long long)v->head_seq);
        rc = chain_broken(v, expected, why);
    }
    mlops__reset(st);
    msgpack_sbuffer_destroy(&enc);
    mlops__sha256_free(&h);
    return rc;
}

static int verify_tx(mlops__conn *c, void *arg)
{
    struct verify_ctx *v = arg;
    int rc = walk_chain(c, v);
    return rc ? rc : mlops__audit_check_state(c, v->fn);
}

int mlops__audit_verify_conn(mlops__conn *c, const char *fn)
{
    struct verify_ctx v = { fn, 0, NULL, NULL, 0, MLOPS_AUDIT_REPORT_INIT };
    return verify_tx(c, &v);
}

MLOPS_API int mlops_audit_verify_opts_init(mlops_audit_verify_opts *opts, unsigned version)
{
    static const mlops_audit_verify_opts defaults = MLOPS_AUDIT_VERIFY_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_AUDIT_VERIFY_OPTS_VERSION);
}

MLOPS_API int mlops_audit_report_init(mlops_audit_report *report, unsigned version)
{
    static const mlops_audit_report defaults = MLOPS_AUDIT_REPORT_INIT;
    return mlops__opts_init(__func__, report, &defaults, sizeof defaults, version,
                            MLOPS_AUDIT_REPORT_VERSION);
}

static int check_opts(const char *func, const mlops_audit_verify_opts *o)
{
    int rc = mlops__opts_check(func, o->version, MLOPS_AUDIT_VERIFY_OPTS_VERSION,
                               "mlops_audit_verify_opts_init");
    if (rc) return rc;
    if (o->head_hash && o->head_seq < 1)
        return mlops__err(MLOPS_EINVAL, "%s: head sequence number %lld is not >= 1", func,
                          (long long)o->head_seq);
    if (o->n_trusted_keys && !o->trusted_keys) return mlops__err_null(func, "trusted_keys");
    if (o->n_trusted_keys > 1024)
        return mlops__err(MLOPS_EINVAL, "%s: %zu trusted keys is more than 1024", func,
                          o->n_trusted_keys);
    if (o->min_seq < 0)
        return mlops__err(MLOPS_EINVAL, "%s: min_seq %lld is negative", func,
                          (long long)o->min_seq);
    if (o->min_seq > 0 && !o->n_trusted_keys)
        return mlops__err(MLOPS_EINVAL,
                          "%s: min_seq needs trusted keys: only a checkpoint by a key the "
                          "caller trusts attests anything",
                          func);
    return MLOPS_OK;
}

MLOPS_API int mlops_audit_verify_ex(mlops_store *s, const mlops_audit_verify_opts *opts,
                                    mlops_audit_report *report)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (report) {
        int rc = mlops__opts_check(__func__, report->version, MLOPS_AUDIT_REPORT_VERSION,
                                   "mlops_audit_report_init");
        if (rc) return rc;
    }
    mlops_audit_verify_opts o = MLOPS_AUDIT_VERIFY_OPTS_INIT;
    if (opts) {
        int rc = check_opts(__func__, opts);
        if (rc) return rc;
        o = *opts; /* version 1 is every field so far */
    }
    mlops__sign_key *keys = o.n_trusted_keys ? calloc(o.n_trusted_keys, sizeof *keys) : NULL;
    if (o.n_trusted_keys && !keys) return mlops__err_nomem("reading trusted keys");
    int rc = MLOPS_OK;
    size_t nkeys = 0;
    for (; !rc && nkeys < o.n_trusted_keys; nkeys++) {
        rc = mlops__sign_key_public(__func__, o.trusted_keys[nkeys], &keys[nkeys]);
        if (rc) break;
    }
    struct verify_ctx v = { __func__, o.head_seq, o.head_hash, keys, nkeys,
                            MLOPS_AUDIT_REPORT_INIT };
    if (!rc) rc = mlops__store_read(s, verify_tx, &v);
    for (size_t i = 0; i < nkeys; i++) mlops__sign_key_free(&keys[i]);
    free(keys);
    v.r.unattested = v.r.events - v.r.attested_seq;
    if (!rc && o.min_seq > v.r.attested_seq)
        rc = mlops__err(MLOPS_ESIGNATURE,
                        "%s: no valid checkpoint by a trusted key covers event %lld (the last "
                        "covers %lld)",
                        __func__, (long long)o.min_seq, (long long)v.r.attested_seq);
    if (report) {
        unsigned version = report->version;
        *report = v.r;
        report->version = version;
    }
    return rc;
}

static int verify_head(const char *fn, mlops_store *s, int64_t head_seq,
                       const mlops_digest *head_hash, int64_t *first_bad)
{
    if (first_bad) *first_bad = 0;
    if (!s) return mlops__err_null(fn, "s");
    if (head_hash && head_seq < 1)
        return mlops__err(MLOPS_EINVAL,
                          "%s: head sequence number %lld is not >= 1", fn,
                          (long long)head_seq);
    struct verify_ctx v = { fn, head_seq, head_hash, NULL, 0, MLOPS_AUDIT_REPORT_INIT };
    int rc = mlops__store_read(s, verify_tx, &v);
    if (first_bad) *first_bad = v.r.first_bad;
    return rc;
}

MLOPS_API int mlops_audit_verify_head(mlops_store *s, int64_t head_seq,
                                      const mlops_digest *head_hash, int64_t *first_bad)
{
    return verify_head(__func__, s, head_seq, head_hash, first_bad);
}

MLOPS_API int mlops_audit_verify(mlops_store *s)
{
    return verify_head(__func__, s, 0, NULL, NULL);
}

struct head_ctx {
    int64_t seq;
    mlops_digest hash;
};

static int head_tx(mlops__conn *c, void *arg)
{
    struct head_ctx *h = arg;
    return mlops__audit_head_read(c, &h->seq, &h->hash, NULL);
}

MLOPS_API int mlops_audit_head(mlops_store *s, int64_t *seq, mlops_digest *hash)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!seq) return mlops__err_null(__func__, "seq");
    if (!hash) return mlops__err_null(__func__, "hash");
    struct head_ctx h;
    int rc = mlops__store_read(s, head_tx, &h);
    if (rc) return rc;
    *seq = h.seq;
    *hash = h.hash;
    return MLOPS_OK;
}
