/* Internal: the schema object shared by lib/validate's files. */
#ifndef MLOPS_VALIDATE_INTERNAL_H
#define MLOPS_VALIDATE_INTERNAL_H

#include "mlops/validate.h"

#include <stddef.h>

#define MLOPS__SCHEMA_FORMAT_NAME    "mlops.schema"
#define MLOPS__SCHEMA_FORMAT_VERSION 1

/* One column, owning its strings. categories are sorted bytewise and
 * unique; lens[i] is the length of categories[i] (categories may hold no
 * NUL, so strlen would do, but validation compares lengths first). */
typedef struct mlops__schema_col {
    char *name;
    int kind;
    unsigned checks;
    double min, max, out_of_range_max;
    char **categories;
    size_t n_categories;
    double unseen_max;
    double missing_max;
} mlops__schema_col;

/* Columns sorted by name, unique. */
struct mlops_schema {
    mlops__schema_col *cols;
    size_t n, cap;
};

/* mlops_schema_column_set's work, with fn naming the public function for
 * the message (the decoders report EINVAL from here as their own). */
int mlops__schema_set(const char *fn, mlops_schema *s, const mlops_schema_column *c);

/* Index of the column named name (n bytes), or -1. */
long mlops__schema_index(const mlops_schema *s, const char *name, size_t n);

/* Byte order of two strings of known lengths (as memcmp, shorter first). */
int mlops__bytes_cmp(const char *a, size_t an, const char *b, size_t bn);

#endif
