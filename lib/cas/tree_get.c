/* Restoring a tree. First the whole tree is checked, each distinct
 * subtree once (every tree object verified, every name safe, every blob
 * present, every link target allowed) and its expanded size computed, so
 * that a small DAG naming one subtree many times cannot make the restore
 * write without end; nothing is written before that. Then it is written
 * into a new hidden directory beside the target, reading each tree object
 * again on the way down (memory follows the depth, not the expanded size),
 * with every step relative to a directory this call created and never
 * following a symlink, and renamed into place at the end. */
#include "cas/cas_internal.h"
#include "cas/fetch.h"
#include "cas/keymap.h"
#include "cas/tree_format.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/opts.h"
#include "util/str.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define MAX_DEPTH 256

/* What the check found out about one distinct subtree. */
struct tinfo {
    uint64_t entries; /* expanded: every entry at every level below */
    uint64_t bytes;   /* expanded file bytes */
    unsigned climb;   /* levels above this tree's directory that its links
                         reach with leading ".." (contained policy) */
    int height;       /* levels of directories below it (0: none) */
    char *worst;      /* the link that climbs most, relative; NULL if none */
};

struct tget {
    const char *fn; /* the public function reporting */
    mlops_store *s;
    mlops__conn *c;
    mlops__obj_reader *r;
    mlops_tree_get_opts o;
    mlops__keymap seen; /* tree digest -> index in info */
    struct tinfo *info;
    size_t ninfo, capinfo;
    unsigned mode_mask; /* bits cleared from stored modes */
    /* How the restore is made durable (with fsync on): 0, an fsync of each
     * file and folder as it is done; 1, one sync of the file system before
     * the rename, for a tree of more than SYNC_FS_OVER entries on a file
     * system where that covers every file (mlops__sync_fs_covers_files). */
    int sync_fs;
};

/* Past this many entries, one sync of the file system (mlops__sync_fs)
 * costs less than an fsync of each file and folder: each fsync is a
 * flush of the device (5,000 files of 4 KiB: 1.6-4.9 s with an fsync
 * each, about 1.9 s with one sync, on our machines). */
#define SYNC_FS_OVER 32

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static int check_blob(struct tget *g, const mlops__tree_entry *e, const char *tree)
{
    mlops__content ct;
    int rc = mlops__content_get(g->c, g->fn, &e->digest, &ct);
    if (rc) return rc;
    if (ct.size != e->size)
        return mlops__err(MLOPS_ECORRUPT, "%s: tree %s gives '%s' %llu bytes, its blob has %llu",
                          g->fn, tree, e->name, (unsigned long long)e->size,
                          (unsigned long long)ct.size);
    return MLOPS_OK;
}

static int read_target(struct tget *g, const mlops__tree_entry *e, const char *tree, char **out)
{
    int rc = check_blob(g, e, tree);
    if (!rc && (e->size == 0 || e->size >= PATH_MAX))
        rc = mlops__err(MLOPS_EINVAL, "%s: tree %s has a link '%s' with an impossible target",
                        g->fn, tree, e->name);
    char *t = NULL;
    if (!rc) {
        t = malloc((size_t)e->size + 1);
        if (!t) rc = mlops__err_nomem("reading a link target");
    }
    if (!rc) rc = mlops__object_read(g->s, g->r, &e->digest, t, (size_t)e->size);
    if (!rc && memchr(t, '\0', (size_t)e->size))
        rc = mlops__err(MLOPS_EINVAL, "%s: tree %s has a link '%s' whose target holds NUL",
                        g->fn, tree, e->name);
    if (rc) {
        free(t);
        return rc;
    }
    t[e->size] = '\0';
    *out = t;
    return MLOPS_OK;
}

/* Under MLOPS_TREE_LINKS_CONTAINED: a target must be relative, and its
 * ".." components all come first, so they climb through the real
 * directories the restore creates and what follows only descends (links
 * it passes through obey the same rule, so they stay inside too). *climb
 * receives the number of leading "..". */
