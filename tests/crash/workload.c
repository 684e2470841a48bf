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

/* ---- content ------------------------------------------------------------ */

static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

void w_content(uint64_t seed, uint8_t *buf, size_t len)
{
    uint64_t x = mix(seed);
    if (seed & 1) {
        static const char words[] = "epoch,loss,accuracy,0.125,1.5e-3,label,feature_";
        for (size_t i = 0; i < len; i++) {
            if (i % 64 == 0) x = mix(x);
            buf[i] = (uint8_t)words[(x >> (i % 8)) % (sizeof words - 1)];
        }
    } else {
        for (size_t i = 0; i < len; i += 8) {
            x = mix(x);
            size_t k = len - i < 8 ? len - i : 8;
            memcpy(buf + i, &x, k);
        }
    }
}

double w_value(uint64_t seed)
{
    uint64_t m = mix(seed);
    switch (m % 23) {
    case 0: return NAN;
    case 1: return INFINITY;
    case 2: return -INFINITY;
    case 3: return -0.0;
    default: return (double)(int64_t)(m >> 12) / 4096.0 - 1e6;
    }
}

/* ---- store set-up --------------------------------------------------------- */

void w_store_opts(mlops_store_opts *o)
{
    mlops_store_opts_init(o, MLOPS_STORE_OPTS_VERSION);
    o->chunk_min_size = 4096;
    o->chunk_avg_size = 16384;
    o->chunk_max_size = 65536;
    o->threads = 2;
}

int w_setup(mlops_store *s, int64_t *experiment_id)
{
    int rc = mlops_experiment_create(s, "workload", experiment_id);
    for (int i = 0; rc == MLOPS_OK && i < W_MODELS; i++) {
        char name[24];
        snprintf(name, sizeof name, "model-%d", i);
        rc = mlops_model_create(s, name);
    }
    return rc;
}

/* ---- writer --------------------------------------------------------------- */

typedef struct wversion {
    char model[24];
    int64_t number;
} wversion;

struct wctx {
    mlops_store *s;
    int fd;
    char tag[24];
    char scratch[512];
    int64_t experiment_id;
    uint64_t rng;
    int reads;
    mlops_run *run;
    char run_id[33];
    int64_t step;
    uint64_t counter;
    mlops_digest blobs[64]; /* recent acknowledged blobs */
    size_t nblobs, blob_next;
    wversion versions[16];
    size_t nversions, version_next;
};

static uint64_t rnd(wctx *w)
{
    w->rng = mix(w->rng);
    return w->rng;
}

static void send_rec(wctx *w, wrec *r, int phase)
{
    r->phase = (uint8_t)phase;
    memcpy(r->tag, w->tag, sizeof r->tag);
    const char *p = (const char *)r;
    size_t left = sizeof *r;
    while (left) {
        ssize_t n = write(w->fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) _exit(3); /* the parent is gone */
        p += n;
        left -= (size_t)n;
    }
}

static int report_failure(wctx *w, wrec *r, int rc, const char *what)
{
    snprintf(r->msg, sizeof r->msg, "%s -> %d: %s", what, rc, mlops_last_error());
    send_rec(w, r, W_ERROR);
    return rc;
}

static void remember_blob(wctx *w, const mlops_digest *d)
{
    w->blobs[w->blob_next] = *d;
    w->blob_next = (w->blob_next + 1) % 64;
    if (w->nblobs < 64) w->nblobs++;
}

wctx *w_new(mlops_store *s, int fd, const char *tag, int64_t experiment_id, uint64_t seed,
            const char *scratch, int reads)
{
    wctx *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->s = s;
    w->fd = fd;
    snprintf(w->tag, sizeof w->tag, "%s", tag);
    snprintf(w->scratch, sizeof w->scratch, "%s", scratch);
    w->experiment_id = experiment_id;
    w->rng = seed;
    w->reads = reads;
    mkdir(scratch, 0755);
    wrec r;
    memset(&r, 0, sizeof r);
    r.kind = W_RUN;
    send_rec(w, &r, W_INTENT);
    int rc = mlops_run_start(s, experiment_id, tag, &w->run);
    if (rc) {
        report_failure(w, &r, rc, "mlops_run_start");
        free(w);
        return NULL;
    }
    snprintf(w->run_id, sizeof w->run_id, "%s", mlops_run_id(w->run));
    memcpy(r.run_id, w->run_id, sizeof r.run_id);
    send_rec(w, &r, W_ACK);
    return w;
}

