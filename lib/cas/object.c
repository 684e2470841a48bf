/* Objects: their encoding (header, raw or zstd), writing them through the
 * store's object backend (stage, place, sync: lib/objects/objects.h) and
 * their rows, and reading them back with verification. */
#include "cas/cas_internal.h"
#include "util/err.h"
#include "util/le.h"
#include "util/hash.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* For ZSTD_d_stableOutBuffer (a decoder setting, zstd >= 1.4.4): when the
 * library refuses it, decoding still works, through zstd's own buffer. */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

static const unsigned char obj_magic[4] = {0x89, 'M', 'L', 'O'};

/* The most bytes a zstd payload of len bytes can decode to: each block of
 * a frame yields at most ZSTD_BLOCKSIZE_MAX (128 KiB) and takes at least
 * its 3-byte header. A header claiming more lies, and is refused before
 * anything of its size is allocated. */
static uint64_t zstd_most(uint64_t len)
{
    return len / 3 * (uint64_t)ZSTD_BLOCKSIZE_MAX;
}

struct mlops__obj_writer {
    ZSTD_CCtx *cctx;
    unsigned char *buf; /* header + compressed payload */
    size_t cap;
};

/* Compressed bytes are decoded as they are read, this many at a time, so
 * that a reader holds little besides the decoded object. */
#define READ_PIECE (128u * 1024u)

struct mlops__obj_reader {
    ZSTD_DCtx *dctx;
    unsigned char *buf; /* READ_PIECE bytes of compressed payload */
    mlops__sha256 sha;
};

const char *mlops__digest_str(const mlops_digest *d, char *buf)
{
    memcpy(buf, "sha256:", 7);
    mlops__hex_encode(d->bytes, sizeof d->bytes, buf + 7);
    return buf;
}

char *mlops__object_path(const mlops_store *s, const mlops_digest *d)
{
    char buf[4096];
    s->objects->describe(s->objects, d, buf, sizeof buf);
    return mlops__strdup(buf);
}

int mlops__object_present(mlops_store *s, const mlops_digest *d, int *yes)
{
    return s->objects->exists(s->objects, d, yes);
}

static void header_write(unsigned char *h, int encoding, uint64_t size)
{
    memcpy(h, obj_magic, 4);
    h[4] = MLOPS__OBJ_VERSION;
    h[5] = (unsigned char)encoding;
    h[6] = 0;
    h[7] = 0;
    mlops__put_le64(h + 8, size);
}

/* Where object d lives, for a message. */
static const char *where(mlops_store *s, const mlops_digest *d, char *buf, size_t n)
{
    s->objects->describe(s->objects, d, buf, n);
    return buf;
}

int mlops__object_header_parse(mlops_store *s, const mlops_digest *d, const unsigned char *h,
                               int *encoding, uint64_t *size)
{
    char w[1024];
    if (memcmp(h, obj_magic, 4) != 0)
        return mlops__err(MLOPS_ECORRUPT, "object file '%s' has no object header",
                          where(s, d, w, sizeof w));
    if (h[4] != MLOPS__OBJ_VERSION)
        return mlops__err(h[4] > MLOPS__OBJ_VERSION ? MLOPS_EUNSUPPORTED : MLOPS_ECORRUPT,
                          "object file '%s' has object format version %d; this library "
                          "reads version %d",
                          where(s, d, w, sizeof w), h[4], MLOPS__OBJ_VERSION);
    if ((h[5] != MLOPS__ENC_RAW && h[5] != MLOPS__ENC_ZSTD) || h[6] || h[7])
        return mlops__err(MLOPS_ECORRUPT, "object file '%s' has an unknown encoding %d",
                          where(s, d, w, sizeof w), h[5]);
    *encoding = h[5];
    *size = mlops__get_le64(h + 8);
    return MLOPS_OK;
}

/* ---- writing ------------------------------------------------------------ */