static int link_climb(const char *fn, const char *target, const char *tree, const char *name,
                      unsigned *climb)
{
    if (target[0] == '/')
        return mlops__err(MLOPS_EINVAL, "%s: tree %s has a link '%s' to the absolute path '%s' "
                                        "(refused: links must stay inside the target)",
                          fn, tree, name, target);
    unsigned up = 0;
    int descended = 0;
    for (const char *p = target; *p;) {
        const char *q = strchr(p, '/');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (descended)
                return mlops__err(MLOPS_EINVAL,
                                  "%s: tree %s has a link '%s' to '%s', with '..' after a name "
                                  "(refused: links must stay inside the target)",
                                  fn, tree, name, target);
            up++;
        } else if (n && !(n == 1 && p[0] == '.')) {
            descended = 1;
        }
        p += n + (q ? 1 : 0);
    }
    *climb = up;
    return MLOPS_OK;
}

/* Records a link (or a subtree's worst link) as the one climbing most. */
static int note_climb(struct tinfo *t, unsigned climb, const char *prefix, const char *name)
{
    if (climb <= t->climb) return MLOPS_OK;
    char *w = prefix ? mlops__strcat3(prefix, "/", name) : mlops__strdup(name);
    if (!w) return mlops__err_nomem("checking a tree");
    free(t->worst);
    t->worst = w;
    t->climb = climb;
    return MLOPS_OK;
}

static int check_entries(struct tget *g, const mlops__tree_entry *e, size_t n, int depth,
                         const char *ds, struct tinfo *t);

/* Checks tree d once, whatever the number of places it appears in, and
 * sets *idx to its entry in g->info. */
static int check_tree(struct tget *g, const mlops_digest *d, int depth, size_t *idx)
{
    char ds[MLOPS_DIGEST_STRLEN];
    /* Met before: it was checked then, but maybe higher up. */
    if (mlops__keymap_get(&g->seen, d->bytes, idx)) {
        if (depth + g->info[*idx].height <= MAX_DEPTH) return MLOPS_OK;
        return mlops__err(MLOPS_EINVAL, "%s: tree %s is nested deeper than %d levels", g->fn,
                          mlops__digest_str(d, ds), MAX_DEPTH);
    }
    mlops__digest_str(d, ds);
    if (depth > MAX_DEPTH)
        return mlops__err(MLOPS_EINVAL, "%s: tree %s is nested deeper than %d levels", g->fn, ds,
                          MAX_DEPTH);
    mlops__content ct;
    int rc = mlops__content_get(g->c, g->fn, d, &ct);
    if (rc) return rc;
    if (ct.kind != MLOPS__KIND_TREE)
        return mlops__err(MLOPS_EINVAL, "%s: %s is a blob, not a tree", g->fn, ds);
    void *buf = NULL;
    size_t len = 0;
    mlops__tree_entry *e = NULL;
    size_t n = 0;
    rc = mlops__object_read_alloc(g->s, g->r, d, &buf, &len);
    if (!rc) rc = mlops__tree_decode(buf, len, ds, &e, &n);
    free(buf);
    struct tinfo t = {0, 0, 0, 0, NULL};
    if (!rc) rc = check_entries(g, e, n, depth, ds, &t);
    mlops__tree_entries_free(e, n);
    if (!rc && g->ninfo == g->capinfo) {
        size_t cap = g->capinfo ? g->capinfo * 2 : 64;
        struct tinfo *ni = realloc(g->info, cap * sizeof *ni);
        if (!ni) rc = mlops__err_nomem("checking a tree");
        else {
            g->info = ni;
            g->capinfo = cap;
        }
    }
    if (!rc) rc = mlops__keymap_add(&g->seen, d->bytes, g->ninfo, NULL);
    if (rc) {
        free(t.worst);
        return rc;
    }
    *idx = g->ninfo;
    g->info[g->ninfo++] = t;
    return MLOPS_OK;
}

