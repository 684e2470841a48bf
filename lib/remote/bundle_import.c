/* Reading a bundle into a store (doc/remotes.md, "Bundles"):
 *
 * 1. Check: the file's framing and table of contents (bundle_file.c);
 *    every record frame decoded (one at a time; metric points are not
 *    kept); each audit event hashed over the hash it links to, decoded
 *    (canonical form only) and linked to the event before it when that
 *    one travels too, the last one to the origin's head when it is the
 *    head; each signature verified over the manifest the bundle's own
 *    records make. Nothing is written.
 * 2. Collisions: in one snapshot of the store, every run, lineage edge,
 *    version, signature and alias history of the bundle is compared with
 *    what the store has under its id, number or name; one that differs is
 *    MLOPS_ECONFLICT naming it (or, with a rename prefix, a version gets
 *    another number and an alias another name). Nothing is written.
 * 3. Objects, through pull from the bundle (remote/pull.c): each checked
 *    by digest, blobs proven, trees decoded, before the content rows
 *    commit.
 * 4. Records, through the import calls (include/mlops/import.h) on one
 *    write transaction (import_internal.h, mlops__*_import_on), so they
 *    are all there or none is; each a no-op when the store has it
 *    already: a second import adds nothing. */
#include "remote/bundle_internal.h"
#include "import/import_internal.h"
#include "registry/alias_move.h"
#include "track/track_internal.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/mpack.h"
#include "util/opts.h"
#include "util/str.h"

#include <inttypes.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#define GROW(arr, n, cap)                                                                 \
    ((n) < (cap) ? 0                                                                      \
                 : ((cap) = (cap) ? 2 * (cap) : 16,                                       \
                    (arr) = mlops__grow((arr), (cap), sizeof *(arr)), (arr) ? 0 : -1))

static void *mlops__grow(void *p, size_t n, size_t elem)
{
    void *g = realloc(p, n * elem);
    if (!g) free(p);
    return g;
}

typedef struct b_exp {
    char *name;
    int64_t created;
    mlops_kv *tags;
    size_t ntags;
} b_exp;

typedef struct b_lin {
    char *run_id;
    int dir;
    mlops_digest d;
    char *name, *role;
    int64_t created;
} b_lin;

typedef struct b_ver {
    mlops_version_record rec;
    int64_t number; /* here: rec.number, or the one it is given */
} b_ver;

typedef struct b_sig {
    char *model;
    int64_t number;
    unsigned char pub[32], sig[64];
    int64_t signed_ms;
    char *signer;
    char *pem;
} b_sig;

typedef struct b_entry {
    char *model, *alias;
    int64_t time, target; /* target 0: removed; -1: a split (not carried) */
} b_entry;

typedef struct b_ali {
    char *model, *alias;
    const char *name; /* here: alias, or prefix + alias */
} b_ali;

typedef struct bim {
    const char *fn;
    mlops__arena ar;
    int have_head;
    char origin_id[128];
    int64_t head_seq;
    mlops_digest head_hash;
    b_exp *exps;
    size_t nexps, cexps;
    mlops_run_record *runs;
    size_t nruns, cruns;
    b_lin *lins;
    size_t nlins, clins;
    b_ver *vers;
    size_t nvers, cvers;
    b_sig *sigs;
    size_t nsigs, csigs;
    b_ali *alis;
    size_t nalis, calis;
    b_entry *ents;
    size_t nents, cents;
    int64_t last_seq;
    mlops_digest last_hash;
    uint64_t points, events;
} bim;

static int bad_frame(const bim *m, const char *kind, const char *why)
{
    return mlops__err(MLOPS_ECORRUPT, "%s: a '%s' record of the bundle is malformed: %s", m->fn,
                      kind, why);
}

static int get_str(bim *m, const msgpack_object *o, char **out)
{
    if (o->type != MSGPACK_OBJECT_STR) return -1;
    if (!mlops__utf8_valid(o->via.str.ptr ? o->via.str.ptr : "", o->via.str.size)) return -1;
    if (memchr(o->via.str.ptr ? o->via.str.ptr : "", 0, o->via.str.size)) return -1;
    *out = mlops__arena_strndup(&m->ar, o->via.str.ptr ? o->via.str.ptr : "", o->via.str.size);
    return *out ? 0 : -2;
}

static int get_str_nil(bim *m, const msgpack_object *o, char **out)
{
    if (o->type == MSGPACK_OBJECT_NIL) {
        *out = NULL;
        return 0;
    }
    return get_str(m, o, out);
}

static int get_kv(bim *m, const msgpack_object *o, mlops_kv **out, size_t *n)
{
    if (o->type != MSGPACK_OBJECT_ARRAY) return -1;
    *n = o->via.array.size;
    *out = mlops__arena_alloc(&m->ar, (*n + 1) * sizeof **out);
    if (!*out) return -2;
    for (size_t i = 0; i < *n; i++) {
        const msgpack_object *e = &o->via.array.ptr[i];
        char *k = NULL, *v = NULL;
        if (e->type != MSGPACK_OBJECT_ARRAY || e->via.array.size != 2) return -1;
        int r = get_str(m, &e->via.array.ptr[0], &k);
        if (!r) r = get_str(m, &e->via.array.ptr[1], &v);
        if (r) return r;
        (*out)[i].key = k;
        (*out)[i].value = v;
    }
    return 0;
}

static int get_i64(const msgpack_object *o, int64_t *out)
{
    return mlops__mp_int64(o, out);
}

static int has_run(const bim *m, const char *id)
{
    for (size_t i = 0; i < m->nruns; i++)
        if (!strcmp(m->runs[i].run_id, id)) return 1;
    return 0;
}

/* The exporter writes each run's experiment before the run. */
static int has_exp(const bim *m, const char *name)
{
    for (size_t i = 0; i < m->nexps; i++)
        if (!strcmp(m->exps[i].name, name)) return 1;
    return 0;
}

static b_ver *find_ver(bim *m, const char *model, int64_t number)
{
    for (size_t i = 0; i < m->nvers; i++)
        if (m->vers[i].rec.number == number && !strcmp(m->vers[i].rec.model, model))
            return &m->vers[i];
    return NULL;
}

