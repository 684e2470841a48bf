/* Internal: a growable NUL-terminated string for building text (SQL with
 * placeholders, messages). Appends never fail visibly: an allocation
 * failure sets `failed`, later appends do nothing, and the builder checks
 * `failed` once at the end. */
#ifndef MLOPS_UTIL_BUF_H
#define MLOPS_UTIL_BUF_H

#include <stddef.h>

#include "util/err.h"

typedef struct mlops__buf {
    char *data; /* NUL-terminated once anything was appended; may be NULL */
    size_t len, cap;
    int failed; /* an allocation failed */
} mlops__buf;

#define MLOPS__BUF_INIT { NULL, 0, 0, 0 }

void mlops__buf_add(mlops__buf *b, const char *s);
void mlops__buf_addn(mlops__buf *b, const char *s, size_t n);
void mlops__buf_addf(mlops__buf *b, const char *fmt, ...) MLOPS__PRINTF(2, 3);
/* The text so far ("" when empty); NULL only if an allocation failed. */
const char *mlops__buf_str(mlops__buf *b);
void mlops__buf_free(mlops__buf *b);

#endif
