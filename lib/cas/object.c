/* Object files: encoding, writing (temp file, fsync, no-clobber rename)
 * and reading with verification. */
#include "cas/cas_internal.h"
#include "store/tmpdir.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
/* For ZSTD_d_stableOutBuffer (a decoder setting, zstd >= 1.4.4): when the
 * library refuses it, decoding still works, through zstd's own buffer. */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

static const unsigned char obj_magic[4] = {0x89, 'M', 'L', 'O'};

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
    char hex[65];
    mlops__hex_encode(d->bytes, sizeof d->bytes, hex);
    size_t n = strlen(s->objects_dir) + sizeof "/sha256/ab/" + 62;
    char *p = malloc(n);
    if (!p) return NULL;
    memcpy(p, s->objects_dir, strlen(s->objects_dir));
    char *q = p + strlen(s->objects_dir);
    memcpy(q, "/sha256/", 8);
    q += 8;
    q[0] = hex[0];
    q[1] = hex[1];
    q[2] = '/';
    memcpy(q + 3, hex + 2, 63); /* 62 digits and the NUL */
    return p;
}

int mlops__object_file_present(const mlops_store *s, const mlops_digest *d)
{
    char *p = mlops__object_path(s, d);
    if (!p) return 0;
    struct stat st;
    int ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return ok;
}

