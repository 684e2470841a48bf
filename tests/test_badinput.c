/* The bad-input table: every public function (every symbol of
 * lib/libmlops.map: the test fails when one is missing from the table)
 * called with NULL pointers, empty strings, invalid UTF-8, over-long
 * strings, SIZE_MAX sizes, negative numbers and NaN where they are not
 * allowed. Each call must return its documented error code and set a new
 * message, and the store must stay byte for byte as it was (every file but
 * SQLite's shared-memory index, compared before and after each function's
 * calls). The sanitizer build runs it under LeakSanitizer: nothing leaks.
 * It prints "# figure:" with the functions x bad inputs it ran. */
#include "testutil.h"
#include "tu_db.h"
#include "util/err.h"

#include <limits.h>
#include <mlops.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- coverage: which public functions were called --------------------- */

#define MAX_FUNCS 512
static const char *covered[MAX_FUNCS];
static size_t ncovered;
static long ncalls;

static void cover(const char *fn)
{
    for (size_t i = 0; i < ncovered; i++)
        if (!strcmp(covered[i], fn)) return;
    ck_assert_uint_lt(ncovered, MAX_FUNCS);
    covered[ncovered++] = fn;
}

/* A fresh sentinel message before each call, so that a call that fails
 * without setting its own message is caught. */
static void arm(void)
{
    mlops__err(MLOPS_EINVAL, "sentinel");
}

static void check_rc(const char *fn, const char *what, int line, int expect, int rc)
{
    cover(fn);
    ncalls++;
    ck_assert_msg(rc == expect, "line %d: %s with %s -> %d, documented %d (%s)", line, fn, what, rc,
                  expect, mlops_last_error());
    if (rc != MLOPS_OK)
        ck_assert_msg(strcmp(mlops_last_error(), "sentinel") != 0 && mlops_last_error()[0],
                      "line %d: %s with %s set no message", line, fn, what);
}

/* BAD(fn, what, expected code, (args)) */
#define BAD(fn, what, expect, args)                               \
    do {                                                          \
        arm();                                                    \
        check_rc(#fn, what, __LINE__, (expect), fn args);         \
    } while (0)

/* Functions that return a value rather than a code: RET(fn, what, expected value, (args)). */
#define RET(fn, what, expect, args)                                                          \
    do {                                                                                     \
        cover(#fn);                                                                          \
        ncalls++;                                                                            \
        ck_assert_msg((expect) == fn args, "line %d: %s with %s returned another value",      \
                      __LINE__, #fn, what);                                                  \
    } while (0)

/* Releases and other void functions: they must accept NULL. */
#define VOID(fn, what, args) \
    do {                     \
        cover(#fn);          \
        ncalls++;            \
        fn args;             \
    } while (0)

/* ---- store snapshot -------------------------------------------------------- */

typedef struct snap_file {
    char *rel;
    off_t size;
    mlops_digest hash;
} snap_file;

typedef struct snap {
    snap_file *f;
    size_t n, cap;
} snap;

static void snap_add(snap *sn, const char *rel, off_t size, const void *data, size_t n)
{
    if (sn->n == sn->cap) {
        sn->cap = sn->cap ? 2 * sn->cap : 64;
        sn->f = realloc(sn->f, sn->cap * sizeof *sn->f);
    }
    snap_file *f = &sn->f[sn->n++];
    f->rel = strdup(rel);
    f->size = size;
    mlops_digest_compute(data, n, &f->hash);
}

static void snap_dir(snap *sn, const char *root, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        /* SQLite's shared-memory WAL index changes on reads by design. */
        if (!strcmp(e->d_name, "mlops.db-shm")) continue;
        /* The S3 objects' read cache is not the store: a refused call may
         * have read (and so cached) an object before it refused. */
        if (!rel[0] && !strcmp(e->d_name, "cache") && tu_objects_s3()) continue;
        char sub[4096], full[8192];
        snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        ck_assert_int_eq(lstat(full, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            snap_dir(sn, root, sub);
            continue;
        }
        int fd = open(full, O_RDONLY);
        ck_assert_int_ge(fd, 0);
        char *buf = malloc((size_t)st.st_size + 1);
        ck_assert_int_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
        close(fd);
        snap_add(sn, sub, st.st_size, buf, (size_t)st.st_size);
        free(buf);
    }
    closedir(d);
}

static int by_rel(const void *a, const void *b)
{
    return strcmp(((const snap_file *)a)->rel, ((const snap_file *)b)->rel);
}

/* A PostgreSQL store's database is not in its directory: every table's
 * rows, as text in a fixed order, stand for its bytes ("db:<table>"). */
static void snap_database(snap *sn, const char *dir)
{
    tu_db *db = tu_db_open(dir);
    int64_t ntables = tu_db_int(db, "SELECT count(*) FROM pg_catalog.pg_tables "
                                    "WHERE schemaname = current_schema()");
    ck_assert_int_gt(ntables, 0);
    for (int64_t i = 0; i < ntables; i++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                 "ORDER BY tablename LIMIT 1 OFFSET %lld", (long long)i);
        char *table = tu_db_text(db, sql);
        ck_assert_ptr_nonnull(table);
        snprintf(sql, sizeof sql,
                 "SELECT coalesce(string_agg(CAST(t AS TEXT), '|' ORDER BY CAST(t AS TEXT)), '') "
                 "FROM %s t", table);
        char *rows = tu_db_text(db, sql);
        char rel[300];
        snprintf(rel, sizeof rel, "db:%s", table);
        snap_add(sn, rel, rows ? (off_t)strlen(rows) : 0, rows ? rows : "", rows ? strlen(rows) : 0);
        free(rows);
        free(table);
    }
    tu_db_close(db);
}

static snap snapshot(const char *dir)
{
    snap sn = { NULL, 0, 0 };
    snap_dir(&sn, dir, "");
    if (tu_backend_postgres()) snap_database(&sn, dir);
    qsort(sn.f, sn.n, sizeof *sn.f, by_rel);
    return sn;
}

static void snap_free(snap *sn)
{
    for (size_t i = 0; i < sn->n; i++) free(sn->f[i].rel);
    free(sn->f);
}

/* The store must be as it was. */
static void same_store(const char *dir, snap *before, const char *group)
{
    snap after = snapshot(dir);
    ck_assert_msg(after.n == before->n, "%s: the store now has %zu files, had %zu", group, after.n,
                  before->n);
    for (size_t i = 0; i < after.n; i++) {
        ck_assert_msg(!strcmp(after.f[i].rel, before->f[i].rel), "%s: %s appeared", group,
                      after.f[i].rel);
        ck_assert_msg(after.f[i].size == before->f[i].size &&
                          !memcmp(&after.f[i].hash, &before->f[i].hash, sizeof after.f[i].hash),
                      "%s: %s changed", group, after.f[i].rel);
    }
    snap_free(&after);
}

/* ---- inputs ---------------------------------------------------------------- */

static const char BAD_UTF8[] = "caf\xc3\x28 \xff";
static char *LONG; /* 70,000 'a': over every length limit */
static const char *const BAD_STRINGS[] = { "", BAD_UTF8, NULL /* LONG, set at start */ };

/* What the tests share: a store with an experiment, a run, a model with two
 * versions and an alias, a blob and a profile. */
static char *dir, *store_dir;
static mlops_store *S;
static mlops_run *R;
static int64_t EXP;
static mlops_digest D, UNKNOWN, TREE;
static char RUN_ID[33], ENDED_RUN[33];
static int64_t EVAL_ID; /* an evaluation of m/1 on D */
static char *PRIV_PEM, *PUB_PEM;
static char *EC_PEM, *EC_PUB_PEM; /* a P-256 key pair: not Ed25519 */

static void setup_store(void)
{
    LONG = malloc(70001);
    memset(LONG, 'a', 70000);
    LONG[70000] = '\0';
    dir = tu_tmpdir();
    store_dir = tu_store_dir(dir, "store");
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    TU_OK(mlops_store_open(store_dir, &o, &S));
    TU_OK(mlops_experiment_create(S, "exp", &EXP));
    TU_OK(mlops_run_start(S, EXP, "run", &R));
    snprintf(RUN_ID, sizeof RUN_ID, "%s", mlops_run_id(R));
    TU_OK(mlops_run_log_param(R, "lr", "0.1"));
    TU_OK(mlops_run_log_metric(R, "loss", 0.5, 1, 1000));
    TU_OK(mlops_blob_put(S, "model bytes", 11, &D));
    memset(&UNKNOWN, 0x5a, sizeof UNKNOWN);
    TU_OK(mlops_run_log_output(R, &D, "model", "model"));
    char *tree_dir = tu_path(dir, "tree");
    ck_assert_int_eq(mkdir(tree_dir, 0755), 0);
    char *tree_file = tu_path(tree_dir, "f");
    tu_write_file(tree_file, "x", 1);
    TU_OK(mlops_tree_put(S, tree_dir, 0, &TREE));
    TU_OK(mlops_ref_set(S, "main", &TREE));
    free(tree_file);
    free(tree_dir);
    TU_OK(mlops_model_create(S, "m"));
    int64_t v;
    TU_OK(mlops_model_version_create(S, "m", &D, RUN_ID, &v));
    TU_OK(mlops_model_version_create(S, "m", &D, NULL, &v));
    TU_OK(mlops_model_alias_set(S, "m", "champion", 1));
    {
        const char *names[] = { "auc" };
        const double values[] = { 0.5 };
        mlops_evaluation_input in = MLOPS_EVALUATION_INPUT_INIT;
        in.n = 1;
        in.names = names;
        in.values = values;
        TU_OK(mlops_evaluation_record(S, "m", 1, &D, &in, NULL, &EVAL_ID));
    }
    /* An Ed25519 key pair from the openssl command line tool. */
    char *key = tu_path(dir, "key.pem"), *pub = tu_path(dir, "pub.pem");
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "openssl genpkey -algorithm ed25519 -out '%s' 2>/dev/null && "
             "openssl pkey -in '%s' -pubout -out '%s' 2>/dev/null",
             key, key, pub);
    ck_assert_int_eq(system(cmd), 0);
    FILE *f = fopen(key, "r");
    PRIV_PEM = calloc(1, 4096);
    ck_assert_int_gt(fread(PRIV_PEM, 1, 4095, f), 0);
    fclose(f);
    f = fopen(pub, "r");
    PUB_PEM = calloc(1, 4096);
    ck_assert_int_gt(fread(PUB_PEM, 1, 4095, f), 0);
    fclose(f);
    free(key);
    free(pub);
    TU_OK(mlops_model_version_sign(S, "m", 1, PRIV_PEM, NULL));
    int64_t exp2;
    TU_OK(mlops_experiment_create(S, "exp2", &exp2));
    TU_OK(mlops_model_create(S, "m2"));
    TU_OK(mlops_model_version_create(S, "m2", &D, NULL, &v));
    TU_OK(mlops_model_alias_set(S, "m2", "champion", v));
    mlops_run *ended;
    TU_OK(mlops_run_start(S, EXP, "ended", &ended));
    snprintf(ENDED_RUN, sizeof ENDED_RUN, "%s", mlops_run_id(ended));
    TU_OK(mlops_run_end(ended, MLOPS_RUN_FINISHED));
    mlops_run_free(ended);
    char *ec = tu_path(dir, "ec.pem");
    snprintf(cmd, sizeof cmd,
             "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '%s' 2>/dev/null && "
             "openssl pkey -in '%s' -pubout -out '%s.pub' 2>/dev/null", ec, ec, ec);
    ck_assert_int_eq(system(cmd), 0);
    f = fopen(ec, "r");
    EC_PEM = calloc(1, 4096);
    ck_assert_int_gt(fread(EC_PEM, 1, 4095, f), 0);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s.pub", ec);
    f = fopen(cmd, "r");
    EC_PUB_PEM = calloc(1, 4096);
    ck_assert_int_gt(fread(EC_PUB_PEM, 1, 4095, f), 0);
    fclose(f);
    free(ec);
}

static void teardown_store(void)
{
    mlops_run_free(R);
    mlops_store_close(S);
    tu_rmrf(dir);
    free(store_dir);
    free(dir);
    free(LONG);
    free(PRIV_PEM);
    free(PUB_PEM);
    free(EC_PEM);
    free(EC_PUB_PEM);
}

/* Functions with no input: there is nothing bad to give them. */
#define NOINPUT(fn, args) \
    do {                  \
        cover(#fn);       \
        (void)fn args;    \
    } while (0)

static uint8_t BUF[64];

/* ---- common.h, store.h -------------------------------------------------- */

static void common_and_store(void)
{
    snap b = snapshot(store_dir);
    mlops_digest d;
    char text[MLOPS_DIGEST_STRLEN];
    NOINPUT(mlops_version, ());
    NOINPUT(mlops_version_number, ());
    NOINPUT(mlops_last_error, ());
    cover("mlops_strerror");
    ck_assert_str_eq(mlops_strerror(-1), "unknown error");
    ck_assert_str_eq(mlops_strerror(9999), "unknown error");
    ck_assert_str_eq(mlops_strerror(INT32_MIN), "unknown error");
    ncalls += 3;
    VOID(mlops_free, "NULL", (NULL));

    BAD(mlops_digest_parse, "NULL text", MLOPS_EINVAL, (NULL, &d));
    BAD(mlops_digest_parse, "NULL out", MLOPS_EINVAL, ("sha256:00", NULL));
    BAD(mlops_digest_parse, "empty", MLOPS_EINVAL, ("", &d));
    BAD(mlops_digest_parse, "invalid UTF-8", MLOPS_EINVAL, (BAD_UTF8, &d));
    BAD(mlops_digest_parse, "over-long", MLOPS_EINVAL, (LONG, &d));
    BAD(mlops_digest_parse, "upper case", MLOPS_EINVAL,
        ("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", &d));
    BAD(mlops_digest_parse, "63 digits", MLOPS_EINVAL,
        ("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", &d));
    BAD(mlops_digest_format, "NULL digest", MLOPS_EINVAL, (NULL, text));
    BAD(mlops_digest_format, "NULL out", MLOPS_EINVAL, (&D, NULL));
    BAD(mlops_digest_compute, "NULL data", MLOPS_EINVAL, (NULL, 1, &d));
    BAD(mlops_digest_compute, "NULL out", MLOPS_EINVAL, (BUF, 1, NULL));
    BAD(mlops_digest_compute, "SIZE_MAX size", MLOPS_EINVAL, (BUF, SIZE_MAX, &d));
    BAD(mlops_set_thread_limit, "257 threads", MLOPS_EINVAL, (257u));
    BAD(mlops_set_thread_limit, "UINT_MAX threads", MLOPS_EINVAL, (UINT_MAX));
    RET(mlops_thread_limit, "a refused limit", 0u, ()); /* unchanged by the refusals */

    mlops_store_opts o;
    BAD(mlops_store_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_STORE_OPTS_VERSION));
    BAD(mlops_store_opts_init, "version 0", MLOPS_EINVAL, (&o, 0));
    BAD(mlops_store_opts_init, "future version", MLOPS_EINVAL, (&o, 999));
    mlops_store *s2 = (mlops_store *)&o;
    BAD(mlops_store_open, "NULL path", MLOPS_EINVAL, (NULL, NULL, &s2));
    ck_assert_ptr_eq(s2, (mlops_store *)&o); /* no out: untouched */
    BAD(mlops_store_open, "NULL out", MLOPS_EINVAL, (store_dir, NULL, NULL));
    BAD(mlops_store_open, "empty path", MLOPS_EINVAL, ("", NULL, &s2));
    ck_assert_ptr_null(s2);
    BAD(mlops_store_open, "over-long path", MLOPS_EIO, (LONG, NULL, &s2));
    /* A file of the store: its database, or the mlops.conf naming it. */
    char *db = tu_path(store_dir, tu_backend_postgres() ? "mlops.conf" : "mlops.db");
    BAD(mlops_store_open, "a file as the store", MLOPS_EFORMAT, (db, NULL, &s2));
    free(db);
    mlops_store_opts bad = MLOPS_STORE_OPTS_INIT;
    bad.version = 0;
    BAD(mlops_store_open, "options version 0", MLOPS_EINVAL, (store_dir, &bad, &s2));
    bad = (mlops_store_opts)MLOPS_STORE_OPTS_INIT;
    bad.durability = -1;
    BAD(mlops_store_open, "negative durability", MLOPS_EINVAL, (store_dir, &bad, &s2));
    bad = (mlops_store_opts)MLOPS_STORE_OPTS_INIT;
    bad.compression_level = 0;
    BAD(mlops_store_open, "compression level 0", MLOPS_EINVAL, (store_dir, &bad, &s2));
    bad = (mlops_store_opts)MLOPS_STORE_OPTS_INIT;
    bad.chunk_max_size = UINT32_MAX;
    BAD(mlops_store_open, "UINT32_MAX chunk size", MLOPS_EINVAL, (store_dir, &bad, &s2));
    bad = (mlops_store_opts)MLOPS_STORE_OPTS_INIT;
    bad.threads = UINT32_MAX;
    BAD(mlops_store_open, "UINT32_MAX threads", MLOPS_EINVAL, (store_dir, &bad, &s2));
    bad = (mlops_store_opts)MLOPS_STORE_OPTS_INIT;
    bad.actor = "";
    BAD(mlops_store_open, "empty actor", MLOPS_EINVAL, (store_dir, &bad, &s2));
    bad.actor = BAD_UTF8;
    BAD(mlops_store_open, "invalid UTF-8 actor", MLOPS_EINVAL, (store_dir, &bad, &s2));
    bad.actor = LONG;
    BAD(mlops_store_open, "over-long actor", MLOPS_EINVAL, (store_dir, &bad, &s2));
    mlops_store_location loc;
    BAD(mlops_store_location_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_STORE_LOCATION_VERSION));
    BAD(mlops_store_location_init, "version 0", MLOPS_EINVAL, (&loc, 0));
    BAD(mlops_store_location_init, "future version", MLOPS_EINVAL, (&loc, 999));
    loc = (mlops_store_location)MLOPS_STORE_LOCATION_INIT;
    BAD(mlops_store_create, "NULL dir", MLOPS_EINVAL, (NULL, &loc, NULL, &s2));
    BAD(mlops_store_create, "empty dir", MLOPS_EINVAL, ("", &loc, NULL, &s2));
    BAD(mlops_store_create, "an existing store", MLOPS_EEXIST, (store_dir, &loc, NULL, &s2));
    BAD(mlops_store_create, "over-long dir", MLOPS_EIO, (LONG, NULL, NULL, NULL));
    loc.version = 0;
    BAD(mlops_store_create, "location version 0", MLOPS_EINVAL, (store_dir, &loc, NULL, &s2));
    loc = (mlops_store_location)MLOPS_STORE_LOCATION_INIT;
    loc.metadata = "";
    BAD(mlops_store_create, "empty metadata", MLOPS_EINVAL, (store_dir, &loc, NULL, &s2));
    loc.metadata = "postgresql://db.invalid/x";
    loc.schema = "Bad-Name";
    BAD(mlops_store_create, "a schema name needing quotes", MLOPS_EINVAL, (store_dir, &loc, NULL, &s2));
    loc.schema = "pg_catalog";
    BAD(mlops_store_create, "a reserved schema", MLOPS_EINVAL, (store_dir, &loc, NULL, &s2));
    loc.schema = "";
    BAD(mlops_store_create, "empty schema", MLOPS_EINVAL, (store_dir, &loc, NULL, &s2));
    BAD(mlops_store_open_location, "NULL loc", MLOPS_EINVAL, (NULL, NULL, &s2));
    loc = (mlops_store_location)MLOPS_STORE_LOCATION_INIT;
    BAD(mlops_store_open_location, "NULL out", MLOPS_EINVAL, (&loc, NULL, NULL));
    BAD(mlops_store_open_location, "no metadata", MLOPS_EINVAL, (&loc, NULL, &s2));
    loc.version = 0;
    BAD(mlops_store_open_location, "location version 0", MLOPS_EINVAL, (&loc, NULL, &s2));
    loc = (mlops_store_location)MLOPS_STORE_LOCATION_INIT;
    loc.metadata = "postgresql://db.invalid/x";
    loc.schema = "9lives";
    BAD(mlops_store_open_location, "a schema starting with a digit", MLOPS_EINVAL, (&loc, NULL, &s2));
    bad = (mlops_store_opts)MLOPS_STORE_OPTS_INIT;
    bad.read_only = 1;
    BAD(mlops_store_create, "read-only", MLOPS_EINVAL, (store_dir, NULL, &bad, &s2));
    bad = (mlops_store_opts)MLOPS_STORE_OPTS_INIT;
    bad.create_if_missing = 0;
    char *missing = tu_path(dir, "no-store");
    BAD(mlops_store_open, "missing, no creation", MLOPS_ENOTFOUND, (missing, &bad, &s2));
    free(missing);
    VOID(mlops_store_close, "NULL", (NULL));
    RET(mlops_store_path, "NULL", NULL, (NULL));
    int fv;
    BAD(mlops_store_format_version, "NULL store", MLOPS_EINVAL, (NULL, &fv));
    BAD(mlops_store_format_version, "NULL out", MLOPS_EINVAL, (S, NULL));
    same_store(store_dir, &b, "common.h and store.h");
    snap_free(&b);
}

/* ---- cas.h ------------------------------------------------------------------ */

static void cas(void)
{
    snap b = snapshot(store_dir);
    mlops_digest d;
    void *data = NULL;
    size_t len = 0, got = 0;
    BAD(mlops_blob_put, "NULL store", MLOPS_EINVAL, (NULL, BUF, 1, &d));
    BAD(mlops_blob_put, "NULL data", MLOPS_EINVAL, (S, NULL, 1, &d));
    BAD(mlops_blob_put, "NULL out", MLOPS_EINVAL, (S, BUF, 1, NULL));
    BAD(mlops_blob_put, "SIZE_MAX size", MLOPS_EINVAL, (S, BUF, SIZE_MAX, &d));
    BAD(mlops_blob_get, "NULL store", MLOPS_EINVAL, (NULL, &D, &data, &len));
    BAD(mlops_blob_get, "NULL digest", MLOPS_EINVAL, (S, NULL, &data, &len));
    BAD(mlops_blob_get, "NULL data", MLOPS_EINVAL, (S, &D, NULL, &len));
    BAD(mlops_blob_get, "NULL len", MLOPS_EINVAL, (S, &D, &data, NULL));
    BAD(mlops_blob_get, "unknown digest", MLOPS_ENOTFOUND, (S, &UNKNOWN, &data, &len));
    ck_assert_ptr_null(data);

    BAD(mlops_blob_put_file, "NULL store", MLOPS_EINVAL, (NULL, "x", &d));
    BAD(mlops_blob_put_file, "NULL path", MLOPS_EINVAL, (S, NULL, &d));
    BAD(mlops_blob_put_file, "NULL out", MLOPS_EINVAL, (S, "x", NULL));
    BAD(mlops_blob_put_file, "empty path", MLOPS_ENOTFOUND, (S, "", &d));
    BAD(mlops_blob_put_file, "over-long path", MLOPS_EIO, (S, LONG, &d));
    BAD(mlops_blob_put_file, "a directory", MLOPS_EINVAL, (S, dir, &d));
    char *missing = tu_path(dir, "missing-file");
    BAD(mlops_blob_put_file, "missing file", MLOPS_ENOTFOUND, (S, missing, &d));

    char *exists = tu_path(dir, "key.pem");
    BAD(mlops_blob_get_file, "NULL store", MLOPS_EINVAL, (NULL, &D, missing));
    BAD(mlops_blob_get_file, "NULL digest", MLOPS_EINVAL, (S, NULL, missing));
    BAD(mlops_blob_get_file, "NULL path", MLOPS_EINVAL, (S, &D, NULL));
    BAD(mlops_blob_get_file, "unknown digest", MLOPS_ENOTFOUND, (S, &UNKNOWN, missing));
    BAD(mlops_blob_get_file, "existing target", MLOPS_EEXIST, (S, &D, exists));
    BAD(mlops_blob_get_file, "missing directory", MLOPS_ENOTFOUND, (S, &D, "/no/such/dir/f"));
    BAD(mlops_blob_get_file_ex, "unknown flags", MLOPS_EINVAL, (S, &D, missing, 0x80u));
    BAD(mlops_blob_get_file_ex, "replacing a directory", MLOPS_EINVAL,
        (S, &D, dir, MLOPS_GET_REPLACE));
    BAD(mlops_blob_get_file_ex, "NULL path", MLOPS_EINVAL, (S, &D, NULL, MLOPS_GET_REPLACE));
    free(exists);
    ck_assert_int_ne(access(missing, F_OK), 0);
    free(missing);

    BAD(mlops_blob_read_at, "NULL store", MLOPS_EINVAL, (NULL, &D, 0, BUF, 4, &got));
    BAD(mlops_blob_read_at, "NULL digest", MLOPS_EINVAL, (S, NULL, 0, BUF, 4, &got));
    BAD(mlops_blob_read_at, "NULL buffer", MLOPS_EINVAL, (S, &D, 0, NULL, 4, &got));
    BAD(mlops_blob_read_at, "NULL got", MLOPS_EINVAL, (S, &D, 0, BUF, 4, NULL));
    BAD(mlops_blob_read_at, "unknown digest", MLOPS_ENOTFOUND, (S, &UNKNOWN, 0, BUF, 4, &got));
    BAD(mlops_blob_read_at, "SIZE_MAX length", MLOPS_EINVAL, (S, &UNKNOWN, 0, BUF, SIZE_MAX, &got));

    mlops_blob_writer *w = NULL;
    BAD(mlops_blob_writer_open, "NULL store", MLOPS_EINVAL, (NULL, &w));
    BAD(mlops_blob_writer_open, "NULL out", MLOPS_EINVAL, (S, NULL));
    BAD(mlops_blob_writer_write, "NULL writer", MLOPS_EINVAL, (NULL, BUF, 1));
    TU_OK(mlops_blob_writer_open(S, &w));
    BAD(mlops_blob_writer_write, "NULL data", MLOPS_EINVAL, (w, NULL, 1));
    BAD(mlops_blob_writer_write, "SIZE_MAX size", MLOPS_EINVAL, (w, BUF, SIZE_MAX));
    VOID(mlops_blob_writer_abort, "a writer after errors", (w));
    VOID(mlops_blob_writer_abort, "NULL", (NULL));
    BAD(mlops_blob_writer_commit, "NULL writer", MLOPS_EINVAL, (NULL, &d));
    TU_OK(mlops_blob_writer_open(S, &w));
    BAD(mlops_blob_writer_commit, "NULL out (releases the writer)", MLOPS_EINVAL, (w, NULL));

    mlops_blob_reader *r = NULL;
    uint64_t size;
    BAD(mlops_blob_reader_open, "NULL store", MLOPS_EINVAL, (NULL, &D, &r));
    BAD(mlops_blob_reader_open, "NULL digest", MLOPS_EINVAL, (S, NULL, &r));
    BAD(mlops_blob_reader_open, "NULL out", MLOPS_EINVAL, (S, &D, NULL));
    BAD(mlops_blob_reader_open, "unknown digest", MLOPS_ENOTFOUND, (S, &UNKNOWN, &r));
    BAD(mlops_blob_reader_read, "NULL reader", MLOPS_EINVAL, (NULL, BUF, 4, &got));
    BAD(mlops_blob_reader_size, "NULL reader", MLOPS_EINVAL, (NULL, &size));
    TU_OK(mlops_blob_reader_open(S, &D, &r));
    BAD(mlops_blob_reader_read, "NULL buffer", MLOPS_EINVAL, (r, NULL, 4, &got));
    BAD(mlops_blob_reader_read, "NULL got", MLOPS_EINVAL, (r, BUF, 4, NULL));
    BAD(mlops_blob_reader_size, "NULL size", MLOPS_EINVAL, (r, NULL));
    VOID(mlops_blob_reader_close, "an open reader", (r));
    VOID(mlops_blob_reader_close, "NULL", (NULL));
    int ex;
    BAD(mlops_blob_exists, "NULL store", MLOPS_EINVAL, (NULL, &D, &ex));
    BAD(mlops_blob_exists, "NULL digest", MLOPS_EINVAL, (S, NULL, &ex));
    BAD(mlops_blob_exists, "NULL out", MLOPS_EINVAL, (S, &D, NULL));
    same_store(store_dir, &b, "cas.h");
    snap_free(&b);
}

/* ---- cas.h: stat, list, trees, references; store.h: fsck, gc ------------------ */

static void cas_more(void)
{
    snap b = snapshot(store_dir);
    mlops_blob_info info;
    BAD(mlops_blob_info_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_BLOB_INFO_VERSION));
    BAD(mlops_blob_info_init, "version 0", MLOPS_EINVAL, (&info, 0));
    BAD(mlops_blob_info_init, "future version", MLOPS_EINVAL, (&info, 99));
    mlops_blob_info_init(&info, MLOPS_BLOB_INFO_VERSION);
    BAD(mlops_blob_stat, "NULL store", MLOPS_EINVAL, (NULL, &D, &info));
    BAD(mlops_blob_stat, "NULL digest", MLOPS_EINVAL, (S, NULL, &info));
    BAD(mlops_blob_stat, "NULL info", MLOPS_EINVAL, (S, &D, NULL));
    BAD(mlops_blob_stat, "unknown digest", MLOPS_ENOTFOUND, (S, &UNKNOWN, &info));
    info.version = 0;
    BAD(mlops_blob_stat, "info version 0", MLOPS_EINVAL, (S, &D, &info));
    mlops_blob_iter *it = NULL;
    mlops_digest d;
    BAD(mlops_blob_list_open, "NULL store", MLOPS_EINVAL, (NULL, 0, &it));
    BAD(mlops_blob_list_open, "NULL out", MLOPS_EINVAL, (S, 0, NULL));
    BAD(mlops_blob_list_open, "unknown kind", MLOPS_EINVAL, (S, 9, &it));
    BAD(mlops_blob_list_open, "negative kind", MLOPS_EINVAL, (S, -1, &it));
    BAD(mlops_blob_list_next, "NULL iterator", MLOPS_EINVAL, (NULL, &d, NULL));
    TU_OK(mlops_blob_list_open(S, 0, &it));
    BAD(mlops_blob_list_next, "NULL digest", MLOPS_EINVAL, (it, NULL, NULL));
    VOID(mlops_blob_list_close, "an iterator", (it));
    VOID(mlops_blob_list_close, "NULL", (NULL));

    char *target = tu_path(dir, "restore");
    BAD(mlops_tree_put, "NULL store", MLOPS_EINVAL, (NULL, dir, 0, &d));
    BAD(mlops_tree_put, "NULL dir", MLOPS_EINVAL, (S, NULL, 0, &d));
    BAD(mlops_tree_put, "NULL out", MLOPS_EINVAL, (S, dir, 0, NULL));
    BAD(mlops_tree_put, "unknown flags", MLOPS_EINVAL, (S, dir, 0x40u, &d));
    BAD(mlops_tree_put, "empty path", MLOPS_ENOTFOUND, (S, "", 0, &d));
    BAD(mlops_tree_put, "over-long path", MLOPS_EIO, (S, LONG, 0, &d));
    BAD(mlops_tree_put, "missing directory", MLOPS_ENOTFOUND, (S, target, 0, &d));
    char *file = tu_path(dir, "key.pem");
    BAD(mlops_tree_put, "a file", MLOPS_EINVAL, (S, file, 0, &d));
    BAD(mlops_tree_get, "NULL store", MLOPS_EINVAL, (NULL, &D, target, 0));
    BAD(mlops_tree_get, "NULL digest", MLOPS_EINVAL, (S, NULL, target, 0));
    BAD(mlops_tree_get, "NULL dir", MLOPS_EINVAL, (S, &D, NULL, 0));
    BAD(mlops_tree_get, "flags", MLOPS_EINVAL, (S, &D, target, 1));
    BAD(mlops_tree_get, "a blob, not a tree", MLOPS_EINVAL, (S, &D, target, 0));
    BAD(mlops_tree_get, "unknown digest", MLOPS_ENOTFOUND, (S, &UNKNOWN, target, 0));
    BAD(mlops_tree_get, "over-long dir", MLOPS_EIO, (S, &TREE, LONG, 0));
    BAD(mlops_tree_get, "existing file", MLOPS_EEXIST, (S, &TREE, file, 0));
    BAD(mlops_tree_get, "non-empty directory", MLOPS_EEXIST, (S, &TREE, dir, 0));
    mlops_tree_get_opts tgo;
    BAD(mlops_tree_get_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_TREE_GET_OPTS_VERSION));
    BAD(mlops_tree_get_opts_init, "version 0", MLOPS_EINVAL, (&tgo, 0));
    BAD(mlops_tree_get_opts_init, "future version", MLOPS_EINVAL, (&tgo, 99));
    BAD(mlops_tree_get_ex, "NULL store", MLOPS_EINVAL, (NULL, &D, target, NULL));
    BAD(mlops_tree_get_ex, "NULL digest", MLOPS_EINVAL, (S, NULL, target, NULL));
    BAD(mlops_tree_get_ex, "NULL dir", MLOPS_EINVAL, (S, &D, NULL, NULL));
    BAD(mlops_tree_get_ex, "empty dir", MLOPS_EINVAL, (S, &D, "", NULL));
    tgo = (mlops_tree_get_opts)MLOPS_TREE_GET_OPTS_INIT;
    tgo.version = 0;
    BAD(mlops_tree_get_ex, "opts version 0", MLOPS_EINVAL, (S, &TREE, target, &tgo));
    tgo = (mlops_tree_get_opts)MLOPS_TREE_GET_OPTS_INIT;
    tgo.links = 7;
    BAD(mlops_tree_get_ex, "unknown links policy", MLOPS_EINVAL, (S, &TREE, target, &tgo));
    tgo = (mlops_tree_get_opts)MLOPS_TREE_GET_OPTS_INIT;
    tgo.max_entries = 0;
    BAD(mlops_tree_get_ex, "max_entries 0", MLOPS_EINVAL, (S, &TREE, target, &tgo));
    BAD(mlops_tree_get_ex, "a blob, not a tree", MLOPS_EINVAL, (S, &D, target, NULL));
    BAD(mlops_tree_get_ex, "unknown digest", MLOPS_ENOTFOUND, (S, &UNKNOWN, target, NULL));
    BAD(mlops_tree_get_ex, "existing file", MLOPS_EEXIST, (S, &TREE, file, NULL));
    ck_assert_int_ne(access(target, F_OK), 0);
    free(file);
    free(target);

    mlops_ref_iter *ri = NULL;
    const char *name;
    for (int i = 0; i < 3; i++) {
        const char *str = BAD_STRINGS[i] ? BAD_STRINGS[i] : LONG;
        const char *what = i == 0 ? "empty name" : i == 1 ? "invalid UTF-8 name" : "over-long name";
        BAD(mlops_ref_set, what, MLOPS_EINVAL, (S, str, &D));
        BAD(mlops_ref_get, what, MLOPS_EINVAL, (S, str, &d));
        BAD(mlops_ref_delete, what, MLOPS_EINVAL, (S, str));
    }
    BAD(mlops_ref_set, "control character", MLOPS_EINVAL, (S, "a\nb", &D));
    BAD(mlops_ref_set, "NULL store", MLOPS_EINVAL, (NULL, "r", &D));
    BAD(mlops_ref_set, "NULL name", MLOPS_EINVAL, (S, NULL, &D));
    BAD(mlops_ref_set, "NULL digest", MLOPS_EINVAL, (S, "r", NULL));
    BAD(mlops_ref_set, "unknown digest", MLOPS_ENOTFOUND, (S, "r", &UNKNOWN));
    BAD(mlops_ref_get, "NULL out", MLOPS_EINVAL, (S, "main", NULL));
    BAD(mlops_ref_get, "unknown", MLOPS_ENOTFOUND, (S, "nope", &d));
    BAD(mlops_ref_delete, "NULL store", MLOPS_EINVAL, (NULL, "main"));
    BAD(mlops_ref_delete, "unknown", MLOPS_ENOTFOUND, (S, "nope"));
    BAD(mlops_ref_list_open, "NULL store", MLOPS_EINVAL, (NULL, NULL, &ri));
    BAD(mlops_ref_list_open, "NULL out", MLOPS_EINVAL, (S, NULL, NULL));
    /* A prefix no name can have lists nothing. */
    BAD(mlops_ref_list_open, "invalid UTF-8 prefix", MLOPS_OK, (S, BAD_UTF8, &ri));
    TU_RC(MLOPS_ITEROVER, mlops_ref_list_next(ri, &name, &d));
    mlops_ref_list_close(ri);
    BAD(mlops_ref_list_next, "NULL iterator", MLOPS_EINVAL, (NULL, &name, &d));
    TU_OK(mlops_ref_list_open(S, NULL, &ri));
    BAD(mlops_ref_list_next, "NULL name", MLOPS_EINVAL, (ri, NULL, &d));
    BAD(mlops_ref_list_next, "NULL digest", MLOPS_EINVAL, (ri, &name, NULL));
    VOID(mlops_ref_list_close, "an iterator", (ri));
    VOID(mlops_ref_list_close, "NULL", (NULL));

    mlops_fsck_opts fo;
    mlops_fsck_report fr;
    BAD(mlops_fsck_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_FSCK_OPTS_VERSION));
    BAD(mlops_fsck_opts_init, "version 0", MLOPS_EINVAL, (&fo, 0));
    BAD(mlops_fsck_report_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_FSCK_REPORT_VERSION));
    BAD(mlops_fsck_report_init, "future version", MLOPS_EINVAL, (&fr, 8));
    mlops_fsck_report_init(&fr, MLOPS_FSCK_REPORT_VERSION);
    BAD(mlops_store_fsck, "NULL store", MLOPS_EINVAL, (NULL, NULL, &fr));
    BAD(mlops_store_fsck, "NULL report", MLOPS_EINVAL, (S, NULL, NULL));
    double samples[] = { NAN, 0.0, -1.0, 1.5, INFINITY };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        fo = (mlops_fsck_opts)MLOPS_FSCK_OPTS_INIT;
        fo.sample = samples[i];
        BAD(mlops_store_fsck, i == 0 ? "NaN sample" : "sample outside (0, 1]", MLOPS_EINVAL, (S, &fo, &fr));
    }
    fo = (mlops_fsck_opts)MLOPS_FSCK_OPTS_INIT;
    fo.version = 0;
    BAD(mlops_store_fsck, "options version 0", MLOPS_EINVAL, (S, &fo, &fr));
    fr.version = 0;
    BAD(mlops_store_fsck, "report version 0", MLOPS_EINVAL, (S, NULL, &fr));
    mlops_gc_opts go;
    mlops_gc_report gr;
    BAD(mlops_gc_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_GC_OPTS_VERSION));
    BAD(mlops_gc_opts_init, "version 0", MLOPS_EINVAL, (&go, 0));
    BAD(mlops_gc_report_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_GC_REPORT_VERSION));
    BAD(mlops_gc_report_init, "version 0", MLOPS_EINVAL, (&gr, 0));
    BAD(mlops_store_gc, "NULL store", MLOPS_EINVAL, (NULL, NULL, NULL));
    go = (mlops_gc_opts)MLOPS_GC_OPTS_INIT;
    go.grace_ms = -1;
    BAD(mlops_store_gc, "negative grace", MLOPS_EINVAL, (S, &go, NULL));
    go.grace_ms = INT64_MIN;
    BAD(mlops_store_gc, "INT64_MIN grace", MLOPS_EINVAL, (S, &go, NULL));
    go = (mlops_gc_opts)MLOPS_GC_OPTS_INIT;
    go.version = 9;
    BAD(mlops_store_gc, "future options", MLOPS_EINVAL, (S, &go, NULL));
    mlops_gc_report_init(&gr, MLOPS_GC_REPORT_VERSION);
    gr.version = 0;
    BAD(mlops_store_gc, "report version 0", MLOPS_EINVAL, (S, NULL, &gr));
    same_store(store_dir, &b, "cas.h (trees, refs, stat, list) and store.h (fsck, gc)");
    snap_free(&b);
}

