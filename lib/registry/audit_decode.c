/* Reading an audit event back from its canonical msgpack form
 * (audit_encode.c). Exported or received events are untrusted bytes: the
 * decoder reads them through the bounded unpacker and accepts only the
 * canonical encoding, checked by encoding what it decoded and comparing
 * the bytes, so that one event has exactly one byte string and one hash,
 * and only events of a kind the library understands (audit_kinds.c). */
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/mpack.h"

#include <stdlib.h>
#include <string.h>

static int bad(const char *why)
{
    return mlops__err(MLOPS_ECORRUPT, "audit event is not valid: %s", why);
}

/* Copies string field o (or nil: NULL) into the block at *cursor. */
static int get_text(const msgpack_object *o, char **cursor, const char **out)
{
    if (o->type == MSGPACK_OBJECT_NIL) {
        *out = NULL;
        return 0;
    }
    if (o->type != MSGPACK_OBJECT_STR) return -1;
    *out = mlops__mp_str_copy(*cursor, o);
    *cursor += o->via.str.size + 1;
    return 0;
}

static int decode_fields(const msgpack_object *f, uint32_t nfields, mlops__audit_row *row,
                         char **mem)
{
    int64_t format;
    if (mlops__mp_int64(&f[0], &format) || format < 1) return bad("no format number");
    if (format > MLOPS__AUDIT_FORMAT_MAX)
        return mlops__err(MLOPS_EUNSUPPORTED,
                          "audit event has format %lld; this library reads formats 1 to %d",
                          (long long)format, MLOPS__AUDIT_FORMAT_MAX);
    if (nfields != (format == MLOPS__AUDIT_FORMAT_V1 ? 12u : 13u))
        return bad(format == MLOPS__AUDIT_FORMAT_V1 ? "format 1 has 12 fields"
                                                    : "format 2 has 13 fields");
    memset(row, 0, sizeof *row);
    row->format = (int)format;
    if (mlops__mp_int64(&f[1], &row->seq) || mlops__mp_int64(&f[2], &row->time_ms) ||
        mlops__mp_int64(&f[5], &row->model_id))
        return bad("a number field is not an integer");
    if (f[7].type != MSGPACK_OBJECT_NIL && (mlops__mp_int64(&f[7], &row->version) || row->version == 0))
        return bad("the version is neither nil nor a non-zero integer");
    static const int text_fields[] = { 3, 4, 6, 8, 9, 10, 11 };
    size_t bytes = 1;
    for (size_t i = 0; i < sizeof text_fields / sizeof text_fields[0]; i++) {
        const msgpack_object *o = &f[text_fields[i]];
        if (o->type == MSGPACK_OBJECT_STR) bytes += o->via.str.size + 1;
        else if (o->type != MSGPACK_OBJECT_NIL) return bad("a text field is neither a string nor nil");
    }
    const msgpack_object *payload = nfields == 13 ? &f[12] : NULL;
    if (payload && payload->type == MSGPACK_OBJECT_BIN) bytes += payload->via.bin.size + 1;
    else if (payload && payload->type != MSGPACK_OBJECT_NIL)
        return bad("the payload is neither bin nor nil");
    char *block = malloc(bytes), *cursor = block;
    if (!block) return mlops__err_nomem("decoding an audit event");
    get_text(&f[3], &cursor, &row->actor);
    get_text(&f[4], &cursor, &row->action);
    get_text(&f[6], &cursor, &row->model);
    get_text(&f[8], &cursor, &row->key);
    get_text(&f[9], &cursor, &row->old_value);
    get_text(&f[10], &cursor, &row->new_value);
    get_text(&f[11], &cursor, &row->reason);
    if (payload && payload->type == MSGPACK_OBJECT_BIN) {
        row->payload = mlops__mp_str_copy(cursor, payload);
        row->payload_len = payload->via.bin.size;
    }
    *mem = block;
    return MLOPS_OK;
}

int mlops__audit_decode(const void *buf, size_t len, mlops__audit_row *row, char **mem)
{
    *mem = NULL;
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc;
    int ur = mlops__mp_unpack(buf, len, &u);
    if (ur == MLOPS__MP_NOMEM) rc = mlops__err_nomem("decoding an audit event");
    else if (ur != MLOPS__MP_OK) rc = bad("not one msgpack object");
    else if (u.data.type != MSGPACK_OBJECT_ARRAY ||
             (u.data.via.array.size != 12 && u.data.via.array.size != 13))
        rc = bad("not an array of 12 or 13 fields");
    else rc = decode_fields(u.data.via.array.ptr, u.data.via.array.size, row, mem);
    msgpack_unpacked_destroy(&u);
    if (rc) {
        free(*mem);
        *mem = NULL;
        return rc;
    }
    char why[200];
    if (mlops__audit_check_kind(row, why, sizeof why) != 0) rc = bad(why);

    /* Canonical: the row encodes back to exactly these bytes. */
    msgpack_sbuffer again;
    msgpack_sbuffer_init(&again);
    if (!rc) rc = mlops__audit_encode(&again, row);
    if (!rc && (again.size != len || memcmp(again.data, buf, len) != 0))
        rc = bad("not in canonical form (a shorter integer or string header, or a NUL in a "
                 "string, would encode differently)");
    msgpack_sbuffer_destroy(&again);
    if (rc) {
        free(*mem);
        *mem = NULL;
        memset(row, 0, sizeof *row);
    }
    return rc;
}
