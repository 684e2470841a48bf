/* Push: what the selections reach, from the store to a remote. Objects
 * first, each the remote lacks once, each checked as read from the store
 * (so nothing damaged leaves it; on the pool's threads) and sent as it is
 * stored (no second compression); the selections' records last, so a record never names an
 * object the remote lacks, and an interrupted push leaves only objects,
 * which the next push finds there. */
#include "remote/remote_internal.h"
#include "cas/keymap.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/pool.h"
#include "util/str.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Objects staged on the remote and not yet placed, at most: the S3
 * backend uploads up to 8 at once, and each staged object is a copy in
 * memory of at most a few MiB (chunk_max_size, compressed). */
#define WINDOW 12

typedef struct sel_plan {
    mlops__selection sel;
    mlops__record rec;
    /* The records of the roots under their sha256: names, so content
     * pushed as part of a ref, a run or a model can be pulled by digest. */
    mlops__record *by_root;
} sel_plan;

typedef struct plan {
    const char *fn;
    sel_plan *sels;
    size_t nsels;
    mlops_digest *objs;
    size_t nobjs;
    uint64_t ncontents;
    /* objs[i] may go into a pack: a whole blob or a tree smaller than
     * MLOPS__PACK_OBJ_MAX, or a manifest (chunks stay loose). */
    unsigned char *packable;
} plan;


/* Appends src's contents to dst's, each once (seen: dst's digests). */
static int merge(mlops__record *dst, mlops__keymap *seen, const mlops__rcontent *src, size_t n)
{
    mlops__rcontent *grown = realloc(dst->contents, (dst->ncontents + n + 1) * sizeof *grown);
    if (!grown) return mlops__err_nomem("planning a push");
    dst->contents = grown;
    for (size_t i = 0; i < n; i++) {
        int added = 0;
        int rc = mlops__keymap_add(seen, src[i].digest.bytes, 0, &added);
        if (rc) return rc;
        if (added) dst->contents[dst->ncontents++] = src[i];
    }
    return MLOPS_OK;
}

/* Forgets what an earlier attempt of plan_tx found (a transaction may be
 * run again). */
static void plan_reset(plan *p)
{
    for (size_t i = 0; i < p->nsels; i++) {
        for (size_t k = 0; p->sels[i].by_root && k < p->sels[i].rec.nroots; k++)
            mlops__record_free(&p->sels[i].by_root[k]);
        free(p->sels[i].by_root);
        p->sels[i].by_root = NULL;
        mlops__record_free(&p->sels[i].rec);
    }
    free(p->objs);
    p->objs = NULL;
    free(p->packable);
    p->packable = NULL;
    p->nobjs = 0;
    p->ncontents = 0;
}

/* Which objects of p may go into a pack (see plan.packable). */
static int plan_packable(plan *p, const mlops__rcontent *ct, size_t n)
{
    mlops__keymap small = MLOPS__KEYMAP_INIT;
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        if (ct[i].has_manifest) rc = mlops__keymap_add(&small, ct[i].manifest.bytes, 0, NULL);
        else if (ct[i].size < MLOPS__PACK_OBJ_MAX)
            rc = mlops__keymap_add(&small, ct[i].digest.bytes, 0, NULL);
    }
    if (!rc && !(p->packable = calloc(p->nobjs + 1, 1))) rc = mlops__err_nomem("planning a push");
    for (size_t i = 0; !rc && i < p->nobjs; i++)
        p->packable[i] = (unsigned char)mlops__keymap_get(&small, p->objs[i].bytes, NULL);
    mlops__keymap_free(&small);
    return rc;
}

