/* Internal: a bump allocator for objects built once and freed at once (a
 * snapshot with its strings and arrays). Blocks come from malloc. */
#ifndef MLOPS_UTIL_ARENA_H
#define MLOPS_UTIL_ARENA_H

#include <stddef.h>

typedef struct mlops__arena_block mlops__arena_block;

typedef struct mlops__arena {
    mlops__arena_block *head;
} mlops__arena;

#define MLOPS__ARENA_INIT { NULL }

/* n bytes aligned for any type; NULL when out of memory. */
void *mlops__arena_alloc(mlops__arena *a, size_t n);
/* Copies of len bytes plus a NUL, or of a NUL-terminated string. NULL when
 * out of memory (or, for strdup, when s is NULL). */
char *mlops__arena_strndup(mlops__arena *a, const char *s, size_t len);
char *mlops__arena_strdup(mlops__arena *a, const char *s);
/* Releases every block; the arena is empty and reusable afterwards. */
void mlops__arena_free(mlops__arena *a);

#endif
