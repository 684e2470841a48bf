/* Describing content (stat) and iterating over it (list). */
#include "cas/cas_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <stdlib.h>
#include <string.h>

#define PAGE 256

MLOPS_API int mlops_blob_info_init(mlops_blob_info *info, unsigned version)
{
    static const mlops_blob_info defaults = MLOPS_BLOB_INFO_INIT;
    return mlops__opts_init(__func__, info, &defaults, sizeof defaults, version,
                            MLOPS_BLOB_INFO_VERSION);
}

/* Sums the object files of a chunked blob: its distinct chunks. */
static int chunk_totals(mlops__conn *c, const mlops_digest *d, uint64_t *stored,
                        uint64_t *zstd)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT CAST(coalesce(sum(stored), 0) AS BIGINT), "
                              "count(*) FILTER (WHERE encoding = 1) "
                              "FROM cas_object WHERE digest IN "
                              "(SELECT chunk FROM cas_chunk WHERE blob = ?1)",
                              &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, d->bytes, 32);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        *stored = (uint64_t)mlops__col_int64(st, 0);
        *zstd = (uint64_t)mlops__col_int64(st, 1);
    }
    mlops__reset(st);
    return step == MLOPS__ROW ? MLOPS_OK : mlops__conn_error(c, step, "summing chunks");
}

static int object_row(mlops__conn *c, const mlops_digest *d, uint64_t *stored, int *encoding)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT stored, encoding FROM cas_object WHERE digest = ?1",
                              &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, d->bytes, 32);
    if (rc) return rc;
    int step = mlops__step(st);
    *stored = 0;
    *encoding = 0;
    if (step == MLOPS__ROW) {
        *stored = (uint64_t)mlops__col_int64(st, 0);
        *encoding = mlops__col_int(st, 1);
    }
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        return mlops__conn_error(c, step, "looking up an object");
    return MLOPS_OK;
}

static int describe(mlops__conn *c, const char *func, const mlops_digest *d,
                    mlops_blob_info *info)
{
    mlops__content ct;
    int rc = mlops__content_get(c, func, d, &ct);
    if (rc) return rc;
    mlops_blob_info out = MLOPS_BLOB_INFO_INIT;
    out.version = info->version;
    out.kind = ct.kind;
    out.size = ct.size;
    out.chunks = ct.chunks;
    out.created_ms = ct.created_ms;
    int enc = 0;
    if (ct.has_manifest) {
        uint64_t mstored = 0;
        out.encoding = MLOPS_ENCODING_CHUNKED;
        rc = chunk_totals(c, d, &out.stored, &out.zstd_chunks);
        if (!rc) rc = object_row(c, &ct.manifest, &mstored, &enc);
        out.stored += mstored;
    } else {
        rc = object_row(c, d, &out.stored, &enc);
        out.encoding = enc == MLOPS__ENC_ZSTD ? MLOPS_ENCODING_ZSTD : MLOPS_ENCODING_RAW;
        out.zstd_chunks = enc == MLOPS__ENC_ZSTD;
    }
    if (!rc) *info = out; /* version 1 is every field */
    return rc;
}

static int check_info(const char *func, const mlops_blob_info *info)
{
    if (info->version == 0 || info->version > MLOPS_BLOB_INFO_VERSION)
        return mlops__err(MLOPS_EINVAL,
                          "%s: info version %u is not supported (initialise it with "
                          "mlops_blob_info_init)",
                          func, info->version);
    return MLOPS_OK;
}

MLOPS_API int mlops_blob_stat(mlops_store *s, const mlops_digest *d, mlops_blob_info *info)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!d) return mlops__err_null(__func__, "d");
    if (!info) return mlops__err_null(__func__, "info");
    int rc = check_info(__func__, info);
    if (rc) return rc;
    mlops__conn *c;
    rc = mlops__store_conn(s, &c);
    if (rc) return rc;
    rc = mlops__conn_begin(c, 0); /* one snapshot for the several queries */
    if (!rc) rc = describe(c, __func__, d, info);
    mlops__store_release(s, c);
    return rc;
}

struct mlops_blob_iter {
    mlops_store *s;
    int kinds;
    mlops_digest page[PAGE];
    size_t n, next;
    int started, done;
    mlops_digest last;
};

MLOPS_API int mlops_blob_list_open(mlops_store *s, int kinds, mlops_blob_iter **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    if (kinds != 0 && kinds != MLOPS_KIND_BLOB && kinds != MLOPS_KIND_TREE)
        return mlops__err(MLOPS_EINVAL, "%s: unknown kind %d", __func__, kinds);
    mlops_blob_iter *it = calloc(1, sizeof *it);
    if (!it) return mlops__err_nomem(__func__);
    it->s = s;
    it->kinds = kinds;
    *out = it;
    return MLOPS_OK;
}

static int load_page(mlops_blob_iter *it, mlops__conn *c)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT digest FROM cas_content WHERE digest > ?1 "
                              "AND (?2 = 0 OR kind = ?2) ORDER BY digest LIMIT ?3",
                              &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, it->last.bytes, it->started ? 32 : 0);
    if (!rc) rc = mlops__bind_int64(c, st, 2, it->kinds);
    if (!rc) rc = mlops__bind_int64(c, st, 3, PAGE);
    if (rc) return rc;
    it->n = it->next = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW)
        if (mlops__col_bytes(st, 0) == 32)
            memcpy(it->page[it->n++].bytes, mlops__col_blob(st, 0), 32);
    mlops__reset(st);
    if (step != MLOPS__DONE) {
        /* Nothing of a page that failed is handed out: the next call
         * loads it again from the same place. */
        it->n = 0;
        return mlops__conn_error(c, step, "listing content");
    }
    if (it->n < PAGE) it->done = 1;
    if (it->n) it->last = it->page[it->n - 1];
    it->started = 1;
    return MLOPS_OK;
}

MLOPS_API int mlops_blob_list_next(mlops_blob_iter *it, mlops_digest *d, mlops_blob_info *info)
{
    if (!it) return mlops__err_null(__func__, "it");
    if (!d) return mlops__err_null(__func__, "d");
    if (info) {
        int rc = check_info(__func__, info);
        if (rc) return rc;
    }
    for (;;) {
        if (it->next == it->n && it->done && it->started) return MLOPS_ITEROVER;
        mlops__conn *c;
        int rc = mlops__store_conn(it->s, &c);
        if (rc) return rc;
        if (it->next == it->n) rc = load_page(it, c);
        if (rc || it->next == it->n) { /* a failed page is loaded again next time */
            mlops__store_release(it->s, c);
            return rc ? rc : MLOPS_ITEROVER;
        }
        mlops_digest cur = it->page[it->next];
        if (!rc && info) rc = describe(c, __func__, &cur, info);
        mlops__store_release(it->s, c);
        it->next++;
        if (rc == MLOPS_ENOTFOUND) continue; /* gc removed it since the page was read */
        if (rc) return rc;
        *d = cur;
        return MLOPS_OK;
    }
}

MLOPS_API void mlops_blob_list_close(mlops_blob_iter *it)
{
    free(it);
}
