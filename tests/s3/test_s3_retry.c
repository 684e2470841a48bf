/* How the S3 client (lib/objects/s3/s3_http.h) judges each answer: which
 * it retries (503 SlowDown, 500, 429, 400 RequestTimeout), which it
 * takes at once (412 on a PUT, 404, 416), which fail at once (400
 * InvalidArgument, a redirect it does not follow, 501), and listings it must
 * not guess at. The answers come from a scripted server in the test
 * program (scripted_http.h), so this needs no S3 server and runs in every
 * build, the sanitizers' included. */
#include "testutil.h"

#include "objects/s3/s3_crc32c.h"
#include "objects/s3/s3_http.h"
#include "objects/s3/s3_request.h"
#include "scripted_http.h"

#include <mlops.h>
#include <stdlib.h>
#include <string.h>

#define SLOWDOWN_XML \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>" \
    "<Message>Please reduce your request rate.</Message></Error>"

static const scripted_answer ok_empty = {"200 OK", NULL, NULL};
static const scripted_answer slowdown = {"503 Slow Down", "Content-Type: application/xml\r\n",
                                         SLOWDOWN_XML};

static char endpoint[64];

/* The settings of a client of the scripted server. */
static void settings_of(scripted *srv, mlops__s3_settings *s)
{
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", scripted_port(srv));
    memset(s, 0, sizeof *s);
    s->endpoint = endpoint;
    s->region = "us-east-1";
    s->bucket = "bucket";
    s->prefix = "p/";
    s->path_style = 1;
    s->access_key = "AKIDEXAMPLE";
    s->secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
}

/* A client of the scripted server: short backoffs, limits as given. */
static mlops__s3 *client_of(scripted *srv, unsigned max_attempts)
{
    mlops__s3_settings s;
    settings_of(srv, &s);
    mlops__s3_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.backoff_base_ms = 5;
    lim.backoff_max_ms = 20;
    lim.max_attempts = max_attempts;
    mlops__s3 *c = NULL;
    TU_OK(mlops__s3_open("t", &s, &lim, &c));
    return c;
}

static scripted *start(const scripted_answer *a, size_t n)
{
    scripted *srv = NULL;
    ck_assert_int_eq(scripted_start(a, n, &srv), 0);
    return srv;
}

static uint64_t retries(mlops__s3 *c)
{
    mlops__s3_stats st;
    mlops__s3_stats_get(c, &st);
    return st.retries;
}

/* A session token of several KiB, as STS and SSO hand out: the header
 * sent carries the whole token the request was signed with (it was cut
 * at about 1,170 bytes, and every request was refused). */
START_TEST(long_session_token_is_sent_whole)
{
    scripted *srv = start(&ok_empty, 1);
    size_t n = 6000;
    char *token = malloc(n + 1), *got = malloc(n + 64);
    ck_assert(token && got);
    for (size_t i = 0; i < n; i++)
        token[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(i * 7 + i / 64) % 64];
    token[n] = '\0';
    mlops__s3_settings s;
    settings_of(srv, &s);
    s.session_token = token;
    mlops__s3 *c = NULL;
    TU_OK(mlops__s3_open("t", &s, NULL, &c));
    TU_OK(mlops__s3_put("t", c, "k", "data", 4, NULL));
    scripted_request_header(srv, 0, "x-amz-security-token", got, n + 64);
    ck_assert_uint_eq(strlen(got), n);
    ck_assert_str_eq(got, token);
    scripted_request_header(srv, 0, "Authorization", got, n + 64);
    ck_assert_ptr_nonnull(strstr(got, "x-amz-security-token"));
    mlops__s3_close(c);
    scripted_stop(srv);
    free(token);
    free(got);
}
END_TEST

START_TEST(slowdown_is_retried)
{
    scripted_answer a[] = {slowdown, slowdown, ok_empty};
    scripted *srv = start(a, 3);
    mlops__s3 *c = client_of(srv, 8);
    TU_OK(mlops__s3_put("t", c, "k", "data", 4, NULL));
    ck_assert_int_eq(scripted_requests(srv), 3);
    ck_assert_uint_eq(retries(c), 2);
    char line[160];
    scripted_request_line(srv, 2, line, sizeof line);
    ck_assert_str_eq(line, "PUT /bucket/p/k HTTP/1.1");
    mlops__s3_close(c);
    scripted_stop(srv);
}
END_TEST

