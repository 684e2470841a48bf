/* The thread limit (mlops_set_thread_limit, lib/util/pool.c): while each
 * of a put of a chunked blob, a streaming read, a whole read, an fsck and
 * a drift report runs, a sampler counts the process's threads in
 * /proc/self/task. Each starts with no worker alive (lowering the limit to
 * 1 joins them all), so at limits 2 and 3 the workers seen are its own:
 * never more than limit - 1, at least one (the pool does run it in
 * parallel); at limit 1 no thread at all besides the test's own. The
 * put's I/O helper (lib/cas/ingest.c), which only waits on the disk, is
 * not one the limit counts: it is told apart by its name, and there is at
 * most one, never at limit 1. Every result is the same at every limit.
 * Workers end at defined points: a lowered limit and exit join them. */
#include "testutil.h"
#include "util/pool.h"

#include <dirent.h>
#include <math.h>
#include <mlops.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned count_tasks(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d) return 0;
    unsigned n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

/* The thread count once it is down to n, or after 500 ms. A thread that
 * pthread_join has seen end may still be listed for a moment, until the
 * kernel has released it; the pool's workers, without the joins this
 * checks, would stay 2 s. */
static unsigned tasks_down_to(unsigned n)
{
    unsigned have = count_tasks();
    for (int i = 0; i < 500 && have > n; i++) {
        usleep(1000);
        have = count_tasks();
    }
    return have;
}

/* Samples the process's threads until told to stop. Each sample is kept
 * as a set of threads (a bit per thread id seen); a thread once seen
 * named mlops-io is an I/O helper in every sample, even one taken before
 * its first step renamed it (until then it bears its creator's name). */
#define MAX_SEEN 64

typedef struct sampler {
    pthread_t th;
    pthread_mutex_t mu;
    int stop;
    pid_t tid[MAX_SEEN]; /* the threads seen */
    uint64_t io;         /* bits of tid[] seen named mlops-io */
    unsigned ntid;
    uint64_t *sets; /* one per sample (a repeat of the last is not kept) */
    size_t nsets, cap;
} sampler;

static void sample_once(sampler *sp)
{
    DIR *d = opendir("/proc/self/task");
    ck_assert_ptr_nonnull(d);
    uint64_t set = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        pid_t t = (pid_t)atoi(e->d_name);
        unsigned i = 0;
        while (i < sp->ntid && sp->tid[i] != t) i++;
        ck_assert_uint_lt(i, MAX_SEEN);
        if (i == sp->ntid) sp->tid[sp->ntid++] = t;
        set |= 1ull << i;
        char path[300], name[32] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f && fgets(name, sizeof name, f) && !strcmp(name, "mlops-io\n")) sp->io |= 1ull << i;
        if (f) fclose(f);
    }
    closedir(d);
    if (sp->nsets && sp->sets[sp->nsets - 1] == set) return;
    if (sp->nsets == sp->cap) {
        sp->cap = sp->cap ? 2 * sp->cap : 1024;
        sp->sets = realloc(sp->sets, sp->cap * sizeof *sp->sets);
        ck_assert_ptr_nonnull(sp->sets);
    }
    sp->sets[sp->nsets++] = set;
}

static void *sample_main(void *arg)
{
    sampler *sp = arg;
    for (;;) {
        pthread_mutex_lock(&sp->mu);
        int stop = sp->stop;
        if (!stop) sample_once(sp);
        pthread_mutex_unlock(&sp->mu);
        if (stop) return NULL;
    }
}

static void sampler_start(sampler *sp)
{
    memset(sp, 0, sizeof *sp);
    pthread_mutex_init(&sp->mu, NULL);
    ck_assert_int_eq(pthread_create(&sp->th, NULL, sample_main, sp), 0);
}

static unsigned bits(uint64_t x)
{
    return (unsigned)__builtin_popcountll(x);
}

/* The most workers seen in one sample (threads besides the test's own,
 * the sampler and I/O helpers) and in *io the most I/O helpers. A last
 * sample here sees the workers the operation left idle, even if the
 * sampler was not scheduled after they started. */
