/* mlops_store_gc: mark inside one read snapshot, then delete in small
 * write transactions that re-check every candidate, so writers wait at
 * most for one batch and never lose what they are putting.
 *
 * Safety rests on three rules (lib/cas/cas_internal.h, "GC roots"):
 *  - anything whose touched_ms is within the grace period is kept, and
 *    every put, reuse or new reference refreshes touched_ms in the same
 *    transaction that relies on the content;
 *  - an object row is deleted only while no content row uses it, and a
 *    content row only while no tree or ref names it (checked again in the
 *    deleting transaction);
 *  - a file is unlinked only after its row's deletion has committed, and
 *    only under the write lock once more seeing no row, because a writer
 *    that found the file in place records its row under that lock after
 *    checking the file is still there. */
#include "cas/cas_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/opts.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 256
/* Removed objects are made durable (the backend's sync) this many at a
 * time, and at the end. */
#define SYNC_EVERY 65536

MLOPS_API int mlops_gc_opts_init(mlops_gc_opts *opts, unsigned version)
{
    static const mlops_gc_opts defaults = MLOPS_GC_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_GC_OPTS_VERSION);
}

MLOPS_API int mlops_gc_report_init(mlops_gc_report *report, unsigned version)
{
    static const mlops_gc_report defaults = MLOPS_GC_REPORT_INIT;
    return mlops__opts_init(__func__, report, &defaults, sizeof defaults, version,
                            MLOPS_GC_REPORT_VERSION);
}

struct gc {
    mlops_store *s;
    mlops__conn *c;
    int64_t cutoff;
    int dry_run;
    mlops_gc_report rep;
    mlops_digest *removed; /* objects removed since the last sync */
    size_t nremoved;
};

/* ---- small SQL helpers ---------------------------------------------------- */

static int exec_cutoff(struct gc *g, const char *sql, const char *what)
{
    mlops__stmt *st = NULL;
    int rc = mlops__conn_prepare(g->c, sql, &st);
    if (rc) return rc;
    if (strstr(sql, "?1") && (rc = mlops__bind_int64(g->c, st, 1, g->cutoff))) {
        mlops__stmt_finalize(st);
        return rc;
    }
    rc = mlops__step(st);
    mlops__stmt_finalize(st);
    return rc == MLOPS__DONE ? MLOPS_OK : mlops__conn_error(g->c, rc, what);
}

static int query_u64(mlops__conn *c, const char *sql, uint64_t *out)
{
    mlops__stmt *st = NULL;
    int rc = mlops__conn_prepare(c, sql, &st);
    if (rc) return rc;
    rc = mlops__step(st);
    if (rc == MLOPS__ROW) *out = (uint64_t)mlops__col_int64(st, 0);
    mlops__stmt_finalize(st);
    return rc == MLOPS__ROW ? MLOPS_OK : mlops__conn_error(c, rc, "counting for gc");
}

/* ---- mark ----------------------------------------------------------------- */

/* The live set: every root query (a subquery in FROM needs a name on
 * PostgreSQL), then what trees name, recursively. UNION makes `live`
 * distinct and gc_live is empty, so the INSERT meets no duplicate. */
static char *mark_sql(void)
{
    const char *const *q = NULL;
    size_t n = mlops__cas_gc_root_queries(&q);
    size_t len = 1024;
    for (size_t i = 0; i < n; i++) len += strlen(q[i]) + 48;
    char *sql = malloc(len);
    if (!sql) return NULL;
    size_t at = (size_t)snprintf(sql, len, "WITH RECURSIVE roots(d) AS (");
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(sql + at, len - at, "SELECT * FROM (%s) AS r%zu UNION ", q[i], i);
    snprintf(sql + at, len - at,
             "SELECT digest FROM cas_content WHERE touched_ms >= ?1), "
             "live(d) AS (SELECT d FROM roots WHERE d IS NOT NULL "
             "  UNION SELECT child FROM cas_tree_child, live WHERE cas_tree_child.tree = live.d) "
             "INSERT INTO gc_live(d) SELECT d FROM live");
    return sql;
}

/* The connection's own scratch tables. Their names are unqualified
 * everywhere: both backends look in the session's temporary schema
 * first, and no store table has these names. */
