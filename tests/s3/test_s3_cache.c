/* The S3 backend's local read cache (lib/objects/s3/s3_cache.h), without
 * a server: round trips, the CACHEDIR.TAG mark, damaged files dropped
 * rather than served, the size bound with least-recently-read
 * eviction, and the files kept open after writing all closed. */
#include "testutil.h"

#include "objects/s3/s3_cache.h"

#include <fcntl.h>
#include <mlops.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static mlops_digest digest_of(int i)
{
    mlops_digest d;
    memset(&d, 0, sizeof d);
    d.bytes[0] = (unsigned char)i;
    d.bytes[31] = (unsigned char)(i * 7 + 1);
    return d;
}

static char *cache_file(const char *dir, const mlops_digest *d)
{
    char *sha = tu_path(dir, "sha256");
    char *p = tu_fanout_path(sha, d->bytes);
    free(sha);
    return p;
}

START_TEST(round_trip_and_tag)
{
    char *dir = tu_tmpdir_local();
    char *cdir = tu_path(dir, "cache");
    mlops__s3_cache *c = NULL;
    TU_OK(mlops__s3_cache_open(cdir, 1 << 20, &c));
    ck_assert_ptr_nonnull(c);
    char *tag = tu_path(cdir, "CACHEDIR.TAG");
    char text[128] = { 0 };
    FILE *f = fopen(tag, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_gt(fread(text, 1, sizeof text - 1, f), 43);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "Signature: 8a477f597d28d172789f06886806bc55"));
    mlops_digest d = digest_of(1);
    unsigned char *got = NULL;
    size_t len = 0;
    ck_assert_int_eq(mlops__s3_cache_get(c, &d, NULL, &got, &len), 0);
    mlops__s3_cache_put(c, &d, "stored bytes", 12);
    ck_assert_int_eq(mlops__s3_cache_get(c, &d, NULL, &got, &len), 1);
    ck_assert_uint_eq(len, 12);
    ck_assert_int_eq(memcmp(got, "stored bytes", 12), 0);
    free(got);
    /* the same, into a buffer of a backend's pool */
    mlops__s3_buffers *pool = mlops__s3_buffers_new(1 << 20);
    ck_assert_ptr_nonnull(pool);
    ck_assert_int_eq(mlops__s3_cache_get(c, &d, pool, &got, &len), 1);
    ck_assert_uint_eq(len, 12);
    ck_assert_int_eq(memcmp(got, "stored bytes", 12), 0);
    mlops__s3_buffer_give(pool, got);
    ck_assert_uint_gt(mlops__s3_buffers_kept(pool), 0);
    mlops__s3_buffers_free(pool);
    /* an empty object is cached too */
    mlops_digest e = digest_of(2);
    mlops__s3_cache_put(c, &e, "", 0);
    ck_assert_int_eq(mlops__s3_cache_get(c, &e, NULL, &got, &len), 1);
    ck_assert_uint_eq(len, 0);
    free(got);
    mlops__s3_cache_drop(c, &d);
    ck_assert_int_eq(mlops__s3_cache_get(c, &d, NULL, &got, &len), 0);
    mlops__s3_cache_close(c);
    /* a limit of 0 is no cache */
    TU_OK(mlops__s3_cache_open(cdir, 0, &c));
    ck_assert_ptr_null(c);
    ck_assert_int_eq(mlops__s3_cache_get(NULL, &d, NULL, &got, &len), 0);
    free(tag);
    free(cdir);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(damaged_file_is_dropped)
{
    char *dir = tu_tmpdir_local();
    mlops__s3_cache *c = NULL;
    TU_OK(mlops__s3_cache_open(dir, 1 << 20, &c));
    mlops_digest d = digest_of(3);
    mlops__s3_cache_put(c, &d, "0123456789", 10);
    char *path = cache_file(dir, &d);
    int fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pwrite(fd, "X", 1, 4), 1);
    close(fd);
    unsigned char *got = NULL;
    size_t len = 0;
    ck_assert_int_eq(mlops__s3_cache_get(c, &d, NULL, &got, &len), 0);
    ck_assert_int_ne(access(path, F_OK), 0); /* removed, so the next read fetches again */
    /* a file cut short (shorter than its checksum) is a miss as well */
    mlops__s3_cache_put(c, &d, "0123456789", 10);
    ck_assert_int_eq(truncate(path, 5), 0);
    ck_assert_int_eq(mlops__s3_cache_get(c, &d, NULL, &got, &len), 0);
    mlops__s3_cache_close(c);
    free(path);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static long long folder_bytes(const char *dir)
{
    long long total = 0;
    for (int i = 0; i < 64; i++) {
        mlops_digest d = digest_of(i);
        char *p = cache_file(dir, &d);
        struct stat st;
        if (stat(p, &st) == 0) total += st.st_size;
        free(p);
    }
    return total;
}

