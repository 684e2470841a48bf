/* Trees: putting and restoring directories (mlops_tree_put/get). */
#include "cas_testutil.h"

#include "cas/tree_format.h"
#include "util/hash.h"

#include <errno.h>
#include <limits.h>

static void mkdir_ok(const char *base, const char *rel)
{
    char *p = tu_path(base, rel);
    ck_assert_msg(mkdir(p, 0755) == 0, "mkdir %s", p);
    free(p);
}

static void write_rel(const char *base, const char *rel, const char *text, mode_t mode)
{
    char *p = tu_path(base, rel);
    tu_write_file(p, text, strlen(text));
    ck_assert_int_eq(chmod(p, mode), 0);
    free(p);
}

static void symlink_rel(const char *base, const char *rel, const char *target)
{
    char *p = tu_path(base, rel);
    ck_assert_int_eq(symlink(target, p), 0);
    free(p);
}

/* A directory with unicode names, an empty directory, a symlink, an
 * executable file, a read-only directory and a larger chunked file. */
static void build_sample(const char *root, size_t big)
{
    ck_assert_int_eq(mkdir(root, 0755), 0);
    write_rel(root, "README.md", "# data\n", 0644);
    write_rel(root, "run.sh", "#!/bin/sh\necho hi\n", 0755);
    mkdir_ok(root, "données");
    write_rel(root, "données/日本語.csv", "a,b\n1,2\n", 0640);
    write_rel(root, "données/émoji-🙂.txt", "smile\n", 0600);
    mkdir_ok(root, "empty");
    mkdir_ok(root, "nested");
    mkdir_ok(root, "nested/deeper");
    write_rel(root, "nested/deeper/x.bin", "xyz", 0644);
    symlink_rel(root, "link-to-readme", "README.md");
    symlink_rel(root, "nested/up", "../données");
    symlink_rel(root, "dangling", "/nonexistent/elsewhere");
    unsigned char *buf = malloc(big);
    fill_random(buf, big, 3);
    char *p = tu_path(root, "nested/big.bin");
    tu_write_file(p, buf, big);
    free(p);
    free(buf);
}

/* Compares two trees on disk: names, types, modes, contents, link targets. */
static void compare_trees(const char *a, const char *b)
{
    struct stat sa, sb;
    ck_assert_int_eq(lstat(a, &sa), 0);
    ck_assert_int_eq(lstat(b, &sb), 0);
    ck_assert_msg((sa.st_mode & S_IFMT) == (sb.st_mode & S_IFMT), "type of %s", b);
    if (S_ISLNK(sa.st_mode)) {
        char ta[PATH_MAX], tb[PATH_MAX];
        ssize_t na = readlink(a, ta, sizeof ta), nb = readlink(b, tb, sizeof tb);
        ck_assert_int_eq(na, nb);
        ck_assert_int_eq(memcmp(ta, tb, (size_t)na), 0);
        return;
    }
    ck_assert_msg((sa.st_mode & 0777) == (sb.st_mode & 0777), "mode of %s: %o vs %o", b,
                  sa.st_mode & 0777, sb.st_mode & 0777);
    if (S_ISREG(sa.st_mode)) {
        ck_assert_int_eq(sa.st_size, sb.st_size);
        size_t n = (size_t)sa.st_size;
        unsigned char *ba = malloc(n + 1), *bb = malloc(n + 1);
        FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
        ck_assert_uint_eq(fread(ba, 1, n, fa), n);
        ck_assert_uint_eq(fread(bb, 1, n, fb), n);
        ck_assert_msg(memcmp(ba, bb, n) == 0, "content of %s differs", b);
        fclose(fa);
        fclose(fb);
        free(ba);
        free(bb);
        return;
    }
    DIR *d = opendir(a);
    struct dirent *e;
    int na = 0;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        na++;
        char *pa = tu_path(a, e->d_name), *pb = tu_path(b, e->d_name);
        compare_trees(pa, pb);
        free(pa);
        free(pb);
    }
    closedir(d);
    d = opendir(b);
    int nb = 0;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) nb++;
    closedir(d);
    ck_assert_int_eq(na, nb);
}

