/* Putting a directory as a Merkle tree: one tree object per directory,
 * built bottom-up, so an unchanged subtree is the same object again and a
 * changed file rewrites only the trees on its path. */
#include "cas/cas_internal.h"
#include "cas/ingest.h"
#include "cas/keymap.h"
#include "cas/tree_format.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/str.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 256

/* What an entry already put stored: reused for every other path to the
 * same file or directory. */
struct done {
    mlops_digest digest;
    uint64_t size;
};

struct tput {
    const char *fn; /* the public function reporting */
    mlops_store *s;
    unsigned flags;
    dev_t dev[MAX_DEPTH];
    ino_t ino[MAX_DEPTH];
    int depth;
    /* Following symlinks, one directory or file may be reached by many
     * paths (links reusing each other double the paths per level): each
     * is put once, memoised by device and inode. Only successes are kept,
     * and a loop fails wherever it is first met, so reusing is safe. */
    mlops__keymap seen;
    struct done *done;
    size_t ndone, capdone;
};

static int memo_get(const struct tput *t, const struct stat *st, mlops__tree_entry *e)
{
    if (!(t->flags & MLOPS_TREE_FOLLOW_SYMLINKS)) return 0;
    unsigned char key[32];
    mlops__keymap_devino((uint64_t)st->st_dev, (uint64_t)st->st_ino, key);
    size_t i = 0;
    if (!mlops__keymap_get(&t->seen, key, &i)) return 0;
    e->digest = t->done[i].digest;
    e->size = t->done[i].size;
    return 1;
}

static int memo_add(struct tput *t, const struct stat *st, const mlops__tree_entry *e)
{
    if (!(t->flags & MLOPS_TREE_FOLLOW_SYMLINKS)) return MLOPS_OK;
    if (t->ndone == t->capdone) {
        size_t cap = t->capdone ? t->capdone * 2 : 64;
        struct done *nd = realloc(t->done, cap * sizeof *nd);
        if (!nd) return mlops__err_nomem("storing a tree");
        t->done = nd;
        t->capdone = cap;
    }
    unsigned char key[32];
    mlops__keymap_devino((uint64_t)st->st_dev, (uint64_t)st->st_ino, key);
    int rc = mlops__keymap_add(&t->seen, key, t->ndone, NULL);
    if (!rc) t->done[t->ndone++] = (struct done){e->digest, e->size};
    return rc;
}

static int put_dir(struct tput *t, int dfd, const char *path, mlops_digest *out,
                   uint64_t *total);

/* The names in a directory, unsorted. */
static int list_names(const char *fn, int dfd, const char *path, char ***names_out, size_t *n_out)
{
    int fd2 = dup(dfd);
    DIR *d = fd2 >= 0 ? fdopendir(fd2) : NULL;
    if (!d) {
        int e = errno;
        if (fd2 >= 0) close(fd2);
        return mlops__err_os(MLOPS_EIO, e, "%s: cannot read directory '%s'", fn, path);
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = MLOPS_OK;
    struct dirent *ent;
    errno = 0;
    while (!rc && (ent = readdir(d)) != NULL) {
        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, "..")) continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn) {
                rc = mlops__err_nomem("listing a directory");
                break;
            }
            names = nn;
            cap = nc;
        }
        names[n] = mlops__strdup(ent->d_name);
        if (!names[n]) rc = mlops__err_nomem("listing a directory");
        else n++;
    }
    if (!rc && errno)
        rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot read directory '%s'", fn, path);
    closedir(d);
    if (rc) {
        for (size_t i = 0; i < n; i++) free(names[i]);
        free(names);
        return rc;
    }
    *names_out = names;
    *n_out = n;
    return MLOPS_OK;
}

static int put_file_entry(struct tput *t, int dfd, const char *name, const char *path,
                          mlops__tree_entry *e)
{
    int nofollow = (t->flags & MLOPS_TREE_FOLLOW_SYMLINKS) ? 0 : O_NOFOLLOW;
    int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | nofollow);
    if (fd < 0)
        return mlops__err_os(errno == ENOENT ? MLOPS_ENOTFOUND : MLOPS_EIO, errno,
                             "%s: cannot open '%s'", t->fn, path);
    int rc = mlops__put_fd(t->s, t->fn, fd, path, &e->digest, &e->size);
    close(fd);
    return rc;
}

static int put_symlink_entry(const char *fn, int dfd, mlops_store *s, const char *name,
                             const char *path, mlops__tree_entry *e)
{
    char target[PATH_MAX];
    ssize_t n = readlinkat(dfd, name, target, sizeof target);
    if (n < 0) return mlops__err_os(MLOPS_EIO, errno, "%s: cannot read link '%s'", fn, path);
    if ((size_t)n == sizeof target)
        return mlops__err(MLOPS_EINVAL, "%s: the target of link '%s' is too long", fn, path);
    e->size = (uint64_t)n;
    return mlops__put_small(s, target, (size_t)n, &e->digest);
}

