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
/* A JSON string literal: quotes and escapes (s is UTF-8). */
void mlops__buf_add_json_string(mlops__buf *b, const char *s);
/* A JSON number in the shortest form that reads back exactly (never a
 * locale's decimal comma); NaN and infinities as null. */
void mlops__buf_add_json_double(mlops__buf *b, double v);
/* Hands the malloc'd text to *out and empties b (MLOPS_OK), or frees it
 * and returns MLOPS_ENOMEM naming what when an append had failed. */
int mlops__buf_take(mlops__buf *b, char **out, const char *what);
void mlops__buf_free(mlops__buf *b);

#endif
