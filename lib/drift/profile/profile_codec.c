/* Profiles to and from their serialised form: a msgpack map with a fixed
 * key order (doc/format.md, "Drift profiles"). Doubles are always written
 * as float64 and integers in their shortest form, so equal profiles give
 * equal bytes. The decoder accepts keys in any order and checks every
 * invariant before returning a profile. */
#include "drift/drift_internal.h"
#include "util/err.h"
#include "util/mpack.h"
#include "util/str.h"

#include <math.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT_NAME "mlops.profile"

static void pack_header(msgpack_packer *pk, const mlops_profile *p, size_t nkeys)
{
    msgpack_pack_map(pk, nkeys);
    mlops__mp_str(pk, "format");
    mlops__mp_str(pk, FORMAT_NAME);
    mlops__mp_str(pk, "version");
    msgpack_pack_uint32(pk, MLOPS__PROFILE_FORMAT_VERSION);
    mlops__mp_str(pk, "kind");
    mlops__mp_str(pk, p->kind == MLOPS_PROFILE_NUMERIC ? "numeric" : "categorical");
    mlops__mp_str(pk, "bins");
    msgpack_pack_uint32(pk, p->opts.bins);
    mlops__mp_str(pk, "sketch_k");
    msgpack_pack_uint32(pk, p->opts.sketch_k);
    mlops__mp_str(pk, "freeze_after");
    msgpack_pack_uint32(pk, p->opts.freeze_after);
    mlops__mp_str(pk, "max_categories");
    msgpack_pack_uint32(pk, p->opts.max_categories);
}

/* An array of float64, as msgpack_pack_double writes each (0xcb, then the
 * bits big-endian), handed to the packer's writer a run at a time instead
 * of a call per value (a sketch holds thousands). */
static void pack_doubles(msgpack_packer *pk, const double *v, size_t n)
{
    enum { RUN = 256 };
    unsigned char out[RUN * 9];
    msgpack_pack_array(pk, n);
    for (size_t i = 0; i < n;) {
        size_t m = n - i < RUN ? n - i : RUN;
        for (size_t j = 0; j < m; j++) {
            uint64_t bits;
            memcpy(&bits, &v[i + j], sizeof bits);
            unsigned char *o = out + 9 * j;
            o[0] = 0xcb;
            for (int b = 0; b < 8; b++) o[1 + b] = (unsigned char)(bits >> (56 - 8 * b));
        }
        pk->callback(pk->data, (const char *)out, 9 * m);
        i += m;
    }
}

/* An upper bound of a numeric profile's serialised bytes: the buffer is
 * allocated once instead of doubling through reallocs. */
static size_t numeric_bound(const mlops_profile *p)
{
    size_t doubles = 2 * (p->n_edges + 1), arrays = 4 + 2 * (size_t)p->kll.nlevels;
    for (uint32_t h = 0; h < p->kll.nlevels; h++) doubles += p->kll.levels[h].n;
    return 512 + 9 * doubles + 5 * arrays + 9 * (size_t)p->kll.nlevels;
}

static void pack_numeric(msgpack_packer *pk, const mlops_profile *p)
{
    pack_header(pk, p, 7 + 9);
    mlops__mp_str(pk, "nan");
    msgpack_pack_uint64(pk, p->nan);
    mlops__mp_str(pk, "inf");
    msgpack_pack_uint64(pk, p->inf);
    mlops__mp_str(pk, "min");
    msgpack_pack_double(pk, p->min);
    mlops__mp_str(pk, "max");
    msgpack_pack_double(pk, p->max);
    mlops__mp_str(pk, "moments");
    msgpack_pack_array(pk, 3);
    msgpack_pack_uint64(pk, p->blocks.n);
    msgpack_pack_double(pk, p->blocks.mean);
    msgpack_pack_double(pk, p->blocks.m2);
    mlops__mp_str(pk, "fixed_edges");
    if (p->fixed_edges)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
    mlops__mp_str(pk, "edges");
    pack_doubles(pk, p->edges, p->n_edges);
    mlops__mp_str(pk, "bin_counts");
    msgpack_pack_array(pk, p->n_edges + 1);
    for (size_t i = 0; i <= p->n_edges; i++) msgpack_pack_uint64(pk, p->bin_counts[i]);
    mlops__mp_str(pk, "sketch");
    msgpack_pack_map(pk, 3);
    mlops__mp_str(pk, "n");
    msgpack_pack_uint64(pk, p->kll.n);
    mlops__mp_str(pk, "err");
    msgpack_pack_uint64(pk, p->kll.err);
    mlops__mp_str(pk, "levels");
    msgpack_pack_array(pk, p->kll.nlevels);
    for (uint32_t h = 0; h < p->kll.nlevels; h++) {
        msgpack_pack_array(pk, 2);
        msgpack_pack_uint64(pk, p->kll.parity[h]);
        pack_doubles(pk, p->kll.levels[h].v, p->kll.levels[h].n);
    }
}

