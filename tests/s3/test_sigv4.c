/* The S3 request signer (lib/objects/s3/sigv4.h) against the signatures
 * botocore's S3SigV4Auth made for the requests of tests/s3/sigv4_golden.json
 * (written by gen_sigv4_golden.py beside it; doc/s3.md lists them), byte
 * for byte; that every input the signature covers changes it; and the
 * requests it refuses. */
#include "testutil.h"

#include "objects/s3/sigv4.h"
#include "util/arena.h"
#include "util/jsonread.h"

#include <mlops.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define MIN_CASES 16

static mlops__arena arena = MLOPS__ARENA_INIT;
static const mlops__json *cases;

static const mlops__json *member(const mlops__json *o, const char *key)
{
    const mlops__json *v = mlops__json_get(o, key);
    ck_assert_msg(v != NULL, "golden: a case has no '%s'", key);
    return v;
}

static const char *str(const mlops__json *o, const char *key)
{
    const mlops__json *v = member(o, key);
    if (v->type == MLOPS__JSON_NULL) return NULL;
    ck_assert_int_eq(v->type, MLOPS__JSON_STRING);
    return v->str;
}

static void load(void)
{
    if (cases) return;
    FILE *f = tu_open_src("s3/sigv4_golden.json");
    char *text = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? 2 * cap : 65536;
            text = realloc(text, cap);
            ck_assert_ptr_nonnull(text);
        }
        size_t got = fread(text + len, 1, cap - len, f);
        if (got == 0) break;
        len += got;
    }
    fclose(f);
    mlops__json *root = NULL;
    char why[256];
    ck_assert_msg(mlops__json_parse(&arena, text, len, &root, why, sizeof why) == 0,
                  "golden: %s", why);
    free(text);
    const mlops__json *bv = mlops__json_get(root, "botocore");
    ck_assert_msg(bv && bv->type == MLOPS__JSON_STRING && bv->len > 0,
                  "golden: the file does not say which botocore made it");
    cases = mlops__json_get(root, "cases");
    ck_assert_ptr_nonnull(cases);
    ck_assert_int_eq(cases->type, MLOPS__JSON_ARRAY);
    ck_assert_uint_ge(cases->len, MIN_CASES);
}

/* One case as the signer's inputs; the pairs live in the struct. */
typedef struct in {
    mlops__sigv4_creds cr;
    mlops__sigv4_request rq;
    mlops__sigv4_pair q[16], h[16];
} in;

static void pairs(const mlops__json *a, mlops__sigv4_pair *out, size_t *n)
{
    ck_assert_int_eq(a->type, MLOPS__JSON_ARRAY);
    ck_assert_uint_le(a->len, 16);
    for (size_t i = 0; i < a->len; i++) {
        const mlops__json *p = &a->items[i];
        ck_assert_int_eq(p->type, MLOPS__JSON_ARRAY);
        ck_assert_uint_eq(p->len, 2);
        out[i].name = p->items[0].str;
        out[i].value = p->items[1].str;
    }
    *n = a->len;
}

static void input(const mlops__json *c, in *x)
{
    memset(x, 0, sizeof *x);
    x->cr.access_key = str(c, "access_key");
    x->cr.secret_key = str(c, "secret_key");
    x->cr.session_token = str(c, "session_token");
    x->cr.region = str(c, "region");
    x->cr.service = str(c, "service");
    x->rq.method = str(c, "method");
    x->rq.host = str(c, "host");
    x->rq.path = str(c, "path");
    pairs(member(c, "query"), x->q, &x->rq.n_query);
    x->rq.query = x->q;
    pairs(member(c, "headers"), x->h, &x->rq.n_headers);
    x->rq.headers = x->h;
    x->rq.payload_sha256_hex = str(c, "payload_sha256");
    const mlops__json *t = member(c, "time_ms");
    ck_assert_int_eq(t->type, MLOPS__JSON_NUMBER);
    x->rq.time_ms = (int64_t)t->number;
}

