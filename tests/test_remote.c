/* Selections, remotes, push and pull (include/mlops/remote.h,
 * doc/remotes.md). The remote is a directory, or with
 * MLOPS_TEST_OBJECTS=s3 (the s3 suite) a fresh prefix of $MLOPS_TEST_S3,
 * where the stores keep their objects too. */
#include "cas_testutil.h"
#include "cas/manifest.h"
#include "remote/remote_internal.h"
#include "util/hash.h"
#include "util/sha256_pair.h"
#include "util/str.h"

#include <stdint.h>

/* Small chunks, so that files of a few MiB have hundreds of them: the
 * logic of a 1 GiB file with 1 MiB chunks at a test's size. */
static mlops_store *open_small_chunks(const char *dir)
{
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    o.chunk_min_size = 2048;
    o.chunk_avg_size = 8192;
    o.chunk_max_size = 32768;
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, &o, &s));
    return s;
}

/* A remote URL nobody used: a folder of dir, or a fresh S3 prefix. */
static char *remote_url(const char *dir)
{
    if (!tu_objects_s3()) return tu_path(dir, "remote");
    const char *s3 = getenv("MLOPS_TEST_S3");
    ck_assert_msg(s3 && *s3, "MLOPS_TEST_S3 is not set");
    const char *base = strrchr(dir, '/');
    size_t n = strlen(s3) + strlen(base) + 16;
    char *u = malloc(n);
    snprintf(u, n, "%s/remote%s", s3, base);
    for (char *p = u + strlen(s3); *p; p++)
        if (*p == '_' || *p == '.') *p = '-';
    return u;
}

typedef struct pair {
    char *dir, *url;
    mlops_store *a, *b; /* a pushes, b pulls */
} pair;

static void pair_open(pair *p)
{
    p->dir = tu_tmpdir();
    p->url = remote_url(p->dir);
    char *da = tu_store_dir(p->dir, "a"), *db = tu_store_dir(p->dir, "b");
    p->a = open_small_chunks(da);
    p->b = open_small_chunks(db);
    TU_OK(mlops_remote_add(p->a, "team", p->url));
    TU_OK(mlops_remote_add(p->b, "team", p->url));
    free(da);
    free(db);
}

static void pair_close(pair *p)
{
    mlops_store_close(p->a);
    mlops_store_close(p->b);
    tu_rmrf(p->dir);
    free(p->dir);
    free(p->url);
}

static mlops_digest put_random(mlops_store *s, size_t n, uint64_t seed, unsigned char **keep)
{
    unsigned char *buf = malloc(n ? n : 1);
    fill_random(buf, n, seed);
    mlops_digest d;
    TU_OK(mlops_blob_put(s, buf, n, &d));
    if (keep) *keep = buf;
    else free(buf);
    return d;
}

static void assert_blob(mlops_store *s, const mlops_digest *d, const unsigned char *want,
                        size_t n)
{
    void *got = NULL;
    size_t len = 0;
    TU_OK(mlops_blob_get(s, d, &got, &len));
    ck_assert_uint_eq(len, n);
    ck_assert(memcmp(got, want, n) == 0);
    mlops_free(got);
}

static int push1(mlops_store *s, const char *sel, mlops_transfer_report *r)
{
    mlops_transfer_report_init(r, MLOPS_TRANSFER_REPORT_VERSION);
    return mlops_remote_push(s, "team", &sel, 1, r);
}

static int pull1(mlops_store *s, const char *sel, mlops_transfer_report *r)
{
    mlops_transfer_report_init(r, MLOPS_TRANSFER_REPORT_VERSION);
    return mlops_remote_pull(s, "team", &sel, 1, r);
}

START_TEST(selections_parse)
{
    mlops__selection sel;
    static const char hex[] = "sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    TU_OK(mlops__selection_parse("t", hex, &sel));
    ck_assert_int_eq(sel.kind, MLOPS__SEL_DIGEST);
    ck_assert_uint_eq(sel.digest.bytes[1], 0x11);
    TU_OK(mlops__selection_parse("t", "ref:data/train", &sel));
    ck_assert_int_eq(sel.kind, MLOPS__SEL_REF);
    ck_assert_str_eq(sel.name, "data/train");
    TU_OK(mlops__selection_parse("t", "run:0123456789abcdef0123456789abcdef", &sel));
    ck_assert_int_eq(sel.kind, MLOPS__SEL_RUN);
    TU_OK(mlops__selection_parse("t", "model:team/churn@champion", &sel));
    ck_assert_int_eq(sel.kind, MLOPS__SEL_MODEL_ALIAS);
    ck_assert_str_eq(sel.name, "team/churn");
    ck_assert_str_eq(sel.alias, "champion");
    TU_OK(mlops__selection_parse("t", "model:team/churn/12", &sel));
    ck_assert_int_eq(sel.kind, MLOPS__SEL_MODEL_VERSION);
    ck_assert_str_eq(sel.name, "team/churn");
    ck_assert_int_eq(sel.version, 12);
    /* Unicode names pass through. */
    TU_OK(mlops__selection_parse("t", "ref:d\xc3\xa9j\xc3\xa0", &sel));
    static const char *const bad[] = {
        "", "sha256:", "sha256:0011", "ref:", "run:0123", "run:0123456789ABCDEF0123456789ABCDEF",
        "model:m", "model:@a", "model:m@", "model:m/0", "model:/3", "blob:x", "nokind",
        "model:m/99999999999999999999", "ref:\xff\xfe",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(mlops__selection_parse("t", bad[i], &sel) == MLOPS_EINVAL, "%s", bad[i]);
    char longsel[600];
    memset(longsel, 'a', sizeof longsel - 1);
    longsel[sizeof longsel - 1] = '\0';
    memcpy(longsel, "ref:", 4);
    TU_RC(MLOPS_EINVAL, mlops__selection_parse("t", longsel, &sel));
}
END_TEST

START_TEST(remotes_add_list_remove)
{
    char *dir = tu_tmpdir();
    char *sd = tu_store_dir(dir, "s");
    mlops_store *s = open_store(sd);
    mlops_remotes *l = NULL;
    TU_OK(mlops_remote_list(s, &l));
    ck_assert_uint_eq(mlops_remotes_count(l), 0);
    mlops_remotes_free(l);
    TU_OK(mlops_remote_add(s, "zeta", "s3://bucket/team/prefix"));
    TU_OK(mlops_remote_add(s, "alpha", "/srv/mlops-remote"));
    TU_OK(mlops_remote_add(s, "rel", "some/folder"));
    TU_RC(MLOPS_EEXIST, mlops_remote_add(s, "alpha", "/elsewhere"));
    TU_RC(MLOPS_EINVAL, mlops_remote_add(s, "bad name", "/x"));
    TU_RC(MLOPS_EINVAL, mlops_remote_add(s, "", "/x"));
    TU_RC(MLOPS_EINVAL, mlops_remote_add(s, "x", "http://host/x"));
    TU_RC(MLOPS_EINVAL, mlops_remote_add(s, "x", "/a\nb"));
    TU_RC(MLOPS_EINVAL, mlops_remote_add(s, "x", ""));
    TU_OK(mlops_remote_list(s, &l));
    ck_assert_uint_eq(mlops_remotes_count(l), 3);
    const char *name, *url;
    TU_OK(mlops_remotes_at(l, 0, &name, &url));
    ck_assert_str_eq(name, "alpha");
    ck_assert_str_eq(url, "/srv/mlops-remote");
    TU_OK(mlops_remotes_at(l, 1, &name, &url));
    ck_assert_str_eq(name, "rel");
    ck_assert(url[0] == '/' && strstr(url, "/some/folder"));
    TU_OK(mlops_remotes_at(l, 2, &name, &url));
    ck_assert_str_eq(url, "s3://bucket/team/prefix");
    TU_RC(MLOPS_EINVAL, mlops_remotes_at(l, 3, &name, &url));
    mlops_remotes_free(l);
    TU_OK(mlops_remote_remove(s, "rel"));
    TU_RC(MLOPS_ENOTFOUND, mlops_remote_remove(s, "rel"));
    /* Another handle reads the same file. */
    mlops_store_close(s);
    s = open_store(sd);
    TU_OK(mlops_remote_list(s, &l));
    ck_assert_uint_eq(mlops_remotes_count(l), 2);
    mlops_remotes_free(l);
    /* A read-only handle lists, and changes nothing. */
    {
        mlops_store_opts ro = MLOPS_STORE_OPTS_INIT;
        ro.read_only = 1;
        mlops_store *r = NULL;
        TU_OK(mlops_store_open(sd, &ro, &r));
        TU_RC(MLOPS_EREADONLY, mlops_remote_add(r, "new", "/x"));
        TU_RC(MLOPS_EREADONLY, mlops_remote_remove(r, "alpha"));
        const char *one = "ref:x";
        TU_RC(MLOPS_EREADONLY, mlops_remote_pull(r, "alpha", &one, 1, NULL));
        TU_OK(mlops_remote_list(r, &l));
        ck_assert_uint_eq(mlops_remotes_count(l), 2);
        mlops_remotes_free(l);
        mlops_store_close(r);
    }
    /* A push to a remote the store does not have. */
    const char *sel = "ref:x";
    TU_RC(MLOPS_ENOTFOUND, mlops_remote_push(s, "nope", &sel, 1, NULL));
    mlops_store_close(s);
    /* A malformed file is refused, not guessed at. */
    char *conf = tu_path(sd, "remotes.conf");
    tu_write_file(conf, "format 1\nremote a\n", 18);
    s = open_store(sd);
    TU_RC(MLOPS_EFORMAT, mlops_remote_list(s, &l));
    tu_write_file(conf, "format 2\n", 9);
    TU_RC(MLOPS_EUNSUPPORTED, mlops_remote_list(s, &l));
    mlops_store_close(s);
    free(conf);
    free(sd);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A relative URL is recorded absolute: one that fits the 1024 bytes of a
 * URL only before the current directory is put in front is refused, not
 * written into a remotes.conf that every later call then refuses. */
START_TEST(remote_add_relative_url_too_long)
{
    char *dir = tu_tmpdir();
    char *sd = tu_store_dir(dir, "s");
    mlops_store *s = open_store(sd);
    TU_OK(mlops_remote_add(s, "team", "/srv/remote"));
    char rel[1025];
    memset(rel, 'r', sizeof rel - 1);
    rel[sizeof rel - 1] = '\0';
    TU_RC(MLOPS_EINVAL, mlops_remote_add(s, "long", rel));
    mlops_remotes *l = NULL;
    TU_OK(mlops_remote_list(s, &l));
    ck_assert_uint_eq(mlops_remotes_count(l), 1);
    mlops_remotes_free(l);
    mlops_store_close(s);
    free(sd);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A pull from a folder that is not there (a mistyped remote) fails and
 * leaves no empty remote behind; the push that follows makes it. */
/* Credentials in a URL (user:password@) never reach remotes.conf nor the
 * message: an s3:// URL with them was recorded as given, and any other
 * scheme's was quoted in the error. */
START_TEST(remote_add_refuses_credentials_in_the_url)
{
    char *dir = tu_tmpdir();
    char *sd = tu_store_dir(dir, "s");
    mlops_store *s = open_small_chunks(sd);
    static const char *const urls[] = { "s3://AKIDEXAMPLE:topsecretkey@my-bucket/team",
                                        "S3://AKIDEXAMPLE:topsecretkey@my-bucket",
                                        "https://ci:topsecretkey@objects.example.com/team" };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        TU_RC(MLOPS_EINVAL, mlops_remote_add(s, "team", urls[i]));
        ck_assert_msg(!strstr(mlops_last_error(), "topsecretkey"), "%s", mlops_last_error());
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "password"));
    }
    char *conf = tu_path(sd, "remotes.conf");
    ck_assert_int_ne(access(conf, F_OK), 0);
    /* '@' further on (in a prefix or a folder name) is no user name */
    TU_OK(mlops_remote_add(s, "at", "s3://my-bucket/team@2"));
    free(conf);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(sd);
    free(dir);
}
END_TEST

