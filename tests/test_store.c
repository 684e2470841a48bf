/* The store handle (include/mlops/store.h) and its internal pool. */
#include "testutil.h"
#include "tu_db.h"

#include <mlops.h>
#include "store/store_internal.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static int is_dir(const char *dir, const char *name)
{
    char *p = tu_path(dir, name);
    struct stat st;
    int ok = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    free(p);
    return ok;
}

static int exists(const char *dir, const char *name)
{
    char *p = tu_path(dir, name);
    int ok = access(p, F_OK) == 0;
    free(p);
    return ok;
}

static int db_int(const char *store_dir, const char *sql)
{
    return (int)tu_sql_int64(store_dir, sql);
}

/* The format version and the application mark the store's database
 * records: SQLite's PRAGMAs, meta rows on PostgreSQL. */
static int db_format(const char *store_dir)
{
    return db_int(store_dir, tu_backend_postgres()
                                 ? "SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'format_version'"
                                 : "PRAGMA user_version");
}

static int db_application_id(const char *store_dir)
{
    return db_int(store_dir, tu_backend_postgres()
                                 ? "SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'application_id'"
                                 : "PRAGMA application_id");
}

/* What a store directory holds: mlops.db, or mlops.conf naming the
 * database elsewhere. */
static const char *db_file(void)
{
    return tu_backend_postgres() ? "mlops.conf" : "mlops.db";
}

/* A store directory not made yet, as tests pass it: on PostgreSQL the
 * directory and its mlops.conf are made now (the library creates the
 * schema on first open, the directory is the user's). */
static char *fresh_store_path(const char *base, const char *rel)
{
    char *dir = tu_path(base, rel);
    if (tu_backend_postgres()) {
        char *made = tu_store_dir_at(dir);
        ck_assert_ptr_nonnull(made);
        free(made);
    }
    return dir;
}

START_TEST(creates_layout)
{
    char *base = tu_tmpdir();
    char *dir = fresh_store_path(base, "new/nested/store");
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, NULL, &s));
    ck_assert_str_eq(mlops_store_path(s), dir);
    int v = 0;
    TU_OK(mlops_store_format_version(s, &v));
    ck_assert_int_eq(v, MLOPS__FORMAT_VERSION);
    ck_assert(exists(dir, db_file()));
    ck_assert(is_dir(dir, "objects"));
    ck_assert(is_dir(dir, "objects/sha256"));
    ck_assert(is_dir(dir, "tmp"));
    mlops_store_close(s);
    ck_assert_int_eq(db_format(dir), MLOPS__FORMAT_VERSION);
    ck_assert_int_eq(db_application_id(dir), 0x4D4C4F50);
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM meta WHERE key='chunk_avg_size' "
                                 "AND value='524288'"),
                     1);
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM meta WHERE key='chunk_rule' "
                                 "AND value='gear-nc1'"),
                     1);
    if (!tu_backend_postgres()) {
        /* WAL is recorded in the file header: byte 18 == 2. */
        char *db = tu_path(dir, "mlops.db");
        FILE *f = fopen(db, "rb");
        unsigned char hdr[20];
        ck_assert_int_eq(fread(hdr, 1, 20, f), 20);
        fclose(f);
        ck_assert_int_eq(hdr[18], 2);
        free(db);
    }
    free(dir);
    tu_rmrf(base);
    free(base);
}
END_TEST

START_TEST(reopens_existing_and_keeps_creation_facts)
{
    char *dir = tu_tmpdir();
    mlops_store_opts o;
    TU_OK(mlops_store_opts_init(&o, MLOPS_STORE_OPTS_VERSION));
    o.chunk_min_size = 1024;
    o.chunk_avg_size = 4096;
    o.chunk_max_size = 16384;
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, &o, &s));
    ck_assert_uint_eq(s->chunk_avg, 4096);
    mlops_store_close(s);
    /* Chunk sizes are fixed at creation: later options do not change them. */
    TU_OK(mlops_store_open(dir, NULL, &s));
    ck_assert_uint_eq(s->chunk_min, 1024);
    ck_assert_uint_eq(s->chunk_avg, 4096);
    ck_assert_uint_eq(s->chunk_max, 16384);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static int insert_marker(mlops__conn *c, void *arg)
{
    (void)arg;
    return mlops__conn_exec(c, "INSERT INTO meta(key, value) VALUES ('marker', 'x')");
}