static unsigned sampler_stop(sampler *sp, unsigned *io)
{
    pthread_mutex_lock(&sp->mu);
    sample_once(sp);
    sp->stop = 1;
    pthread_mutex_unlock(&sp->mu);
    pthread_join(sp->th, NULL);
    pthread_mutex_destroy(&sp->mu);
    unsigned max = 0, max_io = 0;
    for (size_t i = 0; i < sp->nsets; i++) {
        unsigned w = bits(sp->sets[i] & ~sp->io), h = bits(sp->sets[i] & sp->io);
        if (w > max) max = w;
        if (h > max_io) max_io = h;
    }
    free(sp->sets);
    *io = max_io;
    return max > 2 ? max - 2 : 0;
}

/* Before an operation: no worker alive (lowering the limit to 1 joins
 * them), the limit back at lim, and the sampler started. */
static void op_begin(sampler *sp, unsigned lim)
{
    TU_OK(mlops_set_thread_limit(1));
    ck_assert_uint_eq(tasks_down_to(1), 1);
    TU_OK(mlops_set_thread_limit(lim));
    sampler_start(sp);
}

/* After it: the workers it ran on stayed within its bound of threads
 * (the limit, or an option below it), and with more than 1 it did run on
 * some. */
static void op_end(sampler *sp, unsigned bound, const char *what)
{
    unsigned io = 0, workers = sampler_stop(sp, &io);
    ck_assert_msg(workers <= bound - 1, "%u threads, %s: %u worker threads seen", bound, what, workers);
    ck_assert_msg(io <= (bound > 1), "%u threads, %s: %u I/O helpers seen", bound, what, io);
    if (bound > 1) ck_assert_msg(workers >= 1, "%u threads, %s: no worker thread ran", bound, what);
}

#define NCOLS 6

typedef struct results {
    mlops_digest put;
    mlops_digest read;     /* of the bytes the streaming reader gave */
    mlops_digest got;      /* of the bytes mlops_blob_get gave */
    uint64_t fsck_checked;
    double stat[NCOLS], p[NCOLS];
    double ks;
} results;

/* NCOLS numeric columns for a drift report: ref uniform in [0, 1) from the
 * LCG at seed x, cur made from ref (and the LCG state) by cur_of. */
typedef struct columns {
    double *ref[NCOLS], *cur[NCOLS];
    size_t n[NCOLS];
    int kinds[NCOLS];
} columns;

static const char *col_names[NCOLS] = { "a", "b", "c", "d", "e", "f" };

static void columns_make(columns *cl, size_t rows, uint64_t x,
                         double (*cur_of)(double ref, int c, uint64_t x))
{
    for (int c = 0; c < NCOLS; c++) {
        cl->ref[c] = malloc(rows * sizeof(double));
        cl->cur[c] = malloc(rows * sizeof(double));
        ck_assert(cl->ref[c] && cl->cur[c]);
        for (size_t i = 0; i < rows; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            cl->ref[c][i] = (double)(x >> 11) / 9007199254740992.0;
            cl->cur[c][i] = cur_of(cl->ref[c][i], c, x);
        }
        cl->n[c] = rows;
        cl->kinds[c] = MLOPS_COLUMN_NUMERIC;
    }
}

static void columns_free(columns *cl)
{
    for (int c = 0; c < NCOLS; c++) {
        free(cl->ref[c]);
        free(cl->cur[c]);
    }
}

/* The current samples of run_all (ref scaled by column, plus a little of
 * the LCG) and of options_bound_threads (ref shifted by column). */
static double cur_scaled(double ref, int c, uint64_t x)
{
    return ref * (1.0 + 0.01 * c) + (double)(x % 1000) * 1e-6;
}

static double cur_shifted(double ref, int c, uint64_t x)
{
    (void)x;
    return ref + 0.01 * c;
}

static unsigned char *make_data(size_t n)
{
    unsigned char *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b[i] = (unsigned char)(i % 7 ? x & 0x0f : x >> 56); /* compressible */
    }
    return b;
}

