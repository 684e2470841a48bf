/* One S3 request: signed per try (the signature covers the time), sent on
 * a pooled curl handle, retried with backoff while the failure may pass. */
#include "objects/s3/s3_request.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objects/s3/s3_crc32c.h"
#include "objects/s3/s3_xml.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/str.h"

/* SHA-256 of no bytes: the payload hash of every bodiless request. */
static const char empty_sha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/* How much of an error answer is kept: enough for S3's Code. */
#define ERR_BODY_MAX 16384

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_OK;

static void global_init_once(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int mlops__s3_global_init(const char *fn)
{
    pthread_once(&global_once, global_init_once);
    if (global_rc != CURLE_OK)
        return mlops__err(MLOPS_EIO, "%s: libcurl failed to initialise: %s", fn,
                          curl_easy_strerror(global_rc));
    return MLOPS_OK;
}

/* A handle from the pool, or a new one; NULL when out of memory. */
static CURL *borrow(mlops__s3 *c)
{
    CURL *h = NULL;
    pthread_mutex_lock(&c->mu);
    if (c->n_free > 0) h = c->free_handles[--c->n_free];
    pthread_mutex_unlock(&c->mu);
    if (h) {
        /* Options back to defaults; live connections and the DNS cache stay. */
        curl_easy_reset(h);
        return h;
    }
    h = curl_easy_init();
    if (h) __atomic_add_fetch(&c->stats.handles, 1, __ATOMIC_RELAXED);
    return h;
}

static void give_back(mlops__s3 *c, CURL *h)
{
    pthread_mutex_lock(&c->mu);
    if (c->n_free == c->cap_free) {
        size_t ncap = c->cap_free ? c->cap_free * 2 : 4;
        CURL **p = realloc(c->free_handles, ncap * sizeof *p);
        if (!p) {
            pthread_mutex_unlock(&c->mu);
            curl_easy_cleanup(h);
            return;
        }
        c->free_handles = p;
        c->cap_free = ncap;
    }
    c->free_handles[c->n_free++] = h;
    pthread_mutex_unlock(&c->mu);
}

/* Appends to a growable body, whose buffer comes from pool (NULL:
 * malloc); 0 when out of memory. */
static int body_add(mlops__s3_body *b, mlops__s3_buffers *pool, const char *p, size_t n,
                    size_t hint)
{
    if (b->cap - b->len <= n) {
        size_t ncap = b->cap ? b->cap : 1024;
        if (hint > ncap) ncap = hint + 1;
        while (ncap - b->len <= n) {
            if (ncap > ((size_t)-1) / 2) return 0;
            ncap *= 2;
        }
        char *d;
        if (pool) {
            if (!(d = mlops__s3_buffer_take(pool, ncap))) return 0;
            ncap = mlops__s3_buffer_capacity(d);
            if (b->len) memcpy(d, b->data, b->len);
            mlops__s3_buffer_give(pool, b->data);
        } else if (!(d = realloc(b->data, ncap))) {
            return 0;
        }
        b->data = d;
        b->cap = ncap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 1;
}

/* What the callbacks of one try see. */
typedef struct try_ctx {
    mlops__s3_req *r;
    CURL *h;
    int decided;  /* the answer's status was read */
    int ok;       /* 2xx: the body is the payload */
    int nomem;
} try_ctx;

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
    try_ctx *t = ud;
    mlops__s3_req *r = t->r;
    size_t n = size * nmemb;
    if (!t->decided) {
        long status = 0;
        curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &status);
        t->decided = 1;
        t->ok = status >= 200 && status <= 299;
        /* A server that ignores Range sends the whole object with 200. */
        if (t->ok && r->range && status == 200) r->skip = (size_t)r->range_offset;
    }
    if (!t->ok) {
        size_t room = r->err.len < ERR_BODY_MAX ? ERR_BODY_MAX - r->err.len : 0;
        if (room && !body_add(&r->err, NULL, p, n < room ? n : room, 0)) t->nomem = 1;
        return t->nomem ? 0 : n;
    }
    const char *q = p;
    size_t m = n;
    if (r->skip) {
        size_t s = m < r->skip ? m : r->skip;
        r->skip -= s;
        q += s;
        m -= s;
    }
    if (r->fixed) {
        size_t room = r->fixed_cap - r->fixed_len;
        if (m > room) m = room; /* past the range asked for: not ours */
        memcpy((char *)r->fixed + r->fixed_len, q, m);
        r->fixed_len += m;
        return n;
    }
    curl_off_t cl = -1;
    curl_easy_getinfo(t->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
    if (m && !body_add(&r->out, r->buffers, q, m, cl > 0 ? (size_t)cl : 0)) {
        t->nomem = 1;
        return 0;
    }
    return n;
}

static size_t on_read(char *p, size_t size, size_t nmemb, void *ud)
{
    mlops__s3_req *r = ud;
    size_t n = size * nmemb, left = r->body_len - r->sent;
    if (n > left) n = left;
    memcpy(p, (const char *)r->body + r->sent, n);
    r->sent += n;
    return n;
}

/* curl rewinds the body when it resends on a fresh connection. */
static int on_seek(void *ud, curl_off_t offset, int origin)
{
    mlops__s3_req *r = ud;
    if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > r->body_len)
        return CURL_SEEKFUNC_CANTSEEK;
    r->sent = (size_t)offset;
    return CURL_SEEKFUNC_OK;
}