int mlops__obj_writer_new(const mlops_store *s, mlops__obj_writer **out)
{
    mlops__obj_writer *w = calloc(1, sizeof *w);
    if (!w) return mlops__err_nomem("creating an object writer");
    w->cctx = ZSTD_createCCtx();
    if (!w->cctx) {
        free(w);
        return mlops__err_nomem("creating a zstd context");
    }
    /* SHA-256 covers the content: zstd's own checksum would be redundant. */
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, s->opts.compression_level);
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 0);
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1);
    *out = w;
    return MLOPS_OK;
}

void mlops__obj_writer_set_level(mlops__obj_writer *w, int level)
{
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level);
}

void mlops__obj_writer_free(mlops__obj_writer *w)
{
    if (!w) return;
    ZSTD_freeCCtx(w->cctx);
    free(w->buf);
    free(w);
}

/* Large inputs are first sampled: when their first PROBE bytes do not
 * shrink at all (noise, weights, compressed files) the rest is not tried,
 * which saves a whole compression pass over data that stays raw anyway. */
#define PROBE (16u * 1024u)
#define PROBE_MIN_INPUT (256u * 1024u)

static int grow_buf(mlops__obj_writer *w, size_t need)
{
    if (w->cap >= need) return 1;
    unsigned char *nb = realloc(w->buf, need);
    if (!nb) return 0;
    w->buf = nb;
    w->cap = need;
    return 1;
}

/* Whether compressing the sample saves at least 2%. */
static int probe_compresses(mlops__obj_writer *w, const void *data)
{
    size_t limit = PROBE - PROBE / 50;
    if (!grow_buf(w, MLOPS__OBJ_HEADER_SIZE + limit)) return 0;
    size_t r = ZSTD_compress2(w->cctx, w->buf + MLOPS__OBJ_HEADER_SIZE, limit, data, PROBE);
    if (ZSTD_isError(r)) ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_only);
    return !ZSTD_isError(r);
}

/* Compresses into w->buf after the header when that saves at least 10%;
 * returns the compressed size, or 0 to store raw. */
static size_t try_compress(mlops__obj_writer *w, const void *data, size_t len)
{
    if (len < 64) return 0;
    if (len >= PROBE_MIN_INPUT && !probe_compresses(w, data)) return 0;
    size_t limit = len - len / 10; /* anything larger saves under 10% */
    if (!grow_buf(w, MLOPS__OBJ_HEADER_SIZE + limit)) return 0; /* raw is always correct */
    size_t r = ZSTD_compress2(w->cctx, w->buf + MLOPS__OBJ_HEADER_SIZE, limit, data, len);
    if (ZSTD_isError(r)) {
        ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_only);
        return 0; /* typically "destination too small": does not pay */
    }
    return r;
}

int mlops__object_stage(mlops_store *s, mlops__obj_writer *w, const mlops_digest *d,
                        const void *data, size_t len, mlops__staged *out)
{
    memset(out, 0, sizeof *out);
    out->digest = *d;
    out->size = len;
    size_t clen = try_compress(w, data, len);
    unsigned char header[MLOPS__OBJ_HEADER_SIZE];
    mlops__obj_piece pieces[2];
    size_t npieces;
    if (clen) {
        header_write(w->buf, MLOPS__ENC_ZSTD, len);
        pieces[0] = (mlops__obj_piece){w->buf, MLOPS__OBJ_HEADER_SIZE + clen};
        npieces = 1;
        out->encoding = MLOPS__ENC_ZSTD;
    } else {
        header_write(header, MLOPS__ENC_RAW, len);
        pieces[0] = (mlops__obj_piece){header, sizeof header};
        pieces[1] = (mlops__obj_piece){data, len};
        npieces = 2;
        out->encoding = MLOPS__ENC_RAW;
    }
    out->stored = MLOPS__OBJ_HEADER_SIZE + (clen ? clen : len);
    out->be = s->objects;
    return s->objects->stage(s->objects, d, pieces, npieces, &out->h);
}

