/* mlops_store_fsck: re-hash objects (all or a random sample) on the
 * store's worker threads, report the damaged ones by digest and move
 * corrupt ones aside (the object backend's quarantine: quarantine/ for
 * the local one); then check that each blob's chunk list
 * gives its digest (fsck_blobs.c). An object that cannot be decoded at all
 * (an unknown format version, a bad header) is damage like any other:
 * reported, quarantined, and the check goes on. */
#include "cas/cas_internal.h"
#include "store/fsck_blobs.h"
#include "util/clock.h"
#include "util/pool.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/opts.h"
#include "util/str.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 512
#define MAX_CHECKERS 8

MLOPS_API int mlops_fsck_opts_init(mlops_fsck_opts *opts, unsigned version)
{
    static const mlops_fsck_opts defaults = MLOPS_FSCK_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_FSCK_OPTS_VERSION);
}

MLOPS_API int mlops_fsck_report_init(mlops_fsck_report *report, unsigned version)
{
    static const mlops_fsck_report defaults = MLOPS_FSCK_REPORT_INIT;
    return mlops__opts_init(__func__, report, &defaults, sizeof defaults, version,
                            MLOPS_FSCK_REPORT_VERSION);
}

struct obj {
    mlops_digest d;
    uint64_t size;
    int result; /* 0 sound, else MLOPS_FSCK_* */
};

struct fsck {
    const char *fn; /* the public function reporting */
    mlops_store *s;
    mlops_fsck_opts o;
    mlops_fsck_report *rep;
    size_t cap;
    pthread_mutex_t mu;
    struct obj page[PAGE];
    size_t n, next;
    int err;
    char errmsg[1024];
    uint64_t unmoved; /* corrupt files quarantine could not move */
    char unmoved_why[512];
};

static int add_issue(struct fsck *f, const mlops_digest *d, int problem)
{
    mlops_fsck_report *r = f->rep;
    if (r->nissues == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 16;
        mlops_fsck_issue *ni = realloc(r->issues, nc * sizeof *ni);
        if (!ni) return mlops__err_nomem("recording fsck issues");
        r->issues = ni;
        f->cap = nc;
    }
    r->issues[r->nissues].digest = *d;
    r->issues[r->nissues].problem = problem;
    r->nissues++;
    return MLOPS_OK;
}

static int begin_removal_tx(mlops__conn *c, void *arg)
{
    return mlops__removal_begin(c, arg);
}

static int end_removal_tx(mlops__conn *c, void *arg)
{
    return mlops__removal_end(c, *(int64_t *)arg);
}

/* Moves object d aside; on remote objects as a removal that puts'
 * commits see (cas/removals.h: the object may be a put's that has no row
 * yet), so not when the removal cannot be recorded. Puts to local objects
 * look theirs up anyway, and there a full disk must not keep a damaged
 * file in place. */
static int move_aside(mlops_store *s, const mlops_digest *d)
{
    if (!s->objects->remote) return s->objects->quarantine(s->objects, d);
    int64_t removal = 0;
    int rc = mlops__store_write(s, begin_removal_tx, &removal);
    if (rc) return rc;
    rc = s->objects->quarantine(s->objects, d);
    char saved[1024];
    snprintf(saved, sizeof saved, "%s", mlops__err_message());
    int ended = mlops__store_write(s, end_removal_tx, &removal);
    if (rc) return mlops__err(rc, "%s", saved);
    return ended;
}

/* Moves a corrupt object aside (local backend: quarantine/<hex>.<ms>). */
static int quarantine(const char *fn, mlops_store *s, const mlops_digest *d)
{
    int rc = move_aside(s, d);
    if (rc) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", mlops__err_message());
        mlops__err(rc, "%s: %s", fn, msg);
    }
    return rc;
}

static void checker_main(void *arg)
{
    struct fsck *f = arg;
    mlops__obj_reader *r = NULL;
    unsigned char *buf = NULL;
    size_t cap = 0;
    int rc = mlops__obj_reader_new(&r);
    for (;;) {
        pthread_mutex_lock(&f->mu);
        if (rc && !f->err) {
            f->err = rc;
            snprintf(f->errmsg, sizeof f->errmsg, "%s", mlops__err_message());
        }
        struct obj *o = !f->err && f->next < f->n ? &f->page[f->next++] : NULL;
        pthread_mutex_unlock(&f->mu);
        if (!o) break;
        if (cap < o->size || !buf) {
            unsigned char *nb = realloc(buf, o->size ? (size_t)o->size : 1);
            if (!nb) {
                rc = mlops__err_nomem("checking an object");
                continue;
            }
            buf = nb;
            cap = (size_t)o->size;
        }
        int v = mlops__object_read(f->s, r, &o->d, buf, (size_t)o->size);
        /* From a server, a damaged copy may be one that went bad on its
         * way or in the local read cache (which dropped it: objects.h,
         * damaged): the server's own copy is read again before anything
         * is judged, and quarantined, by it. */
        if (v == MLOPS_ECORRUPT && f->s->objects->remote)
            v = mlops__object_read(f->s, r, &o->d, buf, (size_t)o->size);
        /* EUNSUPPORTED: a header claiming a format this store cannot hold
         * (the store's own format version gates new object formats). */
        int present = 0;
        if (v == MLOPS_ECORRUPT || v == MLOPS_EUNSUPPORTED) {
            rc = mlops__object_present(f->s, &o->d, &present);
            o->result = present ? MLOPS_FSCK_CORRUPT : MLOPS_FSCK_MISSING;
        } else if (v)
            rc = v; /* EIO, ENOMEM...: not a verdict on the object */
    }
    free(buf);
    mlops__obj_reader_free(r);
}

