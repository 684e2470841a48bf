/* Reading blobs: to memory, to a file, and random access. Every span is
 * verified before its bytes reach the caller; a complete read (to memory,
 * to a file) proves the whole blob's digest (fetch.h). */
#include "cas/cas_internal.h"
#include "cas/fetch.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Looks the content up and runs fn with a borrowed connection. */
static int with_content(mlops_store *s, const char *func, const mlops_digest *d,
                        int (*fn)(mlops_store *, mlops__conn *, const mlops__content *, void *),
                        void *arg)
{
    mlops__conn *c;
    int rc = mlops__store_conn(s, &c);
    if (rc) return rc;
    mlops__content ct;
    rc = mlops__content_get(c, func, d, &ct);
    if (!rc) rc = fn(s, c, &ct, arg);
    mlops__store_release(s, c);
    return rc;
}

/* ---- random access (and whole reads to memory) ----------------------------- */

struct range_arg {
    const mlops_digest *d;
    uint64_t offset;
    unsigned char *buf;
    size_t len;
    size_t *got;
    int whole; /* the range is the whole blob: prove its digest */
};

static unsigned char *range_dest(void *ctx, const mlops__span *sp)
{
    struct range_arg *a = ctx;
    /* A span wholly inside the range decodes in place; on failure the
     * caller's buffer is cleared. */
    if (sp->offset >= a->offset && sp->offset + sp->size <= a->offset + a->len)
        return a->buf + (sp->offset - a->offset);
    return NULL;
}

static int range_done(void *ctx, const mlops__span *sp, const unsigned char *data)
{
    struct range_arg *a = ctx;
    if (sp->offset >= a->offset && sp->offset + sp->size <= a->offset + a->len) return MLOPS_OK;
    uint64_t lo = sp->offset > a->offset ? sp->offset : a->offset;
    uint64_t hi = sp->offset + sp->size;
    if (hi > a->offset + a->len) hi = a->offset + a->len;
    memcpy(a->buf + (lo - a->offset), data + (lo - sp->offset), (size_t)(hi - lo));
    return MLOPS_OK;
}

static int read_range(mlops_store *s, mlops__conn *c, const mlops__content *ct, void *arg)
{
    struct range_arg *a = arg;
    /* An empty whole read still runs: the digest must be the empty one. */
    if (!a->whole && (a->offset >= ct->size || a->len == 0)) {
        *a->got = 0;
        return MLOPS_OK;
    }
    if (a->len > ct->size - a->offset) a->len = (size_t)(ct->size - a->offset);
    mlops__fetch f = {s, c, a->d, ct, a->offset, a->offset + a->len,
                      range_dest, range_done, a, a->whole, 0};
    int rc = mlops__fetch_run(&f);
    if (rc) {
        memset(a->buf, 0, a->len);
        return rc;
    }
    *a->got = a->len;
    return MLOPS_OK;
}

MLOPS_API int mlops_blob_read_at(mlops_store *s, const mlops_digest *d, uint64_t offset,
                                 void *buf, size_t len, size_t *got)
{
    if (got) *got = 0;
    if (!s) return mlops__err_null(__func__, "s");
    if (!d) return mlops__err_null(__func__, "d");
    if (mlops__check_array(__func__, "buf", buf, len, 1)) return MLOPS_EINVAL;
    if (!got) return mlops__err_null(__func__, "got");
    struct range_arg a = {d, offset, buf, len, got, 0};
    int rc = with_content(s, __func__, d, read_range, &a);
    /* All len bytes (read_range clears only those up to the blob's end,
     * and nothing when the blob was not found). */
    if (rc && len) memset(buf, 0, len);
    return rc;
}

struct whole_arg {
    const mlops_digest *d;
    void **data;
    size_t *len;
    const char *fn;
};

static int read_whole(mlops_store *s, mlops__conn *c, const mlops__content *ct, void *arg)
{
    struct whole_arg *w = arg;
    if (ct->size > SIZE_MAX - 1)
        return mlops__err(MLOPS_ENOMEM, "%s: the blob does not fit in memory", w->fn);
    unsigned char *buf = malloc(ct->size ? (size_t)ct->size : 1);
    if (!buf)
        return mlops__err(MLOPS_ENOMEM, "out of memory while %s: allocating the blob's buffer",
                          w->fn);
    size_t got = 0;
    struct range_arg a = {w->d, 0, buf, (size_t)ct->size, &got, 1};
    int rc = read_range(s, c, ct, &a);
    if (rc) {
        free(buf);
        return rc;
    }
    *w->data = buf;
    *w->len = (size_t)ct->size;
    return MLOPS_OK;
}

MLOPS_API int mlops_blob_get(mlops_store *s, const mlops_digest *d, void **data, size_t *len)
{
    if (data) *data = NULL;
    if (len) *len = 0;
    if (!s) return mlops__err_null(__func__, "s");
    if (!d) return mlops__err_null(__func__, "d");
    if (!data) return mlops__err_null(__func__, "data");
    if (!len) return mlops__err_null(__func__, "len");
    struct whole_arg w = {d, data, len, __func__};
    return with_content(s, __func__, d, read_whole, &w);
}

