/* Test-only I/O fault injection (faultinject.c): makes the Nth write,
 * fsync, rename or truncate that touches a watched directory fail with a
 * chosen errno. */
#ifndef MLOPS_TEST_FAULTINJECT_H
#define MLOPS_TEST_FAULTINJECT_H

#define FI_WRITE    0 /* write, pwrite, pwrite64 */
#define FI_FSYNC    1 /* fsync, fdatasync, syncfs */
#define FI_RENAME   2 /* rename, renameat2, link (the target path) */
#define FI_TRUNCATE 3 /* ftruncate */
#define FI_KINDS    4

/* Calls on files under dir (an absolute path) are counted and may fail. */
void fi_watch(const char *dir);
/* From now on, the at-th counted call (1-based; 0: none) fails with err.
 * kind >= 0 counts only calls of that kind. Resets the counter. */
void fi_arm(long at, int err, int kind);
/* Stops failing; returns the number of calls counted since fi_arm. */
long fi_disarm(void);
/* 1 when the armed call was reached and failed, with its kind and
 * whether it was SQLite's (a file named mlops.db*). */
int fi_failed(int *kind, int *db);
const char *fi_kind_name(int kind);

#endif
