/* Internal: small helpers over msgpack-c for our canonical formats
 * (manifests, trees): packing into a growable buffer and reading maps by
 * key with type checks. */
#ifndef MLOPS_CAS_MSGPACK_UTIL_H
#define MLOPS_CAS_MSGPACK_UTIL_H

#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

/* Packs a string given as a C string. */
int mlops__mp_str(msgpack_packer *pk, const char *s);

/* The value for key in map o (an object of type MAP), or NULL. */
const msgpack_object *mlops__mp_get(const msgpack_object *o, const char *key);

/* Typed reads: 0 on success, -1 when absent or of another type. */
int mlops__mp_uint(const msgpack_object *map, const char *key, uint64_t *out);
int mlops__mp_bin32(const msgpack_object *o, unsigned char out[32]);
int mlops__mp_str_eq(const msgpack_object *o, const char *s);

#endif
