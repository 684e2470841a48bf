/* The S3 object backend (s3_objects.h): the seam's members as requests of
 * the S3 client.
 *
 * Writing: stage copies the object into memory (at most a few MiB) and
 * queues its PUT for the backend's uploader threads; place waits for that
 * PUT (or sends it itself when no uploader has taken it yet). So a put
 * that stages ahead of placing, as lib/cas/ingest.c does with its queue of
 * staged chunks, has up to TRANSFERS transfers in flight over the
 * client's pooled connections. The uploaders only wait on the network, so
 * the thread limit does not count them (doc/conventions.md, threads), as
 * it does not count ingest's I/O helper. An object is written under its
 * name when its PUT runs, before place: one whose put is then abandoned
 * is an orphan without metadata, which gc collects past its grace period.
 *
 * Reading: a read fetches the whole object, or takes it from the local
 * read cache (s3_cache.h), which keeps what was fetched (not what was
 * put: a put would write every byte to the local disk too). A reader of a
 * chunked blob announces the chunks it will read next (prefetch): the
 * same threads fetch some of them ahead (about PREFETCH_BYTES, at most
 * PREFETCH_ROOM objects), and open takes them from that room.
 *
 * A fetched object stays in the buffer it was received into: the reader
 * reads it there (view), and closing it hands that buffer to the cache.
 *
 * Filling the cache is off the read's path: a fetched object, once
 * closed, goes (its buffer, not a copy) into a queue of at most
 * CACHE_QUEUE_BYTES, which one writer thread at the lowest priority
 * (SCHED_IDLE: it runs when a core has nothing else to do) writes out; an
 * object that finds the queue full is not cached. Writing a cache file
 * costs a copy into the page cache and a file, about as much CPU as the
 * transfer itself: a read that keeps every core busy (a fast network, a
 * server on the same machine) caches what spare time allows, and a slow
 * network leaves time for all of it. What is queued when the backend
 * closes is written then. */
#include "objects/s3/s3_objects.h"
#include "objects/s3/aws_config.h"
#include "objects/s3/s3_cache.h"
#include "objects/s3/s3_http.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/str.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBJECTS_DIR "objects/sha256/"
#define QUARANTINE_DIR "quarantine/sha256/"
/* "objects/sha256/" or "quarantine/sha256/", "ab/", 62 digits, NUL */
#define KEY_CAP 96

/* Transfers in flight at most, per backend. Each waits a round trip
 * (tens of ms to a remote S3) for an object of a few hundred KiB, so it
 * takes many to keep a fast link busy. */
#define TRANSFERS 32
/* Objects fetched ahead and not yet opened, at most... */
#define PREFETCH_ROOM 32
/* ... and about this many bytes of them, by the sizes fetched lately:
 * 32 chunks of a store's default 512 KiB, 4 of the largest (4 MiB). */
#define PREFETCH_BYTES (16u << 20)
/* Objects announced and not yet fetched, at most (the oldest go first). */
#define PREFETCH_PENDING 256
/* Bytes fetched and waiting for the cache writer, at most; an object
 * larger than that goes in only when the queue is empty. */
#define CACHE_QUEUE_BYTES (2u << 20)
/* Objects found damaged that a closing handle must not cache, at most
 * (the latest; a read meets one damaged object, a rare event, at a time). */
#define DAMAGED_KEPT 8
/* Buffers given back and kept for the next objects, at most
 * (s3_buffers.h): what the prefetch room (16 MiB of objects, in buffers
 * of up to twice their size) and the cache queue hold. With 16 or 32 MiB
 * a cold get mapped a fifth to a half of its buffers afresh, and the
 * page faults and unmaps cost more system time than malloc. */
#define KEEP_BYTES (48u << 20)

/* The name messages give: the seam's members get no caller's name. */
static const char FN[] = "S3 objects";

enum upload_state { QUEUED, RUNNING, DONE };

struct mlops__obj_staged {
    mlops_digest d;
    enum upload_state state;
    int rc, created;  /* DONE: the PUT's outcome */
    int reported;     /* a place has returned that outcome already */
    int abandoned;    /* discarded while RUNNING: the uploader frees it */
    char why[512];    /* the uploader's message, when rc != MLOPS_OK */
    struct mlops__obj_staged *next; /* in the queue while QUEUED */
    size_t len;
    unsigned char data[];
};

/* An object fetched ahead of its open. */
struct fetched {
    mlops_digest d;
    enum upload_state state;
    int rc;
    unsigned char *data;
    size_t len;
    struct fetched *next; /* in the queue while QUEUED */
};

/* An object waiting to be written into the cache. */
struct cache_job {
    mlops_digest d;
    struct cache_job *next;
    unsigned char *data; /* owned */
    size_t len;
};