START_TEST(bounded_least_recently_read_first)
{
    char *dir = tu_tmpdir_local();
    mlops__s3_cache *c = NULL;
    enum { OBJ = 10000, LIMIT = 100000 };
    TU_OK(mlops__s3_cache_open(dir, LIMIT, &c));
    unsigned char *obj = calloc(1, OBJ);
    unsigned char *got = NULL;
    size_t len = 0;
    for (int i = 0; i < 8; i++) {
        mlops_digest d = digest_of(i);
        mlops__s3_cache_put(c, &d, obj, OBJ);
        usleep(20000); /* distinct file times */
    }
    /* object 0 is read now: the most recently read */
    mlops_digest d0 = digest_of(0);
    ck_assert_int_eq(mlops__s3_cache_get(c, &d0, NULL, &got, &len), 1);
    free(got);
    usleep(20000);
    for (int i = 8; i < 20; i++) {
        /* object 0 is read again and again: it is never the one read
         * longest ago, so it stays while older ones go */
        ck_assert_int_eq(mlops__s3_cache_get(c, &d0, NULL, &got, &len), 1);
        free(got);
        usleep(20000);
        mlops_digest d = digest_of(i);
        mlops__s3_cache_put(c, &d, obj, OBJ);
        ck_assert_int_le(folder_bytes(dir), LIMIT);
        usleep(20000);
    }
    ck_assert_int_eq(mlops__s3_cache_get(c, &d0, NULL, &got, &len), 1); /* kept */
    free(got);
    mlops_digest d1 = digest_of(1);
    ck_assert_int_eq(mlops__s3_cache_get(c, &d1, NULL, &got, &len), 0); /* evicted */
    mlops_digest last = digest_of(19);
    ck_assert_int_eq(mlops__s3_cache_get(c, &last, NULL, &got, &len), 1);
    free(got);
    /* an object larger than the whole cache is not kept */
    unsigned char *big = calloc(1, LIMIT + 1);
    mlops_digest db = digest_of(40);
    mlops__s3_cache_put(c, &db, big, LIMIT + 1);
    ck_assert_int_eq(mlops__s3_cache_get(c, &db, NULL, &got, &len), 0);
    free(big);
    free(obj);
    mlops__s3_cache_close(c);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Several processes share one store directory's cache: each writes its
 * own files, and the folder stays within the bound all the same. Two
 * handles on one folder stand for two processes (no memory is shared
 * between them). Each counted only what it wrote itself after its first
 * look at the folder, so with two writers the folder grew to about twice
 * the bound (and with N, N times) before either evicted. */
START_TEST(bounded_across_processes)
{
    char *dir = tu_tmpdir_local();
    mlops__s3_cache *a = NULL, *b = NULL;
    enum { OBJ = 10000, LIMIT = 100000 };
    TU_OK(mlops__s3_cache_open(dir, LIMIT, &a));
    TU_OK(mlops__s3_cache_open(dir, LIMIT, &b));
    unsigned char *obj = calloc(1, OBJ);
    for (int i = 0; i < 60; i++) {
        mlops_digest d = digest_of(i);
        mlops__s3_cache_put(i % 2 ? b : a, &d, obj, OBJ);
        ck_assert_int_le(folder_bytes(dir), LIMIT);
    }
    /* the latest are still there: eviction did not empty the folder */
    ck_assert_int_ge(folder_bytes(dir), LIMIT / 2);
    free(obj);
    mlops__s3_cache_close(a);
    mlops__s3_cache_close(b);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Descriptors open in this process. */
static int open_fds(void)
{
    int n = 0;
    for (int fd = 0; fd < 4096; fd++)
        if (fcntl(fd, F_GETFD) != -1) n++;
    return n;
}

START_TEST(many_files_kept_and_closed)
{
    /* More files than the cache keeps open after writing them (to drop
     * their pages later), each larger than one write: every one reads
     * back byte for byte, and closing the cache closes them all. */
    char *dir = tu_tmpdir_local();
    int before = open_fds();
    mlops__s3_cache *c = NULL;
    enum { N = 40, OBJ = 200000 };
    TU_OK(mlops__s3_cache_open(dir, (uint64_t)N * OBJ * 2, &c));
    unsigned char *obj = malloc(OBJ);
    for (int i = 0; i < N; i++) {
        for (size_t k = 0; k < OBJ; k++) obj[k] = (unsigned char)(k * 31 + (size_t)i);
        mlops_digest d = digest_of(i);
        mlops__s3_cache_put(c, &d, obj, OBJ);
    }
    ck_assert_int_le(open_fds(), before + 16);
    for (int i = 0; i < N; i++) {
        for (size_t k = 0; k < OBJ; k++) obj[k] = (unsigned char)(k * 31 + (size_t)i);
        mlops_digest d = digest_of(i);
        ck_assert_int_eq(mlops__s3_cache_has(c, &d), 1);
        unsigned char *got = NULL;
        size_t len = 0;
        ck_assert_int_eq(mlops__s3_cache_get(c, &d, NULL, &got, &len), 1);
        ck_assert_uint_eq(len, OBJ);
        ck_assert_int_eq(memcmp(got, obj, OBJ), 0);
        free(got);
    }
    mlops_digest none = digest_of(N);
    ck_assert_int_eq(mlops__s3_cache_has(c, &none), 0);
    mlops__s3_cache_close(c);
    ck_assert_int_eq(open_fds(), before);
    free(obj);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("s3_cache");
    TCase *tc = tcase_create("cache");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, round_trip_and_tag);
    tcase_add_test(tc, damaged_file_is_dropped);
    tcase_add_test(tc, bounded_least_recently_read_first);
    tcase_add_test(tc, bounded_across_processes);
    tcase_add_test(tc, many_files_kept_and_closed);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
