/* Pull: what selections named on a remote, into the store. The
 * selections' records say which blobs and trees that is; every object
 * the store lacks is fetched and checked (header, decoding, digest) and
 * written as it was stored, on the pool's threads (each thread's temp
 * files settled together where the store's backend can: one syncfs, not
 * an fsync each, before any is renamed; with several threads by an I/O
 * helper, so that none of them waits in syncfs), the fan-out folders
 * fsync'd once per FLUSH objects and only then their rows committed (an interrupted
 * pull keeps them, and a rerun does not fetch them again: they are rows
 * no content names yet, which only gc's grace period protects, so a pull
 * resumed days later fetches them again). Then each chunked blob is
 * proven by hashing its chunks in order against its digest and each tree
 * is decoded, and only then are the content rows (and the refs of
 * ref:NAME selections) committed, in one transaction: nothing of a pull
 * is visible before all of it is proven. */
#include "remote/remote_internal.h"
#include "cas/keymap.h"
#include "cas/manifest.h"
#include "cas/tree_format.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/pool.h"
#include "util/sha256_pair.h"
#include "util/str.h"

#include <pthread.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Objects asked about (their rows) and announced to the remote at once:
 * the S3 backend remembers 256 announcements. */
#define LOOK 256
/* Objects placed before the fan-out folders they went into are fsync'd
 * and their rows committed, at least: a folder is fsync'd once per flush,
 * and with 256 folders a flush of 256 objects would fsync nearly one
 * folder per object. An interrupted pull commits what it placed. */
#define FLUSH 2048
/* Objects staged (written to temp files, their write-back started) and
 * not yet placed (fsync'd and renamed), by all fetching threads together:
 * the fsync then finds the work done or under way, and one journal commit
 * makes several files durable, as a put's does (lib/cas/ingest.c). A
 * store on S3 holds each staged object in memory (at most chunk_max_size,
 * compressed), so this bounds memory too. */
#define AHEAD 16
/* The same where the store's backend settles staged objects together
 * (settle: the local one's temp files made durable by one syncfs, not
 * one fsync each): each thread settles and places its staged objects
 * when it holds SETTLE_AHEAD / threads of them. They are files, not
 * memory: this bounds the open temp files and the syncfs calls. */
#define SETTLE_AHEAD 128
/* Fetching threads at most (the pool's limit decides below that). */
#define MAX_FETCHERS 8

typedef struct blob_chunks {
    mlops__chunk_ref *chunks;
    size_t n;
} blob_chunks;

/* A chunked blob proven while its chunks arrive: the thread that checked
 * chunk `next` hashes it into h, in order (a thread holding a later one
 * waits for its turn). Off: proven after the fetch instead, by reading
 * its chunks back (a chunk it shares with another position or another
 * blob, or one the store held already, arrives once or not at all). */
typedef struct stream {
    mlops__sha256 h; /* set up at chunk 0, freed at the end */
    mlops__sha256s hs; /* instead of h where the pull is fused */
    size_t blob;     /* index in ct */
    size_t next;     /* chunks hashed so far */
    int on;
} stream;

/* Where a chunk of a streamed blob sits: which stream, which position. */
typedef struct stream_at {
    size_t stream, pos;
} stream_at;

typedef struct pull pull;

/* An object wanted from a pack. */
typedef struct pack_want {
    size_t pack; /* index in pull.packs */
    mlops_digest d;
} pack_want;

/* One pack to fetch: the wanted objects want[0..n) of it. */
typedef struct pack_job {
    const pack_want *want;
    size_t n;
} pack_job;

/* One fetching thread's scratch, kept across batches. */
typedef struct fetcher {
    mlops__obj_reader *r;
    mlops__staged staged[SETTLE_AHEAD]; /* AHEAD of them without settle */
    size_t nstaged;
    /* With the I/O helper: the group it settles and places for this
     * thread (SETTLE_AHEAD entries), and whether it holds one (under mu). */
    mlops__staged *handed;
    size_t nhanded;
    int busy;
} fetcher;

struct pull {
    const char *fn;
    const char *source; /* "remote 'NAME'", "bundle 'FILE'": in messages */
    mlops_store *s;
    mlops__objects *be;
    mlops__selection *sels;
    mlops__record *recs;
    size_t nsels;
    mlops__rcontent *ct; /* every content of the records, children first */
    size_t nct;
    mlops__keymap in_ct; /* digest -> index in ct */
    unsigned char *need; /* ct[i] is not held by the store */
    blob_chunks *chunks; /* per content: the chunks of a needed chunked blob */
    mlops__obj_reader *r;
    uint64_t max_objects;
    mlops_transfer_report *report;
    unsigned char *proven; /* ct[i] was proven as its object arrived */
    /* the objects being asked about */
    const mlops_digest *batch;
    size_t nbatch;
    unsigned char *lacks;
    /* the objects being fetched, by the pool's threads (under mu) */
    pthread_mutex_t mu;
    const mlops_digest *want;
    size_t nwant, next;
    uint64_t taken; /* objects taken by fetching threads, this pull */
    int err;
    char errmsg[1024];
    unsigned nfetchers, started;
    size_t ahead; /* per thread: (SETTLE_)AHEAD / nfetchers, at least 2 */
    int settle;   /* the store's backend settles staged objects together */
    fetcher fetchers[MAX_FETCHERS];
    mlops__placed *placed; /* placed, waiting for the folders' fsync and the rows */
    mlops__removals_seen seen; /* before anything was placed */
    size_t nplaced, capplaced;
    size_t since_flush; /* objects fetched since the last flush_placed, at least nplaced */
    /* The I/O helper (see io_main), under mu: the fetchers whose handed
     * group waits for it, oldest first. */
    pthread_t io;
    int io_started, io_closing;
    pthread_cond_t io_cv;
    fetcher *io_queue[MAX_FETCHERS];
    size_t io_at, io_n;
    mlops__obj_staged **io_h; /* the handles it settles at once */
    /* Chunked blobs proven as their chunks arrive (under mu; stream_cv:
     * a stream moved on or stopped). */
    stream *streams;
    size_t nstreams;
    mlops__keymap chunk_at; /* chunk digest -> index in at */
    stream_at *at;
    pthread_cond_t stream_cv;
    /* Packs the records name (version 2): which of their objects lie in
     * which (object digest -> index in packs, the first pack naming it). */
    mlops_digest *packs;
    size_t npacks;
    mlops__keymap packed;
    /* The packs being fetched (under mu): jobs, each a run of pwant. */
    struct pack_job *jobs;
    size_t njobs, next_job;
    /* The CPU hashes two streams at once (util/sha256_pair.h): a streamed
     * chunk is hashed into its own digest and its blob's in one pass, in
     * its turn, rather than checked first and hashed again into its
     * blob's. */
    int fused;
};

