#include "util/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_MIN 4096

struct mlops__arena_block {
    mlops__arena_block *next;
    size_t used, size;
    alignas(max_align_t) unsigned char data[];
};

void *mlops__arena_alloc(mlops__arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n > SIZE_MAX - (align - 1)) return NULL; /* rounding up would wrap */
    n = (n + align - 1) & ~(align - 1);
    mlops__arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > BLOCK_MIN ? n : BLOCK_MIN;
        if (size > SIZE_MAX - sizeof *b) return NULL;
        b = malloc(sizeof *b + size);
        if (!b) return NULL;
        b->used = 0;
        b->size = size;
        /* A block bigger than the minimum holds one large object: put it
         * behind the current head so the head keeps its free space. */
        if (a->head && size > BLOCK_MIN) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

char *mlops__arena_strndup(mlops__arena *a, const char *s, size_t len)
{
    char *p = mlops__arena_alloc(a, len + 1);
    if (!p) return NULL;
    if (len) memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *mlops__arena_strdup(mlops__arena *a, const char *s)
{
    return s ? mlops__arena_strndup(a, s, strlen(s)) : NULL;
}

void mlops__arena_free(mlops__arena *a)
{
    mlops__arena_block *b = a->head;
    while (b) {
        mlops__arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}
