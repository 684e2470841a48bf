#include "cas/fetch.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FETCHERS 8

struct fetch_state {
    mlops__fetch *f;
    pthread_mutex_t mu;
    mlops__span_list list;
    uint64_t handed; /* end of the last span handed out: the next must start there */
    int err;
    char errmsg[1024];
    /* A whole read: the blob's hash, fed in order by whichever worker
     * holds the span that starts at `hashed`; the others wait on cv. */
    pthread_cond_t cv;
    mlops__sha256 sha;
    uint64_t hashed;
};

/* Under the lock: the next span to read, or 0 at the end. */
static int take_span(struct fetch_state *st, mlops__span *out, int *have)
{
    mlops__fetch *f = st->f;
    int rc = mlops__span_list_next(&st->list, out, have);
    if (rc) return rc;
    if (*have) {
        /* Spans must tile the range: no gap, no overlap (a gap would hand
         * out bytes nobody verified). */
        int first = st->handed == 0 && out->offset <= f->from;
        if ((first && out->offset + out->size <= f->from && f->to > f->from) ||
            (!first && out->offset != st->handed))
            return mlops__err(MLOPS_ECORRUPT, "the chunk list of a blob has a gap or overlap "
                                              "at byte %llu",
                              (unsigned long long)out->offset);
        st->handed = out->offset + out->size;
    } else if (st->handed < f->to && f->to > f->from) {
        return mlops__err(MLOPS_ECORRUPT, "the chunks of a blob end at byte %llu, before %llu",
                          (unsigned long long)st->handed, (unsigned long long)f->to);
    }
    return MLOPS_OK;
}

static void record(struct fetch_state *st, int rc)
{
    if (st->err) return;
    st->err = rc;
    snprintf(st->errmsg, sizeof st->errmsg, "%s", mlops__err_message());
    pthread_cond_broadcast(&st->cv); /* a worker waiting for its turn stops */
}

/* A whole read: adds a span's bytes to the blob's hash once every span
 * before it is in. Spans are handed out in order, so the worker holding
 * the earliest span never waits and the others follow it. */
static int hash_in_order(struct fetch_state *st, const mlops__span *sp,
                         const unsigned char *data)
{
    pthread_mutex_lock(&st->mu);
    while (!st->err && st->hashed != sp->offset) pthread_cond_wait(&st->cv, &st->mu);
    int stop = st->err;
    pthread_mutex_unlock(&st->mu);
    if (stop) return MLOPS_OK; /* the run failed already: its error is recorded */
    int rc = mlops__sha256_update(&st->sha, data, (size_t)sp->size);
    pthread_mutex_lock(&st->mu);
    st->hashed += sp->size;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
    return rc;
}

static void fetch_main(void *arg)
{
    struct fetch_state *st = arg;
    mlops__fetch *f = st->f;
    mlops__obj_reader *r = NULL;
    unsigned char *buf = NULL;
    size_t cap = 0;
    int rc = mlops__obj_reader_new(&r);
    for (;;) {
        mlops__span sp;
        int have = 0;
        pthread_mutex_lock(&st->mu);
        if (rc) record(st, rc);
        if (!st->err) {
            rc = take_span(st, &sp, &have);
            if (rc) record(st, rc);
        }
        pthread_mutex_unlock(&st->mu);
        if (!have || rc) break;
        unsigned char *dst = f->dest ? f->dest(f->ctx, &sp) : NULL;
        const unsigned char *data = dst;
        mlops__obj_in *held = NULL;
        if (dst)
            rc = f->whole ? mlops__object_decode(f->s, r, &sp.digest, dst, sp.size)
                          : mlops__object_read(f->s, r, &sp.digest, dst, sp.size);
        else /* the worker's buffer, or in place where the backend holds the object */
            rc = mlops__object_load(f->s, r, &sp.digest, (size_t)sp.size, !f->whole, &buf, &cap,
                                    &data, &held);
        if (!rc) rc = f->done(f->ctx, &sp, data);
        if (!rc && f->whole) rc = hash_in_order(st, &sp, data);
        mlops__object_release(f->s, held);
    }
    free(buf);
    mlops__obj_reader_free(r);
}

static int run(mlops__fetch *f)
{
    struct fetch_state st = {0};
    st.f = f;
    mlops__span_list_init(&st.list, f->s, f->conn, f->d, f->ct, f->from, f->to);
    int rc = f->whole ? mlops__sha256_init(&st.sha) : MLOPS_OK;
    if (rc) return rc;
    pthread_mutex_init(&st.mu, NULL);
    pthread_cond_init(&st.cv, NULL);
    unsigned want = f->s->threads < 1 ? 1 : f->s->threads;
    if (want > MAX_FETCHERS) want = MAX_FETCHERS;
    if (!f->ct->has_manifest) want = 1; /* one object: no one to share with */
    /* The calling thread is one of the fetchers. A fetcher waits only for
     * spans taken before its own, so helpers are never needed. */
    mlops__pool_run(mlops__pool_threads(want), fetch_main, &st);
    pthread_cond_destroy(&st.cv);
    pthread_mutex_destroy(&st.mu);
    if (st.err) rc = mlops__err(st.err, "%s", st.errmsg);
    if (!rc && f->whole) {
        mlops_digest got;
        rc = mlops__sha256_final(&st.sha, &got);
        if (!rc && (st.hashed != f->ct->size || memcmp(got.bytes, f->d->bytes, 32) != 0))
            f->mismatch = 1;
    }
    if (f->whole) mlops__sha256_free(&st.sha);
    return rc;
}

static int no_op(void *ctx, const mlops__span *sp, const unsigned char *data)
{
    (void)ctx, (void)sp, (void)data;
    return MLOPS_OK;
}

int mlops__fetch_run(mlops__fetch *f)
{
    f->mismatch = 0;
    int rc = run(f);
    if (rc || !f->mismatch) return rc;
    /* The bytes are not the blob's. A damaged object is the usual cause:
     * a pass that verifies each chunk names it. When every chunk is sound,
     * the store's list of them (its database rows) is wrong. */
    mlops__fetch check = *f;
    check.dest = NULL;
    check.done = no_op;
    check.whole = 0;
    rc = run(&check);
    if (rc) {
        f->mismatch = 0; /* a damaged object, named by rc's message */
        return rc;
    }
    char ds[MLOPS_DIGEST_STRLEN];
    return mlops__err(MLOPS_ECORRUPT,
                      "blob %s is corrupt: its chunks are sound but do not hash to its digest "
                      "(the store's list of its chunks was changed)",
                      mlops__digest_str(f->d, ds));
}

int mlops__fetch_file_write(void *ctx, const mlops__span *sp, const unsigned char *data)
{
    mlops__fetch_file *f = ctx;
    int rc = mlops__pwrite_all(f->fd, data, (size_t)sp->size, sp->offset, f->name);
    if (rc || !f->write_out) return rc;
    uint64_t after = __atomic_add_fetch(&f->written, sp->size, __ATOMIC_RELAXED);
    if (mlops__write_out_due(after - sp->size, after)) mlops__write_out_start(f->fd);
    return MLOPS_OK;
}
