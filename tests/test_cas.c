/* The content-addressed store (include/mlops/cas.h, lib/cas). */
#include "testutil.h"

#include <mlops.h>
#include "cas/cas_internal.h"
#include "util/clock.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------ */

static mlops_store *open_store(const char *dir)
{
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE; /* tests need no fsync */
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, &o, &s));
    return s;
}

/* Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
static void fill_random(unsigned char *p, size_t n, uint64_t seed)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (unsigned char)(x >> 24);
    }
}

/* Compressible text: CSV-like lines. */
static void fill_text(unsigned char *p, size_t n, uint64_t seed)
{
    size_t i = 0;
    uint64_t row = seed;
    while (i < n) {
        char line[96];
        int k = snprintf(line, sizeof line, "%llu,2024-01-%02llu,%llu.%02llu,category_%llu\n",
                         (unsigned long long)row, (unsigned long long)(row % 28 + 1),
                         (unsigned long long)(row * 7919 % 10007),
                         (unsigned long long)(row % 100), (unsigned long long)(row % 13));
        for (int j = 0; j < k && i < n; j++) p[i++] = (unsigned char)line[j];
        row++;
    }
}

static void openssl_sha256(const void *p, size_t n, mlops_digest *out)
{
    unsigned int len = 0;
    ck_assert_int_eq(EVP_Digest(p, n, out->bytes, &len, EVP_sha256(), NULL), 1);
    ck_assert_uint_eq(len, 32);
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *p = tu_path(dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode)) n += count_files(p);
            else n++;
        }
        free(p);
    }
    closedir(d);
    return n;
}

static int count_objects(const char *store_dir)
{
    char *p = tu_path(store_dir, "objects");
    int n = count_files(p);
    free(p);
    return n;
}

static long long db_int(const char *store_dir, const char *sql)
{
    char *p = tu_path(store_dir, "mlops.db");
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(p);
    return v;
}

static char *object_file(mlops_store *s, const mlops_digest *d)
{
    char *p = mlops__object_path(s, d);
    ck_assert_ptr_nonnull(p);
    return p;
}

static void flip_byte(const char *path, long offset_from_end)
{
    int fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    off_t end = lseek(fd, 0, SEEK_END);
    off_t at = end - offset_from_end;
    unsigned char b;
    ck_assert_int_eq(pread(fd, &b, 1, at), 1);
    b ^= 0x40;
    ck_assert_int_eq(pwrite(fd, &b, 1, at), 1);
    close(fd);
}

static void check_round_trip(mlops_store *s, const void *data, size_t len)
{
    mlops_digest d, want;
    TU_OK(mlops_blob_put(s, data, len, &d));
    openssl_sha256(data, len, &want);
    ck_assert_mem_eq(d.bytes, want.bytes, 32);
    void *got = NULL;
    size_t n = 99;
    TU_OK(mlops_blob_get(s, &d, &got, &n));
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(n, len);
    if (len) ck_assert_int_eq(memcmp(got, data, len), 0);
    mlops_free(got);
}

/* ---- blobs -------------------------------------------------------------- */