static int read_records(pull *p)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < p->nsels; i++) {
        char name[MLOPS__RECORD_NAME_CAP];
        mlops__record_name(p->sels[i].text, name);
        void *buf = NULL;
        size_t len = 0;
        rc = p->be->name_get(p->be, name, &buf, &len);
        if (rc == MLOPS_ENOTFOUND) {
            char why[512];
            snprintf(why, sizeof why, "%s", mlops__err_message());
            rc = mlops__err(MLOPS_ENOTFOUND, "%s: %s has no record of %s (%s)", p->fn,
                            p->source, p->sels[i].text, why);
        }
        if (!rc) rc = mlops__record_decode(p->fn, p->sels[i].text, buf, len, &p->recs[i]);
        free(buf);
        if (!rc && strcmp(p->recs[i].selection, p->sels[i].text))
            rc = mlops__err(MLOPS_ECORRUPT, "%s: the record of %s in %s is another "
                                            "selection's", p->fn, p->sels[i].text, p->source);
    }
    return rc;
}

static int merge_contents(pull *p)
{
    size_t total = 0;
    for (size_t i = 0; i < p->nsels; i++) total += p->recs[i].ncontents;
    p->ct = malloc((total + 1) * sizeof *p->ct);
    if (!p->ct) return mlops__err_nomem("planning a pull");
    for (size_t i = 0; i < p->nsels; i++)
        for (size_t k = 0; k < p->recs[i].ncontents; k++) {
            const mlops__rcontent *c = &p->recs[i].contents[k];
            int added = 0;
            int rc = mlops__keymap_add(&p->in_ct, c->digest.bytes, p->nct, &added);
            if (rc) return rc;
            if (added) p->ct[p->nct++] = *c;
        }
    p->need = calloc(p->nct + 1, 1);
    p->proven = calloc(p->nct + 1, 1);
    p->chunks = calloc(p->nct + 1, sizeof *p->chunks);
    if (!p->need || !p->proven || !p->chunks) return mlops__err_nomem("planning a pull");
    return MLOPS_OK;
}

/* The packs the records name, each once, and which objects each holds
 * (their index records: one small read per pack). */
static int load_packs(pull *p)
{
    mlops__keymap seen = MLOPS__KEYMAP_INIT;
    size_t total = 0;
    for (size_t i = 0; i < p->nsels; i++) total += p->recs[i].npacks;
    if (!total) return MLOPS_OK;
    if (!p->be->pack_get)
        return mlops__err(MLOPS_EUNSUPPORTED, "%s: records of %s name packs, which the %s "
                                              "backend cannot hold", p->fn, p->source,
                          p->be->name);
    int rc = MLOPS_OK;
    if (!(p->packs = malloc(total * sizeof *p->packs))) rc = mlops__err_nomem("reading packs");
    for (size_t i = 0; !rc && i < p->nsels; i++)
        for (size_t k = 0; !rc && k < p->recs[i].npacks; k++) {
            int added = 0;
            rc = mlops__keymap_add(&seen, p->recs[i].packs[k].bytes, 0, &added);
            if (!rc && added) p->packs[p->npacks++] = p->recs[i].packs[k];
        }
    for (size_t k = 0; !rc && k < p->npacks; k++) {
        mlops__pack_entry *e = NULL;
        size_t ne = 0;
        rc = mlops__pack_index_read(p->be, p->source, &p->packs[k], 0, &e, &ne);
        if (rc == MLOPS_ENOTFOUND) {
            char hex[65];
            mlops__hex_encode(p->packs[k].bytes, 32, hex);
            rc = mlops__err(MLOPS_ECORRUPT, "%s: %s lacks pack %s that a record names", p->fn,
                            p->source, hex);
        }
        for (size_t i = 0; !rc && i < ne; i++)
            rc = mlops__keymap_add(&p->packed, e[i].digest.bytes, k, NULL);
        free(e);
    }
    mlops__keymap_free(&seen);
    return rc;
}

static int held_tx(mlops__conn *c, void *arg)
{
    pull *p = arg;
    memset(p->need, 0, p->nct);
    for (size_t i = 0; i < p->nct; i++) {
        mlops__content ct;
        int rc = mlops__content_get(c, p->fn, &p->ct[i].digest, &ct);
        if (rc == MLOPS_ENOTFOUND) {
            p->need[i] = 1;
            continue;
        }
        if (rc) return rc;
    }
    return MLOPS_OK;
}

static int lacking_tx(mlops__conn *c, void *arg)
{
    pull *p = arg;
    for (size_t i = 0; i < p->nbatch; i++) {
        int yes = 0;
        int rc = mlops__object_recorded(c, &p->batch[i], &yes);
        if (rc) return rc;
        p->lacks[i] = !yes;
    }
    return MLOPS_OK;
}

static int commit_objects_tx(mlops__conn *c, void *arg)
{
    pull *p = arg;
    return mlops__objects_commit(c, p->s, &p->seen, p->placed, p->nplaced, mlops__now_ms());
}

static int describe_bad(const pull *p, const mlops_digest *d, const char *why)
{
    char ds[MLOPS_DIGEST_STRLEN];
    return mlops__err(MLOPS_ECORRUPT, "%s: content %s from %s %s", p->fn,
                      mlops__digest_str(d, ds), p->source, why);
}

/* A fetching thread's failure, kept for the caller's thread (messages are
 * thread-local); the first one wins. */
static void fail(pull *p, int rc)
{
    pthread_mutex_lock(&p->mu);
    if (!p->err) {
        p->err = rc;
        snprintf(p->errmsg, sizeof p->errmsg, "%s", mlops__err_message());
    }
    pthread_cond_broadcast(&p->stream_cv); /* no one waits for a turn now */
    pthread_mutex_unlock(&p->mu);
}

/* The stream of object d, if d is a chunk of a streamed blob (its
 * position in *pos), else NULL. */
static stream *stream_of(pull *p, const mlops_digest *d, size_t *pos)
{
    size_t g = 0;
    if (!p->nstreams || !mlops__keymap_get(&p->chunk_at, d->bytes, &g)) return NULL;
    *pos = p->at[g].pos;
    return &p->streams[p->at[g].stream];
}

/* Waits for chunk pos's turn in st: 1 when it is its turn (the caller
 * then hashes it and calls stream_next), 0 when st stopped or the pull
 * failed. */
static int stream_wait(pull *p, stream *st, size_t pos)
{
    pthread_mutex_lock(&p->mu);
    while (st->on && st->next != pos && !p->err) pthread_cond_wait(&p->stream_cv, &p->mu);
    int turn = st->on && st->next == pos && !p->err;
    pthread_mutex_unlock(&p->mu);
    return turn;
}

/* Ends a turn in st: on to the next chunk, or stopped (stop: its hash
 * cannot go on), or done with the blob's digest in got (proving it when
 * it matches). */
static void stream_next(pull *p, stream *st, int stop, int done, const mlops_digest *got)
{
    pthread_mutex_lock(&p->mu);
    if (stop || done) st->on = 0;
    else st->next++;
    if (done && !stop && !memcmp(got->bytes, p->ct[st->blob].digest.bytes, 32))
        p->proven[st->blob] = 1;
    pthread_cond_broadcast(&p->stream_cv);
    pthread_mutex_unlock(&p->mu);
}

/* Hashes chunk pos of st's blob (its decoded bytes), in its turn. A
 * stream that cannot go on (a failed hash) stops: its blob is proven
 * later, from the store. After the last chunk, a digest that matches
 * proves the blob; one that does not leaves it to that later proof,
 * which fails the pull naming it. */