START_TEST(pull_from_missing_folder)
{
    char *dir = tu_tmpdir();
    char *sd = tu_store_dir(dir, "s");
    mlops_store *s = open_store(sd);
    char *gone = tu_path(dir, "no-such-remote");
    TU_OK(mlops_remote_add(s, "team", gone));
    mlops_transfer_report r;
    TU_RC(MLOPS_ENOTFOUND, pull1(s, "ref:anything", &r));
    ck_assert_msg(strstr(mlops_last_error(), "no-such-remote") != NULL, "%s", mlops_last_error());
    ck_assert_int_ne(access(gone, F_OK), 0);
    mlops_digest d = put_random(s, 100, 7, NULL);
    char sel[MLOPS_DIGEST_STRLEN];
    mlops_digest_format(&d, sel);
    TU_OK(push1(s, sel, &r));
    ck_assert_int_eq(access(gone, F_OK), 0);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(gone);
    free(sd);
    free(dir);
}
END_TEST

START_TEST(push_pull_round_trip)
{
    pair p;
    pair_open(&p);
    /* A whole blob, an empty one, a chunked one and a tree of them. */
    unsigned char *small = NULL, *big = NULL;
    mlops_digest ds = put_random(p.a, 1000, 1, &small);
    mlops_digest de = put_random(p.a, 0, 2, NULL);
    size_t nbig = 3 * 1024 * 1024 + 17;
    mlops_digest db = put_random(p.a, nbig, 3, &big);
    char *src = tu_path(p.dir, "tree");
    mkdir(src, 0755);
    char *f1 = tu_path(src, "small.bin"), *sub = tu_path(src, "sub"), *f2 = NULL;
    tu_write_file(f1, small, 1000);
    mkdir(sub, 0755);
    f2 = tu_path(sub, "big.bin");
    tu_write_file(f2, big, nbig);
    mlops_digest dt;
    TU_OK(mlops_tree_put(p.a, src, 0, &dt));
    TU_OK(mlops_ref_set(p.a, "tree", &dt));
    TU_OK(mlops_ref_set(p.a, "small", &ds));
    char dts[MLOPS_DIGEST_STRLEN], des[MLOPS_DIGEST_STRLEN];
    mlops_digest_format(&dt, dts);
    mlops_digest_format(&de, des);
    const char *sels[] = { "ref:tree", "ref:small", des };
    mlops_transfer_report r = MLOPS_TRANSFER_REPORT_INIT;
    TU_OK(mlops_remote_push(p.a, "team", sels, 3, &r));
    /* tree, sub, small, big, empty */
    ck_assert_uint_eq(r.contents, 5);
    ck_assert_uint_gt(r.objects, 100); /* big's chunks */
    ck_assert_uint_eq(r.objects_sent, r.objects);
    uint64_t sent_first = r.bytes_sent;
    /* Again: nothing is sent. */
    TU_OK(mlops_remote_push(p.a, "team", sels, 3, &r));
    ck_assert_uint_eq(r.objects_sent, 0);
    ck_assert_uint_eq(r.bytes_sent, 0);
    ck_assert_uint_eq(r.objects_present, r.objects);

    TU_OK(mlops_remote_pull(p.b, "team", sels, 3, &r));
    ck_assert_uint_eq(r.objects_sent, r.objects);
    ck_assert_uint_eq(r.bytes_sent, sent_first);
    mlops_digest got;
    TU_OK(mlops_ref_get(p.b, "tree", &got));
    ck_assert(!memcmp(got.bytes, dt.bytes, 32));
    TU_OK(mlops_ref_get(p.b, "small", &got));
    assert_blob(p.b, &ds, small, 1000);
    assert_blob(p.b, &db, big, nbig);
    assert_blob(p.b, &de, small, 0);
    char *out = tu_path(p.dir, "restored");
    TU_OK(mlops_tree_get(p.b, &dt, out, 0));
    mlops_fsck_report fr = MLOPS_FSCK_REPORT_INIT;
    TU_OK(mlops_store_fsck(p.b, NULL, &fr));
    ck_assert_uint_eq(fr.corrupt + fr.missing, 0);
    /* A second pull finds everything there. */
    TU_OK(mlops_remote_pull(p.b, "team", sels, 3, &r));
    ck_assert_uint_eq(r.objects_sent, 0);
    /* The roots of a ref are pullable by digest too. */
    mlops_store_close(p.b);
    char *dc = tu_store_dir(p.dir, "c");
    p.b = open_small_chunks(dc);
    TU_OK(mlops_remote_add(p.b, "team", p.url));
    TU_OK(pull1(p.b, dts, &r));
    TU_RC(MLOPS_ENOTFOUND, mlops_ref_get(p.b, "tree", &got));
    char *out2 = tu_path(p.dir, "restored2");
    TU_OK(mlops_tree_get(p.b, &dt, out2, 0));
    free(out2);
    /* What the remote has no record of. */
    TU_RC(MLOPS_ENOTFOUND, pull1(p.b, "ref:never-pushed", &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "remote 'team' has no record of ref:never"));
    TU_RC(MLOPS_ENOTFOUND, push1(p.a, "ref:no-such-ref", &r));
    TU_RC(MLOPS_EINVAL, push1(p.a, "bogus", &r));
    free(dc);
    free(out);
    free(f1);
    free(f2);
    free(sub);
    free(src);
    free(small);
    free(big);
    pair_close(&p);
}
END_TEST

