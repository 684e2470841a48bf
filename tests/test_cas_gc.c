/* References, stat and list, fsck, gc, and several processes at once. */
#include "cas_testutil.h"

#include "util/clock.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

static void db_exec(const char *store_dir, const char *sql)
{
    tu_sql_exec(store_dir, sql);
}

/* Makes everything look two hours old, past the default grace period. */
static void age_everything(const char *store_dir)
{
    db_exec(store_dir, "UPDATE cas_object SET touched_ms = touched_ms - 7200000;"
                       "UPDATE cas_content SET touched_ms = touched_ms - 7200000;");
}

static int blob_readable(mlops_store *s, const mlops_digest *d)
{
    void *p = NULL;
    size_t n = 0;
    int rc = mlops_blob_get(s, d, &p, &n);
    mlops_free(p);
    return rc == MLOPS_OK;
}

/* ---- refs ----------------------------------------------------------------- */

START_TEST(refs)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_store(dir);
    mlops_digest a, b, got;
    TU_OK(mlops_blob_put(s, "first", 5, &a));
    TU_OK(mlops_blob_put(s, "second", 6, &b));
    TU_OK(mlops_ref_set(s, "datasets/train", &a));
    TU_OK(mlops_ref_set(s, "datasets/test", &b));
    TU_OK(mlops_ref_set(s, "models/best", &a));
    TU_OK(mlops_ref_get(s, "datasets/train", &got));
    ck_assert_mem_eq(got.bytes, a.bytes, 32);
    TU_OK(mlops_ref_set(s, "datasets/train", &b)); /* move */
    TU_OK(mlops_ref_get(s, "datasets/train", &got));
    ck_assert_mem_eq(got.bytes, b.bytes, 32);

    mlops_ref_iter *it = NULL;
    const char *name;
    TU_OK(mlops_ref_list_open(s, "datasets/", &it));
    TU_OK(mlops_ref_list_next(it, &name, &got));
    ck_assert_str_eq(name, "datasets/test");
    TU_OK(mlops_ref_list_next(it, &name, &got));
    ck_assert_str_eq(name, "datasets/train");
    TU_RC(MLOPS_ITEROVER, mlops_ref_list_next(it, &name, &got));
    mlops_ref_list_close(it);
    TU_OK(mlops_ref_list_open(s, NULL, &it));
    int n = 0;
    while (mlops_ref_list_next(it, &name, &got) == MLOPS_OK) n++;
    ck_assert_int_eq(n, 3);
    mlops_ref_list_close(it);

    /* Many refs page correctly. */
    for (int i = 0; i < 150; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "many/%03d", i);
        TU_OK(mlops_ref_set(s, nm, &a));
    }
    TU_OK(mlops_ref_list_open(s, "many/", &it));
    n = 0;
    char prev[32] = "";
    while (mlops_ref_list_next(it, &name, &got) == MLOPS_OK) {
        ck_assert_int_lt(strcmp(prev, name), 0);
        snprintf(prev, sizeof prev, "%s", name);
        n++;
    }
    ck_assert_int_eq(n, 150);
    mlops_ref_list_close(it);

    TU_OK(mlops_ref_delete(s, "models/best"));
    TU_RC(MLOPS_ENOTFOUND, mlops_ref_get(s, "models/best", &got));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "models/best"));
    TU_RC(MLOPS_ENOTFOUND, mlops_ref_delete(s, "models/best"));
    mlops_digest unknown;
    memset(unknown.bytes, 9, 32);
    TU_RC(MLOPS_ENOTFOUND, mlops_ref_set(s, "x", &unknown));
    TU_RC(MLOPS_EINVAL, mlops_ref_set(s, "", &a));
    TU_RC(MLOPS_EINVAL, mlops_ref_set(s, "bad\nname", &a));
    TU_RC(MLOPS_EINVAL, mlops_ref_set(s, NULL, &a));
    TU_RC(MLOPS_EINVAL, mlops_ref_get(s, "x", NULL));
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- stat and list ---------------------------------------------------------- */