static int check_entries(struct tget *g, const mlops__tree_entry *e, size_t n, int depth,
                         const char *ds, struct tinfo *t)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        t->entries = sat_add(t->entries, 1);
        if (e[i].type == MLOPS__ENTRY_DIR) {
            size_t k = 0;
            rc = check_tree(g, &e[i].digest, depth + 1, &k);
            if (rc) break;
            const struct tinfo *sub = &g->info[k]; /* g->info is stable until the next check */
            t->entries = sat_add(t->entries, sub->entries);
            t->bytes = sat_add(t->bytes, sub->bytes);
            if (sub->height + 1 > t->height) t->height = sub->height + 1;
            if (sub->climb > 1) rc = note_climb(t, sub->climb - 1, e[i].name, sub->worst);
        } else if (e[i].type == MLOPS__ENTRY_SYMLINK) {
            char *target = NULL;
            unsigned climb = 0;
            rc = read_target(g, &e[i], ds, &target);
            if (!rc && g->o.links == MLOPS_TREE_LINKS_CONTAINED)
                rc = link_climb(g->fn, target, ds, e[i].name, &climb);
            if (!rc) rc = note_climb(t, climb, NULL, e[i].name);
            free(target);
        } else {
            rc = check_blob(g, &e[i], ds);
            t->bytes = sat_add(t->bytes, e[i].size);
        }
    }
    return rc;
}

static void tget_free(struct tget *g)
{
    for (size_t i = 0; i < g->ninfo; i++) free(g->info[i].worst);
    free(g->info);
    mlops__keymap_free(&g->seen);
}

/* The expanded tree must fit opts' limits and the free space and inodes
 * of the file system dir will be on. */
static int check_limits(const struct tget *g, const struct tinfo *root, const char *dir)
{
    const mlops_tree_get_opts *o = &g->o;
    if (root->climb)
        return mlops__err(MLOPS_EINVAL,
                          "%s: link '%s' leads %u level%s above '%s' (refused: links must "
                          "stay inside the target)",
                          g->fn, root->worst, root->climb, root->climb == 1 ? "" : "s", dir);
    if (root->entries > o->max_entries)
        return mlops__err(MLOPS_EINVAL,
                          "%s: the tree expands to %llu%s entries, over the limit of %llu "
                          "(max_entries)",
                          g->fn, (unsigned long long)root->entries,
                          root->entries == UINT64_MAX ? " or more" : "",
                          (unsigned long long)o->max_entries);
    if (root->bytes > o->max_bytes)
        return mlops__err(MLOPS_EINVAL,
                          "%s: the tree expands to %llu%s bytes of files, over the limit of "
                          "%llu (max_bytes)",
                          g->fn, (unsigned long long)root->bytes,
                          root->bytes == UINT64_MAX ? " or more" : "",
                          (unsigned long long)o->max_bytes);
    char *c = mlops__strdup(dir);
    if (!c) return mlops__err_nomem("checking free space");
    struct statvfs vfs;
    int ok = statvfs(dirname(c), &vfs) == 0;
    int e = errno;
    int rc = MLOPS_OK;
    if (!ok) {
        rc = mlops__err_os(e == ENOENT ? MLOPS_ENOTFOUND : MLOPS_EIO, e,
                           "%s: cannot check the free space beside '%s'", g->fn, dir);
    } else {
        uint64_t avail = (uint64_t)vfs.f_bavail;
        uint64_t unit = vfs.f_frsize ? (uint64_t)vfs.f_frsize : (uint64_t)vfs.f_bsize;
        uint64_t free_bytes = !unit ? UINT64_MAX /* no figure: no check */
                              : avail > UINT64_MAX / unit ? UINT64_MAX
                                                          : avail * unit;
        if (root->bytes > free_bytes)
            rc = mlops__err(MLOPS_EIO,
                            "%s: the tree needs %llu%s bytes, the file system of '%s' has "
                            "%llu free",
                            g->fn, (unsigned long long)root->bytes,
                            root->bytes == UINT64_MAX ? " or more" : "", dir,
                            (unsigned long long)free_bytes);
        /* Some file systems report no inode count (0): no limit there. */
        else if (vfs.f_files && sat_add(root->entries, 1) > (uint64_t)vfs.f_favail)
            rc = mlops__err(MLOPS_EIO,
                            "%s: the tree needs %llu%s inodes, the file system of '%s' has "
                            "%llu free",
                            g->fn, (unsigned long long)sat_add(root->entries, 1),
                            root->entries == UINT64_MAX ? " or more" : "", dir,
                            (unsigned long long)vfs.f_favail);
    }
    free(c);
    return rc;
}