/* ---- track.h ----------------------------------------------------------------- */

static const char UNKNOWN_RUN[] = "0123456789abcdef0123456789abcdef";

static void bad_strings_experiment(void)
{
    int64_t id = 0;
    for (int i = 0; i < 3; i++) {
        const char *str = BAD_STRINGS[i] ? BAD_STRINGS[i] : LONG;
        const char *what = i == 0 ? "empty name" : i == 1 ? "invalid UTF-8" : "over-long name";
        BAD(mlops_experiment_create, what, MLOPS_EINVAL, (S, str, &id));
        mlops_experiment *e = NULL;
        BAD(mlops_experiment_get_by_name, what, MLOPS_EINVAL, (S, str, &e));
        BAD(mlops_experiment_rename, what, MLOPS_EINVAL, (S, EXP, str));
        BAD(mlops_experiment_set_tag, what, MLOPS_EINVAL, (S, EXP, str, "v"));
        BAD(mlops_experiment_delete_tag, what, MLOPS_EINVAL, (S, EXP, str));
        BAD(mlops_run_set_tag, what, MLOPS_EINVAL, (R, str, "v"));
        BAD(mlops_run_delete_tag, what, MLOPS_EINVAL, (R, str));
        BAD(mlops_experiment_tag_set, what, MLOPS_EINVAL, (S, EXP, str, "v"));
        BAD(mlops_experiment_tag_delete, what, MLOPS_EINVAL, (S, EXP, str));
        BAD(mlops_run_tag_set, what, MLOPS_EINVAL, (R, str, "v"));
        BAD(mlops_run_tag_delete, what, MLOPS_EINVAL, (R, str));
        BAD(mlops_run_log_param, what, MLOPS_EINVAL, (R, str, "v"));
        BAD(mlops_run_log_metric, what, MLOPS_EINVAL, (R, str, 1.0, 1, 1));
        mlops_run *r = NULL;
        BAD(mlops_run_start, what, MLOPS_EINVAL, (S, EXP, str, &r));
        BAD(mlops_run_open, what, MLOPS_EINVAL, (S, str, &r));
        BAD(mlops_run_delete, what, MLOPS_EINVAL, (S, str));
        BAD(mlops_run_restore, what, MLOPS_EINVAL, (S, str));
        mlops_run_info *ri = NULL;
        BAD(mlops_run_get, what, MLOPS_EINVAL, (S, str, &ri));
        mlops_lineage_edge *edges;
        size_t n;
        BAD(mlops_lineage_for_run, what, MLOPS_EINVAL, (S, str, &edges, &n));
        BAD(mlops_run_log_input, what, MLOPS_EINVAL, (R, &D, str, "dataset"));
        BAD(mlops_run_log_output, what, MLOPS_EINVAL, (R, &D, "x", str));
        mlops_metric_point *pts;
        BAD(mlops_metric_history, what, MLOPS_EINVAL, (S, RUN_ID, str, NULL, &pts, &n));
        BAD(mlops_metric_history, what, MLOPS_EINVAL, (S, str, "loss", NULL, &pts, &n));
    }
    /* Values: empty is allowed; invalid UTF-8 and over-long are not. */
    BAD(mlops_experiment_set_tag, "invalid UTF-8 value", MLOPS_EINVAL, (S, EXP, "k", BAD_UTF8));
    BAD(mlops_experiment_set_tag, "over-long value", MLOPS_EINVAL, (S, EXP, "k", LONG));
    BAD(mlops_run_set_tag, "invalid UTF-8 value", MLOPS_EINVAL, (R, "k", BAD_UTF8));
    BAD(mlops_run_set_tag, "over-long value", MLOPS_EINVAL, (R, "k", LONG));
    BAD(mlops_experiment_tag_set, "invalid UTF-8 value", MLOPS_EINVAL, (S, EXP, "k", BAD_UTF8));
    BAD(mlops_experiment_tag_set, "over-long value", MLOPS_EINVAL, (S, EXP, "k", LONG));
    BAD(mlops_run_tag_set, "invalid UTF-8 value", MLOPS_EINVAL, (R, "k", BAD_UTF8));
    BAD(mlops_run_tag_set, "over-long value", MLOPS_EINVAL, (R, "k", LONG));
    /* Keys of the 1.1 functions: MLOPS_KEY_MAX bytes at most. */
    char key251[MLOPS_KEY_MAX + 2];
    memset(key251, 'k', MLOPS_KEY_MAX + 1);
    key251[MLOPS_KEY_MAX + 1] = '\0';
    BAD(mlops_experiment_tag_set, "251-byte key", MLOPS_EINVAL, (S, EXP, key251, "v"));
    BAD(mlops_experiment_tag_delete, "251-byte key", MLOPS_EINVAL, (S, EXP, key251));
    BAD(mlops_run_tag_set, "251-byte key", MLOPS_EINVAL, (R, key251, "v"));
    BAD(mlops_run_tag_delete, "251-byte key", MLOPS_EINVAL, (R, key251));
    BAD(mlops_experiment_tag_set, "control character in key", MLOPS_EINVAL, (S, EXP, "a\nb", "v"));
    BAD(mlops_run_tag_set, "control character in key", MLOPS_EINVAL, (R, "a\x7f", "v"));
    BAD(mlops_run_log_param, "invalid UTF-8 value", MLOPS_EINVAL, (R, "k", BAD_UTF8));
    BAD(mlops_run_log_param, "over-long value", MLOPS_EINVAL, (R, "k", LONG));
    BAD(mlops_run_log_param, "control character in key", MLOPS_EINVAL, (R, "a\nb", "v"));
    BAD(mlops_run_log_metric, "control character in key", MLOPS_EINVAL, (R, "a\tb", 1.0, 1, 1));
    BAD(mlops_experiment_create, "control character", MLOPS_EINVAL, (S, "a\x01", &id));
}

static void track(void)
{
    snap b = snapshot(store_dir);
    int64_t id;
    mlops_experiment *e = NULL;
    mlops_experiment **list = NULL;
    size_t n = 0;
    BAD(mlops_experiment_create, "NULL store", MLOPS_EINVAL, (NULL, "x", &id));
    BAD(mlops_experiment_create, "NULL name", MLOPS_EINVAL, (S, NULL, &id));
    BAD(mlops_experiment_create, "NULL out", MLOPS_EINVAL, (S, "x", NULL));
    BAD(mlops_experiment_create, "existing name", MLOPS_EEXIST, (S, "exp", &id));
    BAD(mlops_experiment_get, "NULL store", MLOPS_EINVAL, (NULL, EXP, &e));
    BAD(mlops_experiment_get, "NULL out", MLOPS_EINVAL, (S, EXP, NULL));
    BAD(mlops_experiment_get, "negative id", MLOPS_ENOTFOUND, (S, -1, &e));
    BAD(mlops_experiment_get, "INT64_MIN id", MLOPS_ENOTFOUND, (S, INT64_MIN, &e));
    BAD(mlops_experiment_get_by_name, "NULL name", MLOPS_EINVAL, (S, NULL, &e));
    BAD(mlops_experiment_get_by_name, "unknown", MLOPS_ENOTFOUND, (S, "nope", &e));
    BAD(mlops_experiment_list, "NULL store", MLOPS_EINVAL, (NULL, 0, &list, &n));
    BAD(mlops_experiment_list, "NULL out", MLOPS_EINVAL, (S, 0, NULL, &n));
    BAD(mlops_experiment_list, "NULL count", MLOPS_EINVAL, (S, 0, &list, NULL));
    BAD(mlops_experiment_list, "unknown lifecycle", MLOPS_EINVAL, (S, 7, &list, &n));
    BAD(mlops_experiment_list, "negative lifecycle", MLOPS_EINVAL, (S, -1, &list, &n));
    VOID(mlops_experiment_list_free, "NULL", (NULL, 0));
    mlops_experiments *el = NULL;
    BAD(mlops_experiment_list_ex, "NULL store", MLOPS_EINVAL, (NULL, 0, &el));
    BAD(mlops_experiment_list_ex, "NULL out", MLOPS_EINVAL, (S, 0, NULL));
    BAD(mlops_experiment_list_ex, "unknown lifecycle", MLOPS_EINVAL, (S, 7, &el));
    BAD(mlops_experiment_list_ex, "negative lifecycle", MLOPS_EINVAL, (S, -1, &el));
    BAD(mlops_experiment_list_ex, "INT_MIN lifecycle", MLOPS_EINVAL, (S, INT32_MIN, &el));
    ck_assert_ptr_null(el);
    RET(mlops_experiments_count, "NULL", 0, (NULL));
    RET(mlops_experiments_at, "NULL", NULL, (NULL, 0));
    VOID(mlops_experiments_free, "NULL", (NULL));
    TU_OK(mlops_experiment_list_ex(S, MLOPS_LIFECYCLE_ALL, &el));
    RET(mlops_experiments_at, "SIZE_MAX index", NULL, (el, SIZE_MAX));
    mlops_experiments_free(el);
    VOID(mlops_experiment_free, "NULL", (NULL));
    RET(mlops_experiment_id, "NULL", 0, (NULL));
    RET(mlops_experiment_name, "NULL", NULL, (NULL));
    RET(mlops_experiment_created_ms, "NULL", 0, (NULL));
    RET(mlops_experiment_updated_ms, "NULL", 0, (NULL));
    RET(mlops_experiment_deleted_ms, "NULL", 0, (NULL));
    RET(mlops_experiment_tags, "NULL", NULL, (NULL, &n));
    RET(mlops_experiment_tag_count, "NULL", 0, (NULL));
    RET(mlops_experiment_tag, "NULL", NULL, (NULL, "k"));
    const char *tk = NULL, *tv = NULL;
    BAD(mlops_experiment_tag_at, "NULL experiment", MLOPS_EINVAL, (NULL, 0, &tk, &tv));
    TU_OK(mlops_experiment_get(S, EXP, &e));
    BAD(mlops_experiment_tag_at, "index out of range", MLOPS_EINVAL, (e, 0, &tk, &tv));
    BAD(mlops_experiment_tag_at, "SIZE_MAX index", MLOPS_EINVAL, (e, SIZE_MAX, NULL, NULL));
    RET(mlops_experiment_tag, "NULL key", NULL, (e, NULL));
    RET(mlops_experiment_tag, "invalid UTF-8 key", NULL, (e, BAD_UTF8));
    mlops_experiment_free(e);
    e = NULL;
    BAD(mlops_experiment_rename, "NULL store", MLOPS_EINVAL, (NULL, EXP, "x"));
    BAD(mlops_experiment_rename, "NULL name", MLOPS_EINVAL, (S, EXP, NULL));
    BAD(mlops_experiment_rename, "unknown id", MLOPS_ENOTFOUND, (S, -5, "x"));
    BAD(mlops_experiment_rename, "name taken", MLOPS_EEXIST, (S, EXP, "exp2"));
    BAD(mlops_experiment_set_tag, "NULL store", MLOPS_EINVAL, (NULL, EXP, "k", "v"));
    BAD(mlops_experiment_set_tag, "NULL key", MLOPS_EINVAL, (S, EXP, NULL, "v"));
    BAD(mlops_experiment_set_tag, "NULL value", MLOPS_EINVAL, (S, EXP, "k", NULL));
    BAD(mlops_experiment_set_tag, "unknown id", MLOPS_ENOTFOUND, (S, -5, "k", "v"));
    BAD(mlops_experiment_delete_tag, "NULL key", MLOPS_EINVAL, (S, EXP, NULL));
    BAD(mlops_experiment_delete_tag, "unknown tag", MLOPS_ENOTFOUND, (S, EXP, "nope"));
    BAD(mlops_experiment_delete_tag, "unknown id", MLOPS_ENOTFOUND, (S, -5, "k"));
    BAD(mlops_experiment_tag_set, "NULL store", MLOPS_EINVAL, (NULL, EXP, "k", "v"));
    BAD(mlops_experiment_tag_set, "NULL key", MLOPS_EINVAL, (S, EXP, NULL, "v"));
    BAD(mlops_experiment_tag_set, "NULL value", MLOPS_EINVAL, (S, EXP, "k", NULL));
    BAD(mlops_experiment_tag_set, "unknown id", MLOPS_ENOTFOUND, (S, -5, "k", "v"));
    BAD(mlops_experiment_tag_set, "INT64_MIN id", MLOPS_ENOTFOUND, (S, INT64_MIN, "k", "v"));
    BAD(mlops_experiment_tag_delete, "NULL store", MLOPS_EINVAL, (NULL, EXP, "k"));
    BAD(mlops_experiment_tag_delete, "NULL key", MLOPS_EINVAL, (S, EXP, NULL));
    BAD(mlops_experiment_tag_delete, "unknown tag", MLOPS_ENOTFOUND, (S, EXP, "nope"));
    BAD(mlops_experiment_tag_delete, "unknown id", MLOPS_ENOTFOUND, (S, -5, "k"));
    BAD(mlops_experiment_delete, "NULL store", MLOPS_EINVAL, (NULL, EXP));
    BAD(mlops_experiment_delete, "unknown id", MLOPS_ENOTFOUND, (S, -5));
    BAD(mlops_experiment_restore, "NULL store", MLOPS_EINVAL, (NULL, EXP));
    BAD(mlops_experiment_restore, "unknown id", MLOPS_ENOTFOUND, (S, INT64_MAX));
    bad_strings_experiment();

    mlops_run_start_opts ro;
    mlops_run *r = NULL;
    BAD(mlops_run_start_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_RUN_START_OPTS_VERSION));
    BAD(mlops_run_start_opts_init, "version 0", MLOPS_EINVAL, (&ro, 0));
    BAD(mlops_run_start_opts_init, "future version", MLOPS_EINVAL, (&ro, 77));
    BAD(mlops_run_start, "NULL store", MLOPS_EINVAL, (NULL, EXP, NULL, &r));
    BAD(mlops_run_start, "NULL out", MLOPS_EINVAL, (S, EXP, NULL, NULL));
    BAD(mlops_run_start, "unknown experiment", MLOPS_ENOTFOUND, (S, -1, NULL, &r));
    BAD(mlops_run_start_ex, "NULL store", MLOPS_EINVAL, (NULL, EXP, NULL, &r));
    BAD(mlops_run_start_ex, "NULL out", MLOPS_EINVAL, (S, EXP, NULL, NULL));
    ro = (mlops_run_start_opts)MLOPS_RUN_START_OPTS_INIT;
    ro.version = 99;
    BAD(mlops_run_start_ex, "future options", MLOPS_EINVAL, (S, EXP, &ro, &r));
    ro = (mlops_run_start_opts)MLOPS_RUN_START_OPTS_INIT;
    ro.parent_run_id = "zz";
    BAD(mlops_run_start_ex, "malformed parent", MLOPS_EINVAL, (S, EXP, &ro, &r));
    ro.parent_run_id = UNKNOWN_RUN;
    BAD(mlops_run_start_ex, "unknown parent", MLOPS_ENOTFOUND, (S, EXP, &ro, &r));
    ro = (mlops_run_start_opts)MLOPS_RUN_START_OPTS_INIT;
    ro.git_commit = "not-hex";
    BAD(mlops_run_start_ex, "malformed git commit", MLOPS_EINVAL, (S, EXP, &ro, &r));
    ro = (mlops_run_start_opts)MLOPS_RUN_START_OPTS_INIT;
    ro.user = BAD_UTF8;
    BAD(mlops_run_start_ex, "invalid UTF-8 user", MLOPS_EINVAL, (S, EXP, &ro, &r));
    ro = (mlops_run_start_opts)MLOPS_RUN_START_OPTS_INIT;
    ro.source = LONG;
    BAD(mlops_run_start_ex, "over-long source", MLOPS_EINVAL, (S, EXP, &ro, &r));
    ro = (mlops_run_start_opts)MLOPS_RUN_START_OPTS_INIT;
    ro.name = "";
    BAD(mlops_run_start_ex, "empty name", MLOPS_EINVAL, (S, EXP, &ro, &r));
    ck_assert_ptr_null(r);
    BAD(mlops_run_open, "NULL store", MLOPS_EINVAL, (NULL, RUN_ID, &r));
    BAD(mlops_run_open, "NULL id", MLOPS_EINVAL, (S, NULL, &r));
    BAD(mlops_run_open, "NULL out", MLOPS_EINVAL, (S, RUN_ID, NULL));
    BAD(mlops_run_open, "upper-case id", MLOPS_EINVAL, (S, "0123456789ABCDEF0123456789ABCDEF", &r));
    BAD(mlops_run_open, "unknown id", MLOPS_ENOTFOUND, (S, UNKNOWN_RUN, &r));
    RET(mlops_run_id, "NULL", NULL, (NULL));
    RET(mlops_run_experiment_id, "NULL", 0, (NULL));
    BAD(mlops_run_end, "NULL run", MLOPS_EINVAL, (NULL, MLOPS_RUN_FINISHED));
    BAD(mlops_run_end, "status RUNNING", MLOPS_EINVAL, (R, MLOPS_RUN_RUNNING));
    BAD(mlops_run_end, "unknown status", MLOPS_EINVAL, (R, 99));
    BAD(mlops_run_end, "negative status", MLOPS_EINVAL, (R, -1));
    VOID(mlops_run_free, "NULL", (NULL));
    BAD(mlops_run_set_tag, "NULL run", MLOPS_EINVAL, (NULL, "k", "v"));
    BAD(mlops_run_set_tag, "NULL key", MLOPS_EINVAL, (R, NULL, "v"));
    BAD(mlops_run_set_tag, "NULL value", MLOPS_EINVAL, (R, "k", NULL));
    BAD(mlops_run_delete_tag, "NULL run", MLOPS_EINVAL, (NULL, "k"));
    BAD(mlops_run_delete_tag, "NULL key", MLOPS_EINVAL, (R, NULL));
    BAD(mlops_run_delete_tag, "unknown tag", MLOPS_ENOTFOUND, (R, "nope"));
    BAD(mlops_run_tag_set, "NULL run", MLOPS_EINVAL, (NULL, "k", "v"));
    BAD(mlops_run_tag_set, "NULL key", MLOPS_EINVAL, (R, NULL, "v"));
    BAD(mlops_run_tag_set, "NULL value", MLOPS_EINVAL, (R, "k", NULL));
    BAD(mlops_run_tag_delete, "NULL run", MLOPS_EINVAL, (NULL, "k"));
    BAD(mlops_run_tag_delete, "NULL key", MLOPS_EINVAL, (R, NULL));
    BAD(mlops_run_tag_delete, "unknown tag", MLOPS_ENOTFOUND, (R, "nope"));
    BAD(mlops_run_delete, "NULL store", MLOPS_EINVAL, (NULL, RUN_ID));
    BAD(mlops_run_delete, "NULL id", MLOPS_EINVAL, (S, NULL));
    BAD(mlops_run_delete, "unknown id", MLOPS_ENOTFOUND, (S, UNKNOWN_RUN));
    BAD(mlops_run_restore, "NULL id", MLOPS_EINVAL, (S, NULL));
    BAD(mlops_run_restore, "unknown id", MLOPS_ENOTFOUND, (S, UNKNOWN_RUN));
    RET(mlops_run_status_name, "unknown status", NULL, (99));
    RET(mlops_run_status_name, "negative status", NULL, (-1));

    BAD(mlops_run_log_param, "NULL run", MLOPS_EINVAL, (NULL, "k", "v"));
    BAD(mlops_run_log_param, "NULL key", MLOPS_EINVAL, (R, NULL, "v"));
    BAD(mlops_run_log_param, "NULL value", MLOPS_EINVAL, (R, "k", NULL));
    BAD(mlops_run_log_param, "another value", MLOPS_ECONFLICT, (R, "lr", "0.2"));
    mlops_kv kv[2] = { { "a", "1" }, { NULL, "2" } };
    BAD(mlops_run_log_params, "NULL run", MLOPS_EINVAL, (NULL, kv, 1));
    BAD(mlops_run_log_params, "NULL array", MLOPS_EINVAL, (R, NULL, 2));
    BAD(mlops_run_log_params, "a NULL key", MLOPS_EINVAL, (R, kv, 2));
    BAD(mlops_run_log_params, "SIZE_MAX count", MLOPS_EINVAL, (R, kv, SIZE_MAX));
    mlops_kv conflict[2] = { { "a", "1" }, { "a", "2" } };
    BAD(mlops_run_log_params, "one key, two values", MLOPS_ECONFLICT, (R, conflict, 2));
    BAD(mlops_run_log_metric, "NULL run", MLOPS_EINVAL, (NULL, "k", 1, 1, 1));
    BAD(mlops_run_log_metric, "NULL key", MLOPS_EINVAL, (R, NULL, 1, 1, 1));
    mlops_metric m[2] = { { "a", 1, 1, 1 }, { NULL, 2, 2, 2 } };
    BAD(mlops_run_log_metrics, "NULL run", MLOPS_EINVAL, (NULL, m, 1));
    BAD(mlops_run_log_metrics, "NULL array", MLOPS_EINVAL, (R, NULL, 2));
    BAD(mlops_run_log_metrics, "a NULL key", MLOPS_EINVAL, (R, m, 2));
    BAD(mlops_run_log_metrics, "SIZE_MAX count", MLOPS_EINVAL, (R, m, SIZE_MAX));
    mlops_metric mbad[2] = { { "a", 1, 1, 1 }, { BAD_UTF8, 2, 2, 2 } };
    BAD(mlops_run_log_metrics, "an invalid UTF-8 key", MLOPS_EINVAL, (R, mbad, 2));

    mlops_history_opts ho;
    mlops_metric_point *pts = NULL;
    BAD(mlops_history_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_HISTORY_OPTS_VERSION));
    BAD(mlops_history_opts_init, "version 0", MLOPS_EINVAL, (&ho, 0));
    BAD(mlops_metric_history, "NULL store", MLOPS_EINVAL, (NULL, RUN_ID, "loss", NULL, &pts, &n));
    BAD(mlops_metric_history, "NULL run", MLOPS_EINVAL, (S, NULL, "loss", NULL, &pts, &n));
    BAD(mlops_metric_history, "NULL key", MLOPS_EINVAL, (S, RUN_ID, NULL, NULL, &pts, &n));
    BAD(mlops_metric_history, "NULL points", MLOPS_EINVAL, (S, RUN_ID, "loss", NULL, NULL, &n));
    BAD(mlops_metric_history, "NULL count", MLOPS_EINVAL, (S, RUN_ID, "loss", NULL, &pts, NULL));
    ho = (mlops_history_opts)MLOPS_HISTORY_OPTS_INIT;
    ho.step_min = 5;
    ho.step_max = -5;
    BAD(mlops_metric_history, "step_min > step_max", MLOPS_EINVAL, (S, RUN_ID, "loss", &ho, &pts, &n));
    ho = (mlops_history_opts)MLOPS_HISTORY_OPTS_INIT;
    ho.version = 42;
    BAD(mlops_metric_history, "future options", MLOPS_EINVAL, (S, RUN_ID, "loss", &ho, &pts, &n));
    BAD(mlops_metric_history, "unknown run", MLOPS_ENOTFOUND, (S, UNKNOWN_RUN, "loss", NULL, &pts, &n));
    BAD(mlops_metric_history, "unknown key", MLOPS_ENOTFOUND, (S, RUN_ID, "nope", NULL, &pts, &n));

    mlops_run_info *ri = NULL, **ris = NULL;
    BAD(mlops_run_get, "NULL store", MLOPS_EINVAL, (NULL, RUN_ID, &ri));
    BAD(mlops_run_get, "NULL id", MLOPS_EINVAL, (S, NULL, &ri));
    BAD(mlops_run_get, "NULL out", MLOPS_EINVAL, (S, RUN_ID, NULL));
    BAD(mlops_run_get, "unknown id", MLOPS_ENOTFOUND, (S, UNKNOWN_RUN, &ri));
    BAD(mlops_run_list, "NULL store", MLOPS_EINVAL, (NULL, EXP, 0, &ris, &n));
    BAD(mlops_run_list, "NULL out", MLOPS_EINVAL, (S, EXP, 0, NULL, &n));
    BAD(mlops_run_list, "NULL count", MLOPS_EINVAL, (S, EXP, 0, &ris, NULL));
    BAD(mlops_run_list, "unknown lifecycle", MLOPS_EINVAL, (S, EXP, 3, &ris, &n));
    BAD(mlops_run_list, "unknown experiment", MLOPS_ENOTFOUND, (S, -3, 0, &ris, &n));
    VOID(mlops_run_info_list_free, "NULL", (NULL, 0));
    mlops_run_infos *ril = NULL;
    BAD(mlops_run_list_ex, "NULL store", MLOPS_EINVAL, (NULL, EXP, 0, &ril));
    BAD(mlops_run_list_ex, "NULL out", MLOPS_EINVAL, (S, EXP, 0, NULL));
    BAD(mlops_run_list_ex, "unknown lifecycle", MLOPS_EINVAL, (S, EXP, 3, &ril));
    BAD(mlops_run_list_ex, "negative lifecycle", MLOPS_EINVAL, (S, EXP, -1, &ril));
    BAD(mlops_run_list_ex, "unknown experiment", MLOPS_ENOTFOUND, (S, -3, 0, &ril));
    ck_assert_ptr_null(ril);
    RET(mlops_run_infos_count, "NULL", 0, (NULL));
    RET(mlops_run_infos_at, "NULL", NULL, (NULL, 0));
    VOID(mlops_run_infos_free, "NULL", (NULL));
    TU_OK(mlops_run_list_ex(S, EXP, MLOPS_LIFECYCLE_ALL, &ril));
    RET(mlops_run_infos_at, "SIZE_MAX index", NULL, (ril, SIZE_MAX));
    mlops_run_infos_free(ril);
    VOID(mlops_run_info_free, "NULL", (NULL));
    RET(mlops_run_info_id, "NULL", NULL, (NULL));
    RET(mlops_run_info_experiment_id, "NULL", 0, (NULL));
    RET(mlops_run_info_name, "NULL", NULL, (NULL));
    RET(mlops_run_info_parent_id, "NULL", NULL, (NULL));
    RET(mlops_run_info_status, "NULL", -1, (NULL));
    RET(mlops_run_info_start_ms, "NULL", 0, (NULL));
    RET(mlops_run_info_end_ms, "NULL", 0, (NULL));
    RET(mlops_run_info_deleted_ms, "NULL", 0, (NULL));
    RET(mlops_run_info_params, "NULL", NULL, (NULL, &n));
    RET(mlops_run_info_tags, "NULL", NULL, (NULL, &n));
    RET(mlops_run_info_metrics, "NULL", NULL, (NULL, &n));
    RET(mlops_run_info_lineage, "NULL", NULL, (NULL, &n));
    RET(mlops_run_info_param, "NULL", NULL, (NULL, "lr"));
    RET(mlops_run_info_tag, "NULL", NULL, (NULL, "k"));
    RET(mlops_run_info_metric, "NULL", NULL, (NULL, "loss"));
    RET(mlops_run_info_param_count, "NULL", 0, (NULL));
    RET(mlops_run_info_tag_count, "NULL", 0, (NULL));
    RET(mlops_run_info_metric_count, "NULL", 0, (NULL));
    const char *rk = NULL, *rv = NULL;
    const mlops_metric_summary *rs = NULL;
    BAD(mlops_run_info_param_at, "NULL snapshot", MLOPS_EINVAL, (NULL, 0, &rk, &rv));
    BAD(mlops_run_info_tag_at, "NULL snapshot", MLOPS_EINVAL, (NULL, 0, &rk, &rv));
    BAD(mlops_run_info_metric_at, "NULL snapshot", MLOPS_EINVAL, (NULL, 0, &rs));
    TU_OK(mlops_run_get(S, RUN_ID, &ri));
    BAD(mlops_run_info_param_at, "index out of range", MLOPS_EINVAL, (ri, 1, &rk, &rv));
    BAD(mlops_run_info_param_at, "SIZE_MAX index", MLOPS_EINVAL, (ri, SIZE_MAX, NULL, NULL));
    BAD(mlops_run_info_tag_at, "SIZE_MAX index", MLOPS_EINVAL, (ri, SIZE_MAX, &rk, &rv));
    BAD(mlops_run_info_metric_at, "index out of range", MLOPS_EINVAL, (ri, 1, &rs));
    BAD(mlops_run_info_metric_at, "SIZE_MAX index", MLOPS_EINVAL, (ri, SIZE_MAX, NULL));
    RET(mlops_run_info_param, "NULL key", NULL, (ri, NULL));
    RET(mlops_run_info_tag, "NULL key", NULL, (ri, NULL));
    RET(mlops_run_info_metric, "NULL key", NULL, (ri, NULL));
    RET(mlops_run_info_param, "invalid UTF-8 key", NULL, (ri, BAD_UTF8));
    mlops_run_info_free(ri);

    mlops_lineage_edge *edges = NULL;
    BAD(mlops_run_log_input, "NULL run", MLOPS_EINVAL, (NULL, &D, "x", "dataset"));
    BAD(mlops_run_log_input, "NULL digest", MLOPS_EINVAL, (R, NULL, "x", "dataset"));
    BAD(mlops_run_log_input, "NULL name", MLOPS_EINVAL, (R, &D, NULL, "dataset"));
    BAD(mlops_run_log_input, "NULL role", MLOPS_EINVAL, (R, &D, "x", NULL));
    BAD(mlops_run_log_input, "unknown digest", MLOPS_ENOTFOUND, (R, &UNKNOWN, "x", "dataset"));
    BAD(mlops_run_log_output, "NULL run", MLOPS_EINVAL, (NULL, &D, "x", "model"));
    BAD(mlops_run_log_output, "NULL digest", MLOPS_EINVAL, (R, NULL, "x", "model"));
    BAD(mlops_run_log_output, "unknown digest", MLOPS_ENOTFOUND, (R, &UNKNOWN, "x", "model"));
    BAD(mlops_run_log_output, "another role", MLOPS_ECONFLICT, (R, &D, "model", "weights"));
    BAD(mlops_lineage_for_run, "NULL store", MLOPS_EINVAL, (NULL, RUN_ID, &edges, &n));
    BAD(mlops_lineage_for_run, "NULL id", MLOPS_EINVAL, (S, NULL, &edges, &n));
    BAD(mlops_lineage_for_run, "NULL out", MLOPS_EINVAL, (S, RUN_ID, NULL, &n));
    BAD(mlops_lineage_for_run, "NULL count", MLOPS_EINVAL, (S, RUN_ID, &edges, NULL));
    BAD(mlops_lineage_for_run, "unknown run", MLOPS_ENOTFOUND, (S, UNKNOWN_RUN, &edges, &n));
    BAD(mlops_lineage_for_digest, "NULL store", MLOPS_EINVAL, (NULL, &D, &edges, &n));
    BAD(mlops_lineage_for_digest, "NULL digest", MLOPS_EINVAL, (S, NULL, &edges, &n));
    BAD(mlops_lineage_for_digest, "NULL out", MLOPS_EINVAL, (S, &D, NULL, &n));
    BAD(mlops_lineage_for_digest, "NULL count", MLOPS_EINVAL, (S, &D, &edges, NULL));

    mlops_search_opts so;
    char *token = NULL;
    BAD(mlops_search_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_SEARCH_OPTS_VERSION));
    BAD(mlops_search_opts_init, "future version", MLOPS_EINVAL, (&so, 99));
    BAD(mlops_run_search, "NULL store", MLOPS_EINVAL, (NULL, NULL, &ris, &n, &token));
    BAD(mlops_run_search, "NULL out", MLOPS_EINVAL, (S, NULL, NULL, &n, &token));
    BAD(mlops_run_search, "NULL count", MLOPS_EINVAL, (S, NULL, &ris, NULL, &token));
    static const char *const filters[] = {
        "params.x = '' OR 1=1 --", "params.x = 'a'; DROP TABLE runs", "params.x = 'unbalanced",
        "metrics.", "(metrics.acc > 1", "metrics.acc > 1)", "tags.t IN ()", "metrics.acc ~ 1",
        "attributes.nope = 1", "metrics.acc > 1e999999", NULL, NULL,
    };
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        so = (mlops_search_opts)MLOPS_SEARCH_OPTS_INIT;
        so.filter = filters[i] ? filters[i] : i == 10 ? BAD_UTF8 : LONG;
        BAD(mlops_run_search, filters[i] ? filters[i] : i == 10 ? "invalid UTF-8 filter" : "over-long filter",
            MLOPS_EINVAL, (S, &so, &ris, &n, &token));
    }
    so = (mlops_search_opts)MLOPS_SEARCH_OPTS_INIT;
    so.order_by = "metrics.acc SIDEWAYS";
    BAD(mlops_run_search, "bad order", MLOPS_EINVAL, (S, &so, &ris, &n, &token));
    so.order_by = BAD_UTF8;
    BAD(mlops_run_search, "invalid UTF-8 order", MLOPS_EINVAL, (S, &so, &ris, &n, &token));
    so = (mlops_search_opts)MLOPS_SEARCH_OPTS_INIT;
    so.max_results = SIZE_MAX;
    BAD(mlops_run_search, "SIZE_MAX results", MLOPS_EINVAL, (S, &so, &ris, &n, &token));
    so = (mlops_search_opts)MLOPS_SEARCH_OPTS_INIT;
    so.experiment_count = 3;
    BAD(mlops_run_search, "experiment count without ids", MLOPS_EINVAL, (S, &so, &ris, &n, &token));
    so.experiment_ids = &EXP;
    so.experiment_count = SIZE_MAX;
    BAD(mlops_run_search, "SIZE_MAX experiments", MLOPS_EINVAL, (S, &so, &ris, &n, &token));
    so = (mlops_search_opts)MLOPS_SEARCH_OPTS_INIT;
    so.page_token = "garbage";
    BAD(mlops_run_search, "garbage page token", MLOPS_EINVAL, (S, &so, &ris, &n, &token));
    so.page_token = BAD_UTF8;
    BAD(mlops_run_search, "invalid UTF-8 page token", MLOPS_EINVAL, (S, &so, &ris, &n, &token));
    so = (mlops_search_opts)MLOPS_SEARCH_OPTS_INIT;
    so.lifecycle = 9;
    BAD(mlops_run_search, "unknown lifecycle", MLOPS_EINVAL, (S, &so, &ris, &n, &token));
    so = (mlops_search_opts)MLOPS_SEARCH_OPTS_INIT;
    so.version = 0;
    BAD(mlops_run_search, "options version 0", MLOPS_EINVAL, (S, &so, &ris, &n, &token));
    /* The 1.1 search shares the checks: a sample of them. */
    mlops_run_infos *sl = NULL;
    BAD(mlops_run_search_ex, "NULL store", MLOPS_EINVAL, (NULL, NULL, &sl, &token));
    BAD(mlops_run_search_ex, "NULL out", MLOPS_EINVAL, (S, NULL, NULL, &token));
    so = (mlops_search_opts)MLOPS_SEARCH_OPTS_INIT;
    so.filter = "params.x = 'a'; DROP TABLE runs";
    BAD(mlops_run_search_ex, "injected filter", MLOPS_EINVAL, (S, &so, &sl, &token));
    so.filter = LONG;
    BAD(mlops_run_search_ex, "over-long filter", MLOPS_EINVAL, (S, &so, &sl, NULL));
    so = (mlops_search_opts)MLOPS_SEARCH_OPTS_INIT;
    so.max_results = SIZE_MAX;
    BAD(mlops_run_search_ex, "SIZE_MAX results", MLOPS_EINVAL, (S, &so, &sl, &token));
    so = (mlops_search_opts)MLOPS_SEARCH_OPTS_INIT;
    so.experiment_ids = &EXP;
    so.experiment_count = SIZE_MAX;
    BAD(mlops_run_search_ex, "SIZE_MAX experiments", MLOPS_EINVAL, (S, &so, &sl, &token));
    so = (mlops_search_opts)MLOPS_SEARCH_OPTS_INIT;
    so.page_token = BAD_UTF8;
    BAD(mlops_run_search_ex, "invalid UTF-8 page token", MLOPS_EINVAL, (S, &so, &sl, &token));
    so = (mlops_search_opts)MLOPS_SEARCH_OPTS_INIT;
    so.lifecycle = -1;
    BAD(mlops_run_search_ex, "negative lifecycle", MLOPS_EINVAL, (S, &so, &sl, &token));
    so = (mlops_search_opts)MLOPS_SEARCH_OPTS_INIT;
    so.version = 99;
    BAD(mlops_run_search_ex, "future options", MLOPS_EINVAL, (S, &so, &sl, &token));
    ck_assert_ptr_null(sl);

    mlops_run_compare_opts co;
    char *page = NULL;
    const char *one[1] = { RUN_ID }, *twice[2] = { RUN_ID, RUN_ID }, *badid[1] = { BAD_UTF8 };
    const char *unknown[1] = { UNKNOWN_RUN }, *nullid[1] = { NULL };
    BAD(mlops_run_compare_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_RUN_COMPARE_OPTS_VERSION));
    BAD(mlops_run_compare_opts_init, "version 0", MLOPS_EINVAL, (&co, 0));
    BAD(mlops_run_compare_opts_init, "future version", MLOPS_EINVAL, (&co, 99));
    BAD(mlops_run_compare_html, "NULL store", MLOPS_EINVAL, (NULL, one, 1, NULL, &page));
    BAD(mlops_run_compare_html, "NULL ids", MLOPS_EINVAL, (S, NULL, 1, NULL, &page));
    BAD(mlops_run_compare_html, "NULL out", MLOPS_EINVAL, (S, one, 1, NULL, NULL));
    BAD(mlops_run_compare_html, "no runs", MLOPS_EINVAL, (S, one, 0, NULL, &page));
    BAD(mlops_run_compare_html, "SIZE_MAX runs", MLOPS_EINVAL, (S, one, SIZE_MAX, NULL, &page));
    BAD(mlops_run_compare_html, "a NULL id", MLOPS_EINVAL, (S, nullid, 1, NULL, &page));
    BAD(mlops_run_compare_html, "a malformed id", MLOPS_EINVAL, (S, badid, 1, NULL, &page));
    BAD(mlops_run_compare_html, "a run given twice", MLOPS_EINVAL, (S, twice, 2, NULL, &page));
    BAD(mlops_run_compare_html, "unknown run", MLOPS_ENOTFOUND, (S, unknown, 1, NULL, &page));
    co = (mlops_run_compare_opts)MLOPS_RUN_COMPARE_OPTS_INIT;
    co.version = 99;
    BAD(mlops_run_compare_html, "future options", MLOPS_EINVAL, (S, one, 1, &co, &page));
    co = (mlops_run_compare_opts)MLOPS_RUN_COMPARE_OPTS_INIT;
    co.title = BAD_UTF8;
    BAD(mlops_run_compare_html, "invalid UTF-8 title", MLOPS_EINVAL, (S, one, 1, &co, &page));
    co = (mlops_run_compare_opts)MLOPS_RUN_COMPARE_OPTS_INIT;
    co.x_axis = -1;
    BAD(mlops_run_compare_html, "unknown x axis", MLOPS_EINVAL, (S, one, 1, &co, &page));
    co = (mlops_run_compare_opts)MLOPS_RUN_COMPARE_OPTS_INIT;
    co.max_points = SIZE_MAX;
    BAD(mlops_run_compare_html, "SIZE_MAX points", MLOPS_EINVAL, (S, one, 1, &co, &page));
    ck_assert_ptr_null(page);
    same_store(store_dir, &b, "track.h");
    snap_free(&b);
}

