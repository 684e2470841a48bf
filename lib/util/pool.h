/* Internal: the one thread pool. Every piece of parallel work in the
 * library runs here, so the embedder bounds our threads in one place
 * (mlops_set_thread_limit, the store's and the report's thread options).
 *
 * The limit counts every thread doing work, the caller included: a job
 * that may use N threads queues N-1 helper copies of its function and the
 * caller runs one copy itself. Workers are started lazily, at most
 * limit-1 in the process, leave after a short idle spell, and are always
 * joined: where and when is at the top of pool.c.
 *
 * The rule that keeps nested and concurrent jobs free of deadlock: a
 * helper is never needed. Each job's function takes shared work until
 * none is left, so the caller's own copy can finish the job alone;
 * mlops__pool_finish drops copies that have not started and waits only
 * for those that are running, which never wait on anything queued. */
#ifndef MLOPS_UTIL_POOL_H
#define MLOPS_UTIL_POOL_H

typedef void (*mlops__pool_fn)(void *arg);

typedef struct mlops__pool_job {
    mlops__pool_fn fn;
    void *arg;
    unsigned waiting; /* copies queued, not started */
    unsigned running; /* copies running on workers */
    unsigned ran;     /* copies started so far */
    struct mlops__pool_job *next; /* in the queue while waiting > 0 */
} mlops__pool_job;

/* Threads a job may use, the caller's included: want (0 = online CPUs)
 * capped by the process-wide limit (0 = online CPUs); at least 1. */
unsigned mlops__pool_threads(unsigned want);

/* Queues `helpers` copies of fn(arg) for the pool's workers (starting
 * workers as needed, within the limit). Never fails: if no worker can
 * run them, mlops__pool_finish drops them and the caller has done all. */
void mlops__pool_start(mlops__pool_job *job, unsigned helpers, mlops__pool_fn fn, void *arg);

/* Drops the copies not yet started and waits for the running ones.
 * Returns how many copies ran on workers. */
unsigned mlops__pool_finish(mlops__pool_job *job);

/* start(threads - 1), fn(arg) on the caller's thread, finish. */
void mlops__pool_run(unsigned threads, mlops__pool_fn fn, void *arg);

/* The process-wide limit (0 = online CPUs) and the online CPU count. */
void mlops__pool_set_limit(unsigned n);
unsigned mlops__pool_limit(void);
unsigned mlops__online_cpus(void);

#endif
