/* The checker of tests/crash/workload.h: collects the records writers
 * sent and verifies every acknowledged operation against the store. */
#include "workload.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct writer {
    char tag[24];
    wrec last;    /* its last intent */
    int inflight; /* that intent has no acknowledgement (yet) */
} writer;

struct wcheck {
    wrec *acks;
    size_t nacks, cap;
    writer *writers;
    size_t nwriters, wcap;
    size_t errors;
    uint64_t reads;
};

wcheck *wc_new(void)
{
    return calloc(1, sizeof(wcheck));
}

void wc_free(wcheck *c)
{
    if (!c) return;
    free(c->acks);
    free(c->writers);
    free(c);
}

size_t wc_errors(const wcheck *c)
{
    return c->errors;
}

static writer *writer_of(wcheck *c, const char *tag)
{
    for (size_t i = c->nwriters; i-- > 0;)
        if (!strncmp(c->writers[i].tag, tag, sizeof c->writers[i].tag)) return &c->writers[i];
    if (c->nwriters == c->wcap) {
        c->wcap = c->wcap ? 2 * c->wcap : 64;
        c->writers = realloc(c->writers, c->wcap * sizeof *c->writers);
        if (!c->writers) abort();
    }
    writer *w = &c->writers[c->nwriters++];
    memset(w, 0, sizeof *w);
    memcpy(w->tag, tag, sizeof w->tag);
    w->tag[sizeof w->tag - 1] = '\0';
    return w;
}

void wc_add(wcheck *c, const wrec *r)
{
    writer *w = writer_of(c, r->tag);
    if (r->phase == W_INTENT) {
        w->last = *r;
        w->inflight = 1;
        return;
    }
    w->inflight = 0;
    if (r->phase == W_ERROR) {
        c->errors++;
        fprintf(stderr, "writer %.24s: %.168s\n", r->tag, r->msg);
        return;
    }
    if (r->kind == W_READ) {
        c->reads++;
        return;
    }
    if (c->nacks == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 1024;
        c->acks = realloc(c->acks, c->cap * sizeof *c->acks);
        if (!c->acks) abort();
    }
    c->acks[c->nacks++] = *r;
}

int w_drain(wpipe *p, wcheck *c)
{
    for (;;) {
        ssize_t n = read(p->fd, p->buf + p->have, sizeof p->buf - p->have);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return 1; /* EAGAIN: nothing more for now */
        if (n == 0) return 0;
        p->have += (size_t)n;
        if (p->have == sizeof p->buf) {
            wrec r;
            memcpy(&r, p->buf, sizeof r);
            wc_add(c, &r);
            p->have = 0;
        }
    }
}

/* ---- verification ----------------------------------------------------- */

static size_t failures;
static int quiet;

static void failf(const char *what, const wrec *r, int rc)
{
    if (quiet) {
        failures++;
        return;
    }
    char d[MLOPS_DIGEST_STRLEN];
    mlops_digest_format(&r->digest, d);
    fprintf(stderr, "CHECK FAILED: %s (writer %.24s, run %.33s, name %.48s, model %.24s, "
            "version %lld, digest %s) -> %d: %s\n",
            what, r->tag, r->run_id, r->name, r->model, (long long)r->version, d, rc,
            rc ? mlops_last_error() : "");
    failures++;
}

static uint64_t bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static int same_value(double a, double b)
{
    /* Bit for bit; the writer's NaN is the C library's NAN. */
    return bits(a) == bits(b);
}

static void check_blob(mlops_store *s, const wrec *r)
{
    void *data = NULL;
    size_t len = 0;
    int rc = mlops_blob_get(s, &r->digest, &data, &len);
    if (rc) {
        failf("acknowledged blob is not readable", r, rc);
        return;
    }
    uint8_t *want = malloc(r->len ? r->len : 1);
    w_content(r->seed, want, r->len);
    if (len != r->len || memcmp(want, data, len) != 0) failf("blob differs from what was put", r, 0);
    free(want);
    mlops_free(data);
}