static int plan_tx(mlops__conn *c, void *arg)
{
    plan *p = arg;
    plan_reset(p);
    mlops__keymap all = MLOPS__KEYMAP_INIT;
    mlops__record every = {0};
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < p->nsels; i++) {
        sel_plan *sp = &p->sels[i];
        mlops__keymap seen = MLOPS__KEYMAP_INIT;
        rc = mlops__selection_roots(p->fn, c, &sp->sel, &sp->rec.roots, &sp->rec.nroots);
        if (!rc && !(sp->rec.selection = mlops__strdup(sp->sel.text)))
            rc = mlops__err_nomem("planning a push");
        if (!rc && !(sp->by_root = calloc(sp->rec.nroots + 1, sizeof *sp->by_root)))
            rc = mlops__err_nomem("planning a push");
        for (size_t k = 0; !rc && k < sp->rec.nroots; k++) {
            mlops__record *br = &sp->by_root[k];
            char text[MLOPS_DIGEST_STRLEN];
            if (!(br->selection = mlops__strdup(mlops__digest_str(&sp->rec.roots[k], text))) ||
                !(br->roots = malloc(sizeof *br->roots))) {
                rc = mlops__err_nomem("planning a push");
                break;
            }
            br->roots[0] = sp->rec.roots[k];
            br->nroots = 1;
            rc = mlops__walk_contents(p->fn, c, br->roots, 1, &br->contents, &br->ncontents);
            if (!rc) rc = merge(&sp->rec, &seen, br->contents, br->ncontents);
            if (!rc) rc = merge(&every, &all, br->contents, br->ncontents);
        }
        mlops__keymap_free(&seen);
    }
    if (!rc) {
        p->ncontents = every.ncontents;
        rc = mlops__walk_objects(c, every.contents, every.ncontents, &p->objs, &p->nobjs);
        if (!rc) rc = plan_packable(p, every.contents, every.ncontents);
    }
    free(every.contents);
    mlops__keymap_free(&all);
    return rc;
}

/* The stored bytes of object d of the store, checked (header, decoding,
 * digest) before they go anywhere. */
static int read_local(mlops_store *s, mlops__obj_reader *r, const mlops_digest *d,
                      unsigned char **buf, size_t *len)
{
    mlops__objects *be = s->objects;
    mlops__obj_in *in = NULL;
    uint64_t n = 0;
    *buf = NULL;
    int rc = be->open(be, d, &in, &n);
    if (rc == MLOPS_ENOTFOUND) {
        char ds[MLOPS_DIGEST_STRLEN];
        return mlops__err(MLOPS_ECORRUPT, "object %s is missing from the store",
                          mlops__digest_str(d, ds));
    }
    if (rc) return rc;
    if (n > ((uint64_t)1 << 32)) rc = mlops__err(MLOPS_ECORRUPT, "an object is impossibly large");
    size_t got = 0;
    unsigned char *b = rc ? NULL : malloc(n ? (size_t)n : 1);
    if (!rc && !b) rc = mlops__err_nomem("reading an object");
    if (!rc) rc = be->read(be, in, b, (size_t)n, &got);
    be->close(be, in);
    char where[1024];
    be->describe(be, d, where, sizeof where);
    int enc = 0;
    uint64_t size = 0;
    if (!rc && got != n) rc = mlops__err(MLOPS_ECORRUPT, "object '%s' is truncated", where);
    if (!rc) rc = mlops__object_check_encoded(r, d, b, (size_t)n, where, &enc, &size, NULL);
    if (rc) {
        free(b);
        return rc;
    }
    *buf = b;
    *len = (size_t)n;
    return MLOPS_OK;
}

/* Objects read, checked and staged by one thread before it places its
 * oldest, at least (the threads together keep the remote's transfers
 * busy: WINDOW in all). */
#define AHEAD_MIN 2
/* Reading threads at most (the pool's limit decides below that). */
#define MAX_SENDERS 8
/* Packs being sent at once, at most, each by a thread of its own that
 * only waits on the remote (as the S3 backend's uploaders, not counted
 * by the thread limit): the reading threads go on filling the next. */
#define PACK_UPLOADS 3

