/* Bound parameters of compiled searches. */
#include "track/search_internal.h"

#include <stdlib.h>
#include <string.h>

static int push(mlops__binds *b, const mlops__value *v)
{
    if (b->failed) return 0;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        mlops__value *grown = realloc(b->v, cap * sizeof *grown);
        if (!grown) {
            b->failed = 1;
            return 0;
        }
        b->v = grown;
        b->cap = cap;
    }
    b->v[b->n++] = *v;
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
    int n = push(b, &x);
    if (!n) free(copy);
    return n;
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
    memset(b, 0, sizeof *b);
}

int mlops__binds_apply(mlops__conn *c, const mlops__binds *b, sqlite3_stmt *st)
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