/* An event: hashed over its link, decoded, linked to the one before. */
static int decode_event(bim *m, const msgpack_object *f)
{
    int64_t seq = 0;
    unsigned char prev[32], hash[32];
    const msgpack_object *enc = &f[4];
    if (get_i64(&f[1], &seq) || seq < 1 || mlops__mp_bin32(&f[2], prev) ||
        mlops__mp_bin32(&f[3], hash) || enc->type != MSGPACK_OBJECT_BIN)
        return bad_frame(m, "evt", "not [seq, prev, hash, event]");
    if (!m->have_head) return bad_frame(m, "evt", "an event before the head");
    if (seq <= m->last_seq || seq > m->head_seq)
        return mlops__err(MLOPS_ECORRUPT, "%s: event %" PRId64 " of the bundle is out of order "
                                          "or past the origin's head", m->fn, seq);
    mlops__sha256 h = { 0 };
    mlops_digest got;
    int rc = mlops__sha256_init(&h);
    if (!rc) rc = mlops__sha256_update(&h, prev, 32);
    if (!rc) rc = mlops__sha256_update(&h, enc->via.bin.ptr ? enc->via.bin.ptr : "", enc->via.bin.size);
    if (!rc) rc = mlops__sha256_final(&h, &got);
    mlops__sha256_free(&h);
    if (rc) return rc;
    if (memcmp(got.bytes, hash, 32))
        return mlops__err(MLOPS_ECORRUPT, "%s: event %" PRId64 " of the bundle does not hash to "
                                          "its recorded hash (changed or forged)", m->fn, seq);
    if (m->last_seq && seq == m->last_seq + 1 && memcmp(prev, m->last_hash.bytes, 32))
        return mlops__err(MLOPS_ECORRUPT, "%s: event %" PRId64 " of the bundle does not link to "
                                          "the event before it", m->fn, seq);
    if (seq == m->head_seq && memcmp(hash, m->head_hash.bytes, 32))
        return mlops__err(MLOPS_ECORRUPT, "%s: the bundle's last event is not the origin's head "
                                          "it names", m->fn);
    mlops__audit_row row;
    char *mem = NULL;
    rc = mlops__audit_decode(enc->via.bin.ptr ? enc->via.bin.ptr : "", enc->via.bin.size, &row, &mem);
    if (rc) {
        free(mem);
        return mlops__err(rc, "%s: event %" PRId64 " of the bundle: %s", m->fn, seq,
                          mlops__err_message());
    }
    if (row.seq != seq) rc = mlops__err(MLOPS_ECORRUPT, "%s: event %" PRId64 " of the bundle "
                                                        "says it is %" PRId64, m->fn, seq, row.seq);
    if (!rc && row.action && row.model && row.key &&
        (!strcmp(row.action, "alias.set") || !strcmp(row.action, "alias.move") ||
         !strcmp(row.action, "alias.delete"))) {
        int64_t t = row.time_ms;
        char why[200];
        if (row.payload && mlops__import_payload_read(row.payload, row.payload_len, &t, why, sizeof why))
            t = row.time_ms;
        int64_t target = 0;
        if (row.new_value) {
            char *end = NULL;
            long long v = strtoll(row.new_value, &end, 10);
            target = end && !*end && v >= 1 ? (int64_t)v : -1;
        }
        /* A move to a split names its primary version in new_value and the
         * split in its payload: importing it as a plain entry would give
         * the primary all the traffic, so it is left out. */
        mlops__split split;
        if (row.payload && mlops__alias_payload_split(row.payload, row.payload_len, &split))
            target = -1;
        if (GROW(m->ents, m->nents, m->cents)) rc = mlops__err_nomem("reading a bundle");
        else {
            b_entry *e = &m->ents[m->nents];
            e->model = mlops__arena_strdup(&m->ar, row.model);
            e->alias = mlops__arena_strdup(&m->ar, row.key);
            e->time = t;
            e->target = target;
            if (!e->model || !e->alias) rc = mlops__err_nomem("reading a bundle");
            else m->nents++;
        }
    }
    free(mem);
    if (rc) return rc;
    m->last_seq = seq;
    memcpy(m->last_hash.bytes, hash, 32);
    m->events++;
    return MLOPS_OK;
}

/* Decodes one record frame into m (metric points are counted, not
 * kept). ECORRUPT naming what is wrong. */
