/* The canonical msgpack form of an audit event, the bytes its chain hash
 * covers (doc/format.md, "Audit events"). The form is fixed forever:
 * changing one byte of it would break every stored chain.
 *
 * An event is an array of 12 items in this order:
 *   [1 (format), seq, time_ms, actor, action, model_id, model,
 *    version | nil, key | nil, old_value | nil, new_value | nil,
 *    reason | nil]
 * Integers take their shortest msgpack form (positive fixint, uint8..64,
 * negative fixint, int8..64) and strings their shortest str header
 * (fixstr, str8, str16, str32), which is what msgpack-c's packer writes. */
#include "registry/registry_internal.h"
#include "util/err.h"

#include <string.h>

#define AUDIT_FORMAT 1

static int pack_text(msgpack_packer *pk, const char *s)
{
    if (!s) return msgpack_pack_nil(pk);
    size_t n = strlen(s);
    int rc = msgpack_pack_str(pk, n);
    return rc ? rc : msgpack_pack_str_body(pk, s, n);
}

int mlops__audit_encode(msgpack_sbuffer *buf, const mlops__audit_row *r)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, buf, msgpack_sbuffer_write);
    int rc = msgpack_pack_array(&pk, 12);
    if (!rc) rc = msgpack_pack_int64(&pk, AUDIT_FORMAT);
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
    return rc ? mlops__err_nomem("encoding an audit event") : MLOPS_OK;
}