int mlops__object_place(mlops_store *s, mlops__staged *st, mlops__placed *out)
{
    memset(out, 0, sizeof *out);
    out->digest = st->digest;
    out->size = st->size;
    out->stored = st->stored;
    out->encoding = st->encoding;
    out->be = s->objects;
    int placed = 0;
    mlops__obj_staged *h = st->h;
    st->h = NULL;
    int rc = s->objects->place(s->objects, h, &placed);
    if (rc) return rc;
    if (placed) out->placed = 1;
    /* Someone else's copy is in place; keep ours until the commit has
     * checked, under the write lock, that theirs stays. */
    else out->spare = h;
    return MLOPS_OK;
}

void mlops__staged_discard(mlops__staged *st)
{
    if (st->h) st->be->discard(st->be, st->h);
    st->h = NULL;
}

int mlops__object_write(mlops_store *s, mlops__obj_writer *w, const mlops_digest *d,
                        const void *data, size_t len, mlops__placed *out)
{
    mlops__staged st;
    int rc = mlops__object_stage(s, w, d, data, len, &st);
    if (rc) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    return mlops__object_place(s, &st, out);
}

void mlops__placed_clear(mlops__placed *p)
{
    if (p->spare) p->be->discard(p->be, p->spare);
    p->spare = NULL;
}

int mlops__objects_sync(mlops_store *s, const mlops__placed *objs, size_t n)
{
    if (!mlops__store_fsync_enabled(s)) return MLOPS_OK;
    size_t placed = 0;
    for (size_t i = 0; i < n; i++) placed += objs[i].placed != 0;
    if (!placed) return MLOPS_OK;
    mlops_digest one = {{0}};
    mlops_digest *d = placed == 1 ? &one : malloc(placed * sizeof *d);
    if (!d) return mlops__err_nomem("making objects durable");
    for (size_t i = 0, k = 0; i < n; i++)
        if (objs[i].placed) d[k++] = objs[i].digest;
    int rc = s->objects->sync(s->objects, d, placed);
    if (d != &one) free(d);
    return rc;
}

/* The object had no row and its file was already in place when we wrote:
 * under the write lock, make sure a file is still there (gc may have
 * removed the one we saw), moving our spare copy in otherwise. */
static int ensure_file(mlops_store *s, mlops__placed *p)
{
    int yes = 0;
    int rc = mlops__object_present(s, &p->digest, &yes);
    if (rc || yes) return rc;
    char ds[MLOPS_DIGEST_STRLEN];
    if (!p->spare)
        return mlops__err(MLOPS_ECONFLICT,
                          "object %s was removed by a garbage collection while this put ran",
                          mlops__digest_str(&p->digest, ds));
    int placed = 0;
    mlops__obj_staged *spare = p->spare;
    p->spare = NULL;
    rc = s->objects->place(s->objects, spare, &placed);
    if (rc) return rc;
    if (!placed) { /* another writer's copy arrived meanwhile */
        p->spare = spare;
        return MLOPS_OK;
    }
    p->placed = 1;
    return mlops__objects_sync(s, p, 1);
}