/* Everything that runs in parallel, at limit lim, on a fresh store. */
static void run_all(unsigned lim, const unsigned char *data, size_t len, results *out)
{
    char *dir = tu_tmpdir();
    mlops_store_opts so = MLOPS_STORE_OPTS_INIT;
    so.chunk_min_size = 16u * 1024u;
    so.chunk_avg_size = 64u * 1024u;
    so.chunk_max_size = 256u * 1024u;
    so.threads = 8; /* the store would use 8: the process-wide limit caps it */
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, &so, &s));

    sampler sp;
    op_begin(&sp, lim);
    TU_OK(mlops_blob_put(s, data, len, &out->put));
    op_end(&sp, lim, "put");

    op_begin(&sp, lim);
    mlops_blob_reader *r = NULL;
    TU_OK(mlops_blob_reader_open(s, &out->put, &r));
    unsigned char *back = malloc(len);
    ck_assert_ptr_nonnull(back);
    size_t have = 0, got = 0;
    do {
        TU_OK(mlops_blob_reader_read(r, back + have, len - have < 100000 ? len - have : 100000, &got));
        have += got;
    } while (got);
    mlops_blob_reader_close(r);
    op_end(&sp, lim, "streaming read");
    ck_assert_uint_eq(have, len);
    TU_OK(mlops_digest_compute(back, have, &out->read));
    free(back);

    void *whole = NULL;
    size_t wlen = 0;
    op_begin(&sp, lim);
    TU_OK(mlops_blob_get(s, &out->put, &whole, &wlen));
    op_end(&sp, lim, "whole read");
    TU_OK(mlops_digest_compute(whole, wlen, &out->got));
    mlops_free(whole);

    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    op_begin(&sp, lim);
    TU_OK(mlops_store_fsck(s, NULL, &rep));
    op_end(&sp, lim, "fsck");
    out->fsck_checked = rep.checked;
    mlops_free(rep.issues);

    /* Drift: a report, and a two-sample test whose samples are large
     * enough to sort at once (sort.c's PARALLEL_SORT_MIN). */
    size_t rows = 70000;
    columns cl;
    columns_make(&cl, rows, 1234567, cur_scaled);
    mlops_drift_report_opts ro = MLOPS_DRIFT_REPORT_OPTS_INIT;
    ro.threads = 8;
    mlops_drift_report *dr = NULL;
    op_begin(&sp, lim);
    TU_OK(mlops_drift_report_compute(NCOLS, col_names, cl.kinds, (const double *const *)cl.ref, cl.n,
                                     (const double *const *)cl.cur, cl.n, &ro, &dr));
    op_end(&sp, lim, "drift report");
    op_begin(&sp, lim);
    mlops_test_result ks;
    TU_OK(mlops_drift_ks(cl.ref[0], rows, cl.cur[0], rows, &ks));
    op_end(&sp, lim, "two-sample KS test");
    out->ks = ks.statistic;
    for (int c = 0; c < NCOLS; c++) {
        out->stat[c] = dr->columns[c]->statistic;
        out->p[c] = dr->columns[c]->p_value;
    }
    columns_free(&cl);
    mlops_drift_report_free(dr);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}

/* Under the limit, the store's and the drift report's threads options
 * bound a call's threads: at limit 3, threads = 1 starts no worker and
 * threads = 2 one. */
