/* The payload of an imported event (doc/format.md, "Audit events",
 * "Imports"): what an event written by lib/import carries besides its
 * fields, so the log tells imported history from history made here. It
 * is the canonical msgpack array
 *   [origin (str), time_ms (int), actor (str) | nil]
 * origin: where the history came from ("mlflow:...", "bundle:..."); time_ms
 * and actor: when and by whom the change was made there (the event's own
 * time and actor are the import's, so the chain's times keep rising). */
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/mpack.h"

#include <stdio.h>
#include <string.h>

int mlops__import_payload_encode(msgpack_sbuffer *buf, const char *origin, int64_t time_ms,
                                 const char *actor)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, buf, msgpack_sbuffer_write);
    int rc = msgpack_pack_array(&pk, 3);
    if (!rc) rc = mlops__mp_str(&pk, origin);
    if (!rc) rc = msgpack_pack_int64(&pk, time_ms);
    if (!rc) rc = actor ? mlops__mp_str(&pk, actor) : msgpack_pack_nil(&pk);
    return rc ? mlops__err_nomem("encoding an import payload") : MLOPS_OK;
}

int mlops__import_payload_read(const void *p, size_t n, int64_t *time_ms, char *why, size_t whyn)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int bad = 1;
    if (p && mlops__mp_unpack(p, n, &u) == MLOPS__MP_OK) {
        const msgpack_object *o = &u.data;
        const msgpack_object *a = o->type == MSGPACK_OBJECT_ARRAY && o->via.array.size == 3
                                      ? o->via.array.ptr
                                      : NULL;
        int64_t t = 0;
        if (a && a[0].type == MSGPACK_OBJECT_STR && a[0].via.str.size > 0 &&
            a[0].via.str.size <= MLOPS_IMPORT_ORIGIN_MAX && !mlops__mp_int64(&a[1], &t) &&
            (a[2].type == MSGPACK_OBJECT_NIL || a[2].type == MSGPACK_OBJECT_STR)) {
            /* One encoding per payload: re-encode and compare. */
            msgpack_sbuffer again;
            msgpack_sbuffer_init(&again);
            msgpack_packer pk;
            msgpack_packer_init(&pk, &again, msgpack_sbuffer_write);
            int rc = msgpack_pack_array(&pk, 3);
            if (!rc) rc = msgpack_pack_str_with_body(&pk, a[0].via.str.ptr, a[0].via.str.size);
            if (!rc) rc = msgpack_pack_int64(&pk, t);
            if (!rc)
                rc = a[2].type == MSGPACK_OBJECT_NIL
                         ? msgpack_pack_nil(&pk)
                         : msgpack_pack_str_with_body(&pk, a[2].via.str.ptr, a[2].via.str.size);
            bad = rc || again.size != n || memcmp(again.data, p, n) != 0;
            msgpack_sbuffer_destroy(&again);
            if (!bad && time_ms) *time_ms = t;
        }
    }
    msgpack_unpacked_destroy(&u);
    if (bad) snprintf(why, whyn, "its payload is not an import's [origin, time, actor]");
    return bad ? -1 : 0;
}
