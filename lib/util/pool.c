/* The one thread pool: see pool.h for the rules. One mutex guards the
 * queue and the counts; jobs are few and coarse (a put, a read, a page
 * of fsck, a report), so it is never contended for long. */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

/* How long an idle worker waits for work before it leaves: long enough
 * that a run of puts or reads reuses the same threads. */
#define IDLE_MS 2000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER; /* queue or limit changed */
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER; /* a copy finished */
static mlops__pool_job *head, *tail;
static unsigned limit;   /* 0 = online CPUs */
static unsigned workers; /* alive */
static unsigned idle;    /* alive and waiting for work */

/* Read once: sysconf reads a file each time, and the count is asked for
 * under the lock on every task. */
static unsigned cpus;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* A child of fork has none of the parent's workers, and the jobs queued
 * belong to threads it does not have: it starts from an empty pool. The
 * lock is held across the fork so that the child's copy is consistent. */
static void fork_prepare(void)
{
    pthread_mutex_lock(&mu);
}

static void fork_parent(void)
{
    pthread_mutex_unlock(&mu);
}

static void fork_child(void)
{
    head = tail = NULL;
    workers = idle = 0;
    /* The condition variables still count the parent's waiting workers,
     * which do not exist here: a broadcast would wait for them forever.
     * Fresh ones, and a fresh lock (this thread's hold is the only one). */
    pthread_cond_init(&work_cv, NULL);
    pthread_cond_init(&done_cv, NULL);
    pthread_mutex_init(&mu, NULL);
}

static void init_once(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cpus = n > 0 ? (unsigned)n : 1u;
    (void)pthread_atfork(fork_prepare, fork_parent, fork_child);
}

unsigned mlops__online_cpus(void)
{
    pthread_once(&once, init_once);
    return cpus;
}

static unsigned limit_locked(void)
{
    return limit ? limit : cpus;
}

unsigned mlops__pool_threads(unsigned want)
{
    pthread_once(&once, init_once);
    pthread_mutex_lock(&mu);
    unsigned lim = limit_locked();
    pthread_mutex_unlock(&mu);
    if (!want) want = mlops__online_cpus();
    unsigned n = want < lim ? want : lim;
    return n ? n : 1;
}

void mlops__pool_set_limit(unsigned n)
{
    pthread_mutex_lock(&mu);
    limit = n;
    pthread_cond_broadcast(&work_cv); /* workers above the new limit leave */
    pthread_mutex_unlock(&mu);
}

unsigned mlops__pool_limit(void)
{
    pthread_mutex_lock(&mu);
    unsigned n = limit;
    pthread_mutex_unlock(&mu);
    return n;
}

static void unqueue_locked(mlops__pool_job *job)
{
    mlops__pool_job **pp = &head, *prev = NULL;
    while (*pp && *pp != job) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp) return;
    *pp = job->next;
    if (tail == job) tail = prev;
    job->next = NULL;
}

static void *worker_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&mu);
    for (;;) {
        if (workers > limit_locked() - 1) break; /* the limit went down */
        mlops__pool_job *job = head;
        if (!job) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += IDLE_MS / 1000;
            until.tv_nsec += (long)(IDLE_MS % 1000) * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            idle++;
            int rc = pthread_cond_timedwait(&work_cv, &mu, &until);
            idle--;
            if (rc == ETIMEDOUT && !head) break;
            continue;
        }
        if (--job->waiting == 0) unqueue_locked(job);
        job->running++;
        job->ran++;
        pthread_mutex_unlock(&mu);
        job->fn(job->arg);
        pthread_mutex_lock(&mu);
        job->running--;
        pthread_cond_broadcast(&done_cv);
    }
    workers--;
    pthread_mutex_unlock(&mu);
    return NULL;
}

void mlops__pool_start(mlops__pool_job *job, unsigned helpers, mlops__pool_fn fn, void *arg)
{
    job->fn = fn;
    job->arg = arg;
    job->waiting = job->running = job->ran = 0;
    job->next = NULL;
    if (!helpers) return;
    pthread_once(&once, init_once);
    pthread_mutex_lock(&mu);
    job->waiting = helpers;
    if (tail) tail->next = job;
    else head = job;
    tail = job;
    unsigned queued = 0;
    for (mlops__pool_job *j = head; j; j = j->next) queued += j->waiting;
    unsigned max = limit_locked() - 1;
    while (idle < queued && workers < max) {
        pthread_t th;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&th, &at, worker_main, NULL);
        pthread_attr_destroy(&at);
        if (rc) break; /* the caller does the work */
        workers++;
        queued--;
    }
    pthread_cond_broadcast(&work_cv);
    pthread_mutex_unlock(&mu);
}

unsigned mlops__pool_finish(mlops__pool_job *job)
{
    pthread_mutex_lock(&mu);
    if (job->waiting) {
        job->waiting = 0;
        unqueue_locked(job);
    }
    while (job->running) pthread_cond_wait(&done_cv, &mu);
    unsigned ran = job->ran;
    pthread_mutex_unlock(&mu);
    return ran;
}

void mlops__pool_run(unsigned threads, mlops__pool_fn fn, void *arg)
{
    mlops__pool_job job;
    mlops__pool_start(&job, threads > 1 ? threads - 1 : 0, fn, arg);
    fn(arg);
    mlops__pool_finish(&job);
}