START_TEST(matches_botocore)
{
    load();
    for (size_t i = 0; i < cases->len; i++) {
        const mlops__json *c = &cases->items[i];
        const char *name = str(c, "name");
        in x;
        input(c, &x);
        /* The payload hash is the body's, except where the case is about
         * not signing it. */
        if (strcmp(x.rq.payload_sha256_hex, "UNSIGNED-PAYLOAD") != 0)
            ck_assert_str_eq(x.rq.payload_sha256_hex, str(c, "body_sha256"));
        mlops__sigv4_signed s;
        TU_OK(mlops__sigv4_sign("test", &x.cr, &x.rq, &s));
        ck_assert_msg(!strcmp(s.amz_date, str(c, "amz_date")), "%s: x-amz-date %s", name,
                      s.amz_date);
        ck_assert_msg(!strcmp(s.canonical_path, str(c, "canonical_path")), "%s: path %s", name,
                      s.canonical_path);
        ck_assert_msg(!strcmp(s.canonical_query, str(c, "canonical_query")), "%s: query %s", name,
                      s.canonical_query);
        ck_assert_msg(!strcmp(s.authorization, str(c, "authorization")),
                      "%s: Authorization\n  ours     %s\n  botocore %s", name, s.authorization,
                      str(c, "authorization"));
        char *cr = NULL;
        TU_OK(mlops__sigv4_canonical_request("test", &x.cr, &x.rq, &cr));
        ck_assert_msg(!strcmp(cr, str(c, "canonical_request")),
                      "%s: canonical request\n--- ours\n%s\n--- botocore\n%s", name, cr,
                      str(c, "canonical_request"));
        OPENSSL_cleanse(cr, strlen(cr));
        free(cr);
        mlops__sigv4_signed_clear(&s);
        ck_assert_ptr_null(s.canonical_path);
    }
}
END_TEST

/* The Authorization value for x, malloc'd. */
static char *auth(const in *x)
{
    mlops__sigv4_signed s;
    TU_OK(mlops__sigv4_sign("test", &x->cr, &x->rq, &s));
    char *a = strdup(s.authorization);
    mlops__sigv4_signed_clear(&s);
    return a;
}

static void assert_changes(const char *name, const char *what, const in *x, const char *golden)
{
    char *a = auth(x);
    ck_assert_msg(strcmp(a, golden) != 0, "%s: changing the %s left the signature as it was",
                  name, what);
    free(a);
}

START_TEST(every_input_changes_the_signature)
{
    load();
    size_t with_query = 0, with_headers = 0;
    for (size_t i = 0; i < cases->len; i++) {
        const mlops__json *c = &cases->items[i];
        const char *name = str(c, "name"), *golden = str(c, "authorization");
        in x;
        input(c, &x);
        char *a = auth(&x);
        ck_assert_str_eq(a, golden);
        free(a);

        in y = x;
        char secret[256];
        snprintf(secret, sizeof secret, "%s", x.cr.secret_key);
        secret[0] = secret[0] == 'A' ? 'B' : 'A';
        y.cr.secret_key = secret;
        assert_changes(name, "secret key", &y, golden);

        y = x;
        y.cr.access_key = "AKIAOTHERKEY";
        assert_changes(name, "access key", &y, golden);
        y = x;
        y.cr.region = "us-east-2";
        assert_changes(name, "region", &y, golden);
        y = x;
        y.cr.session_token = x.cr.session_token ? NULL : "token";
        assert_changes(name, "session token", &y, golden);
        y = x;
        y.rq.method = strcmp(x.rq.method, "GET") ? "GET" : "PUT";
        assert_changes(name, "method", &y, golden);
        y = x;
        y.rq.host = "example.com";
        assert_changes(name, "host", &y, golden);
        char path[1024];
        snprintf(path, sizeof path, "%sx", x.rq.path);
        y = x;
        y.rq.path = path;
        assert_changes(name, "path", &y, golden);
        y = x;
        y.rq.payload_sha256_hex = strcmp(x.rq.payload_sha256_hex, "UNSIGNED-PAYLOAD")
                                      ? "UNSIGNED-PAYLOAD"
                                      : "0000000000000000000000000000000000000000000000000000000000000000";
        assert_changes(name, "payload hash", &y, golden);
        y = x;
        y.rq.time_ms += 1000;
        assert_changes(name, "time", &y, golden);
        /* Sub-second parts are not signed (x-amz-date has seconds). */
        y = x;
        y.rq.time_ms -= x.rq.time_ms % 1000;
        a = auth(&y);
        ck_assert_str_eq(a, golden);
        free(a);

        mlops__sigv4_pair q[17], h[17];
        if (x.rq.n_query) {
            with_query++;
            memcpy(q, x.q, sizeof x.q);
            char v[512];
            snprintf(v, sizeof v, "%s1", q[0].value);
            q[0].value = v;
            y = x;
            y.rq.query = q;
            assert_changes(name, "a query value", &y, golden);
        }
        memcpy(q, x.q, sizeof x.q);
        q[x.rq.n_query] = (mlops__sigv4_pair){ "versionId", "1" };
        y = x;
        y.rq.query = q;
        y.rq.n_query = x.rq.n_query + 1;
        assert_changes(name, "query (one more parameter)", &y, golden);
        if (x.rq.n_headers) {
            with_headers++;
            memcpy(h, x.h, sizeof x.h);
            h[0].value = "changed";
            y = x;
            y.rq.headers = h;
            assert_changes(name, "a header value", &y, golden);
        }
        memcpy(h, x.h, sizeof x.h);
        h[x.rq.n_headers] = (mlops__sigv4_pair){ "x-amz-meta-extra", "1" };
        y = x;
        y.rq.headers = h;
        y.rq.n_headers = x.rq.n_headers + 1;
        assert_changes(name, "headers (one more)", &y, golden);
    }
    ck_assert_uint_gt(with_query, 0);
    ck_assert_uint_gt(with_headers, 0);
}
END_TEST

