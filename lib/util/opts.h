/* Internal: the versioned options structs of the public API (first field
 * `unsigned version`; see doc/abi.md). */
#ifndef MLOPS_UTIL_OPTS_H
#define MLOPS_UTIL_OPTS_H

#include <stddef.h>

/* The body of a public mlops_<x>_opts_init(opts, version): copies the
 * defaults (size bytes: the size of that version's struct) and sets the
 * version. MLOPS_EINVAL naming func when opts is NULL or version is not
 * 1..max. */
int mlops__opts_init(const char *func, void *opts, const void *defaults, size_t size,
                     unsigned version, unsigned max);

/* Checks the version of options a caller passed to func; init_name is the
 * function that initialises them (for the message). */
int mlops__opts_check(const char *func, unsigned version, unsigned max, const char *init_name);

#endif