/* ---- registry.h -------------------------------------------------------------- */

static void registry_names(void)
{
    const mlops_change_opts *nc = NULL;
    for (int i = 0; i < 3; i++) {
        const char *str = BAD_STRINGS[i] ? BAD_STRINGS[i] : LONG;
        const char *what = i == 0 ? "empty" : i == 1 ? "invalid UTF-8" : "over-long";
        int64_t v;
        BAD(mlops_model_create, what, MLOPS_EINVAL, (S, str));
        BAD(mlops_model_rename, what, MLOPS_EINVAL, (S, "m", str, nc));
        BAD(mlops_model_tag_set, what, MLOPS_EINVAL, (S, "m", str, "v", nc));
        BAD(mlops_model_version_tag_set, what, MLOPS_EINVAL, (S, "m", 1, str, "v", nc));
        BAD(mlops_model_alias_set, what, MLOPS_EINVAL, (S, "m", str, 1));
        BAD(mlops_model_alias_get, what, MLOPS_EINVAL, (S, "m", str, &v));
        BAD(mlops_model_alias_delete, what, MLOPS_EINVAL, (S, "m", str, nc));
        BAD(mlops_audit_alias_at, what, MLOPS_EINVAL, (S, "m", str, 0, &v));
        mlops_model *m = NULL;
        BAD(mlops_model_get, what, MLOPS_EINVAL, (S, str, &m));
        BAD(mlops_model_version_create, what, MLOPS_EINVAL, (S, str, &D, NULL, &v));
        if (i) { /* "" clears a description; the others are refused */
            BAD(mlops_model_set_description, what, MLOPS_EINVAL, (S, "m", str, nc));
            BAD(mlops_model_version_set_description, what, MLOPS_EINVAL, (S, "m", 1, str, nc));
            BAD(mlops_model_tag_set, what, MLOPS_EINVAL, (S, "m", "k", str, nc));
            BAD(mlops_model_create_ex, what, MLOPS_EINVAL, (S, "fresh", str, nc));
        }
    }
    BAD(mlops_model_create, "'@' in name", MLOPS_EINVAL, (S, "a@b"));
    BAD(mlops_model_create, "control character", MLOPS_EINVAL, (S, "a\nb"));
    static const char *const reserved[] = { "latest", "LATEST", "v1", "V12", "bad alias", "a/b" };
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        BAD(mlops_model_alias_set, reserved[i], MLOPS_EINVAL, (S, "m", reserved[i], 1));
        if (i > 3) {
            int64_t v;
            BAD(mlops_model_alias_get, reserved[i], MLOPS_EINVAL, (S, "m", reserved[i], &v));
        }
    }
    BAD(mlops_model_alias_delete, "reserved", MLOPS_EINVAL, (S, "m", "latest", nc));
}

static void change_opts_cases(void)
{
    mlops_change_opts c;
    BAD(mlops_change_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_CHANGE_OPTS_VERSION));
    BAD(mlops_change_opts_init, "version 0", MLOPS_EINVAL, (&c, 0));
    BAD(mlops_change_opts_init, "future version", MLOPS_EINVAL, (&c, 9));
    c = (mlops_change_opts)MLOPS_CHANGE_OPTS_INIT;
    c.actor = "";
    BAD(mlops_model_create_ex, "empty actor", MLOPS_EINVAL, (S, "fresh", NULL, &c));
    BAD(mlops_model_alias_set_ex, "empty actor", MLOPS_EINVAL, (S, "m", "champion", 2, &c));
    c.actor = BAD_UTF8;
    BAD(mlops_model_version_create_ex, "invalid UTF-8 actor", MLOPS_EINVAL,
        (S, "m", &D, NULL, NULL, &c, &(int64_t){ 0 }));
    c.actor = NULL;
    c.reason = LONG;
    BAD(mlops_model_delete, "over-long reason", MLOPS_EINVAL, (S, "m", 1, &c));
    c.reason = BAD_UTF8;
    BAD(mlops_model_version_delete, "invalid UTF-8 reason", MLOPS_EINVAL, (S, "m", 2, &c));
    c = (mlops_change_opts)MLOPS_CHANGE_OPTS_INIT;
    c.version = 77;
    BAD(mlops_model_tag_delete, "future change options", MLOPS_EINVAL, (S, "m", "k", &c));
    BAD(mlops_model_version_set_status, "future change options", MLOPS_EINVAL,
        (S, "m", 1, MLOPS_VERSION_ARCHIVED, &c));
}

static void registry(void)
{
    snap b = snapshot(store_dir);
    const mlops_change_opts *nc = NULL;
    int64_t v = 0;
    BAD(mlops_model_create, "NULL store", MLOPS_EINVAL, (NULL, "x"));
    BAD(mlops_model_create, "NULL name", MLOPS_EINVAL, (S, NULL));
    BAD(mlops_model_create, "existing", MLOPS_EEXIST, (S, "m"));
    BAD(mlops_model_create_ex, "NULL name", MLOPS_EINVAL, (S, NULL, NULL, nc));
    BAD(mlops_model_rename, "NULL store", MLOPS_EINVAL, (NULL, "m", "x", nc));
    BAD(mlops_model_rename, "NULL name", MLOPS_EINVAL, (S, NULL, "x", nc));
    BAD(mlops_model_rename, "NULL new name", MLOPS_EINVAL, (S, "m", NULL, nc));
    BAD(mlops_model_rename, "unknown", MLOPS_ENOTFOUND, (S, "nope", "x", nc));
    BAD(mlops_model_rename, "name taken", MLOPS_EEXIST, (S, "m", "m2", nc));
    BAD(mlops_model_delete, "NULL name", MLOPS_EINVAL, (S, NULL, 0, nc));
    BAD(mlops_model_delete, "unknown", MLOPS_ENOTFOUND, (S, "nope", 0, nc));
    BAD(mlops_model_delete, "versions left", MLOPS_ECONFLICT, (S, "m", 0, nc));
    BAD(mlops_model_set_description, "NULL store", MLOPS_EINVAL, (NULL, "m", "d", nc));
    BAD(mlops_model_set_description, "unknown", MLOPS_ENOTFOUND, (S, "nope", "d", nc));
    BAD(mlops_model_tag_set, "NULL key", MLOPS_EINVAL, (S, "m", NULL, "v", nc));
    BAD(mlops_model_tag_set, "NULL value", MLOPS_EINVAL, (S, "m", "k", NULL, nc));
    BAD(mlops_model_tag_set, "unknown model", MLOPS_ENOTFOUND, (S, "nope", "k", "v", nc));
    BAD(mlops_model_tag_delete, "NULL key", MLOPS_EINVAL, (S, "m", NULL, nc));
    BAD(mlops_model_tag_delete, "unknown tag", MLOPS_ENOTFOUND, (S, "m", "nope", nc));
    mlops_model *m = NULL;
    BAD(mlops_model_get, "NULL store", MLOPS_EINVAL, (NULL, "m", &m));
    BAD(mlops_model_get, "NULL out", MLOPS_EINVAL, (S, "m", NULL));
    BAD(mlops_model_get, "unknown", MLOPS_ENOTFOUND, (S, "nope", &m));
    VOID(mlops_model_free, "NULL", (NULL));
    const char *k, *val;
    RET(mlops_model_name, "NULL", NULL, (NULL));
    RET(mlops_model_description, "NULL", NULL, (NULL));
    RET(mlops_model_created_ms, "NULL", 0, (NULL));
    RET(mlops_model_updated_ms, "NULL", 0, (NULL));
    RET(mlops_model_deleted_ms, "NULL", 0, (NULL));
    RET(mlops_model_max_version, "NULL", 0, (NULL));
    RET(mlops_model_tag_count, "NULL", 0, (NULL));
    RET(mlops_model_alias_count, "NULL", 0, (NULL));
    RET(mlops_model_tag, "NULL", NULL, (NULL, "k"));
    BAD(mlops_model_tag_at, "NULL model", MLOPS_EINVAL, (NULL, 0, &k, &val));
    BAD(mlops_model_alias_at, "NULL model", MLOPS_EINVAL, (NULL, 0, &k, &v));
    TU_OK(mlops_model_get(S, "m", &m));
    BAD(mlops_model_tag_at, "index out of range", MLOPS_EINVAL, (m, 5, &k, &val));
    BAD(mlops_model_tag_at, "SIZE_MAX index", MLOPS_EINVAL, (m, SIZE_MAX, &k, &val));
    BAD(mlops_model_alias_at, "SIZE_MAX index", MLOPS_EINVAL, (m, SIZE_MAX, &k, &v));
    RET(mlops_model_tag, "NULL key", NULL, (m, NULL));
    mlops_model_free(m);

    mlops_model_search_opts mso;
    mlops_models *ml = NULL;
    BAD(mlops_model_search_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_MODEL_SEARCH_OPTS_VERSION));
    BAD(mlops_model_search_opts_init, "version 0", MLOPS_EINVAL, (&mso, 0));
    BAD(mlops_model_search, "NULL store", MLOPS_EINVAL, (NULL, NULL, &ml));
    BAD(mlops_model_search, "NULL out", MLOPS_EINVAL, (S, NULL, NULL));
    mso = (mlops_model_search_opts)MLOPS_MODEL_SEARCH_OPTS_INIT;
    mso.version = 5;
    BAD(mlops_model_search, "future options", MLOPS_EINVAL, (S, &mso, &ml));
    mso = (mlops_model_search_opts)MLOPS_MODEL_SEARCH_OPTS_INIT;
    mso.ntags = 2;
    BAD(mlops_model_search, "tags without keys", MLOPS_EINVAL, (S, &mso, &ml));
    mso = (mlops_model_search_opts)MLOPS_MODEL_SEARCH_OPTS_INIT;
    mso.name_glob = BAD_UTF8;
    BAD(mlops_model_search, "invalid UTF-8 pattern", MLOPS_EINVAL, (S, &mso, &ml));
    RET(mlops_models_count, "NULL", 0, (NULL));
    RET(mlops_models_at, "NULL", NULL, (NULL, 0));
    VOID(mlops_models_free, "NULL", (NULL));
    TU_OK(mlops_model_search(S, NULL, &ml));
    RET(mlops_models_at, "SIZE_MAX index", NULL, (ml, SIZE_MAX));
    mlops_models_free(ml);
    mlops_model_search_ex_opts mse;
    BAD(mlops_model_search_ex_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_MODEL_SEARCH_EX_OPTS_VERSION));
    BAD(mlops_model_search_ex_opts_init, "version 0", MLOPS_EINVAL, (&mse, 0));
    BAD(mlops_model_search_ex_opts_init, "future version", MLOPS_EINVAL, (&mse, 2));
    BAD(mlops_model_search_ex, "NULL store", MLOPS_EINVAL, (NULL, NULL, &ml));
    BAD(mlops_model_search_ex, "NULL out", MLOPS_EINVAL, (S, NULL, NULL));
    mse = (mlops_model_search_ex_opts)MLOPS_MODEL_SEARCH_EX_OPTS_INIT;
    mse.version = 5;
    BAD(mlops_model_search_ex, "future options", MLOPS_EINVAL, (S, &mse, &ml));
    mse.version = 0;
    BAD(mlops_model_search_ex, "options version 0", MLOPS_EINVAL, (S, &mse, &ml));
    mse = (mlops_model_search_ex_opts)MLOPS_MODEL_SEARCH_EX_OPTS_INIT;
    mse.ntags = 2;
    BAD(mlops_model_search_ex, "tags without keys", MLOPS_EINVAL, (S, &mse, &ml));
    mse.ntags = SIZE_MAX;
    BAD(mlops_model_search_ex, "SIZE_MAX tags without keys", MLOPS_EINVAL, (S, &mse, &ml));
    const char *mkeys[] = { LONG };
    mse.tag_keys = mkeys;
    mse.ntags = 1;
    BAD(mlops_model_search_ex, "over-long tag key", MLOPS_EINVAL, (S, &mse, &ml));
    mkeys[0] = BAD_UTF8;
    BAD(mlops_model_search_ex, "invalid UTF-8 tag key", MLOPS_EINVAL, (S, &mse, &ml));
    mse = (mlops_model_search_ex_opts)MLOPS_MODEL_SEARCH_EX_OPTS_INIT;
    mse.name_glob = BAD_UTF8;
    BAD(mlops_model_search_ex, "invalid UTF-8 pattern", MLOPS_EINVAL, (S, &mse, &ml));
    mse = (mlops_model_search_ex_opts)MLOPS_MODEL_SEARCH_EX_OPTS_INIT;
    mse.lifecycle = 3;
    BAD(mlops_model_search_ex, "unknown lifecycle", MLOPS_EINVAL, (S, &mse, &ml));
    ck_assert_ptr_null(ml);

    BAD(mlops_model_version_create, "NULL store", MLOPS_EINVAL, (NULL, "m", &D, NULL, &v));
    BAD(mlops_model_version_create, "NULL model", MLOPS_EINVAL, (S, NULL, &D, NULL, &v));
    BAD(mlops_model_version_create, "NULL artifact", MLOPS_EINVAL, (S, "m", NULL, NULL, &v));
    BAD(mlops_model_version_create, "NULL out", MLOPS_EINVAL, (S, "m", &D, NULL, NULL));
    BAD(mlops_model_version_create, "unknown model", MLOPS_ENOTFOUND, (S, "nope", &D, NULL, &v));
    BAD(mlops_model_version_create, "unknown artifact", MLOPS_ENOTFOUND, (S, "m", &UNKNOWN, NULL, &v));
    BAD(mlops_model_version_create, "malformed run", MLOPS_EINVAL, (S, "m", &D, "xyz", &v));
    BAD(mlops_model_version_create, "unknown run", MLOPS_ENOTFOUND, (S, "m", &D, UNKNOWN_RUN, &v));
    BAD(mlops_model_version_create_ex, "invalid UTF-8 description", MLOPS_EINVAL,
        (S, "m", &D, NULL, BAD_UTF8, nc, &v));
    BAD(mlops_model_version_create_ex, "over-long description", MLOPS_EINVAL,
        (S, "m", &D, NULL, LONG, nc, &v));
    mlops_model_version *mv = NULL;
    BAD(mlops_model_version_get, "NULL store", MLOPS_EINVAL, (NULL, "m", 1, &mv));
    BAD(mlops_model_version_get, "NULL out", MLOPS_EINVAL, (S, "m", 1, NULL));
    BAD(mlops_model_version_get, "version 0", MLOPS_EINVAL, (S, "m", 0, &mv));
    BAD(mlops_model_version_get, "negative version", MLOPS_EINVAL, (S, "m", -1, &mv));
    BAD(mlops_model_version_get, "INT64_MIN version", MLOPS_EINVAL, (S, "m", INT64_MIN, &mv));
    BAD(mlops_model_version_get, "unknown version", MLOPS_ENOTFOUND, (S, "m", 99, &mv));
    BAD(mlops_model_version_get, "unknown model", MLOPS_ENOTFOUND, (S, "nope", 1, &mv));
    VOID(mlops_model_version_free, "NULL", (NULL));
    unsigned char sig[64];
    mlops_digest fp;
    int64_t when;
    RET(mlops_model_version_model, "NULL", NULL, (NULL));
    RET(mlops_model_version_number, "NULL", 0, (NULL));
    RET(mlops_model_version_artifact, "NULL", NULL, (NULL));
    RET(mlops_model_version_run_id, "NULL", NULL, (NULL));
    RET(mlops_model_version_description, "NULL", NULL, (NULL));
    RET(mlops_model_version_creator, "NULL", NULL, (NULL));
    RET(mlops_model_version_status, "NULL", -1, (NULL));
    RET(mlops_model_version_created_ms, "NULL", 0, (NULL));
    RET(mlops_model_version_updated_ms, "NULL", 0, (NULL));
    RET(mlops_model_version_deleted_ms, "NULL", 0, (NULL));
    RET(mlops_model_version_tag_count, "NULL", 0, (NULL));
    RET(mlops_model_version_tag, "NULL", NULL, (NULL, "k"));
    RET(mlops_model_version_signature_count, "NULL", 0, (NULL));
    BAD(mlops_model_version_tag_at, "NULL version", MLOPS_EINVAL, (NULL, 0, &k, &val));
    BAD(mlops_model_version_signature_at, "NULL version", MLOPS_EINVAL, (NULL, 0, &fp, sig, &when));
    TU_OK(mlops_model_version_get(S, "m", 1, &mv));
    BAD(mlops_model_version_tag_at, "index out of range", MLOPS_EINVAL, (mv, 3, &k, &val));
    BAD(mlops_model_version_signature_at, "SIZE_MAX index", MLOPS_EINVAL, (mv, SIZE_MAX, &fp, sig, &when));
    RET(mlops_model_version_tag, "NULL key", NULL, (mv, NULL));
    mlops_model_version_free(mv);
    mlops_model_versions *vl = NULL;
    BAD(mlops_model_version_list, "NULL store", MLOPS_EINVAL, (NULL, "m", 0, &vl));
    BAD(mlops_model_version_list, "NULL model", MLOPS_EINVAL, (S, NULL, 0, &vl));
    BAD(mlops_model_version_list, "NULL out", MLOPS_EINVAL, (S, "m", 0, NULL));
    BAD(mlops_model_version_list, "unknown model", MLOPS_ENOTFOUND, (S, "nope", 0, &vl));
    BAD(mlops_model_version_list_ex, "NULL store", MLOPS_EINVAL, (NULL, "m", 0, &vl));
    BAD(mlops_model_version_list_ex, "NULL model", MLOPS_EINVAL, (S, NULL, 0, &vl));
    BAD(mlops_model_version_list_ex, "NULL out", MLOPS_EINVAL, (S, "m", 0, NULL));
    BAD(mlops_model_version_list_ex, "invalid UTF-8 model", MLOPS_EINVAL, (S, BAD_UTF8, 0, &vl));
    BAD(mlops_model_version_list_ex, "over-long model", MLOPS_EINVAL, (S, LONG, 0, &vl));
    BAD(mlops_model_version_list_ex, "unknown lifecycle", MLOPS_EINVAL, (S, "m", 3, &vl));
    BAD(mlops_model_version_list_ex, "negative lifecycle", MLOPS_EINVAL, (S, "m", -1, &vl));
    BAD(mlops_model_version_list_ex, "unknown model", MLOPS_ENOTFOUND, (S, "nope", 0, &vl));
    RET(mlops_model_versions_count, "NULL", 0, (NULL));
    RET(mlops_model_versions_at, "NULL", NULL, (NULL, 0));
    VOID(mlops_model_versions_free, "NULL", (NULL));
    TU_OK(mlops_model_version_list(S, "m", 1, &vl));
    RET(mlops_model_versions_at, "SIZE_MAX index", NULL, (vl, SIZE_MAX));
    mlops_model_versions_free(vl);
    BAD(mlops_model_version_set_description, "NULL model", MLOPS_EINVAL, (S, NULL, 1, "d", nc));
    BAD(mlops_model_version_set_description, "negative version", MLOPS_EINVAL, (S, "m", -2, "d", nc));
    BAD(mlops_model_version_set_description, "unknown version", MLOPS_ENOTFOUND, (S, "m", 50, "d", nc));
    BAD(mlops_model_version_set_status, "unknown status", MLOPS_EINVAL, (S, "m", 1, 7, nc));
    BAD(mlops_model_version_set_status, "negative status", MLOPS_EINVAL, (S, "m", 1, -1, nc));
    BAD(mlops_model_version_set_status, "unknown version", MLOPS_ENOTFOUND, (S, "m", 50, 1, nc));
    BAD(mlops_model_version_tag_set, "NULL value", MLOPS_EINVAL, (S, "m", 1, "k", NULL, nc));
    BAD(mlops_model_version_tag_set, "over-long value", MLOPS_EINVAL, (S, "m", 1, "k", LONG, nc));
    BAD(mlops_model_version_tag_set, "unknown version", MLOPS_ENOTFOUND, (S, "m", 50, "k", "v", nc));
    BAD(mlops_model_version_tag_delete, "NULL key", MLOPS_EINVAL, (S, "m", 1, NULL, nc));
    BAD(mlops_model_version_tag_delete, "unknown tag", MLOPS_ENOTFOUND, (S, "m", 1, "nope", nc));
    BAD(mlops_model_version_delete, "NULL model", MLOPS_EINVAL, (S, NULL, 1, nc));
    BAD(mlops_model_version_delete, "version 0", MLOPS_EINVAL, (S, "m", 0, nc));
    BAD(mlops_model_version_delete, "unknown version", MLOPS_ENOTFOUND, (S, "m", 50, nc));

    BAD(mlops_model_alias_set, "NULL store", MLOPS_EINVAL, (NULL, "m", "a", 1));
    BAD(mlops_model_alias_set, "NULL alias", MLOPS_EINVAL, (S, "m", NULL, 1));
    BAD(mlops_model_alias_set, "unknown version", MLOPS_ENOTFOUND, (S, "m", "a", 50));
    BAD(mlops_model_alias_set, "negative version", MLOPS_EINVAL, (S, "m", "a", -1));
    BAD(mlops_model_alias_set, "unknown model", MLOPS_ENOTFOUND, (S, "nope", "a", 1));
    BAD(mlops_model_alias_get, "NULL out", MLOPS_EINVAL, (S, "m", "champion", NULL));
    BAD(mlops_model_alias_get, "alias not set", MLOPS_ENOTFOUND, (S, "m", "nope", &v));
    BAD(mlops_model_alias_get, "missing v<N>", MLOPS_ENOTFOUND, (S, "m", "v99", &v));
    BAD(mlops_model_alias_delete, "not set", MLOPS_ENOTFOUND, (S, "m", "nope", nc));
    BAD(mlops_model_alias_delete, "NULL model", MLOPS_EINVAL, (S, NULL, "a", nc));
    mlops_digest art;
    BAD(mlops_model_resolve, "NULL store", MLOPS_EINVAL, (NULL, "m@champion", &v, &art));
    BAD(mlops_model_resolve, "NULL ref", MLOPS_EINVAL, (S, NULL, &v, &art));
    BAD(mlops_model_resolve, "empty ref", MLOPS_EINVAL, (S, "", &v, &art));
    BAD(mlops_model_resolve, "no alias or number", MLOPS_EINVAL, (S, "m", &v, &art));
    BAD(mlops_model_resolve, "empty alias", MLOPS_EINVAL, (S, "m@", &v, &art));
    BAD(mlops_model_resolve, "invalid UTF-8", MLOPS_EINVAL, (S, BAD_UTF8, &v, &art));
    BAD(mlops_model_resolve, "over-long", MLOPS_EINVAL, (S, LONG, &v, &art));
    BAD(mlops_model_resolve, "unknown model", MLOPS_ENOTFOUND, (S, "nope@champion", &v, &art));
    BAD(mlops_model_resolve, "unknown version", MLOPS_ENOTFOUND, (S, "m/99", &v, &art));
    BAD(mlops_model_resolve, "version beyond int64", MLOPS_EINVAL, (S, "m/99999999999999999999", &v, &art));

    const char *pems[2] = { "garbage", NULL };
    mlops_digest *fps = NULL;
    size_t nfp = 0;
    BAD(mlops_model_alias_policy_set, "NULL keys", MLOPS_EINVAL, (S, "m", "prod", NULL, 1, nc));
    BAD(mlops_model_alias_policy_set, "no key", MLOPS_EINVAL, (S, "m", "prod", pems, 0, nc));
    BAD(mlops_model_alias_policy_set, "a NULL key", MLOPS_EINVAL, (S, "m", "prod", pems + 1, 1, nc));
    BAD(mlops_model_alias_policy_set, "not PEM", MLOPS_EFORMAT, (S, "m", "prod", pems, 1, nc));
    pems[0] = EC_PUB_PEM;
    BAD(mlops_model_alias_policy_set, "not Ed25519", MLOPS_EUNSUPPORTED, (S, "m", "prod", pems, 1, nc));
    pems[0] = PUB_PEM;
    BAD(mlops_model_alias_policy_set, "SIZE_MAX keys", MLOPS_EINVAL, (S, "m", "prod", pems, SIZE_MAX, nc));
    BAD(mlops_model_alias_policy_set, "reserved alias", MLOPS_EINVAL, (S, "m", "latest", pems, 1, nc));
    BAD(mlops_model_alias_policy_set, "unsigned version under the alias", MLOPS_EPOLICY,
        (S, "m2", "champion", pems, 1, nc));
    BAD(mlops_model_alias_policy_delete, "no policy", MLOPS_ENOTFOUND, (S, "m", "prod", nc));
    BAD(mlops_model_alias_policy_delete, "NULL alias", MLOPS_EINVAL, (S, "m", NULL, nc));
    BAD(mlops_model_alias_policy_get, "no policy", MLOPS_ENOTFOUND, (S, "m", "prod", &fps, &nfp));
    BAD(mlops_model_alias_policy_get, "NULL out", MLOPS_EINVAL, (S, "m", "prod", NULL, &nfp));

    BAD(mlops_key_fingerprint, "NULL", MLOPS_EINVAL, (NULL, &fp));
    BAD(mlops_key_fingerprint, "NULL out", MLOPS_EINVAL, (PUB_PEM, NULL));
    BAD(mlops_key_fingerprint, "empty", MLOPS_EFORMAT, ("", &fp));
    BAD(mlops_key_fingerprint, "invalid UTF-8", MLOPS_EFORMAT, (BAD_UTF8, &fp));
    BAD(mlops_key_fingerprint, "over-long", MLOPS_EFORMAT, (LONG, &fp));
    BAD(mlops_key_fingerprint, "not Ed25519", MLOPS_EUNSUPPORTED, (EC_PEM, &fp));
    BAD(mlops_key_fingerprint, "not Ed25519 (public)", MLOPS_EUNSUPPORTED, (EC_PUB_PEM, &fp));
    void *manifest = NULL;
    size_t mlen = 0;
    BAD(mlops_model_version_manifest, "NULL store", MLOPS_EINVAL, (NULL, "m", 1, &manifest, &mlen));
    BAD(mlops_model_version_manifest, "NULL out", MLOPS_EINVAL, (S, "m", 1, NULL, &mlen));
    BAD(mlops_model_version_manifest, "unknown version", MLOPS_ENOTFOUND, (S, "m", 50, &manifest, &mlen));
    BAD(mlops_model_version_sign, "NULL key", MLOPS_EINVAL, (S, "m", 1, NULL, nc));
    BAD(mlops_model_version_sign, "not PEM", MLOPS_EFORMAT, (S, "m", 1, "garbage", nc));
    BAD(mlops_model_version_sign, "public key", MLOPS_EFORMAT, (S, "m", 1, PUB_PEM, nc));
    BAD(mlops_model_version_sign, "not Ed25519", MLOPS_EUNSUPPORTED, (S, "m", 1, EC_PEM, nc));
    BAD(mlops_model_version_sign, "already signed", MLOPS_EEXIST, (S, "m", 1, PRIV_PEM, nc));
    BAD(mlops_model_version_sign, "unknown version", MLOPS_ENOTFOUND, (S, "m", 50, PRIV_PEM, nc));
    BAD(mlops_model_version_verify, "NULL key", MLOPS_EINVAL, (S, "m", 1, NULL));
    BAD(mlops_model_version_verify, "not PEM", MLOPS_EFORMAT, (S, "m", 1, "garbage"));
    BAD(mlops_model_version_verify, "not Ed25519", MLOPS_EUNSUPPORTED, (S, "m", 1, EC_PUB_PEM));
    BAD(mlops_model_version_verify, "a private key", MLOPS_EFORMAT, (S, "m", 1, PRIV_PEM));
    BAD(mlops_model_version_verify, "unsigned version", MLOPS_ESIGNATURE, (S, "m", 2, PUB_PEM));
    BAD(mlops_model_version_verify, "unknown version", MLOPS_ENOTFOUND, (S, "m", 50, PUB_PEM));
    BAD(mlops_model_version_verify_deep, "NULL store", MLOPS_EINVAL, (NULL, "m", 1, PUB_PEM));
    BAD(mlops_model_version_verify_deep, "NULL key", MLOPS_EINVAL, (S, "m", 1, NULL));
    BAD(mlops_model_version_verify_deep, "NULL model", MLOPS_EINVAL, (S, NULL, 1, PUB_PEM));
    BAD(mlops_model_version_verify_deep, "not PEM", MLOPS_EFORMAT, (S, "m", 1, "garbage"));
    BAD(mlops_model_version_verify_deep, "unsigned version", MLOPS_ESIGNATURE, (S, "m", 2, PUB_PEM));
    BAD(mlops_model_version_verify_deep, "unknown version", MLOPS_ENOTFOUND, (S, "m", 50, PUB_PEM));
    BAD(mlops_model_version_verify_deep, "version 0", MLOPS_EINVAL, (S, "m", 0, PUB_PEM));

    mlops_audit_event ev;
    mlops_audit_events *al = NULL;
    int64_t seq, first_bad;
    mlops_digest head;
    BAD(mlops_audit_verify, "NULL store", MLOPS_EINVAL, (NULL));
    BAD(mlops_audit_verify_head, "NULL store", MLOPS_EINVAL, (NULL, 1, &head, &first_bad));
    BAD(mlops_audit_verify_head, "negative head", MLOPS_EINVAL, (S, -1, &UNKNOWN, &first_bad));
    BAD(mlops_audit_verify_head, "a head that is not there", MLOPS_ECORRUPT, (S, 1, &UNKNOWN, &first_bad));
    mlops_audit_verify_opts vo = MLOPS_AUDIT_VERIFY_OPTS_INIT;
    mlops_audit_report rep = MLOPS_AUDIT_REPORT_INIT;
    const char *tkeys[2] = { PUB_PEM, NULL };
    BAD(mlops_audit_verify_ex, "NULL store", MLOPS_EINVAL, (NULL, &vo, &rep));
    vo.version = 0;
    BAD(mlops_audit_verify_ex, "options version 0", MLOPS_EINVAL, (S, &vo, &rep));
    vo.version = MLOPS_AUDIT_VERIFY_OPTS_VERSION;
    rep.version = 99;
    BAD(mlops_audit_verify_ex, "future report version", MLOPS_EINVAL, (S, &vo, &rep));
    rep.version = MLOPS_AUDIT_REPORT_VERSION;
    vo.n_trusted_keys = 1;
    BAD(mlops_audit_verify_ex, "NULL trusted keys", MLOPS_EINVAL, (S, &vo, &rep));
    vo.trusted_keys = tkeys + 1;
    BAD(mlops_audit_verify_ex, "a NULL trusted key", MLOPS_EINVAL, (S, &vo, &rep));
    vo.trusted_keys = tkeys;
    vo.n_trusted_keys = SIZE_MAX;
    BAD(mlops_audit_verify_ex, "SIZE_MAX trusted keys", MLOPS_EINVAL, (S, &vo, &rep));
    tkeys[0] = EC_PUB_PEM;
    vo.n_trusted_keys = 1;
    BAD(mlops_audit_verify_ex, "trusted key not Ed25519", MLOPS_EUNSUPPORTED, (S, &vo, &rep));
    tkeys[0] = "garbage";
    BAD(mlops_audit_verify_ex, "trusted key not PEM", MLOPS_EFORMAT, (S, &vo, &rep));
    tkeys[0] = PUB_PEM;
    vo.min_seq = -1;
    BAD(mlops_audit_verify_ex, "negative min_seq", MLOPS_EINVAL, (S, &vo, &rep));
    vo.min_seq = 1;
    BAD(mlops_audit_verify_ex, "min_seq no checkpoint covers", MLOPS_ESIGNATURE, (S, &vo, &rep));
    vo.n_trusted_keys = 0;
    BAD(mlops_audit_verify_ex, "min_seq without keys", MLOPS_EINVAL, (S, &vo, &rep));
    vo = (mlops_audit_verify_opts)MLOPS_AUDIT_VERIFY_OPTS_INIT;
    vo.head_hash = &UNKNOWN;
    BAD(mlops_audit_verify_ex, "head without seq", MLOPS_EINVAL, (S, &vo, &rep));
    vo.head_seq = 1;
    BAD(mlops_audit_verify_ex, "a head that is not there", MLOPS_ECORRUPT, (S, &vo, &rep));
    BAD(mlops_audit_verify_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_AUDIT_VERIFY_OPTS_VERSION));
    BAD(mlops_audit_verify_opts_init, "version 0", MLOPS_EINVAL, (&vo, 0));
    BAD(mlops_audit_verify_opts_init, "future version", MLOPS_EINVAL, (&vo, 99));
    BAD(mlops_audit_report_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_AUDIT_REPORT_VERSION));
    BAD(mlops_audit_report_init, "version 0", MLOPS_EINVAL, (&rep, 0));
    BAD(mlops_audit_report_init, "future version", MLOPS_EINVAL, (&rep, 99));
    BAD(mlops_audit_checkpoint, "NULL store", MLOPS_EINVAL, (NULL, PRIV_PEM, nc, &seq));
    BAD(mlops_audit_checkpoint, "NULL key", MLOPS_EINVAL, (S, NULL, nc, &seq));
    BAD(mlops_audit_checkpoint, "not PEM", MLOPS_EFORMAT, (S, "garbage", nc, &seq));
    BAD(mlops_audit_checkpoint, "over-long", MLOPS_EFORMAT, (S, LONG, nc, &seq));
    BAD(mlops_audit_checkpoint, "public key", MLOPS_EFORMAT, (S, PUB_PEM, nc, &seq));
    BAD(mlops_audit_checkpoint, "not Ed25519", MLOPS_EUNSUPPORTED, (S, EC_PEM, nc, &seq));
    mlops_change_opts badch = MLOPS_CHANGE_OPTS_INIT;
    badch.actor = BAD_UTF8;
    BAD(mlops_audit_checkpoint, "invalid UTF-8 actor", MLOPS_EINVAL, (S, PRIV_PEM, &badch, &seq));
    badch.actor = NULL;
    badch.version = 99;
    BAD(mlops_audit_checkpoint, "future change version", MLOPS_EINVAL, (S, PRIV_PEM, &badch, &seq));
    BAD(mlops_audit_head, "NULL store", MLOPS_EINVAL, (NULL, &seq, &head));
    BAD(mlops_audit_head, "NULL seq", MLOPS_EINVAL, (S, NULL, &head));
    BAD(mlops_audit_head, "NULL hash", MLOPS_EINVAL, (S, &seq, NULL));
    BAD(mlops_audit_event_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_AUDIT_EVENT_VERSION));
    BAD(mlops_audit_event_init, "version 0", MLOPS_EINVAL, (&ev, 0));
    BAD(mlops_audit_model_events, "NULL name", MLOPS_EINVAL, (S, NULL, &al));
    BAD(mlops_audit_model_events, "NULL out", MLOPS_EINVAL, (S, "m", NULL));
    BAD(mlops_audit_model_events, "never a model", MLOPS_ENOTFOUND, (S, "nope", &al));
    BAD(mlops_audit_model_events, "invalid UTF-8", MLOPS_EINVAL, (S, BAD_UTF8, &al));
    BAD(mlops_audit_list, "NULL store", MLOPS_EINVAL, (NULL, 0, 0, &al));
    BAD(mlops_audit_list, "NULL out", MLOPS_EINVAL, (S, 0, 0, NULL));
    RET(mlops_audit_events_count, "NULL", 0, (NULL));
    BAD(mlops_audit_events_get, "NULL list", MLOPS_EINVAL, (NULL, 0, &ev));
    VOID(mlops_audit_events_free, "NULL", (NULL));
    TU_OK(mlops_audit_list(S, 0, 0, &al));
    mlops_audit_event_init(&ev, MLOPS_AUDIT_EVENT_VERSION);
    BAD(mlops_audit_events_get, "SIZE_MAX index", MLOPS_EINVAL, (al, SIZE_MAX, &ev));
    BAD(mlops_audit_events_get, "NULL event", MLOPS_EINVAL, (al, 0, NULL));
    ev.version = 99;
    BAD(mlops_audit_events_get, "future event version", MLOPS_EINVAL, (al, 0, &ev));
    mlops_audit_events_free(al);
    BAD(mlops_audit_alias_at, "NULL store", MLOPS_EINVAL, (NULL, "m", "champion", 0, &v));
    BAD(mlops_audit_alias_at, "NULL out", MLOPS_EINVAL, (S, "m", "champion", 0, NULL));
    BAD(mlops_audit_alias_at, "before anything", MLOPS_ENOTFOUND, (S, "m", "champion", INT64_MIN, &v));
    BAD(mlops_audit_alias_at, "unknown model", MLOPS_ENOTFOUND, (S, "nope", "champion", 0, &v));

    mlops_version_lineage *vlin = NULL;
    BAD(mlops_model_version_lineage, "NULL store", MLOPS_EINVAL, (NULL, "m", 1, &vlin));
    BAD(mlops_model_version_lineage, "NULL out", MLOPS_EINVAL, (S, "m", 1, NULL));
    BAD(mlops_model_version_lineage, "unknown version", MLOPS_ENOTFOUND, (S, "m", 50, &vlin));
    BAD(mlops_model_version_lineage, "version 0", MLOPS_EINVAL, (S, "m", 0, &vlin));
    VOID(mlops_version_lineage_free, "NULL", (NULL));
    RET(mlops_version_lineage_version, "NULL", 0, (NULL));
    RET(mlops_version_lineage_artifact, "NULL", NULL, (NULL));
    RET(mlops_version_lineage_run, "NULL", NULL, (NULL));
    RET(mlops_version_lineage_inputs, "NULL", NULL, (NULL, &nfp));

    registry_names();
    change_opts_cases();
    same_store(store_dir, &b, "registry.h");
    snap_free(&b);
}

