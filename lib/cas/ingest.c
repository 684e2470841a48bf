#include "cas/ingest.h"
#include "cas/chunker.h"
#include "cas/keymap.h"
#include "cas/manifest.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/pool.h"
#include "util/sha256_pair.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes placed at a time before looking for boundaries: what may have to
 * be copied again into the next chunk's buffer when a cut falls inside. */
#define PIECE (128u * 1024u)
#define MAX_WORKERS 8
#define MAX_SLOTS (2 * MAX_WORKERS + 2)
/* Chunk files written and waiting for their fsync and rename: bounds the
 * open files and the data not yet on disk. */
#define STAGE_QUEUE 32
/* ... and their bytes, which a backend may hold in memory until placed
 * (S3 keeps each staged object for its PUT): 32 chunks of the default
 * 512 KiB average are about 20 MiB, but 32 of the largest would be
 * 128 MiB. One object is always let in. */
#define STAGE_BYTES (24u << 20)

enum { SLOT_FREE, SLOT_FILLING, SLOT_READY };

struct slot {
    unsigned char *buf;        /* owned, capacity max + PIECE (copy mode) */
    const unsigned char *data; /* the chunk's bytes: buf, or the caller's memory */
    size_t len;
    size_t scan; /* bytes of buf already seen by the chunker */
    uint64_t seq;
    int state;
    int taken, worked, hashed;
    mlops_digest digest;
};

struct worker {
    mlops__ingest *ig;
    mlops__conn *conn;
    mlops__obj_writer *ow;
    mlops__sha256 sha;
};

struct mlops__ingest {
    mlops_store *s;
    const char *func;
    size_t cap; /* slot buffer capacity */
    pthread_mutex_t mu;
    pthread_cond_t cv; /* broadcast on every state change */
    pthread_mutex_t db_mu; /* one worker at a time takes the write lock */
    struct slot slots[MAX_SLOTS];
    unsigned nslots;
    struct slot *cur;  /* copy mode: the slot being filled */
    uint64_t acquired; /* slots handed out so far = next seq */
    uint64_t retired;  /* slots whose results were collected, in order */
    uint64_t hashed;   /* slots hashed into the blob's digest, in order */
    mlops__cdc cdc;
    int chunked;
    uint64_t total;

    mlops__chunk_ref *chunks; /* results in order (producer-owned) */
    size_t nchunks, capchunks;
    mlops__placed *placed; /* objects this put wrote or found in place */
    /* Chunk digests this put has taken on (under mu): a repeat is neither
     * looked up nor written again, so a file of one repeated block stages
     * one copy in tmp/, not one per repeat. */
    mlops__keymap claimed;
    size_t nplaced, capplaced;
    mlops__removals_seen seen; /* before anything was placed */
    /* Written by workers, made durable and renamed into place later: by
     * the I/O helper when there is one (see start_io), else by whichever
     * thread has no chunk to work on, so that a worker rarely waits for
     * the disk while there is hashing to do. */
    mlops__staged stage[STAGE_QUEUE];
    size_t stage_head, stage_count;
    uint64_t stage_bytes; /* stored bytes of the queued objects */
    unsigned placing; /* staged objects being placed */
    pthread_t io;
    int io_started, io_closing;
    int finishing; /* the producer has handed out its last chunk */
    mlops__pool_job job;
    int pool_started;

    int whole_busy; /* someone is hashing slot `hashed` into the blob's digest */
    /* Pool threads, then the producer's own context (used when it helps). */
    struct worker workers[MAX_WORKERS + 1];
    unsigned nworkers, started;
    int helper_ready;
    int closing;
    int err;
    char errmsg[1024];
    mlops__sha256 whole;
    /* Where the CPU hashes two streams at once (util/sha256_pair.h): the
     * blob's digest, and the thread that hashes a chunk into it computes
     * that chunk's digest in the same pass; workers take only chunks whose
     * digest is known, so every chunk is hashed once, in that pass. */
    int fused;
    mlops__sha256s whole2;
};

