/* Writing a bundle (doc/format.md, "Bundles"): the header, the objects
 * and the selections' records through push (bundle_file.c makes the file
 * a backend), then the records of runs and models and the audit events
 * about them, read in one snapshot with the audit head they end at, then
 * the table of contents. One frame at a time: memory stays bounded by the
 * largest record. */
#include "remote/bundle_internal.h"
#include "import/import_internal.h"
#include "registry/alias_move.h"
#include "track/track_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mpack.h"
#include "util/opts.h"
#include "util/str.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Metric points per frame. */
#define POINTS_PER_FRAME 4096
/* Parent runs followed at most this far up. */
#define MAX_ANCESTRY 64

typedef struct ex_model {
    char *name;
    int64_t *numbers;
    size_t nnumbers;
    char **aliases;
    size_t naliases;
} ex_model;

typedef struct ex {
    const char *fn;
    mlops_store *s;
    mlops__bundle_writer *w;
    mlops__selection *sels;
    size_t nsels;
    char **runs;          /* parents before children */
    unsigned char *lineage; /* runs[i]'s lineage and points travel (a selected run) */
    size_t nruns, caprun;
    ex_model *models;
    size_t nmodels;
    mlops_bundle_report *rep;
    msgpack_sbuffer sb;
    msgpack_packer pk;
} ex;

static void frame_begin(ex *e)
{
    msgpack_sbuffer_clear(&e->sb);
}

static int frame_end(ex *e, int bad)
{
    if (bad) return mlops__err_nomem("writing a bundle");
    return mlops__bundle_write_frame(e->w, e->sb.data, e->sb.size);
}

static int pack_text_or_nil(msgpack_packer *pk, const char *t)
{
    return t ? mlops__mp_str(pk, t) : msgpack_pack_nil(pk);
}

static int pack_bin(msgpack_packer *pk, const void *p, size_t n)
{
    return msgpack_pack_bin(pk, n) | msgpack_pack_bin_body(pk, p, n);
}

/* ---- planning: which runs and models --------------------------------------- */

static int run_index(const ex *e, const char *id)
{
    for (size_t i = 0; i < e->nruns; i++)
        if (!strcmp(e->runs[i], id)) return (int)i;
    return -1;
}

static int add_run(ex *e, mlops__conn *c, const char *id, int lineage, int depth)
{
    int at = run_index(e, id);
    if (at >= 0) {
        if (lineage) e->lineage[at] = 1;
        return MLOPS_OK;
    }
    if (depth > MAX_ANCESTRY)
        return mlops__err(MLOPS_EUNSUPPORTED, "%s: run %s has more than %d ancestors", e->fn, id,
                          MAX_ANCESTRY);
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT parent_id FROM runs WHERE run_id = ?1", &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, id);
    if (rc) return rc;
    int step = mlops__step(st);
    char parent[33] = "";
    if (step == MLOPS__ROW && !mlops__col_null(st, 0) && mlops__col_text(st, 0))
        snprintf(parent, sizeof parent, "%s", mlops__col_text(st, 0));
    mlops__reset(st);
    if (step == MLOPS__DONE) return mlops__err(MLOPS_ENOTFOUND, "%s: no run %s", e->fn, id);
    if (step != MLOPS__ROW) return mlops__conn_error(c, step, "looking up a run");
    if (parent[0]) {
        rc = add_run(e, c, parent, 0, depth + 1);
        if (rc) return rc;
    }
    if (e->nruns == e->caprun) {
        size_t nc = e->caprun ? 2 * e->caprun : 16;
        char **nr = realloc(e->runs, nc * sizeof *nr);
        unsigned char *nl = nr ? realloc(e->lineage, nc) : NULL;
        if (nr) e->runs = nr;
        if (!nl) return mlops__err_nomem("planning a bundle");
        e->lineage = nl;
        e->caprun = nc;
    }
    if (!(e->runs[e->nruns] = mlops__strdup(id))) return mlops__err_nomem("planning a bundle");
    e->lineage[e->nruns++] = (unsigned char)lineage;
    return MLOPS_OK;
}

