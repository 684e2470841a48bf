/* The S3 client (lib/objects/s3/s3_http.h) against a real server: the
 * versitygw that scripts/with-s3.sh starts for the run (MLOPS_TEST_S3,
 * AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY). Each test works under a key prefix of its own.
 * Faults go through the test TCP proxy (tests/faults/tcpproxy.h) in
 * front of the server: a connection dropped in the middle of a PUT's body
 * or right after it is retried, and the object arrives whole. */
#include "testutil.h"

#include "faults/tcpproxy.h"
#include "objects/s3/s3_http.h"
#include "util/clock.h"

#include <arpa/inet.h>
#include <mlops.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

/* The server's settings, from the environment with-s3.sh sets. */
static char bucket[64], base_prefix[256];

static void settings(mlops__s3_settings *s, const char *sub, char *prefix, size_t cap)
{
    const char *uri = getenv("MLOPS_TEST_S3");
    ck_assert_msg(uri != NULL, "MLOPS_TEST_S3 is not set: run under scripts/with-s3.sh");
    ck_assert(strncmp(uri, "s3://", 5) == 0);
    const char *b = uri + 5, *slash = strchr(b, '/');
    size_t bl = slash ? (size_t)(slash - b) : strlen(b);
    ck_assert(bl < sizeof bucket);
    memcpy(bucket, b, bl);
    bucket[bl] = '\0';
    snprintf(base_prefix, sizeof base_prefix, "%s", slash ? slash + 1 : "");
    snprintf(prefix, cap, "%s%s%s/", base_prefix, base_prefix[0] ? "/" : "", sub);
    memset(s, 0, sizeof *s);
    s->endpoint = getenv("AWS_ENDPOINT_URL_S3");
    s->region = getenv("AWS_REGION");
    s->access_key = getenv("AWS_ACCESS_KEY_ID");
    s->secret_key = getenv("AWS_SECRET_ACCESS_KEY");
    ck_assert(s->endpoint && s->region && s->access_key && s->secret_key);
    s->bucket = bucket;
    s->prefix = prefix;
    s->path_style = 1;
}

static mlops__s3 *client(const char *sub, const mlops__s3_limits *lim)
{
    mlops__s3_settings s;
    char prefix[512];
    settings(&s, sub, prefix, sizeof prefix);
    mlops__s3 *c = NULL;
    TU_OK(mlops__s3_open("t", &s, lim, &c));
    return c;
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)((i * 131 + seed * 7 + (i >> 9)) & 0xff);
}

static void expect_object(mlops__s3 *c, const char *key, const void *want, size_t n)
{
    unsigned char *got = NULL;
    size_t len = 0;
    TU_OK(mlops__s3_get("t", c, key, &got, &len));
    ck_assert_uint_eq(len, n);
    ck_assert(n == 0 || memcmp(got, want, n) == 0);
    free(got);
}