START_TEST(known_answers)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_store(dir);
    mlops_digest d;
    char text[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_blob_put(s, NULL, 0, &d));
    TU_OK(mlops_digest_format(&d, text));
    ck_assert_str_eq(text,
                     "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    TU_OK(mlops_blob_put(s, "abc", 3, &d));
    TU_OK(mlops_digest_format(&d, text));
    ck_assert_str_eq(text,
                     "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* The empty blob comes back as an empty, non-NULL buffer. */
    mlops_digest empty;
    TU_OK(mlops_digest_parse(
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", &empty));
    void *p = NULL;
    size_t n = 7;
    TU_OK(mlops_blob_get(s, &empty, &p, &n));
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(n, 0);
    mlops_free(p);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(small_round_trips)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_store(dir);
    size_t sizes[] = {0, 1, 2, 63, 64, 65, 4095, 4096, 4097, 100000};
    unsigned char *buf = malloc(100000);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        fill_random(buf, sizes[i], i);
        check_round_trip(s, buf, sizes[i]);
        fill_text(buf, sizes[i], i);
        check_round_trip(s, buf, sizes[i]);
    }
    free(buf);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Same content twice: one object, one row, no new file. */
START_TEST(dedup_whole)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_store(dir);
    unsigned char buf[5000];
    fill_text(buf, sizeof buf, 1);
    mlops_digest a, b;
    TU_OK(mlops_blob_put(s, buf, sizeof buf, &a));
    ck_assert_int_eq(count_objects(dir), 1);
    TU_OK(mlops_blob_put(s, buf, sizeof buf, &b));
    ck_assert_mem_eq(a.bytes, b.bytes, 32);
    ck_assert_int_eq(count_objects(dir), 1);
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM cas_object"), 1);
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM cas_content"), 1);
    char *tmp = tu_path(dir, "tmp");
    ck_assert_int_eq(count_files(tmp), 0);
    free(tmp);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* The object file: header, zstd frame for text, raw bytes for noise. */
START_TEST(object_format)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_store(dir);
    size_t n = 200000;
    unsigned char *text = malloc(n), *noise = malloc(n);
    fill_text(text, n, 3);
    fill_random(noise, n, 3);
    mlops_digest dt, dn;
    TU_OK(mlops_blob_put(s, text, n, &dt));
    TU_OK(mlops_blob_put(s, noise, n, &dn));

    char *pt = object_file(s, &dt), *pn = object_file(s, &dn);
    /* objects/sha256/<2 hex>/<62 hex> */
    char hex[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_format(&dt, hex));
    char want[256];
    snprintf(want, sizeof want, "%s/objects/sha256/%.2s/%s", dir, hex + 7, hex + 9);
    ck_assert_str_eq(pt, want);

    unsigned char h[16];
    FILE *f = fopen(pt, "rb");
    ck_assert_int_eq(fread(h, 1, 16, f), 16);
    fclose(f);
    ck_assert_int_eq(h[0], 0x89);
    ck_assert_int_eq(memcmp(h + 1, "MLO", 3), 0);
    ck_assert_int_eq(h[4], 1);             /* format version */
    ck_assert_int_eq(h[5], MLOPS__ENC_ZSTD); /* text compresses */
    uint64_t size = 0;
    for (int i = 7; i >= 0; i--) size = size << 8 | h[8 + i];
    ck_assert_uint_eq(size, n);
    struct stat st;
    ck_assert_int_eq(stat(pt, &st), 0);
    ck_assert_int_lt(st.st_size, (off_t)n / 2);
    /* The payload is a zstd frame: magic 28 b5 2f fd, no checksum flag. */
    f = fopen(pt, "rb");
    unsigned char fr[21];
    ck_assert_int_eq(fread(fr, 1, 21, f), 21);
    fclose(f);
    ck_assert_int_eq(fr[16], 0x28);
    ck_assert_int_eq(fr[17], 0xb5);
    ck_assert_int_eq(fr[18], 0x2f);
    ck_assert_int_eq(fr[19], 0xfd);
    ck_assert_int_eq(fr[20] & 0x04, 0); /* Content_Checksum_flag */

    f = fopen(pn, "rb");
    ck_assert_int_eq(fread(h, 1, 16, f), 16);
    fclose(f);
    ck_assert_int_eq(h[5], MLOPS__ENC_RAW); /* noise does not compress */
    ck_assert_int_eq(stat(pn, &st), 0);
    ck_assert_int_eq(st.st_size, (off_t)(n + 16));

    ck_assert_int_eq(db_int(dir, "SELECT encoding FROM cas_object ORDER BY stored LIMIT 1"),
                     MLOPS__ENC_ZSTD);
    ck_assert_int_eq(db_int(dir, "SELECT max(stored) FROM cas_object"), (long long)n + 16);
    free(pt);
    free(pn);
    free(text);
    free(noise);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(corrupt_object_is_refused)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_store(dir);
    size_t n = 100000;
    unsigned char *text = malloc(n), *noise = malloc(n);
    fill_text(text, n, 9);
    fill_random(noise, n, 9);
    mlops_digest dt, dn;
    TU_OK(mlops_blob_put(s, text, n, &dt));
    TU_OK(mlops_blob_put(s, noise, n, &dn));
    char *pt = object_file(s, &dt), *pn = object_file(s, &dn);
    char hex[MLOPS_DIGEST_STRLEN];
    void *p = (void *)1;
    size_t len = 5;

    /* A flipped byte in raw content: the hash no longer matches. */
    flip_byte(pn, 1000);
    TU_RC(MLOPS_ECORRUPT, mlops_blob_get(s, &dn, &p, &len));
    ck_assert_ptr_null(p);
    ck_assert_uint_eq(len, 0);
    TU_OK(mlops_digest_format(&dn, hex));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), hex));

    /* A flipped byte in a zstd frame: decoding or the hash fails. */
    flip_byte(pt, 50);
    TU_RC(MLOPS_ECORRUPT, mlops_blob_get(s, &dt, &p, &len));
    TU_OK(mlops_digest_format(&dt, hex));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), hex));

    /* A missing file. */
    unlink(pt);
    TU_RC(MLOPS_ECORRUPT, mlops_blob_get(s, &dt, &p, &len));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "missing"));

    /* Putting the content again heals the store. */
    TU_OK(mlops_blob_put(s, text, n, &dt));
    TU_OK(mlops_blob_get(s, &dt, &p, &len));
    ck_assert_uint_eq(len, n);
    ck_assert_int_eq(memcmp(p, text, n), 0);
    mlops_free(p);
    free(pt);
    free(pn);
    free(text);
    free(noise);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(bad_arguments)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_store(dir);
    mlops_digest d;
    void *p = NULL;
    size_t n = 0;
    int e = 0;
    TU_RC(MLOPS_EINVAL, mlops_blob_put(NULL, "x", 1, &d));
    TU_RC(MLOPS_EINVAL, mlops_blob_put(s, "x", 1, NULL));
    TU_RC(MLOPS_EINVAL, mlops_blob_put(s, NULL, 1, &d));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "data"));
    TU_RC(MLOPS_EINVAL, mlops_blob_get(NULL, &d, &p, &n));
    TU_RC(MLOPS_EINVAL, mlops_blob_get(s, NULL, &p, &n));
    TU_RC(MLOPS_EINVAL, mlops_blob_get(s, &d, NULL, &n));
    TU_RC(MLOPS_EINVAL, mlops_blob_get(s, &d, &p, NULL));
    TU_RC(MLOPS_EINVAL, mlops_blob_exists(s, NULL, &e));
    TU_RC(MLOPS_EINVAL, mlops_blob_exists(s, &d, NULL));

    /* An unknown digest: not found, named in the message. */
    memset(d.bytes, 0xab, 32);
    TU_RC(MLOPS_ENOTFOUND, mlops_blob_get(s, &d, &p, &n));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "sha256:abababab"));
    TU_OK(mlops_blob_exists(s, &d, &e));
    ck_assert_int_eq(e, 0);
    ck_assert_int_eq(count_objects(dir), 0);
    mlops_store_close(s);

    /* A read-only handle refuses puts and writes nothing. */
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = 1;
    TU_OK(mlops_store_open(dir, &o, &s));
    TU_RC(MLOPS_EREADONLY, mlops_blob_put(s, "x", 1, &d));
    mlops_store_close(s);
    ck_assert_int_eq(count_objects(dir), 0);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- internal contracts ------------------------------------------------- */