/* curl failures that a later try may not meet. */
static int transient_curl(CURLcode e)
{
    switch (e) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_SEND_FAIL_REWIND:
        return 1;
    default:
        return 0;
    }
}

/* HTTP answers worth another try: the server is busy, restarting or
 * timed out, or a concurrent conditional write got in the way. */
static int transient_http(const mlops__s3_req *r)
{
    /* 501 and 505: the server does not do what was asked (a conditional
     * PUT, a checksum header, HTTP/1.1), and never will on a retry. */
    if (r->status == 501 || r->status == 505) return 0;
    if (r->status >= 500 || r->status == 429) return 1;
    if (r->status == 400 && strcmp(r->code, "RequestTimeout") == 0) return 1;
    /* The server got other bytes than were sent (its check of the
     * checksum or the payload hash failed): damaged on the way. */
    if (r->status == 400 && (strcmp(r->code, "BadDigest") == 0 ||
                             strcmp(r->code, "XAmzContentSHA256Mismatch") == 0))
        return 1;
    if (r->status == 409 && (strcmp(r->code, "ConditionalRequestConflict") == 0 ||
                             strcmp(r->code, "OperationAborted") == 0))
        return 1;
    return 0;
}

/* "HTTP 503 SlowDown" into out. */
static void describe_http(const mlops__s3_req *r, char *out, size_t cap)
{
    snprintf(out, cap, "HTTP %ld%s%s", r->status, r->code[0] ? " " : "", r->code);
}

int mlops__s3_fail(const char *fn, mlops__s3 *c, const mlops__s3_req *r, int code)
{
    char what[128], hint[160] = "";
    describe_http(r, what, sizeof what);
    /* What S3 answers a request signed for another region than the
     * bucket's (a 301 on AWS's regional endpoints). */
    if (!strcmp(r->code, "AuthorizationHeaderMalformed") || !strcmp(r->code, "PermanentRedirect") ||
        r->status == 301)
        snprintf(hint, sizeof hint,
                 " (signed for region '%.40s': is the bucket in another? AWS_REGION or the "
                 "profile's region says which)",
                 c->region);
    else if (!strcmp(r->code, "NoSuchBucket"))
        snprintf(hint, sizeof hint, " (the bucket does not exist)");
    return mlops__err(code, "%s: S3 %s '%s' (%s): %s%s", fn, r->op, r->key, c->where, what, hint);
}

int mlops__s3_failure_code(const mlops__s3_req *r)
{
    return r->status == 404 && strcmp(r->code, "NoSuchBucket") != 0 ? MLOPS_ENOTFOUND : MLOPS_EIO;
}

int mlops__s3_expect_found(const char *fn, mlops__s3 *c, const mlops__s3_req *r)
{
    if (r->status >= 200 && r->status <= 299) return MLOPS_OK;
    if (r->status == 404) {
        if (strcmp(r->code, "NoSuchBucket") == 0)
            return mlops__err(MLOPS_EIO, "%s: S3 %s '%s' (%s): the bucket does not exist", fn,
                              r->op, r->key, c->where);
        return mlops__err(MLOPS_ENOTFOUND, "%s: S3 %s '%s' (%s): no such key", fn, r->op, r->key,
                          c->where);
    }
    return mlops__s3_fail(fn, c, r, MLOPS_EIO);
}

void mlops__s3_req_free(mlops__s3_req *r)
{
    mlops__s3_buffer_give(r->buffers, r->out.data);
    free(r->err.data);
    r->out.data = r->err.data = NULL;
}

/* A uniformly random delay in [0, cap] ms (full jitter). */
static unsigned jitter(unsigned cap)
{
    uint32_t x = 0;
    if (mlops__random_bytes((unsigned char *)&x, sizeof x) != MLOPS_OK)
        x = (uint32_t)mlops__monotonic_ns();
    return (unsigned)(x % ((uint64_t)cap + 1));
}

/* Frees a header list, wiping the session token it may hold first. */
static void free_headers(struct curl_slist *l)
{
    for (struct curl_slist *i = l; i; i = i->next) OPENSSL_cleanse(i->data, strlen(i->data));
    curl_slist_free_all(l);
}

