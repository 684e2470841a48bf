/* Internal: the local object backend's temp directory, tmp/. Each
 * read-write handle that writes objects gets its own subdirectory
 * h-<hex>/ holding a lock file (.lock, flock'd for the handle's life). A
 * store opened read-write removes every h-* directory whose lock it can
 * take (its owner is gone: a killed put's temp files go at the next open,
 * whatever their age) and loose files older than an hour (from 1.0
 * writers, which put them straight in tmp/ and may still run).
 * doc/format.md, "tmp/". */
#ifndef MLOPS_OBJECTS_LOCAL_TMPDIR_H
#define MLOPS_OBJECTS_LOCAL_TMPDIR_H

#include <pthread.h>

/* Loose temp files (1.0 writers) older than this are swept when a store
 * opens; a dead handle's directory goes at once. */
#define MLOPS__TMP_MAX_AGE_MS (60 * 60 * 1000)

typedef struct mlops__tmpdir {
    char *dir;       /* <root>/tmp */
    pthread_mutex_t mu;
    char *own;       /* this handle's h-<hex>, made on first use under mu */
    int lock_fd;     /* holds own's lock */
} mlops__tmpdir;

/* Sets up t for the temp directory dir (nothing is created yet). */
int mlops__tmpdir_init(mlops__tmpdir *t, const char *dir);

/* Sets *dir to this handle's own temp directory, creating it on the first
 * call. Thread-safe. */
int mlops__tmpdir_own(mlops__tmpdir *t, const char **dir);

/* Removes what dead handles and old writers left in tmp_dir. Best effort;
 * returns the number of files removed. */
int mlops__tmp_sweep(const char *tmp_dir);

/* Removes this handle's temp directory, releases its lock and frees t's
 * parts. Safe on a t that init never reached (all zero). */
void mlops__tmpdir_release(mlops__tmpdir *t);

#endif
