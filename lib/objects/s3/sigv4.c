/* AWS Signature Version 4 for S3 (see sigv4.h and doc/s3.md). One pass
 * builds the canonical request (and with it the encoded path and query
 * the caller sends), a second derives the signing key from the secret and
 * signs the string to sign. */
#include "objects/s3/sigv4.h"

#include "util/err.h"
#include "util/hash.h"
#include "util/str.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define ALGORITHM "AWS4-HMAC-SHA256"
#define SECRET_MAX 4096   /* AWS's are 40 bytes; HMAC() takes an int key length */
#define TOKEN_MAX 16384   /* STS tokens run to a few KiB */
#define ACCESS_KEY_MAX 128 /* AWS's limit for an access key id */
#define LAST_TIME_MS 253402300799999LL /* 9999-12-31T23:59:59.999Z */

/* A growable string whose old copies are wiped as it grows and when it is
 * freed: the canonical request holds the session token, and realloc would
 * leave a copy behind in freed memory. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
} sbuf;

static void sb_addn(sbuf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->cap - b->len <= n) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len <= n) {
            if (cap > ((size_t)-1) / 2) {
                b->failed = 1;
                return;
            }
            cap *= 2;
        }
        char *q = malloc(cap);
        if (!q) {
            b->failed = 1;
            return;
        }
        if (b->p) {
            memcpy(q, b->p, b->len);
            OPENSSL_cleanse(b->p, b->cap);
            free(b->p);
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_add(sbuf *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

static void sb_free(sbuf *b)
{
    if (b->p) {
        OPENSSL_cleanse(b->p, b->cap);
        free(b->p);
    }
    memset(b, 0, sizeof *b);
}

/* The malloc'd text ("" when nothing was added), or NULL when an append
 * failed (b is freed either way). */
static char *sb_take(sbuf *b)
{
    if (!b->failed && !b->p) sb_addn(b, "", 0);
    if (b->failed) {
        sb_free(b);
        return NULL;
    }
    char *p = b->p;
    memset(b, 0, sizeof *b);
    return p;
}

/* RFC 3986's unreserved characters, the only ones SigV4 leaves as they are. */
static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

/* Appends s percent-encoded (upper-case hex, as AWS wants), '/' kept when
 * keep_slash (paths) and encoded otherwise (query names and values). */
static void sb_encode(sbuf *b, const char *s, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (unreserved(*p) || (keep_slash && *p == '/')) {
            sb_addn(b, (const char *)p, 1);
        } else {
            char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            sb_addn(b, e, 3);
        }
    }
}

/* A byte a signed header value may not hold: controls other than tab, DEL,
 * and anything outside ASCII (S3 wants non-ASCII metadata RFC 2047-encoded,
 * and botocore's Trimall would also squeeze Unicode spaces such as U+00A0,
 * which a byte-level signer cannot tell apart). */
static int bad_value_byte(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c >= 0x7f;
}

static int has_bad_value_byte(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (bad_value_byte(*p)) return 1;
    return 0;
}

