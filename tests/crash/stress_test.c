/* Concurrency stress: P processes x T threads (default 8 x 4) run the
 * mixed workload of workload.h on one store for D seconds, reads of every
 * kind included (blobs, histories, search, resolve, audit verify, run
 * snapshots, gc, sampled fsck). Every call must succeed: no "database is
 * locked", no MLOPS_EBUSY. Then the store must hold everything that was
 * acknowledged, fsck must find nothing wrong and the audit chain must
 * verify.
 *
 * usage: stress_test [--seconds D] [--procs P] [--threads T] [--seed S]
 *   (D also from $MLOPS_STRESS_SECONDS; default 10). Prints "# figure:"
 *   lines; exit 0 when all holds. */
#include "workload.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 32

static char store_dir[700], scratch_dir[700];
static int64_t experiment_id;
static uint64_t seed;
static double seconds = 10;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef struct thread_arg {
    mlops_store *s;
    int fd, index;
    double deadline;
    int failed;
} thread_arg;

static void *thread_main(void *p)
{
    thread_arg *a = p;
    char tag[24], scratch[800];
    snprintf(tag, sizeof tag, "p%dt%d", (int)getpid(), a->index);
    snprintf(scratch, sizeof scratch, "%s/%s", scratch_dir, tag);
    wctx *w = w_new(a->s, a->fd, tag, experiment_id,
                    seed ^ ((uint64_t)getpid() << 8 | (uint64_t)a->index) * 0x9E3779B97F4A7C15ull,
                    scratch, 1);
    if (!w) {
        a->failed = 1;
        return NULL;
    }
    while (now_s() < a->deadline)
        if (w_step(w) != MLOPS_OK) a->failed = 1;
    w_free(w);
    return NULL;
}

static void proc_main(int fd, int nthreads)
{
    mlops_store_opts o;
    w_store_opts(&o);
    mlops_store *s;
    if (mlops_store_open(store_dir, &o, &s) != MLOPS_OK) {
        fprintf(stderr, "stress: open: %s\n", mlops_last_error());
        _exit(2);
    }
    double deadline = now_s() + seconds;
    pthread_t th[64];
    thread_arg args[64];
    for (int i = 0; i < nthreads; i++) {
        args[i] = (thread_arg){ s, fd, i, deadline, 0 };
        if (pthread_create(&th[i], NULL, thread_main, &args[i]) != 0) _exit(2);
    }
    int failed = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(th[i], NULL);
        failed |= args[i].failed;
    }
    mlops_store_close(s);
    close(fd);
    _exit(failed ? 1 : 0);
}

