/* The local-directory object backend: each object is one file,
 * <root>/objects/sha256/<2 hex>/<62 hex> (doc/format.md, "objects/").
 * Staging writes a temp file in this handle's own folder under tmp/;
 * placing fsyncs it and renames it into place without replacing a file
 * already there; sync fsyncs the fan-out folders, each once per call
 * (past SYNCFS_OVER of them, the whole file system once, on Linux).
 *
 * Settling many staged files at once (Linux): one syncfs of the store's
 * file system writes out their data and inodes together, where an fsync
 * each costs a device flush each; a file-system flush after it (an fsync
 * of the root folder) covers what syncfs writes after its own flush on
 * a file system without a journal; each file's writeback error is then
 * asked for (sync_file_range's wait), as an fsync would report it. Only
 * then are they renamed into place, so no object reaches its name before
 * its bytes are durable. */
#include "objects/local/local.h"
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
#include <sys/stat.h>
#include <unistd.h>

/* Room for an object path: the root's part and "/ab/" + 62 digits. */
#define PATH_CAP 4096
#define NAME_LEN 66 /* "/ab/" is 4, the 62 digits, the NUL */
/* Fan-out folders that sync fsyncs one by one, at most; past that, one
 * syncfs and a flush (Linux). */
#define SYNCFS_OVER 8

struct local {
    mlops__objects be; /* first: the seam */
    char *sha_dir;     /* <root>/objects/sha256 */
    size_t sha_len;
    char *quarantine;  /* <root>/quarantine */
    char *names;       /* <root>/names: a remote's records (name_put) */
    char *packs;       /* <root>/packs: a remote's packs (pack_put) */
    int fsync;         /* durability is not NONE */
    int root_fd;       /* <root>, for syncfs (settle); -1: none */
    mlops__tmpdir tmp;
};

struct mlops__obj_staged {
    mlops_digest d;
    int fd;     /* open until place fsyncs and closes it */
    char tmp[]; /* the temp file */
};

struct mlops__obj_in {
    int fd;
    char path[];
};

static struct local *L(mlops__objects *be)
{
    return (struct local *)be;
}

/* The object's path into buf (PATH_CAP bytes; the root's length was
 * checked at open). */
static void object_path(const struct local *l, const mlops_digest *d, char *buf)
{
    char hex[65];
    mlops__hex_encode(d->bytes, sizeof d->bytes, hex);
    memcpy(buf, l->sha_dir, l->sha_len);
    char *q = buf + l->sha_len;
    q[0] = '/';
    q[1] = hex[0];
    q[2] = hex[1];
    q[3] = '/';
    memcpy(q + 4, hex + 2, 63); /* 62 digits and the NUL */
}

static void l_describe(mlops__objects *be, const mlops_digest *d, char *buf, size_t n)
{
    char path[PATH_CAP];
    object_path(L(be), d, path);
    snprintf(buf, n, "%s", path);
}

/* ---- writing ------------------------------------------------------------ */