static void stream_feed(pull *p, stream *st, size_t pos, const void *bytes, size_t len)
{
    if (!stream_wait(p, st, pos)) return;
    /* Only the thread whose turn it is touches h. */
    int rc = pos == 0 ? mlops__sha256_init(&st->h) : MLOPS_OK;
    if (!rc) rc = mlops__sha256_update(&st->h, bytes, len);
    int done = !rc && pos + 1 == p->chunks[st->blob].n;
    mlops_digest got = {{0}};
    if (done) rc = mlops__sha256_final(&st->h, &got);
    if (rc || done) mlops__sha256_free(&st->h);
    stream_next(p, st, rc != MLOPS_OK, done, &got);
}

/* A streamed chunk's decoded size must be the one its blob's manifest
 * gives it: the blob's digest proves the bytes, not the sizes, and the
 * chunk rows are made from the manifest (a size that lies would name
 * each chunk at another offset, and every read of the blob would fail). */
static int check_chunk_size(const pull *p, const stream *st, size_t pos, const mlops_digest *d,
                            const char *where, uint64_t size)
{
    uint64_t want = p->chunks[st->blob].chunks[pos].size;
    if (size == want) return MLOPS_OK;
    char ds[MLOPS_DIGEST_STRLEN], bs[MLOPS_DIGEST_STRLEN];
    return mlops__err(MLOPS_ECORRUPT, "%s: chunk %s ('%s') from %s has %llu bytes where the "
                                      "manifest of blob %s says %llu",
                      p->fn, mlops__digest_str(d, ds), where, p->source,
                      (unsigned long long)size, mlops__digest_str(&p->ct[st->blob].digest, bs),
                      (unsigned long long)want);
}

/* Checks streamed chunk d (obj, n bytes as stored; chunk pos of st) and
 * hashes its decoded bytes into st's blob, both digests in one pass (in
 * its turn: fused). *enc, *size as mlops__object_check_encoded sets them;
 * *plain the decoded bytes when they are not obj's (freed by the caller). */
static int fused_check(pull *p, fetcher *f, stream *st, size_t pos, const mlops_digest *d,
                       const unsigned char *obj, size_t n, const char *where, int *enc,
                       uint64_t *size, unsigned char **plain)
{
    const unsigned char *bytes = NULL;
    int rc = mlops__object_decode_encoded(f->r, d, obj, n, where, enc, size, &bytes, plain);
    if (!rc) rc = check_chunk_size(p, st, pos, d, where, *size);
    if (rc) {
        free(*plain);
        *plain = NULL;
        return rc;
    }
    mlops__sha256s one;
    mlops__sha256s_init(&one);
    mlops_digest got;
    if (stream_wait(p, st, pos)) {
        if (pos == 0) mlops__sha256s_init(&st->hs);
        mlops__sha256s_update_pair(&one, &st->hs, bytes, (size_t)*size);
        mlops__sha256s_final(&one, &got);
        rc = mlops__object_check_hashed(d, where, &got);
        int done = !rc && pos + 1 == p->chunks[st->blob].n;
        mlops_digest blob = {{0}};
        if (done) mlops__sha256s_final(&st->hs, &blob);
        stream_next(p, st, rc != MLOPS_OK, done, &blob);
    } else {
        mlops__sha256s_update(&one, bytes, (size_t)*size);
        mlops__sha256s_final(&one, &got);
        rc = mlops__object_check_hashed(d, where, &got);
    }
    if (rc) {
        free(*plain);
        *plain = NULL;
    }
    return rc;
}

/* An object of this batch the store holds already: if it is a streamed
 * chunk, it will not arrive, so its blob is proven later. Called while
 * no fetching thread runs. */
static void stream_skip(pull *p, const mlops_digest *d)
{
    size_t pos = 0;
    stream *st = stream_of(p, d, &pos);
    if (st && st->on) {
        mlops__sha256_free(&st->h); /* (NULL before chunk 0) */
        st->on = 0;
    }
}

/* Places staged object st; counted as fetched once placed. */
static int place_one(pull *p, mlops__staged *st)
{
    mlops__placed pl;
    int rc = mlops__object_place(p->s, st, &pl);
    if (rc) return rc;
    pthread_mutex_lock(&p->mu);
    p->placed[p->nplaced++] = pl; /* room: see fetch_all */
    p->report->objects_sent++;
    p->report->bytes_sent += pl.stored;
    pthread_mutex_unlock(&p->mu);
    return MLOPS_OK;
}

/* Places the oldest object f staged. */
static int place_oldest(pull *p, fetcher *f)
{
    mlops__staged st = f->staged[0];
    memmove(f->staged, f->staged + 1, (f->nstaged - 1) * sizeof *f->staged);
    f->nstaged--;
    return place_one(p, &st);
}

/* Places the staged objects st[0..n), in order, unless rc (their
 * settling failed): after a failure the rest are dropped. */
static int place_settled(pull *p, mlops__staged *st, size_t n, int rc)
{
    for (size_t i = 0; i < n; i++) {
        if (!rc) rc = place_one(p, &st[i]);
        else mlops__staged_discard(&st[i]);
    }
    return rc;
}

/* The same, settled together first when the store's backend can. */
static int place_group(pull *p, mlops__staged *st, size_t n)
{
    int rc = MLOPS_OK;
    if (p->settle && n) {
        mlops__objects *sb = p->s->objects;
        mlops__obj_staged *h[SETTLE_AHEAD];
        for (size_t i = 0; i < n; i++) h[i] = st[i].h;
        rc = sb->settle(sb, h, n);
    }
    return place_settled(p, st, n, rc);
}

/* Places every object f staged (also after another thread failed: what
 * arrived stays for a rerun). */
static int place_all(pull *p, fetcher *f)
{
    int rc = place_group(p, f->staged, f->nstaged);
    f->nstaged = 0;
    return rc;
}

/* The I/O helper: settles and places the groups the fetching threads
 * hand it, oldest first, until the pull closes. A settle (one syncfs and
 * a flush) waits on the disk, for all that the file system has to write,
 * often longer than fetching, checking and writing the next group takes;
 * on a fetching thread that wait would leave a core idle. It waits on the
 * disk and does nothing else, which is why the thread limit does not
 * count it (doc/conventions.md, threads), as ingest's. */