struct s3objects {
    mlops__objects be; /* first: the seam */
    mlops__s3 *client;
    mlops__s3_cache *cache; /* NULL: none */
    /* Every fetched object's bytes (staged ones are malloc'd: a put's
     * buffers are taken and freed by the same few threads, and mapping
     * them cost a put system time for no smaller peak). */
    mlops__s3_buffers *buffers;
    char *base; /* "s3://bucket/prefix/": what messages name objects by */
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    mlops__obj_staged *head, *tail; /* PUTs no uploader has taken */
    struct fetched *ghead, *gtail;   /* GETs ahead that none has taken */
    struct fetched *room[PREFETCH_ROOM]; /* fetched or fetching, oldest first */
    size_t nroom;
    uint64_t fetched_mean; /* a moving mean of fetched sizes; 0: none yet */
    mlops_digest pending[PREFETCH_PENDING]; /* announced, in order: a ring */
    size_t pending_at, npending;
    /* Objects opened from the room since the last announcement: none
     * means the read that announced them stopped (s_prefetch). */
    size_t opened_from_room;
    pthread_t threads[TRANSFERS];
    unsigned nthreads, idle;
    unsigned signalled; /* idle threads woken that have not run yet */
    int closing;
    /* The cache writer and its queue, under cmu, never mu: the writer
     * runs at the lowest priority, and a thread that waits for a lock it
     * holds waits for a spare core (so others only try cmu). */
    pthread_mutex_t cmu;
    struct cache_job *chead, *ctail;
    size_t cbytes; /* queued or being written; read without cmu too */
    pthread_cond_t cwork, cdone;
    struct cache_job *cwriting; /* being written by the writer */
    pthread_t cwriter;
    int cwriter_up, cclosing;
    /* Objects found damaged as read (s_damaged), the latest DAMAGED_KEPT,
     * under cmu: the copy an open handle gives back at close is not
     * cached. */
    mlops_digest damaged[DAMAGED_KEPT];
    unsigned ndamaged;
};

static struct s3objects *S(mlops__objects *be)
{
    return (struct s3objects *)be;
}

struct mlops__obj_in {
    mlops_digest d;
    unsigned char *data;
    size_t len, at;
    int fetched; /* from S3 (not the cache): close hands it to the cache */
};

static mlops__s3 *client_of(mlops__objects *be)
{
    return S(be)->client;
}

/* "<dir>ab/<62 digits>" into key (KEY_CAP bytes). */
static void object_key(const char *dir, const mlops_digest *d, char *key)
{
    char hex[65];
    mlops__hex_encode(d->bytes, sizeof d->bytes, hex);
    snprintf(key, KEY_CAP, "%s%.2s/%s", dir, hex, hex + 2);
}

static void s_describe(mlops__objects *be, const mlops_digest *d, char *buf, size_t n)
{
    char key[KEY_CAP];
    object_key(OBJECTS_DIR, d, key);
    snprintf(buf, n, "%s%s", ((struct s3objects *)be)->base, key);
}

/* ---- writing ------------------------------------------------------------ */

/* Sends st's PUT; the outcome goes into st (on this thread's message). */
static void put_now(struct s3objects *o, mlops__obj_staged *st)
{
    char key[KEY_CAP];
    object_key(OBJECTS_DIR, &st->d, key);
    int created = 0;
    int rc = mlops__s3_put(FN, o->client, key, st->data, st->len, &created);
    if (rc) snprintf(st->why, sizeof st->why, "%s", mlops_last_error());
    pthread_mutex_lock(&o->mu);
    st->rc = rc;
    st->created = created;
    st->state = DONE;
    int abandoned = st->abandoned;
    pthread_cond_broadcast(&o->done);
    pthread_mutex_unlock(&o->mu);
    if (abandoned) free(st);
}

/* ---- the cache writer ------------------------------------------------- */