typedef struct sender sender;

/* One reading thread's window of staged objects, oldest first. */
typedef struct slot {
    mlops__obj_staged *staged[WINDOW];
    mlops_digest digests[WINDOW];
    size_t lens[WINDOW];
    size_t count;
} slot;

/* Reading a local object and checking it is the costly part of a push
 * that is not the network (the file's read, its SHA-256 and decoding):
 * the pool's threads do it, each taking the next object, staging it on
 * the remote and placing its oldest when its window is full. */
struct sender {
    const char *fn;
    mlops_store *s;
    mlops__objects *be;
    const plan *p;
    const unsigned char *lacks;
    uint64_t max_objects;
    mlops_transfer_report *report;
    size_t ahead; /* per thread */
    pthread_mutex_t mu;
    size_t next;    /* next index of p->objs to look at */
    uint64_t taken; /* objects taken to send */
    int err;
    char errmsg[1024];
    unsigned started;
    slot slots[MAX_SENDERS];
    mlops_digest *sent; /* placed, for the remote's sync */
    size_t nsent;
    /* Packs (under mu): the one being filled, and the packs sent. */
    int packing;
    mlops__pack_builder cur;
    int cur_open;
    mlops_digest *packs;
    size_t npacks, cappacks;
    /* The packs' senders (under mu; up_cv: one finished). */
    int up_threads; /* 0 at a thread limit of 1: sent by the thread that filled it */
    pthread_t up[PACK_UPLOADS];
    int up_used[PACK_UPLOADS], up_done[PACK_UPLOADS];
    pthread_cond_t up_cv;
};

typedef struct pack_upload {
    sender *sd;
    size_t slot;
    mlops__pack_builder b;
} pack_upload;

static void send_fail(sender *sd, int rc)
{
    pthread_mutex_lock(&sd->mu);
    if (!sd->err) {
        sd->err = rc;
        snprintf(sd->errmsg, sizeof sd->errmsg, "%s", mlops__err_message());
    }
    pthread_mutex_unlock(&sd->mu);
}

/* Places sl's oldest staged object: only then is it counted as sent. */
static int place_oldest(sender *sd, slot *sl)
{
    mlops__obj_staged *st = sl->staged[0];
    mlops_digest d = sl->digests[0];
    size_t len = sl->lens[0];
    sl->count--;
    memmove(sl->staged, sl->staged + 1, sl->count * sizeof *sl->staged);
    memmove(sl->digests, sl->digests + 1, sl->count * sizeof *sl->digests);
    memmove(sl->lens, sl->lens + 1, sl->count * sizeof *sl->lens);
    int placed = 0;
    int rc = sd->be->place(sd->be, st, &placed);
    if (!rc && !placed) sd->be->discard(sd->be, st); /* someone else's copy is there */
    if (rc) return rc;
    pthread_mutex_lock(&sd->mu);
    sd->report->objects_sent++;
    sd->report->bytes_sent += len;
    sd->sent[sd->nsent++] = d;
    pthread_mutex_unlock(&sd->mu);
    return MLOPS_OK;
}

/* Places what sl staged, oldest first; after a failure of its own the
 * rest are dropped. */
static int place_all(sender *sd, slot *sl)
{
    int rc = MLOPS_OK;
    while (sl->count) {
        if (!rc) {
            rc = place_oldest(sd, sl);
            continue;
        }
        sd->be->discard(sd->be, sl->staged[0]);
        sl->count--;
        memmove(sl->staged, sl->staged + 1, sl->count * sizeof *sl->staged);
        memmove(sl->digests, sl->digests + 1, sl->count * sizeof *sl->digests);
        memmove(sl->lens, sl->lens + 1, sl->count * sizeof *sl->lens);
    }
    return rc;
}

/* Sends finished pack b: the pack, then its index record (a pack
 * without one, from an interrupted push, is found by the next push's
 * listing and its index written then: push_packs_load). Its objects are
 * counted as sent once both are there. */