START_TEST(round_trip)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store"), *src = tu_path(dir, "src"), *dst = tu_path(dir, "dst");
    mlops_store *s = open_small_store(store);
    build_sample(src, 100000);
    mlops_digest t1, t2;
    TU_OK(mlops_tree_put(s, src, 0, &t1));
    TU_OK(mlops_tree_put(s, src, 0, &t2)); /* same directory, same root digest */
    ck_assert_mem_eq(t1.bytes, t2.bytes, 32);
    mlops_blob_info info = MLOPS_BLOB_INFO_INIT;
    TU_OK(mlops_blob_stat(s, &t1, &info));
    ck_assert_int_eq(info.kind, MLOPS_KIND_TREE);
    ck_assert_uint_eq(info.chunks, 7); /* entries of the root */

    TU_OK(mlops_tree_get(s, &t1, dst, 0));
    compare_trees(src, dst);
    /* The link was restored as a link, dangling target and all. */
    char *dl = tu_path(dst, "dangling");
    char target[PATH_MAX];
    ssize_t n = readlink(dl, target, sizeof target);
    ck_assert_int_eq(n, (ssize_t)strlen("/nonexistent/elsewhere"));
    free(dl);

    /* Restoring into an existing empty directory works; a non-empty one
     * or a file is refused. */
    char *dst2 = tu_path(dir, "dst2");
    ck_assert_int_eq(mkdir(dst2, 0755), 0);
    TU_OK(mlops_tree_get(s, &t1, dst2, 0));
    compare_trees(src, dst2);
    TU_RC(MLOPS_EEXIST, mlops_tree_get(s, &t1, dst2, 0));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), dst2));
    char *file = tu_path(src, "README.md");
    TU_RC(MLOPS_EEXIST, mlops_tree_get(s, &t1, file, 0));
    /* A blob is not a tree. */
    mlops_digest blob;
    TU_OK(mlops_blob_put(s, "x", 1, &blob));
    char *dst3 = tu_path(dir, "dst3");
    TU_RC(MLOPS_EINVAL, mlops_tree_get(s, &blob, dst3, 0));
    ck_assert_int_ne(access(dst3, F_OK), 0);
    /* Nothing left beside the targets. */
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) ck_assert_msg(e->d_name[0] != '.' || !strcmp(e->d_name, ".")
                                                       || !strcmp(e->d_name, ".."),
                                                   "left %s", e->d_name);
    closedir(d);
    free(dst3);
    free(file);
    free(dst2);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(store);
    free(src);
    free(dst);
    free(dir);
}
END_TEST

/* With fsync on, a tree of up to 32 entries is made durable by an fsync
 * of each file and folder, a larger one (on a local disk's file system)
 * by one sync of its file system before the rename (tree_get.c,
 * SYNC_FS_OVER): both restore the same tree and leave nothing beside it.
 * That a failed sync fails the restore and leaves nothing is the fault
 * suite's "tree restore" (tests/faults/fault_test.c). */
START_TEST(durable_restores_small_and_large)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store"), *src = tu_path(dir, "src");
    mlops_store_opts o = small_store_opts(MLOPS_DURABILITY_NORMAL, 0);
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(store, &o, &s));
    build_sample(src, 100000); /* 13 entries */
    mlops_digest small, large;
    TU_OK(mlops_tree_put(s, src, 0, &small));
    mkdir_ok(src, "many");
    for (int i = 0; i < 60; i++) {
        char rel[64], text[64];
        snprintf(rel, sizeof rel, "many/f%02d.txt", i);
        snprintf(text, sizeof text, "file %d\n", i);
        write_rel(src, rel, text, i % 2 ? 0644 : 0600);
    }
    TU_OK(mlops_tree_put(s, src, 0, &large));
    char *dst_large = tu_path(dir, "large");
    TU_OK(mlops_tree_get(s, &large, dst_large, 0));
    compare_trees(src, dst_large);
    /* The small tree: the source without many/. */
    tu_rmrf(dst_large);
    char *many = tu_path(src, "many");
    tu_rmrf(many);
    char *dst_small = tu_path(dir, "small");
    TU_OK(mlops_tree_get(s, &small, dst_small, 0));
    compare_trees(src, dst_small);
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        ck_assert_msg(e->d_name[0] != '.' || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."),
                      "left %s", e->d_name);
    closedir(d);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(many);
    free(dst_small);
    free(dst_large);
    free(store);
    free(src);
    free(dir);
}
END_TEST