static void *cache_writer_main(void *arg)
{
    struct s3objects *o = arg;
    /* Only when a core is otherwise idle (Linux; elsewhere the default). */
#ifdef SCHED_IDLE
    struct sched_param sp = { 0 };
    (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
#endif
    pthread_mutex_lock(&o->cmu);
    for (;;) {
        while (!o->chead && !o->cclosing) pthread_cond_wait(&o->cwork, &o->cmu);
        if (o->cclosing) break; /* s_free writes what is left */
        struct cache_job *j = o->chead;
        o->chead = j->next;
        if (!o->chead) o->ctail = NULL;
        o->cwriting = j;
        pthread_mutex_unlock(&o->cmu);
        mlops__s3_cache_put(o->cache, &j->d, j->data, j->len);
        pthread_mutex_lock(&o->cmu);
        o->cwriting = NULL;
        pthread_cond_broadcast(&o->cdone);
        __atomic_sub_fetch(&o->cbytes, j->len, __ATOMIC_RELAXED);
        mlops__s3_buffer_give(o->buffers, j->data);
        free(j);
    }
    pthread_mutex_unlock(&o->cmu);
    return NULL;
}

/* 1 when object d was found damaged (s_damaged) since a copy of it was
 * last given back, and forgets it: that copy is the damaged one. Called
 * with o->cmu held. */
static int take_damaged_locked(struct s3objects *o, const mlops_digest *d)
{
    for (unsigned i = 0; i < o->ndamaged; i++)
        if (!memcmp(o->damaged[i].bytes, d->bytes, 32)) {
            o->damaged[i] = o->damaged[--o->ndamaged];
            return 1;
        }
    return 0;
}

/* Hands object d's bytes (a buffer of o->buffers, len of them) to the
 * cache writer, which gives them back, unless the queue is full or busy:
 * then they are given back here and not cached (the cache is a best
 * effort). */
static void cache_give(struct s3objects *o, const mlops_digest *d, unsigned char *data,
                       size_t len)
{
    if (!o->cache) {
        mlops__s3_buffer_give(o->buffers, data);
        return;
    }
    /* Room is reserved first, so that the queue never holds more than
     * CACHE_QUEUE_BYTES, or one object. */
    size_t had = __atomic_load_n(&o->cbytes, __ATOMIC_RELAXED);
    do {
        if (had && had + len > CACHE_QUEUE_BYTES) {
            mlops__s3_buffer_give(o->buffers, data);
            return;
        }
    } while (!__atomic_compare_exchange_n(&o->cbytes, &had, had + len, 1, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    struct cache_job *j = malloc(sizeof *j);
    int queued = 0;
    if (j && pthread_mutex_trylock(&o->cmu) == 0) {
        j->d = *d;
        j->next = NULL;
        j->data = data;
        j->len = len;
        int damaged = take_damaged_locked(o, d); /* this copy failed its check */
        if (!damaged && !o->cclosing && !o->cwriter_up &&
            pthread_create(&o->cwriter, NULL, cache_writer_main, o) == 0)
            o->cwriter_up = 1;
        if (!damaged && !o->cclosing && o->cwriter_up) {
            if (o->ctail) o->ctail->next = j;
            else o->chead = j;
            o->ctail = j;
            pthread_cond_signal(&o->cwork);
            queued = 1;
        }
        pthread_mutex_unlock(&o->cmu);
    }
    if (!queued) {
        free(j);
        mlops__s3_buffer_give(o->buffers, data);
        __atomic_sub_fetch(&o->cbytes, len, __ATOMIC_RELAXED);
    }
}

/* Forgets the queued copies of object d (it is being removed), and waits
 * for the writer when it is writing one, so that the cache file is
 * dropped after it. */
static void cache_forget(struct s3objects *o, const mlops_digest *d)
{
    pthread_mutex_lock(&o->cmu);
    while (o->cwriting && !memcmp(o->cwriting->d.bytes, d->bytes, 32))
        pthread_cond_wait(&o->cdone, &o->cmu);
    struct cache_job **p = &o->chead, *prev = NULL;
    while (*p) {
        struct cache_job *j = *p;
        if (memcmp(j->d.bytes, d->bytes, 32) != 0) {
            prev = j;
            p = &j->next;
            continue;
        }
        *p = j->next;
        if (o->ctail == j) o->ctail = prev;
        __atomic_sub_fetch(&o->cbytes, j->len, __ATOMIC_RELAXED);
        mlops__s3_buffer_give(o->buffers, j->data);
        free(j);
    }
    pthread_mutex_unlock(&o->cmu);
    mlops__s3_cache_drop(o->cache, d);
}

static void fetched_free(struct s3objects *o, struct fetched *f)
{
    mlops__s3_buffer_give(o->buffers, f->data);
    free(f);
}

/* Fetches f ahead of its open. */
static void fetch_now(struct s3objects *o, struct fetched *f)
{
    char key[KEY_CAP];
    object_key(OBJECTS_DIR, &f->d, key);
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = mlops__s3_get_into(FN, o->client, key, o->buffers, &data, &len);
    pthread_mutex_lock(&o->mu);
    f->rc = rc;
    f->data = data;
    f->len = len;
    f->state = DONE;
    if (rc == MLOPS_OK)
        o->fetched_mean = o->fetched_mean ? (7 * o->fetched_mean + len) / 8 : len;
    pthread_cond_broadcast(&o->done);
    pthread_mutex_unlock(&o->mu);
}

/* The transfer threads: PUTs first (a put waits for them), then GETs
 * ahead, which stop when the backend closes. */
static void *uploader_main(void *arg)
{
    struct s3objects *o = arg;
    pthread_mutex_lock(&o->mu);
    for (;;) {
        if (o->head) {
            mlops__obj_staged *st = o->head;
            o->head = st->next;
            if (!o->head) o->tail = NULL;
            st->state = RUNNING;
            pthread_mutex_unlock(&o->mu);
            put_now(o, st);
            pthread_mutex_lock(&o->mu);
        } else if (o->ghead && !o->closing) {
            struct fetched *f = o->ghead;
            o->ghead = f->next;
            if (!o->ghead) o->gtail = NULL;
            f->state = RUNNING;
            pthread_mutex_unlock(&o->mu);
            fetch_now(o, f);
            pthread_mutex_lock(&o->mu);
        } else if (o->closing) {
            break;
        } else {
            o->idle++;
            pthread_cond_wait(&o->work, &o->mu);
            o->idle--;
            if (o->signalled) o->signalled--;
        }
    }
    pthread_mutex_unlock(&o->mu);
    return NULL;
}

/* Wakes a transfer thread for new work, starting one when every idle
 * thread has been woken already (a thread that cannot start leaves the
 * work to the caller: place and open do it themselves). A woken thread
 * counts as idle until it runs: the work queued by one critical section
 * (a batch of announced objects) wakes as many threads, not the few that
 * were idle when it began. Called with o->mu held. */
static void wake_locked(struct s3objects *o)
{
    if (o->idle > o->signalled) {
        o->signalled++;
    } else if (o->nthreads < TRANSFERS &&
               pthread_create(&o->threads[o->nthreads], NULL, uploader_main, o) == 0) {
        o->nthreads++;
    }
    pthread_cond_signal(&o->work);
}

/* Queues st's PUT, starting an uploader when none is idle (a thread that
 * cannot start leaves the PUT to place). Called with o->mu held. */
static void queue_locked(struct s3objects *o, mlops__obj_staged *st)
{
    st->state = QUEUED;
    st->next = NULL;
    if (o->tail) o->tail->next = st;
    else o->head = st;
    o->tail = st;
    wake_locked(o);
}

/* Takes st out of the queue if it is still there. Called with o->mu held. */
static int unqueue_locked(struct s3objects *o, mlops__obj_staged *st)
{
    if (st->state != QUEUED) return 0;
    mlops__obj_staged **p = &o->head, *prev = NULL;
    while (*p && *p != st) {
        prev = *p;
        p = &(*p)->next;
    }
    if (*p) *p = st->next;
    if (o->tail == st) o->tail = prev;
    return 1;
}

static int s_stage(mlops__objects *be, const mlops_digest *d, const mlops__obj_piece *pieces,
                   size_t n, mlops__obj_staged **out)
{
    struct s3objects *o = S(be);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) len += pieces[i].len;
    /* malloc, not calloc: the bytes are written next, and zeroing a few
     * MiB per object is a pass over every byte of a put for nothing. */
    mlops__obj_staged *st = malloc(sizeof *st + len);
    if (!st) return mlops__err_nomem("staging an object");
    memset(st, 0, sizeof *st);
    st->d = *d;
    for (size_t i = 0; i < n; i++) {
        if (pieces[i].len) memcpy(st->data + st->len, pieces[i].data, pieces[i].len);
        st->len += pieces[i].len;
    }
    pthread_mutex_lock(&o->mu);
    queue_locked(o, st);
    pthread_mutex_unlock(&o->mu);
    *out = st;
    return MLOPS_OK;
}

/* Waits for st's PUT, or sends it here when it has not started (and
 * again when a spare copy is placed a second time). */
static int s_place(mlops__objects *be, mlops__obj_staged *st, int *placed)
{
    struct s3objects *o = S(be);
    pthread_mutex_lock(&o->mu);
    int here = unqueue_locked(o, st) || (st->state == DONE && st->reported);
    if (here) st->state = RUNNING;
    pthread_mutex_unlock(&o->mu);
    if (here) put_now(o, st);
    pthread_mutex_lock(&o->mu);
    while (st->state != DONE) pthread_cond_wait(&o->done, &o->mu);
    st->reported = 1;
    int rc = st->rc, created = st->created;
    pthread_mutex_unlock(&o->mu);
    *placed = rc == MLOPS_OK && created;
    if (rc) mlops__err(rc, "%s", st->why);
    if (rc || created) free(st); /* else the caller keeps it as a spare */
    return rc;
}

static void s_discard(mlops__objects *be, mlops__obj_staged *st)
{
    if (!st) return;
    struct s3objects *o = S(be);
    pthread_mutex_lock(&o->mu);
    int keep = !unqueue_locked(o, st) && st->state == RUNNING;
    if (keep) st->abandoned = 1; /* its uploader frees it */
    pthread_mutex_unlock(&o->mu);
    if (!keep) free(st);
}

/* A PUT that returned is durable on the server: nothing to wait for. */
static int s_sync(mlops__objects *be, const mlops_digest *d, size_t n)
{
    (void)be;
    (void)d;
    (void)n;
    return MLOPS_OK;
}

/* ---- reading ------------------------------------------------------------ */

static void fill_room_locked(struct s3objects *o);

/* Takes a QUEUED object out of the transfer threads' queue. Called with
 * o->mu held. */
static void unqueue_fetched_locked(struct s3objects *o, struct fetched *f)
{
    struct fetched **p = &o->ghead, *prev = NULL;
    while (*p && *p != f) {
        prev = *p;
        p = &(*p)->next;
    }
    if (*p) *p = f->next;
    if (o->gtail == f) o->gtail = prev;
}

/* Takes object d out of the room of objects fetched ahead: 1 with its
 * bytes in *data when it was fetched (waiting while it is in flight), 0
 * when it is not there or its fetch failed (the caller fetches it and
 * meets the error itself). */
static int take_fetched(struct s3objects *o, const mlops_digest *d, unsigned char **data,
                        size_t *len)
{
    pthread_mutex_lock(&o->mu);
    struct fetched *f = NULL;
    for (size_t i = 0; i < o->nroom; i++)
        if (!memcmp(o->room[i]->d.bytes, d->bytes, 32)) {
            f = o->room[i];
            memmove(o->room + i, o->room + i + 1, (o->nroom - i - 1) * sizeof *o->room);
            o->nroom--;
            break;
        }
    if (f) {
        o->opened_from_room++;
        fill_room_locked(o);
    }
    if (f && f->state == QUEUED) { /* no thread took it: fetched by the caller */
        unqueue_fetched_locked(o, f);
        pthread_mutex_unlock(&o->mu);
        fetched_free(o, f);
        return 0;
    }
    while (f && f->state != DONE) pthread_cond_wait(&o->done, &o->mu);
    pthread_mutex_unlock(&o->mu);
    if (!f) return 0;
    int ok = f->rc == MLOPS_OK;
    if (ok) {
        *data = f->data;
        *len = f->len;
        f->data = NULL;
    }
    fetched_free(o, f);
    return ok;
}

/* How many objects the room may hold: PREFETCH_BYTES of them by the
 * sizes fetched lately (8 before any is known), within 2..PREFETCH_ROOM.
 * Called with o->mu held. */
static size_t room_limit_locked(const struct s3objects *o)
{
    if (!o->fetched_mean) return 8;
    uint64_t n = PREFETCH_BYTES / o->fetched_mean;
    return n < 2 ? 2 : n > PREFETCH_ROOM ? PREFETCH_ROOM : (size_t)n;
}

/* Moves announced objects into the room while it has space: each is
 * queued for a transfer thread. Objects in the room already are skipped
 * (and those in the cache were never announced: s_prefetch). Called with
 * o->mu held. */
static void fill_room_locked(struct s3objects *o)
{
    while (o->npending && o->nroom < room_limit_locked(o) && !o->closing) {
        mlops_digest d = o->pending[o->pending_at];
        o->pending_at = (o->pending_at + 1) % PREFETCH_PENDING;
        o->npending--;
        int have = 0;
        for (size_t i = 0; i < o->nroom && !have; i++)
            have = !memcmp(o->room[i]->d.bytes, d.bytes, 32);
        struct fetched *f = have ? NULL : calloc(1, sizeof *f);
        if (!f) continue;
        f->d = d;
        f->state = QUEUED;
        o->room[o->nroom++] = f;
        if (o->gtail) o->gtail->next = f;
        else o->ghead = f;
        o->gtail = f;
        wake_locked(o);
    }
}

/* When nothing was opened from the room since the last announcement, the
 * read that made it stopped early (or never read): what it left fetched
 * or queued, and what it announced and nobody fetched yet, give way (a
 * fetch under way stays, to be dropped at the next announcement). A read
 * that goes on opens objects between its announcements (lib/cas announces
 * the next chunks half way through the ones before, while the room may be
 * full of them), and keeps them. Called with o->mu held. */
static void drop_left_behind_locked(struct s3objects *o)
{
    if (!o->opened_from_room) {
        size_t kept = 0;
        for (size_t i = 0; i < o->nroom; i++) {
            struct fetched *f = o->room[i];
            if (f->state == RUNNING) { /* its thread owns it until DONE */
                o->room[kept++] = f;
                continue;
            }
            if (f->state == QUEUED) unqueue_fetched_locked(o, f);
            fetched_free(o, f);
        }
        o->nroom = kept;
        o->npending = 0;
    }
    o->opened_from_room = 0;
}

/* Adds up to BATCH announced objects to the pending ones. */
enum { BATCH = 64 };
static void announce(struct s3objects *o, const mlops_digest *d, size_t n)
{
    /* What the cache holds is read from there. Asked here, before taking
     * the lock that the transfer threads wait on: a file system lookup
     * each (an object cached meanwhile is fetched once more, harmless). */
    unsigned char cached[BATCH];
    for (size_t k = 0; k < n; k++) cached[k] = (unsigned char)mlops__s3_cache_has(o->cache, &d[k]);
    pthread_mutex_lock(&o->mu);
    for (size_t k = 0; k < n; k++) {
        if (cached[k]) continue;
        if (o->npending == PREFETCH_PENDING) {
            o->pending_at = (o->pending_at + 1) % PREFETCH_PENDING;
            o->npending--;
        }
        o->pending[(o->pending_at + o->npending) % PREFETCH_PENDING] = d[k];
        o->npending++;
    }
    fill_room_locked(o);
    pthread_mutex_unlock(&o->mu);
}

/* Announces d[0..n) to be opened next, in order. The room holds some of
 * them fetched or in flight (room_limit_locked); the rest wait their turn
 * (the oldest announcements are forgotten past PREFETCH_PENDING). */
static void s_prefetch(mlops__objects *be, const mlops_digest *d, size_t n)
{
    struct s3objects *o = S(be);
    pthread_mutex_lock(&o->mu);
    drop_left_behind_locked(o);
    pthread_mutex_unlock(&o->mu);
    for (size_t at = 0; at < n; at += BATCH) announce(o, d + at, n - at < BATCH ? n - at : BATCH);
}

static int s_open(mlops__objects *be, const mlops_digest *d, mlops__obj_in **out, uint64_t *len)
{
    char key[KEY_CAP];
    object_key(OBJECTS_DIR, d, key);
    mlops__obj_in *in = calloc(1, sizeof *in);
    if (!in) return mlops__err_nomem("opening an object");
    in->d = *d;
    if (take_fetched(S(be), d, &in->data, &in->len)) {
        in->fetched = 1;
    } else if (!mlops__s3_cache_get(S(be)->cache, d, S(be)->buffers, &in->data, &in->len)) {
        int rc = mlops__s3_get_into(FN, client_of(be), key, S(be)->buffers, &in->data, &in->len);
        if (rc) {
            free(in);
            return rc;
        }
        in->fetched = 1;
    }
    *out = in;
    *len = in->len;
    return MLOPS_OK;
}

static int s_read(mlops__objects *be, mlops__obj_in *in, void *buf, size_t len, size_t *got)
{
    (void)be;
    size_t n = in->len - in->at < len ? in->len - in->at : len;
    if (n) memcpy(buf, in->data + in->at, n);
    in->at += n;
    *got = n;
    return MLOPS_OK;
}

/* The object is in memory already: its rest is read where it is. */
static int s_view(mlops__objects *be, mlops__obj_in *in, const unsigned char **data, size_t *len)
{
    (void)be;
    *data = in->data + in->at;
    *len = in->len - in->at;
    in->at = in->len;
    return 1;
}

/* A fetched object's buffer goes to the cache (which frees it). */
static void s_close(mlops__objects *be, mlops__obj_in *in)
{
    if (!in) return;
    if (in->fetched) cache_give(S(be), &in->d, in->data, in->len);
    else mlops__s3_buffer_give(S(be)->buffers, in->data);
    free(in);
}

static int s_exists(mlops__objects *be, const mlops_digest *d, int *yes)
{
    char key[KEY_CAP];
    object_key(OBJECTS_DIR, d, key);
    int rc = mlops__s3_head(FN, client_of(be), key, NULL);
    *yes = rc == MLOPS_OK;
    return rc == MLOPS_ENOTFOUND ? MLOPS_OK : rc;
}

/* S3 answers a DELETE the same whether the key was there or not, so
 * whether this call removed it is asked first. */
static int remove_one(struct s3objects *o, const mlops_digest *d, int *removed)
{
    char key[KEY_CAP];
    object_key(OBJECTS_DIR, d, key);
    *removed = 0;
    cache_forget(o, d);
    int rc = mlops__s3_head(FN, o->client, key, NULL);
    if (rc == MLOPS_ENOTFOUND) return MLOPS_OK;
    if (!rc) rc = mlops__s3_delete(FN, o->client, key);
    *removed = rc == MLOPS_OK ? 1 : -1;
    return rc;
}

/* Objects being removed by several threads (s_remove): each takes the
 * next one not taken, until a removal fails. */
struct removal {
    struct s3objects *o;
    const mlops_digest *d;
    int *removed;
    size_t n, next;
    pthread_mutex_t mu;
    int rc; /* the first failure */
    char why[512];
};

static void *remover_main(void *arg)
{
    struct removal *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        size_t i = r->next < r->n ? r->next++ : r->n;
        pthread_mutex_unlock(&r->mu);
        if (i == r->n) break;
        int rc = remove_one(r->o, &r->d[i], &r->removed[i]);
        if (!rc) continue;
        pthread_mutex_lock(&r->mu);
        if (!r->rc) {
            r->rc = rc;
            snprintf(r->why, sizeof r->why, "%s", mlops_last_error());
        }
        r->next = r->n; /* none starts after a failure */
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

/* Two requests an object, so up to TRANSFERS objects at once: the
 * caller's thread and threads of this call's own (the transfer threads
 * may be busy with a put's uploads meanwhile). */
static int s_remove(mlops__objects *be, const mlops_digest *d, size_t n, int *removed)
{
    struct removal r = { .o = S(be), .d = d, .removed = removed, .n = n };
    for (size_t i = 0; i < n; i++) removed[i] = -1; /* not tried */
    pthread_mutex_init(&r.mu, NULL);
    pthread_t helpers[TRANSFERS - 1];
    size_t nhelpers = 0;
    while (nhelpers < TRANSFERS - 1 && nhelpers + 1 < n &&
           pthread_create(&helpers[nhelpers], NULL, remover_main, &r) == 0)
        nhelpers++;
    remover_main(&r);
    for (size_t i = 0; i < nhelpers; i++) pthread_join(helpers[i], NULL);
    pthread_mutex_destroy(&r.mu);
    return r.rc ? mlops__err(r.rc, "%s", r.why) : MLOPS_OK;
}

/* Object d, as read, failed a check: the cache's file and queued copies
 * go, and so does the copy an open handle gives back at close. */
static void s_damaged(mlops__objects *be, const mlops_digest *d)
{
    struct s3objects *o = S(be);
    if (!o->cache) return;
    pthread_mutex_lock(&o->cmu);
    if (!take_damaged_locked(o, d) && o->ndamaged == DAMAGED_KEPT)
        o->damaged[0] = o->damaged[--o->ndamaged]; /* one is forgotten */
    o->damaged[o->ndamaged++] = *d;
    pthread_mutex_unlock(&o->cmu);
    cache_forget(o, d);
}

/* ---- walking and quarantine --------------------------------------------- */

struct walk {
    mlops__objects_each_fn fn;
    void *arg;
    int64_t now_ms;
};

/* key: "objects/sha256/ab/<62 digits>"; anything else is skipped. */
static int walk_one(void *ctx, const char *key, uint64_t size, int64_t mtime_ms)
{
    (void)size;
    struct walk *w = ctx;
    const char *rest = key + strlen(OBJECTS_DIR);
    char hex[65];
    mlops_digest d;
    if (strlen(rest) != 65 || rest[2] != '/') return 0;
    memcpy(hex, rest, 2);
    memcpy(hex + 2, rest + 3, 63);
    if (mlops__hex_decode(hex, 64, d.bytes)) return 0;
    /* A server that gives no time: take the object as just written, so
     * that gc's grace period keeps it. */
    return w->fn(&d, mtime_ms >= 0 ? mtime_ms : w->now_ms, w->arg);
}

static int s_foreach(mlops__objects *be, mlops__objects_each_fn fn, void *arg)
{
    struct walk w = { fn, arg, mlops__now_ms() };
    return mlops__s3_list(FN, client_of(be), OBJECTS_DIR, walk_one, &w);
}

/* S3 has no rename: the object is copied under quarantine/ (through
 * this process: objects are small) and then removed. */
static int s_quarantine(mlops__objects *be, const mlops_digest *d)
{
    char from[KEY_CAP], to[KEY_CAP];
    object_key(OBJECTS_DIR, d, from);
    object_key(QUARANTINE_DIR, d, to);
    cache_forget(S(be), d);
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = mlops__s3_get(FN, client_of(be), from, &data, &len);
    if (rc == MLOPS_ENOTFOUND) return MLOPS_OK;
    if (!rc) rc = mlops__s3_put(FN, client_of(be), to, data, len, NULL);
    if (!rc) rc = mlops__s3_delete(FN, client_of(be), from);
    free(data);
    return rc;
}

/* mlops__s3_list's stop for claim: no MLOPS_* code. */
#define FOUND_ONE (-1)

static int first_key(void *ctx, const char *key, uint64_t size, int64_t mtime_ms)
{
    (void)size;
    (void)mtime_ms;
    snprintf(ctx, KEY_CAP + 32, "%s", key);
    return FOUND_ONE; /* one is enough */
}

int mlops__objects_s3_claim(const char *fn, mlops__objects *be)
{
    struct s3objects *o = S(be);
    char found[KEY_CAP + 32] = "";
    int rc = mlops__s3_list(fn, o->client, NULL, first_key, found);
    if (rc == FOUND_ONE) rc = MLOPS_OK;
    if (rc) return rc;
    if (!found[0]) {
        static const char text[] = "This prefix holds the objects of one libmlops store. "
                                   "Point no other store at it (doc/s3.md).\n";
        int created = 0;
        rc = mlops__s3_put(fn, o->client, MLOPS__S3_STORE_MARKER, text, sizeof text - 1,
                           &created);
        if (rc) return rc;
        if (created) return MLOPS_OK;
        snprintf(found, sizeof found, "%s", MLOPS__S3_STORE_MARKER);
    }
    return mlops__err(MLOPS_EEXIST,
                      "%s: %s is in use already (it holds '%s'): each store needs an S3 prefix "
                      "of its own, or gc in one would remove the other's objects; a team "
                      "shares one store by copying its mlops.conf (doc/s3.md)",
                      fn, o->base, found);
}

int mlops__objects_s3_is_store(const char *fn, mlops__objects *be, int *yes)
{
    *yes = 0;
    int rc = mlops__s3_head(fn, S(be)->client, MLOPS__S3_STORE_MARKER, NULL);
    if (rc == MLOPS_ENOTFOUND) return MLOPS_OK;
    if (!rc) *yes = 1;
    return rc;
}

void mlops__objects_s3_unclaim(mlops__objects *be)
{
    (void)mlops__s3_delete(FN, S(be)->client, MLOPS__S3_STORE_MARKER);
}

unsigned mlops__objects_s3_threads(mlops__objects *be)
{
    struct s3objects *o = S(be);
    pthread_mutex_lock(&o->mu);
    unsigned n = o->nthreads;
    pthread_mutex_unlock(&o->mu);
    return n;
}

/* ---- named records (a remote's): names/<name> ------------------------- */

#define NAMES_DIR "names/"

static int s_name_put(mlops__objects *be, const char *name, const void *data, size_t len)
{
    if (!mlops__objects_name_ok(name))
        return mlops__err(MLOPS_EINVAL, "'%.40s' cannot name a record", name);
    char *key = mlops__strcat3(NAMES_DIR, name, NULL);
    if (!key) return mlops__err_nomem("writing a record");
    int rc = mlops__s3_put_replace(FN, client_of(be), key, data, len);
    free(key);
    return rc;
}

static int s_name_get(mlops__objects *be, const char *name, void **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    if (!mlops__objects_name_ok(name))
        return mlops__err(MLOPS_EINVAL, "'%.40s' cannot name a record", name);
    char *key = mlops__strcat3(NAMES_DIR, name, NULL);
    if (!key) return mlops__err_nomem("reading a record");
    unsigned char *buf = NULL;
    int rc = mlops__s3_get(FN, client_of(be), key, &buf, len);
    if (rc == MLOPS_ENOTFOUND)
        rc = mlops__err(MLOPS_ENOTFOUND, "no record %s%s", S(be)->base, key);
    free(key);
    *data = buf;
    return rc;
}

/* ---- packs (a remote's): packs/<64 hex> -------------------------------- */

#define PACKS_DIR "packs/"

static void pack_key(const mlops_digest *d, char key[KEY_CAP])
{
    memcpy(key, PACKS_DIR, sizeof PACKS_DIR - 1);
    mlops__hex_encode(d->bytes, 32, key + sizeof PACKS_DIR - 1);
    key[sizeof PACKS_DIR - 1 + 64] = '\0';
}

/* One PUT with If-None-Match: * and the bytes' CRC-32C, as an object's. */
static int s_pack_put(mlops__objects *be, const mlops_digest *d, const void *data, size_t len)
{
    char key[KEY_CAP];
    pack_key(d, key);
    return mlops__s3_put(FN, client_of(be), key, data, len, NULL);
}

static int s_pack_get(mlops__objects *be, const mlops_digest *d, void **data, size_t *len)
{
    char key[KEY_CAP];
    pack_key(d, key);
    *data = NULL;
    *len = 0;
    unsigned char *buf = NULL;
    int rc = mlops__s3_get(FN, client_of(be), key, &buf, len);
    if (rc == MLOPS_ENOTFOUND)
        rc = mlops__err(MLOPS_ENOTFOUND, "no pack %s%s", S(be)->base, key);
    if (!rc && *len > MLOPS__OBJECTS_PACK_MAX)
        rc = mlops__err(MLOPS_ECORRUPT, "pack %s%s is larger than any (%zu bytes)", S(be)->base,
                        key, *len);
    if (rc) {
        free(buf);
        *len = 0;
        return rc;
    }
    *data = buf;
    return MLOPS_OK;
}

struct pack_walk {
    int (*fn)(const mlops_digest *d, void *arg);
    void *arg;
};

/* key: "packs/<64 hex>"; anything else is skipped. */
static int pack_one(void *ctx, const char *key, uint64_t size, int64_t mtime_ms)
{
    (void)size;
    (void)mtime_ms;
    struct pack_walk *w = ctx;
    const char *rest = key + strlen(PACKS_DIR);
    mlops_digest d;
    if (strlen(rest) != 64 || mlops__hex_decode(rest, 64, d.bytes)) return 0;
    return w->fn(&d, w->arg);
}

static int s_pack_foreach(mlops__objects *be, int (*fn)(const mlops_digest *d, void *arg),
                          void *arg)
{
    struct pack_walk w = { fn, arg };
    return mlops__s3_list(FN, client_of(be), PACKS_DIR, pack_one, &w);
}

static int count_one(void *ctx, const char *key, uint64_t size, int64_t mtime_ms)
{
    (void)key;
    (void)size;
    (void)mtime_ms;
    (*(uint64_t *)ctx)++;
    return 0;
}

static int s_count_fan(mlops__objects *be, unsigned fan, uint64_t *n)
{
    char under[32];
    snprintf(under, sizeof under, "%s%02x/", OBJECTS_DIR, fan & 0xff);
    *n = 0;
    return mlops__s3_list(FN, client_of(be), under, count_one, n);
}

/* Every staged object has been placed or discarded (the seam's rule), so
 * the uploaders have nothing left but to stop. */
static void s_free(mlops__objects *be)
{
    if (!be) return;
    struct s3objects *o = S(be);
    pthread_mutex_lock(&o->mu);
    o->closing = 1;
    pthread_cond_broadcast(&o->work);
    pthread_mutex_unlock(&o->mu);
    pthread_mutex_lock(&o->cmu);
    o->cclosing = 1;
    pthread_cond_broadcast(&o->cwork);
    pthread_mutex_unlock(&o->cmu);
    for (unsigned i = 0; i < o->nthreads; i++) pthread_join(o->threads[i], NULL);
    if (o->cwriter_up) pthread_join(o->cwriter, NULL);
    /* What the writer had no time for, written here, at this thread's
     * priority (at most CACHE_QUEUE_BYTES). */
    while (o->chead) {
        struct cache_job *j = o->chead;
        o->chead = j->next;
        mlops__s3_cache_put(o->cache, &j->d, j->data, j->len);
        mlops__s3_buffer_give(o->buffers, j->data);
        free(j);
    }
    /* Fetched ahead and never opened; queued ones no thread will take. */
    for (size_t i = 0; i < o->nroom; i++) fetched_free(o, o->room[i]);
    pthread_mutex_destroy(&o->mu);
    pthread_cond_destroy(&o->work);
    pthread_cond_destroy(&o->done);
    pthread_cond_destroy(&o->cwork);
    pthread_cond_destroy(&o->cdone);
    pthread_mutex_destroy(&o->cmu);
    mlops__s3_cache_close(o->cache);
    mlops__s3_close(o->client);
    mlops__s3_buffers_free(o->buffers);
    free(o->base);
    free(o);
}

/* ---- opening ------------------------------------------------------------ */

int mlops__objects_s3_open(const char *fn, const char *url, const char *endpoint,
                           const char *region, const char *cache_dir, uint64_t cache_bytes,
                           mlops__objects **out)
{
    *out = NULL;
    mlops__s3_location loc = { 0 };
    mlops__aws_settings aws = { 0 };
    mlops__aws_sources src = { .store_endpoint = endpoint, .store_region = region };
    int rc = mlops__s3_location_parse(fn, url, &loc);
    if (!rc) rc = mlops__aws_resolve(fn, &src, &aws);
    char *prefix = NULL;
    if (!rc && loc.prefix[0] && !(prefix = mlops__strcat3(loc.prefix, "/", NULL)))
        rc = mlops__err_nomem("opening S3 objects");
    struct s3objects *o = NULL;
    if (!rc && !(o = calloc(1, sizeof *o))) rc = mlops__err_nomem("opening S3 objects");
    if (!rc && !(o->base = mlops__strcat3("s3://", loc.bucket, "/")))
        rc = mlops__err_nomem("opening S3 objects");
    if (!rc && prefix) {
        char *with_prefix = mlops__strcat3(o->base, prefix, NULL);
        free(o->base);
        if (!(o->base = with_prefix)) rc = mlops__err_nomem("opening S3 objects");
    }
    if (!rc) {
        mlops__s3_settings set = { .endpoint = aws.endpoint,
                                   .region = aws.region,
                                   .bucket = loc.bucket,
                                   .prefix = prefix ? prefix : "",
                                   .path_style = aws.path_style,
                                   .access_key = aws.access_key,
                                   .secret_key = aws.secret_key,
                                   .session_token = aws.session_token };
        rc = mlops__s3_open(fn, &set, NULL, &o->client);
    }
    if (!rc && cache_dir) rc = mlops__s3_cache_open(cache_dir, cache_bytes, &o->cache);
    if (!rc && !(o->buffers = mlops__s3_buffers_new(KEEP_BYTES)))
        rc = mlops__err_nomem("opening S3 objects");
    free(prefix);
    mlops__s3_location_free(&loc);
    mlops__aws_settings_free(&aws);
    if (rc) {
        if (o) {
            mlops__s3_cache_close(o->cache);
            mlops__s3_close(o->client);
            free(o->base);
        }
        free(o);
        return rc;
    }
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->work, NULL);
    pthread_cond_init(&o->done, NULL);
    pthread_cond_init(&o->cwork, NULL);
    pthread_cond_init(&o->cdone, NULL);
    pthread_mutex_init(&o->cmu, NULL);
    o->be = (mlops__objects){
        .version = MLOPS__OBJECTS_VERSION,
        .remote = 1,
        .name = "S3",
        .stage = s_stage,
        .place = s_place,
        .discard = s_discard,
        .sync = s_sync,
        .open = s_open,
        .read = s_read,
        .close = s_close,
        .view = s_view,
        .exists = s_exists,
        .remove = s_remove,
        .foreach = s_foreach,
        .quarantine = s_quarantine,
        .damaged = s_damaged,
        .describe = s_describe,
        .prefetch = s_prefetch,
        .free = s_free,
        .name_put = s_name_put,
        .name_get = s_name_get,
        .count_fan = s_count_fan,
        .pack_put = s_pack_put,
        .pack_get = s_pack_get,
        .pack_foreach = s_pack_foreach,
    };
    *out = &o->be;
    return MLOPS_OK;
}
