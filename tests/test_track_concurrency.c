/* Experiment records under concurrency: many writer processes, each
 * logging into its own run of one store, while readers search and read
 * history and another reader holds a snapshot open the whole time. */
#include "track_fixture.h"

#include "db/db.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* The size: 8 processes x 100,000 points (about 2 s in the normal
 * build, 9 s under the sanitizers). */
#define POINTS 100000
#define WRITERS 8
#define SINGLE 500 /* the first points of each writer go one call each */
#define BATCH 1000

static double value_of(int writer, int64_t step)
{
    return (double)writer * 1e6 + (double)step * 0.5;
}

/* Logs POINTS points into run_id; exit status 0 only if every call
 * succeeded. */
static void writer(int w, const char *run_id)
{
    mlops_store *s;
    mlops_run *r;
    if (mlops_store_open(g_dir, NULL, &s) || mlops_run_open(s, run_id, &r)) _exit(10);
    int errors = 0;
    int64_t step = 0;
    for (; step < SINGLE; step++)
        if (mlops_run_log_metric(r, "loss", value_of(w, step), step, 1700000000000 + step))
            errors++;
    static mlops_metric m[BATCH];
    while (step < POINTS) {
        size_t n = 0;
        for (; n < BATCH && step < POINTS; n++, step++)
            m[n] = (mlops_metric){ "loss", value_of(w, step), step, 1700000000000 + step };
        if (mlops_run_log_metrics(r, m, n)) {
            fprintf(stderr, "writer %d: %s\n", w, mlops_last_error());
            errors++;
        }
    }
    if (mlops_run_end(r, MLOPS_RUN_FINISHED)) errors++;
    mlops_run_free(r);
    mlops_store_close(s);
    _exit(errors ? 1 : 0);
}

/* Searches and reads histories until killed; exits 1 at the first error. */
static void reader(void)
{
    mlops_store *s;
    if (mlops_store_open(g_dir, NULL, &s)) _exit(10);
    for (;;) {
        mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
        o.filter = "metrics.loss.count > 0";
        o.order_by = "metrics.loss DESC";
        mlops_run_info **runs;
        size_t n;
        if (mlops_run_search(s, &o, &runs, &n, NULL)) _exit(1);
        for (size_t i = 0; i < n; i++) {
            const mlops_metric_summary *m = mlops_run_info_metric(runs[i], "loss");
            mlops_metric_point *p;
            size_t np;
            if (mlops_metric_history(s, mlops_run_info_id(runs[i]), "loss", NULL, &p, &np))
                _exit(2);
            /* a snapshot is consistent: the summary counts the points */
            if ((int64_t)np < m->count) _exit(3);
            mlops_free(p);
        }
        mlops_run_info_list_free(runs, n);
    }
}

/* Holds one read transaction open until killed. */
static void snapshot_holder(int ready_fd)
{
    tu_db *db = tu_db_open(g_dir);
    mlops__conn *c = tu_db_conn(db);
    mlops__stmt *st = NULL;
    if (mlops__conn_begin(c, 0) || mlops__conn_prepare(c, "SELECT count(*) FROM runs", &st) ||
        mlops__step(st) != MLOPS__ROW)
        _exit(1);
    if (write(ready_fd, "r", 1) != 1) _exit(2);
    for (;;) pause();
}

START_TEST(writers_and_readers_at_once)
{
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "concurrency", &exp));
    char ids[WRITERS][33];
    for (int w = 0; w < WRITERS; w++) {
        mlops_run *r;
        TU_OK(mlops_run_start(g_store, exp, NULL, &r));
        strcpy(ids[w], mlops_run_id(r));
        mlops_run_free(r);
    }
    int ready[2];
    ck_assert_int_eq(pipe(ready), 0);
    pid_t holder = fork();
    if (holder == 0) snapshot_holder(ready[1]);
    char c;
    ck_assert_int_eq(read(ready[0], &c, 1), 1); /* the snapshot is open */
    pid_t rd = fork();
    if (rd == 0) reader();
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        if (pids[w] == 0) writer(w, ids[w]);
    }
    int failed = 0;
    for (int w = 0; w < WRITERS; w++) {
        int status;
        ck_assert_int_eq(waitpid(pids[w], &status, 0), pids[w]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
    }
    /* the reader must still be running, error-free */
    int status;
    ck_assert_int_eq(waitpid(rd, &status, WNOHANG), 0);
    kill(rd, SIGKILL);
    waitpid(rd, &status, 0);
    ck_assert(WIFSIGNALED(status));
    ck_assert_int_eq(waitpid(holder, &status, WNOHANG), 0);
    kill(holder, SIGKILL);
    waitpid(holder, &status, 0);
    ck_assert_int_eq(failed, 0); /* zero errors */

    /* zero lost points: every run has all its points, exactly */
    for (int w = 0; w < WRITERS; w++) {
        mlops_run_info *ri;
        TU_OK(mlops_run_get(g_store, ids[w], &ri));
        ck_assert_int_eq(mlops_run_info_status(ri), MLOPS_RUN_FINISHED);
        const mlops_metric_summary *m = mlops_run_info_metric(ri, "loss");
        ck_assert_ptr_nonnull(m);
        ck_assert_int_eq(m->count, POINTS);
        ck_assert(m->last == value_of(w, POINTS - 1));
        ck_assert(m->min == value_of(w, 0) && m->max == value_of(w, POINTS - 1));
        mlops_run_info_free(ri);
        mlops_metric_point *p;
        size_t n;
        TU_OK(mlops_metric_history(g_store, ids[w], "loss", NULL, &p, &n));
        ck_assert_uint_eq(n, POINTS);
        for (size_t i = 0; i < n; i++) {
            ck_assert_int_eq(p[i].step, (int64_t)i);
            ck_assert(p[i].value == value_of(w, (int64_t)i));
        }
        mlops_free(p);
    }
    ck_assert_int_eq(db_int("SELECT sum(n) FROM metric_blocks"), (int64_t)WRITERS * POINTS);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("track_concurrency");
    TCase *tc = tcase_create("concurrency");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, writers_and_readers_at_once);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