/* The headers of one try: Host, the signed x-amz-* ones, Authorization,
 * and what the operation adds. NULL when out of memory. */
static struct curl_slist *make_headers(mlops__s3 *c, const mlops__s3_req *r,
                                       const char *payload_hash, const char *crc,
                                       const mlops__sigv4_signed *sg)
{
    /* Room for the longest line: the session token (STS and SSO tokens
     * run to several KiB), the host or the Authorization value, with its
     * header's name. */
    size_t cap = 256 + strlen(c->host) + strlen(sg->authorization) +
                 (c->session_token ? strlen(c->session_token) : 0);
    char *line = malloc(cap);
    if (!line) return NULL;
    struct curl_slist *l = NULL, *n;
#define ADD(...)                                        \
    do {                                                \
        int k_ = snprintf(line, cap, __VA_ARGS__);      \
        if (k_ < 0 || (size_t)k_ >= cap) goto nomem;    \
        n = curl_slist_append(l, line);                 \
        if (!n) goto nomem;                             \
        l = n;                                          \
    } while (0)
    ADD("Host: %s", c->host);
    ADD("x-amz-date: %s", sg->amz_date);
    ADD("x-amz-content-sha256: %s", payload_hash);
    if (c->session_token) ADD("x-amz-security-token: %s", c->session_token);
    if (r->if_none_match) ADD("If-None-Match: *");
    if (crc) ADD("x-amz-checksum-crc32c: %s", crc);
    if (r->range) ADD("Range: %s", r->range);
    ADD("Authorization: %s", sg->authorization);
    /* No 100-continue round trip: our bodies are small, and a server
     * that refuses one answers after reading it anyway. */
    ADD("Expect:");
#undef ADD
    OPENSSL_cleanse(line, cap);
    free(line);
    return l;
nomem:
    OPENSSL_cleanse(line, cap);
    free(line);
    free_headers(l);
    return NULL;
}

/* Sets the options of one try on h. */
static void set_options(mlops__s3 *c, mlops__s3_req *r, CURL *h, const char *url,
                        struct curl_slist *headers, try_ctx *t, char *errbuf)
{
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    /* Only the configured endpoint: no other protocol, no redirect, no
     * proxy taken from http_proxy and friends. */
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    /* Keys are sent as signed: "a/../b" must stay as it is. */
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->lim.connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)c->lim.low_speed_time_s);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    /* Objects are a few MiB: bigger reads and writes than curl's 16 and
     * 64 KiB mean a tenth of the system calls and callbacks. */
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024L);
#if LIBCURL_VERSION_NUM >= 0x073e00
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 256L * 1024L);
#endif
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
    if (strcmp(r->method, "PUT") == 0) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, r);
        curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(h, CURLOPT_SEEKDATA, r);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->body_len);
    } else if (strcmp(r->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(r->method, "DELETE") == 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
    }
}

/* One try: sign, send, read the answer. MLOPS_OK with r->status and
 * *curl_rc set; MLOPS_ENOMEM or the signer's error otherwise. */
static int try_once(const char *fn, mlops__s3 *c, mlops__s3_req *r, const char *payload_hash,
                    const char *crc, CURLcode *curl_rc, char *errbuf)
{
    mlops__sigv4_creds cr = {c->access_key, c->secret_key, c->session_token, c->region, "s3"};
    mlops__sigv4_pair extra[2];
    size_t n_extra = 0;
    if (r->if_none_match) extra[n_extra++] = (mlops__sigv4_pair){"if-none-match", "*"};
    if (crc) extra[n_extra++] = (mlops__sigv4_pair){"x-amz-checksum-crc32c", crc};
    mlops__sigv4_request rq = {0};
    rq.method = r->method;
    rq.host = c->host;
    rq.path = r->path;
    rq.query = r->query;
    rq.n_query = r->n_query;
    rq.headers = n_extra ? extra : NULL;
    rq.n_headers = n_extra;
    rq.payload_sha256_hex = payload_hash;
    rq.time_ms = mlops__now_ms();
    mlops__sigv4_signed sg;
    memset(&sg, 0, sizeof sg);
    int rc = mlops__sigv4_sign(fn, &cr, &rq, &sg);
    if (rc != MLOPS_OK) return rc;
    char *url = NULL;
    size_t ul = strlen(c->scheme) + strlen(c->host) + strlen(sg.canonical_path) +
                strlen(sg.canonical_query) + 8;
    struct curl_slist *headers = make_headers(c, r, payload_hash, crc, &sg);
    url = malloc(ul);
    CURL *h = borrow(c);
    if (!headers || !url || !h) {
        rc = mlops__err_nomem("an S3 request");
        goto out;
    }
    snprintf(url, ul, "%s://%s%s%s%s", c->scheme, c->host, sg.canonical_path,
             sg.canonical_query[0] ? "?" : "", sg.canonical_query);
    try_ctx t = {r, h, 0, 0, 0};
    r->sent = r->skip = 0;
    r->out.len = r->err.len = r->fixed_len = 0;
    r->status = 0;
    r->code[0] = '\0';
    r->content_length = -1;
    errbuf[0] = '\0';
    set_options(c, r, h, url, headers, &t, errbuf);
    __atomic_add_fetch(&c->stats.requests, 1, __ATOMIC_RELAXED);
    *curl_rc = curl_easy_perform(h);
    if (t.nomem) {
        rc = mlops__err_nomem("an S3 answer");
        goto out;
    }
    if (*curl_rc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
        curl_off_t cl = -1;
        curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
        r->content_length = cl;
        if (r->status < 200 || r->status > 299)
            mlops__s3_error_code(r->err.data, r->err.len, r->code, sizeof r->code);
    }
out:
    /* The handle keeps the options' pointers: cleared before it goes
     * back, so no later reset can touch freed lists. */
    if (h) {
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
        give_back(c, h);
    }
    free_headers(headers);
    free(url);
    mlops__sigv4_signed_clear(&sg);
    return rc;
}