/* One changed file rewrites only the trees on its path. */
START_TEST(merkle_sharing)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store"), *src = tu_path(dir, "src");
    mlops_store *s = open_small_store(store);
    build_sample(src, 50000);
    mlops_digest t1, t2;
    TU_OK(mlops_tree_put(s, src, 0, &t1));
    long long trees1 = db_int(store, "SELECT count(*) FROM cas_content WHERE kind = 2");
    long long objects1 = db_int(store, "SELECT count(*) FROM cas_object");
    ck_assert_int_eq(trees1, 5); /* root, données, empty, nested, nested/deeper */
    write_rel(src, "nested/deeper/x.bin", "changed", 0644);
    TU_OK(mlops_tree_put(s, src, 0, &t2));
    ck_assert(memcmp(t1.bytes, t2.bytes, 32) != 0);
    /* New: one blob, and the trees root, nested, nested/deeper. */
    ck_assert_int_eq(db_int(store, "SELECT count(*) FROM cas_content WHERE kind = 2"), trees1 + 3);
    ck_assert_int_eq(db_int(store, "SELECT count(*) FROM cas_object"), objects1 + 4);
    /* An empty directory is a valid (and shared) tree. */
    char *e1 = tu_path(dir, "e1");
    ck_assert_int_eq(mkdir(e1, 0755), 0);
    mlops_digest te;
    TU_OK(mlops_tree_put(s, e1, 0, &te));
    char *e2 = tu_path(dir, "e2");
    TU_OK(mlops_tree_get(s, &te, e2, 0));
    struct stat st;
    ck_assert_int_eq(stat(e2, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    free(e1);
    free(e2);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(store);
    free(src);
    free(dir);
}
END_TEST

START_TEST(follow_symlinks)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store"), *src = tu_path(dir, "src"), *dst = tu_path(dir, "dst");
    mlops_store *s = open_small_store(store);
    ck_assert_int_eq(mkdir(src, 0755), 0);
    write_rel(src, "real.txt", "real", 0644);
    symlink_rel(src, "alias.txt", "real.txt");
    mlops_digest t;
    TU_OK(mlops_tree_put(s, src, MLOPS_TREE_FOLLOW_SYMLINKS, &t));
    TU_OK(mlops_tree_get(s, &t, dst, 0));
    char *alias = tu_path(dst, "alias.txt");
    struct stat st;
    ck_assert_int_eq(lstat(alias, &st), 0);
    ck_assert(S_ISREG(st.st_mode)); /* stored as the file it pointed at */
    free(alias);
    /* A link back up is a loop when followed. */
    symlink_rel(src, "loop", ".");
    TU_RC(MLOPS_EINVAL, mlops_tree_put(s, src, MLOPS_TREE_FOLLOW_SYMLINKS, &t));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "loop"));
    /* Without the flag it is just a link. */
    TU_OK(mlops_tree_put(s, src, 0, &t));
    mlops_store_close(s);
    tu_rmrf(dir);
    free(store);
    free(src);
    free(dst);
    free(dir);
}
END_TEST

START_TEST(bad_input)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store"), *src = tu_path(dir, "src");
    mlops_store *s = open_small_store(store);
    mlops_digest t;
    TU_RC(MLOPS_EINVAL, mlops_tree_put(s, NULL, 0, &t));
    TU_RC(MLOPS_EINVAL, mlops_tree_put(s, dir, 0x10, &t));
    TU_RC(MLOPS_ENOTFOUND, mlops_tree_put(s, src, 0, &t));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), src));
    ck_assert_int_eq(mkdir(src, 0755), 0);
    write_rel(src, "f", "x", 0644);
    char *f = tu_path(src, "f");
    TU_RC(MLOPS_EINVAL, mlops_tree_put(s, f, 0, &t));
    /* A pipe inside is refused and named. */
    char *fifo = tu_path(src, "pipe");
    ck_assert_int_eq(mkfifo(fifo, 0644), 0);
    TU_RC(MLOPS_EUNSUPPORTED, mlops_tree_put(s, src, 0, &t));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), fifo));
    unlink(fifo);
    TU_OK(mlops_tree_put(s, src, 0, &t));
    char *dst = tu_path(dir, "dst");
    TU_RC(MLOPS_EINVAL, mlops_tree_get(s, &t, dst, 1));
    mlops_digest unknown;
    memset(unknown.bytes, 0x42, 32);
    TU_RC(MLOPS_ENOTFOUND, mlops_tree_get(s, &unknown, dst, 0));
    ck_assert_int_ne(access(dst, F_OK), 0);
    char *nodir = tu_path(dir, "no/such/dst");
    TU_RC(MLOPS_ENOTFOUND, mlops_tree_get(s, &t, nodir, 0));
    free(nodir);
    free(dst);
    free(fifo);
    free(f);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(store);
    free(src);
    free(dir);
}
END_TEST

