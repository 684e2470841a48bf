/* Benchmarks of a store whose metadata is in PostgreSQL, run by
 * benchmarks/pg/run.sh beside MLflow on the same server (mlflow_pg.py).
 * Each mode prints "result NAME VALUE" lines; run.sh sets them side by side.
 *
 *   log CONN SCHEMA NPROC NBATCH
 *       NPROC processes, each with its own store handle and run, log NBATCH
 *       batches of 1,000 points (10 keys x 100 steps) with
 *       mlops_run_log_metrics, all released at once: points/s over the wall
 *       time from release to the last process's end.
 *   raw CONN NPROC NBATCH copy|insert
 *       The same rows (run, key, step, ts, value) from NPROC libpq
 *       connections into one table with no index: one COPY, or one
 *       1,000-row INSERT with binary parameters, per batch (each batch its
 *       own transaction). The floor any store on this server pays.
 *   fill CONN SCHEMA NPROC NRUNS
 *       The search data set: NRUNS runs x 20 metrics x 10 params and a tag,
 *       the same as benchmarks/track (and mlflow_pg.py), from NPROC
 *       processes. Prints the runs per second.
 *   search CONN SCHEMA REPS [FILTER NAME]
 *       mlops_run_search_ex with a three-clause filter (or FILTER), ORDER
 *       BY and LIMIT 100: the median of REPS (after one warm-up), printed
 *       as search_ms (or NAME).
 *   registry CONN SCHEMA NPROC NOPS
 *       NPROC processes each create NOPS versions of one model
 *       (mlops_model_version_create), then each moves one alias NOPS times
 *       (mlops_model_alias_set): operations per second of each phase.
 *   audit CONN SCHEMA NEVENTS REPS
 *       Grows the store's audit log to NEVENTS events with alias moves, then
 *       mlops_audit_verify: the median of REPS, in seconds.
 *
 * usage: bench_pg MODE ARGS...   (objects go to $BENCH_PG_OBJECTS, default
 * ./bench-pg-objects). Only the public API and libpq are used. */
#include <mlops.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_PROG "bench_pg" /* in die()'s messages */
#include "../bench_util.h"
#include "../search_data.h"

static const char *conn_uri, *schema;

static mlops_store *open_store(void)
{
    mlops_store_location loc = MLOPS_STORE_LOCATION_INIT;
    loc.metadata = conn_uri;
    loc.schema = schema;
    const char *objects = getenv("BENCH_PG_OBJECTS");
    loc.objects = objects && *objects ? objects : "bench-pg-objects";
    mlops_store *s;
    CHECK(mlops_store_open_location(&loc, NULL, &s));
    return s;
}

/* ---- processes released together ---- */

/* Forks n children; child i runs setup(i) (untimed), waits for the release,
 * then runs work(i). Returns the wall time from the release to the end of
 * the last child. Any child's failure ends the benchmark. */
static double run_parallel(int n, void *(*setup)(int), void (*work)(int, void *))
{
    int ready[2], go[2];
    if (pipe(ready) || pipe(go)) die("pipe", 1);
    fflush(stdout);
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p < 0) die("fork", 1);
        if (p == 0) {
            close(ready[0]);
            close(go[1]);
            void *arg = setup(i);
            char c = 'r';
            if (write(ready[1], &c, 1) != 1) _exit(1);
            if (read(go[0], &c, 1) != 0) _exit(1); /* EOF is the release */
            work(i, arg);
            _exit(0);
        }
    }
    close(ready[1]);
    close(go[0]);
    for (int i = 0; i < n; i++) {
        char c;
        if (read(ready[0], &c, 1) != 1) die("a child's setup", 1);
    }
    double t0 = now_s();
    close(go[1]);
    int failed = 0;
    for (int i = 0; i < n; i++) {
        int status;
        if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) failed = 1;
    }
    double t = now_s() - t0;
    close(ready[0]);
    if (failed) die("a child process", 1);
    return t;
}

/* ---- log: ours ---- */

