/* Internal: a small S3 client over libcurl, for the S3 object backend.
 *
 * One client talks to one bucket (and a key prefix in it) at one
 * endpoint, and to nothing else: no redirect is followed, no proxy is
 * taken from the environment, only http and https. Requests are signed
 * with our own SigV4 signer (sigv4.h), never curl's (Debian 12's curl
 * 7.88 signs queries and payload hashes wrongly for S3: doc/s3.md).
 *
 * Threads: a client may be used by many threads at once. Each request
 * borrows a curl easy handle from the client's pool (made on demand, kept
 * after), so a handle's live connections are reused by the next request
 * that borrows it; the pool holds as many handles as requests ever ran
 * at once. The client starts no thread itself, but Debian's libcurl
 * resolves a host name (not an IP address) on a short-lived thread of
 * its own (its threaded resolver); the DNS cache of each handle keeps
 * that to one lookup per handle a minute.
 *
 * Retries: a request that fails in a way that may pass (no connection, a
 * dropped or stalled connection, HTTP 5xx, 429, S3's SlowDown or
 * RequestTimeout) is sent again after an exponential backoff with full
 * jitter, until the attempts or the time budget run out; then MLOPS_EIO
 * with a message naming the operation, the key, the endpoint, the HTTP
 * status and S3's error code. A refusal (403: AccessDenied,
 * SignatureDoesNotMatch, InvalidAccessKeyId) is MLOPS_EPERM at once. No
 * message ever holds the secret key or the session token.
 *
 * Keys given to the operations are relative to the settings' prefix: the
 * client prepends it, and the listing strips it. */
#ifndef MLOPS_OBJECTS_S3_HTTP_H
#define MLOPS_OBJECTS_S3_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "objects/s3/s3_buffers.h"

/* Where and as whom, resolved already (aws_config.h resolves them from
 * the environment and the store's config). Borrowed for the open only:
 * the client copies what it keeps. */
typedef struct mlops__s3_settings {
    const char *endpoint; /* "http://127.0.0.1:7070", "https://s3.eu-west-1.amazonaws.com"; no path */
    const char *region;   /* "us-east-1" */
    const char *bucket;
    const char *prefix;   /* "" or NULL for none, else ends with "/" (not checked: used as given) */
    int path_style;       /* 1: endpoint/bucket/key; 0: bucket.endpoint/key (virtual host) */
    const char *access_key, *secret_key;
    const char *session_token; /* NULL when none */
} mlops__s3_settings;

/* How hard to try; 0 in a field means its default. */
typedef struct mlops__s3_limits {
    unsigned max_attempts;     /* tries per request, the first included (default 8) */
    unsigned budget_ms;        /* no retry starts after this long since the first try (default 60000) */
    unsigned backoff_base_ms;  /* first backoff's cap; doubles per retry (default 100) */
    unsigned backoff_max_ms;   /* cap of any one backoff (default 5000) */
    unsigned connect_timeout_ms; /* default 10000 */
    unsigned low_speed_time_s; /* a transfer under 1 KiB/s for this long is dropped (default 30) */
    unsigned max_keys;         /* ListObjectsV2 page size, 1..1000 (default 1000) */
} mlops__s3_limits;

typedef struct mlops__s3 mlops__s3;

/* What the client did so far (for tests and figures). */
typedef struct mlops__s3_stats {
    uint64_t requests; /* HTTP requests started, retries included */
    uint64_t retries;  /* of those, the ones that repeated a failed try */
    uint64_t handles;  /* curl easy handles made */
} mlops__s3_stats;

/* Checks the settings and makes a client (no network traffic yet).
 * limits may be NULL. MLOPS_EINVAL (a missing or malformed setting,
 * named: the endpoint as mlops__aws_endpoint_parse reads it, the bucket
 * as mlops__s3_check_bucket), MLOPS_ENOMEM, MLOPS_EIO (libcurl failed to
 * initialise). */
int mlops__s3_open(const char *fn, const mlops__s3_settings *s, const mlops__s3_limits *limits,
                   mlops__s3 **out);
/* Closes every pooled handle and its connections. NULL is a no-op. No
 * request may be running. */
void mlops__s3_close(mlops__s3 *c);
void mlops__s3_stats_get(mlops__s3 *c, mlops__s3_stats *out);
/* "http://host:port/bucket/prefix" (or the virtual-host form): for
 * messages of callers. Borrowed from c. */
const char *mlops__s3_where(const mlops__s3 *c);

/* Stores len bytes under key, sent with `If-None-Match: *`, an unsigned
 * payload and its CRC-32C in a signed header (doc/s3.md, "Integrity of a
 * PUT"): MLOPS_OK once the server has them, also when key
 * was there already (412: objects are named by their content, so the
 * bytes there are the same ones). *created (may be NULL): 1 when the
 * server took these bytes, 0 when it answered that the key existed (also
 * after a retry whose first try had in fact stored them). */
int mlops__s3_put(const char *fn, mlops__s3 *c, const char *key, const void *data, size_t len,
                  int *created);

/* Stores len bytes under key, replacing what is there (no
 * If-None-Match): for the few keys that are not named by their content
 * (a remote's records). S3 makes a PUT visible whole or not at all. */
int mlops__s3_put_replace(const char *fn, mlops__s3 *c, const char *key, const void *data,
                          size_t len);

/* The whole object, in a malloc'd buffer (*data is never NULL on
 * success, even for 0 bytes; the caller frees it). MLOPS_ENOTFOUND when
 * there is no such key. */
int mlops__s3_get(const char *fn, mlops__s3 *c, const char *key, unsigned char **data,
                  size_t *len);
/* The same, in a buffer taken from buffers (s3_buffers.h), which the
 * caller gives back there. */
int mlops__s3_get_into(const char *fn, mlops__s3 *c, const char *key, mlops__s3_buffers *buffers,
                       unsigned char **data, size_t *len);
/* Bytes [offset, offset + want) of the object (fewer at its end) into
 * buf; *got says how many. A range that starts at or after the end gives
 * *got = 0. MLOPS_ENOTFOUND when there is no such key. */
int mlops__s3_get_range(const char *fn, mlops__s3 *c, const char *key, uint64_t offset,
                        void *buf, size_t want, size_t *got);

/* MLOPS_OK and the object's size (size may be NULL), or MLOPS_ENOTFOUND. */
int mlops__s3_head(const char *fn, mlops__s3 *c, const char *key, uint64_t *size);

/* Removes key; MLOPS_OK also when it was not there (S3 answers 204 both
 * ways). */
int mlops__s3_delete(const char *fn, mlops__s3 *c, const char *key);

/* Called for each key under the listed prefix, in S3's order (UTF-8
 * binary order), the client's prefix stripped, with its size and its
 * LastModified (ms since the epoch, -1 when the server gave none); a non-zero return stops
 * the listing and is returned by mlops__s3_list. */
typedef int (*mlops__s3_list_fn)(void *ctx, const char *key, uint64_t size,
                                 int64_t mtime_ms);
/* Lists every key that starts with the client's prefix followed by
 * under (NULL or "" for all), page by page (ListObjectsV2, continuation
 * tokens). MLOPS_EFORMAT when the server's answer cannot be read. */
int mlops__s3_list(const char *fn, mlops__s3 *c, const char *under, mlops__s3_list_fn cb,
                   void *ctx);

/* Creates the client's bucket (tests; setting up a store). MLOPS_OK also
 * when we own it already; MLOPS_EEXIST when another account does. */
int mlops__s3_create_bucket(const char *fn, mlops__s3 *c);

#endif
