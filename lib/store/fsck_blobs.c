/* fsck's second pass: object files prove only themselves, so a blob's
 * rows (which chunks, in which order) could name other bytes with every
 * object sound. Each blob is checked against the manifest object it names
 * and against its own digest, by reading its chunks in order. */
#include "cas/fetch.h"
#include "store/fsck_blobs.h"
#include "cas/manifest.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

#define PAGE 256

struct check {
    const char *fn; /* the public function reporting */
    mlops_store *s;
    mlops__obj_reader *r;
    mlops_digest d;
    int bad; /* out: the blob's rows do not give its digest */
};

/* The blob's chunk rows, in order, against its manifest's list. */
static int rows_match(mlops__conn *c, const mlops_digest *d, const mlops__chunk_ref *list,
                      size_t n, int *match)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT pos, size, chunk FROM cas_chunk WHERE blob = ?1 "
                                 "ORDER BY pos",
                              &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, d->bytes, 32);
    if (rc) return rc;
    size_t i = 0;
    uint64_t pos = 0;
    int step;
    *match = 1;
    while (*match && (step = mlops__step(st)) == MLOPS__ROW) {
        if (i == n || (uint64_t)mlops__col_int64(st, 0) != pos ||
            (uint64_t)mlops__col_int64(st, 1) != list[i].size ||
            mlops__col_bytes(st, 2) != 32 ||
            memcmp(mlops__col_blob(st, 2), list[i].digest.bytes, 32) != 0)
            *match = 0;
        else
            pos += list[i++].size;
    }
    if (*match && step != MLOPS__DONE) {
        mlops__reset(st);
        return mlops__conn_error(c, step, "listing chunks");
    }
    mlops__reset(st);
    if (i != n) *match = 0;
    return MLOPS_OK;
}

static int no_op(void *ctx, const mlops__span *sp, const unsigned char *data)
{
    (void)ctx, (void)sp, (void)data;
    return MLOPS_OK;
}

/* A damaged object is the object pass's finding, not this blob's. */
static int object_damage(int rc)
{
    return rc == MLOPS_ECORRUPT || rc == MLOPS_EUNSUPPORTED;
}

/* After damage met reading the blob: the object pass reports only
 * objects that have a row, so a manifest or chunk gone with its row is
 * this blob's finding (*gone = 1). */
static int parts_unrecorded(mlops__conn *c, const struct check *k, const mlops__content *ct,
                            int *gone)
{
    int yes = 1;
    int rc = mlops__object_recorded(c, &ct->manifest, &yes);
    if (rc || !yes) {
        *gone = !rc;
        return rc;
    }
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "SELECT 1 FROM cas_chunk k WHERE k.blob = ?1 AND NOT EXISTS "
                          "(SELECT 1 FROM cas_object o WHERE o.digest = k.chunk) LIMIT 1",
                          &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, k->d.bytes, 32);
    if (rc) return rc;
    int step = mlops__step(st);
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        return mlops__conn_error(c, step, "looking up chunks");
    *gone = step == MLOPS__ROW;
    return MLOPS_OK;
}

static int check_chunked(mlops__conn *c, struct check *k, const mlops__content *ct)
{
    void *buf = NULL;
    size_t len = 0;
    int rc = mlops__object_read_alloc(k->s, k->r, &ct->manifest, &buf, &len);
    if (object_damage(rc)) return parts_unrecorded(c, k, ct, &k->bad);
    if (rc) return rc;
    char ds[MLOPS_DIGEST_STRLEN];
    uint64_t total = 0;
    mlops__chunk_ref *list = NULL;
    size_t n = 0;
    rc = mlops__manifest_decode(buf, len, mlops__digest_str(&ct->manifest, ds), &total, &list,
                                &n);
    free(buf);
    if (object_damage(rc)) { /* a sound object that is no manifest */
        k->bad = 1;
        return MLOPS_OK;
    }
    if (rc) return rc;
    int match = total == ct->size && n == ct->chunks;
    if (match) rc = rows_match(c, &k->d, list, n, &match);
    free(list);
    if (rc || !match) {
        k->bad = !rc;
        return rc;
    }
    /* The rows are the manifest's: now the bytes must be the blob's. */
    mlops__fetch f = {k->s, c, &k->d, ct, 0, ct->size, NULL, no_op, NULL, 1, 0};
    rc = mlops__fetch_run(&f);
    if (f.mismatch) k->bad = 1;
    if (object_damage(rc) && !k->bad) return parts_unrecorded(c, k, ct, &k->bad);
    return object_damage(rc) ? MLOPS_OK : rc;
}