static int decode(bim *m, const void *buf, size_t len)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int mp = mlops__mp_unpack(buf, len, &u);
    int rc = MLOPS_OK;
    if (mp == MLOPS__MP_NOMEM) rc = mlops__err_nomem("reading a bundle");
    else if (mp) rc = mlops__err(MLOPS_ECORRUPT, "%s: a record of the bundle is not msgpack", m->fn);
    const msgpack_object *o = &u.data;
    if (!rc && (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 3 ||
                o->via.array.ptr[0].type != MSGPACK_OBJECT_STR))
        rc = mlops__err(MLOPS_ECORRUPT, "%s: a record of the bundle is not [kind, ...]", m->fn);
    if (rc) {
        msgpack_unpacked_destroy(&u);
        return rc;
    }
    const msgpack_object *f = o->via.array.ptr;
    size_t nf = o->via.array.size;
    int r = 0;
    if (mlops__mp_str_eq(&f[0], "head")) {
        char *id = NULL;
        if (nf != 4 || m->have_head || get_str(m, &f[1], &id) || get_i64(&f[2], &m->head_seq) ||
            m->head_seq < 0 || mlops__mp_bin32(&f[3], m->head_hash.bytes) || strlen(id) >= 100)
            rc = bad_frame(m, "head", "not [id, seq, hash], or not first");
        else {
            snprintf(m->origin_id, sizeof m->origin_id, "%s", id);
            m->have_head = 1;
        }
    } else if (!m->have_head) {
        rc = bad_frame(m, "head", "records before the head");
    } else if (mlops__mp_str_eq(&f[0], "exp")) {
        if (nf != 4) r = -1;
        else if (GROW(m->exps, m->nexps, m->cexps)) r = -2;
        b_exp *e = r ? NULL : &m->exps[m->nexps];
        if (e && ((r = get_str(m, &f[1], &e->name)) || (r = get_i64(&f[2], &e->created)) ||
                  (r = get_kv(m, &f[3], &e->tags, &e->ntags))))
            e = NULL;
        if (e) m->nexps++;
        else rc = r == -2 ? mlops__err_nomem("reading a bundle") : bad_frame(m, "exp", "fields");
    } else if (mlops__mp_str_eq(&f[0], "run")) {
        if (nf != 11) r = -1;
        else if (GROW(m->runs, m->nruns, m->cruns)) r = -2;
        mlops_run_record *x = r ? NULL : &m->runs[m->nruns];
        char *status = NULL, *id = NULL, *exp = NULL, *name = NULL, *parent = NULL;
        if (x) {
            mlops_run_record_init(x, MLOPS_RUN_RECORD_VERSION);
            if ((r = get_str(m, &f[1], &id)) || (r = get_str(m, &f[2], &exp)) ||
                (r = get_str_nil(m, &f[3], &name)) || (r = get_str_nil(m, &f[4], &parent)) ||
                (r = get_str(m, &f[5], &status)) || (r = get_i64(&f[6], &x->start_ms)) ||
                (r = get_i64(&f[7], &x->end_ms)) || (r = get_i64(&f[8], &x->deleted_ms)) ||
                (r = get_kv(m, &f[9], (mlops_kv **)&x->params, &x->nparams)) ||
                (r = get_kv(m, &f[10], (mlops_kv **)&x->tags, &x->ntags)))
                x = NULL;
        }
        if (x) {
            x->run_id = id;
            x->experiment = exp;
            x->name = name;
            x->parent_id = parent;
            x->status = mlops__track_status_from_name(status);
            if (x->status < 0 || strlen(id) != 32) r = -1, x = NULL;
            else if (!has_exp(m, exp) || (parent && !has_run(m, parent))) r = -1, x = NULL;
        }
        if (x) m->nruns++;
        else rc = r == -2 ? mlops__err_nomem("reading a bundle")
                          : bad_frame(m, "run", "fields, or an experiment or parent that comes later");
    } else if (mlops__mp_str_eq(&f[0], "met")) {
        char *id = NULL, *key = NULL;
        if (nf != 4 || get_str(m, &f[1], &id) || get_str(m, &f[2], &key) ||
            f[3].type != MSGPACK_OBJECT_ARRAY || !has_run(m, id))
            rc = bad_frame(m, "met", "not [run, key, points] of a run before it");
        for (size_t i = 0; !rc && i < f[3].via.array.size; i++) {
            const msgpack_object *p = &f[3].via.array.ptr[i];
            int64_t step, ts;
            double v;
            if (p->type != MSGPACK_OBJECT_ARRAY || p->via.array.size != 3 ||
                get_i64(&p->via.array.ptr[0], &step) || get_i64(&p->via.array.ptr[1], &ts) ||
                mlops__mp_double(&p->via.array.ptr[2], &v))
                rc = bad_frame(m, "met", "a point is not [step, ts, value]");
        }
        if (!rc) m->points += f[3].via.array.size;
    } else if (mlops__mp_str_eq(&f[0], "lin")) {
        int64_t dir = 0;
        if (nf != 7) r = -1;
        else if (GROW(m->lins, m->nlins, m->clins)) r = -2;
        b_lin *l = r ? NULL : &m->lins[m->nlins];
        if (l && ((r = get_str(m, &f[1], &l->run_id)) || (r = get_i64(&f[2], &dir)) ||
                  (r = mlops__mp_bin32(&f[3], l->d.bytes)) || (r = get_str(m, &f[4], &l->name)) ||
                  (r = get_str(m, &f[5], &l->role)) || (r = get_i64(&f[6], &l->created)) ||
                  (dir != MLOPS_LINEAGE_INPUT && dir != MLOPS_LINEAGE_OUTPUT) ||
                  !has_run(m, l->run_id)))
            l = NULL;
        if (l) {
            l->dir = (int)dir;
            m->nlins++;
        } else rc = r == -2 ? mlops__err_nomem("reading a bundle") : bad_frame(m, "lin", "fields");
    } else if (mlops__mp_str_eq(&f[0], "ver")) {
        if (nf != 9) r = -1;
        else if (GROW(m->vers, m->nvers, m->cvers)) r = -2;
        b_ver *v = r ? NULL : &m->vers[m->nvers];
        char *model = NULL, *run = NULL, *desc = NULL, *creator = NULL;
        if (v) {
            mlops_version_record_init(&v->rec, MLOPS_VERSION_RECORD_VERSION);
            if ((r = get_str(m, &f[1], &model)) || (r = get_i64(&f[2], &v->rec.number)) ||
                (r = mlops__mp_bin32(&f[3], v->rec.artifact.bytes)) ||
                (r = get_str_nil(m, &f[4], &run)) || (r = get_str(m, &f[5], &desc)) ||
                (r = get_str(m, &f[6], &creator)) || (r = get_i64(&f[7], &v->rec.created_ms)) ||
                (r = get_kv(m, &f[8], (mlops_kv **)&v->rec.tags, &v->rec.ntags)) ||
                v->rec.number < 1 || find_ver(m, model, v->rec.number) || (run && !has_run(m, run)))
                v = NULL;
        }
        if (v) {
            v->rec.model = model;
            v->rec.run_id = run;
            v->rec.description = desc;
            v->rec.creator = creator;
            v->number = v->rec.number;
            m->nvers++;
        } else rc = r == -2 ? mlops__err_nomem("reading a bundle")
                            : bad_frame(m, "ver", "fields, a repeated number or an unknown run");
    } else if (mlops__mp_str_eq(&f[0], "sig")) {
        if (nf != 7) r = -1;
        else if (GROW(m->sigs, m->nsigs, m->csigs)) r = -2;
        b_sig *g = r ? NULL : &m->sigs[m->nsigs];
        if (g) {
            memset(g, 0, sizeof *g);
            if ((r = get_str(m, &f[1], &g->model)) || (r = get_i64(&f[2], &g->number)) ||
                (r = mlops__mp_bin32(&f[3], g->pub)) || f[4].type != MSGPACK_OBJECT_BIN ||
                f[4].via.bin.size != 64 || (r = get_i64(&f[5], &g->signed_ms)) ||
                (r = get_str(m, &f[6], &g->signer)) || !find_ver(m, g->model, g->number))
                g = NULL;
        }
        if (g) {
            memcpy(g->sig, f[4].via.bin.ptr, 64);
            m->nsigs++;
        } else rc = r == -2 ? mlops__err_nomem("reading a bundle")
                            : bad_frame(m, "sig", "fields, or a version not before it");
    } else if (mlops__mp_str_eq(&f[0], "ali")) {
        if (nf != 3) r = -1;
        else if (GROW(m->alis, m->nalis, m->calis)) r = -2;
        b_ali *a = r ? NULL : &m->alis[m->nalis];
        if (a && ((r = get_str(m, &f[1], &a->model)) || (r = get_str(m, &f[2], &a->alias))))
            a = NULL;
        if (a) {
            a->name = a->alias;
            m->nalis++;
        } else rc = r == -2 ? mlops__err_nomem("reading a bundle") : bad_frame(m, "ali", "fields");
    } else if (mlops__mp_str_eq(&f[0], "evt")) {
        rc = nf != 5 ? bad_frame(m, "evt", "not 5 fields") : decode_event(m, f);
    } else {
        rc = mlops__err(MLOPS_ECORRUPT, "%s: the bundle has a record of an unknown kind", m->fn);
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}