/* RFC 9110 token characters: what a header name is made of. */
static int tchar(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Region and service go into the credential scope and, for AWS, a host
 * name: letters, digits, '-' and '_' only. */
static int check_scope_part(const char *fn, const char *what, const char *s)
{
    if (!s) return mlops__err(MLOPS_EINVAL, "%s: SigV4 %s is NULL", fn, what);
    if (!*s) return mlops__err(MLOPS_EINVAL, "%s: SigV4 %s is empty", fn, what);
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return mlops__err(MLOPS_EINVAL, "%s: SigV4 %s '%s' has a character other than "
                              "letters, digits, '-' and '_'", fn, what, s);
    if (n > 64) return mlops__err(MLOPS_EINVAL, "%s: SigV4 %s is longer than 64 bytes", fn, what);
    return MLOPS_OK;
}

/* The credentials: present, of sane sizes, and an access key that cannot
 * break the Credential=KEY/SCOPE field. Values are never printed. */
static int check_creds(const char *fn, const mlops__sigv4_creds *cr)
{
    if (!cr) return mlops__err_null(fn, "credentials");
    if (!cr->access_key || !*cr->access_key)
        return mlops__err(MLOPS_EINVAL, "%s: the S3 access key is missing", fn);
    if (!cr->secret_key || !*cr->secret_key)
        return mlops__err(MLOPS_EINVAL, "%s: the S3 secret key is missing", fn);
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)cr->access_key; *p; p++, n++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '/' || *p == ',')
            return mlops__err(MLOPS_EINVAL, "%s: the S3 access key has a character that cannot "
                              "appear in a credential (blank, control, non-ASCII, '/' or ',')", fn);
    if (n > ACCESS_KEY_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: the S3 access key is longer than %d bytes", fn,
                          ACCESS_KEY_MAX);
    if (strlen(cr->secret_key) > SECRET_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: the S3 secret key is longer than %d bytes", fn,
                          SECRET_MAX);
    if (cr->session_token) {
        if (!*cr->session_token)
            return mlops__err(MLOPS_EINVAL, "%s: the S3 session token is empty (leave it unset "
                              "when there is none)", fn);
        if (strlen(cr->session_token) > TOKEN_MAX)
            return mlops__err(MLOPS_EINVAL, "%s: the S3 session token is longer than %d bytes",
                              fn, TOKEN_MAX);
        if (has_bad_value_byte(cr->session_token))
            return mlops__err(MLOPS_EINVAL, "%s: the S3 session token holds a control or "
                              "non-ASCII character", fn);
    }
    int rc = check_scope_part(fn, "region", cr->region);
    if (rc == MLOPS_OK) rc = check_scope_part(fn, "service", cr->service);
    return rc;
}

static int check_request(const char *fn, const mlops__sigv4_request *rq)
{
    if (!rq) return mlops__err_null(fn, "request");
    if (!rq->method || !*rq->method || strlen(rq->method) > 16)
        return mlops__err(MLOPS_EINVAL, "%s: SigV4 method is missing or too long", fn);
    for (const char *p = rq->method; *p; p++)
        if (*p < 'A' || *p > 'Z')
            return mlops__err(MLOPS_EINVAL, "%s: SigV4 method '%s' is not upper-case letters",
                              fn, rq->method);
    if (!rq->host || !*rq->host)
        return mlops__err(MLOPS_EINVAL, "%s: SigV4 host is missing", fn);
    for (const unsigned char *p = (const unsigned char *)rq->host; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return mlops__err(MLOPS_EINVAL, "%s: SigV4 host holds a blank or control character",
                              fn);
    if (!rq->path || rq->path[0] != '/')
        return mlops__err(MLOPS_EINVAL, "%s: SigV4 path must start with '/'", fn);
    int rc = mlops__check_array(fn, "query", rq->query, rq->n_query, sizeof *rq->query);
    if (rc == MLOPS_OK)
        rc = mlops__check_array(fn, "headers", rq->headers, rq->n_headers, sizeof *rq->headers);
    if (rc != MLOPS_OK) return rc;
    for (size_t i = 0; i < rq->n_query; i++)
        if (!rq->query[i].name || !*rq->query[i].name)
            return mlops__err(MLOPS_EINVAL, "%s: SigV4 query parameter %zu has no name", fn, i);
    const char *ph = rq->payload_sha256_hex;
    if (!ph) return mlops__err(MLOPS_EINVAL, "%s: SigV4 payload hash is missing", fn);
    if (strcmp(ph, UNSIGNED_PAYLOAD) != 0) {
        size_t n = 0;
        for (; ph[n]; n++)
            if (!((ph[n] >= '0' && ph[n] <= '9') || (ph[n] >= 'a' && ph[n] <= 'f'))) break;
        if (n != 64 || ph[n])
            return mlops__err(MLOPS_EINVAL, "%s: SigV4 payload hash is neither 64 lower-case "
                              "hex digits nor " UNSIGNED_PAYLOAD, fn);
    }
    if (rq->time_ms < 0 || rq->time_ms > LAST_TIME_MS)
        return mlops__err(MLOPS_EINVAL, "%s: SigV4 request time %lld ms is outside 1970..9999",
                          fn, (long long)rq->time_ms);
    return MLOPS_OK;
}

static void amz_date(int64_t ms, char out[17])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    gmtime_r(&t, &tm); /* cannot fail: check_request bounded the year */
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm); /* 16 characters for years 1970..9999 */
}

