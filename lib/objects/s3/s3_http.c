/* The S3 client (s3_http.h): settings, the pool of curl handles, and the
 * operations; one request with its retries is in s3_request.c. */
#include "objects/s3/s3_http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objects/s3/aws_config.h"
#include "objects/s3/s3_request.h"
#include "objects/s3/s3_xml.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/str.h"

/* S3's longest key, in bytes. */
#define S3_KEY_MAX 1024

static void apply_default(unsigned *v, unsigned def)
{
    if (*v == 0) *v = def;
}

/* Fills c->scheme, c->host (the Host header: the endpoint's host, its
 * port unless the scheme's default, the bucket in front for virtual-host
 * style, unless a dotted bucket over https) and c->path_base, through the settings resolver's own parser, so
 * that both read an endpoint the same way. */
static int parse_endpoint(const char *fn, mlops__s3 *c, const mlops__s3_settings *s)
{
    int https = 0;
    char *host = NULL;
    int rc = mlops__aws_endpoint_parse(fn, "the S3 settings", s->endpoint, &https, &host);
    if (rc != MLOPS_OK) return rc;
    /* A dotted bucket under https would not match *.s3.REGION.amazonaws.com:
     * it stays path-style (as mlops__s3_target_make, doc/s3.md). */
    int path_style = s->path_style || (https && strchr(s->bucket, '.'));
    c->scheme = mlops__strdup(https ? "https" : "http");
    c->host = path_style ? host : mlops__strcat3(s->bucket, ".", host);
    if (!path_style) free(host);
    c->path_base = path_style ? mlops__strcat3("/", s->bucket, NULL) : mlops__strdup("");
    if (!c->scheme || !c->host || !c->path_base) return mlops__err_nomem("an S3 endpoint");
    return MLOPS_OK;
}

int mlops__s3_open(const char *fn, const mlops__s3_settings *s, const mlops__s3_limits *limits,
                   mlops__s3 **out)
{
    *out = NULL;
    const char *missing = !s->endpoint ? "endpoint"
                          : !s->region ? "region"
                          : !s->bucket ? "bucket"
                          : !s->access_key ? "access key"
                          : !s->secret_key ? "secret key"
                                           : NULL;
    if (missing) return mlops__err(MLOPS_EINVAL, "%s: no S3 %s is set", fn, missing);
    int rc = mlops__s3_check_bucket(fn, s->bucket);
    if (rc != MLOPS_OK) return rc;
    const char *prefix = s->prefix ? s->prefix : "";
    if (strlen(prefix) >= S3_KEY_MAX || !mlops__utf8_valid(prefix, strlen(prefix)))
        return mlops__err(MLOPS_EINVAL, "%s: the S3 key prefix is too long or not UTF-8", fn);
    rc = mlops__s3_global_init(fn);
    if (rc != MLOPS_OK) return rc;
    mlops__s3 *c = calloc(1, sizeof *c);
    if (!c) return mlops__err_nomem("an S3 client");
    pthread_mutex_init(&c->mu, NULL);
    if (limits) c->lim = *limits;
    apply_default(&c->lim.max_attempts, 8);
    apply_default(&c->lim.budget_ms, 60000);
    apply_default(&c->lim.backoff_base_ms, 100);
    apply_default(&c->lim.backoff_max_ms, 5000);
    apply_default(&c->lim.connect_timeout_ms, 10000);
    apply_default(&c->lim.low_speed_time_s, 30);
    apply_default(&c->lim.max_keys, 1000);
    if (c->lim.max_keys > 1000) c->lim.max_keys = 1000;
    rc = parse_endpoint(fn, c, s);
    if (rc != MLOPS_OK) goto fail;
    c->endpoint = mlops__strdup(s->endpoint);
    c->bucket = mlops__strdup(s->bucket);
    c->prefix = mlops__strdup(prefix);
    c->region = mlops__strdup(s->region);
    c->access_key = mlops__strdup(s->access_key);
    c->secret_key = mlops__strdup(s->secret_key);
    c->session_token = s->session_token ? mlops__strdup(s->session_token) : NULL;
    mlops__buf w = MLOPS__BUF_INIT;
    mlops__buf_addf(&w, "s3://%s/%s at %s", s->bucket, prefix, s->endpoint);
    rc = mlops__buf_take(&w, &c->where, "an S3 client");
    if (rc != MLOPS_OK) goto fail;
    if (!c->endpoint || !c->bucket || !c->prefix || !c->region || !c->access_key ||
        !c->secret_key || (s->session_token && !c->session_token)) {
        rc = mlops__err_nomem("an S3 client");
        goto fail;
    }
    *out = c;
    return MLOPS_OK;
fail:
    mlops__s3_close(c);
    return rc;
}

