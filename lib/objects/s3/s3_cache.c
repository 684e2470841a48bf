/* The S3 backend's read cache (s3_cache.h). */
#include "objects/s3/s3_cache.h"
#include "objects/s3/s3_crc32c.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/str.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* After the stored bytes: their CRC-32C, 4 bytes big-endian. It tells a
 * damaged file (a miss, fetched again) from damage on the server; it
 * need not resist forgery, because every read checks the object against
 * its digest anyway, and it costs a few percent of a SHA-256. */
#define TRAILER 4
/* Cache files written whose pages may still be in the page cache, at
 * most (see settle). */
#define WINDOW 8

struct mlops__s3_cache {
    char *dir, *sha_dir;
    uint64_t max_bytes;
    pthread_mutex_t mu;
    uint64_t bytes; /* on disk as far as this process knows */
    int counted;    /* bytes was read from the disk once */
    /* <dir>/size, open (-1: none): the bytes the folder holds as every
     * process sharing it counts them (see shared_add); flock'd while
     * read and written, and while one evicts. */
    int size_fd;
    /* The last files written, still open, oldest first (under wmu): see
     * settle. */
    pthread_mutex_t wmu;
    int window[WINDOW];
    unsigned nwindow;
};

static const char TAG[] = "Signature: 8a477f597d28d172789f06886806bc55\n"
                          "# This folder is a cache of objects read from S3 by libmlops.\n"
                          "# It may be removed; it is filled again as objects are read.\n";

/* "<sha_dir>/ab/<62 hex>", malloc'd. */
static char *file_of(const mlops__s3_cache *c, const mlops_digest *d)
{
    char hex[65], rel[67];
    mlops__hex_encode(d->bytes, sizeof d->bytes, hex);
    snprintf(rel, sizeof rel, "%.2s/%s", hex, hex + 2);
    return mlops__path_join(c->sha_dir, rel);
}

int mlops__s3_cache_open(const char *dir, uint64_t max_bytes, mlops__s3_cache **out)
{
    *out = NULL;
    if (!max_bytes) return MLOPS_OK;
    mlops__s3_cache *c = calloc(1, sizeof *c);
    if (!c) return mlops__err_nomem("opening the S3 cache");
    c->dir = mlops__strdup(dir);
    c->sha_dir = mlops__path_join(dir, "sha256");
    if (!c->dir || !c->sha_dir) {
        mlops__s3_cache_close(c);
        return mlops__err_nomem("opening the S3 cache");
    }
    c->max_bytes = max_bytes;
    c->size_fd = -1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->wmu, NULL);
    if (mlops__mkdir_p(c->sha_dir, 0700)) { /* no cache, and no error: reads go to S3 */
        mlops__s3_cache_close(c);
        return MLOPS_OK;
    }
    char *tag = mlops__path_join(dir, "CACHEDIR.TAG");
    int fd = tag ? open(tag, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) : -1;
    if (fd >= 0) {
        (void)mlops__write_all(fd, TAG, sizeof TAG - 1, tag);
        close(fd);
    }
    free(tag);
    char *size = mlops__path_join(dir, "size");
    c->size_fd = size ? open(size, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
    free(size);
    *out = c;
    return MLOPS_OK;
}

void mlops__s3_cache_close(mlops__s3_cache *c)
{
    if (!c) return;
    if (c->max_bytes) {
        /* The last files' pages go too; what is still being written out
         * is not waited for (at most WINDOW files stay in the page
         * cache). */
        for (unsigned i = 0; i < c->nwindow; i++) {
#ifdef POSIX_FADV_DONTNEED
            (void)posix_fadvise(c->window[i], 0, 0, POSIX_FADV_DONTNEED);
#endif
            close(c->window[i]);
        }
        pthread_mutex_destroy(&c->wmu);
        pthread_mutex_destroy(&c->mu);
        if (c->size_fd >= 0) close(c->size_fd);
    }
    free(c->dir);
    free(c->sha_dir);
    free(c);
}

static void trailer_of(const void *data, size_t len, unsigned char t[TRAILER])
{
    uint32_t crc = mlops__crc32c(data, len);
    for (int i = 0; i < TRAILER; i++) t[i] = (unsigned char)(crc >> (8 * (TRAILER - 1 - i)));
}

