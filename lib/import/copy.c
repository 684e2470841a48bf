/* mlops_store_copy: a whole store into an empty store or an earlier copy
 * of the same source (doc/import.md, "Store copy").
 *
 * 1. Which destination: its meta row 'copied_from' names the store id of
 *    the source it is a copy of; a store without it must be empty.
 * 2. Objects, in batches (copy_objects.c): only what dst lacks.
 * 3. Records and the audit chain in one write transaction on dst, read
 *    from one snapshot of src: dst's chain must be a prefix of src's;
 *    src's later events are appended as they are, each one's hash checked
 *    over dst's head (mlops__audit_append_verbatim), the tables follow
 *    (copy_tables.c), and before committing dst is verified as
 *    mlops_audit_verify does and its head compared with src's. A copy
 *    can therefore only ever hold a chain that verifies, with the
 *    source's head. */
#include "import/copy_internal.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

MLOPS_API int mlops_store_copy_opts_init(mlops_store_copy_opts *opts, unsigned version)
{
    static const mlops_store_copy_opts defaults = MLOPS_STORE_COPY_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_STORE_COPY_OPTS_VERSION);
}

MLOPS_API int mlops_store_copy_report_init(mlops_store_copy_report *report, unsigned version)
{
    static const mlops_store_copy_report defaults = MLOPS_STORE_COPY_REPORT_INIT;
    return mlops__opts_init(__func__, report, &defaults, sizeof defaults, version,
                            MLOPS_STORE_COPY_REPORT_VERSION);
}

#define COPIED_FROM "copied_from"

typedef struct copy_ctx {
    const char *fn;
    mlops_store *src, *dst;
    mlops__conn *sc; /* src, inside its read snapshot */
    int fresh;       /* dst holds no records (check_dest) */
    char src_id[80];
    mlops_store_copy_report r;
} copy_ctx;

/* meta value of key into out ("" and *found 0 when absent). */
static int read_meta(mlops__conn *c, const char *key, char *out, size_t n, int *found)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT value FROM meta WHERE key = ?1", &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, key);
    if (rc) return rc;
    int step = mlops__step(st);
    *found = step == MLOPS__ROW;
    snprintf(out, n, "%s", *found && mlops__col_text(st, 0) ? mlops__col_text(st, 0) : "");
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        return mlops__conn_error(c, step, "reading store facts");
    return MLOPS_OK;
}

static int src_id_tx(mlops__conn *c, void *arg)
{
    copy_ctx *cx = arg;
    int found = 0;
    int rc = read_meta(c, "store_id", cx->src_id, sizeof cx->src_id, &found);
    if (!rc && !found)
        rc = mlops__err(MLOPS_ECORRUPT, "%s: the source store has no store id", cx->fn);
    return rc;
}

/* dst is an earlier copy of src, or empty. */
static int check_dest(mlops__conn *c, void *arg)
{
    copy_ctx *cx = arg;
    char id[80], from[80];
    int found = 0;
    cx->fresh = 0;
    int rc = read_meta(c, "store_id", id, sizeof id, &found);
    if (!rc && found && !strcmp(id, cx->src_id))
        rc = mlops__err(MLOPS_EINVAL, "%s: source and destination are the same store", cx->fn);
    if (!rc) rc = read_meta(c, COPIED_FROM, from, sizeof from, &found);
    if (rc) return rc;
    if (found)
        return strcmp(from, cx->src_id)
                   ? mlops__err(MLOPS_ECONFLICT,
                                "%s: the destination is a copy of another store (%s), not of "
                                "this source (%s)",
                                cx->fn, from, cx->src_id)
                   : MLOPS_OK;
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "SELECT (SELECT count(*) FROM experiments) + (SELECT count(*) FROM runs)"
                          " + (SELECT count(*) FROM reg_models)"
                          " + (SELECT count(*) FROM audit_events)"
                          " + (SELECT count(*) FROM cas_content) + (SELECT count(*) FROM cas_ref)",
                          &st);
    if (rc) return rc;
    int step = mlops__step(st);
    int64_t rows = step == MLOPS__ROW ? mlops__col_int64(st, 0) : 0;
    mlops__reset(st);
    if (step != MLOPS__ROW) return mlops__conn_row_error(c, step, "counting records");
    if (rows)
        return mlops__err(MLOPS_ECONFLICT,
                          "%s: the destination is neither empty nor a copy of this source "
                          "(it holds %" PRId64 " records of its own)",
                          cx->fn, rows);
    /* No records, but maybe objects (an interrupted copy's): those are
     * not among the tables copied row by row. */
    cx->fresh = 1;
    return MLOPS_OK;
}

/* The hash src's chain has at seq (*found 0 when it is shorter). */
static int src_hash_at(mlops__conn *sc, int64_t seq, mlops_digest *h, int *found)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(sc, "SELECT hash FROM audit_events WHERE seq = ?1", &st);
    if (!rc) rc = mlops__bind_int64(sc, st, 1, seq);
    if (rc) return rc;
    int step = mlops__step(st);
    *found = step == MLOPS__ROW && mlops__col_bytes(st, 0) == 32;
    if (*found) memcpy(h->bytes, mlops__col_blob(st, 0), 32);
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        return mlops__conn_error(sc, step, "reading the audit log");
    return MLOPS_OK;
}

