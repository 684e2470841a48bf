/* The import API (include/mlops/import.h) and store copy: conflicts and
 * idempotence of each import call, the audit events they leave, and
 * copies into an empty store, into an earlier copy and into a store that
 * is neither; the round trip local -> the backend under test -> local
 * keeps the audit head and the search results. */
#include "registry_helpers.h"

#include <inttypes.h>

static const char RUN1[] = "0123456789abcdef0123456789abcdef";
static const char RUN2[] = "fedcba9876543210fedcba9876543210";

static mlops_import_opts origin(const char *o)
{
    mlops_import_opts im;
    TU_OK(mlops_import_opts_init(&im, MLOPS_IMPORT_OPTS_VERSION));
    im.origin = o;
    return im;
}

static int64_t count_sql(const char *dir, const char *sql)
{
    return rt_db_int(dir, sql);
}

static mlops_run_record run_record(const char *id, const mlops_kv *params, size_t np)
{
    mlops_run_record r;
    TU_OK(mlops_run_record_init(&r, MLOPS_RUN_RECORD_VERSION));
    r.run_id = id;
    r.experiment = "exp";
    r.name = "first";
    r.status = MLOPS_RUN_FINISHED;
    r.start_ms = 1000;
    r.end_ms = 5000;
    r.params = params;
    r.nparams = np;
    return r;
}

