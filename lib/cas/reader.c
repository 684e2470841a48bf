/* The streaming reader: chunks are decoded and verified ahead of the
 * caller, in order, into a small ring of buffers sized so that a reader
 * holds well under 16 MiB whatever the blob's size. The pool's helpers
 * decode, and so does the caller's thread whenever the chunk it needs is
 * not ready yet, so every thread the limit allows stays busy.
 * Verified chunks prove only that they are the chunks the store lists, so
 * the reader also hashes the whole blob as it goes and fails the read
 * that reaches the end, before the last chunk's bytes are handed out,
 * when the blob does not match its digest.
 * Where the CPU can hash two streams at once (util/sha256_pair.h), a
 * decoded chunk is checked against its digest and fed to the blob's in
 * one pass, in order, by whichever thread is free first (a helper or the
 * caller), and the caller hands out only checked chunks: the same two
 * checks as before for the CPU time of about one, spread over the
 * threads as before.
 * A chunk the object backend holds in memory (S3's fetched objects, raw)
 * is checked and copied out where it is (mlops__object_load), and the
 * object is closed once the caller has all of it. */
#include "cas/spans.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/pool.h"
#include "util/sha256_pair.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RSLOTS 6
/* What the ring and the workers may hold. */
#define MEMORY_BUDGET (14u * 1024u * 1024u)

enum { RS_EMPTY, RS_LOADING, RS_READY };

struct rslot {
    unsigned char *buf; /* the slot's own, for chunks decoded here */
    size_t cap;
    const unsigned char *data; /* READY: the chunk's bytes, in buf or in held */
    mlops__obj_in *held; /* an object the backend holds in memory, read in place */
    mlops__span sp;
    uint64_t seq;
    int state;
    int checked; /* fused: the chunk's digest and the blob's pass are done */
};

struct mlops_blob_reader {
    mlops_store *s;
    mlops__conn *conn; /* lists chunks; used under mu */
    mlops_digest d;
    mlops__content ct;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct rslot slots[MAX_RSLOTS];
    unsigned nslots;
    mlops__span_list list; /* used under mu */
    uint64_t handed;   /* end of the last span handed to a worker */
    int listed_all;    /* every span has been handed to a worker */
    uint64_t issued;   /* spans handed to workers */
    uint64_t consumed; /* spans the caller has finished */
    size_t curoff;     /* position in the current span */
    uint64_t pos;      /* bytes returned so far */
    mlops__pool_job job; /* helpers decoding ahead */
    unsigned nthreads;   /* helpers wanted */
    int started;
    mlops__obj_reader *own; /* the caller's, when it decodes itself */
    int closing;
    int err;
    char errmsg[1024];
    mlops__sha256 sha; /* the whole blob, fed by the caller's thread */
    uint64_t hashed;   /* bytes fed: the spans begun by the caller */
    int proven;        /* the whole blob matched its digest */
    int fused;         /* chunks checked by the caller, with blob2 (see the top) */
    mlops__sha256s blob2; /* the whole blob's hash when fused, instead of sha */
    uint64_t checked;     /* fused: spans checked so far, in order */
    int check_busy;       /* fused: a thread is checking span `checked` */
    const char *fn;    /* the public function the workers report for */
};

static void fail_locked(mlops_blob_reader *r, int rc)
{
    if (r->err) return;
    r->err = rc;
    snprintf(r->errmsg, sizeof r->errmsg, "%s", mlops__err_message());
    pthread_cond_broadcast(&r->cv);
}

/* Under the lock: the next span, listing a new batch when needed. */
static int next_span(mlops_blob_reader *r, mlops__span *out, int *have)
{
    int rc = mlops__span_list_next(&r->list, out, have);
    if (rc || !*have) return rc;
    if (out->offset != r->handed)
        return mlops__err(MLOPS_ECORRUPT, "%s: the chunk list of the blob "
                                          "has a gap or overlap at byte %llu",
                          r->fn, (unsigned long long)out->offset);
    r->handed = out->offset + out->size;
    return MLOPS_OK;
}