static int find_point(mlops_store *s, const wrec *r, int64_t step, int64_t ts, double v)
{
    mlops_history_opts o = MLOPS_HISTORY_OPTS_INIT;
    o.step_min = o.step_max = step;
    mlops_metric_point *pts = NULL;
    size_t n = 0;
    int rc = mlops_metric_history(s, r->run_id, r->name, &o, &pts, &n);
    if (rc) return rc;
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (pts[i].step == step && pts[i].ts_ms == ts && same_value(pts[i].value, v)) found = 1;
    mlops_free(pts);
    return found ? MLOPS_OK : -1;
}

static void check_metric(mlops_store *s, const wrec *r)
{
    int rc = find_point(s, r, r->step, r->ts, r->value);
    if (rc) failf("acknowledged metric point missing or different", r, rc < 0 ? 0 : rc);
}

static void check_metrics(mlops_store *s, const wrec *r)
{
    mlops_history_opts o = MLOPS_HISTORY_OPTS_INIT;
    o.step_min = r->step;
    o.step_max = r->step + r->n - 1;
    mlops_metric_point *pts = NULL;
    size_t n = 0;
    int rc = mlops_metric_history(s, r->run_id, r->name, &o, &pts, &n);
    if (rc) {
        failf("acknowledged metric batch unreadable", r, rc);
        return;
    }
    if (n != r->n) failf("acknowledged metric batch has a different number of points", r, 0);
    for (size_t i = 0; i < n && i < r->n; i++)
        if (pts[i].step != r->step + (int64_t)i || pts[i].ts_ms != r->ts ||
            !same_value(pts[i].value, w_value(r->seed + i))) {
            failf("acknowledged metric batch point differs", r, 0);
            break;
        }
    mlops_free(pts);
}

static void check_param(mlops_store *s, const wrec *r, mlops_run_info **cache)
{
    if (!*cache || strcmp(mlops_run_info_id(*cache), r->run_id) != 0) {
        mlops_run_info_free(*cache);
        *cache = NULL;
        int rc = mlops_run_get(s, r->run_id, cache);
        if (rc) {
            failf("run of an acknowledged param unreadable", r, rc);
            return;
        }
    }
    char want[40];
    snprintf(want, sizeof want, "v%llu", (unsigned long long)r->seed);
    const char *got = mlops_run_info_param(*cache, r->name);
    if (!got || strcmp(got, want) != 0) failf("acknowledged param missing or different", r, 0);
}

static void check_version(mlops_store *s, const wrec *r)
{
    mlops_model_version *v = NULL;
    int rc = mlops_model_version_get(s, r->model, r->version, &v);
    if (rc) {
        failf("acknowledged version missing", r, rc);
        return;
    }
    const char *run = mlops_model_version_run_id(v);
    if (memcmp(mlops_model_version_artifact(v), &r->digest, sizeof r->digest) != 0 || !run ||
        strcmp(run, r->run_id) != 0 || mlops_model_version_deleted_ms(v) != 0)
        failf("acknowledged version differs", r, 0);
    mlops_model_version_free(v);
}

static void check_output(mlops_store *s, const wrec *r)
{
    mlops_lineage_edge *e = NULL;
    size_t n = 0;
    int rc = mlops_lineage_for_run(s, r->run_id, &e, &n);
    if (rc) {
        failf("lineage of a run unreadable", r, rc);
        return;
    }
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (e[i].direction == MLOPS_LINEAGE_OUTPUT && !strcmp(e[i].name, r->name) &&
            !memcmp(&e[i].digest, &r->digest, sizeof r->digest))
            found = 1;
    if (!found) failf("acknowledged run output missing", r, 0);
    mlops_free(e);
}

static int same_file(const char *path, uint64_t seed, size_t len)
{
    uint8_t want[3000], got[3001];
    w_content(seed, want, len);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 0;
    ssize_t n = read(fd, got, sizeof got);
    close(fd);
    return n == (ssize_t)len && memcmp(want, got, len) == 0;
}