START_TEST(put_get_head_delete)
{
    mlops__s3 *c = client("basic", NULL);
    size_t n = 300000;
    unsigned char *data = malloc(n);
    fill(data, n, 1);
    TU_OK(mlops__s3_put("t", c, "ab/cdef", data, n, NULL));
    expect_object(c, "ab/cdef", data, n);
    uint64_t size = 0;
    TU_OK(mlops__s3_head("t", c, "ab/cdef", &size));
    ck_assert_uint_eq(size, n);
    /* A range in the middle, one past the end, one after it. */
    unsigned char part[1000];
    size_t got = 0;
    TU_OK(mlops__s3_get_range("t", c, "ab/cdef", 123456, part, sizeof part, &got));
    ck_assert_uint_eq(got, sizeof part);
    ck_assert(memcmp(part, data + 123456, sizeof part) == 0);
    TU_OK(mlops__s3_get_range("t", c, "ab/cdef", n - 10, part, sizeof part, &got));
    ck_assert_uint_eq(got, 10);
    ck_assert(memcmp(part, data + n - 10, 10) == 0);
    TU_OK(mlops__s3_get_range("t", c, "ab/cdef", n + 5, part, sizeof part, &got));
    ck_assert_uint_eq(got, 0);
    /* An empty object. */
    TU_OK(mlops__s3_put("t", c, "empty", "", 0, NULL));
    expect_object(c, "empty", "", 0);
    TU_OK(mlops__s3_head("t", c, "empty", &size));
    ck_assert_uint_eq(size, 0);

    TU_OK(mlops__s3_delete("t", c, "ab/cdef"));
    TU_RC(MLOPS_ENOTFOUND, mlops__s3_head("t", c, "ab/cdef", &size));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "ab/cdef"));
    unsigned char *p = NULL;
    size_t len = 0;
    TU_RC(MLOPS_ENOTFOUND, mlops__s3_get("t", c, "ab/cdef", &p, &len));
    ck_assert_ptr_null(p);
    TU_RC(MLOPS_ENOTFOUND, mlops__s3_get_range("t", c, "ab/cdef", 0, part, 10, &got));
    /* Deleting what is not there is no error (S3 answers 204). */
    TU_OK(mlops__s3_delete("t", c, "ab/cdef"));
    mlops__s3_stats st;
    mlops__s3_stats_get(c, &st);
    ck_assert_uint_eq(st.retries, 0);
    /* One thread, one handle: its connection served every request. */
    ck_assert_uint_eq(st.handles, 1);
    free(data);
    mlops__s3_close(c);
}
END_TEST

/* A second PUT of a key gets 412 (If-None-Match: *), which is success:
 * the bytes there stay the first ones. */
START_TEST(put_is_idempotent)
{
    mlops__s3 *c = client("idem", NULL);
    TU_OK(mlops__s3_put("t", c, "k", "first", 5, NULL));
    TU_OK(mlops__s3_put("t", c, "k", "second!", 7, NULL));
    expect_object(c, "k", "first", 5);
    mlops__s3_stats st;
    mlops__s3_stats_get(c, &st);
    ck_assert_uint_eq(st.requests, 3);
    ck_assert_uint_eq(st.retries, 0);
    mlops__s3_close(c);
}
END_TEST

typedef struct listed {
    char keys[64][64];
    uint64_t sizes[64];
    int n;
} listed;

static int collect(void *ctx, const char *key, uint64_t size, int64_t mtime_ms)
{
    listed *l = ctx;
    /* LastModified is read: the key was written in this run, within a day */
    int64_t now = (int64_t)time(NULL) * 1000;
    ck_assert(mtime_ms > now - 86400000 && mtime_ms < now + 86400000);
    ck_assert_int_lt(l->n, 64);
    snprintf(l->keys[l->n], sizeof l->keys[0], "%s", key);
    l->sizes[l->n] = size;
    l->n++;
    return 0;
}

static int stop_at_three(void *ctx, const char *key, uint64_t size, int64_t mtime_ms)
{
    (void)mtime_ms;
    (void)key;
    (void)size;
    return ++*(int *)ctx == 3 ? 42 : 0;
}

static int count_keys(void *ctx, const char *key, uint64_t size, int64_t mtime_ms)
{
    (void)mtime_ms;
    (void)key;
    (void)size;
    ++*(int *)ctx;
    return 0;
}

/* Pages of 7 keys: 25 keys take 4 pages and continuation tokens. */
START_TEST(list_pages)
{
    mlops__s3_limits lim = {0};
    lim.max_keys = 7;
    mlops__s3 *c = client("list", &lim);
    char key[32];
    for (int i = 0; i < 25; i++) {
        snprintf(key, sizeof key, "d/%02d", i);
        TU_OK(mlops__s3_put("t", c, key, key, (size_t)i, NULL));
    }
    TU_OK(mlops__s3_put("t", c, "other", "x", 1, NULL));
    mlops__s3_stats before, after;
    mlops__s3_stats_get(c, &before);
    listed l;
    memset(&l, 0, sizeof l);
    TU_OK(mlops__s3_list("t", c, "d/", collect, &l));
    mlops__s3_stats_get(c, &after);
    ck_assert_int_eq(l.n, 25);
    for (int i = 0; i < 25; i++) {
        snprintf(key, sizeof key, "d/%02d", i);
        ck_assert_str_eq(l.keys[i], key);
        ck_assert_uint_eq(l.sizes[i], (uint64_t)i);
    }
    ck_assert_uint_eq(after.requests - before.requests, 4);
    /* Everything under the client's prefix, and a stop from the callback. */
    memset(&l, 0, sizeof l);
    TU_OK(mlops__s3_list("t", c, NULL, collect, &l));
    ck_assert_int_eq(l.n, 26);
    ck_assert_str_eq(l.keys[25], "other");
    int seen = 0;
    TU_RC(42, mlops__s3_list("t", c, "d/", stop_at_three, &seen));
    ck_assert_int_eq(seen, 3);
    /* Nothing under a prefix: no call, no error. */
    memset(&l, 0, sizeof l);
    TU_OK(mlops__s3_list("t", c, "none/", collect, &l));
    ck_assert_int_eq(l.n, 0);
    mlops__s3_close(c);
}
END_TEST

