/* Internal to the S3 client: the client's state and one signed request
 * with its retries (s3_request.c). Only s3_http.c includes this. */
#ifndef MLOPS_OBJECTS_S3_REQUEST_H
#define MLOPS_OBJECTS_S3_REQUEST_H

#include <curl/curl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "objects/s3/s3_buffers.h"
#include "objects/s3/s3_http.h"
#include "objects/s3/sigv4.h"

struct mlops__s3 {
    char *scheme;    /* "http" or "https" */
    char *host;      /* the Host header: [bucket.]host[:port] */
    char *path_base; /* "/bucket" (path style) or "" (virtual host) */
    char *endpoint, *bucket, *prefix, *region;
    char *access_key, *secret_key, *session_token;
    char *where;     /* "s3://bucket/prefix at endpoint", for messages */
    mlops__s3_limits lim;
    pthread_mutex_t mu; /* guards the handle pool */
    CURL **free_handles;
    size_t n_free, cap_free;
    mlops__s3_stats stats; /* atomics */
};

/* A growable response body. */
typedef struct mlops__s3_body {
    char *data; /* NUL-terminated when not NULL */
    size_t len, cap;
} mlops__s3_body;

typedef struct mlops__s3_req {
    /* In. */
    const char *op;     /* for messages: "PUT object" */
    const char *method; /* "GET", "PUT", "HEAD", "DELETE" */
    const char *key;    /* for messages: the caller's key */
    const char *path;   /* raw path, "/bucket/prefix/key" */
    const mlops__sigv4_pair *query;
    size_t n_query;
    const void *body; /* PUT: sent from memory */
    size_t body_len;
    int if_none_match; /* send If-None-Match: * */
    /* PUT: x-amz-content-sha256 is UNSIGNED-PAYLOAD and the body's CRC-32C
     * goes in the signed x-amz-checksum-crc32c, which the server checks
     * (doc/s3.md, "Integrity of a PUT"); else the body's real SHA-256. */
    int checksum_crc32c;
    const char *range; /* a Range header value, or NULL */
    uint64_t range_offset;
    mlops__s3_buffers *buffers; /* non-NULL: out's buffer comes from here */
    void *fixed; /* non-NULL: a 2xx body goes here, at most fixed_cap bytes */
    size_t fixed_cap;
    /* Out, from the last try. */
    long status;
    char code[64];          /* S3's error Code, "" when none */
    int64_t content_length; /* -1 when not given */
    mlops__s3_body out;     /* a 2xx body (unless fixed) */
    size_t fixed_len;
    mlops__s3_body err;     /* a non-2xx body (capped) */
    /* Private to s3_request.c. */
    size_t sent, skip;
    int attempts;
    int64_t elapsed_ms;
} mlops__s3_req;

/* curl_global_init, once per process. */
int mlops__s3_global_init(const char *fn);

/* Sends r until it gets an HTTP answer that is not worth retrying, or
 * the limits run out. MLOPS_OK with r->status set for any final HTTP
 * answer the caller judges (2xx, 404, 412, 416, 409...), except 403,
 * which is MLOPS_EPERM here; MLOPS_EIO after the last retry (named), or
 * at once for a transport failure that cannot pass (a bad certificate);
 * MLOPS_ENOMEM. */
int mlops__s3_perform(const char *fn, mlops__s3 *c, mlops__s3_req *r);

/* Sets the message for r's final HTTP answer and returns code. */
int mlops__s3_fail(const char *fn, mlops__s3 *c, const mlops__s3_req *r, int code);

/* The code of an answer that is not a 2xx: MLOPS_ENOTFOUND for a 404
 * about the key, MLOPS_EIO for anything else, a missing bucket included
 * (a setting to fix, not an object that is absent: callers take
 * MLOPS_ENOTFOUND for "no such object"). */
int mlops__s3_failure_code(const mlops__s3_req *r);

/* MLOPS_OK for a 2xx; else as mlops__s3_fail with
 * mlops__s3_failure_code (a missing key or bucket named as such). */
int mlops__s3_expect_found(const char *fn, mlops__s3 *c, const mlops__s3_req *r);

void mlops__s3_req_free(mlops__s3_req *r);

#endif