/* ---- errors across threads ------------------------------------------------
 * Messages are thread-local: a worker's failure is copied here and set
 * again on the caller's thread. */

static void fail_locked(mlops__ingest *ig, int rc)
{
    if (ig->err) return;
    ig->err = rc;
    snprintf(ig->errmsg, sizeof ig->errmsg, "%s", mlops__err_message());
    pthread_cond_broadcast(&ig->cv);
}

static void fail(mlops__ingest *ig, int rc)
{
    pthread_mutex_lock(&ig->mu);
    fail_locked(ig, rc);
    pthread_mutex_unlock(&ig->mu);
}

static int reraise(mlops__ingest *ig)
{
    return mlops__err(ig->err, "%s", ig->errmsg);
}

/* ---- worker threads --------------------------------------------------------- */

/* A chunk the store already has (row and file) is reused: refreshing its
 * row in a write transaction both confirms it and keeps gc off it until
 * this put commits. */
static int chunk_reused(struct worker *w, const mlops_digest *d, int *reused)
{
    mlops__conn *c = w->conn;
    mlops__stmt *st;
    int yes = 0;
    *reused = 0;
    int rc = mlops__object_recorded(c, d, &yes);
    if (!rc && yes) rc = mlops__object_present(w->ig->s, d, &yes);
    if (rc || !yes) return rc;
    rc = mlops__conn_stmt(c,
                          "UPDATE cas_object SET touched_ms = "
                          "CASE WHEN touched_ms < ?2 THEN ?2 ELSE touched_ms END "
                          "WHERE digest = ?1",
                          &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, d->bytes, 32);
    if (!rc) rc = mlops__bind_int64(c, st, 2, mlops__now_ms());
    /* Our own workers take turns for the write lock here instead of
     * meeting in SQLite's busy handler, which sleeps. */
    pthread_mutex_lock(&w->ig->db_mu);
    if (!rc) rc = mlops__conn_step_done(c, st, "refreshing a chunk");
    if (!rc) *reused = mlops__conn_changes(c) > 0;
    pthread_mutex_unlock(&w->ig->db_mu);
    return rc;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem);

static int place_one_locked(mlops__ingest *ig);

/* Queues a written chunk file to be placed, placing older ones first
 * while the queue is full. */
static int enqueue_staged(mlops__ingest *ig, mlops__staged *st)
{
    pthread_mutex_lock(&ig->mu);
    while ((ig->stage_count == STAGE_QUEUE ||
            (ig->stage_count && ig->stage_bytes + st->stored > STAGE_BYTES)) &&
           !ig->err)
        place_one_locked(ig);
    int rc = ig->err;
    if (!rc) {
        ig->stage[(ig->stage_head + ig->stage_count) % STAGE_QUEUE] = *st;
        ig->stage_count++;
        ig->stage_bytes += st->stored;
        pthread_cond_broadcast(&ig->cv);
    }
    pthread_mutex_unlock(&ig->mu);
    if (rc) mlops__staged_discard(st);
    return MLOPS_OK; /* the error is already recorded */
}

/* Sets *first when this put had not met chunk d before. The first one
 * to meet it stores it (or finds it stored) before the put commits, and a
 * failure there fails the whole put, so the others can skip it. */
static int chunk_claim(mlops__ingest *ig, const mlops_digest *d, int *first)
{
    pthread_mutex_lock(&ig->mu);
    int rc = mlops__keymap_add(&ig->claimed, d->bytes, 0, first);
    pthread_mutex_unlock(&ig->mu);
    return rc;
}

/* Works a chunk whose digest is known (hashed: 1) or computed here. */
static int process_chunk(struct worker *w, struct slot *sl, int hashed)
{
    int rc = MLOPS_OK;
    if (!hashed) rc = mlops__sha256_update(&w->sha, sl->data, sl->len);
    if (!rc && !hashed) rc = mlops__sha256_final(&w->sha, &sl->digest);
    int first = 0;
    if (!rc) rc = chunk_claim(w->ig, &sl->digest, &first);
    if (rc || !first) return rc;
    int reused = 0;
    rc = chunk_reused(w, &sl->digest, &reused);
    if (rc || reused) return rc;
    mlops__staged st;
    rc = mlops__object_stage(w->ig->s, w->ow, &sl->digest, sl->data, sl->len, &st);
    return rc ? rc : enqueue_staged(w->ig, &st);
}