/* Crafts a tree object with the given entries (bypassing the checks of
 * tree_put) and stores it as a tree. */
static void put_crafted_tree(mlops_store *s, mlops__tree_entry *e, size_t n, mlops_digest *out)
{
    void *buf = NULL;
    size_t len = 0;
    TU_OK(mlops__tree_encode(e, n, &buf, &len));
    TU_OK(mlops__sha256_oneshot(buf, len, out));
    mlops_digest kids[8];
    for (size_t i = 0; i < n; i++) kids[i] = e[i].digest;
    TU_OK(mlops__put_whole(s, NULL, out, MLOPS__KIND_TREE, n, buf, len, kids, n, NULL));
    free(buf);
}

/* Names that would escape the target are refused before anything is
 * written. */
START_TEST(traversal_refused)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store");
    mlops_store *s = open_small_store(store);
    mlops_digest blob;
    TU_OK(mlops_blob_put(s, "pwned", 5, &blob));
    const char *bad_names[] = {"..", ".", "", "../escape", "a/b", "/etc/passwd"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        mlops__tree_entry e[2];
        memset(e, 0, sizeof e);
        e[0].name = (char *)"a-fine-name";
        e[0].type = MLOPS__ENTRY_FILE;
        e[0].mode = 0644;
        e[0].size = 5;
        e[0].digest = blob;
        e[1] = e[0];
        e[1].name = (char *)bad_names[i];
        mlops_digest t;
        put_crafted_tree(s, e, 2, &t);
        char *dst = tu_path(dir, "dst");
        TU_RC(MLOPS_EINVAL, mlops_tree_get(s, &t, dst, 0));
        ck_assert_int_ne(access(dst, F_OK), 0); /* nothing written */
        free(dst);
    }
    /* A name holding NUL: encode by hand through msgpack's str length. */
    {
        mlops__tree_entry e;
        memset(&e, 0, sizeof e);
        char name[] = "okXbad";
        e.name = name;
        e.type = MLOPS__ENTRY_FILE;
        e.mode = 0644;
        e.size = 5;
        e.digest = blob;
        void *buf = NULL;
        size_t len = 0;
        TU_OK(mlops__tree_encode(&e, 1, &buf, &len));
        unsigned char *p = memmem(buf, len, "okXbad", 6);
        ck_assert_ptr_nonnull(p);
        p[2] = '\0';
        mlops__tree_entry *out = NULL;
        size_t n = 0;
        TU_RC(MLOPS_EINVAL, mlops__tree_decode(buf, len, "crafted", &out, &n));
        free(buf);
    }
    /* Duplicate or unsorted names (a symlink and a directory both named
     * "a" could write through the link). */
    {
        mlops__tree_entry e[2];
        memset(e, 0, sizeof e);
        e[0].name = (char *)"a";
        e[0].type = MLOPS__ENTRY_SYMLINK;
        e[0].size = 5;
        e[0].digest = blob;
        e[1] = e[0];
        e[1].type = MLOPS__ENTRY_FILE;
        mlops_digest t;
        put_crafted_tree(s, e, 2, &t);
        char *dst = tu_path(dir, "dst");
        TU_RC(MLOPS_EINVAL, mlops_tree_get(s, &t, dst, 0));
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "sorted"));
        ck_assert_int_ne(access(dst, F_OK), 0);
        free(dst);
    }
    /* A symlink entry whose target would be followed by a later entry is
     * impossible (names are unique), and links are never followed: a tree
     * holding link "l" -> "/tmp" restores as just that link. */
    {
        mlops_digest target;
        TU_OK(mlops_blob_put(s, "/", 1, &target));
        mlops__tree_entry e;
        memset(&e, 0, sizeof e);
        e.name = (char *)"l";
        e.type = MLOPS__ENTRY_SYMLINK;
        e.mode = 0777;
        e.size = 1;
        e.digest = target;
        mlops_digest t;
        put_crafted_tree(s, &e, 1, &t);
        char *dst = tu_path(dir, "dst");
        TU_OK(mlops_tree_get(s, &t, dst, 0));
        char *l = tu_path(dst, "l");
        struct stat st;
        ck_assert_int_eq(lstat(l, &st), 0);
        ck_assert(S_ISLNK(st.st_mode));
        free(l);
        free(dst);
    }
    mlops_store_close(s);
    tu_rmrf(dir);
    free(store);
    free(dir);
}
END_TEST