static void *io_main(void *arg)
{
    pull *p = arg;
    /* Named for those who count threads (tests/test_threads.c). */
    (void)pthread_setname_np(pthread_self(), "mlops-io");
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->io_n) {
            /* Every group waiting is settled by one syncfs: when the disk
             * is slower than the fetching, they pile up here. */
            fetcher *batch[MAX_FETCHERS];
            size_t nb = 0, nh = 0;
            while (p->io_n) {
                batch[nb++] = p->io_queue[p->io_at];
                p->io_at = (p->io_at + 1) % MAX_FETCHERS;
                p->io_n--;
            }
            pthread_mutex_unlock(&p->mu);
            for (size_t b = 0; b < nb; b++)
                for (size_t i = 0; i < batch[b]->nhanded; i++) p->io_h[nh++] = batch[b]->handed[i].h;
            mlops__objects *sb = p->s->objects;
            int rc = nh ? sb->settle(sb, p->io_h, nh) : MLOPS_OK;
            for (size_t b = 0; b < nb; b++) {
                int brc = place_settled(p, batch[b]->handed, batch[b]->nhanded, rc);
                if (brc) fail(p, brc);
            }
            pthread_mutex_lock(&p->mu);
            for (size_t b = 0; b < nb; b++) {
                batch[b]->nhanded = 0;
                batch[b]->busy = 0;
            }
            pthread_cond_broadcast(&p->io_cv);
            continue;
        }
        if (p->io_closing) break;
        pthread_cond_wait(&p->io_cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Gives what f staged to the I/O helper, once it is done with f's
 * previous group (so each thread has at most two groups of temp files). */
static void hand_off(pull *p, fetcher *f)
{
    if (!f->nstaged) return;
    pthread_mutex_lock(&p->mu);
    while (f->busy) pthread_cond_wait(&p->io_cv, &p->mu);
    memcpy(f->handed, f->staged, f->nstaged * sizeof *f->staged);
    f->nhanded = f->nstaged;
    f->nstaged = 0;
    f->busy = 1;
    p->io_queue[(p->io_at + p->io_n) % MAX_FETCHERS] = f;
    p->io_n++;
    pthread_cond_broadcast(&p->io_cv);
    pthread_mutex_unlock(&p->mu);
}

/* Waits until the I/O helper has placed every group handed to it. */
static void io_drain(pull *p)
{
    if (!p->io_started) return;
    pthread_mutex_lock(&p->mu);
    for (unsigned i = 0; i < p->nfetchers; i++)
        while (p->fetchers[i].busy) pthread_cond_wait(&p->io_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* Starts the I/O helper where groups are settled (the store's backend
 * can) and there are several fetching threads; without it (at one
 * thread, or when it cannot start) the fetching threads place. */
static void io_start(pull *p)
{
    if (!p->settle || p->nfetchers < 2) return;
    if (!(p->io_h = malloc(p->nfetchers * SETTLE_AHEAD * sizeof *p->io_h))) return;
    for (unsigned i = 0; i < p->nfetchers; i++)
        if (!(p->fetchers[i].handed = malloc(SETTLE_AHEAD * sizeof *p->fetchers[i].handed)))
            return;
    p->io_started = pthread_create(&p->io, NULL, io_main, p) == 0;
}

static void io_stop(pull *p)
{
    if (p->io_started) {
        pthread_mutex_lock(&p->mu);
        p->io_closing = 1;
        pthread_cond_broadcast(&p->io_cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->io, NULL);
        p->io_started = 0;
    }
    for (unsigned i = 0; i < MAX_FETCHERS; i++) {
        free(p->fetchers[i].handed);
        p->fetchers[i].handed = NULL;
    }
    free(p->io_h);
    p->io_h = NULL;
}

/* The fan-out folders of the placed objects are fsync'd (each once), then
 * their rows committed: an object is durable before a row names it. What
 * the fetching threads still hold staged (they keep it from one batch to
 * the next) is handed to the I/O helper and placed first. Called while
 * no fetching thread runs. */
static int flush_placed(pull *p)
{
    if (p->io_started)
        for (unsigned i = 0; i < p->nfetchers; i++) hand_off(p, &p->fetchers[i]);
    io_drain(p);
    p->since_flush = 0;
    int rc = mlops__objects_sync(p->s, p->placed, p->nplaced);
    if (!rc && p->nplaced) rc = mlops__store_write(p->s, commit_objects_tx, p);
    if (rc) mlops__objects_discard(p->s, p->placed, p->nplaced);
    for (size_t i = 0; i < p->nplaced; i++) mlops__placed_clear(&p->placed[i]);
    p->nplaced = 0;
    /* A group the helper failed to settle or place (what it did place is
     * committed above, for a rerun). */
    if (!rc && p->err) rc = mlops__err(p->err, "%s", p->errmsg);
    return rc;
}

/* A whole blob or a tree that arrived (checked against its digest
 * already, decoded: obj, len) is proven here, so that it is not read back
 * later: its size must be the record's, and a tree's entries must be
 * content the record lists before it. Objects that are not content (a
 * manifest, a chunk) are proven with their blob. */
static int prove_arrived(pull *p, const mlops_digest *d, const void *obj, uint64_t len)
{
    size_t i = 0;
    if (!mlops__keymap_get(&p->in_ct, d->bytes, &i) || p->ct[i].has_manifest) return MLOPS_OK;
    const mlops__rcontent *c = &p->ct[i];
    if (len != c->size) return describe_bad(p, d, "has another size than its record says");
    if (c->kind == MLOPS__KIND_TREE) {
        mlops__tree_entry *e = NULL;
        size_t ne = 0;
        char what[MLOPS_DIGEST_STRLEN];
        int rc = mlops__tree_decode(obj, (size_t)len, mlops__digest_str(d, what), &e, &ne);
        for (size_t k = 0; !rc && k < ne; k++) {
            size_t at = 0;
            if (!mlops__keymap_get(&p->in_ct, e[k].digest.bytes, &at) || at >= i)
                rc = describe_bad(p, d,
                                  "is a tree naming content its record lists not before it");
        }
        mlops__tree_entries_free(e, ne);
        if (rc) return rc;
    }
    p->proven[i] = 1; /* one thread per object, so per content */
    return MLOPS_OK;
}

/* Checks object d (buf, n bytes as stored; where names it in messages:
 * header, decoding, digest), proves it or feeds its stream, and stages it
 * in the store; when f holds its share of AHEAD, places the oldest
 * staged, or of SETTLE_AHEAD, settles and places them all. */
static int take_object(pull *p, fetcher *f, const mlops_digest *d, const unsigned char *buf,
                       uint64_t n, const char *where)
{
    int rc = MLOPS_OK;
    int enc = 0;
    uint64_t size = 0;
    size_t at = 0;
    /* A tree is kept decoded, to prove it now; so is a compressed chunk
     * of a blob proven as it arrives (a raw one is its payload). */
    int tree = mlops__keymap_get(&p->in_ct, d->bytes, &at) && p->ct[at].kind == MLOPS__KIND_TREE;
    size_t pos = 0;
    stream *st = stream_of(p, d, &pos);
    int keep = tree || (st && n > MLOPS__OBJ_HEADER_SIZE && buf[5] != MLOPS__ENC_RAW);
    void *plain = NULL;
    if (st && p->fused) {
        unsigned char *owned = NULL;
        rc = fused_check(p, f, st, pos, d, buf, (size_t)n, where, &enc, &size, &owned);
        plain = owned; /* NULL for a raw chunk: its bytes are buf's */
        if (!rc) rc = prove_arrived(p, d, plain ? plain : buf + MLOPS__OBJ_HEADER_SIZE, size);
    } else {
        rc = mlops__object_check_encoded(f->r, d, buf, (size_t)n, where, &enc, &size,
                                         keep ? &plain : NULL);
        if (!rc) rc = prove_arrived(p, d, plain, size);
        if (!rc && st) rc = check_chunk_size(p, st, pos, d, where, size);
        if (!rc && st)
            stream_feed(p, st, pos, plain ? plain : buf + MLOPS__OBJ_HEADER_SIZE, (size_t)size);
    }
    free(plain);
    /* Where they are settled together, their write-out is left to that. */
    if (!rc && p->settle)
        rc = mlops__object_stage_encoded_settled(p->s, d, buf, (size_t)n, enc, size,
                                                 &f->staged[f->nstaged]);
    else if (!rc)
        rc = mlops__object_stage_encoded(p->s, d, buf, (size_t)n, enc, size,
                                         &f->staged[f->nstaged]);
    if (rc) return rc;
    f->nstaged++;
    if (f->nstaged < p->ahead) return MLOPS_OK;
    if (p->io_started) {
        hand_off(p, f);
        return MLOPS_OK;
    }
    return p->settle ? place_all(p, f) : place_oldest(p, f);
}

/* Fetches loose object d from the remote and takes it (take_object). */
static int fetch_one(pull *p, fetcher *f, const mlops_digest *d)
{
    mlops__objects *be = p->be;
    char where[1024];
    be->describe(be, d, where, sizeof where);
    mlops__obj_in *in = NULL;
    uint64_t n = 0;
    const unsigned char *buf = NULL;
    unsigned char *copy = NULL;
    size_t got = 0;
    int rc = be->open(be, d, &in, &n);
    if (rc == MLOPS_ENOTFOUND) {
        char ds[MLOPS_DIGEST_STRLEN];
        return mlops__err(MLOPS_ECORRUPT, "%s: %s lacks object %s ('%s') that its "
                                          "record names", p->fn, p->source,
                          mlops__digest_str(d, ds), where);
    }
    if (rc) return rc;
    /* A backend holding the object in memory (S3) lends its bytes: the
     * object is checked and staged from them, not from a copy. */
    if (!(be->view && be->view(be, in, &buf, &got))) {
        copy = n > ((uint64_t)1 << 32) ? NULL : malloc(n ? (size_t)n : 1);
        if (!copy) rc = mlops__err_nomem("fetching an object");
        if (!rc) rc = be->read(be, in, copy, (size_t)n, &got);
        buf = copy;
    }
    if (!rc && got != n) rc = mlops__err(MLOPS_ECORRUPT, "object '%s' is truncated", where);
    if (!rc) rc = take_object(p, f, d, buf, n, where);
    be->close(be, in);
    free(copy);
    return rc;
}

/* Fetches the pack of job j whole (one read: at most
 * MLOPS__OBJECTS_PACK_MAX bytes), checks its index, and takes each wanted
 * object from it, checked as a loose one is. */
static int fetch_pack(pull *p, fetcher *f, const pack_job *j)
{
    mlops__objects *be = p->be;
    const mlops_digest *pd = &p->packs[j->want[0].pack];
    char name[MLOPS__PACK_NAME_CAP], what[256];
    mlops__pack_name(pd, name);
    snprintf(what, sizeof what, "pack %s of %s", name + 5, p->source);
    void *buf = NULL;
    size_t len = 0;
    int rc = be->pack_get(be, pd, &buf, &len);
    if (rc == MLOPS_ENOTFOUND)
        return mlops__err(MLOPS_ECORRUPT, "%s: %s lacks pack %s that its record names", p->fn,
                          p->source, name + 5);
    if (rc) return rc;
    mlops__pack_entry *e = NULL;
    size_t ne = 0;
    mlops__keymap at = MLOPS__KEYMAP_INIT;
    rc = mlops__pack_index_decode(what, buf, len, 1, &e, &ne);
    for (size_t i = 0; !rc && i < ne; i++) rc = mlops__keymap_add(&at, e[i].digest.bytes, i, NULL);
    for (size_t k = 0; !rc && k < j->n; k++) {
        const mlops_digest *d = &j->want[k].d;
        pthread_mutex_lock(&p->mu);
        int stop = p->err != 0;
        if (!stop && p->max_objects && p->taken >= p->max_objects) {
            pthread_mutex_unlock(&p->mu);
            rc = mlops__err(MLOPS_EIO, "%s: stopped after %llu objects, as asked", p->fn,
                            (unsigned long long)p->max_objects);
            break;
        }
        if (!stop) p->taken++;
        pthread_mutex_unlock(&p->mu);
        if (stop) break;
        size_t i = 0;
        char ds[MLOPS_DIGEST_STRLEN];
        if (!mlops__keymap_get(&at, d->bytes, &i)) {
            rc = mlops__err(MLOPS_ECORRUPT, "%s: %s does not hold object %s that its index "
                                            "record names", p->fn, what,
                            mlops__digest_str(d, ds));
            break;
        }
        char where[320];
        snprintf(where, sizeof where, "%s at offset %llu", what, (unsigned long long)e[i].offset);
        rc = take_object(p, f, d, (const unsigned char *)buf + e[i].offset, e[i].len, where);
    }
    mlops__keymap_free(&at);
    free(e);
    free(buf);
    return rc;
}

/* A fetching thread's own fetcher (*rc: making its reader failed). */
static fetcher *fetcher_begin(pull *p, int *rc)
{
    pthread_mutex_lock(&p->mu);
    fetcher *f = &p->fetchers[p->started++];
    pthread_mutex_unlock(&p->mu);
    *rc = f->r ? MLOPS_OK : mlops__obj_reader_new(&f->r);
    return f;
}

/* A fetching thread's end: its failure (rc) becomes the pull's, and what
 * it staged is placed. With the I/O helper, what f staged stays staged
 * until its group is full or the rows are written (flush_placed): the
 * next batch goes on filling it, and no batch waits for the helper's
 * syncfs. */
static void fetcher_end(pull *p, fetcher *f, int rc)
{
    if (rc) fail(p, rc);
    if (p->io_started) return;
    rc = place_all(p, f);
    if (rc) fail(p, rc);
}

/* A fetching thread (the pool's, or the caller's): takes the next wanted
 * object until none is left, the budget is spent or a thread failed,
 * then places what it staged. */
static void fetch_main(void *arg)
{
    pull *p = arg;
    int rc = MLOPS_OK;
    fetcher *f = fetcher_begin(p, &rc);
    while (!rc) {
        pthread_mutex_lock(&p->mu);
        if (p->err || p->next == p->nwant) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        if (p->max_objects && p->taken >= p->max_objects) {
            pthread_mutex_unlock(&p->mu);
            rc = mlops__err(MLOPS_EIO, "%s: stopped after %llu objects, as asked", p->fn,
                            (unsigned long long)p->max_objects);
            break;
        }
        const mlops_digest *d = &p->want[p->next++];
        p->taken++;
        pthread_mutex_unlock(&p->mu);
        rc = fetch_one(p, f, d);
    }
    fetcher_end(p, f, rc);
}

/* A fetching thread for packs: takes the next pack until none is left,
 * the budget is spent or a thread failed, as fetch_main. */
static void pack_main(void *arg)
{
    pull *p = arg;
    int rc = MLOPS_OK;
    fetcher *f = fetcher_begin(p, &rc);
    while (!rc) {
        pthread_mutex_lock(&p->mu);
        if (p->err || p->next_job == p->njobs) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        const pack_job *j = &p->jobs[p->next_job++];
        pthread_mutex_unlock(&p->mu);
        rc = fetch_pack(p, f, j);
    }
    fetcher_end(p, f, rc);
}

static int by_pack(const void *a, const void *b)
{
    const pack_want *x = a, *y = b;
    if (x->pack != y->pack) return x->pack < y->pack ? -1 : 1;
    return memcmp(x->d.bytes, y->d.bytes, 32);
}

/* Makes sure the store holds the packed objects d[0..n): those without a
 * row are fetched, each pack that holds any of them once, on the pool's
 * threads (one pack per thread at a time). */
static int fetch_packed(pull *p, const mlops_digest *d, size_t n)
{
    pack_want *want = malloc((n + 1) * sizeof *want);
    if (!want) return mlops__err_nomem("fetching packs");
    size_t nwant = 0;
    int rc = MLOPS_OK;
    for (size_t at = 0; !rc && at < n; at += LOOK) {
        p->batch = d + at;
        p->nbatch = n - at < LOOK ? n - at : LOOK;
        rc = mlops__store_read(p->s, lacking_tx, p);
        for (size_t i = 0; !rc && i < p->nbatch; i++) {
            if (!p->lacks[i]) {
                p->report->objects_present++;
                stream_skip(p, &p->batch[i]);
                continue;
            }
            size_t k = 0;
            mlops__keymap_get(&p->packed, p->batch[i].bytes, &k);
            want[nwant].pack = k;
            want[nwant++].d = p->batch[i];
        }
    }
    if (!rc && nwant) {
        qsort(want, nwant, sizeof *want, by_pack);
        p->jobs = malloc(nwant * sizeof *p->jobs);
        if (!p->jobs) rc = mlops__err_nomem("fetching packs");
        p->njobs = 0;
        for (size_t i = 0; !rc && i < nwant; i++) {
            if (i && want[i].pack == want[i - 1].pack) {
                p->jobs[p->njobs - 1].n++;
                continue;
            }
            p->jobs[p->njobs].want = &want[i];
            p->jobs[p->njobs++].n = 1;
        }
        /* Room in p->placed for every object of them: what was placed
         * before is committed first. */
        if (!rc) rc = flush_placed(p);
        if (!rc && nwant + LOOK > p->capplaced) {
            mlops__placed *np = realloc(p->placed, (nwant + LOOK) * sizeof *np);
            if (!np) rc = mlops__err_nomem("fetching packs");
            else {
                p->placed = np;
                p->capplaced = nwant + LOOK;
            }
        }
        if (!rc) {
            p->next_job = 0;
            p->started = 0;
            unsigned threads = p->nfetchers < p->njobs ? p->nfetchers : (unsigned)p->njobs;
            mlops__pool_run(threads, pack_main, p);
            rc = p->err ? mlops__err(p->err, "%s", p->errmsg) : MLOPS_OK;
        }
        p->since_flush += nwant;
        int frc = flush_placed(p); /* also after a failure: what arrived stays for a rerun */
        if (!rc) rc = frc;
        free(p->jobs);
        p->jobs = NULL;
        p->njobs = 0;
    }
    free(want);
    return rc;
}

/* Fetches want[0..n) on the pool's threads (p->placed has room for n
 * more). */
static int fetch_some(pull *p, const mlops_digest *want, size_t n)
{
    p->want = want;
    p->nwant = n;
    p->next = 0;
    p->started = 0;
    if (p->be->prefetch) p->be->prefetch(p->be, want, n);
    unsigned threads = p->nfetchers < n ? p->nfetchers : (unsigned)n;
    mlops__pool_run(threads, fetch_main, p);
    return p->err ? mlops__err(p->err, "%s", p->errmsg) : MLOPS_OK;
}

/* Makes sure the store holds objects d[0..n): those without a row are
 * fetched, announced to the remote first so that it may fetch ahead. */
static int fetch_all(pull *p, const mlops_digest *all, size_t nall)
{
    /* Those in packs first, each pack once; then the loose ones. */
    const mlops_digest *d = all;
    mlops_digest *owned = NULL;
    size_t n = nall;
    int rc = MLOPS_OK;
    if (p->npacks) {
        mlops_digest *loose = malloc((nall + 1) * sizeof *loose);
        mlops_digest *inpack = malloc((nall + 1) * sizeof *inpack);
        size_t nl = 0, np = 0;
        if (!loose || !inpack) rc = mlops__err_nomem("fetching objects");
        for (size_t i = 0; !rc && i < nall; i++) {
            if (mlops__keymap_get(&p->packed, all[i].bytes, NULL)) inpack[np++] = all[i];
            else loose[nl++] = all[i];
        }
        if (!rc && np) rc = fetch_packed(p, inpack, np);
        free(inpack);
        if (rc) {
            free(loose);
            return rc;
        }
        d = owned = loose;
        n = nl;
    }
    mlops_digest *want = malloc(LOOK * sizeof *want);
    if (!want) {
        free(owned);
        return mlops__err_nomem("fetching objects");
    }
    for (size_t at = 0; !rc && at < n; at += LOOK) {
        p->batch = d + at;
        p->nbatch = n - at < LOOK ? n - at : LOOK;
        rc = mlops__store_read(p->s, lacking_tx, p);
        size_t nwant = 0;
        for (size_t i = 0; !rc && i < p->nbatch; i++) {
            if (p->lacks[i]) {
                want[nwant++] = p->batch[i];
            } else {
                p->report->objects_present++;
                stream_skip(p, &p->batch[i]);
            }
        }
        if (!rc && nwant) rc = fetch_some(p, want, nwant);
        /* p->placed has room for what was fetched since the last flush
         * (placed now, or by the I/O helper later) and one more batch. */
        p->since_flush += nwant;
        if (!rc && p->since_flush + LOOK > p->capplaced) rc = flush_placed(p);
    }
    free(want);
    free(owned);
    int frc = flush_placed(p); /* also after a failure: what arrived stays for a rerun */
    return rc ? rc : frc;
}

typedef struct dlist {
    mlops__keymap seen;
    mlops_digest *d;
    size_t n, cap;
} dlist;

static int dlist_add(dlist *l, const mlops_digest *d)
{
    int added = 0;
    int rc = mlops__keymap_add(&l->seen, d->bytes, 0, &added);
    if (rc || !added) return rc;
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 64;
        mlops_digest *nd = realloc(l->d, nc * sizeof *nd);
        if (!nd) return mlops__err_nomem("planning a pull");
        l->d = nd;
        l->cap = nc;
    }
    l->d[l->n++] = *d;
    return MLOPS_OK;
}

static void dlist_free(dlist *l)
{
    mlops__keymap_free(&l->seen);
    free(l->d);
}

/* The manifests of needed chunked blobs are in the store now: their
 * chunk lists, checked against the record's size. */
static int read_manifests(pull *p, dlist *chunks)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < p->nct; i++) {
        if (!p->need[i] || !p->ct[i].has_manifest) continue;
        void *buf = NULL;
        size_t len = 0;
        uint64_t total = 0;
        rc = mlops__object_read_alloc(p->s, p->r, &p->ct[i].manifest, &buf, &len);
        char what[MLOPS_DIGEST_STRLEN];
        mlops__digest_str(&p->ct[i].manifest, what);
        if (!rc) rc = mlops__manifest_decode(buf, len, what, &total, &p->chunks[i].chunks,
                                             &p->chunks[i].n);
        free(buf);
        if (!rc && total != p->ct[i].size)
            rc = describe_bad(p, &p->ct[i].digest, "has a manifest of another size");
        for (size_t k = 0; !rc && k < p->chunks[i].n; k++)
            rc = dlist_add(chunks, &p->chunks[i].chunks[k].digest);
    }
    return rc;
}

