/* Dataset profiles: a small msgpack container of column profiles (see
 * dsprofile.h and doc/format.md). Only the msgpack types the format uses
 * are written and read. */
#include "dsprofile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Writing ---------------------------------------------------------------------- */

typedef struct wbuf {
    unsigned char *p;
    size_t n, cap;
    int oom;
} wbuf;

static void put(wbuf *b, const void *data, size_t len)
{
    if (b->oom) return;
    if (b->n + len > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + len) cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
}

static void put_be(wbuf *b, uint64_t v, int bytes)
{
    unsigned char x[8];
    for (int i = 0; i < bytes; i++) x[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
    put(b, x, (size_t)bytes);
}

static void put_tag(wbuf *b, unsigned char tag)
{
    put(b, &tag, 1);
}

static void put_uint(wbuf *b, uint64_t v)
{
    if (v < 128) {
        put_tag(b, (unsigned char)v);
    } else {
        put_tag(b, 0xcf);
        put_be(b, v, 8);
    }
}

static void put_str(wbuf *b, const char *s)
{
    size_t len = strlen(s);
    put_tag(b, 0xdb);
    put_be(b, len, 4);
    put(b, s, len);
}

static void put_bin(wbuf *b, const void *data, size_t len)
{
    put_tag(b, 0xc6);
    put_be(b, len, 4);
    put(b, data, len);
}

static void put_map(wbuf *b, uint32_t n)
{
    put_tag(b, 0xdf);
    put_be(b, n, 4);
}

static void put_array(wbuf *b, uint32_t n)
{
    put_tag(b, 0xdd);
    put_be(b, n, 4);
}

int dsprofile_encode(dsprofile *p, unsigned char **buf, size_t *len)
{
    wbuf b = { 0 };
    put_map(&b, 4);
    put_str(&b, "format");
    put_str(&b, DSPROFILE_FORMAT);
    put_str(&b, "version");
    put_uint(&b, DSPROFILE_VERSION);
    put_str(&b, "rows");
    put_uint(&b, p->rows);
    put_str(&b, "columns");
    put_array(&b, (uint32_t)p->ncols);
    for (size_t i = 0; i < p->ncols; i++) {
        void *bytes = NULL;
        size_t n = 0;
        int rc = mlops_profile_serialize(p->cols[i].profile, &bytes, &n);
        if (rc) {
            free(b.p);
            return rc;
        }
        put_map(&b, 3);
        put_str(&b, "name");
        put_str(&b, p->cols[i].name);
        put_str(&b, "kind");
        put_str(&b, p->cols[i].kind == MLOPS_PROFILE_NUMERIC ? "numeric" : "categorical");
        put_str(&b, "profile");
        put_bin(&b, bytes, n);
        mlops_free(bytes);
    }
    if (b.oom) {
        free(b.p);
        return MLOPS_ENOMEM;
    }
    *buf = b.p;
    *len = b.n;
    return MLOPS_OK;
}

/* ---- Reading ---------------------------------------------------------------------- */

typedef struct rbuf {
    const unsigned char *p;
    size_t n, pos;
} rbuf;

static int get_be(rbuf *r, int bytes, uint64_t *v)
{
    if (r->n - r->pos < (size_t)bytes) return -1;
    *v = 0;
    for (int i = 0; i < bytes; i++) *v = (*v << 8) | r->p[r->pos++];
    return 0;
}

static int get_tag(rbuf *r, unsigned *tag)
{
    if (r->pos >= r->n) return -1;
    *tag = r->p[r->pos++];
    return 0;
}

static int get_uint(rbuf *r, uint64_t *v)
{
    unsigned t;
    if (get_tag(r, &t)) return -1;
    if (t < 0x80) {
        *v = t;
        return 0;
    }
    if (t == 0xcc) return get_be(r, 1, v);
    if (t == 0xcd) return get_be(r, 2, v);
    if (t == 0xce) return get_be(r, 4, v);
    if (t == 0xcf) return get_be(r, 8, v);
    return -1;
}

/* A str or bin: a pointer into the buffer and its length. */
static int get_bytes(rbuf *r, int want_bin, const unsigned char **data, size_t *len)
{
    unsigned t;
    uint64_t n;
    if (get_tag(r, &t)) return -1;
    if (!want_bin && t >= 0xa0 && t <= 0xbf) n = t & 0x1f;
    else if (!want_bin && t == 0xd9) { if (get_be(r, 1, &n)) return -1; }
    else if (!want_bin && t == 0xda) { if (get_be(r, 2, &n)) return -1; }
    else if (!want_bin && t == 0xdb) { if (get_be(r, 4, &n)) return -1; }
    else if (want_bin && t == 0xc4) { if (get_be(r, 1, &n)) return -1; }
    else if (want_bin && t == 0xc5) { if (get_be(r, 2, &n)) return -1; }
    else if (want_bin && t == 0xc6) { if (get_be(r, 4, &n)) return -1; }
    else return -1;
    if (r->n - r->pos < n) return -1;
    *data = r->p + r->pos;
    *len = (size_t)n;
    r->pos += (size_t)n;
    return 0;
}

static int get_container(rbuf *r, int map, uint64_t *n)
{
    unsigned t;
    if (get_tag(r, &t)) return -1;
    if (map && t >= 0x80 && t <= 0x8f) { *n = t & 0x0f; return 0; }
    if (!map && t >= 0x90 && t <= 0x9f) { *n = t & 0x0f; return 0; }
    if (t == (map ? 0xde : 0xdc)) return get_be(r, 2, n);
    if (t == (map ? 0xdf : 0xdd)) return get_be(r, 4, n);
    return -1;
}

static int key_is(const unsigned char *k, size_t len, const char *want)
{
    return strlen(want) == len && memcmp(k, want, len) == 0;
}

static int bad(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return rc;
}

void dsprofile_clear(dsprofile *p)
{
    for (size_t i = 0; i < p->ncols; i++) {
        free(p->cols[i].name);
        mlops_profile_free(p->cols[i].profile);
    }
    free(p->cols);
    memset(p, 0, sizeof *p);
}

static int decode_column(rbuf *r, dsprofile_column *col, char *err, size_t errlen)
{
    uint64_t nkeys;
    if (get_container(r, 1, &nkeys)) return bad(err, errlen, MLOPS_EFORMAT, "a column is not a map");
    const unsigned char *name = NULL, *kind = NULL, *prof = NULL;
    size_t name_len = 0, kind_len = 0, prof_len = 0;
    for (uint64_t k = 0; k < nkeys; k++) {
        const unsigned char *key;
        size_t klen;
        if (get_bytes(r, 0, &key, &klen)) return bad(err, errlen, MLOPS_EFORMAT, "a key is not a string");
        int rc;
        if (key_is(key, klen, "name")) rc = get_bytes(r, 0, &name, &name_len);
        else if (key_is(key, klen, "kind")) rc = get_bytes(r, 0, &kind, &kind_len);
        else if (key_is(key, klen, "profile")) rc = get_bytes(r, 1, &prof, &prof_len);
        else return bad(err, errlen, MLOPS_EFORMAT, "unknown column field '%.*s'", (int)klen, key);
        if (rc) return bad(err, errlen, MLOPS_EFORMAT, "a malformed column field");
    }
    if (!name || !kind || !prof) return bad(err, errlen, MLOPS_EFORMAT, "a column lacks a field");
    col->name = malloc(name_len + 1);
    if (!col->name) return bad(err, errlen, MLOPS_ENOMEM, "out of memory");
    memcpy(col->name, name, name_len);
    col->name[name_len] = '\0';
    if (memchr(col->name, '\0', name_len)) return bad(err, errlen, MLOPS_EFORMAT, "a column name holds NUL");
    if (key_is(kind, kind_len, "numeric")) col->kind = MLOPS_PROFILE_NUMERIC;
    else if (key_is(kind, kind_len, "categorical")) col->kind = MLOPS_PROFILE_CATEGORICAL;
    else return bad(err, errlen, MLOPS_EFORMAT, "column '%s' has an unknown kind", col->name);
    int rc = mlops_profile_deserialize(prof, prof_len, &col->profile);
    if (rc) return bad(err, errlen, rc, "column '%s': %s", col->name, mlops_last_error());
    if (mlops_profile_kind(col->profile) != col->kind)
        return bad(err, errlen, MLOPS_EFORMAT, "column '%s': the profile is of another kind", col->name);
    return MLOPS_OK;
}

int dsprofile_decode(const void *buf, size_t len, dsprofile *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    rbuf r = { buf, len, 0 };
    uint64_t nkeys;
    if (get_container(&r, 1, &nkeys))
        return bad(err, errlen, MLOPS_EFORMAT, "not a dataset profile (no msgpack map)");
    int have_format = 0, have_version = 0, have_columns = 0;
    for (uint64_t k = 0; k < nkeys; k++) {
        const unsigned char *key;
        size_t klen;
        if (get_bytes(&r, 0, &key, &klen)) {
            dsprofile_clear(out);
            return bad(err, errlen, MLOPS_EFORMAT, "not a dataset profile (a key is not a string)");
        }
        if (key_is(key, klen, "format")) {
            const unsigned char *v;
            size_t vlen;
            if (get_bytes(&r, 0, &v, &vlen) || !key_is(v, vlen, DSPROFILE_FORMAT)) {
                dsprofile_clear(out);
                return bad(err, errlen, MLOPS_EFORMAT, "not a dataset profile (format is not " DSPROFILE_FORMAT ")");
            }
            have_format = 1;
        } else if (key_is(key, klen, "version")) {
            uint64_t v;
            if (get_uint(&r, &v)) {
                dsprofile_clear(out);
                return bad(err, errlen, MLOPS_EFORMAT, "a malformed version");
            }
            if (v != DSPROFILE_VERSION) {
                dsprofile_clear(out);
                return bad(err, errlen, MLOPS_EUNSUPPORTED,
                           "dataset profile format version %llu (this mlops reads version %d)",
                           (unsigned long long)v, DSPROFILE_VERSION);
            }
            have_version = 1;
        } else if (key_is(key, klen, "rows")) {
            if (get_uint(&r, &out->rows)) {
                dsprofile_clear(out);
                return bad(err, errlen, MLOPS_EFORMAT, "a malformed row count");
            }
        } else if (key_is(key, klen, "columns")) {
            uint64_t n;
            if (have_columns || get_container(&r, 0, &n) || n > (len - r.pos)) {
                dsprofile_clear(out);
                return bad(err, errlen, MLOPS_EFORMAT, "malformed columns");
            }
            out->cols = calloc(n ? (size_t)n : 1, sizeof *out->cols);
            if (!out->cols) return bad(err, errlen, MLOPS_ENOMEM, "out of memory");
            for (uint64_t c = 0; c < n; c++) {
                out->ncols++;
                int rc = decode_column(&r, &out->cols[c], err, errlen);
                if (rc) {
                    dsprofile_clear(out);
                    return rc;
                }
            }
            have_columns = 1;
        } else {
            dsprofile_clear(out);
            return bad(err, errlen, MLOPS_EFORMAT, "unknown field '%.*s'", (int)klen, key);
        }
    }
    if (!have_format || !have_version || !have_columns || r.pos != r.n) {
        dsprofile_clear(out);
        return bad(err, errlen, MLOPS_EFORMAT, "not a dataset profile (fields missing or trailing bytes)");
    }
    return MLOPS_OK;
}
