/* Internal: a growable byte buffer for building text (JSON, messages). An
 * allocation failure is sticky: later appends do nothing and
 * mlops__buf_finish reports it once. */
#ifndef MLOPS_UTIL_BUF_H
#define MLOPS_UTIL_BUF_H

#include <stddef.h>

#include "util/err.h"

typedef struct mlops__buf {
    char *data; /* NUL-terminated while ok */
    size_t len, cap;
    int failed;
} mlops__buf;

#define MLOPS__BUF_INIT { NULL, 0, 0, 0 }

void mlops__buf_append(mlops__buf *b, const char *s, size_t n);
void mlops__buf_puts(mlops__buf *b, const char *s);
void mlops__buf_printf(mlops__buf *b, const char *fmt, ...) MLOPS__PRINTF(2, 3);
/* A JSON string literal (quotes, escapes; s is UTF-8). */
void mlops__buf_json_string(mlops__buf *b, const char *s);
/* A JSON number in the shortest form that reads back exactly; NaN and
 * infinities as null. */
void mlops__buf_json_double(mlops__buf *b, double v);
/* Hands the malloc'd text to *out (MLOPS_OK), or frees it and returns
 * MLOPS_ENOMEM naming what. */
int mlops__buf_finish(mlops__buf *b, char **out, const char *what);
void mlops__buf_free(mlops__buf *b);

#endif