struct exists_arg {
    const mlops_digest *d;
    int exists;
};

static int exists_in_tx(mlops__conn *c, void *arg)
{
    struct exists_arg *a = arg;
    return mlops__cas_exists(c, a->d, &a->exists);
}

START_TEST(exists_contract)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_store(dir);
    mlops_digest d, other;
    TU_OK(mlops_blob_put(s, "hello", 5, &d));
    memset(other.bytes, 7, 32);
    int e = -1;
    TU_OK(mlops_blob_exists(s, &d, &e));
    ck_assert_int_eq(e, 1);
    TU_OK(mlops_blob_exists(s, &other, &e));
    ck_assert_int_eq(e, 0);

    /* Inside a read snapshot: answers, changes nothing. */
    mlops__conn *c;
    TU_OK(mlops__store_conn(s, &c));
    TU_RC(MLOPS_EINVAL, mlops__cas_exists(c, NULL, &e));
    TU_RC(MLOPS_EINVAL, mlops__cas_exists(NULL, &d, &e));
    mlops__store_release(s, c);
    struct exists_arg a = {&d, -1};
    TU_OK(mlops__store_read(s, exists_in_tx, &a));
    ck_assert_int_eq(a.exists, 1);

    /* Inside a write transaction it refreshes the last-used time. */
    char *db = tu_path(dir, "mlops.db");
    sqlite3 *raw;
    ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(raw, "UPDATE cas_content SET touched_ms = 5", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    TU_OK(mlops__store_read(s, exists_in_tx, &a));
    ck_assert_int_eq(db_int(dir, "SELECT touched_ms FROM cas_content"), 5);
    int64_t before = mlops__now_ms();
    TU_OK(mlops__store_write(s, exists_in_tx, &a));
    ck_assert_int_eq(a.exists, 1);
    ck_assert_int_ge(db_int(dir, "SELECT touched_ms FROM cas_content"), before);
    a.d = &other;
    TU_OK(mlops__store_write(s, exists_in_tx, &a));
    ck_assert_int_eq(a.exists, 0);
    free(db);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Every gc root query is valid against the schema and returns one column. */
START_TEST(gc_root_queries_are_valid)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_store(dir);
    mlops_digest d;
    TU_OK(mlops_blob_put(s, "root", 4, &d));
    const char *const *q = NULL;
    size_t n = mlops__cas_gc_root_queries(&q);
    ck_assert_uint_ge(n, 1);
    ck_assert_str_eq(q[0], "SELECT digest FROM cas_ref");
    char *db = tu_path(dir, "mlops.db");
    sqlite3 *raw;
    ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = NULL;
        ck_assert_msg(sqlite3_prepare_v2(raw, q[i], -1, &st, NULL) == SQLITE_OK,
                      "root query %zu does not prepare: %s", i, sqlite3_errmsg(raw));
        ck_assert_int_eq(sqlite3_column_count(st), 1);
        while (sqlite3_step(st) == SQLITE_ROW)
            ck_assert(sqlite3_column_type(st, 0) == SQLITE_NULL ||
                      sqlite3_column_bytes(st, 0) == 32);
        sqlite3_finalize(st);
    }
    sqlite3_close(raw);
    free(db);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static Suite *cas_suite(void)
{
    Suite *s = suite_create("cas");
    TCase *t = tcase_create("blobs");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, known_answers);
    tcase_add_test(t, small_round_trips);
    tcase_add_test(t, dedup_whole);
    tcase_add_test(t, object_format);
    tcase_add_test(t, corrupt_object_is_refused);
    tcase_add_test(t, bad_arguments);
    suite_add_tcase(s, t);
    t = tcase_create("contracts");
    tcase_add_test(t, exists_contract);
    tcase_add_test(t, gc_root_queries_are_valid);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run(cas_suite());
}