/* ---- drift.h ------------------------------------------------------------------- */

static const double X[6] = { 1, 2, 3, 4, 5, 6 };
static const double NANS[3] = { NAN, NAN, NAN };

/* The two-sample functions share their argument checks. */
typedef int (*two_sample_d)(const double *, size_t, const double *, size_t, double *);
typedef int (*binned_fn)(const double *, size_t, const double *, size_t, size_t, double *);

static void two_sample_cases(const char *name, two_sample_d f, int nan_side_ok)
{
    double out;
    cover(name);
    struct {
        const char *what;
        const double *a;
        size_t na;
        const double *b;
        size_t nb;
        double *out;
    } cases[] = {
        { "NULL reference", NULL, 3, X, 3, &out },  { "NULL current", X, 3, NULL, 3, &out },
        { "NULL out", X, 3, X, 3, NULL },           { "empty reference", X, 0, X, 3, &out },
        { "all-NaN current", X, 3, NANS, 3, &out }, { "SIZE_MAX size", X, SIZE_MAX, X, 3, &out },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (nan_side_ok && cases[i].b == NANS) continue;
        arm();
        check_rc(name, cases[i].what, __LINE__, MLOPS_EINVAL,
                 f(cases[i].a, cases[i].na, cases[i].b, cases[i].nb, cases[i].out));
    }
}

static void binned_cases(const char *name, binned_fn f)
{
    double out;
    cover(name);
    size_t bins[] = { 0, 1 };
    for (size_t i = 0; i < 2; i++) {
        arm();
        check_rc(name, "bins < 2", __LINE__, MLOPS_EINVAL, f(X, 6, X, 6, bins[i], &out));
    }
    arm();
    check_rc(name, "NULL out", __LINE__, MLOPS_EINVAL, f(X, 6, X, 6, 4, NULL));
    arm();
    check_rc(name, "all-NaN reference", __LINE__, MLOPS_EINVAL, f(NANS, 3, X, 6, 4, &out));
    arm();
    check_rc(name, "NULL current", __LINE__, MLOPS_EINVAL, f(X, 6, NULL, 6, 4, &out));
    arm();
    check_rc(name, "SIZE_MAX size", __LINE__, MLOPS_EINVAL, f(X, 6, X, SIZE_MAX, 4, &out));
    arm();
    check_rc(name, "SIZE_MAX bins", __LINE__, MLOPS_EINVAL, f(X, 6, X, 6, SIZE_MAX, &out));
}

static int ks_d(const double *a, size_t na, const double *b, size_t nb, double *out)
{
    mlops_test_result r;
    int rc = mlops_drift_ks(a, na, b, nb, out ? &r : NULL);
    if (out && !rc) *out = r.statistic;
    return rc;
}

static int cvm_d(const double *a, size_t na, const double *b, size_t nb, double *out)
{
    mlops_test_result r;
    return mlops_drift_cramer_von_mises(a, na, b, nb, out ? &r : NULL);
}

static int missing_d(const double *a, size_t na, const double *b, size_t nb, double *out)
{
    mlops_test_result r;
    (void)out;
    return mlops_drift_missing(a, na, b, nb, out ? &r : NULL);
}

static void drift_arrays(void)
{
    two_sample_cases("mlops_drift_ks", ks_d, 0);
    two_sample_cases("mlops_drift_wasserstein", mlops_drift_wasserstein, 0);
    two_sample_cases("mlops_drift_energy", mlops_drift_energy, 0);
    two_sample_cases("mlops_drift_cramer_von_mises", cvm_d, 0);
    /* NaN is what the missing-value test counts: an all-NaN side is valid */
    two_sample_cases("mlops_drift_missing", missing_d, 1);
    binned_cases("mlops_drift_psi", mlops_drift_psi);
    binned_cases("mlops_drift_jensen_shannon", mlops_drift_jensen_shannon);
    binned_cases("mlops_drift_kl", mlops_drift_kl);
    binned_cases("mlops_drift_hellinger", mlops_drift_hellinger);
    mlops_test_result tr;
    BAD(mlops_drift_cramer_von_mises, "one value", MLOPS_EINVAL, (X, 1, X, 6, &tr));

    mlops_ks_result kr;
    BAD(mlops_ks_result_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_KS_RESULT_VERSION));
    BAD(mlops_ks_result_init, "version 0", MLOPS_EINVAL, (&kr, 0));
    mlops_ks_result_init(&kr, MLOPS_KS_RESULT_VERSION);
    BAD(mlops_drift_ks_ex, "unknown method", MLOPS_EINVAL, (X, 6, X, 6, 9, &kr));
    BAD(mlops_drift_ks_ex, "negative method", MLOPS_EINVAL, (X, 6, X, 6, -1, &kr));
    BAD(mlops_drift_ks_ex, "NULL out", MLOPS_EINVAL, (X, 6, X, 6, 0, NULL));
    kr.version = 0;
    BAD(mlops_drift_ks_ex, "result version 0", MLOPS_EINVAL, (X, 6, X, 6, 0, &kr));

    mlops_binned_result br;
    BAD(mlops_binned_result_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_BINNED_RESULT_VERSION));
    BAD(mlops_binned_result_init, "version 0", MLOPS_EINVAL, (&br, 0));
    mlops_binned_result_init(&br, MLOPS_BINNED_RESULT_VERSION);
    BAD(mlops_drift_binned, "bins 1", MLOPS_EINVAL, (X, 6, X, 6, 1, &br));
    BAD(mlops_drift_binned, "NULL out", MLOPS_EINVAL, (X, 6, X, 6, 4, NULL));
    BAD(mlops_drift_binned, "all-NaN current", MLOPS_EINVAL, (X, 6, NANS, 3, 4, &br));
    br.version = 77;
    BAD(mlops_drift_binned, "future result version", MLOPS_EINVAL, (X, 6, X, 6, 4, &br));
    mlops_binned_result_init(&br, MLOPS_BINNED_RESULT_VERSION);
    const double counts[3] = { 1, 2, 3 }, negative[3] = { 1, -2, 3 }, nan[3] = { 1, NAN, 3 },
                 inf[3] = { 1, INFINITY, 3 }, zeros[3] = { 0, 0, 0 };
    struct {
        const char *what;
        const double *a, *b;
        size_t k;
    } cc[] = {
        { "k = 0", counts, counts, 0 },        { "NULL reference", NULL, counts, 3 },
        { "a negative count", counts, negative, 3 }, { "a NaN count", nan, counts, 3 },
        { "an infinite count", counts, inf, 3 }, { "all-zero side", zeros, counts, 3 },
        { "SIZE_MAX k", counts, counts, SIZE_MAX },
    };
    for (size_t i = 0; i < sizeof cc / sizeof cc[0]; i++) {
        BAD(mlops_drift_chisq, cc[i].what, MLOPS_EINVAL, (cc[i].a, cc[i].b, cc[i].k, &tr));
        BAD(mlops_drift_binned_counts, cc[i].what, MLOPS_EINVAL, (cc[i].a, cc[i].b, cc[i].k, &br));
    }
    BAD(mlops_drift_chisq, "NULL out", MLOPS_EINVAL, (counts, counts, 3, NULL));

    double *edges = NULL;
    size_t ne = 0;
    BAD(mlops_drift_quantile_edges, "NULL values", MLOPS_EINVAL, (NULL, 3, 4, &edges, &ne));
    BAD(mlops_drift_quantile_edges, "bins 1", MLOPS_EINVAL, (X, 6, 1, &edges, &ne));
    BAD(mlops_drift_quantile_edges, "all NaN", MLOPS_EINVAL, (NANS, 3, 4, &edges, &ne));
    BAD(mlops_drift_quantile_edges, "NULL out", MLOPS_EINVAL, (X, 6, 4, NULL, &ne));
    BAD(mlops_drift_quantile_edges, "SIZE_MAX size", MLOPS_EINVAL, (X, SIZE_MAX, 4, &edges, &ne));
    BAD(mlops_drift_quantile_edges, "SIZE_MAX bins", MLOPS_EINVAL, (X, 6, SIZE_MAX, &edges, &ne));
    uint64_t bc[4];
    const double e_ok[3] = { 1, 2, 3 }, e_down[3] = { 1, 3, 2 }, e_nan[3] = { 1, NAN, 3 };
    BAD(mlops_drift_bin_counts, "edges not increasing", MLOPS_EINVAL, (X, 6, e_down, 3, bc));
    BAD(mlops_drift_bin_counts, "a NaN edge", MLOPS_EINVAL, (X, 6, e_nan, 3, bc));
    BAD(mlops_drift_bin_counts, "NULL counts", MLOPS_EINVAL, (X, 6, e_ok, 3, NULL));
    BAD(mlops_drift_bin_counts, "NULL values", MLOPS_EINVAL, (NULL, 6, e_ok, 3, bc));
    BAD(mlops_drift_bin_counts, "SIZE_MAX edges", MLOPS_EINVAL, (X, 6, e_ok, SIZE_MAX, bc));
    double adj[3];
    const double p_nan[3] = { 0.1, NAN, 0.2 }, p_big[3] = { 0.1, 1.5, 0.2 }, p_neg[2] = { -0.1, 0.5 };
    BAD(mlops_drift_bh_adjust, "a NaN p-value", MLOPS_EINVAL, (p_nan, 3, adj));
    BAD(mlops_drift_bh_adjust, "a p-value above 1", MLOPS_EINVAL, (p_big, 3, adj));
    BAD(mlops_drift_bh_adjust, "a negative p-value", MLOPS_EINVAL, (p_neg, 2, adj));
    BAD(mlops_drift_bh_adjust, "NULL p", MLOPS_EINVAL, (NULL, 3, adj));
    BAD(mlops_drift_bh_adjust, "NULL out", MLOPS_EINVAL, (counts, 3, NULL));
    BAD(mlops_drift_bh_adjust, "SIZE_MAX size", MLOPS_EINVAL, (counts, SIZE_MAX, adj));
}

static int ks_opts_d(const double *a, size_t na, const double *b, size_t nb, double *out)
{
    mlops_ks_result r = MLOPS_KS_RESULT_INIT;
    (void)out;
    return mlops_drift_ks_opts(a, na, b, nb, NULL, out ? &r : NULL);
}

static int cvm_opts_d(const double *a, size_t na, const double *b, size_t nb, double *out)
{
    mlops_test_result r;
    (void)out;
    return mlops_drift_cramer_von_mises_opts(a, na, b, nb, NULL, out ? &r : NULL);
}

static int wasserstein_opts_d(const double *a, size_t na, const double *b, size_t nb, double *out)
{
    return mlops_drift_wasserstein_opts(a, na, b, nb, NULL, out);
}

static int energy_opts_d(const double *a, size_t na, const double *b, size_t nb, double *out)
{
    return mlops_drift_energy_opts(a, na, b, nb, NULL, out);
}

/* The options of 1.1 (issue 26). */
static void drift_options(void)
{
    two_sample_cases("mlops_drift_ks_opts", ks_opts_d, 0);
    two_sample_cases("mlops_drift_cramer_von_mises_opts", cvm_opts_d, 0);
    two_sample_cases("mlops_drift_wasserstein_opts", wasserstein_opts_d, 0);
    two_sample_cases("mlops_drift_energy_opts", energy_opts_d, 0);

    mlops_ks_opts ko;
    mlops_ks_result kr = MLOPS_KS_RESULT_INIT;
    BAD(mlops_ks_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_KS_OPTS_VERSION));
    BAD(mlops_ks_opts_init, "version 0", MLOPS_EINVAL, (&ko, 0));
    BAD(mlops_ks_opts_init, "future version", MLOPS_EINVAL, (&ko, 99));
    mlops_ks_opts_init(&ko, MLOPS_KS_OPTS_VERSION);
    ko.alternative = 3;
    BAD(mlops_drift_ks_opts, "unknown alternative", MLOPS_EINVAL, (X, 6, X, 6, &ko, &kr));
    ko.alternative = MLOPS_KS_GREATER;
    ko.method = -1;
    BAD(mlops_drift_ks_opts, "unknown method", MLOPS_EINVAL, (X, 6, X, 6, &ko, &kr));
    ko.method = MLOPS_KS_AUTO;
    ko.version = 0;
    BAD(mlops_drift_ks_opts, "opts version 0", MLOPS_EINVAL, (X, 6, X, 6, &ko, &kr));
    kr.version = 0;
    BAD(mlops_drift_ks_opts, "result version 0", MLOPS_EINVAL, (X, 6, X, 6, NULL, &kr));

    mlops_cvm_opts co;
    mlops_test_result tr;
    BAD(mlops_cvm_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_CVM_OPTS_VERSION));
    BAD(mlops_cvm_opts_init, "version 0", MLOPS_EINVAL, (&co, 0));
    mlops_cvm_opts_init(&co, MLOPS_CVM_OPTS_VERSION);
    co.method = 5;
    BAD(mlops_drift_cramer_von_mises_opts, "unknown method", MLOPS_EINVAL, (X, 6, X, 6, &co, &tr));
    co.method = MLOPS_CVM_AUTO;
    co.version = 9;
    BAD(mlops_drift_cramer_von_mises_opts, "future opts version", MLOPS_EINVAL, (X, 6, X, 6, &co, &tr));

    mlops_distance_opts dopt;
    double d;
    const double w_neg[6] = { 1, 1, -1, 1, 1, 1 }, w_inf[6] = { 1, INFINITY, 1, 1, 1, 1 },
                 w_zero[6] = { 0 };
    BAD(mlops_distance_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_DISTANCE_OPTS_VERSION));
    BAD(mlops_distance_opts_init, "version 0", MLOPS_EINVAL, (&dopt, 0));
    struct {
        const char *what;
        const double *wa, *wb;
        size_t na;
        unsigned version;
    } dw[] = {
        { "a negative weight", w_neg, NULL, 6, 1 }, { "an infinite weight", NULL, w_inf, 6, 1 },
        { "weights summing to 0", w_zero, NULL, 6, 1 }, { "opts version 0", w_neg, NULL, 6, 0 },
        { "weights and SIZE_MAX size", w_neg, NULL, SIZE_MAX, 1 },
    };
    for (size_t i = 0; i < sizeof dw / sizeof dw[0]; i++) {
        mlops_distance_opts_init(&dopt, MLOPS_DISTANCE_OPTS_VERSION);
        dopt.ref_weights = dw[i].wa;
        dopt.cur_weights = dw[i].wb;
        dopt.version = dw[i].version;
        BAD(mlops_drift_wasserstein_opts, dw[i].what, MLOPS_EINVAL, (X, dw[i].na, X, 6, &dopt, &d));
        BAD(mlops_drift_energy_opts, dw[i].what, MLOPS_EINVAL, (X, dw[i].na, X, 6, &dopt, &d));
    }

    mlops_binned_opts bo;
    mlops_binned_result br = MLOPS_BINNED_RESULT_INIT;
    const double counts[3] = { 1, 2, 3 }, negative[3] = { 1, -2, 3 };
    BAD(mlops_binned_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_BINNED_OPTS_VERSION));
    BAD(mlops_binned_opts_init, "version 0", MLOPS_EINVAL, (&bo, 0));
    mlops_binned_opts_init(&bo, MLOPS_BINNED_OPTS_VERSION);
    BAD(mlops_drift_binned_opts, "bins 1", MLOPS_EINVAL, (X, 6, X, 6, 1, &bo, &br));
    BAD(mlops_drift_binned_opts, "NULL out", MLOPS_EINVAL, (X, 6, X, 6, 4, &bo, NULL));
    BAD(mlops_drift_binned_opts, "SIZE_MAX size", MLOPS_EINVAL, (X, SIZE_MAX, X, 6, 4, &bo, &br));
    BAD(mlops_drift_binned_counts_opts, "a negative count", MLOPS_EINVAL,
        (counts, negative, 3, &bo, &br));
    BAD(mlops_drift_binned_counts_opts, "SIZE_MAX k", MLOPS_EINVAL, (counts, counts, SIZE_MAX, &bo, &br));
    BAD(mlops_drift_binned_counts_opts, "NULL out", MLOPS_EINVAL, (counts, counts, 3, &bo, NULL));
    const double bases[] = { 1.0, 0.5, -2.0, NAN, INFINITY };
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        bo.base = bases[i];
        BAD(mlops_drift_binned_opts, "a bad base", MLOPS_EINVAL, (X, 6, X, 6, 4, &bo, &br));
        BAD(mlops_drift_binned_counts_opts, "a bad base", MLOPS_EINVAL, (counts, counts, 3, &bo, &br));
    }
    mlops_binned_opts_init(&bo, MLOPS_BINNED_OPTS_VERSION);
    bo.kl_floor = -1;
    BAD(mlops_drift_binned_counts_opts, "kl_floor -1", MLOPS_EINVAL, (counts, counts, 3, &bo, &br));
    bo.kl_floor = 1;
    bo.version = 0;
    BAD(mlops_drift_binned_opts, "opts version 0", MLOPS_EINVAL, (X, 6, X, 6, 4, &bo, &br));

    mlops_chisq_opts qo;
    mlops_chisq_result qr;
    BAD(mlops_chisq_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_CHISQ_OPTS_VERSION));
    BAD(mlops_chisq_opts_init, "version 0", MLOPS_EINVAL, (&qo, 0));
    BAD(mlops_chisq_result_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_CHISQ_RESULT_VERSION));
    BAD(mlops_chisq_result_init, "version 0", MLOPS_EINVAL, (&qr, 0));
    mlops_chisq_opts_init(&qo, MLOPS_CHISQ_OPTS_VERSION);
    mlops_chisq_result_init(&qr, MLOPS_CHISQ_RESULT_VERSION);
    const double t4[4] = { 1, 2, 3, 4 }, t_empty_row[4] = { 0, 0, 3, 4 }, t_nan[4] = { 1, NAN, 3, 4 };
    BAD(mlops_drift_chisq_table, "NULL table", MLOPS_EINVAL, (NULL, 2, 2, &qo, &qr));
    BAD(mlops_drift_chisq_table, "0 rows", MLOPS_EINVAL, (t4, 0, 2, &qo, &qr));
    BAD(mlops_drift_chisq_table, "0 columns", MLOPS_EINVAL, (t4, 2, 0, &qo, &qr));
    BAD(mlops_drift_chisq_table, "rows x cols overflowing", MLOPS_EINVAL, (t4, SIZE_MAX, 2, &qo, &qr));
    BAD(mlops_drift_chisq_table, "SIZE_MAX cells", MLOPS_EINVAL, (t4, SIZE_MAX, 1, &qo, &qr));
    BAD(mlops_drift_chisq_table, "an empty row", MLOPS_EINVAL, (t_empty_row, 2, 2, &qo, &qr));
    BAD(mlops_drift_chisq_table, "a NaN count", MLOPS_EINVAL, (t_nan, 2, 2, &qo, &qr));
    BAD(mlops_drift_chisq_table, "NULL out", MLOPS_EINVAL, (t4, 2, 2, &qo, NULL));
    qo.lambda = INFINITY;
    BAD(mlops_drift_chisq_table, "an infinite lambda", MLOPS_EINVAL, (t4, 2, 2, &qo, &qr));
    qo.lambda = MLOPS_LAMBDA_PEARSON;
    qo.correction = 5;
    BAD(mlops_drift_chisq_table, "correction 5", MLOPS_EINVAL, (t4, 2, 2, &qo, &qr));
    qo.correction = 1;
    qo.version = 0;
    BAD(mlops_drift_chisq_table, "opts version 0", MLOPS_EINVAL, (t4, 2, 2, &qo, &qr));
    qr.version = 0;
    BAD(mlops_drift_chisq_table, "result version 0", MLOPS_EINVAL, (t4, 2, 2, NULL, &qr));
}

static void drift_profiles(void)
{
    mlops_profile_opts po;
    mlops_profile *p = NULL, *num = NULL, *cat = NULL;
    BAD(mlops_profile_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_PROFILE_OPTS_VERSION));
    BAD(mlops_profile_opts_init, "version 0", MLOPS_EINVAL, (&po, 0));
    BAD(mlops_profile_new, "NULL out", MLOPS_EINVAL, (MLOPS_PROFILE_NUMERIC, NULL, NULL));
    BAD(mlops_profile_new, "unknown kind", MLOPS_EINVAL, (9, NULL, &p));
    struct {
        const char *what;
        uint32_t bins, k, freeze, cats;
        const double *edges;
        size_t ne;
    } bad[] = {
        { "bins 1", 1, 2048, 100000, 10000, NULL, 0 },
        { "bins UINT32_MAX", UINT32_MAX, 2048, 100000, 10000, NULL, 0 },
        { "odd sketch k", 10, 2047, 100000, 10000, NULL, 0 },
        { "sketch k UINT32_MAX", 10, UINT32_MAX, 100000, 10000, NULL, 0 },
        { "freeze_after 0", 10, 2048, 0, 10000, NULL, 0 },
        { "max_categories 1", 10, 2048, 100000, 1, NULL, 0 },
        { "NaN edge", 10, 2048, 100000, 10000, NANS, 1 },
        { "edges not increasing", 10, 2048, 100000, 10000, (const double[]){ 2, 1 }, 2 },
        { "edges NULL with a count", 10, 2048, 100000, 10000, NULL, 3 },
        { "SIZE_MAX edges", 10, 2048, 100000, 10000, X, SIZE_MAX },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        po = (mlops_profile_opts)MLOPS_PROFILE_OPTS_INIT;
        po.bins = bad[i].bins;
        po.sketch_k = bad[i].k;
        po.freeze_after = bad[i].freeze;
        po.max_categories = bad[i].cats;
        po.edges = bad[i].edges;
        po.n_edges = bad[i].ne;
        BAD(mlops_profile_new, bad[i].what, MLOPS_EINVAL, (MLOPS_PROFILE_NUMERIC, &po, &p));
        ck_assert_ptr_null(p);
    }
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &num));
    TU_OK(mlops_profile_new(MLOPS_PROFILE_CATEGORICAL, NULL, &cat));
    BAD(mlops_profile_new_like, "NULL reference", MLOPS_EINVAL, (NULL, &p));
    BAD(mlops_profile_new_like, "NULL out", MLOPS_EINVAL, (num, NULL));
    VOID(mlops_profile_free, "NULL", (NULL));
    RET(mlops_profile_kind, "NULL", 0, (NULL));
    BAD(mlops_profile_add, "NULL profile", MLOPS_EINVAL, (NULL, X, 6));
    BAD(mlops_profile_add, "NULL values", MLOPS_EINVAL, (num, NULL, 6));
    BAD(mlops_profile_add, "categorical profile", MLOPS_EINVAL, (cat, X, 6));
    BAD(mlops_profile_add, "SIZE_MAX size", MLOPS_EINVAL, (num, X, SIZE_MAX));
    const char *strs[3] = { "a", BAD_UTF8, NULL };
    BAD(mlops_profile_add_strings, "NULL profile", MLOPS_EINVAL, (NULL, strs, 1));
    BAD(mlops_profile_add_strings, "numeric profile", MLOPS_EINVAL, (num, strs, 1));
    BAD(mlops_profile_add_strings, "invalid UTF-8", MLOPS_EINVAL, (cat, strs, 2));
    strs[1] = LONG;
    BAD(mlops_profile_add_strings, "over-long", MLOPS_EINVAL, (cat, strs, 2));
    BAD(mlops_profile_add_strings, "NULL array", MLOPS_EINVAL, (cat, NULL, 2));
    BAD(mlops_profile_add_strings, "SIZE_MAX size", MLOPS_EINVAL, (cat, strs, SIZE_MAX));
    BAD(mlops_profile_freeze, "NULL", MLOPS_EINVAL, (NULL));
    BAD(mlops_profile_merge, "NULL into", MLOPS_EINVAL, (NULL, num));
    BAD(mlops_profile_merge, "NULL from", MLOPS_EINVAL, (num, NULL));
    BAD(mlops_profile_merge, "different kinds", MLOPS_EINVAL, (num, cat));
    mlops_profile_summary ps;
    BAD(mlops_profile_summary_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_PROFILE_SUMMARY_VERSION));
    BAD(mlops_profile_summary_init, "version 0", MLOPS_EINVAL, (&ps, 0));
    BAD(mlops_profile_summary_get, "NULL profile", MLOPS_EINVAL, (NULL, &ps));
    BAD(mlops_profile_summary_get, "NULL out", MLOPS_EINVAL, (num, NULL));
    ps.version = 0;
    BAD(mlops_profile_summary_get, "summary version 0", MLOPS_EINVAL, (num, &ps));
    const double *pe;
    size_t ne;
    double q;
    uint64_t cnt;
    BAD(mlops_profile_edges, "NULL", MLOPS_EINVAL, (NULL, &pe, &ne));
    BAD(mlops_profile_edges, "categorical", MLOPS_EINVAL, (cat, &pe, &ne));
    BAD(mlops_profile_edges, "not frozen", MLOPS_EINVAL, (num, &pe, &ne));
    BAD(mlops_profile_quantile, "NULL", MLOPS_EINVAL, (NULL, 0.5, &q));
    TU_OK(mlops_profile_add(num, X, 6));
    BAD(mlops_profile_quantile, "NaN q", MLOPS_EINVAL, (num, NAN, &q));
    BAD(mlops_profile_quantile, "q above 1", MLOPS_EINVAL, (num, 1.5, &q));
    BAD(mlops_profile_quantile, "negative q", MLOPS_EINVAL, (num, -0.1, &q));
    BAD(mlops_profile_quantile, "categorical", MLOPS_EINVAL, (cat, 0.5, &q));
    BAD(mlops_profile_quantile, "NULL out", MLOPS_EINVAL, (num, 0.5, NULL));
    BAD(mlops_profile_category_count, "NULL", MLOPS_EINVAL, (NULL, "a", &cnt));
    BAD(mlops_profile_category_count, "numeric", MLOPS_EINVAL, (num, "a", &cnt));
    BAD(mlops_profile_category_count, "NULL out", MLOPS_EINVAL, (cat, "a", NULL));
    /* No category can be invalid UTF-8 or over-long: documented as absent, 0. */
    cnt = 7;
    BAD(mlops_profile_category_count, "invalid UTF-8", MLOPS_OK, (cat, BAD_UTF8, &cnt));
    ck_assert_uint_eq(cnt, 0);
    cnt = 7;
    BAD(mlops_profile_category_count, "over-long", MLOPS_OK, (cat, LONG, &cnt));
    ck_assert_uint_eq(cnt, 0);
    void *buf = NULL;
    size_t len = 0;
    BAD(mlops_profile_serialize, "NULL", MLOPS_EINVAL, (NULL, &buf, &len));
    BAD(mlops_profile_serialize, "NULL out", MLOPS_EINVAL, (num, NULL, &len));
    BAD(mlops_profile_deserialize, "NULL out", MLOPS_EINVAL, ("x", 1, NULL));
    BAD(mlops_profile_deserialize, "NULL bytes", MLOPS_EINVAL, (NULL, 5, &p));
    BAD(mlops_profile_deserialize, "empty", MLOPS_EFORMAT, ("", 0, &p));
    BAD(mlops_profile_deserialize, "not msgpack", MLOPS_EFORMAT, (BAD_UTF8, strlen(BAD_UTF8), &p));
    BAD(mlops_profile_deserialize, "over-long garbage", MLOPS_EFORMAT, (LONG, strlen(LONG), &p));
    mlops_digest d;
    BAD(mlops_profile_put, "NULL store", MLOPS_EINVAL, (NULL, num, &d));
    BAD(mlops_profile_put, "NULL profile", MLOPS_EINVAL, (S, NULL, &d));
    BAD(mlops_profile_put, "NULL out", MLOPS_EINVAL, (S, num, NULL));
    BAD(mlops_profile_get, "NULL store", MLOPS_EINVAL, (NULL, &D, &p));
    BAD(mlops_profile_get, "NULL digest", MLOPS_EINVAL, (S, NULL, &p));
    BAD(mlops_profile_get, "unknown digest", MLOPS_ENOTFOUND, (S, &UNKNOWN, &p));
    BAD(mlops_profile_get, "a blob that is not a profile", MLOPS_EFORMAT, (S, &D, &p));
    ck_assert_ptr_null(p);

    mlops_profile_comparison c;
    BAD(mlops_profile_comparison_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_PROFILE_COMPARISON_VERSION));
    BAD(mlops_profile_comparison_init, "version 0", MLOPS_EINVAL, (&c, 0));
    mlops_profile_comparison_init(&c, MLOPS_PROFILE_COMPARISON_VERSION);
    BAD(mlops_profile_compare, "NULL reference", MLOPS_EINVAL, (NULL, num, &c));
    BAD(mlops_profile_compare, "different kinds", MLOPS_EINVAL, (num, cat, &c));
    BAD(mlops_profile_compare, "NULL out", MLOPS_EINVAL, (num, num, NULL));
    c.alpha = NAN;
    BAD(mlops_profile_compare, "NaN alpha", MLOPS_EINVAL, (num, num, &c));
    BAD(mlops_profile_compare_values, "NaN alpha", MLOPS_EINVAL, (num, X, 6, &c));
    c.alpha = 0;
    BAD(mlops_profile_compare_values, "alpha 0", MLOPS_EINVAL, (num, X, 6, &c));
    c.alpha = 0.05;
    BAD(mlops_profile_compare_values, "categorical reference", MLOPS_EINVAL, (cat, X, 6, &c));
    BAD(mlops_profile_compare_values, "all-NaN current", MLOPS_EINVAL, (num, NANS, 3, &c));
    BAD(mlops_profile_compare_values, "NULL values", MLOPS_EINVAL, (num, NULL, 3, &c));
    BAD(mlops_profile_compare_values, "SIZE_MAX size", MLOPS_EINVAL, (num, X, SIZE_MAX, &c));
    const char *cur[2] = { "a", BAD_UTF8 };
    BAD(mlops_profile_compare_strings, "numeric reference", MLOPS_EINVAL, (num, cur, 1, &c));
    BAD(mlops_profile_compare_strings, "invalid UTF-8", MLOPS_EINVAL, (cat, cur, 2, &c));
    BAD(mlops_profile_compare_strings, "NULL array", MLOPS_EINVAL, (cat, NULL, 2, &c));
    c.version = 0;
    BAD(mlops_profile_compare, "comparison version 0", MLOPS_EINVAL, (num, num, &c));
    mlops_profile_free(num);
    mlops_profile_free(cat);
}

