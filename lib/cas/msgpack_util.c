#include "cas/msgpack_util.h"

#include <string.h>

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