START_TEST(stat_and_list)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_small_store(dir);
    unsigned char *buf = malloc(200000);
    fill_text(buf, 200000, 1);
    mlops_digest whole, chunked, noise, tree;
    TU_OK(mlops_blob_put(s, buf, 10000, &whole));
    TU_OK(mlops_blob_put(s, buf, 200000, &chunked));
    fill_random(buf, 5000, 2);
    TU_OK(mlops_blob_put(s, buf, 5000, &noise));
    char *sub = tu_path(dir, "..");
    char *src = tu_path(dir, "src-stat");
    ck_assert_int_eq(mkdir(src, 0755), 0);
    TU_OK(mlops_tree_put(s, src, 0, &tree));

    mlops_blob_info info;
    TU_OK(mlops_blob_info_init(&info, MLOPS_BLOB_INFO_VERSION));
    TU_OK(mlops_blob_stat(s, &whole, &info));
    ck_assert_int_eq(info.kind, MLOPS_KIND_BLOB);
    ck_assert_uint_eq(info.size, 10000);
    ck_assert_int_eq(info.encoding, MLOPS_ENCODING_ZSTD);
    ck_assert_uint_eq(info.chunks, 1);
    ck_assert_uint_lt(info.stored, 10000);
    ck_assert_int_gt(info.created_ms, 0);

    TU_OK(mlops_blob_stat(s, &chunked, &info));
    ck_assert_int_eq(info.encoding, MLOPS_ENCODING_CHUNKED);
    ck_assert_uint_eq(info.size, 200000);
    ck_assert_uint_eq(info.chunks, (uint64_t)db_int_arg(dir, "SELECT count(*) FROM cas_chunk WHERE blob = ?1", &chunked));
    ck_assert_uint_ge(info.chunks, 200000 / SMALL_MAX);
    ck_assert_uint_gt(info.zstd_chunks, 0);
    ck_assert_uint_lt(info.stored, 200000);

    TU_OK(mlops_blob_stat(s, &noise, &info));
    ck_assert_int_eq(info.encoding, MLOPS_ENCODING_RAW);
    ck_assert_uint_eq(info.stored, 5000 + 16);

    TU_OK(mlops_blob_stat(s, &tree, &info));
    ck_assert_int_eq(info.kind, MLOPS_KIND_TREE);
    ck_assert_uint_eq(info.chunks, 0);

    mlops_digest unknown;
    memset(unknown.bytes, 1, 32);
    TU_RC(MLOPS_ENOTFOUND, mlops_blob_stat(s, &unknown, &info));
    info.version = 99;
    TU_RC(MLOPS_EINVAL, mlops_blob_stat(s, &whole, &info));
    TU_RC(MLOPS_EINVAL, mlops_blob_info_init(&info, 0));

    /* List: everything, only blobs, only trees. */
    mlops_blob_iter *it = NULL;
    mlops_digest d;
    mlops_blob_info li = MLOPS_BLOB_INFO_INIT;
    int blobs = 0, trees = 0;
    TU_OK(mlops_blob_list_open(s, 0, &it));
    mlops_digest prev;
    memset(&prev, 0, sizeof prev);
    while (mlops_blob_list_next(it, &d, &li) == MLOPS_OK) {
        ck_assert_int_lt(memcmp(prev.bytes, d.bytes, 32), 0);
        prev = d;
        if (li.kind == MLOPS_KIND_TREE) trees++;
        else blobs++;
    }
    mlops_blob_list_close(it);
    ck_assert_int_eq(blobs, 3);
    ck_assert_int_eq(trees, 1);
    TU_OK(mlops_blob_list_open(s, MLOPS_KIND_TREE, &it));
    TU_OK(mlops_blob_list_next(it, &d, NULL));
    ck_assert_mem_eq(d.bytes, tree.bytes, 32);
    TU_RC(MLOPS_ITEROVER, mlops_blob_list_next(it, &d, NULL));
    mlops_blob_list_close(it);
    TU_RC(MLOPS_EINVAL, mlops_blob_list_open(s, 7, &it));

    /* Paging over many. */
    for (int i = 0; i < 600; i++) {
        char t[32];
        int k = snprintf(t, sizeof t, "blob %d", i);
        TU_OK(mlops_blob_put(s, t, (size_t)k, &d));
    }
    TU_OK(mlops_blob_list_open(s, MLOPS_KIND_BLOB, &it));
    blobs = 0;
    while (mlops_blob_list_next(it, &d, NULL) == MLOPS_OK) blobs++;
    mlops_blob_list_close(it);
    ck_assert_int_eq(blobs, 603);
    free(sub);
    free(src);
    free(buf);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A page that fails to load (here: its table briefly gone, as a lost
 * PostgreSQL connection would fail it) is reported, and the next call
 * loads it again: the iterator neither hands out digests of the page
 * before nor reads past its page. */
START_TEST(list_goes_on_after_a_failed_page)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_store(dir);
    mlops_digest d;
    for (int i = 0; i < 300; i++) {
        char t[32];
        int k = snprintf(t, sizeof t, "listed %d", i);
        TU_OK(mlops_blob_put(s, t, (size_t)k, &d));
    }
    mlops_blob_iter *it = NULL;
    TU_OK(mlops_blob_list_open(s, 0, &it));
    mlops_digest prev;
    memset(&prev, 0, sizeof prev);
    int n = 0;
    for (; n < 256; n++) { /* the first page, whole */
        TU_OK(mlops_blob_list_next(it, &d, NULL));
        ck_assert_int_lt(memcmp(prev.bytes, d.bytes, 32), 0);
        prev = d;
    }
    db_exec(dir, "ALTER TABLE cas_content RENAME TO cas_content_away");
    int rc = mlops_blob_list_next(it, &d, NULL);
    ck_assert_int_ne(rc, MLOPS_OK);
    ck_assert_int_ne(rc, MLOPS_ITEROVER);
    db_exec(dir, "ALTER TABLE cas_content_away RENAME TO cas_content");
    while ((rc = mlops_blob_list_next(it, &d, NULL)) == MLOPS_OK) {
        ck_assert_int_lt(memcmp(prev.bytes, d.bytes, 32), 0);
        prev = d;
        n++;
        ck_assert_int_le(n, 300);
    }
    ck_assert_int_eq(rc, MLOPS_ITEROVER);
    ck_assert_int_eq(n, 300);
    mlops_blob_list_close(it);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- fsck ------------------------------------------------------------------------ */

