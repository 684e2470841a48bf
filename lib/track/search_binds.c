/* Bound parameters of compiled searches. */
#include "track/search_internal.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_value(const mlops__value *v)
{
    uint64_t h = 1469598103934665603u ^ (uint64_t)v->type; /* FNV-1a */
    unsigned char bytes[8];
    const unsigned char *p = bytes;
    size_t n = 8;
    if (v->type == MLOPS__VAL_TEXT) p = (const unsigned char *)v->s, n = v->slen;
    else if (v->type == MLOPS__VAL_INT) memcpy(bytes, &v->i, 8);
    else if (v->type == MLOPS__VAL_REAL) memcpy(bytes, &v->d, 8);
    else n = 0;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211u;
    return h;
}

static int same_value(const mlops__value *a, const mlops__value *b)
{
    if (a->type != b->type) return 0;
    switch (a->type) {
    case MLOPS__VAL_TEXT: return a->slen == b->slen && !memcmp(a->s, b->s, a->slen);
    case MLOPS__VAL_INT: return a->i == b->i;
    case MLOPS__VAL_REAL: return !memcmp(&a->d, &b->d, sizeof a->d);
    default: return 1;
    }
}

/* The slot of v in the index: its own, or the empty one it goes to. */
static size_t find_slot(const mlops__binds *b, const mlops__value *v)
{
    size_t mask = b->slots - 1, i = (size_t)hash_value(v) & mask;
    while (b->index[i] && !same_value(&b->v[b->index[i] - 1], v)) i = (i + 1) & mask;
    return i;
}

/* Keeps the index at most half full. */
static int grow_index(mlops__binds *b)
{
    if (b->slots && (b->n + 1) * 2 <= b->slots) return MLOPS_OK;
    size_t slots = b->slots ? b->slots * 2 : 64;
    int *index = calloc(slots, sizeof *index);
    if (!index) return MLOPS_ENOMEM;
    free(b->index);
    b->index = index;
    b->slots = slots;
    for (size_t k = 0; k < b->n; k++) b->index[find_slot(b, &b->v[k])] = (int)k + 1;
    return MLOPS_OK;
}

/* Adds *v (taking over its string) or finds it; 0 when out of memory. */
static int push(mlops__binds *b, mlops__value *v)
{
    if (b->failed || grow_index(b)) {
        b->failed = 1;
        free(v->s);
        return 0;
    }
    size_t slot = find_slot(b, v);
    if (b->index[slot]) {
        free(v->s);
        return b->index[slot];
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        mlops__value *grown = realloc(b->v, cap * sizeof *grown);
        if (!grown) {
            b->failed = 1;
            free(v->s);
            return 0;
        }
        b->v = grown;
        b->cap = cap;
    }
    b->v[b->n++] = *v;
    b->index[slot] = (int)b->n;
    return (int)b->n;
}

int mlops__binds_int(mlops__binds *b, int64_t v)
{
    mlops__value x = { MLOPS__VAL_INT, v, 0, NULL, 0 };
    return push(b, &x);
}

int mlops__binds_real(mlops__binds *b, double v)
{
    mlops__value x = { MLOPS__VAL_REAL, 0, v, NULL, 0 };
    return push(b, &x);
}

int mlops__binds_text(mlops__binds *b, const char *s, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy) {
        b->failed = 1;
        return 0;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    mlops__value x = { MLOPS__VAL_TEXT, 0, 0, copy, len };
    /* push takes the copy over (keeps it, or frees it) */
    // cppcheck-suppress memleak
    return push(b, &x);
}

int mlops__binds_value(mlops__binds *b, const mlops__value *v)
{
    switch (v->type) {
    case MLOPS__VAL_INT: return mlops__binds_int(b, v->i);
    case MLOPS__VAL_REAL: return mlops__binds_real(b, v->d);
    case MLOPS__VAL_TEXT: return mlops__binds_text(b, v->s, v->slen);
    default: {
        mlops__value x = { MLOPS__VAL_NULL, 0, 0, NULL, 0 };
        return push(b, &x);
    }
    }
}

void mlops__binds_free(mlops__binds *b)
{
    for (size_t i = 0; i < b->n; i++) free(b->v[i].s);
    free(b->v);
    free(b->index);
    memset(b, 0, sizeof *b);
}

int mlops__binds_apply(mlops__conn *c, const mlops__binds *b, mlops__stmt *st)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; i < b->n && !rc; i++) {
        const mlops__value *v = &b->v[i];
        int idx = (int)i + 1;
        switch (v->type) {
        case MLOPS__VAL_INT: rc = mlops__bind_int64(c, st, idx, v->i); break;
        case MLOPS__VAL_REAL: rc = mlops__bind_double(c, st, idx, v->d); break;
        case MLOPS__VAL_TEXT: rc = mlops__bind_text(c, st, idx, v->s); break;
        default: rc = mlops__bind_text(c, st, idx, NULL); break;
        }
    }
    return rc;
}

void mlops__value_clear(mlops__value *v)
{
    free(v->s);
    memset(v, 0, sizeof *v);
}