/* Bytes that the path, the query (the listing's prefix) and the XML
 * answer each have to encode. */
START_TEST(keys_needing_encoding)
{
    mlops__s3 *c = client("enc oded+&", NULL);
    /* (No "a//b/./c" nor "x/../y": versitygw's posix backend keeps keys
     * as file paths and lists those back as "a/b/c" and "y".) */
    const char *keys[] = {"a b/c+d&e=f", "q?x#y%20z", "<tag>\"'", "ünï/cödé~", "(p)!*$,;:@ 't'"};
    size_t nk = sizeof keys / sizeof keys[0];
    for (size_t i = 0; i < nk; i++) TU_OK(mlops__s3_put("t", c, keys[i], keys[i], strlen(keys[i]), NULL));
    for (size_t i = 0; i < nk; i++) {
        expect_object(c, keys[i], keys[i], strlen(keys[i]));
        uint64_t size = 0;
        TU_OK(mlops__s3_head("t", c, keys[i], &size));
        ck_assert_uint_eq(size, strlen(keys[i]));
    }
    listed l;
    memset(&l, 0, sizeof l);
    TU_OK(mlops__s3_list("t", c, NULL, collect, &l));
    ck_assert_int_eq(l.n, (int)nk);
    for (size_t i = 0; i < nk; i++) {
        int found = 0;
        for (int j = 0; j < l.n; j++) found |= strcmp(l.keys[j], keys[i]) == 0;
        ck_assert_msg(found, "'%s' is not in the listing", keys[i]);
    }
    for (size_t i = 0; i < nk; i++) TU_OK(mlops__s3_delete("t", c, keys[i]));
    /* Keys S3 cannot list back (control characters) are refused here. */
    TU_RC(MLOPS_EINVAL, mlops__s3_put("t", c, "a\nb", "x", 1, NULL));
    mlops__s3_close(c);
}
END_TEST

START_TEST(wrong_secret_is_refused_at_once)
{
    mlops__s3_settings s;
    char prefix[512];
    settings(&s, "secret", prefix, sizeof prefix);
    s.secret_key = "not-the-secret-0123456789";
    mlops__s3 *c = NULL;
    TU_OK(mlops__s3_open("t", &s, NULL, &c));
    TU_RC(MLOPS_EPERM, mlops__s3_put("t", c, "k", "x", 1, NULL));
    const char *m = mlops_last_error();
    ck_assert_ptr_nonnull(strstr(m, "403"));
    ck_assert_ptr_nonnull(strstr(m, "SignatureDoesNotMatch"));
    ck_assert_ptr_nonnull(strstr(m, s.endpoint));
    ck_assert_ptr_null(strstr(m, s.secret_key));
    mlops__s3_stats st;
    mlops__s3_stats_get(c, &st);
    ck_assert_uint_eq(st.requests, 1);
    mlops__s3_close(c);
    /* An unknown access key: the same (S3 says 403 InvalidAccessKeyId,
     * versitygw 404 XAdminUserNotFound; a HEAD's answer has no body to
     * tell that 404 from a missing key, so this is a GET). */
    s.access_key = "nobody-we-know";
    TU_OK(mlops__s3_open("t", &s, NULL, &c));
    unsigned char *p = NULL;
    size_t len = 0;
    TU_RC(MLOPS_EPERM, mlops__s3_get("t", c, "k", &p, &len));
    mlops__s3_stats_get(c, &st);
    ck_assert_uint_eq(st.requests, 1);
    mlops__s3_close(c);
}
END_TEST