static void drift_reports(void)
{
    mlops_drift_report_opts ro;
    mlops_drift_report *rep = NULL;
    const char *names[2] = { "a", "b" }, *dup[2] = { "a", "a" }, *badn[2] = { "a", BAD_UTF8 };
    const int kinds[2] = { MLOPS_COLUMN_NUMERIC, MLOPS_COLUMN_NUMERIC },
              badk[2] = { MLOPS_COLUMN_NUMERIC, 9 };
    const double *cols[2] = { X, X }, *nancols[2] = { X, NANS };
    const size_t ns[2] = { 6, 6 }, nn[2] = { 6, 3 }, nmax[2] = { 6, SIZE_MAX };
    BAD(mlops_drift_report_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_DRIFT_REPORT_OPTS_VERSION));
    BAD(mlops_drift_report_opts_init, "version 0", MLOPS_EINVAL, (&ro, 0));
    BAD(mlops_drift_report_compute, "no column", MLOPS_EINVAL, (0, names, kinds, cols, ns, cols, ns, NULL, &rep));
    BAD(mlops_drift_report_compute, "NULL names", MLOPS_EINVAL, (2, NULL, kinds, cols, ns, cols, ns, NULL, &rep));
    BAD(mlops_drift_report_compute, "NULL out", MLOPS_EINVAL, (2, names, kinds, cols, ns, cols, ns, NULL, NULL));
    BAD(mlops_drift_report_compute, "duplicate names", MLOPS_EINVAL, (2, dup, kinds, cols, ns, cols, ns, NULL, &rep));
    BAD(mlops_drift_report_compute, "invalid UTF-8 name", MLOPS_EINVAL, (2, badn, kinds, cols, ns, cols, ns, NULL, &rep));
    BAD(mlops_drift_report_compute, "unknown kind", MLOPS_EINVAL, (2, names, badk, cols, ns, cols, ns, NULL, &rep));
    BAD(mlops_drift_report_compute, "an all-NaN column", MLOPS_EINVAL, (2, names, kinds, cols, ns, nancols, nn, NULL, &rep));
    BAD(mlops_drift_report_compute, "SIZE_MAX column size", MLOPS_EINVAL, (2, names, kinds, cols, ns, cols, nmax, NULL, &rep));
    BAD(mlops_drift_report_compute, "SIZE_MAX columns", MLOPS_EINVAL, (SIZE_MAX, names, kinds, cols, ns, cols, ns, NULL, &rep));
    ro = (mlops_drift_report_opts)MLOPS_DRIFT_REPORT_OPTS_INIT;
    ro.drift_share = NAN;
    BAD(mlops_drift_report_compute, "NaN drift share", MLOPS_EINVAL, (2, names, kinds, cols, ns, cols, ns, &ro, &rep));
    ro.drift_share = 0;
    BAD(mlops_drift_report_compute, "drift share 0", MLOPS_EINVAL, (2, names, kinds, cols, ns, cols, ns, &ro, &rep));
    ro = (mlops_drift_report_opts)MLOPS_DRIFT_REPORT_OPTS_INIT;
    ro.correction = 5;
    BAD(mlops_drift_report_compute, "unknown correction", MLOPS_EINVAL, (2, names, kinds, cols, ns, cols, ns, &ro, &rep));
    ro = (mlops_drift_report_opts)MLOPS_DRIFT_REPORT_OPTS_INIT;
    ro.bins = 1;
    BAD(mlops_drift_report_compute, "bins 1", MLOPS_EINVAL, (2, names, kinds, cols, ns, cols, ns, &ro, &rep));
    ro = (mlops_drift_report_opts)MLOPS_DRIFT_REPORT_OPTS_INIT;
    ro.methods = (const int[]){ 99, 0 };
    BAD(mlops_drift_report_compute, "unknown method", MLOPS_EINVAL, (2, names, kinds, cols, ns, cols, ns, &ro, &rep));
    ro = (mlops_drift_report_opts)MLOPS_DRIFT_REPORT_OPTS_INIT;
    ro.thresholds = (const double[]){ -1, INFINITY };
    BAD(mlops_drift_report_compute, "negative and infinite thresholds", MLOPS_EINVAL,
        (2, names, kinds, cols, ns, cols, ns, &ro, &rep));
    ro = (mlops_drift_report_opts)MLOPS_DRIFT_REPORT_OPTS_INIT;
    ro.version = 0;
    BAD(mlops_drift_report_compute, "options version 0", MLOPS_EINVAL, (2, names, kinds, cols, ns, cols, ns, &ro, &rep));
    ck_assert_ptr_null(rep);
    VOID(mlops_drift_report_free, "NULL", (NULL));
    char *json = NULL, *html = NULL;
    BAD(mlops_drift_report_json, "NULL report", MLOPS_EINVAL, (NULL, &json));
    TU_OK(mlops_drift_report_compute(2, names, kinds, cols, ns, cols, ns, NULL, &rep));
    BAD(mlops_drift_report_json, "NULL out", MLOPS_EINVAL, (rep, NULL));
    mlops_drift_html_opts ho;
    BAD(mlops_drift_html_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_DRIFT_HTML_OPTS_VERSION));
    BAD(mlops_drift_html_opts_init, "version 0", MLOPS_EINVAL, (&ho, 0));
    BAD(mlops_drift_report_html, "NULL report", MLOPS_EINVAL, (NULL, NULL, &html));
    BAD(mlops_drift_report_html, "NULL out", MLOPS_EINVAL, (rep, NULL, NULL));
    ho = (mlops_drift_html_opts)MLOPS_DRIFT_HTML_OPTS_INIT;
    ho.title = BAD_UTF8;
    BAD(mlops_drift_report_html, "invalid UTF-8 title", MLOPS_EINVAL, (rep, &ho, &html));
    ho = (mlops_drift_html_opts)MLOPS_DRIFT_HTML_OPTS_INIT;
    ho.version = 99;
    BAD(mlops_drift_report_html, "future options", MLOPS_EINVAL, (rep, &ho, &html));
    BAD(mlops_drift_report_log, "NULL run", MLOPS_EINVAL, (NULL, rep, 1, 0));
    BAD(mlops_drift_report_log, "NULL report", MLOPS_EINVAL, (R, NULL, 1, 0));
    mlops_drift_report_free(rep);
    /* A column name longer than a metric key may be: nothing is logged. */
    char name300[301];
    memset(name300, 'c', 300);
    name300[300] = '\0';
    const char *longn[1] = { name300 };
    TU_OK(mlops_drift_report_compute(1, longn, kinds, cols, ns, cols, ns, NULL, &rep));
    BAD(mlops_drift_report_log, "a key too long for a metric", MLOPS_EINVAL, (R, rep, 1, 0));
    mlops_drift_report_free(rep);
    TU_OK(mlops_drift_report_compute(2, names, kinds, cols, ns, cols, ns, NULL, &rep));
    mlops_run *ended;
    TU_OK(mlops_run_open(S, ENDED_RUN, &ended));
    BAD(mlops_drift_report_log, "an ended run", MLOPS_ECONFLICT, (ended, rep, 1, 0));
    mlops_run_free(ended);
    mlops_drift_report_free(rep);
}

static void drift(void)
{
    snap b = snapshot(store_dir);
    drift_arrays();
    drift_options();
    drift_profiles();
    drift_reports();
    same_store(store_dir, &b, "drift.h");
    snap_free(&b);
}

/* ---- eval.h: metrics on arrays (no store involved) ------------------------ */

static void eval_metrics(void)
{
    const int yt[6] = { 0, 1, 0, 1, 1, 0 }, yp[6] = { 0, 1, 1, 1, 0, 0 }, one[6] = { 1, 1, 1, 1, 1, 1 };
    const int y3[6] = { 0, 1, 2, 0, 1, 2 };
    const double p[6] = { 0.1, 0.8, 0.3, 0.6, 0.4, 0.2 }, pnan[6] = { 0.1, NAN, 0.3, 0.6, 0.4, 0.2 };
    const double pbig[6] = { 0.1, 1.5, 0.3, 0.6, 0.4, 0.2 };
    /* rows of three probabilities: the second row sums to 0.9 */
    const double m3[18] = { .2, .3, .5, .3, .3, .3, .1, .1, .8, .5, .25, .25, .2, .6, .2, .1, .1, .8 };
    const double m3ok[18] = { .2, .3, .5, .3, .3, .4, .1, .1, .8, .5, .25, .25, .2, .6, .2, .1, .1, .8 };
    const double wneg[6] = { 1, 1, -1, 1, 1, 1 }, wnan[6] = { 1, 1, NAN, 1, 1, 1 };
    const int dup[2] = { 1, 1 }, unsorted[3] = { 2, 0, 1 }, two[2] = { 0, 1 };
    mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
    mlops_eval_opts o;

    BAD(mlops_eval_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_EVAL_OPTS_VERSION));
    BAD(mlops_eval_opts_init, "version 0", MLOPS_EINVAL, (&o, 0));
    BAD(mlops_eval_result_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_EVAL_RESULT_VERSION));
    BAD(mlops_eval_result_init, "future version", MLOPS_EINVAL, (&r, 99));
    cover("mlops_eval_reason_name"); /* an unknown code has a text, never NULL */
    ncalls++;
    ck_assert_str_eq(mlops_eval_reason_name(-1), "unknown reason");

    /* regression */
    BAD(mlops_eval_regression, "NULL out", MLOPS_EINVAL, (MLOPS_METRIC_MAE, X, X, 6, NULL, NULL, NULL));
    BAD(mlops_eval_regression, "NULL y_true", MLOPS_EINVAL, (MLOPS_METRIC_MAE, NULL, X, 6, NULL, NULL, &r));
    BAD(mlops_eval_regression, "empty arrays", MLOPS_EINVAL, (MLOPS_METRIC_MAE, X, X, 0, NULL, NULL, &r));
    BAD(mlops_eval_regression, "SIZE_MAX length", MLOPS_EINVAL, (MLOPS_METRIC_MAE, X, X, SIZE_MAX, NULL, NULL, &r));
    BAD(mlops_eval_regression, "NaN prediction", MLOPS_EINVAL, (MLOPS_METRIC_MSE, X, NANS, 3, NULL, NULL, &r));
    BAD(mlops_eval_regression, "negative weight", MLOPS_EINVAL, (MLOPS_METRIC_MAE, X, X, 6, wneg, NULL, &r));
    BAD(mlops_eval_regression, "NaN weight", MLOPS_EINVAL, (MLOPS_METRIC_R2, X, X, 6, wnan, NULL, &r));
    BAD(mlops_eval_regression, "weights with max error", MLOPS_EINVAL, (MLOPS_METRIC_MAX_ERROR, X, X, 6, X, NULL, &r));
    BAD(mlops_eval_regression, "a classification metric", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, X, X, 6, NULL, NULL, &r));
    mlops_eval_opts_init(&o, MLOPS_EVAL_OPTS_VERSION);
    o.alpha = 1.5;
    BAD(mlops_eval_regression, "alpha 1.5", MLOPS_EINVAL, (MLOPS_METRIC_PINBALL, X, X, 6, NULL, &o, &r));
    mlops_eval_opts_init(&o, MLOPS_EVAL_OPTS_VERSION);
    o.version = 0;
    BAD(mlops_eval_regression, "options version 0", MLOPS_EINVAL, (MLOPS_METRIC_MAE, X, X, 6, NULL, &o, &r));
    r.version = 7;
    BAD(mlops_eval_regression, "result version 7", MLOPS_EINVAL, (MLOPS_METRIC_MAE, X, X, 6, NULL, NULL, &r));
    mlops_eval_result_init(&r, MLOPS_EVAL_RESULT_VERSION);

    /* labels */
    BAD(mlops_eval_labels, "NULL out", MLOPS_EINVAL, (MLOPS_METRIC_ACCURACY, yt, yp, 6, NULL, NULL, NULL));
    BAD(mlops_eval_labels, "NULL y_pred", MLOPS_EINVAL, (MLOPS_METRIC_ACCURACY, yt, NULL, 6, NULL, NULL, &r));
    BAD(mlops_eval_labels, "empty arrays", MLOPS_EINVAL, (MLOPS_METRIC_FBETA, yt, yp, 0, NULL, NULL, &r));
    BAD(mlops_eval_labels, "SIZE_MAX length", MLOPS_EINVAL, (MLOPS_METRIC_FBETA, yt, yp, SIZE_MAX, NULL, NULL, &r));
    BAD(mlops_eval_labels, "binary on three labels", MLOPS_EINVAL, (MLOPS_METRIC_FBETA, y3, yp, 6, NULL, NULL, &r));
    mlops_eval_opts_init(&o, MLOPS_EVAL_OPTS_VERSION);
    o.pos_label = 7;
    BAD(mlops_eval_labels, "unknown pos_label", MLOPS_EINVAL, (MLOPS_METRIC_PRECISION, yt, yp, 6, NULL, &o, &r));
    mlops_eval_opts_init(&o, MLOPS_EVAL_OPTS_VERSION);
    o.average = MLOPS_AVERAGE_NONE;
    BAD(mlops_eval_labels, "average none", MLOPS_EINVAL, (MLOPS_METRIC_RECALL, yt, yp, 6, NULL, &o, &r));
    o.average = 9;
    BAD(mlops_eval_labels, "unknown average", MLOPS_EINVAL, (MLOPS_METRIC_RECALL, yt, yp, 6, NULL, &o, &r));
    mlops_eval_opts_init(&o, MLOPS_EVAL_OPTS_VERSION);
    o.zero_division = 0.5;
    BAD(mlops_eval_labels, "zero_division 0.5", MLOPS_EINVAL, (MLOPS_METRIC_FBETA, yt, yp, 6, NULL, &o, &r));
    mlops_eval_opts_init(&o, MLOPS_EVAL_OPTS_VERSION);
    o.beta = -1;
    BAD(mlops_eval_labels, "negative beta", MLOPS_EINVAL, (MLOPS_METRIC_FBETA, yt, yp, 6, NULL, &o, &r));
    mlops_eval_opts_init(&o, MLOPS_EVAL_OPTS_VERSION);
    o.average = MLOPS_AVERAGE_MACRO;
    o.labels = dup;
    o.n_labels = 2;
    BAD(mlops_eval_labels, "duplicate labels", MLOPS_EINVAL, (MLOPS_METRIC_FBETA, yt, yp, 6, NULL, &o, &r));
    o.labels = NULL;
    BAD(mlops_eval_labels, "NULL labels with a count", MLOPS_EINVAL, (MLOPS_METRIC_FBETA, yt, yp, 6, NULL, &o, &r));
    BAD(mlops_eval_labels, "negative weight", MLOPS_EINVAL, (MLOPS_METRIC_ACCURACY, yt, yp, 6, wneg, NULL, &r));
    BAD(mlops_eval_labels, "a regression metric", MLOPS_EINVAL, (MLOPS_METRIC_MAE, yt, yp, 6, NULL, NULL, &r));

    /* scores */
    BAD(mlops_eval_scores, "NULL out", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, yt, p, 6, 1, NULL, NULL, NULL));
    BAD(mlops_eval_scores, "NULL scores", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, yt, NULL, 6, 1, NULL, NULL, &r));
    BAD(mlops_eval_scores, "empty arrays", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, yt, p, 0, 1, NULL, NULL, &r));
    BAD(mlops_eval_scores, "k = 0", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, yt, p, 6, 0, NULL, NULL, &r));
    BAD(mlops_eval_scores, "n x k overflowing", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, yt, p, SIZE_MAX / 2, 3, NULL, NULL, &r));
    BAD(mlops_eval_scores, "SIZE_MAX length", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, yt, p, SIZE_MAX, 1, NULL, NULL, &r));
    BAD(mlops_eval_scores, "NaN score", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, yt, pnan, 6, 1, NULL, NULL, &r));
    BAD(mlops_eval_scores, "NaN probability", MLOPS_EINVAL, (MLOPS_METRIC_LOG_LOSS, yt, pnan, 6, 1, NULL, NULL, &r));
    BAD(mlops_eval_scores, "probability above 1", MLOPS_EINVAL, (MLOPS_METRIC_BRIER, yt, pbig, 6, 1, NULL, NULL, &r));
    BAD(mlops_eval_scores, "three classes, one score", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, y3, p, 6, 1, NULL, NULL, &r));
    BAD(mlops_eval_scores, "one class only (log loss)", MLOPS_EINVAL, (MLOPS_METRIC_LOG_LOSS, one, p, 6, 1, NULL, NULL, &r));
    BAD(mlops_eval_scores, "rows not summing to 1 (ROC AUC)", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, y3, m3, 6, 3, NULL, NULL, &r));
    BAD(mlops_eval_scores, "rows not summing to 1 (log loss)", MLOPS_EINVAL, (MLOPS_METRIC_LOG_LOSS, y3, m3, 6, 3, NULL, NULL, &r));
    BAD(mlops_eval_scores, "rows not summing to 1 (Brier)", MLOPS_EINVAL, (MLOPS_METRIC_BRIER, y3, m3, 6, 3, NULL, NULL, &r));
    BAD(mlops_eval_scores, "columns for other classes", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, yt, m3ok, 6, 3, NULL, NULL, &r));
    mlops_eval_opts_init(&o, MLOPS_EVAL_OPTS_VERSION);
    o.labels = two;
    o.n_labels = 2;
    BAD(mlops_eval_scores, "unknown label in y_true", MLOPS_EINVAL, (MLOPS_METRIC_LOG_LOSS, y3, p, 6, 1, NULL, &o, &r));
    o.labels = unsorted;
    o.n_labels = 3;
    BAD(mlops_eval_scores, "labels not sorted", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, y3, m3ok, 6, 3, NULL, &o, &r));
    mlops_eval_opts_init(&o, MLOPS_EVAL_OPTS_VERSION);
    o.max_fpr = 0;
    BAD(mlops_eval_scores, "max_fpr 0", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, yt, p, 6, 1, NULL, &o, &r));
    o.max_fpr = 0.5;
    BAD(mlops_eval_scores, "max_fpr on a matrix", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, y3, m3ok, 6, 3, NULL, &o, &r));
    mlops_eval_opts_init(&o, MLOPS_EVAL_OPTS_VERSION);
    o.multi_class = MLOPS_MULTI_CLASS_OVO;
    BAD(mlops_eval_scores, "ovo with weights", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, y3, m3ok, 6, 3, X, &o, &r));
    o.average = MLOPS_AVERAGE_MICRO;
    BAD(mlops_eval_scores, "ovo micro", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, y3, m3ok, 6, 3, NULL, &o, &r));
    o.multi_class = 5;
    BAD(mlops_eval_scores, "unknown multi_class", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, y3, m3ok, 6, 3, NULL, &o, &r));
    BAD(mlops_eval_scores, "a label metric", MLOPS_EINVAL, (MLOPS_METRIC_ACCURACY, yt, p, 6, 1, NULL, NULL, &r));
    /* one class only is not an error for ROC AUC: NaN with its reason */
    check_rc("mlops_eval_scores", "one class only (ROC AUC)", __LINE__, MLOPS_OK,
             mlops_eval_scores(MLOPS_METRIC_ROC_AUC, one, p, 6, 1, NULL, NULL, &r));
    ck_assert(isnan(r.value) && r.reason == MLOPS_EVAL_ONE_CLASS);

    /* per class, confusion */
    mlops_eval_classes *l = NULL;
    BAD(mlops_eval_per_class, "NULL out", MLOPS_EINVAL, (yt, yp, 6, NULL, NULL, NULL));
    BAD(mlops_eval_per_class, "empty arrays", MLOPS_EINVAL, (yt, yp, 0, NULL, NULL, &l));
    BAD(mlops_eval_per_class, "NULL y_true", MLOPS_EINVAL, (NULL, yp, 6, NULL, NULL, &l));
    BAD(mlops_eval_per_class, "NaN weight", MLOPS_EINVAL, (yt, yp, 6, wnan, NULL, &l));
    ck_assert_ptr_null(l);
    RET(mlops_eval_classes_count, "NULL", 0, (NULL));
    RET(mlops_eval_classes_at, "NULL", NULL, (NULL, 0));
    VOID(mlops_eval_classes_free, "NULL", (NULL));
    int *labels = NULL;
    double *cm = NULL;
    size_t k = 0;
    BAD(mlops_eval_confusion, "NULL labels", MLOPS_EINVAL, (yt, yp, 6, NULL, NULL, NULL, &cm, &k));
    BAD(mlops_eval_confusion, "NULL matrix", MLOPS_EINVAL, (yt, yp, 6, NULL, NULL, &labels, NULL, &k));
    BAD(mlops_eval_confusion, "NULL k", MLOPS_EINVAL, (yt, yp, 6, NULL, NULL, &labels, &cm, NULL));
    BAD(mlops_eval_confusion, "empty arrays", MLOPS_EINVAL, (yt, yp, 0, NULL, NULL, &labels, &cm, &k));
    mlops_eval_opts_init(&o, MLOPS_EVAL_OPTS_VERSION);
    o.normalize = 4;
    BAD(mlops_eval_confusion, "unknown normalize", MLOPS_EINVAL, (yt, yp, 6, NULL, &o, &labels, &cm, &k));
    o.normalize = MLOPS_NORMALIZE_NONE;
    o.labels = dup;
    o.n_labels = 2;
    BAD(mlops_eval_confusion, "duplicate labels", MLOPS_EINVAL, (yt, yp, 6, NULL, &o, &labels, &cm, &k));
    ck_assert(labels == NULL && cm == NULL && k == 0);

    /* bootstrap */
    mlops_eval_data d;
    mlops_bootstrap_opts bo;
    mlops_bootstrap_result br;
    BAD(mlops_eval_data_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_EVAL_DATA_VERSION));
    BAD(mlops_eval_data_init, "version 0", MLOPS_EINVAL, (&d, 0));
    BAD(mlops_bootstrap_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_BOOTSTRAP_OPTS_VERSION));
    BAD(mlops_bootstrap_opts_init, "version 0", MLOPS_EINVAL, (&bo, 0));
    BAD(mlops_bootstrap_result_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_BOOTSTRAP_RESULT_VERSION));
    BAD(mlops_bootstrap_result_init, "version 2", MLOPS_EINVAL, (&br, 2));
    mlops_eval_data_init(&d, MLOPS_EVAL_DATA_VERSION);
    mlops_bootstrap_opts_init(&bo, MLOPS_BOOTSTRAP_OPTS_VERSION);
    mlops_bootstrap_result_init(&br, MLOPS_BOOTSTRAP_RESULT_VERSION);
    d.n = 6;
    d.labels_true = yt;
    d.scores = pnan;
    BAD(mlops_eval_bootstrap, "NULL data", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, NULL, NULL, &bo, &br));
    BAD(mlops_eval_bootstrap, "NULL out", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, &d, NULL, &bo, NULL));
    BAD(mlops_eval_bootstrap, "NaN score", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, &d, NULL, &bo, &br));
    d.scores = p;
    BAD(mlops_eval_bootstrap, "unknown metric", MLOPS_EINVAL, (77, &d, NULL, &bo, &br));
    BAD(mlops_eval_bootstrap, "missing arrays of the family", MLOPS_EINVAL, (MLOPS_METRIC_MAE, &d, NULL, &bo, &br));
    bo.resamples = 0;
    BAD(mlops_eval_bootstrap, "0 resamples", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, &d, NULL, &bo, &br));
    bo.resamples = 10;
    bo.confidence = 1.0;
    BAD(mlops_eval_bootstrap, "confidence 1", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, &d, NULL, &bo, &br));
    bo.confidence = NAN;
    BAD(mlops_eval_bootstrap, "NaN confidence", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, &d, NULL, &bo, &br));
    mlops_bootstrap_opts_init(&bo, MLOPS_BOOTSTRAP_OPTS_VERSION);
    bo.version = 3;
    BAD(mlops_eval_bootstrap, "options version 3", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, &d, NULL, &bo, &br));
    d.version = 0;
    BAD(mlops_eval_bootstrap, "data version 0", MLOPS_EINVAL, (MLOPS_METRIC_ROC_AUC, &d, NULL, NULL, &br));

    /* calibration */
    mlops_calibration_opts co;
    mlops_calibration_result cr;
    mlops_calibration_bins *cb = NULL;
    BAD(mlops_calibration_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_CALIBRATION_OPTS_VERSION));
    BAD(mlops_calibration_opts_init, "version 0", MLOPS_EINVAL, (&co, 0));
    BAD(mlops_calibration_result_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_CALIBRATION_RESULT_VERSION));
    BAD(mlops_calibration_result_init, "version 2", MLOPS_EINVAL, (&cr, 2));
    mlops_calibration_opts_init(&co, MLOPS_CALIBRATION_OPTS_VERSION);
    mlops_calibration_result_init(&cr, MLOPS_CALIBRATION_RESULT_VERSION);
    BAD(mlops_eval_calibration, "NULL out", MLOPS_EINVAL, (yt, p, 6, 1, NULL, NULL, NULL, &cb));
    BAD(mlops_eval_calibration, "NULL y_true", MLOPS_EINVAL, (NULL, p, 6, 1, NULL, NULL, &cr, &cb));
    BAD(mlops_eval_calibration, "empty arrays", MLOPS_EINVAL, (yt, p, 0, 1, NULL, NULL, &cr, &cb));
    BAD(mlops_eval_calibration, "k = 0", MLOPS_EINVAL, (yt, p, 6, 0, NULL, NULL, &cr, &cb));
    BAD(mlops_eval_calibration, "SIZE_MAX length", MLOPS_EINVAL, (yt, p, SIZE_MAX, 1, NULL, NULL, &cr, &cb));
    BAD(mlops_eval_calibration, "n x k overflowing", MLOPS_EINVAL, (yt, p, SIZE_MAX / 2, 3, NULL, NULL, &cr, &cb));
    BAD(mlops_eval_calibration, "NaN probability", MLOPS_EINVAL, (yt, pnan, 6, 1, NULL, NULL, &cr, &cb));
    BAD(mlops_eval_calibration, "probability above 1", MLOPS_EINVAL, (yt, pbig, 6, 1, NULL, NULL, &cr, &cb));
    BAD(mlops_eval_calibration, "three classes, one score", MLOPS_EINVAL, (y3, p, 6, 1, NULL, NULL, &cr, &cb));
    BAD(mlops_eval_calibration, "rows not summing to 1", MLOPS_EINVAL, (y3, m3, 6, 3, NULL, NULL, &cr, &cb));
    BAD(mlops_eval_calibration, "columns for other classes", MLOPS_EINVAL, (yt, m3ok, 6, 3, NULL, NULL, &cr, &cb));
    BAD(mlops_eval_calibration, "negative weight", MLOPS_EINVAL, (yt, p, 6, 1, wneg, NULL, &cr, &cb));
    co.pos_label = 4;
    BAD(mlops_eval_calibration, "pos_label absent", MLOPS_EINVAL, (yt, p, 6, 1, NULL, &co, &cr, &cb));
    mlops_calibration_opts_init(&co, MLOPS_CALIBRATION_OPTS_VERSION);
    co.labels = two;
    co.n_labels = 2;
    BAD(mlops_eval_calibration, "unknown label in y_true", MLOPS_EINVAL, (y3, m3ok, 6, 3, NULL, &co, &cr, &cb));
    co.labels = unsorted;
    co.n_labels = 3;
    BAD(mlops_eval_calibration, "labels not sorted", MLOPS_EINVAL, (y3, m3ok, 6, 3, NULL, &co, &cr, &cb));
    co.labels = NULL;
    BAD(mlops_eval_calibration, "NULL labels with a count", MLOPS_EINVAL, (y3, m3ok, 6, 3, NULL, &co, &cr, &cb));
    mlops_calibration_opts_init(&co, MLOPS_CALIBRATION_OPTS_VERSION);
    co.n_bins = 0;
    BAD(mlops_eval_calibration, "0 bins", MLOPS_EINVAL, (yt, p, 6, 1, NULL, &co, &cr, &cb));
    co.n_bins = (size_t)MLOPS_CALIBRATION_BINS_MAX + 1;
    BAD(mlops_eval_calibration, "too many bins", MLOPS_EINVAL, (yt, p, 6, 1, NULL, &co, &cr, &cb));
    co.n_bins = 10;
    co.binning = 2;
    BAD(mlops_eval_calibration, "unknown binning", MLOPS_EINVAL, (yt, p, 6, 1, NULL, &co, &cr, &cb));
    co.binning = MLOPS_CALIBRATION_SKLEARN;
    co.version = 9;
    BAD(mlops_eval_calibration, "options version 9", MLOPS_EINVAL, (yt, p, 6, 1, NULL, &co, &cr, &cb));
    cr.version = 0;
    BAD(mlops_eval_calibration, "result version 0", MLOPS_EINVAL, (yt, p, 6, 1, NULL, NULL, &cr, &cb));
    ck_assert_ptr_null(cb);
    RET(mlops_calibration_bins_count, "NULL", 0, (NULL));
    RET(mlops_calibration_bins_at, "NULL", NULL, (NULL, 0));
    VOID(mlops_calibration_bins_free, "NULL", (NULL));
    BAD(mlops_eval_scores, "ECE on rows not summing to 1", MLOPS_EINVAL, (MLOPS_METRIC_ECE, y3, m3, 6, 3, NULL, NULL, &r));
    BAD(mlops_eval_scores, "MCE on a NaN probability", MLOPS_EINVAL, (MLOPS_METRIC_MCE, yt, pnan, 6, 1, NULL, NULL, &r));
}

/* ---- validate.h ---------------------------------------------------------- */