void w_free(wctx *w)
{
    if (!w) return;
    mlops_run_free(w->run);
    free(w);
}

static size_t blob_len(wctx *w)
{
    uint64_t x = rnd(w);
    switch (x % 10) {
    case 0: return 0;
    case 1: case 2: return 65536 + (size_t)(x >> 8) % (300 * 1024); /* chunked */
    default: return (size_t)(x >> 8) % 20000;
    }
}

static int op_blob(wctx *w, wrec *r)
{
    r->kind = W_BLOB;
    r->seed = rnd(w);
    r->len = (uint32_t)blob_len(w);
    int how = (int)(rnd(w) % 3);
    send_rec(w, r, W_INTENT);
    uint8_t *buf = malloc(r->len ? r->len : 1);
    if (!buf) return report_failure(w, r, MLOPS_ENOMEM, "malloc");
    w_content(r->seed, buf, r->len);
    int rc;
    const char *what;
    if (how == 0) {
        what = "mlops_blob_put";
        rc = mlops_blob_put(w->s, buf, r->len, &r->digest);
    } else if (how == 1) {
        what = "mlops_blob_put_file";
        char path[600];
        snprintf(path, sizeof path, "%s/file", w->scratch);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        rc = fd >= 0 && write(fd, buf, r->len) == (ssize_t)r->len ? MLOPS_OK : MLOPS_EIO;
        if (fd >= 0) close(fd);
        if (!rc) rc = mlops_blob_put_file(w->s, path, &r->digest);
    } else {
        what = "mlops_blob_writer";
        mlops_blob_writer *bw;
        rc = mlops_blob_writer_open(w->s, &bw);
        for (size_t off = 0; !rc && off < r->len; off += 7001) {
            size_t k = r->len - off < 7001 ? r->len - off : 7001;
            rc = mlops_blob_writer_write(bw, buf + off, k);
        }
        if (!rc) rc = mlops_blob_writer_commit(bw, &r->digest);
        else mlops_blob_writer_abort(bw);
    }
    free(buf);
    if (rc) return report_failure(w, r, rc, what);
    remember_blob(w, &r->digest);
    send_rec(w, r, W_ACK);
    return MLOPS_OK;
}

static int op_metric(wctx *w, wrec *r)
{
    r->kind = W_METRIC;
    memcpy(r->run_id, w->run_id, sizeof r->run_id);
    snprintf(r->name, sizeof r->name, "k%d", (int)(rnd(w) % 4));
    r->seed = rnd(w);
    r->step = w->step++;
    r->ts = 1700000000000 + r->step;
    r->value = w_value(r->seed);
    send_rec(w, r, W_INTENT);
    int rc = mlops_run_log_metric(w->run, r->name, r->value, r->step, r->ts);
    if (rc) return report_failure(w, r, rc, "mlops_run_log_metric");
    send_rec(w, r, W_ACK);
    return MLOPS_OK;
}

static int op_metrics(wctx *w, wrec *r)
{
    r->kind = W_METRICS;
    memcpy(r->run_id, w->run_id, sizeof r->run_id);
    snprintf(r->name, sizeof r->name, "batch%d", (int)(rnd(w) % 3));
    r->seed = rnd(w);
    r->n = (uint16_t)(1 + rnd(w) % 200);
    r->step = w->step;
    w->step += r->n;
    r->ts = 1700000000000;
    send_rec(w, r, W_INTENT);
    mlops_metric m[200];
    for (int i = 0; i < r->n; i++) {
        m[i].key = r->name;
        m[i].value = w_value(r->seed + (uint64_t)i);
        m[i].step = r->step + i;
        m[i].ts_ms = r->ts;
    }
    int rc = mlops_run_log_metrics(w->run, m, r->n);
    if (rc) return report_failure(w, r, rc, "mlops_run_log_metrics");
    send_rec(w, r, W_ACK);
    return MLOPS_OK;
}

static int op_param(wctx *w, wrec *r)
{
    r->kind = W_PARAM;
    memcpy(r->run_id, w->run_id, sizeof r->run_id);
    snprintf(r->name, sizeof r->name, "p%llu", (unsigned long long)w->counter++);
    r->seed = rnd(w);
    char value[40];
    snprintf(value, sizeof value, "v%llu", (unsigned long long)r->seed);
    send_rec(w, r, W_INTENT);
    int rc = mlops_run_log_param(w->run, r->name, value);
    if (rc) return report_failure(w, r, rc, "mlops_run_log_param");
    send_rec(w, r, W_ACK);
    return MLOPS_OK;
}