/* Past the last try: MLOPS_EIO naming the operation, key, endpoint,
 * status and S3's code. */
START_TEST(slowdown_until_the_end)
{
    scripted *srv = start(&slowdown, 1);
    mlops__s3 *c = client_of(srv, 3);
    TU_RC(MLOPS_EIO, mlops__s3_put("t", c, "some/key", "data", 4, NULL));
    const char *m = mlops_last_error();
    ck_assert_ptr_nonnull(strstr(m, "PUT object 'some/key'"));
    ck_assert_ptr_nonnull(strstr(m, endpoint));
    ck_assert_ptr_nonnull(strstr(m, "HTTP 503 SlowDown"));
    ck_assert_ptr_nonnull(strstr(m, "gave up after 3 tries"));
    ck_assert_ptr_null(strstr(m, "wJalrXUtnFEMI"));
    ck_assert_int_eq(scripted_requests(srv), 3);
    mlops__s3_close(c);
    scripted_stop(srv);
}
END_TEST

START_TEST(other_transient_answers)
{
    scripted_answer a[] = {
        {"500 Internal Server Error", NULL, NULL},
        {"429 Too Many Requests", NULL, NULL},
        {"400 Bad Request", NULL, "<Error><Code>RequestTimeout</Code></Error>"},
        {"502 Bad Gateway", NULL, NULL},
        {"200 OK", NULL, "hello"},
    };
    scripted *srv = start(a, 5);
    mlops__s3 *c = client_of(srv, 8);
    unsigned char *data = NULL;
    size_t len = 0;
    TU_OK(mlops__s3_get("t", c, "k", &data, &len));
    ck_assert_uint_eq(len, 5);
    ck_assert(memcmp(data, "hello", 5) == 0);
    free(data);
    ck_assert_uint_eq(retries(c), 4);
    mlops__s3_close(c);
    scripted_stop(srv);
}
END_TEST

/* Answers that are final at once: one request each. */
START_TEST(final_answers)
{
    scripted_answer bad = {"400 Bad Request", NULL, "<Error><Code>InvalidArgument</Code></Error>"};
    scripted *srv = start(&bad, 1);
    mlops__s3 *c = client_of(srv, 8);
    TU_RC(MLOPS_EIO, mlops__s3_put("t", c, "k", "x", 1, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "HTTP 400 InvalidArgument"));
    ck_assert_int_eq(scripted_requests(srv), 1);
    mlops__s3_close(c);
    scripted_stop(srv);

    /* A redirect is not followed: the client talks to its endpoint only. */
    scripted_answer moved = {"301 Moved Permanently", "Location: http://elsewhere.invalid/\r\n",
                             "<Error><Code>PermanentRedirect</Code></Error>"};
    srv = start(&moved, 1);
    c = client_of(srv, 8);
    unsigned char *data = NULL;
    size_t len = 0;
    TU_RC(MLOPS_EIO, mlops__s3_get("t", c, "k", &data, &len));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "HTTP 301 PermanentRedirect"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "signed for region 'us-east-1'"));
    ck_assert_int_eq(scripted_requests(srv), 1);
    mlops__s3_close(c);
    scripted_stop(srv);

    /* 501: a server without conditional PUTs (or another feature asked
     * for) does not gain it on a retry. */
    scripted_answer unimplemented = {"501 Not Implemented", NULL,
                                     "<Error><Code>NotImplemented</Code></Error>"};
    srv = start(&unimplemented, 1);
    c = client_of(srv, 8);
    TU_RC(MLOPS_EIO, mlops__s3_put("t", c, "k", "x", 1, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "HTTP 501 NotImplemented"));
    ck_assert_int_eq(scripted_requests(srv), 1);
    mlops__s3_close(c);
    scripted_stop(srv);

    scripted_answer denied = {"403 Forbidden", NULL, "<Error><Code>AccessDenied</Code></Error>"};
    srv = start(&denied, 1);
    c = client_of(srv, 8);
    TU_RC(MLOPS_EPERM, mlops__s3_delete("t", c, "k"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "HTTP 403 AccessDenied"));
    ck_assert_int_eq(scripted_requests(srv), 1);
    mlops__s3_close(c);
    scripted_stop(srv);
}
END_TEST

