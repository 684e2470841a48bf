/* Putting content that fits in one object (up to the store's maximum
 * chunk size): one object file and one content row. */
#include "cas/cas_internal.h"
#include "util/clock.h"
#include "util/err.h"

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

int mlops__put_reuse(mlops_store *s, const mlops_digest *d, int *reused)
{
    *reused = 0;
    /* The row alone is not enough: fsck may have moved a corrupt file to
     * quarantine, and putting the content again must heal it. */
    if (!mlops__object_file_present(s, d)) return MLOPS_OK;
    struct touch_arg a = {d, 0};
    int rc = mlops__store_write(s, touch_tx, &a);
    if (!rc) *reused = a.found;
    return rc;
}

struct whole_arg {
    mlops_store *s;
    mlops__placed *obj;
    int kind;
    uint64_t entries;
};

static int commit_whole_tx(mlops__conn *c, void *arg)
{
    struct whole_arg *a = arg;
    int64_t now = mlops__now_ms();
    int rc = mlops__objects_commit(c, a->s, a->obj, 1, now);
    if (rc) return rc;
    return mlops__content_insert(c, &a->obj->digest, a->kind, a->obj->size, NULL, a->entries,
                                 now);
}

int mlops__put_whole(mlops_store *s, mlops__obj_writer *w, const mlops_digest *d, int kind,
                     uint64_t entries, const void *data, size_t len)
{
    mlops__obj_writer *own = NULL;
    int rc = MLOPS_OK;
    if (!w) {
        rc = mlops__obj_writer_new(s, &own);
        if (rc) return rc;
        w = own;
    }
    mlops__placed obj;
    rc = mlops__object_write(s, w, d, data, len, &obj);
    if (!rc) {
        struct whole_arg a = {s, &obj, kind, entries};
        rc = mlops__objects_sync_dirs(s, &obj, 1);
        if (!rc) rc = mlops__store_write(s, commit_whole_tx, &a);
        if (rc) mlops__objects_discard(s, &obj, 1);
        else mlops__placed_clear(&obj);
    }
    mlops__obj_writer_free(own);
    return rc;
}