static const mlops__sigv4_creds good_creds = {
    "AKIDEXAMPLE", "secret-that-must-not-leak", NULL, "us-east-1", "s3"
};

static mlops__sigv4_request good_request(void)
{
    mlops__sigv4_request rq;
    memset(&rq, 0, sizeof rq);
    rq.method = "GET";
    rq.host = "bucket.s3.us-east-1.amazonaws.com";
    rq.path = "/key";
    rq.payload_sha256_hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    rq.time_ms = 1796256000000; /* 2026-12-03T00:00:00Z */
    return rq;
}

/* rq is refused with EINVAL, out is left empty, and the message neither
 * misses the caller's name nor shows the secret or the token. */
static void refused(const mlops__sigv4_creds *cr, const mlops__sigv4_request *rq, const char *part)
{
    mlops__sigv4_signed s;
    memset(&s, 0x5a, sizeof s);
    TU_RC(MLOPS_EINVAL, mlops__sigv4_sign("caller_fn", cr, rq, &s));
    const char *m = mlops_last_error();
    ck_assert_msg(strncmp(m, "caller_fn: ", 11) == 0, "message '%s'", m);
    ck_assert_msg(strstr(m, part) != NULL, "message '%s' does not say '%s'", m, part);
    ck_assert_msg(strstr(m, "must-not-leak") == NULL, "secret in '%s'", m);
    ck_assert_msg(strstr(m, "TOKENVALUE") == NULL, "token in '%s'", m);
    ck_assert_ptr_null(s.canonical_path);
    ck_assert_ptr_null(s.canonical_query);
    ck_assert_str_eq(s.authorization, "");
}