/* ---- writing -------------------------------------------------------------- */

static int write_file(struct tget *g, int dfd, const mlops__tree_entry *e, const char *path)
{
    mlops__content ct;
    int rc = mlops__content_get(g->c, g->fn, &e->digest, &ct);
    if (rc) return rc;
    int fd = openat(dfd, e->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return mlops__err_os(MLOPS_EIO, errno, "%s: cannot create '%s'", g->fn, path);
    /* A large file starts going to the disk as it grows, however the
     * restore is made durable. A whole read: a file that is not its blob
     * fails the restore. */
    mlops__fetch_file f = {fd, path, mlops__store_fsync_enabled(g->s), 0};
    mlops__fetch job = {g->s, g->c, &e->digest, &ct, 0, ct.size, NULL, mlops__fetch_file_write,
                        &f, 1, 0};
    rc = mlops__fetch_run(&job);
    if (!rc && fchmod(fd, e->mode & 0777 & ~g->mode_mask) != 0)
        rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot set the mode of '%s'", g->fn, path);
    if (!rc && f.write_out && !g->sync_fs) rc = mlops__fsync_fd(fd, path);
    if (close(fd) != 0 && !rc)
        rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot close '%s'", g->fn, path);
    return rc;
}

static int write_tree(struct tget *g, int dfd, const mlops_digest *d, const char *path);

static int write_entry(struct tget *g, int dfd, const mlops__tree_entry *e, const char *ds,
                       const char *sub)
{
    if (e->type == MLOPS__ENTRY_FILE) return write_file(g, dfd, e, sub);
    if (e->type == MLOPS__ENTRY_SYMLINK) {
        char *target = NULL;
        int rc = read_target(g, e, ds, &target);
        if (!rc && symlinkat(target, dfd, e->name) != 0)
            rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot create link '%s'", g->fn, sub);
        free(target);
        return rc;
    }
    if (mkdirat(dfd, e->name, 0700) != 0)
        return mlops__err_os(MLOPS_EIO, errno, "%s: cannot create '%s'", g->fn, sub);
    int sfd = openat(dfd, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0) return mlops__err_os(MLOPS_EIO, errno, "%s: cannot open '%s'", g->fn, sub);
    int rc = write_tree(g, sfd, &e->digest, sub);
    /* The mode last: a read-only directory is filled first. */
    if (!rc && fchmod(sfd, e->mode & 0777 & ~g->mode_mask) != 0)
        rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot set the mode of '%s'", g->fn, sub);
    if (!rc && mlops__store_fsync_enabled(g->s) && !g->sync_fs) rc = mlops__fsync_fd(sfd, sub);
    close(sfd);
    return rc;
}

/* Writes tree d (checked before) into dfd, reading its object again: only
 * the trees on the current path are in memory. */
static int write_tree(struct tget *g, int dfd, const mlops_digest *d, const char *path)
{
    char ds[MLOPS_DIGEST_STRLEN];
    mlops__digest_str(d, ds);
    void *buf = NULL;
    size_t len = 0;
    mlops__tree_entry *e = NULL;
    size_t n = 0;
    int rc = mlops__object_read_alloc(g->s, g->r, d, &buf, &len);
    if (!rc) rc = mlops__tree_decode(buf, len, ds, &e, &n);
    free(buf);
    for (size_t i = 0; !rc && i < n; i++) {
        char *sub = mlops__strcat3(path, "/", e[i].name);
        if (!sub) rc = mlops__err_nomem("restoring a tree");
        else rc = write_entry(g, dfd, &e[i], ds, sub);
        free(sub);
    }
    mlops__tree_entries_free(e, n);
    return rc;
}

/* The bits the OS clears from the mode of a file created in dfd (the
 * umask, or what a default ACL asks): found by creating one, which is
 * race-free where reading the umask is not (umask() sets it). */
static int creation_mask(const char *fn, int dfd, const char *dir, unsigned *mask)
{
    static const char probe[] = ".mlops-mode-probe";
    int fd = openat(dfd, probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0777);
    if (fd < 0) return mlops__err_os(MLOPS_EIO, errno, "%s: cannot create a file beside '%s'",
                                     fn, dir);
    struct stat st;
    int ok = fstat(fd, &st) == 0;
    int e = errno;
    close(fd);
    unlinkat(dfd, probe, 0);
    if (!ok) return mlops__err_os(MLOPS_EIO, e, "%s: cannot stat a file beside '%s'", fn, dir);
    *mask = 0777 & ~(unsigned)st.st_mode;
    return MLOPS_OK;
}

/* Removes what this call created under dfd, never following a link. */
static void remove_tree_at(int dfd)
{
    int fd2 = dup(dfd);
    DIR *d = fd2 >= 0 ? fdopendir(fd2) : NULL;
    if (!d) {
        if (fd2 >= 0) close(fd2);
        return;
    }
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, "..")) continue;
        if (unlinkat(dfd, ent->d_name, 0) == 0) continue;
        int sfd = openat(dfd, ent->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sfd >= 0) {
            fchmod(sfd, 0700);
            remove_tree_at(sfd);
            close(sfd);
            unlinkat(dfd, ent->d_name, AT_REMOVEDIR);
        }
    }
    closedir(d);
}