/* The 1 GiB file with a 1 MiB edit, at 1/256 of the size: a 4 MiB blob,
 * 16 KiB of it rewritten in the middle; a re-push sends the chunks around
 * the edit and the new manifest, nothing else. */
START_TEST(repush_after_edit_sends_changed_chunks)
{
    pair p;
    pair_open(&p);
    size_t n = 4u << 20;
    unsigned char *buf = malloc(n);
    fill_random(buf, n, 7);
    mlops_digest d1, d2;
    TU_OK(mlops_blob_put(p.a, buf, n, &d1));
    TU_OK(mlops_ref_set(p.a, "weights", &d1));
    mlops_transfer_report r;
    TU_OK(push1(p.a, "ref:weights", &r));
    uint64_t first = r.bytes_sent;
    fill_random(buf + n / 2, 16384, 8);
    TU_OK(mlops_blob_put(p.a, buf, n, &d2));
    TU_OK(mlops_ref_set(p.a, "weights", &d2));
    TU_OK(push1(p.a, "ref:weights", &r));
    /* The edit touches at most two or three chunks of at most 32 KiB
     * each, and the manifest (about 40 bytes a chunk). */
    ck_assert_msg(r.bytes_sent <= 4 * 32768 + 32768, "re-push sent %llu bytes",
                  (unsigned long long)r.bytes_sent);
    ck_assert_uint_le(r.objects_sent, 5);
    ck_assert_uint_gt(r.objects_present, 400);
    printf("# figure: re-push after a 16 KiB edit of a 4 MiB blob sent %llu of %llu bytes "
           "(%llu objects)%s\n",
           (unsigned long long)r.bytes_sent, (unsigned long long)first,
           (unsigned long long)r.objects_sent, tu_backend_label());
    char d1s[MLOPS_DIGEST_STRLEN];
    mlops_digest_format(&d1, d1s);
    /* The first version stays pullable by its digest (a ref's root is
     * recorded under its sha256: name too); a puller that has it fetches
     * only the few changed objects of the second. */
    TU_OK(pull1(p.b, d1s, &r));
    TU_OK(pull1(p.b, "ref:weights", &r));
    ck_assert_uint_le(r.objects_sent, 5);
    assert_blob(p.b, &d2, buf, n);
    free(buf);
    pair_close(&p);
}
END_TEST

/* Objects move by digest whatever the stores' chunking: a store made
 * before format 9 (rule gear-nc2, no chunk_rule row) and a new one (gear-nc1)
 * with other sizes push and pull each other's chunked blobs, which read
 * back whole and pass fsck. */
START_TEST(push_pull_between_chunk_rules)
{
    pair p;
    pair_open(&p);
    mlops_store_close(p.b);
    char *db = tu_store_dir(p.dir, "b2");
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    o.chunk_min_size = 1024;
    o.chunk_avg_size = 4096;
    o.chunk_max_size = 16384;
    TU_OK(mlops_store_open(db, &o, &p.b));
    TU_OK(mlops_remote_add(p.b, "team", p.url));
    ck_assert_int_eq(p.b->chunk_rule, MLOPS__CDC_GEAR_NC1);
    /* a: as made at format 7. */
    char *da = mlops__strdup(mlops_store_path(p.a));
    mlops_store_close(p.a);
    tu_sql_exec(da, "DELETE FROM meta WHERE key = 'chunk_rule'");
    p.a = open_small_chunks(da);
    ck_assert_int_eq(p.a->chunk_rule, MLOPS__CDC_GEAR_NC2);
    size_t n = 1u << 20;
    unsigned char *buf = NULL;
    mlops_digest d1 = put_random(p.a, n, 41, &buf), d2;
    TU_OK(mlops_ref_set(p.a, "w", &d1));
    mlops_transfer_report r;
    TU_OK(push1(p.a, "ref:w", &r));
    TU_OK(pull1(p.b, "ref:w", &r));
    ck_assert_uint_gt(r.objects_sent, 30);
    assert_blob(p.b, &d1, buf, n);
    /* The other way: b's new version, cut by b's rule, back into a. */
    fill_random(buf + n / 2, 16384, 42);
    TU_OK(mlops_blob_put(p.b, buf, n, &d2));
    TU_OK(mlops_ref_set(p.b, "w", &d2));
    TU_OK(push1(p.b, "ref:w", &r));
    TU_OK(pull1(p.a, "ref:w", &r));
    assert_blob(p.a, &d2, buf, n);
    mlops_store *both[] = { p.a, p.b };
    for (int i = 0; i < 2; i++) {
        mlops_fsck_report fr = MLOPS_FSCK_REPORT_INIT;
        TU_OK(mlops_store_fsck(both[i], NULL, &fr));
        ck_assert_uint_eq(fr.corrupt + fr.missing, 0);
    }
    free(buf);
    free(da);
    free(db);
    pair_close(&p);
}
END_TEST

/* An interrupted push or pull: the second run sends exactly what the
 * first did not, and nothing was visible in between. */
START_TEST(interrupted_push_and_pull_resume)
{
    pair p;
    pair_open(&p);
    size_t n = 2u << 20;
    unsigned char *buf = NULL;
    mlops_digest d = put_random(p.a, n, 11, &buf);
    TU_OK(mlops_ref_set(p.a, "data", &d));
    const char *sel = "ref:data";
    mlops_transfer_report r1 = MLOPS_TRANSFER_REPORT_INIT, r2 = MLOPS_TRANSFER_REPORT_INIT;
    TU_RC(MLOPS_EIO, mlops__remote_push("t", p.a, "team", &sel, 1, 40, &r1));
    ck_assert_uint_eq(r1.objects_sent, 40);
    /* No record yet: a pull finds nothing to pull. */
    mlops_transfer_report rp;
    TU_RC(MLOPS_ENOTFOUND, pull1(p.b, sel, &rp));
    TU_OK(push1(p.a, sel, &r2));
    ck_assert_uint_eq(r2.objects_present, 40);
    ck_assert_uint_eq(r1.objects_sent + r2.objects_sent, r2.objects);
    /* The bytes of both runs are the bytes of one whole push. */
    mlops_store *fresh;
    char *df = tu_store_dir(p.dir, "fresh");
    fresh = open_small_chunks(df);
    TU_OK(mlops_remote_add(fresh, "team", p.url));
    mlops_transfer_report whole;
    TU_OK(pull1(fresh, sel, &whole));
    ck_assert_uint_eq(r1.bytes_sent + r2.bytes_sent, whole.bytes_sent);

    /* Pull, stopped after 25 objects: nothing visible, then resumed. */
    mlops_transfer_report_init(&r1, MLOPS_TRANSFER_REPORT_VERSION);
    TU_RC(MLOPS_EIO, mlops__remote_pull("t", p.b, "team", &sel, 1, 25, &r1));
    mlops_digest got;
    TU_RC(MLOPS_ENOTFOUND, mlops_ref_get(p.b, "data", &got));
    void *data = NULL;
    size_t len = 0;
    TU_RC(MLOPS_ENOTFOUND, mlops_blob_get(p.b, &d, &data, &len));
    TU_OK(pull1(p.b, sel, &r2));
    ck_assert_uint_eq(r2.objects_present, 25);
    ck_assert_uint_eq(r1.objects_sent + r2.objects_sent, whole.objects_sent);
    ck_assert_uint_eq(r1.bytes_sent + r2.bytes_sent, whole.bytes_sent);
    assert_blob(p.b, &d, buf, n);
    mlops_store_close(fresh);
    free(df);
    free(buf);
    pair_close(&p);
}
END_TEST

/* A pull places objects on several threads and fsyncs the fan-out
 * folders once per batch: with many objects (a tree of 300 files and a
 * blob of about 250 chunks) and fsync on, a pull stopped part-way keeps
 * exactly what it counted, the resumed pull fetches exactly the rest
 * (objects and bytes), on one thread or several, and the result is
 * whole. */