static int check_locked(mlops_blob_reader *r);

/* Under the lock: hands the next span to the next slot and decodes it
 * there (without the lock meanwhile). Returns 0 when the slot is still in
 * use, 1 when it made progress (or found the end, or failed). */
static int step_locked(mlops_blob_reader *r, mlops__obj_reader *or)
{
    struct rslot *sl = &r->slots[r->issued % r->nslots];
    if (sl->state != RS_EMPTY) return 0;
    mlops__span sp;
    int have = 0;
    int rc = next_span(r, &sp, &have);
    if (rc) {
        fail_locked(r, rc);
        return 1;
    }
    if (!have) {
        r->listed_all = 1;
        pthread_cond_broadcast(&r->cv);
        return 1;
    }
    {
        sl->state = RS_LOADING;
        sl->checked = 0;
        sl->seq = r->issued++;
        sl->sp = sp;
        pthread_mutex_unlock(&r->mu);
        /* Fused, the chunk's digest is checked with the blob's pass;
         * else here. */
        rc = mlops__object_load(r->s, or, &sp.digest, (size_t)sp.size, !r->fused, &sl->buf,
                                &sl->cap, &sl->data, &sl->held);
        pthread_mutex_lock(&r->mu);
        if (rc) fail_locked(r, rc);
        sl->state = RS_READY;
        pthread_cond_broadcast(&r->cv);
    }
    return 1;
}

/* A pool helper: decodes ahead of the caller until the reader closes. */
static void prefetch_main(void *arg)
{
    mlops_blob_reader *r = arg;
    mlops__obj_reader *or = NULL;
    int rc = mlops__obj_reader_new(&or);
    pthread_mutex_lock(&r->mu);
    if (rc) fail_locked(r, rc);
    while (!r->closing && !r->err &&
           (!r->listed_all || (r->fused && r->checked < r->issued)))
        if (!check_locked(r) && (r->listed_all || !step_locked(r, or)))
            pthread_cond_wait(&r->cv, &r->mu);
    pthread_mutex_unlock(&r->mu);
    mlops__obj_reader_free(or);
}

/* What each worker holds besides the ring: an object reader (its read
 * buffer, zstd's context and input block), generously. */
#define WORKER_OVERHEAD (768u * 1024u)

/* Sizes the ring: each slot holds a decoded chunk. Every thread the job
 * may use (the helpers and the caller, which decodes too rather than
 * wait) decodes into a slot of its own while the caller copies out of
 * another, and a slot more keeps a chunk ready for when the caller's turn
 * to decode and its copying meet. */
static void size_ring(mlops_blob_reader *r, uint64_t max_span)
{
    unsigned threads = mlops__pool_threads(r->s->threads);
    if (threads > MAX_RSLOTS - 2) threads = MAX_RSLOTS - 2;
    uint64_t per = max_span ? max_span : 1;
    /* slots * per + (slots - 1) * overhead <= budget */
    uint64_t fit = (MEMORY_BUDGET + WORKER_OVERHEAD) / (per + WORKER_OVERHEAD);
    unsigned want = threads + 2;
    unsigned slots = fit < 2 ? 2 : fit > want ? want : (unsigned)fit;
    if (!r->ct.has_manifest) slots = 2; /* one object: one worker, one slot in use */
    r->nslots = slots;
    /* The caller is one of the threads; the helpers never outnumber the
     * slots besides the one it copies out of. */
    r->nthreads = threads - 1 < slots - 1 ? threads - 1 : slots - 1;
}

