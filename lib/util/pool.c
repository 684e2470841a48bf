/* The one thread pool: see pool.h for the rules. One mutex guards the
 * queue, the counts and the worker table; jobs are few and coarse (a put,
 * a read, a page of fsck, a report), so it is never contended for long.
 *
 * Workers' lives. A worker starts when a job is queued and no idle worker
 * can take it (within the limit), and leaves when it has been idle for
 * IDLE_MS, when the limit goes below the workers alive, or at exit. Before
 * it ends, a worker releases OpenSSL's per-thread state
 * (OPENSSL_thread_stop: its first SHA-256 allocated it), and every worker
 * that ended is joined, never detached:
 *  - by the next call that lowers the limit or starts a job (a worker that
 *    left after its idle spell: its thread has returned, the join is quick);
 *  - by mlops_set_thread_limit when it lowers the limit: the workers
 *    above the new limit that are not running a task have left and are
 *    joined before it returns (busy ones leave when their task ends);
 *  - at exit, by pool_shutdown() below: every worker not running a task
 *    (idle, just started, leaving) leaves and is joined. It runs before
 *    OpenSSL's cleanup deletes its thread-local key, whichever order the
 *    atexit handlers run in: it is registered with OPENSSL_atexit, whose
 *    handlers OPENSSL_cleanup runs before that deletion, and with atexit
 *    (for a process where OpenSSL's own atexit cleanup is off; the second
 *    call finds nothing to do). A worker that ended after the key's
 *    deletion would never have its state freed (no key destructor runs):
 *    the leak checker once reported exactly that (2,464 bytes from
 *    CRYPTO_zalloc at a test's exit, from a worker whose idle spell ran
 *    out as the process exited, when workers were detached threads).
 *    Workers busy at exit (another thread's put still running, a blob
 *    reader never closed) are not waited for: exit must not hang on the
 *    embedder's unfinished work.
 * After pool_shutdown() the pool starts no worker: callers do all the work
 * (after OPENSSL_cleanup, OpenSSL cannot be used again anyway). */
#include "pool.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* How long an idle worker waits for work before it leaves: long enough
 * that a run of puts or reads reuses the same threads. */
#define IDLE_MS 2000

/* Workers at most, whatever the CPU count (mlops_set_thread_limit caps the
 * limit at 256: at most 255 workers). */
#define MAX_WORKERS 255

enum { W_FREE, W_ALIVE, W_ENDED }; /* ENDED: returned or returning, not joined */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER; /* queue or limit changed */
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER; /* a copy finished */
static pthread_cond_t gone_cv = PTHREAD_COND_INITIALIZER; /* a worker ended */
static mlops__pool_job *head, *tail;
static unsigned limit;   /* 0 = online CPUs */
static unsigned alive;   /* started, not yet ended (leaving ones included) */
static unsigned idle;    /* alive and waiting for work */
static unsigned busy;    /* alive and running a copy of a job */
static unsigned leaving; /* alive, past the decision to leave */
static int stopped;      /* pool_shutdown() ran: no worker starts any more */
static struct {
    pthread_t th;
    int state;
} table[MAX_WORKERS];

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
    alive = idle = busy = leaving = 0;
    for (unsigned i = 0; i < MAX_WORKERS; i++) table[i].state = W_FREE; /* nothing to join */
    /* The condition variables still count the parent's waiting workers,
     * which do not exist here: a broadcast would wait for them forever.
     * Fresh ones, and a fresh lock (this thread's hold is the only one). */
    pthread_cond_init(&work_cv, NULL);
    pthread_cond_init(&done_cv, NULL);
    pthread_cond_init(&gone_cv, NULL);
    pthread_mutex_init(&mu, NULL);
}

static void reap_locked(void);

/* At exit (see the top of this file): every worker not running a job
 * (idle, just started, leaving) ends and is joined; none starts again. */