static ex_model *model_get(ex *e, const char *name)
{
    for (size_t i = 0; i < e->nmodels; i++)
        if (!strcmp(e->models[i].name, name)) return &e->models[i];
    ex_model *nm = realloc(e->models, (e->nmodels + 1) * sizeof *nm);
    if (!nm) return NULL;
    e->models = nm;
    ex_model *m = &e->models[e->nmodels];
    memset(m, 0, sizeof *m);
    if (!(m->name = mlops__strdup(name))) return NULL;
    e->nmodels++;
    return m;
}

static int model_add_number(ex_model *m, int64_t number)
{
    for (size_t i = 0; i < m->nnumbers; i++)
        if (m->numbers[i] == number) return MLOPS_OK;
    int64_t *nn = realloc(m->numbers, (m->nnumbers + 1) * sizeof *nn);
    if (!nn) return mlops__err_nomem("planning a bundle");
    m->numbers = nn;
    m->numbers[m->nnumbers++] = number;
    return MLOPS_OK;
}

static int model_add_alias(ex_model *m, const char *alias)
{
    for (size_t i = 0; i < m->naliases; i++)
        if (!strcmp(m->aliases[i], alias)) return MLOPS_OK;
    char **na = realloc(m->aliases, (m->naliases + 1) * sizeof *na);
    if (!na) return mlops__err_nomem("planning a bundle");
    m->aliases = na;
    if (!(m->aliases[m->naliases] = mlops__strdup(alias))) return mlops__err_nomem("planning a bundle");
    m->naliases++;
    return MLOPS_OK;
}

/* A model selection: the version, its run, and the aliases it names. */
static int plan_model(ex *e, mlops__conn *c, const mlops__selection *sel)
{
    mlops__selected_version v;
    int rc = mlops__selection_version(e->fn, c, sel, &v);
    if (rc) return rc;
    int64_t vid = v.id, number = v.number;
    const char *run = v.run_id;
    mlops__stmt *st = NULL;
    int step;
    ex_model *m = model_get(e, sel->name);
    if (!m) return mlops__err_nomem("planning a bundle");
    rc = model_add_number(m, number);
    if (!rc && sel->kind == MLOPS__SEL_MODEL_ALIAS) rc = model_add_alias(m, sel->alias);
    if (!rc && sel->kind == MLOPS__SEL_MODEL_VERSION) {
        /* the aliases naming it travel with it */
        rc = mlops__conn_stmt(c, "SELECT alias FROM reg_aliases WHERE version_id = ?1 "
                                 "ORDER BY alias", &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, vid);
        char **names = NULL;
        size_t nn = 0;
        while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
            char **g = realloc(names, (nn + 1) * sizeof *g);
            if (!g || !(g[nn] = mlops__strdup(mlops__col_text(st, 0) ? mlops__col_text(st, 0) : ""))) {
                if (g) names = g;
                rc = mlops__err_nomem("planning a bundle");
                break;
            }
            names = g;
            nn++;
        }
        if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading aliases");
        mlops__reset(st);
        for (size_t i = 0; i < nn; i++) {
            if (!rc) rc = model_add_alias(m, names[i]);
            free(names[i]);
        }
        free(names);
    }
    if (!rc && run[0]) rc = add_run(e, c, run, 1, 0);
    return rc;
}

/* ---- frames ------------------------------------------------------------------- */