/* Makes the oldest staged object durable and renames it into place.
 * Called and returns with ig->mu held; returns 1 when it did one. */
static int place_one_locked(mlops__ingest *ig)
{
    if (!ig->stage_count) return 0;
    mlops__staged st = ig->stage[ig->stage_head];
    ig->stage_head = (ig->stage_head + 1) % STAGE_QUEUE;
    ig->stage_count--;
    ig->stage_bytes -= st.stored;
    ig->placing++;
    int skip = ig->err != 0;
    pthread_mutex_unlock(&ig->mu);
    mlops__placed p;
    int rc = MLOPS_OK;
    if (skip) mlops__staged_discard(&st);
    else rc = mlops__object_place(ig->s, &st, &p);
    pthread_mutex_lock(&ig->mu);
    if (!rc && !skip) {
        rc = grow((void **)&ig->placed, &ig->capplaced, ig->nplaced + 1, sizeof *ig->placed);
        if (!rc) ig->placed[ig->nplaced++] = p;
        else mlops__placed_clear(&p);
    }
    if (rc) fail_locked(ig, rc);
    ig->placing--;
    pthread_cond_broadcast(&ig->cv);
    return 1;
}

static int worker_setup(struct worker *w)
{
    mlops_store *s = w->ig->s;
    int rc = mlops__store_conn(s, &w->conn);
    if (!rc && s->opts.durability == MLOPS_DURABILITY_FULL)
        /* Refreshing a reused chunk need not reach the disk: the put is
         * not acknowledged before its own commit. */
        rc = mlops__conn_set_commit_sync(w->conn, 0);
    if (!rc) rc = mlops__obj_writer_new(s, &w->ow);
    if (!rc) rc = mlops__sha256_init(&w->sha);
    return rc;
}

static void worker_teardown(struct worker *w)
{
    mlops_store *s = w->ig->s;
    if (w->conn) {
        if (s->opts.durability == MLOPS_DURABILITY_FULL)
            (void)mlops__conn_set_commit_sync(w->conn, 1);
        mlops__store_release(s, w->conn);
    }
    mlops__obj_writer_free(w->ow);
    mlops__sha256_free(&w->sha);
}

static struct slot *next_work_locked(mlops__ingest *ig)
{
    struct slot *best = NULL;
    for (unsigned i = 0; i < ig->nslots; i++) {
        struct slot *sl = &ig->slots[i];
        if (sl->state == SLOT_READY && !sl->taken && (!ig->fused || sl->hashed) &&
            (!best || sl->seq < best->seq))
            best = sl;
    }
    return best;
}

/* The slot whose bytes come next in the blob's digest, when it is ready
 * and nobody is hashing it. */
static struct slot *next_whole_locked(mlops__ingest *ig)
{
    if (ig->whole_busy || ig->hashed >= ig->acquired) return NULL;
    struct slot *sl = &ig->slots[ig->hashed % ig->nslots];
    return sl->state == SLOT_READY && sl->seq == ig->hashed ? sl : NULL;
}

/* Does one task if there is one: the blob's digest first (it must take the
 * chunks in order, so it is the one chain that can hold everything up),
 * else the oldest chunk nobody has taken. Called and returns with ig->mu
 * held; returns 1 when it did something. w is the caller's worker
 * context, NULL when it could not be set up. */
