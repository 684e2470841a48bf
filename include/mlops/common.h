/*
 * libmlops — common definitions: export macro, versions, error codes,
 * thread-local error messages, memory release and SHA-256 digests.
 *
 * Every public function returns MLOPS_OK (0) or a positive MLOPS_E* code,
 * and writes its outputs through pointer arguments placed last. When a call
 * fails, mlops_last_error() describes the failure on the calling thread.
 * Buffers the library allocates for the caller are released with
 * mlops_free(). Input pointers are borrowed for the duration of the call
 * only: whatever the library keeps, it copies.
 */
#ifndef MLOPS_COMMON_H
#define MLOPS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define MLOPS_BEGIN_DECLS extern "C" {
#define MLOPS_END_DECLS }
#else
#define MLOPS_BEGIN_DECLS
#define MLOPS_END_DECLS
#endif

#if defined(_WIN32)
#if defined(MLOPS_BUILDING)
#define MLOPS_API __declspec(dllexport)
#else
#define MLOPS_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define MLOPS_API __attribute__((visibility("default")))
#else
#define MLOPS_API
#endif

MLOPS_BEGIN_DECLS

/* ---- Versions ---------------------------------------------------------- */

#define MLOPS_VERSION_MAJOR 1
#define MLOPS_VERSION_MINOR 1
#define MLOPS_VERSION_PATCH 0
/* MAJOR*10000 + MINOR*100 + PATCH, comparable with mlops_version_number(). */
#define MLOPS_VERSION_NUMBER \
    (MLOPS_VERSION_MAJOR * 10000 + MLOPS_VERSION_MINOR * 100 + MLOPS_VERSION_PATCH)
#define MLOPS_VERSION_STRING "1.1.0"

/* The library's version as "MAJOR.MINOR.PATCH". Static storage; never fails. */
MLOPS_API const char *mlops_version(void);

/* The library's version as MAJOR*10000 + MINOR*100 + PATCH. A program built
 * against these headers can compare it with MLOPS_VERSION_NUMBER. */
MLOPS_API int mlops_version_number(void);

/* ---- Error codes --------------------------------------------------------
 * Values are explicit and never renumbered or reused; new codes are only
 * ever appended. */

#define MLOPS_OK            0  /* success */
#define MLOPS_EINVAL        1  /* invalid argument (NULL, malformed, out of range) */
#define MLOPS_ENOTFOUND     2  /* the named object, file, run, model... does not exist */
#define MLOPS_EEXIST        3  /* it already exists */
#define MLOPS_ECONFLICT     4  /* conflicts with recorded state (e.g. a param's value) */
#define MLOPS_ECORRUPT      5  /* stored data failed verification */
#define MLOPS_EIO           6  /* an operating-system I/O call failed (disk full, EACCES...) */
#define MLOPS_ENOMEM        7  /* out of memory */
#define MLOPS_EBUSY         8  /* a lock could not be taken within the busy timeout */
#define MLOPS_EFORMAT       9  /* not a libmlops store, or bytes not in the expected format */
#define MLOPS_EUNSUPPORTED 10  /* written by a newer format version, or not supported here */
#define MLOPS_EREADONLY    11  /* a write through a handle opened read-only */
#define MLOPS_EPOLICY      12  /* refused by a policy recorded in the store */
#define MLOPS_ESIGNATURE   13  /* a signature is missing or does not verify */
#define MLOPS_ITEROVER     14  /* not an error: an iterator has no more items */
#define MLOPS_EPERM        15  /* since 1.1: the database refused the connection's role */

/* A static, human-readable name for an error code ("not found", ...).
 * Unknown codes give "unknown error". Never returns NULL. */
MLOPS_API const char *mlops_strerror(int code);

/* A description of the most recent failure on the calling thread: what
 * failed, on which object, and why (for example the path and the OS error).
 * Successful calls leave it unchanged. The string is owned by the library
 * and stays valid on this thread until the next failing call on this
 * thread. Returns "" when no call on this thread has failed. */
MLOPS_API const char *mlops_last_error(void);

/* ---- Memory ------------------------------------------------------------ */

/* Releases a buffer the library allocated for the caller (documented as
 * such at each function). mlops_free(NULL) is a no-op. */
MLOPS_API void mlops_free(void *p);

/* ---- Digests -----------------------------------------------------------
 * A digest is the SHA-256 of raw (uncompressed) content, so a blob's digest
 * equals `sha256sum` of its bytes. Its text form is "sha256:" followed by
 * exactly 64 lowercase hexadecimal digits. */

/* Size of a buffer holding a digest's text form with its NUL. */
#define MLOPS_DIGEST_STRLEN 72

/* Frozen: this struct never changes. */
typedef struct mlops_digest {
    unsigned char bytes[32];
} mlops_digest;

/* Writes the text form of d into out (NUL-terminated).
 * Errors: MLOPS_EINVAL when d or out is NULL. */
MLOPS_API int mlops_digest_format(const mlops_digest *d, char out[MLOPS_DIGEST_STRLEN]);

/* Parses the text form strictly: "sha256:" and exactly 64 lowercase hex
 * digits, nothing before or after. Errors: MLOPS_EINVAL for NULL arguments
 * or any other text (out is then left unchanged). */
MLOPS_API int mlops_digest_parse(const char *text, mlops_digest *out);

/* Computes the SHA-256 digest of len bytes at data (data may be NULL when
 * len is 0). Errors: MLOPS_EINVAL for NULL arguments. */
MLOPS_API int mlops_digest_compute(const void *data, size_t len, mlops_digest *out);

/* ---- Threads -----------------------------------------------------------
 * All parallel work in the library (puts, reads, fetches, fsck, drift
 * reports) runs on one process-wide pool of worker threads. */

/* Sets the process-wide thread limit: how many threads, the calling
 * thread included, one library call may keep working at once. 0 (the
 * default) means the number of online CPUs; 1 runs everything on the
 * calling thread and starts no thread at all; N starts at most N-1
 * workers in the process. The store's and the drift report's `threads`
 * options still apply, capped by this limit. When the limit goes down,
 * the idle workers above it have ended (and been joined) when this
 * returns; busy ones end when their current task does. Idle workers end
 * after 2 s without work, and at exit(). Not counted: a chunked put
 * (above limit 1, with fsync on) starts one thread for its duration that
 * only waits for its chunk files' fsyncs and renames them, and joins it
 * before it returns. Since 1.1.
 * Errors: MLOPS_EINVAL when n is more than 256 (the limit is unchanged).
 * Threads: may be called from any thread at any time. */
MLOPS_API int mlops_set_thread_limit(unsigned n);

/* The limit last set by mlops_set_thread_limit (0 = online CPUs).
 * Since 1.1. Threads: any. */
MLOPS_API unsigned mlops_thread_limit(void);

MLOPS_END_DECLS

#endif /* MLOPS_COMMON_H */
