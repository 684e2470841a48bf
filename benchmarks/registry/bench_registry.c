/* Benchmarks of the model registry, each beside an anchor measured in the
 * same run (medians of several repetitions):
 *
 *   create   mlops_model_version_create (each call one committed
 *            transaction: the artifact check, the number, the row and its
 *            hash-chained audit event), beside raw SQLite doing the least
 *            the same job needs: one transaction inserting a version row
 *            and an event row with prepared statements, no checks, no hash.
 *   move     mlops_model_alias_set moving an alias between two versions,
 *            beside raw SQLite updating an alias row and inserting an
 *            event row in one transaction.
 *   verify   mlops_audit_verify over a log of 100,000 events (goal <= 1 s),
 *            beside raw SQLite merely reading every event row.
 *
 * Both sides use the store's settings: WAL, synchronous=NORMAL (the
 * default durability). The anchor tables live in a separate database in
 * the same directory.
 *
 * usage: bench_registry [-q] [-r REPS] [-n OPS] [-e EVENTS] WORKDIR
 *   -q  a tenth of every size (a smoke run)
 * Leaves WORKDIR/store (with the 100,000-event log) for run.sh's Python
 * verifier. Only the public API is used (plus SQLite for the anchors). */
#include <mlops.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BENCH_PROG "bench_registry" /* in die()'s messages */
#include "../bench_util.h"

static int reps = 5;
static long ops = 2000, events = 100000;

static void sql_check(sqlite3 *db, int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "bench_registry: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static void report(const char *name, const char *unit, double ours, double anchor,
                   const char *anchor_name)
{
    const char *fmt = strcmp(unit, "s") ? "%-28s %12.0f %-6s | %-22s %12.0f %-6s | ratio %.2f\n"
                                         : "%-28s %12.4f %-6s | %-22s %12.4f %-6s | ratio %.2f\n";
    printf(fmt, name, ours, unit, anchor_name, anchor, unit, anchor > 0 ? ours / anchor : 0.0);
}

/* ---- Anchor: raw SQLite ------------------------------------------------- */

static sqlite3 *anchor_open(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/anchor.db", dir);
    unlink(path);
    sqlite3 *db;
    sql_check(NULL, sqlite3_open(path, &db), "open anchor");
    sql_check(db,
              sqlite3_exec(db,
                           "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                           "CREATE TABLE versions(id INTEGER PRIMARY KEY, model_id INTEGER,"
                           " number INTEGER, artifact BLOB, created_ms INTEGER,"
                           " UNIQUE(model_id, number));"
                           "CREATE TABLE aliases(model_id INTEGER, alias TEXT, version_id INTEGER,"
                           " PRIMARY KEY(model_id, alias)) WITHOUT ROWID;"
                           "CREATE TABLE events(seq INTEGER PRIMARY KEY, time_ms INTEGER,"
                           " actor TEXT, action TEXT, model_id INTEGER, model TEXT,"
                           " version INTEGER, key TEXT, old_value TEXT, new_value TEXT,"
                           " reason TEXT, hash BLOB);"
                           "INSERT INTO aliases VALUES (1, 'champion', 1);",
                           NULL, NULL, NULL),
              "anchor schema");
    return db;
}

static double anchor_creates(sqlite3 *db, long n, long base)
{
    sqlite3_stmt *v, *e;
    sql_check(db, sqlite3_prepare_v2(db, "INSERT INTO versions(model_id, number, artifact, "
                                         "created_ms) VALUES (1, ?1, ?2, ?3)",
                                     -1, &v, NULL),
              "prepare");
    sql_check(db, sqlite3_prepare_v2(db, "INSERT INTO events(time_ms, actor, action, model_id, "
                                         "model, version, new_value, hash) VALUES (?1, 'bench', "
                                         "'version.create', 1, 'm', ?2, ?3, ?4)",
                                     -1, &e, NULL),
              "prepare");
    unsigned char digest[32] = { 1 };
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        sql_check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), "begin");
        sqlite3_bind_int64(v, 1, base + i + 1);
        sqlite3_bind_blob(v, 2, digest, 32, SQLITE_STATIC);
        sqlite3_bind_int64(v, 3, 1700000000000LL + i);
        sql_check(db, sqlite3_step(v), "insert version");
        sqlite3_reset(v);
        sqlite3_bind_int64(e, 1, 1700000000000LL + i);
        sqlite3_bind_int64(e, 2, base + i + 1);
        sqlite3_bind_text(e, 3, "sha256:0101010101010101010101010101010101010101010101010101010101010101", -1, SQLITE_STATIC);
        sqlite3_bind_blob(e, 4, digest, 32, SQLITE_STATIC);
        sql_check(db, sqlite3_step(e), "insert event");
        sqlite3_reset(e);
        sql_check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
    }
    double dt = now_s() - t0;
    sqlite3_finalize(v);
    sqlite3_finalize(e);
    return (double)n / dt;
}

