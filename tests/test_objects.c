/* The object-backend seam's contract (lib/objects/objects.h), written
 * against the struct alone and run for every backend of kinds[]: a new
 * backend adds its factory there and passes the same tests. */
#include "testutil.h"

#include "mlops/common.h"
#include "objects/local/local.h"
#ifdef MLOPS_HAVE_S3
#include "objects/s3/s3_objects.h"
#endif
#include "objects/objects.h"
#include "util/hash.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- backends under test ---------------------------------------------------- */

struct kind {
    const char *name;
    /* A new, empty backend whose scratch (if any) lives under dir. */
    int (*make)(const char *dir, mlops__objects **out);
    /* A staged object stays invisible until placed. A backend that cannot
     * rename (S3) may write it under its name at once (objects.h). */
    int stage_is_invisible;
};

static int make_local(const char *dir, mlops__objects **out)
{
    return mlops__objects_local_open(dir, 1, 1, out);
}

#ifdef MLOPS_HAVE_S3
/* A fresh prefix of $MLOPS_TEST_S3 (scripts/with-s3.sh), a small cache
 * under dir. */
static int make_s3(const char *dir, mlops__objects **out)
{
    static int counter;
    char url[512], *cache = tu_path(dir, "cache");
    snprintf(url, sizeof url, "%s/objects-%ld-%d", getenv("MLOPS_TEST_S3"), (long)getpid(),
             ++counter);
    int rc = mlops__objects_s3_open("test", url, NULL, NULL, cache, 1 << 20, out);
    free(cache);
    return rc;
}
#endif

static const struct kind kinds[] = {
    {"local", make_local, 1},
#ifdef MLOPS_HAVE_S3
    {"S3", make_s3, 0}, /* when MLOPS_TEST_OBJECTS=s3: the s3 suite's objects_s3 */
#endif
};

/* The kinds to run: S3 only under scripts/with-s3.sh. */
static int nkinds(void)
{
    int n = (int)(sizeof kinds / sizeof kinds[0]);
    return tu_objects_s3() ? n : 1;
}

struct fixture {
    char *dir;
    mlops__objects *be;
};

static struct fixture open_kind(int i)
{
    struct fixture f;
    f.dir = tu_tmpdir();
    TU_OK(kinds[i].make(f.dir, &f.be));
    TU_OK(mlops__objects_check(f.be, kinds[i].name));
    return f;
}

static void close_kind(struct fixture *f)
{
    f->be->free(f->be);
    tu_rmrf(f->dir);
    free(f->dir);
}

/* ---- helpers ------------------------------------------------------------------ */

/* Bytes of object number k (any bytes do: a backend stores them opaque);
 * len of them, digest in *d. malloc'd. */
static unsigned char *object_bytes(unsigned k, size_t len, mlops_digest *d)
{
    unsigned char *p = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(p);
    uint32_t x = 2463534242u ^ (k * 2654435761u);
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)x;
    }
    TU_OK(mlops__sha256_oneshot(p, len, d));
    return p;
}

/* Stages data in two pieces (as the cas layer does: header, payload). */
static mlops__obj_staged *stage(mlops__objects *be, const mlops_digest *d,
                                const unsigned char *data, size_t len)
{
    size_t cut = len < 16 ? len : 16;
    mlops__obj_piece pieces[2] = {{data, cut}, {data + cut, len - cut}};
    mlops__obj_staged *st = NULL;
    TU_OK(be->stage(be, d, pieces, 2, &st));
    ck_assert_ptr_nonnull(st);
    return st;
}

static int put(mlops__objects *be, const mlops_digest *d, const unsigned char *data,
               size_t len)
{
    int placed = -1;
    mlops__obj_staged *st = stage(be, d, data, len);
    TU_OK(be->place(be, st, &placed));
    if (!placed) be->discard(be, st); /* the spare stays ours */
    TU_OK(be->sync(be, d, 1));
    return placed;
}

static int exists(mlops__objects *be, const mlops_digest *d)
{
    int yes = -1;
    TU_OK(be->exists(be, d, &yes));
    ck_assert(yes == 0 || yes == 1);
    return yes;
}

