/* Bundles (include/mlops/bundle.h, doc/remotes.md "Bundles"): a round
 * trip between two stores keeps runs, metric points, lineage, versions,
 * aliases and signatures, and the destination's audit chain verifies with
 * imported events naming the origin's head; a second import adds
 * nothing; a version or alias taken with other content is MLOPS_ECONFLICT
 * with nothing written, or mapped with a rename prefix; a damaged bundle
 * (a changed byte anywhere: a metric's value, a run's param, the table of
 * contents, an object; a truncated file; a forged event or signature whose
 * frame checksum was made to match) is refused with nothing visible; a
 * version-1 bundle (no checksums) still imports. Under the s3 suite the
 * origin's objects are on versitygw and the destination is local. */
#include "registry_helpers.h"
#include "db/db.h"
#include "remote/bundle_internal.h"
#include "util/crc32c.h"

#include <inttypes.h>
#include <sys/stat.h>

typedef struct origin {
    mlops_store *s;
    char *dir;
    char run_id[33];
    mlops_digest in, out, other;
    char *priv, *pub;
    unsigned char sig[64];
} origin;

static mlops_digest put_bytes(mlops_store *s, size_t n, unsigned seed)
{
    unsigned char *b = malloc(n);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (unsigned char)x;
    }
    mlops_digest d;
    TU_OK(mlops_blob_put(s, b, n, &d));
    free(b);
    return d;
}

/* A run that read `in` and wrote `out`, with params, tags and two metrics
 * of 300 points; model churn: v1 (out, by the run, signed), v2 (other);
 * alias champion set to v1 then moved to v2 then back to v1. */
static void origin_make(origin *o, mlops_store *s, char *dir)
{
    memset(o, 0, sizeof *o);
    o->s = s;
    o->dir = dir;
    o->in = put_bytes(s, 3000, 1);
    o->out = put_bytes(s, 300000, 2); /* chunked */
    o->other = put_bytes(s, 500, 3);
    int64_t exp = 0;
    TU_OK(mlops_experiment_create(s, "e", &exp));
    mlops_run *run = NULL;
    TU_OK(mlops_run_start(s, exp, "train", &run));
    snprintf(o->run_id, sizeof o->run_id, "%s", mlops_run_id(run));
    TU_OK(mlops_run_log_param(run, "lr", "0.01"));
    TU_OK(mlops_run_tag_set(run, "team", "vision"));
    mlops_metric pts[600];
    for (int i = 0; i < 300; i++) {
        pts[i] = (mlops_metric){ "loss", 1.0 / (i + 1), i, 1000 + i };
        pts[300 + i] = (mlops_metric){ "acc", i / 300.0, i, 1000 + i };
    }
    TU_OK(mlops_run_log_metrics(run, pts, 600));
    TU_OK(mlops_run_log_input(run, &o->in, "train.csv", "dataset"));
    TU_OK(mlops_run_log_output(run, &o->out, "model.bin", "model"));
    int64_t v = 0;
    TU_OK(mlops_model_create(s, "churn"));
    TU_OK(mlops_model_version_create(s, "churn", &o->out, o->run_id, &v));
    ck_assert_int_eq(v, 1);
    TU_OK(mlops_run_end(run, MLOPS_RUN_FINISHED));
    mlops_run_free(run);
    TU_OK(mlops_model_version_create(s, "churn", &o->other, NULL, &v));
    /* a millisecond apart: an import places alias entries by their time,
     * and two entries of one alias at the same time are a collision */
    TU_OK(mlops_model_alias_set(s, "churn", "champion", 1));
    usleep(2000);
    TU_OK(mlops_model_alias_set(s, "churn", "champion", 2));
    usleep(2000);
    TU_OK(mlops_model_alias_set(s, "churn", "champion", 1));
    rt_keypair("ED25519", &o->priv, &o->pub);
    TU_OK(mlops_model_version_sign(s, "churn", 1, o->priv, NULL));
    mlops_model_version *mv = NULL;
    TU_OK(mlops_model_version_get(s, "churn", 1, &mv));
    TU_OK(mlops_model_version_signature_at(mv, 0, NULL, o->sig, NULL));
    mlops_model_version_free(mv);
}

static void origin_free(origin *o)
{
    free(o->priv);
    free(o->pub);
}

static char *bundle_path(const char *name)
{
    char *dir = tu_tmpdir_local();
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    free(dir);
    return p;
}

static int import(mlops_store *s, const char *path, const char *prefix, mlops_bundle_report *r)
{
    mlops_bundle_import_opts o;
    TU_OK(mlops_bundle_import_opts_init(&o, MLOPS_BUNDLE_IMPORT_OPTS_VERSION));
    o.rename_prefix = prefix;
    TU_OK(mlops_bundle_report_init(r, MLOPS_BUNDLE_REPORT_VERSION));
    return mlops_bundle_import(s, path, &o, r);
}