/* Overwrites a secret before its memory goes back to the allocator. */
static void free_secret(char *s)
{
    if (!s) return;
    volatile char *v = s;
    while (*v) *v++ = '\0';
    free(s);
}

void mlops__s3_close(mlops__s3 *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n_free; i++) curl_easy_cleanup(c->free_handles[i]);
    free(c->free_handles);
    pthread_mutex_destroy(&c->mu);
    free(c->scheme);
    free(c->host);
    free(c->path_base);
    free(c->endpoint);
    free(c->bucket);
    free(c->prefix);
    free(c->region);
    free(c->access_key);
    free_secret(c->secret_key);
    free_secret(c->session_token);
    free(c->where);
    free(c);
}

void mlops__s3_stats_get(mlops__s3 *c, mlops__s3_stats *out)
{
    out->requests = __atomic_load_n(&c->stats.requests, __ATOMIC_RELAXED);
    out->retries = __atomic_load_n(&c->stats.retries, __ATOMIC_RELAXED);
    out->handles = __atomic_load_n(&c->stats.handles, __ATOMIC_RELAXED);
}

const char *mlops__s3_where(const mlops__s3 *c)
{
    return c->where;
}

/* "<path_base>/<prefix><key>", malloc'd, after checking key. */
static int object_path(const char *fn, mlops__s3 *c, const char *key, char **out)
{
    *out = NULL;
    size_t pl = strlen(c->prefix);
    int rc = mlops__check_name(fn, "S3 key", key, S3_KEY_MAX - pl);
    if (rc != MLOPS_OK) return rc;
    mlops__buf b = MLOPS__BUF_INIT;
    mlops__buf_addf(&b, "%s/%s%s", c->path_base, c->prefix, key);
    return mlops__buf_take(&b, out, "an S3 request");
}

/* Sends r (its op, method and body set by the caller) about key: r's key
 * and path are filled here, the path owned by r until object_done. */
static int object_send(const char *fn, mlops__s3 *c, const char *key, mlops__s3_req *r)
{
    char *path;
    int rc = object_path(fn, c, key, &path);
    if (rc != MLOPS_OK) return rc;
    r->key = key;
    r->path = path;
    return mlops__s3_perform(fn, c, r);
}

static void object_done(mlops__s3_req *r)
{
    mlops__s3_req_free(r);
    free((char *)r->path);
}

int mlops__s3_put(const char *fn, mlops__s3 *c, const char *key, const void *data, size_t len,
                  int *created)
{
    if (created) *created = 0;
    mlops__s3_req r = {0};
    r.op = "PUT object";
    r.method = "PUT";
    r.body = data;
    r.body_len = len;
    r.if_none_match = 1;
    r.checksum_crc32c = 1;
    int rc = object_send(fn, c, key, &r);
    if (rc == MLOPS_OK && r.status != 412) rc = mlops__s3_expect_found(fn, c, &r);
    if (rc == MLOPS_OK && created) *created = r.status != 412;
    object_done(&r);
    return rc;
}