static int pack_kv_rows(ex *e, mlops__conn *c, const char *sql, int64_t id, int *bad)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, sql, &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (rc) return rc;
    /* count first: msgpack arrays carry their length */
    size_t n = 0, cap = 0;
    char **kv = NULL;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (n + 2 > cap) {
            cap = cap ? 2 * cap : 16;
            char **g = realloc(kv, cap * sizeof *g);
            if (!g) {
                rc = mlops__err_nomem("writing a bundle");
                break;
            }
            kv = g;
        }
        kv[n] = mlops__strdup(mlops__col_text(st, 0) ? mlops__col_text(st, 0) : "");
        kv[n + 1] = mlops__strdup(mlops__col_text(st, 1) ? mlops__col_text(st, 1) : "");
        n += 2;
        if (!kv[n - 2] || !kv[n - 1]) {
            rc = mlops__err_nomem("writing a bundle");
            break;
        }
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading pairs");
    mlops__reset(st);
    if (!rc) {
        *bad |= msgpack_pack_array(&e->pk, n / 2);
        for (size_t i = 0; i < n; i += 2) {
            *bad |= msgpack_pack_array(&e->pk, 2);
            *bad |= mlops__mp_str(&e->pk, kv[i]);
            *bad |= mlops__mp_str(&e->pk, kv[i + 1]);
        }
    }
    for (size_t i = 0; i < n; i++) free(kv[i]);
    free(kv);
    return rc;
}

/* "exp" frames: the experiments of the runs, each once, before them. */
static int write_experiments(ex *e, mlops__conn *c)
{
    int64_t *done = NULL;
    size_t ndone = 0;
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < e->nruns; i++) {
        mlops__stmt *st;
        rc = mlops__conn_stmt(c,
                              "SELECT x.id, x.name, x.created_ms FROM runs r "
                              "JOIN experiments x ON x.id = r.experiment_id WHERE r.run_id = ?1",
                              &st);
        if (!rc) rc = mlops__bind_text(c, st, 1, e->runs[i]);
        if (rc) break;
        int step = mlops__step(st);
        int64_t id = 0, created = 0;
        char *name = NULL;
        if (step == MLOPS__ROW) {
            id = mlops__col_int64(st, 0);
            name = mlops__strdup(mlops__col_text(st, 1) ? mlops__col_text(st, 1) : "");
            created = mlops__col_int64(st, 2);
        }
        mlops__reset(st);
        if (step != MLOPS__ROW) rc = mlops__conn_row_error(c, step, "reading an experiment");
        else if (!name) rc = mlops__err_nomem("writing a bundle");
        int seen = 0;
        for (size_t k = 0; !rc && k < ndone; k++) seen |= done[k] == id;
        if (!rc && !seen) {
            int64_t *g = realloc(done, (ndone + 1) * sizeof *g);
            if (!g) rc = mlops__err_nomem("writing a bundle");
            else {
                done = g;
                done[ndone++] = id;
                frame_begin(e);
                int bad = msgpack_pack_array(&e->pk, 4);
                bad |= mlops__mp_str(&e->pk, "exp");
                bad |= mlops__mp_str(&e->pk, name);
                bad |= msgpack_pack_int64(&e->pk, created);
                rc = pack_kv_rows(e, c, "SELECT key, value FROM experiment_tags "
                                        "WHERE experiment_id = ?1 ORDER BY key", id, &bad);
                if (!rc) rc = frame_end(e, bad);
            }
        }
        free(name);
    }
    free(done);
    return rc;
}

static int write_metrics(ex *e, mlops__conn *c, const char *run_id, int64_t seq)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT key FROM metric_series WHERE run = ?1 ORDER BY key", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, seq);
    if (rc) return rc;
    char **keys = NULL;
    size_t nk = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        char **g = realloc(keys, (nk + 1) * sizeof *g);
        if (!g) {
            rc = mlops__err_nomem("writing a bundle");
            break;
        }
        keys = g;
        if (!(keys[nk] = mlops__strdup(mlops__col_text(st, 0) ? mlops__col_text(st, 0) : ""))) {
            rc = mlops__err_nomem("writing a bundle");
            break;
        }
        nk++;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading metric keys");
    mlops__reset(st);
    for (size_t k = 0; !rc && k < nk; k++) {
        mlops_metric_point *pts = NULL;
        size_t n = 0;
        rc = mlops_metric_history(e->s, run_id, keys[k], NULL, &pts, &n);
        for (size_t at = 0; !rc && at < n; at += POINTS_PER_FRAME) {
            size_t m = n - at < POINTS_PER_FRAME ? n - at : POINTS_PER_FRAME;
            frame_begin(e);
            int bad = msgpack_pack_array(&e->pk, 4);
            bad |= mlops__mp_str(&e->pk, "met");
            bad |= mlops__mp_str(&e->pk, run_id);
            bad |= mlops__mp_str(&e->pk, keys[k]);
            bad |= msgpack_pack_array(&e->pk, m);
            for (size_t i = at; i < at + m; i++) {
                bad |= msgpack_pack_array(&e->pk, 3);
                bad |= msgpack_pack_int64(&e->pk, pts[i].step);
                bad |= msgpack_pack_int64(&e->pk, pts[i].ts_ms);
                bad |= msgpack_pack_double(&e->pk, pts[i].value);
            }
            rc = frame_end(e, bad);
        }
        e->rep->metric_points += n;
        mlops_free(pts);
    }
    for (size_t k = 0; k < nk; k++) free(keys[k]);
    free(keys);
    return rc;
}