/* Reads object d whole, in pieces of `step` bytes; checks it is `want`. */
static void check_read(mlops__objects *be, const mlops_digest *d, const unsigned char *want,
                       size_t len, size_t step)
{
    mlops__obj_in *in = NULL;
    uint64_t n = 0;
    TU_OK(be->open(be, d, &in, &n));
    ck_assert_uint_eq(n, len);
    unsigned char *got = malloc(len + step);
    size_t at = 0, k = 0;
    do {
        TU_OK(be->read(be, in, got + at, step, &k));
        ck_assert_uint_le(k, step);
        at += k;
        ck_assert_uint_le(at, len);
    } while (k == step);
    ck_assert_uint_eq(at, len);
    ck_assert_int_eq(memcmp(got, want, len), 0);
    TU_OK(be->read(be, in, got, step, &k)); /* past the end: nothing */
    ck_assert_uint_eq(k, 0);
    be->close(be, in);
    free(got);
}

/* A backend with `view`: reads `head` bytes of object d, then views the
 * rest in place; checks it is `want` and that nothing is left to read. */
static void check_view(mlops__objects *be, const mlops_digest *d, const unsigned char *want,
                       size_t len, size_t head)
{
    mlops__obj_in *in = NULL;
    uint64_t n = 0;
    TU_OK(be->open(be, d, &in, &n));
    ck_assert_uint_eq(n, len);
    unsigned char *got = malloc(head + 1);
    size_t k = 0;
    TU_OK(be->read(be, in, got, head, &k));
    ck_assert_uint_eq(k, head);
    ck_assert_int_eq(memcmp(got, want, head), 0);
    const unsigned char *rest = NULL;
    size_t left = 0;
    ck_assert_int_eq(be->view(be, in, &rest, &left), 1);
    ck_assert_uint_eq(left, len - head);
    ck_assert_int_eq(memcmp(rest, want + head, left), 0);
    TU_OK(be->read(be, in, got, 1, &k)); /* viewed to the end: nothing */
    ck_assert_uint_eq(k, 0);
    be->close(be, in);
    free(got);
}

/* ---- tests -------------------------------------------------------------------- */

START_TEST(place_read_and_place_again)
{
    struct fixture f = open_kind(_i);
    mlops_digest d;
    size_t len = 300000;
    unsigned char *data = object_bytes(1, len, &d);
    ck_assert_int_eq(exists(f.be, &d), 0);
    ck_assert_int_eq(put(f.be, &d, data, len), 1);
    ck_assert_int_eq(exists(f.be, &d), 1);
    check_read(f.be, &d, data, len, len);
    check_read(f.be, &d, data, len, 4096);
    check_read(f.be, &d, data, len, 7); /* not a divisor of anything here */
    if (f.be->view) { /* optional: S3's objects are in memory once fetched */
        check_view(f.be, &d, data, len, 16);
        check_view(f.be, &d, data, len, 0); /* again: from the cache by now, or S3 */
    }

    /* Twice is success, and the second copy stays the caller's. */
    mlops__obj_staged *st = stage(f.be, &d, data, len);
    int placed = -1;
    TU_OK(f.be->place(f.be, st, &placed));
    ck_assert_int_eq(placed, 0);
    check_read(f.be, &d, data, len, len);
    /* The spare places the object again once it went away (gc). */
    int removed = -1;
    TU_OK(f.be->remove(f.be, &d, 1, &removed));
    ck_assert_int_eq(removed, 1);
    ck_assert_int_eq(exists(f.be, &d), 0);
    TU_OK(f.be->place(f.be, st, &placed));
    ck_assert_int_eq(placed, 1);
    TU_OK(f.be->sync(f.be, &d, 1));
    check_read(f.be, &d, data, len, 65536);
    free(data);
    close_kind(&f);
}
END_TEST

START_TEST(empty_and_tiny_objects)
{
    struct fixture f = open_kind(_i);
    for (size_t len = 0; len < 3; len++) {
        mlops_digest d;
        unsigned char *data = object_bytes(100 + (unsigned)len, len, &d);
        ck_assert_int_eq(put(f.be, &d, data, len), 1);
        check_read(f.be, &d, data, len, 1);
        free(data);
    }
    close_kind(&f);
}
END_TEST