/* Stages into a temp file; start: starts its write-out now. */
static int stage_file(mlops__objects *be, const mlops_digest *d, const mlops__obj_piece *pieces,
                      size_t n, mlops__obj_staged **out, int start)
{
    struct local *l = L(be);
    const char *dir = NULL;
    char *tmp = NULL;
    int fd = -1;
    int rc = mlops__tmpdir_own(&l->tmp, &dir);
    if (!rc) rc = mlops__tmpfile(dir, &fd, &tmp);
    for (size_t i = 0; !rc && i < n; i++)
        if (pieces[i].len) rc = mlops__write_all(fd, pieces[i].data, pieces[i].len, tmp);
    /* Start writing it out now, so that the fsync before the rename
     * (often on another thread) finds the work done or under way. */
    if (!rc && l->fsync && start) mlops__write_out_start(fd);
    mlops__obj_staged *st = NULL;
    if (!rc) {
        size_t len = strlen(tmp) + 1;
        st = malloc(sizeof *st + len);
        if (!st) rc = mlops__err_nomem("staging an object");
        else memcpy(st->tmp, tmp, len);
    }
    if (rc) {
        if (fd >= 0) close(fd);
        if (tmp) unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    st->d = *d;
    st->fd = fd;
    *out = st;
    return MLOPS_OK;
}

static int l_stage(mlops__objects *be, const mlops_digest *d, const mlops__obj_piece *pieces,
                   size_t n, mlops__obj_staged **out)
{
    return stage_file(be, d, pieces, n, out, 1);
}

/* For settle: its syncfs writes the files out, many at once. */
static int l_stage_settled(mlops__objects *be, const mlops_digest *d,
                           const mlops__obj_piece *pieces, size_t n, mlops__obj_staged **out)
{
    return stage_file(be, d, pieces, n, out, 0);
}

/* The staged files' bytes durable together (see the top). Without
 * syncfs, or when it fails, nothing is promised: place fsyncs each. */
static int l_settle(mlops__objects *be, mlops__obj_staged *const *st, size_t n)
{
    struct local *l = L(be);
    if (!l->fsync || !n) return MLOPS_OK;
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WAIT_BEFORE)
    if (l->root_fd < 0) return MLOPS_OK;
    int rc = mlops__sync_fs(l->root_fd, l->sha_dir);
    for (size_t i = 0; !rc && i < n; i++) {
        if (st[i]->fd < 0) continue;
        /* Written out already: this only collects the file's writeback
         * error, as its fsync would. */
        while (sync_file_range(st[i]->fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE) != 0) {
            if (errno == EINTR) continue;
            rc = mlops__err_os(MLOPS_EIO, errno, "cannot write '%s'", st[i]->tmp);
            break;
        }
    }
    /* Durable: place has only the rename left. */
    for (size_t i = 0; !rc && i < n; i++) {
        if (st[i]->fd < 0) continue;
        if (close(st[i]->fd) != 0)
            rc = mlops__err_os(MLOPS_EIO, errno, "cannot close '%s'", st[i]->tmp);
        st[i]->fd = -1;
    }
    return rc;
#else
    (void)st;
    return MLOPS_OK;
#endif
}

static void l_discard(mlops__objects *be, mlops__obj_staged *st)
{
    (void)be;
    if (!st) return;
    if (st->fd >= 0) close(st->fd);
    unlink(st->tmp);
    free(st);
}

/* Makes sure the fan-out folder of path exists. The first time one is
 * missing, all 256 are made and their parent fsync'd once, rather than
 * one fsync per new folder on a new store's first puts. */
static int make_fanout_dir(struct local *l, const char *path)
{
    char dir[PATH_CAP];
    size_t n = l->sha_len + 3; /* ".../sha256/ab" */
    memcpy(dir, path, n);
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
    return l->fsync ? mlops__fsync_dir(l->sha_dir) : MLOPS_OK;
}

static int l_place(mlops__objects *be, mlops__obj_staged *st, int *placed)
{
    struct local *l = L(be);
    char path[PATH_CAP];
    int rc = MLOPS_OK;
    *placed = 0;
    object_path(l, &st->d, path);
    if (st->fd >= 0) { /* not on a spare's second try: done the first time */
        if (l->fsync) rc = mlops__fsync_fd(st->fd, st->tmp);
        if (close(st->fd) != 0 && !rc)
            rc = mlops__err_os(MLOPS_EIO, errno, "cannot close '%s'", st->tmp);
        st->fd = -1;
    }
    if (!rc) rc = make_fanout_dir(l, path);
    if (!rc) rc = mlops__rename_noreplace(st->tmp, path);
    if (rc == MLOPS_EEXIST) return MLOPS_OK; /* theirs is in place: st stays the caller's */
    if (rc) unlink(st->tmp);
    else *placed = 1;
    free(st);
    return rc;
}

