/* Internal: setting the thread-local error message that mlops_last_error()
 * returns. Every failing path sets a message that names what failed, on
 * which object, and why, then returns the code. */
#ifndef MLOPS_UTIL_ERR_H
#define MLOPS_UTIL_ERR_H

#include "mlops/common.h"

#define MLOPS__PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Sets the message and returns code, so that callers can write
 * `return mlops__err(MLOPS_EINVAL, "...", ...);`. */
int mlops__err(int code, const char *fmt, ...) MLOPS__PRINTF(2, 3);

/* Like mlops__err, and appends ": <strerror(errnum)>". */
int mlops__err_os(int code, int errnum, const char *fmt, ...) MLOPS__PRINTF(3, 4);

/* The usual code for an errno value: ENOENT -> MLOPS_ENOTFOUND,
 * ENOMEM -> MLOPS_ENOMEM, EEXIST -> MLOPS_EEXIST, else MLOPS_EIO. */
int mlops__errno_code(int errnum);

/* "func: argument 'arg' is NULL" -> MLOPS_EINVAL. */
int mlops__err_null(const char *func, const char *arg);

/* Checks an array argument: p may be NULL only when n is 0, and n
 * elements of elem bytes must fit in the address space (n * elem <=
 * PTRDIFF_MAX): a length no buffer can have, such as SIZE_MAX, is a
 * caller's error to refuse before any size computation can wrap or any
 * loop can run past the buffer. MLOPS_EINVAL naming func and arg, or
 * MLOPS_OK. */
int mlops__check_array(const char *func, const char *arg, const void *p, size_t n, size_t elem);

/* Out of memory while doing `what` -> MLOPS_ENOMEM. */
int mlops__err_nomem(const char *what);

/* The current message of this thread (the public getter returns it). */
const char *mlops__err_message(void);

#endif
