/* Test-only I/O fault injection. This file defines write, pwrite,
 * pwrite64, fsync, fdatasync, syncfs, rename, renameat2, link and ftruncate: the
 * test program that links it wins the symbol lookup for its own code, for
 * the static libmlops linked into it, and for the shared libraries it
 * loads (libsqlite3's I/O goes through these names), exactly as an
 * LD_PRELOAD shim would, without one. Each wrapper forwards to the next
 * definition (libc, or a sanitizer's interceptor) unless the call touches
 * a file under the watched directory and is the one chosen to fail. */
/* One symbol per name: without this, the headers would rename pwrite to
 * pwrite64 and this file could not define both. */
#undef _FILE_OFFSET_BITS
#include "faultinject.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char watched[PATH_MAX];
static size_t watched_len;
static atomic_long counter;    /* watched calls since fi_arm */
static atomic_long fail_at;    /* 0: never */
static atomic_int fail_errno;
static atomic_int failed_kind = -1;
static atomic_int failed_db;
static atomic_int only_kind = -1;

void fi_watch(const char *dir)
{
    snprintf(watched, sizeof watched, "%s", dir);
    watched_len = strlen(watched);
}

void fi_arm(long at, int err, int kind)
{
    atomic_store(&counter, 0);
    atomic_store(&failed_kind, -1);
    atomic_store(&failed_db, 0);
    atomic_store(&fail_errno, err);
    atomic_store(&only_kind, kind);
    atomic_store(&fail_at, at);
}

long fi_disarm(void)
{
    atomic_store(&fail_at, 0);
    return atomic_load(&counter);
}

int fi_failed(int *kind, int *db)
{
    int k = atomic_load(&failed_kind);
    if (k < 0) return 0;
    if (kind) *kind = k;
    if (db) *db = atomic_load(&failed_db);
    return 1;
}

const char *fi_kind_name(int kind)
{
    static const char *const n[FI_KINDS] = { "write", "fsync", "rename", "truncate" };
    return kind >= 0 && kind < FI_KINDS ? n[kind] : "?";
}

static int path_watched(const char *p)
{
    if (!watched_len || !p) return 0;
    char abs[PATH_MAX];
    if (p[0] != '/') {
        if (!getcwd(abs, sizeof abs)) return 0;
        size_t n = strlen(abs);
        snprintf(abs + n, sizeof abs - n, "/%s", p);
        p = abs;
    }
    return !strncmp(p, watched, watched_len) && (p[watched_len] == '/' || !p[watched_len]);
}

static int fd_path(int fd, char *out, size_t cap)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, cap - 1);
    if (n < 0) return -1;
    out[n] = '\0';
    return 0;
}

/* Whether this call is to fail: counts it when it touches the watched
 * directory and matches the kind filter. */
static int should_fail(int kind, const char *path)
{
    if (!atomic_load(&fail_at) && !watched_len) return 0;
    if (!path_watched(path)) return 0;
    int ok = atomic_load(&only_kind);
    if (ok >= 0 && ok != kind) return 0;
    long n = atomic_fetch_add(&counter, 1) + 1;
    long at = atomic_load(&fail_at);
    if (!at || n != at) return 0;
    atomic_store(&failed_kind, kind);
    atomic_store(&failed_db, strstr(path, "mlops.db") != NULL);
    errno = atomic_load(&fail_errno);
    return 1;
}

static int fd_should_fail(int kind, int fd)
{
    if (fd <= 2 || !watched_len) return 0;
    char p[PATH_MAX];
    if (fd_path(fd, p, sizeof p)) return 0;
    return should_fail(kind, p);
}

#define NEXT(name) \
    static __typeof__(&name) next_##name; \
    if (!next_##name) next_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n)
{
    NEXT(write);
    if (fd_should_fail(FI_WRITE, fd)) return -1;
    return next_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    NEXT(pwrite);
    if (fd_should_fail(FI_WRITE, fd)) return -1;
    return next_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off);
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    NEXT(pwrite64);
    if (fd_should_fail(FI_WRITE, fd)) return -1;
    return next_pwrite64(fd, buf, n, off);
}

int fsync(int fd)
{
    NEXT(fsync);
    if (fd_should_fail(FI_FSYNC, fd)) return -1;
    return next_fsync(fd);
}

int fdatasync(int fd)
{
    NEXT(fdatasync);
    if (fd_should_fail(FI_FSYNC, fd)) return -1;
    return next_fdatasync(fd);
}

int syncfs(int fd)
{
    NEXT(syncfs);
    if (fd_should_fail(FI_FSYNC, fd)) return -1;
    return next_syncfs(fd);
}

int ftruncate(int fd, off_t len)
{
    NEXT(ftruncate);
    if (fd_should_fail(FI_TRUNCATE, fd)) return -1;
    return next_ftruncate(fd, len);
}

int ftruncate64(int fd, off_t len);
int ftruncate64(int fd, off_t len)
{
    NEXT(ftruncate64);
    if (fd_should_fail(FI_TRUNCATE, fd)) return -1;
    return next_ftruncate64(fd, len);
}

int rename(const char *from, const char *to)
{
    NEXT(rename);
    if (should_fail(FI_RENAME, to)) return -1;
    return next_rename(from, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned flags)
{
    NEXT(renameat2);
    if (tofd == AT_FDCWD && should_fail(FI_RENAME, to)) return -1;
    return next_renameat2(fromfd, from, tofd, to, flags);
}

int link(const char *from, const char *to)
{
    NEXT(link);
    if (should_fail(FI_RENAME, to)) return -1;
    return next_link(from, to);
}