static void export_model(origin *o, const char *path, mlops_bundle_report *r)
{
    char run_sel[40];
    snprintf(run_sel, sizeof run_sel, "run:%s", o->run_id);
    const char *sels[] = { "model:churn@champion", run_sel };
    TU_OK(mlops_bundle_report_init(r, MLOPS_BUNDLE_REPORT_VERSION));
    TU_OK(mlops_bundle_export(o->s, path, sels, 2, r));
}

static void round_trip(mlops_store *a, char *adir, mlops_store *b, char *bdir)
{
    origin o;
    origin_make(&o, a, adir);
    char *path = bundle_path("round.mlb");
    mlops_bundle_report ex;
    export_model(&o, path, &ex);
    ck_assert_uint_eq(ex.runs, 1);
    ck_assert_uint_eq(ex.metric_points, 600);
    ck_assert_uint_eq(ex.versions, 1);
    ck_assert_uint_eq(ex.signatures, 1);
    ck_assert_uint_gt(ex.events, 5);
    int64_t aseq = 0;
    mlops_digest ahash;
    TU_OK(mlops_audit_head(a, &aseq, &ahash));
    ck_assert_int_eq(ex.origin_head_seq, aseq);
    ck_assert(!memcmp(ex.origin_head_hash.bytes, ahash.bytes, 32));

    mlops_bundle_report im;
    TU_OK(import(b, path, NULL, &im));
    ck_assert_uint_eq(im.runs, 1);
    ck_assert_uint_eq(im.metric_points, 600);
    ck_assert_uint_eq(im.alias_entries, 2); /* set 1, (move 2: not carried), back to 1 */
    ck_assert_uint_eq(ex.alias_entries, im.alias_entries);
    ck_assert_uint_eq(im.objects, ex.objects);
    ck_assert_uint_eq(im.objects_added, ex.objects);
    ck_assert_uint_gt(im.records_added, 5);

    /* what came in */
    mlops_run_info *ri = NULL;
    TU_OK(mlops_run_get(b, o.run_id, &ri));
    ck_assert_str_eq(mlops_run_info_param(ri, "lr"), "0.01");
    mlops_run_info_free(ri);
    mlops_metric_point *got = NULL;
    size_t n = 0;
    TU_OK(mlops_metric_history(b, o.run_id, "loss", NULL, &got, &n));
    ck_assert_uint_eq(n, 300);
    ck_assert(got[299].value == 1.0 / 300 && got[299].ts_ms == 1299);
    mlops_free(got);
    int64_t v = 0;
    TU_OK(mlops_model_alias_get(b, "churn", "champion", &v));
    ck_assert_int_eq(v, 1);
    TU_OK(mlops_model_version_verify(b, "churn", 1, o.pub));
    void *data = NULL;
    size_t len = 0;
    TU_OK(mlops_blob_get(b, &o.out, &data, &len));
    ck_assert_uint_eq(len, 300000);
    mlops_free(data);
    TU_OK(mlops_blob_get(b, &o.in, &data, &len));
    mlops_free(data);
    TU_RC(MLOPS_ENOTFOUND, mlops_blob_get(b, &o.other, &data, &len));
    TU_OK(mlops_audit_verify(b));
    /* the imported events carry the origin's head */
    char hex[MLOPS_DIGEST_STRLEN], sql[300];
    mlops_digest_format(&ahash, hex);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_events WHERE action = 'import' "
                              "AND new_value LIKE 'bundle:%%@%" PRId64 ":%s'", aseq, hex);
    ck_assert_int_ge(rt_db_int(bdir, sql), 3);

    /* again: nothing added */
    int64_t events = rt_audit_count(b);
    TU_OK(import(b, path, NULL, &im));
    ck_assert_uint_eq(im.records_added, 0);
    ck_assert_uint_eq(im.objects_added, 0);
    ck_assert_int_eq(rt_audit_count(b), events);
    ck_assert_int_eq(rt_db_int(bdir, "SELECT count(*) FROM runs"), 1);
    ck_assert_int_eq(rt_db_int(bdir, "SELECT count(*) FROM reg_versions"), 1);
    TU_OK(mlops_audit_verify(b));
    unlink(path);
    free(path);
    origin_free(&o);
}

START_TEST(round_trip_twice)
{
    char *adir, *bdir;
    mlops_store *a = rt_open(&adir);
    mlops_store *b = rt_open(&bdir);
    round_trip(a, adir, b, bdir);
    rt_close(a, adir);
    rt_close(b, bdir);
}
END_TEST

/* The origin's objects on versitygw (the s3 suite), the destination a
 * local store. Elsewhere round_trip_twice covers it. */
START_TEST(round_trip_into_local)
{
    if (!tu_objects_s3()) return;
    char *adir, *bdir;
    mlops_store *a = rt_open(&adir);
    mlops_store *b = rt_open_local(&bdir);
    round_trip(a, adir, b, bdir);
    rt_close(a, adir);
    rt_close(b, bdir);
}
END_TEST