static int l_sync(mlops__objects *be, const mlops_digest *d, size_t n)
{
    struct local *l = L(be);
    if (!l->fsync) return MLOPS_OK;
    unsigned char seen[256] = {0};
#ifdef __linux__
    /* Past a few folders, one syncfs costs less than an fsync each. */
    size_t folders = 0;
    for (size_t i = 0; i < n; i++)
        if (!seen[d[i].bytes[0]]) {
            seen[d[i].bytes[0]] = 1;
            folders++;
        }
    if (folders > SYNCFS_OVER && l->root_fd >= 0) return mlops__sync_fs(l->root_fd, l->sha_dir);
    memset(seen, 0, sizeof seen);
#endif
    char dir[PATH_CAP];
    memcpy(dir, l->sha_dir, l->sha_len);
    for (size_t i = 0; i < n; i++) {
        unsigned b = d[i].bytes[0];
        if (seen[b]) continue;
        seen[b] = 1;
        snprintf(dir + l->sha_len, PATH_CAP - l->sha_len, "/%02x", b);
        int rc = mlops__fsync_dir(dir);
        if (rc) return rc;
    }
    return MLOPS_OK;
}

static int remove_one(mlops__objects *be, const mlops_digest *d, int *removed)
{
    char path[PATH_CAP];
    object_path(L(be), d, path);
    *removed = 0;
    if (unlink(path) == 0) {
        *removed = 1;
        return MLOPS_OK;
    }
    if (errno == ENOENT) return MLOPS_OK;
    *removed = -1;
    return mlops__err_os(MLOPS_EIO, errno, "cannot remove object file '%s'", path);
}

static int l_remove(mlops__objects *be, const mlops_digest *d, size_t n, int *removed)
{
    for (size_t i = 0; i < n; i++) removed[i] = -1;
    for (size_t i = 0; i < n; i++) {
        int rc = remove_one(be, &d[i], &removed[i]);
        if (rc) return rc;
    }
    return MLOPS_OK;
}

/* ---- reading ------------------------------------------------------------ */

static int l_open(mlops__objects *be, const mlops_digest *d, mlops__obj_in **out, uint64_t *len)
{
    char path[PATH_CAP];
    object_path(L(be), d, path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT) return mlops__err(MLOPS_ENOTFOUND, "no file '%s'", path);
        return mlops__err_os(MLOPS_EIO, e, "cannot open object file '%s'", path);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int rc = mlops__err_os(MLOPS_EIO, errno, "cannot stat '%s'", path);
        close(fd);
        return rc;
    }
    size_t plen = strlen(path) + 1;
    mlops__obj_in *in = malloc(sizeof *in + plen);
    if (!in) {
        close(fd);
        return mlops__err_nomem("opening an object");
    }
    in->fd = fd;
    memcpy(in->path, path, plen);
    *len = (uint64_t)st.st_size;
    *out = in;
    return MLOPS_OK;
}

static int l_read(mlops__objects *be, mlops__obj_in *in, void *buf, size_t len, size_t *got)
{
    (void)be;
    return mlops__read_full(in->fd, buf, len, got, in->path);
}

static void l_close(mlops__objects *be, mlops__obj_in *in)
{
    (void)be;
    if (!in) return;
    close(in->fd);
    free(in);
}

static int l_exists(mlops__objects *be, const mlops_digest *d, int *yes)
{
    char path[PATH_CAP];
    object_path(L(be), d, path);
    struct stat st;
    *yes = 0;
    if (stat(path, &st) == 0) {
        *yes = S_ISREG(st.st_mode);
        return MLOPS_OK;
    }
    if (errno == ENOENT || errno == ENOTDIR) return MLOPS_OK;
    return mlops__err_os(MLOPS_EIO, errno, "cannot look up object file '%s'", path);
}

/* ---- maintenance -------------------------------------------------------- */