static int pack_send(sender *sd, mlops__pack_builder *b)
{
    int rc = sd->be->pack_put(sd->be, &b->digest, b->buf, b->len);
    char name[MLOPS__PACK_NAME_CAP];
    mlops__pack_name(&b->digest, name);
    if (!rc) rc = sd->be->name_put(sd->be, name, b->idx, b->idxlen);
    if (rc) return rc;
    pthread_mutex_lock(&sd->mu);
    sd->report->objects_sent += b->n;
    sd->report->bytes_sent += b->bytes;
    if (sd->npacks == sd->cappacks) {
        size_t nc = sd->cappacks ? 2 * sd->cappacks : 16;
        mlops_digest *np = realloc(sd->packs, nc * sizeof *np);
        if (!np) rc = mlops__err_nomem("pushing packs");
        else {
            sd->packs = np;
            sd->cappacks = nc;
        }
    }
    if (!rc) sd->packs[sd->npacks++] = b->digest;
    pthread_mutex_unlock(&sd->mu);
    return rc;
}

static void *pack_upload_main(void *arg)
{
    pack_upload *u = arg;
    sender *sd = u->sd;
    /* Named for those who count threads (doc/conventions.md). */
    (void)pthread_setname_np(pthread_self(), "mlops-pack");
    int rc = pack_send(sd, &u->b);
    if (rc) send_fail(sd, rc);
    mlops__pack_builder_free(&u->b);
    pthread_mutex_lock(&sd->mu);
    sd->up_done[u->slot] = 1;
    pthread_cond_broadcast(&sd->up_cv);
    pthread_mutex_unlock(&sd->mu);
    free(u);
    return NULL;
}

/* A slot for a pack's sending thread (under mu): one never used, or one
 * whose thread finished (joined here); PACK_UPLOADS when all are busy. */
static size_t free_slot(sender *sd)
{
    for (size_t k = 0; k < PACK_UPLOADS; k++) {
        if (sd->up_used[k] && sd->up_done[k]) {
            pthread_join(sd->up[k], NULL);
            sd->up_used[k] = 0;
        }
        if (!sd->up_used[k]) return k;
    }
    return PACK_UPLOADS;
}

/* Sends full pack b (taken over) on a thread of its own, once fewer than
 * PACK_UPLOADS are being sent; on this thread at a thread limit of 1, or
 * when none can start. */
static int pack_upload_start(sender *sd, mlops__pack_builder *b)
{
    /* Its index and digest here: the sending thread only waits. */
    int rc = mlops__pack_finish(b);
    if (rc) {
        mlops__pack_builder_free(b);
        return rc;
    }
    pack_upload *u = sd->up_threads ? malloc(sizeof *u) : NULL;
    if (u) {
        u->sd = sd;
        u->b = *b;
        pthread_mutex_lock(&sd->mu);
        size_t k;
        for (;;) {
            k = free_slot(sd);
            if (k < PACK_UPLOADS) break;
            pthread_cond_wait(&sd->up_cv, &sd->mu);
        }
        u->slot = k;
        sd->up_done[k] = 0;
        sd->up_used[k] = pthread_create(&sd->up[k], NULL, pack_upload_main, u) == 0;
        int started = sd->up_used[k];
        pthread_mutex_unlock(&sd->mu);
        if (started) return MLOPS_OK;
        free(u);
    }
    rc = pack_send(sd, b);
    mlops__pack_builder_free(b);
    return rc;
}

/* Waits for every pack being sent (their failures are sd's). */
static void pack_uploads_wait(sender *sd)
{
    pthread_mutex_lock(&sd->mu);
    for (size_t k = 0; k < PACK_UPLOADS; k++) {
        while (sd->up_used[k] && !sd->up_done[k]) pthread_cond_wait(&sd->up_cv, &sd->mu);
        if (sd->up_used[k]) pthread_join(sd->up[k], NULL);
        sd->up_used[k] = 0;
    }
    pthread_mutex_unlock(&sd->mu);
}