static int help_locked(mlops__ingest *ig, struct worker *w)
{
    struct slot *sl = next_whole_locked(ig);
    if (sl) {
        ig->whole_busy = 1;
        int skip = ig->err != 0;
        /* Both digests in one pass (see fused): no worker has taken it. */
        int both = ig->fused && !skip;
        pthread_mutex_unlock(&ig->mu);
        int rc = MLOPS_OK;
        if (both) {
            mlops__sha256s chunk;
            mlops__sha256s_init(&chunk);
            mlops__sha256s_update_pair(&chunk, &ig->whole2, sl->data, sl->len);
            mlops__sha256s_final(&chunk, &sl->digest);
        } else if (!skip && ig->fused) {
            mlops__sha256s_update(&ig->whole2, sl->data, sl->len);
        } else if (!skip) {
            rc = mlops__sha256_update(&ig->whole, sl->data, sl->len);
        }
        pthread_mutex_lock(&ig->mu);
        if (rc) fail_locked(ig, rc);
        sl->hashed = 1;
        ig->hashed++;
        ig->whole_busy = 0;
        pthread_cond_broadcast(&ig->cv);
        return 1;
    }
    /* Without a context (its set-up failed, which failed the put) a
     * thread can still skip chunks, so that everyone drains. */
    sl = w || ig->err ? next_work_locked(ig) : NULL;
    /* Placing is the I/O helper's, but once the last chunk is out, an
     * idle thread lends it a hand (two fsyncs commit together). */
    if (!sl) return ig->io_started && !ig->finishing ? 0 : place_one_locked(ig);
    sl->taken = 1;
    int skip = ig->err != 0 || !w;
    pthread_mutex_unlock(&ig->mu);
    int rc = skip ? MLOPS_OK : process_chunk(w, sl, ig->fused);
    pthread_mutex_lock(&ig->mu);
    if (rc) fail_locked(ig, rc);
    sl->worked = 1;
    pthread_cond_broadcast(&ig->cv);
    return 1;
}

/* Every slot handed out has been hashed into the blob's digest and
 * worked, and every staged object placed. */
static int drained_locked(const mlops__ingest *ig)
{
    if (ig->hashed != ig->acquired || ig->stage_count || ig->placing) return 0;
    for (unsigned i = 0; i < ig->nslots; i++) {
        const struct slot *sl = &ig->slots[i];
        if (sl->state == SLOT_READY && !sl->worked) return 0;
    }
    return 1;
}

/* The I/O helper: places staged objects, oldest first, until the put
 * closes. It waits on the disk and does nothing else (no hashing, no
 * compression), which is why the thread limit does not count it
 * (doc/conventions.md, threads). */
static void *io_main(void *arg)
{
    mlops__ingest *ig = arg;
    /* Named for those who count threads (tests/test_threads.c). */
    (void)pthread_setname_np(pthread_self(), "mlops-io");
    pthread_mutex_lock(&ig->mu);
    for (;;) {
        if (place_one_locked(ig)) continue;
        if (ig->io_closing) break;
        pthread_cond_wait(&ig->cv, &ig->mu);
    }
    pthread_mutex_unlock(&ig->mu);
    return NULL;
}

/* Starts the I/O helper when the put runs in parallel (the limit and the
 * store's threads allow a worker) and objects are fsync'd. An fsync
 * blocks for as long as the disk takes to commit and flush, often longer
 * than hashing and compressing a chunk; on a working thread, that wait
 * would leave a core idle. Without the helper (at one thread, without
 * fsync, or when it cannot start) the working threads place objects. */
static void start_io(mlops__ingest *ig)
{
    if (!ig->nworkers || !mlops__store_fsync_enabled(ig->s)) return;
    ig->io_started = pthread_create(&ig->io, NULL, io_main, ig) == 0;
}

static void stop_io(mlops__ingest *ig)
{
    if (!ig->io_started) return;
    pthread_mutex_lock(&ig->mu);
    ig->io_closing = 1;
    pthread_cond_broadcast(&ig->cv);
    pthread_mutex_unlock(&ig->mu);
    pthread_join(ig->io, NULL);
    ig->io_started = 0;
}

/* A pool helper: takes a context of its own, then works until the put
 * closes and all is done. */