START_TEST(read_only)
{
    char *dir = tu_tmpdir();
    mlops_store *s = NULL;
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = 1;
    /* A read-only open never creates anything. */
    char *missing = tu_path(dir, "missing");
    TU_RC(MLOPS_ENOTFOUND, mlops_store_open(missing, &o, &s));
    ck_assert_ptr_null(s);
    ck_assert(!exists(dir, "missing"));
    TU_RC(MLOPS_ENOTFOUND, mlops_store_open(dir, &o, &s)); /* empty dir */
    ck_assert(!exists(dir, "mlops.db"));
    /* PostgreSQL: no schema either (the search path lists it once made). */
    if (tu_backend_postgres())
        ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM unnest(current_schemas(false))"), 0);

    TU_OK(mlops_store_open(dir, NULL, &s));
    mlops_store_close(s);
    TU_OK(mlops_store_open(dir, &o, &s));
    int v = 0;
    TU_OK(mlops_store_format_version(s, &v));
    ck_assert_int_eq(v, MLOPS__FORMAT_VERSION);
    TU_RC(MLOPS_EREADONLY, mlops__store_write(s, insert_marker, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "read-only"));
    mlops_store_close(s);
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM meta WHERE key='marker'"), 0);
    free(missing);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(no_create_when_not_asked)
{
    char *base = tu_tmpdir();
    char *dir = tu_path(base, "absent");
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.create_if_missing = 0;
    mlops_store *s = NULL;
    TU_RC(MLOPS_ENOTFOUND, mlops_store_open(dir, &o, &s));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), dir));
    ck_assert(!exists(base, "absent"));
    free(dir);
    tu_rmrf(base);
    free(base);
}
END_TEST

/* Local stores only: a directory with mlops.conf is a store whatever else
 * it holds. */
START_TEST(refuses_foreign_directory)
{
    char *dir = tu_tmpdir_local();
    char *file = tu_path(dir, "notes.txt");
    tu_write_file(file, "hello", 5);
    mlops_store *s = NULL;
    TU_RC(MLOPS_EFORMAT, mlops_store_open(dir, NULL, &s));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "notes.txt"));
    /* Nothing was written into the user's directory. */
    ck_assert(!exists(dir, "mlops.db"));
    ck_assert(!exists(dir, "objects"));
    ck_assert(!exists(dir, "tmp"));
    /* A regular file is not a store either. */
    TU_RC(MLOPS_EFORMAT, mlops_store_open(file, NULL, &s));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not a directory"));
    free(file);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* An mlops.conf that is not text, or too large to be one: refused by
 * name, not read as settings. Local stores only. */
START_TEST(refuses_unreadable_config)
{
    char *dir = tu_tmpdir_local();
    char *conf = tu_path(dir, "mlops.conf");
    mlops_store *s = NULL;
    tu_write_file(conf, "format 1\n\0objects x\n", 20);
    TU_RC(MLOPS_EFORMAT, mlops_store_open(dir, NULL, &s));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "NUL byte"));
    size_t big = 64 * 1024 + 1;
    char *text = malloc(big);
    memset(text, '#', big);
    tu_write_file(conf, text, big);
    TU_RC(MLOPS_EFORMAT, mlops_store_open(dir, NULL, &s));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "larger than 64 KiB"));
    ck_assert(!exists(dir, "mlops.db"));
    free(text);
    free(conf);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A repeated key is a malformed mlops.conf (doc/format.md), "format"
 * included: MLOPS_EFORMAT, not an unknown key of a newer libmlops.
 * Local stores only. */
START_TEST(config_repeated_format_is_malformed)
{
    char *dir = tu_tmpdir_local();
    char *conf = tu_path(dir, "mlops.conf");
    mlops_store *s = NULL;
    tu_write_file(conf, "format 1\nformat 1\n", 18);
    TU_RC(MLOPS_EFORMAT, mlops_store_open(dir, NULL, &s));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "line 2"));
    ck_assert(!exists(dir, "mlops.db"));
    free(conf);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

#ifndef MLOPS_HAVE_S3
/* A build without S3 refuses a store whose objects are on S3 before it
 * makes anything: no mlops.db is left to open later as a local store,
 * and the directory it made is gone again. Local stores only. */
