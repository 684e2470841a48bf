/* Internal: the `int lifecycle` filter of every list of things that can be
 * soft-deleted (MLOPS_LIFECYCLE_* in include/mlops/track.h). */
#ifndef MLOPS_UTIL_LIFECYCLE_H
#define MLOPS_UTIL_LIFECYCLE_H

/* MLOPS_OK for MLOPS_LIFECYCLE_ACTIVE, _DELETED or _ALL; otherwise
 * MLOPS_EINVAL with "<func>: unknown lifecycle <value>". */
int mlops__check_lifecycle(const char *func, int lifecycle);

/* A SQL condition that keeps the rows of lifecycle ?N, where DELETED is the
 * column that holds the deletion time (NULL while active). N is the number
 * of the parameter the caller binds the lifecycle to. */
#define MLOPS__LIFECYCLE_SQL(DELETED, N) \
    "(?" #N " = 2 OR (" DELETED " IS NULL) = (?" #N " = 0))"

#endif