static void pool_shutdown(void)
{
    pthread_mutex_lock(&mu);
    stopped = 1;
    pthread_cond_broadcast(&work_cv);
    while (alive > busy) pthread_cond_wait(&gone_cv, &mu);
    reap_locked();
    pthread_mutex_unlock(&mu);
}

static void init_once(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cpus = n > 0 ? (unsigned)n : 1u;
    (void)pthread_atfork(fork_prepare, fork_parent, fork_child);
    /* See the top of this file. If both fail, workers still end cleanly
     * when idle or at a lowered limit; only the exit-time join is lost. */
    (void)OPENSSL_atexit(pool_shutdown);
    (void)atexit(pool_shutdown);
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

static unsigned max_workers_locked(void)
{
    if (stopped) return 0;
    unsigned n = limit_locked() - 1;
    return n < MAX_WORKERS ? n : MAX_WORKERS;
}

/* Joins the workers that have ended. Their threads do nothing after
 * marking themselves ENDED but return, so this never waits long, and the
 * lock can be held: they no longer need it. */
static void reap_locked(void)
{
    for (unsigned i = 0; i < MAX_WORKERS; i++)
        if (table[i].state == W_ENDED) {
            pthread_join(table[i].th, NULL);
            table[i].state = W_FREE;
        }
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
    pthread_once(&once, init_once);
    pthread_mutex_lock(&mu);
    limit = n;
    pthread_cond_broadcast(&work_cv); /* workers above the new limit leave */
    /* While workers above it are not all busy (busy ones leave after
     * their task), one of the others is leaving or about to (it checks
     * the limit whenever it wakes): wait for it. Then join all that ended. */
    while (alive > max_workers_locked() && alive > busy) pthread_cond_wait(&gone_cv, &mu);
    reap_locked();
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

/* Waits for work for IDLE_MS at most; 0 when the spell ran out with the
 * queue still empty. */
static int wait_for_work_locked(void)
{
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
    return !(rc == ETIMEDOUT && !head);
}

static void *worker_main(void *arg)
{
    unsigned slot = (unsigned)(size_t)arg;
    pthread_mutex_lock(&mu);
    for (;;) {
        /* Above the limit (it went down, or shutdown made it 0): leave. */
        if (alive - leaving > max_workers_locked()) break;
        mlops__pool_job *job = head;
        if (!job) {
            if (!wait_for_work_locked()) break;
            continue;
        }
        if (--job->waiting == 0) unqueue_locked(job);
        job->running++;
        job->ran++;
        busy++;
        pthread_mutex_unlock(&mu);
        job->fn(job->arg);
        pthread_mutex_lock(&mu);
        job->running--;
        busy--;
        pthread_cond_broadcast(&done_cv);
    }
    leaving++;
    pthread_mutex_unlock(&mu);
    /* Releases this thread's OpenSSL state while OpenSSL's key still
     * exists (pool_shutdown() runs before OpenSSL's cleanup deletes it). */
    OPENSSL_thread_stop();
    pthread_mutex_lock(&mu);
    leaving--;
    alive--;
    table[slot].state = W_ENDED;
    pthread_cond_broadcast(&gone_cv);
    pthread_mutex_unlock(&mu);
    return NULL;
}

/* Starts one worker in a free slot; 0 if none is free or the thread
 * cannot start (the callers then do the work). */
static int spawn_locked(void)
{
    unsigned slot = 0;
    while (slot < MAX_WORKERS && table[slot].state != W_FREE) slot++;
    if (slot == MAX_WORKERS) return 0;
    if (pthread_create(&table[slot].th, NULL, worker_main, (void *)(size_t)slot)) return 0;
    table[slot].state = W_ALIVE;
    alive++;
    return 1;
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
    reap_locked();
    job->waiting = helpers;
    if (tail) tail->next = job;
    else head = job;
    tail = job;
    unsigned queued = 0;
    for (mlops__pool_job *j = head; j; j = j->next) queued += j->waiting;
    unsigned max = max_workers_locked();
    while (idle < queued && alive < max && spawn_locked()) queued--;
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