START_TEST(pull_on_threads_resumes_exactly)
{
    pair p;
    pair_open(&p);
    char *src = tu_path(p.dir, "many");
    mkdir(src, 0755);
    unsigned char small[700];
    for (int i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%03d.bin", i);
        fill_random(small, sizeof small, 100 + (uint64_t)i);
        char *f = tu_path(src, name);
        tu_write_file(f, small, sizeof small - (size_t)(i % 7));
        free(f);
    }
    size_t n = 2u << 20;
    unsigned char *big = NULL;
    mlops_digest db = put_random(p.a, n, 31, &big);
    (void)db;
    char *fb = tu_path(src, "big.bin");
    tu_write_file(fb, big, n);
    mlops_digest dt;
    TU_OK(mlops_tree_put(p.a, src, 0, &dt));
    TU_OK(mlops_ref_set(p.a, "many", &dt));
    const char *sel = "ref:many";
    mlops_transfer_report r;
    TU_OK(push1(p.a, sel, &r));
    ck_assert_uint_gt(r.objects, 500);

    uint64_t whole_objects = 0, whole_bytes = 0;
    const unsigned threads[] = {1, 4};
    for (size_t t = 0; t < 2; t++) {
        char name[16];
        snprintf(name, sizeof name, "t%u", threads[t]);
        char *dir = tu_store_dir(p.dir, name);
        mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
        o.durability = MLOPS_DURABILITY_NORMAL; /* the fsyncs are what is batched */
        o.threads = threads[t];
        o.chunk_min_size = 2048;
        o.chunk_avg_size = 8192;
        o.chunk_max_size = 32768;
        mlops_store *s = NULL;
        TU_OK(mlops_store_open(dir, &o, &s));
        TU_OK(mlops_remote_add(s, "team", p.url));
        mlops_transfer_report r1 = MLOPS_TRANSFER_REPORT_INIT, r2 = MLOPS_TRANSFER_REPORT_INIT;
        /* Stopped in the chunks' round (the tree's objects come first). */
        TU_RC(MLOPS_EIO, mlops__remote_pull("t", s, "team", &sel, 1, 420, &r1));
        ck_assert_uint_eq(r1.objects_sent, 420);
        mlops_digest got;
        TU_RC(MLOPS_ENOTFOUND, mlops_ref_get(s, "many", &got));
        TU_OK(pull1(s, sel, &r2));
        ck_assert_uint_eq(r2.objects_present, 420);
        ck_assert_uint_eq(r1.objects_sent + r2.objects_sent, r2.objects);
        if (t == 0) {
            whole_objects = r2.objects;
            whole_bytes = r1.bytes_sent + r2.bytes_sent;
            ck_assert_uint_eq(whole_bytes, r.bytes_sent);
        }
        ck_assert_uint_eq(r2.objects, whole_objects);
        ck_assert_uint_eq(r1.bytes_sent + r2.bytes_sent, whole_bytes);
        TU_OK(mlops_ref_get(s, "many", &got));
        ck_assert(!memcmp(got.bytes, dt.bytes, 32));
        assert_blob(s, &db, big, n);
        mlops_fsck_report fr = MLOPS_FSCK_REPORT_INIT;
        TU_OK(mlops_store_fsck(s, NULL, &fr));
        ck_assert_uint_eq(fr.corrupt + fr.missing, 0);
        char *out = tu_path(p.dir, "out");
        TU_OK(mlops_tree_get(s, &dt, out, 0));
        char *back = tu_path(out, "f123.bin");
        unsigned char bb[sizeof small];
        FILE *fp = fopen(back, "rb");
        ck_assert_ptr_nonnull(fp);
        size_t blen = fread(bb, 1, sizeof bb, fp);
        fclose(fp);
        fill_random(small, sizeof small, 223);
        ck_assert_uint_eq(blen, sizeof small - 123 % 7);
        ck_assert(!memcmp(bb, small, blen));
        free(back);
        tu_rmrf(out);
        free(out);
        mlops_store_close(s);
        free(dir);
    }
    free(fb);
    free(big);
    free(src);
    pair_close(&p);
}
END_TEST

/* Flips a byte of the remote's object file and pulls ref:x into p->b:
 * the pull fails naming the object (hex), and neither the ref nor the
 * blob d becomes visible. */
static void pull_after_damage(pair *p, const char *file, const char *hex, const mlops_digest *d)
{
    int fd = open(file, O_RDWR);
    ck_assert_int_ge(fd, 0);
    unsigned char byte;
    ck_assert_int_eq(pread(fd, &byte, 1, 100), 1);
    byte ^= 0x40;
    ck_assert_int_eq(pwrite(fd, &byte, 1, 100), 1);
    close(fd);
    mlops_transfer_report r;
    TU_RC(MLOPS_ECORRUPT, pull1(p->b, "ref:x", &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), hex));
    mlops_digest got;
    TU_RC(MLOPS_ENOTFOUND, mlops_ref_get(p->b, "x", &got));
    void *data = NULL;
    size_t len = 0;
    TU_RC(MLOPS_ENOTFOUND, mlops_blob_get(p->b, d, &data, &len));
}

/* A damaged object on the remote: the pull fails naming it, and nothing
 * of the blob becomes visible. */
START_TEST(pull_refuses_damaged_object)
{
    if (tu_objects_s3()) return; /* the damage is done to a file */
    pair p;
    pair_open(&p);
    unsigned char *buf = NULL;
    mlops_digest d = put_random(p.a, 5000, 21, &buf);
    TU_OK(mlops_ref_set(p.a, "x", &d));
    mlops_transfer_report r;
    TU_OK(push1(p.a, "ref:x", &r));
    char hex[65];
    mlops__hex_encode(d.bytes, 32, hex);
    char *sha = tu_path(p.url, "objects/sha256");
    char *path = tu_fanout_path(sha, d.bytes);
    pull_after_damage(&p, path, hex, &d);
    free(sha);
    free(path);
    free(buf);
    pair_close(&p);
}
END_TEST

/* A remote object whose header claims 16 GiB (the most a copy may claim)
 * behind a zstd payload of 5000 bytes, which decodes to at most 215 MB:
 * the pull refuses the claim before it allocates room for it (it used to
 * malloc the 16 GiB, then fail to decode), with 1 GiB of address space to
 * spare. */
START_TEST(pull_refuses_a_size_its_zstd_frame_cannot_hold)
{
    if (tu_objects_s3()) return; /* the damage is done to a file */
    pair p;
    pair_open(&p);
    mlops_digest d = put_random(p.a, 5000, 23, NULL);
    TU_OK(mlops_ref_set(p.a, "x", &d));
    mlops_transfer_report r;
    TU_OK(push1(p.a, "ref:x", &r));
    char *sha = tu_path(p.url, "objects/sha256");
    char *path = tu_fanout_path(sha, d.bytes);
    unsigned char obj[16 + 5000];
    memcpy(obj, "\x89MLO\x01\x01\x00\x00", 8);
    uint64_t claim = (uint64_t)1 << 34;
    for (int i = 0; i < 8; i++) obj[8 + i] = (unsigned char)(claim >> (8 * i));
    fill_random(obj + 16, 5000, 24);
    ck_assert_int_eq(unlink(path), 0);
    tu_write_file(path, obj, sizeof obj);
    tu_limit_address_space((size_t)1 << 30);
    int rc = pull1(p.b, "ref:x", &r);
    tu_unlimit_address_space();
    TU_RC(MLOPS_ECORRUPT, rc);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "claims more bytes"));
    mlops_digest got;
    TU_RC(MLOPS_ENOTFOUND, mlops_ref_get(p.b, "x", &got));
    free(sha);
    free(path);
    pair_close(&p);
}
END_TEST

/* The size of push_chunked's blob. */
#define CHUNKED_SIZE (300u << 10)

/* Puts a random blob of CHUNKED_SIZE bytes (seed) into p->a, sets ref x
 * to it and pushes ref:x: a chunked blob of more than ten objects on the
 * remote. *big receives the bytes (free them). */
static mlops_digest push_chunked(pair *p, unsigned seed, unsigned char **big)
{
    mlops_digest d = put_random(p->a, CHUNKED_SIZE, seed, big);
    TU_OK(mlops_ref_set(p->a, "x", &d));
    mlops_transfer_report r;
    TU_OK(push1(p->a, "ref:x", &r));
    ck_assert_uint_gt(r.objects, 10);
    return d;
}

/* A damaged chunk of a chunked blob on the remote (the largest object
 * file of the push: the manifest is smaller than any chunk here): the
 * pull fails naming the chunk, and nothing of the blob becomes visible.
 * Twice, as the pull checks a chunk: with both of its digests (the
 * chunk's and its blob's) hashed in one pass where the CPU has the SHA
 * extensions (util/sha256_pair.h), and the other way. */
START_TEST(pull_refuses_damaged_chunk)
{
    if (tu_objects_s3()) return; /* the damage is done to a file */
    mlops__sha256_pair_allow(_i == 0);
    pair p;
    pair_open(&p);
    unsigned char *big = NULL;
    mlops_digest d = push_chunked(&p, 51, &big);
    char *objs = tu_path(p.url, "objects/sha256");
    char largest[4096] = "", hex[65] = "";
    off_t most = 0;
    DIR *top = opendir(objs);
    ck_assert_ptr_nonnull(top);
    struct dirent *a;
    while ((a = readdir(top)) != NULL) {
        if (strlen(a->d_name) != 2) continue;
        char *sub = tu_path(objs, a->d_name);
        DIR *sd = opendir(sub);
        struct dirent *b;
        while (sd && (b = readdir(sd)) != NULL) {
            if (b->d_name[0] == '.') continue;
            char *f = tu_path(sub, b->d_name);
            struct stat st;
            if (stat(f, &st) == 0 && st.st_size > most) {
                most = st.st_size;
                snprintf(largest, sizeof largest, "%s", f);
                snprintf(hex, sizeof hex, "%.2s%.62s", a->d_name, b->d_name);
            }
            free(f);
        }
        if (sd) closedir(sd);
        free(sub);
    }
    closedir(top);
    ck_assert_int_gt(most, 8192);
    pull_after_damage(&p, largest, hex, &d);
    free(objs);
    free(big);
    pair_close(&p);
    mlops__sha256_pair_allow(1);
}
END_TEST