START_TEST(answers_that_are_success)
{
    scripted_answer a[] = {
        {"412 Precondition Failed", NULL, "<Error><Code>PreconditionFailed</Code></Error>"},
        {"404 Not Found", NULL, "<Error><Code>NoSuchKey</Code></Error>"},
        {"404 Not Found", NULL, NULL},
        {"416 Range Not Satisfiable", NULL, "<Error><Code>InvalidRange</Code></Error>"},
        /* A server that ignores Range sends the whole object. */
        {"200 OK", NULL, "0123456789"},
        {"200 OK", NULL, NULL},
    };
    scripted *srv = start(a, 6);
    mlops__s3 *c = client_of(srv, 8);
    TU_OK(mlops__s3_put("t", c, "k", "x", 1, NULL));
    unsigned char *data = NULL;
    size_t len = 0;
    TU_RC(MLOPS_ENOTFOUND, mlops__s3_get("t", c, "k", &data, &len));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "no such key"));
    TU_RC(MLOPS_ENOTFOUND, mlops__s3_head("t", c, "k", NULL));
    char buf[4];
    size_t got = 99;
    TU_OK(mlops__s3_get_range("t", c, "k", 100, buf, sizeof buf, &got));
    ck_assert_uint_eq(got, 0);
    TU_OK(mlops__s3_get_range("t", c, "k", 3, buf, sizeof buf, &got));
    ck_assert_uint_eq(got, 4);
    ck_assert(memcmp(buf, "3456", 4) == 0);
    /* No bytes asked for: no request. */
    TU_OK(mlops__s3_get_range("t", c, "k", 0, buf, 0, &got));
    ck_assert_int_eq(scripted_requests(srv), 5);
    ck_assert_uint_eq(retries(c), 0);
    mlops__s3_close(c);
    scripted_stop(srv);
}
END_TEST

static int count(void *ctx, const char *key, uint64_t size, int64_t mtime_ms)
{
    (void)mtime_ms;
    (void)key;
    (void)size;
    ++*(int *)ctx;
    return 0;
}

START_TEST(listings_not_guessed_at)
{
    /* Truncated, but no token to go on with. */
    scripted_answer notoken = {"200 OK", NULL,
                               "<ListBucketResult><IsTruncated>true</IsTruncated>"
                               "<Contents><Key>p/a</Key><Size>1</Size></Contents></ListBucketResult>"};
    scripted *srv = start(&notoken, 1);
    mlops__s3 *c = client_of(srv, 8);
    int n = 0;
    TU_RC(MLOPS_EFORMAT, mlops__s3_list("t", c, NULL, count, &n));
    ck_assert_int_eq(n, 1);
    mlops__s3_close(c);
    scripted_stop(srv);

    /* The same token again: a server going round in circles. */
    scripted_answer loop = {"200 OK", NULL,
                            "<ListBucketResult><IsTruncated>true</IsTruncated>"
                            "<NextContinuationToken>t1</NextContinuationToken></ListBucketResult>"};
    srv = start(&loop, 1);
    c = client_of(srv, 8);
    TU_RC(MLOPS_EFORMAT, mlops__s3_list("t", c, NULL, count, &n));
    ck_assert_int_eq(scripted_requests(srv), 2);
    char line[160];
    scripted_request_line(srv, 1, line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, "continuation-token=t1"));
    mlops__s3_close(c);
    scripted_stop(srv);

    /* A key outside the prefix asked for. */
    scripted_answer outside = {"200 OK", NULL,
                               "<ListBucketResult><IsTruncated>false</IsTruncated>"
                               "<Contents><Key>q/a</Key><Size>1</Size></Contents></ListBucketResult>"};
    srv = start(&outside, 1);
    c = client_of(srv, 8);
    TU_RC(MLOPS_EFORMAT, mlops__s3_list("t", c, NULL, count, &n));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "outside"));
    mlops__s3_close(c);
    scripted_stop(srv);

    /* Not XML at all. */
    scripted_answer html = {"200 OK", NULL, "<html>captive portal</html>"};
    srv = start(&html, 1);
    c = client_of(srv, 8);
    TU_RC(MLOPS_EFORMAT, mlops__s3_list("t", c, NULL, count, &n));
    mlops__s3_close(c);
    scripted_stop(srv);

    /* A first page refused: nothing of the page that never came is freed
     * (it once freed whatever its uninitialised token held). */
    scripted_answer nobucket = {"404 Not Found", NULL,
                                "<Error><Code>NoSuchBucket</Code></Error>"};
    srv = start(&nobucket, 1);
    c = client_of(srv, 8);
    n = 0;
    TU_RC(MLOPS_EIO, mlops__s3_list("t", c, NULL, count, &n));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "the bucket does not exist"));
    ck_assert_int_eq(n, 0);
    mlops__s3_close(c);
    scripted_stop(srv);
}
END_TEST