static const char *temp_tables_sql(mlops__conn *c)
{
    if (mlops__conn_dialect(c) == MLOPS__POSTGRES)
        return "CREATE TEMP TABLE IF NOT EXISTS gc_live(d BYTEA PRIMARY KEY);"
               "CREATE TEMP TABLE IF NOT EXISTS gc_dead_content(d BYTEA PRIMARY KEY);"
               "CREATE TEMP TABLE IF NOT EXISTS gc_dead_object(d BYTEA PRIMARY KEY, "
               "stored BIGINT);";
    return "CREATE TEMP TABLE IF NOT EXISTS gc_live(d BLOB PRIMARY KEY) WITHOUT ROWID;"
           "CREATE TEMP TABLE IF NOT EXISTS gc_dead_content(d BLOB PRIMARY KEY) WITHOUT ROWID;"
           "CREATE TEMP TABLE IF NOT EXISTS gc_dead_object(d BLOB PRIMARY KEY, "
           "stored INTEGER) WITHOUT ROWID;";
}

static int mark(struct gc *g)
{
    /* Created before the read snapshot begins: PostgreSQL refuses every
     * CREATE in a READ ONLY transaction (writing to temp tables it allows). */
    int rc = mlops__conn_exec(g->c, temp_tables_sql(g->c));
    if (!rc)
        rc = mlops__conn_exec(g->c, "DELETE FROM gc_live; DELETE FROM gc_dead_content;"
                                    "DELETE FROM gc_dead_object;");
    if (rc) return rc;
    /* One snapshot of the main database: writes go to temp tables only,
     * so no write lock is taken and writers go on. */
    rc = mlops__conn_begin(g->c, 0);
    if (rc) return rc;
    char *sql = mark_sql();
    if (!sql) rc = mlops__err_nomem("building the gc query");
    if (!rc) rc = exec_cutoff(g, sql, "marking live content");
    free(sql);
    if (!rc)
        rc = exec_cutoff(g,
                         "INSERT INTO gc_dead_content(d) SELECT digest FROM cas_content "
                         "WHERE touched_ms < ?1 AND digest NOT IN (SELECT d FROM gc_live)",
                         "finding dead content");
    if (!rc)
        rc = exec_cutoff(
            g,
            "INSERT INTO gc_dead_object(d, stored) SELECT o.digest, o.stored "
            "FROM cas_object o WHERE o.touched_ms < ?1 "
            "AND NOT EXISTS (SELECT 1 FROM cas_content c WHERE c.digest = o.digest "
            "  AND c.digest NOT IN (SELECT d FROM gc_dead_content)) "
            "AND NOT EXISTS (SELECT 1 FROM cas_content c WHERE c.manifest = o.digest "
            "  AND c.digest NOT IN (SELECT d FROM gc_dead_content)) "
            "AND NOT EXISTS (SELECT 1 FROM cas_chunk k WHERE k.chunk = o.digest "
            "  AND k.blob NOT IN (SELECT d FROM gc_dead_content))",
            "finding dead objects");
    uint64_t all_contents = 0, all_objects = 0;
    if (!rc) rc = query_u64(g->c, "SELECT count(*) FROM cas_content", &all_contents);
    if (!rc) rc = query_u64(g->c, "SELECT count(*) FROM cas_object", &all_objects);
    if (!rc) rc = query_u64(g->c, "SELECT count(*) FROM gc_dead_content", &g->rep.contents);
    if (!rc) rc = query_u64(g->c, "SELECT count(*) FROM gc_dead_object", &g->rep.objects);
    if (!rc)
        rc = query_u64(g->c,
                       "SELECT CAST(coalesce(sum(stored), 0) AS BIGINT) FROM gc_dead_object",
                       &g->rep.bytes);
    if (!rc) rc = mlops__conn_commit(g->c);
    else mlops__conn_rollback(g->c);
    g->rep.kept_contents = all_contents - g->rep.contents;
    g->rep.kept_objects = all_objects - g->rep.objects;
    return rc;
}

/* ---- sweep content rows --------------------------------------------------------- */

static int take_batch(struct gc *g, const char *sql, mlops_digest *out, uint64_t *stored,
                      size_t *n)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(g->c, sql, &st);
    if (!rc) rc = mlops__bind_int64(g->c, st, 1, BATCH);
    if (rc) return rc;
    *n = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (mlops__col_bytes(st, 0) != 32) continue;
        memcpy(out[*n].bytes, mlops__col_blob(st, 0), 32);
        if (stored) stored[*n] = (uint64_t)mlops__col_int64(st, 1);
        (*n)++;
    }
    mlops__reset(st);
    return step == MLOPS__DONE ? MLOPS_OK : mlops__conn_error(g->c, step, "reading gc candidates");
}