/* Rewrites the remote's record of selection sel (a folder remote's
 * file) with every copy of digest from replaced by to; how many there
 * were. */
static int record_swap_digest(const pair *p, const char *sel, const mlops_digest *from,
                              const mlops_digest *to)
{
    char name[MLOPS__RECORD_NAME_CAP];
    mlops__record_name(sel, name);
    char rel[128];
    snprintf(rel, sizeof rel, "names/%s", name);
    char *path = tu_path(p->url, rel);
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    unsigned char rec[65536];
    size_t rlen = fread(rec, 1, sizeof rec, fp);
    fclose(fp);
    ck_assert_uint_lt(rlen, sizeof rec);
    int swapped = 0;
    for (size_t i = 0; i + 32 <= rlen; i++)
        if (!memcmp(rec + i, from->bytes, 32)) {
            memcpy(rec + i, to->bytes, 32);
            swapped++;
        }
    tu_write_file(path, rec, rlen);
    free(path);
    return swapped;
}

/* A chunked blob is proven as its chunks arrive, in order, by the
 * threads that checked them: a record whose blob digest is not what its
 * (sound) chunks hash to fails the pull naming it, and nothing becomes
 * visible; a blob whose chunks repeat (proven after the fetch instead)
 * and one sharing chunks with it arrive whole. Twice, as
 * pull_refuses_damaged_chunk. */
START_TEST(pull_proves_chunked_blobs)
{
    if (tu_objects_s3()) return; /* the record is changed in a file */
    mlops__sha256_pair_allow(_i == 0);
    pair p;
    pair_open(&p);
    size_t n = CHUNKED_SIZE;
    unsigned char *big = NULL;
    mlops_digest d = push_chunked(&p, 41, &big);
    mlops_transfer_report r;
    /* The record names another digest for the same manifest. */
    mlops_digest z = d;
    z.bytes[31] ^= 1;
    ck_assert_int_gt(record_swap_digest(&p, "ref:x", &d, &z), 0);
    TU_RC(MLOPS_ECORRUPT, pull1(p.b, "ref:x", &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "does not hash to its digest"));
    char hex[65];
    mlops__hex_encode(z.bytes, 32, hex);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), hex));
    mlops_digest got;
    TU_RC(MLOPS_ENOTFOUND, mlops_ref_get(p.b, "x", &got));
    void *data = NULL;
    size_t len = 0;
    TU_RC(MLOPS_ENOTFOUND, mlops_blob_get(p.b, &z, &data, &len));

    /* Twice the same bytes (repeated chunks), and the big blob with them
     * (shared chunks): pulled together, every one whole. */
    unsigned char *twice = malloc(2 * n);
    memcpy(twice, big, n);
    memcpy(twice + n, big, n);
    mlops_digest d2;
    TU_OK(mlops_blob_put(p.a, twice, 2 * n, &d2));
    char sel2[MLOPS_DIGEST_STRLEN], sel1[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_format(&d2, sel2));
    TU_OK(mlops_digest_format(&d, sel1));
    const char *both[] = {sel2, sel1};
    TU_OK(mlops_remote_push(p.a, "team", both, 2, NULL));
    TU_OK(mlops_remote_pull(p.b, "team", both, 2, NULL));
    assert_blob(p.b, &d2, twice, 2 * n);
    assert_blob(p.b, &d, big, n);
    free(twice);
    free(big);
    pair_close(&p);
    mlops__sha256_pair_allow(1);
}
END_TEST

/* A record naming a manifest whose chunk sizes lie (two chunks' sizes
 * swapped: the same total, the same chunks in the same order, so the
 * chunks still hash to the blob's digest): the pull proves the blob as
 * its chunks arrive, and used to take the manifest's sizes for its chunk
 * rows, which then named each chunk at another offset and size, so every
 * read of the blob failed for good (a rerun of the pull found it held).
 * The pull now fails naming the chunk, and nothing becomes visible.
 * Twice, as pull_refuses_damaged_chunk. */
START_TEST(pull_refuses_manifest_with_wrong_chunk_sizes)
{
    if (tu_objects_s3()) return; /* the record and an object are written as files */
    mlops__sha256_pair_allow(_i == 0);
    pair p;
    pair_open(&p);
    unsigned char *big = NULL;
    mlops_digest d = push_chunked(&p, 61, &big);
    /* The manifest, from the pushing store. */
    mlops_digest man;
    {
        char *da = tu_path(p.dir, "a");
        tu_db *db = tu_db_open(da);
        tu_db_blob(db, "SELECT manifest FROM cas_content WHERE digest = ?1", d.bytes, 32,
                   man.bytes, 32);
        tu_db_close(db);
        free(da);
    }
    size_t olen = 0;
    unsigned char *obj = object_data(p.a, &man, &olen);
    mlops__obj_reader *rd = NULL;
    TU_OK(mlops__obj_reader_new(&rd));
    int enc = 0;
    uint64_t msize = 0;
    void *mbytes = NULL;
    TU_OK(mlops__object_check_encoded(rd, &man, obj, olen, "manifest", &enc, &msize, &mbytes));
    mlops__obj_reader_free(rd);
    free(obj);
    uint64_t total = 0;
    mlops__chunk_ref *ch = NULL;
    size_t nch = 0;
    TU_OK(mlops__manifest_decode(mbytes, (size_t)msize, "manifest", &total, &ch, &nch));
    free(mbytes);
    ck_assert_uint_eq(total, CHUNKED_SIZE);
    /* Two neighbours of different sizes trade sizes. */
    size_t k = 0;
    while (k + 1 < nch && ch[k].size == ch[k + 1].size) k++;
    ck_assert_uint_lt(k + 1, nch);
    uint64_t t = ch[k].size;
    ch[k].size = ch[k + 1].size;
    ch[k + 1].size = t;
    void *lie = NULL;
    size_t llen = 0;
    TU_OK(mlops__manifest_encode(total, ch, nch, &lie, &llen));
    free(ch);
    mlops_digest man2;
    TU_OK(mlops__sha256_oneshot(lie, llen, &man2));
    /* Written to the remote as a raw object (header, then the bytes). */
    unsigned char *file = malloc(MLOPS__OBJ_HEADER_SIZE + llen);
    const unsigned char head[8] = {0x89, 'M', 'L', 'O', MLOPS__OBJ_VERSION, MLOPS__ENC_RAW, 0, 0};
    memcpy(file, head, 8);
    for (int i = 0; i < 8; i++) file[8 + i] = (unsigned char)((uint64_t)llen >> (8 * i));
    memcpy(file + MLOPS__OBJ_HEADER_SIZE, lie, llen);
    free(lie);
    char *sha = tu_path(p.url, "objects/sha256");
    char fan[3];
    snprintf(fan, sizeof fan, "%02x", man2.bytes[0]);
    char *fandir = tu_path(sha, fan);
    (void)mkdir(fandir, 0755);
    char *opath = tu_fanout_path(sha, man2.bytes);
    tu_write_file(opath, file, MLOPS__OBJ_HEADER_SIZE + llen);
    free(file);
    free(opath);
    free(fandir);
    free(sha);
    /* The record names it instead of the sound manifest. */
    ck_assert_int_eq(record_swap_digest(&p, "ref:x", &man, &man2), 1);

    mlops_transfer_report r;
    int rc = pull1(p.b, "ref:x", &r);
    void *data = NULL;
    size_t len = 0;
    if (rc == MLOPS_OK) { /* what it did before: a blob nobody can read */
        int grc = mlops_blob_get(p.b, &d, &data, &len);
        ck_abort_msg("the pull accepted a manifest whose chunk sizes lie (a get then "
                     "returns %d: %s)", grc, grc ? mlops_last_error() : "");
    }
    ck_assert_int_eq(rc, MLOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "manifest"));
    mlops_digest got;
    TU_RC(MLOPS_ENOTFOUND, mlops_ref_get(p.b, "x", &got));
    TU_RC(MLOPS_ENOTFOUND, mlops_blob_get(p.b, &d, &data, &len));
    free(big);
    pair_close(&p);
    mlops__sha256_pair_allow(1);
}
END_TEST

