/* Restoring a tree. First the whole tree is read and checked (every tree
 * object verified, every name safe, every blob present), before anything
 * is written; then it is written into a new hidden directory beside the
 * target, with every step relative to a directory this call created and
 * never following a symlink, and renamed into place at the end. */
#include "cas/cas_internal.h"
#include "cas/fetch.h"
#include "cas/tree_format.h"
#include "util/err.h"
#include "util/fs.h"
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
#include <unistd.h>

#define MAX_DEPTH 256
static const char func[] = "mlops_tree_get";

struct tnode {
    mlops__tree_entry *e;
    size_t n;
    struct tnode **kids; /* per entry: the subtree of a dir */
    char **targets;      /* per entry: the target of a symlink */
};

static void tnode_free(struct tnode *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) {
        if (t->kids) tnode_free(t->kids[i]);
        if (t->targets) free(t->targets[i]);
    }
    free(t->kids);
    free(t->targets);
    mlops__tree_entries_free(t->e, t->n);
    free(t);
}

struct tget {
    mlops_store *s;
    mlops__conn *c;
    mlops__obj_reader *r;
};

static int check_blob(struct tget *g, const mlops__tree_entry *e, const char *tree)
{
    mlops__content ct;
    int rc = mlops__content_get(g->c, func, &e->digest, &ct);
    if (rc) return rc;
    if (ct.size != e->size)
        return mlops__err(MLOPS_ECORRUPT, "%s: tree %s gives '%s' %llu bytes, its blob has %llu",
                          func, tree, e->name, (unsigned long long)e->size,
                          (unsigned long long)ct.size);
    return MLOPS_OK;
}

static int read_target(struct tget *g, const mlops__tree_entry *e, const char *tree, char **out)
{
    int rc = check_blob(g, e, tree);
    if (!rc && (e->size == 0 || e->size >= PATH_MAX))
        rc = mlops__err(MLOPS_EINVAL, "%s: tree %s has a link '%s' with an impossible target",
                        func, tree, e->name);
    char *t = NULL;
    if (!rc) {
        t = malloc((size_t)e->size + 1);
        if (!t) rc = mlops__err_nomem("reading a link target");
    }
    if (!rc) rc = mlops__object_read(g->s, g->r, &e->digest, t, (size_t)e->size);
    if (!rc && memchr(t, '\0', (size_t)e->size))
        rc = mlops__err(MLOPS_EINVAL, "%s: tree %s has a link '%s' whose target holds NUL",
                        func, tree, e->name);
    if (rc) {
        free(t);
        return rc;
    }
    t[e->size] = '\0';
    *out = t;
    return MLOPS_OK;
}

static int load(struct tget *g, const mlops_digest *d, int depth, struct tnode **out)
{
    char ds[MLOPS_DIGEST_STRLEN];
    mlops__digest_str(d, ds);
    if (depth > MAX_DEPTH)
        return mlops__err(MLOPS_EINVAL, "%s: tree %s is nested deeper than %d levels", func, ds,
                          MAX_DEPTH);
    mlops__content ct;
    int rc = mlops__content_get(g->c, func, d, &ct);
    if (rc) return rc;
    if (ct.kind != MLOPS__KIND_TREE)
        return mlops__err(MLOPS_EINVAL, "%s: %s is a blob, not a tree", func, ds);
    void *buf = NULL;
    size_t len = 0;
    rc = mlops__object_read_alloc(g->s, g->r, d, &buf, &len);
    struct tnode *t = calloc(1, sizeof *t);
    if (!rc && !t) rc = mlops__err_nomem("reading a tree");
    if (!rc) rc = mlops__tree_decode(buf, len, ds, &t->e, &t->n);
    free(buf);
    if (!rc) {
        t->kids = calloc(t->n ? t->n : 1, sizeof *t->kids);
        t->targets = calloc(t->n ? t->n : 1, sizeof *t->targets);
        if (!t->kids || !t->targets) rc = mlops__err_nomem("reading a tree");
    }
    for (size_t i = 0; !rc && i < t->n; i++) {
        const mlops__tree_entry *e = &t->e[i];
        if (e->type == MLOPS__ENTRY_DIR) rc = load(g, &e->digest, depth + 1, &t->kids[i]);
        else if (e->type == MLOPS__ENTRY_SYMLINK) rc = read_target(g, e, ds, &t->targets[i]);
        else rc = check_blob(g, e, ds);
    }
    if (rc) {
        tnode_free(t);
        return rc;
    }
    *out = t;
    return MLOPS_OK;
}

/* ---- writing -------------------------------------------------------------- */

struct file_ctx {
    int fd;
    const char *name;
};

static int write_span(void *ctx, const mlops__span *sp, const unsigned char *data)
{
    struct file_ctx *f = ctx;
    return mlops__pwrite_all(f->fd, data, (size_t)sp->size, sp->offset, f->name);
}