static void worker_main(void *arg)
{
    mlops__ingest *ig = arg;
    pthread_mutex_lock(&ig->mu);
    struct worker *w = &ig->workers[ig->started++];
    pthread_mutex_unlock(&ig->mu);
    w->ig = ig;
    int rc = worker_setup(w);
    if (rc) fail(ig, rc);
    pthread_mutex_lock(&ig->mu);
    for (;;) {
        if (help_locked(ig, rc ? NULL : w)) continue;
        if (ig->closing && drained_locked(ig)) break;
        pthread_cond_wait(&ig->cv, &ig->mu);
    }
    pthread_mutex_unlock(&ig->mu);
    worker_teardown(w);
}

/* The producer's context for helping (set up when chunking starts). */
static struct worker *helper(mlops__ingest *ig)
{
    return ig->helper_ready ? &ig->workers[MAX_WORKERS] : NULL;
}

/* The I/O helper first: the workers read io_started. */
static void start_threads(mlops__ingest *ig)
{
    start_io(ig);
    mlops__pool_start(&ig->job, ig->nworkers, worker_main, ig);
    ig->pool_started = 1;
}

/* Helpers that started stop once all is done; the others never start.
 * The I/O helper stops last: it places what the others staged. */
static void stop_threads(mlops__ingest *ig)
{
    if (!ig->pool_started) return;
    pthread_mutex_lock(&ig->mu);
    ig->closing = 1;
    pthread_cond_broadcast(&ig->cv);
    pthread_mutex_unlock(&ig->mu);
    mlops__pool_finish(&ig->job);
    ig->pool_started = 0;
    stop_io(ig);
}

/* ---- the producer ------------------------------------------------------------ */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return MLOPS_OK;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need) n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q) return mlops__err_nomem("recording chunks");
    *p = q;
    *cap = n;
    return MLOPS_OK;
}

/* Collects a finished slot's results (in seq order) and frees it. */
static int retire_locked(mlops__ingest *ig, struct slot *sl)
{
    int rc = grow((void **)&ig->chunks, &ig->capchunks, ig->nchunks + 1, sizeof *ig->chunks);
    if (rc) return rc;
    ig->chunks[ig->nchunks].digest = sl->digest;
    ig->chunks[ig->nchunks].size = sl->len;
    ig->nchunks++;
    sl->state = SLOT_FREE;
    sl->taken = sl->worked = sl->hashed = 0;
    sl->data = NULL;
    sl->len = sl->scan = 0;
    ig->retired++;
    return MLOPS_OK;
}

/* Retires every finished slot that is next in order. */
static int retire_ready_locked(mlops__ingest *ig)
{
    while (ig->retired < ig->acquired) {
        struct slot *sl = &ig->slots[ig->retired % ig->nslots];
        if (sl->state != SLOT_READY || !sl->worked || !sl->hashed) break;
        int rc = retire_locked(ig, sl);
        if (rc) return rc;
    }
    return MLOPS_OK;
}

/* The next slot in ring order, once its previous chunk is retired. */
static int acquire(mlops__ingest *ig, struct slot **out)
{
    pthread_mutex_lock(&ig->mu);
    struct slot *sl = &ig->slots[ig->acquired % ig->nslots];
    int rc = MLOPS_OK;
    for (;;) {
        if (ig->err) {
            rc = ig->err;
            break;
        }
        rc = retire_ready_locked(ig);
        if (rc || sl->state == SLOT_FREE) break;
        /* The ring is full: lend a hand rather than wait. */
        if (help_locked(ig, helper(ig))) continue;
        pthread_cond_wait(&ig->cv, &ig->mu);
    }
    if (!rc) {
        sl->state = SLOT_FILLING;
        sl->seq = ig->acquired++;
    }
    pthread_mutex_unlock(&ig->mu);
    if (rc) return ig->err ? reraise(ig) : rc;
    if (!sl->buf && ig->cap) {
        sl->buf = malloc(ig->cap);
        if (!sl->buf) {
            /* Give the slot back: nothing was dispatched in it. */
            pthread_mutex_lock(&ig->mu);
            sl->state = SLOT_FREE;
            ig->acquired--;
            pthread_mutex_unlock(&ig->mu);
            return mlops__err_nomem("allocating a chunk buffer");
        }
    }
    *out = sl;
    return MLOPS_OK;
}