static int write_lineage(ex *e, mlops__conn *c, const char *run_id, int64_t seq)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT l.direction, l.digest, l.name, l.role, l.created_ms "
                              "FROM run_lineage l JOIN cas_content k ON k.digest = l.digest "
                              "WHERE l.run = ?1 ORDER BY l.direction, l.digest, l.name",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, seq);
    if (rc) return rc;
    int step;
    /* each row is packed into its own buffer: the statement stays open */
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    size_t *ends = NULL, nrows = 0;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        if (mlops__col_bytes(st, 1) != 32) continue;
        int bad = msgpack_pack_array(&pk, 7);
        bad |= mlops__mp_str(&pk, "lin");
        bad |= mlops__mp_str(&pk, run_id);
        bad |= msgpack_pack_int64(&pk, mlops__col_int64(st, 0));
        bad |= pack_bin(&pk, mlops__col_blob(st, 1), 32);
        bad |= mlops__mp_str(&pk, mlops__col_text(st, 2) ? mlops__col_text(st, 2) : "");
        bad |= mlops__mp_str(&pk, mlops__col_text(st, 3) ? mlops__col_text(st, 3) : "");
        bad |= msgpack_pack_int64(&pk, mlops__col_int64(st, 4));
        size_t *g = bad ? NULL : realloc(ends, (nrows + 1) * sizeof *g);
        if (!g) rc = mlops__err_nomem("writing a bundle");
        else {
            ends = g;
            ends[nrows++] = sb.size;
        }
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading lineage");
    mlops__reset(st);
    size_t from = 0;
    for (size_t i = 0; !rc && i < nrows; i++) {
        rc = mlops__bundle_write_frame(e->w, sb.data + from, ends[i] - from);
        from = ends[i];
    }
    free(ends);
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