static int pack_categorical(msgpack_packer *pk, const mlops_profile *p)
{
    const mlops__freq_entry **e;
    int rc = mlops__freq_sorted(&p->freq, &e);
    if (rc) return rc;
    pack_header(pk, p, 7 + 5);
    mlops__mp_str(pk, "total");
    msgpack_pack_uint64(pk, p->total);
    mlops__mp_str(pk, "missing");
    msgpack_pack_uint64(pk, p->missing);
    mlops__mp_str(pk, "exact");
    if (p->freq.exact)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
    mlops__mp_str(pk, "error");
    msgpack_pack_uint64(pk, p->freq.err);
    mlops__mp_str(pk, "categories");
    msgpack_pack_array(pk, p->freq.n);
    for (size_t i = 0; i < p->freq.n; i++) {
        msgpack_pack_array(pk, 2);
        msgpack_pack_str(pk, e[i]->len);
        msgpack_pack_str_body(pk, e[i]->key, e[i]->len);
        msgpack_pack_uint64(pk, e[i]->count);
    }
    free(e);
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_serialize(mlops_profile *p, void **buf, size_t *len)
{
    if (!p) return mlops__err_null(__func__, "p");
    if (!buf) return mlops__err_null(__func__, "buf");
    if (!len) return mlops__err_null(__func__, "len");
    int rc = mlops__profile_freeze(p);
    if (rc) return rc;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    if (p->kind == MLOPS_PROFILE_NUMERIC) {
        size_t bound = numeric_bound(p);
        if (!(sb.data = malloc(bound))) return mlops__err_nomem(__func__);
        sb.alloc = bound;
    }
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    if (p->kind == MLOPS_PROFILE_NUMERIC)
        pack_numeric(&pk, p);
    else
        rc = pack_categorical(&pk, p);
    /* msgpack's sbuffer grows with realloc; a failed growth leaves it short. */
    if (rc || !sb.data) {
        msgpack_sbuffer_destroy(&sb);
        return rc ? rc : mlops__err_nomem(__func__);
    }
    *buf = sb.data;
    *len = sb.size;
    return MLOPS_OK;
}

/* ---- decoding --------------------------------------------------------------- */

static int bad(const char *fn, const char *why)
{
    return mlops__err(MLOPS_EFORMAT, "%s: not a valid profile: %s", fn, why);
}

static int get_double(const msgpack_object *map, const char *key, double *out)
{
    const msgpack_object *o = mlops__mp_get(map, key);
    return o ? mlops__mp_double(o, out) : -1;
}

static int get_bool(const msgpack_object *map, const char *key, int *out)
{
    const msgpack_object *o = mlops__mp_get(map, key);
    if (!o || o->type != MSGPACK_OBJECT_BOOLEAN) return -1;
    *out = o->via.boolean ? 1 : 0;
    return 0;
}

/* A msgpack array of doubles into a malloc'd array. */
static int get_doubles(const msgpack_object *o, double **out, uint32_t *n)
{
    if (!o || o->type != MSGPACK_OBJECT_ARRAY) return -1;
    uint32_t m = o->via.array.size;
    double *v = malloc((m ? m : 1) * sizeof *v);
    if (!v) return -2;
    for (uint32_t i = 0; i < m; i++)
        if (mlops__mp_double(&o->via.array.ptr[i], &v[i])) {
            free(v);
            return -1;
        }
    *out = v;
    *n = m;
    return 0;
}

static int decode_numeric(const char *fn, const msgpack_object *m, mlops_profile *p)
{
    double *edges = NULL;
    uint32_t ne = 0;
    int fixed;
    if (mlops__mp_uint(m, "nan", &p->nan) || mlops__mp_uint(m, "inf", &p->inf) ||
        get_double(m, "min", &p->min) ||
        get_double(m, "max", &p->max) || get_bool(m, "fixed_edges", &fixed))
        return bad(fn, "a numeric field is missing or mistyped");
    const msgpack_object *mo = mlops__mp_get(m, "moments");
    if (!mo || mo->type != MSGPACK_OBJECT_ARRAY || mo->via.array.size != 3 ||
        mo->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
        mlops__mp_double(&mo->via.array.ptr[1], &p->blocks.mean) ||
        mlops__mp_double(&mo->via.array.ptr[2], &p->blocks.m2))
        return bad(fn, "moments");
    p->blocks.n = mo->via.array.ptr[0].via.u64;
    int r = get_doubles(mlops__mp_get(m, "edges"), &edges, &ne);
    if (r == -2) return mlops__err_nomem("reading a profile");
    if (r) return bad(fn, "edges");
    int rc = mlops__check_edges(fn, edges, ne);
    if (rc) {
        free(edges);
        return bad(fn, "edges are not finite and strictly increasing");
    }
    if (ne + 1 > p->opts.bins && !fixed) {
        free(edges);
        return bad(fn, "more edges than bins");
    }
    rc = mlops__profile_set_edges(p, edges, ne);
    free(edges);
    if (rc) return rc;
    p->fixed_edges = fixed;
    const msgpack_object *bc = mlops__mp_get(m, "bin_counts");
    if (!bc || bc->type != MSGPACK_OBJECT_ARRAY || bc->via.array.size != ne + 1) return bad(fn, "bin_counts");
    uint64_t binned = 0;
    for (uint32_t i = 0; i <= ne; i++) {
        if (bc->via.array.ptr[i].type != MSGPACK_OBJECT_POSITIVE_INTEGER) return bad(fn, "bin_counts");
        p->bin_counts[i] = bc->via.array.ptr[i].via.u64;
        if (__builtin_add_overflow(binned, p->bin_counts[i], &binned))
            return bad(fn, "bin counts do not add up to the value count");
    }
    const msgpack_object *sk = mlops__mp_get(m, "sketch");
    if (!sk || sk->type != MSGPACK_OBJECT_MAP || mlops__mp_uint(sk, "n", &p->kll.n) ||
        mlops__mp_uint(sk, "err", &p->kll.err))
        return bad(fn, "sketch");
    const msgpack_object *lv = mlops__mp_get(sk, "levels");
    if (!lv || lv->type != MSGPACK_OBJECT_ARRAY || lv->via.array.size < 1 || lv->via.array.size > 64)
        return bad(fn, "sketch levels");
    for (uint32_t h = 0; h < lv->via.array.size; h++) {
        const msgpack_object *l = &lv->via.array.ptr[h];
        if (l->type != MSGPACK_OBJECT_ARRAY || l->via.array.size != 2 ||
            l->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
            return bad(fn, "sketch level");
        double *v;
        uint32_t n;
        r = get_doubles(&l->via.array.ptr[1], &v, &n);
        if (r == -2) return mlops__err_nomem("reading a profile");
        if (r || n >= p->kll.k) {
            if (!r) free(v);
            return bad(fn, "sketch level values");
        }
        rc = mlops__kll_set_level(&p->kll, h, v, n, l->via.array.ptr[0].via.u64);
        free(v);
        if (rc) return rc;
    }
    if (mlops__kll_check(&p->kll)) return bad(fn, "the sketch's levels do not add up");
    if (binned != p->kll.n) return bad(fn, "bin counts do not add up to the value count");
    uint64_t raw = p->kll.levels[0].n;
    if (p->blocks.n + raw != p->kll.n || p->blocks.n % p->kll.k != 0) return bad(fn, "moments count");
    if (p->kll.n > 0 && !(p->min <= p->max)) return bad(fn, "min and max");
    return MLOPS_OK;
}

static int decode_categorical(const char *fn, const msgpack_object *m, mlops_profile *p)
{
    int exact;
    if (mlops__mp_uint(m, "total", &p->total) || mlops__mp_uint(m, "missing", &p->missing) ||
        get_bool(m, "exact", &exact) || mlops__mp_uint(m, "error", &p->freq.err))
        return bad(fn, "a categorical field is missing or mistyped");
    p->freq.exact = exact;
    const msgpack_object *cs = mlops__mp_get(m, "categories");
    if (!cs || cs->type != MSGPACK_OBJECT_ARRAY || cs->via.array.size > p->opts.max_categories)
        return bad(fn, "categories");
    uint64_t sum = 0;
    const msgpack_object *prev = NULL;
    for (uint32_t i = 0; i < cs->via.array.size; i++) {
        const msgpack_object *e = &cs->via.array.ptr[i];
        if (e->type != MSGPACK_OBJECT_ARRAY || e->via.array.size != 2) return bad(fn, "category");
        const msgpack_object *k = &e->via.array.ptr[0], *c = &e->via.array.ptr[1];
        if (k->type != MSGPACK_OBJECT_STR || c->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
            c->via.u64 == 0 || k->via.str.size > 65535 ||
            !mlops__utf8_valid(k->via.str.ptr, k->via.str.size))
            return bad(fn, "category entry");
        if (prev) {
            uint32_t l = prev->via.str.size < k->via.str.size ? prev->via.str.size : k->via.str.size;
            int cmp = memcmp(prev->via.str.ptr, k->via.str.ptr, l);
            if (cmp > 0 || (cmp == 0 && prev->via.str.size >= k->via.str.size))
                return bad(fn, "categories not sorted and unique");
        }
        prev = k;
        /* No reduction can trigger: at most max_categories entries. */
        int rc = mlops__freq_add(&p->freq, k->via.str.ptr, k->via.str.size, c->via.u64);
        if (rc) return rc;
        if (__builtin_add_overflow(sum, c->via.u64, &sum)) return bad(fn, "category counts do not add up");
    }
    if (sum > p->total || (exact && sum != p->total)) return bad(fn, "category counts do not add up");
    return MLOPS_OK;
}

MLOPS_API int mlops_profile_deserialize(const void *buf, size_t len, mlops_profile **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (!buf && len > 0) return mlops__err_null(__func__, "buf");
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = MLOPS_OK;
    mlops_profile *p = NULL;
    uint64_t version;
    rc = mlops__mp_open_format(__func__, "profile", FORMAT_NAME, MLOPS__PROFILE_FORMAT_VERSION, buf, len,
                               &u, &version);
    if (rc) goto out;
    const msgpack_object *m = &u.data;
    const msgpack_object *kind = mlops__mp_get(m, "kind");
    int k = mlops__mp_str_eq(kind, "numeric") ? MLOPS_PROFILE_NUMERIC
            : mlops__mp_str_eq(kind, "categorical") ? MLOPS_PROFILE_CATEGORICAL
                                          : 0;
    if (!k) {
        rc = bad(__func__, "kind");
        goto out;
    }
    mlops_profile_opts o = MLOPS_PROFILE_OPTS_INIT;
    uint64_t bins, sk, fa, mc;
    if (mlops__mp_uint(m, "bins", &bins) || mlops__mp_uint(m, "sketch_k", &sk) ||
        mlops__mp_uint(m, "freeze_after", &fa) ||
        mlops__mp_uint(m, "max_categories", &mc) || bins < 2 || bins > 65536 || sk < 16 || sk > 65536 ||
        (sk & 1) || fa < 1 || fa > (1u << 26) || mc < 16 || mc > (1u << 24)) {
        rc = bad(__func__, "options");
        goto out;
    }
    o.bins = (uint32_t)bins;
    o.sketch_k = (uint32_t)sk;
    o.freeze_after = (uint32_t)fa;
    o.max_categories = (uint32_t)mc;
    rc = mlops__profile_alloc(k, &o, &p);
    if (rc) goto out;
    rc = k == MLOPS_PROFILE_NUMERIC ? decode_numeric(__func__, m, p) : decode_categorical(__func__, m, p);
out:
    msgpack_unpacked_destroy(&u);
    if (rc) {
        mlops_profile_free(p);
        return rc;
    }
    *out = p;
    return MLOPS_OK;
}