/* A request signed for another region than the server's: the message
 * names the region it was signed for. */
START_TEST(wrong_region_is_named)
{
    mlops__s3_settings s;
    char prefix[512];
    settings(&s, "region", prefix, sizeof prefix);
    s.region = strcmp(s.region, "eu-west-1") ? "eu-west-1" : "us-west-2";
    mlops__s3 *c = NULL;
    TU_OK(mlops__s3_open("t", &s, NULL, &c));
    ck_assert_int_ne(mlops__s3_put("t", c, "k", "x", 1, NULL), MLOPS_OK);
    char want[64];
    snprintf(want, sizeof want, "signed for region '%s'", s.region);
    ck_assert_msg(strstr(mlops_last_error(), want), "%s", mlops_last_error());
    mlops__s3_close(c);
}
END_TEST

/* A port nobody listens on. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* No server: retried with backoff until the budget is spent, then
 * MLOPS_EIO naming the endpoint, the operation and the key. */
START_TEST(no_server_gives_eio_within_budget)
{
    mlops__s3_settings s;
    char prefix[512], endpoint[64];
    settings(&s, "gone", prefix, sizeof prefix);
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", closed_port());
    s.endpoint = endpoint;
    mlops__s3_limits lim = {0};
    lim.budget_ms = 1500;
    lim.backoff_base_ms = 50;
    lim.backoff_max_ms = 400;
    lim.max_attempts = 100;
    mlops__s3 *c = NULL;
    TU_OK(mlops__s3_open("t", &s, &lim, &c));
    int64_t t0 = mlops__monotonic_ns();
    TU_RC(MLOPS_EIO, mlops__s3_put("t", c, "some/key", "x", 1, NULL));
    double secs = (double)(mlops__monotonic_ns() - t0) / 1e9;
    const char *m = mlops_last_error();
    ck_assert_ptr_nonnull(strstr(m, endpoint));
    ck_assert_ptr_nonnull(strstr(m, "PUT object"));
    ck_assert_ptr_nonnull(strstr(m, "some/key"));
    ck_assert_ptr_nonnull(strstr(m, "gave up after"));
    ck_assert_msg(secs < 1.5 + 0.5, "took %.2f s", secs);
    mlops__s3_stats st;
    mlops__s3_stats_get(c, &st);
    ck_assert_uint_ge(st.retries, 3);
    mlops__s3_close(c);
    /* The attempts cap holds as well as the time budget. */
    lim.max_attempts = 2;
    TU_OK(mlops__s3_open("t", &s, &lim, &c));
    TU_RC(MLOPS_EIO, mlops__s3_get("t", c, "k", &(unsigned char *){NULL}, &(size_t){0}));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "after 2 tries"));
    mlops__s3_close(c);
}
END_TEST

START_TEST(bad_settings)
{
    mlops__s3_settings s;
    char prefix[512];
    settings(&s, "x", prefix, sizeof prefix);
    mlops__s3 *c = NULL;
    mlops__s3_settings b = s;
    b.endpoint = "ftp://127.0.0.1:21";
    TU_RC(MLOPS_EINVAL, mlops__s3_open("t", &b, NULL, &c));
    b = s;
    b.endpoint = "http://127.0.0.1:9/some/path";
    TU_RC(MLOPS_EINVAL, mlops__s3_open("t", &b, NULL, &c));
    b = s;
    b.endpoint = "http://user:pw@127.0.0.1:9";
    TU_RC(MLOPS_EINVAL, mlops__s3_open("t", &b, NULL, &c));
    ck_assert_ptr_null(strstr(mlops_last_error(), "pw"));
    b = s;
    b.bucket = "Not_A_Bucket";
    TU_RC(MLOPS_EINVAL, mlops__s3_open("t", &b, NULL, &c));
    b = s;
    b.secret_key = NULL;
    TU_RC(MLOPS_EINVAL, mlops__s3_open("t", &b, NULL, &c));
    ck_assert_ptr_null(c);
}
END_TEST