static void bim_free(bim *m)
{
    free(m->exps);
    free(m->runs);
    free(m->lins);
    free(m->vers);
    free(m->sigs);
    free(m->alis);
    free(m->ents);
    mlops__arena_free(&m->ar);
}

int mlops__bundle_frame_check(const char *fn, const void *buf, size_t len)
{
    bim m;
    memset(&m, 0, sizeof m);
    m.fn = fn;
    m.ar = (mlops__arena)MLOPS__ARENA_INIT;
    m.have_head = 1; /* a frame alone: as if after the head */
    m.head_seq = INT64_MAX;
    int rc = decode(&m, buf, len);
    bim_free(&m);
    return rc;
}

/* ---- step 1: checks -------------------------------------------------------- */

static int cmp_digest(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

static int key_pem(const char *fn, const unsigned char pub[32], mlops__sign_key *k, char **pem,
                   mlops__arena *ar)
{
    int rc = mlops__sign_key_from_raw(fn, pub, k);
    if (rc) return rc;
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n = 0;
    if (!bio || !PEM_write_bio_PUBKEY(bio, (EVP_PKEY *)k->pkey) ||
        (n = BIO_get_mem_data(bio, &data)) <= 0)
        rc = mlops__err(MLOPS_ENOMEM, "%s: cannot write a public key as PEM", fn);
    if (!rc && !(*pem = mlops__arena_strndup(ar, data, (size_t)n)))
        rc = mlops__err_nomem("reading a bundle");
    BIO_free(bio);
    return rc;
}

/* Each signature over the manifest the bundle's records make. */
static int check_signatures(bim *m)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < m->nsigs; i++) {
        b_sig *g = &m->sigs[i];
        const b_ver *v = find_ver(m, g->model, g->number);
        mlops__reg_version rv;
        memset(&rv, 0, sizeof rv);
        rv.number = v->rec.number;
        rv.artifact = v->rec.artifact;
        rv.created_ms = v->rec.created_ms;
        if (v->rec.run_id) {
            rv.has_run = 1;
            snprintf(rv.run_id, sizeof rv.run_id, "%s", v->rec.run_id);
        }
        mlops_digest *in = malloc((m->nlins + 1) * sizeof *in);
        size_t nin = 0;
        if (!in) return mlops__err_nomem("checking a bundle");
        for (size_t k = 0; v->rec.run_id && k < m->nlins; k++)
            if (m->lins[k].dir == MLOPS_LINEAGE_INPUT && !strcmp(m->lins[k].run_id, v->rec.run_id))
                in[nin++] = m->lins[k].d;
        qsort(in, nin, sizeof *in, cmp_digest);
        size_t u = 0;
        for (size_t k = 0; k < nin; k++)
            if (!u || memcmp(in[u - 1].bytes, in[k].bytes, 32)) in[u++] = in[k];
        msgpack_sbuffer man;
        msgpack_sbuffer_init(&man);
        rc = mlops__sign_manifest_encode(g->model, &rv, in, u, &man);
        free(in);
        mlops__sign_key key;
        memset(&key, 0, sizeof key);
        if (!rc) rc = key_pem(m->fn, g->pub, &key, &g->pem, &m->ar);
        if (!rc && mlops__sign_verify(&key, man.data, man.size, g->sig) != 1)
            rc = mlops__err(MLOPS_ESIGNATURE,
                            "%s: a signature of version %" PRId64 " of model '%s' in the bundle "
                            "does not verify (the bundle is damaged or forged)",
                            m->fn, g->number, g->model);
        mlops__sign_key_free(&key);
        msgpack_sbuffer_destroy(&man);
    }
    return rc;
}

static int read_all(bim *m, mlops__bundle_reader *r)
{
    uint64_t off = r->meta_off;
    int rc = MLOPS_OK;
    while (!rc && off < r->toc_off) {
        void *buf = NULL;
        size_t len = 0;
        rc = mlops__bundle_read_frame(r, &off, r->toc_off, &buf, &len);
        if (!rc) rc = decode(m, buf, len);
        free(buf);
    }
    if (!rc && !m->have_head)
        rc = mlops__err(MLOPS_ECORRUPT, "%s: bundle '%s' has no head record", m->fn, r->path);
    if (!rc) rc = check_signatures(m);
    return rc;
}

/* The header: format, version, and the selections (copied to m's arena). */
static int read_header(bim *m, mlops__bundle_reader *r, const char ***sels, size_t *nsels)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    uint64_t version = 0;
    *sels = NULL;
    *nsels = 0;
    int rc = mlops__mp_open_format(m->fn, "bundle", MLOPS__BUNDLE_FORMAT, MLOPS__BUNDLE_VERSION,
                                   r->hdr, r->hlen, &u, &version);
    const msgpack_object *so = rc ? NULL : mlops__mp_get(&u.data, "selections");
    if (!rc && (!so || so->type != MSGPACK_OBJECT_ARRAY || !so->via.array.size))
        rc = mlops__err(MLOPS_ECORRUPT, "%s: bundle '%s' has no selections", m->fn, r->path);
    if (!rc && !(*sels = calloc(so->via.array.size + 1, sizeof **sels)))
        rc = mlops__err_nomem("reading a bundle");
    for (size_t i = 0; !rc && i < so->via.array.size; i++) {
        char *t = NULL;
        mlops__selection sel;
        if (get_str(m, &so->via.array.ptr[i], &t))
            rc = mlops__err(MLOPS_ECORRUPT, "%s: bundle '%s' has a malformed selection", m->fn,
                            r->path);
        else if (mlops__selection_parse(m->fn, t, &sel))
            rc = mlops__err(MLOPS_ECORRUPT, "%s: bundle '%s': %s", m->fn, r->path,
                            mlops__err_message());
        else (*sels)[(*nsels)++] = t;
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}

int mlops__bundle_check(const char *fn, FILE *f)
{
    bim m;
    memset(&m, 0, sizeof m);
    m.fn = fn;
    m.ar = (mlops__arena)MLOPS__ARENA_INIT;
    mlops__bundle_reader *r = NULL;
    const char **sels = NULL;
    size_t nsels = 0;
    int rc = mlops__bundle_reader_from(fn, "(fuzz input)", f, &r);
    if (!rc) rc = read_header(&m, r, &sels, &nsels);
    if (!rc) rc = read_all(&m, r);
    for (size_t i = 0; !rc && i < r->nobjs; i++) {
        mlops__obj_in *in = NULL;
        uint64_t len = 0;
        rc = r->be.open(&r->be, &r->objs[i].d, &in, &len);
        unsigned char buf[256];
        size_t got = 1;
        while (!rc && got) rc = r->be.read(&r->be, in, buf, sizeof buf, &got);
        r->be.close(&r->be, in);
    }
    for (size_t i = 0; !rc && i < r->nrecs; i++) {
        void *data = NULL;
        size_t len = 0;
        rc = r->be.name_get(&r->be, r->recs[i].name, &data, &len);
        free(data);
    }
    free(sels);
    mlops__bundle_reader_free(r);
    bim_free(&m);
    return rc;
}