MLOPS_API int mlops_blob_reader_open(mlops_store *s, const mlops_digest *d,
                                     mlops_blob_reader **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!d) return mlops__err_null(__func__, "d");
    if (!out) return mlops__err_null(__func__, "out");
    mlops_blob_reader *r = calloc(1, sizeof *r);
    if (!r) return mlops__err_nomem(__func__);
    r->s = s;
    r->d = *d;
    uint64_t max_span = 0;
    int rc = mlops__sha256_init(&r->sha);
    if (rc) {
        free(r);
        return rc;
    }
    rc = mlops__store_conn(s, &r->conn);
    if (!rc) rc = mlops__content_get(r->conn, __func__, d, &r->ct);
    if (!rc) rc = mlops__spans_max_size(r->conn, d, &r->ct, &max_span);
    if (rc) {
        mlops__store_release(s, r->conn);
        mlops__sha256_free(&r->sha);
        free(r);
        return rc;
    }
    size_ring(r, max_span);
    mlops__span_list_init(&r->list, s, r->conn, &r->d, &r->ct, 0, r->ct.size);
    r->fused = mlops__sha256_pair_available();
    mlops__sha256s_init(&r->blob2);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    *out = r;
    return MLOPS_OK;
}

/* Helpers decode ahead when the limit gives the pool workers; with none
 * (limit 1, or all busy) the caller decodes every chunk itself. */
static int start(mlops_blob_reader *r, const char *fn)
{
    r->fn = fn;
    int rc = mlops__obj_reader_new(&r->own);
    if (rc) return rc;
    mlops__pool_start(&r->job, r->nthreads, prefetch_main, r);
    r->started = 1;
    return MLOPS_OK;
}

/* Adds a span the caller is about to begin (sp: NULL for an empty blob)
 * to the whole blob's hash, checking the chunk's own digest in the same
 * pass when fused; at the last one, checks the blob's digest. */
static int hash_span(mlops_blob_reader *r, const char *fn, const mlops__span *sp,
                     const unsigned char *data, uint64_t size)
{
    int rc = MLOPS_OK;
    if (r->fused && sp) {
        mlops__sha256s chunk;
        mlops_digest got;
        mlops__sha256s_init(&chunk);
        mlops__sha256s_update_pair(&chunk, &r->blob2, data, (size_t)size);
        mlops__sha256s_final(&chunk, &got);
        rc = mlops__object_check_digest(r->s, &sp->digest, &got);
    } else if (r->fused) {
        mlops__sha256s_update(&r->blob2, data, (size_t)size);
    } else {
        rc = mlops__sha256_update(&r->sha, data, (size_t)size);
    }
    r->hashed += size;
    if (rc || r->hashed < r->ct.size) return rc;
    mlops_digest whole;
    if (r->fused) mlops__sha256s_final(&r->blob2, &whole);
    else if ((rc = mlops__sha256_final(&r->sha, &whole)) != MLOPS_OK) return rc;
    if (r->hashed != r->ct.size || memcmp(whole.bytes, r->d.bytes, 32) != 0) {
        char ds[MLOPS_DIGEST_STRLEN];
        return mlops__err(MLOPS_ECORRUPT,
                          "%s: blob %s is corrupt: its chunks are sound "
                          "but do not hash to its digest (the store's list of its chunks was "
                          "changed)",
                          fn, mlops__digest_str(&r->d, ds));
    }
    r->proven = 1;
    return MLOPS_OK;
}

/* Under the lock, fused: checks the next span in order when it is decoded
 * and nobody is checking it (without the lock meanwhile). Returns 1 when
 * it did. */
static int check_locked(mlops_blob_reader *r)
{
    if (!r->fused || r->check_busy || r->err || r->checked >= r->issued) return 0;
    struct rslot *sl = &r->slots[r->checked % r->nslots];
    if (sl->state != RS_READY || sl->seq != r->checked || sl->checked) return 0;
    r->check_busy = 1;
    pthread_mutex_unlock(&r->mu);
    int rc = hash_span(r, r->fn, &sl->sp, sl->data, sl->sp.size);
    pthread_mutex_lock(&r->mu);
    if (rc) fail_locked(r, rc); /* later reads fail too, never hand out the rest */
    sl->checked = 1;
    r->checked++;
    r->check_busy = 0;
    pthread_cond_broadcast(&r->cv);
    return 1;
}