static const char *const keys10[] = { "loss",      "acc",   "lr",      "val_loss", "val_acc",
                                      "grad_norm", "epoch", "drift.x", "top5",     "f1" };
static long nbatch;

struct logger {
    mlops_store *s;
    mlops_run *r;
};

static void *log_setup(int i)
{
    (void)i;
    struct logger *l = malloc(sizeof *l);
    l->s = open_store();
    mlops_experiment *x;
    CHECK(mlops_experiment_get_by_name(l->s, "bench-log", &x));
    CHECK(mlops_run_start(l->s, mlops_experiment_id(x), NULL, &l->r));
    mlops_experiment_free(x);
    return l;
}

static void log_work(int i, void *arg)
{
    (void)i;
    struct logger *l = arg;
    mlops_metric batch[1000];
    int64_t ts = 1700000000000;
    for (long b = 0; b < nbatch; b++) {
        int k = 0;
        for (long st = b * 100; st < b * 100 + 100; st++)
            for (int key = 0; key < 10; key++)
                batch[k++] = (mlops_metric){ keys10[key], (double)st * 0.001 + key, st, ts + st };
        CHECK(mlops_run_log_metrics(l->r, batch, 1000));
    }
    mlops_run_free(l->r);
    mlops_store_close(l->s);
}

static void mode_log(int nproc)
{
    mlops_store *s = open_store();
    mlops_experiment *x;
    if (mlops_experiment_get_by_name(s, "bench-log", &x) == MLOPS_OK) mlops_experiment_free(x);
    else {
        int64_t e;
        CHECK(mlops_experiment_create(s, "bench-log", &e));
    }
    mlops_store_close(s);
    double t = run_parallel(nproc, log_setup, log_work);
    printf("result log_points_per_s %.0f\n", (double)nproc * (double)nbatch * 1000 / t);
}

/* ---- log: raw libpq ---- */

static int raw_copy;

static PGconn *pg_connect(void)
{
    PGconn *pg = PQconnectdb(conn_uri);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "bench_pg: %s", PQerrorMessage(pg));
        exit(1);
    }
    return pg;
}

static void pg_ok(PGconn *pg, PGresult *res, const char *what)
{
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fprintf(stderr, "bench_pg: %s: %s", what, PQerrorMessage(pg));
        exit(1);
    }
    PQclear(res);
}

static void put64(char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (char)(v >> (56 - 8 * i));
}

static void *raw_setup(int i)
{
    PGconn *pg = pg_connect();
    if (!raw_copy) {
        /* one statement of 1,000 rows, parameters typed by the table */
        size_t cap = 1000 * 48 + 128, len = 0;
        char *sql = malloc(cap);
        len += (size_t)snprintf(sql, cap, "INSERT INTO raw_points VALUES ");
        for (int r = 0; r < 1000; r++)
            len += (size_t)snprintf(sql + len, cap - len, "%s($%d,$%d,$%d,$%d,$%d)", r ? "," : "",
                                    5 * r + 1, 5 * r + 2, 5 * r + 3, 5 * r + 4, 5 * r + 5);
        pg_ok(pg, PQprepare(pg, "ins", sql, 0, NULL), "prepare the INSERT");
        free(sql);
    }
    (void)i;
    return pg;
}