/* Adds a checked object to the pack being filled; the thread that fills
 * it sends it, while the others go on with a new one. */
static int pack_take(sender *sd, const mlops_digest *d, const unsigned char *buf, size_t len)
{
    mlops__pack_builder full;
    memset(&full, 0, sizeof full);
    int have_full = 0;
    pthread_mutex_lock(&sd->mu);
    int rc = MLOPS_OK;
    if (!sd->cur_open && !(rc = mlops__pack_begin(&sd->cur))) sd->cur_open = 1;
    if (!rc) rc = mlops__pack_add(&sd->cur, d, buf, len);
    if (!rc && mlops__pack_full(&sd->cur)) {
        full = sd->cur;
        memset(&sd->cur, 0, sizeof sd->cur);
        sd->cur_open = 0;
        have_full = 1;
    }
    pthread_mutex_unlock(&sd->mu);
    if (have_full) rc = pack_upload_start(sd, &full);
    return rc;
}

static void send_main(void *arg)
{
    sender *sd = arg;
    pthread_mutex_lock(&sd->mu);
    slot *sl = &sd->slots[sd->started++];
    pthread_mutex_unlock(&sd->mu);
    mlops__obj_reader *r = NULL;
    int rc = mlops__obj_reader_new(&r);
    while (!rc) {
        pthread_mutex_lock(&sd->mu);
        while (!sd->err && sd->next < sd->p->nobjs && !sd->lacks[sd->next]) {
            sd->report->objects_present++;
            sd->next++;
        }
        if (sd->err || sd->next == sd->p->nobjs) {
            pthread_mutex_unlock(&sd->mu);
            break;
        }
        if (sd->max_objects && sd->taken >= sd->max_objects) {
            pthread_mutex_unlock(&sd->mu);
            rc = mlops__err(MLOPS_EIO, "%s: stopped after %llu objects, as asked", sd->fn,
                            (unsigned long long)sd->max_objects);
            break;
        }
        size_t at = sd->next++;
        const mlops_digest *d = &sd->p->objs[at];
        sd->taken++;
        pthread_mutex_unlock(&sd->mu);
        unsigned char *buf = NULL;
        size_t len = 0;
        rc = read_local(sd->s, r, d, &buf, &len);
        if (!rc && sd->packing && sd->p->packable[at] && len < MLOPS__PACK_OBJ_MAX) {
            rc = pack_take(sd, d, buf, len);
            free(buf);
            continue;
        }
        if (!rc && sl->count == sd->ahead) rc = place_oldest(sd, sl);
        if (!rc) {
            mlops__obj_piece piece = {buf, len};
            rc = sd->be->stage(sd->be, d, &piece, 1, &sl->staged[sl->count]);
            if (!rc) {
                sl->digests[sl->count] = *d;
                sl->lens[sl->count] = len;
                sl->count++;
            }
        }
        free(buf);
    }
    if (rc) send_fail(sd, rc);
    rc = place_all(sd, sl); /* also after a stop: what was staged goes */
    if (rc) send_fail(sd, rc);
    if (r) mlops__obj_reader_free(r);
}

/* Sends the objects lacks marks; with packing, the small ones in packs,
 * whose names are appended to *packs (grown, *npacks). */