static int write_runs(ex *e, mlops__conn *c)
{
    int rc = write_experiments(e, c);
    for (size_t i = 0; !rc && i < e->nruns; i++) {
        mlops__stmt *st;
        rc = mlops__conn_stmt(c,
                              "SELECT r.seq, x.name, r.name, r.parent_id, r.status, r.start_ms, "
                              "r.end_ms, r.deleted_ms FROM runs r "
                              "JOIN experiments x ON x.id = r.experiment_id WHERE r.run_id = ?1",
                              &st);
        if (!rc) rc = mlops__bind_text(c, st, 1, e->runs[i]);
        if (rc) break;
        int step = mlops__step(st);
        if (step != MLOPS__ROW) {
            mlops__reset(st);
            rc = mlops__conn_row_error(c, step, "reading a run");
            break;
        }
        int64_t seq = mlops__col_int64(st, 0);
        frame_begin(e);
        int bad = msgpack_pack_array(&e->pk, 11);
        bad |= mlops__mp_str(&e->pk, "run");
        bad |= mlops__mp_str(&e->pk, e->runs[i]);
        bad |= mlops__mp_str(&e->pk, mlops__col_text(st, 1) ? mlops__col_text(st, 1) : "");
        bad |= pack_text_or_nil(&e->pk, mlops__col_null(st, 2) ? NULL : mlops__col_text(st, 2));
        bad |= pack_text_or_nil(&e->pk, mlops__col_null(st, 3) ? NULL : mlops__col_text(st, 3));
        bad |= mlops__mp_str(&e->pk, mlops__col_text(st, 4) ? mlops__col_text(st, 4) : "");
        bad |= msgpack_pack_int64(&e->pk, mlops__col_int64(st, 5));
        bad |= msgpack_pack_int64(&e->pk, mlops__col_null(st, 6) ? 0 : mlops__col_int64(st, 6));
        bad |= msgpack_pack_int64(&e->pk, mlops__col_null(st, 7) ? 0 : mlops__col_int64(st, 7));
        mlops__reset(st);
        rc = pack_kv_rows(e, c, "SELECT key, value FROM run_params WHERE run = ?1 ORDER BY key",
                          seq, &bad);
        if (!rc)
            rc = pack_kv_rows(e, c, "SELECT key, value FROM run_tags WHERE run = ?1 ORDER BY key",
                              seq, &bad);
        if (!rc) rc = frame_end(e, bad);
        if (!rc) e->rep->runs++;
        /* a parent only for its record: its points and lineage stay */
        if (!rc && e->lineage[i]) rc = write_lineage(e, c, e->runs[i], seq);
        if (!rc && e->lineage[i]) rc = write_metrics(e, c, e->runs[i], seq);
    }
    return rc;
}

static int write_signatures(ex *e, mlops__conn *c, const char *model, int64_t number, int64_t vid)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT public_key, signature, signed_ms, signer FROM reg_signatures "
                              "WHERE version_id = ?1 ORDER BY fingerprint",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, vid);
    if (rc) return rc;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    size_t *ends = NULL, nrows = 0;
    int step;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        if (mlops__col_bytes(st, 0) != 32 || mlops__col_bytes(st, 1) != 64) continue;
        int bad = msgpack_pack_array(&pk, 7);
        bad |= mlops__mp_str(&pk, "sig");
        bad |= mlops__mp_str(&pk, model);
        bad |= msgpack_pack_int64(&pk, number);
        bad |= pack_bin(&pk, mlops__col_blob(st, 0), 32);
        bad |= pack_bin(&pk, mlops__col_blob(st, 1), 64);
        bad |= msgpack_pack_int64(&pk, mlops__col_int64(st, 2));
        bad |= mlops__mp_str(&pk, mlops__col_text(st, 3) ? mlops__col_text(st, 3) : "");
        size_t *g = bad ? NULL : realloc(ends, (nrows + 1) * sizeof *g);
        if (!g) rc = mlops__err_nomem("writing a bundle");
        else {
            ends = g;
            ends[nrows++] = sb.size;
        }
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading signatures");
    mlops__reset(st);
    size_t from = 0;
    for (size_t i = 0; !rc && i < nrows; i++) {
        rc = mlops__bundle_write_frame(e->w, sb.data + from, ends[i] - from);
        from = ends[i];
        e->rep->signatures++;
    }
    free(ends);
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