START_TEST(runs_and_metrics_import_once)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    mlops_import_opts im = origin("mlflow:http://example:5000");
    mlops_kv etags[] = { { "owner", "ann" } };
    int64_t eid = 0, eid2 = 0;
    TU_OK(mlops_experiment_import(s, &im, "exp", 500, etags, 1, &eid));
    TU_OK(mlops_experiment_import(s, &im, "exp", 500, etags, 1, &eid2));
    ck_assert_int_eq(eid, eid2);
    TU_RC(MLOPS_ECONFLICT, mlops_experiment_import(s, &im, "exp", 501, etags, 1, NULL));
    TU_RC(MLOPS_ECONFLICT, mlops_experiment_import(s, &im, "exp", 500, NULL, 0, NULL));

    mlops_kv params[] = { { "lr", "0.01" }, { "depth", "3" } };
    mlops_run_record r = run_record(RUN1, params, 2);
    mlops_kv tags[] = { { "team", "vision" } };
    r.tags = tags;
    r.ntags = 1;
    TU_OK(mlops_run_import(s, &im, &r));
    int64_t events = rt_audit_count(s);
    TU_OK(mlops_run_import(s, &im, &r)); /* same: nothing added */
    ck_assert_int_eq(rt_audit_count(s), events);
    mlops_kv other[] = { { "lr", "0.02" }, { "depth", "3" } };
    mlops_run_record r2 = run_record(RUN1, other, 2);
    r2.tags = tags;
    r2.ntags = 1;
    TU_RC(MLOPS_ECONFLICT, mlops_run_import(s, &im, &r2));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "params"));
    r2 = r;
    r2.status = MLOPS_RUN_FAILED;
    TU_RC(MLOPS_ECONFLICT, mlops_run_import(s, &im, &r2));
    r2 = r;
    r2.experiment = "nope";
    r2.run_id = RUN2;
    TU_RC(MLOPS_ENOTFOUND, mlops_run_import(s, &im, &r2));
    r2 = r;
    r2.run_id = RUN2;
    r2.parent_id = RUN1;
    r2.status = MLOPS_RUN_RUNNING;
    r2.end_ms = 0;
    TU_OK(mlops_run_import(s, &im, &r2));
    r2.end_ms = 7;
    TU_RC(MLOPS_EINVAL, mlops_run_import(s, &im, &r2));

    /* Points keep their own steps and times, into an ended run. */
    mlops_metric pts[300];
    for (int i = 0; i < 300; i++)
        pts[i] = (mlops_metric){ "loss", 1.0 / (i + 1), i, 100000 + 7 * i };
    size_t added = 0;
    TU_OK(mlops_metric_import(s, &im, RUN1, pts, 300, &added));
    ck_assert_uint_eq(added, 300);
    events = rt_audit_count(s);
    TU_OK(mlops_metric_import(s, &im, RUN1, pts, 300, &added));
    ck_assert_uint_eq(added, 0);
    ck_assert_int_eq(rt_audit_count(s), events);
    TU_OK(mlops_metric_import(s, &im, RUN1, pts + 290, 10, &added));
    ck_assert_uint_eq(added, 0);
    mlops_metric_point *got = NULL;
    size_t n = 0;
    TU_OK(mlops_metric_history(s, RUN1, "loss", NULL, &got, &n));
    ck_assert_uint_eq(n, 300);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(got[i].step, (int64_t)i);
        ck_assert_int_eq(got[i].ts_ms, 100000 + 7 * (int64_t)i);
        ck_assert(got[i].value == 1.0 / (double)(i + 1));
    }
    mlops_free(got);
    TU_RC(MLOPS_ENOTFOUND,
          mlops_metric_import(s, &im, "00000000000000000000000000000000", pts, 1, NULL));

    /* Lineage of an ended run: the artifact it wrote. */
    mlops_digest out = rt_put(s, "artifact tree");
    TU_OK(mlops_lineage_import(s, &im, RUN1, MLOPS_LINEAGE_OUTPUT, &out, "model", "model", 4000));
    events = rt_audit_count(s);
    TU_OK(mlops_lineage_import(s, &im, RUN1, MLOPS_LINEAGE_OUTPUT, &out, "model", "model", 4000));
    ck_assert_int_eq(rt_audit_count(s), events);
    TU_RC(MLOPS_ECONFLICT,
          mlops_lineage_import(s, &im, RUN1, MLOPS_LINEAGE_OUTPUT, &out, "model", "data", 4000));
    mlops_digest none = { { 7 } };
    TU_RC(MLOPS_ENOTFOUND,
          mlops_lineage_import(s, &im, RUN1, MLOPS_LINEAGE_INPUT, &none, "x", "data", 1));

    mlops_run_info *ri = NULL;
    TU_OK(mlops_run_get(s, RUN1, &ri));
    ck_assert_int_eq(mlops_run_info_start_ms(ri), 1000);
    ck_assert_int_eq(mlops_run_info_end_ms(ri), 5000);
    ck_assert_int_eq(mlops_run_info_status(ri), MLOPS_RUN_FINISHED);
    ck_assert_str_eq(mlops_run_info_param(ri, "lr"), "0.01");
    ck_assert_int_eq(mlops_run_info_metric(ri, "loss")->count, 300);
    mlops_run_info_free(ri);

    /* Each import that added something is an "import" event naming the
     * origin: the experiment, two runs, the points, the lineage edge. */
    ck_assert_int_eq(count_sql(dir, "SELECT count(*) FROM audit_events WHERE action = 'import' "
                                    "AND new_value = 'mlflow:http://example:5000' "
                                    "AND payload IS NOT NULL"),
                     5);
    ck_assert_int_eq(count_sql(dir, "SELECT count(*) FROM audit_events WHERE action = 'import' "
                                    "AND key = 'run:" "0123456789abcdef0123456789abcdef'"),
                     1);
    TU_OK(mlops_audit_verify(s));

    mlops_import_opts bad = origin(NULL);
    TU_RC(MLOPS_EINVAL, mlops_run_import(s, &bad, &r));
    bad = origin("a\nb");
    TU_RC(MLOPS_EINVAL, mlops_run_import(s, &bad, &r));
    rt_close(s, dir);
}
END_TEST

static mlops_version_record version_record(const char *model, int64_t number, mlops_digest art)
{
    mlops_version_record v;
    TU_OK(mlops_version_record_init(&v, MLOPS_VERSION_RECORD_VERSION));
    v.model = model;
    v.number = number;
    v.artifact = art;
    v.created_ms = 2000 + number;
    v.creator = "bob";
    return v;
}