START_TEST(create_on_s3_without_s3_leaves_nothing)
{
    char *base = tu_tmpdir_local();
    char *dir = tu_path(base, "s3-store");
    mlops_store_location loc = MLOPS_STORE_LOCATION_INIT;
    loc.objects = "s3://bucket/prefix";
    mlops_store *s = NULL;
    TU_RC(MLOPS_EUNSUPPORTED, mlops_store_create(dir, &loc, NULL, &s));
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "S3"));
    ck_assert(!exists(base, "s3-store"));
    /* An empty directory of the caller's stays empty. */
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    TU_RC(MLOPS_EUNSUPPORTED, mlops_store_create(dir, &loc, NULL, &s));
    ck_assert(!exists(dir, "mlops.db"));
    ck_assert(!exists(dir, "mlops.conf"));
    TU_RC(MLOPS_EUNSUPPORTED, mlops_store_create(dir, &loc, NULL, &s));
    free(dir);
    tu_rmrf(base);
    free(base);
}
END_TEST
#endif

/* A SQLite file that is not a store's: local stores only. */
START_TEST(refuses_foreign_database)
{
    char *dir = tu_tmpdir_local();
    char *db = tu_path(dir, "mlops.db");
    mlops_store *s = NULL;
    tu_write_file(db, "this is not sqlite at all, just text that is long enough", 57);
    TU_RC(MLOPS_EFORMAT, mlops_store_open(dir, NULL, &s));
    remove(db);
    /* A SQLite database of another program. */
    tu_sql_exec(dir, "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)");
    TU_RC(MLOPS_EFORMAT, mlops_store_open(dir, NULL, &s));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "another program"));
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM sqlite_master"), 1);
    free(db);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(refuses_newer_format)
{
    char *dir = tu_tmpdir();
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, NULL, &s));
    mlops_store_close(s);
    tu_sql_exec(dir, tu_backend_postgres()
                         ? "UPDATE meta SET value = '99' WHERE key = 'format_version'"
                         : "PRAGMA user_version=99");
    TU_RC(MLOPS_EUNSUPPORTED, mlops_store_open(dir, NULL, &s));
    ck_assert_ptr_null(s);
    const char *msg = mlops_last_error();
    char ours[40];
    snprintf(ours, sizeof ours, "format version %d", MLOPS__FORMAT_VERSION);
    ck_assert_msg(strstr(msg, "format version 99") && strstr(msg, ours),
                  "message does not name both versions: %s", msg);
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = 1;
    TU_RC(MLOPS_EUNSUPPORTED, mlops_store_open(dir, &o, &s));
    ck_assert_int_eq(db_format(dir), 99); /* untouched */
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(unicode_and_spaces_in_paths)
{
    char *base = tu_tmpdir();
    char *dir = fresh_store_path(base, "données d'entraînement/ストア 1/模型 store");
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, NULL, &s));
    ck_assert_str_eq(mlops_store_path(s), dir);
    mlops_store_close(s);
    TU_OK(mlops_store_open(dir, NULL, &s));
    mlops_store_close(s);
    ck_assert(exists(dir, db_file()));
    free(dir);
    tu_rmrf(base);
    free(base);
}
END_TEST

/* A statement that cannot be prepared leaves NULL behind, and resetting
 * NULL does nothing: cleanup paths that reset whatever a failed
 * mlops__conn_stmt left (four did, on a pointer never set) are safe. */