static void validate_schemas(void)
{
    static const double V[3] = { 1, 2, 3 };
    static const char *const STR[3] = { "a", NULL, "b" };
    mlops_schema *s = NULL, *bad = NULL;
    TU_OK(mlops_schema_new(&s));
    mlops_schema_column c = MLOPS_SCHEMA_COLUMN_INIT;
    BAD(mlops_schema_column_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_SCHEMA_COLUMN_VERSION));
    BAD(mlops_schema_column_init, "version 0", MLOPS_EINVAL, (&c, 0));
    BAD(mlops_schema_column_init, "version 2", MLOPS_EINVAL, (&c, 2));
    BAD(mlops_schema_new, "NULL out", MLOPS_EINVAL, (NULL));
    VOID(mlops_schema_free, "NULL", (NULL));
    RET(mlops_schema_column_count, "NULL", 0, (NULL));
    /* Columns: every field checked, the schema unchanged after each refusal. */
    BAD(mlops_schema_column_set, "NULL schema", MLOPS_EINVAL, (NULL, &c));
    BAD(mlops_schema_column_set, "NULL column", MLOPS_EINVAL, (s, NULL));
    BAD(mlops_schema_column_set, "NULL name", MLOPS_EINVAL, (s, &c));
    c.kind = MLOPS_PROFILE_NUMERIC;
    for (size_t i = 0; i < 3; i++) {
        c.name = BAD_STRINGS[i] ? BAD_STRINGS[i] : LONG;
        BAD(mlops_schema_column_set, "bad name", MLOPS_EINVAL, (s, &c));
    }
    c.name = "x";
    c.kind = 9;
    BAD(mlops_schema_column_set, "unknown kind", MLOPS_EINVAL, (s, &c));
    c.kind = MLOPS_PROFILE_NUMERIC;
    c.checks = 0x100;
    BAD(mlops_schema_column_set, "unknown check", MLOPS_EINVAL, (s, &c));
    c.checks = MLOPS_SCHEMA_CHECK_RANGE;
    c.min = NAN;
    BAD(mlops_schema_column_set, "NaN min", MLOPS_EINVAL, (s, &c));
    c.min = 2;
    c.max = 1;
    BAD(mlops_schema_column_set, "min above max", MLOPS_EINVAL, (s, &c));
    c.max = 3;
    c.out_of_range_max = -0.1;
    BAD(mlops_schema_column_set, "negative share", MLOPS_EINVAL, (s, &c));
    c.out_of_range_max = NAN;
    BAD(mlops_schema_column_set, "NaN share", MLOPS_EINVAL, (s, &c));
    c.out_of_range_max = 0;
    c.checks = MLOPS_SCHEMA_CHECK_CATEGORIES;
    BAD(mlops_schema_column_set, "categories on a numeric column", MLOPS_EINVAL, (s, &c));
    c.kind = MLOPS_PROFILE_CATEGORICAL;
    c.n_categories = 3;
    BAD(mlops_schema_column_set, "NULL categories", MLOPS_EINVAL, (s, &c));
    c.categories = STR;
    BAD(mlops_schema_column_set, "a NULL category", MLOPS_EINVAL, (s, &c));
    const char *badcat[2] = { "a", BAD_UTF8 };
    c.categories = badcat;
    c.n_categories = 2;
    BAD(mlops_schema_column_set, "invalid UTF-8 category", MLOPS_EINVAL, (s, &c));
    badcat[1] = LONG;
    BAD(mlops_schema_column_set, "over-long category", MLOPS_EINVAL, (s, &c));
    c.n_categories = SIZE_MAX;
    BAD(mlops_schema_column_set, "SIZE_MAX categories", MLOPS_EINVAL, (s, &c));
    c.n_categories = 1;
    c.unseen_max = 2;
    BAD(mlops_schema_column_set, "unseen share above 1", MLOPS_EINVAL, (s, &c));
    c.unseen_max = 0;
    c.checks = MLOPS_SCHEMA_CHECK_RANGE;
    BAD(mlops_schema_column_set, "range on a categorical column", MLOPS_EINVAL, (s, &c));
    c.checks = MLOPS_SCHEMA_CHECK_MISSING;
    c.missing_max = INFINITY;
    BAD(mlops_schema_column_set, "infinite missing share", MLOPS_EINVAL, (s, &c));
    c.missing_max = 0;
    c.version = 0;
    BAD(mlops_schema_column_set, "version 0", MLOPS_EINVAL, (s, &c));
    RET(mlops_schema_column_count, "after refusals", 0, (s));
    c = (mlops_schema_column)MLOPS_SCHEMA_COLUMN_INIT;
    c.name = "x";
    c.kind = MLOPS_PROFILE_NUMERIC;
    TU_OK(mlops_schema_column_set(s, &c));
    size_t idx;
    BAD(mlops_schema_column_get, "NULL schema", MLOPS_EINVAL, (NULL, 0, &c));
    BAD(mlops_schema_column_get, "NULL out", MLOPS_EINVAL, (s, 0, NULL));
    BAD(mlops_schema_column_get, "index out of range", MLOPS_EINVAL, (s, 1, &c));
    BAD(mlops_schema_column_get, "SIZE_MAX index", MLOPS_EINVAL, (s, SIZE_MAX, &c));
    c.version = 7;
    BAD(mlops_schema_column_get, "version 7", MLOPS_EINVAL, (s, 0, &c));
    c.version = MLOPS_SCHEMA_COLUMN_VERSION;
    BAD(mlops_schema_column_find, "NULL schema", MLOPS_EINVAL, (NULL, "x", &idx));
    BAD(mlops_schema_column_find, "NULL name", MLOPS_EINVAL, (s, NULL, &idx));
    BAD(mlops_schema_column_find, "NULL out", MLOPS_EINVAL, (s, "x", NULL));
    BAD(mlops_schema_column_find, "unknown", MLOPS_ENOTFOUND, (s, "y", &idx));
    BAD(mlops_schema_column_find, "invalid UTF-8", MLOPS_ENOTFOUND, (s, BAD_UTF8, &idx));
    BAD(mlops_schema_column_delete, "NULL schema", MLOPS_EINVAL, (NULL, "x"));
    BAD(mlops_schema_column_delete, "NULL name", MLOPS_EINVAL, (s, NULL));
    BAD(mlops_schema_column_delete, "unknown", MLOPS_ENOTFOUND, (s, "y"));
    BAD(mlops_schema_column_delete, "over-long", MLOPS_ENOTFOUND, (s, LONG));

    /* Inference. */
    mlops_profile *num = NULL;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &num));
    const char *names[2] = { "a", "a" };
    mlops_profile *profs[2] = { num, num };
    mlops_schema_infer_opts io;
    BAD(mlops_schema_infer_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_SCHEMA_INFER_OPTS_VERSION));
    BAD(mlops_schema_infer_opts_init, "version 0", MLOPS_EINVAL, (&io, 0));
    mlops_schema_infer_opts_init(&io, MLOPS_SCHEMA_INFER_OPTS_VERSION);
    BAD(mlops_schema_infer, "NULL out", MLOPS_EINVAL, (1, names, profs, NULL, NULL));
    BAD(mlops_schema_infer, "no columns", MLOPS_EINVAL, (0, names, profs, NULL, &bad));
    BAD(mlops_schema_infer, "NULL names", MLOPS_EINVAL, (1, NULL, profs, NULL, &bad));
    BAD(mlops_schema_infer, "NULL profiles", MLOPS_EINVAL, (1, names, NULL, NULL, &bad));
    BAD(mlops_schema_infer, "SIZE_MAX columns", MLOPS_EINVAL, (SIZE_MAX, names, profs, NULL, &bad));
    BAD(mlops_schema_infer, "duplicate names", MLOPS_EINVAL, (2, names, profs, NULL, &bad));
    const char *bn[1] = { BAD_UTF8 };
    BAD(mlops_schema_infer, "invalid UTF-8 name", MLOPS_EINVAL, (1, bn, profs, NULL, &bad));
    mlops_profile *np[1] = { NULL };
    BAD(mlops_schema_infer, "a NULL profile", MLOPS_EINVAL, (1, names, np, NULL, &bad));
    io.range_slack = -1;
    BAD(mlops_schema_infer, "negative range slack", MLOPS_EINVAL, (1, names, profs, &io, &bad));
    io.range_slack = 0;
    io.missing_slack = NAN;
    BAD(mlops_schema_infer, "NaN missing slack", MLOPS_EINVAL, (1, names, profs, &io, &bad));
    io.missing_slack = 0;
    io.max_categories = 0;
    BAD(mlops_schema_infer, "max_categories 0", MLOPS_EINVAL, (1, names, profs, &io, &bad));
    io.max_categories = 10;
    io.version = 5;
    BAD(mlops_schema_infer, "options version 5", MLOPS_EINVAL, (1, names, profs, &io, &bad));
    ck_assert_ptr_null(bad);
    mlops_profile_free(num);

    /* Stored and text forms. */
    void *buf = NULL;
    size_t len = 0;
    char *json = NULL;
    mlops_digest d;
    BAD(mlops_schema_serialize, "NULL schema", MLOPS_EINVAL, (NULL, &buf, &len));
    BAD(mlops_schema_serialize, "NULL buf", MLOPS_EINVAL, (s, NULL, &len));
    BAD(mlops_schema_serialize, "NULL len", MLOPS_EINVAL, (s, &buf, NULL));
    BAD(mlops_schema_deserialize, "NULL out", MLOPS_EINVAL, ("x", 1, NULL));
    BAD(mlops_schema_deserialize, "NULL bytes", MLOPS_EINVAL, (NULL, 5, &bad));
    BAD(mlops_schema_deserialize, "empty", MLOPS_EFORMAT, ("", 0, &bad));
    BAD(mlops_schema_deserialize, "not msgpack", MLOPS_EFORMAT, (BAD_UTF8, strlen(BAD_UTF8), &bad));
    BAD(mlops_schema_deserialize, "over-long garbage", MLOPS_EFORMAT, (LONG, strlen(LONG), &bad));
    /* A map claiming 2^32 - 1 columns in 15 bytes. */
    static const unsigned char huge[] = { 0x81, 0xa7, 'c', 'o', 'l', 'u', 'm', 'n', 's', 0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0 };
    BAD(mlops_schema_deserialize, "huge count", MLOPS_EFORMAT, (huge, sizeof huge, &bad));
    BAD(mlops_schema_put, "NULL store", MLOPS_EINVAL, (NULL, s, &d));
    BAD(mlops_schema_put, "NULL schema", MLOPS_EINVAL, (S, NULL, &d));
    BAD(mlops_schema_put, "NULL out", MLOPS_EINVAL, (S, s, NULL));
    BAD(mlops_schema_get, "NULL out", MLOPS_EINVAL, (S, &D, NULL));
    BAD(mlops_schema_get, "NULL store", MLOPS_EINVAL, (NULL, &D, &bad));
    BAD(mlops_schema_get, "NULL digest", MLOPS_EINVAL, (S, NULL, &bad));
    BAD(mlops_schema_get, "unknown digest", MLOPS_ENOTFOUND, (S, &UNKNOWN, &bad));
    BAD(mlops_schema_get, "a blob that is not a schema", MLOPS_EFORMAT, (S, &D, &bad));
    BAD(mlops_schema_to_json, "NULL schema", MLOPS_EINVAL, (NULL, &json));
    BAD(mlops_schema_to_json, "NULL out", MLOPS_EINVAL, (s, NULL));
    BAD(mlops_schema_from_json, "NULL out", MLOPS_EINVAL, ("{}", 2, NULL));
    BAD(mlops_schema_from_json, "NULL text", MLOPS_EINVAL, (NULL, 2, &bad));
    BAD(mlops_schema_from_json, "SIZE_MAX length", MLOPS_EINVAL, ("{}", SIZE_MAX, &bad));
    BAD(mlops_schema_from_json, "empty", MLOPS_EFORMAT, ("", 0, &bad));
    BAD(mlops_schema_from_json, "invalid UTF-8", MLOPS_EFORMAT, (BAD_UTF8, strlen(BAD_UTF8), &bad));
    BAD(mlops_schema_from_json, "not an object", MLOPS_EFORMAT, ("[1]", 3, &bad));
    ck_assert_ptr_null(bad);

    /* Validation. */
    mlops_anomalies *l = NULL;
    const char *bnames[2] = { "x", "y" };
    int kinds[2] = { MLOPS_PROFILE_NUMERIC, MLOPS_PROFILE_CATEGORICAL };
    const double *nums[2] = { V, NULL };
    const char *const *strs[2] = { NULL, STR };
    mlops_validate_opts vo;
    BAD(mlops_validate_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_VALIDATE_OPTS_VERSION));
    BAD(mlops_validate_opts_init, "version 0", MLOPS_EINVAL, (&vo, 0));
    mlops_validate_opts_init(&vo, MLOPS_VALIDATE_OPTS_VERSION);
    BAD(mlops_schema_validate, "NULL out", MLOPS_EINVAL, (s, 2, bnames, kinds, nums, strs, 3, NULL, NULL));
    BAD(mlops_schema_validate, "NULL schema", MLOPS_EINVAL, (NULL, 2, bnames, kinds, nums, strs, 3, NULL, &l));
    BAD(mlops_schema_validate, "NULL names", MLOPS_EINVAL, (s, 2, NULL, kinds, nums, strs, 3, NULL, &l));
    BAD(mlops_schema_validate, "NULL kinds", MLOPS_EINVAL, (s, 2, bnames, NULL, nums, strs, 3, NULL, &l));
    BAD(mlops_schema_validate, "NULL numbers", MLOPS_EINVAL, (s, 2, bnames, kinds, NULL, strs, 3, NULL, &l));
    BAD(mlops_schema_validate, "NULL strings", MLOPS_EINVAL, (s, 2, bnames, kinds, nums, NULL, 3, NULL, &l));
    BAD(mlops_schema_validate, "SIZE_MAX columns", MLOPS_EINVAL, (s, SIZE_MAX, bnames, kinds, nums, strs, 3, NULL, &l));
    BAD(mlops_schema_validate, "SIZE_MAX rows", MLOPS_EINVAL, (s, 2, bnames, kinds, nums, strs, SIZE_MAX, NULL, &l));
    const double *nonum[2] = { NULL, NULL };
    BAD(mlops_schema_validate, "a NULL column", MLOPS_EINVAL, (s, 2, bnames, kinds, nonum, strs, 3, NULL, &l));
    int badkinds[2] = { 0, MLOPS_PROFILE_CATEGORICAL };
    BAD(mlops_schema_validate, "unknown kind", MLOPS_EINVAL, (s, 2, bnames, badkinds, nums, strs, 3, NULL, &l));
    const char *dup[2] = { "x", "x" };
    int numkinds[2] = { MLOPS_PROFILE_NUMERIC, MLOPS_PROFILE_NUMERIC };
    const double *twice[2] = { V, V };
    BAD(mlops_schema_validate, "duplicate names", MLOPS_EINVAL, (s, 2, dup, numkinds, twice, NULL, 3, NULL, &l));
    const char *badn[2] = { "x", BAD_UTF8 };
    BAD(mlops_schema_validate, "invalid UTF-8 name", MLOPS_EINVAL, (s, 2, badn, kinds, nums, strs, 3, NULL, &l));
    vo.max_examples = 101;
    BAD(mlops_schema_validate, "101 examples", MLOPS_EINVAL, (s, 2, bnames, kinds, nums, strs, 3, &vo, &l));
    vo.max_examples = 5;
    vo.version = 0;
    BAD(mlops_schema_validate, "options version 0", MLOPS_EINVAL, (s, 2, bnames, kinds, nums, strs, 3, &vo, &l));
    ck_assert_ptr_null(l);
    RET(mlops_anomalies_count, "NULL", 0, (NULL));
    RET(mlops_anomalies_at, "NULL", NULL, (NULL, 0));
    TU_OK(mlops_schema_validate(s, 2, bnames, kinds, nums, strs, 3, NULL, &l));
    RET(mlops_anomalies_at, "index out of range", NULL, (l, mlops_anomalies_count(l)));
    RET(mlops_anomalies_at, "SIZE_MAX index", NULL, (l, SIZE_MAX));
    VOID(mlops_anomalies_free, "NULL", (NULL));
    mlops_anomalies_free(l);
    mlops_schema_free(s);
}

/* ---- fairness.h: frames and parity measures on arrays --------------------- */

static void fairness(void)
{
    const int yt[6] = { 0, 1, 0, 1, 1, 0 }, yp[6] = { 0, 1, 1, 1, 0, 0 }, g[6] = { 1, 1, 2, 2, 3, 3 };
    const int y3[6] = { 0, 1, 2, 0, 1, 2 }, priv[1] = { 1 }, dup[2] = { 2, 2 };
    const double vnan[6] = { 1, NAN, 2, 3, 4, 5 }, wneg[6] = { 1, 1, -1, 1, 1, 1 };
    mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
    mlops_fairness_opts o;
    mlops_fairness_frame *f = NULL;
    mlops_eval_data d;

    BAD(mlops_fairness_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_FAIRNESS_OPTS_VERSION));
    BAD(mlops_fairness_opts_init, "version 0", MLOPS_EINVAL, (&o, 0));

    /* frames */
    mlops_eval_data_init(&d, MLOPS_EVAL_DATA_VERSION);
    d.n = 6;
    d.labels_true = yt;
    d.labels_pred = yp;
    BAD(mlops_fairness_frame_build, "NULL out", MLOPS_EINVAL, (MLOPS_METRIC_ACCURACY, &d, g, NULL, NULL));
    BAD(mlops_fairness_frame_build, "NULL data", MLOPS_EINVAL, (MLOPS_METRIC_ACCURACY, NULL, g, NULL, &f));
    BAD(mlops_fairness_frame_build, "NULL groups", MLOPS_EINVAL, (MLOPS_METRIC_ACCURACY, &d, NULL, NULL, &f));
    BAD(mlops_fairness_frame_build, "unknown metric", MLOPS_EINVAL, (99, &d, g, NULL, &f));
    d.labels_true = y3;
    BAD(mlops_fairness_frame_build, "three labels for a positive rate", MLOPS_EINVAL, (MLOPS_METRIC_TRUE_POSITIVE_RATE, &d, g, NULL, &f));
    d.labels_true = yt;
    d.n = 0;
    BAD(mlops_fairness_frame_build, "empty arrays", MLOPS_EINVAL, (MLOPS_METRIC_ACCURACY, &d, g, NULL, &f));
    d.n = SIZE_MAX;
    BAD(mlops_fairness_frame_build, "SIZE_MAX length", MLOPS_EINVAL, (MLOPS_METRIC_ACCURACY, &d, g, NULL, &f));
    mlops_eval_data_init(&d, MLOPS_EVAL_DATA_VERSION);
    d.n = 6;
    d.values_true = vnan;
    d.values_pred = vnan;
    BAD(mlops_fairness_frame_build, "NaN value", MLOPS_EINVAL, (MLOPS_METRIC_MAE, &d, g, NULL, &f));
    d.labels_true = yt; /* mismatched data: a regression metric on labels */
    d.values_true = NULL;
    BAD(mlops_fairness_frame_build, "arrays of another family", MLOPS_EINVAL, (MLOPS_METRIC_MAE, &d, g, NULL, &f));
    d.version = 0;
    BAD(mlops_fairness_frame_build, "data version 0", MLOPS_EINVAL, (MLOPS_METRIC_MAE, &d, g, NULL, &f));
    ck_assert_ptr_null(f);
    mlops_eval_data_init(&d, MLOPS_EVAL_DATA_VERSION);
    d.n = 6;
    d.labels_true = yt;
    d.labels_pred = yp;
    TU_OK(mlops_fairness_frame_build(MLOPS_METRIC_ACCURACY, &d, g, NULL, &f));
    BAD(mlops_fairness_frame_difference, "NULL frame", MLOPS_EINVAL, (NULL, MLOPS_FAIRNESS_BETWEEN_GROUPS, &r));
    BAD(mlops_fairness_frame_difference, "NULL out", MLOPS_EINVAL, (f, MLOPS_FAIRNESS_BETWEEN_GROUPS, NULL));
    BAD(mlops_fairness_frame_difference, "unknown method", MLOPS_EINVAL, (f, 5, &r));
    BAD(mlops_fairness_frame_ratio, "NULL frame", MLOPS_EINVAL, (NULL, MLOPS_FAIRNESS_TO_OVERALL, &r));
    BAD(mlops_fairness_frame_ratio, "unknown method", MLOPS_EINVAL, (f, -1, &r));
    r.version = 9;
    BAD(mlops_fairness_frame_ratio, "result version 9", MLOPS_EINVAL, (f, MLOPS_FAIRNESS_TO_OVERALL, &r));
    mlops_eval_result_init(&r, MLOPS_EVAL_RESULT_VERSION);
    mlops_fairness_frame_free(f);
    f = NULL;
    /* a single group is not an error: differences 0, ratios 1 */
    const int one_group[6] = { 5, 5, 5, 5, 5, 5 };
    BAD(mlops_fairness_frame_build, "a single group", MLOPS_OK, (MLOPS_METRIC_ACCURACY, &d, one_group, NULL, &f));
    ck_assert_uint_eq(mlops_fairness_frame_count(f), 1);
    BAD(mlops_fairness_frame_ratio, "a single group", MLOPS_OK, (f, MLOPS_FAIRNESS_BETWEEN_GROUPS, &r));
    ck_assert_double_eq(r.value, 1.0);
    RET(mlops_fairness_frame_count, "NULL", 0, (NULL));
    RET(mlops_fairness_frame_at, "NULL", NULL, (NULL, 0));
    RET(mlops_fairness_frame_at, "index out of range", NULL, (f, 3));
    RET(mlops_fairness_frame_overall, "NULL", NULL, (NULL));
    mlops_fairness_frame_free(f);
    VOID(mlops_fairness_frame_free, "NULL", (NULL));

    /* parity measures */
    BAD(mlops_fairness_difference, "NULL out", MLOPS_EINVAL, (MLOPS_FAIRNESS_DEMOGRAPHIC_PARITY, yt, yp, g, 6, NULL, NULL, NULL));
    BAD(mlops_fairness_difference, "NULL groups", MLOPS_EINVAL, (MLOPS_FAIRNESS_DEMOGRAPHIC_PARITY, yt, yp, NULL, 6, NULL, NULL, &r));
    BAD(mlops_fairness_difference, "empty arrays", MLOPS_EINVAL, (MLOPS_FAIRNESS_EQUALIZED_ODDS, yt, yp, g, 0, NULL, NULL, &r));
    BAD(mlops_fairness_difference, "SIZE_MAX length", MLOPS_EINVAL, (MLOPS_FAIRNESS_EQUALIZED_ODDS, yt, yp, g, SIZE_MAX, NULL, NULL, &r));
    BAD(mlops_fairness_difference, "negative weight", MLOPS_EINVAL, (MLOPS_FAIRNESS_DEMOGRAPHIC_PARITY, yt, yp, g, 6, wneg, NULL, &r));
    BAD(mlops_fairness_difference, "three labels", MLOPS_EINVAL, (MLOPS_FAIRNESS_EQUAL_OPPORTUNITY, y3, yp, g, 6, NULL, NULL, &r));
    BAD(mlops_fairness_difference, "unknown measure", MLOPS_EINVAL, (42, yt, yp, g, 6, NULL, NULL, &r));
    mlops_fairness_opts_init(&o, MLOPS_FAIRNESS_OPTS_VERSION);
    o.method = 3;
    BAD(mlops_fairness_difference, "unknown method", MLOPS_EINVAL, (MLOPS_FAIRNESS_DEMOGRAPHIC_PARITY, yt, yp, g, 6, NULL, &o, &r));
    mlops_fairness_opts_init(&o, MLOPS_FAIRNESS_OPTS_VERSION);
    o.agg = 3;
    BAD(mlops_fairness_ratio, "unknown agg", MLOPS_EINVAL, (MLOPS_FAIRNESS_EQUALIZED_ODDS, yt, yp, g, 6, NULL, &o, &r));
    o.version = 0;
    BAD(mlops_fairness_ratio, "options version 0", MLOPS_EINVAL, (MLOPS_FAIRNESS_EQUALIZED_ODDS, yt, yp, g, 6, NULL, &o, &r));
    BAD(mlops_fairness_ratio, "NULL y_true", MLOPS_EINVAL, (MLOPS_FAIRNESS_EQUALIZED_ODDS, NULL, yp, g, 6, NULL, NULL, &r));

    /* AIF360 */
    mlops_fairness_opts_init(&o, MLOPS_FAIRNESS_OPTS_VERSION);
    BAD(mlops_fairness_disparate_impact, "NULL opts", MLOPS_EINVAL, (yp, g, 6, NULL, NULL, &r));
    BAD(mlops_fairness_disparate_impact, "no privileged group", MLOPS_EINVAL, (yp, g, 6, NULL, &o, &r));
    o.privileged = priv;
    o.n_privileged = 1;
    BAD(mlops_fairness_disparate_impact, "NULL out", MLOPS_EINVAL, (yp, g, 6, NULL, &o, NULL));
    BAD(mlops_fairness_disparate_impact, "empty arrays", MLOPS_EINVAL, (yp, g, 0, NULL, &o, &r));
    BAD(mlops_fairness_disparate_impact, "SIZE_MAX length", MLOPS_EINVAL, (yp, g, SIZE_MAX, NULL, &o, &r));
    BAD(mlops_fairness_disparate_impact, "negative weight", MLOPS_EINVAL, (yp, g, 6, wneg, &o, &r));
    const int unknown[1] = { 77 };
    o.privileged = unknown; /* no sample of that group: NaN, not an error */
    BAD(mlops_fairness_disparate_impact, "unknown privileged group", MLOPS_OK, (yp, g, 6, NULL, &o, &r));
    ck_assert(isnan(r.value) && r.reason == MLOPS_EVAL_NO_WEIGHT);
    o.privileged = priv;
    o.unprivileged = dup;
    o.n_unprivileged = 2;
    BAD(mlops_fairness_statistical_parity_difference, "duplicate unprivileged", MLOPS_EINVAL, (yp, g, 6, NULL, &o, &r));
    o.unprivileged = priv;
    o.n_unprivileged = 1;
    BAD(mlops_fairness_statistical_parity_difference, "a group on both sides", MLOPS_EINVAL, (yp, g, 6, NULL, &o, &r));
    o.unprivileged = NULL;
    o.n_unprivileged = 1;
    BAD(mlops_fairness_statistical_parity_difference, "NULL list with a length", MLOPS_EINVAL, (yp, g, 6, NULL, &o, &r));
    o.n_unprivileged = 0;
    BAD(mlops_fairness_statistical_parity_difference, "NULL groups", MLOPS_EINVAL, (yp, NULL, 6, NULL, &o, &r));
    o.version = 2;
    BAD(mlops_fairness_statistical_parity_difference, "options version 2", MLOPS_EINVAL, (yp, g, 6, NULL, &o, &r));
}

/* ---- registry.h: evaluation records ------------------------------------- */

static void evaluations(void)
{
    snap b = snapshot(store_dir);
    const char *names[] = { "auc", "f1" };
    const char *dup[] = { "auc", "auc" };
    const char *nul[] = { NULL };
    const char *bad_utf8[] = { BAD_UTF8 };
    const char *long_name[] = { LONG };
    const char *empty[] = { "" };
    const double values[] = { 0.5, NAN };
    const int unknown_reason[] = { 0, 8 };
    mlops_evaluation_input in;
    BAD(mlops_evaluation_input_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_EVALUATION_INPUT_VERSION));
    BAD(mlops_evaluation_input_init, "version 0", MLOPS_EINVAL, (&in, 0));
    BAD(mlops_evaluation_input_init, "future version", MLOPS_EINVAL, (&in, 2));
    TU_OK(mlops_evaluation_input_init(&in, MLOPS_EVALUATION_INPUT_VERSION));
    in.n = 2;
    in.names = names;
    in.values = values;
    BAD(mlops_evaluation_record, "NULL store", MLOPS_EINVAL, (NULL, "m", 1, &D, &in, NULL, NULL));
    BAD(mlops_evaluation_record, "NULL model", MLOPS_EINVAL, (S, NULL, 1, &D, &in, NULL, NULL));
    for (size_t i = 0; BAD_STRINGS[i]; i++)
        BAD(mlops_evaluation_record, "bad model name", MLOPS_EINVAL, (S, BAD_STRINGS[i], 1, &D, &in, NULL, NULL));
    BAD(mlops_evaluation_record, "unknown model", MLOPS_ENOTFOUND, (S, "nope", 1, &D, &in, NULL, NULL));
    BAD(mlops_evaluation_record, "unknown version", MLOPS_ENOTFOUND, (S, "m", 99, &D, &in, NULL, NULL));
    BAD(mlops_evaluation_record, "version 0", MLOPS_EINVAL, (S, "m", 0, &D, &in, NULL, NULL));
    BAD(mlops_evaluation_record, "negative version", MLOPS_EINVAL, (S, "m", -1, &D, &in, NULL, NULL));
    BAD(mlops_evaluation_record, "NULL dataset", MLOPS_EINVAL, (S, "m", 1, NULL, &in, NULL, NULL));
    BAD(mlops_evaluation_record, "NULL metrics", MLOPS_EINVAL, (S, "m", 1, &D, NULL, NULL, NULL));
    in.version = 2;
    BAD(mlops_evaluation_record, "input version 2", MLOPS_EINVAL, (S, "m", 1, &D, &in, NULL, NULL));
    in.version = MLOPS_EVALUATION_INPUT_VERSION;
    in.n = 0;
    BAD(mlops_evaluation_record, "no metrics", MLOPS_EINVAL, (S, "m", 1, &D, &in, NULL, NULL));
    in.n = SIZE_MAX;
    BAD(mlops_evaluation_record, "SIZE_MAX metrics", MLOPS_EINVAL, (S, "m", 1, &D, &in, NULL, NULL));
    in.n = MLOPS_EVALUATION_METRICS_MAX + 1;
    BAD(mlops_evaluation_record, "too many metrics", MLOPS_EINVAL, (S, "m", 1, &D, &in, NULL, NULL));
    in.n = 2;
    in.names = NULL;
    BAD(mlops_evaluation_record, "NULL names", MLOPS_EINVAL, (S, "m", 1, &D, &in, NULL, NULL));
    in.names = names;
    in.values = NULL;
    BAD(mlops_evaluation_record, "NULL values", MLOPS_EINVAL, (S, "m", 1, &D, &in, NULL, NULL));
    in.values = values;
    in.names = dup;
    BAD(mlops_evaluation_record, "a name twice", MLOPS_EINVAL, (S, "m", 1, &D, &in, NULL, NULL));
    in.n = 1;
    const char *const *bad_names[] = { nul, bad_utf8, long_name, empty };
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        in.names = bad_names[i];
        BAD(mlops_evaluation_record, "bad metric name", MLOPS_EINVAL, (S, "m", 1, &D, &in, NULL, NULL));
    }
    in.n = 2;
    in.names = names;
    in.reasons = unknown_reason;
    BAD(mlops_evaluation_record, "unknown reason", MLOPS_EINVAL, (S, "m", 1, &D, &in, NULL, NULL));
    in.reasons = NULL;
    in.low = values;
    BAD(mlops_evaluation_record, "low without high", MLOPS_EINVAL, (S, "m", 1, &D, &in, NULL, NULL));
    in.low = NULL;
    in.high = values;
    BAD(mlops_evaluation_record, "high without low", MLOPS_EINVAL, (S, "m", 1, &D, &in, NULL, NULL));
    in.high = NULL;
    mlops_change_opts ch = MLOPS_CHANGE_OPTS_INIT;
    ch.version = 9;
    BAD(mlops_evaluation_record, "change version 9", MLOPS_EINVAL, (S, "m", 1, &D, &in, &ch, NULL));
    mlops_change_opts_init(&ch, MLOPS_CHANGE_OPTS_VERSION);
    ch.actor = BAD_UTF8;
    BAD(mlops_evaluation_record, "bad actor", MLOPS_EINVAL, (S, "m", 1, &D, &in, &ch, NULL));

    /* reading */
    mlops_evaluation *e = NULL;
    BAD(mlops_evaluation_get, "NULL store", MLOPS_EINVAL, (NULL, EVAL_ID, &e));
    BAD(mlops_evaluation_get, "NULL out", MLOPS_EINVAL, (S, EVAL_ID, NULL));
    BAD(mlops_evaluation_get, "id 0", MLOPS_EINVAL, (S, 0, &e));
    BAD(mlops_evaluation_get, "negative id", MLOPS_EINVAL, (S, INT64_MIN, &e));
    BAD(mlops_evaluation_get, "unknown id", MLOPS_ENOTFOUND, (S, EVAL_ID + 1000, &e));
    VOID(mlops_evaluation_free, "NULL", (NULL));
    RET(mlops_evaluation_id, "NULL", 0, (NULL));
    RET(mlops_evaluation_model, "NULL", NULL, (NULL));
    RET(mlops_evaluation_model_version, "NULL", 0, (NULL));
    RET(mlops_evaluation_dataset, "NULL", NULL, (NULL));
    RET(mlops_evaluation_created_ms, "NULL", 0, (NULL));
    RET(mlops_evaluation_actor, "NULL", NULL, (NULL));
    RET(mlops_evaluation_reason, "NULL", NULL, (NULL));
    RET(mlops_evaluation_metric_count, "NULL", 0, (NULL));
    mlops_evaluation_metric m;
    BAD(mlops_evaluation_metric_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_EVALUATION_METRIC_VERSION));
    BAD(mlops_evaluation_metric_init, "version 0", MLOPS_EINVAL, (&m, 0));
    TU_OK(mlops_evaluation_metric_init(&m, MLOPS_EVALUATION_METRIC_VERSION));
    TU_OK(mlops_evaluation_get(S, EVAL_ID, &e));
    BAD(mlops_evaluation_metric_at, "NULL evaluation", MLOPS_EINVAL, (NULL, 0, &m));
    BAD(mlops_evaluation_metric_at, "NULL out", MLOPS_EINVAL, (e, 0, NULL));
    BAD(mlops_evaluation_metric_at, "SIZE_MAX index", MLOPS_EINVAL, (e, SIZE_MAX, &m));
    BAD(mlops_evaluation_metric_find, "NULL evaluation", MLOPS_EINVAL, (NULL, "auc", &m));
    BAD(mlops_evaluation_metric_find, "NULL name", MLOPS_EINVAL, (e, NULL, &m));
    BAD(mlops_evaluation_metric_find, "NULL out", MLOPS_EINVAL, (e, "auc", NULL));
    BAD(mlops_evaluation_metric_find, "unknown metric", MLOPS_ENOTFOUND, (e, "f1", &m));
    BAD(mlops_evaluation_metric_find, "over-long name", MLOPS_ENOTFOUND, (e, LONG, &m));
    m.version = 5;
    BAD(mlops_evaluation_metric_at, "future version", MLOPS_EINVAL, (e, 0, &m));
    BAD(mlops_evaluation_metric_find, "future version", MLOPS_EINVAL, (e, "auc", &m));
    mlops_evaluation_free(e);

    /* listing */
    mlops_evaluation_list_opts lo;
    BAD(mlops_evaluation_list_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_EVALUATION_LIST_OPTS_VERSION));
    BAD(mlops_evaluation_list_opts_init, "future version", MLOPS_EINVAL, (&lo, 3));
    TU_OK(mlops_evaluation_list_opts_init(&lo, MLOPS_EVALUATION_LIST_OPTS_VERSION));
    mlops_evaluations *l = NULL;
    BAD(mlops_evaluation_list, "NULL store", MLOPS_EINVAL, (NULL, "m", 1, NULL, &l));
    BAD(mlops_evaluation_list, "NULL out", MLOPS_EINVAL, (S, "m", 1, NULL, NULL));
    BAD(mlops_evaluation_list, "NULL model", MLOPS_EINVAL, (S, NULL, 1, NULL, &l));
    for (size_t i = 0; BAD_STRINGS[i]; i++)
        BAD(mlops_evaluation_list, "bad model name", MLOPS_EINVAL, (S, BAD_STRINGS[i], 1, NULL, &l));
    BAD(mlops_evaluation_list, "version 0", MLOPS_EINVAL, (S, "m", 0, NULL, &l));
    BAD(mlops_evaluation_list, "unknown model", MLOPS_ENOTFOUND, (S, "nope", 1, NULL, &l));
    BAD(mlops_evaluation_list, "unknown version", MLOPS_ENOTFOUND, (S, "m", 99, NULL, &l));
    lo.after_id = -1;
    BAD(mlops_evaluation_list, "negative after_id", MLOPS_EINVAL, (S, "m", 1, &lo, &l));
    lo.after_id = 0;
    lo.version = 0;
    BAD(mlops_evaluation_list, "options version 0", MLOPS_EINVAL, (S, "m", 1, &lo, &l));
    ck_assert_ptr_null(l);
    RET(mlops_evaluations_count, "NULL", 0, (NULL));
    RET(mlops_evaluations_at, "NULL", NULL, (NULL, 0));
    VOID(mlops_evaluations_free, "NULL", (NULL));
    TU_OK(mlops_evaluation_list(S, "m", 1, NULL, &l));
    RET(mlops_evaluations_at, "SIZE_MAX index", NULL, (l, SIZE_MAX));
    mlops_evaluations_free(l);
    same_store(store_dir, &b, "evaluations");
    snap_free(&b);
}

/* ---- registry.h: weighted aliases and routing ------------------------------- */