static int write_models(ex *e, mlops__conn *c)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < e->nmodels; i++) {
        const ex_model *m = &e->models[i];
        for (size_t k = 0; !rc && k < m->nnumbers; k++) {
            mlops__stmt *st;
            rc = mlops__conn_stmt(c,
                                  "SELECT v.id, v.artifact, v.run_id, v.description, v.creator, "
                                  "v.created_ms FROM reg_versions v "
                                  "JOIN reg_models m ON m.id = v.model_id "
                                  "WHERE m.name = ?1 AND m.deleted_ms IS NULL AND v.number = ?2",
                                  &st);
            if (!rc) rc = mlops__bind_text(c, st, 1, m->name);
            if (!rc) rc = mlops__bind_int64(c, st, 2, m->numbers[k]);
            if (rc) break;
            int step = mlops__step(st);
            if (step != MLOPS__ROW || mlops__col_bytes(st, 1) != 32) {
                mlops__reset(st);
                rc = step == MLOPS__ROW ? mlops__err(MLOPS_ECORRUPT, "%s: a version without a "
                                                                     "32-byte artifact", e->fn)
                                        : mlops__conn_row_error(c, step, "reading a version");
                break;
            }
            int64_t vid = mlops__col_int64(st, 0);
            frame_begin(e);
            int bad = msgpack_pack_array(&e->pk, 9);
            bad |= mlops__mp_str(&e->pk, "ver");
            bad |= mlops__mp_str(&e->pk, m->name);
            bad |= msgpack_pack_int64(&e->pk, m->numbers[k]);
            bad |= pack_bin(&e->pk, mlops__col_blob(st, 1), 32);
            bad |= pack_text_or_nil(&e->pk, mlops__col_null(st, 2) ? NULL : mlops__col_text(st, 2));
            bad |= mlops__mp_str(&e->pk, mlops__col_text(st, 3) ? mlops__col_text(st, 3) : "");
            bad |= mlops__mp_str(&e->pk, mlops__col_text(st, 4) ? mlops__col_text(st, 4) : "");
            bad |= msgpack_pack_int64(&e->pk, mlops__col_int64(st, 5));
            mlops__reset(st);
            rc = pack_kv_rows(e, c, "SELECT key, value FROM reg_version_tags "
                                    "WHERE version_id = ?1 ORDER BY key", vid, &bad);
            if (!rc) rc = frame_end(e, bad);
            if (!rc) e->rep->versions++;
            if (!rc) rc = write_signatures(e, c, m->name, m->numbers[k], vid);
        }
        for (size_t k = 0; !rc && k < m->naliases; k++) {
            frame_begin(e);
            int bad = msgpack_pack_array(&e->pk, 3);
            bad |= mlops__mp_str(&e->pk, "ali");
            bad |= mlops__mp_str(&e->pk, m->name);
            bad |= mlops__mp_str(&e->pk, m->aliases[k]);
            rc = frame_end(e, bad);
        }
    }
    return rc;
}

/* Whether an event is about what the bundle carries. */
static int event_wanted(const ex *e, const char *model, const char *key)
{
    if (model)
        for (size_t i = 0; i < e->nmodels; i++)
            if (!strcmp(e->models[i].name, model)) return 1;
    if (key) {
        const char *colon = strchr(key, ':');
        if (colon && strlen(colon + 1) == 32) {
            size_t pl = (size_t)(colon - key);
            if ((pl == 3 && !strncmp(key, "run", 3)) || (pl == 7 && !strncmp(key, "metrics", 7)) ||
                (pl == 7 && !strncmp(key, "lineage", 7)))
                return run_index(e, colon + 1) >= 0;
        }
    }
    return 0;
}

/* Whether an event is an entry of an alias history the bundle carries
 * and its import brings in (bundle_import.c: a removal, or a move to one
 * version the bundle carries; a move to a split is left out), so that
 * export and import count the same entries. */
static int alias_carried(const ex *e, const mlops__audit_row *r)
{
    const char *action = r->action;
    if (!action || !r->model || !r->key || strncmp(action, "alias.", 6) ||
        (strcmp(action + 6, "set") && strcmp(action + 6, "move") && strcmp(action + 6, "delete")))
        return 0;
    mlops__split split;
    if (r->payload && mlops__alias_payload_split(r->payload, r->payload_len, &split)) return 0;
    int64_t target = 0;
    if (r->new_value) {
        char *end = NULL;
        long long v = strtoll(r->new_value, &end, 10);
        if (!end || *end || v < 1) return 0;
        target = (int64_t)v;
    }
    for (size_t i = 0; i < e->nmodels; i++) {
        const ex_model *m = &e->models[i];
        if (strcmp(m->name, r->model)) continue;
        int alias = 0, version = target == 0;
        for (size_t k = 0; k < m->naliases; k++) alias |= !strcmp(m->aliases[k], r->key);
        for (size_t k = 0; k < m->nnumbers; k++) version |= m->numbers[k] == target;
        if (alias && version) return 1;
    }
    return 0;
}