struct batch_arg {
    struct gc *g;
    mlops_digest *d;
    uint64_t *stored;
    size_t n;
    int *deleted;
    uint64_t done, bytes;
    int64_t removal; /* the removal under way (cas/removals.h); 0: none */
};

static int run_stmt(struct gc *g, const char *sql)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(g->c, sql, &st);
    if (!rc) rc = mlops__conn_step_done(g->c, st, "gc");
    return rc;
}

/* Steps a DELETE bound to ?1 = digest, ?2 = cutoff. A foreign key some
 * other table holds (a reference gc does not know) keeps the row. The
 * DELETE runs inside a savepoint because PostgreSQL aborts the whole
 * transaction on a failed statement: rolling back to the savepoint
 * undoes just this one, and the batch goes on (on both backends). */
static int delete_one(struct gc *g, mlops__stmt *st, const mlops_digest *d, int *deleted)
{
    int rc = mlops__bind_blob(g->c, st, 1, d->bytes, 32);
    if (!rc) rc = mlops__bind_int64(g->c, st, 2, g->cutoff);
    if (!rc) rc = run_stmt(g, "SAVEPOINT gc_one");
    if (rc) return rc;
    int step = mlops__step(st);
    mlops__reset(st);
    *deleted = 0;
    if (step == MLOPS__DONE) {
        *deleted = mlops__conn_changes(g->c) > 0; /* before RELEASE, which counts nothing */
        return run_stmt(g, "RELEASE gc_one");
    }
    if (mlops__conn_code(g->c, step) != MLOPS_ECONFLICT) return mlops__conn_error(g->c, step, "gc");
    rc = run_stmt(g, "ROLLBACK TO gc_one");
    if (!rc) rc = run_stmt(g, "RELEASE gc_one");
    return rc;
}

static int forget(struct gc *g, const char *sql, const mlops_digest *d)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(g->c, sql, &st);
    if (!rc) rc = mlops__bind_blob(g->c, st, 1, d->bytes, 32);
    if (!rc) rc = mlops__conn_step_done(g->c, st, "gc bookkeeping");
    return rc;
}

static int delete_contents_tx(mlops__conn *c, void *arg)
{
    struct batch_arg *a = arg;
    (void)c;
    for (size_t i = 0; i < a->n; i++) {
        mlops__stmt *st;
        int rc = mlops__conn_stmt(a->g->c,
                                  "DELETE FROM cas_content WHERE digest = ?1 AND touched_ms < ?2 "
                                  "AND NOT EXISTS (SELECT 1 FROM cas_tree_child WHERE child = ?1) "
                                  "AND NOT EXISTS (SELECT 1 FROM cas_ref WHERE digest = ?1)",
                                  &st);
        int deleted = 0;
        if (!rc) rc = delete_one(a->g, st, &a->d[i], &deleted);
        if (!rc) rc = forget(a->g, "DELETE FROM gc_dead_content WHERE d = ?1", &a->d[i]);
        if (rc) return rc;
        a->done += (uint64_t)deleted;
    }
    return MLOPS_OK;
}

/* Runs fn in a write transaction on the gc's own connection. */
static int write_tx(struct gc *g, int (*fn)(mlops__conn *, void *), void *arg)
{
    int rc = mlops__conn_begin(g->c, 1);
    if (rc) return rc;
    rc = fn(g->c, arg);
    if (!rc) return mlops__conn_commit(g->c);
    mlops__conn_rollback(g->c);
    return rc;
}

/* Parents first: a tree goes before the content it names, so that its
 * child rows are gone when the children are looked at. */
static int sweep_contents(struct gc *g)
{
    mlops_digest d[BATCH];
    uint64_t deleted = 0;
    for (;;) {
        size_t n = 0;
        int rc = take_batch(g,
                            "SELECT d FROM gc_dead_content WHERE NOT EXISTS "
                            "(SELECT 1 FROM cas_tree_child WHERE child = d) LIMIT ?1",
                            d, NULL, &n);
        if (rc) return rc;
        if (!n) break;
        struct batch_arg a = {g, d, NULL, n, NULL, 0, 0, 0};
        rc = write_tx(g, delete_contents_tx, &a);
        if (rc) return rc;
        deleted += a.done;
    }
    g->rep.contents = deleted;
    return MLOPS_OK;
}

/* ---- sweep objects -------------------------------------------------------------- */