static void weighted_aliases(void)
{
    const mlops_change_opts *nc = NULL;
    TU_OK(mlops_model_alias_split_set(S, "m", "canary", "1:90,2:10", nc));
    snap b = snapshot(store_dir);
    int64_t v = 0;
    mlops_alias_split *sp = NULL;
    mlops_alias_splits *l = NULL;
    mlops_route_snapshot *rs = NULL;
    for (int i = 0; i < 3; i++) {
        const char *str = BAD_STRINGS[i] ? BAD_STRINGS[i] : LONG;
        const char *what = i == 0 ? "empty" : i == 1 ? "invalid UTF-8" : "over-long";
        BAD(mlops_model_alias_split_set, what, MLOPS_EINVAL, (S, str, "canary", "1", nc));
        BAD(mlops_model_alias_split_set, what, MLOPS_EINVAL, (S, "m", str, "1", nc));
        BAD(mlops_model_alias_split_set, what, MLOPS_EINVAL, (S, "m", "canary", str, nc));
        BAD(mlops_model_alias_ramp, what, MLOPS_EINVAL, (S, "m", str, 2, 50, nc));
        BAD(mlops_model_alias_rollback, what, MLOPS_EINVAL, (S, "m", str, 0, nc));
        BAD(mlops_model_alias_split_get, what, MLOPS_EINVAL, (S, "m", str, &sp));
        BAD(mlops_audit_alias_split_at, what, MLOPS_EINVAL, (S, "m", str, 0, &sp));
        BAD(mlops_model_alias_splits, what, MLOPS_EINVAL, (S, str, &l));
        BAD(mlops_model_route, what, MLOPS_EINVAL, (S, "m", str, "k", 1, &v));
        BAD(mlops_model_route_snapshot, what, MLOPS_EINVAL, (S, str, "canary", &rs));
    }
    /* split_set */
    BAD(mlops_model_alias_split_set, "NULL store", MLOPS_EINVAL, (NULL, "m", "canary", "1", nc));
    BAD(mlops_model_alias_split_set, "NULL model", MLOPS_EINVAL, (S, NULL, "canary", "1", nc));
    BAD(mlops_model_alias_split_set, "NULL alias", MLOPS_EINVAL, (S, "m", NULL, "1", nc));
    BAD(mlops_model_alias_split_set, "NULL split", MLOPS_EINVAL, (S, "m", "canary", NULL, nc));
    BAD(mlops_model_alias_split_set, "reserved alias", MLOPS_EINVAL, (S, "m", "latest", "1", nc));
    BAD(mlops_model_alias_split_set, "weights sum to 95", MLOPS_EINVAL, (S, "m", "canary", "1:90,2:5", nc));
    BAD(mlops_model_alias_split_set, "whitespace", MLOPS_EINVAL, (S, "m", "canary", "1:90, 2:10", nc));
    BAD(mlops_model_alias_split_set, "version twice", MLOPS_EINVAL, (S, "m", "canary", "1:50,1:50", nc));
    BAD(mlops_model_alias_split_set, "shadow routed", MLOPS_EINVAL, (S, "m", "canary", "1+shadow:1", nc));
    BAD(mlops_model_alias_split_set, "unknown model", MLOPS_ENOTFOUND, (S, "nope", "canary", "1", nc));
    BAD(mlops_model_alias_split_set, "unknown version", MLOPS_ENOTFOUND, (S, "m", "canary", "1:90,9:10", nc));
    BAD(mlops_model_alias_split_set, "unknown shadow", MLOPS_ENOTFOUND, (S, "m", "canary", "1+shadow:9", nc));
    /* ramp */
    BAD(mlops_model_alias_ramp, "NULL store", MLOPS_EINVAL, (NULL, "m", "canary", 2, 50, nc));
    BAD(mlops_model_alias_ramp, "NULL alias", MLOPS_EINVAL, (S, "m", NULL, 2, 50, nc));
    BAD(mlops_model_alias_ramp, "reserved alias", MLOPS_EINVAL, (S, "m", "v1", 2, 50, nc));
    BAD(mlops_model_alias_ramp, "version 0", MLOPS_EINVAL, (S, "m", "canary", 0, 50, nc));
    BAD(mlops_model_alias_ramp, "weight -1", MLOPS_EINVAL, (S, "m", "canary", 2, -1, nc));
    BAD(mlops_model_alias_ramp, "weight 101", MLOPS_EINVAL, (S, "m", "canary", 2, 101, nc));
    BAD(mlops_model_alias_ramp, "0 for no share", MLOPS_EINVAL, (S, "m", "champion", 2, 0, nc));
    BAD(mlops_model_alias_ramp, "the only version", MLOPS_EINVAL, (S, "m", "champion", 1, 50, nc));
    BAD(mlops_model_alias_ramp, "alias not set", MLOPS_ENOTFOUND, (S, "m", "nope", 2, 50, nc));
    BAD(mlops_model_alias_ramp, "unknown version", MLOPS_ENOTFOUND, (S, "m", "canary", 9, 5, nc));
    BAD(mlops_model_alias_ramp, "unknown model", MLOPS_ENOTFOUND, (S, "nope", "canary", 2, 50, nc));
    /* rollback */
    BAD(mlops_model_alias_rollback, "NULL store", MLOPS_EINVAL, (NULL, "m", "canary", 0, nc));
    BAD(mlops_model_alias_rollback, "NULL alias", MLOPS_EINVAL, (S, "m", NULL, 0, nc));
    BAD(mlops_model_alias_rollback, "negative time", MLOPS_EINVAL, (S, "m", "canary", -1, nc));
    BAD(mlops_model_alias_rollback, "never changed", MLOPS_ENOTFOUND, (S, "m", "canary", 0, nc));
    BAD(mlops_model_alias_rollback, "not set then", MLOPS_ENOTFOUND, (S, "m", "canary", 1, nc));
    BAD(mlops_model_alias_rollback, "unknown model", MLOPS_ENOTFOUND, (S, "nope", "canary", 0, nc));
    /* reading */
    BAD(mlops_model_alias_split_get, "NULL store", MLOPS_EINVAL, (NULL, "m", "canary", &sp));
    BAD(mlops_model_alias_split_get, "NULL out", MLOPS_EINVAL, (S, "m", "canary", NULL));
    BAD(mlops_model_alias_split_get, "alias not set", MLOPS_ENOTFOUND, (S, "m", "nope", &sp));
    BAD(mlops_audit_alias_split_at, "NULL store", MLOPS_EINVAL, (NULL, "m", "canary", 0, &sp));
    BAD(mlops_audit_alias_split_at, "NULL out", MLOPS_EINVAL, (S, "m", "canary", 0, NULL));
    BAD(mlops_audit_alias_split_at, "before anything", MLOPS_ENOTFOUND, (S, "m", "canary", INT64_MIN, &sp));
    BAD(mlops_audit_alias_split_at, "unknown model", MLOPS_ENOTFOUND, (S, "nope", "canary", 0, &sp));
    ck_assert_ptr_null(sp);
    BAD(mlops_model_alias_splits, "NULL store", MLOPS_EINVAL, (NULL, "m", &l));
    BAD(mlops_model_alias_splits, "NULL out", MLOPS_EINVAL, (S, "m", NULL));
    BAD(mlops_model_alias_splits, "unknown model", MLOPS_ENOTFOUND, (S, "nope", &l));
    ck_assert_ptr_null(l);
    RET(mlops_alias_splits_count, "NULL", 0, (NULL));
    RET(mlops_alias_splits_at, "NULL", NULL, (NULL, 0));
    VOID(mlops_alias_splits_free, "NULL", (NULL));
    TU_OK(mlops_model_alias_splits(S, "m", &l));
    RET(mlops_alias_splits_at, "SIZE_MAX index", NULL, (l, SIZE_MAX));
    mlops_alias_splits_free(l);
    RET(mlops_alias_split_alias, "NULL", NULL, (NULL));
    RET(mlops_alias_split_text, "NULL", NULL, (NULL));
    RET(mlops_alias_split_salt, "NULL", NULL, (NULL));
    RET(mlops_alias_split_count, "NULL", 0, (NULL));
    RET(mlops_alias_split_primary, "NULL", 0, (NULL));
    RET(mlops_alias_split_shadow, "NULL", 0, (NULL));
    VOID(mlops_alias_split_free, "NULL", (NULL));
    int w = 0;
    BAD(mlops_alias_split_at, "NULL", MLOPS_EINVAL, (NULL, 0, &v, &w));
    TU_OK(mlops_model_alias_split_get(S, "m", "canary", &sp));
    BAD(mlops_alias_split_at, "index out of range", MLOPS_EINVAL, (sp, 2, &v, &w));
    BAD(mlops_alias_split_at, "SIZE_MAX index", MLOPS_EINVAL, (sp, SIZE_MAX, &v, &w));
    mlops_alias_split_free(sp);
    /* routing */
    BAD(mlops_model_route, "NULL store", MLOPS_EINVAL, (NULL, "m", "canary", "k", 1, &v));
    BAD(mlops_model_route, "NULL alias", MLOPS_EINVAL, (S, "m", NULL, "k", 1, &v));
    BAD(mlops_model_route, "NULL key, length 1", MLOPS_EINVAL, (S, "m", "canary", NULL, 1, &v));
    BAD(mlops_model_route, "SIZE_MAX length", MLOPS_EINVAL, (S, "m", "canary", "k", SIZE_MAX, &v));
    BAD(mlops_model_route, "NULL out", MLOPS_EINVAL, (S, "m", "canary", "k", 1, NULL));
    BAD(mlops_model_route, "alias not set", MLOPS_ENOTFOUND, (S, "m", "nope", "k", 1, &v));
    BAD(mlops_model_route, "unknown model", MLOPS_ENOTFOUND, (S, "nope", "canary", "k", 1, &v));
    BAD(mlops_model_route_snapshot, "NULL store", MLOPS_EINVAL, (NULL, "m", "canary", &rs));
    BAD(mlops_model_route_snapshot, "NULL out", MLOPS_EINVAL, (S, "m", "canary", NULL));
    BAD(mlops_model_route_snapshot, "alias not set", MLOPS_ENOTFOUND, (S, "m", "nope", &rs));
    ck_assert_ptr_null(rs);
    BAD(mlops_route_snapshot_route, "NULL snapshot", MLOPS_EINVAL, (NULL, "k", 1, &v));
    RET(mlops_route_snapshot_split, "NULL", NULL, (NULL));
    VOID(mlops_route_snapshot_free, "NULL", (NULL));
    TU_OK(mlops_model_route_snapshot(S, "m", "canary", &rs));
    BAD(mlops_route_snapshot_route, "NULL key, length 1", MLOPS_EINVAL, (rs, NULL, 1, &v));
    BAD(mlops_route_snapshot_route, "SIZE_MAX length", MLOPS_EINVAL, (rs, "k", SIZE_MAX, &v));
    BAD(mlops_route_snapshot_route, "NULL out", MLOPS_EINVAL, (rs, "k", 1, NULL));
    mlops_route_snapshot_free(rs);
    same_store(store_dir, &b, "weighted aliases");
    snap_free(&b);
}

/* ---- registry.h: promotion gates ------------------------------------------- */

static void gates(void)
{
    /* A decision to read: promoting where the alias already points (a
     * write transaction that changes no row, before the snapshot). */
    mlops_gate_decision *first = NULL;
    TU_OK(mlops_model_promote(S, "m", 1, "champion", NULL, NULL, &first));
    snap b = snapshot(store_dir);
    const char *conds[] = { "metrics.auc >= 0.8", "signed" };
    const char *nul[] = { NULL };
    const char *bad[] = { "metrics.auc >=" };
    const char *run_agg[] = { "metrics.auc.min >= 0.8" }; /* no aggregate with a dataset */
    const char *long_cond[] = { LONG };
    const char *bad_utf8[] = { BAD_UTF8 };
    const char *many[MLOPS_GATE_CONDITIONS_MAX + 1];
    for (size_t i = 0; i <= MLOPS_GATE_CONDITIONS_MAX; i++) many[i] = "signed";
    mlops_change_opts ch = MLOPS_CHANGE_OPTS_INIT;
    ch.version = 9;
    BAD(mlops_model_gate_set, "NULL store", MLOPS_EINVAL, (NULL, "m", "champion", conds, 2, NULL, NULL));
    BAD(mlops_model_gate_set, "NULL model", MLOPS_EINVAL, (S, NULL, "champion", conds, 2, NULL, NULL));
    for (size_t i = 0; BAD_STRINGS[i]; i++) {
        BAD(mlops_model_gate_set, "bad model name", MLOPS_EINVAL, (S, BAD_STRINGS[i], "champion", conds, 2, NULL, NULL));
        BAD(mlops_model_gate_set, "bad alias", MLOPS_EINVAL, (S, "m", BAD_STRINGS[i], conds, 2, NULL, NULL));
    }
    BAD(mlops_model_gate_set, "NULL alias", MLOPS_EINVAL, (S, "m", NULL, conds, 2, NULL, NULL));
    BAD(mlops_model_gate_set, "reserved alias", MLOPS_EINVAL, (S, "m", "latest", conds, 2, NULL, NULL));
    BAD(mlops_model_gate_set, "NULL conditions", MLOPS_EINVAL, (S, "m", "champion", NULL, 2, NULL, NULL));
    BAD(mlops_model_gate_set, "no condition", MLOPS_EINVAL, (S, "m", "champion", conds, 0, NULL, NULL));
    BAD(mlops_model_gate_set, "SIZE_MAX conditions", MLOPS_EINVAL, (S, "m", "champion", conds, SIZE_MAX, NULL, NULL));
    BAD(mlops_model_gate_set, "too many conditions", MLOPS_EINVAL,
        (S, "m", "champion", many, MLOPS_GATE_CONDITIONS_MAX + 1, NULL, NULL));
    BAD(mlops_model_gate_set, "a NULL condition", MLOPS_EINVAL, (S, "m", "champion", nul, 1, NULL, NULL));
    BAD(mlops_model_gate_set, "malformed condition", MLOPS_EINVAL, (S, "m", "champion", bad, 1, NULL, NULL));
    BAD(mlops_model_gate_set, "over-long condition", MLOPS_EINVAL, (S, "m", "champion", long_cond, 1, NULL, NULL));
    BAD(mlops_model_gate_set, "condition not UTF-8", MLOPS_EINVAL, (S, "m", "champion", bad_utf8, 1, NULL, NULL));
    BAD(mlops_model_gate_set, "aggregate with a dataset", MLOPS_EINVAL, (S, "m", "champion", run_agg, 1, &D, NULL));
    BAD(mlops_model_gate_set, "change version 9", MLOPS_EINVAL, (S, "m", "champion", conds, 2, NULL, &ch));
    BAD(mlops_model_gate_set, "unknown model", MLOPS_ENOTFOUND, (S, "nope", "champion", conds, 2, NULL, NULL));

    BAD(mlops_model_gate_clear, "NULL store", MLOPS_EINVAL, (NULL, "m", "champion", NULL));
    BAD(mlops_model_gate_clear, "NULL model", MLOPS_EINVAL, (S, NULL, "champion", NULL));
    BAD(mlops_model_gate_clear, "NULL alias", MLOPS_EINVAL, (S, "m", NULL, NULL));
    BAD(mlops_model_gate_clear, "reserved alias", MLOPS_EINVAL, (S, "m", "v1", NULL));
    BAD(mlops_model_gate_clear, "change version 9", MLOPS_EINVAL, (S, "m", "champion", &ch));
    BAD(mlops_model_gate_clear, "unknown model", MLOPS_ENOTFOUND, (S, "nope", "champion", NULL));
    BAD(mlops_model_gate_clear, "no gate", MLOPS_ENOTFOUND, (S, "m", "champion", NULL));

    mlops_gate *g = NULL;
    BAD(mlops_model_gate_get, "NULL store", MLOPS_EINVAL, (NULL, "m", "champion", &g));
    BAD(mlops_model_gate_get, "NULL out", MLOPS_EINVAL, (S, "m", "champion", NULL));
    BAD(mlops_model_gate_get, "NULL model", MLOPS_EINVAL, (S, NULL, "champion", &g));
    for (size_t i = 0; BAD_STRINGS[i]; i++)
        BAD(mlops_model_gate_get, "bad alias", MLOPS_EINVAL, (S, "m", BAD_STRINGS[i], &g));
    BAD(mlops_model_gate_get, "unknown model", MLOPS_ENOTFOUND, (S, "nope", "champion", &g));
    BAD(mlops_model_gate_get, "no gate", MLOPS_ENOTFOUND, (S, "m", "champion", &g));
    ck_assert_ptr_null(g);
    RET(mlops_gate_count, "NULL", 0, (NULL));
    RET(mlops_gate_condition, "NULL", NULL, (NULL, 0));
    RET(mlops_gate_dataset, "NULL", NULL, (NULL));
    VOID(mlops_gate_free, "NULL", (NULL));

    mlops_promote_opts po;
    BAD(mlops_promote_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_PROMOTE_OPTS_VERSION));
    BAD(mlops_promote_opts_init, "version 0", MLOPS_EINVAL, (&po, 0));
    BAD(mlops_promote_opts_init, "future version", MLOPS_EINVAL, (&po, 2));
    TU_OK(mlops_promote_opts_init(&po, MLOPS_PROMOTE_OPTS_VERSION));
    mlops_gate_decision *d = NULL;
    BAD(mlops_model_promote, "NULL store", MLOPS_EINVAL, (NULL, "m", 2, "champion", NULL, NULL, &d));
    BAD(mlops_model_promote, "NULL model", MLOPS_EINVAL, (S, NULL, 2, "champion", NULL, NULL, &d));
    for (size_t i = 0; BAD_STRINGS[i]; i++)
        BAD(mlops_model_promote, "bad alias", MLOPS_EINVAL, (S, "m", 2, BAD_STRINGS[i], NULL, NULL, &d));
    BAD(mlops_model_promote, "NULL alias", MLOPS_EINVAL, (S, "m", 2, NULL, NULL, NULL, &d));
    BAD(mlops_model_promote, "reserved alias", MLOPS_EINVAL, (S, "m", 2, "latest", NULL, NULL, &d));
    BAD(mlops_model_promote, "version 0", MLOPS_EINVAL, (S, "m", 0, "champion", NULL, NULL, &d));
    BAD(mlops_model_promote, "negative version", MLOPS_EINVAL, (S, "m", INT64_MIN, "champion", NULL, NULL, &d));
    BAD(mlops_model_promote, "unknown model", MLOPS_ENOTFOUND, (S, "nope", 1, "champion", NULL, NULL, &d));
    BAD(mlops_model_promote, "unknown version", MLOPS_ENOTFOUND, (S, "m", 99, "champion", NULL, NULL, &d));
    BAD(mlops_model_promote, "change version 9", MLOPS_EINVAL, (S, "m", 2, "champion", NULL, &ch, &d));
    po.force = 1;
    BAD(mlops_model_promote, "force without a reason", MLOPS_EINVAL, (S, "m", 2, "champion", &po, NULL, &d));
    po.version = 7;
    BAD(mlops_model_promote, "options version 7", MLOPS_EINVAL, (S, "m", 2, "champion", &po, NULL, &d));
    ck_assert_ptr_null(d);
    VOID(mlops_gate_decision_free, "NULL", (NULL));
    RET(mlops_gate_decision_gated, "NULL", 0, (NULL));
    RET(mlops_gate_decision_passed, "NULL", 0, (NULL));
    RET(mlops_gate_decision_forced, "NULL", 0, (NULL));
    RET(mlops_gate_decision_baseline, "NULL", 0, (NULL));
    RET(mlops_gate_decision_event, "NULL", 0, (NULL));
    RET(mlops_gate_decision_count, "NULL", 0, (NULL));
    mlops_gate_check c;
    BAD(mlops_gate_check_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_GATE_CHECK_VERSION));
    BAD(mlops_gate_check_init, "version 0", MLOPS_EINVAL, (&c, 0));
    BAD(mlops_gate_check_init, "future version", MLOPS_EINVAL, (&c, 2));
    TU_OK(mlops_gate_check_init(&c, MLOPS_GATE_CHECK_VERSION));
    BAD(mlops_gate_decision_at, "NULL decision", MLOPS_EINVAL, (NULL, 0, &c));
    d = first;
    BAD(mlops_gate_decision_at, "NULL out", MLOPS_EINVAL, (d, 0, NULL));
    BAD(mlops_gate_decision_at, "SIZE_MAX index", MLOPS_EINVAL, (d, SIZE_MAX, &c));
    c.version = 3;
    BAD(mlops_gate_decision_at, "future version", MLOPS_EINVAL, (d, 0, &c));
    mlops_gate_decision_free(d);
    /* The model page (a read: the store stays as it was). */
    mlops_model_page_opts mpo;
    char *mpage = NULL;
    BAD(mlops_model_page_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_MODEL_PAGE_OPTS_VERSION));
    BAD(mlops_model_page_opts_init, "version 0", MLOPS_EINVAL, (&mpo, 0));
    BAD(mlops_model_page_opts_init, "future version", MLOPS_EINVAL, (&mpo, 99));
    BAD(mlops_model_page_html, "NULL store", MLOPS_EINVAL, (NULL, "m", NULL, &mpage));
    BAD(mlops_model_page_html, "NULL model", MLOPS_EINVAL, (S, NULL, NULL, &mpage));
    BAD(mlops_model_page_html, "NULL out", MLOPS_EINVAL, (S, "m", NULL, NULL));
    BAD(mlops_model_page_html, "invalid UTF-8 model", MLOPS_EINVAL, (S, BAD_UTF8, NULL, &mpage));
    BAD(mlops_model_page_html, "unknown model", MLOPS_ENOTFOUND, (S, "nope", NULL, &mpage));
    mpo = (mlops_model_page_opts)MLOPS_MODEL_PAGE_OPTS_INIT;
    mpo.version = 99;
    BAD(mlops_model_page_html, "future options", MLOPS_EINVAL, (S, "m", &mpo, &mpage));
    mpo = (mlops_model_page_opts)MLOPS_MODEL_PAGE_OPTS_INIT;
    mpo.title = BAD_UTF8;
    BAD(mlops_model_page_html, "invalid UTF-8 title", MLOPS_EINVAL, (S, "m", &mpo, &mpage));
    ck_assert_ptr_null(mpage);
    same_store(store_dir, &b, "registry.h (gates)");
    snap_free(&b);
}

/* ---- import.h ---------------------------------------------------------------- */

static void imports(void)
{
    snap b = snapshot(store_dir);
    mlops_import_opts io;
    BAD(mlops_import_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_IMPORT_OPTS_VERSION));
    BAD(mlops_import_opts_init, "version 0", MLOPS_EINVAL, (&io, 0));
    BAD(mlops_import_opts_init, "future version", MLOPS_EINVAL, (&io, 99));
    mlops_import_opts_init(&io, MLOPS_IMPORT_OPTS_VERSION);
    io.origin = "test:bad";
    mlops_import_opts noorigin = io, badorigin = io, future = io;
    noorigin.origin = NULL;
    badorigin.origin = BAD_UTF8;
    future.version = 2;
    mlops_kv dup[] = { { "k", "1" }, { "k", "2" } };
    mlops_kv nullval[] = { { "k", NULL } };

    BAD(mlops_experiment_import, "NULL store", MLOPS_EINVAL, (NULL, &io, "e", 1, NULL, 0, NULL));
    BAD(mlops_experiment_import, "NULL options", MLOPS_EINVAL, (S, NULL, "e", 1, NULL, 0, NULL));
    BAD(mlops_experiment_import, "no origin", MLOPS_EINVAL, (S, &noorigin, "e", 1, NULL, 0, NULL));
    BAD(mlops_experiment_import, "invalid UTF-8 origin", MLOPS_EINVAL,
        (S, &badorigin, "e", 1, NULL, 0, NULL));
    BAD(mlops_experiment_import, "over-long origin", MLOPS_EINVAL,
        (S, &(mlops_import_opts){ 1, LONG, NULL }, "e", 1, NULL, 0, NULL));
    BAD(mlops_experiment_import, "options version 2", MLOPS_EINVAL,
        (S, &future, "e", 1, NULL, 0, NULL));
    BAD(mlops_experiment_import, "NULL name", MLOPS_EINVAL, (S, &io, NULL, 1, NULL, 0, NULL));
    BAD(mlops_experiment_import, "invalid UTF-8 name", MLOPS_EINVAL,
        (S, &io, BAD_UTF8, 1, NULL, 0, NULL));
    BAD(mlops_experiment_import, "NULL tags with a count", MLOPS_EINVAL,
        (S, &io, "e", 1, NULL, 2, NULL));
    BAD(mlops_experiment_import, "SIZE_MAX tags", MLOPS_EINVAL, (S, &io, "e", 1, dup, SIZE_MAX, NULL));
    BAD(mlops_experiment_import, "a tag twice", MLOPS_EINVAL, (S, &io, "e", 1, dup, 2, NULL));
    BAD(mlops_experiment_import, "NULL tag value", MLOPS_EINVAL, (S, &io, "e", 1, nullval, 1, NULL));
    BAD(mlops_experiment_import, "exp with another time", MLOPS_ECONFLICT,
        (S, &io, "exp", 1, NULL, 0, NULL));

    mlops_run_record rr;
    BAD(mlops_run_record_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_RUN_RECORD_VERSION));
    BAD(mlops_run_record_init, "version 0", MLOPS_EINVAL, (&rr, 0));
    BAD(mlops_run_record_init, "future version", MLOPS_EINVAL, (&rr, 9));
    mlops_run_record_init(&rr, MLOPS_RUN_RECORD_VERSION);
    rr.run_id = "00000000000000000000000000000001";
    rr.experiment = "exp";
    rr.status = MLOPS_RUN_FINISHED;
    rr.start_ms = 5;
    BAD(mlops_run_import, "NULL store", MLOPS_EINVAL, (NULL, &io, &rr));
    BAD(mlops_run_import, "NULL options", MLOPS_EINVAL, (S, NULL, &rr));
    BAD(mlops_run_import, "NULL record", MLOPS_EINVAL, (S, &io, NULL));
    mlops_run_record r2 = rr;
    r2.version = 0;
    BAD(mlops_run_import, "record version 0", MLOPS_EINVAL, (S, &io, &r2));
    r2 = rr;
    r2.run_id = "XYZ";
    BAD(mlops_run_import, "malformed run id", MLOPS_EINVAL, (S, &io, &r2));
    r2 = rr;
    r2.run_id = NULL;
    BAD(mlops_run_import, "NULL run id", MLOPS_EINVAL, (S, &io, &r2));
    r2 = rr;
    r2.experiment = NULL;
    BAD(mlops_run_import, "NULL experiment", MLOPS_EINVAL, (S, &io, &r2));
    r2 = rr;
    r2.status = 9;
    BAD(mlops_run_import, "unknown status", MLOPS_EINVAL, (S, &io, &r2));
    r2 = rr;
    r2.status = MLOPS_RUN_RUNNING;
    r2.end_ms = 6;
    BAD(mlops_run_import, "RUNNING with an end", MLOPS_EINVAL, (S, &io, &r2));
    r2 = rr;
    r2.name = BAD_UTF8;
    BAD(mlops_run_import, "invalid UTF-8 name", MLOPS_EINVAL, (S, &io, &r2));
    r2 = rr;
    r2.params = dup;
    r2.nparams = 2;
    BAD(mlops_run_import, "a param twice", MLOPS_EINVAL, (S, &io, &r2));
    r2 = rr;
    r2.params = (mlops_kv[]){ { "k", LONG } };
    r2.nparams = 1;
    BAD(mlops_run_import, "over-long param value", MLOPS_EINVAL, (S, &io, &r2));
    r2 = rr;
    r2.experiment = "none";
    BAD(mlops_run_import, "unknown experiment", MLOPS_ENOTFOUND, (S, &io, &r2));
    r2 = rr;
    r2.parent_id = "00000000000000000000000000000002";
    BAD(mlops_run_import, "unknown parent", MLOPS_ENOTFOUND, (S, &io, &r2));
    r2 = rr;
    r2.run_id = RUN_ID;
    BAD(mlops_run_import, "a run here with other content", MLOPS_ECONFLICT, (S, &io, &r2));

    mlops_metric pt = { "loss", 1.0, 1, 1 };
    size_t added = 0;
    BAD(mlops_metric_import, "NULL store", MLOPS_EINVAL, (NULL, &io, RUN_ID, &pt, 1, &added));
    BAD(mlops_metric_import, "NULL options", MLOPS_EINVAL, (S, NULL, RUN_ID, &pt, 1, &added));
    BAD(mlops_metric_import, "NULL run", MLOPS_EINVAL, (S, &io, NULL, &pt, 1, &added));
    BAD(mlops_metric_import, "malformed run", MLOPS_EINVAL, (S, &io, "r", &pt, 1, &added));
    BAD(mlops_metric_import, "NULL points", MLOPS_EINVAL, (S, &io, RUN_ID, NULL, 1, &added));
    BAD(mlops_metric_import, "SIZE_MAX points", MLOPS_EINVAL, (S, &io, RUN_ID, &pt, SIZE_MAX, &added));
    BAD(mlops_metric_import, "unknown run", MLOPS_ENOTFOUND,
        (S, &io, "00000000000000000000000000000003", &pt, 1, &added));
    mlops_metric badkey = { BAD_UTF8, 1.0, 1, 1 };
    BAD(mlops_metric_import, "invalid UTF-8 key", MLOPS_EINVAL, (S, &io, RUN_ID, &badkey, 1, &added));
    mlops_metric nullkey = { NULL, 1.0, 1, 1 };
    BAD(mlops_metric_import, "NULL key", MLOPS_EINVAL, (S, &io, RUN_ID, &nullkey, 1, &added));

    BAD(mlops_lineage_import, "NULL store", MLOPS_EINVAL,
        (NULL, &io, RUN_ID, MLOPS_LINEAGE_OUTPUT, &D, "n", "r", 1));
    BAD(mlops_lineage_import, "NULL options", MLOPS_EINVAL,
        (S, NULL, RUN_ID, MLOPS_LINEAGE_OUTPUT, &D, "n", "r", 1));
    BAD(mlops_lineage_import, "malformed run", MLOPS_EINVAL,
        (S, &io, "x", MLOPS_LINEAGE_OUTPUT, &D, "n", "r", 1));
    BAD(mlops_lineage_import, "direction 2", MLOPS_EINVAL, (S, &io, RUN_ID, 2, &D, "n", "r", 1));
    BAD(mlops_lineage_import, "NULL digest", MLOPS_EINVAL,
        (S, &io, RUN_ID, MLOPS_LINEAGE_OUTPUT, NULL, "n", "r", 1));
    BAD(mlops_lineage_import, "NULL name", MLOPS_EINVAL,
        (S, &io, RUN_ID, MLOPS_LINEAGE_OUTPUT, &D, NULL, "r", 1));
    BAD(mlops_lineage_import, "over-long role", MLOPS_EINVAL,
        (S, &io, RUN_ID, MLOPS_LINEAGE_OUTPUT, &D, "n", LONG, 1));
    BAD(mlops_lineage_import, "unknown content", MLOPS_ENOTFOUND,
        (S, &io, RUN_ID, MLOPS_LINEAGE_OUTPUT, &UNKNOWN, "n", "r", 1));
    BAD(mlops_lineage_import, "the edge here with another time", MLOPS_ECONFLICT,
        (S, &io, RUN_ID, MLOPS_LINEAGE_OUTPUT, &D, "model", "model", 1));

    mlops_version_record vr;
    BAD(mlops_version_record_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_VERSION_RECORD_VERSION));
    BAD(mlops_version_record_init, "version 0", MLOPS_EINVAL, (&vr, 0));
    BAD(mlops_version_record_init, "future version", MLOPS_EINVAL, (&vr, 9));
    mlops_version_record_init(&vr, MLOPS_VERSION_RECORD_VERSION);
    vr.model = "m";
    vr.number = 1;
    vr.artifact = D;
    vr.created_ms = 1;
    BAD(mlops_version_import, "NULL store", MLOPS_EINVAL, (NULL, &io, &vr));
    BAD(mlops_version_import, "NULL options", MLOPS_EINVAL, (S, NULL, &vr));
    BAD(mlops_version_import, "NULL record", MLOPS_EINVAL, (S, &io, NULL));
    mlops_version_record v2 = vr;
    v2.version = 5;
    BAD(mlops_version_import, "record version 5", MLOPS_EINVAL, (S, &io, &v2));
    v2 = vr;
    v2.model = NULL;
    BAD(mlops_version_import, "NULL model", MLOPS_EINVAL, (S, &io, &v2));
    v2 = vr;
    v2.number = 0;
    BAD(mlops_version_import, "number 0", MLOPS_EINVAL, (S, &io, &v2));
    v2 = vr;
    v2.number = -3;
    BAD(mlops_version_import, "negative number", MLOPS_EINVAL, (S, &io, &v2));
    v2 = vr;
    v2.run_id = "x";
    BAD(mlops_version_import, "malformed run", MLOPS_EINVAL, (S, &io, &v2));
    v2 = vr;
    v2.description = BAD_UTF8;
    BAD(mlops_version_import, "invalid UTF-8 description", MLOPS_EINVAL, (S, &io, &v2));
    v2 = vr;
    v2.creator = "a\nb";
    BAD(mlops_version_import, "control character in creator", MLOPS_EINVAL, (S, &io, &v2));
    v2 = vr;
    v2.tags = dup;
    v2.ntags = 2;
    BAD(mlops_version_import, "a tag twice", MLOPS_EINVAL, (S, &io, &v2));
    v2 = vr;
    BAD(mlops_version_import, "a version here with other content", MLOPS_ECONFLICT, (S, &io, &v2));
    v2 = vr;
    v2.number = 77;
    v2.artifact = UNKNOWN;
    BAD(mlops_version_import, "unknown artifact", MLOPS_ENOTFOUND, (S, &io, &v2));

    unsigned char sig64[64] = { 0 };
    BAD(mlops_signature_import, "NULL store", MLOPS_EINVAL,
        (NULL, &io, "m", 1, PUB_PEM, sig64, 1, "ann"));
    BAD(mlops_signature_import, "NULL options", MLOPS_EINVAL,
        (S, NULL, "m", 1, PUB_PEM, sig64, 1, "ann"));
    BAD(mlops_signature_import, "NULL model", MLOPS_EINVAL,
        (S, &io, NULL, 1, PUB_PEM, sig64, 1, "ann"));
    BAD(mlops_signature_import, "version 0", MLOPS_EINVAL, (S, &io, "m", 0, PUB_PEM, sig64, 1, "ann"));
    BAD(mlops_signature_import, "NULL key", MLOPS_EINVAL, (S, &io, "m", 1, NULL, sig64, 1, "ann"));
    BAD(mlops_signature_import, "not a PEM key", MLOPS_EFORMAT,
        (S, &io, "m", 1, "junk", sig64, 1, "ann"));
    BAD(mlops_signature_import, "a P-256 key", MLOPS_EUNSUPPORTED,
        (S, &io, "m", 1, EC_PUB_PEM, sig64, 1, "ann"));
    BAD(mlops_signature_import, "NULL signature", MLOPS_EINVAL,
        (S, &io, "m", 1, PUB_PEM, NULL, 1, "ann"));
    BAD(mlops_signature_import, "NULL signer", MLOPS_EINVAL, (S, &io, "m", 1, PUB_PEM, sig64, 1, NULL));
    BAD(mlops_signature_import, "unknown version", MLOPS_ENOTFOUND,
        (S, &io, "m", 99, PUB_PEM, sig64, 1, "ann"));
    BAD(mlops_signature_import, "a signature that does not verify", MLOPS_ESIGNATURE,
        (S, &io, "m", 2, PUB_PEM, sig64, 1, "ann"));

    BAD(mlops_alias_import, "NULL store", MLOPS_EINVAL, (NULL, &io, "m", "a", 1, 1));
    BAD(mlops_alias_import, "NULL options", MLOPS_EINVAL, (S, NULL, "m", "a", 1, 1));
    BAD(mlops_alias_import, "NULL model", MLOPS_EINVAL, (S, &io, NULL, "a", 1, 1));
    BAD(mlops_alias_import, "NULL alias", MLOPS_EINVAL, (S, &io, "m", NULL, 1, 1));
    BAD(mlops_alias_import, "reserved alias", MLOPS_EINVAL, (S, &io, "m", "latest", 1, 1));
    BAD(mlops_alias_import, "alias with a space", MLOPS_EINVAL, (S, &io, "m", "a b", 1, 1));
    BAD(mlops_alias_import, "negative version", MLOPS_EINVAL, (S, &io, "m", "a", -1, 1));
    BAD(mlops_alias_import, "unknown model", MLOPS_ENOTFOUND, (S, &io, "nope", "a", 1, 1));
    BAD(mlops_alias_import, "unknown version", MLOPS_ENOTFOUND, (S, &io, "m", "a", 99, 1));

    mlops_store_copy_opts co;
    BAD(mlops_store_copy_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_STORE_COPY_OPTS_VERSION));
    BAD(mlops_store_copy_opts_init, "version 0", MLOPS_EINVAL, (&co, 0));
    BAD(mlops_store_copy_opts_init, "future version", MLOPS_EINVAL, (&co, 9));
    mlops_store_copy_report rep;
    BAD(mlops_store_copy_report_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_STORE_COPY_REPORT_VERSION));
    BAD(mlops_store_copy_report_init, "version 0", MLOPS_EINVAL, (&rep, 0));
    BAD(mlops_store_copy_report_init, "future version", MLOPS_EINVAL, (&rep, 9));
    mlops_store_copy_opts_init(&co, MLOPS_STORE_COPY_OPTS_VERSION);
    mlops_store_copy_report_init(&rep, MLOPS_STORE_COPY_REPORT_VERSION);
    BAD(mlops_store_copy, "NULL source", MLOPS_EINVAL, (NULL, S, &co, &rep));
    BAD(mlops_store_copy, "NULL destination", MLOPS_EINVAL, (S, NULL, &co, &rep));
    BAD(mlops_store_copy, "the same store", MLOPS_EINVAL, (S, S, &co, &rep));
    co.version = 0;
    BAD(mlops_store_copy, "options version 0", MLOPS_EINVAL, (S, S, &co, &rep));
    co.version = MLOPS_STORE_COPY_OPTS_VERSION;
    rep.version = 3;
    BAD(mlops_store_copy, "report version 3", MLOPS_EINVAL, (S, S, &co, &rep));
    /* Into S, which has records of its own: refused before anything is
     * written to it. */
    char *other_dir = tu_store_dir(dir, "other");
    mlops_store *other = NULL;
    mlops_store_opts so = MLOPS_STORE_OPTS_INIT;
    so.durability = MLOPS_DURABILITY_NONE;
    TU_OK(mlops_store_open(other_dir, &so, &other));
    mlops_digest od;
    TU_OK(mlops_blob_put(other, "other bytes", 11, &od));
    BAD(mlops_store_copy, "into a store of its own", MLOPS_ECONFLICT, (other, S, NULL, NULL));
    mlops_store_close(other);
    tu_rmrf(other_dir);
    free(other_dir);
    same_store(store_dir, &b, "import");
    snap_free(&b);
}

/* ---- remotes, push and pull (remote.h) ------------------------------------ */

