#include "util/fs.h"
#include "util/err.h"
#include "util/clock.h"
#include "util/str.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/magic.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#endif

char *mlops__path_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    if (la && a[la - 1] == '/') return mlops__strcat3(a, b, NULL);
    return mlops__strcat3(a, "/", b);
}

static int mkdir_mode(const char *path, unsigned mode)
{
    if (mkdir(path, (mode_t)mode) == 0) return MLOPS_OK;
    int e = errno;
    struct stat st;
    if (e == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return MLOPS_OK;
    if (e == EEXIST)
        return mlops__err(MLOPS_EFORMAT, "cannot create directory '%s': a file of that name exists",
                          path);
    return mlops__err_os(mlops__errno_code(e) == MLOPS_ENOMEM ? MLOPS_ENOMEM : MLOPS_EIO, e,
                         "cannot create directory '%s'", path);
}

int mlops__mkdir(const char *path)
{
    return mkdir_mode(path, 0755);
}

int mlops__mkdir_p(const char *path, unsigned last_mode)
{
    char *copy = mlops__strdup(path);
    if (!copy) return mlops__err_nomem("copying a path");
    int rc = MLOPS_OK;
    for (char *p = copy + 1; *p && rc == MLOPS_OK; p++) {
        if (*p != '/') continue;
        *p = '\0';
        rc = mlops__mkdir(copy);
        *p = '/';
    }
    if (rc == MLOPS_OK) rc = mkdir_mode(copy, last_mode);
    free(copy);
    return rc;
}

/* A write() or pwrite() takes at most this many bytes. Linux gives a
 * file's page cache folios as large as the write that makes them (ext4,
 * xfs, since 6.x); where memory is fragmented, which a full page cache
 * is, each large folio is found by compacting memory on the writing
 * thread's time: 1 GiB written 1 MiB per write took 1.1-2.9 s of system
 * CPU on a 6.18 kernel, 64 KiB per write 0.4-0.5 s (dd, page cache
 * full). Short writes also let a kernel that does not preempt system
 * calls (PREEMPT_NONE) switch to a woken thread sooner, which the S3 read
 * cache's idle-priority writer needs. Past 64 KiB, fewer system calls
 * save nothing that matters. */
#define WRITE_PIECE ((size_t)64 << 10)

int mlops__write_all(int fd, const void *buf, size_t len, const char *path)
{
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len < WRITE_PIECE ? len : WRITE_PIECE);
        if (n < 0) {
            if (errno == EINTR) continue;
            return mlops__err_os(MLOPS_EIO, errno, "cannot write '%s'", path);
        }
        p += n;
        len -= (size_t)n;
    }
    return MLOPS_OK;
}

int mlops__pwrite_all(int fd, const void *buf, size_t len, uint64_t offset, const char *path)
{
    const char *p = buf;
    off_t at = (off_t)offset;
    while (len) {
        ssize_t n = pwrite(fd, p, len < WRITE_PIECE ? len : WRITE_PIECE, at);
        if (n < 0) {
            if (errno == EINTR) continue;
            return mlops__err_os(MLOPS_EIO, errno, "cannot write '%s'", path);
        }
        p += n;
        at += n;
        len -= (size_t)n;
    }
    return MLOPS_OK;
}

int mlops__read_full(int fd, void *buf, size_t len, size_t *got, const char *path)
{
    char *p = buf;
    size_t total = 0;
    while (total < len) {
        ssize_t n = read(fd, p + total, len - total);
        if (n < 0) {
            if (errno == EINTR) continue;
            *got = total;
            return mlops__err_os(MLOPS_EIO, errno, "cannot read '%s'", path);
        }
        if (n == 0) break;
        total += (size_t)n;
    }
    *got = total;
    return MLOPS_OK;
}

int mlops__read_text_file(const char *path, size_t max, const char *what, char **text)
{
    *text = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return MLOPS_OK;
        return mlops__err_os(MLOPS_EIO, errno, "cannot read %s '%s'", what, path);
    }
    /* One byte more than allowed tells a file of max bytes from a larger one. */
    char *buf = malloc(max + 1);
    size_t got = 0;
    int rc = buf ? mlops__read_full(fd, buf, max + 1, &got, path) : mlops__err_nomem(what);
    close(fd);
    if (!rc && got > max)
        rc = mlops__err(MLOPS_EFORMAT, "%s '%s': larger than %zu KiB", what, path, max / 1024);
    if (!rc && memchr(buf, '\0', got))
        rc = mlops__err(MLOPS_EFORMAT, "%s '%s': holds a NUL byte", what, path);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[got] = '\0';
    *text = buf;
    return MLOPS_OK;
}