START_TEST(versions_and_aliases_import_once)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    mlops_import_opts im = origin("bundle:abc");
    mlops_digest a = rt_put(s, "model one"), b = rt_put(s, "model two");
    mlops_kv vt[] = { { "stage", "prod" } };
    mlops_version_record v = version_record("m", 5, a);
    v.tags = vt;
    v.ntags = 1;
    v.description = "imported";
    TU_OK(mlops_version_import(s, &im, &v));
    int64_t events = rt_audit_count(s);
    ck_assert_int_eq(events, 2); /* model.create, version.create */
    TU_OK(mlops_version_import(s, &im, &v));
    ck_assert_int_eq(rt_audit_count(s), events);
    mlops_version_record w = v;
    w.artifact = b;
    TU_RC(MLOPS_ECONFLICT, mlops_version_import(s, &im, &w));
    w = v;
    w.ntags = 0;
    TU_RC(MLOPS_ECONFLICT, mlops_version_import(s, &im, &w));
    w = version_record("m", 2, b);
    TU_OK(mlops_version_import(s, &im, &w));
    mlops_digest missing = { { 9 } };
    w = version_record("m", 3, missing);
    TU_RC(MLOPS_ENOTFOUND, mlops_version_import(s, &im, &w));

    mlops_model_version *mv = NULL;
    TU_OK(mlops_model_version_get(s, "m", 5, &mv));
    ck_assert_mem_eq(mlops_model_version_artifact(mv)->bytes, a.bytes, 32);
    mlops_model_version_free(mv);
    int64_t latest = 0;
    TU_OK(mlops_model_resolve(s, "m@latest", &latest, NULL));
    ck_assert_int_eq(latest, 5);

    /* Alias history, in time order. */
    TU_OK(mlops_alias_import(s, &im, "m", "champion", 2, 3000));
    TU_OK(mlops_alias_import(s, &im, "m", "champion", 5, 4000));
    events = rt_audit_count(s);
    TU_OK(mlops_alias_import(s, &im, "m", "champion", 2, 3000)); /* there already */
    TU_OK(mlops_alias_import(s, &im, "m", "champion", 5, 4000));
    ck_assert_int_eq(rt_audit_count(s), events);
    TU_RC(MLOPS_ECONFLICT, mlops_alias_import(s, &im, "m", "champion", 5, 3000));
    TU_RC(MLOPS_ECONFLICT, mlops_alias_import(s, &im, "m", "champion", 2, 3500));
    TU_RC(MLOPS_ENOTFOUND, mlops_alias_import(s, &im, "m", "champion", 4, 5000));
    TU_RC(MLOPS_EINVAL, mlops_alias_import(s, &im, "m", "latest", 2, 5000));
    int64_t at = 0;
    TU_OK(mlops_model_resolve(s, "m@champion", &at, NULL));
    ck_assert_int_eq(at, 5);
    TU_OK(mlops_alias_import(s, &im, "m", "champion", 0, 6000));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_resolve(s, "m@champion", &at, NULL));
    ck_assert_int_eq(count_sql(dir, "SELECT count(*) FROM audit_events WHERE action IN "
                                    "('alias.set', 'alias.move', 'alias.delete') "
                                    "AND payload IS NOT NULL"),
                     3);
    /* The chain and the state it accounts for verify. */
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

/* A signature made in one store comes into another with its version,
 * and only if it verifies there. */