START_TEST(create_bucket)
{
    mlops__s3_settings s;
    char prefix[512];
    settings(&s, "b", prefix, sizeof prefix);
    s.bucket = "mlops-second";
    s.prefix = NULL;
    mlops__s3 *c = NULL;
    TU_OK(mlops__s3_open("t", &s, NULL, &c));
    /* A missing bucket is a setting to fix, not a missing object: EIO
     * (callers take MLOPS_ENOTFOUND for "no such object"). */
    TU_RC(MLOPS_EIO, mlops__s3_put("t", c, "k", "v", 1, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "bucket does not exist"));
    unsigned char *p = NULL;
    size_t len = 0;
    TU_RC(MLOPS_EIO, mlops__s3_get("t", c, "k", &p, &len));
    TU_RC(MLOPS_EIO, mlops__s3_delete("t", c, "k"));
    TU_OK(mlops__s3_create_bucket("t", c));
    TU_OK(mlops__s3_create_bucket("t", c)); /* ours already */
    TU_OK(mlops__s3_put("t", c, "k", "v", 1, NULL));
    expect_object(c, "k", "v", 1);
    mlops__s3_close(c);
}
END_TEST

typedef struct worker {
    mlops__s3 *c;
    int id, failed;
} worker;

static void *put_many(void *arg)
{
    worker *w = arg;
    char key[32], val[64];
    for (int i = 0; i < 40 && !w->failed; i++) {
        snprintf(key, sizeof key, "w%d/%03d", w->id, i);
        snprintf(val, sizeof val, "worker %d item %d", w->id, i);
        if (mlops__s3_put("t", w->c, key, val, strlen(val), NULL) != MLOPS_OK) w->failed = 1;
    }
    return NULL;
}

/* Four threads on one client: every object arrives, on at most four
 * handles (their connections reused across the 160 requests). */
START_TEST(threads_share_a_client)
{
    mlops__s3 *c = client("threads", NULL);
    pthread_t th[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){c, i, 0};
        ck_assert_int_eq(pthread_create(&th[i], NULL, put_many, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_msg(!w[i].failed, "worker %d: %s", i, mlops_last_error());
    }
    mlops__s3_stats st;
    mlops__s3_stats_get(c, &st);
    ck_assert_uint_le(st.handles, 4);
    ck_assert_uint_eq(st.requests, 160);
    int n = 0;
    TU_OK(mlops__s3_list("t", c, NULL, count_keys, &n));
    ck_assert_int_eq(n, 160);
    char val[64];
    snprintf(val, sizeof val, "worker %d item %d", 3, 39);
    expect_object(c, "w3/039", val, strlen(val));
    mlops__s3_close(c);
}
END_TEST

/* A client whose endpoint is a proxy in front of the server; lim NULL:
 * short backoffs, 20 tries. */
static mlops__s3 *proxied(const char *sub, tproxy **p, const mlops__s3_limits *lim,
                          char *endpoint, size_t cap)
{
    mlops__s3_settings s;
    char prefix[512];
    settings(&s, sub, prefix, sizeof prefix);
    const char *port = strrchr(s.endpoint, ':');
    ck_assert_ptr_nonnull(port);
    ck_assert_int_eq(tproxy_start("127.0.0.1", atoi(port + 1), p), 0);
    snprintf(endpoint, cap, "http://127.0.0.1:%d", tproxy_port(*p));
    s.endpoint = endpoint;
    mlops__s3_limits def = {0};
    def.backoff_base_ms = 20;
    def.max_attempts = 20;
    mlops__s3 *c = NULL;
    TU_OK(mlops__s3_open("t", &s, lim ? lim : &def, &c));
    return c;
}

/* Requests one after another share one connection: the proxy sees one. */
START_TEST(connections_are_reused)
{
    tproxy *p = NULL;
    char endpoint[64], key[16];
    mlops__s3 *c = proxied("reuse", &p, NULL, endpoint, sizeof endpoint);
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof key, "k%d", i);
        TU_OK(mlops__s3_put("t", c, key, key, strlen(key), NULL));
        expect_object(c, key, key, strlen(key));
    }
    ck_assert_int_eq(tproxy_accepted(p), 1);
    mlops__s3_close(c);
    tproxy_stop(p);
}
END_TEST