static int op_version(wctx *w, wrec *r)
{
    if (!w->nblobs) return op_blob(w, r);
    r->kind = W_VERSION;
    snprintf(r->model, sizeof r->model, "model-%d", (int)(rnd(w) % W_MODELS));
    r->digest = w->blobs[rnd(w) % w->nblobs];
    memcpy(r->run_id, w->run_id, sizeof r->run_id);
    send_rec(w, r, W_INTENT);
    int rc = mlops_model_version_create(w->s, r->model, &r->digest, w->run_id, &r->version);
    if (rc) return report_failure(w, r, rc, "mlops_model_version_create");
    wversion *v = &w->versions[w->version_next];
    memcpy(v->model, r->model, sizeof v->model);
    v->number = r->version;
    w->version_next = (w->version_next + 1) % 16;
    if (w->nversions < 16) w->nversions++;
    send_rec(w, r, W_ACK);
    return MLOPS_OK;
}

static int op_alias(wctx *w, wrec *r)
{
    if (!w->nversions) return op_version(w, r);
    r->kind = W_ALIAS;
    const wversion *v = &w->versions[rnd(w) % w->nversions];
    memcpy(r->model, v->model, sizeof r->model);
    r->version = v->number;
    snprintf(r->name, sizeof r->name, "a-%s-%d", w->tag, (int)(rnd(w) % 2));
    send_rec(w, r, W_INTENT);
    int rc = mlops_model_alias_set(w->s, r->model, r->name, r->version);
    if (rc) return report_failure(w, r, rc, "mlops_model_alias_set");
    send_rec(w, r, W_ACK);
    return MLOPS_OK;
}

static int op_output(wctx *w, wrec *r)
{
    if (!w->nblobs) return op_blob(w, r);
    r->kind = W_OUTPUT;
    memcpy(r->run_id, w->run_id, sizeof r->run_id);
    r->digest = w->blobs[rnd(w) % w->nblobs];
    snprintf(r->name, sizeof r->name, "out-%llu", (unsigned long long)w->counter++);
    send_rec(w, r, W_INTENT);
    int rc = mlops_run_log_output(w->run, &r->digest, r->name, "model");
    if (rc) return report_failure(w, r, rc, "mlops_run_log_output");
    send_rec(w, r, W_ACK);
    return MLOPS_OK;
}

/* Trees: files f0..f<n-1> and d/g, contents from the seed. */
size_t w_tree_file_len(uint64_t seed, int i)
{
    return (size_t)(mix(seed + (uint64_t)i) % 3000);
}

static int write_tree(const char *dir, uint64_t seed, int n)
{
    char path[700];
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/d", dir);
    mkdir(path, 0755);
    for (int i = 0; i <= n; i++) {
        size_t len = w_tree_file_len(seed, i);
        uint8_t buf[3000];
        w_content(seed + 1000 + (uint64_t)i, buf, len);
        if (i < n) snprintf(path, sizeof path, "%s/f%d", dir, i);
        else snprintf(path, sizeof path, "%s/d/g", dir);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) return -1;
        ssize_t k = write(fd, buf, len);
        close(fd);
        if (k != (ssize_t)len) return -1;
    }
    return 0;
}

static int op_tree(wctx *w, wrec *r)
{
    r->kind = W_TREE;
    r->seed = rnd(w);
    r->n = (uint16_t)(1 + rnd(w) % 4);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/tree", w->scratch);
    tu_rmrf(dir);
    if (write_tree(dir, r->seed, r->n)) return report_failure(w, r, MLOPS_EIO, "writing a tree");
    send_rec(w, r, W_INTENT);
    int rc = mlops_tree_put(w->s, dir, 0, &r->digest);
    if (rc) return report_failure(w, r, rc, "mlops_tree_put");
    send_rec(w, r, W_ACK);
    return MLOPS_OK;
}

static int op_ref(wctx *w, wrec *r)
{
    if (!w->nblobs) return op_blob(w, r);
    r->kind = W_REF;
    r->digest = w->blobs[rnd(w) % w->nblobs];
    snprintf(r->name, sizeof r->name, "r-%s-%d", w->tag, (int)(rnd(w) % 2));
    send_rec(w, r, W_INTENT);
    int rc = mlops_ref_set(w->s, r->name, &r->digest);
    if (rc) return report_failure(w, r, rc, "mlops_ref_set");
    send_rec(w, r, W_ACK);
    return MLOPS_OK;
}