static int write_file(struct tget *g, int dfd, const mlops__tree_entry *e, const char *path)
{
    mlops__content ct;
    int rc = mlops__content_get(g->c, func, &e->digest, &ct);
    if (rc) return rc;
    int fd = openat(dfd, e->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return mlops__err_os(MLOPS_EIO, errno, "%s: cannot create '%s'", func, path);
    struct file_ctx f = {fd, path};
    /* A whole read: a file that is not its blob fails the restore. */
    mlops__fetch job = {g->s, g->c, &e->digest, &ct, 0, ct.size, NULL, write_span, &f, 1, 0};
    rc = mlops__fetch_run(&job);
    if (!rc && fchmod(fd, e->mode & 0777) != 0)
        rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot set the mode of '%s'", func, path);
    if (!rc && mlops__store_fsync_enabled(g->s)) rc = mlops__fsync_fd(fd, path);
    if (close(fd) != 0 && !rc)
        rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot close '%s'", func, path);
    return rc;
}

static int write_tree(struct tget *g, int dfd, const struct tnode *t, const char *path)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < t->n; i++) {
        const mlops__tree_entry *e = &t->e[i];
        char *sub = mlops__strcat3(path, "/", e->name);
        if (!sub) return mlops__err_nomem("restoring a tree");
        if (e->type == MLOPS__ENTRY_FILE) {
            rc = write_file(g, dfd, e, sub);
        } else if (e->type == MLOPS__ENTRY_SYMLINK) {
            if (symlinkat(t->targets[i], dfd, e->name) != 0)
                rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot create link '%s'", func, sub);
        } else if (mkdirat(dfd, e->name, 0700) != 0) {
            rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot create '%s'", func, sub);
        } else {
            int sfd = openat(dfd, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sfd < 0) {
                rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot open '%s'", func, sub);
            } else {
                rc = write_tree(g, sfd, t->kids[i], sub);
                /* The mode last: a read-only directory is filled first. */
                if (!rc && fchmod(sfd, e->mode & 0777) != 0)
                    rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot set the mode of '%s'",
                                       func, sub);
                if (!rc && mlops__store_fsync_enabled(g->s)) rc = mlops__fsync_fd(sfd, sub);
                close(sfd);
            }
        }
        free(sub);
    }
    return rc;
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
static int check_target(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT) return MLOPS_OK;
        return mlops__err_os(MLOPS_EIO, errno, "%s: cannot access '%s'", func, dir);
    }
    if (!S_ISDIR(st.st_mode))
        return mlops__err(MLOPS_EEXIST, "%s: '%s' exists and is not a directory", func, dir);
    DIR *d = opendir(dir);
    if (!d) return mlops__err_os(MLOPS_EIO, errno, "%s: cannot read '%s'", func, dir);
    int empty = 1;
    struct dirent *ent;
    while (empty && (ent = readdir(d)) != NULL)
        if (strcmp(ent->d_name, ".") && strcmp(ent->d_name, "..")) empty = 0;
    closedir(d);
    if (!empty)
        return mlops__err(MLOPS_EEXIST, "%s: '%s' is not empty: a tree is restored into an "
                                        "empty or new directory",
                          func, dir);
    return MLOPS_OK;
}

static int restore(struct tget *g, const struct tnode *root, const mlops__tree_entry *top,
                   const char *dir)
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
                               "%s: cannot create a directory beside '%s'", func, dir);
    }
    int dfd = -1;
    if (!rc && tmp) {
        dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0) {
            rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot open '%s'", func, tmp);
            rmdir(tmp);
        }
    }
    if (!rc && tmp) {
        rc = write_tree(g, dfd, root, dir);
        if (!rc && fchmod(dfd, top->mode) != 0)
            rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot set the mode of '%s'", func, dir);
        if (!rc && mlops__store_fsync_enabled(g->s)) rc = mlops__fsync_fd(dfd, dir);
        /* rename() replaces an empty directory; anything else in the
         * meantime (files appeared) is refused by the kernel. */
        if (!rc && rename(tmp, dir) != 0)
            rc = mlops__err_os(errno == ENOTEMPTY || errno == EEXIST ? MLOPS_EEXIST : MLOPS_EIO,
                               errno, "%s: cannot move the restored tree to '%s'", func, dir);
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

MLOPS_API int mlops_tree_get(mlops_store *s, const mlops_digest *d, const char *dir,
                             unsigned flags)
{
    if (!s) return mlops__err_null(func, "s");
    if (!d) return mlops__err_null(func, "d");
    if (!dir) return mlops__err_null(func, "dir");
    if (!dir[0]) return mlops__err(MLOPS_EINVAL, "%s: dir is empty", func);
    if (flags) return mlops__err(MLOPS_EINVAL, "%s: unknown flags 0x%x", func, flags);
    struct tget g = {s, NULL, NULL};
    int rc = mlops__store_conn(s, &g.c);
    if (rc) return rc;
    rc = mlops__obj_reader_new(&g.r);
    struct tnode *root = NULL;
    if (!rc) rc = load(&g, d, 0, &root);
    if (!rc) rc = check_target(dir);
    /* The root directory gets the mode of the directory that was put; the
     * tree does not record it, so use the usual 0755. */
    mlops__tree_entry top = {.mode = 0755};
    if (!rc) rc = restore(&g, root, &top, dir);
    tnode_free(root);
    mlops__obj_reader_free(g.r);
    mlops__store_release(s, g.c);
    return rc;
}