/* Content the pulling store held when the pull planned, removed before
 * it commits (a gc past its grace period, here its deletion of the rows,
 * done by the store's first placement of the pull): the pull neither
 * fetched nor proved it, and used to insert its row anyway, without its
 * chunk list (which it never read), so the blob then failed every read.
 * Now the pull fails with MLOPS_ECONFLICT, and a rerun brings it whole. */
static struct {
    int (*place)(mlops__objects *, mlops__obj_staged *, int *);
    char *dir;
    mlops_digest gone;
    int done;
} collect_at_place;

static int collecting_place(mlops__objects *be, mlops__obj_staged *st, int *placed)
{
    if (!__atomic_exchange_n(&collect_at_place.done, 1, __ATOMIC_SEQ_CST)) {
        tu_db *db = tu_db_open(collect_at_place.dir);
        tu_db_exec_blobs(db, "DELETE FROM cas_chunk WHERE blob = ?1 AND ?2 IS NOT NULL",
                         collect_at_place.gone.bytes, collect_at_place.gone.bytes);
        tu_db_exec_blobs(db, "DELETE FROM cas_content WHERE digest = ?1 AND ?2 IS NOT NULL",
                         collect_at_place.gone.bytes, collect_at_place.gone.bytes);
        tu_db_close(db);
    }
    return collect_at_place.place(be, st, placed);
}

START_TEST(pull_of_content_collected_meanwhile_commits_nothing_broken)
{
    if (tu_objects_s3()) return; /* the rows are changed in the database file */
    pair p;
    pair_open(&p);
    unsigned char *big = NULL;
    mlops_digest x = put_random(p.a, CHUNKED_SIZE, 71, &big);
    mlops_digest y = put_random(p.a, 5000, 72, NULL);
    char sx[MLOPS_DIGEST_STRLEN], sy[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_format(&x, sx));
    TU_OK(mlops_digest_format(&y, sy));
    const char *both[] = {sx, sy};
    TU_OK(mlops_remote_push(p.a, "team", both, 2, NULL));
    mlops_digest again;
    TU_OK(mlops_blob_put(p.b, big, CHUNKED_SIZE, &again)); /* b holds x, not y */
    collect_at_place.place = p.b->objects->place;
    collect_at_place.dir = tu_path(p.dir, "b");
    collect_at_place.gone = x;
    collect_at_place.done = 0;
    p.b->objects->place = collecting_place;
    int rc = mlops_remote_pull(p.b, "team", both, 2, NULL);
    p.b->objects->place = collect_at_place.place;
    ck_assert_int_eq(collect_at_place.done, 1);
    void *data = NULL;
    size_t len = 0;
    if (rc == MLOPS_OK) {
        int grc = mlops_blob_get(p.b, &x, &data, &len);
        ck_abort_msg("the pull recorded content it neither held nor fetched (a get then "
                     "returns %d: %s)", grc, grc ? mlops_last_error() : "");
    }
    ck_assert_int_eq(rc, MLOPS_ECONFLICT);
    TU_RC(MLOPS_ENOTFOUND, mlops_blob_get(p.b, &x, &data, &len));
    TU_OK(mlops_remote_pull(p.b, "team", both, 2, NULL));
    assert_blob(p.b, &x, big, CHUNKED_SIZE);
    free(collect_at_place.dir);
    free(big);
    pair_close(&p);
}
END_TEST

/* run:ID and model: selections reach a run's lineage and a version's
 * artifact. */
START_TEST(run_and_model_selections)
{
    pair p;
    pair_open(&p);
    mlops_digest in = put_random(p.a, 3000, 31, NULL);
    mlops_digest out = put_random(p.a, 70000, 32, NULL);
    mlops_digest other = put_random(p.a, 500, 33, NULL);
    int64_t exp = 0;
    TU_OK(mlops_experiment_create(p.a, "e", &exp));
    mlops_run *run = NULL;
    TU_OK(mlops_run_start(p.a, exp, "train", &run));
    TU_OK(mlops_run_log_input(run, &in, "train.csv", "dataset"));
    TU_OK(mlops_run_log_output(run, &out, "model.bin", "model"));
    char run_sel[64];
    snprintf(run_sel, sizeof run_sel, "run:%s", mlops_run_id(run));
    TU_OK(mlops_model_create(p.a, "churn"));
    int64_t v = 0;
    TU_OK(mlops_model_version_create(p.a, "churn", &out, mlops_run_id(run), &v));
    TU_OK(mlops_run_end(run, MLOPS_RUN_FINISHED));
    TU_OK(mlops_model_alias_set(p.a, "churn", "champion", v));
    int64_t v2 = 0;
    TU_OK(mlops_model_version_create(p.a, "churn", &other, NULL, &v2));
    mlops_transfer_report r;
    TU_OK(push1(p.a, "model:churn@champion", &r));
    ck_assert_uint_eq(r.contents, 2); /* the artifact and the run's input */
    TU_OK(push1(p.a, "model:churn/2", &r));
    ck_assert_uint_eq(r.contents, 1);
    TU_OK(push1(p.a, run_sel, &r));
    ck_assert_uint_eq(r.contents, 2);
    TU_RC(MLOPS_ENOTFOUND, push1(p.a, "model:churn@none", &r));
    TU_RC(MLOPS_ENOTFOUND, push1(p.a, "model:churn/9", &r));
    TU_RC(MLOPS_ENOTFOUND, push1(p.a, "run:00000000000000000000000000000000", &r));

    TU_OK(pull1(p.b, "model:churn@champion", &r));
    ck_assert_uint_eq(r.contents, 2);
    void *data = NULL;
    size_t len = 0;
    TU_OK(mlops_blob_get(p.b, &out, &data, &len));
    mlops_free(data);
    TU_OK(mlops_blob_get(p.b, &in, &data, &len));
    mlops_free(data);
    TU_RC(MLOPS_ENOTFOUND, mlops_blob_get(p.b, &other, &data, &len));
    TU_OK(pull1(p.b, "model:churn/2", &r));
    TU_OK(mlops_blob_get(p.b, &other, &data, &len));
    mlops_free(data);
    TU_OK(pull1(p.b, run_sel, &r));
    ck_assert_uint_eq(r.objects_sent, 0); /* both were pulled with the model */
    mlops_run_free(run);
    pair_close(&p);
}
END_TEST

/* Few objects against a remote that holds many are asked one by one; many
 * against few, by one listing. */
START_TEST(lookup_or_listing)
{
    pair p;
    pair_open(&p);
    size_t n = 1u << 20;
    mlops_digest d = put_random(p.a, n, 41, NULL);
    TU_OK(mlops_ref_set(p.a, "many", &d));
    mlops_transfer_report r;
    TU_OK(push1(p.a, "ref:many", &r));
    ck_assert_uint_gt(r.objects, 50);
    ck_assert_uint_eq(r.lookups, 0); /* an empty remote: one listing */
    mlops_digest one = put_random(p.a, 100, 42, NULL);
    TU_OK(mlops_ref_set(p.a, "one", &one));
    TU_OK(push1(p.a, "ref:one", &r));
    ck_assert_uint_eq(r.lookups, 1);
    ck_assert_uint_eq(r.listed, 0);
    pair_close(&p);
}
END_TEST

/* ---- packs (doc/remotes.md, "Packs") ------------------------------------ */

/* A folder of n small files (files i0 .. i0+n-1, 500 to 1,200 bytes of
 * seed i each) and, when big, a chunked file of 1 MiB: stored in p->a as
 * a tree, ref name set to it. */
static mlops_digest put_small_tree(pair *p, const char *name, int i0, int n, int big)
{
    char *src = tu_path(p->dir, name);
    mkdir(src, 0755);
    unsigned char buf[1200];
    for (int i = i0; i < i0 + n; i++) {
        char fname[32];
        snprintf(fname, sizeof fname, "f%04d.bin", i);
        size_t len = 500 + (size_t)(i * 37) % 700;
        fill_random(buf, len, 1000 + (uint64_t)i);
        char *f = tu_path(src, fname);
        tu_write_file(f, buf, len);
        free(f);
    }
    if (big) {
        size_t nb = 1u << 20;
        unsigned char *b = malloc(nb);
        fill_random(b, nb, 77);
        char *f = tu_path(src, "big.bin");
        tu_write_file(f, b, nb);
        free(f);
        free(b);
    }
    mlops_digest d;
    TU_OK(mlops_tree_put(p->a, src, 0, &d));
    TU_OK(mlops_ref_set(p->a, name, &d));
    tu_rmrf(src);
    free(src);
    return d;
}

static int count_one_pack(const mlops_digest *d, void *arg)
{
    (void)d;
    (*(size_t *)arg)++;
    return 0;
}