static int check_page(struct fsck *f)
{
    unsigned want = f->s->threads < 1 ? 1 : f->s->threads;
    if (want > MAX_CHECKERS) want = MAX_CHECKERS;
    f->next = 0;
    mlops__pool_run(mlops__pool_threads(want), checker_main, f);
    if (f->err) return mlops__err(f->err, "%s", f->errmsg);
    return MLOPS_OK;
}

struct verified_arg {
    struct fsck *f;
    int64_t now;
};

static int record_verified_tx(mlops__conn *c, void *arg)
{
    struct verified_arg *a = arg;
    for (size_t i = 0; i < a->f->n; i++) {
        if (a->f->page[i].result) continue;
        mlops__stmt *st;
        int rc = mlops__conn_stmt(c, "UPDATE cas_object SET verified_ms = ?2 WHERE digest = ?1",
                                  &st);
        if (!rc) rc = mlops__bind_blob(c, st, 1, a->f->page[i].d.bytes, 32);
        if (!rc) rc = mlops__bind_int64(c, st, 2, a->now);
        if (!rc) rc = mlops__conn_step_done(c, st, "recording a verification");
        if (rc) return rc;
    }
    return MLOPS_OK;
}

static int handle_results(struct fsck *f, mlops__conn *c)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < f->n; i++) {
        struct obj *o = &f->page[i];
        if (!o->result) continue;
        int yes = 1;
        /* gc may have removed it meanwhile: then its missing file is no damage */
        rc = mlops__object_recorded(c, &o->d, &yes);
        if (rc) break;
        if (!yes) {
            o->result = 0;
            continue;
        }
        if (o->result == MLOPS_FSCK_CORRUPT) {
            f->rep->corrupt++;
            /* A file that cannot be moved (a full disk) is still reported:
             * the verdict matters more than the move. */
            if (f->o.quarantine && quarantine(f->fn, f->s, &o->d) == MLOPS_OK)
                f->rep->quarantined++;
            else if (f->o.quarantine && !f->unmoved++)
                snprintf(f->unmoved_why, sizeof f->unmoved_why, "%s", mlops__err_message());
        } else {
            f->rep->missing++;
        }
        if (!rc) rc = add_issue(f, &o->d, o->result);
    }
    if (!rc && !f->s->read_only) {
        /* Best effort: when an object was last verified is a record, not
         * part of the check, and a full disk must not hide what the check
         * found. */
        struct verified_arg a = {f, mlops__now_ms()};
        (void)mlops__store_write(f->s, record_verified_tx, &a);
    }
    return rc;
}

/* Next page of object rows after `last`, each kept with probability
 * sample. */
static int load_page(struct fsck *f, mlops__conn *c, mlops_digest *last, int *started,
                     int *done, uint64_t *seed)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT digest, size FROM cas_object WHERE digest > ?1 "
                              "ORDER BY digest LIMIT ?2",
                              &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, last->bytes, *started ? 32 : 0);
    if (!rc) rc = mlops__bind_int64(c, st, 2, PAGE);
    if (rc) return rc;
    f->n = 0;
    size_t rows = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (mlops__col_bytes(st, 0) != 32) continue;
        rows++;
        memcpy(last->bytes, mlops__col_blob(st, 0), 32);
        f->rep->objects++;
        if (!mlops__fsck_keep(seed, f->o.sample)) continue;
        struct obj *o = &f->page[f->n++];
        o->d = *last;
        o->size = (uint64_t)mlops__col_int64(st, 1);
        o->result = 0;
    }
    mlops__reset(st);
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "listing objects");
    *started = 1;
    if (rows < PAGE) *done = 1;
    return MLOPS_OK;
}

struct orphan_count {
    struct fsck *f;
    mlops__conn *c;
};