/* A query parameter or header after encoding or canonicalising. */
typedef struct kv {
    char *k, *v;
} kv;

static int kv_cmp(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

static void kv_free(kv *a, size_t n)
{
    if (!a) return;
    for (size_t i = 0; i < n; i++) {
        free(a[i].k);
        if (a[i].v) OPENSSL_cleanse(a[i].v, strlen(a[i].v)); /* one is the token */
        free(a[i].v);
    }
    free(a);
}

/* The encoded, sorted query "a=1&b=" into *out. */
static int canonical_query(const mlops__sigv4_request *rq, char **out)
{
    kv *q = calloc(rq->n_query ? rq->n_query : 1, sizeof *q);
    if (!q) return mlops__err_nomem("encoding a SigV4 query");
    int ok = 1;
    for (size_t i = 0; i < rq->n_query && ok; i++) {
        sbuf k = { 0 }, v = { 0 };
        sb_encode(&k, rq->query[i].name, 0);
        sb_encode(&v, rq->query[i].value ? rq->query[i].value : "", 0);
        q[i].k = sb_take(&k);
        q[i].v = sb_take(&v);
        ok = q[i].k && q[i].v;
    }
    sbuf b = { 0 };
    if (ok) {
        qsort(q, rq->n_query, sizeof *q, kv_cmp);
        for (size_t i = 0; i < rq->n_query; i++) {
            if (i) sb_addn(&b, "&", 1);
            sb_add(&b, q[i].k);
            sb_addn(&b, "=", 1);
            sb_add(&b, q[i].v);
        }
    }
    kv_free(q, rq->n_query);
    *out = ok ? sb_take(&b) : NULL;
    if (!*out) {
        sb_free(&b);
        return mlops__err_nomem("encoding a SigV4 query");
    }
    return MLOPS_OK;
}

/* Lowercase(name) and Trimall(value): blanks at both ends dropped, each
 * inner run of blanks made one space. */
static char *lower_dup(const char *s)
{
    char *d = mlops__strdup(s);
    if (d)
        for (char *p = d; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    return d;
}

static char *trimall_dup(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    if (!d) return NULL;
    size_t n = 0;
    int blank = 0;
    for (const char *p = s; *p; p++) {
        if (*p == ' ' || *p == '\t') {
            blank = 1;
            continue;
        }
        if (blank && n) d[n++] = ' ';
        blank = 0;
        d[n++] = *p;
    }
    d[n] = '\0';
    return d;
}

/* Extra headers the signer refuses: the ones it signs itself, and those
 * S3 clients never sign (a proxy may change them). */
static const char *const reserved_headers[] = {
    "host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "authorization",
    "expect", "user-agent", "x-amzn-trace-id",
};

static int check_header(const char *fn, const mlops__sigv4_pair *h, size_t i)
{
    if (!h->name || !*h->name)
        return mlops__err(MLOPS_EINVAL, "%s: SigV4 header %zu has no name", fn, i);
    for (const unsigned char *p = (const unsigned char *)h->name; *p; p++)
        if (!tchar(*p))
            return mlops__err(MLOPS_EINVAL, "%s: SigV4 header name %zu is not an HTTP token", fn,
                              i);
    for (size_t r = 0; r < sizeof reserved_headers / sizeof *reserved_headers; r++)
        if (!strcasecmp(h->name, reserved_headers[r]))
            return mlops__err(MLOPS_EINVAL, "%s: SigV4 header '%s' cannot be passed as an extra "
                              "header (the signer sets it, or S3 leaves it unsigned)", fn, h->name);
    if (!h->value)
        return mlops__err(MLOPS_EINVAL, "%s: SigV4 header '%s' has a NULL value", fn, h->name);
    if (has_bad_value_byte(h->value))
        return mlops__err(MLOPS_EINVAL, "%s: SigV4 header '%s' holds a control or non-ASCII "
                          "character", fn,
                          h->name);
    return MLOPS_OK;
}

/* Everything sign needs: the canonical request and its parts. */
typedef struct built {
    char amz_date[17];
    char *path, *query;
    sbuf canon;      /* the canonical request */
    sbuf signed_hdrs; /* "host;x-amz-content-sha256;..." */
} built;

static void built_free(built *b)
{
    free(b->path);
    free(b->query);
    sb_free(&b->canon);
    sb_free(&b->signed_hdrs);
    memset(b, 0, sizeof *b);
}

static int build(const char *fn, const mlops__sigv4_creds *cr, const mlops__sigv4_request *rq,
                 built *b)
{
    memset(b, 0, sizeof *b);
    int rc = check_creds(fn, cr);
    if (rc == MLOPS_OK) rc = check_request(fn, rq);
    for (size_t i = 0; rc == MLOPS_OK && i < rq->n_headers; i++)
        rc = check_header(fn, &rq->headers[i], i);
    if (rc != MLOPS_OK) return rc;
    amz_date(rq->time_ms, b->amz_date);

    sbuf p = { 0 };
    sb_encode(&p, rq->path, 1);
    b->path = sb_take(&p);
    if (!b->path) return mlops__err_nomem("encoding a SigV4 path");
    rc = canonical_query(rq, &b->query);
    if (rc != MLOPS_OK) {
        built_free(b);
        return rc;
    }

    size_t nh = rq->n_headers + 4;
    kv *h = calloc(nh, sizeof *h);
    if (!h) {
        built_free(b);
        return mlops__err_nomem("canonicalising SigV4 headers");
    }
    size_t n = 0;
    int ok = 1;
    const char *fixed[4][2] = {
        { "host", rq->host },
        { "x-amz-content-sha256", rq->payload_sha256_hex },
        { "x-amz-date", b->amz_date },
        { "x-amz-security-token", cr->session_token },
    };
    for (size_t i = 0; i < 4 && ok; i++) {
        if (!fixed[i][1]) continue;
        h[n].k = mlops__strdup(fixed[i][0]);
        h[n].v = trimall_dup(fixed[i][1]);
        ok = h[n].k && h[n].v;
        n++;
    }
    for (size_t i = 0; i < rq->n_headers && ok; i++) {
        h[n].k = lower_dup(rq->headers[i].name);
        h[n].v = trimall_dup(rq->headers[i].value);
        ok = h[n].k && h[n].v;
        n++;
    }
    if (!ok) {
        kv_free(h, n);
        built_free(b);
        return mlops__err_nomem("canonicalising SigV4 headers");
    }
    qsort(h, n, sizeof *h, kv_cmp);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(h[i - 1].k, h[i].k)) {
            rc = mlops__err(MLOPS_EINVAL, "%s: SigV4 header '%s' is given twice", fn, h[i].k);
            kv_free(h, n);
            built_free(b);
            return rc;
        }

    sbuf *c = &b->canon;
    sb_add(c, rq->method);
    sb_addn(c, "\n", 1);
    sb_add(c, b->path);
    sb_addn(c, "\n", 1);
    sb_add(c, b->query);
    sb_addn(c, "\n", 1);
    for (size_t i = 0; i < n; i++) {
        sb_add(c, h[i].k);
        sb_addn(c, ":", 1);
        sb_add(c, h[i].v);
        sb_addn(c, "\n", 1);
        if (i) sb_addn(&b->signed_hdrs, ";", 1);
        sb_add(&b->signed_hdrs, h[i].k);
    }
    sb_addn(c, "\n", 1);
    if (!b->signed_hdrs.failed) sb_add(c, b->signed_hdrs.p);
    sb_addn(c, "\n", 1);
    sb_add(c, rq->payload_sha256_hex);
    kv_free(h, n);
    if (c->failed || b->signed_hdrs.failed) {
        built_free(b);
        return mlops__err_nomem("building a SigV4 canonical request");
    }
    return MLOPS_OK;
}

int mlops__sigv4_canonical_request(const char *fn, const mlops__sigv4_creds *cr,
                                   const mlops__sigv4_request *rq, char **out)
{
    if (!out) return mlops__err_null(fn, "out");
    *out = NULL;
    built b;
    int rc = build(fn, cr, rq, &b);
    if (rc != MLOPS_OK) return rc;
    *out = sb_take(&b.canon);
    built_free(&b);
    return MLOPS_OK;
}

static int hmac256(const unsigned char *key, size_t klen, const char *msg, size_t mlen,
                   unsigned char out[32])
{
    unsigned int n = 0;
    if (!HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, mlen, out, &n) || n != 32)
        return -1;
    return 0;
}

