/* Benchmarks of experiment records, each beside its anchor measured in the
 * same run (medians of several repetitions):
 *
 *   write    1,000,000 points (10 keys x 100,000 steps, batches of 1,000)
 *            with mlops_run_log_metrics, beside raw SQLite: one prepared
 *            INSERT of (run, key, step, ts, value) rows, one transaction per
 *            batch, same WAL and synchronous settings.
 *   single   100,000 mlops_run_log_metric calls, each committed on return.
 *   history  read back 1,000,000 points of one metric.
 *   search   10,000 runs x 20 metrics x 10 params; a three-clause filter
 *            with ORDER BY and LIMIT 100.
 *
 * usage: bench_track [-q] [-r REPS] [-j] WORKDIR [TESTS...]
 *   -q  a tenth of every size (a smoke run)   -j  also print JSON lines
 * Only the public API is used (plus SQLite for the baseline). */
#include <mlops.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BENCH_PROG "bench_track" /* in die()'s messages */
#include "../bench_util.h"
#include "../search_data.h"

static int quick, json, reps = 5;
static const char *workdir;

static void rm_rf(const char *path)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0) fprintf(stderr, "bench_track: cannot remove %s\n", path);
}

static char *fresh_dir(const char *name)
{
    char *p = malloc(strlen(workdir) + strlen(name) + 2);
    sprintf(p, "%s/%s", workdir, name);
    rm_rf(p);
    return p;
}

static mlops_store *open_store(const char *dir)
{
    mlops_store *s;
    CHECK(mlops_store_open(dir, NULL, &s));
    return s;
}

static mlops_run *start_run(mlops_store *s, const char *experiment)
{
    int64_t e;
    mlops_experiment *x;
    if (mlops_experiment_get_by_name(s, experiment, &x) == MLOPS_OK) {
        e = mlops_experiment_id(x);
        mlops_experiment_free(x);
    } else {
        CHECK(mlops_experiment_create(s, experiment, &e));
    }
    mlops_run *r;
    CHECK(mlops_run_start(s, e, NULL, &r));
    return r;
}

static void report(const char *name, const char *unit, double ours, const char *anchor_name,
                   double anchor, const char *goal)
{
    if (anchor > 0)
        printf("%-34s %12.3f %-6s | %-22s %12.3f %-6s | ratio %7.2f | goal %s\n", name, ours, unit,
               anchor_name, anchor, unit, ours / anchor, goal);
    else
        printf("%-34s %12.3f %-6s | %-22s %12s %-6s | %13s | goal %s\n", name, ours, unit,
               anchor_name, "-", "", "", goal);
    if (json)
        printf("{\"bench\":\"%s\",\"value\":%.6f,\"unit\":\"%s\",\"anchor\":%.6f}\n", name, ours,
               unit, anchor);
    fflush(stdout);
}

static const char *const keys10[] = { "loss",     "acc",  "lr",     "val_loss", "val_acc",
                                      "grad_norm", "epoch", "drift.x", "top5",    "f1" };

/* ---- write: ours vs raw SQLite ---- */

static double write_ours(long steps)
{
    char *dir = fresh_dir("write-ours");
    mlops_store *s = open_store(dir);
    mlops_run *r = start_run(s, "bench");
    mlops_metric *batch = malloc(1000 * sizeof *batch);
    int64_t ts = 1700000000000;
    double t0 = now_s();
    for (long base = 0; base < steps; base += 100) {
        int k = 0;
        for (long st = base; st < base + 100; st++)
            for (int key = 0; key < 10; key++)
                batch[k++] = (mlops_metric){ keys10[key], (double)st * 0.001 + key, st, ts + st };
        CHECK(mlops_run_log_metrics(r, batch, 1000));
    }
    double t = now_s() - t0;
    free(batch);
    mlops_run_free(r);
    mlops_store_close(s);
    rm_rf(dir);
    free(dir);
    return t;
}