/* ---- step 2: collisions ------------------------------------------------------ */

typedef struct plan {
    bim *m;
    const char *prefix;
    mlops_bundle_report *rep;
} plan;

static int collide(const bim *m, const char *what)
{
    return mlops__err(MLOPS_ECONFLICT, "%s: %s (nothing was imported; --rename maps versions "
                                       "and aliases)", m->fn, what);
}

static int text_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static int check_runs(mlops__conn *c, bim *m)
{
    char what[300];
    for (size_t i = 0; i < m->nexps; i++) {
        mlops__stmt *st;
        int rc = mlops__conn_stmt(c, "SELECT id, created_ms FROM experiments WHERE name = ?1", &st);
        if (!rc) rc = mlops__bind_text(c, st, 1, m->exps[i].name);
        if (rc) return rc;
        int step = mlops__step(st);
        int64_t id = step == MLOPS__ROW ? mlops__col_int64(st, 0) : 0;
        int same = step == MLOPS__ROW && mlops__col_int64(st, 1) == m->exps[i].created;
        mlops__reset(st);
        if (step != MLOPS__ROW && step != MLOPS__DONE)
            return mlops__conn_error(c, step, "looking up an experiment");
        if (step == MLOPS__ROW && same)
            rc = mlops__import_kv_equal(c, "SELECT key, value FROM experiment_tags "
                                           "WHERE experiment_id = ?1",
                                        id, m->exps[i].tags, m->exps[i].ntags, &same);
        if (rc) return rc;
        if (step == MLOPS__ROW && !same) {
            snprintf(what, sizeof what, "experiment '%.200s' is here with other content",
                     m->exps[i].name);
            return collide(m, what);
        }
    }
    for (size_t i = 0; i < m->nruns; i++) {
        const mlops_run_record *x = &m->runs[i];
        mlops__stmt *st;
        int rc = mlops__conn_stmt(c,
                                  "SELECT r.seq, x.name, r.name, r.parent_id, r.status, r.start_ms, "
                                  "r.end_ms, r.deleted_ms FROM runs r JOIN experiments x "
                                  "ON x.id = r.experiment_id WHERE r.run_id = ?1",
                                  &st);
        if (!rc) rc = mlops__bind_text(c, st, 1, x->run_id);
        if (rc) return rc;
        int step = mlops__step(st);
        int64_t seq = 0;
        int same = 1;
        if (step == MLOPS__ROW) {
            seq = mlops__col_int64(st, 0);
            same = text_eq(mlops__col_text(st, 1), x->experiment) &&
                   text_eq(mlops__col_null(st, 2) ? NULL : mlops__col_text(st, 2), x->name) &&
                   text_eq(mlops__col_null(st, 3) ? NULL : mlops__col_text(st, 3), x->parent_id) &&
                   text_eq(mlops__col_text(st, 4), mlops_run_status_name(x->status)) &&
                   mlops__col_int64(st, 5) == x->start_ms &&
                   (mlops__col_null(st, 6) ? 0 : mlops__col_int64(st, 6)) == x->end_ms &&
                   (mlops__col_null(st, 7) ? 0 : mlops__col_int64(st, 7)) == x->deleted_ms;
        }
        mlops__reset(st);
        if (step != MLOPS__ROW && step != MLOPS__DONE) return mlops__conn_error(c, step, "looking up a run");
        if (step == MLOPS__ROW && same)
            rc = mlops__import_kv_equal(c, "SELECT key, value FROM run_params WHERE run = ?1", seq,
                                        x->params, x->nparams, &same);
        if (!rc && step == MLOPS__ROW && same)
            rc = mlops__import_kv_equal(c, "SELECT key, value FROM run_tags WHERE run = ?1", seq,
                                        x->tags, x->ntags, &same);
        if (rc) return rc;
        if (!same) {
            snprintf(what, sizeof what, "run %s is here with other content", x->run_id);
            return collide(m, what);
        }
    }
    for (size_t i = 0; i < m->nlins; i++) {
        const b_lin *l = &m->lins[i];
        mlops__stmt *st;
        int rc = mlops__conn_stmt(c,
                                  "SELECT l.role, l.created_ms FROM run_lineage l JOIN runs r "
                                  "ON r.seq = l.run WHERE r.run_id = ?1 AND l.direction = ?2 "
                                  "AND l.digest = ?3 AND l.name = ?4",
                                  &st);
        if (!rc) rc = mlops__bind_text(c, st, 1, l->run_id);
        if (!rc) rc = mlops__bind_int64(c, st, 2, l->dir);
        if (!rc) rc = mlops__bind_blob(c, st, 3, l->d.bytes, 32);
        if (!rc) rc = mlops__bind_text(c, st, 4, l->name);
        if (rc) return rc;
        int step = mlops__step(st);
        int same = step != MLOPS__ROW || (text_eq(mlops__col_text(st, 0), l->role) &&
                                          mlops__col_int64(st, 1) == l->created);
        mlops__reset(st);
        if (step != MLOPS__ROW && step != MLOPS__DONE) return mlops__conn_error(c, step, "reading lineage");
        if (!same) {
            snprintf(what, sizeof what, "run %s records '%.200s' here with another role or time",
                     l->run_id, l->name);
            return collide(m, what);
        }
    }
    return MLOPS_OK;
}

/* The model's live id here, 0 when none. */
static int model_here(mlops__conn *c, const char *name, int64_t *id)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT id FROM reg_models WHERE name = ?1 AND deleted_ms IS NULL",
                              &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, name);
    if (rc) return rc;
    int step = mlops__step(st);
    *id = step == MLOPS__ROW ? mlops__col_int64(st, 0) : 0;
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE) return mlops__conn_error(c, step, "looking up a model");
    return MLOPS_OK;
}

/* Whether version `number` of model_id here is v in all but its number:
 * *state 0 no such version, 1 the same, 2 another. */