int mlops__s3_put_replace(const char *fn, mlops__s3 *c, const char *key, const void *data,
                          size_t len)
{
    mlops__s3_req r = {0};
    r.op = "PUT object";
    r.method = "PUT";
    r.body = data;
    r.body_len = len;
    int rc = object_send(fn, c, key, &r);
    if (rc == MLOPS_OK) rc = mlops__s3_expect_found(fn, c, &r);
    object_done(&r);
    return rc;
}

int mlops__s3_get(const char *fn, mlops__s3 *c, const char *key, unsigned char **data,
                  size_t *len)
{
    return mlops__s3_get_into(fn, c, key, NULL, data, len);
}

int mlops__s3_get_into(const char *fn, mlops__s3 *c, const char *key, mlops__s3_buffers *buffers,
                       unsigned char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    mlops__s3_req r = {0};
    r.op = "GET object";
    r.method = "GET";
    r.buffers = buffers;
    int rc = object_send(fn, c, key, &r);
    if (rc == MLOPS_OK) rc = mlops__s3_expect_found(fn, c, &r);
    if (rc == MLOPS_OK) {
        /* An empty object still gets a buffer the caller can give back. */
        if (!r.out.data && !(r.out.data = mlops__s3_buffer_take(buffers, 0)))
            rc = mlops__err_nomem("an S3 object");
        else {
            *data = (unsigned char *)r.out.data;
            *len = r.out.len;
            r.out.data = NULL;
        }
    }
    object_done(&r);
    return rc;
}

int mlops__s3_get_range(const char *fn, mlops__s3 *c, const char *key, uint64_t offset,
                        void *buf, size_t want, size_t *got)
{
    *got = 0;
    if (want == 0) { /* nothing to read; the key is still checked */
        char *path;
        int rc = object_path(fn, c, key, &path);
        free(path);
        return rc;
    }
    char range[64];
    snprintf(range, sizeof range, "bytes=%llu-%llu", (unsigned long long)offset,
             (unsigned long long)(offset + want - 1));
    mlops__s3_req r = {0};
    r.op = "GET object range";
    r.method = "GET";
    r.range = range;
    r.range_offset = offset;
    r.fixed = buf;
    r.fixed_cap = want;
    int rc = object_send(fn, c, key, &r);
    if (rc == MLOPS_OK && r.status == 416) {
        /* The range starts at or after the end: nothing to read. */
        *got = 0;
    } else {
        if (rc == MLOPS_OK) rc = mlops__s3_expect_found(fn, c, &r);
        if (rc == MLOPS_OK) *got = r.fixed_len;
    }
    object_done(&r);
    return rc;
}

int mlops__s3_head(const char *fn, mlops__s3 *c, const char *key, uint64_t *size)
{
    mlops__s3_req r = {0};
    r.op = "HEAD object";
    r.method = "HEAD";
    int rc = object_send(fn, c, key, &r);
    if (rc == MLOPS_OK) rc = mlops__s3_expect_found(fn, c, &r);
    if (rc == MLOPS_OK && size) {
        if (r.content_length < 0)
            rc = mlops__err(MLOPS_EFORMAT, "%s: S3 HEAD object '%s' (%s): no Content-Length", fn,
                            key, c->where);
        else
            *size = (uint64_t)r.content_length;
    }
    object_done(&r);
    return rc;
}

int mlops__s3_delete(const char *fn, mlops__s3 *c, const char *key)
{
    mlops__s3_req r = {0};
    r.op = "DELETE object";
    r.method = "DELETE";
    int rc = object_send(fn, c, key, &r);
    if (rc == MLOPS_OK && (r.status < 200 || r.status > 299))
        rc = mlops__s3_fail(fn, c, &r, mlops__s3_failure_code(&r));
    object_done(&r);
    return rc;
}