/* ---- to a file --------------------------------------------------------------- */

/* A new file ".<name>.mlops-<hex>" beside path (same file system, so the
 * final rename is atomic). Mode 0666 less the umask, like any new file. */
static int temp_beside(const char *path, int *fd_out, char **tmp_out)
{
    char *copy1 = mlops__strdup(path), *copy2 = mlops__strdup(path);
    int rc = copy1 && copy2 ? MLOPS_OK : mlops__err_nomem("building a temporary name");
    for (int attempt = 0; !rc && attempt < 16; attempt++) {
        unsigned char rnd[8];
        char hex[17];
        rc = mlops__random_bytes(rnd, sizeof rnd);
        if (rc) break;
        mlops__hex_encode(rnd, sizeof rnd, hex);
        const char *dir = dirname(copy1), *base = basename(copy2);
        size_t n = strlen(dir) + strlen(base) + 32;
        char *tmp = malloc(n);
        if (!tmp) {
            rc = mlops__err_nomem("building a temporary name");
            break;
        }
        snprintf(tmp, n, "%s/.%s.mlops-%s", dir, base, hex);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            *fd_out = fd;
            *tmp_out = tmp;
            break;
        }
        int e = errno;
        free(tmp);
        if (e != EEXIST)
            rc = mlops__err_os(e == ENOENT ? MLOPS_ENOTFOUND : MLOPS_EIO, e,
                               "cannot create a file beside '%s'", path);
    }
    free(copy1);
    free(copy2);
    return rc;
}

struct file_arg {
    const mlops_digest *d;
    const char *path;
    const char *func;
    unsigned flags;
};

static int write_file(mlops_store *s, mlops__conn *c, const mlops__content *ct, void *arg)
{
    struct file_arg *a = arg;
    struct stat st;
    if (lstat(a->path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return mlops__err(MLOPS_EINVAL, "%s: '%s' is a directory", a->func, a->path);
        if (!(a->flags & MLOPS_GET_REPLACE))
            return mlops__err(MLOPS_EEXIST,
                              "%s: '%s' exists (pass MLOPS_GET_REPLACE to replace it)", a->func,
                              a->path);
    }
    char *tmp = NULL;
    mlops__fetch_file out = {-1, NULL, mlops__store_fsync_enabled(s), 0};
    int rc = temp_beside(a->path, &out.fd, &tmp);
    if (rc) return rc;
    out.name = tmp;
    /* A whole read: the temporary file is renamed into place only once
     * the blob's digest is proven. */
    mlops__fetch f = {s, c, a->d, ct, 0, ct->size, NULL, mlops__fetch_file_write, &out, 1, 0};
    rc = mlops__fetch_run(&f);
    if (!rc && out.write_out) rc = mlops__fsync_fd(out.fd, tmp);
    if (close(out.fd) != 0 && !rc) rc = mlops__err_os(MLOPS_EIO, errno, "cannot close '%s'", tmp);
    if (!rc) {
        if (a->flags & MLOPS_GET_REPLACE) {
            if (rename(tmp, a->path) != 0)
                rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot rename '%s' to '%s'", a->func,
                                   tmp, a->path);
        } else {
            rc = mlops__rename_noreplace(tmp, a->path);
            if (rc == MLOPS_EEXIST)
                mlops__err(rc, "%s: '%s' appeared while the blob was written", a->func,
                           a->path);
        }
    }
    if (!rc && mlops__store_fsync_enabled(s)) {
        char *copy = mlops__strdup(a->path);
        if (copy) (void)mlops__fsync_dir(dirname(copy));
        free(copy);
    }
    if (rc) unlink(tmp);
    free(tmp);
    return rc;
}

static int get_file(const char *func, mlops_store *s, const mlops_digest *d, const char *path,
                    unsigned flags)
{
    if (!s) return mlops__err_null(func, "s");
    if (!d) return mlops__err_null(func, "d");
    if (!path) return mlops__err_null(func, "path");
    if (!path[0]) return mlops__err(MLOPS_EINVAL, "%s: path is empty", func);
    if (flags & ~(unsigned)MLOPS_GET_REPLACE)
        return mlops__err(MLOPS_EINVAL, "%s: unknown flags 0x%x", func, flags);
    struct file_arg a = {d, path, func, flags};
    return with_content(s, func, d, write_file, &a);
}

MLOPS_API int mlops_blob_get_file_ex(mlops_store *s, const mlops_digest *d, const char *path,
                                     unsigned flags)
{
    return get_file(__func__, s, d, path, flags);
}

MLOPS_API int mlops_blob_get_file(mlops_store *s, const mlops_digest *d, const char *path)
{
    return get_file(__func__, s, d, path, 0);
}
