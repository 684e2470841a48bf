/* Internal: where an S3 store's requests go and with which credentials,
 * found as the AWS SDKs find them (doc/s3.md, "Signing and settings"):
 *
 *   endpoint     AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else the
 *                store config's, else AWS (https://s3.REGION.amazonaws.com)
 *   region       AWS_REGION, else AWS_DEFAULT_REGION, else the profile's
 *                `region` in the config file, else the store config's,
 *                else us-east-1
 *   credentials  AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+
 *                AWS_SESSION_TOKEN), else the profile's keys in the
 *                credentials file, else in the config file
 *   profile      AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default"
 *   files        AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) and
 *                AWS_CONFIG_FILE (~/.aws/config); "~/" is HOME
 *   addressing   path-style (http://host/bucket/key) with a custom
 *                endpoint, virtual-host style (bucket.s3.REGION...) on AWS
 *
 * An empty variable counts as unset. Secrets (the secret key, the session
 * token) are never put in a message or written anywhere; the settings
 * that hold them are wiped when freed. */
#ifndef MLOPS_OBJECTS_S3_AWS_CONFIG_H
#define MLOPS_OBJECTS_S3_AWS_CONFIG_H

#include "objects/s3/sigv4.h"

/* Reads one environment variable: its value, or NULL when unset. The
 * string must stay valid until mlops__aws_resolve returns. */
typedef const char *(*mlops__aws_getenv_fn)(void *ctx, const char *name);

typedef struct mlops__aws_sources {
    mlops__aws_getenv_fn getenv; /* NULL: the process environment (secure_getenv) */
    void *getenv_ctx;
    const char *home;            /* folder "~" means; NULL: HOME from getenv */
    const char *store_endpoint;  /* the store config's endpoint URL, or NULL */
    const char *store_region;    /* the store config's region, or NULL */
} mlops__aws_sources;

typedef struct mlops__aws_settings {
    char *endpoint;      /* "http[s]://host[:port]", no trailing '/' */
    int https;           /* 1 when the endpoint's scheme is https */
    char *host;          /* the endpoint's host, ":port" only when not the scheme's default */
    int path_style;      /* 1: the bucket goes in the path (custom endpoint) */
    int aws;             /* 1: the endpoint is AWS's default one for region */
    char *region;
    char *profile;       /* the profile whose files were read */
    char *access_key;    /* never NULL after a successful resolve */
    char *secret_key;    /* secret: never printed */
    char *session_token; /* secret, NULL without one */
    /* Where each came from, for messages ("AWS_ENDPOINT_URL_S3", "the store
     * config", "the credentials file", ...): static strings. */
    const char *endpoint_from, *region_from, *credentials_from;
} mlops__aws_settings;

/* Resolves everything above into *out (zeroed first; free it with
 * mlops__aws_settings_free). src may be NULL (process environment, no
 * store config). Errors, the message starting with fn:
 * - MLOPS_ENOTFOUND: no credentials anywhere ("no S3 credentials: set
 *   AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE"), or
 *   AWS_PROFILE names a profile neither file has;
 * - MLOPS_EINVAL: a malformed endpoint URL or region (naming the variable
 *   or file it came from), half a key pair (AWS_ACCESS_KEY_ID without
 *   AWS_SECRET_ACCESS_KEY, or a profile with only one of its two keys), an
 *   access key with characters a credential cannot hold;
 * - MLOPS_EUNSUPPORTED: the profile gets its credentials another way
 *   (role_arn, sso_*, credential_process, web_identity_token_file);
 * - MLOPS_EIO: a file that exists but cannot be read, MLOPS_ENOMEM.
 * On failure out holds nothing. */
int mlops__aws_resolve(const char *fn, const mlops__aws_sources *src, mlops__aws_settings *out);
/* Wipes the secrets, frees every string, zeroes s (NULL is fine). */
void mlops__aws_settings_free(mlops__aws_settings *s);
/* The signer's credentials, pointing into s (valid while s is). */
void mlops__aws_sigv4_creds(const mlops__aws_settings *s, mlops__sigv4_creds *out);

/* Parses an endpoint URL "http[s]://host[:port][/]" (scheme and host
 * case-insensitive, host lower-cased, a default port dropped, IPv6 in
 * brackets). No user info, path, query or fragment. `from` names where
 * the URL came from in the message. MLOPS_EINVAL or MLOPS_ENOMEM. */
int mlops__aws_endpoint_parse(const char *fn, const char *from, const char *url, int *https,
                              char **host);

/* ---- s3://bucket/prefix and the request target ---- */

typedef struct mlops__s3_location {
    char *bucket;
    char *prefix; /* "" or "a/b": no leading or trailing '/' */
} mlops__s3_location;

/* Parses "s3://bucket[/prefix]" (scheme case-insensitive). The bucket must
 * be a valid S3 bucket name (mlops__s3_check_bucket); the prefix loses its
 * leading and trailing '/', must be valid UTF-8 of at most 512 bytes, and
 * holds no empty, "." or ".." segment, no control character, '?' or '#'.
 * MLOPS_EINVAL naming what is wrong, or MLOPS_ENOMEM. */
int mlops__s3_location_parse(const char *fn, const char *url, mlops__s3_location *out);
void mlops__s3_location_free(mlops__s3_location *loc);

/* S3's rules for a general purpose bucket name: 3..63 bytes of a-z, 0-9,
 * '.' and '-', starting and ending with a letter or digit, no "..", not an
 * IPv4 address, not the reserved prefixes ("xn--", "sthree-",
 * "amzn-s3-demo-") and suffixes ("-s3alias", "--ol-s3", ".mrap",
 * "--x-s3", "--table-s3"). MLOPS_EINVAL naming the rule. */
int mlops__s3_check_bucket(const char *fn, const char *bucket);

typedef struct mlops__s3_target {
    char *base_url; /* "http[s]://HOST": the URL is base_url + encoded path [+ "?" + query] */
    char *host;     /* the Host header value to send and sign */
    char *path;     /* the raw path to sign: "/bucket/key" or "/key" */
} mlops__s3_target;

/* Where a request about key (NULL or "" for the bucket itself, as
 * ListObjectsV2 needs) in bucket goes: path-style on a custom endpoint
 * ("/bucket/key" on the endpoint's host), virtual-host style on AWS
 * ("/key" on "bucket.s3.REGION.amazonaws.com"), except a bucket with a '.'
 * over https, which stays path-style (its name would not match AWS's
 * wildcard certificate). MLOPS_EINVAL (bad bucket) or MLOPS_ENOMEM. */
int mlops__s3_target_make(const char *fn, const mlops__aws_settings *s, const char *bucket,
                          const char *key, mlops__s3_target *out);
void mlops__s3_target_free(mlops__s3_target *t);

#endif
