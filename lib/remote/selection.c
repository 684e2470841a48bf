/* Selections: one string names content to push, pull or bundle
 * (doc/remotes.md, "Selections"), and what it reaches in a store. */
#include "remote/remote_internal.h"
#include "util/err.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static int bad(const char *fn, const char *text, const char *why)
{
    return mlops__err(MLOPS_EINVAL,
                      "%s: '%.120s' is not a selection (%s; expected sha256:HEX, ref:NAME, "
                      "run:ID, model:NAME@ALIAS or model:NAME/N)",
                      fn, text, why);
}

static int all_digits(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

int mlops__selection_parse(const char *fn, const char *text, mlops__selection *out)
{
    memset(out, 0, sizeof *out);
    out->text = text;
    size_t len = strlen(text);
    if (len >= sizeof out->buf) return bad(fn, text, "too long");
    if (!mlops__utf8_valid(text, len)) return bad(fn, text, "not UTF-8");
    if (!strncmp(text, "sha256:", 7)) {
        out->kind = MLOPS__SEL_DIGEST;
        if (mlops_digest_parse(text, &out->digest)) return bad(fn, text, "not a digest");
        return MLOPS_OK;
    }
    const char *colon = strchr(text, ':');
    if (!colon || !colon[1]) return bad(fn, text, "no kind, or nothing after it");
    memcpy(out->buf, colon + 1, len - (size_t)(colon + 1 - text) + 1);
    out->name = out->buf;
    if (!strncmp(text, "ref:", 4)) {
        out->kind = MLOPS__SEL_REF;
        return MLOPS_OK;
    }
    if (!strncmp(text, "run:", 4)) {
        out->kind = MLOPS__SEL_RUN;
        int ok = strlen(out->buf) == 32;
        for (size_t i = 0; ok && i < 32; i++)
            ok = (out->buf[i] >= '0' && out->buf[i] <= '9') ||
                 (out->buf[i] >= 'a' && out->buf[i] <= 'f');
        return ok ? MLOPS_OK : bad(fn, text, "a run id is 32 lowercase hex digits");
    }
    if (strncmp(text, "model:", 6)) return bad(fn, text, "unknown kind");
    /* The last '/' followed only by digits makes a version number; else
     * the last '@' an alias. */
    char *slash = strrchr(out->buf, '/');
    if (slash && all_digits(slash + 1)) {
        *slash = '\0';
        char *end = NULL;
        long long v = strtoll(slash + 1, &end, 10);
        if (v < 1 || strlen(slash + 1) > 18) return bad(fn, text, "a version number is 1 or more");
        out->kind = MLOPS__SEL_MODEL_VERSION;
        out->version = v;
    } else {
        char *at = strrchr(out->buf, '@');
        if (!at) return bad(fn, text, "a model needs @ALIAS or /N");
        *at = '\0';
        out->kind = MLOPS__SEL_MODEL_ALIAS;
        out->alias = at + 1;
        if (!out->alias[0]) return bad(fn, text, "empty alias");
    }
    if (!out->name[0]) return bad(fn, text, "empty model name");
    return MLOPS_OK;
}

typedef struct roots {
    mlops_digest *d;
    size_t n, cap;
} roots;

static int roots_add(roots *r, const void *bytes)
{
    for (size_t i = 0; i < r->n; i++)
        if (!memcmp(r->d[i].bytes, bytes, 32)) return MLOPS_OK;
    if (r->n == r->cap) {
        size_t nc = r->cap ? 2 * r->cap : 8;
        mlops_digest *nd = realloc(r->d, nc * sizeof *nd);
        if (!nd) return mlops__err_nomem("resolving a selection");
        r->d = nd;
        r->cap = nc;
    }
    memcpy(r->d[r->n++].bytes, bytes, 32);
    return MLOPS_OK;
}

/* Whether content d is held (a content row). */
static int held(mlops__conn *c, const void *d, int *yes)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT 1 FROM cas_content WHERE digest = ?1", &st);
    if (!rc) rc = mlops__bind_blob(c, st, 1, d, 32);
    if (rc) return rc;
    int step = mlops__step(st);
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        return mlops__conn_error(c, step, "looking up content");
    *yes = step == MLOPS__ROW;
    return MLOPS_OK;
}

/* A run's lineage, inputs and outputs: the digests the store holds (a
 * lineage edge may name data kept elsewhere, known by its digest only). */
static int add_lineage(const char *fn, mlops__conn *c, const char *run_id, roots *r,
                       int must_exist)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT seq FROM runs WHERE run_id = ?1", &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, run_id);
    if (rc) return rc;
    int step = mlops__step(st);
    int64_t seq = step == MLOPS__ROW ? mlops__col_int64(st, 0) : 0;
    mlops__reset(st);
    if (step == MLOPS__DONE)
        return must_exist ? mlops__err(MLOPS_ENOTFOUND, "%s: no run %s", fn, run_id) : MLOPS_OK;
    if (step != MLOPS__ROW) return mlops__conn_error(c, step, "looking up a run");
    roots found = {0};
    rc = mlops__conn_stmt(c,
                          "SELECT DISTINCT digest FROM run_lineage WHERE run = ?1 "
                          "ORDER BY digest",
                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, seq);
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW)
        if (mlops__col_bytes(st, 0) == 32) rc = roots_add(&found, mlops__col_blob(st, 0));
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading a run's lineage");
    mlops__reset(st);
    for (size_t i = 0; !rc && i < found.n; i++) {
        int yes = 0;
        rc = held(c, found.d[i].bytes, &yes);
        if (!rc && yes) rc = roots_add(r, found.d[i].bytes);
    }
    free(found.d);
    return rc;
}