START_TEST(signatures_import_verified)
{
    char *adir, *bdir;
    mlops_store *a = rt_open(&adir), *b = rt_open(&bdir);
    mlops_import_opts im = origin("bundle:a");
    mlops_digest art = rt_put(a, "signed model"), art_b = rt_put(b, "signed model");
    ck_assert_mem_eq(art.bytes, art_b.bytes, 32);
    mlops_version_record v = version_record("m", 1, art);
    TU_OK(mlops_version_import(a, &im, &v));
    TU_OK(mlops_version_import(b, &im, &v));
    char *priv = NULL, *pub = NULL;
    rt_keypair("ED25519", &priv, &pub);
    TU_OK(mlops_model_version_sign(a, "m", 1, priv, NULL));
    mlops_model_version *mv = NULL;
    TU_OK(mlops_model_version_get(a, "m", 1, &mv));
    unsigned char sig[64];
    int64_t signed_ms = 0;
    TU_OK(mlops_model_version_signature_at(mv, 0, NULL, sig, &signed_ms));
    mlops_model_version_free(mv);

    TU_OK(mlops_signature_import(b, &im, "m", 1, pub, sig, signed_ms, "ann"));
    int64_t events = rt_audit_count(b);
    TU_OK(mlops_signature_import(b, &im, "m", 1, pub, sig, signed_ms, "ann"));
    ck_assert_int_eq(rt_audit_count(b), events);
    TU_OK(mlops_model_version_verify(b, "m", 1, pub));
    TU_RC(MLOPS_ECONFLICT, mlops_signature_import(b, &im, "m", 1, pub, sig, signed_ms + 1, "ann"));
    /* A signature that does not verify here never comes in. */
    unsigned char bad[64];
    memcpy(bad, sig, 64);
    bad[10] ^= 1;
    char *priv2 = NULL, *pub2 = NULL;
    rt_keypair("ED25519", &priv2, &pub2);
    TU_RC(MLOPS_ESIGNATURE, mlops_signature_import(b, &im, "m", 1, pub2, sig, signed_ms, "ann"));
    TU_RC(MLOPS_ESIGNATURE, mlops_signature_import(b, &im, "m", 1, pub2, bad, signed_ms, "ann"));
    TU_OK(mlops_audit_verify(b));
    free(priv);
    free(pub);
    free(priv2);
    free(pub2);
    rt_close(a, adir);
    rt_close(b, bdir);
}
END_TEST