START_TEST(fsck_reports_quarantines_and_heals)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_small_store(dir);
    size_t n = 150000;
    unsigned char *buf = malloc(n);
    fill_random(buf, n, 31);
    mlops_digest d, small;
    TU_OK(mlops_blob_put(s, buf, n, &d));
    TU_OK(mlops_blob_put(s, "small one", 9, &small));
    long long objects = db_int(dir, "SELECT count(*) FROM cas_object");

    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    TU_OK(mlops_store_fsck(s, NULL, &rep));
    ck_assert_uint_eq(rep.objects, (uint64_t)objects);
    ck_assert_uint_eq(rep.checked, (uint64_t)objects);
    ck_assert_uint_ge(rep.bytes_checked, n);
    ck_assert_uint_eq(rep.nissues, 0);
    ck_assert_ptr_null(rep.issues);
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM cas_object WHERE verified_ms IS NULL"), 0);

    /* Damage one chunk, delete another object's file. */
    mlops_digest chunk;
    {
        tu_db *db = tu_db_open(dir);
        tu_db_blob(db, "SELECT chunk FROM cas_chunk WHERE blob = ?1 ORDER BY pos LIMIT 1 OFFSET 2",
                   d.bytes, 32, chunk.bytes, 32);
        tu_db_close(db);
    }
    flip_object_byte(s, &chunk, 3);
    remove_object(s, &small);

    /* A sample check re-hashes about that fraction. */
    mlops_fsck_opts o = MLOPS_FSCK_OPTS_INIT;
    o.sample = 0.5;
    o.quarantine = 0;
    mlops_fsck_report r2 = MLOPS_FSCK_REPORT_INIT;
    int rc = mlops_store_fsck(s, &o, &r2);
    ck_assert(rc == MLOPS_OK || rc == MLOPS_ECORRUPT);
    ck_assert_uint_lt(r2.checked, r2.objects);
    ck_assert_uint_eq(r2.quarantined, 0);
    mlops_free(r2.issues);
    ck_assert(object_present(s, &chunk)); /* not moved: quarantine off */

    TU_RC(MLOPS_ECORRUPT, mlops_store_fsck(s, NULL, &rep));
    ck_assert_uint_eq(rep.corrupt, 1);
    ck_assert_uint_eq(rep.missing, 1);
    ck_assert_uint_eq(rep.quarantined, 1);
    ck_assert_uint_eq(rep.nissues, 2);
    int seen_corrupt = 0, seen_missing = 0;
    for (size_t i = 0; i < rep.nissues; i++) {
        if (!memcmp(rep.issues[i].digest.bytes, chunk.bytes, 32))
            seen_corrupt = rep.issues[i].problem == MLOPS_FSCK_CORRUPT;
        if (!memcmp(rep.issues[i].digest.bytes, small.bytes, 32))
            seen_missing = rep.issues[i].problem == MLOPS_FSCK_MISSING;
    }
    ck_assert(seen_corrupt && seen_missing);
    mlops_free(rep.issues);
    /* Moved aside, not deleted. */
    ck_assert(!object_present(s, &chunk));
    ck_assert_int_eq(count_quarantined(s, dir), 1);
    TU_RC(MLOPS_ECORRUPT, mlops_blob_get(s, &d, &(void *){NULL}, &(size_t){0}));

    /* Putting the same content again heals the store. */
    TU_OK(mlops_blob_put(s, buf, n, &d));
    TU_OK(mlops_blob_put(s, "small one", 9, &small));
    ck_assert(blob_readable(s, &d));
    ck_assert(blob_readable(s, &small));
    mlops_fsck_report r3 = MLOPS_FSCK_REPORT_INIT;
    TU_OK(mlops_store_fsck(s, NULL, &r3));
    ck_assert_uint_eq(r3.nissues, 0);

    o.sample = 0;
    TU_RC(MLOPS_EINVAL, mlops_store_fsck(s, &o, &r3));
    TU_RC(MLOPS_EINVAL, mlops_store_fsck(s, NULL, NULL));
    free(buf);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- gc ------------------------------------------------------------------------------ */

static int has_issue(const mlops_fsck_report *rep, const mlops_digest *d, int problem)
{
    for (size_t i = 0; i < rep->nissues; i++)
        if (!memcmp(rep->issues[i].digest.bytes, d->bytes, 32) &&
            rep->issues[i].problem == problem)
            return 1;
    return 0;
}

/* Issue 13: chunk rows rewritten with SQL leave every object sound; fsck
 * checks each blob's rows against its manifest object and its digest. */
START_TEST(fsck_finds_rewritten_chunk_lists)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_small_store(dir);
    size_t n = 120000;
    unsigned char *a = malloc(n), *b = malloc(n);
    fill_random(a, n, 41);
    fill_random(b, n, 42);
    mlops_digest da, db, dc, dd;
    TU_OK(mlops_blob_put(s, a, n, &da));
    TU_OK(mlops_blob_put(s, b, n, &db));
    TU_OK(mlops_blob_put(s, "stored whole", 12, &dc));
    TU_OK(mlops_blob_put(s, "another", 7, &dd));
    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    TU_OK(mlops_store_fsck(s, NULL, &rep));

    swap_chunk_rows(dir, &da, &db);    /* rows no longer the manifest's */
    redirect_whole_blob(dir, &dc, &db); /* rows and manifest agree, digest does not */
    db_tamper(dir, "UPDATE cas_content SET size = 3 WHERE digest = ?1 OR digest = ?2", &dd, &dd);
    int files = count_objects(dir);
    TU_RC(MLOPS_ECORRUPT, mlops_store_fsck(s, NULL, &rep));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "chunk list"));
    ck_assert_uint_eq(rep.corrupt, 3);
    ck_assert_uint_eq(rep.missing, 0);
    ck_assert_uint_eq(rep.quarantined, 0); /* the damage is in rows, not files */
    ck_assert_uint_eq(rep.nissues, 3);
    ck_assert(has_issue(&rep, &da, MLOPS_FSCK_CORRUPT));
    ck_assert(has_issue(&rep, &dc, MLOPS_FSCK_CORRUPT));
    ck_assert(has_issue(&rep, &dd, MLOPS_FSCK_CORRUPT));
    ck_assert_int_eq(count_objects(dir), files);
    mlops_free(rep.issues);
    free(a);
    free(b);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A chunk, or a manifest, gone with its row (a database restored from an
 * older backup than the files, rows deleted by hand): the object pass
 * never meets it, so the blob pass reports the blob it leaves unreadable. */