/* The target must be absent or an empty directory. */
static int check_target(const char *fn, const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT) return MLOPS_OK;
        return mlops__err_os(MLOPS_EIO, errno, "%s: cannot access '%s'", fn, dir);
    }
    if (!S_ISDIR(st.st_mode))
        return mlops__err(MLOPS_EEXIST, "%s: '%s' exists and is not a directory", fn, dir);
    DIR *d = opendir(dir);
    if (!d) return mlops__err_os(MLOPS_EIO, errno, "%s: cannot read '%s'", fn, dir);
    int empty = 1;
    struct dirent *ent;
    while (empty && (ent = readdir(d)) != NULL)
        if (strcmp(ent->d_name, ".") && strcmp(ent->d_name, "..")) empty = 0;
    closedir(d);
    if (!empty)
        return mlops__err(MLOPS_EEXIST, "%s: '%s' is not empty: a tree is restored into an "
                                        "empty or new directory",
                          fn, dir);
    return MLOPS_OK;
}

static int restore(struct tget *g, const mlops_digest *root, const char *dir)
{
    char *c1 = mlops__strdup(dir), *c2 = mlops__strdup(dir);
    char *tmp = NULL;
    int rc = c1 && c2 ? MLOPS_OK : mlops__err_nomem("restoring a tree");
    if (!rc) {
        unsigned char rnd[8];
        char hex[17];
        rc = mlops__random_bytes(rnd, sizeof rnd);
        mlops__hex_encode(rnd, sizeof rnd, hex);
        const char *parent = dirname(c1), *base = basename(c2);
        size_t n = strlen(parent) + strlen(base) + 32;
        tmp = malloc(n);
        if (!tmp) rc = mlops__err_nomem("restoring a tree");
        else snprintf(tmp, n, "%s/.%s.mlops-%s", parent, base, hex);
        if (!rc && mkdir(tmp, 0700) != 0)
            rc = mlops__err_os(errno == ENOENT ? MLOPS_ENOTFOUND : MLOPS_EIO, errno,
                               "%s: cannot create a directory beside '%s'", g->fn, dir);
    }
    int dfd = -1;
    if (!rc && tmp) {
        dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0) {
            rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot open '%s'", g->fn, tmp);
            rmdir(tmp);
        }
    }
    if (!rc && tmp) {
        /* dfd, which the sync goes through, is open before anything is
         * written: the sync reports every writeback error of the restore. */
        g->sync_fs = g->sync_fs && mlops__store_fsync_enabled(g->s) &&
                     mlops__sync_fs_covers_files(dfd);
        if (!g->o.keep_modes) rc = creation_mask(g->fn, dfd, dir, &g->mode_mask);
        if (!rc) rc = write_tree(g, dfd, root, dir);
        /* The root directory gets the mode of the directory that was put;
         * the tree does not record it, so the usual 0755. */
        if (!rc && fchmod(dfd, 0755 & ~g->mode_mask) != 0)
            rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot set the mode of '%s'", g->fn, dir);
        if (!rc && mlops__store_fsync_enabled(g->s))
            rc = g->sync_fs ? mlops__sync_fs(dfd, dir) : mlops__fsync_fd(dfd, dir);
        /* rename() replaces an empty directory; anything else in the
         * meantime (files appeared) is refused by the kernel. */
        if (!rc && rename(tmp, dir) != 0)
            rc = mlops__err_os(errno == ENOTEMPTY || errno == EEXIST ? MLOPS_EEXIST : MLOPS_EIO,
                               errno, "%s: cannot move the restored tree to '%s'", g->fn, dir);
        if (rc) {
            fchmod(dfd, 0700);
            remove_tree_at(dfd);
            rmdir(tmp);
        } else if (mlops__store_fsync_enabled(g->s)) {
            (void)mlops__fsync_dir(dirname(c1));
        }
        close(dfd);
    }
    free(tmp);
    free(c1);
    free(c2);
    return rc;
}

