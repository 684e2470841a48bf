#include "cas/spans.h"
#include "store/store_internal.h"
#include "util/err.h"

#include <string.h>

int mlops__spans_load(mlops__conn *c, const mlops_digest *d, const mlops__content *ct,
                      uint64_t from, mlops__span *out, size_t max, size_t *n)
{
    *n = 0;
    if (!ct->has_manifest) {
        if (max && from < ct->size) {
            out[0].offset = 0;
            out[0].size = ct->size;
            out[0].digest = *d;
            *n = 1;
        }
        return MLOPS_OK;
    }
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT pos, size, chunk FROM cas_chunk WHERE blob = ?1 AND "
                              "pos >= (SELECT max(pos) FROM cas_chunk "
                              "           WHERE blob = ?1 AND pos <= ?2) "
                              "ORDER BY pos LIMIT ?3",
                              &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, d->bytes, 32);
    if (!rc) rc = mlops__bind_int64(c, st, 2, (int64_t)from);
    if (!rc) rc = mlops__bind_int64(c, st, 3, (int64_t)max);
    if (rc) return rc;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        mlops__span *sp = &out[(*n)++];
        sp->offset = (uint64_t)mlops__col_int64(st, 0);
        sp->size = (uint64_t)mlops__col_int64(st, 1);
        if (mlops__col_bytes(st, 2) != 32) {
            mlops__reset(st);
            return mlops__err(MLOPS_ECORRUPT, "a chunk row of a blob has a malformed digest");
        }
        memcpy(sp->digest.bytes, mlops__col_blob(st, 2), 32);
    }
    mlops__reset(st);
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "listing chunks");
    return MLOPS_OK;
}

int mlops__spans_max_size(mlops__conn *c, const mlops_digest *d, const mlops__content *ct,
                          uint64_t *out)
{
    if (!ct->has_manifest) {
        *out = ct->size;
        return MLOPS_OK;
    }
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT max(size) FROM cas_chunk WHERE blob = ?1", &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, d->bytes, 32);
    if (rc) return rc;
    int step = mlops__step(st);
    *out = step == MLOPS__ROW ? (uint64_t)mlops__col_int64(st, 0) : 0;
    mlops__reset(st);
    if (step != MLOPS__ROW) return mlops__conn_error(c, step, "sizing chunks");
    return MLOPS_OK;
}

void mlops__spans_prefetch(mlops_store *s, const mlops__span *spans, size_t n)
{
    mlops__objects *be = s->objects;
    if (!be->prefetch || n < 2) return; /* one object: the read itself fetches it */
    mlops_digest d[64];
    while (n) {
        size_t k = n < 64 ? n : 64;
        for (size_t i = 0; i < k; i++) d[i] = spans[i].digest;
        be->prefetch(be, d, k);
        spans += k;
        n -= k;
    }
}