START_TEST(missing_objects)
{
    struct fixture f = open_kind(_i);
    mlops_digest d;
    free(object_bytes(7, 10, &d));
    mlops__obj_in *in = NULL;
    uint64_t n = 0;
    TU_RC(MLOPS_ENOTFOUND, f.be->open(f.be, &d, &in, &n));
    ck_assert_str_ne(mlops_last_error(), "");
    int removed = -1;
    TU_OK(f.be->remove(f.be, &d, 1, &removed));
    ck_assert_int_eq(removed, 0);
    TU_OK(f.be->quarantine(f.be, &d)); /* already gone: success */
    char where[512] = "x";
    f.be->describe(f.be, &d, where, sizeof where);
    ck_assert_uint_gt(strlen(where), 0);
    f.be->describe(f.be, &d, where, 1);
    ck_assert_str_eq(where, "");
    close_kind(&f);
}
END_TEST

START_TEST(discarded_objects_stay_invisible)
{
    struct fixture f = open_kind(_i);
    mlops_digest d;
    unsigned char *data = object_bytes(3, 1000, &d);
    mlops__obj_staged *st = stage(f.be, &d, data, 1000);
    if (kinds[_i].stage_is_invisible) ck_assert_int_eq(exists(f.be, &d), 0);
    f.be->discard(f.be, st);
    f.be->discard(f.be, NULL);
    f.be->close(f.be, NULL);
    if (kinds[_i].stage_is_invisible) ck_assert_int_eq(exists(f.be, &d), 0);
    free(data);
    close_kind(&f);
}
END_TEST

/* Many objects staged, settled together (a backend that can), then
 * placed one by one: none is visible before its place, a second copy of
 * an object already there stays the caller's, and one sync of them all
 * (past the local backend's few folders: its syncfs) keeps them. */
START_TEST(settled_objects_place_as_usual)
{
    struct fixture f = open_kind(_i);
    enum { N = 24 };
    mlops_digest d[N + 1];
    unsigned char *data[N + 1];
    size_t len[N + 1];
    for (unsigned k = 0; k < N; k++) {
        len[k] = 100 + 997 * k;
        data[k] = object_bytes(100 + k, len[k], &d[k]);
    }
    ck_assert_int_eq(put(f.be, &d[0], data[0], len[0]), 1); /* there already */
    data[N] = object_bytes(99, 500, &d[N]);                  /* settled, then dropped */
    len[N] = 500;
    mlops__obj_staged *st[N + 1];
    for (unsigned k = 0; k <= N; k++) st[k] = stage(f.be, &d[k], data[k], len[k]);
    if (f.be->settle) TU_OK(f.be->settle(f.be, st, N + 1));
    if (kinds[_i].stage_is_invisible)
        for (unsigned k = 1; k <= N; k++) ck_assert_int_eq(exists(f.be, &d[k]), 0);
    for (unsigned k = 0; k < N; k++) {
        int placed = -1;
        TU_OK(f.be->place(f.be, st[k], &placed));
        ck_assert_int_eq(placed, k > 0);
        if (!placed) f.be->discard(f.be, st[k]);
    }
    f.be->discard(f.be, st[N]);
    TU_OK(f.be->sync(f.be, d, N));
    for (unsigned k = 0; k < N; k++) check_read(f.be, &d[k], data[k], len[k], 4096);
    if (kinds[_i].stage_is_invisible) ck_assert_int_eq(exists(f.be, &d[N]), 0);
    for (unsigned k = 0; k <= N; k++) free(data[k]);
    close_kind(&f);
}
END_TEST

#define MANY 120

struct seen {
    mlops_digest d[MANY];
    int count[MANY];
    int others;
    int64_t oldest;
};

static int count_seen(const mlops_digest *d, int64_t mtime_ms, void *arg)
{
    struct seen *s = arg;
    if (mtime_ms < s->oldest) s->oldest = mtime_ms;
    for (int i = 0; i < MANY; i++)
        if (!memcmp(s->d[i].bytes, d->bytes, 32)) {
            s->count[i]++;
            return 0;
        }
    s->others++;
    return 0;
}