int mlops__objects_commit(mlops__conn *c, mlops_store *s, const mlops__removals_seen *seen,
                          mlops__placed *objs, size_t n, int64_t now_ms)
{
    int check = 1;
    int rc = mlops__removals_check_needed(c, seen, &check);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        mlops__placed *p = &objs[i];
        mlops__stmt *st;
        int present = 1;
        rc = p->placed && check ? mlops__object_present(s, &p->digest, &present) : MLOPS_OK;
        if (rc) return rc;
        if (!present) {
            /* Only a gc removes a file that has no row, and only one older
             * than its grace period: this put ran longer than that. */
            char ds[MLOPS_DIGEST_STRLEN];
            return mlops__err(MLOPS_ECONFLICT,
                              "object %s was removed by a garbage collection while this "
                              "put ran (longer than the gc grace period); put again",
                              mlops__digest_str(&p->digest, ds));
        }
        if (p->placed) {
            /* Our file is the one in place: its row must describe it (the
             * row may survive from a file fsck moved to quarantine). */
            rc = mlops__conn_stmt(c,
                                  "INSERT INTO cas_object(digest, size, stored, encoding, "
                                  "created_ms, touched_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
                                  "ON CONFLICT(digest) DO UPDATE SET stored = excluded.stored, "
                                  "encoding = excluded.encoding, touched_ms = excluded.touched_ms",
                                  &st);
        } else {
            rc = mlops__conn_stmt(c, "UPDATE cas_object SET touched_ms = ?2 WHERE digest = ?1",
                                  &st);
        }
        if (rc) return rc;
        rc = mlops__bind_blob(c, st, 1, p->digest.bytes, 32);
        if (!rc && p->placed) rc = mlops__bind_int64(c, st, 2, (int64_t)p->size);
        if (!rc && p->placed) rc = mlops__bind_int64(c, st, 3, (int64_t)p->stored);
        if (!rc && p->placed) rc = mlops__bind_int64(c, st, 4, p->encoding);
        if (!rc) rc = mlops__bind_int64(c, st, p->placed ? 5 : 2, now_ms);
        if (!rc) rc = mlops__conn_step_done(c, st, "recording an object");
        if (rc) return rc;
        if (p->placed || mlops__conn_changes(c) > 0) continue;
        /* No row: the file we found in place is an orphan (a crashed
         * writer's) or on its way out (gc). */
        rc = ensure_file(s, p);
        if (rc) return rc;
        rc = mlops__conn_stmt(c,
                              "INSERT INTO cas_object(digest, size, stored, encoding, "
                              "created_ms, touched_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                              &st);
        if (rc) return rc;
        rc = mlops__bind_blob(c, st, 1, p->digest.bytes, 32);
        if (!rc) rc = mlops__bind_int64(c, st, 2, (int64_t)p->size);
        if (!rc) rc = mlops__bind_int64(c, st, 3, (int64_t)p->stored);
        if (!rc) rc = mlops__bind_int64(c, st, 4, p->encoding);
        if (!rc) rc = mlops__bind_int64(c, st, 5, now_ms);
        if (!rc) rc = mlops__conn_step_done(c, st, "recording an object");
        if (rc) return rc;
    }
    return MLOPS_OK;
}

struct discard_arg {
    mlops_store *s;
    mlops__placed *objs;
    size_t n;
};

/* Removes the placed objects nobody recorded, all at once (a remote
 * backend removes them in parallel, and stops at a failure: a server
 * that is gone costs one round of retries). What fails or is not tried
 * stays an orphan for gc. */
static int discard_tx(mlops__conn *c, void *arg)
{
    struct discard_arg *a = arg;
    mlops_digest *gone = malloc(a->n * sizeof *gone);
    size_t *at = malloc(a->n * sizeof *at);
    int *removed = malloc(a->n * sizeof *removed);
    size_t n = 0;
    int rc = gone && at && removed ? MLOPS_OK : MLOPS_ENOMEM;
    for (size_t i = 0; !rc && i < a->n; i++) {
        if (!a->objs[i].placed) continue;
        int yes = 1;
        rc = mlops__object_recorded(c, &a->objs[i].digest, &yes);
        if (rc || yes) continue; /* someone recorded it: it stays */
        gone[n] = a->objs[i].digest;
        at[n++] = i;
    }
    if (!rc && n) (void)a->s->objects->remove(a->s->objects, gone, n, removed);
    for (size_t k = 0; !rc && k < n; k++)
        if (removed[k] >= 0) a->objs[at[k]].placed = 0;
    free(gone);
    free(at);
    free(removed);
    return MLOPS_OK;
}