/* A source with a bit of everything. */
/* A NaN with a payload of its own. */
static double copy_nan(void)
{
    uint64_t bits = 0x7ff80000000000abULL;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static void fill(mlops_store *s, const char *tag)
{
    int64_t eid = 0;
    mlops_experiment *e = NULL;
    if (mlops_experiment_get_by_name(s, "train", &e) == MLOPS_OK) {
        eid = mlops_experiment_id(e);
        mlops_experiment_free(e);
    } else {
        TU_OK(mlops_experiment_create(s, "train", &eid));
        TU_OK(mlops_model_create(s, "m"));
    }
    mlops_run *r = NULL;
    TU_OK(mlops_run_start(s, eid, tag, &r));
    TU_OK(mlops_run_log_param(r, "lr", tag));
    mlops_metric pts[200];
    for (int i = 0; i < 200; i++) pts[i] = (mlops_metric){ "loss", 1.0 / (i + 2), i, 1000 + i };
    TU_OK(mlops_run_log_metrics(r, pts, 200));
    TU_OK(mlops_run_set_tag(r, "t", tag));
    mlops_digest d = rt_put(s, tag);
    TU_OK(mlops_run_log_output(r, &d, "model", "model"));
    TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
    char big[300000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (char)((i * 2654435761u) >> 13);
    memcpy(big, tag, strlen(tag));
    mlops_digest bd;
    TU_OK(mlops_blob_put(s, big, sizeof big, &bd));
    TU_OK(mlops_ref_set(s, "data/latest", &bd));
    int64_t v = 0;
    TU_OK(mlops_model_version_create(s, "m", &d, mlops_run_id(r), &v));
    TU_OK(mlops_model_alias_set(s, "m", "champion", v));
    TU_OK(mlops_model_version_tag_set(s, "m", v, "k", tag, NULL));
    /* Every table: lineage, signatures and a signing policy, tags of
     * experiments and models. */
    static char *priv, *pub; /* one key for every store of the run */
    if (!priv) rt_keypair("ED25519", &priv, &pub);
    TU_OK(mlops_model_version_sign(s, "m", v, priv, NULL));
    const char *keys[] = { pub };
    TU_OK(mlops_model_alias_policy_set(s, "m", "prod", keys, 1, NULL));
    TU_OK(mlops_model_alias_set(s, "m", "prod", v));
    TU_OK(mlops_experiment_tag_set(s, eid, "owner", tag));
    TU_OK(mlops_model_tag_set(s, "m", "team", tag, NULL));
    /* An evaluation record (format 3), with a NaN whose payload must survive. */
    const char *names[] = { "auc", "f1" };
    const double values[] = { 0.75, copy_nan() };
    mlops_evaluation_input in = MLOPS_EVALUATION_INPUT_INIT;
    in.n = 2;
    in.names = names;
    in.values = values;
    TU_OK(mlops_evaluation_record(s, "m", v, &bd, &in, NULL, NULL));
    mlops_run_free(r);
}

/* The evaluations of version 1 of m as text, values bit for bit. */
static char *evaluations_text(mlops_store *s)
{
    mlops_evaluations *l = NULL;
    TU_OK(mlops_evaluation_list(s, "m", 1, NULL, &l));
    size_t n = mlops_evaluations_count(l), cap = 256 * (n + 1), used = 0;
    char *out = calloc(1, cap);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < n; i++) {
        const mlops_evaluation *e = mlops_evaluations_at(l, i);
        used += (size_t)snprintf(out + used, cap - used, "%" PRId64 " %" PRId64 " %s",
                                 mlops_evaluation_id(e), mlops_evaluation_created_ms(e),
                                 mlops_evaluation_actor(e));
        for (size_t k = 0; k < mlops_evaluation_metric_count(e); k++) {
            mlops_evaluation_metric m = MLOPS_EVALUATION_METRIC_INIT;
            TU_OK(mlops_evaluation_metric_at(e, k, &m));
            uint64_t bits;
            memcpy(&bits, &m.value, sizeof bits);
            used += (size_t)snprintf(out + used, cap - used, " %s=%016" PRIx64, m.name, bits);
        }
        used += (size_t)snprintf(out + used, cap - used, "\n");
    }
    mlops_evaluations_free(l);
    ck_assert_uint_gt(n, 0);
    return out;
}

static void expect_same_head(mlops_store *a, mlops_store *b)
{
    int64_t sa = 0, sb = 0;
    mlops_digest ha, hb;
    TU_OK(mlops_audit_head(a, &sa, &ha));
    TU_OK(mlops_audit_head(b, &sb, &hb));
    ck_assert_int_gt(sa, 0);
    ck_assert_int_eq(sa, sb);
    ck_assert_mem_eq(ha.bytes, hb.bytes, 32);
    TU_OK(mlops_audit_verify_head(b, sa, &ha, NULL));
}

/* The search results as text: ids, statuses, times, params, metrics. */
static char *search_text(mlops_store *s)
{
    mlops_search_opts o;
    TU_OK(mlops_search_opts_init(&o, MLOPS_SEARCH_OPTS_VERSION));
    o.filter = "metrics.loss < 0.5 AND params.lr != 'zzz'";
    o.order_by = "attributes.start_time DESC";
    mlops_run_info **runs = NULL;
    size_t n = 0;
    char *next = NULL;
    TU_OK(mlops_run_search(s, &o, &runs, &n, &next));
    ck_assert_ptr_null(next);
    size_t cap = 4096 * (n + 1), used = 0;
    char *out = calloc(1, cap);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < n; i++) {
        const mlops_metric_summary *m = mlops_run_info_metric(runs[i], "loss");
        used += (size_t)snprintf(out + used, cap - used,
                                 "%s %d %" PRId64 " %" PRId64 " %s %s %.17g %" PRId64 "\n",
                                 mlops_run_info_id(runs[i]), mlops_run_info_status(runs[i]),
                                 mlops_run_info_start_ms(runs[i]), mlops_run_info_end_ms(runs[i]),
                                 mlops_run_info_param(runs[i], "lr"),
                                 mlops_run_info_tag(runs[i], "t"), m->last, m->count);
    }
    mlops_run_info_list_free(runs, n);
    ck_assert_uint_gt(n, 0);
    return out;
}