START_TEST(collision_and_rename)
{
    char *adir, *bdir;
    mlops_store *a = rt_open(&adir);
    mlops_store *b = rt_open(&bdir);
    origin o;
    origin_make(&o, a, adir);
    char *path = bundle_path("collide.mlb");
    mlops_bundle_report r;
    export_model(&o, path, &r);
    /* b has its own churn v1 and champion */
    mlops_digest mine = put_bytes(b, 700, 9);
    int64_t v = 0;
    TU_OK(mlops_model_create(b, "churn"));
    TU_OK(mlops_model_version_create(b, "churn", &mine, NULL, &v));
    TU_OK(mlops_model_alias_set(b, "churn", "champion", 1));
    int64_t events = rt_audit_count(b);
    int64_t contents = rt_db_int(bdir, "SELECT count(*) FROM cas_content");
    TU_RC(MLOPS_ECONFLICT, import(b, path, NULL, &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "version 1 of model 'churn'"));
    ck_assert_int_eq(rt_audit_count(b), events);
    ck_assert_int_eq(rt_db_int(bdir, "SELECT count(*) FROM runs"), 0);
    ck_assert_int_eq(rt_db_int(bdir, "SELECT count(*) FROM cas_content"), contents);
    TU_RC(MLOPS_EINVAL, import(b, path, "bad prefix", &r));

    TU_OK(import(b, path, "team-", &r));
    ck_assert_uint_eq(r.renumbered, 1);
    ck_assert_uint_eq(r.renamed, 1);
    ck_assert_uint_eq(r.signatures_skipped, 1);
    TU_OK(mlops_model_alias_get(b, "churn", "champion", &v));
    ck_assert_int_eq(v, 1); /* b's own, untouched */
    TU_OK(mlops_model_alias_get(b, "churn", "team-champion", &v));
    ck_assert_int_eq(v, 2);
    mlops_model_version *mv = NULL;
    TU_OK(mlops_model_version_get(b, "churn", 2, &mv));
    ck_assert(!memcmp(mlops_model_version_artifact(mv)->bytes, o.out.bytes, 32));
    mlops_model_version_free(mv);
    TU_OK(mlops_audit_verify(b));
    events = rt_audit_count(b);
    TU_OK(import(b, path, "team-", &r)); /* the same mapping: nothing new */
    ck_assert_uint_eq(r.records_added, 0);
    ck_assert_int_eq(rt_audit_count(b), events);
    ck_assert_int_eq(rt_db_int(bdir, "SELECT count(*) FROM reg_versions"), 2);
    unlink(path);
    free(path);
    origin_free(&o);
    rt_close(a, adir);
    rt_close(b, bdir);
}
END_TEST

/* Nothing of the bundle in the store at dir: no record, no point, no
 * event beyond the events the store had. */
static void assert_nothing_of_bundle(mlops_store *s, const char *dir, int64_t events,
                                     int64_t models)
{
    static const char *const tables[] = { "experiments", "runs", "run_params", "run_lineage",
                                          "metric_series", "metric_blocks", "reg_versions",
                                          "reg_signatures", "reg_aliases" };
    char sql[128];
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        ck_assert_msg(rt_db_int(dir, sql) == 0, "%s is not empty", tables[i]);
    }
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM reg_models"), models);
    ck_assert_int_eq(rt_audit_count(s), events);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM audit_events"), events);
}

/* Every record of a bundle goes in one transaction: a failure half-way
 * (here the database refuses the first version row, after the
 * experiment, run, lineage and metric points were written) leaves no
 * record of the bundle; the same import completes once the cause is
 * gone. */
