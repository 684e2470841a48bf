/* Stores whose objects are on S3, through the public API, against the
 * versitygw that scripts/with-s3.sh starts: making one (with local
 * metadata), mlops.conf's S3 keys, the settings taken from the
 * environment or the store, the read cache's folder and bound, and the
 * errors a user meets (no credentials, a malformed setting). */
#include "testutil.h"
#include "cas_testutil.h"

#include <mlops.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *s3_base(void)
{
    const char *s3 = getenv("MLOPS_TEST_S3");
    ck_assert_msg(s3 && *s3, "MLOPS_TEST_S3 is unset: run under scripts/with-s3.sh");
    return s3;
}

/* "<MLOPS_TEST_S3>/<name>-<pid>" */
static void url_for(const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s-%ld", s3_base(), name, (long)getpid());
}

static int file_exists(const char *dir, const char *name)
{
    char *p = tu_path(dir, name);
    int yes = access(p, F_OK) == 0;
    free(p);
    return yes;
}

START_TEST(create_with_local_metadata)
{
    char *dir = tu_tmpdir_local();
    char *st = tu_path(dir, "store");
    char url[512];
    url_for("create", url, sizeof url);
    mlops_store_location loc = MLOPS_STORE_LOCATION_INIT;
    loc.objects = url;
    mlops_store *s = NULL;
    TU_OK(mlops_store_create(st, &loc, NULL, &s));
    mlops_digest d;
    TU_OK(mlops_blob_put(s, "on s3", 5, &d));
    mlops_store_close(s);
    /* mlops.conf names the objects and no metadata: SQLite in the folder */
    char *conf = tu_path(st, "mlops.conf");
    FILE *f = fopen(conf, "r");
    ck_assert_ptr_nonnull(f);
    char text[1024] = { 0 };
    ck_assert_uint_gt(fread(text, 1, sizeof text - 1, f), 0);
    fclose(f);
    char line[600];
    snprintf(line, sizeof line, "\nobjects %s\n", url);
    ck_assert_ptr_nonnull(strstr(text, line));
    ck_assert_ptr_null(strstr(text, "metadata"));
    ck_assert_ptr_null(strstr(text, getenv("AWS_SECRET_ACCESS_KEY")));
    ck_assert(file_exists(st, "mlops.db"));
    ck_assert(!file_exists(st, "objects"));
    /* another handle reads it back from S3, then from the cache */
    TU_OK(mlops_store_open(st, NULL, &s));
    void *p = NULL;
    size_t len = 0;
    TU_OK(mlops_blob_get(s, &d, &p, &len));
    ck_assert_uint_eq(len, 5);
    ck_assert_int_eq(memcmp(p, "on s3", 5), 0);
    mlops_free(p);
    mlops_store_close(s);
    ck_assert(file_exists(st, "cache/CACHEDIR.TAG"));
    /* an objects folder (not S3) without metadata is refused */
    char *other = tu_path(dir, "other");
    loc.objects = dir;
    TU_RC(MLOPS_EINVAL, mlops_store_create(other, &loc, NULL, &s));
    free(other);
    free(conf);
    free(st);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* An S3 prefix holds one store: a second store made on it is refused
 * (gc in either would take the other's objects for orphans and remove
 * them), and leaves nothing behind; a creation that fails after claiming
 * a prefix gives it back. */
START_TEST(a_prefix_holds_one_store)
{
    char *dir = tu_tmpdir_local();
    char *a = tu_path(dir, "a"), *b = tu_path(dir, "b"), *c = tu_path(dir, "c");
    char url[512], url2[512];
    url_for("claimed", url, sizeof url);
    url_for("given-back", url2, sizeof url2);
    mlops_store_location loc = MLOPS_STORE_LOCATION_INIT;
    loc.objects = url;
    mlops_store *s = NULL, *t = NULL;
    TU_OK(mlops_store_create(a, &loc, NULL, &s));
    mlops_digest d;
    TU_OK(mlops_blob_put(s, "the first store's", 17, &d));
    TU_RC(MLOPS_EEXIST, mlops_store_create(b, &loc, NULL, &t));
    ck_assert_ptr_null(t);
    const char *m = mlops_last_error();
    ck_assert_msg(strstr(m, "s3://") && strstr(m, "prefix of its own"), "%s", m);
    ck_assert_int_ne(access(b, F_OK), 0);
    mlops_gc_report rep = MLOPS_GC_REPORT_INIT;
    TU_OK(mlops_store_gc(s, NULL, &rep));
    void *p = NULL;
    size_t len = 0;
    TU_OK(mlops_blob_get(s, &d, &p, &len));
    mlops_free(p);
    mlops_store_close(s);

    /* A bucket that does not exist: the creation says so, at once. */
    char *nob = tu_path(dir, "nobucket");
    loc.objects = "s3://no-such-bucket-here/p";
    TU_RC(MLOPS_EIO, mlops_store_create(nob, &loc, NULL, &t));
    ck_assert_msg(strstr(mlops_last_error(), "the bucket does not exist"), "%s", mlops_last_error());
    ck_assert_int_ne(access(nob, F_OK), 0);
    free(nob);

    /* Metadata nobody answers for: the creation fails after the claim. */
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.busy_timeout_ms = 200;
    loc.objects = url2;
    loc.metadata = "postgresql://127.0.0.1:1/nowhere";
    ck_assert_int_ne(mlops_store_create(c, &loc, &o, &t), MLOPS_OK);
    ck_assert_int_ne(access(c, F_OK), 0);
    loc.metadata = NULL;
    TU_OK(mlops_store_create(c, &loc, NULL, &t));
    mlops_store_close(t);
    free(a);
    free(b);
    free(c);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Whether st's read cache holds object d (s3_cache.h names its files). */
static int cached(const char *st, const mlops_digest *d)
{
    char *rel = tu_fanout_path("cache/sha256", d->bytes);
    int yes = file_exists(st, rel);
    free(rel);
    return yes;
}

/* A blob of up to the largest chunk (4 MiB) is one object, and a read
 * caches it whatever its size: an object larger than the cache writer's
 * queue (2 MiB) goes in when the queue is empty (until session 44 a blob
 * of 2-4 MiB was fetched again at every read). Each is read by a handle
 * of its own, whose queue is empty. */
START_TEST(objects_up_to_the_largest_chunk_are_cached)
{
    char *dir = tu_tmpdir_local();
    char *st = tu_path(dir, "store");
    char url[512];
    url_for("cached", url, sizeof url);
    mlops_store_location loc = MLOPS_STORE_LOCATION_INIT;
    loc.objects = url;
    const size_t sizes[] = { 1000, (size_t)3 << 20, ((size_t)4 << 20) - 1 };
    mlops_digest d[3];
    mlops_store *s = NULL;
    TU_OK(mlops_store_create(st, &loc, NULL, &s));
    for (int i = 0; i < 3; i++) {
        unsigned char *data = malloc(sizes[i]);
        ck_assert_ptr_nonnull(data);
        fill_random(data, sizes[i], 50 + (uint64_t)i); /* incompressible: stored as is */
        TU_OK(mlops_blob_put(s, data, sizes[i], &d[i]));
        free(data);
    }
    mlops_store_close(s);
    for (int i = 0; i < 3; i++) {
        TU_OK(mlops_store_open(st, NULL, &s));
        mlops_blob_info info = MLOPS_BLOB_INFO_INIT;
        TU_OK(mlops_blob_stat(s, &d[i], &info));
        ck_assert_uint_eq(info.chunks, 1); /* one object, the blob's own */
        ck_assert(!cached(st, &d[i]));
        void *p = NULL;
        size_t len = 0;
        TU_OK(mlops_blob_get(s, &d[i], &p, &len));
        ck_assert_uint_eq(len, sizes[i]);
        mlops_free(p);
        mlops_store_close(s); /* what the writer had queued is written now */
        ck_assert_msg(cached(st, &d[i]), "blob %d is not cached", i);
    }
    free(st);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static void write_conf(const char *st, const char *text)
{
    ck_assert_int_eq(mkdir(st, 0700), 0);
    char *conf = tu_path(st, "mlops.conf");
    tu_write_file(conf, text, strlen(text));
    free(conf);
}

START_TEST(endpoint_and_region_from_the_store)
{
    char *dir = tu_tmpdir_local();
    char *st = tu_path(dir, "store");
    char url[512], text[2048];
    url_for("conf", url, sizeof url);
    char *endpoint = strdup(getenv("AWS_ENDPOINT_URL_S3"));
    snprintf(text, sizeof text, "format 1\nobjects %s\ns3_endpoint %s\ns3_region us-east-1\n", url,
             endpoint);
    write_conf(st, text);
    /* the environment names no endpoint and no region: the store's are used */
    unsetenv("AWS_ENDPOINT_URL_S3");
    unsetenv("AWS_REGION");
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(st, NULL, &s));
    mlops_digest d;
    TU_OK(mlops_blob_put(s, "x", 1, &d));
    mlops_store_close(s);
    /* an endpoint in the environment wins over the store's */
    setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1", 1);
    TU_OK(mlops_store_open(st, NULL, &s));
    mlops_blob_exists(s, &d, &(int){ 0 }); /* metadata: no request */
    void *p = NULL;
    size_t len = 0;
    setenv("MLOPS_S3_CACHE_BYTES", "0", 1);
    mlops_store_close(s);
    TU_OK(mlops_store_open(st, NULL, &s));
    TU_RC(MLOPS_EIO, mlops_blob_get(s, &d, &p, &len));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "127.0.0.1:1"));
    mlops_store_close(s);
    setenv("AWS_ENDPOINT_URL_S3", endpoint, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    unsetenv("MLOPS_S3_CACHE_BYTES");
    /* S3 keys without S3 objects are refused */
    char *bad = tu_path(dir, "bad");
    write_conf(bad, "format 1\ns3_region us-east-1\n");
    TU_RC(MLOPS_EFORMAT, mlops_store_open(bad, NULL, &s));
    free(bad);
    free(endpoint);
    free(st);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(errors_a_user_meets)
{
    char *dir = tu_tmpdir_local();
    char *st = tu_path(dir, "store");
    char url[512], text[1024];
    url_for("errors", url, sizeof url);
    snprintf(text, sizeof text, "format 1\nobjects %s\n", url);
    write_conf(st, text);
    mlops_store *s = NULL;
    /* no credentials anywhere */
    char *key = strdup(getenv("AWS_ACCESS_KEY_ID"));
    char *secret = strdup(getenv("AWS_SECRET_ACCESS_KEY"));
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    TU_RC(MLOPS_ENOTFOUND, mlops_store_open(st, NULL, &s));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "AWS_ACCESS_KEY_ID"));
    /* a wrong secret: refused at the first request, the secret never shown */
    setenv("AWS_ACCESS_KEY_ID", key, 1);
    setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-at-all", 1);
    TU_OK(mlops_store_open(st, NULL, &s));
    mlops_digest d;
    TU_RC(MLOPS_EPERM, mlops_blob_put(s, "x", 1, &d));
    ck_assert_ptr_null(strstr(mlops_last_error(), "not-the-secret-at-all"));
    mlops_store_close(s);
    setenv("AWS_SECRET_ACCESS_KEY", secret, 1);
    /* a cache bound that is not a number */
    setenv("MLOPS_S3_CACHE_BYTES", "lots", 1);
    TU_RC(MLOPS_EINVAL, mlops_store_open(st, NULL, &s));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "MLOPS_S3_CACHE_BYTES"));
    unsetenv("MLOPS_S3_CACHE_BYTES");
    /* a malformed bucket in mlops.conf */
    char *bad = tu_path(dir, "bad");
    write_conf(bad, "format 1\nobjects s3://No_Such..Bucket/x\n");
    TU_RC(MLOPS_EINVAL, mlops_store_open(bad, NULL, &s));
    free(bad);
    free(key);
    free(secret);
    free(st);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("s3_store");
    TCase *tc = tcase_create("store");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, create_with_local_metadata);
    tcase_add_test(tc, a_prefix_holds_one_store);
    tcase_add_test(tc, endpoint_and_region_from_the_store);
    tcase_add_test(tc, errors_a_user_meets);
    tcase_add_test(tc, objects_up_to_the_largest_chunk_are_cached);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