START_TEST(refuses_bad_requests)
{
    mlops__sigv4_creds cr = good_creds;
    mlops__sigv4_request rq = good_request();
    mlops__sigv4_signed s;
    TU_OK(mlops__sigv4_sign("t", &cr, &rq, &s));
    mlops__sigv4_signed_clear(&s);

    rq.method = "get";
    refused(&cr, &rq, "method");
    rq = good_request();
    rq.path = "key";
    refused(&cr, &rq, "path");
    rq = good_request();
    rq.host = "evil.com\r\nx-injected: 1";
    refused(&cr, &rq, "host");
    rq = good_request();
    rq.payload_sha256_hex = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
    refused(&cr, &rq, "payload hash");
    rq.payload_sha256_hex = "e3b0";
    refused(&cr, &rq, "payload hash");
    rq = good_request();
    rq.time_ms = -1;
    refused(&cr, &rq, "time");
    rq.time_ms = 253402300800000LL;
    refused(&cr, &rq, "time");

    mlops__sigv4_pair h[2] = { { "Content-Type", "a\r\nX-Evil: 1" }, { "content-type", "b" } };
    rq = good_request();
    rq.headers = h;
    rq.n_headers = 1;
    refused(&cr, &rq, "control or non-ASCII");
    h[0].value = "caf\xC3\xA9";
    refused(&cr, &rq, "control or non-ASCII");
    h[0].value = "a";
    rq.n_headers = 2;
    refused(&cr, &rq, "twice");
    h[0].name = "X-Amz-Date";
    rq.n_headers = 1;
    refused(&cr, &rq, "X-Amz-Date");
    h[0].name = "User-Agent";
    refused(&cr, &rq, "User-Agent");
    h[0].name = "bad name";
    refused(&cr, &rq, "token");
    h[0].name = "x-ok";
    h[0].value = NULL;
    refused(&cr, &rq, "NULL value");
    rq.headers = NULL;
    rq.n_headers = 3;
    refused(&cr, &rq, "headers");

    mlops__sigv4_pair q[1] = { { "", "v" } };
    rq = good_request();
    rq.query = q;
    rq.n_query = 1;
    refused(&cr, &rq, "no name");

    rq = good_request();
    cr.region = "us-east-1/evil";
    refused(&cr, &rq, "region");
    cr = good_creds;
    cr.service = "";
    refused(&cr, &rq, "service");
    cr = good_creds;
    cr.access_key = "AKID/2026";
    refused(&cr, &rq, "access key");
    cr.access_key = NULL;
    refused(&cr, &rq, "access key");
    cr = good_creds;
    cr.secret_key = "";
    refused(&cr, &rq, "secret key");
    cr = good_creds;
    cr.session_token = "TOKENVALUE\nx-evil: 1";
    refused(&cr, &rq, "session token");
    cr.session_token = "";
    refused(&cr, &rq, "session token");

    /* Forty long headers cannot fit the Authorization buffer. */
    cr = good_creds;
    mlops__sigv4_pair many[40];
    char names[40][40];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "x-amz-meta-a-rather-long-name-%02d", i);
        many[i] = (mlops__sigv4_pair){ names[i], "v" };
    }
    rq = good_request();
    rq.headers = many;
    rq.n_headers = 40;
    refused(&cr, &rq, "longer than");

    TU_RC(MLOPS_EINVAL, mlops__sigv4_sign("t", NULL, &rq, &s));
    TU_RC(MLOPS_EINVAL, mlops__sigv4_sign("t", &cr, NULL, &s));
    TU_RC(MLOPS_EINVAL, mlops__sigv4_sign("t", &cr, &rq, NULL));
    mlops__sigv4_signed_clear(NULL);
}
END_TEST

START_TEST(null_query_value_is_empty)
{
    mlops__sigv4_request rq = good_request();
    mlops__sigv4_pair a[1] = { { "uploads", NULL } }, b[1] = { { "uploads", "" } };
    mlops__sigv4_signed s1, s2;
    rq.query = a;
    rq.n_query = 1;
    TU_OK(mlops__sigv4_sign("t", &good_creds, &rq, &s1));
    rq.query = b;
    TU_OK(mlops__sigv4_sign("t", &good_creds, &rq, &s2));
    ck_assert_str_eq(s1.canonical_query, "uploads=");
    ck_assert_str_eq(s1.authorization, s2.authorization);
    mlops__sigv4_signed_clear(&s1);
    mlops__sigv4_signed_clear(&s2);
    /* No query: an empty string, not NULL, so the caller can always join. */
    rq.n_query = 0;
    rq.query = NULL;
    TU_OK(mlops__sigv4_sign("t", &good_creds, &rq, &s1));
    ck_assert_str_eq(s1.canonical_query, "");
    ck_assert_str_eq(s1.amz_date, "20261203T000000Z");
    mlops__sigv4_signed_clear(&s1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sigv4");
    TCase *tc = tcase_create("sigv4");
    tcase_add_test(tc, matches_botocore);
    tcase_add_test(tc, every_input_changes_the_signature);
    tcase_add_test(tc, refuses_bad_requests);
    tcase_add_test(tc, null_query_value_is_empty);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int rc = tu_run(suite());
    mlops__arena_free(&arena);
    return rc;
}
