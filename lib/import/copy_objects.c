/* Store copy, the objects: every object file of src that dst lacks is
 * read from src (decoded and checked against its digest: nothing
 * unverified reaches dst), written to dst at dst's own compression and
 * made visible in batches, so an interrupted copy keeps what it wrote and
 * a rerun skips it. */
#include "import/copy_internal.h"
#include "cas/cas_internal.h"
#include "util/clock.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

#define BATCH 256

typedef struct obj_copy {
    const char *fn;
    mlops_store *src, *dst;
    mlops_store_copy_report *r;
    mlops_digest want[BATCH];
    int lacks[BATCH];
    size_t n;
    mlops__placed placed[BATCH];
    size_t nplaced;
    mlops__removals_seen seen; /* before anything was placed */
    mlops__obj_reader *reader;
    mlops__obj_writer *writer;
    mlops_digest done;  /* the last digest of the last batch flushed */
    int any_done;
} obj_copy;

static int lacking_tx(mlops__conn *c, void *arg)
{
    obj_copy *oc = arg;
    for (size_t i = 0; i < oc->n; i++) {
        mlops__stmt *st;
        int rc = mlops__conn_stmt(c, "SELECT 1 FROM cas_object WHERE digest = ?1", &st);
        if (!rc) rc = mlops__bind_blob(c, st, 1, oc->want[i].bytes, 32);
        if (rc) return rc;
        int step = mlops__step(st);
        mlops__reset(st);
        if (step != MLOPS__ROW && step != MLOPS__DONE)
            return mlops__conn_error(c, step, "looking up an object");
        oc->lacks[i] = step == MLOPS__DONE;
    }
    return MLOPS_OK;
}

static int commit_tx(mlops__conn *c, void *arg)
{
    obj_copy *oc = arg;
    return mlops__objects_commit(c, oc->dst, &oc->seen, oc->placed, oc->nplaced, mlops__now_ms());
}

/* Copies the lacking objects of the batch and empties it. */
static int flush(obj_copy *oc)
{
    int rc = mlops__store_read(oc->dst, lacking_tx, oc);
    oc->nplaced = 0;
    for (size_t i = 0; !rc && i < oc->n; i++) {
        if (!oc->lacks[i]) {
            oc->r->objects_present++;
            continue;
        }
        void *data = NULL;
        size_t len = 0;
        rc = mlops__object_read_alloc(oc->src, oc->reader, &oc->want[i], &data, &len);
        if (!rc) rc = mlops__object_write(oc->dst, oc->writer, &oc->want[i], data, len,
                                          &oc->placed[oc->nplaced]);
        free(data);
        if (rc) break;
        oc->nplaced++;
        oc->r->objects_copied++;
        oc->r->bytes_copied += len;
    }
    if (!rc) rc = mlops__objects_sync(oc->dst, oc->placed, oc->nplaced);
    if (!rc && oc->nplaced) rc = mlops__store_write(oc->dst, commit_tx, oc);
    if (rc) mlops__objects_discard(oc->dst, oc->placed, oc->nplaced);
    for (size_t i = 0; i < oc->nplaced; i++) mlops__placed_clear(&oc->placed[i]);
    if (!rc && oc->n) {
        oc->done = oc->want[oc->n - 1];
        oc->any_done = 1;
    }
    oc->nplaced = 0;
    oc->n = 0;
    return rc;
}

static int scan_tx(mlops__conn *c, void *arg)
{
    obj_copy *oc = arg;
    /* A read retried after a lost connection goes on after the last batch
     * flushed, and drops what the failed attempt had gathered: each
     * object is copied and counted once. */
    oc->n = 0;
    mlops__stmt *st = NULL;
    int rc = oc->any_done
                 ? mlops__conn_stmt(c, "SELECT digest FROM cas_object WHERE digest > ?1 "
                                       "ORDER BY digest", &st)
                 : mlops__conn_stmt(c, "SELECT digest FROM cas_object ORDER BY digest", &st);
    if (!rc && oc->any_done) rc = mlops__bind_blob(c, st, 1, oc->done.bytes, 32);
    if (rc) {
        mlops__reset(st);
        return rc;
    }
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        if (mlops__col_bytes(st, 0) != 32) {
            rc = mlops__err(MLOPS_ECORRUPT, "%s: the source has an object row without a "
                                            "32-byte digest", oc->fn);
            break;
        }
        memcpy(oc->want[oc->n++].bytes, mlops__col_blob(st, 0), 32);
        if (oc->n == BATCH) rc = flush(oc);
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "listing objects");
    mlops__reset(st);
    if (!rc && oc->n) rc = flush(oc);
    return rc;
}

int mlops__copy_objects(const char *fn, mlops_store *src, mlops_store *dst,
                        mlops_store_copy_report *r)
{
    obj_copy *oc = calloc(1, sizeof *oc);
    if (!oc) return mlops__err_nomem("copying objects");
    oc->fn = fn;
    oc->src = src;
    oc->dst = dst;
    oc->r = r;
    mlops__removals_seen_now(dst, &oc->seen);
    int rc = mlops__obj_reader_new(&oc->reader);
    if (!rc) rc = mlops__obj_writer_new(dst, &oc->writer);
    if (!rc) rc = mlops__store_read(src, scan_tx, oc);
    if (oc->reader) mlops__obj_reader_free(oc->reader);
    if (oc->writer) mlops__obj_writer_free(oc->writer);
    free(oc);
    return rc;
}