/* "evt" frames: the events about the models and runs, each with the hash
 * before it (its link) and its own, up to the head (seq, hash). */
static int write_events(ex *e, mlops__conn *c, int64_t head)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT " MLOPS__AUDIT_ROW_COLUMNS
                              " FROM audit_events WHERE seq <= ?1 ORDER BY seq",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, head);
    if (rc) return rc;
    mlops_digest prev = { { 0 } };
    msgpack_sbuffer enc;
    msgpack_sbuffer_init(&enc);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int step;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        mlops__audit_row r;
        mlops_digest h;
        mlops__audit_row_read(st, &r, &h);
        if (event_wanted(e, r.model, r.key)) {
            msgpack_sbuffer_clear(&enc);
            rc = mlops__audit_encode(&enc, &r);
            int bad = rc ? 0 : msgpack_pack_array(&pk, 5);
            bad |= mlops__mp_str(&pk, "evt");
            bad |= msgpack_pack_int64(&pk, r.seq);
            bad |= pack_bin(&pk, prev.bytes, 32);
            bad |= pack_bin(&pk, h.bytes, 32);
            bad |= pack_bin(&pk, enc.data, enc.size);
            if (!rc && bad) rc = mlops__err_nomem("writing a bundle");
            /* a file write does not disturb the statement */
            if (!rc) rc = mlops__bundle_write_frame(e->w, sb.data, sb.size);
            if (!rc) e->rep->events++;
            if (!rc && alias_carried(e, &r)) e->rep->alias_entries++;
            msgpack_sbuffer_clear(&sb);
        }
        prev = h;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading the audit log");
    mlops__reset(st);
    msgpack_sbuffer_destroy(&sb);
    msgpack_sbuffer_destroy(&enc);
    return rc;
}

static int read_store_id(mlops__conn *c, char *out, size_t n)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT value FROM meta WHERE key = 'store_id'", &st);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) snprintf(out, n, "%s", mlops__col_text(st, 0) ? mlops__col_text(st, 0) : "");
    mlops__reset(st);
    if (step != MLOPS__ROW) return mlops__conn_row_error(c, step, "reading the store id");
    return MLOPS_OK;
}

static int meta_tx(mlops__conn *c, void *arg)
{
    ex *e = arg;
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < e->nsels; i++) {
        if (e->sels[i].kind == MLOPS__SEL_RUN) rc = add_run(e, c, e->sels[i].name, 1, 0);
        else if (e->sels[i].kind == MLOPS__SEL_MODEL_ALIAS ||
                 e->sels[i].kind == MLOPS__SEL_MODEL_VERSION)
            rc = plan_model(e, c, &e->sels[i]);
    }
    int64_t head = 0;
    mlops_digest hash;
    char id[128] = "";
    if (!rc) rc = mlops__audit_head_read(c, &head, &hash, NULL);
    if (!rc) rc = read_store_id(c, id, sizeof id);
    if (rc) return rc;
    e->rep->origin_head_seq = head;
    e->rep->origin_head_hash = hash;
    mlops__bundle_meta_begin(e->w);
    frame_begin(e);
    int bad = msgpack_pack_array(&e->pk, 4);
    bad |= mlops__mp_str(&e->pk, "head");
    bad |= mlops__mp_str(&e->pk, id);
    bad |= msgpack_pack_int64(&e->pk, head);
    bad |= pack_bin(&e->pk, hash.bytes, 32);
    rc = frame_end(e, bad);
    if (!rc) rc = write_runs(e, c);
    if (!rc) rc = write_models(e, c);
    if (!rc) rc = write_events(e, c, head);
    return rc;
}