void mlops__objects_discard(mlops_store *s, mlops__placed *objs, size_t n)
{
    size_t placed = 0;
    for (size_t i = 0; i < n; i++) placed += objs[i].placed != 0;
    if (placed) {
        struct discard_arg a = {s, objs, n};
        /* Best effort: the caller is already reporting the real error, so
         * keep its message. */
        char saved[1024];
        strncpy(saved, mlops__err_message(), sizeof saved - 1);
        saved[sizeof saved - 1] = '\0';
        (void)mlops__store_write(s, discard_tx, &a);
        mlops__err(MLOPS_OK, "%s", saved);
    }
    for (size_t i = 0; i < n; i++) mlops__placed_clear(&objs[i]);
}

/* ---- reading ------------------------------------------------------------ */

int mlops__obj_reader_new(mlops__obj_reader **out)
{
    mlops__obj_reader *r = calloc(1, sizeof *r);
    if (!r) return mlops__err_nomem("creating an object reader");
    r->dctx = ZSTD_createDCtx();
    r->buf = malloc(READ_PIECE);
    int rc = r->dctx && r->buf ? mlops__sha256_init(&r->sha)
                               : mlops__err_nomem("creating an object reader");
    if (rc) {
        ZSTD_freeDCtx(r->dctx);
        free(r->buf);
        free(r);
        return rc;
    }
    /* Decode straight into the destination (which always holds the whole
     * object): no window buffer, no copy out of it. */
    (void)ZSTD_DCtx_setParameter(r->dctx, ZSTD_d_stableOutBuffer, 1);
    *out = r;
    return MLOPS_OK;
}

void mlops__obj_reader_free(mlops__obj_reader *r)
{
    if (!r) return;
    ZSTD_freeDCtx(r->dctx);
    mlops__sha256_free(&r->sha);
    free(r->buf);
    free(r);
}

/* Object d as read failed a check: the backend drops any copy it keeps
 * besides the source (objects.h, damaged). */
static void tell_damaged(mlops_store *s, const mlops_digest *d)
{
    if (s->objects->damaged) s->objects->damaged(s->objects, d);
}

/* MLOPS_ECORRUPT naming object d, where it lives and why. */
static int corrupt(mlops_store *s, const mlops_digest *d, const char *why)
{
    char ds[MLOPS_DIGEST_STRLEN], w[1024];
    tell_damaged(s, d);
    return mlops__err(MLOPS_ECORRUPT, "object %s ('%s') is corrupt: %s",
                      mlops__digest_str(d, ds), where(s, d, w, sizeof w), why);
}

/* An object open for reading, its header parsed. */
struct src {
    mlops_store *s;
    const mlops_digest *d;
    mlops__obj_in *in;
    int encoding;
    uint64_t size;   /* decoded */
    uint64_t stored; /* the object's bytes, header included */
};

static void src_close(struct src *o)
{
    o->s->objects->close(o->s->objects, o->in);
    o->in = NULL;
}

/* Opens object d and parses its header. A missing object is corrupt: its
 * row says it exists. */
static int src_open(mlops_store *s, const mlops_digest *d, struct src *o)
{
    memset(o, 0, sizeof *o);
    o->s = s;
    o->d = d;
    int rc = s->objects->open(s->objects, d, &o->in, &o->stored);
    if (rc == MLOPS_ENOTFOUND) {
        char ds[MLOPS_DIGEST_STRLEN], why[1024];
        snprintf(why, sizeof why, "%s", mlops__err_message());
        return mlops__err(MLOPS_ECORRUPT, "object %s is missing: %s", mlops__digest_str(d, ds),
                          why);
    }
    if (rc) return rc;
    unsigned char h[MLOPS__OBJ_HEADER_SIZE];
    size_t got = 0;
    rc = s->objects->read(s->objects, o->in, h, sizeof h, &got);
    if (!rc && got != sizeof h) rc = corrupt(s, d, "shorter than its header");
    if (!rc) {
        rc = mlops__object_header_parse(s, d, h, &o->encoding, &o->size);
        if (rc == MLOPS_ECORRUPT) tell_damaged(s, d);
    }
    if (!rc && o->encoding == MLOPS__ENC_RAW && o->stored != MLOPS__OBJ_HEADER_SIZE + o->size)
        rc = corrupt(s, d, "its length does not match its header");
    if (!rc && o->encoding == MLOPS__ENC_ZSTD &&
        (o->stored < MLOPS__OBJ_HEADER_SIZE ||
         o->size > zstd_most(o->stored - MLOPS__OBJ_HEADER_SIZE)))
        rc = corrupt(s, d, "its header claims more bytes than its zstd frame can hold");
    if (rc) src_close(o);
    return rc;
}