/* Every file whose name makes a digest: <2 hex>/<62 hex>. */
static int l_foreach(mlops__objects *be, mlops__objects_each_fn fn, void *arg)
{
    struct local *l = L(be);
    DIR *top = opendir(l->sha_dir);
    if (!top) {
        if (errno == ENOENT) return MLOPS_OK; /* a read-only store never written */
        return mlops__err_os(MLOPS_EIO, errno, "cannot list objects in '%s'", l->sha_dir);
    }
    int rc = MLOPS_OK;
    struct dirent *a;
    while (!rc && (a = readdir(top)) != NULL) {
        if (strlen(a->d_name) != 2) continue;
        int dfd = openat(dirfd(top), a->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *sub = dfd >= 0 ? fdopendir(dfd) : NULL;
        if (!sub) {
            if (dfd >= 0) close(dfd);
            continue;
        }
        struct dirent *b;
        while (!rc && (b = readdir(sub)) != NULL) {
            char hex[65];
            mlops_digest d;
            struct stat st;
            if (strlen(b->d_name) != 62) continue;
            memcpy(hex, a->d_name, 2);
            memcpy(hex + 2, b->d_name, 63);
            if (mlops__hex_decode(hex, 64, d.bytes)) continue;
            if (fstatat(dirfd(sub), b->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
                !S_ISREG(st.st_mode))
                continue; /* removed meanwhile, or not an object */
            rc = fn(&d, (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000, arg);
        }
        closedir(sub);
    }
    closedir(top);
    return rc;
}

/* quarantine/<digest hex>.<ms>: the same object may be quarantined again
 * after a put healed it. */
static int l_quarantine(mlops__objects *be, const mlops_digest *d)
{
    struct local *l = L(be);
    char src[PATH_CAP], name[96];
    object_path(l, d, src);
    char hex[65];
    mlops__hex_encode(d->bytes, 32, hex);
    snprintf(name, sizeof name, "%s.%lld", hex, (long long)mlops__now_ms());
    int rc = mlops__mkdir(l->quarantine);
    char *dst = rc ? NULL : mlops__path_join(l->quarantine, name);
    if (!rc && !dst) rc = mlops__err_nomem("quarantining an object");
    if (!rc && rename(src, dst) != 0 && errno != ENOENT)
        rc = mlops__err_os(MLOPS_EIO, errno, "cannot move '%s' to '%s'", src, dst);
    free(dst);
    return rc;
}

/* ---- named records (a remote's) ----------------------------------------- */

/* names/<name>, written as a temp file in names/ renamed over the old one,
 * so that a reader opens either the whole old record or the whole new. */
/* Writes path (in dir) whole: a temp file in dir, durable when the
 * store syncs, renamed over an old one if replace, else never replacing
 * one already there (that is success: its name is its content's). */
static int write_whole(struct local *l, const char *dir, const char *path, const void *data,
                       size_t len, int replace)
{
    int fd = -1;
    char *tmp = NULL;
    int rc = mlops__mkdir(dir);
    if (!rc) rc = mlops__tmpfile(dir, &fd, &tmp);
    if (!rc) rc = mlops__write_all(fd, data, len, tmp);
    if (!rc && l->fsync) rc = mlops__fsync_fd(fd, tmp);
    if (fd >= 0) close(fd);
    if (!rc && replace && rename(tmp, path) != 0)
        rc = mlops__err_os(MLOPS_EIO, errno, "cannot rename '%s' to '%s'", tmp, path);
    if (!rc && !replace) {
        int r = mlops__rename_noreplace(tmp, path);
        if (r == MLOPS_EEXIST) unlink(tmp);
        else rc = r;
    }
    if (!rc && l->fsync) rc = mlops__fsync_dir(dir);
    if (rc && tmp) unlink(tmp);
    free(tmp);
    return rc;
}

static int l_name_put(mlops__objects *be, const char *name, const void *data, size_t len)
{
    struct local *l = L(be);
    if (!mlops__objects_name_ok(name))
        return mlops__err(MLOPS_EINVAL, "'%.40s' cannot name a record", name);
    char *path = mlops__path_join(l->names, name);
    if (!path) return mlops__err_nomem("writing a record");
    int rc = write_whole(l, l->names, path, data, len, 1);
    free(path);
    return rc;
}

/* The whole file at path into a malloc'd buffer; more than max bytes is
 * MLOPS_ECORRUPT (max 0: no limit). MLOPS_ENOTFOUND naming what when
 * there is no such file. */
static int read_whole(const char *path, const char *what, size_t max, void **data, size_t *len)
{
    int rc = MLOPS_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    unsigned char *buf = NULL;
    size_t got = 0;
    if (fd < 0)
        rc = errno == ENOENT ? mlops__err(MLOPS_ENOTFOUND, "no %s '%s'", what, path)
                             : mlops__err_os(MLOPS_EIO, errno, "cannot open '%s'", path);
    else if (fstat(fd, &st) != 0)
        rc = mlops__err_os(MLOPS_EIO, errno, "cannot stat '%s'", path);
    else if (max && (uint64_t)st.st_size > max)
        rc = mlops__err(MLOPS_ECORRUPT, "%s '%s' is larger than any (%lld bytes)", what, path,
                        (long long)st.st_size);
    else if (!(buf = malloc((size_t)st.st_size + 1)))
        rc = mlops__err_nomem("reading a record");
    else
        rc = mlops__read_full(fd, buf, (size_t)st.st_size, &got, path);
    if (fd >= 0) close(fd);
    if (!rc && got != (size_t)st.st_size)
        rc = mlops__err(MLOPS_EIO, "'%s' changed size while read", path);
    if (rc) free(buf);
    else {
        *data = buf;
        *len = got;
    }
    return rc;
}

static int l_name_get(mlops__objects *be, const char *name, void **data, size_t *len)
{
    struct local *l = L(be);
    *data = NULL;
    *len = 0;
    if (!mlops__objects_name_ok(name))
        return mlops__err(MLOPS_EINVAL, "'%.40s' cannot name a record", name);
    char *path = mlops__path_join(l->names, name);
    if (!path) return mlops__err_nomem("reading a record");
    int rc = read_whole(path, "record", 0, data, len);
    free(path);
    return rc;
}

/* ---- packs (a remote's) ------------------------------------------------- */

/* packs/<64 hex>: written as a temp file in packs/ and renamed without
 * replacing (a pack already there has the same bytes). */
static int l_pack_put(mlops__objects *be, const mlops_digest *d, const void *data, size_t len)
{
    struct local *l = L(be);
    char hex[65];
    mlops__hex_encode(d->bytes, 32, hex);
    char *path = mlops__path_join(l->packs, hex);
    if (!path) return mlops__err_nomem("writing a pack");
    int rc = write_whole(l, l->packs, path, data, len, 0);
    free(path);
    return rc;
}

static int l_pack_get(mlops__objects *be, const mlops_digest *d, void **data, size_t *len)
{
    struct local *l = L(be);
    *data = NULL;
    *len = 0;
    char hex[65];
    mlops__hex_encode(d->bytes, 32, hex);
    char *path = mlops__path_join(l->packs, hex);
    if (!path) return mlops__err_nomem("reading a pack");
    int rc = read_whole(path, "pack", MLOPS__OBJECTS_PACK_MAX, data, len);
    free(path);
    return rc;
}

/* Every file of packs/ whose name is 64 hex digits (temp files are not). */
static int l_pack_foreach(mlops__objects *be, int (*fn)(const mlops_digest *d, void *arg),
                          void *arg)
{
    struct local *l = L(be);
    DIR *dir = opendir(l->packs);
    if (!dir) {
        if (errno == ENOENT) return MLOPS_OK;
        return mlops__err_os(MLOPS_EIO, errno, "cannot list packs in '%s'", l->packs);
    }
    int rc = MLOPS_OK;
    struct dirent *e;
    while (!rc && (e = readdir(dir)) != NULL) {
        mlops_digest d;
        if (strlen(e->d_name) != 64 || mlops__hex_decode(e->d_name, 64, d.bytes)) continue;
        rc = fn(&d, arg);
    }
    closedir(dir);
    return rc;
}

static int l_count_fan(mlops__objects *be, unsigned fan, uint64_t *n)
{
    struct local *l = L(be);
    char dir[PATH_CAP];
    snprintf(dir, sizeof dir, "%s/%02x", l->sha_dir, fan & 0xff);
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return MLOPS_OK;
        return mlops__err_os(MLOPS_EIO, errno, "cannot list '%s'", dir);
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strlen(e->d_name) == 62) (*n)++;
    closedir(d);
    return MLOPS_OK;
}

static void l_free(mlops__objects *be)
{
    struct local *l = L(be);
    if (!l) return;
    mlops__tmpdir_release(&l->tmp);
    if (l->root_fd >= 0) close(l->root_fd);
    free(l->sha_dir);
    free(l->quarantine);
    free(l->names);
    free(l->packs);
    free(l);
}

/* ---- opening ------------------------------------------------------------ */

/* objects/, objects/sha256/ and tmp/, and the sweep of dead handles'
 * temp files. */
static int make_layout(const char *root, const char *sha_dir, const char *tmp_dir)
{
    char *objects = mlops__path_join(root, "objects");
    if (!objects) return mlops__err_nomem("building the objects path");
    int rc = mlops__mkdir_p(root, 0700);
    if (!rc) rc = mlops__mkdir(objects);
    if (!rc) rc = mlops__mkdir(sha_dir);
    if (!rc) rc = mlops__mkdir(tmp_dir);
    if (!rc) mlops__tmp_sweep(tmp_dir);
    free(objects);
    return rc;
}

int mlops__objects_local_open(const char *root, int writable, int fsync, mlops__objects **out)
{
    static const mlops__objects ops = {
        .version = MLOPS__OBJECTS_VERSION,
        .name = "local directory",
        .stage = l_stage,
        .place = l_place,
        .settle = l_settle,
        .stage_settled = l_stage_settled,
        .discard = l_discard,
        .sync = l_sync,
        .open = l_open,
        .read = l_read,
        .close = l_close,
        .exists = l_exists,
        .remove = l_remove,
        .foreach = l_foreach,
        .quarantine = l_quarantine,
        .describe = l_describe,
        .free = l_free,
        .name_put = l_name_put,
        .name_get = l_name_get,
        .count_fan = l_count_fan,
        .pack_put = l_pack_put,
        .pack_get = l_pack_get,
        .pack_foreach = l_pack_foreach,
    };
    struct local *l = calloc(1, sizeof *l);
    if (!l) return mlops__err_nomem("opening the objects folder");
    l->be = ops;
    l->fsync = fsync;
    l->root_fd = -1;
    l->sha_dir = mlops__path_join(root, "objects/sha256");
    l->quarantine = mlops__path_join(root, "quarantine");
    l->names = mlops__path_join(root, "names");
    l->packs = mlops__path_join(root, "packs");
    char *tmp_dir = mlops__path_join(root, "tmp");
    int rc = l->sha_dir && l->quarantine && l->names && l->packs && tmp_dir ? mlops__tmpdir_init(&l->tmp, tmp_dir)
                                                    : mlops__err_nomem("opening the objects folder");
    if (!rc) {
        l->sha_len = strlen(l->sha_dir);
        if (l->sha_len + NAME_LEN > PATH_CAP)
            rc = mlops__err(MLOPS_EINVAL, "objects folder '%s' has too long a path", root);
    }
    if (!rc && writable) rc = make_layout(root, l->sha_dir, tmp_dir);
    /* Opened before any write of ours, so that syncfs reports every
     * writeback error since (settle); without it (and where one syncfs
     * does not cover every file, mlops__sync_fs_covers_files), place and
     * sync fsync each file and folder. */
    if (!rc && writable && fsync) l->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (l->root_fd >= 0 && !mlops__sync_fs_covers_files(l->root_fd)) {
        close(l->root_fd);
        l->root_fd = -1;
    }
    free(tmp_dir);
    if (rc) {
        l_free(&l->be);
        return rc;
    }
    *out = &l->be;
    return MLOPS_OK;
}
