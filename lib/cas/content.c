/* Content rows (blobs and trees): lookups, the last-used time that
 * protects content from gc, and the existence contract other subsystems
 * use. */
#include "cas/cas_internal.h"
#include "util/clock.h"
#include "util/err.h"

#include <string.h>

int mlops__content_get(mlops__conn *c, const char *func, const mlops_digest *d,
                       mlops__content *out)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT kind, size, manifest, chunks, created_ms FROM cas_content "
                              "WHERE digest = ?1",
                              &st);
    if (rc) return rc;
    rc = mlops__bind_blob(c, st, 1, d->bytes, 32);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        memset(out, 0, sizeof *out);
        out->kind = mlops__col_int(st, 0);
        out->size = (uint64_t)mlops__col_int64(st, 1);
        if (!mlops__col_null(st, 2) && mlops__col_bytes(st, 2) == 32) {
            out->has_manifest = 1;
            memcpy(out->manifest.bytes, mlops__col_blob(st, 2), 32);
        }
        out->chunks = (uint64_t)mlops__col_int64(st, 3);
        out->created_ms = mlops__col_int64(st, 4);
        rc = MLOPS_OK;
    } else if (step == MLOPS__DONE) {
        char ds[MLOPS_DIGEST_STRLEN];
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: no blob or tree %s in this store", func,
                        mlops__digest_str(d, ds));
    } else {
        rc = mlops__conn_error(c, step, "looking up content");
    }
    mlops__reset(st);
    return rc;
}

int mlops__content_touch(mlops__conn *c, const mlops_digest *d, int64_t now_ms, int *found)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "UPDATE cas_content SET touched_ms = "
                              "CASE WHEN touched_ms < ?2 THEN ?2 ELSE touched_ms END "
                              "WHERE digest = ?1",
                              &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, d->bytes, 32);
    if (!rc) rc = mlops__bind_int64(c, st, 2, now_ms);
    if (!rc) rc = mlops__conn_step_done(c, st, "refreshing content");
    if (!rc) *found = mlops__conn_changes(c) > 0;
    return rc;
}

int mlops__cas_exists(mlops__conn *c, const mlops_digest *d, int *exists)
{
    if (!c) return mlops__err_null(__func__, "c");
    if (!d) return mlops__err_null(__func__, "d");
    if (!exists) return mlops__err_null(__func__, "exists");
    /* In a write transaction the caller is about to record a reference:
     * refreshing the content keeps a concurrent gc off it. */
    if (mlops__conn_in_write(c))
        return mlops__content_touch(c, d, mlops__now_ms(), exists);
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT 1 FROM cas_content WHERE digest = ?1", &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, d->bytes, 32);
    if (rc) return rc;
    int step = mlops__step(st);
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        return mlops__conn_error(c, step, "looking up content");
    *exists = step == MLOPS__ROW;
    return MLOPS_OK;
}

int mlops__content_insert(mlops__conn *c, const mlops_digest *d, int kind, uint64_t size,
                          const mlops_digest *manifest, uint64_t chunks, int64_t now_ms)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO cas_content(digest, kind, size, manifest, chunks, "
                              "created_ms, touched_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) "
                              "ON CONFLICT(digest) DO UPDATE SET "
                              "touched_ms = CASE WHEN cas_content.touched_ms < "
                              "excluded.touched_ms THEN excluded.touched_ms "
                              "ELSE cas_content.touched_ms END",
                              &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, d->bytes, 32);
    if (!rc) rc = mlops__bind_int64(c, st, 2, kind);
    if (!rc) rc = mlops__bind_int64(c, st, 3, (int64_t)size);
    if (!rc) rc = manifest ? mlops__bind_blob(c, st, 4, manifest->bytes, 32)
                           : mlops__bind_blob(c, st, 4, NULL, 0);
    if (!rc) rc = mlops__bind_int64(c, st, 5, (int64_t)chunks);
    if (!rc) rc = mlops__bind_int64(c, st, 6, now_ms);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording content");
    return rc;
}

int mlops__object_recorded(mlops__conn *c, const mlops_digest *d, int *yes)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT 1 FROM cas_object WHERE digest = ?1", &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, d->bytes, 32);
    if (rc) return rc;
    int step = mlops__step(st);
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        return mlops__conn_error(c, step, "looking up an object");
    *yes = step == MLOPS__ROW;
    return MLOPS_OK;
}
