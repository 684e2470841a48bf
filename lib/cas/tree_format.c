#include "cas/tree_format.h"
#include "util/err.h"
#include "util/mpack.h"

#include <stdlib.h>
#include <string.h>

static const char tree_format[] = "mlops.tree";
static const char *const type_names[] = {NULL, "file", "dir", "symlink"};

int mlops__tree_name_ok(const char *name, size_t len)
{
    if (len == 0) return 0;
    if (len == 1 && name[0] == '.') return 0;
    if (len == 2 && name[0] == '.' && name[1] == '.') return 0;
    return memchr(name, '/', len) == NULL && memchr(name, '\0', len) == NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const mlops__tree_entry *)a)->name, ((const mlops__tree_entry *)b)->name);
}

void mlops__tree_sort(mlops__tree_entry *e, size_t n)
{
    if (n > 1) qsort(e, n, sizeof *e, by_name); /* strcmp compares bytes as unsigned */
}

int mlops__tree_encode(const mlops__tree_entry *e, size_t n, void **out, size_t *len)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int rc = msgpack_pack_map(&pk, 3);
    rc |= mlops__mp_str(&pk, "format");
    rc |= mlops__mp_str(&pk, tree_format);
    rc |= mlops__mp_str(&pk, "version");
    rc |= msgpack_pack_uint64(&pk, MLOPS__TREE_VERSION);
    rc |= mlops__mp_str(&pk, "entries");
    rc |= msgpack_pack_array(&pk, n);
    for (size_t i = 0; i < n && !rc; i++) {
        rc |= msgpack_pack_map(&pk, 5);
        rc |= mlops__mp_str(&pk, "name");
        rc |= mlops__mp_str(&pk, e[i].name);
        rc |= mlops__mp_str(&pk, "type");
        rc |= mlops__mp_str(&pk, type_names[e[i].type]);
        rc |= mlops__mp_str(&pk, "mode");
        rc |= msgpack_pack_uint64(&pk, e[i].mode);
        rc |= mlops__mp_str(&pk, "size");
        rc |= msgpack_pack_uint64(&pk, e[i].size);
        rc |= mlops__mp_str(&pk, "digest");
        rc |= msgpack_pack_bin(&pk, 32);
        rc |= msgpack_pack_bin_body(&pk, e[i].digest.bytes, 32);
    }
    if (rc) {
        msgpack_sbuffer_destroy(&sb);
        return mlops__err_nomem("encoding a tree");
    }
    *out = sb.data;
    *len = sb.size;
    return MLOPS_OK;
}

void mlops__tree_entries_free(mlops__tree_entry *e, size_t n)
{
    if (!e) return;
    for (size_t i = 0; i < n; i++) free(e[i].name);
    free(e);
}

static int bad(const char *what, const char *why)
{
    return mlops__err(MLOPS_ECORRUPT, "tree %s is not valid: %s", what, why);
}

static int decode_entry(const msgpack_object *o, const char *what, mlops__tree_entry *e)
{
    const msgpack_object *name = mlops__mp_get(o, "name");
    const msgpack_object *type = mlops__mp_get(o, "type");
    uint64_t mode = 0;
    if (!name || name->type != MSGPACK_OBJECT_STR || !type ||
        mlops__mp_uint(o, "mode", &mode) || mode > 07777 || mlops__mp_uint(o, "size", &e->size) ||
        mlops__mp_bin32(mlops__mp_get(o, "digest"), e->digest.bytes))
        return bad(what, "an entry is malformed");
    e->type = 0;
    for (int t = MLOPS__ENTRY_FILE; t <= MLOPS__ENTRY_SYMLINK; t++)
        if (mlops__mp_str_eq(type, type_names[t])) e->type = t;
    if (!e->type) return bad(what, "an entry has an unknown type");
    e->mode = (uint32_t)mode;
    size_t len = name->via.str.size;
    e->name = malloc(len + 1);
    if (!e->name) return mlops__err_nomem("decoding a tree");
    mlops__mp_str_copy(e->name, name);
    if (!mlops__tree_name_ok(name->via.str.ptr, len))
        return mlops__err(MLOPS_EINVAL,
                          "tree %s has an unsafe entry name '%.*s' (empty, '.', '..', or "
                          "holding '/' or NUL)",
                          what, (int)strnlen(e->name, len), e->name);
    return MLOPS_OK;
}

static int decode_entries(const msgpack_object *arr, const char *what, mlops__tree_entry **out,
                          size_t *n)
{
    if (!arr || arr->type != MSGPACK_OBJECT_ARRAY) return bad(what, "no entry list");
    size_t count = arr->via.array.size;
    mlops__tree_entry *e = calloc(count ? count : 1, sizeof *e);
    if (!e) return mlops__err_nomem("decoding a tree");
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < count; i++) {
        rc = decode_entry(&arr->via.array.ptr[i], what, &e[i]);
        if (!rc && i && strcmp(e[i - 1].name, e[i].name) >= 0)
            rc = mlops__err(MLOPS_EINVAL,
                            "tree %s lists '%s' after '%s': names must be unique and sorted",
                            what, e[i].name, e[i - 1].name);
    }
    if (rc) {
        mlops__tree_entries_free(e, count);
        return rc;
    }
    *out = e;
    *n = count;
    return MLOPS_OK;
}

int mlops__tree_decode(const void *buf, size_t len, const char *what,
                       mlops__tree_entry **entries, size_t *n)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc;
    uint64_t version = 0;
    int ur = mlops__mp_unpack(buf, len, &u);
    if (ur == MLOPS__MP_NOMEM)
        rc = mlops__err_nomem("decoding a tree");
    else if (ur != MLOPS__MP_OK || u.data.type != MSGPACK_OBJECT_MAP)
        rc = bad(what, "not one msgpack map");
    else if (!mlops__mp_str_eq(mlops__mp_get(&u.data, "format"), tree_format))
        rc = bad(what, "not a tree");
    else if (mlops__mp_uint(&u.data, "version", &version) || version == 0)
        rc = bad(what, "no version");
    else if (version > MLOPS__TREE_VERSION)
        rc = mlops__err(MLOPS_EUNSUPPORTED,
                        "tree %s has version %llu; this library reads version %d", what,
                        (unsigned long long)version, MLOPS__TREE_VERSION);
    else
        rc = decode_entries(mlops__mp_get(&u.data, "entries"), what, entries, n);
    msgpack_unpacked_destroy(&u);
    return rc;
}
