/* The audit log as a hash chain: appending an event, reading the head,
 * and walking the chain to verify it. */
#include "registry/registry_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/hash.h"

#include <string.h>

int mlops__audit_head_read(mlops__conn *c, int64_t *seq, mlops_digest *hash, int64_t *time_ms)
{
    sqlite3_stmt *st;
    int rc = mlops__conn_stmt(
        c, "SELECT seq, hash, time_ms FROM audit_events ORDER BY seq DESC LIMIT 1", &st);
    if (rc) return rc;
    int step = sqlite3_step(st);
    *seq = 0;
    memset(hash, 0, sizeof *hash);
    if (time_ms) *time_ms = INT64_MIN;
    if (step == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        const void *h = sqlite3_column_blob(st, 1);
        if (sqlite3_column_bytes(st, 1) != 32 || !h)
            rc = mlops__err(MLOPS_ECORRUPT, "audit event %lld has no 32-byte hash",
                            (long long)*seq);
        else memcpy(hash->bytes, h, 32);
        if (time_ms) *time_ms = sqlite3_column_int64(st, 2);
    } else if (step != SQLITE_DONE) {
        rc = mlops__conn_error(c, step, "reading the audit log's head");
    }
    sqlite3_reset(st);
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

int mlops__audit_append(mlops__conn *c, const mlops__reg_change *ch, const mlops__audit_ev *ev,
                        int64_t *seq_out)
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

    sqlite3_stmt *st;
    rc = mlops__conn_stmt(c,
                          "INSERT INTO audit_events(seq, time_ms, actor, action, model_id, "
                          "model, version, key, old_value, new_value, reason, hash) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                          &st);
    if (rc) return rc;
    rc = mlops__bind_int64(c, st, 1, row.seq);
    if (!rc) rc = mlops__bind_int64(c, st, 2, row.time_ms);
    if (!rc) rc = mlops__bind_text(c, st, 3, row.actor);
    if (!rc) rc = mlops__bind_text(c, st, 4, row.action);
    if (!rc) rc = mlops__bind_int64(c, st, 5, row.model_id);
    if (!rc) rc = mlops__bind_text(c, st, 6, row.model);
    if (!rc && row.version) rc = mlops__bind_int64(c, st, 7, row.version);
    if (!rc) rc = mlops__bind_text(c, st, 8, row.key);
    if (!rc) rc = mlops__bind_text(c, st, 9, row.old_value);
    if (!rc) rc = mlops__bind_text(c, st, 10, row.new_value);
    if (!rc) rc = mlops__bind_text(c, st, 11, row.reason);
    if (!rc) rc = mlops__bind_blob(c, st, 12, hash.bytes, 32);
    if (!rc) rc = mlops__conn_step_done(c, st, "appending an audit event");
    if (!rc && seq_out) *seq_out = row.seq;
    return rc;
}

/* ---- Verification ------------------------------------------------------ */

struct verify_ctx {
    int64_t head_seq;
    const mlops_digest *head_hash;
    int64_t first_bad;
};

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static int chain_broken(struct verify_ctx *v, int64_t seq, const char *why)
{
    v->first_bad = seq;
    return mlops__err(MLOPS_ECORRUPT, "mlops_audit_verify: the audit log is broken at event %lld: %s",
                      (long long)seq, why);
}

static int walk_chain(mlops__conn *c, struct verify_ctx *v)
{
    sqlite3_stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT seq, time_ms, actor, action, model_id, model, version, "
                              "key, old_value, new_value, reason, hash "
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
    int head_seen = 0;
    char why[160];
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        mlops__audit_row r = {
            .seq = sqlite3_column_int64(st, 0),
            .time_ms = sqlite3_column_int64(st, 1),
            .actor = col_text(st, 2),
            .action = col_text(st, 3),
            .model_id = sqlite3_column_int64(st, 4),
            .model = col_text(st, 5),
            .version = sqlite3_column_int64(st, 6),
            .key = col_text(st, 7),
            .old_value = col_text(st, 8),
            .new_value = col_text(st, 9),
            .reason = col_text(st, 10),
        };
        if (r.seq != expected) {
            snprintf(why, sizeof why, "it is missing (the log goes from event %lld to %lld)",
                     (long long)(expected - 1), (long long)r.seq);
            rc = chain_broken(v, expected, why);
            break;
        }
        const void *stored = sqlite3_column_blob(st, 11);
        int stored_len = sqlite3_column_bytes(st, 11);
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
        prev = got;
        prev_time = r.time_ms;
        expected++;
    }
    if (!rc && step != SQLITE_DONE) rc = mlops__conn_error(c, step, "reading the audit log");
    if (!rc && v->head_hash && !head_seen) {
        snprintf(why, sizeof why,
                 "it is missing: the log ends at event %lld, before the published head %lld",
                 (long long)(expected - 1), (long long)v->head_seq);
        rc = chain_broken(v, expected, why);
    }
    sqlite3_reset(st);
    msgpack_sbuffer_destroy(&enc);
    mlops__sha256_free(&h);
    return rc;
}

static int verify_tx(mlops__conn *c, void *arg)
{
    struct verify_ctx *v = arg;
    int rc = walk_chain(c, v);
    return rc ? rc : mlops__audit_check_state(c);
}

MLOPS_API int mlops_audit_verify_head(mlops_store *s, int64_t head_seq,
                                      const mlops_digest *head_hash, int64_t *first_bad)
{
    if (first_bad) *first_bad = 0;
    if (!s) return mlops__err_null("mlops_audit_verify", "s");
    if (head_hash && head_seq < 1)
        return mlops__err(MLOPS_EINVAL,
                          "mlops_audit_verify_head: head sequence number %lld is not >= 1",
                          (long long)head_seq);
    struct verify_ctx v = { head_seq, head_hash, 0 };
    int rc = mlops__store_read(s, verify_tx, &v);
    if (first_bad) *first_bad = v.first_bad;
    return rc;
}

MLOPS_API int mlops_audit_verify(mlops_store *s)
{
    return mlops_audit_verify_head(s, 0, NULL, NULL);
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
    if (!s) return mlops__err_null("mlops_audit_head", "s");
    if (!seq) return mlops__err_null("mlops_audit_head", "seq");
    if (!hash) return mlops__err_null("mlops_audit_head", "hash");
    struct head_ctx h;
    int rc = mlops__store_read(s, head_tx, &h);
    if (rc) return rc;
    *seq = h.seq;
    *hash = h.hash;
    return MLOPS_OK;
}