START_TEST(failure_leaves_no_record)
{
    char *adir, *bdir;
    mlops_store *a = rt_open(&adir);
    mlops_store *b = rt_open(&bdir);
    origin o;
    origin_make(&o, a, adir);
    char *path = bundle_path("fails.mlb");
    mlops_bundle_report r;
    export_model(&o, path, &r);
    tu_db *db = tu_db_open(bdir);
    if (tu_db_dialect(db) == 1) {
        /* one statement holding ';': prepared whole, not split */
        mlops__stmt *st = NULL;
        TU_OK(mlops__conn_prepare(tu_db_conn(db),
                                  "CREATE TRIGGER injected_failure BEFORE INSERT ON reg_versions "
                                  "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                                  &st));
        ck_assert_int_eq(mlops__step(st), MLOPS__DONE);
        mlops__stmt_finalize(st);
    } else {
        tu_db_exec(db, "ALTER TABLE reg_versions ADD CONSTRAINT injected_failure "
                       "CHECK (number < 0) NOT VALID");
    }
    int64_t events = rt_audit_count(b);
    int rc = import(b, path, NULL, &r);
    ck_assert_int_ne(rc, MLOPS_OK);
    ck_assert_msg(strstr(mlops_last_error(), "injected") != NULL, "%s", mlops_last_error());
    assert_nothing_of_bundle(b, bdir, events, 0);
    tu_db_exec(db, tu_db_dialect(db) == 1
                       ? "DROP TRIGGER injected_failure"
                       : "ALTER TABLE reg_versions DROP CONSTRAINT injected_failure");
    tu_db_close(db);
    TU_OK(import(b, path, NULL, &r));
    ck_assert_uint_gt(r.records_added, 5);
    ck_assert_int_eq(rt_db_int(bdir, "SELECT count(*) FROM runs"), 1);
    ck_assert_int_eq(rt_db_int(bdir, "SELECT count(*) FROM reg_versions"), 1);
    TU_OK(mlops_audit_verify(b));
    unlink(path);
    free(path);
    origin_free(&o);
    rt_close(a, adir);
    rt_close(b, bdir);
}
END_TEST

/* An alias entry the destination refuses (its signing policy trusts
 * another key; then its gate) is MLOPS_EPOLICY for the whole import: the
 * runs, points and versions that came before it in the same transaction
 * are not kept either. */
START_TEST(refused_alias_rolls_back)
{
    char *adir, *bdir;
    mlops_store *a = rt_open(&adir);
    mlops_store *b = rt_open(&bdir);
    origin o;
    origin_make(&o, a, adir);
    char *path = bundle_path("refused.mlb");
    mlops_bundle_report r;
    export_model(&o, path, &r);
    char *priv = NULL, *pub = NULL;
    rt_keypair("ED25519", &priv, &pub);
    TU_OK(mlops_model_create(b, "churn"));
    const char *keys[] = { pub };
    TU_OK(mlops_model_alias_policy_set(b, "churn", "champion", keys, 1, NULL));
    int64_t events = rt_audit_count(b);
    TU_RC(MLOPS_EPOLICY, import(b, path, NULL, &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "champion"));
    assert_nothing_of_bundle(b, bdir, events, 1);

    TU_OK(mlops_model_alias_policy_delete(b, "churn", "champion", NULL));
    const char *conds[] = { "metrics.acc >= 2" };
    TU_OK(mlops_model_gate_set(b, "churn", "champion", conds, 1, NULL, NULL));
    events = rt_audit_count(b);
    TU_RC(MLOPS_EPOLICY, import(b, path, NULL, &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "gate"));
    assert_nothing_of_bundle(b, bdir, events, 1); /* the decision event too */

    TU_OK(mlops_model_gate_clear(b, "churn", "champion", NULL));
    TU_OK(import(b, path, NULL, &r));
    int64_t v = 0;
    TU_OK(mlops_model_alias_get(b, "churn", "champion", &v));
    ck_assert_int_eq(v, 1);
    TU_OK(mlops_audit_verify(b));
    free(priv);
    free(pub);
    unlink(path);
    free(path);
    origin_free(&o);
    rt_close(a, adir);
    rt_close(b, bdir);
}
END_TEST

/* An alias moved to a split names the split's primary version as its
 * new value: an import that read it as a plain entry would give that
 * version all the traffic. Such entries are left out, and export counts
 * only the entries an import brings in. */
START_TEST(split_entries_left_out)
{
    char *adir, *bdir;
    mlops_store *a = rt_open(&adir);
    mlops_store *b = rt_open(&bdir);
    origin o;
    origin_make(&o, a, adir); /* champion: 1, 2, 1 */
    usleep(2000);
    TU_OK(mlops_model_alias_split_set(a, "churn", "champion", "1:10,2:90", NULL));
    usleep(2000);
    TU_OK(mlops_model_alias_set(a, "churn", "champion", 1));
    TU_OK(mlops_model_alias_split_set(a, "churn", "canary", "1:20,2:80", NULL));
    char *path = bundle_path("split.mlb");
    const char *sels[] = { "model:churn/1", "model:churn/2" };
    mlops_bundle_report ex, im;
    TU_OK(mlops_bundle_report_init(&ex, MLOPS_BUNDLE_REPORT_VERSION));
    TU_OK(mlops_bundle_export(a, path, sels, 2, &ex));
    /* champion: set 1, move 2, move 1, (a split whose primary is 2: left
     * out), move 1; canary: only a split, left out */
    ck_assert_uint_eq(ex.alias_entries, 4);
    TU_OK(import(b, path, NULL, &im));
    ck_assert_uint_eq(im.alias_entries, ex.alias_entries);
    int64_t v = 0;
    TU_OK(mlops_model_alias_get(b, "churn", "champion", &v));
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(rt_db_int(bdir, "SELECT count(*) FROM reg_aliases WHERE split IS NOT NULL"),
                     0);
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_get(b, "churn", "canary", &v));
    ck_assert_int_eq(rt_db_int(bdir, "SELECT count(*) FROM audit_events WHERE key = 'champion' "
                                     "AND action IN ('alias.set', 'alias.move')"),
                     3); /* the last entry moves nothing here: it is at 1 already */
    TU_OK(mlops_audit_verify(b));
    int64_t events = rt_audit_count(b);
    TU_OK(import(b, path, NULL, &im));
    ck_assert_uint_eq(im.records_added, 0);
    ck_assert_int_eq(rt_audit_count(b), events);
    unlink(path);
    free(path);
    origin_free(&o);
    rt_close(a, adir);
    rt_close(b, bdir);
}
END_TEST

/* Two moves of one alias in one millisecond (a fast script) are two
 * entries at one time: the import places them in the bundle's order, so
 * the history comes over whole, a second import adds nothing, and another
 * entry at that time is still a conflict. */
START_TEST(moves_in_one_ms_round_trip)
{
    char *adir, *bdir;
    mlops_store *a = rt_open_local(&adir); /* fast moves; b is on the backend under test */
    mlops_store *b = rt_open(&bdir);
    origin o;
    origin_make(&o, a, adir); /* champion: 1, 2, 1 */
    int64_t t = rt_alias_moves_in_one_ms(a, adir, "churn", "champion", 2, 1);
    const char *moves = "SELECT count(*) FROM audit_events WHERE key = 'champion' "
                        "AND action IN ('alias.set', 'alias.move')";
    int64_t origin_moves = rt_db_int(adir, moves);
    char *path = bundle_path("one_ms.mlb");
    const char *sels[] = { "model:churn/1", "model:churn/2" };
    mlops_bundle_report ex, im;
    TU_OK(mlops_bundle_report_init(&ex, MLOPS_BUNDLE_REPORT_VERSION));
    TU_OK(mlops_bundle_export(a, path, sels, 2, &ex));
    ck_assert_int_eq((int64_t)ex.alias_entries, origin_moves);
    TU_OK(import(b, path, NULL, &im));
    ck_assert_uint_eq(im.alias_entries, ex.alias_entries);
    int64_t v = 0;
    TU_OK(mlops_model_alias_get(b, "churn", "champion", &v));
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(rt_db_int(bdir, moves), origin_moves);
    TU_OK(mlops_audit_verify(b));

    int64_t events = rt_audit_count(b);
    TU_OK(import(b, path, NULL, &im));
    ck_assert_uint_eq(im.records_added, 0);
    ck_assert_int_eq(rt_audit_count(b), events);
    TU_OK(mlops_model_alias_get(b, "churn", "champion", &v));
    ck_assert_int_eq(v, 1);

    /* a third target at that time is another entry, not one of these */
    mlops_digest d = rt_put(b, "third");
    TU_OK(mlops_model_version_create(b, "churn", &d, NULL, &v));
    mlops_import_opts io;
    TU_OK(mlops_import_opts_init(&io, MLOPS_IMPORT_OPTS_VERSION));
    io.origin = "test:other";
    TU_RC(MLOPS_ECONFLICT, mlops_alias_import(b, &io, "churn", "champion", v, t));
    ck_assert_int_eq(rt_audit_count(b), events + 1); /* the version.create only */
    TU_OK(mlops_audit_verify(b));
    unlink(path);
    free(path);
    origin_free(&o);
    rt_close(a, adir);
    rt_close(b, bdir);
}
END_TEST

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n);
    ck_assert_uint_eq(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

static void spill(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    fclose(f);
}

static size_t find(const unsigned char *b, size_t n, const void *what, size_t wn)
{
    for (size_t i = 0; i + wn <= n; i++)
        if (!memcmp(b + i, what, wn)) return i;
    ck_abort_msg("pattern not in the bundle");
    return 0;
}

static uint32_t be32_at(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The offset of the version-2 frame of the n-byte bundle b that holds byte
 * at: the header, then frame after frame up to the table of contents (its
 * offset from the trailer), which is the last. */
static size_t frame_of(const unsigned char *b, size_t n, size_t at)
{
    uint64_t toc = 0;
    for (int i = 0; i < 8; i++) toc = toc << 8 | b[n - MLOPS__BUNDLE_TRAILER + i];
    for (size_t off = 8; off <= toc;) {
        size_t end = off + 4 + be32_at(b + off) + 4;
        if (at >= off && at < end) return off;
        off = end;
    }
    ck_abort_msg("byte %zu is in no frame", at);
    return 0;
}

/* Makes the checksum of the frame at off match its bytes again: what a
 * forger does, since a CRC is no seal. */
static void reseal(unsigned char *b, size_t off)
{
    uint32_t len = be32_at(b + off);
    uint32_t c = mlops__crc32c_update(mlops__crc32c(b + off, 4), b + off + 4, len);
    unsigned char *p = b + off + 4 + len;
    p[0] = (unsigned char)(c >> 24);
    p[1] = (unsigned char)(c >> 16);
    p[2] = (unsigned char)(c >> 8);
    p[3] = (unsigned char)c;
}

/* What a refused import must leave as it was. */
typedef struct counts {
    int64_t n[9];
} counts;

static counts count_all(mlops_store *s, const char *dir)
{
    static const char *const tables[] = { "experiments", "runs", "run_params", "metric_series",
                                          "metric_blocks", "reg_versions", "cas_content",
                                          "audit_events" };
    counts c;
    char sql[128];
    for (size_t i = 0; i < 8; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        c.n[i] = rt_db_int(dir, sql);
    }
    c.n[8] = rt_audit_count(s);
    return c;
}

typedef struct damage {
    const char *what;
    int rc;
    size_t at;    /* byte to flip; SIZE_MAX: truncate */
    size_t keep;  /* truncated length */
    int reseal;   /* the frame's checksum made to match: a deeper check finds it */
    size_t frame; /* without: the frame the message names */
} damage;

/* Each damage is refused and leaves the store as it was: no content, no
 * record, no event. The destination has records of its own, so that
 * "as it was" is not merely "empty". */
START_TEST(damaged_bundles_refused)
{
    char *adir, *bdir;
    mlops_store *a = rt_open(&adir);
    mlops_store *b = rt_open(&bdir);
    origin o;
    origin_make(&o, a, adir);
    int64_t exp = 0, v = 0;
    TU_OK(mlops_experiment_create(b, "mine", &exp));
    mlops_run *run = NULL;
    TU_OK(mlops_run_start(b, exp, "local", &run));
    TU_OK(mlops_run_log_param(run, "lr", "0.5"));
    TU_OK(mlops_run_log_metric(run, "loss", 0.75, 1, 1000));
    TU_OK(mlops_run_end(run, MLOPS_RUN_FINISHED));
    mlops_run_free(run);
    mlops_digest mine = rt_put(b, "local weights");
    TU_OK(mlops_model_create(b, "local"));
    TU_OK(mlops_model_version_create(b, "local", &mine, NULL, &v));
    const counts before = count_all(b, bdir);
    char *path = bundle_path("good.mlb"), *bad = bundle_path("bad.mlb");
    mlops_bundle_report r;
    export_model(&o, path, &r);
    size_t n = 0;
    unsigned char *good = slurp(path, &n);
    ck_assert_uint_eq(be32_at(good + n - 12 - 8), 0); /* a toc offset below 4 GiB */
    unsigned char *copy = malloc(n);
    damage cases[12];
    memset(cases, 0, sizeof cases);
    size_t nc = 0;
    /* an object's payload: 200 bytes into the first object frame, after
     * the header frame (length, bytes, checksum) */
    size_t hlen = be32_at(good + 8);
    size_t obj = 8 + 4 + hlen + 4;
    cases[nc++] = (damage){ "object", MLOPS_ECORRUPT, obj + 4 + 200, 0, 0, obj };
    cases[nc++] = (damage){ "object, resealed", MLOPS_ECORRUPT, obj + 4 + 200, 0, 1, 0 };
    cases[nc++] = (damage){ "truncated", MLOPS_ECORRUPT, SIZE_MAX, n - 100, 0, 0 };
    size_t at = find(good, n, "alias.move", 10) + 9;
    cases[nc++] = (damage){ "event, resealed", MLOPS_ECORRUPT, at, 0, 1, 0 };
    at = find(good, n, o.sig, 64) + 10;
    cases[nc++] = (damage){ "signature, resealed", MLOPS_ESIGNATURE, at, 0, 1, 0 };
    cases[nc++] = (damage){ "signature", MLOPS_ECORRUPT, at, 0, 0, frame_of(good, n, at) };
    /* the run frame's experiment, "e": the frame is fixstr "run", str8
     * of the 32-character id, then fixstr 0xa1 'e' */
    unsigned char run_frame[6 + 32];
    memcpy(run_frame, "\xa3run\xd9\x20", 6);
    memcpy(run_frame + 6, o.run_id, 32);
    at = find(good, n, run_frame, sizeof run_frame) + sizeof run_frame + 1;
    ck_assert_int_eq(good[at], 'e');
    cases[nc++] = (damage){ "run's experiment, resealed", MLOPS_ECORRUPT, at, 0, 1, 0 };
    /* the run's param lr = "0.01" (its last byte: "0.00" would import as a
     * plausible value without the checksum) */
    at = find(good, n, "\xa2lr\xa4" "0.01", 8) + 7;
    size_t fr = frame_of(good, n, at);
    ck_assert(!memcmp(good + fr + 5, "\xa3run", 4));
    cases[nc++] = (damage){ "run's param", MLOPS_ECORRUPT, at, 0, 0, fr };
    /* a metric point's value, loss at step 6 = 1/7: a float 64 (0xcb, 8
     * bytes big-endian); its last byte, a change in the 16th digit */
    double d = 1.0 / 7;
    uint64_t bits;
    memcpy(&bits, &d, 8);
    unsigned char f64[9] = { 0xcb };
    for (int i = 0; i < 8; i++) f64[1 + i] = (unsigned char)(bits >> (56 - 8 * i));
    at = find(good, n, f64, 9) + 8;
    fr = frame_of(good, n, at);
    ck_assert(!memcmp(good + fr + 5, "\xa3met", 4));
    cases[nc++] = (damage){ "metric value", MLOPS_ECORRUPT, at, 0, 0, fr };
    /* the table of contents: a byte of its first object's digest */
    uint64_t toc = 0;
    for (int i = 0; i < 8; i++) toc = toc << 8 | good[n - MLOPS__BUNDLE_TRAILER + i];
    cases[nc++] = (damage){ "toc", MLOPS_ECORRUPT, (size_t)toc + 4 + 12, 0, 0, toc };
    /* the trailer's offset of the table of contents */
    cases[nc++] = (damage){ "trailer", MLOPS_ECORRUPT, n - MLOPS__BUNDLE_TRAILER + 6,
                                          0, 0, n - MLOPS__BUNDLE_TRAILER };
    cases[nc++] = (damage){ "header", MLOPS_ECORRUPT, 8 + 4 + 3, 0, 0, 8 };
    ck_assert_uint_eq(nc, sizeof cases / sizeof *cases);
    for (size_t i = 0; i < nc; i++) {
        memcpy(copy, good, n);
        size_t len = n;
        if (cases[i].at == SIZE_MAX) len = cases[i].keep;
        else copy[cases[i].at] ^= 0x01;
        if (cases[i].reseal) reseal(copy, frame_of(good, n, cases[i].at));
        spill(bad, copy, len);
        int rc = import(b, bad, NULL, &r);
        ck_assert_msg(rc == cases[i].rc, "%s: %d (%s)", cases[i].what, rc, mlops_last_error());
        if (!cases[i].reseal && cases[i].frame) { /* the checksum: it names the offset */
            char want[64];
            snprintf(want, sizeof want, "at offset %zu fails its checksum", cases[i].frame);
            ck_assert_msg(strstr(mlops_last_error(), want) != NULL, "%s: %s", cases[i].what,
                          mlops_last_error());
        }
        if (i <= 1) { /* found by the pull from the bundle, which names it */
            char source[4200];
            snprintf(source, sizeof source, "bundle '%s'", bad);
            ck_assert_msg(strstr(mlops_last_error(), source) != NULL, "%s", mlops_last_error());
        }
        const counts after = count_all(b, bdir);
        for (size_t k = 0; k < 9; k++)
            ck_assert_msg(after.n[k] == before.n[k], "%s: count %zu was %" PRId64 ", is %" PRId64,
                          cases[i].what, k, before.n[k], after.n[k]);
    }
    /* a newer version than this library's: refused as that, its checksum
     * right or not (what follows a newer header cannot be judged) */
    memcpy(copy, good, n);
    at = find(copy, n, "\xa7version\x02", 9) + 8;
    copy[at] = 3;
    spill(bad, copy, n);
    TU_RC(MLOPS_EUNSUPPORTED, import(b, bad, NULL, &r));
    reseal(copy, 8);
    spill(bad, copy, n);
    TU_RC(MLOPS_EUNSUPPORTED, import(b, bad, NULL, &r));
    spill(bad, (const unsigned char *)"not a bundle at all", 19);
    TU_RC(MLOPS_EFORMAT, import(b, bad, NULL, &r));
    TU_RC(MLOPS_ENOTFOUND, import(b, "/nonexistent/x.mlb", NULL, &r));
    const counts after = count_all(b, bdir);
    ck_assert(!memcmp(&after, &before, sizeof after));
    TU_OK(import(b, path, NULL, &r)); /* the good one still goes in */
    ck_assert_uint_eq(r.runs, 1);
    TU_OK(mlops_audit_verify(b));
    free(good);
    free(copy);
    unlink(path);
    unlink(bad);
    free(path);
    free(bad);
    origin_free(&o);
    rt_close(a, adir);
    rt_close(b, bdir);
}
END_TEST

/* A version-1 bundle (no checksums) still imports. The file is the fuzz
 * seed the version-1 writer made (tests/fuzz/corpus/bundle/model_v1, by
 * gen_seeds before version 2): bytes of the old writer, not of a test
 * imitating it. It carries run "train" of experiment "e" (lr = 0.1, two
 * loss points, an input and an output), version 1 of model "m" made from
 * that output, signed, and alias "prod". */
START_TEST(version_1_imports)
{
    FILE *f = tu_open_src("fuzz/corpus/bundle/model_v1");
    unsigned char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ck_assert_uint_gt(n, 100);
    char *path = bundle_path("v1.mlb");
    spill(path, buf, n);
    mlops__bundle_reader *rd = NULL;
    TU_OK(mlops__bundle_reader_open("test", path, &rd));
    ck_assert_uint_eq(rd->version, 1);
    mlops__bundle_reader_free(rd);
    char *bdir;
    mlops_store *b = rt_open(&bdir);
    mlops_bundle_report r;
    TU_OK(import(b, path, NULL, &r));
    ck_assert_uint_eq(r.runs, 1);
    ck_assert_uint_eq(r.metric_points, 2);
    ck_assert_uint_eq(r.versions, 1);
    ck_assert_uint_eq(r.signatures, 1);
    ck_assert_uint_eq(r.objects_added, r.objects);
    ck_assert_uint_gt(r.objects, 1);
    ck_assert_int_eq(rt_db_int(bdir, "SELECT count(*) FROM run_params WHERE key = 'lr' AND "
                                     "value = '0.1'"), 1);
    mlops_model_version *mv = NULL;
    TU_OK(mlops_model_version_get(b, "m", 1, &mv));
    mlops_model_version_free(mv);
    TU_OK(mlops_audit_verify(b));
    /* and a bundle of this store now is version 2 */
    char *path2 = bundle_path("v2.mlb");
    const char *sels[] = { "model:m@prod" };
    TU_OK(mlops_bundle_export(b, path2, sels, 1, &r));
    TU_OK(mlops__bundle_reader_open("test", path2, &rd));
    ck_assert_uint_eq(rd->version, 2);
    mlops__bundle_reader_free(rd);
    unlink(path);
    unlink(path2);
    free(path);
    free(path2);
    rt_close(b, bdir);
}
END_TEST

/* run:ID carries the records of its parent runs, not their metric points
 * nor their lineage (doc/remotes.md, "What a selection carries"). */
START_TEST(parent_runs_records_only)
{
    char *adir, *bdir;
    mlops_store *a = rt_open(&adir);
    mlops_store *b = rt_open(&bdir);
    int64_t exp = 0;
    TU_OK(mlops_experiment_create(a, "e", &exp));
    mlops_run *parent = NULL, *child = NULL;
    TU_OK(mlops_run_start(a, exp, "sweep", &parent));
    char pid[33];
    snprintf(pid, sizeof pid, "%s", mlops_run_id(parent));
    TU_OK(mlops_run_log_metric(parent, "best", 0.5, 1, 1000));
    TU_OK(mlops_run_log_metric(parent, "best", 0.25, 2, 1001));
    mlops_digest in = put_bytes(a, 100, 9);
    TU_OK(mlops_run_log_input(parent, &in, "grid.json", "config"));
    mlops_run_start_opts so = MLOPS_RUN_START_OPTS_INIT;
    so.name = "trial";
    so.parent_run_id = pid;
    TU_OK(mlops_run_start_ex(a, exp, &so, &child));
    char sel[40];
    snprintf(sel, sizeof sel, "run:%s", mlops_run_id(child));
    TU_OK(mlops_run_log_metric(child, "loss", 1.5, 1, 1000));
    const char *sels[] = { sel };
    char *path = bundle_path("parent.mlb");
    mlops_bundle_report r;
    TU_OK(mlops_bundle_report_init(&r, MLOPS_BUNDLE_REPORT_VERSION));
    TU_OK(mlops_bundle_export(a, path, sels, 1, &r));
    ck_assert_uint_eq(r.runs, 2);
    ck_assert_uint_eq(r.metric_points, 1);
    TU_OK(import(b, path, NULL, &r));
    ck_assert_uint_eq(r.runs, 2);
    ck_assert_uint_eq(r.metric_points, 1);
    mlops_run_info *ri = NULL;
    TU_OK(mlops_run_get(b, pid, &ri)); /* the parent's record came */
    mlops_run_info_free(ri);
    mlops_metric_point *pts = NULL;
    size_t n = 0;
    TU_RC(MLOPS_ENOTFOUND, mlops_metric_history(b, pid, "best", NULL, &pts, &n));
    ck_assert_int_eq(rt_db_int(bdir, "SELECT count(*) FROM run_lineage"), 0);
    mlops_run_free(child);
    mlops_run_free(parent);
    unlink(path);
    free(path);
    rt_close(a, adir);
    rt_close(b, bdir);
}
END_TEST

START_TEST(export_errors)
{
    char *adir;
    mlops_store *a = rt_open(&adir);
    char *path = bundle_path("e.mlb");
    const char *sels[] = { "model:none@x" };
    mlops_bundle_report r = MLOPS_BUNDLE_REPORT_INIT;
    TU_RC(MLOPS_ENOTFOUND, mlops_bundle_export(a, path, sels, 1, &r));
    struct stat st;
    ck_assert_int_ne(stat(path, &st), 0); /* no file left */
    const char *bad[] = { "nokind" };
    TU_RC(MLOPS_EINVAL, mlops_bundle_export(a, path, bad, 1, &r));
    TU_RC(MLOPS_EINVAL, mlops_bundle_export(a, path, sels, 0, &r));
    free(path);
    rt_close(a, adir);
}
END_TEST

static Suite *bundle_suite(void)
{
    Suite *s = suite_create("bundle");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, round_trip_twice);
    tcase_add_test(tc, round_trip_into_local);
    tcase_add_test(tc, collision_and_rename);
    tcase_add_test(tc, failure_leaves_no_record);
    tcase_add_test(tc, refused_alias_rolls_back);
    tcase_add_test(tc, split_entries_left_out);
    tcase_add_test(tc, moves_in_one_ms_round_trip);
    tcase_add_test(tc, damaged_bundles_refused);
    tcase_add_test(tc, version_1_imports);
    tcase_add_test(tc, export_errors);
    tcase_add_test(tc, parent_runs_records_only);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(bundle_suite());
}