MLOPS_API int mlops_tree_get_opts_init(mlops_tree_get_opts *opts, unsigned version)
{
    static const mlops_tree_get_opts defaults = MLOPS_TREE_GET_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_TREE_GET_OPTS_VERSION);
}

static int tree_get(const char *fn, mlops_store *s, const mlops_digest *d, const char *dir,
                    const mlops_tree_get_opts *opts)
{
    struct tget g = {.fn = fn, .s = s};
    mlops_tree_get_opts defaults = MLOPS_TREE_GET_OPTS_INIT;
    g.o = defaults;
    if (opts) {
        int rc = mlops__opts_check(fn, opts->version,
                                   MLOPS_TREE_GET_OPTS_VERSION, "mlops_tree_get_opts_init");
        if (rc) return rc;
        g.o = *opts; /* version 1 is the only version so far: every field */
    }
    if (g.o.links != MLOPS_TREE_LINKS_KEEP && g.o.links != MLOPS_TREE_LINKS_CONTAINED)
        return mlops__err(MLOPS_EINVAL, "%s: unknown links policy %d", fn, g.o.links);
    int rc = mlops__store_conn(s, &g.c);
    if (rc) return rc;
    rc = mlops__obj_reader_new(&g.r);
    size_t root = 0;
    if (!rc) rc = check_tree(&g, d, 0, &root);
    if (!rc) rc = check_target(g.fn, dir);
    if (!rc) rc = check_limits(&g, &g.info[root], dir);
    if (!rc) g.sync_fs = g.info[root].entries > SYNC_FS_OVER; /* restore confirms it */
    if (!rc) rc = restore(&g, d, dir);
    tget_free(&g);
    mlops__obj_reader_free(g.r);
    mlops__store_release(s, g.c);
    return rc;
}

MLOPS_API int mlops_tree_get(mlops_store *s, const mlops_digest *d, const char *dir,
                             unsigned flags)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!d) return mlops__err_null(__func__, "d");
    if (!dir) return mlops__err_null(__func__, "dir");
    if (!dir[0]) return mlops__err(MLOPS_EINVAL, "%s: dir is empty", __func__);
    if (flags) return mlops__err(MLOPS_EINVAL, "%s: unknown flags 0x%x", __func__, flags);
    return tree_get(__func__, s, d, dir, NULL);
}

MLOPS_API int mlops_tree_get_ex(mlops_store *s, const mlops_digest *d, const char *dir,
                                const mlops_tree_get_opts *opts)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!d) return mlops__err_null(__func__, "d");
    if (!dir) return mlops__err_null(__func__, "dir");
    if (!dir[0]) return mlops__err(MLOPS_EINVAL, "%s: dir is empty", __func__);
    return tree_get(__func__, s, d, dir, opts);
}