/* Sets up a stream for each needed chunked blob, each of whose chunks
 * appears once among them all (chunks fetched in the order read_manifests
 * listed them: blob by blob, in order). */
static int streams_setup(pull *p)
{
    size_t nchunks = 0;
    for (size_t i = 0; i < p->nct; i++)
        if (p->need[i] && p->ct[i].has_manifest) {
            p->nstreams++;
            nchunks += p->chunks[i].n;
        }
    if (!p->nstreams) return MLOPS_OK;
    p->streams = calloc(p->nstreams, sizeof *p->streams);
    p->at = malloc(nchunks * sizeof *p->at);
    if (!p->streams || !p->at) return mlops__err_nomem("planning a pull");
    size_t sn = 0, g = 0;
    for (size_t i = 0; i < p->nct; i++) {
        if (!p->need[i] || !p->ct[i].has_manifest) continue;
        stream *st = &p->streams[sn];
        st->blob = i;
        st->on = p->chunks[i].n > 0;
        for (size_t k = 0; k < p->chunks[i].n; k++) {
            /* A chunk in a pack arrives with the pack's other objects, out
             * of the blob's order: the blob is proven after the fetch. */
            if (mlops__keymap_get(&p->packed, p->chunks[i].chunks[k].digest.bytes, NULL))
                st->on = 0;
            int added = 0;
            int rc = mlops__keymap_add(&p->chunk_at, p->chunks[i].chunks[k].digest.bytes, g,
                                       &added);
            if (rc) return rc;
            if (added) {
                p->at[g].stream = sn;
                p->at[g++].pos = k;
                continue;
            }
            /* A chunk at two positions: neither blob is streamed. */
            size_t first = 0;
            mlops__keymap_get(&p->chunk_at, p->chunks[i].chunks[k].digest.bytes, &first);
            p->streams[p->at[first].stream].on = 0;
            st->on = 0;
        }
        sn++;
    }
    return MLOPS_OK;
}