static int send_objects(const char *fn, mlops_store *s, mlops__objects *be, const plan *p,
                        const unsigned char *lacks, int packing, uint64_t max_objects,
                        mlops_transfer_report *report, mlops_digest **packs, size_t *npacks)
{
    sender sd;
    memset(&sd, 0, sizeof sd);
    sd.fn = fn;
    sd.s = s;
    sd.be = be;
    sd.p = p;
    sd.lacks = lacks;
    sd.max_objects = max_objects;
    sd.report = report;
    sd.packing = packing;
    sd.packs = *packs;
    sd.npacks = sd.cappacks = *npacks;
    unsigned threads = mlops__pool_threads(s->threads);
    if (threads > MAX_SENDERS) threads = MAX_SENDERS;
    sd.ahead = WINDOW / threads < AHEAD_MIN ? AHEAD_MIN : WINDOW / threads;
    sd.up_threads = threads > 1;
    if (!(sd.sent = malloc((p->nobjs + 1) * sizeof *sd.sent)))
        return mlops__err_nomem("pushing objects");
    pthread_mutex_init(&sd.mu, NULL);
    pthread_cond_init(&sd.up_cv, NULL);
    mlops__pool_run(threads, send_main, &sd);
    pack_uploads_wait(&sd);
    /* Counted after a failure too, as before the threads stopped. */
    int rc = sd.err ? mlops__err(sd.err, "%s", sd.errmsg) : MLOPS_OK;
    /* The last pack, also after a stop: what was taken goes. */
    if (sd.cur_open && sd.cur.n) {
        int prc = mlops__pack_finish(&sd.cur);
        if (!prc) prc = pack_send(&sd, &sd.cur);
        if (!rc) rc = prc;
    }
    mlops__pack_builder_free(&sd.cur);
    *packs = sd.packs;
    *npacks = sd.npacks;
    /* Also after a stop: what was placed is made durable, for the rerun. */
    if (sd.nsent) {
        int src = be->sync(be, sd.sent, sd.nsent);
        if (!rc) rc = src;
    }
    pthread_cond_destroy(&sd.up_cv);
    pthread_mutex_destroy(&sd.mu);
    free(sd.sent);
    return rc;
}

/* Writes rec naming packs[0..npacks) (none: a version 1 record). */
static int put_record(mlops__objects *be, const mlops__record *rec, const mlops_digest *packs,
                      size_t npacks)
{
    void *buf = NULL;
    size_t len = 0;
    char name[MLOPS__RECORD_NAME_CAP];
    mlops__record_name(rec->selection, name);
    mlops__record r = *rec;
    r.packs = (mlops_digest *)packs;
    r.npacks = npacks;
    int rc = mlops__record_encode(&r, &buf, &len);
    if (!rc) rc = be->name_put(be, name, buf, len);
    free(buf);
    return rc;
}

static void plan_free(plan *p)
{
    plan_reset(p); /* by_root before rec: rec's free forgets the count */
    free(p->sels);
}

int mlops__remote_push(const char *fn, mlops_store *s, const char *remote,
                       const char *const *selections, size_t n, uint64_t max_objects,
                       mlops_transfer_report *report)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        mlops__selection sel;
        rc = mlops__selection_parse(fn, selections[i], &sel);
    }
    mlops__objects *be = NULL;
    if (!rc) rc = mlops__remote_open(fn, s, remote, 1, &be);
    if (!rc) rc = mlops__push_to(fn, s, be, selections, n, max_objects, report);
    if (be) be->free(be);
    return rc;
}