static int trailer_ok(const unsigned char *buf, size_t n)
{
    unsigned char t[TRAILER];
    if (n < TRAILER) return 0;
    trailer_of(buf, n - TRAILER, t);
    return !memcmp(t, buf + n - TRAILER, TRAILER);
}

/* Waits until cache file fd is on the disk, takes its pages out of the
 * page cache and closes it. A cache file is written once and read, if
 * ever, by a later read of the same object, most often by another
 * process: keeping its pages would make a read of N bytes take 2N new
 * page-cache pages (the caller's output and the cache files), and where
 * the page cache is full, every new page is one the kernel must first
 * reclaim, on the reading threads' time. So a file written is sent to
 * the disk at once (mlops__write_out_start), and its pages are dropped once
 * WINDOW files later, when that writing is long done: the cache keeps
 * about WINDOW files in the page cache, not all it wrote. A warm read
 * then reads its files from the disk (s_prefetch starts that early). */
static void settle(int fd)
{
#ifdef SYNC_FILE_RANGE_WAIT_AFTER
    (void)sync_file_range(fd, 0, 0,
                          SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                              SYNC_FILE_RANGE_WAIT_AFTER);
#endif
#ifdef POSIX_FADV_DONTNEED
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
#endif
    close(fd);
}

/* Keeps fd, a cache file just written, open until WINDOW more are
 * written, then settles it. */
static void keep_in_window(mlops__s3_cache *c, int fd)
{
    mlops__write_out_start(fd);
    int oldest = -1;
    pthread_mutex_lock(&c->wmu);
    if (c->nwindow == WINDOW) {
        oldest = c->window[0];
        memmove(c->window, c->window + 1, (WINDOW - 1) * sizeof *c->window);
        c->nwindow--;
    }
    c->window[c->nwindow++] = fd;
    pthread_mutex_unlock(&c->wmu);
    if (oldest >= 0) settle(oldest);
}

int mlops__s3_cache_get(mlops__s3_cache *c, const mlops_digest *d, mlops__s3_buffers *buffers,
                        unsigned char **data, size_t *len)
{
    if (!c) return 0;
    char *path = file_of(c, d);
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    struct stat st;
    unsigned char *buf = NULL;
    size_t got = 0;
    int hit = 0;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= TRAILER &&
        (buf = mlops__s3_buffer_take(buffers, (size_t)st.st_size)) != NULL &&
        mlops__read_full(fd, buf, (size_t)st.st_size, &got, path) == MLOPS_OK &&
        got == (size_t)st.st_size) {
        hit = trailer_ok(buf, got);
        if (!hit) unlink(path); /* damaged: never served */
        else (void)futimens(fd, NULL); /* read now: evicted last */
    }
    if (fd >= 0) close(fd);
    free(path);
    if (!hit) {
        mlops__s3_buffer_give(buffers, buf);
        return 0;
    }
    *data = buf;
    *len = got - TRAILER;
    return 1;
}

int mlops__s3_cache_has(mlops__s3_cache *c, const mlops_digest *d)
{
    if (!c) return 0;
    char *path = file_of(c, d);
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    free(path);
    if (fd < 0) return 0;
#ifdef POSIX_FADV_WILLNEED
    /* Its pages were dropped when it was written (settle): the kernel
     * reads it in meanwhile, so that the get that follows finds it in
     * memory instead of waiting for the disk. */
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
#endif
    close(fd);
    return 1;
}

struct entry {
    char *path;
    uint64_t size;
    int64_t mtime_ns;
};

static int by_time(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    return (x->mtime_ns > y->mtime_ns) - (x->mtime_ns < y->mtime_ns);
}

