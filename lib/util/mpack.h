/* Internal: reading untrusted msgpack safely. msgpack-c allocates the
 * element arrays of a container as soon as it reads the container's
 * header, trusting the count written there: five bytes claiming 2^32
 * elements make it ask for 96 GiB. Every decoder of stored or received
 * msgpack (chunk and tree manifests, profiles...) goes through
 * mlops__mp_unpack, which first walks the bytes and refuses counts and
 * lengths that the buffer cannot hold, so that what msgpack-c allocates
 * stays proportional to the input's size. */
#ifndef MLOPS_UTIL_MPACK_H
#define MLOPS_UTIL_MPACK_H

#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest nesting accepted (our formats use 4 levels; msgpack-c stops at
 * 32). */
#define MLOPS__MP_MAX_DEPTH 16

#define MLOPS__MP_OK 0
#define MLOPS__MP_MALFORMED 1 /* not exactly one well-formed object */
#define MLOPS__MP_NOMEM 2

/* Checks that buf[0..len) is exactly one msgpack object whose every
 * length and element count fits in the bytes that follow it and whose
 * nesting is at most MLOPS__MP_MAX_DEPTH deep, then unpacks
 * it into u (initialised by the caller with msgpack_unpacked_init, and
 * destroyed by the caller in every case). Returns MLOPS__MP_*; sets no
 * error message (the caller names the object). */
int mlops__mp_unpack(const void *buf, size_t len, msgpack_unpacked *u);

/* Copies the bytes of string (or bin) object o to dst, which has room for
 * them and a NUL, and terminates it. msgpack-c gives an empty string a
 * NULL pointer, which memcpy must never see. Returns dst. */
char *mlops__mp_str_copy(char *dst, const msgpack_object *o);

/* An integer object (positive or negative) that fits in int64_t: 0 and
 * *out set, else -1. */
int mlops__mp_int64(const msgpack_object *o, int64_t *out);

/* The structural check alone: 1 when buf[0..len) is exactly one object
 * whose lengths and counts fit, else 0. */
int mlops__mp_well_formed(const void *buf, size_t len);

/* ---- reading and writing our canonical formats (manifests, trees,
 * profiles, schemas) ---- */

/* Packs a string given as a C string. */
int mlops__mp_str(msgpack_packer *pk, const char *s);

/* The value for key in map o (an object of type MAP), or NULL. */
const msgpack_object *mlops__mp_get(const msgpack_object *o, const char *key);

/* Typed reads: 0 on success, -1 when absent or of another type. */
int mlops__mp_uint(const msgpack_object *map, const char *key, uint64_t *out);
int mlops__mp_bin32(const msgpack_object *o, unsigned char out[32]);
int mlops__mp_str_eq(const msgpack_object *o, const char *s);
/* A float64 or float32 object: 0 and *out set, else -1. */
int mlops__mp_double(const msgpack_object *o, double *out);

/* Opens a stored object of a versioned format: unpacks buf[0..len) into u
 * (initialised and destroyed by the caller), which must be one map with
 * "format": name and "version": 1..max_version (set in *version). Errors
 * start with fn and call the object `what` ("profile"): MLOPS_EFORMAT,
 * MLOPS_EUNSUPPORTED for a newer version, MLOPS_ENOMEM. */
int mlops__mp_open_format(const char *fn, const char *what, const char *name, int max_version,
                          const void *buf, size_t len, msgpack_unpacked *u, uint64_t *version);

#endif