int mlops__push_to(const char *fn, mlops_store *s, mlops__objects *be,
                   const char *const *selections, size_t n, uint64_t max_objects,
                   mlops_transfer_report *report)
{
    plan p = {0};
    p.fn = fn;
    p.nsels = n;
    p.sels = calloc(n, sizeof *p.sels);
    if (!p.sels) return mlops__err_nomem("planning a push");
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < n; i++)
        rc = mlops__selection_parse(fn, selections[i], &p.sels[i].sel);
    if (!rc && (!be->name_put || !be->name_get))
        rc = mlops__err(MLOPS_EUNSUPPORTED, "%s: the %s backend cannot hold a remote", fn,
                        be->name);
    if (!rc) rc = mlops__store_read(s, plan_tx, &p);
    unsigned char *lacks = NULL;
    if (!rc) {
        report->contents = p.ncontents;
        report->objects = p.nobjs;
        if (!(lacks = calloc(p.nobjs + 1, 1))) rc = mlops__err_nomem("planning a push");
    }
    if (!rc) rc = mlops__remote_lacking(be, p.objs, p.nobjs, lacks, report);
    /* Packs where the backend keeps them (a remote, not a bundle): what
     * its packs hold is not lacking, and the small objects still lacking
     * go into new ones when there are enough of them. */
    int packing = 0;
    mlops_digest *packs = NULL;
    size_t npacks = 0;
    if (!rc && be->pack_put && be->pack_get && be->pack_foreach) {
        rc = mlops__push_packs_load(be, p.objs, p.nobjs, lacks, report, &packs, &npacks);
        size_t small = 0;
        for (size_t i = 0; !rc && i < p.nobjs; i++) small += lacks[i] && p.packable[i];
        packing = small >= MLOPS__PACK_MIN_OBJECTS;
    }
    if (!rc) rc = send_objects(fn, s, be, &p, lacks, packing, max_objects, report, &packs, &npacks);
    for (size_t i = 0; !rc && i < n; i++) {
        sel_plan *sp = &p.sels[i];
        for (size_t k = 0; !rc && sp->sel.kind != MLOPS__SEL_DIGEST && k < sp->rec.nroots; k++)
            rc = put_record(be, &sp->by_root[k], packs, npacks);
        if (!rc) rc = put_record(be, &sp->rec, packs, npacks);
    }
    free(lacks);
    free(packs);
    plan_free(&p);
    return rc;
}

MLOPS_API int mlops_transfer_report_init(mlops_transfer_report *report, unsigned version)
{
    static const mlops_transfer_report defaults = MLOPS_TRANSFER_REPORT_INIT;
    return mlops__opts_init(__func__, report, &defaults, sizeof defaults, version,
                            MLOPS_TRANSFER_REPORT_VERSION);
}

/* The checks both public transfers make. */
static int check_args(const char *fn, mlops_store *s, const char *remote,
                      const char *const *selections, size_t n, mlops_transfer_report *report)
{
    if (!s) return mlops__err_null(fn, "s");
    if (!remote) return mlops__err_null(fn, "remote");
    if (!selections) return mlops__err_null(fn, "selections");
    if (n == 0) return mlops__err(MLOPS_EINVAL, "%s: no selection", fn);
    for (size_t i = 0; i < n; i++)
        if (!selections[i])
            return mlops__err(MLOPS_EINVAL, "%s: selections[%zu] is NULL", fn, i);
    if (report) {
        int rc = mlops__opts_check(fn, report->version, MLOPS_TRANSFER_REPORT_VERSION,
                                   "mlops_transfer_report_init");
        if (rc) return rc;
    }
    return MLOPS_OK;
}

MLOPS_API int mlops_remote_push(mlops_store *s, const char *remote,
                                const char *const *selections, size_t n,
                                mlops_transfer_report *report)
{
    int rc = check_args(__func__, s, remote, selections, n, report);
    if (rc) return rc;
    mlops_transfer_report r = MLOPS_TRANSFER_REPORT_INIT;
    rc = mlops__remote_push(__func__, s, remote, selections, n, 0, &r);
    if (report) *report = r;
    return rc;
}

MLOPS_API int mlops_remote_pull(mlops_store *s, const char *remote,
                                const char *const *selections, size_t n,
                                mlops_transfer_report *report)
{
    int rc = check_args(__func__, s, remote, selections, n, report);
    if (!rc) rc = mlops__store_check_writable(s, __func__);
    if (rc) return rc;
    mlops_transfer_report r = MLOPS_TRANSFER_REPORT_INIT;
    rc = mlops__remote_pull(__func__, s, remote, selections, n, 0, &r);
    if (report) *report = r;
    return rc;
}