/* The packs on p's remote. */
static size_t count_packs(pair *p)
{
    mlops__objects *be = NULL;
    TU_OK(mlops__remote_open("t", p->a, "team", 0, &be));
    size_t n = 0;
    TU_OK(be->pack_foreach(be, count_one_pack, &n));
    be->free(be);
    return n;
}

/* File fname of the tree d in store s has file i's bytes. */
static void assert_small_file(pair *p, mlops_store *s, const mlops_digest *d, int i)
{
    char *out = tu_path(p->dir, "out");
    TU_OK(mlops_tree_get(s, d, out, 0));
    char fname[32];
    snprintf(fname, sizeof fname, "f%04d.bin", i);
    char *f = tu_path(out, fname);
    unsigned char want[1200], got[1300];
    size_t len = 500 + (size_t)(i * 37) % 700;
    fill_random(want, len, 1000 + (uint64_t)i);
    FILE *fp = fopen(f, "rb");
    ck_assert_ptr_nonnull(fp);
    size_t n = fread(got, 1, sizeof got, fp);
    fclose(fp);
    ck_assert_uint_eq(n, len);
    ck_assert(!memcmp(got, want, len));
    free(f);
    tu_rmrf(out);
    free(out);
}

/* Many small objects go into packs; a pull into an empty store gets every
 * object back, and a second push sends nothing. */
START_TEST(packs_push_pull)
{
    pair p;
    pair_open(&p);
    mlops_digest dt = put_small_tree(&p, "many", 0, 400, 1);
    mlops_transfer_report r, again, back;
    TU_OK(push1(p.a, "ref:many", &r));
    ck_assert_uint_eq(r.objects_sent, r.objects);
    ck_assert_uint_gt(r.objects, 400 + 50);
    ck_assert_uint_eq(count_packs(&p), 1);
    TU_OK(push1(p.a, "ref:many", &again));
    ck_assert_uint_eq(again.objects_sent, 0);
    ck_assert_uint_eq(again.bytes_sent, 0);
    ck_assert_uint_eq(again.objects_present, r.objects);
    TU_OK(pull1(p.b, "ref:many", &back));
    ck_assert_uint_eq(back.objects, r.objects);
    ck_assert_uint_eq(back.objects_sent, r.objects);
    ck_assert_uint_eq(back.bytes_sent, r.bytes_sent);
    mlops_digest got;
    TU_OK(mlops_ref_get(p.b, "many", &got));
    ck_assert(!memcmp(got.bytes, dt.bytes, 32));
    assert_small_file(&p, p.b, &dt, 123);
    mlops_fsck_report fr = MLOPS_FSCK_REPORT_INIT;
    TU_OK(mlops_store_fsck(p.b, NULL, &fr));
    ck_assert_uint_eq(fr.corrupt + fr.missing, 0);
    TU_OK(pull1(p.b, "ref:many", &back));
    ck_assert_uint_eq(back.objects_sent, 0);
    pair_close(&p);
}
END_TEST

/* The one pack file of a directory remote (its path and hex name). */
static void find_pack(pair *p, char path[4096], char hex[65])
{
    char *dir = tu_path(p->url, "packs");
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)) != NULL)
        if (strlen(e->d_name) == 64) {
            snprintf(path, 4096, "%s/%s", dir, e->d_name);
            memcpy(hex, e->d_name, 64); /* its length, checked above */
            hex[64] = '\0';
            found++;
        }
    closedir(d);
    free(dir);
    ck_assert_int_eq(found, 1);
}

static unsigned char *read_whole_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return b;
}

static void flip(const char *file, off_t at)
{
    int fd = open(file, O_RDWR);
    ck_assert_int_ge(fd, 0);
    unsigned char byte;
    ck_assert_int_eq(pread(fd, &byte, 1, at), 1);
    byte ^= 0x40;
    ck_assert_int_eq(pwrite(fd, &byte, 1, at), 1);
    close(fd);
}

/* A damaged object in a pack fails the pull naming it, a damaged pack
 * index naming the pack; nothing of the tree becomes visible. */
START_TEST(pull_refuses_damaged_pack)
{
    if (tu_objects_s3()) return; /* the damage is done to a file */
    pair p;
    pair_open(&p);
    mlops_digest dt = put_small_tree(&p, "x", 0, 100, 0);
    mlops_transfer_report r;
    TU_OK(push1(p.a, "ref:x", &r));
    char path[4096], hex[65];
    find_pack(&p, path, hex);
    size_t len = 0;
    unsigned char *pk = read_whole_file(path, &len);
    mlops__pack_entry *e = NULL;
    size_t ne = 0;
    TU_OK(mlops__pack_index_decode("t", pk, len, 1, &e, &ne));
    ck_assert_uint_eq(ne, 101);
    char ohex[65];
    mlops__hex_encode(e[40].digest.bytes, 32, ohex);
    off_t at = (off_t)(e[40].offset + e[40].len - 3);
    off_t index_at = (off_t)e[ne - 1].offset + (off_t)e[ne - 1].len;
    flip(path, at);
    TU_RC(MLOPS_ECORRUPT, pull1(p.b, "ref:x", &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), ohex));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), hex));
    mlops_digest got;
    TU_RC(MLOPS_ENOTFOUND, mlops_ref_get(p.b, "x", &got));
    char *out = tu_path(p.dir, "out-refused");
    ck_assert_int_ne(mlops_tree_get(p.b, &dt, out, 0), MLOPS_OK);
    tu_rmrf(out);
    flip(path, at); /* mended */
    flip(path, index_at + 50); /* the pack's own index */
    TU_RC(MLOPS_ECORRUPT, pull1(p.b, "ref:x", &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), hex));
    TU_RC(MLOPS_ENOTFOUND, mlops_ref_get(p.b, "x", &got));
    flip(path, index_at + 50);
    TU_OK(pull1(p.b, "ref:x", &r));
    assert_small_file(&p, p.b, &dt, 40);
    free(out);
    free(e);
    free(pk);
    pair_close(&p);
}
END_TEST

/* A push of small objects stopped part-way sent whole packs of what it
 * took; the rerun sends exactly the rest (objects and bytes), also when
 * the stopped push left a pack without its index record (a directory
 * remote: the record is removed by hand). */
START_TEST(interrupted_packed_push_resumes)
{
    pair p;
    pair_open(&p);
    mlops_digest dt = put_small_tree(&p, "many", 0, 300, 0);
    const char *sel = "ref:many";
    mlops_transfer_report r1 = MLOPS_TRANSFER_REPORT_INIT, r2 = MLOPS_TRANSFER_REPORT_INIT;
    TU_RC(MLOPS_EIO, mlops__remote_push("t", p.a, "team", &sel, 1, 100, &r1));
    ck_assert_uint_eq(r1.objects_sent, 100);
    ck_assert_uint_eq(count_packs(&p), 1);
    if (!tu_objects_s3()) {
        char path[4096], hex[65];
        find_pack(&p, path, hex);
        char rel[128];
        snprintf(rel, sizeof rel, "names/pack-%s", hex);
        char *idx = tu_path(p.url, rel);
        ck_assert_int_eq(unlink(idx), 0);
        free(idx);
    }
    TU_OK(push1(p.a, sel, &r2));
    ck_assert_uint_eq(r2.objects_present, 100);
    ck_assert_uint_eq(r1.objects_sent + r2.objects_sent, r2.objects);
    mlops_transfer_report whole;
    TU_OK(pull1(p.b, sel, &whole));
    ck_assert_uint_eq(whole.objects_sent, r2.objects);
    ck_assert_uint_eq(r1.bytes_sent + r2.bytes_sent, whole.bytes_sent);
    assert_small_file(&p, p.b, &dt, 7);
    assert_small_file(&p, p.b, &dt, 299);
    pair_close(&p);
}
END_TEST

/* A remote holding loose objects from before (a selection of few small
 * objects is sent loose) and packs; a second selection sharing objects
 * with a packed one sends none of them again; a pull of everything into
 * an empty store takes from loose objects and from both packs. */