START_TEST(fsck_finds_chunks_gone_with_their_rows)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_small_store(dir);
    size_t n = 120000;
    unsigned char *a = malloc(n), *b = malloc(n);
    fill_random(a, n, 51);
    fill_random(b, n, 52);
    mlops_digest da, db, chunk, manifest;
    TU_OK(mlops_blob_put(s, a, n, &da));
    TU_OK(mlops_blob_put(s, b, n, &db));
    tu_db *t = tu_db_open(dir);
    tu_db_blob(t, "SELECT chunk FROM cas_chunk WHERE blob = ?1 AND pos = 0", da.bytes, 32,
               chunk.bytes, 32);
    tu_db_blob(t, "SELECT manifest FROM cas_content WHERE digest = ?1", db.bytes, 32,
               manifest.bytes, 32);
    tu_db_close(t);
    remove_object(s, &chunk);
    remove_object(s, &manifest);
    db_tamper(dir, "DELETE FROM cas_object WHERE digest = ?1 OR digest = ?2", &chunk, &manifest);
    void *p = NULL;
    size_t len = 0;
    TU_RC(MLOPS_ECORRUPT, mlops_blob_get(s, &da, &p, &len));
    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    TU_RC(MLOPS_ECORRUPT, mlops_store_fsck(s, NULL, &rep));
    ck_assert_uint_eq(rep.corrupt, 2);
    ck_assert(has_issue(&rep, &da, MLOPS_FSCK_CORRUPT));
    ck_assert(has_issue(&rep, &db, MLOPS_FSCK_CORRUPT));
    mlops_free(rep.issues);
    free(a);
    free(b);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Issue 13: an object whose format-version byte reads 3 stopped fsck with
 * "unsupported"; now it is reported and quarantined and the check goes
 * on to the other damage. */
START_TEST(fsck_goes_on_past_an_unreadable_object)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_store(dir);
    mlops_digest d1, d2, d3;
    TU_OK(mlops_blob_put(s, "first object", 12, &d1));
    TU_OK(mlops_blob_put(s, "second object", 13, &d2));
    TU_OK(mlops_blob_put(s, "third object", 12, &d3));
    set_object_byte(s, &d1, 4, 3); /* the format version */
    flip_object_byte(s, &d2, 1);
    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    TU_RC(MLOPS_ECORRUPT, mlops_store_fsck(s, NULL, &rep));
    ck_assert_uint_eq(rep.checked, 3);
    ck_assert_uint_eq(rep.corrupt, 2);
    ck_assert_uint_eq(rep.quarantined, 2);
    ck_assert(has_issue(&rep, &d1, MLOPS_FSCK_CORRUPT));
    ck_assert(has_issue(&rep, &d2, MLOPS_FSCK_CORRUPT));
    ck_assert(!object_present(s, &d1));
    ck_assert(!object_present(s, &d2));
    mlops_free(rep.issues);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(gc_keeps_roots_and_shared_chunks)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_small_store(dir);
    size_t n = 300000;
    unsigned char *buf = malloc(n);
    fill_random(buf, n, 41);
    mlops_digest kept, dropped, young;
    TU_OK(mlops_blob_put(s, buf, n, &kept));
    fill_random(buf + n / 2, 20000, 42); /* shares most chunks with kept */
    TU_OK(mlops_blob_put(s, buf, n, &dropped));
    TU_OK(mlops_ref_set(s, "keep", &kept));
    age_everything(dir);
    fill_random(buf, 50000, 43);
    TU_OK(mlops_blob_put(s, buf, 50000, &young)); /* within the grace period */

    long long objects = db_int(dir, "SELECT count(*) FROM cas_object");
    long long files = count_objects(dir);
    ck_assert_int_eq(objects, files);

    /* Dry run: reports, deletes nothing. */
    mlops_gc_opts o = MLOPS_GC_OPTS_INIT;
    o.dry_run = 1;
    mlops_gc_report dry = MLOPS_GC_REPORT_INIT;
    TU_OK(mlops_store_gc(s, &o, &dry));
    ck_assert_uint_eq(dry.contents, 1);
    ck_assert_uint_gt(dry.objects, 1); /* its manifest and the chunks only it uses */
    ck_assert_uint_gt(dry.bytes, 0);
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM cas_object"), objects);
    ck_assert_int_eq(count_objects(dir), files);

    mlops_gc_report rep = MLOPS_GC_REPORT_INIT;
    TU_OK(mlops_store_gc(s, NULL, &rep));
    ck_assert_uint_eq(rep.contents, dry.contents);
    ck_assert_uint_eq(rep.objects, dry.objects);
    ck_assert_uint_eq(rep.bytes, dry.bytes);
    ck_assert_uint_eq(rep.kept_contents, 2);
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM cas_object"), objects - (long long)rep.objects);
    ck_assert_int_eq(count_objects(dir), files - (long long)rep.objects);
    ck_assert(blob_readable(s, &kept));
    ck_assert(blob_readable(s, &young));
    int e = 1;
    TU_OK(mlops_blob_exists(s, &dropped, &e));
    ck_assert_int_eq(e, 0);
    /* Every chunk of the kept blob is still there. */
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM cas_chunk k WHERE NOT EXISTS "
                                 "(SELECT 1 FROM cas_object o WHERE o.digest = k.chunk)"), 0);

    /* A second gc finds nothing more; after the ref goes, everything old goes. */
    TU_OK(mlops_store_gc(s, NULL, &rep));
    ck_assert_uint_eq(rep.contents, 0);
    ck_assert_uint_eq(rep.objects, 0);
    TU_OK(mlops_ref_delete(s, "keep"));
    age_everything(dir);
    TU_OK(mlops_store_gc(s, NULL, &rep));
    ck_assert_uint_eq(rep.contents, 2);
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM cas_object"), 0);
    ck_assert_int_eq(count_objects(dir), 0);

    o.dry_run = 0;
    o.grace_ms = -1;
    TU_RC(MLOPS_EINVAL, mlops_store_gc(s, &o, NULL));
    free(buf);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(gc_follows_trees)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store"), *src = tu_path(dir, "src");
    mlops_store *s = open_small_store(store);
    ck_assert_int_eq(mkdir(src, 0755), 0);
    char *sub = tu_path(src, "sub");
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    char *f = tu_path(sub, "data.bin");
    unsigned char *buf = malloc(100000);
    fill_random(buf, 100000, 5);
    tu_write_file(f, buf, 100000);
    mlops_digest t, loose;
    TU_OK(mlops_tree_put(s, src, 0, &t));
    TU_OK(mlops_blob_put(s, "loose", 5, &loose));
    TU_OK(mlops_ref_set(s, "snapshot", &t));
    age_everything(store);
    mlops_gc_report rep = MLOPS_GC_REPORT_INIT;
    TU_OK(mlops_store_gc(s, NULL, &rep));
    ck_assert_uint_eq(rep.contents, 1); /* only the loose blob */
    char *dst = tu_path(dir, "dst");
    TU_OK(mlops_tree_get(s, &t, dst, 0));
    TU_OK(mlops_ref_delete(s, "snapshot"));
    TU_OK(mlops_store_gc(s, NULL, &rep));
    ck_assert_uint_eq(rep.contents, 3); /* root tree, sub tree, file blob */
    ck_assert_int_eq(db_int(store, "SELECT count(*) FROM cas_content"), 0);
    ck_assert_int_eq(db_int(store, "SELECT count(*) FROM cas_tree_child"), 0);
    ck_assert_int_eq(count_objects(store), 0);
    free(dst);
    free(buf);
    free(f);
    free(sub);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(store);
    free(src);
    free(dir);
}
END_TEST