static int delete_objects_tx(mlops__conn *c, void *arg)
{
    struct batch_arg *a = arg;
    (void)c;
    for (size_t i = 0; i < a->n; i++) {
        mlops__stmt *st;
        int rc = mlops__conn_stmt(a->g->c,
                                  "DELETE FROM cas_object WHERE digest = ?1 AND touched_ms < ?2 "
                                  "AND NOT EXISTS (SELECT 1 FROM cas_content WHERE digest = ?1) "
                                  "AND NOT EXISTS (SELECT 1 FROM cas_content WHERE manifest = ?1) "
                                  "AND NOT EXISTS (SELECT 1 FROM cas_chunk WHERE chunk = ?1)",
                                  &st);
        if (!rc) rc = delete_one(a->g, st, &a->d[i], &a->deleted[i]);
        if (!rc) rc = forget(a->g, "DELETE FROM gc_dead_object WHERE d = ?1", &a->d[i]);
        if (rc) return rc;
        if (a->deleted[i]) {
            a->done++;
            a->bytes += a->stored[i];
        }
    }
    /* Committed with the rows' deletion, before unlink_tx removes files. */
    return a->done && a->g->s->objects->remote ? mlops__removal_begin(c, &a->removal) : MLOPS_OK;
}

static int has_row(struct gc *g, const mlops_digest *d, int *yes)
{
    return mlops__object_recorded(g->c, d, yes);
}

/* Makes the removals so far durable (best effort: a removal that a crash
 * undoes leaves an orphan, which the next gc takes). */
static void sync_removed(struct gc *g)
{
    if (g->nremoved) (void)g->s->objects->sync(g->s->objects, g->removed, g->nremoved);
    g->nremoved = 0;
}

/* Under the write lock: removes, all at once, each object whose row is
 * (still) gone. A removal the backend refuses (and those it then does not
 * try) leaves an orphan: the next gc retries. */
static int unlink_tx(mlops__conn *c, void *arg)
{
    struct batch_arg *a = arg;
    struct gc *g = a->g;
    mlops_digest gone[BATCH];
    int removed[BATCH];
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (!a->deleted[i]) continue;
        int yes = 1;
        int rc = has_row(g, &a->d[i], &yes);
        if (rc) return rc;
        if (!yes) gone[n++] = a->d[i]; /* else a writer put it back meanwhile */
    }
    if (n) (void)g->s->objects->remove(g->s->objects, gone, n, removed);
    for (size_t i = 0; i < n; i++) {
        if (removed[i] != 1) continue;
        if (!g->removed && !(g->removed = malloc(SYNC_EVERY * sizeof *g->removed)))
            return mlops__err_nomem("removing objects");
        g->removed[g->nremoved++] = gone[i];
        if (g->nremoved == SYNC_EVERY) sync_removed(g);
    }
    return a->removal ? mlops__removal_end(c, a->removal) : MLOPS_OK;
}

static int begin_removal_tx(mlops__conn *c, void *arg)
{
    struct batch_arg *a = arg;
    return mlops__removal_begin(c, &a->removal);
}

static int end_removal_tx(mlops__conn *c, void *arg)
{
    struct batch_arg *a = arg;
    return mlops__removal_end(c, a->removal);
}

/* Removes the files of a batch (unlink_tx), on remote objects once a
 * removal is recorded (cas/removals.h; puts to local objects look theirs
 * up anyway); when that fails, the removal is still ended (best effort: a
 * row left behind only makes puts look their objects up until it is an
 * hour old). */
static int unlink_batch(struct gc *g, struct batch_arg *a)
{
    int rc = a->removal || !g->s->objects->remote ? MLOPS_OK : write_tx(g, begin_removal_tx, a);
    if (rc) return rc;
    rc = write_tx(g, unlink_tx, a);
    if (rc) {
        char saved[1024];
        snprintf(saved, sizeof saved, "%s", mlops__err_message());
        if (a->removal) (void)write_tx(g, end_removal_tx, a);
        mlops__err(rc, "%s", saved);
    }
    return rc;
}

/* Deleting rows must be durable before their files go, or a power loss
 * could bring back a row without its file. */
static int set_sync(struct gc *g, int full)
{
    if (!mlops__store_fsync_enabled(g->s)) return MLOPS_OK;
    return mlops__conn_set_commit_sync(g->c, full || g->s->opts.durability == MLOPS_DURABILITY_FULL);
}