/* Reads the payload of an open object into dst (its decoded size). */
static int read_payload(mlops__obj_reader *r, struct src *o, void *dst, size_t size)
{
    mlops__objects *be = o->s->objects;
    size_t got = 0;
    if (o->encoding == MLOPS__ENC_RAW) {
        int rc = be->read(be, o->in, dst, size, &got);
        if (!rc && got != size) rc = corrupt(o->s, o->d, "truncated");
        return rc;
    }
    if (o->stored < MLOPS__OBJ_HEADER_SIZE) return corrupt(o->s, o->d, "impossible length");
    uint64_t left = o->stored - MLOPS__OBJ_HEADER_SIZE;
    ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
    ZSTD_outBuffer out = {dst, size, 0};
    size_t hint = 1; /* 0 once the frame is complete */
    while (left) {
        size_t want = left < READ_PIECE ? (size_t)left : READ_PIECE;
        int rc = be->read(be, o->in, r->buf, want, &got);
        if (!rc && got != want) rc = corrupt(o->s, o->d, "truncated");
        if (rc) return rc;
        left -= want;
        ZSTD_inBuffer in = {r->buf, want, 0};
        while (in.pos < in.size) {
            if (hint == 0) return corrupt(o->s, o->d, "bytes follow its zstd frame");
            size_t in0 = in.pos, out0 = out.pos;
            hint = ZSTD_decompressStream(r->dctx, &out, &in);
            if (ZSTD_isError(hint)) {
                ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
                return corrupt(o->s, o->d, ZSTD_getErrorName(hint));
            }
            if (hint && in.pos == in0 && out.pos == out0) /* the output is full */
                return corrupt(o->s, o->d, "it decodes to more bytes than its header says");
        }
    }
    if (hint) return corrupt(o->s, o->d, "its zstd frame is truncated");
    if (out.pos != size)
        return corrupt(o->s, o->d, "it decodes to fewer bytes than its header says");
    return MLOPS_OK;
}

/* Hashes the decoded bytes of object d. */
static int verify(mlops_store *s, mlops__obj_reader *r, const mlops_digest *d, const void *data,
                  size_t len)
{
    mlops_digest got;
    int rc = mlops__sha256_update(&r->sha, data, len);
    if (!rc) rc = mlops__sha256_final(&r->sha, &got);
    if (rc) return rc;
    return mlops__object_check_digest(s, d, &got);
}

int mlops__object_check_digest(mlops_store *s, const mlops_digest *d, const mlops_digest *got)
{
    if (memcmp(got->bytes, d->bytes, 32) == 0) return MLOPS_OK;
    char gs[MLOPS_DIGEST_STRLEN], why[128];
    snprintf(why, sizeof why, "its content hashes to %s", mlops__digest_str(got, gs));
    return corrupt(s, d, why);
}

int mlops__object_read(mlops_store *s, mlops__obj_reader *r, const mlops_digest *d, void *dst,
                       size_t expect)
{
    int rc = mlops__object_decode(s, r, d, dst, expect);
    if (!rc) rc = verify(s, r, d, dst, expect);
    return rc;
}