/* A reference recorded through mlops__cas_exists in a write transaction
 * protects old content from a gc (what other subsystems do). */
static int reference_tx(mlops__conn *c, void *arg)
{
    int exists = 0;
    int rc = mlops__cas_exists(c, arg, &exists);
    return rc ? rc : exists ? MLOPS_OK : MLOPS_ENOTFOUND;
}

START_TEST(gc_respects_fresh_references)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_small_store(dir);
    mlops_digest d;
    unsigned char buf[60000];
    fill_random(buf, sizeof buf, 8);
    TU_OK(mlops_blob_put(s, buf, sizeof buf, &d));
    age_everything(dir);
    TU_OK(mlops__store_write(s, reference_tx, &d));
    mlops_gc_report rep = MLOPS_GC_REPORT_INIT;
    TU_OK(mlops_store_gc(s, NULL, &rep));
    ck_assert_uint_eq(rep.contents, 0);
    ck_assert(blob_readable(s, &d));
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A table gc does not know that holds content through a foreign key
 * keeps it: that one DELETE fails and is rolled back to its savepoint,
 * and the rest of the batch is still collected and committed. */
START_TEST(gc_goes_on_past_an_unknown_reference)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_small_store(dir);
    mlops_digest held, loose, later;
    TU_OK(mlops_blob_put(s, "held by another table", 21, &held));
    TU_OK(mlops_blob_put(s, "loose", 5, &loose));
    char hex[65], sql[256];
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", held.bytes[i]);
    snprintf(sql, sizeof sql,
             "CREATE TABLE other(d %s REFERENCES cas_content(digest));"
             "INSERT INTO other VALUES (x'%s');",
             tu_backend_postgres() ? "BYTEA" : "BLOB", hex);
    db_exec(dir, sql);
    age_everything(dir);
    mlops_gc_report rep = MLOPS_GC_REPORT_INIT;
    TU_OK(mlops_store_gc(s, NULL, &rep));
    ck_assert_uint_eq(rep.contents, 1);
    ck_assert_uint_eq(rep.objects, 1);
    ck_assert(blob_readable(s, &held));
    int e = 1;
    TU_OK(mlops_blob_exists(s, &loose, &e));
    ck_assert_int_eq(e, 0);
    /* Nothing was left open: writes and another gc go on as before. */
    TU_OK(mlops_blob_put(s, "later", 5, &later));
    TU_OK(mlops_store_gc(s, NULL, &rep));
    ck_assert_uint_eq(rep.contents, 0);
    ck_assert(blob_readable(s, &later));
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM cas_content"), 2);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Files of a put that never committed (a crash) are counted by fsck and
 * removed by gc once older than the grace period. */