static int count_orphan(const mlops_digest *d, int64_t mtime_ms, void *arg)
{
    struct orphan_count *oc = arg;
    (void)mtime_ms;
    int yes = 1;
    int rc = mlops__object_recorded(oc->c, d, &yes);
    if (!rc && !yes) oc->f->rep->orphans++;
    return rc;
}

/* Objects with no row: counted, not touched (gc removes them). The walk
 * is the object backend's foreach, which gc's orphan sweep shares. */
static int count_orphans(struct fsck *f, mlops__conn *c)
{
    struct orphan_count oc = {f, c};
    return f->s->objects->foreach(f->s->objects, count_orphan, &oc);
}

MLOPS_API int mlops_store_fsck(mlops_store *s, const mlops_fsck_opts *opts,
                               mlops_fsck_report *report)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!report) return mlops__err_null(__func__, "report");
    if (report->version == 0 || report->version > MLOPS_FSCK_REPORT_VERSION)
        return mlops__err(MLOPS_EINVAL, "%s: report version %u is not supported", __func__,
                          report->version);
    struct fsck *f = calloc(1, sizeof *f);
    if (!f) return mlops__err_nomem("running fsck");
    mlops_fsck_opts o = MLOPS_FSCK_OPTS_INIT;
    if (opts) {
        if (opts->version == 0 || opts->version > MLOPS_FSCK_OPTS_VERSION) {
            free(f);
            return mlops__err(MLOPS_EINVAL, "%s: options version %u is not supported", __func__,
                              opts->version);
        }
        o = *opts;
    }
    if (!(o.sample > 0.0 && o.sample <= 1.0)) {
        free(f);
        return mlops__err(MLOPS_EINVAL, "%s: sample %g is not in (0, 1]", __func__, o.sample);
    }
    if (o.quarantine && s->read_only) {
        free(f);
        return mlops__err(MLOPS_EREADONLY,
                          "%s: store '%s' was opened read-only: it cannot quarantine (set "
                          "quarantine to 0)",
                          __func__, s->path);
    }
    unsigned version = report->version;
    mlops_fsck_report empty = MLOPS_FSCK_REPORT_INIT;
    *report = empty;
    report->version = version;
    f->fn = __func__;
    f->s = s;
    f->o = o;
    f->rep = report;
    pthread_mutex_init(&f->mu, NULL);
    uint64_t seed = 0;
    int rc = mlops__random_bytes((unsigned char *)&seed, sizeof seed);
    seed |= 1;
    mlops_digest last;
    memset(&last, 0, sizeof last);
    int started = 0, done = 0;
    mlops__conn *c = NULL;
    if (!rc) rc = mlops__store_conn(s, &c);
    while (!rc && !done) {
        rc = load_page(f, c, &last, &started, &done, &seed);
        if (!rc) rc = check_page(f);
        for (size_t i = 0; !rc && i < f->n; i++) {
            report->checked++;
            report->bytes_checked += f->page[i].size;
        }
        if (!rc) rc = handle_results(f, c);
    }
    /* Blobs whose rows do not give their digest: reported as corrupt
     * under the blob's digest. Nothing is quarantined for them: the
     * damage is in the database, and their objects may be sound. */
    mlops_digest *bad = NULL;
    size_t nbad = 0;
    if (!rc) rc = mlops__fsck_blobs(s, __func__, o.sample, &seed, &bad, &nbad);
    for (size_t i = 0; !rc && i < nbad; i++) {
        report->corrupt++;
        rc = add_issue(f, &bad[i], MLOPS_FSCK_CORRUPT);
    }
    free(bad);
    if (!rc && o.sample >= 1.0) rc = count_orphans(f, c);
    mlops__store_release(s, c);
    pthread_mutex_destroy(&f->mu);
    if (rc) {
        free(f);
        free(report->issues);
        report->issues = NULL;
        report->nissues = 0;
        return rc;
    }
    if (report->nissues) {
        char ds[MLOPS_DIGEST_STRLEN], unmoved[700] = "";
        if (f->unmoved)
            snprintf(unmoved, sizeof unmoved, "; %llu could not be moved to quarantine: %s",
                     (unsigned long long)f->unmoved, f->unmoved_why);
        char blobs[128] = "";
        if (nbad)
            snprintf(blobs, sizeof blobs,
                     " (%llu of them blobs whose chunk list does not give their digest)",
                     (unsigned long long)nbad);
        rc = mlops__err(MLOPS_ECORRUPT,
                        "%s: %llu corrupt%s and %llu missing objects in store '%s' (first: "
                        "%s)%s",
                        __func__, (unsigned long long)report->corrupt, blobs,
                        (unsigned long long)report->missing, s->path,
                        mlops__digest_str(&report->issues[0].digest, ds), unmoved);
        free(f);
        return rc;
    }
    free(f);
    return MLOPS_OK;
}