static void sql(sqlite3 *db, const char *q)
{
    char *err = NULL;
    if (sqlite3_exec(db, q, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench_track: %s: %s\n", q, err);
        exit(1);
    }
}

static double write_sqlite(long steps)
{
    char *dir = fresh_dir("write-sqlite");
    mkdir(dir, 0755);
    char path[4096];
    snprintf(path, sizeof path, "%s/baseline.db", dir);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) die("sqlite3_open", 1);
    /* the store's settings: WAL, synchronous NORMAL, the same cache */
    sql(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384;"
            "CREATE TABLE points(run TEXT, key TEXT, step INTEGER, ts INTEGER, value REAL);");
    sqlite3_stmt *ins;
    sqlite3_prepare_v2(db, "INSERT INTO points VALUES (?1, ?2, ?3, ?4, ?5)", -1, &ins, NULL);
    const char *run = "0123456789abcdef0123456789abcdef";
    int64_t ts = 1700000000000;
    double t0 = now_s();
    for (long base = 0; base < steps; base += 100) {
        sql(db, "BEGIN IMMEDIATE");
        for (long st = base; st < base + 100; st++)
            for (int key = 0; key < 10; key++) {
                sqlite3_bind_text(ins, 1, run, -1, SQLITE_STATIC);
                sqlite3_bind_text(ins, 2, keys10[key], -1, SQLITE_STATIC);
                sqlite3_bind_int64(ins, 3, st);
                sqlite3_bind_int64(ins, 4, ts + st);
                sqlite3_bind_double(ins, 5, (double)st * 0.001 + key);
                if (sqlite3_step(ins) != SQLITE_DONE) die("baseline insert", 1);
                sqlite3_reset(ins);
            }
        sql(db, "COMMIT");
    }
    double t = now_s() - t0;
    sqlite3_finalize(ins);
    sqlite3_close(db);
    rm_rf(dir);
    free(dir);
    return t;
}

static void bench_write(void)
{
    long steps = quick ? 10000 : 100000;
    double ours[32], base[32];
    for (int i = 0; i < reps; i++) { /* interleaved, so both see the same machine */
        base[i] = write_sqlite(steps);
        ours[i] = write_ours(steps);
    }
    double o = median(ours, reps), b = median(base, reps);
    char name[64];
    snprintf(name, sizeof name, "write %ld points (s)", steps * 10);
    report(name, "s", o, "raw SQLite INSERT", b, "ratio <= 1.5");
    report("write points/s", "pt/s", (double)steps * 10 / o, "raw SQLite", (double)steps * 10 / b,
           "");
}

/* ---- single calls ---- */

static void bench_single(void)
{
    long n = quick ? 10000 : 100000;
    double rate[32];
    int r_ = reps < 3 ? reps : 3;
    for (int i = 0; i < r_; i++) {
        char *dir = fresh_dir("single");
        mlops_store *s = open_store(dir);
        mlops_run *r = start_run(s, "bench");
        double t0 = now_s();
        for (long st = 0; st < n; st++) CHECK(mlops_run_log_metric(r, "loss", 1.0 / (double)(st + 1), st, st));
        rate[i] = (double)n / (now_s() - t0);
        mlops_run_free(r);
        mlops_store_close(s);
        rm_rf(dir);
        free(dir);
    }
    char name[64];
    snprintf(name, sizeof name, "log_metric x%ld (points/s)", n);
    report(name, "pt/s", median(rate, r_), "(goal)", 0, ">= 50000/s, durable each");
}

/* ---- history ---- */

