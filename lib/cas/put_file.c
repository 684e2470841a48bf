/* Putting a file, and the streaming writer: both feed the one-pass
 * ingest (lib/cas/ingest.c). */
#include "cas/cas_internal.h"
#include "cas/ingest.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads fd to its end into a new blob. path names it in messages. */
int mlops__put_fd(mlops_store *s, const char *func, int fd, const char *path,
                  mlops_digest *out, uint64_t *size)
{
    mlops__ingest *ig;
    int rc = mlops__ingest_new(s, func, &ig);
    if (rc) return rc;
    for (;;) {
        void *p = NULL;
        size_t room = 0;
        rc = mlops__ingest_reserve(ig, &p, &room);
        if (rc) break;
        ssize_t n = read(fd, p, room);
        if (n < 0) {
            if (errno == EINTR) continue;
            rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot read '%s'", func, path);
            break;
        }
        if (n == 0) {
            if (size) *size = mlops__ingest_total(ig);
            return mlops__ingest_finish(ig, out);
        }
        rc = mlops__ingest_advance(ig, (size_t)n);
        if (rc) break;
    }
    mlops__ingest_abort(ig);
    return rc;
}

MLOPS_API int mlops_blob_put_file(mlops_store *s, const char *path, mlops_digest *out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!path) return mlops__err_null(__func__, "path");
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__store_check_writable(s, __func__);
    if (rc) return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return mlops__err_os(e == ENOENT ? MLOPS_ENOTFOUND : MLOPS_EIO, e,
                             "%s: cannot open '%s'", __func__, path);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot stat '%s'", __func__, path);
    } else if (S_ISDIR(st.st_mode)) {
        rc = mlops__err(MLOPS_EINVAL,
                        "%s: '%s' is a directory (use mlops_tree_put)", __func__, path);
    } else {
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        rc = mlops__put_fd(s, __func__, fd, path, out, NULL);
    }
    close(fd);
    return rc;
}

struct mlops_blob_writer {
    mlops__ingest *ig;
};

MLOPS_API int mlops_blob_writer_open(mlops_store *s, mlops_blob_writer **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__store_check_writable(s, __func__);
    if (rc) return rc;
    mlops_blob_writer *w = calloc(1, sizeof *w);
    if (!w) return mlops__err_nomem(__func__);
    rc = mlops__ingest_new(s, "mlops_blob_writer", &w->ig);
    if (rc) {
        free(w);
        return rc;
    }
    *out = w;
    return MLOPS_OK;
}

MLOPS_API int mlops_blob_writer_write(mlops_blob_writer *w, const void *data, size_t len)
{
    if (!w) return mlops__err_null(__func__, "w");
    if (mlops__check_array(__func__, "data", data, len, 1)) return MLOPS_EINVAL;
    return mlops__ingest_write(w->ig, data, len);
}

MLOPS_API int mlops_blob_writer_commit(mlops_blob_writer *w, mlops_digest *out)
{
    if (!w) return mlops__err_null(__func__, "w");
    if (!out) {
        mlops_blob_writer_abort(w);
        return mlops__err_null(__func__, "out");
    }
    int rc = mlops__ingest_finish(w->ig, out);
    free(w);
    return rc;
}

MLOPS_API void mlops_blob_writer_abort(mlops_blob_writer *w)
{
    if (!w) return;
    mlops__ingest_abort(w->ig);
    free(w);
}