START_TEST(options_bound_threads)
{
    size_t len = (size_t)1 << 20, rows = 5000;
    unsigned char *data = make_data(len);
    columns cl;
    columns_make(&cl, rows, 42, cur_shifted);
    for (unsigned t = 1; t <= 2; t++) {
        char *dir = tu_tmpdir();
        mlops_store_opts so = MLOPS_STORE_OPTS_INIT;
        so.chunk_min_size = 16u * 1024u;
        so.chunk_avg_size = 64u * 1024u;
        so.chunk_max_size = 256u * 1024u;
        so.threads = t;
        mlops_store *s = NULL;
        TU_OK(mlops_store_open(dir, &so, &s));
        sampler sp;
        mlops_digest d;
        op_begin(&sp, 3);
        TU_OK(mlops_blob_put(s, data, len, &d));
        op_end(&sp, t, "put, store option");
        mlops_store_close(s);
        tu_rmrf(dir);
        free(dir);

        mlops_drift_report_opts ro = MLOPS_DRIFT_REPORT_OPTS_INIT;
        ro.threads = t;
        mlops_drift_report *dr = NULL;
        op_begin(&sp, 3);
        TU_OK(mlops_drift_report_compute(NCOLS, col_names, cl.kinds, (const double *const *)cl.ref,
                                         cl.n, (const double *const *)cl.cur, cl.n, &ro, &dr));
        op_end(&sp, t, "drift report, report option");
        mlops_drift_report_free(dr);
    }
    columns_free(&cl);
    free(data);
    TU_OK(mlops_set_thread_limit(0));
}
END_TEST

/* Equal, NaN (no p-value for the method) equal to NaN. */
static int same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

START_TEST(limit_bounds_workers_and_keeps_results)
{
    size_t len = getenv("MLOPS_TEST_SMALL") ? (size_t)3 << 20 : (size_t)8 << 20;
    unsigned char *data = make_data(len);
    mlops_digest want;
    TU_OK(mlops_digest_compute(data, len, &want));
    results res[4];
    for (unsigned lim = 1; lim <= 3; lim++) {
        TU_OK(mlops_set_thread_limit(lim));
        ck_assert_uint_eq(mlops_thread_limit(), lim);
        memset(&res[lim], 0, sizeof res[lim]);
        run_all(lim, data, len, &res[lim]);
        ck_assert(!memcmp(&res[lim].put, &want, sizeof want));
        ck_assert(!memcmp(&res[lim].read, &want, sizeof want));
        ck_assert(!memcmp(&res[lim].got, &want, sizeof want));
        ck_assert_uint_gt(res[lim].fsck_checked, 10);
        if (lim > 1) {
            ck_assert_uint_eq(res[lim].fsck_checked, res[1].fsck_checked);
            ck_assert(res[lim].ks == res[1].ks);
            for (int c = 0; c < NCOLS; c++)
                ck_assert_msg(same(res[lim].stat[c], res[1].stat[c]) && same(res[lim].p[c], res[1].p[c]),
                              "limit %u: column %d differs: %.17g %.17g vs %.17g %.17g", lim, c, res[lim].stat[c], res[lim].p[c], res[1].stat[c], res[1].p[c]);
        }
    }
    free(data);
    /* Lowering the limit joins the idle workers above it before it returns
     * (pool.c): the workers of limit 3 are idle now, and none is left. */
    ck_assert_uint_ge(count_tasks(), 2);
    TU_OK(mlops_set_thread_limit(1));
    ck_assert_uint_eq(tasks_down_to(1), 1);
    TU_OK(mlops_set_thread_limit(0));
}
END_TEST

START_TEST(limit_is_validated)
{
    TU_OK(mlops_set_thread_limit(256));
    ck_assert_uint_eq(mlops_thread_limit(), 256);
    TU_RC(MLOPS_EINVAL, mlops_set_thread_limit(257));
    ck_assert_uint_eq(mlops_thread_limit(), 256); /* unchanged */
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_set_thread_limit"));
    TU_OK(mlops_set_thread_limit(0));
    ck_assert_uint_eq(mlops__pool_threads(0), mlops__online_cpus());
    TU_OK(mlops_set_thread_limit(2));
    ck_assert_uint_eq(mlops__pool_threads(0), 2);
    ck_assert_uint_eq(mlops__pool_threads(1), 1);
    TU_OK(mlops_set_thread_limit(0));
}
END_TEST

/* A task that waits on pool work of its own: with one worker busy running
 * the outer task, the inner job's helper cannot start, and the outer task
 * must still finish (its own thread does the inner work). */
typedef struct nest {
    pthread_mutex_t mu;
    unsigned outer, inner;
} nest;