/* The connection drops in the middle of the body: the server has a part,
 * never an object; the retry sends it whole. */
START_TEST(dropped_mid_put_is_retried)
{
    tproxy *p = NULL;
    char endpoint[64];
    mlops__s3 *c = proxied("drop-mid", &p, NULL, endpoint, sizeof endpoint);
    size_t n = 1 << 20;
    unsigned char *data = malloc(n);
    fill(data, n, 2);
    /* 16 bytes from the middle of the body (the fill pattern does not
     * repeat within 64 KiB, so they occur there first). */
    tproxy_arm(p, data + n / 2, 16, TP_DROP_AFTER);
    TU_OK(mlops__s3_put("t", c, "big", data, n, NULL));
    ck_assert_int_eq(tproxy_fired(p), 1);
    mlops__s3_stats st;
    mlops__s3_stats_get(c, &st);
    ck_assert_uint_ge(st.retries, 1);
    expect_object(c, "big", data, n);
    mlops__s3_close(c);
    tproxy_stop(p);
    free(data);
}
END_TEST

/* A byte of the body changes on the way: the server checks the body
 * against the signed x-amz-checksum-crc32c and refuses it (400
 * BadDigest), the client sends it again, and the stored object is the
 * one sent. Without a checksum the server would store the damaged bytes. */
START_TEST(body_damaged_on_the_way_is_refused_and_retried)
{
    tproxy *p = NULL;
    char endpoint[64];
    mlops__s3 *c = proxied("flip", &p, NULL, endpoint, sizeof endpoint);
    size_t n = 300000;
    unsigned char *data = malloc(n);
    fill(data, n, 4);
    tproxy_arm(p, data + n / 3, 16, TP_FLIP);
    int created = 0;
    TU_OK(mlops__s3_put("t", c, "flipped", data, n, &created));
    ck_assert_int_eq(tproxy_fired(p), 1);
    ck_assert_int_eq(created, 1);
    mlops__s3_stats st;
    mlops__s3_stats_get(c, &st);
    ck_assert_uint_eq(st.retries, 1);
    expect_object(c, "flipped", data, n);
    /* Past the last try: MLOPS_EIO naming S3's code. */
    mlops__s3_close(c);
    mlops__s3_limits lim = {0};
    lim.backoff_base_ms = 5;
    lim.max_attempts = 1;
    tproxy_stop(p);
    c = proxied("flip", &p, &lim, endpoint, sizeof endpoint);
    fill(data, n, 5);
    tproxy_arm(p, data + n / 2, 16, TP_FLIP);
    TU_RC(MLOPS_EIO, mlops__s3_put("t", c, "flipped-2", data, n, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "HTTP 400 BadDigest"));
    TU_RC(MLOPS_ENOTFOUND, mlops__s3_head("t", c, "flipped-2", NULL));
    mlops__s3_close(c);
    tproxy_stop(p);
    free(data);
}
END_TEST

static void *unrefuse_later(void *arg)
{
    mlops__sleep_us(100000);
    tproxy_refuse(arg, 0);
    return NULL;
}

/* The connection drops right after the last byte of the body: the server
 * may have stored the object, the client never heard. The retry's
 * If-None-Match gets 412 (or a fresh 200): either way success, and the
 * object is whole. */