static mlops_store_copy_report copy(mlops_store *src, mlops_store *dst, int expect)
{
    mlops_store_copy_report rep;
    TU_OK(mlops_store_copy_report_init(&rep, MLOPS_STORE_COPY_REPORT_VERSION));
    TU_RC(expect, mlops_store_copy(src, dst, NULL, &rep));
    return rep;
}

START_TEST(copy_into_empty_then_earlier_copy)
{
    char *sdir, *ddir;
    mlops_store *src = rt_open_local(&sdir), *dst = rt_open(&ddir);
    fill(src, "one");
    mlops_store_copy_report rep = copy(src, dst, MLOPS_OK);
    int64_t nobj = rt_db_int(sdir, "SELECT count(*) FROM cas_object");
    ck_assert_int_ge(nobj, 2);
    ck_assert_uint_eq(rep.objects_copied, (uint64_t)nobj);
    ck_assert_uint_gt(rep.rows_written, 10);
    ck_assert_uint_eq(rep.events_copied, (uint64_t)rt_audit_count(src));
    expect_same_head(src, dst);
    TU_OK(mlops_audit_verify(dst));

    /* Again: nothing to add. */
    rep = copy(src, dst, MLOPS_OK);
    ck_assert_uint_eq(rep.objects_copied, 0);
    ck_assert_uint_eq(rep.objects_present, (uint64_t)nobj);
    ck_assert_uint_eq(rep.rows_written, 0);
    ck_assert_uint_eq(rep.events_copied, 0);

    /* The source moves on; the copy follows. */
    fill(src, "two");
    rep = copy(src, dst, MLOPS_OK);
    ck_assert_uint_gt(rep.objects_copied, 0);
    ck_assert_uint_gt(rep.events_copied, 0);
    expect_same_head(src, dst);
    char *a = search_text(src), *b = search_text(dst);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    a = evaluations_text(src);
    b = evaluations_text(dst);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    /* Artifacts by digest, verified. */
    mlops_digest ref;
    TU_OK(mlops_ref_get(dst, "data/latest", &ref));
    void *data = NULL;
    size_t len = 0;
    TU_OK(mlops_blob_get(dst, &ref, &data, &len));
    ck_assert_uint_eq(len, 300000);
    ck_assert_mem_eq(data, "two", 3);
    mlops_free(data);
    /* New records in the copy take ids after the copied ones. */
    int64_t eid = 0;
    TU_OK(mlops_experiment_create(dst, "later", &eid));
    int64_t v = 0;
    TU_OK(mlops_model_version_create(dst, "m", &ref, NULL, &v));
    ck_assert_int_eq(v, 3);
    TU_OK(mlops_audit_verify(dst));
    /* The copy has history of its own now: no longer a copy of src. */
    TU_RC(MLOPS_ECONFLICT, mlops_store_copy(src, dst, NULL, NULL));
    rt_close(src, sdir);
    rt_close(dst, ddir);
}
END_TEST

/* Two moves of one alias in one millisecond copy over with the source's
 * head, and a second copy adds nothing. */