static void dispatch(mlops__ingest *ig, struct slot *sl)
{
    pthread_mutex_lock(&ig->mu);
    sl->state = SLOT_READY;
    pthread_cond_broadcast(&ig->cv);
    pthread_mutex_unlock(&ig->mu);
}

static int begin_chunking(mlops__ingest *ig)
{
    ig->chunked = 1;
    mlops__cdc_init(&ig->cdc, ig->s->chunk_rule, ig->s->chunk_min, ig->s->chunk_avg,
                    ig->s->chunk_max);
    int rc = mlops__sha256_init(&ig->whole);
    ig->fused = mlops__sha256_pair_available();
    mlops__sha256s_init(&ig->whole2);
    if (!rc) start_threads(ig);
    if (!rc) {
        ig->workers[MAX_WORKERS].ig = ig;
        rc = worker_setup(&ig->workers[MAX_WORKERS]);
        ig->helper_ready = 1; /* torn down whatever the outcome */
    }
    return rc;
}

/* Finds the boundaries in the bytes of the current slot not yet scanned;
 * each cut sends a chunk off and moves the bytes after it to a new slot. */
static int scan_current(mlops__ingest *ig)
{
    struct slot *cur = ig->cur;
    while (cur->scan < cur->len) {
        int cut = 0;
        cur->scan += mlops__cdc_feed(&ig->cdc, cur->buf + cur->scan, cur->len - cur->scan, &cut);
        if (!cut) break;
        struct slot *next;
        int rc = acquire(ig, &next);
        if (rc) return rc;
        size_t tail = cur->len - cur->scan;
        memcpy(next->buf, cur->buf + cur->scan, tail);
        next->len = tail;
        next->scan = 0;
        next->data = next->buf;
        cur->len = cur->scan;
        dispatch(ig, cur);
        ig->cur = cur = next;
    }
    return MLOPS_OK;
}

int mlops__ingest_new(mlops_store *s, const char *func, mlops__ingest **out)
{
    mlops__ingest *ig = calloc(1, sizeof *ig);
    if (!ig) return mlops__err_nomem("starting a put");
    ig->s = s;
    ig->func = func;
    mlops__removals_seen_now(s, &ig->seen);
    /* The producer works too (when the ring is full), so one thread per
     * core besides it. */
    unsigned threads = mlops__pool_threads(s->threads);
    if (threads > MAX_WORKERS) threads = MAX_WORKERS;
    ig->nworkers = threads - 1;
    ig->nslots = 2 * threads + 2;
    ig->cap = (size_t)s->chunk_max + PIECE;
    pthread_mutex_init(&ig->mu, NULL);
    pthread_mutex_init(&ig->db_mu, NULL);
    pthread_cond_init(&ig->cv, NULL);
    *out = ig;
    return MLOPS_OK;
}

int mlops__ingest_reserve(mlops__ingest *ig, void **p, size_t *room)
{
    if (ig->err) return reraise(ig);
    if (!ig->cur) {
        int rc = acquire(ig, &ig->cur);
        if (rc) return rc;
        ig->cur->data = ig->cur->buf;
    }
    struct slot *cur = ig->cur;
    size_t free_bytes = ig->cap - cur->len;
    *p = cur->buf + cur->len;
    *room = free_bytes < PIECE ? free_bytes : PIECE;
    return MLOPS_OK;
}

int mlops__ingest_advance(mlops__ingest *ig, size_t n)
{
    if (ig->err) return reraise(ig);
    struct slot *cur = ig->cur;
    cur->len += n;
    ig->total += n;
    if (!ig->chunked) {
        /* Content up to the maximum chunk size is one object: decide only
         * once a byte beyond it arrives. */
        if (cur->len <= ig->s->chunk_max) return MLOPS_OK;
        int rc = begin_chunking(ig);
        if (rc) return rc;
    }
    return scan_current(ig);
}