START_TEST(dropped_after_put_is_retried)
{
    tproxy *p = NULL;
    char endpoint[64];
    mlops__s3 *c = proxied("drop-after", &p, NULL, endpoint, sizeof endpoint);
    size_t n = 200000;
    unsigned char *data = malloc(n);
    fill(data, n, 3);
    tproxy_arm(p, data + n - 16, 16, TP_DROP_AFTER);
    TU_OK(mlops__s3_put("t", c, "obj", data, n, NULL));
    ck_assert_int_eq(tproxy_fired(p), 1);
    mlops__s3_stats st;
    mlops__s3_stats_get(c, &st);
    ck_assert_uint_ge(st.retries, 1);
    expect_object(c, "obj", data, n);
    /* Every connection dropped, then new ones refused for a moment:
     * retried until the proxy lets them through again. */
    tproxy_drop_all(p);
    tproxy_refuse(p, 1);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, unrefuse_later, p), 0);
    expect_object(c, "obj", data, n);
    pthread_join(th, NULL);
    mlops__s3_stats_get(c, &st);
    ck_assert_uint_ge(st.retries, 2);
    mlops__s3_close(c);
    tproxy_stop(p);
    free(data);
}
END_TEST

/* The server goes away under a client with live connections (the proxy
 * stops: its connections are reset and its port closes): MLOPS_EIO
 * within the budget, naming the endpoint. */
START_TEST(server_gone_gives_eio)
{
    tproxy *p = NULL;
    char endpoint[64];
    mlops__s3_limits lim = {0};
    lim.budget_ms = 1000;
    lim.backoff_base_ms = 50;
    lim.max_attempts = 100;
    mlops__s3 *c = proxied("gone-live", &p, &lim, endpoint, sizeof endpoint);
    TU_OK(mlops__s3_put("t", c, "before", "x", 1, NULL));
    tproxy_stop(p);
    int64_t t0 = mlops__monotonic_ns();
    TU_RC(MLOPS_EIO, mlops__s3_put("t", c, "after", "y", 1, NULL));
    double secs = (double)(mlops__monotonic_ns() - t0) / 1e9;
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), endpoint));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "'after'"));
    ck_assert_msg(secs < 1.0 + 0.5, "took %.2f s", secs);
    mlops__s3_close(c);
}
END_TEST

static void *unstall_later(void *arg)
{
    mlops__sleep_us(1500000);
    tproxy_stall(arg, 0);
    return NULL;
}

/* A connection that stops moving bytes is dropped by the low-speed
 * limit and the request retried; once bytes flow again it succeeds. (A
 * GET: curl's speed is an average over the last seconds, so a large
 * upload that filled the socket buffers would keep it above the limit
 * for several seconds.) */
START_TEST(stalled_get_is_retried)
{
    tproxy *p = NULL;
    char endpoint[64];
    mlops__s3_limits lim = {0};
    lim.low_speed_time_s = 1;
    lim.backoff_base_ms = 20;
    mlops__s3 *c = proxied("stall", &p, &lim, endpoint, sizeof endpoint);
    size_t n = 100000;
    unsigned char *data = malloc(n);
    fill(data, n, 4);
    TU_OK(mlops__s3_put("t", c, "stalled", data, n, NULL));
    tproxy_stall(p, 1);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, unstall_later, p), 0);
    expect_object(c, "stalled", data, n);
    pthread_join(th, NULL);
    mlops__s3_stats st;
    mlops__s3_stats_get(c, &st);
    ck_assert_uint_ge(st.retries, 1);
    mlops__s3_close(c);
    tproxy_stop(p);
    free(data);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("s3_http");
    TCase *tc = tcase_create("s3_http");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, put_get_head_delete);
    tcase_add_test(tc, put_is_idempotent);
    tcase_add_test(tc, list_pages);
    tcase_add_test(tc, keys_needing_encoding);
    tcase_add_test(tc, wrong_secret_is_refused_at_once);
    tcase_add_test(tc, wrong_region_is_named);
    tcase_add_test(tc, no_server_gives_eio_within_budget);
    tcase_add_test(tc, bad_settings);
    tcase_add_test(tc, create_bucket);
    tcase_add_test(tc, threads_share_a_client);
    tcase_add_test(tc, connections_are_reused);
    tcase_add_test(tc, dropped_mid_put_is_retried);
    tcase_add_test(tc, dropped_after_put_is_retried);
    tcase_add_test(tc, body_damaged_on_the_way_is_refused_and_retried);
    tcase_add_test(tc, server_gone_gives_eio);
    tcase_add_test(tc, stalled_get_is_retried);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