START_TEST(failed_statement_leaves_null)
{
    char *dir = tu_tmpdir();
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, NULL, &s));
    mlops__conn *c = NULL;
    TU_OK(mlops__store_conn(s, &c));
    /* SQLite refuses bad SQL when preparing; PostgreSQL's driver sends
     * the prepare with the first execution, so there it fails later. */
    if (mlops__conn_dialect(c) == MLOPS__SQLITE) {
        static const char bad[] = "SELEKT nothing FROM nowhere";
        static int sentinel;
        mlops__stmt *st = (mlops__stmt *)&sentinel;
        ck_assert_int_ne(mlops__conn_stmt(c, bad, &st), MLOPS_OK);
        ck_assert_ptr_null(st);
        st = (mlops__stmt *)&sentinel;
        ck_assert_int_ne(mlops__conn_prepare(c, bad, &st), MLOPS_OK);
        ck_assert_ptr_null(st);
    }
    mlops__reset(NULL);
    mlops__stmt_finalize(NULL);
    mlops__store_release(s, c);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(options_are_validated)
{
    mlops_store_opts o;
    TU_RC(MLOPS_EINVAL, mlops_store_opts_init(NULL, 1));
    TU_RC(MLOPS_EINVAL, mlops_store_opts_init(&o, 0));
    TU_RC(MLOPS_EINVAL, mlops_store_opts_init(&o, MLOPS_STORE_OPTS_VERSION + 1));
    TU_OK(mlops_store_opts_init(&o, MLOPS_STORE_OPTS_VERSION));
    mlops_store_opts def = MLOPS_STORE_OPTS_INIT;
    ck_assert_mem_eq(&o, &def, sizeof o);
    ck_assert_int_eq(o.create_if_missing, 1);
    ck_assert_int_eq(o.compression_level, 3);
    ck_assert_uint_eq(o.busy_timeout_ms, 60000);

    char *base = tu_tmpdir();
    char *dir = tu_path(base, "s");
    mlops_store *s = NULL;
    mlops_store_opts bad = def;
    bad.version = 0;
    TU_RC(MLOPS_EINVAL, mlops_store_open(dir, &bad, &s));
    bad = def;
    bad.version = 99;
    TU_RC(MLOPS_EINVAL, mlops_store_open(dir, &bad, &s));
    bad = def;
    bad.compression_level = 0;
    TU_RC(MLOPS_EINVAL, mlops_store_open(dir, &bad, &s));
    bad = def;
    bad.compression_level = 20;
    TU_RC(MLOPS_EINVAL, mlops_store_open(dir, &bad, &s));
    bad = def;
    bad.durability = 7;
    TU_RC(MLOPS_EINVAL, mlops_store_open(dir, &bad, &s));
    bad = def;
    bad.chunk_avg_size = 1000000; /* not a power of two */
    TU_RC(MLOPS_EINVAL, mlops_store_open(dir, &bad, &s));
    bad = def;
    bad.chunk_min_size = bad.chunk_avg_size;
    TU_RC(MLOPS_EINVAL, mlops_store_open(dir, &bad, &s));
    bad = def;
    bad.chunk_max_size = 128u * 1024 * 1024;
    TU_RC(MLOPS_EINVAL, mlops_store_open(dir, &bad, &s));
    bad = def;
    bad.actor = "bad\nactor";
    TU_RC(MLOPS_EINVAL, mlops_store_open(dir, &bad, &s));
    ck_assert_ptr_null(s);
    ck_assert(!exists(base, "s")); /* nothing created on bad options */
    free(dir);
    tu_rmrf(base);
    free(base);
}
END_TEST

START_TEST(null_arguments)
{
    mlops_store *s = NULL;
    int v;
    TU_RC(MLOPS_EINVAL, mlops_store_open(NULL, NULL, &s));
    TU_RC(MLOPS_EINVAL, mlops_store_open("x", NULL, NULL));
    TU_RC(MLOPS_EINVAL, mlops_store_open("", NULL, &s));
    TU_RC(MLOPS_EINVAL, mlops_store_format_version(NULL, &v));
    ck_assert_ptr_null(mlops_store_path(NULL));
    mlops_store_close(NULL);
}
END_TEST

START_TEST(sweeps_old_temp_files)
{
    /* tmp/ is the local object folder's staging area: a store whose
     * objects are on S3 stages them in memory and has none. */
    if (tu_objects_s3()) return;
    char *dir = tu_tmpdir();
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, NULL, &s));
    mlops_store_close(s);
    char *old = tu_path(dir, "tmp/tmp-old");
    char *fresh = tu_path(dir, "tmp/tmp-fresh");
    tu_write_file(old, "x", 1);
    tu_write_file(fresh, "y", 1);
    struct timeval two_hours_ago[2];
    gettimeofday(&two_hours_ago[0], NULL);
    two_hours_ago[0].tv_sec -= 2 * 3600;
    two_hours_ago[1] = two_hours_ago[0];
    ck_assert_int_eq(utimes(old, two_hours_ago), 0);
    TU_OK(mlops_store_open(dir, NULL, &s));
    mlops_store_close(s);
    ck_assert_int_ne(access(old, F_OK), 0);
    ck_assert_int_eq(access(fresh, F_OK), 0);
    free(old);
    free(fresh);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Many processes opening one fresh store at the same instant: all succeed
 * and exactly one schema results (MLflow users hit migration races here). */