static int check_tx(mlops__conn *c, void *arg)
{
    struct check *k = arg;
    mlops__content ct;
    int rc = mlops__content_get(c, k->fn, &k->d, &ct);
    if (rc == MLOPS_ENOTFOUND) return MLOPS_OK; /* gc removed it meanwhile */
    if (rc || ct.kind != MLOPS__KIND_BLOB) return rc;
    if (ct.has_manifest) return check_chunked(c, k, &ct);
    /* Stored whole: its object is the blob, and the object pass hashes
     * it; only the size recorded for the blob can differ from it. */
    mlops__stmt *st;
    rc = mlops__conn_stmt(c, "SELECT size FROM cas_object WHERE digest = ?1", &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, k->d.bytes, 32);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) k->bad = (uint64_t)mlops__col_int64(st, 0) != ct.size;
    else if (step == MLOPS__DONE) k->bad = 1; /* no object: nothing gives its bytes */
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        return mlops__conn_error(c, step, "looking up an object");
    return MLOPS_OK;
}

static int load_page(mlops__conn *c, mlops_digest *page, size_t *n, mlops_digest *last,
                     int *started)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT digest FROM cas_content WHERE kind = 1 AND digest > ?1 "
                                 "ORDER BY digest LIMIT ?2",
                              &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, last->bytes, *started ? 32 : 0);
    if (!rc) rc = mlops__bind_int64(c, st, 2, PAGE);
    if (rc) return rc;
    *n = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW)
        if (mlops__col_bytes(st, 0) == 32)
            memcpy(page[(*n)++].bytes, mlops__col_blob(st, 0), 32);
    mlops__reset(st);
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "listing blobs");
    if (*n) *last = page[*n - 1];
    *started = 1;
    return MLOPS_OK;
}

int mlops__fsck_blobs(mlops_store *s, const char *fn, double sample, uint64_t *seed,
                      mlops_digest **bad, size_t *nbad)
{
    *bad = NULL;
    *nbad = 0;
    size_t cap = 0;
    mlops_digest *page = malloc(PAGE * sizeof *page), last;
    memset(&last, 0, sizeof last);
    struct check k = {fn, s, NULL, {{0}}, 0};
    int rc = page ? mlops__obj_reader_new(&k.r) : mlops__err_nomem("checking blobs");
    mlops__conn *c = NULL;
    if (!rc) rc = mlops__store_conn(s, &c);
    int started = 0;
    size_t n = PAGE;
    while (!rc && n == PAGE) {
        rc = load_page(c, page, &n, &last, &started);
        for (size_t i = 0; !rc && i < n; i++) {
            if (!mlops__fsck_keep(seed, sample)) continue;
            k.d = page[i];
            k.bad = 0;
            /* One snapshot per blob: its row, chunk rows and reads agree
             * even while others put and collect. */
            rc = mlops__store_read(s, check_tx, &k);
            if (rc || !k.bad) continue;
            if (*nbad == cap) {
                size_t nc = cap ? cap * 2 : 8;
                mlops_digest *nb = realloc(*bad, nc * sizeof *nb);
                if (!nb) {
                    rc = mlops__err_nomem("recording fsck issues");
                    break;
                }
                *bad = nb;
                cap = nc;
            }
            (*bad)[(*nbad)++] = k.d;
        }
    }
    if (c) mlops__store_release(s, c);
    mlops__obj_reader_free(k.r);
    free(page);
    if (rc) {
        free(*bad);
        *bad = NULL;
        *nbad = 0;
    }
    return rc;
}