static int header(const char *const *selections, size_t n, msgpack_sbuffer *sb)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    int bad = msgpack_pack_map(&pk, 4);
    bad |= mlops__mp_str(&pk, "format");
    bad |= mlops__mp_str(&pk, MLOPS__BUNDLE_FORMAT);
    bad |= mlops__mp_str(&pk, "version");
    bad |= msgpack_pack_uint64(&pk, MLOPS__BUNDLE_VERSION);
    bad |= mlops__mp_str(&pk, "created_ms");
    bad |= msgpack_pack_int64(&pk, mlops__now_ms());
    bad |= mlops__mp_str(&pk, "selections");
    bad |= msgpack_pack_array(&pk, n);
    for (size_t i = 0; i < n; i++) bad |= mlops__mp_str(&pk, selections[i]);
    return bad ? mlops__err_nomem("writing a bundle") : MLOPS_OK;
}

MLOPS_API int mlops_bundle_export(mlops_store *s, const char *path,
                                  const char *const *selections, size_t n,
                                  mlops_bundle_report *report)
{
    const char *fn = __func__;
    mlops_bundle_report rep = MLOPS_BUNDLE_REPORT_INIT;
    if (!s) return mlops__err_null(fn, "s");
    if (!path) return mlops__err_null(fn, "path");
    if (!path[0]) return mlops__err(MLOPS_EINVAL, "%s: path is empty", fn);
    if (mlops__check_array(fn, "selections", selections, n, sizeof *selections)) return MLOPS_EINVAL;
    if (!n) return mlops__err(MLOPS_EINVAL, "%s: no selection", fn);
    if (report) {
        int rc = mlops__opts_check(fn, report->version, MLOPS_BUNDLE_REPORT_VERSION,
                                   "mlops_bundle_report_init");
        if (rc) return rc;
    }
    ex e;
    memset(&e, 0, sizeof e);
    e.fn = fn;
    e.s = s;
    e.nsels = n;
    e.rep = &rep;
    e.sels = calloc(n, sizeof *e.sels);
    int rc = e.sels ? MLOPS_OK : mlops__err_nomem("planning a bundle");
    for (size_t i = 0; !rc && i < n; i++) {
        if (!selections[i]) rc = mlops__err_null(fn, "selections[i]");
        else rc = mlops__selection_parse(fn, selections[i], &e.sels[i]);
    }
    msgpack_sbuffer_init(&e.sb);
    msgpack_packer_init(&e.pk, &e.sb, msgpack_sbuffer_write);
    if (!rc) {
        msgpack_sbuffer hdr;
        msgpack_sbuffer_init(&hdr);
        rc = header(selections, n, &hdr);
        if (!rc) rc = mlops__bundle_writer_open(fn, path, hdr.data, hdr.size, &e.w);
        msgpack_sbuffer_destroy(&hdr);
    }
    mlops_transfer_report tr = MLOPS_TRANSFER_REPORT_INIT;
    if (!rc) rc = mlops__push_to(fn, s, &e.w->be, selections, n, 0, &tr);
    if (!rc) rc = mlops__store_read(s, meta_tx, &e);
    if (!rc) rc = mlops__bundle_writer_finish(e.w);
    if (!rc) {
        rep.objects = e.w->nobjs;
        rep.bytes = e.w->off;
        if (report) *report = rep;
    }
    mlops__bundle_writer_free(e.w);
    msgpack_sbuffer_destroy(&e.sb);
    for (size_t i = 0; i < e.nruns; i++) free(e.runs[i]);
    free(e.runs);
    free(e.lineage);
    for (size_t i = 0; i < e.nmodels; i++) {
        free(e.models[i].name);
        free(e.models[i].numbers);
        for (size_t k = 0; k < e.models[i].naliases; k++) free(e.models[i].aliases[k]);
        free(e.models[i].aliases);
    }
    free(e.models);
    free(e.sels);
    return rc;
}

MLOPS_API int mlops_bundle_report_init(mlops_bundle_report *report, unsigned version)
{
    static const mlops_bundle_report defaults = MLOPS_BUNDLE_REPORT_INIT;
    return mlops__opts_init(__func__, report, &defaults, sizeof defaults, version,
                            MLOPS_BUNDLE_REPORT_VERSION);
}
