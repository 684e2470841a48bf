#include "util/mpack.h"
#include "util/err.h"

#include <stdint.h>
#include <string.h>

static uint64_t be(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

/* One object's header at p[0..avail): *head is the header's size, *body
 * the bytes of payload that follow it (strings, bins, exts, scalars), and
 * *children the objects nested in it (containers). 0 when the header
 * itself is cut short or the type byte is invalid. */
static int header(const unsigned char *p, size_t avail, size_t *head, uint64_t *body,
                  uint64_t *children)
{
    unsigned b = p[0];
    *head = 1;
    *body = 0;
    *children = 0;
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) return 1;
    if ((b & 0xf0) == 0x80) return *children = 2u * (b & 0x0f), 1;
    if ((b & 0xf0) == 0x90) return *children = b & 0x0f, 1;
    if ((b & 0xe0) == 0xa0) return *body = b & 0x1f, 1;
    size_t lenbytes = 0; /* size of a length or count field after the type */
    switch (b) {
    case 0xc4: case 0xd9: lenbytes = 1; break;           /* bin8, str8 */
    case 0xc5: case 0xda: case 0xdc: case 0xde: lenbytes = 2; break;
    case 0xc6: case 0xdb: case 0xdd: case 0xdf: lenbytes = 4; break;
    case 0xc7: lenbytes = 1; break;                       /* ext8 */
    case 0xc8: lenbytes = 2; break;                       /* ext16 */
    case 0xc9: lenbytes = 4; break;                       /* ext32 */
    case 0xcc: case 0xd0: return *body = 1, 1;
    case 0xcd: case 0xd1: return *body = 2, 1;
    case 0xca: case 0xce: case 0xd2: return *body = 4, 1;
    case 0xcb: case 0xcf: case 0xd3: return *body = 8, 1;
    case 0xd4: return *body = 2, 1; /* fixext: type byte + data */
    case 0xd5: return *body = 3, 1;
    case 0xd6: return *body = 5, 1;
    case 0xd7: return *body = 9, 1;
    case 0xd8: return *body = 17, 1;
    default: return 0; /* 0xc1: never used */
    }
    if (avail < 1 + lenbytes) return 0;
    uint64_t n = be(p + 1, lenbytes);
    *head = 1 + lenbytes;
    if (b == 0xdc || b == 0xdd) *children = n;
    else if (b == 0xde || b == 0xdf) *children = 2 * n;
    else if (b >= 0xc7 && b <= 0xc9) *body = n + 1; /* ext: type byte + data */
    else *body = n;
    return 1;
}

int mlops__mp_well_formed(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    size_t pos = 0;
    uint64_t pending = 1; /* objects still to read; never more than len */
    /* Objects still to read in each open container, the outermost first;
     * msgpack-c gives up deeper than its fixed stack (and says "out of
     * memory" then), so nesting is bounded here, well above our formats'. */
    uint64_t open[MLOPS__MP_MAX_DEPTH + 1];
    size_t depth = 0;
    open[0] = 1;
    while (pending > 0) {
        while (open[depth] == 0) depth--; /* depth 0 holds the pending root */
        if (pos >= len) return 0;
        size_t head;
        uint64_t body, children;
        if (!header(p + pos, len - pos, &head, &body, &children)) return 0;
        pending--;
        open[depth]--;
        size_t left = len - pos - head; /* head <= len - pos: checked in header() */
        if (body > left) return 0;
        pos += head + (size_t)body;
        /* Every object still to read takes at least one byte. */
        if (pending > len - pos || children > len - pos - pending) return 0;
        if (children) {
            if (depth == MLOPS__MP_MAX_DEPTH) return 0;
            open[++depth] = children;
            pending += children;
        }
    }
    return pos == len;
}

int mlops__mp_int64(const msgpack_object *o, int64_t *out)
{
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= (uint64_t)INT64_MAX) {
        *out = (int64_t)o->via.u64;
        return 0;
    }
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = o->via.i64;
        return 0;
    }
    return -1;
}

char *mlops__mp_str_copy(char *dst, const msgpack_object *o)
{
    uint32_t n = o->type == MSGPACK_OBJECT_BIN ? o->via.bin.size : o->via.str.size;
    const char *src = o->type == MSGPACK_OBJECT_BIN ? o->via.bin.ptr : o->via.str.ptr;
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
    return dst;
}

int mlops__mp_unpack(const void *buf, size_t len, msgpack_unpacked *u)
{
    if (!buf || !mlops__mp_well_formed(buf, len)) return MLOPS__MP_MALFORMED;
    size_t off = 0;
    msgpack_unpack_return r = msgpack_unpack_next(u, buf, len, &off);
    if (r == MSGPACK_UNPACK_NOMEM_ERROR) return MLOPS__MP_NOMEM;
    if (r != MSGPACK_UNPACK_SUCCESS || off != len) return MLOPS__MP_MALFORMED;
    return MLOPS__MP_OK;
}

int mlops__mp_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    int rc = msgpack_pack_str(pk, n);
    return rc ? rc : msgpack_pack_str_body(pk, s, n);
}

const msgpack_object *mlops__mp_get(const msgpack_object *o, const char *key)
{
    if (!o || o->type != MSGPACK_OBJECT_MAP) return NULL;
    size_t klen = strlen(key);
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object_kv *kv = &o->via.map.ptr[i];
        if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == klen &&
            memcmp(kv->key.via.str.ptr, key, klen) == 0)
            return &kv->val;
    }
    return NULL;
}

int mlops__mp_uint(const msgpack_object *map, const char *key, uint64_t *out)
{
    const msgpack_object *v = mlops__mp_get(map, key);
    if (!v || v->type != MSGPACK_OBJECT_POSITIVE_INTEGER) return -1;
    *out = v->via.u64;
    return 0;
}

int mlops__mp_bin32(const msgpack_object *o, unsigned char out[32])
{
    if (!o || o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != 32) return -1;
    memcpy(out, o->via.bin.ptr, 32);
    return 0;
}

int mlops__mp_str_eq(const msgpack_object *o, const char *s)
{
    size_t n = strlen(s);
    return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
           memcmp(o->via.str.ptr, s, n) == 0;
}

int mlops__mp_double(const msgpack_object *o, double *out)
{
    if (o->type != MSGPACK_OBJECT_FLOAT64 && o->type != MSGPACK_OBJECT_FLOAT32) return -1;
    *out = o->via.f64;
    return 0;
}

int mlops__mp_open_format(const char *fn, const char *what, const char *name, int max_version,
                          const void *buf, size_t len, msgpack_unpacked *u, uint64_t *version)
{
    int ur = mlops__mp_unpack(buf, len, u);
    if (ur == MLOPS__MP_NOMEM) return mlops__err_nomem(fn);
    if (ur != MLOPS__MP_OK || u->data.type != MSGPACK_OBJECT_MAP)
        return mlops__err(MLOPS_EFORMAT, "%s: not a valid %s: not one msgpack map", fn, what);
    const msgpack_object *m = &u->data;
    if (!mlops__mp_str_eq(mlops__mp_get(m, "format"), name))
        return mlops__err(MLOPS_EFORMAT, "%s: not a valid %s: no \"format\": \"%s\"", fn, what, name);
    if (mlops__mp_uint(m, "version", version) || *version == 0)
        return mlops__err(MLOPS_EFORMAT, "%s: not a valid %s: version", fn, what);
    if (*version > (uint64_t)max_version)
        return mlops__err(MLOPS_EUNSUPPORTED, "%s: %s format version %llu is newer than this library's (%d)",
                          fn, what, (unsigned long long)*version, max_version);
    return MLOPS_OK;
}