static int version_here(mlops__conn *c, int64_t model_id, int64_t number, const b_ver *v, int *state)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT id, artifact, run_id, description, creator, created_ms "
                              "FROM reg_versions WHERE model_id = ?1 AND number = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, number);
    if (rc) return rc;
    int step = mlops__step(st);
    int64_t id = 0;
    *state = 0;
    if (step == MLOPS__ROW) {
        id = mlops__col_int64(st, 0);
        int same = mlops__col_bytes(st, 1) == 32 &&
                   !memcmp(mlops__col_blob(st, 1), v->rec.artifact.bytes, 32) &&
                   text_eq(mlops__col_null(st, 2) ? NULL : mlops__col_text(st, 2), v->rec.run_id) &&
                   text_eq(mlops__col_text(st, 3), v->rec.description) &&
                   text_eq(mlops__col_text(st, 4), v->rec.creator) &&
                   mlops__col_int64(st, 5) == v->rec.created_ms;
        *state = same ? 1 : 2;
    }
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE) return mlops__conn_error(c, step, "looking up a version");
    if (*state == 1) {
        int same = 0;
        rc = mlops__import_kv_equal(c, "SELECT key, value FROM reg_version_tags WHERE version_id = ?1",
                                    id, v->rec.tags, v->rec.ntags, &same);
        if (rc) return rc;
        if (!same) *state = 2;
    }
    return MLOPS_OK;
}