static int stop_at_third(const mlops_digest *d, int64_t mtime_ms, void *arg)
{
    (void)d, (void)mtime_ms;
    return ++*(int *)arg == 3 ? 4242 : 0;
}

START_TEST(foreach_sees_each_object_once)
{
    struct fixture f = open_kind(_i);
    struct seen *s = calloc(1, sizeof *s);
    for (int i = 0; i < MANY; i++) {
        unsigned char *data = object_bytes(1000 + (unsigned)i, 64 + (size_t)i, &s->d[i]);
        ck_assert_int_eq(put(f.be, &s->d[i], data, 64 + (size_t)i), 1);
        if (i % 10 == 0) ck_assert_int_eq(put(f.be, &s->d[i], data, 64 + (size_t)i), 0);
        free(data);
    }
    TU_OK(f.be->sync(f.be, s->d, MANY));
    /* A staged object is no object yet. */
    mlops_digest ds;
    unsigned char *data = object_bytes(9999, 10, &ds);
    mlops__obj_staged *st = stage(f.be, &ds, data, 10);
    s->oldest = INT64_MAX;
    TU_OK(f.be->foreach(f.be, count_seen, s));
    for (int i = 0; i < MANY; i++) ck_assert_int_eq(s->count[i], 1);
    /* (on S3 the staged one may be there already, uploaded ahead) */
    ck_assert_int_le(s->others, kinds[_i].stage_is_invisible ? 0 : 1);
    ck_assert(s->oldest > 0 && s->oldest < INT64_MAX);

    /* Removed and quarantined objects are no longer listed. Every third
     * is removed in one call, with 5 objects that were never there. */
    mlops_digest gone[MANY / 3 + 5];
    int removed[MANY / 3 + 5];
    size_t ngone = 0;
    for (int i = 0; i < MANY; i += 3) gone[ngone++] = s->d[i];
    for (unsigned k = 0; k < 5; k++) free(object_bytes(20000 + k, 10, &gone[ngone++]));
    memset(removed, 0x55, sizeof removed);
    TU_OK(f.be->remove(f.be, gone, ngone, removed));
    for (size_t k = 0; k < ngone; k++) ck_assert_int_eq(removed[k], k < MANY / 3);
    for (int i = 1; i < MANY; i += 3) TU_OK(f.be->quarantine(f.be, &s->d[i]));
    TU_OK(f.be->sync(f.be, s->d, MANY));
    memset(s->count, 0, sizeof s->count);
    TU_OK(f.be->foreach(f.be, count_seen, s));
    for (int i = 0; i < MANY; i++) ck_assert_int_eq(s->count[i], i % 3 == 2);
    for (int i = 0; i < 3; i++) ck_assert_int_eq(exists(f.be, &s->d[i]), i == 2);

    /* The callback may remove what it is given; a non-zero return stops. */
    int calls = 0;
    ck_assert_int_eq(f.be->foreach(f.be, stop_at_third, &calls), 4242);
    ck_assert_int_eq(calls, 3);
    f.be->discard(f.be, st);
    free(data);
    free(s);
    close_kind(&f);
}
END_TEST

/* Local objects: a removal that fails stops the call; what comes after
 * it is not tried (-1) and stays. A directory where an object's file
 * would be makes unlink fail, even for root. */
START_TEST(removals_stop_at_a_failure)
{
    struct fixture f = open_kind(0);
    mlops_digest d[3];
    for (unsigned k = 0; k < 3; k++) {
        unsigned char *data = object_bytes(30000 + k, 100, &d[k]);
        if (k != 1) ck_assert_int_eq(put(f.be, &d[k], data, 100), 1);
        free(data);
    }
    char path[512];
    f.be->describe(f.be, &d[1], path, sizeof path);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    (void)mkdir(path, 0755); /* the fan-out folder, unless d[0] made it */
    *slash = '/';
    ck_assert_int_eq(mkdir(path, 0755), 0);
    int removed[3] = {9, 9, 9};
    TU_RC(MLOPS_EIO, f.be->remove(f.be, d, 3, removed));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), path));
    ck_assert_int_eq(removed[0], 1);
    ck_assert_int_eq(removed[1], -1);
    ck_assert_int_eq(removed[2], -1);
    ck_assert_int_eq(exists(f.be, &d[0]), 0);
    ck_assert_int_eq(exists(f.be, &d[2]), 1);
    ck_assert_int_eq(rmdir(path), 0);
    close_kind(&f);
}
END_TEST

