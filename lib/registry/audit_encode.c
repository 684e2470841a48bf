/* The canonical msgpack form of an audit event, the bytes its chain hash
 * covers (doc/format.md, "Audit events"). Each format is fixed forever:
 * changing one byte of one would break every stored chain.
 *
 * Format 1 (1.0) is an array of 12 items in this order:
 *   [1, seq, time_ms, actor, action, model_id, model,
 *    version | nil, key | nil, old_value | nil, new_value | nil,
 *    reason | nil]
 * Format 2 is an array of 13: the same with 2 first, and the kind's
 * payload (bin) or nil last.
 * Integers take their shortest msgpack form (positive fixint, uint8..64,
 * negative fixint, int8..64), strings their shortest str header (fixstr,
 * str8, str16, str32) and payloads their shortest bin header (bin8, 16,
 * 32), which is what msgpack-c's packer writes. */
#include "registry/registry_internal.h"
#include "util/err.h"

#include <string.h>

static int pack_text(msgpack_packer *pk, const char *s)
{
    if (!s) return msgpack_pack_nil(pk);
    size_t n = strlen(s);
    int rc = msgpack_pack_str(pk, n);
    return rc ? rc : msgpack_pack_str_body(pk, s, n);
}

int mlops__audit_encode(msgpack_sbuffer *buf, const mlops__audit_row *r)
{
    if (r->format != MLOPS__AUDIT_FORMAT_V1 && r->format != MLOPS__AUDIT_FORMAT_V2)
        return mlops__err(MLOPS_EINVAL, "audit event %lld has unknown format %d",
                          (long long)r->seq, r->format);
    if (r->format == MLOPS__AUDIT_FORMAT_V1 && r->payload)
        return mlops__err(MLOPS_EINVAL, "audit event %lld has a payload in format 1",
                          (long long)r->seq);
    int v2 = r->format == MLOPS__AUDIT_FORMAT_V2;
    msgpack_packer pk;
    msgpack_packer_init(&pk, buf, msgpack_sbuffer_write);
    int rc = msgpack_pack_array(&pk, v2 ? 13 : 12);
    if (!rc) rc = msgpack_pack_int64(&pk, r->format);
    if (!rc) rc = msgpack_pack_int64(&pk, r->seq);
    if (!rc) rc = msgpack_pack_int64(&pk, r->time_ms);
    if (!rc) rc = pack_text(&pk, r->actor);
    if (!rc) rc = pack_text(&pk, r->action);
    if (!rc) rc = msgpack_pack_int64(&pk, r->model_id);
    if (!rc) rc = pack_text(&pk, r->model);
    if (!rc) rc = r->version ? msgpack_pack_int64(&pk, r->version) : msgpack_pack_nil(&pk);
    if (!rc) rc = pack_text(&pk, r->key);
    if (!rc) rc = pack_text(&pk, r->old_value);
    if (!rc) rc = pack_text(&pk, r->new_value);
    if (!rc) rc = pack_text(&pk, r->reason);
    if (!rc && v2) {
        if (!r->payload) rc = msgpack_pack_nil(&pk);
        else if (!(rc = msgpack_pack_bin(&pk, r->payload_len)))
            rc = msgpack_pack_bin_body(&pk, r->payload, r->payload_len);
    }
    return rc ? mlops__err_nomem("encoding an audit event") : MLOPS_OK;
}