static void raw_work(int i, void *arg)
{
    PGconn *pg = arg;
    char run[40];
    snprintf(run, sizeof run, "%032d", i);
    int64_t ts = 1700000000000;
    if (raw_copy) {
        char *buf = malloc(1000 * 128);
        for (long b = 0; b < nbatch; b++) {
            size_t len = 0;
            for (long st = b * 100; st < b * 100 + 100; st++)
                for (int key = 0; key < 10; key++)
                    len += (size_t)sprintf(buf + len, "%s\t%s\t%ld\t%lld\t%.17g\n", run,
                                           keys10[key], st, (long long)(ts + st),
                                           (double)st * 0.001 + key);
            PGresult *start = PQexec(pg, "COPY raw_points FROM STDIN");
            if (PQresultStatus(start) != PGRES_COPY_IN) pg_ok(pg, start, "COPY");
            PQclear(start);
            if (PQputCopyData(pg, buf, (int)len) != 1 || PQputCopyEnd(pg, NULL) != 1) {
                fprintf(stderr, "bench_pg: COPY data: %s", PQerrorMessage(pg));
                exit(1);
            }
            pg_ok(pg, PQgetResult(pg), "COPY end");
            PGresult *res;
            while ((res = PQgetResult(pg)) != NULL) PQclear(res);
        }
        free(buf);
    } else {
        /* binary parameters: text for run and key, int8, int8, float8 */
        static char data[1000][3][8];
        const char *values[5000];
        int lengths[5000], formats[5000];
        for (long b = 0; b < nbatch; b++) {
            int k = 0;
            for (long st = b * 100; st < b * 100 + 100; st++)
                for (int key = 0; key < 10; key++, k++) {
                    double v = (double)st * 0.001 + key;
                    uint64_t bits;
                    memcpy(&bits, &v, 8);
                    put64(data[k][0], (uint64_t)st);
                    put64(data[k][1], (uint64_t)(ts + st));
                    put64(data[k][2], bits);
                    values[5 * k] = run;
                    lengths[5 * k] = 32;
                    values[5 * k + 1] = keys10[key];
                    lengths[5 * k + 1] = (int)strlen(keys10[key]);
                    for (int c = 0; c < 3; c++) {
                        values[5 * k + 2 + c] = data[k][c];
                        lengths[5 * k + 2 + c] = 8;
                    }
                    for (int c = 0; c < 5; c++) formats[5 * k + c] = 1;
                }
            pg_ok(pg, PQexecPrepared(pg, "ins", 5000, values, lengths, formats, 0), "INSERT");
        }
    }
    PQfinish(pg);
}

static void mode_raw(int nproc)
{
    PGconn *pg = pg_connect();
    pg_ok(pg, PQexec(pg, "SET client_min_messages = warning; DROP TABLE IF EXISTS raw_points; CREATE TABLE raw_points(run TEXT, "
                         "key TEXT, step BIGINT, ts BIGINT, value DOUBLE PRECISION)"),
          "create raw_points");
    PQfinish(pg);
    double t = run_parallel(nproc, raw_setup, raw_work);
    printf("result raw_%s_points_per_s %.0f\n", raw_copy ? "copy" : "insert",
           (double)nproc * (double)nbatch * 1000 / t);
}

/* ---- search ---- */

/* The data set of benchmarks/track (../search_data.h). */
static long nruns;
static int nfill;

static void *fill_setup(int i)
{
    (void)i;
    return open_store();
}

static void fill_work(int part, void *arg)
{
    mlops_store *s = arg;
    mlops_experiment *x;
    CHECK(mlops_experiment_get_by_name(s, "bench", &x));
    int64_t e = mlops_experiment_id(x);
    mlops_experiment_free(x);
    for (long i = part; i < nruns; i += nfill) search_data_run(s, e, i);
    mlops_store_close(s);
}

static void mode_fill(void)
{
    mlops_store *s = open_store();
    int64_t e;
    CHECK(mlops_experiment_create(s, "bench", &e));
    mlops_store_close(s);
    double t = run_parallel(nfill, fill_setup, fill_work);
    printf("result fill_runs_per_s %.1f\n", (double)nruns / t);
}

static void mode_search(int reps, const char *filter, const char *name)
{
    mlops_store *s = open_store();
    size_t got = 0;
    double ms = search_data_median_ms(s, filter, reps, &got);
    printf("# search returned %zu runs\n", got);
    printf("result %s %.3f\n", name, ms);
    mlops_store_close(s);
}

/* ---- registry ---- */

static long nops;
static mlops_digest weights;

static void *reg_setup(int i)
{
    (void)i;
    return open_store();
}

static void create_work(int i, void *arg)
{
    (void)i;
    mlops_store *s = arg;
    for (long k = 0; k < nops; k++) {
        int64_t v;
        CHECK(mlops_model_version_create(s, "m", &weights, NULL, &v));
    }
    mlops_store_close(s);
}