int main(int argc, char **argv)
{
    int nprocs = 8, nthreads = 4;
    const char *env = getenv("MLOPS_STRESS_SECONDS");
    if (env && *env) seconds = atof(env);
    seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--procs")) nprocs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads")) nthreads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], NULL, 10);
        else {
            fprintf(stderr, "usage: stress_test [--seconds D] [--procs P] [--threads T] [--seed S]\n");
            return 2;
        }
    }
    if (nprocs < 1 || nprocs > MAX_PROCS || nthreads < 1 || nthreads > 64) return 2;
    printf("# stress test: seed %llu, %d processes x %d threads, %.0f s\n",
           (unsigned long long)seed, nprocs, nthreads, seconds);
    fflush(stdout);
    signal(SIGPIPE, SIG_IGN);

    char *root = tu_mkdtemp("stress");
    if (!root) return 1;
    snprintf(store_dir, sizeof store_dir, "%s/store", root);
    /* On the backend under test (tests/testutil.h). */
    char *made = tu_store_dir_at(store_dir);
    if (!made) {
        fprintf(stderr, "cannot make %s\n", store_dir);
        return 1;
    }
    free(made);
    snprintf(scratch_dir, sizeof scratch_dir, "%s/scratch", root);
    mkdir(scratch_dir, 0755);

    mlops_store_opts o;
    w_store_opts(&o);
    mlops_store *s;
    if (mlops_store_open(store_dir, &o, &s) || w_setup(s, &experiment_id)) {
        fprintf(stderr, "stress: set-up: %s\n", mlops_last_error());
        return 1;
    }
    mlops_store_close(s);

    wcheck *c = wc_new();
    wpipe pipes[MAX_PROCS];
    pid_t pids[MAX_PROCS];
    double t0 = now_s();
    for (int i = 0; i < nprocs; i++) {
        int fds[2];
        if (pipe(fds) != 0) return 1;
        pids[i] = fork();
        if (pids[i] < 0) return 1;
        if (pids[i] == 0) {
            for (int k = 0; k < i; k++) close(pipes[k].fd);
            close(fds[0]);
            proc_main(fds[1], nthreads);
        }
        close(fds[1]);
        fcntl(fds[0], F_SETFL, O_NONBLOCK);
        memset(&pipes[i], 0, sizeof pipes[i]);
        pipes[i].fd = fds[0];
    }
    int open_pipes = nprocs;
    int done[MAX_PROCS] = { 0 };
    while (open_pipes) {
        struct pollfd p[MAX_PROCS];
        for (int i = 0; i < nprocs; i++) {
            p[i].fd = done[i] ? -1 : pipes[i].fd;
            p[i].events = POLLIN;
        }
        if (poll(p, (nfds_t)nprocs, 1000) <= 0) continue;
        for (int i = 0; i < nprocs; i++)
            if (!done[i] && p[i].revents && !w_drain(&pipes[i], c)) {
                done[i] = 1;
                close(pipes[i].fd);
                open_pipes--;
            }
    }
    int failed = 0;
    for (int i = 0; i < nprocs; i++) {
        int st;
        waitpid(pids[i], &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) failed = 1;
    }
    double elapsed = now_s() - t0;
    size_t errors = wc_errors(c);
    if (errors) failed = 1;

    if (mlops_store_open(store_dir, &o, &s)) {
        fprintf(stderr, "stress: reopen: %s\n", mlops_last_error());
        return 1;
    }
    uint64_t checked = 0, per_kind[W_KINDS];
    size_t bad = wc_verify(c, s, &checked, per_kind);
    if (bad) failed = 1;
    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    int rc = mlops_store_fsck(s, NULL, &rep);
    if (rc || rep.corrupt || rep.missing) {
        fprintf(stderr, "fsck -> %d (%s)\n", rc, mlops_last_error());
        failed = 1;
    }
    mlops_free(rep.issues);
    int64_t events = 0;
    mlops_digest head;
    rc = mlops_audit_verify(s);
    if (rc || mlops_audit_head(s, &events, &head)) {
        fprintf(stderr, "audit -> %d (%s)\n", rc, mlops_last_error());
        failed = 1;
    }
    mlops_store_close(s);

    uint64_t total = checked + per_kind[W_READ];
    printf("# figure: stress test%s: %d processes x %d threads for %.1f s: %llu operations "
           "(%.0f/s), %zu errors (no 'database is locked', no EBUSY); %llu acknowledged writes "
           "checked (",
           tu_backend_label(), nprocs, nthreads, elapsed, (unsigned long long)total, (double)total / elapsed, errors,
           (unsigned long long)checked);
    for (int k = 1; k < W_KINDS; k++)
        if (per_kind[k] && k != W_READ)
            printf("%s%llu %s", k > 1 ? ", " : "", (unsigned long long)per_kind[k], w_kind_name(k));
    printf(") and %llu reads and other operations (streams, random access, restores, tags, "
           "profiles, lineage); %zu check failures; fsck %llu objects clean; audit chain of %lld "
           "events verifies\n",
           (unsigned long long)per_kind[W_READ], bad, (unsigned long long)rep.checked,
           (long long)events);
    wc_free(c);
    if (!failed) tu_rmrf(root);
    else fprintf(stderr, "stress test FAILED (store kept in %s)\n", store_dir);
    free(root);
    return failed;
}