/* Proves each needed blob and tree from the store's objects. */
static int prove(pull *p)
{
    int rc = MLOPS_OK;
    mlops__sha256 h = {0};
    unsigned char *buf = NULL;
    size_t cap = 0;
    rc = mlops__sha256_init(&h);
    for (size_t i = 0; !rc && i < p->nct; i++) {
        if (!p->need[i] || p->proven[i]) continue;
        const mlops__rcontent *c = &p->ct[i];
        if (c->has_manifest) {
            for (size_t k = 0; !rc && k < p->chunks[i].n; k++) {
                const mlops__chunk_ref *ch = &p->chunks[i].chunks[k];
                if (ch->size > cap) {
                    unsigned char *nb = realloc(buf, (size_t)ch->size);
                    if (!nb) {
                        rc = mlops__err_nomem("proving a blob");
                        break;
                    }
                    buf = nb;
                    cap = (size_t)ch->size;
                }
                rc = mlops__object_decode(p->s, p->r, &ch->digest, buf, (size_t)ch->size);
                if (!rc) rc = mlops__sha256_update(&h, buf, (size_t)ch->size);
            }
            mlops_digest got;
            if (!rc) rc = mlops__sha256_final(&h, &got);
            if (!rc && memcmp(got.bytes, c->digest.bytes, 32))
                rc = describe_bad(p, &c->digest, "does not hash to its digest");
            continue;
        }
        void *obj = NULL;
        size_t len = 0;
        rc = mlops__object_read_alloc(p->s, p->r, &c->digest, &obj, &len);
        if (!rc && len != c->size)
            rc = describe_bad(p, &c->digest, "has another size than its record says");
        if (!rc && c->kind == MLOPS__KIND_TREE) {
            mlops__tree_entry *e = NULL;
            size_t ne = 0;
            char what[MLOPS_DIGEST_STRLEN];
            rc = mlops__tree_decode(obj, len, mlops__digest_str(&c->digest, what), &e, &ne);
            for (size_t k = 0; !rc && k < ne; k++) {
                size_t at = 0;
                if (!mlops__keymap_get(&p->in_ct, e[k].digest.bytes, &at) || at >= i)
                    rc = describe_bad(p, &c->digest,
                                      "is a tree naming content its record lists not before it");
            }
            mlops__tree_entries_free(e, ne);
        }
        free(obj);
    }
    mlops__sha256_free(&h);
    free(buf);
    return rc;
}