START_TEST(quarantine_takes_an_object_out)
{
    struct fixture f = open_kind(_i);
    mlops_digest d;
    unsigned char *data = object_bytes(5, 5000, &d);
    ck_assert_int_eq(put(f.be, &d, data, 5000), 1);
    TU_OK(f.be->quarantine(f.be, &d));
    ck_assert_int_eq(exists(f.be, &d), 0);
    mlops__obj_in *in = NULL;
    uint64_t n = 0;
    TU_RC(MLOPS_ENOTFOUND, f.be->open(f.be, &d, &in, &n));
    /* Healed by a new put, and quarantined again. */
    ck_assert_int_eq(put(f.be, &d, data, 5000), 1);
    check_read(f.be, &d, data, 5000, 5000);
    TU_OK(f.be->quarantine(f.be, &d));
    ck_assert_int_eq(exists(f.be, &d), 0);
    free(data);
    close_kind(&f);
}
END_TEST

START_TEST(another_version_is_refused)
{
    struct fixture f = open_kind(_i);
    mlops__objects copy = *f.be;
    copy.version = MLOPS__OBJECTS_VERSION + 1;
    TU_RC(MLOPS_EUNSUPPORTED, mlops__objects_check(&copy, "opening"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "opening"));
    close_kind(&f);
}
END_TEST

#ifdef MLOPS_HAVE_S3
/* S3: objects announced together after an idle spell (the put's transfer
 * thread waiting for work) are fetched by as many threads as the room
 * takes, not by the threads that were idle: a woken thread counts as idle
 * until it runs, and every wake-up past their number used to be lost. */
START_TEST(announced_objects_wake_enough_threads)
{
    struct fixture f = open_kind(1);
    mlops_digest d;
    unsigned char *b = object_bytes(1, 100, &d);
    put(f.be, &d, b, 100);
    free(b);
    usleep(200 * 1000); /* the uploader waits for work now */
    unsigned before = mlops__objects_s3_threads(f.be);
    ck_assert_uint_lt(before, 8);
    mlops_digest ahead[16]; /* none is there: each GET answers 404 */
    for (unsigned i = 0; i < 16; i++) free(object_bytes(100 + i, 10, &ahead[i]));
    f.be->prefetch(f.be, ahead, 16);
    /* The room takes 8 objects before it knows their sizes. */
    ck_assert_uint_ge(mlops__objects_s3_threads(f.be), 8);
    close_kind(&f);
}
END_TEST
#endif

int main(void)
{
    Suite *s = suite_create("objects");
    TCase *t = tcase_create("contract");
    tcase_set_timeout(t, 120);
    tcase_add_loop_test(t, place_read_and_place_again, 0, nkinds());
    tcase_add_loop_test(t, empty_and_tiny_objects, 0, nkinds());
    tcase_add_loop_test(t, missing_objects, 0, nkinds());
    tcase_add_loop_test(t, discarded_objects_stay_invisible, 0, nkinds());
    tcase_add_loop_test(t, settled_objects_place_as_usual, 0, nkinds());
    tcase_add_loop_test(t, foreach_sees_each_object_once, 0, nkinds());
    tcase_add_loop_test(t, quarantine_takes_an_object_out, 0, nkinds());
    tcase_add_test(t, removals_stop_at_a_failure);
    tcase_add_loop_test(t, another_version_is_refused, 0, nkinds());
#ifdef MLOPS_HAVE_S3
    if (nkinds() > 1) tcase_add_test(t, announced_objects_wake_enough_threads);
#endif
    suite_add_tcase(s, t);
    return tu_run(s);
}