static int check_versions(mlops__conn *c, plan *p)
{
    bim *m = p->m;
    char what[400];
    for (size_t i = 0; i < m->nvers; i++) {
        b_ver *v = &m->vers[i];
        int64_t model_id = 0;
        int state = 0;
        int rc = model_here(c, v->rec.model, &model_id);
        if (!rc && model_id) rc = version_here(c, model_id, v->rec.number, v, &state);
        if (rc) return rc;
        if (state != 2) continue;
        if (!p->prefix) {
            snprintf(what, sizeof what, "version %" PRId64 " of model '%.255s' is here with "
                                        "other content", v->rec.number, v->rec.model);
            return collide(m, what);
        }
        /* the version here that matches it in all but its number, else the
         * next number free here and in the bundle */
        mlops__stmt *st;
        int64_t top = 0;
        rc = mlops__conn_stmt(c, "SELECT number FROM reg_versions WHERE model_id = ?1 "
                                 "ORDER BY number", &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
        if (rc) return rc;
        int64_t *nums = NULL;
        size_t nn = 0, cap = 0;
        int step;
        while ((step = mlops__step(st)) == MLOPS__ROW) {
            if (GROW(nums, nn, cap)) {
                mlops__reset(st);
                return mlops__err_nomem("planning an import");
            }
            nums[nn++] = mlops__col_int64(st, 0);
        }
        mlops__reset(st);
        if (step != MLOPS__DONE) {
            free(nums);
            return mlops__conn_error(c, step, "reading versions");
        }
        int64_t found = 0;
        for (size_t k = 0; !rc && !found && k < nn; k++) {
            rc = version_here(c, model_id, nums[k], v, &state);
            if (!rc && state == 1) found = nums[k];
            if (nums[k] > top) top = nums[k];
        }
        free(nums);
        if (rc) return rc;
        if (!found) {
            for (size_t k = 0; k < m->nvers; k++)
                if (!strcmp(m->vers[k].rec.model, v->rec.model)) {
                    if (m->vers[k].rec.number > top) top = m->vers[k].rec.number;
                    if (m->vers[k].number > top) top = m->vers[k].number;
                }
            found = top + 1;
        }
        v->number = found;
        p->rep->renumbered++;
    }
    for (size_t i = 0; i < m->nsigs; i++) {
        b_sig *g = &m->sigs[i];
        const b_ver *v = find_ver(m, g->model, g->number);
        if (v->number != v->rec.number) continue; /* skipped: it signs the origin's number */
        int64_t model_id = 0;
        int rc = model_here(c, g->model, &model_id);
        if (rc || !model_id) {
            if (rc) return rc;
            continue;
        }
        mlops__sign_key key;
        memset(&key, 0, sizeof key);
        rc = mlops__sign_key_from_raw(m->fn, g->pub, &key);
        mlops__stmt *st;
        if (!rc)
            rc = mlops__conn_stmt(c,
                                  "SELECT s.signature, s.signed_ms, s.signer FROM reg_signatures s "
                                  "JOIN reg_versions v ON v.id = s.version_id "
                                  "WHERE v.model_id = ?1 AND v.number = ?2 AND s.fingerprint = ?3",
                                  &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
        if (!rc) rc = mlops__bind_int64(c, st, 2, g->number);
        if (!rc) rc = mlops__bind_blob(c, st, 3, key.fingerprint.bytes, 32);
        mlops__sign_key_free(&key);
        if (rc) return rc;
        int step = mlops__step(st);
        int same = step != MLOPS__ROW ||
                   (mlops__col_bytes(st, 0) == 64 && !memcmp(mlops__col_blob(st, 0), g->sig, 64) &&
                    mlops__col_int64(st, 1) == g->signed_ms && text_eq(mlops__col_text(st, 2), g->signer));
        mlops__reset(st);
        if (step != MLOPS__ROW && step != MLOPS__DONE) return mlops__conn_error(c, step, "reading signatures");
        if (!same) {
            snprintf(what, sizeof what, "version %" PRId64 " of model '%.255s' carries another "
                                        "signature by the same key here", g->number, g->model);
            return collide(m, what);
        }
    }
    return MLOPS_OK;
}

/* The target an entry gets here: the version's number here, 0 for a
 * removal, -1 when the bundle does not carry that version. */
static int64_t entry_target(bim *m, const b_entry *e)
{
    if (e->target == 0) return 0;
    if (e->target < 0) return -1;
    const b_ver *v = find_ver(m, e->model, e->target);
    return v ? v->number : -1;
}

/* Whether alias `name` of model here has a history the bundle's entries
 * for a continue: the entries here are some of them, in their order (an
 * earlier import), and the others come after them. */
static int alias_fits(mlops__conn *c, bim *m, const b_ali *a, const char *name, int *fits)
{
    int64_t model_id = 0;
    *fits = 1;
    int rc = model_here(c, a->model, &model_id);
    if (rc || !model_id) return rc;
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "SELECT time_ms, new_value, payload FROM audit_events "
                          "WHERE model_id = ?1 AND key = ?2 "
                          "AND action IN ('alias.set', 'alias.move', 'alias.delete') ORDER BY seq",
                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, name);
    if (rc) return rc;
    int step;
    int64_t last = INT64_MIN;
    size_t next = 0;
    while (*fits && (step = mlops__step(st)) == MLOPS__ROW) {
        int64_t t = mlops__col_int64(st, 0);
        char why[200];
        if (!mlops__col_null(st, 2)) {
            const void *pl = mlops__col_blob(st, 2);
            if (mlops__import_payload_read(pl ? pl : "", (size_t)mlops__col_bytes(st, 2), &t, why,
                                           sizeof why))
                t = mlops__col_int64(st, 0);
        }
        const char *nv = mlops__col_null(st, 1) ? NULL : mlops__col_text(st, 1);
        int64_t target = nv ? strtoll(nv, NULL, 10) : 0;
        /* in the bundle's order, after the entry the previous one matched:
         * entries at one time are placed in their order (doc/import.md) */
        int matched = 0;
        for (; !matched && next < m->nents; next++) {
            const b_entry *e = &m->ents[next];
            matched = e->time == t && !strcmp(e->model, a->model) && !strcmp(e->alias, a->alias) &&
                      entry_target(m, e) == target;
        }
        if (!matched) *fits = 0;
        if (t > last) last = t;
    }
    if (*fits) step = MLOPS__DONE;
    mlops__reset(st);
    if (step != MLOPS__DONE && step != MLOPS__ROW) return mlops__conn_error(c, step, "reading an alias's history");
    return MLOPS_OK;
}

static int check_aliases(mlops__conn *c, plan *p)
{
    bim *m = p->m;
    char what[1024];
    for (size_t i = 0; i < m->nalis; i++) {
        b_ali *a = &m->alis[i];
        int fits = 0;
        int rc = alias_fits(c, m, a, a->alias, &fits);
        if (rc) return rc;
        if (fits) continue;
        if (!p->prefix) {
            snprintf(what, sizeof what, "alias '%.255s' of model '%.255s' has another history here",
                     a->alias, a->model);
            return collide(m, what);
        }
        char *name = mlops__strcat3(p->prefix, a->alias, NULL);
        char *kept = name ? mlops__arena_strdup(&m->ar, name) : NULL;
        free(name);
        if (!kept) return mlops__err_nomem("planning an import");
        rc = mlops__reg_check_alias(m->fn, kept, 1);
        if (!rc) rc = alias_fits(c, m, a, kept, &fits);
        if (rc) return rc;
        if (!fits) {
            snprintf(what, sizeof what, "alias '%.255s' of model '%.255s' and its renamed '%.255s' "
                                        "both have another history here", a->alias, a->model, kept);
            return collide(m, what);
        }
        a->name = kept;
        p->rep->renamed++;
    }
    return MLOPS_OK;
}

static int plan_tx(mlops__conn *c, void *arg)
{
    plan *p = arg;
    int rc = check_runs(c, p->m);
    if (!rc) rc = check_versions(c, p);
    if (!rc) rc = check_aliases(c, p);
    return rc;
}

/* ---- step 4: records ------------------------------------------------------------ */

static int import_metrics(bim *m, mlops__bundle_reader *r, mlops__conn *c, mlops__import *im)
{
    uint64_t off = r->meta_off;
    int rc = MLOPS_OK;
    mlops_metric *pts = NULL;
    size_t cap = 0;
    while (!rc && off < r->toc_off) {
        void *buf = NULL;
        size_t len = 0;
        rc = mlops__bundle_read_frame(r, &off, r->toc_off, &buf, &len);
        msgpack_unpacked u;
        msgpack_unpacked_init(&u);
        if (!rc && mlops__mp_unpack(buf, len, &u))
            rc = mlops__err(MLOPS_ECORRUPT, "%s: bundle '%s' changed while it was read", m->fn, r->path);
        const msgpack_object *o = &u.data;
        if (!rc && o->type == MSGPACK_OBJECT_ARRAY && o->via.array.size == 4 &&
            mlops__mp_str_eq(&o->via.array.ptr[0], "met")) {
            const msgpack_object *f = o->via.array.ptr;
            char *id = NULL, *key = NULL;
            if (get_str(m, &f[1], &id) || get_str(m, &f[2], &key) || f[3].type != MSGPACK_OBJECT_ARRAY)
                rc = mlops__err(MLOPS_ECORRUPT, "%s: bundle '%s' changed while it was read", m->fn,
                                r->path);
            size_t n = rc ? 0 : f[3].via.array.size;
            if (n > cap) {
                mlops_metric *g = realloc(pts, n * sizeof *g);
                if (!g) rc = mlops__err_nomem("importing metrics");
                else {
                    pts = g;
                    cap = n;
                }
            }
            for (size_t i = 0; !rc && i < n; i++) {
                const msgpack_object *pt = f[3].via.array.ptr[i].via.array.ptr;
                pts[i].key = key;
                if (f[3].via.array.ptr[i].type != MSGPACK_OBJECT_ARRAY ||
                    f[3].via.array.ptr[i].via.array.size != 3 || get_i64(&pt[0], &pts[i].step) ||
                    get_i64(&pt[1], &pts[i].ts_ms) || mlops__mp_double(&pt[2], &pts[i].value))
                    rc = mlops__err(MLOPS_ECORRUPT, "%s: bundle '%s' changed while it was read",
                                    m->fn, r->path);
            }
            if (!rc && n) rc = mlops__metric_import_on(c, im, id, pts, n, NULL);
        }
        msgpack_unpacked_destroy(&u);
        free(buf);
    }
    free(pts);
    return rc;
}

struct records_op {
    bim *m;
    mlops__bundle_reader *r;
    mlops__import im;
    mlops_bundle_report *rep;
};

/* Every record of the bundle, in the one write transaction c: a failure
 * anywhere (a collision that appeared since the plan, a refused alias,
 * a database error) rolls all of them back. Run again from the start
 * when the store retries the transaction. */
static int records_tx(mlops__conn *c, void *arg)
{
    struct records_op *op = arg;
    bim *m = op->m;
    mlops__import *im = &op->im;
    op->rep->signatures_skipped = 0;
    im->order = (mlops__alias_order){ 0 }; /* a retry places the alias entries again */
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < m->nexps; i++)
        rc = mlops__experiment_import_on(c, im, m->exps[i].name, m->exps[i].created,
                                         m->exps[i].tags, m->exps[i].ntags);
    for (size_t i = 0; !rc && i < m->nruns; i++) rc = mlops__run_import_on(c, im, &m->runs[i]);
    for (size_t i = 0; !rc && i < m->nlins; i++) {
        const b_lin *l = &m->lins[i];
        rc = mlops__lineage_import_on(c, im, l->run_id, l->dir, &l->d, l->name, l->role,
                                      l->created);
    }
    if (!rc) rc = import_metrics(m, op->r, c, im);
    for (size_t i = 0; !rc && i < m->nvers; i++) {
        mlops_version_record v = m->vers[i].rec;
        v.number = m->vers[i].number;
        rc = mlops__version_import_on(c, im, &v);
    }
    for (size_t i = 0; !rc && i < m->nsigs; i++) {
        const b_sig *g = &m->sigs[i];
        const b_ver *v = find_ver(m, g->model, g->number);
        if (v->number != v->rec.number) {
            op->rep->signatures_skipped++;
            continue;
        }
        rc = mlops__signature_import_on(c, im, g->model, g->number, g->pem, g->sig, g->signed_ms,
                                        g->signer);
    }
    for (size_t i = 0; !rc && i < m->nalis; i++) {
        const b_ali *a = &m->alis[i];
        for (size_t k = 0; !rc && k < m->nents; k++) {
            const b_entry *e = &m->ents[k];
            if (strcmp(e->model, a->model) || strcmp(e->alias, a->alias)) continue;
            int64_t target = entry_target(m, e);
            if (target < 0) continue; /* a split, or a version the bundle does not carry */
            rc = mlops__alias_import_on(c, im, a->model, a->name, target, e->time);
        }
    }
    return rc;
}