static int insert_child(mlops__conn *c, const mlops_digest *tree, const mlops_digest *child)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO cas_tree_child(tree, child) VALUES (?1, ?2) "
                              "ON CONFLICT(tree, child) DO NOTHING",
                              &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, tree->bytes, 32);
    if (!rc) rc = mlops__bind_blob(c, st, 2, child->bytes, 32);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a tree's child");
    return rc;
}

static int insert_chunks(mlops__conn *c, const mlops_digest *blob, const blob_chunks *bc)
{
    uint64_t offset = 0;
    int rc = MLOPS_OK;
    for (size_t k = 0; !rc && k < bc->n; k++) {
        mlops__stmt *st;
        rc = mlops__conn_stmt(c,
                              "INSERT INTO cas_chunk(blob, pos, size, chunk) "
                              "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(blob, pos) DO NOTHING",
                              &st);
        if (!rc) rc = mlops__bind_blob(c, st, 1, blob->bytes, 32);
        if (!rc) rc = mlops__bind_int64(c, st, 2, (int64_t)offset);
        if (!rc) rc = mlops__bind_int64(c, st, 3, (int64_t)bc->chunks[k].size);
        if (!rc) rc = mlops__bind_blob(c, st, 4, bc->chunks[k].digest.bytes, 32);
        if (!rc) rc = mlops__conn_step_done(c, st, "recording a chunk");
        offset += bc->chunks[k].size;
    }
    return rc;
}

static int set_ref(mlops__conn *c, const char *name, const mlops_digest *d, int64_t now)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO cas_ref(name, digest, updated_ms) VALUES (?1, ?2, ?3) "
                              "ON CONFLICT(name) DO UPDATE SET digest = excluded.digest, "
                              "updated_ms = excluded.updated_ms",
                              &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, name);
    if (!rc) rc = mlops__bind_blob(c, st, 2, d->bytes, 32);
    if (!rc) rc = mlops__bind_int64(c, st, 3, now);
    if (!rc) rc = mlops__conn_step_done(c, st, "setting a ref");
    return rc;
}

static int set_entries(mlops__conn *c, const mlops_digest *tree, uint64_t entries)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "UPDATE cas_content SET chunks = ?2 WHERE digest = ?1", &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, tree->bytes, 32);
    if (!rc) rc = mlops__bind_int64(c, st, 2, (int64_t)entries);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a tree");
    return rc;
}

/* The tree's children, read again from its object (proven already). */
static int tree_children(pull *p, mlops__conn *c, const mlops_digest *tree, uint64_t *entries)
{
    void *obj = NULL;
    size_t len = 0;
    mlops__tree_entry *e = NULL;
    size_t ne = 0;
    char what[MLOPS_DIGEST_STRLEN];
    int rc = mlops__object_read_alloc(p->s, p->r, tree, &obj, &len);
    if (!rc) rc = mlops__tree_decode(obj, len, mlops__digest_str(tree, what), &e, &ne);
    for (size_t k = 0; !rc && k < ne; k++) rc = insert_child(c, tree, &e[k].digest);
    *entries = ne;
    mlops__tree_entries_free(e, ne);
    free(obj);
    return rc;
}