/* A corrupt file blob fails the restore and leaves nothing behind. */
START_TEST(corrupt_blob_leaves_nothing)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store"), *src = tu_path(dir, "src"), *dst = tu_path(dir, "dst");
    mlops_store *s = open_small_store(store);
    build_sample(src, 60000);
    mlops_digest t, blob;
    TU_OK(mlops_tree_put(s, src, 0, &t));
    TU_OK(mlops_blob_put(s, "xyz", 3, &blob)); /* nested/deeper/x.bin */
    char *obj = object_file(s, &blob);
    flip_object_byte(s, &blob, 1);
    TU_RC(MLOPS_ECORRUPT, mlops_tree_get(s, &t, dst, 0));
    ck_assert_int_ne(access(dst, F_OK), 0);
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        ck_assert_msg(strncmp(e->d_name, ".dst", 4) != 0, "left %s", e->d_name);
    closedir(d);
    free(obj);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(store);
    free(src);
    free(dst);
    free(dir);
}
END_TEST

/* A tree object whose header claims 1 TiB (the most a tree may claim)
 * behind its small zstd payload: the restore refuses it as corrupt before
 * it allocates room for the claim (it used to malloc the 1 TiB first),
 * with 1 GiB of address space to spare, and writes nothing. */
START_TEST(tree_object_claiming_more_than_its_frame_holds)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store"), *src = tu_path(dir, "src"), *dst = tu_path(dir, "dst");
    mlops_store *s = open_small_store(store);
    build_sample(src, 6000);
    mlops_digest t;
    TU_OK(mlops_tree_put(s, src, 0, &t));
    size_t n = 0;
    unsigned char *b = object_data(s, &t, &n);
    ck_assert_uint_gt(n, 16);
    b[5] = 1; /* zstd: a raw object's header must give its length */
    uint64_t claim = (uint64_t)1 << 40;
    for (int i = 0; i < 8; i++) b[8 + i] = (unsigned char)(claim >> (8 * i));
    replace_object(s, &t, b, n);
    free(b);
    tu_limit_address_space((size_t)1 << 30);
    int rc = mlops_tree_get(s, &t, dst, 0);
    tu_unlimit_address_space();
    TU_RC(MLOPS_ECORRUPT, rc);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "claims more bytes"));
    ck_assert_int_ne(access(dst, F_OK), 0);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(store);
    free(src);
    free(dst);
    free(dir);
}
END_TEST

/* A DAG of `levels` trees above a bottom tree holding one file of `size`
 * bytes: each level's entries "a" and "b" both name the level below, so
 * levels+1 small objects expand to 2^levels copies of the file. */
static mlops_digest crafted_dag(mlops_store *s, int levels, size_t size)
{
    unsigned char *data = malloc(size ? size : 1);
    fill_random(data, size, 11);
    mlops__tree_entry f;
    memset(&f, 0, sizeof f);
    f.name = (char *)"f";
    f.type = MLOPS__ENTRY_FILE;
    f.mode = 0644;
    f.size = size;
    TU_OK(mlops_blob_put(s, data, size, &f.digest));
    free(data);
    mlops_digest t;
    put_crafted_tree(s, &f, 1, &t);
    for (int i = 0; i < levels; i++) {
        mlops__tree_entry e[2];
        memset(e, 0, sizeof e);
        e[0].name = (char *)"a";
        e[0].type = MLOPS__ENTRY_DIR;
        e[0].mode = 0755;
        e[0].digest = t;
        e[1] = e[0];
        e[1].name = (char *)"b";
        put_crafted_tree(s, e, 2, &t);
    }
    return t;
}

/* A chain of n directories "d" above t. */
static mlops_digest chain(mlops_store *s, mlops_digest t, int n)
{
    for (int i = 0; i < n; i++) {
        mlops__tree_entry d;
        memset(&d, 0, sizeof d);
        d.name = (char *)"d";
        d.type = MLOPS__ENTRY_DIR;
        d.mode = 0755;
        d.digest = t;
        put_crafted_tree(s, &d, 1, &t);
    }
    return t;
}

/* A subtree checked once near the top must still obey the depth limit
 * where it appears again further down. */