/* One ListObjectsV2 page after token (NULL for the first). */
static int list_page(const char *fn, mlops__s3 *c, const char *prefix, const char *token,
                     mlops__s3_list_page *page)
{
    char max_keys[16];
    snprintf(max_keys, sizeof max_keys, "%u", c->lim.max_keys);
    mlops__sigv4_pair q[4] = {
        {"list-type", "2"}, {"max-keys", max_keys}, {"prefix", prefix}, {"continuation-token", token}};
    mlops__s3_req r = {0};
    r.op = "ListObjectsV2";
    r.method = "GET";
    r.key = prefix;
    r.path = c->path_base[0] ? c->path_base : "/";
    r.query = q;
    r.n_query = token ? 4 : 3;
    int rc = mlops__s3_perform(fn, c, &r);
    if (rc == MLOPS_OK && (r.status < 200 || r.status > 299))
        rc = mlops__s3_fail(fn, c, &r, mlops__s3_failure_code(&r));
    if (rc == MLOPS_OK)
        rc = mlops__s3_parse_list(fn, c->where, r.out.data ? r.out.data : "", r.out.len, page);
    mlops__s3_req_free(&r);
    return rc;
}

int mlops__s3_list(const char *fn, mlops__s3 *c, const char *under, mlops__s3_list_fn cb,
                   void *ctx)
{
    char *prefix = mlops__strcat3(c->prefix, under ? under : "", NULL);
    if (!prefix) return mlops__err_nomem("an S3 listing");
    size_t pl = strlen(c->prefix);
    char *token = NULL;
    int rc;
    for (;;) {
        mlops__s3_list_page page = { 0 }; /* untouched when the request fails */
        rc = list_page(fn, c, prefix, token, &page);
        for (size_t i = 0; rc == MLOPS_OK && i < page.n; i++) {
            const char *k = page.entries[i].key;
            if (strncmp(k, prefix, strlen(prefix)) != 0)
                rc = mlops__err(MLOPS_EFORMAT, "%s: S3 ListObjectsV2 (%s) returned key '%s' outside "
                                "the prefix asked for", fn, c->where, k);
            else
                rc = cb(ctx, k + pl, page.entries[i].size, page.entries[i].mtime_ms);
        }
        int more = rc == MLOPS_OK && page.truncated;
        if (more && (!page.next_token || (token && strcmp(token, page.next_token) == 0)))
            rc = mlops__err(MLOPS_EFORMAT, "%s: S3 ListObjectsV2 (%s) is truncated but gives no "
                            "new continuation token", fn, c->where);
        free(token);
        token = page.next_token;
        page.next_token = NULL;
        mlops__s3_list_page_free(&page);
        if (rc != MLOPS_OK || !more) break;
    }
    free(token);
    free(prefix);
    return rc;
}

int mlops__s3_create_bucket(const char *fn, mlops__s3 *c)
{
    /* Outside us-east-1, S3 wants the region in the body. */
    mlops__buf body = MLOPS__BUF_INIT;
    if (strcmp(c->region, "us-east-1") != 0)
        mlops__buf_addf(&body,
                        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        "<LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>",
                        c->region);
    if (body.failed) {
        mlops__buf_free(&body);
        return mlops__err_nomem("an S3 request");
    }
    mlops__s3_req r = {0};
    r.op = "PUT bucket";
    r.method = "PUT";
    r.key = c->bucket;
    r.path = c->path_base[0] ? c->path_base : "/";
    r.body = body.data ? body.data : "";
    r.body_len = body.len;
    int rc = mlops__s3_perform(fn, c, &r);
    if (rc == MLOPS_OK && (r.status < 200 || r.status > 299)) {
        if (r.status == 409 && strcmp(r.code, "BucketAlreadyOwnedByYou") == 0) rc = MLOPS_OK;
        else rc = mlops__s3_fail(fn, c, &r, r.status == 409 ? MLOPS_EEXIST : MLOPS_EIO);
    }
    mlops__s3_req_free(&r);
    mlops__buf_free(&body);
    return rc;
}
