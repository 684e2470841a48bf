/* Proving that content is what its digest names: a blob's bytes read in
 * whole (fetch.h), a tree's object and, through it, everything it names.
 * For the registry's deep verification of a signed artifact. */
#include "cas/cas_internal.h"
#include "cas/fetch.h"
#include "cas/keymap.h"
#include "cas/tree_format.h"
#include "util/err.h"

#include <stdlib.h>

struct prover {
    mlops_store *s;
    mlops__conn *c;
    mlops__obj_reader *r;
    const char *func;
    /* The digests proven so far: a tree that names the same subtree or
     * blob many times, or a crafted DAG whose expansion is exponential,
     * is proven in time linear in its distinct content. */
    mlops__keymap seen;
};

static int no_op(void *ctx, const mlops__span *sp, const unsigned char *data)
{
    (void)ctx, (void)sp, (void)data;
    return MLOPS_OK;
}

#define MAX_DEPTH 256

static int prove(struct prover *p, const mlops_digest *d, int depth, uint64_t want_size,
                 int want_kind)
{
    char ds[MLOPS_DIGEST_STRLEN];
    if (depth > MAX_DEPTH)
        return mlops__err(MLOPS_ECORRUPT, "%s: tree %s is nested deeper than %d levels",
                          p->func, mlops__digest_str(d, ds), MAX_DEPTH);
    mlops__content ct;
    int rc = mlops__content_get(p->c, p->func, d, &ct);
    if (rc) return rc;
    if (want_kind && ct.kind != want_kind)
        return mlops__err(MLOPS_ECORRUPT, "%s: %s is stored as a %s where its tree names a %s",
                          p->func, mlops__digest_str(d, ds),
                          ct.kind == MLOPS__KIND_TREE ? "tree" : "blob",
                          want_kind == MLOPS__KIND_TREE ? "tree" : "blob");
    if (want_kind == MLOPS__KIND_BLOB && ct.size != want_size)
        return mlops__err(MLOPS_ECORRUPT, "%s: blob %s has %llu bytes where its tree says %llu",
                          p->func, mlops__digest_str(d, ds), (unsigned long long)ct.size,
                          (unsigned long long)want_size);
    if (mlops__keymap_get(&p->seen, d->bytes, NULL)) return MLOPS_OK;
    if (ct.kind == MLOPS__KIND_BLOB) {
        mlops__fetch f = {p->s, p->c, d, &ct, 0, ct.size, NULL, no_op, NULL, 1, 0};
        rc = mlops__fetch_run(&f);
    } else {
        void *buf = NULL;
        size_t len = 0;
        mlops__tree_entry *e = NULL;
        size_t n = 0;
        rc = mlops__object_read_alloc(p->s, p->r, d, &buf, &len);
        if (!rc) rc = mlops__tree_decode(buf, len, mlops__digest_str(d, ds), &e, &n);
        if (rc == MLOPS_EINVAL) rc = MLOPS_ECORRUPT; /* an unsafe name: a bad tree */
        free(buf);
        for (size_t i = 0; !rc && i < n; i++)
            rc = e[i].type == MLOPS__ENTRY_DIR
                     ? prove(p, &e[i].digest, depth + 1, 0, MLOPS__KIND_TREE)
                     : prove(p, &e[i].digest, depth + 1, e[i].size, MLOPS__KIND_BLOB);
        mlops__tree_entries_free(e, n);
    }
    if (!rc) rc = mlops__keymap_add(&p->seen, d->bytes, 0, NULL);
    return rc;
}

int mlops__cas_prove(mlops_store *s, const char *func, const mlops_digest *d)
{
    struct prover p = {s, NULL, NULL, func, MLOPS__KEYMAP_INIT};
    int rc = mlops__store_conn(s, &p.c);
    if (rc) return rc;
    rc = mlops__obj_reader_new(&p.r);
    /* One snapshot: the rows read agree with each other. */
    if (!rc) rc = mlops__conn_begin(p.c, 0);
    if (!rc) rc = prove(&p, d, 0, 0, 0);
    mlops__obj_reader_free(p.r);
    mlops__store_release(s, p.c);
    mlops__keymap_free(&p.seen);
    return rc;
}