START_TEST(orphans_and_stale_temp_files)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_store(dir);
    mlops_digest d;
    TU_OK(mlops_digest_compute("orphan", 6, &d));
    mlops__obj_writer *w = NULL;
    TU_OK(mlops__obj_writer_new(s, &w));
    mlops__placed p;
    TU_OK(mlops__object_write(s, w, &d, "orphan", 6, &p));
    mlops__placed_clear(&p);
    mlops__obj_writer_free(w);
    mlops_fsck_report fr = MLOPS_FSCK_REPORT_INIT;
    TU_OK(mlops_store_fsck(s, NULL, &fr));
    ck_assert_uint_eq(fr.orphans, 1);
    mlops_gc_report rep = MLOPS_GC_REPORT_INIT;
    TU_OK(mlops_store_gc(s, NULL, &rep));
    ck_assert_uint_eq(rep.orphans, 0); /* young */
    age_object(s, &d, 7200);
    TU_OK(mlops_store_gc(s, NULL, &rep));
    ck_assert_uint_eq(rep.orphans, 1);
    ck_assert(!object_present(s, &d));
    mlops_store_close(s);

    /* Temp files older than an hour are swept when the store opens: the
     * local folder's tmp/ (S3 objects are staged in memory, no tmp/). */
    if (tu_objects_s3()) {
        tu_rmrf(dir);
        free(dir);
        return;
    }
    struct timeval old[2] = {{time(NULL) - 7200, 0}, {time(NULL) - 7200, 0}};
    char *stale = tu_path(dir, "tmp/tmp-stale"), *fresh = tu_path(dir, "tmp/tmp-fresh");
    tu_write_file(stale, "x", 1);
    tu_write_file(fresh, "y", 1);
    ck_assert_int_eq(utimes(stale, old), 0);
    s = open_store(dir);
    ck_assert_int_ne(access(stale, F_OK), 0);
    ck_assert_int_eq(access(fresh, F_OK), 0);
    free(stale);
    free(fresh);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- several processes ------------------------------------------------------------- */

#define PROCS 4

/* Each process puts a shared blob, a blob shared with its neighbour and
 * one of its own, in a different order. */
static int child_puts(const char *dir, int id, const unsigned char *shared, size_t n)
{
    mlops_store_opts o = small_store_opts(MLOPS_DURABILITY_NORMAL, 0);
    mlops_store *s = NULL;
    if (mlops_store_open(dir, &o, &s)) return 10;
    unsigned char *mine = malloc(n);
    memcpy(mine, shared, n);
    fill_random(mine + n / 3, 30000, (uint64_t)(100 + id));
    unsigned char *pair = malloc(n);
    memcpy(pair, shared, n);
    fill_random(pair, 20000, (uint64_t)(200 + id / 2));
    for (int round = 0; round < 3; round++) {
        mlops_digest d;
        const unsigned char *order[3] = {shared, mine, pair};
        for (int k = 0; k < 3; k++) {
            const unsigned char *p = order[(k + id + round) % 3];
            int rc = (k + id) % 2 ? mlops_blob_put(s, p, n, &d) : MLOPS_OK;
            if (!((k + id) % 2)) {
                mlops_blob_writer *w = NULL;
                rc = mlops_blob_writer_open(s, &w);
                if (!rc) rc = mlops_blob_writer_write(w, p, n);
                if (!rc) rc = mlops_blob_writer_commit(w, &d);
                else mlops_blob_writer_abort(w);
            }
            if (rc) {
                fprintf(stderr, "child %d: %s\n", id, mlops_last_error());
                return 20 + rc;
            }
            void *back = NULL;
            size_t len = 0;
            if (mlops_blob_get(s, &d, &back, &len) || len != n || memcmp(back, p, n)) return 40;
            mlops_free(back);
        }
    }
    free(mine);
    free(pair);
    mlops_store_close(s);
    return 0;
}

/* ---- object removals seen by commits (format 12) ------------------------ */

/* The store's exists(), counted: how many objects a commit looked up. */
static int (*real_exists)(mlops__objects *be, const mlops_digest *d, int *yes);
static int lookups;

static int counting_exists(mlops__objects *be, const mlops_digest *d, int *yes)
{
    lookups++;
    return real_exists(be, d, yes);
}

/* A store whose objects act as S3's (remote: puts skip what lookups
 * they can) and count their lookups. The backend is the handle's own. */
static mlops_store *open_counting_store(const char *dir)
{
    mlops_store *s = open_store(dir);
    real_exists = s->objects->exists;
    s->objects->exists = counting_exists;
    s->objects->remote = 1;
    lookups = 0;
    return s;
}

struct commit_arg {
    mlops_store *s;
    const mlops__removals_seen *seen;
    mlops__placed *p;
};

static int commit_tx(mlops__conn *c, void *arg)
{
    struct commit_arg *a = arg;
    return mlops__objects_commit(c, a->s, a->seen, a->p, 1, mlops__now_ms());
}

/* Reads the removals, places object d (no row yet), then lets `meanwhile`
 * act on it; returns what the commit says and the lookups it made. */
static int place_then_commit(mlops_store *s, const char *text, mlops_digest *d,
                             void (*meanwhile)(mlops_store *, const mlops_digest *), int *looked)
{
    TU_OK(mlops_digest_compute(text, strlen(text), d));
    mlops__removals_seen seen;
    mlops__removals_seen_now(s, &seen);
    ck_assert_int_eq(seen.known, 1);
    mlops__obj_writer *w = NULL;
    TU_OK(mlops__obj_writer_new(s, &w));
    mlops__placed p;
    TU_OK(mlops__object_write(s, w, d, text, strlen(text), &p));
    mlops__obj_writer_free(w);
    ck_assert_int_eq(p.placed, 1);
    if (meanwhile) meanwhile(s, d);
    lookups = 0;
    struct commit_arg a = {s, &seen, &p};
    int rc = mlops__store_write(s, commit_tx, &a);
    *looked = lookups;
    mlops__placed_clear(&p);
    return rc;
}

/* gc removes the object as an orphan. */
static void gc_takes_it(mlops_store *s, const mlops_digest *d)
{
    age_object(s, d, 7200);
    mlops_gc_report rep = MLOPS_GC_REPORT_INIT;
    TU_OK(mlops_store_gc(s, NULL, &rep));
    ck_assert_uint_eq(rep.orphans, 1);
    ck_assert(!object_present(s, d));
}