static void check_tree(mlops_store *s, const wrec *r, const char *scratch)
{
    char dir[600], path[700];
    snprintf(dir, sizeof dir, "%s/restore", scratch);
    tu_rmrf(dir);
    int rc = mlops_tree_get(s, &r->digest, dir, 0);
    if (rc) {
        failf("acknowledged tree cannot be restored", r, rc);
        return;
    }
    for (int i = 0; i <= r->n; i++) {
        size_t len = w_tree_file_len(r->seed, i);
        if (i < r->n) snprintf(path, sizeof path, "%s/f%d", dir, i);
        else snprintf(path, sizeof path, "%s/d/g", dir);
        if (!same_file(path, r->seed + 1000 + (uint64_t)i, len)) {
            failf("restored tree differs from what was put", r, 0);
            return;
        }
    }
}

/* Aliases and refs: the value they hold must be the last acknowledged
 * one, or the one a killed writer was setting when it died. */
typedef struct final {
    char model[24], name[48];
    int kind;
    int has_ack;
    int64_t version;
    mlops_digest digest;
    const writer *owner;
} final;

static void check_final(mlops_store *s, const final *f)
{
    wrec r;
    memset(&r, 0, sizeof r);
    snprintf(r.tag, sizeof r.tag, "%s", f->owner ? f->owner->tag : "?");
    memcpy(r.model, f->model, sizeof r.model);
    memcpy(r.name, f->name, sizeof r.name);
    r.version = f->version;
    r.digest = f->digest;
    const wrec *in = f->owner && f->owner->inflight && f->owner->last.kind == f->kind &&
                             !strcmp(f->owner->last.name, f->name)
                         ? &f->owner->last
                         : NULL;
    if (f->kind == W_ALIAS) {
        int64_t v = 0;
        int rc = mlops_model_alias_get(s, f->model, f->name, &v);
        int ok = (rc == MLOPS_OK && f->has_ack && v == f->version) ||
                 (rc == MLOPS_OK && in && v == in->version) ||
                 (rc == MLOPS_ENOTFOUND && !f->has_ack && in);
        if (!ok) failf("alias does not hold its last acknowledged version", &r, rc);
    } else {
        mlops_digest d;
        int rc = mlops_ref_get(s, f->name, &d);
        int ok = (rc == MLOPS_OK && f->has_ack && !memcmp(&d, &f->digest, sizeof d)) ||
                 (rc == MLOPS_OK && in && !memcmp(&d, &in->digest, sizeof d)) ||
                 (rc == MLOPS_ENOTFOUND && !f->has_ack && in);
        if (!ok) failf("reference does not hold its last acknowledged digest", &r, rc);
    }
}

static final *final_of(final **list, size_t *n, size_t *cap, int kind, const char *model,
                       const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if ((*list)[i].kind == kind && !strcmp((*list)[i].name, name) &&
            !strcmp((*list)[i].model, model))
            return &(*list)[i];
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        *list = realloc(*list, *cap * sizeof **list);
        if (!*list) abort();
    }
    final *f = &(*list)[(*n)++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    snprintf(f->model, sizeof f->model, "%s", model);
    snprintf(f->name, sizeof f->name, "%s", name);
    return f;
}