MLOPS_API int mlops_bundle_import_opts_init(mlops_bundle_import_opts *opts, unsigned version)
{
    static const mlops_bundle_import_opts defaults = MLOPS_BUNDLE_IMPORT_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_BUNDLE_IMPORT_OPTS_VERSION);
}

static int check_prefix(const char *fn, const char *p)
{
    size_t n = strlen(p);
    int ok = n >= 1 && n <= MLOPS_BUNDLE_PREFIX_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
             (p[i] >= '0' && p[i] <= '9') || p[i] == '.' || p[i] == '_' || p[i] == '-';
    return ok ? MLOPS_OK
              : mlops__err(MLOPS_EINVAL, "%s: rename prefix '%.80s' is not 1..%d bytes of "
                                         "[A-Za-z0-9._-]", fn, p, MLOPS_BUNDLE_PREFIX_MAX);
}

MLOPS_API int mlops_bundle_import(mlops_store *s, const char *path,
                                  const mlops_bundle_import_opts *opts,
                                  mlops_bundle_report *report)
{
    const char *fn = __func__;
    static const mlops_bundle_import_opts defaults = MLOPS_BUNDLE_IMPORT_OPTS_INIT;
    if (!s) return mlops__err_null(fn, "s");
    if (!path) return mlops__err_null(fn, "path");
    if (!opts) opts = &defaults;
    int rc = mlops__opts_check(fn, opts->version, MLOPS_BUNDLE_IMPORT_OPTS_VERSION,
                               "mlops_bundle_import_opts_init");
    if (!rc && report)
        rc = mlops__opts_check(fn, report->version, MLOPS_BUNDLE_REPORT_VERSION,
                               "mlops_bundle_report_init");
    if (!rc && opts->rename_prefix) rc = check_prefix(fn, opts->rename_prefix);
    if (!rc && opts->actor) rc = mlops__check_name(fn, "actor", opts->actor, MLOPS_REGISTRY_NAME_MAX);
    if (!rc) rc = mlops__store_check_writable(s, fn);
    if (rc) return rc;
    mlops_bundle_report rep = MLOPS_BUNDLE_REPORT_INIT;
    bim m;
    memset(&m, 0, sizeof m);
    m.fn = fn;
    m.ar = (mlops__arena)MLOPS__ARENA_INIT;
    mlops__bundle_reader *r = NULL;
    rc = mlops__bundle_reader_open(fn, path, &r);
    const char **sels = NULL;
    size_t nsels = 0;
    /* 1. every check */
    if (!rc) rc = read_header(&m, r, &sels, &nsels);
    if (!rc) rc = read_all(&m, r);
    char origin[MLOPS_IMPORT_ORIGIN_MAX];
    if (!rc) {
        char hex[65];
        mlops__hex_encode(m.head_hash.bytes, 32, hex);
        hex[64] = '\0';
        snprintf(origin, sizeof origin, "bundle:%s@%" PRId64 ":sha256:%s", m.origin_id,
                 m.head_seq, hex);
        rc = mlops__check_name(fn, "origin", origin, MLOPS_IMPORT_ORIGIN_MAX);
        if (rc) rc = mlops__err(MLOPS_ECORRUPT, "%s: bundle '%s' names a malformed origin", fn, path);
    }
    /* 2. collisions */
    plan p = { &m, opts->rename_prefix, &rep };
    if (!rc) rc = mlops__store_read(s, plan_tx, &p);
    /* 3. objects */
    int64_t before = 0, after = 0;
    mlops_digest hh;
    if (!rc) rc = mlops_audit_head(s, &before, &hh);
    mlops_transfer_report tr = MLOPS_TRANSFER_REPORT_INIT;
    char source[64 + 4096];
    snprintf(source, sizeof source, "bundle '%s'", path);
    if (!rc) rc = mlops__pull_from(fn, source, s, &r->be, sels, nsels, 0, &tr);
    /* 4. records, all in one transaction */
    mlops_import_opts io = MLOPS_IMPORT_OPTS_INIT;
    io.origin = origin;
    io.actor = opts->actor;
    struct records_op ro = { &m, r, { 0 }, &rep };
    if (!rc) rc = mlops__import_begin(s, fn, &io, &ro.im);
    if (!rc) rc = mlops__store_write(s, records_tx, &ro);
    if (!rc) rc = mlops_audit_head(s, &after, &hh);
    if (!rc) {
        rep.runs = m.nruns;
        rep.metric_points = m.points;
        rep.versions = m.nvers;
        rep.signatures = m.nsigs;
        rep.events = m.events;
        rep.objects = r->nobjs;
        rep.objects_added = tr.objects_sent;
        rep.bytes = tr.bytes_sent;
        rep.records_added = (uint64_t)(after - before);
        for (size_t i = 0; i < m.nalis; i++)
            for (size_t k = 0; k < m.nents; k++)
                if (!strcmp(m.ents[k].model, m.alis[i].model) &&
                    !strcmp(m.ents[k].alias, m.alis[i].alias) && entry_target(&m, &m.ents[k]) >= 0)
                    rep.alias_entries++;
        rep.origin_head_seq = m.head_seq;
        rep.origin_head_hash = m.head_hash;
        if (report) *report = rep;
    }
    free(sels);
    mlops__bundle_reader_free(r);
    bim_free(&m);
    return rc;
}