/* Damaged right after it was placed: fsck moves it aside. */
static void fsck_takes_it(mlops_store *s, const mlops_digest *d)
{
    flip_object_byte(s, d, 1);
    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    ck_assert_int_eq(mlops_store_fsck(s, NULL, &rep), MLOPS_ECORRUPT);
    ck_assert_uint_eq(rep.quarantined, 1);
    mlops_free(rep.issues);
    ck_assert(!object_present(s, d));
}

static int begin_tx(mlops__conn *c, void *arg)
{
    return mlops__removal_begin(c, arg);
}

/* A removal that began and never ended (its process died). */
static void removal_dies(mlops_store *s, const mlops_digest *d)
{
    (void)d;
    int64_t id = 0;
    TU_OK(mlops__store_write(s, begin_tx, &id));
}

/* A commit looks up the objects it placed only after a removal since it
 * read the removals (cas/removals.h): never otherwise, and always then,
 * whoever removed (gc of an orphan, fsck moving a damaged file aside, a
 * removal that died midway). The lookups are what S3 stores skip; the
 * local backend is made to act as remote too, so that every backend runs
 * this. */
START_TEST(commits_see_removals_since_placing)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_counting_store(dir);
    mlops_digest d;
    int looked = 0;

    /* Nothing removed: no lookup. */
    TU_OK(place_then_commit(s, "kept", &d, NULL, &looked));
    ck_assert_int_eq(looked, 0);
    ck_assert_int_eq(db_int_arg(dir, "SELECT count(*) FROM cas_object WHERE digest = ?1", &d), 1);

    /* Removed by gc, by fsck: looked up, refused, no row. */
    ck_assert_int_eq(place_then_commit(s, "taken by gc", &d, gc_takes_it, &looked),
                     MLOPS_ECONFLICT);
    ck_assert_int_ge(looked, 1);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "garbage collection"));
    ck_assert_int_eq(db_int_arg(dir, "SELECT count(*) FROM cas_object WHERE digest = ?1", &d), 0);
    mlops_digest healed;
    TU_OK(mlops_blob_put(s, "taken by fsck", 13, &healed)); /* a row and its file */
    remove_object(s, &healed);                                 /* as fsck had moved it */
    ck_assert_int_eq(place_then_commit(s, "taken by fsck", &d, fsck_takes_it, &looked),
                     MLOPS_ECONFLICT);
    ck_assert_int_ge(looked, 1);

    /* A removal that died: every commit looks up, until the removal is an
     * hour old and the next one drops it. */
    TU_OK(place_then_commit(s, "while one died", &d, removal_dies, &looked));
    ck_assert_int_eq(looked, 1);
    TU_OK(place_then_commit(s, "still", &d, NULL, &looked));
    ck_assert_int_eq(looked, 1);
    db_exec(dir, "UPDATE cas_removing SET started_ms = started_ms - 7200000");
    ck_assert_int_eq(place_then_commit(s, "an hour later", &d, gc_takes_it, &looked),
                     MLOPS_ECONFLICT);
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM cas_removing"), 0);
    TU_OK(place_then_commit(s, "clean again", &d, NULL, &looked));
    ck_assert_int_eq(looked, 0);

    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A small put to remote objects asks the backend about its object only
 * when the store has a row for it: then to heal a file fsck moved away. */
START_TEST(small_puts_look_up_only_recorded_objects)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_counting_store(dir);
    mlops_digest d;
    TU_OK(mlops_blob_put(s, "new content", 11, &d));
    ck_assert_int_eq(lookups, 0);
    TU_OK(mlops_blob_put(s, "new content", 11, &d)); /* known: is its file there? */
    ck_assert_int_eq(lookups, 1);
    remove_object(s, &d); /* as fsck moves a damaged file aside */
    TU_OK(mlops_blob_put(s, "new content", 11, &d));
    ck_assert(object_present(s, &d));
    ck_assert(blob_readable(s, &d));
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(processes_put_overlapping_content)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_small_store(dir);
    mlops_store_close(s);
    size_t n = scaled(800000);
    unsigned char *shared = malloc(n);
    fill_random(shared, n, 99);
    pid_t pids[PROCS];
    for (int i = 0; i < PROCS; i++) {
        pids[i] = fork();
        if (pids[i] == 0) _exit(child_puts(dir, i, shared, n));
    }
    for (int i = 0; i < PROCS; i++) {
        int status = 0;
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d: status %d", i,
                      status);
    }
    /* One object per content: as many files as rows, rows unique by key,
     * no temp file left, and every object sound. */
    ck_assert_int_eq(count_objects(dir), db_int(dir, "SELECT count(*) FROM cas_object"));
    ck_assert_int_eq(count_tmp(dir), 0);
    /* shared + 4 own + 2 pair blobs */
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM cas_content"), 1 + PROCS + PROCS / 2);
    s = open_small_store(dir);
    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    TU_OK(mlops_store_fsck(s, NULL, &rep));
    ck_assert_uint_eq(rep.orphans, 0);
    mlops_store_close(s);
    free(shared);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* gc with a short grace period running over and over while another
 * process re-puts old, unreferenced content and references it: whatever
 * the writer was told is stored stays readable. */
static int child_reputs(const char *dir, unsigned char *base, size_t n, int count)
{
    mlops_store_opts o = small_store_opts(MLOPS_DURABILITY_NORMAL, 0);
    mlops_store *s = NULL;
    if (mlops_store_open(dir, &o, &s)) return 10;
    for (int i = 0; i < count; i += 2) {
        fill_random(base + n / 2, 1000, (uint64_t)i);
        mlops_digest d;
        int rc = mlops_blob_put(s, base, n, &d);
        char name[32];
        snprintf(name, sizeof name, "kept/%d", i);
        if (!rc) rc = mlops_ref_set(s, name, &d);
        if (rc) {
            fprintf(stderr, "writer: %s\n", mlops_last_error());
            return 20 + rc;
        }
    }
    mlops_store_close(s);
    return 0;
}

