#include "util/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Thread-local, not per handle: a handle may be shared by threads, and a
 * message must describe the caller's own failure. */
static _Thread_local char last_message[1024];

static void set_message(const char *fmt, va_list ap)
{
    vsnprintf(last_message, sizeof last_message, fmt, ap);
}

int mlops__err(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message(fmt, ap);
    va_end(ap);
    return code;
}

int mlops__err_os(int code, int errnum, const char *fmt, ...)
{
    char os[256];
    va_list ap;
    va_start(ap, fmt);
    set_message(fmt, ap);
    va_end(ap);
    /* strerror_r (XSI or GNU) differ in return type; strerror on our own
     * copy keeps this portable and the result is copied at once. */
    snprintf(os, sizeof os, "%s", strerror(errnum));
    size_t used = strlen(last_message);
    snprintf(last_message + used, sizeof last_message - used, ": %s", os);
    return code;
}

int mlops__errno_code(int errnum)
{
    switch (errnum) {
    case ENOENT: return MLOPS_ENOTFOUND;
    case ENOMEM: return MLOPS_ENOMEM;
    case EEXIST: return MLOPS_EEXIST;
    default: return MLOPS_EIO;
    }
}

int mlops__err_null(const char *func, const char *arg)
{
    return mlops__err(MLOPS_EINVAL, "%s: argument '%s' is NULL", func, arg);
}

int mlops__check_array(const char *func, const char *arg, const void *p, size_t n, size_t elem)
{
    if (!p && n > 0) return mlops__err_null(func, arg);
    if (elem && n > (size_t)PTRDIFF_MAX / elem)
        return mlops__err(MLOPS_EINVAL, "%s: '%s' cannot hold %zu elements of %zu bytes "
                          "(more than the address space)", func, arg, n, elem);
    return MLOPS_OK;
}

int mlops__err_nomem(const char *what)
{
    return mlops__err(MLOPS_ENOMEM, "out of memory while %s", what);
}

const char *mlops__err_message(void)
{
    return last_message;
}