START_TEST(concurrent_open_of_fresh_store)
{
    enum { NPROC = 8 };
    char *base = tu_tmpdir();
    char *dir = fresh_store_path(base, "fresh");
    int go[2];
    ck_assert_int_eq(pipe(go), 0);
    pid_t pids[NPROC];
    for (int i = 0; i < NPROC; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0) {
            close(go[1]);
            char b;
            if (read(go[0], &b, 1) != 0) _exit(90); /* released when the pipe closes */
            mlops_store *s = NULL;
            int rc = mlops_store_open(dir, NULL, &s);
            if (rc) fprintf(stderr, "child %d: %s\n", i, mlops_last_error());
            mlops_store_close(s);
            _exit(rc);
        }
    }
    close(go[0]);
    close(go[1]); /* every child's read returns at once */
    for (int i = 0; i < NPROC; i++) {
        int status;
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                      "child %d failed with status %d", i, status);
    }
    ck_assert_int_eq(db_format(dir), MLOPS__FORMAT_VERSION);
    ck_assert_int_eq(db_int(dir, tu_backend_postgres()
                                     ? "SELECT count(*) FROM pg_catalog.pg_tables WHERE "
                                       "schemaname = current_schema() AND tablename = 'meta'"
                                     : "SELECT count(*) FROM sqlite_master WHERE name='meta'"),
                     1);
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM meta WHERE key='store_id'"), 1);
    free(dir);
    tu_rmrf(base);
    free(base);
}
END_TEST

struct thread_arg {
    mlops_store *s;
    int id;
    int failures;
};

struct insert_arg {
    int thread, i;
};

static int insert_row(mlops__conn *c, void *arg)
{
    struct insert_arg *a = arg;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "INSERT INTO meta(key, value) VALUES (?1, 'v')", &st);
    if (rc) return rc;
    char key[64];
    snprintf(key, sizeof key, "t%d-%d", a->thread, a->i);
    rc = mlops__bind_text(c, st, 1, key);
    return rc ? rc : mlops__conn_step_done(c, st, "inserting");
}

static void *writer_thread(void *p)
{
    struct thread_arg *t = p;
    for (int i = 0; i < 200; i++) {
        struct insert_arg a = { t->id, i };
        if (mlops__store_write(t->s, insert_row, &a)) t->failures++;
    }
    return NULL;
}

/* One handle shared by threads: the pool gives each call its own connection. */
START_TEST(handle_shared_by_threads)
{
    enum { NTHREADS = 8 };
    char *dir = tu_tmpdir();
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, &o, &s));
    pthread_t th[NTHREADS];
    struct thread_arg args[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        args[i] = (struct thread_arg){ s, i, 0 };
        pthread_create(&th[i], NULL, writer_thread, &args[i]);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(args[i].failures, 0);
    }
    mlops_store_close(s);
    ck_assert_int_eq(db_int(dir, "SELECT count(*) FROM meta WHERE key LIKE 't%'"),
                     NTHREADS * 200);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, creates_layout);
    tcase_add_test(tc, failed_statement_leaves_null);
    tcase_add_test(tc, reopens_existing_and_keeps_creation_facts);
    tcase_add_test(tc, read_only);
    tcase_add_test(tc, no_create_when_not_asked);
    tcase_add_test(tc, refuses_foreign_directory);
    tcase_add_test(tc, refuses_unreadable_config);
    tcase_add_test(tc, refuses_foreign_database);
    tcase_add_test(tc, config_repeated_format_is_malformed);
#ifndef MLOPS_HAVE_S3
    tcase_add_test(tc, create_on_s3_without_s3_leaves_nothing);
#endif
    tcase_add_test(tc, refuses_newer_format);
    tcase_add_test(tc, unicode_and_spaces_in_paths);
    tcase_add_test(tc, options_are_validated);
    tcase_add_test(tc, null_arguments);
    tcase_add_test(tc, sweeps_old_temp_files);
    tcase_add_test(tc, concurrent_open_of_fresh_store);
    tcase_add_test(tc, handle_shared_by_threads);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
