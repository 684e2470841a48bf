/* Putting content that fits in one object (up to the store's maximum
 * chunk size): one object file and one content row. */
#include "cas/cas_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/hash.h"

#include <stdio.h>
#include <string.h>

struct touch_arg {
    const mlops_digest *d;
    int found;
};

static int touch_tx(mlops__conn *c, void *arg)
{
    struct touch_arg *a = arg;
    return mlops__content_touch(c, a->d, mlops__now_ms(), &a->found);
}

struct recorded_arg {
    const mlops_digest *d;
    int found;
    mlops__removals_seen *seen;
};

/* Whether d has a row, and the removals done so far (for a put of it). */
static int recorded_tx(mlops__conn *c, void *arg)
{
    struct recorded_arg *a = arg;
    int rc = mlops__object_recorded(c, a->d, &a->found);
    if (!rc && !a->found) (void)mlops__removals_read(c, a->seen);
    return rc;
}

int mlops__put_reuse(mlops_store *s, const mlops_digest *d, int *reused,
                     mlops__removals_seen *seen)
{
    *reused = 0;
    memset(seen, 0, sizeof *seen);
    int rc;
    if (s->objects->remote) {
        /* A lookup there is a request: new content (no row) needs none. */
        struct recorded_arg known = {d, 0, seen};
        rc = mlops__store_read(s, recorded_tx, &known);
        if (rc || !known.found) return rc;
    }
    /* The row alone is not enough: fsck may have moved a corrupt file to
     * quarantine, and putting the content again must heal it. */
    int present = 0;
    rc = mlops__object_present(s, d, &present);
    if (rc || !present) return rc;
    struct touch_arg a = {d, 0};
    rc = mlops__store_write(s, touch_tx, &a);
    if (!rc) *reused = a.found;
    return rc;
}

struct whole_arg {
    mlops_store *s;
    const mlops__removals_seen *seen;
    mlops__placed *obj;
    int kind;
    uint64_t entries;
    const mlops_digest *children;
    size_t nchildren;
};

static int commit_whole_tx(mlops__conn *c, void *arg)
{
    struct whole_arg *a = arg;
    int64_t now = mlops__now_ms();
    int rc = mlops__objects_commit(c, a->s, a->seen, a->obj, 1, now);
    if (!rc)
        rc = mlops__content_insert(c, &a->obj->digest, a->kind, a->obj->size, NULL, a->entries,
                                   now);
    mlops__stmt *st;
    for (size_t i = 0; !rc && i < a->nchildren; i++) {
        rc = mlops__conn_stmt(c,
                              "INSERT INTO cas_tree_child(tree, child) VALUES (?1, ?2) "
                              "ON CONFLICT(tree, child) DO NOTHING",
                              &st);
        if (!rc) rc = mlops__bind_blob(c, st, 1, a->obj->digest.bytes, 32);
        if (!rc) rc = mlops__bind_blob(c, st, 2, a->children[i].bytes, 32);
        if (!rc) rc = mlops__conn_step_done(c, st, "recording a tree's child");
    }
    return rc;
}

int mlops__put_whole(mlops_store *s, mlops__obj_writer *w, const mlops_digest *d, int kind,
                     uint64_t entries, const void *data, size_t len,
                     const mlops_digest *children, size_t nchildren,
                     const mlops__removals_seen *seen)
{
    mlops__obj_writer *own = NULL;
    int rc = MLOPS_OK;
    if (!w) {
        rc = mlops__obj_writer_new(s, &own);
        if (rc) return rc;
        w = own;
    }
    mlops__removals_seen now;
    if (!seen || !seen->known) {
        mlops__removals_seen_now(s, &now);
        seen = &now;
    }
    mlops__placed obj;
    rc = mlops__object_write(s, w, d, data, len, &obj);
    if (!rc) {
        struct whole_arg a = {s, seen, &obj, kind, entries, children, nchildren};
        rc = mlops__objects_sync(s, &obj, 1);
        if (!rc) rc = mlops__put_commit(s, "put", commit_whole_tx, &a);
        if (rc) mlops__objects_discard(s, &obj, 1);
        else mlops__placed_clear(&obj);
    }
    mlops__obj_writer_free(own);
    return rc;
}

int mlops__put_small(mlops_store *s, const void *data, size_t len, mlops_digest *out)
{
    mlops_digest d;
    int reused = 0;
    int rc = mlops__sha256_oneshot(data, len, &d);
    mlops__removals_seen seen;
    if (!rc) rc = mlops__put_reuse(s, &d, &reused, &seen);
    if (!rc && !reused)
        rc = mlops__put_whole(s, NULL, &d, MLOPS__KIND_BLOB, 1, data, len, NULL, 0, &seen);
    if (!rc) *out = d;
    return rc;
}

int mlops__put_commit(mlops_store *s, const char *func, mlops__tx_fn fn, void *arg)
{
    int rc = mlops__store_write(s, fn, arg);
    if (rc) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", mlops__err_message());
        mlops__err(rc, "%s: cannot commit to store '%s': %s", func, s->path, msg);
    }
    return rc;
}