static int sweep_objects(struct gc *g)
{
    mlops_digest d[BATCH];
    uint64_t stored[BATCH];
    int deleted[BATCH];
    uint64_t count = 0, bytes = 0;
    int rc = MLOPS_OK;
    for (;;) {
        size_t n = 0;
        rc = take_batch(g, "SELECT d, stored FROM gc_dead_object ORDER BY d LIMIT ?1", d,
                        stored, &n);
        if (rc || !n) break;
        struct batch_arg a = {g, d, stored, n, deleted, 0, 0, 0};
        memset(deleted, 0, sizeof deleted);
        rc = set_sync(g, 1);
        if (!rc) rc = write_tx(g, delete_objects_tx, &a);
        int rc2 = set_sync(g, 0);
        if (!rc) rc = rc2;
        if (!rc && a.done) rc = unlink_batch(g, &a);
        if (rc) break;
        count += a.done;
        bytes += a.bytes;
    }
    g->rep.objects = count;
    g->rep.bytes = bytes;
    return rc;
}

/* ---- orphan objects ------------------------------------------------------------- */

struct orphans {
    struct gc *g;
    mlops_digest d[BATCH];
    int deleted[BATCH];
    size_t n;
};

static int remove_orphans(struct orphans *o)
{
    for (size_t i = 0; i < o->n; i++) o->deleted[i] = 1; /* candidates: no row when listed */
    struct batch_arg a = {o->g, o->d, NULL, o->n, o->deleted, 0, 0, 0};
    int rc = unlink_batch(o->g, &a);
    o->n = 0;
    return rc;
}

static int orphan_seen(const mlops_digest *d, int64_t mtime_ms, void *arg)
{
    struct orphans *o = arg;
    struct gc *g = o->g;
    if (mtime_ms >= g->cutoff) return MLOPS_OK;
    int yes = 1;
    int rc = has_row(g, d, &yes);
    if (rc || yes) return rc;
    g->rep.orphans++;
    if (g->dry_run) return MLOPS_OK;
    o->d[o->n++] = *d;
    return o->n == BATCH ? remove_orphans(o) : MLOPS_OK;
}

/* Objects with no row, older than the grace period by the backend's time
 * (they have no row to carry one): left by a put that never committed.
 * The walk is the object backend's foreach, which fsck shares. */
static int sweep_orphans(struct gc *g)
{
    struct orphans *o = calloc(1, sizeof *o);
    if (!o) return mlops__err_nomem("listing objects");
    o->g = g;
    int rc = g->s->objects->foreach(g->s->objects, orphan_seen, o);
    if (!rc && o->n) rc = remove_orphans(o);
    free(o);
    return rc;
}

MLOPS_API int mlops_store_gc(mlops_store *s, const mlops_gc_opts *opts, mlops_gc_report *report)
{
    if (!s) return mlops__err_null(__func__, "s");
    mlops_gc_opts o = MLOPS_GC_OPTS_INIT;
    if (opts) {
        if (opts->version == 0 || opts->version > MLOPS_GC_OPTS_VERSION)
            return mlops__err(MLOPS_EINVAL, "%s: options version %u is not supported", __func__,
                              opts->version);
        o = *opts;
    }
    if (report && (report->version == 0 || report->version > MLOPS_GC_REPORT_VERSION))
        return mlops__err(MLOPS_EINVAL, "%s: report version %u is not supported", __func__,
                          report->version);
    if (o.grace_ms < 0)
        return mlops__err(MLOPS_EINVAL, "%s: grace period %lld ms is negative", __func__,
                          (long long)o.grace_ms);
    if (!o.dry_run) {
        int rc = mlops__store_check_writable(s, __func__);
        if (rc) return rc;
    }
    struct gc g;
    memset(&g, 0, sizeof g);
    g.s = s;
    g.dry_run = o.dry_run != 0;
    g.cutoff = mlops__now_ms() - o.grace_ms;
    int rc = mlops__store_conn(s, &g.c);
    if (rc) return rc;
    rc = mark(&g);
    if (!rc && !g.dry_run) rc = sweep_contents(&g);
    if (!rc && !g.dry_run) rc = sweep_objects(&g);
    if (!rc) rc = sweep_orphans(&g);
    sync_removed(&g);
    free(g.removed);
    (void)mlops__conn_exec(g.c, "DROP TABLE IF EXISTS gc_live;"
                                "DROP TABLE IF EXISTS gc_dead_content;"
                                "DROP TABLE IF EXISTS gc_dead_object;");
    mlops__store_release(s, g.c);
    if (!rc && report) {
        unsigned version = report->version;
        *report = g.rep;
        report->version = version;
    }
    return rc;
}