/* Streams, random access, restores, tags, profiles, lineage queries: the
 * other kinds of operation, for the stress test. Each must succeed, and
 * what it reads back must match. */
static int op_other(wctx *w, wrec *r)
{
    r->kind = W_READ;
    int rc = MLOPS_OK;
    const char *what = "";
    char path[700];
    switch (rnd(w) % 7) {
    case 0: /* a streaming read matches a whole get */
    case 1: { /* and so does random access */
        if (!w->nblobs) break;
        const mlops_digest *d = &w->blobs[rnd(w) % w->nblobs];
        void *whole = NULL;
        size_t len = 0;
        what = "mlops_blob_get";
        rc = mlops_blob_get(w->s, d, &whole, &len);
        if (rc) break;
        unsigned char *buf = malloc(len + 1);
        size_t got = 0, off = 0;
        if (rnd(w) % 2) {
            mlops_blob_reader *rd;
            what = "mlops_blob_reader";
            rc = mlops_blob_reader_open(w->s, d, &rd);
            while (!rc && (rc = mlops_blob_reader_read(rd, buf + off, len + 1 - off, &got)) == 0 &&
                   got)
                off += got;
            if (!rc) mlops_blob_reader_close(rd);
        } else {
            what = "mlops_blob_read_at";
            off = len ? (size_t)(rnd(w) % len) : 0;
            rc = mlops_blob_read_at(w->s, d, off, buf, len - off, &got);
            if (!rc && (got != len - off || memcmp(buf, (char *)whole + off, got) != 0))
                rc = MLOPS_ECORRUPT;
            off = len;
            if (!rc) memcpy(buf, whole, len);
        }
        if (!rc && (off != len || memcmp(buf, whole, len) != 0)) rc = MLOPS_ECORRUPT;
        free(buf);
        mlops_free(whole);
        break;
    }
    case 2: { /* a blob written out to a file */
        if (!w->nblobs) break;
        snprintf(path, sizeof path, "%s/out", w->scratch);
        what = "mlops_blob_get_file_ex";
        rc = mlops_blob_get_file_ex(w->s, &w->blobs[rnd(w) % w->nblobs], path, MLOPS_GET_REPLACE);
        break;
    }
    case 3: { /* tags on the run and on a shared model (the audit chain) */
        char value[32];
        snprintf(value, sizeof value, "%llu", (unsigned long long)rnd(w));
        what = "mlops_run_set_tag";
        rc = mlops_run_set_tag(w->run, "stress", value);
        if (!rc) {
            char key[48];
            snprintf(key, sizeof key, "t-%s", w->tag);
            what = "mlops_model_tag_set";
            rc = mlops_model_tag_set(w->s, "model-1", key, value, NULL);
        }
        break;
    }
    case 4: { /* a profile stored and read back */
        double v[64];
        for (int i = 0; i < 64; i++) v[i] = w_value(rnd(w));
        mlops_profile *p = NULL, *q = NULL;
        mlops_digest d;
        what = "mlops_profile_put";
        rc = mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &p);
        if (!rc) rc = mlops_profile_add(p, v, 64);
        if (!rc) rc = mlops_profile_put(w->s, p, &d);
        if (!rc) {
            what = "mlops_profile_get";
            rc = mlops_profile_get(w->s, &d, &q);
        }
        mlops_profile_free(p);
        mlops_profile_free(q);
        break;
    }
    case 5: /* an input edge, and who used that digest */
        if (w->nblobs) {
            mlops_lineage_edge *e = NULL;
            size_t n = 0;
            const mlops_digest *d = &w->blobs[rnd(w) % w->nblobs];
            what = "mlops_run_log_input";
            rc = mlops_run_log_input(w->run, d, "data", "dataset");
            if (!rc) {
                what = "mlops_lineage_for_digest";
                rc = mlops_lineage_for_digest(w->s, d, &e, &n);
                if (!rc && n == 0) rc = MLOPS_ECORRUPT;
                mlops_free(e);
            }
        }
        break;
    default: { /* a tree restored */
        char src[700];
        mlops_digest d;
        snprintf(src, sizeof src, "%s/tree-src", w->scratch);
        snprintf(path, sizeof path, "%s/tree-out", w->scratch);
        tu_rmrf(src);
        tu_rmrf(path);
        if (write_tree(src, rnd(w), 2)) break;
        what = "mlops_tree_put";
        rc = mlops_tree_put(w->s, src, 0, &d);
        if (!rc) {
            what = "mlops_tree_get";
            rc = mlops_tree_get(w->s, &d, path, 0);
        }
        break;
    }
    }
    if (rc) return report_failure(w, r, rc, what);
    send_rec(w, r, W_ACK);
    return MLOPS_OK;
}

