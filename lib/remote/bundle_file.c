/* A bundle file's framing (doc/format.md, "Bundles"): the magic, frames
 * of one msgpack object each behind a 4-byte big-endian length and (from
 * version 2) followed by the CRC-32C of the length and the bytes, a table
 * of contents and a trailer; and the file as an object backend, so that
 * push writes a bundle's objects and records and pull reads them back
 * with every check it makes on a remote's. A frame's checksum is checked
 * when the frame is read, before anything decodes it: a reader passes
 * over the file once, as it did without checksums. */
#include "remote/bundle_internal.h"
#include "util/crc32c.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/mpack.h"
#include "util/str.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- writing -------------------------------------------------------------- */

static int w_io(mlops__bundle_writer *w, int errnum)
{
    return mlops__err_os(MLOPS_EIO, errnum, "%s: cannot write bundle '%s'", w->fn, w->path);
}

static int w_bytes(mlops__bundle_writer *w, const void *buf, size_t len)
{
    if (len && fwrite(buf, 1, len, w->f) != len) return w_io(w, errno);
    w->off += len;
    if (mlops__write_out_due(w->off - len, w->off)) { /* it is fsync'd when sealed */
        if (fflush(w->f)) return w_io(w, errno);
        mlops__write_out_start(fileno(w->f));
    }
    return MLOPS_OK;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A frame's checksum: the CRC-32C of its length (4 bytes big-endian) and
 * its len bytes. */
static uint32_t frame_crc(const void *buf, size_t len)
{
    unsigned char be32[4];
    put_be32(be32, (uint32_t)len);
    return mlops__crc32c_update(mlops__crc32c(be32, 4), buf, len);
}

/* Appends the frame of len bytes whose checksum is crc. */
static int write_sealed(mlops__bundle_writer *w, const void *buf, size_t len, uint32_t crc)
{
    if (len > MLOPS__BUNDLE_FRAME_MAX)
        return mlops__err(MLOPS_EUNSUPPORTED, "%s: a record or object of %zu bytes is larger "
                                              "than a bundle frame may be", w->fn, len);
    unsigned char be32[4], c[4];
    put_be32(be32, (uint32_t)len);
    put_be32(c, crc);
    int rc = w_bytes(w, be32, 4);
    if (!rc) rc = w_bytes(w, buf, len);
    return rc ? rc : w_bytes(w, c, 4);
}

int mlops__bundle_write_frame(mlops__bundle_writer *w, const void *buf, size_t len)
{
    return write_sealed(w, buf, len, frame_crc(buf, len));
}

void mlops__bundle_meta_begin(mlops__bundle_writer *w)
{
    w->meta_off = w->off;
}

static int w_stage(mlops__objects *be, const mlops_digest *d, const mlops__obj_piece *pieces,
                   size_t n, mlops__obj_staged **out)
{
    mlops__bundle_writer *w = (mlops__bundle_writer *)be;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += pieces[i].len;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int bad = msgpack_pack_array(&pk, 3);
    bad |= mlops__mp_str(&pk, "obj");
    bad |= msgpack_pack_bin(&pk, 32);
    bad |= msgpack_pack_bin_body(&pk, d->bytes, 32);
    bad |= msgpack_pack_bin(&pk, total);
    for (size_t i = 0; i < n; i++) bad |= msgpack_pack_bin_body(&pk, pieces[i].data, pieces[i].len);
    int rc = bad ? mlops__err_nomem("writing a bundle") : MLOPS_OK;
    /* the checksum of an object (up to 256 MiB) before the lock, so that
     * the pool's threads compute theirs at once */
    uint32_t crc = rc ? 0 : frame_crc(sb.data, sb.size);
    pthread_mutex_lock(&w->lock);
    if (!rc && w->nobjs == w->capobjs) {
        size_t nc = w->capobjs ? 2 * w->capobjs : 256;
        mlops__bundle_toc_obj *no = realloc(w->objs, nc * sizeof *no);
        if (!no) rc = mlops__err_nomem("writing a bundle");
        else {
            w->objs = no;
            w->capobjs = nc;
        }
    }
    uint64_t off = w->off;
    if (!rc) rc = write_sealed(w, sb.data, sb.size, crc);
    if (!rc) {
        w->objs[w->nobjs].d = *d;
        w->objs[w->nobjs++].off = off;
    }
    pthread_mutex_unlock(&w->lock);
    msgpack_sbuffer_destroy(&sb);
    if (rc) return rc;
    *out = (mlops__obj_staged *)w; /* nothing to hold: the frame is written */
    return MLOPS_OK;
}

static int w_place(mlops__objects *be, mlops__obj_staged *st, int *placed)
{
    (void)be;
    (void)st;
    *placed = 1;
    return MLOPS_OK;
}

static void w_discard(mlops__objects *be, mlops__obj_staged *st)
{
    (void)be;
    (void)st;
}

static int w_sync(mlops__objects *be, const mlops_digest *d, size_t n)
{
    (void)be;
    (void)d;
    (void)n;
    return MLOPS_OK; /* the whole file is synced when finished */
}

static int w_exists(mlops__objects *be, const mlops_digest *d, int *yes)
{
    (void)be;
    (void)d;
    *yes = 0; /* a push plans each object once: a new bundle lacks them all */
    return MLOPS_OK;
}

static int unsupported(mlops__objects *be)
{
    return mlops__err(MLOPS_EUNSUPPORTED, "a bundle cannot do that as %s", be->name);
}

static int w_open(mlops__objects *be, const mlops_digest *d, mlops__obj_in **out, uint64_t *len)
{
    (void)d;
    (void)out;
    (void)len;
    return unsupported(be);
}

static int no_read(mlops__objects *be, mlops__obj_in *in, void *buf, size_t len, size_t *got)
{
    (void)in;
    (void)buf;
    (void)len;
    (void)got;
    return unsupported(be);
}

static void no_close(mlops__objects *be, mlops__obj_in *in)
{
    (void)be;
    (void)in;
}

static int no_remove(mlops__objects *be, const mlops_digest *d, size_t n, int *removed)
{
    (void)d;
    for (size_t i = 0; i < n; i++) removed[i] = -1;
    return unsupported(be);
}

static int no_foreach(mlops__objects *be, mlops__objects_each_fn fn, void *arg)
{
    (void)fn;
    (void)arg;
    return unsupported(be);
}

static int no_quarantine(mlops__objects *be, const mlops_digest *d)
{
    (void)d;
    return unsupported(be);
}

static void w_describe(mlops__objects *be, const mlops_digest *d, char *buf, size_t n)
{
    mlops__bundle_writer *w = (mlops__bundle_writer *)be;
    char ds[MLOPS_DIGEST_STRLEN];
    snprintf(buf, n, "%s in bundle '%s'", mlops__digest_str(d, ds), w->path);
}

static void no_free(mlops__objects *be)
{
    (void)be; /* the bundle's owner frees it */
}

static int w_name_put(mlops__objects *be, const char *name, const void *data, size_t len)
{
    mlops__bundle_writer *w = (mlops__bundle_writer *)be;
    if (strlen(name) > MLOPS__OBJECTS_NAME_MAX) return mlops__err(MLOPS_EINVAL, "bad record name");
    if (w->nrecs == w->caprecs) {
        size_t nc = w->caprecs ? 2 * w->caprecs : 16;
        mlops__bundle_toc_rec *nr = realloc(w->recs, nc * sizeof *nr);
        if (!nr) return mlops__err_nomem("writing a bundle");
        w->recs = nr;
        w->caprecs = nc;
    }
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int bad = msgpack_pack_array(&pk, 3);
    bad |= mlops__mp_str(&pk, "rec");
    bad |= mlops__mp_str(&pk, name);
    bad |= msgpack_pack_bin(&pk, len);
    bad |= msgpack_pack_bin_body(&pk, data, len);
    uint64_t off = w->off;
    int rc = bad ? mlops__err_nomem("writing a bundle") : mlops__bundle_write_frame(w, sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
    if (rc) return rc;
    snprintf(w->recs[w->nrecs].name, sizeof w->recs[w->nrecs].name, "%s", name);
    w->recs[w->nrecs++].off = off;
    return MLOPS_OK;
}

static int w_name_get(mlops__objects *be, const char *name, void **data, size_t *len)
{
    (void)name;
    (void)data;
    (void)len;
    return unsupported(be);
}

int mlops__bundle_writer_open(const char *fn, const char *path, const void *hdr, size_t hlen,
                              mlops__bundle_writer **out)
{
    *out = NULL;
    mlops__bundle_writer *w = calloc(1, sizeof *w);
    if (!w) return mlops__err_nomem("writing a bundle");
    pthread_mutex_init(&w->lock, NULL);
    w->be.version = MLOPS__OBJECTS_VERSION;
    w->be.name = "bundle";
    w->be.stage = w_stage;
    w->be.place = w_place;
    w->be.discard = w_discard;
    w->be.sync = w_sync;
    w->be.open = w_open;
    w->be.read = no_read;
    w->be.close = no_close;
    w->be.exists = w_exists;
    w->be.remove = no_remove;
    w->be.foreach = no_foreach;
    w->be.quarantine = no_quarantine;
    w->be.describe = w_describe;
    w->be.free = no_free;
    w->be.name_put = w_name_put;
    w->be.name_get = w_name_get;
    w->fn = fn;
    w->path = mlops__strdup(path);
    w->tmp = mlops__strcat3(path, ".partial", NULL);
    if (!w->path || !w->tmp) {
        mlops__bundle_writer_free(w);
        return mlops__err_nomem("writing a bundle");
    }
    w->f = fopen(w->tmp, "wbx");
    if (!w->f && errno == EEXIST) {
        /* a leftover of an interrupted export of the same path */
        if (unlink(w->tmp) == 0) w->f = fopen(w->tmp, "wbx");
    }
    if (!w->f) {
        int rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot create '%s'", fn, w->tmp);
        free(w->tmp);
        w->tmp = NULL;
        mlops__bundle_writer_free(w);
        return rc;
    }
    int rc = w_bytes(w, MLOPS__BUNDLE_MAGIC, 8);
    if (!rc) rc = mlops__bundle_write_frame(w, hdr, hlen);
    if (rc) {
        mlops__bundle_writer_free(w);
        return rc;
    }
    *out = w;
    return MLOPS_OK;
}

static int cmp_obj(const void *a, const void *b)
{
    return memcmp(((const mlops__bundle_toc_obj *)a)->d.bytes,
                  ((const mlops__bundle_toc_obj *)b)->d.bytes, 32);
}

int mlops__bundle_writer_finish(mlops__bundle_writer *w)
{
    if (w->objs) qsort(w->objs, w->nobjs, sizeof *w->objs, cmp_obj);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int bad = msgpack_pack_array(&pk, 4);
    bad |= mlops__mp_str(&pk, "toc");
    bad |= msgpack_pack_array(&pk, w->nobjs);
    for (size_t i = 0; i < w->nobjs; i++) {
        bad |= msgpack_pack_array(&pk, 2);
        bad |= msgpack_pack_bin(&pk, 32);
        bad |= msgpack_pack_bin_body(&pk, w->objs[i].d.bytes, 32);
        bad |= msgpack_pack_uint64(&pk, w->objs[i].off);
    }
    bad |= msgpack_pack_array(&pk, w->nrecs);
    for (size_t i = 0; i < w->nrecs; i++) {
        bad |= msgpack_pack_array(&pk, 2);
        bad |= mlops__mp_str(&pk, w->recs[i].name);
        bad |= msgpack_pack_uint64(&pk, w->recs[i].off);
    }
    bad |= msgpack_pack_uint64(&pk, w->meta_off);
    uint64_t toc = w->off;
    int rc = bad ? mlops__err_nomem("writing a bundle") : mlops__bundle_write_frame(w, sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
    unsigned char tr[MLOPS__BUNDLE_TRAILER];
    for (int i = 0; i < 8; i++) tr[i] = (unsigned char)(toc >> (56 - 8 * i));
    put_be32(tr + 8, mlops__crc32c(tr, 8));
    memcpy(tr + 12, MLOPS__BUNDLE_END, 8);
    if (!rc) rc = w_bytes(w, tr, sizeof tr);
    if (!rc && fflush(w->f)) rc = w_io(w, errno);
    if (!rc) rc = mlops__fsync_fd(fileno(w->f), w->tmp);
    if (!rc) {
        /* The FILE is gone whatever fclose says: never closed twice. */
        int failed = fclose(w->f) != 0, e = errno;
        w->f = NULL;
        if (failed) rc = w_io(w, e);
    }
    if (!rc && rename(w->tmp, w->path))
        rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot rename '%s' to '%s'", w->fn, w->tmp,
                           w->path);
    if (!rc) {
        free(w->tmp);
        w->tmp = NULL;
    }
    return rc;
}

void mlops__bundle_writer_free(mlops__bundle_writer *w)
{
    if (!w) return;
    if (w->f) fclose(w->f);
    if (w->tmp) unlink(w->tmp);
    free(w->tmp);
    free(w->path);
    free(w->objs);
    free(w->recs);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

/* ---- reading -------------------------------------------------------------- */

static int corrupt(const mlops__bundle_reader *r, const char *why)
{
    return mlops__err(MLOPS_ECORRUPT, "%s: bundle '%s' is damaged: %s", r->fn, r->path, why);
}

static int r_at(mlops__bundle_reader *r, uint64_t off, void *buf, size_t len)
{
    if (off > r->size || len > r->size - off) return corrupt(r, "it ends early");
    pthread_mutex_lock(&r->lock);
    int rc = MLOPS_OK;
    if (fseeko(r->f, (off_t)off, SEEK_SET))
        rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot read '%s'", r->fn, r->path);
    else if (len && fread(buf, 1, len, r->f) != len)
        rc = ferror(r->f) ? mlops__err_os(MLOPS_EIO, errno, "%s: cannot read '%s'", r->fn, r->path)
                          : corrupt(r, "it ends early");
    pthread_mutex_unlock(&r->lock);
    return rc;
}

static int bad_crc(const mlops__bundle_reader *r, const char *what, uint64_t off)
{
    return mlops__err(MLOPS_ECORRUPT, "%s: bundle '%s' is damaged: %s at offset %" PRIu64
                      " fails its checksum", r->fn, r->path, what, off);
}

/* The frame at off: its length and bytes into *h and a malloc'd *buf (*len
 * bytes), and with crc the 4 bytes after them, checked against them. The
 * bytes and the checksum come in one read. */
static int frame_at(mlops__bundle_reader *r, uint64_t off, uint64_t limit, int crc,
                    unsigned char h[4], void **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    uint64_t tail = crc ? 4 : 0;
    if (off > limit || limit - off < 4 + tail) return corrupt(r, "a frame crosses its section");
    int rc = r_at(r, off, h, 4);
    if (rc) return rc;
    uint32_t n = get_be32(h);
    if (n > MLOPS__BUNDLE_FRAME_MAX) return corrupt(r, "a frame is larger than frames may be");
    if (limit - off - 4 - tail < n) return corrupt(r, "a frame crosses its section");
    unsigned char *b = malloc(n + tail ? n + tail : 1);
    if (!b) return mlops__err_nomem("reading a bundle");
    rc = r_at(r, off + 4, b, n + tail);
    if (!rc && crc && get_be32(b + n) != mlops__crc32c_update(mlops__crc32c(h, 4), b, n))
        rc = bad_crc(r, "the frame", off);
    if (rc) {
        free(b);
        return rc;
    }
    *buf = b;
    *len = n;
    return MLOPS_OK;
}

int mlops__bundle_read_frame(mlops__bundle_reader *r, uint64_t *off, uint64_t limit, void **buf,
                             size_t *len)
{
    unsigned char h[4];
    int crc = r->version >= 2;
    int rc = frame_at(r, *off, limit, crc, h, buf, len);
    if (!rc) *off += 4 + (uint64_t)*len + (crc ? 4 : 0);
    return rc;
}

typedef struct r_in {
    void *data; /* the encoded object */
    size_t len, at;
} r_in;

/* The frame at off, checked to be [kind, name-or-digest, bin]: the bin's
 * bytes copied to *data. key: 32 bytes of digest or a C string. */
static int r_payload(mlops__bundle_reader *r, uint64_t off, const char *kind, const void *key,
                     void **data, size_t *dlen)
{
    void *buf = NULL;
    size_t len = 0;
    int rc = mlops__bundle_read_frame(r, &off, r->meta_off, &buf, &len);
    if (rc) return rc;
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int mp = mlops__mp_unpack(buf, len, &u);
    if (mp == MLOPS__MP_NOMEM) rc = mlops__err_nomem("reading a bundle");
    else if (mp) rc = corrupt(r, "a frame is not msgpack");
    const msgpack_object *o = &u.data;
    if (!rc && (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 3 ||
                !mlops__mp_str_eq(&o->via.array.ptr[0], kind) ||
                o->via.array.ptr[2].type != MSGPACK_OBJECT_BIN))
        rc = corrupt(r, "the table of contents names a frame of another kind");
    if (!rc) {
        const msgpack_object *k = &o->via.array.ptr[1];
        unsigned char d[32];
        int same = !strcmp(kind, "obj") ? !mlops__mp_bin32(k, d) && !memcmp(d, key, 32)
                                        : mlops__mp_str_eq(k, key);
        if (!same) rc = corrupt(r, "the table of contents names another frame");
    }
    if (!rc) {
        const msgpack_object *b = &o->via.array.ptr[2];
        *dlen = b->via.bin.size;
        *data = malloc(*dlen ? *dlen : 1);
        if (!*data) rc = mlops__err_nomem("reading a bundle");
        else if (*dlen) memcpy(*data, b->via.bin.ptr, *dlen);
    }
    msgpack_unpacked_destroy(&u);
    free(buf);
    return rc;
}

static int r_open(mlops__objects *be, const mlops_digest *d, mlops__obj_in **out, uint64_t *len)
{
    mlops__bundle_reader *r = (mlops__bundle_reader *)be;
    mlops__bundle_toc_obj key = { *d, 0 };
    const mlops__bundle_toc_obj *hit =
        r->nobjs ? bsearch(&key, r->objs, r->nobjs, sizeof *r->objs, cmp_obj) : NULL;
    if (!hit) {
        char ds[MLOPS_DIGEST_STRLEN];
        return mlops__err(MLOPS_ENOTFOUND, "bundle '%s' holds no object %s", r->path,
                          mlops__digest_str(d, ds));
    }
    r_in *in = calloc(1, sizeof *in);
    if (!in) return mlops__err_nomem("reading a bundle");
    int rc = r_payload(r, hit->off, "obj", d->bytes, &in->data, &in->len);
    if (rc) {
        free(in);
        return rc;
    }
    *out = (mlops__obj_in *)in;
    *len = in->len;
    return MLOPS_OK;
}

static int r_read(mlops__objects *be, mlops__obj_in *in_, void *buf, size_t len, size_t *got)
{
    (void)be;
    r_in *in = (r_in *)in_;
    size_t n = in->len - in->at < len ? in->len - in->at : len;
    if (n) memcpy(buf, (char *)in->data + in->at, n);
    in->at += n;
    *got = n;
    return MLOPS_OK;
}

static void r_close(mlops__objects *be, mlops__obj_in *in_)
{
    (void)be;
    r_in *in = (r_in *)in_;
    if (!in) return;
    free(in->data);
    free(in);
}

static int r_exists(mlops__objects *be, const mlops_digest *d, int *yes)
{
    mlops__bundle_reader *r = (mlops__bundle_reader *)be;
    mlops__bundle_toc_obj key = { *d, 0 };
    *yes = r->nobjs && bsearch(&key, r->objs, r->nobjs, sizeof *r->objs, cmp_obj) != NULL;
    return MLOPS_OK;
}

static int r_stage(mlops__objects *be, const mlops_digest *d, const mlops__obj_piece *pieces,
                   size_t n, mlops__obj_staged **out)
{
    (void)d;
    (void)pieces;
    (void)n;
    (void)out;
    return unsupported(be);
}

static int r_place(mlops__objects *be, mlops__obj_staged *st, int *placed)
{
    (void)st;
    (void)placed;
    return unsupported(be);
}

static void r_describe(mlops__objects *be, const mlops_digest *d, char *buf, size_t n)
{
    mlops__bundle_reader *r = (mlops__bundle_reader *)be;
    char ds[MLOPS_DIGEST_STRLEN];
    snprintf(buf, n, "%s in bundle '%s'", mlops__digest_str(d, ds), r->path);
}

static int r_name_put(mlops__objects *be, const char *name, const void *data, size_t len)
{
    (void)name;
    (void)data;
    (void)len;
    return unsupported(be);
}

static int r_name_get(mlops__objects *be, const char *name, void **data, size_t *len)
{
    mlops__bundle_reader *r = (mlops__bundle_reader *)be;
    for (size_t i = 0; i < r->nrecs; i++)
        if (!strcmp(r->recs[i].name, name)) return r_payload(r, r->recs[i].off, "rec", name, data, len);
    return mlops__err(MLOPS_ENOTFOUND, "bundle '%s' holds no record %s", r->path, name);
}

static int read_toc(mlops__bundle_reader *r, const void *buf, size_t len)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int mp = mlops__mp_unpack(buf, len, &u);
    int rc = mp == MLOPS__MP_NOMEM ? mlops__err_nomem("reading a bundle")
             : mp                  ? corrupt(r, "its table of contents is not msgpack")
                                   : MLOPS_OK;
    const msgpack_object *o = &u.data;
    if (!rc && (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 4 ||
                !mlops__mp_str_eq(&o->via.array.ptr[0], "toc") ||
                o->via.array.ptr[1].type != MSGPACK_OBJECT_ARRAY ||
                o->via.array.ptr[2].type != MSGPACK_OBJECT_ARRAY ||
                o->via.array.ptr[3].type != MSGPACK_OBJECT_POSITIVE_INTEGER))
        rc = corrupt(r, "its table of contents is malformed");
    if (!rc) {
        r->meta_off = o->via.array.ptr[3].via.u64;
        if (r->meta_off < r->hdr_end || r->meta_off > r->toc_off)
            rc = corrupt(r, "its table of contents places the records outside the file");
    }
    if (!rc) {
        const msgpack_object *ob = &o->via.array.ptr[1];
        r->nobjs = ob->via.array.size;
        r->objs = malloc((r->nobjs + 1) * sizeof *r->objs);
        if (!r->objs) rc = mlops__err_nomem("reading a bundle");
        for (size_t i = 0; !rc && i < r->nobjs; i++) {
            const msgpack_object *e = &ob->via.array.ptr[i];
            if (e->type != MSGPACK_OBJECT_ARRAY || e->via.array.size != 2 ||
                mlops__mp_bin32(&e->via.array.ptr[0], r->objs[i].d.bytes) ||
                e->via.array.ptr[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
                rc = corrupt(r, "an object entry of its table of contents is malformed");
            else if ((r->objs[i].off = e->via.array.ptr[1].via.u64) < r->hdr_end ||
                     r->objs[i].off >= r->meta_off)
                rc = corrupt(r, "its table of contents places an object outside its section");
            else if (i && memcmp(r->objs[i - 1].d.bytes, r->objs[i].d.bytes, 32) >= 0)
                rc = corrupt(r, "its table of contents is not sorted");
        }
    }
    if (!rc) {
        const msgpack_object *rb = &o->via.array.ptr[2];
        r->nrecs = rb->via.array.size;
        r->recs = calloc(r->nrecs + 1, sizeof *r->recs);
        if (!r->recs) rc = mlops__err_nomem("reading a bundle");
        for (size_t i = 0; !rc && i < r->nrecs; i++) {
            const msgpack_object *e = &rb->via.array.ptr[i];
            if (e->type != MSGPACK_OBJECT_ARRAY || e->via.array.size != 2 ||
                e->via.array.ptr[0].type != MSGPACK_OBJECT_STR ||
                e->via.array.ptr[0].via.str.size > MLOPS__OBJECTS_NAME_MAX ||
                e->via.array.ptr[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
                rc = corrupt(r, "a record entry of its table of contents is malformed");
            else if ((r->recs[i].off = e->via.array.ptr[1].via.u64) < r->hdr_end ||
                     r->recs[i].off >= r->meta_off)
                rc = corrupt(r, "its table of contents places a record outside its section");
            else
                mlops__mp_str_copy(r->recs[i].name, &e->via.array.ptr[0]);
        }
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}

/* The header's version, which says how the rest is framed. The header
 * frame is at the same place in every version, and from version 2 its
 * checksum follows it. A header whose checksum holds is decoded for its
 * version. One whose checksum does not hold is version 1's (which has no
 * checksums) when it decodes as that, or of a version newer than this
 * reader's (whose layout after the header it cannot know); else it is
 * damaged. Sets r->version and r->hdr_end. */
static int header_version(mlops__bundle_reader *r, const unsigned char h[4])
{
    uint64_t end = 12 + (uint64_t)r->hlen;
    unsigned char c[4];
    int crc_ok = r->size - end >= 4 && !r_at(r, end, c, 4) &&
                 get_be32(c) == mlops__crc32c_update(mlops__crc32c(h, 4), r->hdr, r->hlen);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    uint64_t v = 0;
    int rc = mlops__mp_open_format(r->fn, "bundle", MLOPS__BUNDLE_FORMAT, MLOPS__BUNDLE_VERSION,
                                   r->hdr, r->hlen, &u, &v);
    msgpack_unpacked_destroy(&u);
    if (rc == MLOPS_ENOMEM || rc == MLOPS_EUNSUPPORTED || (rc && crc_ok)) return rc;
    if (!crc_ok && (rc || v != 1)) return bad_crc(r, "the header frame", 8);
    r->version = (unsigned)v;
    r->hdr_end = end + (v >= 2 ? 4 : 0);
    return MLOPS_OK;
}

int mlops__bundle_reader_open(const char *fn, const char *path, mlops__bundle_reader **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mlops__err_os(errno == ENOENT ? MLOPS_ENOTFOUND : MLOPS_EIO, errno,
                             "%s: cannot open bundle '%s'", fn, path);
    return mlops__bundle_reader_from(fn, path, f, out);
}

int mlops__bundle_reader_from(const char *fn, const char *path, FILE *f,
                              mlops__bundle_reader **out)
{
    *out = NULL;
    mlops__bundle_reader *r = calloc(1, sizeof *r);
    if (!r) {
        fclose(f);
        return mlops__err_nomem("reading a bundle");
    }
    pthread_mutex_init(&r->lock, NULL);
    r->be.version = MLOPS__OBJECTS_VERSION;
    r->be.name = "bundle";
    r->be.stage = r_stage;
    r->be.place = r_place;
    r->be.discard = w_discard;
    r->be.sync = w_sync;
    r->be.open = r_open;
    r->be.read = r_read;
    r->be.close = r_close;
    r->be.exists = r_exists;
    r->be.remove = no_remove;
    r->be.foreach = no_foreach;
    r->be.quarantine = no_quarantine;
    r->be.describe = r_describe;
    r->be.free = no_free;
    r->be.name_put = r_name_put;
    r->be.name_get = r_name_get;
    r->fn = fn;
    r->path = path;
    int rc = MLOPS_OK;
    r->f = f;
    if (!rc && (fseeko(r->f, 0, SEEK_END) || (r->size = (uint64_t)ftello(r->f)) == (uint64_t)-1))
        rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot read '%s'", fn, path);
    unsigned char magic[8];
    if (!rc && (r->size < 8 || r_at(r, 0, magic, 8) || memcmp(magic, MLOPS__BUNDLE_MAGIC, 8)))
        rc = mlops__err(MLOPS_EFORMAT, "%s: '%s' is not a bundle (no bundle magic)", fn, path);
    unsigned char h[4];
    if (!rc) rc = frame_at(r, 8, r->size, 0, h, &r->hdr, &r->hlen);
    if (!rc) rc = header_version(r, h);
    /* the trailer: the table of contents' offset, from version 2 its
     * checksum, the end marker */
    uint64_t tl = r->version >= 2 ? MLOPS__BUNDLE_TRAILER : MLOPS__BUNDLE_TRAILER_V1;
    unsigned char tr[MLOPS__BUNDLE_TRAILER];
    if (!rc && (r->size < r->hdr_end + tl || r_at(r, r->size - tl, tr, tl) ||
                memcmp(tr + tl - 8, MLOPS__BUNDLE_END, 8)))
        rc = corrupt(r, "it has no trailer (a truncated file?)");
    if (!rc && r->version >= 2 && get_be32(tr + 8) != mlops__crc32c(tr, 8))
        rc = bad_crc(r, "the trailer", r->size - tl);
    if (!rc) {
        for (int i = 0; i < 8; i++) r->toc_off = r->toc_off << 8 | tr[i];
        if (r->toc_off < r->hdr_end || r->toc_off > r->size - tl)
            rc = corrupt(r, "its trailer points outside the file");
    }
    void *toc = NULL;
    size_t tlen = 0;
    uint64_t off = r->toc_off;
    if (!rc) rc = mlops__bundle_read_frame(r, &off, r->size - tl, &toc, &tlen);
    if (!rc && off != r->size - tl) rc = corrupt(r, "bytes follow its table of contents");
    if (!rc) rc = read_toc(r, toc, tlen);
    free(toc);
    if (rc) {
        mlops__bundle_reader_free(r);
        return rc;
    }
    *out = r;
    return MLOPS_OK;
}

void mlops__bundle_reader_free(mlops__bundle_reader *r)
{
    if (!r) return;
    if (r->f) fclose(r->f);
    free(r->objs);
    free(r->recs);
    free(r->hdr);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