static int commit_tx(mlops__conn *c, void *arg)
{
    pull *p = arg;
    int64_t now = mlops__now_ms();
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < p->nct; i++) {
        const mlops__rcontent *ct = &p->ct[i];
        int found = 0;
        rc = mlops__content_touch(c, &ct->digest, now, &found);
        if (rc || found) continue;
        /* Held when the pull planned, so neither fetched nor proven (nor
         * its chunk list read), and gone since (a gc): its row would name
         * what nobody checked is there. */
        if (!p->need[i]) {
            char ds[MLOPS_DIGEST_STRLEN];
            rc = mlops__err(MLOPS_ECONFLICT, "%s: content %s was removed from the store while "
                                             "the pull ran (a gc?); pull again",
                            p->fn, mlops__digest_str(&ct->digest, ds));
            break;
        }
        /* The entry count of a tree is known from its object; the row
         * comes first, then its edges (both ends must have rows), and its
         * children's rows came before it (the record lists them first). */
        uint64_t entries = ct->has_manifest ? p->chunks[i].n : 1;
        rc = mlops__content_insert(c, &ct->digest, ct->kind, ct->size,
                                   ct->has_manifest ? &ct->manifest : NULL, entries, now);
        if (!rc && ct->kind == MLOPS__KIND_TREE) {
            rc = tree_children(p, c, &ct->digest, &entries);
            if (!rc) rc = set_entries(c, &ct->digest, entries);
        }
        if (!rc && ct->has_manifest) rc = insert_chunks(c, &ct->digest, &p->chunks[i]);
    }
    for (size_t i = 0; !rc && i < p->nsels; i++)
        if (p->sels[i].kind == MLOPS__SEL_REF && p->recs[i].nroots == 1)
            rc = set_ref(c, p->sels[i].name, &p->recs[i].roots[0], now);
    return rc;
}

int mlops__remote_pull(const char *fn, mlops_store *s, const char *remote,
                       const char *const *selections, size_t n, uint64_t max_objects,
                       mlops_transfer_report *report)
{
    mlops__objects *be = NULL;
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        mlops__selection sel;
        rc = mlops__selection_parse(fn, selections[i], &sel);
    }
    char source[MLOPS__REMOTE_NAME_MAX + 16];
    snprintf(source, sizeof source, "remote '%s'", remote);
    if (!rc) rc = mlops__remote_open(fn, s, remote, 0, &be);
    if (!rc) rc = mlops__pull_from(fn, source, s, be, selections, n, max_objects, report);
    if (be) be->free(be);
    return rc;
}

int mlops__pull_from(const char *fn, const char *source, mlops_store *s, mlops__objects *be,
                     const char *const *selections, size_t n, uint64_t max_objects,
                     mlops_transfer_report *report)
{
    pull p;
    memset(&p, 0, sizeof p);
    p.fn = fn;
    p.source = source;
    p.s = s;
    mlops__removals_seen_now(s, &p.seen);
    p.nsels = n;
    p.max_objects = max_objects;
    p.report = report;
    p.in_ct = (mlops__keymap)MLOPS__KEYMAP_INIT;
    p.sels = calloc(n, sizeof *p.sels);
    p.recs = calloc(n, sizeof *p.recs);
    p.lacks = malloc(LOOK);
    p.capplaced = FLUSH + LOOK;
    p.placed = malloc(p.capplaced * sizeof *p.placed);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.io_cv, NULL);
    pthread_cond_init(&p.stream_cv, NULL);
    p.chunk_at = (mlops__keymap)MLOPS__KEYMAP_INIT;
    p.packed = (mlops__keymap)MLOPS__KEYMAP_INIT;
    p.nfetchers = mlops__pool_threads(s->threads);
    if (p.nfetchers > MAX_FETCHERS) p.nfetchers = MAX_FETCHERS;
    p.settle = s->objects->settle != NULL;
    p.fused = mlops__sha256_pair_available();
    size_t room = p.settle ? SETTLE_AHEAD : AHEAD;
    p.ahead = room / p.nfetchers < 2 ? 2 : room / p.nfetchers;
    int rc = p.sels && p.recs && p.lacks && p.placed ? MLOPS_OK
                                                     : mlops__err_nomem("planning a pull");
    for (size_t i = 0; !rc && i < n; i++) rc = mlops__selection_parse(fn, selections[i], &p.sels[i]);
    p.be = be;
    if (!rc && !p.be->name_get)
        rc = mlops__err(MLOPS_EUNSUPPORTED, "%s: the %s backend cannot hold a remote", fn,
                        p.be->name);
    if (!rc) rc = mlops__obj_reader_new(&p.r);
    if (!rc) io_start(&p);
    if (!rc) rc = read_records(&p);
    if (!rc) rc = merge_contents(&p);
    if (!rc) rc = load_packs(&p);
    if (!rc) rc = mlops__store_read(s, held_tx, &p);
    dlist first = {MLOPS__KEYMAP_INIT, NULL, 0, 0}, chunks = {MLOPS__KEYMAP_INIT, NULL, 0, 0};
    for (size_t i = 0; !rc && i < p.nct; i++) {
        report->contents++;
        if (p.need[i])
            rc = dlist_add(&first, p.ct[i].has_manifest ? &p.ct[i].manifest : &p.ct[i].digest);
    }
    if (!rc) rc = fetch_all(&p, first.d, first.n);
    if (!rc) rc = read_manifests(&p, &chunks);
    if (!rc) rc = streams_setup(&p);
    if (!rc) rc = fetch_all(&p, chunks.d, chunks.n);
    io_stop(&p);
    report->objects = first.n + chunks.n;
    if (!rc) rc = prove(&p);
    if (!rc) rc = mlops__store_write(s, commit_tx, &p);
    dlist_free(&first);
    dlist_free(&chunks);
    for (size_t i = 0; i < p.nct && p.chunks; i++) free(p.chunks[i].chunks);
    free(p.chunks);
    free(p.need);
    free(p.proven);
    free(p.placed);
    for (unsigned i = 0; i < MAX_FETCHERS; i++)
        if (p.fetchers[i].r) mlops__obj_reader_free(p.fetchers[i].r);
    io_stop(&p); /* (after a failure before the fetch) */
    pthread_cond_destroy(&p.io_cv);
    pthread_cond_destroy(&p.stream_cv);
    for (size_t i = 0; i < p.nstreams && p.streams; i++) mlops__sha256_free(&p.streams[i].h);
    free(p.streams);
    free(p.at);
    mlops__keymap_free(&p.chunk_at);
    mlops__keymap_free(&p.packed);
    free(p.packs);
    pthread_mutex_destroy(&p.mu);
    free(p.ct);
    mlops__keymap_free(&p.in_ct);
    for (size_t i = 0; i < n && p.recs; i++) mlops__record_free(&p.recs[i]);
    free(p.recs);
    free(p.sels);
    free(p.lacks);
    if (p.r) mlops__obj_reader_free(p.r);
    return rc;
}