static void move_work(int i, void *arg)
{
    mlops_store *s = arg;
    /* each process moves its own alias, as MLflow's anchor does */
    char alias[32];
    snprintf(alias, sizeof alias, "stage%d", i);
    for (long k = 0; k < nops; k++) CHECK(mlops_model_alias_set(s, "m", alias, 1 + (k % 2)));
    mlops_store_close(s);
}

static void mode_registry(int nproc)
{
    mlops_store *s = open_store();
    CHECK(mlops_model_create(s, "m"));
    CHECK(mlops_blob_put(s, "bench model weights", 19, &weights));
    mlops_store_close(s);
    double t = run_parallel(nproc, reg_setup, create_work);
    printf("result version_create_per_s %.1f\n", (double)nproc * (double)nops / t);
    t = run_parallel(nproc, reg_setup, move_work);
    printf("result alias_move_per_s %.1f\n", (double)nproc * (double)nops / t);
}

/* ---- audit ---- */

static void mode_audit(long events, int reps)
{
    mlops_store *s = open_store();
    mlops_digest d;
    if (mlops_model_create(s, "audit") == MLOPS_OK) {
        CHECK(mlops_blob_put(s, "audit model", 11, &d));
        int64_t v;
        CHECK(mlops_model_version_create(s, "audit", &d, NULL, &v));
        CHECK(mlops_model_version_create(s, "audit", &d, NULL, &v));
    }
    int64_t have;
    CHECK(mlops_audit_head(s, &have, &d));
    double t0 = now_s();
    for (long i = (long)have; i < events; i++) /* each real move appends one event */
        CHECK(mlops_model_alias_set(s, "audit", "champion", 1 + (i % 2)));
    double fill = now_s() - t0;
    CHECK(mlops_audit_head(s, &have, &d));
    printf("# audit log of %lld events (%.1f s to grow it)\n", (long long)have, fill);
    double *t = calloc((size_t)reps, sizeof *t);
    for (int i = 0; i < reps; i++) {
        t0 = now_s();
        CHECK(mlops_audit_verify(s));
        t[i] = now_s() - t0;
    }
    printf("result audit_verify_s %.4f\n", median(t, reps));
    printf("result audit_events %lld\n", (long long)have);
    free(t);
    mlops_store_close(s);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_pg log CONN SCHEMA NPROC NBATCH\n"
                    "       bench_pg raw CONN NPROC NBATCH copy|insert\n"
                    "       bench_pg fill CONN SCHEMA NPROC NRUNS\n"
                    "       bench_pg search CONN SCHEMA REPS [FILTER NAME]\n"
                    "       bench_pg registry CONN SCHEMA NPROC NOPS\n"
                    "       bench_pg audit CONN SCHEMA NEVENTS REPS\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 4) usage();
    const char *mode = argv[1];
    conn_uri = argv[2];
    if (!strcmp(mode, "raw")) {
        if (argc != 6) usage();
        nbatch = atol(argv[4]);
        raw_copy = !strcmp(argv[5], "copy");
        mode_raw(atoi(argv[3]));
        return 0;
    }
    schema = argv[3];
    if (!strcmp(mode, "log") && argc == 6) {
        nbatch = atol(argv[5]);
        mode_log(atoi(argv[4]));
    } else if (!strcmp(mode, "fill") && argc == 6) {
        nfill = atoi(argv[4]);
        nruns = atol(argv[5]);
        mode_fill();
    } else if (!strcmp(mode, "search") && (argc == 5 || argc == 7)) {
        mode_search(atoi(argv[4]), argc == 7 ? argv[5] : NULL, argc == 7 ? argv[6] : "search_ms");
    } else if (!strcmp(mode, "registry") && argc == 6) {
        nops = atol(argv[5]);
        mode_registry(atoi(argv[4]));
    } else if (!strcmp(mode, "audit") && argc == 6) {
        mode_audit(atol(argv[4]), atoi(argv[5]));
    } else {
        usage();
    }
    return 0;
}