int mlops__ingest_write(mlops__ingest *ig, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len) {
        void *dst = NULL;
        size_t room = 0;
        int rc = mlops__ingest_reserve(ig, &dst, &room);
        if (rc) return rc;
        size_t k = len < room ? len : room;
        memcpy(dst, p, k);
        rc = mlops__ingest_advance(ig, k);
        if (rc) return rc;
        p += k;
        len -= k;
    }
    return MLOPS_OK;
}

/* ---- finishing ----------------------------------------------------------------- */

struct commit_arg {
    mlops__ingest *ig;
    const mlops_digest *blob;
    const mlops_digest *manifest;
};

static int commit_chunked_tx(mlops__conn *c, void *arg)
{
    struct commit_arg *a = arg;
    mlops__ingest *ig = a->ig;
    int64_t now = mlops__now_ms();
    int rc = mlops__objects_commit(c, ig->s, &ig->seen, ig->placed, ig->nplaced, now);
    int found = 0;
    if (!rc) rc = mlops__content_touch(c, a->blob, now, &found);
    if (rc || found) return rc; /* the same content was committed before */
    rc = mlops__content_insert(c, a->blob, MLOPS__KIND_BLOB, ig->total, a->manifest,
                               ig->nchunks, now);
    mlops__stmt *st;
    uint64_t offset = 0;
    for (size_t i = 0; !rc && i < ig->nchunks; i++) {
        rc = mlops__conn_stmt(c,
                              "INSERT INTO cas_chunk(blob, pos, size, chunk) "
                              "VALUES (?1, ?2, ?3, ?4)",
                              &st);
        if (!rc) rc = mlops__bind_blob(c, st, 1, a->blob->bytes, 32);
        if (!rc) rc = mlops__bind_int64(c, st, 2, (int64_t)offset);
        if (!rc) rc = mlops__bind_int64(c, st, 3, (int64_t)ig->chunks[i].size);
        if (!rc) rc = mlops__bind_blob(c, st, 4, ig->chunks[i].digest.bytes, 32);
        if (!rc) rc = mlops__conn_step_done(c, st, "recording a chunk");
        offset += ig->chunks[i].size;
    }
    return rc;
}

/* Hands back the slot being filled (always the last one acquired), so
 * that nobody waits for it. */
static void release_current(mlops__ingest *ig)
{
    if (!ig->cur) return;
    pthread_mutex_lock(&ig->mu);
    ig->cur->state = SLOT_FREE;
    ig->cur->len = ig->cur->scan = 0;
    ig->acquired--;
    pthread_mutex_unlock(&ig->mu);
    ig->cur = NULL;
}

static int finish_chunked(mlops__ingest *ig, mlops_digest *out)
{
    int rc = MLOPS_OK;
    if (ig->cur && ig->cur->len) {
        dispatch(ig, ig->cur);
        ig->cur = NULL;
    }
    release_current(ig);
    /* Help the pool through the last chunks. */
    pthread_mutex_lock(&ig->mu);
    ig->finishing = 1;
    while (!ig->err && !drained_locked(ig))
        if (!help_locked(ig, helper(ig))) pthread_cond_wait(&ig->cv, &ig->mu);
    pthread_mutex_unlock(&ig->mu);
    stop_threads(ig);
    pthread_mutex_lock(&ig->mu);
    if (!ig->err) rc = retire_ready_locked(ig);
    pthread_mutex_unlock(&ig->mu);
    if (ig->err) return reraise(ig);
    if (rc) return rc;
    if (ig->retired != ig->acquired)
        return mlops__err(MLOPS_EIO, "%s: internal error: chunks left unfinished", ig->func);

    mlops_digest blob, mdigest;
    if (ig->fused) mlops__sha256s_final(&ig->whole2, &blob);
    else rc = mlops__sha256_final(&ig->whole, &blob);
    void *mbuf = NULL;
    size_t mlen = 0;
    if (!rc) rc = mlops__manifest_encode(ig->total, ig->chunks, ig->nchunks, &mbuf, &mlen);
    if (!rc) rc = mlops__sha256_oneshot(mbuf, mlen, &mdigest);
    if (!rc) rc = grow((void **)&ig->placed, &ig->capplaced, ig->nplaced + 1, sizeof *ig->placed);
    mlops__obj_writer *ow = NULL;
    if (!rc) rc = mlops__obj_writer_new(ig->s, &ow);
    if (!rc) {
        rc = mlops__object_write(ig->s, ow, &mdigest, mbuf, mlen, &ig->placed[ig->nplaced]);
        if (!rc) ig->nplaced++;
    }
    mlops__obj_writer_free(ow);
    free(mbuf);
    if (!rc) rc = mlops__objects_sync(ig->s, ig->placed, ig->nplaced);
    if (!rc) {
        struct commit_arg a = {ig, &blob, &mdigest};
        rc = mlops__put_commit(ig->s, ig->func, commit_chunked_tx, &a);
    }
    if (!rc) *out = blob;
    return rc;
}

