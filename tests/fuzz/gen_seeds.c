/* Writes the seed corpora of the fuzz targets from the library's own
 * encoders (run by hand when a format changes; the output is committed in
 * tests/fuzz/corpus/). usage: gen_seeds CORPUS_DIR */
#include "cas/manifest.h"
#include "cas/tree_format.h"
#include "monitor/monitor_internal.h"
#include "registry/registry_internal.h"
#include "remote/remote_internal.h"
#include "util/mpack.h"

#include <mlops.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *root;

static void put(const char *target, const char *name, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void put_text(const char *target, const char *name, const char *text)
{
    put(target, name, text, strlen(text));
}

static void must(int rc)
{
    if (rc) {
        fprintf(stderr, "gen_seeds: %s\n", mlops_last_error());
        exit(1);
    }
}

static void digests(void)
{
    put_text("digest", "good", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    put_text("digest", "upper", "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
    put_text("digest", "short", "sha256:e3b0c44298fc1c149afbf4c8996fb924");
    put_text("digest", "prefix", "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void filters(void)
{
    static const char *const f[] = {
        ("metrics.acc > 0.9 AND (params.lr = '0.01' OR params.lr = '0.02') AND tags.team LIKE "
         "'vision%' AND attributes.status = 'FINISHED' AND metrics.loss.min < 0.1"),
        "params.lr IN ('0.01', '0.02') OR NOT tags.team ILIKE 'V%'",
        "metrics.`top-1 acc` IS NOT NULL AND metrics.acc.count >= 2",
        "attributes.run_name IS NULL OR attributes.start_time > 0",
        "params.x = '' OR 1=1 --",
        "params.lr > 0.005\0metrics.acc DESC, params.lr ASC",
        "\0attributes.start_time ASC\0AAAA",
        "((((metrics.acc > 0.1))))",
        "tags.team NOT LIKE '%\\_%' AND metrics.loss.max <= 1e308",
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%zu", i);
        size_t len = strlen(f[i]);
        /* the ones with embedded NULs carry an order and a token */
        if (i == 5) len = strlen(f[i]) + 1 + strlen(f[i] + strlen(f[i]) + 1);
        if (i == 6) len = 1 + strlen(f[i] + 1) + 1 + 4;
        put("filter", name, f[i], len);
    }
}

static void chunk_manifests(void)
{
    mlops__chunk_ref c[3];
    memset(c, 0, sizeof c);
    for (int i = 0; i < 3; i++) {
        c[i].digest.bytes[0] = (unsigned char)i;
        c[i].size = 1000u * (unsigned)(i + 1);
    }
    void *buf;
    size_t len;
    must(mlops__manifest_encode(6000, c, 3, &buf, &len));
    put("chunk_manifest", "three", buf, len);
    free(buf);
    must(mlops__manifest_encode(0, c, 0, &buf, &len));
    put("chunk_manifest", "empty", buf, len);
    free(buf);
}

static void profiles(void)
{
    mlops_profile_opts o = MLOPS_PROFILE_OPTS_INIT;
    o.sketch_k = 16;
    o.freeze_after = 50;
    o.bins = 4;
    o.max_categories = 16;
    double v[300];
    for (int i = 0; i < 300; i++) v[i] = sin(i) * 10;
    v[7] = NAN;
    v[8] = INFINITY;
    size_t counts[] = { 3, 40, 300 };
    for (int k = 0; k < 3; k++) {
        mlops_profile *p;
        must(mlops_profile_new(MLOPS_PROFILE_NUMERIC, &o, &p));
        must(mlops_profile_add(p, v, counts[k]));
        void *buf;
        size_t len;
        must(mlops_profile_serialize(p, &buf, &len));
        char name[16];
        snprintf(name, sizeof name, "numeric%d", k);
        put("profile", name, buf, len);
        mlops_free(buf);
        mlops_profile_free(p);
    }
    const char *cats[40];
    char store[40][8];
    for (int i = 0; i < 40; i++) {
        snprintf(store[i], sizeof store[i], "c%d", i % (i < 20 ? 5 : 23));
        cats[i] = i == 3 ? NULL : i == 5 ? "" : store[i];
    }
    for (int k = 0; k < 2; k++) {
        mlops_profile *p;
        must(mlops_profile_new(MLOPS_PROFILE_CATEGORICAL, &o, &p));
        must(mlops_profile_add_strings(p, cats, k ? 40 : 20));
        void *buf;
        size_t len;
        must(mlops_profile_serialize(p, &buf, &len));
        char name[16];
        snprintf(name, sizeof name, "categorical%d", k);
        put("profile", name, buf, len);
        mlops_free(buf);
        mlops_profile_free(p);
    }
}

static void put_sbuf(const char *target, const char *name, msgpack_sbuffer *sb)
{
    put(target, name, sb->data, sb->size);
    msgpack_sbuffer_destroy(sb);
    msgpack_sbuffer_init(sb);
}

static void audit_events(void)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    /* Format 1 (1.0), as stores written before the migration hold them. */
    mlops__audit_row r = { 1, 1700000000000, "alice", "model.create", 1, "churn", 0,
                           NULL, NULL, "churn", NULL, 1, NULL, 0 };
    must(mlops__audit_encode(&sb, &r));
    put_sbuf("audit_event", "model-create", &sb);
    mlops__audit_row m = { 70000, 1700000123456, "ci-bot", "alias.move", 300, "team/churn", 0,
                           "champion", "11", "12", "better recall on the holdout set", 1, NULL,
                           0 };
    must(mlops__audit_encode(&sb, &m));
    put_sbuf("audit_event", "alias-move", &sb);
    mlops__audit_row n = { 2, -5, "", "version.tag.set", 1, "m", 3, "k", "", "v\u00e9", "", 1,
                           NULL, 0 };
    must(mlops__audit_encode(&sb, &n));
    put_sbuf("audit_event", "negatives", &sb);
    /* Format 2: every kind from here on, with its payload or nil. */
    m.format = 2;
    must(mlops__audit_encode(&sb, &m));
    put_sbuf("audit_event", "v2-alias-move", &sb);
    mlops__audit_row d = { 9, 1700000000001, "bob", "version.delete", 4, "m", 2, NULL,
                           "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                           NULL, NULL, 2, NULL, 0 };
    must(mlops__audit_encode(&sb, &d));
    put_sbuf("audit_event", "v2-version-delete", &sb);
    /* A checkpoint: [public key, signature] and the head before it. Its
     * bytes need not be a real signature: the decoder checks the shape. */
    unsigned char payload[101] = { 0x92, 0xc4, 32 };
    for (int i = 0; i < 32; i++) payload[3 + i] = (unsigned char)(i * 7 + 1);
    payload[35] = 0xc4;
    payload[36] = 64;
    for (int i = 0; i < 64; i++) payload[37 + i] = (unsigned char)(255 - i);
    mlops_digest fp, head;
    must(mlops_digest_compute(payload + 3, 32, &fp));
    must(mlops_digest_compute("head", 4, &head));
    char key[MLOPS_DIGEST_STRLEN], hex[MLOPS_DIGEST_STRLEN], signed_head[100];
    must(mlops_digest_format(&fp, key));
    must(mlops_digest_format(&head, hex));
    snprintf(signed_head, sizeof signed_head, "41:%s", hex);
    mlops__audit_row c = { 42, 1700000000002, "release-bot", "audit.checkpoint", 0, "", 0, key,
                           NULL, signed_head, "nightly", 2, payload, sizeof payload };
    must(mlops__audit_encode(&sb, &c));
    put_sbuf("audit_event", "v2-checkpoint", &sb);
    /* An imported version (doc/format.md, "Imports"). */
    msgpack_sbuffer ip;
    msgpack_sbuffer_init(&ip);
    must(mlops__import_payload_encode(&ip, "mlflow:http://mlflow:5000", 1690000000000, "ann"));
    mlops__audit_row im = { 43, 1700000000003, "importer", "version.create", 2, "churn", 3, NULL,
                            NULL, "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                            NULL, 2, ip.data, ip.size };
    msgpack_sbuffer_clear(&sb);
    must(mlops__audit_encode(&sb, &im));
    put_sbuf("audit_event", "v2-import-version", &sb);
    msgpack_sbuffer_destroy(&ip);

    /* Format 4 stores: a weighted alias's move, with its split payload,
     * and a gate's decision (doc/format.md, "Gates and splits"). */
    msgpack_sbuffer pl;
    msgpack_sbuffer_init(&pl);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &pl, msgpack_sbuffer_write);
    must(msgpack_pack_map(&pk, 1) || mlops__mp_str(&pk, "split") ||
         mlops__mp_str(&pk, "3:90,4:10+shadow:5"));
    mlops__audit_row sm = { 44, 1700000000004, "ci", "alias.move", 2, "churn", 0, "champion",
                            "3", "3", NULL, 2, pl.data, pl.size };
    msgpack_sbuffer_clear(&sb);
    must(mlops__audit_encode(&sb, &sm));
    put_sbuf("audit_event", "v2-alias-split", &sb);
    msgpack_sbuffer_clear(&pl);
    unsigned char ds[32] = { 7 };
    must(msgpack_pack_array(&pk, 6) || mlops__mp_str(&pk, "promote") || mlops__mp_str(&pk, "4") ||
         msgpack_pack_int64(&pk, 3) || msgpack_pack_false(&pk) ||
         msgpack_pack_bin_with_body(&pk, ds, 32) || msgpack_pack_array(&pk, 2) ||
         msgpack_pack_array(&pk, 6) || msgpack_pack_int64(&pk, 4) ||
         mlops__mp_str(&pk, "metrics.auc >= baseline.metrics.auc - 0.005") ||
         mlops__mp_str(&pk, "fail") || msgpack_pack_double(&pk, 0.8) ||
         msgpack_pack_double(&pk, 0.845) ||
         mlops__mp_str(&pk, "metrics.auc is 0.8, needs >= 0.845") || msgpack_pack_array(&pk, 6) ||
         msgpack_pack_int64(&pk, 4) || mlops__mp_str(&pk, "metrics.rows >= 100") ||
         mlops__mp_str(&pk, "fail") || msgpack_pack_nil(&pk) || msgpack_pack_double(&pk, 100) ||
         mlops__mp_str(&pk, "metrics.rows is missing"));
    mlops__audit_row dc = { 45, 1700000000005, "ci", "alias.gate.decision", 2, "churn", 0,
                            "champion", "3", "refused", NULL, 2, pl.data, pl.size };
    msgpack_sbuffer_clear(&sb);
    must(mlops__audit_encode(&sb, &dc));
    put_sbuf("audit_event", "v2-gate-decision", &sb);
    msgpack_sbuffer_destroy(&pl);
}

static void sign_manifests(void)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    mlops__reg_version v;
    memset(&v, 0, sizeof v);
    v.number = 3;
    v.created_ms = 1700000000000;
    memset(v.artifact.bytes, 0xab, 32);
    must(mlops__sign_manifest_encode("churn", &v, NULL, 0, &sb));
    put_sbuf("sign_manifest", "no-run", &sb);
    mlops_digest in[2];
    memset(&in[0], 0x01, sizeof in[0]);
    memset(&in[1], 0xfe, sizeof in[1]);
    v.has_run = 1;
    snprintf(v.run_id, sizeof v.run_id, "0123456789abcdef0123456789abcdef");
    must(mlops__sign_manifest_encode("team/churn", &v, in, 2, &sb));
    put_sbuf("sign_manifest", "with-run", &sb);
}

static void trees(void)
{
    mlops__tree_entry e[3];
    memset(e, 0, sizeof e);
    e[0] = (mlops__tree_entry){ "README.md", MLOPS__ENTRY_FILE, 0644, 120, { { 1 } } };
    e[1] = (mlops__tree_entry){ "bin", MLOPS__ENTRY_DIR, 0755, 0, { { 2 } } };
    e[2] = (mlops__tree_entry){ "latest", MLOPS__ENTRY_SYMLINK, 0777, 6, { { 3 } } };
    mlops__tree_sort(e, 3);
    void *buf;
    size_t len;
    must(mlops__tree_encode(e, 3, &buf, &len));
    put("tree_manifest", "three-kinds", buf, len);
    free(buf);
    must(mlops__tree_encode(e, 0, &buf, &len));
    put("tree_manifest", "empty", buf, len);
    free(buf);
}

/* Schemas: inferred from profiles, and edited to use every check. */
static void schemas(void)
{
    mlops_profile *p[2];
    must(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &p[0]));
    must(mlops_profile_new(MLOPS_PROFILE_CATEGORICAL, NULL, &p[1]));
    double v[5] = { 1.5, -2, NAN, 40, 7 };
    const char *c[5] = { "red", "green", NULL, "blue", "red" };
    must(mlops_profile_add(p[0], v, 5));
    must(mlops_profile_add_strings(p[1], c, 5));
    const char *names[2] = { "amount", "colour" };
    mlops_schema *s;
    must(mlops_schema_infer(2, names, p, NULL, &s));
    mlops_schema_column col = MLOPS_SCHEMA_COLUMN_INIT;
    col.name = "optional \xc3\xa9";
    col.kind = MLOPS_PROFILE_NUMERIC;
    col.checks = MLOPS_SCHEMA_CHECK_RANGE;
    col.min = -INFINITY;
    col.max = 1e9;
    col.out_of_range_max = 0.01;
    must(mlops_schema_column_set(s, &col));
    void *buf;
    size_t len;
    char *json;
    must(mlops_schema_serialize(s, &buf, &len));
    put("schema", "inferred-edited", buf, len);
    must(mlops_schema_to_json(s, &json));
    put_text("schema_json", "inferred-edited.json", json);
    mlops_free(buf);
    mlops_free(json);
    mlops_schema_free(s);
    must(mlops_schema_new(&s));
    must(mlops_schema_serialize(s, &buf, &len));
    put("schema", "empty", buf, len);
    mlops_free(buf);
    mlops_schema_free(s);
    put_text("schema_json", "escapes.json",
             "{\"format\": \"mlops.schema\", \"version\": 1, \"columns\": [\n"
             " {\"name\": \"a\\u00e9\\ud83d\\ude00\", \"kind\": \"categorical\", \"required\": false,\n"
             "  \"categories\": {\"values\": [\"x\\ty\", \"\\\"q\\\"\", \"\"], \"max_unseen_share\": 1e-3}}]}\n");
    mlops_profile_free(p[0]);
    mlops_profile_free(p[1]);
}

/* Splits of weighted aliases: good ones (bare, ordered, unordered, with a
 * shadow, the extremes) and refused ones (whitespace, duplicates, a routed
 * shadow, leading zeros, signs and overflow). */
static void splits(void)
{
    static const char *const t[] = {
        "4",
        "3:90,4:10",
        "4:10,3:80,5:10+shadow:6",
        "3:90, 4:10",
        "9223372036854775807:1,1:99",
        "1:7,2:7,3:7,4:7,5:7,6:7,7:7,8:7,9:7,10:7,11:7,12:7,13:7,14:7,15:1,16:1",
        "3:50,3:50",
        "3:90,4:10+shadow:4",
        "03:090,4",
        "3:101,4:-1+",
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%zu", i);
        put_text("split", name, t[i]);
    }
}

/* Bundles: whole files exported from a throwaway store (a model version
 * with its run, metrics, lineage, a signature and an alias; a bare blob),
 * in the version the writer writes (2, with frame checksums). The
 * version-1 seeds beside them (model_v1, blob_v1) were written by the
 * version-1 writer and are kept by hand: no writer makes them any more,
 * and test_bundle imports model_v1 as its version-1 bundle. */
static void put_file(const char *target, const char *name, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    static unsigned char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    put(target, name, buf, n);
    remove(path);
}

static void bundles(void)
{
    char dir[] = "/tmp/gen_seeds_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    char store[64], path[96];
    snprintf(store, sizeof store, "%s/s", dir);
    snprintf(path, sizeof path, "%s/b.mlb", dir);
    mlops_store *s = NULL;
    must(mlops_store_open(store, NULL, &s));
    mlops_digest in, out;
    must(mlops_blob_put(s, "input rows", 10, &in));
    must(mlops_blob_put(s, "model weights", 13, &out));
    int64_t exp = 0, v = 0;
    must(mlops_experiment_create(s, "e", &exp));
    mlops_run *run = NULL;
    must(mlops_run_start(s, exp, "train", &run));
    must(mlops_run_log_param(run, "lr", "0.1"));
    must(mlops_run_log_metric(run, "loss", 0.5, 1, 1000));
    must(mlops_run_log_metric(run, "loss", 0.25, 2, 2000));
    must(mlops_run_log_input(run, &in, "train.csv", "dataset"));
    must(mlops_run_log_output(run, &out, "model.bin", "model"));
    must(mlops_model_create(s, "m"));
    must(mlops_model_version_create(s, "m", &out, mlops_run_id(run), &v));
    must(mlops_run_end(run, MLOPS_RUN_FINISHED));
    mlops_run_free(run);
    must(mlops_model_alias_set(s, "m", "prod", v));
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    BIO *b = BIO_new(BIO_s_mem());
    char *pem = NULL;
    if (!k || !b || !PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)) exit(1);
    long n = BIO_get_mem_data(b, &pem);
    char *priv = calloc(1, (size_t)n + 1);
    memcpy(priv, pem, (size_t)n);
    must(mlops_model_version_sign(s, "m", v, priv, NULL));
    free(priv);
    BIO_free(b);
    EVP_PKEY_free(k);
    const char *sel[] = { "model:m@prod" };
    must(mlops_bundle_export(s, path, sel, 1, NULL));
    put_file("bundle", "model", path);
    char dsel[80];
    mlops_digest_format(&in, dsel);
    const char *dsels[] = { dsel };
    must(mlops_bundle_export(s, path, dsels, 1, NULL));
    put_file("bundle", "blob", path);
    mlops_store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) exit(1);
}

/* Packed windows (one of two columns, two of one) and judged figures. */
static void monitor_windows(void)
{
    mlops_profile_opts o = MLOPS_PROFILE_OPTS_INIT;
    o.sketch_k = 16;
    o.freeze_after = 10;
    o.bins = 4;
    o.max_categories = 16;
    double v[40];
    for (int i = 0; i < 40; i++) v[i] = cos(i) * 3;
    const char *cats[] = { "a", "b", NULL, "a" };
    mlops_profile *px, *pc;
    must(mlops_profile_new(MLOPS_PROFILE_NUMERIC, &o, &px));
    must(mlops_profile_new(MLOPS_PROFILE_CATEGORICAL, &o, &pc));
    must(mlops_profile_add(px, v, 40));
    must(mlops_profile_add_strings(pc, cats, 4));
    void *bufs[2];
    size_t lens[2];
    must(mlops_profile_serialize(px, &bufs[0], &lens[0]));
    must(mlops_profile_serialize(pc, &bufs[1], &lens[1]));
    /* One window of two columns; two windows of one column. */
    void *ents[2], *out;
    size_t elens[2], len;
    must(mlops__monitor_pack_entry("gen_seeds", 3600000, bufs, lens, 2, &ents[0], &elens[0]));
    must(mlops__monitor_pack_windows("gen_seeds", ents, elens, 1, &out, &len));
    put("monitor_window", "windows1", out, len);
    free(out);
    free(ents[0]);
    must(mlops__monitor_pack_entry("gen_seeds", 0, bufs, lens, 1, &ents[0], &elens[0]));
    must(mlops__monitor_pack_entry("gen_seeds", 7200000, bufs + 1, lens + 1, 1, &ents[1], &elens[1]));
    must(mlops__monitor_pack_windows("gen_seeds", ents, elens, 2, &out, &len));
    put("monitor_window", "windows2", out, len);
    free(out);
    free(ents[0]);
    free(ents[1]);
    mlops_free(bufs[0]);
    mlops_free(bufs[1]);
    mlops_profile_free(px);
    mlops_profile_free(pc);
    double stat[2] = { 0.25, NAN }, p[2] = { 0.5, NAN };
    int drifted[2] = { 0, 1 };
    unsigned char j[64];
    mlops__monitor_pack_judged(stat, p, drifted, 2, j);
    put("monitor_window", "judged2", j, mlops__monitor_judged_len(2));
}

/* Packs (lib/remote/pack.c): the first byte says what follows (1: a
 * whole pack, 0: its index record). */
static void packs(void)
{
    for (size_t count = 0; count <= 3; count += 3) {
        mlops__pack_builder b;
        must(mlops__pack_begin(&b));
        for (size_t i = 0; i < count; i++) {
            unsigned char obj[40];
            memset(obj, (int)('a' + i), sizeof obj);
            mlops_digest d;
            memset(d.bytes, (int)i + 1, sizeof d.bytes);
            must(mlops__pack_add(&b, &d, obj, 20 + 10 * i));
        }
        must(mlops__pack_finish(&b));
        unsigned char *w = malloc(b.len + 1), *x = malloc(b.idxlen + 1);
        w[0] = 1;
        memcpy(w + 1, b.buf, b.len);
        x[0] = 0;
        memcpy(x + 1, b.idx, b.idxlen);
        put("pack", count ? "whole3" : "whole0", w, b.len + 1);
        put("pack", count ? "index3" : "index0", x, b.idxlen + 1);
        free(w);
        free(x);
        mlops__pack_builder_free(&b);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_seeds CORPUS_DIR\n");
        return 2;
    }
    root = argv[1];
    mkdir(root, 0755);
    digests();
    filters();
    chunk_manifests();
    profiles();
    audit_events();
    trees();
    sign_manifests();
    schemas();
    splits();
    bundles();
    monitor_windows();
    packs();
    return 0;
}