START_TEST(copy_keeps_moves_in_one_ms)
{
    char *sdir, *ddir;
    mlops_store *src = rt_open_local(&sdir), *dst = rt_open(&ddir);
    int64_t v = 0;
    TU_OK(mlops_model_create(src, "m"));
    mlops_digest d1 = rt_put(src, "one"), d2 = rt_put(src, "two");
    TU_OK(mlops_model_version_create(src, "m", &d1, NULL, &v));
    TU_OK(mlops_model_version_create(src, "m", &d2, NULL, &v));
    rt_alias_moves_in_one_ms(src, sdir, "m", "champion", 1, 2);
    copy(src, dst, MLOPS_OK);
    expect_same_head(src, dst);
    TU_OK(mlops_audit_verify(dst));
    TU_OK(mlops_model_alias_get(dst, "m", "champion", &v));
    ck_assert_int_eq(v, 2);
    mlops_store_copy_report rep = copy(src, dst, MLOPS_OK);
    ck_assert_uint_eq(rep.rows_written, 0);
    ck_assert_uint_eq(rep.events_copied, 0);
    expect_same_head(src, dst);
    rt_close(src, sdir);
    rt_close(dst, ddir);
}
END_TEST

/* Names are unique, and a source may hand one name from one record to
 * another: experiment 2 renamed away, then experiment 1 renamed to its
 * old name (and the same for models). A copy into an earlier copy updates
 * rows in id order, so experiment 1 took its new name while experiment 2
 * still held it there: the copy failed, and failed again on every rerun. */
START_TEST(copy_follows_names_handed_between_records)
{
    char *sdir, *ddir;
    mlops_store *src = rt_open_local(&sdir), *dst = rt_open(&ddir);
    int64_t e1 = 0, e2 = 0;
    TU_OK(mlops_experiment_create(src, "baseline", &e1));
    TU_OK(mlops_experiment_create(src, "candidate", &e2));
    TU_OK(mlops_model_create(src, "m1"));
    TU_OK(mlops_model_create(src, "m2"));
    copy(src, dst, MLOPS_OK);
    TU_OK(mlops_experiment_rename(src, e2, "old candidate"));
    TU_OK(mlops_experiment_rename(src, e1, "candidate"));
    TU_OK(mlops_model_rename(src, "m2", "m3", NULL));
    TU_OK(mlops_model_rename(src, "m1", "m2", NULL));
    mlops_store_copy_report rep = copy(src, dst, MLOPS_OK);
    ck_assert_uint_eq(rep.rows_written, 4);
    expect_same_head(src, dst);
    TU_OK(mlops_audit_verify(dst));
    mlops_experiment *e = NULL;
    TU_OK(mlops_experiment_get(dst, e1, &e));
    ck_assert_str_eq(mlops_experiment_name(e), "candidate");
    mlops_experiment_free(e);
    TU_OK(mlops_experiment_get(dst, e2, &e));
    ck_assert_str_eq(mlops_experiment_name(e), "old candidate");
    mlops_experiment_free(e);
    mlops_model *m = NULL;
    TU_OK(mlops_model_get(dst, "m2", &m));
    mlops_model_free(m);
    TU_OK(mlops_model_get(dst, "m3", &m));
    mlops_model_free(m);
    TU_RC(MLOPS_ENOTFOUND, mlops_model_get(dst, "m1", &m));
    /* nothing left to do */
    rep = copy(src, dst, MLOPS_OK);
    ck_assert_uint_eq(rep.rows_written, 0);
    rt_close(src, sdir);
    rt_close(dst, ddir);
}
END_TEST

START_TEST(copy_refuses_other_stores)
{
    char *sdir, *odir, *ddir;
    mlops_store *src = rt_open_local(&sdir), *other = rt_open_local(&odir), *dst = rt_open(&ddir);
    fill(src, "one");
    fill(other, "x");
    /* A store with records of its own. */
    TU_RC(MLOPS_ECONFLICT, mlops_store_copy(src, other, NULL, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "neither empty"));
    /* A copy of another source. */
    copy(other, dst, MLOPS_OK);
    TU_RC(MLOPS_ECONFLICT, mlops_store_copy(src, dst, NULL, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "copy of another store"));
    TU_RC(MLOPS_EINVAL, mlops_store_copy(src, src, NULL, NULL));
    mlops_store_copy_opts o = { 0 };
    TU_RC(MLOPS_EINVAL, mlops_store_copy(src, dst, &o, NULL));
    rt_close(src, sdir);
    rt_close(other, odir);
    rt_close(dst, ddir);
}
END_TEST