/* The signature (64 hex digits) of sts: HMAC chain from "AWS4" + secret
 * over the date, region, service and "aws4_request". Every key on the way
 * is wiped. */
static int signature(const mlops__sigv4_creds *cr, const char *date8, const char *sts,
                     char hex[65])
{
    size_t sl = strlen(cr->secret_key);
    unsigned char *k0 = malloc(sl + 4);
    if (!k0) return mlops__err_nomem("deriving a SigV4 signing key");
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, cr->secret_key, sl);
    unsigned char k[32], sig[32];
    int bad = hmac256(k0, sl + 4, date8, 8, k) ||
              hmac256(k, sizeof k, cr->region, strlen(cr->region), k) ||
              hmac256(k, sizeof k, cr->service, strlen(cr->service), k) ||
              hmac256(k, sizeof k, "aws4_request", 12, k) ||
              hmac256(k, sizeof k, sts, strlen(sts), sig);
    OPENSSL_cleanse(k0, sl + 4);
    free(k0);
    OPENSSL_cleanse(k, sizeof k);
    if (bad) return mlops__err(MLOPS_EIO, "OpenSSL could not compute HMAC-SHA256");
    mlops__hex_encode(sig, sizeof sig, hex);
    return MLOPS_OK;
}

int mlops__sigv4_sign(const char *fn, const mlops__sigv4_creds *cr,
                      const mlops__sigv4_request *rq, mlops__sigv4_signed *out)
{
    if (!out) return mlops__err_null(fn, "out");
    memset(out, 0, sizeof *out);
    built b;
    int rc = build(fn, cr, rq, &b);
    if (rc != MLOPS_OK) return rc;

    mlops_digest d;
    rc = mlops__sha256_oneshot(b.canon.p, b.canon.len, &d);
    char dhex[65], scope[128], sig[65];
    char date8[9];
    memcpy(date8, b.amz_date, 8);
    date8[8] = '\0';
    snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", date8, cr->region, cr->service);
    sbuf sts = { 0 };
    if (rc == MLOPS_OK) {
        mlops__hex_encode(d.bytes, sizeof d.bytes, dhex);
        sb_add(&sts, ALGORITHM "\n");
        sb_add(&sts, b.amz_date);
        sb_addn(&sts, "\n", 1);
        sb_add(&sts, scope);
        sb_addn(&sts, "\n", 1);
        sb_add(&sts, dhex);
        if (sts.failed) rc = mlops__err_nomem("building a SigV4 string to sign");
    }
    if (rc == MLOPS_OK) rc = signature(cr, date8, sts.p, sig);
    sb_free(&sts);
    if (rc == MLOPS_OK) {
        int len = snprintf(out->authorization, sizeof out->authorization,
                           ALGORITHM " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                           cr->access_key, scope, b.signed_hdrs.p, sig);
        if (len < 0 || (size_t)len >= sizeof out->authorization)
            rc = mlops__err(MLOPS_EINVAL, "%s: the SigV4 Authorization header would be longer "
                            "than %zu bytes (too many signed headers)", fn,
                            sizeof out->authorization - 1);
    }
    if (rc != MLOPS_OK) {
        built_free(&b);
        memset(out, 0, sizeof *out);
        return rc;
    }
    memcpy(out->amz_date, b.amz_date, sizeof out->amz_date);
    out->canonical_path = b.path;
    out->canonical_query = b.query;
    b.path = b.query = NULL;
    built_free(&b);
    return MLOPS_OK;
}

void mlops__sigv4_signed_clear(mlops__sigv4_signed *out)
{
    if (!out) return;
    free(out->canonical_query);
    free(out->canonical_path);
    memset(out, 0, sizeof *out);
}