int mlops__s3_perform(const char *fn, mlops__s3 *c, mlops__s3_req *r)
{
    char payload_hash[65], crc_b64[9];
    const char *crc = NULL;
    if (r->body && r->checksum_crc32c) {
        /* One pass of a few GB/s instead of SHA-256's second hashing of
         * every byte (the object's digest is of its decoded content, not
         * of these bytes); the server still checks every byte. */
        mlops__crc32c_base64(mlops__crc32c(r->body, r->body_len), crc_b64);
        crc = crc_b64;
        memcpy(payload_hash, "UNSIGNED-PAYLOAD", sizeof "UNSIGNED-PAYLOAD");
    } else if (r->body) {
        mlops_digest d;
        int rc = mlops__sha256_oneshot(r->body, r->body_len, &d);
        if (rc != MLOPS_OK) return rc;
        mlops__hex_encode(d.bytes, sizeof d.bytes, payload_hash);
    } else {
        memcpy(payload_hash, empty_sha256, sizeof empty_sha256);
    }
    int64_t start = mlops__monotonic_ns();
    char errbuf[CURL_ERROR_SIZE];
    char last[CURL_ERROR_SIZE + 64];
    for (r->attempts = 1;; r->attempts++) {
        if (r->attempts > 1) __atomic_add_fetch(&c->stats.retries, 1, __ATOMIC_RELAXED);
        CURLcode e = CURLE_OK;
        int rc = try_once(fn, c, r, payload_hash, crc, &e, errbuf);
        if (rc != MLOPS_OK) return rc;
        r->elapsed_ms = (mlops__monotonic_ns() - start) / 1000000;
        if (e == CURLE_OK) {
            /* versitygw answers an unknown access key with 404. */
            if (r->status == 403 ||
                (r->status == 404 && strcmp(r->code, "XAdminUserNotFound") == 0)) {
                char what[128];
                describe_http(r, what, sizeof what);
                return mlops__err(MLOPS_EPERM,
                                  "%s: S3 %s '%s' (%s): %s: the server refused the request (wrong "
                                  "access key or secret, an expired token, or no permission)",
                                  fn, r->op, r->key, c->where, what);
            }
            if (!transient_http(r)) return MLOPS_OK;
            describe_http(r, last, sizeof last);
        } else if (e == CURLE_OUT_OF_MEMORY) {
            return mlops__err_nomem("an S3 request");
        } else {
            snprintf(last, sizeof last, "%s", errbuf[0] ? errbuf : curl_easy_strerror(e));
            if (!transient_curl(e))
                return mlops__err(MLOPS_EIO, "%s: S3 %s '%s' (%s): %s", fn, r->op, r->key, c->where,
                                  last);
        }
        /* Exponential backoff with full jitter: up to base * 2^(n-1). */
        unsigned shift = r->attempts - 1 < 20 ? (unsigned)r->attempts - 1 : 20;
        uint64_t cap = (uint64_t)c->lim.backoff_base_ms << shift;
        if (cap > c->lim.backoff_max_ms) cap = c->lim.backoff_max_ms;
        unsigned delay = jitter((unsigned)cap);
        if ((unsigned)r->attempts >= c->lim.max_attempts ||
            r->elapsed_ms + delay > (int64_t)c->lim.budget_ms)
            return mlops__err(MLOPS_EIO, "%s: S3 %s '%s' (%s): %s; gave up after %d tries in %.1f s",
                              fn, r->op, r->key, c->where, last, r->attempts,
                              (double)r->elapsed_ms / 1000.0);
        mlops__sleep_us(delay * 1000u);
    }
}
