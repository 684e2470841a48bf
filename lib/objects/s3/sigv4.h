/* Internal: AWS Signature Version 4 for S3 requests (the Authorization
 * header form), over libcrypto's HMAC-SHA256. The rules S3 holds to, and
 * the requests tests/s3/sigv4_golden.json records from botocore, are in
 * doc/s3.md ("Signing and settings"):
 * - the path is URI-encoded once, each byte outside RFC 3986's unreserved
 *   set (A-Z a-z 0-9 - . _ ~) as %XX, '/' kept; it is never normalised
 *   ("a//b/./c" is signed as it is, as S3 wants);
 * - query names and values are encoded the same way ('/' too) and sorted by
 *   name, then value; an empty value is written "name=";
 * - the signed headers are host, x-amz-content-sha256, x-amz-date,
 *   x-amz-security-token (with a session token) and the caller's extra
 *   ones, names lowercased, values trimmed with inner runs of blanks made
 *   one space, sorted by name;
 * - the credential scope is DATE/REGION/SERVICE/aws4_request.
 * Nothing here keeps or prints a secret: messages name the field at fault,
 * never its value, and the buffers that held the secret, the derived keys
 * or the session token are wiped before they are freed. */
#ifndef MLOPS_OBJECTS_S3_SIGV4_H
#define MLOPS_OBJECTS_S3_SIGV4_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *access_key, *secret_key, *session_token; /* token may be NULL */
    const char *region;          /* e.g. "us-east-1" */
    const char *service;         /* "s3" */
} mlops__sigv4_creds;

typedef struct { const char *name, *value; } mlops__sigv4_pair;

typedef struct {
    const char *method;          /* "GET", "PUT", "HEAD", "DELETE", "POST" */
    const char *host;            /* Host header value, with :port when not default */
    const char *path;            /* raw path, not yet encoded, starting with "/" */
    const mlops__sigv4_pair *query; size_t n_query;     /* raw, any order */
    const mlops__sigv4_pair *headers; size_t n_headers; /* extra headers to sign */
    const char *payload_sha256_hex; /* 64 hex chars, or "UNSIGNED-PAYLOAD" */
    int64_t time_ms;             /* request time (x-amz-date) */
} mlops__sigv4_request;

typedef struct {
    char amz_date[17];           /* "20261203T160000Z" */
    char authorization[1024];    /* the Authorization header value */
    char *canonical_query;       /* sorted and encoded query, malloc'd; caller frees */
    char *canonical_path;        /* encoded path, malloc'd; caller frees */
} mlops__sigv4_signed;

/* Signs; the caller sends Host, x-amz-date, x-amz-content-sha256,
 * x-amz-security-token (when set), the signed extra headers, and the
 * canonical path and query exactly as returned. MLOPS_OK or EINVAL/ENOMEM
 * with the message set via fn.
 *
 * Refused with MLOPS_EINVAL: a NULL or empty field (a query value may be
 * NULL, meaning ""), a method that is not upper-case letters, a path not
 * starting with '/', a host holding a blank or control character, a header
 * value or session token holding a control character (CR and LF above
 * all: no header can be smuggled in) or a non-ASCII byte, a header name that
 * is not an HTTP token, an extra header that the signer sets itself (host,
 * x-amz-*-named ones above, authorization) or that S3 clients leave
 * unsigned (expect, user-agent, x-amzn-trace-id), the same header twice, a
 * payload hash that is not 64 lowercase hex digits nor "UNSIGNED-PAYLOAD",
 * a region or service with characters outside [A-Za-z0-9_-], a time
 * before 1970 or after 9999, and an Authorization value longer than
 * the 1023 bytes out has room for. On failure out holds no allocation.
 * Thread-safe (no shared state). */
int mlops__sigv4_sign(const char *fn, const mlops__sigv4_creds *cr,
                      const mlops__sigv4_request *rq, mlops__sigv4_signed *out);
/* Frees the two strings and zeroes out (NULL or a zeroed struct is fine). */
void mlops__sigv4_signed_clear(mlops__sigv4_signed *out);

/* The canonical request mlops__sigv4_sign hashes and signs for the same
 * inputs, malloc'd into *out, for the golden tests and for a message that
 * shows why a server refused a signature. It holds the session token when
 * there is one: wipe it (OPENSSL_cleanse) before freeing, and never log it
 * whole. Same checks and codes as mlops__sigv4_sign. */
int mlops__sigv4_canonical_request(const char *fn, const mlops__sigv4_creds *cr,
                                   const mlops__sigv4_request *rq, char **out);

#endif