START_TEST(copy_refuses_forged_history)
{
    char *sdir, *ddir;
    mlops_store *src = rt_open_local(&sdir), *dst = rt_open(&ddir);
    fill(src, "one");
    /* An attacker points the alias elsewhere and rewrites the event, but
     * cannot make its hash: the copy refuses and leaves dst empty. */
    int64_t was = rt_db_int(sdir, "SELECT new_value FROM audit_events WHERE action = 'alias.set'");
    rt_shell(sdir, "UPDATE audit_events SET new_value = '9' WHERE action = 'alias.set'");
    TU_RC(MLOPS_ECORRUPT, mlops_store_copy(src, dst, NULL, NULL));
    ck_assert_int_eq(rt_audit_count(dst), 0);
    /* The failed copy stopped after the objects, as an interrupted one
     * would: with the source whole again, a rerun sends none of them
     * twice and completes the copy. */
    char sql[128];
    snprintf(sql, sizeof sql,
             "UPDATE audit_events SET new_value = '%lld' WHERE action = 'alias.set'",
             (long long)was);
    rt_shell(sdir, sql);
    mlops_store_copy_report rep = copy(src, dst, MLOPS_OK);
    ck_assert_uint_eq(rep.objects_copied, 0);
    ck_assert_uint_eq(rep.objects_present, (uint64_t)rt_db_int(sdir, "SELECT count(*) FROM cas_object"));
    expect_same_head(src, dst);
    rt_close(src, sdir);
    rt_close(dst, ddir);
}
END_TEST

/* local -> the backend under test (PostgreSQL in the _pg run) -> local. */
START_TEST(round_trip_keeps_head_and_search)
{
    char *adir, *bdir, *cdir;
    mlops_store *a = rt_open_local(&adir), *b = rt_open(&bdir), *c = rt_open_local(&cdir);
    fill(a, "one");
    fill(a, "two");
    mlops_import_opts im = origin("mlflow:file:///mlruns");
    mlops_run_record r = run_record(RUN1, NULL, 0);
    mlops_experiment_import(a, &im, "exp", 500, NULL, 0, NULL);
    TU_OK(mlops_run_import(a, &im, &r));
    copy(a, b, MLOPS_OK);
    copy(b, c, MLOPS_OK);
    expect_same_head(a, b);
    expect_same_head(a, c);
    char *sa = search_text(a), *sb = search_text(b), *sc = search_text(c);
    ck_assert_str_eq(sa, sb);
    ck_assert_str_eq(sa, sc);
    free(sa);
    free(sb);
    free(sc);
    TU_OK(mlops_audit_verify(c));
    /* Imports into the middle store then copy on. */
    TU_OK(mlops_run_import(b, &im, &r));
    rt_close(a, adir);
    rt_close(b, bdir);
    rt_close(c, cdir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("import");
    TCase *tc = tcase_create("import");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, runs_and_metrics_import_once);
    tcase_add_test(tc, versions_and_aliases_import_once);
    tcase_add_test(tc, signatures_import_verified);
    tcase_add_test(tc, copy_into_empty_then_earlier_copy);
    tcase_add_test(tc, copy_keeps_moves_in_one_ms);
    tcase_add_test(tc, copy_follows_names_handed_between_records);
    tcase_add_test(tc, copy_refuses_other_stores);
    tcase_add_test(tc, copy_refuses_forged_history);
    tcase_add_test(tc, round_trip_keeps_head_and_search);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