int mlops__selection_version(const char *fn, mlops__conn *c, const mlops__selection *sel,
                             mlops__selected_version *out)
{
    memset(out, 0, sizeof *out);
    mlops__stmt *st;
    int rc;
    if (sel->kind == MLOPS__SEL_MODEL_ALIAS) {
        rc = mlops__conn_stmt(c,
                              "SELECT v.id, v.number, v.artifact, v.run_id FROM reg_aliases a "
                              "JOIN reg_models m ON m.id = a.model_id "
                              "JOIN reg_versions v ON v.id = a.version_id "
                              "WHERE m.name = ?1 AND m.deleted_ms IS NULL AND a.alias = ?2",
                              &st);
        if (!rc) rc = mlops__bind_text(c, st, 2, sel->alias);
    } else {
        rc = mlops__conn_stmt(c,
                              "SELECT v.id, v.number, v.artifact, v.run_id FROM reg_versions v "
                              "JOIN reg_models m ON m.id = v.model_id "
                              "WHERE m.name = ?1 AND m.deleted_ms IS NULL AND v.number = ?2 "
                              "AND v.deleted_ms IS NULL",
                              &st);
        if (!rc) rc = mlops__bind_int64(c, st, 2, sel->version);
    }
    if (!rc) rc = mlops__bind_text(c, st, 1, sel->name);
    if (rc) return rc;
    int step = mlops__step(st);
    int whole = 0;
    if (step == MLOPS__ROW) {
        out->id = mlops__col_int64(st, 0);
        out->number = mlops__col_int64(st, 1);
        if ((whole = mlops__col_bytes(st, 2) == 32)) memcpy(out->artifact, mlops__col_blob(st, 2), 32);
        const char *rid = mlops__col_null(st, 3) ? NULL : mlops__col_text(st, 3);
        if (rid && strlen(rid) == 32) memcpy(out->run_id, rid, 33);
    }
    mlops__reset(st);
    if (step == MLOPS__DONE || (step == MLOPS__ROW && !whole))
        return mlops__err(MLOPS_ENOTFOUND, "%s: no model version for %s", fn, sel->text);
    if (step != MLOPS__ROW) return mlops__conn_error(c, step, "looking up a model version");
    return MLOPS_OK;
}

static int model_version(const char *fn, mlops__conn *c, const mlops__selection *sel, roots *r)
{
    mlops__selected_version v;
    int rc = mlops__selection_version(fn, c, sel, &v);
    if (rc) return rc;
    const unsigned char *artifact = v.artifact;
    const char *run_id = v.run_id;
    int yes = 0;
    rc = held(c, artifact, &yes);
    if (!rc && !yes) {
        char ds[MLOPS_DIGEST_STRLEN];
        mlops_digest d;
        memcpy(d.bytes, artifact, 32);
        return mlops__err(MLOPS_ENOTFOUND, "%s: %s names artifact %s, which the store does not "
                                           "hold", fn, sel->text, mlops__digest_str(&d, ds));
    }
    if (!rc) rc = roots_add(r, artifact);
    if (!rc && run_id[0]) rc = add_lineage(fn, c, run_id, r, 0);
    return rc;
}

int mlops__selection_roots(const char *fn, mlops__conn *c, const mlops__selection *sel,
                           mlops_digest **out, size_t *n)
{
    roots r = {0};
    int rc = MLOPS_OK;
    *out = NULL;
    *n = 0;
    switch (sel->kind) {
    case MLOPS__SEL_DIGEST: {
        int yes = 0;
        rc = held(c, sel->digest.bytes, &yes);
        if (!rc && !yes)
            rc = mlops__err(MLOPS_ENOTFOUND, "%s: the store holds no blob or tree %s", fn,
                            sel->text);
        if (!rc) rc = roots_add(&r, sel->digest.bytes);
        break;
    }
    case MLOPS__SEL_REF: {
        mlops__stmt *st;
        rc = mlops__conn_stmt(c, "SELECT digest FROM cas_ref WHERE name = ?1", &st);
        if (!rc) rc = mlops__bind_text(c, st, 1, sel->name);
        if (rc) break;
        int step = mlops__step(st);
        if (step == MLOPS__ROW && mlops__col_bytes(st, 0) == 32)
            rc = roots_add(&r, mlops__col_blob(st, 0));
        else if (step == MLOPS__ROW || step == MLOPS__DONE)
            rc = mlops__err(MLOPS_ENOTFOUND, "%s: no ref '%s'", fn, sel->name);
        else
            rc = mlops__conn_error(c, step, "reading a ref");
        mlops__reset(st);
        break;
    }
    case MLOPS__SEL_RUN:
        rc = add_lineage(fn, c, sel->name, &r, 1);
        break;
    default:
        rc = model_version(fn, c, sel, &r);
        break;
    }
    if (rc) {
        free(r.d);
        return rc;
    }
    *out = r.d;
    *n = r.n;
    return MLOPS_OK;
}