START_TEST(gc_while_writing)
{
    char *dir = tu_tmpdir();
    mlops_store *s = open_small_store(dir);
    size_t n = 100000;
    int count = 24;
    unsigned char *base = malloc(n);
    fill_random(base, n, 61);
    mlops_digest d[24];
    for (int i = 0; i < count; i++) {
        fill_random(base + n / 2, 1000, (uint64_t)i);
        TU_OK(mlops_blob_put(s, base, n, &d[i]));
    }
    age_everything(dir);
    pid_t pid = fork();
    if (pid == 0) _exit(child_reputs(dir, base, n, count));
    mlops_gc_opts o = MLOPS_GC_OPTS_INIT;
    o.grace_ms = 2000; /* the writer references within this */
    int status = 0, runs = 0;
    for (;;) {
        TU_OK(mlops_store_gc(s, &o, NULL));
        runs++;
        if (waitpid(pid, &status, WNOHANG) == pid) break;
    }
    TU_OK(mlops_store_gc(s, &o, NULL));
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer status %d", status);
    ck_assert_int_ge(runs, 1);
    for (int i = 0; i < count; i++) {
        char name[32];
        snprintf(name, sizeof name, "kept/%d", i);
        mlops_digest got;
        if (i % 2 == 0) {
            TU_OK(mlops_ref_get(s, name, &got));
            ck_assert_mem_eq(got.bytes, d[i].bytes, 32);
            ck_assert_msg(blob_readable(s, &d[i]), "blob %d lost: %s", i, mlops_last_error());
        } else {
            int e = 1;
            TU_OK(mlops_blob_exists(s, &d[i], &e));
            ck_assert_int_eq(e, 0); /* old and unreferenced: collected */
        }
    }
    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    TU_OK(mlops_store_fsck(s, NULL, &rep));
    free(base);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A full disk: the put fails with MLOPS_EIO, nothing becomes visible and
 * no temp file is left. RLIMIT_FSIZE stands in for the disk. */
static int child_full_disk(const char *dir, int big)
{
    mlops_store *s = NULL;
    mlops_store_opts o = small_store_opts(MLOPS_DURABILITY_NORMAL, 0);
    if (mlops_store_open(dir, &o, &s)) return 10;
    signal(SIGXFSZ, SIG_IGN);
    /* On SQLite the database's journal meets the limit too; a PostgreSQL
     * store keeps no database here, so its limit is below the chunks'
     * size (avg 4 KiB) for the object files themselves to meet it. */
    rlim_t limit = tu_backend_postgres() ? 2048 : 12000;
    struct rlimit rl = {limit, limit};
    if (setrlimit(RLIMIT_FSIZE, &rl)) return 11;
    size_t n = big ? 400000 : 14000;
    unsigned char *buf = malloc(n);
    fill_random(buf, n, 71);
    mlops_digest d;
    int rc = mlops_blob_put(s, buf, n, &d);
    if (rc != MLOPS_EIO) {
        fprintf(stderr, "put gave %d: %s\n", rc, mlops_last_error());
        return 20;
    }
    if (!strstr(mlops_last_error(), dir)) { /* names the path */
        fprintf(stderr, "message: %s\n", mlops_last_error());
        return 21;
    }
    mlops_store_close(s);
    return 0;
}

START_TEST(full_disk)
{
    for (int big = 0; big < 2; big++) {
        char *dir = tu_tmpdir();
        mlops_store *s = open_small_store(dir);
        mlops_store_close(s);
        pid_t pid = fork();
        if (pid == 0) _exit(child_full_disk(dir, big));
        int status = 0;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
        ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM cas_content"), 0);
        ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM cas_object"), 0);
        ck_assert_int_eq(count_tmp(dir), 0);
        ck_assert_int_eq(count_objects(dir), 0);
        tu_rmrf(dir);
        free(dir);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cas_gc");
    TCase *t = tcase_create("refs");
    /* Check's default of 4 s is too short on PostgreSQL on a loaded machine */
    tcase_set_timeout(t, 60);
    tcase_add_test(t, refs);
    tcase_add_test(t, stat_and_list);
    tcase_add_test(t, list_goes_on_after_a_failed_page);
    suite_add_tcase(s, t);
    t = tcase_create("integrity");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, fsck_reports_quarantines_and_heals);
    tcase_add_test(t, fsck_finds_rewritten_chunk_lists);
    tcase_add_test(t, fsck_finds_chunks_gone_with_their_rows);
    tcase_add_test(t, fsck_goes_on_past_an_unreadable_object);
    tcase_add_test(t, gc_keeps_roots_and_shared_chunks);
    tcase_add_test(t, gc_follows_trees);
    tcase_add_test(t, gc_respects_fresh_references);
    tcase_add_test(t, gc_goes_on_past_an_unknown_reference);
    tcase_add_test(t, orphans_and_stale_temp_files);
    tcase_add_test(t, commits_see_removals_since_placing);
    tcase_add_test(t, small_puts_look_up_only_recorded_objects);
    suite_add_tcase(s, t);
    t = tcase_create("processes");
    tcase_set_timeout(t, 240);
    tcase_add_test(t, processes_put_overlapping_content);
    tcase_add_test(t, gc_while_writing);
    tcase_add_test(t, full_disk);
    suite_add_tcase(s, t);
    return tu_run(s);
}