/* Reads of every kind, for the stress test: they must succeed while
 * others write. */
static int op_read(wctx *w, wrec *r)
{
    r->kind = W_READ;
    int rc = MLOPS_OK;
    const char *what = "";
    if (rnd(w) % 3 == 0) return op_other(w, r);
    switch (rnd(w) % 8) {
    case 0:
        if (w->nblobs) {
            void *data;
            size_t len;
            what = "mlops_blob_get";
            rc = mlops_blob_get(w->s, &w->blobs[rnd(w) % w->nblobs], &data, &len);
            if (!rc) mlops_free(data);
        }
        break;
    case 1: {
        what = "mlops_metric_history";
        mlops_metric_point *pts;
        size_t n;
        rc = mlops_metric_history(w->s, w->run_id, "k0", NULL, &pts, &n);
        if (rc == MLOPS_ENOTFOUND) rc = MLOPS_OK; /* no point of k0 yet */
        if (!rc) mlops_free(pts);
        break;
    }
    case 2: {
        what = "mlops_run_search";
        mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
        o.filter = "metrics.k0 > 0 OR params.p0 LIKE 'v1%'";
        o.order_by = "metrics.k1 DESC";
        o.max_results = 20;
        mlops_run_info **runs;
        size_t n;
        rc = mlops_run_search(w->s, &o, &runs, &n, NULL);
        if (!rc) mlops_run_info_list_free(runs, n);
        break;
    }
    case 3: {
        what = "mlops_model_resolve";
        int64_t v;
        rc = mlops_model_resolve(w->s, "model-0@latest", &v, NULL);
        if (rc == MLOPS_ENOTFOUND) rc = MLOPS_OK; /* no version yet */
        break;
    }
    case 4:
        if (rnd(w) % 8 == 0) {
            what = "mlops_audit_verify";
            rc = mlops_audit_verify(w->s);
        }
        break;
    case 5: {
        what = "mlops_run_get";
        mlops_run_info *ri;
        rc = mlops_run_get(w->s, w->run_id, &ri);
        if (!rc) mlops_run_info_free(ri);
        break;
    }
    case 6:
        if (rnd(w) % 16 == 0) {
            what = "mlops_store_gc";
            rc = mlops_store_gc(w->s, NULL, NULL); /* one hour of grace: deletes nothing new */
        }
        break;
    default:
        if (rnd(w) % 16 == 0) {
            what = "mlops_store_fsck";
            mlops_fsck_opts o = MLOPS_FSCK_OPTS_INIT;
            o.sample = 0.05;
            o.quarantine = 0;
            mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
            rc = mlops_store_fsck(w->s, &o, &rep);
            mlops_free(rep.issues);
        }
        break;
    }
    if (rc) return report_failure(w, r, rc, what);
    send_rec(w, r, W_ACK);
    return MLOPS_OK;
}

int w_step(wctx *w)
{
    wrec r;
    memset(&r, 0, sizeof r);
    uint64_t x = rnd(w) % 100;
    if (w->reads && x < 30) return op_read(w, &r);
    x = rnd(w) % 100;
    if (x < 25) return op_blob(w, &r);
    if (x < 45) return op_metric(w, &r);
    if (x < 55) return op_metrics(w, &r);
    if (x < 63) return op_param(w, &r);
    if (x < 73) return op_version(w, &r);
    if (x < 81) return op_alias(w, &r);
    if (x < 86) return op_output(w, &r);
    if (x < 93) return op_tree(w, &r);
    return op_ref(w, &r);
}

const char *w_kind_name(int kind)
{
    static const char *const names[W_KINDS] = {
        "?", "blobs", "metric points", "metric batches", "params", "versions", "aliases",
        "run outputs", "trees", "refs", "runs", "other operations",
    };
    return kind > 0 && kind < W_KINDS ? names[kind] : "?";
}