static double anchor_moves(sqlite3 *db, long n)
{
    sqlite3_stmt *a, *e;
    sql_check(db, sqlite3_prepare_v2(db, "UPDATE aliases SET version_id = ?1 WHERE model_id = 1 "
                                         "AND alias = 'champion'",
                                     -1, &a, NULL),
              "prepare");
    sql_check(db, sqlite3_prepare_v2(db, "INSERT INTO events(time_ms, actor, action, model_id, "
                                         "model, key, old_value, new_value, hash) VALUES (?1, "
                                         "'bench', 'alias.move', 1, 'm', 'champion', ?2, ?3, ?4)",
                                     -1, &e, NULL),
              "prepare");
    unsigned char digest[32] = { 2 };
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        sql_check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), "begin");
        sqlite3_bind_int64(a, 1, 1 + (i % 2));
        sql_check(db, sqlite3_step(a), "update alias");
        sqlite3_reset(a);
        sqlite3_bind_int64(e, 1, 1700000000000LL + i);
        sqlite3_bind_text(e, 2, i % 2 ? "1" : "2", -1, SQLITE_STATIC);
        sqlite3_bind_text(e, 3, i % 2 ? "2" : "1", -1, SQLITE_STATIC);
        sqlite3_bind_blob(e, 4, digest, 32, SQLITE_STATIC);
        sql_check(db, sqlite3_step(e), "insert event");
        sqlite3_reset(e);
        sql_check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
    }
    double dt = now_s() - t0;
    sqlite3_finalize(a);
    sqlite3_finalize(e);
    return (double)n / dt;
}

/* Reads every event row of the store's log, touching each column. */
static double anchor_scan(const char *store_dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/mlops.db", store_dir);
    sqlite3 *db;
    sql_check(NULL, sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), "open store db");
    sqlite3_stmt *st;
    sql_check(db, sqlite3_prepare_v2(db, "SELECT seq, time_ms, actor, action, model_id, model, "
                                         "version, key, old_value, new_value, reason, hash "
                                         "FROM audit_events ORDER BY seq",
                                     -1, &st, NULL),
              "prepare scan");
    double t0 = now_s();
    size_t bytes = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < 12; i++) bytes += (size_t)sqlite3_column_bytes(st, i);
    double dt = now_s() - t0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (!bytes) exit(1);
    return dt;
}

/* ---- Ours --------------------------------------------------------------- */

static mlops_store *open_store(const char *dir, int durability)
{
    mlops_store_opts o;
    CHECK(mlops_store_opts_init(&o, MLOPS_STORE_OPTS_VERSION));
    o.durability = durability;
    o.actor = "bench";
    mlops_store *s;
    CHECK(mlops_store_open(dir, &o, &s));
    return s;
}

static double our_creates(mlops_store *s, const mlops_digest *d, long n)
{
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        int64_t v;
        CHECK(mlops_model_version_create(s, "m", d, NULL, &v));
    }
    return (double)n / (now_s() - t0);
}