static void inner_task(void *arg)
{
    nest *n = arg;
    pthread_mutex_lock(&n->mu);
    n->inner++;
    pthread_mutex_unlock(&n->mu);
}

static void outer_task(void *arg)
{
    nest *n = arg;
    mlops__pool_run(2, inner_task, n);
    pthread_mutex_lock(&n->mu);
    n->outer++;
    pthread_mutex_unlock(&n->mu);
}

START_TEST(nested_jobs_do_not_deadlock)
{
    TU_OK(mlops_set_thread_limit(2));
    nest n = { PTHREAD_MUTEX_INITIALIZER, 0, 0 };
    for (int i = 0; i < 200; i++) mlops__pool_run(2, outer_task, &n);
    ck_assert_uint_ge(n.outer, 200); /* each run: the caller's copy at least */
    ck_assert_uint_ge(n.inner, n.outer);
    TU_OK(mlops_set_thread_limit(0));
}
END_TEST

/* A copy that waits (up to 10 s) until another copy has started, so that
 * a worker takes one however late it is scheduled on a busy machine (a
 * fixed 50 ms was not always enough under load). Without workers the
 * caller's copy waits the 10 s out and finish counts none: the tests
 * still fail. Reset before each job: a child of fork gets its own. */
static atomic_uint copies_started;

static void slow_task(void *arg)
{
    (void)arg;
    atomic_fetch_add(&copies_started, 1);
    for (int i = 0; i < 10000 && atomic_load(&copies_started) < 2; i++) usleep(1000);
}

/* A child of fork has no workers of its parent's: its pool starts its own
 * (with the parent's counts, it would think the workers exist and every
 * job would run on the caller alone). */
START_TEST(fork_child_starts_its_own_workers)
{
    TU_OK(mlops_set_thread_limit(3));
    mlops__pool_job job;
    atomic_store(&copies_started, 0);
    mlops__pool_start(&job, 2, slow_task, NULL);
    slow_task(NULL);
    ck_assert_uint_ge(mlops__pool_finish(&job), 1); /* the parent has workers */
    usleep(20000); /* ...waiting for work on the pool's condition variable */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        atomic_store(&copies_started, 0);
        mlops__pool_start(&job, 2, slow_task, NULL);
        slow_task(NULL);
        _exit(mlops__pool_finish(&job) >= 1 ? 0 : 3);
    }
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child ran no copy on a worker");
    TU_OK(mlops_set_thread_limit(0));
}
END_TEST

/* The process of exit_joins_workers: puts two workers to work, leaves
 * them idle (they would wait 2 s for more) and exits. Its atexit handler is
 * registered before the pool's, so it runs after the pool's shutdown (and
 * before the leak checker, under ASan): by then no worker may be left. */
static void no_worker_at_exit(void)
{
    if (tasks_down_to(1) != 1) _exit(5);
}

static int exit_child(void)
{
    atexit(no_worker_at_exit);
    if (mlops_set_thread_limit(3)) return 3;
    mlops__pool_job job;
    atomic_store(&copies_started, 0);
    mlops__pool_start(&job, 2, slow_task, NULL);
    slow_task(NULL);
    if (mlops__pool_finish(&job) < 1) return 4; /* no worker ever started */
    if (count_tasks() < 2) return 6;              /* none idle: nothing to check */
    return 0;
}

/* Exit joins the idle workers (see pool.c), before OpenSSL's cleanup. */
START_TEST(exit_joins_workers)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        setenv("MLOPS_TEST_EXIT_CHILD", "1", 1);
        execl("/proc/self/exe", "test_threads", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the exiting process: status %d", st);
}
END_TEST

int main(void)
{
    if (getenv("MLOPS_TEST_EXIT_CHILD")) return exit_child();
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, limit_bounds_workers_and_keeps_results);
    tcase_add_test(tc, options_bound_threads);
    tcase_add_test(tc, limit_is_validated);
    tcase_add_test(tc, nested_jobs_do_not_deadlock);
    tcase_add_test(tc, fork_child_starts_its_own_workers);
    tcase_add_test(tc, exit_joins_workers);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
