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

void mlops__span_list_init(mlops__span_list *l, mlops_store *s, mlops__conn *c,
                           const mlops_digest *d, const mlops__content *ct, uint64_t from,
                           uint64_t to)
{
    memset(l, 0, sizeof *l);
    l->s = s;
    l->conn = c;
    l->d = d;
    l->ct = ct;
    l->to = to;
    l->cursor = from;
}

/* Lists the batch after what is listed into batch[which] and announces
 * the spans of it that the range needs. */
static int list_batch(mlops__span_list *l, unsigned which)
{
    mlops__span *b = l->batch[which];
    l->n[which] = 0;
    if (l->cursor >= l->to) return MLOPS_OK;
    int rc = mlops__spans_load(l->conn, l->d, l->ct, l->cursor, b, MLOPS__SPAN_BATCH,
                               &l->n[which]);
    if (rc || !l->n[which]) return rc;
    uint64_t end = b[l->n[which] - 1].offset + b[l->n[which] - 1].size;
    /* Each batch starts with the span that covers the cursor, so a sound
     * list always moves on; rows that do not would be listed forever. */
    if (end <= l->cursor)
        return mlops__err(MLOPS_ECORRUPT, "the chunk list of a blob does not advance "
                                          "past byte %llu",
                          (unsigned long long)l->cursor);
    l->cursor = end;
    size_t needed = 0;
    while (needed < l->n[which] && b[needed].offset < l->to) needed++;
    mlops__spans_prefetch(l->s, b, needed);
    return MLOPS_OK;
}

int mlops__span_list_next(mlops__span_list *l, mlops__span *out, int *have)
{
    *have = 0;
    if (l->ended) return MLOPS_OK;
    if (l->next == l->n[l->cur]) {
        int rc = l->ahead ? MLOPS_OK : list_batch(l, l->cur ^ 1u);
        if (rc) return rc;
        l->cur ^= 1u;
        l->next = 0;
        l->ahead = 0;
    }
    const mlops__span *b = l->batch[l->cur];
    if (l->next == l->n[l->cur] || b[l->next].offset >= l->to) {
        l->ended = 1;
        return MLOPS_OK;
    }
    if (!l->ahead && l->n[l->cur] == MLOPS__SPAN_BATCH && l->next >= MLOPS__SPAN_BATCH / 2) {
        int rc = list_batch(l, l->cur ^ 1u);
        if (rc) return rc;
        l->ahead = 1;
    }
    *out = b[l->next++];
    *have = 1;
    return MLOPS_OK;
}
