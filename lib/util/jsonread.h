/* Internal: reading JSON text (RFC 8259) that a person wrote, into a tree
 * allocated in one arena. Strict: no comments, no trailing commas, strings
 * must be valid UTF-8 (\u escapes included, surrogates paired), nesting at
 * most MLOPS__JSON_MAX_DEPTH deep. Numbers are doubles. */
#ifndef MLOPS_UTIL_JSONREAD_H
#define MLOPS_UTIL_JSONREAD_H

#include "util/arena.h"

#include <stddef.h>

#define MLOPS__JSON_MAX_DEPTH 64

enum { MLOPS__JSON_NULL, MLOPS__JSON_BOOL, MLOPS__JSON_NUMBER, MLOPS__JSON_STRING,
       MLOPS__JSON_ARRAY, MLOPS__JSON_OBJECT };

typedef struct mlops__json mlops__json;
struct mlops__json {
    int type;
    int boolean;
    double number;
    const char *str;        /* STRING: NUL-terminated (may hold no NUL: \u0000 is refused) */
    size_t len;             /* STRING: bytes; ARRAY, OBJECT: items */
    const char **keys;      /* OBJECT: len keys */
    mlops__json *items;     /* ARRAY, OBJECT: len values */
    size_t line;            /* where the value starts (1-based), for messages */
};

/* Parses text[0..len) as one JSON value into *out, allocated in a. On
 * failure returns -1 with a one-line reason, and its line, in why. */
int mlops__json_parse(mlops__arena *a, const char *text, size_t len, mlops__json **out, char *why,
                      size_t whylen);

/* The member key of object o, or NULL. */
const mlops__json *mlops__json_get(const mlops__json *o, const char *key);

#endif