START_TEST(depth_limit_holds_for_repeated_subtrees)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store"), *dst = tu_path(dir, "dst");
    mlops_store *s = open_small_store(store);
    mlops_digest empty;
    put_crafted_tree(s, NULL, 0, &empty);
    mlops_digest tall = chain(s, empty, 250); /* 250 levels below it */
    mlops__tree_entry e[2];
    memset(e, 0, sizeof e);
    e[0].name = (char *)"a";
    e[0].type = MLOPS__ENTRY_DIR;
    e[0].mode = 0755;
    e[0].digest = tall; /* levels 1..251: within 256 */
    e[1] = e[0];
    e[1].name = (char *)"z";
    e[1].digest = chain(s, tall, 3); /* the same, from level 4: 254 levels */
    mlops_digest ok;
    put_crafted_tree(s, e, 2, &ok);
    TU_OK(mlops_tree_get(s, &ok, dst, 0));
    tu_rmrf(dst);
    e[1].digest = chain(s, tall, 8); /* from level 9: 259 levels */
    mlops_digest deep;
    put_crafted_tree(s, e, 2, &deep);
    TU_RC(MLOPS_EINVAL, mlops_tree_get(s, &deep, dst, 0));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "deeper than 256"));
    ck_assert_int_ne(access(dst, F_OK), 0);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(store);
    free(dst);
    free(dir);
}
END_TEST

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        n++;
        if (e->d_type == DT_DIR) {
            char *sub = tu_path(path, e->d_name);
            n += count_entries(sub);
            free(sub);
        }
    }
    closedir(d);
    return n;
}

static void assert_nothing_beside(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        ck_assert_msg(strncmp(e->d_name, ".dst", 4) != 0, "left %s", e->d_name);
    closedir(d);
}

/* Issue 13, finding 4: 41 objects expanding to 2^41 entries are refused
 * at once, from the expanded count computed per distinct subtree (1.0 ran
 * out of memory); a DAG well within the depth limit is refused beyond
 * max_entries, and restores whole when the limit allows it. */
START_TEST(dag_expansion_limited)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store"), *dst = tu_path(dir, "dst");
    mlops_store *s = open_small_store(store);
    mlops_digest big = crafted_dag(s, 40, 10);
    double t0 = now_s();
    TU_RC(MLOPS_EINVAL, mlops_tree_get(s, &big, dst, 0));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "max_entries"));
    ck_assert_msg(now_s() - t0 < 2.0, "refusing took %.2f s", now_s() - t0);
    ck_assert_int_ne(access(dst, F_OK), 0);
    /* Without the limits, free space refuses it: 2^40 x 10 bytes. */
    mlops_tree_get_opts o;
    TU_OK(mlops_tree_get_opts_init(&o, MLOPS_TREE_GET_OPTS_VERSION));
    ck_assert_uint_eq(o.max_entries, MLOPS_TREE_MAX_ENTRIES_DEFAULT);
    o.max_entries = UINT64_MAX;
    o.max_bytes = UINT64_MAX;
    TU_RC(MLOPS_EIO, mlops_tree_get_ex(s, &big, dst, &o));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "free"));
    ck_assert_int_ne(access(dst, F_OK), 0);

    /* 8 levels: 2 * (2^8 - 1) directories and 2^8 files = 766 entries. */
    mlops_digest small = crafted_dag(s, 8, 10);
    o = (mlops_tree_get_opts)MLOPS_TREE_GET_OPTS_INIT;
    o.max_entries = 765;
    TU_RC(MLOPS_EINVAL, mlops_tree_get_ex(s, &small, dst, &o));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "766"));
    ck_assert_int_ne(access(dst, F_OK), 0);
    o.max_entries = 766;
    o.max_bytes = 2559; /* 256 files of 10 bytes */
    TU_RC(MLOPS_EINVAL, mlops_tree_get_ex(s, &small, dst, &o));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "max_bytes"));
    o.max_bytes = 2560;
    TU_OK(mlops_tree_get_ex(s, &small, dst, &o));
    ck_assert_int_eq(count_entries(dst), 766);
    assert_nothing_beside(dir);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(store);
    free(dst);
    free(dir);
}
END_TEST

static mode_t mode_of(const char *base, const char *rel)
{
    char *p = rel ? tu_path(base, rel) : strdup(base);
    struct stat st;
    ck_assert_int_eq(lstat(p, &st), 0);
    free(p);
    return st.st_mode & 07777;
}