int mlops__object_decode(mlops_store *s, mlops__obj_reader *r, const mlops_digest *d,
                         void *dst, size_t expect)
{
    struct src o;
    int rc = src_open(s, d, &o);
    if (rc) return rc;
    if (o.size != expect) rc = corrupt(s, d, "its size differs from its record");
    if (!rc) rc = read_payload(r, &o, dst, expect);
    src_close(&o);
    return rc;
}

int mlops__object_load(mlops_store *s, mlops__obj_reader *r, const mlops_digest *d,
                       size_t expect, int check, unsigned char **buf, size_t *cap,
                       const unsigned char **data, mlops__obj_in **held)
{
    *data = NULL;
    *held = NULL;
    struct src o;
    int rc = src_open(s, d, &o);
    if (rc) return rc;
    mlops__objects *be = s->objects;
    const unsigned char *at = NULL;
    size_t left = 0;
    int viewed = 0;
    if (o.size != expect) {
        rc = corrupt(s, d, "its size differs from its record");
    } else if (o.encoding == MLOPS__ENC_RAW && be->view && be->view(be, o.in, &at, &left)) {
        viewed = 1;
        /* src_open checked the stored length against the header's size */
        if (left != expect) rc = corrupt(s, d, "truncated");
    } else {
        if (*cap < expect || !*buf) {
            unsigned char *nb = realloc(*buf, expect ? expect : 1);
            if (!nb) rc = mlops__err_nomem("reading a chunk");
            else {
                *buf = nb;
                *cap = expect;
            }
        }
        if (!rc) rc = read_payload(r, &o, *buf, expect);
        at = *buf;
    }
    if (!rc && check) rc = verify(s, r, d, at, expect);
    if (rc || !viewed) src_close(&o);
    else *held = o.in; /* at points into it */
    if (!rc) *data = at;
    return rc;
}

void mlops__object_release(mlops_store *s, mlops__obj_in *held)
{
    if (held) s->objects->close(s->objects, held);
}

int mlops__object_read_alloc(mlops_store *s, mlops__obj_reader *r, const mlops_digest *d,
                             void **data, size_t *len)
{
    struct src o;
    void *buf = NULL;
    int rc = src_open(s, d, &o);
    if (rc) return rc;
    if (o.size > (uint64_t)1 << 40) rc = corrupt(s, d, "impossible size");
    if (!rc) {
        buf = malloc(o.size ? (size_t)o.size : 1);
        if (!buf) rc = mlops__err_nomem("reading an object");
    }
    if (!rc) rc = read_payload(r, &o, buf, (size_t)o.size);
    if (!rc) rc = verify(s, r, d, buf, (size_t)o.size);
    src_close(&o);
    if (rc) {
        free(buf);
        return rc;
    }
    *data = buf;
    *len = (size_t)o.size;
    return MLOPS_OK;
}

/* ---- encoded objects in memory (remotes) ---------------------------------- */

static int bad_copy(const mlops_digest *d, const char *where, const char *why)
{
    char ds[MLOPS_DIGEST_STRLEN];
    return mlops__err(MLOPS_ECORRUPT, "object %s ('%s') is corrupt: %s",
                      mlops__digest_str(d, ds), where, why);
}

