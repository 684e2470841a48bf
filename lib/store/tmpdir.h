/* Internal: the store's temp directory, tmp/. Each read-write handle that
 * writes objects gets its own subdirectory h-<hex>/ holding a lock file
 * (.lock, flock'd for the handle's life). A store opened read-write
 * removes every h-* directory whose lock it can take (its owner is gone:
 * a killed put's temp files go at the next open, whatever their age) and
 * loose files older than an hour (from 1.0 writers, which put them
 * straight in tmp/ and may still run). doc/format.md, "tmp/". */
#ifndef MLOPS_STORE_TMPDIR_H
#define MLOPS_STORE_TMPDIR_H

#include "store/store_internal.h"

/* Sets *dir to this handle's own temp directory, creating it on the first
 * call. Thread-safe. */
int mlops__store_tmp_dir(mlops_store *s, const char **dir);

/* Removes what dead handles and old writers left in tmp_dir. Best effort;
 * returns the number of files removed. */
int mlops__tmp_sweep(const char *tmp_dir);

/* Removes this handle's temp directory and releases its lock. */
void mlops__tmp_release(mlops_store *s);

#endif
