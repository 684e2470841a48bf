/* A remote's record of a selection: a msgpack map (doc/format.md,
 * "Remotes"), kept under names/sel-<hex SHA-256 of the selection's text>
 * so that any selection string makes a safe key of fixed length. */
#include "remote/remote_internal.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/mpack.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

#define RECORD_FORMAT "mlops.remote.record"
/* 1: every object loose; 2: some in the packs the record names (a reader
 * of version 1 refuses it cleanly rather than missing those objects). */
#define RECORD_VERSION 2

void mlops__record_name(const char *selection, char out[MLOPS__RECORD_NAME_CAP])
{
    mlops_digest d;
    memset(&d, 0, sizeof d);
    (void)mlops__sha256_oneshot(selection, strlen(selection), &d);
    memcpy(out, "sel-", 4);
    mlops__hex_encode(d.bytes, 32, out + 4);
    out[4 + 64] = '\0';
}

void mlops__record_free(mlops__record *r)
{
    free(r->selection);
    free(r->roots);
    free(r->contents);
    free(r->packs);
    memset(r, 0, sizeof *r);
}

int mlops__record_encode(const mlops__record *r, void **out, size_t *len)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int rc = msgpack_pack_map(&pk, r->npacks ? 6 : 5);
    rc |= mlops__mp_str(&pk, "format");
    rc |= mlops__mp_str(&pk, RECORD_FORMAT);
    rc |= mlops__mp_str(&pk, "version");
    rc |= msgpack_pack_uint64(&pk, r->npacks ? 2 : 1);
    rc |= mlops__mp_str(&pk, "selection");
    rc |= mlops__mp_str(&pk, r->selection);
    rc |= mlops__mp_str(&pk, "roots");
    rc |= msgpack_pack_array(&pk, r->nroots);
    for (size_t i = 0; i < r->nroots && !rc; i++) {
        rc |= msgpack_pack_bin(&pk, 32);
        rc |= msgpack_pack_bin_body(&pk, r->roots[i].bytes, 32);
    }
    rc |= mlops__mp_str(&pk, "contents");
    rc |= msgpack_pack_array(&pk, r->ncontents);
    for (size_t i = 0; i < r->ncontents && !rc; i++) {
        const mlops__rcontent *c = &r->contents[i];
        rc |= msgpack_pack_array(&pk, 4);
        rc |= msgpack_pack_bin(&pk, 32);
        rc |= msgpack_pack_bin_body(&pk, c->digest.bytes, 32);
        rc |= msgpack_pack_uint64(&pk, (uint64_t)c->kind);
        rc |= msgpack_pack_uint64(&pk, c->size);
        if (c->has_manifest) {
            rc |= msgpack_pack_bin(&pk, 32);
            rc |= msgpack_pack_bin_body(&pk, c->manifest.bytes, 32);
        } else {
            rc |= msgpack_pack_nil(&pk);
        }
    }
    if (r->npacks) {
        rc |= mlops__mp_str(&pk, "packs");
        rc |= msgpack_pack_array(&pk, r->npacks);
        for (size_t i = 0; i < r->npacks && !rc; i++) {
            rc |= msgpack_pack_bin(&pk, 32);
            rc |= msgpack_pack_bin_body(&pk, r->packs[i].bytes, 32);
        }
    }
    if (rc) {
        msgpack_sbuffer_destroy(&sb);
        return mlops__err_nomem("encoding a remote record");
    }
    *out = sb.data;
    *len = sb.size;
    return MLOPS_OK;
}

static int bad(const char *fn, const char *where, const char *why)
{
    return mlops__err(MLOPS_EFORMAT, "%s: remote record '%s' is not valid: %s", fn, where, why);
}

static int decode(const char *fn, const char *where, const msgpack_object *m, uint64_t version,
                  mlops__record *r)
{
    const msgpack_object *sel = mlops__mp_get(m, "selection");
    const msgpack_object *roots = mlops__mp_get(m, "roots");
    const msgpack_object *cts = mlops__mp_get(m, "contents");
    if (!sel || sel->type != MSGPACK_OBJECT_STR || !roots ||
        roots->type != MSGPACK_OBJECT_ARRAY || !cts || cts->type != MSGPACK_OBJECT_ARRAY)
        return bad(fn, where, "selection, roots or contents missing");
    r->selection = malloc(sel->via.str.size + 1);
    r->nroots = roots->via.array.size;
    r->roots = malloc(r->nroots ? r->nroots * sizeof *r->roots : 1);
    r->ncontents = cts->via.array.size;
    r->contents = calloc(r->ncontents ? r->ncontents : 1, sizeof *r->contents);
    if (!r->selection || !r->roots || !r->contents) return mlops__err_nomem(fn);
    mlops__mp_str_copy(r->selection, sel);
    for (size_t i = 0; i < r->nroots; i++)
        if (mlops__mp_bin32(&roots->via.array.ptr[i], r->roots[i].bytes))
            return bad(fn, where, "a root is not a 32-byte digest");
    for (size_t i = 0; i < r->ncontents; i++) {
        const msgpack_object *e = &cts->via.array.ptr[i];
        mlops__rcontent *c = &r->contents[i];
        if (e->type != MSGPACK_OBJECT_ARRAY || e->via.array.size != 4)
            return bad(fn, where, "a content entry is not [digest, kind, size, manifest]");
        const msgpack_object *f = e->via.array.ptr;
        if (mlops__mp_bin32(&f[0], c->digest.bytes) || f[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
            (f[1].via.u64 != MLOPS__KIND_BLOB && f[1].via.u64 != MLOPS__KIND_TREE) ||
            f[2].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
            return bad(fn, where, "a content entry is malformed");
        c->kind = (int)f[1].via.u64;
        c->size = f[2].via.u64;
        if (f[3].type != MSGPACK_OBJECT_NIL) {
            if (mlops__mp_bin32(&f[3], c->manifest.bytes) || c->kind != MLOPS__KIND_BLOB)
                return bad(fn, where, "a manifest is not a 32-byte digest of a blob's");
            c->has_manifest = 1;
        }
    }
    const msgpack_object *packs = mlops__mp_get(m, "packs");
    if (version < 2) return MLOPS_OK; /* (a key of version 1 would be unknown, so ignored) */
    if (!packs || packs->type != MSGPACK_OBJECT_ARRAY)
        return bad(fn, where, "packs missing from a version 2 record");
    r->npacks = packs->via.array.size;
    if (!(r->packs = malloc(r->npacks ? r->npacks * sizeof *r->packs : 1)))
        return mlops__err_nomem(fn);
    for (size_t i = 0; i < r->npacks; i++)
        if (mlops__mp_bin32(&packs->via.array.ptr[i], r->packs[i].bytes))
            return bad(fn, where, "a pack is not a 32-byte digest");
    return MLOPS_OK;
}

int mlops__record_decode(const char *fn, const char *where, const void *buf, size_t len,
                         mlops__record *out)
{
    memset(out, 0, sizeof *out);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    uint64_t version = 0;
    int rc = mlops__mp_open_format(fn, "remote record", RECORD_FORMAT, RECORD_VERSION, buf, len,
                                   &u, &version);
    if (!rc) rc = decode(fn, where, &u.data, version, out);
    msgpack_unpacked_destroy(&u);
    if (rc) mlops__record_free(out);
    return rc;
}