int mlops__object_decode_encoded(mlops__obj_reader *r, const mlops_digest *d, const void *obj,
                                 size_t len, const char *where, int *encoding, uint64_t *size,
                                 const unsigned char **bytes, unsigned char **owned)
{
    const unsigned char *h = obj;
    *owned = NULL;
    if (len < MLOPS__OBJ_HEADER_SIZE || memcmp(h, obj_magic, 4) != 0)
        return bad_copy(d, where, "no object header");
    if (h[4] != MLOPS__OBJ_VERSION)
        return mlops__err(h[4] > MLOPS__OBJ_VERSION ? MLOPS_EUNSUPPORTED : MLOPS_ECORRUPT,
                          "object '%s' has object format version %d; this library reads "
                          "version %d",
                          where, h[4], MLOPS__OBJ_VERSION);
    if ((h[5] != MLOPS__ENC_RAW && h[5] != MLOPS__ENC_ZSTD) || h[6] || h[7])
        return bad_copy(d, where, "unknown encoding");
    uint64_t n = mlops__get_le64(h + 8);
    const unsigned char *payload = h + MLOPS__OBJ_HEADER_SIZE;
    size_t plen = len - MLOPS__OBJ_HEADER_SIZE;
    if (n > (uint64_t)1 << 34) return bad_copy(d, where, "impossible size");
    if (h[5] == MLOPS__ENC_RAW && plen != n)
        return bad_copy(d, where, "its length does not match its header");
    if (h[5] == MLOPS__ENC_ZSTD && n > zstd_most(plen))
        return bad_copy(d, where, "its header claims more bytes than its zstd frame can hold");
    if (h[5] == MLOPS__ENC_ZSTD) {
        unsigned char *buf = malloc(n ? (size_t)n : 1);
        if (!buf) return mlops__err_nomem("checking an object");
        size_t got = ZSTD_decompressDCtx(r->dctx, buf, (size_t)n, payload, plen);
        if (ZSTD_isError(got) || got != n) {
            free(buf);
            return bad_copy(d, where, ZSTD_isError(got) ? ZSTD_getErrorName(got)
                                                        : "it decodes to another size");
        }
        *owned = buf;
        payload = buf;
    }
    *bytes = payload;
    *encoding = h[5];
    *size = n;
    return MLOPS_OK;
}

int mlops__object_check_hashed(const mlops_digest *d, const char *where, const mlops_digest *got)
{
    if (memcmp(got->bytes, d->bytes, 32) != 0)
        return bad_copy(d, where, "its content hashes to another digest");
    return MLOPS_OK;
}

int mlops__object_check_encoded(mlops__obj_reader *r, const mlops_digest *d, const void *obj,
                                size_t len, const char *where, int *encoding, uint64_t *size,
                                void **data)
{
    if (data) *data = NULL;
    const unsigned char *bytes = NULL;
    unsigned char *buf = NULL;
    int enc = 0;
    uint64_t n = 0;
    int rc = mlops__object_decode_encoded(r, d, obj, len, where, &enc, &n, &bytes, &buf);
    if (rc) return rc;
    mlops_digest got;
    rc = mlops__sha256_update(&r->sha, bytes, (size_t)n);
    if (!rc) rc = mlops__sha256_final(&r->sha, &got);
    if (!rc) rc = mlops__object_check_hashed(d, where, &got);
    if (!rc && data && !buf) {
        if (!(buf = malloc(n ? (size_t)n : 1))) rc = mlops__err_nomem("checking an object");
        else if (n) memcpy(buf, bytes, (size_t)n);
    }
    if (rc || !data) free(buf);
    else *data = buf;
    if (!rc) {
        *encoding = enc;
        *size = n;
    }
    return rc;
}

static int stage_encoded(mlops_store *s, const mlops_digest *d, const void *obj, size_t len,
                         int encoding, uint64_t size, mlops__staged *out, int settled)
{
    memset(out, 0, sizeof *out);
    out->digest = *d;
    out->size = size;
    out->stored = len;
    out->encoding = encoding;
    out->be = s->objects;
    mlops__obj_piece piece = {obj, len};
    mlops__objects *be = s->objects;
    if (settled && be->stage_settled) return be->stage_settled(be, d, &piece, 1, &out->h);
    return be->stage(be, d, &piece, 1, &out->h);
}

int mlops__object_stage_encoded(mlops_store *s, const mlops_digest *d, const void *obj,
                                size_t len, int encoding, uint64_t size, mlops__staged *out)
{
    return stage_encoded(s, d, obj, len, encoding, size, out, 0);
}

int mlops__object_stage_encoded_settled(mlops_store *s, const mlops_digest *d, const void *obj,
                                        size_t len, int encoding, uint64_t size,
                                        mlops__staged *out)
{
    return stage_encoded(s, d, obj, len, encoding, size, out, 1);
}