/* Lists every cache file (size and time) into *out. */
static void list_files(mlops__s3_cache *c, struct entry **out, size_t *n, uint64_t *total)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    size_t cap = 0;
    DIR *top = opendir(c->sha_dir);
    if (!top) return;
    struct dirent *a;
    while ((a = readdir(top)) != NULL) {
        if (strlen(a->d_name) != 2) continue;
        char *sub = mlops__path_join(c->sha_dir, a->d_name);
        DIR *sd = sub ? opendir(sub) : NULL;
        struct dirent *b;
        while (sd && (b = readdir(sd)) != NULL) {
            struct stat st;
            char *p = b->d_name[0] == '.' ? NULL : mlops__path_join(sub, b->d_name);
            if (!p || stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
                free(p);
                continue;
            }
            if (*n == cap) {
                size_t ncap = cap ? 2 * cap : 256;
                struct entry *e = realloc(*out, ncap * sizeof *e);
                if (!e) {
                    free(p);
                    break;
                }
                *out = e;
                cap = ncap;
            }
            (*out)[(*n)++] = (struct entry){ p, (uint64_t)st.st_size,
                                             (int64_t)st.st_mtim.tv_sec * 1000000000 +
                                                 st.st_mtim.tv_nsec };
            *total += (uint64_t)st.st_size;
        }
        if (sd) closedir(sd);
        free(sub);
    }
    closedir(top);
}

/* Removes the files read longest ago until the folder holds at most
 * 90% of the limit (so that eviction is not run on every insert). */
static void evict_locked(mlops__s3_cache *c)
{
    struct entry *e;
    size_t n;
    uint64_t total;
    list_files(c, &e, &n, &total);
    qsort(e, n, sizeof *e, by_time);
    uint64_t goal = c->max_bytes / 10 * 9;
    for (size_t i = 0; i < n; i++) {
        if (total > goal && unlink(e[i].path) == 0) total -= e[i].size;
        free(e[i].path);
    }
    free(e);
    c->bytes = total;
    c->counted = 1;
}

/* The folder's bytes as the shared count has them (0 when unreadable),
 * the count locked by the caller. */
static uint64_t shared_get(int fd)
{
    unsigned char b[8];
    if (pread(fd, b, sizeof b, 0) != (ssize_t)sizeof b) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | b[i];
    return v;
}

static void shared_set(int fd, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * (7 - i)));
    (void)!pwrite(fd, b, sizeof b, 0);
}

/* Counts a file of n bytes just written, evicting when the folder is past
 * its bound. Several processes share the folder: each counting only what
 * it wrote itself let N writers fill it to about N times the bound, so
 * the count is kept in <dir>/size, which every writer adds to under
 * flock (and holds while it evicts). A count that drifted (a file
 * replaced or dropped, a process killed between its rename and its
 * count) is set right from the folder at each process's first write and
 * at each eviction. Called with c->mu held. */
static void count_locked(mlops__s3_cache *c, uint64_t n)
{
    int shared = c->size_fd >= 0 && flock(c->size_fd, LOCK_EX) == 0;
    if (shared) c->bytes = shared_get(c->size_fd);
    c->bytes += n;
    if (!c->counted || c->bytes > c->max_bytes) evict_locked(c);
    if (shared) {
        shared_set(c->size_fd, c->bytes);
        (void)flock(c->size_fd, LOCK_UN);
    }
}

void mlops__s3_cache_put(mlops__s3_cache *c, const mlops_digest *d, const void *data, size_t len)
{
    if (!c || (uint64_t)len + TRAILER > c->max_bytes) return;
    unsigned char t[TRAILER];
    trailer_of(data, len, t);
    char *path = file_of(c, d);
    char *sub = path ? mlops__strdup(path) : NULL;
    if (sub) *strrchr(sub, '/') = '\0';
    int fd = -1;
    char *tmp = NULL;
    int ok = sub && mlops__mkdir(sub) == MLOPS_OK && mlops__tmpfile(sub, &fd, &tmp) == MLOPS_OK &&
             mlops__write_all(fd, data, len, tmp) == MLOPS_OK &&
             mlops__write_all(fd, t, TRAILER, tmp) == MLOPS_OK;
    /* No fsync: a cache file lost in a crash is fetched again, and a
     * damaged one fails its trailer check. */
    if (ok) ok = rename(tmp, path) == 0;
    if (ok) keep_in_window(c, fd);
    else if (fd >= 0) close(fd);
    if (!ok && tmp) unlink(tmp);
    free(tmp);
    free(sub);
    free(path);
    if (!ok) return;
    pthread_mutex_lock(&c->mu);
    count_locked(c, (uint64_t)len + TRAILER);
    pthread_mutex_unlock(&c->mu);
}

void mlops__s3_cache_drop(mlops__s3_cache *c, const mlops_digest *d)
{
    if (!c) return;
    char *path = file_of(c, d);
    if (path) unlink(path);
    free(path);
}
