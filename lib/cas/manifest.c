#include "cas/manifest.h"
#include "util/err.h"
#include "util/mpack.h"

#include <stdlib.h>
#include <string.h>

static const char manifest_format[] = "mlops.manifest";

int mlops__manifest_encode(uint64_t total, const mlops__chunk_ref *chunks, size_t n,
                           void **out, size_t *len)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    /* Fixed key order: the same chunks always give the same bytes. */
    int rc = msgpack_pack_map(&pk, 4);
    rc |= mlops__mp_str(&pk, "format");
    rc |= mlops__mp_str(&pk, manifest_format);
    rc |= mlops__mp_str(&pk, "version");
    rc |= msgpack_pack_uint64(&pk, MLOPS__MANIFEST_VERSION);
    rc |= mlops__mp_str(&pk, "size");
    rc |= msgpack_pack_uint64(&pk, total);
    rc |= mlops__mp_str(&pk, "chunks");
    rc |= msgpack_pack_array(&pk, n);
    for (size_t i = 0; i < n && !rc; i++) {
        rc |= msgpack_pack_array(&pk, 2);
        rc |= msgpack_pack_bin(&pk, 32);
        rc |= msgpack_pack_bin_body(&pk, chunks[i].digest.bytes, 32);
        rc |= msgpack_pack_uint64(&pk, chunks[i].size);
    }
    if (rc) {
        msgpack_sbuffer_destroy(&sb);
        return mlops__err_nomem("encoding a manifest");
    }
    *out = sb.data; /* malloc'd by msgpack-c's sbuffer */
    *len = sb.size;
    return MLOPS_OK;
}

static int bad(const char *what, const char *why)
{
    return mlops__err(MLOPS_ECORRUPT, "manifest %s is not valid: %s", what, why);
}

static int decode_chunks(const msgpack_object *arr, const char *what, uint64_t total,
                         mlops__chunk_ref **chunks, size_t *n)
{
    if (!arr || arr->type != MSGPACK_OBJECT_ARRAY) return bad(what, "no chunk list");
    size_t count = arr->via.array.size;
    mlops__chunk_ref *list = malloc(count ? count * sizeof *list : 1);
    if (!list) return mlops__err_nomem("decoding a manifest");
    uint64_t sum = 0;
    for (size_t i = 0; i < count; i++) {
        const msgpack_object *e = &arr->via.array.ptr[i];
        if (e->type != MSGPACK_OBJECT_ARRAY || e->via.array.size != 2 ||
            mlops__mp_bin32(&e->via.array.ptr[0], list[i].digest.bytes) ||
            e->via.array.ptr[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
            e->via.array.ptr[1].via.u64 == 0) {
            free(list);
            return bad(what, "a chunk entry is malformed");
        }
        list[i].size = e->via.array.ptr[1].via.u64;
        if (__builtin_add_overflow(sum, list[i].size, &sum)) {
            free(list);
            return bad(what, "its chunk sizes overflow 64 bits");
        }
    }
    if (sum != total) {
        free(list);
        return bad(what, "its chunk sizes do not add up to its size");
    }
    *chunks = list;
    *n = count;
    return MLOPS_OK;
}

int mlops__manifest_decode(const void *buf, size_t len, const char *what, uint64_t *total,
                           mlops__chunk_ref **chunks, size_t *n)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc;
    int ur = mlops__mp_unpack(buf, len, &u);
    if (ur == MLOPS__MP_NOMEM) {
        rc = mlops__err_nomem("decoding a manifest");
    } else if (ur != MLOPS__MP_OK || u.data.type != MSGPACK_OBJECT_MAP) {
        rc = bad(what, "not one msgpack map");
    } else if (!mlops__mp_str_eq(mlops__mp_get(&u.data, "format"), manifest_format)) {
        rc = bad(what, "not a manifest");
    } else {
        uint64_t version = 0;
        if (mlops__mp_uint(&u.data, "version", &version) || version == 0)
            rc = bad(what, "no version");
        else if (version > MLOPS__MANIFEST_VERSION)
            rc = mlops__err(MLOPS_EUNSUPPORTED,
                            "manifest %s has version %llu; this library reads version %d",
                            what, (unsigned long long)version, MLOPS__MANIFEST_VERSION);
        else if (mlops__mp_uint(&u.data, "size", total))
            rc = bad(what, "no size");
        else
            rc = decode_chunks(mlops__mp_get(&u.data, "chunks"), what, *total, chunks, n);
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}
