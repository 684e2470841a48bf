/* What content reaches: blobs and trees below roots (from the content,
 * tree-edge and chunk rows), and the objects that hold them. */
#include "remote/remote_internal.h"
#include "cas/keymap.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

/* Trees nest at most this deep (a restore refuses deeper ones too). */
#define MAX_DEPTH 1024

typedef struct walk {
    const char *fn;
    mlops__conn *c;
    mlops__keymap seen;
    mlops__rcontent *out;
    size_t n, cap;
} walk;

static int push_content(walk *w, const mlops__rcontent *ct)
{
    if (w->n == w->cap) {
        size_t nc = w->cap ? 2 * w->cap : 64;
        mlops__rcontent *no = realloc(w->out, nc * sizeof *no);
        if (!no) return mlops__err_nomem("walking content");
        w->out = no;
        w->cap = nc;
    }
    w->out[w->n++] = *ct;
    return MLOPS_OK;
}

/* The children of tree d, read before any is visited (a cached statement
 * cannot be stepped by two levels at once). */
static int children(walk *w, const mlops_digest *d, mlops_digest **out, size_t *n)
{
    mlops__stmt *st = NULL;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = mlops__conn_stmt(w->c, "SELECT child FROM cas_tree_child WHERE tree = ?1", &st);
    if (!rc) rc = mlops__bind_blob(w->c, st, 1, d->bytes, 32);
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        if (mlops__col_bytes(st, 0) != 32) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            mlops_digest *nd = realloc(*out, cap * sizeof *nd);
            if (!nd) {
                rc = mlops__err_nomem("walking a tree");
                break;
            }
            *out = nd;
        }
        memcpy((*out)[(*n)++].bytes, mlops__col_blob(st, 0), 32);
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(w->c, step, "reading a tree's children");
    if (st) mlops__reset(st);
    if (rc) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

static int visit(walk *w, const mlops_digest *d, int depth)
{
    int added = 0;
    int rc = mlops__keymap_add(&w->seen, d->bytes, 0, &added);
    if (rc || !added) return rc;
    if (depth > MAX_DEPTH)
        return mlops__err(MLOPS_EUNSUPPORTED, "%s: trees nest deeper than %d", w->fn, MAX_DEPTH);
    mlops__content ct;
    rc = mlops__content_get(w->c, w->fn, d, &ct);
    if (rc) return rc;
    if (ct.kind == MLOPS__KIND_TREE) {
        mlops_digest *kids = NULL;
        size_t nk = 0;
        rc = children(w, d, &kids, &nk);
        for (size_t i = 0; !rc && i < nk; i++) rc = visit(w, &kids[i], depth + 1);
        free(kids);
        if (rc) return rc;
    }
    mlops__rcontent rc_ = {0};
    rc_.digest = *d;
    rc_.kind = ct.kind;
    rc_.size = ct.size;
    rc_.has_manifest = ct.has_manifest;
    rc_.manifest = ct.manifest;
    return push_content(w, &rc_);
}

int mlops__walk_contents(const char *fn, mlops__conn *c, const mlops_digest *roots, size_t n,
                         mlops__rcontent **out, size_t *nout)
{
    walk w = {fn, c, MLOPS__KEYMAP_INIT, NULL, 0, 0};
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < n; i++) rc = visit(&w, &roots[i], 0);
    mlops__keymap_free(&w.seen);
    if (rc) {
        free(w.out);
        return rc;
    }
    *out = w.out;
    *nout = w.n;
    return MLOPS_OK;
}

typedef struct objs {
    mlops__keymap seen;
    mlops_digest *d;
    size_t n, cap;
} objs;

static int obj_add(objs *o, const void *bytes)
{
    int added = 0;
    int rc = mlops__keymap_add(&o->seen, bytes, 0, &added);
    if (rc || !added) return rc;
    if (o->n == o->cap) {
        size_t nc = o->cap ? 2 * o->cap : 64;
        mlops_digest *nd = realloc(o->d, nc * sizeof *nd);
        if (!nd) return mlops__err_nomem("listing objects");
        o->d = nd;
        o->cap = nc;
    }
    memcpy(o->d[o->n++].bytes, bytes, 32);
    return MLOPS_OK;
}

int mlops__walk_objects(mlops__conn *c, const mlops__rcontent *ct, size_t n,
                        mlops_digest **out, size_t *nout)
{
    objs o = {MLOPS__KEYMAP_INIT, NULL, 0, 0};
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        if (!ct[i].has_manifest) {
            rc = obj_add(&o, ct[i].digest.bytes);
            continue;
        }
        rc = obj_add(&o, ct[i].manifest.bytes);
        mlops__stmt *st;
        if (!rc) rc = mlops__conn_stmt(c, "SELECT chunk FROM cas_chunk WHERE blob = ?1 "
                                          "ORDER BY pos", &st);
        if (!rc) rc = mlops__bind_blob(c, st, 1, ct[i].digest.bytes, 32);
        if (rc) break;
        int step = MLOPS__DONE;
        while (!rc && (step = mlops__step(st)) == MLOPS__ROW)
            if (mlops__col_bytes(st, 0) == 32) rc = obj_add(&o, mlops__col_blob(st, 0));
        if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading chunks");
        mlops__reset(st);
    }
    mlops__keymap_free(&o.seen);
    if (rc) {
        free(o.d);
        return rc;
    }
    *out = o.d;
    *nout = o.n;
    return MLOPS_OK;
}
