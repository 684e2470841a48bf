/* Helpers shared by the cas suites (static inline: each suite uses some). */
#ifndef MLOPS_CAS_TESTUTIL_H
#define MLOPS_CAS_TESTUTIL_H

#include "testutil.h"
#include "tu_db.h"

#include <mlops.h>
#include "cas/cas_internal.h"
#include "objects/objects.h"
#include "store/store_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static inline mlops_store *open_store(const char *dir)
{
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE; /* tests need no fsync */
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, &o, &s));
    return s;
}

/* Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
static inline void fill_random(unsigned char *p, size_t n, uint64_t seed)
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
static inline void fill_text(unsigned char *p, size_t n, uint64_t seed)
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

static inline void openssl_sha256(const void *p, size_t n, mlops_digest *out)
{
    unsigned int len = 0;
    ck_assert_int_eq(EVP_Digest(p, n, out->bytes, &len, EVP_sha256(), NULL), 1);
    ck_assert_uint_eq(len, 32);
}

static inline int count_files(const char *dir)
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

static inline int count_one(const mlops_digest *d, int64_t mtime_ms, void *arg)
{
    (void)d;
    (void)mtime_ms;
    ++*(int *)arg;
    return 0;
}

/* Objects in the store's object backend (its folder or its S3 prefix). */
static inline int count_objects(const char *store_dir)
{
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = 1;
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(store_dir, &o, &s));
    int n = 0;
    TU_OK(s->objects->foreach(s->objects, count_one, &n));
    mlops_store_close(s);
    return n;
}

/* Files left in <store>/tmp. */
static inline int count_tmp(const char *store_dir)
{
    char *p = tu_path(store_dir, "tmp");
    int n = count_files(p);
    free(p);
    return n;
}

/* One integer from the store's database, read outside the handle. */
static inline long long db_int(const char *store_dir, const char *sql)
{
    return tu_sql_int64(store_dir, sql);
}

/* Where object d lives: a path, or an s3:// URL. */
static inline char *object_file(mlops_store *s, const mlops_digest *d)
{
    char *p = mlops__object_path(s, d);
    ck_assert_ptr_nonnull(p);
    return p;
}

/* The stored bytes of object d (header and payload), read through the
 * store's object backend, whichever it is; *len gets their count. */
static inline unsigned char *object_data(mlops_store *s, const mlops_digest *d, size_t *len)
{
    mlops__obj_in *in = NULL;
    uint64_t n = 0;
    TU_OK(s->objects->open(s->objects, d, &in, &n));
    unsigned char *b = malloc(n ? (size_t)n : 1);
    ck_assert_ptr_nonnull(b);
    size_t got = 0;
    TU_OK(s->objects->read(s->objects, in, b, (size_t)n, &got));
    ck_assert_uint_eq(got, n);
    s->objects->close(s->objects, in);
    *len = (size_t)n;
    return b;
}

/* Removes object d from the backend (its metadata rows stay). */
static inline void remove_object(mlops_store *s, const mlops_digest *d)
{
    int removed = 0;
    TU_OK(s->objects->remove(s->objects, d, 1, &removed));
    ck_assert_int_eq(removed, 1);
    TU_OK(s->objects->sync(s->objects, d, 1));
}

/* Replaces object d's stored bytes with n bytes b, as damage on the
 * medium would (no check that they still name d). */
static inline void replace_object(mlops_store *s, const mlops_digest *d, const void *b, size_t n)
{
    remove_object(s, d);
    mlops__obj_piece piece = { b, n };
    mlops__obj_staged *st = NULL;
    TU_OK(s->objects->stage(s->objects, d, &piece, 1, &st));
    int placed = 0;
    TU_OK(s->objects->place(s->objects, st, &placed));
    ck_assert_int_eq(placed, 1);
    TU_OK(s->objects->sync(s->objects, d, 1));
}

/* Flips one bit of the stored byte offset_from_end bytes before the end
 * of object d. */