static void remotes(void)
{
    /* One remote, added before the snapshot: the bad calls below must
     * leave remotes.conf and the store as they are. */
    char *rdir = tu_path(dir, "remote");
    TU_OK(mlops_remote_add(S, "r", rdir));
    snap b = snapshot(store_dir);
    BAD(mlops_remote_add, "NULL store", MLOPS_EINVAL, (NULL, "x", "/x"));
    BAD(mlops_remote_add, "NULL name", MLOPS_EINVAL, (S, NULL, "/x"));
    BAD(mlops_remote_add, "NULL url", MLOPS_EINVAL, (S, "x", NULL));
    BAD(mlops_remote_add, "empty name", MLOPS_EINVAL, (S, "", "/x"));
    BAD(mlops_remote_add, "name with a space", MLOPS_EINVAL, (S, "a b", "/x"));
    BAD(mlops_remote_add, "invalid UTF-8 name", MLOPS_EINVAL, (S, BAD_UTF8, "/x"));
    BAD(mlops_remote_add, "invalid UTF-8 url", MLOPS_EINVAL, (S, "x", BAD_UTF8));
    BAD(mlops_remote_add, "empty url", MLOPS_EINVAL, (S, "x", ""));
    BAD(mlops_remote_add, "url with a line break", MLOPS_EINVAL, (S, "x", "/a\nb"));
    BAD(mlops_remote_add, "http url", MLOPS_EINVAL, (S, "x", "http://h/x"));
    BAD(mlops_remote_add, "taken name", MLOPS_EEXIST, (S, "r", "/x"));
    BAD(mlops_remote_remove, "NULL store", MLOPS_EINVAL, (NULL, "r"));
    BAD(mlops_remote_remove, "NULL name", MLOPS_EINVAL, (S, NULL));
    BAD(mlops_remote_remove, "unknown name", MLOPS_ENOTFOUND, (S, "nope"));
    mlops_remotes *l = NULL;
    BAD(mlops_remote_list, "NULL store", MLOPS_EINVAL, (NULL, &l));
    BAD(mlops_remote_list, "NULL out", MLOPS_EINVAL, (S, NULL));
    RET(mlops_remotes_count, "NULL", 0, (NULL));
    const char *name = NULL, *url = NULL;
    BAD(mlops_remotes_at, "NULL list", MLOPS_EINVAL, (NULL, 0, &name, &url));
    TU_OK(mlops_remote_list(S, &l));
    BAD(mlops_remotes_at, "index past the end", MLOPS_EINVAL, (l, 1, &name, &url));
    BAD(mlops_remotes_at, "SIZE_MAX index", MLOPS_EINVAL, (l, SIZE_MAX, &name, &url));
    mlops_remotes_free(l);
    VOID(mlops_remotes_free, "NULL", (NULL));
    mlops_transfer_report rep;
    BAD(mlops_transfer_report_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_TRANSFER_REPORT_VERSION));
    BAD(mlops_transfer_report_init, "version 0", MLOPS_EINVAL, (&rep, 0));
    BAD(mlops_transfer_report_init, "future version", MLOPS_EINVAL, (&rep, 9));
    mlops_transfer_report_init(&rep, MLOPS_TRANSFER_REPORT_VERSION);
    const char *sel[] = { "ref:main" };
    const char *nullsel[] = { NULL };
    const char *badsel[] = { "blob:main" };
    const char *utf8sel[] = { "ref:caf\xc3\x28 \xff" };
    const char *unknown[] = { "ref:no-such-ref" };
    mlops_transfer_report future = rep;
    future.version = 2;
#define TRANSFER_CASES(fn)                                                                    \
    BAD(fn, "NULL store", MLOPS_EINVAL, (NULL, "r", sel, 1, &rep));                          \
    BAD(fn, "NULL remote", MLOPS_EINVAL, (S, NULL, sel, 1, &rep));                           \
    BAD(fn, "NULL selections", MLOPS_EINVAL, (S, "r", NULL, 1, &rep));                       \
    BAD(fn, "no selection", MLOPS_EINVAL, (S, "r", sel, 0, &rep));                           \
    BAD(fn, "a NULL selection", MLOPS_EINVAL, (S, "r", nullsel, 1, &rep));                   \
    BAD(fn, "a malformed selection", MLOPS_EINVAL, (S, "r", badsel, 1, &rep));               \
    BAD(fn, "an invalid UTF-8 selection", MLOPS_EINVAL, (S, "r", utf8sel, 1, &rep));         \
    BAD(fn, "report version 2", MLOPS_EINVAL, (S, "r", sel, 1, &future));                    \
    BAD(fn, "unknown remote", MLOPS_ENOTFOUND, (S, "nope", sel, 1, &rep));                   \
    BAD(fn, "unknown ref", MLOPS_ENOTFOUND, (S, "r", unknown, 1, &rep))
    TRANSFER_CASES(mlops_remote_push);
    TRANSFER_CASES(mlops_remote_pull);
#undef TRANSFER_CASES
    same_store(store_dir, &b, "remotes");
    snap_free(&b);
    TU_OK(mlops_remote_remove(S, "r"));
    tu_rmrf(rdir);
    free(rdir);
}

/* ---- bundles (bundle.h) --------------------------------------------------- */

static void bundles(void)
{
    char *path = tu_path(dir, "b.mlb");
    char *junk = tu_path(dir, "junk.mlb");
    FILE *f = fopen(junk, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("not a bundle", f);
    fclose(f);
    snap b = snapshot(store_dir);
    mlops_bundle_report rep;
    BAD(mlops_bundle_report_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_BUNDLE_REPORT_VERSION));
    BAD(mlops_bundle_report_init, "version 0", MLOPS_EINVAL, (&rep, 0));
    BAD(mlops_bundle_report_init, "future version", MLOPS_EINVAL, (&rep, 9));
    mlops_bundle_report_init(&rep, MLOPS_BUNDLE_REPORT_VERSION);
    mlops_bundle_report future = rep;
    future.version = 2;
    mlops_bundle_import_opts io;
    BAD(mlops_bundle_import_opts_init, "NULL", MLOPS_EINVAL,
        (NULL, MLOPS_BUNDLE_IMPORT_OPTS_VERSION));
    BAD(mlops_bundle_import_opts_init, "version 0", MLOPS_EINVAL, (&io, 0));
    BAD(mlops_bundle_import_opts_init, "future version", MLOPS_EINVAL, (&io, 9));
    mlops_bundle_import_opts_init(&io, MLOPS_BUNDLE_IMPORT_OPTS_VERSION);
    const char *sel[] = { "ref:main" };
    const char *nullsel[] = { NULL };
    const char *badsel[] = { "blob:main" };
    const char *utf8sel[] = { "ref:caf\xc3\x28 \xff" };
    const char *unknown[] = { "ref:no-such-ref" };
    BAD(mlops_bundle_export, "NULL store", MLOPS_EINVAL, (NULL, path, sel, 1, &rep));
    BAD(mlops_bundle_export, "NULL path", MLOPS_EINVAL, (S, NULL, sel, 1, &rep));
    BAD(mlops_bundle_export, "empty path", MLOPS_EINVAL, (S, "", sel, 1, &rep));
    BAD(mlops_bundle_export, "NULL selections", MLOPS_EINVAL, (S, path, NULL, 1, &rep));
    BAD(mlops_bundle_export, "SIZE_MAX selections", MLOPS_EINVAL, (S, path, sel, SIZE_MAX, &rep));
    BAD(mlops_bundle_export, "no selection", MLOPS_EINVAL, (S, path, sel, 0, &rep));
    BAD(mlops_bundle_export, "a NULL selection", MLOPS_EINVAL, (S, path, nullsel, 1, &rep));
    BAD(mlops_bundle_export, "a malformed selection", MLOPS_EINVAL, (S, path, badsel, 1, &rep));
    BAD(mlops_bundle_export, "an invalid UTF-8 selection", MLOPS_EINVAL,
        (S, path, utf8sel, 1, &rep));
    BAD(mlops_bundle_export, "report version 2", MLOPS_EINVAL, (S, path, sel, 1, &future));
    BAD(mlops_bundle_export, "unknown ref", MLOPS_ENOTFOUND, (S, path, unknown, 1, &rep));
    ck_assert_int_ne(access(path, F_OK), 0); /* no file left by a failed export */
    BAD(mlops_bundle_import, "NULL store", MLOPS_EINVAL, (NULL, junk, &io, &rep));
    BAD(mlops_bundle_import, "NULL path", MLOPS_EINVAL, (S, NULL, &io, &rep));
    BAD(mlops_bundle_import, "report version 2", MLOPS_EINVAL, (S, junk, &io, &future));
    mlops_bundle_import_opts o = io;
    o.version = 0;
    BAD(mlops_bundle_import, "options version 0", MLOPS_EINVAL, (S, junk, &o, &rep));
    o = io;
    o.rename_prefix = "";
    BAD(mlops_bundle_import, "empty prefix", MLOPS_EINVAL, (S, junk, &o, &rep));
    o.rename_prefix = "a/b";
    BAD(mlops_bundle_import, "prefix with a slash", MLOPS_EINVAL, (S, junk, &o, &rep));
    o.rename_prefix = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    BAD(mlops_bundle_import, "65-byte prefix", MLOPS_EINVAL, (S, junk, &o, &rep));
    o = io;
    o.actor = BAD_UTF8;
    BAD(mlops_bundle_import, "invalid UTF-8 actor", MLOPS_EINVAL, (S, junk, &o, &rep));
    BAD(mlops_bundle_import, "missing file", MLOPS_ENOTFOUND, (S, path, &io, &rep));
    BAD(mlops_bundle_import, "not a bundle", MLOPS_EFORMAT, (S, junk, NULL, &rep));
    same_store(store_dir, &b, "bundles");
    snap_free(&b);
    unlink(junk);
    free(junk);
    free(path);
}

/* ---- coverage and the test itself ----------------------------------------- */

/* Every exported symbol, read from the linker version script. */
static size_t exported(char ***out)
{
    const char *src = getenv("MLOPS_TEST_SRCDIR");
    ck_assert_ptr_nonnull(src);
    char *path = tu_path(src, "../lib/libmlops.map");
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    free(path);
    char line[512];
    char **names = NULL;
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (strncmp(p, "mlops_", 6) != 0) continue;
        size_t len = strcspn(p, "; \t\n");
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strndup(p, len);
    }
    fclose(f);
    *out = names;
    return n;
}

/* ---- monitor.h ---------------------------------------------------------- */

/* The settings of mlops_monitor_create_ex, and delayed labels. */
static void monitors_ext(const mlops_monitor_spec *sp)
{
    mlops_monitor_ext x;
    BAD(mlops_monitor_ext_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_MONITOR_EXT_VERSION));
    BAD(mlops_monitor_ext_init, "version 0", MLOPS_EINVAL, (&x, 0));
    BAD(mlops_monitor_ext_init, "version 2", MLOPS_EINVAL, (&x, 2));
    mlops_monitor_ext_init(&x, MLOPS_MONITOR_EXT_VERSION);
    x.task = MLOPS_MONITOR_TASK_CLASSIFICATION;
    x.prediction_column = "pred";
    x.id_column = "id";
    x.performance = "metrics.accuracy < 0.8";
    TU_OK(mlops_monitor_create_ex(S, "bl", sp, &x));
    mlops_monitor_ext b = x;
    BAD(mlops_monitor_create_ex, "NULL store", MLOPS_EINVAL, (NULL, "m", sp, &x));
    BAD(mlops_monitor_create_ex, "NULL name", MLOPS_EINVAL, (S, NULL, sp, &x));
    BAD(mlops_monitor_create_ex, "NULL spec", MLOPS_EINVAL, (S, "m", NULL, &x));
    b.version = 0;
    BAD(mlops_monitor_create_ex, "ext version 0", MLOPS_EINVAL, (S, "m", sp, &b));
    b = x;
    b.task = 7;
    BAD(mlops_monitor_create_ex, "unknown task", MLOPS_EINVAL, (S, "m", sp, &b));
    b = x;
    b.id_column = NULL;
    BAD(mlops_monitor_create_ex, "a task without an id column", MLOPS_EINVAL, (S, "m", sp, &b));
    b = x;
    b.id_column = "x";
    BAD(mlops_monitor_create_ex, "the id column is monitored", MLOPS_EINVAL, (S, "m", sp, &b));
    b = x;
    b.id_column = "pred";
    BAD(mlops_monitor_create_ex, "id and prediction the same", MLOPS_EINVAL, (S, "m", sp, &b));
    b = x;
    b.prediction_column = "\xff";
    BAD(mlops_monitor_create_ex, "bad UTF-8 column", MLOPS_EINVAL, (S, "m", sp, &b));
    b = x;
    b.task = MLOPS_MONITOR_TASK_NONE;
    BAD(mlops_monitor_create_ex, "columns without a task", MLOPS_EINVAL, (S, "m", sp, &b));
    b = x;
    b.min_labels = 0;
    BAD(mlops_monitor_create_ex, "min_labels 0", MLOPS_EINVAL, (S, "m", sp, &b));
    b = x;
    b.performance = "metrics.accuracy <";
    BAD(mlops_monitor_create_ex, "condition does not parse", MLOPS_EINVAL, (S, "m", sp, &b));
    b.performance = "metrics.rmse > 1";
    BAD(mlops_monitor_create_ex, "metric of another task", MLOPS_EINVAL, (S, "m", sp, &b));
    b.performance = "metrics.accuracy < baseline.metrics.accuracy";
    BAD(mlops_monitor_create_ex, "condition reads a baseline", MLOPS_EINVAL, (S, "m", sp, &b));
    b.performance = "signed";
    BAD(mlops_monitor_create_ex, "not a comparison", MLOPS_EINVAL, (S, "m", sp, &b));
    b = x;
    b.window_rows = 10;
    BAD(mlops_monitor_create_ex, "window_rows with time windows", MLOPS_EINVAL, (S, "m", sp, &b));
    mlops_monitor_spec rs = *sp;
    rs.window_kind = MLOPS_MONITOR_WINDOW_ROWS;
    BAD(mlops_monitor_create_ex, "row windows without window_rows", MLOPS_EINVAL, (S, "m", &rs, &x));
    b.window_rows = MLOPS_MONITOR_WINDOW_ROWS_MAX + 1;
    BAD(mlops_monitor_create_ex, "window_rows too large", MLOPS_EINVAL, (S, "m", &rs, &b));
    b.window_rows = 10;
    rs.lateness_ms = 1;
    BAD(mlops_monitor_create_ex, "lateness with row windows", MLOPS_EINVAL, (S, "m", &rs, &b));
    b = x;
    b.performance = "metrics.accuracy < 0.5";
    BAD(mlops_monitor_create_ex, "another condition on an existing monitor", MLOPS_ECONFLICT, (S, "bl", sp, &b));
    mlops_monitor *m = NULL;
    TU_OK(mlops_monitor_get(S, "bl", &m));
    mlops_monitor_ext got = MLOPS_MONITOR_EXT_INIT;
    BAD(mlops_monitor_ext_get, "NULL monitor", MLOPS_EINVAL, (NULL, &got));
    BAD(mlops_monitor_ext_get, "NULL ext", MLOPS_EINVAL, (m, NULL));
    got.version = 0;
    BAD(mlops_monitor_ext_get, "version 0", MLOPS_EINVAL, (m, &got));
    mlops_monitor_free(m);
    mlops_monitor_labels_result lr;
    BAD(mlops_monitor_labels_result_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_MONITOR_LABELS_RESULT_VERSION));
    BAD(mlops_monitor_labels_result_init, "version 0", MLOPS_EINVAL, (&lr, 0));
    mlops_monitor_labels_result_init(&lr, MLOPS_MONITOR_LABELS_RESULT_VERSION);
    const char *ids[2] = { "1", "2" }, *labs[2] = { "a", "b" }, *nullid[1] = { NULL }, *nulllab[1] = { NULL };
    const double y[2] = { 1, 2 }, inf[1] = { INFINITY };
    BAD(mlops_monitor_labels_ingest, "NULL store", MLOPS_EINVAL, (NULL, "bl", 2, ids, NULL, labs, &lr));
    BAD(mlops_monitor_labels_ingest, "NULL name", MLOPS_EINVAL, (S, NULL, 2, ids, NULL, labs, &lr));
    BAD(mlops_monitor_labels_ingest, "no such monitor", MLOPS_ENOTFOUND, (S, "nope", 2, ids, NULL, labs, &lr));
    BAD(mlops_monitor_labels_ingest, "NULL ids", MLOPS_EINVAL, (S, "bl", 2, NULL, NULL, labs, &lr));
    BAD(mlops_monitor_labels_ingest, "n SIZE_MAX", MLOPS_EINVAL, (S, "bl", SIZE_MAX, ids, NULL, labs, &lr));
    BAD(mlops_monitor_labels_ingest, "no labels", MLOPS_EINVAL, (S, "bl", 2, ids, NULL, NULL, &lr));
    BAD(mlops_monitor_labels_ingest, "both label arrays", MLOPS_EINVAL, (S, "bl", 2, ids, y, labs, &lr));
    BAD(mlops_monitor_labels_ingest, "a NULL id", MLOPS_EINVAL, (S, "bl", 1, nullid, NULL, labs, &lr));
    BAD(mlops_monitor_labels_ingest, "a NULL label", MLOPS_EINVAL, (S, "bl", 1, ids, NULL, nulllab, &lr));
    BAD(mlops_monitor_labels_ingest, "an infinite label", MLOPS_EINVAL, (S, "bl", 1, ids, inf, NULL, &lr));
    BAD(mlops_monitor_labels_ingest, "a monitor without a task", MLOPS_EINVAL, (S, "bi", 2, ids, NULL, labs, &lr));
    lr.version = 0;
    BAD(mlops_monitor_labels_ingest, "result version 0", MLOPS_EINVAL, (S, "bl", 2, ids, NULL, labs, &lr));
    const int64_t t[1] = { 1767225600000LL };
    const double xv[1] = { 1 };
    const char *names[2] = { "x", "pred" }, *pv[1] = { "a" };
    const double *num[2] = { xv, NULL };
    const char *const *strs[2] = { NULL, pv };
    BAD(mlops_monitor_ingest, "no id column", MLOPS_EINVAL, (S, "bl", 1, t, 2, names, num, strs, NULL, NULL));
}


static void monitors(void)
{
    mlops_profile *p = NULL;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &p));
    const double ref[5] = { 1, 2, 3, 4, 5 };
    TU_OK(mlops_profile_add(p, ref, 5));
    mlops_digest d;
    TU_OK(mlops_profile_put(S, p, &d));
    mlops_profile_free(p);
    mlops_monitor_column col = { "x", d, MLOPS_DRIFT_METHOD_AUTO, NAN };
    mlops_monitor_spec sp;
    BAD(mlops_monitor_spec_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_MONITOR_SPEC_VERSION));
    BAD(mlops_monitor_spec_init, "version 0", MLOPS_EINVAL, (&sp, 0));
    BAD(mlops_monitor_spec_init, "version 2", MLOPS_EINVAL, (&sp, 2));
    mlops_monitor_spec_init(&sp, MLOPS_MONITOR_SPEC_VERSION);
    sp.n_columns = 1;
    sp.columns = &col;
    TU_OK(mlops_monitor_create(S, "bi", &sp));
    mlops_monitor_spec b = sp;
    BAD(mlops_monitor_create, "NULL store", MLOPS_EINVAL, (NULL, "m", &sp));
    BAD(mlops_monitor_create, "NULL name", MLOPS_EINVAL, (S, NULL, &sp));
    BAD(mlops_monitor_create, "empty name", MLOPS_EINVAL, (S, "", &sp));
    BAD(mlops_monitor_create, "bad UTF-8", MLOPS_EINVAL, (S, "\xff", &sp));
    BAD(mlops_monitor_create, "NULL spec", MLOPS_EINVAL, (S, "m", NULL));
    b.version = 0;
    BAD(mlops_monitor_create, "spec version 0", MLOPS_EINVAL, (S, "m", &b));
    b = sp;
    b.n_columns = SIZE_MAX;
    BAD(mlops_monitor_create, "n_columns SIZE_MAX", MLOPS_EINVAL, (S, "m", &b));
    b = sp;
    b.columns = NULL;
    BAD(mlops_monitor_create, "NULL columns", MLOPS_EINVAL, (S, "m", &b));
    b = sp;
    b.window_ms = 0;
    BAD(mlops_monitor_create, "window 0", MLOPS_EINVAL, (S, "m", &b));
    b = sp;
    b.lateness_ms = -1;
    BAD(mlops_monitor_create, "negative lateness", MLOPS_EINVAL, (S, "m", &b));
    b = sp;
    b.min_rows = 0;
    BAD(mlops_monitor_create, "min_rows 0", MLOPS_EINVAL, (S, "m", &b));
    b = sp;
    b.alert_n = 65;
    BAD(mlops_monitor_create, "alert_n 65", MLOPS_EINVAL, (S, "m", &b));
    b = sp;
    b.alpha = 1.0;
    BAD(mlops_monitor_create, "alpha 1", MLOPS_EINVAL, (S, "m", &b));
    b = sp;
    b.window_ms = 7200000;
    BAD(mlops_monitor_create, "another window on an existing monitor", MLOPS_ECONFLICT, (S, "bi", &b));
    BAD(mlops_monitor_delete, "NULL store", MLOPS_EINVAL, (NULL, "bi"));
    BAD(mlops_monitor_delete, "NULL name", MLOPS_EINVAL, (S, NULL));
    BAD(mlops_monitor_delete, "no such monitor", MLOPS_ENOTFOUND, (S, "nope"));
    mlops_monitor *m = NULL;
    BAD(mlops_monitor_get, "NULL store", MLOPS_EINVAL, (NULL, "bi", &m));
    BAD(mlops_monitor_get, "NULL name", MLOPS_EINVAL, (S, NULL, &m));
    BAD(mlops_monitor_get, "NULL out", MLOPS_EINVAL, (S, "bi", NULL));
    BAD(mlops_monitor_get, "no such monitor", MLOPS_ENOTFOUND, (S, "nope", &m));
    VOID(mlops_monitor_free, "NULL", (NULL));
    RET(mlops_monitor_name, "NULL", NULL, (NULL));
    TU_OK(mlops_monitor_get(S, "bi", &m));
    mlops_monitor_spec got = MLOPS_MONITOR_SPEC_INIT;
    BAD(mlops_monitor_spec_get, "NULL monitor", MLOPS_EINVAL, (NULL, &got));
    BAD(mlops_monitor_spec_get, "NULL spec", MLOPS_EINVAL, (m, NULL));
    got.version = 9;
    BAD(mlops_monitor_spec_get, "version 9", MLOPS_EINVAL, (m, &got));
    mlops_monitor_status st;
    BAD(mlops_monitor_status_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_MONITOR_STATUS_VERSION));
    BAD(mlops_monitor_status_init, "version 0", MLOPS_EINVAL, (&st, 0));
    mlops_monitor_status_init(&st, MLOPS_MONITOR_STATUS_VERSION);
    BAD(mlops_monitor_status_get, "NULL monitor", MLOPS_EINVAL, (NULL, &st));
    BAD(mlops_monitor_status_get, "NULL status", MLOPS_EINVAL, (m, NULL));
    st.version = 0;
    BAD(mlops_monitor_status_get, "version 0", MLOPS_EINVAL, (m, &st));
    mlops_monitor_free(m);
    mlops_monitors *l = NULL;
    BAD(mlops_monitor_list, "NULL store", MLOPS_EINVAL, (NULL, &l));
    BAD(mlops_monitor_list, "NULL out", MLOPS_EINVAL, (S, NULL));
    RET(mlops_monitors_count, "NULL", 0, (NULL));
    RET(mlops_monitors_at, "NULL", NULL, (NULL, 0));
    VOID(mlops_monitors_free, "NULL", (NULL));
    mlops_monitor_ingest_opts io;
    BAD(mlops_monitor_ingest_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_MONITOR_INGEST_OPTS_VERSION));
    BAD(mlops_monitor_ingest_opts_init, "version 0", MLOPS_EINVAL, (&io, 0));
    mlops_monitor_ingest_result ir;
    BAD(mlops_monitor_ingest_result_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_MONITOR_INGEST_RESULT_VERSION));
    BAD(mlops_monitor_ingest_result_init, "version 0", MLOPS_EINVAL, (&ir, 0));
    const int64_t t[2] = { 1767225600000LL, 1767225600001LL };
    const double x[2] = { 1, 2 };
    const char *names[1] = { "x" }, *unknown[1] = { "y" }, *two[2] = { "x", "x" };
    const double *num[2] = { x, x };
    const char *sv[2] = { "a", "b" };
    const char *const *strs[1] = { sv };
    BAD(mlops_monitor_ingest, "NULL store", MLOPS_EINVAL, (NULL, "bi", 2, t, 1, names, num, NULL, NULL, NULL));
    BAD(mlops_monitor_ingest, "NULL name", MLOPS_EINVAL, (S, NULL, 2, t, 1, names, num, NULL, NULL, NULL));
    BAD(mlops_monitor_ingest, "no such monitor", MLOPS_ENOTFOUND, (S, "nope", 2, t, 1, names, num, NULL, NULL, NULL));
    BAD(mlops_monitor_ingest, "NULL times", MLOPS_EINVAL, (S, "bi", 2, NULL, 1, names, num, NULL, NULL, NULL));
    BAD(mlops_monitor_ingest, "n_rows SIZE_MAX", MLOPS_EINVAL, (S, "bi", SIZE_MAX, t, 1, names, num, NULL, NULL, NULL));
    BAD(mlops_monitor_ingest, "n_columns SIZE_MAX", MLOPS_EINVAL, (S, "bi", 2, t, SIZE_MAX, names, num, NULL, NULL, NULL));
    BAD(mlops_monitor_ingest, "NULL names", MLOPS_EINVAL, (S, "bi", 2, t, 1, NULL, num, NULL, NULL, NULL));
    BAD(mlops_monitor_ingest, "no arrays", MLOPS_EINVAL, (S, "bi", 2, t, 1, names, NULL, NULL, NULL, NULL));
    BAD(mlops_monitor_ingest, "unknown column", MLOPS_EINVAL, (S, "bi", 2, t, 1, unknown, num, NULL, NULL, NULL));
    BAD(mlops_monitor_ingest, "a column twice", MLOPS_EINVAL, (S, "bi", 2, t, 2, two, num, NULL, NULL, NULL));
    BAD(mlops_monitor_ingest, "missing column", MLOPS_EINVAL, (S, "bi", 2, t, 0, names, num, NULL, NULL, NULL));
    BAD(mlops_monitor_ingest, "strings for a numeric column", MLOPS_EINVAL, (S, "bi", 2, t, 1, names, NULL, strs, NULL, NULL));
    const int64_t late[1] = { INT64_MAX };
    BAD(mlops_monitor_ingest, "a time without a window", MLOPS_EINVAL, (S, "bi", 1, late, 1, names, num, NULL, NULL, NULL));
    io = (mlops_monitor_ingest_opts)MLOPS_MONITOR_INGEST_OPTS_INIT;
    io.version = 0;
    BAD(mlops_monitor_ingest, "opts version 0", MLOPS_EINVAL, (S, "bi", 2, t, 1, names, num, NULL, &io, NULL));
    ir = (mlops_monitor_ingest_result)MLOPS_MONITOR_INGEST_RESULT_INIT;
    ir.version = 0;
    BAD(mlops_monitor_ingest, "result version 0", MLOPS_EINVAL, (S, "bi", 2, t, 1, names, num, NULL, NULL, &ir));
    mlops_monitor_check_opts co;
    BAD(mlops_monitor_check_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_MONITOR_CHECK_OPTS_VERSION));
    BAD(mlops_monitor_check_opts_init, "version 0", MLOPS_EINVAL, (&co, 0));
    mlops_monitor_check_opts_init(&co, MLOPS_MONITOR_CHECK_OPTS_VERSION);
    BAD(mlops_monitor_check, "NULL store", MLOPS_EINVAL, (NULL, "bi", NULL, NULL));
    BAD(mlops_monitor_check, "NULL name", MLOPS_EINVAL, (S, NULL, NULL, NULL));
    co.now_ms = -5;
    BAD(mlops_monitor_check, "now before 1970", MLOPS_EINVAL, (S, "bi", &co, NULL));
    co.now_ms = 0;
    co.version = 0;
    BAD(mlops_monitor_check, "opts version 0", MLOPS_EINVAL, (S, "bi", &co, NULL));
    st.version = 0;
    BAD(mlops_monitor_check, "status version 0", MLOPS_EINVAL, (S, "bi", NULL, &st));
    BAD(mlops_monitor_check, "no such monitor", MLOPS_ENOTFOUND, (S, "nope", NULL, NULL));
    mlops_monitor_events_opts eo;
    BAD(mlops_monitor_events_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_MONITOR_EVENTS_OPTS_VERSION));
    BAD(mlops_monitor_events_opts_init, "version 0", MLOPS_EINVAL, (&eo, 0));
    mlops_monitor_events_opts_init(&eo, MLOPS_MONITOR_EVENTS_OPTS_VERSION);
    mlops_monitor_event *ev = NULL;
    size_t nev = 0;
    BAD(mlops_monitor_events, "NULL store", MLOPS_EINVAL, (NULL, "bi", NULL, &ev, &nev));
    BAD(mlops_monitor_events, "NULL name", MLOPS_EINVAL, (S, NULL, NULL, &ev, &nev));
    BAD(mlops_monitor_events, "NULL out", MLOPS_EINVAL, (S, "bi", NULL, NULL, &nev));
    BAD(mlops_monitor_events, "NULL n", MLOPS_EINVAL, (S, "bi", NULL, &ev, NULL));
    BAD(mlops_monitor_events, "no such monitor", MLOPS_ENOTFOUND, (S, "nope", NULL, &ev, &nev));
    eo.limit = 0;
    BAD(mlops_monitor_events, "limit 0", MLOPS_EINVAL, (S, "bi", &eo, &ev, &nev));
    eo.limit = 10;
    eo.after_seq = -1;
    BAD(mlops_monitor_events, "negative cursor", MLOPS_EINVAL, (S, "bi", &eo, &ev, &nev));
    mlops_monitor_series *sr = NULL;
    BAD(mlops_monitor_series_get, "NULL store", MLOPS_EINVAL, (NULL, "bi", 0, 1, &sr));
    BAD(mlops_monitor_series_get, "NULL name", MLOPS_EINVAL, (S, NULL, 0, 1, &sr));
    BAD(mlops_monitor_series_get, "NULL out", MLOPS_EINVAL, (S, "bi", 0, 1, NULL));
    BAD(mlops_monitor_series_get, "no such monitor", MLOPS_ENOTFOUND, (S, "nope", 0, 1, &sr));
    VOID(mlops_monitor_series_free, "NULL", (NULL));
    RET(mlops_monitor_series_count, "NULL", 0, (NULL));
    RET(mlops_monitor_series_columns, "NULL", 0, (NULL));
    RET(mlops_monitor_series_column_name, "NULL", NULL, (NULL, 0));
    mlops_monitor_window w;
    mlops_monitor_window_column c;
    BAD(mlops_monitor_series_window, "NULL series", MLOPS_EINVAL, (NULL, 0, &w));
    BAD(mlops_monitor_series_cell, "NULL series", MLOPS_EINVAL, (NULL, 0, 0, &c));
    TU_OK(mlops_monitor_series_get(S, "bi", 0, INT64_MAX, &sr));
    BAD(mlops_monitor_series_window, "out of range", MLOPS_EINVAL, (sr, 0, &w));
    BAD(mlops_monitor_series_window, "NULL window", MLOPS_EINVAL, (sr, 0, NULL));
    BAD(mlops_monitor_series_cell, "out of range", MLOPS_EINVAL, (sr, 0, 0, &c));
    BAD(mlops_monitor_series_cell, "NULL cell", MLOPS_EINVAL, (sr, 0, 0, NULL));
    RET(mlops_monitor_series_column_name, "out of range", NULL, (sr, 1));
    mlops_monitor_performance perf;
    BAD(mlops_monitor_performance_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_MONITOR_PERFORMANCE_VERSION));
    BAD(mlops_monitor_performance_init, "version 0", MLOPS_EINVAL, (&perf, 0));
    mlops_monitor_performance_init(&perf, MLOPS_MONITOR_PERFORMANCE_VERSION);
    BAD(mlops_monitor_series_performance, "NULL series", MLOPS_EINVAL, (NULL, 0, &perf));
    BAD(mlops_monitor_series_performance, "NULL performance", MLOPS_EINVAL, (sr, 0, NULL));
    BAD(mlops_monitor_series_performance, "out of range", MLOPS_EINVAL, (sr, 0, &perf));
    perf.version = 0;
    BAD(mlops_monitor_series_performance, "version 0", MLOPS_EINVAL, (sr, 0, &perf));
    mlops_monitor_series_free(sr);
    mlops_monitor_page_opts po;
    char *page = NULL;
    BAD(mlops_monitor_page_opts_init, "NULL", MLOPS_EINVAL, (NULL, MLOPS_MONITOR_PAGE_OPTS_VERSION));
    BAD(mlops_monitor_page_opts_init, "version 0", MLOPS_EINVAL, (&po, 0));
    BAD(mlops_monitor_page_opts_init, "future version", MLOPS_EINVAL, (&po, 99));
    BAD(mlops_monitor_page_html, "NULL store", MLOPS_EINVAL, (NULL, "bi", NULL, &page));
    BAD(mlops_monitor_page_html, "NULL name", MLOPS_EINVAL, (S, NULL, NULL, &page));
    BAD(mlops_monitor_page_html, "NULL out", MLOPS_EINVAL, (S, "bi", NULL, NULL));
    BAD(mlops_monitor_page_html, "invalid UTF-8 name", MLOPS_EINVAL, (S, BAD_UTF8, NULL, &page));
    BAD(mlops_monitor_page_html, "no such monitor", MLOPS_ENOTFOUND, (S, "nope", NULL, &page));
    po = (mlops_monitor_page_opts)MLOPS_MONITOR_PAGE_OPTS_INIT;
    po.version = 2;
    BAD(mlops_monitor_page_html, "future options", MLOPS_EINVAL, (S, "bi", &po, &page));
    po = (mlops_monitor_page_opts)MLOPS_MONITOR_PAGE_OPTS_INIT;
    po.title = BAD_UTF8;
    BAD(mlops_monitor_page_html, "invalid UTF-8 title", MLOPS_EINVAL, (S, "bi", &po, &page));
    po = (mlops_monitor_page_opts)MLOPS_MONITOR_PAGE_OPTS_INIT;
    po.from_ms = 5;
    po.to_ms = 5;
    BAD(mlops_monitor_page_html, "empty range", MLOPS_EINVAL, (S, "bi", &po, &page));
    po = (mlops_monitor_page_opts)MLOPS_MONITOR_PAGE_OPTS_INIT;
    po.max_points = 2;
    BAD(mlops_monitor_page_html, "max_points 2", MLOPS_EINVAL, (S, "bi", &po, &page));
    po.max_points = SIZE_MAX;
    BAD(mlops_monitor_page_html, "max_points SIZE_MAX", MLOPS_EINVAL, (S, "bi", &po, &page));
    monitors_ext(&sp);
}

START_TEST(every_public_function_refuses_bad_input)
{
    setup_store();
    common_and_store();
    cas();
    cas_more();
    track();
    registry();
    evaluations();
    weighted_aliases();
    gates();
    imports();
    remotes();
    bundles();
    drift();
    eval_metrics();
    validate_schemas();
    fairness();
    monitors();
    char **names;
    size_t n = exported(&names), missing = 0;
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        for (size_t k = 0; k < ncovered && !found; k++) found = !strcmp(names[i], covered[k]);
        if (!found) {
            fprintf(stderr, "not in the bad-input table: %s\n", names[i]);
            missing++;
        }
        free(names[i]);
    }
    free(names);
    ck_assert_msg(missing == 0, "%zu exported functions are not in the bad-input table", missing);
    printf("# figure: bad-input table%s: %zu public functions (every exported symbol) x %ld bad "
           "inputs in all: each returned its documented code with a message, the store stayed "
           "byte-identical%s\n",
           tu_backend_label(), n, ncalls, getenv("MLOPS_TEST_SMALL") ? ", LeakSanitizer found no leak" : "");
    fflush(stdout);
    teardown_store();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("badinput");
    TCase *tc = tcase_create("table");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, every_public_function_refuses_bad_input);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