static void bench_history(void)
{
    long n = quick ? 100000 : 1000000;
    char *dir = fresh_dir("history");
    mlops_store *s = open_store(dir);
    mlops_run *r = start_run(s, "bench");
    mlops_metric *batch = malloc(1000 * sizeof *batch);
    for (long base = 0; base < n; base += 1000) {
        for (int i = 0; i < 1000; i++)
            batch[i] = (mlops_metric){ "loss", 1.0 / (double)(base + i + 1), base + i,
                                       1700000000000 + base + i };
        CHECK(mlops_run_log_metrics(r, batch, 1000));
    }
    free(batch);
    double t[32];
    for (int i = 0; i < reps; i++) {
        mlops_metric_point *p;
        size_t got;
        double t0 = now_s();
        CHECK(mlops_metric_history(s, mlops_run_id(r), "loss", NULL, &p, &got));
        t[i] = (now_s() - t0) * 1000;
        if ((long)got != n) die("history count", 1);
        mlops_free(p);
    }
    char name[64];
    snprintf(name, sizeof name, "history of %ld points (ms)", n);
    report(name, "ms", median(t, reps), "(goal)", 0, "<= 150 ms");
    mlops_history_opts o = MLOPS_HISTORY_OPTS_INIT;
    o.buckets = 1000;
    for (int i = 0; i < reps; i++) {
        mlops_metric_point *p;
        size_t got;
        double t0 = now_s();
        CHECK(mlops_metric_history(s, mlops_run_id(r), "loss", &o, &p, &got));
        t[i] = (now_s() - t0) * 1000;
        mlops_free(p);
    }
    report("  downsampled to 1000 buckets (ms)", "ms", median(t, reps), "(no goal)", 0, "-");
    mlops_run_free(r);
    mlops_store_close(s);
    rm_rf(dir);
    free(dir);
}

/* ---- search ---- */

/* The search data set (../search_data.h), generated the same way by
 * mlflow_bench.py. */
static void bench_search(void)
{
    long nruns = quick ? 1000 : 10000;
    char *dir = fresh_dir("search");
    mlops_store *s = open_store(dir);
    int64_t e;
    CHECK(mlops_experiment_create(s, "bench", &e));
    double t0 = now_s();
    for (long i = 0; i < nruns; i++) search_data_run(s, e, i);
    double build = now_s() - t0;
    size_t got = 0;
    double ms = search_data_median_ms(s, NULL, reps, &got);
    printf("# search data: %ld runs x 20 metrics x 10 params built in %.2f s; %zu runs returned\n",
           nruns, build, got);
    char name[64];
    snprintf(name, sizeof name, "search %ld runs, 3 clauses (ms)", nruns);
    report(name, "ms", ms, "(goal; MLflow: run.sh)", 0, "<= 20 ms");
    mlops_store_close(s);
    rm_rf(dir);
    free(dir);
}

static int wanted(int argc, char **argv, int first, const char *name)
{
    if (first >= argc) return 1;
    for (int i = first; i < argc; i++)
        if (!strcmp(argv[i], name)) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "qjr:")) != -1) {
        if (opt == 'q') quick = 1;
        else if (opt == 'j') json = 1;
        else if (opt == 'r') reps = atoi(optarg);
        else {
            fprintf(stderr, "usage: %s [-q] [-j] [-r REPS] WORKDIR [write single history search]\n",
                    argv[0]);
            return 2;
        }
    }
    if (reps < 1 || reps > 31) reps = 5;
    if (optind >= argc) {
        fprintf(stderr, "usage: %s [-q] [-j] [-r REPS] WORKDIR [tests...]\n", argv[0]);
        return 2;
    }
    workdir = argv[optind];
    mkdir(workdir, 0755);
    printf("libmlops %s, SQLite %s, %d repetitions (medians)%s\n", mlops_version(),
           sqlite3_libversion(), reps, quick ? ", QUICK sizes" : "");
    if (wanted(argc, argv, optind + 1, "write")) bench_write();
    if (wanted(argc, argv, optind + 1, "single")) bench_single();
    if (wanted(argc, argv, optind + 1, "history")) bench_history();
    if (wanted(argc, argv, optind + 1, "search")) bench_search();
    return 0;
}