MLOPS_API int mlops_blob_reader_read(mlops_blob_reader *r, void *buf, size_t cap, size_t *got)
{
    if (got) *got = 0;
    if (!r) return mlops__err_null(__func__, "r");
    if (!buf && cap) return mlops__err_null(__func__, "buf");
    if (!got) return mlops__err_null(__func__, "got");
    /* An empty blob has no span to hash: its end is reached at once. */
    if (r->ct.size == 0 && !r->proven) {
        int rc = hash_span(r, __func__, NULL, NULL, 0);
        if (rc) return rc;
    }
    if (r->pos >= r->ct.size || !cap) return MLOPS_OK;
    if (!r->started) {
        int rc = start(r, __func__);
        if (rc) return rc;
    }
    unsigned char *dst = buf;
    size_t done = 0;
    int rc = MLOPS_OK;
    pthread_mutex_lock(&r->mu);
    while (done < cap && r->pos < r->ct.size) {
        struct rslot *sl = &r->slots[r->consumed % r->nslots];
        if (r->err) {
            rc = r->err;
            break;
        }
        if (sl->state != RS_READY || sl->seq != r->consumed || (r->fused && !sl->checked)) {
            if (check_locked(r)) continue;
            if (r->listed_all && r->consumed == r->issued) {
                rc = mlops__err(MLOPS_ECORRUPT,
                                "%s: the chunks of the blob end before "
                                "its size", __func__);
                break;
            }
            /* Decode the next chunk nobody has taken here rather than
             * wait: the one we need when no helper took it, else one
             * ahead, while a helper finishes ours. So the caller's thread
             * shares the decoding with the helpers, and the threads the
             * limit allows all stay busy. */
            if (r->listed_all || !step_locked(r, r->own)) pthread_cond_wait(&r->cv, &r->mu);
            continue;
        }
        /* The bytes in a READY slot were verified by the worker, or (fused)
         * checked by check_locked. */
        pthread_mutex_unlock(&r->mu);
        if (!r->fused && r->curoff == 0 && r->hashed == sl->sp.offset &&
            (rc = hash_span(r, __func__, &sl->sp, sl->data, sl->sp.size)) != MLOPS_OK) {
            pthread_mutex_lock(&r->mu);
            fail_locked(r, rc); /* later reads fail too, never hand out the rest */
            break;
        }
        size_t avail = (size_t)sl->sp.size - r->curoff;
        size_t k = cap - done < avail ? cap - done : avail;
        memcpy(dst + done, sl->data + r->curoff, k);
        done += k;
        r->curoff += k;
        r->pos += k;
        if (r->curoff == sl->sp.size) { /* the slot is the caller's until it is EMPTY */
            mlops__object_release(r->s, sl->held);
            sl->held = NULL;
            sl->data = NULL;
        }
        pthread_mutex_lock(&r->mu);
        if (r->curoff == sl->sp.size) {
            sl->state = RS_EMPTY;
            r->consumed++;
            r->curoff = 0;
            pthread_cond_broadcast(&r->cv);
        }
    }
    if (rc && r->err == rc) rc = mlops__err(r->err, "%s", r->errmsg);
    pthread_mutex_unlock(&r->mu);
    *got = done;
    return rc;
}

MLOPS_API int mlops_blob_reader_size(const mlops_blob_reader *r, uint64_t *size)
{
    if (!r) return mlops__err_null(__func__, "r");
    if (!size) return mlops__err_null(__func__, "size");
    *size = r->ct.size;
    return MLOPS_OK;
}

MLOPS_API void mlops_blob_reader_close(mlops_blob_reader *r)
{
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    r->closing = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    if (r->started) mlops__pool_finish(&r->job);
    mlops__obj_reader_free(r->own);
    for (unsigned i = 0; i < MAX_RSLOTS; i++) {
        mlops__object_release(r->s, r->slots[i].held);
        free(r->slots[i].buf);
    }
    mlops__sha256_free(&r->sha);
    mlops__store_release(r->s, r->conn);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r);
}