static int put_subdir_entry(struct tput *t, int dfd, const char *name, const char *path,
                            const struct stat *st, mlops__tree_entry *e)
{
    for (int i = 0; i < t->depth; i++)
        if (t->dev[i] == st->st_dev && t->ino[i] == st->st_ino)
            return mlops__err(MLOPS_EINVAL, "%s: '%s' leads back to a directory above it",
                              t->fn, path);
    if (t->depth == MAX_DEPTH)
        return mlops__err(MLOPS_EINVAL, "%s: '%s' is nested deeper than %d levels", t->fn, path,
                          MAX_DEPTH);
    int nofollow = (t->flags & MLOPS_TREE_FOLLOW_SYMLINKS) ? 0 : O_NOFOLLOW;
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | nofollow);
    if (fd < 0) return mlops__err_os(MLOPS_EIO, errno, "%s: cannot open '%s'", t->fn, path);
    t->dev[t->depth] = st->st_dev;
    t->ino[t->depth] = st->st_ino;
    t->depth++;
    int rc = put_dir(t, fd, path, &e->digest, &e->size);
    t->depth--;
    close(fd);
    return rc;
}

static int put_entry(struct tput *t, int dfd, const char *name, const char *path,
                     mlops__tree_entry *e)
{
    struct stat st;
    int follow = (t->flags & MLOPS_TREE_FOLLOW_SYMLINKS) != 0;
    if (fstatat(dfd, name, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0)
        return mlops__err_os(errno == ENOENT ? MLOPS_ENOTFOUND : MLOPS_EIO, errno,
                             "%s: cannot stat '%s'", t->fn, path);
    e->mode = (uint32_t)(st.st_mode & 0777);
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
        e->type = S_ISREG(st.st_mode) ? MLOPS__ENTRY_FILE : MLOPS__ENTRY_DIR;
        if (memo_get(t, &st, e)) return MLOPS_OK;
        int rc = e->type == MLOPS__ENTRY_FILE ? put_file_entry(t, dfd, name, path, e)
                                              : put_subdir_entry(t, dfd, name, path, &st, e);
        return rc ? rc : memo_add(t, &st, e);
    }
    if (S_ISLNK(st.st_mode)) {
        e->type = MLOPS__ENTRY_SYMLINK;
        e->mode = 0777;
        return put_symlink_entry(t->fn, dfd, t->s, name, path, e);
    }
    return mlops__err(MLOPS_EUNSUPPORTED,
                      "%s: '%s' is not a file, directory or symlink (a socket, pipe or "
                      "device cannot be stored)",
                      t->fn, path);
}

/* Stores one tree object from its entries (already stored). */
static int put_tree_object(mlops_store *s, mlops__tree_entry *e, size_t n, mlops_digest *out)
{
    mlops__tree_sort(e, n);
    void *buf = NULL;
    size_t len = 0;
    mlops_digest d;
    int rc = mlops__tree_encode(e, n, &buf, &len);
    if (!rc) rc = mlops__sha256_oneshot(buf, len, &d);
    int reused = 0;
    mlops__removals_seen seen;
    if (!rc) rc = mlops__put_reuse(s, &d, &reused, &seen);
    mlops_digest *kids = NULL;
    if (!rc && !reused) {
        kids = malloc((n ? n : 1) * sizeof *kids);
        if (!kids) rc = mlops__err_nomem("storing a tree");
        for (size_t i = 0; !rc && i < n; i++) kids[i] = e[i].digest;
        if (!rc) rc = mlops__put_whole(s, NULL, &d, MLOPS__KIND_TREE, n, buf, len, kids, n, &seen);
    }
    free(kids);
    free(buf);
    if (!rc) *out = d;
    return rc;
}

static int put_dir(struct tput *t, int dfd, const char *path, mlops_digest *out,
                   uint64_t *total)
{
    char **names = NULL;
    size_t n = 0;
    int rc = list_names(t->fn, dfd, path, &names, &n);
    if (rc) return rc;
    mlops__tree_entry *e = calloc(n ? n : 1, sizeof *e);
    if (!e) rc = mlops__err_nomem("storing a tree");
    uint64_t sum = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        e[i].name = names[i];
        names[i] = NULL;
        char *sub = mlops__strcat3(path, "/", e[i].name);
        if (!sub) {
            rc = mlops__err_nomem("storing a tree");
            break;
        }
        rc = put_entry(t, dfd, e[i].name, sub, &e[i]);
        free(sub);
        sum += e[i].size;
    }
    if (!rc) rc = put_tree_object(t->s, e, n, out);
    if (!rc) *total = sum;
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    mlops__tree_entries_free(e, n);
    return rc;
}

MLOPS_API int mlops_tree_put(mlops_store *s, const char *dir, unsigned flags, mlops_digest *out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!dir) return mlops__err_null(__func__, "dir");
    if (!out) return mlops__err_null(__func__, "out");
    if (flags & ~(unsigned)MLOPS_TREE_FOLLOW_SYMLINKS)
        return mlops__err(MLOPS_EINVAL, "%s: unknown flags 0x%x", __func__, flags);
    int rc = mlops__store_check_writable(s, __func__);
    if (rc) return rc;
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mlops__err_os(errno == ENOENT ? MLOPS_ENOTFOUND : MLOPS_EIO, errno,
                             "%s: cannot open '%s'", __func__, dir);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = mlops__err_os(MLOPS_EIO, errno, "%s: cannot stat '%s'", __func__, dir);
    } else if (!S_ISDIR(st.st_mode)) {
        rc = mlops__err(MLOPS_EINVAL, "%s: '%s' is not a directory (use mlops_blob_put_file)",
                        __func__, dir);
    } else {
        struct tput t = {.fn = __func__, .s = s, .flags = flags};
        t.dev[0] = st.st_dev;
        t.ino[0] = st.st_ino;
        t.depth = 1;
        uint64_t total = 0;
        rc = put_dir(&t, fd, dir, out, &total);
        mlops__keymap_free(&t.seen);
        free(t.done);
    }
    close(fd);
    return rc;
}