static inline void flip_object_byte(mlops_store *s, const mlops_digest *d, long offset_from_end)
{
    size_t n = 0;
    unsigned char *b = object_data(s, d, &n);
    ck_assert_int_le(offset_from_end, (long)n);
    b[n - (size_t)offset_from_end] ^= 0x40;
    replace_object(s, d, b, n);
    free(b);
}

/* Whether object d is in the store's object backend. */
static inline int object_present(mlops_store *s, const mlops_digest *d)
{
    int yes = 0;
    TU_OK(s->objects->exists(s->objects, d, &yes));
    return yes;
}

/* Sets byte `at` of object d's stored bytes to v (through the backend). */
static inline void set_object_byte(mlops_store *s, const mlops_digest *d, size_t at,
                                   unsigned char v)
{
    size_t n = 0;
    unsigned char *b = object_data(s, d, &n);
    ck_assert_uint_lt(at, n);
    b[at] = v;
    replace_object(s, d, b, n);
    free(b);
}

#ifdef MLOPS_HAVE_S3
#include "objects/s3/s3_http.h"

static inline int count_key(void *ctx, const char *key, uint64_t size, int64_t mtime_ms)
{
    (void)key;
    (void)size;
    (void)mtime_ms;
    ++*(int *)ctx;
    return 0;
}

/* Keys under "<objects URL>/<under>" of the store's S3 location (read
 * from an object's URL), listed with the test server's settings. */
static inline int count_s3_keys(mlops_store *s, const char *under)
{
    mlops_digest zero;
    memset(&zero, 0, sizeof zero);
    char *url = object_file(s, &zero); /* s3://bucket/prefix/objects/sha256/00/00... */
    ck_assert(strncmp(url, "s3://", 5) == 0);
    char *bucket = url + 5, *slash = strchr(bucket, '/');
    ck_assert_ptr_nonnull(slash);
    *slash = '\0';
    char *prefix = slash + 1, *objects = strstr(prefix, "objects/sha256/");
    ck_assert_ptr_nonnull(objects);
    *objects = '\0'; /* "prefix/" or "" */
    mlops__s3_settings set = { .endpoint = getenv("AWS_ENDPOINT_URL_S3"),
                               .region = getenv("AWS_REGION"),
                               .bucket = bucket,
                               .prefix = prefix,
                               .path_style = 1,
                               .access_key = getenv("AWS_ACCESS_KEY_ID"),
                               .secret_key = getenv("AWS_SECRET_ACCESS_KEY") };
    mlops__s3 *c = NULL;
    TU_OK(mlops__s3_open("count_s3_keys", &set, NULL, &c));
    int n = 0;
    TU_OK(mlops__s3_list("count_s3_keys", c, under, count_key, &n));
    mlops__s3_close(c);
    free(url);
    return n;
}
#endif

/* Objects fsck moved aside: files under <dir>/quarantine, or keys under
 * the S3 prefix's quarantine/. */
static inline int count_quarantined(mlops_store *s, const char *dir)
{
#ifdef MLOPS_HAVE_S3
    if (tu_objects_s3()) return count_s3_keys(s, "quarantine/");
#endif
    (void)s;
    char *q = tu_path(dir, "quarantine");
    int n = count_files(q);
    free(q);
    return n;
}

/* Makes object d look written `seconds` ago to the backend's foreach
 * (gc's grace period). S3 lets no client set LastModified: on S3 this
 * ages the file that holds the object in the test server's data folder
 * (versitygw's posix backend, scripts/s3-test-server.sh; it reports the
 * file's mtime as LastModified). */
static inline void age_object(mlops_store *s, const mlops_digest *d, long seconds)
{
    char *where = object_file(s, d);
    char *path = where;
    if (!strncmp(where, "s3://", 5)) {
        const char *srv = getenv("MLOPS_TEST_S3_DIR");
        ck_assert_msg(srv && *srv, "MLOPS_TEST_S3_DIR is not set: run under scripts/with-s3.sh");
        size_t n = strlen(srv) + strlen(where) + 16;
        path = malloc(n);
        ck_assert_ptr_nonnull(path);
        snprintf(path, n, "%s/data/%s", srv, where + 5);
    }
    struct timeval old[2] = { { time(NULL) - seconds, 0 }, { time(NULL) - seconds, 0 } };
    ck_assert_msg(utimes(path, old) == 0, "cannot age %s", path);
    if (path != where) free(path);
    free(where);
}