int mlops__fsync_fd(int fd, const char *path)
{
    while (fsync(fd) != 0) {
        if (errno == EINTR) continue;
        /* Some file systems cannot fsync special files; data files must. */
        if (errno == EINVAL || errno == ENOTSUP) return MLOPS_OK;
        return mlops__err_os(MLOPS_EIO, errno, "cannot fsync '%s'", path);
    }
    return MLOPS_OK;
}

int mlops__sync_fs(int fd, const char *where)
{
#ifdef __linux__
    while (syncfs(fd) != 0)
        if (errno != EINTR)
            return mlops__err_os(MLOPS_EIO, errno, "cannot sync the file system of '%s'", where);
    return mlops__fsync_fd(fd, where);
#else
    (void)fd;
    return mlops__err(MLOPS_EUNSUPPORTED, "cannot sync the file system of '%s' at once here",
                      where);
#endif
}

#ifdef __linux__
/* 1 when the running kernel is major.minor or later. */
static int kernel_at_least(int major, int minor)
{
    struct utsname u;
    int ma = 0, mi = 0;
    if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2) return 0;
    return ma > major || (ma == major && mi >= minor);
}
#endif

int mlops__sync_fs_covers_files(int fd)
{
#ifdef __linux__
    struct statfs f;
    if (!kernel_at_least(5, 8) || fstatfs(fd, &f) != 0) return 0;
    switch ((unsigned long)f.f_type) {
    case EXT4_SUPER_MAGIC: /* also ext2 and ext3 */
    case XFS_SUPER_MAGIC:
    case BTRFS_SUPER_MAGIC:
    case F2FS_SUPER_MAGIC:
    case TMPFS_MAGIC:
        return 1;
    case OVERLAYFS_SUPER_MAGIC:
        return kernel_at_least(5, 15);
    default:
        return 0;
    }
#else
    (void)fd;
    return 0;
#endif
}

#define WRITE_OUT_STEP ((uint64_t)8 << 20)

int mlops__write_out_due(uint64_t before, uint64_t after)
{
    return before / WRITE_OUT_STEP != after / WRITE_OUT_STEP;
}

void mlops__write_out_start(int fd)
{
#ifdef SYNC_FILE_RANGE_WRITE
    (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
#endif
}

int mlops__fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return mlops__err_os(MLOPS_EIO, errno, "cannot open directory '%s'", dir);
    int rc = mlops__fsync_fd(fd, dir);
    close(fd);
    return rc;
}

int mlops__tmpfile(const char *dir, int *fd_out, char **path_out)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        unsigned char rnd[12];
        char name[32];
        int rc = mlops__random_bytes(rnd, sizeof rnd);
        if (rc) return rc;
        memcpy(name, "tmp-", 4);
        mlops__hex_encode(rnd, sizeof rnd, name + 4);
        char *path = mlops__path_join(dir, name);
        if (!path) return mlops__err_nomem("building a temporary file name");
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            *fd_out = fd;
            *path_out = path;
            return MLOPS_OK;
        }
        int e = errno;
        free(path);
        if (e != EEXIST)
            return mlops__err_os(MLOPS_EIO, e, "cannot create a temporary file in '%s'", dir);
    }
    return mlops__err(MLOPS_EIO, "cannot create a unique temporary file in '%s'", dir);
}

int mlops__rename_noreplace(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return MLOPS_OK;
    int e = errno;
    if (e == EEXIST) return MLOPS_EEXIST;
    if (e != EINVAL && e != ENOSYS && e != ENOTSUP)
        return mlops__err_os(MLOPS_EIO, e, "cannot rename '%s' to '%s'", from, to);
    /* File systems without RENAME_NOREPLACE: link() also refuses to replace. */
    if (link(from, to) != 0) {
        e = errno;
        if (e == EEXIST) return MLOPS_EEXIST;
        return mlops__err_os(MLOPS_EIO, e, "cannot link '%s' to '%s'", from, to);
    }
    unlink(from);
    return MLOPS_OK;
}

int mlops__sweep_old_files(const char *dir, int64_t max_age_ms)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int removed = 0;
    int64_t now = mlops__now_ms();
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.') continue;
        struct stat st;
        if (fstatat(dirfd(d), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (!S_ISREG(st.st_mode)) continue;
        int64_t mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        if (now - mtime_ms > max_age_ms && unlinkat(dirfd(d), ent->d_name, 0) == 0) removed++;
    }
    closedir(d);
    return removed;
}