START_TEST(packs_beside_loose_objects)
{
    pair p;
    pair_open(&p);
    mlops_digest dfew = put_small_tree(&p, "few", 0, 5, 0);
    mlops_digest dmany = put_small_tree(&p, "many", 0, 200, 1);
    mlops_digest dmore = put_small_tree(&p, "more", 0, 230, 1);
    mlops_transfer_report r;
    TU_OK(push1(p.a, "ref:few", &r));
    ck_assert_uint_eq(r.objects_sent, 6);
    ck_assert_uint_eq(count_packs(&p), 0);
    TU_OK(push1(p.a, "ref:many", &r));
    ck_assert_uint_eq(r.objects_present, 5); /* the loose blobs */
    ck_assert_uint_eq(r.objects_sent, r.objects - 5);
    ck_assert_uint_eq(count_packs(&p), 1);
    /* more: many's files, its big file, and 30 files more. */
    TU_OK(push1(p.a, "ref:more", &r));
    ck_assert_uint_eq(r.objects_sent, 31); /* 30 blobs and the tree */
    ck_assert_uint_eq(r.objects_present, r.objects - 31);
    ck_assert_uint_eq(count_packs(&p), 2);
    const char *sels[] = {"ref:few", "ref:many", "ref:more"};
    mlops_transfer_report back = MLOPS_TRANSFER_REPORT_INIT;
    TU_OK(mlops_remote_pull(p.b, "team", sels, 3, &back));
    ck_assert_uint_eq(back.objects_sent, back.objects);
    assert_small_file(&p, p.b, &dfew, 3);
    assert_small_file(&p, p.b, &dmany, 150);
    assert_small_file(&p, p.b, &dmore, 229);
    mlops_fsck_report fr = MLOPS_FSCK_REPORT_INIT;
    TU_OK(mlops_store_fsck(p.b, NULL, &fr));
    ck_assert_uint_eq(fr.corrupt + fr.missing, 0);
    pair_close(&p);
}
END_TEST

/* More small objects than one pack holds: full packs are sent while the
 * next fills (stores with the default chunk sizes, so that files of
 * 100 KiB stay whole objects); a pull gets every one back. Twice: on the
 * packs' own sending threads, and at one thread (sent by the thread that
 * fills them). */
START_TEST(packs_full_and_last)
{
    pair p;
    p.dir = tu_tmpdir();
    p.url = remote_url(p.dir);
    char *da = tu_store_dir(p.dir, "a"), *db = tu_store_dir(p.dir, "b");
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    o.threads = _i == 0 ? 0 : 1;
    TU_OK(mlops_store_open(da, &o, &p.a));
    TU_OK(mlops_store_open(db, &o, &p.b));
    TU_OK(mlops_remote_add(p.a, "team", p.url));
    TU_OK(mlops_remote_add(p.b, "team", p.url));
    char *src = tu_path(p.dir, "big-small");
    mkdir(src, 0755);
    size_t n = 100u << 10;
    unsigned char *buf = malloc(n);
    for (int i = 0; i < 200; i++) {
        char name[32];
        snprintf(name, sizeof name, "g%03d.bin", i);
        fill_random(buf, n, 5000 + (uint64_t)i);
        char *f = tu_path(src, name);
        tu_write_file(f, buf, n);
        free(f);
    }
    mlops_digest dt;
    TU_OK(mlops_tree_put(p.a, src, 0, &dt));
    TU_OK(mlops_ref_set(p.a, "g", &dt));
    mlops_transfer_report r, back;
    TU_OK(push1(p.a, "ref:g", &r));
    ck_assert_uint_eq(r.objects, 201);
    ck_assert_uint_eq(r.objects_sent, 201);
    ck_assert_uint_eq(count_packs(&p), 3); /* 8 MiB, 8 MiB, the rest */
    TU_OK(pull1(p.b, "ref:g", &back));
    ck_assert_uint_eq(back.objects_sent, 201);
    ck_assert_uint_eq(back.bytes_sent, r.bytes_sent);
    char *out = tu_path(p.dir, "out");
    TU_OK(mlops_tree_get(p.b, &dt, out, 0));
    char *f = tu_path(out, "g199.bin");
    size_t len = 0;
    unsigned char *got = read_whole_file(f, &len);
    fill_random(buf, n, 5199);
    ck_assert_uint_eq(len, n);
    ck_assert(!memcmp(got, buf, n));
    free(got);
    free(f);
    free(out);
    free(buf);
    free(src);
    free(da);
    free(db);
    pair_close(&p);
}
END_TEST

/* A record names its packs from version 2 on; one without packs stays
 * version 1, which older readers read; a newer version is refused. */
START_TEST(record_versions)
{
    mlops_digest root = {{1}}, pk = {{2}};
    mlops__rcontent ct = {0};
    ct.digest = root;
    ct.kind = MLOPS__KIND_BLOB;
    ct.size = 5;
    mlops__record rec = {0};
    char sel[] = "ref:x";
    rec.selection = sel;
    rec.roots = &root;
    rec.nroots = 1;
    rec.contents = &ct;
    rec.ncontents = 1;
    void *buf = NULL;
    size_t len = 0;
    mlops__record back;
    TU_OK(mlops__record_encode(&rec, &buf, &len));
    ck_assert_ptr_nonnull(memmem(buf, len, "version\x01", 8));
    TU_OK(mlops__record_decode("t", "ref:x", buf, len, &back));
    ck_assert_uint_eq(back.npacks, 0);
    mlops__record_free(&back);
    free(buf);
    rec.packs = &pk;
    rec.npacks = 1;
    TU_OK(mlops__record_encode(&rec, &buf, &len));
    unsigned char *v = memmem(buf, len, "version\x02", 8);
    ck_assert_ptr_nonnull(v);
    TU_OK(mlops__record_decode("t", "ref:x", buf, len, &back));
    ck_assert_uint_eq(back.npacks, 1);
    ck_assert(!memcmp(back.packs[0].bytes, pk.bytes, 32));
    mlops__record_free(&back);
    v[7] = 3;
    TU_RC(MLOPS_EUNSUPPORTED, mlops__record_decode("t", "ref:x", buf, len, &back));
    free(buf);
}
END_TEST

/* S3: a push into a store's prefix is refused, since that store's gc
 * would take what it wrote for orphans; the store is untouched. */
START_TEST(push_into_a_stores_prefix_is_refused)
{
    char *dir = tu_tmpdir();
    char *url = remote_url(dir), *sdir = tu_path(dir, "s3store"),
         *ldir = tu_store_dir(dir, "local");
    mlops_store_location loc = MLOPS_STORE_LOCATION_INIT;
    loc.objects = url;
    mlops_store *target = NULL;
    TU_OK(mlops_store_create(sdir, &loc, NULL, &target));
    mlops_store *a = open_small_chunks(ldir);
    TU_OK(mlops_remote_add(a, "team", url));
    mlops_digest d = put_random(a, 5000, 7, NULL);
    TU_OK(mlops_ref_set(a, "r", &d));
    const char *sel[] = { "ref:r" };
    TU_RC(MLOPS_EEXIST, mlops_remote_push(a, "team", sel, 1, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "prefix of its own"));
    mlops_gc_report rep = MLOPS_GC_REPORT_INIT;
    mlops_gc_opts go = MLOPS_GC_OPTS_INIT;
    go.grace_ms = 0;
    TU_OK(mlops_store_gc(target, &go, &rep));
    ck_assert_uint_eq(rep.orphans, 0);
    mlops_store_close(a);
    mlops_store_close(target);
    tu_rmrf(dir);
    free(dir);
    free(url);
    free(sdir);
    free(ldir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("remote");
    TCase *tc = tcase_create("remote");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, selections_parse);
    tcase_add_test(tc, remotes_add_list_remove);
    tcase_add_test(tc, remote_add_relative_url_too_long);
    tcase_add_test(tc, remote_add_refuses_credentials_in_the_url);
    tcase_add_test(tc, push_pull_round_trip);
    if (!tu_objects_s3()) tcase_add_test(tc, pull_from_missing_folder);
    tcase_add_test(tc, repush_after_edit_sends_changed_chunks);
    tcase_add_test(tc, push_pull_between_chunk_rules);
    tcase_add_test(tc, interrupted_push_and_pull_resume);
    tcase_add_test(tc, pull_on_threads_resumes_exactly);
    tcase_add_test(tc, pull_refuses_damaged_object);
    tcase_add_test(tc, pull_refuses_a_size_its_zstd_frame_cannot_hold);
    tcase_add_loop_test(tc, pull_refuses_damaged_chunk, 0, 2);
    tcase_add_loop_test(tc, pull_proves_chunked_blobs, 0, 2);
    tcase_add_loop_test(tc, pull_refuses_manifest_with_wrong_chunk_sizes, 0, 2);
    tcase_add_test(tc, pull_of_content_collected_meanwhile_commits_nothing_broken);
    tcase_add_test(tc, run_and_model_selections);
    tcase_add_test(tc, lookup_or_listing);
    tcase_add_test(tc, packs_push_pull);
    tcase_add_test(tc, pull_refuses_damaged_pack);
    tcase_add_test(tc, interrupted_packed_push_resumes);
    tcase_add_test(tc, packs_beside_loose_objects);
    tcase_add_loop_test(tc, packs_full_and_last, 0, 2);
    tcase_add_test(tc, record_versions);
    if (tu_objects_s3()) tcase_add_test(tc, push_into_a_stores_prefix_is_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