/* Issue 13, finding 11: stored modes less the umask by default (1.0 gave
 * a 0777 directory back as 0777 under umask 077), as stored on request. */
START_TEST(modes_follow_umask)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store"), *src = tu_path(dir, "src");
    char *dst = tu_path(dir, "dst"), *keep = tu_path(dir, "keep");
    mlops_store *s = open_small_store(store);
    ck_assert_int_eq(mkdir(src, 0755), 0);
    mkdir_ok(src, "open");
    ck_assert_int_eq(chmod(src, 0777), 0);
    char *open_dir = tu_path(src, "open");
    ck_assert_int_eq(chmod(open_dir, 0777), 0);
    write_rel(src, "open/all.txt", "everyone", 0666);
    write_rel(src, "run.sh", "#!/bin/sh\n", 0775);
    mlops_digest t;
    TU_OK(mlops_tree_put(s, src, 0, &t));
    mode_t old = umask(077);
    int rc_default = mlops_tree_get(s, &t, dst, 0);
    mlops_tree_get_opts o = MLOPS_TREE_GET_OPTS_INIT;
    o.keep_modes = 1;
    int rc_keep = mlops_tree_get_ex(s, &t, keep, &o);
    umask(old);
    TU_OK(rc_default);
    TU_OK(rc_keep);
    ck_assert_uint_eq(mode_of(dst, NULL), 0700);
    ck_assert_uint_eq(mode_of(dst, "open"), 0700);
    ck_assert_uint_eq(mode_of(dst, "open/all.txt"), 0600);
    ck_assert_uint_eq(mode_of(dst, "run.sh"), 0700);
    ck_assert_uint_eq(mode_of(keep, "open"), 0777);
    ck_assert_uint_eq(mode_of(keep, "open/all.txt"), 0666);
    ck_assert_uint_eq(mode_of(keep, "run.sh"), 0775);
    free(open_dir);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(store);
    free(src);
    free(dst);
    free(keep);
    free(dir);
}
END_TEST

/* A tree holding one link `name` -> target inside `depth` directories. */
static mlops_digest tree_with_link(mlops_store *s, const char *target, int depth)
{
    mlops__tree_entry e;
    memset(&e, 0, sizeof e);
    e.name = (char *)"l";
    e.type = MLOPS__ENTRY_SYMLINK;
    e.mode = 0777;
    e.size = strlen(target);
    TU_OK(mlops_blob_put(s, target, e.size, &e.digest));
    mlops_digest t;
    put_crafted_tree(s, &e, 1, &t);
    return chain(s, t, depth);
}

/* Issue 13, finding 11: under MLOPS_TREE_LINKS_CONTAINED a link may not be
 * absolute or lead out of the target (1.0 restored every link); links
 * that stay inside are restored, and the default keeps every link. */
START_TEST(links_contained)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store"), *dst = tu_path(dir, "dst");
    mlops_store *s = open_small_store(store);
    mlops_tree_get_opts o = MLOPS_TREE_GET_OPTS_INIT;
    o.links = MLOPS_TREE_LINKS_CONTAINED;
    static const struct {
        const char *target;
        int depth;
        int ok;
        const char *named;
    } cases[] = {
        {"/etc/passwd", 0, 0, "absolute"},
        {"..", 0, 0, "'l' leads 1 level above"},
        {"../../x", 1, 0, "'d/l' leads 1 level above"},
        {"../../../x", 2, 0, "'d/d/l' leads 1 level above"},
        {"a/../../x", 1, 0, "'..' after a name"},
        {"./../x", 1, 1, NULL},
        {"../x", 1, 1, NULL},
        {"../../d/x", 2, 1, NULL},
        {"x/./y", 0, 1, NULL},
        {".", 0, 1, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mlops_digest t = tree_with_link(s, cases[i].target, cases[i].depth);
        int rc = mlops_tree_get_ex(s, &t, dst, &o);
        if (cases[i].ok) {
            ck_assert_msg(rc == MLOPS_OK, "%s: %s", cases[i].target, mlops_last_error());
            tu_rmrf(dst);
        } else {
            ck_assert_msg(rc == MLOPS_EINVAL, "%s restored", cases[i].target);
            ck_assert_msg(strstr(mlops_last_error(), cases[i].named), "%s: %s",
                          cases[i].target, mlops_last_error());
            ck_assert_int_ne(access(dst, F_OK), 0);
            /* The library's default keeps the link as stored. */
            TU_OK(mlops_tree_get(s, &t, dst, 0));
            tu_rmrf(dst);
        }
    }
    /* One subtree (link l -> ../../x) reached at two depths: inside from
     * n/k/, outside from z/. Checked once, it must be judged per place. */
    mlops_digest inner = tree_with_link(s, "../../x", 0);
    mlops__tree_entry e[2];
    memset(e, 0, sizeof e);
    e[0].name = (char *)"k";
    e[0].type = MLOPS__ENTRY_DIR;
    e[0].mode = 0755;
    e[0].digest = inner;
    mlops_digest mid, root;
    put_crafted_tree(s, e, 1, &mid);
    e[0].name = (char *)"n";
    e[0].digest = mid;
    TU_RC(MLOPS_EINVAL, mlops_tree_get_ex(s, &mid, dst, &o)); /* k/l: out by one */
    put_crafted_tree(s, e, 1, &root); /* n/k/l -> ../../x = x */
    TU_OK(mlops_tree_get_ex(s, &root, dst, &o));
    tu_rmrf(dst);
    e[1] = e[0];
    e[1].name = (char *)"z";
    e[1].digest = inner; /* z/l -> ../../x: one level out */
    put_crafted_tree(s, e, 2, &root);
    TU_RC(MLOPS_EINVAL, mlops_tree_get_ex(s, &root, dst, &o));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "'z/l' leads 1 level above"));
    ck_assert_int_ne(access(dst, F_OK), 0);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(store);
    free(dst);
    free(dir);
}
END_TEST