/* A store with small chunk sizes, so chunking shows in small content. */
#define SMALL_MIN 1024u
#define SMALL_AVG 4096u
#define SMALL_MAX 16384u

/* The options of such a store: durability MLOPS_DURABILITY_*, threads
 * the store's limit (0: the default). */
static inline mlops_store_opts small_store_opts(int durability, uint32_t threads)
{
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = durability;
    o.chunk_min_size = SMALL_MIN;
    o.chunk_avg_size = SMALL_AVG;
    o.chunk_max_size = SMALL_MAX;
    if (threads) o.threads = threads;
    return o;
}

static inline mlops_store *open_small_store(const char *dir)
{
    mlops_store_opts o = small_store_opts(MLOPS_DURABILITY_NONE, 0);
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, &o, &s));
    return s;
}

/* Sanitizer builds run smaller sizes (meson sets MLOPS_TEST_SMALL there). */
static inline size_t scaled(size_t n)
{
    const char *e = getenv("MLOPS_TEST_SMALL");
    return e && *e == '1' ? n / 4 : n;
}

static inline long long db_int_arg(const char *store_dir, const char *sql, const mlops_digest *d)
{
    tu_db *db = tu_db_open(store_dir);
    long long v = tu_db_int_blob(db, sql, d->bytes, 32);
    tu_db_close(db);
    return v;
}

/* Runs SQL statements on the store's database as an attacker with write
 * access to it would; ?1 and ?2 are the digests a and b. */
static inline void db_tamper(const char *store_dir, const char *sql, const mlops_digest *a,
                             const mlops_digest *b)
{
    tu_db *db = tu_db_open(store_dir);
    tu_db_exec_blobs(db, sql, a->bytes, b->bytes);
    tu_db_close(db);
}

/* Issue 13's attack on a chunked blob: its chunk rows replaced by those of
 * another blob (donor), its chunk count and size fixed to match. */
static inline void swap_chunk_rows(const char *store_dir, const mlops_digest *victim,
                                   const mlops_digest *donor)
{
    db_tamper(store_dir,
              "DELETE FROM cas_chunk WHERE blob = ?1;"
              "INSERT INTO cas_chunk(blob, pos, size, chunk) "
              "  SELECT ?1, pos, size, chunk FROM cas_chunk WHERE blob = ?2;"
              "UPDATE cas_content SET "
              "  chunks = (SELECT chunks FROM cas_content WHERE digest = ?2),"
              "  size = (SELECT size FROM cas_content WHERE digest = ?2) WHERE digest = ?1;",
              victim, donor);
}

/* The same on a blob stored whole: its row redirected to a chunked blob's
 * manifest, size, chunk count and chunk rows. */
static inline void redirect_whole_blob(const char *store_dir, const mlops_digest *victim,
                                       const mlops_digest *donor)
{
    db_tamper(store_dir,
              "INSERT INTO cas_chunk(blob, pos, size, chunk) "
              "  SELECT ?1, pos, size, chunk FROM cas_chunk WHERE blob = ?2;"
              "UPDATE cas_content SET "
              "  manifest = (SELECT manifest FROM cas_content WHERE digest = ?2),"
              "  chunks = (SELECT chunks FROM cas_content WHERE digest = ?2),"
              "  size = (SELECT size FROM cas_content WHERE digest = ?2) WHERE digest = ?1;",
              victim, donor);
}

/* Sum of the sizes of every object file: what the store holds on disk. */
static inline long long object_bytes(const char *dir)
{
    return db_int(dir, "SELECT CAST(coalesce(sum(stored), 0) AS BIGINT) FROM cas_object");
}


#endif