static int copy_events(copy_ctx *cx, mlops__conn *dc)
{
    int64_t dseq = 0;
    mlops_digest dhash, shash;
    int found = 0;
    int rc = mlops__audit_head_read(dc, &dseq, &dhash, NULL);
    if (!rc && dseq) rc = src_hash_at(cx->sc, dseq, &shash, &found);
    if (rc) return rc;
    if (dseq && (!found || memcmp(shash.bytes, dhash.bytes, 32)))
        return mlops__err(MLOPS_ECONFLICT,
                          "%s: the destination's audit log (event %" PRId64 ") is not a part "
                          "of the source's: it was changed after the last copy",
                          cx->fn, dseq);
    mlops__stmt *st;
    rc = mlops__conn_stmt(cx->sc,
                          "SELECT " MLOPS__AUDIT_ROW_COLUMNS
                          " FROM audit_events WHERE seq > ?1 ORDER BY seq",
                          &st);
    if (!rc) rc = mlops__bind_int64(cx->sc, st, 1, dseq);
    if (rc) return rc;
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        mlops__audit_row r;
        mlops_digest h;
        mlops__audit_row_read(st, &r, &h);
        rc = mlops__audit_append_verbatim(dc, cx->fn, &r, &h);
        if (!rc) cx->r.events_copied++;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(cx->sc, step, "reading the audit log");
    mlops__reset(st);
    return rc;
}

static int record_source(copy_ctx *cx, mlops__conn *dc)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(dc,
                              "INSERT INTO meta(key, value) VALUES (?1, ?2) "
                              "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                              &st);
    if (!rc) rc = mlops__bind_text(dc, st, 1, COPIED_FROM);
    if (!rc) rc = mlops__bind_text(dc, st, 2, cx->src_id);
    if (!rc) rc = mlops__conn_step_done(dc, st, "recording the copy's source");
    return rc;
}

static int dst_tx(mlops__conn *dc, void *arg)
{
    copy_ctx *cx = arg;
    /* A transaction may be run again (a retried conflict): count afresh. */
    cx->r.rows_written = 0;
    cx->r.events_copied = 0;
    int64_t sseq = 0;
    mlops_digest shash;
    int rc = check_dest(dc, cx);
    if (!rc) rc = copy_events(cx, dc);
    if (!rc) rc = mlops__copy_tables(cx->fn, cx->sc, dc, cx->fresh, &cx->r.rows_written);
    if (!rc) rc = mlops__copy_sequences(dc);
    if (!rc) rc = record_source(cx, dc);
    if (!rc) rc = mlops__audit_verify_conn(dc, cx->fn);
    if (!rc) rc = mlops__audit_head_read(cx->sc, &sseq, &shash, NULL);
    if (!rc) rc = mlops__audit_head_read(dc, &cx->r.head_seq, &cx->r.head_hash, NULL);
    if (!rc && (sseq != cx->r.head_seq || memcmp(shash.bytes, cx->r.head_hash.bytes, 32)))
        rc = mlops__err(MLOPS_ECORRUPT, "%s: the copy's audit head differs from the source's",
                        cx->fn);
    return rc;
}

static int src_tx(mlops__conn *sc, void *arg)
{
    copy_ctx *cx = arg;
    cx->sc = sc;
    return mlops__store_write(cx->dst, dst_tx, cx);
}

MLOPS_API int mlops_store_copy(mlops_store *src, mlops_store *dst,
                               const mlops_store_copy_opts *opts,
                               mlops_store_copy_report *report)
{
    if (!src) return mlops__err_null(__func__, "src");
    if (!dst) return mlops__err_null(__func__, "dst");
    int rc = MLOPS_OK;
    if (opts)
        rc = mlops__opts_check(__func__, opts->version, MLOPS_STORE_COPY_OPTS_VERSION,
                               "mlops_store_copy_opts_init");
    if (!rc && report)
        rc = mlops__opts_check(__func__, report->version, MLOPS_STORE_COPY_REPORT_VERSION,
                               "mlops_store_copy_report_init");
    if (!rc && src == dst)
        rc = mlops__err(MLOPS_EINVAL, "%s: source and destination are the same store", __func__);
    if (!rc) rc = mlops__store_check_writable(dst, __func__);
    if (rc) return rc;
    copy_ctx cx = { .fn = __func__, .src = src, .dst = dst };
    cx.r = (mlops_store_copy_report)MLOPS_STORE_COPY_REPORT_INIT;
    rc = mlops__store_read(src, src_id_tx, &cx);
    /* Refuse a wrong destination before writing any object into it. */
    if (!rc) rc = mlops__store_read(dst, check_dest, &cx);
    if (!rc) rc = mlops__copy_objects(__func__, src, dst, &cx.r);
    if (!rc) rc = mlops__store_read(src, src_tx, &cx);
    if (report) {
        unsigned version = report->version;
        *report = cx.r;
        report->version = version;
    }
    return rc;
}