static void ingest_free(mlops__ingest *ig, int keep_objects)
{
    if (ig->chunked) release_current(ig);
    stop_threads(ig);
    while (ig->stage_count) { /* left by an error */
        mlops__staged_discard(&ig->stage[ig->stage_head]);
        ig->stage_head = (ig->stage_head + 1) % STAGE_QUEUE;
        ig->stage_count--;
    }
    if (ig->helper_ready) worker_teardown(&ig->workers[MAX_WORKERS]);
    for (unsigned i = 0; i < ig->nslots; i++) free(ig->slots[i].buf);
    if (keep_objects)
        for (size_t i = 0; i < ig->nplaced; i++) mlops__placed_clear(&ig->placed[i]);
    else
        mlops__objects_discard(ig->s, ig->placed, ig->nplaced);
    if (ig->chunked) mlops__sha256_free(&ig->whole);
    free(ig->chunks);
    free(ig->placed);
    mlops__keymap_free(&ig->claimed);
    pthread_cond_destroy(&ig->cv);
    pthread_mutex_destroy(&ig->db_mu);
    pthread_mutex_destroy(&ig->mu);
    free(ig);
}

/* Content that fits in one object. */
static int finish_whole(mlops__ingest *ig, mlops_digest *out)
{
    const void *data = ig->cur ? ig->cur->buf : NULL;
    return mlops__put_small(ig->s, data, ig->cur ? ig->cur->len : 0, out);
}

uint64_t mlops__ingest_total(const mlops__ingest *ig)
{
    return ig->total;
}

int mlops__ingest_finish(mlops__ingest *ig, mlops_digest *out)
{
    int rc = ig->err ? reraise(ig) : ig->chunked ? finish_chunked(ig, out) : finish_whole(ig, out);
    ingest_free(ig, rc == MLOPS_OK);
    return rc;
}

void mlops__ingest_abort(mlops__ingest *ig)
{
    if (ig) ingest_free(ig, 0);
}

int mlops__ingest_memory(mlops_store *s, const char *func, const void *data, size_t len,
                         mlops_digest *out)
{
    if (len <= s->chunk_max) return mlops__put_small(s, data, len, out);
    mlops__ingest *ig = NULL;
    int rc = mlops__ingest_new(s, func, &ig);
    if (rc) return rc;
    ig->cap = 0; /* chunks point into the caller's memory: no buffers */
    ig->total = len;
    rc = begin_chunking(ig);
    const unsigned char *p = data;
    size_t left = len;
    while (!rc && left) {
        struct slot *sl;
        rc = acquire(ig, &sl);
        if (rc) break;
        size_t k = 0;
        int cut = 0;
        while (!cut && k < left) k += mlops__cdc_feed(&ig->cdc, p + k, left - k, &cut);
        sl->data = p;
        sl->len = k;
        dispatch(ig, sl);
        p += k;
        left -= k;
    }
    if (rc) {
        mlops__ingest_abort(ig);
        return rc;
    }
    return mlops__ingest_finish(ig, out);
}