/* CRC-32C, which every object PUT carries (x-amz-checksum-crc32c): the
 * check value of the Castagnoli polynomial, S3's base64 of it, and the
 * fast path against a bit-by-bit reference at every alignment and length
 * around the 8-byte steps. */
static uint32_t crc32c_bitwise(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

START_TEST(crc32c_values)
{
    ck_assert_uint_eq(mlops__crc32c("123456789", 9), 0xE3069283u);
    ck_assert_uint_eq(mlops__crc32c("", 0), 0);
    char b64[9];
    mlops__crc32c_base64(0xE3069283u, b64);
    ck_assert_str_eq(b64, "4waSgw==");
    mlops__crc32c_base64(0, b64);
    ck_assert_str_eq(b64, "AAAAAA==");
    unsigned char buf[300];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i * 73 + 11);
    for (size_t off = 0; off < 9; off++)
        for (size_t n = 0; n + off <= sizeof buf; n += n < 40 ? 1 : 37)
            ck_assert_uint_eq(mlops__crc32c(buf + off, n), crc32c_bitwise(buf + off, n));
    /* carried over pieces (a bundle frame's length, then its bytes) */
    for (size_t k = 0; k <= sizeof buf; k += 7)
        ck_assert_uint_eq(mlops__crc32c_update(mlops__crc32c(buf, k), buf + k, sizeof buf - k),
                          crc32c_bitwise(buf, sizeof buf));
}
END_TEST

/* On AWS (virtual-host style) a bucket with a '.' in its name stays
 * path-style over https, as doc/s3.md says and mlops__s3_target_make
 * does: AWS's certificate (*.s3.REGION.amazonaws.com) would not match
 * "my.data.s3.REGION.amazonaws.com", and every request failed. */
START_TEST(dotted_bucket_stays_path_style)
{
    static const struct {
        const char *endpoint, *bucket, *host, *path_base;
    } cases[] = {
        {"https://s3.eu-west-1.amazonaws.com", "my.data", "s3.eu-west-1.amazonaws.com",
         "/my.data"},
        {"https://s3.eu-west-1.amazonaws.com", "my-data", "my-data.s3.eu-west-1.amazonaws.com",
         ""},
        {"http://127.0.0.1:9000", "my.data", "my.data.127.0.0.1:9000", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mlops__s3_settings s;
        memset(&s, 0, sizeof s);
        s.endpoint = cases[i].endpoint;
        s.region = "eu-west-1";
        s.bucket = cases[i].bucket;
        s.prefix = "";
        s.path_style = 0;
        s.access_key = "AKIDEXAMPLE";
        s.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        mlops__s3 *c = NULL;
        TU_OK(mlops__s3_open("t", &s, NULL, &c));
        ck_assert_str_eq(c->host, cases[i].host);
        ck_assert_str_eq(c->path_base, cases[i].path_base);
        mlops__s3_close(c);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("s3_retry");
    TCase *tc = tcase_create("s3_retry");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, crc32c_values);
    tcase_add_test(tc, slowdown_is_retried);
    tcase_add_test(tc, long_session_token_is_sent_whole);
    tcase_add_test(tc, slowdown_until_the_end);
    tcase_add_test(tc, other_transient_answers);
    tcase_add_test(tc, final_answers);
    tcase_add_test(tc, answers_that_are_success);
    tcase_add_test(tc, listings_not_guessed_at);
    tcase_add_test(tc, dotted_bucket_stays_path_style);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