/* Issue 13, finding 12: following symlinks, directories whose links
 * reuse each other (level i holds a -> ../d<i-1> and b -> ../d<i-1>) give
 * 2^40 paths; each directory is put once, memoised by device and inode
 * (1.0 walked every path). The result is the same DAG of trees. */
START_TEST(follow_symlinks_memoised)
{
    char *dir = tu_tmpdir();
    char *store = tu_store_dir(dir, "store"), *src = tu_path(dir, "src");
    mlops_store *s = open_small_store(store);
    ck_assert_int_eq(mkdir(src, 0755), 0);
    mkdir_ok(src, "d0");
    write_rel(src, "d0/f", "leaf", 0644);
    enum { LEVELS = 40 };
    for (int i = 1; i <= LEVELS; i++) {
        char rel[64], target[64];
        snprintf(rel, sizeof rel, "d%d", i);
        mkdir_ok(src, rel);
        snprintf(target, sizeof target, "../d%d", i - 1);
        snprintf(rel, sizeof rel, "d%d/a", i);
        symlink_rel(src, rel, target);
        snprintf(rel, sizeof rel, "d%d/b", i);
        symlink_rel(src, rel, target);
    }
    mlops_digest t;
    double t0 = now_s();
    TU_OK(mlops_tree_put(s, src, MLOPS_TREE_FOLLOW_SYMLINKS, &t));
    ck_assert_msg(now_s() - t0 < 5.0, "put took %.2f s", now_s() - t0);
    /* 41 level trees, plus the root. */
    ck_assert_int_eq(db_int(store, "SELECT count(*) FROM cas_content WHERE kind = 2"),
                     LEVELS + 2);
    /* And the expanded tree is what restoring refuses. */
    char *dst = tu_path(dir, "dst");
    TU_RC(MLOPS_EINVAL, mlops_tree_get(s, &t, dst, 0));
    free(dst);
    mlops_store_close(s);
    tu_rmrf(dir);
    free(store);
    free(src);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cas_tree");
    TCase *t = tcase_create("trees");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, round_trip);
    tcase_add_test(t, durable_restores_small_and_large);
    tcase_add_test(t, merkle_sharing);
    tcase_add_test(t, follow_symlinks);
    tcase_add_test(t, bad_input);
    tcase_add_test(t, traversal_refused);
    tcase_add_test(t, corrupt_blob_leaves_nothing);
    tcase_add_test(t, tree_object_claiming_more_than_its_frame_holds);
    tcase_add_test(t, dag_expansion_limited);
    tcase_add_test(t, modes_follow_umask);
    tcase_add_test(t, links_contained);
    tcase_add_test(t, follow_symlinks_memoised);
    tcase_add_test(t, depth_limit_holds_for_repeated_subtrees);
    suite_add_tcase(s, t);
    return tu_run(s);
}
