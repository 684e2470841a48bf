#include "objects/local/tmpdir.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/str.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char lock_name[] = ".lock";

/* Creates tmp/.n-<hex>/.lock, locks it, then renames the directory to
 * tmp/h-<hex>: a sweeper only ever sees h-* directories whose lock was
 * taken before they got that name. */
static int create_own(mlops__tmpdir *t)
{
    unsigned char rnd[12];
    char hex[25], name[32];
    int rc = mlops__random_bytes(rnd, sizeof rnd);
    if (rc) return rc;
    mlops__hex_encode(rnd, sizeof rnd, hex);
    snprintf(name, sizeof name, ".n-%s", hex);
    char *fresh = mlops__path_join(t->dir, name);
    snprintf(name, sizeof name, "h-%s", hex);
    char *own = mlops__path_join(t->dir, name);
    char *lock = fresh ? mlops__path_join(fresh, lock_name) : NULL;
    if (!fresh || !own || !lock) rc = mlops__err_nomem("creating a temp directory");
    if (!rc && mkdir(fresh, 0755) != 0)
        rc = mlops__err_os(MLOPS_EIO, errno, "cannot create temp directory '%s'", fresh);
    int fd = -1;
    if (!rc) {
        fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0)
            rc = mlops__err_os(MLOPS_EIO, errno, "cannot lock '%s'", lock);
        if (!rc && rename(fresh, own) != 0)
            rc = mlops__err_os(MLOPS_EIO, errno, "cannot rename '%s'", fresh);
        if (rc) {
            if (fd >= 0) close(fd);
            unlink(lock);
            rmdir(fresh);
        }
    }
    if (!rc) {
        t->own = own;
        t->lock_fd = fd;
        own = NULL;
    }
    free(fresh);
    free(own);
    free(lock);
    return rc;
}

int mlops__tmpdir_init(mlops__tmpdir *t, const char *dir)
{
    t->dir = mlops__strdup(dir);
    if (!t->dir) return mlops__err_nomem("opening a store");
    pthread_mutex_init(&t->mu, NULL);
    t->own = NULL;
    t->lock_fd = -1;
    return MLOPS_OK;
}

int mlops__tmpdir_own(mlops__tmpdir *t, const char **dir)
{
    pthread_mutex_lock(&t->mu);
    int rc = t->own ? MLOPS_OK : create_own(t);
    if (!rc) *dir = t->own;
    pthread_mutex_unlock(&t->mu);
    return rc;
}

/* Removes the entries of dfd (files only: handles make no
 * subdirectories), the lock file last. */
static int empty_dir(int dfd)
{
    int fd2 = dup(dfd);
    DIR *d = fd2 >= 0 ? fdopendir(fd2) : NULL;
    if (!d) {
        if (fd2 >= 0) close(fd2);
        return 0;
    }
    int removed = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, "..") ||
            !strcmp(ent->d_name, lock_name))
            continue;
        if (unlinkat(dfd, ent->d_name, 0) == 0) removed++;
    }
    closedir(d);
    unlinkat(dfd, lock_name, 0);
    return removed;
}

/* A handle directory whose lock is free: its owner is gone. */
static int sweep_handle(int tfd, const char *name)
{
    int dfd = openat(tfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) return 0;
    int removed = 0;
    int lfd = openat(dfd, lock_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (lfd >= 0 && flock(lfd, LOCK_EX | LOCK_NB) == 0) {
        removed = empty_dir(dfd);
        unlinkat(tfd, name, AT_REMOVEDIR);
    }
    if (lfd >= 0) close(lfd);
    close(dfd);
    return removed;
}

int mlops__tmp_sweep(const char *tmp_dir)
{
    int removed = mlops__sweep_old_files(tmp_dir, MLOPS__TMP_MAX_AGE_MS);
    DIR *d = opendir(tmp_dir);
    if (!d) return removed;
    int64_t now = mlops__now_ms();
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (!strncmp(ent->d_name, "h-", 2)) {
            removed += sweep_handle(dirfd(d), ent->d_name);
            continue;
        }
        /* A handle killed while creating its directory left .n-*. */
        struct stat st;
        if (strncmp(ent->d_name, ".n-", 3) ||
            fstatat(dirfd(d), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISDIR(st.st_mode))
            continue;
        int64_t mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        if (now - mtime_ms <= MLOPS__TMP_MAX_AGE_MS) continue;
        int dfd = openat(dirfd(d), ent->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0) continue;
        removed += empty_dir(dfd);
        close(dfd);
        unlinkat(dirfd(d), ent->d_name, AT_REMOVEDIR);
    }
    closedir(d);
    return removed;
}

void mlops__tmpdir_release(mlops__tmpdir *t)
{
    if (!t->dir) return;
    if (t->own) {
        int dfd = open(t->own, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd >= 0) {
            empty_dir(dfd);
            close(dfd);
        }
        rmdir(t->own);
        close(t->lock_fd); /* releases the lock */
        t->lock_fd = -1;
        free(t->own);
        t->own = NULL;
    }
    pthread_mutex_destroy(&t->mu);
    free(t->dir);
    t->dir = NULL;
}