static double our_moves(mlops_store *s, long n)
{
    double t0 = now_s();
    for (long i = 0; i < n; i++) CHECK(mlops_model_alias_set(s, "m", "champion", 1 + (i % 2)));
    return (double)n / (now_s() - t0);
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "qr:n:e:")) != -1) {
        switch (opt) {
        case 'q':
            ops /= 10;
            events /= 10;
            break;
        case 'r': reps = atoi(optarg); break;
        case 'n': ops = atol(optarg); break;
        case 'e': events = atol(optarg); break;
        default:
            fprintf(stderr, "usage: bench_registry [-q] [-r REPS] [-n OPS] [-e EVENTS] WORKDIR\n");
            return 2;
        }
    }
    if (optind != argc - 1 || reps < 1 || ops < 2 || events < 10) {
        fprintf(stderr, "usage: bench_registry [-q] [-r REPS] [-n OPS] [-e EVENTS] WORKDIR\n");
        return 2;
    }
    const char *work = argv[optind];
    mkdir(work, 0755);
    char store_dir[4100];
    if (strlen(work) > 4000) return 2;
    snprintf(store_dir, sizeof store_dir, "%s/store", work);
    char cmd[8300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", store_dir);
    if (system(cmd) != 0) return 1;

    /* create + move, default durability, beside raw SQLite. */
    mlops_store *s = open_store(store_dir, MLOPS_DURABILITY_NORMAL);
    CHECK(mlops_model_create(s, "m"));
    mlops_digest d;
    CHECK(mlops_blob_put(s, "bench model weights", 19, &d));
    sqlite3 *anchor = anchor_open(work);
    double *ours_c = calloc((size_t)reps, sizeof(double)), *base_c = calloc((size_t)reps, sizeof(double));
    double *ours_m = calloc((size_t)reps, sizeof(double)), *base_m = calloc((size_t)reps, sizeof(double));
    for (int r = 0; r < reps; r++) {
        ours_c[r] = our_creates(s, &d, ops / reps);
        base_c[r] = anchor_creates(anchor, ops / reps, (long)r * (ops / reps));
    }
    CHECK(mlops_model_alias_set(s, "m", "champion", 1));
    for (int r = 0; r < reps; r++) {
        ours_m[r] = our_moves(s, ops / reps);
        base_m[r] = anchor_moves(anchor, ops / reps);
    }
    sqlite3_close(anchor);
    printf("# registry benchmark: %ld ops per side in %d repetitions, medians\n", ops, reps);
    report("version create", "ops/s", median(ours_c, reps), median(base_c, reps),
           "raw SQLite 2 inserts");
    report("alias move", "ops/s", median(ours_m, reps), median(base_m, reps),
           "raw SQLite upd+insert");
    mlops_store_close(s);

    /* Grow the log to `events` with cheap moves, then verify it. */
    s = open_store(store_dir, MLOPS_DURABILITY_NONE);
    int64_t have;
    mlops_digest head;
    CHECK(mlops_audit_head(s, &have, &head));
    int64_t target;
    CHECK(mlops_model_alias_get(s, "m", "champion", &target));
    double t0 = now_s();
    for (long i = (long)have; i < events; i++) { /* each real move appends one event */
        target = 3 - target;
        CHECK(mlops_model_alias_set(s, "m", "champion", target));
    }
    double fill = now_s() - t0;
    CHECK(mlops_audit_head(s, &have, &head));
    double *ours_v = calloc((size_t)reps, sizeof(double)), *base_v = calloc((size_t)reps, sizeof(double));
    for (int r = 0; r < reps; r++) {
        t0 = now_s();
        CHECK(mlops_audit_verify(s));
        ours_v[r] = now_s() - t0;
        base_v[r] = anchor_scan(store_dir);
    }
    char label[64];
    snprintf(label, sizeof label, "audit verify %lld events", (long long)have);
    report(label, "s", median(ours_v, reps), median(base_v, reps), "raw SQLite row scan");
    printf("(log filled at %.0f alias moves/s with durability NONE; goal for verify: <= 1 s "
           "per 100,000 events)\n",
           (double)(have - (int64_t)ops) / fill);
    printf("result version_create_ops_per_s %.1f\n", median(ours_c, reps));
    printf("result alias_move_ops_per_s %.1f\n", median(ours_m, reps));
    printf("result audit_verify_s %.4f\n", median(ours_v, reps));
    printf("result audit_events %lld\n", (long long)have);
    mlops_store_close(s);
    free(ours_c);
    free(base_c);
    free(ours_m);
    free(base_m);
    free(ours_v);
    free(base_v);
    return 0;
}