static void put_u64le(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64le(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static void header_write(unsigned char *h, int encoding, uint64_t size)
{
    memcpy(h, obj_magic, 4);
    h[4] = MLOPS__OBJ_VERSION;
    h[5] = (unsigned char)encoding;
    h[6] = 0;
    h[7] = 0;
    put_u64le(h + 8, size);
}

int mlops__object_header_parse(const unsigned char *h, const char *path, int *encoding,
                               uint64_t *size)
{
    if (memcmp(h, obj_magic, 4) != 0)
        return mlops__err(MLOPS_ECORRUPT, "object file '%s' has no object header", path);
    if (h[4] != MLOPS__OBJ_VERSION)
        return mlops__err(h[4] > MLOPS__OBJ_VERSION ? MLOPS_EUNSUPPORTED : MLOPS_ECORRUPT,
                          "object file '%s' has object format version %d; this library "
                          "reads version %d",
                          path, h[4], MLOPS__OBJ_VERSION);
    if ((h[5] != MLOPS__ENC_RAW && h[5] != MLOPS__ENC_ZSTD) || h[6] || h[7])
        return mlops__err(MLOPS_ECORRUPT, "object file '%s' has an unknown encoding %d", path,
                          h[5]);
    *encoding = h[5];
    *size = get_u64le(h + 8);
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

/* Makes sure the fan-out directory of obj_path exists. The first time one
 * is missing, all 256 are made and their parent fsync'd once, rather than
 * one fsync per new directory on a new store's first puts. */
static int make_fanout_dir(mlops_store *s, const char *obj_path)
{
    size_t n = strlen(obj_path) - 63; /* ".../ab" */
    char dir[4096];
    if (n >= sizeof dir) return mlops__err(MLOPS_EINVAL, "object path '%s' is too long", obj_path);
    memcpy(dir, obj_path, n);
    dir[n] = '\0';
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) return MLOPS_OK;
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 256; i++) {
        dir[n - 2] = hex[i >> 4];
        dir[n - 1] = hex[i & 15];
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return mlops__err_os(MLOPS_EIO, errno, "cannot create object directory '%s'", dir);
    }
    dir[n - 3] = '\0';
    return mlops__store_fsync_enabled(s) ? mlops__fsync_dir(dir) : MLOPS_OK;
}

int mlops__object_stage(mlops_store *s, mlops__obj_writer *w, const mlops_digest *d,
                        const void *data, size_t len, mlops__staged *out)
{
    memset(out, 0, sizeof *out);
    out->fd = -1;
    out->digest = *d;
    out->size = len;
    size_t clen = try_compress(w, data, len);
    unsigned char header[MLOPS__OBJ_HEADER_SIZE];
    struct iovec iov[2];
    int niov;
    if (clen) {
        header_write(w->buf, MLOPS__ENC_ZSTD, len);
        iov[0].iov_base = w->buf;
        iov[0].iov_len = MLOPS__OBJ_HEADER_SIZE + clen;
        niov = 1;
        out->encoding = MLOPS__ENC_ZSTD;
    } else {
        header_write(header, MLOPS__ENC_RAW, len);
        iov[0].iov_base = header;
        iov[0].iov_len = sizeof header;
        iov[1].iov_base = (void *)data;
        iov[1].iov_len = len;
        niov = len ? 2 : 1;
        out->encoding = MLOPS__ENC_RAW;
    }
    out->stored = MLOPS__OBJ_HEADER_SIZE + (clen ? clen : len);

    int fd = -1;
    char *tmp = NULL;
    const char *tmp_dir = NULL;
    int rc = mlops__store_tmp_dir(s, &tmp_dir);
    if (!rc) rc = mlops__tmpfile(tmp_dir, &fd, &tmp);
    for (int i = 0; !rc && i < niov; i++)
        rc = mlops__write_all(fd, iov[i].iov_base, iov[i].iov_len, tmp);
#ifdef SYNC_FILE_RANGE_WRITE
    /* Start writing it out now, so that the fsync before the rename
     * (often on another thread) finds the work done or under way. */
    if (!rc && mlops__store_fsync_enabled(s))
        (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    if (rc) {
        if (fd >= 0) close(fd);
        if (tmp) unlink(tmp);
        free(tmp);
        return rc;
    }
    out->fd = fd;
    out->tmp = tmp;
    return MLOPS_OK;
}

int mlops__object_place(mlops_store *s, mlops__staged *st, mlops__placed *out)
{
    memset(out, 0, sizeof *out);
    out->digest = st->digest;
    out->size = st->size;
    out->stored = st->stored;
    out->encoding = st->encoding;
    char *path = mlops__object_path(s, &st->digest);
    int rc = path ? MLOPS_OK : mlops__err_nomem("building an object path");
    if (!rc && mlops__store_fsync_enabled(s)) rc = mlops__fsync_fd(st->fd, st->tmp);
    if (close(st->fd) != 0 && !rc)
        rc = mlops__err_os(MLOPS_EIO, errno, "cannot close '%s'", st->tmp);
    st->fd = -1;
    if (!rc) rc = make_fanout_dir(s, path);
    if (!rc) {
        rc = mlops__rename_noreplace(st->tmp, path);
        if (rc == MLOPS_OK) {
            out->placed = 1;
        } else if (rc == MLOPS_EEXIST) {
            /* Someone else's copy is in place; keep ours until the commit
             * has checked, under the write lock, that theirs stays. */
            out->spare = st->tmp;
            st->tmp = NULL;
            rc = MLOPS_OK;
        }
    }
    if (st->tmp) {
        if (rc) unlink(st->tmp);
        free(st->tmp);
        st->tmp = NULL;
    }
    free(path);
    return rc;
}

void mlops__staged_discard(mlops__staged *st)
{
    if (st->fd >= 0) close(st->fd);
    st->fd = -1;
    if (st->tmp) {
        unlink(st->tmp);
        free(st->tmp);
        st->tmp = NULL;
    }
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
    if (p->spare) {
        unlink(p->spare);
        free(p->spare);
        p->spare = NULL;
    }
}

int mlops__objects_sync_dirs(mlops_store *s, const mlops__placed *objs, size_t n)
{
    if (!mlops__store_fsync_enabled(s)) return MLOPS_OK;
    unsigned char seen[256] = {0};
    for (size_t i = 0; i < n; i++) {
        if (!objs[i].placed || seen[objs[i].digest.bytes[0]]) continue;
        seen[objs[i].digest.bytes[0]] = 1;
        char *p = mlops__object_path(s, &objs[i].digest);
        if (!p) return mlops__err_nomem("building an object path");
        p[strlen(p) - 63] = '\0';
        int rc = mlops__fsync_dir(p);
        free(p);
        if (rc) return rc;
    }
    return MLOPS_OK;
}

/* The object had no row and its file was already in place when we wrote:
 * under the write lock, make sure a file is still there (gc may have
 * removed the one we saw), moving our spare copy in otherwise. */
static int ensure_file(mlops_store *s, mlops__placed *p)
{
    char *path = mlops__object_path(s, &p->digest);
    if (!path) return mlops__err_nomem("building an object path");
    struct stat st;
    int rc = MLOPS_OK;
    if (stat(path, &st) != 0) {
        char ds[MLOPS_DIGEST_STRLEN];
        if (!p->spare)
            rc = mlops__err(MLOPS_ECONFLICT,
                            "object %s was removed by a garbage collection while this "
                            "put ran",
                            mlops__digest_str(&p->digest, ds));
        else {
            rc = mlops__rename_noreplace(p->spare, path);
            if (rc == MLOPS_EEXIST) rc = MLOPS_OK;
            else if (rc == MLOPS_OK) {
                free(p->spare);
                p->spare = NULL;
                p->placed = 1;
                rc = mlops__objects_sync_dirs(s, p, 1);
            }
        }
    }
    free(path);
    return rc;
}

int mlops__objects_commit(mlops__conn *c, mlops_store *s, mlops__placed *objs, size_t n,
                          int64_t now_ms)
{
    for (size_t i = 0; i < n; i++) {
        mlops__placed *p = &objs[i];
        mlops__stmt *st;
        int rc;
        if (p->placed && !mlops__object_file_present(s, &p->digest)) {
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

static int discard_tx(mlops__conn *c, void *arg)
{
    struct discard_arg *a = arg;
    for (size_t i = 0; i < a->n; i++) {
        if (!a->objs[i].placed) continue;
        int yes = 1;
        if (mlops__object_recorded(c, &a->objs[i].digest, &yes)) return MLOPS_OK;
        if (yes) continue; /* someone recorded it: it stays */
        char *path = mlops__object_path(a->s, &a->objs[i].digest);
        if (path) unlink(path);
        free(path);
        a->objs[i].placed = 0;
    }
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

static int corrupt(const mlops_digest *d, const char *path, const char *why)
{
    char ds[MLOPS_DIGEST_STRLEN];
    return mlops__err(MLOPS_ECORRUPT, "object %s ('%s') is corrupt: %s",
                      mlops__digest_str(d, ds), path, why);
}

/* Opens an object and parses its header; *fsize receives the file size. */
static int open_object(const mlops_digest *d, const char *path, int *fd_out, int *encoding,
                       uint64_t *size, uint64_t *fsize)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        char ds[MLOPS_DIGEST_STRLEN];
        if (e == ENOENT)
            return mlops__err(MLOPS_ECORRUPT, "object %s is missing: no file '%s'",
                              mlops__digest_str(d, ds), path);
        return mlops__err_os(MLOPS_EIO, e, "cannot open object %s ('%s')",
                             mlops__digest_str(d, ds), path);
    }
    struct stat st;
    unsigned char h[MLOPS__OBJ_HEADER_SIZE];
    size_t got = 0;
    int rc = fstat(fd, &st) == 0 ? MLOPS_OK
                                 : mlops__err_os(MLOPS_EIO, errno, "cannot stat '%s'", path);
    if (!rc) rc = mlops__read_full(fd, h, sizeof h, &got, path);
    if (!rc && got != sizeof h) rc = corrupt(d, path, "shorter than its header");
    if (!rc) rc = mlops__object_header_parse(h, path, encoding, size);
    if (!rc && *encoding == MLOPS__ENC_RAW &&
        (uint64_t)st.st_size != MLOPS__OBJ_HEADER_SIZE + *size)
        rc = corrupt(d, path, "its length does not match its header");
    if (rc) {
        close(fd);
        return rc;
    }
    *fsize = (uint64_t)st.st_size;
    *fd_out = fd;
    return MLOPS_OK;
}

/* Reads the payload of an open object into dst (its decoded size). */
static int read_payload(mlops__obj_reader *r, int fd, const mlops_digest *d, const char *path,
                        int encoding, uint64_t fsize, void *dst, size_t size)
{
    size_t got = 0;
    if (encoding == MLOPS__ENC_RAW) {
        int rc = mlops__read_full(fd, dst, size, &got, path);
        if (!rc && got != size) rc = corrupt(d, path, "truncated");
        return rc;
    }
    if (fsize < MLOPS__OBJ_HEADER_SIZE) return corrupt(d, path, "impossible length");
    uint64_t left = fsize - MLOPS__OBJ_HEADER_SIZE;
    ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
    ZSTD_outBuffer out = {dst, size, 0};
    size_t hint = 1; /* 0 once the frame is complete */
    while (left) {
        size_t want = left < READ_PIECE ? (size_t)left : READ_PIECE;
        int rc = mlops__read_full(fd, r->buf, want, &got, path);
        if (!rc && got != want) rc = corrupt(d, path, "truncated");
        if (rc) return rc;
        left -= want;
        ZSTD_inBuffer in = {r->buf, want, 0};
        while (in.pos < in.size) {
            if (hint == 0) return corrupt(d, path, "bytes follow its zstd frame");
            size_t in0 = in.pos, out0 = out.pos;
            hint = ZSTD_decompressStream(r->dctx, &out, &in);
            if (ZSTD_isError(hint)) {
                ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
                return corrupt(d, path, ZSTD_getErrorName(hint));
            }
            if (hint && in.pos == in0 && out.pos == out0) /* the output is full */
                return corrupt(d, path, "it decodes to more bytes than its header says");
        }
    }
    if (hint) return corrupt(d, path, "its zstd frame is truncated");
    if (out.pos != size) return corrupt(d, path, "it decodes to fewer bytes than its header says");
    return MLOPS_OK;
}

/* Hashes the decoded bytes of object d; the path is only for the message. */
static int verify(mlops_store *s, mlops__obj_reader *r, const mlops_digest *d, const void *data,
                  size_t len)
{
    mlops_digest got;
    int rc = mlops__sha256_update(&r->sha, data, len);
    if (!rc) rc = mlops__sha256_final(&r->sha, &got);
    if (rc) return rc;
    if (memcmp(got.bytes, d->bytes, 32) != 0) {
        char gs[MLOPS_DIGEST_STRLEN], why[128];
        snprintf(why, sizeof why, "its content hashes to %s", mlops__digest_str(&got, gs));
        char *path = mlops__object_path(s, d);
        rc = corrupt(d, path ? path : "?", why);
        free(path);
    }
    return rc;
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
    char *path = mlops__object_path(s, d);
    if (!path) return mlops__err_nomem("building an object path");
    int fd = -1, encoding = 0;
    uint64_t size = 0, fsize = 0;
    int rc = open_object(d, path, &fd, &encoding, &size, &fsize);
    if (!rc && size != expect) rc = corrupt(d, path, "its size differs from its record");
    if (!rc) rc = read_payload(r, fd, d, path, encoding, fsize, dst, expect);
    if (fd >= 0) close(fd);
    free(path);
    return rc;
}

int mlops__object_read_alloc(mlops_store *s, mlops__obj_reader *r, const mlops_digest *d,
                             void **data, size_t *len)
{
    char *path = mlops__object_path(s, d);
    if (!path) return mlops__err_nomem("building an object path");
    int fd = -1, encoding = 0;
    uint64_t size = 0, fsize = 0;
    void *buf = NULL;
    int rc = open_object(d, path, &fd, &encoding, &size, &fsize);
    if (!rc && size > (uint64_t)1 << 40) rc = corrupt(d, path, "impossible size");
    if (!rc) {
        buf = malloc(size ? (size_t)size : 1);
        if (!buf) rc = mlops__err_nomem("reading an object");
    }
    if (!rc) rc = read_payload(r, fd, d, path, encoding, fsize, buf, (size_t)size);
    if (!rc) rc = verify(s, r, d, buf, (size_t)size);
    if (fd >= 0) close(fd);
    free(path);
    if (rc) {
        free(buf);
        return rc;
    }
    *data = buf;
    *len = (size_t)size;
    return MLOPS_OK;
}