size_t wc_verify(wcheck *c, mlops_store *s, uint64_t *checked, uint64_t per_kind[W_KINDS])
{
    failures = 0;
    *checked = 0;
    memset(per_kind, 0, W_KINDS * sizeof *per_kind);
    per_kind[W_READ] = c->reads;
    char *scratch = tu_mkdtemp("check");
    if (!scratch) {
        fprintf(stderr, "cannot make a scratch directory\n");
        return 1;
    }
    mlops_run_info *cache = NULL;
    final *finals = NULL;
    size_t nfinals = 0, capfinals = 0;
    for (size_t i = 0; i < c->nacks; i++) {
        const wrec *r = &c->acks[i];
        switch (r->kind) {
        case W_BLOB: check_blob(s, r); break;
        case W_METRIC: check_metric(s, r); break;
        case W_METRICS: check_metrics(s, r); break;
        case W_PARAM: check_param(s, r, &cache); break;
        case W_VERSION: check_version(s, r); break;
        case W_OUTPUT: check_output(s, r); break;
        case W_TREE: check_tree(s, r, scratch); break;
        case W_RUN: {
            mlops_run_info *ri;
            int rc = mlops_run_get(s, r->run_id, &ri);
            if (rc) failf("acknowledged run missing", r, rc);
            else mlops_run_info_free(ri);
            break;
        }
        case W_ALIAS:
        case W_REF: {
            final *f = final_of(&finals, &nfinals, &capfinals, r->kind,
                                r->kind == W_ALIAS ? r->model : "", r->name);
            f->has_ack = 1;
            f->version = r->version;
            f->digest = r->digest;
            break;
        }
        default: break;
        }
        per_kind[r->kind]++;
        (*checked)++;
    }
    /* Writers killed while setting an alias or ref no one acknowledged. */
    for (size_t i = 0; i < c->nwriters; i++) {
        const writer *w = &c->writers[i];
        if (w->inflight && (w->last.kind == W_ALIAS || w->last.kind == W_REF))
            final_of(&finals, &nfinals, &capfinals, w->last.kind,
                     w->last.kind == W_ALIAS ? w->last.model : "", w->last.name);
    }
    for (size_t i = 0; i < nfinals; i++) {
        for (size_t k = 0; k < c->nwriters; k++) {
            const writer *w = &c->writers[k];
            char prefix[40];
            snprintf(prefix, sizeof prefix, "%c-%s-", finals[i].kind == W_ALIAS ? 'a' : 'r', w->tag);
            if (!strncmp(finals[i].name, prefix, strlen(prefix))) finals[i].owner = w;
        }
        check_final(s, &finals[i]);
    }
    free(finals);
    mlops_run_info_free(cache);
    tu_rmrf(scratch);
    free(scratch);
    return failures;
}

size_t wc_verify_roots(wcheck *c, mlops_store *s)
{
    failures = 0;
    for (size_t i = 0; i < c->nacks; i++) {
        const wrec *r = &c->acks[i];
        if (r->kind != W_VERSION && r->kind != W_OUTPUT) continue;
        void *data = NULL;
        size_t len = 0;
        int rc = mlops_blob_get(s, &r->digest, &data, &len);
        if (rc) failf("a gc root's content is gone or damaged after gc", r, rc);
        mlops_free(data);
    }
    return failures;
}

size_t wc_self_test(wcheck *real, mlops_store *s)
{
    const char *run = NULL;
    for (size_t i = 0; i < real->nacks && !run; i++)
        if (real->acks[i].kind == W_RUN) run = real->acks[i].run_id;
    if (!run) return 0;
    wcheck *f = wc_new();
    wrec r;
    memset(&r, 0, sizeof r);
    snprintf(r.tag, sizeof r.tag, "ghost");
    r.phase = W_ACK;
    r.kind = W_BLOB; /* a blob never put */
    r.seed = 42;
    r.len = 10;
    memset(&r.digest, 0x42, sizeof r.digest);
    wc_add(f, &r);
    r.kind = W_METRIC; /* a point never logged */
    snprintf(r.run_id, sizeof r.run_id, "%s", run);
    snprintf(r.name, sizeof r.name, "k0");
    r.step = -987654321;
    wc_add(f, &r);
    r.kind = W_PARAM; /* a param never logged */
    snprintf(r.name, sizeof r.name, "never-logged");
    wc_add(f, &r);
    r.kind = W_VERSION; /* a version never created */
    snprintf(r.model, sizeof r.model, "model-0");
    r.version = 999999;
    wc_add(f, &r);
    r.kind = W_ALIAS; /* an alias never set */
    snprintf(r.name, sizeof r.name, "a-ghost-0");
    r.version = 1;
    wc_add(f, &r);
    uint64_t checked, per_kind[W_KINDS];
    quiet = 1;
    size_t found = wc_verify(f, s, &checked, per_kind);
    quiet = 0;
    wc_free(f);
    return found;
}
